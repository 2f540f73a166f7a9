/* SPDX-License-Identifier: ISC */
/*
 * The kernel's XFRM events in the daemon's loop: ACQUIRE (a trap policy
 * holds a packet: trap.c starts its connection), MAPPING (the peer's NAT
 * mapping changed for one of our inbound SAs: the IKE SA owning it is
 * found by SPI and the plugins' mapping hooks hear the new endpoint,
 * natt). EXPIRE is left alone: the engine rekeys on its own clock, before
 * the kernel's limits. With kernel: none there is no kernel to listen to.
 */
#include <errno.h>
#include <string.h>

#include "daemon.h"

struct by_spi {
	uint32_t spi;
	unsigned ike_id;
};

static void
find_spi(void *ctx, const struct ike_sa_info *sa)
{
	struct by_spi *b = ctx;
	unsigned i;

	for (i = 0; i < sa->n_children; i++)
		if (sa->children[i].installed &&
		    sa->children[i].spi_in == b->spi)
			b->ike_id = sa->id;
}

static void
mapping(struct daemon *d, const struct xfrm_event *e)
{
	struct by_spi b = {e->mapping.spi, 0};
	struct ike_endpoint ep;

	if (e->mapping.proto && e->mapping.proto != IPPROTO_ESP)
		return;
	ike_list_sas(d->engine, NULL, find_spi, &b);
	if (!b.ike_id) {
		log_msg(IKE_LOG_DEBUG,
			"XFRM mapping change for SPI %08x: no such CHILD SA",
			e->mapping.spi);
		return;
	}
	memset(&ep, 0, sizeof(ep));
	if (e->mapping.new_src.family == AF_INET6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ep.ss;

		a->sin6_family = AF_INET6;
		a->sin6_addr = e->mapping.new_src.v6;
		a->sin6_port = htons(e->mapping.new_sport);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&ep.ss;

		a->sin_family = AF_INET;
		a->sin_addr = e->mapping.new_src.v4;
		a->sin_port = htons(e->mapping.new_sport);
	}
	plugins_mapping(b.ike_id, &ep);
}

static void
on_event(const struct xfrm_event *e, void *arg)
{
	struct daemon *d = arg;

	if (!d->engine)
		return;
	switch (e->type) {
	case XFRM_EVENT_ACQUIRE:
		trap_acquire(d, e->acquire.reqid, e->acquire.seq);
		break;
	case XFRM_EVENT_MAPPING:
		mapping(d, e);
		break;
	case XFRM_EVENT_LOST:
		log_msg(IKE_LOG_WARN, "XFRM events were lost (the kernel's "
				      "buffer was full)");
		break;
	case XFRM_EVENT_EXPIRE:
		break;
	}
}

static void
on_readable(struct ev_loop *loop, ev_io *w, int revents)
{
	struct daemon *d = w->data;
	int rc = xfrm_events_read(d->xev, on_event, d);

	if (rc < 0 && rc != -EAGAIN && rc != -EINTR)
		log_msg(IKE_LOG_WARN, "reading XFRM events: %s", strerror(-rc));
	daemon_rearm(d);
	(void)loop;
	(void)revents;
}

int
kernel_events_open(struct daemon *d)
{
	if (d->kops != &kernel_xfrm_ops)
		return 0;
	d->xev = xfrm_events_open();
	if (!d->xev)
		return -1;
	ev_io_init(&d->xev_w, on_readable, xfrm_events_fd(d->xev), EV_READ);
	d->xev_w.data = d;
	ev_io_start(d->loop, &d->xev_w);
	return 0;
}

void
kernel_events_close(struct daemon *d)
{
	if (!d->xev)
		return;
	ev_io_stop(d->loop, &d->xev_w);
	xfrm_events_close(d->xev);
	d->xev = NULL;
}
