/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Attribution of kernel flush records to the sync calls that caused them,
 * and pairing of fault records into per-thread fault latencies.
 *
 * Flushes.  A sync call is (pid, [t_start, t_end]) with times in
 * CLOCK_MONOTONIC ns (now_ns() read just before and just after the system
 * call; the trace clock is "mono", so record timestamps compare directly).
 * A flush record (dax_writeback_one on DAX, ext4_writepages_result off it:
 * the caller chooses the event) is attributed to the call of the same pid
 * whose window holds its timestamp (both ends inclusive); the kernel emits
 * dax_writeback_one in the context of the fsync/msync caller, so this is
 * exact.  Calls of one thread never overlap (a thread makes one call at a
 * time); should a caller pass overlapping windows of one pid anyway, a
 * record is given to the call of that pid that started last at or before
 * it, if that call's window holds it (ties: the higher index).  Every other record of that
 * event goes to the "unattributed" bucket, kept per pid (the writers'
 * MAP_SYNC faults flush inside the fault, a kernel thread may flush too).
 *
 * Exactness: every record of the event lands in exactly one call or in the
 * unattributed bucket, so
 *	sum over calls (entries, pages) + unattributed == total.
 * attr_result carries both sides and attr_exact() checks the identity.
 *
 * Cost: O(C log C) to index the calls, O(log C) per record; no allocation
 * per record.
 */
#ifndef DAXBENCH_ATTRIBUTION_H
#define DAXBENCH_ATTRIBUTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>

#include "hist.h"
#include "trace.h"

#define ATTR_PIDS 64	/* unattributed pids itemised; the rest summed */

struct attr_call {
	int32_t pid;
	uint64_t t_start, t_end;
	/* filled by attr_flushes (added to, so zero them first) */
	uint64_t entries;	/* records attributed */
	uint64_t pages;		/* sum of their pglen */
};

struct attr_pid {
	int32_t pid;
	uint64_t entries, pages;
};

struct attr_result {
	uint64_t total_entries, total_pages;	/* every record of the event */
	uint64_t attributed_entries, attributed_pages;
	uint64_t unattributed_entries, unattributed_pages;
	unsigned npids;				/* itemised unattributed pids */
	struct attr_pid pids[ATTR_PIDS];	/* by first appearance */
	uint64_t other_entries, other_pages;	/* pids beyond ATTR_PIDS */
};

struct attr_index;

/* Index calls[0..n) (not copied: the array must outlive the index, and its
 * entries/pages are where attributed records are added).  NULL on
 * allocation failure. */
struct attr_index *attr_index_new(struct attr_call *calls, size_t n);
void attr_index_free(struct attr_index *ix);

/* The call (index into calls[]) of pid whose window holds ts, or -1. */
long attr_find(const struct attr_index *ix, int32_t pid, uint64_t ts);

/* Feed records: those with r->ev == ev are attributed (to a call, or to
 * the unattributed bucket of r->pid); all others are ignored.  May be
 * called repeatedly; res accumulates (zero it first). */
void attr_flushes(struct attr_index *ix, const struct trace_rec *v, size_t n,
		  uint16_t ev, struct attr_result *res);

/* sum over calls + unattributed == total, for entries and pages, and the
 * itemised pids plus "other" equal the unattributed totals. */
bool attr_exact(const struct attr_call *calls, size_t n,
		const struct attr_result *res);

/* {"event", "total_entries", "total_bytes", "calls_entries", "calls_bytes",
 *  "unattributed_entries", "unattributed_bytes", "unattributed_by_pid":
 *  [{"pid", "role" (role(pid) or "other"), "entries", "bytes"}],
 *  "exact": bool}.  role may be NULL. */
json_object *attr_result_json(const struct attr_result *res, const char *ev,
			      bool exact, const char *(*role)(int32_t pid, void *arg),
			      void *arg);

/*
 * Write-fault latency: the kernel-side service time of each write fault
 * (FAULT_FLAG_WRITE in the record's flags), from dax_pte_fault to the next
 * dax_pte_fault_done of the same pid (and the same for PMD faults).  A PMD
 * fault that falls back is timed on its own ("pmd_fallback"), then the PTE
 * fault that follows.  Only pids in pids[0..npids) are paired (all when
 * pids is NULL).  Records in timestamp order.
 */
#define ATTR_FAULT_FLAG_WRITE 0x01

struct attr_faults {
	struct hist pte, pmd, pmd_fallback;	/* ns */
	uint64_t unpaired;	/* a done without a start, or a start
				 * superseded before its done */
	size_t nopen;
	struct { int32_t pid; uint16_t ev; uint64_t ts; } *open;
	size_t cap;
};

void attr_faults_init(struct attr_faults *f);
void attr_faults_free(struct attr_faults *f);
/* -1 (ENOMEM) or 0. */
int attr_faults_add(struct attr_faults *f, const struct trace_rec *v,
		    size_t n, const int32_t *pids, size_t npids);
/* {"pte": hist|null, "pmd": hist|null, "pmd_fallback": hist|null,
 *  "unpaired": N, "source": "fs_dax fault/fault_done pairs per thread"} */
json_object *attr_faults_json(const struct attr_faults *f);

/*
 * The kernel's dirty set, replayed from the records of one file of npages
 * pages: a write fault answered NOPAGE marks its entry dirty (one page for
 * a PTE fault, the 512-page aligned block for a PMD fault),
 * dax_insert_pfn_mkwrite marks dirty the entry of the last NEEDDSYNC fault
 * of that pid (MAP_SYNC), dax_writeback_one clears [pgoff, pgoff+pglen).
 * A fault's *_fault_done is emitted after the entry is unlocked, so a
 * concurrent fsync may flush the entry before the done record: a page
 * written back after the fault began is therefore not marked by that
 * fault (a fault only starts on a clean or write-protected entry, so such
 * a writeback always follows the fault's own dirtying).  A view, not an
 * oracle: see oracle.h for the flush check.
 */
struct attr_dirty {
	uint64_t npages;
	uint64_t *bits;
	uint64_t *wb_ts;	/* per page: timestamp of its last writeback */
	uint64_t dirty;		/* pages dirty now */
	uint64_t max_dirty;
	size_t nopen;
	struct { int32_t pid; uint64_t start_ts; uint64_t pgoff, len;
		 bool sync_pending; } *open;
};

int attr_dirty_init(struct attr_dirty *d, uint64_t npages);
void attr_dirty_free(struct attr_dirty *d);
/* Replay one record (others are ignored), in timestamp order.  0, or -1
 * (ENOMEM). */
int attr_dirty_add(struct attr_dirty *d, const struct trace_rec *r);

#endif
