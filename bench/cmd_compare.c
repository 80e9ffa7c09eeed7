// SPDX-License-Identifier: GPL-2.0
/*
 * daxbench compare DIR_A DIR_B: compare two result directories point by
 * point (NAME.json present in both), e.g. two kernels.
 *
 * Every result holds runs[repeat]: one array of phase objects (or one
 * object) per repeat.  From each phase a table of rules per command pulls
 *   timing metrics  one value per repeat (a sync time, a store-latency
 *                   percentile of that repeat's histogram), compared by the
 *                   relative change of the medians, its bootstrap interval
 *                   (simultaneous over all timing metrics, Bonferroni) and
 *                   the Mann-Whitney U test; verdict "same" when the
 *                   interval contains zero, else "faster" or "slower"
 *   exact counts    faults by kind, flush entries, bytes flushed: compared
 *                   exactly; "differs" when A and B disagree, "varies" when
 *                   the repeats of one side already disagree
 * and alerts (lost trace events, no DAX, an idle fsync that flushed, a
 * failed verdict) are collected per side.  The rules per kind are in
 * compare_kinds.c; every file of both directories is read and validated
 * against them first (compare_input.c: exit 2 naming the file and the field
 * on the first fault), and a result compare does not compare (flush,
 * stress) or that is in one directory only is listed, never dropped.
 */
#include <errno.h>
#include <limits.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "builtin.h"
#include "compare.h"
#include "compare_stats.h"
#include "opts.h"
#include "results.h"
#include "stats.h"

/* A percentile of one repeat's histogram is within 1/256 of the value (the
 * bins are 1/128 wide): the interval's smoothing never goes below that. */
#define TIMING_RESOLUTION (1.0 / 256)

/* Fewer runs than a two-sided exact rank test needs to reach this p (3
 * against 3, 2 against 5...): no bounded interval, see analyse(). */
#define MIN_REACH 0.05

/* ---- data ---- */

enum side { SA, SB };

struct series {
	double *v;
	size_t n, cap;
};

enum metric_kind { M_TIMING, M_COUNT };

struct metric {
	char *name;		/* "fsync-rewrite.sync_ns" */
	char *label;		/* "fsync-rewrite sync" */
	enum metric_kind kind;
	const char *unit;	/* "ns", "bytes", "" */
	struct series s[2];
	/* results */
	double med[2], change;
	struct cs_ci ci;
	struct cs_mwu mwu;
	bool have_stats;
	bool plus_one;		/* a varying count with zeros: 1 + count */
	bool too_few;		/* too few runs for a bounded interval */
	enum cs_verdict verdict;
	const char *status;	/* counts: equal, differs, varies, missing */
};

struct point {
	char *name;
	const char *command;
	const struct kind *kind;
	json_object *root[2];
	size_t runs[2];
	struct metric *m;
	size_t nm, cap;
	char params[512];	/* "size=64M page=pmd threads=1" (A) */
	char param_diff[512];	/* "page: pmd vs pte" */
	const char *started;
};

struct alert {
	enum side side;
	char *point;
	char *text;
};

static struct {
	const char *dir[2];
	const char *label[2];
	const char *output;
	bool output_exists;		/* --output DIR was there before */
	struct out_target out_json, out_txt;	/* DIR/compare.json, .txt */
	double alpha;
	uint64_t seed;
	unsigned resamples;
	bool quiet;
} opt = { .alpha = 0.05, .seed = 1, .resamples = 10000 };

static struct point *points;
static size_t npoints;
static struct alert *alerts;
static size_t nalerts;
static char **only[2];
static size_t nonly[2];
static struct { char *name; const char *command; } *nc[2];	/* not compared */
static size_t nnc[2];

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p) {
		fprintf(stderr, "%s: out of memory\n", opt_progname());
		exit(1);
	}
	return p;
}

static char *xstrdup(const char *s)
{
	char *d = strdup(s);

	if (!d) {
		fprintf(stderr, "%s: out of memory\n", opt_progname());
		exit(1);
	}
	return d;
}

static void series_add(struct series *s, double v)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 8;
		s->v = xrealloc(s->v, s->cap * sizeof(*s->v));
	}
	s->v[s->n++] = v;
}

static struct metric *metric_get(struct point *p, const char *name,
				 const char *label, enum metric_kind kind,
				 const char *unit)
{
	for (size_t i = 0; i < p->nm; i++)
		if (!strcmp(p->m[i].name, name))
			return &p->m[i];
	if (p->nm == p->cap) {
		p->cap = p->cap ? 2 * p->cap : 32;
		p->m = xrealloc(p->m, p->cap * sizeof(*p->m));
	}
	p->m[p->nm] = (struct metric){ .name = xstrdup(name),
		.label = xstrdup(label), .kind = kind, .unit = unit };
	return &p->m[p->nm++];
}

static void add_alert(enum side s, const char *point, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void add_alert(enum side s, const char *point, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	alerts = xrealloc(alerts, (nalerts + 1) * sizeof(*alerts));
	alerts[nalerts++] = (struct alert){ s, xstrdup(point), xstrdup(buf) };
}

/* ---- extraction ---- */

static bool is_hist(json_object *o)
{
	json_object *x;

	return json_object_is_type(o, json_type_object) &&
	       json_object_object_get_ex(o, "bins", &x) &&
	       json_object_object_get_ex(o, "p50", &x);
}

static bool is_number(json_object *o)
{
	return json_object_is_type(o, json_type_int) ||
	       json_object_is_type(o, json_type_double);
}

static void add_timing(struct point *p, enum side sd, const char *phase,
		       const char *key, const char *label, double v)
{
	char name[256], lab[256];

	snprintf(name, sizeof(name), "%s%s%s", phase, *phase ? "." : "", key);
	snprintf(lab, sizeof(lab), "%s%s%s", phase, *phase ? " " : "", label);
	series_add(&metric_get(p, name, lab, M_TIMING, "ns")->s[sd], v);
}

static void add_count(struct point *p, enum side sd, const char *phase,
		      const char *key, double v)
{
	char name[256], lab[256];
	const char *unit = strstr(key, "bytes") ? "bytes" : "";

	snprintf(name, sizeof(name), "%s%s%s", phase, *phase ? "." : "", key);
	snprintf(lab, sizeof(lab), "%s%s%s", phase, *phase ? " " : "", key);
	series_add(&metric_get(p, name, lab, M_COUNT, unit)->s[sd], v);
}

static void add_hist(struct point *p, enum side sd, const char *phase,
		     const char *key, const char *label, json_object *h)
{
	static const char *const q[] = { "p50", "p99" };
	char k[128], l[128];
	json_object *v;

	for (size_t i = 0; i < 2; i++) {
		if (!json_object_object_get_ex(h, q[i], &v) || !is_number(v))
			continue;
		snprintf(k, sizeof(k), "%s.%s", key, q[i]);
		snprintf(l, sizeof(l), "%s %s", label, q[i]);
		add_timing(p, sd, phase, k, l, json_object_get_double(v));
	}
}

static void extract_phase(struct point *p, enum side sd, const struct kind *k,
			  json_object *ph)
{
	json_object *v;
	const char *phase = "";

	if (json_object_object_get_ex(ph, "name", &v) &&
	    json_object_is_type(v, json_type_string))
		phase = json_object_get_string(v);
	for (const struct rule *r = k->rules; r->key; r++) {
		v = compare_path_get(ph, r->key);
		if (!v || (r->unless && compare_path_get(ph, r->unless)))
			continue;
		switch (r->kind) {
		case R_TIME:
			if (is_number(v))
				add_timing(p, sd, phase, r->key,
					   r->label ? r->label : r->key,
					   json_object_get_double(v));
			break;
		case R_HIST:
			if (is_hist(v))
				add_hist(p, sd, phase, r->key,
					 r->label ? r->label : r->key, v);
			break;
		case R_COUNT:
			if (is_number(v))
				add_count(p, sd, phase, r->key,
					  json_object_get_double(v));
			break;
		case R_COUNTS_IN:
			if (!json_object_is_type(v, json_type_object))
				break;
			json_object_object_foreach(v, ck, cv) {
				char key[128];

				if (!json_object_is_type(cv, json_type_int) ||
				    !compare_count_key(ck))
					continue;
				snprintf(key, sizeof(key), "%s.%s",
					 r->label ? r->label : r->key, ck);
				add_count(p, sd, phase, key,
					  json_object_get_double(cv));
			}
			break;
		}
	}
}

static void run_checks(struct point *p, enum side sd, const struct kind *k,
		       size_t run, json_object *o, const char *phase)
{
	for (const struct check *c = k->checks; c->path; c++) {
		json_object *v;

		if ((c->phase == NULL) != (phase == NULL) ||
		    (phase && strcmp(phase, c->phase)))
			continue;
		v = compare_path_get(o, c->path);
		if (!v)
			continue;
		if (c->kind == C_ZERO && json_object_get_int64(v) != 0)
			add_alert(sd, p->name, "run %zu: %s %lld bytes", run + 1,
				  c->what, (long long)json_object_get_int64(v));
		if (c->kind == C_NOT_FALSE &&
		    json_object_is_type(v, json_type_boolean) &&
		    !json_object_get_boolean(v))
			add_alert(sd, p->name, "run %zu: %s", run + 1, c->what);
	}
}

static void side_alerts(struct point *p, enum side sd, const struct kind *k)
{
	json_object *root = p->root[sd], *v, *runs;

	if (json_object_object_get_ex(root, "dax", &v) &&
	    json_object_is_type(v, json_type_boolean) && !json_object_get_boolean(v))
		add_alert(sd, p->name, "the file was not DAX (page-cache baseline)");
	if ((v = compare_path_get(root, "trace.lost_events")) && json_object_get_int64(v) > 0)
		add_alert(sd, p->name, "%lld trace events were lost: counts incomplete",
			  (long long)json_object_get_int64(v));
	if (json_object_object_get_ex(root, "verdict", &v) &&
	    json_object_is_type(v, json_type_string) &&
	    strcmp(json_object_get_string(v), "pass") &&
	    strcmp(json_object_get_string(v), "ok"))
		add_alert(sd, p->name, "verdict: %s", json_object_get_string(v));
	if (!json_object_object_get_ex(root, "runs", &runs))
		return;
	for (size_t r = 0; r < json_object_array_length(runs); r++) {
		json_object *run = json_object_array_get_idx(runs, r);

		if (json_object_is_type(run, json_type_object)) {
			run_checks(p, sd, k, r, run, NULL);
			continue;
		}
		if (!json_object_is_type(run, json_type_array))
			continue;
		for (size_t i = 0; i < json_object_array_length(run); i++) {
			json_object *ph = json_object_array_get_idx(run, i), *n;

			if (json_object_object_get_ex(ph, "name", &n) &&
			    json_object_is_type(n, json_type_string))
				run_checks(p, sd, k, r, ph, json_object_get_string(n));
		}
	}
}

/* Short "k=v" list of the parameters that describe a point. */
static bool param_skipped(const char *k)
{
	static const char *const skip[] = { "dir", "repeat", "seed", "output",
		"trace_buffer_kb", "rewrite_fraction", NULL };

	for (const char *const *s = skip; *s; s++)
		if (!strcmp(*s, k))
			return true;
	return false;
}

static void param_text(json_object *v, const char *k, char *buf, size_t len)
{
	if (json_object_is_type(v, json_type_int) &&
	    (!strcmp(k, "size") || !strcmp(k, "working_set") ||
	     !strcmp(k, "store_size"))) {
		fmt_bytes(buf, len, (uint64_t)json_object_get_int64(v));
		return;
	}
	if (json_object_is_type(v, json_type_array)) {
		size_t off = 0;

		buf[0] = '\0';
		for (size_t i = 0; i < json_object_array_length(v) && off < len; i++)
			off += snprintf(buf + off, len - off, "%s%s", i ? "," : "",
					json_object_get_string(json_object_array_get_idx(v, i)));
		return;
	}
	snprintf(buf, len, "%s", v ? json_object_get_string(v) : "null");
}

static void describe_params(struct point *p)
{
	json_object *pa = NULL, *pb = NULL, *vb;
	size_t off = 0, doff = 0;

	json_object_object_get_ex(p->root[SA], "params", &pa);
	json_object_object_get_ex(p->root[SB], "params", &pb);
	if (!json_object_is_type(pa, json_type_object))
		return;
	json_object_object_foreach(pa, k, va) {
		char ta[64], tb[64];

		if (param_skipped(k) || !va)
			continue;
		param_text(va, k, ta, sizeof(ta));
		if (off < sizeof(p->params))
			off += snprintf(p->params + off, sizeof(p->params) - off,
					"%s%s=%s", off ? " " : "", k, ta);
		if (!pb || !json_object_object_get_ex(pb, k, &vb))
			snprintf(tb, sizeof(tb), "(none)");
		else
			param_text(vb, k, tb, sizeof(tb));
		if (strcmp(ta, tb) && doff < sizeof(p->param_diff))
			doff += snprintf(p->param_diff + doff,
					 sizeof(p->param_diff) - doff,
					 "%s%s: %s vs %s", doff ? ", " : "", k, ta, tb);
	}
}

static int cmp_point(const void *x, const void *y)
{
	const struct point *a = x, *b = y;
	int c = strcmp(a->started ? a->started : "", b->started ? b->started : "");

	return c ? c : strcmp(a->name, b->name);
}

/* The file of that name on side s, or NULL. */
static const struct cin_file *file_on(const struct cin_side *sd, const char *name)
{
	for (size_t i = 0; i < sd->n; i++)
		if (!strcmp(sd->f[i].name, name))
			return &sd->f[i];
	return NULL;
}

/* Every file of both directories, validated (compare_input.c); the points
 * are the compared results present in both, the rest is listed: only in A
 * or B, or not compared (a flush or stress result).  Nothing is dropped. */
static void load_points(void)
{
	struct cin_side side[2];

	for (int s = 0; s < 2; s++)
		compare_read_dir(opt.dir[s], &side[s]);
	for (int s = 0; s < 2; s++) {
		for (size_t i = 0; i < side[s].n; i++) {
			const struct cin_file *f = &side[s].f[i], *o;

			if (!f->kind)
				continue;	/* env.json */
			o = file_on(&side[!s], f->name);
			if (s == SA && o && o->kind &&
			    strcmp(o->kind->command, f->kind->command))
				opt_die(NULL, "%s: a '%s' result in DIR_A but a '%s' result in DIR_B",
					f->name, f->kind->command, o->kind->command);
			if (!f->kind->compared) {
				nc[s] = xrealloc(nc[s], (nnc[s] + 1) * sizeof(*nc[s]));
				nc[s][nnc[s]].name = xstrdup(f->name);
				nc[s][nnc[s]++].command = f->kind->command;
			} else if (!o || !o->kind) {
				only[s] = xrealloc(only[s], (nonly[s] + 1) * sizeof(char *));
				only[s][nonly[s]++] = xstrdup(f->name);
			} else if (s == SA) {
				struct point p = { 0 };
				json_object *st;

				p.root[SA] = json_object_get(f->root);
				p.root[SB] = json_object_get(o->root);
				p.name = xstrdup(f->name);
				p.name[strlen(p.name) - 5] = '\0';
				p.command = f->kind->command;
				p.kind = f->kind;
				if (json_object_object_get_ex(p.root[SA], "started", &st))
					p.started = json_object_get_string(st);
				points = xrealloc(points, (npoints + 1) * sizeof(*points));
				points[npoints++] = p;
			}
		}
	}
	for (int s = 0; s < 2; s++) {
		for (size_t i = 0; i < side[s].n; i++) {
			json_object_put(side[s].f[i].root);
			free(side[s].f[i].name);
		}
		free(side[s].f);
	}
	if (!npoints && (nnc[SA] || nnc[SB])) {
		int s = nnc[SA] ? SA : SB;

		opt_die(NULL, "nothing to compare in %s and %s: %s/%s is a %s result "
			"(compare compares %s results)", opt.dir[SA], opt.dir[SB],
			opt.dir[s], nc[s][0].name, nc[s][0].command,
			compare_kinds_compared());
	}
	if (!npoints)
		opt_die(NULL, "no result NAME.json present in both %s and %s",
			opt.dir[SA], opt.dir[SB]);
	qsort(points, npoints, sizeof(*points), cmp_point);
}

static void extract(struct point *p)
{
	const struct kind *k = p->kind;

	for (int s = 0; s < 2; s++) {
		json_object *runs;

		json_object_object_get_ex(p->root[s], "runs", &runs);
		p->runs[s] = json_object_array_length(runs);
		for (size_t r = 0; r < p->runs[s]; r++) {
			json_object *run = json_object_array_get_idx(runs, r);

			if (json_object_is_type(run, json_type_array)) {
				for (size_t i = 0; i < json_object_array_length(run); i++) {
					json_object *ph = json_object_array_get_idx(run, i);

					if (json_object_is_type(ph, json_type_object))
						extract_phase(p, s, k, ph);
				}
			} else if (json_object_is_type(run, json_type_object)) {
				extract_phase(p, s, k, run);
			}
		}
		side_alerts(p, s, k);
	}
	describe_params(p);
}

/* ---- statistics ---- */

static bool constant(const struct series *s)
{
	for (size_t i = 1; i < s->n; i++)
		if (s->v[i] != s->v[0])
			return false;
	return s->n > 0;
}

static size_t count_timings(void)
{
	size_t m = 0;

	for (size_t i = 0; i < npoints; i++)
		for (size_t j = 0; j < points[i].nm; j++)
			m += points[i].m[j].kind == M_TIMING &&
			     points[i].m[j].s[SA].n && points[i].m[j].s[SB].n;
	return m;
}

/* The smallest two-sided p the exact rank test can give for na vs nb
 * values (complete separation): 2 / C(na + nb, na). */
static double min_p(size_t na, size_t nb)
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
				x[s].v = xrealloc(NULL, x[s].n * sizeof(double));
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
	if (min_p(a->n, b->n) > MIN_REACH) {
		m->ci.lo = -1;
		m->ci.hi = INFINITY;
		m->too_few = true;
	}
	m->have_stats = true;
	m->verdict = cs_verdict(&m->ci);
}

static const char *verdict_name(const struct metric *m)
{
	if (!m->have_stats)
		return "n/a";
	if (m->kind == M_COUNT)
		return m->verdict == CS_SAME ? "same" : m->verdict == CS_LOWER ?
		       "fewer" : "more";
	return m->verdict == CS_SAME ? "same" : m->verdict == CS_LOWER ?
	       "faster" : "slower";
}

/* ---- output ---- */

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

static const char *fmt_value(char *buf, size_t len, const struct metric *m,
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

static const char *fmt_pct(char *buf, size_t len, double x)
{
	if (isinf(x))
		snprintf(buf, len, x > 0 ? "+inf" : "-inf");
	else if (fabs(x) >= 10)
		snprintf(buf, len, "%+.0f%%", 100 * x);
	else
		snprintf(buf, len, "%+.1f%%", 100 * x);
	return buf;
}

static void side_env(enum side s, char *release, size_t rl, char *fs,
		     size_t fl)
{
	snprintf(release, rl, "unknown");
	snprintf(fs, fl, "unknown");
	for (size_t i = 0; i < npoints; i++) {
		json_object *env, *v;

		if (!json_object_object_get_ex(points[i].root[s], "env", &env))
			continue;
		if (json_object_object_get_ex(env, "kernel", &v) &&
		    json_object_object_get_ex(v, "release", &v) && v)
			snprintf(release, rl, "%s", json_object_get_string(v));
		if (json_object_object_get_ex(env, "target", &v) &&
		    json_object_object_get_ex(v, "fstype", &v) && v)
			snprintf(fs, fl, "%s", json_object_get_string(v));
		return;
	}
}

static json_object *env_of(enum side s)
{
	for (size_t i = 0; i < npoints; i++) {
		json_object *env;

		if (json_object_object_get_ex(points[i].root[s], "env", &env))
			return json_object_get(env);
	}
	return NULL;
}

struct totals {
	size_t timings, same, faster, slower, counts, equal, differs, varies,
	       vary_differ, missing;
};

static void tally(struct totals *t)
{
	memset(t, 0, sizeof(*t));
	for (size_t i = 0; i < npoints; i++) {
		for (size_t j = 0; j < points[i].nm; j++) {
			const struct metric *m = &points[i].m[j];

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

static void print_text(FILE *f, double level, unsigned resamples, size_t m)
{
	struct totals t;
	char b1[32], b2[32], b3[32], b4[32], b5[32], ci[80];

	tally(&t);
	fprintf(f, "daxbench compare: A = %s (%s), B = %s (%s)\n",
		opt.label[SA], opt.dir[SA], opt.label[SB], opt.dir[SB]);
	for (size_t i = 0; i < nalerts; i++)
		fprintf(f, "ALERT %s: %s: %s\n", alerts[i].side == SA ? "A" : "B",
			alerts[i].point, alerts[i].text);
	fprintf(f, "timings: median of the per-run values; change = median B / median A - 1;\n"
		"CI: %.0f%% simultaneous over %zu timing metrics (each at %.3f%%, smoothed bootstrap,\n"
		"%u resamples, seed %llu); p: Mann-Whitney U, two-sided; verdict \"same\" when the CI\n"
		"contains 0.  Counts are compared exactly.\n",
		100 * (1 - opt.alpha), m, 100 * level, resamples,
		(unsigned long long)opt.seed);
	for (size_t i = 0; i < npoints; i++) {
		const struct point *p = &points[i];
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
					fmt_value(b1, sizeof(b1), mt, mt->med[SA]),
					fmt_value(b2, sizeof(b2), mt, mt->med[SB]),
					mt->s[SA].n ? "A" : "B");
				continue;
			}
			snprintf(ci, sizeof(ci), "[%s, %s]",
				 fmt_pct(b4, sizeof(b4), mt->ci.lo),
				 fmt_pct(b5, sizeof(b5), mt->ci.hi));
			fprintf(f, "%-30s %9s %9s %8s %18s %7.3f  %s\n", mt->label,
				fmt_value(b1, sizeof(b1), mt, mt->med[SA]),
				fmt_value(b2, sizeof(b2), mt, mt->med[SB]),
				fmt_pct(b3, sizeof(b3), mt->change), ci, mt->mwu.p,
				verdict_name(mt));
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
				fmt_value(b1, sizeof(b1), mt, mt->med[SA]),
				fmt_value(b2, sizeof(b2), mt, mt->med[SB]),
				!strcmp(mt->status, "differs") ? "COUNT DIFFERS" :
				!strcmp(mt->status, "varies") ? "count varies across runs (medians shown)" :
				"count missing on one side",
				!strcmp(mt->status, "varies") && mt->have_stats &&
				mt->verdict != CS_SAME ? ": medians differ" : "");
		}
		fprintf(f, "counts: %zu of %zu equal\n", eq, nc);
	}
	for (int s = 0; s < 2; s++)
		for (size_t i = 0; i < nonly[s]; i++)
			fprintf(f, "only in %s: %s\n", s == SA ? "A" : "B", only[s][i]);
	for (int s = 0; s < 2; s++)
		for (size_t i = 0; i < nnc[s]; i++)
			fprintf(f, "not compared, in %s: %s (a %s result: compare compares %s results)\n",
				s == SA ? "A" : "B", nc[s][i].name, nc[s][i].command,
				compare_kinds_compared());
	fprintf(f, "\nsummary: %zu timing metrics: %zu same, %zu faster, %zu slower; "
		"%zu counts: %zu equal, %zu differ, %zu vary (%zu of them with different medians), "
		"%zu missing; %zu alerts; %zu result(s) only in A or B, %zu not compared\n",
		t.timings, t.same, t.faster, t.slower, t.counts, t.equal, t.differs,
		t.varies, t.vary_differ, t.missing, nalerts, nonly[SA] + nonly[SB],
		nnc[SA] + nnc[SB]);
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
			fmt_value(b, sizeof(b), m, m->med[SA])));
		json_object_object_add(t, "b", json_object_new_string(
			fmt_value(b, sizeof(b), m, m->med[SB])));
		if (m->have_stats) {
			json_object_object_add(t, "change", json_object_new_string(
				fmt_pct(b, sizeof(b), m->change)));
			snprintf(b, sizeof(b), "[%s, %s]", fmt_pct(c1, sizeof(c1), m->ci.lo),
				 fmt_pct(c2, sizeof(c2), m->ci.hi));
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
		json_object_object_add(o, "verdict", json_object_new_string(verdict_name(m)));
	}
	return o;
}

static json_object *to_json(int argc, char **argv, double level,
			    unsigned resamples, size_t m)
{
	json_object *root = results_new("compare", argc, argv);
	json_object *sides = json_object_new_object(), *pts, *al, *st, *tj;
	struct totals t;

	for (int s = 0; s < 2; s++) {
		json_object *o = json_object_new_object();
		char rel[256], fs[64];

		side_env(s, rel, sizeof(rel), fs, sizeof(fs));
		json_object_object_add(o, "dir", json_object_new_string(opt.dir[s]));
		json_object_object_add(o, "label", json_object_new_string(opt.label[s]));
		json_object_object_add(o, "kernel", json_object_new_string(rel));
		json_object_object_add(o, "fs", json_object_new_string(fs));
		json_object_object_add(o, "env", env_of(s));
		json_object_object_add(sides, s == SA ? "a" : "b", o);
	}
	json_object_object_add(root, "sides", sides);
	st = json_object_new_object();
	json_object_object_add(st, "alpha", json_object_new_double(opt.alpha));
	json_object_object_add(st, "timing_metrics", json_object_new_uint64(m));
	json_object_object_add(st, "ci_level_each", json_object_new_double(level));
	json_object_object_add(st, "ci_family", json_object_new_string("Bonferroni over the timing metrics"));
	json_object_object_add(st, "ci_method", json_object_new_string(
		"percentile bootstrap of median(B)/median(A)-1, A and B resampled independently, "
		"Gaussian-smoothed on the log scale with the pooled spread widened by t(df)/z"));
	json_object_object_add(st, "resamples", json_object_new_uint64(resamples));
	json_object_object_add(st, "seed", json_object_new_uint64(opt.seed));
	json_object_object_add(st, "resolution", json_object_new_double(TIMING_RESOLUTION));
	json_object_object_add(st, "test", json_object_new_string(
		"Mann-Whitney U, two-sided, midranks; exact permutation distribution up to 50 values"));
	json_object_object_add(st, "too_few_runs", json_object_new_string(
		"interval unbounded when an exact rank test could not reach p < 0.05: 2/C(na+nb, na) > 0.05 (3 vs 3, 2 vs 5)"));
	json_object_object_add(st, "verdict_rule", json_object_new_string(
		"same when the CI contains 0; faster when it lies below 0, slower above"));
	json_object_object_add(root, "statistics", st);
	al = json_object_new_array();
	for (size_t i = 0; i < nalerts; i++) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "side", json_object_new_string(alerts[i].side == SA ? "a" : "b"));
		json_object_object_add(o, "point", json_object_new_string(alerts[i].point));
		json_object_object_add(o, "text", json_object_new_string(alerts[i].text));
		json_object_array_add(al, o);
	}
	json_object_object_add(root, "alerts", al);
	pts = json_object_new_array();
	for (size_t i = 0; i < npoints; i++) {
		const struct point *p = &points[i];
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
		json_object_object_add(o, "min_p", json_object_new_double(min_p(p->runs[SA], p->runs[SB])));
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

		for (size_t i = 0; i < nonly[s]; i++)
			json_object_array_add(a, json_object_new_string(only[s][i]));
		json_object_object_add(root, s == SA ? "only_in_a" : "only_in_b", a);
	}
	{
		json_object *a = json_object_new_array();

		for (int s = 0; s < 2; s++)
			for (size_t i = 0; i < nnc[s]; i++) {
				json_object *o = json_object_new_object();

				json_object_object_add(o, "side", json_object_new_string(
							       s == SA ? "a" : "b"));
				json_object_object_add(o, "file",
						       json_object_new_string(nc[s][i].name));
				json_object_object_add(o, "command",
						       json_object_new_string(nc[s][i].command));
				json_object_array_add(a, o);
			}
		json_object_object_add(root, "not_compared", a);
	}
	tally(&t);
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
	json_object_object_add(tj, "alerts", json_object_new_uint64(nalerts));
	json_object_object_add(root, "totals", tj);
	return root;
}

/* ---- command line ---- */

static void usage(FILE *f)
{
	fprintf(f,
"usage: daxbench compare DIR_A DIR_B [options]\n"
"  Compares every NAME.json result present in both directories (e.g. the\n"
"  same suite on two kernels): timings by the change of their medians with a\n"
"  bootstrap interval (simultaneous over all timing metrics) and a\n"
"  Mann-Whitney U test, exact counts exactly.\n"
"  --output DIR       write DIR/compare.json and DIR/compare.txt (DIR: an\n"
"                     existing directory, or a new one; not stdout)\n"
"  --alpha A          family-wise error of the intervals (default 0.05: 95%%)\n"
"  --seed N           bootstrap seed (default 1)\n"
"  --resamples N      bootstrap resamples, at least 2000 (default 10000; raised\n"
"                     so that each tail of each interval holds 10 of them)\n"
"  --label-a TEXT     name of A in tables (default: its kernel release)\n"
"  --label-b TEXT     name of B\n"
"  --quiet            no table on stdout\n"
OUT_TARGET_HELP);
}

/* The two files of --output DIR (DIR exists): each a new name, a regular
 * file or a link to one (output_target.h). */
static void output_files(void)
{
	static char json[PATH_MAX + 16], txt[PATH_MAX + 16];

	snprintf(json, sizeof(json), "%s/compare.json", opt.output);
	snprintf(txt, sizeof(txt), "%s/compare.txt", opt.output);
	out_target_check(&opt.out_json, "--output", json, "is not a file of DIR");
	out_target_check(&opt.out_txt, "--output", txt, "is not a file of DIR");
}

static void parse(int argc, char **argv)
{
	static const struct opt_def defs[] = {
		{ { "output", required_argument, NULL, 'o' }, "dir-out", NULL },
		{ { "alpha", required_argument, NULL, 'a' }, "number", "0.05" },
		{ { "seed", required_argument, NULL, 's' }, "uint", "1" },
		{ { "resamples", required_argument, NULL, 'r' }, "uint", "2000" },
		{ { "label-a", required_argument, NULL, 'A' }, "text", "A" },
		{ { "label-b", required_argument, NULL, 'B' }, "text", "B" },
		{ { "quiet", no_argument, NULL, 'q' }, "flag", NULL },
		{ { "help", no_argument, NULL, 'h' }, "flag", NULL },
		OPT_DEF_END,
	};
	int c;

	while ((c = opt_getopt(argc, argv, defs)) != -1) {
		switch (c) {
		case 'o': opt.output = optarg; break;
		case 'a': {
			char *end;

			errno = 0;
			opt.alpha = strtod(optarg, &end);
			if (errno || end == optarg || *end || !(opt.alpha > 0) ||
			    !(opt.alpha <= 0.5))
				opt_die("--alpha", "'%s' is not a number in (0, 0.5]", optarg);
			break;
		}
		case 's': opt.seed = opt_uint("--seed", optarg, 0, UINT64_MAX); break;
		case 'r': opt.resamples = opt_uint("--resamples", optarg, 2000, 10000000); break;
		case 'A':
		case 'B':
			if (!*optarg)
				opt_die(c == 'A' ? "--label-a" : "--label-b", "is empty");
			opt.label[c == 'A' ? SA : SB] = optarg;
			break;
		case 'q': opt.quiet = true; break;
		case 'h': usage(stdout); exit(0);
		default:  opt_getopt_fail(c, argv);
		}
	}
	if (argc - optind != 2)
		opt_die(NULL, "expected two result directories DIR_A DIR_B, got %d argument(s) (see --help)",
			argc - optind);
	opt.dir[SA] = argv[optind];
	opt.dir[SB] = argv[optind + 1];
	for (int s = 0; s < 2; s++) {
		struct stat st;

		if (stat(opt.dir[s], &st) || !S_ISDIR(st.st_mode))
			opt_die(s == SA ? "DIR_A" : "DIR_B", "'%s' is not a directory",
				opt.dir[s]);
	}
	if (opt.output) {	/* created when the results are written */
		out_dir_check("--output", opt.output, &opt.output_exists);
		if (opt.output_exists)
			output_files();
	}
}

int cmd_compare(int argc, char **argv)
{
	char rel[2][256], fs[2][64], lab[2][400];
	double level;
	size_t m;
	unsigned resamples;
	json_object *root;
	int rc = 0;

	parse(argc, argv);
	load_points();
	for (size_t i = 0; i < npoints; i++)
		extract(&points[i]);
	for (int s = 0; s < 2; s++)
		side_env(s, rel[s], sizeof(rel[s]), fs[s], sizeof(fs[s]));
	for (int s = 0; s < 2; s++) {
		if (opt.label[s])
			continue;
		if (strcmp(fs[SA], fs[SB]))
			snprintf(lab[s], sizeof(lab[s]), "%.300s %.60s", rel[s], fs[s]);
		else
			snprintf(lab[s], sizeof(lab[s]), "%.300s", rel[s]);
		opt.label[s] = lab[s];
	}

	/* Bonferroni over the timing metrics: the intervals hold together
	 * with probability 1 - alpha */
	m = count_timings();
	level = 1 - opt.alpha / (double)(m ? m : 1);
	resamples = opt.resamples;
	if (resamples < ceil(20.0 / (1 - level)) && ceil(20.0 / (1 - level)) <= 1e7)
		resamples = (unsigned)ceil(20.0 / (1 - level));
	for (size_t i = 0; i < npoints; i++)
		for (size_t j = 0; j < points[i].nm; j++)
			analyse(&points[i].m[j], level, resamples,
				opt.seed + 0x9e3779b97f4a7c15ull * (i * 1000 + j));

	if (!opt.quiet)
		print_text(stdout, level, resamples, m);
	if (opt.output) {
		FILE *f;

		if (!opt.output_exists) {
			if (mkdir(opt.output, 0755) && errno != EEXIST) {
				fprintf(stderr, "%s: --output: cannot create %s: %s\n",
					opt_progname(), opt.output, strerror(errno));
				return 1;
			}
			output_files();
		}
		root = to_json(argc, argv, level, resamples, m);
		if (results_save(&opt.out_json, root))
			rc = 1;
		json_object_put(root);
		f = out_begin(&opt.out_txt);
		if (f)
			print_text(f, level, resamples, m);
		if (!f || out_end(&opt.out_txt)) {
			out_abandon(&opt.out_txt);
			out_target_report(&opt.out_txt);
			rc = 1;
		}
	}
	return rc;
}
