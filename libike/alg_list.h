/* SPDX-License-Identifier: ISC */
/*
 * The algorithm registry: every transform charond knows by name, written
 * down once. Its readers each expand the lines they need into a plain
 * const table of their own, by defining the macros below before including
 * this file (the ones left undefined expand to nothing):
 *
 *   libike/prop.c       keywords, IKEv2 and IKEv1 numbers, where usable
 *   libike/crypto.c     the OpenSSL view: cipher and digest names, sizes
 *   libxfrm/xfrm_alg.c  the kernel view: Linux crypto API names, sizes
 *
 * so a keyword the parser accepts cannot miss its crypto or its kernel
 * name (test/unit/xfrm/test_alg_registry.c walks all of it). The first
 * entry with a given (type, id, key bits) is the one the wire maps to.
 *
 * ALG_ENCR(keyword, id, key_bits, flags, key_len, salt_len, iv_len,
 *          block_len, icv_len, evp, xfrm, v1_p1, v1_p2)
 *   key_bits: the Key Length attribute, 0 for a cipher of one size.
 *   key_len: bytes of KEYMAT, salt included (RFC 5282 7.1, RFC 7634 2,
 *   RFC 4106 8.1); the kernel takes key and salt in one, as IKE cuts it.
 *   iv_len: bytes of IV in each packet; block_len: the padding unit;
 *   icv_len: AEAD tag bytes (the kernel's ICV), 0 without.
 *   evp: OpenSSL cipher; xfrm: Linux crypto API name for ESP.
 *   v1_p1, v1_p2: IKEv1 phase 1 and IPsec DOI numbers, 0 for none.
 *
 * ALG_INTEG(keyword, id, flags, key_len, icv_len, digest, prf, xfrm,
 *           v1_p1, v1_p2)
 *   HMACs: the key is as long as the hash output (RFC 2104, RFC 2404,
 *   RFC 4868 2.1.1), icv_len the truncated MAC (the kernel's trunc_len);
 *   prf: the PRF an IKE proposal derives from it when it names none
 *   (strongSwan's rule), 0 for none.
 *
 * ALG_PRF(keyword, id, flags, key_len, digest, v1_p1)
 *   HMAC PRFs: key_len is the preferred key length and the output length.
 *   IKEv1 has no PRF transform; v1_p1 is the phase 1 hash it maps to.
 *
 * ALG_DH(keyword, id, flags, v1)      key exchange; dh.c runs it
 * ALG_ESN(keyword, id)                ESP only, IKEv2 only
 *
 * Deliberately not here, though the kernel has them: AES-CTR, AES-GMAC,
 * NULL encryption, AES-XCBC. A line here is a promise that the keyword
 * works end to end; add one together with what it needs.
 */
#include "alg.h"

#ifndef ALG_ENCR
#define ALG_ENCR(kw, id, bits, fl, key, salt, iv, blk, icv, evp, xf, p1, p2)
#endif
#ifndef ALG_INTEG
#define ALG_INTEG(kw, id, fl, key, icv, digest, prf, xf, p1, p2)
#endif
#ifndef ALG_PRF
#define ALG_PRF(kw, id, fl, key, digest, p1)
#endif
#ifndef ALG_DH
#define ALG_DH(kw, id, fl, v1)
#endif
#ifndef ALG_ESN
#define ALG_ESN(kw, id)
#endif

/* clang-format off */

/* AES-CBC (RFC 3602) carries its key size in the Key Length attribute
 * (RFC 7296 3.3.5); 3DES and ChaCha20 have fixed keys and no attribute. */
ALG_ENCR("aes128", IKEV2_ENCR_AES_CBC, 128, ALG_F_BOTH,
	 16, 0, 16, 16, 0, "AES-128-CBC", "cbc(aes)",
	 ALG_V1_ENCR_AES_CBC, ALG_V1_ESP_AES)
ALG_ENCR("aes192", IKEV2_ENCR_AES_CBC, 192, ALG_F_BOTH,
	 24, 0, 16, 16, 0, "AES-192-CBC", "cbc(aes)",
	 ALG_V1_ENCR_AES_CBC, ALG_V1_ESP_AES)
ALG_ENCR("aes256", IKEV2_ENCR_AES_CBC, 256, ALG_F_BOTH,
	 32, 0, 16, 16, 0, "AES-256-CBC", "cbc(aes)",
	 ALG_V1_ENCR_AES_CBC, ALG_V1_ESP_AES)

/* AES-GCM (RFC 4106 for ESP, RFC 5282 for IKE): 4 bytes of salt after
 * the key, an 8-byte IV in the packet, padding to 4 bytes so the ICV stays
 * aligned (RFC 5282 3). The keyword's suffix is the ICV length in bytes.
 * IKEv1 phase 1 has no GCM. */
ALG_ENCR("aes128gcm16", IKEV2_ENCR_AES_GCM_16, 128, ALG_F_BOTH | ALG_F_AEAD,
	 20, 4, 8, 4, 16, "AES-128-GCM", "rfc4106(gcm(aes))",
	 0, ALG_V1_ESP_AES_GCM_16)
ALG_ENCR("aes192gcm16", IKEV2_ENCR_AES_GCM_16, 192, ALG_F_BOTH | ALG_F_AEAD,
	 28, 4, 8, 4, 16, "AES-192-GCM", "rfc4106(gcm(aes))",
	 0, ALG_V1_ESP_AES_GCM_16)
ALG_ENCR("aes256gcm16", IKEV2_ENCR_AES_GCM_16, 256, ALG_F_BOTH | ALG_F_AEAD,
	 36, 4, 8, 4, 16, "AES-256-GCM", "rfc4106(gcm(aes))",
	 0, ALG_V1_ESP_AES_GCM_16)
ALG_ENCR("aes128gcm12", IKEV2_ENCR_AES_GCM_12, 128, ALG_F_BOTH | ALG_F_AEAD,
	 20, 4, 8, 4, 12, "AES-128-GCM", "rfc4106(gcm(aes))",
	 0, ALG_V1_ESP_AES_GCM_12)
ALG_ENCR("aes192gcm12", IKEV2_ENCR_AES_GCM_12, 192, ALG_F_BOTH | ALG_F_AEAD,
	 28, 4, 8, 4, 12, "AES-192-GCM", "rfc4106(gcm(aes))",
	 0, ALG_V1_ESP_AES_GCM_12)
ALG_ENCR("aes256gcm12", IKEV2_ENCR_AES_GCM_12, 256, ALG_F_BOTH | ALG_F_AEAD,
	 36, 4, 8, 4, 12, "AES-256-GCM", "rfc4106(gcm(aes))",
	 0, ALG_V1_ESP_AES_GCM_12)
ALG_ENCR("aes128gcm8", IKEV2_ENCR_AES_GCM_8, 128, ALG_F_BOTH | ALG_F_AEAD,
	 20, 4, 8, 4, 8, "AES-128-GCM", "rfc4106(gcm(aes))",
	 0, ALG_V1_ESP_AES_GCM_8)
ALG_ENCR("aes192gcm8", IKEV2_ENCR_AES_GCM_8, 192, ALG_F_BOTH | ALG_F_AEAD,
	 28, 4, 8, 4, 8, "AES-192-GCM", "rfc4106(gcm(aes))",
	 0, ALG_V1_ESP_AES_GCM_8)
ALG_ENCR("aes256gcm8", IKEV2_ENCR_AES_GCM_8, 256, ALG_F_BOTH | ALG_F_AEAD,
	 36, 4, 8, 4, 8, "AES-256-GCM", "rfc4106(gcm(aes))",
	 0, ALG_V1_ESP_AES_GCM_8)

/* RFC 7634, for IKE and ESP alike: a 256-bit key and 4 bytes of salt; a
 * stream cipher, so no padding unit. Never registered for IKEv1. */
ALG_ENCR("chacha20poly1305", IKEV2_ENCR_CHACHA20_POLY1305, 0,
	 ALG_F_BOTH | ALG_F_AEAD,
	 36, 4, 8, 1, 16, "ChaCha20-Poly1305", "rfc7539esp(chacha20,poly1305)",
	 0, 0)

/* 64-bit blocks (Sweet32): only for old L2TP clients. */
ALG_ENCR("3des", IKEV2_ENCR_3DES, 0, ALG_F_BOTH | ALG_F_WEAK,
	 24, 0, 8, 8, 0, "DES-EDE3-CBC", "cbc(des3_ede)",
	 ALG_V1_ENCR_3DES_CBC, ALG_V1_ESP_3DES)

/* Integrity: RFC 2404, RFC 4868 (truncated to half the output), RFC 2403. */
ALG_INTEG("sha1", IKEV2_INTEG_HMAC_SHA1_96, ALG_F_BOTH,
	  20, 12, "SHA1", IKEV2_PRF_HMAC_SHA1, "hmac(sha1)",
	  ALG_V1_HASH_SHA, ALG_V1_AUTH_HMAC_SHA)
ALG_INTEG("sha256", IKEV2_INTEG_HMAC_SHA2_256_128, ALG_F_BOTH,
	  32, 16, "SHA2-256", IKEV2_PRF_HMAC_SHA2_256, "hmac(sha256)",
	  ALG_V1_HASH_SHA2_256, ALG_V1_AUTH_HMAC_SHA2_256)
ALG_INTEG("sha384", IKEV2_INTEG_HMAC_SHA2_384_192, ALG_F_BOTH,
	  48, 24, "SHA2-384", IKEV2_PRF_HMAC_SHA2_384, "hmac(sha384)",
	  ALG_V1_HASH_SHA2_384, ALG_V1_AUTH_HMAC_SHA2_384)
ALG_INTEG("sha512", IKEV2_INTEG_HMAC_SHA2_512_256, ALG_F_BOTH,
	  64, 32, "SHA2-512", IKEV2_PRF_HMAC_SHA2_512, "hmac(sha512)",
	  ALG_V1_HASH_SHA2_512, ALG_V1_AUTH_HMAC_SHA2_512)
ALG_INTEG("md5", IKEV2_INTEG_HMAC_MD5_96, ALG_F_BOTH | ALG_F_WEAK,
	  16, 12, "MD5", IKEV2_PRF_HMAC_MD5, "hmac(md5)",
	  ALG_V1_HASH_MD5, ALG_V1_AUTH_HMAC_MD5)
/* See ALG_INTEG_HMAC_SHA2_256_96 in alg.h: ESP only, under IKEv1 the
 * standard HMAC-SHA2-256 number (Android 6/7 in Quick Mode). */
ALG_INTEG("sha256_96", ALG_INTEG_HMAC_SHA2_256_96, ALG_F_ESP | ALG_F_PRIVATE,
	  32, 12, "SHA2-256", 0, "hmac(sha256)",
	  0, ALG_V1_AUTH_HMAC_SHA2_256)

/* PRFs exist as a transform only in IKE; IKEv1 uses the phase 1 hash as
 * HMAC PRF (RFC 2409 5), so they map to the hash number. */
ALG_PRF("prfsha1", IKEV2_PRF_HMAC_SHA1, ALG_F_IKE, 20, "SHA1",
	ALG_V1_HASH_SHA)
ALG_PRF("prfsha256", IKEV2_PRF_HMAC_SHA2_256, ALG_F_IKE, 32, "SHA2-256",
	ALG_V1_HASH_SHA2_256)
ALG_PRF("prfsha384", IKEV2_PRF_HMAC_SHA2_384, ALG_F_IKE, 48, "SHA2-384",
	ALG_V1_HASH_SHA2_384)
ALG_PRF("prfsha512", IKEV2_PRF_HMAC_SHA2_512, ALG_F_IKE, 64, "SHA2-512",
	ALG_V1_HASH_SHA2_512)
ALG_PRF("prfmd5", IKEV2_PRF_HMAC_MD5, ALG_F_IKE | ALG_F_WEAK, 16, "MD5",
	ALG_V1_HASH_MD5)

/* Key exchange, in IKE and for PFS in ESP. MODP below 2048 bits is weak
 * (RFC 8247 2.4). IKEv1 group descriptions share the numbers, except for
 * Curve25519/448. */
ALG_DH("modp2048", IKEV2_DH_MODP2048, ALG_F_BOTH, IKEV2_DH_MODP2048)
ALG_DH("modp3072", IKEV2_DH_MODP3072, ALG_F_BOTH, IKEV2_DH_MODP3072)
ALG_DH("modp4096", IKEV2_DH_MODP4096, ALG_F_BOTH, IKEV2_DH_MODP4096)
ALG_DH("ecp256", IKEV2_DH_ECP256, ALG_F_BOTH, IKEV2_DH_ECP256)
ALG_DH("ecp384", IKEV2_DH_ECP384, ALG_F_BOTH, IKEV2_DH_ECP384)
ALG_DH("ecp521", IKEV2_DH_ECP521, ALG_F_BOTH, IKEV2_DH_ECP521)
ALG_DH("curve25519", IKEV2_DH_CURVE25519, ALG_F_BOTH, 0)
ALG_DH("curve448", IKEV2_DH_CURVE448, ALG_F_BOTH, 0)
ALG_DH("modp1024", IKEV2_DH_MODP1024, ALG_F_BOTH | ALG_F_WEAK,
       IKEV2_DH_MODP1024)
ALG_DH("modp1536", IKEV2_DH_MODP1536, ALG_F_BOTH | ALG_F_WEAK,
       IKEV2_DH_MODP1536)

/* ESN is an ESP/AH transform in IKEv2 only; IKEv1 negotiates it with an
 * SA attribute (RFC 4304). */
ALG_ESN("noesn", IKEV2_ESN_NO)
ALG_ESN("esn", IKEV2_ESN_YES)

/* clang-format on */

#undef ALG_ENCR
#undef ALG_INTEG
#undef ALG_PRF
#undef ALG_DH
#undef ALG_ESN
