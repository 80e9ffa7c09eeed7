// SPDX-License-Identifier: GPL-2.0
/*
 * Flush oracle (see include/oracle.h for the rule).
 *
 * Indexes built by oracle_check():
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
 * Per group, whichever is cheaper (estimated):
 *  - by store: for each store in the node's pages, the syncs it is latest
 *    for are a run [l, r) of the group; it fails some of them iff
 *    min(t_end[l..r)) <= c(store);
 *  - by sync: for each sync, each stored page of the node: binary search
 *    the page's latest store before t_start.
 * Either way a failing store yields a query (store, l, r); per-sync counts
 * come from one offline sweep (pieces by t_end, queries by c, Fenwick
 * range-add/point-query), samples from a min-tree descent "first piece in
 * [x, r) with t_end <= c".  Pieces of one sync cover disjoint pages, so
 * pairs and counts add up per sync.  A query is pushed exactly for a store
 * with >= 1 violation, so the failing pages are those of the queried stores:
 * one flag per store, then one pass over the stores in page order merges
 * them into ranges (O(S), whatever the number of violations).
 *
 * Classes: a failing store's cover event E (thread P) gives one threshold
 * T: the start of P's sync call running at E.t if there is one, else E.t
 * (or infinity without E).  Of the store's failing syncs in [l, r) (those
 * with t_end <= E.t), the missed ones are those with t_end <= T, the rest
 * are late: one more offline sweep (pieces by t_end, thresholds ascending,
 * Fenwick point-add/range-sum) counts both per query, exactly.
 *
 * Flush rule: each writeback event's own fields (flush_ts, flush_size, from
 * the pairing) decide; the dax_flush records fed are only the context of
 * the samples (sorted by time, and their returns by thread).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "oracle.h"

struct o_store {
	uint64_t pg, tb, ta;
};

struct o_event {
	uint64_t ts, pgoff, pglen;	/* ts: flush time */
	uint64_t tp_ts;			/* tracepoint time */
	uint64_t flush_size;		/* of the paired flush, 0 unknown */
	int32_t pid;
	uint8_t paired;			/* flush_ts != 0 (ts is it) */
	uint8_t synthetic;		/* not subject to the flush rule */
};

struct o_flush {			/* a dax_flush record */
	uint64_t ts, size;
	int32_t pid;
	uint8_t entry;
};

struct o_sync {
	uint64_t ts, te;
	uint64_t first, npages;		/* as given */
	uint64_t lo, hi;		/* clipped range [lo, hi) */
	int32_t tid;
	uint32_t kind;
	uint32_t idx;			/* order added */
};

struct oracle {
	uint64_t npages;
	enum oracle_strategy strategy;
	uint64_t t0;
	uint64_t ev_ignored;
	struct o_store *st;
	size_t nst, capst;
	struct o_event *ev;
	size_t nev, capev;
	struct o_sync *sy;
	size_t nsy, capsy;
	struct o_flush *fl;
	size_t nfl, capfl;
	bool flush_rule;
};

static const char *const kind_names[ORACLE_SYNC__COUNT] = {
	[ORACLE_FSYNC] = "fsync",
	[ORACLE_FDATASYNC] = "fdatasync",
	[ORACLE_MSYNC] = "msync",
	[ORACLE_SYNC_FILE_RANGE] = "sync_file_range",
	[ORACLE_SYNCFS] = "syncfs",
	[ORACLE_SYNC_OTHER] = "other",
};

const char *oracle_sync_kind_name(enum oracle_sync_kind k)
{
	return (unsigned)k < ORACLE_SYNC__COUNT ? kind_names[k] : "?";
}

static const char *const class_names[ORACLE_CLASS__COUNT] = {
	[ORACLE_LATE] = "late",
	[ORACLE_MISSED] = "missed",
	[ORACLE_UNFLUSHED] = "unflushed",
};

const char *oracle_class_name(enum oracle_class c)
{
	return (unsigned)c < ORACLE_CLASS__COUNT ? class_names[c] : "?";
}

static const char *const unfl_names[ORACLE_UNFL__COUNT] = {
	[ORACLE_UNFL_NONE] = "no flush",
	[ORACLE_UNFL_AFTER] = "flush returned after the event",
	[ORACLE_UNFL_SHORT] = "flush of a shorter range",
	[ORACLE_UNFL_NO_SIZE] = "flush size unknown",
};

const char *oracle_unflushed_why_name(enum oracle_unflushed_why w)
{
	return (unsigned)w < ORACLE_UNFL__COUNT ? unfl_names[w] : "?";
}

struct oracle *oracle_new(uint64_t npages)
{
	struct oracle *o = calloc(1, sizeof(*o));

	if (!o)
		return NULL;
	o->npages = npages;
	o->t0 = ORACLE_NONE;
	return o;
}

void oracle_free(struct oracle *o)
{
	if (!o)
		return;
	free(o->st);
	free(o->ev);
	free(o->sy);
	free(o->fl);
	free(o);
}

void oracle_set_strategy(struct oracle *o, enum oracle_strategy s)
{
	o->strategy = s;
}

void oracle_set_flush_rule(struct oracle *o, bool on)
{
	o->flush_rule = on;
}

/* Room for one more element; indices are kept in uint32_t. */
static int grow(void **p, size_t *cap, size_t n, size_t sz)
{
	size_t nc;
	void *q;

	if (n < *cap)
		return 0;
	if (n >= UINT32_MAX - 1) {
		errno = EOVERFLOW;
		return -1;
	}
	nc = *cap ? *cap * 2 : 1024;
	q = realloc(*p, nc * sz);
	if (!q) {
		errno = ENOMEM;
		return -1;
	}
	*p = q;
	*cap = nc;
	return 0;
}

static void see_time(struct oracle *o, uint64_t t)
{
	if (t < o->t0)
		o->t0 = t;
}

int oracle_add_store(struct oracle *o, uint64_t pgoff, uint64_t t_before,
		     uint64_t t_after)
{
	if (t_before > t_after) {
		errno = EINVAL;
		return -1;
	}
	if (pgoff >= o->npages) {
		errno = ERANGE;
		return -1;
	}
	if (grow((void **)&o->st, &o->capst, o->nst, sizeof(*o->st)))
		return -1;
	o->st[o->nst++] = (struct o_store){ pgoff, t_before, t_after };
	see_time(o, t_before);
	return 0;
}

int oracle_add_sync(struct oracle *o, uint64_t t_start, uint64_t t_end,
		    int32_t tid, enum oracle_sync_kind kind, uint64_t first,
		    uint64_t npages)
{
	struct o_sync *s;
	uint64_t hi;

	if (t_start > t_end) {
		errno = EINVAL;
		return -1;
	}
	if (grow((void **)&o->sy, &o->capsy, o->nsy, sizeof(*o->sy)))
		return -1;
	if (npages == 0 || first + npages < first || first + npages > o->npages)
		hi = o->npages;
	else
		hi = first + npages;
	s = &o->sy[o->nsy];
	*s = (struct o_sync){
		.ts = t_start, .te = t_end, .first = first, .npages = npages,
		.lo = first, .hi = hi, .tid = tid, .kind = kind,
		.idx = (uint32_t)o->nsy,
	};
	if (s->lo >= s->hi)
		s->lo = s->hi = 0;	/* covers nothing */
	o->nsy++;
	see_time(o, t_start);
	return 0;
}

static int add_event(struct oracle *o, const struct trace_rec *r,
		     bool synthetic)
{
	if (r->ev == EV_FLUSH_ENTRY || r->ev == EV_FLUSH_RET) {
		if (synthetic)
			return 0;
		if (grow((void **)&o->fl, &o->capfl, o->nfl, sizeof(*o->fl)))
			return -1;
		o->fl[o->nfl++] = (struct o_flush){
			.ts = r->ts, .pid = r->pid,
			.entry = r->ev == EV_FLUSH_ENTRY,
			.size = r->ev == EV_FLUSH_ENTRY ? r->flush_size : 0,
		};
		return 0;
	}
	if (r->ev != EV_WRITEBACK_ONE || r->pglen == 0) {
		o->ev_ignored++;
		return 0;
	}
	if (grow((void **)&o->ev, &o->capev, o->nev, sizeof(*o->ev)))
		return -1;
	o->ev[o->nev++] = (struct o_event){
		.ts = trace_rec_flush_time(r), .pgoff = r->pgoff,
		.pglen = r->pglen, .tp_ts = r->ts,
		.flush_size = r->flush_ts ? r->flush_size : 0, .pid = r->pid,
		.paired = r->flush_ts != 0, .synthetic = synthetic,
	};
	see_time(o, trace_rec_flush_time(r));
	return 1;
}

int oracle_add_event(struct oracle *o, const struct trace_rec *r)
{
	return add_event(o, r, false);
}

static long add_events(struct oracle *o, const struct trace_rec *v, size_t n,
		       bool synthetic)
{
	long kept = 0;

	for (size_t i = 0; i < n; i++) {
		int k = add_event(o, &v[i], synthetic);

		if (k < 0)
			return -1;
		kept += k;
	}
	return kept;
}

long oracle_add_events(struct oracle *o, const struct trace_rec *v, size_t n)
{
	return add_events(o, v, n, false);
}

long oracle_add_synthetic_events(struct oracle *o, const struct trace_rec *v,
				 size_t n)
{
	return add_events(o, v, n, true);
}

/* ------------------------------------------------------------------ */
/* check-time state */

struct blk {
	uint64_t chunk, ts;
	uint32_t ev;
};

struct order_idx {
	unsigned k;
	struct blk *b;
	size_t n;
};

struct query {		/* a failing store: cov[store] >= some te */
	uint32_t store;
	uint32_t l, r;		/* sync-piece positions [l, r) */
	uint32_t cur;		/* sampling cursor */
	uint32_t call;		/* the cover thread's running call (index
				 * into ctx.calls), UINT32_MAX: none */
	uint64_t thr;		/* missed iff t_end <= thr (class) */
	uint64_t nmissed, nviol;	/* of this query, exact */
};

struct call {		/* a sync call, for the late/missed class */
	int32_t tid;
	uint64_t ts, te;
	uint32_t idx;
};

struct ctx {
	struct oracle *o;
	struct order_idx ord[64];
	unsigned nord;
	uint64_t *pages;	/* distinct stored pages, ascending */
	uint32_t *pstart;	/* stores of pages[j]: [pstart[j], pstart[j+1]) */
	size_t npg;
	uint64_t *cov;		/* per store: cover time, lazily */
	uint32_t *cov_ev;
	uint8_t *cov_done;	/* per store: COV_DONE | COV_FAILED */
	struct o_sync *ss;	/* sync pieces, sorted by (lo, hi, ts) */
	size_t nss, capss;
	uint64_t *seg;		/* min t_end segment tree, size 2 * segn */
	size_t segn;
	int64_t *diff;		/* "checked" marks, difference array */
	struct query *q;
	size_t nq, capq;
	uint64_t pairs;
	struct call *calls;	/* by (tid, ts) */
	size_t ncalls;
};

#define COV_DONE 1		/* cov[] computed */
#define COV_FAILED 2		/* the store has >= 1 violation (queried) */

static int cmp_store(const void *a, const void *b)
{
	const struct o_store *x = a, *y = b;

	if (x->pg != y->pg)
		return x->pg < y->pg ? -1 : 1;
	if (x->ta != y->ta)
		return x->ta < y->ta ? -1 : 1;
	if (x->tb != y->tb)
		return x->tb < y->tb ? -1 : 1;
	return 0;
}

static int cmp_blk(const void *a, const void *b)
{
	const struct blk *x = a, *y = b;

	if (x->chunk != y->chunk)
		return x->chunk < y->chunk ? -1 : 1;
	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	if (x->ev != y->ev)
		return x->ev < y->ev ? -1 : 1;
	return 0;
}

static int cmp_sync(const void *a, const void *b)
{
	const struct o_sync *x = a, *y = b;

	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	if (x->hi != y->hi)
		return x->hi < y->hi ? -1 : 1;
	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	if (x->idx != y->idx)
		return x->idx < y->idx ? -1 : 1;
	return 0;
}

static unsigned ilog2_u64(uint64_t v)
{
	return 63 - (unsigned)__builtin_clzll(v);
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

static int build_events(struct ctx *c)
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
static uint64_t cover_after(const struct ctx *c, uint64_t p, uint64_t t,
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

static uint64_t store_cover(struct ctx *c, uint32_t i)
{
	if (!(c->cov_done[i] & COV_DONE)) {
		c->cov[i] = cover_after(c, c->o->st[i].pg, c->o->st[i].tb,
					&c->cov_ev[i]);
		c->cov_done[i] |= COV_DONE;
	}
	return c->cov[i];
}

static int push_query(struct ctx *c, uint32_t store, uint32_t l, uint32_t r)
{
	if (grow((void **)&c->q, &c->capq, c->nq, sizeof(*c->q)))
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

/* ---- per-sync counts: offline sweep ---- */

static void fw_add(int64_t *fw, size_t n, size_t i, int64_t v)
{
	for (i++; i <= n; i += i & -i)
		fw[i] += v;
}

static int64_t fw_sum(const int64_t *fw, size_t i)	/* prefix [0, i] */
{
	int64_t s = 0;

	for (i++; i; i -= i & -i)
		s += fw[i];
	return s;
}

static int cmp_q_c_desc(const void *a, const void *b, void *arg)
{
	const struct ctx *c = arg;
	uint64_t x = c->cov[c->q[*(const uint32_t *)a].store];
	uint64_t y = c->cov[c->q[*(const uint32_t *)b].store];

	return x == y ? 0 : (x > y ? -1 : 1);
}

static int cmp_sy_te_desc(const void *a, const void *b, void *arg)
{
	const struct ctx *c = arg;
	uint64_t x = c->ss[*(const uint32_t *)a].te;
	uint64_t y = c->ss[*(const uint32_t *)b].te;

	return x == y ? 0 : (x > y ? -1 : 1);
}

static int count_per_sync(struct ctx *c, uint64_t *missed)
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

/* ---- classes: late or missed ---- */

static int cmp_call_tid_ts(const void *a, const void *b)
{
	const struct call *x = a, *y = b;

	if (x->tid != y->tid)
		return x->tid < y->tid ? -1 : 1;
	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
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

	if (x->thr != y->thr)
		return x->thr < y->thr ? -1 : 1;
	return x->q < y->q ? -1 : x->q > y->q;
}

static int cmp_u32_te(const void *a, const void *b, void *arg)
{
	const struct ctx *c = arg;
	uint64_t x = c->ss[*(const uint32_t *)a].te;
	uint64_t y = c->ss[*(const uint32_t *)b].te;

	return x == y ? 0 : (x < y ? -1 : 1);
}

/* Each query's threshold (its cover thread's running call), and its exact
 * numbers of violations and of missed ones; the class totals in r. */
static int classify(struct ctx *c, struct oracle_report *r)
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

struct cand {
	struct oracle_event_ref e;
	uint64_t dist;
	uint32_t ev;
};

static int cmp_cand_dist(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	if (x->dist != y->dist)
		return x->dist < y->dist ? -1 : 1;
	if (x->e.ts != y->e.ts)
		return x->e.ts < y->e.ts ? -1 : 1;
	return x->ev < y->ev ? -1 : x->ev > y->ev;
}

static int cmp_cand_ts(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	if (x->e.ts != y->e.ts)
		return x->e.ts < y->e.ts ? -1 : 1;
	return x->ev < y->ev ? -1 : x->ev > y->ev;
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

static unsigned nearby(const struct ctx *c, uint64_t p, uint64_t t0,
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
	v->nnearby = nearby(c, s->pg, s->tb, sy->te, v->nearby);
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
	if (x->sync_t_start != y->sync_t_start)
		return x->sync_t_start < y->sync_t_start;
	if (x->sync_t_end != y->sync_t_end)
		return x->sync_t_end < y->sync_t_end;
	if (x->sync_idx != y->sync_idx)
		return x->sync_idx < y->sync_idx;
	return x->pgoff < y->pgoff;
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

	if (x->sync_idx != y->sync_idx)
		return x->sync_idx < y->sync_idx ? -1 : 1;
	if (x->pgoff != y->pgoff)
		return x->pgoff < y->pgoff ? -1 : 1;
	return 0;
}

static int take_samples(struct ctx *c, struct oracle_report *r, size_t max,
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

/* ---- the flush rule ---- */

/* What the writeback event e lacks, or ORACLE_UNFL__COUNT when its flush is
 * good: paired, returned no later than the event, of >= its range. */
static enum oracle_unflushed_why unflushed(const struct o_event *e)
{
	uint64_t need = e->pglen > UINT64_MAX / ORACLE_PAGE ? UINT64_MAX :
			e->pglen * ORACLE_PAGE;

	if (!e->paired)
		return ORACLE_UNFL_NONE;
	if (e->ts > e->tp_ts)
		return ORACLE_UNFL_AFTER;
	if (!e->flush_size)
		return ORACLE_UNFL_NO_SIZE;
	if (e->flush_size < need)
		return ORACLE_UNFL_SHORT;
	return ORACLE_UNFL__COUNT;
}

static int cmp_flush_ts(const void *a, const void *b)
{
	const struct o_flush *x = a, *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return (int)y->entry - (int)x->entry;	/* entry first */
}

static int cmp_ev_tp(const void *a, const void *b, void *arg)
{
	const struct o_event *ev = arg;
	const struct o_event *x = &ev[*(const uint32_t *)a];
	const struct o_event *y = &ev[*(const uint32_t *)b];

	if (x->tp_ts != y->tp_ts)
		return x->tp_ts < y->tp_ts ? -1 : 1;
	return x < y ? -1 : x > y;
}

static int cmp_ev_pid_tp(const void *a, const void *b, void *arg)
{
	const struct o_event *ev = arg;
	const struct o_event *x = &ev[*(const uint32_t *)a];
	const struct o_event *y = &ev[*(const uint32_t *)b];

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return cmp_ev_tp(a, b, arg);
}

static int cmp_fl_pid_ts(const void *a, const void *b, void *arg)
{
	const struct o_flush *fl = arg;
	const struct o_flush *x = &fl[*(const uint32_t *)a];
	const struct o_flush *y = &fl[*(const uint32_t *)b];

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return x < y ? -1 : x > y;
}

/* The sample of writeback event i: why, and its thread's writebacks and
 * flushes around it (wb: its writebacks by (pid, tp_ts), nwb; rt: the
 * flush returns by (pid, ts), nrt; o->fl sorted by ts). */
static void fill_unflushed(const struct oracle *o, uint32_t i,
			   const uint32_t *wb, size_t nwb, const uint32_t *rt,
			   size_t nrt, struct oracle_unflushed *u)
{
	const struct o_event *e = &o->ev[i], *next = NULL;
	size_t lo = 0, hi = nwb, a, b;

	memset(u, 0, sizeof(*u));
	u->ts = e->tp_ts;
	u->pid = e->pid;
	u->pgoff = e->pgoff;
	u->pglen = e->pglen;
	u->why = unflushed(e);
	u->flush_ts = e->paired ? e->ts : 0;
	u->flush_size = e->paired ? e->flush_size : 0;
	u->prev_wb_ts = u->own_after_ts = ORACLE_NONE;
	/* this event among its thread's writebacks */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct o_event *m = &o->ev[wb[mid]];

		if (m->pid < e->pid || (m->pid == e->pid && m->tp_ts < e->tp_ts))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo && o->ev[wb[lo - 1]].pid == e->pid)
		u->prev_wb_ts = o->ev[wb[lo - 1]].tp_ts;
	while (lo < nwb && o->ev[wb[lo]].pid == e->pid &&
	       o->ev[wb[lo]].tp_ts <= e->tp_ts)
		lo++;
	if (lo < nwb && o->ev[wb[lo]].pid == e->pid)
		next = &o->ev[wb[lo]];
	/* its thread's first flush return after it and before its next
	 * writeback, unless that next writeback was paired with it (then it
	 * is the next one's flush, made before it: the usual case) */
	lo = 0;
	hi = nrt;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct o_flush *m = &o->fl[rt[mid]];

		if (m->pid < e->pid || (m->pid == e->pid && m->ts <= e->tp_ts))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < nrt && o->fl[rt[lo]].pid == e->pid &&
	    (!next || (o->fl[rt[lo]].ts < next->tp_ts &&
		       !(next->paired && next->ts == o->fl[rt[lo]].ts))))
		u->own_after_ts = o->fl[rt[lo]].ts;
	if (u->why == ORACLE_UNFL_NONE && u->own_after_ts != ORACLE_NONE)
		u->why = ORACLE_UNFL_AFTER;
	/* the flush records closest in time, any thread */
	lo = 0;
	hi = o->nfl;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (o->fl[mid].ts < e->tp_ts)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (a = b = lo; b - a < ORACLE_NEARBY && (a > 0 || b < o->nfl);) {
		if (a == 0)
			b++;
		else if (b == o->nfl)
			a--;
		else if (e->tp_ts - o->fl[a - 1].ts <= o->fl[b].ts - e->tp_ts)
			a--;
		else
			b++;
	}
	for (size_t k = a; k < b; k++)
		u->nearby[u->nnearby++] = (struct oracle_flush_ref){
			o->fl[k].ts, o->fl[k].pid, o->fl[k].entry, o->fl[k].size };
}

/* Check every kernel writeback event; samples: the first max by time. */
static int check_flush_rule(struct oracle *o, struct oracle_report *r,
			    size_t max)
{
	uint32_t *bad = NULL, *wb = NULL, *rt = NULL;
	size_t nbad = 0, nwb = 0, nrt = 0, m;

	r->flush_rule = o->flush_rule;
	r->flush_records = o->nfl;
	if (!o->flush_rule)
		return 0;
	bad = malloc((o->nev + 1) * sizeof(*bad));
	wb = malloc((o->nev + 1) * sizeof(*wb));
	rt = malloc((o->nfl + 1) * sizeof(*rt));
	if (!bad || !wb || !rt)
		goto nomem;
	for (size_t i = 0; i < o->nev; i++) {
		if (o->ev[i].synthetic)
			continue;
		wb[nwb++] = (uint32_t)i;
		r->flush_checked++;
		if (unflushed(&o->ev[i]) != ORACLE_UNFL__COUNT)
			bad[nbad++] = (uint32_t)i;
	}
	r->by_class[ORACLE_UNFLUSHED] = nbad;
	m = nbad < max ? nbad : max;
	if (m) {
		r->unfl = calloc(m, sizeof(*r->unfl));
		if (!r->unfl)
			goto nomem;
		qsort(o->fl, o->nfl, sizeof(*o->fl), cmp_flush_ts);
		for (size_t i = 0; i < o->nfl; i++)
			if (!o->fl[i].entry)
				rt[nrt++] = (uint32_t)i;
		qsort_r(rt, nrt, sizeof(*rt), cmp_fl_pid_ts, o->fl);
		qsort_r(wb, nwb, sizeof(*wb), cmp_ev_pid_tp, o->ev);
		qsort_r(bad, nbad, sizeof(*bad), cmp_ev_tp, o->ev);
		for (size_t k = 0; k < m; k++)
			fill_unflushed(o, bad[k], wb, nwb, rt, nrt,
				       &r->unfl[r->nunfl++]);
		r->first[ORACLE_UNFLUSHED] = 0;
	}
	free(bad);
	free(wb);
	free(rt);
	return 0;
nomem:
	free(bad);
	free(wb);
	free(rt);
	return -1;
}

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
		if (grow((void **)&c->ss, &c->capss, c->nss, sizeof(*c->ss)))
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

int64_t oracle_check(struct oracle *o, struct oracle_report *r,
		     size_t max_violations)
{
	struct ctx c = { .o = o };
	uint64_t *missed = NULL, *missed_sync = NULL;
	uint8_t *checked = NULL;
	int64_t run = 0;

	memset(r, 0, sizeof(*r));
	r->first_failed_sync = SIZE_MAX;
	r->first_failed_t_start = r->first_failed_t_end = ORACLE_NONE;
	for (int k = 0; k < ORACLE_CLASS__COUNT; k++)
		r->first[k] = SIZE_MAX;
	r->t0 = o->t0;
	r->stores = o->nst;
	r->events = o->nev;
	r->events_ignored = o->ev_ignored;
	r->syncs = o->nsy;

	/* stores, and the distinct pages */
	qsort(o->st, o->nst, sizeof(*o->st), cmp_store);
	c.pages = malloc((o->nst + 1) * sizeof(*c.pages));
	c.pstart = malloc((o->nst + 1) * sizeof(*c.pstart));
	c.cov = malloc((o->nst + 1) * sizeof(*c.cov));
	c.cov_ev = malloc((o->nst + 1) * sizeof(*c.cov_ev));
	c.cov_done = calloc(o->nst + 1, 1);
	if (!c.pages || !c.pstart || !c.cov || !c.cov_ev || !c.cov_done)
		goto nomem;
	for (size_t i = 0; i < o->nst; i++) {
		if (i == 0 || o->st[i].pg != o->st[i - 1].pg) {
			c.pages[c.npg] = o->st[i].pg;
			c.pstart[c.npg++] = (uint32_t)i;
		}
	}
	c.pstart[c.npg] = (uint32_t)o->nst;

	if (build_events(&c))
		goto nomem;

	/* sync pieces (segment-tree nodes) by (node, t_start), and the min
	 * t_end tree over them */
	for (size_t i = 0; i < o->nsy; i++)
		if (o->sy[i].lo < o->sy[i].hi &&
		    split_sync(&c, &o->sy[i], 0, o->npages))
			goto nomem;
	c.diff = calloc(c.nss + 1, sizeof(*c.diff));
	for (c.segn = 1; c.segn < c.nss; c.segn *= 2)
		;
	c.seg = malloc(2 * c.segn * sizeof(*c.seg));
	missed = calloc(c.nss + 1, sizeof(*missed));
	missed_sync = calloc(o->nsy + 1, sizeof(*missed_sync));
	checked = calloc(o->nsy + 1, 1);
	if (!c.diff || !c.seg || !missed || !missed_sync || !checked)
		goto nomem;
	qsort(c.ss, c.nss, sizeof(*c.ss), cmp_sync);
	for (size_t i = 0; i < c.segn; i++)
		c.seg[c.segn + i] = i < c.nss ? c.ss[i].te : ORACLE_NONE;
	for (size_t i = c.segn - 1; i >= 1; i--)
		c.seg[i] = c.seg[2 * i] < c.seg[2 * i + 1] ?
			c.seg[2 * i] : c.seg[2 * i + 1];

	for (size_t gs = 0, ge; gs < c.nss; gs = ge) {
		uint64_t lo = c.ss[gs].lo, hi = c.ss[gs].hi;
		size_t j0, j1, nstores, m;
		bool by_store;

		for (ge = gs + 1; ge < c.nss && c.ss[ge].lo == lo &&
		     c.ss[ge].hi == hi; ge++)
			;
		j0 = lower_page(&c, lo);
		j1 = lower_page(&c, hi);
		nstores = (j1 < c.npg ? c.pstart[j1] : o->nst) -
			  (j0 < c.npg ? c.pstart[j0] : o->nst);
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
		if (by_store ? group_by_store(&c, gs, ge) :
			       group_by_sync(&c, gs, ge))
			goto nomem;
	}
	r->pairs_checked = c.pairs;
	for (size_t i = 0; i < c.nss; i++) {
		run += c.diff[i];
		if (run)
			checked[c.ss[i].idx] = 1;
	}
	if (count_per_sync(&c, missed))
		goto nomem;
	for (size_t i = 0; i < c.nss; i++)
		missed_sync[c.ss[i].idx] += missed[i];
	for (size_t i = 0; i < o->nsy; i++) {
		r->syncs_checked += checked[i];
		r->violations += missed_sync[i];
		if (missed_sync[i])
			r->syncs_failed++;
	}
	first_failed(o, missed_sync, r);
	if (failed_pages(&c, r))
		goto nomem;
	if (classify(&c, r))
		goto nomem;
	if (take_samples(&c, r, max_violations, missed_sync))
		goto nomem;
	if (check_flush_rule(o, r, max_violations))
		goto nomem;
	free(missed);
	free(missed_sync);
	free(checked);
	ctx_free(&c);
	return (int64_t)(r->violations + r->by_class[ORACLE_UNFLUSHED]);

nomem:
	free(missed);
	free(missed_sync);
	free(checked);
	ctx_free(&c);
	oracle_report_free(r);
	memset(r, 0, sizeof(*r));
	r->first_failed_sync = SIZE_MAX;
	r->first_failed_t_start = r->first_failed_t_end = ORACLE_NONE;
	for (int k = 0; k < ORACLE_CLASS__COUNT; k++)
		r->first[k] = SIZE_MAX;
	errno = ENOMEM;
	return -1;
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

/* ---- output ---- */

static const char *rel(char *buf, size_t len, uint64_t t, uint64_t t0)
{
	uint64_t d;
	char sign = '+';

	if (t == ORACLE_NONE) {
		snprintf(buf, len, "never");
		return buf;
	}
	if (t0 == ORACLE_NONE)
		t0 = 0;
	if (t >= t0) {
		d = t - t0;
	} else {
		d = t0 - t;
		sign = '-';
	}
	snprintf(buf, len, "%c%" PRIu64 ".%09" PRIu64 "s", sign,
		 d / 1000000000u, d % 1000000000u);
	return buf;
}

static const char *dur(char *buf, size_t len, uint64_t d)
{
	if (d < 10000)
		snprintf(buf, len, "%" PRIu64 " ns", d);
	else if (d < 10000000)
		snprintf(buf, len, "%.3f us", d / 1e3);
	else
		snprintf(buf, len, "%.3f ms", d / 1e6);
	return buf;
}

void oracle_violation_print(FILE *f, const struct oracle_report *r,
			    const struct oracle_violation *v)
{
	uint64_t t0 = r ? r->t0 : 0;
	char a[40], b[40], d[40];

	fprintf(f, "page %" PRIu64 ": store [%s .. %s]",
		v->pgoff, rel(a, sizeof(a), v->store_t_before, t0),
		rel(b, sizeof(b), v->store_t_after, t0));
	fprintf(f, " not written back by %s #%zu (tid %" PRId32 ", ",
		oracle_sync_kind_name(v->sync_kind), v->sync_idx, v->sync_tid);
	if (v->sync_npages == 0 && v->sync_first == 0)
		fprintf(f, "whole file");
	else if (v->sync_npages == 0)
		fprintf(f, "pages %" PRIu64 "..end", v->sync_first);
	else
		fprintf(f, "pages %" PRIu64 "..%" PRIu64, v->sync_first,
			v->sync_first + v->sync_npages - 1);
	fprintf(f, ") [%s .. %s], %" PRIu64 " page%s missed by that call\n",
		rel(a, sizeof(a), v->sync_t_start, t0),
		rel(b, sizeof(b), v->sync_t_end, t0), v->sync_pages_missed,
		v->sync_pages_missed == 1 ? "" : "s");
	if (v->cover_ts == ORACLE_NONE)
		fprintf(f, "  no writeback_one covered the page after the store\n");
	else {
		fprintf(f, "  first writeback_one after the store: %s, %s after "
			"the call returned", rel(a, sizeof(a), v->cover_ts, t0),
			dur(d, sizeof(d), v->cover_ts - v->sync_t_end));
		if (v->cover_tp_ts != ORACLE_NONE && v->cover_tp_ts != v->cover_ts)
			fprintf(f, " (flush returned; its tracepoint %s)",
				rel(b, sizeof(b), v->cover_tp_ts, t0));
		fputc('\n', f);
	}
	for (unsigned i = 0; i < v->nnearby; i++) {
		const struct oracle_event_ref *e = &v->nearby[i];
		const char *where;

		if (e->ts <= v->store_t_before)
			where = "before the store";
		else if (e->ts >= v->sync_t_end)
			where = "after the return";
		else
			where = "inside";
		if (e->tp_ts != e->ts)
			fprintf(f, "  nearby writeback_one %s (tracepoint %s)",
				rel(a, sizeof(a), e->ts, t0),
				rel(b, sizeof(b), e->tp_ts, t0));
		else
			fprintf(f, "  nearby writeback_one %s",
				rel(a, sizeof(a), e->ts, t0));
		fprintf(f, " pid %" PRId32 " pgoff %"
			PRIu64 " pglen %" PRIu64 " (%s %s)\n", e->pid, e->pgoff,
			e->pglen, dur(d, sizeof(d), e->ts <= v->store_t_before ?
				      v->store_t_before - e->ts :
				      e->ts >= v->sync_t_end ?
				      e->ts - v->sync_t_end : 0), where);
	}
	if (!v->nnearby)
		fprintf(f, "  no writeback_one ever covered page %" PRIu64 "\n",
			v->pgoff);
	if (v->cls == ORACLE_LATE && v->cover_call_t_start != ORACLE_NONE)
		fprintf(f, "  late: the call returned while tid %" PRId32 ", in a "
			"call begun %.3f ms before this one returned, was still "
			"flushing the page\n", v->cover_pid,
			(double)(v->sync_t_end - v->cover_call_t_start) / 1e6);
	else
		fprintf(f, "  missed: no call was flushing the page when this "
			"one returned\n");
}

void oracle_unflushed_print(FILE *f, const struct oracle_report *r,
			    const struct oracle_unflushed *u)
{
	uint64_t t0 = r ? r->t0 : 0;
	char a[40], b[40], d[40];

	fprintf(f, "writeback_one of pages %" PRIu64 "..%" PRIu64 " (pglen %"
		PRIu64 ") by pid %" PRId32 " at %s claims a flush it never made: "
		"%s\n", u->pgoff, u->pgoff + u->pglen - 1, u->pglen, u->pid,
		rel(a, sizeof(a), u->ts, t0), oracle_unflushed_why_name(u->why));
	switch (u->why) {
	case ORACLE_UNFL_NONE:
		if (u->prev_wb_ts == ORACLE_NONE)
			fprintf(f, "  no dax_flush of pid %" PRId32 " returned "
				"before it (its first writeback_one)\n", u->pid);
		else
			fprintf(f, "  no dax_flush of pid %" PRId32 " returned "
				"between its previous writeback_one (%s) and this "
				"one\n", u->pid, rel(a, sizeof(a), u->prev_wb_ts, t0));
		break;
	case ORACLE_UNFL_AFTER:
		if (u->flush_ts && u->flush_ts > u->ts)
			fprintf(f, "  its dax_flush returned at %s, %s after the "
				"event\n", rel(a, sizeof(a), u->flush_ts, t0),
				dur(d, sizeof(d), u->flush_ts - u->ts));
		else
			fprintf(f, "  pid %" PRId32 "'s next dax_flush returned at "
				"%s, %s after the event (none returned before it "
				"since its previous writeback_one)\n", u->pid,
				rel(a, sizeof(a), u->own_after_ts, t0),
				dur(d, sizeof(d), u->own_after_ts - u->ts));
		break;
	case ORACLE_UNFL_SHORT:
		fprintf(f, "  its dax_flush (returned at %s) flushed %" PRIu64
			" bytes; the entry needs %" PRIu64 " (%" PRIu64 " pages)\n",
			rel(a, sizeof(a), u->flush_ts, t0), u->flush_size,
			u->pglen * ORACLE_PAGE, u->pglen);
		break;
	default:
		fprintf(f, "  its dax_flush returned at %s, but its entry record "
			"(the size flushed) is missing\n",
			rel(a, sizeof(a), u->flush_ts, t0));
		break;
	}
	for (unsigned i = 0; i < u->nnearby; i++) {
		const struct oracle_flush_ref *e = &u->nearby[i];

		fprintf(f, "  nearby dax_flush %s pid %" PRId32, e->entry ?
			"entry" : "return", e->pid);
		if (e->entry)
			fprintf(f, " size %" PRIu64, e->size);
		fprintf(f, " at %s (%s %s the event)\n",
			rel(b, sizeof(b), e->ts, t0),
			dur(d, sizeof(d), e->ts <= u->ts ? u->ts - e->ts :
			    e->ts - u->ts), e->ts <= u->ts ? "before" : "after");
	}
	if (!u->nnearby)
		fprintf(f, "  no dax_flush record at all near it\n");
}

/* The lines of a sample for oracle_*_lines(): a stream that hands each
 * line, without its newline, to the caller's function. */
struct line_sink {
	oracle_line_fn *fn;
	void *arg;
	char *buf;
	size_t len, cap;
};

static ssize_t line_sink_write(void *cookie, const char *data, size_t n)
{
	struct line_sink *s = cookie;

	for (size_t i = 0; i < n; i++) {
		if (data[i] == '\n') {
			s->buf[s->len] = '\0';
			s->fn(s->arg, s->buf);
			s->len = 0;
			continue;
		}
		if (s->len + 1 >= s->cap) {
			size_t cap = s->cap ? 2 * s->cap : 64;
			char *b = realloc(s->buf, cap);

			if (!b)
				return i ? (ssize_t)i : -1;
			s->buf = b;
			s->cap = cap;
		}
		s->buf[s->len++] = data[i];
	}
	return (ssize_t)n;
}

static int line_sink_close(void *cookie)
{
	struct line_sink *s = cookie;

	if (s->len) {		/* a last line without its newline */
		s->buf[s->len] = '\0';
		s->fn(s->arg, s->buf);
	}
	free(s->buf);
	return 0;
}

static FILE *line_sink_open(struct line_sink *s, oracle_line_fn *fn, void *arg)
{
	*s = (struct line_sink){ .fn = fn, .arg = arg };
	return fopencookie(s, "w", (cookie_io_functions_t){
		.write = line_sink_write, .close = line_sink_close });
}

int oracle_violation_lines(const struct oracle_report *r,
			   const struct oracle_violation *v,
			   oracle_line_fn *fn, void *arg)
{
	struct line_sink s;
	FILE *f = line_sink_open(&s, fn, arg);

	if (!f)
		return -1;
	oracle_violation_print(f, r, v);
	return fclose(f) ? -1 : 0;
}

int oracle_unflushed_lines(const struct oracle_report *r,
			   const struct oracle_unflushed *u,
			   oracle_line_fn *fn, void *arg)
{
	struct line_sink s;
	FILE *f = line_sink_open(&s, fn, arg);

	if (!f)
		return -1;
	oracle_unflushed_print(f, r, u);
	return fclose(f) ? -1 : 0;
}

static int jadd(json_object *o, const char *k, json_object *v)
{
	if (!v)
		return -1;
	if (json_object_object_add(o, k, v)) {
		json_object_put(v);
		return -1;
	}
	return 0;
}

static int jint(json_object *o, const char *k, uint64_t v)
{
	return jadd(o, k, json_object_new_int64((int64_t)v));
}

static int jtime(json_object *o, const char *k, uint64_t v)
{
	if (v == ORACLE_NONE)
		return json_object_object_add(o, k, NULL) ? -1 : 0;
	return jint(o, k, v);
}

json_object *oracle_violation_json(const struct oracle_violation *v)
{
	json_object *j = json_object_new_object(), *s, *n;
	int err = 0;

	if (!j)
		return NULL;
	err |= jint(j, "pgoff", v->pgoff);
	err |= jint(j, "store_t_before_ns", v->store_t_before);
	err |= jint(j, "store_t_after_ns", v->store_t_after);
	s = json_object_new_object();
	err |= jadd(j, "sync", s);
	if (!err) {
		err |= jint(s, "index", v->sync_idx);
		err |= jadd(s, "kind", json_object_new_string(
				    oracle_sync_kind_name(v->sync_kind)));
		err |= jadd(s, "tid", json_object_new_int(v->sync_tid));
		err |= jint(s, "t_start_ns", v->sync_t_start);
		err |= jint(s, "t_end_ns", v->sync_t_end);
		err |= jint(s, "first", v->sync_first);
		err |= jint(s, "npages", v->sync_npages);
		err |= jint(s, "pages_missed", v->sync_pages_missed);
	}
	if (v->cover_ts == ORACLE_NONE)
		err |= json_object_object_add(j, "first_cover_ns", NULL);
	else
		err |= jint(j, "first_cover_ns", v->cover_ts);
	if (v->cover_tp_ts == ORACLE_NONE)
		err |= json_object_object_add(j, "first_cover_tracepoint_ns", NULL);
	else
		err |= jint(j, "first_cover_tracepoint_ns", v->cover_tp_ts);
	n = json_object_new_array();
	err |= jadd(j, "nearby", n);
	for (unsigned i = 0; !err && i < v->nnearby; i++) {
		json_object *e = json_object_new_object();

		if (!e || json_object_array_add(n, e)) {
			json_object_put(e);
			err = 1;
			break;
		}
		err |= jint(e, "ts_ns", v->nearby[i].ts);
		err |= jint(e, "tracepoint_ts_ns", v->nearby[i].tp_ts);
		err |= jadd(e, "pid", json_object_new_int(v->nearby[i].pid));
		err |= jint(e, "pgoff", v->nearby[i].pgoff);
		err |= jint(e, "pglen", v->nearby[i].pglen);
	}
	err |= jadd(j, "class", json_object_new_string(oracle_class_name(v->cls)));
	if (v->cover_ts == ORACLE_NONE)
		err |= json_object_object_add(j, "cover_pid", NULL);
	else
		err |= jadd(j, "cover_pid", json_object_new_int(v->cover_pid));
	if (v->cover_call_idx == SIZE_MAX) {
		err |= json_object_object_add(j, "cover_call", NULL);
	} else {
		json_object *cc = json_object_new_object();

		err |= jadd(j, "cover_call", cc);
		if (!err) {
			err |= jint(cc, "index", v->cover_call_idx);
			err |= jadd(cc, "tid", json_object_new_int(v->cover_pid));
			err |= jint(cc, "t_start_ns", v->cover_call_t_start);
			err |= jint(cc, "t_end_ns", v->cover_call_t_end);
		}
	}
	if (err) {
		json_object_put(j);
		return NULL;
	}
	return j;
}

json_object *oracle_unflushed_json(const struct oracle_unflushed *u)
{
	json_object *j = json_object_new_object(), *n;
	int err = 0;

	if (!j)
		return NULL;
	err |= jadd(j, "class", json_object_new_string(
			    oracle_class_name(ORACLE_UNFLUSHED)));
	err |= jadd(j, "why", json_object_new_string(
			    oracle_unflushed_why_name(u->why)));
	err |= jint(j, "ts_ns", u->ts);
	err |= jadd(j, "pid", json_object_new_int(u->pid));
	err |= jint(j, "pgoff", u->pgoff);
	err |= jint(j, "pglen", u->pglen);
	err |= jint(j, "needed_bytes", u->pglen * ORACLE_PAGE);
	err |= jtime(j, "flush_return_ns", u->flush_ts ? u->flush_ts : ORACLE_NONE);
	err |= jtime(j, "flush_size", u->flush_size ? u->flush_size : ORACLE_NONE);
	err |= jtime(j, "previous_writeback_ns", u->prev_wb_ts);
	err |= jtime(j, "own_flush_after_ns", u->own_after_ts);
	n = json_object_new_array();
	err |= jadd(j, "nearby_flushes", n);
	for (unsigned i = 0; !err && i < u->nnearby; i++) {
		json_object *e = json_object_new_object();

		if (!e || json_object_array_add(n, e)) {
			json_object_put(e);
			err = 1;
			break;
		}
		err |= jint(e, "ts_ns", u->nearby[i].ts);
		err |= jadd(e, "pid", json_object_new_int(u->nearby[i].pid));
		err |= jadd(e, "kind", json_object_new_string(
				    u->nearby[i].entry ? "entry" : "return"));
		if (u->nearby[i].entry)
			err |= jint(e, "size", u->nearby[i].size);
	}
	if (err) {
		json_object_put(j);
		return NULL;
	}
	return j;
}

json_object *oracle_report_json(const struct oracle_report *r)
{
	return oracle_report_json_n(r, SIZE_MAX);
}

json_object *oracle_report_json_n(const struct oracle_report *r,
				  size_t max_samples)
{
	json_object *j = json_object_new_object(), *a, *k;
	int err = 0;

	if (!j)
		return NULL;
	err |= jint(j, "stores", r->stores);
	err |= jint(j, "writeback_events", r->events);
	err |= jint(j, "events_ignored", r->events_ignored);
	err |= jint(j, "syncs", r->syncs);
	err |= jint(j, "syncs_checked", r->syncs_checked);
	err |= jint(j, "syncs_failed", r->syncs_failed);
	err |= jint(j, "pairs_checked", r->pairs_checked);
	err |= jint(j, "violations", r->violations);
	if (r->t0 == ORACLE_NONE)
		err |= json_object_object_add(j, "t0_ns", NULL);
	else
		err |= jint(j, "t0_ns", r->t0);
	err |= jint(j, "pages_failed", r->pages_failed);
	err |= jint(j, "failed_page_ranges", r->nfailed);
	if (r->first_failed_sync == SIZE_MAX) {
		err |= json_object_object_add(j, "first_failed_sync", NULL);
	} else {
		json_object *f = json_object_new_object();

		err |= jadd(j, "first_failed_sync", f);
		if (!err) {
			err |= jint(f, "index", r->first_failed_sync);
			err |= jint(f, "t_start_ns", r->first_failed_t_start);
			err |= jint(f, "t_end_ns", r->first_failed_t_end);
		}
	}
	a = json_object_new_array();
	err |= jadd(j, "samples", a);
	for (size_t i = 0; !err && i < r->nviol && i < max_samples; i++) {
		json_object *v = oracle_violation_json(&r->viol[i]);

		if (!v || json_object_array_add(a, v)) {
			json_object_put(v);
			err = 1;
		}
	}
	k = json_object_new_object();
	err |= jadd(j, "violations_by_class", k);
	for (int c = 0; !err && c < ORACLE_CLASS__COUNT; c++)
		err |= jint(k, oracle_class_name(c), r->by_class[c]);
	k = json_object_new_object();
	err |= jadd(j, "flush_rule", k);
	if (!err) {
		err |= jadd(k, "checked", json_object_new_boolean(r->flush_rule));
		err |= jint(k, "writebacks_checked", r->flush_checked);
		err |= jint(k, "flush_records", r->flush_records);
	}
	a = json_object_new_array();
	err |= jadd(j, "unflushed_samples", a);
	for (size_t i = 0; !err && i < r->nunfl && i < max_samples; i++) {
		json_object *v = oracle_unflushed_json(&r->unfl[i]);

		if (!v || json_object_array_add(a, v)) {
			json_object_put(v);
			err = 1;
		}
	}
	k = json_object_new_object();
	err |= jadd(j, "first_by_class", k);
	for (int c = 0; !err && c < ORACLE_CLASS__COUNT; c++) {
		size_t f = r->first[c];
		json_object *v = NULL;

		if (c == ORACLE_UNFLUSHED ? f < r->nunfl : f < r->nviol) {
			v = c == ORACLE_UNFLUSHED ? oracle_unflushed_json(&r->unfl[f]) :
			    oracle_violation_json(&r->viol[f]);
			if (!v) {
				err = 1;
				break;
			}
		}
		if (json_object_object_add(k, oracle_class_name(c), v)) {
			json_object_put(v);
			err = 1;
		}
	}
	if (err) {
		json_object_put(j);
		return NULL;
	}
	return j;
}
