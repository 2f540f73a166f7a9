/* SPDX-License-Identifier: ISC */
/*
 * IKEv1 Main Mode with signatures (RFC 2409 5.1, RFC 4754) between two
 * engines (moon initiates, sun answers) through engine_harness.c. The
 * hosts' authentication hooks are this file's: each host has a key (RSA,
 * or ECDSA on P-256 or P-384), its "certificate" is its public key's DER
 * SubjectPublicKeyInfo in a CERT payload, and it signs and checks SIG
 * payloads itself, as the x509 plugin does (RSA PKCS#1 v1.5 over the bare
 * hash, ECDSA r | s), so that what the engine hands over and puts on the
 * wire is checked by code other than the plugin's. The x509 plugin itself
 * is tested in test/unit/x509/test_v1sig.c and end to end in
 * test/e2e/ike-v1-cert.sh.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "engine_harness.h"
#include "ike_int.h"
#include "testutil.h"

/* One host's credentials and what its hooks saw. */
struct cred {
	EVP_PKEY *key;        /* NULL: a pre-shared key */
	bool tamper;          /* flip a bit of our signature */
	bool no_cert;         /* send no CERT payload */
	unsigned certreqs;    /* CERTREQ payloads asked of us (messages 3/4) */
	unsigned peer_creqs;  /* the peer's CERTREQ payloads we were shown */
	uint8_t peer_id_type; /* the peer ID the verify hook was given */
};

static struct cred cm, cs;

static struct cred *
cred_of(void *ctx)
{
	return ctx == &moon ? &cm : &cs;
}

static EVP_PKEY *
new_key(const char *kind)
{
	EVP_PKEY *k = strcmp(kind, "rsa") == 0
			  ? EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048)
			  : EVP_PKEY_Q_keygen(NULL, NULL, "EC", kind);

	ck_assert_ptr_nonnull(k);
	return k;
}

/* The key's method and the size of r and s. */
static uint8_t
method_of(EVP_PKEY *k, size_t *field)
{
	int bits = EVP_PKEY_get_bits(k);

	*field = (size_t)(bits + 7) / 8;
	if (EVP_PKEY_is_a(k, "RSA"))
		return IKEV1_AUTH_RSA_SIGNATURES;
	return bits == 256   ? IKEV1_AUTH_ECDSA_SHA256_P256
	       : bits == 384 ? IKEV1_AUTH_ECDSA_SHA384_P384
			     : IKEV1_AUTH_ECDSA_SHA512_P521;
}

static EVP_PKEY_CTX *
pctx(EVP_PKEY *k, bool sign)
{
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(k, NULL);

	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(sign ? EVP_PKEY_sign_init(c) : EVP_PKEY_verify_init(c),
			 1);
	if (EVP_PKEY_is_a(k, "RSA"))
		ck_assert_int_gt(
		    EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PADDING), 0);
	return c;
}

static int
t_sign(void *ctx, const struct ike_auth_req *r, uint8_t *method, uint8_t *out,
       size_t *len)
{
	struct cred *c = cred_of(ctx);
	uint8_t der[256];
	size_t field, dlen = sizeof(der);
	const unsigned char *p = der;
	EVP_PKEY_CTX *x;
	ECDSA_SIG *s;

	ck_assert_uint_eq(r->version, 1);
	ck_assert_ptr_nonnull(c->key);
	*method = method_of(c->key, &field);
	if (r->purpose == IKE_AUTH_PURPOSE_V1_METHOD) {
		*len = 0;
		return 0;
	}
	ck_assert_uint_eq(r->purpose, IKE_AUTH_PURPOSE_V1_SIG);
	ck_assert_uint_eq(r->octets.len, r->prf->out_len);
	x = pctx(c->key, true);
	if (*method == IKEV1_AUTH_RSA_SIGNATURES) {
		ck_assert_int_eq(
		    EVP_PKEY_sign(x, out, len, r->octets.ptr, r->octets.len),
		    1);
	} else {
		ck_assert_int_eq(
		    EVP_PKEY_sign(x, der, &dlen, r->octets.ptr, r->octets.len),
		    1);
		s = d2i_ECDSA_SIG(NULL, &p, (long)dlen);
		ck_assert_ptr_nonnull(s);
		BN_bn2binpad(ECDSA_SIG_get0_r(s), out, (int)field);
		BN_bn2binpad(ECDSA_SIG_get0_s(s), out + field, (int)field);
		ECDSA_SIG_free(s);
		*len = 2 * field;
	}
	EVP_PKEY_CTX_free(x);
	if (c->tamper)
		out[*len / 2] ^= 0x01;
	return 0;
}

static int
t_payloads(void *ctx, const struct ike_auth_req *r, struct ike_out *o)
{
	struct cred *c = cred_of(ctx);
	unsigned char *der = NULL;
	int n;

	ck_assert_uint_eq(r->version, 1);
	if (r->purpose == IKE_AUTH_PURPOSE_V1_METHOD) {
		c->certreqs++;
		return ike_out_certreq(o, IKEV2_CERT_X509_SIG, "our CA", 6);
	}
	ck_assert_uint_eq(r->purpose, IKE_AUTH_PURPOSE_V1_SIG);
	if (c->no_cert)
		return 0;
	n = i2d_PUBKEY(c->key, &der);
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(ike_out_cert(o, IKEV2_CERT_X509_SIG, der, (size_t)n),
			 0);
	OPENSSL_free(der);
	return 0;
}

static int
t_verify(void *ctx, const struct ike_auth_req *r, uint8_t method,
	 struct bytes data, char *why, size_t why_len)
{
	struct cred *c = cred_of(ctx);
	EVP_PKEY *peer = NULL;
	EVP_PKEY_CTX *x;
	unsigned char *der = NULL;
	size_t i, field;
	int rc = -1, n;

	ck_assert_uint_eq(r->purpose, IKE_AUTH_PURPOSE_V1_SIG);
	ck_assert_ptr_nonnull(r->msg);
	ck_assert_ptr_nonnull(r->peer_id);
	c->peer_id_type = r->peer_id->type;
	for (i = 0; i < r->msg->n_payloads; i++) {
		const struct ike_in_payload *p = &r->msg->payloads[i];
		const unsigned char *q = p->data.ptr;

		if (p->type == IKEV2_PL_CERTREQ)
			c->peer_creqs++;
		if (p->type == IKEV2_PL_CERT && !peer)
			peer = d2i_PUBKEY(NULL, &q, (long)p->data.len);
	}
	if (!peer) {
		snprintf(why, why_len, "peer sent no certificate");
		return -1;
	}
	if (method != method_of(peer, &field)) {
		snprintf(why, why_len, "method %u is not its key's", method);
		goto done;
	}
	x = pctx(peer, false);
	if (method == IKEV1_AUTH_RSA_SIGNATURES) {
		rc = EVP_PKEY_verify(x, data.ptr, data.len, r->octets.ptr,
				     r->octets.len) == 1
			 ? 0
			 : -1;
	} else if (data.len == 2 * field) {
		ECDSA_SIG *s = ECDSA_SIG_new();

		ECDSA_SIG_set0(s, BN_bin2bn(data.ptr, (int)field, NULL),
			       BN_bin2bn(data.ptr + field, (int)field, NULL));
		n = i2d_ECDSA_SIG(s, &der);
		rc = EVP_PKEY_verify(x, der, (size_t)n, r->octets.ptr,
				     r->octets.len) == 1
			 ? 0
			 : -1;
		ECDSA_SIG_free(s);
		OPENSSL_free(der);
	}
	EVP_PKEY_CTX_free(x);
	if (rc < 0)
		snprintf(why, why_len,
			 "peer's signature in message %u does not verify with "
			 "its certificate",
			 r->msg->initiator ? 6 : 5);
done:
	EVP_PKEY_free(peer);
	return rc;
}

/* moon and sun with connection "site" (no children: no Quick Mode yet)
 * and the keys of the given kinds ("rsa", "P-256", "P-384"; NULL: a
 * pre-shared key, the harness's hooks). */
static void
setup_sig(const char *kind_m, const char *kind_s)
{
	static struct ike_conn_cfg c;
	struct host *h[2] = {&moon, &sun};
	const char *kind[2] = {kind_m, kind_s};
	struct cred *cr[2] = {&cm, &cs};
	int i;

	setup_pair("aes128-sha256-modp2048", "aes128-sha256",
		   "aes128-sha256-modp2048", "aes128-sha256", false, "k", "k");
	for (i = 0; i < 2; i++) {
		memset(cr[i], 0, sizeof(*cr[i]));
		conn_cfg(&c, h[i], h[1 - i], "aes128-sha256-modp2048",
			 "aes128-sha256", false);
		c.version = 1;
		c.n_children = 0;
		ck_assert_int_eq(ike_engine_set_conns(h[i]->e, &c, 1, now), 0);
		if (!kind[i])
			continue;
		cr[i]->key = new_key(kind[i]);
		h[i]->e->env.auth_sign = t_sign;
		h[i]->e->env.auth_verify = t_verify;
		h[i]->e->env.auth_payloads = t_payloads;
	}
}

static void
teardown_sig(void)
{
	teardown_pair();
	EVP_PKEY_free(cm.key);
	EVP_PKEY_free(cs.key);
	cm.key = cs.key = NULL;
}

static const char *const kinds[] = {"rsa", "P-256", "P-384"};

/* Both ends up with the key's method, the same keys, CERTREQs in
 * messages 3 and 4 and the peer's ID handed to the verify hook. */
START_TEST(signatures_both_ways)
{
	struct ike_sa *m, *s;
	size_t field;

	setup_sig(kinds[_i], kinds[_i]);
	ck_assert_uint_gt(ike_initiate(moon.e, now, "site", NULL), 0);
	pump();
	m = first_sa(&moon);
	s = first_sa(&sun);
	ck_assert(has_event(&moon, IKE_EV_IKE_UP));
	ck_assert(has_event(&sun, IKE_EV_IKE_UP));
	ck_assert_uint_eq(sent_total, 6);
	ck_assert_uint_eq(m->v1.auth, method_of(cm.key, &field));
	ck_assert_uint_eq(s->v1.auth, m->v1.auth);
	ck_assert_mem_eq(m->v1.keys.skeyid_d->ptr, s->v1.keys.skeyid_d->ptr,
			 m->v1.keys.skeyid_d->len);
	ck_assert_uint_eq(cm.certreqs, 1);
	ck_assert_uint_eq(cs.certreqs, 1);
	ck_assert_uint_eq(cm.peer_id_type, IKEV1_ID_FQDN);
	ck_assert_uint_eq(cs.peer_id_type, IKEV1_ID_FQDN);
	teardown_sig();
}
END_TEST

/* A signature with one bit changed: the checking side's line, and no
 * SA anywhere; from moon (sun refuses it and says so to moon) and from
 * sun (moon refuses message 6). */
START_TEST(tampered_signature_fails)
{
	bool by_moon = _i == 0;

	setup_sig("rsa", "rsa");
	(by_moon ? &cm : &cs)->tamper = true;
	(by_moon ? &sun : &moon)->watch =
	    by_moon ? "peer's signature in message 5 does not verify"
		    : "peer's signature in message 6 does not verify";
	if (by_moon)
		moon.watch =
		    "peer refused our signature (AUTHENTICATION-FAILED)";
	ck_assert_uint_gt(ike_initiate(moon.e, now, "site", NULL), 0);
	pump();
	ck_assert_uint_eq(sun.logs_with + moon.logs_with, by_moon ? 2 : 1);
	ck_assert(!has_event(&moon, IKE_EV_IKE_UP));
	ck_assert(has_event(&moon, IKE_EV_AUTH_FAILED));
	if (by_moon) {
		ck_assert(!has_event(&sun, IKE_EV_IKE_UP));
		ck_assert(has_event(&sun, IKE_EV_AUTH_FAILED));
	}
	ike_tick(moon.e, now);
	ck_assert_uint_eq(moon.e->n_sas, 0);
	teardown_sig();
}
END_TEST

/* No CERT: the verify hook's line, as the engine has no key to check. */
START_TEST(no_certificate_fails)
{
	setup_sig("P-256", "P-256");
	cm.no_cert = true;
	sun.watch = "peer sent no certificate";
	ck_assert_uint_gt(ike_initiate(moon.e, now, "site", NULL), 0);
	pump();
	ck_assert_uint_eq(sun.logs_with, 1);
	ck_assert(has_event(&sun, IKE_EV_AUTH_FAILED));
	ck_assert(!has_event(&sun, IKE_EV_IKE_UP));
	teardown_sig();
}
END_TEST

/* Methods that differ: the responder says what the peer offered and what
 * the connection has; the initiator hears NO-PROPOSAL-CHOSEN. */
static const struct {
	const char *moon, *sun, *line;
} mismatches[] = {
    {"rsa", NULL,
     "peer offered RSA signatures, connection 'site' has auth: psk (a "
     "pre-shared key)"},
    {NULL, "P-256",
     "peer offered a pre-shared key, connection 'site' has auth: pubkey "
     "(ECDSA signatures on P-256)"},
    {"P-384", "P-256",
     "peer offered ECDSA signatures on P-384, connection 'site' has auth: "
     "pubkey (ECDSA signatures on P-256)"},
};

START_TEST(method_mismatch_is_named)
{
	setup_sig(mismatches[_i].moon, mismatches[_i].sun);
	sun.watch = mismatches[_i].line;
	moon.watch = "NO-PROPOSAL-CHOSEN";
	ck_assert_uint_gt(ike_initiate(moon.e, now, "site", NULL), 0);
	pump();
	ck_assert_msg(sun.logs_with == 1, "sun's last line: %s", sun.last_log);
	ck_assert_uint_eq(moon.logs_with, 1);
	ck_assert(has_event(&moon, IKE_EV_FAILED));
	teardown_sig();
}
END_TEST

Suite *
v1_main_sig_suite(void)
{
	Suite *s = suite_create("v1_main_sig");
	TCase *tc = tcase_create("main_mode_sig");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, signatures_both_ways, 0,
			    (int)(sizeof(kinds) / sizeof(kinds[0])));
	tcase_add_loop_test(tc, tampered_signature_fails, 0, 2);
	tcase_add_test(tc, no_certificate_fails);
	tcase_add_loop_test(tc, method_mismatch_is_named, 0,
			    (int)(sizeof(mismatches) / sizeof(mismatches[0])));
	suite_add_tcase(s, tc);
	return s;
}
