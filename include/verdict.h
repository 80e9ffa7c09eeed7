/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A benchmark's verdict on the invariants it measured (daxbench fault and
 * sync): a set of named checks, each one of
 *
 *   applicable   checked over N instances (a sync call, a phase, a run),
 *                of which F failed; the first failure kept in full
 *                (where, expected, seen)
 *   not applicable, with the reason (page cache, no per-page records, ...)
 *
 * The verdict is "fail" when one applicable check failed, "pass" when at
 * least one was checked and none failed, "not checked" without the trace
 * (--no-trace, no tracefs).  In the JSON:
 *
 *   "verdict": "pass" | "fail" | "not checked",
 *   "failed_checks": ["name", ...],
 *   "checks": [{"name", "invariant", "status": "pass" | "fail" |
 *               "not applicable" | "not checked", "checked", "failed",
 *               "first_failure": {"where", "expected", "seen"} | null,
 *               "why": string (not applicable) }]
 *
 * and in the table a line per failed check naming the invariant with the
 * expected and the seen value (verdict_print()).
 */
#ifndef DAXBENCH_VERDICT_H
#define DAXBENCH_VERDICT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <json-c/json.h>

#define VERDICT_MAX_CHECKS 8

struct verdict_check {
	const char *name;	/* e.g. "sync-covers-dirtied" */
	const char *invariant;	/* the sentence it checks */
	bool applies;
	const char *why_not;	/* when !applies */
	uint64_t checked, failed;
	char where[96], expected[64], seen[64];	/* the first failure */
};

struct verdict {
	struct verdict_check c[VERDICT_MAX_CHECKS];
	unsigned n;
	bool traced;		/* false: nothing could be checked */
};

void verdict_init(struct verdict *v, bool traced);
/* The check named name (added, applicable, on first use). */
struct verdict_check *verdict_check(struct verdict *v, const char *name,
				    const char *invariant);
/* name does not apply to this run, for this reason (kept as the first
 * reason given; a check that was checked somewhere still applies). */
void verdict_not_applicable(struct verdict *v, const char *name,
			    const char *invariant, const char *why);
/* One instance checked: ok, or failed with where/expected/seen (printf
 * formats of their own would make every caller longer: plain strings). */
void verdict_pass(struct verdict_check *c);
void verdict_fail(struct verdict_check *c, const char *where,
		  const char *expected, const char *seen);
/* Add every count of src into v (checks by name; the first failure of v
 * kept, else src's). */
void verdict_merge(struct verdict *v, const struct verdict *src);

bool verdict_failed(const struct verdict *v);
/* "pass", "fail" or "not checked" */
const char *verdict_word(const struct verdict *v);

/* Adds "verdict", "failed_checks" and "checks" to root. */
void verdict_json_add(const struct verdict *v, json_object *root);

/* The table's lines: "verdict: pass (name N/N, ...)" or, per failed check,
 * "FAILED name: invariant: expected X, seen Y (where; F of N failed)". */
void verdict_print(FILE *f, const struct verdict *v);

#endif
