// SPDX-License-Identifier: GPL-2.0
/*
 * layout: every operation that changes the layout of a file (its blocks or
 * its size) must leave the dirty state of pages stored through a shared
 * mapping ELSEWHERE in the file alone, or write them back: the next fsync
 * must flush what was stored before it.  Since 6.15 ("fs/dax: always remove
 * DAX page-cache entries when breaking layouts") dax_break_layout() ends
 * with dax_delete_mapping_range() over the whole file (ext4 and xfs call
 * dax_break_layout_inode(), 0 .. LLONG_MAX), deleting DIRTY and TOWRITE
 * entries unwritten: the fsync then flushes nothing.
 *
 * Deterministic, one thread.  Each iteration runs every operation below in a
 * PTE mapping and in a 2 MiB-aligned PMD mapping (--page pte or pmd: that one
 * only), each run a round of its own (struct sc_iter) on a fresh file of
 * --size bytes (default 8M, at least four 2 MiB regions), fallocated whole:
 *   map it MAP_SHARED; store (timed and logged), in ascending page order, to
 *   the far pages and the near pages of the operation (below); do the
 *   operation; fsync (timed and logged); pread each stored word at its place
 *   after the operation (it must read what was stored).
 * The operation's range is pages [R + R/4, R + R/4 + R/8) of region 1 (R =
 * 512 pages: 256 KiB at 2.5 MiB); truncate-down cuts the file 256 KiB into
 * region 2 (its range: from there to the old end of file); truncate-up (by
 * 2 MiB + 256 KiB), truncate-same-size and allocate-keep-size (2 MiB past
 * the end of file) have no range inside the file.
 *
 * Two classes of stored page, checked alike and reported apart:
 *   far   the candidate pages that lie in no 2 MiB region the operation
 *         touches and below its new end of file: the first and last page of
 *         the file, pages at both ends of region 0, in region 1, at the
 *         start and inside region 2, in the last region (9 candidates; 7 for
 *         an operation on region 1, 5 for truncate-down, all 9 for the
 *         operations with no range inside the file);
 *   near  the pages inside a 2 MiB region the operation cuts (covers part
 *         of) but outside its own page range and below its new end of file:
 *         of each such region its first and last page and the pages just
 *         before and just after the range, those of them that qualify (4
 *         for an operation on region 1: R, R + R/4 - 1, R + R/4 + R/8,
 *         2R - 1; 2 for truncate-down: 2R and the last page before the new
 *         end of file; none for the operations with no range inside the
 *         file).
 * In the PTE mapping the near pages are 4 KiB entries of their own and must
 * be written back like the far ones on any kernel.  In the PMD mapping they
 * share the 2 MiB entry the operation cuts: a kernel that drops that whole
 * entry when it truncates the range, dirty, without writing it back first,
 * loses them (stock 6.1 and 6.12: truncate_pagecache_range() and
 * truncate_pagecache() reach dax_delete_mapping_entry() for the multi-order
 * entry, which deletes it whatever its tags, after ext4 zero-range and
 * truncate-down on 6.1, ext4 punch-hole too and xfs truncate-down on 6.12;
 * results/finding/layout/README.md); so would a fix for 7.2 that kept the
 * dirty entries outside the range and deleted those inside it.  Whether
 * each near page of a PMD run really sat in a 2 MiB entry is reported from
 * the dax_pmd_fault_done records (a PMD fault, not fallen back, on its
 * region before the operation); the region of allocate is punched before
 * the stores, so its near pages are 4 KiB entries in both mappings.  The
 * reflink operations write every page of the range's 2 MiB region before
 * mapping (the range equal to the peer's pages, the rest zeros), so that the
 * region stays one written extent that a PMD fault can map.
 *
 * The check is the suite's oracle (the driver's check of each run's records,
 * every writeback timed by its dax_flush return with the flush probes):
 * each stored page must be
 * covered by a dax_writeback_one event of the file after its store began and
 * before the fsync returned, whether the operation wrote it back or the
 * fsync did (both are told apart in the report: by the time of the first
 * covering writeback, before or after the operation returned).
 *
 * Pages that move.  Collapse-range and insert-range shift every page after
 * (collapse) or from (insert) the range by its length; both file systems
 * write those pages back under their pre-operation index during the
 * operation (filemap_write_and_wait_range or xfs_flush_unmap_range from the
 * range to the end of file) and then delete their entries
 * (truncate_pagecache from the range).  A page is logged under its index
 * when it was stored, and a writeback of that index counts: nothing touches
 * the mapping between the stores and the fsync's return, so an entry at
 * that index in that time is the one the store made, and its flush flushes
 * the memory the store wrote (dax_writeback_one flushes the pfn of the
 * entry, wherever the block now is in the file); after such an operation no
 * entry is left from the range on (none is expected there in the fsync).
 * The data check reads each page at its new index.
 *
 * An operation the file system refuses (EOPNOTSUPP, EINVAL, EXDEV, ENOTTY,
 * ENOSYS: reflink operations on ext4 or on xfs without reflink,
 * WRITE_ZEROES where the device cannot, XFS_IOC_EXCHANGE_RANGE where the
 * file system was made without the feature) is reported as unsupported with
 * its errno, not as a failure, but the stores before it are checked all the
 * same (a call that fails after breaking the layout loses data too).  Any
 * other errno is a failure.
 *
 * Per operation and page mode, for the far and the near pages apart (and in
 * total): pages stored, written back (by the operation, by the fsync),
 * missing, data mismatches, for the near ones how many sat in a 2 MiB
 * entry, and the class's verdict (pass, lost, none: no such page); the
 * run's faults and verdict; in the JSON info ("operations", an array over
 * the iterations, each with "far" and "near" objects and "lost_classes")
 * and as TAP diagnostics (a far line, a near line, the run's verdict naming
 * the classes that lost pages).  A run with missing pages is sc_fail naming
 * the operation and, one message a class, whether far or near pages were
 * lost.  The info's "far" and "near" sum the classes over the runs, with
 * the runs that lost pages of each.
 *
 * Not covered: the other callers of dax_break_layout in 7.2 (xfs zoned GC,
 * online scrub repair, fuse/virtiofs DAX).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "scenario.h"

#ifndef FALLOC_FL_WRITE_ZEROES
#define FALLOC_FL_WRITE_ZEROES 0x80	/* Linux 6.17 */
#endif
/* XFS_IOC_EXCHANGE_RANGE (Linux 6.10, fs/xfs/libxfs/xfs_fs.h; not in the
 * build host's headers): the ioctl's ABI */
struct layout_xchg {
	int32_t file1_fd;
	uint32_t pad;
	uint64_t file1_offset, file2_offset, length, flags;
};
#define LAYOUT_XCHG_IOC _IOW('X', 129, struct layout_xchg)

#define PATTERN 0x1a70000000000000ull
#define NCAND 9			/* far candidates */
#define NNEAR 4			/* near pages at most (near_pages()) */
#define NSTORE (NCAND + NNEAR)

enum lkind { LK_FALLOC, LK_TRUNC, LK_CLONE_IN, LK_CLONE_OUT, LK_DEDUPE,
	     LK_EXCHANGE };
/* where the operation works: its range in region 1, past the end of file,
 * or a new size */
enum lwhere { LW_RANGE, LW_PAST_EOF, LW_DOWN, LW_UP, LW_SAME };
enum lmove { LM_NONE, LM_COLLAPSE, LM_INSERT };

struct lop {
	const char *name, *call;
	const char *note;		/* about its range, or NULL */
	enum lkind kind;
	int mode;			/* fallocate mode */
	enum lwhere where;
	enum lmove move;
	bool prepunch;			/* the range punched before mapping */
};

static const struct lop lops[] = {
	{ "punch-hole", "fallocate(PUNCH_HOLE|KEEP_SIZE)", NULL, LK_FALLOC,
	  FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, LW_RANGE, LM_NONE, false },
	{ "zero-range", "fallocate(ZERO_RANGE)", NULL, LK_FALLOC,
	  FALLOC_FL_ZERO_RANGE, LW_RANGE, LM_NONE, false },
	{ "zero-range-keep-size", "fallocate(ZERO_RANGE|KEEP_SIZE)", NULL,
	  LK_FALLOC, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, LW_RANGE,
	  LM_NONE, false },
	{ "collapse-range", "fallocate(COLLAPSE_RANGE)", "the pages after it "
	  "move down", LK_FALLOC, FALLOC_FL_COLLAPSE_RANGE, LW_RANGE, LM_COLLAPSE,
	  false },
	{ "insert-range", "fallocate(INSERT_RANGE)", "the pages from it move "
	  "up", LK_FALLOC, FALLOC_FL_INSERT_RANGE, LW_RANGE, LM_INSERT, false },
	{ "write-zeroes", "fallocate(WRITE_ZEROES)", NULL, LK_FALLOC,
	  FALLOC_FL_WRITE_ZEROES, LW_RANGE, LM_NONE, false },
	{ "allocate", "fallocate(0)", "punched before the stores", LK_FALLOC, 0,
	  LW_RANGE, LM_NONE, true },
	{ "allocate-keep-size", "fallocate(KEEP_SIZE)", "past the end of file",
	  LK_FALLOC, FALLOC_FL_KEEP_SIZE, LW_PAST_EOF, LM_NONE, false },
	{ "unshare-range", "fallocate(UNSHARE_RANGE)", "not shared", LK_FALLOC,
	  FALLOC_FL_UNSHARE_RANGE, LW_RANGE, LM_NONE, false },
	{ "truncate-down", "ftruncate", "into region 2", LK_TRUNC, 0, LW_DOWN,
	  LM_NONE, false },
	{ "truncate-up", "ftruncate", "2 MiB + 256 KiB more", LK_TRUNC, 0, LW_UP,
	  LM_NONE, false },
	{ "truncate-same-size", "ftruncate", "the same size", LK_TRUNC, 0,
	  LW_SAME, LM_NONE, false },
	{ "clone-into", "FICLONERANGE", "the destination: a second file's "
	  "pages cloned onto it", LK_CLONE_IN, 0, LW_RANGE, LM_NONE, false },
	{ "clone-out", "FICLONERANGE", "the source: cloned into a second file",
	  LK_CLONE_OUT, 0, LW_RANGE, LM_NONE, false },
	{ "dedupe-range", "FIDEDUPERANGE", "the destination: a second file's "
	  "equal pages deduplicated onto it", LK_DEDUPE, 0, LW_RANGE, LM_NONE,
	  false },
	{ "exchange-range", "XFS_IOC_EXCHANGE_RANGE", "exchanged with a second "
	  "file's pages", LK_EXCHANGE, 0, LW_RANGE, LM_NONE, false },
};
#define NLOPS (sizeof(lops) / sizeof(lops[0]))

/* What lasts across iterations. */
struct lay_state {
	uint64_t first, n;		/* the range, pages */
	uint64_t down;			/* truncate-down: new size, pages */
	uint64_t cand[NCAND];		/* candidate pages, ascending */
	struct {
		size_t op;		/* in lops */
		enum page_mode mode;
	} plan[2 * NLOPS];		/* the runs of an iteration, in order */
	size_t nplan;
	json_object *runs;		/* info "operations" */
	uint64_t n_pass, n_fail, n_unsup, n_runs;
	bool pmd_traced;		/* dax_pmd_fault_done records exist */
	struct {
		uint64_t stored, written_back, missing, runs_lost;
	} sum[2];			/* far, near: over every run */
	char unsup[512];		/* "name (ERRNO)" of each refused op,
					 * first iteration */
};

/* One operation in one page mode. */
struct lrun {
	const struct lop *op;
	enum page_mode mode;
	int err;			/* the operation's errno, 0 */
	uint64_t t_op0, t_op1;		/* around the operation */
	size_t n;			/* pages stored, ascending */
	uint64_t pg[NSTORE], val[NSTORE], tb[NSTORE];
	bool near[NSTORE];		/* a near page, else a far one */
	bool in_pmd[NSTORE];		/* its 2 MiB had a PMD fault before the
					 * operation (not fallen back) */
	bool missing[NSTORE], by_op[NSTORE], bad[NSTORE];
	uint64_t got[NSTORE];		/* what pread read */
	bool checked;
};

/* One run: a round. */
struct lay {
	struct sctx *c;
	struct lay_state *st;
	struct lrun r;
	size_t oi;			/* r.op's index in lops */
	struct daxfile f, pf;		/* the file; the peer of a reflink op */
	bool peer;
	struct mapping m;
};

/* One class of a run's pages, tallied. */
struct ltally {
	size_t n, wb, byop, miss, bad, pmd;
};

static const char *const class_name[2] = { "far", "near" };

static bool refused(int e)
{
	return e == EOPNOTSUPP || e == EINVAL || e == EXDEV || e == ENOTTY ||
	       e == ENOSYS;
}

static const char *errname(int e)
{
	const char *s = e ? strerrorname_np(e) : NULL;

	return s ? s : "?";
}

/* The 2 MiB regions the operation touches, as pages [*a, *b) (to the end
 * of the file for truncate-down; none past the end of file). */
static void touched(const struct lay_state *st, const struct sctx *c,
		    const struct lop *op, uint64_t *a, uint64_t *b)
{
	*a = *b = 0;
	if (op->where == LW_RANGE) {
		*a = st->first / SPMD_PAGES * SPMD_PAGES;
		*b = (st->first + st->n + SPMD_PAGES - 1) / SPMD_PAGES * SPMD_PAGES;
	} else if (op->where == LW_DOWN) {
		*a = st->down / SPMD_PAGES * SPMD_PAGES;
		*b = c->cfg->npages;
	}
}

/* The operation's own pages, [*lo, *hi) (to the old end of file for
 * truncate-down); false when it has none inside the file. */
static bool own_range(const struct lay_state *st, const struct sctx *c,
		      const struct lop *op, uint64_t *lo, uint64_t *hi)
{
	if (op->where == LW_RANGE) {
		*lo = st->first;
		*hi = st->first + st->n;
		return true;
	}
	if (op->where == LW_DOWN) {
		*lo = st->down;
		*hi = c->cfg->npages;
		return true;
	}
	return false;
}

/* The near pages of op into out[NNEAR], ascending; their number.  In each
 * 2 MiB region the operation cuts (its range covers part of it): the
 * region's first and last page and the pages just before and just after the
 * range, those of them outside the range, inside the region and below the
 * new end of file.  (The range here cuts at most one region at each end.) */
static size_t near_pages(const struct lay_state *st, const struct sctx *c,
			 const struct lop *op, uint64_t *out)
{
	uint64_t lo, hi, a, b, eof = op->where == LW_DOWN ? st->down : c->cfg->npages;
	uint64_t cand[NNEAR];
	size_t n = 0;

	if (!own_range(st, c, op, &lo, &hi))
		return 0;
	cand[0] = lo / SPMD_PAGES * SPMD_PAGES;		/* first of lo's region */
	cand[1] = lo - 1;				/* just before */
	cand[2] = hi;					/* just after */
	cand[3] = (hi + SPMD_PAGES - 1) / SPMD_PAGES * SPMD_PAGES - 1; /* last */
	touched(st, c, op, &a, &b);
	for (size_t k = 0; k < NNEAR; k++) {
		uint64_t p = cand[k];
		uint64_t r0 = p / SPMD_PAGES * SPMD_PAGES;
		bool cut = (lo > r0 && lo < r0 + SPMD_PAGES) ||
			   (hi > r0 && hi < r0 + SPMD_PAGES);

		if (lo == 0 && k == 1)
			continue;
		if (p < a || p >= b || (p >= lo && p < hi) || p >= eof || !cut)
			continue;
		if (n && out[n - 1] >= p)
			continue;		/* the same page twice */
		out[n++] = p;
	}
	return n;
}

/* Where page p is after the operation. */
static uint64_t moved(const struct lay_state *st, const struct lop *op,
		      uint64_t p)
{
	if (op->move == LM_COLLAPSE && p >= st->first + st->n)
		return p - st->n;
	if (op->move == LM_INSERT && p >= st->first)
		return p + st->n;
	return p;
}

static int do_op(const struct lay_state *st, const struct sctx *c,
		 const struct lop *op, int fd, int peer)
{
	off_t off = (off_t)(st->first * SPAGE), len = (off_t)(st->n * SPAGE);
	struct file_clone_range cr = { 0 };
	struct layout_xchg xr = { 0 };
	struct {
		struct file_dedupe_range r;
		struct file_dedupe_range_info i;
	} d;
	int rc = 0;

	switch (op->kind) {
	case LK_FALLOC:
		if (op->where == LW_PAST_EOF)
			rc = fallocate(fd, op->mode, (off_t)c->cfg->size, (off_t)SPMD_BYTES);
		else
			rc = fallocate(fd, op->mode, off, len);
		break;
	case LK_TRUNC:
		rc = ftruncate(fd, op->where == LW_DOWN ? (off_t)(st->down * SPAGE) :
			       op->where == LW_UP ? (off_t)(c->cfg->size + SPMD_BYTES + len) :
			       (off_t)c->cfg->size);
		break;
	case LK_CLONE_IN:
		cr = (struct file_clone_range){ .src_fd = peer, .src_offset = 0,
			.src_length = (uint64_t)len, .dest_offset = (uint64_t)off };
		rc = ioctl(fd, FICLONERANGE, &cr);
		break;
	case LK_CLONE_OUT:
		cr = (struct file_clone_range){ .src_fd = fd,
			.src_offset = (uint64_t)off, .src_length = (uint64_t)len,
			.dest_offset = 0 };
		rc = ioctl(peer, FICLONERANGE, &cr);
		break;
	case LK_DEDUPE:
		memset(&d, 0, sizeof(d));
		d.r.src_offset = 0;
		d.r.src_length = (uint64_t)len;
		d.r.dest_count = 1;
		d.i.dest_fd = fd;
		d.i.dest_offset = (uint64_t)off;
		rc = ioctl(peer, FIDEDUPERANGE, &d);
		if (rc == 0 && d.i.status < 0)
			return -d.i.status;
		if (rc == 0 && d.i.status == FILE_DEDUPE_RANGE_DIFFERS)
			return EBADE;	/* both were written equal: cannot be */
		break;
	case LK_EXCHANGE:
		xr.file1_fd = peer;
		xr.file1_offset = 0;
		xr.file2_offset = (uint64_t)off;
		xr.length = (uint64_t)len;
		rc = ioctl(fd, LAYOUT_XCHG_IOC, &xr);
		break;
	}
	return rc ? errno : 0;
}

/* Page k of the run is of class cls (0 far, 1 near, -1 either) and, when
 * which is not NULL, which[k]. */
static bool sel(const struct lrun *r, size_t k, int cls, const bool *which)
{
	return (cls < 0 || r->near[k] == (cls == 1)) && (!which || which[k]);
}

static json_object *pages_json(const struct lrun *r, int cls, const bool *which)
{
	json_object *a = json_object_new_array();
	int err = 0;

	for (size_t k = 0; k < r->n; k++)
		if (sel(r, k, cls, which))
			err |= jpush_u64(a, r->pg[k]);
	return jdone(a, err);
}

/* "0 7 511" of the pages sel() picks */
static void pages_text(char *buf, size_t len, const struct lrun *r, int cls,
		       const bool *which)
{
	size_t o = 0;

	buf[0] = 0;
	for (size_t k = 0; k < r->n && o + 1 < len; k++)
		if (sel(r, k, cls, which))
			o += (size_t)snprintf(buf + o, len - o, "%s%" PRIu64,
					      o ? " " : "", r->pg[k]);
}

static struct ltally tally(const struct lrun *r, int cls)
{
	struct ltally t = { 0 };

	for (size_t k = 0; k < r->n; k++) {
		if (!sel(r, k, cls, NULL))
			continue;
		t.n++;
		t.miss += r->missing[k];
		t.wb += !r->missing[k];
		t.byop += !r->missing[k] && r->by_op[k];
		t.bad += r->bad[k];
		t.pmd += r->in_pmd[k];
	}
	return t;
}

/* A class's verdict: none (no page of it stored), lost, pass. */
static const char *class_verdict(const struct lrun *r, const struct ltally *t)
{
	return !t->n ? "none" : !r->checked ? "not checked" :
	       t->miss ? "lost" : "pass";
}

/* Where the near pages of the run sat, in words. */
static const char *near_entries(const struct lay_state *st,
				const struct lrun *r, const struct ltally *t)
{
	if (!t->n)
		return "none: the operation cuts no 2 MiB region";
	if (r->mode == PAGE_PTE)
		return "4 KiB entries in the 2 MiB region it cuts";
	if (!st->pmd_traced)
		return "in the 2 MiB region it cuts, entries not traced";
	if (t->pmd == t->n)
		return "in the 2 MiB entry it cuts";
	if (!t->pmd)
		return "4 KiB entries in the 2 MiB region it cuts: no PMD fault there";
	return "in the 2 MiB region it cuts, some in a 2 MiB entry";
}

static json_object *class_json(const struct lay_state *st, const struct lrun *r,
			       int cls, const struct ltally *t)
{
	json_object *j = json_object_new_object();
	int err = 0;

	err |= jadd_u64(j, "stored", t->n);
	err |= jadd(j, "stored_pages", pages_json(r, cls, NULL));
	err |= jadd_u64(j, "written_back", t->wb);
	err |= jadd_u64(j, "written_back_by_operation", t->byop);
	err |= jadd_u64(j, "written_back_by_fsync", t->wb - t->byop);
	err |= jadd_u64(j, "missing", t->miss);
	err |= jadd(j, "missing_pages", pages_json(r, cls, r->missing));
	err |= jadd_u64(j, "data_mismatch", t->bad);
	/* pages whose 2 MiB had a PMD fault before the operation: null when
	 * the trace has no dax_pmd_fault_done */
	err |= st->pmd_traced ? jadd_u64(j, "in_pmd_entry", t->pmd) :
	       jadd_null(j, "in_pmd_entry");
	err |= jadd_str(j, "verdict", class_verdict(r, t));
	return jdone(j, err);
}

/* What the run did, in words: where (its range, or its new size) and its
 * status ("done", or the errno). */
static void describe(const struct lay_state *st, const struct sctx *c,
		     const struct lrun *r, char *where, size_t wlen, char *status,
		     size_t slen)
{
	const struct lop *op = r->op;
	size_t o;

	if (op->where == LW_RANGE)
		snprintf(where, wlen, "pages %" PRIu64 "..%" PRIu64, st->first,
			 st->first + st->n - 1);
	else if (op->where == LW_PAST_EOF)
		snprintf(where, wlen, "pages %" PRIu64 "..%" PRIu64, c->cfg->npages,
			 c->cfg->npages + SPMD_PAGES - 1);
	else
		snprintf(where, wlen, "to %" PRIu64 " pages", op->where == LW_DOWN ?
			 st->down : op->where == LW_UP ?
			 c->cfg->npages + SPMD_PAGES + st->n : c->cfg->npages);
	o = strlen(where);
	if (op->note)
		snprintf(where + o, wlen - o, " (%s)", op->note);
	if (r->err)
		snprintf(status, slen, "%s (%s)", errname(r->err), strerror(r->err));
	else
		snprintf(status, slen, "done");
}

/* The report of one run: tallies, JSON, the TAP diagnostics (a far line, a
 * near line, the verdict), sc_fail (one message a class that lost pages). */
static void report(struct lay *s, const struct lrun *r,
		   const struct dax_counts *counts)
{
	struct sctx *c = s->c;
	struct lay_state *st = s->st;
	const struct lop *op = r->op;
	const char *mode = sc_mode_name(r->mode);
	struct ltally all = tally(r, -1), t[2] = { tally(r, 0), tally(r, 1) };
	const char *verdict;
	char where[192], stored[160], missing[160], status[160], lost[32] = "";
	json_object *j = json_object_new_object(), *f, *lc;
	int err = 0;

	describe(st, c, r, where, sizeof(where), status, sizeof(status));
	if (!r->checked)
		verdict = "not checked";
	else if (all.miss || all.bad || (r->err && !refused(r->err)))
		verdict = "fail";
	else if (r->err)
		verdict = "unsupported";
	else
		verdict = "pass";
	st->n_runs++;
	if (!strcmp(verdict, "pass"))
		st->n_pass++;
	else if (!strcmp(verdict, "unsupported"))
		st->n_unsup++;
	else
		st->n_fail++;
	if (r->err && refused(r->err) && c->iter == 0 && r->mode == PAGE_PTE) {
		size_t o = strlen(st->unsup);

		snprintf(st->unsup + o, sizeof(st->unsup) - o, "%s%s (%s)",
			 o ? ", " : "", op->name, errname(r->err));
	}
	lc = json_object_new_array();
	for (int k = 0; k < 2; k++) {
		st->sum[k].stored += t[k].n;
		st->sum[k].written_back += t[k].wb;
		st->sum[k].missing += t[k].miss;
		st->sum[k].runs_lost += t[k].miss > 0;
		if (t[k].miss) {
			err |= jpush_str(lc, class_name[k]);
			snprintf(lost + strlen(lost), sizeof(lost) - strlen(lost),
				 "%s%s", lost[0] ? " and " : "", class_name[k]);
		}
	}

	err |= jadd_u64(j, "iteration", c->iter);
	err |= jadd_str(j, "operation", op->name);
	err |= jadd_str(j, "call", op->call);
	err |= jadd_str(j, "page", mode);
	err |= jadd_str(j, "where", where);
	err |= jadd_str(j, "status", !r->err ? "done" : refused(r->err) ?
			"unsupported" : "failed");
	err |= jadd_str(j, "errno", r->err ? errname(r->err) : NULL);
	err |= jadd_bool(j, "checked", r->checked);
	/* both classes together */
	err |= jadd_u64(j, "stored", all.n);
	err |= jadd(j, "stored_pages", pages_json(r, -1, NULL));
	err |= jadd_u64(j, "written_back", all.wb);
	err |= jadd_u64(j, "written_back_by_operation", all.byop);
	err |= jadd_u64(j, "written_back_by_fsync", all.wb - all.byop);
	err |= jadd_u64(j, "missing", all.miss);
	err |= jadd(j, "missing_pages", pages_json(r, -1, r->missing));
	err |= jadd_u64(j, "data_mismatch", all.bad);
	err |= jadd(j, "far", class_json(st, r, 0, &t[0]));
	err |= jadd(j, "near", class_json(st, r, 1, &t[1]));
	err |= jadd_str(j, "near_entries", near_entries(st, r, &t[1]));
	err |= jadd(j, "lost_classes", lc);
	err |= jadd_u64(j, "operation_ns", r->t_op1 - r->t_op0);
	f = json_object_new_object();
	err |= jadd_u64(f, "pte", counts->pte_nopage);
	err |= jadd_u64(f, "pmd", counts->pmd_nopage);
	err |= jadd_u64(f, "pmd_fallback", counts->pmd_fallback);
	err |= jadd(j, "faults", f);
	err |= jadd_u64(j, "writeback_events", counts->wb_entries);
	err |= jadd_str(j, "verdict", verdict);
	jpush(st->runs, jdone(j, err));

	for (int k = 0; k < 2; k++) {
		pages_text(stored, sizeof(stored), r, k, NULL);
		pages_text(missing, sizeof(missing), r, k, r->missing);
		if (k == 1 && !t[k].n) {
			sc_diag(c, "%s %s near: none (the operation cuts no 2 MiB "
				"region)", op->name, mode);
			continue;
		}
		sc_diag(c, "%s %s %s%s%s%s: stored %zu (%s), written back %zu (%zu "
			"by the operation, %zu by the fsync), missing %zu%s%s%s: %s",
			op->name, mode, class_name[k], k ? " (" : "",
			k ? near_entries(st, r, &t[k]) : "", k ? ")" : "", t[k].n,
			stored, t[k].wb, t[k].byop, t[k].wb - t[k].byop, t[k].miss,
			t[k].miss ? " (" : "", missing, t[k].miss ? ")" : "",
			class_verdict(r, &t[k]));
	}
	sc_diag(c, "%s %s: %s%s%s%s", op->name, mode, verdict,
		lost[0] ? " (" : "", lost, lost[0] ? " pages lost)" : "");
	if (r->mode == PAGE_PMD && !counts->pmd_nopage)
		sc_diag(c, "%s pmd: no PMD fault (%" PRIu64 " PTE faults, %" PRIu64
			" PMD fallbacks): this run checked PTE entries", op->name,
			counts->pte_nopage, counts->pmd_fallback);
	if (r->err && !refused(r->err))
		sc_fail(c, "%s %s: %s failed: %s", op->name, mode, op->call,
			strerror(r->err));
	if (t[0].miss) {
		pages_text(missing, sizeof(missing), r, 0, r->missing);
		sc_fail(c, "%s %s: far pages lost: %zu of %zu pages stored before it "
			"outside the 2 MiB regions it touches were not written back "
			"by the fsync after it (pages %s)%s", op->name, mode,
			t[0].miss, t[0].n, missing,
			r->err ? ", although the call was refused" : "");
	}
	if (t[1].miss) {
		pages_text(missing, sizeof(missing), r, 1, r->missing);
		sc_fail(c, "%s %s: near pages lost: %zu of %zu pages stored before it "
			"in the 2 MiB region it cuts, outside its range (%s), were "
			"not written back by the fsync after it (pages %s)%s",
			op->name, mode, t[1].miss, t[1].n, near_entries(st, r, &t[1]),
			missing, r->err ? ", although the call was refused" : "");
	}
	for (size_t k = 0; k < r->n; k++)
		if (r->bad[k])
			sc_fail(c, "%s %s: %s page %" PRIu64 " (at %" PRIu64 " after the "
				"operation) reads %#" PRIx64 ", stored %#" PRIx64,
				op->name, mode, class_name[r->near[k]], r->pg[k],
				moved(st, op, r->pg[k]), r->got[k], r->val[k]);
	if (!r->checked)
		sc_fail(c, "%s %s: not checked (see above)", op->name, mode);
}

/* A second file for the reflink operations: n pages, written. */
static int peer_create(struct lay *s, struct daxfile *pf, const char *pat,
		       size_t patlen)
{
	struct sctx *c = s->c;
	char name[128], err[512];

	snprintf(name, sizeof(name), ".daxstress-layout-peer-%d", (int)getpid());
	if (daxfile_create(pf, c->cfg->dir, name, s->st->n * SPAGE, err, sizeof(err))) {
		sc_fail(c, "%s", err);
		return -1;
	}
	unlink(pf->path);
	for (uint64_t p = 0; p < s->st->n; p++)
		if (pwrite(pf->fd, pat, patlen, (off_t)(p * SPAGE)) != (ssize_t)patlen) {
			sc_fail(c, "pwrite to %s: %s", pf->path, strerror(errno));
			daxfile_remove(pf);
			return -1;
		}
	return 0;
}

/* The round's run (it->round of the plan): its fresh file, and the peer of
 * a reflink operation, set up and mapped.  SV_PASS, or SV_FAIL after
 * sc_fail, nothing left. */
static enum sverdict setup(struct lay *s, size_t oi, enum page_mode mode)
{
	struct sctx *c = s->c;
	struct lay_state *st = s->st;
	const struct lop *op = &lops[oi];
	char pat[64], zero[64] = { 0 }, page[SPAGE] = { 0 };
	uint64_t a, b;

	s->r = (struct lrun){ .op = op, .mode = mode };
	s->oi = oi;
	s->peer = op->kind >= LK_CLONE_IN;
	memset(pat, 0x5a, sizeof(pat));
	if (s->peer && peer_create(s, &s->pf, pat, sizeof(pat)))
		return SV_FAIL;
	if (sc_file_create(c, &s->f))
		goto fail_peer;
	/* The range equal to the peer's (dedupe).  Every page of its 2 MiB
	 * region is written, the rest with zeros (what it held), so that the
	 * region stays one written extent that a PMD fault can map: a part
	 * written in the middle of the fallocated (unwritten) extent would
	 * split it, and the near pages would be 4 KiB entries. */
	touched(st, c, op, &a, &b);
	for (uint64_t p = a; s->peer && p < b; p++) {
		bool in = p >= st->first && p < st->first + st->n;

		memcpy(page, in ? pat : zero, sizeof(pat));
		if (pwrite(s->f.fd, page, sizeof(page), (off_t)(p * SPAGE)) !=
		    (ssize_t)sizeof(page)) {
			sc_fail(c, "pwrite: %s", strerror(errno));
			goto fail_file;
		}
	}
	if (op->prepunch &&
	    fallocate(s->f.fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		      (off_t)(st->first * SPAGE), (off_t)(st->n * SPAGE))) {
		sc_fail(c, "%s: fallocate(PUNCH_HOLE) before the stores: %s",
			op->name, strerror(errno));
		goto fail_file;
	}
	if (sc_map(c, &s->m, &s->f, mode))
		goto fail_file;
	return SV_PASS;

fail_file:
	daxfile_remove(&s->f);
fail_peer:
	if (s->peer)
		daxfile_remove(&s->pf);
	return SV_FAIL;
}

/* The main thread: the stores to the far and near pages, ascending, the
 * operation, the fsync. */
static void run_op(struct sc_thread *ct)
{
	struct lay *s = ct->shared;
	struct sctx *c = s->c;
	struct lay_state *st = s->st;
	struct lrun *r = &s->r;
	const struct lop *op = r->op;
	struct slog *sl = &ct->sl;
	uint64_t a, b, near[NNEAR];
	size_t nnear;

	touched(st, c, op, &a, &b);
	nnear = near_pages(st, c, op, near);
	for (size_t k = 0, j = 0; k < NCAND || j < nnear;) {
		bool isnear = j < nnear && (k == NCAND || near[j] < st->cand[k]);
		uint64_t p = isnear ? near[j++] : st->cand[k++];

		if (!isnear && ((p >= a && p < b) ||
				(op->where == LW_DOWN && p >= st->down)))
			continue;
		r->pg[r->n] = p;
		r->near[r->n] = isnear;
		r->val[r->n] = PATTERN | (uint64_t)s->oi << 40 |
			       (uint64_t)r->mode << 32 | p;
		wl_store_logged(sl, s->m.addr, p, 0, r->val[r->n]);
		r->tb[r->n] = sl->v[sl->n - 1].tb;
		r->n++;
	}
	r->t_op0 = now_ns();
	r->err = do_op(st, c, op, s->f.fd, s->peer ? s->pf.fd : -1);
	r->t_op1 = now_ns();
	wl_fsync_logged(&ct->yl, s->f.fd);
}

/* the stores of one run and its fsync */
static const struct crew_role roles[] = {
	{ "main", CREW_MAIN, 0, run_op, NSTORE, 1, 0 },
};

static enum sverdict prepare(struct sctx *c)
{
	struct lay_state *st = c->state;
	uint64_t r = SPMD_PAGES, n = c->cfg->npages;
	const uint64_t cand[NCAND] = { 0, 7, r - 1, r + 5, 2 * r - 1, 2 * r,
				       2 * r + 300, n - r + 100, n - 1 };
	enum page_sel ps = c->cfg->page;

	if (n < 4 * r)
		return sc_skip(c, "needs --size of at least 8M (four 2 MiB regions)");
	st->pmd_traced = dax_trace_has(c->tr, EV_PMD_FAULT_DONE);
	st->first = r + r / 4;
	st->n = r / 8;
	st->down = 2 * r + r / 8;
	memcpy(st->cand, cand, sizeof(cand));
	/* every operation, PTE then PMD (or --page's mode) */
	for (size_t i = 0; i < NLOPS; i++)
		for (int k = 0; k < 2; k++) {
			enum page_mode mode = k ? PAGE_PMD : PAGE_PTE;

			if ((ps == PS_PTE && mode != PAGE_PTE) ||
			    (ps == PS_PMD && mode != PAGE_PMD))
				continue;
			st->plan[st->nplan].op = i;
			st->plan[st->nplan++].mode = mode;
		}
	st->runs = json_object_new_array();
	if (!st->runs) {
		sc_fail(c, "out of memory");
		return SV_FAIL;
	}
	return SV_PASS;
}

static enum sverdict begin(struct sctx *c, struct sc_iter *it)
{
	struct lay_state *st = c->state;
	struct lay *s = it->priv;

	s->c = c;
	s->st = st;
	it->more = it->round + 1 < st->nplan;
	if (setup(s, st->plan[it->round].op, st->plan[it->round].mode))
		return SV_FAIL;
	it->keep = EVBIT(EV_WRITEBACK_ONE) | EVBIT(EV_PMD_FAULT_DONE);
	it->quick = true;
	sc_iter_crew(it, roles, 1, s);
	return SV_PASS;
}

/* What the run did, before its check; the records: the crew's. */
static enum sverdict end(struct sctx *c, struct sc_iter *it, struct crew *cr,
			 struct sc_records *rec)
{
	struct lay *s = it->priv;
	char where[192], status[160];

	(void)cr;
	(void)rec;
	describe(s->st, c, &s->r, where, sizeof(where), status, sizeof(status));
	sc_diag(c, "%s %s: %s, %s: %s", s->r.op->name, sc_mode_name(s->r.mode),
		s->r.op->call, where, status);
	return SV_PASS;
}

/* After the oracle: which stored pages it found missing, whether the
 * operation or the fsync wrote each back, whether each sat in a 2 MiB
 * entry, the data read back; the report of the run. */
static enum sverdict checked(struct sctx *c, struct sc_iter *it,
			     struct crew *cr, const struct sc_check *chk)
{
	struct lay *s = it->priv;
	struct lrun *r = &s->r;
	const struct ylog *yl = &crew_thread(cr, 0, 0)->yl;

	r->checked = chk->made;
	if (r->checked && chk->tally->pairs_checked != r->n && !yl->v[0].err)
		sc_fail(c, "%s %s: the oracle checked %" PRIu64 " (sync, page) "
			"pairs for %zu pages stored", r->op->name,
			sc_mode_name(r->mode), chk->tally->pairs_checked, r->n);
	for (size_t k = 0; r->checked && k < r->n; k++) {
		uint64_t first = UINT64_MAX;

		r->missing[k] = chk->report &&
				oracle_report_page_failed(chk->report, r->pg[k]);
		for (size_t i = 0; i < chk->events->n; i++) {
			const struct trace_rec *e = &chk->events->v[i];
			uint64_t t = trace_rec_flush_time(e);

			if (e->ev == EV_WRITEBACK_ONE && e->pgoff <= r->pg[k] &&
			    r->pg[k] < e->pgoff + e->pglen && t > r->tb[k] && t < first)
				first = t;
			if (e->ev == EV_PMD_FAULT_DONE && e->ts < r->t_op0 &&
			    (e->result & DAX_VM_FAULT_NOPAGE) &&
			    !(e->result & DAX_VM_FAULT_FALLBACK) &&
			    e->pgoff / SPMD_PAGES == r->pg[k] / SPMD_PAGES)
				r->in_pmd[k] = true;
		}
		r->by_op[k] = first <= r->t_op1;
	}
	for (size_t k = 0; k < r->n; k++) {
		uint64_t at = moved(s->st, r->op, r->pg[k]) * SPAGE;

		if (pread(s->f.fd, &r->got[k], sizeof(r->got[k]), (off_t)at) !=
		    (ssize_t)sizeof(r->got[k]))
			r->got[k] = ~r->val[k];
		r->bad[k] = r->got[k] != r->val[k];
	}
	report(s, r, chk->counts);
	return SV_PASS;
}

static void teardown(struct sc_iter *it)
{
	struct lay *s = it->priv;

	mapping_unmap(&s->m);
	daxfile_remove(&s->f);
	if (s->peer)
		daxfile_remove(&s->pf);
}

static void finish(struct sctx *c)
{
	struct lay_state *st = c->state;
	json_object *info = sc_info(c);

	sc_diag(c, "%" PRIu64 " runs (operation x page mode x iteration): %" PRIu64
		" pass, %" PRIu64 " fail, %" PRIu64 " unsupported%s%s%s", st->n_runs,
		st->n_pass, st->n_fail, st->n_unsup, st->unsup[0] ? " (" : "",
		st->unsup, st->unsup[0] ? ")" : "");
	jadd_u64(info, "runs", st->n_runs);
	jadd_u64(info, "pass", st->n_pass);
	jadd_u64(info, "fail", st->n_fail);
	jadd_u64(info, "unsupported", st->n_unsup);
	for (int k = 0; k < 2; k++) {
		json_object *j = json_object_new_object();
		int err = 0;

		err |= jadd_u64(j, "stored", st->sum[k].stored);
		err |= jadd_u64(j, "written_back", st->sum[k].written_back);
		err |= jadd_u64(j, "missing", st->sum[k].missing);
		err |= jadd_u64(j, "runs_lost", st->sum[k].runs_lost);
		jadd(info, class_name[k], jdone(j, err));
		sc_diag(c, "%s pages: %" PRIu64 " stored, %" PRIu64 " written back, %"
			PRIu64 " missing (lost in %" PRIu64 " runs)", class_name[k],
			st->sum[k].stored, st->sum[k].written_back, st->sum[k].missing,
			st->sum[k].runs_lost);
	}
}

static void cleanup(struct sctx *c)
{
	struct lay_state *st = c->state;

	/* the runs so far, whether or not an iteration stopped the scenario */
	jadd(sc_info(c), "operations", st->runs);
	st->runs = NULL;
}

static const struct scenario layout = {
	.name = "layout",
	.desc = "every layout-changing operation (fallocate modes, truncate, "
		"reflink, exchange) leaves pages stored elsewhere in the file to "
		"the next fsync, or writes them back",
	.order = 50,
	.needs_dax = true,
	.defaults = { .size = 8ull << 20, .iterations = 1 },
	.state_size = sizeof(struct lay_state),
	.prepare = prepare,
	.iter_size = sizeof(struct lay),
	.begin = begin,
	.end = end,
	.checked = checked,
	.teardown = teardown,
	.finish = finish,
	.cleanup = cleanup,
};
SCENARIO(layout);
