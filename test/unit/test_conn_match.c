/* SPDX-License-Identifier: ISC */
/*
 * Which connection a responder picks for an IKE_SA_INIT by the addresses
 * it arrived on and came from (local_addrs, remote_addrs): subnets, hosts,
 * %any of a family, lists of several, the most specific first; and that
 * switching by the peer's ID in IKE_AUTH keeps to connections the
 * addresses fit.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "ike.h"
#include "ike_int.h"
#include "testutil.h"

#include "engine_harness.h"

#define SUITE "aes128gcm16-prfsha256-ecp256"
#define ESP   "aes128gcm16"

/* Each test runs with a pair up (the fixture); a check that needs a fresh
 * one replaces it. */
static void
pair_up(void)
{
	setup_pair(SUITE, ESP, SUITE, ESP, false, "x", "x");
}

static void
fresh_pair(void)
{
	teardown_pair();
	pair_up();
}

/* "192.0.2.0/24", "2001:db8::1", "%any", "%any4", "%any6". */
static void
match(struct ike_addr_match *m, const char *text)
{
	char ip[64];
	const char *slash = strchr(text, '/');

	memset(m, 0, sizeof(*m));
	if (strcmp(text, "%any") == 0)
		return;
	if (strcmp(text, "%any4") == 0 || strcmp(text, "%any6") == 0) {
		m->family = text[4] == '4' ? AF_INET : AF_INET6;
		return;
	}
	snprintf(ip, sizeof(ip), "%.*s",
		 slash ? (int)(slash - text) : (int)strlen(text), text);
	m->family = strchr(ip, ':') ? AF_INET6 : AF_INET;
	ck_assert_int_eq(inet_pton(m->family, ip, m->addr), 1);
	m->prefix = slash ? (uint8_t)atoi(slash + 1)
			  : (m->family == AF_INET ? 32 : 128);
}

/* Up to four matches a side, kept as long as the test needs them. */
struct sides {
	struct ike_addr_match local[4], remote[4];
};

/* sun's connection `name` to moon, matching the comma-free lists of
 * addresses given (NULL: no list). */
static void
sun_conn(struct ike_conn_cfg *c, struct sides *s, const char *name,
	 const char *const *local, const char *const *remote)
{
	unsigned i;

	conn_cfg(c, &sun, &moon, SUITE, ESP, false);
	snprintf(c->name, sizeof(c->name), "%s", name);
	for (i = 0; local && local[i]; i++)
		match(&s->local[i], local[i]);
	c->n_local_addrs = i;
	c->local_addrs = i ? s->local : NULL;
	for (i = 0; remote && remote[i]; i++)
		match(&s->remote[i], remote[i]);
	c->n_remote_addrs = i;
	c->remote_addrs = i ? s->remote : NULL;
}

static void
ep(struct ike_endpoint *e, const char *ip)
{
	memset(e, 0, sizeof(*e));
	if (strchr(ip, ':')) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&e->ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons(500);
		ck_assert_int_eq(inet_pton(AF_INET6, ip, &a->sin6_addr), 1);
	} else {
		endpoint(e, ip);
	}
}

/*
 * moon's IKE_SA_INIT request as if it came from `from` to `to`, given to
 * sun with connections c: the connection sun answered with, or "-" when
 * it refused with NO_PROPOSAL_CHOSEN (what it answers for no connection).
 */
static const char *
probe(const struct ike_conn_cfg *c, size_t n, const char *to, const char *from)
{
	static char picked[IKE_NAME_MAX];
	struct ike_endpoint l, r;
	const struct pld_ref *pn;
	struct datagram d;
	struct ike_sa *sa;
	struct msg m;

	fresh_pair();
	ck_assert_int_eq(ike_engine_set_conns(sun.e, c, n, now), 0);
	ck_assert_uint_gt(ike_initiate(moon.e, now, "site", NULL), 0);
	ck_assert_uint_eq(q_len, 1);
	d = queue[0];
	q_len = 0;
	ep(&l, to);
	ep(&r, from);
	ike_input(sun.e, now, &l, &r, d.data, d.len);
	only_answer(&m);
	pn = msg_find(&m, IKEV2_PL_N, NULL);
	if (pn && notify_of(&m) == IKEV2_N_NO_PROPOSAL_CHOSEN) {
		ck_assert_ptr_null(first_sa(&sun));
		snprintf(picked, sizeof(picked), "-");
	} else {
		ck_assert_ptr_nonnull(sa = first_sa(&sun));
		snprintf(picked, sizeof(picked), "%s", sa->conn->cfg.name);
	}
	return picked;
}

START_TEST(subnet_remote_accepts_inside_refuses_outside)
{
	static struct ike_conn_cfg c;
	static struct sides s;
	const char *net[] = {"192.0.2.0/24", NULL};
	const char *far[] = {"198.51.100.0/24", NULL};
	const char *net8[] = {"10.0.0.0/8", NULL};

	sun_conn(&c, &s, "net", NULL, net);
	ck_assert_str_eq(probe(&c, 1, "192.0.2.2", "192.0.2.1"), "net");
	ck_assert_str_eq(probe(&c, 1, "192.0.2.2", "192.0.2.254"), "net");
	ck_assert_str_eq(probe(&c, 1, "192.0.2.2", "192.0.3.1"), "-");
	ck_assert_str_eq(probe(&c, 1, "192.0.2.2", "2001:db8::1"), "-");
	sun_conn(&c, &s, "net", NULL, net8);
	ck_assert_str_eq(probe(&c, 1, "192.0.2.2", "10.200.3.4"), "net");
	ck_assert_str_eq(probe(&c, 1, "192.0.2.2", "11.0.0.1"), "-");
	/* A prefix that does not end on a byte: 192.0.2.0/25. */
	match(&s.remote[0], "192.0.2.0/25");
	ck_assert_str_eq(probe(&c, 1, "192.0.2.2", "192.0.2.127"), "net");
	ck_assert_str_eq(probe(&c, 1, "192.0.2.2", "192.0.2.128"), "-");

	/* The whole exchange with a peer inside the subnet... */
	sun_conn(&c, &s, "site", NULL, net);
	fresh_pair();
	ck_assert_int_eq(ike_engine_set_conns(sun.e, &c, 1, now), 0);
	bring_up();
	ck_assert(has_event(&sun, IKE_EV_CHILD_UP));
	assert_pair_matches();
	/* ...and refused (NO_PROPOSAL_CHOSEN) for one outside it. */
	sun_conn(&c, &s, "site", NULL, far);
	fresh_pair();
	ck_assert_int_eq(ike_engine_set_conns(sun.e, &c, 1, now), 0);
	ck_assert_uint_gt(ike_initiate(moon.e, now, "site", NULL), 0);
	pump();
	ck_assert(!has_event(&sun, IKE_EV_IKE_UP));
	ck_assert_uint_eq(live(&sun), 0);
	ck_assert_ptr_null(first_sa(&sun));
}
END_TEST

START_TEST(more_specific_connection_wins)
{
	static struct ike_conn_cfg c[4];
	static struct sides s[4];
	const char *any[] = {"%any", NULL};
	const char *net[] = {"192.0.2.0/24", NULL};
	const char *narrow[] = {"192.0.2.0/28", NULL};
	const char *host[] = {"192.0.2.1", NULL};
	const char *here[] = {"192.0.2.2", NULL};
	unsigned i;

	/* Both orders: the first best is not what wins. */
	for (i = 0; i < 2; i++) {
		sun_conn(&c[i ? 3 : 0], &s[0], "wide", NULL, any);
		sun_conn(&c[i ? 2 : 1], &s[1], "net", NULL, net);
		sun_conn(&c[i ? 1 : 2], &s[2], "narrow", NULL, narrow);
		sun_conn(&c[i ? 0 : 3], &s[3], "host", NULL, host);
		ck_assert_str_eq(probe(c, 4, "192.0.2.2", "192.0.2.1"), "host");
		ck_assert_str_eq(probe(c, 4, "192.0.2.2", "192.0.2.9"),
				 "narrow");
		ck_assert_str_eq(probe(c, 4, "192.0.2.2", "192.0.2.99"), "net");
		ck_assert_str_eq(probe(c, 4, "192.0.2.2", "203.0.113.1"),
				 "wide");
	}
	/* The same peer: the more specific local address decides. */
	sun_conn(&c[0], &s[0], "any-here", any, net);
	sun_conn(&c[1], &s[1], "here", here, net);
	ck_assert_str_eq(probe(c, 2, "192.0.2.2", "192.0.2.1"), "here");
	ck_assert_str_eq(probe(c, 2, "192.0.2.3", "192.0.2.1"), "any-here");
	/* The peer weighs more than our own address. */
	sun_conn(&c[0], &s[0], "by-peer", NULL, host);
	sun_conn(&c[1], &s[1], "by-local", here, net);
	ck_assert_str_eq(probe(c, 2, "192.0.2.2", "192.0.2.1"), "by-peer");
}
END_TEST

START_TEST(every_entry_of_a_list_counts)
{
	static struct ike_conn_cfg c;
	static struct sides s;
	const char *remote[] = {"192.0.2.7", "198.51.100.0/24",
				"2001:db8:1::/48", NULL};
	const char *local[] = {"192.0.2.2", "2001:db8::2", NULL};

	sun_conn(&c, &s, "multi", local, remote);
	ck_assert_str_eq(probe(&c, 1, "192.0.2.2", "192.0.2.7"), "multi");
	ck_assert_str_eq(probe(&c, 1, "192.0.2.2", "198.51.100.200"), "multi");
	ck_assert_str_eq(probe(&c, 1, "2001:db8::2", "2001:db8:1:ff::9"),
			 "multi");
	ck_assert_str_eq(probe(&c, 1, "192.0.2.2", "192.0.2.1"), "-");
	ck_assert_str_eq(probe(&c, 1, "2001:db8::2", "2001:db8:2::9"), "-");
	/* Arrived on an address that is not ours in the list. */
	ck_assert_str_eq(probe(&c, 1, "192.0.2.3", "192.0.2.7"), "-");
	ck_assert_str_eq(probe(&c, 1, "2001:db8::3", "2001:db8:1::9"), "-");
}
END_TEST

START_TEST(any_of_a_family)
{
	static struct ike_conn_cfg c[2];
	static struct sides s[2];
	const char *any[] = {"%any", NULL};
	const char *any4[] = {"%any4", NULL};
	const char *any6[] = {"%any6", NULL};
	const char *v6net[] = {"2001:db8::/32", NULL};

	sun_conn(&c[0], &s[0], "v4", any, any4);
	ck_assert_str_eq(probe(c, 1, "192.0.2.2", "203.0.113.5"), "v4");
	ck_assert_str_eq(probe(c, 1, "2001:db8::2", "2001:db8::1"), "-");
	sun_conn(&c[0], &s[0], "v6", any, any6);
	ck_assert_str_eq(probe(c, 1, "2001:db8::2", "2001:db8::1"), "v6");
	ck_assert_str_eq(probe(c, 1, "192.0.2.2", "192.0.2.1"), "-");
	/* A local %any6 refuses what arrived on an IPv4 address. */
	sun_conn(&c[0], &s[0], "v6-here", any6, any);
	ck_assert_str_eq(probe(c, 1, "2001:db8::2", "2001:db8::1"), "v6-here");
	ck_assert_str_eq(probe(c, 1, "192.0.2.2", "192.0.2.1"), "-");
	/* A subnet beats the family's %any. */
	sun_conn(&c[0], &s[0], "v6", any, any6);
	sun_conn(&c[1], &s[1], "doc", any, v6net);
	ck_assert_str_eq(probe(c, 2, "2001:db8::2", "2001:db8::1"), "doc");
	ck_assert_str_eq(probe(c, 2, "2001:db8::2", "2001:db9::1"), "v6");
}
END_TEST

/* Without lists, a connection matches what its endpoints name: the
 * harness's configs (and an engine user's of before the lists). */
START_TEST(no_list_matches_the_endpoints)
{
	static struct ike_conn_cfg c;
	static struct sides s;

	sun_conn(&c, &s, "site", NULL, NULL);
	ck_assert_str_eq(probe(&c, 1, "192.0.2.2", "192.0.2.1"), "site");
	ck_assert_str_eq(probe(&c, 1, "192.0.2.2", "192.0.2.9"), "-");
	ck_assert_str_eq(probe(&c, 1, "192.0.2.3", "192.0.2.1"), "-");
	memset(&c.remote, 0, sizeof(c.remote));
	memset(&c.local, 0, sizeof(c.local));
	ck_assert_str_eq(probe(&c, 1, "2001:db8::2", "2001:db8::1"), "site");
}
END_TEST

/* IKE_AUTH may move the SA to a connection whose peer ID fits better, but
 * only to one the SA's addresses fit. */
START_TEST(id_switch_keeps_to_fitting_addresses)
{
	static struct ike_conn_cfg c[2];
	static struct sides s[2];
	const char *far[] = {"198.51.100.0/24", NULL};
	const char *net[] = {"192.0.2.0/24", NULL};
	const char *host[] = {"192.0.2.1", NULL};

	/* "exact" names moon's ID, but not its address: no switch. */
	sun_conn(&c[0], &s[0], "exact", NULL, far);
	sun_conn(&c[1], &s[1], "anyone", NULL, host);
	c[1].remote_id.type = 0;
	c[1].remote_id.len = 0;
	c[1].remote_id.data = NULL;
	fresh_pair();
	ck_assert_int_eq(ike_engine_set_conns(sun.e, c, 2, now), 0);
	bring_up();
	ck_assert(has_event(&sun, IKE_EV_CHILD_UP));
	ck_assert_str_eq(sun.inst[0].ci.conn, "anyone");
	/* Its subnet holds moon: the exact ID wins over the host address. */
	sun_conn(&c[0], &s[0], "exact", NULL, net);
	fresh_pair();
	ck_assert_int_eq(ike_engine_set_conns(sun.e, c, 2, now), 0);
	sun.watch = "switching to it";
	bring_up();
	ck_assert_uint_eq(sun.logs_with, 1);
	ck_assert(has_event(&sun, IKE_EV_CHILD_UP));
	ck_assert_str_eq(sun.inst[0].ci.conn, "exact");
}
END_TEST

/* The engine keeps copies of the lists and IDs: a reload with equal
 * contents at other addresses leaves the connection as it is, one with
 * another entry replaces it. */
START_TEST(lists_are_copied_and_compared)
{
	static struct ike_conn_cfg c, d;
	static struct sides s, t;
	const char *net[] = {"192.0.2.0/24", "2001:db8::/32", NULL};
	const char *other[] = {"192.0.2.0/24", "2001:db9::/32", NULL};
	struct conn *before;
	char id[] = "moon.example.org";

	fresh_pair();
	sun_conn(&c, &s, "site", NULL, net);
	c.remote_id.data = (const uint8_t *)id;
	ck_assert_int_eq(ike_engine_set_conns(sun.e, &c, 1, now), 0);
	before = sun.e->conns[0];
	ck_assert_ptr_ne(before->cfg.remote_addrs, s.remote);
	ck_assert_ptr_ne(before->cfg.remote_id.data, (const uint8_t *)id);
	memset(&s, 0xee, sizeof(s));
	memset(id, 'x', sizeof(id) - 1);
	sun_conn(&d, &t, "site", NULL, net);
	ck_assert_int_eq(ike_engine_set_conns(sun.e, &d, 1, now), 0);
	ck_assert_ptr_eq(sun.e->conns[0], before);
	sun_conn(&d, &t, "site", NULL, other);
	ck_assert_int_eq(ike_engine_set_conns(sun.e, &d, 1, now), 0);
	ck_assert_ptr_ne(sun.e->conns[0], before);
	/* An ID longer than the engine builds AUTH octets for is refused. */
	d.remote_id.len = IKE_ID_MAX + 1;
	ck_assert_int_lt(ike_engine_set_conns(sun.e, &d, 1, now), 0);
}
END_TEST

Suite *
conn_match_suite(void)
{
	Suite *s = suite_create("conn_match");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, pair_up, teardown_pair);
	tcase_add_test(tc, subnet_remote_accepts_inside_refuses_outside);
	tcase_add_test(tc, more_specific_connection_wins);
	tcase_add_test(tc, every_entry_of_a_list_counts);
	tcase_add_test(tc, any_of_a_family);
	tcase_add_test(tc, no_list_matches_the_endpoints);
	tcase_add_test(tc, id_switch_keeps_to_fitting_addresses);
	tcase_add_test(tc, lists_are_copied_and_compared);
	suite_add_tcase(s, tc);
	return s;
}
