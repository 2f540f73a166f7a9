/* SPDX-License-Identifier: ISC */
/*
 * Cryptography for IKEv2 over OpenSSL 3 EVP: the algorithms' properties,
 * PRF and prf+, integrity MACs, SK payload ciphers (AEAD and CBC), key
 * exchange (dh.c) and IKE/CHILD key derivation (keymat_v2.c). No primitive
 * is written by hand here.
 *
 * Return convention: 0 on success, -1 on failure (unsupported algorithm,
 * OpenSSL error, failed authentication tag, invalid peer public value).
 */
#ifndef LIBIKE_CRYPTO_H
#define LIBIKE_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* crypto.c */

/* An encryption transform as the SK payload and ESP use it. For AEAD
 * ciphers key_len includes the salt taken from the keying material (RFC 5282
 * section 7.1, RFC 7634 section 2). */
struct encr_alg {
	uint16_t id;       /* IKEV2_ENCR_* */
	uint16_t key_bits; /* the Key Length attribute; 0 for fixed-size */
	size_t key_len;    /* bytes of keying material, salt included */
	size_t salt_len;
	size_t iv_len;    /* bytes of IV carried in the payload */
	size_t block_len; /* padding unit */
	size_t icv_len;   /* AEAD tag length; 0 for non-AEAD */
	bool aead;
	const char *evp_name; /* OpenSSL cipher name */
};

struct integ_alg {
	uint16_t id; /* IKEV2_INTEG_* */
	size_t key_len;
	size_t icv_len; /* truncated output length */
	const char *digest;
};

struct prf_alg {
	uint16_t id;    /* IKEV2_PRF_* */
	size_t key_len; /* preferred key length (= output length for HMAC) */
	size_t out_len;
	const char *digest;
};

/* NULL when the algorithm (or that key size) is not supported. */
const struct encr_alg *crypto_encr(uint16_t id, uint16_t key_bits);
const struct integ_alg *crypto_integ(uint16_t id);
const struct prf_alg *crypto_prf(uint16_t id);

/* prf(key, parts[0] | parts[1] | ...); out holds prf->out_len bytes. */
int crypto_prf_compute(const struct prf_alg *prf, const uint8_t *key,
		       size_t key_len, const struct bytes *parts, size_t nparts,
		       uint8_t *out);
/* prf+ of RFC 7296 section 2.13 over the concatenated seed parts. At most
 * 255 PRF outputs can be produced; asking for more fails. */
int crypto_prf_plus(const struct prf_alg *prf, const uint8_t *key,
		    size_t key_len, const struct bytes *seed, size_t nseed,
		    uint8_t *out, size_t out_len);
/* Truncated HMAC over parts; out holds integ->icv_len bytes. */
int crypto_integ_compute(const struct integ_alg *integ, const uint8_t *key,
			 const struct bytes *parts, size_t nparts,
			 uint8_t *out);
/* Verify a received ICV in constant time. */
int crypto_integ_verify(const struct integ_alg *integ, const uint8_t *key,
			const struct bytes *parts, size_t nparts,
			const uint8_t *icv);

/* AEAD in place: key is encr->key_len bytes (key then salt), iv is
 * encr->iv_len bytes, nonce = salt | iv. open returns -1 when the tag does
 * not verify, and then buf is left undefined. */
int crypto_aead_seal(const struct encr_alg *encr, const uint8_t *key,
		     const uint8_t *iv, struct bytes aad, uint8_t *buf,
		     size_t len, uint8_t *icv);
int crypto_aead_open(const struct encr_alg *encr, const uint8_t *key,
		     const uint8_t *iv, struct bytes aad, uint8_t *buf,
		     size_t len, const uint8_t *icv);
/* CBC in place, no padding: len must be a multiple of encr->block_len. */
int crypto_cbc_encrypt(const struct encr_alg *encr, const uint8_t *key,
		       const uint8_t *iv, uint8_t *buf, size_t len);
int crypto_cbc_decrypt(const struct encr_alg *encr, const uint8_t *key,
		       const uint8_t *iv, uint8_t *buf, size_t len);

/* SipHash-2-4, 128-bit output, of parts[0] | parts[1] | ...: a keyed hash
 * for the engine's own bookkeeping, not for the protocol. */
#define CRYPTO_SIPHASH_KEY_LEN 16
#define CRYPTO_SIPHASH_LEN     16
int crypto_siphash(const uint8_t key[CRYPTO_SIPHASH_KEY_LEN],
		   const struct bytes *parts, size_t nparts,
		   uint8_t out[CRYPTO_SIPHASH_LEN]);

int crypto_random(uint8_t *out, size_t len);

/* dh.c: key exchange methods with validation of the peer's public value. */
struct dh;

bool dh_supported(uint16_t group);
/* Length of the KE payload's key exchange data for the group, 0 if unknown. */
size_t dh_public_len(uint16_t group);
/* A fresh key pair. */
struct dh *dh_new(uint16_t group);
/* A fresh key pair whose private value comes from rand (NULL: OpenSSL's
 * generator), so that a seeded engine repeats its key exchanges. */
struct dh *dh_new_rand(uint16_t group,
		       int (*rand)(void *ctx, uint8_t *out, size_t len),
		       void *ctx);
/* A key pair from a given private value (known-answer tests). */
struct dh *dh_new_from_private(uint16_t group, const uint8_t *priv, size_t len);
/* Our public value as the KE payload carries it (RFC 7296 3.4, RFC 5903
 * section 7 for ECP: x | y, RFC 8031 for curve25519/448). */
int dh_public(const struct dh *dh, uint8_t *out, size_t len);
/* The shared secret g^ir; -1 if the peer's value is invalid (wrong length,
 * not on the curve, not 1 < y < p-1, or an all-zero X25519/X448 result). */
int dh_shared(struct dh *dh, const uint8_t *peer, size_t len,
	      struct secret **out);
void dh_free(struct dh *dh);

/* keymat_v2.c: RFC 7296 sections 2.14, 2.17 and 2.18. */
struct ike_suite {
	const struct encr_alg *encr;
	const struct integ_alg *integ; /* NULL with an AEAD cipher */
	const struct prf_alg *prf;
	uint16_t dh;
};

struct ike_keys {
	struct secret *skeyseed;
	struct secret *sk_d, *sk_ai, *sk_ar, *sk_ei, *sk_er, *sk_pi, *sk_pr;
};

/* SKEYSEED = prf(Ni | Nr, g^ir) and the seven keys from prf+(SKEYSEED,
 * Ni | Nr | SPIi | SPIr). */
int keymat_v2_ike(const struct ike_suite *s, const struct secret *gir,
		  struct bytes ni, struct bytes nr, const uint8_t spi_i[8],
		  const uint8_t spi_r[8], struct ike_keys *out);
/* IKE SA rekey (2.18): SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr)
 * with the old SA's PRF, then the keys as above with the new suite. */
int keymat_v2_ike_rekey(const struct prf_alg *old_prf,
			const struct secret *old_sk_d,
			const struct ike_suite *s, const struct secret *gir,
			struct bytes ni, struct bytes nr,
			const uint8_t spi_i[8], const uint8_t spi_r[8],
			struct ike_keys *out);
void ike_keys_clear(struct ike_keys *k);
struct proposal;
/* The algorithms of a negotiated IKE proposal; -1 if one is missing or
 * not implemented. */
int keymat_v2_suite(const struct proposal *p, uint16_t dh, struct ike_suite *s);

/* CHILD SA keying material (2.17): KEYMAT = prf+(SK_d, [g^ir (new) |] Ni |
 * Nr), taken as encryption then integrity key for initiator-to-responder,
 * then the same for responder-to-initiator. gir is NULL without PFS. */
struct child_keys {
	struct secret *encr_i, *integ_i; /* initiator to responder */
	struct secret *encr_r, *integ_r; /* responder to initiator */
};

int keymat_v2_child(const struct prf_alg *prf, const struct secret *sk_d,
		    const struct secret *gir, struct bytes ni, struct bytes nr,
		    size_t encr_len, size_t integ_len, struct child_keys *out);
void child_keys_clear(struct child_keys *k);

#endif
