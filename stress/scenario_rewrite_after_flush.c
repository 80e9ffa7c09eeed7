// SPDX-License-Identifier: GPL-2.0
/*
 * rewrite-after-flush: after an fsync, a store to a flushed page must fault
 * again (the fsync write-protected the page) and the next fsync must flush
 * it, and only what was stored since; an fsync with no store since the
 * last one flushes nothing.  Catches a kernel that does not write-protect
 * after the flush (no fault, nothing flushed: the rewrite is lost) and one
 * that never cleans entries (the ever-growing dirty set: every fsync
 * flushes everything ever dirtied).
 *
 * An iteration, on a new file mapped PMD or PTE (alternating, or --page):
 *   - W writers store every page once; fsync;
 *   - REWRITES times: the writers store to a random eighth of the pages of
 *     a random half of the 2 MiB regions (the last time: to every page of
 *     every region but one, more than a batch of the writeback walk in a
 *     PTE mapping); msync(MS_SYNC) of a random range that starts inside
 *     one of those regions and ends inside another (or the same; the last
 *     time, from a page of the first quarter of the file to one of the
 *     last, so that the range's walk crosses a batch when the file holds
 *     two); fsync.  Asserted: every page stored has a fault event
 *     (PTE: the page, PMD: its 2 MiB) between the previous fsync's return
 *     and the msync; the writebacks of the msync and the fsync cover no
 *     page outside the entries stored to since the previous fsync;
 *   - an idle fsync: no writeback at all;
 * and the oracle over every call (a partial flush of a 2 MiB entry by the
 * range msync leaves pages that the fsync then does not flush either).
 * The file: 40 MiB by default (SC_SCALE_SIZE: the first fsync of a PTE
 * iteration walks 10240 entries, two and a half batches), in the second
 * and third iterations 2 MiB less 5 pages (sc_iter_size: the last 2 MiB
 * region cut by the end of the file); 3 iterations by default (PMD, PTE
 * cut, PMD cut).
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "scenario.h"

#define REWRITES 3

struct rw {
	struct sctx *c;
	char *base;
	uint64_t npages;
	const uint8_t *sel;		/* pages to store; NULL: all */
	uint8_t *sels[REWRITES];	/* the selection of each rewrite */
	struct mapping m;
	int fd;
	pthread_barrier_t go, done;
	bool quit;
	uint64_t val;
	/* the iteration's, for its end */
	enum page_mode mode;
	struct daxfile f;
};

static void writer_main(struct sc_thread *t)
{
	struct rw *s = t->shared;
	unsigned nw = s->c->cfg->writers;

	for (;;) {
		pthread_barrier_wait(&s->go);
		if (s->quit)
			break;
		for (uint64_t pg = t->id; pg < s->npages; pg += nw)
			if (!s->sel || bitmap_test(s->sel, pg))
				wl_store_logged(&t->sl, s->base, pg, t->id, s->val + pg);
		pthread_barrier_wait(&s->done);
	}
}

/* Random half of the regions (at least one chosen, one not when there are
 * two), an eighth of their pages (at least one each); dense: every page of
 * every region but the one not chosen. */
static void choose(struct rng *r, uint64_t npages, uint8_t *sel, bool dense)
{
	uint64_t nreg = (npages + SPMD_PAGES - 1) / SPMD_PAGES;
	uint64_t must = rng_below(r, nreg), mustnot = rng_below(r, nreg);

	if (nreg > 1 && mustnot == must)
		mustnot = (must + 1) % nreg;
	memset(sel, 0, (npages + 7) / 8);
	for (uint64_t g = 0; g < nreg; g++) {
		uint64_t a = g * SPMD_PAGES, b = a + SPMD_PAGES, any = 0;

		if (b > npages)
			b = npages;
		if (g != must && (nreg == 1 || g == mustnot || (!dense && rng_below(r, 2))))
			continue;
		for (uint64_t p = a; p < b; p++)
			if (dense || rng_below(r, 8) == 0) {
				bitmap_set(sel, p);
				any++;
			}
		if (!any)
			bitmap_set(sel, a + rng_below(r, b - a));
	}
}

static bool in_window(const struct trace_rec *e, uint64_t a, uint64_t b)
{
	return e->ts > a && e->ts < b;
}

/* Mark the pages covered by events of kind ev (writeback: pglen; faults:
 * the page, or its 2 MiB for a PMD fault that did not fall back) with
 * ts in (a, b).  Returns the number of events. */
static uint64_t mark(const struct trace_vec *tv, uint64_t a, uint64_t b,
		     uint64_t npages, uint8_t *bm, bool faults)
{
	uint64_t n = 0;

	for (size_t i = 0; i < tv->n; i++) {
		const struct trace_rec *e = &tv->v[i];
		uint64_t lo, hi;

		if (!in_window(e, a, b))
			continue;
		if (!faults && e->ev == EV_WRITEBACK_ONE) {
			lo = e->pgoff;
			hi = e->pgoff + e->pglen;
		} else if (faults && e->ev == EV_PTE_FAULT_DONE &&
			   (e->result & DAX_VM_FAULT_NOPAGE)) {
			lo = e->pgoff;
			hi = lo + 1;
		} else if (faults && e->ev == EV_PMD_FAULT_DONE &&
			   (e->result & DAX_VM_FAULT_NOPAGE) &&
			   !(e->result & DAX_VM_FAULT_FALLBACK)) {
			lo = e->pgoff & ~(SPMD_PAGES - 1);
			hi = lo + SPMD_PAGES;
		} else {
			continue;
		}
		n++;
		for (uint64_t p = lo; p < hi && p < npages; p++)
			bitmap_set(bm, p);
	}
	return n;
}

/* msync(MS_SYNC) of a range from a random page of a region holding a
 * stored page to a random page at most one region further on (long: more
 * than XA_CHECK_SCHED pages on, when the file has them): with PMD entries,
 * it starts and ends inside 2 MiB entries. */
static void range_msync(struct rng *r, const struct mapping *m,
			uint64_t npages, const uint8_t *sel, struct ylog *yl,
			bool long_range)
{
	uint64_t p, first, n;

	for (p = rng_below(r, npages); !bitmap_test(sel, p);)
		p = (p + 1) % npages;
	first = (p & ~(SPMD_PAGES - 1)) + rng_below(r, SPMD_PAGES);
	if (long_range && npages > 2 * SC_XA_CHECK_SCHED)	/* from the first quarter */
		first = rng_below(r, npages / 4);
	if (first >= npages)
		first = p;
	n = 1 + rng_below(r, SPMD_PAGES * 3 / 2);
	if (long_range && npages > 2 * SC_XA_CHECK_SCHED)	/* to the last quarter */
		n = npages - first - rng_below(r, npages / 4);
	if (first + n > npages)
		n = npages - first;
	wl_call_logged(yl, WL_MSYNC, -1, m->addr + first * SPAGE, n * SPAGE,
		       first, n);
}

/* The main thread: every page, fsync; REWRITES x (some pages, msync of a
 * range, fsync); idle. */
static void race_main(struct sc_thread *t)
{
	struct rw *s = t->shared;
	struct sctx *c = t->c;
	struct ylog *yl = &t->yl;
	struct rng r;

	sc_rng(c, &r, 1);
	for (unsigned k = 0; k <= REWRITES; k++) {
		if (k)
			choose(&r, s->npages, s->sels[k - 1], k == REWRITES);
		s->sel = k ? s->sels[k - 1] : NULL;
		s->val = (uint64_t)(k + 1) << 40;
		pthread_barrier_wait(&s->go);
		pthread_barrier_wait(&s->done);
		if (k)
			range_msync(&r, &s->m, s->npages, s->sels[k - 1], yl,
				    k == REWRITES);
		wl_fsync_logged(yl, s->fd);
	}
	wl_fsync_logged(yl, s->fd);
	s->quit = true;
	pthread_barrier_wait(&s->go);
}

enum { R_WRITER, R_MAIN };

/* The checks of one iteration beyond the oracle. */
static void check_rewrites(struct sctx *c, enum page_mode mode, uint64_t np,
			   const struct trace_vec *tv, const struct ylog *yl,
			   uint8_t *const *sel, bool faults_traced,
			   uint64_t *refaults, uint64_t *idle_bytes)
{
	uint64_t bmlen = (np + 7) / 8;
	uint8_t *got = malloc(bmlen), *want = malloc(bmlen);

	if (!got || !want) {
		sc_fail(c, "out of memory");
		goto out;
	}
	for (unsigned k = 0; k < REWRITES; k++) {
		const struct sync_rec *prev = &yl->v[2 * k];
		const struct sync_rec *ms = &yl->v[2 * k + 1], *cur = &yl->v[2 * k + 2];
		uint64_t missing = 0, extra = 0, first_m = 0, first_x = 0;

		/* a fault for every page stored, after the previous fsync */
		if (faults_traced) {
			memset(got, 0, bmlen);
			mark(tv, prev->te, ms->ts, np, got, true);
			for (uint64_t p = 0; p < np; p++) {
				if (!bitmap_test(sel[k], p))
					continue;
				if (bitmap_test(got, p))
					(*refaults)++;
				else if (!missing++)
					first_m = p;
			}
			if (missing)
				sc_fail(c, "rewrite %u (%s): %" PRIu64 " page(s) stored "
					"after an fsync took no write fault (first: "
					"page %" PRIu64 "): the fsync did not "
					"write-protect them", k + 1,
					sc_mode_name(mode), missing, first_m);
		}
		/* the msync and the fsync flushed nothing outside the entries
		 * stored to */
		memset(got, 0, bmlen);
		memset(want, 0, bmlen);
		mark(tv, ms->ts, ms->te, np, got, false);
		mark(tv, cur->ts, cur->te, np, got, false);
		for (uint64_t p = 0; p < np; p++) {
			if (!bitmap_test(sel[k], p))
				continue;
			if (mode == PAGE_PTE) {
				bitmap_set(want, p);
			} else {
				uint64_t a = p & ~(SPMD_PAGES - 1);

				for (uint64_t q = a; q < a + SPMD_PAGES && q < np; q++)
					bitmap_set(want, q);
			}
		}
		for (uint64_t p = 0; p < np; p++)
			if (bitmap_test(got, p) && !bitmap_test(want, p) && !extra++)
				first_x = p;
		if (extra)
			sc_fail(c, "rewrite %u (%s): the msync and fsync flushed %" PRIu64
				" page(s) not stored since the previous fsync (first:"
				" page %" PRIu64 "): entries are not cleaned (the "
				"dirty set grows)", k + 1, sc_mode_name(mode), extra,
				first_x);
	}
	/* the idle fsync */
	{
		const struct sync_rec *idle = &yl->v[2 * REWRITES + 1];
		uint64_t pages = 0, n = 0;

		for (size_t i = 0; i < tv->n; i++)
			if (tv->v[i].ev == EV_WRITEBACK_ONE &&
			    in_window(&tv->v[i], idle->ts, idle->te)) {
				pages += tv->v[i].pglen;
				n++;
			}
		*idle_bytes += pages * SPAGE;
		if (n)
			sc_fail(c, "an fsync with no store since the previous one "
				"flushed %" PRIu64 " entries (%" PRIu64 " bytes, %s): "
				"it must flush nothing", n, (uint64_t)(pages * SPAGE),
				sc_mode_name(mode));
	}
out:
	free(got);
	free(want);
}

/* What lasts across iterations. */
struct rw_state {
	bool faults_traced;		/* the write-fault check is made */
	uint64_t refaults, idle_bytes;
	struct crew_role roles[2];	/* the crew of every iteration */
};

static enum sverdict prepare(struct sctx *c)
{
	struct rw_state *st = c->state;
	unsigned nw = c->cfg->writers;
	/* every page, two sparse rewrites, a dense one (up to every page) */
	size_t cap = c->cfg->npages / nw * 3 + 2;

	st->faults_traced = dax_trace_has(c->tr, EV_PTE_FAULT_DONE) &&
			    dax_trace_has(c->tr, EV_PMD_FAULT_DONE);
	if (!st->faults_traced)
		sc_diag(c, "no dax_pte_fault_done/dax_pmd_fault_done events: "
			"the write-fault check is not made");
	st->roles[R_WRITER] = (struct crew_role){ "writer", CREW_WRITERS, 0,
		writer_main, cap, 0, 0 };
	st->roles[R_MAIN] = (struct crew_role){ "main", CREW_MAIN, 0,
		race_main, 0, 2 * REWRITES + 2, 0 };
	return SV_PASS;
}

static enum sverdict begin(struct sctx *c, struct sc_iter *it)
{
	struct rw_state *st = c->state;
	struct rw *s = it->priv;
	unsigned nw = c->cfg->writers;
	uint64_t bmlen = (c->cfg->npages + 7) / 8;
	enum page_mode mode = s->mode = sc_page_mode(c);
	bool ok = true;

	for (unsigned k = 0; k < REWRITES; k++)
		ok = ok && (s->sels[k] = calloc(bmlen, 1));
	if (!ok || sc_file_create_size(c, &s->f, sc_iter_size(c))) {
		sc_fail(c, "setup failed");
		return SV_FAIL;
	}
	if (sc_map(c, &s->m, &s->f, mode)) {
		daxfile_remove(&s->f);
		return SV_FAIL;
	}
	s->c = c;
	s->base = s->m.addr;
	s->npages = s->f.size / SPAGE;
	s->fd = s->f.fd;
	pthread_barrier_init(&s->go, NULL, nw + 1);
	pthread_barrier_init(&s->done, NULL, nw + 1);
	it->keep = EVBIT(EV_WRITEBACK_ONE) | EVBIT(EV_PTE_FAULT_DONE) |
		   EVBIT(EV_PMD_FAULT_DONE);
	sc_iter_crew(it, st->roles, 2, s);
	return SV_PASS;
}

/* After the oracle, on the records it checked: the checks beyond it. */
static enum sverdict checked(struct sctx *c, struct sc_iter *it,
			     struct crew *cr, const struct sc_check *chk)
{
	struct rw_state *st = c->state;
	struct rw *s = it->priv;
	const struct ylog *yl = &crew_thread(cr, R_MAIN, 0)->yl;

	if (chk->made && yl->n == 2 * REWRITES + 2)
		check_rewrites(c, s->mode, s->npages, chk->events, yl, s->sels,
			       st->faults_traced, &st->refaults,
			       &st->idle_bytes);
	return SV_PASS;
}

static void teardown(struct sc_iter *it)
{
	struct rw *s = it->priv;

	pthread_barrier_destroy(&s->go);
	pthread_barrier_destroy(&s->done);
	mapping_unmap(&s->m);
	daxfile_remove(&s->f);
	for (unsigned k = 0; k < REWRITES; k++)
		free(s->sels[k]);
}

static void finish(struct sctx *c)
{
	struct rw_state *st = c->state;

	json_object *info = sc_info(c);

	jadd_u64(info, "rewrites_per_iteration", REWRITES);
	jadd_u64(info, "rewritten_pages_with_fault", st->refaults);
	jadd_u64(info, "idle_fsync_bytes_flushed", st->idle_bytes);
}

static const struct scenario rewrite_after_flush = {
	.name = "rewrite-after-flush",
	.desc = "a store after an fsync faults again and the next msync/fsync "
		"flush it and nothing else; an idle fsync flushes 0 bytes",
	.order = 30,
	.needs_dax = true,
	.defaults = { .size = SC_SCALE_SIZE, .iterations = 3 },
	.state_size = sizeof(struct rw_state),
	.prepare = prepare,
	.iter_size = sizeof(struct rw),
	.begin = begin,
	.checked = checked,
	.teardown = teardown,
	.finish = finish,
};
SCENARIO(rewrite_after_flush);
