// SPDX-License-Identifier: GPL-2.0
/*
 * daxbench sync: writers and syncers on one file.
 *
 * --writers W threads store into one shared mapping of the file (seq, rand
 * or zipf offsets, --store-size bytes each, within --working-set), as fast
 * as they can or at --rate stores/s each.  --syncers S threads each call one
 * sync method (the ops table in lib/sync_methods.c) every --every N stores of
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
 * starts (see wait_go() in sync_threads.c).
 *
 * The files:
 *   cmd_sync.c      cmd_sync() and the runs over repeats (run_once), the
 *                   trace drained while the threads run
 *   sync_options.c  usage, option parsing and validation (struct params)
 *   sync_threads.c  the writer and syncer threads: groups, futex waits,
 *                   lockstep, the pages dirtied collected for a call, the
 *                   call and its record
 *   sync_files.c    the file's mappings (pte, pmd, mixed) and the prefill
 *   sync_probe.c    the pte-then-pmd sequence (mixed mode)
 *   sync_analyse.c  one run's attribution of flushes to calls and its JSON
 *   sync_report.c   the summary over repeats and the table
 *   sync.h          what they share: params, run state, file set, tracer,
 *                   the per-run figures, the functions across files
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "builtin.h"
#include "daxfile.h"
#include "env.h"
#include "opts.h"
#include "pattern.h"
#include "progress.h"
#include "results.h"
#include "stats.h"
#include "sync_methods.h"
#include "test_stop.h"
#include "workload.h"
#include "timing.h"
#include "flush_checks.h"
#include "topology.h"
#include "trace.h"
#include "sync.h"

#define DRAIN_NS 50000000ull	/* the main thread drains the trace this often */

/* ------------------------------------------------------------------ */
/* tracing helpers                                                      */

void sync_drain(struct tracer *t)
{
	if (t->tr && dax_trace_drain(t->tr, &t->tv) < 0)
		fatal("reading trace events failed: %s", strerror(errno));
}

void sync_drain_discard(struct tracer *t)
{
	sync_drain(t);
	t->tv.n = 0;
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

/* The run's state for repeat rep: every syncer and writer set up (not
 * started), their groups, the pages dirtied. */
static void run_setup(struct run *r, const struct params *p,
		      const struct topology *topo, struct fileset *fs, unsigned rep)
{
	uint64_t nslots = p->working_set / p->store_size;
	unsigned nthreads = p->writers + p->syncers;

	r->w = xaligned(p->writers * sizeof(*r->w));
	r->s = xaligned(p->syncers * sizeof(*r->s));
	r->groups = xaligned(p->syncers * sizeof(*r->groups));
	r->union_bits = xcalloc(r->nwords, sizeof(uint64_t));
	pthread_barrier_init(&r->start, NULL, nthreads + 1);
	pthread_barrier_init(&r->idle, NULL, p->syncers);
	for (unsigned j = 0; j < p->syncers; j++) {
		struct syncer *s = &r->s[j];

		s->thr.run = r;
		s->thr.g = &r->groups[j];
		s->thr.idx = j;
		s->ops = p->methods[j % p->nmethods];
		s->thr.cpu = p->pin ? placement_cpu(topo, &p->pl, p->writers + j) : -1;
		s->ctx = (struct sync_ctx){ .fd = fs->f.fd, .maps = fs->smaps,
			.nmaps = fs->nsmaps, .file_size = p->size };
		s->collect = xcalloc(r->nwords, sizeof(uint64_t));
		hist_init(&s->lat);
	}
	for (unsigned i = 0; i < p->writers; i++) {
		struct writer *w = &r->w[i];
		uint64_t per = nslots / p->writers;

		w->thr.run = r;
		w->thr.g = &r->groups[i % p->syncers];
		w->thr.g->nwriters++;
		w->thr.idx = i;
		w->thr.cpu = p->pin ? placement_cpu(topo, &p->pl, i) : -1;
		w->dirty = xcalloc(r->nwords, sizeof(uint64_t));
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
}

/* The threads started, the time origin taken once they are all ready
 * (then they go), the trace drained while they run (and --duration ended),
 * the threads joined; what stopped one of them ends the program. */
static void run_threads(struct run *r, struct tracer *t, unsigned rep)
{
	const struct params *p = r->p;
	uint64_t deadline = 0;

	for (unsigned j = 0; j < p->syncers; j++)
		wl_spawn(&r->s[j].thr.th, sync_syncer_main, &r->s[j]);
	for (unsigned i = 0; i < p->writers; i++)
		wl_spawn(&r->w[i].thr.th, sync_writer_main, &r->w[i]);
	progress("repeat %u/%u: running", rep + 1, p->repeat);
	pthread_barrier_wait(&r->start);	/* every thread is ready */
	if (r->start_delay_ns) {
		wl_sleep_ns(r->start_delay_ns);
	}
	r->t0 = now_ns();
	STORE(r->go, 1);
	futex_wake(&r->go, INT_MAX);
	if (p->duration_ns)
		deadline = r->t0 + p->duration_ns;
	/* drain the trace while the threads run */
	while (LOAD(r->syncers_done) < p->syncers) {
		uint64_t now = now_ns(), nap = DRAIN_NS;
		struct timespec ts;

		if (deadline && !LOAD(r->stop)) {
			if (now >= deadline) {
				STORE(r->stop, 1);
				sync_wake_all(r);
				continue;
			}
			if (deadline - now < nap)
				nap = deadline - now;
		}
		ts.tv_sec = (time_t)(nap / 1000000000ull);
		ts.tv_nsec = (long)(nap % 1000000000ull);
		nanosleep(&ts, NULL);
		sync_drain(t);
	}
	for (unsigned i = 0; i < p->writers; i++)
		pthread_join(r->w[i].thr.th, NULL);
	for (unsigned j = 0; j < p->syncers; j++)
		pthread_join(r->s[j].thr.th, NULL);
	sync_drain(t);
	for (unsigned i = 0; i < p->writers; i++)
		if (r->w[i].thr.err)
			fatal("writer %u: cannot bind to cpu %d: %s", i, r->w[i].thr.cpu,
			     strerror(r->w[i].thr.err));
	for (unsigned j = 0; j < p->syncers; j++)
		if (r->s[j].thr.err)
			fatal("syncer %u (%s): %s: %s", j, r->s[j].ops->name,
			     r->s[j].err_what ? r->s[j].err_what : "", strerror(r->s[j].thr.err));
}

/* Each thread: role, index, tid, cpu, and its stores or calls. */
static json_object *threads_json(const struct run *r)
{
	const struct params *p = r->p;
	json_object *th = json_object_new_array();

	for (unsigned i = 0; i < p->writers + p->syncers; i++) {
		json_object *x = json_object_new_object();
		bool wr = i < p->writers;

		json_object_object_add(x, "role", json_object_new_string(wr ? "writer" : "syncer"));
		json_object_object_add(x, "index", json_object_new_int(wr ? (int)i : (int)(i - p->writers)));
		json_object_object_add(x, "tid", json_object_new_int(wr ? r->w[i].thr.tid : r->s[i - p->writers].thr.tid));
		json_object_object_add(x, "cpu", p->pin ? json_object_new_int(
			wr ? r->w[i].thr.cpu : r->s[i - p->writers].thr.cpu) : NULL);
		json_object_object_add(x, wr ? "stores" : "calls", json_object_new_uint64(
			wr ? r->w[i].stores : r->s[i - p->writers].ncalls_made));
		if (!wr)
			json_object_object_add(x, "method", json_object_new_string(
				r->s[i - p->writers].ops->name));
		else
			json_object_object_add(x, "syncer", json_object_new_int((int)(i % p->syncers)));
		json_object_array_add(th, x);
	}
	return th;
}

static void run_free(struct run *r)
{
	for (unsigned i = 0; i < r->p->writers; i++) {
		free(r->w[i].dirty);
		free(r->w[i].src);
	}
	for (unsigned j = 0; j < r->p->syncers; j++) {
		free(r->s[j].collect);
		free(r->s[j].ranges);
		free(r->s[j].calls);
	}
	pthread_barrier_destroy(&r->start);
	pthread_barrier_destroy(&r->idle);
	free(r->union_bits);
	free(r->groups);
	free(r->s);
	free(r->w);
}

/* Repeat rep: the pte-then-pmd sequence (mixed), the prefill, the run,
 * its analysis. */
static json_object *run_once(const struct params *p, const struct topology *topo,
			     struct fileset *fs, struct tracer *t,
			     struct run_summary *sum, unsigned rep)
{
	struct run r = { .p = p, .topo = topo, .fd = fs->f.fd };
	json_object *probe = NULL, *res;
	uint64_t prefill_ns;

	r.npages = p->size / PAGE;
	r.nwords = (r.npages + 63) / 64;
	r.chunk = fs->chunk;
	r.smaps = fs->smaps;
	r.nsmaps = fs->nsmaps;
	r.start_delay_ns = start_delay_ns();

	if (p->page == SP_MIXED) {
		progress("repeat %u/%u: pte-then-pmd sequence", rep + 1, p->repeat);
		probe = sync_probe_run(p, fs, t);
	}
	progress("repeat %u/%u: prefill", rep + 1, p->repeat);
	prefill_ns = sync_prefill(p, fs, t->dax);
	sync_drain_discard(t);
	run_setup(&r, p, topo, fs, rep);
	run_threads(&r, t, rep);
	res = sync_analyse(p, &r, t, sum, probe, prefill_ns);
	json_object_object_add(res, "threads", threads_json(&r));
	run_free(&r);
	t->tv.n = 0;
	return res;
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

/* The command's state across its repeats. */
struct sync_cmd {
	struct params p;
	struct topology *topo;
	struct tracer t;
	struct env_target tgt;
	struct fileset fs;
	char why[256];		/* why there is no flush accounting */
	int pmem_node;		/* -1: unknown */
	bool dax, traced, map_sync;
};

/* The first file, what it says of the target, and what that means for the
 * options: a method that needs DAX, --numa resolved to the pmem's node. */
static int sync_target(struct sync_cmd *c)
{
	struct params *p = &c->p;
	bool needs_dax = false;
	char err[512];

	for (unsigned m = 0; m < p->nmethods; m++) {
		c->map_sync |= p->methods[m]->map_sync;
		needs_dax |= p->methods[m]->needs_dax;
	}
	progress("creating %s file...", fmt_bytes(err, sizeof(err), p->size));
	if (daxfile_create(&c->fs.f, p->opt.dir, ".daxbench-sync", p->size, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", opt_progname(), err);
		return -1;
	}
	unlink(c->fs.f.path);	/* gone on every exit path, even a signal */
	env_target(p->opt.dir, c->fs.f.fd, &c->tgt);
	c->dax = c->tgt.dax == 1;
	if (needs_dax && !c->dax) {
		progress_done();
		opt_die("--sync", "%s needs a DAX file system: %s is %s without DAX",
			p->sync_text, p->opt.dir, c->tgt.fstype[0] ? c->tgt.fstype : "a file system");
	}
	c->pmem_node = c->tgt.numa_node;
	if (c->pmem_node < 0 && c->tgt.blockdev[0])
		c->pmem_node = topology_blockdev_numa(c->tgt.blockdev);
	if (p->numa_text) {
		int node = c->pmem_node;

		if (node < 0)
			node = single_node(c->topo);	/* one node: it is that one */
		if (node < 0) {
			progress_done();
			opt_die("--numa", "the NUMA node of %s's device is unknown", p->opt.dir);
		}
		if (placement_resolve_numa(c->topo, &p->pl, node, err, sizeof(err))) {
			progress_done();
			opt_die("--numa", "%s: %s", p->numa_text, err);
		}
	}
	return 0;
}

/* The private trace, unless --no-trace or measurement is compiled out, and
 * only if the kernel has the flush event of the file system. */
static void sync_open_trace(struct sync_cmd *c)
{
	const struct params *p = &c->p;
	struct tracer *t = &c->t;

	if (!p->opt.no_trace && MEASURE) {
		struct dax_trace_opts to = { .prefix = "daxbench",
			.buffer_kb = (unsigned)p->opt.trace_kb, .pagecache = !c->dax };

		t->tr = dax_trace_open(&to, c->why, sizeof(c->why));
		if (!t->tr)
			fprintf(stderr, "%s: no flush accounting: %s\n", opt_progname(), c->why);
	} else {
		snprintf(c->why, sizeof(c->why), p->opt.no_trace ? "--no-trace" :
			 "measurement compiled out (DAXBENCH_NO_MEASURE)");
	}
	t->dax = c->dax;
	t->flush_ev = c->dax ? EV_WRITEBACK_ONE : EV_EXT4_WRITEPAGES_RESULT;
	if (t->tr && !dax_trace_has(t->tr, t->flush_ev)) {
		fprintf(stderr, "%s: no flush accounting: the kernel has no %s event\n",
			opt_progname(), dax_ev_name(t->flush_ev));
		snprintf(c->why, sizeof(c->why), "no %s event", dax_ev_name(t->flush_ev));
		dax_trace_close(t->tr);
		t->tr = NULL;
	}
	c->traced = t->tr != NULL;
}

/* Every repeat on a fresh file (the first one made already), its run's
 * JSON into runs and its figures into rs[]; the first file's into root. */
static void sync_repeats(struct sync_cmd *c, json_object *root, json_object *runs,
			 struct run_summary *rs)
{
	const struct params *p = &c->p;
	struct fileset *fs = &c->fs;
	char err[512];

	for (unsigned r = 0; r < p->repeat; r++) {
		if (r > 0) {
			if (daxfile_create(&fs->f, p->opt.dir, ".daxbench-sync", p->size, err, sizeof(err)))
				fatal("%s", err);
			unlink(fs->f.path);
		}
		sync_fileset_map(p, fs, c->map_sync);
		if (r == 0) {
			json_object *fj = json_object_new_object();

			json_object_object_add(fj, "size", json_object_new_uint64(p->size));
			json_object_object_add(fj, "extents", daxfile_extents_json(&fs->f));
			json_object_object_add(fj, "mappings", json_object_new_uint64(fs->nmaps));
			json_object_object_add(fj, "pmd_mappings_2m_aligned",
					       json_object_new_boolean(fs->pmd_aligned_addr));
			json_object_object_add(fj, "map_sync", json_object_new_boolean(c->map_sync));
			json_object_object_add(root, "file", fj);
		}
		if (c->t.tr) {
			dax_trace_filter_file(c->t.tr, fs->f.st_dev, fs->f.ino);
			sync_drain_discard(&c->t);
		}
		if (r == 0)
			test_stop("running");
		json_object_array_add(runs, run_once(p, c->topo, fs, &c->t, &rs[r], r));
		sync_fileset_unmap(fs);
		daxfile_remove(&fs->f);
	}
}

static json_object *params_json(const struct params *p)
{
	json_object *pj = json_object_new_object(), *a = json_object_new_array();

	json_object_object_add(pj, "dir", json_object_new_string(p->opt.dir));
	json_object_object_add(pj, "size", json_object_new_uint64(p->size));
	json_object_object_add(pj, "page", json_object_new_string(sync_page_names[p->page]));
	json_object_object_add(pj, "writers", json_object_new_int((int)p->writers));
	json_object_object_add(pj, "syncers", json_object_new_int((int)p->syncers));
	json_object_object_add(pj, "pattern", json_object_new_string(pattern_names[p->pattern]));
	json_object_object_add(pj, "zipf_theta", p->pattern == PATTERN_ZIPF ?
			       json_object_new_double(p->zipf_theta) : NULL);
	json_object_object_add(pj, "store_size", json_object_new_uint64(p->store_size));
	json_object_object_add(pj, "working_set", json_object_new_uint64(p->working_set));
	json_object_object_add(pj, "rate", p->rate ? json_object_new_uint64(p->rate) : NULL);
	for (unsigned m = 0; m < p->nmethods; m++)
		json_object_array_add(a, json_object_new_string(p->methods[m]->name));
	json_object_object_add(pj, "sync", a);
	json_object_object_add(pj, "every", p->every ? json_object_new_uint64(p->every) : NULL);
	json_object_object_add(pj, "period_ns", p->period_ns ? json_object_new_uint64(p->period_ns) : NULL);
	json_object_object_add(pj, "lockstep", json_object_new_boolean(p->lockstep));
	json_object_object_add(pj, "duration_ns", p->duration_ns ?
			       json_object_new_uint64(p->duration_ns) : NULL);
	json_object_object_add(pj, "stores_per_writer", p->stores ?
			       json_object_new_uint64(p->stores) : NULL);
	json_object_object_add(pj, "cpus", p->pin ? json_object_new_string(p->pl.text) : NULL);
	json_object_object_add(pj, "repeat", json_object_new_int((int)p->repeat));
	json_object_object_add(pj, "seed", json_object_new_uint64(p->opt.seed));
	json_object_object_add(pj, "trace_buffer_kb", json_object_new_uint64(p->opt.trace_kb));
	return pj;
}

/* The summary over repeats and, traced, its headline figures at the top
 * level of root. */
static void summary_into(json_object *root, const struct params *p,
			 struct run_summary *rs, bool traced)
{
	json_object *sj = sync_summary_json(p, rs);
	json_object *ov = json_object_object_get(sj, "overall");

	json_object_object_add(root, "summary", sj);
	if (!traced)
		return;
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

int cmd_sync(int argc, char **argv)
{
	struct sync_cmd c = { .pmem_node = -1 };
	struct params *p = &c.p;
	struct run_summary *rs;
	struct verdict verdict;
	json_object *root, *runs;
	char err[512];
	uint64_t lost = 0;
	int rc = 0;

	c.topo = topology_open(err, sizeof(err));
	if (!c.topo) {
		fprintf(stderr, "%s: cannot read the cpu topology: %s\n", opt_progname(), err);
		return 1;
	}
	sync_parse(argc, argv, p, c.topo);
	if (sync_target(&c))
		return 1;

	root = results_new("sync", argc, argv);
	json_object_object_add(root, "env", env_capture(p->opt.dir, c.fs.f.fd));
	json_object_object_add(root, "dax", json_object_new_boolean(c.dax));
	json_object_object_add(root, "measurement", json_object_new_boolean(MEASURE));
	sync_open_trace(&c);
	if (!c.dax)
		fprintf(stderr, "%s: %s is not DAX (%s): running as a page-cache baseline\n",
			opt_progname(), p->opt.dir, c.tgt.fstype);

	rs = xcalloc(p->repeat, sizeof(*rs));
	runs = json_object_new_array();
	sync_repeats(&c, root, runs, rs);
	progress_done();

	json_object_object_add(root, "trace",
			       results_trace(c.t.tr, c.traced, c.why, c.dax, &lost));
	dax_trace_close(c.t.tr);
	trace_vec_free(&c.t.tv);
	json_object_object_add(root, "params", params_json(p));
	json_object_object_add(root, "topology", topology_json(c.topo));
	json_object_object_add(root, "pmem_numa_node", c.pmem_node >= 0 ?
			       json_object_new_int(c.pmem_node) : NULL);
	json_object_object_add(root, "runs", runs);
	if (MEASURE)
		summary_into(root, p, rs, c.traced);
	verdict_init(&verdict, c.traced && MEASURE);
	for (unsigned r = 0; r < p->repeat; r++)
		verdict_merge(&verdict, &rs[r].verdict);
	if (!MEASURE)
		fc_declare(&verdict);
	verdict_json_add(&verdict, root);

	if (results_lost_refused(lost, p->opt.allow_lost, "flush accounting is incomplete")) {
		rc = 1;
	} else {
		if (!p->opt.quiet && MEASURE) {
			sync_print_table(p, &c.tgt, c.dax, c.traced, runs, rs);
			verdict_print(stdout, &verdict);
		} else if (verdict_failed(&verdict)) {
			verdict_print(stderr, &verdict);
		}
		if (results_save(&p->opt.out, root) || verdict_failed(&verdict))
			rc = 1;
	}
	free(rs);
	json_object_put(root);
	placement_free(&p->pl);
	topology_close(c.topo);
	return rc;
}
