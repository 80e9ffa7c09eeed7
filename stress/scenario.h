/* SPDX-License-Identifier: GPL-2.0 */
/*
 * daxstress: what a scenario sees.  A scenario is an ops table (struct
 * scenario) in its own stress/scenario_*.c, run by the driver
 * (stress/driver.c: options, TAP, seeding, the iteration budget, the
 * threads of each iteration, the kernel-log watch, the JSON summary); it
 * calls down into what the scenarios share: reporting (report.c),
 * iterations, seeds and the file under test (iteration.c), the crew of an
 * iteration's threads and their logs (crew.c), the trace collector
 * (collector.c) and the feed of the flush oracle (check.c,
 * include/oracle.h).  Nothing here calls the driver.
 */
#ifndef STRESS_SCENARIO_H
#define STRESS_SCENARIO_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <json-c/json.h>

#include "dax_counts.h"
#include "daxfile.h"
#include "oracle.h"
#include "rng.h"
#include "timing.h"
#include "trace.h"
#include "workload.h"

#define SPAGE WL_PAGE			/* bytes per page */
#define SPMD_PAGES ((uint64_t)512)	/* pages per 2 MiB */
#define SPMD_BYTES (SPAGE * SPMD_PAGES)

enum inject_kind {
	INJ_NONE,
	INJ_PARTIAL_SYNC,	/* concurrent-fsync: syncs cover the first half */
	INJ_ASYNC,		/* concurrent-fsync: msync(MS_ASYNC) only */
	INJ_KMSG_WARNING,	/* any scenario: log "WARNING: fake" */
	INJ_UNFLUSHED,		/* DAX scenarios: the dax_flush records of
				 * every second writeback are dropped before
				 * pairing (needs the flush probes) */
};

enum page_sel { PS_MIXED, PS_PMD, PS_PTE };

enum sverdict { SV_PASS, SV_FAIL, SV_SKIP };

/* What the command line asks of every scenario: set by the driver in each
 * scenario's context, read by the scenarios and what they share. */
struct sc_opts {
	const char *dir;		/* --dir */
	enum page_sel page;		/* --page */
	enum inject_kind inject;	/* --inject */
	unsigned max_report;		/* --max-report */
	const char *dump_dir;		/* --dump, or NULL */
	bool allow_lost;		/* --allow-lost-events */
	uint64_t trace_kb;		/* --trace-buffer, in KiB */
};

struct scenario;

/* Per-scenario context: its parameters, the trace, and its tallies. */
struct sctx {
	const struct scenario *sc;
	struct sc_opts o;
	struct dax_trace *tr;		/* NULL for page-cache */
	uint64_t seed;			/* this scenario's seed */
	uint64_t size, npages;
	unsigned writers, syncers;
	uint64_t round_ns;
	uint64_t t_start, deadline;	/* deadline 0: none */
	unsigned max_iter;		/* 0: none (deadline) */
	unsigned iter;			/* iteration running */
	unsigned started;		/* iterations begun */
	void *state;			/* the scenario's (state_size bytes) */

	/* results */
	unsigned iterations;		/* completed */
	bool failed;
	int first_failed_iter;		/* -1 */
	uint64_t sync_calls;		/* sync calls made (oracle: syncs) */
	uint64_t syncs_checked;		/* with >= 1 (sync, page) pair */
	uint64_t pairs_checked;		/* (sync, page) pairs: pages checked */
	uint64_t violations;
	uint64_t stores, events, lost_events;
	uint64_t lost_base;
	uint64_t samples_late, samples_missed;	/* violation samples by kind */
	uint64_t by_class[ORACLE_CLASS__COUNT];	/* violations by class, exact
						 * (violations: their sum) */
	/* the flush rule (class unflushed): checked iff the trace has the
	 * dax_flush probes; else why not */
	bool flush_rule;
	char flush_rule_why[400];
	uint64_t flush_checked;		/* writeback events it checked */
	uint64_t flush_missed, flush_missed_base;	/* probe misses */
	uint64_t injected_unflushed;	/* --inject unflushed: writebacks
					 * whose flush records were dropped */
	/* the scenario's first violation of each class: {"iteration",
	 * "text" (the TAP lines), "sample"}, NULL while none */
	json_object *first_class[ORACLE_CLASS__COUNT];
	uint64_t wb_paired, wb_unpaired;	/* writeback_one records timed
						 * by their dax_flush return /
						 * left with their tracepoint
						 * time, as the pairing counted
						 * them (both 0 without the
						 * probe; see trace.h) */
	uint8_t *viol_pages;		/* bitmap over npages: every page with
					 * a violation (exact, not sampled) */
	uint64_t first_fail_ts;		/* CLOCK_MONOTONIC start of the
					 * earliest sync call with a
					 * violation; UINT64_MAX: none */
	struct dax_counts counts;
	json_object *failures;		/* array of strings */
	json_object *info;		/* scenario-specific object */
	json_object *first_report;	/* oracle report of the first failure */
	unsigned reported;		/* violation samples printed */
	unsigned nfail_msgs;
	bool dumped;
	char skip_reason[1024];
};

/* What a scenario may set apart from the driver's defaults (16M, 2
 * writers, 1 syncer, 4 iterations; see --help): 0 keeps the default. */
struct scenario_defaults {
	uint64_t size;
	unsigned writers, syncers, iterations;
};

struct crew;
struct sc_iter;

/*
 * A scenario: its ops, called by the driver in this order, never the other
 * way round:
 *   prepare    (optional) once: check the parameters, set up what lasts
 *              across iterations; anything but SV_PASS ends the scenario
 *              there (SV_SKIP with c->skip_reason);
 *   then, as often as the budget (--iterations, --duration) allows, one
 *   iteration:
 *     begin    set up the iteration (file, mapping, shared data,
 *              barriers), name its crew (sc_iter_crew) and the records its
 *              collector keeps (it->keep); the driver then allocates the
 *              crew (crew_init; when that fails: sc_fail, SV_FAIL);
 *     ready    (optional) with the crew allocated, before its threads
 *              run: the threads' private data; then the driver starts the
 *              collector (when it->keep; when that fails: sc_fail, SV_FAIL)
 *              and runs the crew (crew_run);
 *     end      after the crew has run: the final calls, the check (which
 *              finishes the collector: sc_check_collected), the tallies,
 *              the teardown of what begin and ready set up; the driver
 *              frees the collector and the crew after it;
 *   each returns SV_PASS to go on (also after sc_fail); SV_FAIL or SV_SKIP
 *   stops the scenario at once (setup failed; cannot run here): begin
 *   releases what it set up before failing; when crew_init, ready or the
 *   collector fails, the driver frees the crew and it->priv, nothing of
 *   begin's;
 *   finish     (optional) when the budget is spent and no iteration
 *              stopped it: the scenario's info and closing diagnostics;
 *   cleanup    (optional) after a prepare that passed, whatever followed.
 * The verdict is the driver's: fail once sc_fail was called.  c->state has
 * state_size bytes, zeroed before prepare, kept until after cleanup; the
 * it->priv of each iteration has iter_size bytes, zeroed before begin,
 * freed after end (or after the op that stopped the scenario).
 */
struct scenario {
	const char *name;
	const char *desc;
	bool needs_dax;			/* skipped on a non-DAX directory */
	bool needs_pagecache;		/* skipped on a DAX directory */
	struct scenario_defaults defaults;
	size_t state_size;
	size_t iter_size;
	enum sverdict (*prepare)(struct sctx *c);
	enum sverdict (*begin)(struct sctx *c, struct sc_iter *it);
	enum sverdict (*ready)(struct sctx *c, struct sc_iter *it,
			       struct crew *cr);
	enum sverdict (*end)(struct sctx *c, struct sc_iter *it,
			     struct crew *cr);
	void (*finish)(struct sctx *c);
	void (*cleanup)(struct sctx *c);
};

/* ---- reporting ---- */

/* "# NAME: iteration I: message" on stdout, kept in the JSON (first 50),
 * and the scenario is failed. */
void sc_fail(struct sctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* "# NAME: message" on stdout. */
void sc_diag(struct sctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* ---- iterations, seeds, modes ---- */

/* When a race of this iteration ends: race ns from now, cut to the time
 * left before the deadline but never below min ns. */
uint64_t sc_race_end(const struct sctx *c, uint64_t race, uint64_t min);
/* Let the racing threads run for the round (sc_race_end(c, c->round_ns,
 * 100 ms)) or until one of them sets *stop, then set *stop (__atomic). */
void sc_race(const struct sctx *c, int *stop);
/* The page mode of this iteration: --page, or PMD and PTE alternating. */
enum page_mode sc_page_mode(const struct sctx *c);
const char *sc_mode_name(enum page_mode m);

struct rng {
	uint64_t s;
};

static inline uint64_t rng_next(struct rng *r)
{
	return splitmix64(&r->s);
}

static inline uint64_t rng_below(struct rng *r, uint64_t n)	/* [0, n) */
{
	return n ? (uint64_t)(((unsigned __int128)rng_next(r) * n) >> 64) : 0;
}

/* A generator for (this scenario, this iteration, salt). */
void sc_rng(const struct sctx *c, struct rng *r, uint64_t salt);

/* ---- the crew: a scenario's threads ---- */

/*
 * A scenario declares the threads of an iteration as roles (named by its
 * begin); the driver runs the crew with the crew code (crew.c), which
 * allocates their logs, spawns them, runs the main thread's part and joins
 * them; the scenario's end hands the logs on to the check.  What the threads do to
 * each other (barriers sized to the crew, phases, stop flags) stays the
 * scenario's, in its shared data.
 */
enum crew_count {
	CREW_FIXED,		/* role.n threads */
	CREW_WRITERS,		/* c->writers threads */
	CREW_SYNCERS,		/* c->syncers threads */
	CREW_MAIN,		/* the main thread's part (at most one role):
				 * run on the calling thread once every other
				 * thread is spawned, before they are joined */
};

struct sc_thread;

struct crew_role {
	const char *name;
	enum crew_count count;
	unsigned n;			/* CREW_FIXED: how many */
	void (*fn)(struct sc_thread *t);	/* NULL: nothing (main) */
	size_t slog_cap, ylog_cap;	/* stores / sync calls each thread
					 * may log; 0: no such log */
	size_t priv_size;		/* zeroed bytes at t->priv (0: NULL) */
};

/* One thread of the crew, as its function sees it. */
struct sc_thread {
	struct sctx *c;
	void *shared;			/* the scenario's per-iteration data */
	const struct crew_role *role;
	unsigned id;			/* index within its role */
	struct slog sl;			/* role->slog_cap stores */
	struct ylog yl;			/* role->ylog_cap sync calls */
	void *priv;			/* role->priv_size bytes */
	pthread_t th;			/* the crew's */
};

struct crew {
	struct sctx *c;
	const struct crew_role *roles;
	size_t nroles;
	struct sc_thread *t;		/* every thread, role by role */
	size_t nt;
	size_t *first;			/* per role: its first thread in t */
	/* for struct check_in: the logs of the roles that have them, in
	 * role order */
	struct slog **sl;
	size_t nsl;
	struct ylog **yl;
	size_t nyl;
};

/* Allocate the crew of roles[nroles] (their logs, touched up front, and
 * private data); spawns nothing.  0, or -1 (out of memory, nothing left
 * allocated). */
int crew_init(struct crew *cr, struct sctx *c, const struct crew_role *roles,
	      size_t nroles, void *shared);
/* Spawn the threads of every role but the main one, role by role in
 * declaration order; run the main role's fn on the calling thread; join
 * them all in the same order. */
void crew_run(struct crew *cr);
/* Thread id of role (an index into roles). */
struct sc_thread *crew_thread(const struct crew *cr, size_t role, unsigned id);
void crew_free(struct crew *cr);

/* ---- the file under test ---- */

/* Create the scenario's file (c->size bytes, unlinked at once so that
 * nothing is left behind), and point the trace at it, discarding what was
 * buffered.  Returns 0, or -1 after sc_fail. */
int sc_file_create(struct sctx *c, struct daxfile *f);
int sc_map(struct sctx *c, struct mapping *m, const struct daxfile *f,
	   enum page_mode mode);

/* ---- trace collector ---- */

#define EVBIT(e) (1ull << (e))

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

/* Start collecting the records of c's trace (a thread draining every
 * 20 ms when threaded). */
int collector_start(struct collector *co, const struct sctx *c,
		    uint64_t keep_mask, bool threaded);
/* Stop the thread, drain what is left; with the flush probes, sort keep by
 * time and pair its writebacks with their flushes (EV_FLUSH_RET and
 * EV_FLUSH_ENTRY records are then kept too; with --inject unflushed, the
 * flush records of every second writeback are dropped first, counted in
 * co->injected).  0, or -1 (a drain failed, out of memory). */
int collector_finish(struct collector *co);
void collector_free(struct collector *co);

/* ---- an iteration (see struct scenario) ---- */

struct sc_iter {
	const struct crew_role *roles;	/* set by begin: the crew, */
	size_t nroles;
	void *shared;			/* and its per-iteration data; */
	uint64_t keep;			/* EVBIT()s of the records its collector
					 * keeps (0: no collector) */
	struct collector co;		/* the driver's, started before crew_run
					 * (threaded), freed after end */
	void *priv;			/* the scenario's (iter_size bytes) */
};

/* For begin: the crew of the iteration. */
static inline void sc_iter_crew(struct sc_iter *it,
				const struct crew_role *roles, size_t nroles,
				void *shared)
{
	it->roles = roles;
	it->nroles = nroles;
	it->shared = shared;
}

/* Lost trace events (and, with the flush rule, missed dax_flush probe
 * hits) since the last call: fails the scenario unless
 * --allow-lost-events.  Returns true when the iteration can be trusted. */
bool sc_check_lost(struct sctx *c);

/* ---- the oracle ---- */

struct check_in {
	struct slog *const *sl;
	size_t nsl;
	struct ylog *const *yl;
	size_t nyl;
	const struct trace_vec *ev;		/* drained records */
	const struct flush_pairing_stats *pairing; /* of ev: tallied */
	uint64_t injected;			/* of ev: --inject unflushed */
	const struct trace_rec *extra;		/* synthetic writebacks (not
						 * subject to the flush rule) */
	size_t nextra;
	uint8_t *failed;			/* optional, out: a bitmap of
						 * c->npages bits, zeroed by the
						 * caller; the check sets every
						 * page with a violation */
};

/* Finish the collector and, unless that failed (sc_fail) or events were
 * lost (sc_check_lost), check what in gives with the collector's records:
 * feed everything to a fresh oracle over c->npages pages (the flush rule
 * on iff c->flush_rule), check, tally by class, print the first violation
 * of each class new to the scenario with its full context and a few more
 * (page, store time, sync window, nearby events), fail the scenario if
 * any.  Add the collector's counts to c->counts.  True when the check was
 * made. */
bool sc_check_collected(struct sctx *c, struct collector *co,
			struct check_in *in);

/* ---- misc ---- */

void bitmap_set(uint8_t *b, uint64_t i);
bool bitmap_test(const uint8_t *b, uint64_t i);
/* [[first, last], ...] of the set bits (at most max ranges, then a final
 * null; *truncated says so when not NULL); an empty array when none. */
json_object *bitmap_ranges_json(const uint8_t *b, uint64_t n, size_t max,
				bool *truncated);
uint64_t bitmap_count(const uint8_t *b, uint64_t n);
/* The scenario's violating pages: allocated on first use; false when out of
 * memory (after sc_fail). */
bool sc_viol_pages(struct sctx *c);
/* Note a sync call with a violation that began at ts (CLOCK_MONOTONIC). */
static inline void sc_note_failure(struct sctx *c, uint64_t ts)
{
	if (ts < c->first_fail_ts)
		c->first_fail_ts = ts;
}

static inline json_object *ju64(uint64_t v)
{
	return json_object_new_uint64(v);
}

#endif
