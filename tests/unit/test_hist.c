// SPDX-License-Identifier: GPL-2.0
/* Unit tests for lib/hist.c: accuracy against exact quantiles, bin layout,
 * merge, JSON, and the empty histogram. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hist.h"
#include "tap.h"

#define N_DATA 200000

static uint64_t rng_state;

static uint64_t rng(void)	/* splitmix64: deterministic across libcs */
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static double rng_unit(void)	/* (0, 1] */
{
	return ((rng() >> 11) + 1) * (1.0 / 9007199254740992.0);
}

enum dist { UNIFORM, UNIFORM_SMALL, LOG_UNIFORM, PARETO, EXTREMES, NDIST };
static const char *const dist_name[] = {
	"uniform 0..10^6", "uniform 0..300", "log-uniform 1ns..10s",
	"pareto alpha=1.1", "extremes",
};

static uint64_t draw(enum dist d)
{
	double x;

	switch (d) {
	case UNIFORM:
		return rng() % 1000000;
	case UNIFORM_SMALL:
		return rng() % 300;
	case LOG_UNIFORM:
		x = exp(log(1.0) + rng_unit() * (log(1e10) - log(1.0)));
		return (uint64_t)x;
	case PARETO:
		x = 1000.0 / pow(rng_unit(), 1.0 / 1.1);
		return x > 1e18 ? (uint64_t)1e18 : (uint64_t)x;
	case EXTREMES:
		switch (rng() % 6) {
		case 0: return 0;
		case 1: return UINT64_MAX - rng() % 1000;
		case 2: return rng();
		case 3: return rng() >> (rng() % 64);
		case 4: return UINT64_C(1) << (rng() % 64);
		default: return rng() % 256;
		}
	default:
		return 0;
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* |rep - exact| <= exact / 128, in exact integer arithmetic. */
static int within(uint64_t rep, uint64_t exact)
{
	unsigned __int128 diff = rep > exact ? rep - exact : exact - rep;

	return diff * 128 <= (unsigned __int128)exact;
}

/* Quantiles as exact decimal fractions num/den. */
static const struct { double q; uint64_t num, den; } quants[] = {
	{ 0.5, 5, 10 }, { 0.9, 9, 10 }, { 0.99, 99, 100 },
	{ 0.999, 999, 1000 }, { 0.9999, 9999, 10000 }, { 1.0, 1, 1 },
};
#define NQ (sizeof(quants) / sizeof(quants[0]))

static void test_accuracy(enum dist d, uint64_t *data, size_t n,
			  struct hist *h)
{
	size_t i, k;

	rng_state = 0x5eed0000ull + d;
	hist_init(h);
	for (i = 0; i < n; i++) {
		data[i] = draw(d);
		hist_record(h, data[i]);
	}
	qsort(data, n, sizeof(*data), cmp_u64);

	for (k = 0; k < NQ; k++) {
		/* nearest rank ceil(q * n), computed exactly */
		uint64_t rank = (n * quants[k].num + quants[k].den - 1) /
				quants[k].den;
		uint64_t exact = data[(rank ? rank : 1) - 1];
		uint64_t rep = hist_quantile(h, quants[k].q);

		ok(within(rep, exact), "%s: q=%g reported %llu, exact %llu",
		   dist_name[d], quants[k].q, (unsigned long long)rep,
		   (unsigned long long)exact);
	}
	ok(hist_quantile(h, 0.0) == data[0] && h->min == data[0] &&
	   h->max == data[n - 1] && h->count == n,
	   "%s: q=0 is min, min/max/count match the data", dist_name[d]);
}

static void test_exact_small(struct hist *h)
{
	uint64_t v;
	int bad = 0;

	for (v = 0; v < 128; v++) {
		uint64_t lo, hi;

		hist_init(h);
		hist_record(h, v);
		hist_bin_range(hist_bin(v), &lo, &hi);
		if (lo != v || hi != v || hist_quantile(h, 0.5) != v ||
		    hist_quantile(h, 0.0) != v || hist_quantile(h, 1.0) != v)
			bad++;
	}
	is(bad, 0, "values 0..127 have one-value bins and report exactly");

	/* a mix of small values: every quantile exact */
	hist_init(h);
	for (v = 0; v < 128; v++)
		for (uint64_t r = 0; r <= v % 5; r++)
			hist_record(h, v);
	bad = 0;
	for (int p = 1; p <= 100; p++) {
		double q = p / 100.0;
		uint64_t rank = (h->count * p + 99) / 100, cum = 0, exact = 0;

		for (v = 0; v < 128; v++) {
			cum += v % 5 + 1;
			if (cum >= rank) {
				exact = v;
				break;
			}
		}
		if (hist_quantile(h, q) != exact)
			bad++;
	}
	is(bad, 0, "mixed values below 128: percentiles 1..100 all exact");
}

static void test_bins(void)
{
	static const uint64_t special[] = {
		0, 1, 127, 128, 129, 255, 256, 257, 1000, 4095, 4096, 4097,
		UINT32_MAX, (uint64_t)UINT32_MAX + 1, UINT64_C(1) << 62,
		(UINT64_C(1) << 63) - 1, UINT64_C(1) << 63,
		(UINT64_C(1) << 63) + 1, UINT64_MAX - 1, UINT64_MAX,
	};
	uint64_t lo, hi, prev_hi = 0;
	unsigned b;
	int bad = 0, badw = 0;
	size_t i;

	for (i = 0; i < sizeof(special) / sizeof(special[0]); i++) {
		b = hist_bin(special[i]);
		hist_bin_range(b, &lo, &hi);
		if (b >= HIST_NBINS || lo > special[i] || hi < special[i]) {
			bad++;
			diag("v=%llu bin %u [%llu, %llu]",
			     (unsigned long long)special[i], b,
			     (unsigned long long)lo, (unsigned long long)hi);
		}
	}
	is(bad, 0, "bins of 0, 127, 128, 129, 2^63, UINT64_MAX... cover them");

	bad = 0;
	rng_state = 42;
	for (i = 0; i < 1000000; i++) {
		uint64_t v = rng() >> (rng() % 64);

		b = hist_bin(v);
		hist_bin_range(b, &lo, &hi);
		if (b >= HIST_NBINS || lo > v || hi < v)
			bad++;
	}
	is(bad, 0, "10^6 random values fall inside their bin's range");

	/* Bins tile [0, UINT64_MAX] in order: no overlap, no gap. */
	bad = 0;
	for (b = 0; b < HIST_NBINS; b++) {
		hist_bin_range(b, &lo, &hi);
		if (lo > hi || (b == 0 ? lo != 0 : lo != prev_hi + 1))
			bad++;
		/* width within 1/128 of the bin's lowest value */
		if (b >= 128 && (unsigned __int128)(hi - lo + 1) * 128 > lo)
			badw++;
		if (hist_bin(lo) != b || hist_bin(hi) != b)
			bad++;
		prev_hi = hi;
	}
	ok(!bad && prev_hi == UINT64_MAX,
	   "%u bins are contiguous, disjoint, and end at UINT64_MAX",
	   HIST_NBINS);
	is(badw, 0, "every bin above 127 is at most 1/128 of its values wide");
}

static void test_merge(uint64_t *data, struct hist *all)
{
	enum { THREADS = 8 };
	struct hist *t = calloc(THREADS + 1, sizeof(*t));
	struct hist *m = &t[THREADS];
	size_t i, n = N_DATA;
	unsigned b;
	int bad = 0;

	if (!t) {
		skip("merge: out of memory");
		skip("merge: out of memory");
		return;
	}
	rng_state = 7;
	hist_init(all);
	for (i = 0; i < THREADS; i++)
		hist_init(&t[i]);
	for (i = 0; i < n; i++) {
		data[i] = draw((enum dist)(i % NDIST));
		hist_record(all, data[i]);
		/* uneven split; thread 3 records nothing */
		unsigned th = (unsigned)(rng() % THREADS);
		hist_record(&t[th == 3 ? 4 : th], data[i]);
	}
	hist_init(m);
	for (i = 0; i < THREADS; i++)
		hist_merge(m, &t[i]);
	for (b = 0; b < HIST_NBINS; b++)
		if (m->bins[b] != all->bins[b])
			bad++;
	ok(!bad && m->count == all->count && m->min == all->min &&
	   m->max == all->max,
	   "merge of %d per-thread histograms equals one histogram "
	   "(bins, count, min, max)", THREADS);
	ok(hist_quantile(m, 0.99) == hist_quantile(all, 0.99) &&
	   fabs(hist_mean(m) - hist_mean(all)) <= 1e-9 * hist_mean(all),
	   "merged p99 and mean equal the single histogram's");
	free(t);
}

static void test_json(struct hist *h)
{
	static const char *const keys[] = {
		"unit", "count", "min", "mean", "max", "p50", "p90", "p99",
		"p99.9", "p99.99", "bins",
	};
	json_object *o, *v = NULL, *bins;
	uint64_t sum = 0, prev_hi = 0;
	size_t i, nb, missing = 0, bad = 0;

	hist_init(h);
	rng_state = 99;
	for (i = 0; i < 10000; i++)
		hist_record(h, draw(LOG_UNIFORM));
	o = hist_to_json(h, "ns");
	if (!ok(o != NULL, "hist_to_json returns an object")) {
		for (i = 0; i < 5; i++)
			skip("no JSON object");
		return;
	}
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!json_object_object_get_ex(o, keys[i], NULL)) {
			diag("missing key %s", keys[i]);
			missing++;
		}
	is(missing, 0, "JSON has all %zu keys", sizeof(keys) / sizeof(keys[0]));

	json_object_object_get_ex(o, "p99", &v);
	ok(v && json_object_is_type(v, json_type_int) &&
	   json_object_get_uint64(v) == hist_quantile(h, 0.99) &&
	   json_object_object_get_ex(o, "mean", &v) &&
	   json_object_is_type(v, json_type_double) &&
	   json_object_object_get_ex(o, "unit", &v) &&
	   !strcmp(json_object_get_string(v), "ns"),
	   "p99 is an integer equal to hist_quantile, mean a double, unit ns");

	bins = NULL;
	json_object_object_get_ex(o, "bins", &bins);
	nb = bins && json_object_is_type(bins, json_type_array) ?
	     json_object_array_length(bins) : 0;
	for (i = 0; i < nb; i++) {
		json_object *b = json_object_array_get_idx(bins, i);
		uint64_t lo, hi, c;

		if (!json_object_is_type(b, json_type_array) ||
		    json_object_array_length(b) != 3) {
			bad++;
			continue;
		}
		lo = json_object_get_uint64(json_object_array_get_idx(b, 0));
		hi = json_object_get_uint64(json_object_array_get_idx(b, 1));
		c = json_object_get_uint64(json_object_array_get_idx(b, 2));
		if (!c || lo > hi || (i && lo <= prev_hi) ||
		    h->bins[hist_bin(lo)] != c)
			bad++;
		prev_hi = hi;
		sum += c;
	}
	ok(nb > 0 && !bad && sum == h->count,
	   "%zu non-empty [lo,hi,count] bins, ascending, counts sum to %llu",
	   nb, (unsigned long long)h->count);

	/* round trip through text */
	{
		json_object *p = json_tokener_parse(
			json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));

		ok(p && json_object_object_get_ex(p, "count", &v) &&
		   json_object_get_uint64(v) == h->count,
		   "JSON text parses back with the same count");
		json_object_put(p);
	}
	json_object_put(o);

	/* values above INT64_MAX survive as unsigned */
	hist_init(h);
	hist_record(h, UINT64_MAX);
	o = hist_to_json(h, "ns");
	ok(o && json_object_object_get_ex(o, "max", &v) &&
	   json_object_get_uint64(v) == UINT64_MAX,
	   "max UINT64_MAX is written as an unsigned integer");
	json_object_put(o);
}

static void test_empty(struct hist *h)
{
	hist_init(h);
	for (int i = 0; i < 1000; i++)
		hist_record(h, UINT64_MAX);
	is(hist_mean(h), (double)UINT64_MAX,
	   "the sum does not overflow: mean of 1000 x UINT64_MAX");

	hist_init(h);
	ok(h->count == 0 && hist_quantile(h, 0.5) == 0 &&
	   hist_quantile(h, 0.0) == 0 && hist_quantile(h, 1.0) == 0 &&
	   hist_mean(h) == 0.0,
	   "empty: count 0, quantiles 0, mean 0");
	ok(hist_to_json(h, "ns") == NULL, "empty: hist_to_json returns NULL");

	struct hist *e = calloc(1, sizeof(*e));

	if (!e) {
		skip("out of memory");
		return;
	}
	hist_init(e);
	hist_record(h, 500);
	hist_record(h, 1000);
	hist_merge(h, e);		/* empty source: no change */
	hist_merge(e, h);		/* into empty: takes min/max */
	ok(h->count == 2 && h->min == 500 && h->max == 1000 &&
	   e->count == 2 && e->min == 500 && e->max == 1000 &&
	   hist_mean(e) == 750.0,
	   "merging with an empty histogram keeps min/max/count/mean");
	free(e);
}

static void time_record(struct hist *h)
{
	enum { N = 1 << 22 };
	uint64_t *v = malloc(N * sizeof(*v));
	struct timespec a, b;
	size_t i;

	if (!v)
		return;
	rng_state = 1234;
	for (i = 0; i < N; i++)
		v[i] = draw(LOG_UNIFORM);
	hist_init(h);
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < N; i++)
		hist_record(h, v[i]);
	clock_gettime(CLOCK_MONOTONIC, &b);
	diag("hist_record: %.2f ns per call (%d log-uniform values; "
	     "informational)",
	     ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / N, N);
	free(v);
}

int main(void)
{
	uint64_t *data = malloc(N_DATA * sizeof(*data));
	struct hist *h = malloc(sizeof(*h));
	int d;

	if (!data || !h) {
		diag("out of memory");
		return 1;
	}
	for (d = 0; d < NDIST; d++)
		test_accuracy((enum dist)d, data, N_DATA, h);
	test_exact_small(h);
	test_bins();
	test_merge(data, h);
	test_json(h);
	test_empty(h);
	time_record(h);
	free(h);
	free(data);
	return done_testing();
}
