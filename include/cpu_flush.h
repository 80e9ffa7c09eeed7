/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the CPU offers to make stores to pmem durable: its cache-flush
 * instructions, and the features libpmem's non-temporal copies choose
 * from, read with CPUID.  The one place both lib/env.c (a result's "cpu")
 * and daxbench flush (libpmem's choice, rebuilt) ask.  Off x86 nothing is
 * known.
 */
#ifndef DAXBENCH_CPU_FLUSH_H
#define DAXBENCH_CPU_FLUSH_H

#include <stdbool.h>

struct cpu_flush_caps {
	bool known;			/* false off x86: nothing below is */
	bool clflush, clflushopt, clwb;	/* the flush instructions */
	bool avx, avx512f, movdir64b;	/* what libpmem's copies may use */
};

void cpu_flush_detect(struct cpu_flush_caps *c);

/* The best flush instruction the cpu has ("clwb", "clflushopt",
 * "clflush"), NULL when not known. */
const char *cpu_flush_best(const struct cpu_flush_caps *c);

#endif
