// SPDX-License-Identifier: GPL-2.0
/* daxstress: what a scenario's iterations share: the time left, seeds,
 * the page mode (and the names of --page and --inject), the file under
 * test; see scenario.h. */
#include <stdio.h>
#include <unistd.h>

#include "scenario.h"

/* Time left before the deadline (UINT64_MAX without one). */
static uint64_t time_left(const struct sctx *c)
{
	uint64_t t = now_ns();

	if (!c->deadline)
		return UINT64_MAX;
	return c->deadline > t ? c->deadline - t : 0;
}

uint64_t sc_race_end(const struct sctx *c, uint64_t race, uint64_t min)
{
	uint64_t left = time_left(c);

	return now_ns() + (race < left ? race : left > min ? left : min);
}

void sc_race(const struct sctx *c, int *stop)
{
	uint64_t end = sc_race_end(c, c->cfg->round_ns, 100000000ull);

	while (now_ns() < end && !__atomic_load_n(stop, __ATOMIC_RELAXED))
		wl_sleep_ns(5000000);
	__atomic_store_n(stop, 1, __ATOMIC_RELAXED);
}

const char *const inject_names[] = { "none", "partial-sync", "async",
				     "kmsg-warning", "unflushed", NULL };
const char *const page_sel_names[] = { "mixed", "pmd", "pte", NULL };

enum page_mode sc_page_mode(const struct sctx *c)
{
	switch (c->cfg->page) {
	case PS_PMD:
		return PAGE_PMD;
	case PS_PTE:
		return PAGE_PTE;
	default:
		return c->iter % 2 ? PAGE_PTE : PAGE_PMD;
	}
}

const char *sc_mode_name(enum page_mode m)
{
	return page_mode_names[m];
}

void sc_rng(const struct sctx *c, struct rng *r, uint64_t salt)
{
	r->s = c->cfg->seed ^ ((uint64_t)c->iter * 0xd1342543de82ef95ull) ^
	       (salt * 0x9e3779b97f4a7c15ull);
	rng_next(r);
	r->s ^= rng_next(r);
}

/* ---- the file ---- */
uint64_t sc_iter_size(const struct sctx *c)
{
	/* mixed: PMD and PTE alternate, so PMD full, PTE cut, PMD cut, PTE
	 * full, ... */
	unsigned k = c->cfg->page == PS_MIXED ? c->iter / 2 + c->iter : c->iter;

	/* the negative controls name exact pages of --size */
	if (c->cfg->inject != INJ_NONE && c->cfg->inject != INJ_KMSG_WARNING)
		return c->cfg->size;
	if (k % 2 && c->cfg->size >= 4 * SPMD_BYTES)
		return c->cfg->size - SPMD_BYTES + 5 * SPAGE;
	return c->cfg->size;
}

int sc_file_create(struct sctx *c, struct daxfile *f)
{
	return sc_file_create_size(c, f, c->cfg->size);
}

int sc_file_create_size(struct sctx *c, struct daxfile *f, uint64_t size)
{
	char name[128], err[512];

	snprintf(name, sizeof(name), ".daxstress-%s-%d", c->sc->name,
		 (int)getpid());
	if (size > c->cfg->size)
		size = c->cfg->size;
	if (daxfile_create(f, c->cfg->dir, name, size, err, sizeof(err))) {
		sc_fail(c, "%s", err);
		return -1;
	}
	unlink(f->path);	/* gone on every exit path, even a signal */
	if (c->tr) {
		struct trace_vec tv = { 0 };

		dax_trace_filter_file(c->tr, f->st_dev, f->ino);
		dax_trace_drain(c->tr, &tv);	/* discard setup events */
		trace_vec_free(&tv);
	}
	return 0;
}

int sc_map(struct sctx *c, struct mapping *m, const struct daxfile *f,
	   enum page_mode mode)
{
	char err[512];

	if (mapping_map(m, f, 0, f->size, mode, false, err, sizeof(err))) {
		sc_fail(c, "%s", err);
		return -1;
	}
	return 0;
}
