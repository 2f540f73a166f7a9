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
	struct ike_hdr h;
	struct sk_keys sk;
	const struct transform *t;
	uint8_t pub[1024];
	char reason[512];
	uint16_t want = 0, notify = IKEV2_N_NO_PROPOSAL_CHOSEN;
	size_t len;

	if (!ans)
		return;
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
	nsa = sa_new(e, sa->conn, false);
	if (!nsa)
		goto temporary;
	nsa->local = sa->local;
	nsa->remote = sa->remote;
	memcpy(nsa->spi_i, chosen.spi, IKEV2_SPI_LEN);
	sa_set_our_spi(e, nsa);
	nsa->dh_group = ke.group;
	nsa->dh = dh_new(ke.group);
	nsa->ni = nonce_copy(ni.data);
	nsa->nr = secret_new(IKE_NONCE_LEN);
	our_ke.group = ke.group;
	our_ke.data.ptr = pub;
	our_ke.data.len = dh_public_len(ke.group);
	if (!nsa->dh || !nsa->ni || !nsa->nr || our_ke.data.len > sizeof(pub) ||
	    dh_public(nsa->dh, pub, our_ke.data.len) < 0 ||
	    crypto_random(nsa->nr->ptr, nsa->nr->len) < 0)
		goto temporary;
	if (dh_shared(nsa->dh, ke.data.ptr, ke.data.len, &gir) < 0) {
		notify = IKEV2_N_INVALID_SYNTAX;
		goto refuse;
	}
	t = prop_xf_first(&chosen, IKEV2_TRANS_ENCR);
	nsa->suite.encr = t ? crypto_encr(t->id, t->key_bits) : NULL;
	t = prop_xf_first(&chosen, IKEV2_TRANS_INTEG);
	nsa->suite.integ = t && t->id ? crypto_integ(t->id) : NULL;
	t = prop_xf_first(&chosen, IKEV2_TRANS_PRF);
	nsa->suite.prf = t ? crypto_prf(t->id) : NULL;
	nsa->suite.dh = ke.group;
	if (!nsa->suite.encr || !nsa->suite.prf ||
	    (!nsa->suite.encr->aead && !nsa->suite.integ) ||
	    keymat_v2_ike_rekey(sa->suite.prf, sa->keys.sk_d, &nsa->suite, gir,
				ni.data,
				(struct bytes){nsa->nr->ptr, nsa->nr->len},
				nsa->spi_i, nsa->spi_r, &nsa->keys) < 0)
		goto temporary;
	nsa->ike_prop = malloc(sizeof(*nsa->ike_prop));
	if (!nsa->ike_prop)
		goto temporary;
	*nsa->ike_prop = chosen;
	/* The answer carries our SPI for the new SA in the proposal. */
	ans->n = 1;
	ans->prop[0] = chosen;
	memcpy(ans->prop[0].spi, nsa->spi_r, IKEV2_SPI_LEN);
	nr.data.ptr = nsa->nr->ptr;
	nr.data.len = nsa->nr->len;
	xchg_hdr(sa, &h, IKEV2_EXCH_CREATE_CHILD_SA, true, m->hdr.msgid);
	sa_keys_for(sa, true, &sk);
	msg_build_init(&b, e->out, IKEV2_MAX_MSG_LEN, &h);
	if (sk_begin(&b, &sk) < 0)
		goto temporary;
	pld_sa_put(&b, ans);
	pld_nonce_put(&b, &nr);
	pld_ke_put(&b, &our_ke);
	if (!(len = sk_end(&b, &sk)))
		goto temporary;
	xchg_send_response(e, sa, e->out, len);
	/* Hand everything over: the children, the peer's identity. */
	nsa->children = sa->children;
	nsa->next_child_id = sa->next_child_id;
	sa->children = NULL;
	nsa->peer_id = sa->peer_id;
	memcpy(nsa->peer_id_buf, sa->peer_id_buf, sizeof(nsa->peer_id_buf));
	nsa->peer_id.data.ptr = nsa->peer_id_buf;
	nsa->state = IKE_SA_ESTABLISHED;
	sa->state = IKE_SA_DELETING; /* the peer deletes it; quietly */
	sa->rekeyed = true;
	ike_log(e, nsa, IKE_LOG_INFO,
		"IKE SA rekeyed by the peer (replaces IKE SA #%u)", sa->id);
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
