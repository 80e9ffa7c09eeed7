// SPDX-License-Identifier: GPL-2.0
/* daxstress: the feed of the flush oracle (include/oracle.h), its report
 * of violations, and --dump; see scenario.h. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario.h"

#define SAMPLE_CAP (1u << 18)	/* oracle samples kept per check */

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

/* The check of sc_check_collected (scenario.h).  Returns the violations
 * (every class) or -1. */
static int64_t sc_check(struct sctx *c, const struct check_in *in)
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
		bool vp = sc_viol_pages(c);
		size_t show = 0;

		/* the oracle's page set is exact, not built from samples */
		for (size_t i = 0; i < r.nfailed; i++)
			for (uint64_t p = r.failed[i].first;
			     p <= r.failed[i].last && p < c->npages; p++) {
				if (vp)
					bitmap_set(c->viol_pages, p);
				if (in->failed)
					bitmap_set(in->failed, p);
			}
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

bool sc_check_collected(struct sctx *c, struct collector *co,
			struct check_in *in)
{
	bool checked = false;

	if (collector_finish(co)) {
		sc_fail(c, "reading trace events failed: %s", strerror(errno));
	} else if (sc_check_lost(c)) {
		in->ev = &co->keep;
		in->pairing = &co->pairing;
		in->injected = co->injected;
		sc_check(c, in);
		checked = true;
	}
	dax_counts_merge(&c->counts, &co->counts);
	return checked;
}
