/* SPDX-License-Identifier: GPL-2.0 */
/*
 * daxstress: the check of a round's records (check.c): collector, lost
 * events, oracle, tally.
 */
#ifndef STRESS_CHECK_H
#define STRESS_CHECK_H

#include "collector.h"
#include "result.h"

/* What the checks of a scenario keep from one round to the next. */
struct checker {
	unsigned max_report;		/* --max-report: samples printed */
	const char *dump_dir;		/* --dump, or NULL */
	bool allow_lost;		/* --allow-lost-events */
	uint64_t trace_kb;		/* --trace-buffer (for its advice) */
	uint64_t lost_base;		/* the trace's lost events, */
	uint64_t flush_missed_base;	/* and probe misses, at the last check */
	unsigned reported;		/* violation samples printed */
	bool dumped;			/* --dump written */
};

/* Before the scenario's first round: the trace's counters now. */
void checker_start(struct checker *k, struct dax_trace *tr, bool flush_rule);

/* A round's check: what the scenario's checked sees, and what backs it. */
struct round_check {
	struct sc_check chk;
	struct sc_tally tally;		/* chk.tally: the oracle's */
	struct oracle_report report;	/* chk.report */
};

/* The check of a round: finish the collector co (NULL: none, nothing but
 * rec->own) and, unless that failed (sc_fail) or events were lost, feed rec
 * and the collector's records to a fresh oracle over --size pages (the
 * flush rule on iff the run has it), check, tally into the result, print
 * the first violation of each class new to the scenario with its full
 * context and a few more (page, store time, sync window, nearby events),
 * fail the scenario if any; tally rec->own; add the collector's counts;
 * all into c->res.
 * rc->chk says what it saw, until check_release(rc). */
void check_round(struct sctx *c, struct checker *k, struct collector *co,
		 const struct sc_records *rec, struct round_check *rc);
void check_release(struct round_check *rc);

#endif
