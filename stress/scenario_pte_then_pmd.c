// SPDX-License-Identifier: GPL-2.0
/*
 * pte-then-pmd: one file mapped twice, through a 4 KiB (PTE) mapping and a
 * 2 MiB-aligned (PMD) one, used by two threads.  Pages dirtied through the
 * PTE mapping and then faulted through the PMD mapping must still be
 * flushed by the next fsync: a kernel that replaces the dirty PTE entries
 * by a clean PMD entry (the tag-transfer bug of the v8 review) loses them.
 *
 * Each 2 MiB region of the file gets one of four histories:
 *   A  PTE stores, then every page read through the PMD mapping;
 *   B  as A, then stores through the PMD mapping;
 *   C  PMD stores first (a PMD entry), then PTE stores to other pages;
 *   D  a PMD read first (a zero or clean PMD entry), then PTE stores.
 * The phases (PTE thread / PMD thread):
 *   1  stores in A and B            / stores in C, one read in D
 *   2  stores in C and D            / reads of every page of A and B
 *   3  -                            / stores in B
 *   4  fsync (main thread)
 *   5  for --round / 4: both threads store at random through their own
 *      mapping while the main thread calls fsync and msync; a final fsync.
 * The oracle checks every call (A is the one that fails on a kernel with
 * the bug; B, C, D check the other transitions).
 *
 * At the kernel's scale: the file is 40 MiB by default (SC_SCALE_SIZE, 20
 * regions), in the second and third of every four iterations 2 MiB less 5
 * pages (sc_iter_size: the 5 pages after the last whole region belong to
 * no class, the race stores to them); 3 iterations by default; in every
 * other iteration phase 1
 * stores every page of A and B (dense), so that the fsync of phase 4 walks
 * more than an XA_CHECK_SCHED batch of PTE entries with the PMD entries of
 * C among them (else a quarter of their pages).
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "scenario.h"

enum { CL_A, CL_B, CL_C, CL_D };
enum { PH_1 = 1, PH_2, PH_3, PH_RACE, PH_END };

struct pp {
	struct sctx *c;
	char *pte, *pmd;		/* the two mappings */
	uint64_t npages, nreg;
	uint8_t *cls;			/* class per region */
	int fd;
	uint64_t size;
	bool dense;			/* phase 1 stores every page of A, B */
	struct rng r;			/* the classes, then the main thread's */
	pthread_barrier_t b;
	int phase;
	int stop;			/* __atomic, PH_RACE */
	/* the iteration's, for its end */
	struct mapping mpte, mpmd;
	struct daxfile f;
};

/* Per thread (the crew's priv). */
struct pp_thread {
	struct pp *s;
	bool is_pmd;
	struct slog *sl;		/* the crew's */
	struct rng r;
	uint64_t seq;
	uint64_t sink;			/* what the loads read */
};

static void store_some(struct pp_thread *t, char *base, uint64_t g,
		       unsigned one_in)
{
	uint64_t a = g * SPMD_PAGES, b = a + SPMD_PAGES, any = 0;

	if (b > t->s->npages)
		b = t->s->npages;
	for (uint64_t p = a; p < b; p++)
		if (rng_below(&t->r, one_in) == 0) {
			wl_store_logged(t->sl, base, p, t->is_pmd, ++t->seq);
			any++;
		}
	if (!any)
		wl_store_logged(t->sl, base, a + rng_below(&t->r, b - a), t->is_pmd,
			 ++t->seq);
}

static void read_all(struct pp_thread *t, const char *base, uint64_t g)
{
	uint64_t a = g * SPMD_PAGES, b = a + SPMD_PAGES, x = 0;

	if (b > t->s->npages)
		b = t->s->npages;
	for (uint64_t p = a; p < b; p++)
		x += wl_load(base, p * SPAGE);
	t->sink += x;
}

static void phase(struct pp_thread *t, int ph)
{
	struct pp *s = t->s;

	for (uint64_t g = 0; g < s->nreg; g++) {
		int cl = s->cls[g];

		if (!t->is_pmd) {
			if (ph == PH_1 && (cl == CL_A || cl == CL_B))
				store_some(t, s->pte, g, s->dense ? 1 : 4);
			else if (ph == PH_2 && (cl == CL_C || cl == CL_D))
				store_some(t, s->pte, g, 8);
		} else {
			if (ph == PH_1 && cl == CL_C)
				store_some(t, s->pmd, g, 4);
			else if (ph == PH_1 && cl == CL_D)
				t->sink += wl_load(s->pmd, (g * SPMD_PAGES +
					rng_below(&t->r, SPMD_PAGES)) * SPAGE);
			else if (ph == PH_2 && (cl == CL_A || cl == CL_B))
				read_all(t, s->pmd, g);
			else if (ph == PH_3 && cl == CL_B)
				store_some(t, s->pmd, g, 8);
		}
	}
	if (ph == PH_RACE) {
		char *base = t->is_pmd ? s->pmd : s->pte;

		while (!__atomic_load_n(&s->stop, __ATOMIC_RELAXED) &&
		       !slog_full(t->sl)) {
			uint64_t p = rng_below(&t->r, s->npages);

			if (rng_below(&t->r, 4) == 0)
				t->sink += wl_load(base, p * SPAGE);
			else
				wl_store_logged(t->sl, base, p, t->is_pmd, ++t->seq);
		}
	}
}

static void thread_main(struct sc_thread *ct)
{
	struct pp_thread *t = ct->priv;

	for (;;) {
		int ph;

		pthread_barrier_wait(&t->s->b);
		ph = t->s->phase;
		if (ph == PH_END)
			break;
		phase(t, ph);
		pthread_barrier_wait(&t->s->b);
	}
}

static void run_phase(struct pp *s, int ph)
{
	s->phase = ph;
	pthread_barrier_wait(&s->b);	/* go */
	if (ph != PH_END)
		pthread_barrier_wait(&s->b);	/* done */
}

/* The main thread: the phases, the race, a final fsync. */
static void race_main(struct sc_thread *ct)
{
	struct pp *s = ct->shared;
	struct sctx *c = ct->c;
	struct ylog *yl = &ct->yl;
	uint64_t end;

	run_phase(s, PH_1);
	run_phase(s, PH_2);
	run_phase(s, PH_3);
	wl_fsync_logged(yl, s->fd);

	/* the race: random stores through both, fsync and msync */
	s->phase = PH_RACE;
	pthread_barrier_wait(&s->b);
	end = sc_race_end(c, c->cfg->round_ns / 4, 50000000ull);
	while (now_ns() < end && !ylog_full(yl)) {
		uint64_t u = rng_below(&s->r, 3);

		wl_sleep_ns(rng_below(&s->r, 3000000));
		if (u == 0)
			wl_fsync_logged(yl, s->fd);
		else
			wl_call_logged(yl, WL_MSYNC, s->fd,
				       u == 1 ? s->pte : s->pmd, s->size,
				       0, 0);
	}
	__atomic_store_n(&s->stop, 1, __ATOMIC_RELAXED);
	pthread_barrier_wait(&s->b);
	wl_fsync_logged(yl, s->fd);
	run_phase(s, PH_END);
}

enum { R_MAPPER, R_MAIN };

/* What lasts across iterations. */
struct pp_state {
	uint64_t nreg;			/* 2 MiB regions */
	uint64_t ncls[4];		/* regions by class, every iteration */
	struct crew_role roles[2];	/* the crew of every iteration */
};

static enum sverdict prepare(struct sctx *c)
{
	struct pp_state *st = c->state;

	st->nreg = c->cfg->npages / SPMD_PAGES;
	if (st->nreg < 4)
		return sc_skip(c, "needs --size of at least 8M (four 2 MiB regions)");
	/* two threads: 0 stores through the PTE mapping, 1 the PMD one */
	st->roles[R_MAPPER] = (struct crew_role){ "mapper", CREW_FIXED, 2,
		thread_main, c->cfg->npages + (1u << 19), 0,
		sizeof(struct pp_thread) };
	st->roles[R_MAIN] = (struct crew_role){ "main", CREW_MAIN, 0,
		race_main, 0, 1 << 16, 0 };
	return SV_PASS;
}

static enum sverdict begin(struct sctx *c, struct sc_iter *it)
{
	struct pp_state *st = c->state;
	uint64_t nreg, *ncls = st->ncls;
	struct pp *s = it->priv;

	s->c = c;
	s->npages = sc_iter_size(c) / SPAGE;
	s->nreg = nreg = s->npages / SPMD_PAGES < 4 ? st->nreg : s->npages / SPMD_PAGES;
	s->dense = c->iter % 2;
	s->cls = calloc(nreg, 1);
	if (!s->cls || sc_file_create_size(c, &s->f, s->npages * SPAGE)) {
		sc_fail(c, "setup failed");
		return SV_FAIL;
	}
	if (sc_map(c, &s->mpte, &s->f, PAGE_PTE)) {
		daxfile_remove(&s->f);
		return SV_FAIL;
	}
	if (sc_map(c, &s->mpmd, &s->f, PAGE_PMD)) {
		mapping_unmap(&s->mpte);
		daxfile_remove(&s->f);
		return SV_FAIL;
	}
	s->pte = s->mpte.addr;
	s->pmd = s->mpmd.addr;
	s->fd = s->f.fd;
	s->size = s->f.size;
	s->npages = s->f.size / SPAGE;
	/* every class at least once, the rest at random, shuffled */
	sc_rng(c, &s->r, 1);
	for (uint64_t g = 0; g < nreg; g++)
		s->cls[g] = g < 4 ? (uint8_t)g : (uint8_t)rng_below(&s->r, 4);
	for (uint64_t g = nreg - 1; g > 0; g--) {
		uint64_t j = rng_below(&s->r, g + 1);
		uint8_t x = s->cls[g];

		s->cls[g] = s->cls[j];
		s->cls[j] = x;
	}
	for (uint64_t g = 0; g < nreg; g++)
		ncls[s->cls[g]]++;
	pthread_barrier_init(&s->b, NULL, 3);
	it->keep = EVBIT(EV_WRITEBACK_ONE);
	sc_iter_crew(it, st->roles, 2, s);
	return SV_PASS;
}

/* The mappers' own data. */
static enum sverdict ready(struct sctx *c, struct sc_iter *it,
			   struct crew *cr)
{
	struct pp *s = it->priv;

	for (unsigned i = 0; i < 2; i++) {
		struct sc_thread *ct = crew_thread(cr, R_MAPPER, i);
		struct pp_thread *t = ct->priv;

		*t = (struct pp_thread){ .s = s, .is_pmd = i == 1,
					 .sl = &ct->sl };
		sc_rng(c, &t->r, 10 + i);
	}
	return SV_PASS;
}

static void teardown(struct sc_iter *it)
{
	struct pp *s = it->priv;

	pthread_barrier_destroy(&s->b);
	mapping_unmap(&s->mpmd);
	mapping_unmap(&s->mpte);
	daxfile_remove(&s->f);
	free(s->cls);
}

static void finish(struct sctx *c)
{
	const uint64_t *ncls = ((struct pp_state *)c->state)->ncls;
	const struct dax_counts *n = sc_counts(c);
	json_object *j = json_object_new_object();
	int err = 0;

	err |= jadd_u64(j, "A_pte_store_pmd_read", ncls[CL_A]);
	err |= jadd_u64(j, "B_pte_store_pmd_read_pmd_store", ncls[CL_B]);
	err |= jadd_u64(j, "C_pmd_store_pte_store", ncls[CL_C]);
	err |= jadd_u64(j, "D_pmd_read_pte_store", ncls[CL_D]);
	jadd(sc_info(c), "regions_by_history", jdone(j, err));
	sc_diag(c, "PMD faults: %" PRIu64 " NOPAGE, %" PRIu64 " FALLBACK; PTE "
		"faults %" PRIu64 "; writebacks %" PRIu64 " PMD + %" PRIu64 " PTE",
		n->pmd_nopage, n->pmd_fallback, n->pte_nopage, n->wb_entries_pmd,
		n->wb_entries_pte);
}

static const struct scenario pte_then_pmd = {
	.name = "pte-then-pmd",
	.desc = "pages dirtied through a 4 KiB mapping, then faulted through a "
		"2 MiB mapping by another thread, are still flushed by fsync",
	.order = 20,
	.needs_dax = true,
	.defaults = { .size = SC_SCALE_SIZE, .iterations = 3 },
	.state_size = sizeof(struct pp_state),
	.prepare = prepare,
	.iter_size = sizeof(struct pp),
	.begin = begin,
	.ready = ready,
	.teardown = teardown,
	.finish = finish,
};
SCENARIO(pte_then_pmd);
