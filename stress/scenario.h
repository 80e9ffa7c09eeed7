/* SPDX-License-Identifier: GPL-2.0 */
/*
 * daxstress: what a scenario sees.  A scenario is one file,
 * stress/scenario_*.c: an ops table (struct scenario) that declares what
 * it is (its name, whether it needs DAX, the negative controls it
 * implements, the options of its own, its defaults) and registers itself
 * (SCENARIO()).  The driver runs it: the table (table.c), options
 * (options.c), seeding, the iteration budget and the threads of each round
 * (run.c), the trace collector (collector.c) and the check of the records
 * each round hands back (collector -> oracle -> tally, check.c), the
 * kernel-log watch, the verdict, TAP and the JSON summary (result.c,
 * driver.c).  A scenario calls down into
 * what the scenarios share: reporting (report.c), iterations, seeds and
 * the file under test (iteration.c), the crew of an iteration's threads and
 * their logs (crew.c).  Nothing here calls the driver.
 */
#ifndef STRESS_SCENARIO_H
#define STRESS_SCENARIO_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <json-c/json.h>

#include "dax_counts.h"
#include "daxfile.h"
#include "json_build.h"
#include "oracle.h"
#include "rng.h"
#include "timing.h"
#include "trace.h"
#include "workload.h"

#define SPAGE WL_PAGE			/* bytes per page */
#define SPMD_PAGES ((uint64_t)512)	/* pages per 2 MiB */
#define SPMD_BYTES (SPAGE * SPMD_PAGES)

/* The negative controls (--inject).  Two are the driver's: kmsg-warning,
 * for every scenario, and unflushed (its collector's), for every DAX
 * scenario; a scenario declares those it implements itself (struct
 * scenario.injects). */
enum inject_kind {
	INJ_NONE,
	INJ_PARTIAL_SYNC,	/* syncs cover the first half */
	INJ_ASYNC,		/* msync(MS_ASYNC) only */
	INJ_KMSG_WARNING,	/* log "WARNING: fake" */
	INJ_UNFLUSHED,		/* the dax_flush records of every second
				 * writeback are dropped before pairing (the
				 * collector's; needs the flush probes) */
};
#define SC_INJ(k) (1u << (k))
extern const char *const inject_names[];	/* --inject's, NULL-terminated */

enum page_sel { PS_MIXED, PS_PMD, PS_PTE };
extern const char *const page_sel_names[];	/* --page's, NULL-terminated */

enum sverdict { SV_PASS, SV_FAIL, SV_SKIP };

/* An option of a scenario's own (struct scenario.options), a count: --NAME
 * N on the command line, given to every selected scenario that declares
 * it.  Several scenarios may declare one NAME, alike but for the default:
 * one option, each its own default.  Its value: sc_opt(c, index). */
struct sc_option {
	const char *name;		/* "syncers": --syncers */
	const char *arg;		/* in --help: "N" */
	const char *help;		/* "sync threads" (--help adds "of
					 * NAME (default D)" of each) */
	unsigned min, max, dflt;
};
#define SC_OPTIONS_MAX 4

/* What the command line asks of the scenario, with the scenario's
 * defaults: set by the driver, read-only to the scenario. */
struct sc_conf {
	const char *dir;		/* --dir */
	uint64_t seed;			/* --seed, mixed with the name */
	uint64_t size, npages;		/* --size */
	unsigned writers;		/* --writers */
	uint64_t round_ns;		/* --round */
	enum page_sel page;		/* --page */
	enum inject_kind inject;	/* --inject */
	const char *dump_dir;		/* --dump, or NULL */
	unsigned opt[SC_OPTIONS_MAX];	/* its own options (.options) */
};

struct scenario;
struct sc_result;

/* A running scenario, as its ops see it. */
struct sctx {
	const struct scenario *sc;
	const struct sc_conf *cfg;
	struct dax_trace *tr;		/* NULL for the page cache */
	void *state;			/* the scenario's (state_size bytes) */
	unsigned iter;			/* iteration running */
	uint64_t deadline;		/* CLOCK_MONOTONIC; 0: none */
	struct sc_result *res;		/* the driver's (report.c writes it) */
};

static inline unsigned sc_opt(const struct sctx *c, size_t k)
{
	return c->cfg->opt[k];
}

/* What a scenario may set apart from the driver's defaults (16M, 2
 * writers, 4 iterations; see --help): 0 keeps the default. */
struct scenario_defaults {
	uint64_t size;
	unsigned writers, iterations;
};

struct crew;
struct sc_iter;
struct sc_records;
struct sc_check;

/*
 * A scenario: its ops, called by the driver in this order, never the other
 * way round:
 *   prepare    (optional) once: check the parameters, set up what lasts
 *              across iterations; anything but SV_PASS ends the scenario
 *              there (SV_SKIP: return sc_skip(c, why));
 *   then, as often as the budget (--iterations, --duration) allows, one
 *   iteration, in one round or more (it->more):
 *     begin    set up the round (file, mapping, shared data, barriers),
 *              name its crew (sc_iter_crew) and the records its collector
 *              keeps (it->keep); the driver then allocates the crew
 *              (crew_init; when that fails: sc_fail, SV_FAIL);
 *     ready    (optional) with the crew allocated, before its threads
 *              run: the threads' private data; then the driver starts the
 *              collector (when it->keep; when that fails: sc_fail, SV_FAIL)
 *              and runs the crew (crew_run);
 *     end      (optional) after the crew has run: the final calls,
 *              checks of its own; it hands back in *rec what the driver is
 *              to check (the crew's store and sync logs, given; synthetic
 *              writebacks; what a scenario that checks by itself counted,
 *              rec->own);
 *     [the driver: the collector finished, lost events, the oracle over
 *              rec and the collector's records, the tally (check.c)]
 *     checked  (optional) with what the check saw (struct sc_check):
 *              checks of its own on the same records, its reports;
 *     teardown (optional) after every begin that passed, whatever
 *              followed: release what begin and ready set up; the driver
 *              frees the collector and the crew;
 *   each returns SV_PASS to go on (also after sc_fail); SV_FAIL or SV_SKIP
 *   stops the scenario at once (setup failed; cannot run here): begin
 *   releases what it set up before failing;
 *   finish     (optional) when the budget is spent and no iteration
 *              stopped it: the scenario's info and closing diagnostics;
 *   cleanup    (optional) after a prepare that passed, whatever followed.
 * The verdict is the driver's: fail once sc_fail was called.  c->state has
 * state_size bytes, zeroed before prepare, kept until after cleanup; the
 * it->priv of each round has iter_size bytes, zeroed before begin, freed
 * after teardown.
 */
struct scenario {
	const char *name;
	const char *desc;
	unsigned order;			/* its place in --list and in
					 * --scenario all (ascending) */
	bool needs_dax;			/* skipped on a non-DAX directory */
	bool needs_pagecache;		/* skipped on a DAX directory */
	unsigned injects;		/* SC_INJ() of the negative controls it
					 * implements (besides the driver's,
					 * see enum inject_kind) */
	const struct sc_option *options;	/* its own, noptions of them */
	size_t noptions;
	struct scenario_defaults defaults;
	size_t state_size;
	size_t iter_size;
	enum sverdict (*prepare)(struct sctx *c);
	enum sverdict (*begin)(struct sctx *c, struct sc_iter *it);
	enum sverdict (*ready)(struct sctx *c, struct sc_iter *it,
			       struct crew *cr);
	enum sverdict (*end)(struct sctx *c, struct sc_iter *it,
			     struct crew *cr, struct sc_records *rec);
	enum sverdict (*checked)(struct sctx *c, struct sc_iter *it,
				 struct crew *cr, const struct sc_check *chk);
	void (*teardown)(struct sc_iter *it);
	void (*finish)(struct sctx *c);
	void (*cleanup)(struct sctx *c);
};

/* After a scenario's definition, in its file: the driver finds it there
 * (a pointer to it in the section daxstress_scenarios, which the linker
 * gathers from every object), so a new scenario is that file alone. */
#define SCENARIO(s)							\
	static const struct scenario *const s##_entry			\
	__attribute__((used, section("daxstress_scenarios"))) = &(s)

/* ---- reporting ---- */

/* "# NAME: iteration I: message" on stdout, kept in the JSON (first 50),
 * and the scenario is failed. */
void sc_fail(struct sctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* "# NAME: message" on stdout. */
void sc_diag(struct sctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Why the scenario cannot run here (TAP "# SKIP why"); returns SV_SKIP. */
enum sverdict sc_skip(struct sctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The scenario's own object in its JSON result ("info"). */
json_object *sc_info(struct sctx *c);
/* The trace counts of the scenario so far (every record of its files). */
const struct dax_counts *sc_counts(const struct sctx *c);

/* ---- iterations, seeds, modes ---- */

/* When a race of this iteration ends: race ns from now, cut to the time
 * left before the deadline but never below min ns. */
uint64_t sc_race_end(const struct sctx *c, uint64_t race, uint64_t min);
/* Let the racing threads run for the round (sc_race_end(c, --round,
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
 * them; the driver then checks their logs.  What the threads do to each
 * other (barriers sized to the crew, phases, stop flags) stays the
 * scenario's, in its shared data.
 */
enum crew_count {
	CREW_FIXED,		/* role.n threads */
	CREW_WRITERS,		/* --writers threads */
	CREW_OPTION,		/* sc_opt(c, role.n) threads: an option of
				 * the scenario's own */
	CREW_MAIN,		/* the main thread's part (at most one role):
				 * run on the calling thread once every other
				 * thread is spawned, before they are joined */
};

struct sc_thread;

struct crew_role {
	const char *name;
	enum crew_count count;
	unsigned n;			/* CREW_FIXED: how many; CREW_OPTION:
					 * which option */
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
	/* the logs of the roles that have them, in role order: what the
	 * driver checks unless end says otherwise */
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

/* Create the scenario's file (--size bytes, unlinked at once so that
 * nothing is left behind), and point the trace at it, discarding what was
 * buffered.  Returns 0, or -1 after sc_fail. */
int sc_file_create(struct sctx *c, struct daxfile *f);
/* The same, of size bytes (at most --size: the oracle's pages). */
int sc_file_create_size(struct sctx *c, struct daxfile *f, uint64_t size);

/* The kernel's scale.  dax_writeback_mapping_range() walks the dirty
 * entries of a range in batches of XA_CHECK_SCHED (4096) entries, pausing
 * the walk (xas_pause) and dropping the lock between them; a 2 MiB entry
 * counts as one.  A scenario whose file holds more than one batch of 4 KiB
 * entries crosses those boundaries; SC_SCALE_SIZE is the default of the
 * scenarios that do: 10240 pages, two and a half batches of PTE entries
 * (20 PMD entries: a batch of those would take 8 GiB, more than the
 * guest's pmem). */
#define SC_XA_CHECK_SCHED 4096ull
#define SC_SCALE_SIZE (40ull << 20)
/* The file size of this iteration, for a scenario that varies it: --size,
 * and every other iteration --size - 2 MiB + 5 pages: a size that is not a
 * multiple of 2 MiB, whose last 2 MiB region is cut by the end of the file
 * (in a PMD mapping: PTE entries after the PMD ones).  With the page mode
 * alternating (PMD, PTE, PMD, ...) the iterations are PMD at --size, PTE
 * cut, PMD cut, PTE at --size, and so on. */
uint64_t sc_iter_size(const struct sctx *c);	/* --size under --inject */
int sc_map(struct sctx *c, struct mapping *m, const struct daxfile *f,
	   enum page_mode mode);

/* ---- a round of an iteration (see struct scenario) ---- */

#define EVBIT(e) (1ull << (e))

struct sc_iter {
	unsigned round;			/* 0, 1, ... within the iteration */
	bool more;			/* set by begin: another round follows */
	const struct crew_role *roles;	/* set by begin: the crew, */
	size_t nroles;
	void *shared;			/* and its per-iteration data; */
	uint64_t keep;			/* EVBIT()s of the records its collector
					 * keeps (0: no collector, no oracle) */
	bool quick;			/* a short crew: the collector drains
					 * once, at the check (no thread) */
	void *priv;			/* the scenario's (iter_size bytes) */
};

/* For begin: the crew of the round. */
static inline void sc_iter_crew(struct sc_iter *it,
				const struct crew_role *roles, size_t nroles,
				void *shared)
{
	it->roles = roles;
	it->nroles = nroles;
	it->shared = shared;
}

/* ---- the check ---- */

/* What one check counted: the oracle's over a round's records, or what a
 * scenario that checks by itself found (struct sc_records.own). */
struct sc_tally {
	uint64_t sync_calls;		/* made (failed ones too) */
	uint64_t syncs_checked;		/* with >= 1 (sync, page) pair */
	uint64_t pairs_checked;		/* (sync, page) pairs: pages checked */
	uint64_t by_class[ORACLE_CLASS__COUNT];	/* violations, exact */
	uint64_t stores, events;
	uint64_t samples_late, samples_missed;	/* violation samples kept */
	uint64_t flush_checked;		/* writebacks the unflushed rule
					 * checked */
	uint64_t wb_paired, wb_unpaired;	/* writebacks timed by their
						 * dax_flush return / by their
						 * tracepoint (trace.h) */
	uint64_t injected;		/* --inject unflushed: writebacks
					 * whose flush records were dropped */
	uint64_t first_fail_ts;		/* CLOCK_MONOTONIC start of the
					 * earliest sync call with a
					 * violation; UINT64_MAX: none */
};

/* What end hands back: the logs the oracle checks (the crew's, filled in
 * before end), synthetic writebacks (data a truncate or a punch destroyed:
 * nothing left to flush; not subject to the flush rule), and what a
 * scenario with no collector (page-cache) counted by itself.  What it
 * points to stays the scenario's, valid until its teardown. */
struct sc_records {
	struct slog *const *sl;
	size_t nsl;
	struct ylog *const *yl;
	size_t nyl;
	const struct trace_rec *extra;
	size_t nextra;
	struct sc_tally own;		/* first_fail_ts UINT64_MAX: none */
	const uint8_t *own_failed;	/* every page with a violation, a
					 * bitmap of --size pages, or NULL */
	const char *own_first[ORACLE_CLASS__COUNT];	/* the first violation
							 * of a class, in
							 * words, or NULL */
};

/* What the check saw, for checked. */
struct sc_check {
	bool made;			/* the oracle ran (the collector
					 * drained, no events lost) */
	const struct oracle_report *report;	/* its report, NULL when it
						 * could not (out of memory) */
	const struct sc_tally *tally;	/* what it counted */
	const struct trace_vec *events;	/* the collector's records */
	const struct dax_counts *counts;	/* every record of the file
						 * in this round */
};

/* ---- misc ---- */

void bitmap_set(uint8_t *b, uint64_t i);
bool bitmap_test(const uint8_t *b, uint64_t i);
/* [[first, last], ...] of the set bits (at most max ranges, then a final
 * null; *truncated says so when not NULL); an empty array when none. */
json_object *bitmap_ranges_json(const uint8_t *b, uint64_t n, size_t max,
				bool *truncated);
uint64_t bitmap_count(const uint8_t *b, uint64_t n);
static inline uint8_t *bitmap_new(uint64_t n)
{
	return calloc((n + 7) / 8 + 1, 1);
}

#endif
