// SPDX-License-Identifier: GPL-2.0
/* Statistics for A/B comparisons: bootstrap interval of the relative change
 * of medians, Mann-Whitney U test.  See include/compare_stats.h. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compare_stats.h"
#include "rng.h"

/* ---- random numbers ---- */

void cs_rng_seed(struct cs_rng *r, uint64_t seed)
{
	xoshiro256ss_seed(r->s, &seed);
	r->has_spare = false;
}

uint64_t cs_rng_u64(struct cs_rng *r)
{
	return xoshiro256ss_next(r->s);
}

uint64_t cs_rng_below(struct cs_rng *r, uint64_t n)
{
	/* Lemire's multiply-shift with rejection: unbiased */
	unsigned __int128 m = (unsigned __int128)cs_rng_u64(r) * n;
	uint64_t l = (uint64_t)m;

	if (l < n) {
		uint64_t t = -n % n;

		while (l < t) {
			m = (unsigned __int128)cs_rng_u64(r) * n;
			l = (uint64_t)m;
		}
	}
	return (uint64_t)(m >> 64);
}

double cs_rng_unit(struct cs_rng *r)
{
	return ((cs_rng_u64(r) >> 11) + 1) * (1.0 / 9007199254740992.0);
}

double cs_rng_normal(struct cs_rng *r)
{
	/* Box-Muller: two values per pair of uniforms */
	double u1, u2, rad;

	if (r->has_spare) {
		r->has_spare = false;
		return r->spare;
	}
	u1 = cs_rng_unit(r);
	u2 = cs_rng_unit(r);
	rad = sqrt(-2.0 * log(u1));
	r->spare = rad * sin(2.0 * M_PI * u2);
	r->has_spare = true;
	return rad * cos(2.0 * M_PI * u2);
}

/* ---- order statistics ---- */

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return a < b ? -1 : a > b;
}

static void sort_doubles(double *v, size_t n)
{
	if (n > 16) {
		qsort(v, n, sizeof(*v), cmp_double);
		return;
	}
	for (size_t i = 1; i < n; i++) {
		double x = v[i];
		size_t j = i;

		while (j > 0 && v[j - 1] > x) {
			v[j] = v[j - 1];
			j--;
		}
		v[j] = x;
	}
}

static double median_sorted(const double *v, size_t n)
{
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double cs_median(const double *v, size_t n)
{
	double *t, m;

	if (!n)
		return NAN;
	t = malloc(n * sizeof(*t));
	if (!t)
		return NAN;
	memcpy(t, v, n * sizeof(*t));
	sort_doubles(t, n);
	m = median_sorted(t, n);
	free(t);
	return m;
}

double cs_quantile_sorted(const double *s, size_t n, double q)
{
	double h, f;
	size_t i;

	if (!n)
		return NAN;
	if (q <= 0)
		return s[0];
	if (q >= 1)
		return s[n - 1];
	h = (double)(n - 1) * q;
	i = (size_t)h;
	f = h - (double)i;
	return i + 1 < n ? s[i] + f * (s[i + 1] - s[i]) : s[i];
}

double cs_rel_change(double a, double b)
{
	if (a == 0)
		return b == 0 ? 0 : b > 0 ? INFINITY : -INFINITY;
	return b / a - 1;
}

/* ---- Student's t and the normal distribution ---- */

/* One step of the modified Lentz method with coefficient aa: updates c and
 * d, returns the factor for h. */
static double lentz_step(double aa, double *c, double *d)
{
	const double tiny = 1e-300;

	*d = 1 + aa * *d;
	if (fabs(*d) < tiny)
		*d = tiny;
	*c = 1 + aa / *c;
	if (fabs(*c) < tiny)
		*c = tiny;
	*d = 1 / *d;
	return *d * *c;
}

/* Continued fraction of the regularized incomplete beta (modified Lentz). */
static double betacf(double a, double b, double x)
{
	const double tiny = 1e-300;
	double qab = a + b, qap = a + 1, qam = a - 1, c = 1, d, h;

	d = 1 - qab * x / qap;
	if (fabs(d) < tiny)
		d = tiny;
	d = 1 / d;
	h = d;
	for (int m = 1; m <= 500; m++) {
		double m2 = 2.0 * m, aa, del;

		aa = m * (b - m) * x / ((qam + m2) * (a + m2));
		h *= lentz_step(aa, &c, &d);
		aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
		del = lentz_step(aa, &c, &d);
		h *= del;
		if (fabs(del - 1) < 1e-15)
			break;
	}
	return h;
}

static double inc_beta(double a, double b, double x)
{
	double bt;

	if (x <= 0)
		return 0;
	if (x >= 1)
		return 1;
	bt = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) +
		 b * log1p(-x));
	if (x < (a + 1) / (a + b + 2))
		return bt * betacf(a, b, x) / a;
	return 1 - bt * betacf(b, a, 1 - x) / b;
}

double cs_t_cdf(double t, double df)
{
	double tail = 0.5 * inc_beta(df / 2, 0.5, df / (df + t * t));

	return t >= 0 ? 1 - tail : tail;
}

double cs_norm_cdf(double x)
{
	return 0.5 * erfc(-x / M_SQRT2);
}

/* Monotone bisection of cdf(x) = p over x > 0 (p > 1/2). */
static double bisect_upper(double (*cdf)(double, double), double df, double p)
{
	double lo = 0, hi = 1;

	while (cdf(hi, df) < p && hi < 1e300)
		hi *= 2;
	for (int i = 0; i < 200 && hi - lo > 1e-13 * hi; i++) {
		double mid = (lo + hi) / 2;

		if (cdf(mid, df) < p)
			lo = mid;
		else
			hi = mid;
	}
	return (lo + hi) / 2;
}

static double norm_cdf2(double x, double unused)
{
	(void)unused;
	return cs_norm_cdf(x);
}

double cs_t_quantile(double p, double df)
{
	if (!(p > 0 && p < 1) || !(df > 0))
		return NAN;
	if (p == 0.5)
		return 0;
	if (p < 0.5)
		return -cs_t_quantile(1 - p, df);
	return bisect_upper(cs_t_cdf, df, p);
}

double cs_norm_quantile(double p)
{
	if (!(p > 0 && p < 1))
		return NAN;
	if (p == 0.5)
		return 0;
	if (p < 0.5)
		return -cs_norm_quantile(1 - p);
	return bisect_upper(norm_cdf2, 0, p);
}

/* ---- bootstrap ---- */

static double resample_median(struct cs_rng *r, const double *x, size_t n,
			      double bw, double *scratch)
{
	for (size_t i = 0; i < n; i++) {
		scratch[i] = x[cs_rng_below(r, n)];
		if (bw > 0)
			scratch[i] += bw * cs_rng_normal(r);
	}
	sort_doubles(scratch, n);
	return median_sorted(scratch, n);
}

/* Pooled standard deviation of the two samples around their own means
 * (df = na + nb - 2). */
static double pooled_sd(const double *x, size_t na, const double *y, size_t nb)
{
	double mx = 0, my = 0, ss = 0;

	for (size_t i = 0; i < na; i++)
		mx += x[i];
	for (size_t i = 0; i < nb; i++)
		my += y[i];
	mx /= (double)na;
	my /= (double)nb;
	for (size_t i = 0; i < na; i++)
		ss += (x[i] - mx) * (x[i] - mx);
	for (size_t i = 0; i < nb; i++)
		ss += (y[i] - my) * (y[i] - my);
	return sqrt(ss / (double)(na + nb - 2));
}

double cs_smooth_bandwidth(double sd, double df, double level)
{
	double q = (1 + level) / 2, r;

	if (!(df >= 1))
		return INFINITY;
	r = cs_t_quantile(q, df) / cs_norm_quantile(q);
	return r > 1 ? sd * sqrt(r * r - 1) : 0;
}

int cs_bootstrap_change(const double *a, size_t na, const double *b, size_t nb,
			const struct cs_boot_opts *o, struct cs_ci *ci)
{
	double *xa = NULL, *xb = NULL, *scratch = NULL, *ch = NULL;
	bool logs = true;
	struct cs_rng rng;
	size_t lo_i, hi_i, R;
	int rc = -1;

	if (!na || !nb || !o || !ci || o->resamples < 1 || !(o->level > 0) ||
	    !(o->level < 1) || !(o->min_bw >= 0))
		return -1;
	memset(ci, 0, sizeof(*ci));
	ci->level = o->level;
	ci->resamples = o->resamples;
	if (o->smooth && na + nb < 3) {
		/* no spread to estimate: the interval is everything */
		ci->lo = -1;
		ci->hi = INFINITY;
		ci->bw = INFINITY;
		return 0;
	}
	R = o->resamples;
	xa = malloc(na * sizeof(*xa));
	xb = malloc(nb * sizeof(*xb));
	scratch = malloc((na > nb ? na : nb) * sizeof(*scratch));
	ch = malloc(R * sizeof(*ch));
	if (!xa || !xb || !scratch || !ch)
		goto out;
	for (size_t i = 0; i < na; i++)
		logs = logs && a[i] > 0;
	for (size_t i = 0; i < nb; i++)
		logs = logs && b[i] > 0;
	for (size_t i = 0; i < na; i++)
		xa[i] = logs ? log(a[i]) : a[i];
	for (size_t i = 0; i < nb; i++)
		xb[i] = logs ? log(b[i]) : b[i];
	ci->log_scale = logs;
	if (o->smooth) {
		double fl = o->min_bw;

		if (!logs)	/* the floor is relative: make it absolute */
			fl *= fmax(fabs(cs_median(a, na)), fabs(cs_median(b, nb)));
		ci->bw = fmax(cs_smooth_bandwidth(pooled_sd(xa, na, xb, nb),
						  (double)(na + nb - 2), o->level),
			      fl);
	}
	cs_rng_seed(&rng, o->seed);
	for (size_t k = 0; k < R; k++) {
		double ma = resample_median(&rng, xa, na, ci->bw, scratch);
		double mb = resample_median(&rng, xb, nb, ci->bw, scratch);

		ch[k] = logs ? expm1(mb - ma) : cs_rel_change(ma, mb);
	}
	qsort(ch, R, sizeof(*ch), cmp_double);
	/* the order statistics at (1 -+ level)/2 of R - 1 gaps, rounded
	 * outwards */
	lo_i = (size_t)floor((1 - o->level) / 2 * (double)(R - 1));
	hi_i = (size_t)ceil((1 + o->level) / 2 * (double)(R - 1));
	if (hi_i > R - 1)
		hi_i = R - 1;
	ci->lo = ch[lo_i];
	ci->hi = ch[hi_i];
	rc = 0;
out:
	free(xa);
	free(xb);
	free(scratch);
	free(ch);
	return rc;
}

/* ---- Mann-Whitney U ---- */

struct tagged {
	double v;
	int grp;	/* 0: a, 1: b */
};

static int cmp_tagged(const void *x, const void *y)
{
	return cmp_double(&((const struct tagged *)x)->v,
			  &((const struct tagged *)y)->v);
}

/* Doubled midranks (integers) of the pooled sample, the doubled rank sum of
 * a, and the tie term sum(t^3 - t). */
static int rank_pool(const double *a, size_t na, const double *b, size_t nb,
		     long *r2, long *w2, double *tie_term, bool *ties)
{
	size_t n = na + nb;
	struct tagged *t = malloc(n * sizeof(*t));

	if (!t)
		return -1;
	for (size_t i = 0; i < na; i++)
		t[i] = (struct tagged){ a[i], 0 };
	for (size_t i = 0; i < nb; i++)
		t[na + i] = (struct tagged){ b[i], 1 };
	qsort(t, n, sizeof(*t), cmp_tagged);
	*w2 = 0;
	*tie_term = 0;
	*ties = false;
	for (size_t i = 0; i < n;) {
		size_t j = i;

		while (j + 1 < n && t[j + 1].v == t[i].v)
			j++;
		/* ranks i+1 .. j+1, midrank (i + j + 2) / 2, doubled */
		for (size_t k = i; k <= j; k++) {
			r2[k] = (long)(i + j + 2);
			if (t[k].grp == 0)
				*w2 += r2[k];
		}
		if (j > i) {
			double c = (double)(j - i + 1);

			*tie_term += c * c * c - c;
			*ties = true;
		}
		i = j + 1;
	}
	free(t);
	return 0;
}

static void mwu_u(size_t na, size_t nb, long w2, struct cs_mwu *out)
{
	/* U_a = W_a - na(na+1)/2, with W_a the (undoubled) rank sum of a */
	out->u_a = (double)w2 / 2 - (double)na * (double)(na + 1) / 2;
	out->u_b = (double)na * (double)nb - out->u_a;
}

static int mwu_normal(size_t na, size_t nb, long w2, double tie_term,
		      struct cs_mwu *out)
{
	double n = (double)(na + nb), mu = (double)na * (double)nb / 2;
	double var = (double)na * (double)nb / 12 *
		     ((n + 1) - tie_term / (n * (n - 1)));
	double d;

	mwu_u(na, nb, w2, out);
	out->exact = false;
	if (!(var > 0)) {	/* every value tied */
		out->z = 0;
		out->p = 1;
		return 0;
	}
	d = fabs(out->u_a - mu) - 0.5;	/* continuity correction */
	if (d < 0)
		d = 0;
	out->z = (out->u_a - mu >= 0 ? d : -d) / sqrt(var);
	out->p = erfc(d / sqrt(var) / M_SQRT2);
	if (out->p > 1)
		out->p = 1;
	return 0;
}

/* The permutation distribution of the doubled rank sum of na of the n
 * pooled items (midranks, so ties are exact too): counts[k][s] of the
 * subsets of size k with sum s, built item by item. */
static int mwu_exact(size_t na, size_t nb, const long *r2, long w2,
		     struct cs_mwu *out)
{
	size_t n = na + nb;
	long maxs = 0, mean2, dev;
	double *cnt, total = 0, tail = 0;

	for (size_t i = 0; i < n; i++)
		maxs += r2[i];
	cnt = calloc((na + 1) * (size_t)(maxs + 1), sizeof(*cnt));
	if (!cnt)
		return -1;
#define C(k, s) cnt[(size_t)(k) * (size_t)(maxs + 1) + (size_t)(s)]
	C(0, 0) = 1;
	for (size_t i = 0; i < n; i++) {
		size_t kmax = i + 1 < na ? i + 1 : na;

		for (size_t k = kmax; k >= 1; k--)
			for (long s = maxs; s >= r2[i]; s--)
				C(k, s) += C(k - 1, s - r2[i]);
	}
	/* E[W2] = na (n + 1); two-sided: as far from it as observed, or
	 * farther, in either direction */
	mean2 = (long)(na * (n + 1));
	dev = labs(w2 - mean2);
	for (long s = 0; s <= maxs; s++) {
		total += C(na, s);
		if (labs(s - mean2) >= dev)
			tail += C(na, s);
	}
#undef C
	free(cnt);
	mwu_u(na, nb, w2, out);
	out->exact = true;
	out->z = 0;
	out->p = total > 0 ? tail / total : 1;
	if (out->p > 1)
		out->p = 1;
	return 0;
}

static int mwu(const double *a, size_t na, const double *b, size_t nb,
	       struct cs_mwu *out, bool force_normal)
{
	long *r2, w2;
	double tie_term;
	int rc;

	if (!na || !nb || !out)
		return -1;
	r2 = malloc((na + nb) * sizeof(*r2));
	if (!r2)
		return -1;
	memset(out, 0, sizeof(*out));
	rc = rank_pool(a, na, b, nb, r2, &w2, &tie_term, &out->ties);
	if (!rc) {
		if (!force_normal && na + nb <= CS_MWU_EXACT_MAX)
			rc = mwu_exact(na, nb, r2, w2, out);
		else
			rc = mwu_normal(na, nb, w2, tie_term, out);
	}
	free(r2);
	return rc;
}

int cs_mann_whitney(const double *a, size_t na, const double *b, size_t nb,
		    struct cs_mwu *out)
{
	return mwu(a, na, b, nb, out, false);
}

int cs_mann_whitney_normal(const double *a, size_t na, const double *b,
			   size_t nb, struct cs_mwu *out)
{
	return mwu(a, na, b, nb, out, true);
}

enum cs_verdict cs_verdict(const struct cs_ci *ci)
{
	if (ci->lo > 0)
		return CS_HIGHER;
	if (ci->hi < 0)
		return CS_LOWER;
	return CS_SAME;
}
