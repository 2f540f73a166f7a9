/* SPDX-License-Identifier: ISC */
/*
 * Our configured proposals as IKEv1 transforms, and those into an SA
 * payload. IKEv1 cannot say "any of these ciphers with any of these
 * hashes": each transform is one suite, so a proposal is expanded into
 * every combination, in config order (the order strongSwan sends for
 * IKEv1). What IKEv1 has no number for is left out and named, so the log
 * can say why an algorithm of the config is not offered.
 */
#include <string.h>

#include "buf.h"
#include "prop_v1.h"

#define ENCR  IKEV2_TRANS_ENCR
#define PRF   IKEV2_TRANS_PRF
#define INTEG IKEV2_TRANS_INTEG
#define DH    IKEV2_TRANS_DH
#define ESN   IKEV2_TRANS_ESN
#define IKE   IKEV2_PROTO_IKE
#define ESP   IKEV2_PROTO_ESP

/* RFC 4304 2: the one value of the Extended Sequence Number attribute. */
#define IPSEC_ESN_64BIT 1

/* What was left out, each algorithm named once. */
struct skips {
	struct tbuf b;
	const struct transform *seen[IKE_MAX_TRANSFORMS];
	size_t n;
};

static void
skip(struct skips *s, const struct transform *t, const char *why)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->seen[i]->type == t->type && s->seen[i]->id == t->id &&
		    s->seen[i]->key_bits == t->key_bits)
			return;
	if (s->n < IKE_MAX_TRANSFORMS)
		s->seen[s->n++] = t;
	if (s->b.pos > 0)
		tbuf_puts(&s->b, ", ");
	prop_text_xf(&s->b, t);
	tbuf_printf(&s->b, " (%s)", why);
}

/* The transforms of a type the wire can carry, in config order; NULL
 * stands for "none" (no PFS, no ESN, integrity beside AEAD). */
static size_t
usable(const struct proposal *o, uint8_t type, const struct transform **l,
       struct skips *s)
{
	size_t i, n = 0;

	for (i = 0; i < prop_n_xf(o); i++) {
		const struct transform *t = &o->xf[i];

		if (t->type != type)
			continue;
		if (o->proto == ESP &&
		    ((type == DH && t->id == IKEV2_DH_NONE) ||
		     (type == ESN && t->id == IKEV2_ESN_NO))) {
			l[n++] = NULL;
			continue;
		}
		if (type == ESN) {
			l[n++] = t; /* an attribute, no number to look up */
			continue;
		}
		if (type == INTEG && t->id == IKEV2_INTEG_NONE)
			continue;
		if (prop_v1_id(t, o->proto) == 0) {
			skip(s, t,
			     o->proto == IKE ? "no IKEv1 phase 1 number"
					     : "no IKEv1 ESP number");
			continue;
		}
		l[n++] = t;
	}
	if (n == 0 && o->proto == ESP && (type == DH || type == ESN))
		l[n++] = NULL;
	return n;
}

static void
put(struct proposal *p, const struct transform *t)
{
	if (t != NULL && p->n_xf < IKE_MAX_TRANSFORMS) {
		p->xf[p->n_xf] = *t;
		p->xf[p->n_xf].flags = 0;
		p->n_xf++;
	}
}

/* Whether the PRF IKEv1 derives from a hash is one the proposal allows:
 * any when it names none (prop_parse() derives the same). */
static bool
prf_ok(const struct proposal *o, uint16_t prf)
{
	size_t i;

	if (prf == 0)
		return false;
	if (prop_xf_first(o, PRF) == NULL)
		return true;
	for (i = 0; i < prop_n_xf(o); i++)
		if (o->xf[i].type == PRF && o->xf[i].id == prf)
			return true;
	return false;
}

static int
finish(struct skips *s, size_t n, size_t max, bool over)
{
	if (over) {
		s->b.pos = 0;
		if (s->b.len > 0)
			s->b.buf[0] = '\0';
		tbuf_printf(&s->b,
			    "more than %zu IKEv1 transforms (one per "
			    "combination of algorithms): name fewer",
			    max);
		tbuf_finish(&s->b);
		return -1;
	}
	if (n == 0) {
		if (s->b.pos > 0)
			tbuf_puts(&s->b, "; ");
		tbuf_puts(&s->b, "no proposal can be sent in IKEv1");
		tbuf_finish(&s->b);
		return -1;
	}
	tbuf_finish(&s->b);
	return (int)n;
}

int
prop_v1_p1_expand(const struct proposal *ours, size_t n_ours,
		  const struct prop_v1_p1_cfg *cfg, struct proposal *out,
		  size_t max, char *skipped, size_t skipped_len)
{
	const struct transform *e[IKE_MAX_TRANSFORMS], *g[IKE_MAX_TRANSFORMS],
	    *d[IKE_MAX_TRANSFORMS];
	struct skips s = {0};
	size_t i, ne, ng, nd, a, b, c, k, n = 0;

	tbuf_init(&s.b, skipped, skipped_len);
	for (i = 0; i < n_ours; i++) {
		const struct proposal *o = &ours[i];

		if (o->proto != IKE)
			continue;
		ne = usable(o, ENCR, e, &s);
		ng = usable(o, INTEG, g, &s);
		nd = usable(o, DH, d, &s);
		for (a = 0; a < ne; a++)
			for (b = 0; b < ng; b++) {
				const struct prop_alg *h = prop_alg_find(g[b]);
				struct transform prf = {PRF, 0, h->prf, 0};

				/* IKEv1's PRF is the HMAC of its hash
				 * (RFC 2409 5): another PRF cannot be said. */
				if (!prf_ok(o, h->prf)) {
					skip(&s, g[b],
					     "IKEv1 uses the hash as PRF, the "
					     "proposal names another");
					continue;
				}
				for (c = 0; c < nd; c++)
					for (k = 0; k < cfg->n_auth; k++) {
						struct proposal *p;

						if (n >= max)
							return finish(
							    &s, n, max, true);
						p = &out[n++];
						memset(p, 0, sizeof(*p));
						p->num = 1;
						p->proto = IKE;
						p->v1.auth_method =
						    cfg->auth[k];
						p->v1.life_s = cfg->life_s;
						p->v1.life_kb = cfg->life_kb;
						put(p, e[a]);
						put(p, g[b]);
						put(p, &prf);
						put(p, d[c]);
					}
			}
	}
	return finish(&s, n, max, false);
}

/* RFC 3947's UDP modes in the drafts' numbering, for a peer that spoke
 * the drafts (RFC 3947 5.2: both are still met). */
static uint16_t
encap_wire(uint16_t encap, bool draft)
{
	if (!draft)
		return encap;
	if (encap == IKEV1_ENCAP_UDP_ENCAPSULATED_TUNNEL)
		return IKEV1_ENCAP_UDP_ENCAPSULATED_TUNNEL_DRAFT;
	if (encap == IKEV1_ENCAP_UDP_ENCAPSULATED_TRANSPORT)
		return IKEV1_ENCAP_UDP_ENCAPSULATED_TRANSPORT_DRAFT;
	return encap;
}

int
prop_v1_p2_expand(const struct proposal *ours, size_t n_ours,
		  const struct prop_v1_p2_cfg *cfg, struct proposal *out,
		  size_t max, char *skipped, size_t skipped_len)
{
	static const struct transform *const none[1] = {NULL};
	const struct transform *e[IKE_MAX_TRANSFORMS], *g[IKE_MAX_TRANSFORMS],
	    *d[IKE_MAX_TRANSFORMS], *x[IKE_MAX_TRANSFORMS];
	const struct transform *const *gl;
	struct skips s = {0};
	size_t i, ne, ng, nd, nx, a, b, c, k, n = 0, start;
	uint8_t num = 0;

	tbuf_init(&s.b, skipped, skipped_len);
	for (i = 0; i < n_ours; i++) {
		const struct proposal *o = &ours[i];

		if (o->proto != ESP)
			continue;
		start = n;
		ne = usable(o, ENCR, e, &s);
		ng = usable(o, INTEG, g, &s);
		nd = usable(o, DH, d, &s);
		nx = usable(o, ESN, x, &s);
		for (a = 0; a < ne; a++) {
			/* Beside AEAD the authentication attribute is
			 * absent (RFC 4106 5). */
			bool aead = prop_xf_aead(e[a]);

			gl = aead ? none : g;
			for (b = 0; b < (aead ? 1 : ng); b++)
				for (c = 0; c < nd; c++)
					for (k = 0; k < nx; k++) {
						struct proposal *p;

						if (n >= max)
							return finish(
							    &s, n, max, true);
						p = &out[n++];
						memset(p, 0, sizeof(*p));
						p->num = (uint8_t)(num + 1);
						p->proto = ESP;
						p->spi_size = 4;
						if (cfg->spi != NULL)
							memcpy(p->spi, cfg->spi,
							       4);
						p->v1.encap = encap_wire(
						    cfg->encap,
						    cfg->draft_encap);
						p->v1.life_s = cfg->life_s;
						p->v1.life_kb = cfg->life_kb;
						put(p, e[a]);
						put(p, gl[b]);
						put(p, d[c]);
						put(p, x[k]);
					}
		}
		if (n > start)
			num++;
	}
	return finish(&s, n, max, false);
}

/* --- the SA payload ------------------------------------------------------ */

static bool
attr_tv(struct prop_v1_sa *o, uint16_t type, uint16_t val)
{
	struct pld_v1_sa *sa = &o->sa;

	if (sa->n_attr >= IKEV1_MAX_ATTRS)
		return false;
	sa->attr[sa->n_attr++] = (struct v1_attr){type, true, val, {0}};
	return true;
}

/* A duration fits a TV when it fits 16 bits (RFC 2409 Appendix A:
 * variable attributes may be sent basic), else a 4-octet TLV. */
static bool
attr_life(struct prop_v1_sa *o, uint16_t type_attr, uint16_t type,
	  uint16_t dur_attr, uint32_t v)
{
	struct pld_v1_sa *sa = &o->sa;
	uint8_t *b;

	if (v == 0)
		return true;
	if (!attr_tv(o, type_attr, type))
		return false;
	if (v <= UINT16_MAX)
		return attr_tv(o, dur_attr, (uint16_t)v);
	if (sa->n_attr >= IKEV1_MAX_ATTRS || o->n_val >= IKEV1_MAX_ATTRS)
		return false;
	b = o->val[o->n_val++];
	b[0] = (uint8_t)(v >> 24);
	b[1] = (uint8_t)(v >> 16);
	b[2] = (uint8_t)(v >> 8);
	b[3] = (uint8_t)v;
	sa->attr[sa->n_attr++] = (struct v1_attr){dur_attr, false, 0, {b, 4}};
	return true;
}

static uint16_t
v1_of(const struct proposal *p, uint8_t type)
{
	const struct transform *t = prop_xf_first(p, type);

	return t != NULL ? prop_v1_id(t, p->proto) : 0;
}

/* Attribute order as Windows and strongSwan send it: algorithms, then
 * group and method, then lifetimes. */
static bool
p1_attrs(struct prop_v1_sa *o, const struct proposal *p)
{
	const struct transform *e = prop_xf_first(p, ENCR);
	bool ok;

	ok = attr_tv(o, IKEV1_OAKLEY_ENCRYPTION_ALGORITHM, v1_of(p, ENCR));
	if (e != NULL && e->key_bits != 0)
		ok = ok && attr_tv(o, IKEV1_OAKLEY_KEY_LENGTH, e->key_bits);
	ok = ok && attr_tv(o, IKEV1_OAKLEY_HASH_ALGORITHM, v1_of(p, INTEG));
	ok = ok &&
	     attr_tv(o, IKEV1_OAKLEY_AUTHENTICATION_METHOD, p->v1.auth_method);
	ok = ok && attr_tv(o, IKEV1_OAKLEY_GROUP_DESCRIPTION, v1_of(p, DH));
	ok = ok && attr_life(o, IKEV1_OAKLEY_LIFE_TYPE, IKEV1_LIFE_TYPE_SECONDS,
			     IKEV1_OAKLEY_LIFE_DURATION, p->v1.life_s);
	return ok &&
	       attr_life(o, IKEV1_OAKLEY_LIFE_TYPE, IKEV1_LIFE_TYPE_KILOBYTES,
			 IKEV1_OAKLEY_LIFE_DURATION, p->v1.life_kb);
}

static bool
p2_attrs(struct prop_v1_sa *o, const struct proposal *p)
{
	const struct transform *e = prop_xf_first(p, ENCR);
	const struct transform *x = prop_xf_first(p, ESN);
	bool ok;

	ok = attr_life(o, IKEV1_IPSEC_SA_LIFE_TYPE, IKEV1_LIFE_TYPE_SECONDS,
		       IKEV1_IPSEC_SA_LIFE_DURATION, p->v1.life_s);
	ok = ok &&
	     attr_life(o, IKEV1_IPSEC_SA_LIFE_TYPE, IKEV1_LIFE_TYPE_KILOBYTES,
		       IKEV1_IPSEC_SA_LIFE_DURATION, p->v1.life_kb);
	if (p->v1.encap != 0)
		ok = ok &&
		     attr_tv(o, IKEV1_IPSEC_ENCAPSULATION_MODE, p->v1.encap);
	if (prop_xf_first(p, INTEG) != NULL)
		ok = ok && attr_tv(o, IKEV1_IPSEC_AUTHENTICATION_ALGORITHM,
				   v1_of(p, INTEG));
	if (e != NULL && e->key_bits != 0)
		ok = ok && attr_tv(o, IKEV1_IPSEC_KEY_LENGTH, e->key_bits);
	if (prop_xf_first(p, DH) != NULL)
		ok = ok &&
		     attr_tv(o, IKEV1_IPSEC_GROUP_DESCRIPTION, v1_of(p, DH));
	if (x != NULL && x->id == IKEV2_ESN_YES)
		ok = ok && attr_tv(o, IKEV1_IPSEC_EXTENDED_SEQUENCE_NUMBER,
				   IPSEC_ESN_64BIT);
	return ok;
}

int
prop_v1_encode(const struct proposal *xf, size_t n, struct prop_v1_sa *out)
{
	struct pld_v1_sa *sa = &out->sa;
	struct v1_proposal *vp = NULL;
	struct v1_transform *vt;
	size_t i;

	memset(out, 0, sizeof(*out));
	sa->doi = IKEV1_DOI_IPSEC;
	sa->situation = IKEV1_SIT_IDENTITY_ONLY;
	for (i = 0; i < n; i++) {
		const struct proposal *p = &xf[i];
		bool ike = p->proto == IKE;

		if (vp == NULL || p->num != vp->num ||
		    p->proto != xf[i - 1].proto) {
			if (sa->n_prop >= IKEV1_MAX_PROPOSALS)
				return -1;
			vp = &sa->prop[sa->n_prop];
			vp->num = p->num;
			vp->proto =
			    ike ? IKEV1_PROTO_ISAKMP : IKEV1_PROTO_IPSEC_ESP;
			if (!ike) {
				memcpy(out->spi[sa->n_prop], p->spi, 4);
				vp->spi =
				    (struct bytes){out->spi[sa->n_prop], 4};
				vp->spi_size = 4;
			}
			vp->xf0 = sa->n_xf;
			sa->n_prop++;
		}
		if (sa->n_xf >= IKEV1_MAX_TRANSFORMS || vp->n_xf == UINT8_MAX)
			return -1;
		vt = &sa->xf[sa->n_xf++];
		vp->n_xf++; /* numbered from 1 (RFC 2408 3.6) */
		vt->num = vp->n_xf;
		vt->id = ike ? IKEV1_KEY_IKE : (uint8_t)v1_of(p, ENCR);
		vt->attr0 = sa->n_attr;
		if (!(ike ? p1_attrs(out, p) : p2_attrs(out, p)))
			return -1;
		vt->n_attr = sa->n_attr - vt->attr0;
	}
	return sa->n_prop > 0 ? 0 : -1;
}
