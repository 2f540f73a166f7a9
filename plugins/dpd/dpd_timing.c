/* SPDX-License-Identifier: ISC */
/* The dpd plugin's clock arithmetic (dpd_timing.h). */
#include "dpd_timing.h"

static uint64_t
min64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

enum dpd_do
dpd_step(struct dpd_timing *t, uint64_t now, uint64_t last, uint64_t *next)
{
	if (t->asked && last >= t->asked)
		t->asked = 0; /* heard since we asked: alive */
	if (t->asked) {
		uint64_t dead_at = t->asked + t->timeout;

		if (now >= dead_at)
			return DPD_DEAD;
		*next = min64(dead_at - now, t->delay);
		return DPD_WAIT;
	}
	if (last > now || now - last < t->delay) {
		*next = last > now ? t->delay : last + t->delay - now;
		return DPD_WAIT;
	}
	/* The caller sets asked once the check is out: if it could not go
	 * (a request of ours is in flight, which checks liveness itself),
	 * it looks again after delay. */
	*next = min64(t->delay, t->timeout);
	return DPD_ASK;
}
