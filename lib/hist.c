// SPDX-License-Identifier: GPL-2.0
/*
 * Log-linear (HDR-style) histogram.
 *
 * Bin layout: let p be the position of the highest set bit of (v | 128), so
 * p >= 7, and shift = p - 7.  Then v >> shift is in [128, 256) and
 *
 *	bin = (shift << 7) + (v >> shift)
 *
 * For v < 256 shift is 0 and bin == v (bins 0..255 are exact; 0..127 are
 * the "exact" range of the header and 128..255 the first group, whose bins
 * happen to be one value wide).  For larger v, each power of two [2^p,
 * 2^(p+1)) is split into 128 bins of width 2^shift; since v >= 128 << shift,
 * a bin's width is at most 1/128 of any value in it.  The last bin
 * (p = 63, v >> 56 = 255) is 7423 = HIST_NBINS - 1.
 */
#include <limits.h>
#include <string.h>

#include "hist.h"
#include "json_build.h"

_Static_assert(HIST_NBINS == (64 - HIST_SUB_BITS + 1) * HIST_SUB,
	       "bin layout assumes HIST_NBINS = 58 * 128");

void hist_init(struct hist *h)
{
	memset(h, 0, sizeof(*h));
	h->min = UINT64_MAX;
	h->max = 0;
}

static inline unsigned bin_of(uint64_t v)
{
	unsigned shift = 63u - (unsigned)__builtin_clzll(v | HIST_SUB) -
			 HIST_SUB_BITS;

	return (shift << HIST_SUB_BITS) + (unsigned)(v >> shift);
}

unsigned hist_bin(uint64_t v)
{
	return bin_of(v);
}

void hist_bin_range(unsigned bin, uint64_t *lo, uint64_t *hi)
{
	unsigned shift;
	uint64_t l;

	if (bin >= HIST_NBINS) {	/* no such bin: an empty range */
		*lo = UINT64_MAX;
		*hi = 0;
		return;
	}
	if (bin < 2 * HIST_SUB) {
		*lo = *hi = bin;
		return;
	}
	shift = (bin >> HIST_SUB_BITS) - 1;
	l = (uint64_t)(HIST_SUB + (bin & (HIST_SUB - 1))) << shift;
	*lo = l;
	*hi = l + ((UINT64_C(1) << shift) - 1);	/* last bin: UINT64_MAX */
}

void hist_record(struct hist *h, uint64_t v)
{
	h->bins[bin_of(v)]++;
	h->count++;
	h->sum += v;
	h->min = v < h->min ? v : h->min;
	h->max = v > h->max ? v : h->max;
}

void hist_merge(struct hist *dst, const struct hist *src)
{
	unsigned i;

	if (!src->count)
		return;
	for (i = 0; i < HIST_NBINS; i++)
		dst->bins[i] += src->bins[i];
	if (!dst->count || src->min < dst->min)
		dst->min = src->min;
	if (!dst->count || src->max > dst->max)
		dst->max = src->max;
	dst->count += src->count;
	dst->sum += src->sum;
}

/*
 * Nearest rank ceil(q * count), in [1, count].  q * count is computed in
 * double, and a decimal q such as 0.9999 is not exact in binary, so
 * 0.9999 * 10000 may come out as 9999.000000000002; a tiny relative
 * tolerance keeps that at rank 9999 as the mathematical definition says.
 */
static uint64_t nearest_rank(double q, uint64_t count)
{
	double x = q * (double)count;
	uint64_t r;

	if (!(x >= 1.0))	/* also catches NaN */
		return 1;
	if (x >= (double)count)
		return count;
	r = (uint64_t)x;
	if (x - (double)r > x * 1e-12)
		r++;
	if (r < 1)
		r = 1;
	if (r > count)
		r = count;
	return r;
}

uint64_t hist_quantile(const struct hist *h, double q)
{
	uint64_t rank, cum = 0, lo, hi, mid;
	unsigned i;

	if (!h->count)
		return 0;
	if (!(q > 0.0))
		return h->min;
	if (q >= 1.0)
		return h->max;
	rank = nearest_rank(q, h->count);
	for (i = 0; i < HIST_NBINS; i++) {
		cum += h->bins[i];
		if (cum >= rank)
			break;
	}
	if (i == HIST_NBINS)	/* inconsistent bins vs count */
		return h->max;
	hist_bin_range(i, &lo, &hi);
	mid = lo + (hi - lo) / 2;
	if (mid < h->min)
		mid = h->min;
	if (mid > h->max)
		mid = h->max;
	return mid;
}

double hist_mean(const struct hist *h)
{
	if (!h->count)
		return 0.0;
	return (double)((long double)h->sum / (long double)h->count);
}

json_object *hist_to_json(const struct hist *h, const char *unit)
{
	static const struct {
		const char *key;
		double q;
	} qs[] = {
		{ "p50", 0.5 }, { "p90", 0.9 }, { "p99", 0.99 },
		{ "p99.9", 0.999 }, { "p99.99", 0.9999 },
	};
	json_object *o, *bins;
	int err = 0;

	if (!h->count)
		return NULL;
	o = json_object_new_object();
	err |= jadd_str(o, "unit", unit ? unit : "ns");
	err |= jadd_u64(o, "count", h->count);
	err |= jadd_u64(o, "min", h->min);
	err |= jadd_double(o, "mean", hist_mean(h));
	err |= jadd_u64(o, "max", h->max);
	for (unsigned i = 0; i < sizeof(qs) / sizeof(qs[0]); i++)
		err |= jadd_u64(o, qs[i].key, hist_quantile(h, qs[i].q));
	bins = json_object_new_array();
	for (unsigned i = 0; !err && i < HIST_NBINS; i++) {
		json_object *b;
		uint64_t lo, hi;

		if (!h->bins[i])
			continue;
		hist_bin_range(i, &lo, &hi);
		b = json_object_new_array();
		err |= jpush_u64(b, lo);
		err |= jpush_u64(b, hi);
		err |= jpush_u64(b, h->bins[i]);
		err |= jpush(bins, b);
	}
	err |= jadd(o, "bins", bins);
	return jdone(o, err);
}
