/* SPDX-License-Identifier: ISC */
/*
 * How long the kernel has received no ESP for an IKE SA's CHILD SAs
 * (charond_api.sa_esp_idle, dpd): traffic that flows proves the peer alive
 * without a liveness check. The inbound SA of each installed CHILD SA is
 * found as kernel.c installed it, to our address under our SPI (a child
 * filter's marks are not known here: an inbound SA with a mark is not
 * found, and counts as silent).
 *
 * Kernels since 6.8 keep when an inbound SA last took a packet
 * (XFRMA_LASTUSED, wall clock seconds); older ones (Debian 12's 6.1) only
 * on output. There the inbound packet counter stands in: when it has
 * grown since the last look, ESP was received since then, and that look's
 * time is kept per inbound SPI. dpd looks once per delay, so a tunnel with
 * traffic is never asked, and an idle one is at most one delay late.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon.h"

#define IDLE_BUCKETS 1024

/* The counter of an inbound SA as last seen, and since when it is so. */
struct idle_ent {
	unsigned ike_id;
	uint32_t spi;
	uint64_t packets;
	uint64_t grew_at; /* engine clock; 0: never seen growing */
	bool seen;        /* still a CHILD SA of the IKE SA at this look */
	struct idle_ent *next;
};

static struct idle_ent *table[IDLE_BUCKETS];

static struct idle_ent *
ent_get(unsigned ike_id, uint32_t spi, uint64_t packets, uint64_t now)
{
	struct idle_ent **b = &table[ike_id % IDLE_BUCKETS], *e;

	for (e = *b; e; e = e->next)
		if (e->ike_id == ike_id && e->spi == spi)
			return e;
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->ike_id = ike_id;
	e->spi = spi;
	/* Packets before the first look came after the SA was installed,
	 * at most one dpd delay ago: as good as now. */
	e->packets = packets;
	e->grew_at = packets ? now : 0;
	e->next = *b;
	*b = e;
	return e;
}

/* Entries of ike_id: all (unseen_only false), or those of CHILD SAs gone
 * since (not seen at the last look). */
static void
drop(unsigned ike_id, bool unseen_only)
{
	struct idle_ent **p = &table[ike_id % IDLE_BUCKETS], *e;

	while ((e = *p)) {
		if (e->ike_id == ike_id && (!unseen_only || !e->seen)) {
			*p = e->next;
			free(e);
		} else {
			p = &e->next;
		}
	}
}

void
kernel_idle_forget(unsigned ike_id)
{
	drop(ike_id, false);
}

struct idle_walk {
	uint64_t now_ms, now_s;
	uint64_t best_ms;
	bool found;
};

static void
note(struct idle_walk *w, uint64_t ms)
{
	if (!w->found || ms < w->best_ms)
		w->best_ms = ms;
	w->found = true;
}

static void
idle_of(void *ctx, const struct ike_sa_info *sa)
{
	struct idle_walk *w = ctx;
	struct xfrm_sa_stats st;
	struct idle_ent *e;
	struct xfrm_sa x;
	unsigned i;

	for (e = table[sa->id % IDLE_BUCKETS]; e; e = e->next)
		if (e->ike_id == sa->id)
			e->seen = false;
	for (i = 0; i < sa->n_children; i++) {
		const struct ike_child_info *ch = &sa->children[i];

		if (!ch->installed)
			continue;
		memset(&x, 0, sizeof(x));
		x.proto = IPPROTO_ESP;
		kernel_xaddr(&sa->remote, &x.src);
		kernel_xaddr(&sa->local, &x.dst);
		x.spi = ch->spi_in;
		if (daemon_g.kops->sa_get(daemon_g.kh, &x, &st) < 0)
			continue;
		if (st.last_used) {
			note(w, st.last_used >= w->now_s
				    ? 0
				    : (w->now_s - st.last_used) * 1000);
			continue;
		}
		e = ent_get(sa->id, ch->spi_in, st.packets, w->now_ms);
		if (!e)
			continue;
		e->seen = true;
		if (st.packets != e->packets) {
			e->packets = st.packets;
			e->grew_at = w->now_ms;
		}
		if (e->grew_at)
			note(w, w->now_ms - e->grew_at);
	}
	drop(sa->id, true);
}

int
kernel_esp_idle(unsigned ike_id, uint64_t *idle_ms)
{
	struct idle_walk w = {0};

	if (!daemon_g.engine || !daemon_g.kh || !idle_ms)
		return -1;
	w.now_ms = daemon_now();
	w.now_s = (uint64_t)time(NULL);
	if (!ike_query_sa(daemon_g.engine, ike_id, idle_of, &w) || !w.found)
		return -1;
	*idle_ms = w.best_ms;
	return 0;
}
