/* SPDX-License-Identifier: ISC */
/*
 * IKEv1 Quick Mode, responder (RFC 2409 5.5; v1_quick.c has the whole
 * picture): the child whose mode, proposals and selectors take the
 * peer's offer; message 2 (resent until message 3 comes); the pair
 * installed at message 3. A refusal says why in one line and in a
 * protected notify.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "v1_quick.h"

static bool
ts_inside(const struct ts *t, const struct pld_ts *allowed)
{
	struct pld_ts one = {1, {*t}}, meet;

	return ts_narrow(&one, allowed, &meet) == 0 && meet.n == 1 &&
	       qm_same_ts(&meet.ts[0], t);
}

/* The child whose mode, proposals and selectors take the offer; -1 and
 * the reason logged if none does. ti is the initiator's side. */
static int
choose(struct ike_engine *e, struct ike_sa *sa, const struct prop_v1_list *list,
       const struct ts *ti, const struct ts *tr, struct prop_v1_choice *ch,
       uint16_t *notify)
{
	const struct ike_conn_cfg *conn = ike_conn(e, sa);
	struct prop_v1_p2_cfg pc;
	struct pld_ts allow_i, allow_r;
	struct ts pi, pr; /* ti, tr as the policies would have them */
	char reason[512] = "", a[96], b[96];
	bool ts_fail = false;
	unsigned i;

	for (i = 0; i < conn->n_children; i++) {
		const struct ike_child_cfg *cc = &conn->children[i];

		qm_p2_cfg(sa, cc, &pc, NULL);
		if (prop_v1_p2_select(cc->proposals, cc->n_proposals, &pc, list,
				      ch, reason, sizeof(reason)) < 0)
			continue;
		ts_from_cfg(cc->remote_ts, cc->n_remote_ts, &sa->remote,
			    &allow_i);
		ts_from_cfg(cc->local_ts, cc->n_local_ts, &sa->local, &allow_r);
		pi = *ti;
		pr = *tr;
		if (cc->transport && sa->v1.encap != IKE_V1_ENCAP_NONE)
			v1_nat_hosts(sa, &pi, &pr);
		if (!ts_inside(&pi, &allow_i) || !ts_inside(&pr, &allow_r)) {
			ts_fail = true;
			continue;
		}
		return (int)i;
	}
	if (ts_fail) {
		ts_format(ti, a, sizeof(a));
		ts_format(tr, b, sizeof(b));
		*notify = IKEV1_N_INVALID_ID_INFORMATION;
		ike_log(e, sa, IKE_LOG_WARN,
			"Quick Mode refused: the peer's IDs %s === %s fit no "
			"child of '%s'",
			a, b, conn->name);
	} else {
		*notify = IKEV1_N_NO_PROPOSAL_CHOSEN;
		ike_log(e, sa, IKE_LOG_WARN, "Quick Mode refused: %s",
			reason[0] ? reason : "the connection has no children");
	}
	return -1;
}

/* An installed child of cfg with exactly these selectors: what a Quick
 * Mode for them rekeys. */
static struct child_sa *
rekeyed(const struct ike_sa *sa, unsigned cfg, const struct ts *local,
	const struct ts *remote)
{
	struct child_sa *c;

	for (c = sa->children; c; c = c->next)
		if (c->installed && !c->superseded && c->cfg == cfg &&
		    c->n_local_ts == 1 && c->n_remote_ts == 1 &&
		    qm_same_ts(&c->local_ts[0], local) &&
		    qm_same_ts(&c->remote_ts[0], remote))
			return c;
	return NULL;
}

/* Message 2 into e->out for the offer in m; its length, 0 if refused. */
static size_t
answer(struct ike_engine *e, struct ike_sa *sa, struct v1_qm *q,
       struct msg_v1 *m, uint16_t *notify)
{
	const struct pld_ref *rs = msg_v1_find(m, IKEV1_PL_SA, NULL);
	struct pld_v1_sa *peer = calloc(1, sizeof(*peer));
	struct prop_v1_list *list = calloc(1, sizeof(*list));
	struct prop_v1_sa *out = calloc(1, sizeof(*out));
	const struct ike_child_cfg *cc;
	const struct transform *dh;
	struct prop_v1_choice ch;
	struct child_sa *c = NULL, *old;
	struct pld_ts tl = {1, {{0}}}, tr = {1, {{0}}};
	struct ts ti, tresp, pol_i, pol_r;
	struct pld_v1_data nonce;
	struct ike_err err = {0};
	uint8_t spi[4], mac[V1_HASH_MAX], life[16];
	char reason[512];
	struct msg_builder b;
	struct ike_hdr h;
	size_t hash_at, rest_at, len = 0;
	int ids, cfg, rc = 0;

	*notify = IKEV1_N_PAYLOAD_MALFORMED;
	if (!peer || !list || !out)
		goto out;
	if (!rs || pld_v1_sa_get(rs, peer, &err) < 0 ||
	    !(q->ni = qm_take_nonce(m)) ||
	    (ids = qm_take_ids(m, &ti, &tresp)) < 0) {
		ike_log(e, sa, IKE_LOG_WARN,
			"Quick Mode message 1 without a valid SA, nonce or ID "
			"pair; refused");
		goto out;
	}
	if (ids == 1) {
		qm_host_ts(&sa->remote, &ti);
		qm_host_ts(&sa->local, &tresp);
	}
	if (prop_v1_p2_decode(peer, list, notify, reason, sizeof(reason)) < 0) {
		ike_log(e, sa, IKE_LOG_WARN, "Quick Mode refused: %s", reason);
		goto out;
	}
	if ((cfg = choose(e, sa, list, &ti, &tresp, &ch, notify)) < 0)
		goto out;
	cc = &ike_conn(e, sa)->children[cfg];
	v1_natoa_log(e, sa, m);
	/* The policies' selectors; the answer echoes the IDs as they came. */
	pol_i = ti;
	pol_r = tresp;
	if (cc->transport && sa->v1.encap != IKE_V1_ENCAP_NONE)
		v1_nat_hosts(sa, &pol_i, &pol_r);
	if (ch.weak)
		ike_log(e, sa, IKE_LOG_WARN,
			"CHILD SA '%s' uses a weak algorithm", cc->name);
	*notify = IKEV1_N_NO_PROPOSAL_CHOSEN;
	dh = prop_xf_first(&ch.chosen, IKEV2_TRANS_DH);
	if (dh && dh->id &&
	    (!(q->dh = ike_dh_new(e, dh->id)) ||
	     qm_take_ke(e, sa, m, q, dh->id) < 0))
		goto out;
	if (!(c = child_new(sa, (unsigned)cfg)))
		goto out;
	c->creating = true;
	tl.ts[0] = pol_r;
	tr.ts[0] = pol_i;
	if ((old = rekeyed(sa, (unsigned)cfg, &pol_r, &pol_i))) {
		c->reqid = old->reqid;
		c->replaces = old->id;
	}
	if (child_alloc_spi(e, sa, c) < 0 || child_set_ts(c, &tl, &tr) < 0 ||
	    ch.chosen.spi_size != 4 || !(q->nr = secret_new(IKE_NONCE_LEN)) ||
	    ike_random(e, q->nr->ptr, q->nr->len) < 0)
		goto out;
	c->spi_out = spi4_get(ch.chosen.spi);
	q->child = c->id;
	q->life_s = ch.life_s;
	q->chosen = ch.chosen;
	spi4_put(spi, c->spi_in);
	if (prop_v1_sa_echo(peer, list, &ch, spi, out) < 0)
		goto out;
	msg_v1_hdr_init(&h, sa->spi_i, sa->spi_r, IKEV1_EXCH_QUICK_MODE,
			IKEV1_FLAG_ENCRYPTION, q->mid);
	msg_build_init(&b, e->out, IKEV2_MAX_MSG_LEN, &h);
	hash_at = qm_hash_placeholder(sa, &b);
	rest_at = b.w.len;
	pld_v1_sa_put(&b, &out->sa);
	nonce.data = (struct bytes){q->nr->ptr, q->nr->len};
	pld_v1_nonce_put(&b, &nonce);
	if (q->dh)
		qm_put_ke(&b, q->dh, dh->id, &rc);
	if (ids == 0 && qm_put_ids(e, sa, &b, &ti, &tresp) < 0)
		rc = -1;
	/* The mode chosen is UDP-Encapsulated-Transport (5.2). */
	if (cc->transport && sa->v1.encap != IKE_V1_ENCAP_NONE)
		v1_natoa_put(sa, &b);
	if (ch.notify_life_s || ch.notify_life_kb) {
		struct pld_v1_notify n = {0};

		n.doi = IKEV1_DOI_IPSEC;
		n.proto = IKEV1_PROTO_IPSEC_ESP;
		n.spi_size = 4;
		n.spi = (struct bytes){spi, 4};
		n.type = IKEV1_N_RESPONDER_LIFETIME;
		n.data = (struct bytes){
		    life, pld_v1_life_put(life, sizeof(life), ch.notify_life_s,
					  ch.notify_life_kb)};
		pld_v1_notify_put(&b, &n);
	}
	if (rc < 0 || !(len = msg_build_finish(&b)) ||
	    keymat_v1_hash2(sa->v1.suite.prf, sa->v1.keys.skeyid_a, q->mid,
			    (struct bytes){q->ni->ptr, q->ni->len},
			    (struct bytes){e->out + rest_at, len - rest_at},
			    mac) < 0) {
		len = 0;
		goto out;
	}
	memcpy(e->out + hash_at, mac, sa->v1.suite.prf->out_len);
	len = v1_seal_iv(e, sa, len, &q->iv);
out:
	if (!len && c) {
		child_uninstall(e, sa, c);
		child_unlink(sa, c);
		child_free(c);
	}
	free(peer);
	free(list);
	free(out);
	return len;
}

/* Our half of a pair we could not install: a DELETE of its SPI (our
 * inbound, the initiator's outbound) takes the initiator's half down. */
static void
refuse_pair(struct ike_engine *e, struct ike_sa *sa, const struct child_sa *c)
{
	uint8_t spi[SPI4_LEN];

	spi4_put(spi, c->spi_in);
	if (v1_info_delete(e, sa, IKEV1_PROTO_IPSEC_ESP, spi, SPI4_LEN, 1) == 0)
		ike_log(e, sa, IKE_LOG_INFO,
			"CHILD SA '%s' not installed here: DELETE of SPI %08x "
			"sent, so that the peer removes its half",
			ike_conn(e, sa)->children[c->cfg].name, c->spi_in);
}

/* The peer hears why, in a protected Informational (RFC 2409 5.7). */
static void
refuse(struct ike_engine *e, struct ike_sa *sa, uint16_t notify)
{
	v1_info_notify(e, sa, notify, IKEV1_PROTO_IPSEC_ESP, NULL, 0,
		       (struct bytes){NULL, 0});
}

void
qm_respond(struct ike_engine *e, struct ike_sa *sa, uint64_t now,
	   struct msg_v1 *m)
{
	struct v1_qm *q;
	struct pld_v1_data hash;
	uint8_t want[V1_HASH_MAX];
	uint16_t notify = 0;
	size_t len, i;

	for (i = 0; i < NELEM(sa->v1.done_mid); i++)
		if (sa->v1.done_mid[i] == m->hdr.msgid) {
			ike_drop(e, sa, IKE_DROP_REPLAY,
				 "Quick Mode %08x is over; a late repeat of "
				 "its message 1 dropped",
				 m->hdr.msgid);
			return;
		}
	if (sa->v1.n_qm >= V1_QM_MAX) {
		ike_drop(e, sa, IKE_DROP_STATE,
			 "Quick Mode %08x dropped: %u exchanges already under "
			 "way on this ISAKMP SA",
			 m->hdr.msgid, sa->v1.n_qm);
		return;
	}
	if (!(q = calloc(1, sizeof(*q))))
		return;
	q->mid = m->hdr.msgid;
	if (v1_iv_phase2(&sa->v1.suite, &sa->v1.iv, q->mid, &q->iv) < 0 ||
	    qm_open_hashed(e, sa, m, &q->iv, &hash) < 0 ||
	    keymat_v1_hash1(sa->v1.suite.prf, sa->v1.keys.skeyid_a, q->mid,
			    qm_after_hash(m), want) < 0 ||
	    !keymat_v1_hash_equal(want, sa->v1.suite.prf->out_len, hash.data)) {
		ike_drop(e, sa, IKE_DROP_ICV,
			 "Quick Mode message 1 whose HASH(1) does not verify; "
			 "dropped");
		qm_free(q);
		return;
	}
	guard_request_hash(e, m->raw, q->req_hash);
	if (!(len = answer(e, sa, q, m, &notify))) {
		refuse(e, sa, notify);
		qm_free(q);
		return;
	}
	q->msg = malloc(len);
	if (q->msg) {
		memcpy(q->msg, e->out, len);
		q->len = len;
	}
	q->deadline = now + e->rt_timeout;
	q->next = sa->v1.qm;
	sa->v1.qm = q;
	sa->v1.n_qm++;
	v1_send_reply(e, sa, m, e->out, len);
	sa_schedule(e, sa);
}

/* Message 3: the initiator has installed; so do we. */
void
qm_finish(struct ike_engine *e, struct ike_sa *sa, struct v1_qm *q,
	  struct msg_v1 *m)
{
	struct child_sa *c = qm_child(sa, q->child);
	uint8_t hash_rq[IKE_REQ_HASH_LEN], want[V1_HASH_MAX];
	struct v1_iv iv = q->iv;
	struct pld_v1_data hash;

	guard_request_hash(e, m->raw, hash_rq);
	if (bytes_equal_ct(hash_rq, q->req_hash, sizeof(hash_rq))) {
		if (q->msg)
			xchg_send_back(e, sa, q->msg, q->len, false);
		return;
	}
	if (qm_open_hashed(e, sa, m, &iv, &hash) < 0 || m->n != 1 ||
	    keymat_v1_hash3(sa->v1.suite.prf, sa->v1.keys.skeyid_a, q->mid,
			    (struct bytes){q->ni->ptr, q->ni->len},
			    (struct bytes){q->nr->ptr, q->nr->len}, want) < 0 ||
	    !keymat_v1_hash_equal(want, sa->v1.suite.prf->out_len, hash.data)) {
		ike_drop(e, sa, IKE_DROP_ICV,
			 "Quick Mode message 3 whose HASH(3) does not verify; "
			 "dropped");
		return;
	}
	q->iv = iv;
	if (c && c->peer_gone && c->peer_gone == c->spi_out)
		ike_log(e, sa, IKE_LOG_INFO,
			"the peer deleted SPI %08x before its message 3; CHILD "
			"SA not installed",
			c->spi_out);
	if (!c || (c->peer_gone && c->peer_gone == c->spi_out)) {
		qm_child_failed(e, sa, q->child, "Quick Mode failed");
	} else if (qm_install(e, sa, q, c, &q->chosen, q->life_s) < 0) {
		/* The initiator installed its pair on our message 2; without
		 * a word it would send into SAs we do not have. */
		refuse_pair(e, sa, c);
		qm_child_failed(e, sa, q->child, "Quick Mode failed");
	}
	sa->v1.done_mid[sa->v1.done_next++ % NELEM(sa->v1.done_mid)] = q->mid;
	qm_remove(sa, q);
}
