/* SPDX-License-Identifier: ISC */
/*
 * Plugin loading (plugin.h is the ABI). Two steps, because the plugins are
 * named in the configuration whose keys they declare:
 *
 *   plugins_open()   dlopen() each plugin daemon.plugins names (or every
 *                    .so in plugin_dir), refuse one of another ABI, order
 *                    the rest so that what a plugin requires is provided by
 *                    one before it (refusing a missing dependency, or a
 *                    second provider of an auth method), and answer the
 *                    config loader about their keys and auth methods, and
 *                    run their checks of each config it loads;
 *   plugins_start()  init each in that order. One that fails is unloaded
 *                    with the hooks it registered, and every plugin that
 *                    requires what it provided is refused with its reason.
 *
 * The hooks themselves and their dispatch are in plugin_hooks.c, the
 * configuration views in plugin_views.c.
 */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_plugin.h"
#include "daemon.h"

#ifndef PLUGIN_DIR
#define PLUGIN_DIR "/usr/local/lib/charond"
#endif

#define WORDS_MAX 512 /* provides, requires: longer lists are cut */

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

static const struct charond_api api = {
    .abi = CHAROND_PLUGIN_ABI,
    .log = api_log,
    .conn = views_conn,
    .child = views_child,
    .secret = views_secret,
    .value = views_value,
    .add_auth = hooks_add_auth,
    .add_extension = hooks_add_extension,
    .add_listener = hooks_add_listener,
    .add_child_filter = hooks_add_child_filter,
    .sa_slot = hooks_sa_slot,
    .sa_get = hooks_sa_get,
    .sa_set = hooks_sa_set,
    .now = hooks_now,
    .timer_add = hooks_timer_add,
    .timer_cancel = hooks_timer_cancel,
    .sa_action = hooks_sa_action,
    .sa_query = hooks_sa_query,
    .send_keepalive = hooks_send_keepalive,
    .sa_nat = hooks_sa_nat,
    .port_nat_t = hooks_port_nat_t,
    .sa_v1_encap = hooks_sa_v1_encap,
    .sa_esp_idle = kernel_esp_idle,
    .trap = trap_api,
};

/* --- words of provides and requires -------------------------------------- */

/* Whether the space-separated list has word (n bytes). */
static bool
has_word(const char *list, const char *word, size_t n)
{
	const char *p = list;

	while (p != NULL && *p != '\0') {
		size_t len;

		p += strspn(p, " ");
		len = strcspn(p, " ");
		if (len == n && strncmp(p, word, n) == 0)
			return true;
		p += len;
	}
	return false;
}

/* The i-th word of list into buf; false past the last. */
static bool
word_at(const char *list, unsigned i, char *buf, size_t len)
{
	const char *p = list;

	while (p != NULL && *p != '\0') {
		size_t n;

		p += strspn(p, " ");
		n = strcspn(p, " ");
		if (n == 0)
			break;
		if (i-- == 0) {
			snprintf(buf, len, "%.*s", (int)n, p);
			return true;
		}
		p += n;
	}
	return false;
}

/* The plugin among the first n of d that provides word; -1 if none. */
static int
provider(const struct daemon *d, unsigned n, const char *word)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (has_word(d->plugins[i].desc->provides, word, strlen(word)))
			return (int)i;
	return -1;
}

/* --- opening and ordering ------------------------------------------------ */

struct candidate {
	char path[512];
	char name[64]; /* from the file name: what daemon.plugins says */
	void *handle;
	const struct charond_plugin *desc;
};

static int
open_candidate(struct candidate *c)
{
	c->handle = dlopen(c->path, RTLD_NOW | RTLD_LOCAL);
	if (!c->handle) {
		log_msg(IKE_LOG_ERROR, "plugin %s: cannot load %s: %s", c->name,
			c->path, dlerror());
		return -1;
	}
	c->desc = dlsym(c->handle, CHAROND_PLUGIN_SYMBOL);
	if (!c->desc) {
		log_msg(IKE_LOG_ERROR,
			"plugin %s: %s is not a charond plugin (no '%s')",
			c->name, c->path, CHAROND_PLUGIN_SYMBOL);
		goto fail;
	}
	/* Nothing but abi is read before it matches: another ABI may lay
	 * the descriptor out differently. */
	if (c->desc->abi != CHAROND_PLUGIN_ABI) {
		log_msg(IKE_LOG_ERROR,
			"plugin %s refused: %s was built for plugin ABI %u, "
			"this charond has ABI %u: rebuild it",
			c->name, c->path, c->desc->abi, CHAROND_PLUGIN_ABI);
		goto fail;
	}
	if (!c->desc->name || !c->desc->version) {
		log_msg(IKE_LOG_ERROR,
			"plugin %s refused: %s has no name or version", c->name,
			c->path);
		goto fail;
	}
	return 0;
fail:
	dlclose(c->handle);
	c->handle = NULL;
	return -1;
}

/* A candidate named by n bytes of name, file DIR/NAME.so. */
static void
add_candidate(struct candidate *cand, unsigned *n, const char *dir,
	      const char *name, size_t len)
{
	if (*n == MAX_PLUGINS) {
		log_msg(IKE_LOG_ERROR,
			"plugin %.*s not loaded: at most %d plugins", (int)len,
			name, MAX_PLUGINS);
		return;
	}
	snprintf(cand[*n].path, sizeof(cand[*n].path), "%s/%.*s.so", dir,
		 (int)len, name);
	snprintf(cand[*n].name, sizeof(cand[*n].name), "%.*s", (int)len, name);
	(*n)++;
}

/* daemon.plugins in order, else every .so in the directory by name. */
static unsigned
find_candidates(const struct daemon_cfg *dc, struct candidate *cand)
{
	const char *dir = dc->plugin_dir ? dc->plugin_dir : PLUGIN_DIR;
	struct dirent **names = NULL;
	unsigned n = 0, i;
	int k, m;

	if (!dc->all_plugins) {
		for (i = 0; i < dc->n_plugins; i++)
			add_candidate(cand, &n, dir, dc->plugins[i],
				      strlen(dc->plugins[i]));
		return n;
	}
	m = scandir(dir, &names, NULL, alphasort);
	if (m < 0)
		log_msg(IKE_LOG_ERROR, "cannot read plugin directory %s: %s",
			dir, strerror(errno));
	for (k = 0; k < m; k++) {
		const char *f = names[k]->d_name;
		size_t len = strlen(f);

		if (len > 3 && strcmp(f + len - 3, ".so") == 0)
			add_candidate(cand, &n, dir, f, len - 3);
		free(names[k]);
	}
	free(names);
	return n;
}

/* Whether every word c requires is provided by a plugin placed already. */
static bool
satisfied(const struct daemon *d, const struct candidate *c)
{
	char w[128];
	unsigned i;

	for (i = 0; word_at(c->desc->requires, i, w, sizeof(w)); i++)
		if (provider(d, d->n_plugins, w) < 0)
			return false;
	return true;
}

/* An auth method c provides that a placed plugin provides already: its
 * index, with the word in w; -1 if none. */
static int
auth_taken(const struct daemon *d, const struct candidate *c, char *w,
	   size_t len)
{
	unsigned i;
	int p;

	for (i = 0; word_at(c->desc->provides, i, w, len); i++)
		if (strncmp(w, "auth:", 5) == 0 &&
		    (p = provider(d, d->n_plugins, w)) >= 0)
			return p;
	return -1;
}

static bool
placed_named(const struct daemon *d, const char *name)
{
	unsigned i;

	for (i = 0; i < d->n_plugins; i++)
		if (strcmp(d->plugins[i].desc->name, name) == 0)
			return true;
	return false;
}

static void
refuse_unresolved(const struct daemon *d, struct candidate *c)
{
	char w[128], missing[WORDS_MAX] = "";
	size_t used = 0;
	unsigned i;

	for (i = 0; word_at(c->desc->requires, i, w, sizeof(w)); i++)
		if (provider(d, d->n_plugins, w) < 0 && used < sizeof(missing))
			used += (size_t)snprintf(missing + used,
						 sizeof(missing) - used,
						 "%s'%s'", used ? ", " : "", w);
	log_msg(IKE_LOG_ERROR,
		"plugin %s refused: it requires %s, which no loaded plugin "
		"provides",
		c->desc->name, missing);
	dlclose(c->handle);
	c->handle = NULL;
}

static const struct config_plugin_registry registry;

int
plugins_open(struct daemon *d, const struct daemon_cfg *dc)
{
	static struct candidate cand[MAX_PLUGINS];
	unsigned n, i, placed;
	int rc = 0;

	memset(cand, 0, sizeof(cand));
	n = find_candidates(dc, cand);
	for (i = 0; i < n; i++)
		if (open_candidate(&cand[i]) < 0)
			rc = -1;
	/* In the order given where possible: passes until nothing more
	 * can be placed. */
	do {
		placed = 0;
		for (i = 0; i < n; i++) {
			struct loaded_plugin *lp;
			char w[128];
			int other;

			if (!cand[i].handle || !satisfied(d, &cand[i]))
				continue;
			/* Listed twice, or two files of one plugin: its init
			 * must not run twice. */
			if (placed_named(d, cand[i].desc->name)) {
				log_msg(IKE_LOG_ERROR,
					"plugin %s refused (%s): a plugin of "
					"that name is loaded already",
					cand[i].desc->name, cand[i].path);
				dlclose(cand[i].handle);
				cand[i].handle = NULL;
				rc = -1;
				continue;
			}
			other = auth_taken(d, &cand[i], w, sizeof(w));
			if (other >= 0) {
				log_msg(IKE_LOG_ERROR,
					"plugin %s refused: %s is provided "
					"by plugin %s already",
					cand[i].desc->name, w,
					d->plugins[other].desc->name);
				dlclose(cand[i].handle);
				cand[i].handle = NULL;
				rc = -1;
				continue;
			}
			lp = &d->plugins[d->n_plugins++];
			memset(lp, 0, sizeof(*lp));
			lp->desc = cand[i].desc;
			lp->handle = cand[i].handle;
			cand[i].handle = NULL;
			placed++;
		}
	} while (placed);
	for (i = 0; i < n; i++)
		if (cand[i].handle) {
			refuse_unresolved(d, &cand[i]);
			rc = -1;
		}
	config_plugin_set_registry(&registry);
	return rc;
}

/* --- starting ------------------------------------------------------------ */

/* Why a plugin failed, for those that require what it provided: copied,
 * as the plugin's own strings go with it. */
struct failure {
	char name[64];
	char provides[WORDS_MAX];
	char why[300];
};

static const struct failure *
failed_provider(const struct failure *f, unsigned nf, const char *word)
{
	unsigned i;

	for (i = 0; i < nf; i++)
		if (has_word(f[i].provides, word, strlen(word)))
			return &f[i];
	return NULL;
}

static void
record_failure(struct failure *f, const struct charond_plugin *desc,
	       const char *why)
{
	snprintf(f->name, sizeof(f->name), "%s", desc->name);
	snprintf(f->provides, sizeof(f->provides), "%s",
		 desc->provides ? desc->provides : "");
	snprintf(f->why, sizeof(f->why), "%s", why);
}

static void
unload_one(struct daemon *d, unsigned i)
{
	hooks_drop(d->plugins[i].desc);
	dlclose(d->plugins[i].handle);
	memmove(&d->plugins[i], &d->plugins[i + 1],
		(d->n_plugins - i - 1) * sizeof(d->plugins[0]));
	d->n_plugins--;
}

static int reg_auth(void *ctx, const char *name, char *hint, size_t len);

/* The config was checked against the plugins opened; one that then failed
 * leaves connections without their auth method: said at once, not at the
 * first authentication. */
static void
check_conn_auths(const struct daemon *d)
{
	char hint[80];
	size_t i;

	for (i = 0; d->cfg && i < d->cfg->n_conns; i++) {
		const struct conn_cfg *c = &d->cfg->conns[i];

		if (reg_auth(NULL, c->local.auth, hint, sizeof(hint)) < 0 ||
		    reg_auth(NULL, c->remote.auth, hint, sizeof(hint)) < 0)
			log_msg(IKE_LOG_ERROR,
				"connection '%s' cannot authenticate: no "
				"started plugin provides auth method '%s'",
				c->name,
				reg_auth(NULL, c->local.auth, hint,
					 sizeof(hint)) < 0
				    ? c->local.auth
				    : c->remote.auth);
	}
}

int
plugins_start(struct daemon *d)
{
	struct failure failed[MAX_PLUGINS];
	unsigned nf = 0, i = 0;
	int rc = 0;

	while (i < d->n_plugins) {
		struct loaded_plugin *lp = &d->plugins[i];
		const struct failure *f = NULL;
		char w[128], why[256] = "";
		unsigned k;

		for (k = 0; !f && word_at(lp->desc->requires, k, w, sizeof(w));
		     k++)
			f = failed_provider(failed, nf, w);
		if (f) {
			log_msg(IKE_LOG_ERROR,
				"plugin %s not started: it requires %s, whose "
				"provider %s failed: %s",
				lp->desc->name, w, f->name, f->why);
			/* Its dependants name the first failure too. */
			record_failure(&failed[nf], lp->desc, f->why);
			nf++;
			unload_one(d, i);
			rc = -1;
			continue;
		}
		hooks_begin(lp->desc);
		if (lp->desc->init &&
		    lp->desc->init(&api, &lp->state, why, sizeof(why)) < 0) {
			hooks_begin(NULL);
			if (!why[0])
				snprintf(why, sizeof(why), "no reason given");
			log_msg(IKE_LOG_ERROR, "plugin %s failed to start: %s",
				lp->desc->name, why);
			record_failure(&failed[nf++], lp->desc, why);
			unload_one(d, i);
			rc = -1;
			continue;
		}
		hooks_begin(NULL);
		lp->started = true;
		log_msg(IKE_LOG_DEBUG, "plugin %s %s started", lp->desc->name,
			lp->desc->version);
		i++;
	}
	if (rc < 0)
		check_conn_auths(d);
	return rc;
}

void
plugins_unload(struct daemon *d)
{
	while (d->n_plugins) {
		struct loaded_plugin *lp = &d->plugins[--d->n_plugins];

		/* Its per-SA data goes while its free_fn is still mapped,
		 * and before fini frees what that data may refer to. */
		hooks_drop(lp->desc);
		if (lp->started && lp->desc->fini)
			lp->desc->fini(lp->state);
		dlclose(lp->handle);
	}
	hooks_clear();
	config_plugin_set_registry(NULL);
}

/* --- what the config loader asks ----------------------------------------- */

/* The keys plugin i declares that a lookup in this scope may see: a
 * plugin's own section is only its own. */
static const struct charond_config_key *
keys_in_scope(const struct daemon *d, unsigned i, enum charond_scope scope,
	      const char *plugin)
{
	if (scope == CHAROND_SCOPE_PLUGIN &&
	    (!plugin || strcmp(plugin, d->plugins[i].desc->name)))
		return NULL;
	return d->plugins[i].desc->keys;
}

const struct charond_config_key *
plugins_find_key(enum charond_scope scope, const char *plugin, const char *key)
{
	const struct daemon *d = &daemon_g;
	unsigned i;

	for (i = 0; i < d->n_plugins; i++) {
		const struct charond_config_key *k =
		    keys_in_scope(d, i, scope, plugin);

		for (; k && k->key; k++)
			if (k->scope == scope && strcmp(k->key, key) == 0)
				return k;
	}
	return NULL;
}

static bool
key_is_map(enum charond_scope scope, const char *plugin, const char *prefix)
{
	const struct daemon *d = &daemon_g;
	size_t n = strlen(prefix);
	unsigned i;

	for (i = 0; i < d->n_plugins; i++) {
		const struct charond_config_key *k =
		    keys_in_scope(d, i, scope, plugin);

		for (; k && k->key; k++)
			if (k->scope == scope &&
			    strncmp(k->key, prefix, n) == 0 && k->key[n] == '.')
				return true;
	}
	return false;
}

static const struct charond_config_key *
reg_find(void *ctx, enum charond_scope scope, const char *plugin,
	 const char *key)
{
	return plugins_find_key(scope, plugin, key);
}

static bool
reg_is_map(void *ctx, enum charond_scope scope, const char *plugin,
	   const char *prefix)
{
	return key_is_map(scope, plugin, prefix);
}

static bool
reg_loaded(void *ctx, const char *plugin)
{
	const struct daemon *d = &daemon_g;
	unsigned i;

	for (i = 0; i < d->n_plugins; i++)
		if (strcmp(d->plugins[i].desc->name, plugin) == 0)
			return true;
	return false;
}

/* The plugins of this tree that provide well-known methods, for the hint
 * when none loaded does; a new method needs no entry. */
static const struct {
	const char *method, *plugin;
} known_methods[] = {
    {"psk", "psk"},
    {"pubkey", "x509"},
};

static int
reg_auth(void *ctx, const char *name, char *hint, size_t len)
{
	char w[80];
	size_t i;

	snprintf(w, sizeof(w), "auth:%s", name);
	if (provider(&daemon_g, daemon_g.n_plugins, w) >= 0)
		return 0;
	hint[0] = '\0';
	for (i = 0; i < sizeof(known_methods) / sizeof(known_methods[0]); i++)
		if (strcmp(known_methods[i].method, name) == 0)
			snprintf(hint, len, "the %s plugin does",
				 known_methods[i].plugin);
	return -1;
}

/* Every opened plugin's check, in start order; started or not (at start
 * they run before init). */
static void
reg_check(void *ctx, const struct charond_check *ck)
{
	const struct daemon *d = &daemon_g;
	unsigned i;

	for (i = 0; i < d->n_plugins; i++) {
		const struct charond_plugin *p = d->plugins[i].desc;

		if (p->check && p->check(ck) < 0)
			ck->report(ck, CHAROND_ERROR, NULL, NULL, NULL,
				   "plugin %s could not check the "
				   "configuration (out of memory?)",
				   p->name);
	}
}

static const struct config_plugin_registry registry = {
    .ctx = NULL,
    .find = reg_find,
    .is_map = reg_is_map,
    .loaded = reg_loaded,
    .auth = reg_auth,
    .check = reg_check,
};

bool
plugins_key_supported(void *ctx, enum charond_scope scope, const char *key)
{
	char plugin[64];
	const char *dot;

	if (scope != CHAROND_SCOPE_PLUGIN)
		return plugins_find_key(scope, NULL, key) ||
		       key_is_map(scope, NULL, key);
	dot = strchr(key, '.');
	if (!dot || (size_t)(dot - key) >= sizeof(plugin))
		return false;
	snprintf(plugin, sizeof(plugin), "%.*s", (int)(dot - key), key);
	return plugins_find_key(scope, plugin, dot + 1) ||
	       key_is_map(scope, plugin, dot + 1);
}
