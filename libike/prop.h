/* SPDX-License-Identifier: ISC */
/*
 * Proposals and transforms: the wire-level structure shared by the SA payload
 * codec and the configuration, strongSwan-style keyword parsing and printing
 * (prop.c), and the responder's selection rule.
 */
#ifndef LIBIKE_PROP_H
#define LIBIKE_PROP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IKE_MAX_TRANSFORMS 64 /* per proposal; more is INVALID_SYNTAX */
#define IKE_MAX_PROPOSALS  32 /* per SA payload */

#define XF_UNKNOWN_ATTR 0x01 /* carried an attribute we do not know */

struct transform {
	uint8_t type;      /* IKEV2_TRANS_* */
	uint8_t flags;     /* XF_* */
	uint16_t id;       /* transform ID within the type */
	uint16_t key_bits; /* Key Length attribute, 0 when absent */
};

/*
 * What an IKEv1 transform carries beyond its algorithms and group (those
 * are transforms here as in IKEv2, mapped by prop_from_v1() and
 * prop_v1_id()): lifetimes, the encapsulation mode (Quick Mode) and the
 * authentication method (phase 1). An IKEv1 transform, with all its
 * attributes, is one struct proposal here; an IKEv2 proposal leaves this
 * zero. Kept out of struct transform, of which a proposal has 64.
 */
struct prop_v1 {
	uint32_t life_s;      /* Life Duration in seconds, 0 if absent */
	uint32_t life_kb;     /* Life Duration in kilobytes, 0 if absent */
	uint16_t encap;       /* IKEV1_ENCAP_*, 0 if absent (phase 1) */
	uint16_t auth_method; /* IKEV1_AUTH_*, 0 if absent (Quick Mode) */
};

struct proposal {
	uint8_t num;      /* proposal number, from 1 */
	uint8_t proto;    /* IKEV2_PROTO_* */
	uint8_t spi_size; /* 0, 4 (ESP/AH) or 8 (IKE rekey) */
	uint8_t n_xf;
	uint8_t spi[8];
	struct prop_v1 v1; /* IKEv1 attributes; zero for IKEv2 */
	struct transform xf[IKE_MAX_TRANSFORMS];
};

/* prop_pool.c: interned, reference-counted proposal lists */
struct prop_pool;

struct prop_pool *prop_pool_new(void);
/* Frees every list, referenced or not. */
void prop_pool_free(struct prop_pool *pool);
/* The pool's copy of the n proposals at p (one more reference to it), or
 * NULL when n is 0 or memory ran out. Shared: never written. */
struct proposal *prop_pool_get(struct prop_pool *pool, const struct proposal *p,
			       size_t n);
/* Drops a reference prop_pool_get() returned (NULL is fine). */
void prop_pool_put(struct prop_pool *pool, const struct proposal *p);
/* Lists with the same proposals, in the same order (prop_equal). */
bool prop_list_equal(const struct proposal *a, size_t na,
		     const struct proposal *b, size_t nb);

/* prop.c */

/*
 * The transform registry as proposals see it: one const entry per line of
 * alg_list.h, in its order. Other modules take key sizes, ICV lengths,
 * IKEv1 numbers and where an algorithm may be used from here (or from
 * their own view of alg_list.h) instead of keeping their own lists.
 */
#include "alg.h"
#include "ikev1_const.h"

struct prop_alg {
	const char *keyword; /* canonical strongSwan keyword */
	uint8_t type;        /* IKEV2_TRANS_* */
	uint8_t flags;       /* ALG_F_* */
	uint16_t id;         /* IKEv2 transform ID */
	uint16_t key_bits;   /* Key Length attribute; 0 if fixed or absent */
	uint16_t icv_bits;   /* AEAD ICV or integrity truncation; else 0 */
	uint16_t prf;        /* INTEG: the PRF derived from it, or 0 */
	uint16_t v1_p1;      /* IKEv1 phase 1 value (RFC 2409 App. A), or 0 */
	uint16_t v1_p2;      /* IKEv1 IPsec DOI value (RFC 2407 4.4), or 0 */
	uint16_t key_len;    /* KEYMAT bytes (salt included), HMAC key; or 0 */
	const char *evp;     /* OpenSSL cipher or digest, NULL for DH/ESN */
	const char *xfrm;    /* Linux crypto API name for ESP, or NULL */
};

/* The entry for a transform (type, id and key size must match), or NULL. */
const struct prop_alg *prop_alg_find(const struct transform *t);
/* The entry for a keyword or one of its aliases (case-insensitive). */
const struct prop_alg *prop_alg_by_keyword(const char *kw);
/* The i-th entry of the table, NULL past its end: for walking all of it. */
const struct prop_alg *prop_alg_at(size_t i);
/* The canonical keyword of a transform, or NULL if it is not in the table. */
const char *prop_xf_name(const struct transform *t);
/*
 * IKEv1 numbers. For proto IKEV2_PROTO_IKE the phase 1 attribute value
 * (encryption algorithm, hash algorithm, group description; both the INTEG
 * and the PRF entry of a hash map to its hash algorithm value, as IKEv1
 * negotiates one hash for both); for ESP the IPsec DOI ESP transform ID,
 * authentication algorithm or group description. 0 when there is none.
 */
uint16_t prop_v1_id(const struct transform *t, uint8_t proto);
/* The reverse: the transform for an IKEv1 value of the given type. Entries
 * with a private IKEv2 id are never returned (sha256_96 is only chosen by
 * config, never guessed from the wire). Returns 0, or -1 if unknown. */
int prop_from_v1(uint8_t type, uint8_t proto, uint16_t v1_id, uint16_t key_bits,
		 struct transform *out);

/*
 * Parse one strongSwan proposal string ("aes128gcm16-prfsha256-ecp256") for
 * IKEV2_PROTO_IKE or IKEV2_PROTO_ESP. Transforms come out grouped by type in
 * the order ENCR, INTEG, PRF, DH, ESN, each type in the order written,
 * duplicates dropped. out->num is 1, spi_size 0; callers renumber.
 * IKE: without an explicit PRF the PRFs follow the integrity algorithms
 * (sha256 -> prfsha256); AEAD needs an explicit PRF; a DH group is required.
 * ESP: DH optional (PFS); ESN defaults to noesn. Weak algorithms are
 * accepted (they were named explicitly); see prop_weak_names().
 * Returns 0, or -1 with a message in err.
 */
int prop_parse(const char *keywords, uint8_t proto, struct proposal *out,
	       char *err, size_t errlen);
/*
 * Print a proposal in keyword form, order ENCR, INTEG, PRF, DH, ESN. Left
 * out because parsing puts them back: IKE PRFs equal to those derived from
 * the integrity algorithms, an ESN list of just noesn, INTEG NONE beside
 * AEAD ciphers, and ESP's lone DH NONE. A transform not in the table prints
 * as e.g. ENCR_UNKNOWN_1234 (with _KEY256 when it has a key size), one with
 * an unknown attribute gets "(unknown attribute)" appended.
 * Returns 0, or -1 if buf was too small (the text then ends in "...").
 */
int prop_format(const struct proposal *p, char *buf, size_t len);
/* Several proposals joined by ", "; same return as prop_format(). */
int prop_format_list(const struct proposal *p, size_t n, char *buf, size_t len);

/* Whether a proposal contains an ALG_F_WEAK algorithm. */
bool prop_is_weak(const struct proposal *p);
/* The keywords of its weak algorithms joined by ", " into buf (for the
 * config loader's warning); returns how many there are. */
int prop_weak_names(const struct proposal *p, char *buf, size_t len);

/*
 * IKEv1 attribute values as text, for logs and queries; NULL for a value
 * not in the registry. An encapsulation mode's name says whether it is
 * UDP-encapsulated and, for the NAT-T drafts' private values, "(draft)".
 */
const char *prop_v1_encap_name(uint16_t encap);
/* RFC 3947's value for a mode (the drafts' 61443/61444 become 3/4); a
 * value not in the registry is returned as it is. */
uint16_t prop_v1_encap_std(uint16_t encap);
/* Whether a known mode is transport (else tunnel), and UDP-encapsulated. */
bool prop_v1_encap_transport(uint16_t encap);
bool prop_v1_encap_udp(uint16_t encap);
/* An authentication method's keyword ("psk", "rsasig", "ecdsa256",
 * "xauthpsk-init"...), and back (case-insensitive; 0 if unknown). */
const char *prop_v1_auth_name(uint16_t method);
uint16_t prop_v1_auth_by_name(const char *name);

/* The first transform of a type, or NULL. */
const struct transform *prop_xf_first(const struct proposal *p, uint8_t type);
/* Equal number, protocol, SPI, IKEv1 attributes and transforms (in
 * order). */
bool prop_equal(const struct proposal *a, const struct proposal *b);

/*
 * Built-in proposals for IKEV2_PROTO_IKE or IKEV2_PROTO_ESP, numbered from 1:
 * an AEAD proposal first, then AES-CBC with HMAC-SHA2. Never weak.
 * Returns how many were written, or -1 if max is too small.
 */
int prop_default(uint8_t proto, struct proposal *out, size_t max);

/*
 * The responder's choice (RFC 7296 2.7, 3.3.6): our proposals in our order,
 * for each the peer's in theirs; the first pair with the same protocol and
 * one common transform for every type either side has wins, taking our
 * first preference within a type. Key sizes must be equal; a transform with
 * XF_UNKNOWN_ATTR never matches; with an AEAD cipher integrity must be absent
 * or NONE on both sides; for ESP a missing DH or ESN type means NONE / no
 * ESN. `chosen` holds one transform per type the peer sent and carries the
 * peer's proposal number and SPI, to be echoed (RFC 7296 3.3.1).
 * Returns 0, or -1 with "no proposal chosen: peer offered ...; we accept
 * ..." in reason (which may be NULL).
 */
int prop_select(const struct proposal *ours, size_t n_ours,
		const struct proposal *theirs, size_t n_theirs,
		struct proposal *chosen, char *reason, size_t reason_len);
/*
 * prop_select() for a message that carries a KE payload (IKE_SA_INIT,
 * CREATE_CHILD_SA with PFS); ke_group is its group, 0 if there is none.
 * Within the chosen pair of proposals ke_group is preferred over our order
 * of groups when both sides accept it (saving a round trip), but it never
 * makes a later proposal of ours win over an earlier one. On a match,
 * *want_group is 0 if the KE payload fits, else the group the chosen
 * proposal needs: send INVALID_KE_PAYLOAD with it (RFC 7296 1.2, 1.3) and
 * reason says why. A proposal without DH (ESP without PFS) never asks for a
 * group; the caller ignores a KE payload it did not need.
 */
int prop_select_ke(const struct proposal *ours, size_t n_ours,
		   const struct proposal *theirs, size_t n_theirs,
		   uint16_t ke_group, struct proposal *chosen,
		   uint16_t *want_group, char *reason, size_t reason_len);

/* prop.c, shared with prop_select.c */
size_t prop_n_xf(const struct proposal *p);
bool prop_xf_aead(const struct transform *t);
int prop_type_slot(uint8_t type);
struct tbuf;
void prop_text_xf(struct tbuf *b, const struct transform *t);
void prop_text_list(struct tbuf *b, const struct proposal *p, size_t n);

#endif
