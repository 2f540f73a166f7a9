/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer target for the configuration loader: arbitrary bytes as a
 * charond.yaml through libyaml, the tree with positions, the schema and the
 * value parsers, then the accepted config through printing and comparison.
 * CONFIG_NO_FILES keeps it off the file system: an include of /dev/stdin or
 * a glob over / would make runs slow and unrepeatable. A fake registry
 * stands for the daemon's plugins: a few declared keys of each scope and
 * type (config_plugin.c), and every auth method provided.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <string.h>

#include "config.h"
#include "config_plugin.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const actions[] = {"clear", "restart", "trap", NULL};

static const struct charond_config_key keys[] = {
    {CHAROND_SCOPE_CONN, "dpd.delay", CHAROND_T_DURATION, NULL, 0, 0, ""},
    {CHAROND_SCOPE_CONN, "dpd.action", CHAROND_T_ENUM, actions, 0, 0, ""},
    {CHAROND_SCOPE_CONN, "a.b.c", CHAROND_T_INT, NULL, 1, 100, ""},
    {CHAROND_SCOPE_CONN, "note", CHAROND_T_STRING, NULL, 0, 0, ""},
    {CHAROND_SCOPE_CHILD, "l2tp", CHAROND_T_BOOL, NULL, 0, 0, ""},
    {CHAROND_SCOPE_PLUGIN, "ports", CHAROND_T_LIST, NULL, 0, 0, ""},
    {0, NULL, 0, NULL, 0, 0, NULL},
};

static const struct charond_config_key *
fake_find(void *ctx, enum charond_scope scope, const char *plugin,
	  const char *key)
{
	const struct charond_config_key *k;

	for (k = keys; k->key; k++)
		if (k->scope == scope && strcmp(k->key, key) == 0 &&
		    (scope != CHAROND_SCOPE_PLUGIN ||
		     strcmp(plugin, "fake") == 0))
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
	return 0;
}

static const struct config_plugin_registry fake = {
    NULL, fake_find, fake_is_map, fake_loaded, fake_auth,
};

static void
touch_conn(const struct conn_cfg *c)
{
	char buf[256];
	size_t i, j;

	/* Every accepted connection equals itself (the reload rule). */
	if (!config_equal_conn(c, c) || config_find_child(c, "") != NULL)
		abort();
	for (i = 0; i < c->n_remote_addrs; i++)
		cfg_addr_format(&c->remote_addrs[i], buf, sizeof(buf));
	prop_format_list(c->proposals, c->n_proposals, buf, sizeof(buf));
	for (i = 0; i < c->n_children; i++) {
		const struct child_cfg *ch = &c->children[i];

		for (j = 0; j < ch->n_local_ts; j++)
			cfg_ts_format(&ch->local_ts[j], buf, sizeof(buf));
		for (j = 0; j < ch->n_remote_ts; j++)
			cfg_ts_format(&ch->remote_ts[j], buf, sizeof(buf));
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config *cfg = NULL;
	struct diag_list dl;
	char buf[1024];
	size_t i;
	int r;

	config_plugin_set_registry(&fake);
	diag_list_init(&dl);
	r = config_load_buffer("fuzz.yaml", data, size, CONFIG_NO_FILES, &cfg,
			       &dl);
	/* The verdict and the list must agree. */
	if ((r == 0) != (cfg != NULL) || (r == 0 && dl.n_errors != 0) ||
	    (r == -EINVAL && dl.n_errors == 0))
		abort();
	for (i = 0; i < dl.n; i++)
		diag_format(&dl.v[i], buf, sizeof(buf));
	if (cfg != NULL) {
		for (i = 0; i < cfg->n_conns; i++) {
			touch_conn(&cfg->conns[i]);
			if (!config_plugin_equal_conn(cfg, cfg,
						      cfg->conns[i].name))
				abort();
			if (config_find_conn(cfg, cfg->conns[i].name) == NULL)
				abort();
		}
	}
	config_free(cfg);
	diag_list_free(&dl);
	return 0;
}
