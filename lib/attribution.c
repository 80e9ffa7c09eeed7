// SPDX-License-Identifier: GPL-2.0
/* Flush records to sync calls, fault pairs, dirty-set replay (see
 * attribution.h). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "attribution.h"
#include "json_build.h"

#define PAGE_BYTES 4096ull
#define PMD_PAGES 512ull

struct attr_index {
	struct attr_call *calls;
	size_t n;
	size_t *ord;		/* call indices sorted by (pid, t_start, index) */
	size_t hint;		/* position of the last answer */
};

static const struct attr_call *sort_calls;

static int cmp_call(const void *a, const void *b)
{
	const struct attr_call *x = &sort_calls[*(const size_t *)a];
	const struct attr_call *y = &sort_calls[*(const size_t *)b];

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	if (x->t_start != y->t_start)
		return x->t_start < y->t_start ? -1 : 1;
	return *(const size_t *)a < *(const size_t *)b ? -1 : 1;
}

struct attr_index *attr_index_new(struct attr_call *calls, size_t n)
{
	struct attr_index *ix = calloc(1, sizeof(*ix));

	if (!ix)
		return NULL;
	ix->calls = calls;
	ix->n = n;
	ix->ord = malloc((n ? n : 1) * sizeof(*ix->ord));
	if (!ix->ord) {
		free(ix);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		ix->ord[i] = i;
	/* qsort has no context argument in C11: a static is enough, the
	 * index is built once per run, from one thread */
	sort_calls = calls;
	qsort(ix->ord, n, sizeof(*ix->ord), cmp_call);
	sort_calls = NULL;
	return ix;
}

void attr_index_free(struct attr_index *ix)
{
	if (!ix)
		return;
	free(ix->ord);
	free(ix);
}

/* Is call k of the sorted order at or before (pid, ts)? */
static inline bool key_le(const struct attr_index *ix, size_t k, int32_t pid, uint64_t ts)
{
	const struct attr_call *c = &ix->calls[ix->ord[k]];

	return c->pid < pid || (c->pid == pid && c->t_start <= ts);
}

/* The number of calls at or before (pid, ts) in the sorted order. */
static size_t upper(const struct attr_index *ix, int32_t pid, uint64_t ts)
{
	size_t lo = 0, hi = ix->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (key_le(ix, mid, pid, ts))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static long answer(const struct attr_index *ix, size_t lo, int32_t pid, uint64_t ts)
{
	const struct attr_call *c;

	if (lo == 0)
		return -1;
	c = &ix->calls[ix->ord[lo - 1]];
	/* a window with t_start > t_end never holds anything */
	if (c->pid != pid || ts > c->t_end)
		return -1;
	return (long)ix->ord[lo - 1];
}

long attr_find(const struct attr_index *ix, int32_t pid, uint64_t ts)
{
	return answer(ix, upper(ix, pid, ts), pid, ts);
}

/* As attr_find, trying the previous answer's position and the next one
 * first: records come in timestamp order, mostly from one thread at a
 * time, so this is usually O(1). */
static long find_hinted(struct attr_index *ix, int32_t pid, uint64_t ts)
{
	for (size_t lo = ix->hint; lo <= ix->hint + 1 && lo <= ix->n; lo++)
		if ((lo == 0 || key_le(ix, lo - 1, pid, ts)) &&
		    (lo == ix->n || !key_le(ix, lo, pid, ts))) {
			ix->hint = lo;
			return answer(ix, lo, pid, ts);
		}
	ix->hint = upper(ix, pid, ts);
	return answer(ix, ix->hint, pid, ts);
}

static void unattributed(struct attr_result *res, int32_t pid, uint64_t pages)
{
	unsigned i;

	res->unattributed_entries++;
	res->unattributed_pages += pages;
	for (i = 0; i < res->npids; i++)
		if (res->pids[i].pid == pid)
			break;
	if (i == res->npids) {
		if (res->npids == ATTR_PIDS) {
			res->other_entries++;
			res->other_pages += pages;
			return;
		}
		res->pids[res->npids++] = (struct attr_pid){ .pid = pid };
	}
	res->pids[i].entries++;
	res->pids[i].pages += pages;
}

void attr_flushes(struct attr_index *ix, const struct trace_rec *v, size_t n,
		  uint16_t ev, struct attr_result *res)
{
	for (size_t i = 0; i < n; i++) {
		const struct trace_rec *r = &v[i];
		long c;

		if (r->ev != ev)
			continue;
		res->total_entries++;
		res->total_pages += r->pglen;
		c = find_hinted(ix, r->pid, r->ts);
		if (c < 0) {
			unattributed(res, r->pid, r->pglen);
			continue;
		}
		ix->calls[c].entries++;
		ix->calls[c].pages += r->pglen;
		res->attributed_entries++;
		res->attributed_pages += r->pglen;
	}
}

bool attr_exact(const struct attr_call *calls, size_t n,
		const struct attr_result *res)
{
	uint64_t e = 0, p = 0, ue = res->other_entries, up = res->other_pages;

	for (size_t i = 0; i < n; i++) {
		e += calls[i].entries;
		p += calls[i].pages;
	}
	for (unsigned i = 0; i < res->npids; i++) {
		ue += res->pids[i].entries;
		up += res->pids[i].pages;
	}
	return e == res->attributed_entries && p == res->attributed_pages &&
	       ue == res->unattributed_entries && up == res->unattributed_pages &&
	       e + ue == res->total_entries && p + up == res->total_pages;
}

json_object *attr_result_json(const struct attr_result *res, const char *ev,
			      bool exact, const char *(*role)(int32_t pid, void *arg),
			      void *arg)
{
	json_object *o = json_object_new_object(), *a = json_object_new_array();
	int err = 0;

	err |= jadd_str(o, "event", ev);
	err |= jadd_u64(o, "total_entries", res->total_entries);
	err |= jadd_u64(o, "total_bytes", res->total_pages * PAGE_BYTES);
	err |= jadd_u64(o, "calls_entries", res->attributed_entries);
	err |= jadd_u64(o, "calls_bytes", res->attributed_pages * PAGE_BYTES);
	err |= jadd_u64(o, "unattributed_entries", res->unattributed_entries);
	err |= jadd_u64(o, "unattributed_bytes",
			res->unattributed_pages * PAGE_BYTES);
	for (unsigned i = 0; i < res->npids; i++) {
		json_object *x = json_object_new_object();
		const char *r = role ? role(res->pids[i].pid, arg) : NULL;

		err |= jadd_int(x, "pid", res->pids[i].pid);
		err |= jadd_str(x, "role", r ? r : "other");
		err |= jadd_u64(x, "entries", res->pids[i].entries);
		err |= jadd_u64(x, "bytes", res->pids[i].pages * PAGE_BYTES);
		err |= jpush(a, x);
	}
	if (res->other_entries) {
		json_object *x = json_object_new_object();

		err |= jadd_null(x, "pid");
		err |= jadd_str(x, "role", "more pids");
		err |= jadd_u64(x, "entries", res->other_entries);
		err |= jadd_u64(x, "bytes", res->other_pages * PAGE_BYTES);
		err |= jpush(a, x);
	}
	err |= jadd(o, "unattributed_by_pid", a);
	err |= jadd_bool(o, "exact", exact);
	return jdone(o, err);
}

/* ------------------------------------------------------------------ */
/* fault pairs                                                          */

void attr_faults_init(struct attr_faults *f)
{
	memset(f, 0, sizeof(*f));
	hist_init(&f->pte);
	hist_init(&f->pmd);
	hist_init(&f->pmd_fallback);
}

void attr_faults_free(struct attr_faults *f)
{
	free(f->open);
	f->open = NULL;
	f->nopen = f->cap = 0;
}

static bool pid_wanted(int32_t pid, const int32_t *pids, size_t npids)
{
	if (!pids)
		return true;
	for (size_t i = 0; i < npids; i++)
		if (pids[i] == pid)
			return true;
	return false;
}

int attr_faults_add(struct attr_faults *f, const struct trace_rec *v,
		    size_t n, const int32_t *pids, size_t npids)
{
	for (size_t k = 0; k < n; k++) {
		const struct trace_rec *r = &v[k];
		uint16_t start;
		size_t i;

		if (r->ev == EV_PTE_FAULT || r->ev == EV_PMD_FAULT) {
			if (!(r->flags & ATTR_FAULT_FLAG_WRITE) ||
			    !pid_wanted(r->pid, pids, npids))
				continue;
			for (i = 0; i < f->nopen && f->open[i].pid != r->pid; i++)
				;
			if (i == f->nopen) {
				if (f->nopen == f->cap) {
					size_t cap = f->cap ? 2 * f->cap : 16;
					void *p = realloc(f->open, cap * sizeof(*f->open));

					if (!p)
						return -1;
					f->open = p;
					f->cap = cap;
				}
				f->nopen++;
			} else {
				f->unpaired++;	/* a start never done */
			}
			f->open[i].pid = r->pid;
			f->open[i].ev = r->ev;
			f->open[i].ts = r->ts;
			continue;
		}
		if (r->ev != EV_PTE_FAULT_DONE && r->ev != EV_PMD_FAULT_DONE)
			continue;
		if (!(r->flags & ATTR_FAULT_FLAG_WRITE) ||
		    !pid_wanted(r->pid, pids, npids))
			continue;
		start = r->ev == EV_PTE_FAULT_DONE ? EV_PTE_FAULT : EV_PMD_FAULT;
		for (i = 0; i < f->nopen && f->open[i].pid != r->pid; i++)
			;
		if (i == f->nopen || f->open[i].ev != start || r->ts < f->open[i].ts) {
			f->unpaired++;
			if (i < f->nopen)
				f->open[i] = f->open[--f->nopen];
			continue;
		}
		if (r->ev == EV_PTE_FAULT_DONE)
			hist_record(&f->pte, r->ts - f->open[i].ts);
		else if (r->result & DAX_VM_FAULT_FALLBACK)
			hist_record(&f->pmd_fallback, r->ts - f->open[i].ts);
		else
			hist_record(&f->pmd, r->ts - f->open[i].ts);
		f->open[i] = f->open[--f->nopen];
	}
	return 0;
}

json_object *attr_faults_json(const struct attr_faults *f)
{
	json_object *o = json_object_new_object();
	int err = 0;

	/* null: no sample */
	err |= jadd_nullable(o, "pte", hist_to_json(&f->pte, "ns"));
	err |= jadd_nullable(o, "pmd", hist_to_json(&f->pmd, "ns"));
	err |= jadd_nullable(o, "pmd_fallback", hist_to_json(&f->pmd_fallback, "ns"));
	err |= jadd_u64(o, "unpaired", f->unpaired);
	err |= jadd_str(o, "source", "kernel service time: fs_dax fault to "
			"fault_done of the same thread, write faults");
	return jdone(o, err);
}

/* ------------------------------------------------------------------ */
/* dirty-set replay                                                     */

int attr_dirty_init(struct attr_dirty *d, uint64_t npages)
{
	memset(d, 0, sizeof(*d));
	d->npages = npages;
	d->bits = calloc((npages + 63) / 64 + 1, sizeof(uint64_t));
	d->wb_ts = calloc(npages + 1, sizeof(uint64_t));
	if (!d->bits || !d->wb_ts) {
		attr_dirty_free(d);
		return -1;
	}
	return 0;
}

void attr_dirty_free(struct attr_dirty *d)
{
	free(d->bits);
	free(d->wb_ts);
	free(d->open);
	memset(d, 0, sizeof(*d));
}

static inline void set_page(struct attr_dirty *d, uint64_t p, bool on)
{
	uint64_t m = 1ull << (p % 64), *w = &d->bits[p / 64];

	if (on && !(*w & m)) {
		*w |= m;
		d->dirty++;
	} else if (!on && (*w & m)) {
		*w &= ~m;
		d->dirty--;
	}
}

/* Mark [first, first + len) dirty, except pages written back at or after
 * since (the fault's start). */
static void mark(struct attr_dirty *d, uint64_t first, uint64_t len, uint64_t since)
{
	for (uint64_t p = first; p < first + len && p < d->npages; p++)
		if (!d->wb_ts[p] || d->wb_ts[p] < since)
			set_page(d, p, true);
	if (d->dirty > d->max_dirty)
		d->max_dirty = d->dirty;
}

static size_t open_of(struct attr_dirty *d, int32_t pid, bool create)
{
	size_t i;

	for (i = 0; i < d->nopen && d->open[i].pid != pid; i++)
		;
	if (i < d->nopen || !create)
		return i;
	{
		void *p = realloc(d->open, (d->nopen + 1) * sizeof(*d->open));

		if (!p)
			return SIZE_MAX;
		d->open = p;
	}
	memset(&d->open[i], 0, sizeof(d->open[i]));
	d->open[i].pid = pid;
	d->nopen++;
	return i;
}

int attr_dirty_add(struct attr_dirty *d, const struct trace_rec *r)
{
	bool pmd = r->ev == EV_PMD_FAULT_DONE || r->ev == EV_PMD_FAULT;
	uint64_t first, len, since;
	size_t i;

	switch (r->ev) {
	case EV_PTE_FAULT:
	case EV_PMD_FAULT:
		if (!(r->flags & ATTR_FAULT_FLAG_WRITE))
			return 0;
		i = open_of(d, r->pid, true);
		if (i == SIZE_MAX)
			return -1;
		d->open[i].start_ts = r->ts;
		return 0;
	case EV_PTE_FAULT_DONE:
	case EV_PMD_FAULT_DONE:
		if (!(r->flags & ATTR_FAULT_FLAG_WRITE))
			return 0;
		first = pmd ? r->pgoff & ~(PMD_PAGES - 1) : r->pgoff;
		len = pmd ? PMD_PAGES : 1;
		i = open_of(d, r->pid, true);
		if (i == SIZE_MAX)
			return -1;
		since = d->open[i].start_ts ? d->open[i].start_ts : r->ts;
		d->open[i].start_ts = 0;
		if (r->result & (DAX_VM_FAULT_FALLBACK | DAX_VM_FAULT_SIGBUS))
			return 0;
		if (r->result & DAX_VM_FAULT_NEEDDSYNC) {
			/* dirty once dax_insert_pfn_mkwrite follows */
			d->open[i].sync_pending = true;
			d->open[i].pgoff = first;
			d->open[i].len = len;
			return 0;
		}
		if (r->result & DAX_VM_FAULT_NOPAGE)
			mark(d, first, len, since);
		return 0;
	case EV_INSERT_PFN_MKWRITE:
		i = open_of(d, r->pid, false);
		if (i < d->nopen && d->open[i].sync_pending) {
			d->open[i].sync_pending = false;
			mark(d, d->open[i].pgoff, d->open[i].len, r->ts);
		} else {
			mark(d, r->pgoff, 1, r->ts);
		}
		return 0;
	case EV_WRITEBACK_ONE:
		for (uint64_t p = r->pgoff; p < r->pgoff + r->pglen && p < d->npages; p++) {
			set_page(d, p, false);
			d->wb_ts[p] = r->ts;
		}
		return 0;
	default:
		return 0;
	}
}
