/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The exact invariants of daxbench fault and sync, over the workload's own
 * record of what it stored and the kernel's writeback records of the file
 * (pure: the unit test feeds synthetic streams).  Their names, as the
 * verdict (verdict.h) reports them:
 *
 *   sync-covers-dirtied   a sync after stores flushes at least the bytes
 *                         dirtied before it began.  fault: the bytes written
 *                         back from the first store after the previous sync
 *                         to this sync's return (a MAP_SYNC fault's own
 *                         writeback counts; the page cache's background
 *                         writeback too), against the bytes stored in
 *                         between.  sync: per call, the bytes the calling
 *                         thread wrote back during the call against the
 *                         pages its writers dirtied since its previous call,
 *                         for the calls where that is exact: a kernel call,
 *                         no store from before the syncer's previous call
 *                         collected its pages to that call's return (else
 *                         that call may already have flushed a page counted
 *                         here), and no call of another syncer between the
 *                         start of the previous call and this one's return;
 *                         DAX only (the page cache's flusher thread writes
 *                         pages back outside the calls)
 *   idle-sync-flushes-0   a sync with nothing stored since the previous one
 *                         returned flushes 0 bytes (fault: fsync-idle; sync:
 *                         the idle calls and the no-store calls, DAX only:
 *                         ext4's page cache can leave a page of the final
 *                         call to the idle one)
 *   writeback-inside-file every dax_writeback_one lies inside the file:
 *                         pgoff + pglen <= the file's pages (DAX only: the
 *                         page cache's records carry no range)
 *   dirtied-written-back  by the end every page stored was written back
 *                         after it was stored (fault: a page stored in a
 *                         phase is covered by a writeback of a later phase;
 *                         sync: every page the run dirtied covered by a
 *                         writeback, and the kernel's dirty set replayed from
 *                         the records empty after the final and idle calls;
 *                         DAX only, kernel calls only)
 */
#ifndef DAXBENCH_FLUSH_CHECKS_H
#define DAXBENCH_FLUSH_CHECKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trace.h"
#include "verdict.h"

#define FC_COVERS "sync-covers-dirtied"
#define FC_IDLE "idle-sync-flushes-0"
#define FC_INSIDE "writeback-inside-file"
#define FC_WRITTEN "dirtied-written-back"

extern const char fc_covers_text[], fc_idle_text[], fc_inside_text[],
	fc_written_text[];

/* The four checks declared in v (applicable, nothing checked yet): what an
 * untraced run reports as "not checked". */
void fc_declare(struct verdict *v);

/* ---- daxbench fault: one file, phase by phase ---- */
struct flush_checks {
	struct verdict *v;
	uint64_t npages;
	bool dax;		/* dax_writeback_one records (page ranges) */
	bool pc_flush;		/* page cache: ext4_writepages_result */
	uint64_t *pending;	/* stored, not written back since */
	uint64_t npending;
	uint64_t dirtied;	/* pages stored since the last sync */
	uint64_t window;	/* pages written back since the last sync */
};

/* 0, or -1 (ENOMEM).  The checks that cannot apply are declared so, with
 * the reason. */
int fc_init(struct flush_checks *fc, struct verdict *v, uint64_t npages,
	    bool dax, bool pc_flush);
void fc_free(struct flush_checks *fc);
/* The records of a phase (any thread, of this file), before its stores are
 * marked: writebacks checked against the file, pages written back cleared,
 * the window grown. */
void fc_records(struct flush_checks *fc, const struct trace_rec *r, size_t n,
		const char *where);
/* Pages [first, first + n) stored. */
void fc_store(struct flush_checks *fc, uint64_t first, uint64_t n);
/* A sync returned (its records given): covers-dirtied after stores, else
 * idle. */
void fc_sync(struct flush_checks *fc, const char *where);
/* The end: every page stored written back. */
void fc_end(struct flush_checks *fc, const char *where);

/* ---- daxbench sync: the calls of a run ---- */
struct fc_call {
	uint64_t t_start, t_end;
	unsigned syncer;
	bool kernel_call;	/* the method makes one */
	bool quiet;		/* no store from before its pages were
				 * collected to its return */
	bool idle, no_store;	/* must flush 0 */
	uint64_t dirtied_pages;	/* its writers', since its previous call */
	uint64_t flushed_pages;	/* written back by its thread during it */
};

/* calls: syncer by syncer, each syncer's in time order.  covers-dirtied
 * and idle on DAX; on the page cache both are not applicable. */
void fc_sync_calls(struct verdict *v, const struct fc_call *c, size_t n,
		   bool dax);
/* writeback-inside-file over the run's records (DAX). */
void fc_inside(struct verdict *v, const struct trace_rec *r, size_t n,
	       uint64_t npages);
/* dirtied-written-back: every page of dirtied (a bitmap of npages) covered
 * by a writeback among the records, and kernel_dirty_end (pages dirty in
 * the replay at the end) 0.  0, or -1 (ENOMEM). */
int fc_written(struct verdict *v, const uint64_t *dirtied, uint64_t npages,
	       const struct trace_rec *r, size_t n, uint64_t kernel_dirty_end);

#endif
