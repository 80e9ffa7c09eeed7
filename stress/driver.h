/* SPDX-License-Identifier: GPL-2.0 */
/*
 * daxstress: what only the driver needs, one part a file: the table of the
 * scenarios (table.c), the command line (options.c), a scenario's run over
 * its budget (run.c), the trace collector (collector.c), the check of a
 * round's records (check.c) and a scenario's result with its JSON, TAP and
 * totals (result.c); main (driver.c) ties them.
 */
#ifndef STRESS_DRIVER_H
#define STRESS_DRIVER_H

#include "kmsg.h"
#include "opts.h"
#include "scenario.h"

#define KMSG_KEEP 16			/* kernel-log lines kept a scenario */

/* ---- the scenarios (table.c) ---- */

#define TABLE_MAX 32			/* scenarios at most */

/* Every scenario registered (SCENARIO()), in their order; *n of them. */
const struct scenario *const *scenario_table(size_t *n);
/* Their names, then "all", then NULL (for opt_choice). */
const char *const *scenario_names(void);

/* ---- the command line (options.c) ---- */

extern const char *const inject_names[];	/* NULL-terminated */
extern const char *const page_sel_names[];	/* NULL-terminated */

/* An option of the scenarios' own (struct sc_option), once for every
 * scenario declaring its name: the first declaration, and its value. */
struct own_option {
	const struct sc_option *o;
	bool set;
	unsigned value;
	char example[24];		/* --list-options */
};
#define OWN_OPTIONS_MAX 16

struct stress_params {
	struct common_opts opt;		/* --dir, --seed, --output,
					 * --trace-buffer, --allow-lost-events */
	uint64_t duration_ns;		/* whole run, 0: by iterations */
	unsigned iterations;		/* 0: scenario default or duration */
	uint64_t size;			/* file size, 0: scenario default */
	unsigned writers;		/* 0: scenario default */
	uint64_t round_ns;		/* racing time per iteration */
	enum page_sel page;
	enum inject_kind inject;
	unsigned max_report;		/* violations printed per scenario */
	const char *dump_dir;		/* raw streams of a failing iteration */
	bool size_set, writers_set, round_set, page_set;
	struct own_option own[OWN_OPTIONS_MAX];
	size_t nown;
};

struct selection {
	const struct scenario *v[TABLE_MAX];
	size_t n;
};

/* The command line into p and sel (the scenarios to run, in order); dies
 * with status 2 on bad input, exits 0 after --help, --list, --version. */
void parse(int argc, char **argv, struct stress_params *p,
	   struct selection *sel);
/* The JSON "params" of the run. */
json_object *params_json(const struct stress_params *p);
/* The value of sc's option k: the command line's, or sc's default. */
unsigned own_value(const struct stress_params *p, const struct scenario *sc,
		   size_t k);
/* The command line's value of the option name, for a scenario that does not
 * declare it: given, or dflt. */
unsigned own_given(const struct stress_params *p, const char *name,
		   unsigned dflt);

/* ---- the trace collector (collector.c) ---- */

struct collector {
	struct dax_trace *tr;
	uint64_t keep_mask;		/* EVBIT()s of the records kept */
	struct trace_vec keep;		/* kept records, in drain order (in
					 * timestamp order after finish with
					 * the flush probe) */
	struct trace_vec tmp;
	struct dax_counts counts;	/* every record of the file */
	struct flush_pairing_stats pairing;	/* of keep, set by finish */
	bool inject_unflushed;		/* --inject unflushed */
	uint64_t injected;		/* --inject unflushed: writebacks
					 * whose flush records were dropped */
	pthread_t th;
	bool threaded;
	int stop;			/* __atomic */
	int err;			/* errno of a failed drain */
};

/* Start collecting the records of tr (a thread draining every 20 ms when
 * threaded). */
int collector_start(struct collector *co, struct dax_trace *tr,
		    uint64_t keep_mask, bool inject_unflushed, bool threaded);
/* Stop the thread, drain what is left; with the flush probes, sort keep by
 * time and pair its writebacks with their flushes (EV_FLUSH_RET and
 * EV_FLUSH_ENTRY records are then kept too; with --inject unflushed, the
 * flush records of every second writeback are dropped first, counted in
 * co->injected).  0, or -1 (a drain failed, out of memory). */
int collector_finish(struct collector *co);
void collector_free(struct collector *co);

/* ---- a scenario's result (result.c) ---- */

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

/* ---- running a scenario (run.c) ---- */

/* One scenario's run: what its ops see, its configuration and result, and
 * what the driver keeps between its checks. */
struct sc_run {
	struct sctx c;
	struct sc_conf cfg;
	struct sc_result res;
	const struct stress_params *p;
	unsigned max_iter;		/* 0: none (deadline) */
	unsigned started;		/* iterations begun */
	uint64_t lost_base;		/* the trace's lost events, */
	uint64_t flush_missed_base;	/* and probe misses, at the last check */
	unsigned reported;		/* violation samples printed */
	bool dumped;			/* --dump written */
};

/* The run of sc with p, by the budget per (ns, 0: by iterations): its
 * configuration, result and context, before run_scenario. */
void run_init(struct sc_run *run, const struct scenario *sc,
	      const struct stress_params *p, uint64_t per);
/* The scenario's ops over the budget (struct scenario); the verdict. */
enum sverdict run_scenario(struct sc_run *run);

static inline struct sc_run *run_of(struct sctx *c)
{
	return (struct sc_run *)((char *)c - __builtin_offsetof(struct sc_run, c));
}

/* ---- the check (check.c) ---- */

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
 * fail the scenario if any; tally rec->own; add the collector's counts.
 * rc->chk says what it saw, until check_release(rc). */
void check_round(struct sc_run *run, struct collector *co,
		 const struct sc_records *rec, struct round_check *rc);
void check_release(struct round_check *rc);

/* ---- the reproduction line (options.c) ---- */

void repro_line(char *out, size_t len, const char *prog,
		const struct stress_params *p, const struct sc_result *r);

#endif
