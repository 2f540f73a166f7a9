/* SPDX-License-Identifier: ISC */
/*
 * The secrets section of charond.yaml: pre-shared keys with the IDs they
 * belong to (`psk`), and passphrases of encrypted private keys with the
 * key file they open (`private`), each given inline (text, or 0x-prefixed
 * hex) or in a file of its own, the same way for both. Secret bytes go
 * straight into struct secret (OpenSSL's secure heap, cleansed when
 * freed); every temporary copy is wiped, and no message ever quotes a
 * secret.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/crypto.h>

#include "config_int.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

void
psk_cfg_clear(struct psk_cfg *p)
{
	sch_strv_free(p->ids, p->n_ids);
	secret_free(p->secret);
	memset(p, 0, sizeof(*p));
}

void
privkey_cfg_clear(struct privkey_cfg *p)
{
	free(p->file);
	free(p->canon);
	secret_free(p->secret);
	memset(p, 0, sizeof(*p));
}

/* The secret's bytes: 0x-prefixed hex, else the text itself. */
static void
set_secret(struct loader *ld, const struct ynode *at, struct secret **out,
	   const char *s, size_t len)
{
	uint8_t *bin;
	size_t n;
	int r;

	if (len == 0) {
		ld_err(ld, at, "empty secret");
		return;
	}
	if (len > 1 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		r = cfg_parse_hex(s, len, &bin, &n);
		if (r == -ENOMEM) {
			ld->nomem = true;
			return;
		}
		/* Never echo the secret in a message. */
		if (r != 0) {
			ld_err(ld, at,
			       "secret starts with 0x but is not hex (an even "
			       "number of 0-9, a-f)");
			return;
		}
		*out = secret_dup(bin, n);
		OPENSSL_cleanse(bin, n);
		free(bin);
	} else {
		*out = secret_dup(s, len);
	}
	if (*out == NULL)
		ld->nomem = true;
}

static void
secret_from_file(struct loader *ld, const struct ynode *at, struct secret **out,
		 const char *name)
{
	size_t len, size;
	uint8_t *data;
	struct stat st;
	char *path;
	int r;

	if (ld->flags & CONFIG_NO_FILES) {
		ld_err(ld, at, "secret_file '%s' not read: file access is off",
		       name);
		return;
	}
	path = ld_path(ld, name);
	if (path == NULL)
		return;
	r = ld_read_file(path, &data, &len, NULL);
	if (r != 0) {
		ld_err(ld, at, "cannot read secret_file '%s': %s", path,
		       ld_strerror(r));
		free(path);
		return;
	}
	if (stat(path, &st) == 0 && (st.st_mode & 077) != 0)
		ld_warn(ld, at,
			"secret_file '%s' is readable by others (mode %04o)",
			path, (unsigned)(st.st_mode & 07777));
	size = len;
	/* One trailing newline is the editor's, not the secret's. */
	if (len > 0 && data[len - 1] == '\n')
		len--;
	if (len > 0 && data[len - 1] == '\r')
		len--;
	if (memchr(data, '\0', len) != NULL)
		ld_err(ld, at, "secret_file '%s' contains a NUL byte", path);
	else
		set_secret(ld, at, out, (const char *)data, len);
	OPENSSL_cleanse(data, size);
	free(data);
	free(path);
}

/* Converted after the walk, once it is known which of them is there. */
static void
f_keep(struct loader *ld, const struct field *f, const struct ynode *v,
       void *obj)
{
}

/* An entry's `secret` or `secret_file` (vs, vf: their values, or NULL),
 * exactly one of them; what names the entry ("PSK entry"). */
static void
entry_secret(struct loader *ld, const struct ynode *it, const struct ynode *vs,
	     const struct ynode *vf, const char *what, struct secret **out)
{
	struct field sf = {"secret", NULL, 0, 0, 0, NULL};
	const char *s;

	if (vs != NULL && vf != NULL) {
		ld_err(ld, vf,
		       "give either 'secret' or 'secret_file', not both");
	} else if (vs != NULL) {
		s = sch_scalar(ld, &sf, vs);
		if (s != NULL)
			set_secret(ld, vs, out, s, vs->len);
	} else if (vf != NULL) {
		sf.key = "secret_file";
		s = sch_scalar(ld, &sf, vf);
		if (s != NULL)
			secret_from_file(ld, vf, out, s);
	} else {
		ld_err(ld, it, "%s needs 'secret' or 'secret_file'", what);
	}
}

static const struct field psk_fields[] = {
    FL("ids", sch_strs, struct psk_cfg, ids, n_ids),
    FX("secret", f_keep),
    FX("secret_file", f_keep),
};

static void
f_psk(struct loader *ld, const struct field *f, const struct ynode *v,
      void *obj)
{
	struct config *cfg = ld->cfg;
	size_t i;

	if (!sch_is_list(ld, f->key, v))
		return;
	for (i = 0; i < sch_list_len(v); i++) {
		const struct ynode *it = sch_list_item(v, i);
		const struct ynode *vals[NELEM(psk_fields)];
		struct psk_cfg p, *arr;

		if (it->type != YN_MAP) {
			ld_err(ld, it,
			       "items of 'psk' must be maps with 'secret' or "
			       "'secret_file', not %s",
			       ynode_what(it));
			continue;
		}
		memset(&p, 0, sizeof(p));
		ld_pos(ld, it, &p.pos);
		sch_walk(ld, it, psk_fields, NELEM(psk_fields), &p,
			 "in PSK secret", vals);
		entry_secret(ld, it, vals[1], vals[2], "PSK entry", &p.secret);
		arr = sch_grow(ld, cfg->psks, &cfg->n_psks, sizeof(*arr));
		if (arr == NULL) {
			psk_cfg_clear(&p);
			return;
		}
		cfg->psks = arr;
		arr[cfg->n_psks - 1] = p;
	}
}

/* --- private: passphrases of encrypted keys ------------------------------ */

static const struct field private_fields[] = {
    F("file", sch_file, struct privkey_cfg, file),
    FX("secret", f_keep),
    FX("secret_file", f_keep),
};

/* A path as the kernel resolves it (symbolic links, "..") so that an entry
 * and a local.key written differently still meet; as written when it
 * cannot be resolved (no file access, or gone: a key refused anyway). */
static char *
canonical(struct loader *ld, const char *path)
{
	char *c = NULL;

	if (!(ld->flags & CONFIG_NO_FILES))
		c = realpath(path, NULL);
	if (c == NULL)
		c = strdup(path);
	if (c == NULL)
		ld->nomem = true;
	return c;
}

static void
private_one(struct loader *ld, const struct ynode *it)
{
	struct config *cfg = ld->cfg;
	const struct ynode *vals[NELEM(private_fields)];
	struct privkey_cfg p, *arr;
	size_t j;

	if (it->type != YN_MAP) {
		ld_err(ld, it,
		       "items of 'private' must be maps with 'file' and "
		       "'secret' or 'secret_file', not %s",
		       ynode_what(it));
		return;
	}
	memset(&p, 0, sizeof(p));
	ld_pos(ld, it, &p.pos);
	sch_walk(ld, it, private_fields, NELEM(private_fields), &p,
		 "in private key secret", vals);
	if (p.file == NULL)
		ld_err(ld, it, "private key entry needs 'file' (the key)");
	else if ((p.canon = canonical(ld, p.file)) != NULL)
		for (j = 0; j < cfg->n_privkeys; j++)
			if (cfg->privkeys[j].canon &&
			    strcmp(cfg->privkeys[j].canon, p.canon) == 0) {
				ld_err(ld, vals[0],
				       "a second passphrase for %s (the "
				       "first at %s:%u:%u)",
				       p.file, cfg->privkeys[j].pos.file,
				       cfg->privkeys[j].pos.line,
				       cfg->privkeys[j].pos.col);
				break;
			}
	entry_secret(ld, it, vals[1], vals[2], "private key entry", &p.secret);
	arr = sch_grow(ld, cfg->privkeys, &cfg->n_privkeys, sizeof(*arr));
	if (arr == NULL) {
		privkey_cfg_clear(&p);
		return;
	}
	cfg->privkeys = arr;
	arr[cfg->n_privkeys - 1] = p;
}

static void
f_private(struct loader *ld, const struct field *f, const struct ynode *v,
	  void *obj)
{
	size_t i;

	if (sch_is_list(ld, f->key, v))
		for (i = 0; i < sch_list_len(v); i++)
			private_one(ld, sch_list_item(v, i));
}

const struct privkey_cfg *
config_find_privkey(const struct config *cfg, const char *key)
{
	char *c = key ? realpath(key, NULL) : NULL;
	const char *k = c ? c : key;
	const struct privkey_cfg *found = NULL;
	size_t i;

	for (i = 0; k && !found && i < cfg->n_privkeys; i++)
		if (cfg->privkeys[i].canon &&
		    strcmp(cfg->privkeys[i].canon, k) == 0)
			found = &cfg->privkeys[i];
	free(c);
	return found;
}

static const struct field secrets_fields[] = {
    FX("psk", f_psk),
    FX("private", f_private),
};

void
sch_secrets(struct loader *ld, const struct field *f, const struct ynode *v,
	    void *obj)
{
	if (sch_is_map(ld, f->key, v))
		sch_walk(ld, v, secrets_fields, NELEM(secrets_fields), obj,
			 "in secrets", NULL);
}
