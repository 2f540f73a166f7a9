/* SPDX-License-Identifier: ISC */
/*
 * plugin_views.c: the running configuration as charond_api's views show
 * it, and a view built smaller (an older plugin) filled no further than
 * its size.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <check.h>

#include "config_plugin.h"
#include "daemon.h"
#include "tests.h"

static const struct charond_config_key level = {
    CHAROND_SCOPE_CONN, "level", CHAROND_T_INT, NULL, 0, 9, "",
};

/* The one key the fake daemon's plugins declare. */
const struct charond_config_key *
plugins_find_key(enum charond_scope scope, const char *plugin, const char *key)
{
	return scope == CHAROND_SCOPE_CONN && strcmp(key, "level") == 0 ? &level
									: NULL;
}

static const char yaml[] =
    "connections:\n"
    "  site:\n"
    "    version: 0\n"
    "    remote_addrs: [192.0.2.7, 10.1.0.0/16]\n"
    "    local: {auth: psk, id: moon.example.org}\n"
    "    remote: {auth: psk, id: sun.example.org}\n"
    "    children:\n"
    "      net: {mode: transport, start_action: start}\n"
    "      web: {}\n"
    "secrets:\n"
    "  psk:\n"
    "    - {ids: [moon.example.org, sun.example.org], secret: one}\n"
    "    - {secret: two}\n";

static void
setup(void)
{
	struct diag_list dl;

	diag_list_init(&dl);
	ck_assert_int_eq(config_load_buffer("v.yaml", yaml, strlen(yaml),
					    CONFIG_NO_FILES, &daemon_g.cfg,
					    &dl),
			 0);
	diag_list_free(&dl);
}

static void
teardown(void)
{
	views_reset();
	config_free(daemon_g.cfg);
	daemon_g.cfg = NULL;
}

START_TEST(test_conn_child)
{
	struct charond_conn_view c = {.size = sizeof(c)};
	struct charond_child_view ch = {.size = sizeof(ch)};

	ck_assert_int_eq(views_conn("site", &c), 0);
	ck_assert_uint_eq(c.size, sizeof(c));
	ck_assert_str_eq(c.name, "site");
	ck_assert_uint_eq(c.version, 0);
	ck_assert_str_eq(c.local.auth, "psk");
	ck_assert_str_eq(c.local.id, "moon.example.org");
	ck_assert_str_eq(c.remote.id, "sun.example.org");
	ck_assert_ptr_null(c.remote.ca);
	ck_assert_uint_eq(c.n_children, 2);
	ck_assert_str_eq(c.children[1], "web");
	ck_assert_uint_eq(c.n_local_addrs, 1);
	ck_assert_str_eq(c.local_addrs[0], "%any");
	ck_assert_uint_eq(c.n_remote_addrs, 2);
	ck_assert_str_eq(c.remote_addrs[0], "192.0.2.7");
	ck_assert_str_eq(c.remote_addrs[1], "10.1.0.0/16");
	ck_assert(!c.remote_hosts_only); /* a subnet among them */
	ck_assert_int_eq(views_conn("nope", &c), -1);
	ck_assert_int_eq(views_child("site", "net", &ch), 0);
	ck_assert_str_eq(ch.conn, "site");
	ck_assert(ch.transport);
	ck_assert_str_eq(ch.start_action, "start");
	ck_assert_int_eq(views_child("site", "nope", &ch), -1);
}
END_TEST

START_TEST(test_smaller_view)
{
	struct charond_conn_view c;

	/* A plugin that knows the view only up to `version`. */
	memset(&c, 0xa5, sizeof(c));
	c.size = offsetof(struct charond_conn_view, local);
	ck_assert_int_eq(views_conn("site", &c), 0);
	ck_assert_uint_eq(c.size, offsetof(struct charond_conn_view, local));
	ck_assert_str_eq(c.name, "site");
	ck_assert_uint_eq(c.n_children, 0xa5a5a5a5a5a5a5a5ull);
	/* A size too small for anything: nothing written. */
	c.size = 2;
	c.name = NULL;
	ck_assert_int_eq(views_conn("site", &c), 0);
	ck_assert_ptr_null(c.name);
}
END_TEST

START_TEST(test_secrets_values)
{
	struct charond_secret_view s = {.size = sizeof(s)};
	struct charond_value v;

	ck_assert_int_eq(views_secret("psk", 0, &s), 0);
	ck_assert_uint_eq(s.n_ids, 2);
	ck_assert_str_eq(s.ids[1], "sun.example.org");
	ck_assert_ptr_nonnull(s.secret);
	ck_assert_int_eq(views_secret("psk", 1, &s), 0);
	ck_assert_uint_eq(s.n_ids, 0);
	ck_assert_int_eq(views_secret("psk", 2, &s), -1);
	ck_assert_int_eq(views_secret("cert", 0, &s), -1);
	/* Declared, not written: its type, unset. Undeclared: -1. */
	ck_assert_int_eq(
	    views_value(CHAROND_SCOPE_CONN, "site", NULL, "level", &v), 0);
	ck_assert(!v.set);
	ck_assert_int_eq(v.type, CHAROND_T_INT);
	ck_assert_int_eq(
	    views_value(CHAROND_SCOPE_CONN, "site", NULL, "other", &v), -1);
}
END_TEST

/* A registry where x509 is loaded and every auth method provided. */
static const struct charond_config_key *
reg_find(void *ctx, enum charond_scope scope, const char *plugin,
	 const char *key)
{
	return NULL;
}

static bool
reg_is_map(void *ctx, enum charond_scope scope, const char *plugin,
	   const char *prefix)
{
	return false;
}

static bool
reg_loaded(void *ctx, const char *plugin)
{
	return strcmp(plugin, "x509") == 0;
}

static int
reg_auth(void *ctx, const char *name, char *hint, size_t len)
{
	return 0;
}

static const struct config_plugin_registry with_x509 = {
    .find = reg_find,
    .is_map = reg_is_map,
    .loaded = reg_loaded,
    .auth = reg_auth,
};

/* The authorities a connection trusts: remote.ca's, else all; the keys
 * the core parses for x509 taken while it is loaded, refused without. */
START_TEST(test_authorities)
{
	static const char pki[] =
	    "authorities:\n"
	    "  one: {cacert: /a.pem, crl: /a.crl}\n"
	    "  two: {cacert: /b.pem}\n"
	    "  three: {cacert: /c.pem, crl: [/c.crl, /i.crl]}\n"
	    "connections:\n"
	    "  any:\n"
	    "    local: {auth: pubkey, certs: [/me.pem], key: /me.key}\n"
	    "    remote: {auth: pubkey}\n"
	    "  only:\n"
	    "    remote: {auth: pubkey, ca: two}\n"
	    "secrets:\n"
	    "  private:\n"
	    "    - {file: /me.key, secret: pw}\n";
	struct charond_conn_view c = {.size = sizeof(c)};
	struct diag_list dl;

	views_reset();
	config_free(daemon_g.cfg);
	daemon_g.cfg = NULL;
	diag_list_init(&dl);
	ck_assert_int_eq(config_load_buffer("a.yaml", pki, strlen(pki),
					    CONFIG_NO_FILES, &daemon_g.cfg,
					    &dl),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(dl.v[0].msg, "needs the x509 plugin"));
	diag_list_free(&dl);
	config_plugin_set_registry(&with_x509);
	diag_list_init(&dl);
	ck_assert_int_eq(config_load_buffer("a.yaml", pki, strlen(pki),
					    CONFIG_NO_FILES, &daemon_g.cfg,
					    &dl),
			 0);
	diag_list_free(&dl);
	config_plugin_set_registry(NULL);
	ck_assert_int_eq(views_conn("any", &c), 0);
	ck_assert_uint_eq(c.n_authorities, 3);
	ck_assert_str_eq(c.authorities[0].name, "one");
	ck_assert_str_eq(c.authorities[0].cacert, "/a.pem");
	ck_assert_str_eq(c.authorities[0].crl, "/a.crl");
	ck_assert_ptr_null(c.authorities[1].crl);
	/* A list of CRLs: every file in authority_crls, the first in crl
	 * for plugins built before lists. */
	ck_assert_uint_eq(c.authority_crls[0].n, 1);
	ck_assert_str_eq(c.authority_crls[0].files[0], "/a.crl");
	ck_assert_uint_eq(c.authority_crls[1].n, 0);
	ck_assert_str_eq(c.authorities[2].crl, "/c.crl");
	ck_assert_uint_eq(c.authority_crls[2].n, 2);
	ck_assert_str_eq(c.authority_crls[2].files[1], "/i.crl");
	ck_assert_str_eq(c.local.certs[0], "/me.pem");
	ck_assert_str_eq(c.local.key, "/me.key");
	/* local.key's passphrase, and where it was written. */
	ck_assert_ptr_nonnull(c.local_key_secret);
	ck_assert_mem_eq(c.local_key_secret->ptr, "pw", 2);
	ck_assert_str_eq(c.local_key_secret_file, "a.yaml");
	ck_assert_uint_eq(c.local_key_secret_line, 13);
	ck_assert_int_eq(views_conn("only", &c), 0);
	ck_assert_ptr_null(c.local_key_secret);
	ck_assert_uint_eq(c.n_authorities, 1);
	ck_assert_str_eq(c.authorities[0].name, "two");
	ck_assert_uint_eq(c.authority_crls[0].n, 0);
	ck_assert_str_eq(c.remote.ca, "two");
}
END_TEST

Suite *
plugin_views_suite(void)
{
	Suite *s = suite_create("plugin_views");
	TCase *tc = tcase_create("views");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_conn_child);
	tcase_add_test(tc, test_smaller_view);
	tcase_add_test(tc, test_secrets_values);
	tcase_add_test(tc, test_authorities);
	suite_add_tcase(s, tc);
	return s;
}
