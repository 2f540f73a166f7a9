/* SPDX-License-Identifier: ISC */
/*
 * charond/conns.c: what the engine gets of a connection's local_addrs and
 * remote_addrs. Every entry becomes a match (a subnet stays a subnet, a DNS
 * name the addresses it resolves to), and the initiator's endpoints are the
 * first host addresses.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "daemon.h"
#include "ike_int.h"
#include "tests.h"

static struct daemon d;

/* Loaded as if every plugin were there: psk's keys are claimed. */
static bool
any_key(void *ctx, const char *scope, const char *key)
{
	return true;
}

static const struct ike_conn_cfg *
load(const char *yaml)
{
	static const struct config_opts all = {any_key, NULL};
	static const struct ike_env env = {0};
	struct diag_list dl;
	char *why = NULL;
	size_t i, len = 0;
	FILE *f;
	int rc;

	diag_list_init(&dl);
	rc = config_load_buffer_opts("conns.yaml", yaml, strlen(yaml),
				     CONFIG_NO_FILES, &all, &d.cfg, &dl);
	ck_assert_ptr_nonnull(f = open_memstream(&why, &len));
	diag_print(f, &dl);
	fclose(f);
	ck_assert_msg(rc == 0, "%s", why);
	free(why);
	diag_list_free(&dl);
	ck_assert_ptr_nonnull(d.engine = ike_engine_new(&env));
	ck_assert_int_eq(conns_apply(&d, 1), 0);
	for (i = 0; i < d.engine->n_conns; i++)
		if (strcmp(d.engine->conns[i]->cfg.name, "c") == 0)
			return &d.engine->conns[i]->cfg;
	return NULL;
}

static void
unload(void)
{
	ike_engine_free(d.engine);
	config_free(d.cfg);
	memset(&d, 0, sizeof(d));
}

static void
assert_match(const struct ike_addr_match *m, int family, const char *ip,
	     unsigned prefix)
{
	uint8_t a[16] = {0};

	ck_assert_int_eq(m->family, family);
	ck_assert_uint_eq(m->prefix, prefix);
	if (ip) {
		ck_assert_int_eq(inet_pton(family, ip, a), 1);
		ck_assert_mem_eq(m->addr, a, family == AF_INET ? 4 : 16);
	}
}

static const char *
ep_text(const struct ike_endpoint *ep, char *buf)
{
	const void *a =
	    ep->ss.ss_family == AF_INET6
		? (const void *)&((const struct sockaddr_in6 *)&ep->ss)
		      ->sin6_addr
		: (const void *)&((const struct sockaddr_in *)&ep->ss)
		      ->sin_addr;

	if (ep->ss.ss_family == AF_UNSPEC)
		return "-";
	return inet_ntop(ep->ss.ss_family, a, buf, INET6_ADDRSTRLEN);
}

#define CONN(LOCAL, REMOTE)                                                    \
	"connections:\n  c:\n    local_addrs: " LOCAL                          \
	"\n    remote_addrs: " REMOTE                                          \
	"\n    local: {auth: psk}\n    remote: {auth: psk}\n"                  \
	"secrets: {psk: [{secret: s}]}\n"

/* IDs as the engine gets them: a DN as DER, the rest as before. */
START_TEST(ids_reach_the_engine)
{
	const struct ike_conn_cfg *c =
	    load("connections:\n  c:\n    remote_addrs: [192.0.2.2]\n"
		 "    local: {auth: psk, id: \"CN=moon, O=Example\"}\n"
		 "    remote: {auth: psk, id: sun@example.org}\n"
		 "secrets: {psk: [{secret: s}]}\n");
	char text[128];

	ck_assert_ptr_nonnull(c);
	ck_assert_uint_eq(c->local_id.type, IKEV2_ID_DER_ASN1_DN);
	ck_assert_int_eq(
	    ike_dn_text(c->local_id.data, c->local_id.len, text, sizeof(text)),
	    0);
	ck_assert_str_eq(text, "CN=moon,O=Example");
	ck_assert_uint_eq(c->remote_id.type, IKEV2_ID_RFC822_ADDR);
	unload();
}
END_TEST

START_TEST(every_entry_reaches_the_engine)
{
	const struct ike_conn_cfg *c =
	    load(CONN("[192.0.2.1, \"2001:db8::1\"]",
		      "[198.51.100.0/24, 192.0.2.2, \"%any6\"]"));
	char buf[INET6_ADDRSTRLEN];

	ck_assert_ptr_nonnull(c);
	ck_assert_uint_eq(c->n_local_addrs, 2);
	assert_match(&c->local_addrs[0], AF_INET, "192.0.2.1", 32);
	assert_match(&c->local_addrs[1], AF_INET6, "2001:db8::1", 128);
	ck_assert_uint_eq(c->n_remote_addrs, 3);
	assert_match(&c->remote_addrs[0], AF_INET, "198.51.100.0", 24);
	assert_match(&c->remote_addrs[1], AF_INET, "192.0.2.2", 32);
	assert_match(&c->remote_addrs[2], AF_INET6, NULL, 0);
	/* The initiator: the first host of each side (of the peer's family). */
	ck_assert_str_eq(ep_text(&c->remote, buf), "192.0.2.2");
	ck_assert_str_eq(ep_text(&c->local, buf), "192.0.2.1");
	unload();
}
END_TEST

START_TEST(a_subnet_is_not_any)
{
	const struct ike_conn_cfg *c = load(CONN("[\"%any\"]", "[10.0.0.0/8]"));
	char buf[INET6_ADDRSTRLEN];

	ck_assert_ptr_nonnull(c);
	ck_assert_uint_eq(c->n_remote_addrs, 1);
	assert_match(&c->remote_addrs[0], AF_INET, "10.0.0.0", 8);
	ck_assert_uint_eq(c->n_local_addrs, 1);
	assert_match(&c->local_addrs[0], AF_UNSPEC, NULL, 0);
	/* A subnet is not somewhere to initiate to. */
	ck_assert_str_eq(ep_text(&c->remote, buf), "-");
	unload();
}
END_TEST

START_TEST(a_dns_name_matches_what_it_resolves_to)
{
	const struct ike_conn_cfg *c = load(CONN("[\"%any4\"]", "[localhost]"));
	char buf[INET6_ADDRSTRLEN];
	unsigned i, v4 = 0;

	ck_assert_ptr_nonnull(c);
	ck_assert_uint_ge(c->n_remote_addrs, 1);
	for (i = 0; i < c->n_remote_addrs; i++) {
		const struct ike_addr_match *m = &c->remote_addrs[i];

		ck_assert_uint_eq(m->prefix, m->family == AF_INET ? 32 : 128);
		v4 += m->family == AF_INET && m->addr[0] == 127;
	}
	ck_assert_uint_eq(v4, 1);
	ck_assert_str_ne(ep_text(&c->remote, buf), "-");
	assert_match(&c->local_addrs[0], AF_INET, NULL, 0);
	unload();
}
END_TEST

/* Identities reach the engine in their wire form, sized to it. */
START_TEST(identities)
{
	const struct ike_conn_cfg *c =
	    load("connections:\n  c:\n    remote_addrs: [192.0.2.2]\n"
		 "    local: {auth: psk, id: \"2001:db8::1\"}\n"
		 "    remote: {auth: psk, id: sun.example.org}\n"
		 "secrets: {psk: [{secret: s}]}\n");
	uint8_t a[16];

	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(inet_pton(AF_INET6, "2001:db8::1", a), 1);
	ck_assert_uint_eq(c->local_id.type, IKEV2_ID_IPV6_ADDR);
	ck_assert_uint_eq(c->local_id.len, 16);
	ck_assert_mem_eq(c->local_id.data, a, 16);
	ck_assert_uint_eq(c->remote_id.type, IKEV2_ID_FQDN);
	ck_assert_uint_eq(c->remote_id.len, strlen("sun.example.org"));
	ck_assert_mem_eq(c->remote_id.data, "sun.example.org",
			 c->remote_id.len);
	unload();
}
END_TEST

Suite *
conns_suite(void)
{
	Suite *s = suite_create("conns");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, every_entry_reaches_the_engine);
	tcase_add_test(tc, ids_reach_the_engine);
	tcase_add_test(tc, a_subnet_is_not_any);
	tcase_add_test(tc, a_dns_name_matches_what_it_resolves_to);
	tcase_add_test(tc, identities);
	suite_add_tcase(s, tc);
	return s;
}
