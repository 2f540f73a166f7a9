/* SPDX-License-Identifier: ISC */
/*
 * The running configuration as plugins see it (charond_api's conn, child,
 * secret and value): the typed views of config_view.c, which point into
 * the config and stay valid until the next reload, so a plugin never sees
 * charond's own structs. A view carries its size first; a plugin built
 * with a shorter one gets only what it knows of.
 */
#include "config_plugin.h"
#include "daemon.h"

/* What the views of the running config point to besides it. */
static struct config_views cache;

void
views_reset(void)
{
	config_views_reset(&cache);
}

int
views_conn(const char *conn, struct charond_conn_view *out)
{
	const struct config *cfg = daemon_g.cfg;

	return config_view_conn(
	    &cache, cfg, cfg && conn ? config_find_conn(cfg, conn) : NULL, out);
}

int
views_child(const char *conn, const char *child, struct charond_child_view *out)
{
	return config_view_child(daemon_g.cfg, conn, child, out);
}

int
views_secret(const char *kind, size_t i, struct charond_secret_view *out)
{
	return config_view_secret(daemon_g.cfg, kind, i, out);
}

int
views_value(enum charond_scope scope, const char *conn, const char *child,
	    const char *key, struct charond_value *out)
{
	return config_view_value(
	    daemon_g.cfg, key ? plugins_find_key(scope, conn, key) : NULL,
	    scope, conn, child, key, out);
}
