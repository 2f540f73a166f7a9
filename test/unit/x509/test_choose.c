/* SPDX-License-Identifier: ISC */
/*
 * choose.c: our end entities' chains, built from the CA certificates of
 * local.certs by issuer and signature up to an authority, and the one
 * the peer's CERTREQ asks for: the first whose chain has a CA it names,
 * else the first.
 */
#include <string.h>

#include <check.h>

#include "pki.h"
#include "tests.h"
#include "x509.h"

/* Two roots (old and new), an intermediate under new, and moon's key
 * certified by old directly and by new through the intermediate. */
static EVP_PKEY *old_key, *new_key, *inter_key, *moon_key;
static X509 *old_ca, *new_ca, *inter, *ee_old, *ee_new;

static void
setup(void)
{
	struct pki_opts o = {.cn = "Old CA", .ca = true, .pathlen = -1};

	old_key = pki_key("p256");
	new_key = pki_key("p256");
	inter_key = pki_key("p256");
	moon_key = pki_key("p256");
	old_ca = pki_cert(old_key, &o, NULL, NULL);
	o.cn = "New CA";
	new_ca = pki_cert(new_key, &o, NULL, NULL);
	o.cn = "Inter CA";
	o.serial = 2;
	inter = pki_cert(inter_key, &o, new_ca, new_key);
	o = (struct pki_opts){.cn = "moon", .serial = 3};
	ee_old = pki_cert(moon_key, &o, old_ca, old_key);
	ee_new = pki_cert(moon_key, &o, inter, inter_key);
}

static void
teardown(void)
{
	X509 *x[] = {old_ca, new_ca, inter, ee_old, ee_new};
	size_t i;

	for (i = 0; i < sizeof(x) / sizeof(x[0]); i++)
		X509_free(x[i]);
	EVP_PKEY_free(old_key);
	EVP_PKEY_free(new_key);
	EVP_PKEY_free(inter_key);
	EVP_PKEY_free(moon_key);
}

/* The CERTREQ data naming the given CAs. */
static size_t
certreq_of(X509 *const *cas, size_t n, uint8_t *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		ck_assert_int_eq(certreq_hash(cas[i], out + i * 20), 0);
	return n * CERTREQ_HASH_LEN;
}

START_TEST(is_ee)
{
	ck_assert(choose_is_ee(ee_old));
	ck_assert(choose_is_ee(ee_new));
	ck_assert(!choose_is_ee(old_ca));
	ck_assert(!choose_is_ee(inter));
}
END_TEST

START_TEST(chain_to_an_authority)
{
	X509 *pool[] = {old_ca, inter}, *anchors[] = {old_ca, new_ca};
	struct choose_cand c;

	/* The intermediate comes from the pool; the root is the anchor,
	 * not sent, even when local.certs holds it too. */
	choose_chain(&c, ee_new, pool, 2, anchors, 2);
	ck_assert_ptr_eq(c.ee, ee_new);
	ck_assert_uint_eq(c.n_inter, 1);
	ck_assert_ptr_eq(c.inter[0], inter);
	ck_assert_ptr_eq(c.anchor, new_ca);
	choose_chain(&c, ee_old, pool, 2, anchors, 2);
	ck_assert_uint_eq(c.n_inter, 0);
	ck_assert_ptr_eq(c.anchor, old_ca);
}
END_TEST

START_TEST(chain_as_far_as_it_goes)
{
	X509 *pool[] = {new_ca, inter}, *none[] = {old_ca};
	struct choose_cand c;

	/* No authority of the view issued it: up the pool to the root. */
	choose_chain(&c, ee_new, pool, 2, none, 1);
	ck_assert_uint_eq(c.n_inter, 2);
	ck_assert_ptr_eq(c.inter[0], inter);
	ck_assert_ptr_eq(c.inter[1], new_ca);
	ck_assert_ptr_null(c.anchor);
	/* Without the intermediate: nothing to send with it. */
	choose_chain(&c, ee_new, pool, 1, NULL, 0);
	ck_assert_uint_eq(c.n_inter, 0);
	ck_assert_ptr_null(c.anchor);
}
END_TEST

START_TEST(chain_by_signature)
{
	struct pki_opts o = {.cn = "Inter CA", .ca = true, .pathlen = -1};
	EVP_PKEY *k = pki_key("p256");
	/* The intermediate's name, another key: it did not issue ee_new. */
	X509 *fake = pki_cert(k, &o, new_ca, new_key);
	X509 *pool[] = {fake, inter}, *anchors[] = {new_ca};
	struct choose_cand c;

	choose_chain(&c, ee_new, pool, 2, anchors, 1);
	ck_assert_uint_eq(c.n_inter, 1);
	ck_assert_ptr_eq(c.inter[0], inter);
	ck_assert_ptr_eq(c.anchor, new_ca);
	X509_free(fake);
	EVP_PKEY_free(k);
}
END_TEST

START_TEST(pick_by_certreq)
{
	X509 *pool[] = {inter}, *anchors[] = {old_ca, new_ca}, *named;
	struct choose_cand c[2];
	uint8_t req[4 * CERTREQ_HASH_LEN];
	X509 *only_new[] = {new_ca}, *only_old[] = {old_ca},
	     *both[] = {new_ca, old_ca}, *by_inter[] = {inter};
	size_t len;

	choose_chain(&c[0], ee_old, pool, 1, anchors, 2);
	choose_chain(&c[1], ee_new, pool, 1, anchors, 2);

	len = certreq_of(only_new, 1, req);
	ck_assert_uint_eq(choose_pick(c, 2, req, len, &named), 1);
	ck_assert_ptr_eq(named, new_ca);
	len = certreq_of(only_old, 1, req);
	ck_assert_uint_eq(choose_pick(c, 2, req, len, &named), 0);
	ck_assert_ptr_eq(named, old_ca);
	/* The intermediate names the chain as well as its root. */
	len = certreq_of(by_inter, 1, req);
	ck_assert_uint_eq(choose_pick(c, 2, req, len, &named), 1);
	ck_assert_ptr_eq(named, inter);
	/* Both named: the first in config order. */
	len = certreq_of(both, 2, req);
	ck_assert_uint_eq(choose_pick(c, 2, req, len, &named), 0);
	ck_assert_ptr_eq(named, old_ca);
	/* Config order the other way round. */
	choose_chain(&c[0], ee_new, pool, 1, anchors, 2);
	choose_chain(&c[1], ee_old, pool, 1, anchors, 2);
	len = certreq_of(only_old, 1, req);
	ck_assert_uint_eq(choose_pick(c, 2, req, len, &named), 1);
	ck_assert_ptr_eq(named, old_ca);
}
END_TEST

START_TEST(pick_default_first)
{
	X509 *pool[] = {inter}, *anchors[] = {old_ca, new_ca}, *named;
	struct choose_cand c[2];
	uint8_t req[CERTREQ_HASH_LEN];

	choose_chain(&c[0], ee_new, pool, 1, anchors, 2);
	choose_chain(&c[1], ee_old, pool, 1, anchors, 2);
	/* No CERTREQ. */
	ck_assert_uint_eq(choose_pick(c, 2, NULL, 0, &named), 0);
	ck_assert_ptr_null(named);
	/* A CA we do not chain to. */
	memset(req, 0xa5, sizeof(req));
	ck_assert_uint_eq(choose_pick(c, 2, req, sizeof(req), &named), 0);
	ck_assert_ptr_null(named);
	/* old's hash cut short names nothing. */
	ck_assert_int_eq(certreq_hash(old_ca, req), 0);
	ck_assert_uint_eq(choose_pick(c, 2, req, sizeof(req) - 1, &named),
			  0);
	ck_assert_ptr_null(named);
	/* A chain that reaches no authority: only its intermediates. */
	choose_chain(&c[1], ee_old, pool, 1, NULL, 0);
	ck_assert_uint_eq(choose_pick(c, 2, req, sizeof(req), &named), 0);
	ck_assert_ptr_null(named);
}
END_TEST

Suite *
x509_choose_suite(void)
{
	Suite *s = suite_create("x509_choose");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, is_ee);
	tcase_add_test(tc, chain_to_an_authority);
	tcase_add_test(tc, chain_as_far_as_it_goes);
	tcase_add_test(tc, chain_by_signature);
	tcase_add_test(tc, pick_by_certreq);
	tcase_add_test(tc, pick_default_first);
	suite_add_tcase(s, tc);
	return s;
}
