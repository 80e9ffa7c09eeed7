/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel log watch through /dev/kmsg.  kmsg_open() opens the log positioned
 * at its end; each kmsg_scan() reads the records logged since the previous
 * scan and reports those showing a kernel problem: the "warning" class of
 * the kernel-log pattern table, scripts/lib/kmsg-patterns.txt, the one the
 * guest harness and the host scripts apply to the console (its C table is
 * generated from it at build time).  Non-blocking: a scan returns once the
 * records logged so far are read.
 */
#ifndef DAXBENCH_KMSG_H
#define DAXBENCH_KMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KMSG_LINE_MAX 512

struct kmsg_watch;

struct kmsg_scan_result {
	uint64_t records;	/* records read */
	uint64_t hits;		/* of which offending (all counted) */
	uint64_t lost;		/* records overwritten before they were read */
	size_t nlines;		/* offending lines kept (<= max) */
};

/* NULL when /dev/kmsg cannot be read (why[] says so in one line). */
struct kmsg_watch *kmsg_open(char *why, size_t whylen);

/* Read every record logged since the last scan (or the open).  The first
 * max offending ones are copied to lines[] as "[seconds.micros] text".
 * Returns 0, or -1 with errno (the watch stays usable). */
int kmsg_scan(struct kmsg_watch *w, char (*lines)[KMSG_LINE_MAX], size_t max,
	      struct kmsg_scan_result *res);

/* The classes of the pattern table, as bits. */
enum {
	KMSG_WARNING = 1 << 0,	/* a kernel problem: makes a log unclean */
	KMSG_DIED = 1 << 1,	/* the kernel died */
	KMSG_HUNG = 1 << 2,	/* a lockup or a blocked task */
	KMSG_STALL = 1 << 3,	/* an RCU stall */
	KMSG_EMULATOR = 1 << 4,	/* QEMU TCG's own fault (an int3 Oops) */
};

/* The classes one record's text matches (0: none). */
unsigned kmsg_classes(const char *text);

/* Does one record's text show a kernel problem (class warning)? */
bool kmsg_is_bad(const char *text);

/* Log text as one record at level warning (for negative controls).
 * Returns 0 or -1 with errno. */
int kmsg_write(const char *text);

void kmsg_close(struct kmsg_watch *w);	/* NULL is fine */

#endif
