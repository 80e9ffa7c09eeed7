/* SPDX-License-Identifier: GPL-2.0 */
/* One-line progress on stderr, only when stderr is a terminal. */
#ifndef DAXBENCH_PROGRESS_H
#define DAXBENCH_PROGRESS_H

void progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void progress_done(void);	/* clear the line */

/* A run-time failure (not bad input): clear the progress line, print
 * "PROG: <message>" on stderr and exit(1). */
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
