// SPDX-License-Identifier: GPL-2.0
/*
 * The CPU's flush instructions and copy features, by CPUID (see
 * cpu_flush.h): leaf 1 (clflush: EDX 19; avx: ECX 28) and leaf 7 subleaf 0
 * (avx512f: EBX 16, clflushopt: EBX 23, clwb: EBX 24; movdir64b: ECX 28),
 * as libpmem reads them.
 */
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include <stddef.h>

#include "cpu_flush.h"

void cpu_flush_detect(struct cpu_flush_caps *c)
{
	*c = (struct cpu_flush_caps){ .known = false };
#if defined(__x86_64__) || defined(__i386__)
	unsigned a, b, cx, d, max = __get_cpuid_max(0, NULL);

	c->known = true;
	if (max >= 1) {
		__cpuid_count(1, 0, a, b, cx, d);
		c->clflush = d & (1u << 19);
		c->avx = cx & (1u << 28);
	}
	if (max >= 7) {
		__cpuid_count(7, 0, a, b, cx, d);
		c->clflushopt = b & (1u << 23);
		c->clwb = b & (1u << 24);
		c->avx512f = b & (1u << 16);
		c->movdir64b = cx & (1u << 28);
	}
#endif
}

const char *cpu_flush_best(const struct cpu_flush_caps *c)
{
	if (!c->known)
		return NULL;
	return c->clwb ? "clwb" : c->clflushopt ? "clflushopt" : "clflush";
}
