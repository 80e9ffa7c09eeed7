// SPDX-License-Identifier: GPL-2.0
/*
 * daxstress: race scenarios for fs-dax dirty-page tracking, each checked by
 * an oracle that proves the kernel flushed what it had to.  Prints TAP
 * (one point per scenario); exit status 0 when every scenario passed (some
 * may be skipped), 1 when one failed, 2 on bad options, 4 when every
 * selected scenario was skipped (kselftest's convention).
 *
 * This file, the driver: options, the scenario table, seeding, the
 * iterations and their threads (each scenario's crew), the kernel-log
 * watch (every scenario fails on WARNING, BUG, Oops, bad pmd... logged
 * while it ran), the JSON summary and the reproduction line.  It calls the
 * scenarios' ops (scenario.h); they never call it.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <linux/mman.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "driver.h"
#include "env.h"
#include "kmsg.h"
#include "opts.h"
#include "results.h"

#define EXIT_ALL_SKIPPED 4
#define KMSG_KEEP 16

const char *const inject_names[] = { "none", "partial-sync", "async",
				     "kmsg-warning", "unflushed", NULL };
const char *const page_sel_names[] = { "mixed", "pmd", "pte", NULL };

static const struct scenario *const scenarios[] = {
	&scenario_concurrent_fsync,
	&scenario_pte_then_pmd,
	&scenario_rewrite_after_flush,
	&scenario_truncate_punch,
	&scenario_layout,
	&scenario_page_cache,
};
#define NSCEN (sizeof(scenarios) / sizeof(scenarios[0]))

static const char *const scen_names[NSCEN + 2] = {
	"concurrent-fsync", "pte-then-pmd", "rewrite-after-flush",
	"truncate-punch", "layout", "page-cache", "all", NULL,
};

static void usage(FILE *f)
{
	fprintf(f,
"usage: daxstress --dir DIR [options]\n"
"Race scenarios for fs-dax dirty-page tracking, checked by a flush oracle\n"
"fed from the kernel's fs_dax tracepoints; TAP on stdout.\n"
"  --dir DIR             directory on the file system under test (required)\n"
"  --scenario NAME[,..]  scenarios to run, in order (default all; --list)\n"
"  --list                list the scenarios and exit\n"
"  --seed N              seed of every random choice (default: random, printed)\n"
"  --duration D          run for D in all (e.g. 90s, 30m, 1h), split evenly\n"
"                        between the scenarios that can run here\n"
"  --iterations N        iterations per scenario (default: each scenario's own\n"
"                        count, or as many as --duration allows)\n"
"  --size SIZE           file size (default 16M; a multiple of 4M)\n"
"  --writers N           storing threads (default 2)\n"
"  --syncers N           sync threads of concurrent-fsync (default 3) and\n"
"                        page-cache (default 2)\n"
"  --round D             racing time of an iteration (default 1s)\n"
"  --page MODE           mixed | pmd | pte: the mapping of the file under test\n"
"                        in concurrent-fsync, rewrite-after-flush and\n"
"                        truncate-punch (default mixed: PMD and PTE\n"
"                        iterations alternate), and layout (mixed: both in\n"
"                        every iteration)\n"
"  --inject KIND         negative control: partial-sync or async (on\n"
"                        concurrent-fsync: the oracle must fire), kmsg-warning\n"
"                        (a fake WARNING in the kernel log: every scenario fails),\n"
"                        unflushed (DAX scenarios, needs kprobe events: the\n"
"                        dax_flush records of every second writeback dropped,\n"
"                        each must be an unflushed violation)\n"
"  --output FILE         JSON summary, written atomically\n"
"  --trace-buffer SIZE   per-cpu trace buffer (default 32M)\n"
"  --allow-lost-events   go on when trace events were lost\n"
"  --max-report N        violations printed per scenario (default 5)\n"
"  --dump DIR            write the streams of a scenario's first failing\n"
"                        iteration (stores, sync calls, events) as CSV to DIR\n"
"  --version, --help\n"
"Violations are of a class: late or missed (a page stored before a sync call\n"
"not written back by it: flushed by a call still running when it returned,\n"
"or not), and unflushed (a dax_writeback_one event with no completed\n"
"dax_flush of its range by its thread before it: checked with kprobe events\n"
"only; without them every scenario says the rule was not checked).\n"
"Exit status: 0 every scenario passed or was skipped, 1 one failed, 2 bad\n"
"options, 4 every selected scenario was skipped.\n");
}

static void list(void)
{
	for (size_t i = 0; i < NSCEN; i++)
		printf("%-20s %-10s %s\n", scenarios[i]->name,
		       scenarios[i]->needs_dax ? "dax" : "page-cache",
		       scenarios[i]->desc);
}

struct selection {
	const struct scenario *v[NSCEN];
	size_t n;
};

static void select_add(struct selection *s, const char *arg)
{
	char *copy = strdup(arg), *tok, *save = NULL;

	if (!copy)
		opt_die("--scenario", "out of memory");
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		int k = opt_choice("--scenario", tok, scen_names);
		size_t from = (size_t)k, to = (size_t)k + 1;

		if (k == (int)NSCEN) {	/* all */
			from = 0;
			to = NSCEN;
		}
		for (size_t i = from; i < to; i++) {
			bool have = false;

			for (size_t j = 0; j < s->n; j++)
				have |= s->v[j] == scenarios[i];
			if (!have)
				s->v[s->n++] = scenarios[i];
		}
	}
	if (!strlen(arg))
		opt_die("--scenario", "is empty (see --list)");
	free(copy);
}

static void parse(int argc, char **argv, struct stress_params *p,
		  struct selection *sel)
{
	static const struct option lo[] = {
		OPT_LONG_DIR,
		{ "scenario", required_argument, NULL, 'c' },
		{ "list", no_argument, NULL, 'l' },
		OPT_LONG_SEED,
		{ "duration", required_argument, NULL, 'D' },
		{ "iterations", required_argument, NULL, 'i' },
		{ "size", required_argument, NULL, 's' },
		{ "writers", required_argument, NULL, 'w' },
		{ "syncers", required_argument, NULL, 'k' },
		{ "round", required_argument, NULL, 'r' },
		{ "page", required_argument, NULL, 'p' },
		{ "inject", required_argument, NULL, 'I' },
		OPT_LONG_OUTPUT,
		OPT_LONG_TRACE_BUFFER,
		OPT_LONG_ALLOW_LOST,
		{ "max-report", required_argument, NULL, 'm' },
		{ "dump", required_argument, NULL, 'U' },
		{ "version", no_argument, NULL, 'V' },
		OPT_LONG_HELP,
		{ NULL, 0, NULL, 0 },
	};
	bool has_cf = false, has_dax = false;
	int c;

	*p = (struct stress_params){ .round_ns = 1000000000ull, .max_report = 5,
		.opt = { .usage = usage, .trace_min = 1ull << 20,
		.trace_max = 1ull << 32, .dir_required = true,
		.trace_kb = 32768 } };
	memset(sel, 0, sizeof(*sel));
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":", lo, NULL)) != -1) {
		switch (c) {
		case 'c': select_add(sel, optarg); break;
		case 'l': list(); exit(0);
		case 'D':
			p->duration_ns = opt_duration_ns("--duration", optarg,
				1000000000ull, 30ull * 86400 * 1000000000ull);
			break;
		case 'i':
			p->iterations = (unsigned)opt_uint("--iterations", optarg,
							   1, 1000000000);
			break;
		case 's':
			p->size = opt_size("--size", optarg, 4ull << 20, 1ull << 40);
			if (p->size % (4ull << 20))
				opt_die("--size", "'%s' is not a multiple of 4M",
					optarg);
			p->size_set = true;
			break;
		case 'w':
			p->writers = (unsigned)opt_uint("--writers", optarg, 1, 64);
			p->writers_set = true;
			break;
		case 'k':
			p->syncers = (unsigned)opt_uint("--syncers", optarg, 1, 64);
			p->syncers_set = true;
			break;
		case 'r':
			p->round_ns = opt_duration_ns("--round", optarg, 10000000ull,
						      3600ull * 1000000000ull);
			p->round_set = true;
			break;
		case 'p':
			p->page = (enum page_sel)opt_choice("--page", optarg,
							    page_sel_names);
			p->page_set = true;
			break;
		case 'I':
			p->inject = (enum inject_kind)opt_choice("--inject", optarg,
								 inject_names);
			break;
		case 'm':
			p->max_report = (unsigned)opt_uint("--max-report", optarg, 0,
							   100000);
			break;
		case 'U':
			opt_writable_dir("--dump", optarg);
			p->dump_dir = optarg;
			break;
		case 'V': printf("daxstress %s\n", DAXBENCH_VERSION); exit(0);
		default: opt_common(c, argv, &p->opt);
		}
	}
	opt_common_finish(argc, argv, &p->opt);
	if (!sel->n)
		select_add(sel, "all");
	for (size_t i = 0; i < sel->n; i++) {
		has_cf |= sel->v[i] == &scenario_concurrent_fsync;
		has_dax |= sel->v[i]->needs_dax;
	}
	if ((p->inject == INJ_PARTIAL_SYNC || p->inject == INJ_ASYNC) && !has_cf)
		opt_die("--inject", "%s applies to concurrent-fsync, which is not "
			"selected", inject_names[p->inject]);
	if (p->inject == INJ_UNFLUSHED && !has_dax)
		opt_die("--inject", "unflushed applies to the DAX scenarios, none of "
			"which is selected");
	if (!p->opt.seed_set)
		p->opt.seed = (now_ns() ^ ((uint64_t)getpid() << 20)) % 1000000000ull;
}

/* ---- reproduction line ---- */

static void quote(char *out, size_t len, const char *s)
{
	size_t o = strlen(out);
	bool plain = *s != '\0';

	for (const char *q = s; *q; q++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "0123456789-_./=,:+@%", *q))
			plain = false;
	if (plain) {
		snprintf(out + o, len - o, " %s", s);
		return;
	}
	snprintf(out + o, len - o, " '");
	for (; *s; s++) {
		o = strlen(out);
		if (*s == '\'')
			snprintf(out + o, len - o, "'\\''");
		else
			snprintf(out + o, len - o, "%c", *s);
	}
	o = strlen(out);
	snprintf(out + o, len - o, "'");
}

static void repro_line(char *out, size_t len, const char *prog,
		       const struct stress_params *p, const struct sctx *c)
{
	char num[64];

	snprintf(out, len, "%s", prog);
	quote(out, len, "--dir");
	quote(out, len, p->opt.dir);
	quote(out, len, "--scenario");
	quote(out, len, c->sc->name);
	snprintf(num, sizeof(num), "--seed=%" PRIu64, p->opt.seed);
	quote(out, len, num);
	snprintf(num, sizeof(num), "--iterations=%d",
		 (c->first_failed_iter < 0 ? (int)c->iterations :
		  c->first_failed_iter) + 1);
	quote(out, len, num);
	if (p->size_set) {
		snprintf(num, sizeof(num), "--size=%" PRIu64, p->size);
		quote(out, len, num);
	}
	if (p->writers_set) {
		snprintf(num, sizeof(num), "--writers=%u", p->writers);
		quote(out, len, num);
	}
	if (p->syncers_set) {
		snprintf(num, sizeof(num), "--syncers=%u", p->syncers);
		quote(out, len, num);
	}
	if (p->round_set) {
		snprintf(num, sizeof(num), "--round=%" PRIu64 "ns", p->round_ns);
		quote(out, len, num);
	}
	if (p->page_set) {
		snprintf(num, sizeof(num), "--page=%s", page_sel_names[p->page]);
		quote(out, len, num);
	}
	if (p->inject != INJ_NONE &&
	    (p->inject == INJ_KMSG_WARNING || c->sc == &scenario_concurrent_fsync ||
	     (p->inject == INJ_UNFLUSHED && c->sc->needs_dax))) {
		snprintf(num, sizeof(num), "--inject=%s", inject_names[p->inject]);
		quote(out, len, num);
	}
	if (p->opt.trace_set) {
		snprintf(num, sizeof(num), "--trace-buffer=%" PRIu64 "K", p->opt.trace_kb);
		quote(out, len, num);
	}
	if (p->opt.allow_lost)
		quote(out, len, "--allow-lost-events");
}

/* ---- the DAX state of the directory ---- */

static bool probe_dax(const char *dir, struct daxfile *f, char *what,
		      size_t len)
{
	struct env_target t;
	char err[512];
	void *m;

	if (daxfile_create(f, dir, ".daxstress-probe", SPMD_BYTES, err,
			   sizeof(err))) {
		fprintf(stderr, "daxstress: %s\n", err);
		exit(1);
	}
	unlink(f->path);
	if (env_target(dir, f->fd, &t) == 0) {
		snprintf(what, len, "%.31s on %.255s", t.fstype, t.source);
		if (t.dax >= 0)
			return t.dax == 1;
	} else {
		snprintf(what, len, "unknown file system");
	}
	/* no statx DAX attribute: MAP_SYNC is only accepted on DAX */
	m = mmap(NULL, SPAGE, PROT_READ | PROT_WRITE, MAP_SHARED_VALIDATE | MAP_SYNC,
		 f->fd, 0);
	if (m == MAP_FAILED)
		return false;
	munmap(m, SPAGE);
	return true;
}

/* ---- running a scenario ---- */

/* The defaults a scenario's own (struct scenario_defaults) override. */
static const struct scenario_defaults driver_defaults = {
	.size = 16ull << 20, .writers = 2, .syncers = 1, .iterations = 4,
};

static uint64_t or_default(uint64_t own, uint64_t dflt)
{
	return own ? own : dflt;
}

/* Advance to the next iteration; false when the budget (iterations or
 * deadline) is spent.  The first call always returns true. */
static bool next_iteration(struct sctx *c)
{
	if (c->started) {
		if (c->max_iter && c->started >= c->max_iter)
			return false;
		if (c->deadline && now_ns() >= c->deadline)
			return false;
	}
	c->iter = c->started++;
	return true;
}

/* One iteration: the scenario's begin; its crew allocated (then the
 * scenario's ready, when it has it), its collector started, the crew run;
 * the scenario's end; the collector and the crew freed. */
static enum sverdict run_iteration(struct sctx *c)
{
	const struct scenario *sc = c->sc;
	struct sc_iter it = { .priv = calloc(1, sc->iter_size ?
						sc->iter_size : 1) };
	enum sverdict v;
	struct crew cr;

	if (!it.priv) {
		sc_fail(c, "out of memory");
		return SV_FAIL;
	}
	v = sc->begin(c, &it);
	if (v == SV_PASS &&
	    crew_init(&cr, c, it.roles, it.nroles, it.shared)) {
		sc_fail(c, "out of memory for the threads and their logs");
		v = SV_FAIL;
	} else if (v == SV_PASS) {
		if (sc->ready)
			v = sc->ready(c, &it, &cr);
		if (v == SV_PASS && it.keep &&
		    collector_start(&it.co, c, it.keep, true)) {
			sc_fail(c, "cannot start the trace collector");
			v = SV_FAIL;
		} else if (v == SV_PASS) {
			crew_run(&cr);
			v = sc->end(c, &it, &cr);
			collector_free(&it.co);
		}
		crew_free(&cr);
	}
	free(it.priv);
	return v;
}

/* The scenario's ops (scenario.h) over the iteration budget, and the
 * verdict. */
static enum sverdict run_scenario(struct sctx *c)
{
	const struct scenario *sc = c->sc;
	enum sverdict v = SV_PASS;

	c->state = calloc(1, sc->state_size ? sc->state_size : 1);
	if (!c->state) {
		sc_fail(c, "out of memory");
		return SV_FAIL;
	}
	if (sc->prepare)
		v = sc->prepare(c);
	if (v == SV_PASS) {
		while (v == SV_PASS && next_iteration(c)) {
			v = run_iteration(c);
			if (v == SV_PASS)
				c->iterations++;
		}
		if (v == SV_PASS && sc->finish)
			sc->finish(c);
		if (sc->cleanup)
			sc->cleanup(c);
	}
	free(c->state);
	c->state = NULL;
	if (v == SV_PASS && c->failed)
		v = SV_FAIL;
	return v;
}

/* ---- main ---- */

static const char *verdict_name(enum sverdict v)
{
	return v == SV_PASS ? "pass" : v == SV_FAIL ? "fail" : "skip";
}

int main(int argc, char **argv)
{
	struct stress_params p;
	struct selection sel;
	struct kmsg_watch *kw;
	struct dax_trace *tr = NULL;
	struct daxfile probe;
	json_object *root, *jsc, *params, *totals;
	char why[512] = "", kwhy[256] = "", fsdesc[320];
	uint64_t t0 = now_ns(), per = 0;
	uint64_t tot_calls = 0, tot_checked = 0, tot_pairs = 0, tot_viol = 0,
		 tot_stores = 0, tot_lost = 0, tot_class[ORACLE_CLASS__COUNT] = { 0 };
	unsigned npass = 0, nfail = 0, nskip = 0, nrun = 0;
	bool dax, trace_tried = false;
	int rc;

	opt_set_progname("daxstress");
	parse(argc, argv, &p, &sel);
	setvbuf(stdout, NULL, _IOLBF, 0);

	kw = kmsg_open(kwhy, sizeof(kwhy));
	dax = probe_dax(p.opt.dir, &probe, fsdesc, sizeof(fsdesc));
	root = results_new("stress", argc, argv);
	json_object_object_add(root, "program", json_object_new_string("daxstress"));
	json_object_object_add(root, "env", env_capture(p.opt.dir, probe.fd));
	json_object_object_add(root, "dax", json_object_new_boolean(dax));
	daxfile_remove(&probe);

	for (size_t i = 0; i < sel.n; i++)
		if (dax ? !sel.v[i]->needs_pagecache : !sel.v[i]->needs_dax)
			nrun++;
	if (p.duration_ns && nrun)
		per = p.duration_ns / nrun;

	printf("TAP version 13\n1..%zu\n", sel.n);
	printf("# daxstress %s: seed %" PRIu64 ", %s (%s, %s)\n",
	       DAXBENCH_VERSION, p.opt.seed, p.opt.dir, fsdesc, dax ? "DAX" : "not DAX");
	if (p.inject)
		printf("# negative control: --inject %s\n", inject_names[p.inject]);
	if (!kw)
		printf("# kernel log not watched: %s\n", kwhy);

	jsc = json_object_new_array();
	for (size_t i = 0; i < sel.n; i++) {
		const struct scenario *sc = sel.v[i];
		struct sctx c;
		enum sverdict v;
		char kl[KMSG_KEEP][KMSG_LINE_MAX], repro[4096] = "";
		struct kmsg_scan_result kr = { 0 };
		json_object *j = json_object_new_object(), *kj;
		uint64_t ts = now_ns();
		uint64_t first_fail = 0;
		bool truncated;

		memset(&c, 0, sizeof(c));
		c.sc = sc;
		c.o = (struct sc_opts){ .dir = p.opt.dir, .page = p.page,
			.inject = p.inject, .max_report = p.max_report,
			.dump_dir = p.dump_dir, .allow_lost = p.opt.allow_lost,
			.trace_kb = p.opt.trace_kb };
		c.seed = p.opt.seed;
		for (const char *q = sc->name; *q; q++)
			c.seed = (c.seed ^ (uint8_t)*q) * 0x100000001b3ull;
		c.size = p.size_set ? p.size : or_default(sc->defaults.size,
							  driver_defaults.size);
		c.npages = c.size / SPAGE;
		c.writers = p.writers_set ? p.writers : (unsigned)or_default(
			sc->defaults.writers, driver_defaults.writers);
		c.syncers = p.syncers_set ? p.syncers : (unsigned)or_default(
			sc->defaults.syncers, driver_defaults.syncers);
		c.round_ns = p.round_ns;
		c.first_failed_iter = -1;
		c.first_fail_ts = UINT64_MAX;
		c.failures = json_object_new_array();
		c.info = json_object_new_object();
		c.t_start = ts;
		if (p.duration_ns) {
			c.deadline = ts + per;
			c.max_iter = p.iterations;
		} else {
			c.max_iter = p.iterations ? p.iterations :
				     (unsigned)or_default(sc->defaults.iterations,
							  driver_defaults.iterations);
		}

		v = SV_SKIP;
		if (sc->needs_dax && !dax) {
			snprintf(c.skip_reason, sizeof(c.skip_reason),
				 "%s is not DAX (%s)", p.opt.dir, fsdesc);
		} else if (sc->needs_pagecache && dax) {
			snprintf(c.skip_reason, sizeof(c.skip_reason),
				 "%s is DAX: this scenario needs the page cache",
				 p.opt.dir);
		} else {
			if (sc->needs_dax && !tr && !trace_tried) {
				/* writebacks timed by their dax_flush return,
				 * not by the tracepoint (fired later): see
				 * trace.h */
				struct dax_trace_opts to = { .prefix = "daxstress",
					.buffer_kb = (unsigned)p.opt.trace_kb,
					.flush_time = true };
				const char *fwhy = NULL;

				trace_tried = true;
				tr = dax_trace_open(&to, why, sizeof(why));
				if (tr && !dax_trace_flush_timed(tr, &fwhy)) {
					fprintf(stderr, "daxstress: writebacks timed by "
						"their tracepoint, not by their flush, "
						"and the unflushed rule not checked: "
						"%s\n", fwhy);
					printf("# unflushed rule: NOT CHECKED in any "
					       "scenario: no dax_flush probes (%s)\n",
					       fwhy);
				}
			}
			if (sc->needs_dax && !tr) {
				snprintf(c.skip_reason, sizeof(c.skip_reason),
					 "no fs_dax tracing: %s", why);
			} else {
				const char *fwhy = NULL;

				c.tr = sc->needs_dax ? tr : NULL;
				c.lost_base = c.tr ? dax_trace_lost(c.tr) : 0;
				c.flush_rule = c.tr && dax_trace_flush_timed(c.tr, &fwhy);
				if (c.flush_rule)
					c.flush_missed_base = dax_trace_flush_missed(c.tr);
				else if (c.tr)
					snprintf(c.flush_rule_why, sizeof(c.flush_rule_why),
						 "no dax_flush probes: %s", fwhy);
				else
					snprintf(c.flush_rule_why, sizeof(c.flush_rule_why),
						 "not applicable: the page cache has no "
						 "dax_flush");
				printf("# %s: %s\n", sc->name, sc->desc);
				v = run_scenario(&c);
				if (v == SV_FAIL)
					c.failed = true;
				if (p.inject == INJ_UNFLUSHED && c.tr && !c.flush_rule)
					sc_fail(&c, "--inject unflushed needs the dax_flush "
						"probes (%s)", c.flush_rule_why);
				if (p.inject == INJ_KMSG_WARNING) {
					char msg[128];

					snprintf(msg, sizeof(msg), "daxstress: WARNING: "
						 "fake (--inject kmsg-warning, %s)",
						 sc->name);
					if (kmsg_write(msg) < 0)
						sc_diag(&c, "cannot write to /dev/kmsg: %s",
							strerror(errno));
				}
			}
		}
		if (kw && kmsg_scan(kw, kl, KMSG_KEEP, &kr) == 0 && kr.hits &&
		    v != SV_SKIP) {
			sc_fail(&c, "the kernel log shows %" PRIu64 " problem(s) "
				"while the scenario ran", kr.hits);
			for (size_t k = 0; k < kr.nlines; k++)
				printf("#   %s\n", kl[k]);
			v = SV_FAIL;
		}
		if (v == SV_FAIL)
			c.failed = true;
		if (c.failed)
			v = SV_FAIL;
		json_object_object_add(j, "name", json_object_new_string(sc->name));
		json_object_object_add(j, "description", json_object_new_string(sc->desc));
		json_object_object_add(j, "verdict", json_object_new_string(verdict_name(v)));
		if (v == SV_SKIP) {
			nskip++;
			printf("ok %zu - %s # SKIP %s\n", i + 1, sc->name, c.skip_reason);
			json_object_object_add(j, "skip_reason",
					       json_object_new_string(c.skip_reason));
			json_object_array_add(jsc, j);
			json_object_put(c.failures);
			json_object_put(c.info);
			continue;
		}
		c.t_start = now_ns() - ts;	/* now: the duration */
		first_fail = c.first_fail_ts > ts ? c.first_fail_ts - ts : 0;
		printf("# %s: %u iteration%s in %.1f s: %" PRIu64 " sync calls (%"
		       PRIu64 " checked), %" PRIu64 " pages checked, %" PRIu64
		       " violations; %" PRIu64 " stores, %" PRIu64
		       " writeback events\n", sc->name, c.iterations,
		       c.iterations == 1 ? "" : "s", c.t_start / 1e9, c.sync_calls,
		       c.syncs_checked, c.pairs_checked, c.violations, c.stores,
		       c.events);
		printf("# %s: violations by class: late %" PRIu64 ", missed %"
		       PRIu64 ", unflushed %" PRIu64 "\n", sc->name,
		       c.by_class[ORACLE_LATE], c.by_class[ORACLE_MISSED],
		       c.by_class[ORACLE_UNFLUSHED]);
		if (c.flush_rule)
			printf("# %s: flush time: dax_flush return (%" PRIu64
			       " writeback events paired with their dax_flush "
			       "return, %" PRIu64 " unpaired: unflushed)\n",
			       sc->name, c.wb_paired, c.wb_unpaired);
		else if (c.tr)
			printf("# %s: flush time: tracepoint\n", sc->name);
		if (c.flush_rule)
			printf("# %s: unflushed rule: checked on %" PRIu64 " writeback "
			       "events (each must follow a completed dax_flush of "
			       "its range by its thread)%s\n", sc->name,
			       c.flush_checked, c.flush_missed ?
			       "; the probes MISSED hits (see above)" : "");
		else if (c.tr)
			printf("# %s: unflushed rule: NOT CHECKED: %s\n", sc->name,
			       c.flush_rule_why);
		else
			printf("# %s: unflushed rule: %s\n", sc->name,
			       c.flush_rule_why);
		if (p.inject == INJ_UNFLUSHED && c.tr)
			printf("# %s: --inject unflushed: the dax_flush records of %"
			       PRIu64 " writeback events dropped\n", sc->name,
			       c.injected_unflushed);
		if (c.first_fail_ts != UINT64_MAX)
			printf("# %s: first violation in a sync call begun %.3f s "
			       "into the scenario\n", sc->name, first_fail / 1e9);
		if (v == SV_FAIL) {
			repro_line(repro, sizeof(repro), argv[0], &p, &c);
			printf("# reproduce: %s\n", repro);
			nfail++;
			printf("not ok %zu - %s\n", i + 1, sc->name);
		} else {
			npass++;
			printf("ok %zu - %s\n", i + 1, sc->name);
		}
		json_object_object_add(j, "seed", ju64(c.seed));
		json_object_object_add(j, "duration_ns", ju64(c.t_start));
		json_object_object_add(j, "iterations", ju64(c.iterations));
		json_object_object_add(j, "size", ju64(c.size));
		json_object_object_add(j, "writers", ju64(c.writers));
		json_object_object_add(j, "syncers", ju64(c.syncers));
		json_object_object_add(j, "round_ns", ju64(c.round_ns));
		json_object_object_add(j, "page", json_object_new_string(
					       page_sel_names[p.page]));
		json_object_object_add(j, "sync_calls", ju64(c.sync_calls));
		json_object_object_add(j, "syncs_checked", ju64(c.syncs_checked));
		json_object_object_add(j, "pages_checked", ju64(c.pairs_checked));
		json_object_object_add(j, "violations", ju64(c.violations));
		/* every page with a violation (exact); complete unless more
		 * than 1000 ranges (then a final null) */
		json_object_object_add(j, "violation_pages",
				       bitmap_ranges_json(c.viol_pages, c.npages,
							  1000, &truncated));
		json_object_object_add(j, "violation_pages_complete",
				       json_object_new_boolean(!truncated));
		json_object_object_add(j, "violation_page_count",
				       ju64(bitmap_count(c.viol_pages, c.npages)));
		{
			json_object *k = json_object_new_object();

			json_object_object_add(k, "late", ju64(c.samples_late));
			json_object_object_add(k, "missed", ju64(c.samples_missed));
			/* unflushed (its exact count) only when there are:
			 * a failure of the known stock race has late and
			 * missed samples only */
			if (c.by_class[ORACLE_UNFLUSHED])
				json_object_object_add(k, "unflushed",
						       ju64(c.by_class[ORACLE_UNFLUSHED]));
			json_object_object_add(j, "violation_samples_by_kind", k);
		}
		{
			/* exact counts: violations is their sum; the first of
			 * each class with its full context */
			json_object *k = json_object_new_object(),
				    *f = json_object_new_object(),
				    *u = json_object_new_object();

			for (int q = 0; q < ORACLE_CLASS__COUNT; q++) {
				json_object_object_add(k, oracle_class_name(q),
						       ju64(c.by_class[q]));
				json_object_object_add(f, oracle_class_name(q),
						       c.first_class[q]);
				tot_class[q] += c.by_class[q];
			}
			json_object_object_add(j, "violations_by_class", k);
			json_object_object_add(j, "first_violation_by_class", f);
			json_object_object_add(u, "checked",
					       json_object_new_boolean(c.flush_rule));
			json_object_object_add(u, "why", c.flush_rule ? NULL :
					       json_object_new_string(c.flush_rule_why));
			json_object_object_add(u, "writebacks_checked",
					       ju64(c.flush_checked));
			json_object_object_add(u, "probe_missed", ju64(c.flush_missed));
			if (p.inject == INJ_UNFLUSHED)
				json_object_object_add(u, "injected",
						       ju64(c.injected_unflushed));
			json_object_object_add(j, "unflushed_rule", u);
		}
		json_object_object_add(j, "stores", ju64(c.stores));
		json_object_object_add(j, "writeback_events", ju64(c.events));
		/* the time the oracle gave each writeback event: its
		 * dax_flush return when paired, else its tracepoint's */
		json_object_object_add(j, "flush_time", !c.tr ? NULL :
				       json_object_new_string(
					       dax_trace_flush_timed(c.tr, NULL) ?
					       "dax_flush return" : "tracepoint"));
		json_object_object_add(j, "writeback_events_paired", ju64(c.wb_paired));
		json_object_object_add(j, "writeback_events_unpaired",
				       ju64(c.wb_unpaired));
		json_object_object_add(j, "lost_events", ju64(c.lost_events));
		if (c.tr)
			json_object_object_add(j, "events", dax_counts_json(&c.counts, true));
		kj = json_object_new_array();
		for (size_t k = 0; k < kr.nlines; k++)
			json_object_array_add(kj, json_object_new_string(kl[k]));
		json_object_object_add(j, "kmsg", kj);
		json_object_object_add(j, "failures", c.failures);
		json_object_object_add(j, "first_failed_iteration",
				       c.first_failed_iter < 0 ? NULL :
				       json_object_new_int(c.first_failed_iter));
		/* the earliest sync call with a violation began this long
		 * after the scenario started (null: no violation) */
		json_object_object_add(j, "first_failure_ns",
				       c.first_fail_ts == UINT64_MAX ? NULL :
				       ju64(first_fail));
		json_object_object_add(j, "reproduce", v == SV_FAIL ?
				       json_object_new_string(repro) : NULL);
		json_object_object_add(j, "first_violation_report", c.first_report);
		json_object_object_add(j, "info", c.info);
		json_object_array_add(jsc, j);
		free(c.viol_pages);
		tot_calls += c.sync_calls;
		tot_checked += c.syncs_checked;
		tot_pairs += c.pairs_checked;
		tot_viol += c.violations;
		tot_stores += c.stores;
		tot_lost += c.lost_events;
	}
	if (tr)
		json_object_object_add(root, "trace", dax_trace_describe(tr));
	dax_trace_close(tr);
	kmsg_close(kw);

	rc = nfail ? 1 : (nskip == sel.n ? EXIT_ALL_SKIPPED : 0);
	printf("# %u passed, %u failed, %u skipped in %.1f s (seed %" PRIu64 ")\n",
	       npass, nfail, nskip, (now_ns() - t0) / 1e9, p.opt.seed);

	params = json_object_new_object();
	json_object_object_add(params, "dir", json_object_new_string(p.opt.dir));
	json_object_object_add(params, "duration_ns", ju64(p.duration_ns));
	json_object_object_add(params, "iterations", ju64(p.iterations));
	json_object_object_add(params, "size", p.size_set ? ju64(p.size) : NULL);
	json_object_object_add(params, "round_ns", ju64(p.round_ns));
	json_object_object_add(params, "page", json_object_new_string(page_sel_names[p.page]));
	json_object_object_add(params, "inject", json_object_new_string(inject_names[p.inject]));
	json_object_object_add(params, "trace_buffer_kb", ju64(p.opt.trace_kb));
	json_object_object_add(params, "allow_lost_events", json_object_new_boolean(p.opt.allow_lost));
	json_object_object_add(root, "seed", ju64(p.opt.seed));
	json_object_object_add(root, "params", params);
	json_object_object_add(root, "kmsg_watched", json_object_new_boolean(kw != NULL));
	json_object_object_add(root, "scenarios", jsc);
	totals = json_object_new_object();
	json_object_object_add(totals, "passed", ju64(npass));
	json_object_object_add(totals, "failed", ju64(nfail));
	json_object_object_add(totals, "skipped", ju64(nskip));
	json_object_object_add(totals, "sync_calls", ju64(tot_calls));
	json_object_object_add(totals, "syncs_checked", ju64(tot_checked));
	json_object_object_add(totals, "pages_checked", ju64(tot_pairs));
	json_object_object_add(totals, "violations", ju64(tot_viol));
	{
		json_object *k = json_object_new_object();

		for (int q = 0; q < ORACLE_CLASS__COUNT; q++)
			json_object_object_add(k, oracle_class_name(q),
					       ju64(tot_class[q]));
		json_object_object_add(totals, "violations_by_class", k);
	}
	json_object_object_add(totals, "stores", ju64(tot_stores));
	json_object_object_add(totals, "lost_events", ju64(tot_lost));
	json_object_object_add(root, "totals", totals);
	json_object_object_add(root, "duration_ns", ju64(now_ns() - t0));
	json_object_object_add(root, "exit_status", json_object_new_int(rc));
	if (results_save(p.opt.output, root))
		rc = 1;
	json_object_put(root);
	return rc;
}
