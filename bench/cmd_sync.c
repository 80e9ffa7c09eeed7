// SPDX-License-Identifier: GPL-2.0
/*
 * daxbench sync: writers and syncers on one file.
 *
 * --writers W threads store into one shared mapping of the file (seq, rand
 * or zipf offsets, --store-size bytes each, within --working-set), as fast
 * as they can or at --rate stores/s each.  --syncers S threads each call one
 * sync method (the ops table in sync_methods.c) every --every N stores of
 * their writers (writer i belongs to syncer i % S) or every --period T.
 * --lockstep makes a syncer's writers wait at each --every boundary until
 * its call returns (fio's fsync=N).
 *
 * A run: create and map the file (--page pte, pmd, or mixed: 2 MiB chunks
 * mapped alternately through PMD and PTE mappings); in mixed mode first the
 * pte-then-pmd sequence on chunk 0 (pages dirtied through a 4 KiB mapping,
 * the same range faulted through the 2 MiB-aligned mapping, synced, and
 * every page dirtied checked against the dax_writeback_one records with the
 * flush oracle); a prefill (one store to every page, fsync) so the run
 * starts allocated and clean; then the run itself, then a final call by
 * every syncer (flushes what is left), a barrier, and an idle call by every
 * syncer (no store since: a correct kernel flushes 0 bytes).
 *
 * Flush volume: every dax_writeback_one (ext4_writepages_result off DAX) of
 * the file is attributed to the sync call of the same thread whose
 * [start, end] window holds its timestamp (lib/attribution.c); the rest is
 * "unattributed" (by thread), and calls + unattributed == total exactly.
 * Bytes dirtied per call: the distinct 4 KiB pages the syncer's writers
 * stored to since its previous call (per-writer bitmaps, exchanged by the
 * syncer just before the call).  Flush amplification = bytes flushed by
 * calls / bytes dirtied.
 *
 * Built with -DDAXBENCH_NO_MEASURE (scripts/bench-self only), the per-store
 * and per-call measurement (clock reads, histograms, dirty bitmaps, call
 * records) is compiled out; the JSON then carries only the throughput
 * figures that bench-self compares.
 *
 * Debugging: DAXBENCH_SYNC_DUMP=FILE writes every trace record of each run
 * ("ts pid cpu event pgoff pglen flags result") and every call window
 * ("ts tid - CALL n" / "ts tid - END") to FILE (the last run's).
 * DAXBENCH_SYNC_START_DELAY_MS=N (tests/guest_sync.sh) delays the time
 * origin by N ms after the threads are ready; no thread may start before it.
 *
 * Times in the JSON (calls' t_start_ns, duration_ns, dirty_set t_end_ns)
 * are relative to one origin per run, taken before any writer or syncer
 * starts (see wait_go()).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <linux/futex.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "attribution.h"
#include "builtin.h"
#include "dax_counts.h"
#include "daxfile.h"
#include "env.h"
#include "hist.h"
#include "opts.h"
#include "oracle.h"
#include "pattern.h"
#include "progress.h"
#include "results.h"
#include "stats.h"
#include "sync_methods.h"
#include "workload.h"
#include "timing.h"
#include "topology.h"
#include "trace.h"

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
#define MAX_CALLS_JSON 100000
#define DRAIN_NS 50000000ull	/* the main thread drains the trace this often */

enum sync_page { SP_PTE, SP_PMD, SP_MIXED };
static const char *const sync_page_names[] = { "pte", "pmd", "mixed", NULL };
static const char *const numa_names[] = { "local", "remote", NULL };

enum call_kind { CALL_RUN, CALL_FINAL, CALL_IDLE };
static const char *const call_kind_names[] = { "run", "final", "idle" };

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
/* options                                                              */

static void usage(FILE *f)
{
	fprintf(f,
"usage: daxbench sync --dir DIR [options]\n"
"  --dir DIR            directory on the file system under test (required)\n"
"  --size SIZE          file size (default 64M; a multiple of 2M, of 4K with\n"
"                       --page pte; at least 4M with --page mixed)\n"
"  --page MODE          pte | pmd | mixed (2 MiB chunks alternately PMD- and\n"
"                       PTE-mapped, plus the pte-then-pmd sequence) (default pmd)\n"
"  --writers W          storing threads (default 1)\n"
"  --pattern P          seq | rand | zipf (default rand); seq: each writer its\n"
"                       own slice, rand/zipf: the whole working set\n"
"  --zipf-theta X       zipf exponent, 0 < X <= 10 (default 0.99)\n"
"  --store-size SIZE    bytes per store, a power of two in 8..2M (default 4K)\n"
"  --working-set SIZE   the first SIZE bytes of the file are stored to\n"
"                       (default: --size)\n"
"  --rate N             stores per second per writer (default: as fast as\n"
"                       possible)\n"
"  --syncers S          syncing threads; writer i belongs to syncer i %% S\n"
"                       (default 1)\n"
"  --sync LIST          fsync | fdatasync | msync | msync-range | sfr | mapsync,\n"
"                       or a comma list dealt to the syncers in turn\n"
"                       (default fsync; mapsync alone, DAX only)\n"
"  --every N            a syncer calls after every N stores of its writers\n"
"                       (default 256)\n"
"  --period T           or every T (e.g. 10ms)\n"
"  --lockstep           writers wait at each --every boundary until their\n"
"                       syncer's call returns (as fio's fsync=N)\n"
"  --duration T         run length (default 1s)\n"
"  --stores N           or N stores per writer\n"
"  --cpus P             pin every thread: compact | scatter | a cpu list 0,2-3\n"
"                       (writers first, then syncers; default: not pinned)\n"
"  --numa local|remote  pin to the cpus of the pmem device's NUMA node, or of\n"
"                       the other nodes\n"
"  --repeat N           repeat on a fresh file (default 1): medians reported\n"
"  --seed N             seed of the offsets and stored values (default 1)\n"
"  --output FILE        write the JSON result there (atomically)\n"
"  --trace-buffer SIZE  per-cpu trace buffer (default 16M)\n"
"  --no-trace           run without flush accounting\n"
"  --allow-lost-events  keep results even when trace events were lost\n"
"  --quiet              no table on stdout\n");
}

static void parse_sync(const char *arg, struct params *p)
{
	char buf[256], *s, *save = NULL;

	if (!*arg)
		opt_die("--sync", "empty list");
	if (strlen(arg) >= sizeof(buf))
		opt_die("--sync", "list too long");
	strcpy(buf, arg);
	if (buf[0] == ',' || buf[strlen(buf) - 1] == ',' || strstr(buf, ",,"))
		opt_die("--sync", "'%s': empty element in the list", arg);
	p->nmethods = 0;
	for (s = strtok_r(buf, ",", &save); s; s = strtok_r(NULL, ",", &save)) {
		const struct sync_ops *o;

		o = &sync_methods[opt_choice("--sync", s, sync_method_names)];
		for (unsigned i = 0; i < p->nmethods; i++)
			if (p->methods[i] == o)
				opt_die("--sync", "'%s' is listed twice", s);
		p->methods[p->nmethods++] = o;
	}
	for (unsigned i = 0; i < p->nmethods; i++)
		if (p->methods[i]->map_sync && p->nmethods > 1)
			opt_die("--sync", "%s maps the file MAP_SYNC for every writer: it cannot be combined with other methods",
				p->methods[i]->name);
	p->sync_text = arg;
}

static double parse_theta(const char *arg)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (!*arg || *end || errno || !(v > 0 && v <= PATTERN_ZIPF_THETA_MAX))
		opt_die("--zipf-theta", "'%s' is not a number in (0, %g]", arg,
			PATTERN_ZIPF_THETA_MAX);
	return v;
}

static void parse(int argc, char **argv, struct params *p,
		  const struct topology *topo)
{
	static const struct option lo[] = {
		OPT_LONG_DIR,
		{ "size", required_argument, NULL, 's' },
		{ "page", required_argument, NULL, 'p' },
		{ "writers", required_argument, NULL, 'w' },
		{ "syncers", required_argument, NULL, 'y' },
		{ "pattern", required_argument, NULL, 'P' },
		{ "zipf-theta", required_argument, NULL, 'z' },
		{ "store-size", required_argument, NULL, 'S' },
		{ "working-set", required_argument, NULL, 'W' },
		{ "rate", required_argument, NULL, 'r' },
		{ "sync", required_argument, NULL, 'm' },
		{ "every", required_argument, NULL, 'E' },
		{ "period", required_argument, NULL, 'T' },
		{ "lockstep", no_argument, NULL, 'l' },
		{ "duration", required_argument, NULL, 'D' },
		{ "stores", required_argument, NULL, 'n' },
		{ "cpus", required_argument, NULL, 'c' },
		{ "numa", required_argument, NULL, 'u' },
		{ "repeat", required_argument, NULL, 'R' },
		OPT_LONG_SEED,
		OPT_LONG_OUTPUT,
		OPT_LONG_TRACE_BUFFER,
		OPT_LONG_NO_TRACE,
		OPT_LONG_ALLOW_LOST,
		OPT_LONG_QUIET,
		OPT_LONG_HELP,
		{ NULL, 0, NULL, 0 },
	};
	bool every_given = false, period_given = false, dur_given = false;
	bool ws_given = false;
	const char *sync = "fsync";
	uint64_t granule, slots;
	char b1[32], b2[32];
	int c;

	*p = (struct params){ .size = 64ull << 20, .page = SP_PMD, .writers = 1,
		.syncers = 1, .pattern = PATTERN_RAND, .zipf_theta = PATTERN_ZIPF_THETA,
		.store_size = 4096, .every = 256, .duration_ns = 1000000000ull,
		.repeat = 1, .opt = TRACED_CMD_OPTS(usage) };
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":", lo, NULL)) != -1) {
		switch (c) {
		case 's': p->size = opt_size("--size", optarg, 4096, 1ull << 44); break;
		case 'p': p->page = opt_choice("--page", optarg, sync_page_names); break;
		case 'w': p->writers = opt_uint("--writers", optarg, 1, MAX_THREADS); break;
		case 'y': p->syncers = opt_uint("--syncers", optarg, 1, MAX_THREADS); break;
		case 'P': p->pattern = opt_choice("--pattern", optarg, pattern_names); break;
		case 'z': p->zipf_theta = parse_theta(optarg); break;
		case 'S':
			p->store_size = opt_size("--store-size", optarg, 8, 2ull << 20);
			if (p->store_size & (p->store_size - 1))
				opt_die("--store-size", "%s is not a power of two (8, 16, ..., 4K, ..., 2M)",
					optarg);
			break;
		case 'W':
			p->working_set = opt_size("--working-set", optarg, 8, 1ull << 44);
			ws_given = true;
			break;
		case 'r': p->rate = opt_uint("--rate", optarg, 1, 1000000000ull); break;
		case 'm': sync = optarg; break;
		case 'E':
			p->every = opt_uint("--every", optarg, 1, 1ull << 40);
			every_given = true;
			break;
		case 'T':
			p->period_ns = opt_duration_ns("--period", optarg, 1000ull,
						       3600ull * 1000000000ull);
			period_given = true;
			break;
		case 'l': p->lockstep = true; break;
		case 'D':
			p->duration_ns = opt_duration_ns("--duration", optarg, 1000000ull,
							 24ull * 3600 * 1000000000ull);
			dur_given = true;
			break;
		case 'n': p->stores = opt_uint("--stores", optarg, 1, 1ull << 40); break;
		case 'c': p->cpus_text = optarg; break;
		case 'u':
			opt_choice("--numa", optarg, numa_names);
			p->numa_text = optarg;
			break;
		case 'R': p->repeat = opt_uint("--repeat", optarg, 1, 10000); break;
		default:  opt_common(c, argv, &p->opt);
		}
	}
	opt_common_finish(argc, argv, &p->opt);
	parse_sync(sync, p);

	granule = p->page == SP_PTE ? PAGE : CHUNK;
	if (p->size % granule)
		opt_die("--size", "%s is not a multiple of %s (--page %s)",
			fmt_bytes(b1, sizeof(b1), p->size), fmt_bytes(b2, sizeof(b2), granule),
			sync_page_names[p->page]);
	if (p->page == SP_MIXED && p->size < 2 * CHUNK)
		opt_die("--size", "--page mixed needs at least 4M (a PMD chunk and a PTE chunk)");
	if (!ws_given)
		p->working_set = p->size;
	if (p->working_set > p->size)
		opt_die("--working-set", "%s is larger than --size %s",
			fmt_bytes(b1, sizeof(b1), p->working_set),
			fmt_bytes(b2, sizeof(b2), p->size));
	slots = p->working_set / p->store_size;
	if (slots < p->writers)
		opt_die("--working-set", "%s holds %llu store(s) of --store-size %s: fewer than the %u writer(s)",
			fmt_bytes(b1, sizeof(b1), p->working_set), (unsigned long long)slots,
			fmt_bytes(b2, sizeof(b2), p->store_size), p->writers);
	if (every_given && period_given)
		opt_die("--period", "cannot be combined with --every (one interval)");
	if (period_given)
		p->every = 0;
	if (p->lockstep && period_given)
		opt_die("--lockstep", "needs --every (writers wait at every N stores), not --period");
	if (p->every && p->syncers > p->writers)
		opt_die("--syncers", "%u syncers but %u writer(s): with --every each syncer needs a writer of its own (use --period)",
			p->syncers, p->writers);
	if (dur_given && p->stores)
		opt_die("--stores", "cannot be combined with --duration (one run length)");
	if (p->stores)
		p->duration_ns = 0;
	if (p->cpus_text && p->numa_text)
		opt_die("--numa", "cannot be combined with --cpus (both place the threads)");
	if (p->cpus_text) {
		placement_parse(topo, "--cpus", p->cpus_text, &p->pl);
		if (p->pl.policy == PLACE_LOCAL || p->pl.policy == PLACE_REMOTE)
			p->numa_text = p->cpus_text;
		p->pin = true;
	}
	if (p->numa_text) {
		placement_parse(topo, "--numa", p->numa_text, &p->pl);
		p->pin = true;
	}
}

/* ------------------------------------------------------------------ */
/* small helpers                                                        */

static void *xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz ? sz : 1);

	if (!p)
		fatal("out of memory");
	return p;
}

static void *xaligned(size_t sz)
{
	void *p;

	if (posix_memalign(&p, 64, sz))
		fatal("out of memory");
	memset(p, 0, sz);
	return p;
}

static long futex_wait(uint32_t *addr, uint32_t val, uint64_t timeout_ns)
{
	struct timespec ts = { (time_t)(timeout_ns / 1000000000ull),
			       (long)(timeout_ns % 1000000000ull) };

	return syscall(SYS_futex, addr, FUTEX_WAIT_PRIVATE, val,
		       timeout_ns ? &ts : NULL, NULL, 0);
}

static void futex_wake(uint32_t *addr, int n)
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

struct writer {
	pthread_t th;
	struct run *run;
	struct group *g;
	unsigned idx;
	int cpu;
	int32_t tid;
	int err;
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
	pthread_t th;
	struct run *run;
	struct group *g;
	unsigned idx;
	int cpu;
	int32_t tid;
	int err;
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

static inline char *addr_of(const struct run *r, uint64_t off)
{
	return r->chunk[off >> CHUNK_SHIFT] + (off & (CHUNK - 1));
}

/* Set the bits of pages [first, last] (atomic, skipping words already set),
 * then say so in *any (after the bits: the syncer looks at *any first). */
static inline void mark_pages(uint64_t *bits, uint32_t *any, uint64_t first,
			      uint64_t last)
{
	bool set = false;

	for (uint64_t p = first; p <= last;) {
		uint64_t w = p >> 6, b = p & 63;
		uint64_t nb = last - p + 1 < 64 - b ? last - p + 1 : 64 - b;
		uint64_t mask = (nb == 64 ? ~0ull : ((1ull << nb) - 1)) << b;

		if ((__atomic_load_n(&bits[w], __ATOMIC_RELAXED) & mask) != mask) {
			__atomic_fetch_or(&bits[w], mask, __ATOMIC_RELEASE);
			set = true;
		}
		p += nb;
	}
	if (set && !__atomic_load_n(any, __ATOMIC_RELAXED))
		__atomic_store_n(any, 1, __ATOMIC_RELEASE);
}

static void wake_all(struct run *r)
{
	for (unsigned j = 0; j < r->p->syncers; j++) {
		ADD(r->groups[j].wake, 1);
		futex_wake(&r->groups[j].wake, INT_MAX);
		ADD(r->groups[j].synced_gen, 1);
		futex_wake(&r->groups[j].synced_gen, INT_MAX);
	}
}

/* Every thread waits here before its first clock read: at the barrier
 * until all threads (and run_once) are ready, then until run_once has taken
 * the time origin r->t0 and set r->go.  So every time a thread records is
 * at or after r->t0.  (run_once used to take t0 just after the barrier,
 * which released the threads too: a late main thread let them store and
 * sync first, and a call's t_start - t0 wrapped to about 1.8e19.) */
static void wait_go(struct run *r)
{
	pthread_barrier_wait(&r->start);
	while (!LOAD(r->go))
		futex_wait(&r->go, 0, 0);
}

static void *writer_main(void *arg)
{
	struct writer *w = arg;
	struct run *r = w->run;
	const struct params *p = r->p;
	struct group *g = w->g;
	const uint64_t size = p->store_size, every = p->every;
	void (*persist)(const void *, size_t) = r->s[w->idx % p->syncers].ops->persist;
	const bool ranges = r->s[w->idx % p->syncers].ops->uses_ranges;
	const uint64_t val0 = p->opt.seed * 0x9e3779b97f4a7c15ull + w->idx;
	uint64_t i;

	(void)ranges;
	w->tid = wl_gettid();
	if (p->pin && topology_bind_thread(r->topo, w->cpu) < 0)
		w->err = errno ? errno : EINVAL;
	wait_go(r);
	if (w->err) {
		ADD(g->writers_done, 1);
		ADD(r->writers_done, 1);
		wake_all(r);
		return NULL;
	}
	w->t_start = now_ns();
	for (i = 0; !p->stores || i < p->stores; i++) {
		uint64_t off;
		char *dst;

		if (__atomic_load_n(&r->stop, __ATOMIC_RELAXED))
			break;
		if (p->lockstep) {
			uint64_t need = __atomic_fetch_add(&g->claimed, 1, __ATOMIC_SEQ_CST) / every;

			if (LOAD(g->intervals_done) < need) {
				uint64_t t = now_ns();

				for (;;) {
					uint32_t gen = LOAD(g->synced_gen);

					if (LOAD(g->intervals_done) >= need || LOAD(r->stop))
						break;
					futex_wait(&g->synced_gen, gen, 0);
				}
				w->wait_ns += now_ns() - t;
				if (LOAD(g->intervals_done) < need)
					break;	/* stopped */
			}
		}
		if (p->rate) {
			uint64_t due = w->t_start + (uint64_t)((double)i * 1e9 / (double)p->rate);
			uint64_t t = now_ns();

			if (t < due) {
				struct timespec ts = { (time_t)(due / 1000000000ull),
						       (long)(due % 1000000000ull) };

				clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
				w->wait_ns += now_ns() - t;
			}
		}
		off = (w->slot_base + pattern_next(&w->pat)) * size;
		dst = addr_of(r, off);
#if MEASURE
		{
			uint64_t t0, t1;

			__atomic_store_n(&w->seq, w->seq + 1, __ATOMIC_RELEASE);
			t0 = now_ns();
			wl_store(dst, w->src, size, val0 + i);
			if (persist)
				persist(dst, size);
			t1 = now_ns();
			mark_pages(w->dirty, &w->dirty_any, off >> PAGE_SHIFT, (off + size - 1) >> PAGE_SHIFT);
			__atomic_store_n(&w->seq, w->seq + 1, __ATOMIC_RELEASE);
			hist_record(&w->lat, t1 - t0);
		}
#else
		wl_store(dst, w->src, size, val0 + i);
		if (persist)
			persist(dst, size);
		if (ranges)
			mark_pages(w->dirty, &w->dirty_any, off >> PAGE_SHIFT, (off + size - 1) >> PAGE_SHIFT);
#endif
		if (__atomic_add_fetch(&g->completed, 1, __ATOMIC_SEQ_CST) ==
		    __atomic_load_n(&g->trigger, __ATOMIC_SEQ_CST)) {
			ADD(g->wake, 1);
			futex_wake(&g->wake, 1);
		}
	}
	w->t_end = now_ns();
	w->stores = i;
	ADD(g->writers_done, 1);
	ADD(r->writers_done, 1);
	wake_all(r);
	return NULL;
}

/* Sum of the writers' store sequence numbers; *quiet: none mid-store. */
static __attribute__((unused)) uint64_t epoch(struct run *r, bool *quiet)
{
	uint64_t sum = 0;
	bool q = true;

	for (unsigned i = 0; i < r->p->writers; i++) {
		uint64_t v = __atomic_load_n(&r->w[i].seq, __ATOMIC_ACQUIRE);

		sum += v;
		if (v & 1)
			q = false;
	}
	*quiet = q;
	return sum;
}

/* Gather the pages the group's writers dirtied since the last call (and
 * clear them), count them and those new to the run, and for methods that
 * use ranges turn them into page ranges. */
static size_t collect(struct syncer *s, uint64_t *dirtied, uint64_t *fresh)
{
	struct run *r = s->run;
	const struct params *p = r->p;
	uint64_t d = 0, f = 0, *bits[MAX_THREADS];
	unsigned nb = 0;
	size_t n = 0;

	/* only the writers that set a bit since the last look (their flag is
	 * set after their bits, and cleared here before reading them) */
	for (unsigned i = s->idx; i < p->writers; i += p->syncers)
		if (__atomic_load_n(&r->w[i].dirty_any, __ATOMIC_RELAXED) &&
		    __atomic_exchange_n(&r->w[i].dirty_any, 0, __ATOMIC_ACQ_REL))
			bits[nb++] = r->w[i].dirty;
	if (!nb) {
		*dirtied = *fresh = 0;
		return 0;
	}
	for (uint64_t k = 0; k < r->nwords; k++) {
		uint64_t x = 0, old;

		for (unsigned i = 0; i < nb; i++)
			if (__atomic_load_n(&bits[i][k], __ATOMIC_RELAXED))
				x |= __atomic_exchange_n(&bits[i][k], 0, __ATOMIC_ACQ_REL);
		s->collect[k] = x;
		if (!x)
			continue;
		d += (uint64_t)__builtin_popcountll(x);
		old = __atomic_fetch_or(&r->union_bits[k], x, __ATOMIC_RELAXED);
		f += (uint64_t)__builtin_popcountll(x & ~old);
	}
	*dirtied = d;
	*fresh = f;
	if (!s->ops->uses_ranges)
		return 0;
	for (uint64_t pg = 0; pg < r->npages;) {
		uint64_t k = pg >> 6, start;

		if (!s->collect[k]) {
			pg = (k + 1) << 6;
			continue;
		}
		if (!(s->collect[k] & (1ull << (pg & 63)))) {
			pg++;
			continue;
		}
		start = pg;
		while (pg < r->npages && (s->collect[pg >> 6] & (1ull << (pg & 63))))
			pg++;
		if (n == s->rcap) {
			s->rcap = s->rcap ? 2 * s->rcap : 64;
			s->ranges = realloc(s->ranges, s->rcap * sizeof(*s->ranges));
			if (!s->ranges)
				fatal("out of memory");
		}
		s->ranges[n++] = (struct sync_range){ start << PAGE_SHIFT,
						      (pg - start) << PAGE_SHIFT };
	}
	return n;
}

#if MEASURE
static int do_call(struct syncer *s, enum call_kind kind)
{
	struct run *r = s->run;
	struct group *g = s->g;
	uint64_t dirtied, fresh, done, t0, t1, sc0 = s->ctx.syscalls, L, e0, e1;
	unsigned others;
	size_t nr;
	bool q0, q1, quiet_since;
	int rc;

	nr = collect(s, &dirtied, &fresh);
	done = LOAD(g->completed);
	others = __atomic_fetch_add(&r->inflight, 1, __ATOMIC_SEQ_CST);
	L = LOAD(r->last_done);
	e0 = epoch(r, &q0);
	t0 = now_ns();
	rc = s->ops->sync(&s->ctx, s->ranges, nr);
	t1 = now_ns();
	__atomic_fetch_sub(&r->inflight, 1, __ATOMIC_SEQ_CST);
	if (rc < 0) {
		s->err = errno ? errno : EIO;
		s->err_what = s->ops->name;
		return -1;
	}
	s->ncalls_made++;
	e1 = epoch(r, &q1);
	quiet_since = s->ops->whole_file && q0 && q1 && L == e0 + 1 && e1 == e0;
	if (s->ops->whole_file && q0) {
		uint64_t cur = LOAD(r->last_done);

		while (cur < e0 + 1 &&
		       !__atomic_compare_exchange_n(&r->last_done, &cur, e0 + 1, false,
						    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
			;
	}
	if (kind == CALL_RUN)
		hist_record(&s->lat, t1 - t0);
	if (s->ncalls == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 1024;
		s->calls = realloc(s->calls, s->cap * sizeof(*s->calls));
		if (!s->calls)
			fatal("out of memory");
	}
	s->calls[s->ncalls++] = (struct call_rec){
		.t_start = t0, .t_end = t1, .dirtied_pages = dirtied,
		.new_pages = fresh, .stores = done - s->last_completed,
		.nranges = (uint32_t)nr, .syscalls = (uint32_t)(s->ctx.syscalls - sc0),
		.kind = (uint8_t)kind, .racing = others > 0,
		.no_store = kind == CALL_IDLE || (quiet_since && !others),
		.no_store_racing = kind != CALL_IDLE && quiet_since && others,
	};
	s->last_completed = done;
	return 0;
}
#else
/* The same call with the measurement compiled out (bench-self). */
static int do_call(struct syncer *s, enum call_kind kind)
{
	uint64_t dirtied, fresh;
	size_t nr = 0;

	(void)kind;
	if (s->ops->uses_ranges)
		nr = collect(s, &dirtied, &fresh);
	if (s->ops->sync(&s->ctx, s->ranges, nr) < 0) {
		s->err = errno ? errno : EIO;
		s->err_what = s->ops->name;
		return -1;
	}
	s->ncalls_made++;
	s->last_completed = LOAD(s->g->completed);
	return 0;
}
#endif

static bool all_writers_done(struct run *r)
{
	return LOAD(r->writers_done) == r->p->writers;
}

static void *syncer_main(void *arg)
{
	struct syncer *s = arg;
	struct run *r = s->run;
	const struct params *p = r->p;
	struct group *g = s->g;
	uint64_t next;

	s->tid = wl_gettid();
	if (p->pin && topology_bind_thread(r->topo, s->cpu) < 0) {
		s->err = errno ? errno : EINVAL;
		s->err_what = "binding to its cpu";
	}
	if (!s->err && s->ops->init && s->ops->init(&s->ctx) < 0) {
		s->err = errno ? errno : EINVAL;
		s->err_what = "init";
	}
	STORE(g->trigger, UINT64_MAX);
	if (s->err) {		/* stop everyone: lockstep writers would wait */
		STORE(r->stop, 1);
		wake_all(r);
	}
	wait_go(r);
	s->t_start = now_ns();
	next = s->t_start + p->period_ns;
	while (!s->err) {
		if (p->every) {
			uint64_t target = p->lockstep ?
				(LOAD(g->intervals_done) + 1) * p->every :
				s->last_completed + p->every;
			uint64_t t = 0;

			STORE(g->trigger, target);
			for (;;) {
				uint32_t wk = LOAD(g->wake);

				if (LOAD(g->completed) >= target ||
				    LOAD(g->writers_done) == g->nwriters || LOAD(r->stop))
					break;
				if (!t)
					t = now_ns();
				futex_wait(&g->wake, wk, 0);
			}
			if (t)
				s->wait_ns += now_ns() - t;
			if (LOAD(g->completed) < target)
				break;	/* its writers are done: final call */
			if (do_call(s, CALL_RUN) < 0)
				break;
			if (p->lockstep) {
				STORE(g->intervals_done, target / p->every);
				ADD(g->synced_gen, 1);
				futex_wake(&g->synced_gen, INT_MAX);
			}
		} else {
			uint64_t t = now_ns();

			if (all_writers_done(r) || LOAD(r->stop))
				break;
			if (t < next) {
				uint32_t wk = LOAD(g->wake);

				if (all_writers_done(r) || LOAD(r->stop))
					break;
				futex_wait(&g->wake, wk, next - t);
				s->wait_ns += now_ns() - t;
				continue;
			}
			if (do_call(s, CALL_RUN) < 0)
				break;
			t = now_ns();
			if (next <= t)
				next += ((t - next) / p->period_ns + 1) * p->period_ns;
		}
	}
	if (s->err) {
		STORE(r->stop, 1);
		wake_all(r);
	} else {
		do_call(s, CALL_FINAL);
	}
	/* every syncer has made its final call, so every writer is done */
	pthread_barrier_wait(&r->idle);
	if (!s->err)
		do_call(s, CALL_IDLE);
	s->t_end = now_ns();
	if (s->ops->fini)
		s->ops->fini(&s->ctx);
	ADD(r->syncers_done, 1);
	return NULL;
}

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

static bool chunk_is_pmd(const struct params *p, size_t k)
{
	return p->page == SP_PMD || (p->page == SP_MIXED && k % 2 == 0);
}

static void fileset_map(const struct params *p, struct fileset *fs, bool map_sync)
{
	char err[512];

	fs->nchunks = (p->size + CHUNK - 1) / CHUNK;
	fs->chunk = xcalloc(fs->nchunks, sizeof(*fs->chunk));
	fs->pmd_aligned_addr = true;
	if (p->page != SP_MIXED) {
		fs->nmaps = 1;
		fs->maps = xcalloc(1, sizeof(*fs->maps));
		if (mapping_map(&fs->maps[0], &fs->f, 0, p->size,
				p->page == SP_PMD ? PAGE_PMD : PAGE_PTE, map_sync,
				err, sizeof(err)))
			fatal("%s", err);
		for (size_t k = 0; k < fs->nchunks; k++)
			fs->chunk[k] = fs->maps[0].addr + k * CHUNK;
		if (p->page == SP_PMD && (uintptr_t)fs->maps[0].addr % CHUNK)
			fs->pmd_aligned_addr = false;
	} else {
		fs->nmaps = fs->nchunks;
		fs->maps = xcalloc(fs->nmaps, sizeof(*fs->maps));
		for (size_t k = 0; k < fs->nchunks; k++) {
			if (mapping_map(&fs->maps[k], &fs->f, k * CHUNK, CHUNK,
					chunk_is_pmd(p, k) ? PAGE_PMD : PAGE_PTE, map_sync,
					err, sizeof(err)))
				fatal("%s", err);
			fs->chunk[k] = fs->maps[k].addr;
			if (chunk_is_pmd(p, k) && (uintptr_t)fs->maps[k].addr % CHUNK)
				fs->pmd_aligned_addr = false;
		}
	}
	fs->nsmaps = fs->nmaps;
	fs->smaps = xcalloc(fs->nsmaps, sizeof(*fs->smaps));
	for (size_t i = 0; i < fs->nmaps; i++)
		fs->smaps[i] = (struct sync_map){
			.off = p->page == SP_MIXED ? i * CHUNK : 0,
			.len = fs->maps[i].len, .addr = fs->maps[i].addr };
}

static void fileset_unmap(struct fileset *fs)
{
	for (size_t i = 0; i < fs->nmaps; i++)
		mapping_unmap(&fs->maps[i]);
	free(fs->maps);
	free(fs->chunk);
	free(fs->smaps);
	fs->maps = NULL;
	fs->chunk = NULL;
	fs->smaps = NULL;
}

/* ------------------------------------------------------------------ */
/* tracing helpers                                                      */

struct tracer {
	struct dax_trace *tr;
	struct trace_vec tv;
	uint16_t flush_ev;
	bool dax;
};

static void drain(struct tracer *t)
{
	if (t->tr && dax_trace_drain(t->tr, &t->tv) < 0)
		fatal("reading trace events failed: %s", strerror(errno));
}

static void drain_discard(struct tracer *t)
{
	drain(t);
	t->tv.n = 0;
}

/* ------------------------------------------------------------------ */
/* the pte-then-pmd sequence (mixed mode)                               */

#define PROBE_STEP 16	/* every 16th page of the chunk */

/* The events traced since the last call: counted into *c, given to the
 * oracle. */
static void probe_collect(struct tracer *t, struct oracle *orc,
			  struct dax_counts *c)
{
	drain(t);
	dax_counts_add_all(c, &t->tv);
	oracle_add_events(orc, t->tv.v, t->tv.n);
	t->tv.n = 0;
}

/* One store to every PROBE_STEP-th page of the chunk from page first, through
 * base (a mapping of the chunk), each given to the oracle; then the events
 * they caused, into *c.  Returns the number of stores. */
static uint64_t probe_stores(const struct params *p, struct tracer *t,
			     struct oracle *orc, char *base, uint64_t first,
			     struct dax_counts *c)
{
	uint64_t n = 0;

	for (uint64_t pg = first; pg < CHUNK / PAGE; pg += PROBE_STEP) {
		uint64_t a = now_ns(), b;

		*(volatile uint64_t *)(base + pg * PAGE) = p->opt.seed + pg;
		b = now_ns();
		oracle_add_store(orc, pg, a, b);
		n++;
	}
	probe_collect(t, orc, c);
	return n;
}

static json_object *probe_run(const struct params *p, struct fileset *fs,
			      struct tracer *t)
{
	const struct sync_ops *ops = p->methods[0];
	json_object *o = json_object_new_object();
	struct dax_counts c_pte = { 0 }, c_pmd = { 0 }, c_sync = { 0 };
	struct oracle *orc;
	struct oracle_report rep = { 0 };
	struct mapping tmp;
	struct sync_ctx ctx = { .fd = fs->f.fd, .maps = fs->smaps, .nmaps = fs->nsmaps,
				.file_size = p->size };
	struct sync_range rg = { 0, CHUNK };
	uint64_t t0, t1, n_pte, n_pmd, s0;
	char err[512];
	int32_t tid = wl_gettid();

	json_object_object_add(o, "chunk_offset", json_object_new_uint64(0));
	json_object_object_add(o, "method", json_object_new_string(ops->name));
	if (!ops->kernel_call) {
		json_object_object_add(o, "skipped", json_object_new_string(
			"the method persists in user space (MAP_SYNC): no kernel sync to check"));
		return o;
	}
	orc = oracle_new(p->size / PAGE);
	if (!orc)
		fatal("out of memory");
	drain_discard(t);
	/* 1: pages dirtied through a 4 KiB mapping of the range */
	if (mapping_map(&tmp, &fs->f, 0, CHUNK, PAGE_PTE, false, err, sizeof(err)))
		fatal("%s", err);
	n_pte = probe_stores(p, t, orc, tmp.addr, 0, &c_pte);
	/* 2: the same file range faulted through the 2 MiB-aligned mapping */
	n_pmd = probe_stores(p, t, orc, fs->chunk[0], PROBE_STEP / 2, &c_pmd);
	/* 3: synced, by the run's first method (msync-range: the chunk) */
	s0 = ctx.syscalls;
	t0 = now_ns();
	if (ops->sync(&ctx, ops->uses_ranges ? &rg : NULL, ops->uses_ranges ? 1 : 0) < 0)
		fatal("pte-then-pmd: %s: %s", ops->name, strerror(errno));
	t1 = now_ns();
	probe_collect(t, orc, &c_sync);
	oracle_add_sync(orc, t0, t1, tid, ORACLE_SYNC_OTHER, 0, ops->whole_file ? 0 : CHUNK / PAGE);
	mapping_unmap(&tmp);
	if (oracle_check(orc, &rep, 8) < 0)
		fatal("flush oracle: out of memory");

	{
		json_object *s1 = json_object_new_object(), *s2 = json_object_new_object();
		json_object *s3 = json_object_new_object(), *oj;
		bool traced = t->tr != NULL;

		json_object_object_add(s1, "stores", json_object_new_uint64(n_pte));
		json_object_object_add(s1, "pages", json_object_new_string("0, 16, 32, ... of the chunk"));
		if (traced)
			json_object_object_add(s1, "counts", dax_counts_json(&c_pte, t->dax));
		json_object_object_add(s2, "stores", json_object_new_uint64(n_pmd));
		json_object_object_add(s2, "pages", json_object_new_string("8, 24, 40, ... of the chunk"));
		json_object_object_add(s2, "mapping_2m_aligned",
				       json_object_new_boolean((uintptr_t)fs->chunk[0] % CHUNK == 0));
		if (traced)
			json_object_object_add(s2, "counts", dax_counts_json(&c_pmd, t->dax));
		json_object_object_add(s3, "duration_ns", json_object_new_uint64(t1 - t0));
		json_object_object_add(s3, "syscalls", json_object_new_uint64(ctx.syscalls - s0));
		if (traced) {
			json_object_object_add(s3, "counts", dax_counts_json(&c_sync, t->dax));
			json_object_object_add(s3, "bytes_flushed",
				json_object_new_uint64(dax_counts_flushed_bytes(&c_sync, t->dax)));
		}
		json_object_object_add(o, "pte_step", s1);
		json_object_object_add(o, "pmd_step", s2);
		json_object_object_add(o, "sync", s3);
		json_object_object_add(o, "pages_dirtied", json_object_new_uint64(n_pte + n_pmd));
		if (traced && t->dax) {
			oj = oracle_report_json(&rep);
			json_object_object_add(o, "oracle", oj);
			json_object_object_add(o, "every_page_flushed", json_object_new_boolean(
				rep.violations == 0 && rep.pairs_checked == n_pte + n_pmd));
		} else {
			json_object_object_add(o, "oracle", NULL);
			json_object_object_add(o, "every_page_flushed", NULL);
		}
	}
	oracle_report_free(&rep);
	oracle_free(orc);
	return o;
}

/* One store to every page, then fsync: allocated and clean before the run.
 * The run's first stores then take write faults on clean entries, as every
 * store after a sync does. */
static uint64_t prefill(const struct params *p, struct fileset *fs, bool dax)
{
	uint64_t t0 = now_ns();

	for (uint64_t off = 0; off < p->size; off += PAGE)
		*(volatile uint64_t *)(fs->chunk[off >> CHUNK_SHIFT] + (off & (CHUNK - 1))) =
			p->opt.seed ^ off;
	if (fsync(fs->f.fd) < 0)
		fatal("prefill fsync: %s", strerror(errno));
	/* Page cache only: unmap and drop the file's pages, so the run faults
	 * them in as its own pattern touches them (as fio's invalidate=1)
	 * instead of keeping the large folios the sequential prefill's
	 * readahead built (a 4 KiB store would dirty a whole folio). */
	if (!dax) {
		for (size_t i = 0; i < fs->nmaps; i++)
			madvise(fs->maps[i].addr, fs->maps[i].len, MADV_DONTNEED);
		posix_fadvise(fs->f.fd, 0, 0, POSIX_FADV_DONTNEED);
	}
	return now_ns() - t0;
}

/* ------------------------------------------------------------------ */
/* per-run results                                                      */

struct mstat {			/* per method, and overall */
	const char *name;
	unsigned syncers, writers;
	uint64_t calls, calls_all, syscalls;
	uint64_t dirtied_pages, flushed_pages, entries, stores_at_calls;
	uint64_t no_store_calls, no_store_flushed;
	uint64_t no_store_racing_calls, no_store_racing_flushed;
	uint64_t idle_calls, idle_flushed, idle_syscalls;
	uint64_t stores, writer_ns;	/* writers of this method */
	struct hist lat, flushed;	/* run calls: ns, bytes per call */
};

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
};

static const char *role_of(int32_t pid, void *arg)
{
	struct run *r = arg;

	for (unsigned i = 0; i < r->p->writers; i++)
		if (r->w[i].tid == pid)
			return "writer";
	for (unsigned i = 0; i < r->p->syncers; i++)
		if (r->s[i].tid == pid)
			return "syncer (outside its calls)";
	return NULL;
}

static double ratio(uint64_t a, uint64_t b)
{
	return b ? (double)a / (double)b : NAN;
}

static json_object *jdouble(double v)
{
	return isnan(v) || isinf(v) ? NULL : json_object_new_double(v);
}

static json_object *mstat_json(const struct mstat *m, const struct sync_ops *ops,
			       bool traced, uint64_t dur_ns)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "method", json_object_new_string(m->name));
	if (ops) {
		json_object_object_add(o, "calls_made", json_object_new_string(ops->calls));
		json_object_object_add(o, "kernel_call", json_object_new_boolean(ops->kernel_call));
	}
	json_object_object_add(o, "syncers", json_object_new_int((int)m->syncers));
	json_object_object_add(o, "writers", json_object_new_int((int)m->writers));
	json_object_object_add(o, "calls", json_object_new_uint64(m->calls));
	json_object_object_add(o, "calls_with_final_and_idle", json_object_new_uint64(m->calls_all));
	json_object_object_add(o, "syscalls", json_object_new_uint64(m->syscalls));
	json_object_object_add(o, "sync_latency", hist_to_json(&m->lat, "ns"));
	json_object_object_add(o, "stores", json_object_new_uint64(m->stores));
	json_object_object_add(o, "stores_per_s", jdouble(dur_ns ? (double)m->stores * 1e9 / (double)dur_ns : NAN));
	json_object_object_add(o, "bytes_dirtied", json_object_new_uint64(m->dirtied_pages * PAGE));
	if (traced) {
		json_object_object_add(o, "bytes_flushed", json_object_new_uint64(m->flushed_pages * PAGE));
		json_object_object_add(o, "entries_flushed", json_object_new_uint64(m->entries));
		json_object_object_add(o, "flush_amplification",
				       jdouble(ratio(m->flushed_pages, m->dirtied_pages)));
		json_object_object_add(o, "bytes_flushed_per_call", hist_to_json(&m->flushed, "bytes"));
		json_object_object_add(o, "no_store_calls", json_object_new_uint64(m->no_store_calls));
		json_object_object_add(o, "no_store_bytes_flushed",
				       json_object_new_uint64(m->no_store_flushed * PAGE));
		json_object_object_add(o, "no_store_racing_calls",
				       json_object_new_uint64(m->no_store_racing_calls));
		json_object_object_add(o, "no_store_racing_bytes_flushed",
				       json_object_new_uint64(m->no_store_racing_flushed * PAGE));
		json_object_object_add(o, "idle_calls", json_object_new_uint64(m->idle_calls));
		json_object_object_add(o, "idle_syscalls", json_object_new_uint64(m->idle_syscalls));
		json_object_object_add(o, "idle_bytes_flushed",
				       json_object_new_uint64(m->idle_flushed * PAGE));
	}
	return o;
}

static uint64_t hq(const struct hist *h, double q)
{
	return h->count ? hist_quantile(h, q) : 0;
}

/* Everything about one run: JSON, and the figures for the summary. */
static json_object *analyse(const struct params *p, struct run *r,
			    struct tracer *t, struct run_summary *sum,
			    json_object *probe, uint64_t prefill_ns)
{
	json_object *o = json_object_new_object();
	struct mstat *ms = xcalloc(p->nmethods + 1, sizeof(*ms));
	struct mstat *all = &ms[p->nmethods];
	struct hist *store_lat = xaligned(sizeof(struct hist));
	struct attr_call *ac;
	size_t ncalls = 0, k;
	uint64_t t_end = r->t0, w_end = r->t0, stores = 0, busy_w = 0, busy_s = 0;
	bool traced = t->tr != NULL;
	struct attr_result ares;
	struct attr_faults af;
	struct dax_counts counts = { 0 };
	bool exact = true;

	memset(&ares, 0, sizeof(ares));
	memset(sum, 0, sizeof(*sum));
	hist_init(store_lat);
	for (unsigned m = 0; m <= p->nmethods; m++) {
		ms[m].name = m < p->nmethods ? p->methods[m]->name : "overall";
		hist_init(&ms[m].lat);
		hist_init(&ms[m].flushed);
	}
	/* writers */
	for (unsigned i = 0; i < p->writers; i++) {
		struct writer *w = &r->w[i];
		unsigned m = (i % p->syncers) % p->nmethods;
		uint64_t busy = w->t_end - w->t_start - w->wait_ns;

		hist_merge(store_lat, &w->lat);
		stores += w->stores;
		busy_w += busy;
		ms[m].stores += w->stores;
		ms[m].writers++;
		all->stores += w->stores;
		all->writers++;
		if (w->t_end > w_end)
			w_end = w->t_end;
	}
	for (unsigned j = 0; j < p->syncers; j++) {
		struct syncer *s = &r->s[j];

		ncalls += s->ncalls;
		busy_s += s->t_end - s->t_start - s->wait_ns;
		if (s->t_end > t_end)
			t_end = s->t_end;
		ms[j % p->nmethods].syncers++;
		all->syncers++;
	}
	/* attribution */
	ac = xcalloc(ncalls, sizeof(*ac));
	k = 0;
	for (unsigned j = 0; j < p->syncers; j++)
		for (size_t c = 0; c < r->s[j].ncalls; c++, k++)
			ac[k] = (struct attr_call){ .pid = r->s[j].tid,
				.t_start = r->s[j].calls[c].t_start,
				.t_end = r->s[j].calls[c].t_end };
	attr_faults_init(&af);
	if (traced) {
		struct attr_index *ix = attr_index_new(ac, ncalls);
		int32_t *pids = xcalloc(p->writers, sizeof(*pids));

		if (!ix)
			fatal("out of memory");
		attr_flushes(ix, t->tv.v, t->tv.n, t->flush_ev, &ares);
		exact = attr_exact(ac, ncalls, &ares);
		attr_index_free(ix);
		for (unsigned i = 0; i < p->writers; i++)
			pids[i] = r->w[i].tid;
		if (attr_faults_add(&af, t->tv.v, t->tv.n, pids, p->writers) < 0)
			fatal("out of memory");
		free(pids);
		dax_counts_add_all(&counts, &t->tv);
	}
	/* per-call figures, per method */
	k = 0;
	for (unsigned j = 0; j < p->syncers; j++) {
		struct syncer *s = &r->s[j];
		struct mstat *m = &ms[j % p->nmethods];

		for (size_t c = 0; c < s->ncalls; c++, k++) {
			const struct call_rec *cr = &s->calls[c];

			for (int x = 0; x < 2; x++) {
				struct mstat *mm = x ? all : m;

				mm->calls_all++;
				mm->syscalls += cr->syscalls;
				mm->dirtied_pages += cr->dirtied_pages;
				mm->flushed_pages += ac[k].pages;
				mm->entries += ac[k].entries;
				if (cr->kind == CALL_RUN) {
					mm->calls++;
					hist_record(&mm->flushed, ac[k].pages * PAGE);
				}
				if (cr->no_store) {
					mm->no_store_calls++;
					mm->no_store_flushed += ac[k].pages;
				}
				if (cr->no_store_racing) {
					mm->no_store_racing_calls++;
					mm->no_store_racing_flushed += ac[k].pages;
				}
				if (cr->kind == CALL_IDLE) {
					mm->idle_calls++;
					mm->idle_syscalls += cr->syscalls;
					mm->idle_flushed += ac[k].pages;
				}
			}
		}
		hist_merge(&m->lat, &s->lat);
		hist_merge(&all->lat, &s->lat);
	}

	{
		uint64_t dur = w_end - r->t0;
		json_object *a = json_object_new_array(), *bym = json_object_new_object();

		json_object_object_add(o, "measurement", json_object_new_boolean(MEASURE));
		json_object_object_add(o, "prefill_ns", json_object_new_uint64(prefill_ns));
		json_object_object_add(o, "duration_ns", json_object_new_uint64(dur));
		json_object_object_add(o, "duration_with_final_and_idle_ns",
				       json_object_new_uint64(t_end - r->t0));
		json_object_object_add(o, "stores", json_object_new_uint64(stores));
		json_object_object_add(o, "bytes_stored", json_object_new_uint64(stores * p->store_size));
		json_object_object_add(o, "stores_per_s", jdouble(dur ? (double)stores * 1e9 / (double)dur : NAN));
		json_object_object_add(o, "bytes_stored_per_s",
				       jdouble(dur ? (double)stores * (double)p->store_size * 1e9 / (double)dur : NAN));
		json_object_object_add(o, "writers_busy_ns", json_object_new_uint64(busy_w));
		json_object_object_add(o, "syncers_busy_ns", json_object_new_uint64(busy_s));
		{
			uint64_t made = 0;

			for (unsigned j = 0; j < p->syncers; j++)
				made += r->s[j].ncalls_made;
			json_object_object_add(o, "sync_calls_made", json_object_new_uint64(made));
			sum->calls = made;
		}
		sum->writers_busy_ns = busy_w;
		sum->syncers_busy_ns = busy_s;
		sum->stores = stores;
		if (MEASURE) {
			json_object_object_add(o, "store_latency", hist_to_json(store_lat, "ns"));
			for (unsigned m = 0; m < p->nmethods; m++)
				json_object_object_add(bym, ms[m].name,
						       mstat_json(&ms[m], p->methods[m], traced, dur));
			json_object *sj = json_object_new_object();

			json_object_object_add(sj, "by_method", bym);
			json_object_object_add(sj, "overall", mstat_json(all, NULL, traced, dur));
			json_object_object_add(o, "sync", sj);
		} else {
			json_object_put(bym);
		}
		if (traced && MEASURE) {
			json_object *c = dax_counts_json(&counts, t->dax);

			json_object_object_add(o, "write_fault_latency", t->dax ?
					       attr_faults_json(&af) : NULL);
			json_object_object_foreach(c, key, v)
				json_object_object_add(o, key, json_object_get(v));
			json_object_put(c);
			json_object_object_add(o, "attribution",
				attr_result_json(&ares, dax_ev_name(t->flush_ev), exact, role_of, r));
			json_object_object_add(o, "flush_amplification",
					       jdouble(ratio(all->flushed_pages, all->dirtied_pages)));
			json_object *ns = json_object_new_object();

			json_object_object_add(ns, "calls", json_object_new_uint64(all->no_store_calls));
			json_object_object_add(ns, "bytes_flushed",
					       json_object_new_uint64(all->no_store_flushed * PAGE));
			json_object_object_add(ns, "racing_calls",
					       json_object_new_uint64(all->no_store_racing_calls));
			json_object_object_add(ns, "racing_bytes_flushed",
					       json_object_new_uint64(all->no_store_racing_flushed * PAGE));
			json_object_object_add(ns, "note", json_object_new_string(
				"calls: whole-file calls with no store since the start of a completed "
				"whole-file call, none during, and no other call in flight (and the idle "
				"calls): bytes_flushed must be 0 on a correct kernel. racing_calls: the "
				"same with another call in flight at the start: an entry the racing call "
				"is still flushing (its TOWRITE cleared, DIRTY not yet) is tagged and "
				"flushed again"));
			json_object_object_add(o, "no_store_syncs", ns);
			json_object_object_add(o, "idle_sync_bytes_flushed",
					       json_object_new_uint64(all->idle_flushed * PAGE));
		}
		/* the calls themselves */
		if (MEASURE) {
			k = 0;
			for (unsigned j = 0; j < p->syncers; j++)
				for (size_t c = 0; c < r->s[j].ncalls; c++, k++) {
					const struct call_rec *cr = &r->s[j].calls[c];
					json_object *x;

					if (k >= MAX_CALLS_JSON)
						break;
					x = json_object_new_object();
					json_object_object_add(x, "syncer", json_object_new_int((int)j));
					json_object_object_add(x, "method", json_object_new_string(r->s[j].ops->name));
					json_object_object_add(x, "kind", json_object_new_string(call_kind_names[cr->kind]));
					json_object_object_add(x, "t_start_ns", json_object_new_uint64(cr->t_start - r->t0));
					json_object_object_add(x, "duration_ns", json_object_new_uint64(cr->t_end - cr->t_start));
					json_object_object_add(x, "stores_since", json_object_new_uint64(cr->stores));
					json_object_object_add(x, "dirtied_bytes", json_object_new_uint64(cr->dirtied_pages * PAGE));
					json_object_object_add(x, "new_bytes", json_object_new_uint64(cr->new_pages * PAGE));
					json_object_object_add(x, "flushed_bytes", traced ?
						json_object_new_uint64(ac[k].pages * PAGE) : NULL);
					json_object_object_add(x, "entries", traced ?
						json_object_new_uint64(ac[k].entries) : NULL);
					json_object_object_add(x, "ranges", json_object_new_uint64(cr->nranges));
					json_object_object_add(x, "syscalls", json_object_new_uint64(cr->syscalls));
					json_object_object_add(x, "no_store", json_object_new_boolean(cr->no_store));
					json_object_object_add(x, "racing", json_object_new_boolean(cr->racing));
					json_object_array_add(a, x);
				}
			json_object_object_add(o, "calls", a);
			json_object_object_add(o, "calls_truncated",
					       json_object_new_boolean(ncalls > MAX_CALLS_JSON));
		} else {
			json_object_put(a);
		}
	}

	/* the dirty set over time */
	if (getenv("DAXBENCH_SYNC_DUMP")) {
		FILE *df = fopen(getenv("DAXBENCH_SYNC_DUMP"), "w");

		for (size_t i = 0; df && i < t->tv.n; i++) {
			const struct trace_rec *x = &t->tv.v[i];

			fprintf(df, "%llu %d %d %s %llu %llu 0x%x 0x%x\n", (unsigned long long)x->ts,
				x->pid, x->cpu, dax_ev_name(x->ev), (unsigned long long)x->pgoff,
				(unsigned long long)x->pglen, x->flags, x->result);
		}
		for (unsigned j = 0; df && j < p->syncers; j++)
			for (size_t c = 0; c < r->s[j].ncalls; c++)
				fprintf(df, "%llu %d - CALL %llu 0 0 0\n%llu %d - END 0 0 0 0\n",
					(unsigned long long)r->s[j].calls[c].t_start, r->s[j].tid,
					(unsigned long long)c, (unsigned long long)r->s[j].calls[c].t_end, r->s[j].tid);
		if (df)
			fclose(df);
	}
	if (MEASURE) {
		uint64_t span = t_end > r->t0 ? t_end - r->t0 : 1;
		uint64_t bucket = (span + SERIES_BUCKETS - 1) / SERIES_BUCKETS;
		uint64_t syncs[SERIES_BUCKETS] = { 0 }, dirt[SERIES_BUCKETS] = { 0 };
		uint64_t flu[SERIES_BUCKETS] = { 0 }, fresh[SERIES_BUCKETS] = { 0 };
		uint64_t kd[SERIES_BUCKETS] = { 0 };
		json_object *ser = json_object_new_object(), *rows = json_object_new_array();
		struct attr_dirty ad;
		bool replay = traced && t->dax;
		size_t e = 0;
		uint64_t cum = 0, cumf = 0, cumd = 0;

		k = 0;
		for (unsigned j = 0; j < p->syncers; j++)
			for (size_t c = 0; c < r->s[j].ncalls; c++, k++) {
				const struct call_rec *cr = &r->s[j].calls[c];
				uint64_t b = (cr->t_end - r->t0) / bucket;

				if (b >= SERIES_BUCKETS)
					b = SERIES_BUCKETS - 1;
				syncs[b]++;
				dirt[b] += cr->dirtied_pages;
				fresh[b] += cr->new_pages;
				flu[b] += ac[k].pages;
			}
		if (replay && attr_dirty_init(&ad, r->npages) < 0)
			fatal("out of memory");
		for (unsigned b = 0; b < SERIES_BUCKETS; b++) {
			uint64_t end = r->t0 + (b + 1) * bucket;
			json_object *row = json_object_new_array();

			if (replay) {
				for (; e < t->tv.n && t->tv.v[e].ts <= end; e++)
					if (attr_dirty_add(&ad, &t->tv.v[e]) < 0)
						fatal("out of memory");
				kd[b] = ad.dirty;
			}
			cum += fresh[b];
			cumf += flu[b];
			cumd += dirt[b];
			json_object_array_add(row, json_object_new_uint64((b + 1) * bucket));
			json_object_array_add(row, json_object_new_uint64(syncs[b]));
			json_object_array_add(row, json_object_new_uint64(dirt[b] * PAGE));
			json_object_array_add(row, traced ? json_object_new_uint64(flu[b] * PAGE) : NULL);
			json_object_array_add(row, json_object_new_uint64(cumd * PAGE));
			json_object_array_add(row, traced ? json_object_new_uint64(cumf * PAGE) : NULL);
			json_object_array_add(row, json_object_new_uint64(cum * PAGE));
			json_object_array_add(row, replay ? json_object_new_uint64(kd[b] * PAGE) : NULL);
			json_object_array_add(rows, row);
		}
		if (replay) {
			for (; e < t->tv.n; e++)
				attr_dirty_add(&ad, &t->tv.v[e]);
			sum->kernel_dirty_end = ad.dirty * PAGE;
		}
		{
			json_object *cols = json_object_new_array();
			static const char *const names[] = {
				"t_end_ns", "syncs", "dirtied_bytes", "flushed_bytes",
				"dirtied_cum_bytes", "flushed_cum_bytes",
				"dirty_union_bytes", "kernel_dirty_bytes",
			};

			for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
				json_object_array_add(cols, json_object_new_string(names[i]));
			json_object_object_add(ser, "bucket_ns", json_object_new_uint64(bucket));
			json_object_object_add(ser, "columns", cols);
			json_object_object_add(ser, "rows", rows);
			json_object_object_add(ser, "note", json_object_new_string(
				"per time bucket (by call end): syncs, bytes dirtied and flushed by them, "
				"cumulative sums, the union of pages dirtied so far, and the kernel's dirty "
				"set at the bucket's end replayed from fault and writeback events (DAX)"));
			json_object_object_add(ser, "kernel_dirty_bytes_max",
					       replay ? json_object_new_uint64(ad.max_dirty * PAGE) : NULL);
			json_object_object_add(ser, "kernel_dirty_bytes_at_end",
					       replay ? json_object_new_uint64(ad.dirty * PAGE) : NULL);
		}
		if (replay)
			attr_dirty_free(&ad);
		json_object_object_add(o, "dirty_set", ser);
	}
	json_object_object_add(o, "pte_then_pmd", probe ? probe : NULL);

	/* for the summary */
	for (unsigned m = 0; m <= p->nmethods; m++) {
		uint64_t dur = w_end - r->t0;

		sum->amp[m] = ratio(ms[m].flushed_pages, ms[m].dirtied_pages);
		sum->sync_p50[m] = ms[m].lat.count ? (double)hq(&ms[m].lat, 0.5) : NAN;
		sum->sync_p99[m] = ms[m].lat.count ? (double)hq(&ms[m].lat, 0.99) : NAN;
		sum->stores_per_s[m] = dur ? (double)ms[m].stores * 1e9 / (double)dur : NAN;
	}
	sum->store_p50 = store_lat->count ? (double)hq(store_lat, 0.5) : NAN;
	sum->fault_pte_p50 = af.pte.count ? (double)hq(&af.pte, 0.5) : NAN;
	sum->fault_pmd_p50 = af.pmd.count ? (double)hq(&af.pmd, 0.5) : NAN;
	sum->idle_flushed = all->idle_flushed * PAGE;
	sum->no_store_flushed = all->no_store_flushed * PAGE;
	sum->no_store_calls = all->no_store_calls;
	sum->no_store_racing_flushed = all->no_store_racing_flushed * PAGE;
	sum->flushed = all->flushed_pages * PAGE;
	sum->dirtied = all->dirtied_pages * PAGE;
	sum->unattributed = ares.unattributed_pages * PAGE;
	sum->exact = exact;
	sum->traced = traced;
	sum->probe_ok = -1;
	if (probe) {
		json_object *x;

		if (json_object_object_get_ex(probe, "every_page_flushed", &x) && x)
			sum->probe_ok = json_object_get_boolean(x);
	}
	attr_faults_free(&af);
	free(ac);
	free(ms);
	free(store_lat);
	return o;
}

/* ------------------------------------------------------------------ */
/* one run                                                              */

/* DAXBENCH_SYNC_START_DELAY_MS=N (testing): run_once sleeps N ms between
 * the threads being ready and taking the time origin, as a descheduled
 * main thread would; said once on stderr.  Bad values are ignored. */
static uint64_t start_delay_ns(void)
{
	static int said;
	const char *e = getenv("DAXBENCH_SYNC_START_DELAY_MS");
	unsigned long long ms;
	char *end;

	if (!e || !*e)
		return 0;
	errno = 0;
	ms = strtoull(e, &end, 10);
	if (errno || *end || ms > 60000)
		return 0;
	if (!said++)
		fprintf(stderr, "%s: DAXBENCH_SYNC_START_DELAY_MS=%llu: the time origin of "
			"each run is taken %llu ms after its threads are ready\n",
			opt_progname(), ms, ms);
	return ms * 1000000ull;
}

static json_object *run_once(const struct params *p, const struct topology *topo,
			     struct fileset *fs, struct tracer *t,
			     struct run_summary *sum, unsigned rep)
{
	struct run r = { .p = p, .topo = topo, .fd = fs->f.fd };
	uint64_t prefill_ns, deadline = 0, nslots = p->working_set / p->store_size;
	json_object *probe = NULL, *res;
	unsigned nthreads = p->writers + p->syncers;

	r.npages = p->size / PAGE;
	r.nwords = (r.npages + 63) / 64;
	r.chunk = fs->chunk;
	r.smaps = fs->smaps;
	r.nsmaps = fs->nsmaps;
	r.start_delay_ns = start_delay_ns();

	if (p->page == SP_MIXED) {
		progress("repeat %u/%u: pte-then-pmd sequence", rep + 1, p->repeat);
		probe = probe_run(p, fs, t);
	}
	progress("repeat %u/%u: prefill", rep + 1, p->repeat);
	prefill_ns = prefill(p, fs, t->dax);
	drain_discard(t);

	r.w = xaligned(p->writers * sizeof(*r.w));
	r.s = xaligned(p->syncers * sizeof(*r.s));
	r.groups = xaligned(p->syncers * sizeof(*r.groups));
	r.union_bits = xcalloc(r.nwords, sizeof(uint64_t));
	pthread_barrier_init(&r.start, NULL, nthreads + 1);
	pthread_barrier_init(&r.idle, NULL, p->syncers);
	for (unsigned j = 0; j < p->syncers; j++) {
		struct syncer *s = &r.s[j];

		s->run = &r;
		s->g = &r.groups[j];
		s->idx = j;
		s->ops = p->methods[j % p->nmethods];
		s->cpu = p->pin ? placement_cpu(topo, &p->pl, p->writers + j) : -1;
		s->ctx = (struct sync_ctx){ .fd = fs->f.fd, .maps = fs->smaps,
			.nmaps = fs->nsmaps, .file_size = p->size };
		s->collect = xcalloc(r.nwords, sizeof(uint64_t));
		hist_init(&s->lat);
	}
	for (unsigned i = 0; i < p->writers; i++) {
		struct writer *w = &r.w[i];
		uint64_t per = nslots / p->writers;

		w->run = &r;
		w->g = &r.groups[i % p->syncers];
		w->g->nwriters++;
		w->idx = i;
		w->cpu = p->pin ? placement_cpu(topo, &p->pl, i) : -1;
		w->dirty = xcalloc(r.nwords, sizeof(uint64_t));
		w->src = xaligned(p->store_size);
		for (uint64_t b = 0; b < p->store_size; b++)
			w->src[b] = (char)(b * 131 + i + 7);
		hist_init(&w->lat);
		if (p->pattern == PATTERN_SEQ) {
			w->slot_base = i * per;
			pattern_init(&w->pat, PATTERN_SEQ, per, 0, 0, 0);
		} else {
			pattern_init(&w->pat, p->pattern, nslots, 0, p->zipf_theta,
				     p->opt.seed * 1000003ull + i + rep * 7919ull);
		}
	}
	for (unsigned j = 0; j < p->syncers; j++)
		wl_spawn(&r.s[j].th, syncer_main, &r.s[j]);
	for (unsigned i = 0; i < p->writers; i++)
		wl_spawn(&r.w[i].th, writer_main, &r.w[i]);
	progress("repeat %u/%u: running", rep + 1, p->repeat);
	pthread_barrier_wait(&r.start);	/* every thread is ready */
	if (r.start_delay_ns) {
		wl_sleep_ns(r.start_delay_ns);
	}
	r.t0 = now_ns();
	STORE(r.go, 1);
	futex_wake(&r.go, INT_MAX);
	if (p->duration_ns)
		deadline = r.t0 + p->duration_ns;
	/* drain the trace while the threads run */
	while (LOAD(r.syncers_done) < p->syncers) {
		uint64_t now = now_ns(), nap = DRAIN_NS;
		struct timespec ts;

		if (deadline && !LOAD(r.stop)) {
			if (now >= deadline) {
				STORE(r.stop, 1);
				wake_all(&r);
				continue;
			}
			if (deadline - now < nap)
				nap = deadline - now;
		}
		ts.tv_sec = (time_t)(nap / 1000000000ull);
		ts.tv_nsec = (long)(nap % 1000000000ull);
		nanosleep(&ts, NULL);
		drain(t);
	}
	for (unsigned i = 0; i < p->writers; i++)
		pthread_join(r.w[i].th, NULL);
	for (unsigned j = 0; j < p->syncers; j++)
		pthread_join(r.s[j].th, NULL);
	drain(t);
	for (unsigned i = 0; i < p->writers; i++)
		if (r.w[i].err)
			fatal("writer %u: cannot bind to cpu %d: %s", i, r.w[i].cpu,
			     strerror(r.w[i].err));
	for (unsigned j = 0; j < p->syncers; j++)
		if (r.s[j].err)
			fatal("syncer %u (%s): %s: %s", j, r.s[j].ops->name,
			     r.s[j].err_what ? r.s[j].err_what : "", strerror(r.s[j].err));

	res = analyse(p, &r, t, sum, probe, prefill_ns);
	{
		json_object *th = json_object_new_array();

		for (unsigned i = 0; i < nthreads; i++) {
			json_object *x = json_object_new_object();
			bool wr = i < p->writers;

			json_object_object_add(x, "role", json_object_new_string(wr ? "writer" : "syncer"));
			json_object_object_add(x, "index", json_object_new_int(wr ? (int)i : (int)(i - p->writers)));
			json_object_object_add(x, "tid", json_object_new_int(wr ? r.w[i].tid : r.s[i - p->writers].tid));
			json_object_object_add(x, "cpu", p->pin ? json_object_new_int(
				wr ? r.w[i].cpu : r.s[i - p->writers].cpu) : NULL);
			json_object_object_add(x, wr ? "stores" : "calls", json_object_new_uint64(
				wr ? r.w[i].stores : r.s[i - p->writers].ncalls_made));
			if (!wr)
				json_object_object_add(x, "method", json_object_new_string(
					r.s[i - p->writers].ops->name));
			else
				json_object_object_add(x, "syncer", json_object_new_int((int)(i % p->syncers)));
			json_object_array_add(th, x);
		}
		json_object_object_add(res, "threads", th);
	}

	for (unsigned i = 0; i < p->writers; i++) {
		free(r.w[i].dirty);
		free(r.w[i].src);
	}
	for (unsigned j = 0; j < p->syncers; j++) {
		free(r.s[j].collect);
		free(r.s[j].ranges);
		free(r.s[j].calls);
	}
	pthread_barrier_destroy(&r.start);
	pthread_barrier_destroy(&r.idle);
	free(r.union_bits);
	free(r.groups);
	free(r.s);
	free(r.w);
	t->tv.n = 0;
	return res;
}

/* ------------------------------------------------------------------ */
/* summary and table                                                    */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Median of the values that are not NaN (mean of the middle two). */
static double med(const double *v, unsigned n)
{
	double *u = xcalloc(n, sizeof(*u)), m;
	unsigned k = 0;

	for (unsigned i = 0; i < n; i++)
		if (!isnan(v[i]))
			u[k++] = v[i];
	qsort(u, k, sizeof(*u), cmp_double);
	m = !k ? NAN : k % 2 ? u[k / 2] : (u[k / 2 - 1] + u[k / 2]) / 2;
	free(u);
	return m;
}

static void minmax(const double *v, unsigned n, double *lo, double *hi)
{
	*lo = NAN;
	*hi = NAN;
	for (unsigned i = 0; i < n; i++) {
		if (isnan(v[i]))
			continue;
		if (isnan(*lo) || v[i] < *lo)
			*lo = v[i];
		if (isnan(*hi) || v[i] > *hi)
			*hi = v[i];
	}
}

static json_object *spread_json(double *v, unsigned n)
{
	json_object *o = json_object_new_object();
	double lo, hi;

	minmax(v, n, &lo, &hi);
	json_object_object_add(o, "median", jdouble(med(v, n)));
	json_object_object_add(o, "min", jdouble(lo));
	json_object_object_add(o, "max", jdouble(hi));
	return o;
}

static json_object *summary_json(const struct params *p, struct run_summary *rs)
{
	json_object *o = json_object_new_object(), *bym = json_object_new_object();
	double *v = xcalloc(p->repeat, sizeof(*v));
	uint64_t idle = 0, nostore = 0, nostore_calls = 0, kend = 0, unattr = 0, racing = 0;
	bool exact = true, probe = true, probe_seen = false;

	for (unsigned m = 0; m <= p->nmethods; m++) {
		json_object *x = json_object_new_object();

#define SPREAD(key, field) do {						\
		for (unsigned r = 0; r < p->repeat; r++)		\
			v[r] = rs[r].field;				\
		json_object_object_add(x, key, spread_json(v, p->repeat)); \
	} while (0)
		SPREAD("flush_amplification", amp[m]);
		SPREAD("sync_p50_ns", sync_p50[m]);
		SPREAD("sync_p99_ns", sync_p99[m]);
		SPREAD("stores_per_s", stores_per_s[m]);
		if (m < p->nmethods)
			json_object_object_add(bym, p->methods[m]->name, x);
		else
			json_object_object_add(o, "overall", x);
	}
	json_object_object_add(o, "by_method", bym);
	{
		json_object *x = json_object_new_object();

		SPREAD("store_p50_ns", store_p50);
		SPREAD("write_fault_pte_p50_ns", fault_pte_p50);
		SPREAD("write_fault_pmd_p50_ns", fault_pmd_p50);
		json_object_object_add(o, "stores", x);
	}
#undef SPREAD
	for (unsigned r = 0; r < p->repeat; r++) {
		if (rs[r].idle_flushed > idle)
			idle = rs[r].idle_flushed;
		if (rs[r].no_store_flushed > nostore)
			nostore = rs[r].no_store_flushed;
		if (rs[r].no_store_racing_flushed > racing)
			racing = rs[r].no_store_racing_flushed;
		if (rs[r].kernel_dirty_end > kend)
			kend = rs[r].kernel_dirty_end;
		if (rs[r].unattributed > unattr)
			unattr = rs[r].unattributed;
		nostore_calls += rs[r].no_store_calls;
		exact = exact && rs[r].exact;
		if (rs[r].probe_ok >= 0) {
			probe_seen = true;
			probe = probe && rs[r].probe_ok;
		}
	}
	json_object_object_add(o, "idle_sync_bytes_flushed_max", json_object_new_uint64(idle));
	json_object_object_add(o, "no_store_syncs", json_object_new_uint64(nostore_calls));
	json_object_object_add(o, "no_store_sync_bytes_flushed_max", json_object_new_uint64(nostore));
	json_object_object_add(o, "no_store_racing_sync_bytes_flushed_max", json_object_new_uint64(racing));
	json_object_object_add(o, "unattributed_bytes_max", json_object_new_uint64(unattr));
	json_object_object_add(o, "kernel_dirty_bytes_at_end_max", json_object_new_uint64(kend));
	json_object_object_add(o, "attribution_exact", json_object_new_boolean(exact));
	json_object_object_add(o, "pte_then_pmd_every_page_flushed",
			       probe_seen ? json_object_new_boolean(probe) : NULL);
	free(v);
	return o;
}

static void sparkline(char *out, size_t len, const uint64_t *v, unsigned n)
{
	static const char lv[] = " .:-=+*#%@";
	uint64_t mx = 0;
	size_t o = 0;

	for (unsigned i = 0; i < n; i++)
		if (v[i] > mx)
			mx = v[i];
	for (unsigned i = 0; i < n && o + 1 < len; i++)
		out[o++] = mx ? lv[(v[i] * 9 + mx - 1) / mx] : ' ';
	out[o] = '\0';
}

/* o[key] as a number, 0 when o or the key is absent. */
static uint64_t jget_u64(json_object *o, const char *key)
{
	json_object *v;

	return o && json_object_object_get_ex(o, key, &v) ?
	       (uint64_t)json_object_get_uint64(v) : 0;
}

static void print_table(const struct params *p, const struct env_target *tg,
			bool dax, bool traced, json_object *runs,
			struct run_summary *rs)
{
	json_object *r0 = json_object_array_get_idx(runs, 0), *x, *y;
	double *v = xcalloc(p->repeat, sizeof(*v));
	char b1[32], b2[32], b3[32], b4[32], b5[32], b6[32];
	char itv[64];

	if (p->every)
		snprintf(itv, sizeof(itv), "every %llu stores%s", (unsigned long long)p->every,
			 p->lockstep ? " (lockstep)" : "");
	else
		snprintf(itv, sizeof(itv), "every %s", fmt_ns(b1, sizeof(b1), (double)p->period_ns));
	printf("daxbench sync: %s on %s (%s, %s, pmem %s), page=%s; %u writer(s) %s %s over %s%s; %u syncer(s) %s %s; %s of %u\n",
	       fmt_bytes(b1, sizeof(b1), p->size), p->opt.dir, tg->fstype,
	       dax ? "dax" : "NO DAX: page-cache baseline", pmem_kind_name(tg->kind),
	       sync_page_names[p->page], p->writers, pattern_names[p->pattern],
	       fmt_bytes(b2, sizeof(b2), p->store_size),
	       fmt_bytes(b3, sizeof(b3), p->working_set),
	       p->rate ? " (rate-limited)" : "", p->syncers, p->sync_text, itv,
	       p->repeat > 1 ? "median" : "run", p->repeat);
	if (!traced)
		printf("(no trace events: flush volume unavailable)\n");
	printf("%-12s %7s %9s %9s %9s %9s %8s %10s %9s %10s\n", "method", "calls",
	       "sync-p50", "sync-p99", "dirtied", "flushed", "amp", "no-store", "idle",
	       "stores/s");
	for (unsigned m = 0; m <= p->nmethods; m++) {
		const char *name = m < p->nmethods ? p->methods[m]->name : "overall";
		json_object *mj = NULL;
		uint64_t calls, dirt, flu, ns, nsf, idle;
		char amp[32] = "-", nst[32] = "-";

		if (m == p->nmethods && p->nmethods == 1)
			break;
		if (json_object_object_get_ex(r0, "sync", &x)) {
			if (m < p->nmethods) {
				if (json_object_object_get_ex(x, "by_method", &y))
					json_object_object_get_ex(y, name, &mj);
			} else {
				json_object_object_get_ex(x, "overall", &mj);
			}
		}
		calls = jget_u64(mj, "calls");
		dirt = jget_u64(mj, "bytes_dirtied");
		flu = jget_u64(mj, "bytes_flushed");
		ns = jget_u64(mj, "no_store_calls");
		nsf = jget_u64(mj, "no_store_bytes_flushed");
		idle = jget_u64(mj, "idle_bytes_flushed");
		for (unsigned r = 0; r < p->repeat; r++)
			v[r] = rs[r].amp[m];
		if (traced && !isnan(med(v, p->repeat)) &&
		    (m == p->nmethods || p->methods[m]->kernel_call))
			snprintf(amp, sizeof(amp), "%.2fx", med(v, p->repeat));
		if (traced)
			snprintf(nst, sizeof(nst), "%llu:%s", (unsigned long long)ns,
				 fmt_bytes(b6, sizeof(b6), nsf));
		for (unsigned r = 0; r < p->repeat; r++)
			v[r] = rs[r].sync_p50[m];
		fmt_ns(b1, sizeof(b1), med(v, p->repeat));
		for (unsigned r = 0; r < p->repeat; r++)
			v[r] = rs[r].sync_p99[m];
		fmt_ns(b2, sizeof(b2), med(v, p->repeat));
		for (unsigned r = 0; r < p->repeat; r++)
			v[r] = rs[r].stores_per_s[m];
		printf("%-12s %7llu %9s %9s %9s %9s %8s %10s %9s %10.0f\n", name,
		       (unsigned long long)calls, b1, b2, fmt_bytes(b3, sizeof(b3), dirt),
		       traced ? fmt_bytes(b4, sizeof(b4), flu) : "-", amp, nst,
		       traced ? fmt_bytes(b5, sizeof(b5), idle) : "-", med(v, p->repeat));
	}
	for (unsigned r = 0; r < p->repeat; r++)
		v[r] = rs[r].store_p50;
	printf("stores: p50 %s", fmt_ns(b1, sizeof(b1), med(v, p->repeat)));
	if (traced && dax) {
		for (unsigned r = 0; r < p->repeat; r++)
			v[r] = rs[r].fault_pte_p50;
		printf("; write faults p50: pte %s", isnan(med(v, p->repeat)) ? "-" :
		       fmt_ns(b2, sizeof(b2), med(v, p->repeat)));
		for (unsigned r = 0; r < p->repeat; r++)
			v[r] = rs[r].fault_pmd_p50;
		printf(", pmd %s", isnan(med(v, p->repeat)) ? "-" :
		       fmt_ns(b3, sizeof(b3), med(v, p->repeat)));
	}
	printf("\n");
	if (traced && json_object_object_get_ex(r0, "attribution", &x)) {
		uint64_t tot = jget_u64(x, "total_bytes"), cb = jget_u64(x, "calls_bytes");
		uint64_t ub = jget_u64(x, "unattributed_bytes");
		uint64_t te = jget_u64(x, "total_entries");
		printf("flushed (run 1): %llu %s records, %s = calls %s + unattributed %s: %s\n",
		       (unsigned long long)te, dax ? "dax_writeback_one" : "ext4_writepages_result",
		       fmt_bytes(b1, sizeof(b1), tot), fmt_bytes(b2, sizeof(b2), cb),
		       fmt_bytes(b3, sizeof(b3), ub), rs[0].exact ? "exact" : "NOT EXACT");
	}
	if (traced && json_object_object_get_ex(r0, "no_store_syncs", &x)) {
		uint64_t nc = jget_u64(x, "calls"), nb = jget_u64(x, "bytes_flushed");
		uint64_t rc = jget_u64(x, "racing_calls");
		uint64_t rb = jget_u64(x, "racing_bytes_flushed");
		printf("no-store syncs (run 1): %llu flushed %s (must be 0)", (unsigned long long)nc,
		       fmt_bytes(b1, sizeof(b1), nb));
		if (rc)
			printf("; %llu more started while another sync was in flight: flushed %s again",
			       (unsigned long long)rc, fmt_bytes(b2, sizeof(b2), rb));
		printf("\n");
	}
	if (json_object_object_get_ex(r0, "dirty_set", &x) &&
	    json_object_object_get_ex(x, "rows", &y)) {
		uint64_t kd[SERIES_BUCKETS] = { 0 }, fl[SERIES_BUCKETS] = { 0 };
		unsigned n = (unsigned)json_object_array_length(y);
		char line[SERIES_BUCKETS + 1];
		bool have_kd = false;

		for (unsigned i = 0; i < n && i < SERIES_BUCKETS; i++) {
			json_object *row = json_object_array_get_idx(y, i);
			json_object *c3 = json_object_array_get_idx(row, 3);
			json_object *c7 = json_object_array_get_idx(row, 7);

			fl[i] = c3 ? json_object_get_uint64(c3) : 0;
			if (c7) {
				kd[i] = json_object_get_uint64(c7);
				have_kd = true;
			}
		}
		if (have_kd) {
			sparkline(line, sizeof(line), kd, n);
			printf("kernel dirty set over time |%s| max %s, at end %s\n", line,
			       fmt_bytes(b1, sizeof(b1), json_object_get_uint64(
				       json_object_object_get(x, "kernel_dirty_bytes_max"))),
			       fmt_bytes(b2, sizeof(b2), rs[0].kernel_dirty_end));
		}
		if (traced) {
			sparkline(line, sizeof(line), fl, n);
			printf("bytes flushed over time    |%s|\n", line);
		}
	}
	if (p->page == SP_MIXED && json_object_object_get_ex(r0, "pte_then_pmd", &x) && x) {
		json_object *ok = json_object_object_get(x, "every_page_flushed");
		json_object *sy = json_object_object_get(x, "sync");
		json_object *c = json_object_object_get(json_object_object_get(x, "pmd_step"), "counts");
		json_object *f = c ? json_object_object_get(c, "faults") : NULL;

		printf("pte-then-pmd (chunk 0): %llu pages dirtied through a 4K mapping, %llu through the 2M mapping",
		       (unsigned long long)json_object_get_uint64(json_object_object_get(
			       json_object_object_get(x, "pte_step"), "stores")),
		       (unsigned long long)json_object_get_uint64(json_object_object_get(
			       json_object_object_get(x, "pmd_step"), "stores")));
		if (f)
			printf(" (pmd %llu, fallback %llu, pte %llu faults)",
			       (unsigned long long)json_object_get_uint64(json_object_object_get(f, "pmd_nopage")),
			       (unsigned long long)json_object_get_uint64(json_object_object_get(f, "pmd_fallback")),
			       (unsigned long long)json_object_get_uint64(json_object_object_get(f, "pte_nopage")));
		if (sy && json_object_object_get(sy, "bytes_flushed"))
			printf("; %s flushed %s", p->methods[0]->name, fmt_bytes(b1, sizeof(b1),
			       json_object_get_uint64(json_object_object_get(sy, "bytes_flushed"))));
		printf("; every page dirtied flushed: %s\n", ok ? (json_object_get_boolean(ok) ?
		       "yes" : "NO") : json_object_get_string(json_object_object_get(x, "skipped")) ?
		       "skipped" : "unknown (no DAX trace)");
	}
	free(v);
}

/* ------------------------------------------------------------------ */

static int single_node(const struct topology *topo)
{
	json_object *tj = topology_json(topo), *nodes, *n0, *x;
	int node = -1;

	if (topology_nnodes(topo) <= 1 && json_object_object_get_ex(tj, "nodes", &nodes) &&
	    json_object_array_length(nodes) == 1) {
		n0 = json_object_array_get_idx(nodes, 0);
		if (json_object_object_get_ex(n0, "node", &x))
			node = json_object_get_int(x);
	}
	json_object_put(tj);
	return node;
}

int cmd_sync(int argc, char **argv)
{
	struct params p;
	struct topology *topo;
	struct tracer t = { 0 };
	struct env_target tgt;
	struct fileset fs = { 0 };
	struct run_summary *rs;
	json_object *root, *runs, *tj;
	char err[512], why[256] = "";
	uint64_t lost = 0;
	bool dax, traced, map_sync = false, needs_dax = false;
	int pmem_node, rc = 0;

	topo = topology_open(err, sizeof(err));
	if (!topo) {
		fprintf(stderr, "%s: cannot read the cpu topology: %s\n", opt_progname(), err);
		return 1;
	}
	parse(argc, argv, &p, topo);
	for (unsigned m = 0; m < p.nmethods; m++) {
		map_sync |= p.methods[m]->map_sync;
		needs_dax |= p.methods[m]->needs_dax;
	}

	progress("creating %s file...", fmt_bytes(err, sizeof(err), p.size));
	if (daxfile_create(&fs.f, p.opt.dir, ".daxbench-sync", p.size, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", opt_progname(), err);
		return 1;
	}
	unlink(fs.f.path);	/* gone on every exit path, even a signal */
	env_target(p.opt.dir, fs.f.fd, &tgt);
	dax = tgt.dax == 1;
	if (needs_dax && !dax) {
		progress_done();
		opt_die("--sync", "%s needs a DAX file system: %s is %s without DAX",
			p.sync_text, p.opt.dir, tgt.fstype[0] ? tgt.fstype : "a file system");
	}
	pmem_node = tgt.numa_node;
	if (pmem_node < 0 && tgt.blockdev[0])
		pmem_node = topology_blockdev_numa(tgt.blockdev);
	if (p.numa_text) {
		int node = pmem_node;

		if (node < 0)
			node = single_node(topo);	/* one node: it is that one */
		if (node < 0) {
			progress_done();
			opt_die("--numa", "the NUMA node of %s's device is unknown", p.opt.dir);
		}
		if (placement_resolve_numa(topo, &p.pl, node, err, sizeof(err))) {
			progress_done();
			opt_die("--numa", "%s: %s", p.numa_text, err);
		}
	}

	root = results_new("sync", argc, argv);
	json_object_object_add(root, "env", env_capture(p.opt.dir, fs.f.fd));
	json_object_object_add(root, "dax", json_object_new_boolean(dax));
	json_object_object_add(root, "measurement", json_object_new_boolean(MEASURE));

	if (!p.opt.no_trace && MEASURE) {
		struct dax_trace_opts to = { .prefix = "daxbench",
			.buffer_kb = (unsigned)p.opt.trace_kb, .pagecache = !dax };

		t.tr = dax_trace_open(&to, why, sizeof(why));
		if (!t.tr)
			fprintf(stderr, "%s: no flush accounting: %s\n", opt_progname(), why);
	} else {
		snprintf(why, sizeof(why), p.opt.no_trace ? "--no-trace" :
			 "measurement compiled out (DAXBENCH_NO_MEASURE)");
	}
	t.dax = dax;
	t.flush_ev = dax ? EV_WRITEBACK_ONE : EV_EXT4_WRITEPAGES_RESULT;
	if (t.tr && !dax_trace_has(t.tr, t.flush_ev)) {
		fprintf(stderr, "%s: no flush accounting: the kernel has no %s event\n",
			opt_progname(), dax_ev_name(t.flush_ev));
		snprintf(why, sizeof(why), "no %s event", dax_ev_name(t.flush_ev));
		dax_trace_close(t.tr);
		t.tr = NULL;
	}
	traced = t.tr != NULL;
	if (!dax)
		fprintf(stderr, "%s: %s is not DAX (%s): running as a page-cache baseline\n",
			opt_progname(), p.opt.dir, tgt.fstype);

	rs = xcalloc(p.repeat, sizeof(*rs));
	runs = json_object_new_array();
	for (unsigned r = 0; r < p.repeat; r++) {
		if (r > 0) {
			if (daxfile_create(&fs.f, p.opt.dir, ".daxbench-sync", p.size, err, sizeof(err)))
				fatal("%s", err);
			unlink(fs.f.path);
		}
		fileset_map(&p, &fs, map_sync);
		if (r == 0) {
			json_object *fj = json_object_new_object();

			json_object_object_add(fj, "size", json_object_new_uint64(p.size));
			json_object_object_add(fj, "extents", daxfile_extents_json(&fs.f));
			json_object_object_add(fj, "mappings", json_object_new_uint64(fs.nmaps));
			json_object_object_add(fj, "pmd_mappings_2m_aligned",
					       json_object_new_boolean(fs.pmd_aligned_addr));
			json_object_object_add(fj, "map_sync", json_object_new_boolean(map_sync));
			json_object_object_add(root, "file", fj);
		}
		if (t.tr) {
			dax_trace_filter_file(t.tr, fs.f.st_dev, fs.f.ino);
			drain_discard(&t);
		}
		json_object_array_add(runs, run_once(&p, topo, &fs, &t, &rs[r], r));
		fileset_unmap(&fs);
		daxfile_remove(&fs.f);
	}
	progress_done();

	tj = t.tr ? dax_trace_describe(t.tr) : json_object_new_object();
	if (t.tr)
		lost = dax_trace_lost(t.tr);
	json_object_object_add(tj, "available", json_object_new_boolean(traced));
	json_object_object_add(tj, "reason", traced ? NULL : json_object_new_string(why));
	json_object_object_add(tj, "lost_events", json_object_new_uint64(lost));
	json_object_object_add(tj, "flush_source", !traced ? NULL :
			       json_object_new_string(dax ? "fs_dax:dax_writeback_one" :
						      "ext4:ext4_writepages_result"));
	json_object_object_add(root, "trace", tj);
	dax_trace_close(t.tr);
	trace_vec_free(&t.tv);

	{
		json_object *pj = json_object_new_object(), *a = json_object_new_array();

		json_object_object_add(pj, "dir", json_object_new_string(p.opt.dir));
		json_object_object_add(pj, "size", json_object_new_uint64(p.size));
		json_object_object_add(pj, "page", json_object_new_string(sync_page_names[p.page]));
		json_object_object_add(pj, "writers", json_object_new_int((int)p.writers));
		json_object_object_add(pj, "syncers", json_object_new_int((int)p.syncers));
		json_object_object_add(pj, "pattern", json_object_new_string(pattern_names[p.pattern]));
		json_object_object_add(pj, "zipf_theta", p.pattern == PATTERN_ZIPF ?
				       json_object_new_double(p.zipf_theta) : NULL);
		json_object_object_add(pj, "store_size", json_object_new_uint64(p.store_size));
		json_object_object_add(pj, "working_set", json_object_new_uint64(p.working_set));
		json_object_object_add(pj, "rate", p.rate ? json_object_new_uint64(p.rate) : NULL);
		for (unsigned m = 0; m < p.nmethods; m++)
			json_object_array_add(a, json_object_new_string(p.methods[m]->name));
		json_object_object_add(pj, "sync", a);
		json_object_object_add(pj, "every", p.every ? json_object_new_uint64(p.every) : NULL);
		json_object_object_add(pj, "period_ns", p.period_ns ? json_object_new_uint64(p.period_ns) : NULL);
		json_object_object_add(pj, "lockstep", json_object_new_boolean(p.lockstep));
		json_object_object_add(pj, "duration_ns", p.duration_ns ?
				       json_object_new_uint64(p.duration_ns) : NULL);
		json_object_object_add(pj, "stores_per_writer", p.stores ?
				       json_object_new_uint64(p.stores) : NULL);
		json_object_object_add(pj, "cpus", p.pin ? json_object_new_string(p.pl.text) : NULL);
		json_object_object_add(pj, "repeat", json_object_new_int((int)p.repeat));
		json_object_object_add(pj, "seed", json_object_new_uint64(p.opt.seed));
		json_object_object_add(pj, "trace_buffer_kb", json_object_new_uint64(p.opt.trace_kb));
		json_object_object_add(root, "params", pj);
	}
	json_object_object_add(root, "topology", topology_json(topo));
	json_object_object_add(root, "pmem_numa_node", pmem_node >= 0 ?
			       json_object_new_int(pmem_node) : NULL);
	json_object_object_add(root, "runs", runs);
	if (MEASURE) {
		json_object *sj = summary_json(&p, rs);
		json_object *ov = json_object_object_get(sj, "overall");

		json_object_object_add(root, "summary", sj);
		if (traced) {
			/* the headline figures, at the top level */
			json_object_object_add(root, "flush_amplification", json_object_get(
				json_object_object_get(json_object_object_get(ov, "flush_amplification"), "median")));
			json_object_object_add(root, "idle_sync_bytes_flushed", json_object_get(
				json_object_object_get(sj, "idle_sync_bytes_flushed_max")));
			json_object_object_add(root, "no_store_sync_bytes_flushed", json_object_get(
				json_object_object_get(sj, "no_store_sync_bytes_flushed_max")));
			json_object_object_add(root, "attribution_exact", json_object_get(
				json_object_object_get(sj, "attribution_exact")));
		}
	}

	if (lost && !p.opt.allow_lost) {
		fprintf(stderr, "%s: %llu trace events were lost: flush accounting is incomplete; "
			"raise --trace-buffer or pass --allow-lost-events (no results written)\n",
			opt_progname(), (unsigned long long)lost);
		rc = 1;
	} else {
		if (!p.opt.quiet && MEASURE)
			print_table(&p, &tgt, dax, traced, runs, rs);
		if (p.opt.output && results_write(p.opt.output, root) < 0) {
			fprintf(stderr, "%s: --output: cannot write %s: %s\n",
				opt_progname(), p.opt.output, strerror(errno));
			rc = 1;
		}
	}
	free(rs);
	json_object_put(root);
	placement_free(&p.pl);
	topology_close(topo);
	return rc;
}
