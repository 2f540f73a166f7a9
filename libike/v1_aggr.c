/* SPDX-License-Identifier: ISC */
/*
 * IKEv1 Aggressive Mode with a pre-shared key (RFC 2409 5, 5.4), both
 * roles:
 *
 *   Initiator                              Responder
 *   1  HDR, SA, KE, Ni, IDii         -->
 *                                    <--   2  HDR, SA, KE, Nr, IDir, HASH_R
 *   3  HDR*, HASH_I                  -->
 *
 * Off unless a connection says `aggressive: yes`, because message 2
 * hands HASH_R, a prf keyed by SKEYID = prf(PSK, Ni_b | Nr_b), to anyone
 * who sends a message 1, before that sender has proven anything: with
 * the nonces and KE values on the wire it can try keys offline until one
 * gives that HASH_R. So a message 1 no connection allows costs us one
 * (rate-limited) line and nothing else: no SA, no Diffie-Hellman, and no
 * answer, since any answer to an unauthenticated message with no state
 * behind it tells a scanner only that a PSK responder is here.
 *
 * The keys, IDs, HASH_I/R and the phase 1 IV are Main Mode's
 * (v1_main.c): the same formulas over the same values. What differs:
 * the KE comes with the offer, so the group is fixed by the first
 * message (the responder chooses only a transform of that group, the
 * initiator offers one group); the responder knows the peer's ID before
 * it asks for SKEYID, so the PSK may be chosen by that ID; and the
 * initiator's last message gets no answer (RFC 2409 gives it none): it
 * is established once it sent message 3, and if that message is lost the
 * responder's half-open SA ends on its timer. Message 3 is taken
 * encrypted (as we send it) or in the clear (as RFC 2409 5.4 draws it).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "ike_int.h"

/* The peer's address for a line about it (no SA to name yet). */
static void
addr_text(const struct ike_endpoint *ep, char *buf, size_t len)
{
	const void *a = NULL;

	if (ep->ss.ss_family == AF_INET)
		a = &((const struct sockaddr_in *)&ep->ss)->sin_addr;
	else if (ep->ss.ss_family == AF_INET6)
		a = &((const struct sockaddr_in6 *)&ep->ss)->sin6_addr;
	if (!a || !inet_ntop(ep->ss.ss_family, a, buf, (socklen_t)len))
		snprintf(buf, len, "?");
}

/* The payloads of a message 1 or 2, parsed; -1 if one is missing or
 * malformed (the peer's mistake or a forgery: no state is made). */
struct am_msg {
	const struct pld_ref *sa, *id, *hash;
	struct pld_v1_data ke, nonce, hash_data;
	struct pld_v1_id idv;
};

static int
am_parse(const struct msg_v1 *m, bool want_hash, struct am_msg *a)
{
	const struct pld_ref *rk = msg_v1_find(m, IKEV1_PL_KE, NULL);
	const struct pld_ref *rn = msg_v1_find(m, IKEV1_PL_NONCE, NULL);
	struct ike_err err = {0};

	memset(a, 0, sizeof(*a));
	a->sa = msg_v1_find(m, IKEV1_PL_SA, NULL);
	a->id = msg_v1_find(m, IKEV1_PL_ID, NULL);
	a->hash = msg_v1_find(m, IKEV1_PL_HASH, NULL);
	if (m->encrypted || !a->sa || !rk || !rn || !a->id ||
	    pld_v1_ke_get(rk, &a->ke, &err) < 0 ||
	    pld_v1_nonce_get(rn, &a->nonce, &err) < 0 ||
	    pld_v1_id_get(a->id, &a->idv, &err) < 0)
		return -1;
	if (want_hash &&
	    (!a->hash || pld_v1_hash_get(a->hash, &a->hash_data, &err) < 0))
		return -1;
	return 0;
}

/* Responder: the one line for a message 1 no connection allows. */
static void
refuse(struct ike_engine *e, const struct ike_endpoint *local,
       const struct ike_endpoint *remote)
{
	int ci = v1_conn_for(e, local, remote, false);
	char peer[INET6_ADDRSTRLEN];

	addr_text(remote, peer, sizeof(peer));
	if (ci < 0)
		ike_log_unauth(
		    e, IKE_LOG_WARN,
		    "peer %s offered IKEv1 Aggressive Mode: refused, "
		    "no IKEv1 connection is configured for it",
		    peer);
	else
		ike_log_unauth(
		    e, IKE_LOG_WARN,
		    "peer %s offered IKEv1 Aggressive Mode: refused, "
		    "its PSK hash could be cracked offline "
		    "(aggressive: yes on connection '%s' allows it)",
		    peer, e->conns[ci]->cfg.name);
}

/* Our ID payload, and its body (type, protocol, port, data) for the
 * HASH; the body's length, 0 on failure. */
static size_t
own_id(struct ike_engine *e, struct ike_sa *sa, struct pld_v1_id *id,
       uint8_t buf[IKE_ID_MAX], uint8_t body[4 + IKE_ID_MAX])
{
	struct ike_id_cfg local;

	v1_our_id(e, sa, &local, buf);
	if (local.len > IKE_ID_MAX)
		return 0;
	memset(id, 0, sizeof(*id));
	id->type = local.type;
	id->data = (struct bytes){local.data, local.len};
	body[0] = id->type;
	body[1] = body[2] = body[3] = 0;
	if (local.len)
		memcpy(body + 4, local.data, local.len);
	return 4 + local.len;
}

/* Our ID and HASH (HASH_R as responder) after what b holds. */
static int
put_id_hash(struct ike_engine *e, struct ike_sa *sa, struct msg_builder *b)
{
	uint8_t buf[IKE_ID_MAX], body[4 + IKE_ID_MAX], mac[V1_HASH_MAX];
	struct pld_v1_data hash;
	struct pld_v1_id id;
	size_t n = own_id(e, sa, &id, buf, body);

	if (!n ||
	    v1_hash_auth(sa, !sa->initiator, (struct bytes){body, n}, mac) < 0)
		return -1;
	hash.data = (struct bytes){mac, sa->v1.suite.prf->out_len};
	pld_v1_id_put(b, &id);
	pld_v1_hash_put(b, &hash);
	return 0;
}

/* The peer's ID, kept on the SA (list-sas, and the SKEYID request). */
static void
take_peer_id(struct ike_engine *e, struct ike_sa *sa,
	     const struct pld_v1_id *id)
{
	size_t n = id->data.len < IKE_ID_MAX ? id->data.len : IKE_ID_MAX;

	memcpy(sa->peer_id_buf, id->data.ptr, n);
	sa->peer_id.type = id->type;
	sa->peer_id.data = (struct bytes){sa->peer_id_buf, n};
}

/* Responder, message 1 of a new peer. */
void
v1_aggr_respond(struct ike_engine *e, uint64_t now,
		const struct ike_endpoint *local,
		const struct ike_endpoint *remote, struct msg_v1 *m)
{
	int ci = v1_conn_for(e, local, remote, true);
	char who[4 * IKE_ID_MAX + 1];
	struct msg_builder b;
	struct ike_sa *sa;
	struct am_msg a;
	struct ike_hdr h;
	size_t len;

	/* Before anything else, so that a refused peer costs nothing. */
	if (ci < 0) {
		refuse(e, local, remote);
		return;
	}
	if (am_parse(m, false, &a) < 0) {
		ike_drop(e, NULL, IKE_DROP_BAD_INIT,
			 "Aggressive Mode message 1 without a valid SA, KE, "
			 "Nonce and ID; dropped");
		return;
	}
	v1_id_text(&a.idv, who, sizeof(who));
	if (!v1_id_matches(&e->conns[ci]->cfg.remote_id, &a.idv)) {
		ike_log_unauth(e, IKE_LOG_WARN,
			       "Aggressive Mode from peer identity '%s', not "
			       "the one configured for '%s'; dropped",
			       who, e->conns[ci]->cfg.name);
		return;
	}
	if (!v1_admission_ok(e, remote, m, "Aggressive Mode"))
		return;
	if (!(sa = v1_responder_sa(e, ci, local, remote, m, V1_AM_R2)))
		return;
	msg_v1_hdr_init(&h, sa->spi_i, sa->spi_r, IKEV1_EXCH_AGGRESSIVE, 0, 0);
	msg_build_init(&b, e->out, IKEV2_MAX_MSG_LEN, &h);
	if (v1_sa_choose_ke(e, sa, a.sa, a.ke.data.len, &b) < 0) {
		v1_notify_clear(e, sa, IKEV1_N_NO_PROPOSAL_CHOSEN);
		sa_kill(e, sa, "no proposal chosen");
		return;
	}
	/* The peer's ID picks the PSK (v1_derive_keys asks with it), and
	 * its ID payload body is what its HASH_I covers. */
	take_peer_id(e, sa, &a.idv);
	if (v1_keep_bytes(&sa->v1.hs->sai_b, a.sa->body) < 0 ||
	    v1_keep_bytes(&sa->v1.hs->idb, a.id->body) < 0 ||
	    v1_take_ke_nonce(e, sa, m) < 0 || v1_put_ke_nonce(e, sa, &b) < 0) {
		sa_kill(e, sa, "Aggressive Mode failed");
		return;
	}
	if (v1_derive_keys(e, sa) < 0) {
		sa_kill(e, sa, "Aggressive Mode key derivation failed");
		return;
	}
	if (put_id_hash(e, sa, &b) < 0) {
		sa_kill(e, sa, "Aggressive Mode failed");
		return;
	}
	v1_vid(e, sa, m, &b);
	ext_v1_put(e, sa, &b, 2);
	if (!(len = msg_build_finish(&b))) {
		sa_kill(e, sa, "Aggressive Mode failed");
		return;
	}
	sa->expire_at = now + e->lim.half_open_ms;
	if (guard_half_open_add(e, sa) < 0) {
		sa_kill(e, sa, "Aggressive Mode failed");
		return;
	}
	sa_schedule(e, sa);
	ike_log(e, sa, IKE_LOG_INFO,
		"Aggressive Mode answered for peer '%s' (allowed by "
		"aggressive: yes on '%s')",
		who, ike_conn(e, sa)->name);
	v1_send_reply(e, sa, m, e->out, len);
}

/* Responder, message 3: HASH_I over the IDii_b of message 1. Anything
 * that does not verify is a wrong key to us, as in Main Mode. */
static void
respond_auth(struct ike_engine *e, struct ike_sa *sa, struct msg_v1 *m)
{
	const struct pld_ref *rh;
	struct pld_v1_data hash;
	struct ike_err err = {0};
	uint8_t want[V1_HASH_MAX];
	char who[4 * IKE_ID_MAX + 1];
	struct pld_v1_id id = {.type = sa->peer_id.type,
			       .data = sa->peer_id.data};
	bool ok;

	ok = (!m->encrypted || v1_open(e, sa, m, &err) == 0) &&
	     (rh = msg_v1_find(m, IKEV1_PL_HASH, NULL)) &&
	     pld_v1_hash_get(rh, &hash, &err) == 0 &&
	     v1_hash_auth(sa, false, sa->v1.hs->idb, want) == 0 &&
	     keymat_v1_hash_equal(want, sa->v1.suite.prf->out_len, hash.data);
	OPENSSL_cleanse(want, sizeof(want));
	if (!ok) {
		ike_log(e, sa, IKE_LOG_WARN, "%s", v1_wrong_psk_i);
		v1_notify_clear(e, sa, IKEV1_N_AUTHENTICATION_FAILED);
		ike_emit(e, sa, IKE_EV_AUTH_FAILED, NULL,
			 "peer failed authentication");
		sa_kill(e, sa, "authentication failed");
		return;
	}
	if (ext_v1_input(e, sa, m, 3) < 0) {
		sa_kill(e, sa, "Aggressive Mode refused");
		return;
	}
	/* Message 3 has no answer: a retransmitted message 1 still gets
	 * message 2 from the cache, which is harmless. */
	v1_id_text(&id, who, sizeof(who));
	ike_log(e, sa, IKE_LOG_INFO,
		"peer '%s' authenticated with a pre-shared key", who);
	v1_established(e, sa);
}

int
v1_aggr_start(struct ike_engine *e, struct ike_sa *sa, uint64_t now)
{
	struct msg_builder b;
	struct ike_hdr h;
	uint8_t buf[IKE_ID_MAX], body[4 + IKE_ID_MAX];
	struct pld_v1_id id;
	size_t len;

	if (v1_handshake_new(sa) < 0)
		return -1;
	memset(sa->spi_r, 0, IKEV1_COOKIE_LEN);
	sa->v1.aggr = true;
	msg_v1_hdr_init(&h, sa->spi_i, NULL, IKEV1_EXCH_AGGRESSIVE, 0, 0);
	msg_build_init(&b, e->out, IKEV2_MAX_MSG_LEN, &h);
	if (v1_sa_offer_one_group(e, sa, &b) < 0 ||
	    v1_put_ke_nonce(e, sa, &b) < 0 || !own_id(e, sa, &id, buf, body))
		return -1;
	pld_v1_id_put(&b, &id);
	v1_vid(e, sa, NULL, &b);
	ext_v1_put(e, sa, &b, 1);
	if (!(len = msg_build_finish(&b)) ||
	    v1_keep_own_sa_body(e, sa, len) < 0)
		return -1;
	sa->state = IKE_SA_CONNECTING;
	sa->v1.phase = V1_AM_I1;
	ike_log(e, sa, IKE_LOG_INFO,
		"initiating Aggressive Mode (its PSK hash can be cracked "
		"offline by whoever sees message 2)");
	return v1_send_request(e, sa, now, e->out, len);
}

/* Initiator, message 2: the responder's choice, KE, nonce, ID and
 * HASH_R; then HASH_I in message 3 and we are done. */
static void
complete(struct ike_engine *e, struct ike_sa *sa, struct msg_v1 *m)
{
	const struct ike_conn_cfg *c = ike_conn(e, sa);
	uint8_t want[V1_HASH_MAX], buf[IKE_ID_MAX], body[4 + IKE_ID_MAX];
	char who[4 * IKE_ID_MAX + 1];
	struct pld_v1_data hash;
	struct pld_v1_id id;
	struct msg_builder b;
	struct ike_hdr h;
	struct am_msg a;
	uint16_t group = sa->v1.dh_group;
	size_t len, n;
	bool ok;

	/* Unauthenticated until HASH_R verifies: what makes no sense is
	 * dropped and we keep waiting (retransmitting) for the real one. */
	if (am_parse(m, true, &a) < 0) {
		ike_drop(e, sa, IKE_DROP_STATE,
			 "Aggressive Mode message without the SA, KE, Nonce, "
			 "ID and HASH of message 2; dropped");
		return;
	}
	if (v1_sa_chosen(e, sa, a.sa) < 0)
		return;
	if (sa->v1.dh_group != group) {
		ike_log(
		    e, sa, IKE_LOG_WARN,
		    "Aggressive Mode answer chose group %u, we sent a KE of "
		    "group %u; dropped",
		    sa->v1.dh_group, group);
		sa->v1.dh_group = group;
		return;
	}
	if (v1_take_ke_nonce(e, sa, m) < 0)
		return;
	memcpy(sa->spi_r, m->hdr.spi_r, IKEV1_COOKIE_LEN);
	xchg_request_done(e, sa);
	if (v1_derive_keys(e, sa) < 0) {
		sa_kill(e, sa, "Aggressive Mode key derivation failed");
		return;
	}
	ok = v1_hash_auth(sa, true, a.id->body, want) == 0 &&
	     keymat_v1_hash_equal(want, sa->v1.suite.prf->out_len,
				  a.hash_data.data);
	OPENSSL_cleanse(want, sizeof(want));
	if (!ok) {
		ike_log(e, sa, IKE_LOG_WARN, "%s", v1_wrong_psk_r);
		ike_emit(e, sa, IKE_EV_AUTH_FAILED, NULL,
			 "responder failed authentication");
		sa_kill(e, sa, "responder failed authentication");
		return;
	}
	v1_id_text(&a.idv, who, sizeof(who));
	if (!v1_id_matches(&c->remote_id, &a.idv)) {
		ike_log(e, sa, IKE_LOG_WARN,
			"peer identity '%s' is not the one configured for '%s'",
			who, c->name);
		ike_emit(e, sa, IKE_EV_AUTH_FAILED, NULL,
			 "responder has another identity");
		sa_kill(e, sa, "responder has another identity");
		return;
	}
	take_peer_id(e, sa, &a.idv);
	v1_vid(e, sa, m, NULL);
	ike_log(e, sa, IKE_LOG_INFO,
		"peer '%s' authenticated with a pre-shared key", who);
	/* natt may move the SA to port 4500 here: message 3 goes there. */
	if (ext_v1_input(e, sa, m, 2) < 0) {
		sa_kill(e, sa, "Aggressive Mode refused");
		return;
	}
	n = own_id(e, sa, &id, buf, body);
	if (!n || v1_hash_auth(sa, false, (struct bytes){body, n}, want) < 0) {
		sa_kill(e, sa, "Aggressive Mode failed");
		return;
	}
	hash.data = (struct bytes){want, sa->v1.suite.prf->out_len};
	msg_v1_hdr_init(&h, sa->spi_i, sa->spi_r, IKEV1_EXCH_AGGRESSIVE,
			IKEV1_FLAG_ENCRYPTION, 0);
	msg_build_init(&b, e->out, IKEV2_MAX_MSG_LEN, &h);
	pld_v1_hash_put(&b, &hash);
	ext_v1_put(e, sa, &b, 3);
	len = msg_build_finish(&b);
	OPENSSL_cleanse(want, sizeof(want));
	if (!len || !(len = v1_seal(e, sa, len))) {
		sa_kill(e, sa, "Aggressive Mode failed");
		return;
	}
	/* Nothing answers message 3: sent once, not kept; where the SA
	 * runs now (natt may have moved it to port 4500). */
	xchg_transmit(e, &sa->local, &sa->remote, e->out, len, false);
	v1_established(e, sa);
}

/* Initiator: an unprotected notify while message 1 is out may be the
 * responder's refusal; as in Main Mode it names both cookies of our
 * half-open SA, so it ends the attempt. */
static void
refused(struct ike_engine *e, struct ike_sa *sa, struct msg_v1 *m)
{
	const struct pld_ref *r = msg_v1_find(m, IKEV1_PL_N, NULL);
	struct pld_v1_notify n;
	struct ike_err err = {0};

	if (m->encrypted || !r || pld_v1_notify_get(r, &n, &err) < 0)
		return;
	if (n.type == IKEV1_N_NO_PROPOSAL_CHOSEN ||
	    n.type == IKEV1_N_AUTHENTICATION_FAILED ||
	    n.type == IKEV1_N_INVALID_HASH_INFORMATION) {
		ike_log(e, sa, IKE_LOG_WARN,
			"peer refused our Aggressive Mode (%s)%s",
			msg_v1_notify_name(n.type),
			n.type == IKEV1_N_NO_PROPOSAL_CHOSEN
			    ? ""
			    : ": wrong pre-shared key?");
		if (n.type != IKEV1_N_NO_PROPOSAL_CHOSEN)
			ike_emit(e, sa, IKE_EV_AUTH_FAILED, NULL,
				 "peer refused our HASH_I");
		sa_kill(e, sa, msg_v1_notify_name(n.type));
	} else {
		ike_log(e, sa, IKE_LOG_INFO,
			"unprotected %s notify while in Aggressive Mode; "
			"ignored",
			msg_v1_notify_name(n.type));
	}
}

void
v1_aggr_input(struct ike_engine *e, struct ike_sa *sa, uint64_t now,
	      struct msg_v1 *m)
{
	if (sa->state != IKE_SA_CONNECTING || !sa->v1.aggr) {
		ike_drop(e, sa, IKE_DROP_STATE,
			 "%s message for an ISAKMP SA not in Aggressive Mode "
			 "that is not a retransmission; dropped",
			 msg_v1_exchange_name(m->hdr.exchange));
		return;
	}
	if (m->hdr.exchange == IKEV1_EXCH_INFORMATIONAL) {
		if (sa->initiator)
			refused(e, sa, m);
		return;
	}
	if (sa->v1.phase == V1_AM_I1)
		complete(e, sa, m);
	else if (sa->v1.phase == V1_AM_R2)
		respond_auth(e, sa, m);
}
