/* SPDX-License-Identifier: ISC */
/*
 * CREATE_CHILD_SA (RFC 7296 1.3): more CHILD SAs on an established IKE SA
 * and the rekeying of one (1.3.3, REKEY_SA), with fresh nonces and, when
 * the proposal names a group, a new key exchange (PFS). A rekey of the
 * IKE SA itself (1.3.2) is handed to v2_rekey.c.
 */
#include <stdlib.h>
#include <string.h>

#include "ike_int.h"

static uint16_t
pfs_group(const struct proposal *p)
{
	const struct transform *t = prop_xf_first(p, IKEV2_TRANS_DH);

	return t ? t->id : 0;
}

/* The CHILD SA a REKEY_SA notify names, NULL if none; *refusal, when the
 * notify is there but we cannot rekey what it names, is our answer
 * (2.25.1): TEMPORARY_FAILURE for a CHILD SA we are deleting,
 * CHILD_SA_NOT_FOUND for one we do not have. */
static struct child_sa *
rekeyed_child(struct ike_sa *sa, const struct msg *m, uint16_t *refusal)
{
	const struct pld_ref *r = NULL;
	struct pld_notify n;
	struct ike_err err;

	*refusal = 0;
	while ((r = msg_find(m, IKEV2_PL_N, r))) {
		if (pld_notify_get(r, &n, &err) < 0 ||
		    n.type != IKEV2_N_REKEY_SA)
			continue;
		if (n.proto == IKEV2_PROTO_ESP && n.spi.len == SPI4_LEN) {
			/* 2.8: the SPI the peer expects in inbound packets,
			 * that is, our outbound one. */
			struct child_sa *c =
			    child_by_spi_out(sa, spi4_get(n.spi.ptr));

			if (c && c->deleting)
				*refusal = IKEV2_N_TEMPORARY_FAILURE;
			else if (!c || !c->installed)
				*refusal = IKEV2_N_CHILD_SA_NOT_FOUND;
			return *refusal ? NULL : c;
		}
		*refusal = IKEV2_N_CHILD_SA_NOT_FOUND;
		return NULL;
	}
	return NULL;
}

int
v2_nonce_cmp(struct bytes a, struct bytes b)
{
	size_t n = a.len < b.len ? a.len : b.len;
	int c = n ? memcmp(a.ptr, b.ptr, n) : 0;

	if (c)
		return c;
	return (a.len > b.len) - (a.len < b.len);
}

struct bytes
v2_nonce_lowest(struct bytes a, struct bytes b)
{
	return v2_nonce_cmp(a, b) <= 0 ? a : b;
}

/* Our own rekey of old still waiting for its answer, or NULL. */
static struct child_sa *
our_rekey_of(struct ike_sa *sa, const struct child_sa *old)
{
	struct child_sa *c;

	for (c = sa->children; c; c = c->next)
		if (c->creating && c->replaces == old->id)
			return c;
	return NULL;
}

static void
refuse(struct ike_engine *e, struct ike_sa *sa, const struct msg *m,
       uint16_t notify, struct bytes data)
{
	xchg_notify_reply(e, sa, m, notify, data);
}

static void
v2_create_respond(struct ike_engine *e, struct ike_sa *sa, uint64_t now,
		  const struct msg *m)
{
	struct pld_sa *offer = calloc(1, sizeof(*offer));
	struct child_choice *ch = calloc(1, sizeof(*ch));
	const struct pld_ref *rn = msg_find(m, IKEV2_PL_NONCE, NULL);
	const struct pld_ref *rk = msg_find(m, IKEV2_PL_KE, NULL);
	const struct pld_ref *rs = msg_find(m, IKEV2_PL_SA, NULL);
	struct child_keying k = {0};
	struct secret *nr = NULL, *gir = NULL;
	struct dh *dh = NULL;
	struct child_sa *old;
	uint16_t refusal;
	struct pld_nonce ni;
	struct pld_ts tsi, tsr;
	struct pld_ke ke;
	struct ike_err err;
	struct msg_builder b;
	struct sk_keys sk;
	uint8_t pub[1024];
	uint16_t notify = IKEV2_N_NO_PROPOSAL_CHOSEN, group;
	bool transport = v2_child_wants_transport(m);
	size_t len;

	if (!offer || !ch)
		goto out;
	if (sa->state != IKE_SA_ESTABLISHED) {
		refuse(e, sa, m, IKEV2_N_TEMPORARY_FAILURE,
		       (struct bytes){NULL, 0});
		goto out;
	}
	if (!rs || !rn || pld_sa_get(rs, offer, &err) < 0 ||
	    pld_nonce_get(rn, &ni, &err) < 0) {
		refuse(e, sa, m, IKEV2_N_INVALID_SYNTAX,
		       (struct bytes){NULL, 0});
		goto out;
	}
	if (offer->prop[0].proto == IKEV2_PROTO_IKE) {
		v2_rekey_respond(e, sa, now, m, offer);
		goto out;
	}
	old = rekeyed_child(sa, m, &refusal);
	if (refusal) {
		ike_log(e, sa, IKE_LOG_INFO,
			"peer rekeys a CHILD SA we %s; answering %s",
			refusal == IKEV2_N_TEMPORARY_FAILURE ? "are deleting"
							     : "do not have",
			notify_name(refusal));
		refuse(e, sa, m, refusal, (struct bytes){NULL, 0});
		goto out;
	}
	if (v2_child_payloads(m, offer, &tsi, &tsr) < 0) {
		refuse(e, sa, m, IKEV2_N_INVALID_SYNTAX,
		       (struct bytes){NULL, 0});
		goto out;
	}
	if (v2_child_choose(e, sa, offer, &tsi, &tsr, transport,
			    old ? (int)old->cfg : -1, ch, &notify) < 0) {
		refuse(e, sa, m, notify, (struct bytes){NULL, 0});
		goto out;
	}
	group = pfs_group(&ch->chosen);
	if (group) {
		if (!rk || pld_ke_get(rk, &ke, &err) < 0 || ke.group != group) {
			uint8_t g[2] = {group >> 8, group & 0xff};

			ike_log(e, sa, IKE_LOG_INFO,
				"CREATE_CHILD_SA: asking for a key exchange in "
				"group %u",
				group);
			refuse(e, sa, m, IKEV2_N_INVALID_KE_PAYLOAD,
			       (struct bytes){g, 2});
			goto out;
		}
		dh = ike_dh_new(e, group);
		k.kex.len = dh_public_len(group);
		if (!dh || k.kex.len > sizeof(pub) ||
		    dh_public(dh, pub, k.kex.len) < 0 ||
		    dh_shared(dh, ke.data.ptr, ke.data.len, &gir) < 0) {
			ike_log(e, sa, IKE_LOG_WARN,
				"peer's key exchange value for group %u is "
				"invalid",
				group);
			refuse(e, sa, m, IKEV2_N_INVALID_SYNTAX,
			       (struct bytes){NULL, 0});
			goto out;
		}
		k.kex.ptr = pub;
		k.kex_group = group;
		k.gir = gir;
	}
	nr = secret_new(IKE_NONCE_LEN);
	if (!nr || ike_random(e, nr->ptr, nr->len) < 0)
		goto out;
	k.ni = ni.data; /* the peer started this exchange */
	k.initiator = false;
	k.nr.ptr = nr->ptr;
	k.nr.len = nr->len;
	k.own_nonce = k.nr;
	if (xchg_begin(e, sa, &b, &sk, IKEV2_EXCH_CREATE_CHILD_SA, true,
		       m->hdr.msgid) < 0)
		goto out;
	if (v2_child_answer(e, sa, &b, ch, transport, &k, old ? old->reqid : 0,
			    &notify) < 0) {
		refuse(e, sa, m, notify, (struct bytes){NULL, 0});
		goto out;
	}
	if ((len = xchg_end(&b, &sk)))
		xchg_send_response(e, sa, e->out, len);
	ike_log(e, sa, IKE_LOG_INFO, "CHILD SA '%s' %s",
		ike_conn(e, sa)->children[ch->cfg].name,
		old ? "rekeyed by the peer" : "created by the peer");
	/* v2_child_answer put the new child first. */
	if (old) {
		struct child_sa *nc = sa->children;

		nc->replaces = old->id;
		ike_emit_rekeyed(e, sa, nc, old->id);
		/* Both of us rekey old (2.8.1): which new pair stays is
		 * settled when our own answer comes, by the lowest nonce;
		 * keep the lower of this exchange's two until then. */
		if (our_rekey_of(sa, old)) {
			struct bytes lo = v2_nonce_lowest(k.ni, k.nr);

			nc->ni = secret_dup(lo.ptr, lo.len);
			ike_log(e, sa, IKE_LOG_INFO,
				"the peer rekeys CHILD SA #%u as we do "
				"(collision)",
				old->id);
		}
	}
out:
	dh_free(dh);
	secret_free(gir);
	secret_free(nr);
	free(offer);
	free(ch);
	(void)now;
}

/* A CREATE_CHILD_SA request for child config cfg; with old, a rekey of
 * that CHILD SA (1.3.3), whose successor keeps its reqid. */
static int
create_request(struct ike_engine *e, struct ike_sa *sa, uint64_t now,
	       unsigned cfg, struct child_sa *old)
{
	const struct ike_child_cfg *cc = &ike_conn(e, sa)->children[cfg];
	uint16_t group = cc->n_proposals ? pfs_group(&cc->proposals[0]) : 0;
	struct msg_builder b;
	struct sk_keys sk;
	struct child_sa *c;
	struct pld_nonce n;
	uint8_t pub[1024];
	size_t len;

	if (sa->state != IKE_SA_ESTABLISHED || sa->req.msg) {
		ike_log(e, sa, IKE_LOG_WARN,
			"cannot create CHILD SA '%s' now: an exchange is under "
			"way",
			cc->name);
		return -1;
	}
	if (xchg_begin(e, sa, &b, &sk, IKEV2_EXCH_CREATE_CHILD_SA, false,
		       sa->msgid_out) < 0)
		return -1;
	if (old) {
		uint8_t spi[SPI4_LEN];
		struct pld_notify rk = {IKEV2_PROTO_ESP,
					SPI4_LEN,
					IKEV2_N_REKEY_SA,
					{spi, SPI4_LEN},
					{NULL, 0}};

		spi4_put(spi, old->spi_in);
		pld_notify_put(&b, &rk);
	}
	if (v2_child_offer(e, sa, &b, cfg, old ? old->reqid : 0) < 0)
		return -1;
	c = sa->children; /* v2_child_offer put it first */
	c->replaces = old ? old->id : 0;
	c->ni = secret_new(IKE_NONCE_LEN);
	if (!c->ni || ike_random(e, c->ni->ptr, c->ni->len) < 0)
		return -1;
	n.data.ptr = c->ni->ptr;
	n.data.len = c->ni->len;
	pld_nonce_put(&b, &n);
	if (group) {
		struct pld_ke ke = {group, {pub, dh_public_len(group)}};

		c->dh = ike_dh_new(e, group);
		if (!c->dh || ke.data.len > sizeof(pub) ||
		    dh_public(c->dh, pub, ke.data.len) < 0)
			return -1;
		pld_ke_put(&b, &ke);
	}
	if (!(len = xchg_end(&b, &sk)))
		return -1;
	c->creating = true;
	ike_log(e, sa, IKE_LOG_INFO, "%s CHILD SA '%s'",
		old ? "rekeying" : "creating", cc->name);
	return xchg_send_request(e, sa, now, e->out, len, &v2_create_ops);
}

int
v2_create_start(struct ike_engine *e, struct ike_sa *sa, uint64_t now,
		unsigned cfg)
{
	return create_request(e, sa, now, cfg, NULL);
}

int
v2_create_rekey(struct ike_engine *e, struct ike_sa *sa, uint64_t now,
		struct child_sa *old)
{
	return create_request(e, sa, now, old->cfg, old);
}

/* The group of the proposal the responder chose, 0 if none. */
static uint16_t
answered_group(const struct msg *m)
{
	const struct pld_ref *r = msg_find(m, IKEV2_PL_SA, NULL);
	struct pld_sa *sap = calloc(1, sizeof(*sap));
	struct ike_err err;
	uint16_t group = 0;

	if (sap && r && pld_sa_get(r, sap, &err) == 0 && sap->n == 1)
		group = pfs_group(&sap->prop[0]);
	free(sap);
	return group;
}

/* The child the peer's rekey of the same SA made while ours was under
 * way (v2_create_respond kept its lowest nonce), or NULL. */
static struct child_sa *
colliding_child(struct ike_sa *sa, const struct child_sa *ours)
{
	struct child_sa *c;

	for (c = sa->children; c; c = c->next)
		if (c != ours && c->replaces == ours->replaces &&
		    !c->creating && c->ni && c->installed)
			return c;
	return NULL;
}

/* Our rekey of a CHILD SA is answered and c installed; lo is the lower
 * nonce of our exchange. A rekey is complete when the old SA is gone
 * (1.3.3): its initiator deletes it. If the peer rekeyed the same SA at
 * the same time, the pair made by the exchange with the lowest of the
 * four nonces is redundant and deleted by whoever started that exchange;
 * the other exchange's initiator deletes the old pair (2.8.1). */
static void
rekey_done(struct ike_engine *e, struct ike_sa *sa, struct child_sa *c,
	   struct bytes lo, uint64_t now)
{
	struct child_sa *peers = colliding_child(sa, c), *o;

	for (o = sa->children; o && o->id != c->replaces; o = o->next)
		;
	if (peers) {
		bool ours_lowest =
		    v2_nonce_cmp(
			lo, (struct bytes){peers->ni->ptr, peers->ni->len}) < 0;

		secret_free(peers->ni);
		peers->ni = NULL;
		if (ours_lowest) {
			ike_log(e, sa, IKE_LOG_INFO,
				"simultaneous rekey of CHILD SA #%u: ours has "
				"the lowest nonce, deleting its redundant #%u; "
				"#%u stays",
				c->replaces, c->id, peers->id);
			v2_info_delete_child(e, sa, c, now);
			return;
		}
		ike_log(
		    e, sa, IKE_LOG_INFO,
		    "simultaneous rekey of CHILD SA #%u: the peer's has the "
		    "lowest nonce and goes (#%u); #%u stays",
		    c->replaces, peers->id, c->id);
	}
	if (!o || !o->installed) {
		/* The peer deleted the SA while we rekeyed it (2.25.1):
		 * no successor for what it closed. */
		if (peers)
			return;
		ike_log(e, sa, IKE_LOG_INFO,
			"CHILD SA #%u was deleted while we rekeyed it; "
			"deleting its successor #%u",
			c->replaces, c->id);
		v2_info_delete_child(e, sa, c, now);
		return;
	}
	ike_log(e, sa, IKE_LOG_INFO, "CHILD SA #%u rekeyed as #%u", o->id,
		c->id);
	ike_emit_rekeyed(e, sa, c, o->id);
	v2_info_delete_child(e, sa, o, now);
}

static void
v2_create_complete(struct ike_engine *e, struct ike_sa *sa, uint64_t now,
		   const struct msg *m)
{
	struct child_sa *c = child_creating(sa);

	if (sa->v2.rk.active) {
		v2_rekey_complete(e, sa, now, m);
		return;
	}
	const struct pld_ref *rn = msg_find(m, IKEV2_PL_NONCE, NULL);
	const struct pld_ref *rk = msg_find(m, IKEV2_PL_KE, NULL);
	const struct pld_ref *r = NULL;
	struct child_keying k = {0};
	struct secret *gir = NULL;
	struct pld_nonce nr;
	struct pld_notify n;
	struct pld_ke ke;
	struct ike_err err;
	uint16_t group;

	if (!c)
		return;
	c->creating = false;
	/* The IKE SA was replaced while this exchange ran: the CHILD SAs
	 * live on in its successor, and this one never came up. */
	if (sa->state != IKE_SA_ESTABLISHED) {
		v2_child_drop(e, sa, c, "its IKE SA was rekeyed meanwhile");
		return;
	}
	while ((r = msg_find(m, IKEV2_PL_N, r)))
		if (pld_notify_get(r, &n, &err) == 0 &&
		    n.type <= IKEV2_N_ERROR_MAX) {
			ike_log(e, sa, IKE_LOG_WARN,
				"peer refused the CHILD SA with %s (%u)",
				notify_name(n.type), n.type);
			secret_free(gir);
			v2_child_drop(e, sa, c, notify_name(n.type));
			return;
		}
	if (!rn || pld_nonce_get(rn, &nr, &err) < 0)
		goto fail;
	/* PFS exactly when the chosen proposal has a group: a responder
	 * that chose one without sends no KE (1.3), and one with must. */
	group = answered_group(m);
	if (group) {
		if (!c->dh || !rk || pld_ke_get(rk, &ke, &err) < 0 ||
		    ke.group != group ||
		    dh_shared(c->dh, ke.data.ptr, ke.data.len, &gir) < 0) {
			ike_log(
			    e, sa, IKE_LOG_WARN,
			    "responder's key exchange is missing or invalid");
			goto fail;
		}
		k.gir = gir;
	}
	k.ni.ptr = c->ni->ptr; /* we started this exchange */
	k.ni.len = c->ni->len;
	k.nr = nr.data;
	k.initiator = true;
	if (v2_child_finish(e, sa, c, m, &k) == 0) {
		secret_free(gir);
		if (c->replaces)
			rekey_done(e, sa, c, v2_nonce_lowest(k.ni, k.nr), now);
		secret_free(c->ni);
		c->ni = NULL;
		return;
	}
fail:
	secret_free(gir);
	v2_child_drop(e, sa, c, "CHILD SA not created");
}

/* The peer's CREATE_CHILD_SA requests all come here; a rekey of the IKE
 * SA goes on to v2_rekey_respond. DELETING: see xchg_response_ok(). */
const struct xchg_ops v2_create_ops = {
    .name = "CREATE_CHILD_SA",
    .version = 2,
    .exchange = IKEV2_EXCH_CREATE_CHILD_SA,
    .req_states = XS_ESTABLISHED | XS_DELETING,
    .resp_states = XS_ESTABLISHED | XS_DELETING,
    .respond = v2_create_respond,
    .complete = v2_create_complete,
};
