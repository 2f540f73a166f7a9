/* SPDX-License-Identifier: ISC */
/*
 * IKEv1 messages on the wire (RFC 2408 section 3, RFC 2407 4.6, RFC 2409,
 * RFC 3947, RFC 3706):
 *   msg_v1.c        ISAKMP header, framing of the payload chain, framing of
 *                   a decrypted body, the builder's v1 entry points
 *   msg_v1_names.c  exchange, payload and notify names for logs
 *   pld_v1.c        the payload codecs, one decoder and one encoder each
 *
 * The pipeline is v2's: msg_v1_frame() checks the header and splits the
 * chain into payload references (struct pld_ref, as in msg.h) without
 * reading a body. A message with the E flag carries ciphertext instead of
 * a chain; once decrypted elsewhere, msg_v1_frame_plain() frames the
 * plaintext. Payloads are then decoded with pld_v1_*_get into views of the
 * message buffer; whatever must outlive the message is copied on purpose.
 *
 * The header is struct ike_hdr (the same 28 octets: the SPIs are the
 * cookies) and the generic payload header is v2's without the critical
 * bit, so messages are built with msg.h's struct msg_builder.
 *
 * Errors carry IKEv1 notify types (IKEV1_N_*) in struct ike_err.notify.
 */
#ifndef LIBIKE_MSG_V1_H
#define LIBIKE_MSG_V1_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "ikev1_const.h"
#include "msg.h"

#define IKEV1_MAX_PROPOSALS  16  /* per SA payload */
#define IKEV1_MAX_TRANSFORMS 64  /* per SA payload, all proposals */
#define IKEV1_MAX_XF_ATTRS   24  /* data attributes per transform */
#define IKEV1_MAX_ATTRS      256 /* data attributes per SA payload */
#define IKEV1_MAX_CFG_ATTRS  32  /* attributes per ATTR payload */
#define IKEV1_NONCE_MIN      8   /* RFC 2409 5 */
#define IKEV1_NONCE_MAX      256

struct msg_v1 {
	struct ike_hdr hdr;
	struct bytes raw;    /* the whole datagram */
	bool encrypted;      /* E flag: body is ciphertext until framed */
	struct bytes cipher; /* the body after the header when encrypted */
	unsigned n;
	struct pld_ref pl[IKE_MAX_PAYLOADS];
};

/* msg_v1.c */
int msg_v1_hdr_get(const uint8_t *p, size_t len, struct ike_hdr *h,
		   struct ike_err *e);
/* Header, and the chain unless the E flag is set (then m->cipher). */
int msg_v1_frame(const uint8_t *p, size_t len, struct msg_v1 *m,
		 struct ike_err *e);
/* Frame a decrypted body (plaintext of m->cipher, base its message offset,
 * IKEV1_HDR_LEN) into m. Bytes after the last payload are the cipher's
 * padding and are ignored (RFC 2409 5.3 note, RFC 2408 3.1). */
int msg_v1_frame_plain(struct msg_v1 *m, const uint8_t *p, size_t len,
		       size_t base, struct ike_err *e);
/* The first payload of a type after `prev` (NULL: from the start). */
const struct pld_ref *msg_v1_find(const struct msg_v1 *m, uint8_t type,
				  const struct pld_ref *prev);
/* A header for msg_build_init(): version 1.0, the given exchange. */
void msg_v1_hdr_init(struct ike_hdr *h, const uint8_t *icookie,
		     const uint8_t *rcookie, uint8_t exchange, uint8_t flags,
		     uint32_t msgid);
/* Open a payload; close it with msg_pld_end(), finish the message with
 * msg_build_finish(). An encrypted message is built in plaintext with the
 * E flag set and encrypted in place after the header afterwards. */
void msg_v1_pld_begin(struct msg_builder *b, uint8_t type);

/* msg_v1_names.c */
const char *msg_v1_exchange_name(uint8_t exchange);
const char *msg_v1_pld_name(uint8_t type);
const char *msg_v1_notify_name(uint16_t type);
bool msg_v1_pld_known(uint8_t type);

/* pld_v1.c: decoded payloads. */

/* A data attribute (RFC 2408 3.3): TV carries its 16-bit value in val,
 * TLV its value in value. The type is without the AF bit. */
struct v1_attr {
	uint16_t type;
	bool tv;
	uint16_t val;
	struct bytes value;
};

/* A transform (3.6); its attributes are attr[attr0 .. attr0 + n_attr) of
 * the SA payload. */
struct v1_transform {
	uint8_t num;
	uint8_t id;
	unsigned attr0, n_attr;
};

/* A proposal (3.5); its transforms are xf[xf0 .. xf0 + n_xf). */
struct v1_proposal {
	uint8_t num;
	uint8_t proto; /* IKEV1_PROTO_* */
	uint8_t spi_size;
	uint8_t n_xf;
	struct bytes spi;
	unsigned xf0;
};

/* SA (3.4, RFC 2407 4.6.1). Proposals, transforms and attributes are flat
 * arrays so that the bounds are per payload, not per nesting level. */
struct pld_v1_sa {
	uint32_t doi;
	uint32_t situation;
	unsigned n_prop, n_xf, n_attr;
	struct v1_proposal prop[IKEV1_MAX_PROPOSALS];
	struct v1_transform xf[IKEV1_MAX_TRANSFORMS];
	struct v1_attr attr[IKEV1_MAX_ATTRS];
};

/* KE, HASH, SIG, NONCE, VID, NAT-D: one opaque field. */
struct pld_v1_data {
	struct bytes data;
};

/* ID (3.8, RFC 2407 4.6.2) */
struct pld_v1_id {
	uint8_t type; /* IKEV1_ID_* */
	uint8_t proto;
	uint16_t port;
	struct bytes data;
};

/* CERT (3.9) and CERTREQ (3.10) */
struct pld_v1_cert {
	uint8_t encoding; /* IKEV1_CERT_* */
	struct bytes data;
};

/* N (3.14) */
struct pld_v1_notify {
	uint32_t doi;
	uint8_t proto;
	uint8_t spi_size;
	uint16_t type; /* IKEV1_N_* */
	struct bytes spi;
	struct bytes data;
};

/* D (3.15) */
struct pld_v1_delete {
	uint32_t doi;
	uint8_t proto;
	uint8_t spi_size;
	uint16_t n_spi;
	struct bytes spis; /* n_spi * spi_size octets */
};

/* NAT-OA (RFC 3947 5.1): an IPv4 or IPv6 address */
struct pld_v1_natoa {
	uint8_t id_type; /* IKEV1_ID_IPV4_ADDR or IKEV1_ID_IPV6_ADDR */
	struct bytes addr;
};

/* ATTR (Mode Config, XAUTH) */
struct pld_v1_cfg {
	uint8_t type; /* IKEV1_CFG_* */
	uint16_t ident;
	unsigned n;
	struct v1_attr attr[IKEV1_MAX_CFG_ATTRS];
};

int pld_v1_sa_get(const struct pld_ref *r, struct pld_v1_sa *sa,
		  struct ike_err *e);
int pld_v1_ke_get(const struct pld_ref *r, struct pld_v1_data *ke,
		  struct ike_err *e);
int pld_v1_id_get(const struct pld_ref *r, struct pld_v1_id *id,
		  struct ike_err *e);
int pld_v1_cert_get(const struct pld_ref *r, struct pld_v1_cert *c,
		    struct ike_err *e);
int pld_v1_certreq_get(const struct pld_ref *r, struct pld_v1_cert *c,
		       struct ike_err *e);
int pld_v1_hash_get(const struct pld_ref *r, struct pld_v1_data *h,
		    struct ike_err *e);
int pld_v1_sig_get(const struct pld_ref *r, struct pld_v1_data *s,
		   struct ike_err *e);
int pld_v1_nonce_get(const struct pld_ref *r, struct pld_v1_data *n,
		     struct ike_err *e);
int pld_v1_notify_get(const struct pld_ref *r, struct pld_v1_notify *n,
		      struct ike_err *e);
int pld_v1_delete_get(const struct pld_ref *r, struct pld_v1_delete *d,
		      struct ike_err *e);
int pld_v1_vid_get(const struct pld_ref *r, struct pld_v1_data *v,
		   struct ike_err *e);
/* NAT-D and NAT-OA accept both the RFC 3947 and the draft payload type. */
int pld_v1_natd_get(const struct pld_ref *r, struct pld_v1_data *d,
		    struct ike_err *e);
int pld_v1_natoa_get(const struct pld_ref *r, struct pld_v1_natoa *oa,
		     struct ike_err *e);
int pld_v1_cfg_get(const struct pld_ref *r, struct pld_v1_cfg *cfg,
		   struct ike_err *e);
/* A TV value, or a TLV value of 1 to 4 octets, as a number (life
 * durations may be either, RFC 2407 4.5); -1 for a longer or empty TLV. */
int pld_v1_attr_u32(const struct v1_attr *a, uint32_t *v);
/* Decode every payload we know (the fuzzer's and tests' entry). */
int msg_v1_decode_all(const struct msg_v1 *m, struct ike_err *e);

/* Encoders append one whole payload to the builder; a struct that does
 * not fit its own bounds marks the builder failed. */
void pld_v1_sa_put(struct msg_builder *b, const struct pld_v1_sa *sa);
void pld_v1_ke_put(struct msg_builder *b, const struct pld_v1_data *ke);
void pld_v1_id_put(struct msg_builder *b, const struct pld_v1_id *id);
void pld_v1_cert_put(struct msg_builder *b, const struct pld_v1_cert *c);
void pld_v1_certreq_put(struct msg_builder *b, const struct pld_v1_cert *c);
void pld_v1_hash_put(struct msg_builder *b, const struct pld_v1_data *h);
void pld_v1_sig_put(struct msg_builder *b, const struct pld_v1_data *s);
void pld_v1_nonce_put(struct msg_builder *b, const struct pld_v1_data *n);
void pld_v1_notify_put(struct msg_builder *b, const struct pld_v1_notify *n);
void pld_v1_delete_put(struct msg_builder *b, const struct pld_v1_delete *d);
void pld_v1_vid_put(struct msg_builder *b, const struct pld_v1_data *v);
/* type: IKEV1_PL_NAT_D or IKEV1_PL_NAT_D_DRAFT, as negotiated */
void pld_v1_natd_put(struct msg_builder *b, uint8_t type,
		     const struct pld_v1_data *d);
void pld_v1_natoa_put(struct msg_builder *b, uint8_t type,
		      const struct pld_v1_natoa *oa);
void pld_v1_cfg_put(struct msg_builder *b, const struct pld_v1_cfg *cfg);
/* RESPONDER-LIFETIME's data (RFC 2407 4.6.3.1): the lifetimes in it, and
 * ours written (0 values left out; the length, 0 if cap is too small). */
int pld_v1_life_get(struct bytes data, uint32_t *life_s, uint32_t *life_kb);
size_t pld_v1_life_put(uint8_t *buf, size_t cap, uint32_t life_s,
		       uint32_t life_kb);

#endif
