/* SPDX-License-Identifier: ISC */
/*
 * The engine: its connections, the entry points of ike.h, and the first
 * routing of every datagram to the SA (or the new SA) it belongs to.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "ike_int.h"

void
ike_log(struct ike_engine *e, const struct ike_sa *sa, enum ike_log_level level,
	const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	if (!e->env.log)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	e->env.log(e->env.ctx, level, sa ? ike_conn(e, sa)->name : NULL,
		   sa ? sa->id : 0, buf);
}

/* Before anything is reported about an SA, what must come first: in
 * IKEv2, an SA the peer's colliding rekey made is reported as its
 * predecessor's successor (v2_rekey_announce_peers). */
void
ike_announce(struct ike_engine *e, const struct ike_sa *sa)
{
	sa_version(sa)->announce(e, sa);
}

/* An SA the host names: it knows it from list-sas, so it must have been
 * reported, even if it is the peer's side of a rekey collision not yet
 * settled. */
static struct ike_sa *
sa_for_host(struct ike_engine *e, unsigned ike_id)
{
	struct ike_sa *sa = sa_by_id(e, ike_id);

	/* A listener of a dying SA's events may not start anything on it. */
	if (sa && sa->dying)
		return NULL;
	if (sa)
		ike_announce(e, sa);
	return sa;
}

void
ike_emit(struct ike_engine *e, const struct ike_sa *sa,
	 enum ike_event_type type, const struct child_sa *c, const char *reason)
{
	const struct ike_conn_cfg *conn = ike_conn(e, sa);
	struct ike_event ev;

	ike_announce(e, sa);
	ev = (struct ike_event){
	    .type = type,
	    .ike_id = sa->id,
	    .child_id = c ? c->id : 0,
	    .conn = conn->name,
	    .child = c ? conn->children[c->cfg].name : NULL,
	    .reason = reason,
	};

	if (e->env.event)
		e->env.event(e->env.ctx, &ev);
}

/* A rekey: the new SA (c, or sa when c is NULL) replaces old_id. */
void
ike_emit_rekeyed(struct ike_engine *e, const struct ike_sa *sa,
		 const struct child_sa *c, unsigned old_id)
{
	const struct ike_conn_cfg *conn = ike_conn(e, sa);
	const struct ike_sa *old = c ? NULL : sa_by_id(e, old_id);
	struct ike_event ev;

	if (old)
		ike_announce(e, old);
	ike_announce(e, sa);
	ev = (struct ike_event){
	    .type = c ? IKE_EV_CHILD_REKEYED : IKE_EV_IKE_REKEYED,
	    .ike_id = sa->id,
	    .child_id = c ? c->id : 0,
	    .conn = conn->name,
	    .child = c ? conn->children[c->cfg].name : NULL,
	    .old_id = old_id,
	};

	if (e->env.event)
		e->env.event(e->env.ctx, &ev);
}

const struct ike_conn_cfg *
ike_conn(const struct ike_engine *e, const struct ike_sa *sa)
{
	return &sa->conn->cfg;
}

static void
drop_conns(struct ike_engine *e)
{
	size_t i;

	for (i = 0; i < e->n_conns; i++)
		conn_unref(e->conns[i]);
	free(e->conns);
	e->conns = NULL;
	e->n_conns = 0;
}

struct ike_engine *
ike_engine_new(const struct ike_env *env)
{
	struct ike_engine *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	e->env = *env;
	e->rt_timeout = 4000;
	e->rt_base = 1.8;
	e->rt_tries = 5;
	ike_limits_default(&e->lim);
	e->plain = malloc(IKEV2_MAX_MSG_LEN);
	e->out = malloc(IKEV2_MAX_MSG_LEN);
	e->msg = malloc(sizeof(*e->msg));
	e->props = prop_pool_new();
	if (!e->plain || !e->out || !e->msg || !e->props || ext_init(e) < 0 ||
	    ike_random(e, e->hash_key, sizeof(e->hash_key)) < 0) {
		ike_engine_free(e);
		return NULL;
	}
	return e;
}

void
ike_engine_free(struct ike_engine *e)
{
	if (!e)
		return;
	e->freeing = true;
	while (e->sas)
		sa_free(e, e->sas);
	free(e->by_ours);
	free(e->by_peer);
	free(e->by_id);
	free(e->heap);
	drop_conns(e);
	prop_pool_free(e->props);
	guard_free(e);
	ext_free(e);
	htimer_free(e);
	if (e->plain)
		OPENSSL_cleanse(e->plain, IKEV2_MAX_MSG_LEN);
	free(e->plain);
	free(e->out);
	free(e->msg);
	OPENSSL_cleanse(e->cookie_secret, sizeof(e->cookie_secret));
	OPENSSL_cleanse(e->hash_key, sizeof(e->hash_key));
	free(e);
}

void
ike_limits_default(struct ike_limits *l)
{
	memset(l, 0, sizeof(*l));
	l->cookie_threshold = 10;
	l->cookie_threshold_ip = 3;
	l->block_threshold = 5;
	l->init_limit_half_open = 10000;
	l->half_open_ms = 30000;
	l->delete_wait_ms = 30000;
	l->cookie_rotate_ms = 120000;
	l->init_max_len = 8192;
	l->init_max_payloads = 24;
	l->log_per_sec = 20;
}

void
ike_engine_set_limits(struct ike_engine *e, const struct ike_limits *l)
{
	e->lim = *l;
	if (!e->lim.cookie_rotate_ms)
		e->lim.cookie_rotate_ms = 120000;
}

void
ike_engine_set_cookie_threshold(struct ike_engine *e, size_t n)
{
	e->lim.cookie_threshold = n > UINT_MAX ? UINT_MAX : (unsigned)n;
}

void
ike_engine_set_retransmit(struct ike_engine *e, uint64_t timeout_ms,
			  double base, unsigned tries)
{
	e->rt_timeout = timeout_ms;
	e->rt_base = base;
	e->rt_tries = tries;
}

int
ike_engine_set_conns(struct ike_engine *e, const struct ike_conn_cfg *c,
		     size_t n, uint64_t now)
{
	struct conn **set = n ? calloc(n, sizeof(*set)) : NULL;
	bool *kept = e->n_conns ? calloc(e->n_conns, sizeof(*kept)) : NULL;
	struct conn_index old = {0}, fresh = {0};
	struct ike_sa *sa;
	size_t i, j, k;

	if ((n && !set) || (e->n_conns && !kept) ||
	    conn_index_init(&old, e->conns, e->n_conns) < 0)
		goto fail;
	for (i = 0; i < n; i++) {
		/* The same config (name included): the same connection, and
		 * its SAs are untouched. */
		k = SIZE_MAX;
		while ((j = conn_index_next(&old, c[i].name, &k)) != SIZE_MAX)
			if (!kept[j] &&
			    conn_cfg_equal(&e->conns[j]->cfg, &c[i]))
				break;
		if (j != SIZE_MAX) {
			kept[j] = true;
			set[i] = e->conns[j];
			continue;
		}
		if (!(set[i] = conn_copy(e, &c[i])))
			goto fail;
	}
	if (conn_index_init(&fresh, set, n) < 0)
		goto fail;
	/* What is left of the old set has left the engine: its SAs keep their
	 * config until they are gone, and those of a connection whose name
	 * is gone altogether are closed. A connection that changed under the
	 * same name keeps its SAs on the old config: the host decides whether
	 * they start over (charond does). */
	for (j = 0; j < e->n_conns; j++)
		if (!kept[j])
			e->conns[j]->leaving = true;
	for (sa = e->sas; sa; sa = sa->next) {
		if (!sa->conn->leaving || sa->state == IKE_SA_DEAD)
			continue;
		k = SIZE_MAX;
		if (conn_index_next(&fresh, sa->conn->cfg.name, &k) == SIZE_MAX)
			ike_terminate(e, now, sa->id);
	}
	for (j = 0; j < e->n_conns; j++) {
		if (kept[j])
			continue;
		e->conns[j]->leaving = false;
		conn_unref(e->conns[j]);
	}
	free(old.slot);
	free(fresh.slot);
	free(kept);
	free(e->conns);
	e->conns = set;
	e->n_conns = n;
	return 0;
fail:
	/* Undo: free what was made here, keep what was already ours. */
	for (i = 0; set && i < n; i++) {
		for (j = 0; set[i] && j < e->n_conns; j++)
			if (e->conns[j] == set[i])
				break;
		if (set[i] && j == e->n_conns)
			conn_free(set[i]);
	}
	free(old.slot);
	free(fresh.slot);
	free(set);
	free(kept);
	return -1;
}

/* RFC 7296 1.5: a major version we do not speak gets an unauthenticated
 * INVALID_MAJOR_VERSION in an IKE_SA_INIT, and silence otherwise. */
static void
reply_major_version(struct ike_engine *e, const struct ike_endpoint *local,
		    const struct ike_endpoint *remote, const uint8_t *pkt,
		    size_t len)
{
	struct ike_hdr in, h = {0};
	struct pld_notify n = {0, 0, IKEV2_N_INVALID_MAJOR_VERSION};
	struct msg_builder b;
	struct cur c;
	uint8_t ver;
	size_t out;

	cur_init(&c, pkt, len, 0);
	cur_copy(&c, in.spi_i, IKEV2_SPI_LEN);
	cur_copy(&c, in.spi_r, IKEV2_SPI_LEN);
	cur_u8(&c, &in.np);
	cur_u8(&c, &ver);
	cur_u8(&c, &in.exchange);
	cur_u8(&c, &in.flags);
	cur_u32(&c, &in.msgid);
	if (!cur_ok(&c) || in.exchange != IKEV2_EXCH_IKE_SA_INIT ||
	    (in.flags & IKEV2_FLAG_RESPONSE) || (ver >> 4) <= IKEV2_MAJOR)
		return;
	memcpy(h.spi_i, in.spi_i, IKEV2_SPI_LEN);
	h.major = IKEV2_MAJOR;
	h.exchange = in.exchange;
	h.flags = IKEV2_FLAG_RESPONSE;
	h.msgid = in.msgid;
	msg_build_init(&b, e->out, IKEV2_MAX_MSG_LEN, &h);
	pld_notify_put(&b, &n);
	if ((out = msg_build_finish(&b)))
		e->env.send(e->env.ctx, local, remote, e->out, out);
}

/* An IKE_SA_INIT request: a new SA, or a retransmission of the request
 * that created one (RFC 7296 2.1), answered again only if byte-identical. */
static void
init_request(struct ike_engine *e, uint64_t now,
	     const struct ike_endpoint *local,
	     const struct ike_endpoint *remote, const struct msg *m)
{
	uint8_t hash[IKE_REQ_HASH_LEN];
	struct ike_sa *sa;

	if (spi8_zero(m->hdr.spi_i) || !spi8_zero(m->hdr.spi_r) ||
	    m->hdr.msgid) {
		ike_drop(e, NULL, IKE_DROP_BAD_INIT,
			 "IKE_SA_INIT request with a zero initiator SPI, a "
			 "responder SPI or message ID %u; dropped",
			 m->hdr.msgid);
		return;
	}
	sa = sa_by_peer(e, m->hdr.spi_i, remote);
	if (!sa) {
		v2_init_respond(e, now, local, remote, m);
		return;
	}
	guard_request_hash(e, m->raw, hash);
	if (sa->version == 2 && sa->state == IKE_SA_CONNECTING &&
	    sa->v2.phase == V2_INIT_KE &&
	    bytes_equal_ct(hash, sa->resp_req_hash, sizeof(hash))) {
		ike_log(e, sa, IKE_LOG_DEBUG,
			"IKE_SA_INIT retransmitted while our key exchange is "
			"computed; the answer follows");
		return;
	}
	if (sa->state != IKE_SA_CONNECTING || !sa->resp ||
	    !bytes_equal_ct(hash, sa->resp_req_hash, sizeof(hash))) {
		ike_drop(e, sa, IKE_DROP_REPLAY,
			 "IKE_SA_INIT request for an existing IKE SA that is "
			 "not a retransmission; dropped");
		return;
	}
	e->env.send(e->env.ctx, &sa->local, &sa->remote, sa->resp,
		    sa->resp_len);
}

static void
input_one(struct ike_engine *e, uint64_t now, const struct ike_endpoint *local,
	  const struct ike_endpoint *remote, const uint8_t *pkt, size_t len)
{
	struct msg *m = e->msg;
	struct ike_err err = {0};
	struct ike_sa *sa;
	bool from_initiator;

	/* The major version (offset 17, RFC 2408 3.1, RFC 7296 3.1): IKEv1
	 * has its own framing and routing. */
	if (len > 17 && (pkt[17] >> 4) == IKEV1_MAJOR) {
		v1_input(e, now, local, remote, pkt, len);
		return;
	}
	if (msg_frame(pkt, len, m, &err) < 0) {
		ike_drop(e, NULL, IKE_DROP_MALFORMED, "dropped %zu bytes: %s",
			 len, err.msg);
		if (err.notify == IKEV2_N_INVALID_MAJOR_VERSION)
			reply_major_version(e, local, remote, pkt, len);
		return;
	}
	if (m->hdr.exchange == IKEV2_EXCH_IKE_SA_INIT &&
	    !(m->hdr.flags & IKEV2_FLAG_RESPONSE)) {
		init_request(e, now, local, remote, m);
		return;
	}
	from_initiator = m->hdr.flags & IKEV2_FLAG_INITIATOR;
	sa = sa_by_ours(e, from_initiator ? m->hdr.spi_r : m->hdr.spi_i);
	/* An ISAKMP SA's cookies under an IKEv2 header are no SA of IKEv2's:
	 * its union holds IKEv1 state. */
	if (!sa || sa->version != 2 || sa->initiator == from_initiator ||
	    sa->state == IKE_SA_DEAD) {
		ike_drop(e, NULL, IKE_DROP_UNKNOWN_SA,
			 "message for an unknown IKE SA; dropped");
		return;
	}
	/* No keys yet, and no message of the peer's can be due. */
	if (sa->state == IKE_SA_CONNECTING && sa->v2.phase == V2_INIT_KE) {
		ike_drop(e, sa, IKE_DROP_STATE,
			 "message for an IKE SA whose IKE_SA_INIT is not "
			 "answered yet; dropped");
		return;
	}
	xchg_input(e, sa, now, m);
}

void
ike_input(struct ike_engine *e, uint64_t now, const struct ike_endpoint *local,
	  const struct ike_endpoint *remote, const uint8_t *pkt, size_t len)
{
	e->now = now;
	e->in_local = local;
	e->in_remote = remote;
	input_one(e, now, local, remote, pkt, len);
	e->in_local = NULL;
	e->in_remote = NULL;
}

uint64_t
ike_next_deadline(const struct ike_engine *e)
{
	uint64_t sa = timerq_next(e), host = htimer_next(e);

	return sa < host ? sa : host;
}

/* Every state but ESTABLISHED ends on a timer: a half-open SA whose peer
 * never sent IKE_AUTH, and an SA the peer rekeyed (or that we are
 * deleting) whose DELETE never came. */
static void
expire(struct ike_engine *e, struct ike_sa *sa)
{
	if (sa->state == IKE_SA_CONNECTING && !sa->initiator) {
		if (sa->version == 1)
			ike_log(e, sa, IKE_LOG_INFO,
				"peer never completed %s; half-open ISAKMP SA "
				"dropped",
				v1_mode(sa));
		else
			ike_log(e, sa, IKE_LOG_INFO,
				"peer never completed IKE_AUTH; half-open IKE "
				"SA dropped");
		sa_kill(e, sa, "half-open timeout");
	} else if (sa->state == IKE_SA_DELETING) {
		ike_log(e, sa, IKE_LOG_INFO,
			"peer never deleted this IKE SA; removed");
		sa_kill(e, sa, "delete timeout");
	} else {
		ike_log(e, sa, IKE_LOG_INFO,
			"IKE SA not established in time; dropped");
		sa_kill(e, sa, "setup timeout");
	}
}

uint64_t
ike_tick(struct ike_engine *e, uint64_t now)
{
	struct ike_sa *sa;

	e->now = now;
	while ((sa = timerq_pop_due(e, now))) {
		struct child_sa *c, *next;

		if (sa->state == IKE_SA_DEAD) {
			sa_free(e, sa);
			continue;
		}
		if (sa->expire_at && sa->expire_at <= now &&
		    sa->state != IKE_SA_ESTABLISHED) {
			expire(e, sa);
			continue;
		}
		xchg_tick(e, sa, now);
		if (sa_version(sa)->timers)
			sa_version(sa)->timers(e, sa, now);
		if (sa->rekey_at && sa->rekey_at <= now && !sa->req.msg &&
		    sa->state == IKE_SA_ESTABLISHED) {
			sa->rekey_at = 0;
			sa_version(sa)->rekey_ike(e, sa, now);
		}
		/* One rekey at a time: the exchange window is one. */
		/* A rekey may end its child (IKEv1's retired pairs). */
		for (c = sa->children; c && !sa->req.msg; c = next) {
			next = c->next;
			if (c->installed && c->rekey_at && c->rekey_at <= now &&
			    sa->state == IKE_SA_ESTABLISHED) {
				c->rekey_at = 0;
				if (sa_version(sa)->rekey_child(e, sa, now, c) <
				    0)
					ike_log(
					    e, sa, IKE_LOG_WARN,
					    "could not start rekeying CHILD "
					    "SA #%u",
					    c->id);
			}
		}
		actions_next_child(e, sa, now);
		sa_schedule(e, sa);
	}
	htimer_run(e, now);
	return ike_next_deadline(e);
}

unsigned
ike_initiate(struct ike_engine *e, uint64_t now, const char *conn,
	     const char *child)
{
	const struct ike_conn_cfg *c = NULL;
	const struct ike_version_ops *v;
	struct conn *cn = NULL;
	struct ike_sa *sa;
	uint8_t version;
	size_t i;
	e->now = now;

	for (i = 0; i < e->n_conns; i++)
		if (strcmp(e->conns[i]->cfg.name, conn) == 0)
			cn = e->conns[i];
	if (cn)
		c = &cn->cfg;
	if (!c) {
		ike_log(e, NULL, IKE_LOG_ERROR, "no connection named '%s'",
			conn);
		return 0;
	}
	/* 0, "either", is for a responder; we start IKEv2 then. */
	version = c->version ? c->version : 2;
	if (!(v = ike_version_ops(version))) {
		ike_log(e, NULL, IKE_LOG_ERROR,
			"connection '%s': IKEv%u is not implemented yet", conn,
			version);
		return 0;
	}
	if (c->remote.ss.ss_family == AF_UNSPEC) {
		ike_log(e, NULL, IKE_LOG_ERROR,
			"connection '%s' has no remote address to initiate to",
			conn);
		return 0;
	}
	/* A child of a connection that is up rides on its IKE SA. */
	for (sa = e->sas; child && sa; sa = sa->next) {
		if (sa->state != IKE_SA_ESTABLISHED || sa->conn != cn)
			continue;
		for (i = 0; i < c->n_children; i++)
			if (strcmp(c->children[i].name, child) == 0)
				return sa_version(sa)->create_child(
					   e, sa, now, (unsigned)i) == 0
					   ? sa->id
					   : 0;
	}
	sa = sa_new(e, cn, true, version);
	if (!sa)
		return 0;
	sa->local = c->local;
	sa->remote = c->remote;
	sa->attempt = 1;
	for (i = 0; i < c->n_children; i++)
		if (child ? strcmp(c->children[i].name, child) == 0
			  : c->children[i].start) {
			sa->want_child = (unsigned)i + 1;
			break;
		}
	if (child && !sa->want_child) {
		ike_log(e, sa, IKE_LOG_ERROR,
			"connection '%s' has no child "
			"'%s'",
			conn, child);
		sa_kill(e, sa, "no such child");
		return 0;
	}
	sa_set_our_spi(e, sa);
	if (v->initiate(e, sa, now) < 0) {
		sa_kill(e, sa, "could not start IKE_SA_INIT");
		return 0;
	}
	return sa->id;
}

int
ike_terminate(struct ike_engine *e, uint64_t now, unsigned ike_id)
{
	struct ike_sa *sa = sa_for_host(e, ike_id);
	e->now = now;

	if (!sa || sa->state == IKE_SA_DEAD)
		return -1;
	if (sa->state != IKE_SA_ESTABLISHED) {
		sa_kill(e, sa, "terminated");
		return 0;
	}
	return sa_version(sa)->delete_ike(e, sa, now);
}

int
ike_rekey(struct ike_engine *e, uint64_t now, unsigned ike_id)
{
	struct ike_sa *sa = sa_for_host(e, ike_id);

	e->now = now;
	if (!sa || sa->state != IKE_SA_ESTABLISHED)
		return -1;
	return sa_version(sa)->rekey_ike(e, sa, now);
}

int
ike_rekey_child(struct ike_engine *e, uint64_t now, unsigned ike_id,
		unsigned child_id)
{
	struct ike_sa *sa = sa_for_host(e, ike_id);
	struct child_sa *c;

	e->now = now;
	if (!sa || sa->state != IKE_SA_ESTABLISHED)
		return -1;
	for (c = sa->children; c; c = c->next)
		if (c->id == child_id && c->installed)
			return sa_version(sa)->rekey_child(e, sa, now, c);
	return -1;
}

int
ike_terminate_child(struct ike_engine *e, uint64_t now, unsigned ike_id,
		    unsigned child_id)
{
	struct ike_sa *sa = sa_for_host(e, ike_id);
	struct child_sa *c;
	e->now = now;

	if (!sa)
		return -1;
	for (c = sa->children; c; c = c->next)
		if (c->id == child_id && c->installed)
			return sa_version(sa)->delete_child(e, sa, c, now);
	return -1;
}

int
ike_liveness(struct ike_engine *e, uint64_t now, unsigned ike_id)
{
	struct ike_sa *sa = sa_by_id(e, ike_id);

	e->now = now;
	/* Window one: a request in flight already shows whether the peer is
	 * there. */
	if (!sa || sa->state != IKE_SA_ESTABLISHED || sa->req.msg)
		return -1;
	return sa_version(sa)->liveness(e, sa, now);
}

void
ike_terminate_all(struct ike_engine *e, uint64_t now)
{
	struct ike_sa *sa;

	for (sa = e->sas; sa; sa = sa->next)
		ike_terminate(e, now, sa->id);
}
