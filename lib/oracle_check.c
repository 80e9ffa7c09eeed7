// SPDX-License-Identifier: GPL-2.0
/*
 * oracle_check(): the phases in order (the indexes, oracle_index.c; every
 * (sync, page) pair and the per-sync counts, oracle_pairs.c; the failing
 * pages and the earliest failing sync, here; the classes and samples,
 * oracle_classes.c; the flush rule, oracle_flush_rule.c), and the report.
 *
 * The failing pages are those of the queried stores: one flag per store,
 * then one pass over the stores in page order merges them into ranges
 * (O(S), whatever the number of violations).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "oracle_priv.h"

/* The pages of the failing stores (stores are sorted by page), merged into
 * ranges. */
static int failed_pages(const struct ctx *c, struct oracle_report *r)
{
	const struct o_store *st = c->o->st;
	size_t cap = 0;

	for (size_t i = 0; i < c->o->nst; i++) {
		struct oracle_page_range *g;
		uint64_t p = st[i].pg;

		if (!(c->cov_done[i] & COV_FAILED))
			continue;
		g = r->nfailed ? &r->failed[r->nfailed - 1] : NULL;
		if (g && p <= g->last)		/* same page again */
			continue;
		r->pages_failed++;
		if (g && p == g->last + 1) {
			g->last = p;
			continue;
		}
		if (r->nfailed == cap) {
			size_t nc = cap ? cap * 2 : 16;
			void *q = realloc(r->failed, nc * sizeof(*r->failed));

			if (!q)
				return -1;
			r->failed = q;
			cap = nc;
		}
		r->failed[r->nfailed++] = (struct oracle_page_range){ p, p };
	}
	return 0;
}

/* The failing sync with the earliest (t_start, t_end, index). */
static void first_failed(const struct oracle *o, const uint64_t *missed_sync,
			 struct oracle_report *r)
{
	const struct o_sync *b = NULL;

	for (size_t i = 0; i < o->nsy; i++) {
		const struct o_sync *y = &o->sy[i];

		if (!missed_sync[i])
			continue;
		if (!b || y->ts < b->ts || (y->ts == b->ts && y->te < b->te))
			b = y;
	}
	if (!b)
		return;
	r->first_failed_sync = b->idx;
	r->first_failed_t_start = b->ts;
	r->first_failed_t_end = b->te;
}

static void ctx_free(struct ctx *c)
{
	for (unsigned j = 0; j < c->nord; j++)
		free(c->ord[j].b);
	free(c->pages);
	free(c->pstart);
	free(c->cov);
	free(c->cov_ev);
	free(c->cov_done);
	free(c->ss);
	free(c->seg);
	free(c->diff);
	free(c->q);
	free(c->calls);
}

/* An empty report: nothing failed, no first of anything. */
static void report_empty(struct oracle_report *r)
{
	memset(r, 0, sizeof(*r));
	r->first_failed_sync = SIZE_MAX;
	r->first_failed_t_start = r->first_failed_t_end = ORACLE_NONE;
	for (int k = 0; k < ORACLE_CLASS__COUNT; k++)
		r->first[k] = SIZE_MAX;
}

/* The per-piece counts summed per sync (missed_sync), which syncs had a
 * pair (the "checked" marks' running sum), and the totals of r. */
static void per_sync(const struct ctx *c, const uint64_t *missed,
		     uint64_t *missed_sync, uint8_t *checked,
		     struct oracle_report *r)
{
	const struct oracle *o = c->o;
	int64_t run = 0;

	for (size_t i = 0; i < c->nss; i++) {
		run += c->diff[i];
		if (run)
			checked[c->ss[i].idx] = 1;
	}
	for (size_t i = 0; i < c->nss; i++)
		missed_sync[c->ss[i].idx] += missed[i];
	for (size_t i = 0; i < o->nsy; i++) {
		r->syncs_checked += checked[i];
		r->violations += missed_sync[i];
		if (missed_sync[i])
			r->syncs_failed++;
	}
}

int64_t oracle_check(struct oracle *o, struct oracle_report *r,
		     size_t max_violations)
{
	struct ctx c = { .o = o };
	uint64_t *missed = NULL, *missed_sync = NULL;
	uint8_t *checked = NULL;
	int rc;

	report_empty(r);
	r->t0 = o->t0;
	r->stores = o->nst;
	r->events = o->nev;
	r->events_ignored = o->ev_ignored;
	r->syncs = o->nsy;

	rc = oracle_index_stores(&c) || oracle_index_events(&c) ||
	     oracle_index_syncs(&c);
	if (!rc) {
		missed = calloc(c.nss + 1, sizeof(*missed));
		missed_sync = calloc(o->nsy + 1, sizeof(*missed_sync));
		checked = calloc(o->nsy + 1, 1);
		rc = !missed || !missed_sync || !checked || oracle_pairs(&c);
	}
	if (!rc) {
		r->pairs_checked = c.pairs;
		rc = oracle_count_per_sync(&c, missed);
	}
	if (!rc) {
		per_sync(&c, missed, missed_sync, checked, r);
		first_failed(o, missed_sync, r);
		rc = failed_pages(&c, r) || oracle_classify(&c, r) ||
		     oracle_take_samples(&c, r, max_violations, missed_sync) ||
		     oracle_check_flush_rule(o, r, max_violations);
	}
	free(missed);
	free(missed_sync);
	free(checked);
	ctx_free(&c);
	if (rc) {
		oracle_report_free(r);
		report_empty(r);
		errno = ENOMEM;
		return -1;
	}
	return (int64_t)(r->violations + r->by_class[ORACLE_UNFLUSHED]);
}

bool oracle_report_page_failed(const struct oracle_report *r, uint64_t p)
{
	size_t lo = 0, hi = r->nfailed;

	while (lo < hi) {		/* first range with last >= p */
		size_t mid = lo + (hi - lo) / 2;

		if (r->failed[mid].last < p)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < r->nfailed && r->failed[lo].first <= p;
}

void oracle_report_free(struct oracle_report *r)
{
	if (!r)
		return;
	free(r->viol);
	r->viol = NULL;
	r->nviol = 0;
	free(r->failed);
	r->failed = NULL;
	r->nfailed = 0;
	r->pages_failed = 0;
	free(r->unfl);
	r->unfl = NULL;
	r->nunfl = 0;
	for (int k = 0; k < ORACLE_CLASS__COUNT; k++)
		r->first[k] = SIZE_MAX;
}
