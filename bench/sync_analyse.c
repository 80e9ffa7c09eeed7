// SPDX-License-Identifier: GPL-2.0
/*
 * daxbench sync: one run's analysis.  The flush records are attributed to
 * the sync calls (lib/attribution.c), then summed per method and overall
 * (struct mstat): the run's JSON (figures, the calls, the dirty set over
 * time) and the figures the summary over repeats needs (struct
 * run_summary).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attribution.h"
#include "dax_counts.h"
#include "flush_checks.h"
#include "hist.h"
#include "sync_methods.h"
#include "trace.h"
#include "sync.h"

#define MAX_CALLS_JSON 100000

static const char *const call_kind_names[] = { "run", "final", "idle" };

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

static const char *role_of(int32_t pid, void *arg)
{
	struct run *r = arg;

	for (unsigned i = 0; i < r->p->writers; i++)
		if (r->w[i].thr.tid == pid)
			return "writer";
	for (unsigned i = 0; i < r->p->syncers; i++)
		if (r->s[i].thr.tid == pid)
			return "syncer (outside its calls)";
	return NULL;
}

static double ratio(uint64_t a, uint64_t b)
{
	return b ? (double)a / (double)b : NAN;
}

json_object *sync_jdouble(double v)
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
	json_object_object_add(o, "stores_per_s", sync_jdouble(dur_ns ? (double)m->stores * 1e9 / (double)dur_ns : NAN));
	json_object_object_add(o, "bytes_dirtied", json_object_new_uint64(m->dirtied_pages * PAGE));
	if (traced) {
		json_object_object_add(o, "bytes_flushed", json_object_new_uint64(m->flushed_pages * PAGE));
		json_object_object_add(o, "entries_flushed", json_object_new_uint64(m->entries));
		json_object_object_add(o, "flush_amplification",
				       sync_jdouble(ratio(m->flushed_pages, m->dirtied_pages)));
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

/* One run while it is analysed: its threads' figures summed per method and
 * overall, the calls with what was attributed to them. */
struct analysis {
	const struct params *p;
	struct run *r;
	struct tracer *t;
	bool traced;
	struct mstat *ms;		/* per method, then overall: */
	struct mstat *all;		/* &ms[p->nmethods] */
	struct hist *store_lat;
	struct attr_call *ac;		/* every call, syncer by syncer */
	size_t ncalls;
	uint64_t t_end, w_end;		/* of the last syncer, of the last writer */
	uint64_t stores, busy_w, busy_s;
	struct attr_result ares;
	struct attr_faults af;
	struct dax_counts counts;
	bool exact;
};

/* The writers' stores and latencies, the syncers' calls, per method. */
static void sum_threads(struct analysis *a)
{
	const struct params *p = a->p;
	struct run *r = a->r;
	struct mstat *ms = a->ms, *all = a->all;

	for (unsigned m = 0; m <= p->nmethods; m++) {
		ms[m].name = m < p->nmethods ? p->methods[m]->name : "overall";
		hist_init(&ms[m].lat);
		hist_init(&ms[m].flushed);
	}
	for (unsigned i = 0; i < p->writers; i++) {
		struct writer *w = &r->w[i];
		unsigned m = (i % p->syncers) % p->nmethods;
		uint64_t busy = w->t_end - w->t_start - w->wait_ns;

		hist_merge(a->store_lat, &w->lat);
		a->stores += w->stores;
		a->busy_w += busy;
		ms[m].stores += w->stores;
		ms[m].writers++;
		all->stores += w->stores;
		all->writers++;
		if (w->t_end > a->w_end)
			a->w_end = w->t_end;
	}
	for (unsigned j = 0; j < p->syncers; j++) {
		struct syncer *s = &r->s[j];

		a->ncalls += s->ncalls;
		a->busy_s += s->t_end - s->t_start - s->wait_ns;
		if (s->t_end > a->t_end)
			a->t_end = s->t_end;
		ms[j % p->nmethods].syncers++;
		all->syncers++;
	}
}

/* The flush records to the calls, the writers' faults, the event counts. */
static void attribute(struct analysis *a)
{
	const struct params *p = a->p;
	struct run *r = a->r;
	struct tracer *t = a->t;
	size_t k = 0;

	a->ac = xcalloc(a->ncalls, sizeof(*a->ac));
	for (unsigned j = 0; j < p->syncers; j++)
		for (size_t c = 0; c < r->s[j].ncalls; c++, k++)
			a->ac[k] = (struct attr_call){ .pid = r->s[j].thr.tid,
				.t_start = r->s[j].calls[c].t_start,
				.t_end = r->s[j].calls[c].t_end };
	attr_faults_init(&a->af);
	if (a->traced) {
		struct attr_index *ix = attr_index_new(a->ac, a->ncalls);
		int32_t *pids = xcalloc(p->writers, sizeof(*pids));

		if (!ix)
			fatal("out of memory");
		attr_flushes(ix, t->tv.v, t->tv.n, t->flush_ev, &a->ares);
		a->exact = attr_exact(a->ac, a->ncalls, &a->ares);
		attr_index_free(ix);
		for (unsigned i = 0; i < p->writers; i++)
			pids[i] = r->w[i].thr.tid;
		if (attr_faults_add(&a->af, t->tv.v, t->tv.n, pids, p->writers) < 0)
			fatal("out of memory");
		free(pids);
		dax_counts_add_all(&a->counts, &t->tv);
	}
}

/* Each call's figures into its method's and the overall ones. */
static void sum_calls(struct analysis *a)
{
	const struct params *p = a->p;
	struct mstat *all = a->all;
	size_t k = 0;

	for (unsigned j = 0; j < p->syncers; j++) {
		struct syncer *s = &a->r->s[j];
		struct mstat *m = &a->ms[j % p->nmethods];

		for (size_t c = 0; c < s->ncalls; c++, k++) {
			const struct call_rec *cr = &s->calls[c];
			const struct attr_call *ac = &a->ac[k];

			for (int x = 0; x < 2; x++) {
				struct mstat *mm = x ? all : m;

				mm->calls_all++;
				mm->syscalls += cr->syscalls;
				mm->dirtied_pages += cr->dirtied_pages;
				mm->flushed_pages += ac->pages;
				mm->entries += ac->entries;
				if (cr->kind == CALL_RUN) {
					mm->calls++;
					hist_record(&mm->flushed, ac->pages * PAGE);
				}
				if (cr->no_store) {
					mm->no_store_calls++;
					mm->no_store_flushed += ac->pages;
				}
				if (cr->no_store_racing) {
					mm->no_store_racing_calls++;
					mm->no_store_racing_flushed += ac->pages;
				}
				if (cr->kind == CALL_IDLE) {
					mm->idle_calls++;
					mm->idle_syscalls += cr->syscalls;
					mm->idle_flushed += ac->pages;
				}
			}
		}
		hist_merge(&m->lat, &s->lat);
		hist_merge(&all->lat, &s->lat);
	}
}

/* The run's totals (and those the summary takes from them). */
static void totals_json(const struct analysis *a, json_object *o,
			uint64_t prefill_ns, struct run_summary *sum)
{
	const struct params *p = a->p;
	uint64_t dur = a->w_end - a->r->t0, made = 0;
	uint64_t stores = a->stores;

	json_object_object_add(o, "measurement", json_object_new_boolean(MEASURE));
	json_object_object_add(o, "prefill_ns", json_object_new_uint64(prefill_ns));
	json_object_object_add(o, "duration_ns", json_object_new_uint64(dur));
	json_object_object_add(o, "duration_with_final_and_idle_ns",
			       json_object_new_uint64(a->t_end - a->r->t0));
	json_object_object_add(o, "stores", json_object_new_uint64(stores));
	json_object_object_add(o, "bytes_stored", json_object_new_uint64(stores * p->store_size));
	json_object_object_add(o, "stores_per_s", sync_jdouble(dur ? (double)stores * 1e9 / (double)dur : NAN));
	json_object_object_add(o, "bytes_stored_per_s",
			       sync_jdouble(dur ? (double)stores * (double)p->store_size * 1e9 / (double)dur : NAN));
	json_object_object_add(o, "writers_busy_ns", json_object_new_uint64(a->busy_w));
	json_object_object_add(o, "syncers_busy_ns", json_object_new_uint64(a->busy_s));
	for (unsigned j = 0; j < p->syncers; j++)
		made += a->r->s[j].ncalls_made;
	json_object_object_add(o, "sync_calls_made", json_object_new_uint64(made));
	sum->calls = made;
	sum->writers_busy_ns = a->busy_w;
	sum->syncers_busy_ns = a->busy_s;
	sum->stores = stores;
}

/* The store latency, and the figures by method and overall. */
static void methods_json(const struct analysis *a, json_object *o)
{
	const struct params *p = a->p;
	uint64_t dur = a->w_end - a->r->t0;
	json_object *bym = json_object_new_object(), *sj = json_object_new_object();

	json_object_object_add(o, "store_latency", hist_to_json(a->store_lat, "ns"));
	for (unsigned m = 0; m < p->nmethods; m++)
		json_object_object_add(bym, a->ms[m].name,
				       mstat_json(&a->ms[m], p->methods[m], a->traced, dur));
	json_object_object_add(sj, "by_method", bym);
	json_object_object_add(sj, "overall", mstat_json(a->all, NULL, a->traced, dur));
	json_object_object_add(o, "sync", sj);
}

/* What the trace says: faults, event counts, attribution, amplification,
 * the syncs that must flush nothing. */
static void trace_json(struct analysis *a, json_object *o)
{
	const struct mstat *all = a->all;
	struct tracer *t = a->t;
	json_object *c = dax_counts_json(&a->counts, t->dax), *ns;

	json_object_object_add(o, "write_fault_latency", t->dax ?
			       attr_faults_json(&a->af) : NULL);
	json_object_object_foreach(c, key, v)
		json_object_object_add(o, key, json_object_get(v));
	json_object_put(c);
	json_object_object_add(o, "attribution",
		attr_result_json(&a->ares, dax_ev_name(t->flush_ev), a->exact, role_of, a->r));
	json_object_object_add(o, "flush_amplification",
			       sync_jdouble(ratio(all->flushed_pages, all->dirtied_pages)));
	ns = json_object_new_object();
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

/* The calls themselves (the first MAX_CALLS_JSON). */
static void calls_json(const struct analysis *a, json_object *o)
{
	const struct run *r = a->r;
	json_object *arr = json_object_new_array();
	size_t k = 0;

	for (unsigned j = 0; j < a->p->syncers; j++)
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
			json_object_object_add(x, "flushed_bytes", a->traced ?
				json_object_new_uint64(a->ac[k].pages * PAGE) : NULL);
			json_object_object_add(x, "entries", a->traced ?
				json_object_new_uint64(a->ac[k].entries) : NULL);
			json_object_object_add(x, "ranges", json_object_new_uint64(cr->nranges));
			json_object_object_add(x, "syscalls", json_object_new_uint64(cr->syscalls));
			json_object_object_add(x, "no_store", json_object_new_boolean(cr->no_store));
			json_object_object_add(x, "racing", json_object_new_boolean(cr->racing));
			json_object_array_add(arr, x);
		}
	json_object_object_add(o, "calls", arr);
	json_object_object_add(o, "calls_truncated",
			       json_object_new_boolean(a->ncalls > MAX_CALLS_JSON));
}

/* DAXBENCH_SYNC_DUMP=FILE: every record and call, one a line. */
static void dump_records(const struct analysis *a, const char *path)
{
	const struct trace_vec *tv = &a->t->tv;
	const struct run *r = a->r;
	FILE *df = fopen(path, "w");

	for (size_t i = 0; df && i < tv->n; i++) {
		const struct trace_rec *x = &tv->v[i];

		fprintf(df, "%llu %d %d %s %llu %llu 0x%x 0x%x\n", (unsigned long long)x->ts,
			x->pid, x->cpu, dax_ev_name(x->ev), (unsigned long long)x->pgoff,
			(unsigned long long)x->pglen, x->flags, x->result);
	}
	for (unsigned j = 0; df && j < a->p->syncers; j++)
		for (size_t c = 0; c < r->s[j].ncalls; c++)
			fprintf(df, "%llu %d - CALL %llu 0 0 0\n%llu %d - END 0 0 0 0\n",
				(unsigned long long)r->s[j].calls[c].t_start, r->s[j].thr.tid,
				(unsigned long long)c, (unsigned long long)r->s[j].calls[c].t_end, r->s[j].thr.tid);
	if (df)
		fclose(df);
}

/* The calls by the time bucket they ended in. */
struct buckets {
	uint64_t syncs[SERIES_BUCKETS], dirt[SERIES_BUCKETS];
	uint64_t flu[SERIES_BUCKETS], fresh[SERIES_BUCKETS];
};

static void fill_buckets(const struct analysis *a, uint64_t bucket,
			 struct buckets *bk)
{
	const struct run *r = a->r;
	size_t k = 0;

	for (unsigned j = 0; j < a->p->syncers; j++)
		for (size_t c = 0; c < r->s[j].ncalls; c++, k++) {
			const struct call_rec *cr = &r->s[j].calls[c];
			uint64_t b = (cr->t_end - r->t0) / bucket;

			if (b >= SERIES_BUCKETS)
				b = SERIES_BUCKETS - 1;
			bk->syncs[b]++;
			bk->dirt[b] += cr->dirtied_pages;
			bk->fresh[b] += cr->new_pages;
			bk->flu[b] += a->ac[k].pages;
		}
}

/* The dirty set over time: a row per bucket, the kernel's dirty set
 * replayed from the records when they are DAX's. */
static json_object *dirty_set_json(const struct analysis *a,
				   struct run_summary *sum)
{
	static const char *const names[] = {
		"t_end_ns", "syncs", "dirtied_bytes", "flushed_bytes",
		"dirtied_cum_bytes", "flushed_cum_bytes",
		"dirty_union_bytes", "kernel_dirty_bytes",
	};
	const struct run *r = a->r;
	const struct trace_vec *tv = &a->t->tv;
	uint64_t span = a->t_end > r->t0 ? a->t_end - r->t0 : 1;
	uint64_t bucket = (span + SERIES_BUCKETS - 1) / SERIES_BUCKETS;
	uint64_t kd[SERIES_BUCKETS] = { 0 };
	struct buckets bk = { 0 };
	json_object *ser = json_object_new_object(), *rows = json_object_new_array();
	json_object *cols = json_object_new_array();
	struct attr_dirty ad;
	bool replay = a->traced && a->t->dax;
	size_t e = 0;
	uint64_t cum = 0, cumf = 0, cumd = 0;

	fill_buckets(a, bucket, &bk);
	if (replay && attr_dirty_init(&ad, r->npages) < 0)
		fatal("out of memory");
	for (unsigned b = 0; b < SERIES_BUCKETS; b++) {
		uint64_t end = r->t0 + (b + 1) * bucket;
		json_object *row = json_object_new_array();

		if (replay) {
			for (; e < tv->n && tv->v[e].ts <= end; e++)
				if (attr_dirty_add(&ad, &tv->v[e]) < 0)
					fatal("out of memory");
			kd[b] = ad.dirty;
		}
		cum += bk.fresh[b];
		cumf += bk.flu[b];
		cumd += bk.dirt[b];
		json_object_array_add(row, json_object_new_uint64((b + 1) * bucket));
		json_object_array_add(row, json_object_new_uint64(bk.syncs[b]));
		json_object_array_add(row, json_object_new_uint64(bk.dirt[b] * PAGE));
		json_object_array_add(row, a->traced ? json_object_new_uint64(bk.flu[b] * PAGE) : NULL);
		json_object_array_add(row, json_object_new_uint64(cumd * PAGE));
		json_object_array_add(row, a->traced ? json_object_new_uint64(cumf * PAGE) : NULL);
		json_object_array_add(row, json_object_new_uint64(cum * PAGE));
		json_object_array_add(row, replay ? json_object_new_uint64(kd[b] * PAGE) : NULL);
		json_object_array_add(rows, row);
	}
	if (replay) {
		for (; e < tv->n; e++)
			attr_dirty_add(&ad, &tv->v[e]);
		sum->kernel_dirty_end = ad.dirty * PAGE;
	}
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
	if (replay)
		attr_dirty_free(&ad);
	return ser;
}

/* The figures the summary over repeats takes from this run. */
static void summarise(const struct analysis *a, json_object *probe,
		      struct run_summary *sum)
{
	const struct params *p = a->p;
	const struct mstat *ms = a->ms, *all = a->all;
	uint64_t dur = a->w_end - a->r->t0;

	for (unsigned m = 0; m <= p->nmethods; m++) {
		sum->amp[m] = ratio(ms[m].flushed_pages, ms[m].dirtied_pages);
		sum->sync_p50[m] = ms[m].lat.count ? (double)hq(&ms[m].lat, 0.5) : NAN;
		sum->sync_p99[m] = ms[m].lat.count ? (double)hq(&ms[m].lat, 0.99) : NAN;
		sum->stores_per_s[m] = dur ? (double)ms[m].stores * 1e9 / (double)dur : NAN;
	}
	sum->store_p50 = a->store_lat->count ? (double)hq(a->store_lat, 0.5) : NAN;
	sum->fault_pte_p50 = a->af.pte.count ? (double)hq(&a->af.pte, 0.5) : NAN;
	sum->fault_pmd_p50 = a->af.pmd.count ? (double)hq(&a->af.pmd, 0.5) : NAN;
	sum->idle_flushed = all->idle_flushed * PAGE;
	sum->no_store_flushed = all->no_store_flushed * PAGE;
	sum->no_store_calls = all->no_store_calls;
	sum->no_store_racing_flushed = all->no_store_racing_flushed * PAGE;
	sum->flushed = all->flushed_pages * PAGE;
	sum->dirtied = all->dirtied_pages * PAGE;
	sum->unattributed = a->ares.unattributed_pages * PAGE;
	sum->exact = a->exact;
	sum->traced = a->traced;
	sum->probe_ok = -1;
	if (probe) {
		json_object *x;

		if (json_object_object_get_ex(probe, "every_page_flushed", &x) && x)
			sum->probe_ok = json_object_get_boolean(x);
	}
}

/* The run's verdict on the invariants of flush_checks.h (after the dirty
 * set's replay, whose end it takes). */
static void check_run(const struct analysis *a, struct run_summary *sum)
{
	const struct params *p = a->p;
	const struct run *r = a->r;
	const struct trace_vec *tv = &a->t->tv;
	struct fc_call *fc = xcalloc(a->ncalls, sizeof(*fc));
	bool kernel_calls = true;
	size_t k = 0;

	verdict_init(&sum->verdict, a->traced);
	if (!a->traced) {
		fc_declare(&sum->verdict);
		free(fc);
		return;
	}
	for (unsigned j = 0; j < p->syncers; j++)
		for (size_t c = 0; c < r->s[j].ncalls; c++, k++) {
			const struct call_rec *cr = &r->s[j].calls[c];

			fc[k] = (struct fc_call){ .t_start = cr->t_start,
				.t_end = cr->t_end, .syncer = j,
				.kernel_call = r->s[j].ops->kernel_call,
				.quiet = cr->quiet, .idle = cr->kind == CALL_IDLE,
				.no_store = cr->no_store,
				.dirtied_pages = cr->dirtied_pages,
				.flushed_pages = a->ac[k].pages };
		}
	for (unsigned m = 0; m < p->nmethods; m++)
		kernel_calls &= p->methods[m]->kernel_call;
	fc_sync_calls(&sum->verdict, fc, a->ncalls, a->t->dax);
	free(fc);
	if (!a->t->dax) {
		verdict_not_applicable(&sum->verdict, FC_INSIDE, fc_inside_text,
				       "page cache: its writeback records carry no page range");
		verdict_not_applicable(&sum->verdict, FC_WRITTEN, fc_written_text,
				       "page cache: its writeback records carry no page range");
		return;
	}
	fc_inside(&sum->verdict, tv->v, tv->n, r->npages);
	if (!kernel_calls)
		verdict_not_applicable(&sum->verdict, FC_WRITTEN, fc_written_text,
				       "mapsync: persistence is done in user space, the kernel's entries stay dirty");
	else if (fc_written(&sum->verdict, r->union_bits, r->npages, tv->v, tv->n,
			    sum->kernel_dirty_end / PAGE) < 0)
		fatal("out of memory");
}

/* Everything about one run: JSON, and the figures for the summary. */
json_object *sync_analyse(const struct params *p, struct run *r,
			    struct tracer *t, struct run_summary *sum,
			    json_object *probe, uint64_t prefill_ns)
{
	struct analysis a = {
		.p = p, .r = r, .t = t, .traced = t->tr != NULL,
		.ms = xcalloc(p->nmethods + 1, sizeof(*a.ms)),
		.store_lat = xaligned(sizeof(struct hist)),
		.t_end = r->t0, .w_end = r->t0, .exact = true,
	};
	json_object *o = json_object_new_object();

	a.all = &a.ms[p->nmethods];
	memset(sum, 0, sizeof(*sum));
	hist_init(a.store_lat);
	sum_threads(&a);
	attribute(&a);
	sum_calls(&a);
	totals_json(&a, o, prefill_ns, sum);
	if (MEASURE)
		methods_json(&a, o);
	if (a.traced && MEASURE)
		trace_json(&a, o);
	if (MEASURE)
		calls_json(&a, o);
	if (getenv("DAXBENCH_SYNC_DUMP"))
		dump_records(&a, getenv("DAXBENCH_SYNC_DUMP"));
	if (MEASURE)
		json_object_object_add(o, "dirty_set", dirty_set_json(&a, sum));
	json_object_object_add(o, "pte_then_pmd", probe ? probe : NULL);
	summarise(&a, probe, sum);
	if (MEASURE) {
		check_run(&a, sum);
		verdict_json_add(&sum->verdict, o);
	} else {
		verdict_init(&sum->verdict, false);
	}
	attr_faults_free(&a.af);
	free(a.ac);
	free(a.ms);
	free(a.store_lat);
	return o;
}
