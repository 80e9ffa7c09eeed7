/* SPDX-License-Identifier: GPL-2.0 */
/*
 * daxstress: a scenario's run (run.c): its configuration from the command
 * line and its defaults, its ops over the iteration budget.
 */
#ifndef STRESS_RUN_H
#define STRESS_RUN_H

#include "check.h"
#include "options.h"

/* One scenario's run: what its ops see, its configuration and result, its
 * budget, what its checks keep. */
struct sc_run {
	struct sctx c;
	struct sc_conf cfg;
	struct sc_result res;
	const struct stress_params *p;
	unsigned max_iter;		/* 0: none (deadline) */
	unsigned started;		/* iterations begun */
	struct checker checker;		/* its checks' */
};

/* The run of sc with p, by the budget per (ns, 0: by iterations): its
 * configuration, result and context, before run_scenario. */
void run_init(struct sc_run *run, const struct scenario *sc,
	      const struct stress_params *p, uint64_t per);
/* The scenario's ops over the budget (struct scenario); the verdict. */
enum sverdict run_scenario(struct sc_run *run);

#endif
