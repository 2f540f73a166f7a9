/* SPDX-License-Identifier: ISC */
/*
 * Plugin loading (see plugin.h for the ABI) and the dispatch of the engine's
 * hooks to what the plugins registered.
 */
#include <dirent.h>
#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"

#ifndef PLUGIN_DIR
#define PLUGIN_DIR "/usr/local/lib/charond"
#endif

static void api_log(enum ike_log_level level, const char *plugin,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
api_log(enum ike_log_level level, const char *plugin, const char *fmt, ...)
{
	char buf[900];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	log_msg(level, "plugin %s: %s", plugin, buf);
}

static const struct config *
api_config(void)
{
	return daemon_g.cfg;
}

static int
api_add_auth(const struct charond_auth_method *m, void *state)
{
	struct daemon *d = &daemon_g;

	if (d->n_auths >= MAX_PLUGINS)
		return -1;
	d->auths[d->n_auths].m = m;
	d->auths[d->n_auths].state = state;
	d->n_auths++;
	return 0;
}

static int
api_add_listener(const struct charond_sa_listener *l, void *state)
{
	struct daemon *d = &daemon_g;

	if (d->n_listeners >= MAX_PLUGINS)
		return -1;
	d->listeners[d->n_listeners].l = l;
	d->listeners[d->n_listeners].state = state;
	d->n_listeners++;
	return 0;
}

static const struct charond_api api = {
    .abi = CHAROND_PLUGIN_ABI,
    .log = api_log,
    .config = api_config,
    .add_auth = api_add_auth,
    .add_listener = api_add_listener,
};

/* Is every word of `requires` among the `provides` of loaded plugins? */
static bool
satisfied(const struct daemon *d, const char *requires)
{
	char buf[256], *w, *save = NULL;

	if (!requires || !*requires)
		return true;
	snprintf(buf, sizeof(buf), "%s", requires);
	for (w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		unsigned i;
		bool found = false;

		for (i = 0; i < d->n_plugins && !found; i++) {
			const char *p = d->plugins[i].desc->provides;
			size_t n = strlen(w);

			for (; p && (p = strstr(p, w)); p += n)
				if ((p == d->plugins[i].desc->provides ||
				     p[-1] == ' ') &&
				    (p[n] == ' ' || p[n] == '\0')) {
					found = true;
					break;
				}
		}
		if (!found)
			return false;
	}
	return true;
}

struct candidate {
	char path[512];
	void *handle;
	const struct charond_plugin *desc;
};

static int
open_candidate(struct candidate *c)
{
	c->handle = dlopen(c->path, RTLD_NOW | RTLD_LOCAL);
	if (!c->handle) {
		log_msg(IKE_LOG_ERROR, "cannot load plugin %s: %s", c->path,
			dlerror());
		return -1;
	}
	c->desc = dlsym(c->handle, CHAROND_PLUGIN_SYMBOL);
	if (!c->desc) {
		log_msg(IKE_LOG_ERROR, "%s is not a charond plugin (no '%s')",
			c->path, CHAROND_PLUGIN_SYMBOL);
		goto fail;
	}
	if (c->desc->abi != CHAROND_PLUGIN_ABI) {
		log_msg(IKE_LOG_ERROR,
			"plugin %s was built for plugin ABI %u, "
			"this charond has ABI %u: rebuild it",
			c->path, c->desc->abi, CHAROND_PLUGIN_ABI);
		goto fail;
	}
	return 0;
fail:
	dlclose(c->handle);
	c->handle = NULL;
	return -1;
}

int
plugins_load(struct daemon *d)
{
	const struct daemon_cfg *dc = &d->cfg->daemon;
	const char *dir = dc->plugin_dir ? dc->plugin_dir : PLUGIN_DIR;
	static struct candidate cand[MAX_PLUGINS];
	unsigned n = 0, i, loaded;
	int rc = 0;

	memset(cand, 0, sizeof(cand));

	if (dc->all_plugins) {
		DIR *dp = opendir(dir);
		struct dirent *de;

		while (dp && (de = readdir(dp)) && n < MAX_PLUGINS) {
			size_t len = strlen(de->d_name);

			if (len > 3 &&
			    strcmp(de->d_name + len - 3, ".so") == 0) {
				snprintf(cand[n].path, sizeof(cand[n].path),
				    "%s/%s", dir, de->d_name);
				n++;
			}
		}
		if (dp)
			closedir(dp);
	} else {
		for (i = 0; i < dc->n_plugins && n < MAX_PLUGINS; i++) {
			snprintf(cand[n].path, sizeof(cand[n].path),
			    "%s/%s.so", dir, dc->plugins[i]);
			n++;
		}
	}
	for (i = 0; i < n; i++)
		if (open_candidate(&cand[i]) < 0)
			rc = -1;
	/* Initialise in dependency order: repeat passes until nothing more
	 * can start. */
	do {
		loaded = 0;
		for (i = 0; i < n; i++) {
			struct loaded_plugin *lp;

			if (!cand[i].handle ||
			    !satisfied(d, cand[i].desc->requires))
				continue;
			lp = &d->plugins[d->n_plugins];
			lp->desc = cand[i].desc;
			lp->handle = cand[i].handle;
			cand[i].handle = NULL;
			d->n_plugins++;
			if (lp->desc->init &&
			    lp->desc->init(&api, &lp->state) < 0) {
				log_msg(IKE_LOG_ERROR,
					"plugin %s failed to "
					"start",
					lp->desc->name);
				rc = -1;
			}
			loaded++;
		}
	} while (loaded);
	for (i = 0; i < n; i++)
		if (cand[i].handle) {
			log_msg(IKE_LOG_ERROR,
				"plugin %s needs '%s', which no "
				"loaded plugin provides",
				cand[i].desc->name, cand[i].desc->requires);
			dlclose(cand[i].handle);
			rc = -1;
		}
	return rc;
}

void
plugins_unload(struct daemon *d)
{
	while (d->n_plugins) {
		struct loaded_plugin *lp = &d->plugins[--d->n_plugins];

		if (lp->desc->fini)
			lp->desc->fini(lp->state);
		dlclose(lp->handle);
	}
	d->n_auths = 0;
	d->n_listeners = 0;
}

static const struct auth_hook *
auth_for(const struct daemon *d, const char *conn, bool local)
{
	const struct conn_cfg *c = conns_find(d, conn);
	const char *name;
	unsigned i;

	if (!c)
		return NULL;
	name = (local ? c->local.auth : c->remote.auth) == CFG_AUTH_PSK
		   ? "psk"
		   : "pubkey";
	for (i = 0; i < d->n_auths; i++)
		if (strcmp(d->auths[i].m->name, name) == 0)
			return &d->auths[i];
	return NULL;
}

int
plugins_auth_sign(void *ctx, const struct ike_auth_req *r, uint8_t *method,
		  uint8_t *out, size_t *len)
{
	const struct auth_hook *h = auth_for(ctx, r->conn, true);

	if (!h) {
		log_msg(IKE_LOG_ERROR,
			"connection '%s': no plugin provides "
			"its local authentication method",
			r->conn);
		return -1;
	}
	return h->m->sign(h->state, r, method, out, len);
}

int
plugins_auth_verify(void *ctx, const struct ike_auth_req *r, uint8_t method,
		    struct bytes data, char *why, size_t why_len)
{
	const struct auth_hook *h = auth_for(ctx, r->conn, false);

	if (!h) {
		snprintf(why, why_len,
			 "no plugin provides the authentication "
			 "method connection '%s' expects of its peer",
			 r->conn);
		return -1;
	}
	return h->m->verify(h->state, r, method, data, why, why_len);
}

void
plugins_event(void *ctx, const struct ike_event *ev)
{
	const struct daemon *d = ctx;
	unsigned i;

	for (i = 0; i < d->n_listeners; i++)
		d->listeners[i].l->event(d->listeners[i].state, ev);
}
