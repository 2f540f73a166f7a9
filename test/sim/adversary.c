/* SPDX-License-Identifier: ISC */
/*
 * The adversary: on the path, it sees every datagram and holds no keys. It
 * forges (random bytes behind real SPIs and message IDs), replays old
 * datagrams later, truncates, flips bits, reflects a host's datagram back
 * to it, and moves a datagram of one IKE SA to another SA's SPIs. None of
 * it may change what the engines agree on.
 */
#include <stdlib.h>
#include <string.h>

#include "sim.h"

#define HDR 28 /* the IKE header */

enum strike { FORGE, REPLAY, TRUNCATE, FLIP, REFLECT, CROSS_SA, N_STRIKES };

static const char *const strike_name[] = {
    "forged", "replayed", "truncated", "bit-flipped", "reflected", "cross-SA",
};

static void
put_len(uint8_t *p, size_t len)
{
	p[24] = (uint8_t)(len >> 24);
	p[25] = (uint8_t)(len >> 16);
	p[26] = (uint8_t)(len >> 8);
	p[27] = (uint8_t)len;
}

static const struct dgram *
pick(struct sim *s)
{
	return &s->net.hist[rng_below(&s->adv_rng, s->net.n_hist)];
}

void
adversary_strike(struct sim *s)
{
	struct rng *r = &s->adv_rng;
	enum strike what = (enum strike)rng_below(r, N_STRIKES);
	const struct dgram *d, *o;
	uint64_t delay = rng_below(r, 3000);
	uint8_t buf[4096];
	size_t len, i;

	if (!s->net.n_hist)
		return;
	d = pick(s);
	len = d->len < sizeof(buf) ? d->len : sizeof(buf);
	memcpy(buf, d->data, len);
	switch (what) {
	case FORGE:
		if (len < HDR)
			return;
		/* The real header, a body of noise; half the time framed as
		 * an Encrypted payload so it reaches the ICV check. */
		len = HDR + rng_below(r, len + 64 - HDR);
		if (len > sizeof(buf))
			len = sizeof(buf);
		rng_bytes(r, buf + HDR, len - HDR);
		put_len(buf, len);
		if (len >= HDR + 4 && rng_chance(r, 500)) {
			buf[16] = 46; /* SK */
			buf[HDR + 1] = 0;
			buf[HDR + 2] = (uint8_t)((len - HDR) >> 8);
			buf[HDR + 3] = (uint8_t)(len - HDR);
		}
		break;
	case REPLAY:
		/* Later (up to a minute), when the SA may have moved on. */
		delay = rng_below(r, 60000);
		break;
	case TRUNCATE:
		len = rng_below(r, len);
		if (len >= HDR && rng_chance(r, 500))
			put_len(buf, len);
		break;
	case FLIP:
		for (i = 1 + rng_below(r, 3); i && len; i--)
			buf[rng_below(r, len)] ^=
			    (uint8_t)(1u << rng_below(r, 8));
		break;
	case REFLECT:
		net_inject(s, d->to, d->from, buf, len, delay);
		if (s->verbose)
			sim_log(s, "adversary: reflected %zu bytes to h%u", len,
				d->from);
		return;
	case CROSS_SA:
		o = pick(s);
		if (len < HDR || o->len < HDR || memcmp(o->data, buf, 16) == 0)
			return;
		/* Another SA's SPIs (and maybe its message ID) on this
		 * datagram, sent where that SA lives. */
		memcpy(buf, o->data, 16);
		if (rng_chance(r, 500))
			memcpy(buf + 20, o->data + 20, 4);
		net_inject(s, o->from, o->to, buf, len, delay);
		if (s->verbose)
			sim_log(s, "adversary: cross-SA %zu bytes to h%u", len,
				o->to);
		return;
	default:
		return;
	}
	if (s->verbose)
		sim_log(s, "adversary: %s %zu bytes to h%u", strike_name[what],
			len, d->to);
	net_inject(s, d->from, d->to, buf, len, delay);
}
