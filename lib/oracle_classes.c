// SPDX-License-Identifier: GPL-2.0
/*
 * Classes: a failing store's cover event E (thread P) gives one threshold
 * T: the start of P's sync call running at E.t if there is one, else E.t
 * (or infinity without E).  Of the store's failing syncs in [l, r) (those
 * with t_end <= E.t), the missed ones are those with t_end <= T, the rest
 * are late: one more offline sweep (pieces by t_end, thresholds ascending,
 * Fenwick point-add/range-sum) counts both per query, exactly.
 *
 * Samples: a min-tree descent "first piece in [x, r) with t_end <= c",
 * round robin over the failing stores, then one of each class the round
 * robin did not reach.
 */
#include <stdlib.h>
#include <string.h>

#include "oracle_priv.h"

static int cmp_call_tid_ts(const void *a, const void *b)
{
	const struct call *x = a, *y = b;

	return ORACLE_CMP(x->tid, y->tid) ?: ORACLE_CMP(x->ts, y->ts) ?:
	       ORACLE_CMP(x->idx, y->idx);
}

/* The call thread tid was in at t: its last call begun at or before t,
 * unless it had ended before t.  UINT32_MAX: none. */
static uint32_t running_call(const struct ctx *c, int32_t tid, uint64_t t)
{
	size_t lo = 0, hi = c->ncalls;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (c->calls[mid].tid < tid ||
		    (c->calls[mid].tid == tid && c->calls[mid].ts <= t))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo || c->calls[lo - 1].tid != tid || c->calls[lo - 1].te < t)
		return UINT32_MAX;
	return (uint32_t)(lo - 1);
}

struct thr_ev {
	uint64_t thr;
	uint32_t q;
	uint8_t total;		/* counts violations, else missed ones */
};

static int cmp_thr_ev(const void *a, const void *b)
{
	const struct thr_ev *x = a, *y = b;

	return ORACLE_CMP(x->thr, y->thr) ?: ORACLE_CMP(x->q, y->q);
}

static int cmp_u32_te(const void *a, const void *b, void *arg)
{
	const struct ctx *c = arg;
	uint64_t x = c->ss[*(const uint32_t *)a].te;
	uint64_t y = c->ss[*(const uint32_t *)b].te;

	return ORACLE_CMP(x, y);
}

/* Each query's threshold (its cover thread's running call), and its exact
 * numbers of violations and of missed ones; the class totals in r. */
int oracle_classify(struct ctx *c, struct oracle_report *r)
{
	const struct oracle *o = c->o;
	struct thr_ev *te = NULL;
	uint32_t *po = NULL;
	int64_t *fw = NULL;
	uint64_t nmissed = 0;
	size_t pi = 0;

	c->calls = malloc((o->nsy + 1) * sizeof(*c->calls));
	te = malloc((2 * c->nq + 1) * sizeof(*te));
	po = malloc((c->nss + 1) * sizeof(*po));
	fw = calloc(c->nss + 2, sizeof(*fw));
	if (!c->calls || !te || !po || !fw) {
		free(te);
		free(po);
		free(fw);
		return -1;
	}
	for (size_t i = 0; i < o->nsy; i++)
		c->calls[i] = (struct call){ o->sy[i].tid, o->sy[i].ts,
					     o->sy[i].te, o->sy[i].idx };
	c->ncalls = o->nsy;
	qsort(c->calls, c->ncalls, sizeof(*c->calls), cmp_call_tid_ts);
	for (size_t i = 0; i < c->nq; i++) {
		struct query *q = &c->q[i];
		uint64_t cv = c->cov[q->store];

		q->call = UINT32_MAX;
		q->thr = ORACLE_NONE;
		if (cv != ORACLE_NONE) {
			q->call = running_call(c, o->ev[c->cov_ev[q->store]].pid, cv);
			q->thr = q->call == UINT32_MAX ? cv : c->calls[q->call].ts;
		}
		te[2 * i] = (struct thr_ev){ q->thr, (uint32_t)i, 0 };
		te[2 * i + 1] = (struct thr_ev){ cv, (uint32_t)i, 1 };
	}
	qsort(te, 2 * c->nq, sizeof(*te), cmp_thr_ev);
	for (size_t i = 0; i < c->nss; i++)
		po[i] = (uint32_t)i;
	qsort_r(po, c->nss, sizeof(*po), cmp_u32_te, c);
	for (size_t k = 0; k < 2 * c->nq; k++) {
		struct query *q = &c->q[te[k].q];
		int64_t n;

		while (pi < c->nss && c->ss[po[pi]].te <= te[k].thr)
			fw_add(fw, c->nss, po[pi++], 1);
		n = fw_sum(fw, q->r - 1) - (q->l ? fw_sum(fw, q->l - 1) : 0);
		if (te[k].total)
			q->nviol = (uint64_t)n;
		else
			q->nmissed = (uint64_t)n;
	}
	for (size_t i = 0; i < c->nq; i++)
		nmissed += c->q[i].nmissed;
	r->by_class[ORACLE_MISSED] = nmissed;
	r->by_class[ORACLE_LATE] = r->violations - nmissed;
	free(te);
	free(po);
	free(fw);
	return 0;
}

/* ---- samples ---- */

/* First position in [x, r) with t_end <= v, or r. */
static size_t seg_first_le(const struct ctx *c, size_t node, size_t nl,
			   size_t nr, size_t x, size_t r, uint64_t v)
{
	size_t mid, f;

	if (nr <= x || nl >= r || c->seg[node] > v)
		return r;
	if (nr - nl == 1)
		return nl;
	mid = nl + (nr - nl) / 2;
	f = seg_first_le(c, 2 * node, nl, mid, x, r, v);
	if (f < r)
		return f;
	return seg_first_le(c, 2 * node + 1, mid, nr, x, r, v);
}

static void fill_violation(const struct ctx *c, const struct query *q,
			   size_t y, const uint64_t *missed,
			   struct oracle_violation *v)
{
	const struct o_store *s = &c->o->st[q->store];
	const struct o_sync *sy = &c->ss[y];

	memset(v, 0, sizeof(*v));
	v->pgoff = s->pg;
	v->store_t_before = s->tb;
	v->store_t_after = s->ta;
	v->sync_idx = sy->idx;
	v->sync_t_start = sy->ts;
	v->sync_t_end = sy->te;
	v->sync_tid = sy->tid;
	v->sync_kind = (enum oracle_sync_kind)sy->kind;
	v->sync_first = sy->first;
	v->sync_npages = sy->npages;
	v->sync_pages_missed = missed[sy->idx];
	v->cover_ts = c->cov[q->store];
	v->cover_tp_ts = v->cover_ts == ORACLE_NONE ||
			 c->cov_ev[q->store] >= c->o->nev ? ORACLE_NONE :
			 c->o->ev[c->cov_ev[q->store]].tp_ts;
	v->nnearby = oracle_events_near(c, s->pg, s->tb, sy->te, v->nearby);
	v->cls = sy->te <= q->thr ? ORACLE_MISSED : ORACLE_LATE;
	v->cover_pid = v->cover_tp_ts == ORACLE_NONE ? 0 :
		       c->o->ev[c->cov_ev[q->store]].pid;
	v->cover_call_idx = SIZE_MAX;
	v->cover_call_t_start = v->cover_call_t_end = ORACLE_NONE;
	if (q->call != UINT32_MAX) {
		v->cover_call_idx = c->calls[q->call].idx;
		v->cover_call_t_start = c->calls[q->call].ts;
		v->cover_call_t_end = c->calls[q->call].te;
	}
}

/* Earlier sample: by sync t_start, t_end, index, page. */
static bool viol_before(const struct oracle_violation *x,
			const struct oracle_violation *y)
{
	return (ORACLE_CMP(x->sync_t_start, y->sync_t_start) ?:
		ORACLE_CMP(x->sync_t_end, y->sync_t_end) ?:
		ORACLE_CMP(x->sync_idx, y->sync_idx) ?:
		ORACLE_CMP(x->pgoff, y->pgoff)) < 0;
}

/* A sample of class k when the round robin found none: the earliest of
 * the first query that has one. */
static void sample_class(struct ctx *c, struct oracle_report *r,
			 enum oracle_class k, const uint64_t *missed)
{
	for (size_t i = 0; i < c->nq; i++) {
		struct query *q = &c->q[i];
		uint64_t cv = c->cov[q->store];
		size_t y;

		if (k == ORACLE_MISSED) {
			if (!q->nmissed)
				continue;
			y = seg_first_le(c, 1, 0, c->segn, q->l, q->r, q->thr);
		} else {
			if (q->nviol <= q->nmissed)
				continue;
			y = seg_first_le(c, 1, 0, c->segn, q->l, q->r, cv);
			while (y < q->r && c->ss[y].te <= q->thr)
				y = seg_first_le(c, 1, 0, c->segn, y + 1, q->r, cv);
		}
		if (y >= q->r)
			continue;	/* cannot be: the counts say one is there */
		fill_violation(c, q, y, missed, &r->viol[r->nviol++]);
		return;
	}
}

static int cmp_viol(const void *a, const void *b)
{
	const struct oracle_violation *x = a, *y = b;

	return ORACLE_CMP(x->sync_idx, y->sync_idx) ?: ORACLE_CMP(x->pgoff, y->pgoff);
}

int oracle_take_samples(struct ctx *c, struct oracle_report *r, size_t max,
			const uint64_t *missed)
{
	size_t want = r->violations < max ? (size_t)r->violations : max;
	bool progress = true;

	bool have[ORACLE_CLASS__COUNT] = { false };

	if (!want)
		return 0;
	r->viol = calloc(want + 2, sizeof(*r->viol));	/* + one a class */
	if (!r->viol)
		return -1;
	/* round robin over the failing stores: one sample each, then more */
	while (r->nviol < want && progress) {
		progress = false;
		for (size_t i = 0; i < c->nq && r->nviol < want; i++) {
			struct query *q = &c->q[i];
			size_t y;

			if (q->cur >= q->r)
				continue;
			y = seg_first_le(c, 1, 0, c->segn, q->cur, q->r,
					 c->cov[q->store]);
			q->cur = (uint32_t)(y < q->r ? y + 1 : q->r);
			if (y >= q->r)
				continue;
			fill_violation(c, q, y, missed, &r->viol[r->nviol++]);
			progress = true;
		}
	}
	for (size_t i = 0; i < r->nviol; i++)
		have[r->viol[i].cls] = true;
	if (r->by_class[ORACLE_MISSED] && !have[ORACLE_MISSED])
		sample_class(c, r, ORACLE_MISSED, missed);
	if (r->by_class[ORACLE_LATE] && !have[ORACLE_LATE])
		sample_class(c, r, ORACLE_LATE, missed);
	qsort(r->viol, r->nviol, sizeof(*r->viol), cmp_viol);
	for (size_t i = 0; i < r->nviol; i++) {
		size_t *f = &r->first[r->viol[i].cls];

		if (*f == SIZE_MAX || viol_before(&r->viol[i], &r->viol[*f]))
			*f = i;
	}
	return 0;
}
