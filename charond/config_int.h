/* SPDX-License-Identifier: ISC */
/*
 * What the configuration loader's files share and nobody else needs: the
 * YAML tree with positions, the loader's state while it walks files and
 * includes, and small value helpers. Grouped by the file that owns them.
 */
#ifndef CHAROND_CONFIG_INT_H
#define CHAROND_CONFIG_INT_H

#include <sys/types.h>

#include "config.h"

enum ynode_type {
	YN_SCALAR,
	YN_LIST,
	YN_MAP,
};

/*
 * A YAML node. Maps keep keys and values alternating in kids (key 2i,
 * value 2i+1); keys are scalars. Aliases share the anchored node, hence
 * the reference count; the tree is read-only once built.
 */
struct ynode {
	enum ynode_type type;
	bool null;   /* a plain empty, "~" or "null" scalar */
	bool quoted; /* written with quotes or as a block scalar */
	unsigned line, col;
	unsigned refs;
	size_t weight;   /* nodes in the subtree, aliases expanded */
	unsigned height; /* levels in the subtree, aliases expanded */
	char *str;       /* scalar, NUL-terminated */
	size_t len;
	struct ynode **kids;
	size_t n, cap;
	/* map: for pair i, the earlier key it repeats, or NULL (NULL when
	 * no key repeats) */
	const struct ynode **dup_of;
};

#define YN_MAX_DEPTH        64 /* nesting; the tree is freed recursively */
#define YN_MAX_NODES        10000000 /* nodes written in one file */
#define YN_MAX_ALIAS_WEIGHT 1000000  /* nodes aliases add, expanded */

/* config_yaml.c */
/* Parse one YAML document. Returns 0 with the root in *root (NULL for an
 * empty file), or -EINVAL after adding the problems to dl, or -ENOMEM. */
int config_yaml_parse(const char *file, const void *data, size_t len,
		      struct diag_list *dl, struct ynode **root);
void ynode_free(struct ynode *n);
/* "a map", "a list" or "a value", for messages. */
const char *ynode_what(const struct ynode *n);

/* config_value.c */
int cfg_parse_uint(const char *s, unsigned long max, unsigned long *v);
int cfg_parse_bool(const char *s, bool *v);
/* "0x..." hex (len characters, no NUL needed) into a malloc'ed buffer
 * (*out, *outlen); -1 if malformed, -ENOMEM. */
int cfg_parse_hex(const char *s, size_t len, uint8_t **out, size_t *outlen);
bool cfg_dns_name_ok(const char *s);
/* Levenshtein distance, capped at 100. */
unsigned cfg_edit_distance(const char *a, const char *b);
/* Compare two addresses, traffic selectors (their parsed values). */
bool cfg_addr_equal(const struct cfg_addr *a, const struct cfg_addr *b);
bool cfg_ts_equal(const struct cfg_ts *a, const struct cfg_ts *b);

/* config.c: a hash table of names (pointers to strings owned elsewhere,
 * that must not move) to array indexes */
struct name_index {
	struct {
		const char *name; /* NULL: free */
		size_t idx;
	} * slot;
	size_t cap, n; /* cap: a power of two, or 0 */
};

/* The index of name, or SIZE_MAX. */
size_t name_index_find(const struct name_index *ni, const char *name);
/* Adds name (not copied) unless already there; -ENOMEM. */
int name_index_add(struct name_index *ni, const char *name, size_t idx);
void name_index_free(struct name_index *ni);

/* config.c: the loader's state while it walks a file and its includes */
struct file_id {
	dev_t dev;
	ino_t ino;
};

struct loader {
	struct config *cfg;
	struct diag_list *dl;
	unsigned flags;
	const char *file; /* current file, interned in cfg->files */
	char *dir;        /* its directory, for relative paths */
	struct file_id stack[CONFIG_MAX_INCLUDE_DEPTH + 1];
	size_t depth; /* files being loaded, outermost first */
	struct file_id *seen;
	size_t n_seen;
	bool nomem;
	const struct config_opts *opts; /* NULL: no claimed key supported */
	char scope[128]; /* path of the map being walked ("connections.*") */
	size_t scope_len;
	const char *conn_name; /* the connection being walked, for messages */
	/* The map being walked whose keys plugins may declare (a
	 * connection's or a child's), its enum charond_scope, and the
	 * child's name (config_plugin.c). */
	const struct ynode *plugin_map;
	int plugin_scope;
	const char *child_name;
};

/* config_view.c: the loaded plugins' checks of ld->cfg, reported into
 * ld's diagnostics. */
void config_check_plugins(struct loader *ld);

/* A problem at a node of the current file (no position when at is NULL),
 * or at a position recorded earlier. */
void ld_diag(struct loader *ld, enum diag_sev sev, const struct ynode *at,
	     const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void ld_diag_pos(struct loader *ld, enum diag_sev sev,
		 const struct cfg_pos *pos, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
#define ld_err(ld, at, ...)  ld_diag((ld), DIAG_ERROR, (at), __VA_ARGS__)
#define ld_warn(ld, at, ...) ld_diag((ld), DIAG_WARNING, (at), __VA_ARGS__)
void ld_pos(const struct loader *ld, const struct ynode *at,
	    struct cfg_pos *pos);
/* Allocation that records failure instead of returning it. */
void *ld_alloc(struct loader *ld, size_t n);
char *ld_strdup(struct loader *ld, const char *s);
/* A path from the current file: relative paths are taken from its
 * directory. Malloc'ed. */
char *ld_path(struct loader *ld, const char *p);
/* Check that a file named in the config can be read (not with
 * CONFIG_NO_FILES). */
void ld_check_readable(struct loader *ld, const struct ynode *at,
		       const char *what, const char *path);
/* Read a whole regular file into a malloc'ed buffer; -errno on failure. */
int ld_read_file(const char *path, uint8_t **data, size_t *len,
		 struct file_id *id);
/* strerror() for ld_read_file()'s results. */
const char *ld_strerror(int r);
/* Load every file the glob patterns in node (a list) match. */
void ld_include(struct loader *ld, const struct ynode *node);

/* config_schema.c: maps walked against tables of fields */
struct enum_name {
	const char *name;
	int val;
};

struct field;
typedef void field_fn(struct loader *ld, const struct field *f,
		      const struct ynode *v, void *obj);

struct field {
	const char *key;
	field_fn *fn;
	size_t off;        /* the member fn sets */
	size_t off_n;      /* lists: the member holding the count */
	unsigned long arg; /* f_uint: maximum; f_props: IKEV2_PROTO_* */
	const struct enum_name *enums;
};

#define F(key, fn, type, m)                                                    \
	{                                                                      \
		key, fn, offsetof(type, m), 0, 0, NULL                         \
	}
#define FL(key, fn, type, m, n)                                                \
	{                                                                      \
		key, fn, offsetof(type, m), offsetof(type, n), 0, NULL         \
	}
#define FA(key, fn, type, m, a)                                                \
	{                                                                      \
		key, fn, offsetof(type, m), 0, a, NULL                         \
	}
#define FE(key, type, m, e)                                                    \
	{                                                                      \
		key, sch_enum, offsetof(type, m), 0, 0, e                      \
	}
#define FX(key, fn)                                                            \
	{                                                                      \
		key, fn, 0, 0, 0, NULL                                         \
	}

#define MEMBER(obj, f, type) ((type *)(void *)((char *)(obj) + (f)->off))
#define COUNT(obj, f)        ((size_t *)(void *)((char *)(obj) + (f)->off_n))

/* The value of a field that takes one; NULL (reported) if it is not. */
const char *sch_scalar(struct loader *ld, const struct field *f,
		       const struct ynode *v);
/* Lists: a single value counts as a list of one, an empty value as an
 * empty list. sch_is_list() is false (reported) for a map. */
bool sch_is_list(struct loader *ld, const char *key, const struct ynode *v);
size_t sch_list_len(const struct ynode *v);
const struct ynode *sch_list_item(const struct ynode *v, size_t i);
/* An item of a list of values; NULL (reported) if it is not one. */
const char *sch_item_str(struct loader *ld, const char *key,
			 const struct ynode *it);
/* A map, or empty; false (reported) otherwise. */
bool sch_is_map(struct loader *ld, const char *key, const struct ynode *v);
/*
 * Walk a map with a field table. vals (nf entries, may be NULL) gets each
 * field's value node, so callers can tell given from defaulted and point
 * at a value in later checks. ctx ("in connection 'site'") is for
 * messages about keys.
 */
void sch_walk(struct loader *ld, const struct ynode *map,
	      const struct field *fs, size_t nf, void *obj, const char *ctx,
	      const struct ynode **vals);
/* sch_walk() of a file's top level, whatever includes it (for the scope
 * of claimed keys, config_claims()). */
void sch_walk_top(struct loader *ld, const struct ynode *map,
		  const struct field *fs, size_t nf, void *obj,
		  const char *ctx);
bool sch_name_ok(struct loader *ld, const struct ynode *k, const char *what);
/*
 * Walk a map of named items (connections, children, authorities): f->key
 * must be a map (else reported); a key repeated in it is reported as
 * "duplicate WHAT 'NAME'WHERE (first at L:C)" and skipped, a bad name is
 * reported, and fn gets every other key with its value. Repeats across
 * files are for fn to check (name_index_find()).
 */
typedef void named_fn(struct loader *ld, const struct ynode *k,
		      const struct ynode *v, void *obj);
void sch_named(struct loader *ld, const struct field *f, const struct ynode *v,
	       const char *what, const char *where, named_fn *fn, void *obj);
/* Grow an array by one zeroed element; NULL (recorded) when out of
 * memory. Arrays grown here must only ever be grown here (or allocated
 * with their exact count), as the capacity is implied by the count. */
void *sch_grow(struct loader *ld, void *arr, size_t *n, size_t size);
void sch_strv_free(char **v, size_t n);
field_fn sch_str, sch_path, sch_file, sch_files, sch_strs, sch_bool, sch_uint,
    sch_port, sch_duration, sch_enum;
void schema_top(struct loader *ld, const struct ynode *root);
void schema_defaults(struct config *cfg);
void authority_cfg_clear(struct authority_cfg *a);
void daemon_cfg_clear(struct daemon_cfg *d);

/* config_secrets.c: PSKs */
field_fn sch_secrets;
void psk_cfg_clear(struct psk_cfg *p);
void privkey_cfg_clear(struct privkey_cfg *p);
/* The secrets.private entry for a key file (canonical paths compared), or
 * NULL. */
const struct privkey_cfg *config_find_privkey(const struct config *cfg,
					      const char *key);

/* config_plugin.c: keys plugins declare. plugin_key() takes key k (value
 * v) of ld->plugin_map if a loaded plugin declares it (or declares members
 * of it, a map), checks and stores its value, and returns true; false
 * leaves it to the field table. */
bool plugin_key(struct loader *ld, const struct ynode *k,
		const struct ynode *v);
field_fn sch_plugins; /* the top-level `plugins:` sections */

/* config_conn.c: connections and their children */
field_fn sch_connections;
void conn_cfg_clear(struct conn_cfg *c);

#endif
