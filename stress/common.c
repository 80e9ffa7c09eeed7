// SPDX-License-Identifier: GPL-2.0
/* daxstress: what the scenarios share (see daxstress.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "daxstress.h"
#include "opts.h"

#define MAX_FAIL_MSGS 50
#define SAMPLE_CAP (1u << 18)	/* oracle samples kept per check */

/* ------------------------------------------------------------------ */
/* reporting */

static void vline(struct sctx *c, bool fail, const char *fmt, va_list ap)
{
	char msg[2048];
	char *p;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	for (p = msg; *p; p++)
		if (*p == '\n')
			*p = ' ';
	if (fail)
		printf("# %s: iteration %u: %s\n", c->sc->name, c->iter, msg);
	else
		printf("# %s: %s\n", c->sc->name, msg);
	fflush(stdout);
	if (fail && c->failures && c->nfail_msgs < MAX_FAIL_MSGS) {
		char j[2100];

		snprintf(j, sizeof(j), "iteration %u: %s", c->iter, msg);
		json_object_array_add(c->failures, json_object_new_string(j));
		c->nfail_msgs++;
	}
}

void sc_fail(struct sctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline(c, true, fmt, ap);
	va_end(ap);
	if (!c->failed)
		c->first_failed_iter = (int)c->iter;
	c->failed = true;
}

void sc_diag(struct sctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline(c, false, fmt, ap);
	va_end(ap);
}

/* ------------------------------------------------------------------ */
/* iterations */

bool sc_next_iteration(struct sctx *c)
{
	if (c->started) {
		if (c->max_iter && c->started >= c->max_iter)
			return false;
		if (c->deadline && now_ns() >= c->deadline)
			return false;
	}
	c->iter = c->started++;
	return true;
}

void sc_iteration_done(struct sctx *c)
{
	c->iterations++;
}

uint64_t sc_time_left(const struct sctx *c)
{
	uint64_t t = now_ns();

	if (!c->deadline)
		return UINT64_MAX;
	return c->deadline > t ? c->deadline - t : 0;
}

enum page_mode sc_page_mode(const struct sctx *c)
{
	switch (c->o.page) {
	case PS_PMD:
		return PAGE_PMD;
	case PS_PTE:
		return PAGE_PTE;
	default:
		return c->iter % 2 ? PAGE_PTE : PAGE_PMD;
	}
}

const char *sc_mode_name(enum page_mode m)
{
	return page_mode_names[m];
}

void sc_rng(const struct sctx *c, struct rng *r, uint64_t salt)
{
	r->s = c->seed ^ ((uint64_t)c->iter * 0xd1342543de82ef95ull) ^
	       (salt * 0x9e3779b97f4a7c15ull);
	rng_next(r);
	r->s ^= rng_next(r);
}

/* ------------------------------------------------------------------ */
/* the file */

int sc_file_create(struct sctx *c, struct daxfile *f)
{
	char name[128], err[512];

	snprintf(name, sizeof(name), ".daxstress-%s-%d", c->sc->name,
		 (int)getpid());
	if (daxfile_create(f, c->o.dir, name, c->size, err, sizeof(err))) {
		sc_fail(c, "%s", err);
		return -1;
	}
	unlink(f->path);	/* gone on every exit path, even a signal */
	if (c->tr) {
		struct trace_vec tv = { 0 };

		dax_trace_filter_file(c->tr, f->st_dev, f->ino);
		dax_trace_drain(c->tr, &tv);	/* discard setup events */
		trace_vec_free(&tv);
	}
	return 0;
}

int sc_map(struct sctx *c, struct mapping *m, const struct daxfile *f,
	   enum page_mode mode)
{
	char err[512];

	if (mapping_map(m, f, 0, f->size, mode, false, err, sizeof(err))) {
		sc_fail(c, "%s", err);
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* collector */

static int vec_push(struct trace_vec *v, const struct trace_rec *r)
{
	if (v->n == v->cap) {
		size_t nc = v->cap ? v->cap * 2 : 4096;
		struct trace_rec *p = realloc(v->v, nc * sizeof(*p));

		if (!p)
			return -1;
		v->v = p;
		v->cap = nc;
	}
	v->v[v->n++] = *r;
	return 0;
}

static int co_drain(struct collector *co)
{
	co->tmp.n = 0;
	if (dax_trace_drain(co->tr, &co->tmp) < 0)
		return -1;
	for (size_t i = 0; i < co->tmp.n; i++) {
		const struct trace_rec *r = &co->tmp.v[i];

		dax_counts_add(&co->counts, r);
		if (r->ev < 64 && (co->keep_mask & EVBIT(r->ev)) &&
		    vec_push(&co->keep, r))
			return -1;
	}
	return 0;
}

static void *co_main(void *arg)
{
	struct collector *co = arg;

	while (!__atomic_load_n(&co->stop, __ATOMIC_ACQUIRE)) {
		wl_sleep_ns(20000000);
		if (co_drain(co)) {
			co->err = errno ? errno : EIO;
			break;
		}
	}
	return NULL;
}

int collector_start(struct collector *co, const struct sctx *c,
		    uint64_t keep_mask, bool threaded)
{
	struct dax_trace *tr = c->tr;

	memset(co, 0, sizeof(*co));
	co->tr = tr;
	co->keep_mask = keep_mask;
	co->inject_unflushed = c->o.inject == INJ_UNFLUSHED;
	/* writebacks kept: keep their flushes too, to pair them at the end */
	if ((keep_mask & EVBIT(EV_WRITEBACK_ONE)) && dax_trace_flush_timed(tr, NULL))
		co->keep_mask |= EVBIT(EV_FLUSH_RET) | EVBIT(EV_FLUSH_ENTRY);
	if (!tr || !threaded)
		return 0;
	if (pthread_create(&co->th, NULL, co_main, co))
		return -1;
	co->threaded = true;
	return 0;
}

struct inj_thread {
	int32_t pid;
	size_t ret, entry;	/* indices since its last writeback, or
				 * SIZE_MAX */
};

/* --inject unflushed: in the time-sorted records, drop the flush records
 * (return, and the entry before it) that each second writeback of the run
 * would be paired with, as if that writeback had made no flush.  Returns
 * the writebacks so robbed, or -1 (out of memory). */
static int64_t inject_unflushed(struct trace_vec *tv)
{
	struct inj_thread *th = NULL;
	size_t nth = 0, k = 0, out = 0;
	uint8_t *drop = calloc(tv->n + 1, 1);
	uint64_t nwb = 0;
	int64_t robbed = 0;

	if (!drop)
		return -1;
	for (size_t i = 0; i < tv->n; i++) {
		const struct trace_rec *r = &tv->v[i];
		struct inj_thread *t = NULL;

		if (r->ev != EV_FLUSH_RET && r->ev != EV_FLUSH_ENTRY &&
		    r->ev != EV_WRITEBACK_ONE)
			continue;
		for (k = 0; k < nth; k++)
			if (th[k].pid == r->pid)
				t = &th[k];
		if (!t) {
			struct inj_thread *n = realloc(th, (nth + 1) * sizeof(*th));

			if (!n) {
				free(th);
				free(drop);
				return -1;
			}
			th = n;
			t = &th[nth++];
			*t = (struct inj_thread){ r->pid, SIZE_MAX, SIZE_MAX };
		}
		if (r->ev == EV_FLUSH_ENTRY) {
			t->entry = i;
		} else if (r->ev == EV_FLUSH_RET) {
			t->ret = i;
		} else {
			if (nwb++ % 2 && t->ret != SIZE_MAX) {
				drop[t->ret] = 1;
				if (t->entry != SIZE_MAX && t->entry < t->ret)
					drop[t->entry] = 1;
				robbed++;
			}
			t->ret = t->entry = SIZE_MAX;
		}
	}
	for (size_t i = 0; i < tv->n; i++)
		if (!drop[i])
			tv->v[out++] = tv->v[i];
	tv->n = out;
	free(th);
	free(drop);
	return robbed;
}

int collector_finish(struct collector *co)
{
	if (co->threaded) {
		__atomic_store_n(&co->stop, 1, __ATOMIC_RELEASE);
		pthread_join(co->th, NULL);
		co->threaded = false;
	}
	if (!co->tr)
		return 0;
	if (co->err) {
		errno = co->err;
		return -1;
	}
	if (co_drain(co))
		return -1;
	/* every record of the run is here now: sort (drains overlap in
	 * time) and give each writeback its flush */
	if (!(co->keep_mask & EVBIT(EV_FLUSH_RET)))
		return 0;
	if (co->inject_unflushed) {
		int64_t n;

		if (dax_trace_pair_flushes(&co->keep, NULL))	/* sorts */
			return -1;
		n = inject_unflushed(&co->keep);
		if (n < 0) {
			errno = ENOMEM;
			return -1;
		}
		co->injected = (uint64_t)n;
	}
	return dax_trace_pair_flushes(&co->keep, &co->pairing);
}

void collector_free(struct collector *co)
{
	trace_vec_free(&co->keep);
	trace_vec_free(&co->tmp);
}

bool sc_check_lost(struct sctx *c)
{
	uint64_t lost, now;

	if (!c->tr)
		return true;
	if (c->flush_rule) {
		/* a missed probe hit is a flush without its record: the rule
		 * would call its writeback unflushed */
		uint64_t m = dax_trace_flush_missed(c->tr), d;

		d = m > c->flush_missed_base ? m - c->flush_missed_base : 0;
		c->flush_missed_base = m;
		c->flush_missed += d;
		if (d && c->o.allow_lost) {
			sc_diag(c, "iteration %u: the dax_flush probes missed %"
				PRIu64 " hits (--allow-lost-events: unflushed "
				"violations may be false)", c->iter, d);
		} else if (d) {
			sc_fail(c, "the dax_flush probes missed %" PRIu64 " hits "
				"(kprobe_profile): the unflushed rule cannot be "
				"trusted; pass --allow-lost-events to go on", d);
			return false;
		}
	}
	now = dax_trace_lost(c->tr);
	lost = now - c->lost_base;
	c->lost_base = now;
	if (!lost)
		return true;
	c->lost_events += lost;
	if (c->o.allow_lost) {
		sc_diag(c, "iteration %u: %" PRIu64 " trace events lost "
			"(--allow-lost-events: violations may be false)",
			c->iter, lost);
		return true;
	}
	sc_fail(c, "%" PRIu64 " trace events were lost: the oracle cannot be "
		"trusted; raise --trace-buffer (now %" PRIu64 "K per cpu) or "
		"pass --allow-lost-events", lost, c->o.trace_kb);
	return false;
}

/* ------------------------------------------------------------------ */
/* bitmaps */

void bitmap_set(uint8_t *b, uint64_t i)
{
	b[i >> 3] |= (uint8_t)(1u << (i & 7));
}

bool bitmap_test(const uint8_t *b, uint64_t i)
{
	return b[i >> 3] & (1u << (i & 7));
}

uint64_t bitmap_count(const uint8_t *b, uint64_t n)
{
	uint64_t k = 0;

	for (uint64_t i = 0; b && i < n / 8; i++)
		k += (uint64_t)__builtin_popcount(b[i]);
	for (uint64_t i = n / 8 * 8; b && i < n; i++)
		k += bitmap_test(b, i);
	return k;
}

bool sc_viol_pages(struct sctx *c)
{
	if (!c->viol_pages)
		c->viol_pages = calloc((c->npages + 7) / 8 + 1, 1);
	if (!c->viol_pages)
		sc_fail(c, "out of memory for the violating-page set");
	return c->viol_pages != NULL;
}

json_object *bitmap_ranges_json(const uint8_t *b, uint64_t n, size_t max,
				bool *truncated)
{
	json_object *a = json_object_new_array();
	size_t k = 0;

	if (truncated)
		*truncated = false;
	if (!b)
		return a;
	for (uint64_t i = 0; i < n; i++) {
		uint64_t j;
		json_object *r;

		if (!bitmap_test(b, i))
			continue;
		for (j = i; j + 1 < n && bitmap_test(b, j + 1); j++)
			;
		if (k++ == max) {
			json_object_array_add(a, NULL);	/* truncated */
			if (truncated)
				*truncated = true;
			break;
		}
		r = json_object_new_array();
		json_object_array_add(r, ju64(i));
		json_object_array_add(r, ju64(j));
		json_object_array_add(a, r);
		i = j;
	}
	return a;
}

/* ------------------------------------------------------------------ */
/* the oracle */

/* The report of one violation (pair: unfl NULL; else unflushed), as
 * lines; *text (may be NULL) gets them as a JSON array. */
static void print_sample(const struct oracle_report *r,
			 const struct oracle_violation *v,
			 const struct oracle_unflushed *u, json_object **text)
{
	char *buf = NULL, *line, *save = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	if (text)
		*text = json_object_new_array();
	if (!m)
		return;
	if (u)
		oracle_unflushed_print(m, r, u);
	else
		oracle_violation_print(m, r, v);
	fclose(m);
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		printf("#   %s\n", line);
		if (text && *text)
			json_object_array_add(*text, json_object_new_string(line));
	}
	free(buf);
}

/* --dump DIR: the streams of the first failing iteration as CSV files
 * NAME-iter-N-{stores,syncs,events}.csv (times: CLOCK_MONOTONIC ns). */
static void dump_streams(struct sctx *c, const struct check_in *in)
{
	char path[4200];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s-iter-%u-stores.csv", c->o.dump_dir,
		 c->sc->name, c->iter);
	if ((f = fopen(path, "w"))) {
		fprintf(f, "thread,pgoff,t_before,t_after\n");
		for (size_t i = 0; i < in->nsl; i++)
			for (size_t k = 0; k < in->sl[i]->n; k++)
				fprintf(f, "%zu,%" PRIu64 ",%" PRIu64 ",%" PRIu64 "\n", i,
					in->sl[i]->v[k].pg, in->sl[i]->v[k].tb,
					in->sl[i]->v[k].ta);
		fclose(f);
	}
	snprintf(path, sizeof(path), "%s/%s-iter-%u-syncs.csv", c->o.dump_dir,
		 c->sc->name, c->iter);
	if ((f = fopen(path, "w"))) {
		fprintf(f, "tid,kind,first,npages,t_start,t_end,errno\n");
		for (size_t i = 0; i < in->nyl; i++)
			for (size_t k = 0; k < in->yl[i]->n; k++) {
				const struct sync_rec *y = &in->yl[i]->v[k];

				fprintf(f, "%d,%s,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%"
					PRIu64 ",%d\n", y->tid,
					oracle_sync_kind_name(y->kind), y->first,
					y->npages, y->ts, y->te, y->err);
			}
		fclose(f);
	}
	snprintf(path, sizeof(path), "%s/%s-iter-%u-events.csv", c->o.dump_dir,
		 c->sc->name, c->iter);
	if ((f = fopen(path, "w"))) {
		/* flush_ts, flush_size: writebacks paired with their
		 * dax_flush return (dax_flush_return records) and that
		 * flush's size (dax_flush_entry records: their size
		 * argument), else 0 */
		fprintf(f, "ts,pid,cpu,event,pgoff,pglen,address,result,flush_ts,"
			"flush_size\n");
		for (size_t i = 0; in->ev && i < in->ev->n; i++) {
			const struct trace_rec *r = &in->ev->v[i];

			fprintf(f, "%" PRIu64 ",%d,%d,%s,%" PRIu64 ",%" PRIu64 ",%#"
				PRIx64 ",%#x,%" PRIu64 ",%" PRIu64 "\n", r->ts, r->pid,
				r->cpu, dax_ev_name(r->ev), r->pgoff, r->pglen,
				r->address, (unsigned)r->result, r->flush_ts,
				r->flush_size);
		}
		for (size_t i = 0; i < in->nextra; i++)
			fprintf(f, "%" PRIu64 ",-1,-1,synthetic,%" PRIu64 ",%" PRIu64
				",0,0,0,0\n", in->extra[i].ts, in->extra[i].pgoff,
				in->extra[i].pglen);
		fclose(f);
	}
	sc_diag(c, "iteration %u: streams written to %s/%s-iter-%u-*.csv",
		c->iter, c->o.dump_dir, c->sc->name, c->iter);
}

/* The first violation of class k in this scenario, when r has one: TAP
 * lines and c->first_class[k]. */
static void first_of_class(struct sctx *c, const struct oracle_report *r,
			   enum oracle_class k)
{
	size_t f = r->first[k];
	json_object *j, *text = NULL;

	if (c->first_class[k] || !r->by_class[k] ||
	    (k == ORACLE_UNFLUSHED ? f >= r->nunfl : f >= r->nviol))
		return;
	printf("# %s: first %s violation (iteration %u, %" PRIu64 " in it):\n",
	       c->sc->name, oracle_class_name(k), c->iter, r->by_class[k]);
	print_sample(r, k == ORACLE_UNFLUSHED ? NULL : &r->viol[f],
		     k == ORACLE_UNFLUSHED ? &r->unfl[f] : NULL, &text);
	j = json_object_new_object();
	json_object_object_add(j, "iteration", ju64(c->iter));
	json_object_object_add(j, "text", text);
	json_object_object_add(j, "sample", k == ORACLE_UNFLUSHED ?
			       oracle_unflushed_json(&r->unfl[f]) :
			       oracle_violation_json(&r->viol[f]));
	c->first_class[k] = j;
}

int64_t sc_check(struct sctx *c, const struct check_in *in)
{
	struct oracle *o = oracle_new(c->npages);
	struct oracle_report r;
	uint64_t nstores = 0, bad_syncs = 0;
	int first_err = 0;
	size_t max;
	int64_t v;

	if (!o) {
		sc_fail(c, "oracle: out of memory");
		return -1;
	}
	for (size_t i = 0; i < in->nsl; i++)
		for (size_t k = 0; k < in->sl[i]->n; k++) {
			const struct store_rec *s = &in->sl[i]->v[k];

			if (oracle_add_store(o, s->pg, s->tb, s->ta))
				goto fail;
			nstores++;
		}
	for (size_t i = 0; i < in->nyl; i++)
		for (size_t k = 0; k < in->yl[i]->n; k++) {
			const struct sync_rec *y = &in->yl[i]->v[k];

			if (y->err) {	/* a failed call promises nothing */
				if (!bad_syncs++)
					first_err = y->err;
				continue;
			}
			if (oracle_add_sync(o, y->ts, y->te, y->tid, y->kind,
					    y->first, y->npages))
				goto fail;
		}
	if (bad_syncs)
		sc_fail(c, "%" PRIu64 " sync call(s) failed (first: %s)",
			bad_syncs, strerror(first_err));
	if (in->ev && oracle_add_events(o, in->ev->v, in->ev->n) < 0)
		goto fail;
	/* counted by the pairing (0 and 0: no flush probes) */
	if (in->pairing) {
		c->wb_paired += in->pairing->paired;
		c->wb_unpaired += in->pairing->unpaired;
	}
	c->injected_unflushed += in->injected;
	if (in->nextra && oracle_add_synthetic_events(o, in->extra, in->nextra) < 0)
		goto fail;
	oracle_set_flush_rule(o, c->flush_rule);

	max = nstores < SAMPLE_CAP ? (size_t)nstores : SAMPLE_CAP;
	if (max < 16)
		max = 16;
	v = oracle_check(o, &r, max);
	if (v < 0)
		goto fail;
	c->sync_calls += r.syncs + bad_syncs;
	c->syncs_checked += r.syncs_checked;
	c->pairs_checked += r.pairs_checked;
	c->violations += (uint64_t)v;
	for (int k = 0; k < ORACLE_CLASS__COUNT; k++)
		c->by_class[k] += r.by_class[k];
	c->flush_checked += r.flush_checked;
	c->stores += r.stores;
	c->events += r.events;
	for (size_t i = 0; i < r.nviol; i++) {
		if (r.viol[i].cls == ORACLE_LATE)
			c->samples_late++;
		else
			c->samples_missed++;
	}
	if (r.violations) {
		size_t show = 0;

		/* the oracle's page set is exact, not built from samples */
		for (size_t i = 0; sc_viol_pages(c) && i < r.nfailed; i++)
			for (uint64_t p = r.failed[i].first;
			     p <= r.failed[i].last && p < c->npages; p++)
				bitmap_set(c->viol_pages, p);
		sc_note_failure(c, r.first_failed_t_start);
		sc_fail(c, "%" PRIu64 " (sync, page) pairs not flushed, on %"
			PRIu64 " page(s), in %" PRIu64 " of %" PRIu64 " sync "
			"calls (%" PRIu64 " pairs checked, %" PRIu64 " stores, %"
			PRIu64 " writeback events): %" PRIu64 " late (flushed by "
			"a call already running, after this one returned), %"
			PRIu64 " missed", r.violations, r.pages_failed,
			r.syncs_failed, r.syncs, r.pairs_checked, r.stores,
			r.events, r.by_class[ORACLE_LATE],
			r.by_class[ORACLE_MISSED]);
		first_of_class(c, &r, ORACLE_LATE);
		first_of_class(c, &r, ORACLE_MISSED);
		/* the first ones of a few different syncs */
		for (size_t i = 0; i < r.nviol && c->reported < c->o.max_report;
		     i++) {
			if (i && r.viol[i].sync_idx == r.viol[i - 1].sync_idx &&
			    show >= 2)
				continue;
			show = (i && r.viol[i].sync_idx == r.viol[i - 1].sync_idx) ?
			       show + 1 : 1;
			print_sample(&r, &r.viol[i], NULL, NULL);
			c->reported++;
		}
	}
	if (r.by_class[ORACLE_UNFLUSHED]) {
		sc_fail(c, "%" PRIu64 " of %" PRIu64 " writeback events claim a "
			"flush they never made (unflushed: no completed dax_flush "
			"of the entry's range by their thread before the event)%s",
			r.by_class[ORACLE_UNFLUSHED], r.flush_checked,
			in->injected ? " (--inject unflushed)" : "");
		first_of_class(c, &r, ORACLE_UNFLUSHED);
		for (size_t i = 1; i < r.nunfl && i < 3 &&
		     c->reported < c->o.max_report; i++) {
			print_sample(&r, NULL, &r.unfl[i], NULL);
			c->reported++;
		}
	}
	if (v > 0) {
		if (!c->first_report)
			c->first_report = oracle_report_json_n(&r, 8);
		if (c->o.dump_dir && !c->dumped) {
			dump_streams(c, in);
			c->dumped = true;
		}
	}
	oracle_report_free(&r);
	oracle_free(o);
	return v;
fail:
	sc_fail(c, "oracle: %s", strerror(errno));
	oracle_free(o);
	return -1;
}
