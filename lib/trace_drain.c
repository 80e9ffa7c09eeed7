// SPDX-License-Identifier: GPL-2.0
/*
 * Reading the private instance (see trace.h): every per-cpu trace_pipe_raw
 * of the instance is opened once, at open (O_NONBLOCK|O_CLOEXEC,
 * trace_instance.c), and wrapped with tracefs_cpu_alloc_fd().
 * tracefs_cpu_read() returns one sub-buffer per call, full or partial (the
 * kernel copies out the events of the page the writer is still on), and 0
 * once the cpu buffer is empty, so a drain consumes exactly what was
 * committed: nothing is read twice and a partially filled last page is not
 * left behind.  Each sub-buffer is walked with kbuffer, records are decoded
 * with field handles looked up once at open (trace_decode.c), filtered, and
 * the per-cpu streams are merged by timestamp.  Also: trace_vec, lost
 * events, markers.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "trace_priv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ------------------------------------------------------------------ */
/* trace_vec, lost events                                               */

static int vec_reserve(struct trace_vec *tv, size_t extra)
{
	size_t need = tv->n + extra, cap;
	struct trace_rec *v;

	if (need <= tv->cap)
		return 0;
	cap = tv->cap ? tv->cap : 1024;
	while (cap < need)
		cap *= 2;
	v = realloc(tv->v, cap * sizeof(*v));
	if (!v)
		return -1;
	tv->v = v;
	tv->cap = cap;
	return 0;
}

int trace_vec_push(struct trace_vec *tv, const struct trace_rec *r)
{
	if (tv->n == tv->cap && vec_reserve(tv, 1) < 0)
		return -1;
	tv->v[tv->n++] = *r;
	return 0;
}

void trace_vec_free(struct trace_vec *tv)
{
	if (!tv)
		return;
	free(tv->v);
	tv->v = NULL;
	tv->n = tv->cap = 0;
}

/* Sum of overrun + commit overrun + dropped events over the cpus. */
uint64_t trace_read_lost(const struct dax_trace *t)
{
	uint64_t sum = 0;
	char path[PATH_MAX + 64], buf[1024];

	for (int c = 0; c < t->ncpu; c++) {
		FILE *f;

		snprintf(path, sizeof(path), "%s/per_cpu/cpu%d/stats", t->path,
			 t->cpus[c].cpu);
		f = fopen(path, "re");
		if (!f)
			continue;
		while (fgets(buf, sizeof(buf), f)) {
			unsigned long long v;

			if (sscanf(buf, "overrun: %llu", &v) == 1 ||
			    sscanf(buf, "commit overrun: %llu", &v) == 1 ||
			    sscanf(buf, "dropped events: %llu", &v) == 1)
				sum += v;
		}
		fclose(f);
	}
	return sum;
}

uint64_t dax_trace_lost(struct dax_trace *t)
{
	uint64_t now;

	if (!t)
		return 0;
	now = trace_read_lost(t);
	return now > t->lost0 ? now - t->lost0 : 0;
}

/* ------------------------------------------------------------------ */
/* drain                                                                */

/* Read and decode everything buffered on one cpu into cr->tmp. */
static int drain_cpu(struct dax_trace *t, struct cpu_rd *cr)
{
	cr->tmp.n = 0;
	cr->pos = 0;
	for (unsigned reads = 0; reads < t->max_reads; reads++) {
		unsigned long long ts;
		void *data;
		int r;

		if (cr->fd < 0)
			return -1;
		r = tracefs_cpu_read(cr->tcpu, t->page, true);
		if (r < 0) {
			if (errno == EAGAIN || errno == EINTR)
				break;
			return -1;
		}
		if (r == 0)
			break;	/* empty (EAGAIN) or nothing committed */
		if (kbuffer_load_subbuffer(t->kbuf, t->page) < 0)
			return -1;
		if (kbuffer_subbuffer_size(t->kbuf) + kbuffer_start_of_data(t->kbuf) > r) {
			errno = EIO;
			return -1;
		}
		for (data = kbuffer_read_event(t->kbuf, &ts); data;
		     data = kbuffer_next_event(t->kbuf, &ts)) {
			unsigned size = (unsigned)kbuffer_event_size(t->kbuf);

			if (cr->tmp.n == cr->tmp.cap && vec_reserve(&cr->tmp, 1) < 0)
				return -1;
			if (trace_decode(t, data, size, ts, cr->cpu, &cr->tmp.v[cr->tmp.n]))
				cr->tmp.n++;
		}
	}
	return 0;
}

/* Stable insertion sort of v[from..n): linear when already sorted. */
static void fix_order(struct trace_rec *v, size_t from, size_t n)
{
	for (size_t i = from + 1; i < n; i++) {
		struct trace_rec x;
		size_t j = i;

		if (v[i - 1].ts <= v[i].ts)
			continue;
		x = v[i];
		while (j > from && v[j - 1].ts > x.ts) {
			v[j] = v[j - 1];
			j--;
		}
		v[j] = x;
	}
}

/* Binary min-heap of cpu indices keyed by the next record's timestamp
 * (ties: lower cpu first, so the merge is deterministic). */
static bool heap_less(struct dax_trace *t, int a, int b)
{
	struct cpu_rd *x = &t->cpus[a], *y = &t->cpus[b];
	uint64_t tx = x->tmp.v[x->pos].ts, ty = y->tmp.v[y->pos].ts;

	return tx < ty || (tx == ty && a < b);
}

static void heap_down(struct dax_trace *t, int *h, int n, int i)
{
	for (;;) {
		int l = 2 * i + 1, r = l + 1, m = i, tmp;

		if (l < n && heap_less(t, h[l], h[m]))
			m = l;
		if (r < n && heap_less(t, h[r], h[m]))
			m = r;
		if (m == i)
			return;
		tmp = h[i];
		h[i] = h[m];
		h[m] = tmp;
		i = m;
	}
}

long dax_trace_drain(struct dax_trace *t, struct trace_vec *out)
{
	size_t total = 0, start;
	int *h, nh = 0;

	if (!t || !out) {
		errno = EINVAL;
		return -1;
	}
	for (int c = 0; c < t->ncpu; c++) {
		if (drain_cpu(t, &t->cpus[c]) < 0)
			return -1;
		total += t->cpus[c].tmp.n;
	}
	if (vec_reserve(out, total) < 0)
		return -1;
	start = out->n;
	if (t->ncpu == 1) {
		memcpy(out->v + out->n, t->cpus[0].tmp.v, total * sizeof(*out->v));
		out->n += total;
	} else {
		h = malloc(t->ncpu * sizeof(*h));
		if (!h)
			return -1;
		for (int c = 0; c < t->ncpu; c++)
			if (t->cpus[c].tmp.n)
				h[nh++] = c;
		for (int i = nh / 2 - 1; i >= 0; i--)
			heap_down(t, h, nh, i);
		while (nh > 1) {
			struct cpu_rd *cr = &t->cpus[h[0]];

			out->v[out->n++] = cr->tmp.v[cr->pos++];
			if (cr->pos == cr->tmp.n)
				h[0] = h[--nh];
			heap_down(t, h, nh, 0);
		}
		if (nh == 1) {
			struct cpu_rd *cr = &t->cpus[h[0]];
			size_t k = cr->tmp.n - cr->pos;

			memcpy(out->v + out->n, cr->tmp.v + cr->pos, k * sizeof(*out->v));
			out->n += k;
		}
		free(h);
	}
	/* per-cpu streams are in buffer order; make the result strictly
	 * timestamp-ordered should a cpu's clock have stepped back */
	fix_order(out->v, start, out->n);
	return (long)total;
}

/* ------------------------------------------------------------------ */
/* markers                                                              */

int dax_trace_mark(struct dax_trace *t, uint64_t n)
{
	char buf[sizeof(MARKER_PREFIX) + 24], dig[24];
	size_t pl = sizeof(MARKER_PREFIX) - 1, k = 0;
	ssize_t w;

	if (!t || t->marker_fd < 0) {
		errno = EBADF;
		return -1;
	}
	memcpy(buf, MARKER_PREFIX, pl);
	do {
		dig[k++] = (char)('0' + n % 10);
		n /= 10;
	} while (n);
	while (k)
		buf[pl++] = dig[--k];
	w = write(t->marker_fd, buf, pl);
	if (w == (ssize_t)pl)
		return 0;
	/* the kernel answers EBADF when the buffer is full (no-overwrite);
	 * the event is counted in "dropped events" */
	if (w < 0 && errno == EBADF)
		errno = ENOBUFS;
	return -1;
}
