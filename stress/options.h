/* SPDX-License-Identifier: GPL-2.0 */
/*
 * daxstress: the command line (options.c): the driver's options and the
 * scenarios' own, the selection, the reproduction line.
 */
#ifndef STRESS_OPTIONS_H
#define STRESS_OPTIONS_H

#include "opts.h"
#include "table.h"

/* An option of the scenarios' own (struct sc_option), once for every
 * scenario declaring its name: the first declaration, and its value. */
struct own_option {
	const struct sc_option *o;
	bool set;
	unsigned value;
	char example[24];		/* --list-options */
};
#define OWN_OPTIONS_MAX 16

struct stress_params {
	struct common_opts opt;		/* --dir, --seed, --output,
					 * --trace-buffer, --allow-lost-events */
	uint64_t duration_ns;		/* whole run, 0: by iterations */
	unsigned iterations;		/* 0: scenario default or duration */
	uint64_t size;			/* file size, 0: scenario default */
	unsigned writers;		/* 0: scenario default */
	uint64_t round_ns;		/* racing time per iteration */
	enum page_sel page;
	enum inject_kind inject;
	unsigned max_report;		/* violations printed per scenario */
	const char *dump_dir;		/* raw streams of a failing iteration */
	bool size_set, writers_set, round_set, page_set;
	struct own_option own[OWN_OPTIONS_MAX];
	size_t nown;
};

struct selection {
	const struct scenario *v[TABLE_MAX];
	size_t n;
};

/* The command line into p and sel (the scenarios to run, in order); dies
 * with status 2 on bad input, exits 0 after --help, --list, --version. */
void parse(int argc, char **argv, struct stress_params *p,
	   struct selection *sel);
/* The JSON "params" of the run. */
json_object *params_json(const struct stress_params *p);
/* The value of sc's option k: the command line's, or sc's default. */
unsigned own_value(const struct stress_params *p, const struct scenario *sc,
		   size_t k);
/* The command line's value of the option name, for a scenario that does not
 * declare it: given, or dflt. */
unsigned own_given(const struct stress_params *p, const char *name,
		   unsigned dflt);

/* The command line that reproduces a failure of sc (--iterations
 * iterations; the options given that apply to it). */
void repro_line(char *out, size_t len, const char *prog,
		const struct stress_params *p, const struct scenario *sc,
		int iterations);

#endif
