/* SPDX-License-Identifier: ISC */
/*
 * list-certs and list-authorities: every certificate file the
 * configuration names (connections' local.certs, authorities' cacert)
 * and every authority's CRL, described from the files as they are now
 * (cert_info.c), with who uses each. A file that cannot be read is listed
 * with its error: one broken file must not hide the others, and it is
 * the one the admin most needs to see.
 *
 * Results:
 *   list-certs: {"certs": [{"path", "index" (its place in the file),
 *     "subject", ..., "used_by": [USE]} or {"path", "error", "used_by"}]}
 *     where USE is {"as": "local-cert" | "local-intermediate", "conn"}
 *     or {"as": "authority", "authority", "trusted_by": [CONN]}
 *   list-authorities: {"authorities": [{"name", "cacert", "subject",
 *     "issuer", "serial", "not_before", "not_after", "key" (or "error"),
 *     "crl": null | CRL (the first file of `crl`), "crls": [CRL] (every
 *     file of `crl`: the authority's and its intermediates'),
 *     "trusted_by": [CONN]}]}
 *   where CRL is {"path", "issuer", "last_update", "next_update",
 *     "revoked", "revoked_serials"} | {"path", "error"}
 */
#include <stdio.h>
#include <string.h>

#include "cert_info.h"
#include "ctl.h"
#include "daemon.h"

/* Whether connection c accepts peers certified by authority a: remote.ca
 * names it, or names none (any authority) for public key authentication. */
static bool
trusts(const struct conn_cfg *c, const struct authority_cfg *a)
{
	if (c->remote.ca)
		return strcmp(c->remote.ca, a->name) == 0;
	return !c->remote.auth || strcmp(c->remote.auth, "pubkey") == 0;
}

static json_t *
trusted_by(const struct config *cfg, const struct authority_cfg *a)
{
	json_t *l = json_array();
	size_t i;

	for (i = 0; l && i < cfg->n_conns; i++)
		if (trusts(&cfg->conns[i], a))
			json_array_append_new(l,
					      json_string(cfg->conns[i].name));
	return l;
}

/* The entry of files (an object: path -> array of uses) for path. */
static json_t *
uses_of(json_t *files, json_t *order, const char *path)
{
	json_t *u = json_object_get(files, path);

	if (!u) {
		u = json_array();
		json_object_set_new(files, path, u);
		json_array_append_new(order, json_string(path));
	}
	return u;
}

/* One file's entries into out: a certificate each, or its error. */
static void
add_file(json_t *out, const char *path, json_t *uses)
{
	char why[512];
	json_t *certs = cert_info_file(path, why, sizeof(why)), *o;
	size_t i;

	if (!certs) {
		json_array_append_new(out,
				      json_pack("{s:s,s:s,s:O}", "path", path,
						"error", why, "used_by", uses));
		return;
	}
	for (i = 0; i < json_array_size(certs); i++) {
		o = json_array_get(certs, i);
		json_object_set_new(o, "path", json_string(path));
		json_object_set_new(o, "index", json_integer((json_int_t)i));
		json_object_set(o, "used_by", uses);
		json_array_append(out, o);
	}
	json_decref(certs);
}

/* Whether a file of local.certs holds one of our end-entity certificates
 * (not only CA ones): any of them may be the one sent, as the peer's
 * CERTREQ asks, so each such file is a local certificate, not only the
 * first. A file that does not load: by its place, the first. */
static bool
holds_ee(const char *path, bool first)
{
	char why[512];
	json_t *certs = cert_info_file(path, why, sizeof(why));
	bool ee = !certs && first;
	size_t i;

	for (i = 0; certs && i < json_array_size(certs); i++)
		if (!json_is_true(
			json_object_get(json_array_get(certs, i), "ca")))
			ee = true;
	json_decref(certs);
	return ee;
}

void
ctl_list_certs(struct ctl_client *c, json_t *id, const char *conn)
{
	const struct config *cfg = daemon_g.cfg;
	const struct conn_cfg *cc;
	const struct authority_cfg *a;
	json_t *files = json_object(), *order = json_array(), *out, *p;
	size_t i, j;

	if (conn && !config_find_conn(cfg, conn)) {
		json_decref(files);
		json_decref(order);
		ctl_error(c, id, CTL_E_NOT_FOUND, NULL,
			  "no connection named '%s'", conn);
		return;
	}
	out = json_array();
	if (!files || !order || !out) {
		json_decref(files);
		json_decref(order);
		json_decref(out);
		ctl_reply(c, id, NULL);
		return;
	}
	/* Connections' own certificates first, in the order written, then
	 * the authorities': a file both use is listed once, with both. */
	for (i = 0; i < cfg->n_conns; i++) {
		cc = &cfg->conns[i];
		if (conn && strcmp(cc->name, conn) != 0)
			continue;
		for (j = 0; j < cc->local.n_certs; j++)
			json_array_append_new(
			    uses_of(files, order, cc->local.certs[j]),
			    json_pack("{s:s,s:s}", "as",
				      holds_ee(cc->local.certs[j], j == 0)
					  ? "local-cert"
					  : "local-intermediate",
				      "conn", cc->name));
	}
	for (i = 0; i < cfg->n_authorities; i++) {
		a = &cfg->authorities[i];
		cc = conn ? config_find_conn(cfg, conn) : NULL;
		if (!a->cacert || (cc && !trusts(cc, a)))
			continue;
		json_array_append_new(
		    uses_of(files, order, a->cacert),
		    json_pack("{s:s,s:s,s:o}", "as", "authority", "authority",
			      a->name, "trusted_by", trusted_by(cfg, a)));
	}
	for (i = 0; i < json_array_size(order); i++) {
		p = json_array_get(order, i);
		add_file(out, json_string_value(p),
			 json_object_get(files, json_string_value(p)));
	}
	json_decref(files);
	json_decref(order);
	ctl_reply(c, id, json_pack("{s:o}", "certs", out));
}

/* An authority's CA certificate (the file's first) and its CRL. */
static json_t *
authority_json(const struct config *cfg, const struct authority_cfg *a)
{
	char why[512];
	json_t *o, *certs, *crl, *crls;
	size_t i;

	o = json_pack("{s:s,s:s}", "name", a->name, "cacert",
		      a->cacert ? a->cacert : "");
	if (!o)
		return NULL;
	certs = a->cacert ? cert_info_file(a->cacert, why, sizeof(why)) : NULL;
	if (certs)
		json_object_update(o, json_array_get(certs, 0));
	else
		json_object_set_new(o, "error",
				    json_string(a->cacert ? why : "no cacert"));
	json_decref(certs);
	crls = json_array();
	for (i = 0; crls && i < a->n_crls; i++) {
		crl = cert_info_crl(a->crls[i], why, sizeof(why));
		if (crl)
			json_object_set_new(crl, "path",
					    json_string(a->crls[i]));
		else
			crl = json_pack("{s:s,s:s}", "path", a->crls[i],
					"error", why);
		json_array_append_new(crls, crl);
	}
	/* "crl" is the first, as before lists: readers of one keep working. */
	crl = json_array_get(crls, 0);
	json_object_set_new(o, "crl", crl ? json_incref(crl) : json_null());
	json_object_set_new(o, "crls", crls ? crls : json_array());
	json_object_set_new(o, "trusted_by", trusted_by(cfg, a));
	return o;
}

void
ctl_list_authorities(struct ctl_client *c, json_t *id)
{
	const struct config *cfg = daemon_g.cfg;
	json_t *l = json_array();
	size_t i;

	for (i = 0; l && i < cfg->n_authorities; i++)
		json_array_append_new(
		    l, authority_json(cfg, &cfg->authorities[i]));
	ctl_reply(c, id, l ? json_pack("{s:o}", "authorities", l) : NULL);
}
