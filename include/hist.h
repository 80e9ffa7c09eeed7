/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Log-linear latency histogram (HDR-style).  Values are unsigned 64-bit
 * (nanoseconds by convention).  Values below 2^HIST_SUB_BITS are exact;
 * above, each power of two is split into 2^HIST_SUB_BITS equal bins, so a
 * value reported for any quantile is within 1/128 (relative) of a value in
 * the recorded data at that rank.  Histograms are plain structs with no
 * pointers: one per thread, merged with hist_merge() at the end.
 */
#ifndef DAXBENCH_HIST_H
#define DAXBENCH_HIST_H

#include <stdint.h>
#include <json-c/json.h>

#define HIST_SUB_BITS 7
#define HIST_SUB (1u << HIST_SUB_BITS)	/* 128 bins per power of two */
/* exact bins [0,128) then (64 - 7) groups of 128 */
#define HIST_NBINS (HIST_SUB + (64 - HIST_SUB_BITS) * HIST_SUB)

struct hist {
	uint64_t count;
	uint64_t min, max;
	unsigned __int128 sum;	/* exact, for the mean (integer adds keep
				 * hist_record cheap; long double cost an
				 * 80-bit store/reload per call) */
	uint64_t bins[HIST_NBINS];
};

void hist_init(struct hist *h);
void hist_record(struct hist *h, uint64_t v);	/* hot path: no allocation */
void hist_merge(struct hist *dst, const struct hist *src);

/* Bin index of v, and the inclusive value range [lo, hi] a bin covers. */
unsigned hist_bin(uint64_t v);
void hist_bin_range(unsigned bin, uint64_t *lo, uint64_t *hi);

/* Value at quantile q in [0, 1] (q=0.5 median, q=1 max).  Uses the
 * nearest-rank definition: the value of rank ceil(q * count), reported as
 * the midpoint of its bin clamped to [min, max].  0 when empty. */
uint64_t hist_quantile(const struct hist *h, double q);
double hist_mean(const struct hist *h);

/* {"unit": unit, "count", "min", "mean", "max", "p50", "p90", "p99",
 *  "p99.9", "p99.99", "bins": [[lo, hi, count], ...] (non-empty bins only)}
 * "mean" is a double, the other numbers integers.  Returns NULL if
 * h->count == 0 (or on allocation failure). */
json_object *hist_to_json(const struct hist *h, const char *unit);

#endif
