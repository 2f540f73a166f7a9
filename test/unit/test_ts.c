/* SPDX-License-Identifier: ISC */
/*
 * Traffic selectors in transport mode through a NAT (RFC 7296 2.23.1):
 * a host names itself by its private address, the other end reads that
 * as the address the IKE SA runs at, and answers with what was named.
 */
#include <arpa/inet.h>
#include <check.h>
#include <string.h>

#include "ike_int.h"
#include "testutil.h"

static void
ep4(struct ike_endpoint *ep, const char *ip)
{
	struct sockaddr_in *a = (struct sockaddr_in *)&ep->ss;

	memset(ep, 0, sizeof(*ep));
	a->sin_family = AF_INET;
	a->sin_port = htons(4500);
	inet_pton(AF_INET, ip, &a->sin_addr);
}

static struct ts
range4(const char *from, const char *to, uint8_t proto, uint16_t port)
{
	struct ts t;

	memset(&t, 0, sizeof(t));
	t.type = IKEV2_TS_IPV4_ADDR_RANGE;
	t.proto = proto;
	t.sport = port;
	t.eport = port ? port : 65535;
	inet_pton(AF_INET, from, t.saddr);
	inet_pton(AF_INET, to, t.eaddr);
	return t;
}

static bool
is4(const struct ts *t, const char *from, const char *to)
{
	uint8_t a[4], b[4];

	inet_pton(AF_INET, from, a);
	inet_pton(AF_INET, to, b);
	return memcmp(t->saddr, a, 4) == 0 && memcmp(t->eaddr, b, 4) == 0;
}

START_TEST(nat_hosts_name_the_endpoint)
{
	struct ike_endpoint pub;
	struct pld_ts t = {3,
			   {range4("10.1.0.2", "10.1.0.2", 17, 1701),
			    range4("10.1.0.0", "10.1.0.255", 0, 0),
			    range4("10.1.0.2", "10.1.0.2", 0, 0)}};
	uint8_t was[16] = {0}, named[4];

	ep4(&pub, "198.51.100.7");
	ts_nat_hosts(&t, &pub, NULL, was);
	ck_assert(is4(&t.ts[0], "198.51.100.7", "198.51.100.7"));
	ck_assert_uint_eq(t.ts[0].proto, 17); /* protocol and port stay */
	ck_assert_uint_eq(t.ts[0].sport, 1701);
	ck_assert(is4(&t.ts[1], "10.1.0.0", "10.1.0.255")); /* a subnet: not
								a host */
	ck_assert(is4(&t.ts[2], "198.51.100.7", "198.51.100.7"));
	inet_pton(AF_INET, "10.1.0.2", named);
	ck_assert_mem_eq(was, named, 4);

	/* The answer names what the initiator named. */
	ts_nat_restore(&t, &pub, was);
	ck_assert(is4(&t.ts[0], "10.1.0.2", "10.1.0.2"));
	ck_assert(is4(&t.ts[1], "10.1.0.0", "10.1.0.255"));
	ck_assert(is4(&t.ts[2], "10.1.0.2", "10.1.0.2"));
}
END_TEST

START_TEST(nat_hosts_only_the_address_named)
{
	struct ike_endpoint pub;
	struct pld_ts t = {2,
			   {range4("10.1.0.2", "10.1.0.2", 0, 0),
			    range4("10.1.0.3", "10.1.0.3", 0, 0)}};
	uint8_t from[16] = {0};
	static const uint8_t zero[16];

	ep4(&pub, "198.51.100.7");
	inet_pton(AF_INET, "10.1.0.3", from);
	ts_nat_hosts(&t, &pub, from, NULL);
	ck_assert(is4(&t.ts[0], "10.1.0.2", "10.1.0.2"));
	ck_assert(is4(&t.ts[1], "198.51.100.7", "198.51.100.7"));
	/* Nothing was substituted: nothing to give back. */
	ts_nat_restore(&t, &pub, zero);
	ck_assert(is4(&t.ts[1], "198.51.100.7", "198.51.100.7"));
}
END_TEST

/* What the responder does: the private address, read as the NAT's,
 * narrows against a dynamic selector (the peer's outer address). */
START_TEST(nat_hosts_then_narrow)
{
	struct ike_endpoint pub;
	struct pld_ts offered = {1, {range4("10.1.0.2", "10.1.0.2", 17, 1701)}};
	struct pld_ts allowed, out;
	struct ike_ts_cfg dyn = {.dynamic = true};

	ep4(&pub, "198.51.100.7");
	dyn.ts = range4("0.0.0.0", "0.0.0.0", 17, 0);
	ts_from_cfg(&dyn, 1, &pub, &allowed);
	ck_assert_int_eq(ts_narrow(&offered, &allowed, &out), -1);
	ts_nat_hosts(&offered, &pub, NULL, NULL);
	ck_assert_int_eq(ts_narrow(&offered, &allowed, &out), 0);
	ck_assert_uint_eq(out.n, 1);
	ck_assert(is4(&out.ts[0], "198.51.100.7", "198.51.100.7"));
}
END_TEST

Suite *
ts_suite(void)
{
	Suite *s = suite_create("ts");
	TCase *tc = tcase_create("nat");

	tcase_add_test(tc, nat_hosts_name_the_endpoint);
	tcase_add_test(tc, nat_hosts_only_the_address_named);
	tcase_add_test(tc, nat_hosts_then_narrow);
	suite_add_tcase(s, tc);
	return s;
}
