// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for lib/attribution.c on synthetic record streams: a hand-made
 * stream with boundaries (both window ends inclusive), other pids, other
 * events; a randomized cross-check against a brute-force attribution
 * (every record either in exactly the call a linear scan finds, or
 * unattributed, and calls + unattributed == total); feeding in pieces; the
 * per-pid bucket overflow; fault pairing; the dirty-set replay.
 *
 *   test_attribution                 the unit tests (TAP)
 *   test_attribution --bench N       (scripts/bench-self) N trace-marker
 *                                    records through a private trace
 *                                    instance: drain (read + decode) and
 *                                    attribution rates, one line of JSON
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "attribution.h"
#include "tap.h"
#include "timing.h"
#include "trace.h"

#define PAGE 4096ull

static uint64_t rng_state = 12345;

static uint64_t rng(void)	/* splitmix64 */
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static struct trace_rec rec(uint16_t ev, int32_t pid, uint64_t ts, uint64_t pgoff,
			    uint64_t pglen)
{
	return (struct trace_rec){ .ev = ev, .pid = pid, .ts = ts, .pgoff = pgoff,
				   .pglen = pglen };
}

static int cmp_ts(const void *a, const void *b)
{
	const struct trace_rec *x = a, *y = b;

	return x->ts < y->ts ? -1 : x->ts > y->ts;
}

static void test_handmade(void)
{
	struct attr_call c[3] = {
		{ .pid = 10, .t_start = 100, .t_end = 200 },
		{ .pid = 10, .t_start = 300, .t_end = 400 },
		{ .pid = 20, .t_start = 150, .t_end = 250 },
	};
	struct trace_rec v[] = {
		rec(EV_WRITEBACK_ONE, 20, 99, 0, 1),	/* before pid 20's call */
		rec(EV_WRITEBACK_ONE, 10, 100, 0, 1),	/* start of call 0 */
		rec(EV_PTE_FAULT, 10, 150, 5, 0),	/* another event: ignored */
		rec(EV_WRITEBACK_ONE, 30, 150, 0, 8),	/* a pid with no call */
		rec(EV_WRITEBACK_ONE, 10, 200, 512, 512),	/* end of call 0 */
		rec(EV_WRITEBACK_ONE, 20, 200, 3, 1),	/* call 2 */
		rec(EV_WRITEBACK_ONE, 10, 250, 0, 1),	/* between pid 10's calls */
		rec(EV_WRITEBACK_ONE, 10, 400, 7, 1),	/* end of call 1 */
		rec(EV_WRITEBACK_ONE, 10, 401, 7, 1),	/* just after */
	};
	struct attr_result res;
	struct attr_index *ix = attr_index_new(c, 3);
	json_object *j, *x;

	memset(&res, 0, sizeof(res));
	attr_flushes(ix, v, sizeof(v) / sizeof(v[0]), EV_WRITEBACK_ONE, &res);
	ok(c[0].entries == 2 && c[0].pages == 513, "call 0 gets both records on its window's ends (2 entries, 513 pages)");
	ok(c[1].entries == 1 && c[1].pages == 1 && c[2].entries == 1 && c[2].pages == 1,
	   "calls 1 and 2 get one record each");
	ok(res.total_entries == 8 && res.total_pages == 526, "total: 8 records, 526 pages (the fault ignored)");
	ok(res.unattributed_entries == 4 && res.unattributed_pages == 11,
	   "unattributed: 4 records, 11 pages (before, between, after a call, unknown pid)");
	ok(res.npids == 3 && res.pids[0].pid == 20 && res.pids[1].pid == 30 &&
	   res.pids[1].pages == 8 && res.pids[2].pid == 10 && res.pids[2].entries == 2,
	   "unattributed by pid: 20 (1), 30 (8 pages), 10 (2 records)");
	ok(attr_exact(c, 3, &res), "calls + unattributed == total");
	ok(attr_find(ix, 10, 99) == -1 && attr_find(ix, 10, 100) == 0 &&
	   attr_find(ix, 10, 300) == 1 && attr_find(ix, 20, 250) == 2 &&
	   attr_find(ix, 20, 251) == -1 && attr_find(ix, 5, 150) == -1 &&
	   attr_find(ix, 99, 150) == -1, "attr_find at and around the windows");
	j = attr_result_json(&res, "dax_writeback_one", attr_exact(c, 3, &res), NULL, NULL);
	ok(j && json_object_object_get_ex(j, "exact", &x) && json_object_get_boolean(x) &&
	   json_object_object_get_ex(j, "total_bytes", &x) &&
	   json_object_get_uint64(x) == 526 * PAGE &&
	   json_object_object_get_ex(j, "calls_bytes", &x) &&
	   json_object_get_uint64(x) == 515 * PAGE, "JSON: total 526 pages, calls 515, exact");
	json_object_put(j);
	c[1].pages++;
	ok(!attr_exact(c, 3, &res), "a tampered call breaks the identity");
	attr_index_free(ix);
}

/* Random calls (non-overlapping per pid) and records; brute force. */
static void test_random(void)
{
	enum { PIDS = 6, CALLS = 300, RECS = 30000 };
	size_t n = 0;
	struct attr_call *c = calloc(PIDS * CALLS, sizeof(*c));
	struct attr_call *c2 = calloc(PIDS * CALLS, sizeof(*c2));
	uint64_t *want_e = calloc(PIDS * CALLS, sizeof(uint64_t));
	uint64_t *want_p = calloc(PIDS * CALLS, sizeof(uint64_t));
	struct trace_rec *v = calloc(RECS, sizeof(*v));
	uint64_t un_e = 0, un_p = 0;
	struct attr_result res, res2;
	struct attr_index *ix, *ix2;
	int bad_find = 0, bad_call = 0;

	for (int p = 0; p < PIDS - 1; p++) {	/* the last pid has no calls */
		uint64_t t = rng() % 1000;

		for (int k = 0; k < CALLS; k++) {
			uint64_t len = rng() % 500;

			c[n++] = (struct attr_call){ .pid = 1000 + p, .t_start = t, .t_end = t + len };
			t += len + 1 + rng() % 300;
		}
	}
	/* shuffle the calls: the index must not rely on their order */
	for (size_t i = n - 1; i > 0; i--) {
		size_t j = rng() % (i + 1);
		struct attr_call tmp = c[i];

		c[i] = c[j];
		c[j] = tmp;
	}
	memcpy(c2, c, n * sizeof(*c));
	for (int i = 0; i < RECS; i++) {
		uint16_t ev = rng() % 10 ? EV_WRITEBACK_ONE : EV_PMD_FAULT_DONE;

		v[i] = rec(ev, 1000 + (int32_t)(rng() % PIDS), rng() % 250000, rng() % 4096,
			   rng() % 3 ? 1 : 512);
	}
	qsort(v, RECS, sizeof(*v), cmp_ts);
	for (int i = 0; i < RECS; i++) {
		long hit = -1;

		if (v[i].ev != EV_WRITEBACK_ONE)
			continue;
		for (size_t k = 0; k < n; k++)
			if (c[k].pid == v[i].pid && c[k].t_start <= v[i].ts && v[i].ts <= c[k].t_end)
				hit = (long)k;
		if (hit < 0) {
			un_e++;
			un_p += v[i].pglen;
		} else {
			want_e[hit]++;
			want_p[hit] += v[i].pglen;
		}
	}
	ix = attr_index_new(c, n);
	memset(&res, 0, sizeof(res));
	attr_flushes(ix, v, RECS, EV_WRITEBACK_ONE, &res);
	for (size_t k = 0; k < n; k++)
		if (c[k].entries != want_e[k] || c[k].pages != want_p[k])
			bad_call++;
	for (int i = 0; i < 2000; i++) {
		int32_t pid = 1000 + (int32_t)(rng() % PIDS);
		uint64_t ts = rng() % 250000;
		long hit = -1;

		for (size_t k = 0; k < n; k++)
			if (c[k].pid == pid && c[k].t_start <= ts && ts <= c[k].t_end)
				hit = (long)k;
		if (attr_find(ix, pid, ts) != hit)
			bad_find++;
	}
	is(bad_find, 0, "attr_find agrees with a linear scan on 2000 random probes");
	is(bad_call, 0, "every call's entries and pages agree with the brute force (%zu calls)", n);
	ok(res.unattributed_entries == un_e && res.unattributed_pages == un_p,
	   "unattributed agrees with the brute force (%" PRIu64 " records)", un_e);
	ok(attr_exact(c, n, &res), "calls + unattributed == total on the random stream");
	/* the same stream fed in three pieces */
	ix2 = attr_index_new(c2, n);
	memset(&res2, 0, sizeof(res2));
	attr_flushes(ix2, v, 1000, EV_WRITEBACK_ONE, &res2);
	attr_flushes(ix2, v + 1000, 17000, EV_WRITEBACK_ONE, &res2);
	attr_flushes(ix2, v + 18000, RECS - 18000, EV_WRITEBACK_ONE, &res2);
	bad_call = 0;
	for (size_t k = 0; k < n; k++)
		if (c2[k].entries != c[k].entries || c2[k].pages != c[k].pages)
			bad_call++;
	ok(!bad_call && res2.total_pages == res.total_pages &&
	   res2.unattributed_pages == res.unattributed_pages && attr_exact(c2, n, &res2),
	   "feeding the stream in pieces gives the same attribution");
	attr_index_free(ix);
	attr_index_free(ix2);
	free(c);
	free(c2);
	free(want_e);
	free(want_p);
	free(v);
}

static void test_many_pids(void)
{
	struct trace_rec v[100];
	struct attr_result res;
	struct attr_index *ix = attr_index_new(NULL, 0);

	for (int i = 0; i < 100; i++)
		v[i] = rec(EV_WRITEBACK_ONE, i + 1, (uint64_t)i, 0, 2);
	memset(&res, 0, sizeof(res));
	attr_flushes(ix, v, 100, EV_WRITEBACK_ONE, &res);
	ok(res.npids == ATTR_PIDS && res.other_entries == 100 - ATTR_PIDS &&
	   res.other_pages == 2 * (100 - ATTR_PIDS) && attr_exact(NULL, 0, &res),
	   "more pids than ATTR_PIDS: the rest summed under 'other', still exact");
	attr_index_free(ix);
}

static void test_faults(void)
{
	const uint32_t W = ATTR_FAULT_FLAG_WRITE;
	struct trace_rec v[] = {
		{ .ev = EV_PTE_FAULT, .pid = 1, .ts = 10, .flags = W },
		{ .ev = EV_PTE_FAULT, .pid = 2, .ts = 11, .flags = W },	/* not wanted */
		{ .ev = EV_PTE_FAULT_DONE, .pid = 1, .ts = 15, .flags = W, .result = 0x100 },
		{ .ev = EV_PTE_FAULT_DONE, .pid = 2, .ts = 16, .flags = W, .result = 0x100 },
		{ .ev = EV_PTE_FAULT, .pid = 1, .ts = 17, .flags = 0 },		/* a read */
		{ .ev = EV_PTE_FAULT_DONE, .pid = 1, .ts = 19, .flags = 0, .result = 0x100 },
		{ .ev = EV_PMD_FAULT, .pid = 1, .ts = 20, .flags = W },
		{ .ev = EV_PMD_FAULT, .pid = 3, .ts = 21, .flags = W },
		{ .ev = EV_PMD_FAULT_DONE, .pid = 1, .ts = 26, .flags = W, .result = 0x800 },
		{ .ev = EV_PTE_FAULT, .pid = 1, .ts = 27, .flags = W },
		{ .ev = EV_PTE_FAULT_DONE, .pid = 1, .ts = 30, .flags = W, .result = 0x100 },
		{ .ev = EV_PMD_FAULT_DONE, .pid = 3, .ts = 121, .flags = W, .result = 0x100 },
		{ .ev = EV_PTE_FAULT_DONE, .pid = 3, .ts = 130, .flags = W, .result = 0x100 },
	};
	int32_t pids[] = { 1, 3 };
	struct attr_faults f;

	attr_faults_init(&f);
	attr_faults_add(&f, v, sizeof(v) / sizeof(v[0]), pids, 2);
	ok(f.pte.count == 2 && f.pte.min == 3 && f.pte.max == 5,
	   "PTE write faults of the wanted pids paired: 5 ns and 3 ns (reads, pid 2 ignored)");
	ok(f.pmd_fallback.count == 1 && f.pmd_fallback.min == 6,
	   "a PMD fault that falls back is timed apart (6 ns)");
	ok(f.pmd.count == 1 && f.pmd.min == 100, "a PMD fault of another wanted thread (100 ns)");
	is(f.unpaired, 1, "a done without its start is counted unpaired");
	attr_faults_free(&f);
}

static void test_dirty(void)
{
	const uint32_t W = ATTR_FAULT_FLAG_WRITE;
	struct attr_dirty d;
	struct trace_rec r;

	attr_dirty_init(&d, 2048);
	r = (struct trace_rec){ .ev = EV_PMD_FAULT, .pid = 1, .ts = 1, .pgoff = 700, .flags = W };
	attr_dirty_add(&d, &r);
	r.ev = EV_PMD_FAULT_DONE;
	r.ts = 2;
	r.result = 0x100;
	attr_dirty_add(&d, &r);
	is(d.dirty, 512, "a PMD write fault dirties its aligned 512 pages");
	r = rec(EV_WRITEBACK_ONE, 9, 3, 512, 512);
	attr_dirty_add(&d, &r);
	ok(d.dirty == 0 && d.max_dirty == 512, "dax_writeback_one of the entry cleans it");
	/* a fault whose entry an fsync flushes before the done record */
	r = (struct trace_rec){ .ev = EV_PTE_FAULT, .pid = 1, .ts = 10, .pgoff = 5, .flags = W };
	attr_dirty_add(&d, &r);
	r = rec(EV_WRITEBACK_ONE, 9, 12, 5, 1);
	attr_dirty_add(&d, &r);
	r = (struct trace_rec){ .ev = EV_PTE_FAULT_DONE, .pid = 1, .ts = 14, .pgoff = 5,
				.flags = W, .result = 0x100 };
	attr_dirty_add(&d, &r);
	is(d.dirty, 0, "a writeback between a fault's start and its done record wins");
	r = (struct trace_rec){ .ev = EV_PTE_FAULT_DONE, .pid = 1, .ts = 20, .pgoff = 6,
				.flags = 0, .result = 0x100 };
	attr_dirty_add(&d, &r);
	r.ev = EV_PMD_FAULT_DONE;
	r.flags = W;
	r.result = 0x800;
	attr_dirty_add(&d, &r);
	is(d.dirty, 0, "read faults and PMD fallbacks dirty nothing");
	r = (struct trace_rec){ .ev = EV_PMD_FAULT_DONE, .pid = 2, .ts = 30, .pgoff = 1100,
				.flags = W, .result = 0x2000 };
	attr_dirty_add(&d, &r);
	is(d.dirty, 0, "MAP_SYNC: NEEDDSYNC does not dirty yet");
	r = (struct trace_rec){ .ev = EV_INSERT_PFN_MKWRITE, .pid = 2, .ts = 31, .pgoff = 1100 };
	attr_dirty_add(&d, &r);
	is(d.dirty, 512, "... dax_insert_pfn_mkwrite dirties the PMD entry of that fault");
	attr_dirty_free(&d);
}

/* --bench N: real records through a private instance (trace markers stand
 * in for flush records: the same ring buffer, read and decode path). */
static int bench(long n)
{
	struct dax_trace_opts o = { .prefix = "daxbench-bench", .buffer_kb = 65536 };
	struct dax_trace *t;
	struct trace_vec tv = { 0 };
	struct attr_call *calls;
	size_t ncalls = 0, cap = 1024;
	uint64_t drain_ns = 0, attr_ns = 0, t0, write_ns = 0;
	struct attr_result res;
	struct attr_index *ix;
	char why[256];
	int32_t tid = (int32_t)syscall(SYS_gettid);
	const long batch = 200000, per_call = 1000;

	t = dax_trace_open(&o, why, sizeof(why));
	if (!t) {
		fprintf(stderr, "test_attribution --bench: no tracing: %s\n", why);
		return 2;
	}
	calls = calloc(cap, sizeof(*calls));
	for (long done = 0; done < n;) {
		long m = n - done < batch ? n - done : batch;

		t0 = now_ns();
		for (long i = 0; i < m; i += per_call) {
			if (ncalls == cap) {
				cap *= 2;
				calls = realloc(calls, cap * sizeof(*calls));
			}
			calls[ncalls] = (struct attr_call){ .pid = tid, .t_start = now_ns() };
			for (long k = i; k < m && k < i + per_call; k++)
				dax_trace_mark(t, (uint64_t)(done + k));
			calls[ncalls++].t_end = now_ns();
		}
		write_ns += now_ns() - t0;
		t0 = now_ns();
		if (dax_trace_drain(t, &tv) < 0) {
			fprintf(stderr, "test_attribution --bench: drain failed\n");
			return 1;
		}
		drain_ns += now_ns() - t0;
		done += m;
	}
	memset(&res, 0, sizeof(res));
	t0 = now_ns();
	ix = attr_index_new(calls, ncalls);
	attr_flushes(ix, tv.v, tv.n, EV_MARKER, &res);
	attr_ns = now_ns() - t0;
	printf("{\"records\": %zu, \"lost\": %" PRIu64 ", \"drain_ns\": %" PRIu64
	       ", \"attribution_ns\": %" PRIu64 ", \"drain_per_s\": %.0f"
	       ", \"attribution_per_s\": %.0f, \"ingest_and_attribute_per_s\": %.0f"
	       ", \"calls\": %zu, \"attributed\": %" PRIu64 ", \"exact\": %s"
	       ", \"marker_write_ns\": %" PRIu64 "}\n",
	       tv.n, dax_trace_lost(t), drain_ns, attr_ns, tv.n * 1e9 / (double)drain_ns,
	       tv.n * 1e9 / (double)attr_ns, tv.n * 1e9 / (double)(drain_ns + attr_ns),
	       ncalls, res.attributed_entries, attr_exact(calls, ncalls, &res) ? "true" : "false",
	       write_ns);
	attr_index_free(ix);
	dax_trace_close(t);
	trace_vec_free(&tv);
	free(calls);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--bench")) {
		tap_timeout(0);		/* no test: as long as N takes */
		return bench(atol(argv[2]));
	}
	test_handmade();
	test_random();
	test_many_pids();
	test_faults();
	test_dirty();
	return done_testing();
}
