/* SPDX-License-Identifier: ISC */
/*
 * IKEv1 SA payloads as proposals, and the responder's choice among them.
 *   prop_v1.c         decode an SA payload into one struct proposal per
 *                     IKEv1 transform
 *   prop_v1_enc.c     configured proposals expanded to IKEv1 transforms,
 *                     and those encoded into an SA payload
 *   prop_v1_select.c  the responder's choice, its lifetimes and refusal
 *                     text, and the answer echoing the chosen transform
 *
 * An IKEv1 transform carries a whole suite (cipher and key length, hash or
 * authentication algorithm, group, lifetimes, auth method or mode), so it
 * is one struct proposal here, shaped as prop_parse() shapes one: ENCR,
 * INTEG, PRF (phase 1: the one the hash gives, RFC 2409 5), DH, ESN
 * (Quick Mode, from the RFC 4304 attribute). proposal.num is the ISAKMP
 * proposal number, spi the proposal's SPI; the transform number, which
 * struct proposal has no room for, is kept beside it (prop_v1_list) or
 * follows from the order (ours: numbered from 1 within each proposal).
 * Pure functions of their arguments: no engine state, no logging.
 */
#ifndef LIBIKE_PROP_V1_H
#define LIBIKE_PROP_V1_H

#include "msg_v1.h"
#include "prop.h"

#define PROP_V1_REASON_LEN 96

/*
 * RFC 2407 4.5: an IPsec SA without a lifetime attribute lives 28800 s.
 * We assume the same of a phase 1 transform without one (RFC 2409 gives
 * no default; Windows and strongSwan both use 8 hours).
 */
#define PROP_V1_LIFE_DEFAULT_S 28800

/* A decoded SA payload: one entry per transform, in the peer's order. */
struct prop_v1_list {
	size_t n;
	struct proposal p[IKEV1_MAX_TRANSFORMS];
	uint8_t xf_num[IKEV1_MAX_TRANSFORMS]; /* Transform # on the wire */
	/* Where each entry came from in the pld_v1_sa, for the echo. */
	uint8_t sa_prop[IKEV1_MAX_TRANSFORMS];
	uint8_t sa_xf[IKEV1_MAX_TRANSFORMS];
	/* Empty if usable, else why not ("unknown attribute 99 or value"):
	 * the transform is then never chosen and the reason ends up in the
	 * refusal text. One with an unknown attribute also has its first
	 * transform flagged XF_UNKNOWN_ATTR, so prop_select() refuses it
	 * too and prop_format() says so. */
	char why[IKEV1_MAX_TRANSFORMS][PROP_V1_REASON_LEN];
};

/*
 * An SA payload we build, and the bytes its TLV attributes and SPIs point
 * to. It points into itself: fill it in place, never copy it.
 */
struct prop_v1_sa {
	struct pld_v1_sa sa;
	uint8_t spi[IKEV1_MAX_PROPOSALS][4];
	uint8_t val[IKEV1_MAX_ATTRS][4];
	unsigned n_val;
};

/* What phase 1 offers or accepts besides the algorithms. */
struct prop_v1_p1_cfg {
	const uint16_t *auth; /* IKEV1_AUTH_*, in order of preference */
	size_t n_auth;
	uint32_t life_s;  /* offered, and the most accepted; 0: none */
	uint32_t life_kb; /* likewise; 0: none */
};

/* What Quick Mode offers or accepts besides the algorithms. */
struct prop_v1_p2_cfg {
	uint16_t encap;   /* IKEV1_ENCAP_*, RFC 3947 numbering (1 to 4) */
	bool draft_encap; /* send UDP modes in the NAT-T drafts' numbering,
			   * as the peer did (its vendor IDs say which) */
	uint32_t life_s;  /* offered, and the most accepted; 0: none */
	uint32_t life_kb;
	const uint8_t *spi; /* our inbound SPI, 4 octets (expand only) */
};

/* prop_v1.c */

/*
 * Phase 1: the SA payload's one ISAKMP proposal (RFC 2409 5: exactly one)
 * into out. A transform with an attribute or value we do not know, or
 * without encryption, hash, authentication method or group, is kept but
 * marked unusable (out->why). Returns 0, or -1 with an IKEV1_N_* notify
 * in *notify and the reason in err when the payload itself is unusable.
 */
int prop_v1_p1_decode(const struct pld_v1_sa *sa, struct prop_v1_list *out,
		      uint16_t *notify, char *err, size_t errlen);
/*
 * Quick Mode: every ESP proposal's transforms (SPI 4 octets). Proposals
 * sharing a number with another protocol (AH, IPComp: "apply both",
 * RFC 2408 4.2) are marked unusable; we negotiate ESP alone.
 */
int prop_v1_p2_decode(const struct pld_v1_sa *sa, struct prop_v1_list *out,
		      uint16_t *notify, char *err, size_t errlen);

/*
 * Our configured proposals (prop_parse()) as IKEv1 transforms: one per
 * combination of cipher x integrity x group (x ESN for ESP) x auth method
 * (phase 1), in config order, with the lifetimes of cfg.
 * Algorithms without an IKEv1 number (AES-GCM in phase 1, Curve25519,
 * ChaCha20) are skipped and named in `skipped` (for a log line; empty if
 * none). ESP: proposal i of ours becomes ISAKMP proposal i + 1.
 * Returns how many were written, or -1 with the reason in skipped if none
 * is left or more than max (IKEV1_MAX_TRANSFORMS fit one payload).
 */
int prop_v1_p1_expand(const struct proposal *ours, size_t n,
		      const struct prop_v1_p1_cfg *cfg, struct proposal *out,
		      size_t max, char *skipped, size_t skipped_len);
int prop_v1_p2_expand(const struct proposal *ours, size_t n,
		      const struct prop_v1_p2_cfg *cfg, struct proposal *out,
		      size_t max, char *skipped, size_t skipped_len);
/*
 * Expanded transforms (as above, or decoded) into an SA payload for
 * pld_v1_sa_put(): entries with the same number and protocol in a row
 * make one proposal, ISAKMP for IKE (no SPI), ESP with the entry's SPI;
 * transforms are numbered from 1 within each.
 * Life durations over 16 bits go as 4-octet TLVs.
 * Returns 0, or -1 if they do not fit a payload's bounds.
 */
int prop_v1_encode(const struct proposal *xf, size_t n, struct prop_v1_sa *out);

/* prop_v1_select.c */

struct prop_v1_choice {
	size_t index;           /* into the peer's prop_v1_list */
	uint8_t xf_num;         /* the peer's transform number */
	struct proposal chosen; /* the peer's transform, as decoded */
	uint32_t life_s;        /* what we use: the lower of theirs and ours */
	uint32_t life_kb;       /* 0: no volume limit */
	/* Quick Mode: nonzero when the peer asked for more than we allow;
	 * send RESPONDER-LIFETIME with these values (RFC 2407 4.5.4). */
	uint32_t notify_life_s;
	uint32_t notify_life_kb;
	bool weak; /* uses an ALG_F_WEAK algorithm: log a warning */
};

/*
 * Phase 1, responder: our proposals in our order, for each the peer's
 * transforms in theirs (strongSwan's rule, and RFC 7296's which prop_select
 * applies: the admin's order decides, the peer's breaks ties within one of
 * our proposals). A transform matches if prop_select() accepts it against
 * our proposal and its auth method is one of cfg's. A lifetime above ours
 * is accepted and capped: the answer echoes the peer's value, we rekey or
 * expire at ours (RFC 2407 4.5.4's second choice, as strongSwan and
 * libreswan do for phase 1). Returns 0, or -1 with "no proposal chosen:
 * peer offered ...; we accept ..." in reason.
 */
int prop_v1_p1_select(const struct proposal *ours, size_t n_ours,
		      const struct prop_v1_p1_cfg *cfg,
		      const struct prop_v1_list *theirs,
		      struct prop_v1_choice *c, char *reason,
		      size_t reason_len);
/*
 * Quick Mode, responder: likewise, and the encapsulation mode must be
 * cfg->encap (drafts' values count as their RFC 3947 ones; a peer that
 * names no mode gets ours). A lifetime above ours is accepted and
 * notify_life_* say what to answer in RESPONDER-LIFETIME.
 */
int prop_v1_p2_select(const struct proposal *ours, size_t n_ours,
		      const struct prop_v1_p2_cfg *cfg,
		      const struct prop_v1_list *theirs,
		      struct prop_v1_choice *c, char *reason,
		      size_t reason_len);
/*
 * The answer's SA payload: the peer's DOI and situation, the chosen
 * transform's proposal with that transform alone, number and attributes
 * as received (RFC 2408 4.2). With spi non-NULL (Quick Mode: our inbound
 * SPI, 4 octets) it replaces the peer's. Attribute values still point
 * into the peer's message: build the answer while it is alive.
 * Returns 0, or -1 if the choice does not fit the payload.
 */
int prop_v1_sa_echo(const struct pld_v1_sa *peer,
		    const struct prop_v1_list *theirs,
		    const struct prop_v1_choice *c, const uint8_t *spi,
		    struct prop_v1_sa *out);

#endif
