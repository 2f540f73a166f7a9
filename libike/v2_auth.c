/* SPDX-License-Identifier: ISC */
/*
 * IKE_AUTH with a pre-shared key (RFC 7296 1.2, 2.15): identities, the AUTH
 * payload over each side's IKE_SA_INIT message, and the first CHILD SA
 * carried along (v2_child.c).
 *
 *   AUTH = prf(prf(Shared Secret, "Key Pad for IKEv2"), <SignedOctets>)
 *   SignedOctets = RealMessage | NonceData (of the peer) |
 *                  prf(SK_p, RestOfIDPayload)
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike_int.h"

uint8_t *
ike_auth_octets(const struct prf_alg *prf, const struct secret *skp,
		struct bytes msg, struct bytes nonce, struct bytes idb,
		size_t *len)
{
	uint8_t *buf = malloc(msg.len + nonce.len + prf->out_len);

	if (!buf)
		return NULL;
	memcpy(buf, msg.ptr, msg.len);
	memcpy(buf + msg.len, nonce.ptr, nonce.len);
	if (crypto_prf_compute(prf, skp->ptr, skp->len, &idb, 1,
			       buf + msg.len + nonce.len) < 0) {
		free(buf);
		return NULL;
	}
	*len = msg.len + nonce.len + prf->out_len;
	return buf;
}

/* The octets for the side whose IKE_SA_INIT message is signed. */
static uint8_t *
signed_octets(const struct ike_sa *sa, bool by_initiator, struct bytes idb,
	      size_t *len)
{
	const struct secret *nonce = by_initiator ? sa->v2.nr : sa->v2.ni;
	struct bytes msg = {by_initiator ? sa->v2.init_req : sa->v2.init_resp,
			    by_initiator ? sa->v2.init_req_len
					 : sa->v2.init_resp_len};

	return ike_auth_octets(
	    sa->v2.suite.prf,
	    by_initiator ? sa->v2.keys.sk_pi : sa->v2.keys.sk_pr, msg,
	    (struct bytes){nonce->ptr, nonce->len}, idb, len);
}

/* Our identity: configured, the host's for the connection (its auth
 * method's, e.g. a certificate's subject), or our IP address; its bytes
 * in buf. true when the host chose it. */
static bool
our_id(struct ike_engine *e, const struct ike_sa *sa,
       const struct ike_conn_cfg *c, struct ike_id_cfg *id,
       uint8_t buf[IKE_ID_MAX])
{
	uint8_t type = 0;
	size_t len = IKE_ID_MAX;

	if (c->local_id.type) {
		*id = c->local_id;
		return false;
	}
	memset(id, 0, sizeof(*id));
	id->data = buf;
	if (e->env.auth_local_id &&
	    e->env.auth_local_id(e->env.ctx, c->name, &type, buf, &len) == 0 &&
	    type != 0 && len <= IKE_ID_MAX) {
		id->type = type;
		id->len = len;
		return true;
	}
	if (sa->local.ss.ss_family == AF_INET6) {
		id->type = IKEV2_ID_IPV6_ADDR;
		id->len = 16;
		memcpy(buf,
		       &((const struct sockaddr_in6 *)&sa->local.ss)->sin6_addr,
		       16);
	} else {
		id->type = IKEV2_ID_IPV4_ADDR;
		id->len = 4;
		memcpy(buf,
		       &((const struct sockaddr_in *)&sa->local.ss)->sin_addr,
		       4);
	}
	return false;
}

/* The body of an ID payload as RestOfIDPayload: type, 3 reserved, data. */
static struct bytes
id_body(const struct ike_id_cfg *id, uint8_t *buf)
{
	struct bytes b = {buf, 4 + id->len};

	buf[0] = id->type;
	memset(buf + 1, 0, 3);
	if (id->len)
		memcpy(buf + 4, id->data, id->len);
	return b;
}

static void
id_text(const struct pld_id *id, char *buf, size_t len)
{
	if (id->type == IKEV2_ID_IPV4_ADDR && id->data.len == 4)
		inet_ntop(AF_INET, id->data.ptr, buf, (socklen_t)len);
	else if (id->type == IKEV2_ID_IPV6_ADDR && id->data.len == 16)
		inet_ntop(AF_INET6, id->data.ptr, buf, (socklen_t)len);
	else if (id->type == IKEV2_ID_FQDN || id->type == IKEV2_ID_RFC822_ADDR)
		id_escape(id->data.ptr, id->data.len, buf, len);
	else if (id->type == IKEV2_ID_DER_ASN1_DN &&
		 ike_dn_text(id->data.ptr, id->data.len, buf, len) == 0)
		return;
	else
		snprintf(buf, len, "<ID type %u, %zu bytes>", id->type,
			 id->data.len);
}

static bool
id_matches(const struct ike_id_cfg *want, const struct pld_id *got)
{
	if (want->type == IKEV2_ID_DER_ASN1_DN &&
	    got->type == IKEV2_ID_DER_ASN1_DN)
		return ike_dn_equal(want->data, want->len, got->data.ptr,
				    got->data.len);
	return want->type == 0 ||
	       (want->type == got->type && want->len == got->data.len &&
		memcmp(want->data, got->data.ptr, want->len) == 0);
}

/* Responder: the IKE_SA_INIT picked a connection by addresses; the peer's
 * identity may fit another one the SA's addresses fit too (v2_conn_fit, as
 * for IKE_SA_INIT) better: an exact ID beats "any", then the more specific
 * addresses win. Switch to it then. */
static const struct ike_conn_cfg *
best_conn_for_id(struct ike_engine *e, struct ike_sa *sa,
		 const struct pld_id *id, const char *who)
{
	struct conn *best = sa->conn;
	int best_score = -1;
	size_t i;

	for (i = 0; i < e->n_conns; i++) {
		const struct ike_conn_cfg *c = &e->conns[i]->cfg;
		int fit = v2_conn_fit(e, i, &sa->local, &sa->remote), score;

		if (fit < 0 || !id_matches(&c->remote_id, id))
			continue;
		/* fit is below 1 << 16. */
		score = (c->remote_id.type ? 1 << 16 : 0) + fit;
		if (score > best_score ||
		    (score == best_score && e->conns[i] == sa->conn)) {
			best = e->conns[i];
			best_score = score;
		}
	}
	if (best != sa->conn) {
		ike_log(
		    e, sa, IKE_LOG_INFO,
		    "peer '%s' fits connection '%s' better; switching to it",
		    who, best->cfg.name);
		sa_set_conn(sa, best);
	}
	return ike_conn(e, sa);
}

/* Remember the peer's identity past the message it came in. */
static void
keep_peer_id(struct ike_sa *sa, const struct pld_id *id)
{
	size_t n = id->data.len < IKE_ID_MAX ? id->data.len : IKE_ID_MAX;

	memcpy(sa->peer_id_buf, id->data.ptr, n);
	sa->peer_id.type = id->type;
	sa->peer_id.data.ptr = sa->peer_id_buf;
	sa->peer_id.data.len = n;
}

/* Check the peer's ID and AUTH payloads; on failure log why and return
 * -1. The reason is for our log only: the peer learns just the notify. */
static int
verify_peer(struct ike_engine *e, struct ike_sa *sa, const struct msg *m,
	    uint8_t id_type)
{
	const struct ike_conn_cfg *c = ike_conn(e, sa);
	const struct pld_ref *ri = msg_find(m, id_type, NULL);
	const struct pld_ref *ra = msg_find(m, IKEV2_PL_AUTH, NULL);
	struct ike_id_cfg local;
	struct ike_auth_req req;
	struct pld_id id;
	struct pld_auth auth;
	struct ike_err err;
	uint8_t addr[IKE_ID_MAX];
	char who[4 * IKE_ID_MAX + 1], why[256] = "";
	int rc;

	if (!ri || !ra || pld_id_get(ri, &id, &err) < 0 ||
	    pld_auth_get(ra, &auth, &err) < 0) {
		ike_log(e, sa, IKE_LOG_WARN,
			"peer sent no identity or no AUTH payload");
		return -1;
	}
	id_text(&id, who, sizeof(who));
	if (!sa->initiator)
		c = best_conn_for_id(e, sa, &id, who);
	if (!id_matches(&c->remote_id, &id)) {
		ike_log(e, sa, IKE_LOG_WARN,
			"peer identity '%s' is not the one configured for '%s'",
			who, c->name);
		return -1;
	}
	keep_peer_id(sa, &id);
	our_id(e, sa, c, &local, addr);
	req.version = 2;
	req.purpose = IKE_AUTH_PURPOSE_AUTH;
	req.conn = c->name;
	req.ike_id = sa->id;
	req.local_id = &local;
	req.peer_id = &sa->peer_id;
	req.prf = sa->v2.suite.prf;
	req.msg = ext_peer_msg(e);
	req.octets.ptr =
	    signed_octets(sa, !sa->initiator, ri->body, &req.octets.len);
	if (!req.octets.ptr)
		return -1;
	if (ext_auth_id_check(e, sa, &req, who) < 0) {
		free((void *)req.octets.ptr);
		return -1;
	}
	rc = e->env.auth_verify
		 ? e->env.auth_verify(e->env.ctx, &req, auth.method, auth.data,
				      why, sizeof(why))
		 : -1;
	free((void *)req.octets.ptr);
	if (rc < 0) {
		ike_log(e, sa, IKE_LOG_WARN,
			"peer '%s' failed authentication: %s", who,
			why[0] ? why : "no authentication method available");
		return -1;
	}
	ike_log(e, sa, IKE_LOG_INFO, "peer '%s' authenticated (AUTH method %u)",
		who, auth.method);
	return 0;
}

/* Write our ID and AUTH payloads. */
static int
put_id_auth(struct ike_engine *e, struct ike_sa *sa, struct msg_builder *b)
{
	const struct ike_conn_cfg *c = ike_conn(e, sa);
	struct ike_id_cfg local;
	struct ike_auth_req req;
	struct pld_id id;
	struct pld_auth auth;
	uint8_t body[4 + IKE_ID_MAX], mac[IKE_AUTH_MAX], addr[IKE_ID_MAX];
	size_t len = sizeof(mac);
	int rc;

	if (our_id(e, sa, c, &local, addr)) {
		/* Kept for list-sas; without it the answer is the same. */
		free(sa->own_id);
		if ((sa->own_id = malloc(local.len))) {
			memcpy(sa->own_id, local.data, local.len);
			sa->own_id_len = local.len;
			sa->own_id_type = local.type;
		}
	}
	id.type = local.type;
	id.data.ptr = local.data;
	id.data.len = local.len;
	pld_id_put(b, sa->initiator ? IKEV2_PL_IDi : IKEV2_PL_IDr, &id);
	if (ext_auth_put(e, sa, &local, b) < 0)
		return -1;
	if (sa->initiator && c->remote_id.type) {
		struct pld_id r = {c->remote_id.type,
				   {c->remote_id.data, c->remote_id.len}};

		pld_id_put(b, IKEV2_PL_IDr, &r);
	}
	req.version = 2;
	req.purpose = IKE_AUTH_PURPOSE_AUTH;
	req.conn = c->name;
	req.ike_id = sa->id;
	req.local_id = &local;
	req.peer_id = sa->initiator ? NULL : &sa->peer_id;
	req.prf = sa->v2.suite.prf;
	req.msg = sa->initiator ? NULL : ext_peer_msg(e);
	req.octets.ptr = signed_octets(sa, sa->initiator, id_body(&local, body),
				       &req.octets.len);
	if (!req.octets.ptr)
		return -1;
	rc = e->env.auth_sign
		 ? e->env.auth_sign(e->env.ctx, &req, &auth.method, mac, &len)
		 : -1;
	free((void *)req.octets.ptr);
	if (rc < 0) {
		ike_log(e, sa, IKE_LOG_ERROR,
			"cannot authenticate ourselves on connection '%s' (no "
			"secret or key for our identity?)",
			c->name);
		return -1;
	}
	auth.data.ptr = mac;
	auth.data.len = len;
	pld_auth_put(b, &auth);
	return 0;
}

/* After IKE_AUTH nothing needs the IKE_SA_INIT messages and nonces any
 * more (later exchanges bring their own): keep an SA small. */
static void
auth_done(struct ike_sa *sa)
{
	free(sa->v2.init_req);
	free(sa->v2.init_resp);
	sa->v2.init_req = sa->v2.init_resp = NULL;
	sa->v2.init_req_len = sa->v2.init_resp_len = 0;
	secret_free(sa->v2.ni);
	secret_free(sa->v2.nr);
	sa->v2.ni = sa->v2.nr = NULL;
}

int
v2_auth_start(struct ike_engine *e, struct ike_sa *sa, uint64_t now)
{
	struct msg_builder b;
	struct sk_keys k;
	size_t len;

	if (xchg_begin(e, sa, &b, &k, IKEV2_EXCH_IKE_AUTH, false,
		       sa->msgid_out) < 0 ||
	    put_id_auth(e, sa, &b) < 0)
		return -1;
	if (sa->want_child &&
	    v2_child_offer(e, sa, &b, sa->want_child - 1, 0) < 0)
		return -1;
	ext_put(e, sa, &b, IKEV2_EXCH_IKE_AUTH, false);
	if (!(len = xchg_end(&b, &k)))
		return -1;
	sa->state = IKE_SA_CONNECTING;
	sa->v2.phase = V2_AUTH_SENT;
	return xchg_send_request(e, sa, now, e->out, len, &v2_auth_ops);
}

static void
v2_auth_respond(struct ike_engine *e, struct ike_sa *sa, uint64_t now,
		const struct msg *m)
{
	struct msg_builder b;
	struct sk_keys k;
	uint16_t child_notify = 0;
	size_t len;

	if (sa->state != IKE_SA_CONNECTING || sa->v2.phase != V2_INIT_DONE) {
		xchg_notify_reply(e, sa, m, IKEV2_N_INVALID_SYNTAX,
				  (struct bytes){NULL, 0});
		return;
	}
	if (verify_peer(e, sa, m, IKEV2_PL_IDi) < 0) {
		xchg_notify_reply(e, sa, m, IKEV2_N_AUTHENTICATION_FAILED,
				  (struct bytes){NULL, 0});
		ike_emit(e, sa, IKE_EV_AUTH_FAILED, NULL,
			 "peer failed authentication");
		sa_kill(e, sa, "authentication failed");
		return;
	}
	if (xchg_begin(e, sa, &b, &k, IKEV2_EXCH_IKE_AUTH, true, m->hdr.msgid) <
		0 ||
	    put_id_auth(e, sa, &b) < 0)
		goto fail;
	sa->state = IKE_SA_ESTABLISHED;
	sa->expire_at = 0;
	guard_half_open_del(e, sa);
	ike_log(e, sa, IKE_LOG_INFO, "IKE SA established");
	ike_emit(e, sa, IKE_EV_IKE_UP, NULL, NULL);
	/* A refused child does not fail the IKE SA (1.2): its notify goes
	 * into the same answer. */
	if (v2_child_accept(e, sa, m, &b, &child_notify) < 0) {
		struct pld_notify n = {0, 0, child_notify};

		pld_notify_put(&b, &n);
	}
	ext_put(e, sa, &b, IKEV2_EXCH_IKE_AUTH, true);
	if (!(len = xchg_end(&b, &k)))
		goto fail;
	xchg_send_response(e, sa, e->out, len);
	auth_done(sa);
	(void)now;
	return;
fail:
	xchg_notify_reply(e, sa, m, IKEV2_N_AUTHENTICATION_FAILED,
			  (struct bytes){NULL, 0});
	sa_kill(e, sa, "could not answer IKE_AUTH");
}

static const char *
auth_notify_text(uint16_t type)
{
	switch (type) {
	case IKEV2_N_AUTHENTICATION_FAILED:
		/* Which credential is the plugin's business: the engine
		 * does not know whether it was a key or a certificate. */
		return "AUTHENTICATION_FAILED: the peer did not accept our "
		       "identity or credentials";
	case IKEV2_N_NO_PROPOSAL_CHOSEN:
		return "NO_PROPOSAL_CHOSEN: the peer accepts none of our ESP "
		       "proposals";
	case IKEV2_N_TS_UNACCEPTABLE:
		return "TS_UNACCEPTABLE: the peer does not accept our traffic "
		       "selectors";
	case IKEV2_N_INVALID_SYNTAX:
		return "INVALID_SYNTAX";
	default:
		return NULL;
	}
}

/* The initiator's one line on a refused IKE_AUTH: who refused (the peer's
 * address) and the identity we sent, so that an admin knows which peer
 * and which pre-shared key or certificate to check. */
static void
auth_refused_log(struct ike_engine *e, const struct ike_sa *sa,
		 const char *text)
{
	struct ike_id_cfg local;
	uint8_t buf[IKE_ID_MAX];
	struct pld_id id;
	char me[4 * IKE_ID_MAX + 1], peer[INET6_ADDRSTRLEN] = "?";

	our_id(e, sa, ike_conn(e, sa), &local, buf);
	id.type = local.type;
	id.data.ptr = local.data;
	id.data.len = local.len;
	id_text(&id, me, sizeof(me));
	if (sa->remote.ss.ss_family == AF_INET)
		inet_ntop(
		    AF_INET,
		    &((const struct sockaddr_in *)&sa->remote.ss)->sin_addr,
		    peer, sizeof(peer));
	else if (sa->remote.ss.ss_family == AF_INET6)
		inet_ntop(
		    AF_INET6,
		    &((const struct sockaddr_in6 *)&sa->remote.ss)->sin6_addr,
		    peer, sizeof(peer));
	ike_log(e, sa, IKE_LOG_WARN,
		"IKE_AUTH refused by %s: %s (we sent identity '%s')", peer,
		text, me);
}

static void
v2_auth_complete(struct ike_engine *e, struct ike_sa *sa, uint64_t now,
		 const struct msg *m)
{
	const struct pld_ref *r = NULL;
	struct pld_notify n;
	struct ike_err err;
	uint16_t child_error = 0;

	while ((r = msg_find(m, IKEV2_PL_N, r))) {
		const char *text;

		if (pld_notify_get(r, &n, &err) < 0 ||
		    n.type > IKEV2_N_ERROR_MAX)
			continue;
		text = auth_notify_text(n.type);
		if (n.type == IKEV2_N_AUTHENTICATION_FAILED ||
		    n.type == IKEV2_N_INVALID_SYNTAX ||
		    !msg_find(m, IKEV2_PL_AUTH, NULL)) {
			auth_refused_log(e, sa, text ? text : "error notify");
			ike_emit(e, sa, IKE_EV_AUTH_FAILED, NULL,
				 text ? text : "IKE_AUTH refused");
			sa_kill(e, sa, text ? text : "IKE_AUTH refused");
			return;
		}
		child_error = n.type;
	}
	if (verify_peer(e, sa, m, IKEV2_PL_IDr) < 0) {
		ike_emit(e, sa, IKE_EV_AUTH_FAILED, NULL,
			 "responder failed authentication");
		/* The responder believes the SA up: tell it (2.21.2 lets
		 * the initiator start an INFORMATIONAL here), with a DELETE,
		 * which every peer carries out. */
		sa->refused = true;
		v2_info_delete_ike(e, sa, now);
		return;
	}
	sa->state = IKE_SA_ESTABLISHED;
	ike_log(e, sa, IKE_LOG_INFO, "IKE SA established");
	ike_emit(e, sa, IKE_EV_IKE_UP, NULL, NULL);
	if (ike_conn(e, sa)->rekey_ms) {
		sa->rekey_at = now + ike_conn(e, sa)->rekey_ms;
		sa_schedule(e, sa);
	}
	if (!sa->want_child) {
		auth_done(sa);
		return;
	}
	if (child_error) {
		const char *text = auth_notify_text(child_error);

		ike_log(e, sa, IKE_LOG_WARN, "CHILD SA refused: %s",
			text ? text : notify_name(child_error));
		if (sa->children && !sa->children->installed)
			v2_child_drop(e, sa, sa->children,
				      text ? text : notify_name(child_error));
		auth_done(sa);
		return;
	}
	v2_child_complete(e, sa, m);
	auth_done(sa);
	(void)now;
}

/* Established too: a retransmission the cache missed is answered with
 * an error by v2_auth_respond, not dropped. */
const struct xchg_ops v2_auth_ops = {
    .name = "IKE_AUTH",
    .version = 2,
    .exchange = IKEV2_EXCH_IKE_AUTH,
    .req_states = XS_V2_INIT_DONE | XS_ESTABLISHED,
    .resp_states = XS_V2_AUTH_SENT,
    .respond = v2_auth_respond,
    .complete = v2_auth_complete,
};
