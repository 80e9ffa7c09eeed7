// SPDX-License-Identifier: GPL-2.0
/* daxstress: page bitmaps (a set of violating pages); see scenario.h. */
#include "scenario.h"

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
