/* SPDX-License-Identifier: GPL-2.0 */
/*
 * daxbench compare, private to bench/cmd_compare.c and bench/compare_*.c:
 * the kinds of result it reads and what each must hold (compare_kinds.c),
 * the reading of a result directory, every file validated against its
 * kind (compare_input.c), and the comparison itself: its points and what
 * each holds (compare_points.c), the statistics (compare_analyse.c), the
 * table (compare_text.c) and compare.json (compare_json.c), which
 * cmd_compare.c runs in that order.
 */
#ifndef DAXBENCH_COMPARE_H
#define DAXBENCH_COMPARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <json-c/json.h>

#include "compare_stats.h"

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

/* The commands compare compares, for messages: "fault, sync and punch". */
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

/* ---- the comparison ---- */

/* A percentile of one repeat's histogram is within 1/256 of the value (the
 * bins are 1/128 wide): the interval's smoothing never goes below that. */
#define TIMING_RESOLUTION (1.0 / 256)

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

struct not_compared {		/* a result compare knows but does not compare */
	char *name;
	const char *command;
};

struct comparison {
	/* what cmd_compare.c was asked */
	const char *dir[2];
	const char *label[2];
	double alpha;
	uint64_t seed;
	unsigned resamples_min;		/* --resamples */
	/* what was read (compare_load) */
	struct point *points;		/* by start time, then name */
	size_t npoints;
	struct alert *alerts;
	size_t nalerts;
	char **only[2];			/* results in one directory only */
	size_t nonly[2];
	struct not_compared *nc[2];
	size_t nnc[2];
	/* the statistics (compare_analyse) */
	size_t timing_metrics;		/* with values on both sides */
	double level;			/* of each interval (Bonferroni) */
	unsigned resamples;		/* as used: raised for the level */
};

/* compare_points.c: every file of both directories read and validated
 * (compare_read_dir); the points are the compared results present in
 * both, each with its metrics per side, its alerts and parameters; the
 * rest is listed (only in A or B, not compared).  An empty comparison, or
 * a result of one kind in A and another in B, ends the program (exit 2). */
void compare_load(struct comparison *cmp);
/* The kernel release and file system of side s, from its first point
 * with an environment ("unknown" else). */
void compare_side_env(const struct comparison *cmp, enum side s, char *release,
		      size_t rl, char *fs, size_t fl);
/* realloc and strdup that end the program when out of memory. */
void *compare_xrealloc(void *p, size_t n);
char *compare_xstrdup(const char *s);

/* compare_analyse.c: the level and resamples of the intervals, then each
 * metric's medians, change, interval, test and verdict (counts: their
 * status). */
void compare_analyse(struct comparison *cmp);
/* The smallest two-sided p the exact rank test can give for na vs nb
 * values: 2 / C(na + nb, na). */
double compare_min_p(size_t na, size_t nb);
/* "same", "faster", "slower" (counts: "fewer", "more"), "n/a". */
const char *compare_verdict_name(const struct metric *m);

struct totals {
	size_t timings, same, faster, slower, counts, equal, differs, varies,
	       vary_differ, missing;
};

void compare_tally(const struct comparison *cmp, struct totals *t);

/* compare_text.c: the table (stdout, compare.txt); a metric's value and a
 * change as they are printed there and in compare.json's "text". */
void compare_print(FILE *f, const struct comparison *cmp);
const char *compare_fmt_value(char *buf, size_t len, const struct metric *m,
			      double v);
const char *compare_fmt_pct(char *buf, size_t len, double x);

/* compare_json.c: compare.json (argc, argv: the command line it records). */
json_object *compare_json(const struct comparison *cmp, int argc, char **argv);

#endif
