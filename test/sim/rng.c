/* SPDX-License-Identifier: ISC */
/*
 * The simulation's only source of chance: splitmix64 streams derived from
 * the run's seed, so that a seed replays a run exactly.
 */
#include "sim.h"

static uint64_t
mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void
rng_init(struct rng *r, uint64_t seed, uint64_t stream)
{
	/* Distinct streams of one seed must not overlap in practice. */
	r->s = mix(seed ^ mix(stream + 0x632be59bd9b4e019ULL));
}

uint64_t
rng_next(struct rng *r)
{
	return mix(r->s += 0x9e3779b97f4a7c15ULL);
}

uint64_t
rng_below(struct rng *r, uint64_t n)
{
	/* The modulo bias is irrelevant at the ranges used here. */
	return n ? rng_next(r) % n : 0;
}

bool
rng_chance(struct rng *r, unsigned permille)
{
	return rng_below(r, 1000) < permille;
}

void
rng_bytes(struct rng *r, uint8_t *out, size_t len)
{
	size_t i;
	uint64_t v = 0;

	for (i = 0; i < len; i++) {
		if (i % 8 == 0)
			v = rng_next(r);
		out[i] = (uint8_t)(v >> (8 * (i % 8)));
	}
}
