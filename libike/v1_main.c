/* SPDX-License-Identifier: ISC */
/*
 * IKEv1 Main Mode with a pre-shared key (RFC 2409 5, 5.4), both roles:
 *
 *   Initiator                         Responder
 *   1  HDR, SA                  -->
 *                               <--   2  HDR, SA
 *   3  HDR, KE, Ni              -->
 *                               <--   4  HDR, KE, Nr
 *   5  HDR*, IDii, HASH_I       -->
 *                               <--   6  HDR*, IDir, HASH_R
 *
 * The pre-shared key stays in the host: SKEYID = prf(PSK, Ni_b | Nr_b) is
 * asked of env.auth_sign (IKE_AUTH_PURPOSE_V1_SKEYID), by the connection
 * the addresses chose, since the responder needs it before message 5
 * names the peer. Everything from SKEYID on is ours (keymat_v1.c). A
 * wrong key shows as a message 5 that does not decrypt to payloads or
 * whose HASH_I does not verify: the responder cannot tell the two apart,
 * logs one line and answers with an unprotected AUTHENTICATION-FAILED
 * (RFC 2409 5 allows it; it carries no data), which the initiator takes
 * as the end of the attempt. Quick Mode is not there yet: the ISAKMP SA
 * comes up alone.
 *
 * With signatures (RSA, ECDSA: v1_sig.c) SKEYID is ours from g^xy,
 * messages 3 and 4 add CERTREQs, and 5 and 6 carry CERTs and a SIG of
 * HASH_I/HASH_R instead of the HASH (RFC 2409 5.1).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "ike_int.h"

/* The one line each side logs for a key that differs (tests and admins
 * grep for it). */
const char *const v1_wrong_psk_i =
    "peer's HASH_I does not verify: wrong pre-shared key?";
const char *const v1_wrong_psk_r =
    "peer's HASH_R does not verify: wrong pre-shared key?";

/* What only the handshake needs: gone once both HASHes are checked, or
 * with the SA. */
static void
handshake_free(struct v1_state *v)
{
	struct v1_handshake *h = v->hs;

	if (!h)
		return;
	dh_free(h->dh);
	secret_free(h->ni);
	secret_free(h->nr);
	free((void *)h->sai_b.ptr);
	free((void *)h->gxi.ptr);
	free((void *)h->gxr.ptr);
	free((void *)h->idb.ptr);
	free(h);
	v->hs = NULL;
}

int
v1_handshake_new(struct ike_sa *sa)
{
	if (!sa->v1.hs)
		sa->v1.hs = calloc(1, sizeof(*sa->v1.hs));
	return sa->v1.hs ? 0 : -1;
}

void
v1_state_free(struct v1_state *v)
{
	handshake_free(v);
	v1_quick_free_all(v);
	v1_keys_clear(&v->keys);
	OPENSSL_cleanse(&v->iv, sizeof(v->iv));
}

/* Once both HASHes are checked, only the keys and the IV chain stay. */
static void
handshake_done(struct ike_sa *sa)
{
	handshake_free(&sa->v1);
}

int
v1_keep_bytes(struct bytes *dst, struct bytes src)
{
	uint8_t *p = malloc(src.len ? src.len : 1);

	if (!p)
		return -1;
	if (src.len)
		memcpy(p, src.ptr, src.len);
	free((void *)dst->ptr);
	dst->ptr = p;
	dst->len = src.len;
	return 0;
}

/* Our identity: configured, the host's for the connection, or our
 * address. IKEv1's ID types share IKEv2's numbers for those we use
 * (RFC 2407 4.6.2.1, RFC 7296 3.5). */
void
v1_our_id(struct ike_engine *e, const struct ike_sa *sa, struct ike_id_cfg *id,
	  uint8_t buf[IKE_ID_MAX])
{
	const struct ike_conn_cfg *c = ike_conn(e, sa);
	uint8_t type = 0;
	size_t len = IKE_ID_MAX;

	if (c->local_id.type) {
		*id = c->local_id;
		return;
	}
	memset(id, 0, sizeof(*id));
	id->data = buf;
	if (e->env.auth_local_id &&
	    e->env.auth_local_id(e->env.ctx, c->name, &type, buf, &len) == 0 &&
	    type != 0 && len <= IKE_ID_MAX) {
		id->type = type;
		id->len = len;
		return;
	}
	if (sa->local.ss.ss_family == AF_INET6) {
		id->type = IKEV1_ID_IPV6_ADDR;
		id->len = 16;
		memcpy(buf,
		       &((const struct sockaddr_in6 *)&sa->local.ss)->sin6_addr,
		       16);
	} else {
		id->type = IKEV1_ID_IPV4_ADDR;
		id->len = 4;
		memcpy(buf,
		       &((const struct sockaddr_in *)&sa->local.ss)->sin_addr,
		       4);
	}
}

bool
v1_id_matches(const struct ike_id_cfg *want, const struct pld_v1_id *got)
{
	if (want->type == 0)
		return true;
	if (want->type == IKEV1_ID_DER_ASN1_DN &&
	    got->type == IKEV1_ID_DER_ASN1_DN)
		return ike_dn_equal(want->data, want->len, got->data.ptr,
				    got->data.len);
	return want->type == got->type && want->len == got->data.len &&
	       memcmp(want->data, got->data.ptr, want->len) == 0;
}

void
v1_id_text(const struct pld_v1_id *id, char *buf, size_t len)
{
	if (id->type == IKEV1_ID_IPV4_ADDR && id->data.len == 4)
		inet_ntop(AF_INET, id->data.ptr, buf, (socklen_t)len);
	else if (id->type == IKEV1_ID_IPV6_ADDR && id->data.len == 16)
		inet_ntop(AF_INET6, id->data.ptr, buf, (socklen_t)len);
	else if (id->type == IKEV1_ID_FQDN || id->type == IKEV1_ID_USER_FQDN)
		id_escape(id->data.ptr, id->data.len, buf, len);
	else if (id->type == IKEV1_ID_DER_ASN1_DN &&
		 ike_dn_text(id->data.ptr, id->data.len, buf, len) == 0)
		return;
	else
		snprintf(buf, len, "<ID type %u, %zu bytes>", id->type,
			 id->data.len);
}

/* The SA payload body of the message in e->out (ours, message 1). */
int
v1_keep_own_sa_body(struct ike_engine *e, struct ike_sa *sa, size_t len)
{
	struct msg_v1 *m = malloc(sizeof(*m));
	struct ike_err err = {0};
	const struct pld_ref *r;
	int rc = -1;

	if (m && msg_v1_frame(e->out, len, m, &err) == 0 &&
	    (r = msg_v1_find(m, IKEV1_PL_SA, NULL)))
		rc = v1_keep_bytes(&sa->v1.hs->sai_b, r->body);
	free(m);
	return rc;
}

int
v1_main_start(struct ike_engine *e, struct ike_sa *sa, uint64_t now)
{
	struct msg_builder b;
	struct ike_hdr h;
	size_t len;

	if (v1_handshake_new(sa) < 0)
		return -1;
	memset(sa->spi_r, 0, IKEV1_COOKIE_LEN);
	msg_v1_hdr_init(&h, sa->spi_i, NULL, IKEV1_EXCH_IDENT_PROT, 0, 0);
	msg_build_init(&b, e->out, IKEV2_MAX_MSG_LEN, &h);
	if (v1_sa_offer(e, sa, &b) < 0)
		return -1;
	v1_vid(e, sa, NULL, &b);
	ext_v1_put(e, sa, &b, 1);
	if (!(len = msg_build_finish(&b)) ||
	    v1_keep_own_sa_body(e, sa, len) < 0)
		return -1;
	sa->state = IKE_SA_CONNECTING;
	sa->v1.phase = V1_MM_I1;
	ike_log(e, sa, IKE_LOG_INFO, "initiating Main Mode");
	return v1_send_request(e, sa, now, e->out, len);
}

/* Our KE and Nonce (messages 3 and 4): the group is the chosen one. */
int
v1_put_ke_nonce(struct ike_engine *e, struct ike_sa *sa, struct msg_builder *b)
{
	struct secret *n = secret_new(IKE_NONCE_LEN);
	uint8_t pub[1024];
	size_t publen = dh_public_len(sa->v1.dh_group);
	struct pld_v1_data ke, nonce;

	sa->v1.hs->dh = ike_dh_new(e, sa->v1.dh_group);
	if (!n || !sa->v1.hs->dh || !publen || publen > sizeof(pub) ||
	    dh_public(sa->v1.hs->dh, pub, publen) < 0 ||
	    ike_random(e, n->ptr, n->len) < 0 ||
	    v1_keep_bytes(sa->initiator ? &sa->v1.hs->gxi : &sa->v1.hs->gxr,
			  (struct bytes){pub, publen}) < 0) {
		ike_log(e, sa, IKE_LOG_ERROR,
			"cannot create a key exchange for group %u",
			sa->v1.dh_group);
		secret_free(n);
		return -1;
	}
	if (sa->initiator)
		sa->v1.hs->ni = n;
	else
		sa->v1.hs->nr = n;
	ke.data = (struct bytes){pub, publen};
	nonce.data = (struct bytes){n->ptr, n->len};
	pld_v1_ke_put(b, &ke);
	pld_v1_nonce_put(b, &nonce);
	return 0;
}

/* The peer's KE and Nonce, kept. */
int
v1_take_ke_nonce(struct ike_engine *e, struct ike_sa *sa,
		 const struct msg_v1 *m)
{
	const struct pld_ref *rk = msg_v1_find(m, IKEV1_PL_KE, NULL);
	const struct pld_ref *rn = msg_v1_find(m, IKEV1_PL_NONCE, NULL);
	struct pld_v1_data ke, n;
	struct ike_err err = {0};
	struct secret **nonce = sa->initiator ? &sa->v1.hs->nr : &sa->v1.hs->ni;

	if (!rk || !rn || pld_v1_ke_get(rk, &ke, &err) < 0 ||
	    pld_v1_nonce_get(rn, &n, &err) < 0 ||
	    ke.data.len != dh_public_len(sa->v1.dh_group)) {
		ike_log(e, sa, IKE_LOG_WARN,
			"Main Mode message without a valid KE (group %u) and "
			"Nonce; dropped",
			sa->v1.dh_group);
		return -1;
	}
	if (v1_keep_bytes(sa->initiator ? &sa->v1.hs->gxr : &sa->v1.hs->gxi,
			  ke.data) < 0 ||
	    !(*nonce = secret_dup(n.data.ptr, n.data.len)))
		return -1;
	return 0;
}

/* g^xy, or -1 with the line. */
static int
shared_secret(struct ike_engine *e, struct ike_sa *sa, struct secret **gxy)
{
	const struct bytes *peer =
	    sa->initiator ? &sa->v1.hs->gxr : &sa->v1.hs->gxi;

	if (dh_shared(sa->v1.hs->dh, peer->ptr, peer->len, gxy) < 0) {
		ike_log(e, sa, IKE_LOG_WARN,
			"peer's key exchange value for group %u is invalid",
			sa->v1.dh_group);
		return -1;
	}
	dh_free(sa->v1.hs->dh);
	sa->v1.hs->dh = NULL;
	return 0;
}

/* With signatures: SKEYID = prf(Ni_b | Nr_b, g^xy) and the rest, all of
 * it ours (RFC 2409 5), and the phase 1 IV. */
static int
derive_keys_sig(struct ike_engine *e, struct ike_sa *sa)
{
	struct secret *gxy = NULL;
	int rc = -1;

	if (shared_secret(e, sa, &gxy) == 0 &&
	    keymat_v1_ike(
		&sa->v1.suite, NULL, gxy,
		(struct bytes){sa->v1.hs->ni->ptr, sa->v1.hs->ni->len},
		(struct bytes){sa->v1.hs->nr->ptr, sa->v1.hs->nr->len},
		sa->spi_i, sa->spi_r, &sa->v1.keys) == 0 &&
	    v1_iv_phase1(&sa->v1.suite, sa->v1.hs->gxi, sa->v1.hs->gxr,
			 &sa->v1.iv) == 0)
		rc = 0;
	secret_free(gxy);
	return rc;
}

/* SKEYID from the host (the PSK stays there), then g^xy and the keys of
 * RFC 2409 5, and the phase 1 IV (Appendix B). */
int
v1_derive_keys(struct ike_engine *e, struct ike_sa *sa)
{
	const struct ike_conn_cfg *c = ike_conn(e, sa);
	struct secret *nonces =
	    secret_new(sa->v1.hs->ni->len + sa->v1.hs->nr->len);
	struct secret *gxy = NULL;
	struct ike_id_cfg local;
	struct ike_auth_req req;
	uint8_t buf[IKE_ID_MAX], out[IKE_AUTH_MAX], method = 0;
	size_t len = sizeof(out);
	int rc = -1;

	if (!nonces)
		return -1;
	memcpy(nonces->ptr, sa->v1.hs->ni->ptr, sa->v1.hs->ni->len);
	memcpy(nonces->ptr + sa->v1.hs->ni->len, sa->v1.hs->nr->ptr,
	       sa->v1.hs->nr->len);
	if (v1_auth_is_sig(sa->v1.auth)) {
		secret_free(nonces);
		return derive_keys_sig(e, sa);
	}
	v1_our_id(e, sa, &local, buf);
	memset(&req, 0, sizeof(req));
	req.version = 1;
	req.purpose = IKE_AUTH_PURPOSE_V1_SKEYID;
	req.conn = c->name;
	req.ike_id = sa->id;
	req.local_id = &local;
	/* Known here only in Aggressive Mode (its message 1 names the
	 * peer): then the key may be chosen by the peer's ID. */
	req.peer_id = sa->peer_id.type ? &sa->peer_id : NULL;
	req.prf = sa->v1.suite.prf;
	req.octets = (struct bytes){nonces->ptr, nonces->len};
	if (!e->env.auth_sign ||
	    e->env.auth_sign(e->env.ctx, &req, &method, out, &len) < 0 ||
	    method != IKEV1_AUTH_PRE_SHARED_KEY ||
	    len != sa->v1.suite.prf->out_len) {
		ike_log(e, sa, IKE_LOG_ERROR,
			"no pre-shared key for %s on connection '%s'",
			v1_mode(sa), c->name);
		goto done;
	}
	sa->v1.keys.skeyid = secret_dup(out, len);
	if (!sa->v1.keys.skeyid || shared_secret(e, sa, &gxy) < 0)
		goto done;
	if (keymat_v1_ike_rest(&sa->v1.suite, gxy, sa->spi_i, sa->spi_r,
			       &sa->v1.keys) < 0 ||
	    v1_iv_phase1(&sa->v1.suite, sa->v1.hs->gxi, sa->v1.hs->gxr,
			 &sa->v1.iv) < 0)
		goto done;
	rc = 0;
done:
	OPENSSL_cleanse(out, sizeof(out));
	secret_free(nonces);
	secret_free(gxy);
	return rc;
}

/* HASH_I (ours as initiator) or HASH_R over the ID payload body idb. */
int
v1_hash_auth(const struct ike_sa *sa, bool responder, struct bytes idb,
	     uint8_t *out)
{
	return keymat_v1_hash_auth(&sa->v1.suite, sa->v1.keys.skeyid, responder,
				   sa->v1.hs->gxi, sa->v1.hs->gxr, sa->spi_i,
				   sa->spi_r, sa->v1.hs->sai_b, idb, out);
}

/* Messages 5 and 6: our ID and HASH (or CERTs and SIG), encrypted; the
 * length, 0 failed. */
static size_t
build_id_hash(struct ike_engine *e, struct ike_sa *sa)
{
	struct ike_id_cfg local;
	struct pld_v1_id id = {0};
	struct pld_v1_data hash;
	uint8_t buf[IKE_ID_MAX], body[4 + IKE_ID_MAX], mac[V1_HASH_MAX];
	struct msg_builder b;
	struct ike_hdr h;
	size_t len;

	v1_our_id(e, sa, &local, buf);
	id.type = local.type;
	id.data = (struct bytes){local.data, local.len};
	/* IDii_b / IDir_b: type, protocol, port, data (RFC 2409 5). */
	body[0] = id.type;
	body[1] = body[2] = body[3] = 0;
	if (local.len)
		memcpy(body + 4, local.data, local.len);
	if (v1_hash_auth(sa, !sa->initiator,
			 (struct bytes){body, 4 + local.len}, mac) < 0)
		return 0;
	hash.data = (struct bytes){mac, sa->v1.suite.prf->out_len};
	msg_v1_hdr_init(&h, sa->spi_i, sa->spi_r, IKEV1_EXCH_IDENT_PROT,
			IKEV1_FLAG_ENCRYPTION, 0);
	msg_build_init(&b, e->out, IKEV2_MAX_MSG_LEN, &h);
	pld_v1_id_put(&b, &id);
	if (!v1_auth_is_sig(sa->v1.auth))
		pld_v1_hash_put(&b, &hash);
	else if (v1_sig_put(e, sa, &local, mac, hash.data.len, &b) < 0)
		return 0;
	if (!(len = msg_build_finish(&b)))
		return 0;
	return v1_seal(e, sa, len);
}

/* The peer's ID as the engine keeps it (list-sas, the auth hooks). */
static void
keep_peer_id(struct ike_sa *sa, const struct pld_v1_id *id)
{
	size_t n = id->data.len < IKE_ID_MAX ? id->data.len : IKE_ID_MAX;

	memcpy(sa->peer_id_buf, id->data.ptr, n);
	sa->peer_id.type = id->type;
	sa->peer_id.data = (struct bytes){sa->peer_id_buf, n};
}

/* With signatures, message 5 or 6: the peer's ID, CERTs and SIG. 0 when
 * they verify, else -1 and the one line saying why is logged. Keys from
 * g^xy cannot be wrong as a PSK can: a body that does not decrypt was
 * damaged or forged, and says so. */
static int
check_id_sig(struct ike_engine *e, struct ike_sa *sa, struct msg_v1 *m)
{
	const struct ike_conn_cfg *c = ike_conn(e, sa);
	unsigned num = sa->initiator ? 6 : 5;
	const struct pld_ref *ri;
	struct pld_v1_id id;
	struct ike_err err = {0};
	uint8_t want[V1_HASH_MAX];
	char who[4 * IKE_ID_MAX + 1];
	int rc = -1;

	if (v1_open(e, sa, m, &err) < 0) {
		ike_log(e, sa, IKE_LOG_WARN,
			"Main Mode message %u does not decrypt to payloads "
			"(damaged, or not from the peer)",
			num);
		return -1;
	}
	if (!(ri = msg_v1_find(m, IKEV1_PL_ID, NULL)) ||
	    pld_v1_id_get(ri, &id, &err) < 0) {
		ike_log(e, sa, IKE_LOG_WARN,
			"Main Mode message %u without a valid ID payload", num);
		return -1;
	}
	v1_id_text(&id, who, sizeof(who));
	if (!v1_id_matches(&c->remote_id, &id)) {
		ike_log(e, sa, IKE_LOG_WARN,
			"peer identity '%s' is not the one configured for '%s'",
			who, c->name);
		return -1;
	}
	keep_peer_id(sa, &id);
	if (v1_hash_auth(sa, sa->initiator, ri->body, want) == 0 &&
	    v1_sig_check(e, sa, m, &sa->peer_id, who, want,
			 sa->v1.suite.prf->out_len) == 0) {
		ike_log(e, sa, IKE_LOG_INFO, "peer '%s' authenticated with %s",
			who, v1_auth_text(sa->v1.auth));
		rc = 0;
	}
	OPENSSL_cleanse(want, sizeof(want));
	return rc;
}

/* The peer's ID and HASH of message 5 or 6: 0 when they verify, else
 * -1 and the one line saying so is logged. */
static int
check_id_hash(struct ike_engine *e, struct ike_sa *sa, struct msg_v1 *m)
{
	const struct ike_conn_cfg *c = ike_conn(e, sa);
	const char *wrong = sa->initiator ? v1_wrong_psk_r : v1_wrong_psk_i;
	const struct pld_ref *ri, *rh;
	struct pld_v1_id id;
	struct pld_v1_data hash;
	struct ike_err err = {0};
	uint8_t want[V1_HASH_MAX];
	char who[4 * IKE_ID_MAX + 1];

	if (v1_auth_is_sig(sa->v1.auth))
		return check_id_sig(e, sa, m);
	/* A body that does not decrypt to payloads is what a wrong key
	 * makes of it: the same line as a HASH that does not verify. */
	if (v1_open(e, sa, m, &err) < 0 ||
	    !(ri = msg_v1_find(m, IKEV1_PL_ID, NULL)) ||
	    !(rh = msg_v1_find(m, IKEV1_PL_HASH, NULL)) ||
	    pld_v1_id_get(ri, &id, &err) < 0 ||
	    pld_v1_hash_get(rh, &hash, &err) < 0 ||
	    v1_hash_auth(sa, sa->initiator, ri->body, want) < 0 ||
	    !keymat_v1_hash_equal(want, sa->v1.suite.prf->out_len, hash.data)) {
		ike_log(e, sa, IKE_LOG_WARN, "%s", wrong);
		OPENSSL_cleanse(want, sizeof(want));
		return -1;
	}
	v1_id_text(&id, who, sizeof(who));
	if (!v1_id_matches(&c->remote_id, &id)) {
		ike_log(e, sa, IKE_LOG_WARN,
			"peer identity '%s' is not the one configured for '%s'",
			who, c->name);
		return -1;
	}
	keep_peer_id(sa, &id);
	ike_log(e, sa, IKE_LOG_INFO,
		"peer '%s' authenticated with a pre-shared key", who);
	return 0;
}

/* An unprotected Informational with one notify about the ISAKMP SA
 * (RFC 2408 3.14: its SPI is the cookie pair). */
void
v1_notify_clear(struct ike_engine *e, struct ike_sa *sa, uint16_t type)
{
	struct pld_v1_notify n = {0};
	uint8_t spi[2 * IKEV1_COOKIE_LEN];
	struct msg_builder b;
	struct ike_hdr h;
	uint32_t mid = 0;
	size_t len;

	while (!mid)
		if (ike_random(e, &mid, sizeof(mid)) < 0)
			return;
	memcpy(spi, sa->spi_i, IKEV1_COOKIE_LEN);
	memcpy(spi + IKEV1_COOKIE_LEN, sa->spi_r, IKEV1_COOKIE_LEN);
	n.doi = IKEV1_DOI_IPSEC;
	n.proto = IKEV1_PROTO_ISAKMP;
	n.spi_size = sizeof(spi);
	n.type = type;
	n.spi = (struct bytes){spi, sizeof(spi)};
	msg_v1_hdr_init(&h, sa->spi_i, sa->spi_r, IKEV1_EXCH_INFORMATIONAL, 0,
			mid);
	msg_build_init(&b, e->out, IKEV2_MAX_MSG_LEN, &h);
	pld_v1_notify_put(&b, &n);
	if ((len = msg_build_finish(&b)))
		xchg_send_back(e, sa, e->out, len, false);
}

void
v1_established(struct ike_engine *e, struct ike_sa *sa)
{
	const struct ike_conn_cfg *c = ike_conn(e, sa);

	sa->state = IKE_SA_ESTABLISHED;
	sa->expire_at = 0;
	guard_half_open_del(e, sa);
	handshake_done(sa);
	ike_log(e, sa, IKE_LOG_INFO, "ISAKMP SA established (%s)", v1_mode(sa));
	ike_emit(e, sa, IKE_EV_IKE_UP, NULL, NULL);
	/* No ISAKMP SA outlives its negotiated lifetime: the original
	 * initiator replaces it before (at the connection's rekey time, at
	 * the latest at 9/10 of it), and its end closes it (v1_rekey_ike). */
	if (sa->v1.life_s) {
		uint64_t life = (uint64_t)sa->v1.life_s * 1000;

		sa->v1.ends_at = e->now + life;
		sa->rekey_at = sa->v1.ends_at;
		if (sa->initiator)
			sa->rekey_at =
			    e->now +
			    (c->rekey_ms && c->rekey_ms < life - life / 10
				 ? c->rekey_ms
				 : life - life / 10);
		sa_schedule(e, sa);
	}
	v1_rekey_established(e, sa);
	if (sa->want_child &&
	    v1_quick_start(e, sa, e->now, sa->want_child - 1, NULL) < 0)
		ike_log(e, sa, IKE_LOG_WARN, "child '%s' not started",
			c->children[sa->want_child - 1].name);
}

/* Responder: the connection for a message 1 by its addresses, most
 * specific first, of those that speak IKEv1 (and with aggressive, of
 * those that allow Aggressive Mode). */
int
v1_conn_for(const struct ike_engine *e, const struct ike_endpoint *local,
	    const struct ike_endpoint *remote, bool aggressive)
{
	int best = -1, best_score = -1;
	size_t i;

	for (i = 0; i < e->n_conns; i++) {
		const struct ike_conn_cfg *c = &e->conns[i]->cfg;
		int score;

		if (c->version != 0 && c->version != 1)
			continue;
		if (aggressive && !c->aggressive)
			continue;
		score = conn_fit_addrs(e, i, local, remote);
		if (score > best_score) {
			best = (int)i;
			best_score = score;
		}
	}
	return best;
}

/* What a message 1 from remote may cost us: half-open limits as for
 * IKE_SA_INIT (IKEv1 has no cookie challenge before state). */
bool
v1_admission_ok(struct ike_engine *e, const struct ike_endpoint *remote,
		const struct msg_v1 *m, const char *mode)
{
	size_t from_ip = guard_half_open_of(e, remote);

	if (m->raw.len > e->lim.init_max_len ||
	    m->n > e->lim.init_max_payloads) {
		ike_drop(e, NULL, IKE_DROP_INIT_SIZE,
			 "%s message 1 of %zu bytes and %u payloads "
			 "refused (at most %u bytes and %u payloads)",
			 mode, m->raw.len, m->n, e->lim.init_max_len,
			 e->lim.init_max_payloads);
		return false;
	}
	if (from_ip >= e->lim.block_threshold ||
	    (e->lim.init_limit_half_open &&
	     e->n_half_open >= e->lim.init_limit_half_open)) {
		ike_drop(e, NULL, IKE_DROP_HALF_OPEN,
			 "%s refused: %zu half-open SAs from this "
			 "address (block_threshold %u), %zu in all "
			 "(init_limit_half_open %u)",
			 mode, from_ip, e->lim.block_threshold, e->n_half_open,
			 e->lim.init_limit_half_open);
		return false;
	}
	return true;
}

struct ike_sa *
v1_responder_sa(struct ike_engine *e, int ci, const struct ike_endpoint *local,
		const struct ike_endpoint *remote, const struct msg_v1 *m,
		uint8_t phase)
{
	struct ike_sa *sa = sa_new(e, e->conns[ci], false, 1);

	if (!sa)
		return NULL;
	if (v1_handshake_new(sa) < 0) {
		sa_kill(e, sa, "out of memory");
		return NULL;
	}
	sa->local = *local;
	sa->remote = *remote;
	memcpy(sa->spi_i, m->hdr.spi_i, IKEV1_COOKIE_LEN);
	sa_set_our_spi(e, sa);
	sa->state = IKE_SA_CONNECTING;
	sa->v1.aggr = phase == V1_AM_R2;
	sa->v1.phase = phase;
	if (ext_v1_input(e, sa, m, 1) < 0) {
		sa_kill(e, sa, "phase 1 refused");
		return NULL;
	}
	return sa;
}

void
v1_main_respond(struct ike_engine *e, uint64_t now,
		const struct ike_endpoint *local,
		const struct ike_endpoint *remote, struct msg_v1 *m)
{
	const struct pld_ref *r = msg_v1_find(m, IKEV1_PL_SA, NULL);
	int ci = v1_conn_for(e, local, remote, false);
	struct msg_builder b;
	struct ike_sa *sa;
	struct ike_hdr h;
	size_t len;

	if (!v1_admission_ok(e, remote, m, "Main Mode"))
		return;
	if (ci < 0 || !r) {
		ike_log_unauth(e, IKE_LOG_WARN,
			       ci < 0 ? "Main Mode from a peer no IKEv1 "
					"connection is configured for; dropped"
				      : "Main Mode message 1 without an SA "
					"payload; dropped");
		return;
	}
	if (!(sa = v1_responder_sa(e, ci, local, remote, m, V1_MM_R2)))
		return;
	msg_v1_hdr_init(&h, sa->spi_i, sa->spi_r, IKEV1_EXCH_IDENT_PROT, 0, 0);
	msg_build_init(&b, e->out, IKEV2_MAX_MSG_LEN, &h);
	if (v1_sa_choose(e, sa, r, &b) < 0) {
		v1_notify_clear(e, sa, IKEV1_N_NO_PROPOSAL_CHOSEN);
		sa_kill(e, sa, "no proposal chosen");
		return;
	}
	v1_vid(e, sa, m, &b);
	ext_v1_put(e, sa, &b, 2);
	if (!(len = msg_build_finish(&b)) ||
	    v1_keep_bytes(&sa->v1.hs->sai_b, r->body) < 0) {
		sa_kill(e, sa, "Main Mode failed");
		return;
	}
	sa->expire_at = now + e->lim.half_open_ms;
	if (guard_half_open_add(e, sa) < 0) {
		sa_kill(e, sa, "Main Mode failed");
		return;
	}
	sa_schedule(e, sa);
	ike_log(e, sa, IKE_LOG_INFO, "Main Mode answered");
	v1_send_reply(e, sa, m, e->out, len);
}

/* Responder, message 3: our KE and Nr in message 4; the keys. */
static void
respond_ke(struct ike_engine *e, struct ike_sa *sa, struct msg_v1 *m)
{
	struct msg_builder b;
	struct ike_hdr h;
	size_t len;

	if (m->encrypted) {
		ike_drop(e, sa, IKE_DROP_STATE,
			 "encrypted Main Mode message while waiting for "
			 "message 3; dropped");
		return;
	}
	if (v1_take_ke_nonce(e, sa, m) < 0)
		return; /* logged; the peer may send a valid one */
	if (ext_v1_input(e, sa, m, 3) < 0) {
		sa_kill(e, sa, "Main Mode refused");
		return;
	}
	msg_v1_hdr_init(&h, sa->spi_i, sa->spi_r, IKEV1_EXCH_IDENT_PROT, 0, 0);
	msg_build_init(&b, e->out, IKEV2_MAX_MSG_LEN, &h);
	if (v1_put_ke_nonce(e, sa, &b) < 0 ||
	    (v1_auth_is_sig(sa->v1.auth) &&
	     v1_sig_certreq_put(e, sa, &b) < 0)) {
		sa_kill(e, sa, "Main Mode failed");
		return;
	}
	ext_v1_put(e, sa, &b, 4);
	if (!(len = msg_build_finish(&b))) {
		sa_kill(e, sa, "Main Mode failed");
		return;
	}
	/* Keys before the answer: without a PSK the peer hears nothing. */
	if (v1_derive_keys(e, sa) < 0) {
		sa_kill(e, sa, "Main Mode key derivation failed");
		return;
	}
	sa->v1.phase = V1_MM_R4;
	v1_send_reply(e, sa, m, e->out, len);
}

/* Responder, message 5: the peer proven, our ID and HASH_R. */
static void
respond_auth(struct ike_engine *e, struct ike_sa *sa, struct msg_v1 *m)
{
	size_t len;

	if (check_id_hash(e, sa, m) < 0) {
		v1_notify_clear(e, sa, IKEV1_N_AUTHENTICATION_FAILED);
		ike_emit(e, sa, IKE_EV_AUTH_FAILED, NULL,
			 "peer failed authentication");
		sa_kill(e, sa, "authentication failed");
		return;
	}
	if (ext_v1_input(e, sa, NULL, 5) < 0) {
		sa_kill(e, sa, "Main Mode refused");
		return;
	}
	if (!(len = build_id_hash(e, sa))) {
		sa_kill(e, sa, "could not answer Main Mode message 5");
		return;
	}
	v1_send_reply(e, sa, m, e->out, len);
	v1_established(e, sa);
}

/* Initiator, message 2: the responder's cookie and choice; message 3. */
static void
complete_sa(struct ike_engine *e, struct ike_sa *sa, uint64_t now,
	    struct msg_v1 *m)
{
	const struct pld_ref *r = msg_v1_find(m, IKEV1_PL_SA, NULL);
	struct msg_builder b;
	struct ike_hdr h;
	size_t len;

	/* Unauthenticated: an answer that makes no sense is dropped and
	 * we keep waiting (retransmitting) for the real one. */
	if (m->encrypted || !r) {
		ike_drop(e, sa, IKE_DROP_STATE,
			 "Main Mode message without the SA payload of message "
			 "2 while waiting for it; dropped");
		return;
	}
	if (v1_sa_chosen(e, sa, r) < 0)
		return;
	v1_vid(e, sa, m, NULL);
	memcpy(sa->spi_r, m->hdr.spi_r, IKEV1_COOKIE_LEN);
	if (ext_v1_input(e, sa, m, 2) < 0) {
		sa_kill(e, sa, "Main Mode refused");
		return;
	}
	msg_v1_hdr_init(&h, sa->spi_i, sa->spi_r, IKEV1_EXCH_IDENT_PROT, 0, 0);
	msg_build_init(&b, e->out, IKEV2_MAX_MSG_LEN, &h);
	if (v1_put_ke_nonce(e, sa, &b) < 0 ||
	    (v1_auth_is_sig(sa->v1.auth) &&
	     v1_sig_certreq_put(e, sa, &b) < 0)) {
		sa_kill(e, sa, "Main Mode failed");
		return;
	}
	ext_v1_put(e, sa, &b, 3);
	if (!(len = msg_build_finish(&b))) {
		sa_kill(e, sa, "Main Mode failed");
		return;
	}
	sa->v1.phase = V1_MM_I3;
	if (v1_send_request(e, sa, now, e->out, len) < 0)
		sa_kill(e, sa, "Main Mode failed");
}

/* Initiator, message 4: the keys; message 5. */
static void
complete_ke(struct ike_engine *e, struct ike_sa *sa, uint64_t now,
	    struct msg_v1 *m)
{
	size_t len;

	if (m->encrypted) {
		ike_drop(e, sa, IKE_DROP_STATE,
			 "encrypted Main Mode message while waiting for "
			 "message 4; dropped");
		return;
	}
	if (v1_take_ke_nonce(e, sa, m) < 0)
		return;
	/* natt may move the SA to port 4500 here: message 5 goes there. */
	if (ext_v1_input(e, sa, m, 4) < 0) {
		sa_kill(e, sa, "Main Mode refused");
		return;
	}
	if (v1_derive_keys(e, sa) < 0 || !(len = build_id_hash(e, sa))) {
		sa_kill(e, sa, "Main Mode key derivation failed");
		return;
	}
	sa->v1.phase = V1_MM_I5;
	if (v1_send_request(e, sa, now, e->out, len) < 0)
		sa_kill(e, sa, "Main Mode failed");
}

/* Initiator, message 6: the responder proven. */
static void
complete_auth(struct ike_engine *e, struct ike_sa *sa, struct msg_v1 *m)
{
	if (!m->encrypted) {
		ike_drop(e, sa, IKE_DROP_UNPROTECTED,
			 "Main Mode message in the clear while waiting for "
			 "message 6; dropped");
		return;
	}
	xchg_request_done(e, sa);
	if (check_id_hash(e, sa, m) < 0) {
		ike_emit(e, sa, IKE_EV_AUTH_FAILED, NULL,
			 "responder failed authentication");
		sa_kill(e, sa, "responder failed authentication");
		return;
	}
	if (ext_v1_input(e, sa, NULL, 6) < 0) {
		sa_kill(e, sa, "Main Mode refused");
		return;
	}
	v1_established(e, sa);
}

/* Initiator: an unprotected Informational while connecting may say why
 * the responder gave up. It is not authenticated, but it names both
 * cookies of an SA half-open on the path, which only an attacker that
 * could as well drop our messages knows: so it ends the attempt. */
static void
refused(struct ike_engine *e, struct ike_sa *sa, struct msg_v1 *m)
{
	const struct pld_ref *r = msg_v1_find(m, IKEV1_PL_N, NULL);
	struct pld_v1_notify n;
	struct ike_err err = {0};

	if (m->encrypted || !r || pld_v1_notify_get(r, &n, &err) < 0)
		return;
	if (n.type == IKEV1_N_NO_PROPOSAL_CHOSEN && sa->v1.phase == V1_MM_I1) {
		ike_log(e, sa, IKE_LOG_WARN,
			"peer accepts none of our Main Mode proposals "
			"(NO-PROPOSAL-CHOSEN)");
		sa_kill(e, sa, "NO-PROPOSAL-CHOSEN");
	} else if ((n.type == IKEV1_N_AUTHENTICATION_FAILED ||
		    n.type == IKEV1_N_INVALID_HASH_INFORMATION) &&
		   sa->v1.phase == V1_MM_I5) {
		if (v1_auth_is_sig(sa->v1.auth))
			ike_log(e, sa, IKE_LOG_WARN,
				"peer refused our signature (%s): does it "
				"trust our certificate and accept our ID?",
				msg_v1_notify_name(n.type));
		else
			ike_log(e, sa, IKE_LOG_WARN,
				"peer refused our HASH_I (%s): wrong "
				"pre-shared key?",
				msg_v1_notify_name(n.type));
		ike_emit(e, sa, IKE_EV_AUTH_FAILED, NULL,
			 "peer refused our HASH_I");
		sa_kill(e, sa, "AUTHENTICATION-FAILED");
	} else {
		ike_log(e, sa, IKE_LOG_INFO,
			"unprotected %s notify while in Main Mode; ignored",
			msg_v1_notify_name(n.type));
	}
}

void
v1_main_input(struct ike_engine *e, struct ike_sa *sa, uint64_t now,
	      struct msg_v1 *m)
{
	if (sa->state != IKE_SA_CONNECTING) {
		ike_drop(e, sa, IKE_DROP_STATE,
			 "%s message for an ISAKMP SA past Main Mode that is "
			 "not a retransmission; dropped",
			 msg_v1_exchange_name(m->hdr.exchange));
		return;
	}
	if (m->hdr.exchange == IKEV1_EXCH_INFORMATIONAL) {
		if (sa->initiator)
			refused(e, sa, m);
		return;
	}
	switch (sa->v1.phase) {
	case V1_MM_I1:
		complete_sa(e, sa, now, m);
		break;
	case V1_MM_I3:
		complete_ke(e, sa, now, m);
		break;
	case V1_MM_I5:
		complete_auth(e, sa, m);
		break;
	case V1_MM_R2:
		respond_ke(e, sa, m);
		break;
	case V1_MM_R4:
		if (m->encrypted)
			respond_auth(e, sa, m);
		else
			ike_drop(e, sa, IKE_DROP_UNPROTECTED,
				 "Main Mode message 5 not encrypted; dropped");
		break;
	default:
		break;
	}
}
