// SPDX-License-Identifier: GPL-2.0
/* Unit tests for lib/oracle.c: hand-made streams with exact expected
 * violations (each bug of the v8 review), a randomized cross-check against
 * a brute-force (syncs x pages) reference under all three strategies (with
 * the late/missed class of every violation), the flush rule (class
 * unflushed) on synthetic record streams paired by dax_trace_pair_flushes(),
 * and soak-sized checks (their timing in the diagnostics).
 *   test_oracle [--quick]	--quick: skip the timing (for valgrind) */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "oracle.h"
#include "tap.h"

static uint64_t rng_state;

static uint64_t rng(void)	/* splitmix64 */
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t rnd(uint64_t n)	/* [0, n) */
{
	return n ? rng() % n : 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static struct trace_rec wb(uint64_t ts, int32_t pid, uint64_t pgoff,
			   uint64_t pglen)
{
	return (struct trace_rec){ .ts = ts, .pid = pid, .ev = EV_WRITEBACK_ONE,
				   .pgoff = pgoff, .pglen = pglen };
}

static void add_wb(struct oracle *o, uint64_t ts, int32_t pid, uint64_t pgoff,
		   uint64_t pglen)
{
	struct trace_rec r = wb(ts, pid, pgoff, pglen);

	oracle_add_event(o, &r);
}

/* Check o; true iff the violations are exactly the (sync, page) pairs
 * given as exp[0..2n) = {sync, pgoff, ...} (sorted as reported). */
static bool check_exact(struct oracle *o, const uint64_t *exp, size_t n,
			struct oracle_report *out)
{
	struct oracle_report r;
	int64_t nv = oracle_check(o, &r, 1000);
	bool good = nv == (int64_t)n && r.nviol == n;

	for (size_t i = 0; good && i < n; i++)
		good = r.viol[i].sync_idx == exp[2 * i] &&
		       r.viol[i].pgoff == exp[2 * i + 1];
	if (!good) {
		diag("got %" PRId64 " violations, %zu samples:", nv, r.nviol);
		for (size_t i = 0; i < r.nviol; i++)
			diag("  sync %zu page %" PRIu64, r.viol[i].sync_idx,
			     r.viol[i].pgoff);
	}
	if (out)
		*out = r;
	else
		oracle_report_free(&r);
	return good;
}

/* What the oracle prints of violation v, or with v NULL of every unflushed
 * writeback, as TAP comments. */
static void report_diag(const struct oracle_report *r,
			const struct oracle_violation *v)
{
	char *buf = NULL, *line, *save = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return;
	if (v)
		oracle_violation_print(f, r, v);
	else
		for (size_t i = 0; i < r->nunfl; i++)
			oracle_unflushed_print(f, r, &r->unfl[i]);
	fclose(f);
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		diag("%s", line);
	free(buf);
}


static void test_missing(void)
{
	struct oracle *o = oracle_new(64);
	struct oracle_report r;
	struct trace_rec other = { .ts = 50, .ev = EV_PTE_FAULT, .pgoff = 5 };
	uint64_t exp[] = { 0, 5 };
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	json_object *j;

	oracle_add_store(o, 5, 100, 110);
	oracle_add_event(o, &other);	/* not a writeback: ignored */
	oracle_add_sync(o, 200, 300, 42, ORACLE_FSYNC, 0, 0);
	ok(check_exact(o, exp, 1, &r) && r.viol[0].cover_ts == ORACLE_NONE &&
	   r.viol[0].nnearby == 0 && r.viol[0].sync_tid == 42 &&
	   r.viol[0].store_t_before == 100 && r.viol[0].store_t_after == 110 &&
	   r.viol[0].sync_pages_missed == 1 && r.syncs == 1 &&
	   r.syncs_checked == 1 && r.syncs_failed == 1 &&
	   r.pairs_checked == 1 && r.events == 0 && r.events_ignored == 1,
	   "missing event: exactly page 5 reported");

	f = open_memstream(&buf, &len);
	oracle_violation_print(f, &r, &r.viol[0]);
	fclose(f);
	ok(buf && strstr(buf, "page 5:") && strstr(buf, "fsync #0") &&
	   strstr(buf, "tid 42") && strstr(buf, "+0.000000100s") &&
	   strstr(buf, "no writeback_one"), "print: page, sync, times");
	report_diag(&r, &r.viol[0]);
	free(buf);

	j = oracle_report_json(&r);
	ok(j && json_object_get_int64(json_object_object_get(j, "violations")) == 1 &&
	   json_object_array_length(json_object_object_get(j, "samples")) == 1 &&
	   json_object_get_int64(json_object_object_get(
		json_object_array_get_idx(json_object_object_get(j, "samples"), 0),
		"pgoff")) == 5 &&
	   json_object_is_type(json_object_object_get(
		json_object_array_get_idx(json_object_object_get(j, "samples"), 0),
		"first_cover_ns"), json_type_null),
	   "json: violations 1, sample page 5, first_cover null");
	json_object_put(j);
	oracle_report_free(&r);
	oracle_free(o);
}

/* One store [100, 110] to page 5, an fsync [200, 300], one event at ts. */
static bool one_event(uint64_t ts, bool expect_violation)
{
	struct oracle *o = oracle_new(64);
	uint64_t exp[] = { 0, 5 };
	bool good;

	oracle_add_store(o, 5, 100, 110);
	oracle_add_sync(o, 200, 300, 1, ORACLE_FSYNC, 0, 0);
	add_wb(o, ts, 1, 5, 1);
	add_wb(o, 250, 1, 6, 1);	/* a neighbour page: no help */
	good = check_exact(o, exp, expect_violation ? 1 : 0, NULL);
	oracle_free(o);
	return good;
}

static void test_event_times(void)
{
	struct oracle *o = oracle_new(64);
	struct oracle_report r;
	uint64_t exp[] = { 0, 5 };

	ok(one_event(50, true), "event before the store: reported");
	ok(one_event(100, true), "event exactly at store t_before: reported");
	ok(one_event(350, true), "event after the call returned: reported");
	ok(one_event(300, true), "event exactly at sync t_end: reported");
	ok(one_event(101, false), "event just after t_before: not reported");
	ok(one_event(299, false), "event just before t_end: not reported");
	ok(one_event(105, false), "event during the store: not reported");
	ok(one_event(250, false), "event inside the window: not reported");

	/* nearby events and the late cover time */
	oracle_add_store(o, 5, 100, 110);
	oracle_add_sync(o, 200, 300, 1, ORACLE_FSYNC, 0, 0);
	add_wb(o, 10, 7, 5, 1);
	add_wb(o, 20, 7, 5, 1);
	add_wb(o, 90, 7, 0, 8);
	add_wb(o, 400, 8, 5, 1);
	add_wb(o, 1000, 8, 5, 1);	/* 700 after: farther than 10's 90 */
	add_wb(o, 5000, 8, 5, 1);
	add_wb(o, 250, 9, 6, 1);	/* not covering */
	ok(check_exact(o, exp, 1, &r) && r.viol[0].cover_ts == 400 &&
	   r.viol[0].nnearby == 4 && r.viol[0].nearby[0].ts == 10 &&
	   r.viol[0].nearby[1].ts == 20 && r.viol[0].nearby[2].ts == 90 &&
	   r.viol[0].nearby[2].pglen == 8 && r.viol[0].nearby[3].ts == 400,
	   "late flush: cover_ts 400, 4 nearest events in ts order");
	report_diag(&r, &r.viol[0]);
	oracle_report_free(&r);
	oracle_free(o);
}

static void test_pmd(void)
{
	struct oracle *o = oracle_new(4096);
	uint64_t exp[] = { 0, 1024 };

	for (uint64_t p = 512; p < 1024; p++)
		oracle_add_store(o, p, 100 + p, 101 + p);
	oracle_add_store(o, 1024, 100, 110);
	oracle_add_sync(o, 5000, 6000, 1, ORACLE_MSYNC, 0, 0);
	add_wb(o, 5500, 1, 512, 512);
	ok(check_exact(o, exp, 1, NULL),
	   "PMD event covers 512..1023; page 1024 reported");
	oracle_free(o);

	/* an unaligned 600-page event also covers them (block decomposition) */
	o = oracle_new(4096);
	for (uint64_t p = 500; p < 1100; p += 7)
		oracle_add_store(o, p, 100, 110);
	oracle_add_store(o, 1100, 100, 110);
	oracle_add_store(o, 499, 100, 110);
	oracle_add_sync(o, 5000, 6000, 1, ORACLE_FSYNC, 0, 0);
	add_wb(o, 5500, 1, 500, 600);
	{
		uint64_t e2[] = { 0, 499, 0, 1100 };

		ok(check_exact(o, e2, 2, NULL),
		   "600-page event at 500: only pages 499 and 1100 reported");
	}
	oracle_free(o);
}

/* Jan Kara's race: two fsyncs, the winner clears TOWRITE and flushes late. */
static void test_overlap(void)
{
	static const struct {
		uint64_t wb_ts;		/* when A's writeback of page 3 is */
		bool b_reports;		/* B (sync 1) reports page 3 */
		const char *name;
	} cases[] = {
		{ 200, false, "overlapping fsyncs, A flushes inside both windows: none reported" },
		{ 350, true, "A flushes after B returned: B reports page 3, A does not" },
	};
	uint64_t exp_b[] = { 1, 3 };

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct oracle *o = oracle_new(64);

		oracle_add_store(o, 3, 10, 20);
		oracle_add_sync(o, 100, 400, 1, ORACLE_FSYNC, 0, 0);	/* A */
		oracle_add_sync(o, 150, 300, 2, ORACLE_FSYNC, 0, 0);	/* B */
		add_wb(o, cases[i].wb_ts, 1, 3, 1);
		ok(check_exact(o, cases[i].b_reports ? exp_b : NULL,
			       cases[i].b_reports, NULL), "%s", cases[i].name);
		oracle_free(o);
	}
}

static void test_store_after_start(void)
{
	struct oracle *o = oracle_new(64);
	struct oracle_report r;

	oracle_add_store(o, 2, 90, 100);	/* completes at t_start */
	oracle_add_store(o, 4, 150, 160);	/* during the call */
	oracle_add_sync(o, 100, 200, 1, ORACLE_FSYNC, 0, 0);
	ok(check_exact(o, NULL, 0, &r) && r.pairs_checked == 0 &&
	   r.syncs_checked == 0,
	   "stores completing at/after the sync began are not required");
	oracle_report_free(&r);
	oracle_free(o);
}

static void test_restore(void)
{
	struct oracle *o = oracle_new(64);
	uint64_t exp[] = { 0, 7 };

	oracle_add_store(o, 7, 10, 20);
	add_wb(o, 30, 1, 7, 1);			/* flushes the first store */
	oracle_add_store(o, 7, 40, 50);		/* re-dirtied, never flushed */
	oracle_add_sync(o, 100, 200, 1, ORACLE_FSYNC, 0, 0);
	ok(check_exact(o, exp, 1, NULL),
	   "page stored twice, event between the stores: reported");
	add_wb(o, 150, 1, 7, 1);
	ok(check_exact(o, NULL, 0, NULL), "... and not once flushed again");
	oracle_free(o);
}

static void test_partial(void)
{
	struct oracle *o = oracle_new(64);
	uint64_t exp[] = { 0, 12, 1, 20, 2, 5 };

	oracle_add_store(o, 5, 10, 20);
	oracle_add_store(o, 12, 10, 20);
	oracle_add_store(o, 20, 10, 20);
	oracle_add_sync(o, 100, 200, 1, ORACLE_MSYNC, 10, 5);	/* 10..14 */
	oracle_add_sync(o, 100, 200, 1, ORACLE_SYNC_FILE_RANGE, 15, 0);
	oracle_add_sync(o, 100, 200, 1, ORACLE_MSYNC, 0, 6);	/* 0..5 */
	oracle_add_sync(o, 100, 200, 1, ORACLE_MSYNC, 60, 100);	/* 60..63 */
	oracle_add_sync(o, 100, 200, 1, ORACLE_MSYNC, 70, 1);	/* nothing */
	ok(check_exact(o, exp, 3, NULL),
	   "partial ranges check only their pages");
	oracle_free(o);
}

/* ---- the failing-page set past the sample cap ---- */

/* The expected failing pages of test_pages_past_cap(). */
static bool pc_bad(uint64_t p)
{
	return p % 7 == 3 || (p >= 1000 && p < 1500) || p == 4095 ||
	       (p >= 2048 && p < 2050);
}

/* r's page set is exactly bad(0..npages), merged into maximal ranges. */
static bool pages_exact(const struct oracle_report *r, uint64_t npages,
			bool (*bad)(uint64_t), const char *what)
{
	uint64_t want = 0, nranges = 0;
	bool good = true;

	for (uint64_t p = 0; p < npages; p++) {
		if (bad(p)) {
			want++;
			nranges += p == 0 || !bad(p - 1);
		}
		if (good && oracle_report_page_failed(r, p) != bad(p)) {
			diag("%s: page %" PRIu64 " %s", what, p, bad(p) ?
			     "missing from the set" : "in the set, not failing");
			good = false;
		}
	}
	for (size_t i = 0; good && i < r->nfailed; i++)
		if (r->failed[i].first > r->failed[i].last ||
		    (i && r->failed[i].first <= r->failed[i - 1].last + 1)) {
			diag("%s: range %zu [%" PRIu64 ", %" PRIu64 "] not "
			     "ascending, disjoint, merged", what, i,
			     r->failed[i].first, r->failed[i].last);
			good = false;
		}
	if (good && (r->pages_failed != want || r->nfailed != nranges)) {
		diag("%s: %" PRIu64 " pages in %zu ranges, expected %" PRIu64
		     " in %" PRIu64, what, r->pages_failed, r->nfailed, want,
		     nranges);
		good = false;
	}
	return good;
}

static bool all_good(uint64_t p)
{
	(void)p;
	return false;
}

/* Every page of a 4096-page file stored, 40 syncs, the pages of pc_bad()
 * never flushed in time: thousands of violations, 4 samples kept. */
static void test_pages_past_cap(void)
{
	static const char *const sname[] = { "auto", "by store", "by sync" };
	const uint64_t npages = 4096;
	uint64_t nbad = 0;
	int bad_pages = 0, bad_first = 0, bad_count = 0;

	for (uint64_t p = 0; p < npages; p++)
		nbad += pc_bad(p);
	for (int s = 0; s < 3; s++) {
		struct oracle *o = oracle_new(npages);
		struct oracle_report r;
		uint64_t want_v = 0;
		int64_t nv;

		oracle_set_strategy(o, (enum oracle_strategy)s);
		for (uint64_t p = 0; p < npages; p++)
			oracle_add_store(o, p, 100 + p % 13, 200);
		/* sync k: [10000 + 1000 * (39 - k), + 500]: added latest first,
		 * so the earliest is the last added (index 39).  A partial
		 * msync of good pages only (index 40) starts earlier still and
		 * must not count; nor a whole-file one before every store. */
		for (int k = 0; k < 40; k++) {
			uint64_t ts = 10000 + 1000 * (uint64_t)(39 - k);

			oracle_add_sync(o, ts, ts + 500, k, ORACLE_FSYNC, 0, 0);
			want_v += nbad;
		}
		oracle_add_sync(o, 5000, 5100, 99, ORACLE_MSYNC, 0, 3);
		oracle_add_sync(o, 50, 60, 98, ORACLE_FSYNC, 0, 0);
		/* the good pages: one writeback each inside every sync */
		for (int k = 0; k < 40; k++) {
			uint64_t ts = 10000 + 1000 * (uint64_t)k + 250;

			for (uint64_t p = 0; p < npages; p++)
				if (!pc_bad(p))
					add_wb(o, ts, 1, p, 1);
		}
		add_wb(o, 5050, 1, 0, 3);
		/* the bad pages: only before the stores, or after every call */
		add_wb(o, 20, 1, 0, npages);
		add_wb(o, 100000, 1, 1024, 512);

		nv = oracle_check(o, &r, 4);
		if (nv != (int64_t)want_v || r.nviol != 4 ||
		    r.syncs_failed != 40) {
			if (!bad_count++)
				diag("%s: %" PRId64 " violations (want %" PRIu64
				     "), %zu samples, %" PRIu64 " syncs failed",
				     sname[s], nv, want_v, r.nviol,
				     r.syncs_failed);
		}
		if (!pages_exact(&r, npages, pc_bad, sname[s]))
			bad_pages++;
		if (r.first_failed_sync != 39 || r.first_failed_t_start != 10000 ||
		    r.first_failed_t_end != 10500) {
			if (!bad_first++)
				diag("%s: first failed sync %zu [%" PRIu64 ", %"
				     PRIu64 "], want 39 [10000, 10500]",
				     sname[s], r.first_failed_sync,
				     r.first_failed_t_start,
				     r.first_failed_t_end);
		}
		oracle_report_free(&r);

		/* zero samples: the set does not depend on them */
		nv = oracle_check(o, &r, 0);
		if (nv != (int64_t)want_v || r.nviol != 0 ||
		    !pages_exact(&r, npages, pc_bad, "0 samples"))
			bad_pages++;
		oracle_report_free(&r);
		oracle_free(o);
	}
	is(bad_count, 0, "%" PRIu64 " violations over 40 syncs, 4 samples kept: "
	   "counted in full", nbad * 40);
	is(bad_pages, 0, "... and the failing-page set is exactly the %" PRIu64
	   " expected pages, in merged ranges, under every strategy", nbad);
	is(bad_first, 0, "... and the first failing sync is the earliest to "
	   "start (not the first added, nor an earlier clean one)");

	/* nothing fails: an empty set, no first failure */
	{
		struct oracle *o = oracle_new(64);
		struct oracle_report r;
		json_object *j;
		bool good;

		oracle_add_store(o, 5, 10, 20);
		oracle_add_sync(o, 100, 200, 1, ORACLE_FSYNC, 0, 0);
		add_wb(o, 150, 1, 0, 64);
		good = oracle_check(o, &r, 4) == 0 && r.nfailed == 0 &&
		       r.failed == NULL && pages_exact(&r, 64, all_good, "clean") &&
		       r.first_failed_sync == SIZE_MAX &&
		       r.first_failed_t_start == ORACLE_NONE &&
		       r.first_failed_t_end == ORACLE_NONE;
		j = oracle_report_json(&r);
		good = good && j &&
		       json_object_get_int64(json_object_object_get(j, "pages_failed")) == 0 &&
		       json_object_object_get_ex(j, "first_failed_sync", NULL) &&
		       json_object_object_get(j, "first_failed_sync") == NULL;
		json_object_put(j);
		oracle_report_free(&r);

		/* then a late store: page 5 fails, in JSON too */
		oracle_add_store(o, 5, 250, 260);
		oracle_add_store(o, 6, 250, 260);
		oracle_add_sync(o, 300, 400, 2, ORACLE_FSYNC, 0, 0);
		add_wb(o, 350, 1, 6, 1);
		good = good && oracle_check(o, &r, 0) == 1 && r.nviol == 0 &&
		       r.nfailed == 1 && r.failed[0].first == 5 &&
		       r.failed[0].last == 5 && r.pages_failed == 1 &&
		       r.first_failed_sync == 1 && r.first_failed_t_start == 300 &&
		       r.first_failed_t_end == 400;
		j = oracle_report_json(&r);
		good = good && j &&
		       json_object_get_int64(json_object_object_get(j, "pages_failed")) == 1 &&
		       json_object_get_int64(json_object_object_get(j, "failed_page_ranges")) == 1 &&
		       json_object_get_int64(json_object_object_get(
			json_object_object_get(j, "first_failed_sync"), "t_start_ns")) == 300;
		json_object_put(j);
		oracle_report_free(&r);
		oracle_free(o);
		ok(good, "no violation: empty page set, first failure none; "
		   "one: its page and sync, in the JSON too");
	}
}

/* ---- randomized cross-check ---- */

struct rstore { uint64_t pg, tb, ta; };
struct rsync { uint64_t ts, te, first, npages; };
struct rev { uint64_t ts, pgoff, pglen; int32_t pid; };

struct rcase {
	uint64_t npages;
	struct rstore *st;
	size_t nst;
	struct rsync *sy;
	size_t nsy;
	struct rev *ev;
	size_t nev;
};

static void gen_case(struct rcase *c, uint64_t seed)
{
	uint64_t T;
	size_t nranges;
	struct rsync ranges[6];

	rng_state = seed;
	c->npages = 100 + rnd(300);
	T = 200 + rnd(5000);	/* small: many time ties */
	c->nst = rnd(2000);
	c->nsy = 1 + rnd(40);
	c->nev = rnd(1500);
	c->st = malloc((c->nst + 1) * sizeof(*c->st));
	c->sy = malloc((c->nsy + 1) * sizeof(*c->sy));
	c->ev = malloc((c->nev + 1) * sizeof(*c->ev));
	for (size_t i = 0; i < c->nst; i++) {
		uint64_t tb = rnd(T), d = rnd(4) ? rnd(3) : rnd(50);
		/* hot pages: many stores to a few pages */
		uint64_t pg = rnd(3) ? rnd(c->npages) : rnd(8);

		c->st[i] = (struct rstore){ pg, tb, tb + d };
	}
	nranges = rnd(6);
	for (size_t i = 0; i < nranges; i++)
		ranges[i] = (struct rsync){ 0, 0, rnd(c->npages + 20),
					    rnd(4) ? 1 + rnd(80) : 0 };
	for (size_t i = 0; i < c->nsy; i++) {
		uint64_t ts = rnd(T + 100), d = rnd(4) ? rnd(200) : rnd(2000);
		uint64_t k = rnd(10);

		if (k < 4 || !nranges)		/* whole file */
			c->sy[i] = (struct rsync){ ts, ts + d, 0, 0 };
		else if (k < 8)			/* a repeated range */
			c->sy[i] = (struct rsync){ ts, ts + d,
				ranges[rnd(nranges)].first,
				ranges[rnd(nranges)].npages };
		else				/* a one-off range */
			c->sy[i] = (struct rsync){ ts, ts + d,
				rnd(c->npages + 10), rnd(3) ? rnd(100) : 0 };
	}
	for (size_t i = 0; i < c->nev; i++) {
		uint64_t k = rnd(20), pg, len;

		if (k < 12) {
			pg = rnd(c->npages);
			len = 1;
		} else if (k < 14) {
			pg = 512 * rnd(2);
			len = 512;
		} else if (k < 17) {
			len = 1ull << rnd(6);
			pg = len * rnd(c->npages / len + 1);
		} else {
			pg = rnd(c->npages + 20);
			len = 1 + rnd(70);
		}
		c->ev[i] = (struct rev){ rnd(T + 2500), pg, len, 0 };
	}
	/* the writer of each event: the thread of a sync (tid = its index)
	 * or of none (drawn last: the streams above are as before) */
	for (size_t i = 0; i < c->nev; i++)
		c->ev[i].pid = (int32_t)rnd(c->nsy + 3);
}

static void free_case(struct rcase *c)
{
	free(c->st);
	free(c->sy);
	free(c->ev);
}

struct bviol { size_t sync; uint64_t pg; uint64_t cover; int cls; };

/* The class, literally: the covering event's thread (earliest, then first
 * added), its last sync call begun by then, running then, and begun before
 * sync y returned: late; else missed.  Syncs have tid = their index. */
static int brute_class(const struct rcase *c, size_t y, uint64_t p,
		       uint64_t tb, uint64_t cover)
{
	const struct rev *e = NULL;
	const struct rsync *call;

	if (cover == ORACLE_NONE)
		return ORACLE_MISSED;
	for (size_t k = 0; k < c->nev && !e; k++)
		if (c->ev[k].ts == cover && p >= c->ev[k].pgoff &&
		    p - c->ev[k].pgoff < c->ev[k].pglen && c->ev[k].ts > tb)
			e = &c->ev[k];
	if (!e || e->pid < 0 || (size_t)e->pid >= c->nsy)
		return ORACLE_MISSED;
	call = &c->sy[e->pid];		/* its only call */
	if (call->ts > cover || call->te < cover || call->ts >= c->sy[y].te)
		return ORACLE_MISSED;
	return ORACLE_LATE;
}

/* The rule, literally: for each sync, each page of its range. */
static size_t brute(const struct rcase *c, struct bviol *out, uint64_t *pairs,
		    uint64_t *checked)
{
	size_t n = 0;

	*pairs = 0;
	*checked = 0;
	for (size_t y = 0; y < c->nsy; y++) {
		const struct rsync *s = &c->sy[y];
		uint64_t lo = s->first, hi;

		uint64_t pairs0 = *pairs;

		hi = s->npages ? s->first + s->npages : c->npages;
		if (hi > c->npages)
			hi = c->npages;
		for (uint64_t p = lo; p < hi; p++) {
			const struct rstore *last = NULL;
			uint64_t cover = ORACLE_NONE;
			bool sat = false;

			for (size_t i = 0; i < c->nst; i++) {
				const struct rstore *t = &c->st[i];

				if (t->pg != p || t->ta >= s->ts)
					continue;
				if (!last || t->ta > last->ta ||
				    (t->ta == last->ta && t->tb > last->tb))
					last = t;
			}
			if (!last)
				continue;
			(*pairs)++;
			for (size_t e = 0; e < c->nev; e++) {
				const struct rev *v = &c->ev[e];

				if (p < v->pgoff || p - v->pgoff >= v->pglen ||
				    v->ts <= last->tb)
					continue;
				if (v->ts < s->te)
					sat = true;
				if (v->ts < cover)
					cover = v->ts;
			}
			if (!sat)
				out[n++] = (struct bviol){ y, p, cover,
					brute_class(c, y, p, last->tb, cover) };
		}
		if (*pairs > pairs0)
			(*checked)++;
	}
	return n;	/* sorted by (sync, page) */
}

static struct oracle *feed(const struct rcase *c, enum oracle_strategy s)
{
	struct oracle *o = oracle_new(c->npages);

	oracle_set_strategy(o, s);
	for (size_t i = 0; i < c->nst; i++)
		oracle_add_store(o, c->st[i].pg, c->st[i].tb, c->st[i].ta);
	for (size_t i = 0; i < c->nsy; i++)
		oracle_add_sync(o, c->sy[i].ts, c->sy[i].te, (int32_t)i,
				ORACLE_FSYNC, c->sy[i].first, c->sy[i].npages);
	for (size_t i = 0; i < c->nev; i++)
		add_wb(o, c->ev[i].ts, c->ev[i].pid, c->ev[i].pgoff,
		       c->ev[i].pglen);
	return o;
}

/* Brute violation a before b: by sync t_start, t_end, index, page. */
static bool bv_before(const struct rcase *c, const struct bviol *a,
		      const struct bviol *b)
{
	const struct rsync *x = &c->sy[a->sync], *y = &c->sy[b->sync];

	if (x->ts != y->ts)
		return x->ts < y->ts;
	if (x->te != y->te)
		return x->te < y->te;
	if (a->sync != b->sync)
		return a->sync < b->sync;
	return a->pg < b->pg;
}

/* r's class counts and first samples against the brute force bv[0..nb):
 * counts exact; every class with a violation has a sample; first[k] is of
 * class k and the earliest sample of it, and (exact) the earliest brute
 * violation of it when every violation was sampled. */
static bool classes_good(const struct rcase *c, const struct bviol *bv,
			 size_t nb, const struct oracle_report *r, bool all)
{
	uint64_t n[2] = { 0, 0 };
	size_t bfirst[2] = { SIZE_MAX, SIZE_MAX };

	for (size_t i = 0; i < nb; i++) {
		n[bv[i].cls]++;
		if (bfirst[bv[i].cls] == SIZE_MAX ||
		    bv_before(c, &bv[i], &bv[bfirst[bv[i].cls]]))
			bfirst[bv[i].cls] = i;
	}
	if (r->by_class[ORACLE_LATE] != n[ORACLE_LATE] ||
	    r->by_class[ORACLE_MISSED] != n[ORACLE_MISSED] ||
	    r->by_class[ORACLE_UNFLUSHED] != 0)
		return false;
	for (int k = ORACLE_LATE; k <= ORACLE_MISSED; k++) {
		size_t f = r->first[k];

		if (!n[k]) {
			if (f != SIZE_MAX)
				return false;
			continue;
		}
		if (f >= r->nviol || (int)r->viol[f].cls != k)
			return false;
		for (size_t i = 0; i < r->nviol; i++)
			if ((int)r->viol[i].cls == k && i != f &&
			    (r->viol[i].sync_t_start < r->viol[f].sync_t_start))
				return false;
		if (all && (r->viol[f].sync_idx != bv[bfirst[k]].sync ||
			    r->viol[f].pgoff != bv[bfirst[k]].pg))
			return false;
	}
	return true;
}

static const uint8_t *rand_bad;	/* brute-force failing pages */

static bool rand_bad_page(uint64_t p)
{
	return rand_bad[p];
}

static void test_random(int nseeds)
{
	static const char *const sname[] = { "auto", "by store", "by sync" };
	int bad[3] = { 0 }, bad_sample = 0, bad_set = 0, bad_cls = 0;
	uint64_t tot_v = 0, tot_pairs = 0, tot_pages = 0, tot_late = 0;

	for (int seed = 1; seed <= nseeds; seed++) {
		struct rcase c;
		struct bviol *bv;
		uint64_t pairs, checked, missed[64] = { 0 };
		size_t nb, failed = 0, first = SIZE_MAX;
		uint8_t *badpg;

		gen_case(&c, 1000 + seed);
		bv = malloc((c.nsy * c.npages + 1) * sizeof(*bv));
		badpg = calloc(c.npages, 1);
		nb = brute(&c, bv, &pairs, &checked);
		tot_v += nb;
		for (size_t i = 0; i < nb; i++)
			tot_late += bv[i].cls == ORACLE_LATE;
		tot_pairs += pairs;
		for (size_t i = 0; i < nb; i++) {
			if (!missed[bv[i].sync]++)
				failed++;
			tot_pages += !badpg[bv[i].pg];
			badpg[bv[i].pg] = 1;
		}
		/* the failing sync with the earliest (t_start, t_end, index) */
		for (size_t y = 0; y < c.nsy; y++)
			if (missed[y] && (first == SIZE_MAX ||
			    c.sy[y].ts < c.sy[first].ts ||
			    (c.sy[y].ts == c.sy[first].ts &&
			     c.sy[y].te < c.sy[first].te)))
				first = y;
		rand_bad = badpg;
		for (int s = 0; s < 3; s++) {
			struct oracle *o = feed(&c, (enum oracle_strategy)s);
			struct oracle_report r;
			int64_t nv = oracle_check(o, &r, SIZE_MAX);
			bool good = nv == (int64_t)nb && r.nviol == nb &&
				    r.pairs_checked == pairs &&
				    r.syncs_failed == failed &&
				    r.syncs_checked == checked;

			for (size_t i = 0; good && i < nb; i++) {
				const struct oracle_violation *v = &r.viol[i];

				good = v->sync_idx == bv[i].sync &&
				       v->pgoff == bv[i].pg &&
				       v->cover_ts == bv[i].cover &&
				       v->sync_pages_missed == missed[bv[i].sync];
				if (good && (int)v->cls != bv[i].cls && !bad_cls++)
					diag("seed %d %s: sync %zu page %" PRIu64
					     ": class %s, brute %s", seed, sname[s],
					     bv[i].sync, bv[i].pg,
					     oracle_class_name(v->cls),
					     oracle_class_name(bv[i].cls));
			}
			if (!classes_good(&c, bv, nb, &r, true) && !bad_cls++)
				diag("seed %d %s: class counts or first samples "
				     "differ (late %" PRIu64 ", missed %" PRIu64 ")",
				     seed, sname[s], r.by_class[ORACLE_LATE],
				     r.by_class[ORACLE_MISSED]);
			if (!good && !bad[s]++)
				diag("seed %d %s: %" PRId64 "/%zu violations "
				     "(brute %zu), pairs %" PRIu64 " (brute %"
				     PRIu64 ")", seed, sname[s], nv, r.nviol,
				     nb, r.pairs_checked, pairs);
			if (!pages_exact(&r, c.npages, rand_bad_page, sname[s]) ||
			    r.first_failed_sync != first ||
			    (first != SIZE_MAX &&
			     (r.first_failed_t_start != c.sy[first].ts ||
			      r.first_failed_t_end != c.sy[first].te))) {
				if (!bad_set++)
					diag("seed %d %s: page set or first failed "
					     "sync (%zu, brute %zu) differs", seed,
					     sname[s], r.first_failed_sync, first);
			}
			oracle_report_free(&r);

			/* capped samples: a subset, distinct, counted fully;
			 * the page set and first failure unchanged */
			if (s == 0) {
				size_t cap = 1 + rnd(10), k;

				nv = oracle_check(o, &r, cap);
				if (!pages_exact(&r, c.npages, rand_bad_page,
						 "capped") ||
				    r.first_failed_sync != first) {
					if (!bad_set++)
						diag("seed %d: capped at %zu: page "
						     "set or first failed sync "
						     "differs", seed, cap);
				}
				/* up to cap, plus one of each class the
				 * round robin did not reach */
				good = nv == (int64_t)nb &&
				       r.nviol >= (nb < cap ? nb : cap) &&
				       r.nviol <= (nb < cap + 2 ? nb : cap + 2);
				if (!classes_good(&c, bv, nb, &r, false) && !bad_cls++)
					diag("seed %d: capped at %zu: class counts or "
					     "first samples wrong", seed, cap);
				for (size_t i = 0; good && i < r.nviol; i++) {
					for (k = 0; k < nb; k++)
						if (bv[k].sync == r.viol[i].sync_idx &&
						    bv[k].pg == r.viol[i].pgoff)
							break;
					good = k < nb && (i == 0 ||
						r.viol[i - 1].sync_idx != r.viol[i].sync_idx ||
						r.viol[i - 1].pgoff != r.viol[i].pgoff);
				}
				if (!good && !bad_sample++)
					diag("seed %d: capped samples wrong", seed);
				oracle_report_free(&r);
			}
			oracle_free(o);
		}
		free(bv);
		free(badpg);
		free_case(&c);
	}
	diag("random: %d cases, %" PRIu64 " (sync, page) pairs, %" PRIu64
	     " violations on %" PRIu64 " pages, %" PRIu64 " of them late",
	     nseeds, tot_pairs, tot_v, tot_pages, tot_late);
	for (int s = 0; s < 3; s++)
		is(bad[s], 0, "random streams, strategy %s: same violations, "
		   "cover times, counts and pairs as brute force (%d bad)",
		   sname[s], bad[s]);
	is(bad_sample, 0, "random streams: capped samples are distinct true "
	   "violations, total still exact");
	is(bad_set, 0, "random streams: failing-page set and earliest failing "
	   "sync as brute force, every strategy, with or without a sample cap "
	   "(%d bad)", bad_set);
	ok(!bad_cls && tot_late > 0 && tot_late < tot_v,
	   "random streams: every violation's class (late/missed) as brute "
	   "force, exact counts by class, a sample and the earliest of each "
	   "class, every strategy, with or without a cap (%d bad)", bad_cls);
}

/* ---- classes of hand-made violations ---- */

/* Page 5 stored, sync A (tid 1, [200, 300]) while sync B (tid 2,
 * [150, 400]) flushes it at 350: A returned while B, begun before A
 * returned, was still flushing: late.  Page 6 stored, never flushed:
 * missed.  Page 7 flushed at 500 by tid 3, in no call: missed. */
static void test_classes(void)
{
	struct oracle *o = oracle_new(64);
	struct oracle_report r;
	uint64_t exp[] = { 0, 5, 0, 6, 0, 7, 1, 6, 1, 7 };
	char *buf = NULL;
	size_t len = 0;
	json_object *j = NULL, *f, *x;
	FILE *m;
	bool good;

	oracle_add_store(o, 5, 100, 110);
	oracle_add_store(o, 6, 100, 110);
	oracle_add_store(o, 7, 100, 110);
	oracle_add_sync(o, 200, 300, 1, ORACLE_FSYNC, 0, 0);
	oracle_add_sync(o, 150, 400, 2, ORACLE_FSYNC, 0, 0);
	add_wb(o, 350, 2, 5, 1);
	add_wb(o, 500, 3, 7, 1);
	good = check_exact(o, exp, 5, &r);
	ok(good && r.viol[0].cls == ORACLE_LATE && r.viol[0].cover_pid == 2 &&
	   r.viol[0].cover_call_idx == 1 && r.viol[0].cover_call_t_start == 150 &&
	   r.viol[0].cover_call_t_end == 400 && r.viol[1].cls == ORACLE_MISSED &&
	   r.viol[1].cover_call_idx == SIZE_MAX && r.viol[2].cls == ORACLE_MISSED &&
	   r.viol[2].cover_pid == 3 && r.viol[2].cover_call_idx == SIZE_MAX &&
	   r.by_class[ORACLE_LATE] == 1 && r.by_class[ORACLE_MISSED] == 4 &&
	   r.by_class[ORACLE_UNFLUSHED] == 0 && r.first[ORACLE_LATE] == 0 &&
	   r.first[ORACLE_UNFLUSHED] == SIZE_MAX &&
	   r.viol[r.first[ORACLE_MISSED]].sync_idx == 1 &&
	   r.viol[r.first[ORACLE_MISSED]].pgoff == 6,
	   "classes: page 5 late (flushed by tid 2's running call), 6 and 7 "
	   "missed; counts 1 + 4; the earliest missed is of sync 1 (begun "
	   "first)");
	if (good) {
		m = open_memstream(&buf, &len);
		oracle_violation_print(m, &r, &r.viol[0]);
		oracle_violation_print(m, &r, &r.viol[1]);
		fclose(m);
		j = oracle_report_json(&r);
	}
	ok(buf && strstr(buf, "late: the call returned while tid 2, in a call "
			 "begun 0.000 ms before") &&
	   strstr(buf, "missed: no call was flushing the page") && j &&
	   json_object_object_get_ex(j, "violations_by_class", &x) &&
	   json_object_get_int64(json_object_object_get(x, "late")) == 1 &&
	   json_object_get_int64(json_object_object_get(x, "missed")) == 4 &&
	   json_object_get_int64(json_object_object_get(x, "unflushed")) == 0 &&
	   json_object_object_get_ex(j, "first_by_class", &f) &&
	   json_object_get_int64(json_object_object_get(
		   json_object_object_get(f, "late"), "pgoff")) == 5 &&
	   !strcmp(json_object_get_string(json_object_object_get(
		   json_object_object_get(f, "late"), "class")), "late") &&
	   json_object_get_int64(json_object_object_get(json_object_object_get(
		   json_object_object_get(f, "late"), "cover_call"), "tid")) == 2 &&
	   json_object_get_int64(json_object_object_get(
		   json_object_object_get(f, "missed"), "pgoff")) == 6 &&
	   json_object_is_type(json_object_object_get(f, "unflushed"),
			       json_type_null),
	   "classes: printed with their reason; JSON counts by class and the "
	   "first of each with its context (cover_call of the late one)");
	if (good)
		report_diag(&r, &r.viol[0]);
	free(buf);
	json_object_put(j);
	oracle_report_free(&r);
	oracle_free(o);
}

/* ---- the flush rule (class unflushed), synthetic record streams ---- */

static struct trace_rec FE(int32_t pid, uint64_t ts, uint64_t size)
{					/* dax_flush entry */
	return (struct trace_rec){ .ev = EV_FLUSH_ENTRY, .pid = pid, .ts = ts,
				   .flush_size = size };
}

static struct trace_rec FR(int32_t pid, uint64_t ts)	/* dax_flush return */
{
	return (struct trace_rec){ .ev = EV_FLUSH_RET, .pid = pid, .ts = ts };
}

#define PMD_BYTES (512u * 4096u)

/* The stream v[0..n) paired as daxstress pairs it (sorted, then
 * dax_trace_pair_flushes()), fed with a store to page 0 ([10, 11]) and a
 * whole-file fsync [50, 1000] of tid 1, the flush rule on or off. */
static int64_t rule_case(struct trace_rec *v, size_t n, bool rule,
			 struct oracle_report *r)
{
	struct trace_vec tv = { .v = v, .n = n, .cap = n };
	struct oracle *o = oracle_new(1024);
	int64_t nv = -1;

	if (o && dax_trace_pair_flushes(&tv, NULL) == 0 &&
	    oracle_add_store(o, 0, 10, 11) == 0 &&
	    oracle_add_sync(o, 50, 1000, 1, ORACLE_FSYNC, 0, 0) == 0 &&
	    oracle_add_events(o, v, n) >= 0) {
		oracle_set_flush_rule(o, rule);
		nv = oracle_check(o, r, 16);
	}
	oracle_free(o);
	return nv;
}

/* One unflushed violation, of why w, no other: the new class only. */
static bool one_unflushed(int64_t nv, const struct oracle_report *r,
			  enum oracle_unflushed_why w)
{
	return nv == 1 && r->violations == 0 && r->flush_rule &&
	       r->by_class[ORACLE_UNFLUSHED] == 1 && r->nunfl == 1 &&
	       r->first[ORACLE_UNFLUSHED] == 0 && r->unfl[0].why == w &&
	       r->flush_checked >= 1;
}

static void unfl_diag(const struct oracle_report *r)
{
	report_diag(r, NULL);
}

/* The one unflushed violation of r (a flush returned after its event):
 * printed, and in the JSON with the rule and the first of the class. */
static void unflushed_output(const struct oracle_report *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	json_object *j, *f, *x;

	oracle_unflushed_print(m, r, &r->unfl[0]);
	fclose(m);
	j = oracle_report_json(r);
	ok(buf && strstr(buf, "claims a flush it never made") &&
	   strstr(buf, "by pid 1") && strstr(buf, "after the event") &&
	   j && json_object_object_get_ex(j, "violations_by_class", &x) &&
	   json_object_get_int64(json_object_object_get(x, "unflushed")) == 1 &&
	   json_object_get_int64(json_object_object_get(x, "late")) == 0 &&
	   json_object_object_get_ex(j, "flush_rule", &x) &&
	   json_object_get_boolean(json_object_object_get(x, "checked")) &&
	   json_object_get_int64(json_object_object_get(x, "writebacks_checked")) == 1 &&
	   json_object_get_int64(json_object_object_get(x, "flush_records")) == 2 &&
	   json_object_object_get_ex(j, "first_by_class", &f) &&
	   (x = json_object_object_get(f, "unflushed")) &&
	   !strcmp(json_object_get_string(json_object_object_get(x, "why")),
		   "flush returned after the event") &&
	   json_object_get_int64(json_object_object_get(x, "own_flush_after_ns")) == 105 &&
	   json_object_get_int64(json_object_object_get(x, "needed_bytes")) == PMD_BYTES &&
	   json_object_is_type(json_object_object_get(x, "flush_return_ns"),
			       json_type_null) &&
	   json_object_array_length(json_object_object_get(x, "nearby_flushes")) == 2 &&
	   json_object_is_type(json_object_object_get(f, "late"), json_type_null) &&
	   json_object_array_length(json_object_object_get(j, "unflushed_samples")) == 1,
	   "flush rule: printed (claims a flush it never made) and in "
	   "JSON: counts by class, the rule, the first unflushed one "
	   "with its context");
	free(buf);
	json_object_put(j);
}

/* Each reason a writeback breaks the flush rule: one violation of class
 * unflushed, no (sync, page) violation. */
static void test_unflushed_whys(void)
{
	struct oracle_report r;
	int64_t nv;

	{
		struct trace_rec v[] = { wb(100, 1, 0, 512) };

		nv = rule_case(v, 1, true, &r);
		ok(one_unflushed(nv, &r, ORACLE_UNFL_NONE) &&
		   r.unfl[0].flush_ts == 0 && r.unfl[0].pid == 1 &&
		   r.unfl[0].pglen == 512 && r.unfl[0].prev_wb_ts == ORACLE_NONE &&
		   r.unfl[0].nnearby == 0,
		   "flush rule: a writeback with no flush is one unflushed "
		   "violation (no flush), and no (sync, page) violation");
		unfl_diag(&r);
		oracle_report_free(&r);
	}
	{
		struct trace_rec v[] = { FE(1, 90, 4096), FR(1, 95), wb(100, 1, 0, 512) };

		nv = rule_case(v, 3, true, &r);
		ok(one_unflushed(nv, &r, ORACLE_UNFL_SHORT) &&
		   r.unfl[0].flush_ts == 95 && r.unfl[0].flush_size == 4096,
		   "flush rule: a flush of a shorter range (4096 bytes for a "
		   "512-page entry) is one unflushed violation");
		unfl_diag(&r);
		oracle_report_free(&r);
	}
	{
		struct trace_rec v[] = { FE(2, 90, PMD_BYTES), FR(2, 95),
					 wb(100, 1, 0, 512) };

		nv = rule_case(v, 3, true, &r);
		ok(one_unflushed(nv, &r, ORACLE_UNFL_NONE) &&
		   r.unfl[0].nnearby == 2 && r.unfl[0].nearby[0].pid == 2 &&
		   r.unfl[0].nearby[0].entry && r.unfl[0].nearby[0].size == PMD_BYTES &&
		   r.unfl[0].nearby[1].pid == 2 && !r.unfl[0].nearby[1].entry,
		   "flush rule: a flush by another thread is one unflushed "
		   "violation; that thread's flush shown nearby");
		unfl_diag(&r);
		oracle_report_free(&r);
	}
	{
		struct trace_rec v[] = { FE(1, 90, PMD_BYTES), wb(100, 1, 0, 512),
					 FR(1, 105) };

		nv = rule_case(v, 3, true, &r);
		ok(one_unflushed(nv, &r, ORACLE_UNFL_AFTER) &&
		   r.unfl[0].own_after_ts == 105 && r.unfl[0].flush_ts == 0,
		   "flush rule: a flush that returns after the event is one "
		   "unflushed violation (returned after the event, at 105)");
		unfl_diag(&r);
		unflushed_output(&r);
		oracle_report_free(&r);
	}
}

/* Which flush a writeback's is, among its thread's flushes and
 * writebacks. */
static void test_unflushed_order(void)
{
	struct oracle_report r;
	int64_t nv;

	{
		/* the next writeback's own flush, after this one: no flush;
		 * a return nothing used: this one's, late */
		struct trace_rec v[] = { wb(100, 1, 0, 512), FE(1, 101, PMD_BYTES),
					 FR(1, 102), wb(103, 1, 512, 512),
					 FE(1, 104, PMD_BYTES), wb(105, 1, 0, 512),
					 FR(1, 106), FE(1, 107, PMD_BYTES), FR(1, 108),
					 wb(109, 1, 512, 512) };

		nv = rule_case(v, sizeof(v) / sizeof(v[0]), true, &r);
		ok(nv == 2 && r.nunfl == 2 && r.unfl[0].ts == 100 &&
		   r.unfl[0].why == ORACLE_UNFL_NONE &&
		   r.unfl[0].own_after_ts == ORACLE_NONE && r.unfl[1].ts == 105 &&
		   r.unfl[1].why == ORACLE_UNFL_AFTER && r.unfl[1].own_after_ts == 106 &&
		   r.unfl[1].prev_wb_ts == 103,
		   "flush rule: a return after a writeback that its next writeback "
		   "was paired with is that one's flush (no flush), one that "
		   "nothing used returned late (after the event)");
		unfl_diag(&r);
		oracle_report_free(&r);
	}
	{
		struct trace_rec v[] = { FR(1, 95), wb(100, 1, 0, 512) };

		nv = rule_case(v, 2, true, &r);
		ok(one_unflushed(nv, &r, ORACLE_UNFL_NO_SIZE) && r.unfl[0].flush_ts == 95,
		   "flush rule: a flush whose entry record (its size) is missing "
		   "is one unflushed violation (the range is not proven)");
		oracle_report_free(&r);
	}
	{
		struct trace_rec v[] = { FE(1, 90, PMD_BYTES), FR(1, 95),
					 wb(100, 1, 0, 512), wb(110, 1, 512, 512) };

		nv = rule_case(v, 4, true, &r);
		ok(one_unflushed(nv, &r, ORACLE_UNFL_NONE) && r.unfl[0].ts == 110 &&
		   r.unfl[0].prev_wb_ts == 100 && r.flush_checked == 2,
		   "flush rule: one flush, two writebacks: the second is unflushed "
		   "(its thread's previous writeback at 100)");
		oracle_report_free(&r);
	}
}

/* What the rule does not count: good flushes, the rule off, synthetic
 * writebacks; and past the sample cap, still every one. */
static void test_flush_rule_clean(void)
{
	struct oracle_report r;
	int64_t nv;

	{
		struct trace_rec v[] = {
			FE(1, 90, PMD_BYTES), FR(1, 95), wb(100, 1, 0, 512),
			FE(1, 110, 4096), FE(2, 111, 8192), FR(1, 115), FR(2, 116),
			wb(117, 2, 7, 1), wb(120, 1, 6, 1),
			FE(1, 130, 4096), FR(1, 140), wb(140, 1, 8, 1) };

		nv = rule_case(v, sizeof(v) / sizeof(v[0]), true, &r);
		ok(nv == 0 && r.by_class[ORACLE_UNFLUSHED] == 0 &&
		   r.flush_checked == 4 && r.nunfl == 0 &&
		   r.first[ORACLE_UNFLUSHED] == SIZE_MAX,
		   "flush rule: a PMD and PTE writebacks each after their own "
		   "thread's flush of >= their range (a larger one, one "
		   "returning at the event's time, two threads interleaved): no "
		   "violation");
		oracle_report_free(&r);
	}
	{
		struct trace_rec v[] = { wb(100, 1, 0, 512) };

		nv = rule_case(v, 1, false, &r);
		ok(nv == 0 && !r.flush_rule && r.by_class[ORACLE_UNFLUSHED] == 0 &&
		   r.flush_checked == 0,
		   "flush rule off (no flush probes): not checked, and says so "
		   "(flush_rule false)");
		oracle_report_free(&r);
	}
	/* synthetic writebacks (truncate, punch) are not kernel events */
	{
		struct oracle *o = oracle_new(1024);
		struct trace_rec syn = wb(100, -1, 0, 512);

		oracle_add_store(o, 0, 10, 11);
		oracle_add_sync(o, 50, 1000, 1, ORACLE_FSYNC, 0, 0);
		oracle_set_flush_rule(o, true);
		nv = oracle_add_synthetic_events(o, &syn, 1) == 1 ?
		     oracle_check(o, &r, 16) : -1;
		ok(nv == 0 && r.flush_rule && r.flush_checked == 0 && r.events == 1,
		   "flush rule: a synthetic writeback covers its pages and is "
		   "not subject to the rule");
		oracle_report_free(&r);
		oracle_free(o);
	}
	/* the cap: every unflushed event counted, the first ones sampled */
	{
		struct trace_rec v[40];
		struct trace_vec tv = { .v = v, .n = 40, .cap = 40 };
		struct oracle *o = oracle_new(1024);

		for (int i = 0; i < 40; i++)
			v[i] = wb(1000 - 10 * (uint64_t)i, 1 + i % 3, (uint64_t)i, 1);
		dax_trace_pair_flushes(&tv, NULL);
		oracle_add_events(o, v, 40);
		oracle_set_flush_rule(o, true);
		nv = oracle_check(o, &r, 5);
		ok(nv == 40 && r.by_class[ORACLE_UNFLUSHED] == 40 && r.nunfl == 5 &&
		   r.unfl[0].ts == 610 && r.unfl[4].ts == 650,
		   "flush rule: 40 unflushed events counted, the earliest 5 "
		   "sampled in time order");
		oracle_report_free(&r);
		oracle_free(o);
	}
}

/* ---- timing: a soak-sized stream from a correct "kernel" ---- */

/* never_mod: 0, or pages with p % never_mod == 0 are never flushed (a
 * violation-heavy stream: the page set must not cost per violation).
 * Returns whether the check succeeded and every failing page is one whose
 * flush was dropped or never made (a PMD flush of a neighbour may still
 * cover such a page), with some failing page when flushes were lost. */
static bool test_perf(uint64_t never_mod)
{
	const uint64_t npages = 1 << 18;	/* 1 GiB file */
	const size_t nstores = 1000000, nsyncs = 10000;
	struct oracle *o = oracle_new(npages);
	uint64_t *dirty = malloc(npages * sizeof(*dirty)), ndirty = 0;
	uint8_t *isdirty = calloc(npages, 1);
	uint8_t *unflushed = calloc(npages, 1);	/* a flush dropped or skipped */
	struct oracle_report r;
	bool good;
	uint64_t t = 1000000000ull, nev = 0, dropped = 0;
	double t0, t1;
	int64_t nv;

	rng_state = 77;
	for (size_t i = 0, y = 0; i < nstores; i++) {
		/* 2/3 of stores to a 4096-page hot set */
		uint64_t p = rnd(3) ? rnd(4096) * 61 % npages : rnd(npages);

		oracle_add_store(o, p, t, t + 50);
		t += 100;
		if (!isdirty[p]) {
			isdirty[p] = 1;
			dirty[ndirty++] = p;
		}
		if ((i + 1) % (nstores / nsyncs) == 0 && y < nsyncs) {
			/* flush all dirty pages, 1 in 10^5 events lost */
			uint64_t ts = t, pmd = ORACLE_NONE;

			t += 10;
			for (uint64_t k = 0; k < ndirty; k++) {
				uint64_t q = dirty[k];

				isdirty[q] = 0;
				if (never_mod && q % never_mod == 0) {
					unflushed[q] = 1;
					continue;
				}
				if (rnd(100000) == 0) {
					dropped++;
					unflushed[q] = 1;
					continue;
				}
				if (q / 512 == pmd)
					continue;
				if (rnd(50) == 0) {	/* some PMD entries */
					pmd = q / 512;
					add_wb(o, t, 1, pmd * 512, 512);
				} else {
					add_wb(o, t, 1, q, 1);
				}
				nev++;
				t += 20;
			}
			ndirty = 0;
			if (y % 10 == 9)
				oracle_add_sync(o, ts, t + 10, 1, ORACLE_MSYNC,
						rnd(npages), 1 + rnd(512));
			else
				oracle_add_sync(o, ts, t + 10, 1, ORACLE_FSYNC,
						0, 0);
			y++;
			t += 20;
		}
	}
	t0 = now_s();
	nv = oracle_check(o, &r, 10);
	t1 = now_s();
	diag("timing: %zu stores, %" PRIu64 " events, %zu syncs checked in "
	     "%.3f s (%" PRIu64 " pairs, %" PRId64 " violations on %" PRIu64
	     " pages, from %" PRIu64 " dropped events%s)", nstores, nev,
	     (size_t)r.syncs, t1 - t0, r.pairs_checked, nv, r.pages_failed,
	     dropped, never_mod ? " and pages never flushed" : "");
	good = nv >= 0 && (r.pages_failed > 0) == (dropped > 0 || never_mod > 0);
	for (size_t k = 0; good && k < r.nfailed; k++)
		for (uint64_t q = r.failed[k].first; good && q <= r.failed[k].last; q++)
			good = unflushed[q];
	oracle_report_free(&r);
	oracle_free(o);
	free(dirty);
	free(isdirty);
	free(unflushed);
	return good;
}

int main(int argc, char **argv)
{
	bool quick = argc > 1 && !strcmp(argv[1], "--quick");

	test_missing();
	test_event_times();
	test_pmd();
	test_overlap();
	test_store_after_start();
	test_restore();
	test_partial();
	test_pages_past_cap();
	test_random(quick ? 8 : 40);
	test_classes();
	test_unflushed_whys();
	test_unflushed_order();
	test_flush_rule_clean();
	if (quick) {
		skip("timing (--quick)");
		skip("timing, violation-heavy (--quick)");
	} else {
		ok(test_perf(0), "soak-sized stream, 1 in 10^5 flushes lost: "
		   "every failing page lost a flush (timing in the diagnostics)");
		ok(test_perf(4), "violation-heavy stream: every failing page "
		   "lost or never had a flush (timing in the diagnostics)");
	}
	ok(oracle_sync_kind_name(ORACLE_MSYNC)[0] == 'm' &&
	   !strcmp(oracle_sync_kind_name(99), "?"), "sync kind names");
	ok(!strcmp(oracle_class_name(ORACLE_UNFLUSHED), "unflushed") &&
	   !strcmp(oracle_class_name(ORACLE_LATE), "late") &&
	   !strcmp(oracle_class_name(99), "?") &&
	   !strcmp(oracle_unflushed_why_name(ORACLE_UNFL_SHORT),
		   "flush of a shorter range"), "class and reason names");
	oracle_report_free(NULL);
	oracle_free(NULL);
	ok(1, "free functions accept NULL");
	return done_testing();
}
