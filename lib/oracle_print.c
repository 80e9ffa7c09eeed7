// SPDX-License-Identifier: GPL-2.0
/*
 * The text of the oracle's violations (include/oracle.h): times relative
 * to the report's t0, durations in ns, us or ms; on a stream, or line by
 * line to a callback.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>

#include "oracle_priv.h"

static const char *rel(char *buf, size_t len, uint64_t t, uint64_t t0)
{
	uint64_t d;
	char sign = '+';

	if (t == ORACLE_NONE) {
		snprintf(buf, len, "never");
		return buf;
	}
	if (t0 == ORACLE_NONE)
		t0 = 0;
	if (t >= t0) {
		d = t - t0;
	} else {
		d = t0 - t;
		sign = '-';
	}
	snprintf(buf, len, "%c%" PRIu64 ".%09" PRIu64 "s", sign,
		 d / 1000000000u, d % 1000000000u);
	return buf;
}

static const char *dur(char *buf, size_t len, uint64_t d)
{
	if (d < 10000)
		snprintf(buf, len, "%" PRIu64 " ns", d);
	else if (d < 10000000)
		snprintf(buf, len, "%.3f us", d / 1e3);
	else
		snprintf(buf, len, "%.3f ms", d / 1e6);
	return buf;
}

void oracle_violation_print(FILE *f, const struct oracle_report *r,
			    const struct oracle_violation *v)
{
	uint64_t t0 = r ? r->t0 : 0;
	char a[40], b[40], d[40];

	fprintf(f, "page %" PRIu64 ": store [%s .. %s]",
		v->pgoff, rel(a, sizeof(a), v->store_t_before, t0),
		rel(b, sizeof(b), v->store_t_after, t0));
	fprintf(f, " not written back by %s #%zu (tid %" PRId32 ", ",
		oracle_sync_kind_name(v->sync_kind), v->sync_idx, v->sync_tid);
	if (v->sync_npages == 0 && v->sync_first == 0)
		fprintf(f, "whole file");
	else if (v->sync_npages == 0)
		fprintf(f, "pages %" PRIu64 "..end", v->sync_first);
	else
		fprintf(f, "pages %" PRIu64 "..%" PRIu64, v->sync_first,
			v->sync_first + v->sync_npages - 1);
	fprintf(f, ") [%s .. %s], %" PRIu64 " page%s missed by that call\n",
		rel(a, sizeof(a), v->sync_t_start, t0),
		rel(b, sizeof(b), v->sync_t_end, t0), v->sync_pages_missed,
		v->sync_pages_missed == 1 ? "" : "s");
	if (v->cover_ts == ORACLE_NONE)
		fprintf(f, "  no writeback_one covered the page after the store\n");
	else {
		fprintf(f, "  first writeback_one after the store: %s, %s after "
			"the call returned", rel(a, sizeof(a), v->cover_ts, t0),
			dur(d, sizeof(d), v->cover_ts - v->sync_t_end));
		if (v->cover_tp_ts != ORACLE_NONE && v->cover_tp_ts != v->cover_ts)
			fprintf(f, " (flush returned; its tracepoint %s)",
				rel(b, sizeof(b), v->cover_tp_ts, t0));
		fputc('\n', f);
	}
	for (unsigned i = 0; i < v->nnearby; i++) {
		const struct oracle_event_ref *e = &v->nearby[i];
		const char *where;

		if (e->ts <= v->store_t_before)
			where = "before the store";
		else if (e->ts >= v->sync_t_end)
			where = "after the return";
		else
			where = "inside";
		if (e->tp_ts != e->ts)
			fprintf(f, "  nearby writeback_one %s (tracepoint %s)",
				rel(a, sizeof(a), e->ts, t0),
				rel(b, sizeof(b), e->tp_ts, t0));
		else
			fprintf(f, "  nearby writeback_one %s",
				rel(a, sizeof(a), e->ts, t0));
		fprintf(f, " pid %" PRId32 " pgoff %"
			PRIu64 " pglen %" PRIu64 " (%s %s)\n", e->pid, e->pgoff,
			e->pglen, dur(d, sizeof(d), e->ts <= v->store_t_before ?
				      v->store_t_before - e->ts :
				      e->ts >= v->sync_t_end ?
				      e->ts - v->sync_t_end : 0), where);
	}
	if (!v->nnearby)
		fprintf(f, "  no writeback_one ever covered page %" PRIu64 "\n",
			v->pgoff);
	if (v->cls == ORACLE_LATE && v->cover_call_t_start != ORACLE_NONE)
		fprintf(f, "  late: the call returned while tid %" PRId32 ", in a "
			"call begun %.3f ms before this one returned, was still "
			"flushing the page\n", v->cover_pid,
			(double)(v->sync_t_end - v->cover_call_t_start) / 1e6);
	else
		fprintf(f, "  missed: no call was flushing the page when this "
			"one returned\n");
}

void oracle_unflushed_print(FILE *f, const struct oracle_report *r,
			    const struct oracle_unflushed *u)
{
	uint64_t t0 = r ? r->t0 : 0;
	char a[40], b[40], d[40];

	fprintf(f, "writeback_one of pages %" PRIu64 "..%" PRIu64 " (pglen %"
		PRIu64 ") by pid %" PRId32 " at %s claims a flush it never made: "
		"%s\n", u->pgoff, u->pgoff + u->pglen - 1, u->pglen, u->pid,
		rel(a, sizeof(a), u->ts, t0), oracle_unflushed_why_name(u->why));
	switch (u->why) {
	case ORACLE_UNFL_NONE:
		if (u->prev_wb_ts == ORACLE_NONE)
			fprintf(f, "  no dax_flush of pid %" PRId32 " returned "
				"before it (its first writeback_one)\n", u->pid);
		else
			fprintf(f, "  no dax_flush of pid %" PRId32 " returned "
				"between its previous writeback_one (%s) and this "
				"one\n", u->pid, rel(a, sizeof(a), u->prev_wb_ts, t0));
		break;
	case ORACLE_UNFL_AFTER:
		if (u->flush_ts && u->flush_ts > u->ts)
			fprintf(f, "  its dax_flush returned at %s, %s after the "
				"event\n", rel(a, sizeof(a), u->flush_ts, t0),
				dur(d, sizeof(d), u->flush_ts - u->ts));
		else
			fprintf(f, "  pid %" PRId32 "'s next dax_flush returned at "
				"%s, %s after the event (none returned before it "
				"since its previous writeback_one)\n", u->pid,
				rel(a, sizeof(a), u->own_after_ts, t0),
				dur(d, sizeof(d), u->own_after_ts - u->ts));
		break;
	case ORACLE_UNFL_SHORT:
		fprintf(f, "  its dax_flush (returned at %s) flushed %" PRIu64
			" bytes; the entry needs %" PRIu64 " (%" PRIu64 " pages)\n",
			rel(a, sizeof(a), u->flush_ts, t0), u->flush_size,
			u->pglen * ORACLE_PAGE, u->pglen);
		break;
	default:
		fprintf(f, "  its dax_flush returned at %s, but its entry record "
			"(the size flushed) is missing\n",
			rel(a, sizeof(a), u->flush_ts, t0));
		break;
	}
	for (unsigned i = 0; i < u->nnearby; i++) {
		const struct oracle_flush_ref *e = &u->nearby[i];

		fprintf(f, "  nearby dax_flush %s pid %" PRId32, e->entry ?
			"entry" : "return", e->pid);
		if (e->entry)
			fprintf(f, " size %" PRIu64, e->size);
		fprintf(f, " at %s (%s %s the event)\n",
			rel(b, sizeof(b), e->ts, t0),
			dur(d, sizeof(d), e->ts <= u->ts ? u->ts - e->ts :
			    e->ts - u->ts), e->ts <= u->ts ? "before" : "after");
	}
	if (!u->nnearby)
		fprintf(f, "  no dax_flush record at all near it\n");
}

/* The lines of a sample for oracle_*_lines(): a stream that hands each
 * line, without its newline, to the caller's function. */
struct line_sink {
	oracle_line_fn *fn;
	void *arg;
	char *buf;
	size_t len, cap;
};

static ssize_t line_sink_write(void *cookie, const char *data, size_t n)
{
	struct line_sink *s = cookie;

	for (size_t i = 0; i < n; i++) {
		if (data[i] == '\n') {
			s->buf[s->len] = '\0';
			s->fn(s->arg, s->buf);
			s->len = 0;
			continue;
		}
		if (s->len + 1 >= s->cap) {
			size_t cap = s->cap ? 2 * s->cap : 64;
			char *b = realloc(s->buf, cap);

			if (!b)
				return i ? (ssize_t)i : -1;
			s->buf = b;
			s->cap = cap;
		}
		s->buf[s->len++] = data[i];
	}
	return (ssize_t)n;
}

static int line_sink_close(void *cookie)
{
	struct line_sink *s = cookie;

	if (s->len) {		/* a last line without its newline */
		s->buf[s->len] = '\0';
		s->fn(s->arg, s->buf);
	}
	free(s->buf);
	return 0;
}

static FILE *line_sink_open(struct line_sink *s, oracle_line_fn *fn, void *arg)
{
	*s = (struct line_sink){ .fn = fn, .arg = arg };
	return fopencookie(s, "w", (cookie_io_functions_t){
		.write = line_sink_write, .close = line_sink_close });
}

int oracle_violation_lines(const struct oracle_report *r,
			   const struct oracle_violation *v,
			   oracle_line_fn *fn, void *arg)
{
	struct line_sink s;
	FILE *f = line_sink_open(&s, fn, arg);

	if (!f)
		return -1;
	oracle_violation_print(f, r, v);
	return fclose(f) ? -1 : 0;
}

int oracle_unflushed_lines(const struct oracle_report *r,
			   const struct oracle_unflushed *u,
			   oracle_line_fn *fn, void *arg)
{
	struct line_sink s;
	FILE *f = line_sink_open(&s, fn, arg);

	if (!f)
		return -1;
	oracle_unflushed_print(f, r, u);
	return fclose(f) ? -1 : 0;
}

