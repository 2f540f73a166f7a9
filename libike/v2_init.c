/* SPDX-License-Identifier: ISC */
/*
 * IKE_SA_INIT (RFC 7296 1.2): proposals, key exchange and nonces, as
 * initiator (with the retry on INVALID_KE_PAYLOAD and COOKIE, 1.2 and 2.6)
 * and as responder, ending with the IKE SA's keys derived (2.14).
 */
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "ike_int.h"

/* RFC 7383 2.3: IKEV2_FRAGMENTATION_SUPPORTED, empty. */
static void
frag_announce(const struct ike_engine *e, struct msg_builder *b)
{
	struct pld_notify n = {
	    0, 0, IKEV2_N_IKEV2_FRAGMENTATION_SUPPORTED, {NULL, 0}, {NULL, 0}};

	if (e->frag_size)
		pld_notify_put(b, &n);
}

static bool
frag_announced(const struct msg *m)
{
	const struct pld_ref *r = NULL;
	struct pld_notify n;
	struct ike_err err;

	while ((r = msg_find(m, IKEV2_PL_N, r)))
		if (pld_notify_get(r, &n, &err) == 0 &&
		    n.type == IKEV2_N_IKEV2_FRAGMENTATION_SUPPORTED)
			return true;
	return false;
}

/* The address of an endpoint: its family and bytes, 0 if it has none. */
static int
endpoint_addr(const struct ike_endpoint *ep, uint8_t addr[16])
{
	if (ep->ss.ss_family == AF_INET) {
		memcpy(addr, &((const struct sockaddr_in *)&ep->ss)->sin_addr,
		       4);
		return AF_INET;
	}
	if (ep->ss.ss_family == AF_INET6) {
		memcpy(addr, &((const struct sockaddr_in6 *)&ep->ss)->sin6_addr,
		       16);
		return AF_INET6;
	}
	return 0;
}

/* How specifically m matches the address: -1 not at all, 0 any address,
 * 1 + the prefix length for an entry of the address's family (a host
 * beats a subnet beats %any4). */
static int
addr_match_score(const struct ike_addr_match *m, int family,
		 const uint8_t *addr)
{
	unsigned bytes = m->prefix / 8, bits = m->prefix % 8;

	if (m->family == AF_UNSPEC)
		return 0;
	if (m->family != family || m->prefix > (family == AF_INET ? 32 : 128) ||
	    memcmp(m->addr, addr, bytes) != 0)
		return -1;
	if (bits && ((m->addr[bytes] ^ addr[bytes]) & (0xff00 >> bits) & 0xff))
		return -1;
	return 1 + m->prefix;
}

/* The best score of a side's list for ep's address. An empty list is what
 * the side's configured endpoint names: its host, or any address. */
static int
side_score(const struct ike_addr_match *list, unsigned n,
	   const struct ike_endpoint *cfg, const struct ike_endpoint *ep)
{
	struct ike_addr_match host = {0};
	uint8_t addr[16] = {0};
	int family = endpoint_addr(ep, addr), best = -1, s;
	unsigned i;

	if (n == 0) {
		host.family = (uint8_t)endpoint_addr(cfg, host.addr);
		host.prefix = host.family == AF_INET6 ? 128 : 32;
		list = &host;
		n = 1;
	}
	for (i = 0; i < n; i++)
		if ((s = addr_match_score(&list[i], family, addr)) > best)
			best = s;
	return best;
}

/* How well connection i fits an exchange from remote to local: -1 not at
 * all; else the more specific the better, the remote address (the peer)
 * first, then the local one: longer matching prefixes win, a host beats a
 * subnet beats %any. */
int
conn_fit_addrs(const struct ike_engine *e, size_t i,
	       const struct ike_endpoint *local,
	       const struct ike_endpoint *remote)
{
	const struct ike_conn_cfg *c = &e->conns[i]->cfg;
	int ls, rs;

	ls = side_score(c->local_addrs, c->n_local_addrs, &c->local, local);
	rs = side_score(c->remote_addrs, c->n_remote_addrs, &c->remote, remote);
	if (ls < 0 || rs < 0)
		return -1;
	/* Each side scores at most 129. */
	return rs * 256 + ls;
}

int
v2_conn_fit(const struct ike_engine *e, size_t i,
	    const struct ike_endpoint *local, const struct ike_endpoint *remote)
{
	const struct ike_conn_cfg *c = &e->conns[i]->cfg;

	/* 0 is either version, which is IKEv2 to an IKEv2 peer. */
	if (c->version != 0 && c->version != 2)
		return -1;
	return conn_fit_addrs(e, i, local, remote);
}

/* The connection for an IKE_SA_INIT, most specific first. */
static int
conn_for(const struct ike_engine *e, const struct ike_endpoint *local,
	 const struct ike_endpoint *remote)
{
	int best = -1, best_score = -1;
	size_t i;

	for (i = 0; i < e->n_conns; i++) {
		int score = v2_conn_fit(e, i, local, remote);

		if (score > best_score) {
			best = (int)i;
			best_score = score;
		}
	}
	return best;
}

static uint16_t
first_group(const struct ike_conn_cfg *c)
{
	const struct transform *t =
	    c->n_proposals ? prop_xf_first(&c->proposals[0], IKEV2_TRANS_DH)
			   : NULL;

	return t ? t->id : 0;
}

static bool
group_offered(const struct ike_conn_cfg *c, uint16_t group)
{
	unsigned i, j;

	for (i = 0; i < c->n_proposals; i++)
		for (j = 0; j < c->proposals[i].n_xf; j++)
			if (c->proposals[i].xf[j].type == IKEV2_TRANS_DH &&
			    c->proposals[i].xf[j].id == group)
				return true;
	return false;
}

int
v2_init_start(struct ike_engine *e, struct ike_sa *sa, uint64_t now)
{
	const struct ike_conn_cfg *c = ike_conn(e, sa);
	struct pld_sa *sap = calloc(1, sizeof(*sap));
	uint8_t pub[1024];
	struct pld_ke ke;
	struct pld_nonce n;
	struct msg_builder b;
	struct ike_hdr h;
	size_t len, i;

	if (!sap)
		return -1;
	if (!sa->v2.dh_group)
		sa->v2.dh_group = first_group(c);
	/* A retry with a cookie repeats the request: same nonce and key
	 * exchange (RFC 7296 2.6); after INVALID_KE_PAYLOAD the key exchange
	 * was dropped and is made anew in the group asked for. */
	if (!sa->v2.dh)
		sa->v2.dh = ike_dh_new(e, sa->v2.dh_group);
	if (!sa->v2.ni) {
		sa->v2.ni = secret_new(IKE_NONCE_LEN);
		if (sa->v2.ni &&
		    ike_random(e, sa->v2.ni->ptr, sa->v2.ni->len) < 0) {
			secret_free(sa->v2.ni);
			sa->v2.ni = NULL;
		}
	}
	ke.group = sa->v2.dh_group;
	ke.data.ptr = pub;
	ke.data.len = dh_public_len(sa->v2.dh_group);
	if (!sa->v2.dh || !sa->v2.ni || ke.data.len > sizeof(pub) ||
	    dh_public(sa->v2.dh, pub, ke.data.len) < 0) {
		ike_log(e, sa, IKE_LOG_ERROR,
			"cannot create a key exchange for group %u",
			sa->v2.dh_group);
		free(sap);
		return -1;
	}
	for (i = 0; i < c->n_proposals && i < IKE_MAX_CONN_PROPOSALS; i++) {
		sap->prop[i] = c->proposals[i];
		sap->prop[i].num = (uint8_t)(i + 1);
		sap->prop[i].proto = IKEV2_PROTO_IKE;
		sap->prop[i].spi_size = 0;
	}
	sap->n = (unsigned)i;
	n.data.ptr = sa->v2.ni->ptr;
	n.data.len = sa->v2.ni->len;
	sa->msgid_out = 0;
	memset(sa->spi_r, 0, IKEV2_SPI_LEN);
	xchg_hdr(sa, &h, IKEV2_EXCH_IKE_SA_INIT, false, 0);
	msg_build_init(&b, e->out, IKEV2_MAX_MSG_LEN, &h);
	if (sa->v2.cookie.len) {
		struct pld_notify ck = {
		    0, 0, IKEV2_N_COOKIE, {NULL, 0}, sa->v2.cookie};

		pld_notify_put(&b, &ck);
	}
	pld_sa_put(&b, sap);
	pld_ke_put(&b, &ke);
	pld_nonce_put(&b, &n);
	free(sap);
	frag_announce(e, &b);
	ext_put(e, sa, &b, IKEV2_EXCH_IKE_SA_INIT, false);
	if (!(len = msg_build_finish(&b)))
		return -1;
	free(sa->v2.init_req);
	sa->v2.init_req = malloc(len);
	if (!sa->v2.init_req)
		return -1;
	memcpy(sa->v2.init_req, e->out, len);
	sa->v2.init_req_len = len;
	sa->state = IKE_SA_CONNECTING;
	sa->v2.phase = V2_INIT_SENT;
	ike_log(e, sa, IKE_LOG_INFO, "initiating IKE_SA_INIT with group %u",
		sa->v2.dh_group);
	return xchg_send_request(e, sa, now, e->out, len, &v2_init_ops);
}

/* Both roles: the suite of the chosen proposal, which the SA keeps. */
static int
suite_set(struct ike_engine *e, struct ike_sa *sa,
	  const struct proposal *chosen)
{
	if (keymat_v2_suite(chosen, sa->v2.dh_group, &sa->v2.suite) < 0) {
		ike_log(e, sa, IKE_LOG_ERROR,
			"negotiated algorithms are not implemented");
		return -1;
	}
	free(sa->ike_prop);
	sa->ike_prop = malloc(sizeof(*sa->ike_prop));
	if (!sa->ike_prop)
		return -1;
	*sa->ike_prop = *chosen;
	return 0;
}

/* Both roles: the IKE SA's keys from g^ir and the nonces (2.14). */
static int
keys_from(struct ike_sa *sa, const struct secret *gir)
{
	struct bytes ni = {sa->v2.ni->ptr, sa->v2.ni->len};
	struct bytes nr = {sa->v2.nr->ptr, sa->v2.nr->len};

	return keymat_v2_ike(&sa->v2.suite, gir, ni, nr, sa->spi_i, sa->spi_r,
			     &sa->v2.keys);
}

/* Both roles, on the engine's thread: g^ir from our private value and
 * the peer's, then the keys. */
static int
derive_keys(struct ike_engine *e, struct ike_sa *sa,
	    const struct pld_ke *peer_ke)
{
	struct secret *gir = NULL;
	int rc;

	if (dh_shared(sa->v2.dh, peer_ke->data.ptr, peer_ke->data.len, &gir) <
	    0) {
		ike_log(e, sa, IKE_LOG_WARN,
			"peer's key exchange value for group %u is invalid",
			peer_ke->group);
		return -1;
	}
	/* The private value has done its job. */
	dh_free(sa->v2.dh);
	sa->v2.dh = NULL;
	rc = keys_from(sa, gir);
	secret_free(gir);
	return rc;
}

/* An unencrypted answer to an IKE_SA_INIT request we will not serve. */
static void
init_reject(struct ike_engine *e, const struct ike_endpoint *local,
	    const struct ike_endpoint *remote, const uint8_t *spi_i,
	    uint16_t type, struct bytes data)
{
	struct pld_notify n = {0, 0, type, {NULL, 0}, data};
	struct msg_builder b;
	struct ike_hdr h = {0};
	size_t len;

	memcpy(h.spi_i, spi_i, IKEV2_SPI_LEN);
	h.major = IKEV2_MAJOR;
	h.exchange = IKEV2_EXCH_IKE_SA_INIT;
	h.flags = IKEV2_FLAG_RESPONSE;
	msg_build_init(&b, e->out, IKEV2_MAX_MSG_LEN, &h);
	pld_notify_put(&b, &n);
	if ((len = msg_build_finish(&b)))
		e->env.send(e->env.ctx, local, remote, e->out, len);
}

/* What an IKE_SA_INIT from remote may cost us (RFC 7296 2.6): beyond the
 * block threshold or the global limit it is refused; beyond the cookie
 * thresholds only a request echoing our COOKIE, as its first payload, may
 * cost a key exchange, and the others get the COOKIE. */
static bool
admission_ok(struct ike_engine *e, const struct ike_endpoint *local,
	     const struct ike_endpoint *remote, const struct msg *m)
{
	const struct pld_ref *rn = msg_find(m, IKEV2_PL_NONCE, NULL);
	size_t from_ip = guard_half_open_of(e, remote);
	uint8_t cookie[IKE_COOKIE_LEN];
	struct pld_nonce ni;
	struct pld_notify n;
	struct ike_err err;

	if (from_ip >= e->lim.block_threshold ||
	    (e->lim.init_limit_half_open &&
	     e->n_half_open >= e->lim.init_limit_half_open)) {
		ike_drop(e, NULL, IKE_DROP_HALF_OPEN,
			 "IKE_SA_INIT refused: %zu half-open IKE SAs from this "
			 "address (block_threshold %u), %zu in all "
			 "(init_limit_half_open %u)",
			 from_ip, e->lim.block_threshold, e->n_half_open,
			 e->lim.init_limit_half_open);
		return false;
	}
	if (e->n_half_open < e->lim.cookie_threshold &&
	    from_ip < e->lim.cookie_threshold_ip)
		return true;
	if (!rn || pld_nonce_get(rn, &ni, &err) < 0)
		return true; /* malformed: the normal checks answer it */
	if (m->n && m->pl[0].type == IKEV2_PL_N &&
	    pld_notify_get(&m->pl[0], &n, &err) == 0 &&
	    n.type == IKEV2_N_COOKIE &&
	    guard_cookie_ok(e, remote, m->hdr.spi_i, ni.data, n.data))
		return true;
	ike_log_unauth(e, IKE_LOG_DEBUG,
		       "%zu half-open IKE SAs (%zu from this address): asking "
		       "the initiator for a cookie",
		       e->n_half_open, from_ip);
	guard_cookie(e, remote, m->hdr.spi_i, ni.data, cookie);
	init_reject(e, local, remote, m->hdr.spi_i, IKEV2_N_COOKIE,
		    (struct bytes){cookie, sizeof(cookie)});
	return false;
}

/* A half-open SA keeps the peer's IKE_SA_INIT until IKE_AUTH: bound it. */
static bool
size_ok(struct ike_engine *e, const struct msg *m)
{
	if (m->raw.len <= e->lim.init_max_len &&
	    m->n <= e->lim.init_max_payloads)
		return true;
	ike_drop(e, NULL, IKE_DROP_INIT_SIZE,
		 "IKE_SA_INIT of %zu bytes and %u payloads refused (at most "
		 "%u bytes and %u payloads)",
		 m->raw.len, m->n, e->lim.init_max_len,
		 e->lim.init_max_payloads);
	return false;
}

static int
get_one(const struct msg *m, uint8_t type, struct ike_err *err,
	const struct pld_ref **r)
{
	*r = msg_find(m, type, NULL);
	if (!*r)
		ike_err_set(err, IKEV2_N_INVALID_SYNTAX, type, 0,
			    "no %s payload", pld_type_name(type));
	return *r ? 0 : -1;
}

/* The answer is complete: send it (and keep it for retransmissions). */
static void
init_answer(struct ike_engine *e, struct ike_sa *sa)
{
	ike_log(e, sa, IKE_LOG_INFO, "IKE_SA_INIT answered with group %u",
		sa->v2.dh_group);
	xchg_send_response(e, sa, sa->v2.init_resp, sa->v2.init_resp_len);
}

void
v2_init_respond(struct ike_engine *e, uint64_t now,
		const struct ike_endpoint *local,
		const struct ike_endpoint *remote, const struct msg *m)
{
	/* Not zeroed (17 KB): pld_sa_get() writes each proposal it keeps. */
	struct pld_sa *offer = malloc(sizeof(*offer));
	struct proposal chosen;
	const struct pld_ref *r;
	const struct ike_conn_cfg *c;
	struct ike_err err = {0};
	struct pld_ke ke, our_ke;
	struct pld_nonce ni, nr;
	struct ike_sa *sa = NULL;
	char reason[512];
	uint8_t pub[1024];
	uint16_t want = 0, refused;
	struct msg_builder b;
	struct ike_hdr h;
	struct ike_job *job = NULL;
	int ci = conn_for(e, local, remote);
	size_t len, ke_at;

	if (!offer)
		return;
	offer->n = 0;
	if (!size_ok(e, m) || !admission_ok(e, local, remote, m))
		goto out;
	if (ci < 0) {
		ike_log_unauth(
		    e, IKE_LOG_WARN,
		    "IKE_SA_INIT from a peer no connection is configured for; "
		    "answered NO_PROPOSAL_CHOSEN");
		init_reject(e, local, remote, m->hdr.spi_i,
			    IKEV2_N_NO_PROPOSAL_CHOSEN,
			    (struct bytes){NULL, 0});
		goto out;
	}
	c = &e->conns[ci]->cfg;
	if (msg_check_critical(m, &err) < 0 || rules_v2_check(m, &err) < 0 ||
	    msg_decode_all(m, &err) < 0 || get_one(m, IKEV2_PL_SA, &err, &r) ||
	    pld_sa_get(r, offer, &err) < 0 ||
	    get_one(m, IKEV2_PL_KE, &err, &r) || pld_ke_get(r, &ke, &err) < 0 ||
	    get_one(m, IKEV2_PL_NONCE, &err, &r) ||
	    pld_nonce_get(r, &ni, &err) < 0) {
		ike_log_unauth(e, IKE_LOG_WARN,
			       "'%s': malformed IKE_SA_INIT: %s", c->name,
			       err.msg);
		if (err.notify == IKEV2_N_UNSUPPORTED_CRITICAL_PAYLOAD) {
			uint8_t t = err.pld_type;

			init_reject(e, local, remote, m->hdr.spi_i, err.notify,
				    (struct bytes){&t, 1});
		} else {
			init_reject(e, local, remote, m->hdr.spi_i, err.notify,
				    (struct bytes){NULL, 0});
		}
		goto out;
	}
	if (prop_select_ke(c->proposals, c->n_proposals, offer->prop, offer->n,
			   ke.group, &chosen, &want, reason,
			   sizeof(reason)) < 0) {
		ike_log_unauth(e, IKE_LOG_WARN, "'%s': IKE_SA_INIT %s", c->name,
			       reason);
		init_reject(e, local, remote, m->hdr.spi_i,
			    IKEV2_N_NO_PROPOSAL_CHOSEN,
			    (struct bytes){NULL, 0});
		goto out;
	}
	if (want) {
		uint8_t g[2] = {want >> 8, want & 0xff};

		ike_log_unauth(
		    e, IKE_LOG_INFO,
		    "'%s': peer sent a key exchange for group %u, asking for "
		    "group %u",
		    c->name, ke.group, want);
		init_reject(e, local, remote, m->hdr.spi_i,
			    IKEV2_N_INVALID_KE_PAYLOAD, (struct bytes){g, 2});
		goto out;
	}
	if ((refused = ext_init_request(e, c->name, local, remote, m))) {
		init_reject(e, local, remote, m->hdr.spi_i, refused,
			    (struct bytes){NULL, 0});
		goto out;
	}
	sa = sa_new(e, e->conns[ci], false, 2);
	if (!sa)
		goto out;
	sa->local = *local;
	sa->remote = *remote;
	memcpy(sa->spi_i, m->hdr.spi_i, IKEV2_SPI_LEN);
	sa_set_our_spi(e, sa);
	sa->v2.dh_group = ke.group;
	sa->v2.ni = secret_dup(ni.data.ptr, ni.data.len);
	sa->v2.nr = secret_new(IKE_NONCE_LEN);
	our_ke.group = ke.group;
	our_ke.data.ptr = pub;
	our_ke.data.len = dh_public_len(ke.group);
	if (!sa->v2.ni || !sa->v2.nr || our_ke.data.len > sizeof(pub) ||
	    ike_random(e, sa->v2.nr->ptr, sa->v2.nr->len) < 0)
		goto fail;
	if (suite_set(e, sa, &chosen) < 0) {
		init_reject(e, local, remote, m->hdr.spi_i,
			    IKEV2_N_INVALID_SYNTAX, (struct bytes){NULL, 0});
		goto fail;
	}
	if (e->env.offload && !e->env.random) {
		/* Our value is written into the answer when the job is back. */
		if (!(job = job_new(ke.group, ke.data)))
			goto fail;
		memset(pub, 0, our_ke.data.len);
	} else {
		sa->v2.dh = ike_dh_new(e, ke.group);
		if (!sa->v2.dh ||
		    dh_public(sa->v2.dh, pub, our_ke.data.len) < 0)
			goto fail;
		if (derive_keys(e, sa, &ke) < 0) {
			init_reject(e, local, remote, m->hdr.spi_i,
				    IKEV2_N_INVALID_SYNTAX,
				    (struct bytes){NULL, 0});
			goto fail;
		}
	}
	nr.data.ptr = sa->v2.nr->ptr;
	nr.data.len = sa->v2.nr->len;
	xchg_hdr(sa, &h, IKEV2_EXCH_IKE_SA_INIT, true, 0);
	msg_build_init(&b, e->out, IKEV2_MAX_MSG_LEN, &h);
	pld_props_put(&b, &chosen, 1);
	/* The payload's generic header, group and RESERVED, then the value. */
	ke_at = b.w.len + 8;
	pld_ke_put(&b, &our_ke);
	pld_nonce_put(&b, &nr);
	/* Only to a peer that announced it (RFC 7383 2.3). */
	sa->v2.frag_peer = e->frag_size && frag_announced(m);
	if (sa->v2.frag_peer)
		frag_announce(e, &b);
	ext_put(e, sa, &b, IKEV2_EXCH_IKE_SA_INIT, true);
	if (!(len = msg_build_finish(&b)))
		goto fail;
	sa->v2.init_req = malloc(m->raw.len);
	sa->v2.init_resp = malloc(len);
	if (!sa->v2.init_req || !sa->v2.init_resp)
		goto fail;
	memcpy(sa->v2.init_req, m->raw.ptr, m->raw.len);
	sa->v2.init_req_len = m->raw.len;
	memcpy(sa->v2.init_resp, e->out, len);
	sa->v2.init_resp_len = len;
	sa->state = IKE_SA_CONNECTING;
	sa->v2.phase = job ? V2_INIT_KE : V2_INIT_DONE;
	sa->msgid_in = 1;
	sa->expire_at = now + e->lim.half_open_ms;
	if (guard_half_open_add(e, sa) < 0)
		goto fail;
	xchg_note_request(e, sa, m);
	sa_schedule(e, sa);
	if (job) {
		job->sa_id = sa->id;
		memcpy(job->spi_i, sa->spi_i, IKEV2_SPI_LEN);
		memcpy(job->spi_r, sa->spi_r, IKEV2_SPI_LEN);
		job->ke_at = ke_at;
		e->env.offload(e->env.ctx, job);
		goto out;
	}
	init_answer(e, sa);
	goto out;
fail:
	job_free(job);
	sa_kill(e, sa, "IKE_SA_INIT failed");
out:
	free(offer);
}

void
v2_init_ke_done(struct ike_engine *e, struct ike_sa *sa, struct ike_job *j)
{
	if (!j->ran || j->rc < 0 ||
	    j->ke_at + j->pub_len > sa->v2.init_resp_len) {
		if (j->rc == JOB_PEER) {
			ike_log(e, sa, IKE_LOG_WARN,
				"peer's key exchange value for group %u is "
				"invalid",
				j->group);
			init_reject(e, &sa->local, &sa->remote, sa->spi_i,
				    IKEV2_N_INVALID_SYNTAX,
				    (struct bytes){NULL, 0});
		} else {
			ike_log(e, sa, IKE_LOG_ERROR,
				"our key exchange for group %u %s", j->group,
				j->ran ? "could not be computed"
				       : "was dropped before it ran");
		}
		sa_kill(e, sa, "IKE_SA_INIT failed");
		return;
	}
	memcpy(sa->v2.init_resp + j->ke_at, j->data + j->peer_len, j->pub_len);
	if (keys_from(sa, j->shared) < 0) {
		sa_kill(e, sa, "IKE_SA_INIT failed");
		return;
	}
	sa->v2.phase = V2_INIT_DONE;
	init_answer(e, sa);
	sa_schedule(e, sa);
}

/* The responder refused with a notify: retry if it tells us how. */
static bool
init_retry(struct ike_engine *e, struct ike_sa *sa, uint64_t now,
	   const struct msg *m)
{
	const struct ike_conn_cfg *c = ike_conn(e, sa);
	const struct pld_ref *r = NULL;
	struct pld_notify n;
	struct ike_err err;

	while ((r = msg_find(m, IKEV2_PL_N, r))) {
		if (pld_notify_get(r, &n, &err) < 0)
			continue;
		if (n.type == IKEV2_N_INVALID_KE_PAYLOAD && n.data.len == 2) {
			uint16_t g =
			    (uint16_t)(n.data.ptr[0] << 8 | n.data.ptr[1]);

			/* The answer to a copy of our earlier request (a
			 * retransmission crossed the first answer): we use
			 * that group already, and wait for the answer to
			 * this request. */
			if (g == sa->v2.dh_group) {
				ike_drop(
				    e, sa, IKE_DROP_INIT_INVALID,
				    "INVALID_KE_PAYLOAD asks for group %u, "
				    "which our request has; a late answer "
				    "to an earlier one, dropped",
				    g);
				return true;
			}
			if (!group_offered(c, g)) {
				ike_log(
				    e, sa, IKE_LOG_WARN,
				    "peer asks for group %u, which we do not "
				    "offer",
				    g);
				sa_kill(e, sa,
					"peer wants a group we do not "
					"offer");
				return true;
			}
			ike_log(
			    e, sa, IKE_LOG_INFO,
			    "peer asks for group %u instead of %u; retrying", g,
			    sa->v2.dh_group);
			sa->v2.dh_group = g;
			dh_free(sa->v2.dh);
			sa->v2.dh = NULL;
		} else if (n.type == IKEV2_N_COOKIE && n.data.len >= 1 &&
			   n.data.len <= 64 && !sa->v2.cookie.len) {
			uint8_t *ck = malloc(n.data.len);

			if (!ck)
				return false;
			memcpy(ck, n.data.ptr, n.data.len);
			sa->v2.cookie.ptr = ck;
			sa->v2.cookie.len = n.data.len;
		} else if (n.type <= IKEV2_N_ERROR_MAX) {
			ike_log(e, sa, IKE_LOG_WARN,
				"peer refused IKE_SA_INIT with %s (%u)",
				notify_name(n.type), n.type);
			xchg_request_done(e, sa);
			sa_kill(e, sa, notify_name(n.type));
			return true;
		} else {
			continue;
		}
		xchg_request_done(e, sa);
		if (v2_init_start(e, sa, now) < 0)
			sa_kill(e, sa, "could not restart IKE_SA_INIT");
		return true;
	}
	return false;
}

static void
v2_init_complete(struct ike_engine *e, struct ike_sa *sa, uint64_t now,
		 const struct msg *m)
{
	const struct ike_conn_cfg *c = ike_conn(e, sa);
	struct pld_sa *ans;
	struct proposal chosen;
	const struct pld_ref *r;
	struct ike_err err = {0};
	struct pld_ke ke;
	struct pld_nonce nr;
	char reason[512];

	if (init_retry(e, sa, now, m))
		return;
	ans = calloc(1, sizeof(*ans));
	if (!ans)
		return;
	/* Unauthenticated: a response that does not make sense may be
	 * forged, so it is dropped and we keep waiting for the real one
	 * (RFC 7296 2.21.1); the retransmission timer ends the wait. */
	if (msg_check_critical(m, &err) < 0 || rules_v2_check(m, &err) < 0 ||
	    msg_decode_all(m, &err) < 0 || get_one(m, IKEV2_PL_SA, &err, &r) ||
	    pld_sa_get(r, ans, &err) < 0 || get_one(m, IKEV2_PL_KE, &err, &r) ||
	    pld_ke_get(r, &ke, &err) < 0 ||
	    get_one(m, IKEV2_PL_NONCE, &err, &r) ||
	    pld_nonce_get(r, &nr, &err) < 0) {
		ike_drop(e, sa, IKE_DROP_INIT_INVALID,
			 "malformed IKE_SA_INIT response: %s; still waiting "
			 "for a valid one",
			 err.msg);
		goto ignore;
	}
	/* The answer must be one of our proposals, cut to one transform
	 * per type (2.7): check it by selecting it against ours. */
	if (ans->n != 1 ||
	    prop_select(c->proposals, c->n_proposals, ans->prop, 1, &chosen,
			reason, sizeof(reason)) < 0 ||
	    ke.group != sa->v2.dh_group || spi8_zero(m->hdr.spi_r)) {
		ike_drop(
		    e, sa, IKE_DROP_INIT_INVALID,
		    "IKE_SA_INIT response chose a proposal we did not offer "
		    "(or a group other than our key exchange's), or has no "
		    "responder SPI; still waiting for a valid one");
		goto ignore;
	}
	if (ext_sa_input(e, sa, m)) {
		xchg_request_done(e, sa);
		sa_kill(e, sa, "IKE_SA_INIT response refused");
		goto ignore;
	}
	memcpy(sa->spi_r, m->hdr.spi_r, IKEV2_SPI_LEN);
	sa->v2.frag_peer = e->frag_size && frag_announced(m);
	sa->v2.nr = secret_dup(nr.data.ptr, nr.data.len);
	if (!sa->v2.nr || suite_set(e, sa, &ans->prop[0]) < 0 ||
	    derive_keys(e, sa, &ke) < 0)
		goto fail;
	sa->v2.init_resp = malloc(m->raw.len);
	if (!sa->v2.init_resp)
		goto fail;
	memcpy(sa->v2.init_resp, m->raw.ptr, m->raw.len);
	sa->v2.init_resp_len = m->raw.len;
	xchg_request_done(e, sa);
	free(ans);
	if (v2_auth_start(e, sa, now) < 0)
		sa_kill(e, sa, "could not start IKE_AUTH");
	return;
fail:
	free(ans);
	xchg_request_done(e, sa);
	sa_kill(e, sa, "IKE_SA_INIT failed");
	return;
ignore:
	free(ans);
}

/* The peer's IKE_SA_INIT requests come before any SA: engine.c hands them
 * to v2_init_respond. */
const struct xchg_ops v2_init_ops = {
    .name = "IKE_SA_INIT",
    .version = 2,
    .exchange = IKEV2_EXCH_IKE_SA_INIT,
    .clear = true,
    .resp_states = XS_V2_INIT_SENT,
    .complete = v2_init_complete,
};
