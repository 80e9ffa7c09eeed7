// SPDX-License-Identifier: GPL-2.0
/*
 * daxstress: race scenarios for fs-dax dirty-page tracking, each checked by
 * an oracle that proves the kernel flushed what it had to.  Prints TAP
 * (one point per scenario); exit status 0 when every scenario passed (some
 * may be skipped), 1 when one failed, 2 on bad options, 4 when every
 * selected scenario was skipped (kselftest's convention).
 *
 * This file, the driver's main: the directory's DAX state, the trace
 * (opened for the first DAX scenario that runs), the kernel-log watch
 * (every scenario fails on WARNING, BUG, Oops, bad pmd... logged while it
 * ran), each selected scenario run (run.c) to its result (result.c: its
 * TAP, its JSON, the totals), the JSON summary.  It calls the scenarios'
 * ops (scenario.h); they never call it.
 */
#include <errno.h>
#include <inttypes.h>
#include <linux/mman.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "env.h"
#include "results.h"
#include "run.h"

#define EXIT_ALL_SKIPPED 4

/* What the scenarios' runs share. */
struct driver {
	const struct stress_params *p;
	const char *prog;		/* argv[0], for the reproduction line */
	bool dax;			/* the directory is DAX */
	char fsdesc[320];		/* "FSTYPE on SOURCE" */
	uint64_t per;			/* each scenario's share of --duration */
	struct dax_trace *tr;		/* NULL: not opened (yet), or failed */
	bool trace_tried;
	char why[512];			/* why it failed */
	struct kmsg_watch *kw;		/* NULL: not watched, */
	char kwhy[256];			/* for this reason */
};

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

/* The kernel-log watch, the directory (into root: "program", "env",
 * "dax"), each scenario's share of --duration, the TAP header.  0, or -1
 * when the JSON could not be built. */
static int driver_open(struct driver *d, const struct selection *sel,
		       json_object *root)
{
	const struct stress_params *p = d->p;
	struct daxfile probe;
	unsigned nrun = 0;
	int err = 0;

	d->kw = kmsg_open(d->kwhy, sizeof(d->kwhy));
	d->dax = probe_dax(p->opt.dir, &probe, d->fsdesc, sizeof(d->fsdesc));
	err |= jadd_str(root, "program", "daxstress");
	err |= jadd(root, "env", env_capture(p->opt.dir, probe.fd));
	err |= jadd_bool(root, "dax", d->dax);
	daxfile_remove(&probe);

	for (size_t i = 0; i < sel->n; i++)
		if (d->dax ? !sel->v[i]->needs_pagecache : !sel->v[i]->needs_dax)
			nrun++;
	if (p->duration_ns && nrun)
		d->per = p->duration_ns / nrun;

	printf("TAP version 13\n1..%zu\n", sel->n);
	printf("# daxstress %s: seed %" PRIu64 ", %s (%s, %s)\n",
	       DAXBENCH_VERSION, p->opt.seed, p->opt.dir, d->fsdesc,
	       d->dax ? "DAX" : "not DAX");
	if (p->inject)
		printf("# negative control: --inject %s\n", inject_names[p->inject]);
	if (!d->kw)
		printf("# kernel log not watched: %s\n", d->kwhy);
	return err;
}

/* The trace, opened once, for the first DAX scenario that runs: writebacks
 * timed by their dax_flush return, not by the tracepoint (fired later):
 * see trace.h.  Whether there is one. */
static bool trace_open(struct driver *d)
{
	if (!d->tr && !d->trace_tried) {
		struct dax_trace_opts to = { .prefix = "daxstress",
			.buffer_kb = (unsigned)d->p->opt.trace_kb,
			.flush_time = true };
		const char *fwhy = NULL;

		d->trace_tried = true;
		d->tr = dax_trace_open(&to, d->why, sizeof(d->why));
		if (d->tr && !dax_trace_flush_timed(d->tr, &fwhy)) {
			fprintf(stderr, "daxstress: writebacks timed by their "
				"tracepoint, not by their flush, and the "
				"unflushed rule not checked: %s\n", fwhy);
			printf("# unflushed rule: NOT CHECKED in any scenario: "
			       "no dax_flush probes (%s)\n", fwhy);
		}
	}
	return d->tr != NULL;
}

/* A scenario that can run here: its trace and flush rule, its run, the
 * negative controls that are the driver's. */
static enum sverdict run_here(struct driver *d, struct sc_run *run)
{
	struct sctx *c = &run->c;
	struct sc_result *r = &run->res;
	const char *fwhy = NULL;
	enum sverdict v;

	c->tr = c->sc->needs_dax ? d->tr : NULL;
	r->traced = c->tr != NULL;
	r->flush_rule = c->tr && dax_trace_flush_timed(c->tr, &fwhy);
	checker_start(&run->checker, c->tr, r->flush_rule);
	if (c->tr && !r->flush_rule)
		snprintf(r->flush_rule_why, sizeof(r->flush_rule_why),
			 "no dax_flush probes: %s", fwhy);
	else if (!c->tr)
		snprintf(r->flush_rule_why, sizeof(r->flush_rule_why),
			 "not applicable: the page cache has no dax_flush");
	printf("# %s: %s\n", c->sc->name, c->sc->desc);
	v = run_scenario(run);
	if (v == SV_FAIL)
		r->failed = true;
	if (d->p->inject == INJ_UNFLUSHED && c->tr && !r->flush_rule)
		sc_fail(c, "--inject unflushed needs the dax_flush probes (%s)",
			r->flush_rule_why);
	if (d->p->inject == INJ_KMSG_WARNING) {
		char msg[128];

		snprintf(msg, sizeof(msg), "daxstress: WARNING: fake (--inject "
			 "kmsg-warning, %s)", c->sc->name);
		if (kmsg_write(msg) < 0)
			sc_diag(c, "cannot write to /dev/kmsg: %s", strerror(errno));
	}
	return v;
}

/* One selected scenario, run or skipped, to its verdict: the kernel log
 * while it ran, its duration, the reproduction line of a failure. */
static void run_one(struct driver *d, struct sc_run *run,
		    const struct scenario *sc)
{
	const struct stress_params *p = d->p;
	struct sc_result *r = &run->res;
	struct kmsg_scan_result kr = { 0 };
	enum sverdict v = SV_SKIP;

	run_init(run, sc, p, d->per);
	if (sc->needs_dax && !d->dax)
		snprintf(r->skip_reason, sizeof(r->skip_reason),
			 "%s is not DAX (%s)", p->opt.dir, d->fsdesc);
	else if (sc->needs_pagecache && d->dax)
		snprintf(r->skip_reason, sizeof(r->skip_reason), "%s is DAX: "
			 "this scenario needs the page cache", p->opt.dir);
	else if (sc->needs_dax && !trace_open(d))
		snprintf(r->skip_reason, sizeof(r->skip_reason),
			 "no fs_dax tracing: %s", d->why);
	else
		v = run_here(d, run);
	if (d->kw && kmsg_scan(d->kw, r->kmsg, KMSG_KEEP, &kr) == 0 &&
	    kr.hits && v != SV_SKIP) {
		sc_fail(&run->c, "the kernel log shows %" PRIu64 " problem(s) "
			"while the scenario ran", kr.hits);
		for (size_t k = 0; k < kr.nlines; k++)
			printf("#   %s\n", r->kmsg[k]);
		v = SV_FAIL;
	}
	r->nkmsg = kr.nlines;
	if (v == SV_FAIL)
		r->failed = true;
	r->verdict = r->failed ? SV_FAIL : v;
	r->duration_ns = now_ns() - r->t_start;
	/* up to the first iteration that failed (or every one) */
	if (r->verdict == SV_FAIL)
		repro_line(r->reproduce, sizeof(r->reproduce), d->prog, p, sc,
			   (r->first_failed_iter < 0 ? (int)r->iterations :
			    r->first_failed_iter) + 1);
}

int main(int argc, char **argv)
{
	struct stress_params p;
	struct selection sel;
	struct driver d = { .p = &p, .prog = argv[0] };
	struct totals tot = { 0 };
	json_object *root, *jsc = json_object_new_array();
	uint64_t t0 = now_ns();
	bool watched;
	int rc, err = 0;

	opt_set_progname("daxstress");
	dax_trace_remove_stale();	/* what a killed daxbench or daxstress left */
	parse(argc, argv, &p, &sel);
	setvbuf(stdout, NULL, _IOLBF, 0);
	root = results_new("stress", argc, argv);
	err |= driver_open(&d, &sel, root);
	for (size_t i = 0; i < sel.n; i++) {
		struct sc_run run;

		run_one(&d, &run, sel.v[i]);
		result_tap(&run.res, i + 1);
		err |= jpush(jsc, result_json(&run.res));
		totals_add(&tot, &run.res);
		result_free(&run.res);
	}
	if (d.tr)
		err |= jadd(root, "trace", dax_trace_describe(d.tr));
	dax_trace_close(d.tr);
	watched = d.kw != NULL;
	kmsg_close(d.kw);

	rc = tot.failed ? 1 : (tot.skipped == sel.n ? EXIT_ALL_SKIPPED : 0);
	totals_tap(&tot, now_ns() - t0, p.opt.seed);
	err |= jadd_u64(root, "seed", p.opt.seed);
	err |= jadd(root, "params", params_json(&p));
	err |= jadd_bool(root, "kmsg_watched", watched);
	err |= jadd(root, "scenarios", jsc);
	err |= jadd(root, "totals", totals_json(&tot));
	err |= jadd_u64(root, "duration_ns", now_ns() - t0);
	err |= jadd_int(root, "exit_status", rc);
	if (err && p.opt.out.opt) {
		fprintf(stderr, "daxstress: %s: out of memory for the JSON "
			"summary, %s not written\n", p.opt.out.opt, p.opt.out.arg);
		rc = 1;
	} else if (results_save(&p.opt.out, root)) {
		rc = 1;
	}
	json_object_put(root);
	return rc;
}
