/* SPDX-License-Identifier: ISC */
/*
 * sigalg.c: RFC 7427's AlgorithmIdentifiers as OpenSSL encodes them and as
 * RFC 7427 Appendix A writes them; the hash notify both ways; AUTH signed
 * and verified for every key kind with and without the peer's hashes
 * (method 14, and 1, 9, 10, 11), a flipped bit refused, SHA-1 refused
 * wherever a peer could pick it unless allowed (allow_sha1), and then
 * accepted; method 1 signed with SHA-1 only when allowed.
 */
#include <stdio.h>
#include <string.h>

#include <check.h>
#include <openssl/core_names.h>
#include <openssl/rsa.h>

#include "ike.h"
#include "ikev2_const.h"
#include "pki.h"
#include "tests.h"
#include "x509.h"

static const uint8_t octets[] = "RealMessage | NonceData | prf(SK_p, ID)";

static void
hex(const uint8_t *p, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
	out[2 * n] = '\0';
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

/* RFC 7427 Appendix A's encodings, as written there. */
START_TEST(aid_rfc7427)
{
	static const struct {
		const char *name, *hex;
	} want[] = {
	    {"sha256WithRSAEncryption", "300d06092a864886f70d01010b0500"},
	    {"sha384WithRSAEncryption", "300d06092a864886f70d01010c0500"},
	    {"sha512WithRSAEncryption", "300d06092a864886f70d01010d0500"},
	    {"ecdsa-with-SHA256", "300a06082a8648ce3d040302"},
	    {"ecdsa-with-SHA384", "300a06082a8648ce3d040303"},
	    {"ecdsa-with-SHA512", "300a06082a8648ce3d040304"},
	    {"rsassa-pss-SHA256",
	     "304106092a864886f70d01010a3034a00f300d0609608648016503040201"
	     "0500a11c301a06092a864886f70d010108300d0609608648016503040201"
	     "0500a203020120"},
	    {"Ed25519", "300506032b6570"},
	    {"Ed448", "300506032b6571"},
	};
	char got[512];
	size_t i;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct sig_alg *a = alg_named(want[i].name);

		ck_assert_ptr_nonnull(a);
		hex(a->aid, a->aid_len, got);
		ck_assert_str_eq(got, want[i].hex);
	}
}
END_TEST

/* Each AlgorithmIdentifier we send is the one OpenSSL derives for the
 * same signature (OSSL_SIGNATURE_PARAM_ALGORITHM_ID). */
START_TEST(aid_as_openssl_encodes)
{
	const struct sig_alg *a;
	size_t i;

	for (i = 0; (a = sigalg_at(i)); i++) {
		const char *kind = a->scheme == SIG_ECDSA     ? "p256"
				   : a->scheme == SIG_ED25519 ? "ed25519"
				   : a->scheme == SIG_ED448   ? "ed448"
							      : "rsa";
		const EVP_MD *md = a->hash == HASH_SHA2_256   ? EVP_sha256()
				   : a->hash == HASH_SHA2_384 ? EVP_sha384()
				   : a->hash == HASH_SHA2_512 ? EVP_sha512()
							      : NULL;
		EVP_PKEY *k = pki_key(kind);
		EVP_MD_CTX *m = EVP_MD_CTX_new();
		EVP_PKEY_CTX *pctx = NULL;
		uint8_t aid[256];
		size_t n = 0;
		OSSL_PARAM p[2] = {
		    OSSL_PARAM_octet_string(OSSL_SIGNATURE_PARAM_ALGORITHM_ID,
					    aid, sizeof(aid)),
		    OSSL_PARAM_END};

		ck_assert_int_eq(EVP_DigestSignInit(m, &pctx, md, NULL, k), 1);
		if (a->scheme == SIG_RSA_PSS) {
			EVP_PKEY_CTX_set_rsa_padding(pctx,
						     RSA_PKCS1_PSS_PADDING);
			EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx,
							 EVP_MD_get_size(md));
			EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md);
		}
		ck_assert_int_eq(EVP_PKEY_CTX_get_params(pctx, p), 1);
		n = p[0].return_size;
		ck_assert_msg(n == a->aid_len && memcmp(aid, a->aid, n) == 0,
			      "%s: OpenSSL encodes it otherwise", a->name);
		EVP_MD_CTX_free(m);
		EVP_PKEY_free(k);
	}
}
END_TEST

START_TEST(hash_notify)
{
	uint8_t buf[16];
	size_t n = sigalg_hashes_put(HASH_OURS, buf, sizeof(buf));
	static const uint8_t want[] = {0, 2, 0, 3, 0, 4, 0, 5};
	static const uint8_t peer[] = {0, 1, 0, 2, 0, 7, 0, 5, 0xff};

	ck_assert_uint_eq(n, sizeof(want));
	ck_assert_mem_eq(buf, want, n);
	ck_assert_uint_eq(sigalg_hashes_get(buf, n), HASH_OURS);
	/* SHA-1 (1) and unknown ones are not taken; an odd octet ignored. */
	ck_assert_uint_eq(sigalg_hashes_get(peer, sizeof(peer)),
			  HASH_SHA2_256 | HASH_IDENTITY);
}
END_TEST

/* Sign with kind's key under the peer's hashes; the method and the
 * algorithm checked must be as expected, a flipped bit must fail. */
static void
round_trip(const char *kind, unsigned peer, uint8_t want_method,
	   const char *want_used)
{
	EVP_PKEY *k = pki_key(kind);
	uint8_t out[IKE_AUTH_MAX], method = 0;
	size_t len = sizeof(out);
	char why[256] = "", used[128] = "";

	ck_assert_ptr_nonnull(k);
	ck_assert_msg(sigalg_sign(k, peer, false, octets, sizeof(octets),
				  &method, out, &len, why, sizeof(why)) == 0,
		      "%s: %s", kind, why);
	ck_assert_uint_eq(method, want_method);
	ck_assert_msg(sigalg_verify(k, method, false, out, len, octets,
				    sizeof(octets), used, sizeof(used), why,
				    sizeof(why)) == 0,
		      "%s: %s", kind, why);
	ck_assert_str_eq(used, want_used);
	out[len - 1] ^= 1;
	ck_assert_int_eq(sigalg_verify(k, method, false, out, len, octets,
				       sizeof(octets), used, sizeof(used), why,
				       sizeof(why)),
			 -1);
	ck_assert_msg(strstr(why, "does not verify") != NULL, "%s", why);
	EVP_PKEY_free(k);
}

START_TEST(sign_verify_rfc7427)
{
	round_trip("rsa", HASH_OURS, IKEV2_AUTH_DIGITAL_SIG,
		   "rsassa-pss-SHA256");
	round_trip("rsa", HASH_SHA2_512, IKEV2_AUTH_DIGITAL_SIG,
		   "rsassa-pss-SHA512");
	round_trip("p256", HASH_OURS, IKEV2_AUTH_DIGITAL_SIG,
		   "ecdsa-with-SHA256");
	round_trip("p384", HASH_OURS, IKEV2_AUTH_DIGITAL_SIG,
		   "ecdsa-with-SHA384");
	round_trip("p521", HASH_OURS, IKEV2_AUTH_DIGITAL_SIG,
		   "ecdsa-with-SHA512");
	/* The curve's hash missing: another one the peer named. */
	round_trip("p384", HASH_SHA2_256, IKEV2_AUTH_DIGITAL_SIG,
		   "ecdsa-with-SHA256");
	round_trip("ed25519", HASH_OURS, IKEV2_AUTH_DIGITAL_SIG, "ED25519");
	round_trip("ed448", HASH_IDENTITY, IKEV2_AUTH_DIGITAL_SIG, "ED448");
}
END_TEST

START_TEST(sign_verify_classic)
{
	round_trip("rsa", 0, IKEV2_AUTH_RSA_SIG, "RSA PKCS#1 v1.5 with SHA256");
	round_trip("p256", 0, IKEV2_AUTH_ECDSA_256,
		   "ECDSA with SHA256 (AUTH method 9)");
	round_trip("p384", 0, IKEV2_AUTH_ECDSA_384,
		   "ECDSA with SHA384 (AUTH method 10)");
	round_trip("p521", HASH_IDENTITY, IKEV2_AUTH_ECDSA_521,
		   "ECDSA with SHA512 (AUTH method 11)");
}
END_TEST

START_TEST(eddsa_needs_rfc7427)
{
	EVP_PKEY *k = pki_key("ed25519");
	uint8_t out[IKE_AUTH_MAX], method;
	size_t len = sizeof(out);
	char why[256];

	ck_assert_int_eq(sigalg_sign(k, HASH_SHA2_256, false, octets,
				     sizeof(octets), &method, out, &len, why,
				     sizeof(why)),
			 -1);
	ck_assert(strstr(why, "SIGNATURE_HASH_ALGORITHMS") != NULL);
	EVP_PKEY_free(k);
}
END_TEST

/* AlgorithmIdentifiers of SHA-1 signatures (RFC 3279, RFC 4055):
 * sha1WithRSAEncryption, ecdsa-with-SHA1, RSASSA-PSS with every field at
 * its default (SHA-1, MGF1 with SHA-1, a salt of 20). */
static const uint8_t aid_sha1_rsa[] = {0x30, 0x0d, 0x06, 0x09, 0x2a,
				       0x86, 0x48, 0x86, 0xf7, 0x0d,
				       0x01, 0x01, 0x05, 0x05, 0x00};
static const uint8_t aid_sha1_ecdsa[] = {0x30, 0x09, 0x06, 0x07, 0x2a, 0x86,
					 0x48, 0xce, 0x3d, 0x04, 0x01};
static const uint8_t aid_sha1_pss[] = {0x30, 0x0d, 0x06, 0x09, 0x2a,
				       0x86, 0x48, 0x86, 0xf7, 0x0d,
				       0x01, 0x01, 0x0a, 0x30, 0x00};

/* An AUTH signed by hand with SHA-1 by kind's key: method 14's data
 * (aid given) or method 1's (aid NULL); pss: RSASSA-PSS's defaults. */
static size_t
sha1_auth(EVP_PKEY *k, const uint8_t *aid, size_t aid_len, bool pss,
	  uint8_t *out, size_t max)
{
	EVP_MD_CTX *m = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	size_t off = aid ? 1 + aid_len : 0, len = max - off;

	if (aid) {
		out[0] = (uint8_t)aid_len;
		memcpy(out + 1, aid, aid_len);
	}
	ck_assert_int_eq(EVP_DigestSignInit(m, &pctx, EVP_sha1(), NULL, k), 1);
	if (pss) {
		EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
		EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 20);
		EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha1());
	}
	ck_assert_int_eq(
	    EVP_DigestSign(m, out + off, &len, octets, sizeof(octets)), 1);
	EVP_MD_CTX_free(m);
	return off + len;
}

/* Refused without allow_sha1 (-2, saying SHA-1 is why), verified with
 * it (1, naming what); a flipped bit fails either way. */
static void
check_sha1(const char *kind, uint8_t method, const uint8_t *aid,
	   size_t aid_len, bool pss, const char *refused, const char *used_as)
{
	EVP_PKEY *k = pki_key(kind);
	uint8_t sig[700];
	size_t len = sha1_auth(k, aid, aid_len, pss, sig, sizeof(sig));
	char why[256] = "", used[128] = "";

	ck_assert_int_eq(sigalg_verify(k, method, false, sig, len, octets,
				       sizeof(octets), used, sizeof(used), why,
				       sizeof(why)),
			 -2);
	ck_assert_str_eq(why, refused);
	ck_assert_msg(sigalg_verify(k, method, true, sig, len, octets,
				    sizeof(octets), used, sizeof(used), why,
				    sizeof(why)) == 1,
		      "%s: %s", used_as, why);
	ck_assert_str_eq(used, used_as);
	sig[len - 1] ^= 1;
	ck_assert_int_eq(sigalg_verify(k, method, true, sig, len, octets,
				       sizeof(octets), used, sizeof(used), why,
				       sizeof(why)),
			 -1);
	ck_assert_msg(strstr(why, "does not verify") != NULL, "%s", why);
	EVP_PKEY_free(k);
}

START_TEST(sha1_method1)
{
	check_sha1("rsa", IKEV2_AUTH_RSA_SIG, NULL, 0, false,
		   "its RSA signature (AUTH method 1) uses SHA-1: SHA-1 "
		   "signatures are refused; the peer should use RFC 7427 "
		   "signatures",
		   "RSA PKCS#1 v1.5 with SHA1");
}
END_TEST

START_TEST(sha1_rsa_rfc7427)
{
	check_sha1("rsa", IKEV2_AUTH_DIGITAL_SIG, aid_sha1_rsa,
		   sizeof(aid_sha1_rsa), false,
		   "it signed with sha1WithRSAEncryption: SHA-1 signatures are "
		   "refused",
		   "sha1WithRSAEncryption");
}
END_TEST

START_TEST(sha1_ecdsa_rfc7427)
{
	check_sha1("p256", IKEV2_AUTH_DIGITAL_SIG, aid_sha1_ecdsa,
		   sizeof(aid_sha1_ecdsa), false,
		   "it signed with ecdsa-with-SHA1: SHA-1 signatures are "
		   "refused",
		   "ecdsa-with-SHA1");
}
END_TEST

START_TEST(sha1_pss_rfc7427)
{
	check_sha1("rsa", IKEV2_AUTH_DIGITAL_SIG, aid_sha1_pss,
		   sizeof(aid_sha1_pss), true,
		   "it signed with RSASSA-PSS with SHA-1: SHA-1 signatures "
		   "are refused",
		   "rsassa-pss-SHA1");
}
END_TEST

/* Allowing SHA-1 takes no other hash: a SHA-256 signature is 0, not 1;
 * a SHA-1 AlgorithmIdentifier on another key's signature still fails. */
START_TEST(sha1_allowed_only_sha1)
{
	EVP_PKEY *k = pki_key("rsa"), *ec = pki_key("p256");
	uint8_t out[IKE_AUTH_MAX], method = 0, sig[700];
	size_t len = sizeof(out), n;
	char why[256], used[128];

	ck_assert_int_eq(sigalg_sign(k, 0, false, octets, sizeof(octets),
				     &method, out, &len, why, sizeof(why)),
			 0);
	ck_assert_int_eq(sigalg_verify(k, method, true, out, len, octets,
				       sizeof(octets), used, sizeof(used), why,
				       sizeof(why)),
			 0);
	n = sha1_auth(k, aid_sha1_rsa, sizeof(aid_sha1_rsa), false, sig,
		      sizeof(sig));
	ck_assert_int_eq(sigalg_verify(ec, IKEV2_AUTH_DIGITAL_SIG, true, sig,
				       n, octets, sizeof(octets), used,
				       sizeof(used), why, sizeof(why)),
			 -1);
	ck_assert_str_eq(why, "it signed with sha1WithRSAEncryption, its "
			      "certificate has an ECDSA key");
	/* DSA with SHA-1: no key of ours verifies DSA, allowed or not. */
	static const uint8_t aid_dsa[] = {0x30, 0x09, 0x06, 0x07, 0x2a, 0x86,
					  0x48, 0xce, 0x38, 0x04, 0x03};
	sig[0] = sizeof(aid_dsa);
	memcpy(sig + 1, aid_dsa, sizeof(aid_dsa));
	ck_assert_int_eq(sigalg_verify(k, IKEV2_AUTH_DIGITAL_SIG, true, sig,
				       1 + sizeof(aid_dsa) + 40, octets,
				       sizeof(octets), used, sizeof(used), why,
				       sizeof(why)),
			 -1);
	ck_assert(strstr(why, "which we do not support") != NULL);
	EVP_PKEY_free(k);
	EVP_PKEY_free(ec);
}
END_TEST

/* Method 1 (the peer named no hashes): SHA-256 by default, SHA-1 when
 * allowed, as its DigestInfo says; method 14 never SHA-1. */
START_TEST(sign_method1_sha1_when_allowed)
{
	EVP_PKEY *k = pki_key("rsa");
	uint8_t out[IKE_AUTH_MAX], method = 0;
	size_t len = sizeof(out);
	char why[256], used[128];

	ck_assert_int_eq(sigalg_sign(k, 0, true, octets, sizeof(octets),
				     &method, out, &len, why, sizeof(why)),
			 0);
	ck_assert_uint_eq(method, IKEV2_AUTH_RSA_SIG);
	ck_assert_int_eq(sigalg_verify(k, method, true, out, len, octets,
				       sizeof(octets), used, sizeof(used), why,
				       sizeof(why)),
			 1);
	ck_assert_str_eq(used, "RSA PKCS#1 v1.5 with SHA1");
	ck_assert_int_eq(sigalg_verify(k, method, false, out, len, octets,
				       sizeof(octets), used, sizeof(used), why,
				       sizeof(why)),
			 -2);

	len = sizeof(out);
	ck_assert_int_eq(sigalg_sign(k, 0, false, octets, sizeof(octets),
				     &method, out, &len, why, sizeof(why)),
			 0);
	ck_assert_uint_eq(method, IKEV2_AUTH_RSA_SIG);
	ck_assert_int_eq(sigalg_verify(k, method, false, out, len, octets,
				       sizeof(octets), used, sizeof(used), why,
				       sizeof(why)),
			 0);
	ck_assert_str_eq(used, "RSA PKCS#1 v1.5 with SHA256");

	len = sizeof(out);
	ck_assert_int_eq(sigalg_sign(k, HASH_OURS, true, octets,
				     sizeof(octets), &method, out, &len, why,
				     sizeof(why)),
			 0);
	ck_assert_uint_eq(method, IKEV2_AUTH_DIGITAL_SIG);
	ck_assert_int_eq(sigalg_verify(k, method, true, out, len, octets,
				       sizeof(octets), used, sizeof(used), why,
				       sizeof(why)),
			 0);
	ck_assert_str_eq(used, "rsassa-pss-SHA256");
	EVP_PKEY_free(k);
}
END_TEST

START_TEST(wrong_key_or_method)
{
	EVP_PKEY *ec = pki_key("p256"), *rsa = pki_key("rsa");
	uint8_t out[IKE_AUTH_MAX], method;
	size_t len = sizeof(out);
	char why[256], used[128];

	ck_assert_int_eq(sigalg_sign(ec, HASH_OURS, false, octets,
				     sizeof(octets), &method, out, &len, why,
				     sizeof(why)),
			 0);
	ck_assert_int_eq(sigalg_verify(rsa, method, false, out, len, octets,
				       sizeof(octets), used, sizeof(used), why,
				       sizeof(why)),
			 -1);
	ck_assert_str_eq(why, "it signed with ecdsa-with-SHA256, its "
			      "certificate has an RSA key");
	ck_assert_int_eq(sigalg_verify(rsa, IKEV2_AUTH_SHARED_KEY_MIC, false, out, len,
				       octets, sizeof(octets), used,
				       sizeof(used), why, sizeof(why)),
			 -1);
	ck_assert(strstr(why, "AUTH method 2") != NULL);
	ck_assert_int_eq(sigalg_verify(rsa, IKEV2_AUTH_ECDSA_256, false, out, 64,
				       octets, sizeof(octets), used,
				       sizeof(used), why, sizeof(why)),
			 -1);
	/* A truncated AlgorithmIdentifier. */
	out[0] = 200;
	ck_assert_int_eq(sigalg_verify(ec, IKEV2_AUTH_DIGITAL_SIG, false, out, 20,
				       octets, sizeof(octets), used,
				       sizeof(used), why, sizeof(why)),
			 -1);
	EVP_PKEY_free(ec);
	EVP_PKEY_free(rsa);
}
END_TEST

Suite *
x509_sig_suite(void)
{
	Suite *s = suite_create("x509_sig");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, aid_rfc7427);
	tcase_add_test(tc, aid_as_openssl_encodes);
	tcase_add_test(tc, hash_notify);
	tcase_add_test(tc, sign_verify_rfc7427);
	tcase_add_test(tc, sign_verify_classic);
	tcase_add_test(tc, eddsa_needs_rfc7427);
	tcase_add_test(tc, sha1_method1);
	tcase_add_test(tc, sha1_rsa_rfc7427);
	tcase_add_test(tc, sha1_ecdsa_rfc7427);
	tcase_add_test(tc, sha1_pss_rfc7427);
	tcase_add_test(tc, sha1_allowed_only_sha1);
	tcase_add_test(tc, sign_method1_sha1_when_allowed);
	tcase_add_test(tc, wrong_key_or_method);
	suite_add_tcase(s, tc);
	return s;
}
