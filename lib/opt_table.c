// SPDX-License-Identifier: GPL-2.0
/*
 * A command's option table (struct opt_def, opts.h): getopt_long over it,
 * and the hidden --list-options that prints it for the tests that derive
 * bad input from every option a command has.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opts.h"

#define OPT_LIST_OPTIONS 0x1ff

/* getopt_long's table for defs, with --list-options; built once per table
 * (a command parses its options once). */
static const struct option *long_table(const struct opt_def *defs)
{
	static const struct opt_def *built_for;
	static struct option *lo;
	size_t n = 0;

	if (built_for == defs && lo)
		return lo;
	while (defs[n].lo.name)
		n++;
	free(lo);
	lo = calloc(n + 2, sizeof(*lo));
	if (!lo)
		opt_die(NULL, "out of memory");
	for (size_t i = 0; i < n; i++)
		lo[i] = defs[i].lo;
	lo[n] = (struct option){ "list-options", no_argument, NULL, OPT_LIST_OPTIONS };
	built_for = defs;
	return lo;
}

static void list_options(const struct opt_def *defs)
{
	for (const struct opt_def *d = defs; d->lo.name; d++)
		printf("--%s\t%s\t%s\n", d->lo.name, d->cls ? d->cls : "?",
		       d->example ? d->example : "-");
	exit(0);
}

/* "--NAME=VALUE" where NAME is a flag of defs: that flag. */
static const struct opt_def *flag_given_value(const struct opt_def *defs,
					      const char *arg)
{
	const char *eq = strchr(arg, '=');

	if (strncmp(arg, "--", 2) || !eq)
		return NULL;
	for (const struct opt_def *d = defs; d->lo.name; d++)
		if (d->lo.has_arg == no_argument &&
		    strlen(d->lo.name) == (size_t)(eq - arg - 2) &&
		    !strncmp(arg + 2, d->lo.name, (size_t)(eq - arg - 2)))
			return d;
	return NULL;
}

int opt_getopt(int argc, char **argv, const struct opt_def *defs)
{
	const struct option *lo = long_table(defs);
	int c;

	opterr = 0;
	c = getopt_long(argc, argv, ":", lo, NULL);
	if (c == OPT_LIST_OPTIONS)
		list_options(defs);
	if (c == '?' && optind > 0 && optind <= argc) {
		const struct opt_def *d = flag_given_value(defs, argv[optind - 1]);

		if (d) {
			char name[80];

			snprintf(name, sizeof(name), "--%s", d->lo.name);
			opt_die(name, "takes no value ('%s')", argv[optind - 1]);
		}
	}
	return c;
}
