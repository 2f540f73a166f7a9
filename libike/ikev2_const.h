/* SPDX-License-Identifier: ISC */
/*
 * IANA registry values for IKEv2 (RFC 7296 section 3 and the IKEv2
 * parameters registry). Names are kept as IANA writes them so that a reader
 * can grep the RFC for any constant used in the code.
 */
#ifndef LIBIKE_IKEV2_CONST_H
#define LIBIKE_IKEV2_CONST_H

#define IKEV2_HDR_LEN     28 /* RFC 7296 3.1 */
#define IKEV2_GEN_HDR_LEN 4  /* RFC 7296 3.2 */
#define IKEV2_MAJOR       2
#define IKEV2_MINOR       0
#define IKEV2_SPI_LEN     8
#define IKEV2_MAX_MSG_LEN 65535 /* the length field is 32 bits, UDP is not */

/* Exchange types (RFC 7296 3.1) */
#define IKEV2_EXCH_IKE_SA_INIT     34
#define IKEV2_EXCH_IKE_AUTH        35
#define IKEV2_EXCH_CREATE_CHILD_SA 36
#define IKEV2_EXCH_INFORMATIONAL   37

/* Header flags (RFC 7296 3.1) */
#define IKEV2_FLAG_INITIATOR 0x08
#define IKEV2_FLAG_VERSION   0x10
#define IKEV2_FLAG_RESPONSE  0x20

/* Payload types (RFC 7296 3.2, RFC 7383) */
#define IKEV2_PL_NONE    0
#define IKEV2_PL_SA      33
#define IKEV2_PL_KE      34
#define IKEV2_PL_IDi     35
#define IKEV2_PL_IDr     36
#define IKEV2_PL_CERT    37
#define IKEV2_PL_CERTREQ 38
#define IKEV2_PL_AUTH    39
#define IKEV2_PL_NONCE   40
#define IKEV2_PL_N       41
#define IKEV2_PL_D       42
#define IKEV2_PL_V       43
#define IKEV2_PL_TSi     44
#define IKEV2_PL_TSr     45
#define IKEV2_PL_SK      46
#define IKEV2_PL_CP      47
#define IKEV2_PL_EAP     48
#define IKEV2_PL_SKF     53 /* RFC 7383 */

#define IKEV2_CRITICAL 0x80 /* flags byte of the generic payload header */

/* Protocol IDs (RFC 7296 3.3.1) */
#define IKEV2_PROTO_IKE 1
#define IKEV2_PROTO_AH  2
#define IKEV2_PROTO_ESP 3

/* Transform types (RFC 7296 3.3.2) */
#define IKEV2_TRANS_ENCR  1
#define IKEV2_TRANS_PRF   2
#define IKEV2_TRANS_INTEG 3
#define IKEV2_TRANS_DH    4
#define IKEV2_TRANS_ESN   5

/* Transform attribute (RFC 7296 3.3.5) */
#define IKEV2_ATTR_KEY_LENGTH 14
#define IKEV2_ATTR_AF_TV      0x8000

/* Encryption algorithms */
#define IKEV2_ENCR_3DES               3
#define IKEV2_ENCR_NULL               11
#define IKEV2_ENCR_AES_CBC            12
#define IKEV2_ENCR_AES_CTR            13
#define IKEV2_ENCR_AES_GCM_8          18
#define IKEV2_ENCR_AES_GCM_12         19
#define IKEV2_ENCR_AES_GCM_16         20
#define IKEV2_ENCR_NULL_AUTH_AES_GMAC 21
#define IKEV2_ENCR_CHACHA20_POLY1305  28

/* Pseudo-random functions */
#define IKEV2_PRF_HMAC_MD5      1
#define IKEV2_PRF_HMAC_SHA1     2
#define IKEV2_PRF_HMAC_SHA2_256 5
#define IKEV2_PRF_HMAC_SHA2_384 6
#define IKEV2_PRF_HMAC_SHA2_512 7

/* Integrity algorithms */
#define IKEV2_INTEG_NONE              0
#define IKEV2_INTEG_HMAC_MD5_96       1
#define IKEV2_INTEG_HMAC_SHA1_96      2
#define IKEV2_INTEG_HMAC_SHA2_256_128 12
#define IKEV2_INTEG_HMAC_SHA2_384_192 13
#define IKEV2_INTEG_HMAC_SHA2_512_256 14

/* Key exchange methods (Diffie-Hellman groups) */
#define IKEV2_DH_NONE       0
#define IKEV2_DH_MODP1024   2
#define IKEV2_DH_MODP1536   5
#define IKEV2_DH_MODP2048   14
#define IKEV2_DH_MODP3072   15
#define IKEV2_DH_MODP4096   16
#define IKEV2_DH_ECP256     19
#define IKEV2_DH_ECP384     20
#define IKEV2_DH_ECP521     21
#define IKEV2_DH_CURVE25519 31
#define IKEV2_DH_CURVE448   32

/* Extended sequence numbers */
#define IKEV2_ESN_NO  0
#define IKEV2_ESN_YES 1

/* Identification types (RFC 7296 3.5) */
#define IKEV2_ID_IPV4_ADDR   1
#define IKEV2_ID_FQDN        2
#define IKEV2_ID_RFC822_ADDR 3
#define IKEV2_ID_IPV6_ADDR   5
#define IKEV2_ID_DER_ASN1_DN 9
#define IKEV2_ID_DER_ASN1_GN 10
#define IKEV2_ID_KEY_ID      11

/* Certificate encodings (RFC 7296 3.6) */
#define IKEV2_CERT_X509_SIG        4
#define IKEV2_CERT_CRL             7
#define IKEV2_CERT_RAW_RSA_KEY     11 /* deprecated */
#define IKEV2_CERT_HASH_URL_X509   12
#define IKEV2_CERT_HASH_URL_BUNDLE 13

/* Authentication methods (RFC 7296 3.8, RFC 7427) */
#define IKEV2_AUTH_RSA_SIG        1
#define IKEV2_AUTH_SHARED_KEY_MIC 2
#define IKEV2_AUTH_DSS_SIG        3
#define IKEV2_AUTH_ECDSA_256      9
#define IKEV2_AUTH_ECDSA_384      10
#define IKEV2_AUTH_ECDSA_521      11
#define IKEV2_AUTH_DIGITAL_SIG    14 /* RFC 7427 */

/* Traffic selector types (RFC 7296 3.13.1) */
#define IKEV2_TS_IPV4_ADDR_RANGE 7
#define IKEV2_TS_IPV6_ADDR_RANGE 8

/* Configuration payload (RFC 7296 3.15) */
#define IKEV2_CFG_REQUEST 1
#define IKEV2_CFG_REPLY   2
#define IKEV2_CFG_SET     3
#define IKEV2_CFG_ACK     4

#define IKEV2_CFG_INTERNAL_IP4_ADDRESS 1
#define IKEV2_CFG_INTERNAL_IP4_NETMASK 2
#define IKEV2_CFG_INTERNAL_IP4_DNS     3
#define IKEV2_CFG_INTERNAL_IP4_NBNS    4
#define IKEV2_CFG_INTERNAL_IP4_DHCP    6
#define IKEV2_CFG_APPLICATION_VERSION  7
#define IKEV2_CFG_INTERNAL_IP6_ADDRESS 8
#define IKEV2_CFG_INTERNAL_IP6_DNS     10
#define IKEV2_CFG_INTERNAL_IP6_DHCP    12
#define IKEV2_CFG_INTERNAL_IP4_SUBNET  13
#define IKEV2_CFG_SUPPORTED_ATTRIBUTES 14
#define IKEV2_CFG_INTERNAL_IP6_SUBNET  15

/* EAP codes (RFC 3748 4) carried in the EAP payload */
#define EAP_CODE_REQUEST  1
#define EAP_CODE_RESPONSE 2
#define EAP_CODE_SUCCESS  3
#define EAP_CODE_FAILURE  4

/* Notify message types: errors (RFC 7296 3.10.1) */
#define IKEV2_N_UNSUPPORTED_CRITICAL_PAYLOAD 1
#define IKEV2_N_INVALID_IKE_SPI              4
#define IKEV2_N_INVALID_MAJOR_VERSION        5
#define IKEV2_N_INVALID_SYNTAX               7
#define IKEV2_N_INVALID_MESSAGE_ID           9
#define IKEV2_N_INVALID_SPI                  11
#define IKEV2_N_NO_PROPOSAL_CHOSEN           14
#define IKEV2_N_INVALID_KE_PAYLOAD           17
#define IKEV2_N_AUTHENTICATION_FAILED        24
#define IKEV2_N_SINGLE_PAIR_REQUIRED         34
#define IKEV2_N_NO_ADDITIONAL_SAS            35
#define IKEV2_N_INTERNAL_ADDRESS_FAILURE     36
#define IKEV2_N_FAILED_CP_REQUIRED           37
#define IKEV2_N_TS_UNACCEPTABLE              38
#define IKEV2_N_INVALID_SELECTORS            39
#define IKEV2_N_TEMPORARY_FAILURE            43
#define IKEV2_N_CHILD_SA_NOT_FOUND           44

/* Notify message types: status (RFC 7296 3.10.1 and later RFCs) */
#define IKEV2_N_INITIAL_CONTACT               16384
#define IKEV2_N_SET_WINDOW_SIZE               16385
#define IKEV2_N_ADDITIONAL_TS_POSSIBLE        16386
#define IKEV2_N_IPCOMP_SUPPORTED              16387
#define IKEV2_N_NAT_DETECTION_SOURCE_IP       16388
#define IKEV2_N_NAT_DETECTION_DESTINATION_IP  16389
#define IKEV2_N_COOKIE                        16390
#define IKEV2_N_USE_TRANSPORT_MODE            16391
#define IKEV2_N_HTTP_CERT_LOOKUP_SUPPORTED    16392
#define IKEV2_N_REKEY_SA                      16393
#define IKEV2_N_ESP_TFC_PADDING_NOT_SUPPORTED 16394
#define IKEV2_N_NON_FIRST_FRAGMENTS_ALSO      16395
#define IKEV2_N_MOBIKE_SUPPORTED              16396
#define IKEV2_N_MULTIPLE_AUTH_SUPPORTED       16404
#define IKEV2_N_ANOTHER_AUTH_FOLLOWS          16405
#define IKEV2_N_REDIRECT_SUPPORTED            16406
#define IKEV2_N_EAP_ONLY_AUTHENTICATION       16417
#define IKEV2_N_IKEV2_FRAGMENTATION_SUPPORTED 16430 /* RFC 7383 */
#define IKEV2_N_SIGNATURE_HASH_ALGORITHMS     16431 /* RFC 7427 */

/* The boundary between error and status notify types (RFC 7296 3.10.1) */
#define IKEV2_N_ERROR_MAX 16383

#endif
