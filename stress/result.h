/* SPDX-License-Identifier: GPL-2.0 */
/*
 * daxstress: a scenario's result (result.c): the tally of its checks, its
 * JSON, its closing TAP lines and test point; the totals over the
 * scenarios.
 */
#ifndef STRESS_RESULT_H
#define STRESS_RESULT_H

#include "kmsg.h"
#include "scenario.h"

#define KMSG_KEEP 16			/* kernel-log lines kept a scenario */

/* A scenario's result: what it ran with and what it found, filled by its
 * run (run.c, driver.c), its checks (check.c) and its own reports
 * (report.c: sc_fail, sc_skip, sc_info); written out by result_tap and
 * result_json, summed by totals_add. */
struct sc_result {
	const struct scenario *sc;
	enum sverdict verdict;
	char skip_reason[1024];
	/* what it ran with */
	uint64_t seed, size, npages, round_ns;
	unsigned writers;
	unsigned syncers;		/* "syncers" of every scenario's JSON */
	enum page_sel page;
	enum inject_kind inject;
	bool traced;			/* it had the fs_dax trace */
	bool flush_rule;		/* the unflushed rule was checked */
	char flush_rule_why[400];	/* else why not */
	/* what it found */
	uint64_t duration_ns;
	unsigned iterations;		/* completed */
	bool failed;
	int first_failed_iter;		/* -1 */
	struct sc_tally total;		/* every check's, summed */
	uint64_t violations;		/* of every class: their sum */
	uint64_t lost_events;
	uint64_t flush_missed;		/* dax_flush probe misses */
	uint64_t t_start;		/* CLOCK_MONOTONIC: first_fail_ts's 0 */
	uint8_t *viol_pages;		/* bitmap over npages: every page with
					 * a violation (exact, not sampled) */
	struct dax_counts counts;
	/* the first violation of each class: {"iteration", "text" (the TAP
	 * lines), "sample"}, NULL while none */
	json_object *first_class[ORACLE_CLASS__COUNT];
	json_object *first_report;	/* oracle report of the first failure */
	json_object *failures;		/* array of strings */
	unsigned nfail_msgs;
	json_object *info;		/* scenario-specific object */
	char kmsg[KMSG_KEEP][KMSG_LINE_MAX];
	size_t nkmsg;
	char reproduce[4096];		/* when it failed */
};

void result_init(struct sc_result *r, const struct scenario *sc);
void result_free(struct sc_result *r);
/* Add what one check counted, and the pages it failed (NULL, or a bitmap
 * of npages), to r.  0, or -1 when out of memory for the pages. */
int result_tally(struct sc_result *r, const struct sc_tally *t,
		 const uint8_t *failed);
/* r's pages with a violation, allocated on first use; NULL when out of
 * memory. */
uint8_t *result_viol_pages(struct sc_result *r);
/* r's closing TAP lines and its test point, number num. */
void result_tap(const struct sc_result *r, size_t num);
json_object *result_json(const struct sc_result *r);

/* Over the scenarios that ran. */
struct totals {
	unsigned passed, failed, skipped;
	struct sc_tally sum;		/* their tallies */
	uint64_t violations, lost_events;
};

void totals_add(struct totals *t, const struct sc_result *r);
/* "# N passed, N failed, N skipped in S s (seed N)" */
void totals_tap(const struct totals *t, uint64_t ns, uint64_t seed);
json_object *totals_json(const struct totals *t);

#endif
