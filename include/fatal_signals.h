/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Cleanup on every signal that ends the process by default (signal(7):
 * action Term or Core): HUP, INT, QUIT, ILL, TRAP, ABRT, BUS, FPE, USR1,
 * SEGV, USR2, PIPE, ALRM, TERM, STKFLT, XCPU, XFSZ, VTALRM, PROF, IO, PWR,
 * SYS and every real-time signal.  A module that leaves something behind
 * when the process dies (the private tracefs instance, a temporary file)
 * registers an async-signal-safe cleanup; on such a signal every cleanup
 * runs (the latest registered first), then the process dies by the signal
 * as it would have (status, core dump).  SIGKILL cannot be caught: what it
 * leaves is removed by the next run (the stale instances and temporaries of
 * dead processes).
 *
 * A signal ignored when the handlers are installed (nohup, a background
 * job's SIGINT) stays ignored; a handler the program installed before is
 * called instead (its intent: e.g. stop and write results), and the exit
 * that follows runs the atexit cleanups.
 */
#ifndef DAXBENCH_FATAL_SIGNALS_H
#define DAXBENCH_FATAL_SIGNALS_H

#include <stddef.h>

#define FATAL_SIGNALS_MAX_CLEANUPS 8

/* Run fn (async-signal-safe; called at most once per signal, in the thread
 * the signal is delivered to) when a default-fatal signal ends the process.
 * The handlers are installed on the first call.  0, or -1 when
 * FATAL_SIGNALS_MAX_CLEANUPS are registered already (fn registered twice
 * counts once). */
int fatal_signals_on(void (*fn)(void));

/* The signals handled (whether or not installed): how many, and the i-th. */
size_t fatal_signals_count(void);
int fatal_signal(size_t i);

#endif
