/* SPDX-License-Identifier: ISC */
/*
 * IKEv1 SA payloads to proposals and back: phase 1 transforms (RFC 2409 5
 * and Appendix A, RFC 4754 for ECDSA) and IPsec DOI Quick Mode transforms
 * (RFC 2407 4.4 to 4.6, RFC 3947 5.2, RFC 4304). One struct proposal per
 * IKEv1 transform, shaped as prop_parse() shapes a proposal, so that
 * prop_select() and prop_format() work on them unchanged.
 */
#include <stdio.h>
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

/* Phase 1 Group Type values (RFC 2409 Appendix A): redundant beside a
 * Group Description, which is all we accept. */
#define OAKLEY_GROUP_TYPE_MODP 1
#define OAKLEY_GROUP_TYPE_EC2N 3

/* RFC 4304 2: the one value of the Extended Sequence Number attribute. */
#define IPSEC_ESN_64BIT 1

static int
fail(char *err, size_t errlen, uint16_t *notify, uint16_t n, const char *what)
{
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "%s", what);
	if (notify != NULL)
		*notify = n;
	return -1;
}

/* A 16-bit attribute value, TV as basic attributes must be sent; a short
 * TLV is tolerated (it says the same). */
static bool
attr_u16(const struct v1_attr *a, uint16_t *v)
{
	uint32_t x;

	if (pld_v1_attr_u32(a, &x) < 0 || x > UINT16_MAX)
		return false;
	*v = (uint16_t)x;
	return true;
}

/* A life duration: a TV, or a TLV of any length (RFC 2407 4.5 sets no
 * bound). Past 32 bits it saturates: we cap lifetimes anyway. */
static bool
attr_life(const struct v1_attr *a, uint32_t *v)
{
	size_t i, n;

	if (a->tv || (a->value.len > 0 && a->value.len <= 4))
		return pld_v1_attr_u32(a, v) == 0;
	if (a->value.len == 0)
		return false;
	n = a->value.len - 4;
	for (i = 0; i < n; i++)
		if (a->value.ptr[i] != 0) {
			*v = UINT32_MAX;
			return true;
		}
	return pld_v1_attr_u32(
		   &(struct v1_attr){.value = {a->value.ptr + n, 4}}, v) == 0;
}

static void
add_xf(struct proposal *p, uint8_t type, uint16_t id, uint16_t key_bits)
{
	if (p->n_xf >= IKE_MAX_TRANSFORMS)
		return;
	p->xf[p->n_xf++] = (struct transform){type, 0, id, key_bits};
}

/* Life Type then Life Duration (RFC 2407 4.5, RFC 2409 Appendix A): the
 * duration applies to the type named last. */
struct life {
	uint16_t type;
	uint32_t s, kb;
};

static int
life_attr(struct life *l, bool is_type, const struct v1_attr *a, char *why)
{
	uint32_t v;

	if (is_type) {
		if (!attr_u16(a, &l->type) ||
		    (l->type != IKEV1_LIFE_TYPE_SECONDS &&
		     l->type != IKEV1_LIFE_TYPE_KILOBYTES)) {
			snprintf(why, PROP_V1_REASON_LEN, "unknown life type");
			return -1;
		}
		return 0;
	}
	if (l->type == 0 || !attr_life(a, &v) || v == 0) {
		snprintf(why, PROP_V1_REASON_LEN,
			 "life duration without a valid life type or value");
		return -1;
	}
	if (l->type == IKEV1_LIFE_TYPE_SECONDS)
		l->s = v;
	else
		l->kb = v;
	l->type = 0;
	return 0;
}

/* An attribute other than the life pair seen twice is ambiguous (RFC 2408
 * 3.6 lists each once): which of two ciphers would the peer use? Types
 * past 31 are unknown to us anyway. */
static bool
repeated(uint32_t *seen, const struct v1_attr *a, bool is_life, char *why)
{
	uint32_t bit;

	if (is_life || a->type >= 32)
		return false;
	bit = UINT32_C(1) << a->type;
	if (*seen & bit) {
		snprintf(why, PROP_V1_REASON_LEN, "attribute %u repeated",
			 a->type);
		return true;
	}
	*seen |= bit;
	return false;
}

/* The entry for transform xi of proposal pi, zeroed, or NULL if full. */
static struct proposal *
entry(struct prop_v1_list *out, const struct pld_v1_sa *sa, unsigned pi,
      unsigned xi, uint8_t proto)
{
	struct proposal *p;

	if (out->n >= IKEV1_MAX_TRANSFORMS)
		return NULL;
	p = &out->p[out->n];
	memset(p, 0, sizeof(*p));
	out->why[out->n][0] = '\0';
	out->sa_prop[out->n] = (uint8_t)pi;
	out->sa_xf[out->n] = (uint8_t)xi;
	p->num = sa->prop[pi].num;
	p->proto = proto;
	out->xf_num[out->n] = sa->xf[xi].num;
	if (proto == ESP && sa->prop[pi].spi.len == 4) {
		p->spi_size = 4;
		memcpy(p->spi, sa->prop[pi].spi.ptr, 4);
	}
	out->n++;
	return p;
}

/* A transform with an attribute we do not know never matches
 * (prop_select() refuses one flagged so); flagging the first is enough
 * and keeps prop_format() short. Other reasons live in `why` alone. */
static void
unusable(struct proposal *p)
{
	if (p->n_xf > 0)
		p->xf[0].flags |= XF_UNKNOWN_ATTR;
}

/* One phase 1 transform: all of RFC 2409 Appendix A's basic choices. */
static void
p1_transform(const struct pld_v1_sa *sa, unsigned pi, unsigned xi,
	     struct prop_v1_list *out)
{
	const struct v1_transform *x = &sa->xf[xi];
	struct proposal *p = entry(out, sa, pi, xi, IKE);
	char *why;
	uint16_t enc = 0, hash = 0, group = 0, keylen = 0, v = 0;
	struct life life = {0};
	struct transform t;
	bool unknown = false;
	uint32_t seen = 0;
	unsigned k;

	if (p == NULL)
		return;
	why = out->why[out->n - 1];
	for (k = 0; k < x->n_attr && why[0] == '\0'; k++) {
		const struct v1_attr *a = &sa->attr[x->attr0 + k];
		bool ok = true;

		if (repeated(&seen, a,
			     a->type == IKEV1_OAKLEY_LIFE_TYPE ||
				 a->type == IKEV1_OAKLEY_LIFE_DURATION,
			     why))
			break;
		switch (a->type) {
		case IKEV1_OAKLEY_ENCRYPTION_ALGORITHM:
			ok = attr_u16(a, &enc);
			break;
		case IKEV1_OAKLEY_HASH_ALGORITHM:
			ok = attr_u16(a, &hash);
			break;
		case IKEV1_OAKLEY_AUTHENTICATION_METHOD:
			ok = attr_u16(a, &p->v1.auth_method);
			break;
		case IKEV1_OAKLEY_GROUP_DESCRIPTION:
			ok = attr_u16(a, &group);
			break;
		case IKEV1_OAKLEY_GROUP_TYPE:
			ok = attr_u16(a, &v) && v >= OAKLEY_GROUP_TYPE_MODP &&
			     v <= OAKLEY_GROUP_TYPE_EC2N;
			break;
		case IKEV1_OAKLEY_KEY_LENGTH:
			ok = attr_u16(a, &keylen);
			break;
		case IKEV1_OAKLEY_LIFE_TYPE:
		case IKEV1_OAKLEY_LIFE_DURATION:
			life_attr(&life, a->type == IKEV1_OAKLEY_LIFE_TYPE, a,
				  why);
			continue;
		default:
			/* PRF (13): no values defined (RFC 2409 App. A);
			 * custom groups (6 to 10, 15, 16): not spoken. */
			ok = false;
			break;
		}
		if (!ok) {
			snprintf(why, PROP_V1_REASON_LEN,
				 "unknown attribute %u or value", a->type);
			unknown = true;
		}
	}
	p->v1.life_s = life.s;
	p->v1.life_kb = life.kb;
	if (enc != 0 && prop_from_v1(ENCR, IKE, enc, keylen, &t) == 0)
		add_xf(p, ENCR, t.id, t.key_bits);
	else if (why[0] == '\0')
		snprintf(why, PROP_V1_REASON_LEN,
			 enc == 0 ? "no encryption algorithm"
				  : "unsupported encryption algorithm %u "
				    "(key length %u)",
			 enc, keylen);
	if (hash != 0 && prop_from_v1(INTEG, IKE, hash, 0, &t) == 0) {
		add_xf(p, INTEG, t.id, 0);
		if (prop_from_v1(PRF, IKE, hash, 0, &t) == 0)
			add_xf(p, PRF, t.id, 0);
	} else if (why[0] == '\0') {
		snprintf(why, PROP_V1_REASON_LEN,
			 hash == 0 ? "no hash algorithm"
				   : "unsupported hash algorithm %u",
			 hash);
	}
	if (group != 0 && prop_from_v1(DH, IKE, group, 0, &t) == 0)
		add_xf(p, DH, t.id, 0);
	else if (why[0] == '\0')
		snprintf(why, PROP_V1_REASON_LEN,
			 group == 0 ? "no group" : "unsupported group %u",
			 group);
	if (why[0] == '\0' && p->v1.auth_method == 0)
		snprintf(why, PROP_V1_REASON_LEN, "no authentication method");
	if (why[0] == '\0' && x->id != IKEV1_KEY_IKE)
		snprintf(why, PROP_V1_REASON_LEN,
			 "transform ID %u instead of KEY_IKE", x->id);
	if (unknown)
		unusable(p);
}

int
prop_v1_p1_decode(const struct pld_v1_sa *sa, struct prop_v1_list *out,
		  uint16_t *notify, char *err, size_t errlen)
{
	const struct v1_proposal *p = &sa->prop[0];
	unsigned i;

	out->n = 0;
	/* RFC 2409 5: one proposal payload in a phase 1 SA payload. */
	if (sa->n_prop != 1)
		return fail(err, errlen, notify, IKEV1_N_BAD_PROPOSAL_SYNTAX,
			    "phase 1 SA payload with other than one proposal");
	if (p->proto != IKEV1_PROTO_ISAKMP)
		return fail(err, errlen, notify, IKEV1_N_INVALID_PROTOCOL_ID,
			    "phase 1 proposal for a protocol other than "
			    "ISAKMP");
	if (p->xf0 > sa->n_xf || p->n_xf > sa->n_xf - p->xf0)
		return fail(err, errlen, notify, IKEV1_N_BAD_PROPOSAL_SYNTAX,
			    "inconsistent SA payload");
	for (i = 0; i < p->n_xf; i++)
		p1_transform(sa, 0, p->xf0 + i, out);
	return 0;
}

/* One Quick Mode ESP transform: its ID is the cipher (RFC 2407 4.4.4). */
static void
p2_transform(const struct pld_v1_sa *sa, unsigned pi, unsigned xi,
	     struct prop_v1_list *out)
{
	const struct v1_transform *x = &sa->xf[xi];
	struct proposal *p = entry(out, sa, pi, xi, ESP);
	char *why;
	uint16_t auth = 0, group = 0, keylen = 0, esn = 0;
	struct life life = {0};
	struct transform t;
	bool unknown = false;
	uint32_t seen = 0;
	unsigned k;

	if (p == NULL)
		return;
	why = out->why[out->n - 1];
	for (k = 0; k < x->n_attr && why[0] == '\0'; k++) {
		const struct v1_attr *a = &sa->attr[x->attr0 + k];
		bool ok = true;

		if (repeated(&seen, a,
			     a->type == IKEV1_IPSEC_SA_LIFE_TYPE ||
				 a->type == IKEV1_IPSEC_SA_LIFE_DURATION,
			     why))
			break;
		switch (a->type) {
		case IKEV1_IPSEC_AUTHENTICATION_ALGORITHM:
			ok = attr_u16(a, &auth);
			break;
		case IKEV1_IPSEC_GROUP_DESCRIPTION:
			ok = attr_u16(a, &group);
			break;
		case IKEV1_IPSEC_KEY_LENGTH:
			ok = attr_u16(a, &keylen);
			break;
		case IKEV1_IPSEC_ENCAPSULATION_MODE:
			ok = attr_u16(a, &p->v1.encap) &&
			     prop_v1_encap_name(p->v1.encap) != NULL;
			break;
		case IKEV1_IPSEC_EXTENDED_SEQUENCE_NUMBER:
			ok = attr_u16(a, &esn) && esn == IPSEC_ESN_64BIT;
			break;
		case IKEV1_IPSEC_SA_LIFE_TYPE:
		case IKEV1_IPSEC_SA_LIFE_DURATION:
			life_attr(&life, a->type == IKEV1_IPSEC_SA_LIFE_TYPE, a,
				  why);
			continue;
		default:
			ok = false;
			break;
		}
		if (!ok) {
			snprintf(why, PROP_V1_REASON_LEN,
				 "unknown attribute %u or value", a->type);
			unknown = true;
		}
	}
	p->v1.life_s = life.s;
	p->v1.life_kb = life.kb;
	if (prop_from_v1(ENCR, ESP, x->id, keylen, &t) == 0)
		add_xf(p, ENCR, t.id, t.key_bits);
	else if (why[0] == '\0')
		snprintf(why, PROP_V1_REASON_LEN,
			 "unsupported ESP transform %u (key length %u)", x->id,
			 keylen);
	if (auth != 0 && prop_from_v1(INTEG, ESP, auth, 0, &t) == 0)
		add_xf(p, INTEG, t.id, 0);
	else if (why[0] == '\0' && auth != 0)
		snprintf(why, PROP_V1_REASON_LEN,
			 "unsupported authentication algorithm %u", auth);
	else if (why[0] == '\0' && p->n_xf > 0 && !prop_xf_aead(&p->xf[0]))
		snprintf(why, PROP_V1_REASON_LEN,
			 "ESP without authentication algorithm");
	if (group != 0 && prop_from_v1(DH, ESP, group, 0, &t) == 0)
		add_xf(p, DH, t.id, 0);
	else if (why[0] == '\0' && group != 0)
		snprintf(why, PROP_V1_REASON_LEN, "unsupported PFS group %u",
			 group);
	if (esn != 0)
		add_xf(p, ESN, IKEV2_ESN_YES, 0);
	if (unknown)
		unusable(p);
}

/* Whether another proposal carries pi's number: protocols to apply
 * together (RFC 2408 4.2), which we do not do. */
static bool
shares_number(const struct pld_v1_sa *sa, unsigned pi)
{
	unsigned i;

	for (i = 0; i < sa->n_prop; i++)
		if (i != pi && sa->prop[i].num == sa->prop[pi].num)
			return true;
	return false;
}

int
prop_v1_p2_decode(const struct pld_v1_sa *sa, struct prop_v1_list *out,
		  uint16_t *notify, char *err, size_t errlen)
{
	unsigned i, j;
	size_t first;

	out->n = 0;
	for (i = 0; i < sa->n_prop; i++) {
		const struct v1_proposal *p = &sa->prop[i];

		if (p->xf0 > sa->n_xf || p->n_xf > sa->n_xf - p->xf0)
			return fail(err, errlen, notify,
				    IKEV1_N_BAD_PROPOSAL_SYNTAX,
				    "inconsistent SA payload");
		if (p->n_xf == 0)
			continue; /* the codec refuses it; nothing to list */
		if (p->proto != IKEV1_PROTO_IPSEC_ESP) {
			/* Listed, with no transforms, for the refusal. */
			struct proposal *e = entry(out, sa, i, p->xf0, ESP);

			if (e != NULL)
				snprintf(out->why[out->n - 1],
					 PROP_V1_REASON_LEN,
					 "protocol %u: only ESP is negotiated",
					 p->proto);
			continue;
		}
		first = out->n;
		for (j = 0; j < p->n_xf; j++)
			p2_transform(sa, i, p->xf0 + j, out);
		if (!shares_number(sa, i))
			continue;
		for (; first < out->n; first++)
			snprintf(out->why[first], PROP_V1_REASON_LEN,
				 "ESP bundled with another protocol");
	}
	if (out->n == 0)
		return fail(err, errlen, notify, IKEV1_N_BAD_PROPOSAL_SYNTAX,
			    "Quick Mode SA payload without transforms");
	return 0;
}
