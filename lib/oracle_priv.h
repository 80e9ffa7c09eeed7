/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The flush oracle's own (include/oracle.h is what its users see): what the
 * files of lib/oracle*.c share.
 *
 *   oracle.c             the names, feeding: stores, syncs, records
 *   oracle_check.c       oracle_check(): its phases in order, the report
 *   oracle_index.c       the indexes of a check (stores by page, writebacks
 *                        as power-of-two blocks, sync pieces with a min tree)
 *                        and the queries on them
 *   oracle_pairs.c       the (sync, page) rule: the failing stores of each
 *                        group of pieces, by store or by sync; per-sync counts
 *   oracle_classes.c     late or missed, exactly; the samples
 *   oracle_flush_rule.c  class unflushed: the writebacks without their flush
 *   oracle_print.c       the text of a violation
 *   oracle_json.c        the JSON of a report
 */
#ifndef DAXBENCH_ORACLE_PRIV_H
#define DAXBENCH_ORACLE_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oracle.h"

/* ---- what was fed (oracle.c) ---- */

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

/* Room for one more element of *p (n used of *cap, sz bytes each);
 * indices are kept in uint32_t.  -1 with errno EOVERFLOW or ENOMEM. */
int oracle_grow(void **p, size_t *cap, size_t n, size_t sz);

/* ---- a check's working state (oracle_check.c and the phases) ---- */

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

/* -1, 0 or 1 as a is below, equal to or above b.  A comparator chains
 * them with ?: (GNU C): the first key that differs decides. */
#define ORACLE_CMP(a, b) ((a) < (b) ? -1 : (a) > (b))

static inline unsigned ilog2_u64(uint64_t v)
{
	return 63 - (unsigned)__builtin_clzll(v);
}

/* Fenwick tree over n + 1 slots (fw[1..n]): add at i, prefix sum [0, i]. */
static inline void fw_add(int64_t *fw, size_t n, size_t i, int64_t v)
{
	for (i++; i <= n; i += i & -i)
		fw[i] += v;
}

static inline int64_t fw_sum(const int64_t *fw, size_t i)
{
	int64_t s = 0;

	for (i++; i; i -= i & -i)
		s += fw[i];
	return s;
}

/* oracle_index.c: the stores sorted by page (pages, pstart, the cover
 * arrays), the writebacks as blocks (ord), the sync pieces by (node,
 * t_start) with the min-t_end tree (ss, seg, diff).  -1: no memory. */
int oracle_index_stores(struct ctx *c);
int oracle_index_events(struct ctx *c);
int oracle_index_syncs(struct ctx *c);
/* The earliest writeback covering page p with ts > t (ORACLE_NONE: none),
 * the event's index in *ev (UINT32_MAX: none). */
uint64_t oracle_cover_after(const struct ctx *c, uint64_t p, uint64_t t,
			    uint32_t *ev);
/* Up to ORACLE_NEARBY writebacks covering page p, closest in time to
 * [t0, t1], in ts order, into out; their number. */
unsigned oracle_events_near(const struct ctx *c, uint64_t p, uint64_t t0,
			    uint64_t t1, struct oracle_event_ref *out);

/* oracle_pairs.c: every (sync piece, stored page) pair, group by group, by
 * the strategy of o: c->pairs, the "checked" marks in c->diff, a query per
 * failing store (c->q); then each piece's violations, exactly, in missed[]
 * (by piece).  -1: no memory. */
int oracle_pairs(struct ctx *c);
int oracle_count_per_sync(struct ctx *c, uint64_t *missed);

/* oracle_classes.c: each query's class threshold and exact counts, the
 * class totals in r; then up to max samples (plus one of each class
 * missing among them), missed_sync the violations per sync.  -1: no
 * memory. */
int oracle_classify(struct ctx *c, struct oracle_report *r);
int oracle_take_samples(struct ctx *c, struct oracle_report *r, size_t max,
			const uint64_t *missed_sync);

/* oracle_flush_rule.c: with the rule on, every kernel writeback checked,
 * the first max unflushed ones sampled by time.  -1: no memory. */
int oracle_check_flush_rule(struct oracle *o, struct oracle_report *r,
			    size_t max);

#endif
