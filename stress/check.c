// SPDX-License-Identifier: GPL-2.0
/* daxstress: the check of a round's records: the collector finished, lost
 * events, the flush oracle (include/oracle.h) fed and run, its tally and
 * its report of violations, --dump; see driver.h. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

#define SAMPLE_CAP (1u << 18)	/* oracle samples kept per check */

/* One line of a sample: a TAP diagnostic, and a string of the JSON array
 * arg when not NULL. */
static void sample_line(void *arg, const char *line)
{
	printf("#   %s\n", line);
	if (arg)
		jpush_str(arg, line);
}

/* The report of one violation (pair: u NULL; else unflushed), as TAP
 * lines; *text (may be NULL) gets them as a JSON array. */
static void print_sample(const struct oracle_report *r,
			 const struct oracle_violation *v,
			 const struct oracle_unflushed *u, json_object **text)
{
	json_object *a = text ? json_object_new_array() : NULL;

	if (text)
		*text = a;
	if (u)
		oracle_unflushed_lines(r, u, sample_line, a);
	else
		oracle_violation_lines(r, v, sample_line, a);
}

/* --dump DIR: the streams of the first failing iteration as CSV files
 * NAME-iter-N-{stores,syncs,events}.csv (times: CLOCK_MONOTONIC ns). */
static void dump_streams(struct sctx *c, const char *dir,
			 const struct sc_records *in, const struct trace_vec *ev)
{
	const char *name = c->sc->name;
	unsigned iter = c->iter;
	char path[4200];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s-iter-%u-stores.csv", dir, name, iter);
	if ((f = fopen(path, "w"))) {
		fprintf(f, "thread,pgoff,t_before,t_after\n");
		for (size_t i = 0; i < in->nsl; i++)
			for (size_t k = 0; k < in->sl[i]->n; k++)
				fprintf(f, "%zu,%" PRIu64 ",%" PRIu64 ",%" PRIu64 "\n", i,
					in->sl[i]->v[k].pg, in->sl[i]->v[k].tb,
					in->sl[i]->v[k].ta);
		fclose(f);
	}
	snprintf(path, sizeof(path), "%s/%s-iter-%u-syncs.csv", dir, name, iter);
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
	snprintf(path, sizeof(path), "%s/%s-iter-%u-events.csv", dir, name, iter);
	if ((f = fopen(path, "w"))) {
		/* flush_ts, flush_size: writebacks paired with their
		 * dax_flush return (dax_flush_return records) and that
		 * flush's size (dax_flush_entry records: their size
		 * argument), else 0 */
		fprintf(f, "ts,pid,cpu,event,pgoff,pglen,address,result,flush_ts,"
			"flush_size\n");
		for (size_t i = 0; i < ev->n; i++) {
			const struct trace_rec *r = &ev->v[i];

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
		iter, dir, name, iter);
}

/* The first violation of class k in this scenario, when r has one: TAP
 * lines and the result's first_class[k]. */
static void first_of_class(struct sctx *c, const struct oracle_report *r,
			   enum oracle_class k)
{
	struct sc_result *res = c->res;
	size_t f = r->first[k];
	json_object *j, *text = NULL;
	int err = 0;

	if (res->first_class[k] || !r->by_class[k] ||
	    (k == ORACLE_UNFLUSHED ? f >= r->nunfl : f >= r->nviol))
		return;
	printf("# %s: first %s violation (iteration %u, %" PRIu64 " in it):\n",
	       c->sc->name, oracle_class_name(k), c->iter, r->by_class[k]);
	print_sample(r, k == ORACLE_UNFLUSHED ? NULL : &r->viol[f],
		     k == ORACLE_UNFLUSHED ? &r->unfl[f] : NULL, &text);
	j = json_object_new_object();
	err |= jadd_u64(j, "iteration", c->iter);
	err |= jadd_nullable(j, "text", text);
	err |= jadd_nullable(j, "sample", k == ORACLE_UNFLUSHED ?
			     oracle_unflushed_json(&r->unfl[f]) :
			     oracle_violation_json(&r->viol[f]));
	res->first_class[k] = jdone(j, err);
}

/* Lost trace events (and, with the flush rule, missed dax_flush probe
 * hits) since the last check: fails the scenario unless
 * --allow-lost-events.  True when the round can be trusted. */
static bool lost_ok(struct sctx *c, struct checker *k)
{
	struct sc_result *res = c->res;
	bool allow = k->allow_lost;
	uint64_t lost, now;

	if (!c->tr)
		return true;
	if (res->flush_rule) {
		/* a missed probe hit is a flush without its record: the rule
		 * would call its writeback unflushed */
		uint64_t m = dax_trace_flush_missed(c->tr), d;

		d = m > k->flush_missed_base ? m - k->flush_missed_base : 0;
		k->flush_missed_base = m;
		res->flush_missed += d;
		if (d && allow) {
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
	lost = now - k->lost_base;
	k->lost_base = now;
	if (!lost)
		return true;
	res->lost_events += lost;
	if (allow) {
		sc_diag(c, "iteration %u: %" PRIu64 " trace events lost "
			"(--allow-lost-events: violations may be false)",
			c->iter, lost);
		return true;
	}
	sc_fail(c, "%" PRIu64 " trace events were lost: the oracle cannot be "
		"trusted; raise --trace-buffer (now %" PRIu64 "K per cpu) or "
		"pass --allow-lost-events", lost, k->trace_kb);
	return false;
}

/* Feed rec's logs to o: its stores (counted in *nstores) and its sync
 * calls but the failed ones (a failed call promises nothing: counted in
 * *bad, the first's errno in *first_err).  0, or -1 (errno). */
static int feed(struct oracle *o, const struct sc_records *rec,
		uint64_t *nstores, uint64_t *bad, int *first_err)
{
	for (size_t i = 0; i < rec->nsl; i++)
		for (size_t k = 0; k < rec->sl[i]->n; k++) {
			const struct store_rec *s = &rec->sl[i]->v[k];

			if (oracle_add_store(o, s->pg, s->tb, s->ta))
				return -1;
			(*nstores)++;
		}
	for (size_t i = 0; i < rec->nyl; i++)
		for (size_t k = 0; k < rec->yl[i]->n; k++) {
			const struct sync_rec *y = &rec->yl[i]->v[k];

			if (y->err) {
				if (!(*bad)++)
					*first_err = y->err;
				continue;
			}
			if (oracle_add_sync(o, y->ts, y->te, y->tid, y->kind,
					    y->first, y->npages))
				return -1;
		}
	return 0;
}

/* The oracle over rec and the collector's records: rc->tally, the
 * result's tally, the report of what failed. */
static void oracle_round(struct sctx *c, struct checker *k,
			 const struct collector *co, const struct sc_records *rec,
			 struct round_check *rc)
{
	struct sc_result *res = c->res;
	struct sc_tally *t = &rc->tally;
	struct oracle_report *r = &rc->report;
	struct oracle *o = oracle_new(res->npages);
	uint64_t nstores = 0, bad_syncs = 0;
	int first_err = 0;
	size_t max, show = 0;
	int64_t v;

	if (!o) {
		sc_fail(c, "oracle: out of memory");
		return;
	}
	if (feed(o, rec, &nstores, &bad_syncs, &first_err))
		goto fail;
	if (bad_syncs)
		sc_fail(c, "%" PRIu64 " sync call(s) failed (first: %s)",
			bad_syncs, strerror(first_err));
	if (oracle_add_events(o, co->keep.v, co->keep.n) < 0)
		goto fail;
	/* counted by the pairing (0 and 0: no flush probes) */
	t->wb_paired = co->pairing.paired;
	t->wb_unpaired = co->pairing.unpaired;
	t->injected = co->injected;
	if (rec->nextra &&
	    oracle_add_synthetic_events(o, rec->extra, rec->nextra) < 0)
		goto fail;
	oracle_set_flush_rule(o, res->flush_rule);

	max = nstores < SAMPLE_CAP ? (size_t)nstores : SAMPLE_CAP;
	if (max < 16)
		max = 16;
	v = oracle_check(o, r, max);
	if (v < 0)
		goto fail;
	oracle_free(o);
	rc->chk.report = r;

	t->sync_calls = r->syncs + bad_syncs;
	t->syncs_checked = r->syncs_checked;
	t->pairs_checked = r->pairs_checked;
	memcpy(t->by_class, r->by_class, sizeof(t->by_class));
	t->flush_checked = r->flush_checked;
	t->stores = r->stores;
	t->events = r->events;
	for (size_t i = 0; i < r->nviol; i++) {
		if (r->viol[i].cls == ORACLE_LATE)
			t->samples_late++;
		else
			t->samples_missed++;
	}
	if (r->violations)
		t->first_fail_ts = r->first_failed_t_start;
	result_tally(res, t, NULL);
	if (r->violations) {
		/* the oracle's page set is exact, not built from samples */
		uint8_t *vp = result_viol_pages(res);

		if (!vp)
			sc_fail(c, "out of memory for the violating-page set");
		for (size_t i = 0; vp && i < r->nfailed; i++)
			for (uint64_t p = r->failed[i].first;
			     p <= r->failed[i].last && p < res->npages; p++)
				bitmap_set(vp, p);
		sc_fail(c, "%" PRIu64 " (sync, page) pairs not flushed, on %"
			PRIu64 " page(s), in %" PRIu64 " of %" PRIu64 " sync "
			"calls (%" PRIu64 " pairs checked, %" PRIu64 " stores, %"
			PRIu64 " writeback events): %" PRIu64 " late (flushed by "
			"a call already running, after this one returned), %"
			PRIu64 " missed", r->violations, r->pages_failed,
			r->syncs_failed, r->syncs, r->pairs_checked, r->stores,
			r->events, r->by_class[ORACLE_LATE],
			r->by_class[ORACLE_MISSED]);
		first_of_class(c, r, ORACLE_LATE);
		first_of_class(c, r, ORACLE_MISSED);
		/* the first ones of a few different syncs */
		for (size_t i = 0; i < r->nviol && k->reported < k->max_report; i++) {
			if (i && r->viol[i].sync_idx == r->viol[i - 1].sync_idx &&
			    show >= 2)
				continue;
			show = (i && r->viol[i].sync_idx == r->viol[i - 1].sync_idx) ?
			       show + 1 : 1;
			print_sample(r, &r->viol[i], NULL, NULL);
			k->reported++;
		}
	}
	if (r->by_class[ORACLE_UNFLUSHED]) {
		sc_fail(c, "%" PRIu64 " of %" PRIu64 " writeback events claim a "
			"flush they never made (unflushed: no completed dax_flush "
			"of the entry's range by their thread before the event)%s",
			r->by_class[ORACLE_UNFLUSHED], r->flush_checked,
			co->injected ? " (--inject unflushed)" : "");
		first_of_class(c, r, ORACLE_UNFLUSHED);
		for (size_t i = 1; i < r->nunfl && i < 3 &&
		     k->reported < k->max_report; i++) {
			print_sample(r, NULL, &r->unfl[i], NULL);
			k->reported++;
		}
	}
	if (v > 0) {
		if (!res->first_report)
			res->first_report = oracle_report_json_n(r, 8);
		if (k->dump_dir && !k->dumped) {
			dump_streams(c, k->dump_dir, rec, &co->keep);
			k->dumped = true;
		}
	}
	return;
fail:
	result_tally(res, t, NULL);	/* what the pairing counted */
	sc_fail(c, "oracle: %s", strerror(errno));
	oracle_free(o);
}

/* What a scenario counted by itself (rec->own): the result's tally, and
 * its first violation of each class new to the scenario. */
static void own_round(struct sctx *c, const struct sc_records *rec)
{
	struct sc_result *res = c->res;

	if (result_tally(res, &rec->own, rec->own_failed))
		sc_fail(c, "out of memory for the violating-page set");
	for (int k = 0; k < ORACLE_CLASS__COUNT; k++) {
		json_object *j, *a;
		int err = 0;

		if (!rec->own_first[k] || res->first_class[k])
			continue;
		j = json_object_new_object();
		a = json_object_new_array();
		err |= jpush_str(a, rec->own_first[k]);
		err |= jadd_u64(j, "iteration", c->iter);
		err |= jadd(j, "text", a);
		err |= jadd_null(j, "sample");
		res->first_class[k] = jdone(j, err);
	}
}

void checker_start(struct checker *k, struct dax_trace *tr, bool flush_rule)
{
	k->lost_base = tr ? dax_trace_lost(tr) : 0;
	if (flush_rule)
		k->flush_missed_base = dax_trace_flush_missed(tr);
}

void check_round(struct sctx *c, struct checker *k, struct collector *co,
		 const struct sc_records *rec, struct round_check *rc)
{
	memset(rc, 0, sizeof(*rc));
	rc->tally.first_fail_ts = UINT64_MAX;
	rc->chk.tally = &rc->tally;
	if (co) {
		rc->chk.events = &co->keep;
		rc->chk.counts = &co->counts;
		if (collector_finish(co)) {
			sc_fail(c, "reading trace events failed: %s", strerror(errno));
		} else if (lost_ok(c, k)) {
			oracle_round(c, k, co, rec, rc);
			rc->chk.made = true;
		}
		dax_counts_merge(&c->res->counts, &co->counts);
	}
	own_round(c, rec);
}

void check_release(struct round_check *rc)
{
	if (rc->chk.report)
		oracle_report_free(&rc->report);
}
