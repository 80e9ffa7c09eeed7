// SPDX-License-Identifier: GPL-2.0
/* Unit tests for oracle_violation_lines() and oracle_unflushed_lines()
 * (lib/oracle.c): the lines handed to the callback are, in order and
 * without their newlines, what oracle_violation_print() and
 * oracle_unflushed_print() print; a long line (a nearby list) arrives
 * whole (the sink grows from 64 bytes).  (The plan is printed last, after the points.) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oracle.h"
#include "tap.h"

/* The lines a callback got, joined again with newlines. */
struct got {
	char text[8192];
	size_t len;
	unsigned lines;
};

static void collect(void *arg, const char *line)
{
	struct got *g = arg;

	g->len += (size_t)snprintf(g->text + g->len, sizeof(g->text) - g->len,
				   "%s\n", line);
	g->lines++;
}

static char *printed_violation(const struct oracle_report *r,
			       const struct oracle_violation *v)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	oracle_violation_print(f, r, v);
	fclose(f);
	return buf;
}

static char *printed_unflushed(const struct oracle_report *r,
			       const struct oracle_unflushed *u)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	oracle_unflushed_print(f, r, u);
	fclose(f);
	return buf;
}

static unsigned newlines(const char *s)
{
	unsigned n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

int main(void)
{
	struct oracle *o = oracle_new(1024);
	struct oracle_report r;
	struct got g = { .len = 0 };
	/* a late writeback of page 5, and one of another thread that
	 * claims a flush it never made */
	struct trace_rec ev[] = {
		{ .ev = EV_WRITEBACK_ONE, .ts = 400, .pid = 7, .pgoff = 0,
		  .pglen = 512 },
		{ .ev = EV_WRITEBACK_ONE, .ts = 450, .pid = 8, .pgoff = 5,
		  .pglen = 1 },
	};
	char *want;
	int rc;

	oracle_add_store(o, 5, 100, 110);
	oracle_add_sync(o, 200, 300, 42, ORACLE_FSYNC, 0, 0);
	oracle_add_sync(o, 150, 500, 7, ORACLE_MSYNC, 0, 0);
	oracle_add_events(o, ev, 2);
	oracle_set_flush_rule(o, true);
	if (!ok(oracle_check(o, &r, 16) > 0 && r.nviol >= 1 && r.nunfl >= 1,
		"a synthetic stream with a violation and an unflushed writeback"))
		return 1;

	want = printed_violation(&r, &r.viol[0]);
	rc = oracle_violation_lines(&r, &r.viol[0], collect, &g);
	ok(rc == 0 && !strcmp(g.text, want) && g.lines == newlines(want) && g.lines > 1,
	   "oracle_violation_lines: the %u lines of oracle_violation_print, in "
	   "order, without their newlines", g.lines);
	free(want);

	g = (struct got){ .len = 0 };
	want = printed_unflushed(&r, &r.unfl[0]);
	rc = oracle_unflushed_lines(&r, &r.unfl[0], collect, &g);
	ok(rc == 0 && !strcmp(g.text, want) && g.lines == newlines(want),
	   "oracle_unflushed_lines: the %u lines of oracle_unflushed_print",
	   g.lines);
	free(want);

	oracle_report_free(&r);
	oracle_free(o);
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}
