/* SPDX-License-Identifier: ISC */
/*
 * UDP sockets for IKE: ports 500 and 4500 on every listen address. Each
 * datagram's destination address comes from IP_PKTINFO/IPV6_PKTINFO so that
 * the answer leaves from the address the request was sent to, whatever the
 * routing table prefers. Port 4500 carries a four-byte non-ESP marker in
 * front of IKE messages (RFC 3948 2.2); the kernel takes ESP-in-UDP
 * packets off that socket itself (UDP_ENCAP_ESPINUDP).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/sock_diag.h>
#include <linux/xfrm.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon.h"

#ifndef UDP_ENCAP
#define UDP_ENCAP 100 /* linux/udp.h, which clashes with netinet/udp.h */
#endif
#ifndef UDP_ENCAP_ESPINUDP
#define UDP_ENCAP_ESPINUDP 2
#endif

static const uint8_t non_esp_marker[4];

static void
endpoint_port(struct ike_endpoint *ep, uint16_t port)
{
	if (ep->ss.ss_family == AF_INET)
		((struct sockaddr_in *)&ep->ss)->sin_port = htons(port);
	else
		((struct sockaddr_in6 *)&ep->ss)->sin6_port = htons(port);
}

static uint16_t
endpoint_get_port(const struct ike_endpoint *ep)
{
	if (ep->ss.ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)&ep->ss)->sin_port);
	return ntohs(((const struct sockaddr_in6 *)&ep->ss)->sin6_port);
}

/* The socket's drop count, which the kernel puts on each datagram once
 * asked (SO_RXQ_OVFL): a rise is logged, once per batch it is seen in. */
static void
rxq_ovfl(struct msghdr *mh, uint32_t *drops)
{
	struct cmsghdr *c;

	for (c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c))
		if (c->cmsg_level == SOL_SOCKET &&
		    c->cmsg_type == SO_RXQ_OVFL &&
		    c->cmsg_len >= CMSG_LEN(sizeof(*drops))) {
			uint32_t n;

			memcpy(&n, CMSG_DATA(c), sizeof(n));
			if (n != *drops)
				log_msg(IKE_LOG_WARN,
					"the kernel dropped %u IKE datagrams "
					"for a full receive buffer "
					"(daemon.receive_buffer)",
					n - *drops);
			*drops = n;
		}
}

/* SO_MEMINFO's drop count is the socket's as of now; the one SO_RXQ_OVFL
 * carries is as of the last datagram read, which a burst's drops may
 * have come after. */
uint64_t
net_socket_drops(const struct daemon *d)
{
	uint64_t n = 0;
	unsigned i;

	for (i = 0; i < d->n_socks; i++) {
		uint32_t mem[SK_MEMINFO_VARS];
		socklen_t len = sizeof(mem);

		if (getsockopt(d->socks[i].fd, SOL_SOCKET, SO_MEMINFO, mem,
			       &len) == 0 &&
		    len > SK_MEMINFO_DROPS * sizeof(mem[0]))
			n += mem[SK_MEMINFO_DROPS];
		else
			n += d->socks[i].drops;
	}
	return n;
}

/* The value under `name` in a line of names and a line of values. */
static int64_t
column(char *names, char *values, const char *name)
{
	char *ns = NULL, *vs = NULL;
	char *n = strtok_r(names, " \n", &ns);
	char *v = strtok_r(values, " \n", &vs);

	for (; n && v;
	     n = strtok_r(NULL, " \n", &ns), v = strtok_r(NULL, " \n", &vs))
		if (strcmp(n, name) == 0)
			return strtoll(v, NULL, 10);
	return -1;
}

/* The RcvbufErrors column of the Udp (or Udp6) lines of a /proc file. */
static int64_t
snmp_rcvbuf_errors(const char *path, bool v6)
{
	char line[1024], names[1024] = "";
	FILE *f = fopen(path, "re");
	int64_t found = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (v6) {
			long long v;

			if (sscanf(line, "Udp6RcvbufErrors %lld", &v) == 1)
				found = v;
			continue;
		}
		if (strncmp(line, "Udp: ", 5) != 0)
			continue;
		if (!names[0]) {
			snprintf(names, sizeof(names), "%s", line);
			continue;
		}
		/* The second Udp: line holds the values, in the order the
		 * first one names them. */
		found = column(names + 5, line + 5, "RcvbufErrors");
		break;
	}
	fclose(f);
	return found;
}

int64_t
net_rcvbuf_errors(void)
{
	int64_t v4 = snmp_rcvbuf_errors("/proc/net/snmp", false);
	int64_t v6 = snmp_rcvbuf_errors("/proc/net/snmp6", true);

	if (v4 < 0 && v6 < 0)
		return -1;
	return (v4 > 0 ? v4 : 0) + (v6 > 0 ? v6 : 0);
}

/* Forced past net.core.rmem_max where we may (CAP_NET_ADMIN, which the
 * daemon has for XFRM anyway), else as large as the kernel allows. */
static void
set_rcvbuf(int fd, unsigned bytes, uint16_t port)
{
	int n = (int)bytes;

	if (!bytes)
		return;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &n, sizeof(n)) < 0 &&
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &n, sizeof(n)) < 0)
		log_msg(IKE_LOG_WARN, "receive buffer of port %u: %s", port,
			strerror(errno));
}

void
net_set_receive_buffer(struct daemon *d, unsigned bytes)
{
	unsigned i;

	for (i = 0; i < d->n_socks; i++)
		set_rcvbuf(d->socks[i].fd, bytes, d->socks[i].port);
}

/* One datagram read from s: its addresses from the control messages, the
 * marker of port 4500 taken off, and handed to the engine. */
static void
rx_one(struct udp_sock *s, struct msghdr *mh, uint8_t *buf, size_t n)
{
	struct ike_endpoint local, remote;
	struct cmsghdr *c;

	memset(&local, 0, sizeof(local));
	memset(&remote, 0, sizeof(remote));
	memcpy(&remote.ss, mh->msg_name,
	       mh->msg_namelen < sizeof(remote.ss) ? mh->msg_namelen
						   : sizeof(remote.ss));
	local.ss.ss_family = (sa_family_t)s->family;
	for (c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			((struct sockaddr_in *)&local.ss)->sin_addr =
			    pi.ipi_addr;
		} else if (c->cmsg_level == SOL_SOCKET &&
			   c->cmsg_type == SO_RXQ_OVFL) {
			/* rxq_ovfl() reads it below */
		} else if (c->cmsg_level == IPPROTO_IPV6 &&
			   c->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			((struct sockaddr_in6 *)&local.ss)->sin6_addr =
			    pi.ipi6_addr;
		}
	}
	endpoint_port(&local, s->port);
	rxq_ovfl(mh, &s->drops);
	if (s->natt) {
		/* Without the marker it is not IKE (keepalives are one byte,
		 * ESP is the kernel's). */
		if (n < 4 || memcmp(buf, non_esp_marker, 4) != 0)
			return;
		ike_input(daemon_g.engine, daemon_now(), &local, &remote,
			  buf + 4, n - 4);
	} else {
		ike_input(daemon_g.engine, daemon_now(), &local, &remote, buf,
			  n);
	}
}

/*
 * Datagrams are read RX_BATCH at a time with recvmmsg(2): a count below
 * the batch says the queue was empty, where a recvmsg(2) loop needed one
 * more call failing with EAGAIN to learn it (a system call per wake-up,
 * a few per cent of a responder's time per IKE SA). Whatever arrives
 * after that call wakes the loop again (level-triggered). At most RX_MAX
 * per wake-up, so that one busy socket cannot starve the others. The
 * buffers are static: one loop, one thread, and the engine copies what
 * it keeps.
 */
#define RX_BATCH 8
#define RX_MAX   64

static struct rx_slot {
	uint8_t buf[IKEV2_MAX_MSG_LEN];
	char cbuf[256];
	struct sockaddr_storage from;
	struct iovec iov;
} rx[RX_BATCH];

static void
on_readable(struct ev_loop *loop, ev_io *w, int revents)
{
	struct udp_sock *s = w->data;
	struct mmsghdr mm[RX_BATCH];
	int done = 0, n, i;

	while (done < RX_MAX) {
		memset(mm, 0, sizeof(mm));
		for (i = 0; i < RX_BATCH; i++) {
			rx[i].iov.iov_base = rx[i].buf;
			rx[i].iov.iov_len = sizeof(rx[i].buf);
			mm[i].msg_hdr.msg_name = &rx[i].from;
			mm[i].msg_hdr.msg_namelen = sizeof(rx[i].from);
			mm[i].msg_hdr.msg_iov = &rx[i].iov;
			mm[i].msg_hdr.msg_iovlen = 1;
			mm[i].msg_hdr.msg_control = rx[i].cbuf;
			mm[i].msg_hdr.msg_controllen = sizeof(rx[i].cbuf);
		}
		n = recvmmsg(s->fd, mm, RX_BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0)
			break; /* drained: the timer below must still be set */
		for (i = 0; i < n; i++)
			rx_one(s, &mm[i].msg_hdr, rx[i].buf, mm[i].msg_len);
		done += n;
		if (n < RX_BATCH)
			break;
	}
	/* Whatever the batch held (one IKE_SA_INIT starts a half-open SA's
	 * expiry), the engine's next deadline may have moved. */
	daemon_rearm(&daemon_g);
	(void)loop;
	(void)revents;
}

/* IKE itself must never go through IPsec: a transport-mode policy between
 * the two hosts would otherwise catch our own answers. A per-socket policy
 * that allows everything, in both directions, takes precedence. */
static int
bypass_ipsec(int fd, int family)
{
	struct xfrm_userpolicy_info pol;
	int level = family == AF_INET ? IPPROTO_IP : IPPROTO_IPV6;
	int opt = family == AF_INET ? IP_XFRM_POLICY : IPV6_XFRM_POLICY;
	int dir;

	for (dir = XFRM_POLICY_IN; dir <= XFRM_POLICY_OUT; dir++) {
		memset(&pol, 0, sizeof(pol));
		pol.action = XFRM_POLICY_ALLOW;
		pol.sel.family = (uint16_t)family;
		pol.dir = (uint8_t)dir;
		pol.lft.soft_byte_limit = XFRM_INF;
		pol.lft.hard_byte_limit = XFRM_INF;
		pol.lft.soft_packet_limit = XFRM_INF;
		pol.lft.hard_packet_limit = XFRM_INF;
		if (setsockopt(fd, level, opt, &pol, sizeof(pol)) < 0)
			return -errno;
	}
	return 0;
}

static int
open_one(struct daemon *d, const struct cfg_ip *ip, uint16_t port, bool natt)
{
	struct udp_sock *s;
	struct sockaddr_storage ss = {0};
	socklen_t slen;
	int fd, on = 1, encap = UDP_ENCAP_ESPINUDP;

	if (d->n_socks >= MAX_SOCKETS)
		return -ENOSPC;
	fd = socket(ip->family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &on, sizeof(on));
	set_rcvbuf(fd, d->cfg->daemon.receive_buffer, port);
	if (ip->family == AF_INET) {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;

		a->sin_family = AF_INET;
		a->sin_port = htons(port);
		memcpy(&a->sin_addr, ip->a, 4);
		slen = sizeof(*a);
		setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof(on));
	} else {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons(port);
		memcpy(&a->sin6_addr, ip->a, 16);
		slen = sizeof(*a);
		/* Separate sockets per family: no v4-mapped addresses. */
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
		setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof(on));
	}
	if (bind(fd, (struct sockaddr *)&ss, slen) < 0) {
		int err = -errno;
		char txt[64];

		cfg_ip_format(ip, txt, sizeof(txt));
		log_msg(IKE_LOG_ERROR, "cannot bind UDP %s port %u: %s", txt,
			port, strerror(-err));
		close(fd);
		return err;
	}
	if (bypass_ipsec(fd, ip->family) < 0)
		log_msg(IKE_LOG_WARN,
			"cannot exempt port %u from IPsec policies: %s", port,
			strerror(errno));
	if (natt &&
	    setsockopt(fd, IPPROTO_UDP, UDP_ENCAP, &encap, sizeof(encap)) < 0)
		log_msg(IKE_LOG_WARN, "UDP_ENCAP on port %u: %s", port,
			strerror(errno));
	s = &d->socks[d->n_socks++];
	s->fd = fd;
	s->family = ip->family;
	s->port = port;
	s->natt = natt;
	ev_io_init(&s->w, on_readable, fd, EV_READ);
	s->w.data = s;
	ev_io_start(d->loop, &s->w);
	return 0;
}

int
net_open(struct daemon *d)
{
	const struct daemon_cfg *dc = &d->cfg->daemon;
	size_t i;
	int rc;

	for (i = 0; i < dc->n_listen; i++) {
		if ((rc = open_one(d, &dc->listen[i], dc->port, false)) < 0)
			return rc;
		if (dc->port_nat_t && (rc = open_one(d, &dc->listen[i],
						     dc->port_nat_t, true)) < 0)
			return rc;
	}
	return 0;
}

void
net_close(struct daemon *d)
{
	unsigned i;

	for (i = 0; i < d->n_socks; i++) {
		ev_io_stop(d->loop, &d->socks[i].w);
		close(d->socks[i].fd);
	}
	d->n_socks = 0;
}

/* The socket bound to local's port and family (an unspecified listen
 * address covers every local address). */
static struct udp_sock *
sock_for(struct daemon *d, const struct ike_endpoint *local)
{
	uint16_t port = endpoint_get_port(local);
	unsigned i;

	for (i = 0; i < d->n_socks; i++)
		if (d->socks[i].family == local->ss.ss_family &&
		    d->socks[i].port == port)
			return &d->socks[i];
	for (i = 0; i < d->n_socks; i++)
		if (d->socks[i].family == local->ss.ss_family &&
		    !d->socks[i].natt)
			return &d->socks[i];
	return NULL;
}

/* marker: an IKE message, which on port 4500 follows the non-ESP marker;
 * else a datagram as it is (a NAT keepalive). */
static void
send_from(struct daemon *d, const struct ike_endpoint *local,
	  const struct ike_endpoint *remote, const uint8_t *pkt, size_t len,
	  bool marker)
{
	struct udp_sock *s = sock_for(d, local);
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
	} cbuf;
	struct iovec iov[2];
	struct msghdr mh = {0};
	struct cmsghdr *c;

	if (!s) {
		log_msg(IKE_LOG_WARN, "no socket to send from");
		return;
	}
	memset(&cbuf, 0, sizeof(cbuf));
	iov[0].iov_base = (void *)non_esp_marker;
	iov[0].iov_len = 4;
	iov[1].iov_base = (void *)pkt;
	iov[1].iov_len = len;
	mh.msg_name = (void *)&remote->ss;
	mh.msg_namelen = remote->ss.ss_family == AF_INET
			     ? sizeof(struct sockaddr_in)
			     : sizeof(struct sockaddr_in6);
	mh.msg_iov = s->natt && marker ? iov : iov + 1;
	mh.msg_iovlen = s->natt && marker ? 2 : 1;
	mh.msg_control = cbuf.buf;
	c = (struct cmsghdr *)cbuf.buf;
	if (local->ss.ss_family == AF_INET) {
		struct in_pktinfo pi = {0};

		pi.ipi_spec_dst =
		    ((const struct sockaddr_in *)&local->ss)->sin_addr;
		mh.msg_controllen = CMSG_SPACE(sizeof(pi));
		c->cmsg_level = IPPROTO_IP;
		c->cmsg_type = IP_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(c), &pi, sizeof(pi));
	} else {
		struct in6_pktinfo pi = {0};

		pi.ipi6_addr =
		    ((const struct sockaddr_in6 *)&local->ss)->sin6_addr;
		mh.msg_controllen = CMSG_SPACE(sizeof(pi));
		c->cmsg_level = IPPROTO_IPV6;
		c->cmsg_type = IPV6_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(c), &pi, sizeof(pi));
	}
	if (sendmsg(s->fd, &mh, 0) < 0)
		log_msg(IKE_LOG_WARN, "sending %zu bytes failed: %s", len,
			strerror(errno));
}

void
net_send(void *ctx, const struct ike_endpoint *local,
	 const struct ike_endpoint *remote, const uint8_t *pkt, size_t len)
{
	send_from(ctx, local, remote, pkt, len, true);
}

void
net_send_raw(struct daemon *d, const struct ike_endpoint *local,
	     const struct ike_endpoint *remote, const uint8_t *pkt, size_t len)
{
	send_from(d, local, remote, pkt, len, false);
}
