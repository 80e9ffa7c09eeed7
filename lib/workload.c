// SPDX-License-Identifier: GPL-2.0
/* The workload layer: stores, sync calls, threads (see workload.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "progress.h"
#include "workload.h"

int32_t wl_gettid(void)
{
	static __thread int32_t tid;	/* a system call once per thread */

	if (!tid)
		tid = (int32_t)syscall(SYS_gettid);
	return tid;
}

void wl_sleep_ns(uint64_t ns)
{
	struct timespec ts = { (time_t)(ns / 1000000000u),
			       (long)(ns % 1000000000u) };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

void wl_spin_ns(uint64_t ns)
{
	uint64_t end = now_ns() + ns;

	while (now_ns() < end)
		__asm__ __volatile__("pause");
}

void wl_spawn(pthread_t *th, void *(*fn)(void *), void *arg)
{
	int e = pthread_create(th, NULL, fn, arg);

	if (e)
		fatal("pthread_create: %s", strerror(e));
}

int slog_init(struct slog *l, size_t cap)
{
	l->n = 0;
	l->cap = cap;
	l->v = malloc((cap ? cap : 1) * sizeof(*l->v));
	if (!l->v)
		return -1;
	memset(l->v, 0, cap * sizeof(*l->v));	/* no page fault in the loop */
	return 0;
}

void slog_free(struct slog *l)
{
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

int ylog_init(struct ylog *l, size_t cap)
{
	l->n = 0;
	l->cap = cap;
	l->v = calloc(cap ? cap : 1, sizeof(*l->v));
	return l->v ? 0 : -1;
}

void ylog_free(struct ylog *l)
{
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

int wl_call(enum wl_call k, int fd, void *addr, uint64_t len)
{
	switch (k) {
	case WL_FSYNC:
		return fsync(fd);
	case WL_FDATASYNC:
		return fdatasync(fd);
	case WL_MSYNC:
		return msync(addr, len, MS_SYNC);
	case WL_MSYNC_ASYNC:
		return msync(addr, len, MS_ASYNC);
	case WL_SFR:
		return sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WAIT_BEFORE |
				       SYNC_FILE_RANGE_WRITE |
				       SYNC_FILE_RANGE_WAIT_AFTER);
	}
	errno = EINVAL;
	return -1;
}

enum oracle_sync_kind wl_call_kind(enum wl_call k)
{
	switch (k) {
	case WL_FSYNC:
		return ORACLE_FSYNC;
	case WL_FDATASYNC:
		return ORACLE_FDATASYNC;
	case WL_MSYNC:
	case WL_MSYNC_ASYNC:
		return ORACLE_MSYNC;
	case WL_SFR:
		return ORACLE_SYNC_FILE_RANGE;
	}
	return ORACLE_SYNC_OTHER;
}

int wl_call_logged(struct ylog *l, enum wl_call k, int fd, void *addr,
		   uint64_t len, uint64_t first, uint64_t npages)
{
	struct sync_rec r = { .tid = wl_gettid(), .kind = wl_call_kind(k),
			      .first = first, .npages = npages };
	int rc;

	r.ts = now_ns();
	rc = wl_call(k, fd, addr, len);
	r.te = now_ns();
	r.err = rc < 0 ? errno : 0;
	ylog_add(l, &r);
	return rc;
}
