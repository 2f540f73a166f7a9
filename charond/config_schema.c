/* SPDX-License-Identifier: ISC */
/*
 * The schema of charond.yaml: which keys exist where, what type each takes,
 * their defaults, and how a YAML tree becomes struct config. Each map is a
 * table of fields walked by sch_walk(), which reports unknown keys (with
 * the closest known one) and repeated keys; a field's handler converts its
 * value or reports why it cannot, and the walk goes on so that one pass
 * finds every problem.
 */
#include <errno.h>
#include <grp.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <unistd.h>

#include "config_int.h"
#include "config_plugin.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* --- walking maps and lists ---------------------------------------------- */

const char *
sch_scalar(struct loader *ld, const struct field *f, const struct ynode *v)
{
	if (v->type != YN_SCALAR) {
		ld_err(ld, v, "'%s' must be a single value, not %s", f->key,
		       ynode_what(v));
		return NULL;
	}
	if (v->null) {
		ld_err(ld, v, "'%s' needs a value", f->key);
		return NULL;
	}
	return v->str;
}

/* Lists: a single value counts as a list of one, an empty value as an
 * empty list. False (reported) for a map. */
bool
sch_is_list(struct loader *ld, const char *key, const struct ynode *v)
{
	if (v->type != YN_MAP)
		return true;
	ld_err(ld, v, "'%s' must be a list or a single value, not a map", key);
	return false;
}

size_t
sch_list_len(const struct ynode *v)
{
	if (v->type == YN_LIST)
		return v->n;
	return v->null ? 0 : 1;
}

const struct ynode *
sch_list_item(const struct ynode *v, size_t i)
{
	return v->type == YN_LIST ? v->kids[i] : v;
}

/* An item of a list of values; NULL (reported) if it is not one. */
const char *
sch_item_str(struct loader *ld, const char *key, const struct ynode *it)
{
	if (it->type != YN_SCALAR) {
		ld_err(ld, it, "items of '%s' must be single values, not %s",
		       key, ynode_what(it));
		return NULL;
	}
	if (it->null) {
		ld_err(ld, it, "empty item in '%s'", key);
		return NULL;
	}
	return it->str;
}

bool
sch_is_map(struct loader *ld, const char *key, const struct ynode *v)
{
	if (v->type == YN_MAP || (v->type == YN_SCALAR && v->null))
		return true;
	ld_err(ld, v, "'%s' must be a map, not %s", key, ynode_what(v));
	return false;
}

static void
unknown_key(struct loader *ld, const struct ynode *k, const struct field *fs,
	    size_t nf, const char *ctx)
{
	unsigned best = 100, d, limit = k->len >= 6 ? 2 : 1;
	const char *hint = NULL;
	size_t i;

	for (i = 0; i < nf; i++) {
		d = cfg_edit_distance(k->str, fs[i].key);
		if (d < best) {
			best = d;
			hint = fs[i].key;
		}
	}
	if (hint != NULL && best <= limit)
		ld_err(ld, k, "unknown key '%s' %s (did you mean '%s'?)",
		       k->str, ctx, hint);
	else
		ld_err(ld, k, "unknown key '%s' %s", k->str, ctx);
}

/* --- claimed keys ----------------------------------------------------------
 */

/*
 * Parsed, checked, and not acted on by the core: refused unless a loaded
 * plugin says it acts on them (struct config_opts). Keep this list in
 * step with the code: a key leaves it when the code that honours it is
 * in the core, and a plugin that honours one declares it.
 */
static const struct config_claim claims[] = {
    {"", "authorities", "x509"},
    {"connections.*", "encap", "natt"},
    {"connections.*", "dpd", "dpd"},
    {"connections.*", "reauth_time", NULL},
    {"connections.*.local", "certs", "x509"},
    {"connections.*.local", "key", "x509"},
    {"connections.*.remote", "ca", "x509"},
    {"connections.*.children.*", "hw_offload", NULL},
    {"connections.*.children.*", "l2tp", "l2tp"},
    {"secrets", "private", "x509"},
};

const struct config_claim *
config_claims(size_t *n)
{
	*n = NELEM(claims);
	return claims;
}

/* A claim names a key, or "KEY=VALUE" for one value of it. */
static bool
claim_matches(const struct config_claim *c, const struct ynode *k,
	      const struct ynode *v)
{
	size_t n = strlen(k->str);

	if (strncmp(c->key, k->str, n) != 0)
		return false;
	if (c->key[n] == '\0')
		return true;
	return c->key[n] == '=' && v->type == YN_SCALAR && !v->null &&
	       strcmp(c->key + n + 1, v->str) == 0;
}

static bool
claim_plugin_loaded(const struct config_claim *c)
{
	const struct config_plugin_registry *r = config_plugin_registry();

	return r != NULL && r->loaded(r->ctx, c->plugin);
}

/* Whether a claim matched (and was reported unless supported): also for
 * a key no field table has, one only a plugin honours (dpd), so that it
 * is refused naming the plugin rather than as unknown. */
static bool
check_claim_in(struct loader *ld, const char *scope, const struct ynode *k,
	       const struct ynode *v)
{
	const struct config_opts *o = ld->opts;
	const struct ynode *at;
	size_t i;

	for (i = 0; i < NELEM(claims); i++) {
		if (strcmp(claims[i].scope, scope) != 0 ||
		    !claim_matches(&claims[i], k, v))
			continue;
		if (o != NULL && o->key_supported != NULL &&
		    o->key_supported(o->ctx, scope, claims[i].key))
			return true;
		/* Keys the core parses for a plugin (authorities, certs, key,
		 * ca for x509: it reads them through its views) are taken
		 * while that plugin is loaded. */
		if (claims[i].plugin != NULL && claim_plugin_loaded(&claims[i]))
			return true;
		/* A value is reported where it stands, a key at the key. */
		at = strchr(claims[i].key, '=') != NULL ? v : k;
		if (claims[i].plugin != NULL)
			ld_err(ld, at,
			       "not supported yet: %s (needs the %s plugin)",
			       claims[i].key, claims[i].plugin);
		else
			ld_err(ld, at, "not supported yet: %s", claims[i].key);
		return true;
	}
	return false;
}

static void
check_claim(struct loader *ld, const struct ynode *k, const struct ynode *v)
{
	(void)check_claim_in(ld, ld->scope, k, v);
}

/* The scope path grows by one element while a key's value is walked. */
static size_t
scope_push(struct loader *ld, const char *elem)
{
	size_t old = ld->scope_len;
	int n = snprintf(ld->scope + old, sizeof(ld->scope) - old, "%s%s",
			 old ? "." : "", elem);

	if (n > 0 && (size_t)n < sizeof(ld->scope) - old)
		ld->scope_len += (size_t)n;
	else
		ld->scope[old] = '\0'; /* deeper than any claim */
	return old;
}

static void
scope_pop(struct loader *ld, size_t old)
{
	ld->scope_len = old;
	ld->scope[old] = '\0';
}

void
sch_walk_top(struct loader *ld, const struct ynode *map, const struct field *fs,
	     size_t nf, void *obj, const char *ctx)
{
	char saved[sizeof(ld->scope)];
	size_t saved_len = ld->scope_len;

	/* An included file's top level is the top level again. */
	memcpy(saved, ld->scope, sizeof(saved));
	ld->scope[0] = '\0';
	ld->scope_len = 0;
	sch_walk(ld, map, fs, nf, obj, ctx, NULL);
	memcpy(ld->scope, saved, sizeof(saved));
	ld->scope_len = saved_len;
}

/*
 * Walk a map with a field table. vals (nf entries, may be NULL) gets each
 * field's value node, so callers can tell given from defaulted and point
 * at a value in later checks.
 */
void
sch_walk(struct loader *ld, const struct ynode *map, const struct field *fs,
	 size_t nf, void *obj, const char *ctx, const struct ynode **vals)
{
	size_t i, j, old;

	if (vals != NULL)
		memset(vals, 0, nf * sizeof(*vals));
	if (map->type != YN_MAP)
		return;
	for (i = 0; i + 1 < map->n; i += 2) {
		const struct ynode *k = map->kids[i], *v = map->kids[i + 1];
		const struct ynode *first =
		    map->dup_of ? map->dup_of[i / 2] : NULL;

		if (k->type != YN_SCALAR)
			continue; /* reported by the parser */
		if (first != NULL) {
			ld_err(ld, k, "duplicate key '%s' %s (first at %u:%u)",
			       k->str, ctx, first->line, first->col);
			continue;
		}
		/* A key a loaded plugin declares goes to it, even one the
		 * table knows: the plugin is what honours it. */
		if (map == ld->plugin_map && plugin_key(ld, k, v))
			continue;
		for (j = 0; j < nf; j++)
			if (strcmp(k->str, fs[j].key) == 0)
				break;
		/* A plugin's key without its plugin: say which plugin. */
		if (j == nf) {
			if (!check_claim_in(ld, ld->scope, k, v))
				unknown_key(ld, k, fs, nf, ctx);
			continue;
		}
		if (vals != NULL)
			vals[j] = v;
		old = scope_push(ld, k->str);
		fs[j].fn(ld, &fs[j], v, obj);
		scope_pop(ld, old);
		check_claim(ld, k, v);
	}
}

/* Names of connections, children and authorities end up on the command
 * line and in JSON: keep them plain. */
bool
sch_name_ok(struct loader *ld, const struct ynode *k, const char *what)
{
	size_t i;

	for (i = 0; i < k->len; i++) {
		char c = k->str[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		      c == '-'))
			break;
	}
	if (k->len > 0 && k->len <= 64 && i == k->len)
		return true;
	ld_err(ld, k,
	       "bad %s name '%s': use 1 to 64 letters, digits, '.', '_' or "
	       "'-'",
	       what, k->str);
	return false;
}

void
sch_named(struct loader *ld, const struct field *f, const struct ynode *v,
	  const char *what, const char *where, named_fn *fn, void *obj)
{
	size_t i, old;

	if (!sch_is_map(ld, f->key, v) || v->type != YN_MAP)
		return;
	for (i = 0; i + 1 < v->n; i += 2) {
		const struct ynode *k = v->kids[i];
		const struct ynode *first = v->dup_of ? v->dup_of[i / 2] : NULL;

		if (k->type != YN_SCALAR)
			continue; /* reported by the parser */
		if (first != NULL) {
			ld_err(ld, k, "duplicate %s '%s'%s (first at %u:%u)",
			       what, k->str, where, first->line, first->col);
			continue;
		}
		sch_name_ok(ld, k, what);
		old = scope_push(ld, "*");
		fn(ld, k, v->kids[i + 1], obj);
		scope_pop(ld, old);
		if (ld->nomem)
			return;
	}
}

/* Grow an array by one zeroed element; NULL (recorded) when out of
 * memory. */
void *
sch_grow(struct loader *ld, void *arr, size_t *n, size_t size)
{
	char *p = arr;

	/* The capacity is the next power of two, implied by the count, so
	 * the public structs need no capacity fields and thousands of
	 * connections do not cost a copy each. */
	if ((*n & (*n - 1)) == 0) {
		p = realloc(arr, (*n ? 2 * *n : 1) * size);
		if (p == NULL) {
			ld->nomem = true;
			return NULL;
		}
	}
	memset(p + *n * size, 0, size);
	(*n)++;
	return p;
}

void
sch_strv_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* --- generic field handlers ---------------------------------------------- */

void
sch_str(struct loader *ld, const struct field *f, const struct ynode *v,
	void *obj)
{
	const char *s = sch_scalar(ld, f, v);
	char **dst = MEMBER(obj, f, char *);

	if (s == NULL)
		return;
	free(*dst);
	*dst = ld_strdup(ld, s);
}

/* A path; relative ones are taken from the file's directory. */
void
sch_path(struct loader *ld, const struct field *f, const struct ynode *v,
	 void *obj)
{
	const char *s = sch_scalar(ld, f, v);
	char **dst = MEMBER(obj, f, char *);

	if (s == NULL)
		return;
	free(*dst);
	*dst = ld_path(ld, s);
}

/* A file we will read: it must be readable now, not at the first
 * connection attempt. */
void
sch_file(struct loader *ld, const struct field *f, const struct ynode *v,
	 void *obj)
{
	char **dst = MEMBER(obj, f, char *);

	sch_path(ld, f, v, obj);
	if (*dst != NULL && v->type == YN_SCALAR)
		ld_check_readable(ld, v, f->key, *dst);
}

void
sch_files(struct loader *ld, const struct field *f, const struct ynode *v,
	  void *obj)
{
	char ***dst = MEMBER(obj, f, char **);
	size_t *n = COUNT(obj, f), i;

	if (!sch_is_list(ld, f->key, v))
		return;
	sch_strv_free(*dst, *n);
	*dst = NULL;
	*n = 0;
	for (i = 0; i < sch_list_len(v); i++) {
		const struct ynode *it = sch_list_item(v, i);
		const char *s = sch_item_str(ld, f->key, it);
		char **p, *path;

		if (s == NULL || (path = ld_path(ld, s)) == NULL)
			continue;
		ld_check_readable(ld, it, f->key, path);
		p = sch_grow(ld, *dst, n, sizeof(*p));
		if (p == NULL) {
			free(path);
			return;
		}
		*dst = p;
		p[*n - 1] = path;
	}
}

void
sch_strs(struct loader *ld, const struct field *f, const struct ynode *v,
	 void *obj)
{
	char ***dst = MEMBER(obj, f, char **);
	size_t *n = COUNT(obj, f), i;

	if (!sch_is_list(ld, f->key, v))
		return;
	sch_strv_free(*dst, *n);
	*dst = NULL;
	*n = 0;
	for (i = 0; i < sch_list_len(v); i++) {
		const char *s = sch_item_str(ld, f->key, sch_list_item(v, i));
		char **p, *dup;

		if (s == NULL || (dup = ld_strdup(ld, s)) == NULL)
			continue;
		p = sch_grow(ld, *dst, n, sizeof(*p));
		if (p == NULL) {
			free(dup);
			return;
		}
		*dst = p;
		p[*n - 1] = dup;
	}
}

void
sch_bool(struct loader *ld, const struct field *f, const struct ynode *v,
	 void *obj)
{
	const char *s = sch_scalar(ld, f, v);

	if (s != NULL && cfg_parse_bool(s, MEMBER(obj, f, bool)) != 0)
		ld_err(ld, v, "bad value '%s' for '%s': expected true or false",
		       s, f->key);
}

void
sch_uint(struct loader *ld, const struct field *f, const struct ynode *v,
	 void *obj)
{
	const char *s = sch_scalar(ld, f, v);
	unsigned long n;

	if (s == NULL)
		return;
	if (cfg_parse_uint(s, f->arg, &n) != 0) {
		ld_err(ld, v, "bad value '%s' for '%s': expected 0 to %lu", s,
		       f->key, f->arg);
		return;
	}
	*MEMBER(obj, f, unsigned) = (unsigned)n;
}

void
sch_port(struct loader *ld, const struct field *f, const struct ynode *v,
	 void *obj)
{
	const char *s = sch_scalar(ld, f, v);
	unsigned long n;

	if (s == NULL)
		return;
	if (cfg_parse_uint(s, 65535, &n) != 0 || n == 0) {
		ld_err(ld, v, "bad port '%s' for '%s': expected 1 to 65535", s,
		       f->key);
		return;
	}
	*MEMBER(obj, f, uint16_t) = (uint16_t)n;
}

void
sch_duration(struct loader *ld, const struct field *f, const struct ynode *v,
	     void *obj)
{
	const char *s = sch_scalar(ld, f, v);

	if (s != NULL && cfg_parse_duration(s, MEMBER(obj, f, uint64_t)) != 0)
		ld_err(ld, v,
		       "bad duration '%s' for '%s': expected e.g. 30s, 1.5s, "
		       "5m, 4h, 1d or seconds (at most 365d)",
		       s, f->key);
}

void
sch_enum(struct loader *ld, const struct field *f, const struct ynode *v,
	 void *obj)
{
	const char *s = sch_scalar(ld, f, v);
	char list[160] = "";
	size_t i, used = 0;

	if (s == NULL)
		return;
	for (i = 0; f->enums[i].name != NULL; i++) {
		if (strcasecmp(s, f->enums[i].name) == 0) {
			*MEMBER(obj, f, int) = f->enums[i].val;
			return;
		}
	}
	/* Aliases (hw_offload's yes) follow the canonical names. */
	for (i = 0; f->enums[i].name != NULL && used < sizeof(list); i++) {
		size_t j;

		for (j = 0; j < i; j++)
			if (f->enums[j].val == f->enums[i].val)
				break;
		if (j == i)
			used += (size_t)snprintf(
			    list + used, sizeof(list) - used, "%s%s",
			    i ? "|" : "", f->enums[i].name);
	}
	ld_err(ld, v, "bad value '%s' for '%s': expected %s", s, f->key, list);
}

/* --- daemon -------------------------------------------------------------- */

static const struct enum_name log_levels[] = {
    {"error", CFG_LOG_ERROR}, {"warn", CFG_LOG_WARN},   {"info", CFG_LOG_INFO},
    {"debug", CFG_LOG_DEBUG}, {"trace", CFG_LOG_TRACE}, {NULL, 0},
};

static const struct enum_name log_formats[] = {
    {"text", CFG_LOG_TEXT},
    {"json", CFG_LOG_JSON},
    {NULL, 0},
};

static const struct field log_fields[] = {
    FE("level", struct daemon_cfg, log_level, log_levels),
    FE("format", struct daemon_cfg, log_format, log_formats),
};

static void
f_log(struct loader *ld, const struct field *f, const struct ynode *v,
      void *obj)
{
	if (sch_is_map(ld, f->key, v))
		sch_walk(ld, v, log_fields, NELEM(log_fields), obj,
			 "in daemon log", NULL);
}

static void
f_base(struct loader *ld, const struct field *f, const struct ynode *v,
       void *obj)
{
	const char *s = sch_scalar(ld, f, v);
	char *end;
	double d;

	if (s == NULL)
		return;
	d = strtod(s, &end);
	/* RFC 7296 2.1 wants the interval to sch_grow, and not absurdly. */
	if (end == s || *end != '\0' || !isfinite(d) || d < 1.0 || d > 10.0) {
		ld_err(ld, v,
		       "bad value '%s' for 'base': expected a number from 1 "
		       "to 10",
		       s);
		return;
	}
	*MEMBER(obj, f, double) = d;
}

/* RFC 7383: 0 is off; a fragment datagram must hold at least IPv4's
 * 576-byte minimum reassembly size, and no jumbo frame is needed. */
static void
f_fragment_size(struct loader *ld, const struct field *f, const struct ynode *v,
		void *obj)
{
	const char *s = sch_scalar(ld, f, v);
	unsigned long n;

	if (s == NULL)
		return;
	if (cfg_parse_uint(s, 9000, &n) != 0 || (n != 0 && n < 576)) {
		ld_err(ld, v,
		       "bad value '%s' for 'fragment_size': expected 0 (off) "
		       "or 576 to 9000",
		       s);
		return;
	}
	*MEMBER(obj, f, unsigned) = (unsigned)n;
}

static const struct field retransmit_fields[] = {
    F("timeout", sch_duration, struct daemon_cfg, retransmit_timeout_ms),
    F("base", f_base, struct daemon_cfg, retransmit_base),
    FA("tries", sch_uint, struct daemon_cfg, retransmit_tries, 100),
};

static void
f_retransmit(struct loader *ld, const struct field *f, const struct ynode *v,
	     void *obj)
{
	const struct ynode *vals[NELEM(retransmit_fields)];
	struct daemon_cfg *d = obj;

	if (!sch_is_map(ld, f->key, v))
		return;
	sch_walk(ld, v, retransmit_fields, NELEM(retransmit_fields), obj,
		 "in daemon retransmit", vals);
	if (vals[0] != NULL && d->retransmit_timeout_ms == 0)
		ld_err(ld, vals[0], "retransmit timeout must not be 0");
}

/* What unauthenticated peers may cost (strongswan.conf's names where it
 * has the knob): applied on every load, live. */
static const struct field limits_fields[] = {
    FA("cookie_threshold", sch_uint, struct daemon_cfg, limits.cookie_threshold,
       10000000),
    FA("cookie_threshold_ip", sch_uint, struct daemon_cfg,
       limits.cookie_threshold_ip, 10000000),
    FA("block_threshold", sch_uint, struct daemon_cfg, limits.block_threshold,
       10000000),
    FA("init_limit_half_open", sch_uint, struct daemon_cfg,
       limits.init_limit_half_open, 10000000),
    F("half_open_timeout", sch_duration, struct daemon_cfg,
      limits.half_open_ms),
    F("delete_timeout", sch_duration, struct daemon_cfg, limits.delete_wait_ms),
    F("cookie_lifetime", sch_duration, struct daemon_cfg,
      limits.cookie_rotate_ms),
    FA("init_max_size", sch_uint, struct daemon_cfg, limits.init_max_len,
       65535),
    FA("init_max_payloads", sch_uint, struct daemon_cfg,
       limits.init_max_payloads, 64),
    FA("unauth_log_rate", sch_uint, struct daemon_cfg, limits.log_per_sec,
       100000),
};

static void
f_limits(struct loader *ld, const struct field *f, const struct ynode *v,
	 void *obj)
{
	const struct ynode *vals[NELEM(limits_fields)];
	struct daemon_cfg *d = obj;
	size_t i;

	if (!sch_is_map(ld, f->key, v))
		return;
	sch_walk(ld, v, limits_fields, NELEM(limits_fields), obj,
		 "in daemon limits", vals);
	/* vals[4..6]: the durations; none of them may be 0. */
	for (i = 4; i <= 6; i++)
		if (vals[i] != NULL &&
		    *MEMBER(obj, &limits_fields[i], uint64_t) == 0)
			ld_err(ld, vals[i], "'%s' must not be 0",
			       limits_fields[i].key);
	if (vals[7] != NULL && d->limits.init_max_len < 512)
		ld_err(ld, vals[7],
		       "'init_max_size' %u is too small for any IKE_SA_INIT "
		       "(at least 512)",
		       d->limits.init_max_len);
}

static void
f_listen(struct loader *ld, const struct field *f, const struct ynode *v,
	 void *obj)
{
	struct daemon_cfg *d = obj;
	struct cfg_ip *p;
	size_t i;

	if (!sch_is_list(ld, f->key, v))
		return;
	free(d->listen);
	d->listen = NULL;
	d->n_listen = 0;
	if (sch_list_len(v) == 0)
		ld_err(ld, v, "'listen' needs at least one address");
	for (i = 0; i < sch_list_len(v); i++) {
		const struct ynode *it = sch_list_item(v, i);
		const char *s = sch_item_str(ld, f->key, it);
		struct cfg_ip ip;

		if (s == NULL)
			continue;
		if (cfg_parse_ip(s, &ip) != 0) {
			ld_err(ld, it,
			       "bad listen address '%s': expected an IPv4 or "
			       "IPv6 address",
			       s);
			continue;
		}
		p = sch_grow(ld, d->listen, &d->n_listen, sizeof(*p));
		if (p == NULL)
			return;
		d->listen = p;
		p[d->n_listen - 1] = ip;
	}
}

static void
f_plugins(struct loader *ld, const struct field *f, const struct ynode *v,
	  void *obj)
{
	struct daemon_cfg *d = obj;
	size_t i, j;

	sch_strs(ld, f, v, obj);
	d->all_plugins = false;
	for (i = 0; i < d->n_plugins; i++) {
		const char *s = d->plugins[i];

		for (j = 0; s[j] != '\0'; j++)
			if (!((s[j] >= 'a' && s[j] <= 'z') ||
			      (s[j] >= '0' && s[j] <= '9') || s[j] == '_' ||
			      s[j] == '-'))
				break;
		if (s[j] != '\0' || j == 0)
			ld_err(ld, sch_list_item(v, i),
			       "bad plugin name '%s': use lowercase letters, "
			       "digits, '_' and '-'",
			       s);
	}
}

static void
f_socket(struct loader *ld, const struct field *f, const struct ynode *v,
	 void *obj)
{
	struct daemon_cfg *d = obj;

	sch_path(ld, f, v, obj);
	if (d->socket != NULL &&
	    strlen(d->socket) >= sizeof(((struct sockaddr_un *)0)->sun_path))
		ld_err(
		    ld, v, "socket path '%s' is too long (at most %zu bytes)",
		    d->socket, sizeof(((struct sockaddr_un *)0)->sun_path) - 1);
}

/* A group name, or a number: resolved now, so that a typo is a config
 * error with its position rather than a daemon that will not start. */
static void
f_socket_group(struct loader *ld, const struct field *f, const struct ynode *v,
	       void *obj)
{
	struct daemon_cfg *d = obj;
	const char *s = sch_scalar(ld, f, v);
	unsigned long n;
	struct group *gr;

	if (s == NULL)
		return;
	if (cfg_parse_uint(s, 0x7fffffff, &n) == 0) {
		d->socket_group = (gid_t)n;
		d->has_socket_group = true;
		return;
	}
	errno = 0;
	gr = getgrnam(s);
	if (gr == NULL) {
		ld_err(ld, v, "unknown group '%s' for 'socket_group'%s%s", s,
		       errno ? ": " : "", errno ? strerror(errno) : "");
		return;
	}
	d->socket_group = gr->gr_gid;
	d->has_socket_group = true;
}

static const struct enum_name kernels[] = {
    {"xfrm", CFG_KERNEL_XFRM},
    {"none", CFG_KERNEL_NONE},
    {NULL, 0},
};

/*
 * daemon.save_keys: {dir: PATH}, what strongSwan's save-keys plugin does
 * (its wireshark_keys): the keys of every IKE and CHILD SA appended to
 * PATH/ikev2_decryption_table and PATH/esp_sa as the SAs come up
 * (save_keys.c). For debugging only, which --check-config says too.
 */
static const struct field save_keys_fields[] = {
    F("dir", sch_path, struct daemon_cfg, save_keys_dir),
};

static void
f_save_keys(struct loader *ld, const struct field *f, const struct ynode *v,
	    void *obj)
{
	const struct ynode *vals[NELEM(save_keys_fields)];
	struct daemon_cfg *d = obj;

	if (!sch_is_map(ld, f->key, v))
		return;
	sch_walk(ld, v, save_keys_fields, NELEM(save_keys_fields), obj,
		 "in daemon save_keys", vals);
	if (vals[0] == NULL) {
		ld_err(ld, v,
		       "'save_keys' needs 'dir', the directory the key files "
		       "go to");
		return;
	}
	/* An empty path would be the file's directory. */
	if (d->save_keys_dir == NULL ||
	    (vals[0]->type == YN_SCALAR && vals[0]->str[0] == '\0')) {
		ld_err(ld, vals[0], "'dir' of 'save_keys' must not be empty");
		return;
	}
	ld_warn(ld, v,
		"save_keys writes the keys of every IKE and ESP SA to %s: "
		"whoever reads them can decrypt the traffic; for debugging "
		"only",
		d->save_keys_dir);
}

static const struct field daemon_fields[] = {
    F("socket", f_socket, struct daemon_cfg, socket),
    FX("socket_group", f_socket_group),
    F("ctl_idle_timeout", sch_duration, struct daemon_cfg, ctl_idle_ms),
    FX("listen", f_listen),
    F("port", sch_port, struct daemon_cfg, port),
    F("port_nat_t", sch_port, struct daemon_cfg, port_nat_t),
    FL("plugins", f_plugins, struct daemon_cfg, plugins, n_plugins),
    F("plugin_dir", sch_path, struct daemon_cfg, plugin_dir),
    FX("log", f_log),
    FX("retransmit", f_retransmit),
    FX("limits", f_limits),
    FE("kernel", struct daemon_cfg, kernel, kernels),
    F("fragment_size", f_fragment_size, struct daemon_cfg, fragment_size),
    FX("save_keys", f_save_keys),
    FA("receive_buffer", sch_uint, struct daemon_cfg, receive_buffer,
       256u << 20),
    FA("start_in_flight", sch_uint, struct daemon_cfg, start_in_flight, 100000),
    FA("crypto_workers", sch_uint, struct daemon_cfg, crypto_workers,
       CFG_CRYPTO_WORKERS_MAX),
    FA("spd_hash_ipv4", sch_uint, struct daemon_cfg, spd_hash_ipv4, 32),
    FA("spd_hash_ipv6", sch_uint, struct daemon_cfg, spd_hash_ipv6, 128),
};

unsigned
cfg_crypto_workers_default(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 2)
		return 0;
	return n > CFG_CRYPTO_WORKERS_MAX ? CFG_CRYPTO_WORKERS_MAX
					  : (unsigned)n;
}

static void
f_daemon(struct loader *ld, const struct field *f, const struct ynode *v,
	 void *obj)
{
	const struct ynode *vals[NELEM(daemon_fields)];
	struct daemon_cfg *d = &ld->cfg->daemon;

	if (!sch_is_map(ld, f->key, v))
		return;
	sch_walk(ld, v, daemon_fields, NELEM(daemon_fields), d, "in daemon",
		 vals);
	/* vals[4], vals[5]: port, port_nat_t */
	if ((vals[4] != NULL || vals[5] != NULL) && d->port == d->port_nat_t)
		ld_err(ld, vals[5] ? vals[5] : vals[4],
		       "'port' and 'port_nat_t' must differ (both are %u)",
		       d->port);
}

/* --- authorities --------------------------------------------------------- */

static const struct field authority_fields[] = {
    F("cacert", sch_file, struct authority_cfg, cacert),
    /* A single value is a list of one (sch_files): `crl: root.crl` as
     * before, or `crl: [root.crl, intermediate.crl]`. */
    FL("crl", sch_files, struct authority_cfg, crls, n_crls),
};

static void
authority_one(struct loader *ld, const struct ynode *k, const struct ynode *val,
	      void *obj)
{
	struct config *cfg = ld->cfg;
	struct authority_cfg a, *p;
	size_t j = name_index_find(cfg->authority_index, k->str);
	char ctx[128];

	if (j != SIZE_MAX)
		ld_err(ld, k, "duplicate authority '%s' (first at %s:%u:%u)",
		       k->str, cfg->authorities[j].pos.file,
		       cfg->authorities[j].pos.line,
		       cfg->authorities[j].pos.col);
	memset(&a, 0, sizeof(a));
	a.name = ld_strdup(ld, k->str);
	if (a.name == NULL)
		return;
	ld_pos(ld, k, &a.pos);
	snprintf(ctx, sizeof(ctx), "in authority '%s'", k->str);
	if (sch_is_map(ld, k->str, val))
		sch_walk(ld, val, authority_fields, NELEM(authority_fields), &a,
			 ctx, NULL);
	if (a.cacert == NULL)
		ld_err(ld, k, "authority '%s' needs 'cacert'", k->str);
	p = sch_grow(ld, cfg->authorities, &cfg->n_authorities, sizeof(*p));
	if (p == NULL) {
		authority_cfg_clear(&a);
		return;
	}
	cfg->authorities = p;
	p[cfg->n_authorities - 1] = a;
	if (j == SIZE_MAX && name_index_add(cfg->authority_index, a.name,
					    cfg->n_authorities - 1) != 0)
		ld->nomem = true;
}

static void
f_authorities(struct loader *ld, const struct field *f, const struct ynode *v,
	      void *obj)
{
	sch_named(ld, f, v, "authority", "", authority_one, obj);
}

/* --- top level ----------------------------------------------------------- */

static void
f_include(struct loader *ld, const struct field *f, const struct ynode *v,
	  void *obj)
{
	if (sch_is_list(ld, f->key, v))
		ld_include(ld, v);
}

static const struct field top_fields[] = {
    FX("daemon", f_daemon),           FX("include", f_include),
    FX("authorities", f_authorities), FX("connections", sch_connections),
    FX("secrets", sch_secrets),       FX("plugins", sch_plugins),
};

void
schema_top(struct loader *ld, const struct ynode *root)
{
	if (root == NULL || (root->type == YN_SCALAR && root->null))
		return;
	if (root->type != YN_MAP) {
		ld_err(ld, root,
		       "the configuration must be a map (daemon, include, "
		       "authorities, connections, secrets, plugins), not %s",
		       ynode_what(root));
		return;
	}
	if (ld->flags & CONFIG_DAEMON_ONLY) {
		size_t i;

		/* The rest is checked by the full load that follows. */
		for (i = 0; i + 1 < root->n; i += 2) {
			const struct ynode *k = root->kids[i];
			const struct ynode *v = root->kids[i + 1];

			if (k->type != YN_SCALAR ||
			    (root->dup_of && root->dup_of[i / 2]))
				continue;
			if (strcmp(k->str, "daemon") == 0)
				f_daemon(ld, &top_fields[0], v, ld->cfg);
			else if (strcmp(k->str, "include") == 0)
				f_include(ld, &top_fields[1], v, ld->cfg);
		}
		return;
	}
	sch_walk_top(ld, root, top_fields, NELEM(top_fields), ld->cfg,
		     "at top level");
}

void
schema_defaults(struct config *cfg)
{
	struct daemon_cfg *d = &cfg->daemon;

	d->port = 500;
	d->port_nat_t = 4500;
	d->fragment_size = 1280;
	/* A burst of IKE_SA_INITs (every client after a gateway's reboot)
	 * is thousands of datagrams; Linux's default is a few hundred. */
	d->receive_buffer = 4u << 20;
	/* Below the half-open count at which a responder with the usual
	 * defaults (charond's and strongSwan's cookie_threshold, 10) asks
	 * for COOKIEs, which cost every start a round trip more. */
	d->start_in_flight = 8;
	d->crypto_workers = cfg_crypto_workers_default();
	d->ctl_idle_ms = 60000;
	d->all_plugins = true;
	d->log_level = CFG_LOG_INFO;
	d->log_format = CFG_LOG_TEXT;
	d->retransmit_timeout_ms = 4000;
	d->retransmit_base = 1.8;
	d->retransmit_tries = 5;
	ike_limits_default(&d->limits);
}

void
authority_cfg_clear(struct authority_cfg *a)
{
	free(a->name);
	free(a->cacert);
	sch_strv_free(a->crls, a->n_crls);
	memset(a, 0, sizeof(*a));
}

void
daemon_cfg_clear(struct daemon_cfg *d)
{
	free(d->socket);
	free(d->listen);
	sch_strv_free(d->plugins, d->n_plugins);
	free(d->plugin_dir);
	free(d->save_keys_dir);
	memset(d, 0, sizeof(*d));
}
