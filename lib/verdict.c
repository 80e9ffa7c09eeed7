// SPDX-License-Identifier: GPL-2.0
/* A benchmark's verdict: named checks, their counts, JSON and table lines. */
#include <stdio.h>
#include <string.h>

#include "json_build.h"
#include "verdict.h"

void verdict_init(struct verdict *v, bool traced)
{
	memset(v, 0, sizeof(*v));
	v->traced = traced;
}

static struct verdict_check *find(struct verdict *v, const char *name,
				  const char *invariant)
{
	for (unsigned i = 0; i < v->n; i++)
		if (!strcmp(v->c[i].name, name))
			return &v->c[i];
	if (v->n == VERDICT_MAX_CHECKS)
		return NULL;
	v->c[v->n] = (struct verdict_check){ .name = name, .invariant = invariant };
	return &v->c[v->n++];
}

struct verdict_check *verdict_check(struct verdict *v, const char *name,
				    const char *invariant)
{
	struct verdict_check *c = find(v, name, invariant);

	if (c) {
		c->applies = true;
		c->why_not = NULL;
	}
	return c;
}

void verdict_not_applicable(struct verdict *v, const char *name,
			    const char *invariant, const char *why)
{
	struct verdict_check *c = find(v, name, invariant);

	if (c && !c->applies && !c->why_not)
		c->why_not = why;
}

void verdict_pass(struct verdict_check *c)
{
	if (c)
		c->checked++;
}

void verdict_fail(struct verdict_check *c, const char *where,
		  const char *expected, const char *seen)
{
	if (!c)
		return;
	if (!c->failed) {
		snprintf(c->where, sizeof(c->where), "%s", where);
		snprintf(c->expected, sizeof(c->expected), "%s", expected);
		snprintf(c->seen, sizeof(c->seen), "%s", seen);
	}
	c->checked++;
	c->failed++;
}

void verdict_merge(struct verdict *v, const struct verdict *src)
{
	for (unsigned i = 0; i < src->n; i++) {
		const struct verdict_check *s = &src->c[i];
		struct verdict_check *c;

		if (!s->applies) {
			verdict_not_applicable(v, s->name, s->invariant, s->why_not);
			continue;
		}
		c = verdict_check(v, s->name, s->invariant);
		if (!c)
			continue;
		if (!c->failed && s->failed) {
			memcpy(c->where, s->where, sizeof(c->where));
			memcpy(c->expected, s->expected, sizeof(c->expected));
			memcpy(c->seen, s->seen, sizeof(c->seen));
		}
		c->checked += s->checked;
		c->failed += s->failed;
	}
}

bool verdict_failed(const struct verdict *v)
{
	for (unsigned i = 0; i < v->n; i++)
		if (v->c[i].applies && v->c[i].failed)
			return true;
	return false;
}

const char *verdict_word(const struct verdict *v)
{
	bool any = false;

	if (verdict_failed(v))
		return "fail";
	for (unsigned i = 0; i < v->n; i++)
		any |= v->c[i].applies && v->c[i].checked;
	return v->traced && any ? "pass" : "not checked";
}

static const char *status_of(const struct verdict *v, const struct verdict_check *c)
{
	if (!c->applies)
		return "not applicable";
	if (c->failed)
		return "fail";
	return v->traced && c->checked ? "pass" : "not checked";
}

void verdict_json_add(const struct verdict *v, json_object *root)
{
	json_object *failed = json_object_new_array(), *checks = json_object_new_array();

	for (unsigned i = 0; i < v->n; i++) {
		const struct verdict_check *c = &v->c[i];
		json_object *o = json_object_new_object(), *ff = NULL;
		int err = 0;

		if (c->applies && c->failed) {
			jpush_str(failed, c->name);
			ff = json_object_new_object();
			err |= jadd_str(ff, "where", c->where);
			err |= jadd_str(ff, "expected", c->expected);
			err |= jadd_str(ff, "seen", c->seen);
		}
		err |= jadd_str(o, "name", c->name);
		err |= jadd_str(o, "invariant", c->invariant);
		err |= jadd_str(o, "status", status_of(v, c));
		err |= jadd_u64(o, "checked", c->checked);
		err |= jadd_u64(o, "failed", c->failed);
		err |= jadd_nullable(o, "first_failure", ff);
		if (!c->applies)
			err |= jadd_str(o, "why", c->why_not ? c->why_not : "");
		jpush(checks, jdone(o, err));
	}
	jadd_str(root, "verdict", verdict_word(v));
	jadd(root, "failed_checks", failed);
	jadd(root, "checks", checks);
}

void verdict_print(FILE *f, const struct verdict *v)
{
	const char *sep = "";

	if (verdict_failed(v)) {
		for (unsigned i = 0; i < v->n; i++) {
			const struct verdict_check *c = &v->c[i];

			if (!c->applies || !c->failed)
				continue;
			fprintf(f, "FAILED %s: %s: expected %s, seen %s (%s; %llu of %llu failed)\n",
				c->name, c->invariant, c->expected, c->seen, c->where,
				(unsigned long long)c->failed,
				(unsigned long long)c->checked);
		}
		return;
	}
	fprintf(f, "verdict: %s (", verdict_word(v));
	for (unsigned i = 0; i < v->n; i++) {
		const struct verdict_check *c = &v->c[i];

		if (!c->applies)
			fprintf(f, "%s%s n/a", sep, c->name);
		else
			fprintf(f, "%s%s %llu/%llu", sep, c->name,
				(unsigned long long)(c->checked - c->failed),
				(unsigned long long)c->checked);
		sep = ", ";
	}
	fprintf(f, "%s)\n", v->n ? "" : "no checks");
}
