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
 * fsync before the range was flushed).  Each is of one class:
 *   late    the first writeback E covering p after the store came from a
 *	     thread that was inside a sync call C (C.t_start <= E.t <=
 *	     C.t_end, C the thread's last call begun by E.t) that began
 *	     before S returned (C.t_start < S.t_end): S returned while a
 *	     flush already under way had not finished;
 *   missed  otherwise (no covering writeback at all, or none from a call
 *	     running when S returned).
 * Counts by class are exact, like the total.
 *
 * The flush rule (oracle_set_flush_rule(), class "unflushed"): a writeback
 * event claims a flush; with the dax_flush probes of trace.h every one of
 * them must carry a completed flush of its entry's range by its own thread
 * before the event: paired (flush_ts != 0, the latest dax_flush return of
 * that thread since its previous writeback, see trace.h), flush_ts <= ts,
 * and flush_size >= pglen * 4096.  A writeback event that fails it is one
 * violation of class unflushed: no flush, a flush by another thread (the
 * pairing never pairs across threads), a flush that returned after the
 * event, a flush of a shorter range, or one whose size is unknown (its
 * entry record is missing).  Not a fallback: such an event still covers
 * pages for the (S, p) rule at its tracepoint time, so that one missing
 * flush is reported once, as unflushed, not again as every pair it would
 * have covered.
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
 * O(min(S, N)), never O(violations)) and the earliest failing sync.  The
 * classes add O(Q log Q + Y log Y) (Q: failing (store, range piece)
 * queries, <= S log N), the flush rule O(E + F) and, only when it fails,
 * O(E log E + F log F) for the context of its samples (F: dax_flush
 * records).
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
#define ORACLE_PAGE 4096u	/* bytes a writeback page stands for */

/* Violation classes (see the top of this file). */
enum oracle_class {
	ORACLE_LATE,		/* (sync, page) */
	ORACLE_MISSED,		/* (sync, page) */
	ORACLE_UNFLUSHED,	/* writeback event, flush rule */
	ORACLE_CLASS__COUNT
};

/* "late", "missed", "unflushed" */
const char *oracle_class_name(enum oracle_class c);

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
 * not a writeback (0); -1 with errno ENOMEM/EOVERFLOW.  Its time is
 * trace_rec_flush_time(r); r->ts is kept beside it for reports, and its
 * flush (flush_ts, flush_size) for the flush rule.  EV_FLUSH_ENTRY and
 * EV_FLUSH_RET records (0) are kept too, as the context of unflushed
 * violations; other records are ignored (events_ignored). */
int oracle_add_event(struct oracle *o, const struct trace_rec *r);
/* All of v[0..n): number of writebacks kept, or -1. */
long oracle_add_events(struct oracle *o, const struct trace_rec *v, size_t n);
/* Writebacks that are no kernel event (data destroyed by a truncate or a
 * punch: nothing left to flush): they cover pages like oracle_add_event()'s
 * but are never subject to the flush rule.  Number kept, or -1. */
long oracle_add_synthetic_events(struct oracle *o, const struct trace_rec *v,
				 size_t n);

/* Check the flush rule (class unflushed) on every writeback added with
 * oracle_add_event(), at oracle_check().  Off by default: turn it on only
 * when the records come from a trace with the dax_flush probes
 * (dax_trace_flush_timed()) and were paired (dax_trace_pair_flushes()). */
void oracle_set_flush_rule(struct oracle *o, bool on);

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
	enum oracle_class cls;		/* ORACLE_LATE or ORACLE_MISSED */
	int32_t cover_pid;		/* thread of the covering writeback */
	/* the sync call cover_pid was in when it flushed the page
	 * (t_start <= cover_ts <= t_end), cover_call_idx SIZE_MAX and both
	 * times ORACLE_NONE when none; late iff cover_call_t_start <
	 * sync_t_end */
	size_t cover_call_idx;
	uint64_t cover_call_t_start, cover_call_t_end;
};

/* Why a writeback event broke the flush rule. */
enum oracle_unflushed_why {
	ORACLE_UNFL_NONE,	/* no dax_flush of its thread returned since
				 * the thread's previous writeback event */
	ORACLE_UNFL_AFTER,	/* its thread's flush returned after it */
	ORACLE_UNFL_SHORT,	/* the flush covered fewer bytes */
	ORACLE_UNFL_NO_SIZE,	/* the flush's entry record (size) missing */
	ORACLE_UNFL__COUNT
};

/* "no flush", "flush returned after the event", "flush of a shorter
 * range", "flush size unknown" */
const char *oracle_unflushed_why_name(enum oracle_unflushed_why w);

struct oracle_flush_ref {	/* a dax_flush record */
	uint64_t ts;
	int32_t pid;
	bool entry;		/* entry (size known) or return */
	uint64_t size;		/* entry: the size argument, bytes */
};

struct oracle_unflushed {	/* a writeback event that broke the rule */
	uint64_t ts;		/* its tracepoint */
	int32_t pid;
	uint64_t pgoff, pglen;
	enum oracle_unflushed_why why;
	uint64_t flush_ts;	/* the flush paired with it, 0: none */
	uint64_t flush_size;	/* its size, 0: unknown or none */
	uint64_t prev_wb_ts;	/* pid's previous writeback, ORACLE_NONE */
	uint64_t own_after_ts;	/* pid's first dax_flush return after the
				 * event and before its next writeback, not
				 * paired with that one, ORACLE_NONE */
	/* up to ORACLE_NEARBY dax_flush records of any thread closest in time
	 * to ts, in ts order */
	unsigned nnearby;
	struct oracle_flush_ref nearby[ORACLE_NEARBY];
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
	/* Violations by class, exact: late + missed == violations;
	 * unflushed counts writeback events (0 when the rule is off). */
	uint64_t by_class[ORACLE_CLASS__COUNT];
	bool flush_rule;		/* the flush rule was checked */
	uint64_t flush_checked;		/* writeback events it checked */
	uint64_t flush_records;		/* dax_flush records fed */
	size_t nunfl;			/* unflushed samples: the first
					 * min(unflushed, max) in ts order */
	struct oracle_unflushed *unfl;
	/* The earliest sample of each class (by sync t_start, then t_end,
	 * index and page; unflushed: by ts): an index into viol (late,
	 * missed) or unfl (unflushed), SIZE_MAX when the class has none.
	 * Every class with a violation has a sample (with max_violations
	 * >= 1), so "first" is exact when every violation was sampled. */
	size_t first[ORACLE_CLASS__COUNT];
};

/* Check everything fed so far (may be called again after feeding more).
 * Keeps up to max_violations samples in r, spread over the violating
 * stores first (one per store, then a second, ...), plus one of each
 * class that has none among them (so at most max_violations + 2), counts
 * all by class, and records every failing page (r->failed) and the
 * earliest failing sync; with the flush rule on, checks every writeback
 * event and keeps up to max_violations unflushed samples.  Returns the
 * violations of every class, r->violations + r->by_class[ORACLE_UNFLUSHED],
 * or -1 (errno ENOMEM; r is then empty). */
int64_t oracle_check(struct oracle *o, struct oracle_report *r,
		     size_t max_violations);

/* Whether page p has >= 1 violation (binary search of r->failed). */
bool oracle_report_page_failed(const struct oracle_report *r, uint64_t p);

/* Frees viol and failed (not r itself); NULL is fine. */
void oracle_report_free(struct oracle_report *r);

/* Human-readable, a few lines: page, store time, sync window (relative to
 * r->t0), how late the first covering flush came, nearby events, and the
 * class with its reason ("late: ..." / "missed: ..."). */
void oracle_violation_print(FILE *f, const struct oracle_report *r,
			    const struct oracle_violation *v);
/* Likewise for an unflushed writeback: the event, why, its thread's flushes
 * around it, nearby flush records of any thread. */
void oracle_unflushed_print(FILE *f, const struct oracle_report *r,
			    const struct oracle_unflushed *u);
/* The same lines handed one by one, without their newline, to fn(arg,
 * line), in order: a sample for a caller that writes its own lines (TAP
 * diagnostics, a JSON array).  0, or -1 (errno: the stream could not be
 * made). */
typedef void oracle_line_fn(void *arg, const char *line);
int oracle_violation_lines(const struct oracle_report *r,
			   const struct oracle_violation *v,
			   oracle_line_fn *fn, void *arg);
int oracle_unflushed_lines(const struct oracle_report *r,
			   const struct oracle_unflushed *u,
			   oracle_line_fn *fn, void *arg);

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
 *                "pglen"}],
 *    "class": "late" | "missed", "cover_pid" (null if none),
 *    "cover_call": {"index", "tid", "t_start_ns", "t_end_ns"} or null}],
 *  "violations_by_class": {"late", "missed", "unflushed"},
 *  "flush_rule": {"checked", "writebacks_checked", "flush_records"},
 *  "unflushed_samples": [{"class": "unflushed", "why", "ts_ns", "pid",
 *    "pgoff", "pglen", "needed_bytes", "flush_return_ns" (null),
 *    "flush_size" (null), "previous_writeback_ns" (null),
 *    "own_flush_after_ns" (null),
 *    "nearby_flushes": [{"ts_ns", "pid", "kind": "entry" | "return",
 *                        "size" (entry only)}]}],
 *  "first_by_class": {"late", "missed", "unflushed": a sample as above, or
 *                     null}}
 * Times are absolute CLOCK_MONOTONIC ns.  NULL on allocation failure. */
json_object *oracle_report_json(const struct oracle_report *r);
/* The same with at most max_samples of "samples" and of
 * "unflushed_samples" ("first_by_class" is complete whatever max). */
json_object *oracle_report_json_n(const struct oracle_report *r,
				  size_t max_samples);
/* One sample's JSON (as in "samples" / "unflushed_samples"). */
json_object *oracle_violation_json(const struct oracle_violation *v);
json_object *oracle_unflushed_json(const struct oracle_unflushed *u);

#endif
