/* SPDX-License-Identifier: ISC */
/*
 * The ISAKMP SA payloads of Main Mode and Aggressive Mode (RFC 2409 5,
 * RFC 2408 4.2; in Aggressive Mode of one group, the KE's): our
 * offer, the responder's choice echoed, and the initiator's check of that
 * answer; all of it through prop_v1.c, which turns SA payloads into
 * proposals and chooses among them. What this file adds is the engine's
 * part: the connection's settings, the log lines, and the phase 1 suite
 * the chosen transform gives.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike_int.h"
#include "prop_v1.h"

/* One authentication method, the one our credentials take (v1_sig.c):
 * IKEv1 has one for both ends, so the responder accepts no other. */
static void
p1_cfg(const struct ike_conn_cfg *c, const uint16_t *auth,
       struct prop_v1_p1_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->auth = auth;
	cfg->n_auth = 1;
	/* The ISAKMP SA lives as long as the connection rekeys it; without
	 * a rekey time, the common 8 hours. */
	cfg->life_s = c->rekey_ms ? (uint32_t)(c->rekey_ms / 1000)
				  : PROP_V1_LIFE_DEFAULT_S;
	if (!cfg->life_s)
		cfg->life_s = 1;
}

/* The suite, group and lifetime of the chosen transform, on the SA. */
static int
take_choice(struct ike_engine *e, struct ike_sa *sa,
	    const struct prop_v1_choice *ch)
{
	const struct transform *enc =
	    prop_xf_first(&ch->chosen, IKEV2_TRANS_ENCR);
	const struct transform *integ =
	    prop_xf_first(&ch->chosen, IKEV2_TRANS_INTEG);
	const struct transform *dh = prop_xf_first(&ch->chosen, IKEV2_TRANS_DH);
	char txt[160];

	if (!enc || !integ || !dh || ch->chosen.v1.auth_method != sa->v1.auth ||
	    keymat_v1_suite(prop_v1_id(enc, IKEV2_PROTO_IKE), enc->key_bits,
			    prop_v1_id(integ, IKEV2_PROTO_IKE), 0,
			    &sa->v1.suite) < 0) {
		prop_format(&ch->chosen, txt, sizeof(txt));
		ike_log(e, sa, IKE_LOG_ERROR,
			"chosen phase 1 transform %s is not implemented for "
			"Main Mode with %s",
			txt, v1_auth_text(sa->v1.auth));
		return -1;
	}
	if (ch->weak) {
		prop_format(&ch->chosen, txt, sizeof(txt));
		ike_log(e, sa, IKE_LOG_WARN,
			"phase 1 uses a weak algorithm: %s", txt);
	}
	sa->v1.dh_group = dh->id;
	sa->v1.life_s = ch->life_s;
	free(sa->ike_prop);
	sa->ike_prop = malloc(sizeof(*sa->ike_prop));
	if (!sa->ike_prop)
		return -1;
	*sa->ike_prop = ch->chosen;
	return 0;
}

/* The peer's methods, when none of its transforms has ours: the line an
 * admin needs, beside the list of everything that did not fit. */
static void
mismatch(struct ike_engine *e, const struct ike_sa *sa,
	 const struct prop_v1_list *list)
{
	uint16_t m[IKEV1_MAX_TRANSFORMS];
	size_t i;

	for (i = 0; i < list->n && i < IKEV1_MAX_TRANSFORMS; i++)
		m[i] = list->p[i].v1.auth_method;
	v1_auth_mismatch(e, sa, m, i, sa->v1.auth);
}

/* Aggressive Mode sends its KE with the offer, so every transform
 * offered must name the group of that KE: ours keep the first one's
 * group, which becomes the SA's. Returns how many are left. */
static int
keep_one_group(struct ike_sa *sa, struct proposal *xf, int n)
{
	const struct transform *dh = prop_xf_first(&xf[0], IKEV2_TRANS_DH);
	int i, k = 0;

	if (n < 1 || !dh)
		return -1;
	sa->v1.dh_group = dh->id;
	for (i = 0; i < n; i++) {
		const struct transform *t =
		    prop_xf_first(&xf[i], IKEV2_TRANS_DH);

		if (t && t->id == sa->v1.dh_group)
			xf[k++] = xf[i];
	}
	return k;
}

static int
offer(struct ike_engine *e, struct ike_sa *sa, struct msg_builder *b,
      bool one_group)
{
	const struct ike_conn_cfg *c = ike_conn(e, sa);
	struct proposal *xf = calloc(IKEV1_MAX_TRANSFORMS, sizeof(*xf));
	struct prop_v1_sa *out = calloc(1, sizeof(*out));
	struct prop_v1_p1_cfg cfg;
	char skipped[256] = "";
	int n, rc = -1;

	if (!xf || !out || !(sa->v1.auth = v1_auth_method(e, sa)))
		goto done;
	p1_cfg(c, &sa->v1.auth, &cfg);
	n = prop_v1_p1_expand(c->proposals, c->n_proposals, &cfg, xf,
			      IKEV1_MAX_TRANSFORMS, skipped, sizeof(skipped));
	if (n < 0) {
		ike_log(e, sa, IKE_LOG_ERROR,
			"connection '%s' has no proposal Main Mode can offer: "
			"%s",
			c->name, skipped);
		goto done;
	}
	if (skipped[0])
		ike_log(e, sa, IKE_LOG_INFO,
			"not offered in Main Mode (no IKEv1 number): %s",
			skipped);
	if (one_group) {
		int all = n;

		if ((n = keep_one_group(sa, xf, n)) < 1)
			goto done;
		if (n < all)
			ike_log(e, sa, IKE_LOG_INFO,
				"Aggressive Mode offers group %u alone (the "
				"first proposal's): its KE goes with the "
				"offer",
				sa->v1.dh_group);
	}
	if (prop_v1_encode(xf, (size_t)n, out) < 0) {
		ike_log(e, sa, IKE_LOG_ERROR,
			"connection '%s': too many phase 1 transforms for one "
			"SA payload",
			c->name);
		goto done;
	}
	pld_v1_sa_put(b, &out->sa);
	rc = 0;
done:
	free(xf);
	free(out);
	return rc;
}

int
v1_sa_offer(struct ike_engine *e, struct ike_sa *sa, struct msg_builder *b)
{
	return offer(e, sa, b, false);
}

int
v1_sa_offer_one_group(struct ike_engine *e, struct ike_sa *sa,
		      struct msg_builder *b)
{
	return offer(e, sa, b, true);
}

/* Aggressive Mode: the peer's KE came with its offer, so only a
 * transform whose group makes a KE of that length can be chosen. */
static void
only_ke_len(struct prop_v1_list *list, size_t ke_len)
{
	size_t i;

	for (i = 0; i < list->n; i++) {
		const struct transform *dh =
		    prop_xf_first(&list->p[i], IKEV2_TRANS_DH);

		if (list->why[i][0] || !dh || dh_public_len(dh->id) == ke_len)
			continue;
		snprintf(list->why[i], sizeof(list->why[i]),
			 "its group %u does not fit the %zu-byte KE payload",
			 dh->id, ke_len);
	}
}

static int
choose(struct ike_engine *e, struct ike_sa *sa, const struct pld_ref *r,
       struct msg_builder *b, size_t ke_len)
{
	const struct ike_conn_cfg *c = ike_conn(e, sa);
	struct pld_v1_sa *peer = calloc(1, sizeof(*peer));
	struct prop_v1_list *list = calloc(1, sizeof(*list));
	struct prop_v1_sa *out = calloc(1, sizeof(*out));
	struct prop_v1_p1_cfg cfg;
	struct prop_v1_choice ch;
	struct ike_err err = {0};
	char reason[512] = "";
	uint16_t notify = 0;
	bool chosen = false;
	int rc = -1;

	if (!peer || !list || !out || !(sa->v1.auth = v1_auth_method(e, sa)))
		goto done;
	p1_cfg(c, &sa->v1.auth, &cfg);
	if (pld_v1_sa_get(r, peer, &err) < 0) {
		ike_log(e, sa, IKE_LOG_WARN, "peer's SA payload: %s", err.msg);
		goto done;
	}
	if (prop_v1_p1_decode(peer, list, &notify, reason, sizeof(reason)) ==
	    0) {
		if (ke_len)
			only_ke_len(list, ke_len);
		chosen =
		    prop_v1_p1_select(c->proposals, c->n_proposals, &cfg, list,
				      &ch, reason, sizeof(reason)) == 0;
	}
	if (!chosen) {
		ike_log(e, sa, IKE_LOG_WARN, "%s %s", v1_mode(sa), reason);
		mismatch(e, sa, list);
		goto done;
	}
	if (take_choice(e, sa, &ch) < 0 ||
	    prop_v1_sa_echo(peer, list, &ch, NULL, out) < 0)
		goto done;
	pld_v1_sa_put(b, &out->sa);
	rc = 0;
done:
	free(peer);
	free(list);
	free(out);
	return rc;
}

int
v1_sa_choose(struct ike_engine *e, struct ike_sa *sa, const struct pld_ref *r,
	     struct msg_builder *b)
{
	return choose(e, sa, r, b, 0);
}

int
v1_sa_choose_ke(struct ike_engine *e, struct ike_sa *sa,
		const struct pld_ref *r, size_t ke_len, struct msg_builder *b)
{
	return choose(e, sa, r, b, ke_len);
}

int
v1_sa_chosen(struct ike_engine *e, struct ike_sa *sa, const struct pld_ref *r)
{
	const struct ike_conn_cfg *c = ike_conn(e, sa);
	struct pld_v1_sa *ans = calloc(1, sizeof(*ans));
	struct prop_v1_list *list = calloc(1, sizeof(*list));
	struct prop_v1_p1_cfg cfg;
	struct prop_v1_choice ch;
	struct ike_err err = {0};
	char reason[512] = "";
	uint16_t notify = 0;
	int rc = -1;

	if (!ans || !list)
		goto done;
	p1_cfg(c, &sa->v1.auth, &cfg);
	/* The answer must be one transform, and one we offered: select it
	 * against ours to know. */
	if (pld_v1_sa_get(r, ans, &err) < 0 ||
	    prop_v1_p1_decode(ans, list, &notify, reason, sizeof(reason)) < 0 ||
	    list->n != 1 ||
	    prop_v1_p1_select(c->proposals, c->n_proposals, &cfg, list, &ch,
			      reason, sizeof(reason)) < 0) {
		ike_log(e, sa, IKE_LOG_WARN,
			"Main Mode answer chose %s; dropped",
			list->n != 1 ? "not exactly one transform"
				     : "a transform we did not offer");
		goto done;
	}
	rc = take_choice(e, sa, &ch);
done:
	free(ans);
	free(list);
	return rc;
}
