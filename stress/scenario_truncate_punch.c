// SPDX-License-Identifier: GPL-2.0
/*
 * truncate-punch: ftruncate, fallocate(PUNCH_HOLE) and fallocate race with
 * faults and fsync on one DAX file mapped PMD or PTE (alternating, or
 * --page).  Threads: W writers (timed, logged stores; they keep out of the
 * 2 MiB regions an operation owns), a reader (loads anywhere, including
 * beyond a shrunk end of file), a sync thread (fsync, msync), and the main
 * thread running operations one after another:
 *   punch      own a region, store to every page of a random range of it,
 *              punch the range: it reads back zeros (mapping and pread);
 *              half the time fallocate it again and read zeros again;
 *   truncate   own the regions from a random offset (sometimes mid-page)
 *              to the end, store there, shrink the file to that offset,
 *              grow it back: the tail reads zeros;
 *   stale-pmd  own a region, punch it whole, read it through the mapping
 *              (the zero PMD, or zero pages), write one page through
 *              another path (pwrite, or a second, 4 KiB mapping): the
 *              mapping must show the new data (xfstests generic/428);
 *   fallocate  fallocate a random range without owning it (races with the
 *              writers' faults there).
 * Asserted: those reads; no SIGBUS inside the file size (the reader knows
 * when a truncation is in progress and to which size; writers never touch
 * an owned region, so any SIGBUS of theirs is wrong); the oracle over every
 * sync call.  Data an operation destroys needs no flush afterwards: every
 * region an operation owns gets a synthetic writeback at the moment the
 * operation starts, which covers the stores made before it for the sync
 * calls ending after it (a call that ended before must have flushed them).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/falloc.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "scenario.h"

#define NFLOORS 64
#define PATTERN 0xdeadbeefcafe0000ull

struct tp;

/* The main thread's operations (below). */
struct ops {
	struct tp *s;
	struct sctx *c;
	struct sc_thread *me;		/* the main thread's logs */
	struct rng r;
	struct trace_vec syn;		/* synthetic writebacks */
	char *buf;			/* pread buffer, 2 MiB */
	uint64_t ntrunc;
	uint64_t n_punch, n_refill, n_trunc, n_stale, n_falloc, n_stale_pwrite;
	unsigned nfail;
};

struct tp {
	struct sctx *c;
	char *base, *alt;		/* the mapping under test; a PTE one */
	int fd;
	uint64_t npages, nreg, size;
	int *owned, *busy;		/* per region, __atomic */
	uint64_t trunc_seq;		/* odd while a truncation is running */
	uint64_t floors[NFLOORS];	/* size truncation k shrinks to */
	int stop;
	pthread_barrier_t start;
	struct ops *o;			/* the main thread's operations */
	/* the iteration's, for its end */
	enum page_mode mode;
	struct mapping map, map_alt;	/* of base, alt */
	struct daxfile f;
	struct ops ops;
};

/* Per thread (the crew's priv). */
struct tp_thread {
	uint64_t ops, sigbus, bad;
	uint64_t bad_off, bad_seq1, bad_seq2;
};

static __thread sigjmp_buf *tp_jmp;
static struct sigaction tp_old_sigbus;	/* SIGBUS before prepare */

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	(void)si;
	(void)uc;
	if (tp_jmp)
		siglongjmp(*tp_jmp, 1);
	/* not ours: the handler before (the fatal-signal cleanup, which
	 * removes the trace instance and dies by the signal) */
	sigaction(sig, &tp_old_sigbus, NULL);
	raise(sig);
}

/* Two words of the page (first and last), timed as one store. */
static inline void store2(struct slog *l, char *base, uint64_t pg,
			  uint64_t val)
{
	volatile uint64_t *w = (volatile uint64_t *)(base + pg * SPAGE);
	uint64_t tb, ta;

	tb = now_ns();
	__asm__ __volatile__("" ::: "memory");
	w[0] = val;
	w[511] = val;
	__asm__ __volatile__("" ::: "memory");
	ta = now_ns();
	slog_add(l, pg, tb, ta);
}

static void writer_main(struct sc_thread *ct)
{
	struct tp_thread *t = ct->priv;
	struct tp *s = ct->shared;
	volatile uint64_t seq = 0;	/* survives siglongjmp */
	sigjmp_buf jb;
	struct rng r;

	sc_rng(s->c, &r, 100 + ct->id);
	pthread_barrier_wait(&s->start);
	while (!__atomic_load_n(&s->stop, __ATOMIC_RELAXED) &&
	       !slog_full(&ct->sl)) {
		uint64_t pg = rng_below(&r, s->npages), g = pg / SPMD_PAGES;

		__atomic_fetch_add(&s->busy[g], 1, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&s->owned[g], __ATOMIC_SEQ_CST)) {
			__atomic_fetch_sub(&s->busy[g], 1, __ATOMIC_SEQ_CST);
			sched_yield();
			continue;
		}
		tp_jmp = &jb;
		if (sigsetjmp(jb, 0) == 0) {
			store2(&ct->sl, s->base, pg, ((uint64_t)(ct->id + 1) << 56) |
			       ++seq);
			t->ops++;
		} else if (!t->bad++) {
			t->bad_off = pg * SPAGE;
		}
		tp_jmp = NULL;
		__atomic_fetch_sub(&s->busy[g], 1, __ATOMIC_SEQ_CST);
	}
}

/* A SIGBUS at off while trunc_seq went from q1 to q2: legitimate only if a
 * truncation in that interval shrank the file to at most off. */
static bool sigbus_ok(struct tp *s, uint64_t off, uint64_t q1, uint64_t q2)
{
	uint64_t k0 = q1 >> 1, k1, floor = UINT64_MAX;

	if (q2 == q1 && !(q1 & 1))
		return false;		/* no truncation meanwhile */
	k1 = (q2 - 1) >> 1;
	if (k1 - k0 >= NFLOORS)
		return true;		/* too many to tell */
	for (uint64_t k = k0; k <= k1; k++) {
		uint64_t f = __atomic_load_n(&s->floors[k % NFLOORS],
					     __ATOMIC_ACQUIRE);

		if (f < floor)
			floor = f;
	}
	floor = (floor + SPAGE - 1) & ~(SPAGE - 1);
	return off >= floor;
}

static void reader_main(struct sc_thread *ct)
{
	struct tp_thread *t = ct->priv;
	struct tp *s = ct->shared;
	sigjmp_buf jb;
	struct rng r;

	sc_rng(s->c, &r, 200);
	pthread_barrier_wait(&s->start);
	while (!__atomic_load_n(&s->stop, __ATOMIC_RELAXED)) {
		uint64_t off = rng_below(&r, s->npages) * SPAGE +
			       rng_below(&r, 512) * 8;
		uint64_t q1 = __atomic_load_n(&s->trunc_seq, __ATOMIC_ACQUIRE);

		tp_jmp = &jb;
		if (sigsetjmp(jb, 0) == 0) {
			(void)wl_load(s->base, off);
			t->ops++;
		} else {
			uint64_t q2 = __atomic_load_n(&s->trunc_seq,
						      __ATOMIC_ACQUIRE);

			t->sigbus++;
			if (!sigbus_ok(s, off, q1, q2) && !t->bad++) {
				t->bad_off = off;
				t->bad_seq1 = q1;
				t->bad_seq2 = q2;
			}
		}
		tp_jmp = NULL;
	}
}

static void syncer_main(struct sc_thread *ct)
{
	struct tp_thread *t = ct->priv;
	struct tp *s = ct->shared;
	struct rng r;

	sc_rng(s->c, &r, 300);
	pthread_barrier_wait(&s->start);
	while (!__atomic_load_n(&s->stop, __ATOMIC_RELAXED) &&
	       !ylog_full(&ct->yl)) {
		wl_sleep_ns(rng_below(&r, 5000000));
		if (rng_below(&r, 2))
			wl_fsync_logged(&ct->yl, s->fd);
		else
			wl_call_logged(&ct->yl, WL_MSYNC, s->fd, s->base,
				       s->size, 0, 0);
		t->ops++;
	}
}

/* ---- the operations (main thread) ---- */

static void own(struct tp *s, uint64_t g0, uint64_t g1)
{
	for (uint64_t g = g0; g < g1; g++)
		__atomic_store_n(&s->owned[g], 1, __ATOMIC_SEQ_CST);
	for (uint64_t g = g0; g < g1; g++)
		while (__atomic_load_n(&s->busy[g], __ATOMIC_SEQ_CST))
			sched_yield();
}

static void release(struct tp *s, uint64_t g0, uint64_t g1)
{
	for (uint64_t g = g0; g < g1; g++)
		__atomic_store_n(&s->owned[g], 0, __ATOMIC_SEQ_CST);
}

/* The regions [g0, g1) lose their data now: a synthetic writeback. */
static int destroyed(struct ops *o, uint64_t g0, uint64_t g1, uint64_t ts)
{
	return trace_vec_push(&o->syn, &(struct trace_rec){
		.ts = ts, .pid = -1, .ev = EV_WRITEBACK_ONE,
		.pgoff = g0 * SPMD_PAGES, .pglen = (g1 - g0) * SPMD_PAGES,
	});
}

static void op_fail(struct ops *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void op_fail(struct ops *o, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (o->nfail++ >= 5)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	sc_fail(o->c, "%s", msg);
}

/* Bytes [from, to) of the file read as zero, through the mapping (every
 * word of the first partial page, the first and last word of the others)
 * and through pread (all of it). */
static void expect_zero(struct ops *o, uint64_t from, uint64_t to,
			const char *what)
{
	struct tp *s = o->s;
	uint64_t off = from;

	while (off < to) {
		uint64_t v = wl_load(s->base, off & ~7ull);

		if (v) {
			op_fail(o, "after %s: mapping reads %#" PRIx64 " at offset %"
				PRIu64 " (page %" PRIu64 "), expected zeros", what, v,
				off, off / SPAGE);
			return;
		}
		if (off % SPAGE && (off + 8) % SPAGE)
			off += 8;		/* the partial page, word by word */
		else if (off % SPAGE == 0)
			off += SPAGE - 8;	/* the page's last word */
		else
			off += 8;		/* next page */
	}
	for (off = from; off < to;) {
		size_t len = to - off > SPMD_BYTES ? SPMD_BYTES : to - off;
		ssize_t n = pread(s->fd, o->buf, len, (off_t)off);

		if (n != (ssize_t)len) {
			op_fail(o, "after %s: pread at %" PRIu64 ": %s", what, off,
				n < 0 ? strerror(errno) : "short read");
			return;
		}
		for (size_t i = 0; i < len; i++)
			if (o->buf[i]) {
				op_fail(o, "after %s: pread shows byte %#x at offset %"
					PRIu64 " (page %" PRIu64 "), expected zeros",
					what, (unsigned char)o->buf[i], off + i,
					(off + i) / SPAGE);
				return;
			}
		off += len;
	}
}

static void op_punch(struct ops *o)
{
	struct tp *s = o->s;
	uint64_t g = rng_below(&o->r, s->nreg), a = g * SPMD_PAGES, first, n;

	if (rng_below(&o->r, 3) == 0) {
		first = a;
		n = SPMD_PAGES;
	} else {
		first = a + rng_below(&o->r, SPMD_PAGES);
		n = 1 + rng_below(&o->r, a + SPMD_PAGES - first < 64 ?
				  a + SPMD_PAGES - first : 64);
	}
	own(s, g, g + 1);
	for (uint64_t p = first; p < first + n; p++)
		store2(&o->me->sl, s->base, p, PATTERN | p);
	destroyed(o, g, g + 1, now_ns());
	if (fallocate(s->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		      (off_t)(first * SPAGE), (off_t)(n * SPAGE)) < 0) {
		op_fail(o, "fallocate(PUNCH_HOLE) pages %" PRIu64 "..%" PRIu64
			": %s", first, first + n - 1, strerror(errno));
	} else {
		expect_zero(o, first * SPAGE, (first + n) * SPAGE, "a punch");
		if (rng_below(&o->r, 2)) {
			if (fallocate(s->fd, 0, (off_t)(first * SPAGE),
				      (off_t)(n * SPAGE)) < 0)
				op_fail(o, "fallocate pages %" PRIu64 "..%" PRIu64
					": %s", first, first + n - 1,
					strerror(errno));
			else
				expect_zero(o, first * SPAGE, (first + n) * SPAGE,
					    "a punch and a fallocate");
			o->n_refill++;
		}
	}
	release(s, g, g + 1);
	o->n_punch++;
}

static void op_truncate(struct ops *o)
{
	struct tp *s = o->s;
	uint64_t g0 = 1 + rng_below(&o->r, s->nreg - 1);
	uint64_t to = g0 * SPMD_BYTES + rng_below(&o->r, SPMD_PAGES) * SPAGE;
	uint64_t k = o->ntrunc++;

	if (rng_below(&o->r, 2))
		to += 8 + 8 * rng_below(&o->r, 510);	/* mid-page */
	own(s, g0, s->nreg);
	store2(&o->me->sl, s->base, to / SPAGE, PATTERN | 1);
	for (int i = 0; i < 16; i++) {
		uint64_t p = to / SPAGE + rng_below(&o->r, s->npages - to / SPAGE);

		store2(&o->me->sl, s->base, p, PATTERN | p);
	}
	__atomic_store_n(&s->floors[k % NFLOORS], to, __ATOMIC_RELEASE);
	__atomic_store_n(&s->trunc_seq, 2 * k + 1, __ATOMIC_RELEASE);
	destroyed(o, g0, s->nreg, now_ns());
	if (ftruncate(s->fd, (off_t)to) < 0)
		op_fail(o, "ftruncate to %" PRIu64 ": %s", to, strerror(errno));
	wl_sleep_ns(rng_below(&o->r, 3000000));	/* readers meet the new end */
	if (ftruncate(s->fd, (off_t)s->size) < 0)
		op_fail(o, "ftruncate back to %" PRIu64 ": %s", s->size,
			strerror(errno));
	__atomic_store_n(&s->trunc_seq, 2 * k + 2, __ATOMIC_RELEASE);
	if (rng_below(&o->r, 2) &&
	    fallocate(s->fd, 0, (off_t)to, (off_t)(s->size - to)) < 0)
		op_fail(o, "fallocate of the tail from %" PRIu64 ": %s", to,
			strerror(errno));
	expect_zero(o, to, s->size, "a truncation and an extension");
	release(s, g0, s->nreg);
	o->n_trunc++;
}

static void op_stale_pmd(struct ops *o)
{
	struct tp *s = o->s;
	uint64_t g = rng_below(&o->r, s->nreg), a = g * SPMD_PAGES;
	uint64_t q = a + rng_below(&o->r, SPMD_PAGES), off = q * SPAGE + 16;
	uint64_t pat = PATTERN ^ (o->n_stale + 1) << 8, v, w = 0;
	bool use_pwrite = rng_below(&o->r, 2);

	own(s, g, g + 1);
	destroyed(o, g, g + 1, now_ns());
	if (fallocate(s->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		      (off_t)(a * SPAGE), (off_t)SPMD_BYTES) < 0) {
		op_fail(o, "fallocate(PUNCH_HOLE) of region %" PRIu64 ": %s", g,
			strerror(errno));
		goto out;
	}
	/* read faults: the zero PMD (or zero pages) */
	v = wl_load(s->base, off) | wl_load(s->base, a * SPAGE);
	if (v) {
		op_fail(o, "stale-pmd: a punched region reads %#" PRIx64, v);
		goto out;
	}
	if (use_pwrite) {
		if (pwrite(s->fd, &pat, sizeof(pat), (off_t)off) != sizeof(pat)) {
			op_fail(o, "pwrite at %" PRIu64 ": %s", off, strerror(errno));
			goto out;
		}
		o->n_stale_pwrite++;
	} else {
		uint64_t tb = now_ns(), ta;

		*(volatile uint64_t *)(s->alt + off) = pat;
		ta = now_ns();
		slog_add(&o->me->sl, q, tb, ta);
	}
	v = wl_load(s->base, off);
	if (pread(s->fd, &w, sizeof(w), (off_t)off) != sizeof(w))
		w = 0;
	if (v != pat)
		op_fail(o, "stale %s: after a read fault of the hole and a write "
			"through %s, the mapping reads %#" PRIx64 " at page %" PRIu64
			" (pread reads %#" PRIx64 ", written %#" PRIx64 ")",
			sc_page_mode(o->c) == PAGE_PMD ? "PMD" : "zero page",
			use_pwrite ? "pwrite" : "a second mapping",
			v, q, w, pat);
out:
	release(s, g, g + 1);
	o->n_stale++;
}

static void op_fallocate(struct ops *o)
{
	struct tp *s = o->s;
	uint64_t first = rng_below(&o->r, s->npages);
	uint64_t n = 1 + rng_below(&o->r, s->npages - first < 256 ?
				   s->npages - first : 256);

	if (fallocate(s->fd, 0, (off_t)(first * SPAGE), (off_t)(n * SPAGE)) < 0)
		op_fail(o, "fallocate pages %" PRIu64 "..%" PRIu64 ": %s", first,
			first + n - 1, strerror(errno));
	o->n_falloc++;
}

/* The main thread: starts the threads together, runs operations one after
 * another for the round. */
static void race_main(struct sc_thread *ct)
{
	struct tp *s = ct->shared;
	struct ops *o = s->o;
	uint64_t end;

	pthread_barrier_wait(&s->start);
	o->s = s;
	o->c = ct->c;
	o->me = ct;
	sc_rng(ct->c, &o->r, 1);
	end = sc_race_end(ct->c, ct->c->cfg->round_ns, 100000000ull);
	while (now_ns() < end && !slog_full(&ct->sl) && o->nfail < 5) {
		uint64_t op = rng_below(&o->r, 8);

		if (op < 3)
			op_punch(o);
		else if (op < 5)
			op_truncate(o);
		else if (op < 7)
			op_stale_pmd(o);
		else
			op_fallocate(o);
		wl_sleep_ns(rng_below(&o->r, 2000000));
	}
	__atomic_store_n(&s->stop, 1, __ATOMIC_RELAXED);
}

enum { R_WRITER, R_READER, R_SYNCER, R_MAIN };

static const struct crew_role roles[] = {
	[R_WRITER] = { "writer", CREW_WRITERS, 0, writer_main, 1u << 19, 0,
		       sizeof(struct tp_thread) },
	[R_READER] = { "reader", CREW_FIXED, 1, reader_main, 0, 0,
		       sizeof(struct tp_thread) },
	[R_SYNCER] = { "syncer", CREW_FIXED, 1, syncer_main, 0, 1 << 16,
		       sizeof(struct tp_thread) },
	/* its stores before an operation; a final fsync */
	[R_MAIN] = { "main", CREW_MAIN, 0, race_main, 1u << 19, 4, 0 },
};

/* What lasts across iterations. */
struct tp_state {
	uint64_t nreg;			/* 2 MiB regions */
	uint64_t tot[8], r_sigbus, r_loads;
};

static enum sverdict prepare(struct sctx *c)
{
	struct tp_state *st = c->state;
	struct sigaction sa;

	st->nreg = c->cfg->npages / SPMD_PAGES;
	if (st->nreg < 2)
		return sc_skip(c, "needs --size of at least 4M (two 2 MiB regions)");
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigbus;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, &tp_old_sigbus);
	return SV_PASS;
}

static enum sverdict begin(struct sctx *c, struct sc_iter *it)
{
	struct tp_state *st = c->state;
	struct tp *s = it->priv;
	struct ops *o = &s->ops;
	unsigned nw = c->cfg->writers;
	uint64_t nreg = st->nreg;
	enum page_mode mode = s->mode = sc_page_mode(c);
	unsigned nt = nw + 3;	/* writers, reader, syncer, main */

	s->owned = calloc(nreg, sizeof(int));
	s->busy = calloc(nreg, sizeof(int));
	o->buf = malloc(SPMD_BYTES);
	if (!s->owned || !s->busy || !o->buf || sc_file_create(c, &s->f)) {
		sc_fail(c, "setup failed");
		return SV_FAIL;
	}
	if (sc_map(c, &s->map, &s->f, mode) ||
	    sc_map(c, &s->map_alt, &s->f, PAGE_PTE))
		return SV_FAIL;
	s->c = c;
	s->base = s->map.addr;
	s->alt = s->map_alt.addr;
	s->fd = s->f.fd;
	s->npages = c->cfg->npages;
	s->nreg = nreg;
	s->size = c->cfg->size;
	s->o = o;
	pthread_barrier_init(&s->start, NULL, nt);
	it->keep = EVBIT(EV_WRITEBACK_ONE);
	sc_iter_crew(it, roles, 4, s);
	return SV_PASS;
}

/* The final fsync, the SIGBUS checks; the records: the writers' and the
 * main thread's stores, the sync thread's calls and the final fsync, and
 * the synthetic writebacks of the data the operations destroyed. */
static enum sverdict end(struct sctx *c, struct sc_iter *it, struct crew *cr,
			 struct sc_records *rec)
{
	struct tp_state *st = c->state;
	struct tp *s = it->priv;
	struct ops *o = &s->ops;
	unsigned nw = c->cfg->writers;
	enum page_mode mode = s->mode;
	struct tp_thread *rd;

	wl_fsync_logged(&crew_thread(cr, R_MAIN, 0)->yl, s->f.fd);

	for (unsigned i = 0; i < nw; i++) {
		const struct tp_thread *t = crew_thread(cr, R_WRITER, i)->priv;

		if (t->bad)
			sc_fail(c, "writer %u: %" PRIu64 " SIGBUS storing inside "
				"the file (first at offset %" PRIu64 ", %s)", i,
				t->bad, t->bad_off, sc_mode_name(mode));
	}
	rd = crew_thread(cr, R_READER, 0)->priv;
	if (rd->bad)
		sc_fail(c, "reader: %" PRIu64 " SIGBUS inside the file size "
			"(first at offset %" PRIu64 ", %s, truncation sequence "
			"%" PRIu64 "..%" PRIu64 ")", rd->bad, rd->bad_off,
			sc_mode_name(mode), rd->bad_seq1, rd->bad_seq2);
	rec->extra = o->syn.v;
	rec->nextra = o->syn.n;
	st->tot[0] += o->n_punch;
	st->tot[1] += o->n_refill;
	st->tot[2] += o->n_trunc;
	st->tot[3] += o->n_stale;
	st->tot[4] += o->n_stale_pwrite;
	st->tot[5] += o->n_falloc;
	st->r_sigbus += rd->sigbus;
	st->r_loads += rd->ops;
	return SV_PASS;
}

static void teardown(struct sc_iter *it)
{
	struct tp *s = it->priv;
	struct ops *o = &s->ops;

	pthread_barrier_destroy(&s->start);
	mapping_unmap(&s->map_alt);
	mapping_unmap(&s->map);
	daxfile_remove(&s->f);
	trace_vec_free(&o->syn);
	free(o->buf);
	free(s->owned);
	free(s->busy);
}

static void finish(struct sctx *c)
{
	struct tp_state *st = c->state;

	json_object *info = sc_info(c);

	jadd_u64(info, "punches", st->tot[0]);
	jadd_u64(info, "punches_refilled", st->tot[1]);
	jadd_u64(info, "truncations", st->tot[2]);
	jadd_u64(info, "stale_pmd_checks", st->tot[3]);
	jadd_u64(info, "stale_pmd_checks_pwrite", st->tot[4]);
	jadd_u64(info, "fallocates", st->tot[5]);
	jadd_u64(info, "reader_loads", st->r_loads);
	jadd_u64(info, "reader_sigbus_beyond_eof", st->r_sigbus);
	sc_diag(c, "%" PRIu64 " punches, %" PRIu64 " truncations, %" PRIu64
		" stale-PMD checks, %" PRIu64 " fallocates; reader: %" PRIu64
		" loads, %" PRIu64 " SIGBUS beyond a shrunk end of file",
		st->tot[0], st->tot[2], st->tot[3], st->tot[5], st->r_loads,
		st->r_sigbus);
}

static void cleanup(struct sctx *c)
{
	(void)c;
	sigaction(SIGBUS, &tp_old_sigbus, NULL);
}

static const struct scenario truncate_punch = {
	.name = "truncate-punch",
	.desc = "ftruncate, punch hole and fallocate race with faults and fsync: "
		"zeros after a punch, no SIGBUS inside the file, no stale PMD",
	.order = 40,
	.needs_dax = true,
	.state_size = sizeof(struct tp_state),
	.prepare = prepare,
	.iter_size = sizeof(struct tp),
	.begin = begin,
	.end = end,
	.teardown = teardown,
	.finish = finish,
	.cleanup = cleanup,
};
SCENARIO(truncate_punch);
