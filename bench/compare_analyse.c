// SPDX-License-Identifier: GPL-2.0
/*
 * daxbench compare: the statistics (see compare.h).  Timings are compared
 * by the relative change of the medians, its bootstrap interval
 * (simultaneous over all timing metrics, Bonferroni) and the Mann-Whitney
 * U test; verdict "same" when the interval contains zero, else "faster" or
 * "slower".  Counts are compared exactly: "differs" when A and B disagree,
 * "varies" when the repeats of one side already disagree (then their
 * medians are compared like timings).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "opts.h"

/* Fewer runs than a two-sided exact rank test needs to reach this p (3
 * against 3, 2 against 5...): no bounded interval, see analyse(). */
#define MIN_REACH 0.05

static bool constant(const struct series *s)
{
	for (size_t i = 1; i < s->n; i++)
		if (s->v[i] != s->v[0])
			return false;
	return s->n > 0;
}

static size_t count_timings(const struct comparison *cmp)
{
	size_t m = 0;

	for (size_t i = 0; i < cmp->npoints; i++)
		for (size_t j = 0; j < cmp->points[i].nm; j++)
			m += cmp->points[i].m[j].kind == M_TIMING &&
			     cmp->points[i].m[j].s[SA].n && cmp->points[i].m[j].s[SB].n;
	return m;
}

/* Complete separation. */
double compare_min_p(size_t na, size_t nb)
{
	double c = 1;

	if (!na || !nb)
		return 1;
	for (size_t i = 1; i <= na; i++)
		c = c * (double)(nb + i) / (double)i;
	return fmin(1, 2 / c);
}

static void analyse(struct metric *m, double level, unsigned resamples,
		    uint64_t seed)
{
	struct series *a = &m->s[SA], *b = &m->s[SB];

	m->med[SA] = cs_median(a->v, a->n);
	m->med[SB] = cs_median(b->v, b->n);
	if (m->kind == M_COUNT) {
		if (!a->n || !b->n)
			m->status = "missing";
		else if (!constant(a) || !constant(b))
			m->status = "varies";
		else
			m->status = a->v[0] == b->v[0] ? "equal" : "differs";
		if (strcmp(m->status, "varies"))
			return;
	}
	if (!a->n || !b->n)
		return;
	m->change = cs_rel_change(m->med[SA], m->med[SB]);
	{
		struct cs_boot_opts o = { .resamples = resamples, .level = level,
			.seed = seed, .smooth = true, .min_bw = TIMING_RESOLUTION };
		struct series x[2] = { *a, *b };
		bool zero = false;

		/* a count of 0 has no ratio: counts with a zero are compared
		 * as 1 + count (timings are never 0) */
		for (int s = 0; s < 2; s++)
			for (size_t i = 0; i < m->s[s].n; i++)
				zero = zero || m->s[s].v[i] <= 0;
		if (zero && m->kind == M_COUNT) {
			for (int s = 0; s < 2; s++) {
				x[s].v = compare_xrealloc(NULL, x[s].n * sizeof(double));
				for (size_t i = 0; i < x[s].n; i++)
					x[s].v[i] = m->s[s].v[i] + 1;
			}
			m->plus_one = true;
			m->change = cs_rel_change(m->med[SA] + 1, m->med[SB] + 1);
		}
		if (cs_bootstrap_change(x[SA].v, x[SA].n, x[SB].v, x[SB].n, &o, &m->ci) ||
		    cs_mann_whitney(a->v, a->n, b->v, b->n, &m->mwu)) {
			fprintf(stderr, "%s: out of memory\n", opt_progname());
			exit(1);
		}
		if (m->plus_one) {
			free(x[SA].v);
			free(x[SB].v);
		}
	}
	/* Too few runs: 3 against 3 are completely separated by chance one
	 * time in ten, and a boot-to-boot effect with two modes (a cache, a
	 * placement) does that to any interval built from the spread.  Below
	 * the runs a rank test needs to reach p < 0.05 at all, the interval is
	 * unbounded. */
	if (compare_min_p(a->n, b->n) > MIN_REACH) {
		m->ci.lo = -1;
		m->ci.hi = INFINITY;
		m->too_few = true;
	}
	m->have_stats = true;
	m->verdict = cs_verdict(&m->ci);
}

/* Bonferroni over the timing metrics: the intervals hold together with
 * probability 1 - alpha; each tail of each interval holds 10 resamples. */
void compare_analyse(struct comparison *cmp)
{
	size_t m = count_timings(cmp);

	cmp->timing_metrics = m;
	cmp->level = 1 - cmp->alpha / (double)(m ? m : 1);
	cmp->resamples = cmp->resamples_min;
	if (cmp->resamples < ceil(20.0 / (1 - cmp->level)) &&
	    ceil(20.0 / (1 - cmp->level)) <= 1e7)
		cmp->resamples = (unsigned)ceil(20.0 / (1 - cmp->level));
	for (size_t i = 0; i < cmp->npoints; i++)
		for (size_t j = 0; j < cmp->points[i].nm; j++)
			analyse(&cmp->points[i].m[j], cmp->level, cmp->resamples,
				cmp->seed + 0x9e3779b97f4a7c15ull * (i * 1000 + j));
}

const char *compare_verdict_name(const struct metric *m)
{
	if (!m->have_stats)
		return "n/a";
	if (m->kind == M_COUNT)
		return m->verdict == CS_SAME ? "same" : m->verdict == CS_LOWER ?
		       "fewer" : "more";
	return m->verdict == CS_SAME ? "same" : m->verdict == CS_LOWER ?
	       "faster" : "slower";
}

void compare_tally(const struct comparison *cmp, struct totals *t)
{
	memset(t, 0, sizeof(*t));
	for (size_t i = 0; i < cmp->npoints; i++) {
		for (size_t j = 0; j < cmp->points[i].nm; j++) {
			const struct metric *m = &cmp->points[i].m[j];

			if (m->kind == M_TIMING) {
				if (!m->have_stats)
					continue;
				t->timings++;
				t->same += m->verdict == CS_SAME;
				t->faster += m->verdict == CS_LOWER;
				t->slower += m->verdict == CS_HIGHER;
			} else {
				t->counts++;
				t->equal += !strcmp(m->status, "equal");
				t->differs += !strcmp(m->status, "differs");
				t->varies += !strcmp(m->status, "varies");
				t->vary_differ += !strcmp(m->status, "varies") &&
						  m->have_stats && m->verdict != CS_SAME;
				t->missing += !strcmp(m->status, "missing");
			}
		}
	}
}
