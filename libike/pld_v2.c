/* SPDX-License-Identifier: ISC */
/*
 * IKEv2 payload codecs (RFC 7296 section 3.3 to 3.16, RFC 7383 2.5). Each
 * decoder reads one payload body through a bounded reader, straight-line,
 * and checks once at the end that the body was consumed exactly; each
 * encoder appends one whole payload to a message builder.
 */
#include <string.h>

#include "msg.h"

/* Sub-structure markers of the SA payload (RFC 7296 3.3.1, 3.3.2). */
#define SUBST_LAST        0
#define SUBST_PROPOSAL    2
#define SUBST_TRANSFORM   3
#define PROPOSAL_HDR_LEN  8
#define TRANSFORM_HDR_LEN 8
#define TS_HDR_LEN        8

/* Common end of every decoder: the body must be consumed exactly. */
static int
body_done(const struct pld_ref *r, struct cur *c, struct ike_err *e)
{
	if (!cur_ok(c)) {
		ike_err_set(e, IKEV2_N_INVALID_SYNTAX, r->type, r->offset,
			    "%s payload at offset %zu is truncated",
			    pld_type_name(r->type), r->offset);
		return -1;
	}
	if (cur_left(c) != 0) {
		ike_err_set(
		    e, IKEV2_N_INVALID_SYNTAX, r->type, cur_offset(c),
		    "%s payload at offset %zu has %zu unexpected bytes at "
		    "offset %zu",
		    pld_type_name(r->type), r->offset, cur_left(c),
		    cur_offset(c));
		return -1;
	}
	return 0;
}

static int
bad(const struct pld_ref *r, size_t at, struct ike_err *e, const char *what)
{
	ike_err_set(e, IKEV2_N_INVALID_SYNTAX, r->type, at,
		    "%s payload at offset %zu: %s (offset %zu)",
		    pld_type_name(r->type), r->offset, what, at);
	return -1;
}

static void
body_reader(const struct pld_ref *r, struct cur *c)
{
	cur_init(c, r->body.ptr, r->body.len, r->offset + IKEV2_GEN_HDR_LEN);
}

/*
 * Transform attributes (3.3.5): only Key Length (TV) is defined for IKEv2;
 * a transform with any other attribute is remembered as such so that the
 * selection never picks it (3.3.6).
 */
static int
attrs_get(const struct pld_ref *r, struct cur *c, struct transform *t,
	  struct ike_err *e)
{
	while (cur_left(c) > 0) {
		uint16_t type, val;
		size_t at = cur_offset(c);

		cur_u16(c, &type);
		cur_u16(c, &val);
		if (!(type & IKEV2_ATTR_AF_TV)) {
			/* TLV: val is the length of the value that follows. */
			if (!cur_skip(c, val))
				return bad(r, at, e,
					   "attribute overruns its transform");
			t->flags |= XF_UNKNOWN_ATTR;
		} else if ((type & ~IKEV2_ATTR_AF_TV) ==
			   IKEV2_ATTR_KEY_LENGTH) {
			t->key_bits = val;
		} else {
			t->flags |= XF_UNKNOWN_ATTR;
		}
	}
	return cur_ok(c) ? 0 : bad(r, cur_offset(c), e, "truncated attribute");
}

static int
transform_get(const struct pld_ref *r, struct cur *c, struct transform *t,
	      uint8_t *last, struct ike_err *e)
{
	size_t at = cur_offset(c);
	uint8_t res;
	uint16_t len;
	struct cur body;

	memset(t, 0, sizeof(*t));
	cur_u8(c, last);
	cur_u8(c, &res);
	cur_u16(c, &len);
	if (!cur_ok(c) || (*last != SUBST_LAST && *last != SUBST_TRANSFORM))
		return bad(r, at, e, "bad transform substructure header");
	if (len < TRANSFORM_HDR_LEN || !cur_sub(c, len - 4, &body))
		return bad(r, at, e, "transform length out of bounds");
	cur_u8(&body, &t->type);
	cur_u8(&body, &res);
	cur_u16(&body, &t->id);
	return attrs_get(r, &body, t, e);
}

static int
proposal_get(const struct pld_ref *r, struct cur *c, struct proposal *p,
	     uint8_t *last, struct ike_err *e)
{
	size_t at = cur_offset(c);
	uint8_t res, n_xf, xf_last = SUBST_TRANSFORM;
	uint16_t len;
	struct cur body;
	unsigned i;

	memset(p, 0, sizeof(*p));
	cur_u8(c, last);
	cur_u8(c, &res);
	cur_u16(c, &len);
	if (!cur_ok(c) || (*last != SUBST_LAST && *last != SUBST_PROPOSAL))
		return bad(r, at, e, "bad proposal substructure header");
	if (len < PROPOSAL_HDR_LEN || !cur_sub(c, len - 4, &body))
		return bad(r, at, e, "proposal length out of bounds");
	cur_u8(&body, &p->num);
	cur_u8(&body, &p->proto);
	cur_u8(&body, &p->spi_size);
	cur_u8(&body, &n_xf);
	if (p->spi_size > sizeof(p->spi))
		return bad(r, at, e, "SPI size larger than 8");
	cur_copy(&body, p->spi, p->spi_size);
	/* An SPI of zero names no SA: it is reserved for IKE (3.1) and for
	 * ESP and AH (RFC 4303 2.1), so a peer may never ask for one. */
	if (p->spi_size && cur_ok(&body) &&
	    memcmp(p->spi, (const uint8_t[8]){0}, p->spi_size) == 0)
		return bad(r, at, e, "proposal with an all-zero SPI");
	if (n_xf > IKE_MAX_TRANSFORMS)
		return bad(r, at, e, "more transforms than we accept (64)");
	for (i = 0; i < n_xf; i++) {
		if (xf_last == SUBST_LAST)
			return bad(r, cur_offset(&body), e,
				   "transform after the one marked last");
		if (transform_get(r, &body, &p->xf[i], &xf_last, e) < 0)
			return -1;
	}
	p->n_xf = n_xf;
	if (xf_last != SUBST_LAST)
		return bad(r, at, e, "fewer transforms than announced");
	if (!cur_ok(&body) || cur_left(&body) != 0)
		return bad(r, cur_offset(&body), e,
			   "proposal length does not match its transforms");
	return 0;
}

/*
 * SA payload (3.3): proposals, each with its transforms.
 */
int
pld_sa_get(const struct pld_ref *r, struct pld_sa *sa, struct ike_err *e)
{
	struct cur c;
	uint8_t last = SUBST_PROPOSAL;

	body_reader(r, &c);
	sa->n = 0;
	while (cur_left(&c) > 0) {
		if (last == SUBST_LAST)
			return bad(r, cur_offset(&c), e,
				   "proposal after the one marked last");
		if (sa->n >= IKE_MAX_PROPOSALS)
			return bad(r, cur_offset(&c), e,
				   "more proposals than we accept (32)");
		if (proposal_get(r, &c, &sa->prop[sa->n], &last, e) < 0)
			return -1;
		sa->n++;
	}
	if (sa->n == 0)
		return bad(r, r->offset, e, "no proposal");
	if (last != SUBST_LAST)
		return bad(r, r->offset, e, "last proposal not marked last");
	return body_done(r, &c, e);
}

void
pld_sa_put(struct msg_builder *b, const struct pld_sa *sa)
{
	pld_props_put(b, sa->prop, sa->n);
}

void
pld_props_put(struct msg_builder *b, const struct proposal *props, unsigned n)
{
	unsigned i, j;

	msg_pld_begin(b, IKEV2_PL_SA, false);
	for (i = 0; i < n; i++) {
		const struct proposal *p = &props[i];
		size_t p_at = b->w.len;

		wbuf_u8(&b->w, i + 1 == n ? SUBST_LAST : SUBST_PROPOSAL);
		wbuf_u8(&b->w, 0);
		wbuf_u16(&b->w, 0);
		wbuf_u8(&b->w, p->num);
		wbuf_u8(&b->w, p->proto);
		wbuf_u8(&b->w, p->spi_size);
		wbuf_u8(&b->w, p->n_xf);
		wbuf_put(&b->w, p->spi,
			 p->spi_size <= sizeof(p->spi) ? p->spi_size : 0);
		for (j = 0; j < p->n_xf && j < IKE_MAX_TRANSFORMS; j++) {
			const struct transform *t = &p->xf[j];

			wbuf_u8(&b->w, j + 1 == p->n_xf ? SUBST_LAST
							: SUBST_TRANSFORM);
			wbuf_u8(&b->w, 0);
			wbuf_u16(&b->w, t->key_bits ? 12 : 8);
			wbuf_u8(&b->w, t->type);
			wbuf_u8(&b->w, 0);
			wbuf_u16(&b->w, t->id);
			if (t->key_bits) {
				wbuf_u16(&b->w, IKEV2_ATTR_AF_TV |
						    IKEV2_ATTR_KEY_LENGTH);
				wbuf_u16(&b->w, t->key_bits);
			}
		}
		wbuf_patch_u16(&b->w, p_at + 2, (uint16_t)(b->w.len - p_at));
	}
	msg_pld_end(b);
}

/*
 * KE (3.4): | DH Group Num | RESERVED | Key Exchange Data ... |
 */
int
pld_ke_get(const struct pld_ref *r, struct pld_ke *ke, struct ike_err *e)
{
	struct cur c;

	body_reader(r, &c);
	cur_u16(&c, &ke->group);
	cur_skip(&c, 2);
	cur_rest(&c, &ke->data);
	if (cur_ok(&c) && ke->data.len == 0)
		return bad(r, r->offset, e, "empty key exchange data");
	return body_done(r, &c, e);
}

void
pld_ke_put(struct msg_builder *b, const struct pld_ke *ke)
{
	msg_pld_begin(b, IKEV2_PL_KE, false);
	wbuf_u16(&b->w, ke->group);
	wbuf_u16(&b->w, 0);
	wbuf_bytes(&b->w, ke->data);
	msg_pld_end(b);
}

/*
 * IDi/IDr (3.5): | ID Type | RESERVED (3) | Identification Data ... |
 */
int
pld_id_get(const struct pld_ref *r, struct pld_id *id, struct ike_err *e)
{
	struct cur c;

	body_reader(r, &c);
	cur_u8(&c, &id->type);
	cur_skip(&c, 3);
	cur_rest(&c, &id->data);
	if (cur_ok(&c)) {
		if ((id->type == IKEV2_ID_IPV4_ADDR && id->data.len != 4) ||
		    (id->type == IKEV2_ID_IPV6_ADDR && id->data.len != 16))
			return bad(r, r->offset, e,
				   "IP address identity of the wrong length");
		if (id->data.len == 0)
			return bad(r, r->offset, e, "empty identity");
	}
	return body_done(r, &c, e);
}

void
pld_id_put(struct msg_builder *b, uint8_t type, const struct pld_id *id)
{
	msg_pld_begin(b, type, false);
	wbuf_u8(&b->w, id->type);
	wbuf_zero(&b->w, 3);
	wbuf_bytes(&b->w, id->data);
	msg_pld_end(b);
}

/*
 * CERT (3.6) and CERTREQ (3.7): | Encoding | Data ... |
 */
int
pld_cert_get(const struct pld_ref *r, struct pld_cert *cert, struct ike_err *e)
{
	struct cur c;

	body_reader(r, &c);
	cur_u8(&c, &cert->encoding);
	cur_rest(&c, &cert->data);
	return body_done(r, &c, e);
}

void
pld_cert_put(struct msg_builder *b, uint8_t type, const struct pld_cert *cert)
{
	msg_pld_begin(b, type, false);
	wbuf_u8(&b->w, cert->encoding);
	wbuf_bytes(&b->w, cert->data);
	msg_pld_end(b);
}

/*
 * AUTH (3.8): | Auth Method | RESERVED (3) | Authentication Data ... |
 */
int
pld_auth_get(const struct pld_ref *r, struct pld_auth *a, struct ike_err *e)
{
	struct cur c;

	body_reader(r, &c);
	cur_u8(&c, &a->method);
	cur_skip(&c, 3);
	cur_rest(&c, &a->data);
	if (cur_ok(&c) && a->data.len == 0)
		return bad(r, r->offset, e, "empty authentication data");
	return body_done(r, &c, e);
}

void
pld_auth_put(struct msg_builder *b, const struct pld_auth *a)
{
	msg_pld_begin(b, IKEV2_PL_AUTH, false);
	wbuf_u8(&b->w, a->method);
	wbuf_zero(&b->w, 3);
	wbuf_bytes(&b->w, a->data);
	msg_pld_end(b);
}

/*
 * Nonce (3.9): between 16 and 256 octets.
 */
int
pld_nonce_get(const struct pld_ref *r, struct pld_nonce *n, struct ike_err *e)
{
	struct cur c;

	body_reader(r, &c);
	cur_rest(&c, &n->data);
	if (n->data.len < IKE_NONCE_MIN || n->data.len > IKE_NONCE_MAX)
		return bad(r, r->offset, e,
			   "nonce length outside 16..256 octets");
	return body_done(r, &c, e);
}

void
pld_nonce_put(struct msg_builder *b, const struct pld_nonce *n)
{
	msg_pld_begin(b, IKEV2_PL_NONCE, false);
	wbuf_bytes(&b->w, n->data);
	msg_pld_end(b);
}

/*
 * Notify (3.10): | Protocol ID | SPI Size | Notify Message Type |
 *                | SPI ... | Notification Data ... |
 */
int
pld_notify_get(const struct pld_ref *r, struct pld_notify *n, struct ike_err *e)
{
	struct cur c;

	body_reader(r, &c);
	cur_u8(&c, &n->proto);
	cur_u8(&c, &n->spi_size);
	cur_u16(&c, &n->type);
	cur_view(&c, n->spi_size, &n->spi);
	cur_rest(&c, &n->data);
	return body_done(r, &c, e);
}

void
pld_notify_put(struct msg_builder *b, const struct pld_notify *n)
{
	msg_pld_begin(b, IKEV2_PL_N, false);
	wbuf_u8(&b->w, n->proto);
	wbuf_u8(&b->w, (uint8_t)n->spi.len);
	wbuf_u16(&b->w, n->type);
	wbuf_bytes(&b->w, n->spi);
	wbuf_bytes(&b->w, n->data);
	msg_pld_end(b);
}

/*
 * Delete (3.11): | Protocol ID | SPI Size | Num of SPIs | SPIs ... |
 * IKE SA deletes carry no SPI (size 0); ESP and AH carry 4-byte SPIs.
 */
int
pld_delete_get(const struct pld_ref *r, struct pld_delete *d, struct ike_err *e)
{
	struct cur c;

	body_reader(r, &c);
	cur_u8(&c, &d->proto);
	cur_u8(&c, &d->spi_size);
	cur_u16(&c, &d->n_spi);
	if (!cur_ok(&c))
		return body_done(r, &c, e);
	if (d->proto == IKEV2_PROTO_IKE && (d->spi_size != 0 || d->n_spi))
		return bad(r, r->offset, e, "IKE SA delete with SPIs");
	if ((d->proto == IKEV2_PROTO_ESP || d->proto == IKEV2_PROTO_AH) &&
	    d->spi_size != 4)
		return bad(r, r->offset, e, "CHILD SA delete SPI size not 4");
	cur_view(&c, (size_t)d->spi_size * d->n_spi, &d->spis);
	return body_done(r, &c, e);
}

void
pld_delete_put(struct msg_builder *b, const struct pld_delete *d)
{
	msg_pld_begin(b, IKEV2_PL_D, false);
	wbuf_u8(&b->w, d->proto);
	wbuf_u8(&b->w, d->spi_size);
	wbuf_u16(&b->w, d->n_spi);
	wbuf_bytes(&b->w, d->spis);
	msg_pld_end(b);
}

/*
 * Vendor ID (3.12): opaque.
 */
int
pld_vendor_get(const struct pld_ref *r, struct pld_vendor *v, struct ike_err *e)
{
	struct cur c;

	body_reader(r, &c);
	cur_rest(&c, &v->data);
	return body_done(r, &c, e);
}

void
pld_vendor_put(struct msg_builder *b, const struct pld_vendor *v)
{
	msg_pld_begin(b, IKEV2_PL_V, false);
	wbuf_bytes(&b->w, v->data);
	msg_pld_end(b);
}

/*
 * TSi/TSr (3.13): | Number of TSs | RESERVED (3) | selectors ... |
 * Selector: | TS Type | IP Protocol ID | Selector Length |
 *           | Start Port | End Port | Starting Address | Ending Address |
 */
static size_t
ts_addr_len(uint8_t type)
{
	switch (type) {
	case IKEV2_TS_IPV4_ADDR_RANGE:
		return 4;
	case IKEV2_TS_IPV6_ADDR_RANGE:
		return 16;
	default:
		return 0;
	}
}

int
pld_ts_get(const struct pld_ref *r, struct pld_ts *ts, struct ike_err *e)
{
	struct cur c;
	uint8_t count;
	unsigned i;

	body_reader(r, &c);
	cur_u8(&c, &count);
	cur_skip(&c, 3);
	if (cur_ok(&c) && count == 0)
		return bad(r, r->offset, e, "no traffic selector");
	if (count > IKE_MAX_TS)
		return bad(r, r->offset, e,
			   "more traffic selectors than we accept (16)");
	memset(ts, 0, sizeof(*ts));
	for (i = 0; i < count && cur_ok(&c); i++) {
		struct ts *t = &ts->ts[i];
		size_t at = cur_offset(&c), alen;
		uint16_t len;
		struct cur sel;

		cur_u8(&c, &t->type);
		cur_u8(&c, &t->proto);
		cur_u16(&c, &len);
		if (!cur_ok(&c) || len < 4 || !cur_sub(&c, len - 4, &sel))
			return bad(r, at, e, "selector length out of bounds");
		alen = ts_addr_len(t->type);
		if (alen == 0)
			continue; /* unknown type: skipped by its length */
		if (len != TS_HDR_LEN + 2 * alen)
			return bad(r, at, e,
				   "selector length wrong for its type");
		cur_u16(&sel, &t->sport);
		cur_u16(&sel, &t->eport);
		cur_copy(&sel, t->saddr, alen);
		cur_copy(&sel, t->eaddr, alen);
	}
	ts->n = i;
	return body_done(r, &c, e);
}

void
pld_ts_put(struct msg_builder *b, uint8_t type, const struct pld_ts *ts)
{
	unsigned i;

	msg_pld_begin(b, type, false);
	wbuf_u8(&b->w, (uint8_t)ts->n);
	wbuf_zero(&b->w, 3);
	for (i = 0; i < ts->n && i < IKE_MAX_TS; i++) {
		const struct ts *t = &ts->ts[i];
		size_t alen = ts_addr_len(t->type);

		wbuf_u8(&b->w, t->type);
		wbuf_u8(&b->w, t->proto);
		wbuf_u16(&b->w, (uint16_t)(TS_HDR_LEN + 2 * alen));
		wbuf_u16(&b->w, t->sport);
		wbuf_u16(&b->w, t->eport);
		wbuf_put(&b->w, t->saddr, alen);
		wbuf_put(&b->w, t->eaddr, alen);
	}
	msg_pld_end(b);
}

/*
 * CP (3.15): | CFG Type | RESERVED (3) | attributes ... |
 * Attribute: |R| Attribute Type | Length | Value ... |
 */
int
pld_cp_get(const struct pld_ref *r, struct pld_cp *cp, struct ike_err *e)
{
	struct cur c;

	body_reader(r, &c);
	cur_u8(&c, &cp->type);
	cur_skip(&c, 3);
	cp->n = 0;
	while (cur_ok(&c) && cur_left(&c) > 0) {
		struct cp_attr *a;
		size_t at = cur_offset(&c);
		uint16_t len;

		if (cp->n >= IKE_MAX_CP_ATTRS)
			return bad(
			    r, at, e,
			    "more configuration attributes than we accept");
		a = &cp->attr[cp->n++];
		cur_u16(&c, &a->type);
		a->type &= 0x7fff; /* the R bit is reserved */
		cur_u16(&c, &len);
		if (!cur_view(&c, len, &a->value))
			return bad(r, at, e, "attribute overruns the payload");
	}
	return body_done(r, &c, e);
}

void
pld_cp_put(struct msg_builder *b, const struct pld_cp *cp)
{
	unsigned i;

	msg_pld_begin(b, IKEV2_PL_CP, false);
	wbuf_u8(&b->w, cp->type);
	wbuf_zero(&b->w, 3);
	for (i = 0; i < cp->n && i < IKE_MAX_CP_ATTRS; i++) {
		wbuf_u16(&b->w, cp->attr[i].type & 0x7fff);
		wbuf_u16(&b->w, (uint16_t)cp->attr[i].value.len);
		wbuf_bytes(&b->w, cp->attr[i].value);
	}
	msg_pld_end(b);
}

/*
 * EAP (3.16): one EAP message (RFC 3748 4): | Code | Identifier | Length |
 * Type | Type-Data |, with Type only for Request and Response.
 */
int
pld_eap_get(const struct pld_ref *r, struct pld_eap *eap, struct ike_err *e)
{
	struct cur c;
	uint16_t len;

	body_reader(r, &c);
	cur_u8(&c, &eap->code);
	cur_u8(&c, &eap->ident);
	cur_u16(&c, &len);
	eap->type = 0;
	if (!cur_ok(&c))
		return body_done(r, &c, e);
	if (len != r->body.len)
		return bad(r, r->offset, e,
			   "EAP length differs from the payload length");
	switch (eap->code) {
	case EAP_CODE_REQUEST:
	case EAP_CODE_RESPONSE:
		if (!cur_u8(&c, &eap->type))
			return bad(r, r->offset, e, "EAP message without type");
		break;
	case EAP_CODE_SUCCESS:
	case EAP_CODE_FAILURE:
		break;
	default:
		return bad(r, r->offset, e, "unknown EAP code");
	}
	eap->msg = r->body;
	cur_skip(&c, cur_left(&c));
	return body_done(r, &c, e);
}

void
pld_eap_put(struct msg_builder *b, const struct pld_eap *eap)
{
	msg_pld_begin(b, IKEV2_PL_EAP, false);
	wbuf_bytes(&b->w, eap->msg);
	msg_pld_end(b);
}

/*
 * SKF (RFC 7383 2.5): | Fragment Number | Total Fragments | IV, data, ICV |
 * Fragments are numbered from 1; the number cannot exceed the total.
 */
int
pld_skf_get(const struct pld_ref *r, struct pld_skf *f, struct ike_err *e)
{
	struct cur c;

	body_reader(r, &c);
	cur_u16(&c, &f->num);
	cur_u16(&c, &f->total);
	cur_rest(&c, &f->data);
	if (cur_ok(&c) && (f->num == 0 || f->total == 0 || f->num > f->total))
		return bad(r, r->offset, e, "fragment number out of range");
	return body_done(r, &c, e);
}

/* Decode every known payload; used by the fuzzer and the tests. The SA and
 * TS structures are large, so they live in one static-free union here. */
int
msg_decode_all(const struct msg *m, struct ike_err *e)
{
	union {
		struct pld_sa sa;
		struct pld_ke ke;
		struct pld_id id;
		struct pld_cert cert;
		struct pld_auth auth;
		struct pld_nonce nonce;
		struct pld_notify notify;
		struct pld_delete del;
		struct pld_vendor vendor;
		struct pld_ts ts;
		struct pld_cp cp;
		struct pld_eap eap;
		struct pld_skf skf;
	} u;
	unsigned i;
	int rc = 0;

	if (msg_check_critical(m, e) < 0)
		return -1;
	for (i = 0; i < m->n && rc == 0; i++) {
		const struct pld_ref *r = &m->pl[i];

		switch (r->type) {
		case IKEV2_PL_SA:
			rc = pld_sa_get(r, &u.sa, e);
			break;
		case IKEV2_PL_KE:
			rc = pld_ke_get(r, &u.ke, e);
			break;
		case IKEV2_PL_IDi:
		case IKEV2_PL_IDr:
			rc = pld_id_get(r, &u.id, e);
			break;
		case IKEV2_PL_CERT:
		case IKEV2_PL_CERTREQ:
			rc = pld_cert_get(r, &u.cert, e);
			break;
		case IKEV2_PL_AUTH:
			rc = pld_auth_get(r, &u.auth, e);
			break;
		case IKEV2_PL_NONCE:
			rc = pld_nonce_get(r, &u.nonce, e);
			break;
		case IKEV2_PL_N:
			rc = pld_notify_get(r, &u.notify, e);
			break;
		case IKEV2_PL_D:
			rc = pld_delete_get(r, &u.del, e);
			break;
		case IKEV2_PL_V:
			rc = pld_vendor_get(r, &u.vendor, e);
			break;
		case IKEV2_PL_TSi:
		case IKEV2_PL_TSr:
			rc = pld_ts_get(r, &u.ts, e);
			break;
		case IKEV2_PL_CP:
			rc = pld_cp_get(r, &u.cp, e);
			break;
		case IKEV2_PL_EAP:
			rc = pld_eap_get(r, &u.eap, e);
			break;
		case IKEV2_PL_SKF:
			rc = pld_skf_get(r, &u.skf, e);
			break;
		default: /* SK is opened by sk_open; others are skipped */
			break;
		}
	}
	return rc;
}
