// SPDX-License-Identifier: GPL-2.0
/* daxstress: a scenario's result (struct sc_result, result.h): the tally
 * of its checks, its JSON, its closing TAP lines and test point, and the
 * totals over the scenarios. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "result.h"

void result_init(struct sc_result *r, const struct scenario *sc)
{
	memset(r, 0, sizeof(*r));
	r->sc = sc;
	r->verdict = SV_SKIP;
	r->first_failed_iter = -1;
	r->total.first_fail_ts = UINT64_MAX;
	r->failures = json_object_new_array();
	r->info = json_object_new_object();
}

void result_free(struct sc_result *r)
{
	for (int k = 0; k < ORACLE_CLASS__COUNT; k++)
		json_object_put(r->first_class[k]);
	json_object_put(r->first_report);
	json_object_put(r->failures);
	json_object_put(r->info);
	free(r->viol_pages);
	memset(r, 0, sizeof(*r));
}

uint8_t *result_viol_pages(struct sc_result *r)
{
	if (!r->viol_pages)
		r->viol_pages = bitmap_new(r->npages);
	return r->viol_pages;
}

/* s += t */
static void tally_add(struct sc_tally *s, const struct sc_tally *t)
{
	s->sync_calls += t->sync_calls;
	s->syncs_checked += t->syncs_checked;
	s->pairs_checked += t->pairs_checked;
	for (int k = 0; k < ORACLE_CLASS__COUNT; k++)
		s->by_class[k] += t->by_class[k];
	s->stores += t->stores;
	s->events += t->events;
	s->samples_late += t->samples_late;
	s->samples_missed += t->samples_missed;
	s->flush_checked += t->flush_checked;
	s->wb_paired += t->wb_paired;
	s->wb_unpaired += t->wb_unpaired;
	s->injected += t->injected;
	if (t->first_fail_ts < s->first_fail_ts)
		s->first_fail_ts = t->first_fail_ts;
}

/* The violations of every class t counted. */
static uint64_t violations(const struct sc_tally *t)
{
	uint64_t v = 0;

	for (int k = 0; k < ORACLE_CLASS__COUNT; k++)
		v += t->by_class[k];
	return v;
}

int result_tally(struct sc_result *r, const struct sc_tally *t,
		 const uint8_t *failed)
{
	tally_add(&r->total, t);
	r->violations += violations(t);
	if (!failed)
		return 0;
	if (!result_viol_pages(r))
		return -1;
	for (uint64_t b = 0; b < (r->npages + 7) / 8; b++)
		r->viol_pages[b] |= failed[b];
	return 0;
}

static const char *verdict_name(enum sverdict v)
{
	return v == SV_PASS ? "pass" : v == SV_FAIL ? "fail" : "skip";
}

/* ---- TAP ---- */

void result_tap(const struct sc_result *r, size_t num)
{
	const char *name = r->sc->name;
	const struct sc_tally *t = &r->total;

	if (r->verdict == SV_SKIP) {
		printf("ok %zu - %s # SKIP %s\n", num, name, r->skip_reason);
		return;
	}
	printf("# %s: %u iteration%s in %.1f s: %" PRIu64 " sync calls (%"
	       PRIu64 " checked), %" PRIu64 " pages checked, %" PRIu64
	       " violations; %" PRIu64 " stores, %" PRIu64
	       " writeback events\n", name, r->iterations,
	       r->iterations == 1 ? "" : "s", r->duration_ns / 1e9, t->sync_calls,
	       t->syncs_checked, t->pairs_checked, r->violations, t->stores,
	       t->events);
	printf("# %s: violations by class: late %" PRIu64 ", missed %" PRIu64
	       ", unflushed %" PRIu64 "\n", name, t->by_class[ORACLE_LATE],
	       t->by_class[ORACLE_MISSED], t->by_class[ORACLE_UNFLUSHED]);
	if (r->flush_rule)
		printf("# %s: flush time: dax_flush return (%" PRIu64
		       " writeback events paired with their dax_flush "
		       "return, %" PRIu64 " unpaired: unflushed)\n", name,
		       t->wb_paired, t->wb_unpaired);
	else if (r->traced)
		printf("# %s: flush time: tracepoint\n", name);
	if (r->flush_rule)
		printf("# %s: unflushed rule: checked on %" PRIu64 " writeback "
		       "events (each must follow a completed dax_flush of "
		       "its range by its thread)%s\n", name, t->flush_checked,
		       r->flush_missed ? "; the probes MISSED hits (see above)" : "");
	else if (r->traced)
		printf("# %s: unflushed rule: NOT CHECKED: %s\n", name,
		       r->flush_rule_why);
	else
		printf("# %s: unflushed rule: %s\n", name, r->flush_rule_why);
	if (r->inject == INJ_UNFLUSHED && r->traced)
		printf("# %s: --inject unflushed: the dax_flush records of %"
		       PRIu64 " writeback events dropped\n", name, t->injected);
	if (t->first_fail_ts != UINT64_MAX)
		printf("# %s: first violation in a sync call begun %.3f s "
		       "into the scenario\n", name, (t->first_fail_ts > r->t_start ?
		       t->first_fail_ts - r->t_start : 0) / 1e9);
	if (r->verdict == SV_FAIL) {
		printf("# reproduce: %s\n", r->reproduce);
		printf("not ok %zu - %s\n", num, name);
	} else {
		printf("ok %zu - %s\n", num, name);
	}
}

/* ---- JSON ---- */

/* "sync_calls", "syncs_checked", "pages_checked", "violations" */
static int checks_json(json_object *j, const struct sc_tally *t,
		       uint64_t violations)
{
	int err = 0;

	err |= jadd_u64(j, "sync_calls", t->sync_calls);
	err |= jadd_u64(j, "syncs_checked", t->syncs_checked);
	err |= jadd_u64(j, "pages_checked", t->pairs_checked);
	err |= jadd_u64(j, "violations", violations);
	return err;
}

/* The violations' part: their pages, samples and classes, the flush rule. */
static int violations_json(json_object *j, const struct sc_result *r)
{
	const struct sc_tally *t = &r->total;
	json_object *k = json_object_new_object(), *c = json_object_new_object(),
		    *f = json_object_new_object(), *u = json_object_new_object();
	bool truncated;
	int err = 0;

	err |= checks_json(j, t, r->violations);
	/* every page with a violation (exact); complete unless more than
	 * 1000 ranges (then a final null) */
	err |= jadd(j, "violation_pages", bitmap_ranges_json(r->viol_pages,
						r->npages, 1000, &truncated));
	err |= jadd_bool(j, "violation_pages_complete", !truncated);
	err |= jadd_u64(j, "violation_page_count",
			bitmap_count(r->viol_pages, r->npages));
	err |= jadd_u64(k, "late", t->samples_late);
	err |= jadd_u64(k, "missed", t->samples_missed);
	/* unflushed (its exact count) only when there are: a failure of
	 * the known stock race has late and missed samples only */
	if (t->by_class[ORACLE_UNFLUSHED])
		err |= jadd_u64(k, "unflushed", t->by_class[ORACLE_UNFLUSHED]);
	err |= jadd(j, "violation_samples_by_kind", k);
	/* exact counts: violations is their sum; the first of each class
	 * with its full context */
	for (int q = 0; q < ORACLE_CLASS__COUNT; q++) {
		err |= jadd_u64(c, oracle_class_name(q), t->by_class[q]);
		err |= jadd_nullable(f, oracle_class_name(q),
				     json_object_get(r->first_class[q]));
	}
	err |= jadd(j, "violations_by_class", c);
	err |= jadd(j, "first_violation_by_class", f);
	err |= jadd_bool(u, "checked", r->flush_rule);
	err |= jadd_str(u, "why", r->flush_rule ? NULL : r->flush_rule_why);
	err |= jadd_u64(u, "writebacks_checked", t->flush_checked);
	err |= jadd_u64(u, "probe_missed", r->flush_missed);
	if (r->inject == INJ_UNFLUSHED)
		err |= jadd_u64(u, "injected", t->injected);
	err |= jadd(j, "unflushed_rule", u);
	return err;
}

json_object *result_json(const struct sc_result *r)
{
	const struct sc_tally *t = &r->total;
	json_object *j = json_object_new_object(), *kj;
	int err = 0;

	err |= jadd_str(j, "name", r->sc->name);
	err |= jadd_str(j, "description", r->sc->desc);
	err |= jadd_str(j, "verdict", verdict_name(r->verdict));
	if (r->verdict == SV_SKIP) {
		err |= jadd_str(j, "skip_reason", r->skip_reason);
		return jdone(j, err);
	}
	err |= jadd_u64(j, "seed", r->seed);
	err |= jadd_u64(j, "duration_ns", r->duration_ns);
	err |= jadd_u64(j, "iterations", r->iterations);
	err |= jadd_u64(j, "size", r->size);
	err |= jadd_u64(j, "writers", r->writers);
	err |= jadd_u64(j, "syncers", r->syncers);
	err |= jadd_u64(j, "round_ns", r->round_ns);
	err |= jadd_str(j, "page", page_sel_names[r->page]);
	err |= violations_json(j, r);
	err |= jadd_u64(j, "stores", t->stores);
	err |= jadd_u64(j, "writeback_events", t->events);
	/* the time the oracle gave each writeback event: its dax_flush
	 * return when paired, else its tracepoint's */
	err |= jadd_str(j, "flush_time", !r->traced ? NULL : r->flush_rule ?
			"dax_flush return" : "tracepoint");
	err |= jadd_u64(j, "writeback_events_paired", t->wb_paired);
	err |= jadd_u64(j, "writeback_events_unpaired", t->wb_unpaired);
	err |= jadd_u64(j, "lost_events", r->lost_events);
	if (r->traced)
		err |= jadd(j, "events", dax_counts_json(&r->counts, true));
	kj = json_object_new_array();
	for (size_t k = 0; k < r->nkmsg; k++)
		err |= jpush_str(kj, r->kmsg[k]);
	err |= jadd(j, "kmsg", kj);
	err |= jadd(j, "failures", json_object_get(r->failures));
	err |= r->first_failed_iter < 0 ? jadd_null(j, "first_failed_iteration") :
	       jadd_int(j, "first_failed_iteration", r->first_failed_iter);
	/* the earliest sync call with a violation began this long after the
	 * scenario started (null: no violation) */
	err |= t->first_fail_ts == UINT64_MAX ? jadd_null(j, "first_failure_ns") :
	       jadd_u64(j, "first_failure_ns", t->first_fail_ts > r->t_start ?
			t->first_fail_ts - r->t_start : 0);
	err |= jadd_str(j, "reproduce", r->verdict == SV_FAIL ? r->reproduce : NULL);
	err |= jadd_nullable(j, "first_violation_report",
			     json_object_get(r->first_report));
	err |= jadd(j, "info", json_object_get(r->info));
	return jdone(j, err);
}

/* ---- totals ---- */

void totals_add(struct totals *t, const struct sc_result *r)
{
	if (r->verdict == SV_SKIP) {
		t->skipped++;
		return;
	}
	r->verdict == SV_FAIL ? t->failed++ : t->passed++;
	tally_add(&t->sum, &r->total);
	t->violations += r->violations;
	t->lost_events += r->lost_events;
}

void totals_tap(const struct totals *t, uint64_t ns, uint64_t seed)
{
	printf("# %u passed, %u failed, %u skipped in %.1f s (seed %" PRIu64 ")\n",
	       t->passed, t->failed, t->skipped, ns / 1e9, seed);
}

json_object *totals_json(const struct totals *t)
{
	json_object *j = json_object_new_object(), *k = json_object_new_object();
	int err = 0;

	err |= jadd_u64(j, "passed", t->passed);
	err |= jadd_u64(j, "failed", t->failed);
	err |= jadd_u64(j, "skipped", t->skipped);
	err |= checks_json(j, &t->sum, t->violations);
	for (int q = 0; q < ORACLE_CLASS__COUNT; q++)
		err |= jadd_u64(k, oracle_class_name(q), t->sum.by_class[q]);
	err |= jadd(j, "violations_by_class", k);
	err |= jadd_u64(j, "stores", t->sum.stores);
	err |= jadd_u64(j, "lost_events", t->lost_events);
	return jdone(j, err);
}
