// SPDX-License-Identifier: GPL-2.0
/* daxstress: the table of the scenarios, as their files registered them
 * (SCENARIO(), scenario.h), in their order. */
#include <stdio.h>
#include <stdlib.h>

#include "table.h"

/* The section's bounds, from the linker (every scenario_*.o has one entry
 * or more). */
extern const struct scenario *const __start_daxstress_scenarios[];
extern const struct scenario *const __stop_daxstress_scenarios[];

static const struct scenario *table[TABLE_MAX];
static const char *names[TABLE_MAX + 2];
static size_t ntable;

static int by_order(const void *a, const void *b)
{
	const struct scenario *x = *(const struct scenario *const *)a;
	const struct scenario *y = *(const struct scenario *const *)b;

	return x->order < y->order ? -1 : x->order > y->order;
}

static void build(void)
{
	if (ntable)
		return;
	for (const struct scenario *const *s = __start_daxstress_scenarios;
	     s < __stop_daxstress_scenarios; s++) {
		if (ntable == TABLE_MAX) {
			fprintf(stderr, "daxstress: more than %d scenarios\n",
				TABLE_MAX);
			abort();
		}
		table[ntable++] = *s;
	}
	qsort(table, ntable, sizeof(table[0]), by_order);
	for (size_t i = 0; i < ntable; i++)
		names[i] = table[i]->name;
	names[ntable] = "all";
	names[ntable + 1] = NULL;
}

const struct scenario *const *scenario_table(size_t *n)
{
	build();
	*n = ntable;
	return table;
}

const char *const *scenario_names(void)
{
	build();
	return names;
}

bool scenario_injects(const struct scenario *sc, enum inject_kind k)
{
	return k == INJ_KMSG_WARNING || (k == INJ_UNFLUSHED && sc->needs_dax) ||
	       (k != INJ_NONE && (sc->injects & SC_INJ(k)));
}
