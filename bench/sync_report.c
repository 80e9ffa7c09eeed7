// SPDX-License-Identifier: GPL-2.0
/*
 * daxbench sync: the summary over repeats (median, min and max of every
 * run's figures) and the table on stdout, with its sparklines.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "env.h"
#include "pattern.h"
#include "stats.h"
#include "sync.h"

/* ------------------------------------------------------------------ */
/* summary and table                                                    */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Median of the values that are not NaN (mean of the middle two). */
static double med(const double *v, unsigned n)
{
	double *u = xcalloc(n, sizeof(*u)), m;
	unsigned k = 0;

	for (unsigned i = 0; i < n; i++)
		if (!isnan(v[i]))
			u[k++] = v[i];
	qsort(u, k, sizeof(*u), cmp_double);
	m = !k ? NAN : k % 2 ? u[k / 2] : (u[k / 2 - 1] + u[k / 2]) / 2;
	free(u);
	return m;
}

static void minmax(const double *v, unsigned n, double *lo, double *hi)
{
	*lo = NAN;
	*hi = NAN;
	for (unsigned i = 0; i < n; i++) {
		if (isnan(v[i]))
			continue;
		if (isnan(*lo) || v[i] < *lo)
			*lo = v[i];
		if (isnan(*hi) || v[i] > *hi)
			*hi = v[i];
	}
}

static json_object *spread_json(double *v, unsigned n)
{
	json_object *o = json_object_new_object();
	double lo, hi;

	minmax(v, n, &lo, &hi);
	json_object_object_add(o, "median", sync_jdouble(med(v, n)));
	json_object_object_add(o, "min", sync_jdouble(lo));
	json_object_object_add(o, "max", sync_jdouble(hi));
	return o;
}

json_object *sync_summary_json(const struct params *p, struct run_summary *rs)
{
	json_object *o = json_object_new_object(), *bym = json_object_new_object();
	double *v = xcalloc(p->repeat, sizeof(*v));
	uint64_t idle = 0, nostore = 0, nostore_calls = 0, kend = 0, unattr = 0, racing = 0;
	bool exact = true, probe = true, probe_seen = false;

	for (unsigned m = 0; m <= p->nmethods; m++) {
		json_object *x = json_object_new_object();

#define SPREAD(key, field) do {						\
		for (unsigned r = 0; r < p->repeat; r++)		\
			v[r] = rs[r].field;				\
		json_object_object_add(x, key, spread_json(v, p->repeat)); \
	} while (0)
		SPREAD("flush_amplification", amp[m]);
		SPREAD("sync_p50_ns", sync_p50[m]);
		SPREAD("sync_p99_ns", sync_p99[m]);
		SPREAD("stores_per_s", stores_per_s[m]);
		if (m < p->nmethods)
			json_object_object_add(bym, p->methods[m]->name, x);
		else
			json_object_object_add(o, "overall", x);
	}
	json_object_object_add(o, "by_method", bym);
	{
		json_object *x = json_object_new_object();

		SPREAD("store_p50_ns", store_p50);
		SPREAD("write_fault_pte_p50_ns", fault_pte_p50);
		SPREAD("write_fault_pmd_p50_ns", fault_pmd_p50);
		json_object_object_add(o, "stores", x);
	}
#undef SPREAD
	for (unsigned r = 0; r < p->repeat; r++) {
		if (rs[r].idle_flushed > idle)
			idle = rs[r].idle_flushed;
		if (rs[r].no_store_flushed > nostore)
			nostore = rs[r].no_store_flushed;
		if (rs[r].no_store_racing_flushed > racing)
			racing = rs[r].no_store_racing_flushed;
		if (rs[r].kernel_dirty_end > kend)
			kend = rs[r].kernel_dirty_end;
		if (rs[r].unattributed > unattr)
			unattr = rs[r].unattributed;
		nostore_calls += rs[r].no_store_calls;
		exact = exact && rs[r].exact;
		if (rs[r].probe_ok >= 0) {
			probe_seen = true;
			probe = probe && rs[r].probe_ok;
		}
	}
	json_object_object_add(o, "idle_sync_bytes_flushed_max", json_object_new_uint64(idle));
	json_object_object_add(o, "no_store_syncs", json_object_new_uint64(nostore_calls));
	json_object_object_add(o, "no_store_sync_bytes_flushed_max", json_object_new_uint64(nostore));
	json_object_object_add(o, "no_store_racing_sync_bytes_flushed_max", json_object_new_uint64(racing));
	json_object_object_add(o, "unattributed_bytes_max", json_object_new_uint64(unattr));
	json_object_object_add(o, "kernel_dirty_bytes_at_end_max", json_object_new_uint64(kend));
	json_object_object_add(o, "attribution_exact", json_object_new_boolean(exact));
	json_object_object_add(o, "pte_then_pmd_every_page_flushed",
			       probe_seen ? json_object_new_boolean(probe) : NULL);
	free(v);
	return o;
}

static void sparkline(char *out, size_t len, const uint64_t *v, unsigned n)
{
	static const char lv[] = " .:-=+*#%@";
	uint64_t mx = 0;
	size_t o = 0;

	for (unsigned i = 0; i < n; i++)
		if (v[i] > mx)
			mx = v[i];
	for (unsigned i = 0; i < n && o + 1 < len; i++)
		out[o++] = mx ? lv[(v[i] * 9 + mx - 1) / mx] : ' ';
	out[o] = '\0';
}

/* o[key] as a number, 0 when o or the key is absent. */
static uint64_t jget_u64(json_object *o, const char *key)
{
	json_object *v;

	return o && json_object_object_get_ex(o, key, &v) ?
	       (uint64_t)json_object_get_uint64(v) : 0;
}

static void print_header(const struct params *p, const struct env_target *tg,
			 bool dax, bool traced)
{
	char b1[32], b2[32], b3[32], itv[64];

	if (p->every)
		snprintf(itv, sizeof(itv), "every %llu stores%s", (unsigned long long)p->every,
			 p->lockstep ? " (lockstep)" : "");
	else
		snprintf(itv, sizeof(itv), "every %s", fmt_ns(b1, sizeof(b1), (double)p->period_ns));
	printf("daxbench sync: %s on %s (%s, %s, pmem %s), page=%s; %u writer(s) %s %s over %s%s; %u syncer(s) %s %s; %s of %u\n",
	       fmt_bytes(b1, sizeof(b1), p->size), p->opt.dir, tg->fstype,
	       dax ? "dax" : "NO DAX: page-cache baseline", pmem_kind_name(tg->kind),
	       sync_page_names[p->page], p->writers, pattern_names[p->pattern],
	       fmt_bytes(b2, sizeof(b2), p->store_size),
	       fmt_bytes(b3, sizeof(b3), p->working_set),
	       p->rate ? " (rate-limited)" : "", p->syncers, p->sync_text, itv,
	       p->repeat > 1 ? "median" : "run", p->repeat);
	if (!traced)
		printf("(no trace events: flush volume unavailable)\n");
}

/* A line per method (and overall, with more than one): counts from run 1
 * (r0), timings and rates as medians over the repeats (v: room for them). */
static void print_methods(const struct params *p, json_object *r0,
			  const struct run_summary *rs, bool traced, double *v)
{
	char b1[32], b2[32], b3[32], b4[32], b5[32], b6[32];
	json_object *x, *y;

	printf("%-12s %7s %9s %9s %9s %9s %8s %10s %9s %10s\n", "method", "calls",
	       "sync-p50", "sync-p99", "dirtied", "flushed", "amp", "no-store", "idle",
	       "stores/s");
	for (unsigned m = 0; m <= p->nmethods; m++) {
		const char *name = m < p->nmethods ? p->methods[m]->name : "overall";
		json_object *mj = NULL;
		uint64_t calls, dirt, flu, ns, nsf, idle;
		char amp[32] = "-", nst[32] = "-";

		if (m == p->nmethods && p->nmethods == 1)
			break;
		if (json_object_object_get_ex(r0, "sync", &x)) {
			if (m < p->nmethods) {
				if (json_object_object_get_ex(x, "by_method", &y))
					json_object_object_get_ex(y, name, &mj);
			} else {
				json_object_object_get_ex(x, "overall", &mj);
			}
		}
		calls = jget_u64(mj, "calls");
		dirt = jget_u64(mj, "bytes_dirtied");
		flu = jget_u64(mj, "bytes_flushed");
		ns = jget_u64(mj, "no_store_calls");
		nsf = jget_u64(mj, "no_store_bytes_flushed");
		idle = jget_u64(mj, "idle_bytes_flushed");
		for (unsigned r = 0; r < p->repeat; r++)
			v[r] = rs[r].amp[m];
		if (traced && !isnan(med(v, p->repeat)) &&
		    (m == p->nmethods || p->methods[m]->kernel_call))
			snprintf(amp, sizeof(amp), "%.2fx", med(v, p->repeat));
		if (traced)
			snprintf(nst, sizeof(nst), "%llu:%s", (unsigned long long)ns,
				 fmt_bytes(b6, sizeof(b6), nsf));
		for (unsigned r = 0; r < p->repeat; r++)
			v[r] = rs[r].sync_p50[m];
		fmt_ns(b1, sizeof(b1), med(v, p->repeat));
		for (unsigned r = 0; r < p->repeat; r++)
			v[r] = rs[r].sync_p99[m];
		fmt_ns(b2, sizeof(b2), med(v, p->repeat));
		for (unsigned r = 0; r < p->repeat; r++)
			v[r] = rs[r].stores_per_s[m];
		printf("%-12s %7llu %9s %9s %9s %9s %8s %10s %9s %10.0f\n", name,
		       (unsigned long long)calls, b1, b2, fmt_bytes(b3, sizeof(b3), dirt),
		       traced ? fmt_bytes(b4, sizeof(b4), flu) : "-", amp, nst,
		       traced ? fmt_bytes(b5, sizeof(b5), idle) : "-", med(v, p->repeat));
	}
}

/* Store latency, and (DAX) write-fault service times: medians. */
static void print_stores(const struct params *p, const struct run_summary *rs,
			 bool dax, bool traced, double *v)
{
	char b1[32], b2[32], b3[32];

	for (unsigned r = 0; r < p->repeat; r++)
		v[r] = rs[r].store_p50;
	printf("stores: p50 %s", fmt_ns(b1, sizeof(b1), med(v, p->repeat)));
	if (traced && dax) {
		for (unsigned r = 0; r < p->repeat; r++)
			v[r] = rs[r].fault_pte_p50;
		printf("; write faults p50: pte %s", isnan(med(v, p->repeat)) ? "-" :
		       fmt_ns(b2, sizeof(b2), med(v, p->repeat)));
		for (unsigned r = 0; r < p->repeat; r++)
			v[r] = rs[r].fault_pmd_p50;
		printf(", pmd %s", isnan(med(v, p->repeat)) ? "-" :
		       fmt_ns(b3, sizeof(b3), med(v, p->repeat)));
	}
	printf("\n");
}

/* Run 1's attribution identity and its no-store syncs. */
static void print_attribution(json_object *r0, const struct run_summary *rs,
			      bool dax)
{
	char b1[32], b2[32], b3[32];
	json_object *x;

	if (json_object_object_get_ex(r0, "attribution", &x)) {
		uint64_t tot = jget_u64(x, "total_bytes"), cb = jget_u64(x, "calls_bytes");
		uint64_t ub = jget_u64(x, "unattributed_bytes");
		uint64_t te = jget_u64(x, "total_entries");
		printf("flushed (run 1): %llu %s records, %s = calls %s + unattributed %s: %s\n",
		       (unsigned long long)te, dax ? "dax_writeback_one" : "ext4_writepages_result",
		       fmt_bytes(b1, sizeof(b1), tot), fmt_bytes(b2, sizeof(b2), cb),
		       fmt_bytes(b3, sizeof(b3), ub), rs[0].exact ? "exact" : "NOT EXACT");
	}
	if (json_object_object_get_ex(r0, "no_store_syncs", &x)) {
		uint64_t nc = jget_u64(x, "calls"), nb = jget_u64(x, "bytes_flushed");
		uint64_t rc = jget_u64(x, "racing_calls");
		uint64_t rb = jget_u64(x, "racing_bytes_flushed");
		printf("no-store syncs (run 1): %llu flushed %s (must be 0)", (unsigned long long)nc,
		       fmt_bytes(b1, sizeof(b1), nb));
		if (rc)
			printf("; %llu more started while another sync was in flight: flushed %s again",
			       (unsigned long long)rc, fmt_bytes(b2, sizeof(b2), rb));
		printf("\n");
	}
}

/* Run 1's dirty set and bytes flushed over time, as sparklines. */
static void print_dirty_set(json_object *r0, const struct run_summary *rs,
			    bool traced)
{
	uint64_t kd[SERIES_BUCKETS] = { 0 }, fl[SERIES_BUCKETS] = { 0 };
	char line[SERIES_BUCKETS + 1], b1[32], b2[32];
	bool have_kd = false;
	json_object *x, *y;
	unsigned n;

	if (!json_object_object_get_ex(r0, "dirty_set", &x) ||
	    !json_object_object_get_ex(x, "rows", &y))
		return;
	n = (unsigned)json_object_array_length(y);
	for (unsigned i = 0; i < n && i < SERIES_BUCKETS; i++) {
		json_object *row = json_object_array_get_idx(y, i);
		json_object *c3 = json_object_array_get_idx(row, 3);
		json_object *c7 = json_object_array_get_idx(row, 7);

		fl[i] = c3 ? json_object_get_uint64(c3) : 0;
		if (c7) {
			kd[i] = json_object_get_uint64(c7);
			have_kd = true;
		}
	}
	if (have_kd) {
		sparkline(line, sizeof(line), kd, n);
		printf("kernel dirty set over time |%s| max %s, at end %s\n", line,
		       fmt_bytes(b1, sizeof(b1), json_object_get_uint64(
			       json_object_object_get(x, "kernel_dirty_bytes_max"))),
		       fmt_bytes(b2, sizeof(b2), rs[0].kernel_dirty_end));
	}
	if (traced) {
		sparkline(line, sizeof(line), fl, n);
		printf("bytes flushed over time    |%s|\n", line);
	}
}

/* The pte-then-pmd sequence of run 1 (x), mixed mode. */
static void print_pte_then_pmd(const struct params *p, json_object *x)
{
	json_object *ok = json_object_object_get(x, "every_page_flushed");
	json_object *sy = json_object_object_get(x, "sync");
	json_object *c = json_object_object_get(json_object_object_get(x, "pmd_step"), "counts");
	json_object *f = c ? json_object_object_get(c, "faults") : NULL;
	char b1[32];

	printf("pte-then-pmd (chunk 0): %llu pages dirtied through a 4K mapping, %llu through the 2M mapping",
	       (unsigned long long)json_object_get_uint64(json_object_object_get(
		       json_object_object_get(x, "pte_step"), "stores")),
	       (unsigned long long)json_object_get_uint64(json_object_object_get(
		       json_object_object_get(x, "pmd_step"), "stores")));
	if (f)
		printf(" (pmd %llu, fallback %llu, pte %llu faults)",
		       (unsigned long long)json_object_get_uint64(json_object_object_get(f, "pmd_nopage")),
		       (unsigned long long)json_object_get_uint64(json_object_object_get(f, "pmd_fallback")),
		       (unsigned long long)json_object_get_uint64(json_object_object_get(f, "pte_nopage")));
	if (sy && json_object_object_get(sy, "bytes_flushed"))
		printf("; %s flushed %s", p->methods[0]->name, fmt_bytes(b1, sizeof(b1),
		       json_object_get_uint64(json_object_object_get(sy, "bytes_flushed"))));
	printf("; every page dirtied flushed: %s\n", ok ? (json_object_get_boolean(ok) ?
	       "yes" : "NO") : json_object_get_string(json_object_object_get(x, "skipped")) ?
	       "skipped" : "unknown (no DAX trace)");
}

void sync_print_table(const struct params *p, const struct env_target *tg,
			bool dax, bool traced, json_object *runs,
			struct run_summary *rs)
{
	json_object *r0 = json_object_array_get_idx(runs, 0), *x;
	double *v = xcalloc(p->repeat, sizeof(*v));

	print_header(p, tg, dax, traced);
	print_methods(p, r0, rs, traced, v);
	print_stores(p, rs, dax, traced, v);
	if (traced)
		print_attribution(r0, rs, dax);
	print_dirty_set(r0, rs, traced);
	if (p->page == SP_MIXED && json_object_object_get_ex(r0, "pte_then_pmd", &x) && x)
		print_pte_then_pmd(p, x);
	free(v);
}
