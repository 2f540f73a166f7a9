/* SPDX-License-Identifier: ISC */
/*
 * memo.c: a certificate's DER is parsed once however many SAs send it, and
 * never matched against other bytes; whether a CA signed a certificate is
 * verified once per pair, a refusal remembered as well as a yes.
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <openssl/x509v3.h>

#include "pki.h"
#include "tests.h"
#include "x509.h"

static EVP_PKEY *ca_key, *other_key, *ee_key;
static X509 *ca, *other_ca, *ee;
static unsigned checks;

static void
setup(void)
{
	struct pki_opts o = {.cn = "Memo CA", .ca = true, .pathlen = -1};

	memo_free();
	ca_key = pki_key("p256");
	ee_key = pki_key("p256");
	ca = pki_cert(ca_key, &o, NULL, NULL);
	o.cn = "Other CA";
	other_key = pki_key("p256");
	other_ca = pki_cert(other_key, &o, NULL, NULL);
	o = (struct pki_opts){.cn = "sun", .serial = 2};
	ee = pki_cert(ee_key, &o, ca, ca_key);
	checks = 0;
}

static void
teardown(void)
{
	memo_free();
	X509_free(ca);
	X509_free(other_ca);
	X509_free(ee);
	EVP_PKEY_free(ca_key);
	EVP_PKEY_free(other_key);
	EVP_PKEY_free(ee_key);
}

static size_t
der_of(X509 *x, unsigned char **der)
{
	int n;

	*der = NULL;
	n = i2d_X509(x, der);
	ck_assert_int_gt(n, 0);
	return (size_t)n;
}

START_TEST(same_der_parsed_once)
{
	unsigned char *der, *copy;
	size_t n = der_of(ee, &der);
	X509 *a = memo_cert(der, n), *b;

	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(X509_cmp(a, ee), 0);
	/* The same bytes elsewhere (the next SA's message): the same
	 * object, a reference of its own. */
	copy = malloc(n);
	memcpy(copy, der, n);
	b = memo_cert(copy, n);
	ck_assert_ptr_eq(a, b);
	X509_free(a);
	X509_free(b);
	/* One bit changed is other bytes: parsed (and refused) anew. */
	copy[n - 1] ^= 1;
	b = memo_cert(copy, n);
	ck_assert(b == NULL || b != a);
	X509_free(b);
	free(copy);
	OPENSSL_free(der);
}
END_TEST

START_TEST(not_one_whole_certificate)
{
	unsigned char *der, *longer;
	size_t n = der_of(ee, &der);

	ck_assert_ptr_null(memo_cert(der, n - 1));
	longer = malloc(n + 1);
	memcpy(longer, der, n);
	longer[n] = 0;
	ck_assert_ptr_null(memo_cert(longer, n + 1));
	/* Refused bytes are not remembered as a certificate. */
	ck_assert_ptr_null(memo_cert(longer, n + 1));
	free(longer);
	OPENSSL_free(der);
}
END_TEST

static bool
counted(X509 *issuer, X509 *x)
{
	EVP_PKEY *k = X509_get0_pubkey(issuer);

	checks++;
	return X509_check_issued(issuer, x) == X509_V_OK && k &&
	       X509_verify(x, k) == 1;
}

START_TEST(issued_verified_once_per_pair)
{
	ck_assert(memo_issued(ca, ee, counted));
	ck_assert(memo_issued(ca, ee, counted));
	ck_assert_uint_eq(checks, 1);
	ck_assert(!memo_issued(other_ca, ee, counted));
	ck_assert(!memo_issued(other_ca, ee, counted));
	ck_assert_uint_eq(checks, 2);
	memo_free();
	ck_assert(memo_issued(ca, ee, counted));
	ck_assert_uint_eq(checks, 3);
}
END_TEST

/* More pairs than it keeps: the oldest are asked again, never confused. */
START_TEST(issued_ring_wraps)
{
	X509 *certs[40];
	struct pki_opts o = {.cn = "many"};
	unsigned i;

	for (i = 0; i < 40; i++) {
		o.serial = 10 + i;
		certs[i] = pki_cert(ee_key, &o, ca, ca_key);
		ck_assert(memo_issued(ca, certs[i], counted));
	}
	ck_assert_uint_eq(checks, 40);
	ck_assert(memo_issued(ca, certs[39], counted));
	ck_assert_uint_eq(checks, 40);
	ck_assert(memo_issued(ca, certs[0], counted));
	ck_assert_uint_eq(checks, 41);
	ck_assert(!memo_issued(other_ca, certs[5], counted));
	for (i = 0; i < 40; i++)
		X509_free(certs[i]);
}
END_TEST

Suite *
x509_memo_suite(void)
{
	Suite *s = suite_create("x509_memo");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, same_der_parsed_once);
	tcase_add_test(tc, not_one_whole_certificate);
	tcase_add_test(tc, issued_verified_once_per_pair);
	tcase_add_test(tc, issued_ring_wraps);
	suite_add_tcase(s, tc);
	return s;
}
