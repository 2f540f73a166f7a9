/* SPDX-License-Identifier: ISC */
/*
 * IKEv1 Quick Mode (RFC 2409 5.5), both roles: an ESP SA pair on an
 * established ISAKMP SA, in tunnel or transport mode, with PFS when the
 * child's proposals name a group:
 *
 *   Initiator                                    Responder
 *   HDR*, HASH(1), SA, Ni [, KE] [, IDci, IDcr] -->
 *                  <-- HDR*, HASH(2), SA, Nr [, KE] [, IDci, IDcr]
 *   HDR*, HASH(3)                                -->
 *
 * Each exchange has its own message ID and IV chain (Appendix B), and
 * several may run at once: struct v1_qm is one in flight. Nothing in a
 * message is looked at before its HASH verifies.
 *
 * The initiator installs the pair once message 2 verifies and sends
 * message 3; the responder installs it when message 3 comes. Message 3
 * is the last one, so the responder resends message 2 until it does
 * (the initiator answers a repeated message 2 with its cached message 3,
 * v1_input.c); our message 1 is retransmitted as any request of ours
 * (sa->req: one of ours at a time).
 *
 * IKEv1 has no narrowing: the responder accepts the initiator's IDs as
 * they are if they fall within one of its children, and answers with
 * them. Lifetimes above the child's are accepted and lowered with a
 * RESPONDER-LIFETIME notify (RFC 2407 4.5.4). A rekey is a new Quick Mode
 * with the same IDs: the new pair shares the old one's reqid (so the
 * policies serve both), and the old pair goes V1_REKEYED_GRACE_MS later,
 * once the peer has had time to move its traffic to the new one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "ike_int.h"
#include "prop_v1.h"

/* How long a replaced pair stays after its rekey: the peer installs the
 * new pair a round trip after us and keeps sending on the old until then. */
#define V1_REKEYED_GRACE_MS 30000

/* A rekey that did not come about is tried again this much later, while
 * the pair's lifetime lasts. */
#define V1_REKEY_RETRY_MS 30000

/* Quick Mode exchanges in flight on one ISAKMP SA: more is a peer
 * flooding us. */
#define V1_QM_MAX 8

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static void
qm_free(struct v1_qm *q)
{
	if (!q)
		return;
	secret_free(q->ni);
	secret_free(q->nr);
	secret_free(q->gxy);
	dh_free(q->dh);
	free(q->msg);
	OPENSSL_cleanse(&q->iv, sizeof(q->iv));
	free(q);
}

void
v1_quick_free_all(struct v1_state *v)
{
	struct v1_qm *q;

	while ((q = v->qm)) {
		v->qm = q->next;
		qm_free(q);
	}
	v->n_qm = 0;
}

static struct v1_qm *
qm_find(const struct ike_sa *sa, uint32_t mid)
{
	struct v1_qm *q;

	for (q = sa->v1.qm; q; q = q->next)
		if (q->mid == mid)
			return q;
	return NULL;
}

static void
qm_remove(struct ike_sa *sa, struct v1_qm *q)
{
	struct v1_qm **pp;

	for (pp = &sa->v1.qm; *pp; pp = &(*pp)->next)
		if (*pp == q) {
			*pp = q->next;
			sa->v1.n_qm--;
			break;
		}
	qm_free(q);
}

static struct child_sa *
child_by_id(const struct ike_sa *sa, unsigned id)
{
	struct child_sa *c;

	for (c = sa->children; c; c = c->next)
		if (c->id == id)
			return c;
	return NULL;
}

/* A child that did not come up: its SPI released, the host told. */
/* The pair c renews: on this SA, or on the ISAKMP SA this one replaces. */
static struct child_sa *
replaced(struct ike_engine *e, struct ike_sa *sa, const struct child_sa *c)
{
	struct ike_sa *o;

	if (!c->replaces)
		return NULL;
	if (!c->replaces_sa)
		return child_by_id(sa, c->replaces);
	o = sa_by_id(e, c->replaces_sa);
	return o && o->state != IKE_SA_DEAD ? child_by_id(o, c->replaces)
					    : NULL;
}

void
v1_quick_retry(struct ike_engine *e, struct ike_sa *sa, struct child_sa *old)
{
	if (!old || !old->installed || old->superseded || old->rekey_at)
		return;
	old->rekey_at = e->now + V1_REKEY_RETRY_MS;
	ike_log(e, sa, IKE_LOG_INFO, "rekeying CHILD SA #%u again in %u s",
		old->id, V1_REKEY_RETRY_MS / 1000);
	sa_schedule(e, sa);
}

static void
child_failed(struct ike_engine *e, struct ike_sa *sa, unsigned id,
	     const char *reason)
{
	struct child_sa *c = child_by_id(sa, id), *old;

	if (!c)
		return;
	if (sa->initiator || c->creating)
		ike_emit(e, sa, IKE_EV_FAILED, c, reason);
	if (c->replaces && !c->replaces_sa)
		v1_quick_retry(e, sa, child_by_id(sa, c->replaces));
	else if (c->replaces && (old = replaced(e, sa, c)))
		old->superseded = true; /* goes with its ISAKMP SA */
	child_uninstall(e, sa, c);
	child_unlink(sa, c);
	child_free(c);
}

/* The lifetime a child offers and accepts: a little above its rekey
 * time, so that the rekey comes first; without one, RFC 2407's default. */
static uint32_t
child_life_s(const struct ike_child_cfg *cc)
{
	uint64_t s = cc->rekey_ms / 1000;

	if (!cc->rekey_ms)
		return PROP_V1_LIFE_DEFAULT_S;
	s += s / 10;
	return s > UINT32_MAX ? UINT32_MAX : (s ? (uint32_t)s : 1);
}

/* When a new pair is rekeyed: whoever started the Quick Mode at its
 * rekey time (and before the lifetime ends), the other side only if the
 * first did not, just before the end. */
static uint64_t
rekey_in_ms(const struct ike_child_cfg *cc, uint32_t life_s, bool started)
{
	uint64_t life = (uint64_t)life_s * 1000;

	if (!started)
		return life - life / 20;
	if (cc->rekey_ms && cc->rekey_ms < life - life / 10)
		return cc->rekey_ms;
	return life - life / 10;
}

/* The mode a child offers and accepts: UDP-encapsulated once natt found
 * a NAT (or was told to encapsulate) on the ISAKMP SA, in the numbering
 * of the NAT-T variant the peer speaks (RFC 3947 5.2; the drafts' private
 * values for a draft peer). */
static void
p2_cfg(const struct ike_sa *sa, const struct ike_child_cfg *cc,
       struct prop_v1_p2_cfg *cfg, const uint8_t *spi)
{
	memset(cfg, 0, sizeof(*cfg));
	if (sa->v1.encap != IKE_V1_ENCAP_NONE) {
		cfg->encap = cc->transport
				 ? IKEV1_ENCAP_UDP_ENCAPSULATED_TRANSPORT
				 : IKEV1_ENCAP_UDP_ENCAPSULATED_TUNNEL;
		cfg->draft_encap = sa->v1.encap == IKE_V1_ENCAP_DRAFT;
	} else {
		cfg->encap =
		    cc->transport ? IKEV1_ENCAP_TRANSPORT : IKEV1_ENCAP_TUNNEL;
	}
	cfg->life_s = child_life_s(cc);
	cfg->spi = spi;
}

/* The group PFS uses: the first one our proposals name (one KE goes in
 * message 1, so the rest must agree or go unchosen). */
static uint16_t
pfs_group(const struct proposal *p, size_t n)
{
	const struct transform *t;
	size_t i;

	for (i = 0; i < n; i++)
		if ((t = prop_xf_first(&p[i], IKEV2_TRANS_DH)) && t->id)
			return t->id;
	return 0;
}

static int
new_mid(struct ike_engine *e, const struct ike_sa *sa, uint32_t *mid)
{
	do {
		if (ike_random(e, mid, sizeof(*mid)) < 0)
			return -1;
	} while (!*mid || qm_find(sa, *mid));
	return 0;
}

/* A HASH payload to fill once the rest of the message is known:
 * returns the offset of its data in e->out. */
static size_t
hash_placeholder(struct ike_sa *sa, struct msg_builder *b)
{
	uint8_t zero[V1_HASH_MAX] = {0};
	struct pld_v1_data h = {{zero, sa->v1.suite.prf->out_len}};
	size_t at = b->w.len + IKEV1_GEN_HDR_LEN;

	pld_v1_hash_put(b, &h);
	return at;
}

/* What follows the HASH payload of a framed message, padding excluded:
 * what HASH(1) and HASH(2) cover. */
static struct bytes
after_hash(const struct msg_v1 *m)
{
	const struct pld_ref *h = &m->pl[0], *last = &m->pl[m->n - 1];
	const uint8_t *from = h->body.ptr + h->body.len;

	return (struct bytes){from,
			      (size_t)(last->body.ptr + last->body.len - from)};
}

/* Decrypt a Quick Mode message with the exchange's IV (advanced only if
 * it decrypts) and check that it starts with a HASH; the HASH's data. */
static int
open_hashed(struct ike_engine *e, struct ike_sa *sa, struct msg_v1 *m,
	    struct v1_iv *iv, struct pld_v1_data *hash)
{
	struct ike_err err = {0};

	if (v1_open_iv(e, sa, m, iv, &err) < 0 || m->n == 0 ||
	    m->pl[0].type != IKEV1_PL_HASH ||
	    pld_v1_hash_get(&m->pl[0], hash, &err) < 0)
		return -1;
	return 0;
}

static int
put_ids(struct ike_engine *e, struct ike_sa *sa, struct msg_builder *b,
	const struct ts *ti, const struct ts *tr)
{
	uint8_t bi[V1_TS_ID_MAX], br[V1_TS_ID_MAX];
	struct pld_v1_id idi, idr;

	if (v1_ts_to_id(ti, &idi, bi) < 0 || v1_ts_to_id(tr, &idr, br) < 0) {
		ike_log(e, sa, IKE_LOG_ERROR,
			"a traffic selector with a port range has no IKEv1 "
			"form (one port or all of them)");
		return -1;
	}
	pld_v1_id_put(b, &idi);
	pld_v1_id_put(b, &idr);
	return 0;
}

static void
put_ke(struct msg_builder *b, struct dh *dh, uint16_t group, int *rc)
{
	uint8_t pub[1024];
	size_t n = dh_public_len(group);
	struct pld_v1_data ke;

	if (!n || n > sizeof(pub) || dh_public(dh, pub, n) < 0) {
		*rc = -1;
		return;
	}
	ke.data = (struct bytes){pub, n};
	pld_v1_ke_put(b, &ke);
}

/* The peer's KE in m for group, and g^xy from it. */
static int
take_ke(struct ike_engine *e, struct ike_sa *sa, const struct msg_v1 *m,
	struct v1_qm *q, uint16_t group)
{
	const struct pld_ref *r = msg_v1_find(m, IKEV1_PL_KE, NULL);
	struct pld_v1_data ke;
	struct ike_err err = {0};

	if (!r || pld_v1_ke_get(r, &ke, &err) < 0 ||
	    ke.data.len != dh_public_len(group) ||
	    dh_shared(q->dh, ke.data.ptr, ke.data.len, &q->gxy) < 0) {
		ike_log(e, sa, IKE_LOG_WARN,
			"Quick Mode with PFS: the peer's KE for group %u is "
			"missing or invalid",
			group);
		return -1;
	}
	return 0;
}

static struct secret *
take_nonce(const struct msg_v1 *m)
{
	const struct pld_ref *r = msg_v1_find(m, IKEV1_PL_NONCE, NULL);
	struct pld_v1_data n;
	struct ike_err err = {0};

	if (!r || pld_v1_nonce_get(r, &n, &err) < 0)
		return NULL;
	return secret_dup(n.data.ptr, n.data.len);
}

/* The two ID payloads of m as selectors: 1 if there are none, 0 if both
 * were read, -1 if they are not two address IDs. */
static int
take_ids(const struct msg_v1 *m, struct ts *ti, struct ts *tr)
{
	const struct pld_ref *ri = msg_v1_find(m, IKEV1_PL_ID, NULL);
	const struct pld_ref *rr = ri ? msg_v1_find(m, IKEV1_PL_ID, ri) : NULL;
	struct pld_v1_id idi, idr;
	struct ike_err err = {0};

	if (!ri)
		return 1;
	if (!rr || msg_v1_find(m, IKEV1_PL_ID, rr) ||
	    pld_v1_id_get(ri, &idi, &err) < 0 ||
	    pld_v1_id_get(rr, &idr, &err) < 0 || v1_id_to_ts(&idi, ti) < 0 ||
	    v1_id_to_ts(&idr, tr) < 0)
		return -1;
	return 0;
}

/* Without IDs, Quick Mode is between the ISAKMP SA's own addresses
 * (RFC 2409 5.5). */
static void
host_ts(const struct ike_endpoint *ep, struct ts *t)
{
	struct pld_ts one;

	ts_from_cfg(NULL, 0, ep, &one);
	*t = one.ts[0];
}

/* The encryption and integrity the chosen transform names, on the
 * child; the key lengths KEYMAT is cut into. */
static int
take_algs(struct ike_engine *e, struct ike_sa *sa, struct child_sa *c,
	  const struct proposal *p, size_t *encr_len, size_t *integ_len)
{
	const struct transform *encr = prop_xf_first(p, IKEV2_TRANS_ENCR);
	const struct transform *integ = prop_xf_first(p, IKEV2_TRANS_INTEG);
	const struct transform *esn = prop_xf_first(p, IKEV2_TRANS_ESN);
	const struct encr_alg *ea =
	    encr ? crypto_encr(encr->id, encr->key_bits) : NULL;
	const struct integ_alg *ia =
	    integ && integ->id ? crypto_integ(integ->id) : NULL;

	if (!ea || (!ea->aead && !ia)) {
		ike_log(e, sa, IKE_LOG_ERROR,
			"negotiated ESP algorithms are not implemented");
		return -1;
	}
	c->encr = encr->id;
	c->encr_bits = encr->key_bits;
	c->integ = ia ? ia->id : 0;
	c->esn = esn && esn->id == IKEV2_ESN_YES;
	*encr_len = ea->key_len;
	*integ_len = ia ? ia->key_len : 0;
	return 0;
}

/*
 * Both sides rekeyed old at once: two new pairs where one will do. Both
 * keep the one whose Quick Mode the ISAKMP SA's initiator started (each
 * side knows who that is) and retire the other as a replaced pair.
 */
static void
crossed(struct ike_engine *e, struct ike_sa *sa, const struct v1_qm *q,
	struct child_sa *c, const struct child_sa *old)
{
	struct child_sa *twin, *loser;

	for (twin = sa->children; twin; twin = twin->next)
		if (twin != c && twin->replaces == old->id && twin->installed &&
		    !twin->superseded)
			break;
	if (!twin)
		return;
	loser = q->initiator == sa->initiator ? twin : c;
	ike_log(e, sa, IKE_LOG_INFO,
		"CHILD SA #%u was rekeyed by both sides at once: keeping #%u, "
		"retiring #%u",
		old->id, loser == c ? twin->id : c->id, loser->id);
	loser->superseded = true;
	loser->rekey_at = e->now + V1_REKEYED_GRACE_MS;
}

/* KEYMAT for both directions and the install; the old pair of a rekey
 * is retired. */
static int
install(struct ike_engine *e, struct ike_sa *sa, struct v1_qm *q,
	struct child_sa *c, const struct proposal *chosen, uint32_t life_s)
{
	const struct ike_child_cfg *cc = &ike_conn(e, sa)->children[c->cfg];
	uint8_t spi_in[4], spi_out[4];
	struct child_keys keys = {0};
	size_t elen, ilen;
	struct child_sa *old;
	int rc;

	if (take_algs(e, sa, c, chosen, &elen, &ilen) < 0)
		return -1;
	spi4_put(spi_in, c->spi_in);
	spi4_put(spi_out, c->spi_out);
	/* spi_i is the Quick Mode initiator's inbound SPI. */
	if (keymat_v1_child(
		sa->v1.suite.prf, sa->v1.keys.skeyid_d, q->gxy,
		IKEV1_PROTO_IPSEC_ESP, q->initiator ? spi_in : spi_out,
		q->initiator ? spi_out : spi_in,
		(struct bytes){q->ni->ptr, q->ni->len},
		(struct bytes){q->nr->ptr, q->nr->len}, elen, ilen, &keys) < 0)
		return -1;
	c->creating = false;
	rc = child_install_keyed(e, sa, c, &keys, q->initiator,
				 rekey_in_ms(cc, life_s, q->initiator));
	child_keys_clear(&keys);
	if (rc < 0)
		return -1;
	ike_log(e, sa, IKE_LOG_INFO,
		"Quick Mode done: CHILD SA '%s' (%s mode, lifetime %u s%s)",
		cc->name, cc->transport ? "transport" : "tunnel", life_s,
		q->gxy ? ", PFS" : "");
	if (c->replaces_sa) {
		/* Renewed for a replaced ISAKMP SA: the old pair goes with
		 * it (v1_rekey.c). */
		if ((old = replaced(e, sa, c)))
			old->superseded = true;
	} else if (c->replaces && (old = child_by_id(sa, c->replaces)) &&
		   old->installed) {
		if (old->superseded)
			crossed(e, sa, q, c, old);
		old->superseded = true;
		old->rekey_at = e->now + V1_REKEYED_GRACE_MS;
		ike_emit_rekeyed(e, sa, c, old->id);
	}
	sa_schedule(e, sa);
	return 0;
}

/* --- initiator ------------------------------------------------------- */

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
	uint16_t group = pfs_group(cc->proposals, cc->n_proposals);
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
	if (child_alloc_spi(e, sa, c) < 0 || new_mid(e, sa, &q->mid) < 0 ||
	    !(q->ni = secret_new(IKE_NONCE_LEN)) ||
	    ike_random(e, q->ni->ptr, q->ni->len) < 0 ||
	    (group && !(q->dh = ike_dh_new(e, group))) ||
	    v1_iv_phase2(&sa->v1.suite, &sa->v1.iv, q->mid, &q->iv) < 0)
		goto fail;
	q->initiator = true;
	q->child = c->id;
	spi4_put(spi, c->spi_in);
	p2_cfg(sa, cc, &pc, spi);
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
	hash_at = hash_placeholder(sa, &b);
	rest_at = b.w.len;
	pld_v1_sa_put(&b, &out->sa);
	nonce.data = (struct bytes){q->ni->ptr, q->ni->len};
	pld_v1_nonce_put(&b, &nonce);
	rc = 0;
	if (q->dh)
		put_ke(&b, q->dh, group, &rc);
	if (rc == 0 && put_ids(e, sa, &b, &ti.ts[0], &tr.ts[0]) < 0)
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

/* Does the answer's selector equal what we asked for? (No narrowing in
 * IKEv1: the responder echoes ours or refuses.) */
static bool
same_ts(const struct ts *a, const struct ts *b)
{
	return a->type == b->type && a->proto == b->proto &&
	       a->sport == b->sport && a->eport == b->eport &&
	       memcmp(a->saddr, b->saddr, sizeof(a->saddr)) == 0 &&
	       memcmp(a->eaddr, b->eaddr, sizeof(a->eaddr)) == 0;
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
	p2_cfg(sa, cc, &pc, NULL);
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
	if (!(q->nr = take_nonce(m))) {
		ike_log(e, sa, IKE_LOG_WARN, "Quick Mode answer has no nonce");
		goto out;
	}
	dh = prop_xf_first(&ch.chosen, IKEV2_TRANS_DH);
	if ((dh && dh->id) != (q->dh != NULL) ||
	    (q->dh && dh->id != pfs_group(cc->proposals, cc->n_proposals))) {
		ike_log(e, sa, IKE_LOG_WARN,
			"Quick Mode answer for '%s' chose a PFS group other "
			"than the one of our KE",
			cc->name);
		goto out;
	}
	if (q->dh && take_ke(e, sa, m, q, dh->id) < 0)
		goto out;
	v1_natoa_log(e, sa, m);
	ids = take_ids(m, &ti, &tr);
	if (replaced(e, sa, c)) {
		const struct child_sa *old = replaced(e, sa, c);

		want_i.n = want_r.n = 1;
		want_i.ts[0] = old->local_ts[0];
		want_r.ts[0] = old->remote_ts[0];
	} else {
		ts_from_cfg(cc->local_ts, cc->n_local_ts, &sa->local, &want_i);
		ts_from_cfg(cc->remote_ts, cc->n_remote_ts, &sa->remote,
			    &want_r);
	}
	if (ids < 0 || (ids == 0 && (!same_ts(&ti, &want_i.ts[0]) ||
				     !same_ts(&tr, &want_r.ts[0])))) {
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
	rc = install(e, sa, q, c, &ch.chosen, ch.life_s);
out:
	free(ans);
	free(list);
	return rc;
}

static void
complete(struct ike_engine *e, struct ike_sa *sa, struct v1_qm *q,
	 struct msg_v1 *m)
{
	struct child_sa *c = child_by_id(sa, q->child);
	struct v1_iv iv = q->iv;
	struct pld_v1_data hash;
	uint8_t want[V1_HASH_MAX], mac[V1_HASH_MAX];
	struct msg_builder b;
	struct ike_hdr h;
	struct pld_v1_data h3;
	size_t len;

	if (open_hashed(e, sa, m, &iv, &hash) < 0 ||
	    keymat_v1_hash2(sa->v1.suite.prf, sa->v1.keys.skeyid_a, q->mid,
			    (struct bytes){q->ni->ptr, q->ni->len},
			    after_hash(m), want) < 0 ||
	    !keymat_v1_hash_equal(want, sa->v1.suite.prf->out_len, hash.data)) {
		ike_drop(e, sa, IKE_DROP_ICV,
			 "Quick Mode message 2 whose HASH(2) does not verify; "
			 "dropped");
		return;
	}
	q->iv = iv;
	xchg_request_done(e, sa);
	if (!c || complete_checked(e, sa, q, c, m) < 0) {
		child_failed(e, sa, q->child, "Quick Mode failed");
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

/* --- responder ------------------------------------------------------- */

static bool
ts_inside(const struct ts *t, const struct pld_ts *allowed)
{
	struct pld_ts one = {1, {*t}}, meet;

	return ts_narrow(&one, allowed, &meet) == 0 && meet.n == 1 &&
	       same_ts(&meet.ts[0], t);
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

		p2_cfg(sa, cc, &pc, NULL);
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
		    same_ts(&c->local_ts[0], local) &&
		    same_ts(&c->remote_ts[0], remote))
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
	    !(q->ni = take_nonce(m)) || (ids = take_ids(m, &ti, &tresp)) < 0) {
		ike_log(e, sa, IKE_LOG_WARN,
			"Quick Mode message 1 without a valid SA, nonce or ID "
			"pair; refused");
		goto out;
	}
	if (ids == 1) {
		host_ts(&sa->remote, &ti);
		host_ts(&sa->local, &tresp);
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
	     take_ke(e, sa, m, q, dh->id) < 0))
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
	hash_at = hash_placeholder(sa, &b);
	rest_at = b.w.len;
	pld_v1_sa_put(&b, &out->sa);
	nonce.data = (struct bytes){q->nr->ptr, q->nr->len};
	pld_v1_nonce_put(&b, &nonce);
	if (q->dh)
		put_ke(&b, q->dh, dh->id, &rc);
	if (ids == 0 && put_ids(e, sa, &b, &ti, &tresp) < 0)
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

/* The peer hears why, in a protected Informational (RFC 2409 5.7). */
static void
refuse(struct ike_engine *e, struct ike_sa *sa, uint16_t notify)
{
	v1_info_notify(e, sa, notify, IKEV1_PROTO_IPSEC_ESP, NULL, 0,
		       (struct bytes){NULL, 0});
}

static void
respond(struct ike_engine *e, struct ike_sa *sa, uint64_t now, struct msg_v1 *m)
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
	    open_hashed(e, sa, m, &q->iv, &hash) < 0 ||
	    keymat_v1_hash1(sa->v1.suite.prf, sa->v1.keys.skeyid_a, q->mid,
			    after_hash(m), want) < 0 ||
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
static void
finish(struct ike_engine *e, struct ike_sa *sa, struct v1_qm *q,
       struct msg_v1 *m)
{
	struct child_sa *c = child_by_id(sa, q->child);
	uint8_t hash_rq[IKE_REQ_HASH_LEN], want[V1_HASH_MAX];
	struct v1_iv iv = q->iv;
	struct pld_v1_data hash;

	guard_request_hash(e, m->raw, hash_rq);
	if (bytes_equal_ct(hash_rq, q->req_hash, sizeof(hash_rq))) {
		if (q->msg)
			xchg_send_back(e, sa, q->msg, q->len, false);
		return;
	}
	if (open_hashed(e, sa, m, &iv, &hash) < 0 || m->n != 1 ||
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
	if (!c || (c->peer_gone && c->peer_gone == c->spi_out) ||
	    install(e, sa, q, c, &q->chosen, q->life_s) < 0)
		child_failed(e, sa, q->child, "Quick Mode failed");
	sa->v1.done_mid[sa->v1.done_next++ % NELEM(sa->v1.done_mid)] = q->mid;
	qm_remove(sa, q);
}

void
v1_quick_input(struct ike_engine *e, struct ike_sa *sa, uint64_t now,
	       struct msg_v1 *m)
{
	struct v1_qm *q;

	if (sa->state != IKE_SA_ESTABLISHED || !m->encrypted || !m->hdr.msgid) {
		ike_drop(e, sa, IKE_DROP_STATE,
			 "Quick Mode message on an ISAKMP SA that is not "
			 "established, in the clear or without a message ID; "
			 "dropped");
		return;
	}
	q = qm_find(sa, m->hdr.msgid);
	if (!q)
		respond(e, sa, now, m);
	else if (q->initiator)
		complete(e, sa, q, m);
	else
		finish(e, sa, q, m);
}

/* Responders resend message 2 until message 3 comes, on the engine's
 * back-off; after the last try the exchange and its child go. */
uint64_t
v1_quick_timers(struct ike_engine *e, struct ike_sa *sa, uint64_t now)
{
	struct v1_qm *q, *next;
	uint64_t soonest = UINT64_MAX;
	double wait;
	unsigned i;

	if (sa->state == IKE_SA_DEAD)
		return UINT64_MAX;
	for (q = sa->v1.qm; q; q = next) {
		next = q->next;
		if (q->initiator || !q->deadline)
			continue;
		if (now >= q->deadline) {
			if (q->tries >= e->rt_tries || !q->msg) {
				ike_log(e, sa, IKE_LOG_WARN,
					"Quick Mode %08x: the peer never sent "
					"message 3; CHILD SA not created",
					q->mid);
				child_failed(e, sa, q->child,
					     "no Quick Mode message 3");
				qm_remove(sa, q);
				continue;
			}
			q->tries++;
			wait = (double)e->rt_timeout;
			for (i = 0; i < q->tries; i++)
				wait *= e->rt_base;
			q->deadline = now + (uint64_t)wait;
			ike_log(e, sa, IKE_LOG_DEBUG,
				"resending Quick Mode %08x message 2 (%u)",
				q->mid, q->tries);
			xchg_transmit(e, &sa->local, &sa->remote, q->msg,
				      q->len, false);
		}
		if (q->deadline < soonest)
			soonest = q->deadline;
	}
	return soonest;
}

void
v1_quick_refused(struct ike_engine *e, struct ike_sa *sa,
		 const struct pld_v1_notify *n)
{
	struct v1_qm *q;
	struct child_sa *c;
	char why[96];

	for (q = sa->v1.qm; q; q = q->next) {
		if (!q->initiator || !(c = child_by_id(sa, q->child)))
			continue;
		if (n->spi.len == 4 && spi4_get(n->spi.ptr) != c->spi_in)
			continue;
		if (n->spi.len != 0 && n->spi.len != 4)
			continue;
		ike_log(e, sa, IKE_LOG_WARN,
			"peer refused Quick Mode %08x for CHILD SA '%s' (%s)",
			q->mid, ike_conn(e, sa)->children[c->cfg].name,
			msg_v1_notify_name(n->type));
		snprintf(why, sizeof(why), "peer refused it (%s)",
			 msg_v1_notify_name(n->type));
		if (sa->req.msg && sa->req.msgid == q->mid)
			xchg_request_done(e, sa);
		child_failed(e, sa, q->child, why);
		qm_remove(sa, q);
		return;
	}
}
