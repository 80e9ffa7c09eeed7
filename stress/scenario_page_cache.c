// SPDX-License-Identifier: GPL-2.0
/*
 * page-cache: the concurrent-fsync race on a file in the page cache (no
 * DAX; runs on the host too).  Each page carries a version number in its
 * first word, bumped by the one writer owning the page through a shared
 * mapping; K sync threads call fsync, fdatasync or msync(MS_SYNC), then
 * read the whole file with O_DIRECT: every page must show at least the
 * version that was complete when the call began (a snapshot of the
 * versions published before the call).
 *
 * Note: an O_DIRECT read first writes back the dirty page-cache pages of
 * its range, so this catches pages whose dirty state was lost (a missed
 * page_mkwrite, a lost PTE dirty bit), not a sync that returned while its
 * pages were still dirty.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "scenario.h"

#define CHUNK (1ull << 20)

struct pc {
	struct sctx *c;
	char *base;
	int fd, dfd;			/* the file; an O_DIRECT descriptor */
	uint64_t npages, size;
	uint64_t *done;			/* version complete per page (__atomic) */
	int stop;
	pthread_barrier_t start;
	/* the iteration's, for its end */
	struct daxfile f;
	struct mapping m;
	uint8_t *badmap;		/* every page found older, bitmap */
	char first[512];		/* the first violation, in words */
};

/* Per thread (the crew's priv). */
struct pc_thread {
	uint64_t stores, calls, pairs, bad;
	uint64_t *snap;
	uint8_t *badmap;		/* every page found older, bitmap */
	char *buf;
	int err;
	const char *err_what;
	/* the first violation */
	uint64_t bad_pg, bad_want, bad_got, bad_ts, bad_te;
	enum oracle_sync_kind bad_kind;
};

static void writer_main(struct sc_thread *ct)
{
	struct pc_thread *t = ct->priv;
	struct pc *s = ct->shared;
	unsigned nw = s->c->cfg->writers;
	uint64_t own = (s->npages - ct->id + nw - 1) / nw;
	uint64_t *ver = calloc(s->npages, sizeof(*ver));
	struct rng r;

	sc_rng(s->c, &r, 100 + ct->id);
	pthread_barrier_wait(&s->start);
	while (ver && !__atomic_load_n(&s->stop, __ATOMIC_RELAXED)) {
		uint64_t p = ct->id + nw * rng_below(&r, own), v = ++ver[p];

		*(volatile uint64_t *)(s->base + p * SPAGE) = v;
		__atomic_store_n(&s->done[p], v, __ATOMIC_RELEASE);
		t->stores++;
	}
	free(ver);
}

static int read_direct(struct pc *s, struct pc_thread *t)
{
	for (uint64_t off = 0; off < s->size;) {
		size_t len = s->size - off > CHUNK ? CHUNK : s->size - off;
		ssize_t n = pread(s->dfd, t->buf + off, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			return -1;
		}
		off += (uint64_t)n;
	}
	return 0;
}

static void syncer_main(struct sc_thread *ct)
{
	struct pc_thread *t = ct->priv;
	struct pc *s = ct->shared;
	struct rng r;

	sc_rng(s->c, &r, 200 + ct->id);
	pthread_barrier_wait(&s->start);
	while (!__atomic_load_n(&s->stop, __ATOMIC_RELAXED)) {
		uint64_t u = rng_below(&r, 100), ts, te;
		enum oracle_sync_kind kind;
		enum wl_call call;
		int rc;

		for (uint64_t p = 0; p < s->npages; p++)
			t->snap[p] = __atomic_load_n(&s->done[p], __ATOMIC_ACQUIRE);
		call = u < 50 ? WL_FSYNC : u < 70 ? WL_FDATASYNC : WL_MSYNC;
		kind = wl_call_kind(call);
		ts = now_ns();
		rc = wl_call(call, s->fd, s->base, s->size);
		te = now_ns();
		if (rc < 0) {
			t->err = errno;
			t->err_what = oracle_sync_kind_name(kind);
			break;
		}
		if (read_direct(s, t) < 0) {
			t->err = errno;
			t->err_what = "O_DIRECT read";
			break;
		}
		t->calls++;
		for (uint64_t p = 0; p < s->npages; p++) {
			uint64_t got = *(uint64_t *)(t->buf + p * SPAGE);

			if (!t->snap[p])
				continue;
			t->pairs++;
			if (got >= t->snap[p])
				continue;
			bitmap_set(t->badmap, p);
			if (t->bad++)
				continue;
			t->bad_pg = p;
			t->bad_want = t->snap[p];
			t->bad_got = got;
			t->bad_ts = ts;
			t->bad_te = te;
			t->bad_kind = kind;
		}
		wl_sleep_ns(rng_below(&r, 1000000));
	}
}

/* The main thread: starts the threads together, lets them run the round. */
static void race_main(struct sc_thread *ct)
{
	struct pc *s = ct->shared;

	pthread_barrier_wait(&s->start);
	sc_race(s->c, &s->stop);	/* no thread sets s.stop */
}

/* Its own options. */
enum { OPT_SYNCERS };

static const struct sc_option options[] = {
	[OPT_SYNCERS] = { "syncers", "N", "sync threads", 1, 64, 2 },
};

enum { R_WRITER, R_SYNCER, R_MAIN };

static const struct crew_role roles[] = {
	[R_WRITER] = { "writer", CREW_WRITERS, 0, writer_main, 0, 0,
		       sizeof(struct pc_thread) },
	[R_SYNCER] = { "syncer", CREW_OPTION, OPT_SYNCERS, syncer_main, 0, 0,
		       sizeof(struct pc_thread) },
	[R_MAIN] = { "main", CREW_MAIN, 0, race_main, 0, 0, 0 },
};

/* What lasts across iterations. */
struct pc_state {
	uint64_t total_stores;
};

static enum sverdict begin(struct sctx *c, struct sc_iter *it)
{
	struct pc *s = it->priv;
	unsigned nw = c->cfg->writers, nk = sc_opt(c, OPT_SYNCERS);
	char proc[64];

	s->done = calloc(c->cfg->npages, sizeof(*s->done));
	s->badmap = bitmap_new(c->cfg->npages);
	if (!s->done || !s->badmap || sc_file_create(c, &s->f)) {
		sc_fail(c, "setup failed");
		return SV_FAIL;
	}
	/* the file is already unlinked: reopen it through /proc */
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", s->f.fd);
	s->dfd = open(proc, O_RDONLY | O_DIRECT | O_CLOEXEC);
	if (s->dfd < 0) {
		int e = errno;

		daxfile_remove(&s->f);
		if (e == EINVAL)
			return sc_skip(c, "O_DIRECT is not supported in %s",
				       c->cfg->dir);
		sc_fail(c, "open %s with O_DIRECT: %s", proc, strerror(e));
		return SV_FAIL;
	}
	if (sc_map(c, &s->m, &s->f, PAGE_AUTO)) {
		close(s->dfd);
		daxfile_remove(&s->f);
		return SV_FAIL;
	}
	s->c = c;
	s->base = s->m.addr;
	s->fd = s->f.fd;
	s->npages = c->cfg->npages;
	s->size = c->cfg->size;
	pthread_barrier_init(&s->start, NULL, nw + nk + 1);
	sc_iter_crew(it, roles, 3, s);
	return SV_PASS;
}

/* The sync threads' snapshots, maps and read buffers. */
static enum sverdict ready(struct sctx *c, struct sc_iter *it,
			   struct crew *cr)
{
	bool ok = true;

	(void)it;
	for (unsigned i = 0; ok && i < sc_opt(c, OPT_SYNCERS); i++) {
		struct pc_thread *t = crew_thread(cr, R_SYNCER, i)->priv;

		t->snap = calloc(c->cfg->npages, sizeof(uint64_t));
		t->badmap = bitmap_new(c->cfg->npages);
		if (!t->snap || !t->badmap ||
		    posix_memalign((void **)&t->buf, SPAGE, c->cfg->size))
			ok = false;
	}
	if (!ok) {
		sc_fail(c, "out of memory");
		return SV_FAIL;
	}
	return SV_PASS;
}

/* Its own check: what the sync threads found, as the records of the
 * round (no collector, no oracle). */
static enum sverdict end(struct sctx *c, struct sc_iter *it, struct crew *cr,
			 struct sc_records *rec)
{
	struct pc_state *st = c->state;
	struct pc *s = it->priv;
	struct sc_tally *own = &rec->own;
	unsigned nw = c->cfg->writers, nk = sc_opt(c, OPT_SYNCERS);

	for (unsigned i = 0; i < nw; i++)
		own->stores += ((struct pc_thread *)
				crew_thread(cr, R_WRITER, i)->priv)->stores;
	st->total_stores += own->stores;
	for (unsigned i = 0; i < nk; i++) {
		struct pc_thread *t = crew_thread(cr, R_SYNCER, i)->priv;

		own->sync_calls += t->calls;
		own->syncs_checked += t->calls;
		own->pairs_checked += t->pairs;
		/* no flush under way to wait for here: missed */
		own->by_class[ORACLE_MISSED] += t->bad;
		if (t->err)
			sc_fail(c, "sync thread %u: %s failed: %s", i,
				t->err_what, strerror(t->err));
		if (!t->bad)
			continue;
		for (uint64_t b = 0; b < (c->cfg->npages + 7) / 8; b++)
			s->badmap[b] |= t->badmap[b];
		rec->own_failed = s->badmap;
		/* a thread's calls are sequential: its first is earliest */
		if (t->bad_ts < own->first_fail_ts)
			own->first_fail_ts = t->bad_ts;
		sc_fail(c, "sync thread %u: %" PRIu64 " page(s) older on disk "
			"than before the call; first: page %" PRIu64 " has "
			"version %" PRIu64 " after %s [%" PRIu64 " .. %" PRIu64
			"] ns returned, version %" PRIu64 " was complete "
			"before it began", i, t->bad, t->bad_pg, t->bad_got,
			oracle_sync_kind_name(t->bad_kind), t->bad_ts,
			t->bad_te, t->bad_want);
		if (!rec->own_first[ORACLE_MISSED]) {
			snprintf(s->first, sizeof(s->first), "page %" PRIu64 ": "
				 "version %" PRIu64 " on disk after %s [%" PRIu64
				 " .. %" PRIu64 "] ns returned (sync thread %u), "
				 "version %" PRIu64 " was complete before it "
				 "began", t->bad_pg, t->bad_got,
				 oracle_sync_kind_name(t->bad_kind), t->bad_ts,
				 t->bad_te, i, t->bad_want);
			rec->own_first[ORACLE_MISSED] = s->first;
		}
	}
	for (unsigned i = 0; i < nk; i++) {
		struct pc_thread *t = crew_thread(cr, R_SYNCER, i)->priv;

		free(t->snap);
		free(t->badmap);
		free(t->buf);
	}
	return SV_PASS;
}

static void teardown(struct sc_iter *it)
{
	struct pc *s = it->priv;

	pthread_barrier_destroy(&s->start);
	mapping_unmap(&s->m);
	close(s->dfd);
	daxfile_remove(&s->f);
	free(s->done);
	free(s->badmap);
}

static void finish(struct sctx *c)
{
	jadd_u64(sc_info(c), "version_stores",
		 ((struct pc_state *)c->state)->total_stores);
}

static const struct scenario page_cache = {
	.name = "page-cache",
	.desc = "no DAX: after a sync call returns, an O_DIRECT read shows every "
		"page at least at the version complete before the call began",
	.order = 60,
	.needs_pagecache = true,
	.options = options,
	.noptions = 1,
	.defaults = { .iterations = 3 },
	.state_size = sizeof(struct pc_state),
	.iter_size = sizeof(struct pc),
	.begin = begin,
	.ready = ready,
	.end = end,
	.teardown = teardown,
	.finish = finish,
};
SCENARIO(page_cache);
