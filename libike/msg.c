/* SPDX-License-Identifier: ISC */
/*
 * The IKEv2 header and the payload chain (RFC 7296 sections 3.1 and 3.2):
 * framing of a received message into payload references, and the builder
 * that writes one. Payload bodies are read in pld_v2.c; SK in sk.c.
 *
 *                      1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                       IKE SA Initiator's SPI                  |
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                       IKE SA Responder's SPI                  |
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Next Payload | MjVer | MnVer | Exchange Type |     Flags     |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                          Message ID                           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                            Length                             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Generic payload header:
 * | Next Payload  |C|  RESERVED   |         Payload Length        |
 */
#include <string.h>

#include "msg.h"

static const struct {
	uint8_t type;
	const char *name;
} pld_names[] = {
    {IKEV2_PL_SA, "SA"},     {IKEV2_PL_KE, "KE"},
    {IKEV2_PL_IDi, "IDi"},   {IKEV2_PL_IDr, "IDr"},
    {IKEV2_PL_CERT, "CERT"}, {IKEV2_PL_CERTREQ, "CERTREQ"},
    {IKEV2_PL_AUTH, "AUTH"}, {IKEV2_PL_NONCE, "Nonce"},
    {IKEV2_PL_N, "N"},       {IKEV2_PL_D, "D"},
    {IKEV2_PL_V, "V"},       {IKEV2_PL_TSi, "TSi"},
    {IKEV2_PL_TSr, "TSr"},   {IKEV2_PL_SK, "SK"},
    {IKEV2_PL_CP, "CP"},     {IKEV2_PL_EAP, "EAP"},
    {IKEV2_PL_SKF, "SKF"},
};

const char *
pld_type_name(uint8_t type)
{
	size_t i;

	for (i = 0; i < sizeof(pld_names) / sizeof(pld_names[0]); i++)
		if (pld_names[i].type == type)
			return pld_names[i].name;
	return "unknown";
}

/* The error notifies a log line or an event may name (RFC 7296 3.10.1). */
const char *
notify_name(uint16_t type)
{
	static const struct {
		uint16_t type;
		const char *name;
	} names[] = {
	    {IKEV2_N_UNSUPPORTED_CRITICAL_PAYLOAD,
	     "UNSUPPORTED_CRITICAL_PAYLOAD"},
	    {IKEV2_N_INVALID_IKE_SPI, "INVALID_IKE_SPI"},
	    {IKEV2_N_INVALID_MAJOR_VERSION, "INVALID_MAJOR_VERSION"},
	    {IKEV2_N_INVALID_SYNTAX, "INVALID_SYNTAX"},
	    {IKEV2_N_INVALID_MESSAGE_ID, "INVALID_MESSAGE_ID"},
	    {IKEV2_N_INVALID_SPI, "INVALID_SPI"},
	    {IKEV2_N_NO_PROPOSAL_CHOSEN, "NO_PROPOSAL_CHOSEN"},
	    {IKEV2_N_INVALID_KE_PAYLOAD, "INVALID_KE_PAYLOAD"},
	    {IKEV2_N_AUTHENTICATION_FAILED, "AUTHENTICATION_FAILED"},
	    {IKEV2_N_SINGLE_PAIR_REQUIRED, "SINGLE_PAIR_REQUIRED"},
	    {IKEV2_N_NO_ADDITIONAL_SAS, "NO_ADDITIONAL_SAS"},
	    {IKEV2_N_INTERNAL_ADDRESS_FAILURE, "INTERNAL_ADDRESS_FAILURE"},
	    {IKEV2_N_FAILED_CP_REQUIRED, "FAILED_CP_REQUIRED"},
	    {IKEV2_N_TS_UNACCEPTABLE, "TS_UNACCEPTABLE"},
	    {IKEV2_N_INVALID_SELECTORS, "INVALID_SELECTORS"},
	    {IKEV2_N_TEMPORARY_FAILURE, "TEMPORARY_FAILURE"},
	    {IKEV2_N_CHILD_SA_NOT_FOUND, "CHILD_SA_NOT_FOUND"},
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].type == type)
			return names[i].name;
	return type <= IKEV2_N_ERROR_MAX ? "an error notify"
					 : "a status notify";
}

bool
pld_type_known(uint8_t type)
{
	return strcmp(pld_type_name(type), "unknown") != 0;
}

int
msg_hdr_get(const uint8_t *p, size_t len, struct ike_hdr *h, struct ike_err *e)
{
	struct cur c;
	uint8_t ver;

	cur_init(&c, p, len, 0);
	cur_copy(&c, h->spi_i, IKEV2_SPI_LEN);
	cur_copy(&c, h->spi_r, IKEV2_SPI_LEN);
	cur_u8(&c, &h->np);
	cur_u8(&c, &ver);
	cur_u8(&c, &h->exchange);
	cur_u8(&c, &h->flags);
	cur_u32(&c, &h->msgid);
	cur_u32(&c, &h->length);
	h->major = ver >> 4;
	h->minor = ver & 0x0f;
	if (!cur_ok(&c)) {
		ike_err_set(
		    e, IKEV2_N_INVALID_SYNTAX, IKEV2_PL_NONE, 0,
		    "message of %zu bytes is shorter than the IKE header", len);
		return -1;
	}
	/* RFC 7296 1.5: a major version we do not speak is answered with
	 * INVALID_MAJOR_VERSION carrying the version we do. */
	if (h->major != IKEV2_MAJOR) {
		ike_err_set(e, IKEV2_N_INVALID_MAJOR_VERSION, IKEV2_PL_NONE, 17,
			    "IKE major version %u, only %u is supported here",
			    h->major, IKEV2_MAJOR);
		return -1;
	}
	if (h->length != len) {
		ike_err_set(
		    e, IKEV2_N_INVALID_SYNTAX, IKEV2_PL_NONE, 24,
		    "header says %u bytes but the datagram has %zu (%s)",
		    h->length, len,
		    h->length > len ? "truncated" : "trailing bytes");
		return -1;
	}
	return 0;
}

int
msg_pld_take(struct cur *c, uint8_t np, const char *name, uint16_t notify,
	     struct pld_ref *r, uint8_t *next, uint8_t *octet2,
	     struct ike_err *e)
{
	size_t at = cur_offset(c);
	struct cur body;
	uint16_t len;

	cur_u8(c, next);
	cur_u8(c, octet2);
	cur_u16(c, &len);
	if (!cur_ok(c)) {
		ike_err_set(e, notify, np, at,
			    "%s payload header truncated at offset %zu", name,
			    at);
		return -1;
	}
	/* A length below the header would loop or underflow. */
	if (len < IKEV2_GEN_HDR_LEN ||
	    !cur_sub(c, len - IKEV2_GEN_HDR_LEN, &body)) {
		ike_err_set(e, notify, np, at,
			    "%s payload at offset %zu has length %u, but %zu "
			    "bytes remain",
			    name, at, len, cur_left(c) + IKEV2_GEN_HDR_LEN);
		return -1;
	}
	memset(r, 0, sizeof(*r));
	r->type = np;
	r->offset = at;
	cur_rest(&body, &r->body);
	return 0;
}

/* Walk a payload chain starting with type np over c and append a reference
 * per payload. An SK or SKF payload ends the chain: its body runs to the end
 * of the message and its next-payload field names the first inner payload. */
static int
frame_chain(struct msg *m, uint8_t np, struct cur *c, bool inner,
	    struct ike_err *e)
{
	while (np != IKEV2_PL_NONE) {
		struct pld_ref *r;
		uint8_t next, flags;
		size_t at = cur_offset(c);

		if (m->n >= IKE_MAX_PAYLOADS) {
			ike_err_set(e, IKEV2_N_INVALID_SYNTAX, np, at,
				    "more than %d payloads in one message",
				    IKE_MAX_PAYLOADS);
			return -1;
		}
		r = &m->pl[m->n];
		if (msg_pld_take(c, np, pld_type_name(np),
				 IKEV2_N_INVALID_SYNTAX, r, &next, &flags,
				 e) < 0)
			return -1;
		m->n++;
		r->critical = flags & IKEV2_CRITICAL;
		r->inner = inner;
		if (np == IKEV2_PL_SK || np == IKEV2_PL_SKF) {
			if (inner || m->sk >= 0) {
				ike_err_set(e, IKEV2_N_INVALID_SYNTAX, np, at,
					    "nested %s payload at offset %zu",
					    pld_type_name(np), at);
				return -1;
			}
			m->sk = (int)(m->n - 1);
			m->sk_np = next;
			break;
		}
		np = next;
	}
	if (cur_left(c) != 0) {
		ike_err_set(e, IKEV2_N_INVALID_SYNTAX, np, cur_offset(c),
			    "%zu bytes after the last payload at offset %zu",
			    cur_left(c), cur_offset(c));
		return -1;
	}
	return 0;
}

int
msg_frame(const uint8_t *p, size_t len, struct msg *m, struct ike_err *e)
{
	struct cur c;

	memset(m, 0, sizeof(*m));
	m->sk = -1;
	if (msg_hdr_get(p, len, &m->hdr, e) < 0)
		return -1;
	m->raw.ptr = p;
	m->raw.len = len;
	cur_init(&c, p, len, 0);
	cur_skip(&c, IKEV2_HDR_LEN);
	return frame_chain(m, m->hdr.np, &c, false, e);
}

int
msg_frame_inner(struct msg *m, uint8_t np, const uint8_t *p, size_t len,
		size_t base, struct ike_err *e)
{
	struct cur c;

	cur_init(&c, p, len, base);
	return frame_chain(m, np, &c, true, e);
}

const struct pld_ref *
msg_find(const struct msg *m, uint8_t type, const struct pld_ref *prev)
{
	unsigned i = prev ? (unsigned)(prev - m->pl) + 1 : 0;

	for (; i < m->n; i++)
		if (m->pl[i].type == type)
			return &m->pl[i];
	return NULL;
}

int
msg_check_critical(const struct msg *m, struct ike_err *e)
{
	unsigned i;

	for (i = 0; i < m->n; i++) {
		const struct pld_ref *r = &m->pl[i];

		if (r->critical && !pld_type_known(r->type)) {
			ike_err_set(
			    e, IKEV2_N_UNSUPPORTED_CRITICAL_PAYLOAD, r->type,
			    r->offset,
			    "critical payload of unknown type %u at offset %zu",
			    r->type, r->offset);
			return -1;
		}
	}
	return 0;
}

void
msg_build_init(struct msg_builder *b, uint8_t *buf, size_t cap,
	       const struct ike_hdr *h)
{
	memset(b, 0, sizeof(*b));
	wbuf_init(&b->w, buf, cap);
	wbuf_put(&b->w, h->spi_i, IKEV2_SPI_LEN);
	wbuf_put(&b->w, h->spi_r, IKEV2_SPI_LEN);
	b->np_at = b->w.len;
	wbuf_u8(&b->w, IKEV2_PL_NONE);
	wbuf_u8(&b->w, (uint8_t)(h->major << 4 | (h->minor & 0x0f)));
	wbuf_u8(&b->w, h->exchange);
	wbuf_u8(&b->w, h->flags);
	wbuf_u32(&b->w, h->msgid);
	wbuf_u32(&b->w, 0); /* patched by msg_build_finish */
}

void
msg_pld_begin(struct msg_builder *b, uint8_t type, bool critical)
{
	wbuf_patch_u8(&b->w, b->np_at, type);
	b->pld_at = b->w.len;
	b->np_at = b->w.len;
	wbuf_u8(&b->w, IKEV2_PL_NONE);
	wbuf_u8(&b->w, critical ? IKEV2_CRITICAL : 0);
	wbuf_u16(&b->w, 0); /* patched by msg_pld_end */
}

void
msg_pld_end(struct msg_builder *b)
{
	size_t len = b->w.len - b->pld_at;

	if (len > UINT16_MAX) {
		b->w.err = true;
		return;
	}
	wbuf_patch_u16(&b->w, b->pld_at + 2, (uint16_t)len);
}

size_t
msg_build_finish(struct msg_builder *b)
{
	if (b->w.len > IKEV2_MAX_MSG_LEN)
		b->w.err = true;
	wbuf_patch_u32(&b->w, 24, (uint32_t)b->w.len);
	return wbuf_ok(&b->w) ? b->w.len : 0;
}
