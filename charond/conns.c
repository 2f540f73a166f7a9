/* SPDX-License-Identifier: ISC */
/*
 * From the loaded configuration to the engine's connections: addresses
 * become endpoints (DNS names resolved, a wildcard local address replaced
 * by the source the routing table picks towards the peer), identities and
 * traffic selectors take their wire form.
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

/* A single peer address, or AF_UNSPEC for %any and subnets. */
static int
remote_endpoint(const struct conn_cfg *c, uint16_t port,
		struct ike_endpoint *ep)
{
	const struct cfg_addr *a;
	struct addrinfo hints = {0}, *res = NULL;
	int rc;

	memset(ep, 0, sizeof(*ep));
	if (c->n_remote_addrs == 0)
		return 0;
	a = &c->remote_addrs[0];
	if (a->kind == CFG_ADDR_IP &&
	    a->prefix == (a->ip.family == AF_INET ? 32 : 128)) {
		endpoint_from_ip(&a->ip, port, ep);
	} else if (a->kind == CFG_ADDR_DNS) {
		hints.ai_socktype = SOCK_DGRAM;
		rc = getaddrinfo(a->dns, NULL, &hints, &res);
		if (rc != 0 || !res) {
			log_msg(IKE_LOG_WARN,
				"connection '%s': cannot resolve "
				"'%s': %s",
				c->name, a->dns, gai_strerror(rc));
			return -1;
		}
		memcpy(&ep->ss, res->ai_addr, res->ai_addrlen);
		freeaddrinfo(res);
		if (ep->ss.ss_family == AF_INET)
			((struct sockaddr_in *)&ep->ss)->sin_port = htons(port);
		else
			((struct sockaddr_in6 *)&ep->ss)->sin6_port =
			    htons(port);
	}
	return 0;
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

/* An identity as text: an IP address, user@domain, or a host name. */
static void
id_from_text(const char *s, struct ike_id_cfg *id)
{
	memset(id, 0, sizeof(*id));
	if (!s)
		return;
	if (inet_pton(AF_INET, s, id->data) == 1) {
		id->type = IKEV2_ID_IPV4_ADDR;
		id->len = 4;
	} else if (inet_pton(AF_INET6, s, id->data) == 1) {
		id->type = IKEV2_ID_IPV6_ADDR;
		id->len = 16;
	} else {
		id->type =
		    strchr(s, '@') ? IKEV2_ID_RFC822_ADDR : IKEV2_ID_FQDN;
		id->len = strlen(s) < IKE_ID_MAX ? strlen(s) : IKE_ID_MAX;
		memcpy(id->data, s, id->len);
	}
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
	memset(k, 0, sizeof(*k));
}

static int
conn_from_cfg(const struct daemon_cfg *dc, const struct conn_cfg *c,
	      struct ike_conn_cfg *k)
{
	size_t i, nc = c->n_children < IKE_MAX_CHILDREN ? c->n_children
							: IKE_MAX_CHILDREN;

	memset(k, 0, sizeof(*k));
	snprintf(k->name, sizeof(k->name), "%s", c->name);
	k->version = c->version;
	if (remote_endpoint(c, dc->port, &k->remote) < 0)
		return -1;
	if (c->n_local_addrs && c->local_addrs[0].kind == CFG_ADDR_IP)
		endpoint_from_ip(&c->local_addrs[0].ip, dc->port, &k->local);
	else if (k->remote.ss.ss_family != AF_UNSPEC &&
		 route_source(&k->remote, dc->port, &k->local) < 0)
		log_msg(IKE_LOG_WARN,
			"connection '%s': no route to its peer; "
			"it can only respond",
			c->name);
	k->proposals = c->proposals;
	k->n_proposals = (unsigned)c->n_proposals;
	id_from_text(c->local.id, &k->local_id);
	id_from_text(c->remote.id, &k->remote_id);
	k->keyingtries = c->keyingtries;
	k->rekey_ms = c->rekey_time_ms;
	if (nc && !(k->children = calloc(nc, sizeof(*k->children))))
		return -1;
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
	/* The engine copies what it keeps. */
	rc = ike_engine_set_conns(d->engine, k, n, now);
	for (i = 0; i < n; i++)
		conn_clear(&k[i]);
	free(k);
	return rc;
}

const struct conn_cfg *
conns_find(const struct daemon *d, const char *name)
{
	return config_find_conn(d->cfg, name);
}
