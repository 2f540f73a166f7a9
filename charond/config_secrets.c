/* SPDX-License-Identifier: ISC */
/*
 * The secrets section of charond.yaml: pre-shared keys with the IDs they
 * belong to, given inline (text, or 0x-prefixed hex) or in a file of their
 * own. Secret bytes go straight into struct secret (OpenSSL's secure heap,
 * cleansed when freed); every temporary copy is wiped, and no message ever
 * quotes a secret.
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

/* The secret's bytes: 0x-prefixed hex, else the text itself. */
static void
set_secret(struct loader *ld, const struct ynode *at, struct psk_cfg *p,
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
		p->secret = secret_dup(bin, n);
		OPENSSL_cleanse(bin, n);
		free(bin);
	} else {
		p->secret = secret_dup(s, len);
	}
	if (p->secret == NULL)
		ld->nomem = true;
}

static void
secret_from_file(struct loader *ld, const struct ynode *at, struct psk_cfg *p,
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
		set_secret(ld, at, p, (const char *)data, len);
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
		struct field sf = {"secret", NULL, 0, 0, 0, NULL};
		struct psk_cfg p, *arr;
		const char *s;

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
		if (vals[1] != NULL && vals[2] != NULL) {
			ld_err(ld, vals[2],
			       "give either 'secret' or 'secret_file', not "
			       "both");
		} else if (vals[1] != NULL) {
			s = sch_scalar(ld, &sf, vals[1]);
			if (s != NULL)
				set_secret(ld, vals[1], &p, s, vals[1]->len);
		} else if (vals[2] != NULL) {
			sf.key = "secret_file";
			s = sch_scalar(ld, &sf, vals[2]);
			if (s != NULL)
				secret_from_file(ld, vals[2], &p, s);
		} else {
			ld_err(ld, it,
			       "PSK entry needs 'secret' or "
			       "'secret_file'");
		}
		arr = sch_grow(ld, cfg->psks, &cfg->n_psks, sizeof(*arr));
		if (arr == NULL) {
			psk_cfg_clear(&p);
			return;
		}
		cfg->psks = arr;
		arr[cfg->n_psks - 1] = p;
	}
}

static const struct field secrets_fields[] = {
    FX("psk", f_psk),
};

void
sch_secrets(struct loader *ld, const struct field *f, const struct ynode *v,
	    void *obj)
{
	if (sch_is_map(ld, f->key, v))
		sch_walk(ld, v, secrets_fields, NELEM(secrets_fields), obj,
			 "in secrets", NULL);
}
