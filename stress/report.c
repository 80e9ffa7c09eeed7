// SPDX-License-Identifier: GPL-2.0
/* daxstress: a scenario's TAP diagnostics, failures, skip reason and info,
 * into its result (driver.h); bitmaps; see scenario.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "driver.h"

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

/* ---- bitmaps ---- */

void bitmap_set(uint8_t *b, uint64_t i)
{
	b[i >> 3] |= (uint8_t)(1u << (i & 7));
}

bool bitmap_test(const uint8_t *b, uint64_t i)
{
	return b[i >> 3] & (1u << (i & 7));
}

uint64_t bitmap_count(const uint8_t *b, uint64_t n)
{
	uint64_t k = 0;

	for (uint64_t i = 0; b && i < n / 8; i++)
		k += (uint64_t)__builtin_popcount(b[i]);
	for (uint64_t i = n / 8 * 8; b && i < n; i++)
		k += bitmap_test(b, i);
	return k;
}

json_object *bitmap_ranges_json(const uint8_t *b, uint64_t n, size_t max,
				bool *truncated)
{
	json_object *a = json_object_new_array();
	size_t k = 0;
	int err = 0;

	if (truncated)
		*truncated = false;
	for (uint64_t i = 0; b && i < n; i++) {
		uint64_t j;
		json_object *r;

		if (!bitmap_test(b, i))
			continue;
		for (j = i; j + 1 < n && bitmap_test(b, j + 1); j++)
			;
		if (k++ == max) {
			err |= jpush_null(a);	/* truncated */
			if (truncated)
				*truncated = true;
			break;
		}
		r = json_object_new_array();
		err |= jpush_u64(r, i);
		err |= jpush_u64(r, j);
		err |= jpush(a, r);
		i = j;
	}
	return jdone(a, err);
}
