/* SPDX-License-Identifier: ISC */
/*
 * Rekeying the IKE SA (RFC 7296 1.3.2, 2.18), as responder: a
 * CREATE_CHILD_SA whose SA payload proposes protocol IKE with a new SPI.
 * The new IKE SA takes over the CHILD SAs; its keys come from the old SA's
 * SK_d and a fresh key exchange; the peer, which started the rekey, is its
 * initiator and deletes the old IKE SA afterwards.
 */
#include <stdlib.h>
#include <string.h>

#include "ike_int.h"

/* The new IKE SA takes over what outlives keys: the CHILD SAs and the
 * peer's identity. */
static void
hand_over(struct ike_sa *from, struct ike_sa *to)
{
	struct child_sa **pp = &from->children, **tail = &to->children, *c;

	while (*tail)
		tail = &(*tail)->next;
	/* A CHILD SA still being created stays with the SA its exchange
	 * runs on: its answer comes there, or it goes with that SA. */
	while ((c = *pp)) {
		if (c->creating) {
			pp = &c->next;
			continue;
		}
		*pp = c->next;
		c->next = NULL;
		*tail = c;
		tail = &c->next;
	}
	to->next_child_id = from->next_child_id;
	to->peer_id = from->peer_id;
	memcpy(to->peer_id_buf, from->peer_id_buf, sizeof(to->peer_id_buf));
	to->peer_id.data.ptr = to->peer_id_buf;
	free(to->own_id);
	to->own_id = NULL;
	if (from->own_id && (to->own_id = malloc(from->own_id_len))) {
		memcpy(to->own_id, from->own_id, from->own_id_len);
		to->own_id_len = from->own_id_len;
		to->own_id_type = from->own_id_type;
	}
	to->state = IKE_SA_ESTABLISHED;
}

/* 2.8.2: the SA the peer's colliding rekey of old made is announced as
 * old's successor once it is known to stay: our own rekey of old turned
 * out redundant or failed, or old went before its answer came. */
void
v2_rekey_announce(struct ike_engine *e, struct ike_sa *old)
{
	struct ike_sa *p =
	    old->v2.rk.peer_new ? sa_by_id(e, old->v2.rk.peer_new) : NULL;

	if (!p || p->state == IKE_SA_DEAD || p->v2.collided != old->id)
		return;
	p->v2.collided = 0;
	old->v2.rk.peer_new = 0;
	old->v2.rk.announced = true;
	ike_emit_rekeyed(e, p, NULL, old->id);
}

/* sa is about to be reported on: if the peer's colliding rekey made it,
 * it is reported as its predecessor's successor first. */
void
v2_rekey_announce_peers(struct ike_engine *e, const struct ike_sa *sa)
{
	struct ike_sa *old =
	    sa->v2.collided ? sa_by_id(e, sa->v2.collided) : NULL;

	if (old)
		v2_rekey_announce(e, old);
}

/* 2.8.2: the peer deleted the IKE SA its colliding rekey made (its
 * exchange had the lowest nonce) before our own rekey's answer told us the
 * outcome. The CHILD SAs go back to the old SA, and on to ours when that
 * answer comes; the deleted SA goes quietly. */
bool
v2_rekey_take_back(struct ike_engine *e, struct ike_sa *sa)
{
	struct ike_sa *old =
	    sa->v2.collided ? sa_by_id(e, sa->v2.collided) : NULL;

	if (!old || old->state == IKE_SA_DEAD || !old->v2.rk.active ||
	    old->v2.rk.peer_new != sa->id)
		return false;
	ike_log(e, sa, IKE_LOG_INFO,
		"simultaneous IKE SA rekey: the peer deleted this one; its "
		"CHILD SAs wait on IKE SA #%u for our rekey",
		old->id);
	hand_over(sa, old);
	old->rekeyed = false;
	old->expire_at = 0;
	old->v2.rk.peer_new = 0;
	sa->rekeyed = true;
	sa_schedule(e, old);
	return true;
}

static struct secret *
nonce_copy(struct bytes b)
{
	return secret_dup(b.ptr, b.len);
}

void
v2_rekey_respond(struct ike_engine *e, struct ike_sa *sa, uint64_t now,
		 const struct msg *m, const struct pld_sa *offer)
{
	const struct ike_conn_cfg *c = ike_conn(e, sa);
	const struct pld_ref *rn = msg_find(m, IKEV2_PL_NONCE, NULL);
	const struct pld_ref *rk = msg_find(m, IKEV2_PL_KE, NULL);
	struct pld_sa *ans = calloc(1, sizeof(*ans));
	struct ike_sa *nsa = NULL;
	struct secret *gir = NULL;
	struct proposal chosen;
	struct pld_nonce ni, nr;
	struct pld_ke ke, our_ke;
	struct ike_err err;
	struct msg_builder b;
	struct sk_keys sk;
	uint8_t pub[1024];
	char reason[512];
	uint16_t want = 0, notify = IKEV2_N_NO_PROPOSAL_CHOSEN;
	size_t len;

	if (!ans)
		return;
	/* 2.25: our exchange creating, rekeying or deleting a CHILD SA of
	 * this IKE SA is out; its answer, and the peer's view of it, must
	 * find the CHILD SAs where they were. The peer tries again later. */
	if (sa->req.msg &&
	    (sa->req.ops == &v2_create_ops || sa->req.ops == &v2_delete_ops)) {
		ike_log(e, sa, IKE_LOG_INFO,
			"peer rekeys the IKE SA while our CHILD SA exchange is "
			"under way; answered TEMPORARY_FAILURE");
		notify = IKEV2_N_TEMPORARY_FAILURE;
		goto refuse;
	}
	if (!rn || !rk || pld_nonce_get(rn, &ni, &err) < 0 ||
	    pld_ke_get(rk, &ke, &err) < 0) {
		notify = IKEV2_N_INVALID_SYNTAX;
		goto refuse;
	}
	if (prop_select_ke(c->proposals, c->n_proposals, offer->prop, offer->n,
			   ke.group, &chosen, &want, reason,
			   sizeof(reason)) < 0) {
		ike_log(e, sa, IKE_LOG_WARN, "IKE SA rekey refused: %s",
			reason);
		goto refuse;
	}
	if (want) {
		uint8_t g[2] = {want >> 8, want & 0xff};

		xchg_notify_reply(e, sa, m, IKEV2_N_INVALID_KE_PAYLOAD,
				  (struct bytes){g, 2});
		goto out;
	}
	if (chosen.spi_size != IKEV2_SPI_LEN) {
		notify = IKEV2_N_INVALID_SYNTAX;
		goto refuse;
	}
	nsa = sa_new(e, sa->conn, false, 2);
	if (!nsa)
		goto temporary;
	nsa->local = sa->local;
	nsa->remote = sa->remote;
	nsa->nat_local = sa->nat_local;
	nsa->nat_remote = sa->nat_remote;
	nsa->last_heard = sa->last_heard; /* the rekey's message */
	memcpy(nsa->spi_i, chosen.spi, IKEV2_SPI_LEN);
	sa_set_our_spi(e, nsa);
	nsa->v2.dh_group = ke.group;
	nsa->v2.dh = ike_dh_new(e, ke.group);
	nsa->v2.ni = nonce_copy(ni.data);
	nsa->v2.nr = secret_new(IKE_NONCE_LEN);
	our_ke.group = ke.group;
	our_ke.data.ptr = pub;
	our_ke.data.len = dh_public_len(ke.group);
	if (!nsa->v2.dh || !nsa->v2.ni || !nsa->v2.nr ||
	    our_ke.data.len > sizeof(pub) ||
	    dh_public(nsa->v2.dh, pub, our_ke.data.len) < 0 ||
	    ike_random(e, nsa->v2.nr->ptr, nsa->v2.nr->len) < 0)
		goto temporary;
	if (dh_shared(nsa->v2.dh, ke.data.ptr, ke.data.len, &gir) < 0) {
		notify = IKEV2_N_INVALID_SYNTAX;
		goto refuse;
	}
	if (keymat_v2_suite(&chosen, ke.group, &nsa->v2.suite) < 0 ||
	    keymat_v2_ike_rekey(
		sa->v2.suite.prf, sa->v2.keys.sk_d, &nsa->v2.suite, gir,
		ni.data, (struct bytes){nsa->v2.nr->ptr, nsa->v2.nr->len},
		nsa->spi_i, nsa->spi_r, &nsa->v2.keys) < 0)
		goto temporary;
	nsa->ike_prop = malloc(sizeof(*nsa->ike_prop));
	if (!nsa->ike_prop)
		goto temporary;
	*nsa->ike_prop = chosen;
	/* The answer carries our SPI for the new SA in the proposal. */
	ans->n = 1;
	ans->prop[0] = chosen;
	memcpy(ans->prop[0].spi, nsa->spi_r, IKEV2_SPI_LEN);
	nr.data.ptr = nsa->v2.nr->ptr;
	nr.data.len = nsa->v2.nr->len;
	if (xchg_begin(e, sa, &b, &sk, IKEV2_EXCH_CREATE_CHILD_SA, true,
		       m->hdr.msgid) < 0)
		goto temporary;
	pld_sa_put(&b, ans);
	pld_nonce_put(&b, &nr);
	pld_ke_put(&b, &our_ke);
	if (!(len = xchg_end(&b, &sk)))
		goto temporary;
	xchg_send_response(e, sa, e->out, len);
	hand_over(sa, nsa);
	sa_await_delete(e, sa, now);
	ike_log(e, nsa, IKE_LOG_INFO,
		"IKE SA rekeyed by the peer (replaces IKE SA #%u)", sa->id);
	/* We rekey it too (2.8.2): settled when our answer comes, and only
	 * then is the host told which SA replaces the old one. */
	if (sa->v2.rk.active) {
		sa->v2.rk.peer_new = nsa->id;
		nsa->v2.collided = sa->id;
		ike_log(e, sa, IKE_LOG_INFO,
			"the peer rekeys the IKE SA as we do (collision)");
	} else {
		ike_emit_rekeyed(e, nsa, NULL, sa->id);
	}
	goto out;
temporary:
	notify = IKEV2_N_TEMPORARY_FAILURE;
refuse:
	xchg_notify_reply(e, sa, m, notify, (struct bytes){NULL, 0});
	if (nsa)
		sa_kill(e, nsa, "rekey failed");
out:
	secret_free(gir);
	free(ans);
	(void)now;
}

/* Initiator: a CREATE_CHILD_SA proposing a new IKE SA with our new SPI,
 * a nonce and a key exchange in the group of the one in use. */
int
v2_rekey_start(struct ike_engine *e, struct ike_sa *sa, uint64_t now)
{
	const struct ike_conn_cfg *c = ike_conn(e, sa);
	struct pld_sa *sap = calloc(1, sizeof(*sap));
	struct pld_ke ke = {sa->v2.dh_group, {NULL, 0}};
	struct pld_nonce n;
	struct msg_builder b;
	struct sk_keys sk;
	uint8_t pub[1024];
	size_t len, i;
	int rc = -1;

	if (!sap || sa->state != IKE_SA_ESTABLISHED || sa->req.msg)
		goto out;
	dh_free(sa->v2.rk.dh);
	secret_free(sa->v2.rk.ni);
	sa->v2.rk.dh = ike_dh_new(e, sa->v2.dh_group);
	sa->v2.rk.ni = secret_new(IKE_NONCE_LEN);
	ke.data.ptr = pub;
	ke.data.len = dh_public_len(sa->v2.dh_group);
	if (!sa->v2.rk.dh || !sa->v2.rk.ni || ke.data.len > sizeof(pub) ||
	    dh_public(sa->v2.rk.dh, pub, ke.data.len) < 0 ||
	    ike_random(e, sa->v2.rk.ni->ptr, sa->v2.rk.ni->len) < 0)
		goto out;
	do {
		ike_random(e, sa->v2.rk.spi, IKEV2_SPI_LEN);
	} while (sa_by_ours(e, sa->v2.rk.spi));
	for (i = 0; i < c->n_proposals && i < IKE_MAX_CONN_PROPOSALS; i++) {
		sap->prop[i] = c->proposals[i];
		sap->prop[i].num = (uint8_t)(i + 1);
		sap->prop[i].proto = IKEV2_PROTO_IKE;
		sap->prop[i].spi_size = IKEV2_SPI_LEN;
		memcpy(sap->prop[i].spi, sa->v2.rk.spi, IKEV2_SPI_LEN);
	}
	sap->n = (unsigned)i;
	n.data.ptr = sa->v2.rk.ni->ptr;
	n.data.len = sa->v2.rk.ni->len;
	if (xchg_begin(e, sa, &b, &sk, IKEV2_EXCH_CREATE_CHILD_SA, false,
		       sa->msgid_out) < 0)
		goto out;
	pld_sa_put(&b, sap);
	pld_nonce_put(&b, &n);
	pld_ke_put(&b, &ke);
	if (!(len = xchg_end(&b, &sk)))
		goto out;
	sa->v2.rk.active = true;
	ike_log(e, sa, IKE_LOG_INFO, "rekeying the IKE SA");
	rc = xchg_send_request(e, sa, now, e->out, len, &v2_rekey_ops);
out:
	free(sap);
	return rc;
}

static void
rekey_clear(struct ike_sa *sa)
{
	dh_free(sa->v2.rk.dh);
	secret_free(sa->v2.rk.ni);
	memset(&sa->v2.rk, 0, sizeof(sa->v2.rk));
}

static struct bytes
nonce_of(const struct secret *n)
{
	return (struct bytes){n ? n->ptr : NULL, n ? n->len : 0};
}

/* Both of us rekeyed sa at once (2.8.2): the new IKE SA made by the
 * exchange with the lowest of the four nonces is redundant and deleted by
 * whoever started that exchange; the other exchange's initiator deletes
 * the old SA, and the CHILD SAs live on in the survivor. ours is the new
 * SA of our exchange, keyed but holding nothing yet. Returns 0 without a
 * collision, 1 if ours is redundant (and being deleted), 2 if the peer's
 * is (ours then holds the CHILD SAs). */
static int
collision(struct ike_engine *e, struct ike_sa *sa, struct ike_sa *ours,
	  uint64_t now)
{
	struct ike_sa *peers =
	    sa->v2.rk.peer_new ? sa_by_id(e, sa->v2.rk.peer_new) : NULL;
	struct bytes lo_ours, lo_peers;

	if (!peers || peers->state != IKE_SA_ESTABLISHED)
		return 0;
	lo_ours = v2_nonce_lowest(nonce_of(ours->v2.ni), nonce_of(ours->v2.nr));
	lo_peers =
	    v2_nonce_lowest(nonce_of(peers->v2.ni), nonce_of(peers->v2.nr));
	if (v2_nonce_cmp(lo_ours, lo_peers) < 0) {
		ike_log(e, sa, IKE_LOG_INFO,
			"simultaneous IKE SA rekey: ours has the lowest nonce, "
			"deleting its redundant IKE SA #%u; #%u stays",
			ours->id, peers->id);
		ours->rekeyed = true;
		ours->state = IKE_SA_ESTABLISHED;
		v2_info_delete_ike(e, ours, now);
		v2_rekey_announce(e, sa);
		return 1;
	}
	ike_log(
	    e, sa, IKE_LOG_INFO,
	    "simultaneous IKE SA rekey: the peer's has the lowest nonce and "
	    "goes (IKE SA #%u); #%u stays",
	    peers->id, ours->id);
	hand_over(peers, ours);
	peers->v2.collided = 0; /* never announced: it goes quietly */
	sa_await_delete(e, peers, now);
	return 2;
}

void
v2_rekey_complete(struct ike_engine *e, struct ike_sa *sa, uint64_t now,
		  const struct msg *m)
{
	const struct ike_conn_cfg *c = ike_conn(e, sa);
	const struct pld_ref *rs = msg_find(m, IKEV2_PL_SA, NULL);
	const struct pld_ref *rn = msg_find(m, IKEV2_PL_NONCE, NULL);
	const struct pld_ref *rk = msg_find(m, IKEV2_PL_KE, NULL);
	struct pld_sa *ans = calloc(1, sizeof(*ans));
	struct ike_sa *nsa = NULL;
	struct secret *gir = NULL;
	struct proposal chosen;
	struct pld_nonce nr;
	struct pld_ke ke;
	struct ike_err err;
	char reason[512];
	unsigned replaced;

	if (!ans || !rs || !rn || !rk || pld_sa_get(rs, ans, &err) < 0 ||
	    pld_nonce_get(rn, &nr, &err) < 0 || pld_ke_get(rk, &ke, &err) < 0 ||
	    ans->n != 1 || ans->prop[0].proto != IKEV2_PROTO_IKE ||
	    ans->prop[0].spi_size != IKEV2_SPI_LEN ||
	    prop_select(c->proposals, c->n_proposals, ans->prop, 1, &chosen,
			reason, sizeof(reason)) < 0 ||
	    ke.group != sa->v2.dh_group ||
	    dh_shared(sa->v2.rk.dh, ke.data.ptr, ke.data.len, &gir) < 0) {
		ike_log(
		    e, sa, IKE_LOG_WARN,
		    "the peer did not rekey the IKE SA as asked; keeping the "
		    "old one, trying again in a minute");
		sa->rekey_at = now + 60000;
		v2_rekey_announce(e, sa);
		goto out;
	}
	nsa = sa_new(e, sa->conn, true, 2);
	if (!nsa)
		goto out;
	nsa->local = sa->local;
	nsa->remote = sa->remote;
	nsa->nat_local = sa->nat_local;
	nsa->nat_remote = sa->nat_remote;
	nsa->last_heard = sa->last_heard; /* the rekey's message */
	memcpy(nsa->spi_i, sa->v2.rk.spi, IKEV2_SPI_LEN);
	memcpy(nsa->spi_r, ans->prop[0].spi, IKEV2_SPI_LEN);
	sa_index_ours(e, nsa);
	nsa->v2.dh_group = sa->v2.dh_group;
	nsa->v2.ni = sa->v2.rk.ni;
	sa->v2.rk.ni = NULL;
	nsa->v2.nr = secret_dup(nr.data.ptr, nr.data.len);
	nsa->ike_prop = malloc(sizeof(*nsa->ike_prop));
	if (!nsa->v2.nr || !nsa->ike_prop ||
	    keymat_v2_suite(&ans->prop[0], nsa->v2.dh_group, &nsa->v2.suite) <
		0 ||
	    keymat_v2_ike_rekey(
		sa->v2.suite.prf, sa->v2.keys.sk_d, &nsa->v2.suite, gir,
		(struct bytes){nsa->v2.ni->ptr, nsa->v2.ni->len},
		(struct bytes){nsa->v2.nr->ptr, nsa->v2.nr->len}, nsa->spi_i,
		nsa->spi_r, &nsa->v2.keys) < 0) {
		sa_kill(e, nsa, "rekey failed");
		goto out;
	}
	*nsa->ike_prop = ans->prop[0];
	replaced = sa->id;
	/* The peer's colliding rekey was reported as the old SA's successor
	 * already (the host acted on it, or it outlived our request): ours
	 * is redundant whatever the nonces say, and goes quietly. */
	if (sa->v2.rk.announced) {
		ike_log(e, sa, IKE_LOG_INFO,
			"simultaneous IKE SA rekey: the peer's SA was taken "
			"up already; deleting our redundant IKE SA #%u",
			nsa->id);
		nsa->rekeyed = true;
		nsa->state = IKE_SA_ESTABLISHED;
		v2_info_delete_ike(e, nsa, now);
		goto out;
	}
	switch (collision(e, sa, nsa, now)) {
	case 1: /* ours is the redundant one */
		goto out;
	case 2: /* the peer's is: nsa has taken the CHILD SAs from it */
		break;
	default:
		hand_over(sa, nsa);
	}
	if (c->rekey_ms)
		nsa->rekey_at = now + c->rekey_ms;
	sa_schedule(e, nsa);
	ike_log(e, nsa, IKE_LOG_INFO, "IKE SA rekeyed (replaces IKE SA #%u)",
		replaced);
	ike_emit_rekeyed(e, nsa, NULL, replaced);
	/* 2.18: the one who rekeyed deletes the old IKE SA. */
	sa->rekeyed = true;
	v2_info_delete_ike(e, sa, now);
out:
	rekey_clear(sa);
	secret_free(gir);
	free(ans);
}

/* Our rekey of the IKE SA; the peer's arrives as a CREATE_CHILD_SA
 * request (v2_create_ops). */
const struct xchg_ops v2_rekey_ops = {
    .name = "CREATE_CHILD_SA (IKE SA rekey)",
    .version = 2,
    .exchange = IKEV2_EXCH_CREATE_CHILD_SA,
    .resp_states = XS_ESTABLISHED | XS_DELETING,
    .complete = v2_rekey_complete,
};
