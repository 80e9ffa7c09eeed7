/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Command-line value parsing with units.  Every parser takes the option's
 * name (e.g. "--size") so that an error is one line naming it.  Bad input
 * never returns: the process prints "PROG: --opt: reason" on stderr and
 * exits with status 2 (OPT_EXIT_USAGE).
 */
#ifndef DAXBENCH_OPTS_H
#define DAXBENCH_OPTS_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "output_target.h"

#define OPT_EXIT_USAGE 2

/* Program name used as the prefix of every error line ("daxbench"). */
void opt_set_progname(const char *name);
const char *opt_progname(void);

/* Print "PROG: OPT: <formatted reason>\n" and exit(2).  opt may be NULL. */
void opt_die(const char *opt, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));

/* Sizes in bytes: "4096", "64K", "64k", "64KiB", "2M", "1G", "1T", "1P",
 * "1E" (binary multiples; every limit a message prints is in these).  Rejects empty, negative, trailing junk, overflow, and values
 * outside [min, max]. */
uint64_t opt_size(const char *opt, const char *arg, uint64_t min, uint64_t max);

/* Durations to nanoseconds: "10s", "500ms", "500us", "20ns", "2m", "1h";
 * a bare number is seconds.  Fractions allowed ("1.5s").  Range-checked. */
uint64_t opt_duration_ns(const char *opt, const char *arg, uint64_t min_ns,
			 uint64_t max_ns);

/* Unsigned integer in [min, max] (decimal, or 0x hex).  "-1" is rejected. */
uint64_t opt_uint(const char *opt, const char *arg, uint64_t min, uint64_t max);

/* A fraction in (0, 1]: "1/16", "0.0625", "1".  Returned as num/den with
 * den > 0; *den is a power of ten for decimal input. */
void opt_fraction(const char *opt, const char *arg, uint64_t *num,
		  uint64_t *den);

/* One of a NULL-terminated list of words; returns its index.  The error line
 * lists the choices. */
int opt_choice(const char *opt, const char *arg, const char *const *choices);

/*
 * A comma list, the one rule of every list option (daxbench sync --sync and
 * --cpus, flush --sizes, --threads, --methods and --cpus, daxstress
 * --scenario): one item or more, no empty item, no item twice.  The items
 * (in buf, a copy of arg of len bytes) in tok[0..return), at most max.
 * Dies naming opt on '' (an empty list), ',', 'a,', 'a,,b' (an empty item),
 * 'a,a' (an item named twice) and more than max items.
 */
unsigned opt_list(const char *opt, const char *arg, char *buf, size_t len,
		  char **tok, unsigned max);

/* An item the list holds twice by value, not by name ("64,64B", a range
 * over an item named before, "all" beside a name): the same message. */
void opt_list_twice(const char *opt, const char *item)
	__attribute__((noreturn));

/* A directory that exists and that we can create files in (checks with
 * access(W_OK|X_OK) and a real O_TMPFILE/creat probe).  Dies otherwise. */
void opt_writable_dir(const char *opt, const char *arg);

/* getopt_long(3) with an optstring starting with ':' returned ':' (missing
 * value) or '?' (unknown option): die naming the offending argument. */
void opt_getopt_fail(int c, char **argv) __attribute__((noreturn));

/* Die when operands remain after the options (argv[optind...]). */
void opt_no_operands(int argc, char **argv);

/*
 * The options that daxbench fault, sync, flush and daxstress share, parsed in
 * one place.  A command lists the ones it takes in its getopt_long table
 * with the OPT_LONG_* entries below (their codes are above any character, so
 * they never clash with its own) and hands every code its switch does not
 * handle to opt_common(); after the loop, opt_common_finish() checks the
 * operands, --dir and --output.
 */
enum {
	OPT_DIR = 0x100,
	OPT_SEED,
	OPT_OUTPUT,
	OPT_TRACE_BUFFER,
	OPT_NO_TRACE,
	OPT_ALLOW_LOST,
	OPT_QUIET,
	OPT_HELP,
};
#define OPT_LONG_DIR	{ "dir", required_argument, NULL, OPT_DIR }
#define OPT_LONG_SEED	{ "seed", required_argument, NULL, OPT_SEED }
#define OPT_LONG_OUTPUT	{ "output", required_argument, NULL, OPT_OUTPUT }
#define OPT_LONG_TRACE_BUFFER \
	{ "trace-buffer", required_argument, NULL, OPT_TRACE_BUFFER }
#define OPT_LONG_NO_TRACE { "no-trace", no_argument, NULL, OPT_NO_TRACE }
#define OPT_LONG_ALLOW_LOST \
	{ "allow-lost-events", no_argument, NULL, OPT_ALLOW_LOST }
#define OPT_LONG_QUIET	{ "quiet", no_argument, NULL, OPT_QUIET }
#define OPT_LONG_HELP	{ "help", no_argument, NULL, OPT_HELP }
/* ... as entries of a command's struct opt_def table. */
#define OPT_DEF_DIR	{ OPT_LONG_DIR, "dir", NULL }
#define OPT_DEF_SEED	{ OPT_LONG_SEED, "uint", "1" }
#define OPT_DEF_OUTPUT	{ OPT_LONG_OUTPUT, "file-out", NULL }
#define OPT_DEF_TRACE_BUFFER { OPT_LONG_TRACE_BUFFER, "size", "1M" }
#define OPT_DEF_NO_TRACE { OPT_LONG_NO_TRACE, "flag", NULL }
#define OPT_DEF_ALLOW_LOST { OPT_LONG_ALLOW_LOST, "flag", NULL }
#define OPT_DEF_QUIET	{ OPT_LONG_QUIET, "flag", NULL }
#define OPT_DEF_HELP	{ OPT_LONG_HELP, "flag", NULL }
/* The end of a traced command's table (fault, sync): the tracing options,
 * --quiet, --help and the terminator. */
#define OPT_DEF_TRACED_END \
	OPT_DEF_TRACE_BUFFER, OPT_DEF_NO_TRACE, OPT_DEF_ALLOW_LOST, \
	OPT_DEF_QUIET, OPT_DEF_HELP, OPT_DEF_END

/*
 * A command's option table: getopt_long's entry and what its value is,
 * for the hidden --list-options that prints the table (one line an option:
 * "--NAME CLASS EXAMPLE", tab-separated; EXAMPLE "-" when there is none),
 * from which tests/cli/bad_options.sh derives bad input for every option,
 * a new one included.  The classes:
 *   flag      no value                 size, duration, uint, fraction,
 *   number    a value with a range     choice    one of a set of words
 *   list      a comma list (opt_list)  cpus      compact|scatter|a cpu list
 *   dir       a directory to work in   target    flush --target
 *   file-out  an output file, or stdout (output_target.h)
 *   file-out-only  an output file, stdout refused
 *   dir-out   an output directory      text      any non-empty text
 * EXAMPLE is a valid value (numbers, lists: a single item).
 */
struct opt_def {
	struct option lo;
	const char *cls;
	const char *example;
};
#define OPT_DEF_END { { NULL, 0, NULL, 0 }, NULL, NULL }

/* getopt_long(3) over defs (terminated by OPT_DEF_END), optstring ":":
 * returns the code of the next option, -1 at the end; handles
 * --list-options (the listing on stdout, exit 0); a value given to a flag
 * ("--quiet=x") dies saying it takes none. */
int opt_getopt(int argc, char **argv, const struct opt_def *defs);

struct common_opts {
	/* Set by the command before parsing. */
	void (*usage)(FILE *f);		/* --help prints it on stdout, exit 0 */
	uint64_t trace_min, trace_max;	/* --trace-buffer bounds, bytes */
	bool dir_required;		/* opt_common_finish() wants --dir */
	const char *no_stdout;		/* why --output cannot be stdout
					 * (NULL: it can; see output_target.h) */

	/* Defaults set by the command; the options overwrite them. */
	const char *dir;		/* --dir, checked writable */
	uint64_t seed;			/* --seed */
	const char *output;		/* --output: the JSON result */
	struct out_target out;		/* and what it names, checked */
	uint64_t trace_kb;		/* --trace-buffer, per cpu */
	bool seed_set, trace_set;	/* --seed, --trace-buffer given */
	bool no_trace, allow_lost, quiet;
};

/* Handle getopt_long's code c as one of the common options, or die as
 * opt_getopt_fail() does (a missing value, an unknown option). */
void opt_common(int c, char **argv, struct common_opts *co);

/* After the getopt loop: no operands; --dir given (if dir_required) and a
 * writable directory; --output, if given, a target by the rule of
 * output_target.h (into co->out; stdout implies --quiet: the JSON takes
 * the table's place).  Dies naming the option otherwise. */
void opt_common_finish(int argc, char **argv, struct common_opts *co);

#endif
