// SPDX-License-Identifier: GPL-2.0
/*
 * Writebacks paired with their dax_flush (see trace.h).
 *
 * Flush records: with the probes, EV_FLUSH_RET (pid and time) and
 * EV_FLUSH_ENTRY (pid, time and size) records pass the file filter and are
 * returned like the others; the consumer
 * pairs them with the writebacks (dax_trace_pair_flushes()) once it holds
 * every record of a run.  Not drain by drain: the per-cpu buffers are read
 * one after the other, so a later drain can bring records of a cpu older
 * than records of another cpu already returned (a thread that moved from
 * one cpu to the other in between: 35 ms apart seen under TCG), and a
 * writeback would then be paired before its flush record arrived.
 *
 * The pairing is one pass over the records sorted by ts, keeping for each
 * thread (an open-addressing table by pid) the flush entered and not
 * returned yet, and the latest flush returned since its last writeback.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "trace_priv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct fp_ent {
	int32_t pid;
	bool used, has_entry;
	uint64_t pending;	/* ts of the latest flush returned since the
				 * thread's last writeback_one, 0: none */
	uint64_t pending_size;	/* its size (from its entry), 0: unknown */
	uint64_t entry_size;	/* of the flush entered, not returned yet */
};

/* The threads of the pass. */
struct fp_map {
	struct fp_ent *tab;	/* open addressing, cap a power of two (0
				 * before the first thread) */
	size_t cap, n;
};

static size_t fp_hash(int32_t pid, size_t cap)
{
	return (size_t)(((uint32_t)pid * 0x9e3779b1u) >> 7) & (cap - 1);
}

static struct fp_ent *fp_slot(struct fp_ent *tab, size_t cap, int32_t pid)
{
	size_t i = fp_hash(pid, cap);

	while (tab[i].used && tab[i].pid != pid)
		i = (i + 1) & (cap - 1);
	return &tab[i];
}

/* The entry of pid, made if new; NULL when out of memory. */
static struct fp_ent *fp_get(struct fp_map *fp, int32_t pid)
{
	struct fp_ent *e;

	if (fp->cap) {
		e = fp_slot(fp->tab, fp->cap, pid);
		if (e->used)
			return e;
	}
	if (2 * (fp->n + 1) > fp->cap) {
		size_t cap = fp->cap ? fp->cap * 2 : 64;
		struct fp_ent *tab = calloc(cap, sizeof(*tab));

		if (!tab)
			return NULL;
		for (size_t i = 0; i < fp->cap; i++)
			if (fp->tab[i].used)
				*fp_slot(tab, cap, fp->tab[i].pid) = fp->tab[i];
		free(fp->tab);
		fp->tab = tab;
		fp->cap = cap;
	}
	e = fp_slot(fp->tab, fp->cap, pid);
	memset(e, 0, sizeof(*e));
	e->used = true;
	e->pid = pid;
	fp->n++;
	return e;
}

int flush_pair_records(struct trace_rec *v, size_t n,
		       struct flush_pairing_stats *st)
{
	struct flush_pairing_stats s = { 0 };
	struct fp_map fp = { 0 };
	int rc = 0;

	for (size_t i = 0; i < n; i++) {
		struct trace_rec *r = &v[i];
		struct fp_ent *e;

		if (r->ev != EV_FLUSH_RET && r->ev != EV_WRITEBACK_ONE &&
		    r->ev != EV_FLUSH_ENTRY)
			continue;
		if (r->ev == EV_WRITEBACK_ONE)
			r->flush_ts = r->flush_size = 0;
		e = rc ? NULL : fp_get(&fp, r->pid);
		if (!e && !rc) {
			errno = ENOMEM;
			rc = -1;	/* this record and the rest: counted */
		}
		if (r->ev == EV_FLUSH_ENTRY) {
			s.entries++;
			if (!e)
				continue;
			if (e->has_entry)	/* its return never came */
				s.entries_unused++;
			e->has_entry = true;
			e->entry_size = r->flush_size;
		} else if (r->ev == EV_FLUSH_RET) {
			s.flushes++;
			if (!e)
				continue;
			if (!e->has_entry)
				s.flushes_no_entry++;
			if (e->pending)		/* a flush never followed by
						 * its writeback record */
				s.flushes_unused++;
			e->pending = r->ts;
			e->pending_size = e->has_entry ? e->entry_size : 0;
			e->has_entry = false;
		} else if (e && e->pending) {
			r->flush_ts = e->pending;
			r->flush_size = e->pending_size;
			e->pending = 0;
			s.paired++;
		} else {
			s.unpaired++;
		}
	}
	free(fp.tab);
	if (st)
		*st = s;
	return rc;
}

/* Stable merge sort of v[0..n) by ts (tmp: n records). */
static void sort_by_ts(struct trace_rec *v, struct trace_rec *tmp, size_t n)
{
	size_t h = n / 2, i, j, k;

	if (n < 2)
		return;
	sort_by_ts(v, tmp, h);
	sort_by_ts(v + h, tmp, n - h);
	if (v[h - 1].ts <= v[h].ts)
		return;		/* already in order: the usual case */
	memcpy(tmp, v, h * sizeof(*v));
	for (i = 0, j = h, k = 0; i < h && j < n; k++)
		v[k] = v[j].ts < tmp[i].ts ? v[j++] : tmp[i++];
	while (i < h)
		v[k++] = tmp[i++];
}

int dax_trace_pair_flushes(struct trace_vec *tv, struct flush_pairing_stats *st)
{
	struct trace_rec *tmp;

	if (st)
		memset(st, 0, sizeof(*st));
	if (!tv || !tv->n)
		return 0;
	tmp = malloc((tv->n / 2 + 1) * sizeof(*tmp));
	if (!tmp) {
		errno = ENOMEM;
		return -1;
	}
	sort_by_ts(tv->v, tmp, tv->n);
	free(tmp);
	return flush_pair_records(tv->v, tv->n, st);
}
