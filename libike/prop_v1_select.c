/* SPDX-License-Identifier: ISC */
/*
 * The IKEv1 responder's choice among the peer's transforms (RFC 2409 5:
 * the responder picks; RFC 2408 4.2: it answers with the one chosen
 * transform exactly as offered), the lifetimes that follow from it
 * (RFC 2407 4.5.4), and the refusal text an admin reads.
 *
 * Order: ours first, the peer's within one of our proposals, as
 * prop_select() does for IKEv2 and strongSwan does for IKEv1. The admin's
 * order is what decides: a client that lists weaker suites first (Windows
 * puts 3DES variants late, but others differ) does not pull us down.
 */
#include <string.h>

#include "buf.h"
#include "prop_v1.h"

#define INTEG IKEV2_TRANS_INTEG

static bool
auth_ok(const struct prop_v1_p1_cfg *cfg, uint16_t method)
{
	size_t i;

	for (i = 0; i < cfg->n_auth; i++)
		if (cfg->auth[i] == method)
			return true;
	return false;
}

/* min(theirs, ours), where 0 on our side means no bound of ours. */
static uint32_t
cap(uint32_t theirs, uint32_t ours)
{
	return ours != 0 && theirs > ours ? ours : theirs;
}

static void
text_auth(struct tbuf *b, uint16_t method)
{
	const char *name = prop_v1_auth_name(method);

	if (name != NULL)
		tbuf_puts(b, name);
	else if (method == 0)
		tbuf_puts(b, "no auth method");
	else
		tbuf_printf(b, "auth method %u", method);
}

static void
text_encap(struct tbuf *b, uint16_t encap)
{
	const char *name = prop_v1_encap_name(encap);

	if (name != NULL)
		tbuf_puts(b, name);
	else if (encap == 0)
		tbuf_puts(b, "no mode");
	else
		tbuf_printf(b, "mode %u", encap);
}

/* "aes256-sha1-modp1024 (psk)", or "... (psk; no group)" when unusable. */
static void
text_theirs(struct tbuf *b, const struct prop_v1_list *l, bool p1)
{
	size_t i;

	if (l->n == 0)
		tbuf_puts(b, "nothing");
	for (i = 0; i < l->n; i++) {
		const struct proposal *p = &l->p[i];

		if (i > 0)
			tbuf_puts(b, ", ");
		if (p->n_xf > 0) {
			prop_text_list(b, p, 1);
			tbuf_puts(b, " (");
			if (p1)
				text_auth(b, p->v1.auth_method);
			else
				text_encap(b, p->v1.encap);
			if (l->why[i][0] != '\0')
				tbuf_puts(b, "; ");
		} else {
			tbuf_puts(b, "(");
		}
		tbuf_puts(b, l->why[i]);
		tbuf_puts(b, ")");
	}
}

static void
text_ours(struct tbuf *b, const struct proposal *ours, size_t n,
	  const struct prop_v1_p1_cfg *c1, const struct prop_v1_p2_cfg *c2)
{
	size_t i, k;

	if (n == 0)
		tbuf_puts(b, "nothing");
	for (i = 0; i < n; i++) {
		if (i > 0)
			tbuf_puts(b, ", ");
		prop_text_list(b, &ours[i], 1);
		tbuf_puts(b, " (");
		if (c1 != NULL)
			for (k = 0; k < c1->n_auth; k++) {
				if (k > 0)
					tbuf_puts(b, ", ");
				text_auth(b, c1->auth[k]);
			}
		else
			text_encap(b, c2->encap);
		tbuf_puts(b, ")");
	}
}

static int
refuse(const struct proposal *ours, size_t n_ours,
       const struct prop_v1_p1_cfg *c1, const struct prop_v1_p2_cfg *c2,
       const struct prop_v1_list *theirs, char *reason, size_t reason_len)
{
	struct tbuf b;

	tbuf_init(&b, reason, reason_len);
	tbuf_puts(&b, "no proposal chosen: peer offered ");
	text_theirs(&b, theirs, c1 != NULL);
	tbuf_puts(&b, "; we accept ");
	text_ours(&b, ours, n_ours, c1, c2);
	tbuf_finish(&b);
	return -1;
}

int
prop_v1_p1_select(const struct proposal *ours, size_t n_ours,
		  const struct prop_v1_p1_cfg *cfg,
		  const struct prop_v1_list *theirs, struct prop_v1_choice *c,
		  char *reason, size_t reason_len)
{
	struct proposal tmp;
	size_t i, j;

	if (reason != NULL && reason_len > 0)
		reason[0] = '\0';
	for (i = 0; i < n_ours; i++)
		for (j = 0; j < theirs->n; j++) {
			const struct proposal *t = &theirs->p[j];

			if (theirs->why[j][0] != '\0' ||
			    !auth_ok(cfg, t->v1.auth_method) ||
			    prop_select(&ours[i], 1, t, 1, &tmp, NULL, 0) < 0)
				continue;
			memset(c, 0, sizeof(*c));
			c->index = j;
			c->xf_num = theirs->xf_num[j];
			c->chosen = *t;
			/* Capped, never refused, never announced: phase 1
			 * has no RESPONDER-LIFETIME of its own. */
			c->life_s = cap(t->v1.life_s ? t->v1.life_s
						     : PROP_V1_LIFE_DEFAULT_S,
					cfg->life_s);
			c->life_kb = t->v1.life_kb != 0
					 ? cap(t->v1.life_kb, cfg->life_kb)
					 : cfg->life_kb;
			c->weak = prop_is_weak(t);
			return 0;
		}
	return refuse(ours, n_ours, cfg, NULL, theirs, reason, reason_len);
}

/*
 * HMAC-SHA2-256 in Quick Mode is one number for two truncations (alg.h):
 * the decoder says 128 bits, as RFC 4868 does; a proposal of ours that
 * names sha256_96 (and not sha256) takes that number as 96 bits.
 */
static void
sha256_96(const struct proposal *o, struct proposal *t)
{
	const struct transform full = {INTEG, 0, IKEV2_INTEG_HMAC_SHA2_256_128,
				       0};
	const struct transform trunc = {INTEG, 0, ALG_INTEG_HMAC_SHA2_256_96,
					0};
	bool has_full = false, has_trunc = false;
	size_t i;

	for (i = 0; i < prop_n_xf(o); i++) {
		has_full |= o->xf[i].type == INTEG && o->xf[i].id == full.id;
		has_trunc |= o->xf[i].type == INTEG && o->xf[i].id == trunc.id;
	}
	if (!has_trunc || has_full)
		return;
	for (i = 0; i < prop_n_xf(t); i++)
		if (t->xf[i].type == INTEG && t->xf[i].id == full.id)
			t->xf[i].id = trunc.id;
}

int
prop_v1_p2_select(const struct proposal *ours, size_t n_ours,
		  const struct prop_v1_p2_cfg *cfg,
		  const struct prop_v1_list *theirs, struct prop_v1_choice *c,
		  char *reason, size_t reason_len)
{
	struct proposal t, tmp;
	uint32_t life_s;
	size_t i, j;

	if (reason != NULL && reason_len > 0)
		reason[0] = '\0';
	for (i = 0; i < n_ours; i++)
		for (j = 0; j < theirs->n; j++) {
			t = theirs->p[j];
			if (theirs->why[j][0] != '\0' ||
			    (t.v1.encap != 0 &&
			     prop_v1_encap_std(t.v1.encap) != cfg->encap))
				continue;
			sha256_96(&ours[i], &t);
			if (prop_select(&ours[i], 1, &t, 1, &tmp, NULL, 0) < 0)
				continue;
			memset(c, 0, sizeof(*c));
			c->index = j;
			c->xf_num = theirs->xf_num[j];
			c->chosen = t;
			/* RFC 2407 4.5.4, third choice: accept and tell the
			 * initiator our shorter lifetime. */
			life_s =
			    t.v1.life_s ? t.v1.life_s : PROP_V1_LIFE_DEFAULT_S;
			c->life_s = cap(life_s, cfg->life_s);
			if (c->life_s != life_s)
				c->notify_life_s = c->life_s;
			c->life_kb = t.v1.life_kb != 0
					 ? cap(t.v1.life_kb, cfg->life_kb)
					 : cfg->life_kb;
			if (c->life_kb != t.v1.life_kb)
				c->notify_life_kb = c->life_kb;
			c->weak = prop_is_weak(&t);
			return 0;
		}
	return refuse(ours, n_ours, NULL, cfg, theirs, reason, reason_len);
}

int
prop_v1_sa_echo(const struct pld_v1_sa *peer, const struct prop_v1_list *theirs,
		const struct prop_v1_choice *c, const uint8_t *spi,
		struct prop_v1_sa *out)
{
	struct pld_v1_sa *sa = &out->sa;
	const struct v1_transform *x;
	unsigned pi, xi, k;

	memset(out, 0, sizeof(*out));
	if (c->index >= theirs->n)
		return -1;
	pi = theirs->sa_prop[c->index];
	xi = theirs->sa_xf[c->index];
	if (pi >= peer->n_prop || xi >= peer->n_xf ||
	    theirs->p[c->index].n_xf == 0)
		return -1;
	x = &peer->xf[xi];
	if (x->attr0 > peer->n_attr || x->n_attr > peer->n_attr - x->attr0)
		return -1;
	sa->doi = peer->doi;
	sa->situation = peer->situation;
	sa->n_prop = 1;
	sa->prop[0] = peer->prop[pi];
	sa->prop[0].n_xf = 1;
	sa->prop[0].xf0 = 0;
	if (spi != NULL) {
		memcpy(out->spi[0], spi, 4);
		sa->prop[0].spi = (struct bytes){out->spi[0], 4};
		sa->prop[0].spi_size = 4;
	}
	sa->n_xf = 1;
	sa->xf[0] = *x;
	sa->xf[0].attr0 = 0;
	for (k = 0; k < x->n_attr; k++)
		sa->attr[k] = peer->attr[x->attr0 + k];
	sa->n_attr = x->n_attr;
	return 0;
}
