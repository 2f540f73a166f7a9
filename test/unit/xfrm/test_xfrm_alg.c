/* SPDX-License-Identifier: ISC */
/*
 * The IKE-to-XFRM algorithm table (the kernel's view of libike's
 * alg_list.h): kernel names, KEYMAT lengths (salt included) and ICV or
 * truncation lengths for every ESP transform charond may negotiate, and
 * refusals of what ESP must not or cannot do. test_alg_registry.c checks
 * every keyword of the registry this way.
 */
#include <errno.h>
#include <string.h>

#include <check.h>

#include "alg.h"
#include "xfrm_int.h"
#include "xtest.h"

static void
expect_aead(uint16_t encr, uint16_t bits, const char *name, size_t key_len,
	    unsigned int icv_bits)
{
	struct xfrm_algs a;

	ck_assert_int_eq(xfrm_alg_for_ike(encr, bits, IKEV2_INTEG_NONE, &a), 0);
	ck_assert(a.aead);
	ck_assert_str_eq(a.enc.name, name);
	ck_assert_uint_eq(a.enc.key_len, key_len);
	ck_assert_uint_eq(a.enc.icv_bits, icv_bits);
	ck_assert_ptr_null(a.enc.key);
	ck_assert_ptr_null(a.auth.name);
}

static void
expect_cipher(uint16_t encr, uint16_t bits, uint16_t integ, const char *name,
	      size_t key_len, const char *auth, size_t auth_len,
	      unsigned int trunc)
{
	struct xfrm_algs a;

	ck_assert_int_eq(xfrm_alg_for_ike(encr, bits, integ, &a), 0);
	ck_assert(!a.aead);
	ck_assert_str_eq(a.enc.name, name);
	ck_assert_uint_eq(a.enc.key_len, key_len);
	ck_assert_uint_eq(a.enc.icv_bits, 0);
	ck_assert_str_eq(a.auth.name, auth);
	ck_assert_uint_eq(a.auth.key_len, auth_len);
	ck_assert_uint_eq(a.auth.icv_bits, trunc);
}

START_TEST(aead_transforms)
{
	/* RFC 4106: key then a 4-byte salt; the ICV is in the IKE name. */
	expect_aead(IKEV2_ENCR_AES_GCM_16, 128, "rfc4106(gcm(aes))", 20, 128);
	expect_aead(IKEV2_ENCR_AES_GCM_16, 192, "rfc4106(gcm(aes))", 28, 128);
	expect_aead(IKEV2_ENCR_AES_GCM_16, 256, "rfc4106(gcm(aes))", 36, 128);
	expect_aead(IKEV2_ENCR_AES_GCM_12, 128, "rfc4106(gcm(aes))", 20, 96);
	expect_aead(IKEV2_ENCR_AES_GCM_12, 256, "rfc4106(gcm(aes))", 36, 96);
	expect_aead(IKEV2_ENCR_AES_GCM_8, 128, "rfc4106(gcm(aes))", 20, 64);
	expect_aead(IKEV2_ENCR_AES_GCM_8, 192, "rfc4106(gcm(aes))", 28, 64);
	expect_aead(IKEV2_ENCR_AES_GCM_8, 256, "rfc4106(gcm(aes))", 36, 64);
	/* RFC 7634 */
	expect_aead(IKEV2_ENCR_CHACHA20_POLY1305, 0,
		    "rfc7539esp(chacha20,poly1305)", 36, 128);
}
END_TEST

START_TEST(cipher_and_integrity)
{
	expect_cipher(IKEV2_ENCR_AES_CBC, 128, IKEV2_INTEG_HMAC_SHA2_256_128,
		      "cbc(aes)", 16, "hmac(sha256)", 32, 128);
	expect_cipher(IKEV2_ENCR_AES_CBC, 256, IKEV2_INTEG_HMAC_SHA2_384_192,
		      "cbc(aes)", 32, "hmac(sha384)", 48, 192);
	expect_cipher(IKEV2_ENCR_AES_CBC, 192, IKEV2_INTEG_HMAC_SHA2_512_256,
		      "cbc(aes)", 24, "hmac(sha512)", 64, 256);
	expect_cipher(IKEV2_ENCR_AES_CBC, 128, IKEV2_INTEG_HMAC_SHA1_96,
		      "cbc(aes)", 16, "hmac(sha1)", 20, 96);
	expect_cipher(IKEV2_ENCR_3DES, 0, IKEV2_INTEG_HMAC_SHA1_96,
		      "cbc(des3_ede)", 24, "hmac(sha1)", 20, 96);
	expect_cipher(IKEV2_ENCR_AES_CBC, 128, IKEV2_INTEG_HMAC_MD5_96,
		      "cbc(aes)", 16, "hmac(md5)", 16, 96);
	/* The pre-RFC 4868 truncation, under its private-use id. */
	expect_cipher(IKEV2_ENCR_AES_CBC, 256, ALG_INTEG_HMAC_SHA2_256_96,
		      "cbc(aes)", 32, "hmac(sha256)", 32, 96);
}
END_TEST

START_TEST(refusals)
{
	struct xfrm_algs a;

	/* A combined mode with integrity, a plain cipher without. */
	ck_assert_int_eq(xfrm_alg_for_ike(IKEV2_ENCR_AES_GCM_16, 128,
					  IKEV2_INTEG_HMAC_SHA2_256_128, &a),
			 -EINVAL);
	ck_assert_int_eq(
	    xfrm_alg_for_ike(IKEV2_ENCR_AES_CBC, 128, IKEV2_INTEG_NONE, &a),
	    -EINVAL);
	/* Sizes that do not exist, and a Key Length where there is none. */
	ck_assert_int_eq(xfrm_alg_for_ike(IKEV2_ENCR_AES_CBC, 0,
					  IKEV2_INTEG_HMAC_SHA1_96, &a),
			 -ENOTSUP);
	ck_assert_int_eq(
	    xfrm_alg_for_ike(IKEV2_ENCR_AES_GCM_16, 512, IKEV2_INTEG_NONE, &a),
	    -ENOTSUP);
	ck_assert_int_eq(xfrm_alg_for_ike(IKEV2_ENCR_CHACHA20_POLY1305, 256,
					  IKEV2_INTEG_NONE, &a),
			 -ENOTSUP);
	ck_assert_int_eq(xfrm_alg_for_ike(IKEV2_ENCR_3DES, 192,
					  IKEV2_INTEG_HMAC_SHA1_96, &a),
			 -ENOTSUP);
	/* Unknown IDs. */
	ck_assert_int_eq(xfrm_alg_for_ike(99, 128, IKEV2_INTEG_NONE, &a),
			 -ENOTSUP);
	ck_assert_int_eq(xfrm_alg_for_ike(IKEV2_ENCR_AES_CBC, 128, 99, &a),
			 -ENOTSUP);
	/* The kernel has them, but no keyword names them (alg_list.h). */
	ck_assert_int_eq(xfrm_alg_for_ike(IKEV2_ENCR_AES_CTR, 128,
					  IKEV2_INTEG_HMAC_SHA2_256_128, &a),
			 -ENOTSUP);
	ck_assert_int_eq(xfrm_alg_for_ike(IKEV2_ENCR_NULL_AUTH_AES_GMAC, 128,
					  IKEV2_INTEG_NONE, &a),
			 -ENOTSUP);
	ck_assert_int_eq(xfrm_alg_for_ike(IKEV2_ENCR_NULL, 0,
					  IKEV2_INTEG_HMAC_SHA2_256_128, &a),
			 -ENOTSUP);
	ck_assert_ptr_null(a.enc.name);
}
END_TEST

/* What the table gives, with keys attached, is an SA the builder takes. */
START_TEST(table_feeds_the_builder)
{
	static const struct {
		uint16_t encr, bits, integ;
	} all[] = {
	    {IKEV2_ENCR_AES_GCM_16, 256, IKEV2_INTEG_NONE},
	    {IKEV2_ENCR_CHACHA20_POLY1305, 0, IKEV2_INTEG_NONE},
	    {IKEV2_ENCR_AES_CBC, 256, IKEV2_INTEG_HMAC_SHA2_512_256},
	    {IKEV2_ENCR_3DES, 0, IKEV2_INTEG_HMAC_SHA1_96},
	};
	static _Alignas(8) uint8_t buf[4096];
	uint8_t key[64];
	size_t i;

	memset(key, 0x5a, sizeof(key));
	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		struct xfrm_sa sa = xt_gcm_sa();

		ck_assert_int_eq(xfrm_alg_for_ike(all[i].encr, all[i].bits,
						  all[i].integ, &sa.algs),
				 0);
		sa.algs.enc.key = key;
		sa.algs.auth.key = key;
		ck_assert_int_gt(
		    xfrm_msg_newsa(buf, sizeof(buf), XFRM_MSG_NEWSA, &sa, 1),
		    0);
	}
}
END_TEST

Suite *
xfrm_alg_suite(void)
{
	Suite *s = suite_create("xfrm_alg");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, aead_transforms);
	tcase_add_test(tc, cipher_and_integrity);
	tcase_add_test(tc, refusals);
	tcase_add_test(tc, table_feeds_the_builder);
	suite_add_tcase(s, tc);
	return s;
}
