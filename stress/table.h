/* SPDX-License-Identifier: GPL-2.0 */
/*
 * daxstress: the table of the scenarios, as their files registered them
 * (table.c).
 */
#ifndef STRESS_TABLE_H
#define STRESS_TABLE_H

#include "scenario.h"

#define TABLE_MAX 32			/* scenarios at most */

/* Every scenario registered (SCENARIO()), in their order; *n of them. */
const struct scenario *const *scenario_table(size_t *n);
/* Their names, then "all", then NULL (for opt_choice). */
const char *const *scenario_names(void);
/* Whether the negative control k applies to sc: its own (.injects), or
 * the driver's (kmsg-warning: every scenario; unflushed: the DAX ones). */
bool scenario_injects(const struct scenario *sc, enum inject_kind k);

#endif
