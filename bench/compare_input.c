// SPDX-License-Identifier: GPL-2.0
/*
 * daxbench compare: reading a result directory (see compare.h).  Every
 * *.json is read whole and parsed with json-c's strict tokener: it must be
 * exactly one JSON value (nothing but blanks after it, no NUL byte), then
 * it is validated against what its kind holds (compare_kinds.c): the
 * members compare reads must be there with their types, numbers finite,
 * counts whole, not negative and exact in a double.  The first fault ends
 * the program with one line naming the file and the field, exit 2: a file
 * compare cannot read is never dropped from a comparison.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compare.h"
#include "opts.h"

#define MAX_FILE (256u << 20)	/* far above any result daxbench writes */
#define MAX_COUNT 9007199254740992.0	/* 2^53: exact in a double */

static void die(const char *file, const char *where, const char *fmt, ...)
	__attribute__((format(printf, 3, 4), noreturn));

/* "FILE: WHERE: message", exit 2 (opt_die: one line). */
static void die(const char *file, const char *where, const char *fmt, ...)
{
	char msg[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (where && *where)
		opt_die(NULL, "%s: %s: %s", file, where, msg);
	opt_die(NULL, "%s: %s", file, msg);
}

/* ---- reading: one JSON value, nothing else ---- */

static char *read_file(const char *path, size_t *len)
{
	struct stat st;
	char *buf;
	size_t off = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		die(path, NULL, "cannot read: %s", strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		int e = errno;

		close(fd);
		if (S_ISDIR(st.st_mode))
			die(path, NULL, "cannot read: it is a directory");
		die(path, NULL, "cannot read: %s", e ? strerror(e) : "not a regular file");
	}
	if ((uint64_t)st.st_size > MAX_FILE) {
		close(fd);
		die(path, NULL, "%llu bytes: larger than any result (%u MiB at most)",
		    (unsigned long long)st.st_size, MAX_FILE >> 20);
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		die(path, NULL, "out of memory");
	for (;;) {
		ssize_t n = read(fd, buf + off, (size_t)st.st_size - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;

			close(fd);
			die(path, NULL, "cannot read: %s", strerror(e));
		}
		if (n == 0 || (off += (size_t)n) == (size_t)st.st_size)
			break;
	}
	close(fd);
	buf[off] = '\0';
	*len = off;
	return buf;
}

static unsigned line_of(const char *buf, size_t off)
{
	unsigned line = 1;

	for (size_t i = 0; i < off; i++)
		line += buf[i] == '\n';
	return line;
}

static json_object *parse(const char *path, const char *buf, size_t len)
{
	struct json_tokener *tok = json_tokener_new();
	enum json_tokener_error e;
	const char *nul = memchr(buf, '\0', len);
	json_object *o;
	size_t end;

	if (!tok)
		die(path, NULL, "out of memory");
	if (nul)
		die(path, NULL, "a NUL byte at byte %zu (line %u): not a JSON text",
		    (size_t)(nul - buf), line_of(buf, (size_t)(nul - buf)));
	if (strspn(buf, " \t\r\n") == len)
		die(path, NULL, "empty: no JSON value");
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	o = json_tokener_parse_ex(tok, buf, (int)len);
	e = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	if (e == json_tokener_continue) {
		/* a bare number or literal ends only at the end of input */
		o = json_tokener_parse_ex(tok, " ", 1);
		e = json_tokener_get_error(tok);
		end = len;
	}
	if (e == json_tokener_continue) {
		json_tokener_free(tok);
		die(path, NULL, "truncated: the JSON value is not complete at its end "
		    "(byte %zu, line %u)", len, line_of(buf, len));
	}
	if (e != json_tokener_success) {
		/* the strict tokener goes on after a complete value: was what
		 * came before the bad byte one whole value? */
		json_object *first;

		json_tokener_reset(tok);
		first = end ? json_tokener_parse_ex(tok, buf, (int)end) : NULL;
		if (first && json_tokener_get_error(tok) == json_tokener_success) {
			json_object_put(first);
			json_tokener_free(tok);
			die(path, NULL, "more after the JSON value, at byte %zu (line %u)",
			    end, line_of(buf, end));
		}
		json_object_put(first);
		json_tokener_free(tok);
		die(path, NULL, "not valid JSON at byte %zu (line %u): %s", end,
		    line_of(buf, end < len ? end : len), json_tokener_error_desc(e));
	}
	json_tokener_free(tok);
	if (end < len && strspn(buf + end, " \t\r\n") != len - end) {
		end += strspn(buf + end, " \t\r\n");
		json_object_put(o);
		die(path, NULL, "more after the JSON value, at byte %zu (line %u)", end,
		    line_of(buf, end));
	}
	return o;
}

/* ---- validation ---- */

/* What v is, for a message: "a string", "-3", "inf", "null"... */
static const char *what(json_object *v, char *buf, size_t len)
{
	switch (json_object_get_type(v)) {
	case json_type_null: return "null";
	case json_type_boolean: return "a boolean";
	case json_type_string: return "a string";
	case json_type_array: return "an array";
	case json_type_object: return "an object";
	case json_type_int:
		snprintf(buf, len, "%s", json_object_to_json_string(v));
		return buf;
	case json_type_double:
		snprintf(buf, len, "%g", json_object_get_double(v));
		return buf;
	}
	return "?";
}

static void expect(const char *file, const char *where, json_object *v,
		   const char *want)
{
	char b[64];

	die(file, where, "expected %s, got %s", want, what(v, b, sizeof(b)));
}

/* "WHERE.KEY" into buf (cut short if it must: it is for a message). */
static const char *member(char *buf, size_t len, const char *where,
			  const char *key)
{
	int n = snprintf(buf, len, "%s%s%s", where, *where ? "." : "", key);

	if (n < 0 || (size_t)n >= len)
		buf[len - 1] = '\0';
	return buf;
}

static bool is_number(json_object *v)
{
	return json_object_is_type(v, json_type_int) ||
	       json_object_is_type(v, json_type_double);
}

/* A finite number >= 0 (a timing, a rate). */
static void want_nonneg(const char *file, const char *where, json_object *v)
{
	double d = json_object_get_double(v);

	if (!is_number(v) || !isfinite(d) || d < 0 ||
	    (json_object_is_type(v, json_type_int) &&
	     json_object_get_int64(v) == INT64_MAX))
		expect(file, where, v, "a finite number >= 0");
}

/* A count: a whole number, 0 <= v <= 2^53.  json-c saturates an integer
 * beyond 64 bits to INT64_MAX or UINT64_MAX: too large either way. */
static void want_count(const char *file, const char *where, json_object *v)
{
	double d = json_object_get_double(v);

	if (!json_object_is_type(v, json_type_int))
		expect(file, where, v, "a whole number >= 0 (a count)");
	if (json_object_get_int64(v) < 0)
		expect(file, where, v, "a whole number >= 0 (a count)");
	if (d > MAX_COUNT)
		expect(file, where, v, "a count of at most 2^53 (exact in a double)");
}

static void want_type(const char *file, const char *where, json_object *v,
		      enum json_type t, const char *name)
{
	if (!json_object_is_type(v, t))
		expect(file, where, v, name);
}

/* The member at a dotted path under o (where: o's place), every member on
 * the way an object: NULL when absent or null.  *at gets its place. */
static json_object *walk(const char *file, json_object *o, const char *where,
			 const char *path, char *at, size_t atlen)
{
	char key[128];

	snprintf(at, atlen, "%s", where ? where : "");
	while (o && *path) {
		size_t n = strcspn(path, ".");
		char here[256];

		if (json_object_is_type(o, json_type_null))
			return NULL;
		if (!json_object_is_type(o, json_type_object))
			expect(file, at, o, "an object");
		snprintf(key, sizeof(key), "%.*s", (int)n, path);
		snprintf(here, sizeof(here), "%s", at);
		member(at, atlen, here, key);
		if (!json_object_object_get_ex(o, key, &o))
			return NULL;
		path += n + (path[n] == '.');
	}
	return json_object_is_type(o, json_type_null) ? NULL : o;
}

/* A histogram (hist_to_json): p50, p99 and bins there; every number in it
 * (count, min, mean, max, the percentiles) finite and >= 0, the count
 * whole; bins an array of [lo, hi, n], n a count. */
static void want_hist(const char *file, const char *where, json_object *h)
{
	static const char *const q[] = { "p50", "p99", "bins" };
	char at[256], bat[300];
	json_object *v;

	want_type(file, where, h, json_type_object,
		  "a histogram (an object with p50, p99 and bins)");
	for (size_t i = 0; i < 3; i++)
		if (!json_object_object_get_ex(h, q[i], &v))
			die(file, member(at, sizeof(at), where, q[i]),
			    "missing (a histogram has p50, p99 and bins)");
	json_object_object_foreach(h, key, m) {
		member(at, sizeof(at), where, key);
		if (!strcmp(key, "unit") && json_object_is_type(m, json_type_string))
			continue;
		if (!strcmp(key, "bins")) {
			want_type(file, at, m, json_type_array, "an array of bins");
			for (size_t b = 0; b < json_object_array_length(m); b++) {
				json_object *bin = json_object_array_get_idx(m, b);

				snprintf(bat, sizeof(bat), "%s[%zu]", at, b);
				if (!json_object_is_type(bin, json_type_array) ||
				    json_object_array_length(bin) != 3)
					expect(file, bat, bin, "a bin [lo, hi, count]");
				for (size_t k = 0; k < 3; k++) {
					snprintf(bat, sizeof(bat), "%s[%zu][%zu]", at, b, k);
					if (k == 2)
						want_count(file, bat, json_object_array_get_idx(bin, k));
					else
						want_nonneg(file, bat, json_object_array_get_idx(bin, k));
				}
			}
		} else if (!strcmp(key, "count")) {
			want_count(file, at, m);
		} else {
			want_nonneg(file, at, m);
		}
	}
}

static bool listed(const char *const *v, const char *s)
{
	for (; *v; v++)
		if (!strcmp(*v, s))
			return true;
	return false;
}

/* A count group: counts (and rates, ratios, times) by member; a word only
 * where the kind says so; a histogram; null. */
static void want_counts_in(const char *file, const char *where, json_object *g,
			   const struct kind *k)
{
	want_type(file, where, g, json_type_object, "an object of counts");
	json_object_object_foreach(g, key, v) {
		char at[256];

		member(at, sizeof(at), where, key);
		if (!v)
			continue;
		if (json_object_is_type(v, json_type_object)) {
			want_hist(file, at, v);
			continue;
		}
		if (listed(k->text, key)) {	/* a word, such as "method" */
			want_type(file, at, v, json_type_string, "a string");
			continue;
		}
		if (compare_count_key(key))
			want_count(file, at, v);
		else
			want_nonneg(file, at, v);
	}
}

/* One phase (RUN_PHASES) or run (RUN_OBJECT) object at where. */
static void want_phase(const char *file, const char *where, json_object *ph,
		       const struct kind *k)
{
	json_object *v, *name = NULL;
	char at[256];

	for (const char *const *r = k->required; *r; r++)
		if (!walk(file, ph, where, *r, at, sizeof(at)))
			die(file, at, "missing (every %s %s holds it)", k->command,
			    k->shape == RUN_PHASES ? "phase" : "run");
	for (const struct rule *r = k->rules; r->key; r++) {
		v = walk(file, ph, where, r->key, at, sizeof(at));
		if (!v)
			continue;
		switch (r->kind) {
		case R_TIME: want_nonneg(file, at, v); break;
		case R_HIST: want_hist(file, at, v); break;
		case R_COUNT: want_count(file, at, v); break;
		case R_COUNTS_IN: want_counts_in(file, at, v, k); break;
		}
	}
	json_object_object_get_ex(ph, "name", &name);
	for (const struct check *c = k->checks; c->path; c++) {
		if (c->phase ? !name || strcmp(json_object_get_string(name), c->phase) :
		    k->shape != RUN_OBJECT)
			continue;
		v = walk(file, ph, where, c->path, at, sizeof(at));
		if (v && c->kind == C_ZERO)
			want_count(file, at, v);
		if (v && c->kind == C_NOT_FALSE)
			want_type(file, at, v, json_type_boolean, "a boolean");
	}
}

static void want_run(const char *file, size_t r, json_object *run,
		     const struct kind *k)
{
	char where[64];

	snprintf(where, sizeof(where), "runs[%zu]", r);
	if (k->shape == RUN_OBJECT) {
		want_type(file, where, run, json_type_object, "an object (one run)");
		want_phase(file, where, run, k);
		return;
	}
	want_type(file, where, run, json_type_array, "an array of phases");
	if (!json_object_array_length(run))
		die(file, where, "no phase");
	for (size_t i = 0; i < json_object_array_length(run); i++) {
		json_object *ph = json_object_array_get_idx(run, i), *name;
		char at[96];

		snprintf(at, sizeof(at), "runs[%zu][%zu]", r, i);
		want_type(file, at, ph, json_type_object, "an object (one phase)");
		if (!json_object_object_get_ex(ph, "name", &name) || !name)
			die(file, at, "a phase without a name");
		snprintf(at, sizeof(at), "runs[%zu][%zu].name", r, i);
		want_type(file, at, name, json_type_string, "a string");
		if (!*json_object_get_string(name))
			die(file, at, "an empty phase name");
		for (size_t j = 0; j < i; j++) {
			json_object *other = json_object_array_get_idx(run, j), *on;

			if (json_object_object_get_ex(other, "name", &on) &&
			    !strcmp(json_object_get_string(on), json_object_get_string(name)))
				die(file, at, "phase '%s' twice in this run",
				    json_object_get_string(name));
		}
		snprintf(at, sizeof(at), "runs[%zu][%zu]", r, i);
		want_phase(file, at, ph, k);
	}
}

/* The environment: daxbench env's output (env.json), or a result's "env". */
static void want_env(const char *file, const char *where, json_object *env,
		     bool required)
{
	char at[128];
	json_object *v;

	want_type(file, where, env, json_type_object, "an object (the environment)");
	v = walk(file, env, where, "kernel", at, sizeof(at));
	if (!v && required)
		die(file, at, "missing (the environment names the kernel)");
	if (v)
		want_type(file, at, v, json_type_object, "an object");
	if ((v = walk(file, env, where, "kernel.release", at, sizeof(at))))
		want_type(file, at, v, json_type_string, "a string");
	else if (required)
		die(file, at, "missing (the environment names the kernel)");
	if ((v = walk(file, env, where, "target", at, sizeof(at))))
		want_type(file, at, v, json_type_object, "an object");
	if ((v = walk(file, env, where, "target.fstype", at, sizeof(at))))
		want_type(file, at, v, json_type_string, "a string");
}

static const struct kind *want_result(const char *file, json_object *o)
{
	const struct kind *k;
	json_object *v, *runs;
	char at[128];

	want_type(file, NULL, o, json_type_object, "an object (a daxbench result)");
	if (json_object_object_get_ex(o, "suite", &v) &&
	    (!json_object_is_type(v, json_type_string) ||
	     strcmp(json_object_get_string(v), "daxbench")))
		die(file, "suite", "not a daxbench result (suite is not \"daxbench\")");
	if (!json_object_object_get_ex(o, "command", &v) || !v)
		die(file, NULL, "no \"command\": not a daxbench result (compare "
		    "reads NAME.json results and env.json)");
	want_type(file, "command", v, json_type_string, "a string");
	k = compare_kind(json_object_get_string(v));
	if (!k)
		die(file, "command", "'%.40s%s' results are unknown to compare (it "
		    "compares %s results)", json_object_get_string(v),
		    strlen(json_object_get_string(v)) > 40 ? "..." : "",
		    compare_kinds_compared());
	if (!k->compared) {
		if (!json_object_object_get_ex(o, k->holds, &v) || !v)
			die(file, k->holds, "missing (every %s result holds it)",
			    k->command);
		want_type(file, k->holds, v, json_type_array, "an array");
		return k;
	}
	if ((v = walk(file, o, "", "started", at, sizeof(at))))
		want_type(file, at, v, json_type_string, "a string");
	if ((v = walk(file, o, "", "dax", at, sizeof(at))))
		want_type(file, at, v, json_type_boolean, "a boolean");
	if ((v = walk(file, o, "", "verdict", at, sizeof(at))))
		want_type(file, at, v, json_type_string, "a string");
	if ((v = walk(file, o, "", "params", at, sizeof(at))))
		want_type(file, at, v, json_type_object, "an object");
	if ((v = walk(file, o, "", "trace.lost_events", at, sizeof(at))))
		want_count(file, at, v);
	if ((v = walk(file, o, "", "env", at, sizeof(at))))
		want_env(file, "env", v, false);
	if (!json_object_object_get_ex(o, "runs", &runs) || !runs)
		die(file, "runs", "missing (every %s result holds its runs)", k->command);
	want_type(file, "runs", runs, json_type_array, "an array of runs");
	if (!json_object_array_length(runs))
		die(file, "runs", "no run");
	for (size_t r = 0; r < json_object_array_length(runs); r++)
		want_run(file, r, json_object_array_get_idx(runs, r), k);
	return k;
}

/* ---- a directory ---- */

static int cmp_file(const void *a, const void *b)
{
	return strcmp(((const struct cin_file *)a)->name,
		      ((const struct cin_file *)b)->name);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && !strcmp(s + a - b, suffix);
}

void compare_read_dir(const char *dir, struct cin_side *side)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	side->f = NULL;
	side->n = 0;
	if (!d)
		opt_die(NULL, "%s: %s", dir, strerror(errno));
	while ((e = readdir(d))) {
		char path[PATH_MAX + 256];
		struct cin_file f = { 0 };
		json_object *o;
		size_t len;
		char *buf;

		if (e->d_name[0] == '.' || !ends_with(e->d_name, ".json") ||
		    !strcmp(e->d_name, "compare.json"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		buf = read_file(path, &len);
		o = parse(path, buf, len);
		free(buf);
		if (!strcmp(e->d_name, "env.json")) {
			want_env(path, NULL, o, true);
			json_object_put(o);
		} else {
			f.kind = want_result(path, o);
			f.root = o;
		}
		f.name = strdup(e->d_name);
		side->f = realloc(side->f, (side->n + 1) * sizeof(*side->f));
		if (!f.name || !side->f)
			opt_die(NULL, "out of memory");
		side->f[side->n++] = f;
	}
	closedir(d);
	if (side->n)
		qsort(side->f, side->n, sizeof(*side->f), cmp_file);
}
