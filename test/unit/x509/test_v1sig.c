/* SPDX-License-Identifier: ISC */
/*
 * IKEv1 signatures (v1sig.c) against strongSwan 5.9.8's: the main-cert
 * capture of test/data/ikev1/ (see its README), two strongSwan daemons in
 * Main Mode with RSA certificates. With the HASH_I and HASH_R strongSwan
 * logged (keys.txt) and the keys the capture used (moon.key, sun.key):
 *
 *   - v1sig_verify accepts strongSwan's SIG payloads of messages 5 and 6,
 *     and refuses them over a hash with one bit changed, or with one bit
 *     of the signature changed;
 *   - v1sig_sign with the same key gives strongSwan's SIG byte for byte
 *     (PKCS#1 v1.5 without DigestInfo is deterministic): proof that we
 *     sign the bare hash, as strongSwan checks it;
 *   - ECDSA on the three curves (randomized, so no known answer): what
 *     we sign is r | s of the curve's size and verifies, a changed bit
 *     does not, and a method that is not the key's is refused by name.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <openssl/pem.h>

#include "ikev1_const.h"
#include "pki.h"
#include "tests.h"
#include "x509.h"

static char *
path_of(const char *name)
{
	static char p[1024];

	snprintf(p, sizeof(p), "%s/ikev1/main-cert/%s", TEST_DATA, name);
	return p;
}

static uint8_t *
unhex(const char *hex, size_t n, size_t *len)
{
	uint8_t *out = malloc(n / 2 + 1);
	size_t i;

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

/* The hex after "prefix" at the start of a line of file, as bytes. */
static uint8_t *
line_value(const char *file, const char *prefix, size_t *len)
{
	FILE *f = fopen(path_of(file), "r");
	char line[16384];
	uint8_t *v = NULL;
	size_t k = strlen(prefix);

	ck_assert_msg(f != NULL, "cannot open %s", path_of(file));
	while (!v && fgets(line, sizeof(line), f))
		if (strncmp(line, prefix, k) == 0)
			v = unhex(line + k, strcspn(line + k, "\n"), len);
	fclose(f);
	ck_assert_msg(v != NULL, "%s: no line %s", file, prefix);
	return v;
}

static EVP_PKEY *
key_of(const char *name)
{
	FILE *f = fopen(path_of(name), "r");
	EVP_PKEY *k;

	ck_assert_ptr_nonnull(f);
	k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	ck_assert_ptr_nonnull(k);
	return k;
}

/* One side of the capture: its key, its message's SIG, the hash. */
static void
check_side(const char *keyfile, const char *msg, const char *hash_name)
{
	EVP_PKEY *k = key_of(keyfile);
	size_t sig_len, hash_len, len;
	uint8_t *sig = line_value(msg, "sig data=", &sig_len);
	uint8_t *hash = line_value("keys.txt", hash_name, &hash_len);
	uint8_t ours[1024];
	char why[256];
	uint16_t method = 0;

	ck_assert_int_eq(v1sig_method(k, &method, why, sizeof(why)), 0);
	ck_assert_uint_eq(method, IKEV1_AUTH_RSA_SIGNATURES);
	ck_assert_int_eq(v1sig_verify(k, method, sig, sig_len, hash, hash_len,
				      why, sizeof(why)),
			 0);
	len = sizeof(ours);
	ck_assert_int_eq(
	    v1sig_sign(k, method, hash, hash_len, ours, &len, why, sizeof(why)),
	    0);
	ck_assert_uint_eq(len, sig_len);
	ck_assert_mem_eq(ours, sig, len);
	/* One bit of the hash, then of the signature. */
	hash[hash_len - 1] ^= 1;
	ck_assert_int_eq(v1sig_verify(k, method, sig, sig_len, hash, hash_len,
				      why, sizeof(why)),
			 -1);
	ck_assert_str_eq(why, "does not verify");
	hash[hash_len - 1] ^= 1;
	sig[sig_len / 2] ^= 0x10;
	ck_assert_int_eq(v1sig_verify(k, method, sig, sig_len, hash, hash_len,
				      why, sizeof(why)),
			 -1);
	/* An RSA key under an ECDSA method: refused by name. */
	sig[sig_len / 2] ^= 0x10;
	ck_assert_int_eq(v1sig_verify(k, IKEV1_AUTH_ECDSA_SHA256_P256, sig,
				      sig_len, hash, hash_len, why,
				      sizeof(why)),
			 -1);
	ck_assert_msg(strstr(why, "RSA signatures") != NULL, "%s", why);
	free(sig);
	free(hash);
	EVP_PKEY_free(k);
}

START_TEST(strongswan_message_5_rsa)
{
	check_side("moon.key", "05-main-i.expect", "hash_i=");
}
END_TEST

START_TEST(strongswan_message_6_rsa)
{
	check_side("sun.key", "06-main-r.expect", "hash_r=");
}
END_TEST

static const struct {
	const char *kind;
	uint16_t method;
	size_t sig_len;
} curves[] = {
    {"p256", IKEV1_AUTH_ECDSA_SHA256_P256, 64},
    {"p384", IKEV1_AUTH_ECDSA_SHA384_P384, 96},
    {"p521", IKEV1_AUTH_ECDSA_SHA512_P521, 132},
};

START_TEST(ecdsa_round_trip)
{
	EVP_PKEY *k = pki_key(curves[_i].kind);
	uint8_t hash[48], sig[256];
	size_t len = sizeof(sig);
	uint16_t method = 0;
	char why[256];

	memset(hash, 0x5a, sizeof(hash));
	ck_assert_ptr_nonnull(k);
	ck_assert_int_eq(v1sig_method(k, &method, why, sizeof(why)), 0);
	ck_assert_uint_eq(method, curves[_i].method);
	ck_assert_int_eq(
	    v1sig_sign(k, method, hash, 32, sig, &len, why, sizeof(why)), 0);
	ck_assert_uint_eq(len, curves[_i].sig_len);
	ck_assert_int_eq(
	    v1sig_verify(k, method, sig, len, hash, 32, why, sizeof(why)), 0);
	sig[len - 1] ^= 1;
	ck_assert_int_eq(
	    v1sig_verify(k, method, sig, len, hash, 32, why, sizeof(why)), -1);
	ck_assert_int_eq(v1sig_verify(k, IKEV1_AUTH_RSA_SIGNATURES, sig, len,
				      hash, 32, why, sizeof(why)),
			 -1);
	ck_assert_msg(strstr(why, "ECDSA") != NULL, "%s", why);
	/* A signature of another size is no r | s of this curve. */
	ck_assert_int_eq(
	    v1sig_verify(k, method, sig, len - 1, hash, 32, why, sizeof(why)),
	    -1);
	EVP_PKEY_free(k);
}
END_TEST

START_TEST(eddsa_has_no_ikev1_method)
{
	EVP_PKEY *k = pki_key("ed25519");
	uint16_t method = 0;
	char why[256];

	ck_assert_int_eq(v1sig_method(k, &method, why, sizeof(why)), -1);
	ck_assert_msg(strstr(why, "IKEv1") != NULL, "%s", why);
	EVP_PKEY_free(k);
}
END_TEST

Suite *
v1sig_suite(void)
{
	Suite *s = suite_create("x509_v1sig");
	TCase *t = tcase_create("v1sig");

	tcase_add_test(t, strongswan_message_5_rsa);
	tcase_add_test(t, strongswan_message_6_rsa);
	tcase_add_loop_test(t, ecdsa_round_trip, 0,
			    (int)(sizeof(curves) / sizeof(curves[0])));
	tcase_add_test(t, eddsa_has_no_ikev1_method);
	suite_add_tcase(s, t);
	return s;
}
