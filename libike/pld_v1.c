/* SPDX-License-Identifier: ISC */
/*
 * IKEv1 payload codecs (RFC 2408 3.4 to 3.16, RFC 2407 4.6, RFC 2409 5,
 * RFC 3947 3.2 and 5.1, draft-dukes-ike-mode-cfg-02 3.2). Each decoder reads
 * one payload body through a bounded reader, straight-line, and checks once at
 * the end that the body was consumed exactly; each encoder appends one whole
 * payload to a message builder. Reserved fields are ignored on receipt and sent
 * as zero (see msg_v1.c).
 */
#include <string.h>

#include "msg_v1.h"

#define PROPOSAL_HDR_LEN  8 /* generic header, #, protocol, SPI size, #T */
#define TRANSFORM_HDR_LEN 8 /* generic header, #, ID, RESERVED2 */

static int
bad(const struct pld_ref *r, uint16_t notify, size_t at, struct ike_err *e,
    const char *what)
{
	ike_err_set(e, notify, r->type, at,
		    "%s payload at offset %zu: %s (offset %zu)",
		    msg_v1_pld_name(r->type), r->offset, what, at);
	return -1;
}

/* Common end of every decoder: the body must be consumed exactly. */
static int
body_done(const struct pld_ref *r, struct cur *c, struct ike_err *e)
{
	if (!cur_ok(c))
		return bad(r, IKEV1_N_PAYLOAD_MALFORMED, r->offset, e,
			   "truncated");
	if (cur_left(c) != 0)
		return bad(r, IKEV1_N_PAYLOAD_MALFORMED, cur_offset(c), e,
			   "unexpected bytes after the last field");
	return 0;
}

static void
body_reader(const struct pld_ref *r, struct cur *c)
{
	cur_init(c, r->body.ptr, r->body.len, r->offset + IKEV1_GEN_HDR_LEN);
}

/*
 * Data attributes (3.3):
 * !A!       Attribute Type        !    AF=0  Attribute Length     !
 * !F!                             !    AF=1  Attribute Value      !
 * .                   AF=0  Attribute Value                       .
 */
static int
attr_get(const struct pld_ref *r, struct cur *c, struct v1_attr *a,
	 uint16_t notify, struct ike_err *e)
{
	uint16_t type, lv;
	size_t at = cur_offset(c);

	memset(a, 0, sizeof(*a));
	cur_u16(c, &type);
	cur_u16(c, &lv);
	if (!cur_ok(c))
		return bad(r, notify, at, e, "truncated attribute");
	a->type = type & ~IKEV1_ATTR_AF_TV;
	a->tv = type & IKEV1_ATTR_AF_TV;
	if (a->tv)
		a->val = lv;
	else if (!cur_view(c, lv, &a->value))
		return bad(r, notify, at, e,
			   "attribute overruns its container");
	return 0;
}

static void
attr_put(struct msg_builder *b, const struct v1_attr *a)
{
	if (a->tv) {
		wbuf_u16(&b->w, IKEV1_ATTR_AF_TV | a->type);
		wbuf_u16(&b->w, a->val);
	} else if (a->value.len > UINT16_MAX) {
		b->w.err = true;
	} else {
		wbuf_u16(&b->w, a->type & ~IKEV1_ATTR_AF_TV);
		wbuf_u16(&b->w, (uint16_t)a->value.len);
		wbuf_bytes(&b->w, a->value);
	}
}

static int
attrs_get(const struct pld_ref *r, struct cur *c, struct pld_v1_sa *sa,
	  struct v1_transform *t, struct ike_err *e)
{
	t->attr0 = sa->n_attr;
	t->n_attr = 0;
	while (cur_left(c) > 0) {
		if (t->n_attr >= IKEV1_MAX_XF_ATTRS ||
		    sa->n_attr >= IKEV1_MAX_ATTRS)
			return bad(r, IKEV1_N_BAD_PROPOSAL_SYNTAX,
				   cur_offset(c), e,
				   "more attributes than we accept");
		if (attr_get(r, c, &sa->attr[sa->n_attr],
			     IKEV1_N_BAD_PROPOSAL_SYNTAX, e) < 0)
			return -1;
		sa->n_attr++;
		t->n_attr++;
	}
	return 0;
}

/*
 * Transform (3.6):
 * ! Next Payload  !   RESERVED    !         Payload Length        !
 * !  Transform #  !  Transform-Id !           RESERVED2           !
 * ~                        SA Attributes                          ~
 */
static int
transform_get(const struct pld_ref *r, struct cur *c, struct pld_v1_sa *sa,
	      uint8_t *last, struct ike_err *e)
{
	struct v1_transform *t = &sa->xf[sa->n_xf];
	size_t at = cur_offset(c);
	uint8_t res;
	uint16_t len, res2;
	struct cur body;

	memset(t, 0, sizeof(*t));
	cur_u8(c, last);
	cur_u8(c, &res);
	cur_u16(c, &len);
	if (!cur_ok(c) || (*last != IKEV1_PL_NONE && *last != IKEV1_PL_T))
		return bad(r, IKEV1_N_BAD_PROPOSAL_SYNTAX, at, e,
			   "bad transform payload header");
	if (len < TRANSFORM_HDR_LEN ||
	    !cur_sub(c, len - IKEV1_GEN_HDR_LEN, &body))
		return bad(r, IKEV1_N_BAD_PROPOSAL_SYNTAX, at, e,
			   "transform length out of bounds");
	cur_u8(&body, &t->num);
	cur_u8(&body, &t->id);
	cur_u16(&body, &res2);
	if (attrs_get(r, &body, sa, t, e) < 0)
		return -1;
	sa->n_xf++;
	return 0;
}

/* The SPI sizes a protocol allows: ISAKMP's SPI is the cookie pair or
 * absent (RFC 2408 2.4, 3.5), AH's and ESP's are 4 octets, IPComp's CPI 2
 * octets, or 4 with the CPI in the low half (RFC 2407 4.4.1.3). Other
 * protocols are kept for the selection to refuse. */
static bool
spi_size_ok(uint8_t proto, uint8_t size)
{
	switch (proto) {
	case IKEV1_PROTO_ISAKMP:
		return size == 0 || size == 2 * IKEV1_COOKIE_LEN;
	case IKEV1_PROTO_IPSEC_AH:
	case IKEV1_PROTO_IPSEC_ESP:
		return size == 4;
	case IKEV1_PROTO_IPCOMP:
		return size == 2 || size == 4;
	default:
		return true;
	}
}

/*
 * Proposal (3.5):
 * ! Next Payload  !   RESERVED    !         Payload Length        !
 * !  Proposal #   !  Protocol-Id  !    SPI Size   !# of Transforms!
 * !                        SPI (variable)                         !
 */
static int
proposal_get(const struct pld_ref *r, struct cur *c, struct pld_v1_sa *sa,
	     uint8_t *last, struct ike_err *e)
{
	struct v1_proposal *p = &sa->prop[sa->n_prop];
	size_t at = cur_offset(c);
	uint8_t res, xf_last = IKEV1_PL_T;
	uint16_t len;
	struct cur body;
	unsigned i;

	memset(p, 0, sizeof(*p));
	cur_u8(c, last);
	cur_u8(c, &res);
	cur_u16(c, &len);
	if (!cur_ok(c) || (*last != IKEV1_PL_NONE && *last != IKEV1_PL_P))
		return bad(r, IKEV1_N_BAD_PROPOSAL_SYNTAX, at, e,
			   "bad proposal payload header");
	if (len < PROPOSAL_HDR_LEN ||
	    !cur_sub(c, len - IKEV1_GEN_HDR_LEN, &body))
		return bad(r, IKEV1_N_BAD_PROPOSAL_SYNTAX, at, e,
			   "proposal length out of bounds");
	cur_u8(&body, &p->num);
	cur_u8(&body, &p->proto);
	cur_u8(&body, &p->spi_size);
	cur_u8(&body, &p->n_xf);
	if (!spi_size_ok(p->proto, p->spi_size))
		return bad(r, IKEV1_N_INVALID_SPI, at, e,
			   "SPI size wrong for the protocol");
	if (!cur_view(&body, p->spi_size, &p->spi))
		return bad(r, IKEV1_N_BAD_PROPOSAL_SYNTAX, at, e,
			   "SPI overruns the proposal");
	if (p->n_xf == 0)
		return bad(r, IKEV1_N_BAD_PROPOSAL_SYNTAX, at, e,
			   "proposal without transforms");
	if (sa->n_xf + p->n_xf > IKEV1_MAX_TRANSFORMS)
		return bad(r, IKEV1_N_BAD_PROPOSAL_SYNTAX, at, e,
			   "more transforms than we accept (64)");
	p->xf0 = sa->n_xf;
	for (i = 0; i < p->n_xf; i++) {
		if (xf_last == IKEV1_PL_NONE)
			return bad(r, IKEV1_N_BAD_PROPOSAL_SYNTAX,
				   cur_offset(&body), e,
				   "transform after the one marked last");
		if (transform_get(r, &body, sa, &xf_last, e) < 0)
			return -1;
	}
	if (xf_last != IKEV1_PL_NONE)
		return bad(r, IKEV1_N_BAD_PROPOSAL_SYNTAX, at, e,
			   "fewer transforms than announced");
	if (!cur_ok(&body) || cur_left(&body) != 0)
		return bad(r, IKEV1_N_BAD_PROPOSAL_SYNTAX, cur_offset(&body), e,
			   "proposal length does not match its transforms");
	sa->n_prop++;
	return 0;
}

/*
 * SA (3.4, RFC 2407 4.6.1):
 * !                Domain of Interpretation  (DOI)                !
 * !                           Situation                           !
 * ~                     Proposal payloads                         ~
 * Only the IPsec DOI with SIT_IDENTITY_ONLY is spoken: the secrecy and
 * integrity situations carry labels (RFC 2407 4.2) no peer of ours uses.
 */
int
pld_v1_sa_get(const struct pld_ref *r, struct pld_v1_sa *sa, struct ike_err *e)
{
	struct cur c;
	uint8_t last = IKEV1_PL_P;

	body_reader(r, &c);
	sa->n_prop = sa->n_xf = sa->n_attr = 0;
	cur_u32(&c, &sa->doi);
	cur_u32(&c, &sa->situation);
	if (!cur_ok(&c))
		return body_done(r, &c, e);
	if (sa->doi != IKEV1_DOI_IPSEC)
		return bad(r, IKEV1_N_DOI_NOT_SUPPORTED, r->offset + 4, e,
			   "DOI other than IPsec");
	if (sa->situation != IKEV1_SIT_IDENTITY_ONLY)
		return bad(r, IKEV1_N_SITUATION_NOT_SUPPORTED, r->offset + 8, e,
			   "situation other than SIT_IDENTITY_ONLY");
	while (cur_left(&c) > 0) {
		if (last == IKEV1_PL_NONE)
			return bad(r, IKEV1_N_BAD_PROPOSAL_SYNTAX,
				   cur_offset(&c), e,
				   "proposal after the one marked last");
		if (sa->n_prop >= IKEV1_MAX_PROPOSALS)
			return bad(r, IKEV1_N_BAD_PROPOSAL_SYNTAX,
				   cur_offset(&c), e,
				   "more proposals than we accept (16)");
		if (proposal_get(r, &c, sa, &last, e) < 0)
			return -1;
	}
	if (sa->n_prop == 0)
		return bad(r, IKEV1_N_BAD_PROPOSAL_SYNTAX, r->offset, e,
			   "no proposal");
	if (last != IKEV1_PL_NONE)
		return bad(r, IKEV1_N_BAD_PROPOSAL_SYNTAX, r->offset, e,
			   "last proposal not marked last");
	return body_done(r, &c, e);
}

static void
patch_len(struct msg_builder *b, size_t at)
{
	size_t len = b->w.len - at;

	if (len > UINT16_MAX)
		b->w.err = true;
	else
		wbuf_patch_u16(&b->w, at + 2, (uint16_t)len);
}

static void
transform_put(struct msg_builder *b, const struct pld_v1_sa *sa,
	      const struct v1_transform *t, bool last)
{
	size_t at = b->w.len;
	unsigned k;

	if (t->attr0 > sa->n_attr || t->n_attr > sa->n_attr - t->attr0 ||
	    sa->n_attr > IKEV1_MAX_ATTRS) {
		b->w.err = true;
		return;
	}
	wbuf_u8(&b->w, last ? IKEV1_PL_NONE : IKEV1_PL_T);
	wbuf_u8(&b->w, 0);
	wbuf_u16(&b->w, 0);
	wbuf_u8(&b->w, t->num);
	wbuf_u8(&b->w, t->id);
	wbuf_u16(&b->w, 0);
	for (k = 0; k < t->n_attr; k++)
		attr_put(b, &sa->attr[t->attr0 + k]);
	patch_len(b, at);
}

void
pld_v1_sa_put(struct msg_builder *b, const struct pld_v1_sa *sa)
{
	unsigned i, j;

	if (sa->n_prop > IKEV1_MAX_PROPOSALS ||
	    sa->n_xf > IKEV1_MAX_TRANSFORMS) {
		b->w.err = true;
		return;
	}
	msg_v1_pld_begin(b, IKEV1_PL_SA);
	wbuf_u32(&b->w, sa->doi);
	wbuf_u32(&b->w, sa->situation);
	for (i = 0; i < sa->n_prop; i++) {
		const struct v1_proposal *p = &sa->prop[i];
		size_t at = b->w.len;

		if (p->xf0 > sa->n_xf || p->n_xf > sa->n_xf - p->xf0 ||
		    p->spi.len > UINT8_MAX) {
			b->w.err = true;
			return;
		}
		wbuf_u8(&b->w,
			i + 1 == sa->n_prop ? IKEV1_PL_NONE : IKEV1_PL_P);
		wbuf_u8(&b->w, 0);
		wbuf_u16(&b->w, 0);
		wbuf_u8(&b->w, p->num);
		wbuf_u8(&b->w, p->proto);
		wbuf_u8(&b->w, (uint8_t)p->spi.len);
		wbuf_u8(&b->w, p->n_xf);
		wbuf_bytes(&b->w, p->spi);
		for (j = 0; j < p->n_xf; j++)
			transform_put(b, sa, &sa->xf[p->xf0 + j],
				      j + 1 == p->n_xf);
		patch_len(b, at);
	}
	msg_pld_end(b);
}

int
pld_v1_attr_u32(const struct v1_attr *a, uint32_t *v)
{
	size_t i;

	if (a->tv) {
		*v = a->val;
		return 0;
	}
	if (a->value.len == 0 || a->value.len > 4)
		return -1;
	*v = 0;
	for (i = 0; i < a->value.len; i++)
		*v = *v << 8 | a->value.ptr[i];
	return 0;
}

/* The payloads that are one opaque field: all of the body, with a length
 * in [min, max]. */
static int
data_get(const struct pld_ref *r, struct pld_v1_data *d, size_t min, size_t max,
	 uint16_t notify, struct ike_err *e)
{
	struct cur c;

	body_reader(r, &c);
	cur_rest(&c, &d->data);
	if (d->data.len < min || d->data.len > max)
		return bad(r, notify, r->offset, e,
			   d->data.len < min ? "body too short"
					     : "body too long");
	return body_done(r, &c, e);
}

static void
data_put(struct msg_builder *b, uint8_t type, const struct pld_v1_data *d)
{
	msg_v1_pld_begin(b, type);
	wbuf_bytes(&b->w, d->data);
	msg_pld_end(b);
}

/* KE (3.7): the Diffie-Hellman public value; never empty. */
int
pld_v1_ke_get(const struct pld_ref *r, struct pld_v1_data *ke,
	      struct ike_err *e)
{
	return data_get(r, ke, 1, SIZE_MAX, IKEV1_N_INVALID_KEY_INFORMATION, e);
}

void
pld_v1_ke_put(struct msg_builder *b, const struct pld_v1_data *ke)
{
	data_put(b, IKEV1_PL_KE, ke);
}

/*
 * ID (3.8, RFC 2407 4.6.2):
 * !   ID Type     !  Protocol ID  !             Port              !
 * ~                     Identification Data                       ~
 * Addresses, subnets (address and mask) and ranges (start and end) have
 * fixed lengths; the other types are text or DER and must not be empty.
 */
static size_t
id_len(uint8_t type)
{
	switch (type) {
	case IKEV1_ID_IPV4_ADDR:
		return 4;
	case IKEV1_ID_IPV4_ADDR_SUBNET:
	case IKEV1_ID_IPV4_ADDR_RANGE:
		return 8;
	case IKEV1_ID_IPV6_ADDR:
		return 16;
	case IKEV1_ID_IPV6_ADDR_SUBNET:
	case IKEV1_ID_IPV6_ADDR_RANGE:
		return 32;
	default:
		return 0;
	}
}

int
pld_v1_id_get(const struct pld_ref *r, struct pld_v1_id *id, struct ike_err *e)
{
	struct cur c;
	size_t want;

	body_reader(r, &c);
	cur_u8(&c, &id->type);
	cur_u8(&c, &id->proto);
	cur_u16(&c, &id->port);
	cur_rest(&c, &id->data);
	if (!cur_ok(&c))
		return body_done(r, &c, e);
	want = id_len(id->type);
	if (want && id->data.len != want)
		return bad(r, IKEV1_N_INVALID_ID_INFORMATION, r->offset, e,
			   "address identity of the wrong length");
	if (id->data.len == 0)
		return bad(r, IKEV1_N_INVALID_ID_INFORMATION, r->offset, e,
			   "empty identity");
	return body_done(r, &c, e);
}

void
pld_v1_id_put(struct msg_builder *b, const struct pld_v1_id *id)
{
	msg_v1_pld_begin(b, IKEV1_PL_ID);
	wbuf_u8(&b->w, id->type);
	wbuf_u8(&b->w, id->proto);
	wbuf_u16(&b->w, id->port);
	wbuf_bytes(&b->w, id->data);
	msg_pld_end(b);
}

/*
 * CERT (3.9): | Cert Encoding | Certificate Data ... |, never empty.
 * CR (3.10): | Cert. Type | Certificate Authority ... |; an empty
 * authority asks for any certificate of the type.
 */
static int
cert_get(const struct pld_ref *r, struct pld_v1_cert *cert, bool empty_ok,
	 struct ike_err *e)
{
	struct cur c;

	body_reader(r, &c);
	cur_u8(&c, &cert->encoding);
	cur_rest(&c, &cert->data);
	if (cur_ok(&c) && !empty_ok && cert->data.len == 0)
		return bad(r, IKEV1_N_INVALID_CERTIFICATE, r->offset, e,
			   "empty certificate");
	return body_done(r, &c, e);
}

static void
cert_put(struct msg_builder *b, uint8_t type, const struct pld_v1_cert *cert)
{
	msg_v1_pld_begin(b, type);
	wbuf_u8(&b->w, cert->encoding);
	wbuf_bytes(&b->w, cert->data);
	msg_pld_end(b);
}

int
pld_v1_cert_get(const struct pld_ref *r, struct pld_v1_cert *c,
		struct ike_err *e)
{
	return cert_get(r, c, false, e);
}

void
pld_v1_cert_put(struct msg_builder *b, const struct pld_v1_cert *c)
{
	cert_put(b, IKEV1_PL_CERT, c);
}

int
pld_v1_certreq_get(const struct pld_ref *r, struct pld_v1_cert *c,
		   struct ike_err *e)
{
	return cert_get(r, c, true, e);
}

void
pld_v1_certreq_put(struct msg_builder *b, const struct pld_v1_cert *c)
{
	cert_put(b, IKEV1_PL_CR, c);
}

/* HASH (3.11) and SIG (3.12): the output of the negotiated function. */
int
pld_v1_hash_get(const struct pld_ref *r, struct pld_v1_data *h,
		struct ike_err *e)
{
	return data_get(r, h, 1, SIZE_MAX, IKEV1_N_INVALID_HASH_INFORMATION, e);
}

void
pld_v1_hash_put(struct msg_builder *b, const struct pld_v1_data *h)
{
	data_put(b, IKEV1_PL_HASH, h);
}

int
pld_v1_sig_get(const struct pld_ref *r, struct pld_v1_data *s,
	       struct ike_err *e)
{
	return data_get(r, s, 1, SIZE_MAX, IKEV1_N_INVALID_SIGNATURE, e);
}

void
pld_v1_sig_put(struct msg_builder *b, const struct pld_v1_data *s)
{
	data_put(b, IKEV1_PL_SIG, s);
}

/* NONCE (3.13): RFC 2409 5 bounds it to 8..256 octets. */
int
pld_v1_nonce_get(const struct pld_ref *r, struct pld_v1_data *n,
		 struct ike_err *e)
{
	return data_get(r, n, IKEV1_NONCE_MIN, IKEV1_NONCE_MAX,
			IKEV1_N_PAYLOAD_MALFORMED, e);
}

void
pld_v1_nonce_put(struct msg_builder *b, const struct pld_v1_data *n)
{
	data_put(b, IKEV1_PL_NONCE, n);
}

/* N and D name a DOI of their own (3.14, 3.15): ISAKMP's or IPsec's. */
static bool
doi_ok(uint32_t doi)
{
	return doi == IKEV1_DOI_ISAKMP || doi == IKEV1_DOI_IPSEC;
}

/*
 * N (3.14):
 * !              Domain of Interpretation  (DOI)                  !
 * !  Protocol-ID  !   SPI Size    !      Notify Message Type      !
 * ~                Security Parameter Index (SPI)                 ~
 * ~                       Notification Data                       ~
 * The SPI size is not checked against the protocol: notifies carry
 * cookies, SPIs or nothing as each type defines (RFC 2407 4.6.3, RFC 3706).
 */
int
pld_v1_notify_get(const struct pld_ref *r, struct pld_v1_notify *n,
		  struct ike_err *e)
{
	struct cur c;

	body_reader(r, &c);
	cur_u32(&c, &n->doi);
	cur_u8(&c, &n->proto);
	cur_u8(&c, &n->spi_size);
	cur_u16(&c, &n->type);
	if (!cur_ok(&c))
		return body_done(r, &c, e);
	if (!doi_ok(n->doi))
		return bad(r, IKEV1_N_DOI_NOT_SUPPORTED, r->offset + 4, e,
			   "DOI other than ISAKMP or IPsec");
	if (!cur_view(&c, n->spi_size, &n->spi))
		return bad(r, IKEV1_N_PAYLOAD_MALFORMED, r->offset, e,
			   "SPI overruns the payload");
	cur_rest(&c, &n->data);
	return body_done(r, &c, e);
}

void
pld_v1_notify_put(struct msg_builder *b, const struct pld_v1_notify *n)
{
	if (n->spi.len > UINT8_MAX) {
		b->w.err = true;
		return;
	}
	msg_v1_pld_begin(b, IKEV1_PL_N);
	wbuf_u32(&b->w, n->doi);
	wbuf_u8(&b->w, n->proto);
	wbuf_u8(&b->w, (uint8_t)n->spi.len);
	wbuf_u16(&b->w, n->type);
	wbuf_bytes(&b->w, n->spi);
	wbuf_bytes(&b->w, n->data);
	msg_pld_end(b);
}

/*
 * D (3.15):
 * !              Domain of Interpretation  (DOI)                  !
 * !  Protocol-Id  !   SPI Size    !           # of SPIs           !
 * ~               Security Parameter Index(es) (SPI)              ~
 * An ISAKMP SA is named by its cookie pair (16 octets), AH and ESP SAs
 * by 4-octet SPIs, IPComp by its CPI; the SPIs fill the body exactly.
 */
int
pld_v1_delete_get(const struct pld_ref *r, struct pld_v1_delete *d,
		  struct ike_err *e)
{
	struct cur c;

	body_reader(r, &c);
	cur_u32(&c, &d->doi);
	cur_u8(&c, &d->proto);
	cur_u8(&c, &d->spi_size);
	cur_u16(&c, &d->n_spi);
	if (!cur_ok(&c))
		return body_done(r, &c, e);
	if (!doi_ok(d->doi))
		return bad(r, IKEV1_N_DOI_NOT_SUPPORTED, r->offset + 4, e,
			   "DOI other than ISAKMP or IPsec");
	if (d->spi_size == 0 || !spi_size_ok(d->proto, d->spi_size))
		return bad(r, IKEV1_N_INVALID_SPI, r->offset, e,
			   "SPI size wrong for the protocol");
	if (cur_left(&c) != (size_t)d->spi_size * d->n_spi)
		return bad(r, IKEV1_N_PAYLOAD_MALFORMED, r->offset, e,
			   "number of SPIs does not match the length");
	cur_rest(&c, &d->spis);
	return body_done(r, &c, e);
}

void
pld_v1_delete_put(struct msg_builder *b, const struct pld_v1_delete *d)
{
	msg_v1_pld_begin(b, IKEV1_PL_D);
	wbuf_u32(&b->w, d->doi);
	wbuf_u8(&b->w, d->proto);
	wbuf_u8(&b->w, d->spi_size);
	wbuf_u16(&b->w, d->n_spi);
	if (d->spis.len != (size_t)d->spi_size * d->n_spi)
		b->w.err = true;
	wbuf_bytes(&b->w, d->spis);
	msg_pld_end(b);
}

/* VID (3.16): opaque, may be empty. */
int
pld_v1_vid_get(const struct pld_ref *r, struct pld_v1_data *v,
	       struct ike_err *e)
{
	return data_get(r, v, 0, SIZE_MAX, IKEV1_N_PAYLOAD_MALFORMED, e);
}

void
pld_v1_vid_put(struct msg_builder *b, const struct pld_v1_data *v)
{
	data_put(b, IKEV1_PL_VID, v);
}

/* NAT-D (RFC 3947 3.2): a hash of cookies, address and port. */
int
pld_v1_natd_get(const struct pld_ref *r, struct pld_v1_data *d,
		struct ike_err *e)
{
	return data_get(r, d, 1, SIZE_MAX, IKEV1_N_PAYLOAD_MALFORMED, e);
}

void
pld_v1_natd_put(struct msg_builder *b, uint8_t type,
		const struct pld_v1_data *d)
{
	data_put(b, type, d);
}

/*
 * NAT-OA (RFC 3947 5.1):
 * !    ID Type    !   RESERVED    !            RESERVED           !
 * !         IPv4 (4 octets) or IPv6 address (16 octets)           !
 */
int
pld_v1_natoa_get(const struct pld_ref *r, struct pld_v1_natoa *oa,
		 struct ike_err *e)
{
	struct cur c;
	size_t want;

	body_reader(r, &c);
	cur_u8(&c, &oa->id_type);
	cur_skip(&c, 3);
	cur_rest(&c, &oa->addr);
	if (!cur_ok(&c))
		return body_done(r, &c, e);
	want = oa->id_type == IKEV1_ID_IPV4_ADDR   ? 4
	       : oa->id_type == IKEV1_ID_IPV6_ADDR ? 16
						   : 0;
	if (want == 0)
		return bad(r, IKEV1_N_INVALID_ID_INFORMATION, r->offset, e,
			   "ID type other than an IPv4 or IPv6 address");
	if (oa->addr.len != want)
		return bad(r, IKEV1_N_INVALID_ID_INFORMATION, r->offset, e,
			   "address of the wrong length");
	return body_done(r, &c, e);
}

void
pld_v1_natoa_put(struct msg_builder *b, uint8_t type,
		 const struct pld_v1_natoa *oa)
{
	msg_v1_pld_begin(b, type);
	wbuf_u8(&b->w, oa->id_type);
	wbuf_zero(&b->w, 3);
	wbuf_bytes(&b->w, oa->addr);
	msg_pld_end(b);
}

/*
 * ATTR (draft-dukes-ike-mode-cfg-02 3.2), the Transaction exchange's
 * payload, which also carries XAUTH (draft-beaulieu-ike-xauth-02):
 * !     Type      !   RESERVED    !           Identifier          !
 * ~                          Attributes                           ~
 * The attributes are data attributes as in an SA (3.3).
 */
int
pld_v1_cfg_get(const struct pld_ref *r, struct pld_v1_cfg *cfg,
	       struct ike_err *e)
{
	struct cur c;

	body_reader(r, &c);
	cur_u8(&c, &cfg->type);
	cur_skip(&c, 1);
	cur_u16(&c, &cfg->ident);
	cfg->n = 0;
	if (!cur_ok(&c))
		return body_done(r, &c, e);
	if (cfg->type < IKEV1_CFG_REQUEST || cfg->type > IKEV1_CFG_ACK)
		return bad(r, IKEV1_N_PAYLOAD_MALFORMED, r->offset, e,
			   "unknown configuration message type");
	while (cur_left(&c) > 0) {
		if (cfg->n >= IKEV1_MAX_CFG_ATTRS)
			return bad(r, IKEV1_N_PAYLOAD_MALFORMED, cur_offset(&c),
				   e, "more attributes than we accept (32)");
		if (attr_get(r, &c, &cfg->attr[cfg->n],
			     IKEV1_N_PAYLOAD_MALFORMED, e) < 0)
			return -1;
		cfg->n++;
	}
	return body_done(r, &c, e);
}

void
pld_v1_cfg_put(struct msg_builder *b, const struct pld_v1_cfg *cfg)
{
	unsigned i;

	if (cfg->n > IKEV1_MAX_CFG_ATTRS) {
		b->w.err = true;
		return;
	}
	msg_v1_pld_begin(b, IKEV1_PL_ATTR);
	wbuf_u8(&b->w, cfg->type);
	wbuf_u8(&b->w, 0);
	wbuf_u16(&b->w, cfg->ident);
	for (i = 0; i < cfg->n; i++)
		attr_put(b, &cfg->attr[i]);
	msg_pld_end(b);
}

/* Decode every payload we know; used by the fuzzer and the tests. */
int
msg_v1_decode_all(const struct msg_v1 *m, struct ike_err *e)
{
	union {
		struct pld_v1_sa sa;
		struct pld_v1_data data;
		struct pld_v1_id id;
		struct pld_v1_cert cert;
		struct pld_v1_notify notify;
		struct pld_v1_delete del;
		struct pld_v1_natoa natoa;
		struct pld_v1_cfg cfg;
	} u;
	unsigned i;
	int rc = 0;

	for (i = 0; i < m->n && rc == 0; i++) {
		const struct pld_ref *r = &m->pl[i];

		switch (r->type) {
		case IKEV1_PL_SA:
			rc = pld_v1_sa_get(r, &u.sa, e);
			break;
		case IKEV1_PL_KE:
			rc = pld_v1_ke_get(r, &u.data, e);
			break;
		case IKEV1_PL_ID:
			rc = pld_v1_id_get(r, &u.id, e);
			break;
		case IKEV1_PL_CERT:
			rc = pld_v1_cert_get(r, &u.cert, e);
			break;
		case IKEV1_PL_CR:
			rc = pld_v1_certreq_get(r, &u.cert, e);
			break;
		case IKEV1_PL_HASH:
			rc = pld_v1_hash_get(r, &u.data, e);
			break;
		case IKEV1_PL_SIG:
			rc = pld_v1_sig_get(r, &u.data, e);
			break;
		case IKEV1_PL_NONCE:
			rc = pld_v1_nonce_get(r, &u.data, e);
			break;
		case IKEV1_PL_N:
			rc = pld_v1_notify_get(r, &u.notify, e);
			break;
		case IKEV1_PL_D:
			rc = pld_v1_delete_get(r, &u.del, e);
			break;
		case IKEV1_PL_VID:
			rc = pld_v1_vid_get(r, &u.data, e);
			break;
		case IKEV1_PL_NAT_D:
		case IKEV1_PL_NAT_D_DRAFT:
			rc = pld_v1_natd_get(r, &u.data, e);
			break;
		case IKEV1_PL_NAT_OA:
		case IKEV1_PL_NAT_OA_DRAFT:
			rc = pld_v1_natoa_get(r, &u.natoa, e);
			break;
		case IKEV1_PL_ATTR:
			rc = pld_v1_cfg_get(r, &u.cfg, e);
			break;
		default: /* left to the exchange's rules */
			break;
		}
	}
	return rc;
}

/*
 * The lifetimes of a RESPONDER-LIFETIME notify's data (RFC 2407 4.6.3.1):
 * SA Life Type / SA Life Duration pairs. A duration without its type, or
 * one that does not fit 32 bits, makes the whole -1.
 */
int
pld_v1_life_get(struct bytes data, uint32_t *life_s, uint32_t *life_kb)
{
	struct cur c;
	uint16_t type = 0, t, lv;
	struct v1_attr a;

	*life_s = *life_kb = 0;
	cur_init(&c, data.ptr, data.len, 0);
	while (cur_ok(&c) && cur_left(&c) > 0) {
		uint32_t v;

		memset(&a, 0, sizeof(a));
		cur_u16(&c, &t);
		cur_u16(&c, &lv);
		a.type = t & ~IKEV1_ATTR_AF_TV;
		a.tv = t & IKEV1_ATTR_AF_TV;
		a.val = lv;
		if (!a.tv && !cur_view(&c, lv, &a.value))
			return -1;
		if (!cur_ok(&c))
			return -1;
		if (a.type == IKEV1_IPSEC_SA_LIFE_TYPE && a.tv) {
			type = a.val;
		} else if (a.type == IKEV1_IPSEC_SA_LIFE_DURATION) {
			if (pld_v1_attr_u32(&a, &v) < 0)
				return -1;
			if (type == IKEV1_LIFE_TYPE_SECONDS)
				*life_s = v;
			else if (type == IKEV1_LIFE_TYPE_KILOBYTES)
				*life_kb = v;
			else
				return -1;
		}
	}
	return cur_ok(&c) ? 0 : -1;
}

/* The same attributes written for our RESPONDER-LIFETIME (zero values
 * left out); the bytes written, 0 if cap is too small. */
size_t
pld_v1_life_put(uint8_t *buf, size_t cap, uint32_t life_s, uint32_t life_kb)
{
	struct wbuf w;
	const uint32_t val[2] = {life_s, life_kb};
	const uint16_t type[2] = {IKEV1_LIFE_TYPE_SECONDS,
				  IKEV1_LIFE_TYPE_KILOBYTES};
	int i;

	wbuf_init(&w, buf, cap);
	for (i = 0; i < 2; i++) {
		if (!val[i])
			continue;
		wbuf_u16(&w, IKEV1_ATTR_AF_TV | IKEV1_IPSEC_SA_LIFE_TYPE);
		wbuf_u16(&w, type[i]);
		wbuf_u16(&w, IKEV1_IPSEC_SA_LIFE_DURATION);
		wbuf_u16(&w, 4);
		wbuf_u32(&w, val[i]);
	}
	return w.err ? 0 : w.len;
}
