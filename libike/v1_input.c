/* SPDX-License-Identifier: ISC */
/*
 * IKEv1 input (RFC 2408 3.1, RFC 2409): the first routing of a major
 * version 1 datagram to its ISAKMP SA, or to a new responder SA for a
 * Main Mode or (where a connection allows it, v1_aggr.c) Aggressive
 * Mode message 1; the retransmission of our last message (the
 * initiator's, on the engine's back-off) and the cached answer a
 * retransmitted message of the peer gets; and the phase 1 encryption of
 * message bodies with its IV chain.
 *
 * IKEv1 has no Initiator or Response flag: a zero responder cookie is
 * a message 1, else the SA is the one whose cookie of ours the message
 * carries, its other cookie matching too.
 */
#include <stdlib.h>
#include <string.h>

#include "ike_int.h"

int
v1_send_request(struct ike_engine *e, struct ike_sa *sa, uint64_t now,
		const uint8_t *msg, size_t len)
{
	uint8_t *copy = malloc(len);

	if (!copy)
		return -1;
	memcpy(copy, msg, len);
	free(sa->req.msg);
	sa->req.msg = copy;
	sa->req.len = len;
	sa->req.framed = false;
	sa->req.ops = NULL;
	sa->req.msgid = 0;
	sa->req.tries = 0;
	sa->req.deadline = now + e->rt_timeout;
	timerq_set(e, sa, sa->req.deadline);
	e->env.send(e->env.ctx, &sa->local, &sa->remote, copy, len);
	return 0;
}

void
v1_send_reply(struct ike_engine *e, struct ike_sa *sa, const struct msg_v1 *m,
	      const uint8_t *msg, size_t len)
{
	uint8_t *copy = malloc(len);

	/* Without the copy a retransmission goes unanswered, which the
	 * peer survives (it retransmits until it gives up). */
	free(sa->resp);
	sa->resp = copy;
	sa->resp_len = copy ? len : 0;
	sa->resp_framed = false;
	if (copy)
		memcpy(copy, msg, len);
	guard_request_hash(e, m->raw, sa->resp_req_hash);
	xchg_send_back(e, sa, msg, len, false);
}

size_t
v1_seal(struct ike_engine *e, struct ike_sa *sa, size_t len)
{
	return v1_seal_iv(e, sa, len, &sa->v1.iv);
}

size_t
v1_seal_iv(struct ike_engine *e, struct ike_sa *sa, size_t len,
	   struct v1_iv *iv)
{
	size_t body = len - IKEV1_HDR_LEN, ct_len;
	uint8_t *ct;

	if (len < IKEV1_HDR_LEN ||
	    IKEV1_HDR_LEN + v1_crypt_len(&sa->v1.suite, body) >
		IKEV2_MAX_MSG_LEN ||
	    !(ct = malloc(v1_crypt_len(&sa->v1.suite, body))))
		return 0;
	if (v1_crypt_encrypt(&sa->v1.suite, sa->v1.keys.enc_key, iv,
			     (struct bytes){e->out + IKEV1_HDR_LEN, body}, ct,
			     v1_crypt_len(&sa->v1.suite, body), &ct_len) < 0) {
		free(ct);
		return 0;
	}
	memcpy(e->out + IKEV1_HDR_LEN, ct, ct_len);
	free(ct);
	len = IKEV1_HDR_LEN + ct_len;
	/* The header's length is the padded message's (RFC 2408 3.1). */
	e->out[24] = (uint8_t)(len >> 24);
	e->out[25] = (uint8_t)(len >> 16);
	e->out[26] = (uint8_t)(len >> 8);
	e->out[27] = (uint8_t)len;
	return len;
}

int
v1_open(struct ike_engine *e, struct ike_sa *sa, struct msg_v1 *m,
	struct ike_err *err)
{
	return v1_open_iv(e, sa, m, &sa->v1.iv, err);
}

int
v1_open_iv(struct ike_engine *e, struct ike_sa *sa, struct msg_v1 *m,
	   struct v1_iv *chain, struct ike_err *err)
{
	struct v1_iv iv = *chain;

	if (!m->encrypted || !sa->v1.keys.enc_key) {
		ike_err_set(err, IKEV1_N_PAYLOAD_MALFORMED, 0, 0,
			    "message is not encrypted");
		return -1;
	}
	if (m->cipher.len > IKEV2_MAX_MSG_LEN ||
	    v1_crypt_decrypt(&sa->v1.suite, sa->v1.keys.enc_key, &iv, m->cipher,
			     e->plain, IKEV2_MAX_MSG_LEN) < 0) {
		ike_err_set(err, IKEV1_N_PAYLOAD_MALFORMED, 0, 0,
			    "body is not a whole number of cipher blocks");
		return -1;
	}
	if (msg_v1_frame_plain(m, e->plain, m->cipher.len, IKEV1_HDR_LEN, err) <
	    0)
		return -1;
	/* Only a body that made sense moves the chain on: a forged one
	 * must not break the real one that may follow. */
	*chain = iv;
	return 0;
}

/* A message 1: a new responder SA, or the retransmission of the one that
 * made ours, answered again only if byte-identical. */
static void
first_message(struct ike_engine *e, uint64_t now,
	      const struct ike_endpoint *local,
	      const struct ike_endpoint *remote, struct msg_v1 *m)
{
	uint8_t hash[IKE_REQ_HASH_LEN];
	struct ike_sa *sa;

	if (spi8_zero(m->hdr.spi_i) || m->hdr.msgid || m->encrypted) {
		ike_drop(e, NULL, IKE_DROP_BAD_INIT,
			 "IKEv1 message 1 with a zero initiator cookie, a "
			 "message ID or encryption; dropped");
		return;
	}
	sa = sa_by_peer(e, m->hdr.spi_i, remote);
	if (!sa) {
		if (m->hdr.exchange == IKEV1_EXCH_AGGRESSIVE) {
			v1_aggr_respond(e, now, local, remote, m);
			return;
		}
		if (m->hdr.exchange != IKEV1_EXCH_IDENT_PROT) {
			ike_log_unauth(e, IKE_LOG_WARN,
				       "IKEv1 %s from a new peer: only Main "
				       "Mode and Aggressive Mode are "
				       "supported; dropped",
				       msg_v1_exchange_name(m->hdr.exchange));
			return;
		}
		v1_main_respond(e, now, local, remote, m);
		return;
	}
	guard_request_hash(e, m->raw, hash);
	if (sa->version != 1 || !sa->resp ||
	    !bytes_equal_ct(hash, sa->resp_req_hash, sizeof(hash))) {
		ike_drop(e, sa, IKE_DROP_REPLAY,
			 "IKEv1 message 1 for an existing ISAKMP SA that is "
			 "not a retransmission; dropped");
		return;
	}
	ike_log(e, sa, IKE_LOG_DEBUG,
		"retransmitted %s message 1, resending our answer",
		v1_mode(sa));
	xchg_send_back(e, sa, sa->resp, sa->resp_len, false);
}

/* The SA a message with both cookies belongs to: ours as initiator
 * (icookie) or as responder (rcookie), the other cookie matching. An
 * initiator learns the responder's cookie from message 2. */
static struct ike_sa *
sa_of(struct ike_engine *e, const struct msg_v1 *m)
{
	struct ike_sa *sa = sa_by_ours(e, m->hdr.spi_i);

	if (sa && sa->initiator && sa->version == 1 &&
	    (spi8_zero(sa->spi_r) ||
	     memcmp(sa->spi_r, m->hdr.spi_r, IKEV1_COOKIE_LEN) == 0))
		return sa;
	sa = sa_by_ours(e, m->hdr.spi_r);
	if (sa && !sa->initiator && sa->version == 1 &&
	    memcmp(sa->spi_i, m->hdr.spi_i, IKEV1_COOKIE_LEN) == 0)
		return sa;
	return NULL;
}

void
v1_input(struct ike_engine *e, uint64_t now, const struct ike_endpoint *local,
	 const struct ike_endpoint *remote, const uint8_t *pkt, size_t len)
{
	struct msg_v1 *m = malloc(sizeof(*m));
	struct ike_err err = {0};
	uint8_t hash[IKE_REQ_HASH_LEN];
	struct ike_sa *sa;

	if (!m)
		return;
	if (msg_v1_frame(pkt, len, m, &err) < 0) {
		ike_drop(e, NULL, IKE_DROP_MALFORMED,
			 "dropped %zu bytes of IKEv1: %s", len, err.msg);
		goto out;
	}
	if (spi8_zero(m->hdr.spi_r)) {
		first_message(e, now, local, remote, m);
		goto out;
	}
	sa = sa_of(e, m);
	if (!sa || sa->state == IKE_SA_DEAD) {
		ike_drop(e, NULL, IKE_DROP_UNKNOWN_SA,
			 "IKEv1 message for an unknown ISAKMP SA; dropped");
		goto out;
	}
	/* The peer's last message again: our answer again, byte for byte
	 * the same request, so nothing is computed twice. */
	if (sa->resp) {
		guard_request_hash(e, m->raw, hash);
		if (bytes_equal_ct(hash, sa->resp_req_hash, sizeof(hash))) {
			ike_log(e, sa, IKE_LOG_DEBUG,
				"retransmitted %s message, resending our "
				"answer",
				msg_v1_exchange_name(m->hdr.exchange));
			xchg_send_back(e, sa, sa->resp, sa->resp_len, false);
			goto out;
		}
	}
	switch (m->hdr.exchange) {
	case IKEV1_EXCH_IDENT_PROT:
		if (sa->v1.aggr) {
			ike_drop(e, sa, IKE_DROP_STATE,
				 "Main Mode message for an ISAKMP SA in "
				 "Aggressive Mode; dropped");
			break;
		}
		v1_main_input(e, sa, now, m);
		sa_schedule(e, sa);
		break;
	case IKEV1_EXCH_QUICK_MODE:
		v1_quick_input(e, sa, now, m);
		sa_schedule(e, sa);
		break;
	case IKEV1_EXCH_AGGRESSIVE:
		v1_aggr_input(e, sa, now, m);
		sa_schedule(e, sa);
		break;
	case IKEV1_EXCH_INFORMATIONAL:
		/* While connecting, only an unprotected error about phase 1
		 * can come (v1_main.c, v1_aggr.c); later ones are
		 * v1_info.c's. */
		if (sa->state == IKE_SA_CONNECTING) {
			if (sa->v1.aggr)
				v1_aggr_input(e, sa, now, m);
			else
				v1_main_input(e, sa, now, m);
			sa_schedule(e, sa);
			break;
		}
		if (sa->state == IKE_SA_ESTABLISHED) {
			v1_info_input(e, sa, now, m);
			break;
		}
		/* fall through */
	default:
		ike_log(e, sa, IKE_LOG_WARN,
			"IKEv1 %s exchange is not yet supported; dropped",
			msg_v1_exchange_name(m->hdr.exchange));
		break;
	}
out:
	free(m);
}

/* --- what the engine asks of an IKEv1 SA ---------------------------------
 * Main Mode, Aggressive Mode, Quick Mode, the Informational exchange
 * (v1_info.c) and DPD (v1_dpd.c) exist; rekeying the ISAKMP SA does not
 * yet: its op logs and fails. */

/* Phase 1 as the connection says: Aggressive Mode only when allowed. */
static int
v1_start(struct ike_engine *e, struct ike_sa *sa, uint64_t now)
{
	if (ike_conn(e, sa)->aggressive)
		return v1_aggr_start(e, sa, now);
	return v1_main_start(e, sa, now);
}

static int
v1_create_child(struct ike_engine *e, struct ike_sa *sa, uint64_t now,
		unsigned cfg)
{
	return v1_quick_start(e, sa, now, cfg, NULL);
}

/* The ISAKMP SA's rekey time (or an admin's rekey): a new phase 1
 * replaces it (v1_rekey.c); at the end of its lifetime, it goes, its
 * IPsec SAs handed to a successor if there is one. */
static int
v1_rekey_ike(struct ike_engine *e, struct ike_sa *sa, uint64_t now)
{
	if (sa->v1.ends_at && now >= sa->v1.ends_at) {
		if (v1_rekey_adopt(e, sa)) {
			v1_info_delete_isakmp(e, sa);
			sa_kill(e, sa, "lifetime over, replaced");
			return 0;
		}
		ike_log(e, sa, IKE_LOG_INFO,
			"ISAKMP SA lifetime of %u s is over and nothing "
			"replaced it: closing it",
			sa->v1.life_s);
		v1_info_delete_ike(e, sa, now);
		return 0;
	}
	if (v1_rekey_start(e, sa, now) < 0)
		return -1;
	/* Its end still comes, should the new one not. */
	sa->rekey_at = sa->v1.ends_at;
	sa_schedule(e, sa);
	return 0;
}

/* A pair's rekey time: a new Quick Mode, or for one already rekeyed, the
 * end of its grace (v1_quick.c). */
static int
v1_rekey_child(struct ike_engine *e, struct ike_sa *sa, uint64_t now,
	       struct child_sa *c)
{
	if (!c->superseded) {
		if (v1_quick_start(e, sa, now, c->cfg, c) == 0)
			return 0;
		v1_quick_retry(e, sa, c);
		return -1;
	}
	ike_log(e, sa, IKE_LOG_INFO,
		"CHILD SA #%u was rekeyed; removing the old pair (SPIs in "
		"%08x out %08x)",
		c->id, c->spi_in, c->spi_out);
	if (sa_version(sa)->delete_child(e, sa, c, now) == 0)
		return 0;
	child_uninstall(e, sa, c);
	child_unlink(sa, c);
	child_free(c);
	return 0;
}

/* Quick Mode's responders and our DPD check resend on their own
 * deadlines. */
static uint64_t
v1_timers(struct ike_engine *e, struct ike_sa *sa, uint64_t now)
{
	uint64_t q = v1_quick_timers(e, sa, now);
	uint64_t d = v1_dpd_timers(e, sa, now);

	return q < d ? q : d;
}

/* IKEv1 has no rekey collisions (RFC 7296 2.8.2 is IKEv2's): nothing is
 * reported before an SA, and nothing hangs on one that goes. */
static void
v1_announce(struct ike_engine *e, const struct ike_sa *sa)
{
}

static void
v1_going(struct ike_engine *e, struct ike_sa *sa)
{
}

const struct ike_version_ops v1_version = {
    .version = 1,
    .initiate = v1_start,
    .create_child = v1_create_child,
    .rekey_ike = v1_rekey_ike,
    .rekey_child = v1_rekey_child,
    .delete_ike = v1_info_delete_ike,
    .delete_child = v1_info_delete_child,
    .liveness = v1_dpd_liveness,
    .uninstall_child = child_uninstall,
    .announce = v1_announce,
    .going = v1_going,
    .timers = v1_timers,
};
