/* SPDX-License-Identifier: ISC */
/*
 * keymat_v2.c: SKEYSEED and the SK_* keys rebuilt from the definitions of
 * RFC 7296 2.14, 2.17 and 2.18 with crypto.c's prf and prf+, one known
 * answer computed independently, and the key sizes of an AEAD and a
 * CBC+HMAC suite.
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "crypto.h"
#include "ikev2_const.h"
#include "testutil.h"

struct inputs {
	uint8_t ni[32], nr[48], gir[256], spi_i[8], spi_r[8];
	struct secret *g;
};

static void
inputs_random(struct inputs *in)
{
	ck_assert_int_eq(crypto_random(in->ni, sizeof(in->ni)), 0);
	ck_assert_int_eq(crypto_random(in->nr, sizeof(in->nr)), 0);
	ck_assert_int_eq(crypto_random(in->gir, sizeof(in->gir)), 0);
	ck_assert_int_eq(crypto_random(in->spi_i, 8), 0);
	ck_assert_int_eq(crypto_random(in->spi_r, 8), 0);
	in->g = secret_dup(in->gir, sizeof(in->gir));
	ck_assert_ptr_nonnull(in->g);
}

static void
check_key(const struct secret *k, const uint8_t **p, size_t len)
{
	if (len == 0) {
		ck_assert_ptr_null(k);
		return;
	}
	ck_assert_ptr_nonnull(k);
	ck_assert_uint_eq(k->len, len);
	ck_assert_mem_eq(k->ptr, *p, len);
	*p += len;
}

/* The seven keys are consecutive slices of
 * prf+(SKEYSEED, Ni | Nr | SPIi | SPIr) in the order of 2.14. */
static void
check_sk(const struct ike_suite *s, const struct inputs *in,
	 const struct ike_keys *k)
{
	const size_t pl = s->prf->out_len;
	const size_t il = s->integ ? s->integ->key_len : 0;
	const size_t el = s->encr->key_len;
	const size_t total = 3 * pl + 2 * il + 2 * el;
	const struct bytes seed[] = {
	    {in->ni, sizeof(in->ni)},
	    {in->nr, sizeof(in->nr)},
	    {in->spi_i, 8},
	    {in->spi_r, 8},
	};
	uint8_t *km = malloc(total);
	const uint8_t *p = km;

	ck_assert_ptr_nonnull(km);
	ck_assert_int_eq(crypto_prf_plus(s->prf, k->skeyseed->ptr,
					 k->skeyseed->len, seed, 4, km, total),
			 0);
	check_key(k->sk_d, &p, pl);
	check_key(k->sk_ai, &p, il);
	check_key(k->sk_ar, &p, il);
	check_key(k->sk_ei, &p, el);
	check_key(k->sk_er, &p, el);
	check_key(k->sk_pi, &p, pl);
	check_key(k->sk_pr, &p, pl);
	ck_assert_ptr_eq(p, km + total);
	free(km);
}

static void
check_ike(const struct ike_suite *s)
{
	struct inputs in;
	struct ike_keys k;
	uint8_t nonces[80], skeyseed[64];
	struct bytes g;

	inputs_random(&in);
	ck_assert_int_eq(keymat_v2_ike(s, in.g,
				       (struct bytes){in.ni, sizeof(in.ni)},
				       (struct bytes){in.nr, sizeof(in.nr)},
				       in.spi_i, in.spi_r, &k),
			 0);
	/* SKEYSEED = prf(Ni | Nr, g^ir) */
	memcpy(nonces, in.ni, sizeof(in.ni));
	memcpy(nonces + sizeof(in.ni), in.nr, sizeof(in.nr));
	g = (struct bytes){in.gir, sizeof(in.gir)};
	ck_assert_int_eq(
	    crypto_prf_compute(s->prf, nonces, sizeof(nonces), &g, 1, skeyseed),
	    0);
	ck_assert_ptr_nonnull(k.skeyseed);
	ck_assert_uint_eq(k.skeyseed->len, s->prf->out_len);
	ck_assert_mem_eq(k.skeyseed->ptr, skeyseed, s->prf->out_len);
	check_sk(s, &in, &k);
	ike_keys_clear(&k);
	ck_assert_ptr_null(k.sk_d);
	ck_assert_ptr_null(k.skeyseed);
	ike_keys_clear(&k); /* twice is harmless */
	secret_free(in.g);
}

START_TEST(ike_aead_suite)
{
	const struct ike_suite s = {
	    crypto_encr(IKEV2_ENCR_AES_GCM_16, 256),
	    NULL,
	    crypto_prf(IKEV2_PRF_HMAC_SHA2_512),
	    IKEV2_DH_ECP521,
	};

	ck_assert_ptr_nonnull(s.encr);
	ck_assert_ptr_nonnull(s.prf);
	/* SK_e* = 32 bytes of key and 4 of salt; no SK_a*. */
	ck_assert_uint_eq(s.encr->key_len, 36);
	check_ike(&s);
}
END_TEST

START_TEST(ike_cbc_hmac_suite)
{
	const struct ike_suite s = {
	    crypto_encr(IKEV2_ENCR_AES_CBC, 128),
	    crypto_integ(IKEV2_INTEG_HMAC_SHA2_256_128),
	    crypto_prf(IKEV2_PRF_HMAC_SHA2_384),
	    IKEV2_DH_MODP2048,
	};

	ck_assert_ptr_nonnull(s.encr);
	ck_assert_ptr_nonnull(s.integ);
	ck_assert_ptr_nonnull(s.prf);
	check_ike(&s);
}
END_TEST

/*
 * A fixed known answer for PRF HMAC-SHA2-256, AES-CBC-128 and
 * HMAC-SHA2-256-128: the expected values were computed with python3's
 * hmac/hashlib modules by a separate implementation of SKEYSEED and prf+
 * written from RFC 7296 2.13/2.14, not with this code.
 * Ni = 00..1f, Nr = 80..9f, g^ir[i] = (7 * i + 3) mod 256 for 256 bytes,
 * SPIi = 0102030405060708, SPIr = 1112131415161718.
 */
START_TEST(ike_known_answer)
{
	const struct ike_suite s = {
	    crypto_encr(IKEV2_ENCR_AES_CBC, 128),
	    crypto_integ(IKEV2_INTEG_HMAC_SHA2_256_128),
	    crypto_prf(IKEV2_PRF_HMAC_SHA2_256),
	    IKEV2_DH_MODP2048,
	};
	static const uint8_t spi_i[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	static const uint8_t spi_r[8] = {0x11, 0x12, 0x13, 0x14,
					 0x15, 0x16, 0x17, 0x18};
	uint8_t ni[32], nr[32], gir[256];
	struct secret *g;
	struct ike_keys k;
	int i;

	for (i = 0; i < 32; i++) {
		ni[i] = (uint8_t)i;
		nr[i] = (uint8_t)(0x80 + i);
	}
	for (i = 0; i < 256; i++)
		gir[i] = (uint8_t)(7 * i + 3);
	g = secret_dup(gir, sizeof(gir));
	ck_assert_int_eq(keymat_v2_ike(&s, g, (struct bytes){ni, 32},
				       (struct bytes){nr, 32}, spi_i, spi_r,
				       &k),
			 0);
	ck_assert_hex(
	    k.skeyseed->ptr, k.skeyseed->len,
	    "74d8ab4691fac2633887efc8a4fa37d6c2666f9270eadf0b46ff6b7b183d10a8");
	ck_assert_hex(
	    k.sk_d->ptr, k.sk_d->len,
	    "c6bfe6d4b5a8694c41341b3b6e1d3a87a1e55b265fa9aab5fd68b79c80143c80");
	ck_assert_hex(
	    k.sk_ai->ptr, k.sk_ai->len,
	    "3b08c44e64d2d798e2086fb332b97c99e1f0143266bbed641b3984a7d9bb0293");
	ck_assert_hex(
	    k.sk_ar->ptr, k.sk_ar->len,
	    "4739f1d2666ae5b562b331ed1b50ae7161bc33c4f3152f6499d47bce7f441b65");
	ck_assert_hex(k.sk_ei->ptr, k.sk_ei->len,
		      "ad2dd2b0c559b09816531308296059a6");
	ck_assert_hex(k.sk_er->ptr, k.sk_er->len,
		      "6626528dd23babfe2d38cb2e6b1c9128");
	ck_assert_hex(
	    k.sk_pi->ptr, k.sk_pi->len,
	    "a6bfaf3e8b0dfeccdd73981192172cbc9f61cd6204b32bf0c84f4ff905c196c5");
	ck_assert_hex(
	    k.sk_pr->ptr, k.sk_pr->len,
	    "8b5c37f044e54cb5015bfff18f841db1bf8fa10792bdf1c84754f98812a6339e");
	ike_keys_clear(&k);
	secret_free(g);
}
END_TEST

/* 2.18: SKEYSEED = prf_old(SK_d (old), g^ir (new) | Ni | Nr), then the new
 * suite's prf+ over the new SPIs. Old and new PRFs differ here so using
 * the wrong one shows. */
START_TEST(ike_rekey)
{
	const struct prf_alg *old_prf = crypto_prf(IKEV2_PRF_HMAC_SHA1);
	const struct ike_suite s = {
	    crypto_encr(IKEV2_ENCR_CHACHA20_POLY1305, 0),
	    NULL,
	    crypto_prf(IKEV2_PRF_HMAC_SHA2_256),
	    IKEV2_DH_CURVE25519,
	};
	struct inputs in;
	struct secret *old_sk_d;
	struct ike_keys k;
	struct bytes parts[3];
	uint8_t skeyseed[20];

	inputs_random(&in);
	old_sk_d = secret_new(20);
	ck_assert_ptr_nonnull(old_sk_d);
	ck_assert_int_eq(crypto_random(old_sk_d->ptr, old_sk_d->len), 0);
	ck_assert_int_eq(
	    keymat_v2_ike_rekey(old_prf, old_sk_d, &s, in.g,
				(struct bytes){in.ni, sizeof(in.ni)},
				(struct bytes){in.nr, sizeof(in.nr)}, in.spi_i,
				in.spi_r, &k),
	    0);
	parts[0] = (struct bytes){in.gir, sizeof(in.gir)};
	parts[1] = (struct bytes){in.ni, sizeof(in.ni)};
	parts[2] = (struct bytes){in.nr, sizeof(in.nr)};
	ck_assert_int_eq(crypto_prf_compute(old_prf, old_sk_d->ptr,
					    old_sk_d->len, parts, 3, skeyseed),
			 0);
	ck_assert_uint_eq(k.skeyseed->len, 20);
	ck_assert_mem_eq(k.skeyseed->ptr, skeyseed, 20);
	check_sk(&s, &in, &k);
	ck_assert_uint_eq(k.sk_d->len, 32);
	ck_assert_uint_eq(k.sk_ei->len, 36);
	ck_assert_ptr_null(k.sk_ai);
	ike_keys_clear(&k);
	secret_free(old_sk_d);
	secret_free(in.g);
}
END_TEST

/* 2.17: KEYMAT = prf+(SK_d, [g^ir (new) |] Ni | Nr), sliced as encr_i,
 * integ_i, encr_r, integ_r. */
static void
check_child(bool pfs, size_t encr_len, size_t integ_len)
{
	const struct prf_alg *prf = crypto_prf(IKEV2_PRF_HMAC_SHA2_256);
	struct inputs in;
	struct secret *sk_d;
	struct child_keys k;
	struct bytes seed[3];
	size_t nseed = 0, total = 2 * (encr_len + integ_len);
	uint8_t km[256];
	const uint8_t *p = km;

	inputs_random(&in);
	sk_d = secret_new(32);
	ck_assert_ptr_nonnull(sk_d);
	ck_assert_int_eq(crypto_random(sk_d->ptr, sk_d->len), 0);
	ck_assert_int_eq(keymat_v2_child(prf, sk_d, pfs ? in.g : NULL,
					 (struct bytes){in.ni, sizeof(in.ni)},
					 (struct bytes){in.nr, sizeof(in.nr)},
					 encr_len, integ_len, &k),
			 0);
	if (pfs)
		seed[nseed++] = (struct bytes){in.gir, sizeof(in.gir)};
	seed[nseed++] = (struct bytes){in.ni, sizeof(in.ni)};
	seed[nseed++] = (struct bytes){in.nr, sizeof(in.nr)};
	ck_assert_uint_le(total, sizeof(km));
	ck_assert_int_eq(
	    crypto_prf_plus(prf, sk_d->ptr, sk_d->len, seed, nseed, km, total),
	    0);
	check_key(k.encr_i, &p, encr_len);
	check_key(k.integ_i, &p, integ_len);
	check_key(k.encr_r, &p, encr_len);
	check_key(k.integ_r, &p, integ_len);
	ck_assert_ptr_eq(p, km + total);
	child_keys_clear(&k);
	ck_assert_ptr_null(k.encr_i);
	child_keys_clear(NULL);
	secret_free(sk_d);
	secret_free(in.g);
}

START_TEST(child_without_pfs)
{
	check_child(false, 16, 32); /* AES-CBC-128, HMAC-SHA2-256-128 */
	check_child(false, 20, 0);  /* AES-GCM-128 with salt, no integrity */
}
END_TEST

START_TEST(child_with_pfs)
{
	check_child(true, 32, 64); /* AES-CBC-256, HMAC-SHA2-512-256 */
	check_child(true, 36, 0);  /* ChaCha20-Poly1305 */
}
END_TEST

/* With and without PFS give different keys from the same SK_d. */
START_TEST(child_pfs_changes_keys)
{
	const struct prf_alg *prf = crypto_prf(IKEV2_PRF_HMAC_SHA2_256);
	struct inputs in;
	struct secret *sk_d;
	struct child_keys a, b;
	const struct bytes ni = {in.ni, sizeof(in.ni)},
			   nr = {in.nr, sizeof(in.nr)};

	inputs_random(&in);
	sk_d = secret_dup(in.gir, 32);
	ck_assert_ptr_nonnull(sk_d);
	ck_assert_int_eq(keymat_v2_child(prf, sk_d, NULL, ni, nr, 16, 32, &a),
			 0);
	ck_assert_int_eq(keymat_v2_child(prf, sk_d, in.g, ni, nr, 16, 32, &b),
			 0);
	ck_assert(memcmp(a.encr_i->ptr, b.encr_i->ptr, 16) != 0);
	child_keys_clear(&a);
	child_keys_clear(&b);
	secret_free(sk_d);
	secret_free(in.g);
}
END_TEST

START_TEST(inconsistent_suites_refused)
{
	const struct ike_suite aead_with_integ = {
	    crypto_encr(IKEV2_ENCR_AES_GCM_16, 128),
	    crypto_integ(IKEV2_INTEG_HMAC_SHA2_256_128),
	    crypto_prf(IKEV2_PRF_HMAC_SHA2_256),
	    IKEV2_DH_ECP256,
	};
	const struct ike_suite cbc_without_integ = {
	    crypto_encr(IKEV2_ENCR_AES_CBC, 128),
	    NULL,
	    crypto_prf(IKEV2_PRF_HMAC_SHA2_256),
	    IKEV2_DH_ECP256,
	};
	struct inputs in;
	struct ike_keys k;
	const struct bytes ni = {in.ni, sizeof(in.ni)},
			   nr = {in.nr, sizeof(in.nr)};

	inputs_random(&in);
	ck_assert_int_eq(keymat_v2_ike(&aead_with_integ, in.g, ni, nr, in.spi_i,
				       in.spi_r, &k),
			 -1);
	ck_assert_ptr_null(k.skeyseed);
	ck_assert_ptr_null(k.sk_d);
	ck_assert_int_eq(keymat_v2_ike(&cbc_without_integ, in.g, ni, nr,
				       in.spi_i, in.spi_r, &k),
			 -1);
	ck_assert_int_eq(keymat_v2_ike(&cbc_without_integ, NULL, ni, nr,
				       in.spi_i, in.spi_r, &k),
			 -1);
	secret_free(in.g);
}
END_TEST

Suite *
keymat_suite(void)
{
	Suite *s = suite_create("keymat");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, ike_aead_suite);
	tcase_add_test(tc, ike_cbc_hmac_suite);
	tcase_add_test(tc, ike_known_answer);
	tcase_add_test(tc, ike_rekey);
	tcase_add_test(tc, child_without_pfs);
	tcase_add_test(tc, child_with_pfs);
	tcase_add_test(tc, child_pfs_changes_keys);
	tcase_add_test(tc, inconsistent_suites_refused);
	suite_add_tcase(s, tc);
	return s;
}
