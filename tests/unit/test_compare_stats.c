// SPDX-License-Identifier: GPL-2.0
/* Unit tests for lib/compare_stats.c: Student's t and normal quantiles
 * against tabulated values; the Mann-Whitney U test against textbook
 * examples and against a brute-force permutation reference (every split of
 * the pooled values, U counted pair by pair, no ranks); the bootstrap
 * interval of the change of medians: determinism, shifts found, the null's
 * rejection rate at 95% and at a Bonferroni level. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "compare_stats.h"
#include "tap.h"

static int near(double a, double b, double tol)
{
	return fabs(a - b) <= tol;
}

/* ---- brute-force permutation reference for the rank test ---- */

static double pair_u(const double *x, size_t nx, const double *y, size_t ny)
{
	double u = 0;

	for (size_t i = 0; i < nx; i++)
		for (size_t j = 0; j < ny; j++)
			u += x[i] > y[j] ? 1 : x[i] == y[j] ? 0.5 : 0;
	return u;
}

/* Two-sided p: the fraction of the C(n, na) ways to label na of the pooled
 * values "a" whose U is at least as far from na*nb/2 as the observed one. */
static double brute_p(const double *a, size_t na, const double *b, size_t nb)
{
	size_t n = na + nb, total = 0, tail = 0;
	double pool[32], x[32], y[32], mu = (double)na * (double)nb / 2;
	double dev = fabs(pair_u(a, na, b, nb) - mu);

	memcpy(pool, a, na * sizeof(*a));
	memcpy(pool + na, b, nb * sizeof(*b));
	for (uint32_t mask = 0; mask < (1u << n); mask++) {
		size_t kx = 0, ky = 0;

		if ((size_t)__builtin_popcount(mask) != na)
			continue;
		for (size_t i = 0; i < n; i++) {
			if (mask & (1u << i))
				x[kx++] = pool[i];
			else
				y[ky++] = pool[i];
		}
		total++;
		if (fabs(pair_u(x, na, y, nb) - mu) >= dev - 1e-9)
			tail++;
	}
	return (double)tail / (double)total;
}

static struct cs_rng trng;

static double lognormal(double sigma)
{
	return exp(sigma * cs_rng_normal(&trng));
}

static void test_distributions(void)
{
	is_near(cs_t_quantile(0.975, 4), 2.776445, 1e-5, "t(0.975, 4) = 2.776445 (%.6f)", cs_t_quantile(0.975, 4));
	is_near(cs_t_quantile(0.975, 8), 2.306004, 1e-5, "t(0.975, 8) = 2.306004 (%.6f)", cs_t_quantile(0.975, 8));
	is_near(cs_t_quantile(0.975, 1), 12.706205, 1e-4, "t(0.975, 1) = 12.706205 (%.6f)", cs_t_quantile(0.975, 1));
	is_near(cs_t_quantile(0.995, 10), 3.169273, 1e-5, "t(0.995, 10) = 3.169273 (%.6f)", cs_t_quantile(0.995, 10));
	is_near(cs_t_quantile(0.025, 4), -2.776445, 1e-5, "t(0.025, 4) = -2.776445");
	is_near(cs_norm_quantile(0.975), 1.959964, 1e-6, "z(0.975) = 1.959964 (%.6f)", cs_norm_quantile(0.975));
	ok(near(cs_t_cdf(2.776445, 4), 0.975, 1e-6) && near(cs_norm_cdf(1.959964), 0.975, 1e-6),
	   "t and normal distribution functions invert the quantiles");
	is_near(cs_smooth_bandwidth(1.0, 8, 0.95), 0.619903, 1e-4,
	        "smoothing width at 5+5 runs, 95%%: 0.6199 sd (%.6f)", cs_smooth_bandwidth(1.0, 8, 0.95));
	ok(cs_smooth_bandwidth(1.0, 1e7, 0.95) < 1e-3 && isinf(cs_smooth_bandwidth(1.0, 0, 0.95)),
	   "smoothing width vanishes with many runs, is infinite with no spread estimate");
}

static void test_order_statistics(void)
{
	double odd[] = { 5, 1, 3 }, even[] = { 4, 1, 3, 2 }, s[] = { 1, 2, 3, 4 };

	ok(cs_median(odd, 3) == 3 && cs_median(even, 4) == 2.5 && isnan(cs_median(odd, 0)),
	   "median of odd and even counts; NAN when empty");
	ok(odd[0] == 5 && even[0] == 4, "median leaves its input alone");
	ok(cs_quantile_sorted(s, 4, 0.25) == 1.75 && cs_quantile_sorted(s, 4, 1) == 4 &&
	   cs_quantile_sorted(s, 4, 0) == 1, "quantile: linear interpolation (type 7)");
	ok(cs_rel_change(2, 3) == 0.5 && cs_rel_change(0, 0) == 0 &&
	   isinf(cs_rel_change(0, 1)) && cs_rel_change(4, 1) == -0.75,
	   "relative change, with zero medians");
}

static void test_rng(void)
{
	struct cs_rng a, b;
	double sum = 0, sq = 0;
	int same = 1, inrange = 1;
	const int n = 200000;

	cs_rng_seed(&a, 7);
	cs_rng_seed(&b, 7);
	for (int i = 0; i < 1000; i++)
		same &= cs_rng_u64(&a) == cs_rng_u64(&b);
	ok(same, "same seed, same stream");
	for (int i = 0; i < 10000; i++)
		inrange &= cs_rng_below(&a, 7) < 7;
	ok(inrange, "below(n) stays below n");
	for (int i = 0; i < n; i++) {
		double z = cs_rng_normal(&a);

		sum += z;
		sq += z * z;
	}
	ok(near(sum / n, 0, 0.01) && near(sq / n, 1, 0.02),
	   "normal draws: mean %.4f, variance %.4f", sum / n, sq / n);
}

static void test_mwu(void)
{
	/* scipy.stats.mannwhitneyu documentation: U1 = 17, exact p = 1/9,
	 * asymptotic (continuity-corrected) p = 0.11134688653314041 */
	double males[] = { 19, 22, 16, 29, 24 }, females[] = { 20, 11, 17, 12 };
	/* R wilcox.test, Hollander & Wolfe p. 69: W = 35, one-sided p = 0.1272 */
	double hx[] = { 0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46 };
	double hy[] = { 1.15, 0.88, 0.90, 0.74, 1.21 };
	double tied[] = { 3, 3, 3, 3 }, tied2[] = { 3, 3, 3 };
	struct cs_mwu m, m2;
	int agree = 1, agree_u = 1, worst_case = -1;
	double worst = 0;

	cs_mann_whitney(males, 5, females, 4, &m);
	ok(m.u_a == 17 && m.u_b == 3 && m.exact && near(m.p, 1.0 / 9, 1e-12),
	   "textbook U (scipy docs): U = %.0f, exact p = %.6f (1/9)", m.u_a, m.p);
	cs_mann_whitney_normal(males, 5, females, 4, &m);
	ok(!m.exact && near(m.p, 0.11134688653314041, 1e-9),
	   "... normal approximation p = %.8f (0.11134689)", m.p);
	cs_mann_whitney(hx, 10, hy, 5, &m);
	ok(m.u_a == 35 && near(m.p, 2 * 0.1272, 5e-4),
	   "textbook U (Hollander & Wolfe, R): W = %.0f, two-sided p = %.4f (2 x 0.1272)", m.u_a, m.p);
	cs_mann_whitney(hy, 5, hx, 10, &m2);
	ok(m2.u_a == m.u_b && near(m2.p, m.p, 1e-12), "swapping A and B: U mirrored, same p");

	cs_mann_whitney(tied, 4, tied2, 3, &m);
	cs_mann_whitney_normal(tied, 4, tied2, 3, &m2);
	ok(m.p == 1 && m2.p == 1 && m.ties, "all values tied: p = 1 (exact and normal)");

	/* exact (DP over midranks) against brute force, ties included */
	cs_rng_seed(&trng, 2024);
	for (int t = 0; t < 300; t++) {
		size_t na = 1 + cs_rng_below(&trng, 8), nb = 1 + cs_rng_below(&trng, 8);
		unsigned levels = t % 3 == 0 ? 3 : t % 3 == 1 ? 8 : 1000;
		double a[8], b[8], ref;

		for (size_t i = 0; i < na; i++)
			a[i] = (double)cs_rng_below(&trng, levels);
		for (size_t i = 0; i < nb; i++)
			b[i] = (double)cs_rng_below(&trng, levels) + (t % 5 == 0 ? 2 : 0);
		cs_mann_whitney(a, na, b, nb, &m);
		ref = brute_p(a, na, b, nb);
		agree_u &= m.u_a == pair_u(a, na, b, nb);
		if (!m.exact || fabs(m.p - ref) > 1e-12) {
			agree = 0;
			if (fabs(m.p - ref) > worst) {
				worst = fabs(m.p - ref);
				worst_case = t;
			}
		}
	}
	ok(agree_u, "U equals the pair count (ties 1/2) in 300 random cases");
	ok(agree, "exact p equals the brute-force permutation p in 300 random cases "
	   "(1..8 vs 1..8, heavy ties to none)%s", agree ? "" : " FAILED");
	if (!agree)
		diag("worst case %d: off by %g", worst_case, worst);

	/* 8 vs 8: the smallest two-sided p is 2 / C(16, 8) = 2 / 12870 */
	{
		double lo[8], hi[8];

		for (int i = 0; i < 8; i++) {
			lo[i] = i;
			hi[i] = 100 + i;
		}
		cs_mann_whitney(lo, 8, hi, 8, &m);
		ok(m.u_a == 0 && near(m.p, 2.0 / 12870, 1e-15) && near(brute_p(lo, 8, hi, 8), m.p, 1e-15),
		   "complete separation, 8 vs 8: p = 2/C(16,8) = %.3e", m.p);
		cs_mann_whitney(lo, 5, hi, 5, &m);
		is_near(m.p, 2.0 / 252, 1e-15, "complete separation, 5 vs 5: p = 2/252 = %.4f", m.p);
	}

	/* the normal approximation agrees with the exact test at 20 vs 20 */
	{
		double a[30], b[30], d = 0;

		for (int t = 0; t < 20; t++) {
			for (int i = 0; i < 20; i++) {
				a[i] = lognormal(0.3);
				b[i] = lognormal(0.3) * (1 + 0.02 * t);
			}
			cs_mann_whitney(a, 20, b, 20, &m);
			cs_mann_whitney_normal(a, 20, b, 20, &m2);
			d = fmax(d, fabs(m.p - m2.p));
		}
		cmp_ok(d, <, 0.01, "exact and normal p within 0.01 at 20 vs 20 (max %.4f)", d);
		for (int i = 0; i < 30; i++) {
			a[i] = lognormal(0.3);
			b[i] = lognormal(0.3);
		}
		cs_mann_whitney(a, 30, b, 30, &m);
		ok(!m.exact, "more than %d values: normal approximation", CS_MWU_EXACT_MAX);
	}
}

static void test_bootstrap(void)
{
	struct cs_boot_opts o = { .resamples = 4000, .level = 0.95, .seed = 1,
				  .smooth = true, .min_bw = 1.0 / 256 };
	double a[5] = { 100, 104, 98, 101, 97 }, b[5], c[5];
	double k1[5] = { 1000, 1000, 1000, 1000, 1000 }, k2[5] = { 1100, 1100, 1100, 1100, 1100 };
	struct cs_ci ci, ci2;
	int rej95 = 0, rejb = 0, found = 0, found_small = 0;
	const int trials = 300;

	cs_bootstrap_change(a, 5, a, 5, &o, &ci);
	ok(ci.lo < 0 && ci.hi > 0 && cs_verdict(&ci) == CS_SAME && ci.log_scale,
	   "identical samples: interval [%.3f, %.3f] holds 0: same", ci.lo, ci.hi);
	cs_bootstrap_change(a, 5, a, 5, &o, &ci2);
	ok(ci.lo == ci2.lo && ci.hi == ci2.hi, "same seed, same interval");
	for (int i = 0; i < 5; i++) {
		b[i] = 2 * a[i];
		c[i] = a[i] / 2;
	}
	cs_bootstrap_change(a, 5, b, 5, &o, &ci);
	ok(cs_verdict(&ci) == CS_HIGHER && ci.lo > 0.8 && ci.lo < 1 && ci.hi > 1 && ci.hi < 1.2,
	   "B = 2 A: interval [%+.3f, %+.3f] around +1: slower", ci.lo, ci.hi);
	cs_bootstrap_change(a, 5, c, 5, &o, &ci);
	ok(cs_verdict(&ci) == CS_LOWER && ci.lo < -0.5 && ci.hi > -0.5,
	   "B = A / 2: interval [%+.3f, %+.3f] around -0.5: faster", ci.lo, ci.hi);
	cs_bootstrap_change(k1, 5, k1, 5, &o, &ci);
	ok(ci.lo <= 0 && ci.hi >= 0 && ci.bw == o.min_bw,
	   "constant equal samples: width at the resolution floor, same");
	cs_bootstrap_change(k1, 5, k2, 5, &o, &ci);
	ok(cs_verdict(&ci) == CS_HIGHER && near(ci.lo, 0.1, 0.01),
	   "constant 1000 vs 1100: +10%% found ([%+.4f, %+.4f])", ci.lo, ci.hi);
	cs_bootstrap_change(a, 1, b, 1, &o, &ci);
	ok(ci.lo == -1 && isinf(ci.hi) && cs_verdict(&ci) == CS_SAME,
	   "one run each: no spread to estimate, the interval is everything");
	{
		double z[5] = { 0, 1, 2, 3, 4 };

		cs_bootstrap_change(z, 5, z, 5, &o, &ci);
		ok(!ci.log_scale && cs_verdict(&ci) == CS_SAME, "a zero value: linear scale, still same");
	}
	{
		struct cs_boot_opts bad = o;

		bad.level = 1;
		ok(cs_bootstrap_change(a, 5, b, 5, &bad, &ci) == -1 &&
		   cs_bootstrap_change(a, 0, b, 5, &o, &ci) == -1, "bad level or no data: -1");
	}

	/* calibration: A and B from one lognormal distribution (sd 10%), 5
	 * runs each.  At 95% the interval may exclude 0 in 5% of trials; at
	 * 1 - 0.05/35 (35 metrics, Bonferroni) in 0.14%. */
	cs_rng_seed(&trng, 99);
	for (int t = 0; t < trials; t++) {
		double x[5], y[5];

		for (int i = 0; i < 5; i++) {
			x[i] = 1000 * lognormal(0.1);
			y[i] = 1000 * lognormal(0.1);
		}
		o.seed = (uint64_t)t;
		o.level = 0.95;
		o.resamples = 2000;
		cs_bootstrap_change(x, 5, y, 5, &o, &ci);
		rej95 += cs_verdict(&ci) != CS_SAME;
		o.level = 1 - 0.05 / 35;
		o.resamples = 14000;
		cs_bootstrap_change(x, 5, y, 5, &o, &ci);
		rejb += cs_verdict(&ci) != CS_SAME;
	}
	cmp_ok(rej95, <=, trials * 8 / 100, "null, 5 vs 5, 95%%: interval excludes 0 in %d of %d trials (<= 8%%)",
	       rej95, trials);
	cmp_ok(rejb, <=, 2, "null, 5 vs 5, 1 - 0.05/35: excludes 0 in %d of %d trials (<= 2)", rejb, trials);
	/* power at the Bonferroni level: x1.5 and x1.25 with 5%% noise */
	for (int t = 0; t < 100; t++) {
		double x[5], y[5], y2[5];

		for (int i = 0; i < 5; i++) {
			x[i] = 1000 * lognormal(0.05);
			y[i] = 1500 * lognormal(0.05);
			y2[i] = 1250 * lognormal(0.05);
		}
		o.seed = (uint64_t)t;
		cs_bootstrap_change(x, 5, y, 5, &o, &ci);
		found += cs_verdict(&ci) == CS_HIGHER;
		cs_bootstrap_change(x, 5, y2, 5, &o, &ci);
		found_small += cs_verdict(&ci) == CS_HIGHER;
	}
	cmp_ok(found, >=, 95, "x1.5 with 5%% noise, 5 vs 5, 1 - 0.05/35: slower in %d of 100", found);
	diag("x1.25 with 5%% noise: slower in %d of 100", found_small);
}

int main(void)
{
	test_distributions();
	test_order_statistics();
	test_rng();
	test_mwu();
	test_bootstrap();
	return done_testing();
}
