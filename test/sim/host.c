/* SPDX-License-Identifier: ISC */
/*
 * A simulated host: an engine, its ike_env (network, fake kernel, PSK
 * authentication, a seeded random source, logs) and its connections, one
 * to each peer, in variants drawn from the seed for reloads.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ikev1_const.h"
#include "sim.h"

#define PSK "simulated shared secret"

/* Both ends of a pair always share these, so a changed config may make a
 * negotiation take a detour (INVALID_KE_PAYLOAD) but never fail it. */
static const char *const ike_props[] = {
    "aes128gcm16-prfsha256-curve25519",
    "aes256-sha256-ecp256",
};
static const char *const esp_props[] = {
    "aes128gcm16", "aes128gcm16-curve25519", /* PFS */
};
/* IKEv1 (RFC 2409) has no AEAD and no curve25519 in phase 1; ecp256 is
 * the cheapest group it has. */
static const char *const ike_props_v1[] = {
    "aes128-sha256-ecp256",
    "aes256-sha1-ecp256",
};
static const char *const esp_props_v1[] = {
    "aes128gcm16", "aes128-sha256-ecp256", /* PFS */
};

static void
env_send(void *ctx, const struct ike_endpoint *local,
	 const struct ike_endpoint *remote, const uint8_t *pkt, size_t len)
{
	(void)local;
	net_send(ctx, remote, pkt, len);
}

static int
env_spi_alloc(void *ctx, const struct ike_endpoint *local,
	      const struct ike_endpoint *remote, uint32_t reqid, uint32_t *spi)
{
	return kernel_alloc(ctx, spi);
}

static int
env_install(void *ctx, const struct ike_child_install *ci)
{
	kernel_install(ctx, ci);
	return 0;
}

static void
env_remove(void *ctx, const struct ike_child_install *ci)
{
	kernel_remove(ctx, ci);
}

/* As the psk plugin answers: IKEv1 asks first which method our
 * credentials take, then for SKEYID (the PSK never enters the engine). */
static int
env_sign(void *ctx, const struct ike_auth_req *r, uint8_t *method, uint8_t *out,
	 size_t *len)
{
	struct host *h = ctx;

	if (r->version == 1 && r->purpose == IKE_AUTH_PURPOSE_V1_METHOD) {
		*method = IKEV1_AUTH_PRE_SHARED_KEY;
		*len = 0;
		return 0;
	}
	if (r->version == 1 && r->purpose == IKE_AUTH_PURPOSE_V1_SKEYID) {
		*method = IKEV1_AUTH_PRE_SHARED_KEY;
		return ike_psk_v1_skeyid(r->prf, h->psk, r->octets, out, len);
	}
	if (r->version != 2 || r->purpose != IKE_AUTH_PURPOSE_AUTH) {
		sim_fail(h->sim, "%s: auth_sign asked version %u purpose %d",
			 h->name, r->version, (int)r->purpose);
		return -1;
	}
	*method = IKEV2_AUTH_SHARED_KEY_MIC;
	return ike_psk_auth(r->prf, h->psk, r->octets, out, len);
}

static int
env_verify(void *ctx, const struct ike_auth_req *r, uint8_t method,
	   struct bytes data, char *why, size_t why_len)
{
	if (method == IKEV2_AUTH_SHARED_KEY_MIC &&
	    ike_psk_verify(r->prf, ((struct host *)ctx)->psk, r->octets, data))
		return 0;
	snprintf(why, why_len, "bad PSK authentication");
	return -1;
}

static int
env_random(void *ctx, uint8_t *out, size_t len)
{
	rng_bytes(&((struct host *)ctx)->rand, out, len);
	return 0;
}

static void
env_log(void *ctx, enum ike_log_level level, const char *conn, unsigned id,
	const char *msg)
{
	struct host *h = ctx;

	if (h->sim->verbose)
		sim_log(h->sim, "%s [%s#%u] %s", h->name, conn ? conn : "-", id,
			msg);
}

static uint8_t *
life_of(struct host *h, unsigned id)
{
	if (id >= h->n_life) {
		size_t n = 2 * (size_t)id + 16;
		uint8_t *grown = realloc(h->life, n);

		if (!grown)
			return NULL;
		memset(grown + h->n_life, 0, n - h->n_life);
		h->life = grown;
		h->n_life = n;
	}
	return &h->life[id];
}

static void
version_cb(void *ctx, const struct ike_sa_info *sa)
{
	*(uint8_t *)ctx = sa->version;
}

static uint8_t
version_of(struct host *h, unsigned id)
{
	uint8_t version = 0;

	ike_query_sa(h->e, id, version_cb, &version);
	return version;
}

/* What an observer (charond, its monitor clients) is told must make
 * sense: an IKE SA comes up once (IKE_UP, or as a rekey's successor),
 * ends once (IKE_DOWN, or replaced by a rekey), and its CHILD SAs are
 * reported only in between.
 *
 * IKEv1 (v1_rekey.c) differs: a new ISAKMP SA is a phase 1 of its own,
 * up with IKE_UP, and is reported replacing older ones (IKE_REKEYED)
 * once it is. A replaced ISAKMP SA lives on silently (SA_REPLACED) until
 * the peer deletes it or its lifetime ends: a Quick Mode that ran on it
 * may still finish there (CHILD_UP), its own rekey time may replace it
 * again, and when the peer deletes its successor, the CHILD SAs may go
 * back to it (IKE_REKEYED naming it the new one: two ISAKMP SAs with one
 * peer, both up; it is up again then, and its end is reported). These
 * are counted (v1_replaced_events), not failed. */
static void
life_event(struct host *h, const struct ike_event *ev, const char *name)
{
	uint8_t *me = life_of(h, ev->ike_id);
	uint8_t *old =
	    ev->type == IKE_EV_IKE_REKEYED ? life_of(h, ev->old_id) : NULL;
	bool v1_old = false;

	if (!me || (ev->type == IKE_EV_IKE_REKEYED && !old))
		return;
	switch (ev->type) {
	case IKE_EV_IKE_UP:
	case IKE_EV_IKE_REKEYED:
		if (*me == SA_REPLACED && ev->type == IKE_EV_IKE_REKEYED)
			h->sim->st.v1_replaced_events++;
		else if (*me &&
			 !(ev->type == IKE_EV_IKE_REKEYED && *me == SA_UP &&
			   version_of(h, ev->ike_id) == 1))
			sim_fail(h->sim,
				 "%s: %s for IKE SA #%u, which was "
				 "already up",
				 h->name, name, ev->ike_id);
		if (old) {
			v1_old = version_of(h, ev->old_id) == 1;
			if (*old == SA_REPLACED)
				h->sim->st.v1_replaced_events++;
			else if (*old != SA_UP)
				sim_fail(h->sim,
					 "%s: IKE SA #%u replaces #%u, which "
					 "was %s",
					 h->name, ev->ike_id, ev->old_id,
					 *old ? "already gone" : "never up");
		}
		/* One replaced that takes pairs back carries on: its end
		 * is reported (IKE_DOWN, or replaced again). */
		*me = SA_UP;
		if (old)
			*old = v1_old ? SA_REPLACED : SA_ENDED;
		break;
	case IKE_EV_IKE_DOWN:
		if (*me != SA_UP)
			sim_fail(h->sim,
				 "%s: IKE_DOWN for IKE SA #%u, which "
				 "was %s",
				 h->name, ev->ike_id,
				 *me == SA_REPLACED
				     ? "reported replaced"
				     : (*me ? "already gone" : "never up"));
		*me = SA_ENDED;
		break;
	case IKE_EV_CHILD_UP:
	case IKE_EV_CHILD_DOWN:
	case IKE_EV_CHILD_REKEYED:
		if (*me == SA_REPLACED)
			h->sim->st.v1_replaced_events++;
		else if (*me != SA_UP)
			sim_fail(h->sim, "%s: %s on IKE SA #%u, which is %s",
				 h->name, name, ev->ike_id,
				 *me ? "gone" : "not up");
		break;
	default:
		break;
	}
}

/* After everything was terminated: every IKE SA that came up ended. */
void
host_check_life(struct host *h)
{
	size_t i;

	for (i = 0; i < h->n_life && !h->sim->failed; i++)
		if (h->life[i] == SA_UP)
			sim_fail(h->sim,
				 "%s: IKE SA #%zu came up and was never "
				 "reported down",
				 h->name, i);
}

/* The connection talks IKEv1 (its name is "to-h<peer>"). */
static bool
conn_v1_peer(const struct host *h, const char *conn, unsigned *peer)
{
	return conn && sscanf(conn, "to-h%u", peer) == 1 &&
	       *peer < h->sim->n_hosts && h->sim->v1[h->idx][*peer];
}

static bool
conn_v1(const struct host *h, const char *conn)
{
	unsigned p;

	return conn_v1_peer(h, conn, &p);
}

static void
env_event(void *ctx, const struct ike_event *ev)
{
	static const char *const names[] = {
	    "IKE_UP",      "IKE_DOWN", "CHILD_UP",      "CHILD_DOWN",
	    "AUTH_FAILED", "FAILED",   "CHILD_REKEYED", "IKE_REKEYED",
	};
	struct host *h = ctx;
	unsigned peer;

	h->sim->st.events++;
	if (h->sim->verbose)
		sim_log(h->sim, "%s event %s ike #%u child #%u old #%u %s",
			h->name, names[ev->type], ev->ike_id, ev->child_id,
			ev->old_id, ev->reason ? ev->reason : "");
	life_event(h, ev, names[ev->type]);
	if (conn_v1_peer(h, ev->conn, &peer)) {
		h->sim->st.v1_ike_up += ev->type == IKE_EV_IKE_UP;
		h->sim->st.v1_child_up += ev->type == IKE_EV_CHILD_UP;
		/* All share one PSK: only a message the adversary damaged
		 * fails authentication, and in IKEv1 that ends our side
		 * only (a message 6 that does not verify is a wrong key to
		 * the initiator, IKEV1.md), so the pair may differ. */
		if (ev->type == IKE_EV_AUTH_FAILED)
			h->sim->v1_upset[peer][h->idx]++;
	}
	/* dpd's restart: the SA that lost its peer is initiated again
	 * from its own IKE_DOWN (or FAILED) event, half the time. For
	 * IKEv1 only one that came up, as dpd does: a peer that dropped
	 * the connection ignores Main Mode without a word, and restarts
	 * on top of the keying tries would grow without end. */
	if ((ev->type == IKE_EV_IKE_DOWN || ev->type == IKE_EV_FAILED) &&
	    ev->reason && strcmp(ev->reason, "peer not responding") == 0 &&
	    (!conn_v1(h, ev->conn) ||
	     (ev->ike_id < h->n_life && h->life[ev->ike_id])) &&
	    rng_chance(&h->sim->hook_rng, 500)) {
		unsigned id = ike_reinitiate(h->e, h->sim->now, ev->ike_id);

		if (id == ev->ike_id)
			sim_fail(h->sim,
				 "%s: ike_reinitiate of dead IKE SA #%u "
				 "returned it",
				 h->name, id);
		h->sim->st.reinitiated += id != 0;
		if (h->sim->verbose)
			sim_log(h->sim,
				"%s: dead IKE SA #%u re-initiated as #%u",
				h->name, ev->ike_id, id);
	}
}

const char *
host_conn_name(unsigned peer, char *buf, size_t len)
{
	snprintf(buf, len, "to-h%u", peer);
	return buf;
}

int
host_peer_of(const struct sim *s, const struct ike_endpoint *ep)
{
	struct ike_endpoint a;
	unsigned i, k;

	for (i = 0; i < s->n_hosts; i++)
		for (k = 0; k < SIM_ALIASES; k++) {
			host_endpoint(&a, i, k);
			if (memcmp(&a.ss, &ep->ss, sizeof(ep->ss)) == 0)
				return (int)i;
		}
	return -1;
}

/* 192.0.2.1 + idx port 500 (alias 0), or port 4500, or 198.51.100.1 +
 * idx on either port: where a NAT might have moved the host to. */
void
host_endpoint(struct ike_endpoint *ep, unsigned idx, unsigned alias)
{
	struct sockaddr_in *a = (struct sockaddr_in *)&ep->ss;

	memset(ep, 0, sizeof(*ep));
	a->sin_family = AF_INET;
	a->sin_port = htons(alias & 1 ? 4500 : 500);
	a->sin_addr.s_addr = htonl((alias & 2 ? 0xc6336401 : 0xc0000201) + idx);
}

static void
fqdn(struct ike_id_cfg *id, unsigned idx)
{
	/* The engine copies an ID's data; these outlive every config. */
	static char names[SIM_MAX_HOSTS][16];

	memset(id, 0, sizeof(*id));
	id->type = IKEV2_ID_FQDN;
	id->len =
	    (size_t)snprintf(names[idx], sizeof(names[idx]), "h%u.sim", idx);
	id->data = (const uint8_t *)names[idx];
}

/* 10.<a>.<b>.0/24 ranges: "net" takes the lower half of 10.<host>/16,
 * "net2" the upper, so a responder tells the two children apart. */
static void
range(struct ike_ts_cfg *t, unsigned host, bool upper)
{
	memset(t, 0, sizeof(*t));
	t->ts.type = IKEV2_TS_IPV4_ADDR_RANGE;
	t->ts.eport = 65535;
	t->ts.saddr[0] = t->ts.eaddr[0] = 10;
	t->ts.saddr[1] = t->ts.eaddr[1] = (uint8_t)(host + 1);
	t->ts.saddr[2] = upper ? 128 : 0;
	t->ts.eaddr[2] = upper ? 255 : 127;
	t->ts.eaddr[3] = 255;
}

static int
props(struct proposal *out, unsigned *n, const char *const *kw, unsigned nkw,
      uint8_t proto, struct rng *r)
{
	char err[256];
	unsigned i, first = (unsigned)rng_below(r, nkw);

	/* All of them, starting at a random one. */
	for (i = 0; i < nkw; i++)
		if (prop_parse(kw[(first + i) % nkw], proto, &out[i], err,
			       sizeof(err)) < 0)
			return -1;
	*n = nkw;
	return 0;
}

static uint64_t
rekey_time(struct rng *r)
{
	return rng_chance(r, 500) ? 0 : 30000 + rng_below(r, 90000);
}

static int
conn_for(struct host *h, unsigned peer, struct rng *r, struct ike_conn_cfg *c,
	 struct conn_room *room)
{
	struct sim *s = h->sim;
	/* Timed rekeys only where they cannot collide (see sim.h). */
	bool timed = s->collisions || s->driver[h->idx][peer] == h->idx;
	bool v1 = s->v1[h->idx][peer];
	unsigned i;

	memset(c, 0, sizeof(*c));
	conn_room_at(c, room);
	host_conn_name(peer, c->name, sizeof(c->name));
	c->local = h->addr;
	host_endpoint(&c->remote, peer, 0);
	c->version = v1 ? 1 : 2;
	if (props(c->proposals, &c->n_proposals, v1 ? ike_props_v1 : ike_props,
		  2, IKEV2_PROTO_IKE, r) < 0)
		return -1;
	fqdn(&c->local_id, h->idx);
	fqdn(&c->remote_id, peer);
	c->keyingtries = 1 + (unsigned)rng_below(r, 3);
	c->rekey_ms = timed ? rekey_time(r) : 0;
	c->n_children = 2;
	for (i = 0; i < 2; i++) {
		struct ike_child_cfg *ch = &c->children[i];

		snprintf(ch->name, sizeof(ch->name), i ? "net2" : "net");
		/* IKEv1's second child is in transport mode: Quick Mode
		 * with the hosts' addresses as IDs. */
		ch->transport = v1 && i == 1;
		if (!ch->transport) {
			ch->n_local_ts = ch->n_remote_ts = 1;
			range(&ch->local_ts[0], h->idx, i);
			range(&ch->remote_ts[0], peer, i);
		}
		if (props(ch->proposals, &ch->n_proposals,
			  v1 ? esp_props_v1 : esp_props, 2, IKEV2_PROTO_ESP,
			  r) < 0)
			return -1;
		ch->start = i == 0;
		ch->rekey_ms = timed ? rekey_time(r) : 0;
	}
	return 0;
}

int
host_load(struct host *h, unsigned variant)
{
	struct sim *s = h->sim;
	struct ike_conn_cfg *c = calloc(s->n_hosts, sizeof(*c));
	struct conn_room *room = calloc(s->n_hosts, sizeof(*room));
	struct rng r;
	size_t n = 0;
	unsigned p;
	int rc;

	if (!c || !room) {
		free(c);
		free(room);
		return -1;
	}
	/* A variant is a function of the seed, the host and its number:
	 * reloading variant v twice gives the same configs. */
	rng_init(&r, s->seed, 1000 + 64 * (uint64_t)variant + h->idx);
	for (p = 0; p < s->n_hosts; p++) {
		if (!s->pair[h->idx][p])
			continue;
		/* A changed config may drop a connection (its SAs get
		 * deleted: only by the side allowed to delete). */
		if (variant && rng_chance(&r, 150) &&
		    (s->collisions || s->driver[h->idx][p] == h->idx))
			continue;
		if (conn_for(h, p, &r, &c[n], &room[n]) < 0) {
			free(c);
			free(room);
			return -1;
		}
		n++;
	}
	rc = ike_engine_set_conns(h->e, c, n, s->now);
	free(h->conns);
	free(h->conn_rooms);
	h->conns = c;
	h->conn_rooms = room;
	h->n_conns = n;
	h->variant = variant;
	return rc;
}

int
host_setup(struct sim *s, unsigned idx)
{
	struct host *h = &s->h[idx];
	struct ike_env env = {
	    .ctx = h,
	    .send = env_send,
	    .spi_alloc = env_spi_alloc,
	    .child_install = env_install,
	    .child_remove = env_remove,
	    .auth_sign = env_sign,
	    .auth_verify = env_verify,
	    .random = env_random,
	    .log = env_log,
	    .event = env_event,
	};
	struct ike_limits lim;

	h->sim = s;
	h->idx = idx;
	snprintf(h->name, sizeof(h->name), "h%u", idx);
	host_endpoint(&h->addr, idx, 0);
	rng_init(&h->rand, s->seed, 100 + idx);
	hooks_env(&env);
	hooks_setup(h);
	h->psk = secret_dup(PSK, strlen(PSK));
	h->e = h->psk ? ike_engine_new(&env) : NULL;
	if (!h->e)
		return -1;
	/* Shorter than the defaults so that a drain is short, the same
	 * order as each other so that they interleave. */
	ike_limits_default(&lim);
	lim.half_open_ms = 20000;
	lim.delete_wait_ms = 20000;
	ike_engine_set_limits(h->e, &lim);
	ike_engine_set_retransmit(h->e, 1000, 1.5, 4);
	/* Smaller than charond allows, so that IKE_AUTH goes in fragments
	 * (RFC 7383) through the loss, duplication and reordering; every
	 * third host takes none, so both kinds meet. */
	ike_engine_set_fragment_size(h->e, idx % 3 == 2 ? 0 : 300);
	return host_load(h, 0);
}

void
host_free(struct host *h)
{
	ike_engine_free(h->e);
	h->e = NULL;
	secret_free(h->psk);
	h->psk = NULL;
	free(h->conns);
	h->conns = NULL;
	free(h->conn_rooms);
	h->conn_rooms = NULL;
	free(h->life);
	h->life = NULL;
	h->n_life = 0;
	free(h->heard);
	h->heard = NULL;
	h->n_heard = 0;
	kernel_free(&h->k);
}
