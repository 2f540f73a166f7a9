/* SPDX-License-Identifier: ISC */
/*
 * Main Mode's authentication methods (RFC 2409 5, 5.1; RFC 4754), the
 * engine's side. Which method a connection takes is the host's to say
 * (IKE_AUTH_PURPOSE_V1_METHOD: the psk plugin's pre-shared key, or the
 * x509 plugin's key, RSA or ECDSA on one of three curves); the
 * initiator offers it and the responder accepts it alone, as IKEv1 has
 * one method for both ends.
 *
 * With signatures, SKEYID = prf(Ni_b | Nr_b, g^xy) is ours (keymat_v1.c)
 * and the messages change thus (RFC 2409 5.1):
 *
 *   3  HDR, KE, Ni, CERTREQ*        -->
 *                                   <--   4  HDR, KE, Nr, CERTREQ*
 *   5  HDR*, IDii, CERT*, SIG_I     -->
 *                                   <--   6  HDR*, IDir, CERT*, SIG_R
 *
 * SIG_I and SIG_R are HASH_I and HASH_R signed by the host, which also
 * checks the peer's against its certificate (chain, ID, revocation); the
 * CERT and CERTREQ payloads are the host's too (env.auth_payloads), as
 * for IKEv2.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "ike_int.h"

bool
v1_auth_is_sig(uint16_t method)
{
	return method == IKEV1_AUTH_RSA_SIGNATURES ||
	       method == IKEV1_AUTH_ECDSA_SHA256_P256 ||
	       method == IKEV1_AUTH_ECDSA_SHA384_P384 ||
	       method == IKEV1_AUTH_ECDSA_SHA512_P521;
}

const char *
v1_auth_text(uint16_t method)
{
	switch (method) {
	case IKEV1_AUTH_PRE_SHARED_KEY:
		return "a pre-shared key";
	case IKEV1_AUTH_RSA_SIGNATURES:
		return "RSA signatures";
	case IKEV1_AUTH_ECDSA_SHA256_P256:
		return "ECDSA signatures on P-256";
	case IKEV1_AUTH_ECDSA_SHA384_P384:
		return "ECDSA signatures on P-384";
	case IKEV1_AUTH_ECDSA_SHA512_P521:
		return "ECDSA signatures on P-521";
	case IKEV1_AUTH_DSS_SIGNATURES:
		return "DSS signatures";
	case IKEV1_AUTH_ENCRYPTION_WITH_RSA:
	case IKEV1_AUTH_REVISED_ENCRYPTION_WITH_RSA:
		return "RSA encryption";
	default:
		return method >= IKEV1_AUTH_XAUTH_INIT_PRE_SHARED &&
			       method <=
				   IKEV1_AUTH_XAUTH_RESP_RSA_REVISED_ENCRYPTION
			   ? "XAuth"
		       : method >= IKEV1_AUTH_HYBRID_INIT_RSA &&
			       method <= IKEV1_AUTH_HYBRID_RESP_DSS
			   ? "hybrid authentication"
			   : "an unknown method";
	}
}

/* The config word of a method, for the admin's side of a mismatch. */
static const char *
auth_word(uint16_t method)
{
	return v1_auth_is_sig(method) ? "pubkey" : "psk";
}

static void
req_init(struct ike_auth_req *r, struct ike_engine *e, const struct ike_sa *sa,
	 enum ike_auth_purpose purpose)
{
	memset(r, 0, sizeof(*r));
	r->version = 1;
	r->purpose = purpose;
	r->conn = ike_conn(e, sa)->name;
	r->ike_id = sa->id;
	r->prf = sa->v1.suite.prf;
}

uint16_t
v1_auth_method(struct ike_engine *e, const struct ike_sa *sa)
{
	const struct ike_conn_cfg *c = ike_conn(e, sa);
	struct ike_auth_req r;
	uint8_t method = 0, out[1];
	size_t len = 0;

	req_init(&r, e, sa, IKE_AUTH_PURPOSE_V1_METHOD);
	r.local_id = &c->local_id;
	if (!e->env.auth_sign ||
	    e->env.auth_sign(e->env.ctx, &r, &method, out, &len) < 0 ||
	    (method != IKEV1_AUTH_PRE_SHARED_KEY && !v1_auth_is_sig(method))) {
		ike_log(e, sa, IKE_LOG_ERROR,
			"connection '%s' has no credentials Main Mode can "
			"authenticate with (a pre-shared key, or an RSA or "
			"ECDSA key with its certificate)",
			c->name);
		return 0;
	}
	return method;
}

void
v1_auth_mismatch(struct ike_engine *e, const struct ike_sa *sa,
		 const uint16_t *offered, size_t n, uint16_t ours)
{
	char list[256] = "";
	size_t i, j, k = 0;

	for (i = 0; i < n; i++) {
		for (j = 0; j < i && offered[j] != offered[i]; j++)
			;
		if (j < i)
			continue; /* named already */
		if (offered[i] == ours)
			return; /* not the method that failed it */
		if (k < sizeof(list))
			k += (size_t)snprintf(list + k, sizeof(list) - k,
					      "%s%s", k ? ", " : "",
					      v1_auth_text(offered[i]));
	}
	ike_log(e, sa, IKE_LOG_WARN,
		"peer offered %s, connection '%s' has auth: %s (%s)",
		k ? list : "no authentication method", ike_conn(e, sa)->name,
		auth_word(ours), v1_auth_text(ours));
}

int
v1_sig_certreq_put(struct ike_engine *e, const struct ike_sa *sa,
		   struct msg_builder *b)
{
	const struct ike_conn_cfg *c = ike_conn(e, sa);
	struct ike_auth_req r;

	req_init(&r, e, sa, IKE_AUTH_PURPOSE_V1_METHOD);
	r.local_id = &c->local_id;
	/* A CERTREQ is a hint: without one the peer sends its default. */
	if (ext_v1_auth_put(e, sa, &r, b, IKEV2_PL_CERTREQ) < 0)
		ike_log(e, sa, IKE_LOG_WARN,
			"no CERTREQ for connection '%s': the host could not "
			"name its authorities",
			c->name);
	return 0;
}

int
v1_sig_put(struct ike_engine *e, const struct ike_sa *sa,
	   const struct ike_id_cfg *local, const uint8_t *hash, size_t n,
	   struct msg_builder *b)
{
	const struct ike_conn_cfg *c = ike_conn(e, sa);
	struct ike_auth_req r;
	struct pld_v1_data sig;
	uint8_t out[IKE_AUTH_MAX], method = 0;
	size_t len = sizeof(out);

	req_init(&r, e, sa, IKE_AUTH_PURPOSE_V1_SIG);
	r.local_id = local;
	r.octets = (struct bytes){hash, n};
	if (ext_v1_auth_put(e, sa, &r, b, IKEV2_PL_CERT) < 0) {
		ike_log(e, sa, IKE_LOG_ERROR,
			"cannot add our certificates on connection '%s'",
			c->name);
		return -1;
	}
	if (!e->env.auth_sign ||
	    e->env.auth_sign(e->env.ctx, &r, &method, out, &len) < 0 ||
	    method != sa->v1.auth || len == 0) {
		ike_log(e, sa, IKE_LOG_ERROR,
			"cannot sign our HASH_%c with %s on connection '%s'",
			sa->initiator ? 'I' : 'R', v1_auth_text(sa->v1.auth),
			c->name);
		return -1;
	}
	sig.data = (struct bytes){out, len};
	pld_v1_sig_put(b, &sig);
	return 0;
}

int
v1_sig_check(struct ike_engine *e, struct ike_sa *sa, const struct msg_v1 *m,
	     const struct pld_id *peer, const char *who, const uint8_t *hash,
	     size_t n)
{
	const struct pld_ref *rs = msg_v1_find(m, IKEV1_PL_SIG, NULL);
	unsigned num = sa->initiator ? 6 : 5;
	struct pld_v1_data sig;
	struct ike_auth_req r;
	struct ike_err err = {0};
	char why[512] = "";

	if (!rs || pld_v1_sig_get(rs, &sig, &err) < 0) {
		ike_log(e, sa, IKE_LOG_WARN,
			"peer '%s' sent no SIG payload in message %u (the "
			"connection authenticates with %s)",
			who, num, v1_auth_text(sa->v1.auth));
		return -1;
	}
	req_init(&r, e, sa, IKE_AUTH_PURPOSE_V1_SIG);
	r.local_id = &ike_conn(e, sa)->local_id;
	r.peer_id = peer;
	r.octets = (struct bytes){hash, n};
	r.msg = ext_v1_view(e, sa, m);
	if (ext_auth_id_check(e, sa, &r, who) < 0)
		return -1;
	if (!e->env.auth_verify ||
	    e->env.auth_verify(e->env.ctx, &r, (uint8_t)sa->v1.auth, sig.data,
			       why, sizeof(why)) < 0) {
		ike_log(e, sa, IKE_LOG_WARN, "%s",
			why[0] ? why
			       : "peer's signature does not verify (no reason "
				 "given)");
		return -1;
	}
	return 0;
}
