/* SPDX-License-Identifier: GPL-2.0 */
/* daxbench subcommands: one cmd_* per file, dispatched from daxbench.c. */
#ifndef DAXBENCH_BUILTIN_H
#define DAXBENCH_BUILTIN_H

int cmd_fault(int argc, char **argv);
int cmd_env(int argc, char **argv);
int cmd_flush(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_sync(int argc, char **argv);

#endif
