/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What an output option (--output, daxbench fault --events) may name,
 * checked before the run, and the writing of it after.  The rule, which
 * every tool's --help and the README state:
 *
 *   a new name in a directory that takes files   created
 *   an existing regular file                     replaced as a whole
 *   a symbolic link to a regular file            the file it leads to is
 *                                                replaced; the link stays
 *   "-" or /dev/stdout                           written to stdout (where
 *                                                the tool allows it: not
 *                                                daxstress, whose stdout
 *                                                is the TAP)
 *   anything else: a directory, a device node, a FIFO, a socket, a link
 *   to one of those or to nothing                refused (exit 2)
 *
 * A file is written to a temporary beside it (tempfile.h: removed on exit
 * and on every default-fatal signal; stale ones of dead processes removed
 * by out_target_check()) and renamed over it once complete.  Checks exit 2
 * with one line naming the option (opts.h); writing fails with status 1.
 */
#ifndef DAXBENCH_OUTPUT_TARGET_H
#define DAXBENCH_OUTPUT_TARGET_H

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>

#include "tempfile.h"

/* The rule, for the tools' --help (each adds what stdout means to it). */
#define OUT_TARGET_HELP \
"Output files: a new name, a regular file (replaced whole, atomically) or a\n" \
"symbolic link to one (the file it leads to is replaced; the link stays); a\n" \
"directory, a device, a FIFO, a socket or a broken link is refused.\n"

struct out_target {
	const char *opt;	/* "--output"; NULL: no target */
	const char *arg;	/* as given */
	bool to_stdout;
	char path[PATH_MAX];	/* the file replaced (a link resolved) */
	/* while writing */
	char tmp[TEMPFILE_PATH_MAX];
	int fd;
	int err;		/* first error (errno), 0 */
	char why[160];		/* a reason that is no errno, "" */
	FILE *f;
};

/* Check arg as the target of opt by the rule above; no_stdout: NULL when
 * stdout is allowed, else why not (e.g. "stdout carries the TAP").  Dies
 * (exit 2, one line naming opt) otherwise.  Removes the target's stale
 * temporaries. */
void out_target_check(struct out_target *t, const char *opt, const char *arg,
		      const char *no_stdout);

/* An output option that names a directory to write files in (daxbench
 * compare --output DIR): an existing directory (or a link to one) that
 * takes files, or a new name in one (created by the caller when it writes:
 * *exists false).  "-" and anything else are refused (exit 2, one line). */
void out_dir_check(const char *opt, const char *arg, bool *exists);

/* Whether a and b (both checked) would write the same file or both
 * stdout. */
bool out_target_same(const struct out_target *a, const struct out_target *b);

/* Start writing t: stdout, or a fresh temporary.  The stream, or NULL
 * (the reason for out_target_report()).  The target is checked again: it
 * may have changed during the run. */
FILE *out_begin(struct out_target *t);

/* Finish: flush; a file: every write error caught, fsync, rename over the
 * target.  0, or -1 (the temporary removed; the reason for
 * out_target_report()). */
int out_end(struct out_target *t);

/* Give up writing t: the temporary removed. */
void out_abandon(struct out_target *t);

/* "PROG: OPT: cannot write ARG: REASON" on stderr. */
void out_target_report(const struct out_target *t);

#endif
