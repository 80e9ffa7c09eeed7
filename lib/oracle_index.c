// SPDX-License-Identifier: GPL-2.0
/*
 * The indexes oracle_check() builds, and the queries on them:
 *  - stores sorted by (pgoff, t_after, t_before): the stores of one page are
 *    contiguous, and store i is the latest before S exactly when
 *    S.t_start is in (st[i].ta, st[i+1].ta] (same page) or (st[i].ta, inf);
 *  - writeback events decomposed into aligned power-of-two blocks
 *    (a PMD event is one order-9 block), one array per order sorted by
 *    (chunk, ts): the earliest covering event after t is one binary search
 *    per order present (usually orders 0 and 9);
 *  - each sync's page range cut into the nodes of a segment tree over the
 *    file (one piece, the root, for a whole-file sync; at most 2 log2 N
 *    for a partial one), pieces sorted by (node, t_start): a group per
 *    node, and a min tree over t_end in that order.
 */
#include <stdlib.h>

#include "oracle_priv.h"

static int cmp_store(const void *a, const void *b)
{
	const struct o_store *x = a, *y = b;

	return ORACLE_CMP(x->pg, y->pg) ?: ORACLE_CMP(x->ta, y->ta) ?:
	       ORACLE_CMP(x->tb, y->tb);
}

static int cmp_blk(const void *a, const void *b)
{
	const struct blk *x = a, *y = b;

	return ORACLE_CMP(x->chunk, y->chunk) ?: ORACLE_CMP(x->ts, y->ts) ?:
	       ORACLE_CMP(x->ev, y->ev);
}

static int cmp_sync(const void *a, const void *b)
{
	const struct o_sync *x = a, *y = b;

	return ORACLE_CMP(x->lo, y->lo) ?: ORACLE_CMP(x->hi, y->hi) ?:
	       ORACLE_CMP(x->ts, y->ts) ?: ORACLE_CMP(x->idx, y->idx);
}

/* Order of the largest aligned power-of-two block starting at a, a < b:
 * [a, b) is decomposed into such blocks, a PMD event into one. */
static unsigned block_order(uint64_t a, uint64_t b)
{
	unsigned k = ilog2_u64(b - a);

	if (a && (unsigned)__builtin_ctzll(a) < k)
		k = (unsigned)__builtin_ctzll(a);
	return k;
}

static void event_span(const struct oracle *o, size_t i, uint64_t *a,
		       uint64_t *b)
{
	*a = o->ev[i].pgoff;
	*b = *a + o->ev[i].pglen;
	if (*b < *a || *b > o->npages)
		*b = o->npages;
}

int oracle_index_events(struct ctx *c)
{
	struct oracle *o = c->o;
	size_t cnt[64] = { 0 };
	int slot[64];

	for (size_t i = 0; i < o->nev; i++) {
		uint64_t a, b;
		unsigned k;

		event_span(o, i, &a, &b);
		for (; a < b; a += 1ull << k)
			cnt[k = block_order(a, b)]++;
	}
	for (unsigned k = 0; k < 64; k++) {
		slot[k] = -1;
		if (!cnt[k])
			continue;
		slot[k] = (int)c->nord;
		c->ord[c->nord].k = k;
		c->ord[c->nord].b = malloc(cnt[k] * sizeof(struct blk));
		if (!c->ord[c->nord].b)
			return -1;
		c->nord++;
	}
	for (size_t i = 0; i < o->nev; i++) {
		uint64_t a, b;
		unsigned k;

		event_span(o, i, &a, &b);
		for (; a < b; a += 1ull << k) {
			struct order_idx *oi;

			k = block_order(a, b);
			oi = &c->ord[slot[k]];
			oi->b[oi->n++] = (struct blk){ a >> k, o->ev[i].ts,
						       (uint32_t)i };
		}
	}
	for (unsigned j = 0; j < c->nord; j++)
		qsort(c->ord[j].b, c->ord[j].n, sizeof(struct blk), cmp_blk);
	return 0;
}

/* First block of chunk ch with ts > t (n if none). */
static size_t blk_after(const struct order_idx *oi, uint64_t ch, uint64_t t)
{
	size_t lo = 0, hi = oi->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct blk *b = &oi->b[mid];

		if (b->chunk < ch || (b->chunk == ch && b->ts <= t))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Earliest event covering page p with ts > t. */
uint64_t oracle_cover_after(const struct ctx *c, uint64_t p, uint64_t t,
			    uint32_t *ev)
{
	uint64_t best = ORACLE_NONE;

	*ev = UINT32_MAX;
	for (unsigned j = 0; j < c->nord; j++) {
		const struct order_idx *oi = &c->ord[j];
		uint64_t ch = p >> oi->k;
		size_t i = blk_after(oi, ch, t);

		if (i < oi->n && oi->b[i].chunk == ch &&
		    (oi->b[i].ts < best ||
		     (oi->b[i].ts == best && oi->b[i].ev < *ev))) {
			best = oi->b[i].ts;
			*ev = oi->b[i].ev;
		}
	}
	return best;
}

/* The stores by page, and the distinct pages: pages[j] stored by
 * st[pstart[j] .. pstart[j + 1]); the per-store cover arrays. */
int oracle_index_stores(struct ctx *c)
{
	struct oracle *o = c->o;

	qsort(o->st, o->nst, sizeof(*o->st), cmp_store);
	c->pages = malloc((o->nst + 1) * sizeof(*c->pages));
	c->pstart = malloc((o->nst + 1) * sizeof(*c->pstart));
	c->cov = malloc((o->nst + 1) * sizeof(*c->cov));
	c->cov_ev = malloc((o->nst + 1) * sizeof(*c->cov_ev));
	c->cov_done = calloc(o->nst + 1, 1);
	if (!c->pages || !c->pstart || !c->cov || !c->cov_ev || !c->cov_done)
		return -1;
	for (size_t i = 0; i < o->nst; i++) {
		if (i == 0 || o->st[i].pg != o->st[i - 1].pg) {
			c->pages[c->npg] = o->st[i].pg;
			c->pstart[c->npg++] = (uint32_t)i;
		}
	}
	c->pstart[c->npg] = (uint32_t)o->nst;
	return 0;
}

/* Cut s's range [lo, hi) into the nodes of a segment tree over the file
 * (node [nl, nr) splits at the middle): at most 2 log2(npages) pieces, one
 * for a whole-file sync.  Each piece is a copy of s with lo/hi = its node. */
static int split_sync(struct ctx *c, const struct o_sync *s, uint64_t nl,
		      uint64_t nr)
{
	uint64_t mid;

	if (s->hi <= nl || s->lo >= nr)
		return 0;
	if (s->lo <= nl && nr <= s->hi) {
		if (oracle_grow((void **)&c->ss, &c->capss, c->nss, sizeof(*c->ss)))
			return -1;
		c->ss[c->nss] = *s;
		c->ss[c->nss].lo = nl;
		c->ss[c->nss].hi = nr;
		c->nss++;
		return 0;
	}
	mid = nl + (nr - nl) / 2;
	if (split_sync(c, s, nl, mid))
		return -1;
	return split_sync(c, s, mid, nr);
}

/* Sync pieces (segment-tree nodes) by (node, t_start), and the min t_end
 * tree over them; the "checked" difference array. */
int oracle_index_syncs(struct ctx *c)
{
	struct oracle *o = c->o;

	for (size_t i = 0; i < o->nsy; i++)
		if (o->sy[i].lo < o->sy[i].hi &&
		    split_sync(c, &o->sy[i], 0, o->npages))
			return -1;
	c->diff = calloc(c->nss + 1, sizeof(*c->diff));
	for (c->segn = 1; c->segn < c->nss; c->segn *= 2)
		;
	c->seg = malloc(2 * c->segn * sizeof(*c->seg));
	if (!c->diff || !c->seg)
		return -1;
	qsort(c->ss, c->nss, sizeof(*c->ss), cmp_sync);
	for (size_t i = 0; i < c->segn; i++)
		c->seg[c->segn + i] = i < c->nss ? c->ss[i].te : ORACLE_NONE;
	for (size_t i = c->segn - 1; i >= 1; i--)
		c->seg[i] = c->seg[2 * i] < c->seg[2 * i + 1] ?
			c->seg[2 * i] : c->seg[2 * i + 1];
	return 0;
}

/* ---- writebacks near a page, for the samples ---- */

struct cand {
	struct oracle_event_ref e;
	uint64_t dist;
	uint32_t ev;
};

static int cmp_cand_dist(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	return ORACLE_CMP(x->dist, y->dist) ?: ORACLE_CMP(x->e.ts, y->e.ts) ?:
	       ORACLE_CMP(x->ev, y->ev);
}

static int cmp_cand_ts(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	return ORACLE_CMP(x->e.ts, y->e.ts) ?: ORACLE_CMP(x->ev, y->ev);
}

static void add_cand(const struct ctx *c, struct cand *cd, unsigned *n,
		     const struct blk *b, uint64_t t0, uint64_t t1)
{
	const struct o_event *e = &c->o->ev[b->ev];

	cd[*n].e = (struct oracle_event_ref){ e->ts, e->tp_ts, e->pid,
					      e->pgoff, e->pglen };
	cd[*n].dist = e->ts <= t0 ? t0 - e->ts : (e->ts >= t1 ? e->ts - t1 : 0);
	cd[*n].ev = b->ev;
	(*n)++;
}

unsigned oracle_events_near(const struct ctx *c, uint64_t p, uint64_t t0,
			    uint64_t t1, struct oracle_event_ref *out)
{
	struct cand cd[64 * 2 * ORACLE_NEARBY];
	unsigned n = 0, m;

	for (unsigned j = 0; j < c->nord; j++) {
		const struct order_idx *oi = &c->ord[j];
		uint64_t ch = p >> oi->k;
		size_t i = blk_after(oi, ch, t0);

		for (size_t k = i, m2 = 0; k > 0 && m2 < ORACLE_NEARBY &&
		     oi->b[k - 1].chunk == ch; k--, m2++)
			add_cand(c, cd, &n, &oi->b[k - 1], t0, t1);
		for (size_t k = i, m2 = 0; k < oi->n && m2 < ORACLE_NEARBY &&
		     oi->b[k].chunk == ch; k++, m2++)
			add_cand(c, cd, &n, &oi->b[k], t0, t1);
	}
	qsort(cd, n, sizeof(*cd), cmp_cand_dist);
	m = n < ORACLE_NEARBY ? n : ORACLE_NEARBY;
	qsort(cd, m, sizeof(*cd), cmp_cand_ts);
	for (unsigned i = 0; i < m; i++)
		out[i] = cd[i].e;
	return m;
}
