/* SPDX-License-Identifier: ISC */
/*
 * The configuration loader end to end: the sample configs, defaults, every
 * class of error with its exact FILE:LINE:COL and text, many errors in one
 * pass, includes (order, loops, unreadable files), secrets (hex, files),
 * YAML aliases and their limits, and the comparison used on reload.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <check.h>

#include "config_int.h"
#include "config_plugin.h"
#include "ikev2_const.h"
#include "tests.h"

#define NAME     "test.yaml"
#define CONF     TEST_DATA "/config/"
#define SAMPLES  TEST_DATA "/../../etc/"
#define PSK_TAIL "secrets: {psk: [{secret: s}]}\n"

/* Most tests load as if every plugin were there (claimed keys accepted);
 * test_claimed_keys and the samples also load with none. */
static bool
any_key(void *ctx, const char *scope, const char *key)
{
	return true;
}

static const struct config_opts all_plugins = {any_key, NULL};
#define ALL (&all_plugins)

/*
 * The psk plugin (plugins/psk/psk.c, linked in) checks each config as the
 * daemon's registry has it do: a PSK must fit every psk connection. No
 * plugin keys; every auth method is taken.
 */
extern const struct charond_plugin charond_plugin;

static const struct charond_config_key *
no_key(void *ctx, enum charond_scope scope, const char *plugin, const char *key)
{
	return NULL;
}

static bool
no_map(void *ctx, enum charond_scope scope, const char *plugin,
       const char *prefix)
{
	return false;
}

static bool
not_loaded(void *ctx, const char *plugin)
{
	return false;
}

static int
any_auth(void *ctx, const char *name, char *hint, size_t len)
{
	return 0;
}

static void
psk_check(void *ctx, const struct charond_check *ck)
{
	ck_assert_int_eq(charond_plugin.check(ck), 0);
}

static const struct config_plugin_registry with_psk = {
    .find = no_key,
    .is_map = no_map,
    .loaded = not_loaded,
    .auth = any_auth,
    .check = psk_check,
};

static void
setup(void)
{
	config_plugin_set_registry(&with_psk);
}

static void
teardown(void)
{
	config_plugin_set_registry(NULL);
}

/* Every diagnostic, one per line, for failure messages. */
static char *
dump(const struct diag_list *dl)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	ck_assert_ptr_nonnull(f);
	diag_print(f, dl);
	fclose(f);
	return out;
}

static struct config *
load_str(const char *yaml, unsigned flags, struct diag_list *dl)
{
	struct config *cfg = (struct config *)1;
	int r;

	diag_list_init(dl);
	r = config_load_buffer_opts(NAME, yaml, strlen(yaml), flags, ALL, &cfg,
				    dl);
	ck_assert(r == 0 ? cfg != NULL : cfg == NULL);
	return cfg;
}

/* Compare the diagnostics, in order, with want (NULL-terminated). The load
 * must fail exactly when one of them is an error. */
static void
check_diags(struct config *cfg, struct diag_list *dl, const char *const *want)
{
	bool error = false;
	char buf[1024], *all;
	size_t i;

	for (i = 0; want[i] != NULL; i++)
		error |= strstr(want[i], ": error: ") != NULL;
	all = dump(dl);
	for (i = 0; i < dl->n && want[i] != NULL; i++) {
		diag_format(&dl->v[i], buf, sizeof(buf));
		ck_assert_msg(strcmp(buf, want[i]) == 0,
			      "diagnostic %zu:\n got: %s\nwant: %s\nall:\n%s",
			      i, buf, want[i], all);
	}
	ck_assert_msg(want[i] == NULL && i == dl->n,
		      "%zu diagnostics, want %zu; all:\n%s", dl->n,
		      i + (want[i] ? 1 : 0), all);
	free(all);
	ck_assert_msg((cfg == NULL) == error, "load %s",
		      cfg ? "succeeded" : "failed");
}

static void
expect(const char *yaml, unsigned flags, const char *const *want)
{
	struct diag_list dl;
	struct config *cfg = load_str(yaml, flags, &dl);

	check_diags(cfg, &dl, want);
	config_free(cfg);
	diag_list_free(&dl);
}

static void
expect_file(const char *path, const char *const *want)
{
	struct diag_list dl;
	struct config *cfg = NULL;

	diag_list_init(&dl);
	config_load_opts(path, ALL, &cfg, &dl);
	check_diags(cfg, &dl, want);
	config_free(cfg);
	diag_list_free(&dl);
}

#define EXPECT(yaml, ...)                                                      \
	do {                                                                   \
		static const char *const w_[] = {__VA_ARGS__, NULL};           \
		expect((yaml), CONFIG_NO_FILES, w_);                           \
	} while (0)
#define EXPECT_OK(yaml)                                                        \
	do {                                                                   \
		static const char *const w_[] = {NULL};                        \
		expect((yaml), CONFIG_NO_FILES, w_);                           \
	} while (0)
#define EXPECT_FILE(path, ...)                                                 \
	do {                                                                   \
		static const char *const w_[] = {__VA_ARGS__, NULL};           \
		expect_file((path), w_);                                       \
	} while (0)

static struct config *
load_ok(const char *yaml)
{
	struct diag_list dl;
	struct config *cfg = load_str(yaml, CONFIG_NO_FILES, &dl);
	char *all = dump(&dl);

	ck_assert_msg(cfg != NULL && dl.n == 0, "diagnostics:\n%s", all);
	free(all);
	diag_list_free(&dl);
	return cfg;
}

static struct config *
load_file_ok(const char *path, size_t warnings)
{
	struct config *cfg = NULL;
	struct diag_list dl;
	char *all;

	diag_list_init(&dl);
	config_load_opts(path, ALL, &cfg, &dl);
	all = dump(&dl);
	ck_assert_msg(cfg != NULL && dl.n_errors == 0 &&
			  dl.n_warnings == warnings,
		      "%s:\n%s", path, all);
	free(all);
	diag_list_free(&dl);
	return cfg;
}

static void
assert_ts(const struct cfg_ts *ts, const char *want)
{
	char buf[128];

	cfg_ts_format(ts, buf, sizeof(buf));
	ck_assert_str_eq(buf, want);
}

static void
assert_addr(const struct cfg_addr *a, const char *want)
{
	char buf[128];

	cfg_addr_format(a, buf, sizeof(buf));
	ck_assert_str_eq(buf, want);
}

static void
assert_props(const struct proposal *p, size_t n, const char *want)
{
	char buf[1024];

	ck_assert_int_eq(prop_format_list(p, n, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, want);
}

static void
assert_default_props(const struct proposal *p, size_t n, uint8_t proto)
{
	struct proposal d[IKE_MAX_PROPOSALS];
	int nd = prop_default(proto, d, IKE_MAX_PROPOSALS);
	size_t i;

	ck_assert_int_gt(nd, 0);
	ck_assert_uint_eq(n, (size_t)nd);
	for (i = 0; i < n; i++)
		ck_assert(prop_equal(&p[i], &d[i]));
}

/* --- the samples --------------------------------------------------------- */

START_TEST(test_sample_site)
{
	struct config *cfg = load_file_ok(SAMPLES "charond.yaml", 0);
	const struct conn_cfg *c = config_find_conn(cfg, "site");
	const struct child_cfg *ch;
	const struct psk_cfg *p;

	ck_assert_str_eq(cfg->daemon.socket, "/run/charond/charond.sock");
	ck_assert_uint_eq(cfg->daemon.n_listen, 2);
	ck_assert_uint_eq(cfg->daemon.port, 500);
	ck_assert_uint_eq(cfg->daemon.port_nat_t, 4500);
	ck_assert(cfg->daemon.all_plugins);
	ck_assert_int_eq(cfg->daemon.log_level, CFG_LOG_INFO);
	ck_assert_int_eq(cfg->daemon.log_format, CFG_LOG_TEXT);
	ck_assert_uint_eq(cfg->daemon.retransmit_timeout_ms, 4000);
	ck_assert_double_eq(cfg->daemon.retransmit_base, 1.8);
	ck_assert_uint_eq(cfg->daemon.retransmit_tries, 5);

	ck_assert_uint_eq(cfg->n_conns, 1);
	ck_assert_ptr_nonnull(c);
	ck_assert_uint_eq(c->version, 2);
	ck_assert_uint_eq(c->n_local_addrs, 1);
	assert_addr(&c->local_addrs[0], "192.0.2.1");
	assert_addr(&c->remote_addrs[0], "192.0.2.2");
	ck_assert_uint_eq(c->remote_addrs[0].prefix, 32);
	assert_props(c->proposals, c->n_proposals,
		     "aes128gcm16-prfsha256-ecp256");
	ck_assert_uint_eq(c->proposals[0].num, 1);
	/* dpd and encap are their plugins' (plugins/dpd, plugins/natt). */
	ck_assert_uint_eq(c->rekey_time_ms, 4 * 3600 * 1000);
	ck_assert_uint_eq(c->keyingtries, 3);
	ck_assert_str_eq(c->local.auth, "psk");
	ck_assert_str_eq(c->local.id, "moon.example.org");
	ck_assert_str_eq(c->remote.auth, "psk");
	ck_assert_str_eq(c->remote.id, "sun.example.org");
	ck_assert_uint_eq(c->pos.line, 38);
	ck_assert_uint_eq(c->pos.col, 3);

	ch = config_find_child(c, "net");
	ck_assert_ptr_nonnull(ch);
	ck_assert_int_eq(ch->mode, CFG_MODE_TUNNEL);
	ck_assert_uint_eq(ch->n_local_ts, 1);
	assert_ts(&ch->local_ts[0], "10.1.0.0/16");
	assert_ts(&ch->remote_ts[0], "10.2.0.0/16");
	assert_props(ch->esp_proposals, ch->n_esp_proposals, "aes128gcm16");
	ck_assert_int_eq(ch->start_action, CFG_START_START);
	ck_assert_uint_eq(ch->rekey_time_ms, 3600 * 1000);
	ck_assert_int_eq(ch->hw_offload, CFG_HW_NO);
	ck_assert(!ch->l2tp);

	ck_assert_uint_eq(cfg->n_psks, 1);
	p = &cfg->psks[0];
	ck_assert_uint_eq(p->n_ids, 2);
	ck_assert_str_eq(p->ids[1], "sun.example.org");
	ck_assert_uint_eq(p->secret->len, 32);
	ck_assert_uint_eq(p->secret->ptr[0], 0x6a);
	ck_assert_uint_eq(p->secret->ptr[31], 0x05);
	config_free(cfg);
}
END_TEST

/* Without IKEv1 and the dpd and l2tp plugins, the L2TP sample is refused with
 * the keys it needs; with them (below), it loads. */
START_TEST(test_sample_l2tp_refused)
{
	struct config *cfg = (struct config *)1;
	struct diag_list dl;
	static const char *const want[] = {
	    SAMPLES "examples/l2tp-server.yaml:30:5: error: not supported "
		    "yet: dpd (needs the dpd plugin)",
	    SAMPLES "examples/l2tp-server.yaml:40:9: error: not supported "
		    "yet: l2tp (needs the l2tp plugin)",
	    NULL,
	};

	diag_list_init(&dl);
	ck_assert_int_eq(
	    config_load(SAMPLES "examples/l2tp-server.yaml", &cfg, &dl),
	    -EINVAL);
	check_diags(cfg, &dl, want);
	diag_list_free(&dl);
}
END_TEST

/* The x509 plugin's keys (certs, key) taken; IKEv1's own limits not. */
static bool
all_but_v1(void *ctx, const char *scope, const char *key)
{
	return strcmp(key, "version=1") != 0;
}

/* IKEv1 so far: a pre-shared key or certificates (the same on both
 * ends), with children or without; other methods are refused at the
 * connection, unless a check supports "version=1". */
START_TEST(test_version_1_psk_or_pubkey)
{
	static const char *const yaml[] = {
	    "connections:\n"
	    "  c:\n"
	    "    version: 1\n"
	    "    remote_addrs: 192.0.2.2\n"
	    "    local: {auth: psk}\n"
	    "    remote: {auth: psk}\n" PSK_TAIL,
	    "connections:\n"
	    "  c:\n"
	    "    version: 1\n"
	    "    local: {auth: psk}\n"
	    "    remote: {auth: psk}\n"
	    "    children: {ch: {}}\n" PSK_TAIL,
	    "connections:\n"
	    "  c:\n"
	    "    version: 1\n"
	    "    local: {auth: psk}\n"
	    "    remote: {auth: pubkey}\n" PSK_TAIL,
	    /* Certificates on both ends: Main Mode with signatures. */
	    "connections:\n"
	    "  c:\n"
	    "    version: 1\n"
	    "    remote_addrs: 192.0.2.2\n"
	    "    local: {auth: pubkey, certs: [a.pem], key: a.key}\n"
	    "    remote: {auth: pubkey}\n",
	};
	static const char *const why[] = {
	    NULL,
	    NULL,
	    NAME ":2:3: error: not supported yet: version=1 with local.auth "
		 "psk and remote.auth pubkey (IKEv1 has auth: psk or pubkey, "
		 "the same on both ends)",
	    NULL,
	};
	size_t i;

	for (i = 0; i < 4; i++) {
		static const struct config_opts opts = {all_but_v1, NULL};
		struct config *cfg = (struct config *)1;
		struct diag_list dl;
		char buf[512];
		int r;

		diag_list_init(&dl);
		r = config_load_buffer_opts(NAME, yaml[i], strlen(yaml[i]),
					    CONFIG_NO_FILES, &opts, &cfg, &dl);
		if (!why[i]) {
			if (dl.n)
				diag_format(&dl.v[0], buf, sizeof(buf));
			ck_assert_msg(r == 0, "%zu: %s", i, dl.n ? buf : "");
			ck_assert_uint_eq(cfg->conns[0].version, 1);
			config_free(cfg);
		} else {
			ck_assert_int_eq(r, -EINVAL);
			ck_assert_uint_ge(dl.n, 1);
			diag_format(&dl.v[0], buf, sizeof(buf));
			ck_assert_str_eq(buf, why[i]);
		}
		diag_list_free(&dl);
	}
}
END_TEST

/* aggressive: IKEv1 Aggressive Mode, off by default; refused where it
 * would mean nothing (IKEv2, or auth other than psk), at its value. */
START_TEST(test_aggressive)
{
	static const char *const yaml[] = {
	    "connections:\n"
	    "  c:\n"
	    "    version: 1\n"
	    "    aggressive: yes\n"
	    "    local: {auth: psk}\n"
	    "    remote: {auth: psk}\n" PSK_TAIL,
	    "connections:\n"
	    "  c:\n"
	    "    version: 1\n"
	    "    local: {auth: psk}\n"
	    "    remote: {auth: psk}\n" PSK_TAIL,
	    "connections:\n"
	    "  c:\n"
	    "    aggressive: yes\n"
	    "    local: {auth: psk}\n"
	    "    remote: {auth: psk}\n" PSK_TAIL,
	    "connections:\n"
	    "  c:\n"
	    "    version: 0\n"
	    "    local: {auth: psk}\n"
	    "    remote: {auth: pubkey}\n"
	    "    aggressive: true\n" PSK_TAIL,
	    "connections:\n"
	    "  c:\n"
	    "    version: 1\n"
	    "    aggressive: maybe\n"
	    "    local: {auth: psk}\n"
	    "    remote: {auth: psk}\n" PSK_TAIL,
	};
	static const char *const why[] = {
	    NULL,
	    NULL,
	    NAME ":3:17: error: aggressive: yes is IKEv1 Aggressive Mode, but "
		 "connection 'c' has version 2; set version: 1 (or 0) or "
		 "leave aggressive out",
	    NAME ":6:17: error: aggressive: yes needs auth: psk on both "
		 "sides of connection 'c' (Aggressive Mode is implemented "
		 "with a pre-shared key only)",
	    NAME ":4:17: error: bad value 'maybe' for 'aggressive': expected "
		 "true or false",
	};
	static const bool want[] = {true, false};
	size_t i;

	for (i = 0; i < 5; i++) {
		struct config *cfg = (struct config *)1;
		struct diag_list dl;
		char buf[512];
		int r;

		diag_list_init(&dl);
		r = config_load_buffer_opts(NAME, yaml[i], strlen(yaml[i]),
					    CONFIG_NO_FILES, NULL, &cfg, &dl);
		if (!why[i]) {
			ck_assert_int_eq(r, 0);
			ck_assert(cfg->conns[0].aggressive == want[i]);
			config_free(cfg);
		} else {
			ck_assert_int_eq(r, -EINVAL);
			ck_assert_uint_ge(dl.n, 1);
			diag_format(&dl.v[0], buf, sizeof(buf));
			ck_assert_str_eq(buf, why[i]);
		}
		diag_list_free(&dl);
	}
}
END_TEST

START_TEST(test_sample_l2tp)
{
	struct config *cfg =
	    load_file_ok(SAMPLES "examples/l2tp-server.yaml", 0);
	const struct conn_cfg *c = config_find_conn(cfg, "l2tp");
	const struct child_cfg *ch;

	ck_assert_ptr_nonnull(c);
	ck_assert_uint_eq(c->version, 1);
	assert_addr(&c->remote_addrs[0], "%any");
	assert_props(c->proposals, c->n_proposals,
		     "aes256-sha1-ecp384, aes128-sha1-ecp256, "
		     "aes256-sha1-modp2048, aes256-sha256-modp2048, "
		     "aes128-sha1-modp2048");
	ck_assert_uint_eq(c->proposals[4].num, 5);
	ck_assert_uint_eq(c->rekey_time_ms, 0);
	ck_assert_str_eq(c->local.auth, "psk");
	ck_assert_ptr_null(c->remote.id);
	ch = config_find_child(c, "l2tp");
	ck_assert_ptr_nonnull(ch);
	ck_assert_int_eq(ch->mode, CFG_MODE_TRANSPORT);
	ck_assert(ch->l2tp);
	ck_assert_uint_eq(ch->n_local_ts, 1);
	assert_ts(&ch->local_ts[0], "dynamic[udp/1701]");
	assert_ts(&ch->remote_ts[0], "dynamic[udp]");
	assert_props(ch->esp_proposals, ch->n_esp_proposals,
		     "aes128-sha1, aes256-sha1, aes256-sha256");
	ck_assert_uint_eq(ch->rekey_time_ms, 0);
	ck_assert_uint_eq(cfg->n_psks, 1);
	ck_assert_uint_eq(cfg->psks[0].n_ids, 0);
	config_free(cfg);
}
END_TEST

/* --- defaults ------------------------------------------------------------ */

START_TEST(test_defaults)
{
	struct config *cfg = load_ok("connections:\n"
				     "  c:\n"
				     "    local: {auth: psk}\n"
				     "    remote: {auth: psk}\n"
				     "    children:\n"
				     "      ch:\n" PSK_TAIL);
	const struct daemon_cfg *d = &cfg->daemon;
	const struct conn_cfg *c = &cfg->conns[0];
	const struct child_cfg *ch = &c->children[0];
	char buf[64];

	ck_assert_str_eq(d->socket, CFG_DEFAULT_SOCKET);
	ck_assert_uint_eq(d->n_listen, 2);
	cfg_ip_format(&d->listen[0], buf, sizeof(buf));
	ck_assert_str_eq(buf, "0.0.0.0");
	cfg_ip_format(&d->listen[1], buf, sizeof(buf));
	ck_assert_str_eq(buf, "::");
	ck_assert_uint_eq(d->port, 500);
	ck_assert_uint_eq(d->port_nat_t, 4500);
	ck_assert(d->all_plugins);
	ck_assert_uint_eq(d->n_plugins, 0);
	ck_assert_ptr_null(d->plugin_dir);
	ck_assert_int_eq(d->log_level, CFG_LOG_INFO);
	ck_assert_uint_eq(d->retransmit_timeout_ms, 4000);
	ck_assert_double_eq(d->retransmit_base, 1.8);
	ck_assert_uint_eq(d->retransmit_tries, 5);

	ck_assert_str_eq(c->name, "c");
	ck_assert_uint_eq(c->version, 2);
	ck_assert_uint_eq(c->n_local_addrs, 1);
	ck_assert_int_eq(c->local_addrs[0].kind, CFG_ADDR_ANY);
	ck_assert_int_eq(c->remote_addrs[0].kind, CFG_ADDR_ANY);
	assert_default_props(c->proposals, c->n_proposals, IKEV2_PROTO_IKE);
	ck_assert_uint_eq(c->rekey_time_ms, 4 * 3600 * 1000);
	ck_assert_uint_eq(c->reauth_time_ms, 0);
	ck_assert_uint_eq(c->keyingtries, 3);
	ck_assert_ptr_null(c->local.id);
	ck_assert_uint_eq(c->n_children, 1);

	ck_assert_str_eq(ch->name, "ch");
	ck_assert_int_eq(ch->mode, CFG_MODE_TUNNEL);
	ck_assert_uint_eq(ch->n_local_ts, 1);
	ck_assert(ch->local_ts[0].dynamic);
	assert_ts(&ch->local_ts[0], "dynamic");
	assert_ts(&ch->remote_ts[0], "dynamic");
	assert_default_props(ch->esp_proposals, ch->n_esp_proposals,
			     IKEV2_PROTO_ESP);
	ck_assert_int_eq(ch->start_action, CFG_START_NONE);
	ck_assert_uint_eq(ch->rekey_time_ms, 3600 * 1000);
	ck_assert_int_eq(ch->hw_offload, CFG_HW_NO);
	ck_assert(!ch->l2tp);
	config_free(cfg);

	/* An empty file is a daemon with defaults and nothing to do. */
	cfg = load_ok("");
	ck_assert_uint_eq(cfg->n_conns, 0);
	ck_assert_uint_eq(cfg->daemon.port, 500);
	config_free(cfg);
	cfg = load_ok("# nothing\n---\n");
	config_free(cfg);
}
END_TEST

START_TEST(test_values)
{
	struct config *cfg = load_ok(
	    "daemon:\n"
	    "  socket: run/ctl.sock\n"
	    "  listen: [192.0.2.1, \"2001:db8::1\"]\n"
	    "  port: 1500\n"
	    "  port_nat_t: 14500\n"
	    "  plugins: [psk, natt]\n"
	    "  plugin_dir: /opt/charond\n"
	    "  log: {level: debug, format: json}\n"
	    "  retransmit: {timeout: 1.5s, base: 2, tries: 0}\n"
	    "connections:\n"
	    "  c:\n"
	    "    version: 0\n"
	    "    local_addrs: 192.0.2.1\n"
	    "    remote_addrs: [\"%any6\", vpn.example.org, 10.0.0.0/8]\n"
	    "    proposals: [aes256-sha384-modp3072, default]\n"
	    "    encap: yes\n"
	    "    dpd: {timeout: 2m}\n"
	    "    rekey_time: 0\n"
	    "    reauth_time: 1d\n"
	    "    keyingtries: 0\n"
	    "    local: {auth: psk, id: a}\n"
	    "    remote: {auth: psk, id: \"*.example.org\"}\n"
	    "    children:\n"
	    "      ch:\n"
	    "        mode: Transport\n"
	    "        local_ts: 10.1.0.0/16\n"
	    "        remote_ts: [\"10.2.0.5/32[udp/1701]\", \"2001:db8::/64\"]\n"
	    "        esp_proposals: [aes128gcm16-ecp256]\n"
	    "        start_action: trap\n"
	    "        rekey_time: 90m\n"
	    "        hw_offload: packet\n"
	    "      l2:\n"
	    "        l2tp: true\n"
	    "        hw_offload: yes\n" PSK_TAIL);
	const struct daemon_cfg *d = &cfg->daemon;
	const struct conn_cfg *c = &cfg->conns[0];
	const struct child_cfg *ch = &c->children[0];
	char buf[64];

	/* Relative paths are taken from the file's directory (here "."). */
	ck_assert_str_eq(d->socket, "run/ctl.sock");
	ck_assert_uint_eq(d->n_listen, 2);
	cfg_ip_format(&d->listen[1], buf, sizeof(buf));
	ck_assert_str_eq(buf, "2001:db8::1");
	ck_assert_uint_eq(d->port, 1500);
	ck_assert_uint_eq(d->port_nat_t, 14500);
	ck_assert(!d->all_plugins);
	ck_assert_uint_eq(d->n_plugins, 2);
	ck_assert_str_eq(d->plugins[1], "natt");
	ck_assert_str_eq(d->plugin_dir, "/opt/charond");
	ck_assert_int_eq(d->log_level, CFG_LOG_DEBUG);
	ck_assert_int_eq(d->log_format, CFG_LOG_JSON);
	ck_assert_uint_eq(d->retransmit_timeout_ms, 1500);
	ck_assert_double_eq(d->retransmit_base, 2.0);
	ck_assert_uint_eq(d->retransmit_tries, 0);

	ck_assert_uint_eq(c->version, 0);
	ck_assert_uint_eq(c->n_local_addrs, 1);
	assert_addr(&c->local_addrs[0], "192.0.2.1");
	ck_assert_uint_eq(c->n_remote_addrs, 3);
	assert_addr(&c->remote_addrs[0], "%any6");
	ck_assert_int_eq(c->remote_addrs[1].kind, CFG_ADDR_DNS);
	assert_addr(&c->remote_addrs[1], "vpn.example.org");
	assert_addr(&c->remote_addrs[2], "10.0.0.0/8");
	/* "default" appends the built-in list, numbered on. */
	ck_assert_uint_eq(c->n_proposals, 3);
	ck_assert_uint_eq(c->proposals[2].num, 3);
	/* encap and dpd are their plugins' (plugins/natt, plugins/dpd). */
	ck_assert_uint_eq(c->rekey_time_ms, 0);
	ck_assert_uint_eq(c->reauth_time_ms, 86400000);
	ck_assert_uint_eq(c->keyingtries, 0);

	ck_assert_int_eq(ch->mode, CFG_MODE_TRANSPORT);
	assert_ts(&ch->local_ts[0], "10.1.0.0/16");
	ck_assert_uint_eq(ch->n_remote_ts, 2);
	assert_ts(&ch->remote_ts[0], "10.2.0.5/32[udp/1701]");
	assert_ts(&ch->remote_ts[1], "2001:db8::/64");
	assert_props(ch->esp_proposals, ch->n_esp_proposals,
		     "aes128gcm16-ecp256");
	ck_assert_int_eq(ch->start_action, CFG_START_TRAP);
	ck_assert_uint_eq(ch->rekey_time_ms, 5400000);
	ck_assert_int_eq(ch->hw_offload, CFG_HW_PACKET);

	/* l2tp without a mode: transport and the L2TP selectors. */
	ch = &c->children[1];
	ck_assert(ch->l2tp);
	ck_assert_int_eq(ch->mode, CFG_MODE_TRANSPORT);
	assert_ts(&ch->local_ts[0], "dynamic[udp/1701]");
	assert_ts(&ch->remote_ts[0], "dynamic[udp]");
	ck_assert_int_eq(ch->hw_offload, CFG_HW_CRYPTO);
	config_free(cfg);
}
END_TEST

/* --- errors, one class at a time ----------------------------------------- */

START_TEST(test_unknown_keys)
{
	EXPECT("conections: {}\n"
	       "daemon:\n"
	       "  frobnicate: 1\n"
	       "  log: {levle: info}\n"
	       "connections:\n"
	       "  site:\n"
	       "    remote_adrs: [192.0.2.2]\n"
	       "    local: {auth: psk, idd: x}\n"
	       "    remote: {auth: psk, key: k}\n"
	       "    dpd: {delai: 30s}\n"
	       "    children:\n"
	       "      net:\n"
	       "        esp_proposal: [aes128gcm16]\n"
	       "secrets:\n"
	       "  psk:\n"
	       "    - {secret: s, id: [x]}\n",
	       "test.yaml:1:1: error: unknown key 'conections' at top level "
	       "(did you mean 'connections'?)",
	       "test.yaml:3:3: error: unknown key 'frobnicate' in daemon",
	       "test.yaml:4:9: error: unknown key 'levle' in daemon log",
	       "test.yaml:7:5: error: unknown key 'remote_adrs' in connection "
	       "'site' (did you mean 'remote_addrs'?)",
	       "test.yaml:8:24: error: unknown key 'idd' in local of "
	       "connection 'site' (did you mean 'id'?)",
	       "test.yaml:9:25: error: unknown key 'key' in remote of "
	       "connection 'site'",
	       "test.yaml:13:9: error: unknown key 'esp_proposal' in child "
	       "'net' of connection 'site' (did you mean 'esp_proposals'?)",
	       "test.yaml:16:19: error: unknown key 'id' in PSK secret (did "
	       "you mean 'ids'?)");
}
END_TEST

START_TEST(test_wrong_types)
{
	EXPECT(
	    "daemon: [a]\n"
	    "connections:\n"
	    "  site:\n"
	    "    version: [2]\n"
	    "    local_addrs: {a: b}\n"
	    "    local: psk\n"
	    "    remote: {auth: psk, id: [x]}\n"
	    "    children: [net]\n"
	    "  other: 5\n"
	    "secrets:\n"
	    "  psk:\n"
	    "    - secret: {a: b}\n"
	    "    - just-a-string\n",
	    "test.yaml:1:9: error: 'daemon' must be a map, not a list",
	    "test.yaml:4:14: error: 'version' must be a single value, not a "
	    "list",
	    "test.yaml:5:18: error: 'local_addrs' must be a list or a single "
	    "value, not a map",
	    "test.yaml:6:12: error: 'local' must be a map, not a value",
	    "test.yaml:7:29: error: 'id' must be a single value, not a list",
	    "test.yaml:8:15: error: 'children' must be a map, not a list",
	    "test.yaml:9:10: error: 'other' must be a map, not a value",
	    "test.yaml:12:15: error: 'secret' must be a single value, not a "
	    "map",
	    "test.yaml:13:7: error: items of 'psk' must be maps with "
	    "'secret' or 'secret_file', not a value",
	    "test.yaml:7:20: error: connection 'site' uses psk "
	    "authentication, but no PSK in secrets matches it");
}
END_TEST

START_TEST(test_bad_values)
{
	EXPECT("daemon:\n"
	       "  port: 70000\n"
	       "  port_nat_t: 0\n"
	       "  listen: [192.0.2.1, nope, \"2001:db8::1\"]\n"
	       "  log: {level: loud, format: yaml}\n"
	       "  retransmit: {timeout: 0, base: 0.5, tries: 101}\n"
	       "  plugins: [psk, X509]\n"
	       "connections:\n"
	       "  site:\n"
	       "    version: 3\n"
	       "    local_addrs: [192.0.2.300, 10.0.0.0/33]\n"
	       "    remote_addrs: [10.1.2.3/16]\n"
	       "    reauth_time: 1q\n"
	       "    rekey_time: 5x\n"
	       "    keyingtries: -1\n"
	       "    dpd: {delay: 1.5.s, action: boom}\n"
	       "    local: {auth: Cert}\n"
	       "    remote: {auth: psk}\n"
	       "    children:\n"
	       "      net:\n"
	       "        mode: tunel\n"
	       "        start_action: go\n"
	       "        hw_offload: maybe\n"
	       "        rekey_time: 1y\n"
	       "        l2tp: 2\n" PSK_TAIL,
	       "test.yaml:2:9: error: bad port '70000' for 'port': expected 1 "
	       "to 65535",
	       "test.yaml:3:15: error: bad port '0' for 'port_nat_t': expected "
	       "1 to 65535",
	       "test.yaml:4:23: error: bad listen address 'nope': expected an "
	       "IPv4 or IPv6 address",
	       "test.yaml:5:16: error: bad value 'loud' for 'level': expected "
	       "error|warn|info|debug|trace",
	       "test.yaml:5:30: error: bad value 'yaml' for 'format': expected "
	       "text|json",
	       "test.yaml:6:34: error: bad value '0.5' for 'base': expected a "
	       "number from 1 to 10",
	       "test.yaml:6:46: error: bad value '101' for 'tries': expected 0 "
	       "to 100",
	       "test.yaml:6:25: error: retransmit timeout must not be 0",
	       "test.yaml:7:18: error: bad plugin name 'X509': use lowercase "
	       "letters, digits, '_' and '-'",
	       "test.yaml:10:14: error: bad IKE version '3': expected 1, 2, or "
	       "0 for either",
	       "test.yaml:11:19: error: bad address in 'local_addrs': "
	       "'192.0.2.300' is not an IP address, subnet, %any or DNS name",
	       "test.yaml:11:32: error: bad address in 'local_addrs': "
	       "'10.0.0.0/33' is not an IP address, subnet, %any or DNS name",
	       "test.yaml:12:20: warning: host bits set in '10.1.2.3/16'; "
	       "using 10.1.0.0/16",
	       "test.yaml:13:18: error: bad duration '1q' for 'reauth_time': "
	       "expected e.g. 30s, 1.5s, 5m, 4h, 1d or seconds (at most 365d)",
	       "test.yaml:14:17: error: bad duration '5x' for 'rekey_time': "
	       "expected e.g. 30s, 1.5s, 5m, 4h, 1d or seconds (at most 365d)",
	       "test.yaml:15:18: error: bad value '-1' for 'keyingtries': "
	       "expected 0 to 1000000",
	       "test.yaml:17:19: error: bad auth method 'Cert': use 1 to 32 "
	       "lowercase letters, digits, '_' and '-' (e.g. psk, pubkey)",
	       "test.yaml:21:15: error: bad value 'tunel' for 'mode': expected "
	       "tunnel|transport",
	       "test.yaml:22:23: error: bad value 'go' for 'start_action': "
	       "expected none|trap|start",
	       "test.yaml:23:21: error: bad value 'maybe' for 'hw_offload': "
	       "expected no|crypto|packet|auto",
	       "test.yaml:24:21: error: bad duration '1y' for 'rekey_time': "
	       "expected e.g. 30s, 1.5s, 5m, 4h, 1d or seconds (at most 365d)",
	       "test.yaml:25:15: error: bad value '2' for 'l2tp': expected "
	       "true or false");
}
END_TEST

START_TEST(test_port_clash_and_socket)
{
	EXPECT("daemon:\n"
	       "  port_nat_t: 500\n"
	       "  socket: /run/charond/"
	       "0123456789012345678901234567890123456789012345678901234567890"
	       "123456789012345678901234567890123456789.sock\n",
	       "test.yaml:3:11: error: socket path '/run/charond/"
	       "0123456789012345678901234567890123456789012345678901234567890"
	       "123456789012345678901234567890123456789.sock' is too long (at "
	       "most 107 bytes)",
	       "test.yaml:2:15: error: 'port' and 'port_nat_t' must differ "
	       "(both are 500)");
	EXPECT("daemon:\n"
	       "  listen: []\n",
	       "test.yaml:2:11: error: 'listen' needs at least one address");
}
END_TEST

START_TEST(test_limits)
{
	struct config *cfg = load_ok("daemon:\n"
				     "  limits:\n"
				     "    cookie_threshold: 50\n"
				     "    cookie_threshold_ip: 4\n"
				     "    block_threshold: 8\n"
				     "    init_limit_half_open: 0\n"
				     "    half_open_timeout: 10s\n"
				     "    delete_timeout: 1m\n"
				     "    cookie_lifetime: 5m\n"
				     "    init_max_size: 4096\n"
				     "    init_max_payloads: 40\n"
				     "    unauth_log_rate: 5\n");
	const struct ike_limits *l = &cfg->daemon.limits;

	ck_assert_uint_eq(l->cookie_threshold, 50);
	ck_assert_uint_eq(l->cookie_threshold_ip, 4);
	ck_assert_uint_eq(l->block_threshold, 8);
	ck_assert_uint_eq(l->init_limit_half_open, 0);
	ck_assert_uint_eq(l->half_open_ms, 10000);
	ck_assert_uint_eq(l->delete_wait_ms, 60000);
	ck_assert_uint_eq(l->cookie_rotate_ms, 300000);
	ck_assert_uint_eq(l->init_max_len, 4096);
	ck_assert_uint_eq(l->init_max_payloads, 40);
	ck_assert_uint_eq(l->log_per_sec, 5);
	config_free(cfg);
	/* Unset, strongSwan's defaults. */
	cfg = load_ok("daemon: {}\n");
	l = &cfg->daemon.limits;
	ck_assert_uint_eq(l->cookie_threshold, 10);
	ck_assert_uint_eq(l->cookie_threshold_ip, 3);
	ck_assert_uint_eq(l->block_threshold, 5);
	ck_assert_uint_eq(l->half_open_ms, 30000);
	config_free(cfg);
	EXPECT("daemon:\n"
	       "  limits:\n"
	       "    half_open_timeout: 0\n"
	       "    init_max_size: 100\n"
	       "    init_max_payloads: 65\n"
	       "    cookie: 3\n",
	       "test.yaml:5:24: error: bad value '65' for 'init_max_payloads': "
	       "expected 0 to 64",
	       "test.yaml:6:5: error: unknown key 'cookie' in daemon limits",
	       "test.yaml:3:24: error: 'half_open_timeout' must not be 0",
	       "test.yaml:4:20: error: 'init_max_size' 100 is too small for "
	       "any IKE_SA_INIT (at least 512)");
}
END_TEST

/* The control socket's group and the timeout of idle clients. */
START_TEST(test_daemon_socket_group_and_timeouts)
{
	struct config *cfg = load_ok("daemon:\n"
				     "  socket_group: root\n"
				     "  ctl_idle_timeout: 1.5s\n");

	ck_assert(cfg->daemon.has_socket_group);
	ck_assert_uint_eq(cfg->daemon.socket_group, 0);
	ck_assert_uint_eq(cfg->daemon.ctl_idle_ms, 1500);
	config_free(cfg);
	cfg = load_ok("daemon:\n  socket_group: 4242\n");
	ck_assert(cfg->daemon.has_socket_group);
	ck_assert_uint_eq(cfg->daemon.socket_group, 4242);
	ck_assert_uint_eq(cfg->daemon.ctl_idle_ms, 60000);
	config_free(cfg);
	cfg = load_ok("daemon:\n  ctl_idle_timeout: 0\n");
	ck_assert(!cfg->daemon.has_socket_group);
	ck_assert_uint_eq(cfg->daemon.ctl_idle_ms, 0);
	config_free(cfg);
	EXPECT("daemon:\n"
	       "  socket_group: no-such-group-here\n"
	       "  ctl_idle_timeout: soon\n",
	       "test.yaml:2:17: error: unknown group 'no-such-group-here' for "
	       "'socket_group'",
	       "test.yaml:3:21: error: bad duration 'soon' for "
	       "'ctl_idle_timeout': expected e.g. 30s, 1.5s, 5m, 4h, 1d or "
	       "seconds (at most 365d)");
}
END_TEST

START_TEST(test_proposals)
{
	EXPECT("connections:\n"
	       "  site:\n"
	       "    proposals: [aes128-sha256-modp2048, aes128-foo-modp2048,\n"
	       "                aes256-sha1-modp1024, aes128gcm16-ecp256]\n"
	       "    local: {auth: psk}\n"
	       "    remote: {auth: psk}\n"
	       "    children:\n"
	       "      net:\n"
	       "        esp_proposals:\n"
	       "          - aes128gcm16-prfsha256\n"
	       "          - 3des-md5\n"
	       "          - aes128-sha256-modp1536\n" PSK_TAIL,
	       "test.yaml:3:41: error: unknown algorithm keyword 'foo' in "
	       "proposal 'aes128-foo-modp2048'",
	       "test.yaml:4:17: warning: proposal 'aes256-sha1-modp1024' uses "
	       "weak algorithms: modp1024",
	       "test.yaml:4:39: error: IKE proposal 'aes128gcm16-ecp256' with "
	       "AEAD cipher 'aes128gcm16' needs an explicit PRF, e.g. "
	       "prfsha256",
	       "test.yaml:10:13: error: 'prfsha256' is only valid in IKE "
	       "proposals, not in ESP proposal 'aes128gcm16-prfsha256'",
	       "test.yaml:11:13: warning: proposal '3des-md5' uses weak "
	       "algorithms: 3des, md5",
	       "test.yaml:12:13: warning: proposal 'aes128-sha256-modp1536' "
	       "uses weak algorithms: modp1536");
	EXPECT("connections:\n"
	       "  site:\n"
	       "    proposals: []\n"
	       "    local: {auth: psk}\n"
	       "    remote: {auth: psk}\n" PSK_TAIL,
	       "test.yaml:3:16: error: 'proposals' is empty; leave it out for "
	       "the defaults");
}
END_TEST

START_TEST(test_duplicates)
{
	EXPECT("authorities:\n"
	       "  ca: {cacert: a.pem}\n"
	       "  ca: {cacert: b.pem}\n"
	       "connections:\n"
	       "  site:\n"
	       "    local: {auth: psk}\n"
	       "    remote: {auth: psk}\n"
	       "    rekey_time: 1h\n"
	       "    rekey_time: 2h\n"
	       "    children:\n"
	       "      net: {}\n"
	       "      net: {}\n"
	       "  other:\n"
	       "    local: {auth: psk}\n"
	       "    remote: {auth: psk}\n"
	       "    children:\n"
	       "      net: {}\n"
	       "  site: {}\n" PSK_TAIL,
	       "test.yaml:3:3: error: duplicate authority 'ca' (first at 2:3)",
	       "test.yaml:9:5: error: duplicate key 'rekey_time' in connection "
	       "'site' (first at 8:5)",
	       "test.yaml:12:7: error: duplicate child 'net' in connection "
	       "'site' (first at 11:7)",
	       "test.yaml:18:3: error: duplicate connection 'site' (first at "
	       "5:3)");
}
END_TEST

START_TEST(test_bad_names)
{
	EXPECT("connections:\n"
	       "  \"my site\":\n"
	       "    local: {auth: psk}\n"
	       "    remote: {auth: psk}\n"
	       "    children:\n"
	       "      \"a/b\": {}\n" PSK_TAIL,
	       "test.yaml:2:3: error: bad connection name 'my site': use 1 to "
	       "64 letters, digits, '.', '_' or '-'",
	       "test.yaml:6:7: error: bad child name 'a/b': use 1 to 64 "
	       "letters, digits, '.', '_' or '-'");
}
END_TEST

/* What the engine cannot hold is refused, never cut short: children and
 * selectors beyond its limits, an identity longer than IKE_ID_MAX. */
START_TEST(test_engine_limits)
{
	EXPECT(
	    "connections:\n"
	    "  site:\n"
	    "    local: {auth: psk, id: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx}\n"
	    "    remote: {auth: psk}\n"
	    "    children:\n"
	    "      a: {remote_ts: [10.0.0.1, 10.0.0.2, 10.0.0.3, 10.0.0.4, "
	    "10.0.0.5, 10.0.0.6, 10.0.0.7, 10.0.0.8, 10.0.0.9]}\n"
	    "      b: {}\n      c: {}\n      d: {}\n      e: {}\n"
	    "      f: {}\n      g: {}\n      h: {}\n      i: {}\n" PSK_TAIL,
	    "test.yaml:3:28: error: identity too long (257 bytes, at most "
	    "256)",
	    "test.yaml:6:22: error: too many traffic selectors in "
	    "'remote_ts' (at most 8)",
	    "test.yaml:6:7: error: too many children in connection 'site' "
	    "(at most 8)");
}
END_TEST

START_TEST(test_psk_missing)
{
	/* IDs that no PSK lists; a PSK for other IDs; none at all. */
	EXPECT("connections:\n"
	       "  site:\n"
	       "    local: {auth: psk, id: moon}\n"
	       "    remote: {auth: psk, id: sun}\n"
	       "  byaddr:\n"
	       "    local_addrs: [192.0.2.1]\n"
	       "    remote_addrs: [192.0.2.2]\n"
	       "    local: {auth: pubkey, certs: [c.pem], key: k.pem}\n"
	       "    remote: {auth: psk}\n"
	       "secrets:\n"
	       "  psk:\n"
	       "    - ids: [mars, venus]\n"
	       "      secret: s\n",
	       "test.yaml:3:19: error: connection 'site' uses psk "
	       "authentication, but no PSK in secrets matches its IDs (moon, "
	       "sun)",
	       "test.yaml:9:20: error: connection 'byaddr' uses psk "
	       "authentication, but no PSK in secrets matches it");
	EXPECT("connections:\n"
	       "  site:\n"
	       "    local: {auth: psk}\n"
	       "    remote: {auth: psk}\n",
	       "test.yaml:3:19: error: connection 'site' uses psk "
	       "authentication, but no PSK in secrets matches it");
	/* Matches: by ID, by address without an ID, with a wildcard, with
	 * an open identity (%any addresses), a group PSK, %any in ids. */
	EXPECT_OK("connections:\n"
		  "  byid:\n"
		  "    local: {auth: psk, id: moon}\n"
		  "    remote: {auth: psk, id: sun}\n"
		  "  byaddr:\n"
		  "    local_addrs: [192.0.2.1]\n"
		  "    remote_addrs: [192.0.2.2]\n"
		  "    local: {auth: psk}\n"
		  "    remote: {auth: psk}\n"
		  "  wild:\n"
		  "    local: {auth: psk, id: gw.example.org}\n"
		  "    remote: {auth: psk, id: x}\n"
		  "  open:\n"
		  "    local: {auth: psk, id: nobody}\n"
		  "    remote: {auth: psk}\n"
		  "secrets:\n"
		  "  psk:\n"
		  "    - ids: [SUN]\n"
		  "      secret: a\n"
		  "    - ids: [192.0.2.2]\n"
		  "      secret: b\n"
		  "    - ids: [\"*.example.org\"]\n"
		  "      secret: c\n");
	EXPECT_OK("connections:\n"
		  "  c:\n"
		  "    local: {auth: psk, id: a}\n"
		  "    remote: {auth: psk, id: b}\n"
		  "secrets:\n"
		  "  psk:\n"
		  "    - {ids: [\"%any\"], secret: s}\n");
}
END_TEST

/* The core knows no auth method: what pubkey needs (certificates, a key)
 * is the x509 plugin's to check, what psk needs (and ignores) the psk
 * plugin's. Authorities are the core's. */
START_TEST(test_auth_methods)
{
	EXPECT("connections:\n"
	       "  a:\n"
	       "    local: {auth: pubkey}\n"
	       "    remote: {auth: pubkey, ca: corp}\n"
	       "  b:\n"
	       "    remote: {auth: pubkey}\n"
	       "  c:\n"
	       "    local: {auth: pubkey, certs: [c.pem]}\n"
	       "    remote: {auth: pubkey}\n"
	       "  d:\n"
	       "    local: {auth: psk, certs: [c.pem]}\n"
	       "    remote: {auth: pubkey}\n"
	       "  e:\n"
	       "    local: {auth: psk, key: k.pem}\n"
	       "    remote: {auth: psk}\n" PSK_TAIL,
	       "test.yaml:4:32: error: connection 'a': unknown authority "
	       "'corp'",
	       "test.yaml:11:31: warning: certificates and keys are not used "
	       "with psk authentication",
	       "test.yaml:14:29: warning: certificates and keys are not used "
	       "with psk authentication");
}
END_TEST

START_TEST(test_ts_errors)
{
	EXPECT("connections:\n"
	       "  site:\n"
	       "    local: {auth: psk}\n"
	       "    remote: {auth: psk}\n"
	       "    children:\n"
	       "      net:\n"
	       "        local_ts: [10.1.0.0/33, \"10.1.0.1/16[tcp/http]\"]\n"
	       "        remote_ts:\n"
	       "          - \"10.2.0.5/32[gre/1701]\"\n"
	       "          - \"10.2.0.5/32[udp/1701\"\n"
	       "          - 10.0.0.9-10.0.0.1\n"
	       "          - {a: b}\n"
	       "      empty:\n"
	       "        local_ts: []\n" PSK_TAIL,
	       "test.yaml:7:20: error: bad traffic selector '10.1.0.0/33': "
	       "expected a subnet, an address, a range or dynamic",
	       "test.yaml:7:33: warning: host bits set in "
	       "'10.1.0.1/16[tcp/http]'; using 10.1.0.0/16[tcp/80]",
	       "test.yaml:9:13: error: protocol 'gre' has no ports; ports need "
	       "tcp, udp, sctp or udplite",
	       "test.yaml:10:13: error: bad traffic selector "
	       "'10.2.0.5/32[udp/1701': expected ADDR[PROTO/PORT], e.g. "
	       "10.2.0.5/32[udp/1701]",
	       "test.yaml:11:13: error: address range '10.0.0.9-10.0.0.1' runs "
	       "backwards",
	       "test.yaml:12:13: error: items of 'remote_ts' must be single "
	       "values, not a map",
	       "test.yaml:14:19: error: 'local_ts' is empty; leave it out for "
	       "dynamic");
}
END_TEST

START_TEST(test_l2tp_tunnel)
{
	EXPECT(
	    "connections:\n"
	    "  srv:\n"
	    "    local: {auth: psk}\n"
	    "    remote: {auth: psk}\n"
	    "    children:\n"
	    "      l2tp:\n"
	    "        mode: tunnel\n"
	    "        l2tp: true\n" PSK_TAIL,
	    "test.yaml:7:15: error: child 'l2tp' has l2tp: true, which needs "
	    "mode: transport");
}
END_TEST

/* An L2TP client's connection names its server, whose xl2tpd listens on
 * udp/1701: that is its remote selector unless written. A server's takes
 * any client port (macOS picks a random one). */
START_TEST(test_l2tp_client_selectors)
{
	static const char *const remote[] = {"[192.0.2.1]", "[vpn.example.org]",
					     "[\"%any\"]", "[192.0.2.0/24]"};
	static const char *const want[] = {"dynamic[udp/1701]",
					   "dynamic[udp/1701]", "dynamic[udp]",
					   "dynamic[udp]"};
	char yaml[512];
	size_t i;

	for (i = 0; i < sizeof(remote) / sizeof(remote[0]); i++) {
		struct config *cfg;
		const struct child_cfg *ch;

		snprintf(
		    yaml, sizeof(yaml),
		    "connections:\n"
		    "  c:\n"
		    "    remote_addrs: %s\n"
		    "    local: {auth: psk}\n"
		    "    remote: {auth: psk}\n"
		    "    children:\n"
		    "      l2tp: {l2tp: true}\n"
		    "      own: {l2tp: true, remote_ts: [\"dynamic[udp]\"]}\n"
		    "      net: {remote_ts: [dynamic]}\n" PSK_TAIL,
		    remote[i]);
		cfg = load_ok(yaml);
		ch = config_find_child(config_find_conn(cfg, "c"), "l2tp");
		assert_ts(&ch->local_ts[0], "dynamic[udp/1701]");
		assert_ts(&ch->remote_ts[0], want[i]);
		/* Written selectors stay as written. */
		ch = config_find_child(config_find_conn(cfg, "c"), "own");
		assert_ts(&ch->remote_ts[0], "dynamic[udp]");
		ch = config_find_child(config_find_conn(cfg, "c"), "net");
		assert_ts(&ch->remote_ts[0], "dynamic");
		config_free(cfg);
	}
}
END_TEST

START_TEST(test_start_action_without_peer)
{
	EXPECT(
	    "connections:\n"
	    "  c:\n"
	    "    remote_addrs: [\"%any\", 10.0.0.0/8]\n"
	    "    local: {auth: psk}\n"
	    "    remote: {auth: psk}\n"
	    "    children:\n"
	    "      net: {start_action: start}\n" PSK_TAIL,
	    "test.yaml:7:7: warning: child 'net' has start_action start, but "
	    "connection 'c' has no remote address to initiate to");
}
END_TEST

START_TEST(test_secrets)
{
	struct config *cfg = load_ok(
	    "connections:\n"
	    "  c: {local: {auth: psk, id: a}, remote: {auth: psk, id: b}}\n"
	    "secrets:\n"
	    "  psk:\n"
	    "    - ids: a\n"
	    "      secret: 0xdeadBEEF\n"
	    "    - ids: [b, c]\n"
	    "      secret: \"a long random string\"\n");

	ck_assert_uint_eq(cfg->n_psks, 2);
	ck_assert_uint_eq(cfg->psks[0].n_ids, 1);
	ck_assert_str_eq(cfg->psks[0].ids[0], "a");
	ck_assert_uint_eq(cfg->psks[0].secret->len, 4);
	ck_assert_mem_eq(cfg->psks[0].secret->ptr, "\xde\xad\xbe\xef", 4);
	ck_assert_uint_eq(cfg->psks[0].pos.line, 5);
	ck_assert_uint_eq(cfg->psks[0].pos.col, 7);
	ck_assert_str_eq(cfg->psks[1].ids[1], "c");
	ck_assert_uint_eq(cfg->psks[1].secret->len, 20);
	config_free(cfg);

	EXPECT(
	    "secrets:\n"
	    "  psk:\n"
	    "    - secret: 0x123\n"
	    "    - secret: 0xzz\n"
	    "    - secret: \"\"\n"
	    "    - secret:\n"
	    "    - {secret: a, secret_file: b}\n"
	    "    - {ids: [a]}\n"
	    "    - secret_file: x.psk\n",
	    "test.yaml:3:15: error: secret starts with 0x but is not hex (an "
	    "even number of 0-9, a-f)",
	    "test.yaml:4:15: error: secret starts with 0x but is not hex (an "
	    "even number of 0-9, a-f)",
	    "test.yaml:5:15: error: empty secret",
	    "test.yaml:6:14: error: 'secret' needs a value",
	    "test.yaml:7:32: error: give either 'secret' or 'secret_file', "
	    "not both",
	    "test.yaml:8:7: error: PSK entry needs 'secret' or "
	    "'secret_file'",
	    "test.yaml:9:20: error: secret_file 'x.psk' not read: file "
	    "access is off");
}
END_TEST

/* secret_file, relative to the file; one trailing newline stripped. */
START_TEST(test_secret_files)
{
	struct config *cfg = NULL;
	struct diag_list dl;

	diag_list_init(&dl);
	ck_assert_int_eq(
	    config_load_opts(CONF "secrets/files.yaml", ALL, &cfg, &dl), 0);
	/* Warnings about the files' modes depend on the checkout. */
	ck_assert_uint_eq(dl.n_errors, 0);
	diag_list_free(&dl);
	ck_assert_uint_eq(cfg->n_psks, 3);
	ck_assert_uint_eq(cfg->psks[0].secret->len, 28);
	ck_assert_mem_eq(cfg->psks[0].secret->ptr,
			 "correct horse battery staple", 28);
	/* CRLF stripped, then the 0x text is hex like inline. */
	ck_assert_uint_eq(cfg->psks[1].secret->len, 3);
	ck_assert_mem_eq(cfg->psks[1].secret->ptr, "\x00\xff\x10", 3);
	ck_assert_uint_eq(cfg->psks[2].secret->len, 4);
	config_free(cfg);

	EXPECT_FILE(CONF "secrets/missing.yaml",
		    CONF "secrets/missing.yaml:4:20: error: cannot read "
			 "secret_file '" CONF "secrets/no-such.psk': No such "
			 "file or directory");
}
END_TEST

/* A secret file others may read is loaded, with a warning. */
START_TEST(test_secret_file_mode)
{
	char dir[] = "/tmp/charond-test-XXXXXX", path[128], yaml[256];
	struct config *cfg = NULL;
	struct diag_list dl;
	char want[512], got[512];
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/open.psk", dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("s3cret\n", f);
	fclose(f);
	ck_assert_int_eq(chmod(path, 0644), 0);
	snprintf(yaml, sizeof(yaml),
		 "secrets:\n  psk:\n    - secret_file: %s\n", path);
	diag_list_init(&dl);
	ck_assert_int_eq(config_load_buffer_opts(NAME, yaml, strlen(yaml), 0,
						 ALL, &cfg, &dl),
			 0);
	ck_assert_uint_eq(dl.n, 1);
	snprintf(want, sizeof(want),
		 "test.yaml:3:20: warning: secret_file '%s' is readable by "
		 "others (mode 0644)",
		 path);
	diag_format(&dl.v[0], got, sizeof(got));
	ck_assert_str_eq(got, want);
	ck_assert_mem_eq(cfg->psks[0].secret->ptr, "s3cret", 6);
	config_free(cfg);
	diag_list_free(&dl);

	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

START_TEST(test_yaml_syntax)
{
	EXPECT("connections:\n"
	       "  site:\n"
	       "    local: {auth: psk\n"
	       "    remote: x\n",
	       "test.yaml:4:11: error: YAML: did not find expected ',' or '}' "
	       "while parsing a flow mapping (started at 3:12)");
	EXPECT("connections:\n"
	       "  c:\n"
	       "    remote_addrs: [%any]\n",
	       "test.yaml:3:20: error: YAML: found character that cannot start "
	       "any token while scanning for the next token (quote a value "
	       "that starts with '%', e.g. \"%any\" or \"::\")");
	EXPECT("a: b\n"
	       " c: d\n",
	       "test.yaml:2:3: error: YAML: mapping values are not allowed in "
	       "this context");
	EXPECT("x: \"\\0\"\n", "test.yaml:1:4: error: a value must not "
			       "contain a NUL character");
	EXPECT("x: \xff\n", "test.yaml:1:4: error: YAML: invalid leading "
			    "UTF-8 octet (byte 0xff)");
	/* The first document is still checked. */
	EXPECT("daemon:\n"
	       "  port: 500\n"
	       "  port: 501\n"
	       "---\n"
	       "x: 1\n",
	       "test.yaml:4:1: error: a configuration file holds one YAML "
	       "document; this starts a second one",
	       "test.yaml:3:3: error: duplicate key 'port' in daemon (first at "
	       "2:3)");
	EXPECT("- a\n"
	       "- b\n",
	       "test.yaml:1:1: error: the configuration must be a map (daemon, "
	       "include, authorities, connections, secrets, plugins), not a "
	       "list");
	EXPECT("{[a]: b}\n",
	       "test.yaml:1:2: error: a map key must be a plain value, not a "
	       "list");
}
END_TEST

/* Keywords are accepted exactly where they work (alg_list.h): the newly
 * working ones load, the misplaced ones are refused at FILE:LINE:COL. */
START_TEST(test_proposal_keywords)
{
	EXPECT_FILE(
	    CONF "proposal-keywords.yaml",
	    CONF "proposal-keywords.yaml:9:9: warning: proposal "
		 "'aes192-md5-modp2048' uses weak algorithms: md5, prfmd5",
	    CONF "proposal-keywords.yaml:10:9: error: 'sha256_96' is only "
		 "valid in ESP proposals, not in IKE proposal "
		 "'aes128-sha256_96-ecp256'",
	    CONF
	    "proposal-keywords.yaml:11:9: error: 'esn' is only valid in "
	    "ESP proposals, not in IKE proposal 'aes128-sha256-ecp256-esn'",
	    CONF "proposal-keywords.yaml:22:13: warning: proposal "
		 "'3des-sha1' uses weak algorithms: 3des",
	    CONF "proposal-keywords.yaml:23:13: error: 'prfsha256' is only "
		 "valid in IKE proposals, not in ESP proposal "
		 "'aes128-prfsha256'");
}
END_TEST

/* Many problems of different kinds in one file, all in one pass. */
START_TEST(test_multiple_errors)
{
	EXPECT_FILE(
	    CONF "multi-error.yaml",
	    CONF "multi-error.yaml:4:9: error: bad port '5000000' for 'port': "
		 "expected 1 to 65535",
	    CONF "multi-error.yaml:9:5: error: unknown key 'remote_adrs' in "
		 "connection 'site' (did you mean 'remote_addrs'?)",
	    CONF "multi-error.yaml:10:17: error: unknown algorithm keyword "
		 "'aes129' in proposal 'aes129-sha256-modp2048'",
	    CONF "multi-error.yaml:10:41: warning: proposal "
		 "'aes256-sha1-modp1024' uses weak algorithms: modp1024",
	    CONF "multi-error.yaml:11:17: error: bad duration '4 hours' for "
		 "'rekey_time': expected e.g. 30s, 1.5s, 5m, 4h, 1d or seconds "
		 "(at most 365d)",
	    CONF "multi-error.yaml:17:21: error: bad traffic selector "
		 "'10.2.0.0/16[udp/'"
		 ": expected ADDR[PROTO/PORT], e.g. 10.2.0.5/32[udp/1701]",
	    CONF "multi-error.yaml:20:15: error: child 'l2tp' has l2tp: true, "
		 "which needs mode: transport",
	    CONF "multi-error.yaml:22:3: error: duplicate connection 'site' "
		 "(first at 7:3)",
	    CONF "multi-error.yaml:12:19: error: connection 'site' uses psk "
		 "authentication, but no PSK in secrets matches its IDs "
		 "(moon.example.org, sun.example.org)");
}
END_TEST

/* --- includes ------------------------------------------------------------ */

START_TEST(test_include_order)
{
	struct config *cfg = load_file_ok(CONF "include/main.yaml", 0);
	static const char *const order[] = {"first", "second", "third",
					    "fourth"};
	size_t i;

	ck_assert_uint_eq(cfg->n_conns, 4);
	for (i = 0; i < 4; i++)
		ck_assert_str_eq(cfg->conns[i].name, order[i]);
	ck_assert_str_eq(cfg->conns[1].pos.file,
			 CONF "include/conf.d/10-first.yaml");
	ck_assert_uint_eq(cfg->conns[1].pos.line, 5);
	/* Merged where the key stands: conf.d set 510/4510, then the main
	 * file's daemon section (after the include) set 600. */
	ck_assert_uint_eq(cfg->daemon.port, 600);
	ck_assert_uint_eq(cfg->daemon.port_nat_t, 4510);
	ck_assert_uint_eq(cfg->n_files, 4);
	ck_assert_str_eq(cfg->files[3], CONF "include/extra.yaml");
	config_free(cfg);
}
END_TEST

START_TEST(test_include_dup)
{
	EXPECT_FILE(CONF "include/dup.yaml",
		    CONF "include/dup.yaml:1:25: warning: include '" CONF
			 "include/missing.yaml' matches no file",
		    CONF "include/dup.yaml:3:3: error: duplicate connection "
			 "'site' (first at " CONF "include/dup-inc.yaml:2:3)");
}
END_TEST

START_TEST(test_include_loop)
{
	EXPECT_FILE(CONF "loop/a.yaml",
		    CONF "loop/b.yaml:6:5: error: include loop: '" CONF
			 "loop/a.yaml' is already being loaded");
	EXPECT_FILE(CONF "loop/self.yaml",
		    CONF "loop/b.yaml:6:5: error: include loop: '" CONF
			 "loop/a.yaml' is already being loaded",
		    CONF "loop/self.yaml:1:11: warning: '" CONF
			 "loop/b.yaml' is included more than once; loaded once",
		    CONF "loop/self.yaml:1:11: error: include loop: '" CONF
			 "loop/self.yaml' is already being loaded");
}
END_TEST

/* A matched file that cannot be read is an error; so is a FIFO. */
START_TEST(test_include_unreadable)
{
	char dir[] = "/tmp/charond-test-XXXXXX", p[64], q[64], name[64];
	char want[2][256], got[256];
	struct diag_list dl;
	struct config *cfg = NULL;
	const char *yaml = "include: [conf.d/*.yaml]\n";
	size_t i;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(p, sizeof(p), "%s/conf.d", dir);
	ck_assert_int_eq(mkdir(p, 0700), 0);
	snprintf(p, sizeof(p), "%s/conf.d/a.yaml", dir);
	ck_assert_int_eq(symlink("/nonexistent/charond.yaml", p), 0);
	snprintf(q, sizeof(q), "%s/conf.d/b.yaml", dir);
	ck_assert_int_eq(mkfifo(q, 0600), 0);
	snprintf(name, sizeof(name), "%s/main.yaml", dir);
	snprintf(want[0], sizeof(want[0]),
		 "%s:1:11: error: cannot read included file '%s': No such "
		 "file or directory",
		 name, p);
	snprintf(want[1], sizeof(want[1]),
		 "%s:1:11: error: cannot read included file '%s': not a "
		 "regular file",
		 name, q);

	diag_list_init(&dl);
	ck_assert_int_eq(config_load_buffer_opts(name, yaml, strlen(yaml), 0,
						 ALL, &cfg, &dl),
			 -EINVAL);
	ck_assert_ptr_null(cfg);
	ck_assert_uint_eq(dl.n, 2);
	for (i = 0; i < 2; i++) {
		diag_format(&dl.v[i], got, sizeof(got));
		ck_assert_str_eq(got, want[i]);
	}
	diag_list_free(&dl);
	unlink(p);
	unlink(q);
	snprintf(p, sizeof(p), "%s/conf.d", dir);
	rmdir(p);
	rmdir(dir);
}
END_TEST

START_TEST(test_load_missing)
{
	struct diag_list dl;
	struct config *cfg = (struct config *)1;
	char got[512];

	diag_list_init(&dl);
	ck_assert_int_eq(config_load_opts(CONF "no-such.yaml", ALL, &cfg, &dl),
			 -ENOENT);
	ck_assert_ptr_null(cfg);
	ck_assert_uint_eq(dl.n, 1);
	diag_format(&dl.v[0], got, sizeof(got));
	ck_assert_str_eq(got, CONF "no-such.yaml: error: cannot read: No such "
				   "file or directory");
	diag_list_free(&dl);

	diag_list_init(&dl);
	ck_assert_int_eq(config_load_opts(CONF, ALL, &cfg, &dl), -EISDIR);
	diag_list_free(&dl);
}
END_TEST

/* secrets.private: passphrases of encrypted keys, in the forms of psk's,
 * each for one key file. */
START_TEST(test_private_secrets)
{
	struct config *cfg =
	    load_ok("secrets:\n"
		    "  private:\n"
		    "    - file: /k/a.key\n"
		    "      secret: \"pass phrase\"\n"
		    "    - {file: /k/b.key, secret: 0x0102}\n");

	ck_assert_uint_eq(cfg->n_privkeys, 2);
	ck_assert_str_eq(cfg->privkeys[0].file, "/k/a.key");
	ck_assert_uint_eq(cfg->privkeys[0].secret->len, 11);
	ck_assert_mem_eq(cfg->privkeys[0].secret->ptr, "pass phrase", 11);
	ck_assert_uint_eq(cfg->privkeys[0].pos.line, 3);
	ck_assert_uint_eq(cfg->privkeys[0].pos.col, 7);
	ck_assert_mem_eq(cfg->privkeys[1].secret->ptr, "\x01\x02", 2);
	ck_assert_ptr_eq(config_find_privkey(cfg, "/k/b.key"),
			 &cfg->privkeys[1]);
	ck_assert_ptr_null(config_find_privkey(cfg, "/k/c.key"));
	config_free(cfg);

	EXPECT("secrets:\n"
	       "  private:\n"
	       "    - {secret: a}\n"
	       "    - {file: /k/a.key}\n"
	       "    - {file: /k/b.key, secret: a, secret_file: b}\n"
	       "    - {file: /k/b.key, secret: b}\n"
	       "    - /k/c.key\n"
	       "    - {file: /k/d.key, secret_file: x.pass}\n"
	       "    - {file: /k/e.key, secret: 0xzz, pass: x}\n",
	       "test.yaml:3:7: error: private key entry needs 'file' (the "
	       "key)",
	       "test.yaml:4:7: error: private key entry needs 'secret' or "
	       "'secret_file'",
	       "test.yaml:5:48: error: give either 'secret' or 'secret_file', "
	       "not both",
	       "test.yaml:6:14: error: a second passphrase for /k/b.key (the "
	       "first at test.yaml:5:7)",
	       "test.yaml:7:7: error: items of 'private' must be maps with "
	       "'file' and 'secret' or 'secret_file', not a value",
	       "test.yaml:8:37: error: secret_file 'x.pass' not read: file "
	       "access is off",
	       "test.yaml:9:38: error: unknown key 'pass' in private key "
	       "secret",
	       "test.yaml:9:32: error: secret starts with 0x but is not hex "
	       "(an even number of 0-9, a-f)");
}
END_TEST

/* An entry meets local.key by the file, however the path is written. */
START_TEST(test_private_canonical)
{
	char dir[] = "/tmp/charond-test-XXXXXX", key[128], link[128];
	char yaml[512], other[160];
	struct config *cfg = NULL;
	struct diag_list dl;
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(key, sizeof(key), "%s/moon.key", dir);
	snprintf(link, sizeof(link), "%s/link.key", dir);
	f = fopen(key, "w");
	ck_assert_ptr_nonnull(f);
	fputs("not read by the core\n", f);
	fclose(f);
	ck_assert_int_eq(symlink(key, link), 0);
	snprintf(yaml, sizeof(yaml),
		 "secrets:\n  private:\n    - {file: %s, secret: pw}\n", link);
	diag_list_init(&dl);
	ck_assert_int_eq(config_load_buffer_opts(NAME, yaml, strlen(yaml), 0,
						 ALL, &cfg, &dl),
			 0);
	diag_list_free(&dl);
	ck_assert_ptr_eq(config_find_privkey(cfg, key), &cfg->privkeys[0]);
	snprintf(other, sizeof(other), "%s/../%s/moon.key", dir, dir + 5);
	ck_assert_ptr_eq(config_find_privkey(cfg, other), &cfg->privkeys[0]);
	ck_assert_ptr_null(config_find_privkey(cfg, dir));
	config_free(cfg);
	ck_assert_int_eq(unlink(link), 0);
	ck_assert_int_eq(unlink(key), 0);
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

/* `crl`: one file or a list of them, each a file. */
START_TEST(test_crl_list)
{
	struct config *cfg =
	    load_ok("authorities:\n"
		    "  a: {cacert: /a.pem, crl: /a.crl}\n"
		    "  b: {cacert: /b.pem, crl: [/b.crl, /i.crl]}\n"
		    "  c: {cacert: /c.pem}\n");

	ck_assert_uint_eq(cfg->authorities[0].n_crls, 1);
	ck_assert_str_eq(cfg->authorities[0].crls[0], "/a.crl");
	ck_assert_uint_eq(cfg->authorities[1].n_crls, 2);
	ck_assert_str_eq(cfg->authorities[1].crls[1], "/i.crl");
	ck_assert_uint_eq(cfg->authorities[2].n_crls, 0);
	config_free(cfg);
	EXPECT("authorities:\n"
	       "  a: {cacert: /a.pem, crl: [/a.crl, {x: y}]}\n",
	       "test.yaml:2:37: error: items of 'crl' must be single values, "
	       "not a map");
}
END_TEST

START_TEST(test_files_checked)
{
	EXPECT_FILE(CONF "files.yaml",
		    CONF "files.yaml:3:13: error: cannot read cacert '" CONF
			 "x509ca/none.pem': No such file or directory",
		    CONF "files.yaml:4:3: error: authority 'nocert' needs "
			 "'cacert'",
		    CONF "files.yaml:9:32: error: cannot read certs '" CONF
			 "x509/none.pem': No such file or directory",
		    CONF "files.yaml:10:12: error: cannot read key '" CONF
			 "secrets': not a regular file");
}
END_TEST

/* --- aliases ------------------------------------------------------------- */

START_TEST(test_aliases)
{
	struct config *cfg =
	    load_ok("connections:\n"
		    "  a:\n"
		    "    proposals: &p [aes256-sha256-modp3072]\n"
		    "    local: &psk {auth: psk}\n"
		    "    remote: *psk\n"
		    "  b:\n"
		    "    proposals: *p\n"
		    "    local: *psk\n"
		    "    remote: *psk\n" PSK_TAIL);

	ck_assert_uint_eq(cfg->n_conns, 2);
	ck_assert(prop_equal(&cfg->conns[0].proposals[0],
			     &cfg->conns[1].proposals[0]));
	ck_assert_str_eq(cfg->conns[1].remote.auth, "psk");
	config_free(cfg);

	/* A problem inside an anchor is reported once, at the anchor. */
	EXPECT("connections:\n"
	       "  a:\n"
	       "    proposals: &p [aes256-bogus-modp3072]\n"
	       "    local: &psk {auth: psk}\n"
	       "    remote: *psk\n"
	       "  b:\n"
	       "    proposals: *p\n"
	       "    local: *psk\n"
	       "    remote: *nope\n" PSK_TAIL,
	       "test.yaml:9:13: error: unknown alias '*nope'",
	       "test.yaml:3:20: error: unknown algorithm keyword 'bogus' in "
	       "proposal 'aes256-bogus-modp3072'");
}
END_TEST

START_TEST(test_alias_limits)
{
	char *yaml = malloc(8192);
	size_t off = 0;
	int i, j;

	ck_assert_ptr_nonnull(yaml);
	/* "Billion laughs": 10^12 nodes if expanded. */
	off += (size_t)sprintf(yaml + off, "a0: &a0 [x,x,x,x,x,x,x,x,x,x]\n");
	for (i = 1; i < 12; i++) {
		off += (size_t)sprintf(yaml + off, "a%d: &a%d [", i, i);
		for (j = 0; j < 10; j++)
			off += (size_t)sprintf(yaml + off, "%s*a%d",
					       j ? "," : "", i - 1);
		off += (size_t)sprintf(yaml + off, "]\n");
	}
	EXPECT(yaml, "test.yaml:6:38: error: aliases expand to more than "
		     "1000000 nodes");
	/* Nesting. */
	off = 0;
	off += (size_t)sprintf(yaml + off, "a: ");
	for (i = 0; i < 100; i++)
		yaml[off++] = '[';
	for (i = 0; i < 100; i++)
		yaml[off++] = ']';
	yaml[off++] = '\n';
	yaml[off] = '\0';
	EXPECT(yaml, "test.yaml:1:67: error: nested more than 64 levels deep");
	free(yaml);
}
END_TEST

/* Keys parsed but not acted on are refused, FILE:LINE:COL, unless the
 * caller (the plugin loader) says a plugin acts on them; their values are
 * still checked. */
static bool
only_dpd(void *ctx, const char *scope, const char *key)
{
	(*(unsigned *)ctx)++;
	return strcmp(scope, "connections.*") == 0 && strcmp(key, "dpd") == 0;
}

START_TEST(test_claimed_keys)
{
	static const char yaml[] =
	    "authorities:\n"
	    "  corp: {cacert: ca.pem}\n"
	    "connections:\n"
	    "  site:\n"
	    "    encap: true\n"
	    "    dpd: {delay: 10s}\n"
	    "    reauth_time: 1h\n"
	    "    local: {auth: pubkey, certs: [a.pem], key: a.key}\n"
	    "    remote: {auth: pubkey, ca: corp}\n"
	    "    children:\n"
	    "      net: {hw_offload: crypto, l2tp: false, start_action: trap}\n"
	    "      web: {hw_offload: sometimes}\n"
	    "secrets:\n"
	    "  private: [{file: /a.key, secret: x}]\n";
	struct config_opts opts = {only_dpd, NULL};
	static const char *const none[] = {
	    "test.yaml:1:1: error: not supported yet: authorities (needs the "
	    "x509 plugin)",
	    "test.yaml:5:5: error: not supported yet: encap (needs the natt "
	    "plugin)",
	    "test.yaml:6:5: error: not supported yet: dpd (needs the dpd "
	    "plugin)",
	    "test.yaml:7:5: error: not supported yet: reauth_time",
	    "test.yaml:8:27: error: not supported yet: certs (needs the x509 "
	    "plugin)",
	    "test.yaml:8:43: error: not supported yet: key (needs the x509 "
	    "plugin)",
	    "test.yaml:9:28: error: not supported yet: ca (needs the x509 "
	    "plugin)",
	    "test.yaml:11:13: error: not supported yet: hw_offload",
	    "test.yaml:11:33: error: not supported yet: l2tp (needs the l2tp "
	    "plugin)",
	    "test.yaml:12:25: error: bad value 'sometimes' for 'hw_offload': "
	    "expected no|crypto|packet|auto",
	    "test.yaml:12:13: error: not supported yet: hw_offload",
	    "test.yaml:11:7: warning: child 'net' has start_action trap, but "
	    "connection 'site' has no remote address to initiate to",
	    "test.yaml:14:3: error: not supported yet: private (needs the "
	    "x509 plugin)",
	    NULL,
	};
	unsigned asked = 0;
	struct config *cfg = (struct config *)1;
	struct diag_list dl;
	size_t n, i;
	const struct config_claim *cl = config_claims(&n);

	ck_assert_uint_ge(n, 9);
	for (i = 0; i < n; i++)
		ck_assert_ptr_nonnull(cl[i].key);
	diag_list_init(&dl);
	ck_assert_int_eq(config_load_buffer(NAME, yaml, strlen(yaml),
					    CONFIG_NO_FILES, &cfg, &dl),
			 -EINVAL);
	check_diags(cfg, &dl, none);
	diag_list_free(&dl);

	/* A plugin acting on dpd: that one passes, the others do not. */
	opts.ctx = &asked;
	diag_list_init(&dl);
	ck_assert_int_eq(config_load_buffer_opts(NAME, yaml, strlen(yaml),
						 CONFIG_NO_FILES, &opts, &cfg,
						 &dl),
			 -EINVAL);
	ck_assert_uint_eq(asked, 11);
	for (i = 0; i < dl.n; i++)
		ck_assert_ptr_null(strstr(dl.v[i].msg, "dpd"));
	ck_assert_uint_eq(dl.n_errors, 11);
	diag_list_free(&dl);
}
END_TEST

/* Honest size is not an alias bomb: 100,000 connections (each with its
 * child, all of them named `net`) load, in time linear in their number. */
START_TEST(test_many_conns)
{
	const size_t n = 100000;
	size_t cap = 64 + n * 200, off = 0, i;
	char *yaml = malloc(cap);
	struct diag_list dl;
	struct config *cfg;
	int rc;

	ck_assert_ptr_nonnull(yaml);
	off += (size_t)snprintf(yaml + off, cap - off, "connections:\n");
	for (i = 0; i < n; i++)
		off += (size_t)snprintf(
		    yaml + off, cap - off,
		    "  site%zu:\n"
		    "    remote_addrs: [10.%zu.%zu.%zu]\n"
		    "    local: {auth: psk}\n"
		    "    remote: {auth: psk}\n"
		    "    children: {net: {remote_ts: [10.9.0.0/16]}}\n",
		    i, i >> 16, (i >> 8) & 255, i & 255);
	off += (size_t)snprintf(yaml + off, cap - off,
				"secrets: {psk: [{secret: x}]}\n");
	ck_assert_uint_lt(off, cap - 1);
	diag_list_init(&dl);
	rc = config_load_buffer_opts("big.yaml", yaml, off, CONFIG_NO_FILES,
				     ALL, &cfg, &dl);
	if (rc != 0)
		diag_print(stderr, &dl);
	ck_assert_int_eq(rc, 0);
	ck_assert_uint_eq(cfg->n_conns, n);
	ck_assert_str_eq(config_find_conn(cfg, "site99999")->children[0].name,
			 "net");
	config_free(cfg);
	diag_list_free(&dl);
	free(yaml);
}
END_TEST

/* --- reload comparison --------------------------------------------------- */

#define CONN_A                                                                 \
	"  site:\n"                                                            \
	"    remote_addrs: [192.0.2.2]\n"                                      \
	"    local: {auth: psk, id: moon}\n"                                   \
	"    remote: {auth: psk, id: sun}\n"                                   \
	"    children:\n"                                                      \
	"      net: {remote_ts: [10.2.0.0/16]}\n"

START_TEST(test_equal_conn)
{
	struct config *a = load_ok("connections:\n" CONN_A PSK_TAIL);
	/* The same connection further down, written differently. */
	struct config *b = load_ok("connections:\n"
				   "  other:\n"
				   "    local: {auth: psk}\n"
				   "    remote: {auth: psk}\n"
				   "  site:\n"
				   "    remote_addrs: 192.0.2.2\n"
				   "    remote: {id: sun, auth: psk}\n"
				   "    local: {auth: psk, id: moon}\n"
				   "    rekey_time: 4h\n"
				   "    children:\n"
				   "      net:\n"
				   "        remote_ts: [10.2.0.0/16]\n"
				   "        mode: tunnel\n" PSK_TAIL);
	struct config *c =
	    load_ok("connections:\n" CONN_A "      more: {}\n" PSK_TAIL);
	struct config *d =
	    load_ok("connections:\n"
		    "  site:\n"
		    "    remote_addrs: [192.0.2.2]\n"
		    "    local: {auth: psk, id: moon}\n"
		    "    remote: {auth: psk, id: sun}\n"
		    "    children:\n"
		    "      net: {remote_ts: [10.3.0.0/16]}\n" PSK_TAIL);
	const struct conn_cfg *sa = config_find_conn(a, "site");
	const struct conn_cfg *sb = config_find_conn(b, "site");

	ck_assert_ptr_nonnull(sa);
	ck_assert_ptr_nonnull(sb);
	ck_assert_ptr_null(config_find_conn(a, "other"));
	ck_assert_ptr_null(config_find_child(sa, "none"));
	ck_assert(sa->pos.line != sb->pos.line);
	ck_assert(config_equal_conn(sa, sb));
	ck_assert(config_equal_conn(sa, sa));
	ck_assert(!config_equal_conn(sa, config_find_conn(b, "other")));
	ck_assert(!config_equal_conn(sa, config_find_conn(c, "site")));
	ck_assert(!config_equal_conn(sa, config_find_conn(d, "site")));
	ck_assert(config_equal_child(
	    &sa->children[0], &config_find_conn(c, "site")->children[0]));
	ck_assert(!config_equal_child(
	    &sa->children[0], &config_find_conn(d, "site")->children[0]));
	config_free(a);
	config_free(b);
	config_free(c);
	config_free(d);
	config_free(NULL);
}
END_TEST

Suite *
config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("load");
	TCase *te = tcase_create("errors");
	TCase *tbig = tcase_create("size");
	TCase *ti = tcase_create("files");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_checked_fixture(te, setup, teardown);
	tcase_add_checked_fixture(ti, setup, teardown);

	tcase_add_test(tc, test_sample_site);
	tcase_add_test(tc, test_sample_l2tp);
	tcase_add_test(tc, test_version_1_psk_or_pubkey);
	tcase_add_test(tc, test_aggressive);
	tcase_add_test(tc, test_sample_l2tp_refused);
	tcase_add_test(tc, test_claimed_keys);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_values);
	tcase_add_test(tc, test_limits);
	tcase_add_test(tc, test_aliases);
	tcase_add_test(tc, test_equal_conn);
	suite_add_tcase(s, tc);

	tcase_add_test(te, test_unknown_keys);
	tcase_add_test(te, test_wrong_types);
	tcase_add_test(te, test_bad_values);
	tcase_add_test(te, test_port_clash_and_socket);
	tcase_add_test(te, test_daemon_socket_group_and_timeouts);
	tcase_add_test(te, test_proposals);
	tcase_add_test(te, test_proposal_keywords);
	tcase_add_test(te, test_duplicates);
	tcase_add_test(te, test_bad_names);
	tcase_add_test(te, test_engine_limits);
	tcase_add_test(te, test_psk_missing);
	tcase_add_test(te, test_auth_methods);
	tcase_add_test(te, test_ts_errors);
	tcase_add_test(te, test_l2tp_tunnel);
	tcase_add_test(te, test_l2tp_client_selectors);
	tcase_add_test(te, test_start_action_without_peer);
	tcase_add_test(te, test_secrets);
	tcase_add_test(te, test_yaml_syntax);
	tcase_add_test(te, test_alias_limits);
	suite_add_tcase(s, te);
	/* Loads 100,000 connections: seconds, more under a sanitizer or on a
	 * busy machine; the time is not what this test is about. */
	tcase_set_timeout(tbig, 300);
	tcase_add_test(tbig, test_many_conns);
	suite_add_tcase(s, tbig);

	tcase_add_test(ti, test_multiple_errors);
	tcase_add_test(ti, test_secret_files);
	tcase_add_test(ti, test_secret_file_mode);
	tcase_add_test(ti, test_private_secrets);
	tcase_add_test(ti, test_private_canonical);
	tcase_add_test(ti, test_crl_list);
	tcase_add_test(ti, test_include_order);
	tcase_add_test(ti, test_include_dup);
	tcase_add_test(ti, test_include_loop);
	tcase_add_test(ti, test_include_unreadable);
	tcase_add_test(ti, test_load_missing);
	tcase_add_test(ti, test_files_checked);
	suite_add_tcase(s, ti);
	return s;
}
