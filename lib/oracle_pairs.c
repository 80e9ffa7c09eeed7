// SPDX-License-Identifier: GPL-2.0
/*
 * The (sync, page) rule over the indexes (oracle_index.c).  Per group of
 * sync pieces (one node), whichever is cheaper (estimated):
 *  - by store: for each store in the node's pages, the syncs it is latest
 *    for are a run [l, r) of the group; it fails some of them iff
 *    min(t_end[l..r)) <= c(store);
 *  - by sync: for each sync, each stored page of the node: binary search
 *    the page's latest store before t_start.
 * Either way a failing store yields a query (store, l, r); per-sync counts
 * come from one offline sweep (pieces by t_end, queries by c, Fenwick
 * range-add/point-query).  Pieces of one sync cover disjoint pages, so
 * pairs and counts add up per sync.  A query is pushed exactly for a store
 * with >= 1 violation (flagged COV_FAILED: the failing pages).
 */
#include <stdlib.h>

#include "oracle_priv.h"

static uint64_t store_cover(struct ctx *c, uint32_t i)
{
	if (!(c->cov_done[i] & COV_DONE)) {
		c->cov[i] = oracle_cover_after(c, c->o->st[i].pg, c->o->st[i].tb,
					&c->cov_ev[i]);
		c->cov_done[i] |= COV_DONE;
	}
	return c->cov[i];
}

static int push_query(struct ctx *c, uint32_t store, uint32_t l, uint32_t r)
{
	if (oracle_grow((void **)&c->q, &c->capq, c->nq, sizeof(*c->q)))
		return -1;
	c->cov_done[store] |= COV_FAILED;
	c->q[c->nq++] = (struct query){
		.store = store, .l = l, .r = r, .cur = l,
	};
	return 0;
}

/* min t_end over sorted syncs [l, r) */
static uint64_t seg_min(const struct ctx *c, size_t l, size_t r)
{
	uint64_t m = ORACLE_NONE;

	for (l += c->segn, r += c->segn; l < r; l >>= 1, r >>= 1) {
		if (l & 1)
			m = c->seg[l] < m ? c->seg[l] : m, l++;
		if (r & 1)
			--r, m = c->seg[r] < m ? c->seg[r] : m;
	}
	return m;
}

static size_t lower_page(const struct ctx *c, uint64_t p)
{
	size_t lo = 0, hi = c->npg;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (c->pages[mid] < p)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* First sorted sync in [lo, hi) with ts > t. */
static size_t sync_after(const struct ctx *c, size_t lo, size_t hi, uint64_t t)
{
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (c->ss[mid].ts <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int group_by_store(struct ctx *c, size_t gs, size_t ge)
{
	const struct o_store *st = c->o->st;
	size_t nst = c->o->nst;
	size_t j0 = lower_page(c, c->ss[gs].lo), j1 = lower_page(c, c->ss[gs].hi);
	uint32_t s0 = j0 < c->npg ? c->pstart[j0] : (uint32_t)nst;
	uint32_t s1 = j1 < c->npg ? c->pstart[j1] : (uint32_t)nst;

	for (uint32_t i = s0; i < s1; i++) {
		uint64_t nxt = (i + 1 < nst && st[i + 1].pg == st[i].pg) ?
			st[i + 1].ta : ORACLE_NONE;
		size_t l = sync_after(c, gs, ge, st[i].ta);
		size_t r = nxt == ORACLE_NONE ? ge : sync_after(c, l, ge, nxt);

		if (l >= r)
			continue;
		c->pairs += r - l;
		c->diff[l]++;
		c->diff[r]--;
		if (seg_min(c, l, r) <= store_cover(c, i) &&
		    push_query(c, i, (uint32_t)l, (uint32_t)r))
			return -1;
	}
	return 0;
}

static int group_by_sync(struct ctx *c, size_t gs, size_t ge)
{
	const struct o_store *st = c->o->st;
	size_t j0 = lower_page(c, c->ss[gs].lo), j1 = lower_page(c, c->ss[gs].hi);

	for (size_t y = gs; y < ge; y++) {
		uint64_t ts = c->ss[y].ts;

		for (size_t j = j0; j < j1; j++) {
			uint32_t lo = c->pstart[j], hi = c->pstart[j + 1];

			/* first store of the page with ta >= ts */
			while (lo < hi) {
				uint32_t mid = lo + (hi - lo) / 2;

				if (st[mid].ta < ts)
					lo = mid + 1;
				else
					hi = mid;
			}
			if (lo == c->pstart[j])
				continue;
			c->pairs++;
			c->diff[y]++;
			c->diff[y + 1]--;
			if (c->ss[y].te <= store_cover(c, lo - 1) &&
			    push_query(c, lo - 1, (uint32_t)y, (uint32_t)y + 1))
				return -1;
		}
	}
	return 0;
}

/* Every group of pieces with one node, by the strategy of the oracle. */
int oracle_pairs(struct ctx *c)
{
	const struct oracle *o = c->o;

	for (size_t gs = 0, ge; gs < c->nss; gs = ge) {
		uint64_t lo = c->ss[gs].lo, hi = c->ss[gs].hi;
		size_t j0, j1, nstores, m;
		bool by_store;

		for (ge = gs + 1; ge < c->nss && c->ss[ge].lo == lo &&
		     c->ss[ge].hi == hi; ge++)
			;
		j0 = lower_page(c, lo);
		j1 = lower_page(c, hi);
		nstores = (j1 < c->npg ? c->pstart[j1] : o->nst) -
			  (j0 < c->npg ? c->pstart[j0] : o->nst);
		m = ge - gs;
		switch (o->strategy) {
		case ORACLE_BY_STORE:
			by_store = true;
			break;
		case ORACLE_BY_SYNC:
			by_store = false;
			break;
		default:
			/* by store: ~nstores log m; by sync: ~m * pages */
			by_store = (double)nstores * (ilog2_u64(m) + 1) <=
				   (double)m * (double)(j1 - j0) * 2;
			break;
		}
		if (by_store ? group_by_store(c, gs, ge) :
			       group_by_sync(c, gs, ge))
			return -1;
	}
	return 0;
}

/* ---- per-sync counts: offline sweep ---- */

static int cmp_q_c_desc(const void *a, const void *b, void *arg)
{
	const struct ctx *c = arg;
	uint64_t x = c->cov[c->q[*(const uint32_t *)a].store];
	uint64_t y = c->cov[c->q[*(const uint32_t *)b].store];

	return ORACLE_CMP(y, x);	/* descending */
}

static int cmp_sy_te_desc(const void *a, const void *b, void *arg)
{
	const struct ctx *c = arg;
	uint64_t x = c->ss[*(const uint32_t *)a].te;
	uint64_t y = c->ss[*(const uint32_t *)b].te;

	return ORACLE_CMP(y, x);	/* descending */
}

int oracle_count_per_sync(struct ctx *c, uint64_t *missed)
{
	uint32_t *qo = malloc((c->nq + 1) * sizeof(*qo));
	uint32_t *so = malloc((c->nss + 1) * sizeof(*so));
	int64_t *fw = calloc(c->nss + 2, sizeof(*fw));
	size_t qi = 0;

	if (!qo || !so || !fw) {
		free(qo);
		free(so);
		free(fw);
		return -1;
	}
	for (size_t i = 0; i < c->nq; i++)
		qo[i] = (uint32_t)i;
	for (size_t i = 0; i < c->nss; i++)
		so[i] = (uint32_t)i;
	qsort_r(qo, c->nq, sizeof(*qo), cmp_q_c_desc, c);
	qsort_r(so, c->nss, sizeof(*so), cmp_sy_te_desc, c);
	for (size_t k = 0; k < c->nss; k++) {
		uint32_t y = so[k];

		while (qi < c->nq &&
		       c->cov[c->q[qo[qi]].store] >= c->ss[y].te) {
			fw_add(fw, c->nss + 1, c->q[qo[qi]].l, 1);
			fw_add(fw, c->nss + 1, c->q[qo[qi]].r, -1);
			qi++;
		}
		missed[y] = (uint64_t)fw_sum(fw, y);
	}
	free(qo);
	free(so);
	free(fw);
	return 0;
}
