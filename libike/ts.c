/* SPDX-License-Identifier: ISC */
/*
 * Traffic selectors (RFC 7296 2.9): turning configured selectors into
 * payloads (dynamic ones become our own address) and narrowing what a peer
 * proposes to what a child's configuration allows.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "ike_int.h"

static void
ts_host(const struct ike_endpoint *self, struct ts *t)
{
	if (self->ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const void *)&self->ss;

		t->type = IKEV2_TS_IPV6_ADDR_RANGE;
		memcpy(t->saddr, &a->sin6_addr, 16);
		memcpy(t->eaddr, &a->sin6_addr, 16);
	} else {
		const struct sockaddr_in *a = (const void *)&self->ss;

		t->type = IKEV2_TS_IPV4_ADDR_RANGE;
		memset(t->saddr, 0, sizeof(t->saddr));
		memset(t->eaddr, 0, sizeof(t->eaddr));
		memcpy(t->saddr, &a->sin_addr, 4);
		memcpy(t->eaddr, &a->sin_addr, 4);
	}
}

void
ts_from_cfg(const struct ike_ts_cfg *cfg, unsigned n,
	    const struct ike_endpoint *self, struct pld_ts *out)
{
	unsigned i;

	memset(out, 0, sizeof(*out));
	if (n == 0) { /* default: dynamic, any protocol and port */
		ts_host(self, &out->ts[0]);
		out->ts[0].eport = 65535;
		out->n = 1;
		return;
	}
	for (i = 0; i < n && i < IKE_MAX_TS; i++) {
		out->ts[i] = cfg[i].ts;
		if (cfg[i].dynamic)
			ts_host(self, &out->ts[i]);
	}
	out->n = i;
}

static size_t
alen(uint8_t type)
{
	return type == IKEV2_TS_IPV6_ADDR_RANGE ? 16 : 4;
}

/*
 * RFC 7296 2.23.1: in transport mode behind a NAT, an end names itself by
 * the address it holds, which the other end never sees. Each selector
 * that is one host of the endpoint's family (the address `from`, or any
 * single host when from is NULL) is taken to mean the endpoint's address;
 * `was` (when not NULL) gets the address replaced, for the answer.
 */
void
ts_nat_hosts(struct pld_ts *t, const struct ike_endpoint *ep,
	     const uint8_t *from, uint8_t was[16])
{
	struct ts me;
	unsigned i;

	ts_host(ep, &me);
	for (i = 0; i < t->n; i++) {
		struct ts *x = &t->ts[i];
		size_t n = alen(x->type);

		if (x->type != me.type || memcmp(x->saddr, x->eaddr, n) != 0 ||
		    (from && memcmp(x->saddr, from, n) != 0))
			continue;
		if (was)
			memcpy(was, x->saddr, 16);
		memcpy(x->saddr, me.saddr, n);
		memcpy(x->eaddr, me.eaddr, n);
	}
}

/* The intersection of two selectors, false if empty. */
static bool
ts_meet(const struct ts *a, const struct ts *b, struct ts *out)
{
	size_t n = alen(a->type);

	if (a->type != b->type || (a->type != IKEV2_TS_IPV4_ADDR_RANGE &&
				   a->type != IKEV2_TS_IPV6_ADDR_RANGE))
		return false;
	if (a->proto && b->proto && a->proto != b->proto)
		return false;
	memset(out, 0, sizeof(*out));
	out->type = a->type;
	out->proto = a->proto ? a->proto : b->proto;
	out->sport = a->sport > b->sport ? a->sport : b->sport;
	out->eport = a->eport < b->eport ? a->eport : b->eport;
	if (out->sport > out->eport)
		return false;
	/* Addresses are big-endian, so memcmp orders them. */
	memcpy(out->saddr,
	       memcmp(a->saddr, b->saddr, n) > 0 ? a->saddr : b->saddr, n);
	memcpy(out->eaddr,
	       memcmp(a->eaddr, b->eaddr, n) < 0 ? a->eaddr : b->eaddr, n);
	return memcmp(out->saddr, out->eaddr, n) <= 0;
}

/* The other way (the answer to a peer behind a NAT): selectors naming the
 * endpoint's address name `named` again; nothing if named is all zero. */
void
ts_nat_restore(struct pld_ts *t, const struct ike_endpoint *ep,
	       const uint8_t named[16])
{
	static const uint8_t zero[16];
	struct ts me;
	unsigned i;

	if (memcmp(named, zero, sizeof(zero)) == 0)
		return;
	ts_host(ep, &me);
	for (i = 0; i < t->n; i++) {
		struct ts *x = &t->ts[i];
		size_t n = alen(x->type);

		if (x->type != me.type || memcmp(x->saddr, me.saddr, n) != 0 ||
		    memcmp(x->eaddr, me.eaddr, n) != 0)
			continue;
		memcpy(x->saddr, named, n);
		memcpy(x->eaddr, named, n);
	}
}

int
ts_narrow(const struct pld_ts *offered, const struct pld_ts *allowed,
	  struct pld_ts *out)
{
	unsigned i, j, k;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < offered->n; i++)
		for (j = 0; j < allowed->n && out->n < IKE_MAX_TS; j++) {
			struct ts t;

			if (!ts_meet(&offered->ts[i], &allowed->ts[j], &t))
				continue;
			for (k = 0; k < out->n; k++)
				if (memcmp(&out->ts[k], &t, sizeof(t)) == 0)
					break;
			if (k == out->n)
				out->ts[out->n++] = t;
		}
	return out->n ? 0 : -1;
}

void
ts_format(const struct ts *t, char *buf, size_t len)
{
	char s[INET6_ADDRSTRLEN], e[INET6_ADDRSTRLEN];
	int af = t->type == IKEV2_TS_IPV6_ADDR_RANGE ? AF_INET6 : AF_INET;

	inet_ntop(af, t->saddr, s, sizeof(s));
	inet_ntop(af, t->eaddr, e, sizeof(e));
	if (t->proto || t->sport || t->eport != 65535)
		snprintf(buf, len, "%s-%s[%u/%u-%u]", s, e, t->proto, t->sport,
			 t->eport);
	else
		snprintf(buf, len, "%s-%s", s, e);
}
