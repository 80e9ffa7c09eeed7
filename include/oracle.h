/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Flush oracle: checks, from recorded streams, that every fsync/msync of a
 * DAX file wrote back every page stored before the call began.
 *
 * The rule.  For a sync call S and a page p in the range S is expected to
 * cover, let s be the latest store to p with s.t_after < S.t_start (latest by
 * t_after, ties broken by t_before); if there is none, p is not checked for
 * S.  S is satisfied for p iff some dax_writeback_one event E, emitted by any
 * thread, covers p (E.pgoff <= p < E.pgoff + E.pglen) with
 *	s.t_before < E.t < S.t_end		(both strict),
 * where E.t is the time E's flush completed: E.flush_ts (its dax_flush
 * return, see trace.h) when paired, else the tracepoint's E.ts.
 * A violation is one (S, p) pair that is not satisfied.  This catches a
 * flush skipped outright, a flush done before the store (entry not
 * re-dirtied: the dirty-tag / PTE-to-PMD tag transfer bugs), and a flush done
 * by a concurrent sync after this one returned (TOWRITE cleared by the other
 * fsync before the range was flushed).
 *
 * All times are CLOCK_MONOTONIC ns (now_ns(), trace clock "mono").  The
 * oracle does no I/O and no tracing: feed it what a workload recorded and
 * what dax_trace_drain() returned for this one file
 * (dax_trace_filter_file()); dev/ino of events are not looked at.  Not
 * thread-safe: record per thread, feed afterwards.
 *
 * Cost of oracle_check(), S stores, E writeback events, Y syncs in a file of
 * N pages: O(S log S + E log E + S log Y) when syncs cover the whole file;
 * a partial range is cut into <= 2 log2 N segment-tree nodes, so at worst
 * O(S log N log Y) overall (each node is walked store by store, or sync by
 * sync when that is cheaper).  Never pages x syncs.  Events are indexed as
 * aligned power-of-two blocks (a PMD event is one 512-page block), never
 * expanded per page.  Memory O(S + E + Y log N).  Counting is exact however
 * many violations there are; only samples are capped.  So is the set of
 * failing pages (every page with >= 1 violation, as merged ranges: memory
 * O(min(S, N)), never O(violations)) and the earliest failing sync.
 */
#ifndef DAXBENCH_ORACLE_H
#define DAXBENCH_ORACLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <json-c/json.h>

#include "trace.h"

#define ORACLE_NONE UINT64_MAX	/* "no such time" */
#define ORACLE_NEARBY 4		/* nearby events kept per violation */

enum oracle_sync_kind {
	ORACLE_FSYNC,
	ORACLE_FDATASYNC,
	ORACLE_MSYNC,
	ORACLE_SYNC_FILE_RANGE,
	ORACLE_SYNCFS,
	ORACLE_SYNC_OTHER,
	ORACLE_SYNC__COUNT
};

/* "fsync", "fdatasync", "msync", "sync_file_range", "syncfs", "other" */
const char *oracle_sync_kind_name(enum oracle_sync_kind k);

/* How oracle_check() walks each distinct sync range (tests/benchmarks). */
enum oracle_strategy {
	ORACLE_AUTO,		/* per range piece, the cheaper of the two */
	ORACLE_BY_STORE,	/* each store vs the syncs it is latest for */
	ORACLE_BY_SYNC,		/* each sync vs each stored page in range */
};

struct oracle;

/* A checker for a file of npages pages (the "whole file" of a sync).
 * NULL on allocation failure. */
struct oracle *oracle_new(uint64_t npages);
void oracle_free(struct oracle *o);	/* NULL is fine */

void oracle_set_strategy(struct oracle *o, enum oracle_strategy s);

/* One completed store to page pgoff: t_before read just before it,
 * t_after just after.  -1 with errno EINVAL (t_before > t_after),
 * ERANGE (pgoff >= npages), ENOMEM or EOVERFLOW; else 0. */
int oracle_add_store(struct oracle *o, uint64_t pgoff, uint64_t t_before,
		     uint64_t t_after);

/* One sync call [t_start, t_end] made by thread tid, expected to cover pages
 * [first, first + npages); npages == 0 means [first, end of file), so
 * (0, 0) is the whole file.  The range is clipped to the file.  Syncs are
 * numbered 0, 1, ... in the order added (oracle_violation.sync_idx).
 * -1 with errno EINVAL (t_start > t_end), ENOMEM or EOVERFLOW; else 0. */
int oracle_add_sync(struct oracle *o, uint64_t t_start, uint64_t t_end,
		    int32_t tid, enum oracle_sync_kind kind, uint64_t first,
		    uint64_t npages);

/* A trace record: kept (1) if ev == EV_WRITEBACK_ONE and pglen > 0, else
 * ignored (0); -1 with errno ENOMEM/EOVERFLOW.  Its time is
 * trace_rec_flush_time(r); r->ts is kept beside it for reports. */
int oracle_add_event(struct oracle *o, const struct trace_rec *r);
/* All of v[0..n): number kept, or -1. */
long oracle_add_events(struct oracle *o, const struct trace_rec *v, size_t n);

struct oracle_event_ref {
	uint64_t ts;		/* flush time: what the rule uses */
	uint64_t tp_ts;		/* the tracepoint's time (== ts unpaired) */
	int32_t pid;
	uint64_t pgoff, pglen;
};

struct oracle_violation {
	uint64_t pgoff;
	uint64_t store_t_before, store_t_after;	/* the latest store */
	size_t sync_idx;			/* order of oracle_add_sync */
	uint64_t sync_t_start, sync_t_end;
	int32_t sync_tid;
	enum oracle_sync_kind sync_kind;
	uint64_t sync_first, sync_npages;	/* as given */
	uint64_t sync_pages_missed;	/* violations of this sync, all pages */
	/* earliest covering writeback after store_t_before (>= sync_t_end
	 * by definition), ORACLE_NONE if none */
	uint64_t cover_ts;
	uint64_t cover_tp_ts;	/* that event's tracepoint time */
	/* up to ORACLE_NEARBY writeback events covering pgoff, closest in time
	 * to [store_t_before, sync_t_end], in ts order */
	unsigned nnearby;
	struct oracle_event_ref nearby[ORACLE_NEARBY];
};

/* Pages [first, last], both inclusive. */
struct oracle_page_range {
	uint64_t first, last;
};

struct oracle_report {
	uint64_t t0;			/* earliest time fed in (ORACLE_NONE:
					 * nothing fed) */
	uint64_t stores;
	uint64_t events;		/* writeback_one events kept */
	uint64_t events_ignored;	/* other records */
	uint64_t syncs;			/* all syncs */
	uint64_t syncs_checked;		/* with >= 1 (sync, page) pair */
	uint64_t syncs_failed;		/* with >= 1 violation */
	uint64_t pairs_checked;		/* (sync, page) pairs with a store */
	uint64_t violations;		/* (sync, page) pairs not satisfied */
	size_t nviol;			/* samples kept: min(violations, max) */
	struct oracle_violation *viol;	/* sorted by sync_idx, pgoff */
	/* Every page with >= 1 violation, whatever max_violations is: ranges
	 * ascending, disjoint and not adjacent (merged). */
	uint64_t pages_failed;		/* pages in them */
	size_t nfailed;			/* ranges */
	struct oracle_page_range *failed;
	/* The failing sync with the earliest t_start (then t_end, then
	 * index): first_failed_sync SIZE_MAX and both times ORACLE_NONE when
	 * nothing failed. */
	size_t first_failed_sync;	/* order of oracle_add_sync */
	uint64_t first_failed_t_start, first_failed_t_end;
};

/* Check everything fed so far (may be called again after feeding more).
 * Keeps up to max_violations samples in r, spread over the violating
 * stores first (one per store, then a second, ...), counts all, and
 * records every failing page (r->failed) and the earliest failing sync.
 * Returns r->violations, or -1 (errno ENOMEM; r is then empty). */
int64_t oracle_check(struct oracle *o, struct oracle_report *r,
		     size_t max_violations);

/* Whether page p has >= 1 violation (binary search of r->failed). */
bool oracle_report_page_failed(const struct oracle_report *r, uint64_t p);

/* Frees viol and failed (not r itself); NULL is fine. */
void oracle_report_free(struct oracle_report *r);

/* Human-readable, a few lines: page, store time, sync window (relative to
 * r->t0), how late the first covering flush came, nearby events. */
void oracle_violation_print(FILE *f, const struct oracle_report *r,
			    const struct oracle_violation *v);

/* {"stores", "writeback_events", "events_ignored", "syncs",
 *  "syncs_checked", "syncs_failed", "pairs_checked", "violations", "t0_ns",
 *  "pages_failed", "failed_page_ranges" (number of ranges),
 *  "first_failed_sync": {"index", "t_start_ns", "t_end_ns"} or null,
 *  "samples": [{"pgoff", "store_t_before_ns", "store_t_after_ns",
 *    "sync": {"index", "kind", "tid", "t_start_ns", "t_end_ns", "first",
 *             "npages", "pages_missed"},
 *    "first_cover_ns" (flush time, null if none),
 *    "first_cover_tracepoint_ns" (null if none),
 *    "nearby": [{"ts_ns" (flush time), "tracepoint_ts_ns", "pid", "pgoff",
 *                "pglen"}]}]}
 * Times are absolute CLOCK_MONOTONIC ns.  NULL on allocation failure. */
json_object *oracle_report_json(const struct oracle_report *r);

#endif
