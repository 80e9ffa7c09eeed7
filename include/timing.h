/* SPDX-License-Identifier: GPL-2.0 */
#ifndef DAXBENCH_TIMING_H
#define DAXBENCH_TIMING_H

#include <stdint.h>
#include <time.h>

/* CLOCK_MONOTONIC in ns: the same clock as the trace instance's "mono"
 * trace_clock, so store times and event timestamps compare directly. */
static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

#endif
