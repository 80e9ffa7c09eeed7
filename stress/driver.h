/* SPDX-License-Identifier: GPL-2.0 */
/*
 * daxstress: what only the driver (stress/driver.c) needs: its parameters,
 * the names of its choices, and the scenarios it runs.
 */
#ifndef STRESS_DRIVER_H
#define STRESS_DRIVER_H

#include "opts.h"
#include "scenario.h"

extern const char *const inject_names[];	/* NULL-terminated */
extern const char *const page_sel_names[];	/* NULL-terminated */

struct stress_params {
	struct common_opts opt;		/* --dir, --seed, --output,
					 * --trace-buffer, --allow-lost-events */
	uint64_t duration_ns;		/* whole run, 0: by iterations */
	unsigned iterations;		/* 0: scenario default or duration */
	uint64_t size;			/* file size, 0: scenario default */
	unsigned writers, syncers;	/* 0: scenario default */
	uint64_t round_ns;		/* racing time per iteration */
	enum page_sel page;
	enum inject_kind inject;
	unsigned max_report;		/* violations printed per scenario */
	const char *dump_dir;		/* raw streams of a failing iteration */
	bool size_set, writers_set, syncers_set, round_set, page_set;
};

extern const struct scenario scenario_concurrent_fsync;
extern const struct scenario scenario_pte_then_pmd;
extern const struct scenario scenario_rewrite_after_flush;
extern const struct scenario scenario_truncate_punch;
extern const struct scenario scenario_layout;
extern const struct scenario scenario_page_cache;

#endif
