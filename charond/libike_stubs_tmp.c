/* SPDX-License-Identifier: ISC */
/*
 * TEMPORARY: removed at merge. The libike functions of plugin ABI 2 that
 * charond calls, which another branch implements; until then each fails,
 * so that charond links and its tests run.
 */
#include "ike.h"

unsigned
ike_reinitiate(struct ike_engine *e, uint64_t now, unsigned ike_id)
{
	return 0;
}

int
ike_sa_move(struct ike_engine *e, uint64_t now, unsigned ike_id,
	    const struct ike_endpoint *local, const struct ike_endpoint *remote)
{
	return -1;
}

uint64_t
ike_timer_add(struct ike_engine *e, uint64_t deadline,
	      void (*cb)(void *arg, uint64_t now), void *arg)
{
	return 0;
}

void
ike_timer_cancel(struct ike_engine *e, uint64_t handle)
{
}
