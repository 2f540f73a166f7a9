/* SPDX-License-Identifier: ISC */
/*
 * The connections section of charond.yaml: IKE settings, the two
 * authentication sides, and the children with their traffic selectors
 * and ESP proposals; the defaults a strongSwan user expects, and the checks
 * that need a whole connection (l2tp in tunnel mode, start_action without
 * a peer address). Checks that need the whole configuration are in
 * config.c; what an auth method needs (a PSK, certificates and keys) is
 * checked by the plugin that provides it (plugin.h's `check`).
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "config_int.h"
#include "ikev2_const.h"
#include "plugin.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

#define IKE_REKEY_MS   (4 * 3600 * 1000ULL)
#define CHILD_REKEY_MS (3600 * 1000ULL)

/* --- field handlers ------------------------------------------------------ */

static void
f_version(struct loader *ld, const struct field *f, const struct ynode *v,
	  void *obj)
{
	const char *s = sch_scalar(ld, f, v);
	unsigned long n;

	if (s == NULL)
		return;
	if (cfg_parse_uint(s, 2, &n) != 0) {
		ld_err(ld, v,
		       "bad IKE version '%s': expected 1, 2, or 0 for either",
		       s);
		return;
	}
	*MEMBER(obj, f, uint8_t) = (uint8_t)n;
}

/* IKEv1 Aggressive Mode: a bool whose place the whole-connection check
 * needs (it is refused on an IKEv2 connection). */
static void
f_aggressive(struct loader *ld, const struct field *f, const struct ynode *v,
	     void *obj)
{
	struct conn_cfg *c = obj;

	sch_bool(ld, f, v, obj);
	ld_pos(ld, v, &c->aggressive_pos);
}

static void
f_addrs(struct loader *ld, const struct field *f, const struct ynode *v,
	void *obj)
{
	struct cfg_addr **dst = MEMBER(obj, f, struct cfg_addr *), *p;
	size_t *n = COUNT(obj, f), i;

	if (!sch_is_list(ld, f->key, v))
		return;
	for (i = 0; i < sch_list_len(v); i++) {
		const struct ynode *it = sch_list_item(v, i);
		const char *s = sch_item_str(ld, f->key, it);
		struct cfg_addr a;
		char err[256];
		int r;

		if (s == NULL)
			continue;
		r = cfg_parse_addr(s, &a, err, sizeof(err));
		if (r < 0) {
			ld_err(ld, it, "bad address in '%s': %s", f->key, err);
			continue;
		}
		if (r == 1)
			ld_warn(ld, it, "%s", err);
		p = sch_grow(ld, *dst, n, sizeof(*p));
		if (p == NULL) {
			cfg_addr_clear(&a);
			return;
		}
		*dst = p;
		p[*n - 1] = a;
	}
	if (sch_list_len(v) == 0)
		ld_err(ld, v, "'%s' is empty; leave it out for %%any", f->key);
}

static void
f_ts(struct loader *ld, const struct field *f, const struct ynode *v, void *obj)
{
	struct cfg_ts **dst = MEMBER(obj, f, struct cfg_ts *), *p;
	size_t *n = COUNT(obj, f), i;

	if (!sch_is_list(ld, f->key, v))
		return;
	for (i = 0; i < sch_list_len(v); i++) {
		const struct ynode *it = sch_list_item(v, i);
		const char *s = sch_item_str(ld, f->key, it);
		struct cfg_ts ts;
		char err[256];
		int r;

		if (s == NULL)
			continue;
		r = cfg_parse_ts(s, &ts, err, sizeof(err));
		if (r < 0) {
			ld_err(ld, it, "%s", err);
			continue;
		}
		if (r == 1)
			ld_warn(ld, it, "%s", err);
		p = sch_grow(ld, *dst, n, sizeof(*p));
		if (p == NULL)
			return;
		*dst = p;
		p[*n - 1] = ts;
	}
	if (sch_list_len(v) == 0)
		ld_err(ld, v, "'%s' is empty; leave it out for dynamic",
		       f->key);
	/* The engine proposes at most this many: refused, not cut short. */
	if (*n > IKE_MAX_CFG_TS)
		ld_err(ld, v, "too many traffic selectors in '%s' (at most %d)",
		       f->key, IKE_MAX_CFG_TS);
}

/*
 * Append proposals, renumbered from 1; false (reported) when full. The
 * list lives in the config's pool of proposal lists (cfg->props, freed
 * with the config): the connections of a hub share the few lists they
 * use instead of 400 bytes per proposal each (libike/prop_pool.c).
 */
static bool
add_props(struct loader *ld, const struct ynode *at, struct proposal **dst,
	  size_t *n, const struct proposal *p, size_t np)
{
	struct proposal *arr, *pooled;
	size_t i;

	if (*n + np > IKE_MAX_PROPOSALS) {
		ld_err(ld, at, "too many proposals (at most %d)",
		       IKE_MAX_PROPOSALS);
		return false;
	}
	arr = ld_alloc(ld, (*n + np) * sizeof(*arr));
	if (arr == NULL)
		return false;
	for (i = 0; i < *n; i++)
		arr[i] = (*dst)[i];
	for (i = 0; i < np; i++) {
		arr[*n + i] = p[i];
		arr[*n + i].num = (uint8_t)(*n + i + 1);
	}
	pooled = prop_pool_get(ld->cfg->props, arr, *n + np);
	free(arr);
	if (pooled == NULL) {
		ld->nomem = true;
		return false;
	}
	prop_pool_put(ld->cfg->props, *dst);
	*dst = pooled;
	*n += np;
	return true;
}

static void
f_props(struct loader *ld, const struct field *f, const struct ynode *v,
	void *obj)
{
	struct proposal **dst = MEMBER(obj, f, struct proposal *);
	size_t *n = COUNT(obj, f), i;
	uint8_t proto = (uint8_t)f->arg;

	if (!sch_is_list(ld, f->key, v))
		return;
	if (sch_list_len(v) == 0)
		ld_err(ld, v, "'%s' is empty; leave it out for the defaults",
		       f->key);
	for (i = 0; i < sch_list_len(v); i++) {
		const struct ynode *it = sch_list_item(v, i);
		const char *s = sch_item_str(ld, f->key, it);
		struct proposal p[IKE_MAX_PROPOSALS];
		char err[256], weak[128];
		int np = 1;

		if (s == NULL)
			continue;
		/* strongSwan's "default": the built-in list, here. */
		if (strcmp(s, "default") == 0) {
			np = prop_default(proto, p, NELEM(p));
		} else if (prop_parse(s, proto, &p[0], err, sizeof(err)) != 0) {
			ld_err(ld, it, "%s", err);
			continue;
		} else if (prop_weak_names(&p[0], weak, sizeof(weak)) > 0) {
			ld_warn(ld, it,
				"proposal '%s' uses weak algorithms: %s", s,
				weak);
		}
		if (np > 0 && !add_props(ld, it, dst, n, p, (size_t)np))
			return;
	}
}

/* --- connections --------------------------------------------------------- */

/* An auth method is whatever a plugin provides (config.c checks that one
 * does): here only its spelling. */
static void
f_auth_method(struct loader *ld, const struct field *f, const struct ynode *v,
	      void *obj)
{
	const char *s = sch_scalar(ld, f, v);
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_' ||
		      s[i] == '-'))
			break;
	if (s[i] != '\0' || i == 0 || i > 32) {
		ld_err(ld, v,
		       "bad auth method '%s': use 1 to 32 lowercase letters, "
		       "digits, '_' and '-' (e.g. psk, pubkey)",
		       s);
		return;
	}
	sch_str(ld, f, v, obj);
}

/* An identity as written; the engine holds at most IKE_ID_MAX bytes of
 * one, and a longer one is refused here rather than cut short there. */
static void
f_id(struct loader *ld, const struct field *f, const struct ynode *v, void *obj)
{
	sch_str(ld, f, v, obj);
	if (v->type == YN_SCALAR && v->str && strlen(v->str) > IKE_ID_MAX)
		ld_err(ld, v, "identity too long (%zu bytes, at most %d)",
		       strlen(v->str), IKE_ID_MAX);
}

static const struct field local_fields[] = {
    F("auth", f_auth_method, struct auth_cfg, auth),
    F("id", f_id, struct auth_cfg, id),
    FL("certs", sch_files, struct auth_cfg, certs, n_certs),
    F("key", sch_file, struct auth_cfg, key),
};

static const struct field remote_fields[] = {
    F("auth", f_auth_method, struct auth_cfg, auth),
    F("id", f_id, struct auth_cfg, id),
    F("ca", sch_str, struct auth_cfg, ca),
};

static void
f_auth(struct loader *ld, const struct field *f, const struct ynode *v,
       void *obj)
{
	struct auth_cfg *a = MEMBER(obj, f, struct auth_cfg);
	bool local = strcmp(f->key, "local") == 0;
	const struct ynode *vals[NELEM(local_fields)];
	char ctx[128];

	if (!sch_is_map(ld, f->key, v))
		return;
	snprintf(ctx, sizeof(ctx), "in %s of connection '%s'", f->key,
		 ld->conn_name);
	if (local)
		sch_walk(ld, v, local_fields, NELEM(local_fields), a, ctx,
			 vals);
	else
		sch_walk(ld, v, remote_fields, NELEM(remote_fields), a, ctx,
			 vals);
	if (vals[0] != NULL)
		ld_pos(ld, vals[0], &a->pos);
	if (!local && vals[2] != NULL)
		ld_pos(ld, vals[2], &a->ca_pos);
	if (local && vals[2] != NULL)
		ld_pos(ld, vals[2], &a->certs_pos);
	if (local && vals[3] != NULL)
		ld_pos(ld, vals[3], &a->key_pos);
}

static const struct enum_name modes[] = {
    {"tunnel", CFG_MODE_TUNNEL},
    {"transport", CFG_MODE_TRANSPORT},
    {NULL, 0},
};

static const struct enum_name start_actions[] = {
    {"none", CFG_START_NONE},
    {"trap", CFG_START_TRAP},
    {"start", CFG_START_START},
    {NULL, 0},
};

static const struct enum_name hw_offloads[] = {
    {"no", CFG_HW_NO},
    {"crypto", CFG_HW_CRYPTO},
    {"packet", CFG_HW_PACKET},
    {"auto", CFG_HW_AUTO},
    {"yes", CFG_HW_CRYPTO},
    {"false", CFG_HW_NO},
    {NULL, 0},
};

static const struct field child_fields[] = {
    FE("mode", struct child_cfg, mode, modes),
    FL("local_ts", f_ts, struct child_cfg, local_ts, n_local_ts),
    FL("remote_ts", f_ts, struct child_cfg, remote_ts, n_remote_ts),
    {"esp_proposals", f_props, offsetof(struct child_cfg, esp_proposals),
     offsetof(struct child_cfg, n_esp_proposals), IKEV2_PROTO_ESP, NULL},
    FE("start_action", struct child_cfg, start_action, start_actions),
    F("rekey_time", sch_duration, struct child_cfg, rekey_time_ms),
    FE("hw_offload", struct child_cfg, hw_offload, hw_offloads),
    F("l2tp", sch_bool, struct child_cfg, l2tp),
};

static void
child_cfg_clear(struct child_cfg *c)
{
	free(c->name);
	free(c->local_ts);
	free(c->remote_ts);
	/* esp_proposals: the config's pool frees it. */
	memset(c, 0, sizeof(*c));
}

/* One traffic selector as the default of an empty list. */
static void
default_ts(struct loader *ld, struct cfg_ts **ts, size_t *n, uint8_t proto,
	   uint16_t port)
{
	*ts = ld_alloc(ld, sizeof(**ts));
	if (*ts == NULL)
		return;
	*n = 1;
	(*ts)->dynamic = true;
	(*ts)->proto = proto;
	(*ts)->port_from = port;
	(*ts)->port_to = port ? port : 65535;
}

static void
child_finish(struct loader *ld, struct child_cfg *c, const struct ynode **vals)
{
	struct proposal p[IKE_MAX_PROPOSALS];
	int np;

	/* vals[0]: mode. L2TP/IPsec clients all use transport mode and the
	 * plugin's filter only understands it, so a contradiction is an
	 * error rather than a guess. */
	if (c->l2tp && vals[0] != NULL && c->mode == CFG_MODE_TUNNEL)
		ld_err(ld, vals[0],
		       "child '%s' has l2tp: true, which needs mode: transport",
		       c->name);
	if (c->l2tp)
		c->mode = CFG_MODE_TRANSPORT;
	/* docs/clients.md: local udp/1701, remote udp/any (macOS picks a
	 * random source port). */
	if (c->n_local_ts == 0 && vals[1] == NULL)
		default_ts(ld, &c->local_ts, &c->n_local_ts, c->l2tp ? 17 : 0,
			   c->l2tp ? 1701 : 0);
	if (c->n_remote_ts == 0 && vals[2] == NULL) {
		default_ts(ld, &c->remote_ts, &c->n_remote_ts, c->l2tp ? 17 : 0,
			   0);
		c->remote_ts_default = true;
	}
	if (c->n_esp_proposals == 0 && vals[3] == NULL) {
		np = prop_default(IKEV2_PROTO_ESP, p, NELEM(p));
		if (np > 0)
			add_props(ld, vals[3], &c->esp_proposals,
				  &c->n_esp_proposals, p, (size_t)np);
	}
}

/* Child names are unique within their connection only, as in swanctl
 * (repeats there are reported by sch_named()). */
static void
child_one(struct loader *ld, const struct ynode *k, const struct ynode *val,
	  void *obj)
{
	struct conn_cfg *conn = obj;
	const struct ynode *vals[NELEM(child_fields)];
	struct child_cfg c, *p;
	char ctx[160];

	memset(&c, 0, sizeof(c));
	c.name = ld_strdup(ld, k->str);
	if (c.name == NULL)
		return;
	ld_pos(ld, k, &c.pos);
	c.rekey_time_ms = CHILD_REKEY_MS;
	snprintf(ctx, sizeof(ctx), "in child '%s' of connection '%s'", k->str,
		 conn->name);
	if (sch_is_map(ld, k->str, val)) {
		const struct ynode *conn_map = ld->plugin_map;

		/* Keys of the child map may be plugins' (config_plugin.c). */
		ld->plugin_map = val;
		ld->plugin_scope = CHAROND_SCOPE_CHILD;
		ld->child_name = c.name;
		sch_walk(ld, val, child_fields, NELEM(child_fields), &c, ctx,
			 vals);
		ld->plugin_map = conn_map;
		ld->plugin_scope = CHAROND_SCOPE_CONN;
		ld->child_name = NULL;
	} else {
		memset(vals, 0, sizeof(vals));
	}
	child_finish(ld, &c, vals);
	p = sch_grow(ld, conn->children, &conn->n_children, sizeof(*p));
	if (p == NULL) {
		child_cfg_clear(&c);
		return;
	}
	conn->children = p;
	p[conn->n_children - 1] = c;
}

static void
f_children(struct loader *ld, const struct field *f, const struct ynode *v,
	   void *obj)
{
	struct conn_cfg *conn = obj;
	char where[128];

	snprintf(where, sizeof(where), " in connection '%s'", conn->name);
	sch_named(ld, f, v, "child", where, child_one, obj);
	if (conn->n_children > IKE_MAX_CHILDREN)
		ld_err(ld, v,
		       "too many children in connection '%s' (at most %d)",
		       conn->name, IKE_MAX_CHILDREN);
}

static const struct field conn_fields[] = {
    F("version", f_version, struct conn_cfg, version),
    F("aggressive", f_aggressive, struct conn_cfg, aggressive),
    FL("local_addrs", f_addrs, struct conn_cfg, local_addrs, n_local_addrs),
    FL("remote_addrs", f_addrs, struct conn_cfg, remote_addrs, n_remote_addrs),
    {"proposals", f_props, offsetof(struct conn_cfg, proposals),
     offsetof(struct conn_cfg, n_proposals), IKEV2_PROTO_IKE, NULL},
    F("rekey_time", sch_duration, struct conn_cfg, rekey_time_ms),
    F("reauth_time", sch_duration, struct conn_cfg, reauth_time_ms),
    FA("keyingtries", sch_uint, struct conn_cfg, keyingtries, 1000000),
    F("local", f_auth, struct conn_cfg, local),
    F("remote", f_auth, struct conn_cfg, remote),
    FX("children", f_children),
};

void
conn_cfg_clear(struct conn_cfg *c)
{
	size_t i;

	free(c->name);
	for (i = 0; i < c->n_local_addrs; i++)
		cfg_addr_clear(&c->local_addrs[i]);
	free(c->local_addrs);
	for (i = 0; i < c->n_remote_addrs; i++)
		cfg_addr_clear(&c->remote_addrs[i]);
	free(c->remote_addrs);
	/* proposals: the config's pool frees it. */
	free(c->local.auth);
	free(c->remote.auth);
	free(c->local.id);
	sch_strv_free(c->local.certs, c->local.n_certs);
	free(c->local.key);
	free(c->local.ca);
	free(c->remote.id);
	sch_strv_free(c->remote.certs, c->remote.n_certs);
	free(c->remote.key);
	free(c->remote.ca);
	for (i = 0; i < c->n_children; i++)
		child_cfg_clear(&c->children[i]);
	free(c->children);
	memset(c, 0, sizeof(*c));
}

/* An address that names one host: a DNS name, or an IP with a full
 * prefix. */
static bool
is_host(const struct cfg_addr *a)
{
	return a->kind == CFG_ADDR_DNS ||
	       (a->kind == CFG_ADDR_IP &&
		a->prefix == (a->ip.family == AF_INET ? 32 : 128));
}

/* Whether the connection has a peer address to initiate to. */
static bool
has_peer(const struct conn_cfg *c)
{
	size_t i;

	for (i = 0; i < c->n_remote_addrs; i++)
		if (is_host(&c->remote_addrs[i]))
			return true;
	return false;
}

/* An L2TP client's connection names its server (hosts only); a
 * server's takes clients from %any or a subnet (the l2tp plugin tells
 * them apart by the conn view's remote_hosts_only, this). */
bool
conn_remote_hosts_only(const struct conn_cfg *c)
{
	size_t i;

	for (i = 0; i < c->n_remote_addrs; i++)
		if (!is_host(&c->remote_addrs[i]))
			return false;
	return c->n_remote_addrs > 0;
}

/* The L2TP client talks to the server's xl2tpd on UDP/1701, where a
 * server takes any client port (macOS picks a random one). */
static void
l2tp_client_ts(struct conn_cfg *c)
{
	size_t i;

	if (!conn_remote_hosts_only(c))
		return;
	for (i = 0; i < c->n_children; i++) {
		struct child_cfg *ch = &c->children[i];

		if (ch->l2tp && ch->remote_ts_default && ch->n_remote_ts == 1)
			ch->remote_ts[0].port_from = ch->remote_ts[0].port_to =
			    1701;
	}
}

/* IKEv1 negotiates one authentication method for both ends: a
 * pre-shared key (psk) or signatures with certificates (pubkey). */
static bool
v1_auth_ok(const struct conn_cfg *c)
{
	return c->local.auth && c->remote.auth &&
	       strcmp(c->local.auth, c->remote.auth) == 0 &&
	       (strcmp(c->local.auth, "psk") == 0 ||
		strcmp(c->local.auth, "pubkey") == 0);
}

/*
 * IKEv1 (version 1) authenticates with a pre-shared key or certificates
 * so far: a connection with another method would be accepted and then
 * not acted on, so it is refused. A config check that supports
 * "version=1" (the tests of the L2TP sample, as it will load) takes it
 * whole.
 */
static void
v1_check(struct loader *ld, const struct conn_cfg *c, const struct ynode *at)
{
	const struct config_opts *o = ld->opts;

	if (c->version != 1 || v1_auth_ok(c) ||
	    (o != NULL && o->key_supported != NULL &&
	     o->key_supported(o->ctx, "connections.*", "version=1")))
		return;
	ld_err(ld, at,
	       "not supported yet: version=1 with local.auth %s and "
	       "remote.auth %s (IKEv1 has auth: psk or pubkey, the same on "
	       "both ends)",
	       c->local.auth ? c->local.auth : "(none)",
	       c->remote.auth ? c->remote.auth : "(none)");
}

/* Aggressive Mode is IKEv1 with a pre-shared key (v1_aggr.c): on any
 * other connection the key would be silently meaningless. */
static void
aggressive_check(struct loader *ld, const struct conn_cfg *c)
{
	if (!c->aggressive)
		return;
	if (c->version == 2)
		ld_diag_pos(ld, DIAG_ERROR, &c->aggressive_pos,
			    "aggressive: yes is IKEv1 Aggressive Mode, but "
			    "connection '%s' has version 2; set version: 1 "
			    "(or 0) or leave aggressive out",
			    c->name);
	else if (!c->local.auth || !c->remote.auth ||
		 strcmp(c->local.auth, "psk") != 0 ||
		 strcmp(c->remote.auth, "psk") != 0)
		ld_diag_pos(ld, DIAG_ERROR, &c->aggressive_pos,
			    "aggressive: yes needs auth: psk on both sides of "
			    "connection '%s' (Aggressive Mode is implemented "
			    "with a pre-shared key only)",
			    c->name);
}

static void
conn_finish(struct loader *ld, struct conn_cfg *c, const struct ynode *at)
{
	struct proposal p[IKE_MAX_PROPOSALS];
	size_t i;
	int np;

	if (c->n_proposals == 0) {
		np = prop_default(IKEV2_PROTO_IKE, p, NELEM(p));
		if (np > 0)
			add_props(ld, at, &c->proposals, &c->n_proposals, p,
				  (size_t)np);
	}
	if (c->n_local_addrs == 0 &&
	    (c->local_addrs = ld_alloc(ld, sizeof(struct cfg_addr))) != NULL) {
		c->n_local_addrs = 1;
		c->local_addrs[0].kind = CFG_ADDR_ANY;
	}
	if (c->n_remote_addrs == 0 &&
	    (c->remote_addrs = ld_alloc(ld, sizeof(struct cfg_addr))) != NULL) {
		c->n_remote_addrs = 1;
		c->remote_addrs[0].kind = CFG_ADDR_ANY;
	}
	v1_check(ld, c, at);
	aggressive_check(ld, c);
	l2tp_client_ts(c);
	for (i = 0; i < c->n_children; i++) {
		const struct child_cfg *ch = &c->children[i];

		if (ch->start_action == CFG_START_NONE || has_peer(c))
			continue;
		ld_diag_pos(ld, DIAG_WARNING, &ch->pos,
			    "child '%s' has start_action %s, but connection "
			    "'%s' has no remote address to initiate to",
			    ch->name,
			    ch->start_action == CFG_START_START ? "start"
								: "trap",
			    c->name);
	}
}

static void
conn_one(struct loader *ld, const struct ynode *k, const struct ynode *val,
	 void *obj)
{
	struct config *cfg = ld->cfg;
	size_t j = name_index_find(cfg->conn_index, k->str);
	struct conn_cfg c, *p;
	char ctx[128];

	if (j != SIZE_MAX)
		ld_err(ld, k, "duplicate connection '%s' (first at %s:%u:%u)",
		       k->str, cfg->conns[j].pos.file, cfg->conns[j].pos.line,
		       cfg->conns[j].pos.col);
	memset(&c, 0, sizeof(c));
	c.name = ld_strdup(ld, k->str);
	if (c.name == NULL)
		return;
	ld_pos(ld, k, &c.pos);
	c.local.pos = c.remote.pos = c.pos;
	c.version = 2;
	c.keyingtries = 3;
	c.rekey_time_ms = IKE_REKEY_MS;
	/* swanctl's default */
	c.local.auth = ld_strdup(ld, "pubkey");
	c.remote.auth = ld_strdup(ld, "pubkey");
	if (c.local.auth == NULL || c.remote.auth == NULL) {
		conn_cfg_clear(&c);
		return;
	}
	ld->conn_name = c.name;
	snprintf(ctx, sizeof(ctx), "in connection '%s'", k->str);
	/* Not a map: one error, not one per missing setting. */
	if (sch_is_map(ld, k->str, val)) {
		/* Keys of the connection map may be plugins'. */
		ld->plugin_map = val;
		ld->plugin_scope = CHAROND_SCOPE_CONN;
		sch_walk(ld, val, conn_fields, NELEM(conn_fields), &c, ctx,
			 NULL);
		ld->plugin_map = NULL;
	}
	conn_finish(ld, &c, k);
	ld->conn_name = NULL;
	p = sch_grow(ld, cfg->conns, &cfg->n_conns, sizeof(*p));
	if (p == NULL) {
		conn_cfg_clear(&c);
		return;
	}
	cfg->conns = p;
	p[cfg->n_conns - 1] = c;
	/* The name string does not move when the array does. */
	if (j == SIZE_MAX &&
	    name_index_add(cfg->conn_index, c.name, cfg->n_conns - 1) != 0)
		ld->nomem = true;
}

void
sch_connections(struct loader *ld, const struct field *f, const struct ynode *v,
		void *obj)
{
	sch_named(ld, f, v, "connection", "", conn_one, obj);
}
