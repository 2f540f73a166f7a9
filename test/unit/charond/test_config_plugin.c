/* SPDX-License-Identifier: ISC */
/*
 * Keys plugins declare (config_plugin.c), with a fake registry in place of
 * the daemon's plugins: each type checked and kept with its position,
 * dotted keys as maps, the plugins: sections, undeclared keys and auth
 * methods no plugin provides refused with FILE:LINE:COL, the comparison a
 * reload makes, and the daemon-only load that comes before the plugins.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "config_int.h"
#include "config_plugin.h"
#include "tests.h"

static const char *const colours[] = {"red", "green", NULL};

static const struct charond_config_key keys[] = {
    {CHAROND_SCOPE_CONN, "dpd.delay", CHAROND_T_DURATION, NULL, 0, 0, ""},
    {CHAROND_SCOPE_CONN, "dpd.action", CHAROND_T_ENUM, colours, 0, 0, ""},
    {CHAROND_SCOPE_CONN, "level", CHAROND_T_INT, NULL, 2, 9, ""},
    {CHAROND_SCOPE_CONN, "name", CHAROND_T_STRING, NULL, 0, 0, ""},
    {CHAROND_SCOPE_CHILD, "l2tp", CHAROND_T_BOOL, NULL, 0, 0, ""},
    {CHAROND_SCOPE_PLUGIN, "ports", CHAROND_T_LIST, NULL, 0, 0, ""},
    {0, NULL, 0, NULL, 0, 0, NULL},
};

/* One plugin, "fake", declaring keys and providing auth "psk". */
static const struct charond_config_key *
fake_find(void *ctx, enum charond_scope scope, const char *plugin,
	  const char *key)
{
	const struct charond_config_key *k;

	if (scope == CHAROND_SCOPE_PLUGIN &&
	    (!plugin || strcmp(plugin, "fake") != 0))
		return NULL;
	for (k = keys; k->key; k++)
		if (k->scope == scope && strcmp(k->key, key) == 0)
			return k;
	return NULL;
}

static bool
fake_is_map(void *ctx, enum charond_scope scope, const char *plugin,
	    const char *prefix)
{
	const struct charond_config_key *k;
	size_t n = strlen(prefix);

	for (k = keys; k->key; k++)
		if (k->scope == scope && strncmp(k->key, prefix, n) == 0 &&
		    k->key[n] == '.')
			return true;
	return false;
}

static bool
fake_loaded(void *ctx, const char *plugin)
{
	return strcmp(plugin, "fake") == 0;
}

static int
fake_auth(void *ctx, const char *name, char *hint, size_t len)
{
	if (strcmp(name, "psk") == 0)
		return 0;
	snprintf(hint, len, "%s",
		 strcmp(name, "pubkey") == 0 ? "x509 does" : "");
	return -1;
}

static const struct config_plugin_registry fake = {
    NULL, fake_find, fake_is_map, fake_loaded, fake_auth,
};

#define HEAD                                                                   \
	"connections:\n"                                                       \
	"  site:\n"                                                            \
	"    local: {auth: psk}\n"                                             \
	"    remote: {auth: psk}\n"
#define TAIL "secrets: {psk: [{secret: s}]}\n"

static struct config *
load(const char *yaml, struct diag_list *dl)
{
	struct config *cfg = NULL;

	diag_list_init(dl);
	config_load_buffer("t.yaml", yaml, strlen(yaml), CONFIG_NO_FILES, &cfg,
			   dl);
	return cfg;
}

static char *
dump(const struct diag_list *dl)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	diag_print(f, dl);
	fclose(f);
	return out;
}

START_TEST(test_values)
{
	struct diag_list dl;
	struct charond_value v;
	struct config *cfg;
	char *all;

	config_plugin_set_registry(&fake);
	cfg = load(HEAD "    dpd: {delay: 30s, action: green}\n"
			"    level: 9\n"
			"    name: hello\n"
			"    children:\n"
			"      net: {l2tp: true}\n" TAIL "plugins:\n"
			"  fake: {ports: [500, 4500]}\n",
		   &dl);
	all = dump(&dl);
	ck_assert_msg(cfg != NULL, "%s", all);
	free(all);
	ck_assert_int_eq(config_plugin_value(cfg, CHAROND_SCOPE_CONN, "site",
					     NULL, "dpd.delay", &v),
			 0);
	ck_assert(v.set && v.type == CHAROND_T_DURATION);
	ck_assert_uint_eq(v.u.ms, 30000);
	ck_assert_str_eq(v.file, "t.yaml");
	ck_assert_uint_eq(v.line, 5);
	ck_assert_uint_eq(v.col, 18);
	ck_assert_int_eq(config_plugin_value(cfg, CHAROND_SCOPE_CONN, "site",
					     NULL, "dpd.action", &v),
			 0);
	ck_assert_uint_eq(v.u.choice, 1);
	ck_assert_int_eq(config_plugin_value(cfg, CHAROND_SCOPE_CONN, "site",
					     NULL, "level", &v),
			 0);
	ck_assert_int_eq(v.u.i, 9);
	ck_assert_int_eq(config_plugin_value(cfg, CHAROND_SCOPE_CONN, "site",
					     NULL, "name", &v),
			 0);
	ck_assert_str_eq(v.u.s, "hello");
	ck_assert_int_eq(config_plugin_value(cfg, CHAROND_SCOPE_CHILD, "site",
					     "net", "l2tp", &v),
			 0);
	ck_assert(v.u.b);
	ck_assert_int_eq(config_plugin_value(cfg, CHAROND_SCOPE_PLUGIN, "fake",
					     NULL, "ports", &v),
			 0);
	ck_assert_uint_eq(v.u.list.n, 2);
	ck_assert_str_eq(v.u.list.v[1], "4500");
	/* Not written: no value (the plugin's default applies). */
	ck_assert_int_eq(config_plugin_value(cfg, CHAROND_SCOPE_CHILD, "site",
					     "other", "l2tp", &v),
			 -1);
	ck_assert_str_eq(cfg->conns[0].local.auth, "psk");
	ck_assert(config_plugin_equal_conn(cfg, cfg, "site"));
	config_free(cfg);
	diag_list_free(&dl);
	config_plugin_set_registry(NULL);
}
END_TEST

START_TEST(test_errors)
{
	static const char *const want[] = {
	    "t.yaml:5:11: error: unknown key 'delya' in 'dpd' in connection "
	    "'site': no loaded plugin declares 'dpd.delya'",
	    "t.yaml:5:31: error: bad value 'blue' for 'dpd.action': expected "
	    "red|green",
	    "t.yaml:6:12: error: bad value '1' for 'level': expected 2 to 9",
	    "t.yaml:7:5: error: unknown key 'bogus' in connection 'site'",
	    "t.yaml:9:19: error: bad value 'maybe' for 'l2tp': expected true "
	    "or false",
	    "t.yaml:12:22: error: unknown key 'port' in plugins 'fake': plugin "
	    "'fake' declares no such key",
	    "t.yaml:13:3: error: settings for plugin 'other', which is not "
	    "loaded (daemon.plugins, daemon.plugin_dir)",
	    "t.yaml:14:3: error: duplicate plugin section 'fake' (first at "
	    "12:3)",
	    "t.yaml:4:20: error: connection 'site': no loaded plugin provides "
	    "auth method 'pubkey' (x509 does)",
	    NULL,
	};
	struct diag_list dl;
	struct config *cfg;
	char buf[512], *all;
	size_t i;

	config_plugin_set_registry(&fake);
	cfg = load("connections:\n"
		   "  site:\n"
		   "    local: {auth: psk}\n"
		   "    remote: {auth: pubkey}\n"
		   "    dpd: {delya: 30s, action: blue}\n"
		   "    level: 1\n"
		   "    bogus: 1\n"
		   "    children:\n"
		   "      net: {l2tp: maybe}\n" TAIL "plugins:\n"
		   "  fake: {ports: [1], port: 1}\n"
		   "  other: {x: 1}\n"
		   "  fake: {port: 1}\n",
		   &dl);
	all = dump(&dl);
	ck_assert_ptr_null(cfg);
	for (i = 0; i < dl.n && want[i]; i++) {
		diag_format(&dl.v[i], buf, sizeof(buf));
		ck_assert_msg(strcmp(buf, want[i]) == 0,
			      "diagnostic %zu:\n got: %s\nwant: %s\nall:\n%s",
			      i, buf, want[i], all);
	}
	ck_assert_msg(i == dl.n && want[i] == NULL, "count; all:\n%s", all);
	free(all);
	diag_list_free(&dl);
	config_plugin_set_registry(NULL);
}
END_TEST

START_TEST(test_without_registry)
{
	struct diag_list dl;
	struct config *cfg;

	/* Unit tests and fuzzing: no plugin keys, any auth method name; a
	 * key only a plugin acts on is refused, never accepted and ignored. */
	cfg = load(HEAD "    dpd: {delay: 30s}\n" TAIL, &dl);
	ck_assert_ptr_null(cfg);
	ck_assert_uint_eq(dl.n_errors, 1);
	ck_assert_ptr_nonnull(strstr(dl.v[0].msg, "not supported yet: dpd"));
	diag_list_free(&dl);
	cfg = load(HEAD TAIL, &dl);
	ck_assert_ptr_nonnull(cfg);
	ck_assert_int_eq(cfg->plugin_values == NULL, 1);
	config_free(cfg);
	diag_list_free(&dl);
	cfg = load("connections:\n  c:\n    local: {auth: eap-tls}\n"
		   "    remote: {auth: eap-tls}\n",
		   &dl);
	ck_assert_ptr_nonnull(cfg);
	ck_assert_str_eq(cfg->conns[0].remote.auth, "eap-tls");
	config_free(cfg);
	diag_list_free(&dl);
	cfg = load("plugins: {fake: {ports: [1]}}\n", &dl);
	ck_assert_ptr_null(cfg);
	diag_list_free(&dl);
}
END_TEST

START_TEST(test_reload_compare)
{
	struct diag_list dl;
	struct config *a, *b, *c;

	config_plugin_set_registry(&fake);
	a = load(HEAD "    level: 3\n" TAIL, &dl);
	diag_list_free(&dl);
	b = load(HEAD "    level: 3\n" TAIL, &dl);
	diag_list_free(&dl);
	c = load(HEAD "    level: 4\n" TAIL, &dl);
	diag_list_free(&dl);
	ck_assert(a && b && c);
	ck_assert(config_plugin_equal_conn(a, b, "site"));
	ck_assert(!config_plugin_equal_conn(a, c, "site"));
	config_free(a);
	config_free(b);
	config_free(c);
	/* Without the value at all: changed as well. */
	a = load(HEAD TAIL, &dl);
	diag_list_free(&dl);
	b = load(HEAD "    level: 3\n" TAIL, &dl);
	diag_list_free(&dl);
	ck_assert(!config_plugin_equal_conn(a, b, "site"));
	config_free(a);
	config_free(b);
	config_plugin_set_registry(NULL);
}
END_TEST

START_TEST(test_many)
{
	size_t cap = 64 * 1024, used = 0, i;
	char *yaml = malloc(cap), name[32];
	struct charond_value v;
	struct diag_list dl;
	struct config *cfg;

	/* Enough values for the index to grow a few times. */
	config_plugin_set_registry(&fake);
	ck_assert_ptr_nonnull(yaml);
	used += (size_t)snprintf(yaml, cap, "connections:\n");
	for (i = 0; i < 300; i++)
		used += (size_t)snprintf(
		    yaml + used, cap - used,
		    "  c%zu: {local: {auth: psk}, remote: {auth: psk}, level: "
		    "%zu, children: {n%zu: {l2tp: %s}}}\n",
		    i, 2 + i % 8, i, i % 2 ? "true" : "false");
	snprintf(yaml + used, cap - used, "%s", TAIL);
	cfg = load(yaml, &dl);
	ck_assert_ptr_nonnull(cfg);
	for (i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "c%zu", i);
		ck_assert_int_eq(config_plugin_value(cfg, CHAROND_SCOPE_CONN,
						     name, NULL, "level", &v),
				 0);
		ck_assert_int_eq(v.u.i, (int64_t)(2 + i % 8));
		snprintf(name + strlen(name), sizeof(name) - strlen(name), "x");
		ck_assert_int_eq(config_plugin_value(cfg, CHAROND_SCOPE_CONN,
						     name, NULL, "level", &v),
				 -1);
	}
	ck_assert_int_eq(config_plugin_value(cfg, CHAROND_SCOPE_CHILD, "c7",
					     "n7", "l2tp", &v),
			 0);
	ck_assert(v.u.b);
	ck_assert_int_eq(config_plugin_value(cfg, CHAROND_SCOPE_CHILD, "c7",
					     "n6", "l2tp", &v),
			 -1);
	config_free(cfg);
	diag_list_free(&dl);
	free(yaml);
	config_plugin_set_registry(NULL);
}
END_TEST

/*
 * A plugin's check (plugin.h's struct charond_check) over the config being
 * loaded: views of it, and reports placed at what they name. Each
 * connection's `name` key says what to report: "error" at its level key,
 * "warn" at its child's l2tp key, "certs" at local.certs, "side" at
 * remote.id (not a position of its own: remote's), "none" at a key not
 * written (the connection's name).
 */
static void
fake_check(void *ctx, const struct charond_check *ck)
{
	struct charond_conn_view c = {.size = sizeof(c)};
	struct charond_child_view ch = {.size = sizeof(ch)};
	struct charond_secret_view sv = {.size = sizeof(sv)};
	struct charond_value v;
	size_t i;

	ck_assert_int_eq(ck->secret(ck, "psk", 0, &sv), 0);
	ck_assert_int_eq(ck->secret(ck, "psk", 1, &sv), -1);
	for (i = 0; ck->conn_at(ck, i, &c) == 0; i++) {
		ck_assert_int_eq(ck->conn(ck, c.name, &c), 0);
		if (ck->value(ck, CHAROND_SCOPE_CONN, c.name, NULL, "name",
			      &v) < 0 ||
		    !v.set)
			continue;
		if (strcmp(v.u.s, "error") == 0)
			ck->report(ck, CHAROND_ERROR, c.name, NULL, "level",
				   "level of '%s' is wrong", c.name);
		if (strcmp(v.u.s, "warn") == 0) {
			ck_assert_uint_eq(c.n_children, 1);
			ck_assert_int_eq(
			    ck->child(ck, c.name, c.children[0], &ch), 0);
			ck->report(ck, CHAROND_WARNING, c.name, ch.name, "l2tp",
				   "child '%s' looks odd", ch.name);
		}
		if (strcmp(v.u.s, "certs") == 0)
			ck->report(ck, CHAROND_WARNING, c.name, NULL,
				   "local.certs", "certs of %s", c.local.auth);
		if (strcmp(v.u.s, "side") == 0)
			ck->report(ck, CHAROND_WARNING, c.name, NULL,
				   "remote.id", "remote of %s", c.name);
		if (strcmp(v.u.s, "none") == 0)
			ck->report(ck, CHAROND_WARNING, c.name, NULL, "level",
				   "no level");
	}
}

static const struct config_plugin_registry checking = {
    NULL, fake_find, fake_is_map, fake_loaded, fake_auth, fake_check,
};

/* certs is claimed by the x509 plugin: here, it is loaded. */
static bool
all_keys(void *ctx, const char *scope, const char *key)
{
	return true;
}

static struct config *
load_all(const char *yaml, struct diag_list *dl)
{
	static const struct config_opts opts = {all_keys, NULL};
	struct config *cfg = NULL;

	diag_list_init(dl);
	config_load_buffer_opts("t.yaml", yaml, strlen(yaml), CONFIG_NO_FILES,
				&opts, &cfg, dl);
	return cfg;
}

START_TEST(test_check)
{
	struct diag_list dl;
	struct config *cfg;
	char *all;

	config_plugin_set_registry(&checking);
	/* Warnings only: printed, and the config loads. */
	cfg = load_all(HEAD "    name: warn\n"
			    "    children: {net: {l2tp: true}}\n"
			    "  b:\n"
			    "    local: {auth: psk, certs: [c.pem]}\n"
			    "    remote: {auth: psk, id: x}\n"
			    "    name: certs\n"
			    "  c:\n"
			    "    local: {auth: psk}\n"
			    "    remote: {auth: psk, id: x}\n"
			    "    name: side\n"
			    "  d:\n"
			    "    local: {auth: psk}\n"
			    "    remote: {auth: psk}\n"
			    "    name: none\n" TAIL,
		       &dl);
	all = dump(&dl);
	ck_assert_msg(cfg != NULL, "%s", all);
	ck_assert_str_eq(all, "t.yaml:6:28: warning: child 'net' looks odd\n"
			      "t.yaml:8:31: warning: certs of psk\n"
			      "t.yaml:13:20: warning: remote of c\n"
			      "t.yaml:15:3: warning: no level\n");
	free(all);
	config_free(cfg);
	diag_list_free(&dl);
	/* An error refuses it, at the key named. */
	cfg = load_all(HEAD "    level: 3\n"
			    "    name: error\n" TAIL,
		       &dl);
	all = dump(&dl);
	ck_assert_msg(cfg == NULL, "%s", all);
	ck_assert_str_eq(all, "t.yaml:5:12: error: level of 'site' is wrong\n");
	free(all);
	diag_list_free(&dl);
	config_plugin_set_registry(NULL);
}
END_TEST

START_TEST(test_daemon_only)
{
	struct diag_list dl;
	struct config *cfg = NULL;
	const char *yaml = "daemon: {plugins: [psk, dpd], port: 600}\n"
			   "connections: {site: {dpd: {delay: 1s}}}\n"
			   "plugins: {dpd: {x: 1}}\n";

	/* The rest of the file is not looked at before the plugins are. */
	diag_list_init(&dl);
	ck_assert_int_eq(
	    config_load_buffer("t.yaml", yaml, strlen(yaml),
			       CONFIG_NO_FILES | CONFIG_DAEMON_ONLY, &cfg, &dl),
	    0);
	ck_assert_uint_eq(dl.n, 0);
	ck_assert_uint_eq(cfg->daemon.n_plugins, 2);
	ck_assert_str_eq(cfg->daemon.plugins[1], "dpd");
	ck_assert_uint_eq(cfg->daemon.port, 600);
	ck_assert_uint_eq(cfg->n_conns, 0);
	config_free(cfg);
	diag_list_free(&dl);
}
END_TEST

Suite *
config_plugin_suite(void)
{
	Suite *s = suite_create("config_plugin");
	TCase *tc = tcase_create("plugin keys");

	tcase_add_test(tc, test_values);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_without_registry);
	tcase_add_test(tc, test_reload_compare);
	tcase_add_test(tc, test_many);
	tcase_add_test(tc, test_check);
	tcase_add_test(tc, test_daemon_only);
	suite_add_tcase(s, tc);
	return s;
}
