/* SPDX-License-Identifier: ISC */
/*
 * IKEv1 message encryption (RFC 2409 5.3 and Appendix B, RFC 2408 3.1):
 * the body after the ISAKMP header is CBC-encrypted with the phase 1
 * encryption key, and the IVs are chained across messages instead of being
 * carried in them. This file owns the IV chains and the padding; the
 * cipher itself is crypto.c's.
 *
 * IV chains (Appendix B). Phase 1 has one chain for both directions: it
 * starts at hash(g^xi | g^xr) and after every encrypted message, sent or
 * received, continues with that message's last ciphertext block. Each
 * Quick Mode and each Informational exchange has a chain of its own,
 * starting at hash(last phase 1 CBC output block | M-ID). A retransmitted
 * message must not advance a chain: that is the caller's concern, which is
 * why advancing is a separate step the caller controls.
 *
 * Padding. RFC 2409 5.3 asks for zero bytes with the pad length in the
 * last byte, "so there will always be padding"; Appendix B just says zero
 * bytes up to the block size. strongSwan 5.9.8 sends 1 to block-size bytes
 * of 0x00 (a whole block when the payloads already fill the last one, as
 * its captures in test/data/ikev1 show) and Windows and Cisco accept that.
 * We send the same: always at least one byte of padding, all zero. On
 * receipt the padding is not checked at all, since peers disagree on it
 * and the payload chain's lengths say where the payloads end.
 */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "keymat_v1.h"

/* hash(parts...) with the suite's hash, cut to len bytes (<= hash_len). */
static int
hash_cut(const struct v1_suite *s, const struct bytes *parts, size_t nparts,
	 uint8_t *out, size_t len)
{
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned int got = 0;
	EVP_MD_CTX *ctx = NULL;
	EVP_MD *alg;
	size_t i;
	int rc = -1;

	if (!s->hash || len > s->hash_len || s->hash_len > sizeof(md))
		return -1;
	alg = EVP_MD_fetch(NULL, s->hash, NULL);
	if (!alg)
		return -1;
	ctx = EVP_MD_CTX_new();
	if (!ctx || !EVP_DigestInit_ex2(ctx, alg, NULL))
		goto out;
	for (i = 0; i < nparts; i++)
		if (parts[i].len &&
		    !EVP_DigestUpdate(ctx, parts[i].ptr, parts[i].len))
			goto out;
	if (!EVP_DigestFinal_ex(ctx, md, &got) || got != s->hash_len)
		goto out;
	memcpy(out, md, len);
	rc = 0;
out:
	EVP_MD_CTX_free(ctx);
	EVP_MD_free(alg);
	OPENSSL_cleanse(md, sizeof(md));
	return rc;
}

static bool
suite_ok(const struct v1_suite *s)
{
	return s && s->encr && !s->encr->aead && s->encr->block_len &&
	       s->encr->block_len <= V1_IV_MAX &&
	       s->encr->iv_len == s->encr->block_len;
}

int
v1_iv_phase1(const struct v1_suite *s, struct bytes gxi, struct bytes gxr,
	     struct v1_iv *out)
{
	const struct bytes parts[] = {gxi, gxr};

	if (!suite_ok(s) || !out || (!gxi.ptr && gxi.len) ||
	    (!gxr.ptr && gxr.len))
		return -1;
	memset(out, 0, sizeof(*out));
	if (hash_cut(s, parts, 2, out->iv, s->encr->block_len) != 0)
		return -1;
	out->len = s->encr->block_len;
	return 0;
}

int
v1_iv_phase2(const struct v1_suite *s, const struct v1_iv *p1, uint32_t mid,
	     struct v1_iv *out)
{
	uint8_t m[4];
	struct bytes parts[2];

	if (!suite_ok(s) || !p1 || !out || p1->len != s->encr->block_len)
		return -1;
	/* The M-ID as the ISAKMP header carries it: network order. */
	m[0] = (uint8_t)(mid >> 24);
	m[1] = (uint8_t)(mid >> 16);
	m[2] = (uint8_t)(mid >> 8);
	m[3] = (uint8_t)mid;
	parts[0] = (struct bytes){p1->iv, p1->len};
	parts[1] = (struct bytes){m, sizeof(m)};
	/* out may be p1: the hash is computed before out is written. */
	if (hash_cut(s, parts, 2, out->iv, s->encr->block_len) != 0)
		return -1;
	out->len = s->encr->block_len;
	return 0;
}

int
v1_iv_advance(struct v1_iv *iv, const uint8_t *ct, size_t ct_len)
{
	if (!iv || !ct || iv->len == 0 || iv->len > V1_IV_MAX ||
	    ct_len < iv->len)
		return -1;
	memcpy(iv->iv, ct + ct_len - iv->len, iv->len);
	return 0;
}

size_t
v1_crypt_len(const struct v1_suite *s, size_t plain_len)
{
	size_t bs;

	if (!suite_ok(s))
		return 0;
	bs = s->encr->block_len;
	/* plain_len + 1 .. plain_len + bs: never without padding. */
	return (plain_len / bs + 1) * bs;
}

int
v1_crypt_encrypt(const struct v1_suite *s, const struct secret *key,
		 struct v1_iv *iv, struct bytes plain, uint8_t *out, size_t cap,
		 size_t *out_len)
{
	size_t len;

	if (out_len)
		*out_len = 0;
	if (!suite_ok(s) || !key || key->len != s->encr->key_len || !iv ||
	    iv->len != s->encr->block_len || !out || !out_len ||
	    (!plain.ptr && plain.len))
		return -1;
	len = v1_crypt_len(s, plain.len);
	if (len < plain.len || len > cap)
		return -1;
	/* memmove: the caller may have built the body in out already. */
	if (plain.len)
		memmove(out, plain.ptr, plain.len);
	memset(out + plain.len, 0, len - plain.len);
	if (crypto_cbc_encrypt(s->encr, key->ptr, iv->iv, out, len) != 0) {
		OPENSSL_cleanse(out, len);
		return -1;
	}
	*out_len = len;
	return v1_iv_advance(iv, out, len);
}

int
v1_crypt_decrypt(const struct v1_suite *s, const struct secret *key,
		 struct v1_iv *iv, struct bytes ct, uint8_t *out, size_t cap)
{
	uint8_t next[V1_IV_MAX];
	size_t bs;

	if (!suite_ok(s) || !key || key->len != s->encr->key_len || !iv ||
	    iv->len != s->encr->block_len || !out || !ct.ptr)
		return -1;
	bs = s->encr->block_len;
	/* RFC 2408 3.1: an encrypted body is whole blocks; anything else
	 * is malformed (or not ours) and cannot be decrypted. */
	if (ct.len == 0 || ct.len % bs || ct.len > cap)
		return -1;
	/* Keep the last ciphertext block before out (possibly ct itself)
	 * is overwritten: it is the next IV. */
	memcpy(next, ct.ptr + ct.len - bs, bs);
	if (out != ct.ptr)
		memmove(out, ct.ptr, ct.len);
	if (crypto_cbc_decrypt(s->encr, key->ptr, iv->iv, out, ct.len) != 0)
		return -1;
	memcpy(iv->iv, next, bs);
	return 0;
}
