/* SPDX-License-Identifier: ISC */
/*
 * Exchanges on an IKE SA (RFC 7296 2.1, 2.2): message IDs with a window of
 * one, retransmission of our request with exponential back-off until the
 * configured tries run out, and the cached answer that a retransmitted
 * request gets instead of a second computation. Incoming messages are
 * checked, decrypted and handed to the exchange that owns them: the one
 * table of every version's exchanges (struct xchg_ops) decides which, and
 * in which states; each version's struct ike_version_ops is what the
 * engine asks of an SA of that version. Also the one builder that opens
 * and seals every encrypted message (xchg_begin, xchg_end).
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

/* Every encrypted message on an SA starts here (RFC 7296 3.14): the
 * header, then the Encrypted payload opened under our outbound keys, in
 * the engine's output buffer. The payloads follow; xchg_end() seals it. */
int
xchg_begin(struct ike_engine *e, const struct ike_sa *sa, struct msg_builder *b,
	   struct sk_keys *k, uint8_t exchange, bool response, uint32_t msgid)
{
	struct ike_hdr h;

	xchg_hdr(sa, &h, exchange, response, msgid);
	sa_keys_for(e, sa, true, k);
	msg_build_init(b, e->out, IKEV2_MAX_MSG_LEN, &h);
	return sk_begin(b, k);
}

/* The message's length, 0 if it did not fit or could not be sealed. */
size_t
xchg_end(struct msg_builder *b, const struct sk_keys *k)
{
	return sk_end(b, k);
}

/*
 * Every exchange of every version, as the exchange files export them. The
 * peer's request goes to the first entry of the SA's version and its
 * exchange type that has respond; the answer to ours to the entry its
 * request recorded. IKEv1's entries (v1_*.c) join this list.
 */
static const struct xchg_ops *const xchg_table[] = {
    &v2_init_ops,  &v2_auth_ops,   &v2_create_ops,
    &v2_rekey_ops, &v2_delete_ops, &v2_liveness_ops,
};

static const struct ike_version_ops v2_version = {
    .version = 2,
    .initiate = v2_init_start,
    .create_child = v2_create_start,
    .rekey_ike = v2_rekey_start,
    .rekey_child = v2_create_rekey,
    .delete_ike = v2_info_delete_ike,
    .delete_child = v2_info_delete_child,
    .liveness = v2_info_liveness,
    .uninstall_child = child_uninstall,
    .announce = v2_rekey_announce_peers,
    .going = v2_rekey_announce,
};

/* IKEv1's are v1_input.c's. */
const struct ike_version_ops *
ike_version_ops(uint8_t version)
{
	if (version == 1)
		return &v1_version;
	return version == 2 ? &v2_version : NULL;
}

/* An SA exists only for a version that has ops. */
const struct ike_version_ops *
sa_version(const struct ike_sa *sa)
{
	return ike_version_ops(sa->version);
}

const struct xchg_ops *
xchg_ops_at(size_t i)
{
	return i < sizeof(xchg_table) / sizeof(xchg_table[0]) ? xchg_table[i]
							      : NULL;
}

/* The SA's state as the table's masks name it (XS_*), 0 if dead. */
unsigned
xchg_state_bit(const struct ike_sa *sa)
{
	switch (sa->state) {
	case IKE_SA_CONNECTING:
		return sa->version == 2 ? XS_V2_INIT_SENT << sa->v2.phase : 0;
	case IKE_SA_ESTABLISHED:
		return XS_ESTABLISHED;
	case IKE_SA_DELETING:
		return XS_DELETING;
	default:
		return 0;
	}
}

/* The entry that answers the peer's request of this exchange in the SA's
 * version and state, or NULL: IKE_AUTH only while half-open (or
 * established, to be refused), the others once the peer is authenticated
 * (the entries' req_states say which). */
const struct xchg_ops *
xchg_request_ops(const struct ike_sa *sa, uint8_t exchange)
{
	const struct xchg_ops *o;
	size_t i;

	for (i = 0; (o = xchg_ops_at(i)); i++)
		if (o->version == sa->version && o->exchange == exchange &&
		    o->respond)
			return (o->req_states & xchg_state_bit(sa)) ? o : NULL;
	return NULL;
}

/* May the answer to our request in flight be acted on in the SA's state?
 * (DELETING too for CREATE_CHILD_SA and INFORMATIONAL: the peer may have
 * rekeyed the SA (2.8.2) while our own request on it was out, and that
 * request's answer settles the collision.) */
bool
xchg_response_ok(const struct ike_sa *sa)
{
	return sa->req.ops &&
	       (sa->req.ops->resp_states & xchg_state_bit(sa)) != 0;
}

/* One message, or each of its fragments (v2_frag.c). */
void
xchg_transmit(struct ike_engine *e, const struct ike_endpoint *local,
	      const struct ike_endpoint *remote, const uint8_t *buf, size_t len,
	      bool framed)
{
	if (framed)
		v2_frag_send(e, local, remote, buf, len);
	else
		e->env.send(e->env.ctx, local, remote, buf, len);
}

/* A cached message of ours too large for one datagram is kept as its
 * fragments once the peer takes them (RFC 7383); else as it is. */
static void
keep_fragmented(struct ike_engine *e, const struct ike_sa *sa, uint8_t **msg,
		size_t *len, bool *framed)
{
	uint8_t *frags;
	size_t n;

	*framed = false;
	if (!*msg || v2_frag_out(e, sa, *msg, *len, &frags, &n) <= 0)
		return;
	free(*msg);
	*msg = frags;
	*len = n;
	*framed = true;
}

int
xchg_send_request(struct ike_engine *e, struct ike_sa *sa, uint64_t now,
		  const uint8_t *msg, size_t len, const struct xchg_ops *ops)
{
	uint8_t *copy = malloc(len);

	if (!copy)
		return -1;
	memcpy(copy, msg, len);
	free(sa->req.msg);
	sa->req.msg = copy;
	sa->req.len = len;
	sa->req.msgid = sa->msgid_out;
	sa->req.ops = ops;
	sa->req.tries = 0;
	sa->req.deadline = now + e->rt_timeout;
	timerq_set(e, sa, sa->req.deadline);
	sa->msgid_out++;
	keep_fragmented(e, sa, &sa->req.msg, &sa->req.len, &sa->req.framed);
	xchg_transmit(e, &sa->local, &sa->remote, sa->req.msg, sa->req.len,
		      sa->req.framed);
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
	/* A reassembled request is known by its first fragment. */
	if (m->sk >= 0 && m->pl[m->sk].type == IKEV2_PL_SKF &&
	    sa->version == 2 && sa->v2.reasm && sa->v2.reasm->first_hashed)
		memcpy(sa->resp_req_hash, sa->v2.reasm->first,
		       IKE_REQ_HASH_LEN);
	else
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

/* A response goes to where its request came from, from where it arrived
 * (RFC 7296 2.11): a peer behind a NAT whose mapping changed, or that
 * moved to port 4500, hears us whether or not the SA follows it. */
void
xchg_send_back(struct ike_engine *e, const struct ike_sa *sa,
	       const uint8_t *msg, size_t len, bool framed)
{
	if (e->in_local && e->in_remote)
		xchg_transmit(e, e->in_local, e->in_remote, msg, len, framed);
	else
		xchg_transmit(e, &sa->local, &sa->remote, msg, len, framed);
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
	sa->resp_framed = false;
	if (!copy) {
		xchg_send_back(e, sa, msg, len, false);
		return;
	}
	memcpy(copy, msg, len);
	keep_fragmented(e, sa, &sa->resp, &sa->resp_len, &sa->resp_framed);
	xchg_send_back(e, sa, sa->resp, sa->resp_len, sa->resp_framed);
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
	if (again) {
		again->attempt = sa->attempt + 1;
		/* ike_reinitiate's children still to come after IKE_AUTH. */
		again->more_children = sa->more_children;
	}
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
		/* Only a negotiation is tried again: an SA that was up
		 * and lost its peer is the host's to restart (dpd). */
		bool negotiating = sa->state != IKE_SA_ESTABLISHED &&
				   sa->state != IKE_SA_DELETING;

		ike_log(e, sa, IKE_LOG_WARN,
			"peer did not answer our request (message %u) after %u "
			"retransmits; giving up",
			sa->req.msgid, sa->req.tries);
		sa_kill(e, sa, "peer not responding");
		if (negotiating)
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
	xchg_transmit(e, &sa->local, &sa->remote, sa->req.msg, sa->req.len,
		      sa->req.framed);
	return sa->req.deadline;
}

void
xchg_notify_reply(struct ike_engine *e, struct ike_sa *sa,
		  const struct msg *req, uint16_t type, struct bytes data)
{
	struct pld_notify n = {0, 0, type, {NULL, 0}, data};
	struct msg_builder b;
	struct sk_keys k;
	size_t len;

	if (xchg_begin(e, sa, &b, &k, req->hdr.exchange, true, req->hdr.msgid) <
	    0)
		return;
	pld_notify_put(&b, &n);
	len = xchg_end(&b, &k);
	if (len)
		xchg_send_response(e, sa, e->out, len);
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
		    m->hdr.exchange != sa->req.ops->exchange) {
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
	const struct xchg_ops *ops;
	struct sk_keys k;

	if (!response && xchg_is_retransmit(e, sa, m)) {
		ike_log(e, sa, IKE_LOG_DEBUG,
			"retransmitted request %u, resending our answer",
			m->hdr.msgid);
		xchg_send_back(e, sa, sa->resp, sa->resp_len, sa->resp_framed);
		return;
	}
	if (!fits_window(e, sa, m, response))
		return;
	/* An answer in the clear (IKE_SA_INIT) is not authenticated: its
	 * entry checks it and ends our request only if it makes sense. */
	if (response && sa->req.ops->clear) {
		if (xchg_response_ok(sa))
			sa->req.ops->complete(e, sa, now, m);
		return;
	}
	if (!sa->v2.keys.sk_d || m->sk < 0 ||
	    (m->pl[m->sk].type != IKEV2_PL_SK &&
	     m->pl[m->sk].type != IKEV2_PL_SKF)) {
		ike_drop(e, sa, IKE_DROP_UNPROTECTED,
			 "%s %u without an Encrypted payload; dropped",
			 response ? "response" : "request", m->hdr.msgid);
		return;
	}
	sa_keys_for(e, sa, false, &k);
	if (m->pl[m->sk].type == IKEV2_PL_SKF) {
		int rc = v2_frag_in(e, sa, m, &k, &err);

		if (rc < 0) {
			ike_drop(e, sa, IKE_DROP_ICV, "%s %u: %s",
				 response ? "response" : "request",
				 m->hdr.msgid, err.msg);
			return;
		}
		if (rc == 0) /* authenticated, but more to come */
			return;
	} else if (sk_open(m, &k, e->plain, IKEV2_MAX_MSG_LEN, &err) < 0 &&
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
		if (!(ops = xchg_request_ops(sa, m->hdr.exchange))) {
			ike_drop(e, sa, IKE_DROP_STATE,
				 "request of exchange %u not allowed now; "
				 "dropped",
				 m->hdr.exchange);
			return;
		}
		xchg_note_request(e, sa, m);
		sa->msgid_in++;
		if (!ext_request_refused(e, sa, m))
			ops->respond(e, sa, now, m);
		ext_input_done(e);
		sa_schedule(e, sa); /* the exchange may have set new timers */
		return;
	}
	if (!xchg_response_ok(sa)) {
		ike_drop(e, sa, IKE_DROP_STATE,
			 "response of exchange %u not expected now; dropped",
			 m->hdr.exchange);
		return;
	}
	ops = sa->req.ops;
	xchg_request_done(e, sa);
	if (!ext_response_refused(e, sa, m))
		ops->complete(e, sa, now, m);
	ext_input_done(e);
	sa_schedule(e, sa);
}
