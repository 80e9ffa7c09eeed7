// SPDX-License-Identifier: GPL-2.0
/*
 * Flush oracle (see include/oracle.h for the rule): its names, and what is
 * fed to it, kept as given until oracle_check() (oracle_check.c) indexes
 * it.  lib/oracle_priv.h lists the other files and what they share.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include "oracle_priv.h"

static const char *const kind_names[ORACLE_SYNC__COUNT] = {
	[ORACLE_FSYNC] = "fsync",
	[ORACLE_FDATASYNC] = "fdatasync",
	[ORACLE_MSYNC] = "msync",
	[ORACLE_SYNC_FILE_RANGE] = "sync_file_range",
	[ORACLE_SYNCFS] = "syncfs",
	[ORACLE_SYNC_OTHER] = "other",
};

const char *oracle_sync_kind_name(enum oracle_sync_kind k)
{
	return (unsigned)k < ORACLE_SYNC__COUNT ? kind_names[k] : "?";
}

static const char *const class_names[ORACLE_CLASS__COUNT] = {
	[ORACLE_LATE] = "late",
	[ORACLE_MISSED] = "missed",
	[ORACLE_UNFLUSHED] = "unflushed",
};

const char *oracle_class_name(enum oracle_class c)
{
	return (unsigned)c < ORACLE_CLASS__COUNT ? class_names[c] : "?";
}

static const char *const unfl_names[ORACLE_UNFL__COUNT] = {
	[ORACLE_UNFL_NONE] = "no flush",
	[ORACLE_UNFL_AFTER] = "flush returned after the event",
	[ORACLE_UNFL_SHORT] = "flush of a shorter range",
	[ORACLE_UNFL_NO_SIZE] = "flush size unknown",
};

const char *oracle_unflushed_why_name(enum oracle_unflushed_why w)
{
	return (unsigned)w < ORACLE_UNFL__COUNT ? unfl_names[w] : "?";
}

struct oracle *oracle_new(uint64_t npages)
{
	struct oracle *o = calloc(1, sizeof(*o));

	if (!o)
		return NULL;
	o->npages = npages;
	o->t0 = ORACLE_NONE;
	return o;
}

void oracle_free(struct oracle *o)
{
	if (!o)
		return;
	free(o->st);
	free(o->ev);
	free(o->sy);
	free(o->fl);
	free(o);
}

void oracle_set_strategy(struct oracle *o, enum oracle_strategy s)
{
	o->strategy = s;
}

void oracle_set_flush_rule(struct oracle *o, bool on)
{
	o->flush_rule = on;
}

int oracle_grow(void **p, size_t *cap, size_t n, size_t sz)
{
	size_t nc;
	void *q;

	if (n < *cap)
		return 0;
	if (n >= UINT32_MAX - 1) {
		errno = EOVERFLOW;
		return -1;
	}
	nc = *cap ? *cap * 2 : 1024;
	q = realloc(*p, nc * sz);
	if (!q) {
		errno = ENOMEM;
		return -1;
	}
	*p = q;
	*cap = nc;
	return 0;
}

static void see_time(struct oracle *o, uint64_t t)
{
	if (t < o->t0)
		o->t0 = t;
}

int oracle_add_store(struct oracle *o, uint64_t pgoff, uint64_t t_before,
		     uint64_t t_after)
{
	if (t_before > t_after) {
		errno = EINVAL;
		return -1;
	}
	if (pgoff >= o->npages) {
		errno = ERANGE;
		return -1;
	}
	if (oracle_grow((void **)&o->st, &o->capst, o->nst, sizeof(*o->st)))
		return -1;
	o->st[o->nst++] = (struct o_store){ pgoff, t_before, t_after };
	see_time(o, t_before);
	return 0;
}

int oracle_add_sync(struct oracle *o, uint64_t t_start, uint64_t t_end,
		    int32_t tid, enum oracle_sync_kind kind, uint64_t first,
		    uint64_t npages)
{
	struct o_sync *s;
	uint64_t hi;

	if (t_start > t_end) {
		errno = EINVAL;
		return -1;
	}
	if (oracle_grow((void **)&o->sy, &o->capsy, o->nsy, sizeof(*o->sy)))
		return -1;
	if (npages == 0 || first + npages < first || first + npages > o->npages)
		hi = o->npages;
	else
		hi = first + npages;
	s = &o->sy[o->nsy];
	*s = (struct o_sync){
		.ts = t_start, .te = t_end, .first = first, .npages = npages,
		.lo = first, .hi = hi, .tid = tid, .kind = kind,
		.idx = (uint32_t)o->nsy,
	};
	if (s->lo >= s->hi)
		s->lo = s->hi = 0;	/* covers nothing */
	o->nsy++;
	see_time(o, t_start);
	return 0;
}

static int add_event(struct oracle *o, const struct trace_rec *r,
		     bool synthetic)
{
	if (r->ev == EV_FLUSH_ENTRY || r->ev == EV_FLUSH_RET) {
		if (synthetic)
			return 0;
		if (oracle_grow((void **)&o->fl, &o->capfl, o->nfl, sizeof(*o->fl)))
			return -1;
		o->fl[o->nfl++] = (struct o_flush){
			.ts = r->ts, .pid = r->pid,
			.entry = r->ev == EV_FLUSH_ENTRY,
			.size = r->ev == EV_FLUSH_ENTRY ? r->flush_size : 0,
		};
		return 0;
	}
	if (r->ev != EV_WRITEBACK_ONE || r->pglen == 0) {
		o->ev_ignored++;
		return 0;
	}
	if (oracle_grow((void **)&o->ev, &o->capev, o->nev, sizeof(*o->ev)))
		return -1;
	o->ev[o->nev++] = (struct o_event){
		.ts = trace_rec_flush_time(r), .pgoff = r->pgoff,
		.pglen = r->pglen, .tp_ts = r->ts,
		.flush_size = r->flush_ts ? r->flush_size : 0, .pid = r->pid,
		.paired = r->flush_ts != 0, .synthetic = synthetic,
	};
	see_time(o, trace_rec_flush_time(r));
	return 1;
}

int oracle_add_event(struct oracle *o, const struct trace_rec *r)
{
	return add_event(o, r, false);
}

static long add_events(struct oracle *o, const struct trace_rec *v, size_t n,
		       bool synthetic)
{
	long kept = 0;

	for (size_t i = 0; i < n; i++) {
		int k = add_event(o, &v[i], synthetic);

		if (k < 0)
			return -1;
		kept += k;
	}
	return kept;
}

long oracle_add_events(struct oracle *o, const struct trace_rec *v, size_t n)
{
	return add_events(o, v, n, false);
}

long oracle_add_synthetic_events(struct oracle *o, const struct trace_rec *v,
				 size_t n)
{
	return add_events(o, v, n, true);
}
