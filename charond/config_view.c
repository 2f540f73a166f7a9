/* SPDX-License-Identifier: ISC */
/*
 * A configuration as plugins see it: the typed views of plugin.h (conn,
 * child, secret, value) over any config, and the check context (struct
 * charond_check) over one being loaded. plugin_views.c shows the running
 * config through the first; the loader runs the plugins' checks through
 * the second (config_check_plugins, from finish() in config.c), turning
 * their reports into FILE:LINE:COL diagnostics at the connection, child
 * or key they name. Neither the views nor the checks know an auth method:
 * what a method needs is its plugin's to say.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_int.h"
#include "config_plugin.h"

/* --- views -----------------------------------------------------------------
 */

/* What a connection's view points to besides the config's own strings. */
struct view_conn {
	const char **children; /* NULL-terminated */
	char **addrs;          /* local then remote, as text */
	size_t n_addrs;
	const struct privkey_cfg *key_secret; /* local.key's passphrase */
};

void
config_views_reset(struct config_views *vc)
{
	size_t i, j;

	for (i = 0; vc->conns != NULL && i < vc->n; i++) {
		free(vc->conns[i].children);
		for (j = 0; j < vc->conns[i].n_addrs; j++)
			free(vc->conns[i].addrs[j]);
		free(vc->conns[i].addrs);
	}
	free(vc->conns);
	free(vc->authorities);
	free(vc->authority_crls);
	memset(vc, 0, sizeof(*vc));
}

/* Built once per connection and config: a plugin may ask for each view of
 * ten thousand connections. */
static struct view_conn *
view_conn(struct config_views *vc, const struct config *cfg,
	  const struct conn_cfg *c)
{
	size_t ci = (size_t)(c - cfg->conns), i, n;
	struct view_conn *v;
	char buf[128];

	if (vc->cfg != cfg) {
		config_views_reset(vc);
		vc->conns = calloc(cfg->n_conns + 1, sizeof(*vc->conns));
		if (vc->conns == NULL)
			return NULL;
		vc->cfg = cfg;
		vc->n = cfg->n_conns;
		vc->authorities =
		    calloc(cfg->n_authorities + 1, sizeof(*vc->authorities));
		vc->authority_crls =
		    calloc(cfg->n_authorities + 1, sizeof(*vc->authority_crls));
		if (vc->authorities == NULL || vc->authority_crls == NULL)
			return NULL;
		for (i = 0; i < cfg->n_authorities; i++) {
			const struct authority_cfg *a = &cfg->authorities[i];

			vc->authorities[i].name = a->name;
			vc->authorities[i].cacert = a->cacert;
			vc->authorities[i].crl = a->n_crls ? a->crls[0] : NULL;
			vc->authority_crls[i].files =
			    (const char *const *)a->crls;
			vc->authority_crls[i].n = a->n_crls;
		}
	}
	v = &vc->conns[ci];
	if (v->children != NULL)
		return v;
	n = c->n_local_addrs + c->n_remote_addrs;
	v->children = calloc(c->n_children + 1, sizeof(*v->children));
	v->addrs = calloc(n + 1, sizeof(*v->addrs));
	if (v->children == NULL || v->addrs == NULL)
		goto fail;
	for (i = 0; i < c->n_children; i++)
		v->children[i] = c->children[i].name;
	for (i = 0; i < n; i++) {
		cfg_addr_format(i < c->n_local_addrs
				    ? &c->local_addrs[i]
				    : &c->remote_addrs[i - c->n_local_addrs],
				buf, sizeof(buf));
		v->addrs[i] = strdup(buf);
		if (v->addrs[i] == NULL)
			goto fail;
		v->n_addrs++;
	}
	/* Resolved once per config: realpath() costs system calls. */
	v->key_secret =
	    c->local.key ? config_find_privkey(cfg, c->local.key) : NULL;
	return v;
fail:
	for (i = 0; i < v->n_addrs; i++)
		free(v->addrs[i]);
	free(v->addrs);
	free(v->children);
	memset(v, 0, sizeof(*v));
	return NULL;
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
config_view_conn(struct config_views *vc, const struct config *cfg,
		 const struct conn_cfg *c, struct charond_conn_view *out)
{
	struct charond_conn_view v;
	const struct view_conn *vcn;
	size_t i;

	if (cfg == NULL || c == NULL || out == NULL)
		return -1;
	/* Out of memory: a view without its addresses would mislead. */
	vcn = view_conn(vc, cfg, c);
	if (vcn == NULL)
		return -1;
	memset(&v, 0, sizeof(v));
	v.size = sizeof(v);
	v.name = c->name;
	v.version = c->version;
	end_view(&c->local, &v.local);
	end_view(&c->remote, &v.remote);
	v.children = vcn->children;
	v.n_children = c->n_children;
	v.local_addrs = (const char *const *)vcn->addrs;
	v.n_local_addrs = c->n_local_addrs;
	v.remote_addrs = (const char *const *)vcn->addrs + c->n_local_addrs;
	v.n_remote_addrs = c->n_remote_addrs;
	v.remote_hosts_only = conn_remote_hosts_only(c);
	/* remote.ca names one of them (config.c checks that it exists). */
	v.authorities = vc->authorities;
	v.n_authorities = cfg->n_authorities;
	v.authority_crls = vc->authority_crls;
	if (vcn->key_secret) {
		v.local_key_secret = vcn->key_secret->secret;
		v.local_key_secret_file = vcn->key_secret->pos.file;
		v.local_key_secret_line = vcn->key_secret->pos.line;
	}
	for (i = 0; c->remote.ca != NULL && i < cfg->n_authorities; i++)
		if (strcmp(cfg->authorities[i].name, c->remote.ca) == 0) {
			v.authorities = &vc->authorities[i];
			v.authority_crls = &vc->authority_crls[i];
			v.n_authorities = 1;
		}
	fill(out, &v, sizeof(v));
	return 0;
}

int
config_view_child(const struct config *cfg, const char *conn, const char *child,
		  struct charond_child_view *out)
{
	static const char *const start[] = {"none", "trap", "start"};
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
	v.l2tp = ch->l2tp;
	fill(out, &v, sizeof(v));
	return 0;
}

int
config_view_secret(const struct config *cfg, const char *kind, size_t i,
		   struct charond_secret_view *out)
{
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
config_view_value(const struct config *cfg, const struct charond_config_key *k,
		  enum charond_scope scope, const char *conn, const char *child,
		  const char *key, struct charond_value *out)
{
	if (!k || !key || !out)
		return -1;
	if (cfg && config_plugin_value(cfg, scope, conn, child, key, out) == 0)
		return 0;
	memset(out, 0, sizeof(*out));
	out->type = k->type;
	out->set = false;
	return 0;
}

/* --- checks of a config being loaded -------------------------------------- */

struct check_ctx {
	struct charond_check ck; /* first: a check is its context */
	struct loader *ld;
	struct config_views views;
};

static struct check_ctx *
ctx_of(const struct charond_check *ck)
{
	return ck->ctx;
}

static int
ck_conn_at(const struct charond_check *ck, size_t i,
	   struct charond_conn_view *out)
{
	struct check_ctx *x = ctx_of(ck);
	const struct config *cfg = x->ld->cfg;

	if (i >= cfg->n_conns || out == NULL)
		return -1;
	/* Stopping early would pass what was not checked. */
	if (config_view_conn(&x->views, cfg, &cfg->conns[i], out) < 0) {
		x->ld->nomem = true;
		return -1;
	}
	return 0;
}

static int
ck_conn(const struct charond_check *ck, const char *conn,
	struct charond_conn_view *out)
{
	struct check_ctx *x = ctx_of(ck);
	const struct config *cfg = x->ld->cfg;
	const struct conn_cfg *c =
	    conn && out ? config_find_conn(cfg, conn) : NULL;

	if (c != NULL && config_view_conn(&x->views, cfg, c, out) < 0) {
		x->ld->nomem = true;
		return -1;
	}
	return c != NULL ? 0 : -1;
}

static int
ck_child(const struct charond_check *ck, const char *conn, const char *child,
	 struct charond_child_view *out)
{
	return config_view_child(ctx_of(ck)->ld->cfg, conn, child, out);
}

static int
ck_secret(const struct charond_check *ck, const char *kind, size_t i,
	  struct charond_secret_view *out)
{
	return config_view_secret(ctx_of(ck)->ld->cfg, kind, i, out);
}

static int
ck_value(const struct charond_check *ck, enum charond_scope scope,
	 const char *conn, const char *child, const char *key,
	 struct charond_value *out)
{
	const struct config_plugin_registry *r = config_plugin_registry();
	const struct charond_config_key *k =
	    r && key ? r->find(r->ctx, scope, conn, key) : NULL;

	return config_view_value(ctx_of(ck)->ld->cfg, k, scope, conn, child,
				 key, out);
}

/* A written position, or NULL. */
static const struct cfg_pos *
written(const struct cfg_pos *p)
{
	return p->line != 0 ? p : NULL;
}

/* Where a key of a connection side was written; NULL if it was not. */
static const struct cfg_pos *
side_pos(const struct auth_cfg *a, const char *member)
{
	if (strcmp(member, "auth") == 0)
		return &a->pos;
	if (strcmp(member, "certs") == 0)
		return written(&a->certs_pos);
	if (strcmp(member, "key") == 0)
		return written(&a->key_pos);
	if (strcmp(member, "ca") == 0)
		return written(&a->ca_pos);
	return NULL;
}

/* The position a report names: the key's, else its child's or
 * connection's. */
static void
report_pos(const struct config *cfg, const char *conn, const char *child,
	   const char *key, struct cfg_pos *pos)
{
	const struct conn_cfg *c = conn ? config_find_conn(cfg, conn) : NULL;
	const struct child_cfg *ch =
	    c && child ? config_find_child(c, child) : NULL;
	const struct cfg_pos *at = NULL;
	struct charond_value v;

	memset(pos, 0, sizeof(*pos));
	if (c == NULL)
		return;
	if (key != NULL && ch != NULL) {
		if (config_plugin_value(cfg, CHAROND_SCOPE_CHILD, conn, child,
					key, &v) == 0 &&
		    v.file != NULL) {
			pos->file = v.file;
			pos->line = v.line;
			pos->col = v.col;
			return;
		}
	} else if (key != NULL) {
		const struct auth_cfg *side = NULL;
		size_t n = 0;

		if (strncmp(key, "local", 5) == 0)
			side = &c->local, n = 5;
		else if (strncmp(key, "remote", 6) == 0)
			side = &c->remote, n = 6;
		if (side != NULL && key[n] == '\0') {
			at = &side->pos;
		} else if (side != NULL && key[n] == '.') {
			at = side_pos(side, key + n + 1);
			if (at == NULL)
				at = &side->pos;
		} else if (config_plugin_value(cfg, CHAROND_SCOPE_CONN, conn,
					       NULL, key, &v) == 0 &&
			   v.file != NULL) {
			pos->file = v.file;
			pos->line = v.line;
			pos->col = v.col;
			return;
		}
	}
	if (at == NULL)
		at = ch != NULL ? &ch->pos : &c->pos;
	*pos = *at;
}

static void ck_report(const struct charond_check *ck, enum charond_severity sev,
		      const char *conn, const char *child, const char *key,
		      const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

static void
ck_report(const struct charond_check *ck, enum charond_severity sev,
	  const char *conn, const char *child, const char *key, const char *fmt,
	  ...)
{
	struct check_ctx *x = ctx_of(ck);
	struct cfg_pos pos;
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	report_pos(x->ld->cfg, conn, child, key, &pos);
	ld_diag_pos(x->ld, sev == CHAROND_WARNING ? DIAG_WARNING : DIAG_ERROR,
		    &pos, "%s", msg);
}

void
config_check_plugins(struct loader *ld)
{
	const struct config_plugin_registry *r = config_plugin_registry();
	struct check_ctx x;

	if (r == NULL || r->check == NULL)
		return;
	memset(&x, 0, sizeof(x));
	x.ck.conn_at = ck_conn_at;
	x.ck.conn = ck_conn;
	x.ck.child = ck_child;
	x.ck.secret = ck_secret;
	x.ck.value = ck_value;
	x.ck.report = ck_report;
	x.ck.ctx = &x;
	x.ld = ld;
	r->check(r->ctx, &x.ck);
	config_views_reset(&x.views);
}
