// SPDX-License-Identifier: GPL-2.0
/* daxstress: a scenario's TAP diagnostics and failures, and its set of
 * violating pages (bitmaps); see scenario.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "scenario.h"

#define MAX_FAIL_MSGS 50

static void vline(struct sctx *c, bool fail, const char *fmt, va_list ap)
{
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
	if (fail && c->failures && c->nfail_msgs < MAX_FAIL_MSGS) {
		char j[2100];

		snprintf(j, sizeof(j), "iteration %u: %s", c->iter, msg);
		json_object_array_add(c->failures, json_object_new_string(j));
		c->nfail_msgs++;
	}
}

void sc_fail(struct sctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline(c, true, fmt, ap);
	va_end(ap);
	if (!c->failed)
		c->first_failed_iter = (int)c->iter;
	c->failed = true;
}

void sc_diag(struct sctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline(c, false, fmt, ap);
	va_end(ap);
}

/* ---- bitmaps, the violating pages ---- */

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

bool sc_viol_pages(struct sctx *c)
{
	if (!c->viol_pages)
		c->viol_pages = calloc((c->npages + 7) / 8 + 1, 1);
	if (!c->viol_pages)
		sc_fail(c, "out of memory for the violating-page set");
	return c->viol_pages != NULL;
}

json_object *bitmap_ranges_json(const uint8_t *b, uint64_t n, size_t max,
				bool *truncated)
{
	json_object *a = json_object_new_array();
	size_t k = 0;

	if (truncated)
		*truncated = false;
	if (!b)
		return a;
	for (uint64_t i = 0; i < n; i++) {
		uint64_t j;
		json_object *r;

		if (!bitmap_test(b, i))
			continue;
		for (j = i; j + 1 < n && bitmap_test(b, j + 1); j++)
			;
		if (k++ == max) {
			json_object_array_add(a, NULL);	/* truncated */
			if (truncated)
				*truncated = true;
			break;
		}
		r = json_object_new_array();
		json_object_array_add(r, ju64(i));
		json_object_array_add(r, ju64(j));
		json_object_array_add(a, r);
		i = j;
	}
	return a;
}
