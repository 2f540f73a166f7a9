/* SPDX-License-Identifier: ISC */
/*
 * verify.c and ident.c: the peer's chain through the trusted authorities
 * (intermediates sent along, path lengths, basic constraints, dates, CRLs,
 * key usage) and each refusal's line; IDs against subjectAltName and DN.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include <check.h>

#include "ike.h"
#include "ikev2_const.h"
#include "pki.h"
#include "tests.h"
#include "x509.h"

static EVP_PKEY *root_key, *inter_key, *ee_key, *other_key;
static X509 *root, *inter, *other;

static void
setup(void)
{
	struct pki_opts r = {.cn = "Test CA", .ca = true, .pathlen = -1};
	struct pki_opts i = {
	    .cn = "Inter CA", .ca = true, .pathlen = 0, .serial = 2};
	struct pki_opts o = {.cn = "Other CA", .ca = true, .pathlen = -1};

	root_key = pki_key("p256");
	inter_key = pki_key("p256");
	ee_key = pki_key("p256");
	other_key = pki_key("p256");
	root = pki_cert(root_key, &r, NULL, NULL);
	inter = pki_cert(inter_key, &i, root, root_key);
	other = pki_cert(other_key, &o, NULL, NULL);
}

static void
teardown(void)
{
	X509_free(root);
	X509_free(inter);
	X509_free(other);
	EVP_PKEY_free(root_key);
	EVP_PKEY_free(inter_key);
	EVP_PKEY_free(ee_key);
	EVP_PKEY_free(other_key);
}

static X509 *
ee(const struct pki_opts *o, X509 *issuer, EVP_PKEY *ikey)
{
	return pki_cert(ee_key, o, issuer, ikey);
}

/* verify_chain against test-ca (root, with crl) and "other" if both. */
static int
check(X509 *x, X509 *sent, X509_CRL *crl, bool both, char *why, size_t len)
{
	struct x509_authority a[2] = {{"test-ca", root, {crl}, crl ? 1 : 0},
				      {"other-ca", other, {NULL}, 0}};
	const struct x509_authority *by = NULL;
	STACK_OF(X509) *rest = sk_X509_new_null();
	int rc;

	if (sent)
		sk_X509_push(rest, sent);
	why[0] = '\0';
	rc = verify_chain(x, rest, a, both ? 2 : 1, "gw-gw", 0, &by, why, len);
	if (rc == 0)
		ck_assert_ptr_eq(by, &a[0]);
	sk_X509_free(rest);
	return rc;
}

START_TEST(chain_with_intermediate)
{
	struct pki_opts o = {.cn = "sun", .san = "DNS:sun.example.org"};
	X509 *x = ee(&o, inter, inter_key);
	char why[512];

	ck_assert_int_eq(check(x, inter, NULL, false, why, sizeof(why)), 0);
	/* Without the intermediate the chain does not reach test-ca. */
	ck_assert_int_eq(check(x, NULL, NULL, false, why, sizeof(why)), -1);
	ck_assert_str_eq(why, "peer certificate CN=sun,O=Example issued by "
			      "CN=Inter CA,O=Example: no trusted authority "
			      "(connection gw-gw trusts test-ca)");
	X509_free(x);
}
END_TEST

START_TEST(untrusted_ca)
{
	struct pki_opts o = {.cn = "sun"};
	X509 *x = ee(&o, other, other_key);
	char why[512];

	ck_assert_int_eq(check(x, NULL, NULL, false, why, sizeof(why)), -1);
	ck_assert_str_eq(why, "peer certificate CN=sun,O=Example issued by "
			      "CN=Other CA,O=Example: no trusted authority "
			      "(connection gw-gw trusts test-ca)");
	X509_free(x);
}
END_TEST

START_TEST(expired_and_not_yet)
{
	struct pki_opts o = {
	    .cn = "sun", .not_before = -86400 * 10, .not_after = -86400};
	X509 *x = ee(&o, root, root_key);
	char why[512], when[64], want[256];

	cred_time(X509_get0_notAfter(x), false, when, sizeof(when));
	ck_assert_uint_eq(strlen(when), strlen("2026-01-01 12:00:00 UTC"));
	ck_assert(strstr(when, " UTC") != NULL);
	snprintf(want, sizeof(want),
		 "peer certificate CN=sun,O=Example expired %s", when);
	ck_assert_int_eq(check(x, NULL, NULL, false, why, sizeof(why)), -1);
	ck_assert_str_eq(why, want);
	X509_free(x);
	o.not_before = 86400;
	o.not_after = 86400 * 2;
	x = ee(&o, root, root_key);
	ck_assert_int_eq(check(x, NULL, NULL, false, why, sizeof(why)), -1);
	ck_assert(strstr(why, "not valid before") != NULL);
	X509_free(x);
}
END_TEST

START_TEST(revoked)
{
	struct pki_opts o = {.cn = "sun", .serial = 77};
	static const long serials[] = {77, 0};
	X509 *x = ee(&o, root, root_key);
	X509_CRL *crl = pki_crl(root, root_key, serials, -3600, 86400);
	X509_CRL *none = pki_crl(root, root_key, NULL, -3600, 86400);
	char why[512];

	ck_assert_int_eq(check(x, NULL, none, false, why, sizeof(why)), 0);
	ck_assert_int_eq(check(x, NULL, crl, true, why, sizeof(why)), -1);
	ck_assert_str_eq(why, "peer certificate CN=sun,O=Example revoked "
			      "2026-03-04 (CRL of test-ca)");
	X509_CRL_free(crl);
	X509_CRL_free(none);
	X509_free(x);
}
END_TEST

START_TEST(stale_crl)
{
	struct pki_opts o = {.cn = "sun"};
	X509 *x = ee(&o, root, root_key);
	X509_CRL *crl = pki_crl(root, root_key, NULL, -86400 * 2, -86400);
	char why[512];

	ck_assert_int_eq(check(x, NULL, crl, false, why, sizeof(why)), -1);
	ck_assert_msg(strncmp(why,
			      "peer certificate CN=sun,O=Example: cannot check "
			      "revocation: the CRL of test-ca expired 20",
			      80) == 0,
		      "%s", why);
	X509_CRL_free(crl);
	/* Signed by another key. */
	crl = pki_crl(root, other_key, NULL, -3600, 86400);
	ck_assert_int_eq(check(x, NULL, crl, false, why, sizeof(why)), -1);
	ck_assert_str_eq(why, "peer certificate CN=sun,O=Example: cannot check "
			      "revocation: the CRL of test-ca is not signed by "
			      "it");
	X509_CRL_free(crl);
	X509_free(x);
}
END_TEST

/* Through an intermediate: the authority's CRL is about what it issued,
 * the intermediate; the end entity needs no CRL of the intermediate's. */
START_TEST(crl_with_intermediate)
{
	struct pki_opts o = {.cn = "sun", .serial = 2};
	static const long inter_serial[] = {2, 0};
	X509 *x = ee(&o, inter, inter_key);
	X509_CRL *none = pki_crl(root, root_key, NULL, -3600, 86400);
	X509_CRL *crl = pki_crl(root, root_key, inter_serial, -3600, 86400);
	char why[512];

	/* The end entity's serial is the intermediate's too: no matter,
	 * the CRL of test-ca is about what test-ca issued. */
	ck_assert_int_eq(check(x, inter, none, false, why, sizeof(why)), 0);
	ck_assert_int_eq(check(x, inter, crl, false, why, sizeof(why)), -1);
	ck_assert_str_eq(why, "certificate in the peer's chain CN=Inter "
			      "CA,O=Example revoked 2026-03-04 (CRL of "
			      "test-ca)");
	X509_CRL_free(crl);
	X509_CRL_free(none);
	X509_free(x);
}
END_TEST

/* root -> inter -> ee with the authority's CRLs crls (n of them). */
static int
check_inter(X509 *x, X509_CRL *const *crls, size_t n, time_t at, char *why,
	    size_t len)
{
	struct x509_authority a = {"test-ca", root, {NULL}, n};
	const struct x509_authority *by = NULL;
	STACK_OF(X509) *rest = sk_X509_new_null();
	size_t i;
	int rc;

	for (i = 0; i < n; i++)
		a.crls[i] = crls[i];
	sk_X509_push(rest, inter);
	why[0] = '\0';
	rc = verify_chain(x, rest, &a, 1, "gw-gw", at, &by, why, len);
	sk_X509_free(rest);
	return rc;
}

/* The intermediate's CRL, in the authority's list, revokes what the
 * intermediate issued; the root's, what the root issued. */
START_TEST(crl_of_intermediate)
{
	struct pki_opts o = {.cn = "sun", .serial = 9};
	static const long ee_serial[] = {9, 0}, inter_serial[] = {2, 0};
	X509 *x = ee(&o, inter, inter_key);
	X509_CRL *root_none = pki_crl(root, root_key, NULL, -3600, 86400);
	X509_CRL *root_rev = pki_crl(root, root_key, inter_serial, -3600, 86400);
	X509_CRL *inter_none = pki_crl(inter, inter_key, NULL, -3600, 86400);
	X509_CRL *inter_rev =
	    pki_crl(inter, inter_key, ee_serial, -3600, 86400);
	X509_CRL *l[2];
	char why[512];

	l[0] = root_none;
	l[1] = inter_none;
	ck_assert_int_eq(check_inter(x, l, 2, 0, why, sizeof(why)), 0);
	l[1] = inter_rev;
	ck_assert_int_eq(check_inter(x, l, 2, 0, why, sizeof(why)), -1);
	ck_assert_str_eq(why, "peer certificate CN=sun,O=Example revoked "
			      "2026-03-04 (CRL of CN=Inter CA,O=Example)");
	/* The order of the list does not matter; the intermediate's CRL
	 * alone is enough (the root has none: not checked). */
	l[0] = inter_rev;
	l[1] = root_none;
	ck_assert_int_eq(check_inter(x, l, 2, 0, why, sizeof(why)), -1);
	ck_assert_int_eq(check_inter(x, l, 1, 0, why, sizeof(why)), -1);
	ck_assert(strstr(why, "(CRL of CN=Inter CA,O=Example)") != NULL);
	/* Without the intermediate's CRL, its certificates are not
	 * checked; the root's, with ee's serial, is about the root's. */
	l[0] = root_none;
	ck_assert_int_eq(check_inter(x, l, 1, 0, why, sizeof(why)), 0);
	/* The root's CRL revokes the intermediate: named first. */
	l[0] = root_rev;
	l[1] = inter_rev;
	ck_assert_int_eq(check_inter(x, l, 2, 0, why, sizeof(why)), -1);
	ck_assert_str_eq(why, "certificate in the peer's chain CN=Inter "
			      "CA,O=Example revoked 2026-03-04 (CRL of "
			      "test-ca)");
	X509_CRL_free(root_none);
	X509_CRL_free(root_rev);
	X509_CRL_free(inter_none);
	X509_CRL_free(inter_rev);
	X509_free(x);
}
END_TEST

/* An intermediate's CRL out of date, or with its name but another key's
 * signature, leaves revocation unchecked: refused. */
START_TEST(stale_crl_of_intermediate)
{
	struct pki_opts o = {.cn = "sun", .serial = 9};
	X509 *x = ee(&o, inter, inter_key);
	X509_CRL *root_none = pki_crl(root, root_key, NULL, -3600, 86400);
	X509_CRL *stale =
	    pki_crl(inter, inter_key, NULL, -86400 * 2, -86400);
	X509_CRL *early = pki_crl(inter, inter_key, NULL, 3600, 86400);
	X509_CRL *forged = pki_crl(inter, other_key, NULL, -3600, 86400);
	X509_CRL *l[2] = {root_none, stale};
	char why[512];

	ck_assert_int_eq(check_inter(x, l, 2, 0, why, sizeof(why)), -1);
	ck_assert_msg(strncmp(why,
			      "peer certificate CN=sun,O=Example: cannot check "
			      "revocation: the CRL of CN=Inter CA,O=Example "
			      "expired 20",
			      100) == 0,
		      "%s", why);
	l[1] = early;
	ck_assert_int_eq(check_inter(x, l, 2, 0, why, sizeof(why)), -1);
	ck_assert_msg(strstr(why, "the CRL of CN=Inter CA,O=Example is not "
				  "valid before 20") != NULL,
		      "%s", why);
	l[1] = forged;
	ck_assert_int_eq(check_inter(x, l, 2, 0, why, sizeof(why)), -1);
	ck_assert_str_eq(why, "peer certificate CN=sun,O=Example: cannot check "
			      "revocation: the CRL of CN=Inter CA,O=Example is "
			      "not signed by it");
	X509_CRL_free(root_none);
	X509_CRL_free(stale);
	X509_CRL_free(early);
	X509_CRL_free(forged);
	X509_free(x);
}
END_TEST

/* An authority without a CRL needs none while another has one. */
START_TEST(crl_only_where_there_is_one)
{
	struct pki_opts o = {.cn = "sun"};
	X509 *x = ee(&o, other, other_key);
	X509_CRL *crl = pki_crl(root, root_key, NULL, -3600, 86400);
	struct x509_authority a[2] = {{"test-ca", root, {crl}, 1},
				      {"other-ca", other, {NULL}, 0}};
	const struct x509_authority *by = NULL;
	char why[512];

	ck_assert_int_eq(
	    verify_chain(x, NULL, a, 2, "c", 0, &by, why, sizeof(why)), 0);
	ck_assert_ptr_eq(by, &a[1]);
	X509_CRL_free(crl);
	X509_free(x);
}
END_TEST

START_TEST(path_length_and_ca_flag)
{
	struct pki_opts i2 = {
	    .cn = "Deep CA", .ca = true, .pathlen = -1, .serial = 3};
	struct pki_opts o = {.cn = "sun"};
	struct pki_opts notca = {.cn = "Fake CA", .serial = 4};
	EVP_PKEY *k2 = pki_key("p256");
	X509 *deep = pki_cert(k2, &i2, inter, inter_key);
	X509 *fake = pki_cert(k2, &notca, root, root_key);
	X509 *x = ee(&o, deep, k2), *y = ee(&o, fake, k2);
	STACK_OF(X509) *rest = sk_X509_new_null();
	struct x509_authority a = {"test-ca", root, {NULL}, 0};
	const struct x509_authority *by;
	char why[512];

	/* inter has pathlen 0: no CA may follow it. */
	sk_X509_push(rest, deep);
	sk_X509_push(rest, inter);
	ck_assert_int_eq(
	    verify_chain(x, rest, &a, 1, "c", 0, &by, why, sizeof(why)), -1);
	ck_assert(strstr(why, "path length") != NULL);
	sk_X509_zero(rest);
	/* A certificate with CA:FALSE issues nothing. */
	sk_X509_push(rest, fake);
	ck_assert_int_eq(
	    verify_chain(y, rest, &a, 1, "c", 0, &by, why, sizeof(why)), -1);
	ck_assert(strstr(why, "CA") != NULL);
	sk_X509_free(rest);
	X509_free(x);
	X509_free(y);
	X509_free(deep);
	X509_free(fake);
	EVP_PKEY_free(k2);
}
END_TEST

START_TEST(key_usage)
{
	struct pki_opts o = {.cn = "sun", .ku = "keyEncipherment"};
	X509 *x = ee(&o, root, root_key);
	char why[512];

	ck_assert_int_eq(check(x, NULL, NULL, false, why, sizeof(why)), -1);
	ck_assert_str_eq(why, "peer certificate CN=sun,O=Example: its key "
			      "usage does not allow digitalSignature");
	X509_free(x);
	o.ku = "digitalSignature";
	o.eku = "emailProtection";
	x = ee(&o, root, root_key);
	ck_assert_int_eq(check(x, NULL, NULL, false, why, sizeof(why)), -1);
	ck_assert(strstr(why, "none of serverAuth, clientAuth, ipsecIKE"));
	X509_free(x);
	o.eku = "1.3.6.1.5.5.7.3.17"; /* ipsecIKE */
	x = ee(&o, root, root_key);
	ck_assert_int_eq(check(x, NULL, NULL, false, why, sizeof(why)), 0);
	X509_free(x);
	o.eku = "serverAuth,clientAuth";
	x = ee(&o, root, root_key);
	ck_assert_int_eq(check(x, NULL, NULL, false, why, sizeof(why)), 0);
	X509_free(x);
}
END_TEST

/* --- identities ----------------------------------------------------------- */

static int
id(X509 *x, uint8_t type, const void *data, size_t n, char *why)
{
	return ident_match(x, type, data, n, "peer ID", why, 512);
}

START_TEST(ids)
{
	struct pki_opts o = {.cn = "moon",
			     .san = "DNS:moon.example.org,email:moon@example."
				    "org,IP:192.0.2.1,IP:2001:db8::1"};
	X509 *x = ee(&o, root, root_key);
	uint8_t a4[4], a6[16];
	unsigned char *dn = NULL;
	int dn_len;
	char why[512];

	inet_pton(AF_INET, "192.0.2.1", a4);
	inet_pton(AF_INET6, "2001:db8::1", a6);
	ck_assert_int_eq(id(x, IKEV2_ID_FQDN, "MOON.example.org", 16, why), 0);
	ck_assert_int_eq(
	    id(x, IKEV2_ID_RFC822_ADDR, "moon@example.org", 16, why), 0);
	ck_assert_int_eq(id(x, IKEV2_ID_IPV4_ADDR, a4, 4, why), 0);
	ck_assert_int_eq(id(x, IKEV2_ID_IPV6_ADDR, a6, 16, why), 0);
	/* A name of another kind does not count. */
	ck_assert_int_eq(id(x, IKEV2_ID_FQDN, "moon@example.org", 16, why), -1);
	ck_assert_int_eq(id(x, IKEV2_ID_FQDN, "sun.example.org", 15, why), -1);
	ck_assert_str_eq(why, "peer ID sun.example.org not in its certificate "
			      "(SANs: moon.example.org, moon@example.org, "
			      "192.0.2.1, 2001:db8::1)");
	a4[3] = 2;
	ck_assert_int_eq(id(x, IKEV2_ID_IPV4_ADDR, a4, 4, why), -1);
	/* The subject DN, as ID_DER_ASN1_DN. */
	dn_len = i2d_X509_NAME(X509_get_subject_name(x), &dn);
	ck_assert_int_eq(id(x, IKEV2_ID_DER_ASN1_DN, dn, (size_t)dn_len, why),
			 0);
	OPENSSL_free(dn);
	dn = NULL;
	dn_len = i2d_X509_NAME(X509_get_subject_name(root), &dn);
	ck_assert_int_eq(id(x, IKEV2_ID_DER_ASN1_DN, dn, (size_t)dn_len, why),
			 -1);
	ck_assert_str_eq(why, "peer ID CN=Test CA,O=Example is not its "
			      "certificate's subject CN=moon,O=Example");
	OPENSSL_free(dn);
	X509_free(x);
	o.san = NULL;
	x = ee(&o, root, root_key);
	ck_assert_int_eq(id(x, IKEV2_ID_FQDN, "moon.example.org", 16, why), -1);
	ck_assert(strstr(why, "(SANs: none)") != NULL);
	X509_free(x);
}
END_TEST

START_TEST(id_from_text)
{
	uint8_t type, addr[IKE_ID_MAX];
	const uint8_t *data;
	size_t n;

	ident_from_text("192.0.2.1", &type, &data, &n, addr);
	ck_assert_uint_eq(type, IKEV2_ID_IPV4_ADDR);
	ck_assert_uint_eq(n, 4);
	ident_from_text("a@b.c", &type, &data, &n, addr);
	ck_assert_uint_eq(type, IKEV2_ID_RFC822_ADDR);
	ident_from_text("moon.example.org", &type, &data, &n, addr);
	ck_assert_uint_eq(type, IKEV2_ID_FQDN);
	ck_assert_uint_eq(n, 16);
}
END_TEST

/* A DN written in the config, as the log prints it, is the subject. */
START_TEST(id_dn_from_text)
{
	struct pki_opts o = {.cn = "moon", .san = "DNS:moon.example.org"};
	X509 *x = ee(&o, root, root_key);
	uint8_t type, buf[IKE_ID_MAX];
	const uint8_t *data;
	char why[512];
	size_t n;

	ident_from_text("CN=moon, O=Example", &type, &data, &n, buf);
	ck_assert_uint_eq(type, IKEV2_ID_DER_ASN1_DN);
	ck_assert_int_eq(
	    ident_match(x, type, data, n, "local ID", why, sizeof(why)), 0);
	ident_from_text("CN=sun,O=Example", &type, &data, &n, buf);
	ck_assert_int_eq(
	    ident_match(x, type, data, n, "local ID", why, sizeof(why)), -1);
	ck_assert_str_eq(why, "local ID CN=sun,O=Example is not its "
			      "certificate's subject CN=moon,O=Example");
	/* The other order is another DN. */
	ident_from_text("O=Example,CN=moon", &type, &data, &n, buf);
	ck_assert_int_eq(
	    ident_match(x, type, data, n, "local ID", why, sizeof(why)), -1);
	X509_free(x);
}
END_TEST

Suite *
x509_verify_suite(void)
{
	Suite *s = suite_create("x509_verify");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, chain_with_intermediate);
	tcase_add_test(tc, untrusted_ca);
	tcase_add_test(tc, expired_and_not_yet);
	tcase_add_test(tc, revoked);
	tcase_add_test(tc, stale_crl);
	tcase_add_test(tc, crl_with_intermediate);
	tcase_add_test(tc, crl_only_where_there_is_one);
	tcase_add_test(tc, crl_of_intermediate);
	tcase_add_test(tc, stale_crl_of_intermediate);
	tcase_add_test(tc, path_length_and_ca_flag);
	tcase_add_test(tc, key_usage);
	tcase_add_test(tc, ids);
	tcase_add_test(tc, id_from_text);
	tcase_add_test(tc, id_dn_from_text);
	suite_add_tcase(s, tc);
	return s;
}
