/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Command-line value parsing with units.  Every parser takes the option's
 * name (e.g. "--size") so that an error is one line naming it.  Bad input
 * never returns: the process prints "PROG: --opt: reason" on stderr and
 * exits with status 2 (OPT_EXIT_USAGE).
 */
#ifndef DAXBENCH_OPTS_H
#define DAXBENCH_OPTS_H

#include <stdbool.h>
#include <stdint.h>

#define OPT_EXIT_USAGE 2

/* Program name used as the prefix of every error line ("daxbench"). */
void opt_set_progname(const char *name);
const char *opt_progname(void);

/* Print "PROG: OPT: <formatted reason>\n" and exit(2).  opt may be NULL. */
void opt_die(const char *opt, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));

/* Sizes in bytes: "4096", "64K", "64k", "64KiB", "2M", "1G", "1T" (binary
 * multiples).  Rejects empty, negative, trailing junk, overflow, and values
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

/* A directory that exists and that we can create files in (checks with
 * access(W_OK|X_OK) and a real O_TMPFILE/creat probe).  Dies otherwise. */
void opt_writable_dir(const char *opt, const char *arg);

/* A result file to be written (and renamed into place): a file name whose
 * directory takes files.  Dies otherwise. */
void opt_output_path(const char *opt, const char *path);

/* getopt_long(3) with an optstring starting with ':' returned ':' (missing
 * value) or '?' (unknown option): die naming the offending argument. */
void opt_getopt_fail(int c, char **argv) __attribute__((noreturn));

/* Die when operands remain after the options (argv[optind...]). */
void opt_no_operands(int argc, char **argv);

#endif
