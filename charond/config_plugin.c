/* SPDX-License-Identifier: ISC */
/*
 * Keys plugins declare (plugin.h's struct charond_config_key): the loader
 * hands a connection's or child's key here before its own field table, and
 * the top-level `plugins:` sections entirely. A declared key's value is
 * checked by its type (bool, int within bounds, duration, string, one of
 * an enum's choices, a list of strings) and kept, with where it was
 * written, in the config's plugin_values; a dotted key ("dpd.delay") is a
 * member of a map ("dpd: {delay: 30s}"). Plugins read the values through
 * charond_api.value (plugin_views.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config_int.h"
#include "config_plugin.h"

struct pval {
	enum charond_scope scope;
	char *conn;  /* PLUGIN: the plugin's name */
	char *child; /* CHILD only */
	char *key;
	char *text; /* as written (list items joined by '\n'), to compare */
	struct charond_value v;
	char **items; /* LIST: owned by v.u.list */
	size_t n_items;
};

/* The values in the order written, and an open-addressing index over
 * them (slot: value index + 1, 0 empty; at most half full) so a plugin's
 * lookup costs the same with ten thousand connections as with one. */
struct cfg_plugin_values {
	struct pval *v;
	size_t n, cap;
	uint32_t *index;
	size_t index_cap; /* a power of two */
};

static uint32_t
hash_str(uint32_t h, const char *s)
{
	for (; s != NULL && *s != '\0'; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return (h ^ 0xff) * 16777619u; /* "a"+"bc" differs from "ab"+"c" */
}

static uint32_t
hash_val(enum charond_scope scope, const char *conn, const char *child,
	 const char *key)
{
	uint32_t h = 2166136261u ^ (uint32_t)scope;

	return hash_str(hash_str(hash_str(h, conn), child), key);
}

/* Index value i; false if the index cannot grow (it is then dropped and
 * lookups scan). */
static bool
index_add(struct cfg_plugin_values *vs, size_t i)
{
	const struct pval *p = &vs->v[i];
	size_t mask, j;

	if (2 * (vs->n) > vs->index_cap) {
		size_t cap = vs->index_cap ? 2 * vs->index_cap : 64, k;
		uint32_t *grown = calloc(cap, sizeof(*grown));

		if (grown == NULL) {
			free(vs->index);
			vs->index = NULL;
			vs->index_cap = 0;
			return false;
		}
		free(vs->index);
		vs->index = grown;
		vs->index_cap = cap;
		/* All but i, which is added below. */
		for (k = 0; k < vs->n; k++)
			if (k != i && !index_add(vs, k))
				return false;
	}
	mask = vs->index_cap - 1;
	for (j = hash_val(p->scope, p->conn, p->child, p->key) & mask;
	     vs->index[j] != 0; j = (j + 1) & mask)
		;
	vs->index[j] = (uint32_t)(i + 1);
	return true;
}

static const struct config_plugin_registry *registry;

void
config_plugin_set_registry(const struct config_plugin_registry *r)
{
	registry = r;
}

const struct config_plugin_registry *
config_plugin_registry(void)
{
	return registry;
}

static bool
str_eq(const char *a, const char *b)
{
	return (a == NULL && b == NULL) ||
	       (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static void
pval_clear(struct pval *p)
{
	free(p->conn);
	free(p->child);
	free(p->key);
	free(p->text);
	if (p->v.type == CHAROND_T_STRING)
		free((char *)p->v.u.s);
	sch_strv_free(p->items, p->n_items);
	memset(p, 0, sizeof(*p));
}

void
config_plugin_values_free(struct cfg_plugin_values *v)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < v->n; i++)
		pval_clear(&v->v[i]);
	free(v->v);
	free(v->index);
	free(v);
}

static bool
matches(const struct pval *p, enum charond_scope scope, const char *conn,
	const char *child, const char *key)
{
	return p->scope == scope && strcmp(p->key, key) == 0 &&
	       str_eq(p->conn, conn) && str_eq(p->child, child);
}

static struct pval *
find_val(const struct cfg_plugin_values *vs, enum charond_scope scope,
	 const char *conn, const char *child, const char *key)
{
	size_t i, mask;

	if (vs == NULL)
		return NULL;
	if (vs->index == NULL) {
		for (i = 0; i < vs->n; i++)
			if (matches(&vs->v[i], scope, conn, child, key))
				return &vs->v[i];
		return NULL;
	}
	mask = vs->index_cap - 1;
	for (i = hash_val(scope, conn, child, key) & mask; vs->index[i] != 0;
	     i = (i + 1) & mask)
		if (matches(&vs->v[vs->index[i] - 1], scope, conn, child, key))
			return &vs->v[vs->index[i] - 1];
	return NULL;
}

int
config_plugin_value(const struct config *cfg, enum charond_scope scope,
		    const char *conn, const char *child, const char *key,
		    struct charond_value *out)
{
	const struct pval *p;

	if (scope != CHAROND_SCOPE_CHILD)
		child = NULL;
	p = find_val(cfg->plugin_values, scope, conn, child, key);
	if (p == NULL)
		return -1;
	*out = p->v;
	return 0;
}

/* The values of one connection and its children in a, each found alike
 * in b. */
static bool
conn_vals_in(const struct config *a, const struct config *b, const char *conn)
{
	const struct cfg_plugin_values *vs = a->plugin_values;
	size_t i;

	for (i = 0; vs != NULL && i < vs->n; i++) {
		const struct pval *p = &vs->v[i], *q;

		if (p->scope == CHAROND_SCOPE_PLUGIN || strcmp(p->conn, conn))
			continue;
		q = find_val(b->plugin_values, p->scope, p->conn, p->child,
			     p->key);
		if (q == NULL || q->v.type != p->v.type ||
		    strcmp(q->text, p->text) != 0)
			return false;
	}
	return true;
}

bool
config_plugin_equal_conn(const struct config *a, const struct config *b,
			 const char *conn)
{
	return conn_vals_in(a, b, conn) && conn_vals_in(b, a, conn);
}

static bool
of_conn(const struct pval *p, const char *conn)
{
	return p->scope != CHAROND_SCOPE_PLUGIN && strcmp(p->conn, conn) == 0;
}

size_t
config_plugin_each(const struct config *cfg, const char *conn, size_t hint,
		   config_plugin_each_fn *fn, void *ctx)
{
	const struct cfg_plugin_values *vs = cfg->plugin_values;
	size_t i, end = hint;

	if (vs == NULL)
		return 0;
	/* A connection's values were written together (its map, then its
	 * children's): from a hint at its first one, they are one run. */
	if (hint < vs->n && of_conn(&vs->v[hint], conn) &&
	    (hint == 0 || !of_conn(&vs->v[hint - 1], conn))) {
		for (i = hint; i < vs->n && of_conn(&vs->v[i], conn); i++)
			fn(ctx, vs->v[i].scope, vs->v[i].child, vs->v[i].key,
			   vs->v[i].text, &vs->v[i].v);
		return i;
	}
	for (i = 0; i < vs->n; i++)
		if (of_conn(&vs->v[i], conn)) {
			fn(ctx, vs->v[i].scope, vs->v[i].child, vs->v[i].key,
			   vs->v[i].text, &vs->v[i].v);
			end = i + 1;
		}
	return end;
}

/* --- checking a value by its declared type --------------------------------
 */

static const char *
type_name(enum charond_type t)
{
	switch (t) {
	case CHAROND_T_BOOL:
		return "true or false";
	case CHAROND_T_INT:
		return "an integer";
	case CHAROND_T_DURATION:
		return "a duration (e.g. 30s, 1.5s, 5m, 4h, 1d)";
	case CHAROND_T_STRING:
		return "a string";
	case CHAROND_T_ENUM:
		return "one of the choices";
	case CHAROND_T_LIST:
		return "a list";
	}
	return "a value";
}

static int
parse_int(const char *s, int64_t *v)
{
	char *end;
	long long n;

	if (s[0] < '0' || s[0] > '9')
		return -1;
	errno = 0;
	n = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	*v = n;
	return 0;
}

static void
parse_enum(struct loader *ld, const struct charond_config_key *d,
	   const struct ynode *v, struct pval *p)
{
	char list[200] = "";
	size_t i, used = 0;

	for (i = 0; d->choices != NULL && d->choices[i] != NULL; i++) {
		if (strcasecmp(v->str, d->choices[i]) == 0) {
			p->v.u.choice = (unsigned)i;
			return;
		}
		if (used < sizeof(list))
			used += (size_t)snprintf(list + used,
						 sizeof(list) - used, "%s%s",
						 i ? "|" : "", d->choices[i]);
	}
	ld_err(ld, v, "bad value '%s' for '%s': expected %s", v->str, d->key,
	       list);
}

static void
parse_list(struct loader *ld, const struct charond_config_key *d,
	   const struct ynode *v, struct pval *p)
{
	size_t i, n = sch_list_len(v), used = 0, len = 1;

	if (!sch_is_list(ld, d->key, v))
		return;
	p->items = ld_alloc(ld, (n ? n : 1) * sizeof(*p->items));
	if (p->items == NULL)
		return;
	for (i = 0; i < n; i++) {
		const char *s = sch_item_str(ld, d->key, sch_list_item(v, i));

		if (s == NULL ||
		    (p->items[p->n_items] = ld_strdup(ld, s)) == NULL)
			continue;
		len += strlen(s) + 1;
		p->n_items++;
	}
	p->text = ld_alloc(ld, len);
	for (i = 0; p->text != NULL && i < p->n_items; i++)
		used += (size_t)snprintf(p->text + used, len - used, "%s\n",
					 p->items[i]);
	p->v.u.list.v = (const char *const *)p->items;
	p->v.u.list.n = p->n_items;
}

/* Check v against the declaration; true with *p filled if it fits. */
static bool
parse_value(struct loader *ld, const struct charond_config_key *d,
	    const struct ynode *v, struct pval *p)
{
	size_t errors = ld->dl->n_errors;
	struct field f = {d->key, NULL, 0, 0, 0, NULL};
	const char *s = NULL;
	int64_t n;

	memset(p, 0, sizeof(*p));
	p->v.type = d->type;
	p->v.set = true;
	p->v.file = ld->file;
	p->v.line = v->line;
	p->v.col = v->col;
	if (d->type == CHAROND_T_LIST) {
		parse_list(ld, d, v, p);
		goto done;
	}
	s = sch_scalar(ld, &f, v);
	if (s == NULL)
		goto done;
	switch (d->type) {
	case CHAROND_T_BOOL:
		if (cfg_parse_bool(s, &p->v.u.b) != 0)
			ld_err(ld, v, "bad value '%s' for '%s': expected %s", s,
			       d->key, type_name(d->type));
		break;
	case CHAROND_T_INT:
		if (parse_int(s, &n) != 0 || n < d->min || n > d->max)
			ld_err(ld, v,
			       "bad value '%s' for '%s': expected %lld to "
			       "%lld",
			       s, d->key, (long long)d->min, (long long)d->max);
		else
			p->v.u.i = n;
		break;
	case CHAROND_T_DURATION:
		if (cfg_parse_duration(s, &p->v.u.ms) != 0)
			ld_err(ld, v, "bad duration '%s' for '%s': expected %s",
			       s, d->key, type_name(d->type));
		else if (d->max > 0 && (p->v.u.ms < (uint64_t)d->min ||
					p->v.u.ms > (uint64_t)d->max))
			ld_err(ld, v,
			       "bad duration '%s' for '%s': expected %llus to "
			       "%llus",
			       s, d->key, (unsigned long long)d->min / 1000,
			       (unsigned long long)d->max / 1000);
		break;
	case CHAROND_T_STRING:
		p->v.u.s = ld_strdup(ld, s);
		break;
	case CHAROND_T_ENUM:
		parse_enum(ld, d, v, p);
		break;
	case CHAROND_T_LIST:
		break;
	}
	if (s != NULL)
		p->text = ld_strdup(ld, s);
done:
	if (ld->dl->n_errors > errors || ld->nomem || p->text == NULL) {
		pval_clear(p);
		return false;
	}
	return true;
}

/* Keep a checked value; a later one of the same key (an include setting a
 * plugin's section again) replaces it. */
static void
store(struct loader *ld, enum charond_scope scope, const char *conn,
      const char *child, const char *key, struct pval *p)
{
	struct cfg_plugin_values *vs = ld->cfg->plugin_values;
	struct pval *old, *grown;

	if (vs == NULL) {
		vs = ld_alloc(ld, sizeof(*vs));
		if (vs == NULL)
			goto fail;
		ld->cfg->plugin_values = vs;
	}
	p->scope = scope;
	p->conn = conn ? ld_strdup(ld, conn) : NULL;
	p->child = child ? ld_strdup(ld, child) : NULL;
	p->key = ld_strdup(ld, key);
	if ((conn && !p->conn) || (child && !p->child) || !p->key)
		goto fail;
	old = find_val(vs, scope, conn, child, key);
	if (old != NULL) {
		pval_clear(old);
		*old = *p;
		return;
	}
	if (vs->n == vs->cap) {
		size_t cap = vs->cap ? 2 * vs->cap : 16;

		grown = realloc(vs->v, cap * sizeof(*grown));
		if (grown == NULL) {
			ld->nomem = true;
			goto fail;
		}
		vs->v = grown;
		vs->cap = cap;
	}
	vs->v[vs->n++] = *p;
	/* The first value allocates the index; a failure leaves none. */
	if ((vs->index != NULL || vs->n == 1) && !index_add(vs, vs->n - 1))
		ld->nomem = true;
	return;
fail:
	pval_clear(p);
}

/* --- walking declared keys and maps of them ------------------------------ */

static void walk_map(struct loader *ld, enum charond_scope scope,
		     const char *plugin, const char *prefix,
		     const struct ynode *map, const char *ctx);

/* One key (full: dotted from the map it is in) with its value: stored if
 * declared, walked if a map of declared keys; false if neither. */
static bool
take(struct loader *ld, enum charond_scope scope, const char *plugin,
     const char *full, const struct ynode *v, const char *ctx)
{
	const struct config_plugin_registry *r = registry;
	const struct charond_config_key *d;
	const char *conn =
	    scope == CHAROND_SCOPE_PLUGIN ? plugin : ld->conn_name;
	struct pval p;

	if (r == NULL)
		return false;
	d = r->find(r->ctx, scope, plugin, full);
	if (d != NULL) {
		/* The field the loader reports about is the full key. */
		struct charond_config_key named = *d;

		named.key = full;
		if (parse_value(ld, &named, v, &p))
			store(ld, scope, conn,
			      scope == CHAROND_SCOPE_CHILD ? ld->child_name
							   : NULL,
			      full, &p);
		return true;
	}
	if (!r->is_map(r->ctx, scope, plugin, full))
		return false;
	if (sch_is_map(ld, full, v))
		walk_map(ld, scope, plugin, full, v, ctx);
	return true;
}

static void
walk_map(struct loader *ld, enum charond_scope scope, const char *plugin,
	 const char *prefix, const struct ynode *map, const char *ctx)
{
	char full[256];
	size_t i;

	if (map->type != YN_MAP)
		return;
	for (i = 0; i + 1 < map->n; i += 2) {
		const struct ynode *k = map->kids[i], *v = map->kids[i + 1];
		const struct ynode *first =
		    map->dup_of ? map->dup_of[i / 2] : NULL;

		if (k->type != YN_SCALAR)
			continue;
		if (first != NULL) {
			ld_err(ld, k, "duplicate key '%s' %s (first at %u:%u)",
			       k->str, ctx, first->line, first->col);
			continue;
		}
		if ((size_t)snprintf(full, sizeof(full), "%s%s%s",
				     prefix ? prefix : "", prefix ? "." : "",
				     k->str) >= sizeof(full)) {
			ld_err(ld, k, "key '%s' is too long", k->str);
			continue;
		}
		if (!take(ld, scope, plugin, full, v, ctx)) {
			if (prefix != NULL)
				ld_err(ld, k,
				       "unknown key '%s' in '%s' %s: no loaded "
				       "plugin declares '%s'",
				       k->str, prefix, ctx, full);
			else
				ld_err(ld, k,
				       "unknown key '%s' %s: plugin '%s' "
				       "declares no such key",
				       k->str, ctx, plugin);
		}
	}
}

bool
plugin_key(struct loader *ld, const struct ynode *k, const struct ynode *v)
{
	char ctx[200];

	if (ld->plugin_scope == CHAROND_SCOPE_CHILD)
		snprintf(ctx, sizeof(ctx), "in child '%s' of connection '%s'",
			 ld->child_name, ld->conn_name);
	else
		snprintf(ctx, sizeof(ctx), "in connection '%s'", ld->conn_name);
	return take(ld, (enum charond_scope)ld->plugin_scope, NULL, k->str, v,
		    ctx);
}

/* plugins: {NAME: {KEY: VALUE}}: each plugin's own settings. */
void
sch_plugins(struct loader *ld, const struct field *f, const struct ynode *v,
	    void *obj)
{
	const struct config_plugin_registry *r = registry;
	size_t i;

	if (!sch_is_map(ld, f->key, v) || v->type != YN_MAP)
		return;
	for (i = 0; i + 1 < v->n; i += 2) {
		const struct ynode *k = v->kids[i], *val = v->kids[i + 1];
		const struct ynode *first = v->dup_of ? v->dup_of[i / 2] : NULL;
		char ctx[128];

		if (k->type != YN_SCALAR)
			continue;
		if (first != NULL) {
			ld_err(ld, k,
			       "duplicate plugin section '%s' (first at "
			       "%u:%u)",
			       k->str, first->line, first->col);
			continue;
		}
		if (r == NULL || !r->loaded(r->ctx, k->str)) {
			ld_err(ld, k,
			       "settings for plugin '%s', which is not "
			       "loaded (daemon.plugins, daemon.plugin_dir)",
			       k->str);
			continue;
		}
		snprintf(ctx, sizeof(ctx), "in plugins '%s'", k->str);
		if (sch_is_map(ld, k->str, val))
			walk_map(ld, CHAROND_SCOPE_PLUGIN, k->str, NULL, val,
				 ctx);
	}
}
