/* SPDX-License-Identifier: ISC */
/*
 * keymat_v1.c and v1_crypt.c against the formulas of RFC 2409 (sections 5,
 * 5.5, 5.7 and Appendix B) recomputed here with OpenSSL's one-shot HMAC,
 * digest and cipher calls, not through crypto.c: SKEYID for PSK and
 * signatures, SKEYID_d/a/e, the key extension, the IVs, HASH_I/HASH_R,
 * the Quick Mode hashes, KEYMAT with and without PFS, and the message
 * encryption's padding, bounds and IV chaining. The known answers from
 * strongSwan's captures are in test_keymat_v1_capture.c.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <check.h>

#include "alg.h"
#include "ikev1_const.h"
#include "keymat_v1.h"
#include "testutil.h"

/* The suites checked: every hash with a cipher whose key is longer,
 * as long, or shorter than the hash output. */
static const struct {
	uint16_t encr, bits, hash;
	const char *md; /* OpenSSL name of the hash */
	const char *cipher;
} suites[] = {
    {ALG_V1_ENCR_AES_CBC, 128, ALG_V1_HASH_SHA2_256, "SHA256", "AES-128-CBC"},
    {ALG_V1_ENCR_AES_CBC, 256, ALG_V1_HASH_SHA, "SHA1", "AES-256-CBC"},
    {ALG_V1_ENCR_AES_CBC, 192, ALG_V1_HASH_SHA2_384, "SHA384", "AES-192-CBC"},
    {ALG_V1_ENCR_AES_CBC, 256, ALG_V1_HASH_SHA2_512, "SHA512", "AES-256-CBC"},
    {ALG_V1_ENCR_3DES_CBC, 0, ALG_V1_HASH_SHA, "SHA1", "DES-EDE3-CBC"},
    {ALG_V1_ENCR_AES_CBC, 256, ALG_V1_HASH_MD5, "MD5", "AES-256-CBC"},
};
#define NSUITES (sizeof(suites) / sizeof(suites[0]))

static void
suite_get(unsigned i, struct v1_suite *s)
{
	ck_assert_int_eq(keymat_v1_suite(suites[i].encr, suites[i].bits,
					 suites[i].hash, 0, s),
			 0);
}

/* HMAC(key, a | b | c | d | e | f) with OpenSSL's one-shot HMAC. */
struct part {
	const void *p;
	size_t n;
};

static size_t
ref_hmac(const char *md, const void *key, size_t key_len,
	 const struct part *parts, size_t nparts, uint8_t *out)
{
	uint8_t buf[2048];
	size_t len = 0, i;
	unsigned int out_len = 0;

	for (i = 0; i < nparts; i++) {
		ck_assert_uint_le(len + parts[i].n, sizeof(buf));
		memcpy(buf + len, parts[i].p, parts[i].n);
		len += parts[i].n;
	}
	ck_assert_ptr_nonnull(HMAC(EVP_get_digestbyname(md), key, (int)key_len,
				   buf, len, out, &out_len));
	return out_len;
}

static void
ref_hash(const char *md, const void *a, size_t an, const void *b, size_t bn,
	 uint8_t *out)
{
	uint8_t buf[1024];
	unsigned int out_len = 0;

	ck_assert_uint_le(an + bn, sizeof(buf));
	memcpy(buf, a, an);
	memcpy(buf + an, b, bn);
	ck_assert_int_eq(EVP_Digest(buf, an + bn, out, &out_len,
				    EVP_get_digestbyname(md), NULL),
			 1);
}

static void
rnd(uint8_t *p, size_t n)
{
	ck_assert_int_eq(crypto_random(p, n), 0);
}

struct p1_in {
	uint8_t ni[24], nr[40], gxy[256], cki[8], ckr[8], psk[19];
	struct secret *g, *k;
};

static void
p1_in_new(struct p1_in *in)
{
	rnd(in->ni, sizeof(in->ni));
	rnd(in->nr, sizeof(in->nr));
	rnd(in->gxy, sizeof(in->gxy));
	rnd(in->cki, sizeof(in->cki));
	rnd(in->ckr, sizeof(in->ckr));
	rnd(in->psk, sizeof(in->psk));
	in->g = secret_dup(in->gxy, sizeof(in->gxy));
	in->k = secret_dup(in->psk, sizeof(in->psk));
	ck_assert_ptr_nonnull(in->g);
	ck_assert_ptr_nonnull(in->k);
}

static void
p1_in_free(struct p1_in *in)
{
	secret_free(in->g);
	secret_free(in->k);
}

/* SKEYID_d/a/e and the encryption key from SKEYID as RFC 2409 5 and
 * Appendix B define them. */
static void
check_descendants(unsigned i, const struct v1_suite *s, const struct p1_in *in,
		  const struct v1_keys *k, const uint8_t *skeyid, size_t hl)
{
	const char *md = suites[i].md;
	const uint8_t c0 = 0, c1 = 1, c2 = 2;
	uint8_t d[64], a[64], e[64], ka[256], prev[64];
	size_t need = s->encr->key_len, done;

	ck_assert_uint_eq(ref_hmac(md, skeyid, hl,
				   (struct part[]){{in->gxy, sizeof(in->gxy)},
						   {in->cki, 8},
						   {in->ckr, 8},
						   {&c0, 1}},
				   4, d),
			  hl);
	ref_hmac(md, skeyid, hl,
		 (struct part[]){{d, hl},
				 {in->gxy, sizeof(in->gxy)},
				 {in->cki, 8},
				 {in->ckr, 8},
				 {&c1, 1}},
		 5, a);
	ref_hmac(md, skeyid, hl,
		 (struct part[]){{a, hl},
				 {in->gxy, sizeof(in->gxy)},
				 {in->cki, 8},
				 {in->ckr, 8},
				 {&c2, 1}},
		 5, e);
	ck_assert_uint_eq(k->skeyid_d->len, hl);
	ck_assert_mem_eq(k->skeyid_d->ptr, d, hl);
	ck_assert_mem_eq(k->skeyid_a->ptr, a, hl);
	ck_assert_uint_eq(k->skeyid_e->len, hl);
	ck_assert_mem_eq(k->skeyid_e->ptr, e, hl);
	/* Appendix B: K1 = prf(SKEYID_e, 0), Kn = prf(SKEYID_e, Kn-1), only
	 * when SKEYID_e is too short. */
	if (hl >= need) {
		memcpy(ka, e, need);
	} else {
		prev[0] = 0;
		ref_hmac(md, e, hl, (struct part[]){{prev, 1}}, 1, ka);
		for (done = hl; done < need; done += hl)
			ref_hmac(md, e, hl,
				 (struct part[]){{ka + done - hl, hl}}, 1,
				 ka + done);
	}
	ck_assert_uint_eq(k->enc_key->len, need);
	ck_assert_mem_eq(k->enc_key->ptr, ka, need);
}

START_TEST(phase1_keys_psk)
{
	struct v1_suite s;
	struct p1_in in;
	struct v1_keys k;
	uint8_t skeyid[64];
	size_t hl;

	suite_get(_i, &s);
	p1_in_new(&in);
	ck_assert_int_eq(keymat_v1_ike(&s, in.k, in.g,
				       (struct bytes){in.ni, sizeof(in.ni)},
				       (struct bytes){in.nr, sizeof(in.nr)},
				       in.cki, in.ckr, &k),
			 0);
	/* SKEYID = prf(pre-shared-key, Ni_b | Nr_b) */
	hl = ref_hmac(
	    suites[_i].md, in.psk, sizeof(in.psk),
	    (struct part[]){{in.ni, sizeof(in.ni)}, {in.nr, sizeof(in.nr)}}, 2,
	    skeyid);
	ck_assert_uint_eq(s.prf->out_len, hl);
	ck_assert_uint_eq(k.skeyid->len, hl);
	ck_assert_mem_eq(k.skeyid->ptr, skeyid, hl);
	check_descendants(_i, &s, &in, &k, skeyid, hl);
	v1_keys_clear(&k);
	ck_assert_ptr_null(k.skeyid);
	ck_assert_ptr_null(k.enc_key);
	v1_keys_clear(&k); /* twice is harmless */
	p1_in_free(&in);
}
END_TEST

START_TEST(phase1_keys_signature)
{
	struct v1_suite s;
	struct p1_in in;
	struct v1_keys k;
	uint8_t skeyid[64], nonces[64];
	size_t hl;

	suite_get(_i, &s);
	p1_in_new(&in);
	ck_assert_int_eq(keymat_v1_ike(&s, NULL, in.g,
				       (struct bytes){in.ni, sizeof(in.ni)},
				       (struct bytes){in.nr, sizeof(in.nr)},
				       in.cki, in.ckr, &k),
			 0);
	/* SKEYID = prf(Ni_b | Nr_b, g^xy) */
	memcpy(nonces, in.ni, sizeof(in.ni));
	memcpy(nonces + sizeof(in.ni), in.nr, sizeof(in.nr));
	hl = ref_hmac(suites[_i].md, nonces, sizeof(nonces),
		      (struct part[]){{in.gxy, sizeof(in.gxy)}}, 1, skeyid);
	ck_assert_mem_eq(k.skeyid->ptr, skeyid, hl);
	check_descendants(_i, &s, &in, &k, skeyid, hl);
	v1_keys_clear(&k);
	p1_in_free(&in);
}
END_TEST

START_TEST(suite_mapping)
{
	struct v1_suite s;

	/* AES needs its Key Length attribute; 3DES has none. */
	ck_assert_int_eq(
	    keymat_v1_suite(ALG_V1_ENCR_AES_CBC, 0, ALG_V1_HASH_SHA, 0, &s),
	    -1);
	ck_assert_int_eq(
	    keymat_v1_suite(ALG_V1_ENCR_AES_CBC, 100, ALG_V1_HASH_SHA, 0, &s),
	    -1);
	ck_assert_int_eq(
	    keymat_v1_suite(ALG_V1_ENCR_3DES_CBC, 192, ALG_V1_HASH_SHA, 0, &s),
	    -1);
	/* No PRF values exist for the PRF attribute (RFC 2409 App. A). */
	ck_assert_int_eq(
	    keymat_v1_suite(ALG_V1_ENCR_AES_CBC, 128, ALG_V1_HASH_SHA, 1, &s),
	    -1);
	/* Unknown hash (Tiger, 3) and cipher (DES, 1). */
	ck_assert_int_eq(keymat_v1_suite(ALG_V1_ENCR_AES_CBC, 128, 3, 0, &s),
			 -1);
	ck_assert_int_eq(keymat_v1_suite(1, 0, ALG_V1_HASH_SHA, 0, &s), -1);
	ck_assert_int_eq(keymat_v1_suite(ALG_V1_ENCR_AES_CBC, 256,
					 ALG_V1_HASH_SHA2_384, 0, &s),
			 0);
	ck_assert_uint_eq(s.encr->key_len, 32);
	ck_assert_uint_eq(s.encr->block_len, 16);
	ck_assert_uint_eq(s.prf->out_len, 48);
	ck_assert_uint_eq(s.hash_len, 48);
	ck_assert_int_eq(keymat_v1_suite(ALG_V1_ENCR_3DES_CBC, 0,
					 ALG_V1_HASH_SHA2_256, 0, &s),
			 0);
	ck_assert_uint_eq(s.encr->key_len, 24);
	ck_assert_uint_eq(s.encr->block_len, 8);
}
END_TEST

START_TEST(ivs)
{
	struct v1_suite s;
	uint8_t gxi[96], gxr[96], md[64], m[4] = {0x12, 0x34, 0x56, 0x78};
	struct v1_iv p1, p2, same, kept;
	size_t bs;

	suite_get(_i, &s);
	bs = s.encr->block_len;
	rnd(gxi, sizeof(gxi));
	rnd(gxr, sizeof(gxr));
	/* Phase 1: hash(g^xi | g^xr) cut to the block size. */
	ck_assert_int_eq(v1_iv_phase1(&s, (struct bytes){gxi, sizeof(gxi)},
				      (struct bytes){gxr, sizeof(gxr)}, &p1),
			 0);
	ref_hash(suites[_i].md, gxi, sizeof(gxi), gxr, sizeof(gxr), md);
	ck_assert_uint_eq(p1.len, bs);
	ck_assert_mem_eq(p1.iv, md, bs);
	/* Phase 2: hash(last phase 1 block | M-ID), M-ID in network order. */
	ck_assert_int_eq(v1_iv_phase2(&s, &p1, 0x12345678, &p2), 0);
	ref_hash(suites[_i].md, p1.iv, bs, m, sizeof(m), md);
	ck_assert_uint_eq(p2.len, bs);
	ck_assert_mem_eq(p2.iv, md, bs);
	/* In place gives the same. */
	same = p1;
	ck_assert_int_eq(v1_iv_phase2(&s, &same, 0x12345678, &same), 0);
	ck_assert_mem_eq(same.iv, p2.iv, bs);
	/* Advancing takes the last block; a short ciphertext is refused. */
	kept = p1;
	ck_assert_int_eq(v1_iv_advance(&p1, gxi, bs - 1), -1);
	ck_assert_mem_eq(p1.iv, kept.iv, bs);
	ck_assert_int_eq(v1_iv_advance(&p1, gxi, 3 * bs), 0);
	ck_assert_mem_eq(p1.iv, gxi + 2 * bs, bs);
}
END_TEST

/* CBC with OpenSSL's EVP directly, no padding. */
static void
ref_cbc(const char *cipher, int enc, const uint8_t *key, const uint8_t *iv,
	const uint8_t *in, size_t len, uint8_t *out)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int l1 = 0, l2 = 0;

	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(EVP_CipherInit_ex(c, EVP_get_cipherbyname(cipher),
					   NULL, key, iv, enc),
			 1);
	EVP_CIPHER_CTX_set_padding(c, 0);
	ck_assert_int_eq(EVP_CipherUpdate(c, out, &l1, in, (int)len), 1);
	ck_assert_int_eq(EVP_CipherFinal_ex(c, out + l1, &l2), 1);
	ck_assert_uint_eq((size_t)(l1 + l2), len);
	EVP_CIPHER_CTX_free(c);
}

START_TEST(encrypt_decrypt)
{
	struct v1_suite s;
	struct secret *key;
	struct v1_iv iv, iv0, rx;
	uint8_t plain[100], ct[128], ref[128], padded[128], pt[128];
	size_t bs, len, out_len, want;

	suite_get(_i, &s);
	bs = s.encr->block_len;
	key = secret_new(s.encr->key_len);
	ck_assert_ptr_nonnull(key);
	rnd(key->ptr, key->len);
	rnd(plain, sizeof(plain));
	iv0.len = bs;
	rnd(iv0.iv, bs);
	for (len = 0; len <= 3 * bs; len++) {
		/* 1 to bs zero bytes of padding, never none. */
		want = (len / bs + 1) * bs;
		ck_assert_uint_eq(v1_crypt_len(&s, len), want);
		iv = iv0;
		ck_assert_int_eq(v1_crypt_encrypt(&s, key, &iv,
						  (struct bytes){plain, len},
						  ct, sizeof(ct), &out_len),
				 0);
		ck_assert_uint_eq(out_len, want);
		memset(padded, 0, sizeof(padded));
		memcpy(padded, plain, len);
		ref_cbc(suites[_i].cipher, 1, key->ptr, iv0.iv, padded, want,
			ref);
		ck_assert_mem_eq(ct, ref, want);
		/* The chain continues with the last ciphertext block. */
		ck_assert_mem_eq(iv.iv, ct + want - bs, bs);
		/* Decryption gives the padded plaintext back and moves the
		 * receiver's chain the same way. */
		rx = iv0;
		ck_assert_int_eq(v1_crypt_decrypt(&s, key, &rx,
						  (struct bytes){ct, want}, pt,
						  sizeof(pt)),
				 0);
		ck_assert_mem_eq(pt, padded, want);
		ck_assert_mem_eq(rx.iv, iv.iv, bs);
		/* In place as well. */
		rx = iv0;
		ck_assert_int_eq(v1_crypt_decrypt(&s, key, &rx,
						  (struct bytes){ct, want}, ct,
						  sizeof(ct)),
				 0);
		ck_assert_mem_eq(ct, padded, want);
		ck_assert_mem_eq(rx.iv, iv.iv, bs);
	}

	/* Bounds: no room for the padding, a partial block, nothing. */
	iv = iv0;
	ck_assert_int_eq(v1_crypt_encrypt(&s, key, &iv,
					  (struct bytes){plain, 2 * bs}, ct,
					  2 * bs, &out_len),
			 -1);
	ck_assert_uint_eq(out_len, 0);
	ck_assert_mem_eq(iv.iv, iv0.iv, bs);
	ck_assert_int_eq(v1_crypt_decrypt(&s, key, &iv,
					  (struct bytes){plain, 2 * bs - 1}, pt,
					  sizeof(pt)),
			 -1);
	ck_assert_int_eq(v1_crypt_decrypt(&s, key, &iv,
					  (struct bytes){plain, 0}, pt,
					  sizeof(pt)),
			 -1);
	ck_assert_int_eq(v1_crypt_decrypt(&s, key, &iv,
					  (struct bytes){plain, 2 * bs}, pt,
					  bs),
			 -1);
	/* A chain that failed has not moved. */
	ck_assert_mem_eq(iv.iv, iv0.iv, bs);
	/* A key of the wrong length is refused. */
	secret_free(key);
	key = secret_new(s.encr->key_len - 1);
	ck_assert_ptr_nonnull(key);
	ck_assert_int_eq(v1_crypt_encrypt(&s, key, &iv,
					  (struct bytes){plain, 10}, ct,
					  sizeof(ct), &out_len),
			 -1);
	secret_free(key);
}
END_TEST

START_TEST(auth_hashes)
{
	struct v1_suite s;
	uint8_t skeyid[64], gxi[64], gxr[64], cki[8], ckr[8], sa[52], idi[12],
	    idr[20], got[64], want[64];
	struct secret *k;
	size_t hl;

	suite_get(_i, &s);
	hl = s.prf->out_len;
	rnd(skeyid, hl);
	rnd(gxi, sizeof(gxi));
	rnd(gxr, sizeof(gxr));
	rnd(cki, 8);
	rnd(ckr, 8);
	rnd(sa, sizeof(sa));
	rnd(idi, sizeof(idi));
	rnd(idr, sizeof(idr));
	k = secret_dup(skeyid, hl);
	ck_assert_ptr_nonnull(k);

	/* HASH_I = prf(SKEYID, g^xi | g^xr | CKY-I | CKY-R | SAi_b | IDii_b) */
	ck_assert_int_eq(
	    keymat_v1_hash_auth(&s, k, false, (struct bytes){gxi, sizeof(gxi)},
				(struct bytes){gxr, sizeof(gxr)}, cki, ckr,
				(struct bytes){sa, sizeof(sa)},
				(struct bytes){idi, sizeof(idi)}, got),
	    0);
	ref_hmac(suites[_i].md, skeyid, hl,
		 (struct part[]){{gxi, sizeof(gxi)},
				 {gxr, sizeof(gxr)},
				 {cki, 8},
				 {ckr, 8},
				 {sa, sizeof(sa)},
				 {idi, sizeof(idi)}},
		 6, want);
	ck_assert_mem_eq(got, want, hl);
	ck_assert(keymat_v1_hash_equal(want, hl, (struct bytes){got, hl}));

	/* HASH_R = prf(SKEYID, g^xr | g^xi | CKY-R | CKY-I | SAi_b | IDir_b) */
	ck_assert_int_eq(
	    keymat_v1_hash_auth(&s, k, true, (struct bytes){gxi, sizeof(gxi)},
				(struct bytes){gxr, sizeof(gxr)}, cki, ckr,
				(struct bytes){sa, sizeof(sa)},
				(struct bytes){idr, sizeof(idr)}, got),
	    0);
	ref_hmac(suites[_i].md, skeyid, hl,
		 (struct part[]){{gxr, sizeof(gxr)},
				 {gxi, sizeof(gxi)},
				 {ckr, 8},
				 {cki, 8},
				 {sa, sizeof(sa)},
				 {idr, sizeof(idr)}},
		 6, want);
	ck_assert_mem_eq(got, want, hl);

	/* A flipped bit or a different length does not compare equal. */
	got[hl - 1] ^= 1;
	ck_assert(!keymat_v1_hash_equal(want, hl, (struct bytes){got, hl}));
	got[hl - 1] ^= 1;
	ck_assert(!keymat_v1_hash_equal(want, hl, (struct bytes){got, hl - 1}));
	ck_assert(!keymat_v1_hash_equal(want, hl, (struct bytes){NULL, 0}));
	secret_free(k);
}
END_TEST

START_TEST(quick_mode_hashes)
{
	struct v1_suite s;
	uint8_t ska[64], ni[32], nr[16], rest[77], got[64], want[64];
	const uint8_t mid[4] = {0xde, 0xad, 0xbe, 0xef}, zero = 0;
	struct secret *k;
	size_t hl;

	suite_get(_i, &s);
	hl = s.prf->out_len;
	rnd(ska, hl);
	rnd(ni, sizeof(ni));
	rnd(nr, sizeof(nr));
	rnd(rest, sizeof(rest));
	k = secret_dup(ska, hl);
	ck_assert_ptr_nonnull(k);

	/* HASH(1) = prf(SKEYID_a, M-ID | rest); Informational likewise */
	ck_assert_int_eq(keymat_v1_hash1(s.prf, k, 0xdeadbeef,
					 (struct bytes){rest, sizeof(rest)},
					 got),
			 0);
	ref_hmac(suites[_i].md, ska, hl,
		 (struct part[]){{mid, 4}, {rest, sizeof(rest)}}, 2, want);
	ck_assert_mem_eq(got, want, hl);
	/* HASH(2) = prf(SKEYID_a, M-ID | Ni_b | rest) */
	ck_assert_int_eq(keymat_v1_hash2(s.prf, k, 0xdeadbeef,
					 (struct bytes){ni, sizeof(ni)},
					 (struct bytes){rest, sizeof(rest)},
					 got),
			 0);
	ref_hmac(
	    suites[_i].md, ska, hl,
	    (struct part[]){{mid, 4}, {ni, sizeof(ni)}, {rest, sizeof(rest)}},
	    3, want);
	ck_assert_mem_eq(got, want, hl);
	/* HASH(3) = prf(SKEYID_a, 0 | M-ID | Ni_b | Nr_b) */
	ck_assert_int_eq(keymat_v1_hash3(s.prf, k, 0xdeadbeef,
					 (struct bytes){ni, sizeof(ni)},
					 (struct bytes){nr, sizeof(nr)}, got),
			 0);
	ref_hmac(suites[_i].md, ska, hl,
		 (struct part[]){
		     {&zero, 1}, {mid, 4}, {ni, sizeof(ni)}, {nr, sizeof(nr)}},
		 4, want);
	ck_assert_mem_eq(got, want, hl);
	secret_free(k);
}
END_TEST

/* KEYMAT = K1 | K2 | ... with K1 = prf(SKEYID_d, [g^xy |] protocol | SPI |
 * Ni_b | Nr_b) and Kn = prf(SKEYID_d, Kn-1 | [g^xy |] ...), per SPI. */
static void
ref_keymat(const char *md, const uint8_t *d, size_t hl, const uint8_t *g,
	   size_t g_len, uint8_t proto, const uint8_t *spi, const uint8_t *ni,
	   size_t ni_len, const uint8_t *nr, size_t nr_len, uint8_t *out,
	   size_t need)
{
	size_t done;

	for (done = 0; done < need; done += hl)
		ref_hmac(md, d, hl,
			 (struct part[]){
			     {out + done - (done ? hl : 0), done ? hl : 0},
			     {g, g_len},
			     {&proto, 1},
			     {spi, 4},
			     {ni, ni_len},
			     {nr, nr_len}},
			 6, out + done);
}

START_TEST(keymat)
{
	struct v1_suite s;
	uint8_t d[64], g[256], ni[32], nr[20], spi_i[4], spi_r[4], km[256];
	struct secret *skd, *gs;
	struct child_keys ck;
	struct secret *e, *a;
	size_t hl, pfs;
	/* AES-256 + HMAC-SHA2-512 needs 96 bytes: several prf blocks with
	 * every hash here. */
	const size_t el = 32, il = 64;

	suite_get(_i, &s);
	hl = s.prf->out_len;
	rnd(d, hl);
	rnd(g, sizeof(g));
	rnd(ni, sizeof(ni));
	rnd(nr, sizeof(nr));
	rnd(spi_i, 4);
	rnd(spi_r, 4);
	skd = secret_dup(d, hl);
	gs = secret_dup(g, sizeof(g));
	ck_assert_ptr_nonnull(skd);
	ck_assert_ptr_nonnull(gs);
	for (pfs = 0; pfs < 2; pfs++) {
		ck_assert_int_eq(keymat_v1_child(s.prf, skd, pfs ? gs : NULL, 3,
						 spi_i, spi_r,
						 (struct bytes){ni, sizeof(ni)},
						 (struct bytes){nr, sizeof(nr)},
						 el, il, &ck),
				 0);
		/* Initiator to responder: the responder's SPI. */
		ref_keymat(suites[_i].md, d, hl, g, pfs ? sizeof(g) : 0, 3,
			   spi_r, ni, sizeof(ni), nr, sizeof(nr), km, el + il);
		ck_assert_uint_eq(ck.encr_i->len, el);
		ck_assert_mem_eq(ck.encr_i->ptr, km, el);
		ck_assert_uint_eq(ck.integ_i->len, il);
		ck_assert_mem_eq(ck.integ_i->ptr, km + el, il);
		ref_keymat(suites[_i].md, d, hl, g, pfs ? sizeof(g) : 0, 3,
			   spi_i, ni, sizeof(ni), nr, sizeof(nr), km, el + il);
		ck_assert_mem_eq(ck.encr_r->ptr, km, el);
		ck_assert_mem_eq(ck.integ_r->ptr, km + el, il);
		child_keys_clear(&ck);
	}
	/* An AEAD's key alone: no integrity key. */
	ck_assert_int_eq(keymat_v1_child_spi(s.prf, skd, NULL, 3, spi_r,
					     (struct bytes){ni, sizeof(ni)},
					     (struct bytes){nr, sizeof(nr)}, 20,
					     0, &e, &a),
			 0);
	ck_assert_ptr_null(a);
	ref_keymat(suites[_i].md, d, hl, g, 0, 3, spi_r, ni, sizeof(ni), nr,
		   sizeof(nr), km, 20);
	ck_assert_uint_eq(e->len, 20);
	ck_assert_mem_eq(e->ptr, km, 20);
	secret_free(e);
	/* Absurd lengths are refused rather than looped over. */
	ck_assert_int_eq(keymat_v1_child_spi(s.prf, skd, NULL, 3, spi_r,
					     (struct bytes){ni, sizeof(ni)},
					     (struct bytes){nr, sizeof(nr)},
					     (size_t)1 << 20, 0, &e, &a),
			 -1);
	ck_assert_ptr_null(e);
	secret_free(skd);
	secret_free(gs);
}
END_TEST

Suite *
v1_keymat_suite(void)
{
	Suite *s = suite_create("keymat_v1");
	TCase *tc = tcase_create("rfc2409");

	tcase_add_loop_test(tc, phase1_keys_psk, 0, NSUITES);
	tcase_add_loop_test(tc, phase1_keys_signature, 0, NSUITES);
	tcase_add_test(tc, suite_mapping);
	tcase_add_loop_test(tc, ivs, 0, NSUITES);
	tcase_add_loop_test(tc, encrypt_decrypt, 0, NSUITES);
	tcase_add_loop_test(tc, auth_hashes, 0, NSUITES);
	tcase_add_loop_test(tc, quick_mode_hashes, 0, NSUITES);
	tcase_add_loop_test(tc, keymat, 0, NSUITES);
	suite_add_tcase(s, tc);
	return s;
}
