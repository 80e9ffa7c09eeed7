/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Store-offset generators for workloads: seeded and deterministic (the same
 * kind, n, start, theta and seed give the same sequence on every run).
 * Each yields slot indices in [0, n); a caller turns a slot into a file
 * offset (slot * store size).
 *
 *   seq   start, start+1, ..., n-1, 0, 1, ... (wraps; the seed is unused)
 *   rand  uniform over [0, n) (xoshiro256** seeded through splitmix64;
 *         Lemire's multiply-shift, bias below n / 2^64)
 *   zipf  Zipfian over ranks 0..n-1 with exponent theta in (0, 10]: rank i
 *         is drawn with probability (i+1)^-theta / zeta(n, theta), exactly
 *         (rejection-inversion, Hoermann and Derflinger 1996, as Apache
 *         Commons' ZipfRejectionInversionSampler: O(1) per draw, no table,
 *         any n), then scrambled by a seeded bijection
 *         rank -> (a * rank + b) mod n with gcd(a, n) = 1, so the hot slots
 *         are spread over the range instead of packed at its start.
 */
#ifndef DAXBENCH_PATTERN_H
#define DAXBENCH_PATTERN_H

#include <stdint.h>

enum pattern_kind { PATTERN_SEQ, PATTERN_RAND, PATTERN_ZIPF };
extern const char *const pattern_names[];	/* "seq", "rand", "zipf", NULL */

#define PATTERN_ZIPF_THETA 0.99	/* the default exponent (YCSB's) */

struct pattern {
	enum pattern_kind kind;
	uint64_t n;
	uint64_t pos;		/* seq: the next slot */
	uint64_t s[4];		/* xoshiro256** state */
	/* zipf (rejection-inversion) */
	double theta, h_x1, h_n, s_;
	uint64_t mul, add;	/* scramble: (mul * rank + add) mod n */
};

#define PATTERN_ZIPF_THETA_MAX 10.0

/* Set up a generator over [0, n).  seq starts at start % n.  theta is used
 * by zipf only and must be in (0, PATTERN_ZIPF_THETA_MAX].  Returns 0, or
 * -1 with errno EINVAL (n == 0, theta out of range). */
int pattern_init(struct pattern *p, enum pattern_kind kind, uint64_t n,
		 uint64_t start, double theta, uint64_t seed);

/* The next slot, in [0, n). */
uint64_t pattern_next(struct pattern *p);

/* zipf only: the next rank before scrambling (0 is the hottest). */
uint64_t pattern_zipf_rank(struct pattern *p);
/* zipf only: the slot a rank lands on (a bijection of [0, n)). */
uint64_t pattern_zipf_slot(const struct pattern *p, uint64_t rank);

/* sum_{i=1..n} i^-theta: exact up to 2^20 terms, Euler-Maclaurin beyond
 * (relative error below 1e-12 there). */
double pattern_zeta(uint64_t n, double theta);

/* A uniform 64-bit number from the generator's stream (any kind). */
uint64_t pattern_rand64(struct pattern *p);

#endif
