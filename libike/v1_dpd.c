/* SPDX-License-Identifier: ISC */
/*
 * IKEv1 Dead Peer Detection (RFC 3706): R-U-THERE (36136) and
 * R-U-THERE-ACK (36137), notifies in protected Informationals
 * (v1_info.c hands them here once HASH(1) has verified):
 *
 *   N: DOI IPsec, protocol ISAKMP, SPI = CKY-I | CKY-R (16 octets),
 *      data = a 32-bit sequence number
 *
 * Every R-U-THERE is answered with an ACK of its sequence number. Our
 * own check (the liveness op, which the dpd plugin calls) is sent only
 * to a peer that sent the DPD vendor ID (v1_vid.c). Informationals are
 * not acknowledged at the ISAKMP level, so the check keeps its own
 * deadline and tries in struct v1_state (sa->req is Quick Mode's): it is
 * sent again on the engine's back-off, each time with the next sequence
 * number, and any of the numbers of this check in its ACK proves the
 * peer there. When the tries are over the SA goes as an IKEv2 SA whose
 * request was never answered does ("peer not responding"), and the dpd
 * plugin takes its action on that.
 *
 * HASH(1) proves the peer sent a message once, not now: Informationals
 * can be replayed. So only an ACK of our check in flight, or an
 * R-U-THERE newer than the last one, counts as hearing from the peer.
 */
#include <string.h>

#include "ike_int.h"

#define SEQ_LEN 4

/* Whether the notify is about this ISAKMP SA as RFC 3706 5 draws it. */
static bool
well_formed(const struct ike_sa *sa, const struct pld_v1_notify *n)
{
	return n->proto == IKEV1_PROTO_ISAKMP &&
	       n->spi.len == 2 * IKEV1_COOKIE_LEN &&
	       memcmp(n->spi.ptr, sa->spi_i, IKEV1_COOKIE_LEN) == 0 &&
	       memcmp(n->spi.ptr + IKEV1_COOKIE_LEN, sa->spi_r,
		      IKEV1_COOKIE_LEN) == 0 &&
	       n->data.len == SEQ_LEN;
}

static uint32_t
seq_get(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static int
send_dpd(struct ike_engine *e, struct ike_sa *sa, uint16_t type, uint32_t seq)
{
	uint8_t spi[2 * IKEV1_COOKIE_LEN], data[SEQ_LEN];

	memcpy(spi, sa->spi_i, IKEV1_COOKIE_LEN);
	memcpy(spi + IKEV1_COOKIE_LEN, sa->spi_r, IKEV1_COOKIE_LEN);
	data[0] = (uint8_t)(seq >> 24);
	data[1] = (uint8_t)(seq >> 16);
	data[2] = (uint8_t)(seq >> 8);
	data[3] = (uint8_t)seq;
	return v1_info_notify(e, sa, type, IKEV1_PROTO_ISAKMP, spi, sizeof(spi),
			      (struct bytes){data, sizeof(data)});
}

/* The peer asks: the ACK carries its number back. */
static void
take_r_u_there(struct ike_engine *e, struct ike_sa *sa, uint64_t now,
	       uint32_t seq)
{
	/* Serial arithmetic: the peer's numbers go up from a random
	 * start and may wrap. */
	if (!sa->v1.dpd_peer_seen || (int32_t)(seq - sa->v1.dpd_peer_seq) > 0) {
		sa->v1.dpd_peer_seen = true;
		sa->v1.dpd_peer_seq = seq;
		sa->last_heard = now;
	}
	ike_log(e, sa, IKE_LOG_DEBUG,
		"peer sent R-U-THERE %u, answering with R-U-THERE-ACK", seq);
	send_dpd(e, sa, IKEV1_N_R_U_THERE_ACK, seq);
}

/* The peer answers: one of this check's numbers, or it is not ours. */
static void
take_ack(struct ike_engine *e, struct ike_sa *sa, uint64_t now, uint32_t seq)
{
	if (!sa->v1.dpd_deadline) {
		ike_log(e, sa, IKE_LOG_DEBUG,
			"R-U-THERE-ACK %u while no R-U-THERE of ours is out; "
			"ignored",
			seq);
		return;
	}
	if ((uint32_t)(seq - sa->v1.dpd_first) >
	    (uint32_t)(sa->v1.dpd_seq - sa->v1.dpd_first)) {
		ike_log(e, sa, IKE_LOG_DEBUG,
			"R-U-THERE-ACK %u is not for our R-U-THERE %u; "
			"ignored",
			seq, sa->v1.dpd_seq);
		return;
	}
	ike_log(e, sa, IKE_LOG_DEBUG, "peer answered R-U-THERE %u: alive", seq);
	sa->v1.dpd_deadline = 0;
	sa->v1.dpd_tries = 0;
	sa->last_heard = now;
}

void
v1_dpd_notify(struct ike_engine *e, struct ike_sa *sa, uint64_t now,
	      const struct pld_v1_notify *n)
{
	uint32_t seq;

	if (!well_formed(sa, n)) {
		ike_log(e, sa, IKE_LOG_WARN,
			"peer sent %s without protocol ISAKMP, this SA's "
			"cookies and a 4-octet sequence number (RFC 3706 5); "
			"ignored",
			msg_v1_notify_name(n->type));
		return;
	}
	seq = seq_get(n->data.ptr);
	if (n->type == IKEV1_N_R_U_THERE)
		take_r_u_there(e, sa, now, seq);
	else
		take_ack(e, sa, now, seq);
}

int
v1_dpd_liveness(struct ike_engine *e, struct ike_sa *sa, uint64_t now)
{
	if (!sa->v1.peer_dpd) {
		/* Once a warning: the dpd plugin asks again each delay. */
		ike_log(e, sa, sa->v1.dpd_said ? IKE_LOG_DEBUG : IKE_LOG_WARN,
			"no liveness check: peer did not announce DPD (RFC "
			"3706) with its vendor ID");
		sa->v1.dpd_said = true;
		return -1;
	}
	if (sa->v1.dpd_deadline)
		return 0; /* our check is out: its answer will say */
	if (!sa->v1.dpd_seq_set) {
		if (ike_random(e, &sa->v1.dpd_seq, sizeof(sa->v1.dpd_seq)) < 0)
			return -1;
		sa->v1.dpd_seq_set = true;
	}
	sa->v1.dpd_first = ++sa->v1.dpd_seq;
	sa->v1.dpd_tries = 0;
	if (send_dpd(e, sa, IKEV1_N_R_U_THERE, sa->v1.dpd_seq) < 0)
		return -1;
	ike_log(e, sa, IKE_LOG_DEBUG, "sent R-U-THERE %u", sa->v1.dpd_seq);
	sa->v1.dpd_deadline = now + e->rt_timeout;
	sa_schedule(e, sa);
	return 0;
}

uint64_t
v1_dpd_timers(struct ike_engine *e, struct ike_sa *sa, uint64_t now)
{
	double wait;
	unsigned i;

	if (!sa->v1.dpd_deadline || sa->state != IKE_SA_ESTABLISHED)
		return UINT64_MAX;
	if (now < sa->v1.dpd_deadline)
		return sa->v1.dpd_deadline;
	if (sa->v1.dpd_tries >= e->rt_tries) {
		ike_log(e, sa, IKE_LOG_WARN,
			"peer did not answer R-U-THERE %u (DPD) after %u "
			"retransmits; giving up",
			sa->v1.dpd_seq, sa->v1.dpd_tries);
		sa->v1.dpd_deadline = 0;
		sa_kill(e, sa, "peer not responding");
		return UINT64_MAX;
	}
	sa->v1.dpd_tries++;
	wait = (double)e->rt_timeout;
	for (i = 0; i < sa->v1.dpd_tries; i++)
		wait *= e->rt_base;
	sa->v1.dpd_deadline = now + (uint64_t)wait;
	/* A new number each time: a late ACK of an earlier one still
	 * counts (take_ack takes the check's whole range). */
	ike_log(e, sa, IKE_LOG_DEBUG, "retransmit %u of R-U-THERE, now %u",
		sa->v1.dpd_tries, sa->v1.dpd_seq + 1);
	send_dpd(e, sa, IKEV1_N_R_U_THERE, ++sa->v1.dpd_seq);
	return sa->v1.dpd_deadline;
}
