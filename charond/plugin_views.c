/* SPDX-License-Identifier: ISC */
/*
 * The running configuration as plugins see it (charond_api's conn, child,
 * secret and value): typed views that point into the config, valid until
 * the next reload, so a plugin never sees charond's own structs. A view
 * carries its size first; a plugin built with a shorter one gets only what
 * it knows of.
 */
#include <stdlib.h>
#include <string.h>

#include "config_plugin.h"
#include "daemon.h"

/* The child names of each connection, built once per config. */
static struct {
	const struct config *cfg;
	const char ***names; /* per connection */
	size_t n;
} cache;

void
views_reset(void)
{
	size_t i;

	for (i = 0; i < cache.n; i++)
		free(cache.names[i]);
	free(cache.names);
	memset(&cache, 0, sizeof(cache));
}

static const char *const *
child_names(const struct config *cfg, const struct conn_cfg *c)
{
	size_t ci = (size_t)(c - cfg->conns), i;

	if (cache.cfg != cfg) {
		views_reset();
		cache.names = calloc(cfg->n_conns + 1, sizeof(*cache.names));
		if (!cache.names)
			return NULL;
		cache.cfg = cfg;
		cache.n = cfg->n_conns;
	}
	if (!cache.names[ci]) {
		cache.names[ci] =
		    calloc(c->n_children + 1, sizeof(*cache.names[ci]));
		if (!cache.names[ci])
			return NULL;
		for (i = 0; i < c->n_children; i++)
			cache.names[ci][i] = c->children[i].name;
	}
	return cache.names[ci];
}

/* Copy no more of full than the plugin's view has room for. */
static void
fill(void *out, const void *full, size_t full_size)
{
	uint32_t size;

	memcpy(&size, out, sizeof(size));
	if (size < sizeof(size))
		return;
	memcpy(out, full, size < full_size ? size : full_size);
	memcpy(out, &size, sizeof(size));
}

static void
end_view(const struct auth_cfg *a, struct charond_end_view *e)
{
	e->auth = a->auth;
	e->id = a->id;
	e->ca = a->ca;
	e->key = a->key;
	e->certs = (const char *const *)a->certs;
	e->n_certs = a->n_certs;
}

int
views_conn(const char *conn, struct charond_conn_view *out)
{
	const struct config *cfg = daemon_g.cfg;
	const struct conn_cfg *c =
	    cfg && conn ? config_find_conn(cfg, conn) : NULL;
	struct charond_conn_view v;

	if (!c || !out)
		return -1;
	memset(&v, 0, sizeof(v));
	v.size = sizeof(v);
	v.name = c->name;
	v.version = c->version;
	end_view(&c->local, &v.local);
	end_view(&c->remote, &v.remote);
	v.children = child_names(cfg, c);
	v.n_children = v.children ? c->n_children : 0;
	fill(out, &v, sizeof(v));
	return 0;
}

int
views_child(const char *conn, const char *child, struct charond_child_view *out)
{
	static const char *const start[] = {"none", "trap", "start"};
	const struct config *cfg = daemon_g.cfg;
	const struct conn_cfg *c =
	    cfg && conn ? config_find_conn(cfg, conn) : NULL;
	const struct child_cfg *ch =
	    c && child ? config_find_child(c, child) : NULL;
	struct charond_child_view v;

	if (!ch || !out)
		return -1;
	memset(&v, 0, sizeof(v));
	v.size = sizeof(v);
	v.conn = c->name;
	v.name = ch->name;
	v.transport = ch->mode == CFG_MODE_TRANSPORT;
	v.start_action =
	    (unsigned)ch->start_action < 3 ? start[ch->start_action] : "none";
	fill(out, &v, sizeof(v));
	return 0;
}

int
views_secret(const char *kind, size_t i, struct charond_secret_view *out)
{
	const struct config *cfg = daemon_g.cfg;
	struct charond_secret_view v;

	/* The secrets section has one kind so far. */
	if (!cfg || !kind || !out || strcmp(kind, "psk") != 0 ||
	    i >= cfg->n_psks)
		return -1;
	memset(&v, 0, sizeof(v));
	v.size = sizeof(v);
	v.ids = (const char *const *)cfg->psks[i].ids;
	v.n_ids = cfg->psks[i].n_ids;
	v.secret = cfg->psks[i].secret;
	fill(out, &v, sizeof(v));
	return 0;
}

int
views_value(enum charond_scope scope, const char *conn, const char *child,
	    const char *key, struct charond_value *out)
{
	const struct charond_config_key *k;
	const struct config *cfg = daemon_g.cfg;

	if (!key || !out)
		return -1;
	k = plugins_find_key(scope, conn, key);
	if (!k)
		return -1;
	if (cfg && config_plugin_value(cfg, scope, conn, child, key, out) == 0)
		return 0;
	memset(out, 0, sizeof(*out));
	out->type = k->type;
	out->set = false;
	return 0;
}
