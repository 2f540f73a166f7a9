/* SPDX-License-Identifier: ISC */
/*
 * Which payloads each IKEv2 exchange may carry, how often, and whether they
 * must be inside the SK payload (RFC 7296 sections 1.2 to 1.5). Checked
 * right after framing and decryption, before any payload body is read, so
 * the exchange code can rely on what is there.
 */
#include "msg.h"

#define MANY 255

struct pld_rule {
	uint8_t type;
	uint8_t min, max;
};

struct exch_rules {
	uint8_t exchange;
	bool response;
	bool encrypted; /* everything but SK must be inside SK */
	const struct pld_rule *rules;
	size_t n;
};

/* Payloads every message may carry any number of. */
#define COMMON                                                                 \
	{IKEV2_PL_N, 0, MANY},                                                 \
	{                                                                      \
		IKEV2_PL_V, 0, MANY                                            \
	}

static const struct pld_rule init_req[] = {
    {IKEV2_PL_SA, 1, 1},
    {IKEV2_PL_KE, 1, 1},
    {IKEV2_PL_NONCE, 1, 1},
    COMMON,
};
static const struct pld_rule init_resp[] = {
    {IKEV2_PL_SA, 1, 1},
    {IKEV2_PL_KE, 1, 1},
    {IKEV2_PL_NONCE, 1, 1},
    {IKEV2_PL_CERTREQ, 0, MANY},
    COMMON,
};
static const struct pld_rule auth_req[] = {
    {IKEV2_PL_IDi, 1, 1},
    {IKEV2_PL_IDr, 0, 1},
    {IKEV2_PL_CERT, 0, MANY},
    {IKEV2_PL_CERTREQ, 0, MANY},
    {IKEV2_PL_AUTH, 0, 1},
    {IKEV2_PL_CP, 0, 1},
    {IKEV2_PL_SA, 0, 1},
    {IKEV2_PL_TSi, 0, 1},
    {IKEV2_PL_TSr, 0, 1},
    {IKEV2_PL_EAP, 0, 1},
    COMMON,
};
static const struct pld_rule auth_resp[] = {
    {IKEV2_PL_IDr, 0, 1}, {IKEV2_PL_CERT, 0, MANY}, {IKEV2_PL_AUTH, 0, 1},
    {IKEV2_PL_CP, 0, 1},  {IKEV2_PL_SA, 0, 1},      {IKEV2_PL_TSi, 0, 1},
    {IKEV2_PL_TSr, 0, 1}, {IKEV2_PL_EAP, 0, 1},     COMMON,
};
static const struct pld_rule child_req[] = {
    {IKEV2_PL_SA, 1, 1},  {IKEV2_PL_NONCE, 1, 1}, {IKEV2_PL_KE, 0, 1},
    {IKEV2_PL_TSi, 0, 1}, {IKEV2_PL_TSr, 0, 1},   COMMON,
};
static const struct pld_rule child_resp[] = {
    {IKEV2_PL_SA, 1, 1},  {IKEV2_PL_NONCE, 1, 1}, {IKEV2_PL_KE, 0, 1},
    {IKEV2_PL_TSi, 0, 1}, {IKEV2_PL_TSr, 0, 1},   COMMON,
};
static const struct pld_rule info[] = {
    {IKEV2_PL_D, 0, MANY},
    {IKEV2_PL_CP, 0, 1},
    COMMON,
};
/* A response that carries only notifies is an error report (or COOKIE,
 * INVALID_KE_PAYLOAD) and replaces the normal content. */
static const struct pld_rule notify_only[] = {
    {IKEV2_PL_N, 1, MANY},
    {IKEV2_PL_V, 0, MANY},
};

#define RULES(x) x, sizeof(x) / sizeof(x[0])

static const struct exch_rules exch_rules[] = {
    {IKEV2_EXCH_IKE_SA_INIT, false, false, RULES(init_req)},
    {IKEV2_EXCH_IKE_SA_INIT, true, false, RULES(init_resp)},
    {IKEV2_EXCH_IKE_AUTH, false, true, RULES(auth_req)},
    {IKEV2_EXCH_IKE_AUTH, true, true, RULES(auth_resp)},
    {IKEV2_EXCH_CREATE_CHILD_SA, false, true, RULES(child_req)},
    {IKEV2_EXCH_CREATE_CHILD_SA, true, true, RULES(child_resp)},
    {IKEV2_EXCH_INFORMATIONAL, false, true, RULES(info)},
    {IKEV2_EXCH_INFORMATIONAL, true, true, RULES(info)},
};

static const char *
exch_name(uint8_t exchange)
{
	switch (exchange) {
	case IKEV2_EXCH_IKE_SA_INIT:
		return "IKE_SA_INIT";
	case IKEV2_EXCH_IKE_AUTH:
		return "IKE_AUTH";
	case IKEV2_EXCH_CREATE_CHILD_SA:
		return "CREATE_CHILD_SA";
	case IKEV2_EXCH_INFORMATIONAL:
		return "INFORMATIONAL";
	default:
		return "unknown exchange";
	}
}

static unsigned
count(const struct msg *m, uint8_t type)
{
	unsigned i, n = 0;

	for (i = 0; i < m->n; i++)
		n += m->pl[i].type == type;
	return n;
}

static const struct pld_rule *
rule_for(const struct pld_rule *rules, size_t n, uint8_t type)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (rules[i].type == type)
			return &rules[i];
	return NULL;
}

static int
check_set(const struct msg *m, const struct exch_rules *x,
	  const struct pld_rule *rules, size_t n, struct ike_err *e)
{
	const char *dir = x->response ? "response" : "request";
	unsigned i;

	for (i = 0; i < m->n; i++) {
		const struct pld_ref *r = &m->pl[i];

		/* The Encrypted payload (or, reassembled, the last
		 * fragment's) is the envelope, not content. */
		if (r->type == IKEV2_PL_SK ||
		    (r->type == IKEV2_PL_SKF && (int)i == m->sk) ||
		    !pld_type_known(r->type))
			continue; /* unknown: msg_check_critical decides */
		if (!rule_for(rules, n, r->type)) {
			ike_err_set(e, IKEV2_N_INVALID_SYNTAX, r->type,
				    r->offset,
				    "%s %s may not carry a %s payload",
				    exch_name(x->exchange), dir,
				    pld_type_name(r->type));
			return -1;
		}
	}
	for (i = 0; i < n; i++) {
		unsigned c = count(m, rules[i].type);

		if (c < rules[i].min || c > rules[i].max) {
			ike_err_set(e, IKEV2_N_INVALID_SYNTAX, rules[i].type, 0,
				    "%s %s carries %u %s payloads, %s %u",
				    exch_name(x->exchange), dir, c,
				    pld_type_name(rules[i].type),
				    c < rules[i].min ? "needs at least"
						     : "allows at most",
				    c < rules[i].min ? rules[i].min
						     : rules[i].max);
			return -1;
		}
	}
	return 0;
}

int
rules_v2_check(const struct msg *m, struct ike_err *e)
{
	bool response = m->hdr.flags & IKEV2_FLAG_RESPONSE;
	const struct exch_rules *x = NULL;
	unsigned i;

	for (i = 0; i < sizeof(exch_rules) / sizeof(exch_rules[0]); i++)
		if (exch_rules[i].exchange == m->hdr.exchange &&
		    exch_rules[i].response == response)
			x = &exch_rules[i];
	if (!x) {
		ike_err_set(e, IKEV2_N_INVALID_SYNTAX, IKEV2_PL_NONE, 18,
			    "unknown exchange type %u", m->hdr.exchange);
		return -1;
	}
	if (x->encrypted) {
		if (m->sk < 0) {
			ike_err_set(e, IKEV2_N_INVALID_SYNTAX, IKEV2_PL_SK, 0,
				    "%s without an encrypted payload",
				    exch_name(x->exchange));
			return -1;
		}
		for (i = 0; i < m->n; i++)
			if (!m->pl[i].inner && (int)i != m->sk &&
			    pld_type_known(m->pl[i].type)) {
				ike_err_set(
				    e, IKEV2_N_INVALID_SYNTAX, m->pl[i].type,
				    m->pl[i].offset,
				    "%s payload outside the encrypted payload",
				    pld_type_name(m->pl[i].type));
				return -1;
			}
	} else if (m->sk >= 0) {
		ike_err_set(e, IKEV2_N_INVALID_SYNTAX, m->pl[m->sk].type,
			    m->pl[m->sk].offset, "%s may not be encrypted",
			    exch_name(x->exchange));
		return -1;
	}
	if (response && count(m, IKEV2_PL_N) > 0 &&
	    check_set(m, x, RULES(notify_only), NULL) == 0)
		return 0;
	return check_set(m, x, x->rules, x->n, e);
}
