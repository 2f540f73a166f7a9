/* SPDX-License-Identifier: ISC */
/*
 * IKEv1 Quick Mode, initiator (RFC 2409 5.5; v1_quick.c has the whole
 * picture): message 1 with our offer, selectors and PFS key exchange;
 * message 2 checked against it and the pair installed; message 3 sent.
 * One Quick Mode of ours at a time, as the request in flight.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "v1_quick.h"

/* Message 1 for child cfg, a rekey of old if given (a pair of the
 * ISAKMP SA old_sa, when not 0). */
static int
start(struct ike_engine *e, struct ike_sa *sa, uint64_t now, unsigned cfg,
      struct child_sa *old, unsigned old_sa)
{
	const struct ike_child_cfg *cc = &ike_conn(e, sa)->children[cfg];
	struct proposal *xf = calloc(IKEV1_MAX_TRANSFORMS, sizeof(*xf));
	struct prop_v1_sa *out = calloc(1, sizeof(*out));
	struct v1_qm *q = calloc(1, sizeof(*q));
	struct child_sa *c = NULL;
	struct prop_v1_p2_cfg pc;
	struct pld_v1_data nonce;
	struct pld_ts ti, tr;
	char skipped[256] = "";
	uint8_t spi[4], mac[V1_HASH_MAX];
	uint16_t group = qm_pfs_group(cc->proposals, cc->n_proposals);
	struct msg_builder b;
	struct ike_hdr h;
	size_t hash_at, rest_at, len;
	int n, rc = -1;

	if (!xf || !out || !q)
		goto fail;
	if (sa->req.msg || sa->state != IKE_SA_ESTABLISHED) {
		ike_log(e, sa, IKE_LOG_WARN,
			"Quick Mode for '%s' not started: another exchange of "
			"ours is under way",
			cc->name);
		goto fail;
	}
	if (!(c = child_new(sa, cfg)))
		goto fail;
	if (old) {
		c->reqid = old->reqid;
		c->replaces = old->id;
		c->replaces_sa = old_sa;
	}
	c->creating = true;
	if (child_alloc_spi(e, sa, c) < 0 || qm_new_mid(e, sa, &q->mid) < 0 ||
	    !(q->ni = secret_new(IKE_NONCE_LEN)) ||
	    ike_random(e, q->ni->ptr, q->ni->len) < 0 ||
	    (group && !(q->dh = ike_dh_new(e, group))) ||
	    v1_iv_phase2(&sa->v1.suite, &sa->v1.iv, q->mid, &q->iv) < 0)
		goto fail;
	q->initiator = true;
	q->child = c->id;
	spi4_put(spi, c->spi_in);
	qm_p2_cfg(sa, cc, &pc, spi);
	n = prop_v1_p2_expand(cc->proposals, cc->n_proposals, &pc, xf,
			      IKEV1_MAX_TRANSFORMS, skipped, sizeof(skipped));
	if (n < 0 || prop_v1_encode(xf, (size_t)n, out) < 0) {
		ike_log(e, sa, IKE_LOG_ERROR,
			"child '%s' has no proposal Quick Mode can offer%s%s",
			cc->name, skipped[0] ? ": " : "", skipped);
		goto fail;
	}
	if (skipped[0])
		ike_log(e, sa, IKE_LOG_INFO,
			"not offered in Quick Mode (no IKEv1 number): %s",
			skipped);
	if (old && old->n_local_ts && old->n_remote_ts) {
		ti.ts[0] = old->local_ts[0];
		tr.ts[0] = old->remote_ts[0];
	} else {
		ts_from_cfg(cc->local_ts, cc->n_local_ts, &sa->local, &ti);
		ts_from_cfg(cc->remote_ts, cc->n_remote_ts, &sa->remote, &tr);
		if (ti.n > 1 || tr.n > 1)
			ike_log(e, sa, IKE_LOG_WARN,
				"child '%s': IKEv1 negotiates one selector "
				"pair; only the first of each side is used",
				cc->name);
	}
	msg_v1_hdr_init(&h, sa->spi_i, sa->spi_r, IKEV1_EXCH_QUICK_MODE,
			IKEV1_FLAG_ENCRYPTION, q->mid);
	msg_build_init(&b, e->out, IKEV2_MAX_MSG_LEN, &h);
	hash_at = qm_hash_placeholder(sa, &b);
	rest_at = b.w.len;
	pld_v1_sa_put(&b, &out->sa);
	nonce.data = (struct bytes){q->ni->ptr, q->ni->len};
	pld_v1_nonce_put(&b, &nonce);
	rc = 0;
	if (q->dh)
		qm_put_ke(&b, q->dh, group, &rc);
	if (rc == 0 && qm_put_ids(e, sa, &b, &ti.ts[0], &tr.ts[0]) < 0)
		rc = -1;
	if (cc->transport && sa->v1.encap != IKE_V1_ENCAP_NONE)
		v1_natoa_put(sa, &b);
	if (rc < 0 || !(len = msg_build_finish(&b)) ||
	    keymat_v1_hash1(sa->v1.suite.prf, sa->v1.keys.skeyid_a, q->mid,
			    (struct bytes){e->out + rest_at, len - rest_at},
			    mac) < 0) {
		rc = -1;
		goto fail;
	}
	memcpy(e->out + hash_at, mac, sa->v1.suite.prf->out_len);
	if (!(len = v1_seal_iv(e, sa, len, &q->iv)) ||
	    v1_send_request(e, sa, now, e->out, len) < 0) {
		rc = -1;
		goto fail;
	}
	sa->req.msgid = q->mid;
	q->next = sa->v1.qm;
	sa->v1.qm = q;
	sa->v1.n_qm++;
	ike_log(e, sa, IKE_LOG_INFO, "%s CHILD SA '%s' (Quick Mode %08x)",
		old ? "rekeying" : "initiating", cc->name, q->mid);
	free(xf);
	free(out);
	return 0;
fail:
	if (c) {
		child_uninstall(e, sa, c);
		child_unlink(sa, c);
		child_free(c);
	}
	qm_free(q);
	free(xf);
	free(out);
	return -1;
}

int
v1_quick_start(struct ike_engine *e, struct ike_sa *sa, uint64_t now,
	       unsigned cfg, struct child_sa *old)
{
	return start(e, sa, now, cfg, old, 0);
}

int
v1_quick_renew(struct ike_engine *e, struct ike_sa *sa, uint64_t now,
	       struct ike_sa *old_sa, struct child_sa *old)
{
	return start(e, sa, now, old->cfg, old, old_sa->id);
}

/* Message 2's SA, nonce, KE and IDs against our offer; the child
 * installed. -1 with the reason logged. */
static int
complete_checked(struct ike_engine *e, struct ike_sa *sa, struct v1_qm *q,
		 struct child_sa *c, const struct msg_v1 *m)
{
	const struct ike_child_cfg *cc = &ike_conn(e, sa)->children[c->cfg];
	const struct pld_ref *rs = msg_v1_find(m, IKEV1_PL_SA, NULL);
	const struct pld_ref *rn;
	struct pld_v1_sa *ans = calloc(1, sizeof(*ans));
	struct prop_v1_list *list = calloc(1, sizeof(*list));
	struct prop_v1_p2_cfg pc;
	struct prop_v1_choice ch;
	const struct transform *dh;
	struct pld_v1_notify n;
	struct ike_err err = {0};
	struct pld_ts want_i, want_r;
	struct ts ti, tr;
	char reason[512] = "";
	uint32_t life_s, life_kb;
	uint16_t notify;
	int ids, rc = -1;

	if (!ans || !list)
		goto out;
	qm_p2_cfg(sa, cc, &pc, NULL);
	if (!rs || pld_v1_sa_get(rs, ans, &err) < 0 ||
	    prop_v1_p2_decode(ans, list, &notify, reason, sizeof(reason)) < 0 ||
	    list->n != 1 ||
	    prop_v1_p2_select(cc->proposals, cc->n_proposals, &pc, list, &ch,
			      reason, sizeof(reason)) < 0 ||
	    ans->n_prop != 1 || ans->prop[0].spi_size != 4) {
		ike_log(e, sa, IKE_LOG_WARN,
			"Quick Mode answer for '%s' chose %s", cc->name,
			list && list->n != 1 ? "not exactly one transform"
					     : "a transform we did not offer");
		goto out;
	}
	if (!(q->nr = qm_take_nonce(m))) {
		ike_log(e, sa, IKE_LOG_WARN, "Quick Mode answer has no nonce");
		goto out;
	}
	dh = prop_xf_first(&ch.chosen, IKEV2_TRANS_DH);
	if ((dh && dh->id) != (q->dh != NULL) ||
	    (q->dh && dh->id != qm_pfs_group(cc->proposals, cc->n_proposals))) {
		ike_log(e, sa, IKE_LOG_WARN,
			"Quick Mode answer for '%s' chose a PFS group other "
			"than the one of our KE",
			cc->name);
		goto out;
	}
	if (q->dh && qm_take_ke(e, sa, m, q, dh->id) < 0)
		goto out;
	v1_natoa_log(e, sa, m);
	ids = qm_take_ids(m, &ti, &tr);
	if (qm_replaced(e, sa, c)) {
		const struct child_sa *old = qm_replaced(e, sa, c);

		want_i.n = want_r.n = 1;
		want_i.ts[0] = old->local_ts[0];
		want_r.ts[0] = old->remote_ts[0];
	} else {
		ts_from_cfg(cc->local_ts, cc->n_local_ts, &sa->local, &want_i);
		ts_from_cfg(cc->remote_ts, cc->n_remote_ts, &sa->remote,
			    &want_r);
	}
	if (ids < 0 || (ids == 0 && (!qm_same_ts(&ti, &want_i.ts[0]) ||
				     !qm_same_ts(&tr, &want_r.ts[0])))) {
		ike_log(e, sa, IKE_LOG_WARN,
			"Quick Mode answer for '%s' changed our IDs; IKEv1 "
			"responders must echo them",
			cc->name);
		goto out;
	}
	want_i.n = want_r.n = 1;
	life_s = ch.life_s;
	for (rn = NULL; (rn = msg_v1_find(m, IKEV1_PL_N, rn));)
		if (pld_v1_notify_get(rn, &n, &err) == 0 &&
		    n.type == IKEV1_N_RESPONDER_LIFETIME &&
		    pld_v1_life_get(n.data, &life_s, &life_kb) == 0 && life_s &&
		    life_s < ch.life_s) {
			ike_log(e, sa, IKE_LOG_INFO,
				"peer lowered the lifetime of '%s' to %u s "
				"(RESPONDER-LIFETIME)",
				cc->name, life_s);
			ch.life_s = life_s;
		}
	c->spi_out = spi4_get(ans->prop[0].spi.ptr);
	if (c->peer_gone && c->peer_gone == c->spi_out) {
		ike_log(e, sa, IKE_LOG_INFO,
			"the peer deleted CHILD SA '%s' (SPI %08x) before its "
			"answer reached us; not installed",
			cc->name, c->spi_out);
		goto out;
	}
	if (child_set_ts(c, &want_i, &want_r) < 0)
		goto out;
	rc = qm_install(e, sa, q, c, &ch.chosen, ch.life_s);
out:
	free(ans);
	free(list);
	return rc;
}

void
qm_complete(struct ike_engine *e, struct ike_sa *sa, struct v1_qm *q,
	    struct msg_v1 *m)
{
	struct child_sa *c = qm_child(sa, q->child);
	struct v1_iv iv = q->iv;
	struct pld_v1_data hash;
	uint8_t want[V1_HASH_MAX], mac[V1_HASH_MAX];
	struct msg_builder b;
	struct ike_hdr h;
	struct pld_v1_data h3;
	size_t len;

	if (qm_open_hashed(e, sa, m, &iv, &hash) < 0 ||
	    keymat_v1_hash2(sa->v1.suite.prf, sa->v1.keys.skeyid_a, q->mid,
			    (struct bytes){q->ni->ptr, q->ni->len},
			    qm_after_hash(m), want) < 0 ||
	    !keymat_v1_hash_equal(want, sa->v1.suite.prf->out_len, hash.data)) {
		ike_drop(e, sa, IKE_DROP_ICV,
			 "Quick Mode message 2 whose HASH(2) does not verify; "
			 "dropped");
		return;
	}
	q->iv = iv;
	xchg_request_done(e, sa);
	if (!c || complete_checked(e, sa, q, c, m) < 0) {
		qm_child_failed(e, sa, q->child, "Quick Mode failed");
		qm_remove(sa, q);
		v1_rekey_continue(e, sa, e->now);
		return;
	}
	/* Message 3: it proves we saw message 2; sent once, and again for
	 * each repeat of message 2 (v1_send_reply's cache). */
	if (keymat_v1_hash3(sa->v1.suite.prf, sa->v1.keys.skeyid_a, q->mid,
			    (struct bytes){q->ni->ptr, q->ni->len},
			    (struct bytes){q->nr->ptr, q->nr->len}, mac) == 0) {
		msg_v1_hdr_init(&h, sa->spi_i, sa->spi_r, IKEV1_EXCH_QUICK_MODE,
				IKEV1_FLAG_ENCRYPTION, q->mid);
		msg_build_init(&b, e->out, IKEV2_MAX_MSG_LEN, &h);
		h3.data = (struct bytes){mac, sa->v1.suite.prf->out_len};
		pld_v1_hash_put(&b, &h3);
		if ((len = msg_build_finish(&b)) &&
		    (len = v1_seal_iv(e, sa, len, &q->iv)))
			v1_send_reply(e, sa, m, e->out, len);
	}
	qm_remove(sa, q);
	v1_rekey_continue(e, sa, e->now);
}
