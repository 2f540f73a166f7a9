/* SPDX-License-Identifier: ISC */
/*
 * CHILD SAs negotiated inside IKE_AUTH (RFC 7296 1.2, 2.9, 2.17): the ESP
 * proposal with our inbound SPI, traffic selectors and USE_TRANSPORT_MODE
 * (1.3.1); the responder's choice among its children; keying material; and
 * the install and removal through the host's callbacks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike_int.h"

bool
v2_child_wants_transport(const struct msg *m)
{
	const struct pld_ref *r = NULL;
	struct pld_notify n;
	struct ike_err err;

	while ((r = msg_find(m, IKEV2_PL_N, r)))
		if (pld_notify_get(r, &n, &err) == 0 &&
		    n.type == IKEV2_N_USE_TRANSPORT_MODE)
			return true;
	return false;
}

void
v2_child_put_transport(struct msg_builder *b)
{
	struct pld_notify n = {0, 0, IKEV2_N_USE_TRANSPORT_MODE};

	pld_notify_put(b, &n);
}

uint32_t
v2_child_spi_of(const struct proposal *p)
{
	return spi4_get(p->spi);
}

void
v2_child_set_spi(struct proposal *p, uint32_t spi)
{
	p->spi_size = SPI4_LEN;
	spi4_put(p->spi, spi);
}

/* Keys and kernel state for a child whose proposal and selectors are
 * settled. */
int
v2_child_install(struct ike_engine *e, struct ike_sa *sa, struct child_sa *c,
		 const struct proposal *chosen, const struct child_keying *k)
{
	const struct ike_conn_cfg *conn = ike_conn(e, sa);
	struct child_keys keys = {0};
	size_t elen, ilen;
	int rc;

	if (child_take_algs(e, sa, c, chosen, &elen, &ilen) < 0 ||
	    keymat_v2_child(sa->v2.suite.prf, sa->v2.keys.sk_d, k->gir, k->ni,
			    k->nr, elen, ilen, &keys) < 0)
		return -1;
	/* The initiator of the CHILD SA rekeys it (either side may; this
	 * keeps the two from colliding in the usual case). */
	rc = child_install_keyed(e, sa, c, &keys, k->initiator,
				 sa->initiator ? conn->children[c->cfg].rekey_ms
					       : 0);
	child_keys_clear(&keys);
	return rc;
}

int
v2_child_offer(struct ike_engine *e, struct ike_sa *sa, struct msg_builder *b,
	       unsigned cfg, uint32_t reqid)
{
	const struct ike_child_cfg *cc = &ike_conn(e, sa)->children[cfg];
	struct pld_sa *sap = calloc(1, sizeof(*sap));
	struct pld_ts tsi, tsr;
	struct child_sa *c = child_new(sa, cfg);
	unsigned i;

	if (c && reqid)
		c->reqid = reqid;
	if (!sap || !c || child_alloc_spi(e, sa, c) < 0) {
		free(sap);
		return -1;
	}
	for (i = 0; i < cc->n_proposals && i < IKE_MAX_CONN_PROPOSALS; i++) {
		sap->prop[i] = cc->proposals[i];
		sap->prop[i].num = (uint8_t)(i + 1);
		sap->prop[i].proto = IKEV2_PROTO_ESP;
		v2_child_set_spi(&sap->prop[i], c->spi_in);
	}
	sap->n = i;
	ts_from_cfg(cc->local_ts, cc->n_local_ts, &sa->local, &tsi);
	ts_from_cfg(cc->remote_ts, cc->n_remote_ts, &sa->remote, &tsr);
	if (cc->transport)
		v2_child_put_transport(b);
	pld_sa_put(b, sap);
	pld_ts_put(b, IKEV2_PL_TSi, &tsi);
	pld_ts_put(b, IKEV2_PL_TSr, &tsr);
	free(sap);
	return 0;
}

/* The SA, TSi and TSr payloads of m, decoded. */
int
v2_child_payloads(const struct msg *m, struct pld_sa *sap, struct pld_ts *tsi,
		  struct pld_ts *tsr)
{
	const struct pld_ref *rs = msg_find(m, IKEV2_PL_SA, NULL);
	const struct pld_ref *ri = msg_find(m, IKEV2_PL_TSi, NULL);
	const struct pld_ref *rr = msg_find(m, IKEV2_PL_TSr, NULL);
	struct ike_err err;

	if (!rs || !ri || !rr || pld_sa_get(rs, sap, &err) < 0 ||
	    pld_ts_get(ri, tsi, &err) < 0 || pld_ts_get(rr, tsr, &err) < 0)
		return -1;
	return 0;
}

int
v2_child_choose(struct ike_engine *e, struct ike_sa *sa,
		const struct pld_sa *offer, const struct pld_ts *tsi,
		const struct pld_ts *tsr, bool transport, int only_cfg,
		struct child_choice *out, uint16_t *notify)
{
	const struct ike_conn_cfg *conn = ike_conn(e, sa);
	struct pld_ts allow_i, allow_r, nat_i, nat_r;
	char reason[512] = "";
	bool ts_fail = false;
	unsigned i;

	memset(out, 0, sizeof(*out));
	if (transport && (sa->nat_local || sa->nat_remote)) {
		nat_i = *tsi;
		nat_r = *tsr;
		ts_nat_hosts(&nat_i, &sa->remote, NULL, out->named_i);
		ts_nat_hosts(&nat_r, &sa->local, NULL, out->named_r);
		tsi = &nat_i;
		tsr = &nat_r;
		out->nat = true;
	}

	/* The first child of the connection that fits everything wins;
	 * TSi is the initiator's side, our remote. */
	for (i = 0; i < conn->n_children; i++) {
		const struct ike_child_cfg *cc = &conn->children[i];

		if ((only_cfg >= 0 && i != (unsigned)only_cfg) ||
		    cc->transport != transport)
			continue;
		if (prop_select(cc->proposals, cc->n_proposals, offer->prop,
				offer->n, &out->chosen, reason,
				sizeof(reason)) < 0)
			continue;
		ts_from_cfg(cc->remote_ts, cc->n_remote_ts, &sa->remote,
			    &allow_i);
		ts_from_cfg(cc->local_ts, cc->n_local_ts, &sa->local, &allow_r);
		if (ts_narrow(tsi, &allow_i, &out->tsi) < 0 ||
		    ts_narrow(tsr, &allow_r, &out->tsr) < 0) {
			ts_fail = true;
			continue;
		}
		out->cfg = i;
		return 0;
	}
	if (ts_fail) {
		*notify = IKEV2_N_TS_UNACCEPTABLE;
		ike_log(e, sa, IKE_LOG_WARN,
			"CHILD SA refused: the peer's traffic selectors fit no "
			"child of '%s'",
			conn->name);
	} else {
		*notify = IKEV2_N_NO_PROPOSAL_CHOSEN;
		ike_log(e, sa, IKE_LOG_WARN,
			"CHILD SA refused (%s mode requested): %s",
			transport ? "transport" : "tunnel",
			reason[0] ? reason : "no child of that mode");
	}
	return -1;
}

int
v2_child_answer(struct ike_engine *e, struct ike_sa *sa, struct msg_builder *b,
		const struct child_choice *ch, bool transport,
		const struct child_keying *k, uint32_t reqid, uint16_t *notify)
{
	struct proposal ans;
	struct child_sa *c = child_new(sa, ch->cfg);

	/* A rekeyed child keeps its reqid, so the kernel policies, which
	 * name it, serve old and new SA alike. */
	if (c && reqid)
		c->reqid = reqid;
	if (!c || child_alloc_spi(e, sa, c) < 0) {
		*notify = IKEV2_N_TEMPORARY_FAILURE;
		return -1;
	}
	c->spi_out = v2_child_spi_of(&ch->chosen);
	if (child_set_ts(c, &ch->tsr, &ch->tsi) < 0) {
		*notify = IKEV2_N_TEMPORARY_FAILURE;
		return -1;
	}
	if (ch->chosen.spi_size != 4 ||
	    v2_child_install(e, sa, c, &ch->chosen, k) < 0) {
		*notify = IKEV2_N_NO_PROPOSAL_CHOSEN;
		return -1;
	}
	ans = ch->chosen;
	v2_child_set_spi(&ans, c->spi_in);
	if (transport)
		v2_child_put_transport(b);
	pld_props_put(b, &ans, 1);
	if (k->kex.len) {
		struct pld_ke ke = {k->kex_group, k->kex};

		pld_ke_put(b, &ke);
	}
	if (k->own_nonce.len) {
		struct pld_nonce n = {k->own_nonce};

		pld_nonce_put(b, &n);
	}
	if (ch->nat) {
		struct pld_ts named_i = ch->tsi, named_r = ch->tsr;

		/* The initiator hears back the addresses it named. */
		ts_nat_restore(&named_i, &sa->remote, ch->named_i);
		ts_nat_restore(&named_r, &sa->local, ch->named_r);
		pld_ts_put(b, IKEV2_PL_TSi, &named_i);
		pld_ts_put(b, IKEV2_PL_TSr, &named_r);
	} else {
		pld_ts_put(b, IKEV2_PL_TSi, &ch->tsi);
		pld_ts_put(b, IKEV2_PL_TSr, &ch->tsr);
	}
	return 0;
}

int
v2_child_accept(struct ike_engine *e, struct ike_sa *sa, const struct msg *m,
		struct msg_builder *b, uint16_t *notify)
{
	/* Not zeroed (17 KB): v2_child_payloads() fills it or fails. */
	struct pld_sa *offer = malloc(sizeof(*offer));
	struct child_choice *ch = calloc(1, sizeof(*ch));
	struct child_keying k = {{sa->v2.ni->ptr, sa->v2.ni->len},
				 {sa->v2.nr->ptr, sa->v2.nr->len},
				 sa->initiator}; /* IKE_AUTH's roles */
	struct pld_ts tsi, tsr;
	bool transport = v2_child_wants_transport(m);
	int rc = -1;

	*notify = IKEV2_N_NO_PROPOSAL_CHOSEN;
	if (!offer || !ch)
		goto out;
	offer->n = 0;
	if (!msg_find(m, IKEV2_PL_SA, NULL)) {
		rc = 0; /* IKE SA only, no child asked for */
		goto out;
	}
	if (v2_child_payloads(m, offer, &tsi, &tsr) < 0) {
		*notify = IKEV2_N_INVALID_SYNTAX;
		ike_log(e, sa, IKE_LOG_WARN,
			"CHILD SA request lacks SA, TSi or TSr");
		goto out;
	}
	if (v2_child_choose(e, sa, offer, &tsi, &tsr, transport, -1, ch,
			    notify) < 0)
		goto out;
	rc = v2_child_answer(e, sa, b, ch, transport, &k, 0, notify);
out:
	free(offer);
	free(ch);
	return rc;
}

/* Is every selector of got inside one of want? (The responder may only
 * narrow, 2.9.) */
static bool
ts_within(const struct pld_ts *got, const struct pld_ts *want)
{
	struct pld_ts meet;

	return ts_narrow(got, want, &meet) == 0 && meet.n == got->n &&
	       memcmp(meet.ts, got->ts, sizeof(got->ts[0]) * got->n) == 0;
}

/* Initiator: check the responder's SA, TSi, TSr and mode against what we
 * asked for in child c, and install it. */
int
v2_child_finish(struct ike_engine *e, struct ike_sa *sa, struct child_sa *c,
		const struct msg *m, const struct child_keying *k)
{
	const struct ike_child_cfg *cc = &ike_conn(e, sa)->children[c->cfg];
	struct pld_sa *ans = calloc(1, sizeof(*ans));
	struct pld_ts tsi, tsr, off_i, off_r;
	struct proposal chosen;
	char reason[512];
	int rc = -1;

	if (!ans || v2_child_payloads(m, ans, &tsi, &tsr) < 0) {
		ike_log(e, sa, IKE_LOG_WARN,
			"responder created no CHILD SA (no SA/TS payloads)");
		goto out;
	}
	ts_from_cfg(cc->local_ts, cc->n_local_ts, &sa->local, &off_i);
	ts_from_cfg(cc->remote_ts, cc->n_remote_ts, &sa->remote, &off_r);
	/* Transport mode through a NAT: a responder behind it names itself
	 * by its own address (2.23.1). */
	if (cc->transport && (sa->nat_local || sa->nat_remote)) {
		ts_nat_hosts(&tsi, &sa->local, NULL, NULL);
		ts_nat_hosts(&off_i, &sa->local, NULL, NULL);
		ts_nat_hosts(&tsr, &sa->remote, NULL, NULL);
		ts_nat_hosts(&off_r, &sa->remote, NULL, NULL);
	}
	if (ans->n != 1 || ans->prop[0].spi_size != 4 ||
	    prop_select(cc->proposals, cc->n_proposals, ans->prop, 1, &chosen,
			reason, sizeof(reason)) < 0 ||
	    !ts_within(&tsi, &off_i) || !ts_within(&tsr, &off_r) ||
	    v2_child_wants_transport(m) != cc->transport) {
		ike_log(e, sa, IKE_LOG_WARN,
			"responder's CHILD SA does not fit what we proposed "
			"(proposal, selectors or mode)");
		goto out;
	}
	c->spi_out = v2_child_spi_of(&ans->prop[0]);
	if (c->peer_gone && c->peer_gone == c->spi_out) {
		ike_log(e, sa, IKE_LOG_INFO,
			"the peer deleted CHILD SA '%s' (SPI %08x) before its "
			"answer reached us; not installed",
			cc->name, c->spi_out);
		goto out;
	}
	if (child_set_ts(c, &tsi, &tsr) == 0)
		rc = v2_child_install(e, sa, c, &ans->prop[0], k);
out:
	free(ans);
	return rc;
}

/* Forget a child that did not come up, releasing its SPI. */
void
v2_child_drop(struct ike_engine *e, struct ike_sa *sa, struct child_sa *c,
	      const char *reason)
{
	struct child_sa **pp;

	ike_emit(e, sa, IKE_EV_FAILED, c, reason);
	child_uninstall(e, sa, c);
	for (pp = &sa->children; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	child_free(c);
}

int
v2_child_complete(struct ike_engine *e, struct ike_sa *sa, const struct msg *m)
{
	struct child_sa *c = sa->children;
	struct child_keying k = {{sa->v2.ni->ptr, sa->v2.ni->len},
				 {sa->v2.nr->ptr, sa->v2.nr->len},
				 sa->initiator}; /* IKE_AUTH's roles */

	if (!c || c->installed)
		return -1;
	if (m && v2_child_finish(e, sa, c, m, &k) == 0)
		return 0;
	v2_child_drop(e, sa, c, "CHILD SA not created");
	return -1;
}
