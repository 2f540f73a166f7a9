/* SPDX-License-Identifier: ISC */
/*
 * What the algorithm registry (alg_list.h) is written in: where an
 * algorithm may be used, and the numbers it is known by besides its IKEv2
 * transform ID. Plain constants only, so that libxfrm can read the
 * registry as well as libike.
 */
#ifndef LIBIKE_ALG_H
#define LIBIKE_ALG_H

#include "ikev2_const.h"

/* Where a keyword may appear, and how it is treated there. */
#define ALG_F_IKE     0x01 /* in IKE proposals: crypto.c runs it */
#define ALG_F_ESP     0x02 /* in ESP proposals: the kernel runs it */
#define ALG_F_AEAD    0x04 /* combined mode: no separate integrity */
#define ALG_F_WEAK    0x08 /* used only when a config names it; warn */
#define ALG_F_PRIVATE 0x10 /* IKEv2 id from the private-use range */

#define ALG_F_BOTH (ALG_F_IKE | ALG_F_ESP)

/*
 * HMAC-SHA2-256 truncated to 96 bits, the pre-RFC 4868 truncation old
 * Linux kernels used and Android 6/7 still send for ESP under IKEv1's
 * standard HMAC-SHA2-256 number. IKEv2 has no IANA id for it; we use the
 * private-use id (RFC 7296 3.3.2: 1024-65535) strongSwan gives it,
 * AUTH_HMAC_SHA2_256_96, so that two peers configured alike agree. Only
 * meaningful in ESP proposals, and never chosen unless a config names it.
 */
#define ALG_INTEG_HMAC_SHA2_256_96 1026

/*
 * IKEv1 numbers. Phase 1 uses the IKE attribute registry (RFC 2409
 * Appendix A, extended in the IANA "IKE Attributes" registry); Quick Mode
 * uses the IPsec DOI (RFC 2407 4.4.4 ESP transform IDs, 4.5 authentication
 * algorithms). Group descriptions share IKEv2's numbers for MODP (RFC 2409,
 * RFC 3526) and ECP (RFC 5903); Curve25519/448 (RFC 8031) were only
 * registered for IKEv2.
 */
#define ALG_V1_ENCR_3DES_CBC      5
#define ALG_V1_ENCR_AES_CBC       7
#define ALG_V1_HASH_MD5           1
#define ALG_V1_HASH_SHA           2
#define ALG_V1_HASH_SHA2_256      4
#define ALG_V1_HASH_SHA2_384      5
#define ALG_V1_HASH_SHA2_512      6
#define ALG_V1_ESP_3DES           3
#define ALG_V1_ESP_AES            12
#define ALG_V1_ESP_AES_GCM_8      18
#define ALG_V1_ESP_AES_GCM_12     19
#define ALG_V1_ESP_AES_GCM_16     20
#define ALG_V1_AUTH_HMAC_MD5      1
#define ALG_V1_AUTH_HMAC_SHA      2
#define ALG_V1_AUTH_HMAC_SHA2_256 5
#define ALG_V1_AUTH_HMAC_SHA2_384 6
#define ALG_V1_AUTH_HMAC_SHA2_512 7

#endif
