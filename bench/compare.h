/* SPDX-License-Identifier: GPL-2.0 */
/*
 * daxbench compare, private to bench/cmd_compare.c and bench/compare_*.c:
 * the kinds of result it reads and what each must hold (compare_kinds.c),
 * and the reading of a result directory, every file validated against its
 * kind (compare_input.c).
 */
#ifndef DAXBENCH_COMPARE_H
#define DAXBENCH_COMPARE_H

#include <stdbool.h>
#include <stddef.h>
#include <json-c/json.h>

/* ---- what each kind holds and what compare reads (compare_kinds.c) ---- */

enum rule_kind {
	R_TIME,		/* number: a timing in ns, one per repeat */
	R_HIST,		/* histogram object: its p50 and p99 are timings */
	R_COUNT,	/* integer: an exact count */
	R_COUNTS_IN,	/* object: every integer member is an exact count */
};

struct rule {
	const char *key;
	enum rule_kind kind;
	const char *label;	/* short name in tables (default: key) */
	const char *unless;	/* skip when the phase has this key */
};

/* Oracles read from every run (or phase): a value that must be zero, or a
 * boolean that must not be false.  A violation is an alert. */
enum check_kind { C_ZERO, C_NOT_FALSE };

struct check {
	const char *phase;	/* phase name, or NULL for the run object */
	const char *path;
	enum check_kind kind;
	const char *what;
};

enum run_shape {
	RUN_PHASES,		/* a run is an array of phase objects, each
				 * with its own "name" (fault) */
	RUN_OBJECT,		/* a run is one object (sync) */
};

struct kind {
	const char *command;	/* "command" of the result */
	bool compared;		/* false: a result compare knows but does not
				 * compare (listed as such, never dropped) */
	const char *holds;	/* not compared: the array it must hold */
	enum run_shape shape;
	const struct rule *rules;
	const struct check *checks;
	const char *const *required;	/* what every phase (or run) holds */
	const char *const *text;	/* members of a count group that are
					 * words, not numbers ("method") */
};

/* The kind of a result's command, or NULL (unknown to compare). */
const struct kind *compare_kind(const char *command);

/* The commands compare compares, for messages: "fault and sync". */
const char *compare_kinds_compared(void);

/* A member of a count group that is a count: not a rate, a ratio or a time
 * (an integral ratio such as an amplification of 1 reads back as an integer
 * once jq has rewritten the file). */
bool compare_count_key(const char *k);

/* Member at a dotted path ("sync.overall.calls"), or NULL. */
json_object *compare_path_get(json_object *o, const char *path);

/* ---- reading a result directory (compare_input.c) ---- */

struct cin_file {
	char *name;			/* "fault-pmd.json" */
	json_object *root;		/* NULL for env.json */
	const struct kind *kind;	/* NULL for env.json */
};

struct cin_side {
	struct cin_file *f;		/* sorted by name */
	size_t n;
};

/* Read every *.json of dir (dot files and compare.json, the output of
 * compare itself, aside) and validate it: env.json as the environment,
 * every other one as a result of a kind compare knows, holding what that
 * kind must hold with the types it must have (finite numbers, counts that
 * are whole and not negative).  A file that is unreadable, not exactly one
 * JSON value, or not what its kind holds ends the program: exit 2, one
 * line naming the file and the first bad field. */
void compare_read_dir(const char *dir, struct cin_side *side);

#endif
