// SPDX-License-Identifier: GPL-2.0
/*
 * concurrent-fsync: W writers store to random pages of one DAX file while
 * K sync threads call fsync, fdatasync and msync(MS_SYNC) (whole file or a
 * random range) on it; the oracle checks every call.
 *
 * The sync threads meet at a barrier before every call.  In three cycles
 * out of four they then call within 50 us of each other, so that fsyncs
 * overlap and walk the same entries at the same time: an fsync that finds
 * an entry another fsync is flushing must not return before that flush is
 * done (the TOWRITE race of the v8 review).  In the other cycles each
 * waits 0-2 ms, so calls also start in the middle of others.
 *
 * An iteration: a new file mapped PMD or PTE (alternating, or --page);
 * every page stored once (so every sync call has the whole file to cover);
 * the race for --round; a final fsync.
 *
 * At the kernel's scale: the file is 40 MiB by default (SC_SCALE_SIZE), so
 * that the walk over the whole dirty file of a PTE iteration crosses two
 * XA_CHECK_SCHED batches, and in the second and third of every four
 * iterations 2 MiB less 5 pages (sc_iter_size: not a multiple of 2 MiB,
 * its last 2 MiB region cut by the end of the file, PTE entries after the
 * PMD ones in a PMD mapping); 4 iterations by default (6 with 16 MiB
 * files, in about the same time).  Each sync thread's first call of an iteration, made while the
 * whole file is dirty, is one of (rotating with the thread and the
 * iteration): fsync, an msync range across batches (from inside a 2 MiB
 * region of the first quarter to inside one of the last), an msync range
 * from the first page, one to the last page, fdatasync, msync of the whole
 * file.  Later calls: fsync, fdatasync, msync of the whole file, and
 * msync ranges (short ones of up to 1024 pages, from the first page, to the
 * last page, across batches).
 *
 * --inject partial-sync: every call is msync(MS_SYNC) of the first half of
 * the file while the oracle expects all of it: exactly the pages of the
 * second half are reported.  (The racing stores then go to the second half
 * only, so that the first half is flushed once and stays clean: the pages
 * reported do not depend on how the kernel handles the race.)  --inject async: every call is
 * msync(MS_ASYNC), which flushes nothing on DAX: every page is reported.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "scenario.h"

#define WLOG_CAP (1u << 19)	/* stores per writer per iteration */
#define YLOG_CAP (1u << 16)	/* calls per sync thread per iteration */
#define TOGETHER_NS 50000ull	/* start spread of a "together" cycle */
#define SPREAD_NS 2000000ull	/* start spread of the other cycles */

struct cf {
	struct sctx *c;
	char *base;
	uint64_t npages, size;
	int fd;
	enum inject_kind inj;
	pthread_barrier_t start, cyc1, cyc2;
	int stop;			/* __atomic: end of the race */
	/* written by the cycle leader between cyc1 and cyc2 */
	bool cyc_stop, cyc_together;
	struct rng cyc_rng;
	uint64_t cycles, together;
	/* the iteration's, for its end */
	struct daxfile f;
	struct mapping m;
};

static void writer_main(struct sc_thread *t)
{
	struct cf *s = t->shared;
	unsigned nw = s->c->cfg->writers;
	uint64_t seq = 0, tag = (uint64_t)(t->id + 1) << 56;
	struct rng r;

	sc_rng(s->c, &r, 100 + t->id);
	/* every page once: each thread its share */
	for (uint64_t pg = t->id; pg < s->npages; pg += nw)
		wl_store_logged(&t->sl, s->base, pg, t->id, tag | ++seq);
	pthread_barrier_wait(&s->start);
	while (!__atomic_load_n(&s->stop, __ATOMIC_RELAXED)) {
		if (slog_full(&t->sl)) {
			__atomic_store_n(&s->stop, 1, __ATOMIC_RELAXED);
			break;
		}
		if (s->inj == INJ_PARTIAL_SYNC)
			wl_store_logged(&t->sl, s->base, s->npages / 2 +
				 rng_below(&r, s->npages - s->npages / 2), t->id,
				 tag | ++seq);
		else
			wl_store_logged(&t->sl, s->base, rng_below(&r, s->npages), t->id,
				 tag | ++seq);
	}
}

enum { K_FSYNC, K_ACROSS, K_FROM_FIRST, K_TO_LAST, K_FDATASYNC, K_MSYNC, K_N };

/* An msync(MS_SYNC) range of kind k (K_ACROSS, K_FROM_FIRST, K_TO_LAST;
 * else a short one), timed and logged. */
static void range_sync(struct cf *s, struct ylog *yl, struct rng *r, int k)
{
	uint64_t np = s->npages, first, n;

	if (k == K_ACROSS && np > 2 * SC_XA_CHECK_SCHED) {
		first = rng_below(r, np / 4);
		n = np - first - rng_below(r, np / 4);
	} else if (k == K_FROM_FIRST) {
		first = 0;
		n = 1 + rng_below(r, np);
	} else if (k == K_TO_LAST) {
		first = rng_below(r, np);
		n = np - first;
	} else {
		uint64_t left;

		first = rng_below(r, np);
		left = np - first;
		n = 1 + rng_below(r, left < 1024 ? left : 1024);
	}
	wl_call_logged(yl, WL_MSYNC, s->fd, s->base + first * SPAGE,
		       n * SPAGE, first, n);
}

/* One sync call, timed and logged.  final: the call closing an iteration
 * (an fsync unless a negative control replaces every call); kind: the
 * call's kind (K_*), or -1 for a random one.  A negative control's call is
 * logged as an msync of the whole file: what the oracle is to expect of
 * it. */
static void do_sync(struct cf *s, struct ylog *yl, struct rng *r, bool final,
		    int kind)
{
	uint64_t u = final ? 0 : rng_below(r, 100);

	if (kind >= 0 && s->inj == INJ_NONE) {
		if (kind == K_FSYNC)
			wl_call_logged(yl, WL_FSYNC, s->fd, NULL, 0, 0, 0);
		else if (kind == K_FDATASYNC)
			wl_call_logged(yl, WL_FDATASYNC, s->fd, NULL, 0, 0, 0);
		else if (kind == K_MSYNC)
			wl_call_logged(yl, WL_MSYNC, s->fd, s->base, s->size, 0, 0);
		else
			range_sync(s, yl, r, kind);
		return;
	}
	if (s->inj == INJ_PARTIAL_SYNC) {
		wl_call_logged(yl, WL_MSYNC, s->fd, s->base, s->size / 2, 0, 0);
	} else if (s->inj == INJ_ASYNC) {
		wl_call_logged(yl, WL_MSYNC_ASYNC, s->fd, s->base, s->size, 0, 0);
	} else if (u < 55) {
		wl_call_logged(yl, WL_FSYNC, s->fd, NULL, 0, 0, 0);
	} else if (u < 65) {
		wl_call_logged(yl, WL_FDATASYNC, s->fd, NULL, 0, 0, 0);
	} else if (u < 80) {
		wl_call_logged(yl, WL_MSYNC, s->fd, s->base, s->size, 0, 0);
	} else {
		static const int kinds[] = { -1, -1, -1, -1, -1, K_FROM_FIRST,
					     K_TO_LAST, K_ACROSS };

		range_sync(s, yl, r, kinds[rng_below(r, 8)]);
	}
}

static void syncer_main(struct sc_thread *t)
{
	struct cf *s = t->shared;
	struct rng r;

	int first = (int)((t->id + s->c->iter) % K_N);

	sc_rng(s->c, &r, 200 + t->id);
	pthread_barrier_wait(&s->start);
	for (;;) {
		if (ylog_full(&t->yl))
			__atomic_store_n(&s->stop, 1, __ATOMIC_RELAXED);
		if (pthread_barrier_wait(&s->cyc1) ==
		    PTHREAD_BARRIER_SERIAL_THREAD) {
			s->cyc_stop = __atomic_load_n(&s->stop, __ATOMIC_RELAXED);
			s->cyc_together = rng_below(&s->cyc_rng, 4) != 0;
			s->cycles++;
			s->together += s->cyc_together;
		}
		pthread_barrier_wait(&s->cyc2);
		if (s->cyc_stop)
			break;
		if (s->cyc_together)
			wl_spin_ns(rng_below(&r, TOGETHER_NS));
		else
			wl_sleep_ns(rng_below(&r, SPREAD_NS));
		do_sync(s, &t->yl, &r, false, first);
		first = -1;
	}
}

/* The main thread: the round. */
static void race_main(struct sc_thread *t)
{
	struct cf *s = t->shared;

	sc_race(s->c, &s->stop);
}

enum { R_WRITER, R_SYNCER, R_MAIN };

static int cmp_ts(const void *a, const void *b)
{
	const struct sync_rec *x = a, *y = b;

	return x->ts < y->ts ? -1 : x->ts > y->ts;
}

/* Calls that began while another call was running. */
static uint64_t overlapping(struct ylog *const *yl, size_t nyl)
{
	size_t n = 0, k = 0;
	struct sync_rec *v;
	uint64_t maxte = 0, cnt = 0;

	for (size_t i = 0; i < nyl; i++)
		n += yl[i]->n;
	v = malloc((n + 1) * sizeof(*v));
	if (!v)
		return 0;
	for (size_t i = 0; i < nyl; i++)
		for (size_t j = 0; j < yl[i]->n; j++)
			v[k++] = yl[i]->v[j];
	qsort(v, n, sizeof(*v), cmp_ts);
	for (size_t i = 0; i < n; i++) {
		if (i && v[i].ts < maxte)
			cnt++;
		if (v[i].te > maxte)
			maxte = v[i].te;
	}
	free(v);
	return cnt;
}

/* Its own options. */
enum { OPT_SYNCERS };

static const struct sc_option options[] = {
	[OPT_SYNCERS] = { "syncers", "N", "sync threads", 1, 64, 3 },
};

/* What lasts across iterations. */
struct cf_state {
	size_t wcap;			/* stores per writer log */
	uint64_t cycles, together, overl, it_pmd, it_pte;
	struct crew_role roles[3];	/* the crew of every iteration */
};

static enum sverdict prepare(struct sctx *c)
{
	struct cf_state *st = c->state;

	st->wcap = WLOG_CAP;
	if (c->cfg->npages / c->cfg->writers + 65536 > st->wcap)
		st->wcap = c->cfg->npages / c->cfg->writers + 65536;
	st->roles[R_WRITER] = (struct crew_role){ "writer", CREW_WRITERS, 0,
		writer_main, st->wcap, 0, 0 };
	st->roles[R_SYNCER] = (struct crew_role){ "syncer", CREW_OPTION, OPT_SYNCERS,
		syncer_main, 0, YLOG_CAP, 0 };
	/* the final call */
	st->roles[R_MAIN] = (struct crew_role){ "main", CREW_MAIN, 0,
		race_main, 0, 4, 0 };
	return SV_PASS;
}

static enum sverdict begin(struct sctx *c, struct sc_iter *it)
{
	struct cf_state *st = c->state;
	struct cf *s = it->priv;
	unsigned nw = c->cfg->writers, nk = sc_opt(c, OPT_SYNCERS);
	enum page_mode mode = sc_page_mode(c);

	if (sc_file_create_size(c, &s->f, sc_iter_size(c)))
		return SV_FAIL;
	if (sc_map(c, &s->m, &s->f, mode)) {
		daxfile_remove(&s->f);
		return SV_FAIL;
	}
	mode == PAGE_PMD ? st->it_pmd++ : st->it_pte++;
	s->c = c;
	s->base = s->m.addr;
	s->size = s->f.size;
	s->npages = s->f.size / SPAGE;
	s->fd = s->f.fd;
	s->inj = c->cfg->inject;
	sc_rng(c, &s->cyc_rng, 300);
	pthread_barrier_init(&s->start, NULL, nw + nk);
	pthread_barrier_init(&s->cyc1, NULL, nk);
	pthread_barrier_init(&s->cyc2, NULL, nk);
	it->keep = EVBIT(EV_WRITEBACK_ONE) |
		   (c->cfg->dump_dir ? EVBIT(EV_PMD_FAULT_DONE) |
		    EVBIT(EV_PTE_FAULT_DONE) |
		    EVBIT(EV_WRITEBACK_RANGE) |
		    EVBIT(EV_WRITEBACK_RANGE_DONE) : 0);
	sc_iter_crew(it, st->roles, 3, s);
	return SV_PASS;
}

/* The final call; the crew's logs are the records: the writers' stores;
 * the syncers' calls, the final one. */
static enum sverdict end(struct sctx *c, struct sc_iter *it, struct crew *cr,
			 struct sc_records *rec)
{
	struct cf_state *st = c->state;
	struct cf *s = it->priv;
	struct rng r;

	(void)rec;
	sc_rng(c, &r, 400);
	do_sync(s, &crew_thread(cr, R_MAIN, 0)->yl, &r, true, -1);
	st->cycles += s->cycles;
	st->together += s->together;
	st->overl += overlapping(cr->yl, cr->nyl);
	return SV_PASS;
}

static void teardown(struct sc_iter *it)
{
	struct cf *s = it->priv;

	pthread_barrier_destroy(&s->start);
	pthread_barrier_destroy(&s->cyc1);
	pthread_barrier_destroy(&s->cyc2);
	mapping_unmap(&s->m);
	daxfile_remove(&s->f);
}

static void finish(struct sctx *c)
{
	struct cf_state *st = c->state;
	json_object *info = sc_info(c);

	jadd_u64(info, "iterations_pmd", st->it_pmd);
	jadd_u64(info, "iterations_pte", st->it_pte);
	jadd_u64(info, "sync_cycles", st->cycles);
	jadd_u64(info, "sync_cycles_together", st->together);
	jadd_u64(info, "syncs_started_during_another", st->overl);
	sc_diag(c, "%" PRIu64 " sync cycles (%" PRIu64 " started together), %"
		PRIu64 " calls began while another was running", st->cycles,
		st->together, st->overl);
}

static const struct scenario concurrent_fsync = {
	.name = "concurrent-fsync",
	.desc = "writers store to random pages while sync threads call fsync/"
		"fdatasync/msync together; every call must flush every page "
		"stored before it began",
	.order = 10,
	.needs_dax = true,
	.injects = SC_INJ(INJ_PARTIAL_SYNC) | SC_INJ(INJ_ASYNC),
	.options = options,
	.noptions = 1,
	.defaults = { .size = SC_SCALE_SIZE, .iterations = 4 },
	.state_size = sizeof(struct cf_state),
	.prepare = prepare,
	.iter_size = sizeof(struct cf),
	.begin = begin,
	.end = end,
	.teardown = teardown,
	.finish = finish,
};
SCENARIO(concurrent_fsync);
