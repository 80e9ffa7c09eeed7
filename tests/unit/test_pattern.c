// SPDX-License-Identifier: GPL-2.0
/* Unit tests for lib/pattern.c: ranges, determinism, seq order, uniformity
 * of rand (chi-square), the Zipf law of zipf (rank frequencies against
 * 1 / (i^theta zeta(n))), the scramble being a bijection, zeta's
 * Euler-Maclaurin tail against an exact sum. */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pattern.h"
#include "tap.h"

static bool in_range(enum pattern_kind k, uint64_t n, uint64_t seed, int draws)
{
	struct pattern p;

	if (pattern_init(&p, k, n, 0, 0.99, seed))
		return false;
	for (int i = 0; i < draws; i++)
		if (pattern_next(&p) >= n)
			return false;
	return true;
}

static bool same_stream(enum pattern_kind k, uint64_t n, uint64_t s1, uint64_t s2,
			int draws)
{
	struct pattern a, b;

	pattern_init(&a, k, n, 0, 0.99, s1);
	pattern_init(&b, k, n, 0, 0.99, s2);
	for (int i = 0; i < draws; i++)
		if (pattern_next(&a) != pattern_next(&b))
			return false;
	return true;
}

static bool bijection(uint64_t n, uint64_t seed)
{
	struct pattern p;
	uint8_t *seen = calloc(n, 1);
	bool good = true;

	pattern_init(&p, PATTERN_ZIPF, n, 0, 0.9, seed);
	for (uint64_t r = 0; r < n && good; r++) {
		uint64_t s = pattern_zipf_slot(&p, r);

		if (s >= n || seen[s])
			good = false;
		else
			seen[s] = 1;
	}
	free(seen);
	return good;
}

static void test_init(void)
{
	struct pattern p;

	errno = 0;
	ok(pattern_init(&p, PATTERN_RAND, 0, 0, 0.99, 1) == -1 && errno == EINVAL,
	   "n = 0 is refused (EINVAL)");
	ok(pattern_init(&p, PATTERN_ZIPF, 10, 0, 10.5, 1) == -1 &&
	   pattern_init(&p, PATTERN_ZIPF, 10, 0, 0.0, 1) == -1 &&
	   pattern_init(&p, PATTERN_ZIPF, 10, 0, -1.0, 1) == -1 &&
	   pattern_init(&p, PATTERN_ZIPF, 10, 0, NAN, 1) == -1 &&
	   pattern_init(&p, PATTERN_ZIPF, 10, 0, 1.0, 1) == 0,
	   "zipf theta outside (0, 10] is refused, 1.0 is fine");
	is(pattern_init(&p, PATTERN_SEQ, 10, 0, 7.0, 1), 0,
	   "theta is not looked at for seq");
}

static void test_seq(void)
{
	struct pattern p;
	int bad = 0;

	pattern_init(&p, PATTERN_SEQ, 10, 7, 0, 0);
	for (int i = 0; i < 25; i++)
		if (pattern_next(&p) != (uint64_t)(7 + i) % 10)
			bad++;
	is(bad, 0, "seq starts at start %% n and wraps: 7 8 9 0 1 ...");
	pattern_init(&p, PATTERN_SEQ, 1, 0, 0, 0);
	ok(pattern_next(&p) == 0 && pattern_next(&p) == 0, "seq over one slot");
}

static void test_ranges_determinism(void)
{
	/* a fixed vector: the stream must not change between builds */
	struct pattern q;
	uint64_t v[4];

	ok(in_range(PATTERN_RAND, 1, 3, 1000) && in_range(PATTERN_RAND, 3, 3, 10000) &&
	   in_range(PATTERN_RAND, 1ull << 40, 3, 10000), "rand stays in [0, n)");
	ok(in_range(PATTERN_ZIPF, 1, 3, 1000) && in_range(PATTERN_ZIPF, 2, 3, 10000) &&
	   in_range(PATTERN_ZIPF, 16384, 3, 100000) && in_range(PATTERN_ZIPF, 1ull << 34, 3, 10000),
	   "zipf stays in [0, n), n from 1 to 2^34");
	ok(same_stream(PATTERN_RAND, 16384, 42, 42, 10000) &&
	   same_stream(PATTERN_ZIPF, 16384, 42, 42, 10000),
	   "the same seed gives the same sequence (rand, zipf)");
	ok(!same_stream(PATTERN_RAND, 16384, 42, 43, 100) &&
	   !same_stream(PATTERN_ZIPF, 16384, 42, 43, 100),
	   "another seed gives another sequence");
	pattern_init(&q, PATTERN_RAND, 1000000, 0, 0, 1);
	for (int i = 0; i < 4; i++)
		v[i] = pattern_next(&q);
	diag("rand(n=1e6, seed=1) starts %llu %llu %llu %llu", (unsigned long long)v[0],
	     (unsigned long long)v[1], (unsigned long long)v[2], (unsigned long long)v[3]);
	pattern_init(&q, PATTERN_RAND, 1000000, 0, 0, 1);
	ok(pattern_next(&q) == v[0] && pattern_next(&q) == v[1],
	   "re-initialising restarts the stream");
}

/* rand is uniform: chi-square over 64 buckets, 640000 draws; the 99.9th
 * percentile of chi2 with 63 degrees of freedom is 103.4 */
static void test_rand_uniform(void)
{
	struct pattern p;
	uint64_t cnt[64] = { 0 };
	double chi = 0, e = 10000;

	pattern_init(&p, PATTERN_RAND, 64 * 1000, 0, 0, 7);
	for (int i = 0; i < 640000; i++)
		cnt[pattern_next(&p) / 1000]++;
	for (int i = 0; i < 64; i++)
		chi += (cnt[i] - e) * (cnt[i] - e) / e;
	diag("rand chi-square (63 dof) = %.1f", chi);
	cmp_ok(chi, <, 103.4, "rand is uniform (chi-square %.1f < 103.4)", chi);
}

static void test_zeta(void)
{
	double exact = 0;
	uint64_t n = (1ull << 20) + 123457;

	for (uint64_t i = n; i >= 1; i--)
		exact += pow((double)i, -0.99);
	cmp_ok(fabs(pattern_zeta(n, 0.99) - exact) / exact, <, 1e-10,
	       "zeta beyond 2^20 terms (Euler-Maclaurin tail) within 1e-10 of the exact sum");
	is_near(pattern_zeta(3, 0.5), 1 + 1 / sqrt(2) + 1 / sqrt(3), 1e-12,
		"zeta(3, 0.5) exact");
}

/* zipf: rank frequencies follow the law, for theta below, at and above 1 */
static void test_zipf_law(void)
{
	static const double thetas[] = { 0.5, 0.99, 1.0, 1.5 };
	enum { N = 1000, DRAWS = 400000 };
	uint64_t *cnt = calloc(N, sizeof(*cnt));
	struct pattern p;

	for (size_t t = 0; t < sizeof(thetas) / sizeof(thetas[0]); t++) {
		double th = thetas[t], z = pattern_zeta(N, th), worst = 0, chi = 0;
		double rest = 0, crest = 0;

		memset(cnt, 0, N * sizeof(*cnt));
		pattern_init(&p, PATTERN_ZIPF, N, 0, th, 11 + t);
		for (int i = 0; i < DRAWS; i++)
			cnt[pattern_zipf_rank(&p)]++;
		for (int r = 0; r < 8; r++) {
			double want = DRAWS / (pow(r + 1, th) * z);
			double rel = fabs((double)cnt[r] - want) / want;

			if (rel > worst)
				worst = rel;
		}
		/* chi-square over ranks 0..49 and the rest as one bin */
		for (int r = 0; r < N; r++) {
			double want = DRAWS / (pow(r + 1, th) * z);

			if (r < 50)
				chi += ((double)cnt[r] - want) * ((double)cnt[r] - want) / want;
			else {
				rest += want;
				crest += (double)cnt[r];
			}
		}
		chi += (crest - rest) * (crest - rest) / rest;
		diag("zipf theta %.2f: rank 0 drawn %llu times, expected %.0f; ranks 0-7 off by at most %.2f%%; chi-square (50 dof) %.1f",
		     th, (unsigned long long)cnt[0], DRAWS / z, worst * 100, chi);
		/* 99.9th percentile of chi2(50) is 86.7 */
		ok(worst < 0.05 && chi < 86.7,
		   "zipf theta %.2f follows 1/((i+1)^theta zeta(n)): ranks 0-7 within 5%%, chi-square %.1f < 86.7",
		   th, chi);
	}
	ok(cnt[0] > cnt[1] && cnt[1] > cnt[2] && cnt[2] > cnt[10] && cnt[10] > cnt[500],
	   "zipf: hotter ranks are drawn more often");
	free(cnt);
}

/* zipf scrambled: hot slots are not all at the start */
static void test_zipf_scramble(void)
{
	enum { N = 16384 };
	uint64_t *cnt = calloc(N, sizeof(*cnt)), top = 0, first_pmd = 0;
	struct pattern p;

	pattern_init(&p, PATTERN_ZIPF, N, 0, 0.99, 5);
	for (int i = 0; i < 200000; i++)
		cnt[pattern_next(&p)]++;
	for (int i = 0; i < N; i++)
		if (cnt[i] > cnt[top])
			top = (uint64_t)i;
	for (int i = 0; i < 512; i++)
		first_pmd += cnt[i];
	is(top, pattern_zipf_slot(&p, 0), "the most drawn slot is rank 0's slot (%llu)",
	   (unsigned long long)top);
	cmp_ok(first_pmd, <, 200000 / 4,
	       "scrambled: the first 512 slots get %llu of 200000 draws, not most",
	       (unsigned long long)first_pmd);
	free(cnt);
	ok(bijection(1, 1) && bijection(2, 1) && bijection(1000, 3) && bijection(1024, 9) &&
	   bijection(12288, 77), "zipf scramble is a bijection of [0, n) (n = 1, 2, 1000, 1024, 12288)");
	ok(bijection(3 * 5 * 7 * 11 * 13, 4), "... also for n with many small factors (15015)");
}

int main(void)
{
	test_init();
	test_seq();
	test_ranges_determinism();
	test_rand_uniform();
	test_zeta();
	test_zipf_law();
	test_zipf_scramble();
	return done_testing();
}
