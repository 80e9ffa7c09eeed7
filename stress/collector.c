// SPDX-License-Identifier: GPL-2.0
/* daxstress: the trace collector (and --inject unflushed); see collector.h. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "collector.h"

static int co_drain(struct collector *co)
{
	co->tmp.n = 0;
	if (dax_trace_drain(co->tr, &co->tmp) < 0)
		return -1;
	for (size_t i = 0; i < co->tmp.n; i++) {
		const struct trace_rec *r = &co->tmp.v[i];

		dax_counts_add(&co->counts, r);
		if (r->ev < 64 && (co->keep_mask & EVBIT(r->ev)) &&
		    trace_vec_push(&co->keep, r))
			return -1;
	}
	return 0;
}

static void *co_main(void *arg)
{
	struct collector *co = arg;

	while (!__atomic_load_n(&co->stop, __ATOMIC_ACQUIRE)) {
		wl_sleep_ns(20000000);
		if (co_drain(co)) {
			co->err = errno ? errno : EIO;
			break;
		}
	}
	return NULL;
}

int collector_start(struct collector *co, struct dax_trace *tr,
		    uint64_t keep_mask, bool inject_unflushed, bool threaded)
{
	memset(co, 0, sizeof(*co));
	co->tr = tr;
	co->keep_mask = keep_mask;
	co->inject_unflushed = inject_unflushed;
	/* writebacks kept: keep their flushes too, to pair them at the end */
	if ((keep_mask & EVBIT(EV_WRITEBACK_ONE)) && dax_trace_flush_timed(tr, NULL))
		co->keep_mask |= EVBIT(EV_FLUSH_RET) | EVBIT(EV_FLUSH_ENTRY);
	if (!tr || !threaded)
		return 0;
	if (pthread_create(&co->th, NULL, co_main, co))
		return -1;
	co->threaded = true;
	return 0;
}

struct inj_thread {
	int32_t pid;
	size_t ret, entry;	/* indices since its last writeback, or
				 * SIZE_MAX */
};

/* --inject unflushed: in the time-sorted records, drop the flush records
 * (return, and the entry before it) that each second writeback of the run
 * would be paired with, as if that writeback had made no flush.  Returns
 * the writebacks so robbed, or -1 (out of memory). */
static int64_t inject_unflushed(struct trace_vec *tv)
{
	struct inj_thread *th = NULL;
	size_t nth = 0, k = 0, out = 0;
	uint8_t *drop = calloc(tv->n + 1, 1);
	uint64_t nwb = 0;
	int64_t robbed = 0;

	if (!drop)
		return -1;
	for (size_t i = 0; i < tv->n; i++) {
		const struct trace_rec *r = &tv->v[i];
		struct inj_thread *t = NULL;

		if (r->ev != EV_FLUSH_RET && r->ev != EV_FLUSH_ENTRY &&
		    r->ev != EV_WRITEBACK_ONE)
			continue;
		for (k = 0; k < nth; k++)
			if (th[k].pid == r->pid)
				t = &th[k];
		if (!t) {
			struct inj_thread *n = realloc(th, (nth + 1) * sizeof(*th));

			if (!n) {
				free(th);
				free(drop);
				return -1;
			}
			th = n;
			t = &th[nth++];
			*t = (struct inj_thread){ r->pid, SIZE_MAX, SIZE_MAX };
		}
		if (r->ev == EV_FLUSH_ENTRY) {
			t->entry = i;
		} else if (r->ev == EV_FLUSH_RET) {
			t->ret = i;
		} else {
			if (nwb++ % 2 && t->ret != SIZE_MAX) {
				drop[t->ret] = 1;
				if (t->entry != SIZE_MAX && t->entry < t->ret)
					drop[t->entry] = 1;
				robbed++;
			}
			t->ret = t->entry = SIZE_MAX;
		}
	}
	for (size_t i = 0; i < tv->n; i++)
		if (!drop[i])
			tv->v[out++] = tv->v[i];
	tv->n = out;
	free(th);
	free(drop);
	return robbed;
}

int collector_finish(struct collector *co)
{
	if (co->threaded) {
		__atomic_store_n(&co->stop, 1, __ATOMIC_RELEASE);
		pthread_join(co->th, NULL);
		co->threaded = false;
	}
	if (!co->tr)
		return 0;
	if (co->err) {
		errno = co->err;
		return -1;
	}
	if (co_drain(co))
		return -1;
	/* every record of the run is here now: sort (drains overlap in
	 * time) and give each writeback its flush */
	if (!(co->keep_mask & EVBIT(EV_FLUSH_RET)))
		return 0;
	if (co->inject_unflushed) {
		int64_t n;

		if (dax_trace_pair_flushes(&co->keep, NULL))	/* sorts */
			return -1;
		n = inject_unflushed(&co->keep);
		if (n < 0) {
			errno = ENOMEM;
			return -1;
		}
		co->injected = (uint64_t)n;
	}
	return dax_trace_pair_flushes(&co->keep, &co->pairing);
}

void collector_free(struct collector *co)
{
	trace_vec_free(&co->keep);
	trace_vec_free(&co->tmp);
}
