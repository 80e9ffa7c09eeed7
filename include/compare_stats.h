/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Statistics for A/B comparisons of repeated measurements (daxbench compare).
 *
 * One sample is one value per repeat (a boot, or a --repeat run): a sync
 * time, a store-latency percentile.  The change is the relative change of
 * the medians, median(B) / median(A) - 1.  Its confidence interval comes
 * from a bootstrap over the repeats (A and B resampled independently, with
 * replacement, from a fixed seed), smoothed as below.  The rank test is the
 * two-sided Mann-Whitney U test with midranks for ties: exact (the
 * permutation distribution of the rank sum, ties included) for small
 * samples, the normal approximation with tie and continuity correction
 * otherwise.
 *
 * Why smoothed.  With 5 repeats the plain bootstrap median takes only the 5
 * sample values, and the spread of 5 values is itself a poor estimate: at
 * the levels a family of many intervals needs (1 - 0.05/m) the plain
 * interval collapses to [min B / max A - 1, max B / min A - 1] and excludes
 * zero whenever the samples do not overlap, however small the gap (1 in 126
 * under the null for 5 vs 5, 1 in 10 for 3 vs 3).  The smoothed bootstrap
 * adds Gaussian noise of width h to every drawn value, on the log scale
 * when all values are positive (timing noise is multiplicative).  h is set
 * so that the resampled spread, sqrt(s^2 + h^2), is the pooled standard
 * deviation s (df = na + nb - 2) widened by t_df(q) / z(q) at the
 * interval's own quantile q = (1 + level) / 2: the Student correction for
 * a spread estimated from few repeats.  It vanishes as the repeats grow.
 * A floor on h (the measurement's resolution) keeps constant samples from
 * giving an interval of width zero.  In simulation (lognormal, heavy-tailed
 * and outlier noise; 3, 5 and 10 repeats) the interval excludes zero under
 * the null at or below its nominal rate at 95% and at 1 - 0.05/35.
 */
#ifndef DAXBENCH_COMPARE_STATS_H
#define DAXBENCH_COMPARE_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* xoshiro256** seeded through splitmix64: the same stream on every libc. */
struct cs_rng {
	uint64_t s[4];
	double spare;		/* the second normal of a Box-Muller pair */
	bool has_spare;
};
void cs_rng_seed(struct cs_rng *r, uint64_t seed);
uint64_t cs_rng_u64(struct cs_rng *r);
uint64_t cs_rng_below(struct cs_rng *r, uint64_t n);	/* uniform [0, n), n > 0 */
double cs_rng_unit(struct cs_rng *r);			/* uniform (0, 1] */
double cs_rng_normal(struct cs_rng *r);			/* N(0, 1) */

/* Student's t with df degrees of freedom (df > 0, not necessarily an
 * integer) and the standard normal: distribution and quantile functions. */
double cs_t_cdf(double t, double df);
double cs_t_quantile(double p, double df);
double cs_norm_cdf(double x);
double cs_norm_quantile(double p);

/* Median of n values (mean of the two middle ones when n is even); v is
 * not modified.  NAN when n == 0. */
double cs_median(const double *v, size_t n);

/* Quantile q in [0, 1] of sorted values, linear interpolation between
 * order statistics (R's type 7, numpy's default).  NAN when n == 0. */
double cs_quantile_sorted(const double *sorted, size_t n, double q);

/* Relative change b / a - 1 of two medians: 0 when both are 0, +INFINITY
 * when only a is 0 (and b > 0), -INFINITY when only a is 0 and b < 0. */
double cs_rel_change(double a, double b);

/* The smoothing width h for a pooled standard deviation sd with df
 * degrees of freedom at a two-sided level: sd sqrt((t_df(q)/z(q))^2 - 1),
 * q = (1 + level) / 2.  INFINITY when df < 1. */
double cs_smooth_bandwidth(double sd, double df, double level);

struct cs_boot_opts {
	unsigned resamples;	/* >= 1 (use >= 2000) */
	double level;		/* two-sided confidence, e.g. 0.95 */
	uint64_t seed;
	bool smooth;		/* smoothed bootstrap (see the top) */
	double min_bw;		/* floor of h: a relative resolution (1/256
				 * for histogram percentiles); on the log
				 * scale as is, else times the larger median */
};

struct cs_ci {
	double lo, hi;		/* bounds of the relative change */
	double level;
	unsigned resamples;
	bool log_scale;		/* all values > 0: resampled on the log scale */
	double bw;		/* h (0 when not smoothed; INFINITY when the
				 * spread cannot be estimated: na + nb < 3,
				 * and then [lo, hi] = [-1, +INFINITY]) */
};

/* Percentile bootstrap interval of cs_rel_change(median(a), median(b)).
 * The bounds are order statistics of the resampled changes taken outwards
 * (never interpolated inwards).  Returns 0, or -1 when na or nb is 0 or
 * the options are invalid. */
int cs_bootstrap_change(const double *a, size_t na, const double *b, size_t nb,
			const struct cs_boot_opts *o, struct cs_ci *ci);

struct cs_mwu {
	double u_a;		/* pairs (a_i, b_j) with a_i > b_j, ties 1/2 */
	double u_b;		/* na * nb - u_a */
	double z;		/* normal approximation (0 when exact) */
	double p;		/* two-sided */
	bool exact;
	bool ties;
};

/* Exact when na + nb <= CS_MWU_EXACT_MAX. */
#define CS_MWU_EXACT_MAX 50

/* Two-sided Mann-Whitney U test.  Returns 0, or -1 when na or nb is 0. */
int cs_mann_whitney(const double *a, size_t na, const double *b, size_t nb,
		    struct cs_mwu *out);

/* The same test, forcing the normal approximation (for tests). */
int cs_mann_whitney_normal(const double *a, size_t na, const double *b,
			   size_t nb, struct cs_mwu *out);

enum cs_verdict { CS_SAME, CS_LOWER, CS_HIGHER };

/* SAME when the interval contains zero, LOWER when it lies below, HIGHER
 * when above. */
enum cs_verdict cs_verdict(const struct cs_ci *ci);

#endif
