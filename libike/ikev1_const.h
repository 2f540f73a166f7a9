/* SPDX-License-Identifier: ISC */
/*
 * IANA registry values for IKEv1 that have no IKEv2 transform: the
 * attributes of a phase 1 (ISAKMP SA) transform (RFC 2409 Appendix A) and
 * of an IPsec DOI transform (RFC 2407 4.5), the SA life types, the
 * encapsulation modes (RFC 2407 4.5, RFC 3947 5.2 and the NAT-T drafts'
 * private values), and the phase 1 authentication methods (RFC 2409
 * Appendix A, RFC 4754, and the XAUTH and hybrid drafts' private values).
 * Names follow the registries' text, so a reader can grep the RFC.
 * The algorithm and group numbers are in alg.h and alg_list.h.
 */
#ifndef LIBIKE_IKEV1_CONST_H
#define LIBIKE_IKEV1_CONST_H

#define IKEV1_MAJOR 1
#define IKEV1_MINOR 0

/* Phase 1 attribute classes (RFC 2409 Appendix A) */
#define IKEV1_OAKLEY_ENCRYPTION_ALGORITHM  1
#define IKEV1_OAKLEY_HASH_ALGORITHM        2
#define IKEV1_OAKLEY_AUTHENTICATION_METHOD 3
#define IKEV1_OAKLEY_GROUP_DESCRIPTION     4
#define IKEV1_OAKLEY_GROUP_TYPE            5
#define IKEV1_OAKLEY_LIFE_TYPE             11
#define IKEV1_OAKLEY_LIFE_DURATION         12
#define IKEV1_OAKLEY_PRF                   13
#define IKEV1_OAKLEY_KEY_LENGTH            14

/* IPsec DOI attribute classes (RFC 2407 4.5) */
#define IKEV1_IPSEC_SA_LIFE_TYPE             1
#define IKEV1_IPSEC_SA_LIFE_DURATION         2
#define IKEV1_IPSEC_GROUP_DESCRIPTION        3
#define IKEV1_IPSEC_ENCAPSULATION_MODE       4
#define IKEV1_IPSEC_AUTHENTICATION_ALGORITHM 5
#define IKEV1_IPSEC_KEY_LENGTH               6
#define IKEV1_IPSEC_EXTENDED_SEQUENCE_NUMBER 11 /* RFC 4304 */

/* Life Type (RFC 2409 Appendix A; SA Life Type, RFC 2407 4.5) */
#define IKEV1_LIFE_TYPE_SECONDS   1
#define IKEV1_LIFE_TYPE_KILOBYTES 2

/* Encapsulation Mode (RFC 2407 4.5, RFC 3947 5.2). The NAT-T drafts
 * (draft-ietf-ipsec-nat-t-ike-00 to -03) used private values, still sent
 * by old peers; treat them as their RFC 3947 counterparts. */
#define IKEV1_ENCAP_TUNNEL                           1
#define IKEV1_ENCAP_TRANSPORT                        2
#define IKEV1_ENCAP_UDP_ENCAPSULATED_TUNNEL          3
#define IKEV1_ENCAP_UDP_ENCAPSULATED_TRANSPORT       4
#define IKEV1_ENCAP_UDP_ENCAPSULATED_TUNNEL_DRAFT    61443
#define IKEV1_ENCAP_UDP_ENCAPSULATED_TRANSPORT_DRAFT 61444

/* Authentication Method (RFC 2409 Appendix A, IANA "IPSEC Authentication
 * Methods"; 6 to 8 are reserved) */
#define IKEV1_AUTH_PRE_SHARED_KEY              1
#define IKEV1_AUTH_DSS_SIGNATURES              2
#define IKEV1_AUTH_RSA_SIGNATURES              3
#define IKEV1_AUTH_ENCRYPTION_WITH_RSA         4
#define IKEV1_AUTH_REVISED_ENCRYPTION_WITH_RSA 5
#define IKEV1_AUTH_ECDSA_SHA256_P256           9  /* RFC 4754 */
#define IKEV1_AUTH_ECDSA_SHA384_P384           10 /* RFC 4754 */
#define IKEV1_AUTH_ECDSA_SHA512_P521           11 /* RFC 4754 */
/* Private use, from draft-ietf-ipsec-isakmp-hybrid-auth-05 and
 * draft-beaulieu-ike-xauth-02 */
#define IKEV1_AUTH_HYBRID_INIT_RSA                   64221
#define IKEV1_AUTH_HYBRID_RESP_RSA                   64222
#define IKEV1_AUTH_HYBRID_INIT_DSS                   64223
#define IKEV1_AUTH_HYBRID_RESP_DSS                   64224
#define IKEV1_AUTH_XAUTH_INIT_PRE_SHARED             65001
#define IKEV1_AUTH_XAUTH_RESP_PRE_SHARED             65002
#define IKEV1_AUTH_XAUTH_INIT_DSS                    65003
#define IKEV1_AUTH_XAUTH_RESP_DSS                    65004
#define IKEV1_AUTH_XAUTH_INIT_RSA                    65005
#define IKEV1_AUTH_XAUTH_RESP_RSA                    65006
#define IKEV1_AUTH_XAUTH_INIT_RSA_ENCRYPTION         65007
#define IKEV1_AUTH_XAUTH_RESP_RSA_ENCRYPTION         65008
#define IKEV1_AUTH_XAUTH_INIT_RSA_REVISED_ENCRYPTION 65009
#define IKEV1_AUTH_XAUTH_RESP_RSA_REVISED_ENCRYPTION 65010

/* ISAKMP header and generic payload header (RFC 2408 3.1, 3.2) */
#define IKEV1_HDR_LEN     28
#define IKEV1_GEN_HDR_LEN 4
#define IKEV1_COOKIE_LEN  8

/* Exchange types (RFC 2408 3.1, RFC 2409 5 and 6, draft-dukes-ike-mode-cfg
 * for Transaction) */
#define IKEV1_EXCH_NONE           0
#define IKEV1_EXCH_BASE           1
#define IKEV1_EXCH_IDENT_PROT     2 /* Main Mode */
#define IKEV1_EXCH_AUTH_ONLY      3
#define IKEV1_EXCH_AGGRESSIVE     4
#define IKEV1_EXCH_INFORMATIONAL  5
#define IKEV1_EXCH_TRANSACTION    6 /* Mode Config, XAUTH */
#define IKEV1_EXCH_QUICK_MODE     32
#define IKEV1_EXCH_NEW_GROUP_MODE 33

/* Header flags (RFC 2408 3.1); the other five bits are undefined */
#define IKEV1_FLAG_ENCRYPTION 0x01
#define IKEV1_FLAG_COMMIT     0x02
#define IKEV1_FLAG_AUTH_ONLY  0x04
#define IKEV1_FLAGS_DEFINED   0x07

/* Payload types (RFC 2408 3.1, RFC 3947 3.1 and 5.1; the NAT-T drafts
 * and the Cisco/strongSwan fragment payload use private values) */
#define IKEV1_PL_NONE         0
#define IKEV1_PL_SA           1
#define IKEV1_PL_P            2 /* only inside SA */
#define IKEV1_PL_T            3 /* only inside a proposal */
#define IKEV1_PL_KE           4
#define IKEV1_PL_ID           5
#define IKEV1_PL_CERT         6
#define IKEV1_PL_CR           7
#define IKEV1_PL_HASH         8
#define IKEV1_PL_SIG          9
#define IKEV1_PL_NONCE        10
#define IKEV1_PL_N            11
#define IKEV1_PL_D            12
#define IKEV1_PL_VID          13
#define IKEV1_PL_ATTR         14 /* draft-dukes-ike-mode-cfg */
#define IKEV1_PL_NAT_D        20 /* RFC 3947 */
#define IKEV1_PL_NAT_OA       21 /* RFC 3947 */
#define IKEV1_PL_RESERVED_MIN 22 /* 22 to 127 are unassigned */
#define IKEV1_PL_PRIVATE_MIN  128
#define IKEV1_PL_NAT_D_DRAFT  130 /* draft-ietf-ipsec-nat-t-ike-02/03 */
#define IKEV1_PL_NAT_OA_DRAFT 131
#define IKEV1_PL_FRAG         132 /* Cisco's, also strongSwan's */

/* Domain of Interpretation and IPsec DOI situation (RFC 2407 4.2) */
#define IKEV1_DOI_ISAKMP        0
#define IKEV1_DOI_IPSEC         1
#define IKEV1_SIT_IDENTITY_ONLY 0x01
#define IKEV1_SIT_SECRECY       0x02
#define IKEV1_SIT_INTEGRITY     0x04

/* Protocol IDs (RFC 2407 4.4.1) */
#define IKEV1_PROTO_ISAKMP    1
#define IKEV1_PROTO_IPSEC_AH  2
#define IKEV1_PROTO_IPSEC_ESP 3
#define IKEV1_PROTO_IPCOMP    4

/* The one ISAKMP transform ID (RFC 2407 4.4.2) */
#define IKEV1_KEY_IKE 1

/* Data attribute format bit (RFC 2408 3.3): set for TV, clear for TLV */
#define IKEV1_ATTR_AF_TV 0x8000

/* Identification types (RFC 2407 4.6.2.1) */
#define IKEV1_ID_IPV4_ADDR        1
#define IKEV1_ID_FQDN             2
#define IKEV1_ID_USER_FQDN        3
#define IKEV1_ID_IPV4_ADDR_SUBNET 4
#define IKEV1_ID_IPV6_ADDR        5
#define IKEV1_ID_IPV6_ADDR_SUBNET 6
#define IKEV1_ID_IPV4_ADDR_RANGE  7
#define IKEV1_ID_IPV6_ADDR_RANGE  8
#define IKEV1_ID_DER_ASN1_DN      9
#define IKEV1_ID_DER_ASN1_GN      10
#define IKEV1_ID_KEY_ID           11

/* Configuration message types of the ATTR payload
 * (draft-dukes-ike-mode-cfg-02 3.2) */
#define IKEV1_CFG_REQUEST 1
#define IKEV1_CFG_REPLY   2
#define IKEV1_CFG_SET     3
#define IKEV1_CFG_ACK     4

/* Certificate encodings (RFC 2408 3.9) */
#define IKEV1_CERT_NONE              0
#define IKEV1_CERT_PKCS7             1
#define IKEV1_CERT_PGP               2
#define IKEV1_CERT_DNS_SIGNED_KEY    3
#define IKEV1_CERT_X509_SIGNATURE    4
#define IKEV1_CERT_X509_KEY_EXCHANGE 5
#define IKEV1_CERT_KERBEROS_TOKENS   6
#define IKEV1_CERT_CRL               7
#define IKEV1_CERT_ARL               8
#define IKEV1_CERT_SPKI              9
#define IKEV1_CERT_X509_ATTRIBUTE    10

/* Notify message types (RFC 2408 3.14.1, RFC 2407 4.6.3, RFC 3706).
 * Errors are 1 to 8191, status values from 16384. */
#define IKEV1_N_INVALID_PAYLOAD_TYPE      1
#define IKEV1_N_DOI_NOT_SUPPORTED         2
#define IKEV1_N_SITUATION_NOT_SUPPORTED   3
#define IKEV1_N_INVALID_COOKIE            4
#define IKEV1_N_INVALID_MAJOR_VERSION     5
#define IKEV1_N_INVALID_MINOR_VERSION     6
#define IKEV1_N_INVALID_EXCHANGE_TYPE     7
#define IKEV1_N_INVALID_FLAGS             8
#define IKEV1_N_INVALID_MESSAGE_ID        9
#define IKEV1_N_INVALID_PROTOCOL_ID       10
#define IKEV1_N_INVALID_SPI               11
#define IKEV1_N_INVALID_TRANSFORM_ID      12
#define IKEV1_N_ATTRIBUTES_NOT_SUPPORTED  13
#define IKEV1_N_NO_PROPOSAL_CHOSEN        14
#define IKEV1_N_BAD_PROPOSAL_SYNTAX       15
#define IKEV1_N_PAYLOAD_MALFORMED         16
#define IKEV1_N_INVALID_KEY_INFORMATION   17
#define IKEV1_N_INVALID_ID_INFORMATION    18
#define IKEV1_N_INVALID_CERT_ENCODING     19
#define IKEV1_N_INVALID_CERTIFICATE       20
#define IKEV1_N_CERT_TYPE_UNSUPPORTED     21
#define IKEV1_N_INVALID_CERT_AUTHORITY    22
#define IKEV1_N_INVALID_HASH_INFORMATION  23
#define IKEV1_N_AUTHENTICATION_FAILED     24
#define IKEV1_N_INVALID_SIGNATURE         25
#define IKEV1_N_ADDRESS_NOTIFICATION      26
#define IKEV1_N_NOTIFY_SA_LIFETIME        27
#define IKEV1_N_CERTIFICATE_UNAVAILABLE   28
#define IKEV1_N_UNSUPPORTED_EXCHANGE_TYPE 29
#define IKEV1_N_UNEQUAL_PAYLOAD_LENGTHS   30
#define IKEV1_N_ERROR_MAX                 8191
#define IKEV1_N_CONNECTED                 16384
#define IKEV1_N_RESPONDER_LIFETIME        24576 /* RFC 2407 4.6.3.1 */
#define IKEV1_N_REPLAY_STATUS             24577 /* RFC 2407 4.6.3.2 */
#define IKEV1_N_INITIAL_CONTACT           24578 /* RFC 2407 4.6.3.3 */
#define IKEV1_N_R_U_THERE                 36136 /* RFC 3706 5 */
#define IKEV1_N_R_U_THERE_ACK             36137 /* RFC 3706 5 */

#endif
