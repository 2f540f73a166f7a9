/* SPDX-License-Identifier: ISC */
/*
 * Quick Mode's identities as traffic selectors (RFC 2409 5.5, RFC 2407
 * 4.6.2): an ID payload names one address, a subnet or a range, with one
 * protocol and one port or all of them. That is less than an IKEv2
 * selector can say (a port range): such a selector has no IKEv1 form.
 */
#include <string.h>

#include "ike_int.h"

/* The prefix length that makes [lo, hi] a subnet, or -1. */
static int
prefix_of(const uint8_t *lo, const uint8_t *hi, size_t n)
{
	size_t i;
	int p = -1;

	for (i = 0; i < n * 8; i++) {
		uint8_t bit = (uint8_t)(0x80 >> (i % 8));
		bool l = lo[i / 8] & bit, h = hi[i / 8] & bit;

		if (p < 0 && l != h)
			p = (int)i;
		/* From the prefix on: lo all zeros, hi all ones. */
		if (p >= 0 && (l || !h))
			return -1;
	}
	return p < 0 ? (int)(n * 8) : p;
}

/* Ones, then zeros: a netmask. */
static bool
is_mask(const uint8_t *m, size_t n)
{
	bool zeros = false;
	size_t i;

	for (i = 0; i < n * 8; i++) {
		if (!(m[i / 8] & (0x80 >> (i % 8))))
			zeros = true;
		else if (zeros)
			return false;
	}
	return true;
}

int
v1_ts_to_id(const struct ts *t, struct pld_v1_id *id, uint8_t buf[V1_TS_ID_MAX])
{
	bool v6 = t->type == IKEV2_TS_IPV6_ADDR_RANGE;
	size_t n = v6 ? 16 : 4, i;
	int p;

	memset(id, 0, sizeof(*id));
	if (t->sport == t->eport)
		id->port = t->sport;
	else if (t->sport != 0 || t->eport != 65535)
		return -1;
	id->proto = t->proto;
	p = prefix_of(t->saddr, t->eaddr, n);
	if (p == (int)(n * 8)) {
		id->type = v6 ? IKEV1_ID_IPV6_ADDR : IKEV1_ID_IPV4_ADDR;
		memcpy(buf, t->saddr, n);
		id->data = (struct bytes){buf, n};
	} else if (p >= 0) {
		id->type =
		    v6 ? IKEV1_ID_IPV6_ADDR_SUBNET : IKEV1_ID_IPV4_ADDR_SUBNET;
		memcpy(buf, t->saddr, n);
		for (i = 0; i < n; i++) {
			int bits = p - (int)(i * 8);

			buf[n + i] = bits >= 8 ? 0xff
				     : bits <= 0
					 ? 0
					 : (uint8_t)(0xff << (8 - bits));
		}
		id->data = (struct bytes){buf, 2 * n};
	} else {
		id->type =
		    v6 ? IKEV1_ID_IPV6_ADDR_RANGE : IKEV1_ID_IPV4_ADDR_RANGE;
		memcpy(buf, t->saddr, n);
		memcpy(buf + n, t->eaddr, n);
		id->data = (struct bytes){buf, 2 * n};
	}
	return 0;
}

int
v1_id_to_ts(const struct pld_v1_id *id, struct ts *t)
{
	const uint8_t *d = id->data.ptr;
	size_t n, i;

	memset(t, 0, sizeof(*t));
	switch (id->type) {
	case IKEV1_ID_IPV4_ADDR:
	case IKEV1_ID_IPV4_ADDR_SUBNET:
	case IKEV1_ID_IPV4_ADDR_RANGE:
		n = 4;
		t->type = IKEV2_TS_IPV4_ADDR_RANGE;
		break;
	case IKEV1_ID_IPV6_ADDR:
	case IKEV1_ID_IPV6_ADDR_SUBNET:
	case IKEV1_ID_IPV6_ADDR_RANGE:
		n = 16;
		t->type = IKEV2_TS_IPV6_ADDR_RANGE;
		break;
	default:
		return -1;
	}
	if (id->type == IKEV1_ID_IPV4_ADDR || id->type == IKEV1_ID_IPV6_ADDR) {
		if (id->data.len != n)
			return -1;
		memcpy(t->saddr, d, n);
		memcpy(t->eaddr, d, n);
	} else if (id->type == IKEV1_ID_IPV4_ADDR_SUBNET ||
		   id->type == IKEV1_ID_IPV6_ADDR_SUBNET) {
		if (id->data.len != 2 * n || !is_mask(d + n, n))
			return -1;
		for (i = 0; i < n; i++) {
			t->saddr[i] = d[i] & d[n + i];
			t->eaddr[i] = (uint8_t)(d[i] | (uint8_t)~d[n + i]);
		}
	} else {
		if (id->data.len != 2 * n || memcmp(d, d + n, n) > 0)
			return -1;
		memcpy(t->saddr, d, n);
		memcpy(t->eaddr, d + n, n);
	}
	t->proto = id->proto;
	t->sport = id->port;
	t->eport = id->port ? id->port : 65535;
	return 0;
}
