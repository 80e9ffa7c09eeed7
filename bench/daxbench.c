// SPDX-License-Identifier: GPL-2.0
/* daxbench: one binary, a table of subcommands (as perf bench and git). */
#include <stdio.h>
#include <string.h>

#include "builtin.h"
#include "opts.h"
#include "results.h"
#include "trace.h"

struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
};

static const struct cmd commands[] = {
	{ "fault", cmd_fault,
	  "first-touch faults, fsync, partial rewrite, fsync, idle fsync" },
	{ "env", cmd_env, "print the environment capture of a directory" },
	{ "flush", cmd_flush, "libpmem flush primitives: GB/s and latency per call" },
	{ "sync", cmd_sync, "writers and syncers on one file: sync latency, flush volume, amplification" },
	{ "compare", cmd_compare, "compare two result directories (A/B): changes, intervals, counts" },
	{ "punch", cmd_punch, "small punches in a large dirty file: bytes flushed, op and next fsync latency" },
	{ NULL, NULL, NULL },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: daxbench COMMAND [OPTIONS]   (daxbench COMMAND --help)\n\ncommands:\n");
	for (const struct cmd *c = commands; c->name; c++)
		fprintf(f, "  %-8s %s\n", c->name, c->help);
}

int main(int argc, char **argv)
{
	opt_set_progname("daxbench");
	if (argc < 2) {
		usage(stderr);
		return OPT_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("daxbench %s\n", DAXBENCH_VERSION);
		return 0;
	}
	/* what a daxbench or daxstress killed by SIGKILL left */
	dax_trace_remove_stale();
	for (const struct cmd *c = commands; c->name; c++) {
		if (!strcmp(argv[1], c->name)) {
			static char prog[64];

			snprintf(prog, sizeof(prog), "daxbench %s", c->name);
			opt_set_progname(prog);
			return c->fn(argc - 1, argv + 1);
		}
	}
	fprintf(stderr, "daxbench: unknown command '%s' (see daxbench --help)\n",
		argv[1]);
	return OPT_EXIT_USAGE;
}
