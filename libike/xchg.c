/* SPDX-License-Identifier: ISC */
/*
 * Exchanges on an IKE SA (RFC 7296 2.1, 2.2): message IDs with a window of
 * one, retransmission of our request with exponential back-off until the
 * configured tries run out, and the cached answer that a retransmitted
 * request gets instead of a second computation. Incoming messages are
 * checked, decrypted and handed to the exchange that owns them.
 */
#include <stdlib.h>
#include <string.h>

#include "ike_int.h"

void
xchg_hdr(const struct ike_sa *sa, struct ike_hdr *h, uint8_t exchange,
	 bool response, uint32_t msgid)
{
	memset(h, 0, sizeof(*h));
	memcpy(h->spi_i, sa->spi_i, IKEV2_SPI_LEN);
	memcpy(h->spi_r, sa->spi_r, IKEV2_SPI_LEN);
	h->major = IKEV2_MAJOR;
	h->minor = IKEV2_MINOR;
	h->exchange = exchange;
	h->flags = (sa->initiator ? IKEV2_FLAG_INITIATOR : 0) |
		   (response ? IKEV2_FLAG_RESPONSE : 0);
	h->msgid = msgid;
}

int
xchg_send_request(struct ike_engine *e, struct ike_sa *sa, uint64_t now,
		  const uint8_t *msg, size_t len, uint8_t exchange)
{
	uint8_t *copy = malloc(len);

	if (!copy)
		return -1;
	memcpy(copy, msg, len);
	free(sa->req.msg);
	sa->req.msg = copy;
	sa->req.len = len;
	sa->req.msgid = sa->msgid_out;
	sa->req.exchange = exchange;
	sa->req.tries = 0;
	sa->req.deadline = now + e->rt_timeout;
	timerq_set(e, sa, sa->req.deadline);
	sa->msgid_out++;
	e->env.send(e->env.ctx, &sa->local, &sa->remote, msg, len);
	return 0;
}

void
xchg_request_done(struct ike_engine *e, struct ike_sa *sa)
{
	free(sa->req.msg);
	sa->req.msg = NULL;
	sa->req.len = 0;
	sa_schedule(e, sa);
}

void
xchg_send_response(struct ike_engine *e, struct ike_sa *sa, const uint8_t *msg,
		   size_t len)
{
	uint8_t *copy = malloc(len);

	/* Without a cache copy a retransmitted request goes unanswered,
	 * which the peer survives; so send regardless. */
	free(sa->resp);
	sa->resp = copy;
	sa->resp_len = copy ? len : 0;
	if (copy)
		memcpy(copy, msg, len);
	e->env.send(e->env.ctx, &sa->local, &sa->remote, msg, len);
}

/* keyingtries (0 = forever): a negotiation we started that timed out is
 * tried again from the start, with new SPIs, nonces and keys. */
static void
retry_keying(struct ike_engine *e, struct ike_sa *sa, uint64_t now)
{
	const struct ike_conn_cfg *c = ike_conn(e, sa);
	const char *child =
	    sa->want_child ? c->children[sa->want_child - 1].name : NULL;
	struct ike_sa *again;
	unsigned id;

	if (!sa->initiator || (sa->state != IKE_SA_DEAD) || !sa->attempt ||
	    (c->keyingtries && sa->attempt >= c->keyingtries))
		return;
	ike_log(e, sa, IKE_LOG_INFO,
		"keying try %u of %u failed; trying "
		"again",
		sa->attempt, c->keyingtries);
	id = ike_initiate(e, now, c->name, child);
	again = id ? sa_by_id(e, id) : NULL;
	if (again)
		again->attempt = sa->attempt + 1;
}

uint64_t
xchg_tick(struct ike_engine *e, struct ike_sa *sa, uint64_t now)
{
	double wait;
	unsigned i;

	if (!sa->req.msg || sa->state == IKE_SA_DEAD)
		return UINT64_MAX;
	if (now < sa->req.deadline)
		return sa->req.deadline;
	if (sa->req.tries >= e->rt_tries) {
		ike_log(e, sa, IKE_LOG_WARN,
			"peer did not answer our request (message %u) after %u "
			"retransmits; giving up",
			sa->req.msgid, sa->req.tries);
		sa_kill(e, sa, "peer not responding");
		retry_keying(e, sa, now);
		return UINT64_MAX;
	}
	sa->req.tries++;
	wait = (double)e->rt_timeout;
	for (i = 0; i < sa->req.tries; i++)
		wait *= e->rt_base;
	sa->req.deadline = now + (uint64_t)wait;
	ike_log(e, sa, IKE_LOG_DEBUG, "retransmit %u of message %u",
		sa->req.tries, sa->req.msgid);
	e->env.send(e->env.ctx, &sa->local, &sa->remote, sa->req.msg,
		    sa->req.len);
	return sa->req.deadline;
}

void
xchg_notify_reply(struct ike_engine *e, struct ike_sa *sa,
		  const struct msg *req, uint16_t type, struct bytes data)
{
	struct pld_notify n = {0, 0, type, {NULL, 0}, data};
	struct msg_builder b;
	struct ike_hdr h;
	struct sk_keys k;
	size_t len;

	xchg_hdr(sa, &h, req->hdr.exchange, true, req->hdr.msgid);
	sa_keys_for(sa, true, &k);
	msg_build_init(&b, e->out, IKEV2_MAX_MSG_LEN, &h);
	if (sk_begin(&b, &k) < 0)
		return;
	pld_notify_put(&b, &n);
	len = sk_end(&b, &k);
	if (len)
		xchg_send_response(e, sa, e->out, len);
}

static void
dispatch(struct ike_engine *e, struct ike_sa *sa, uint64_t now,
	 const struct msg *m, bool response)
{
	switch (m->hdr.exchange) {
	case IKEV2_EXCH_IKE_AUTH:
		if (response)
			v2_auth_complete(e, sa, now, m);
		else
			v2_auth_respond(e, sa, now, m);
		break;
	case IKEV2_EXCH_INFORMATIONAL:
		if (response)
			v2_info_complete(e, sa, now, m);
		else
			v2_info_respond(e, sa, now, m);
		break;
	case IKEV2_EXCH_CREATE_CHILD_SA:
		if (response)
			v2_create_complete(e, sa, now, m);
		else
			v2_create_respond(e, sa, now, m);
		break;
	default:
		break;
	}
}

/* A message for an existing SA (not an IKE_SA_INIT request). */
void
xchg_input(struct ike_engine *e, struct ike_sa *sa, uint64_t now, struct msg *m)
{
	bool response = m->hdr.flags & IKEV2_FLAG_RESPONSE;
	struct ike_err err = {0};
	struct sk_keys k;

	if (sa->state == IKE_SA_DEAD)
		return;
	if (response) {
		if (!sa->req.msg || m->hdr.msgid != sa->req.msgid) {
			ike_log(
			    e, sa, IKE_LOG_DEBUG,
			    "unexpected response with message ID %u; dropped",
			    m->hdr.msgid);
			return;
		}
		if (m->hdr.exchange == IKEV2_EXCH_IKE_SA_INIT) {
			v2_init_complete(e, sa, now, m);
			return;
		}
	} else {
		if (m->hdr.msgid + 1 == sa->msgid_in && sa->resp) {
			ike_log(
			    e, sa, IKE_LOG_DEBUG,
			    "retransmitted request %u, resending our answer",
			    m->hdr.msgid);
			e->env.send(e->env.ctx, &sa->local, &sa->remote,
				    sa->resp, sa->resp_len);
			return;
		}
		if (m->hdr.msgid != sa->msgid_in ||
		    m->hdr.exchange == IKEV2_EXCH_IKE_SA_INIT) {
			ike_log(
			    e, sa, IKE_LOG_DEBUG,
			    "request with message ID %u, expected %u; dropped",
			    m->hdr.msgid, sa->msgid_in);
			return;
		}
	}
	if (!sa->keys.sk_d) {
		ike_log(e, sa, IKE_LOG_DEBUG,
			"encrypted message before keys exist; dropped");
		return;
	}
	sa_keys_for(sa, false, &k);
	if (sk_open(m, &k, e->plain, IKEV2_MAX_MSG_LEN, &err) < 0 ||
	    msg_check_critical(m, &err) < 0 || rules_v2_check(m, &err) < 0 ||
	    msg_decode_all(m, &err) < 0) {
		ike_log(e, sa, err.notify ? IKE_LOG_WARN : IKE_LOG_INFO,
			"%s %u: %s", response ? "response" : "request",
			m->hdr.msgid, err.msg);
		if (err.notify && !response) {
			uint8_t type = err.pld_type;

			sa->msgid_in++;
			xchg_notify_reply(
			    e, sa, m, err.notify,
			    err.notify == IKEV2_N_UNSUPPORTED_CRITICAL_PAYLOAD
				? (struct bytes){&type, 1}
				: (struct bytes){NULL, 0});
		}
		return;
	}
	if (!response)
		sa->msgid_in++;
	else
		xchg_request_done(e, sa);
	dispatch(e, sa, now, m, response);
}
