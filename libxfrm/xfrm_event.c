/* SPDX-License-Identifier: ISC */
/*
 * The kernel's XFRM events: a non-blocking socket in the EXPIRE, ACQUIRE
 * and MAPPING multicast groups, the parser turning those messages into
 * struct xfrm_event, and the one thing a multicast listener must not
 * miss: when the socket overflowed (ENOBUFS), events were dropped, and
 * charond is told so it can check its SAs against the kernel again.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <libmnl/libmnl.h>

#include "xfrm_int.h"

/* Events are small (an ACQUIRE with templates is under 1 KiB), but a recv
 * may hold several. */
#define XFRM_EVENT_BUF 32768
/* Datagrams read per call: under a flood of events, charond's loop gets
 * its turn again (the descriptor stays readable, so it is called back). */
#define XFRM_EVENT_BATCH 64

struct xfrm_events {
	struct mnl_socket *sock;
	uint64_t buf[XFRM_EVENT_BUF / 8];
};

static int
parse_expire(const struct nlmsghdr *nlh, struct xfrm_event *ev)
{
	uint8_t hard;

	if (xfrm_parse_sa(nlh, sizeof(struct xfrm_user_expire), &ev->expire.sa,
			  NULL) < 0)
		return -EBADMSG;
	memcpy(&hard,
	       (const uint8_t *)mnl_nlmsg_get_payload(nlh) +
		   offsetof(struct xfrm_user_expire, hard),
	       sizeof(hard));
	ev->type = XFRM_EVENT_EXPIRE;
	ev->expire.hard = hard != 0;
	return 1;
}

static int
parse_acquire(const struct nlmsghdr *nlh, struct xfrm_event *ev)
{
	const struct xfrm_tmpl *t = NULL;
	struct xfrm_user_acquire k;
	struct xfrm_policy *p = &ev->acquire.policy;
	uint16_t family;
	unsigned int i;

	if (xfrm_parse_policy(nlh, sizeof(k),
			      offsetof(struct xfrm_user_acquire, policy),
			      p) < 0)
		return -EBADMSG;
	memcpy(&k, mnl_nlmsg_get_payload(nlh), sizeof(k));
	ev->type = XFRM_EVENT_ACQUIRE;
	ev->acquire.proto = k.id.proto;
	ev->acquire.seq = k.seq;
	xfrm_sel_from_kernel(&ev->acquire.sel, &k.sel);
	/* The template the kernel wants an SA for; its reqid ties it to
	 * charond's CHILD_SA config. */
	for (i = 0; i < p->ntmpl && t == NULL; i++)
		if (p->tmpl[i].proto == k.id.proto)
			t = &p->tmpl[i];
	ev->acquire.reqid = t != NULL ? t->reqid : 0;
	/* The message has no family for the SA's outer addresses: they are
	 * the tunnel endpoints' (which may differ from the traffic's), or
	 * the traffic's own in transport mode. */
	family = k.sel.family;
	if (t != NULL && t->mode == XFRM_MODE_TUNNEL && t->dst.family)
		family = t->dst.family;
	xfrm_addr_from_kernel(&ev->acquire.src, &k.saddr, family);
	xfrm_addr_from_kernel(&ev->acquire.dst, &k.id.daddr, family);
	return 1;
}

static int
parse_mapping(const struct nlmsghdr *nlh, struct xfrm_event *ev)
{
	struct xfrm_user_mapping k;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(k))
		return -EBADMSG;
	memcpy(&k, mnl_nlmsg_get_payload(nlh), sizeof(k));
	ev->type = XFRM_EVENT_MAPPING;
	xfrm_addr_from_kernel(&ev->mapping.dst, &k.id.daddr, k.id.family);
	ev->mapping.spi = ntohl(k.id.spi);
	ev->mapping.proto = k.id.proto;
	ev->mapping.reqid = k.reqid;
	xfrm_addr_from_kernel(&ev->mapping.old_src, &k.old_saddr, k.id.family);
	xfrm_addr_from_kernel(&ev->mapping.new_src, &k.new_saddr, k.id.family);
	ev->mapping.old_sport = ntohs(k.old_sport);
	ev->mapping.new_sport = ntohs(k.new_sport);
	return 1;
}

int
xfrm_event_parse(const struct nlmsghdr *nlh, struct xfrm_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	switch (nlh->nlmsg_type) {
	case XFRM_MSG_EXPIRE:
		return parse_expire(nlh, ev);
	case XFRM_MSG_ACQUIRE:
		return parse_acquire(nlh, ev);
	case XFRM_MSG_MAPPING:
		return parse_mapping(nlh, ev);
	default:
		return 0;
	}
}

int
xfrm_event_dispatch(const void *buf, ssize_t n, int err,
		    void (*cb)(const struct xfrm_event *e, void *arg),
		    void *arg)
{
	const struct nlmsghdr *nlh;
	struct xfrm_event ev;
	size_t off = 0;
	int count = 0;

	if (n < 0) {
		/* ENOBUFS: the receive queue overflowed and the kernel
		 * dropped events. ENOSPC: libmnl saw one truncated. Either
		 * way some are gone. */
		if (err != ENOBUFS && err != ENOSPC)
			return -err;
		memset(&ev, 0, sizeof(ev));
		ev.type = XFRM_EVENT_LOST;
		cb(&ev, arg);
		return 1;
	}
	while ((nlh = xfrm_nlmsg_next(buf, (size_t)n, &off)) != NULL) {
		/* A malformed message cannot come from the kernel we talk
		 * to; skipping it beats stopping the daemon. */
		if (xfrm_event_parse(nlh, &ev) == 1) {
			cb(&ev, arg);
			count++;
		}
	}
	return count;
}

struct xfrm_events *
xfrm_events_open(void)
{
	static const unsigned int groups[] = {
	    XFRMNLGRP_ACQUIRE,
	    XFRMNLGRP_EXPIRE,
	    XFRMNLGRP_MAPPING,
	};
	struct xfrm_events *ev;
	size_t i;
	int err;

	if ((ev = calloc(1, sizeof(*ev))) == NULL)
		return NULL;
	ev->sock = mnl_socket_open2(NETLINK_XFRM, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (ev->sock == NULL)
		goto fail;
	if (mnl_socket_bind(ev->sock, 0, MNL_SOCKET_AUTOPID) < 0)
		goto fail;
	for (i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
		unsigned int g = groups[i];

		if (mnl_socket_setsockopt(ev->sock, NETLINK_ADD_MEMBERSHIP, &g,
					  sizeof(g)) < 0)
			goto fail;
	}
	return ev;
fail:
	err = errno;
	if (ev->sock != NULL)
		mnl_socket_close(ev->sock);
	free(ev);
	errno = err;
	return NULL;
}

void
xfrm_events_close(struct xfrm_events *ev)
{
	if (ev == NULL)
		return;
	mnl_socket_close(ev->sock);
	free(ev);
}

int
xfrm_events_fd(const struct xfrm_events *ev)
{
	return mnl_socket_get_fd(ev->sock);
}

int
xfrm_events_read(struct xfrm_events *ev,
		 void (*cb)(const struct xfrm_event *e, void *arg), void *arg)
{
	int fd = mnl_socket_get_fd(ev->sock), total = 0, rc, err, i;

	for (i = 0; i < XFRM_EVENT_BATCH; i++) {
		struct sockaddr_nl from;
		socklen_t fromlen = sizeof(from);
		size_t used;
		ssize_t n;

		/* MSG_TRUNC: n is the datagram's real length. */
		n = recvfrom(fd, ev->buf, sizeof(ev->buf), MSG_TRUNC,
			     (struct sockaddr *)&from, &fromlen);
		err = n < 0 ? errno : 0;
		if (err == EAGAIN || err == EWOULDBLOCK)
			return total;
		if (err == EINTR)
			continue; /* counted: a signal storm cannot pin us */
		used = n < 0 ? 0 : (size_t)n;
		if (used > sizeof(ev->buf)) {
			used = sizeof(ev->buf);
			n = -1;
			err = ENOSPC;
		}
		/* Only the kernel speaks on these groups. */
		if (n >= 0 && from.nl_pid != 0)
			rc = 0;
		else
			rc = xfrm_event_dispatch(ev->buf, n, err, cb, arg);
		/* Events carry no keys, but SA notifications would: clear
		 * whatever came in. */
		explicit_bzero(ev->buf, used);
		if (rc < 0)
			return rc;
		total += rc;
	}
	return total;
}
