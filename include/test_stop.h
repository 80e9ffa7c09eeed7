/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A test hook: with DAXBENCH_TEST_STOP=POINT in its environment, a tool
 * stops itself (SIGSTOP, every thread) the first time it reaches POINT, so
 * that tests/cli/signals.sh can send a signal at a known moment instead of
 * after a guessed delay:
 *   start    every option checked (the end of each tool's parsing),
 *            nothing created yet
 *   running  the run under way: the trace instance on and the --events
 *            temporary open (fault), the trace on (sync), the first point
 *            measuring (flush), the first iteration's threads about to
 *            start (daxstress)
 *   writing  a result written to its temporary, not yet renamed (out_end)
 * Without the variable (always, outside that test) it does nothing.
 */
#ifndef DAXBENCH_TEST_STOP_H
#define DAXBENCH_TEST_STOP_H

void test_stop(const char *point);

#endif
