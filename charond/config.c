/* SPDX-License-Identifier: ISC */
/*
 * Loading a configuration: reading files (regular files only, size-capped),
 * includes (globs relative to the including file, merged where the include
 * key stands, loops refused, a file included twice loaded once), the
 * checks that need everything loaded (authorities that exist, auth methods
 * a loaded plugin provides, then the plugins' own checks), defaults of the
 * daemon section, and the config object's lifetime and comparison for reloads.
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "config_int.h"
#include "config_plugin.h"

/* --- diagnostics and allocation for the schema ---------------------------- */

static void vdiag(struct loader *ld, enum diag_sev sev, const char *file,
		  unsigned line, unsigned col, const char *fmt, va_list ap)
    __attribute__((format(printf, 6, 0)));

static void
vdiag(struct loader *ld, enum diag_sev sev, const char *file, unsigned line,
      unsigned col, const char *fmt, va_list ap)
{
	char msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	diag_add(ld->dl, sev, file, line, col, "%s", msg);
}

void
ld_diag(struct loader *ld, enum diag_sev sev, const struct ynode *at,
	const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdiag(ld, sev, ld->file, at ? at->line : 0, at ? at->col : 0, fmt, ap);
	va_end(ap);
}

void
ld_diag_pos(struct loader *ld, enum diag_sev sev, const struct cfg_pos *pos,
	    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdiag(ld, sev, pos->file ? pos->file : ld->file, pos->line, pos->col,
	      fmt, ap);
	va_end(ap);
}

void
ld_pos(const struct loader *ld, const struct ynode *at, struct cfg_pos *pos)
{
	pos->file = ld->file;
	pos->line = at->line;
	pos->col = at->col;
}

void *
ld_alloc(struct loader *ld, size_t n)
{
	void *p = calloc(1, n);

	if (p == NULL)
		ld->nomem = true;
	return p;
}

char *
ld_strdup(struct loader *ld, const char *s)
{
	char *p = strdup(s);

	if (p == NULL)
		ld->nomem = true;
	return p;
}

char *
ld_path(struct loader *ld, const char *p)
{
	char *r;

	if (p[0] == '/' || strcmp(ld->dir, ".") == 0)
		return ld_strdup(ld, p);
	if (asprintf(&r, "%s/%s", ld->dir, p) < 0) {
		ld->nomem = true;
		return NULL;
	}
	return r;
}

void
ld_check_readable(struct loader *ld, const struct ynode *at, const char *what,
		  const char *path)
{
	struct stat st;

	if (ld->flags & CONFIG_NO_FILES)
		return;
	if (stat(path, &st) != 0 || access(path, R_OK) != 0)
		ld_err(ld, at, "cannot read %s '%s': %s", what, path,
		       strerror(errno));
	else if (!S_ISREG(st.st_mode))
		ld_err(ld, at, "cannot read %s '%s': not a regular file", what,
		       path);
}

/* --- files ---------------------------------------------------------------- */

const char *
ld_strerror(int r)
{
	/* ld_read_file()'s word for a FIFO, device or socket. */
	if (r == -EINVAL)
		return "not a regular file";
	return strerror(-r);
}

int
ld_read_file(const char *path, uint8_t **data, size_t *len, struct file_id *id)
{
	size_t cap, n = 0;
	struct stat st;
	uint8_t *buf;
	ssize_t r;
	int fd, err = 0;

	/* O_NONBLOCK: a FIFO named in a config must not hang the daemon;
	 * it is refused below anyway. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) != 0) {
		err = -errno;
		close(fd);
		return err;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
	}
	if (st.st_size > CONFIG_MAX_FILE_SIZE) {
		close(fd);
		return -EFBIG;
	}
	/* The size is a hint: /proc files say 0, others may grow. */
	cap = (size_t)st.st_size + 1;
	buf = malloc(cap);
	if (buf == NULL) {
		close(fd);
		return -ENOMEM;
	}
	for (;;) {
		if (n == cap) {
			uint8_t *nb;

			if (cap > CONFIG_MAX_FILE_SIZE) {
				err = -EFBIG;
				break;
			}
			nb = realloc(buf, 2 * cap);
			if (nb == NULL) {
				err = -ENOMEM;
				break;
			}
			buf = nb;
			cap *= 2;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			err = -errno;
			break;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	if (err != 0) {
		OPENSSL_cleanse(buf, n);
		free(buf);
		return err;
	}
	if (id != NULL) {
		id->dev = st.st_dev;
		id->ino = st.st_ino;
	}
	*data = buf;
	*len = n;
	return 0;
}

static char *
dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

static const char *
intern_file(struct loader *ld, const char *name)
{
	struct config *cfg = ld->cfg;
	char **v, *dup = ld_strdup(ld, name);

	if (dup == NULL)
		return NULL;
	v = realloc(cfg->files, (cfg->n_files + 1) * sizeof(*v));
	if (v == NULL) {
		free(dup);
		ld->nomem = true;
		return NULL;
	}
	cfg->files = v;
	v[cfg->n_files++] = dup;
	return dup;
}

/* Parse one file's text and walk it; includes recurse through here. */
static void
load_text(struct loader *ld, const char *name, const void *data, size_t len)
{
	const char *saved_file = ld->file, *file = intern_file(ld, name);
	char *saved_dir = ld->dir, *dir = dir_of(name);
	struct ynode *root = NULL;
	int r;

	if (file == NULL || dir == NULL) {
		ld->nomem = true;
		free(dir);
		return;
	}
	ld->file = file;
	ld->dir = dir;
	r = config_yaml_parse(file, data, len, ld->dl, &root);
	if (r == -ENOMEM)
		ld->nomem = true;
	if (r == 0)
		schema_top(ld, root);
	ynode_free(root);
	ld->file = saved_file;
	ld->dir = saved_dir;
	free(dir);
}

static bool
id_in(const struct file_id *v, size_t n, const struct file_id *id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i].dev == id->dev && v[i].ino == id->ino)
			return true;
	return false;
}

static void
remember(struct loader *ld, const struct file_id *id)
{
	struct file_id *v;

	v = realloc(ld->seen, (ld->n_seen + 1) * sizeof(*v));
	if (v == NULL) {
		ld->nomem = true;
		return;
	}
	ld->seen = v;
	v[ld->n_seen++] = *id;
}

static void
include_file(struct loader *ld, const struct ynode *at, const char *path)
{
	struct file_id id;
	uint8_t *data;
	size_t len;
	int r;

	r = ld_read_file(path, &data, &len, &id);
	if (r == -EISDIR)
		return; /* conf.d/ * may match a subdirectory */
	if (r != 0) {
		ld_err(ld, at, "cannot read included file '%s': %s", path,
		       ld_strerror(r));
		return;
	}
	if (id_in(ld->stack, ld->depth, &id)) {
		ld_err(ld, at, "include loop: '%s' is already being loaded",
		       path);
	} else if (id_in(ld->seen, ld->n_seen, &id)) {
		ld_warn(ld, at, "'%s' is included more than once; loaded once",
			path);
	} else if (ld->depth > CONFIG_MAX_INCLUDE_DEPTH) {
		ld_err(ld, at, "includes nested more than %d deep",
		       CONFIG_MAX_INCLUDE_DEPTH);
	} else {
		remember(ld, &id);
		ld->stack[ld->depth++] = id;
		load_text(ld, path, data, len);
		ld->depth--;
	}
	OPENSSL_cleanse(data, len);
	free(data);
}

/* The including file's directory, with glob's special characters escaped
 * so only the pattern itself matches anything. */
static char *
glob_pattern(struct loader *ld, const char *pat)
{
	size_t n = strlen(ld->dir), i, j = 0;
	char *r;

	if (pat[0] == '/' || strcmp(ld->dir, ".") == 0)
		return ld_strdup(ld, pat);
	r = ld_alloc(ld, 2 * n + strlen(pat) + 2);
	if (r == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		if (strchr("*?[]\\", ld->dir[i]) != NULL)
			r[j++] = '\\';
		r[j++] = ld->dir[i];
	}
	r[j++] = '/';
	strcpy(r + j, pat);
	return r;
}

/* glob(3) has no context argument for its error callback. */
static _Thread_local int glob_errno;

/* A directory that does not exist is an empty conf.d; one that cannot be
 * read hides files the admin meant to load. */
static int
glob_error(const char *path, int err)
{
	if (err != ENOENT && err != ENOTDIR && glob_errno == 0)
		glob_errno = err;
	return 0;
}

void
ld_include(struct loader *ld, const struct ynode *v)
{
	size_t i, k;

	for (i = 0; i < sch_list_len(v); i++) {
		const struct ynode *it = sch_list_item(v, i);
		const char *pat = sch_item_str(ld, "include", it);
		char *full;
		glob_t g;
		int r;

		if (pat == NULL || (ld->flags & CONFIG_NO_FILES))
			continue;
		full = glob_pattern(ld, pat);
		if (full == NULL)
			return;
		memset(&g, 0, sizeof(g));
		glob_errno = 0;
		r = glob(full, 0, glob_error, &g);
		if (glob_errno != 0)
			ld_err(ld, it, "cannot search for include '%s': %s",
			       full, strerror(glob_errno));
		if (r == GLOB_NOMATCH) {
			/* A pattern matching nothing is fine (an empty
			 * conf.d); a plain file name is probably a typo. */
			if (strpbrk(pat, "*?[") == NULL)
				ld_warn(ld, it, "include '%s' matches no file",
					full);
		} else if (r == GLOB_NOSPACE) {
			ld->nomem = true;
		} else if (r == 0) {
			for (k = 0; k < g.gl_pathc; k++)
				include_file(ld, it, g.gl_pathv[k]);
		}
		globfree(&g);
		free(full);
	}
}

/* --- names to indexes ---------------------------------------------------- */

static size_t
name_hash(const char *s)
{
	size_t h = 14695981039346656037ULL; /* FNV-1a */

	while (*s != '\0')
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

size_t
name_index_find(const struct name_index *ni, const char *name)
{
	size_t i;

	if (ni == NULL || ni->cap == 0)
		return SIZE_MAX;
	for (i = name_hash(name) & (ni->cap - 1); ni->slot[i].name != NULL;
	     i = (i + 1) & (ni->cap - 1))
		if (strcmp(ni->slot[i].name, name) == 0)
			return ni->slot[i].idx;
	return SIZE_MAX;
}

static void
name_index_put(struct name_index *ni, const char *name, size_t idx)
{
	size_t i;

	for (i = name_hash(name) & (ni->cap - 1); ni->slot[i].name != NULL;
	     i = (i + 1) & (ni->cap - 1))
		;
	ni->slot[i].name = name;
	ni->slot[i].idx = idx;
	ni->n++;
}

int
name_index_add(struct name_index *ni, const char *name, size_t idx)
{
	if (name_index_find(ni, name) != SIZE_MAX)
		return 0;
	/* At most half full, so probes stay short. */
	if (2 * (ni->n + 1) > ni->cap) {
		struct name_index grown = {0};
		size_t i;

		grown.cap = ni->cap ? 2 * ni->cap : 16;
		grown.slot = calloc(grown.cap, sizeof(*grown.slot));
		if (grown.slot == NULL)
			return -ENOMEM;
		for (i = 0; i < ni->cap; i++)
			if (ni->slot[i].name != NULL)
				name_index_put(&grown, ni->slot[i].name,
					       ni->slot[i].idx);
		free(ni->slot);
		*ni = grown;
	}
	name_index_put(ni, name, idx);
	return 0;
}

void
name_index_free(struct name_index *ni)
{
	if (ni == NULL)
		return;
	free(ni->slot);
	free(ni);
}

/* --- checks across files -------------------------------------------------- */

/* An auth method is a name some plugin provides: with the daemon's
 * registry, one no loaded plugin provides is refused here. */
static void
check_auth(struct loader *ld, const struct conn_cfg *c,
	   const struct auth_cfg *a)
{
	const struct config_plugin_registry *r = config_plugin_registry();
	char hint[128] = "";

	if (r == NULL || r->auth(r->ctx, a->auth, hint, sizeof(hint)) == 0)
		return;
	ld_diag_pos(ld, DIAG_ERROR, &a->pos,
		    "connection '%s': no loaded plugin provides auth method "
		    "'%s'%s%s%s",
		    c->name, a->auth, hint[0] ? " (" : "", hint,
		    hint[0] ? ")" : "");
}

/* What the core knows of a connection across files; what an auth method
 * needs (a PSK that fits, a certificate that loads) is its plugin's check
 * (config_view.c). */
static void
check_conn(struct loader *ld, const struct conn_cfg *c)
{
	if (c->remote.ca != NULL &&
	    config_find_authority(ld->cfg, c->remote.ca) == NULL)
		ld_diag_pos(ld, DIAG_ERROR, &c->remote.ca_pos,
			    "connection '%s': unknown authority '%s'", c->name,
			    c->remote.ca);
	check_auth(ld, c, &c->local);
	if (strcmp(c->remote.auth, c->local.auth) != 0)
		check_auth(ld, c, &c->remote);
}

static void
finish(struct loader *ld)
{
	struct daemon_cfg *d = &ld->cfg->daemon;
	size_t i;

	if (d->listen == NULL) {
		d->listen = ld_alloc(ld, 2 * sizeof(*d->listen));
		if (d->listen != NULL) {
			d->n_listen = 2;
			cfg_parse_ip("0.0.0.0", &d->listen[0]);
			cfg_parse_ip("::", &d->listen[1]);
		}
	}
	if (d->socket == NULL)
		d->socket = ld_strdup(ld, CFG_DEFAULT_SOCKET);
	/* sch_grow() doubles; nothing grows the array after this, and a
	 * hub's 10,000 connections would otherwise hold room for 16,384. */
	if (ld->cfg->n_conns > 0) {
		struct conn_cfg *fit =
		    realloc(ld->cfg->conns, ld->cfg->n_conns * sizeof(*fit));

		if (fit != NULL)
			ld->cfg->conns = fit;
	}
	for (i = 0; !ld->nomem && i < ld->cfg->n_conns; i++)
		check_conn(ld, &ld->cfg->conns[i]);
	if (!ld->nomem && !(ld->flags & CONFIG_DAEMON_ONLY))
		config_check_plugins(ld);
}

/* --- entry points --------------------------------------------------------- */

static int
load(const char *name, const void *data, size_t len, unsigned flags,
     const struct config_opts *opts, const struct file_id *id,
     struct config **out, struct diag_list *dl)
{
	size_t errors = dl->n_errors;
	struct loader ld;
	int rc = 0;

	*out = NULL;
	memset(&ld, 0, sizeof(ld));
	ld.cfg = calloc(1, sizeof(*ld.cfg));
	if (ld.cfg == NULL)
		return -ENOMEM;
	ld.cfg->conn_index = calloc(1, sizeof(*ld.cfg->conn_index));
	ld.cfg->authority_index = calloc(1, sizeof(*ld.cfg->authority_index));
	ld.cfg->props = prop_pool_new();
	if (ld.cfg->conn_index == NULL || ld.cfg->authority_index == NULL ||
	    ld.cfg->props == NULL) {
		config_free(ld.cfg);
		return -ENOMEM;
	}
	ld.dl = dl;
	ld.flags = flags;
	ld.opts = opts;
	schema_defaults(ld.cfg);
	if (id != NULL) {
		ld.stack[ld.depth++] = *id;
		remember(&ld, id);
	}
	load_text(&ld, name, data, len);
	finish(&ld);
	free(ld.seen);
	if (ld.nomem) {
		diag_add(dl, DIAG_ERROR, name, 0, 0, "out of memory");
		rc = -ENOMEM;
	} else if (dl->n_errors > errors) {
		rc = -EINVAL;
	}
	if (rc != 0) {
		config_free(ld.cfg);
		return rc;
	}
	*out = ld.cfg;
	return 0;
}

int
config_load(const char *path, struct config **out, struct diag_list *diags)
{
	return config_load_opts(path, NULL, out, diags);
}

static int load_path(const char *path, unsigned flags,
		     const struct config_opts *opts, struct config **out,
		     struct diag_list *diags);

int
config_load_flags(const char *path, unsigned flags, struct config **out,
		  struct diag_list *diags)
{
	return load_path(path, flags, NULL, out, diags);
}

int
config_load_opts(const char *path, const struct config_opts *opts,
		 struct config **out, struct diag_list *diags)
{
	return load_path(path, 0, opts, out, diags);
}

static int
load_path(const char *path, unsigned flags, const struct config_opts *opts,
	  struct config **out, struct diag_list *diags)
{
	struct file_id id;
	uint8_t *data;
	size_t len;
	int r;

	*out = NULL;
	r = ld_read_file(path, &data, &len, &id);
	if (r != 0) {
		diag_add(diags, DIAG_ERROR, path, 0, 0, "cannot read: %s",
			 ld_strerror(r));
		return r;
	}
	r = load(path, data, len, flags, opts, &id, out, diags);
	OPENSSL_cleanse(data, len);
	free(data);
	return r;
}

int
config_load_buffer(const char *name, const void *data, size_t len,
		   unsigned flags, struct config **out, struct diag_list *diags)
{
	return config_load_buffer_opts(name, data, len, flags, NULL, out,
				       diags);
}

int
config_load_buffer_opts(const char *name, const void *data, size_t len,
			unsigned flags, const struct config_opts *opts,
			struct config **out, struct diag_list *diags)
{
	struct file_id id;
	struct stat st;
	bool known = false;

	/* When name is the file the text came from, an include of it is a
	 * loop like any other. */
	if (!(flags & CONFIG_NO_FILES) && stat(name, &st) == 0) {
		id.dev = st.st_dev;
		id.ino = st.st_ino;
		known = true;
	}
	return load(name, data, len, flags, opts, known ? &id : NULL, out,
		    diags);
}

void
config_free(struct config *cfg)
{
	size_t i;

	if (cfg == NULL)
		return;
	daemon_cfg_clear(&cfg->daemon);
	for (i = 0; i < cfg->n_authorities; i++)
		authority_cfg_clear(&cfg->authorities[i]);
	free(cfg->authorities);
	for (i = 0; i < cfg->n_conns; i++)
		conn_cfg_clear(&cfg->conns[i]);
	free(cfg->conns);
	for (i = 0; i < cfg->n_psks; i++)
		psk_cfg_clear(&cfg->psks[i]);
	free(cfg->psks);
	for (i = 0; i < cfg->n_privkeys; i++)
		privkey_cfg_clear(&cfg->privkeys[i]);
	free(cfg->privkeys);
	sch_strv_free(cfg->files, cfg->n_files);
	config_plugin_values_free(cfg->plugin_values);
	name_index_free(cfg->conn_index);
	name_index_free(cfg->authority_index);
	prop_pool_free(cfg->props);
	free(cfg);
}

/* --- lookups and comparison ----------------------------------------------- */

const struct conn_cfg *
config_find_conn(const struct config *cfg, const char *name)
{
	size_t i = name_index_find(cfg->conn_index, name);

	return i < cfg->n_conns ? &cfg->conns[i] : NULL;
}

const struct authority_cfg *
config_find_authority(const struct config *cfg, const char *name)
{
	size_t i = name_index_find(cfg->authority_index, name);

	return i < cfg->n_authorities ? &cfg->authorities[i] : NULL;
}

const struct child_cfg *
config_find_child(const struct conn_cfg *conn, const char *name)
{
	size_t i;

	for (i = 0; i < conn->n_children; i++)
		if (strcmp(conn->children[i].name, name) == 0)
			return &conn->children[i];
	return NULL;
}

static bool
str_eq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static bool
strv_eq(char *const *a, size_t na, char *const *b, size_t nb)
{
	size_t i;

	if (na != nb)
		return false;
	for (i = 0; i < na; i++)
		if (!str_eq(a[i], b[i]))
			return false;
	return true;
}

static bool
props_eq(const struct proposal *a, size_t na, const struct proposal *b,
	 size_t nb)
{
	return prop_list_equal(a, na, b, nb);
}

static bool
addrs_eq(const struct cfg_addr *a, size_t na, const struct cfg_addr *b,
	 size_t nb)
{
	size_t i;

	if (na != nb)
		return false;
	for (i = 0; i < na; i++)
		if (!cfg_addr_equal(&a[i], &b[i]))
			return false;
	return true;
}

static bool
ts_eq(const struct cfg_ts *a, size_t na, const struct cfg_ts *b, size_t nb)
{
	size_t i;

	if (na != nb)
		return false;
	for (i = 0; i < na; i++)
		if (!cfg_ts_equal(&a[i], &b[i]))
			return false;
	return true;
}

static bool
auth_eq(const struct auth_cfg *a, const struct auth_cfg *b)
{
	return str_eq(a->auth, b->auth) && str_eq(a->id, b->id) &&
	       strv_eq(a->certs, a->n_certs, b->certs, b->n_certs) &&
	       str_eq(a->key, b->key) && str_eq(a->ca, b->ca);
}

bool
config_equal_child(const struct child_cfg *a, const struct child_cfg *b)
{
	return str_eq(a->name, b->name) && a->mode == b->mode &&
	       ts_eq(a->local_ts, a->n_local_ts, b->local_ts, b->n_local_ts) &&
	       ts_eq(a->remote_ts, a->n_remote_ts, b->remote_ts,
		     b->n_remote_ts) &&
	       props_eq(a->esp_proposals, a->n_esp_proposals, b->esp_proposals,
			b->n_esp_proposals) &&
	       a->start_action == b->start_action &&
	       a->rekey_time_ms == b->rekey_time_ms &&
	       a->hw_offload == b->hw_offload && a->l2tp == b->l2tp;
}

bool
config_equal_conn(const struct conn_cfg *a, const struct conn_cfg *b)
{
	size_t i;

	if (!str_eq(a->name, b->name) || a->version != b->version ||
	    !addrs_eq(a->local_addrs, a->n_local_addrs, b->local_addrs,
		      b->n_local_addrs) ||
	    !addrs_eq(a->remote_addrs, a->n_remote_addrs, b->remote_addrs,
		      b->n_remote_addrs) ||
	    !props_eq(a->proposals, a->n_proposals, b->proposals,
		      b->n_proposals) ||
	    a->rekey_time_ms != b->rekey_time_ms ||
	    a->reauth_time_ms != b->reauth_time_ms ||
	    a->keyingtries != b->keyingtries ||
	    a->aggressive != b->aggressive || !auth_eq(&a->local, &b->local) ||
	    !auth_eq(&a->remote, &b->remote) || a->n_children != b->n_children)
		return false;
	for (i = 0; i < a->n_children; i++)
		if (!config_equal_child(&a->children[i], &b->children[i]))
			return false;
	return true;
}
