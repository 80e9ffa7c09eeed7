// SPDX-License-Identifier: GPL-2.0
/*
 * daxbench compare: the points (see compare.h).  Every result holds
 * runs[repeat]: one array of phase objects (or one object) per repeat.
 * From each phase the rules of its kind (compare_kinds.c) pull timing
 * metrics (one value per repeat) and exact counts, per side; alerts (lost
 * trace events, no DAX, an idle fsync that flushed, a failed verdict) are
 * collected per side, and the parameters that describe a point (and those
 * that differ between A and B) are put in words.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "opts.h"
#include "stats.h"

void *compare_xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p) {
		fprintf(stderr, "%s: out of memory\n", opt_progname());
		exit(1);
	}
	return p;
}

char *compare_xstrdup(const char *s)
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
		s->v = compare_xrealloc(s->v, s->cap * sizeof(*s->v));
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
		p->m = compare_xrealloc(p->m, p->cap * sizeof(*p->m));
	}
	p->m[p->nm] = (struct metric){ .name = compare_xstrdup(name),
		.label = compare_xstrdup(label), .kind = kind, .unit = unit };
	return &p->m[p->nm++];
}

static void add_alert(struct comparison *cmp, enum side s, const char *point,
		      const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void add_alert(struct comparison *cmp, enum side s, const char *point,
		      const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	cmp->alerts = compare_xrealloc(cmp->alerts, (cmp->nalerts + 1) * sizeof(*cmp->alerts));
	cmp->alerts[cmp->nalerts++] = (struct alert){ s, compare_xstrdup(point),
						      compare_xstrdup(buf) };
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

static void run_checks(struct comparison *cmp, struct point *p, enum side sd,
		       const struct kind *k, size_t run, json_object *o,
		       const char *phase)
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
			add_alert(cmp, sd, p->name, "run %zu: %s %lld bytes", run + 1,
				  c->what, (long long)json_object_get_int64(v));
		if (c->kind == C_NOT_FALSE &&
		    json_object_is_type(v, json_type_boolean) &&
		    !json_object_get_boolean(v))
			add_alert(cmp, sd, p->name, "run %zu: %s", run + 1, c->what);
	}
}

static void side_alerts(struct comparison *cmp, struct point *p, enum side sd,
			const struct kind *k)
{
	json_object *root = p->root[sd], *v, *runs;

	if (json_object_object_get_ex(root, "dax", &v) &&
	    json_object_is_type(v, json_type_boolean) && !json_object_get_boolean(v))
		add_alert(cmp, sd, p->name, "the file was not DAX (page-cache baseline)");
	if ((v = compare_path_get(root, "trace.lost_events")) && json_object_get_int64(v) > 0)
		add_alert(cmp, sd, p->name, "%lld trace events were lost: counts incomplete",
			  (long long)json_object_get_int64(v));
	if (json_object_object_get_ex(root, "verdict", &v) &&
	    json_object_is_type(v, json_type_string) &&
	    strcmp(json_object_get_string(v), "pass") &&
	    strcmp(json_object_get_string(v), "ok"))
		add_alert(cmp, sd, p->name, "verdict: %s", json_object_get_string(v));
	if (!json_object_object_get_ex(root, "runs", &runs))
		return;
	for (size_t r = 0; r < json_object_array_length(runs); r++) {
		json_object *run = json_object_array_get_idx(runs, r);

		if (json_object_is_type(run, json_type_object)) {
			run_checks(cmp, p, sd, k, r, run, NULL);
			continue;
		}
		if (!json_object_is_type(run, json_type_array))
			continue;
		for (size_t i = 0; i < json_object_array_length(run); i++) {
			json_object *ph = json_object_array_get_idx(run, i), *n;

			if (json_object_object_get_ex(ph, "name", &n) &&
			    json_object_is_type(n, json_type_string))
				run_checks(cmp, p, sd, k, r, ph, json_object_get_string(n));
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
static void load_points(struct comparison *cmp)
{
	struct cin_side side[2];

	for (int s = 0; s < 2; s++)
		compare_read_dir(cmp->dir[s], &side[s]);
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
				cmp->nc[s] = compare_xrealloc(cmp->nc[s], (cmp->nnc[s] + 1) *
							      sizeof(*cmp->nc[s]));
				cmp->nc[s][cmp->nnc[s]].name = compare_xstrdup(f->name);
				cmp->nc[s][cmp->nnc[s]++].command = f->kind->command;
			} else if (!o || !o->kind) {
				cmp->only[s] = compare_xrealloc(cmp->only[s], (cmp->nonly[s] + 1) *
								sizeof(char *));
				cmp->only[s][cmp->nonly[s]++] = compare_xstrdup(f->name);
			} else if (s == SA) {
				struct point p = { 0 };
				json_object *st;

				p.root[SA] = json_object_get(f->root);
				p.root[SB] = json_object_get(o->root);
				p.name = compare_xstrdup(f->name);
				p.name[strlen(p.name) - 5] = '\0';
				p.command = f->kind->command;
				p.kind = f->kind;
				if (json_object_object_get_ex(p.root[SA], "started", &st))
					p.started = json_object_get_string(st);
				cmp->points = compare_xrealloc(cmp->points, (cmp->npoints + 1) *
							       sizeof(*cmp->points));
				cmp->points[cmp->npoints++] = p;
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
	if (!cmp->npoints && (cmp->nnc[SA] || cmp->nnc[SB])) {
		int s = cmp->nnc[SA] ? SA : SB;

		opt_die(NULL, "nothing to compare in %s and %s: %s/%s is a %s result "
			"(compare compares %s results)", cmp->dir[SA], cmp->dir[SB],
			cmp->dir[s], cmp->nc[s][0].name, cmp->nc[s][0].command,
			compare_kinds_compared());
	}
	if (!cmp->npoints)
		opt_die(NULL, "no result NAME.json present in both %s and %s",
			cmp->dir[SA], cmp->dir[SB]);
	qsort(cmp->points, cmp->npoints, sizeof(*cmp->points), cmp_point);
}

static void extract(struct comparison *cmp, struct point *p)
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
		side_alerts(cmp, p, s, k);
	}
	describe_params(p);
}

void compare_load(struct comparison *cmp)
{
	load_points(cmp);
	for (size_t i = 0; i < cmp->npoints; i++)
		extract(cmp, &cmp->points[i]);
}

void compare_side_env(const struct comparison *cmp, enum side s, char *release,
		      size_t rl, char *fs, size_t fl)
{
	snprintf(release, rl, "unknown");
	snprintf(fs, fl, "unknown");
	for (size_t i = 0; i < cmp->npoints; i++) {
		json_object *env, *v;

		if (!json_object_object_get_ex(cmp->points[i].root[s], "env", &env))
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
