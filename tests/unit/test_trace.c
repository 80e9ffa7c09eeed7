// SPDX-License-Identifier: GPL-2.0
/*
 * Unit test of lib/trace_*.c on the host's page cache (the host has no DAX):
 * the pairing of writebacks with their dax_flush return on synthetic record
 * streams (pure, runs anywhere); instance creation and settings, marker
 * round trip, exactness of draining (including partial pages and draining
 * while a thread writes), the file filter on real writeback events, loss
 * accounting, and cleanup on close, exit, signals, and of stale instances;
 * the flush probes (a kretprobe and an entry kprobe with the size argument,
 * dynamic events) when the kernel has kprobe_events: created, enabled in
 * the private instance only, removed on close, exit and signals, stale ones
 * removed; without kprobe_events, the trace goes on without them and says
 * why.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <tracefs.h>

#include "fatal_signals.h"
#include "oracle.h"
#include "tap.h"
#include "timing.h"
#include "trace.h"

#define FILE_SIZE (4u << 20)
#define TMPFS_MAGIC_ 0x01021994

static char inst_dir[PATH_MAX];	/* <tracing>/instances */
static bool kprobes;		/* the kernel has kprobe_events */

/* How many of the two flush probes of pid (return flush_PID, entry
 * flushin_PID) are defined (kprobe_events). */
static int probes_of(pid_t pid)
{
	char *all = tracefs_instance_file_read(NULL, "kprobe_events", NULL);
	char want[64];
	int found = 0;

	snprintf(want, sizeof(want), "daxbench/flush_%d ", (int)pid);
	found += all && strstr(all, want);
	snprintf(want, sizeof(want), "daxbench/flushin_%d ", (int)pid);
	found += all && strstr(all, want);
	free(all);
	return found;
}

/* Whether a flush probe of pid is defined (either). */
static bool probe_exists(pid_t pid)
{
	return probes_of(pid) > 0;
}

static struct tracefs_dynevent *probe_dev(pid_t pid, bool entry)
{
	char name[64];

	snprintf(name, sizeof(name), "%s_%d", entry ? "flushin" : "flush", (int)pid);
	return entry ? tracefs_kprobe_alloc("daxbench", name, "dax_flush",
					    "size=$arg3:u64") :
		       tracefs_kretprobe_alloc("daxbench", name, "dax_flush", NULL, 0);
}

/* Both flush probes of pid, as a process of that pid would leave them. */
static int make_probe(pid_t pid)
{
	for (int k = 0; k < 2; k++) {
		struct tracefs_dynevent *d = probe_dev(pid, k);
		int r;

		if (!d)
			return -1;
		r = tracefs_dynevent_create(d);
		tracefs_dynevent_free(d);
		if (r)
			return r;
	}
	return 0;
}

static void drop_probe(pid_t pid)
{
	for (int k = 0; k < 2; k++) {
		struct tracefs_dynevent *d = probe_dev(pid, k);

		if (d) {
			tracefs_dynevent_destroy(d, true);
			tracefs_dynevent_free(d);
		}
	}
}

static bool inst_exists(const char *name)
{
	char p[PATH_MAX + 128];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", inst_dir, name);
	return stat(p, &st) == 0;
}

static char *inst_read(const char *name, const char *file)
{
	static char buf[4096];
	char p[PATH_MAX + 256];
	ssize_t n;
	int fd;

	snprintf(p, sizeof(p), "%s/%s/%s", inst_dir, name, file);
	fd = open(p, O_RDONLY);
	if (fd < 0)
		return NULL;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return NULL;
	buf[n] = 0;
	return buf;
}

/* A directory on a disk file system (writeback events need one). */
static int find_dir(char *out, size_t len)
{
	const char *cand[] = { getenv("TMPDIR"), "/tmp", "/var/tmp", "/work/main", "." };

	for (size_t i = 0; i < sizeof(cand) / sizeof(cand[0]); i++) {
		char p[PATH_MAX];
		struct statfs sf;
		int fd;

		if (!cand[i] || statfs(cand[i], &sf) < 0 || sf.f_type == TMPFS_MAGIC_)
			continue;
		snprintf(p, sizeof(p), "%s/daxbench-test-XXXXXX", cand[i]);
		fd = mkstemp(p);
		if (fd < 0)
			continue;
		close(fd);
		unlink(p);
		snprintf(out, len, "%s", cand[i]);
		return 0;
	}
	return -1;
}

static int make_file(const char *dir, const char *tag, struct stat *st, char *path,
		     size_t plen)
{
	int fd;

	snprintf(path, plen, "%s/daxbench-test-%s-XXXXXX", dir, tag);
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	if (ftruncate(fd, FILE_SIZE) < 0 || fstat(fd, st) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Store into every page of a MAP_SHARED mapping, then fsync. */
static int dirty_and_sync(int fd, char v)
{
	char *m = mmap(NULL, FILE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	if (m == MAP_FAILED)
		return -1;
	for (size_t off = 0; off < FILE_SIZE; off += 4096)
		m[off] = v;
	munmap(m, FILE_SIZE);
	return fsync(fd);
}

struct file_counts {
	size_t target, other, markers, dirty, wp, wp_result;
	uint64_t pages_written;
	bool dev_ok;
};

static struct file_counts count_file(const struct trace_vec *tv, size_t from,
				     uint64_t ino, uint32_t kdev)
{
	struct file_counts c = { .dev_ok = true };

	for (size_t i = from; i < tv->n; i++) {
		const struct trace_rec *r = &tv->v[i];

		if (r->ev == EV_MARKER) {
			c.markers++;
			continue;
		}
		if (r->ino != ino) {
			c.other++;
			continue;
		}
		c.target++;
		if (r->dev != kdev)
			c.dev_ok = false;
		if (r->ev == EV_WB_DIRTY_FOLIO)
			c.dirty++;
		if (r->ev == EV_EXT4_WRITEPAGES)
			c.wp++;
		if (r->ev == EV_EXT4_WRITEPAGES_RESULT) {
			c.wp_result++;
			c.pages_written += r->pglen;
		}
	}
	return c;
}

/* ---- pairing of writebacks with their flush (synthetic streams) ---- */

static struct trace_rec F(int32_t pid, uint64_t ts)	/* dax_flush return */
{
	return (struct trace_rec){ .ev = EV_FLUSH_RET, .pid = pid, .ts = ts };
}

static struct trace_rec W(int32_t pid, uint64_t ts)	/* dax_writeback_one */
{
	/* flush_ts preset to garbage: the pairing must set or clear it */
	return (struct trace_rec){ .ev = EV_WRITEBACK_ONE, .pid = pid, .ts = ts,
				   .pgoff = 512, .pglen = 512, .flush_ts = 777 };
}

static struct trace_rec FE(int32_t pid, uint64_t ts, uint64_t size)
{					/* dax_flush entry */
	return (struct trace_rec){ .ev = EV_FLUSH_ENTRY, .pid = pid, .ts = ts,
				   .flush_size = size };
}

static void stats_add(struct flush_pairing_stats *tot,
		      const struct flush_pairing_stats *st)
{
	tot->paired += st->paired;
	tot->unpaired += st->unpaired;
	tot->flushes += st->flushes;
	tot->flushes_unused += st->flushes_unused;
	tot->entries += st->entries;
	tot->entries_unused += st->entries_unused;
	tot->flushes_no_entry += st->flushes_no_entry;
}

/* Pair records in ts order (the one pass); the counts to *st (garbage
 * before: the pass must set them) and added to *tot. */
static void pair(struct trace_rec *v, size_t n, struct flush_pairing_stats *st,
		 struct flush_pairing_stats *tot)
{
	memset(st, 0xff, sizeof(*st));
	flush_pair_records(v, n, st);
	stats_add(tot, st);
}

/* The same for records in any order (drains): dax_trace_pair_flushes()
 * sorts them first. */
static void pair_unsorted(struct trace_rec *v, size_t n,
			  struct flush_pairing_stats *st,
			  struct flush_pairing_stats *tot)
{
	struct trace_vec tv = { .v = v, .n = n, .cap = n };

	memset(st, 0xff, sizeof(*st));
	dax_trace_pair_flushes(&tv, st);
	stats_add(tot, st);
}

/* The flush's size: from the entry record before its return. */
static void test_pairing_sizes(void)
{
	struct flush_pairing_stats st, tot = { 0 };

	{
		struct trace_rec v[] = { FE(1, 10, 2097152), FE(2, 11, 4096), F(2, 12),
					 F(1, 13), W(2, 14), W(1, 15) };

		pair(v, 6, &st, &tot);
		ok(v[4].flush_ts == 12 && v[4].flush_size == 4096 &&
		   v[5].flush_ts == 13 && v[5].flush_size == 2097152,
		   "sizes: each writeback gets its own thread's flush and that "
		   "flush's size (4096, 2097152)");
	}
	{
		struct trace_rec v[] = { F(1, 20), W(1, 21) };

		pair(v, 2, &st, &tot);
		ok(v[1].flush_ts == 20 && v[1].flush_size == 0 && st.flushes_no_entry == 1,
		   "a return without its entry record: paired, size 0 (unknown), "
		   "counted flushes_no_entry");
	}
	{
		struct trace_rec v[] = { FE(1, 30, 8192), FE(1, 31, 4096), F(1, 32),
					 W(1, 33) };

		pair(v, 4, &st, &tot);
		ok(v[3].flush_ts == 32 && v[3].flush_size == 4096 &&
		   st.entries_unused == 1,
		   "an entry never returned is superseded by the next one (unused 1)");
	}
	{
		struct trace_rec v[] = { FE(3, 40, 2097152), F(4, 41), W(3, 42),
					 F(3, 43), W(4, 44), W(3, 50) };

		v[2].flush_size = 555;	/* garbage: must be cleared */
		pair(v, 6, &st, &tot);
		ok(v[2].flush_ts == 0 && v[2].flush_size == 0 &&
		   v[4].flush_ts == 41 && v[4].flush_size == 0,
		   "another thread's entry is not used; an unpaired writeback "
		   "gets flush_ts and flush_size 0");
		ok(v[5].flush_ts == 43 && v[5].flush_size == 2097152,
		   "a flush that returned after its thread's writeback pairs the "
		   "next writeback, with its size (2097152)");
	}
	ok(tot.entries == 5 && tot.paired == 6 && tot.unpaired == 1 && tot.flushes == 6 &&
	   tot.flushes_unused == 0 && tot.entries_unused == 1 && tot.flushes_no_entry == 2,
	   "stats: 5 entries (1 unused), 6 flushes (0 unused, 2 without entry), 6 paired, "
	   "1 unpaired (%llu %llu %llu %llu %llu %llu %llu)",
	   (unsigned long long)tot.entries, (unsigned long long)tot.entries_unused,
	   (unsigned long long)tot.flushes, (unsigned long long)tot.flushes_unused,
	   (unsigned long long)tot.flushes_no_entry, (unsigned long long)tot.paired,
	   (unsigned long long)tot.unpaired);
}

/* Writebacks of threads each after its flush, in ts order: paired with
 * their own thread's latest flush, once. */
static void test_pairing_threads(struct flush_pairing_stats *tot)
{
	struct flush_pairing_stats st, zero = { 0 };

	memset(&st, 0xff, sizeof(st));
	ok(flush_pair_records(NULL, 0, &st) == 0 && !memcmp(&st, &zero, sizeof(st)),
	   "no records: 0, every count 0");
	/* two threads interleaved, each flush followed by its writeback */
	{
		struct trace_rec v[] = { F(1, 10), F(2, 11), W(2, 20), W(1, 21),
					 F(1, 30), F(2, 31), W(1, 40), W(2, 41) };

		pair(v, 8, &st, tot);
		ok(v[2].flush_ts == 11 && v[3].flush_ts == 10,
		   "interleaved: pid 2's writeback gets pid 2's flush (11), pid 1's gets 10 "
		   "(%llu, %llu)", (unsigned long long)v[2].flush_ts,
		   (unsigned long long)v[3].flush_ts);
		ok(v[6].flush_ts == 30 && v[7].flush_ts == 31,
		   "interleaved: second round 30 and 31 (%llu, %llu)",
		   (unsigned long long)v[6].flush_ts, (unsigned long long)v[7].flush_ts);
		ok(v[0].flush_ts == 0 && v[0].ev == EV_FLUSH_RET && v[0].ts == 10,
		   "flush records left as they were");
		ok(st.paired == 4 && st.unpaired == 0 && st.flushes == 4 &&
		   st.flushes_unused == 0 && st.entries == 0 && st.entries_unused == 0 &&
		   st.flushes_no_entry == 4,
		   "stats: 4 paired, 0 unpaired, 4 flushes (4 without entry), 0 unused");
	}
	/* a missing flush record: unpaired, the tracepoint time stands */
	{
		struct trace_rec v[] = { W(1, 50) };

		pair(v, 1, &st, tot);
		ok(v[0].flush_ts == 0 && trace_rec_flush_time(&v[0]) == 50,
		   "no flush record of the thread: unpaired, flush time = tracepoint "
		   "ts 50");
	}
	/* another thread's flush is not used */
	{
		struct trace_rec v[] = { F(3, 60), W(1, 61), W(3, 62) };

		pair(v, 3, &st, tot);
		is(v[1].flush_ts, 0, "pid 3's flush not used for pid 1's writeback");
		is(v[2].flush_ts, 60, "... but for pid 3's own (60)");
	}
	/* several flushes before one writeback: the latest */
	{
		struct trace_rec v[] = { F(1, 70), F(1, 72), F(1, 75), W(1, 80) };

		pair(v, 4, &st, tot);
		is(v[3].flush_ts, 75, "three flushes, one writeback: the latest (75)");
		is(st.flushes_unused, 2, "the two earlier flushes counted unused");
	}
	/* a flush is used once: a second writeback without a new flush */
	{
		struct trace_rec v[] = { F(2, 90), W(2, 91), W(2, 92) };

		pair(v, 3, &st, tot);
		ok(v[1].flush_ts == 90 && v[2].flush_ts == 0,
		   "one flush pairs one writeback; the next one is unpaired");
	}
}

/* Records in drain order (dax_trace_pair_flushes() sorts them). */
static void test_pairing_drains(struct flush_pairing_stats *tot)
{
	struct flush_pairing_stats st;

	/* the flush in a later drain than its writeback */
	{
		struct trace_rec d[] = { W(4, 105), F(4, 100) };

		pair_unsorted(d, 2, &st, tot);
		ok(d[0].ev == EV_FLUSH_RET && d[1].ev == EV_WRITEBACK_ONE &&
		   d[1].flush_ts == 100,
		   "writeback given before its flush (two drains): sorted, then paired");
	}
	/* a flush drained late (after the thread's next writeback) */
	{
		struct trace_rec d[] = { W(5, 200), F(5, 150), W(5, 210) };

		pair_unsorted(d, 3, &st, tot);
		ok(d[1].ts == 200 && d[1].flush_ts == 150 && d[2].ts == 210 &&
		   d[2].flush_ts == 0,
		   "a flush drained late pairs its own writeback once sorted; the next "
		   "writeback, whose flush that is not, stays unpaired");
	}
	/* a writeback drained late (after the thread's next ones) */
	{
		struct trace_rec d[] = { F(6, 300), W(6, 310), F(6, 320), W(6, 305),
					 W(6, 330) };

		pair_unsorted(d, 5, &st, tot);
		ok(d[1].ts == 305 && d[1].flush_ts == 300 && d[2].ts == 310 &&
		   d[2].flush_ts == 0 && d[4].ts == 330 && d[4].flush_ts == 320,
		   "a late writeback takes its flush (300); the next one, whose flush "
		   "it took, stays unpaired and does not take the following one's (320)");
	}
}

/* Other records in between, many threads, any pid. */
static void test_pairing_many(struct flush_pairing_stats *tot)
{
	struct flush_pairing_stats st;

	/* other records are left alone, flush records between them are fine */
	{
		struct trace_rec v[] = { F(7, 400),
			{ .ev = EV_PTE_FAULT, .pid = 7, .ts = 401, .flush_ts = 0 },
			{ .ev = EV_MARKER, .pid = 7, .ts = 402, .arg = 9 },
			W(7, 403) };

		pair(v, 4, &st, tot);
		ok(v[1].flush_ts == 0 && v[1].ev == EV_PTE_FAULT && v[2].arg == 9 &&
		   v[3].flush_ts == 400,
		   "faults and markers in between: untouched, the writeback still paired");
	}
	/* many threads (the table grows) */
	{
		size_t n = 2 * 3000;
		struct trace_rec *v = malloc(n * sizeof(*v));
		bool good = v != NULL;

		for (size_t i = 0; v && i < 3000; i++) {
			v[i] = F((int32_t)(10000 + i), 1000 + i);
			v[3000 + i] = W((int32_t)(10000 + 2999 - i), 5000 + i);
		}
		if (v)
			pair(v, n, &st, tot);
		for (size_t i = 0; v && i < 3000; i++)
			if (v[3000 + i].flush_ts != 1000 + (2999 - i))
				good = false;
		ok(good, "3000 threads: every writeback paired with its own thread's flush");
		free(v);
	}
	/* pid 0 and negative pids are ordinary keys */
	{
		struct trace_rec v[] = { F(0, 9000), F(-1, 9001), W(-1, 9002), W(0, 9003) };

		pair(v, 4, &st, tot);
		ok(v[2].flush_ts == 9001 && v[3].flush_ts == 9000, "pids 0 and -1 paired");
	}
}

static void test_pairing(void)
{
	struct flush_pairing_stats tot = { 0 };

	test_pairing_threads(&tot);
	test_pairing_drains(&tot);
	test_pairing_many(&tot);
	diag("pairing stats: %llu paired, %llu unpaired, %llu flushes, %llu unused",
	     (unsigned long long)tot.paired, (unsigned long long)tot.unpaired,
	     (unsigned long long)tot.flushes, (unsigned long long)tot.flushes_unused);
	is(tot.paired + tot.unpaired, 4 + 1 + 2 + 1 + 2 + 1 + 2 + 3 + 1 + 3000 + 2,
	   "every writeback counted once, paired or unpaired (%llu + %llu)",
	   (unsigned long long)tot.paired, (unsigned long long)tot.unpaired);
	is(tot.unpaired, 1 + 1 + 1 + 1 + 1,
	   "unpaired: exactly the 5 without a usable flush (%llu)",
	   (unsigned long long)tot.unpaired);
}

/* The flush's size and dax_trace_pair_flushes()'s sort. */
static void test_pair_flushes(void)
{
	/* the size is the return's, taken at the return */
	{
		struct trace_rec v[] = { FE(8, 500, 8192), F(8, 501), FE(8, 502, 4096),
					 W(8, 503) };

		ok(flush_pair_records(v, 4, NULL) == 0 && v[3].flush_ts == 501 &&
		   v[3].flush_size == 8192,
		   "the size is that of the entry before the return (8192), not of the "
		   "thread's next entry (4096); no counts asked (NULL)");
	}

	/* a run drained in two drains, a thread that moved between cpus: the
	 * second drain brings cpu 0's older records after cpu 1's newer ones */
	{
		struct trace_rec d[] = {
			/* drain 1: cpu 1 read after the thread moved there */
			F(1, 30), W(1, 40), F(2, 41), W(2, 42),
			/* drain 2: cpu 0, read before the thread left it */
			F(1, 10), W(1, 20), F(2, 21), W(2, 22) };
		struct trace_vec tv = { .v = d, .n = 8, .cap = 8 };
		struct flush_pairing_stats ps;
		bool order = true;
		int rc = dax_trace_pair_flushes(&tv, &ps);

		for (size_t i = 1; i < tv.n; i++)
			order &= tv.v[i - 1].ts <= tv.v[i].ts;
		ok(rc == 0 && order && tv.v[1].flush_ts == 10 && tv.v[3].flush_ts == 21 &&
		   tv.v[5].flush_ts == 30 && tv.v[7].flush_ts == 41,
		   "dax_trace_pair_flushes: records of two drains out of order, sorted "
		   "and every writeback paired with its own flush");
		ok(ps.paired == 4 && ps.unpaired == 0 && ps.flushes == 4 && ps.flushes_unused == 0,
		   "... stats 4 paired, 0 unpaired, 4 flushes, 0 unused");
	}
	/* the sort is stable (a cpu's records with one ts keep their order) */
	{
		struct trace_rec d[] = { W(1, 5), F(1, 5), W(1, 5), F(2, 3) };
		struct trace_vec tv = { .v = d, .n = 4, .cap = 4 }, none = { 0 };

		d[0].pgoff = 1;
		d[2].pgoff = 2;
		dax_trace_pair_flushes(&tv, NULL);
		ok(tv.v[0].ev == EV_FLUSH_RET && tv.v[0].pid == 2 && tv.v[1].pgoff == 1 &&
		   tv.v[2].ev == EV_FLUSH_RET && tv.v[3].pgoff == 2 && tv.v[1].flush_ts == 0 &&
		   tv.v[3].flush_ts == 5 && dax_trace_pair_flushes(&none, NULL) == 0,
		   "stable sort: equal timestamps keep their order; an empty vector is fine");
	}
}

/* The time the oracle takes: the flush's when paired, the tracepoint's when
 * not. */
static void test_flush_time(void)
{
	{
		struct trace_rec a = W(1, 100), b = W(1, 200);

		a.flush_ts = 90;
		b.flush_ts = 0;
		ok(trace_rec_flush_time(&a) == 90 && trace_rec_flush_time(&b) == 200,
		   "trace_rec_flush_time: flush_ts when paired, ts when not");
	}
	/* The case of the report: the flush returned inside the fsync, its
	 * tracepoint fired 4 us after the fsync returned. */
	for (int paired = 1; paired >= 0; paired--) {
		struct oracle *o = oracle_new(1024);
		struct trace_rec w = W(2615, 136539314151ull);
		struct oracle_report r = { 0 };
		int64_t v = -1;
		bool both = false;

		w.flush_ts = paired ? 136539309000ull : 0;
		if (o && oracle_add_store(o, 600, 136539200000ull, 136539200100ull) == 0 &&
		    oracle_add_sync(o, 136539295471ull, 136539310001ull, 2613, ORACLE_FSYNC,
				    0, 0) == 0 && oracle_add_event(o, &w) == 1)
			v = oracle_check(o, &r, 4);
		if (!paired && v == 1 && r.nviol == 1) {
			json_object *j = oracle_report_json(&r), *s0, *x;
			const struct oracle_violation *vi = &r.viol[0];

			both = vi->cover_ts == w.ts && vi->cover_tp_ts == w.ts &&
			       vi->nnearby == 1 && vi->nearby[0].tp_ts == w.ts && j &&
			       json_object_object_get_ex(j, "samples", &x) &&
			       (s0 = json_object_array_get_idx(x, 0)) &&
			       json_object_object_get_ex(s0, "first_cover_tracepoint_ns", &x) &&
			       (uint64_t)json_object_get_int64(x) == w.ts;
			json_object_put(j);
		}
		if (paired)
			is(v, 0, "oracle: a writeback whose flush returned inside the fsync "
			   "(tracepoint 4 us after its return) covers the page (%lld)",
			   (long long)v);
		else
			ok(v == 1 && both, "oracle, unpaired: the tracepoint time is used (1 "
			   "violation) and reported as first_cover_tracepoint_ns");
		oracle_report_free(&r);
		oracle_free(o);
	}
}

static bool sorted(const struct trace_vec *tv)
{
	for (size_t i = 1; i < tv->n; i++)
		if (tv->v[i - 1].ts > tv->v[i].ts)
			return false;
	return true;
}

struct writer {
	struct dax_trace *t;
	uint64_t n;
	volatile int done;
};

/* The markers of tv from record from on: counted in *nm; *order false
 * unless their args go on from *expect, one by one. */
static void count_markers(const struct trace_vec *tv, size_t from, size_t *nm,
			  uint64_t *expect, bool *order)
{
	for (size_t i = from; i < tv->n; i++) {
		if (tv->v[i].ev != EV_MARKER)
			continue;
		(*nm)++;
		if (tv->v[i].arg != (*expect)++)
			*order = false;
	}
}

static void *writer_main(void *arg)
{
	struct writer *w = arg;

	for (uint64_t i = 1; i <= w->n; i++)
		dax_trace_mark(w->t, i);
	__atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* Child of the signal tests: open a trace, report ready, wait to die. */
static void child_wait_signal(int wfd, int mode)
{
	struct dax_trace_opts o = { .prefix = "daxbench", .buffer_kb = 64,
				    .pagecache = true, .flush_time = true };
	char why[256];
	struct dax_trace *t;

	t = dax_trace_open(&o, why, sizeof(why));
	if (!t)
		_exit(100);
	if (mode == 1) {	/* exit without close: the atexit handler */
		if (write(wfd, "r", 1) != 1)
			_exit(101);
		exit(7);
	}
	if (write(wfd, "r", 1) != 1)
		_exit(101);
	for (;;)
		pause();
}

static volatile sig_atomic_t got_term;
static void own_term(int sig)
{
	(void)sig;
	got_term = 1;
}

/* Child with its own SIGTERM handler installed before the open: the
 * library must chain to it (graceful stop), not kill the process. */
static void child_own_handler(int wfd)
{
	struct dax_trace_opts o = { .prefix = "daxbench", .buffer_kb = 64,
				    .pagecache = true, .flush_time = true };
	struct sigaction sa;
	char why[256];
	struct dax_trace *t;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = own_term;
	sigaction(SIGTERM, &sa, NULL);
	t = dax_trace_open(&o, why, sizeof(why));
	if (!t)
		_exit(100);
	if (write(wfd, "r", 1) != 1)
		_exit(101);
	while (!got_term)
		pause();
	dax_trace_close(t);
	exit(3);
}

/* Fork a child running fn, wait for its ready byte; returns pid. */
static pid_t spawn(int mode, char *name, size_t nlen)
{
	int p[2];
	pid_t pid;
	char c;

	if (pipe(p) < 0)
		return -1;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		/* A test run in the background inherits SIGINT ignored, and the
		 * library rightly leaves an ignored signal ignored: the child
		 * would never die of it.  These checks are about signals at
		 * their default disposition. */
		for (size_t i = 0; i < fatal_signals_count(); i++)
			signal(fatal_signal(i), SIG_DFL);
		setrlimit(RLIMIT_CORE, &(struct rlimit){ 0, 0 });
		if (mode == 2)
			child_own_handler(p[1]);
		child_wait_signal(p[1], mode);
	}
	close(p[1]);
	if (pid > 0 && read(p[0], &c, 1) != 1) {
		close(p[0]);
		return pid;	/* child failed; the checks will say so */
	}
	close(p[0]);
	snprintf(name, nlen, "daxbench-%d", (int)pid);
	return pid;
}

/* What the phases on the host's tracing share: the trace under test (the
 * one of this process, instances/NAME) and a vector to drain into. */
struct live {
	struct dax_trace *t;
	char name[64];
	struct trace_vec tv;
};

/* (a) the instance and its settings */
static void test_instance(struct live *l)
{
	char *s;

	ok(inst_exists(l->name), "open creates instances/%s", l->name);
	s = inst_read(l->name, "trace_clock");
	ok(s && strstr(s, "[mono]"), "trace_clock is [mono]");
	s = inst_read(l->name, "options/overwrite");
	ok(s && atoi(s) == 0, "options/overwrite is 0 (losses are counted as dropped)");
	s = inst_read(l->name, "per_cpu/cpu0/buffer_size_kb");
	/* the kernel rounds up to whole sub-buffers (16384 -> 16387) */
	ok(s && atoi(s) >= 16384 && atoi(s) < 16384 + 64,
	   "per-cpu buffer_size_kb is the default 16384 (%s)",
	   s ? strtok(s, "\n") : "?");
	ok(dax_trace_has(l->t, EV_MARKER) && dax_trace_has(l->t, EV_WB_DIRTY_FOLIO) &&
	   dax_trace_has(l->t, EV_EXT4_WRITEPAGES) &&
	   dax_trace_has(l->t, EV_EXT4_WRITEPAGES_RESULT),
	   "page-cache events and markers available");
	{
		json_object *d = dax_trace_describe(l->t), *v;
		bool good = d && json_object_object_get_ex(d, "instance", &v) &&
			    !strcmp(json_object_get_string(v), l->name) &&
			    json_object_object_get_ex(d, "clock", &v) &&
			    !strcmp(json_object_get_string(v), "mono") &&
			    json_object_object_get_ex(d, "events", &v) &&
			    json_object_array_length(v) > 0;

		diag("describe: %s", d ? json_object_to_json_string(d) : "NULL");
		ok(good, "describe names the instance, clock and events");
		json_object_put(d);
	}
	if (dax_trace_has(l->t, EV_PTE_FAULT) || dax_trace_has(l->t, EV_WRITEBACK_RANGE))
		ok(dax_trace_has(l->t, EV_WRITEBACK_ONE), "kernel has fs_dax: dax_writeback_one enabled");
	else
		skip("kernel has no fs_dax events");
}

/* The description of a trace opened with flush_time: timed or not, and
 * the probes (or why there are none). */
static void flush_describe(struct dax_trace *t2, bool timed)
{
	json_object *d = dax_trace_describe(t2), *v = NULL, *w = NULL;
	const char *ft = d && json_object_object_get_ex(d, "flush_time", &v) ?
			 json_object_get_string(v) : "";
	json_object *we = NULL;
	bool good = !strcmp(ft, timed ? "dax_flush return" : "tracepoint") &&
		    json_object_object_get_ex(d, "flush_probe", &w) &&
		    json_object_object_get_ex(d, "flush_entry_probe", &we) &&
		    (timed ? w != NULL && we != NULL :
		     w == NULL && we == NULL &&
		     json_object_object_get_ex(d, "flush_probe_why", &v));

	diag("describe: %s", d ? json_object_to_json_string(d) : "NULL");
	ok(good, "describe: flush_time \"%s\", flush_probe, "
	   "flush_entry_probe and their why", ft);
	json_object_put(d);
}

/* The flush probe: a second trace (other prefix) with flush_time. */
static void test_flush_probe(void)
{
	struct dax_trace_opts fo = { .prefix = "daxstress", .buffer_kb = 64,
				     .flush_time = true };
	char fname[64], p[PATH_MAX + 256], why[256];
	const char *fwhy = "";
	struct dax_trace *t2 = dax_trace_open(&fo, why, sizeof(why));
	bool timed = t2 && dax_trace_flush_timed(t2, &fwhy);

	snprintf(fname, sizeof(fname), "daxstress-%d", (int)getpid());
	ok(t2 != NULL, "open with flush_time (%s)", t2 ? "ok" : why);
	diag("flush probe: %s", timed ? "created" : fwhy);
	if (kprobes)
		ok(timed, "kprobe_events present: writebacks timed by dax_flush return");
	else
		ok(t2 && !timed && strstr(fwhy, "kprobe_events"),
		   "no kprobe_events: the trace goes on without the probe, and says why");
	flush_describe(t2, timed);
	if (kprobes && timed) {
		bool only = true;

		is(probes_of(getpid()), 2,
		   "daxbench/flush_%d and daxbench/flushin_%d are in kprobe_events",
		   (int)getpid(), (int)getpid());
		for (int k = 0; k < 2; k++) {
			char *s, *top;

			snprintf(p, sizeof(p), "events/daxbench/%s_%d/enable",
				 k ? "flushin" : "flush", (int)getpid());
			s = inst_read(fname, p);
			top = tracefs_instance_file_read(NULL, p, NULL);
			diag("%s: instance %s, top level %s", p,
			     s ? strtok(s, "\n") : "?", top ? strtok(top, "\n") : "?");
			only &= s && atoi(s) == 1 && top && atoi(top) == 0;
			free(top);
		}
		ok(only, "both enabled in instances/%s only", fname);
	} else {
		skip("no kprobe_events");
		skip("no kprobe_events");
	}
	ok(dax_trace_has(t2, EV_FLUSH_RET) == timed &&
	   dax_trace_has(t2, EV_FLUSH_ENTRY) == timed,
	   "EV_FLUSH_RET and EV_FLUSH_ENTRY enabled exactly when timed");
	dax_trace_close(t2);
	ok(!inst_exists(fname) && !probe_exists(getpid()),
	   "close removes the instance and the flush probe");
}

/* (b) 1000 markers, exact, ordered, timestamps within the window; then
 * exactness while a thread keeps writing and we keep draining */
static void test_markers(struct live *l)
{
	struct writer w = { .t = l->t, .n = 300000 };
	uint64_t t0, t1, expect = 1;
	size_t nm = 0, drains = 0;
	bool order = true, inwin = true;
	pthread_t th;
	long n;

	dax_trace_drain(l->t, &l->tv);
	l->tv.n = 0;
	t0 = now_ns();
	for (uint64_t i = 1; i <= 1000; i++)
		dax_trace_mark(l->t, i);
	t1 = now_ns();
	n = dax_trace_drain(l->t, &l->tv);
	for (size_t i = 0; i < l->tv.n; i++) {
		if (l->tv.v[i].ev != EV_MARKER)
			continue;
		nm++;
		if (l->tv.v[i].arg != expect++)
			order = false;
		if (l->tv.v[i].ts < t0 || l->tv.v[i].ts > t1)
			inwin = false;
	}
	ok(n >= 1000 && nm == 1000, "1000 markers drained exactly (got %zu of %ld records)",
	   nm, n);
	ok(order, "markers 1..1000 in order");
	ok(inwin, "marker timestamps within [now_ns before, now_ns after]");
	ok(sorted(&l->tv), "records sorted by timestamp");

	expect = 1;
	nm = 0;
	order = true;
	l->tv.n = 0;
	pthread_create(&th, NULL, writer_main, &w);
	while (!__atomic_load_n(&w.done, __ATOMIC_ACQUIRE)) {
		size_t from = l->tv.n;

		dax_trace_drain(l->t, &l->tv);
		drains++;
		count_markers(&l->tv, from, &nm, &expect, &order);
		l->tv.n = 0;
	}
	pthread_join(th, NULL);
	dax_trace_drain(l->t, &l->tv);
	count_markers(&l->tv, 0, &nm, &expect, &order);
	ok(nm == w.n && order,
	   "draining during writes: %zu of %llu markers, each once, in order (%zu drains)",
	   nm, (unsigned long long)w.n, drains);
	l->tv.n = 0;
}

/* (c) writeback events of one file, filtered, in files fa and fb (sa, sb)
 * of one disk file system; (d) a second drain; (e) no loss */
static void file_filter(struct live *l, int fa, const struct stat *sa, int fb,
			const struct stat *sb)
{
	uint32_t kdev = (major(sa->st_dev) << 20) | minor(sa->st_dev);
	struct file_counts ca, cb, cb2;
	long n;

	dax_trace_drain(l->t, &l->tv);
	l->tv.n = 0;
	dax_trace_filter_file(l->t, sa->st_dev, sa->st_ino);
	dax_trace_mark(l->t, 42);
	dirty_and_sync(fa, 1);
	dirty_and_sync(fb, 1);
	dax_trace_drain(l->t, &l->tv);
	ca = count_file(&l->tv, 0, sa->st_ino, kdev);
	cb = count_file(&l->tv, 0, sb->st_ino, kdev);
	diag("file a: %zu records: %zu writeback_dirty_folio, %zu ext4_writepages, "
	     "%zu results, %llu pages written", ca.target, ca.dirty, ca.wp,
	     ca.wp_result, (unsigned long long)ca.pages_written);
	ok(ca.dirty > 0 && ca.wp > 0 && ca.wp_result > 0,
	   "mmap stores + fsync yield dirty-folio and writepages events for the file");
	is(ca.pages_written, FILE_SIZE / 4096,
	   "ext4_writepages_result pages_written sums to %u", FILE_SIZE / 4096);
	ok(ca.dev_ok, "records carry the file's dev in kernel encoding (%u)", kdev);
	ok(cb.target == 0 && ca.other == 0 && ca.markers == 1,
	   "filter: the second file's events are dropped, the marker kept");

	/* (d) nothing new on a second drain */
	n = dax_trace_drain(l->t, &l->tv);
	is(n, 0, "second drain returns nothing new");

	/* the filter really matches: now follow file b */
	l->tv.n = 0;
	dax_trace_filter_file(l->t, sb->st_dev, sb->st_ino);
	dirty_and_sync(fb, 2);
	dax_trace_drain(l->t, &l->tv);
	cb2 = count_file(&l->tv, 0, sb->st_ino, kdev);
	ok(cb2.dirty > 0 && cb2.wp > 0 && cb2.other == 0,
	   "filter on file b: its events kept (%zu), no others", cb2.target);

	/* (e) nothing lost so far */
	is(dax_trace_lost(l->t), 0, "dax_trace_lost == 0");
}

static void test_file_filter(struct live *l)
{
	char dir[PATH_MAX], pa[PATH_MAX + 64], pb[PATH_MAX + 64];
	struct stat sa, sb;
	int fa = -1, fb = -1;

	if (find_dir(dir, sizeof(dir)) < 0 ||
	    (fa = make_file(dir, "a", &sa, pa, sizeof(pa))) < 0 ||
	    (fb = make_file(dir, "b", &sb, pb, sizeof(pb))) < 0) {
		for (int i = 0; i < 7; i++)
			skip("no disk file system to write a file on");
	} else {
		diag("files in %s: a ino %llu, b ino %llu, dev %u:%u", dir,
		     (unsigned long long)sa.st_ino, (unsigned long long)sb.st_ino,
		     major(sa.st_dev), minor(sa.st_dev));
		file_filter(l, fa, &sa, fb, &sb);
	}
	if (fa >= 0) {
		close(fa);
		unlink(pa);
	}
	if (fb >= 0) {
		close(fb);
		unlink(pb);
	}
	l->tv.n = 0;
}

/* decode rate: 200000 markers in one drain */
static void test_decode_rate(struct live *l)
{
	const uint64_t N = 200000;
	uint64_t t0, t1;
	size_t nm = 0;
	bool order = true;
	long n;

	dax_trace_drain(l->t, &l->tv);
	l->tv.n = 0;
	for (uint64_t i = 1; i <= N; i++)
		dax_trace_mark(l->t, i);
	t0 = now_ns();
	n = dax_trace_drain(l->t, &l->tv);
	t1 = now_ns();
	for (size_t i = 0; i < l->tv.n; i++)
		if (l->tv.v[i].ev == EV_MARKER && l->tv.v[i].arg != ++nm)
			order = false;
	diag("drain of %ld records: %.1f ms, %.2f M records/s", n, (t1 - t0) / 1e6,
	     n / ((t1 - t0) / 1e9) / 1e6);
	ok(nm == N && order, "200000 markers drained exactly, in order (%zu)", nm);
	is(dax_trace_lost(l->t), 0, "no loss with the default buffer");
	l->tv.n = 0;
}

/* (f) close removes the instance; twice and NULL are safe */
static void test_close(struct live *l)
{
	dax_trace_close(l->t);
	ok(!inst_exists(l->name), "dax_trace_close removes the instance");
	dax_trace_close(l->t);
	dax_trace_close(NULL);
	ok(1, "close twice and close(NULL) are harmless");
	l->t = NULL;
}

/* (e) a tiny buffer loses events and says so */
static void test_tiny_buffer(struct live *l)
{
	struct dax_trace_opts o = { .prefix = "daxbench", .buffer_kb = 4,
				    .pagecache = true };
	uint64_t lost, last = 0;
	size_t nm = 0;
	bool order = true;
	int fails = 0;
	char why[256], *s;
	struct dax_trace *t = dax_trace_open(&o, why, sizeof(why));

	ok(t != NULL, "open with buffer_kb 4 (%s)", t ? "ok" : why);
	if (!t) {
		skip("no trace");
		skip("no trace");
		skip("no trace");
		return;
	}
	s = inst_read(l->name, "per_cpu/cpu0/buffer_size_kb");
	diag("buffer_size_kb asked 4, kernel has %s", s ? strtok(s, "\n") : "?");
	for (uint64_t i = 1; i <= 200000; i++)
		if (dax_trace_mark(t, i) < 0)
			fails++;
	lost = dax_trace_lost(t);
	dax_trace_drain(t, &l->tv);
	for (size_t i = 0; i < l->tv.n; i++) {
		if (l->tv.v[i].ev != EV_MARKER)
			continue;
		nm++;
		if (l->tv.v[i].arg <= last)
			order = false;
		last = l->tv.v[i].arg;
	}
	diag("tiny buffer: %zu markers kept, lost %llu, %d writes refused", nm,
	     (unsigned long long)lost, fails);
	cmp_ok(lost, >, 0, "dax_trace_lost > 0 with a 4 KiB buffer and 200000 markers");
	ok(nm + lost >= 200000 && order,
	   "every marker is either drained or counted lost");
	dax_trace_close(t);
	ok(!inst_exists(l->name), "instance removed");
	l->tv.n = 0;
}

/* (g) signals and exit in a child */
static void test_signals(void)
{
	/* the three of old and a selection of the other default-fatal ones
	 * (tests/cli/signals.sh sends them all) */
	const int sigv[10] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGABRT,
			       SIGUSR1, SIGUSR2, SIGPIPE, SIGALRM, SIGRTMIN };

	for (int i = 0; i < 10; i++) {
		char cname[64] = "";
		pid_t pid = spawn(0, cname, sizeof(cname));
		bool existed = cname[0] && inst_exists(cname);
		int st = 0;

		bool probe = !kprobes || probes_of(pid) == 2;

		kill(pid, sigv[i]);
		waitpid(pid, &st, 0);
		ok(existed && probe && WIFSIGNALED(st) && WTERMSIG(st) == sigv[i] &&
		   !inst_exists(cname) && !probe_exists(pid),
		   "child with a trace killed by %s: dies by it, instance %s%s removed",
		   strsignal(sigv[i]), cname, kprobes ? " and its flush probe" : "");
	}
	{
		char cname[64] = "";
		pid_t pid = spawn(1, cname, sizeof(cname));
		int st = 0;

		waitpid(pid, &st, 0);
		ok(cname[0] && WIFEXITED(st) && WEXITSTATUS(st) == 7 && !inst_exists(cname) &&
		   !probe_exists(pid),
		   "child exiting without close: atexit removes %s%s", cname,
		   kprobes ? " and its flush probe" : "");
	}
	{
		char cname[64] = "";
		pid_t pid = spawn(2, cname, sizeof(cname));
		bool existed = cname[0] && inst_exists(cname);
		bool probe = !kprobes || probes_of(pid) == 2;
		int st = 0;

		kill(pid, SIGTERM);
		waitpid(pid, &st, 0);
		ok(existed && probe && WIFEXITED(st) && WEXITSTATUS(st) == 3 &&
		   !inst_exists(cname) && !probe_exists(pid),
		   "own SIGTERM handler is chained (graceful exit 3), instance%s removed",
		   kprobes ? " and flush probe" : "");
	}
}

/* (h) stale instances: dead pid removed, live pid kept (a trace opened
 * with opts, as this test's own) */
static void test_stale(const struct dax_trace_opts *opts, const char *name)
{
	char dead[64], live[64], p1[PATH_MAX + 128], p2[PATH_MAX + 128], why[256];
	struct dax_trace *t;
	pid_t dpid, lpid;
	int st;

	fflush(stdout);
	dpid = fork();
	if (dpid == 0)
		_exit(0);
	waitpid(dpid, &st, 0);
	fflush(stdout);
	lpid = fork();
	if (lpid == 0) {
		for (;;)
			pause();
	}
	snprintf(dead, sizeof(dead), "daxbench-%d", (int)dpid);
	snprintf(live, sizeof(live), "daxstress-%d", (int)lpid);
	snprintf(p1, sizeof(p1), "%s/%s", inst_dir, dead);
	snprintf(p2, sizeof(p2), "%s/%s", inst_dir, live);
	ok(mkdir(p1, 0755) == 0 && mkdir(p2, 0755) == 0,
	   "fake instances %s (dead) and %s (live) created", dead, live);
	if (kprobes && (make_probe(dpid) < 0 || make_probe(lpid) < 0))
		diag("cannot make fake flush probes: %s", strerror(errno));
	t = dax_trace_open(opts, why, sizeof(why));
	ok(t && !inst_exists(dead), "open removes the stale instance of a dead pid");
	ok(inst_exists(live), "the instance of a live pid is kept");
	if (kprobes) {
		ok(!probe_exists(dpid), "open removes the flush probes (return "
		   "and entry) of a dead pid");
		is(probes_of(lpid), 2, "the flush probes of a live pid are kept");
	} else {
		skip("no kprobe_events");
		skip("no kprobe_events");
	}
	drop_probe(lpid);
	dax_trace_close(t);
	/* what every tool does at its start, without opening a trace */
	ok(mkdir(p1, 0755) == 0 && (dax_trace_remove_stale(), !inst_exists(dead)) &&
	   inst_exists(live),
	   "dax_trace_remove_stale() removes %s (dead), keeps %s (live)", dead, live);
	rmdir(p2);
	rmdir(p1);
	kill(lpid, SIGKILL);
	waitpid(lpid, &st, 0);
	ok(!inst_exists(live) && !inst_exists(dead) && !inst_exists(name),
	   "test instances cleaned up");
}

/* no instance of ours (or of a dead daxbench/daxstress) left */
static void test_none_left(void)
{
	char **list = tracefs_instances("^dax(bench|stress)-[0-9]+$");
	int left = 0;

	for (int i = 0; list && list[i]; i++) {
		int pid = atoi(strchr(list[i], '-') + 1);

		if (kill(pid, 0) < 0 && errno == ESRCH) {
			diag("left behind: %s", list[i]);
			left++;
		}
	}
	tracefs_list_free(list);
	is(left, 0, "no daxbench-/daxstress- instance of a dead process left");
}

int main(void)
{
	struct dax_trace_opts opts = { .prefix = "daxbench", .buffer_kb = 0,
				       .pagecache = true };
	struct live l = { 0 };
	const char *tdir;
	char why[256];

	test_pairing();
	test_pair_flushes();
	test_flush_time();
	test_pairing_sizes();
	if (geteuid() != 0) {
		skip("the tracing points: they need root (tracefs instances)");
		return done_testing();
	}
	l.t = dax_trace_open(&opts, why, sizeof(why));
	if (!l.t) {
		skip("the tracing points: tracing unavailable: %s", why);
		return done_testing();
	}
	tdir = tracefs_tracing_dir();
	kprobes = tracefs_file_exists(NULL, "kprobe_events");
	diag("kprobe_events %s", kprobes ? "present: the flush probe is tested" :
	     "absent: the fallback is tested");
	snprintf(inst_dir, sizeof(inst_dir), "%s/instances", tdir ? tdir : "/sys/kernel/tracing");
	snprintf(l.name, sizeof(l.name), "daxbench-%d", (int)getpid());

	test_instance(&l);
	test_flush_probe();
	test_markers(&l);
	test_file_filter(&l);
	test_decode_rate(&l);
	test_close(&l);
	test_tiny_buffer(&l);
	test_signals();
	test_stale(&opts, l.name);
	test_none_left();
	trace_vec_free(&l.tv);
	return done_testing();
}
