// SPDX-License-Identifier: GPL-2.0
/*
 * The flush rule (class unflushed, see include/oracle.h): each writeback
 * event's own fields (flush_ts, flush_size, from the pairing) decide; the
 * dax_flush records fed are only the context of the samples (sorted by
 * time, and their returns by thread).
 */
#include <stdlib.h>
#include <string.h>

#include "oracle_priv.h"

/* What the writeback event e lacks, or ORACLE_UNFL__COUNT when its flush is
 * good: paired, returned no later than the event, of >= its range. */
static enum oracle_unflushed_why unflushed(const struct o_event *e)
{
	uint64_t need = e->pglen > UINT64_MAX / ORACLE_PAGE ? UINT64_MAX :
			e->pglen * ORACLE_PAGE;

	if (!e->paired)
		return ORACLE_UNFL_NONE;
	if (e->ts > e->tp_ts)
		return ORACLE_UNFL_AFTER;
	if (!e->flush_size)
		return ORACLE_UNFL_NO_SIZE;
	if (e->flush_size < need)
		return ORACLE_UNFL_SHORT;
	return ORACLE_UNFL__COUNT;
}

static int cmp_flush_ts(const void *a, const void *b)
{
	const struct o_flush *x = a, *y = b;

	return ORACLE_CMP(x->ts, y->ts) ?: ORACLE_CMP(x->pid, y->pid) ?:
	       (int)y->entry - (int)x->entry;	/* entry first */
}

static int cmp_ev_tp(const void *a, const void *b, void *arg)
{
	const struct o_event *ev = arg;
	const struct o_event *x = &ev[*(const uint32_t *)a];
	const struct o_event *y = &ev[*(const uint32_t *)b];

	return ORACLE_CMP(x->tp_ts, y->tp_ts) ?: ORACLE_CMP(x, y);
}

static int cmp_ev_pid_tp(const void *a, const void *b, void *arg)
{
	const struct o_event *ev = arg;
	const struct o_event *x = &ev[*(const uint32_t *)a];
	const struct o_event *y = &ev[*(const uint32_t *)b];

	return ORACLE_CMP(x->pid, y->pid) ?: cmp_ev_tp(a, b, arg);
}

static int cmp_fl_pid_ts(const void *a, const void *b, void *arg)
{
	const struct o_flush *fl = arg;
	const struct o_flush *x = &fl[*(const uint32_t *)a];
	const struct o_flush *y = &fl[*(const uint32_t *)b];

	return ORACLE_CMP(x->pid, y->pid) ?: ORACLE_CMP(x->ts, y->ts) ?:
	       ORACLE_CMP(x, y);
}

/* The sample of writeback event i: why, and its thread's writebacks and
 * flushes around it (wb: its writebacks by (pid, tp_ts), nwb; rt: the
 * flush returns by (pid, ts), nrt; o->fl sorted by ts). */
static void fill_unflushed(const struct oracle *o, uint32_t i,
			   const uint32_t *wb, size_t nwb, const uint32_t *rt,
			   size_t nrt, struct oracle_unflushed *u)
{
	const struct o_event *e = &o->ev[i], *next = NULL;
	size_t lo = 0, hi = nwb, a, b;

	memset(u, 0, sizeof(*u));
	u->ts = e->tp_ts;
	u->pid = e->pid;
	u->pgoff = e->pgoff;
	u->pglen = e->pglen;
	u->why = unflushed(e);
	u->flush_ts = e->paired ? e->ts : 0;
	u->flush_size = e->paired ? e->flush_size : 0;
	u->prev_wb_ts = u->own_after_ts = ORACLE_NONE;
	/* this event among its thread's writebacks */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct o_event *m = &o->ev[wb[mid]];

		if (m->pid < e->pid || (m->pid == e->pid && m->tp_ts < e->tp_ts))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo && o->ev[wb[lo - 1]].pid == e->pid)
		u->prev_wb_ts = o->ev[wb[lo - 1]].tp_ts;
	while (lo < nwb && o->ev[wb[lo]].pid == e->pid &&
	       o->ev[wb[lo]].tp_ts <= e->tp_ts)
		lo++;
	if (lo < nwb && o->ev[wb[lo]].pid == e->pid)
		next = &o->ev[wb[lo]];
	/* its thread's first flush return after it and before its next
	 * writeback, unless that next writeback was paired with it (then it
	 * is the next one's flush, made before it: the usual case) */
	lo = 0;
	hi = nrt;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct o_flush *m = &o->fl[rt[mid]];

		if (m->pid < e->pid || (m->pid == e->pid && m->ts <= e->tp_ts))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < nrt && o->fl[rt[lo]].pid == e->pid &&
	    (!next || (o->fl[rt[lo]].ts < next->tp_ts &&
		       !(next->paired && next->ts == o->fl[rt[lo]].ts))))
		u->own_after_ts = o->fl[rt[lo]].ts;
	if (u->why == ORACLE_UNFL_NONE && u->own_after_ts != ORACLE_NONE)
		u->why = ORACLE_UNFL_AFTER;
	/* the flush records closest in time, any thread */
	lo = 0;
	hi = o->nfl;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (o->fl[mid].ts < e->tp_ts)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (a = b = lo; b - a < ORACLE_NEARBY && (a > 0 || b < o->nfl);) {
		if (a == 0)
			b++;
		else if (b == o->nfl)
			a--;
		else if (e->tp_ts - o->fl[a - 1].ts <= o->fl[b].ts - e->tp_ts)
			a--;
		else
			b++;
	}
	for (size_t k = a; k < b; k++)
		u->nearby[u->nnearby++] = (struct oracle_flush_ref){
			o->fl[k].ts, o->fl[k].pid, o->fl[k].entry, o->fl[k].size };
}

/* Check every kernel writeback event; samples: the first max by time. */
int oracle_check_flush_rule(struct oracle *o, struct oracle_report *r,
			    size_t max)
{
	uint32_t *bad = NULL, *wb = NULL, *rt = NULL;
	size_t nbad = 0, nwb = 0, nrt = 0, m;

	r->flush_rule = o->flush_rule;
	r->flush_records = o->nfl;
	if (!o->flush_rule)
		return 0;
	bad = malloc((o->nev + 1) * sizeof(*bad));
	wb = malloc((o->nev + 1) * sizeof(*wb));
	rt = malloc((o->nfl + 1) * sizeof(*rt));
	if (!bad || !wb || !rt)
		goto nomem;
	for (size_t i = 0; i < o->nev; i++) {
		if (o->ev[i].synthetic)
			continue;
		wb[nwb++] = (uint32_t)i;
		r->flush_checked++;
		if (unflushed(&o->ev[i]) != ORACLE_UNFL__COUNT)
			bad[nbad++] = (uint32_t)i;
	}
	r->by_class[ORACLE_UNFLUSHED] = nbad;
	m = nbad < max ? nbad : max;
	if (m) {
		r->unfl = calloc(m, sizeof(*r->unfl));
		if (!r->unfl)
			goto nomem;
		qsort(o->fl, o->nfl, sizeof(*o->fl), cmp_flush_ts);
		for (size_t i = 0; i < o->nfl; i++)
			if (!o->fl[i].entry)
				rt[nrt++] = (uint32_t)i;
		qsort_r(rt, nrt, sizeof(*rt), cmp_fl_pid_ts, o->fl);
		qsort_r(wb, nwb, sizeof(*wb), cmp_ev_pid_tp, o->ev);
		qsort_r(bad, nbad, sizeof(*bad), cmp_ev_tp, o->ev);
		for (size_t k = 0; k < m; k++)
			fill_unflushed(o, bad[k], wb, nwb, rt, nrt,
				       &r->unfl[r->nunfl++]);
		r->first[ORACLE_UNFLUSHED] = 0;
	}
	free(bad);
	free(wb);
	free(rt);
	return 0;
nomem:
	free(bad);
	free(wb);
	free(rt);
	return -1;
}
