// SPDX-License-Identifier: GPL-2.0
/*
 * daxbench compare: the table, on stdout and in compare.txt (see
 * compare.h): per point its timings (A, B, change, interval, p, verdict)
 * and the counts that are not equal, then what is only in A or B or not
 * compared, and the summary.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "compare.h"
#include "stats.h"

const char *compare_fmt_value(char *buf, size_t len, const struct metric *m,
			      double v)
{
	if (!isfinite(v))
		snprintf(buf, len, "-");
	else if (!strcmp(m->unit, "ns"))
		fmt_ns(buf, len, v);
	else if (!strcmp(m->unit, "bytes") && v >= 0 && v == floor(v))
		fmt_bytes(buf, len, (uint64_t)v);
	else if (v == floor(v) && fabs(v) < 1e15)
		snprintf(buf, len, "%.0f", v);
	else
		snprintf(buf, len, "%.4g", v);
	return buf;
}

const char *compare_fmt_pct(char *buf, size_t len, double x)
{
	if (isinf(x))
		snprintf(buf, len, x > 0 ? "+inf" : "-inf");
	else if (fabs(x) >= 10)
		snprintf(buf, len, "%+.0f%%", 100 * x);
	else
		snprintf(buf, len, "%+.1f%%", 100 * x);
	return buf;
}

void compare_print(FILE *f, const struct comparison *cmp)
{
	struct totals t;
	char b1[32], b2[32], b3[32], b4[32], b5[32], ci[80];

	compare_tally(cmp, &t);
	fprintf(f, "daxbench compare: A = %s (%s), B = %s (%s)\n",
		cmp->label[SA], cmp->dir[SA], cmp->label[SB], cmp->dir[SB]);
	for (size_t i = 0; i < cmp->nalerts; i++)
		fprintf(f, "ALERT %s: %s: %s\n", cmp->alerts[i].side == SA ? "A" : "B",
			cmp->alerts[i].point, cmp->alerts[i].text);
	fprintf(f, "timings: median of the per-run values; change = median B / median A - 1;\n"
		"CI: %.0f%% simultaneous over %zu timing metrics (each at %.3f%%, smoothed bootstrap,\n"
		"%u resamples, seed %llu); p: Mann-Whitney U, two-sided; verdict \"same\" when the CI\n"
		"contains 0.  Counts are compared exactly.\n",
		100 * (1 - cmp->alpha), cmp->timing_metrics, 100 * cmp->level,
		cmp->resamples, (unsigned long long)cmp->seed);
	for (size_t i = 0; i < cmp->npoints; i++) {
		const struct point *p = &cmp->points[i];
		size_t eq = 0, nc = 0;

		fprintf(f, "\n== %s (%s: %s; A %zu runs, B %zu runs)\n", p->name,
			p->command, p->params, p->runs[SA], p->runs[SB]);
		if (p->param_diff[0])
			fprintf(f, "parameters differ: %s\n", p->param_diff);
		fprintf(f, "%-30s %9s %9s %8s %18s %7s  %s\n", "timing", "A", "B",
			"change", "CI", "p", "verdict");
		for (size_t j = 0; j < p->nm; j++) {
			const struct metric *mt = &p->m[j];

			if (mt->kind != M_TIMING)
				continue;
			if (!mt->have_stats) {
				fprintf(f, "%-30s %9s %9s  (only in %s)\n", mt->label,
					compare_fmt_value(b1, sizeof(b1), mt, mt->med[SA]),
					compare_fmt_value(b2, sizeof(b2), mt, mt->med[SB]),
					mt->s[SA].n ? "A" : "B");
				continue;
			}
			snprintf(ci, sizeof(ci), "[%s, %s]",
				 compare_fmt_pct(b4, sizeof(b4), mt->ci.lo),
				 compare_fmt_pct(b5, sizeof(b5), mt->ci.hi));
			fprintf(f, "%-30s %9s %9s %8s %18s %7.3f  %s\n", mt->label,
				compare_fmt_value(b1, sizeof(b1), mt, mt->med[SA]),
				compare_fmt_value(b2, sizeof(b2), mt, mt->med[SB]),
				compare_fmt_pct(b3, sizeof(b3), mt->change), ci, mt->mwu.p,
				compare_verdict_name(mt));
		}
		for (size_t j = 0; j < p->nm; j++) {
			const struct metric *mt = &p->m[j];

			if (mt->kind != M_COUNT)
				continue;
			nc++;
			if (!strcmp(mt->status, "equal")) {
				eq++;
				continue;
			}
			fprintf(f, "%-30s %9s %9s  %s%s\n", mt->label,
				compare_fmt_value(b1, sizeof(b1), mt, mt->med[SA]),
				compare_fmt_value(b2, sizeof(b2), mt, mt->med[SB]),
				!strcmp(mt->status, "differs") ? "COUNT DIFFERS" :
				!strcmp(mt->status, "varies") ? "count varies across runs (medians shown)" :
				"count missing on one side",
				!strcmp(mt->status, "varies") && mt->have_stats &&
				mt->verdict != CS_SAME ? ": medians differ" : "");
		}
		fprintf(f, "counts: %zu of %zu equal\n", eq, nc);
	}
	for (int s = 0; s < 2; s++)
		for (size_t i = 0; i < cmp->nonly[s]; i++)
			fprintf(f, "only in %s: %s\n", s == SA ? "A" : "B", cmp->only[s][i]);
	for (int s = 0; s < 2; s++)
		for (size_t i = 0; i < cmp->nnc[s]; i++)
			fprintf(f, "not compared, in %s: %s (a %s result: compare compares %s results)\n",
				s == SA ? "A" : "B", cmp->nc[s][i].name, cmp->nc[s][i].command,
				compare_kinds_compared());
	fprintf(f, "\nsummary: %zu timing metrics: %zu same, %zu faster, %zu slower; "
		"%zu counts: %zu equal, %zu differ, %zu vary (%zu of them with different medians), "
		"%zu missing; %zu alerts; %zu result(s) only in A or B, %zu not compared\n",
		t.timings, t.same, t.faster, t.slower, t.counts, t.equal, t.differs,
		t.varies, t.vary_differ, t.missing, cmp->nalerts,
		cmp->nonly[SA] + cmp->nonly[SB], cmp->nnc[SA] + cmp->nnc[SB]);
}
