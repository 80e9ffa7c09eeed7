/* SPDX-License-Identifier: GPL-2.0 */
/*
 * daxbench sync, private to bench/cmd_sync.c and bench/sync_*.c: the
 * parameters, the run state the writer and syncer threads share, the file
 * set and the tracer of a run, the per-run figures the summary over repeats
 * needs, and the functions one of these files calls in another.
 */
#ifndef DAXBENCH_SYNC_H
#define DAXBENCH_SYNC_H

#include <linux/futex.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "daxfile.h"
#include "env.h"
#include "hist.h"
#include "opts.h"
#include "pattern.h"
#include "progress.h"
#include "sync_methods.h"
#include "topology.h"
#include "trace.h"
#include "verdict.h"

#ifdef DAXBENCH_NO_MEASURE
#define MEASURE 0
#else
#define MEASURE 1
#endif

#define PAGE 4096ull
#define PAGE_SHIFT 12
#define CHUNK PMD_SIZE_BYTES
#define CHUNK_SHIFT 21
#define MAX_THREADS 256
#define MAX_METHODS 6
#define SERIES_BUCKETS 40

enum sync_page { SP_PTE, SP_PMD, SP_MIXED };
extern const char *const sync_page_names[];

enum call_kind { CALL_RUN, CALL_FINAL, CALL_IDLE };

struct params {
	uint64_t size;
	enum sync_page page;
	unsigned writers, syncers;
	enum pattern_kind pattern;
	double zipf_theta;
	uint64_t store_size, working_set;
	uint64_t rate;		/* stores/s per writer, 0: as fast as possible */
	const struct sync_ops *methods[MAX_METHODS];
	unsigned nmethods;
	const char *sync_text;
	uint64_t every;		/* stores of a syncer's writers between calls */
	uint64_t period_ns;	/* or a period */
	bool lockstep;
	uint64_t duration_ns;	/* or */
	uint64_t stores;	/* per writer */
	const char *cpus_text, *numa_text;
	struct placement pl;
	bool pin;
	unsigned repeat;
	struct common_opts opt;	/* --dir, --seed, --output, --trace-buffer, ... */
};

/* ------------------------------------------------------------------ */
/* small helpers                                                        */

static inline void *xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz ? sz : 1);

	if (!p)
		fatal("out of memory");
	return p;
}

static inline void *xaligned(size_t sz)
{
	void *p;

	if (posix_memalign(&p, 64, sz))
		fatal("out of memory");
	memset(p, 0, sz);
	return p;
}

static inline long futex_wait(uint32_t *addr, uint32_t val, uint64_t timeout_ns)
{
	struct timespec ts = { (time_t)(timeout_ns / 1000000000ull),
			       (long)(timeout_ns % 1000000000ull) };

	return syscall(SYS_futex, addr, FUTEX_WAIT_PRIVATE, val,
		       timeout_ns ? &ts : NULL, NULL, 0);
}

static inline void futex_wake(uint32_t *addr, int n)
{
	syscall(SYS_futex, addr, FUTEX_WAKE_PRIVATE, n, NULL, NULL, 0);
}

#define LOAD(x) __atomic_load_n(&(x), __ATOMIC_SEQ_CST)
#define STORE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_SEQ_CST)
#define ADD(x, v) __atomic_add_fetch(&(x), (v), __ATOMIC_SEQ_CST)

/* ------------------------------------------------------------------ */
/* run state                                                            */

struct call_rec {
	uint64_t t_start, t_end;
	uint64_t dirtied_pages;		/* distinct pages since the previous call */
	uint64_t new_pages;		/* ... never dirtied before in this run */
	uint64_t stores;		/* stores of its writers since the previous call */
	uint32_t nranges;		/* msync-range: ranges given */
	uint32_t syscalls;
	uint8_t kind;			/* enum call_kind */
	uint8_t racing;			/* another call was in flight at its start */
	uint8_t no_store;		/* provably nothing to flush: no store since
					 * the start of a completed quiescent
					 * whole-file call, none during, no other
					 * call in flight at its start; or idle */
	uint8_t quiet;			/* no store from before collect() to its
					 * return (flush_checks.h) */
	uint8_t no_store_racing;	/* the same but another call in flight: a
					 * racing call may still be flushing an
					 * entry, which this one then flushes
					 * again */
};

struct group {				/* a syncer and its writers */
	uint64_t completed;		/* stores completed */
	uint64_t claimed;		/* lockstep: tickets handed out */
	uint64_t trigger;		/* the syncer waits for completed == this */
	uint64_t intervals_done;	/* lockstep: boundaries synced */
	uint32_t wake;			/* futex: the syncer sleeps here */
	uint32_t synced_gen;		/* futex: lockstep writers sleep here */
	unsigned nwriters, writers_done;
} __attribute__((aligned(64)));

struct run;

struct sync_thread {			/* what a writer and a syncer both are */
	pthread_t th;
	struct run *run;
	struct group *g;		/* writer: its syncer's; syncer: its own */
	unsigned idx;			/* among the writers, or the syncers */
	int cpu;			/* pinned to, -1: not pinned */
	int32_t tid;
	int err;			/* errno of what stopped it, 0: none */
};

struct writer {
	struct sync_thread thr;
	struct pattern pat;
	uint64_t slot_base;
	uint64_t *dirty;		/* bitmap of file pages, atomic */
	uint32_t dirty_any;		/* a bit was set since the syncer's last look */
	uint64_t seq;			/* 2 per store; odd while storing */
	uint64_t stores, t_start, t_end, wait_ns;
	char *src;
	struct hist lat;
} __attribute__((aligned(64)));

struct syncer {
	struct sync_thread thr;
	const char *err_what;
	const struct sync_ops *ops;
	struct sync_ctx ctx;
	uint64_t *collect;		/* pages gathered for one call */
	struct sync_range *ranges;
	size_t rcap;
	uint64_t last_completed;
	struct call_rec *calls;
	size_t ncalls, cap;
	uint64_t ncalls_made, t_start, t_end, wait_ns;
	struct hist lat;		/* run calls only */
} __attribute__((aligned(64)));

struct run {
	const struct params *p;
	const struct topology *topo;
	int fd;
	uint64_t npages, nwords;
	char **chunk;			/* address of every 2 MiB chunk */
	struct sync_map *smaps;
	size_t nsmaps;
	struct writer *w;
	struct syncer *s;
	struct group *groups;
	uint64_t *union_bits;		/* pages ever dirtied in the run */
	pthread_barrier_t start, idle;
	uint64_t t0;			/* time origin: before any thread starts */
	uint32_t go;			/* set after t0: the threads start */
	uint64_t start_delay_ns;	/* DAXBENCH_SYNC_START_DELAY_MS */
	int stop;
	unsigned writers_done, syncers_done;
	unsigned inflight;		/* sync calls in progress */
	uint64_t last_done;		/* start epoch + 1 of the latest completed
					 * quiescent whole-file call, 0: none */
};

/* ------------------------------------------------------------------ */
/* file, mappings                                                       */

struct fileset {
	struct daxfile f;
	struct mapping *maps;
	size_t nmaps;
	char **chunk;
	size_t nchunks;
	struct sync_map *smaps;
	size_t nsmaps;
	bool pmd_aligned_addr;	/* every PMD-mode mapping sits on 2 MiB */
};

/* ------------------------------------------------------------------ */
/* tracing                                                              */

struct tracer {
	struct dax_trace *tr;
	struct trace_vec tv;
	uint16_t flush_ev;
	bool dax;
};

/* ------------------------------------------------------------------ */
/* per-run results                                                      */

struct run_summary {		/* what the summary over repeats needs */
	double amp[MAX_METHODS + 1];
	double sync_p50[MAX_METHODS + 1], sync_p99[MAX_METHODS + 1];
	double stores_per_s[MAX_METHODS + 1];
	double store_p50, fault_pte_p50, fault_pmd_p50;
	uint64_t idle_flushed, no_store_flushed, no_store_calls;
	uint64_t no_store_racing_flushed;
	uint64_t flushed, dirtied, unattributed;
	uint64_t kernel_dirty_end;
	bool exact, traced;
	int probe_ok;		/* -1 n/a */
	uint64_t writers_busy_ns, syncers_busy_ns, stores, calls;
	struct verdict verdict;	/* the run's checks (flush_checks.h) */
};

/* ------------------------------------------------------------------ */
/* across the files                                                     */

/* sync_options.c */
void sync_parse(int argc, char **argv, struct params *p,
		const struct topology *topo);

/* sync_threads.c */
void sync_wake_all(struct run *r);
void *sync_writer_main(void *arg);
void *sync_syncer_main(void *arg);

/* sync_files.c */
void sync_fileset_map(const struct params *p, struct fileset *fs, bool map_sync);
void sync_fileset_unmap(struct fileset *fs);
uint64_t sync_prefill(const struct params *p, struct fileset *fs, bool dax);

/* cmd_sync.c */
void sync_drain(struct tracer *t);
void sync_drain_discard(struct tracer *t);

/* sync_probe.c */
json_object *sync_probe_run(const struct params *p, struct fileset *fs,
			    struct tracer *t);

/* sync_analyse.c */
json_object *sync_jdouble(double v);
json_object *sync_analyse(const struct params *p, struct run *r,
			  struct tracer *t, struct run_summary *sum,
			  json_object *probe, uint64_t prefill_ns);

/* sync_report.c */
json_object *sync_summary_json(const struct params *p, struct run_summary *rs);
void sync_print_table(const struct params *p, const struct env_target *tg,
		      bool dax, bool traced, json_object *runs,
		      struct run_summary *rs);

#endif
