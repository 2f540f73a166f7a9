/* SPDX-License-Identifier: ISC */
/*
 * dh.c: the ECP known answers of RFC 5903 section 8, the X25519 and X448
 * ones of RFC 7748 section 6, agreement of fresh key pairs in every
 * group, and the refusal of invalid peer values (RFC 6989).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>

#include "crypto.h"
#include "ikev2_const.h"
#include "testutil.h"

static const uint16_t all_groups[] = {
    IKEV2_DH_MODP1024, IKEV2_DH_MODP1536, IKEV2_DH_MODP2048,
    IKEV2_DH_MODP3072, IKEV2_DH_MODP4096, IKEV2_DH_ECP256,
    IKEV2_DH_ECP384,   IKEV2_DH_ECP521,   IKEV2_DH_CURVE25519,
    IKEV2_DH_CURVE448,
};

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* Private values i and r, public values g^i = (gix, giy), g^r = (grx,
 * gry) and the shared x coordinate girx, as RFC 5903 section 8 lists
 * them. The KE payload carries gix | giy (section 7). */
struct ecp_kat {
	uint16_t group;
	const char *i, *gix, *giy, *r, *grx, *gry, *girx;
};

static const struct ecp_kat rfc5903[] = {
    /* 8.1, 256-bit random ECP group */
    {IKEV2_DH_ECP256,
     "C88F01F510D9AC3F70A292DAA2316DE544E9AAB8AFE84049C62A9C57862D1433",
     "DAD0B65394221CF9B051E1FECA5787D098DFE637FC90B9EF945D0C3772581180",
     "5271A0461CDB8252D61F1C456FA3E59AB1F45B33ACCF5F58389E0577B8990BB3",
     "C6EF9C5D78AE012A011164ACB397CE2088685D8F06BF9BE0B283AB46476BEE53",
     "D12DFB5289C8D4F81208B70270398C342296970A0BCCB74C736FC7554494BF63",
     "56FBF3CA366CC23E8157854C13C58D6AAC23F046ADA30F8353E74F33039872AB",
     "D6840F6B42F6EDAFD13116E0E12565202FEF8E9ECE7DCE03812464D04B9442DE"},
    /* 8.2, 384-bit random ECP group */
    {IKEV2_DH_ECP384,
     "099F3C7034D4A2C699884D73A375A67F7624EF7C6B3C0F160647B67414DCE655"
     "E35B538041E649EE3FAEF896783AB194",
     "667842D7D180AC2CDE6F74F37551F55755C7645C20EF73E31634FE72B4C55EE6"
     "DE3AC808ACB4BDB4C88732AEE95F41AA",
     "9482ED1FC0EEB9CAFC4984625CCFC23F65032149E0E144ADA024181535A0F38E"
     "EB9FCFF3C2C947DAE69B4C634573A81C",
     "41CB0779B4BDB85D47846725FBEC3C9430FAB46CC8DC5060855CC9BDA0AA2942"
     "E0308312916B8ED2960E4BD55A7448FC",
     "E558DBEF53EECDE3D3FCCFC1AEA08A89A987475D12FD950D83CFA41732BC509D"
     "0D1AC43A0336DEF96FDA41D0774A3571",
     "DCFBEC7AACF3196472169E838430367F66EEBE3C6E70C416DD5F0C68759DD1FF"
     "F83FA40142209DFF5EAAD96DB9E6386C",
     "11187331C279962D93D604243FD592CB9D0A926F422E47187521287E7156C5C4"
     "D603135569B9E9D09CF5D4A270F59746"},
    /* 8.3, 521-bit random ECP group */
    {IKEV2_DH_ECP521,
     "0037ADE9319A89F4DABDB3EF411AACCCA5123C61ACAB57B5393DCE47608172A0"
     "95AA85A30FE1C2952C6771D937BA9777F5957B2639BAB072462F68C27A57382D"
     "4A52",
     "0015417E84DBF28C0AD3C278713349DC7DF153C897A1891BD98BAB4357C9ECBE"
     "E1E3BF42E00B8E380AEAE57C2D107564941885942AF5A7F4601723C4195D176C"
     "ED3E",
     "017CAE20B6641D2EEB695786D8C946146239D099E18E1D5A514C739D7CB4A10A"
     "D8A788015AC405D7799DC75E7B7D5B6CF2261A6A7F1507438BF01BEB6CA3926F"
     "9582",
     "0145BA99A847AF43793FDD0E872E7CDFA16BE30FDC780F97BCCC3F078380201E"
     "9C677D600B343757A3BDBF2A3163E4C2F869CCA7458AA4A4EFFC311F5CB15168"
     "5EB9",
     "00D0B3975AC4B799F5BEA16D5E13E9AF971D5E9B984C9F39728B5E5739735A21"
     "9B97C356436ADC6E95BB0352F6BE64A6C2912D4EF2D0433CED2B6171640012D9"
     "460F",
     "015C68226383956E3BD066E797B623C27CE0EAC2F551A10C2C724D9852077B87"
     "220B6536C5C408A1D2AEBB8E86D678AE49CB57091F4732296579AB44FCD17F0F"
     "C56A",
     "01144C7D79AE6956BC8EDB8E7C787C4521CB086FA64407F97894E5E6B2D79B04"
     "D1427E73CA4BAA240A34786859810C06B3C715A3A8CC3151F2BEE417996D19F3"
     "DDEA"},
};

/* Concatenate two hex strings into one buffer. */
static uint8_t *
hex_cat(const char *a, const char *b, size_t *len)
{
	size_t alen, blen;
	uint8_t *pa = hex_decode(a, &alen), *pb = hex_decode(b, &blen);
	uint8_t *p = malloc(alen + blen);

	ck_assert_ptr_nonnull(p);
	memcpy(p, pa, alen);
	memcpy(p + alen, pb, blen);
	*len = alen + blen;
	free(pa);
	free(pb);
	return p;
}

static struct dh *
dh_from_hex(uint16_t group, const char *priv)
{
	size_t len;
	uint8_t *p = hex_decode(priv, &len);
	struct dh *dh = dh_new_from_private(group, p, len);

	free(p);
	ck_assert_ptr_nonnull(dh);
	return dh;
}

/* Both sides of a published exchange: each public value as expected and
 * both shared secrets equal to the published one. */
static void
check_exchange(uint16_t group, const char *priv_i, const uint8_t *pub_i,
	       const char *priv_r, const uint8_t *pub_r, size_t pub_len,
	       const char *shared)
{
	struct dh *a = dh_from_hex(group, priv_i),
		  *b = dh_from_hex(group, priv_r);
	struct secret *sa, *sb;
	uint8_t *mine, *want;
	size_t wlen;

	ck_assert_uint_eq(dh_public_len(group), pub_len);
	mine = malloc(pub_len);
	ck_assert_ptr_nonnull(mine);
	ck_assert_int_eq(dh_public(a, mine, pub_len), 0);
	ck_assert_mem_eq(mine, pub_i, pub_len);
	ck_assert_int_eq(dh_public(b, mine, pub_len), 0);
	ck_assert_mem_eq(mine, pub_r, pub_len);

	ck_assert_int_eq(dh_shared(a, pub_r, pub_len, &sa), 0);
	ck_assert_int_eq(dh_shared(b, pub_i, pub_len, &sb), 0);
	want = hex_decode(shared, &wlen);
	ck_assert_uint_eq(sa->len, wlen);
	ck_assert_mem_eq(sa->ptr, want, wlen);
	ck_assert_uint_eq(sb->len, wlen);
	ck_assert_mem_eq(sb->ptr, want, wlen);

	free(want);
	free(mine);
	secret_free(sa);
	secret_free(sb);
	dh_free(a);
	dh_free(b);
}

START_TEST(ecp_rfc5903)
{
	const struct ecp_kat *k = &rfc5903[_i];
	uint8_t *gi, *gr;
	size_t gilen, grlen;

	gi = hex_cat(k->gix, k->giy, &gilen);
	gr = hex_cat(k->grx, k->gry, &grlen);
	ck_assert_uint_eq(gilen, grlen);
	check_exchange(k->group, k->i, gi, k->r, gr, gilen, k->girx);
	free(gi);
	free(gr);
}
END_TEST

/* RFC 7748 section 6.1 (X25519) and 6.2 (X448): Alice's and Bob's
 * private and public values and their shared secret K. */
static const struct {
	uint16_t group;
	const char *a, *pub_a, *b, *pub_b, *k;
} rfc7748[] = {
    {IKEV2_DH_CURVE25519,
     "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a",
     "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a",
     "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb",
     "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f",
     "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742"},
    {IKEV2_DH_CURVE448,
     "9a8f4925d1519f5775cf46b04b5800d4ee9ee8bae8bc5565d498c28d"
     "d9c9baf574a9419744897391006382a6f127ab1d9ac2d8c0a598726b",
     "9b08f7cc31b7e3e67d22d5aea121074a273bd2b83de09c63faa73d2c"
     "22c5d9bbc836647241d953d40c5b12da88120d53177f80e532c41fa0",
     "1c306a7ac2a0e2e0990b294470cba339e6453772b075811d8fad0d1d"
     "6927c120bb5ee8972b0d3e21374c9c921b09d1b0366f10b65173992d",
     "3eb7a829b0cd20f5bcfc0b599b6feccf6da4627107bdb0d4f345b430"
     "27d8b972fc3e34fb4232a13ca706dcb57aec3dae07bdc1c67bf33609",
     "07fff4181ac6cc95ec1c16a94a0f74d12da232ce40a77552281d282b"
     "b60c0b56fd2464c335543936521c24403085d59a449a5037514a879d"},
};

START_TEST(xdh_rfc7748)
{
	uint8_t *pa, *pb;
	size_t alen, blen;

	pa = hex_decode(rfc7748[_i].pub_a, &alen);
	pb = hex_decode(rfc7748[_i].pub_b, &blen);
	ck_assert_uint_eq(alen, blen);
	check_exchange(rfc7748[_i].group, rfc7748[_i].a, pa, rfc7748[_i].b, pb,
		       alen, rfc7748[_i].k);
	free(pa);
	free(pb);
}
END_TEST

START_TEST(public_lengths)
{
	ck_assert_uint_eq(dh_public_len(IKEV2_DH_MODP1024), 128);
	ck_assert_uint_eq(dh_public_len(IKEV2_DH_MODP1536), 192);
	ck_assert_uint_eq(dh_public_len(IKEV2_DH_MODP2048), 256);
	ck_assert_uint_eq(dh_public_len(IKEV2_DH_MODP3072), 384);
	ck_assert_uint_eq(dh_public_len(IKEV2_DH_MODP4096), 512);
	ck_assert_uint_eq(dh_public_len(IKEV2_DH_ECP256), 64);
	ck_assert_uint_eq(dh_public_len(IKEV2_DH_ECP384), 96);
	ck_assert_uint_eq(dh_public_len(IKEV2_DH_ECP521), 132);
	ck_assert_uint_eq(dh_public_len(IKEV2_DH_CURVE25519), 32);
	ck_assert_uint_eq(dh_public_len(IKEV2_DH_CURVE448), 56);
	ck_assert_uint_eq(dh_public_len(IKEV2_DH_NONE), 0);
	ck_assert_uint_eq(dh_public_len(1), 0);
	ck_assert_uint_eq(dh_public_len(22), 0);
	ck_assert(dh_supported(IKEV2_DH_MODP1024));
	ck_assert(!dh_supported(IKEV2_DH_NONE));
	ck_assert(!dh_supported(24));
	ck_assert_ptr_null(dh_new(IKEV2_DH_NONE));
	ck_assert_ptr_null(dh_new(24));
	dh_free(NULL);
}
END_TEST

/* Two fresh key pairs of the group agree, and only with exact lengths. */
START_TEST(fresh_pairs_agree)
{
	uint16_t group = all_groups[_i];
	size_t len = dh_public_len(group);
	struct dh *a = dh_new(group), *b = dh_new(group);
	struct secret *sa, *sb;
	uint8_t *pa, *pb;

	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	pa = malloc(len + 1);
	pb = malloc(len + 1);
	ck_assert_ptr_nonnull(pa);
	ck_assert_ptr_nonnull(pb);
	ck_assert_int_eq(dh_public(a, pa, len), 0);
	ck_assert_int_eq(dh_public(b, pb, len), 0);
	ck_assert(memcmp(pa, pb, len) != 0);
	ck_assert_int_eq(dh_public(a, pa, len - 1), -1);
	ck_assert_int_eq(dh_public(a, pa, len + 1), -1);

	ck_assert_int_eq(dh_shared(a, pb, len, &sa), 0);
	ck_assert_int_eq(dh_shared(b, pa, len, &sb), 0);
	ck_assert_uint_eq(sa->len, sb->len);
	ck_assert_mem_eq(sa->ptr, sb->ptr, sa->len);
	secret_free(sa);
	secret_free(sb);

	/* A value one byte short or long is refused, not padded. */
	pb[len] = 0;
	ck_assert_int_eq(dh_shared(a, pb, len - 1, &sa), -1);
	ck_assert_ptr_null(sa);
	ck_assert_int_eq(dh_shared(a, pb, len + 1, &sa), -1);
	ck_assert_ptr_null(sa);
	ck_assert_int_eq(dh_shared(a, pb, 0, &sa), -1);

	free(pa);
	free(pb);
	dh_free(a);
	dh_free(b);
}
END_TEST

/* The peer's point with one byte of y changed is not on the curve. */
START_TEST(ecp_point_off_curve_refused)
{
	const struct ecp_kat *k = &rfc5903[_i];
	struct dh *a = dh_from_hex(k->group, k->i);
	struct secret *s;
	uint8_t *gr;
	size_t len;

	gr = hex_cat(k->grx, k->gry, &len);
	ck_assert_int_eq(dh_shared(a, gr, len, &s), 0);
	secret_free(s);
	gr[len - 1] ^= 0x01;
	ck_assert_int_eq(dh_shared(a, gr, len, &s), -1);
	ck_assert_ptr_null(s);
	/* Nor is (0, 0), the only encoding the point at infinity could
	 * pretend to have. */
	memset(gr, 0, len);
	ck_assert_int_eq(dh_shared(a, gr, len, &s), -1);
	free(gr);
	dh_free(a);
}
END_TEST

/* A point on the curve whose x is written unreduced, as x + p (it fits
 * in the field's bytes for small x), is refused, while the same point
 * written as x is accepted: the range check is kept by the peer check
 * (the quick one, which leaves out only the n * Q == O multiplication). */
START_TEST(ecp_coordinate_above_p_refused)
{
	static const struct {
		uint16_t group;
		int nid;
		int len;
	} c[] = {{IKEV2_DH_ECP256, NID_X9_62_prime256v1, 32},
		 {IKEV2_DH_ECP384, NID_secp384r1, 48},
		 {IKEV2_DH_ECP521, NID_secp521r1, 66}};
	EC_GROUP *g = EC_GROUP_new_by_curve_name(c[_i].nid);
	BIGNUM *p = BN_new(), *a = BN_new(), *b = BN_new(), *x = BN_new();
	BIGNUM *rhs = BN_new(), *t = BN_new(), *y = BN_new();
	BN_CTX *bc = BN_CTX_new();
	struct dh *me = dh_new(c[_i].group);
	uint8_t pt[2 * 66];
	struct secret *s = NULL;
	int len = c[_i].len;
	unsigned w;

	ck_assert(g && p && a && b && x && rhs && t && y && bc && me);
	ck_assert(EC_GROUP_get_curve(g, p, a, b, bc));
	/* The first small x with x^3 + a x + b a square mod p. */
	for (w = 1; w < 100; w++) {
		ck_assert(BN_set_word(x, w));
		ck_assert(BN_mod_sqr(t, x, p, bc));
		ck_assert(BN_mod_add(t, t, a, p, bc));
		ck_assert(BN_mod_mul(rhs, t, x, p, bc));
		ck_assert(BN_mod_add(rhs, rhs, b, p, bc));
		if (BN_mod_sqrt(y, rhs, p, bc))
			break;
	}
	ck_assert_uint_lt(w, 100);
	ck_assert_int_eq(BN_bn2binpad(x, pt, len), len);
	ck_assert_int_eq(BN_bn2binpad(y, pt + len, len), len);
	ck_assert_int_eq(dh_shared(me, pt, 2 * len, &s), 0);
	secret_free(s);
	ck_assert(BN_add(x, x, p));
	ck_assert_int_eq(BN_bn2binpad(x, pt, len), len);
	ck_assert_int_eq(dh_shared(me, pt, 2 * len, &s), -1);
	ck_assert_ptr_null(s);
	dh_free(me);
	BN_CTX_free(bc);
	BN_free(y);
	BN_free(t);
	BN_free(rhs);
	BN_free(x);
	BN_free(b);
	BN_free(a);
	BN_free(p);
	EC_GROUP_free(g);
}
END_TEST

/* The guarantee dh.c builds on: OpenSSL itself refuses to import an EC
 * public key that is not on the curve. */
START_TEST(openssl_import_refuses_off_curve_point)
{
	const struct ecp_kat *k = &rfc5903[0];
	uint8_t oct[65];
	uint8_t *gr;
	size_t len;
	int flip;

	gr = hex_cat(k->grx, k->gry, &len);
	ck_assert_uint_eq(len, 64);
	oct[0] = 0x04;
	memcpy(oct + 1, gr, len);
	for (flip = 0; flip < 2; flip++) {
		OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
		EVP_PKEY_CTX *ctx =
		    EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
		EVP_PKEY *key = NULL;
		OSSL_PARAM *params;

		if (flip)
			oct[64] ^= 0x01;
		ck_assert(OSSL_PARAM_BLD_push_utf8_string(
		    bld, OSSL_PKEY_PARAM_GROUP_NAME, "P-256", 0));
		ck_assert(OSSL_PARAM_BLD_push_octet_string(
		    bld, OSSL_PKEY_PARAM_PUB_KEY, oct, sizeof(oct)));
		params = OSSL_PARAM_BLD_to_param(bld);
		ck_assert_ptr_nonnull(params);
		ck_assert_int_eq(EVP_PKEY_fromdata_init(ctx), 1);
		if (flip) {
			ck_assert_int_le(EVP_PKEY_fromdata(ctx, &key,
							   EVP_PKEY_PUBLIC_KEY,
							   params),
					 0);
			ck_assert_ptr_null(key);
		} else {
			ck_assert_int_eq(EVP_PKEY_fromdata(ctx, &key,
							   EVP_PKEY_PUBLIC_KEY,
							   params),
					 1);
		}
		EVP_PKEY_free(key);
		OSSL_PARAM_free(params);
		EVP_PKEY_CTX_free(ctx);
		OSSL_PARAM_BLD_free(bld);
	}
	free(gr);
}
END_TEST

static BIGNUM *
modp_prime(uint16_t group)
{
	switch (group) {
	case IKEV2_DH_MODP1024:
		return BN_get_rfc2409_prime_1024(NULL);
	case IKEV2_DH_MODP1536:
		return BN_get_rfc3526_prime_1536(NULL);
	case IKEV2_DH_MODP2048:
		return BN_get_rfc3526_prime_2048(NULL);
	case IKEV2_DH_MODP3072:
		return BN_get_rfc3526_prime_3072(NULL);
	case IKEV2_DH_MODP4096:
		return BN_get_rfc3526_prime_4096(NULL);
	}
	return NULL;
}

static const uint16_t modp_groups[] = {
    IKEV2_DH_MODP1024, IKEV2_DH_MODP1536, IKEV2_DH_MODP2048,
    IKEV2_DH_MODP3072, IKEV2_DH_MODP4096,
};

/* Expect dh_shared to refuse y = p + delta (delta may be negative) or,
 * with absolute set, y = delta. */
static void
check_modp_refused(struct dh *dh, const BIGNUM *p, size_t len, long delta,
		   bool absolute)
{
	BIGNUM *y = absolute ? BN_new() : BN_dup(p);
	struct secret *s;
	uint8_t *buf = malloc(len);

	ck_assert_ptr_nonnull(y);
	ck_assert_ptr_nonnull(buf);
	if (absolute)
		ck_assert(BN_set_word(y, (BN_ULONG)delta));
	else if (delta < 0)
		ck_assert(BN_sub_word(y, (BN_ULONG)-delta));
	else
		ck_assert(BN_add_word(y, (BN_ULONG)delta));
	ck_assert_int_eq(BN_bn2binpad(y, buf, (int)len), (int)len);
	ck_assert_msg(dh_shared(dh, buf, len, &s) == -1, "y = %s%ld accepted",
		      absolute ? "" : "p + ", delta);
	ck_assert_ptr_null(s);
	free(buf);
	BN_free(y);
}

/* RFC 6989 section 2.1: 1 < y < p - 1, checked against the group's own
 * prime (taken here from OpenSSL's RFC 2409/3526 constants). */
START_TEST(modp_range_refused)
{
	uint16_t group = modp_groups[_i];
	size_t len = dh_public_len(group);
	struct dh *dh = dh_new(group);
	BIGNUM *p = modp_prime(group);
	uint8_t *ff;
	struct secret *s;

	ck_assert_ptr_nonnull(dh);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq((size_t)BN_num_bytes(p), len);
	check_modp_refused(dh, p, len, 0, true);
	check_modp_refused(dh, p, len, 1, true);
	check_modp_refused(dh, p, len, -1, false);
	check_modp_refused(dh, p, len, 0, false);
	check_modp_refused(dh, p, len, 1, false);
	ff = malloc(len);
	ck_assert_ptr_nonnull(ff);
	memset(ff, 0xff, len);
	ck_assert_int_eq(dh_shared(dh, ff, len, &s), -1);
	free(ff);
	BN_free(p);
	dh_free(dh);
}
END_TEST

/* MODP from a private value, against arithmetic done by hand: with g = 2,
 * x = 2 gives y = 4, x = 3 gives y = 8, and both share 2^6 = 64, padded
 * to the prime's length (RFC 7296 2.14). */
START_TEST(modp_from_private_small)
{
	static const uint8_t two = 2, three = 3;
	uint16_t group = modp_groups[_i];
	size_t len = dh_public_len(group);
	struct dh *a = dh_new_from_private(group, &two, 1);
	struct dh *b = dh_new_from_private(group, &three, 1);
	struct secret *sa, *sb;
	uint8_t *pa, *pb, *want;

	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	pa = malloc(len);
	pb = malloc(len);
	want = calloc(1, len);
	ck_assert_ptr_nonnull(pa);
	ck_assert_ptr_nonnull(pb);
	ck_assert_ptr_nonnull(want);
	ck_assert_int_eq(dh_public(a, pa, len), 0);
	ck_assert_int_eq(dh_public(b, pb, len), 0);
	want[len - 1] = 4;
	ck_assert_mem_eq(pa, want, len);
	want[len - 1] = 8;
	ck_assert_mem_eq(pb, want, len);
	ck_assert_int_eq(dh_shared(a, pb, len, &sa), 0);
	ck_assert_int_eq(dh_shared(b, pa, len, &sb), 0);
	want[len - 1] = 64;
	ck_assert_uint_eq(sa->len, len);
	ck_assert_mem_eq(sa->ptr, want, len);
	ck_assert_uint_eq(sb->len, len);
	ck_assert_mem_eq(sb->ptr, want, len);
	secret_free(sa);
	secret_free(sb);
	free(pa);
	free(pb);
	free(want);
	dh_free(a);
	dh_free(b);
}
END_TEST

/* RFC 8031 section 2.3 / RFC 7748 section 6: a small-order peer value
 * yields the all-zero secret, which must be refused. u = 0 and u = 1 are
 * such values on both curves. */
START_TEST(xdh_zero_secret_refused)
{
	static const uint16_t g[] = {IKEV2_DH_CURVE25519, IKEV2_DH_CURVE448};
	uint8_t peer[56];
	struct secret *s;
	struct dh *dh;
	size_t len;
	int i, u;

	for (i = 0; i < 2; i++) {
		dh = dh_new(g[i]);
		ck_assert_ptr_nonnull(dh);
		len = dh_public_len(g[i]);
		for (u = 0; u < 2; u++) {
			memset(peer, 0, sizeof(peer));
			peer[0] = (uint8_t)u; /* little-endian u coordinate */
			ck_assert_int_eq(dh_shared(dh, peer, len, &s), -1);
			ck_assert_ptr_null(s);
		}
		dh_free(dh);
	}
}
END_TEST

START_TEST(bad_private_values_refused)
{
	uint8_t zero[66] = {0}, big[66];

	/* ECP: d = 0, a wrong length, d >= n. */
	ck_assert_ptr_null(dh_new_from_private(IKEV2_DH_ECP256, zero, 32));
	ck_assert_ptr_null(dh_new_from_private(IKEV2_DH_ECP256, zero, 31));
	memset(big, 0xff, sizeof(big));
	ck_assert_ptr_null(dh_new_from_private(IKEV2_DH_ECP256, big, 32));
	/* XDH: exact length only. */
	ck_assert_ptr_null(dh_new_from_private(IKEV2_DH_CURVE25519, big, 31));
	/* MODP: x = 0, 1 or too long. */
	ck_assert_ptr_null(dh_new_from_private(IKEV2_DH_MODP2048, zero, 1));
	zero[0] = 1;
	ck_assert_ptr_null(dh_new_from_private(IKEV2_DH_MODP2048, zero, 1));
	ck_assert_ptr_null(dh_new_from_private(24, big, 32));
}
END_TEST

/* One thread's share of threads_generate_and_derive: ROUNDS pairs of
 * fresh keys of one group, each pair distinct and agreeing; the failures
 * are counted (a check assertion belongs to the test's own thread). */
#define ROUNDS 16

struct dh_worker {
	uint16_t group;
	int failures;
};

static int
pair_agrees(uint16_t group)
{
	size_t len = dh_public_len(group);
	struct dh *a = dh_new(group), *b = dh_new(group);
	struct secret *sa = NULL, *sb = NULL;
	uint8_t pa[133], pb[133];
	int ok;

	ok = a && b && len <= sizeof(pa) && dh_public(a, pa, len) == 0 &&
	     dh_public(b, pb, len) == 0 && memcmp(pa, pb, len) != 0 &&
	     dh_shared(a, pb, len, &sa) == 0 &&
	     dh_shared(b, pa, len, &sb) == 0 && sa->len == sb->len &&
	     memcmp(sa->ptr, sb->ptr, sa->len) == 0;
	secret_free(sa);
	secret_free(sb);
	dh_free(a);
	dh_free(b);
	return ok;
}

static void *
dh_worker_run(void *arg)
{
	struct dh_worker *w = arg;
	int i;

	for (i = 0; i < ROUNDS; i++)
		if (!pair_agrees(w->group))
			w->failures++;
	return NULL;
}

/* dh_new keeps a key-generation context per thread and group: threads
 * that make and use keys of one group at the same time must each get
 * distinct pairs that agree, and (under the sanitizers) each thread's
 * contexts must be freed when it exits. */
START_TEST(threads_generate_and_derive)
{
	static const uint16_t g[] = {IKEV2_DH_ECP256, IKEV2_DH_CURVE25519,
				     IKEV2_DH_MODP1024};
	struct dh_worker w[4];
	pthread_t t[4];
	int i;

	for (i = 0; i < 4; i++) {
		w[i].group = g[_i];
		w[i].failures = 0;
		ck_assert_int_eq(
		    pthread_create(&t[i], NULL, dh_worker_run, &w[i]), 0);
	}
	for (i = 0; i < 4; i++) {
		ck_assert_int_eq(pthread_join(t[i], NULL), 0);
		ck_assert_int_eq(w[i].failures, 0);
	}
	/* This thread's own contexts, made before or after, work too. */
	ck_assert(pair_agrees(g[_i]));
}
END_TEST

Suite *
dh_suite(void)
{
	Suite *s = suite_create("dh");
	TCase *tc = tcase_create("core");

	/* MODP 4096 key generation under the sanitizers takes a while. */
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, ecp_rfc5903, 0, NELEM(rfc5903));
	tcase_add_loop_test(tc, xdh_rfc7748, 0, NELEM(rfc7748));
	tcase_add_test(tc, public_lengths);
	tcase_add_loop_test(tc, fresh_pairs_agree, 0, NELEM(all_groups));
	tcase_add_loop_test(tc, ecp_point_off_curve_refused, 0, NELEM(rfc5903));
	tcase_add_test(tc, openssl_import_refuses_off_curve_point);
	tcase_add_loop_test(tc, ecp_coordinate_above_p_refused, 0, 3);
	tcase_add_loop_test(tc, modp_range_refused, 0, NELEM(modp_groups));
	tcase_add_loop_test(tc, modp_from_private_small, 0, NELEM(modp_groups));
	tcase_add_test(tc, xdh_zero_secret_refused);
	tcase_add_test(tc, bad_private_values_refused);
	tcase_add_loop_test(tc, threads_generate_and_derive, 0, 3);
	suite_add_tcase(s, tc);
	return s;
}
