// SPDX-License-Identifier: GPL-2.0
/* daxstress: a scenario's TAP diagnostics, failures, skip reason and info,
 * into its result (result.h); see scenario.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "result.h"

#define MAX_FAIL_MSGS 50

static void vline(struct sctx *c, bool fail, const char *fmt, va_list ap)
{
	struct sc_result *r = c->res;
	char msg[2048];
	char *p;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	for (p = msg; *p; p++)
		if (*p == '\n')
			*p = ' ';
	if (fail)
		printf("# %s: iteration %u: %s\n", c->sc->name, c->iter, msg);
	else
		printf("# %s: %s\n", c->sc->name, msg);
	fflush(stdout);
	if (fail && r->nfail_msgs < MAX_FAIL_MSGS) {
		char j[2100];

		snprintf(j, sizeof(j), "iteration %u: %s", c->iter, msg);
		if (!jpush_str(r->failures, j))
			r->nfail_msgs++;
	}
}

void sc_fail(struct sctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline(c, true, fmt, ap);
	va_end(ap);
	if (!c->res->failed)
		c->res->first_failed_iter = (int)c->iter;
	c->res->failed = true;
}

void sc_diag(struct sctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline(c, false, fmt, ap);
	va_end(ap);
}

enum sverdict sc_skip(struct sctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->res->skip_reason, sizeof(c->res->skip_reason), fmt, ap);
	va_end(ap);
	return SV_SKIP;
}

json_object *sc_info(struct sctx *c)
{
	return c->res->info;
}

const struct dax_counts *sc_counts(const struct sctx *c)
{
	return &c->res->counts;
}
