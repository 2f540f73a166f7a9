/* SPDX-License-Identifier: ISC */
/*
 * cert_info.c, what list-certs and list-authorities say of a certificate:
 * key names as an admin knows them (RSA 3072, ECDSA P-256, Ed25519),
 * serials in lowercase hex (negative ones too), times in UTC ISO 8601,
 * SANs of each kind, and files with several certificates, DER, or none.
 * Certificates are made here in memory; nothing is committed.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "cert_info.h"
#include "tests.h"

static void
key_is(EVP_PKEY *k, const char *text, const char *type, int bits)
{
	const char *t = NULL;
	char buf[64];
	int b = -1;

	ck_assert_ptr_nonnull(k);
	cert_key_text(k, buf, sizeof(buf), &t, &b);
	ck_assert_str_eq(buf, text);
	ck_assert_str_eq(t, type);
	ck_assert_int_eq(b, bits);
	EVP_PKEY_free(k);
}

START_TEST(key_names)
{
	key_is(EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024), "RSA 1024",
	       "RSA", 1024);
	key_is(EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256"), "ECDSA P-256",
	       "ECDSA", 256);
	key_is(EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384"), "ECDSA P-384",
	       "ECDSA", 384);
	/* A curve NIST has no name for: OpenSSL's. */
	key_is(EVP_PKEY_Q_keygen(NULL, NULL, "EC", "brainpoolP256r1"),
	       "ECDSA brainpoolP256r1", "ECDSA", 256);
	key_is(EVP_PKEY_Q_keygen(NULL, NULL, "ED25519"), "Ed25519", "Ed25519",
	       256);
	key_is(EVP_PKEY_Q_keygen(NULL, NULL, "ED448"), "Ed448", "Ed448", 456);
}
END_TEST

START_TEST(serials)
{
	ASN1_INTEGER *s = ASN1_INTEGER_new();
	BIGNUM *bn = NULL;
	char buf[128];

	ASN1_INTEGER_set(s, 0x3e8);
	cert_serial_text(s, buf, sizeof(buf));
	ck_assert_str_eq(buf, "03e8");
	ASN1_INTEGER_set(s, -10);
	cert_serial_text(s, buf, sizeof(buf));
	ck_assert_str_eq(buf, "-0a");
	/* 20 octets, the most RFC 5280 allows: no sign bit lost. */
	ck_assert(BN_hex2bn(&bn, "FEDCBA9876543210FEDCBA9876543210FEDCBA98"));
	ck_assert_ptr_nonnull(BN_to_ASN1_INTEGER(bn, s));
	cert_serial_text(s, buf, sizeof(buf));
	ck_assert_str_eq(buf, "fedcba9876543210fedcba9876543210fedcba98");
	cert_serial_text(NULL, buf, sizeof(buf));
	ck_assert_str_eq(buf, "");
	BN_free(bn);
	ASN1_INTEGER_free(s);
}
END_TEST

START_TEST(times)
{
	ASN1_TIME *t = ASN1_TIME_new();
	char buf[32];

	/* UTCTime and GeneralizedTime (after 2049) alike, in UTC. */
	ck_assert(ASN1_TIME_set_string(t, "261206090000Z"));
	cert_time_text(t, buf, sizeof(buf));
	ck_assert_str_eq(buf, "2026-12-06T09:00:00Z");
	ck_assert(ASN1_TIME_set_string(t, "20610101235959Z"));
	cert_time_text(t, buf, sizeof(buf));
	ck_assert_str_eq(buf, "2061-01-01T23:59:59Z");
	cert_time_text(NULL, buf, sizeof(buf));
	ck_assert_str_eq(buf, "");
	ASN1_TIME_free(t);
}
END_TEST

/* A self-signed certificate of key k with the SANs san (or none). */
static X509 *
make_cert(EVP_PKEY *k, const char *cn, const char *san, bool ca)
{
	X509 *x = X509_new();
	X509_NAME *n = X509_NAME_new();
	X509V3_CTX ctx;
	X509_EXTENSION *e;

	ck_assert_ptr_nonnull(x);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 0x1001);
	ASN1_TIME_set_string(X509_getm_notBefore(x), "20261206090000Z");
	ASN1_TIME_set_string(X509_getm_notAfter(x), "20270105090000Z");
	X509_NAME_add_entry_by_txt(n, "O", MBSTRING_ASC,
				   (const unsigned char *)"Example", -1, -1, 0);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8,
				   (const unsigned char *)cn, -1, -1, 0);
	X509_set_subject_name(x, n);
	X509_set_issuer_name(x, n);
	X509_NAME_free(n);
	X509_set_pubkey(x, k);
	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
	if (san) {
		e = X509V3_EXT_conf_nid(NULL, &ctx, NID_subject_alt_name, san);
		ck_assert_ptr_nonnull(e);
		X509_add_ext(x, e, -1);
		X509_EXTENSION_free(e);
	}
	e = X509V3_EXT_conf_nid(NULL, &ctx, NID_basic_constraints,
				ca ? "critical,CA:TRUE" : "CA:FALSE");
	X509_add_ext(x, e, -1);
	X509_EXTENSION_free(e);
	ck_assert(X509_sign(x, k, NULL) > 0);
	return x;
}

START_TEST(one_cert)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	X509 *x = make_cert(k, "moon \xc3\xa9",
			    "DNS:moon.example.org,email:a@example.org,"
			    "IP:192.0.2.1,IP:2001:db8::1,URI:https://x.example",
			    false);
	json_t *o = cert_info_x509(x), *s;
	char *d;

	ck_assert_ptr_nonnull(o);
	/* UTF-8 in a DN kept as it is (RFC 2253 without escaping it). */
	ck_assert_str_eq(json_string_value(json_object_get(o, "subject")),
			 "CN=moon \xc3\xa9,O=Example");
	ck_assert_str_eq(json_string_value(json_object_get(o, "issuer")),
			 "CN=moon \xc3\xa9,O=Example");
	ck_assert_str_eq(json_string_value(json_object_get(o, "serial")),
			 "1001");
	ck_assert_str_eq(json_string_value(json_object_get(o, "not_before")),
			 "2026-12-06T09:00:00Z");
	ck_assert_str_eq(json_string_value(json_object_get(o, "not_after")),
			 "2027-01-05T09:00:00Z");
	ck_assert_str_eq(json_string_value(json_object_get(o, "key")),
			 "Ed25519");
	ck_assert(json_is_false(json_object_get(o, "ca")));
	s = json_object_get(o, "sans");
	d = json_dumps(s, JSON_COMPACT);
	ck_assert_str_eq(d, "[\"DNS:moon.example.org\",\"email:a@example.org\","
			    "\"IP:192.0.2.1\",\"IP:2001:db8::1\","
			    "\"URI:https://x.example\"]");
	free(d);
	json_decref(o);
	X509_free(x);
	EVP_PKEY_free(k);
}
END_TEST

static char path[] = "/tmp/charond-certinfo.XXXXXX";

static void
write_file(const void *b, size_t n)
{
	int fd = mkstemp(path);
	FILE *f;

	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "wb");
	ck_assert_uint_eq(fwrite(b, 1, n, f), n);
	fclose(f);
}

START_TEST(files)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	X509 *ee = make_cert(k, "moon", "DNS:moon.example.org", false);
	X509 *ca = make_cert(k, "CA", NULL, true);
	unsigned char *der = NULL;
	char why[256], *pem;
	BIO *b = BIO_new(BIO_s_mem());
	json_t *a;
	long n;
	int dn;

	/* Two in one PEM file, in their order, with text around them. */
	BIO_puts(b, "moon's certificate, then its CA\n");
	PEM_write_bio_X509(b, ee);
	PEM_write_bio_X509(b, ca);
	n = BIO_get_mem_data(b, &pem);
	write_file(pem, (size_t)n);
	a = cert_info_file(path, why, sizeof(why));
	ck_assert_msg(a != NULL, "%s", why);
	ck_assert_uint_eq(json_array_size(a), 2);
	ck_assert_str_eq(
	    json_string_value(json_object_get(json_array_get(a, 0), "subject")),
	    "CN=moon,O=Example");
	ck_assert(json_is_true(json_object_get(json_array_get(a, 1), "ca")));
	json_decref(a);
	unlink(path);

	/* DER. */
	dn = i2d_X509(ca, &der);
	ck_assert_int_gt(dn, 0);
	memcpy(path + strlen(path) - 6, "XXXXXX", 6);
	write_file(der, (size_t)dn);
	a = cert_info_file(path, why, sizeof(why));
	ck_assert_msg(a != NULL, "%s", why);
	ck_assert_uint_eq(json_array_size(a), 1);
	ck_assert_str_eq(
	    json_string_value(json_object_get(json_array_get(a, 0), "key")),
	    "ECDSA P-256");
	json_decref(a);
	unlink(path);

	/* Neither: NULL and why, naming the file. */
	memcpy(path + strlen(path) - 6, "XXXXXX", 6);
	write_file("hello\n", 6);
	ck_assert_ptr_null(cert_info_file(path, why, sizeof(why)));
	ck_assert_ptr_nonnull(strstr(why, "no certificate in it"));
	ck_assert_ptr_nonnull(strstr(why, path));
	ck_assert_ptr_null(cert_info_crl(path, why, sizeof(why)));
	ck_assert_ptr_nonnull(strstr(why, "no CRL in it"));
	unlink(path);
	ck_assert_ptr_null(cert_info_file(path, why, sizeof(why)));
	ck_assert_ptr_nonnull(strstr(why, "cannot read"));
	memcpy(path + strlen(path) - 6, "XXXXXX", 6);

	OPENSSL_free(der);
	BIO_free(b);
	X509_free(ee);
	X509_free(ca);
	EVP_PKEY_free(k);
}
END_TEST

Suite *
cert_info_suite(void)
{
	Suite *s = suite_create("cert_info");
	TCase *tc = tcase_create("cert_info");

	tcase_add_test(tc, key_names);
	tcase_add_test(tc, serials);
	tcase_add_test(tc, times);
	tcase_add_test(tc, one_cert);
	tcase_add_test(tc, files);
	suite_add_tcase(s, tc);
	return s;
}
