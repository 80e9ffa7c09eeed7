// SPDX-License-Identifier: GPL-2.0
/* daxstress: a scenario's run (struct sc_run, run.h): its configuration
 * from the command line and its defaults, and its ops (scenario.h) over the
 * iteration budget: each iteration's rounds, their crew, collector and
 * check. */
#include <stdlib.h>
#include <string.h>

#include "run.h"
#include "test_stop.h"

/* The defaults a scenario's own (struct scenario_defaults) override. */
static const struct scenario_defaults driver_defaults = {
	.size = 16ull << 20, .writers = 2, .iterations = 4,
};

static uint64_t or_default(uint64_t own, uint64_t dflt)
{
	return own ? own : dflt;
}

void run_init(struct sc_run *run, const struct scenario *sc,
	      const struct stress_params *p, uint64_t per)
{
	struct sc_conf *cfg = &run->cfg;
	struct sc_result *r = &run->res;

	memset(run, 0, sizeof(*run));
	run->p = p;
	run->checker = (struct checker){ .max_report = p->max_report,
		.dump_dir = p->dump_dir, .allow_lost = p->opt.allow_lost,
		.trace_kb = p->opt.trace_kb };
	*cfg = (struct sc_conf){ .dir = p->opt.dir, .seed = p->opt.seed,
		.round_ns = p->round_ns, .page = p->page, .inject = p->inject,
		.dump_dir = p->dump_dir };
	for (const char *q = sc->name; *q; q++)
		cfg->seed = (cfg->seed ^ (uint8_t)*q) * 0x100000001b3ull;
	cfg->size = p->size_set ? p->size : or_default(sc->defaults.size,
						       driver_defaults.size);
	cfg->npages = cfg->size / SPAGE;
	cfg->writers = p->writers_set ? p->writers : (unsigned)or_default(
		sc->defaults.writers, driver_defaults.writers);
	for (size_t k = 0; k < sc->noptions; k++)
		cfg->opt[k] = own_value(p, sc, k);

	result_init(r, sc);
	r->seed = cfg->seed;
	r->size = cfg->size;
	r->npages = cfg->npages;
	r->writers = cfg->writers;
	r->round_ns = cfg->round_ns;
	r->page = cfg->page;
	r->inject = cfg->inject;
	/* "syncers", in every scenario's JSON as before it became the own
	 * option of the scenarios with sync threads: theirs, else what the
	 * command line said, else 1 */
	r->syncers = own_given(p, "syncers", 1);
	for (size_t k = 0; k < sc->noptions; k++)
		if (!strcmp(sc->options[k].name, "syncers"))
			r->syncers = cfg->opt[k];
	r->t_start = now_ns();

	run->c = (struct sctx){ .sc = sc, .cfg = cfg, .res = r };
	if (p->duration_ns) {
		run->c.deadline = r->t_start + per;
		run->max_iter = p->iterations;
	} else {
		run->max_iter = p->iterations ? p->iterations :
				(unsigned)or_default(sc->defaults.iterations,
						     driver_defaults.iterations);
	}
}

/* Advance to the next iteration; false when the budget (iterations or
 * deadline) is spent.  The first call always returns true. */
static bool next_iteration(struct sc_run *run)
{
	if (run->started) {
		if (run->max_iter && run->started >= run->max_iter)
			return false;
		if (run->c.deadline && now_ns() >= run->c.deadline)
			return false;
	}
	run->c.iter = run->started++;
	return true;
}

/* The crew run, the scenario's end, the check of its records (collector
 * co, NULL: none), the scenario's checked. */
static enum sverdict run_crew(struct sc_run *run, struct sc_iter *it,
			      struct crew *cr, struct collector *co)
{
	struct sctx *c = &run->c;
	struct sc_records rec = { .sl = cr->sl, .nsl = cr->nsl, .yl = cr->yl,
				  .nyl = cr->nyl,
				  .own = { .first_fail_ts = UINT64_MAX } };
	struct round_check rc;
	enum sverdict v;

	if (c->iter == 0 && it->round == 0)
		test_stop("running");
	crew_run(cr);
	v = c->sc->end ? c->sc->end(c, it, cr, &rec) : SV_PASS;
	if (v != SV_PASS)
		return v;
	check_round(c, &run->checker, co, &rec, &rc);
	if (c->sc->checked)
		v = c->sc->checked(c, it, cr, &rc.chk);
	check_release(&rc);
	return v;
}

/* One round: the scenario's begin; its crew allocated (then the scenario's
 * ready, when it has it), its collector started, the crew run, the end,
 * the check; the collector and the crew freed; the scenario's teardown.
 * *more: another round follows. */
static enum sverdict run_round(struct sc_run *run, unsigned round, bool *more)
{
	struct sctx *c = &run->c;
	const struct scenario *sc = c->sc;
	struct sc_iter it = { .round = round,
			      .priv = calloc(1, sc->iter_size ? sc->iter_size : 1) };
	struct collector co;
	enum sverdict v;
	struct crew cr;

	*more = false;
	if (!it.priv) {
		sc_fail(c, "out of memory");
		return SV_FAIL;
	}
	v = sc->begin(c, &it);
	if (v != SV_PASS) {
		free(it.priv);
		return v;
	}
	*more = it.more;
	if (crew_init(&cr, c, it.roles, it.nroles, it.shared)) {
		sc_fail(c, "out of memory for the threads and their logs");
		v = SV_FAIL;
	} else {
		if (sc->ready)
			v = sc->ready(c, &it, &cr);
		if (v == SV_PASS && it.keep &&
		    collector_start(&co, c->tr, it.keep,
				    run->cfg.inject == INJ_UNFLUSHED, !it.quick)) {
			sc_fail(c, "cannot start the trace collector");
			v = SV_FAIL;
		} else if (v == SV_PASS) {
			v = run_crew(run, &it, &cr, it.keep ? &co : NULL);
			if (it.keep)
				collector_free(&co);
		}
		crew_free(&cr);
	}
	if (sc->teardown)
		sc->teardown(&it);
	free(it.priv);
	return v;
}

enum sverdict run_scenario(struct sc_run *run)
{
	struct sctx *c = &run->c;
	const struct scenario *sc = c->sc;
	enum sverdict v = SV_PASS;

	c->state = calloc(1, sc->state_size ? sc->state_size : 1);
	if (!c->state) {
		sc_fail(c, "out of memory");
		return SV_FAIL;
	}
	if (sc->prepare)
		v = sc->prepare(c);
	if (v == SV_PASS) {
		while (v == SV_PASS && next_iteration(run)) {
			bool more = true;

			for (unsigned round = 0; v == SV_PASS && more; round++)
				v = run_round(run, round, &more);
			if (v == SV_PASS)
				run->res.iterations++;
		}
		if (v == SV_PASS && sc->finish)
			sc->finish(c);
		if (sc->cleanup)
			sc->cleanup(c);
	}
	free(c->state);
	c->state = NULL;
	if (v == SV_PASS && run->res.failed)
		v = SV_FAIL;
	return v;
}
