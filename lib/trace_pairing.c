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
	bool used, has_wb, has_entry;
	uint64_t pending;	/* ts of the flush not yet paired, 0: none */
	uint64_t pending_size;	/* its size (from its entry), 0: unknown */
	uint64_t entry_ts;	/* the flush entered, not returned yet */
	uint64_t entry_size;
	uint64_t last_wb;	/* ts of the thread's last writeback_one */
};

struct flush_pairing {
	struct fp_ent *tab;	/* open addressing, cap a power of two */
	size_t cap, n;
	struct flush_pairing_stats st;
};

struct flush_pairing *flush_pairing_new(void)
{
	struct flush_pairing *fp = calloc(1, sizeof(*fp));

	if (!fp)
		return NULL;
	fp->cap = 64;
	fp->tab = calloc(fp->cap, sizeof(*fp->tab));
	if (!fp->tab) {
		free(fp);
		return NULL;
	}
	return fp;
}

void flush_pairing_free(struct flush_pairing *fp)
{
	if (!fp)
		return;
	free(fp->tab);
	free(fp);
}

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
static struct fp_ent *fp_get(struct flush_pairing *fp, int32_t pid)
{
	struct fp_ent *e = fp_slot(fp->tab, fp->cap, pid);

	if (e->used)
		return e;
	if (2 * (fp->n + 1) > fp->cap) {
		size_t cap = fp->cap * 2;
		struct fp_ent *tab = calloc(cap, sizeof(*tab));

		if (!tab)
			return NULL;
		for (size_t i = 0; i < fp->cap; i++)
			if (fp->tab[i].used)
				*fp_slot(tab, cap, fp->tab[i].pid) = fp->tab[i];
		free(fp->tab);
		fp->tab = tab;
		fp->cap = cap;
		e = fp_slot(tab, cap, pid);
	}
	memset(e, 0, sizeof(*e));
	e->used = true;
	e->pid = pid;
	fp->n++;
	return e;
}

int flush_pairing_feed(struct flush_pairing *fp, struct trace_rec *v, size_t n)
{
	int rc = 0;

	for (size_t i = 0; i < n; i++) {
		struct trace_rec *r = &v[i];
		struct fp_ent *e;

		if (r->ev != EV_FLUSH_RET && r->ev != EV_WRITEBACK_ONE &&
		    r->ev != EV_FLUSH_ENTRY)
			continue;
		if (r->ev == EV_WRITEBACK_ONE)
			r->flush_ts = r->flush_size = 0;
		e = rc ? NULL : fp_get(fp, r->pid);
		if (!e) {
			if (!rc)
				errno = ENOMEM;
			rc = -1;
			if (r->ev == EV_WRITEBACK_ONE)
				fp->st.unpaired++;
			else if (r->ev == EV_FLUSH_RET)
				fp->st.flushes++;
			else
				fp->st.entries++;
			continue;
		}
		if (r->ev == EV_FLUSH_ENTRY) {
			fp->st.entries++;
			if (e->has_wb && r->ts < e->last_wb) {
				fp->st.entries_unused++;	/* drained late */
				continue;
			}
			if (e->has_entry) {	/* its return never came */
				fp->st.entries_unused++;
				if (r->ts < e->entry_ts)
					continue;
			}
			e->has_entry = true;
			e->entry_ts = r->ts;
			e->entry_size = r->flush_size;
			continue;
		}
		if (r->ev == EV_FLUSH_RET) {
			uint64_t size = 0;

			fp->st.flushes++;
			if (e->has_wb && r->ts < e->last_wb) {
				/* before the thread's last writeback: drained
				 * late; not this thread's next flush */
				fp->st.flushes_unused++;
				continue;
			}
			if (e->has_entry && e->entry_ts <= r->ts) {
				size = e->entry_size;
				e->has_entry = false;
			} else {
				fp->st.flushes_no_entry++;
			}
			if (e->pending) {	/* a flush never followed by
						 * its writeback record */
				fp->st.flushes_unused++;
				if (r->ts < e->pending)
					continue;
			}
			e->pending = r->ts;
			e->pending_size = size;
			continue;
		}
		if (e->has_wb && r->ts < e->last_wb) {
			fp->st.unpaired++;	/* drained late: leave it */
			continue;
		}
		if (e->pending && e->pending <= r->ts) {
			r->flush_ts = e->pending;
			r->flush_size = e->pending_size;
			e->pending = 0;
			fp->st.paired++;
		} else {
			fp->st.unpaired++;
		}
		e->has_wb = true;
		e->last_wb = r->ts;
	}
	return rc;
}

void flush_pairing_stats(const struct flush_pairing *fp,
			 struct flush_pairing_stats *st)
{
	if (fp)
		*st = fp->st;
	else
		memset(st, 0, sizeof(*st));
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
	struct flush_pairing *fp;
	struct trace_rec *tmp;
	int rc;

	if (st)
		memset(st, 0, sizeof(*st));
	if (!tv || !tv->n)
		return 0;
	fp = flush_pairing_new();
	tmp = malloc((tv->n / 2 + 1) * sizeof(*tmp));
	if (!fp || !tmp) {
		flush_pairing_free(fp);
		free(tmp);
		errno = ENOMEM;
		return -1;
	}
	sort_by_ts(tv->v, tmp, tv->n);
	free(tmp);
	rc = flush_pairing_feed(fp, tv->v, tv->n);
	if (st)
		flush_pairing_stats(fp, st);
	flush_pairing_free(fp);
	return rc;
}
