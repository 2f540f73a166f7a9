/* SPDX-License-Identifier: ISC */
/*
 * IKEv2 messages on the wire (RFC 7296 section 3):
 *   msg.c     header, framing of the payload chain, the message builder
 *   pld_v2.c  the payload codecs, one decoder and one encoder per payload
 *   sk.c      the Encrypted (SK) and Encrypted Fragment (SKF) payloads
 *
 * Receiving is a pipeline: msg_frame() checks the header and splits the
 * chain into payload references without reading any body; the SK payload is
 * authenticated and decrypted by sk_open(), which frames the inner chain
 * into the same struct msg; then each payload is decoded with its pld_*_get
 * function when the exchange code needs it. Decoded payloads are views into
 * the message buffer: whatever must outlive the message is copied on purpose.
 */
#ifndef LIBIKE_MSG_H
#define LIBIKE_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "crypto.h"
#include "ikev2_const.h"
#include "prop.h"

#define IKE_MAX_PAYLOADS 64 /* per message, outer and inner together */
#define IKE_MAX_TS       16 /* traffic selectors per TS payload */
#define IKE_MAX_CP_ATTRS 32 /* attributes per CP payload */
#define IKE_NONCE_MIN    16 /* RFC 7296 3.9 */
#define IKE_NONCE_MAX    256

struct ike_hdr {
	uint8_t spi_i[IKEV2_SPI_LEN];
	uint8_t spi_r[IKEV2_SPI_LEN];
	uint8_t np; /* first payload type */
	uint8_t major;
	uint8_t minor;
	uint8_t exchange; /* IKEV2_EXCH_* */
	uint8_t flags;    /* IKEV2_FLAG_* */
	uint32_t msgid;
	uint32_t length;
};

/* One payload of the chain, body not yet decoded. */
struct pld_ref {
	uint8_t type;
	bool critical;
	bool inner;       /* came out of an SK payload */
	uint8_t reserved; /* v1: the generic header's RESERVED octet, never
			   * acted upon, kept to be shown (test_capture_v1) */
	size_t offset;    /* of the generic header, in message coordinates */
	struct bytes body;
};

struct msg {
	struct ike_hdr hdr;
	struct bytes raw; /* the whole datagram */
	unsigned n;
	struct pld_ref pl[IKE_MAX_PAYLOADS];
	int sk;        /* index of the SK or SKF payload, -1 if none */
	uint8_t sk_np; /* first inner payload type, from the SK header */
};

/* msg.c */
int msg_hdr_get(const uint8_t *p, size_t len, struct ike_hdr *h,
		struct ike_err *e);
int msg_frame(const uint8_t *p, size_t len, struct msg *m, struct ike_err *e);
int msg_frame_inner(struct msg *m, uint8_t np, const uint8_t *p, size_t len,
		    size_t base, struct ike_err *e);
/* One generic payload header and its body, the same four octets in IKEv1
 * (RFC 2408 3.2) and IKEv2 (RFC 7296 3.2), into r (type, offset, body;
 * the rest zero), from c: the next type in *next, the second octet in
 * *octet2. A truncated header or a length that does not fit is an error
 * with notify, naming the payload by name. */
int msg_pld_take(struct cur *c, uint8_t np, const char *name, uint16_t notify,
		 struct pld_ref *r, uint8_t *next, uint8_t *octet2,
		 struct ike_err *e);
/* The first payload of a type after `prev` (NULL: from the start). */
const struct pld_ref *msg_find(const struct msg *m, uint8_t type,
			       const struct pld_ref *prev);
/* UNSUPPORTED_CRITICAL_PAYLOAD for the first critical payload we do not
 * know (RFC 7296 2.5); unknown non-critical payloads are ignored. */
int msg_check_critical(const struct msg *m, struct ike_err *e);
bool pld_type_known(uint8_t type);
const char *pld_type_name(uint8_t type);
const char *notify_name(uint16_t type);

/* Writing: a message is built front to back into caller storage. The
 * header's length and each payload's next-payload and length fields are
 * patched as the chain grows. */
struct msg_builder {
	struct wbuf w;
	size_t np_at;  /* the next-payload byte the next payload patches */
	size_t pld_at; /* generic header of the open payload */
	size_t sk_at;  /* generic header of an open SK/SKF payload, or 0 */
	size_t iv_at;  /* start of its IV */
};

void msg_build_init(struct msg_builder *b, uint8_t *buf, size_t cap,
		    const struct ike_hdr *h);
void msg_pld_begin(struct msg_builder *b, uint8_t type, bool critical);
void msg_pld_end(struct msg_builder *b);
/* Patch the header length; returns the message length or 0 on overflow. */
size_t msg_build_finish(struct msg_builder *b);

/* pld_v2.c: decoded payloads */
struct pld_sa {
	unsigned n;
	struct proposal prop[IKE_MAX_PROPOSALS];
};

struct pld_ke {
	uint16_t group;
	struct bytes data;
};

struct pld_id { /* IDi and IDr */
	uint8_t type;
	struct bytes data;
};

struct pld_cert { /* CERT and CERTREQ */
	uint8_t encoding;
	struct bytes data;
};

struct pld_auth {
	uint8_t method;
	struct bytes data;
};

struct pld_nonce {
	struct bytes data;
};

struct pld_notify {
	uint8_t proto;
	uint8_t spi_size;
	uint16_t type;
	struct bytes spi;
	struct bytes data;
};

struct pld_delete {
	uint8_t proto;
	uint8_t spi_size;
	uint16_t n_spi;
	struct bytes spis; /* n_spi * spi_size bytes */
};

struct pld_vendor {
	struct bytes data;
};

/* A traffic selector; addresses are 4 or 16 bytes by type. Selectors of a
 * type we do not know are kept with only their type set. */
struct ts {
	uint8_t type; /* IKEV2_TS_* */
	uint8_t proto;
	uint16_t sport, eport;
	uint8_t saddr[16], eaddr[16];
};

struct pld_ts { /* TSi and TSr */
	unsigned n;
	struct ts ts[IKE_MAX_TS];
};

struct cp_attr {
	uint16_t type;
	struct bytes value;
};

struct pld_cp {
	uint8_t type; /* IKEV2_CFG_REQUEST ... */
	unsigned n;
	struct cp_attr attr[IKE_MAX_CP_ATTRS];
};

/* EAP is carried, not interpreted: the header is checked and the whole
 * EAP message kept for an EAP method to read. */
struct pld_eap {
	uint8_t code;
	uint8_t ident;
	uint8_t type; /* 0 for Success and Failure, which have no type */
	struct bytes msg;
};

struct pld_skf {
	uint16_t num, total;
	struct bytes data; /* IV, ciphertext, ICV */
};

int pld_sa_get(const struct pld_ref *r, struct pld_sa *sa, struct ike_err *e);
int pld_ke_get(const struct pld_ref *r, struct pld_ke *ke, struct ike_err *e);
int pld_id_get(const struct pld_ref *r, struct pld_id *id, struct ike_err *e);
int pld_cert_get(const struct pld_ref *r, struct pld_cert *c,
		 struct ike_err *e);
int pld_auth_get(const struct pld_ref *r, struct pld_auth *a,
		 struct ike_err *e);
int pld_nonce_get(const struct pld_ref *r, struct pld_nonce *n,
		  struct ike_err *e);
int pld_notify_get(const struct pld_ref *r, struct pld_notify *n,
		   struct ike_err *e);
int pld_delete_get(const struct pld_ref *r, struct pld_delete *d,
		   struct ike_err *e);
int pld_vendor_get(const struct pld_ref *r, struct pld_vendor *v,
		   struct ike_err *e);
int pld_ts_get(const struct pld_ref *r, struct pld_ts *ts, struct ike_err *e);
int pld_cp_get(const struct pld_ref *r, struct pld_cp *cp, struct ike_err *e);
int pld_eap_get(const struct pld_ref *r, struct pld_eap *eap,
		struct ike_err *e);
int pld_skf_get(const struct pld_ref *r, struct pld_skf *f, struct ike_err *e);
/* Decode every payload of a message (the fuzzer's and tests' entry). */
int msg_decode_all(const struct msg *m, struct ike_err *e);

/* Encoders append one whole payload of the given type to the builder. */
void pld_sa_put(struct msg_builder *b, const struct pld_sa *sa);
/* The SA payload of n proposals: an answer's one chosen proposal needs
 * no struct pld_sa (17 KB, zeroed, for 32 proposals). */
void pld_props_put(struct msg_builder *b, const struct proposal *props,
		   unsigned n);
void pld_ke_put(struct msg_builder *b, const struct pld_ke *ke);
void pld_id_put(struct msg_builder *b, uint8_t type, const struct pld_id *id);
void pld_cert_put(struct msg_builder *b, uint8_t type,
		  const struct pld_cert *c);
void pld_auth_put(struct msg_builder *b, const struct pld_auth *a);
void pld_nonce_put(struct msg_builder *b, const struct pld_nonce *n);
void pld_notify_put(struct msg_builder *b, const struct pld_notify *n);
void pld_delete_put(struct msg_builder *b, const struct pld_delete *d);
void pld_vendor_put(struct msg_builder *b, const struct pld_vendor *v);
void pld_ts_put(struct msg_builder *b, uint8_t type, const struct pld_ts *ts);
void pld_cp_put(struct msg_builder *b, const struct pld_cp *cp);
void pld_eap_put(struct msg_builder *b, const struct pld_eap *eap);

/* sk.c: the keys protecting one direction of an IKE SA. */
struct sk_keys {
	const struct encr_alg *encr;
	const struct integ_alg *integ; /* NULL with AEAD */
	const struct secret *ekey;     /* SK_ei or SK_er */
	const struct secret *akey;     /* SK_ai or SK_ar, NULL with AEAD */
	/* Where IVs come from (the engine's random source); NULL: OpenSSL. */
	int (*rand)(void *ctx, uint8_t *out, size_t len);
	void *rand_ctx;
};

/* Open an SK payload; the payloads added after it are its inner chain. */
int sk_begin(struct msg_builder *b, const struct sk_keys *k);
/* Pad, encrypt and protect; returns the message length, 0 on failure. */
size_t sk_end(struct msg_builder *b, const struct sk_keys *k);
/* The same for one fragment of an RFC 7383 fragmented message. */
int skf_begin(struct msg_builder *b, const struct sk_keys *k, uint16_t num,
	      uint16_t total);

/* Verify and decrypt the SK (or a lone SKF) payload of m into plain (at
 * least as large as the payload) and frame the inner payloads into m. A
 * message that fails integrity must be dropped without an answer: then
 * e->notify is 0. */
int sk_open(struct msg *m, const struct sk_keys *k, uint8_t *plain, size_t cap,
	    struct ike_err *e);
/* Only the authentication and decryption of an SK payload: plain receives
 * its inner chain, *plain_len long (v2_frag.c splits our own messages). */
int sk_open_inner(const struct msg *m, const struct sk_keys *k, uint8_t *plain,
		  size_t cap, size_t *plain_len, struct ike_err *e);
/* Only the authentication and decryption of an SKF payload: plain receives
 * the fragment's decrypted content, *plain_len its length. */
int skf_open(const struct msg *m, const struct sk_keys *k, uint8_t *plain,
	     size_t cap, size_t *plain_len, struct ike_err *e);

/* rules_v2.c: the payloads the message's exchange allows (RFC 7296 1.2 to
 * 1.5), counted over the outer and, once opened, the inner chain;
 * INVALID_SYNTAX naming the offending payload otherwise. */
int rules_v2_check(const struct msg *m, struct ike_err *e);

/* frag.c: RFC 7383 fragmentation of the inner chain of an SK message. */
#define IKE_MAX_FRAGMENTS 32

/* Split inner (the plaintext payload chain, first payload np) into SKF
 * messages of at most max_msg bytes with header h, each passed to emit.
 * Returns the number of fragments or -1. */
int frag_split(const struct ike_hdr *h, const struct sk_keys *k, uint8_t np,
	       const uint8_t *inner, size_t len, size_t max_msg,
	       int (*emit)(void *ctx, const uint8_t *msg, size_t len),
	       void *ctx);

/* Fragments of one message being collected; contents are secret. */
struct frag_reasm {
	bool active;
	uint32_t msgid;
	uint16_t total, have;
	uint8_t np;
	size_t len;
	struct secret *part[IKE_MAX_FRAGMENTS];
};

void frag_reasm_init(struct frag_reasm *r);
void frag_reasm_clear(struct frag_reasm *r);
/* Authenticate, decrypt and keep one fragment: 1 when all are here, 0
 * while some are missing, -1 when dropped (e says why). */
int frag_reasm_add(struct frag_reasm *r, const struct msg *m,
		   const struct sk_keys *k, struct ike_err *e);
/* Concatenate the fragments into plain and frame the inner chain into m
 * (whose outer part is the last fragment's). */
int frag_reasm_finish(struct frag_reasm *r, struct msg *m, uint8_t *plain,
		      size_t cap, struct ike_err *e);

#endif
