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

#endif
