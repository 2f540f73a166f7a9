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

static const uint8_t kind_exchange[] = {
    [XCHG_INIT] = IKEV2_EXCH_IKE_SA_INIT,
    [XCHG_AUTH] = IKEV2_EXCH_IKE_AUTH,
    [XCHG_CHILD] = IKEV2_EXCH_CREATE_CHILD_SA,
    [XCHG_REKEY_IKE] = IKEV2_EXCH_CREATE_CHILD_SA,
    [XCHG_DELETE] = IKEV2_EXCH_INFORMATIONAL,
    [XCHG_LIVENESS] = IKEV2_EXCH_INFORMATIONAL,
};

int
xchg_send_request(struct ike_engine *e, struct ike_sa *sa, uint64_t now,
		  const uint8_t *msg, size_t len, enum xchg_kind kind)
{
	uint8_t *copy = malloc(len);

	if (!copy)
		return -1;
	memcpy(copy, msg, len);
	free(sa->req.msg);
	sa->req.msg = copy;
	sa->req.len = len;
	sa->req.msgid = sa->msgid_out;
	sa->req.kind = (uint8_t)kind;
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
xchg_note_request(struct ike_engine *e, struct ike_sa *sa, const struct msg *m)
{
	guard_request_hash(e, m->raw, sa->resp_req_hash);
}

/* The request we last answered, sent again: byte for byte the same, so
 * already authenticated once, and the cached answer is all it gets. */
bool
xchg_is_retransmit(const struct ike_engine *e, const struct ike_sa *sa,
		   const struct msg *m)
{
	uint8_t hash[IKE_REQ_HASH_LEN];

	if (!sa->resp || m->hdr.msgid + 1 != sa->msgid_in)
		return false;
	guard_request_hash(e, m->raw, hash);
	return bytes_equal_ct(hash, sa->resp_req_hash, sizeof(hash));
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
	sa_keys_for(e, sa, true, &k);
	msg_build_init(&b, e->out, IKEV2_MAX_MSG_LEN, &h);
	if (sk_begin(&b, &k) < 0)
		return;
	pld_notify_put(&b, &n);
	len = sk_end(&b, &k);
	if (len)
		xchg_send_response(e, sa, e->out, len);
}

/* May the SA take a request of this exchange in its state? IKE_AUTH
 * only while half-open; the others once the peer is authenticated. */
static bool
request_allowed(const struct ike_sa *sa, uint8_t exchange)
{
	switch (exchange) {
	case IKEV2_EXCH_IKE_AUTH:
		return sa->state == IKE_SA_INIT_DONE ||
		       sa->state == IKE_SA_ESTABLISHED;
	case IKEV2_EXCH_CREATE_CHILD_SA:
	case IKEV2_EXCH_INFORMATIONAL:
		return sa->state == IKE_SA_ESTABLISHED ||
		       sa->state == IKE_SA_DELETING;
	default:
		return false;
	}
}

/* May the answer to our request of this kind be acted on in the SA's
 * state? */
static bool
response_allowed(const struct ike_sa *sa, enum xchg_kind kind)
{
	switch (kind) {
	case XCHG_AUTH:
		return sa->state == IKE_SA_AUTH_SENT;
	/* DELETING too: the peer may have rekeyed the SA (2.8.2) while our
	 * own request on it was out, and that request's answer settles the
	 * collision. */
	case XCHG_CHILD:
	case XCHG_REKEY_IKE:
	case XCHG_LIVENESS:
	case XCHG_DELETE:
		return sa->state == IKE_SA_ESTABLISHED ||
		       sa->state == IKE_SA_DELETING;
	default:
		return false;
	}
}

static void
dispatch_request(struct ike_engine *e, struct ike_sa *sa, uint64_t now,
		 const struct msg *m)
{
	switch (m->hdr.exchange) {
	case IKEV2_EXCH_IKE_AUTH:
		v2_auth_respond(e, sa, now, m);
		break;
	case IKEV2_EXCH_INFORMATIONAL:
		v2_info_respond(e, sa, now, m);
		break;
	case IKEV2_EXCH_CREATE_CHILD_SA:
		v2_create_respond(e, sa, now, m);
		break;
	default:
		break;
	}
}

static void
dispatch_response(struct ike_engine *e, struct ike_sa *sa, uint64_t now,
		  const struct msg *m, enum xchg_kind kind)
{
	switch (kind) {
	case XCHG_AUTH:
		v2_auth_complete(e, sa, now, m);
		break;
	case XCHG_CHILD:
		v2_create_complete(e, sa, now, m);
		break;
	case XCHG_REKEY_IKE:
		v2_rekey_complete(e, sa, now, m);
		break;
	case XCHG_DELETE:
	case XCHG_LIVENESS:
		v2_info_complete(e, sa, now, m);
		break;
	default:
		break;
	}
}

/* Before the ICV has verified, a message may only be matched, never acted
 * on: it either fits the window (a request with the next message ID, or
 * the answer to the request we have in flight, of the same exchange) or
 * is dropped in silence (RFC 7296 2.21.2). Only IKE_SA_INIT travels in the
 * clear, and only as the answer to ours while we wait for it. */
static bool
fits_window(struct ike_engine *e, struct ike_sa *sa, const struct msg *m,
	    bool response)
{
	if (response) {
		if (!sa->req.msg || m->hdr.msgid != sa->req.msgid ||
		    m->hdr.exchange != kind_exchange[sa->req.kind]) {
			ike_drop(e, sa, IKE_DROP_UNEXPECTED,
				 "response (exchange %u, message ID %u) to no "
				 "request of ours; dropped",
				 m->hdr.exchange, m->hdr.msgid);
			return false;
		}
		return true;
	}
	if (m->hdr.msgid != sa->msgid_in) {
		ike_drop(e, sa, IKE_DROP_WINDOW,
			 "request with message ID %u, expected %u; dropped",
			 m->hdr.msgid, sa->msgid_in);
		return false;
	}
	return true;
}

/* A message for an existing SA (not an IKE_SA_INIT request). */
void
xchg_input(struct ike_engine *e, struct ike_sa *sa, uint64_t now, struct msg *m)
{
	bool response = m->hdr.flags & IKEV2_FLAG_RESPONSE;
	struct ike_err err = {0};
	enum xchg_kind kind;
	struct sk_keys k;

	if (!response && xchg_is_retransmit(e, sa, m)) {
		ike_log(e, sa, IKE_LOG_DEBUG,
			"retransmitted request %u, resending our answer",
			m->hdr.msgid);
		e->env.send(e->env.ctx, &sa->local, &sa->remote, sa->resp,
			    sa->resp_len);
		return;
	}
	if (!fits_window(e, sa, m, response))
		return;
	if (response && sa->req.kind == XCHG_INIT) {
		if (sa->state == IKE_SA_INIT_SENT)
			v2_init_complete(e, sa, now, m);
		return;
	}
	if (!sa->keys.sk_d || m->sk < 0 || m->pl[m->sk].type != IKEV2_PL_SK) {
		ike_drop(e, sa, IKE_DROP_UNPROTECTED,
			 "%s %u without an Encrypted payload (or fragmented); "
			 "dropped",
			 response ? "response" : "request", m->hdr.msgid);
		return;
	}
	sa_keys_for(e, sa, false, &k);
	if (sk_open(m, &k, e->plain, IKEV2_MAX_MSG_LEN, &err) < 0 &&
	    !err.notify) {
		ike_drop(e, sa, IKE_DROP_ICV, "%s %u: %s",
			 response ? "response" : "request", m->hdr.msgid,
			 err.msg);
		return;
	}
	/* Authenticated from here on. */
	sa->last_heard = now;
	if (err.notify || msg_check_critical(m, &err) < 0 ||
	    rules_v2_check(m, &err) < 0 || msg_decode_all(m, &err) < 0) {
		ike_log(e, sa, IKE_LOG_WARN, "%s %u: %s",
			response ? "response" : "request", m->hdr.msgid,
			err.msg);
		if (err.notify && !response) {
			uint8_t type = err.pld_type;

			xchg_note_request(e, sa, m);
			sa->msgid_in++;
			xchg_notify_reply(
			    e, sa, m, err.notify,
			    err.notify == IKEV2_N_UNSUPPORTED_CRITICAL_PAYLOAD
				? (struct bytes){&type, 1}
				: (struct bytes){NULL, 0});
		}
		return;
	}
	if (!response) {
		if (!request_allowed(sa, m->hdr.exchange)) {
			ike_drop(e, sa, IKE_DROP_STATE,
				 "request of exchange %u not allowed now; "
				 "dropped",
				 m->hdr.exchange);
			return;
		}
		xchg_note_request(e, sa, m);
		sa->msgid_in++;
		if (!ext_request_refused(e, sa, m))
			dispatch_request(e, sa, now, m);
		ext_input_done(e);
		sa_schedule(e, sa); /* the exchange may have set new timers */
		return;
	}
	kind = (enum xchg_kind)sa->req.kind;
	if (!response_allowed(sa, kind)) {
		ike_drop(e, sa, IKE_DROP_STATE,
			 "response of exchange %u not expected now; dropped",
			 m->hdr.exchange);
		return;
	}
	xchg_request_done(e, sa);
	if (!ext_response_refused(e, sa, m))
		dispatch_response(e, sa, now, m, kind);
	ext_input_done(e);
	sa_schedule(e, sa);
}
