/* SPDX-License-Identifier: ISC */
/*
 * Where IKE meets XFRM: the one table from IKEv2 transform IDs (IANA
 * "Transform Type 1/3" registries, as libike's ikev2_const.h names them)
 * to the Linux crypto API names ESP uses, with the bytes of KEYMAT each
 * takes and the ICV or truncation length the kernel must be told.
 *
 * Salts and nonces are part of the key here, as both IKE (RFC 7296 2.17
 * takes them from KEYMAT right after the key) and the kernel (it expects
 * them appended to the key) see them.
 */
#include <errno.h>
#include <string.h>

#include "ikev2_const.h"
#include "xfrm.h"

struct encr_map {
	uint16_t id;       /* IKEV2_ENCR_* */
	uint16_t key_bits; /* Key Length attribute; 0 for a fixed size */
	const char *name;
	size_t key_len;        /* bytes, salt or nonce included */
	unsigned int icv_bits; /* AEAD only */
};

static const struct encr_map aead_map[] = {
    /* RFC 4106: 32-bit salt; the suffix of the IKE name is the ICV. */
    {IKEV2_ENCR_AES_GCM_16, 128, "rfc4106(gcm(aes))", 16 + 4, 128},
    {IKEV2_ENCR_AES_GCM_16, 192, "rfc4106(gcm(aes))", 24 + 4, 128},
    {IKEV2_ENCR_AES_GCM_16, 256, "rfc4106(gcm(aes))", 32 + 4, 128},
    {IKEV2_ENCR_AES_GCM_12, 128, "rfc4106(gcm(aes))", 16 + 4, 96},
    {IKEV2_ENCR_AES_GCM_12, 192, "rfc4106(gcm(aes))", 24 + 4, 96},
    {IKEV2_ENCR_AES_GCM_12, 256, "rfc4106(gcm(aes))", 32 + 4, 96},
    {IKEV2_ENCR_AES_GCM_8, 128, "rfc4106(gcm(aes))", 16 + 4, 64},
    {IKEV2_ENCR_AES_GCM_8, 192, "rfc4106(gcm(aes))", 24 + 4, 64},
    {IKEV2_ENCR_AES_GCM_8, 256, "rfc4106(gcm(aes))", 32 + 4, 64},
    /* RFC 7634: 256-bit key, 32-bit salt; no Key Length attribute. */
    {IKEV2_ENCR_CHACHA20_POLY1305, 0, "rfc7539esp(chacha20,poly1305)", 32 + 4,
     128},
    /* RFC 4543: integrity only, but a combined mode to the kernel. */
    {IKEV2_ENCR_NULL_AUTH_AES_GMAC, 128, "rfc4543(gcm(aes))", 16 + 4, 128},
    {IKEV2_ENCR_NULL_AUTH_AES_GMAC, 192, "rfc4543(gcm(aes))", 24 + 4, 128},
    {IKEV2_ENCR_NULL_AUTH_AES_GMAC, 256, "rfc4543(gcm(aes))", 32 + 4, 128},
};

static const struct encr_map cipher_map[] = {
    {IKEV2_ENCR_AES_CBC, 128, "cbc(aes)", 16, 0}, /* RFC 3602 */
    {IKEV2_ENCR_AES_CBC, 192, "cbc(aes)", 24, 0},
    {IKEV2_ENCR_AES_CBC, 256, "cbc(aes)", 32, 0},
    /* RFC 3686 / RFC 5930: 32-bit nonce after the key. */
    {IKEV2_ENCR_AES_CTR, 128, "rfc3686(ctr(aes))", 16 + 4, 0},
    {IKEV2_ENCR_AES_CTR, 192, "rfc3686(ctr(aes))", 24 + 4, 0},
    {IKEV2_ENCR_AES_CTR, 256, "rfc3686(ctr(aes))", 32 + 4, 0},
    {IKEV2_ENCR_3DES, 0, "cbc(des3_ede)", 24, 0},
    /* ESP with integrity only (RFC 4303 3.2) still names a cipher. */
    {IKEV2_ENCR_NULL, 0, "ecb(cipher_null)", 0, 0},
};

struct integ_map {
	uint16_t id; /* IKEV2_INTEG_* */
	const char *name;
	size_t key_len;
	unsigned int trunc_bits;
};

static const struct integ_map integ_map[] = {
    {IKEV2_INTEG_HMAC_SHA2_256_128, "hmac(sha256)", 32, 128}, /* RFC 4868 */
    {IKEV2_INTEG_HMAC_SHA2_384_192, "hmac(sha384)", 48, 192},
    {IKEV2_INTEG_HMAC_SHA2_512_256, "hmac(sha512)", 64, 256},
    {IKEV2_INTEG_HMAC_SHA1_96, "hmac(sha1)", 20, 96}, /* RFC 2404 */
    {IKEV2_INTEG_HMAC_MD5_96, "hmac(md5)", 16, 96},   /* RFC 2403 */
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const struct encr_map *
find_encr(const struct encr_map *map, size_t n, uint16_t id, uint16_t bits)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (map[i].id == id && map[i].key_bits == bits)
			return &map[i];
	return NULL;
}

int
xfrm_alg_for_ike(uint16_t encr, uint16_t key_bits, uint16_t integ,
		 struct xfrm_algs *out)
{
	const struct encr_map *e;
	size_t i;

	memset(out, 0, sizeof(*out));
	if ((e = find_encr(aead_map, NELEM(aead_map), encr, key_bits))) {
		/* RFC 7296 3.3: a combined-mode cipher carries its own
		 * integrity, so a proposal pairing it with INTEG is wrong. */
		if (integ != IKEV2_INTEG_NONE)
			return -EINVAL;
		out->aead = true;
		out->enc.name = e->name;
		out->enc.key_len = e->key_len;
		out->enc.icv_bits = e->icv_bits;
		return 0;
	}
	if (!(e = find_encr(cipher_map, NELEM(cipher_map), encr, key_bits)))
		return -ENOTSUP;
	/* RFC 8221 5: ESP without integrity is a MUST NOT for IKEv2 SAs. */
	if (integ == IKEV2_INTEG_NONE)
		return -EINVAL;
	for (i = 0; i < NELEM(integ_map); i++) {
		if (integ_map[i].id != integ)
			continue;
		out->enc.name = e->name;
		out->enc.key_len = e->key_len;
		out->auth.name = integ_map[i].name;
		out->auth.key_len = integ_map[i].key_len;
		out->auth.icv_bits = integ_map[i].trunc_bits;
		return 0;
	}
	memset(out, 0, sizeof(*out));
	return -ENOTSUP;
}
