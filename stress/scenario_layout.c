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
 * only), each on a fresh file of --size bytes (default 8M, at least four
 * 2 MiB regions), fallocated whole:
 *   map it MAP_SHARED; store (timed and logged) to the candidate pages that
 *   lie in no 2 MiB region the operation touches and below its new end of
 *   file: the first and last page of the file, pages at both ends of region
 *   0, in region 1, at the start and inside region 2, in the last region;
 *   do the operation; fsync (timed and logged); pread each stored word at
 *   its place after the operation (it must read what was stored).
 * The operation's range is pages [R + R/4, R + R/4 + R/8) of region 1 (R =
 * 512 pages: 256 KiB at 2.5 MiB), so its own pages are never stored and
 * neither is anything sharing a 2 MiB entry with them; truncate-down cuts
 * the file 256 KiB into region 2 (regions 2 and up are not stored);
 * truncate-up (by 2 MiB + 256 KiB), truncate-same-size and
 * allocate-keep-size (2 MiB past the end of file) store every candidate.
 *
 * The check is the suite's oracle (sc_check_collected, every writeback timed
 * by its dax_flush return with the flush probes): each stored page must be
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
 * Per operation and page mode: pages stored, written back (by the operation,
 * by the fsync), missing, data mismatches, faults, verdict; in the JSON
 * info ("operations", an array over the iterations) and as TAP diagnostics.
 * A run with missing pages is sc_fail naming the operation.
 *
 * Not covered: the other callers of dax_break_layout in 7.2 (xfs zoned GC,
 * online scrub repair), and pages in the same 2 MiB region as the range in
 * PMD mode (they share the range's PMD entry: that is a different
 * question, what the operation itself does to an entry it cuts).
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
#define NCAND 9

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
	uint8_t *failed;		/* the oracle's failing pages */
	size_t failed_bytes;
	json_object *runs;		/* info "operations" */
	uint64_t n_pass, n_fail, n_unsup, n_runs;
	char unsup[512];		/* "name (ERRNO)" of each refused op,
					 * first iteration */
};

/* One iteration. */
struct lay {
	struct sctx *c;
	struct lay_state *st;
	bool setup_failed;
};

/* One operation in one page mode. */
struct lrun {
	const struct lop *op;
	enum page_mode mode;
	int err;			/* the operation's errno, 0 */
	uint64_t t_op0, t_op1;		/* around the operation */
	size_t n;			/* pages stored */
	uint64_t pg[NCAND], val[NCAND], tb[NCAND];
	bool missing[NCAND], by_op[NCAND], bad[NCAND];
	uint64_t got[NCAND];		/* what pread read */
	bool checked;
};

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
		*b = c->npages;
	}
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
			rc = fallocate(fd, op->mode, (off_t)c->size, (off_t)SPMD_BYTES);
		else
			rc = fallocate(fd, op->mode, off, len);
		break;
	case LK_TRUNC:
		rc = ftruncate(fd, op->where == LW_DOWN ? (off_t)(st->down * SPAGE) :
			       op->where == LW_UP ? (off_t)(c->size + SPMD_BYTES + len) :
			       (off_t)c->size);
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

static json_object *pages_json(const struct lrun *r, const bool *which)
{
	json_object *a = json_object_new_array();

	for (size_t k = 0; k < r->n; k++)
		if (!which || which[k])
			json_object_array_add(a, ju64(r->pg[k]));
	return a;
}

/* "0 7 511" of the pages which[] says (all when NULL) */
static void pages_text(char *buf, size_t len, const struct lrun *r,
		       const bool *which)
{
	size_t o = 0;

	buf[0] = 0;
	for (size_t k = 0; k < r->n && o + 1 < len; k++)
		if (!which || which[k])
			o += (size_t)snprintf(buf + o, len - o, "%s%" PRIu64,
					      o ? " " : "", r->pg[k]);
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
		snprintf(where, wlen, "pages %" PRIu64 "..%" PRIu64, c->npages,
			 c->npages + SPMD_PAGES - 1);
	else
		snprintf(where, wlen, "to %" PRIu64 " pages", op->where == LW_DOWN ?
			 st->down : op->where == LW_UP ?
			 c->npages + SPMD_PAGES + st->n : c->npages);
	o = strlen(where);
	if (op->note)
		snprintf(where + o, wlen - o, " (%s)", op->note);
	if (r->err)
		snprintf(status, slen, "%s (%s)", errname(r->err), strerror(r->err));
	else
		snprintf(status, slen, "done");
}

/* The report of one run: tallies, JSON, a TAP diagnostic, sc_fail. */
static void report(struct lay *s, const struct lrun *r,
		   const struct collector *co)
{
	struct sctx *c = s->c;
	struct lay_state *st = s->st;
	const struct lop *op = r->op;
	const char *mode = sc_mode_name(r->mode);
	size_t miss = 0, byop = 0, bad = 0, wb;
	const char *verdict;
	char where[192], stored[160], missing[160], status[160];
	json_object *j = json_object_new_object(), *f;

	describe(st, c, r, where, sizeof(where), status, sizeof(status));
	for (size_t k = 0; k < r->n; k++) {
		miss += r->missing[k];
		byop += !r->missing[k] && r->by_op[k];
		bad += r->bad[k];
	}
	wb = r->n - miss;
	if (!r->checked)
		verdict = "not checked";
	else if (miss || bad || (r->err && !refused(r->err)))
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

	pages_text(stored, sizeof(stored), r, NULL);
	pages_text(missing, sizeof(missing), r, r->missing);

	json_object_object_add(j, "iteration", ju64(c->iter));
	json_object_object_add(j, "operation", json_object_new_string(op->name));
	json_object_object_add(j, "call", json_object_new_string(op->call));
	json_object_object_add(j, "page", json_object_new_string(mode));
	json_object_object_add(j, "where", json_object_new_string(where));
	json_object_object_add(j, "status", json_object_new_string(
		!r->err ? "done" : refused(r->err) ? "unsupported" : "failed"));
	json_object_object_add(j, "errno", r->err ?
			       json_object_new_string(errname(r->err)) : NULL);
	json_object_object_add(j, "stored", ju64(r->n));
	json_object_object_add(j, "stored_pages", pages_json(r, NULL));
	json_object_object_add(j, "checked", json_object_new_boolean(r->checked));
	json_object_object_add(j, "written_back", ju64(wb));
	json_object_object_add(j, "written_back_by_operation", ju64(byop));
	json_object_object_add(j, "written_back_by_fsync", ju64(wb - byop));
	json_object_object_add(j, "missing", ju64(miss));
	json_object_object_add(j, "missing_pages", pages_json(r, r->missing));
	json_object_object_add(j, "data_mismatch", ju64(bad));
	json_object_object_add(j, "operation_ns", ju64(r->t_op1 - r->t_op0));
	f = json_object_new_object();
	json_object_object_add(f, "pte", ju64(co->counts.pte_nopage));
	json_object_object_add(f, "pmd", ju64(co->counts.pmd_nopage));
	json_object_object_add(f, "pmd_fallback", ju64(co->counts.pmd_fallback));
	json_object_object_add(j, "faults", f);
	json_object_object_add(j, "writeback_events", ju64(co->counts.wb_entries));
	json_object_object_add(j, "verdict", json_object_new_string(verdict));
	json_object_array_add(st->runs, j);

	sc_diag(c, "%s %s: stored %zu (%s), written back %zu (%zu by the "
		"operation, %zu by the fsync), missing %zu%s%s%s: %s", op->name,
		mode, r->n, stored, wb, byop, wb - byop, miss, miss ? " (" : "",
		missing, miss ? ")" : "", verdict);
	if (r->mode == PAGE_PMD && !co->counts.pmd_nopage)
		sc_diag(c, "%s pmd: no PMD fault (%" PRIu64 " PTE faults, %" PRIu64
			" PMD fallbacks): this run checked PTE entries", op->name,
			co->counts.pte_nopage, co->counts.pmd_fallback);
	if (r->err && !refused(r->err))
		sc_fail(c, "%s %s: %s failed: %s", op->name, mode, op->call,
			strerror(r->err));
	if (miss)
		sc_fail(c, "%s %s: %zu of %zu pages stored before it, outside its "
			"range, were not written back by the fsync after it "
			"(pages %s)%s", op->name, mode, miss, r->n, missing,
			r->err ? ", although the call was refused" : "");
	for (size_t k = 0; k < r->n; k++)
		if (r->bad[k])
			sc_fail(c, "%s %s: page %" PRIu64 " (at %" PRIu64 " after the "
				"operation) reads %#" PRIx64 ", stored %#" PRIx64,
				op->name, mode, r->pg[k], moved(st, op, r->pg[k]),
				r->got[k], r->val[k]);
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
	if (daxfile_create(pf, c->o.dir, name, s->st->n * SPAGE, err, sizeof(err))) {
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

/* One operation in one page mode on a fresh file.  0, or -1 when the setup
 * failed (after sc_fail). */
static int run_one(struct lay *s, struct sc_thread *ct, size_t oi,
		   enum page_mode mode)
{
	struct sctx *c = s->c;
	struct lay_state *st = s->st;
	const struct lop *op = &lops[oi];
	struct lrun r = { .op = op, .mode = mode };
	struct daxfile f, pf;
	struct mapping m;
	struct collector co;
	struct slog *sl = &ct->sl;
	struct ylog *yl = &ct->yl;
	bool peer = op->kind >= LK_CLONE_IN;
	char pat[64];
	uint64_t a, b;

	sl->n = 0;
	yl->n = 0;
	memset(pat, 0x5a, sizeof(pat));
	if (peer && peer_create(s, &pf, pat, sizeof(pat)))
		return -1;
	if (sc_file_create(c, &f))
		goto fail_peer;
	if (peer)	/* the range equal to the peer's (dedupe) */
		for (uint64_t p = st->first; p < st->first + st->n; p++)
			if (pwrite(f.fd, pat, sizeof(pat), (off_t)(p * SPAGE)) !=
			    (ssize_t)sizeof(pat)) {
				sc_fail(c, "pwrite: %s", strerror(errno));
				goto fail_file;
			}
	if (op->prepunch &&
	    fallocate(f.fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		      (off_t)(st->first * SPAGE), (off_t)(st->n * SPAGE))) {
		sc_fail(c, "%s: fallocate(PUNCH_HOLE) before the stores: %s",
			op->name, strerror(errno));
		goto fail_file;
	}
	if (sc_map(c, &m, &f, mode))
		goto fail_file;
	if (collector_start(&co, c, EVBIT(EV_WRITEBACK_ONE), false)) {
		sc_fail(c, "cannot start the trace collector");
		goto fail_map;
	}

	touched(st, c, op, &a, &b);
	for (size_t k = 0; k < NCAND; k++) {
		uint64_t p = st->cand[k];

		if ((p >= a && p < b) || (op->where == LW_DOWN && p >= st->down))
			continue;
		r.pg[r.n] = p;
		r.val[r.n] = PATTERN | (uint64_t)oi << 40 | (uint64_t)mode << 32 | p;
		wl_store_logged(sl, m.addr, p, 0, r.val[r.n]);
		r.tb[r.n] = sl->v[sl->n - 1].tb;
		r.n++;
	}
	r.t_op0 = now_ns();
	r.err = do_op(st, c, op, f.fd, peer ? pf.fd : -1);
	r.t_op1 = now_ns();
	wl_fsync_logged(yl, f.fd);

	{
		char where[192], status[160];

		describe(st, c, &r, where, sizeof(where), status, sizeof(status));
		sc_diag(c, "%s %s: %s, %s: %s", op->name, sc_mode_name(mode),
			op->call, where, status);
	}
	memset(st->failed, 0, st->failed_bytes);
	{
		uint64_t pairs = c->pairs_checked;

		r.checked = sc_check_collected(c, &co, &(struct check_in){
			.sl = &sl, .nsl = 1, .yl = &yl, .nyl = 1,
			.failed = st->failed });
		if (r.checked && c->pairs_checked - pairs != r.n && !yl->v[0].err)
			sc_fail(c, "%s %s: the oracle checked %" PRIu64 " (sync, page) "
				"pairs for %zu pages stored", op->name,
				sc_mode_name(mode), c->pairs_checked - pairs, r.n);
	}
	for (size_t k = 0; r.checked && k < r.n; k++) {
		uint64_t first = UINT64_MAX;

		r.missing[k] = bitmap_test(st->failed, r.pg[k]);
		for (size_t i = 0; i < co.keep.n; i++) {
			const struct trace_rec *e = &co.keep.v[i];
			uint64_t t = trace_rec_flush_time(e);

			if (e->ev == EV_WRITEBACK_ONE && e->pgoff <= r.pg[k] &&
			    r.pg[k] < e->pgoff + e->pglen && t > r.tb[k] && t < first)
				first = t;
		}
		r.by_op[k] = first <= r.t_op1;
	}
	for (size_t k = 0; k < r.n; k++) {
		uint64_t at = moved(st, op, r.pg[k]) * SPAGE;

		if (pread(f.fd, &r.got[k], sizeof(r.got[k]), (off_t)at) !=
		    (ssize_t)sizeof(r.got[k]))
			r.got[k] = ~r.val[k];
		r.bad[k] = r.got[k] != r.val[k];
	}
	report(s, &r, &co);

	collector_free(&co);
	mapping_unmap(&m);
	daxfile_remove(&f);
	if (peer)
		daxfile_remove(&pf);
	return 0;

fail_map:
	mapping_unmap(&m);
fail_file:
	daxfile_remove(&f);
fail_peer:
	if (peer)
		daxfile_remove(&pf);
	return -1;
}

/* The main thread: every operation, PTE then PMD (or --page's mode). */
static void sweep(struct sc_thread *ct)
{
	struct lay *s = ct->shared;
	enum page_sel ps = s->c->o.page;

	for (size_t i = 0; i < NLOPS; i++)
		for (int k = 0; k < 2; k++) {
			enum page_mode mode = k ? PAGE_PMD : PAGE_PTE;

			if ((ps == PS_PTE && mode != PAGE_PTE) ||
			    (ps == PS_PMD && mode != PAGE_PMD))
				continue;
			if (run_one(s, ct, i, mode)) {
				s->setup_failed = true;
				return;
			}
		}
}

/* the stores of one run and its fsync */
static const struct crew_role roles[] = {
	{ "main", CREW_MAIN, 0, sweep, NCAND, 1, 0 },
};

static enum sverdict prepare(struct sctx *c)
{
	struct lay_state *st = c->state;
	uint64_t r = SPMD_PAGES, n = c->npages;
	const uint64_t cand[NCAND] = { 0, 7, r - 1, r + 5, 2 * r - 1, 2 * r,
				       2 * r + 300, n - r + 100, n - 1 };

	if (n < 4 * r) {
		snprintf(c->skip_reason, sizeof(c->skip_reason),
			 "needs --size of at least 8M (four 2 MiB regions)");
		return SV_SKIP;
	}
	st->first = r + r / 4;
	st->n = r / 8;
	st->down = 2 * r + r / 8;
	memcpy(st->cand, cand, sizeof(cand));
	st->failed_bytes = (size_t)(n + 7) / 8;
	st->failed = calloc(1, st->failed_bytes);
	st->runs = json_object_new_array();
	if (!st->failed || !st->runs) {
		free(st->failed);
		json_object_put(st->runs);
		sc_fail(c, "out of memory");
		return SV_FAIL;
	}
	return SV_PASS;
}

static enum sverdict begin(struct sctx *c, struct sc_iter *it)
{
	struct lay *s = it->priv;

	s->c = c;
	s->st = c->state;
	it->keep = 0;		/* each run has its own collector */
	sc_iter_crew(it, roles, 1, s);
	return SV_PASS;
}

static enum sverdict end(struct sctx *c, struct sc_iter *it, struct crew *cr)
{
	struct lay *s = it->priv;

	(void)c;
	(void)cr;
	return s->setup_failed ? SV_FAIL : SV_PASS;
}

static void finish(struct sctx *c)
{
	struct lay_state *st = c->state;

	sc_diag(c, "%" PRIu64 " runs (operation x page mode x iteration): %" PRIu64
		" pass, %" PRIu64 " fail, %" PRIu64 " unsupported%s%s%s", st->n_runs,
		st->n_pass, st->n_fail, st->n_unsup, st->unsup[0] ? " (" : "",
		st->unsup, st->unsup[0] ? ")" : "");
	json_object_object_add(c->info, "runs", ju64(st->n_runs));
	json_object_object_add(c->info, "pass", ju64(st->n_pass));
	json_object_object_add(c->info, "fail", ju64(st->n_fail));
	json_object_object_add(c->info, "unsupported", ju64(st->n_unsup));
}

static void cleanup(struct sctx *c)
{
	struct lay_state *st = c->state;

	/* the runs so far, whether or not an iteration stopped the scenario */
	json_object_object_add(c->info, "operations", st->runs);
	st->runs = NULL;
	free(st->failed);
}

const struct scenario scenario_layout = {
	.name = "layout",
	.desc = "every layout-changing operation (fallocate modes, truncate, "
		"reflink, exchange) leaves pages stored elsewhere in the file to "
		"the next fsync, or writes them back",
	.needs_dax = true,
	.defaults = { .size = 8ull << 20, .iterations = 1 },
	.state_size = sizeof(struct lay_state),
	.prepare = prepare,
	.iter_size = sizeof(struct lay),
	.begin = begin,
	.end = end,
	.finish = finish,
	.cleanup = cleanup,
};
