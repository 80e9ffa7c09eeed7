// SPDX-License-Identifier: GPL-2.0
/*
 * daxbench sync: the writer and syncer threads.  A syncer and its writers
 * are a group (struct group): writers store and mark the pages they dirty,
 * the syncer waits (futex) for --every stores of its group or for its
 * --period, collects the pages dirtied since its previous call and makes
 * the call (do_call), recording it (struct call_rec); with --lockstep the
 * writers wait for it at every --every boundary.  Built with
 * -DDAXBENCH_NO_MEASURE, the store and the call are made without the
 * measurement (#if MEASURE).
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hist.h"
#include "pattern.h"
#include "progress.h"
#include "sync_methods.h"
#include "timing.h"
#include "topology.h"
#include "workload.h"
#include "sync.h"

static inline char *addr_of(const struct run *r, uint64_t off)
{
	return r->chunk[off >> CHUNK_SHIFT] + (off & (CHUNK - 1));
}

/* Set the bits of pages [first, last] (atomic, skipping words already set),
 * then say so in *any (after the bits: the syncer looks at *any first). */
static inline void mark_pages(uint64_t *bits, uint32_t *any, uint64_t first,
			      uint64_t last)
{
	bool set = false;

	for (uint64_t p = first; p <= last;) {
		uint64_t w = p >> 6, b = p & 63;
		uint64_t nb = last - p + 1 < 64 - b ? last - p + 1 : 64 - b;
		uint64_t mask = (nb == 64 ? ~0ull : ((1ull << nb) - 1)) << b;

		if ((__atomic_load_n(&bits[w], __ATOMIC_RELAXED) & mask) != mask) {
			__atomic_fetch_or(&bits[w], mask, __ATOMIC_RELEASE);
			set = true;
		}
		p += nb;
	}
	if (set && !__atomic_load_n(any, __ATOMIC_RELAXED))
		__atomic_store_n(any, 1, __ATOMIC_RELEASE);
}

void sync_wake_all(struct run *r)
{
	for (unsigned j = 0; j < r->p->syncers; j++) {
		ADD(r->groups[j].wake, 1);
		futex_wake(&r->groups[j].wake, INT_MAX);
		ADD(r->groups[j].synced_gen, 1);
		futex_wake(&r->groups[j].synced_gen, INT_MAX);
	}
}

/* Every thread waits here before its first clock read: at the barrier
 * until all threads (and run_once) are ready, then until run_once has taken
 * the time origin r->t0 and set r->go.  So every time a thread records is
 * at or after r->t0.  (run_once used to take t0 just after the barrier,
 * which released the threads too: a late main thread let them store and
 * sync first, and a call's t_start - t0 wrapped to about 1.8e19.) */
static void wait_go(struct run *r)
{
	pthread_barrier_wait(&r->start);
	while (!LOAD(r->go))
		futex_wait(&r->go, 0, 0);
}

void *sync_writer_main(void *arg)
{
	struct writer *w = arg;
	struct run *r = w->thr.run;
	const struct params *p = r->p;
	struct group *g = w->thr.g;
	const uint64_t size = p->store_size, every = p->every;
	void (*persist)(const void *, size_t) = r->s[w->thr.idx % p->syncers].ops->persist;
	const bool ranges = r->s[w->thr.idx % p->syncers].ops->uses_ranges;
	const uint64_t val0 = p->opt.seed * 0x9e3779b97f4a7c15ull + w->thr.idx;
	uint64_t i;

	(void)ranges;
	w->thr.tid = wl_gettid();
	if (p->pin && topology_bind_thread(r->topo, w->thr.cpu) < 0)
		w->thr.err = errno ? errno : EINVAL;
	wait_go(r);
	if (w->thr.err) {
		ADD(g->writers_done, 1);
		ADD(r->writers_done, 1);
		sync_wake_all(r);
		return NULL;
	}
	w->t_start = now_ns();
	for (i = 0; !p->stores || i < p->stores; i++) {
		uint64_t off;
		char *dst;

		if (__atomic_load_n(&r->stop, __ATOMIC_RELAXED))
			break;
		if (p->lockstep) {
			uint64_t need = __atomic_fetch_add(&g->claimed, 1, __ATOMIC_SEQ_CST) / every;

			if (LOAD(g->intervals_done) < need) {
				uint64_t t = now_ns();

				for (;;) {
					uint32_t gen = LOAD(g->synced_gen);

					if (LOAD(g->intervals_done) >= need || LOAD(r->stop))
						break;
					futex_wait(&g->synced_gen, gen, 0);
				}
				w->wait_ns += now_ns() - t;
				if (LOAD(g->intervals_done) < need)
					break;	/* stopped */
			}
		}
		if (p->rate) {
			uint64_t due = w->t_start + (uint64_t)((double)i * 1e9 / (double)p->rate);
			uint64_t t = now_ns();

			if (t < due) {
				struct timespec ts = { (time_t)(due / 1000000000ull),
						       (long)(due % 1000000000ull) };

				clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
				w->wait_ns += now_ns() - t;
			}
		}
		off = (w->slot_base + pattern_next(&w->pat)) * size;
		dst = addr_of(r, off);
#if MEASURE
		{
			uint64_t t0, t1;

			__atomic_store_n(&w->seq, w->seq + 1, __ATOMIC_RELEASE);
			t0 = now_ns();
			wl_store(dst, w->src, size, val0 + i);
			if (persist)
				persist(dst, size);
			t1 = now_ns();
			mark_pages(w->dirty, &w->dirty_any, off >> PAGE_SHIFT, (off + size - 1) >> PAGE_SHIFT);
			__atomic_store_n(&w->seq, w->seq + 1, __ATOMIC_RELEASE);
			hist_record(&w->lat, t1 - t0);
		}
#else
		wl_store(dst, w->src, size, val0 + i);
		if (persist)
			persist(dst, size);
		if (ranges)
			mark_pages(w->dirty, &w->dirty_any, off >> PAGE_SHIFT, (off + size - 1) >> PAGE_SHIFT);
#endif
		if (__atomic_add_fetch(&g->completed, 1, __ATOMIC_SEQ_CST) ==
		    __atomic_load_n(&g->trigger, __ATOMIC_SEQ_CST)) {
			ADD(g->wake, 1);
			futex_wake(&g->wake, 1);
		}
	}
	w->t_end = now_ns();
	w->stores = i;
	ADD(g->writers_done, 1);
	ADD(r->writers_done, 1);
	sync_wake_all(r);
	return NULL;
}

/* Sum of the writers' store sequence numbers; *quiet: none mid-store. */
static __attribute__((unused)) uint64_t epoch(struct run *r, bool *quiet)
{
	uint64_t sum = 0;
	bool q = true;

	for (unsigned i = 0; i < r->p->writers; i++) {
		uint64_t v = __atomic_load_n(&r->w[i].seq, __ATOMIC_ACQUIRE);

		sum += v;
		if (v & 1)
			q = false;
	}
	*quiet = q;
	return sum;
}

/* Gather the pages the group's writers dirtied since the last call (and
 * clear them), count them and those new to the run, and for methods that
 * use ranges turn them into page ranges. */
static size_t collect(struct syncer *s, uint64_t *dirtied, uint64_t *fresh)
{
	struct run *r = s->thr.run;
	const struct params *p = r->p;
	uint64_t d = 0, f = 0, *bits[MAX_THREADS];
	unsigned nb = 0;
	size_t n = 0;

	/* only the writers that set a bit since the last look (their flag is
	 * set after their bits, and cleared here before reading them) */
	for (unsigned i = s->thr.idx; i < p->writers; i += p->syncers)
		if (__atomic_load_n(&r->w[i].dirty_any, __ATOMIC_RELAXED) &&
		    __atomic_exchange_n(&r->w[i].dirty_any, 0, __ATOMIC_ACQ_REL))
			bits[nb++] = r->w[i].dirty;
	if (!nb) {
		*dirtied = *fresh = 0;
		return 0;
	}
	for (uint64_t k = 0; k < r->nwords; k++) {
		uint64_t x = 0, old;

		for (unsigned i = 0; i < nb; i++)
			if (__atomic_load_n(&bits[i][k], __ATOMIC_RELAXED))
				x |= __atomic_exchange_n(&bits[i][k], 0, __ATOMIC_ACQ_REL);
		s->collect[k] = x;
		if (!x)
			continue;
		d += (uint64_t)__builtin_popcountll(x);
		old = __atomic_fetch_or(&r->union_bits[k], x, __ATOMIC_RELAXED);
		f += (uint64_t)__builtin_popcountll(x & ~old);
	}
	*dirtied = d;
	*fresh = f;
	if (!s->ops->uses_ranges)
		return 0;
	for (uint64_t pg = 0; pg < r->npages;) {
		uint64_t k = pg >> 6, start;

		if (!s->collect[k]) {
			pg = (k + 1) << 6;
			continue;
		}
		if (!(s->collect[k] & (1ull << (pg & 63)))) {
			pg++;
			continue;
		}
		start = pg;
		while (pg < r->npages && (s->collect[pg >> 6] & (1ull << (pg & 63))))
			pg++;
		if (n == s->rcap) {
			s->rcap = s->rcap ? 2 * s->rcap : 64;
			s->ranges = realloc(s->ranges, s->rcap * sizeof(*s->ranges));
			if (!s->ranges)
				fatal("out of memory");
		}
		s->ranges[n++] = (struct sync_range){ start << PAGE_SHIFT,
						      (pg - start) << PAGE_SHIFT };
	}
	return n;
}

#if MEASURE
static int do_call(struct syncer *s, enum call_kind kind)
{
	struct run *r = s->thr.run;
	struct group *g = s->thr.g;
	uint64_t dirtied, fresh, done, t0, t1, sc0 = s->ctx.syscalls, L, e0, e1, ec;
	unsigned others;
	size_t nr;
	bool q0, q1, qc, quiet_since;
	int rc;

	ec = epoch(r, &qc);
	nr = collect(s, &dirtied, &fresh);
	done = LOAD(g->completed);
	others = __atomic_fetch_add(&r->inflight, 1, __ATOMIC_SEQ_CST);
	L = LOAD(r->last_done);
	e0 = epoch(r, &q0);
	t0 = now_ns();
	rc = s->ops->sync(&s->ctx, s->ranges, nr);
	t1 = now_ns();
	__atomic_fetch_sub(&r->inflight, 1, __ATOMIC_SEQ_CST);
	if (rc < 0) {
		s->thr.err = errno ? errno : EIO;
		s->err_what = s->ops->name;
		return -1;
	}
	s->ncalls_made++;
	e1 = epoch(r, &q1);
	quiet_since = s->ops->whole_file && q0 && q1 && L == e0 + 1 && e1 == e0;
	if (s->ops->whole_file && q0) {
		uint64_t cur = LOAD(r->last_done);

		while (cur < e0 + 1 &&
		       !__atomic_compare_exchange_n(&r->last_done, &cur, e0 + 1, false,
						    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
			;
	}
	if (kind == CALL_RUN)
		hist_record(&s->lat, t1 - t0);
	if (s->ncalls == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 1024;
		s->calls = realloc(s->calls, s->cap * sizeof(*s->calls));
		if (!s->calls)
			fatal("out of memory");
	}
	s->calls[s->ncalls++] = (struct call_rec){
		.t_start = t0, .t_end = t1, .dirtied_pages = dirtied,
		.new_pages = fresh, .stores = done - s->last_completed,
		.nranges = (uint32_t)nr, .syscalls = (uint32_t)(s->ctx.syscalls - sc0),
		.kind = (uint8_t)kind, .racing = others > 0,
		.quiet = qc && q1 && e1 == ec,
		.no_store = kind == CALL_IDLE || (quiet_since && !others),
		.no_store_racing = kind != CALL_IDLE && quiet_since && others,
	};
	s->last_completed = done;
	return 0;
}
#else
/* The same call with the measurement compiled out (bench-self). */
static int do_call(struct syncer *s, enum call_kind kind)
{
	uint64_t dirtied, fresh;
	size_t nr = 0;

	(void)kind;
	if (s->ops->uses_ranges)
		nr = collect(s, &dirtied, &fresh);
	if (s->ops->sync(&s->ctx, s->ranges, nr) < 0) {
		s->thr.err = errno ? errno : EIO;
		s->err_what = s->ops->name;
		return -1;
	}
	s->ncalls_made++;
	s->last_completed = LOAD(s->thr.g->completed);
	return 0;
}
#endif

static bool all_writers_done(struct run *r)
{
	return LOAD(r->writers_done) == r->p->writers;
}

void *sync_syncer_main(void *arg)
{
	struct syncer *s = arg;
	struct run *r = s->thr.run;
	const struct params *p = r->p;
	struct group *g = s->thr.g;
	uint64_t next;

	s->thr.tid = wl_gettid();
	if (p->pin && topology_bind_thread(r->topo, s->thr.cpu) < 0) {
		s->thr.err = errno ? errno : EINVAL;
		s->err_what = "binding to its cpu";
	}
	if (!s->thr.err && s->ops->init && s->ops->init(&s->ctx) < 0) {
		s->thr.err = errno ? errno : EINVAL;
		s->err_what = "init";
	}
	STORE(g->trigger, UINT64_MAX);
	if (s->thr.err) {		/* stop everyone: lockstep writers would wait */
		STORE(r->stop, 1);
		sync_wake_all(r);
	}
	wait_go(r);
	s->t_start = now_ns();
	next = s->t_start + p->period_ns;
	while (!s->thr.err) {
		if (p->every) {
			uint64_t target = p->lockstep ?
				(LOAD(g->intervals_done) + 1) * p->every :
				s->last_completed + p->every;
			uint64_t t = 0;

			STORE(g->trigger, target);
			for (;;) {
				uint32_t wk = LOAD(g->wake);

				if (LOAD(g->completed) >= target ||
				    LOAD(g->writers_done) == g->nwriters || LOAD(r->stop))
					break;
				if (!t)
					t = now_ns();
				futex_wait(&g->wake, wk, 0);
			}
			if (t)
				s->wait_ns += now_ns() - t;
			if (LOAD(g->completed) < target)
				break;	/* its writers are done: final call */
			if (do_call(s, CALL_RUN) < 0)
				break;
			if (p->lockstep) {
				STORE(g->intervals_done, target / p->every);
				ADD(g->synced_gen, 1);
				futex_wake(&g->synced_gen, INT_MAX);
			}
		} else {
			uint64_t t = now_ns();

			if (all_writers_done(r) || LOAD(r->stop))
				break;
			if (t < next) {
				uint32_t wk = LOAD(g->wake);

				if (all_writers_done(r) || LOAD(r->stop))
					break;
				futex_wait(&g->wake, wk, next - t);
				s->wait_ns += now_ns() - t;
				continue;
			}
			if (do_call(s, CALL_RUN) < 0)
				break;
			t = now_ns();
			if (next <= t)
				next += ((t - next) / p->period_ns + 1) * p->period_ns;
		}
	}
	if (s->thr.err) {
		STORE(r->stop, 1);
		sync_wake_all(r);
	} else {
		do_call(s, CALL_FINAL);
	}
	/* every syncer has made its final call, so every writer is done */
	pthread_barrier_wait(&r->idle);
	if (!s->thr.err)
		do_call(s, CALL_IDLE);
	s->t_end = now_ns();
	if (s->ops->fini)
		s->ops->fini(&s->ctx);
	ADD(r->syncers_done, 1);
	return NULL;
}
