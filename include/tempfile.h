/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Temporary files beside their target, TARGET.tmp.PID, renamed over it once
 * complete, so that a result is either complete or absent.  Every temporary
 * is registered while it exists: removed at exit and on every signal that
 * ends the process by default (fatal_signals.h); one left by a process that
 * died otherwise (SIGKILL, a crash of the machine) is removed by the next
 * tempfile_remove_stale() of its target.
 */
#ifndef DAXBENCH_TEMPFILE_H
#define DAXBENCH_TEMPFILE_H

#include <limits.h>
#include <stddef.h>

#define TEMPFILE_MAX 8		/* at once in a process */
#define TEMPFILE_PATH_MAX (PATH_MAX + 32)

/* Create TARGET.tmp.PID (mode 0644, not following a link there); its name
 * in tmp[TEMPFILE_PATH_MAX].  The fd, or -1 with errno set (ENFILE when
 * TEMPFILE_MAX are open) and nothing left. */
int tempfile_create(const char *target, char *tmp);

/* fsync and close fd, rename tmp over target.  0, or -1 with errno set and
 * the temporary removed.  Either way it is no longer registered. */
int tempfile_commit(int fd, const char *tmp, const char *target);

/* Close fd (when >= 0) and remove the temporary. */
void tempfile_discard(int fd, const char *tmp);

/* Remove every TARGET.tmp.PID regular file beside target whose process is
 * dead.  Silent. */
void tempfile_remove_stale(const char *target);

#endif
