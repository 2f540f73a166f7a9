/* SPDX-License-Identifier: ISC */
/*
 * The ISAKMP header and the IKEv1 payload chain (RFC 2408 3.1, 3.2):
 * framing of a received message, or of its decrypted body, into payload
 * references, and the builder's v1 entry points. Payload bodies are read in
 * pld_v1.c.
 *
 *                      1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * !                          Initiator                            !
 * !                            Cookie                             !
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * !                          Responder                            !
 * !                            Cookie                             !
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * !  Next Payload ! MjVer ! MnVer ! Exchange Type !     Flags     !
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * !                          Message ID                           !
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * !                            Length                             !
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Generic payload header:
 * ! Next Payload  !   RESERVED    !         Payload Length        !
 *
 * Reserved fields are ignored on receipt and written as zero, as v2 does
 * (RFC 2408 says only "set to 0", and peers do not refuse each other over
 * them). Undefined header flags are refused: RFC 2408 5.2 asks for
 * INVALID-FLAGS there, and a flag we do not know changes the meaning of
 * the body.
 */
#include <string.h>

#include "msg_v1.h"

int
msg_v1_hdr_get(const uint8_t *p, size_t len, struct ike_hdr *h,
	       struct ike_err *e)
{
	struct cur c;
	uint8_t ver;

	cur_init(&c, p, len, 0);
	cur_copy(&c, h->spi_i, IKEV1_COOKIE_LEN);
	cur_copy(&c, h->spi_r, IKEV1_COOKIE_LEN);
	cur_u8(&c, &h->np);
	cur_u8(&c, &ver);
	cur_u8(&c, &h->exchange);
	cur_u8(&c, &h->flags);
	cur_u32(&c, &h->msgid);
	cur_u32(&c, &h->length);
	h->major = ver >> 4;
	h->minor = ver & 0x0f;
	if (!cur_ok(&c)) {
		ike_err_set(e, IKEV1_N_PAYLOAD_MALFORMED, IKEV1_PL_NONE, 0,
			    "message of %zu bytes is shorter than the ISAKMP "
			    "header",
			    len);
		return -1;
	}
	/* RFC 2408 5.2: a major or minor version above ours is refused with
	 * its own notify. */
	if (h->major != IKEV1_MAJOR) {
		ike_err_set(e, IKEV1_N_INVALID_MAJOR_VERSION, IKEV1_PL_NONE, 17,
			    "ISAKMP major version %u, only %u is supported",
			    h->major, IKEV1_MAJOR);
		return -1;
	}
	if (h->minor != IKEV1_MINOR) {
		ike_err_set(e, IKEV1_N_INVALID_MINOR_VERSION, IKEV1_PL_NONE, 17,
			    "ISAKMP minor version %u, only %u is supported",
			    h->minor, IKEV1_MINOR);
		return -1;
	}
	if (h->flags & ~IKEV1_FLAGS_DEFINED) {
		ike_err_set(e, IKEV1_N_INVALID_FLAGS, IKEV1_PL_NONE, 19,
			    "undefined ISAKMP header flags 0x%02x",
			    h->flags & ~IKEV1_FLAGS_DEFINED);
		return -1;
	}
	if (h->length != len) {
		ike_err_set(
		    e, IKEV1_N_UNEQUAL_PAYLOAD_LENGTHS, IKEV1_PL_NONE, 24,
		    "header says %u bytes but the datagram has %zu (%s)",
		    h->length, len,
		    h->length > len ? "truncated" : "trailing bytes");
		return -1;
	}
	return 0;
}

/* Which next-payload values may stand in the chain. Proposal and
 * transform payloads only exist inside an SA (3.5, 3.6); 22 to 127 are
 * unassigned, so a peer sending one is broken (5.2, INVALID-PAYLOAD-TYPE).
 * Assigned types we do not decode and private ones (the NAT-T drafts,
 * fragments, vendors') are framed and left to the exchange's rules. */
static bool
chain_type_ok(uint8_t type)
{
	if (type == IKEV1_PL_P || type == IKEV1_PL_T)
		return false;
	return type < IKEV1_PL_RESERVED_MIN || type >= IKEV1_PL_PRIVATE_MIN;
}

/* Walk a chain starting with type np over c and append a reference per
 * payload. With padding_ok, bytes after the last payload are the
 * cipher's padding; otherwise they are an error. */
static int
frame_chain(struct msg_v1 *m, uint8_t np, struct cur *c, bool inner,
	    bool padding_ok, struct ike_err *e)
{
	while (np != IKEV1_PL_NONE) {
		struct pld_ref *r;
		uint8_t next, res;
		size_t at = cur_offset(c);

		if (!chain_type_ok(np)) {
			ike_err_set(e, IKEV1_N_INVALID_PAYLOAD_TYPE, np, at,
				    "payload type %u (%s) at offset %zu is not "
				    "allowed in a payload chain",
				    np, msg_v1_pld_name(np), at);
			return -1;
		}
		if (m->n >= IKE_MAX_PAYLOADS) {
			ike_err_set(e, IKEV1_N_PAYLOAD_MALFORMED, np, at,
				    "more than %d payloads in one message",
				    IKE_MAX_PAYLOADS);
			return -1;
		}
		r = &m->pl[m->n];
		if (msg_pld_take(c, np, msg_v1_pld_name(np),
				 IKEV1_N_PAYLOAD_MALFORMED, r, &next, &res,
				 e) < 0)
			return -1;
		m->n++;
		r->inner = inner;
		r->reserved = res;
		np = next;
	}
	if (!padding_ok && cur_left(c) != 0) {
		ike_err_set(e, IKEV1_N_UNEQUAL_PAYLOAD_LENGTHS, IKEV1_PL_NONE,
			    cur_offset(c),
			    "%zu bytes after the last payload at offset %zu",
			    cur_left(c), cur_offset(c));
		return -1;
	}
	return 0;
}

int
msg_v1_frame(const uint8_t *p, size_t len, struct msg_v1 *m, struct ike_err *e)
{
	struct cur c;

	memset(m, 0, sizeof(*m));
	if (msg_v1_hdr_get(p, len, &m->hdr, e) < 0)
		return -1;
	m->raw.ptr = p;
	m->raw.len = len;
	cur_init(&c, p, len, 0);
	cur_skip(&c, IKEV1_HDR_LEN);
	if (m->hdr.flags & IKEV1_FLAG_ENCRYPTION) {
		/* The chain is inside the ciphertext; its first type is in
		 * the header, in the clear (3.1). */
		m->encrypted = true;
		cur_rest(&c, &m->cipher);
		if (m->cipher.len == 0) {
			ike_err_set(e, IKEV1_N_PAYLOAD_MALFORMED, m->hdr.np,
				    IKEV1_HDR_LEN,
				    "encrypted message without a body");
			return -1;
		}
		return 0;
	}
	return frame_chain(m, m->hdr.np, &c, false, false, e);
}

int
msg_v1_frame_plain(struct msg_v1 *m, const uint8_t *p, size_t len, size_t base,
		   struct ike_err *e)
{
	struct cur c;

	if (!m->encrypted) {
		ike_err_set(e, IKEV1_N_PAYLOAD_MALFORMED, IKEV1_PL_NONE, base,
			    "plaintext framed for a message sent in the clear");
		return -1;
	}
	if (m->hdr.np == IKEV1_PL_NONE) {
		ike_err_set(e, IKEV1_N_PAYLOAD_MALFORMED, IKEV1_PL_NONE, 16,
			    "encrypted message without payloads");
		return -1;
	}
	/* An encrypted message has no payload in the clear: framing its
	 * plaintext again starts over. */
	m->n = 0;
	cur_init(&c, p, len, base);
	return frame_chain(m, m->hdr.np, &c, true, true, e);
}

const struct pld_ref *
msg_v1_find(const struct msg_v1 *m, uint8_t type, const struct pld_ref *prev)
{
	unsigned i = prev ? (unsigned)(prev - m->pl) + 1 : 0;

	for (; i < m->n; i++)
		if (m->pl[i].type == type)
			return &m->pl[i];
	return NULL;
}

void
msg_v1_hdr_init(struct ike_hdr *h, const uint8_t *icookie,
		const uint8_t *rcookie, uint8_t exchange, uint8_t flags,
		uint32_t msgid)
{
	memset(h, 0, sizeof(*h));
	memcpy(h->spi_i, icookie, IKEV1_COOKIE_LEN);
	if (rcookie)
		memcpy(h->spi_r, rcookie, IKEV1_COOKIE_LEN);
	h->major = IKEV1_MAJOR;
	h->minor = IKEV1_MINOR;
	h->exchange = exchange;
	h->flags = flags;
	h->msgid = msgid;
}

/* v1's generic header is v2's with the critical bit always clear (the
 * octet is RESERVED in RFC 2408 3.2), so v2's builder writes it. */
void
msg_v1_pld_begin(struct msg_builder *b, uint8_t type)
{
	msg_pld_begin(b, type, false);
}
