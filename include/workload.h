/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The workload layer: what a daxbench benchmark (bench/) or a daxstress
 * scenario (stress/) does to the file under test, in one home.
 *
 *   stores   an 8-byte store to a word of a page, timed (a first store to a
 *            page is its write fault), or a store of any size; per-thread
 *            store logs for the oracle
 *   calls    one sync call (fsync, fdatasync, msync, msync MS_ASYNC,
 *            sync_file_range), timed and logged for the oracle; the sync
 *            methods of `daxbench sync` (include/sync_methods.h) are ops
 *            tables over these calls
 *   threads  spawn, sleep, spin, the thread id the trace records carry
 *
 * In the manner of fio's ioengine_ops, the workload says what to do; the
 * driver (bench/cmd_*.c, stress/driver.c) owns the threads, the clocks and
 * the records.  Every time here is now_ns() (CLOCK_MONOTONIC), the clock of
 * the trace instance, so store and call times compare with event times.
 */
#ifndef DAXBENCH_WORKLOAD_H
#define DAXBENCH_WORKLOAD_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "oracle.h"
#include "timing.h"

#define WL_PAGE ((uint64_t)4096)	/* bytes per page */

/* ---- threads and clocks ---- */

/* The calling thread's id, as trace records carry it (cached). */
int32_t wl_gettid(void);
void wl_sleep_ns(uint64_t ns);
/* Busy-wait ns (with pause): for races that a sleep would widen. */
void wl_spin_ns(uint64_t ns);
/* pthread_create(th, fn, arg), or exit(1) with one line on stderr. */
void wl_spawn(pthread_t *th, void *(*fn)(void *), void *arg);

/* ---- stores ---- */

/* One 8-byte store to word slot (mod 512) of page pg of a mapping at base;
 * *tb and *ta get now_ns() just before and just after it. */
static inline void wl_store_word(char *base, uint64_t pg, unsigned slot,
				 uint64_t val, uint64_t *tb, uint64_t *ta)
{
	volatile uint64_t *w = (volatile uint64_t *)(base + pg * WL_PAGE +
						     (slot % 512) * 8);

	*tb = now_ns();
	__asm__ __volatile__("" ::: "memory");
	*w = val;
	__asm__ __volatile__("" ::: "memory");
	*ta = now_ns();
}

/* A store of size bytes at dst: up to 32 bytes as 8-byte words val,
 * val + 1, ...; larger ones copied from src, the first word then val. */
static inline void wl_store(char *dst, const char *src, uint64_t size,
			    uint64_t val)
{
	if (size <= 32) {
		for (uint64_t i = 0; i < size / 8; i++)
			((volatile uint64_t *)dst)[i] = val + i;
	} else {
		memcpy(dst, src, size);
		*(volatile uint64_t *)dst = val;
	}
	__asm__ __volatile__("" ::: "memory");
}

/* An 8-byte load at base + off (a first load of a page is its read
 * fault). */
static inline uint64_t wl_load(const char *base, uint64_t off)
{
	return *(const volatile uint64_t *)(base + off);
}

/* A per-thread store log (preallocated; appending takes no lock). */
struct store_rec {
	uint64_t tb, ta;	/* now_ns() just before / just after */
	uint64_t pg;
};

struct slog {
	struct store_rec *v;
	size_t n, cap;
};

int slog_init(struct slog *l, size_t cap);	/* pages touched up front */
void slog_free(struct slog *l);

static inline bool slog_full(const struct slog *l)
{
	return l->n >= l->cap;
}

static inline void slog_add(struct slog *l, uint64_t pg, uint64_t tb,
			    uint64_t ta)
{
	if (l->n < l->cap)
		l->v[l->n++] = (struct store_rec){ tb, ta, pg };
}

/* wl_store_word, logged. */
static inline void wl_store_logged(struct slog *l, char *base, uint64_t pg,
				   unsigned slot, uint64_t val)
{
	uint64_t tb, ta;

	wl_store_word(base, pg, slot, val, &tb, &ta);
	slog_add(l, pg, tb, ta);
}

/* ---- sync calls ---- */

enum wl_call {
	WL_FSYNC,		/* fsync(fd) */
	WL_FDATASYNC,		/* fdatasync(fd) */
	WL_MSYNC,		/* msync(addr, len, MS_SYNC) */
	WL_MSYNC_ASYNC,		/* msync(addr, len, MS_ASYNC) */
	WL_SFR,			/* sync_file_range(fd, 0, 0, WAIT_BEFORE |
				 * WRITE | WAIT_AFTER) */
};

/* One call: 0, or -1 with errno.  addr/len: msync only. */
int wl_call(enum wl_call k, int fd, void *addr, uint64_t len);
/* What the oracle calls it. */
enum oracle_sync_kind wl_call_kind(enum wl_call k);

/* A per-thread log of sync calls. */
struct sync_rec {
	uint64_t ts, te;
	uint64_t first, npages;	/* expected coverage; (0, 0) whole file */
	int32_t tid;
	int32_t err;		/* errno of a failed call, else 0 */
	enum oracle_sync_kind kind;
};

struct ylog {
	struct sync_rec *v;
	size_t n, cap;
};

int ylog_init(struct ylog *l, size_t cap);
void ylog_free(struct ylog *l);

static inline bool ylog_full(const struct ylog *l)
{
	return l->n >= l->cap;
}

static inline void ylog_add(struct ylog *l, const struct sync_rec *r)
{
	if (l->n < l->cap)
		l->v[l->n++] = *r;
}

/* wl_call by the calling thread, timed and logged with the coverage the
 * oracle is to expect (first, npages: (0, 0) for the whole file), whatever
 * range the call itself covers.  Returns what wl_call returned. */
int wl_call_logged(struct ylog *l, enum wl_call k, int fd, void *addr,
		   uint64_t len, uint64_t first, uint64_t npages);

/* A whole-file fsync, timed and logged. */
static inline int wl_fsync_logged(struct ylog *l, int fd)
{
	return wl_call_logged(l, WL_FSYNC, fd, NULL, 0, 0, 0);
}

#endif
