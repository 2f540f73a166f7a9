/* SPDX-License-Identifier: ISC */
/*
 * IKEv1 (RFC 2409) cryptography without engine state: the phase 1 keys
 * SKEYID, SKEYID_d, SKEYID_a, SKEYID_e and the encryption key (keymat_v1.c),
 * the HASH payload values and the phase 2 KEYMAT (keymat_v1.c), and the
 * CBC encryption of message bodies with its IV chains (v1_crypt.c).
 * Everything goes through crypto.c (OpenSSL 3 EVP); every key is a struct
 * secret.
 *
 * Return convention as in crypto.h: 0 on success, -1 on failure.
 */
#ifndef LIBIKE_KEYMAT_V1_H
#define LIBIKE_KEYMAT_V1_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "crypto.h"

#define V1_COOKIE_LEN 8
#define V1_IV_MAX     16 /* the largest block of a phase 1 cipher (AES) */
#define V1_HASH_MAX   64 /* the largest prf output (HMAC-SHA2-512) */

/* keymat_v1.c */

/* The algorithms of a phase 1 SA. */
struct v1_suite {
	const struct prf_alg *prf;   /* HMAC of the negotiated hash */
	const char *hash;            /* the hash itself, for the IVs */
	size_t hash_len;             /* its output length */
	const struct encr_alg *encr; /* a CBC cipher */
};

/* The suite from the phase 1 attributes (RFC 2409 Appendix A):
 * encryption algorithm, key length in bits (0 if the attribute is
 * absent), hash algorithm and PRF (0 if absent). -1 if one is unknown or
 * not usable in phase 1. Every hash of the registry maps, MD5 included:
 * whether a weak algorithm (ALG_F_WEAK) may be chosen is the proposal
 * policy's decision, taken before keys are derived. */
int keymat_v1_suite(uint16_t encr, uint16_t key_bits, uint16_t hash,
		    uint16_t prf, struct v1_suite *s);

struct v1_keys {
	struct secret *skeyid;
	struct secret *skeyid_d, *skeyid_a, *skeyid_e;
	struct secret *enc_key; /* the cipher's key, extended if need be */
};

/* RFC 2409 5: SKEYID = prf(pre-shared-key, Ni_b | Nr_b) when psk is
 * given, else (signatures) prf(Ni_b | Nr_b, g^xy); then SKEYID_d, _a, _e
 * from g^xy and the cookies, and the encryption key from SKEYID_e
 * (Appendix B). */
int keymat_v1_ike(const struct v1_suite *s, const struct secret *psk,
		  const struct secret *gxy, struct bytes ni, struct bytes nr,
		  const uint8_t cky_i[V1_COOKIE_LEN],
		  const uint8_t cky_r[V1_COOKIE_LEN], struct v1_keys *out);
/* The same from SKEYID on, out->skeyid given (by the psk plugin, which
 * keeps the PSK: IKE_AUTH_PURPOSE_V1_SKEYID). On failure out is cleared,
 * SKEYID too. */
int keymat_v1_ike_rest(const struct v1_suite *s, const struct secret *gxy,
		       const uint8_t cky_i[V1_COOKIE_LEN],
		       const uint8_t cky_r[V1_COOKIE_LEN], struct v1_keys *out);
void v1_keys_clear(struct v1_keys *k);

/* HASH_I (responder false) or HASH_R (responder true) of RFC 2409 5:
 *   HASH_I = prf(SKEYID, g^xi | g^xr | CKY-I | CKY-R | SAi_b | IDii_b)
 *   HASH_R = prf(SKEYID, g^xr | g^xi | CKY-R | CKY-I | SAi_b | IDir_b)
 * gxi, gxr are the KE payloads' data, sai_b the initiator's SA payload
 * body and id_b the sender's ID payload body (generic headers excluded).
 * out holds s->prf->out_len bytes. */
int keymat_v1_hash_auth(const struct v1_suite *s, const struct secret *skeyid,
			bool responder, struct bytes gxi, struct bytes gxr,
			const uint8_t cky_i[V1_COOKIE_LEN],
			const uint8_t cky_r[V1_COOKIE_LEN], struct bytes sai_b,
			struct bytes id_b, uint8_t *out);

/* The Quick Mode hashes of RFC 2409 5.5 and the Informational hash of
 * 5.7, all keyed with SKEYID_a; rest is the message after the HASH
 * payload (its payloads' headers included, padding excluded):
 *   HASH(1) = prf(SKEYID_a, M-ID | rest)            also Informational
 *   HASH(2) = prf(SKEYID_a, M-ID | Ni_b | rest)
 *   HASH(3) = prf(SKEYID_a, 0 | M-ID | Ni_b | Nr_b)
 * out holds prf->out_len bytes. */
int keymat_v1_hash1(const struct prf_alg *prf, const struct secret *skeyid_a,
		    uint32_t mid, struct bytes rest, uint8_t *out);
int keymat_v1_hash2(const struct prf_alg *prf, const struct secret *skeyid_a,
		    uint32_t mid, struct bytes ni_b, struct bytes rest,
		    uint8_t *out);
int keymat_v1_hash3(const struct prf_alg *prf, const struct secret *skeyid_a,
		    uint32_t mid, struct bytes ni_b, struct bytes nr_b,
		    uint8_t *out);
/* A received HASH against the one we computed, in constant time; false
 * when the lengths differ. */
bool keymat_v1_hash_equal(const uint8_t *want, size_t want_len,
			  struct bytes got);

/* Phase 2 KEYMAT for one SPI (RFC 2409 5.5):
 *   KEYMAT = K1 | K2 | ...,  K1 = prf(SKEYID_d, [g(qm)^xy |] protocol |
 *   SPI | Ni_b | Nr_b),  Kn = prf(SKEYID_d, Kn-1 | [g(qm)^xy |] ... )
 * cut into the encryption key then the integrity key (either may be 0
 * bytes long, leaving that key NULL). gxy is NULL without PFS. */
int keymat_v1_child_spi(const struct prf_alg *prf,
			const struct secret *skeyid_d, const struct secret *gxy,
			uint8_t protocol, const uint8_t spi[SPI4_LEN],
			struct bytes ni_b, struct bytes nr_b, size_t encr_len,
			size_t integ_len, struct secret **encr,
			struct secret **integ);
/* Both directions of a Quick Mode's SA pair: encr_i/integ_i protect
 * initiator-to-responder traffic and so use the responder's SPI (the SA
 * the responder receives on), encr_r/integ_r the initiator's SPI. */
int keymat_v1_child(const struct prf_alg *prf, const struct secret *skeyid_d,
		    const struct secret *gxy, uint8_t protocol,
		    const uint8_t spi_i[SPI4_LEN],
		    const uint8_t spi_r[SPI4_LEN], struct bytes ni_b,
		    struct bytes nr_b, size_t encr_len, size_t integ_len,
		    struct child_keys *out);

/* v1_crypt.c */

/* One IV chain: the phase 1 exchange has one, each Quick Mode and each
 * Informational exchange (by message ID) one of its own. */
struct v1_iv {
	uint8_t iv[V1_IV_MAX];
	size_t len; /* the cipher's block size */
};

/* The phase 1 IV: hash(g^xi | g^xr) cut to the block size (Appendix B). */
int v1_iv_phase1(const struct v1_suite *s, struct bytes gxi, struct bytes gxr,
		 struct v1_iv *out);
/* The first IV of a phase 2 or Informational exchange:
 * hash(last phase 1 CBC output block | M-ID) cut to the block size
 * (Appendix B); p1 is the phase 1 chain once phase 1 has completed. */
int v1_iv_phase2(const struct v1_suite *s, const struct v1_iv *p1, uint32_t mid,
		 struct v1_iv *out);
/* The IV after a message: its last ciphertext block. -1 (iv unchanged)
 * if the ciphertext is shorter than a block. */
int v1_iv_advance(struct v1_iv *iv, const uint8_t *ct, size_t ct_len);

/* Bytes an encrypted body of plain_len bytes takes: padded to the block
 * size, with at least one byte of padding. */
size_t v1_crypt_len(const struct v1_suite *s, size_t plain_len);
/* Encrypt the body of a message (what follows the ISAKMP header) into
 * out, which has room for cap bytes; *out_len is v1_crypt_len(). iv is
 * used and then advanced to the last ciphertext block. */
int v1_crypt_encrypt(const struct v1_suite *s, const struct secret *key,
		     struct v1_iv *iv, struct bytes plain, uint8_t *out,
		     size_t cap, size_t *out_len);
/* Decrypt a received body into out (cap bytes; out may be ct itself).
 * The plaintext keeps the sender's padding: the payload chain's lengths
 * say where it ends. iv is advanced to the last ciphertext block only on
 * success. -1 if ct is empty or not a whole number of blocks. */
int v1_crypt_decrypt(const struct v1_suite *s, const struct secret *key,
		     struct v1_iv *iv, struct bytes ct, uint8_t *out,
		     size_t cap);

#endif
