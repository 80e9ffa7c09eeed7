// SPDX-License-Identifier: GPL-2.0
/* Seeded store-offset generators: seq, rand, zipf (see pattern.h). */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "pattern.h"
#include "rng.h"

const char *const pattern_names[] = { "seq", "rand", "zipf", NULL };

#define ZETA_EXACT (1ull << 20)

uint64_t pattern_rand64(struct pattern *p)
{
	return xoshiro256ss_next(p->s);
}

static inline uint64_t below(struct pattern *p, uint64_t n)
{
	return (uint64_t)(((unsigned __int128)pattern_rand64(p) * n) >> 64);
}

/* Uniform in [0, 1) with 53 bits. */
static inline double unit(struct pattern *p)
{
	return (double)(pattern_rand64(p) >> 11) * 0x1.0p-53;
}

double pattern_zeta(uint64_t n, double theta)
{
	uint64_t m = n < ZETA_EXACT ? n : ZETA_EXACT;
	double sum = 0, a, b;

	/* smallest terms first: less rounding */
	for (uint64_t i = m; i >= 1; i--)
		sum += pow((double)i, -theta);
	if (n == m)
		return sum;
	/* sum_{i=m+1..n} f(i) = int_m^n f + (f(n) - f(m))/2 + (f'(n) - f'(m))/12
	 * - ..., f(x) = x^-theta; the next term is O(m^-theta-3). */
	a = (double)m;
	b = (double)n;
	sum += (pow(b, 1 - theta) - pow(a, 1 - theta)) / (1 - theta);
	sum += (pow(b, -theta) - pow(a, -theta)) / 2;
	sum += (-theta * pow(b, -theta - 1) + theta * pow(a, -theta - 1)) / 12;
	return sum;
}

static uint64_t gcd(uint64_t a, uint64_t b)
{
	while (b) {
		uint64_t t = a % b;

		a = b;
		b = t;
	}
	return a;
}

/* Rejection-inversion helpers (Hoermann and Derflinger, "Rejection-inversion
 * to generate variates from monotone discrete distributions", 1996). */
static double helper1(double x)	/* log1p(x) / x */
{
	return fabs(x) > 1e-8 ? log1p(x) / x : 1 - x * (0.5 - x * (1.0 / 3 - 0.25 * x));
}

static double helper2(double x)	/* expm1(x) / x */
{
	return fabs(x) > 1e-8 ? expm1(x) / x : 1 + x * 0.5 * (1 + x / 3 * (1 + 0.25 * x));
}

static double h_integral(const struct pattern *p, double x)
{
	double lx = log(x);

	return helper2((1 - p->theta) * lx) * lx;
}

static double h(const struct pattern *p, double x)
{
	return exp(-p->theta * log(x));
}

static double h_integral_inverse(const struct pattern *p, double x)
{
	double t = x * (1 - p->theta);

	if (t < -1)
		t = -1;
	return exp(helper1(t) * x);
}

int pattern_init(struct pattern *p, enum pattern_kind kind, uint64_t n,
		 uint64_t start, double theta, uint64_t seed)
{
	uint64_t x = seed;

	memset(p, 0, sizeof(*p));
	if (n == 0 || kind > PATTERN_ZIPF ||
	    (kind == PATTERN_ZIPF && !(theta > 0 && theta <= PATTERN_ZIPF_THETA_MAX))) {
		errno = EINVAL;
		return -1;
	}
	p->kind = kind;
	p->n = n;
	p->pos = start % n;
	xoshiro256ss_seed(p->s, &x);
	if (kind != PATTERN_ZIPF)
		return 0;
	p->theta = theta;
	p->h_x1 = h_integral(p, 1.5) - 1;
	p->h_n = h_integral(p, (double)n + 0.5);
	p->s_ = 2 - h_integral_inverse(p, h_integral(p, 2.5) - h(p, 2));
	/* scramble: a multiplier coprime with n, a seeded offset */
	p->mul = n == 1 ? 1 : (0x9e3779b97f4a7c15ull ^ splitmix64(&x)) % n;
	if (p->mul == 0)
		p->mul = 1;
	while (gcd(p->mul, n) != 1)
		p->mul = p->mul + 1 == n ? 1 : p->mul + 1;
	p->add = splitmix64(&x) % n;
	return 0;
}

uint64_t pattern_zipf_rank(struct pattern *p)
{
	for (;;) {
		double u = p->h_n + unit(p) * (p->h_x1 - p->h_n);
		double x = h_integral_inverse(p, u);
		double kd = x + 0.5;
		uint64_t k;

		if (kd < 1)
			k = 1;
		else if (kd >= (double)p->n)
			k = p->n;
		else
			k = (uint64_t)kd;
		if ((double)k - x <= p->s_ || u >= h_integral(p, (double)k + 0.5) - h(p, (double)k))
			return k - 1;
	}
}

uint64_t pattern_zipf_slot(const struct pattern *p, uint64_t rank)
{
	return (uint64_t)(((unsigned __int128)p->mul * rank + p->add) % p->n);
}

uint64_t pattern_next(struct pattern *p)
{
	uint64_t v;

	switch (p->kind) {
	case PATTERN_SEQ:
		v = p->pos;
		p->pos = v + 1 == p->n ? 0 : v + 1;
		return v;
	case PATTERN_RAND:
		return below(p, p->n);
	case PATTERN_ZIPF:
	default:
		return pattern_zipf_slot(p, pattern_zipf_rank(p));
	}
}
