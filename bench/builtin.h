/* SPDX-License-Identifier: GPL-2.0 */
/* daxbench subcommands: one cmd_* per file, dispatched from daxbench.c. */
#ifndef DAXBENCH_BUILTIN_H
#define DAXBENCH_BUILTIN_H

#include "opts.h"

/* struct common_opts of the commands that trace (fault, sync): --dir
 * required, --seed 1, --trace-buffer 16M per cpu (4K to 16G). */
#define TRACED_CMD_OPTS(usage_fn) {					\
	.usage = (usage_fn), .dir_required = true, .seed = 1,		\
	.trace_kb = 16384, .trace_min = 4096, .trace_max = 1ull << 34 }

int cmd_fault(int argc, char **argv);
int cmd_env(int argc, char **argv);
int cmd_flush(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_sync(int argc, char **argv);
int cmd_punch(int argc, char **argv);

#endif
