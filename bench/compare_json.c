// SPDX-License-Identifier: GPL-2.0
/*
 * daxbench compare: compare.json (see compare.h): the sides with their
 * environment, the statistics' method, the alerts, every point with its
 * timings and counts (values per run, medians, and the numbers of the
 * table as text), what is only in A or B or not compared, and the totals.
 */
#include <math.h>
#include <stdio.h>

#include "compare.h"
#include "results.h"

static json_object *num_or_null(double v)
{
	return isfinite(v) ? json_object_new_double(v) : NULL;
}

static json_object *series_json(const struct series *s)
{
	json_object *a = json_object_new_array();

	for (size_t i = 0; i < s->n; i++)
		json_object_array_add(a, num_or_null(s->v[i]));
	return a;
}

static json_object *env_of(const struct comparison *cmp, enum side s)
{
	for (size_t i = 0; i < cmp->npoints; i++) {
		json_object *env;

		if (json_object_object_get_ex(cmp->points[i].root[s], "env", &env))
			return json_object_get(env);
	}
	return NULL;
}

static json_object *metric_json(const struct metric *m)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "metric", json_object_new_string(m->name));
	json_object_object_add(o, "label", json_object_new_string(m->label));
	json_object_object_add(o, "unit", json_object_new_string(m->unit));
	json_object_object_add(o, "a", series_json(&m->s[SA]));
	json_object_object_add(o, "b", series_json(&m->s[SB]));
	json_object_object_add(o, "median_a", num_or_null(m->med[SA]));
	json_object_object_add(o, "median_b", num_or_null(m->med[SB]));
	if (m->kind == M_COUNT)
		json_object_object_add(o, "status", json_object_new_string(m->status));
	{
		json_object *t = json_object_new_object();
		char b[64], c1[32], c2[32];

		json_object_object_add(t, "a", json_object_new_string(
			compare_fmt_value(b, sizeof(b), m, m->med[SA])));
		json_object_object_add(t, "b", json_object_new_string(
			compare_fmt_value(b, sizeof(b), m, m->med[SB])));
		if (m->have_stats) {
			json_object_object_add(t, "change", json_object_new_string(
				compare_fmt_pct(b, sizeof(b), m->change)));
			snprintf(b, sizeof(b), "[%s, %s]", compare_fmt_pct(c1, sizeof(c1), m->ci.lo),
				 compare_fmt_pct(c2, sizeof(c2), m->ci.hi));
			json_object_object_add(t, "ci", json_object_new_string(b));
			snprintf(b, sizeof(b), m->mwu.p < 0.001 ? "%.1e" : "%.3f", m->mwu.p);
			json_object_object_add(t, "p", json_object_new_string(b));
		}
		json_object_object_add(o, "text", t);
	}
	if (m->have_stats) {
		json_object *ci = json_object_new_array();

		json_object_array_add(ci, num_or_null(m->ci.lo));
		json_object_array_add(ci, num_or_null(m->ci.hi));
		json_object_object_add(o, "change", num_or_null(m->change));
		if (m->plus_one)
			json_object_object_add(o, "change_of", json_object_new_string("1 + count"));
		if (m->too_few)
			json_object_object_add(o, "ci_note", json_object_new_string(
				"too few runs for a bounded interval (a rank test cannot reach p < 0.05)"));
		json_object_object_add(o, "ci", ci);
		json_object_object_add(o, "bandwidth", num_or_null(m->ci.bw));
		json_object_object_add(o, "u", json_object_new_double(m->mwu.u_a));
		json_object_object_add(o, "p", json_object_new_double(m->mwu.p));
		json_object_object_add(o, "p_method",
			json_object_new_string(m->mwu.exact ? "exact" : "normal"));
		json_object_object_add(o, "verdict", json_object_new_string(compare_verdict_name(m)));
	}
	return o;
}

json_object *compare_json(const struct comparison *cmp, int argc, char **argv)
{
	json_object *root = results_new("compare", argc, argv);
	json_object *sides = json_object_new_object(), *pts, *al, *st, *tj;
	struct totals t;

	for (int s = 0; s < 2; s++) {
		json_object *o = json_object_new_object();
		char rel[256], fs[64];

		compare_side_env(cmp, s, rel, sizeof(rel), fs, sizeof(fs));
		json_object_object_add(o, "dir", json_object_new_string(cmp->dir[s]));
		json_object_object_add(o, "label", json_object_new_string(cmp->label[s]));
		json_object_object_add(o, "kernel", json_object_new_string(rel));
		json_object_object_add(o, "fs", json_object_new_string(fs));
		json_object_object_add(o, "env", env_of(cmp, s));
		json_object_object_add(sides, s == SA ? "a" : "b", o);
	}
	json_object_object_add(root, "sides", sides);
	st = json_object_new_object();
	json_object_object_add(st, "alpha", json_object_new_double(cmp->alpha));
	json_object_object_add(st, "timing_metrics", json_object_new_uint64(cmp->timing_metrics));
	json_object_object_add(st, "ci_level_each", json_object_new_double(cmp->level));
	json_object_object_add(st, "ci_family", json_object_new_string("Bonferroni over the timing metrics"));
	json_object_object_add(st, "ci_method", json_object_new_string(
		"percentile bootstrap of median(B)/median(A)-1, A and B resampled independently, "
		"Gaussian-smoothed on the log scale with the pooled spread widened by t(df)/z"));
	json_object_object_add(st, "resamples", json_object_new_uint64(cmp->resamples));
	json_object_object_add(st, "seed", json_object_new_uint64(cmp->seed));
	json_object_object_add(st, "resolution", json_object_new_double(TIMING_RESOLUTION));
	json_object_object_add(st, "test", json_object_new_string(
		"Mann-Whitney U, two-sided, midranks; exact permutation distribution up to 50 values"));
	json_object_object_add(st, "too_few_runs", json_object_new_string(
		"interval unbounded when an exact rank test could not reach p < 0.05: 2/C(na+nb, na) > 0.05 (3 vs 3, 2 vs 5)"));
	json_object_object_add(st, "verdict_rule", json_object_new_string(
		"same when the CI contains 0; faster when it lies below 0, slower above"));
	json_object_object_add(root, "statistics", st);
	al = json_object_new_array();
	for (size_t i = 0; i < cmp->nalerts; i++) {
		const struct alert *a = &cmp->alerts[i];
		json_object *o = json_object_new_object();

		json_object_object_add(o, "side", json_object_new_string(a->side == SA ? "a" : "b"));
		json_object_object_add(o, "point", json_object_new_string(a->point));
		json_object_object_add(o, "text", json_object_new_string(a->text));
		json_object_array_add(al, o);
	}
	json_object_object_add(root, "alerts", al);
	pts = json_object_new_array();
	for (size_t i = 0; i < cmp->npoints; i++) {
		const struct point *p = &cmp->points[i];
		json_object *o = json_object_new_object(), *tm, *cn, *pa;

		json_object_object_add(o, "name", json_object_new_string(p->name));
		json_object_object_add(o, "command", json_object_new_string(p->command));
		json_object_object_add(o, "params_text", json_object_new_string(p->params));
		if (json_object_object_get_ex(p->root[SA], "params", &pa))
			json_object_object_add(o, "params", json_object_get(pa));
		json_object_object_add(o, "params_differ", p->param_diff[0] ?
			json_object_new_string(p->param_diff) : NULL);
		json_object_object_add(o, "runs_a", json_object_new_uint64(p->runs[SA]));
		json_object_object_add(o, "runs_b", json_object_new_uint64(p->runs[SB]));
		json_object_object_add(o, "min_p", json_object_new_double(compare_min_p(p->runs[SA], p->runs[SB])));
		tm = json_object_new_array();
		cn = json_object_new_array();
		for (size_t j = 0; j < p->nm; j++)
			json_object_array_add(p->m[j].kind == M_TIMING ? tm : cn,
					      metric_json(&p->m[j]));
		json_object_object_add(o, "timings", tm);
		json_object_object_add(o, "counts", cn);
		json_object_array_add(pts, o);
	}
	json_object_object_add(root, "points", pts);
	for (int s = 0; s < 2; s++) {
		json_object *a = json_object_new_array();

		for (size_t i = 0; i < cmp->nonly[s]; i++)
			json_object_array_add(a, json_object_new_string(cmp->only[s][i]));
		json_object_object_add(root, s == SA ? "only_in_a" : "only_in_b", a);
	}
	{
		json_object *a = json_object_new_array();

		for (int s = 0; s < 2; s++)
			for (size_t i = 0; i < cmp->nnc[s]; i++) {
				json_object *o = json_object_new_object();

				json_object_object_add(o, "side", json_object_new_string(
							       s == SA ? "a" : "b"));
				json_object_object_add(o, "file",
						       json_object_new_string(cmp->nc[s][i].name));
				json_object_object_add(o, "command",
						       json_object_new_string(cmp->nc[s][i].command));
				json_object_array_add(a, o);
			}
		json_object_object_add(root, "not_compared", a);
	}
	compare_tally(cmp, &t);
	tj = json_object_new_object();
	json_object_object_add(tj, "timings", json_object_new_uint64(t.timings));
	json_object_object_add(tj, "same", json_object_new_uint64(t.same));
	json_object_object_add(tj, "faster", json_object_new_uint64(t.faster));
	json_object_object_add(tj, "slower", json_object_new_uint64(t.slower));
	json_object_object_add(tj, "counts", json_object_new_uint64(t.counts));
	json_object_object_add(tj, "counts_equal", json_object_new_uint64(t.equal));
	json_object_object_add(tj, "counts_differ", json_object_new_uint64(t.differs));
	json_object_object_add(tj, "counts_vary", json_object_new_uint64(t.varies));
	json_object_object_add(tj, "counts_vary_differ", json_object_new_uint64(t.vary_differ));
	json_object_object_add(tj, "counts_missing", json_object_new_uint64(t.missing));
	json_object_object_add(tj, "alerts", json_object_new_uint64(cmp->nalerts));
	json_object_object_add(root, "totals", tj);
	return root;
}
