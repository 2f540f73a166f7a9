/* SPDX-License-Identifier: ISC */
/*
 * The responder's choice among the peer's proposals (RFC 7296 2.7 and
 * 3.3.6), and the reason text an admin reads when nothing matches: what
 * the peer offered and what we accept.
 */
#include <string.h>

#include "buf.h"
#include "ikev2_const.h"
#include "prop.h"

#define ENCR  IKEV2_TRANS_ENCR
#define PRF   IKEV2_TRANS_PRF
#define INTEG IKEV2_TRANS_INTEG
#define DH    IKEV2_TRANS_DH
#define ESN   IKEV2_TRANS_ESN

/* Same algorithm and key size; a transform with an attribute we do not
 * understand is unacceptable (RFC 7296 3.3.6), so it matches nothing. */
static bool
xf_same(const struct transform *a, const struct transform *b)
{
	return a->type == b->type && a->id == b->id &&
	       a->key_bits == b->key_bits &&
	       !((a->flags | b->flags) & XF_UNKNOWN_ATTR);
}

static bool
offers(const struct proposal *p, const struct transform *t)
{
	size_t i;

	for (i = 0; i < prop_n_xf(p); i++)
		if (xf_same(&p->xf[i], t))
			return true;
	return false;
}

static bool
has_type(const struct proposal *p, uint8_t type)
{
	return prop_xf_first(p, type) != NULL;
}

static bool
add_xf(struct proposal *c, const struct transform *t)
{
	if (c->n_xf >= IKE_MAX_TRANSFORMS)
		return false;
	c->xf[c->n_xf] = *t;
	c->xf[c->n_xf].flags = 0;
	c->n_xf++;
	return true;
}

/* Beside a combined-mode cipher, integrity must be absent or NONE
 * (RFC 7296 3.3). A side listing NONE among others is accepted: its other
 * integrity transforms belong to other ciphers of the same proposal. */
static bool
integ_none_ok(const struct proposal *p)
{
	static const struct transform none = {INTEG, 0, IKEV2_INTEG_NONE, 0};

	return !has_type(p, INTEG) || offers(p, &none);
}

/* ENCR and INTEG together, because what integrity needs depends on
 * whether the cipher is AEAD: our first cipher the peer offers for which
 * the integrity rule can be met, and our first integrity algorithm. */
static bool
pick_cipher(const struct proposal *o, const struct proposal *t,
	    struct proposal *c)
{
	static const struct transform none = {INTEG, 0, IKEV2_INTEG_NONE, 0};
	size_t i, j;

	for (i = 0; i < prop_n_xf(o); i++) {
		const struct transform *e = &o->xf[i];

		if (e->type != ENCR || !offers(t, e))
			continue;
		if (prop_xf_aead(e)) {
			if (!integ_none_ok(o) || !integ_none_ok(t))
				continue;
			/* Echo NONE only if the peer sent the type. */
			return add_xf(c, e) &&
			       (!has_type(t, INTEG) || add_xf(c, &none));
		}
		for (j = 0; j < prop_n_xf(o); j++) {
			const struct transform *g = &o->xf[j];

			if (g->type != INTEG || g->id == IKEV2_INTEG_NONE ||
			    !offers(t, g))
				continue;
			return add_xf(c, e) && add_xf(c, g);
		}
	}
	return false;
}

/* For ESP (and AH) a missing DH type means no PFS and a missing ESN type
 * no ESN (RFC 7296 3.3.2, 3.3.3); in IKE neither can be NONE. */
static bool
implicit_none(uint8_t proto, uint8_t type)
{
	return proto != IKEV2_PROTO_IKE && (type == DH || type == ESN);
}

/* One transform of a type other than ENCR/INTEG; it goes into the chosen
 * proposal only if the peer sent that type. */
static bool
pick_type(const struct proposal *o, const struct proposal *t, uint8_t type,
	  uint16_t prefer, struct proposal *c)
{
	const struct transform none = {type, 0, 0, 0};
	const struct transform want = {type, 0, prefer, 0};
	bool allow_none = implicit_none(o->proto, type);
	bool t_has = has_type(t, type);
	size_t i;

	if (!t_has && !has_type(o, type))
		return true;
	if (prefer != 0 && t_has && offers(o, &want) && offers(t, &want))
		return add_xf(c, &want);
	for (i = 0; i < prop_n_xf(o); i++) {
		const struct transform *x = &o->xf[i];

		if (x->type != type || (x->id == 0 && !allow_none))
			continue;
		if (t_has ? offers(t, x) : (allow_none && x->id == 0))
			return !t_has || add_xf(c, x);
	}
	/* Nothing of ours fits; our lack of the type may still be NONE. */
	if (!has_type(o, type) && allow_none && t_has && offers(t, &none))
		return add_xf(c, &none);
	return false;
}

static bool
match_pair(const struct proposal *o, const struct proposal *t,
	   uint16_t prefer_ke, struct proposal *c)
{
	size_t i;

	if (o->proto != t->proto)
		return false;
	/* A type we do not know is unacceptable (RFC 7296 3.3.6). */
	for (i = 0; i < prop_n_xf(t); i++)
		if (prop_type_slot(t->xf[i].type) < 0)
			return false;
	memset(c, 0, sizeof(*c));
	c->num = t->num;
	c->proto = t->proto;
	c->spi_size = t->spi_size <= sizeof(c->spi) ? t->spi_size : 0;
	memcpy(c->spi, t->spi, c->spi_size);
	return pick_cipher(o, t, c) && pick_type(o, t, PRF, 0, c) &&
	       pick_type(o, t, DH, prefer_ke, c) && pick_type(o, t, ESN, 0, c);
}

static void
sb_group(struct tbuf *b, uint16_t group)
{
	const struct transform t = {DH, 0, group, 0};

	prop_text_xf(b, &t);
}

static int
select_common(const struct proposal *ours, size_t n_ours,
	      const struct proposal *theirs, size_t n_theirs, uint16_t ke_group,
	      bool with_ke, struct proposal *chosen, uint16_t *want_group,
	      char *reason, size_t reason_len)
{
	const struct transform *dh;
	struct proposal c;
	struct tbuf b;
	size_t i, j;

	tbuf_init(&b, reason, reason_len);
	if (want_group != NULL)
		*want_group = 0;
	for (i = 0; i < n_ours; i++) {
		for (j = 0; j < n_theirs; j++) {
			if (!match_pair(&ours[i], &theirs[j], ke_group, &c))
				continue;
			*chosen = c;
			dh = prop_xf_first(&c, DH);
			if (!with_ke || dh == NULL || dh->id == IKEV2_DH_NONE ||
			    dh->id == ke_group)
				return 0;
			if (want_group != NULL)
				*want_group = dh->id;
			if (ke_group == 0) {
				tbuf_puts(&b, "peer sent no KE payload, ");
			} else {
				tbuf_puts(&b, "peer's KE payload is for ");
				sb_group(&b, ke_group);
				tbuf_puts(&b, ", ");
			}
			tbuf_puts(&b, "but the chosen proposal needs ");
			sb_group(&b, dh->id);
			tbuf_finish(&b);
			return 0;
		}
	}
	tbuf_puts(&b, "no proposal chosen: peer offered ");
	prop_text_list(&b, theirs, n_theirs);
	tbuf_puts(&b, "; we accept ");
	prop_text_list(&b, ours, n_ours);
	tbuf_finish(&b);
	return -1;
}

int
prop_select(const struct proposal *ours, size_t n_ours,
	    const struct proposal *theirs, size_t n_theirs,
	    struct proposal *chosen, char *reason, size_t reason_len)
{
	return select_common(ours, n_ours, theirs, n_theirs, 0, false, chosen,
			     NULL, reason, reason_len);
}

int
prop_select_ke(const struct proposal *ours, size_t n_ours,
	       const struct proposal *theirs, size_t n_theirs,
	       uint16_t ke_group, struct proposal *chosen, uint16_t *want_group,
	       char *reason, size_t reason_len)
{
	return select_common(ours, n_ours, theirs, n_theirs, ke_group, true,
			     chosen, want_group, reason, reason_len);
}
