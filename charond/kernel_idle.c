/* SPDX-License-Identifier: ISC */
/*
 * How long the kernel has received no ESP for an IKE SA's CHILD SAs
 * (charond_api.sa_esp_idle, dpd): traffic that flows proves the peer alive
 * without a liveness check. The kernel keeps, per SA, when it last
 * processed a packet (XFRMA_LASTUSED, wall clock seconds); the inbound SA
 * of each installed CHILD SA is found as kernel.c installed it, to our
 * address under our SPI. A child filter's marks are not known here: an
 * inbound SA with a mark is not found, and counts as silent.
 */
#include <string.h>
#include <time.h>

#include "daemon.h"

struct idle_walk {
	uint64_t now_s;
	uint64_t best_ms;
	bool found;
};

static void
idle_of(void *ctx, const struct ike_sa_info *sa)
{
	struct idle_walk *w = ctx;
	struct xfrm_sa_stats st;
	struct xfrm_sa x;
	unsigned i;

	for (i = 0; i < sa->n_children; i++) {
		const struct ike_child_info *ch = &sa->children[i];
		uint64_t ms;

		if (!ch->installed)
			continue;
		memset(&x, 0, sizeof(x));
		x.proto = IPPROTO_ESP;
		kernel_xaddr(&sa->remote, &x.src);
		kernel_xaddr(&sa->local, &x.dst);
		x.spi = ch->spi_in;
		if (daemon_g.kops->sa_get(daemon_g.kh, &x, &st) < 0 ||
		    st.last_used == 0)
			continue;
		ms = st.last_used >= w->now_s
			 ? 0
			 : (w->now_s - st.last_used) * 1000;
		if (!w->found || ms < w->best_ms)
			w->best_ms = ms;
		w->found = true;
	}
}

int
kernel_esp_idle(unsigned ike_id, uint64_t *idle_ms)
{
	struct idle_walk w = {0};

	if (!daemon_g.engine || !daemon_g.kh || !idle_ms)
		return -1;
	w.now_s = (uint64_t)time(NULL);
	if (!ike_query_sa(daemon_g.engine, ike_id, idle_of, &w) || !w.found)
		return -1;
	*idle_ms = w.best_ms;
	return 0;
}
