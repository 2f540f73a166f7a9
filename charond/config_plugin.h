/* SPDX-License-Identifier: ISC */
/*
 * The configuration as the plugins extend it (config_plugin.c): the keys
 * loaded plugins declare (struct charond_config_key in plugin.h) at
 * connection, child and plugin-own scope, their typed values, and the auth
 * methods plugins provide, the views plugins see of a config and their
 * checks of one being loaded. The loader asks a registry, which the daemon
 * sets from its loaded plugins (plugin.c); without one (unit tests,
 * fuzzing) no plugin key exists and any auth method name is taken.
 */
#ifndef CHAROND_CONFIG_PLUGIN_H
#define CHAROND_CONFIG_PLUGIN_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "plugin.h"

struct config_plugin_registry {
	void *ctx;
	/*
	 * The declaration of key at scope, by any loaded plugin (CONN,
	 * CHILD) or by the plugin named `plugin` (PLUGIN). NULL if none.
	 */
	const struct charond_config_key *(*find)(void *ctx,
						 enum charond_scope scope,
						 const char *plugin,
						 const char *key);
	/* Whether any key under prefix ("dpd" for "dpd.delay") is declared
	 * there: then prefix is a map of such keys. */
	bool (*is_map)(void *ctx, enum charond_scope scope, const char *plugin,
		       const char *prefix);
	/* Whether a plugin of that name is loaded (a `plugins:` section). */
	bool (*loaded)(void *ctx, const char *plugin);
	/* 0 if a loaded plugin provides auth method `name`; else -1, with a
	 * hint ("the x509 plugin does") in hint, or "" without one. */
	int (*auth)(void *ctx, const char *name, char *hint, size_t len);
	/* Optional: run the loaded plugins' checks (plugin.h's `check`)
	 * over the config being loaded, which ck shows. */
	void (*check)(void *ctx, const struct charond_check *ck);
};

/* The registry later loads use (NULL: none); it must outlive them. */
void config_plugin_set_registry(const struct config_plugin_registry *r);
const struct config_plugin_registry *config_plugin_registry(void);

/*
 * A declared key's value as written: scope CONN (child NULL), CHILD, or
 * PLUGIN (conn is the plugin's name). 0 with *out filled (set true), or -1
 * when it was not written. Strings stay valid while cfg lives.
 */
int config_plugin_value(const struct config *cfg, enum charond_scope scope,
			const char *conn, const char *child, const char *key,
			struct charond_value *out);
/* Whether the plugin-declared values of a connection (with its children)
 * are alike in two configs: a reload restarts it otherwise. */
bool config_plugin_equal_conn(const struct config *a, const struct config *b,
			      const char *conn);
void config_plugin_values_free(struct cfg_plugin_values *v);
/*
 * Every plugin-declared value written for a connection and its children
 * (child NULL for the connection's own), in the order written: what
 * list-conns shows of them. text is the value as written (an enum's
 * choice by name). hint: where to start looking, the previous call's
 * return value when walking the connections in order (0 otherwise); any
 * hint finds them all.
 */
typedef void config_plugin_each_fn(void *ctx, enum charond_scope scope,
				   const char *child, const char *key,
				   const char *text,
				   const struct charond_value *v);
size_t config_plugin_each(const struct config *cfg, const char *conn,
			  size_t hint, config_plugin_each_fn *fn, void *ctx);

/*
 * The views of plugin.h over a config (config_view.c). A connection's view
 * points into cfg and into vc, which builds what it needs once per
 * connection: valid until config_views_reset(vc) or a view of another
 * config through vc.
 */
struct view_conn;
struct config_views {
	const struct config *cfg;
	struct view_conn *conns; /* per connection, built on demand */
	size_t n;
	struct charond_authority_view *authorities; /* cfg's, in order */
	struct charond_crl_files *authority_crls;   /* the same order */
};
void config_views_reset(struct config_views *vc);
int config_view_conn(struct config_views *vc, const struct config *cfg,
		     const struct conn_cfg *c, struct charond_conn_view *out);
int config_view_child(const struct config *cfg, const char *conn,
		      const char *child, struct charond_child_view *out);
int config_view_secret(const struct config *cfg, const char *kind, size_t i,
		       struct charond_secret_view *out);
/* k: the key's declaration (NULL: undeclared, -1). */
int config_view_value(const struct config *cfg,
		      const struct charond_config_key *k,
		      enum charond_scope scope, const char *conn,
		      const char *child, const char *key,
		      struct charond_value *out);

#endif
