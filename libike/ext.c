/* SPDX-License-Identifier: ISC */
/*
 * The host's hooks in the exchanges (ike.h, "ext.c"): what its plugins add
 * to our messages (struct ike_out, written with the payload encoders of
 * pld_v2.c) and what they read of the peer's (struct ike_msg_view).
 *
 * Outgoing: env.ext_build adds notifies and vendor IDs to our IKE_SA_INIT,
 * IKE_AUTH and INFORMATIONAL requests and responses, at the end of the
 * message (RFC 7296 does not order them). env.auth_payloads adds CERT and
 * CERTREQ payloads where RFC 7296 1.2 and 3.6/3.7 put them:
 *   initiator's IKE_AUTH request:  IDi, CERT*, CERTREQ*, [IDr,] AUTH, ...
 *   responder's IKE_SA_INIT answer: SA, KE, Nr, CERTREQ*
 *   responder's IKE_AUTH answer:    IDr, CERT*, AUTH, ...
 * The hook may add both kinds every time: what a message may not carry
 * is left out. Error-notify-only answers get no hooks.
 *
 * Incoming: env.ext_input sees the notifies, vendor IDs, CERT and CERTREQ
 * payloads of the peer's IKE_SA_INIT once it parsed (a request before we
 * answer it, a response once it is the answer to ours) and of its IKE_AUTH
 * and INFORMATIONAL messages once their ICV verified. A nonzero return (an
 * error notify) fails the exchange. The IKE_AUTH view stays available to
 * the authentication hooks (ike_auth_req.msg) while the message is handled.
 *
 * IKEv1 phase 1 has hooks of its own at the end of this file (ext_v1_put,
 * ext_v1_input): vendor IDs and NAT-D for the natt plugin.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike_int.h"

struct out_item {
	uint8_t
	    type; /* IKEV2_PL_N, IKEV2_PL_V, IKEV2_PL_CERT, IKEV2_PL_CERTREQ */
	uint16_t sub; /* notify type, or CERT/CERTREQ encoding */
	size_t off, len;
};

struct ike_out {
	unsigned n;
	size_t used;
	struct out_item item[IKE_OUT_MAX_PAYLOADS];
	uint8_t data[IKE_OUT_MAX_BYTES];
};

/* The peer's message being handled, as the hooks see it, and the one
 * ike_out every hook writes into (emptied before each use: made once, not
 * per message, as it is about 16 kB). */
struct ext_state {
	bool active; /* in: valid for ext_peer_msg() */
	struct ike_msg_view in;
	struct ike_in_payload pl[IKE_MAX_PAYLOADS];
	struct ike_out out;
};

static int
out_add(struct ike_out *o, uint8_t type, uint16_t sub, const void *data,
	size_t len)
{
	struct out_item *it;

	if (!o || o->n >= IKE_OUT_MAX_PAYLOADS ||
	    len > IKE_OUT_MAX_PAYLOAD_LEN ||
	    len > IKE_OUT_MAX_BYTES - o->used || (len && !data))
		return -1;
	it = &o->item[o->n++];
	it->type = type;
	it->sub = sub;
	it->off = o->used;
	it->len = len;
	if (len)
		memcpy(o->data + o->used, data, len);
	o->used += len;
	return 0;
}

int
ike_out_notify(struct ike_out *o, uint16_t type, const void *data, size_t len)
{
	return out_add(o, IKEV2_PL_N, type, data, len);
}

int
ike_out_vendor_id(struct ike_out *o, const void *data, size_t len)
{
	return out_add(o, IKEV2_PL_V, 0, data, len);
}

int
ike_out_cert(struct ike_out *o, uint8_t encoding, const void *data, size_t len)
{
	return out_add(o, IKEV2_PL_CERT, encoding, data, len);
}

int
ike_out_certreq(struct ike_out *o, uint8_t encoding, const void *data,
		size_t len)
{
	return out_add(o, IKEV2_PL_CERTREQ, encoding, data, len);
}

int
ike_out_payload(struct ike_out *o, uint8_t type, const void *data, size_t len)
{
	/* Only what a plugin has business adding to phase 1: the engine
	 * writes the payloads the exchange itself is made of. */
	if (type != IKEV1_PL_NAT_D && type != IKEV1_PL_NAT_D_DRAFT)
		return -1;
	return out_add(o, type, 0, data, len);
}

/* Write the collected payloads of the given type into b, in the order the
 * hook added them. */
static void
out_write(struct msg_builder *b, const struct ike_out *o, uint8_t type)
{
	unsigned i;

	for (i = 0; i < o->n; i++) {
		const struct out_item *it = &o->item[i];
		struct bytes d = {o->data + it->off, it->len};

		/* IKEv1's raw payloads never go into an IKEv2 message. */
		if (it->type != type)
			continue;
		if (type == IKEV2_PL_N) {
			struct pld_notify n = {0, 0, it->sub, {NULL, 0}, d};

			pld_notify_put(b, &n);
		} else if (type == IKEV2_PL_V) {
			struct pld_vendor v = {d};

			pld_vendor_put(b, &v);
		} else {
			struct pld_cert c = {(uint8_t)it->sub, d};

			pld_cert_put(b, type, &c);
		}
	}
}

int
ext_init(struct ike_engine *e)
{
	e->ext = calloc(1, sizeof(*e->ext));
	return e->ext ? 0 : -1;
}

void
ext_free(struct ike_engine *e)
{
	free(e->ext);
	e->ext = NULL;
}

/* One of our messages on sa, or one of the peer's. */
static void
view_init(struct ike_msg_view *v, const struct ike_engine *e,
	  const struct ike_sa *sa, uint8_t exchange, bool request, bool inbound)
{
	memset(v, 0, sizeof(*v));
	v->ike_id = sa->id;
	v->conn = ike_conn(e, sa)->name;
	v->version = IKEV2_MAJOR;
	v->exchange = exchange;
	v->request = request;
	v->inbound = inbound;
	v->initiator = sa->initiator;
	v->spi_i = sa->spi_i;
	v->spi_r = sa->spi_r;
	/* An incoming message as it travelled, which is not always where
	 * the SA runs (a NAT mapping changed, the peer moved to 4500). */
	if (inbound && e->in_local && e->in_remote) {
		v->local = e->in_local;
		v->remote = e->in_remote;
	} else {
		v->local = &sa->local;
		v->remote = &sa->remote;
	}
}

/* The payloads of m a hook may read; m decoded already (msg_decode_all),
 * so nothing here fails but a notify whose body would not decode. */
static void
view_payloads(struct ike_msg_view *v, struct ike_in_payload *pl,
	      const struct msg *m)
{
	struct ike_err err;
	size_t n = 0;
	unsigned i;

	v->spi_i = m->hdr.spi_i;
	v->spi_r = m->hdr.spi_r;
	for (i = 0; i < m->n && n < IKE_MAX_PAYLOADS; i++) {
		const struct pld_ref *r = &m->pl[i];
		struct pld_notify nt;
		struct pld_cert c;

		switch (r->type) {
		case IKEV2_PL_N:
			if (pld_notify_get(r, &nt, &err) < 0)
				continue;
			pl[n] =
			    (struct ike_in_payload){r->type, nt.type, nt.data};
			break;
		case IKEV2_PL_V:
			pl[n] = (struct ike_in_payload){r->type, 0, r->body};
			break;
		case IKEV2_PL_CERT:
		case IKEV2_PL_CERTREQ:
			if (pld_cert_get(r, &c, &err) < 0)
				continue;
			pl[n] = (struct ike_in_payload){r->type, c.encoding,
							c.data};
			break;
		default:
			continue;
		}
		n++;
	}
	v->n_payloads = n;
	v->payloads = pl;
}

/* env.ext_input: 0 or the error notify it returned (logged with why). */
static uint16_t
run_input(struct ike_engine *e, const struct ike_sa *sa,
	  const struct ike_msg_view *v)
{
	char why[256] = "";
	int rc;

	if (!e->env.ext_input)
		return 0;
	rc = e->env.ext_input(e->env.ctx, v, why, sizeof(why));
	if (rc == 0)
		return 0;
	if (rc < 0 || rc > IKEV2_N_ERROR_MAX)
		rc = IKEV2_N_INVALID_SYNTAX; /* not an error notify: a bug */
	if (sa)
		ike_log(e, sa, IKE_LOG_WARN, "%s %s refused (%s): %s",
			v->request ? "request" : "response",
			v->exchange == IKEV2_EXCH_IKE_SA_INIT ? "IKE_SA_INIT"
			: v->exchange == IKEV2_EXCH_IKE_AUTH  ? "IKE_AUTH"
			: v->exchange == IKEV2_EXCH_CREATE_CHILD_SA
			    ? "CREATE_CHILD_SA"
			    : "INFORMATIONAL",
			notify_name((uint16_t)rc), why[0] ? why : "no reason");
	else
		ike_log_unauth(
		    e, IKE_LOG_WARN, "'%s': IKE_SA_INIT refused (%s): %s",
		    v->conn ? v->conn : "?", notify_name((uint16_t)rc),
		    why[0] ? why : "no reason");
	return (uint16_t)rc;
}

uint16_t
ext_init_request(struct ike_engine *e, const char *conn,
		 const struct ike_endpoint *local,
		 const struct ike_endpoint *remote, const struct msg *m)
{
	struct ike_msg_view *v = &e->ext->in;

	if (!e->env.ext_input)
		return 0;
	memset(v, 0, sizeof(*v));
	v->conn = conn;
	v->version = IKEV2_MAJOR;
	v->exchange = IKEV2_EXCH_IKE_SA_INIT;
	v->request = true;
	v->inbound = true;
	v->local = local;
	v->remote = remote;
	view_payloads(v, e->ext->pl, m);
	return run_input(e, NULL, v);
}

uint16_t
ext_sa_input(struct ike_engine *e, struct ike_sa *sa, const struct msg *m)
{
	struct ike_msg_view *v = &e->ext->in;
	bool request = !(m->hdr.flags & IKEV2_FLAG_RESPONSE);

	e->ext->active = false;
	/* CREATE_CHILD_SA too: it is as authenticated as the others, and
	 * natt follows a peer's NAT mapping on any such message. */
	if (m->hdr.exchange < IKEV2_EXCH_IKE_SA_INIT ||
	    m->hdr.exchange > IKEV2_EXCH_INFORMATIONAL)
		return 0;
	view_init(v, e, sa, m->hdr.exchange, request, true);
	view_payloads(v, e->ext->pl, m);
	e->ext->active = m->hdr.exchange != IKEV2_EXCH_IKE_SA_INIT;
	return run_input(e, sa, v);
}

const struct ike_msg_view *
ext_peer_msg(const struct ike_engine *e)
{
	return e->ext->active ? &e->ext->in : NULL;
}

void
ext_input_done(struct ike_engine *e)
{
	e->ext->active = false;
}

bool
ext_request_refused(struct ike_engine *e, struct ike_sa *sa,
		    const struct msg *m)
{
	uint16_t notify = ext_sa_input(e, sa, m);

	if (!notify)
		return false;
	/* A DELETE is carried out whatever a hook thinks of the message: a
	 * refusal would leave the peer's half of the SA closed and ours
	 * open, which nothing in RFC 7296 repairs. */
	if (m->hdr.exchange == IKEV2_EXCH_INFORMATIONAL &&
	    msg_find(m, IKEV2_PL_D, NULL)) {
		ike_log(e, sa, IKE_LOG_INFO,
			"the request deletes SAs: carried out all the same");
		return false;
	}
	ext_input_done(e);
	xchg_notify_reply(e, sa, m, notify, (struct bytes){NULL, 0});
	/* A refused IKE_AUTH leaves nothing to go on with (1.2). */
	if (m->hdr.exchange == IKEV2_EXCH_IKE_AUTH)
		sa_kill(e, sa, notify_name(notify));
	return true;
}

bool
ext_response_refused(struct ike_engine *e, struct ike_sa *sa,
		     const struct msg *m)
{
	uint16_t notify = ext_sa_input(e, sa, m);

	if (!notify)
		return false;
	ext_input_done(e);
	sa_kill(e, sa, notify_name(notify));
	return true;
}

/* The engine's ike_out, empty. */
static struct ike_out *
out_empty(struct ike_engine *e)
{
	struct ike_out *o = &e->ext->out;

	o->n = 0;
	o->used = 0;
	return o;
}

void
ext_put(struct ike_engine *e, const struct ike_sa *sa, struct msg_builder *b,
	uint8_t exchange, bool response)
{
	struct ike_msg_view v;
	struct ike_out *o;

	if (!e->env.ext_build &&
	    !(e->env.auth_payloads && exchange == IKEV2_EXCH_IKE_SA_INIT &&
	      response))
		return;
	o = out_empty(e);
	/* The responder's CERTREQs go in its IKE_SA_INIT answer (3.7). */
	if (e->env.auth_payloads && exchange == IKEV2_EXCH_IKE_SA_INIT &&
	    response) {
		const struct ike_conn_cfg *c = ike_conn(e, sa);
		struct ike_auth_req r = {
		    .version = 2,
		    .conn = c->name,
		    .ike_id = sa->id,
		    .local_id = &c->local_id,
		    .prf = sa->v2.suite.prf,
		};

		if (e->env.auth_payloads(e->env.ctx, &r, o) == 0)
			out_write(b, o, IKEV2_PL_CERTREQ);
		o = out_empty(e);
	}
	if (e->env.ext_build) {
		view_init(&v, e, sa, exchange, !response, false);
		e->env.ext_build(e->env.ctx, &v, o);
		out_write(b, o, IKEV2_PL_N);
		out_write(b, o, IKEV2_PL_V);
	}
}

int
ext_auth_put(struct ike_engine *e, const struct ike_sa *sa,
	     const struct ike_id_cfg *local, struct msg_builder *b)
{
	const struct ike_conn_cfg *c = ike_conn(e, sa);
	struct ike_auth_req r = {
	    .version = 2,
	    .conn = c->name,
	    .ike_id = sa->id,
	    .local_id = local,
	    .peer_id = sa->initiator ? NULL : &sa->peer_id,
	    .prf = sa->v2.suite.prf,
	    .msg = sa->initiator ? NULL : ext_peer_msg(e),
	};
	struct ike_out *o;

	if (!e->env.auth_payloads)
		return 0;
	o = out_empty(e);
	if (e->env.auth_payloads(e->env.ctx, &r, o) < 0) {
		ike_log(e, sa, IKE_LOG_ERROR,
			"cannot add our certificates on connection '%s'",
			c->name);
		return -1;
	}
	out_write(b, o, IKEV2_PL_CERT);
	/* Only the initiator asks in IKE_AUTH; the responder asked in its
	 * IKE_SA_INIT answer (3.7). */
	if (sa->initiator)
		out_write(b, o, IKEV2_PL_CERTREQ);
	return 0;
}

int
ext_auth_id_check(struct ike_engine *e, const struct ike_sa *sa,
		  const struct ike_auth_req *r, const char *who)
{
	char why[256] = "";

	if (!e->env.auth_id_check ||
	    e->env.auth_id_check(e->env.ctx, r, why, sizeof(why)) == 0)
		return 0;
	ike_log(e, sa, IKE_LOG_WARN,
		"peer '%s' failed authentication: its identity is not backed "
		"by its credentials: %s",
		who, why[0] ? why : "no reason given");
	return -1;
}

/* --- IKEv1 Main Mode with signatures (v1_sig.c) --------------------------- */

int
ext_v1_auth_put(struct ike_engine *e, const struct ike_sa *sa,
		const struct ike_auth_req *r, struct msg_builder *b,
		uint8_t type)
{
	struct ike_out *o;
	unsigned i;

	if (!e->env.auth_payloads)
		return 0;
	o = out_empty(e);
	if (e->env.auth_payloads(e->env.ctx, r, o) < 0)
		return -1;
	/* The hook speaks IKEv2's payload types; the wire IKEv1's. */
	for (i = 0; i < o->n; i++) {
		const struct out_item *it = &o->item[i];
		struct pld_v1_cert c = {(uint8_t)it->sub,
					{o->data + it->off, it->len}};

		if (it->type != type)
			continue;
		if (type == IKEV2_PL_CERT)
			pld_v1_cert_put(b, &c);
		else
			pld_v1_certreq_put(b, &c);
	}
	return 0;
}

const struct ike_msg_view *
ext_v1_view(struct ike_engine *e, const struct ike_sa *sa,
	    const struct msg_v1 *m)
{
	struct ike_msg_view *v = &e->ext->in;
	struct ike_in_payload *pl = e->ext->pl;
	struct ike_err err;
	size_t n = 0;
	unsigned i;

	view_init(v, e, sa, m->hdr.exchange, !sa->initiator, true);
	v->version = 1;
	v->spi_i = m->hdr.spi_i;
	v->spi_r = m->hdr.spi_r;
	/* CERT and CERTREQ under IKEv2's numbers: the hooks read one kind. */
	for (i = 0; i < m->n && n < IKE_MAX_PAYLOADS; i++) {
		const struct pld_ref *r = &m->pl[i];
		struct pld_v1_cert c;

		if (r->type == IKEV1_PL_CERT &&
		    pld_v1_cert_get(r, &c, &err) == 0)
			pl[n++] = (struct ike_in_payload){IKEV2_PL_CERT,
							  c.encoding, c.data};
		else if (r->type == IKEV1_PL_CR &&
			 pld_v1_certreq_get(r, &c, &err) == 0)
			pl[n++] = (struct ike_in_payload){IKEV2_PL_CERTREQ,
							  c.encoding, c.data};
	}
	v->n_payloads = n;
	v->payloads = pl;
	return v;
}

/* --- IKEv1 phase 1 ---------------------------------------------------------
 *
 * The same hooks see Main Mode and Aggressive Mode (RFC 3947: vendor IDs
 * in messages 1 and 2, NAT-D in Main Mode 3 and 4 or Aggressive Mode 2
 * and 3). Outgoing: VIDs and raw NAT-D payloads at the end of our message
 * 1 to 4 (Aggressive Mode 1 to 3). Incoming: the peer's VIDs and NAT-D of
 * those, and an empty view of Main Mode 5 and 6 once authenticated (a
 * NAT-T initiator floats to port 4500 at message 5: the responder's
 * natt follows it there).
 */

/* Our message msgno of sa's phase 1, or the peer's. */
static void
view_v1(struct ike_msg_view *v, const struct ike_engine *e,
	const struct ike_sa *sa, uint8_t msgno, bool inbound)
{
	uint8_t exch =
	    sa->v1.aggr ? IKEV1_EXCH_AGGRESSIVE : IKEV1_EXCH_IDENT_PROT;

	/* Odd messages are the initiator's: the "requests" of phase 1. */
	view_init(v, e, sa, exch, (msgno & 1) != 0, inbound);
	v->version = 1;
	v->v1_msg = msgno;
	v->v1_digest = sa->v1.suite.prf ? sa->v1.suite.prf->digest : NULL;
}

void
ext_v1_put(struct ike_engine *e, const struct ike_sa *sa, struct msg_builder *b,
	   uint8_t msgno)
{
	struct ike_msg_view v;
	struct ike_out *o;
	unsigned i;

	if (!e->env.ext_build)
		return;
	o = out_empty(e);
	view_v1(&v, e, sa, msgno, false);
	e->env.ext_build(e->env.ctx, &v, o);
	for (i = 0; i < o->n; i++) {
		const struct out_item *it = &o->item[i];
		struct pld_v1_data d = {{o->data + it->off, it->len}};

		if (it->type == IKEV2_PL_V)
			pld_v1_vid_put(b, &d);
		else if (it->type == IKEV1_PL_NAT_D ||
			 it->type == IKEV1_PL_NAT_D_DRAFT)
			pld_v1_natd_put(b, it->type, &d);
		/* notifies, CERT, CERTREQ: IKEv2's, left out */
	}
}

int
ext_v1_input(struct ike_engine *e, struct ike_sa *sa, const struct msg_v1 *m,
	     uint8_t msgno)
{
	struct ike_msg_view *v = &e->ext->in;
	struct ike_in_payload *pl = e->ext->pl;
	char why[256] = "";
	size_t n = 0;
	unsigned i;

	if (!e->env.ext_input)
		return 0;
	e->ext->active = false;
	view_v1(v, e, sa, msgno, true);
	for (i = 0; m && i < m->n && n < IKE_MAX_PAYLOADS; i++) {
		const struct pld_ref *r = &m->pl[i];

		if (r->type == IKEV1_PL_VID || r->type == IKEV1_PL_NAT_D ||
		    r->type == IKEV1_PL_NAT_D_DRAFT)
			pl[n++] = (struct ike_in_payload){r->type, 0, r->body};
	}
	if (m) {
		v->spi_i = m->hdr.spi_i;
		v->spi_r = m->hdr.spi_r;
	}
	v->n_payloads = n;
	v->payloads = pl;
	if (e->env.ext_input(e->env.ctx, v, why, sizeof(why)) == 0)
		return 0;
	ike_log(e, sa, IKE_LOG_WARN, "%s message %u refused: %s", v1_mode(sa),
		msgno, why[0] ? why : "no reason");
	return -1;
}
