/* SPDX-License-Identifier: ISC */
/*
 * The natt plugin's IKEv1 half: NAT traversal as RFC 3947 has it, and as
 * the drafts before it had it (Windows, macOS and older clients still
 * send their vendor IDs, see docs/clients.md).
 *
 *   Main Mode                          Aggressive Mode
 *   1  SA, VID*                  -->   1  SA, KE, Ni, ID, VID*
 *   2  SA, VID                   <--   2  SA, KE, Nr, ID, HASH, VID,
 *   3  KE, Ni, NAT-D, NAT-D      -->         NAT-D, NAT-D
 *   4  KE, Nr, NAT-D, NAT-D      <--   3* HASH, NAT-D, NAT-D (port 4500)
 *   5* ID, HASH   (port 4500)    -->
 *
 * - Negotiation: the initiator sends the RFC 3947 VID and those of
 *   draft-ietf-ipsec-nat-t-ike-03, -02 and -02 with a newline; the
 *   responder answers with the best of those the peer sent. NAT-D and
 *   NAT-OA go as payloads 20 and 21 with RFC 3947, 130 and 131 with a
 *   draft, and Quick Mode numbers the UDP-encapsulated modes 3 and 4, or
 *   61443 and 61444 (the engine, told by ike_sa_set_v1_encap).
 * - Detection (3.2): the first NAT-D hashes the destination of the
 *   datagram, the others the sender's addresses; `encap: true` sends a
 *   source hash that cannot match, as for IKEv2.
 * - Floating (4): the initiator that found a NAT sends from message 5
 *   (Aggressive Mode 3) on from port 4500 with the non-ESP marker; the
 *   responder follows once that authenticated message came.
 * Keepalives, the kernel's UDP encapsulation and mapping changes are
 * natt.c's, as for IKEv2.
 */
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "natt.h"

/* MD5 of each variant's name (test_v1_natt.c recomputes them). */
static const struct {
	uint8_t vid[16];
	const char *name;
} variants[] = {
    [NATT_V1_DRAFT_02] = {{0xcd, 0x60, 0x46, 0x43, 0x35, 0xdf, 0x21, 0xf8, 0x7c,
			   0xfd, 0xb2, 0xfc, 0x68, 0xb6, 0xa4, 0x48},
			  "draft-ietf-ipsec-nat-t-ike-02"},
    [NATT_V1_DRAFT_02N] = {{0x90, 0xcb, 0x80, 0x91, 0x3e, 0xbb, 0x69, 0x6e,
			    0x08, 0x63, 0x81, 0xb5, 0xec, 0x42, 0x7b, 0x1f},
			   "draft-ietf-ipsec-nat-t-ike-02\n"},
    [NATT_V1_DRAFT_03] = {{0x7d, 0x94, 0x19, 0xa6, 0x53, 0x10, 0xca, 0x6f, 0x2c,
			   0x17, 0x9d, 0x92, 0x15, 0x52, 0x9d, 0x56},
			  "draft-ietf-ipsec-nat-t-ike-03"},
    [NATT_V1_RFC3947] = {{0x4a, 0x13, 0x1c, 0x81, 0x07, 0x03, 0x58, 0x45, 0x5c,
			  0x57, 0x28, 0xf2, 0x0e, 0x95, 0x45, 0x2f},
			 "RFC 3947"},
};

enum natt_v1_variant
natt_v1_vid(const uint8_t *vid, size_t len)
{
	unsigned i;

	if (len != 16)
		return NATT_V1_NONE;
	for (i = NATT_V1_DRAFT_02; i <= NATT_V1_RFC3947; i++)
		if (memcmp(vid, variants[i].vid, 16) == 0)
			return (enum natt_v1_variant)i;
	return NATT_V1_NONE;
}

/* The best variant the peer's VIDs name. */
static enum natt_v1_variant
peer_variant(const struct ike_msg_view *m)
{
	enum natt_v1_variant best = NATT_V1_NONE, v;
	size_t i;

	for (i = 0; i < m->n_payloads; i++) {
		const struct ike_in_payload *p = &m->payloads[i];

		if (p->type != IKEV1_PL_VID)
			continue;
		v = natt_v1_vid(p->data.ptr, p->data.len);
		if (v > best)
			best = v;
	}
	return best;
}

static uint8_t
natd_type(uint8_t variant)
{
	return variant == NATT_V1_RFC3947 ? IKEV1_PL_NAT_D
					  : IKEV1_PL_NAT_D_DRAFT;
}

static bool
aggressive(const struct ike_msg_view *m)
{
	return m->exchange == IKEV1_EXCH_AGGRESSIVE;
}

/* The messages that carry NAT-D (RFC 3947 3.2). */
static bool
natd_msg(const struct ike_msg_view *m)
{
	return aggressive(m) ? m->v1_msg == 2 || m->v1_msg == 3
			     : m->v1_msg == 3 || m->v1_msg == 4;
}

/* Destination first, then our one source (3.2). */
static void
put_natd_v1(const struct natt_sa *s, const struct ike_msg_view *m,
	    struct ike_out *out)
{
	uint8_t h[EVP_MAX_MD_SIZE];
	size_t n;

	if (natd_hash_v1(m->v1_digest, m->spi_i, m->spi_r, m->remote, h, &n) <
	    0)
		return;
	ike_out_payload(out, natd_type(s->v1_variant), h, n);
	if (natd_hash_v1(m->v1_digest, m->spi_i, m->spi_r, m->local, h, &n) < 0)
		return;
	/* A source hash that cannot match makes the peer believe us behind
	 * a NAT, so that both ends encapsulate (as 2.23 of RFC 7296). */
	if (s->forced && RAND_bytes(h, (int)n) != 1)
		memset(h, 0xa5, n);
	ike_out_payload(out, natd_type(s->v1_variant), h, n);
}

void
natt_v1_build(const struct ike_msg_view *m, struct ike_out *out)
{
	struct natt_sa *s;
	unsigned i;

	if (!m->ike_id || !(s = natt_sa_get(m->ike_id)))
		return;
	if (m->v1_msg == 1) {
		s->forced = natt_conn_forces(m->conn);
		for (i = NATT_V1_RFC3947; i >= NATT_V1_DRAFT_02; i--)
			ike_out_vendor_id(out, variants[i].vid, 16);
		return;
	}
	if (!s->v1_variant)
		return;
	/* Only the one variant the responder picked (RFC 3947 3.1). */
	if (m->v1_msg == 2)
		ike_out_vendor_id(out, variants[s->v1_variant].vid, 16);
	if (natd_msg(m))
		put_natd_v1(s, m, out);
}

/* NAT-D of the peer: what the SA's ESP does, told to the engine. */
static void
detect(struct natt_sa *s, const struct ike_msg_view *m)
{
	struct natd_result r;
	enum ike_v1_encap how = IKE_V1_ENCAP_NONE;

	natd_check_v1(m, natd_type(s->v1_variant), &r);
	s->peer_natd = r.present;
	s->nat_local = r.nat_local;
	s->nat_remote = r.nat_remote;
	if (!r.present)
		natt_api->log(IKE_LOG_WARN, "natt",
			      "'%s' IKE SA #%u: the peer negotiated NAT-T (%s) "
			      "but sent no valid NAT-D payloads: ESP goes "
			      "unencapsulated",
			      m->conn ? m->conn : "?", s->ike_id,
			      variants[s->v1_variant].name);
	if (natt_encap(s))
		how = s->v1_variant == NATT_V1_RFC3947 ? IKE_V1_ENCAP_RFC3947
						       : IKE_V1_ENCAP_DRAFT;
	natt_api->sa_v1_encap(s->ike_id, how);
	natt_publish(s);
	natt_log_detected(s, m->conn);
	natt_keepalive_update(s);
}

void
natt_v1_input(const struct ike_msg_view *m)
{
	struct natt_sa *s;

	if (!m->ike_id || !(s = natt_sa_get(m->ike_id)))
		return;
	if (m->v1_msg == 1 || m->v1_msg == 2) {
		if (m->v1_msg == 1)
			s->forced = natt_conn_forces(m->conn);
		/* A responder answering none of ours, or several: the best
		 * of what it named. */
		s->v1_variant = peer_variant(m);
		if (s->v1_variant)
			natt_api->log(IKE_LOG_DEBUG, "natt",
				      "IKE SA #%u: peer does NAT-T as %s",
				      s->ike_id, variants[s->v1_variant].name);
	}
	if (s->v1_variant && natd_msg(m) && m->inbound) {
		detect(s, m);
		/* The initiator floats now: its next message goes to 4500
		 * (RFC 3947 4). */
		if (m->initiator && natt_encap(s))
			natt_float(s, m);
	}
	/* The responder follows the initiator's float, on the first message
	 * it sent from there, once authenticated. */
	if (!m->initiator && (aggressive(m) ? m->v1_msg == 3 : m->v1_msg == 5))
		natt_follow(s, m);
}
