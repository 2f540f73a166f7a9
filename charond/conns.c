/* SPDX-License-Identifier: ISC */
/*
 * From the loaded configuration to the engine's connections: every entry of
 * local_addrs and remote_addrs becomes an address the engine matches an
 * IKE_SA_INIT against (DNS names resolved at load), the first host of each
 * the initiator's endpoint (a wildcard local address replaced by the source
 * the routing table picks towards the peer); identities and traffic
 * selectors take their wire form.
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"

static void
endpoint_from_ip(const struct cfg_ip *ip, uint16_t port,
		 struct ike_endpoint *ep)
{
	memset(ep, 0, sizeof(*ep));
	if (ip->family == AF_INET) {
		struct sockaddr_in *a = (struct sockaddr_in *)&ep->ss;

		a->sin_family = AF_INET;
		a->sin_port = htons(port);
		memcpy(&a->sin_addr, ip->a, 4);
	} else if (ip->family == AF_INET6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ep->ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons(port);
		memcpy(&a->sin6_addr, ip->a, 16);
	}
}

/* The addresses one DNS name in local_addrs or remote_addrs matches: the
 * first this many of its A and AAAA records, as resolved at load. */
#define CONN_DNS_MAX 8

static void
endpoint_from_match(const struct ike_addr_match *m, uint16_t port,
		    struct ike_endpoint *ep)
{
	struct cfg_ip ip = {.family = m->family};

	memcpy(ip.a, m->addr, sizeof(ip.a));
	endpoint_from_ip(&ip, port, ep);
}

/* Append what name resolves to (at most CONN_DNS_MAX addresses) as host
 * entries. Returns 0, or -1 if it does not resolve. */
static int
resolve_matches(const char *conn, const char *name, struct ike_addr_match *out,
		size_t *n)
{
	struct addrinfo hints = {0}, *res = NULL, *r;
	size_t got = 0, i;
	int rc;

	hints.ai_socktype = SOCK_DGRAM;
	rc = getaddrinfo(name, NULL, &hints, &res);
	if (rc != 0 || !res) {
		log_msg(IKE_LOG_WARN,
			"connection '%s': cannot resolve '%s': %s", conn, name,
			rc ? gai_strerror(rc) : "no address");
		return -1;
	}
	for (r = res; r && got < CONN_DNS_MAX; r = r->ai_next) {
		struct ike_addr_match m = {0};

		if (r->ai_family == AF_INET) {
			m.family = AF_INET;
			m.prefix = 32;
			memcpy(m.addr,
			       &((const struct sockaddr_in *)(void *)r->ai_addr)
				    ->sin_addr,
			       4);
		} else if (r->ai_family == AF_INET6) {
			m.family = AF_INET6;
			m.prefix = 128;
			memcpy(
			    m.addr,
			    &((const struct sockaddr_in6 *)(void *)r->ai_addr)
				 ->sin6_addr,
			    16);
		} else {
			continue;
		}
		for (i = 0; i < got; i++)
			if (memcmp(&out[*n + i], &m, sizeof(m)) == 0)
				break;
		if (i == got)
			out[*n + got++] = m;
	}
	freeaddrinfo(res);
	*n += got;
	return 0;
}

/*
 * One side's addresses as the engine matches them: every entry, a DNS name
 * as the addresses it resolves to now. No entries is %any. The list is
 * malloc'ed (freed by conn_clear). Returns 0, or -1 if a name does not
 * resolve or there is no memory.
 */
static int
matches_from_cfg(const char *conn, const struct cfg_addr *a, size_t na,
		 struct ike_addr_match **out, unsigned *n)
{
	size_t i, room = na ? 0 : 1, k = 0;
	struct ike_addr_match *m;

	for (i = 0; i < na; i++)
		room += a[i].kind == CFG_ADDR_DNS ? CONN_DNS_MAX : 1;
	if (!(m = calloc(room, sizeof(*m))))
		return -1;
	*out = m;
	if (na == 0)
		k = 1; /* family AF_UNSPEC: any */
	for (i = 0; i < na; i++) {
		if (a[i].kind == CFG_ADDR_DNS) {
			if (resolve_matches(conn, a[i].dns, m, &k) < 0)
				return -1;
			continue;
		}
		m[k].family = (uint8_t)a[i].ip.family;
		if (a[i].kind == CFG_ADDR_IP) {
			m[k].prefix = a[i].prefix;
			memcpy(m[k].addr, a[i].ip.a, sizeof(m[k].addr));
		}
		k++;
	}
	*n = (unsigned)k;
	return 0;
}

/* The first host address of a list (of the family, unless AF_UNSPEC),
 * or NULL. */
static const struct ike_addr_match *
first_host(const struct ike_addr_match *m, unsigned n, int family)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if ((m[i].family == AF_INET && m[i].prefix == 32) ||
		    (m[i].family == AF_INET6 && m[i].prefix == 128))
			if (family == AF_UNSPEC || m[i].family == family)
				return &m[i];
	return NULL;
}

/* The source address the kernel would use towards remote. */
static int
route_source(const struct ike_endpoint *remote, uint16_t port,
	     struct ike_endpoint *local)
{
	socklen_t len = sizeof(local->ss);
	int fd = socket(remote->ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int rc = -1;

	if (fd < 0)
		return -1;
	if (connect(fd, (const struct sockaddr *)&remote->ss,
		    remote->ss.ss_family == AF_INET
			? sizeof(struct sockaddr_in)
			: sizeof(struct sockaddr_in6)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&local->ss, &len) == 0) {
		if (local->ss.ss_family == AF_INET)
			((struct sockaddr_in *)&local->ss)->sin_port =
			    htons(port);
		else
			((struct sockaddr_in6 *)&local->ss)->sin6_port =
			    htons(port);
		rc = 0;
	}
	close(fd);
	return rc;
}

/* An identity as text: an IP address, a DN ("CN=moon, O=Example"),
 * user@domain, or a host name. */
static int
id_from_text(const char *s, struct ike_id_cfg *id)
{
	uint8_t a[IKE_ID_MAX], *d;
	size_t n = sizeof(a);

	memset(id, 0, sizeof(*id));
	if (!s)
		return 0;
	if (inet_pton(AF_INET, s, a) == 1) {
		id->type = IKEV2_ID_IPV4_ADDR;
		id->len = 4;
	} else if (inet_pton(AF_INET6, s, a) == 1) {
		id->type = IKEV2_ID_IPV6_ADDR;
		id->len = 16;
	} else if (ike_dn_from_text(s, a, &n) == 0) {
		id->type = IKEV2_ID_DER_ASN1_DN;
		id->len = n;
	} else {
		id->type =
		    strchr(s, '@') ? IKEV2_ID_RFC822_ADDR : IKEV2_ID_FQDN;
		id->len = strlen(s) < IKE_ID_MAX ? strlen(s) : IKE_ID_MAX;
		id->data = (const uint8_t *)s; /* the config outlives k */
		return 0;
	}
	if (!(d = malloc(id->len)))
		return -1;
	memcpy(d, a, id->len);
	id->data = d;
	return 0;
}

static void
ts_from_cfg_ts(const struct cfg_ts *c, struct ike_ts_cfg *t)
{
	memset(t, 0, sizeof(*t));
	t->dynamic = c->dynamic;
	t->ts.proto = c->proto;
	t->ts.sport = c->port_from;
	t->ts.eport = c->port_to;
	if (c->dynamic)
		return;
	t->ts.type = c->from.family == AF_INET6 ? IKEV2_TS_IPV6_ADDR_RANGE
						: IKEV2_TS_IPV4_ADDR_RANGE;
	memcpy(t->ts.saddr, c->from.a, 16);
	memcpy(t->ts.eaddr, c->to.a, 16);
}

/* The selectors of both sides in one block (local, then remote), freed
 * by conn_clear(). Proposal lists point into the config (the engine
 * copies what it keeps). */
static int
child_from_cfg(const struct child_cfg *c, struct ike_child_cfg *k)
{
	size_t nl =
	    c->n_local_ts < IKE_MAX_CFG_TS ? c->n_local_ts : IKE_MAX_CFG_TS;
	size_t nr =
	    c->n_remote_ts < IKE_MAX_CFG_TS ? c->n_remote_ts : IKE_MAX_CFG_TS;
	size_t i;

	snprintf(k->name, sizeof(k->name), "%s", c->name);
	k->transport = c->mode == CFG_MODE_TRANSPORT;
	if (nl + nr) {
		k->local_ts = calloc(nl + nr, sizeof(*k->local_ts));
		if (!k->local_ts)
			return -1;
		k->remote_ts = k->local_ts + nl;
	}
	for (i = 0; i < nl; i++)
		ts_from_cfg_ts(&c->local_ts[i], &k->local_ts[i]);
	k->n_local_ts = (unsigned)nl;
	for (i = 0; i < nr; i++)
		ts_from_cfg_ts(&c->remote_ts[i], &k->remote_ts[i]);
	k->n_remote_ts = (unsigned)nr;
	k->proposals = c->esp_proposals;
	k->n_proposals = (unsigned)c->n_esp_proposals;
	k->start = c->start_action == CFG_START_START;
	k->rekey_ms = c->rekey_time_ms;
	return 0;
}

static void
conn_clear(struct ike_conn_cfg *k)
{
	unsigned i;

	for (i = 0; k->children && i < k->n_children; i++)
		free(k->children[i].local_ts);
	free(k->children);
	free(k->local_addrs);
	free(k->remote_addrs);
	/* Addresses and DNs are ours; names point into the config. */
	if (k->local_id.type == IKEV2_ID_IPV4_ADDR ||
	    k->local_id.type == IKEV2_ID_IPV6_ADDR ||
	    k->local_id.type == IKEV2_ID_DER_ASN1_DN)
		free((void *)k->local_id.data);
	if (k->remote_id.type == IKEV2_ID_IPV4_ADDR ||
	    k->remote_id.type == IKEV2_ID_IPV6_ADDR ||
	    k->remote_id.type == IKEV2_ID_DER_ASN1_DN)
		free((void *)k->remote_id.data);
	memset(k, 0, sizeof(*k));
}

static int
conn_from_cfg(const struct daemon_cfg *dc, const struct conn_cfg *c,
	      struct ike_conn_cfg *k)
{
	size_t i, nc = c->n_children < IKE_MAX_CHILDREN ? c->n_children
							: IKE_MAX_CHILDREN;

	const struct ike_addr_match *h;

	memset(k, 0, sizeof(*k));
	snprintf(k->name, sizeof(k->name), "%s", c->name);
	k->version = c->version;
	k->aggressive = c->aggressive;
	if (matches_from_cfg(c->name, c->local_addrs, c->n_local_addrs,
			     &k->local_addrs, &k->n_local_addrs) < 0 ||
	    matches_from_cfg(c->name, c->remote_addrs, c->n_remote_addrs,
			     &k->remote_addrs, &k->n_remote_addrs) < 0 ||
	    id_from_text(c->local.id, &k->local_id) < 0 ||
	    id_from_text(c->remote.id, &k->remote_id) < 0) {
		conn_clear(k);
		return -1;
	}
	/* The initiator's endpoints: the first peer host (a subnet or %any
	 * peer cannot be initiated to), from our first host address of its
	 * family, or the source the routing table picks. */
	if ((h = first_host(k->remote_addrs, k->n_remote_addrs, AF_UNSPEC)))
		endpoint_from_match(h, dc->port, &k->remote);
	if ((h = first_host(k->local_addrs, k->n_local_addrs,
			    k->remote.ss.ss_family)))
		endpoint_from_match(h, dc->port, &k->local);
	else if (k->remote.ss.ss_family != AF_UNSPEC &&
		 route_source(&k->remote, dc->port, &k->local) < 0)
		log_msg(IKE_LOG_WARN,
			"connection '%s': no route to its peer; "
			"it can only respond",
			c->name);
	k->proposals = c->proposals;
	k->n_proposals = (unsigned)c->n_proposals;
	k->keyingtries = c->keyingtries;
	k->rekey_ms = c->rekey_time_ms;
	if (nc && !(k->children = calloc(nc, sizeof(*k->children)))) {
		conn_clear(k);
		return -1;
	}
	for (i = 0; i < nc; i++) {
		k->n_children = (unsigned)i + 1;
		if (child_from_cfg(&c->children[i], &k->children[i]) < 0) {
			conn_clear(k);
			return -1;
		}
	}
	return 0;
}

int
conns_apply(struct daemon *d, uint64_t now)
{
	const struct config *cfg = d->cfg;
	struct ike_conn_cfg *k = calloc(cfg->n_conns + 1, sizeof(*k));
	size_t i, n = 0;
	int rc;

	if (!k)
		return -1;
	for (i = 0; i < cfg->n_conns; i++) {
		if (conn_from_cfg(&cfg->daemon, &cfg->conns[i], &k[n]) == 0)
			n++;
	}
	ike_engine_set_retransmit(d->engine, cfg->daemon.retransmit_timeout_ms,
				  cfg->daemon.retransmit_base,
				  cfg->daemon.retransmit_tries);
	ike_engine_set_limits(d->engine, &cfg->daemon.limits);
	ike_engine_set_fragment_size(d->engine, cfg->daemon.fragment_size);
	/* The engine copies what it keeps. */
	rc = ike_engine_set_conns(d->engine, k, n, now);
	for (i = 0; i < n; i++)
		conn_clear(&k[i]);
	free(k);
	return rc;
}

int
conns_engine_cfg(const struct daemon *d, const struct conn_cfg *c,
		 struct ike_conn_cfg *k)
{
	return conn_from_cfg(&d->cfg->daemon, c, k);
}

void
conns_engine_cfg_clear(struct ike_conn_cfg *k)
{
	conn_clear(k);
}

const struct conn_cfg *
conns_find(const struct daemon *d, const char *name)
{
	return config_find_conn(d->cfg, name);
}
