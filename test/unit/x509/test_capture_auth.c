/* SPDX-License-Identifier: ISC */
/*
 * Known answers from strongSwan 5.9.8 for certificate authentication: the
 * pubkey-* captures of test/data/ikev2/ (see its README), two strongSwan
 * daemons authenticating each other with RFC 7427 signatures. For each
 * side of each capture, with the keys strongSwan logged:
 *
 *   - the octets libike builds for that side's AUTH (ike_auth_octets, the
 *     engine's own) are those strongSwan logged as signed;
 *   - the CERT payload parses, its end entity chains to the capture's CA
 *     at the capture's time and backs the ID, and the peer's CERTREQ
 *     names that CA;
 *   - sigalg_verify accepts strongSwan's AUTH with the certificate's key,
 *     and refuses it over octets with one bit changed;
 *   - the AlgorithmIdentifier strongSwan put before its signature is the
 *     one of our table for the same algorithm;
 *   - sigalg_sign, with the committed end-entity key and the hashes the
 *     peer announced, signs what sigalg_verify accepts, and for Ed25519
 *     (deterministic, and the scheme we pick) gives strongSwan's AUTH
 *     byte for byte; for ECDSA (randomized) the same AlgorithmIdentifier.
 *     Our RSA AUTH is RSASSA-PSS (RFC 8247 3.2) where strongSwan chose
 *     PKCS#1 v1.5: there the cross-check is our verification of
 *     strongSwan's AUTH alone.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <openssl/x509.h>

#include "ike.h"
#include "ikev2_const.h"
#include "msg.h"
#include "tests.h"
#include "x509.h"

struct scenario {
	const char *dir;
	const char *alg; /* the sig_alg strongSwan used, by our name */
	bool same_aid;   /* we sign with the algorithm strongSwan chose */
	bool same_bytes; /* our sigalg_sign must give strongSwan's AUTH */
};

static const struct scenario scenarios[] = {
    {"pubkey-ed25519", "Ed25519", true, true},
    {"pubkey-rsa", "sha256WithRSAEncryption", false, false},
    {"pubkey-ecdsa", "ecdsa-with-SHA256", true, false},
};

static char *
path_of(const char *dir, const char *name)
{
	static char p[1024];

	snprintf(p, sizeof(p), "%s/ikev2/%s/%s", TEST_DATA, dir, name);
	return p;
}

static uint8_t *
read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	ck_assert_msg(f != NULL, "cannot open %s", path);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	ck_assert_int_ge(n, 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	buf[n] = '\0';
	*len = (size_t)n;
	return buf;
}

/* The value of name in keys.txt (name=value lines), malloc'ed. */
static char *
key_value(const char *dir, const char *name)
{
	size_t len, nlen = strlen(name);
	char *txt = (char *)read_file(path_of(dir, "keys.txt"), &len);
	char *line, *save = NULL, *v = NULL;

	for (line = strtok_r(txt, "\n", &save); line && !v;
	     line = strtok_r(NULL, "\n", &save))
		if (strncmp(line, name, nlen) == 0 && line[nlen] == '=')
			v = strdup(line + nlen + 1);
	free(txt);
	ck_assert_msg(v != NULL, "%s: no %s in keys.txt", dir, name);
	return v;
}

static uint8_t *
hex_bytes(const char *hex, size_t *len)
{
	size_t n = strlen(hex), i;
	uint8_t *out = malloc(n / 2 + 1);

	ck_assert_ptr_nonnull(out);
	ck_assert_uint_eq(n % 2, 0);
	for (i = 0; i < n / 2; i++) {
		unsigned v;

		ck_assert_int_eq(sscanf(hex + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
	*len = n / 2;
	return out;
}

static uint8_t *
key_bytes(const char *dir, const char *name, size_t *len)
{
	char *hex = key_value(dir, name);
	uint8_t *b = hex_bytes(hex, len);

	free(hex);
	return b;
}

static struct secret *
key_secret(const char *dir, const char *name)
{
	char *hex = key_value(dir, name);
	struct secret *s = NULL;
	uint8_t *raw;
	size_t len;

	if (*hex) {
		raw = hex_bytes(hex, &len);
		s = secret_dup(raw, len);
		free(raw);
	}
	free(hex);
	return s;
}

static unsigned
key_num(const char *dir, const char *name)
{
	char *v = key_value(dir, name);
	unsigned n = (unsigned)strtoul(v, NULL, 10);

	free(v);
	return n;
}

/* The file of the capture ending in suffix: the first, or the last (the
 * IKE_SA_INIT message that was answered, after any retry). */
static uint8_t *
msg_file(const char *dir, const char *suffix, bool last, size_t *len)
{
	char best[256] = "";
	DIR *d = opendir(path_of(dir, ""));
	struct dirent *fe;

	ck_assert_ptr_nonnull(d);
	while ((fe = readdir(d))) {
		size_t n = strlen(fe->d_name), m = strlen(suffix);

		if (n < m || strcmp(fe->d_name + n - m, suffix) != 0)
			continue;
		if (!best[0] || (last ? strcmp(fe->d_name, best) > 0
				      : strcmp(fe->d_name, best) < 0))
			snprintf(best, sizeof(best), "%s", fe->d_name);
	}
	closedir(d);
	ck_assert_msg(best[0], "%s: no *%s", dir, suffix);
	return read_file(path_of(dir, best), len);
}

/* The IKE_AUTH message of a side, decrypted with the logged keys into m
 * (its inner payloads point into plain). */
static uint8_t *
auth_open(const char *dir, bool initiator, struct msg *m, uint8_t *plain,
	  size_t cap)
{
	struct secret *ek = key_secret(dir, initiator ? "sk_ei" : "sk_er");
	struct secret *ak = key_secret(dir, initiator ? "sk_ai" : "sk_ar");
	struct sk_keys sk = {0};
	struct ike_err e = {0};
	unsigned integ = key_num(dir, "integ");
	uint8_t *p;
	size_t len;

	p = msg_file(dir, initiator ? "-auth-i.bin" : "-auth-r.bin", false,
		     &len);
	ck_assert_msg(msg_frame(p, len, m, &e) == 0, "%s", e.msg);
	ck_assert_msg(m->sk >= 0 && m->pl[m->sk].type == IKEV2_PL_SK,
		      "%s: an IKE_AUTH message not in one SK payload", dir);
	sk.encr = crypto_encr((uint16_t)key_num(dir, "encr"),
			      (uint16_t)key_num(dir, "encr_bits"));
	sk.integ = integ ? crypto_integ((uint16_t)integ) : NULL;
	sk.ekey = ek;
	sk.akey = ak;
	ck_assert_ptr_nonnull(sk.encr);
	ck_assert_msg(sk_open(m, &sk, plain, cap, &e) == 0, "%s", e.msg);
	ck_assert_msg(msg_decode_all(m, &e) == 0, "%s", e.msg);
	secret_free(ek);
	secret_free(ak);
	return p;
}

/* The hashes of the SIGNATURE_HASH_ALGORITHMS notify in an IKE_SA_INIT
 * message (0 without one). */
static unsigned
init_hashes(const uint8_t *p, size_t len)
{
	const struct pld_ref *r = NULL;
	struct pld_notify n;
	struct ike_err e = {0};
	struct msg m;

	ck_assert_msg(msg_frame(p, len, &m, &e) == 0, "%s", e.msg);
	while ((r = msg_find(&m, IKEV2_PL_N, r))) {
		ck_assert_int_eq(pld_notify_get(r, &n, &e), 0);
		if (n.type == IKEV2_N_SIGNATURE_HASH_ALGORITHMS)
			return sigalg_hashes_get(n.data.ptr, n.data.len);
	}
	return 0;
}

static const struct sig_alg *
alg_named(const char *name)
{
	const struct sig_alg *a;
	size_t i;

	for (i = 0; (a = sigalg_at(i)); i++)
		if (strcmp(a->name, name) == 0)
			return a;
	return NULL;
}

static void
check_side(const struct scenario *sc, bool initiator)
{
	static uint8_t plain[IKEV2_MAX_MSG_LEN], plain_req[IKEV2_MAX_MSG_LEN];
	const char *dir = sc->dir;
	const char *side = initiator ? "moon" : "sun";
	const struct prf_alg *prf = crypto_prf((uint16_t)key_num(dir, "prf"));
	const struct sig_alg *alg = alg_named(sc->alg);
	uint8_t *init, *peer_init, *auth_msg, *req_msg = NULL, *octets;
	uint8_t *logged, *nonce;
	size_t init_len, peer_len, n, logged_len, nonce_len;
	struct secret *skp;
	const struct pld_ref *rid, *rauth, *rcert, *rreq;
	struct pld_id id;
	struct pld_auth auth;
	struct pld_cert cert, req;
	struct ike_err e = {0};
	struct msg m, pm;
	struct x509_authority ca = {.name = "capture"};
	const struct x509_authority *by = NULL;
	STACK_OF(X509) * cas;
	X509 *ee;
	EVP_PKEY *pub, *priv;
	char why[512], used[128], name[64];
	uint8_t method, sig[IKE_AUTH_MAX];
	size_t sig_len = sizeof(sig);
	const uint8_t *q;

	ck_assert_ptr_nonnull(prf);
	ck_assert_ptr_nonnull(alg);
	init = msg_file(dir, initiator ? "-init-i.bin" : "-init-r.bin", true,
			&init_len);
	peer_init = msg_file(dir, initiator ? "-init-r.bin" : "-init-i.bin",
			     true, &peer_len);
	auth_msg = auth_open(dir, initiator, &m, plain, sizeof(plain));
	rid = msg_find(&m, initiator ? IKEV2_PL_IDi : IKEV2_PL_IDr, NULL);
	rauth = msg_find(&m, IKEV2_PL_AUTH, NULL);
	rcert = msg_find(&m, IKEV2_PL_CERT, NULL);
	ck_assert(rid && rauth && rcert);
	ck_assert_int_eq(pld_id_get(rid, &id, &e), 0);
	ck_assert_int_eq(pld_auth_get(rauth, &auth, &e), 0);
	ck_assert_int_eq(pld_cert_get(rcert, &cert, &e), 0);
	ck_assert_uint_eq(auth.method, IKEV2_AUTH_DIGITAL_SIG);

	/* The signed octets: libike's, and strongSwan's from its log. */
	nonce = key_bytes(dir, initiator ? "nr" : "ni", &nonce_len);
	skp = key_secret(dir, initiator ? "sk_pi" : "sk_pr");
	octets =
	    ike_auth_octets(prf, skp, (struct bytes){init, init_len},
			    (struct bytes){nonce, nonce_len}, rid->body, &n);
	ck_assert_ptr_nonnull(octets);
	logged =
	    key_bytes(dir, initiator ? "octets_i" : "octets_r", &logged_len);
	ck_assert_uint_eq(n, logged_len);
	ck_assert_msg(memcmp(octets, logged, n) == 0,
		      "%s: %s's signed octets differ from strongSwan's", dir,
		      side);

	/* The certificate: parsed, chained at the capture's time, backing
	 * the ID; and the peer asked for our CA in its CERTREQ (sun in its
	 * IKE_SA_INIT response, moon in its IKE_AUTH request). */
	ck_assert_uint_eq(cert.encoding, IKEV2_CERT_X509_SIG);
	q = cert.data.ptr;
	ee = d2i_X509(NULL, &q, (long)cert.data.len);
	ck_assert_ptr_nonnull(ee);
	ck_assert_ptr_eq(q, cert.data.ptr + cert.data.len);
	cas = cred_certs(path_of(dir, "ca.pem"), why, sizeof(why));
	ck_assert_msg(cas != NULL, "%s", why);
	ca.cacert = sk_X509_value(cas, 0);
	ck_assert_msg(verify_chain(ee, NULL, &ca, 1, dir,
				   (time_t)key_num(dir, "time"), &by, why,
				   sizeof(why)) == 0,
		      "%s: %s", dir, why);
	ck_assert_ptr_eq(by, &ca);
	ck_assert_msg(ident_match(ee, id.type, id.data.ptr, id.data.len,
				  "peer ID", why, sizeof(why)) == 0,
		      "%s: %s", dir, why);
	if (initiator) {
		ck_assert_int_eq(msg_frame(peer_init, peer_len, &pm, &e), 0);
	} else {
		req_msg =
		    auth_open(dir, true, &pm, plain_req, sizeof(plain_req));
	}
	rreq = msg_find(&pm, IKEV2_PL_CERTREQ, NULL);
	ck_assert_ptr_nonnull(rreq);
	ck_assert_int_eq(pld_cert_get(rreq, &req, &e), 0);
	ck_assert_uint_eq(req.encoding, IKEV2_CERT_X509_SIG);
	ck_assert(certreq_names(req.data.ptr, req.data.len, ca.cacert));

	/* strongSwan's AUTH: our verification, our AlgorithmIdentifier. */
	pub = X509_get0_pubkey(ee);
	ck_assert_ptr_nonnull(pub);
	ck_assert_msg(sigalg_verify(pub, auth.method, false, auth.data.ptr,
				    auth.data.len, octets, n, used,
				    sizeof(used), why, sizeof(why)) == 0,
		      "%s: %s's AUTH refused: %s (%s)", dir, side, why, used);
	ck_assert_uint_ge(auth.data.len, 1 + alg->aid_len);
	ck_assert_uint_eq(auth.data.ptr[0], alg->aid_len);
	ck_assert_mem_eq(auth.data.ptr + 1, alg->aid, alg->aid_len);
	octets[n / 2] ^= 0x01;
	ck_assert_int_eq(sigalg_verify(pub, auth.method, false, auth.data.ptr,
				       auth.data.len, octets, n, used,
				       sizeof(used), why, sizeof(why)),
			 -1);
	octets[n / 2] ^= 0x01;

	/* Our AUTH with the same key, for the hashes the peer announced. */
	snprintf(name, sizeof(name), "%s.key", side);
	priv = cred_key(path_of(dir, name), NULL, why, sizeof(why));
	ck_assert_msg(priv != NULL, "%s", why);
	ck_assert_int_eq(EVP_PKEY_eq(priv, pub), 1);
	ck_assert_msg(sigalg_sign(priv, init_hashes(peer_init, peer_len), false,
				  octets, n, &method, sig, &sig_len, why,
				  sizeof(why)) == 0,
		      "%s: %s", dir, why);
	ck_assert_uint_eq(method, auth.method);
	if (sc->same_aid)
		ck_assert_mem_eq(sig, auth.data.ptr, 1 + alg->aid_len);
	if (sc->same_bytes) {
		ck_assert_uint_eq(sig_len, auth.data.len);
		ck_assert_msg(memcmp(sig, auth.data.ptr, sig_len) == 0,
			      "%s: our AUTH for %s differs from strongSwan's",
			      dir, side);
	}
	ck_assert_msg(sigalg_verify(pub, method, false, sig, sig_len, octets, n,
				    used, sizeof(used), why, sizeof(why)) == 0,
		      "%s: %s", dir, why);

	X509_free(ee);
	secret_free(skp);
	free(req_msg);
	free(logged);
	free(octets);
	free(nonce);
	free(init);
	free(peer_init);
	free(auth_msg);
}

START_TEST(pubkey_auth_matches_strongswan)
{
	const struct scenario *sc = &scenarios[_i];

	check_side(sc, true);
	check_side(sc, false);
	cred_cache_free();
}
END_TEST

Suite *
capture_auth_suite(void)
{
	Suite *s = suite_create("capture_auth");
	TCase *tc = tcase_create("strongswan");

	tcase_add_loop_test(tc, pubkey_auth_matches_strongswan, 0,
			    (int)(sizeof(scenarios) / sizeof(scenarios[0])));
	suite_add_tcase(s, tc);
	return s;
}
