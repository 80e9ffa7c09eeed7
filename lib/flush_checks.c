// SPDX-License-Identifier: GPL-2.0
/* The exact invariants of daxbench fault and sync (flush_checks.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flush_checks.h"
#include "stats.h"

#define PAGE_BYTES 4096ull

const char fc_covers_text[] =
	"a sync after stores flushes at least the bytes dirtied before it began";
const char fc_idle_text[] =
	"a sync with no store since the previous one flushes 0 bytes";
const char fc_inside_text[] = "every writeback lies inside the file";
const char fc_written_text[] =
	"every dirtied page is written back by the end";

void fc_declare(struct verdict *v)
{
	verdict_check(v, FC_COVERS, fc_covers_text);
	verdict_check(v, FC_IDLE, fc_idle_text);
	verdict_check(v, FC_INSIDE, fc_inside_text);
	verdict_check(v, FC_WRITTEN, fc_written_text);
}

static void bytes_ge(char *b, size_t len, uint64_t pages)
{
	char x[32];

	snprintf(b, len, ">= %s", fmt_bytes(x, sizeof(x), pages * PAGE_BYTES));
}

static void bytes_of(char *b, size_t len, uint64_t pages)
{
	fmt_bytes(b, len, pages * PAGE_BYTES);
}

/* ---- fault ---- */

int fc_init(struct flush_checks *fc, struct verdict *v, uint64_t npages,
	    bool dax, bool pc_flush)
{
	memset(fc, 0, sizeof(*fc));
	fc->v = v;
	fc->npages = npages;
	fc->dax = dax;
	fc->pc_flush = pc_flush;
	if (dax) {
		fc->pending = calloc(npages / 64 + 1, sizeof(uint64_t));
		if (!fc->pending)
			return -1;
		verdict_check(v, FC_COVERS, fc_covers_text);
		verdict_check(v, FC_IDLE, fc_idle_text);
		verdict_check(v, FC_INSIDE, fc_inside_text);
		verdict_check(v, FC_WRITTEN, fc_written_text);
		return 0;
	}
	if (pc_flush) {
		verdict_check(v, FC_COVERS, fc_covers_text);
		verdict_check(v, FC_IDLE, fc_idle_text);
	} else {
		verdict_not_applicable(v, FC_COVERS, fc_covers_text,
			"page cache: no writeback event with a page count on this file system");
		verdict_not_applicable(v, FC_IDLE, fc_idle_text,
			"page cache: no writeback event with a page count on this file system");
	}
	verdict_not_applicable(v, FC_INSIDE, fc_inside_text,
			       "page cache: its writeback records carry no page range");
	verdict_not_applicable(v, FC_WRITTEN, fc_written_text,
			       "page cache: its writeback records carry no page range");
	return 0;
}

void fc_free(struct flush_checks *fc)
{
	free(fc->pending);
	fc->pending = NULL;
}

static void clear_pending(struct flush_checks *fc, uint64_t first, uint64_t n)
{
	if (!fc->pending)
		return;
	for (uint64_t p = first; p < first + n && p < fc->npages; p++) {
		uint64_t m = 1ull << (p & 63);

		if (fc->pending[p >> 6] & m) {
			fc->pending[p >> 6] &= ~m;
			fc->npending--;
		}
	}
}

void fc_records(struct flush_checks *fc, const struct trace_rec *r, size_t n,
		const char *where)
{
	struct verdict_check *in = fc->dax ?
		verdict_check(fc->v, FC_INSIDE, fc_inside_text) : NULL;

	for (size_t i = 0; i < n; i++) {
		if (fc->dax && r[i].ev == EV_WRITEBACK_ONE) {
			fc->window += r[i].pglen;
			if (r[i].pglen && r[i].pgoff < fc->npages &&
			    r[i].pglen <= fc->npages - r[i].pgoff) {
				verdict_pass(in);
			} else {
				char w[96], e[64], s[64];

				snprintf(w, sizeof(w), "%s", where);
				snprintf(e, sizeof(e), "pages within [0, %llu)",
					 (unsigned long long)fc->npages);
				snprintf(s, sizeof(s), "pgoff %llu pglen %llu",
					 (unsigned long long)r[i].pgoff,
					 (unsigned long long)r[i].pglen);
				verdict_fail(in, w, e, s);
			}
			clear_pending(fc, r[i].pgoff, r[i].pglen);
		} else if (!fc->dax && fc->pc_flush &&
			   r[i].ev == EV_EXT4_WRITEPAGES_RESULT) {
			fc->window += r[i].pglen;
		}
	}
}

void fc_store(struct flush_checks *fc, uint64_t first, uint64_t n)
{
	fc->dirtied += n;
	if (!fc->pending)
		return;
	for (uint64_t p = first; p < first + n && p < fc->npages; p++) {
		uint64_t m = 1ull << (p & 63);

		if (!(fc->pending[p >> 6] & m)) {
			fc->pending[p >> 6] |= m;
			fc->npending++;
		}
	}
}

void fc_sync(struct flush_checks *fc, const char *where)
{
	char e[64], s[64];

	if (!fc->dax && !fc->pc_flush)
		goto out;
	if (fc->dirtied) {
		struct verdict_check *c = verdict_check(fc->v, FC_COVERS, fc_covers_text);

		if (fc->window >= fc->dirtied) {
			verdict_pass(c);
		} else {
			bytes_ge(e, sizeof(e), fc->dirtied);
			bytes_of(s, sizeof(s), fc->window);
			verdict_fail(c, where, e, s);
		}
	} else {
		struct verdict_check *c = verdict_check(fc->v, FC_IDLE, fc_idle_text);

		if (!fc->window) {
			verdict_pass(c);
		} else {
			bytes_of(s, sizeof(s), fc->window);
			verdict_fail(c, where, "0B", s);
		}
	}
out:
	fc->dirtied = fc->window = 0;
}

/* The first page still set in bits[0..npages), or npages. */
static uint64_t first_set(const uint64_t *bits, uint64_t npages)
{
	for (uint64_t w = 0; w <= npages / 64; w++)
		if (bits[w])
			return w * 64 + (uint64_t)__builtin_ctzll(bits[w]);
	return npages;
}

void fc_end(struct flush_checks *fc, const char *where)
{
	struct verdict_check *c;
	char w[96], s[64];

	if (!fc->dax)
		return;
	c = verdict_check(fc->v, FC_WRITTEN, fc_written_text);
	if (!fc->npending) {
		verdict_pass(c);
		return;
	}
	snprintf(w, sizeof(w), "%s; first: page %llu", where,
		 (unsigned long long)first_set(fc->pending, fc->npages));
	snprintf(s, sizeof(s), "%llu pages not written back",
		 (unsigned long long)fc->npending);
	verdict_fail(c, w, "0 pages not written back", s);
}

/* ---- sync ---- */

/* Whether a call of another syncer than c[self]'s overlaps [a, b]: calls of
 * one syncer are in time order and one at a time, so their t_end are
 * sorted (a binary search per other syncer). */
static bool other_call_in(const struct fc_call *c, size_t n, unsigned self,
			  uint64_t a, uint64_t b)
{
	size_t i = 0;

	while (i < n) {
		size_t end = i, lo, hi;
		unsigned s = c[i].syncer;

		while (end < n && c[end].syncer == s)
			end++;
		if (s != self) {
			/* first call of syncer s with t_end >= a */
			lo = i;
			hi = end;
			while (lo < hi) {
				size_t mid = lo + (hi - lo) / 2;

				if (c[mid].t_end < a)
					lo = mid + 1;
				else
					hi = mid;
			}
			if (lo < end && c[lo].t_start <= b)
				return true;
		}
		i = end;
	}
	return false;
}

void fc_sync_calls(struct verdict *v, const struct fc_call *c, size_t n,
		   bool dax)
{
	struct verdict_check *cov, *idle;
	char w[96], e[64], s[64];

	if (!dax) {
		/* per-call counts are not exact on the page cache: the flusher
		 * writes outside the calls, and ext4 can leave a page of the
		 * final call to the idle call */
		verdict_not_applicable(v, FC_COVERS, fc_covers_text,
			"page cache: the flusher thread writes pages back outside the calls");
		verdict_not_applicable(v, FC_IDLE, fc_idle_text,
			"page cache: a page the final call left can be written back by the idle call");
		return;
	}
	cov = verdict_check(v, FC_COVERS, fc_covers_text);
	idle = verdict_check(v, FC_IDLE, fc_idle_text);
	for (size_t i = 0; i < n; i++) {
		bool first = i == 0 || c[i - 1].syncer != c[i].syncer;
		const struct fc_call *prev = first ? NULL : &c[i - 1];
		size_t k = i;

		while (k > 0 && c[k - 1].syncer == c[i].syncer)
			k--;
		snprintf(w, sizeof(w), "syncer %u, call %zu%s", c[i].syncer, i - k + 1,
			 c[i].idle ? " (idle)" : "");
		if (c[i].idle || c[i].no_store) {
			if (!c[i].flushed_pages) {
				verdict_pass(idle);
			} else {
				bytes_of(s, sizeof(s), c[i].flushed_pages);
				verdict_fail(idle, w, "0B", s);
			}
			continue;
		}
		if (!c[i].kernel_call || !c[i].dirtied_pages)
			continue;
		if (prev && !prev->quiet)
			continue;
		if (other_call_in(c, n, c[i].syncer, prev ? prev->t_start : 0,
				  c[i].t_end))
			continue;
		if (c[i].flushed_pages >= c[i].dirtied_pages) {
			verdict_pass(cov);
		} else {
			bytes_ge(e, sizeof(e), c[i].dirtied_pages);
			bytes_of(s, sizeof(s), c[i].flushed_pages);
			verdict_fail(cov, w, e, s);
		}
	}
}

void fc_inside(struct verdict *v, const struct trace_rec *r, size_t n,
	       uint64_t npages)
{
	struct flush_checks fc = { .v = v, .npages = npages, .dax = true };

	fc_records(&fc, r, n, "the run");
}

int fc_written(struct verdict *v, const uint64_t *dirtied, uint64_t npages,
	       const struct trace_rec *r, size_t n, uint64_t kernel_dirty_end)
{
	struct verdict_check *c = verdict_check(v, FC_WRITTEN, fc_written_text);
	uint64_t words = npages / 64 + 1, left = 0, first;
	uint64_t *bits = calloc(words, sizeof(*bits));
	char w[96], s[64];

	if (!bits)
		return -1;
	for (uint64_t i = 0; i < words; i++)
		bits[i] = dirtied[i];
	if (npages % 64)
		bits[npages / 64] &= (1ull << (npages % 64)) - 1;
	else
		bits[npages / 64] = 0;
	for (size_t i = 0; i < n; i++)
		if (r[i].ev == EV_WRITEBACK_ONE)
			for (uint64_t p = r[i].pgoff; p < r[i].pgoff + r[i].pglen && p < npages; p++)
				bits[p >> 6] &= ~(1ull << (p & 63));
	for (uint64_t i = 0; i < words; i++)
		left += (uint64_t)__builtin_popcountll(bits[i]);
	first = first_set(bits, npages);
	free(bits);
	if (!left && !kernel_dirty_end) {
		verdict_pass(c);
		return 0;
	}
	if (left)
		snprintf(w, sizeof(w), "the run; first: page %llu",
			 (unsigned long long)first);
	else
		snprintf(w, sizeof(w), "the run: the kernel's dirty set replayed at the end");
	snprintf(s, sizeof(s), "%llu never written back, %llu left dirty",
		 (unsigned long long)left, (unsigned long long)kernel_dirty_end);
	verdict_fail(c, w, "0 never written back, 0 left dirty", s);
	return 0;
}
