/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The suite's pseudo-random generators, written out so that a seed gives the
 * same stream on every libc (results stay reproducible):
 *
 *   splitmix64    a 64-bit counter hashed; *x is the state
 *   xoshiro256**  four words of state, seeded through splitmix64
 */
#ifndef DAXBENCH_RNG_H
#define DAXBENCH_RNG_H

#include <stdint.h>

static inline uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Fill s with the next four splitmix64 outputs of *x. */
static inline void xoshiro256ss_seed(uint64_t s[4], uint64_t *x)
{
	for (int i = 0; i < 4; i++)
		s[i] = splitmix64(x);
}

static inline uint64_t rng_rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static inline uint64_t xoshiro256ss_next(uint64_t s[4])
{
	uint64_t r = rng_rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rng_rotl(s[3], 45);
	return r;
}

#endif
