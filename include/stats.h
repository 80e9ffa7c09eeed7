/* SPDX-License-Identifier: GPL-2.0 */
/* Small statistics over repeats, and human-readable units for tables. */
#ifndef DAXBENCH_STATS_H
#define DAXBENCH_STATS_H

#include <stddef.h>
#include <stdint.h>

/* Median of n values (the mean of the two middle ones when n is even);
 * v is sorted in place.  0 when n == 0. */
double median_u64(uint64_t *v, size_t n);

/* "64.0M", "512K", "0B" (binary units) and "1.23us", "15.0ms" into buf. */
const char *fmt_bytes(char *buf, size_t len, uint64_t bytes);
const char *fmt_ns(char *buf, size_t len, double ns);

#endif
