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
 *
 * This file has what both roles share (the exchanges in flight, the
 * payloads, the HASHes, the install) and the input; v1_quick_init.c is
 * the initiator, v1_quick_resp.c the responder.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "ike_int.h"
#include "prop_v1.h"
#include "v1_quick.h"

/* How long a replaced pair stays after its rekey: the peer installs the
 * new pair a round trip after us and keeps sending on the old until then. */
#define V1_REKEYED_GRACE_MS 30000

/* A rekey that did not come about is tried again this much later, while
 * the pair's lifetime lasts. */
#define V1_REKEY_RETRY_MS 30000

void
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

struct v1_qm *
qm_find(const struct ike_sa *sa, uint32_t mid)
{
	struct v1_qm *q;

	for (q = sa->v1.qm; q; q = q->next)
		if (q->mid == mid)
			return q;
	return NULL;
}

void
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

struct child_sa *
qm_child(const struct ike_sa *sa, unsigned id)
{
	struct child_sa *c;

	for (c = sa->children; c; c = c->next)
		if (c->id == id)
			return c;
	return NULL;
}

/* A child that did not come up: its SPI released, the host told. */
/* The pair c renews: on this SA, or on the ISAKMP SA this one replaces. */
struct child_sa *
qm_replaced(struct ike_engine *e, struct ike_sa *sa, const struct child_sa *c)
{
	struct ike_sa *o;

	if (!c->replaces)
		return NULL;
	if (!c->replaces_sa)
		return qm_child(sa, c->replaces);
	o = sa_by_id(e, c->replaces_sa);
	return o && o->state != IKE_SA_DEAD ? qm_child(o, c->replaces) : NULL;
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

void
qm_child_failed(struct ike_engine *e, struct ike_sa *sa, unsigned id,
		const char *reason)
{
	struct child_sa *c = qm_child(sa, id), *old;

	if (!c)
		return;
	if (sa->initiator || c->creating)
		ike_emit(e, sa, IKE_EV_FAILED, c, reason);
	if (c->replaces && !c->replaces_sa)
		v1_quick_retry(e, sa, qm_child(sa, c->replaces));
	else if (c->replaces && (old = qm_replaced(e, sa, c)))
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
void
qm_p2_cfg(const struct ike_sa *sa, const struct ike_child_cfg *cc,
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
uint16_t
qm_pfs_group(const struct proposal *p, size_t n)
{
	const struct transform *t;
	size_t i;

	for (i = 0; i < n; i++)
		if ((t = prop_xf_first(&p[i], IKEV2_TRANS_DH)) && t->id)
			return t->id;
	return 0;
}

int
qm_new_mid(struct ike_engine *e, const struct ike_sa *sa, uint32_t *mid)
{
	do {
		if (ike_random(e, mid, sizeof(*mid)) < 0)
			return -1;
	} while (!*mid || qm_find(sa, *mid));
	return 0;
}

/* A HASH payload to fill once the rest of the message is known:
 * returns the offset of its data in e->out. */
size_t
qm_hash_placeholder(struct ike_sa *sa, struct msg_builder *b)
{
	uint8_t zero[V1_HASH_MAX] = {0};
	struct pld_v1_data h = {{zero, sa->v1.suite.prf->out_len}};
	size_t at = b->w.len + IKEV1_GEN_HDR_LEN;

	pld_v1_hash_put(b, &h);
	return at;
}

/* What follows the HASH payload of a framed message, padding excluded:
 * what HASH(1) and HASH(2) cover. */
struct bytes
qm_after_hash(const struct msg_v1 *m)
{
	const struct pld_ref *h = &m->pl[0], *last = &m->pl[m->n - 1];
	const uint8_t *from = h->body.ptr + h->body.len;

	return (struct bytes){from,
			      (size_t)(last->body.ptr + last->body.len - from)};
}

/* Decrypt a Quick Mode message with the exchange's IV (advanced only if
 * it decrypts) and check that it starts with a HASH; the HASH's data. */
int
qm_open_hashed(struct ike_engine *e, struct ike_sa *sa, struct msg_v1 *m,
	       struct v1_iv *iv, struct pld_v1_data *hash)
{
	struct ike_err err = {0};

	if (v1_open_iv(e, sa, m, iv, &err) < 0 || m->n == 0 ||
	    m->pl[0].type != IKEV1_PL_HASH ||
	    pld_v1_hash_get(&m->pl[0], hash, &err) < 0)
		return -1;
	return 0;
}

int
qm_put_ids(struct ike_engine *e, struct ike_sa *sa, struct msg_builder *b,
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

void
qm_put_ke(struct msg_builder *b, struct dh *dh, uint16_t group, int *rc)
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
int
qm_take_ke(struct ike_engine *e, struct ike_sa *sa, const struct msg_v1 *m,
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

struct secret *
qm_take_nonce(const struct msg_v1 *m)
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
int
qm_take_ids(const struct msg_v1 *m, struct ts *ti, struct ts *tr)
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
void
qm_host_ts(const struct ike_endpoint *ep, struct ts *t)
{
	struct pld_ts one;

	ts_from_cfg(NULL, 0, ep, &one);
	*t = one.ts[0];
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
int
qm_install(struct ike_engine *e, struct ike_sa *sa, struct v1_qm *q,
	   struct child_sa *c, const struct proposal *chosen, uint32_t life_s)
{
	const struct ike_child_cfg *cc = &ike_conn(e, sa)->children[c->cfg];
	uint8_t spi_in[4], spi_out[4];
	struct child_keys keys = {0};
	size_t elen, ilen;
	struct child_sa *old;
	int rc;

	if (child_take_algs(e, sa, c, chosen, &elen, &ilen) < 0)
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
		if ((old = qm_replaced(e, sa, c)))
			old->superseded = true;
	} else if (c->replaces && (old = qm_child(sa, c->replaces)) &&
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

/* Does the answer's selector equal what we asked for? (No narrowing in
 * IKEv1: the responder echoes ours or refuses.) */
bool
qm_same_ts(const struct ts *a, const struct ts *b)
{
	return a->type == b->type && a->proto == b->proto &&
	       a->sport == b->sport && a->eport == b->eport &&
	       memcmp(a->saddr, b->saddr, sizeof(a->saddr)) == 0 &&
	       memcmp(a->eaddr, b->eaddr, sizeof(a->eaddr)) == 0;
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
		qm_respond(e, sa, now, m);
	else if (q->initiator)
		qm_complete(e, sa, q, m);
	else
		qm_finish(e, sa, q, m);
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
				qm_child_failed(e, sa, q->child,
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
		if (!q->initiator || !(c = qm_child(sa, q->child)))
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
		qm_child_failed(e, sa, q->child, why);
		qm_remove(sa, q);
		return;
	}
}
