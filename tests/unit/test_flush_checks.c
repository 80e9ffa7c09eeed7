// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for lib/flush_checks.c and lib/verdict.c on synthetic streams:
 * each invariant of daxbench fault and sync passes on a correct kernel's
 * stream and fires, naming the expected and the seen value, on a stream
 * with exactly that fault: a writeback walk that stops after its first
 * XA_CHECK_SCHED (4096) batch, an idle sync that flushes, a writeback past
 * the end of the file, a stored page no writeback covers, a call that
 * flushes less than its writers dirtied; the calls where a per-call count
 * is not exact are left unchecked; the page cache checks what applies
 * there; the verdict's JSON and table lines.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flush_checks.h"
#include "tap.h"
#include "trace.h"
#include "verdict.h"

#define NPAGES 16384ull		/* a 64 MiB file */
#define BATCH 4096ull		/* XA_CHECK_SCHED */

static struct trace_vec tv;
static uint64_t ts = 1;

static void wb(uint64_t pgoff, uint64_t pglen)
{
	struct trace_rec r = { .ts = ts++, .ev = EV_WRITEBACK_ONE,
			       .pgoff = pgoff, .pglen = pglen };

	trace_vec_push(&tv, &r);
}

static void pc(uint64_t pages)
{
	struct trace_rec r = { .ts = ts++, .ev = EV_EXT4_WRITEPAGES_RESULT,
			       .pglen = pages };

	trace_vec_push(&tv, &r);
}

static const struct verdict_check *check(const struct verdict *v, const char *name)
{
	for (unsigned i = 0; i < v->n; i++)
		if (!strcmp(v->c[i].name, name))
			return &v->c[i];
	return NULL;
}

/* The kernel's writeback of the dirty set d (one bit a page, 4 KiB
 * entries): every entry, or with stop_after the first stop_after only, as
 * a walk that stops after its first batch would. */
static void walk(uint64_t *d, uint64_t stop_after)
{
	uint64_t n = 0;

	for (uint64_t p = 0; p < NPAGES; p++)
		if (d[p / 64] & (1ull << (p % 64))) {
			if (stop_after && n == stop_after)
				return;
			wb(p, 1);
			d[p / 64] &= ~(1ull << (p % 64));
			n++;
		}
}

/* daxbench fault --page pte --size 64M on a kernel whose walk stops after
 * stop_after entries (0: a correct one): the phases as cmd_fault.c feeds
 * them. */
static void fault_run(struct verdict *v, uint64_t stop_after)
{
	static uint64_t dirty[NPAGES / 64];
	struct flush_checks fc;

	verdict_init(v, true);
	ok(fc_init(&fc, v, NPAGES, true, false) == 0, "fc_init");
	memset(dirty, 0, sizeof(dirty));
	tv.n = 0;
	fc_records(&fc, tv.v, tv.n, "write");
	fc_store(&fc, 0, NPAGES);
	memset(dirty, 0xff, sizeof(dirty));
	walk(dirty, stop_after);		/* fsync */
	fc_records(&fc, tv.v, tv.n, "fsync");
	fc_sync(&fc, "repeat 1, fsync");
	tv.n = 0;
	for (uint64_t p = 0; p < NPAGES; p += 16) {	/* rewrite 1/16 */
		fc_store(&fc, p, 1);
		dirty[p / 64] |= 1ull << (p % 64);
	}
	walk(dirty, stop_after);		/* fsync-rewrite */
	fc_records(&fc, tv.v, tv.n, "fsync-rewrite");
	fc_sync(&fc, "repeat 1, fsync-rewrite");
	tv.n = 0;
	walk(dirty, stop_after);		/* fsync-idle */
	fc_records(&fc, tv.v, tv.n, "fsync-idle");
	fc_sync(&fc, "repeat 1, fsync-idle");
	tv.n = 0;
	fc_end(&fc, "repeat 1, after fsync-idle");
	fc_free(&fc);
}

static void test_fault_correct(void)
{
	struct verdict v;
	const struct verdict_check *c;

	fault_run(&v, 0);
	is_str(verdict_word(&v), "pass", "fault, correct kernel: pass");
	c = check(&v, FC_COVERS);
	ok(c && c->checked == 2 && c->failed == 0, "covers-dirtied: 2 syncs after stores, passed");
	c = check(&v, FC_IDLE);
	ok(c && c->checked == 1 && c->failed == 0, "idle: 1 idle fsync, passed");
	c = check(&v, FC_INSIDE);
	ok(c && c->checked == NPAGES + NPAGES / 16 && c->failed == 0,
	   "inside-file: every one of the 17408 writebacks checked");
	c = check(&v, FC_WRITTEN);
	ok(c && c->checked == 1 && c->failed == 0, "written-back: checked at the end");
}

/* The walk stops after the first XA_CHECK_SCHED batch: 16 MiB of 64. */
static void test_fault_first_batch_only(void)
{
	struct verdict v;
	const struct verdict_check *c;

	fault_run(&v, BATCH);
	is_str(verdict_word(&v), "fail", "fault, walk stopping after one batch: fail");
	c = check(&v, FC_COVERS);
	ok(c && c->failed == 1, "covers-dirtied fails once (the first fsync: the rewrite's 1024 pages fit in a batch)");
	is_str(c ? c->expected : NULL, ">= 64.0M", "expected: at least what was dirtied");
	is_str(c ? c->seen : NULL, "16.0M", "seen: one batch");
	is_str(c ? c->where : NULL, "repeat 1, fsync", "where: the first fsync");
	c = check(&v, FC_IDLE);
	ok(c && c->failed == 1, "idle fsync flushes what the walks left");
	is_str(c ? c->seen : NULL, "16.0M", "idle: seen one more batch");
	c = check(&v, FC_WRITTEN);
	ok(c && c->failed == 1, "written-back fails");
	ok(c && strstr(c->seen, "4352 pages not written back"),
	   "written-back: the pages no walk reached (%s)", c ? c->seen : "");
	c = check(&v, FC_INSIDE);
	ok(c && c->failed == 0, "inside-file still passes");
}

static void test_fault_outside_and_lost(void)
{
	struct verdict v;
	struct flush_checks fc;
	const struct verdict_check *c;

	/* a writeback past the end, and one straddling it */
	verdict_init(&v, true);
	fc_init(&fc, &v, NPAGES, true, false);
	fc_store(&fc, 0, NPAGES);
	tv.n = 0;
	wb(0, NPAGES);
	wb(NPAGES, 1);
	wb(NPAGES - 256, 512);
	fc_records(&fc, tv.v, tv.n, "repeat 1, fsync");
	fc_sync(&fc, "repeat 1, fsync");
	fc_end(&fc, "end");
	fc_free(&fc);
	c = check(&v, FC_INSIDE);
	ok(c && c->checked == 3 && c->failed == 2, "inside-file: 2 of 3 writebacks outside");
	is_str(c ? c->seen : NULL, "pgoff 16384 pglen 1", "seen: the first one outside");
	is_str(c ? c->expected : NULL, "pages within [0, 16384)", "expected: the file's pages");
	ok(check(&v, FC_COVERS)->failed == 0 && check(&v, FC_WRITTEN)->failed == 0,
	   "the other checks pass");

	/* the right byte count, the wrong page: only written-back sees it */
	verdict_init(&v, true);
	fc_init(&fc, &v, NPAGES, true, false);
	fc_store(&fc, 0, 512);
	tv.n = 0;
	wb(512, 512);
	fc_records(&fc, tv.v, tv.n, "fsync");
	fc_sync(&fc, "fsync");
	fc_end(&fc, "repeat 1, after fsync-idle");
	fc_free(&fc);
	ok(check(&v, FC_COVERS)->failed == 0, "lost page: covers-dirtied passes (bytes equal)");
	c = check(&v, FC_WRITTEN);
	ok(c && c->failed == 1, "lost page: written-back fails");
	is_str(c ? c->where : NULL, "repeat 1, after fsync-idle; first: page 0", "where: the first page left");
}

/* MAP_SYNC: the fault writes its entry back itself, in the store phase. */
static void test_fault_map_sync_window(void)
{
	struct verdict v;
	struct flush_checks fc;

	verdict_init(&v, true);
	fc_init(&fc, &v, 1024, true, false);
	tv.n = 0;
	wb(0, 512);
	wb(512, 512);
	fc_records(&fc, tv.v, tv.n, "write");
	fc_store(&fc, 0, 1024);
	tv.n = 0;
	fc_records(&fc, tv.v, tv.n, "fsync");
	fc_sync(&fc, "fsync");
	ok(check(&v, FC_COVERS)->failed == 0,
	   "a store phase's own writebacks count toward the next sync");
	fc_end(&fc, "end");
	ok(check(&v, FC_WRITTEN)->failed == 1,
	   "but a page is written back only by a writeback after its store");
	fc_free(&fc);
}

static void test_fault_page_cache(void)
{
	struct verdict v;
	struct flush_checks fc;

	verdict_init(&v, true);
	fc_init(&fc, &v, NPAGES, false, true);
	fc_store(&fc, 0, NPAGES);
	tv.n = 0;
	pc(NPAGES / 4);			/* the flusher, during the stores */
	fc_records(&fc, tv.v, tv.n, "write");
	tv.n = 0;
	pc(NPAGES / 2);
	fc_records(&fc, tv.v, tv.n, "fsync");
	fc_sync(&fc, "repeat 1, fsync");
	ok(check(&v, FC_COVERS)->failed == 1, "page cache: 3/4 of the pages written back fails");
	is_str(check(&v, FC_COVERS)->seen, "48.0M", "seen: background + fsync");
	tv.n = 0;
	pc(1);
	fc_records(&fc, tv.v, tv.n, "fsync-idle");
	fc_sync(&fc, "repeat 1, fsync-idle");
	ok(check(&v, FC_IDLE)->failed == 1, "page cache: an idle fsync that writes fails");
	fc_end(&fc, "end");
	ok(!check(&v, FC_INSIDE)->applies && !check(&v, FC_WRITTEN)->applies,
	   "page cache: inside-file and written-back not applicable");
	fc_free(&fc);

	verdict_init(&v, true);
	fc_init(&fc, &v, NPAGES, false, false);
	fc_store(&fc, 0, NPAGES);
	fc_sync(&fc, "fsync");
	ok(!check(&v, FC_COVERS)->applies && !verdict_failed(&v),
	   "page cache without a writeback event (xfs): nothing applies");
	is_str(verdict_word(&v), "not checked", "and the verdict says not checked");
}

static void test_sync_calls(void)
{
	struct verdict v;
	const struct verdict_check *c;
	struct fc_call calls[] = {
		/* syncer 0 */
		{ 10, 20, 0, true, true, false, false, 100, 100 },	/* checked */
		{ 30, 40, 0, true, false, false, false, 100, 60 },	/* checked: fails */
		{ 50, 60, 0, true, true, false, false, 100, 10 },	/* previous not quiet */
		{ 70, 80, 0, true, true, false, false, 100, 10 },	/* syncer 1 at 75 */
		{ 200, 210, 0, true, true, true, false, 0, 0 },		/* idle */
		/* syncer 1 */
		{ 75, 78, 1, true, true, false, false, 0, 0 },		/* nothing dirtied */
		{ 300, 310, 1, false, true, false, false, 100, 0 },	/* no kernel call */
		{ 400, 410, 1, true, true, true, false, 0, 1 },		/* idle that flushed */
	};

	verdict_init(&v, true);
	fc_sync_calls(&v, calls, sizeof(calls) / sizeof(calls[0]), true);
	c = check(&v, FC_COVERS);
	ok(c && c->checked == 2 && c->failed == 1,
	   "covers-dirtied: 2 calls where it is exact, 1 failed (%llu/%llu)",
	   c ? (unsigned long long)c->failed : 0ull, c ? (unsigned long long)c->checked : 0ull);
	is_str(c ? c->where : NULL, "syncer 0, call 2", "where: the call");
	is_str(c ? c->expected : NULL, ">= 400K", "expected: its writers' pages");
	is_str(c ? c->seen : NULL, "240K", "seen: its flush");
	c = check(&v, FC_IDLE);
	ok(c && c->checked == 2 && c->failed == 1, "idle: 2 idle calls, 1 flushed");
	is_str(c ? c->where : NULL, "syncer 1, call 3 (idle)", "where: the idle call");

	verdict_init(&v, true);
	fc_sync_calls(&v, calls, 1, false);
	ok(!check(&v, FC_COVERS)->applies, "page cache: covers-dirtied not applicable");
	ok(!check(&v, FC_IDLE)->applies, "page cache: idle-flushes-0 not applicable to sync");
}

static void test_sync_written(void)
{
	struct verdict v;
	uint64_t bits[3] = { ~0ull, ~0ull, 0x3 };	/* 130 pages */

	verdict_init(&v, true);
	tv.n = 0;
	wb(0, 128);
	wb(128, 2);
	ok(fc_written(&v, bits, 130, tv.v, tv.n, 0) == 0 && !verdict_failed(&v),
	   "written-back: every dirtied page covered, kernel set empty");
	verdict_init(&v, true);
	tv.n = 0;
	wb(0, 128);
	fc_written(&v, bits, 130, tv.v, tv.n, 2);
	is_str(check(&v, FC_WRITTEN)->seen, "2 never written back, 2 left dirty",
	       "written-back: two pages left");
	is_str(check(&v, FC_WRITTEN)->where, "the run; first: page 128", "where: the first");
	verdict_init(&v, true);
	tv.n = 0;
	wb(0, 130);
	fc_written(&v, bits, 130, tv.v, tv.n, 512);
	ok(verdict_failed(&v), "written-back: the kernel's dirty set not empty at the end fails");
	verdict_init(&v, true);
	tv.n = 0;
	wb(64, 1000);
	wb(NPAGES, 4);
	fc_inside(&v, tv.v, tv.n, 130);
	ok(check(&v, FC_INSIDE)->failed == 2, "inside-file over a run's records");
}

static void test_verdict_output(void)
{
	struct verdict v, w;
	json_object *o = json_object_new_object(), *x;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	verdict_init(&v, true);
	fc_declare(&v);
	verdict_pass(verdict_check(&v, FC_COVERS, fc_covers_text));
	verdict_fail(verdict_check(&v, FC_IDLE, fc_idle_text), "repeat 1, fsync-idle", "0B", "16.0M");
	verdict_json_add(&v, o);
	is_str(json_object_get_string(json_object_object_get(o, "verdict")), "fail", "JSON verdict");
	x = json_object_object_get(o, "failed_checks");
	ok(x && json_object_array_length(x) == 1 &&
	   !strcmp(json_object_get_string(json_object_array_get_idx(x, 0)), FC_IDLE),
	   "JSON failed_checks names the idle check alone");
	x = json_object_array_get_idx(json_object_object_get(o, "checks"), 1);
	is_str(json_object_get_string(json_object_object_get(
		json_object_object_get(x, "first_failure"), "seen")), "16.0M", "JSON first failure's seen value");
	x = json_object_array_get_idx(json_object_object_get(o, "checks"), 2);
	is_str(json_object_get_string(json_object_object_get(x, "status")), "not checked",
	       "JSON: a declared check with nothing seen is not checked");
	json_object_put(o);
	f = open_memstream(&buf, &len);
	verdict_print(f, &v);
	fclose(f);
	is_str(buf, "FAILED idle-sync-flushes-0: a sync with no store since the previous one "
	       "flushes 0 bytes: expected 0B, seen 16.0M (repeat 1, fsync-idle; 1 of 1 failed)\n",
	       "table: the failed check's line");
	free(buf);

	verdict_init(&w, true);
	verdict_pass(verdict_check(&w, FC_IDLE, fc_idle_text));
	verdict_merge(&w, &v);
	ok(check(&w, FC_IDLE)->checked == 2 && check(&w, FC_IDLE)->failed == 1 &&
	   !strcmp(check(&w, FC_IDLE)->seen, "16.0M"), "merge: counts added, the failure kept");

	verdict_init(&v, false);
	fc_declare(&v);
	is_str(verdict_word(&v), "not checked", "untraced: not checked");
	f = open_memstream(&buf, &len);
	verdict_print(f, &v);
	fclose(f);
	is_str(buf, "verdict: not checked (sync-covers-dirtied 0/0, idle-sync-flushes-0 0/0, "
	       "writeback-inside-file 0/0, dirtied-written-back 0/0)\n", "untraced: its line");
	free(buf);
}

int main(void)
{
	test_fault_correct();
	test_fault_first_batch_only();
	test_fault_outside_and_lost();
	test_fault_map_sync_window();
	test_fault_page_cache();
	test_sync_calls();
	test_sync_written();
	test_verdict_output();
	trace_vec_free(&tv);
	return done_testing();
}
