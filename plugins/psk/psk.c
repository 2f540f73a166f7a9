/* SPDX-License-Identifier: ISC */
/*
 * The psk plugin: authentication with pre-shared keys (RFC 7296 2.15),
 * and IKEv1's SKEYID = prf(PSK, Ni_b | Nr_b) (RFC 2409 5) when the engine
 * asks for it (IKE_AUTH_PURPOSE_V1_SKEYID): the PSK never leaves here.
 * It picks the secret from the configuration's `secrets: psk` list that
 * best fits the two identities (both listed beats one listed beats a
 * secret without ids, which fits any peer: L2TP/IPsec servers need that,
 * Windows sends its private address as its identity). It sees the
 * configuration only through charond_api: the secrets by api->secret()
 * and the connection's remote ID, while the peer's is unknown, by
 * api->conn(). Its check refuses a configuration with a psk connection
 * that no pre-shared key could fit.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ikev1_const.h"
#include "plugin.h"

static const struct charond_api *api;

/* An identity as the text a config would write for it. */
static void
id_text(uint8_t type, const uint8_t *data, size_t len, char *buf, size_t buflen)
{
	if (type == IKEV2_ID_IPV4_ADDR && len == 4)
		inet_ntop(AF_INET, data, buf, (socklen_t)buflen);
	else if (type == IKEV2_ID_IPV6_ADDR && len == 16)
		inet_ntop(AF_INET6, data, buf, (socklen_t)buflen);
	else if (len) /* data may be NULL when len is 0 */
		snprintf(buf, buflen, "%.*s", (int)len, (const char *)data);
	else if (buflen)
		buf[0] = '\0';
}

static bool
listed(const struct charond_secret_view *p, const char *id)
{
	size_t i;

	for (i = 0; id && *id && i < p->n_ids; i++)
		if (strcasecmp(p->ids[i], id) == 0)
			return true;
	return false;
}

static const struct secret *
find_psk(const struct ike_auth_req *r)
{
	char me[IKE_ID_MAX + 1] = "", other[IKE_ID_MAX + 1] = "";
	struct charond_conn_view conn = {.size = sizeof(conn)};
	struct charond_secret_view p = {.size = sizeof(p)};
	const struct secret *best = NULL;
	int best_score = 0;
	size_t i;

	id_text(r->local_id->type, r->local_id->data, r->local_id->len, me,
		sizeof(me));
	if (r->peer_id)
		id_text(r->peer_id->type, r->peer_id->data.ptr,
			r->peer_id->data.len, other, sizeof(other));
	else if (api->conn(r->conn, &conn) == 0 && conn.remote.id)
		snprintf(other, sizeof(other), "%s", conn.remote.id);
	for (i = 0; api->secret("psk", i, &p) == 0; i++) {
		int score;

		if (p.n_ids == 0) {
			score = 1;
		} else {
			score = 2 * listed(&p, me) + 2 * listed(&p, other);
			if (score == 0)
				continue;
		}
		if (score > best_score) {
			best = p.secret;
			best_score = score;
		}
	}
	return best;
}

static int
psk_sign(void *state, const struct ike_auth_req *r, uint8_t *method,
	 uint8_t *out, size_t *len)
{
	const struct secret *psk;

	/* IKEv1 Main Mode's method: ours is the pre-shared key, whichever
	 * it is (it is chosen, and its absence reported, with SKEYID). */
	if (r->version == 1 && r->purpose == IKE_AUTH_PURPOSE_V1_METHOD) {
		*method = IKEV1_AUTH_PRE_SHARED_KEY;
		*len = 0;
		return 0;
	}
	if (!(psk = find_psk(r))) {
		api->log(IKE_LOG_ERROR, "psk",
			 "no pre-shared key for connection '%s'", r->conn);
		return -1;
	}
	/* IKEv1: the engine asks for SKEYID, which the PSK keys. */
	if (r->version == 1 && r->purpose == IKE_AUTH_PURPOSE_V1_SKEYID) {
		*method = IKEV1_AUTH_PRE_SHARED_KEY;
		return ike_psk_v1_skeyid(r->prf, psk, r->octets, out, len);
	}
	if (r->purpose != IKE_AUTH_PURPOSE_AUTH)
		return -1;
	*method = IKEV2_AUTH_SHARED_KEY_MIC;
	return ike_psk_auth(r->prf, psk, r->octets, out, len);
}

static int
psk_verify(void *state, const struct ike_auth_req *r, uint8_t method,
	   struct bytes data, char *why, size_t why_len)
{
	const struct secret *psk;

	/* IKEv1's HASH_I/HASH_R are checked by the engine with SKEYID. */
	if (r->purpose != IKE_AUTH_PURPOSE_AUTH) {
		snprintf(why, why_len, "nothing to verify for this purpose");
		return -1;
	}
	if (method != IKEV2_AUTH_SHARED_KEY_MIC) {
		snprintf(why, why_len,
			 "it uses AUTH method %u, the connection "
			 "expects a pre-shared key (method 2)",
			 method);
		return -1;
	}
	psk = find_psk(r);
	if (!psk) {
		snprintf(why, why_len,
			 "no pre-shared key configured for this "
			 "peer");
		return -1;
	}
	if (!ike_psk_verify(r->prf, psk, r->octets, data)) {
		snprintf(why, why_len,
			 "its AUTH does not verify: the "
			 "pre-shared keys differ");
		return -1;
	}
	return 0;
}

static const struct charond_auth_method psk_method = {
    .name = "psk",
    .sign = psk_sign,
    .verify = psk_verify,
};

static int
psk_init(const struct charond_api *a, void **state, char *why, size_t why_len)
{
	api = a;
	*state = NULL;
	if (api->add_auth(&psk_method, NULL) < 0) {
		snprintf(why, why_len, "cannot register auth method 'psk'");
		return -1;
	}
	return 0;
}

/* --- the check: a PSK for every psk connection ---------------------------- */

static bool
id_match(const char *pattern, const char *id)
{
	return strcasecmp(pattern, id) == 0 ||
	       fnmatch(pattern, id, FNM_CASEFOLD) == 0;
}

/* An ID of a PSK that may fit more than one name. */
static bool
id_is_pattern(const char *id)
{
	return strcmp(id, "%any") == 0 || strpbrk(id, "*?[\\") != NULL;
}

/* A side's ID that any PSK may fit. */
static bool
id_is_open(const char *id)
{
	return strcmp(id, "%any") == 0 || strpbrk(id, "*?[") != NULL;
}

/* An address of a view names one host: anything else (a subnet, %any, a
 * DNS name) may be any peer. */
static bool
addr_is_host(const char *a)
{
	uint8_t buf[16];

	return inet_pton(AF_INET, a, buf) == 1 ||
	       inet_pton(AF_INET6, a, buf) == 1;
}

/*
 * The PSKs as the check looks them up: a hub with a PSK per peer would
 * otherwise try every PSK for every connection. IDs without patterns go
 * into a hash, lowercased (id_match() ignores case); the PSKs that may fit
 * more than one name (no ids, %any, a pattern) are tried one by one.
 */
struct psk_index {
	char **slot; /* lowercased plain ids; at most half full */
	size_t cap;  /* a power of two */
	size_t n;
	size_t *open; /* secrets tried one by one */
	size_t n_open;
};

static uint32_t
hash_lower(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (uint8_t)tolower((unsigned char)*s)) * 16777619u;
	return h;
}

static bool
index_has(const struct psk_index *x, const char *id)
{
	size_t i, mask = x->cap - 1;

	if (x->n == 0)
		return false;
	for (i = hash_lower(id) & mask; x->slot[i] != NULL; i = (i + 1) & mask)
		if (strcasecmp(x->slot[i], id) == 0)
			return true;
	return false;
}

static int
index_add(struct psk_index *x, const char *id)
{
	size_t i, mask = x->cap - 1;

	if (index_has(x, id))
		return 0;
	for (i = hash_lower(id) & mask; x->slot[i] != NULL; i = (i + 1) & mask)
		;
	x->slot[i] = strdup(id);
	if (x->slot[i] == NULL)
		return -1;
	x->n++;
	return 0;
}

static void
index_free(struct psk_index *x)
{
	size_t i;

	for (i = 0; x->slot != NULL && i < x->cap; i++)
		free(x->slot[i]);
	free(x->slot);
	free(x->open);
}

static int
index_build(const struct charond_check *ck, struct psk_index *x)
{
	struct charond_secret_view p = {.size = sizeof(p)};
	size_t i, j, ids = 0, n;
	bool open;

	memset(x, 0, sizeof(*x));
	for (n = 0; ck->secret(ck, "psk", n, &p) == 0; n++)
		ids += p.n_ids;
	for (x->cap = 16; x->cap < 2 * ids + 2; x->cap *= 2)
		;
	x->slot = calloc(x->cap, sizeof(*x->slot));
	x->open = calloc(n + 1, sizeof(*x->open));
	if (x->slot == NULL || x->open == NULL)
		return -1;
	for (i = 0; i < n && ck->secret(ck, "psk", i, &p) == 0; i++) {
		if (p.secret == NULL)
			continue;
		open = p.n_ids == 0;
		for (j = 0; j < p.n_ids; j++) {
			if (id_is_pattern(p.ids[j]))
				open = true;
			else if (index_add(x, p.ids[j]) < 0)
				return -1;
		}
		if (open)
			x->open[x->n_open++] = i;
	}
	return 0;
}

/* Whether a PSK with a pattern could be the one for a side: its ids name
 * the side's ID, or (without an ID) one of its addresses. A side whose
 * identity is open may match anything. */
static bool
fits_side(const struct charond_secret_view *p, const struct charond_end_view *e,
	  const char *const *addrs, size_t n)
{
	size_t i, j;

	if (e->id != NULL) {
		if (id_is_open(e->id))
			return true;
		for (j = 0; j < p->n_ids; j++)
			if (id_match(p->ids[j], e->id))
				return true;
		return false;
	}
	for (i = 0; i < n; i++) {
		if (!addr_is_host(addrs[i]))
			return true;
		for (j = 0; j < p->n_ids; j++)
			if (id_match(p->ids[j], addrs[i]))
				return true;
	}
	return false;
}

static bool
fits(const struct charond_secret_view *p, const struct charond_conn_view *c)
{
	size_t j;

	if (p->n_ids == 0)
		return true;
	for (j = 0; j < p->n_ids; j++)
		if (strcmp(p->ids[j], "%any") == 0)
			return true;
	return fits_side(p, &c->local, c->local_addrs, c->n_local_addrs) ||
	       fits_side(p, &c->remote, c->remote_addrs, c->n_remote_addrs);
}

/* fits_side() over every PSK with a plain id at once. */
static bool
side_known(const struct psk_index *x, const struct charond_end_view *e,
	   const char *const *addrs, size_t n)
{
	size_t i;

	if (e->id != NULL)
		return id_is_open(e->id) || index_has(x, e->id);
	for (i = 0; i < n; i++)
		if (!addr_is_host(addrs[i]) || index_has(x, addrs[i]))
			return true;
	return false;
}

static bool
found(const struct charond_check *ck, const struct psk_index *x,
      const struct charond_conn_view *c)
{
	struct charond_secret_view p = {.size = sizeof(p)};
	size_t i;

	for (i = 0; i < x->n_open; i++)
		if (ck->secret(ck, "psk", x->open[i], &p) == 0 && fits(&p, c))
			return true;
	return x->n > 0 &&
	       (side_known(x, &c->local, c->local_addrs, c->n_local_addrs) ||
		side_known(x, &c->remote, c->remote_addrs, c->n_remote_addrs));
}

static void
check_conn(const struct charond_check *ck, const struct psk_index *x,
	   const struct charond_conn_view *c)
{
	const char *side;

	if (strcmp(c->local.auth, "psk") == 0 &&
	    (c->local.n_certs > 0 || c->local.key != NULL))
		ck->report(ck, CHAROND_WARNING, c->name, NULL,
			   c->local.n_certs > 0 ? "local.certs" : "local.key",
			   "certificates and keys are not used with psk "
			   "authentication");
	if (strcmp(c->local.auth, "psk") == 0)
		side = "local.auth";
	else if (strcmp(c->remote.auth, "psk") == 0)
		side = "remote.auth";
	else
		return;
	if (found(ck, x, c))
		return;
	if (c->local.id != NULL && c->remote.id != NULL)
		ck->report(ck, CHAROND_ERROR, c->name, NULL, side,
			   "connection '%s' uses psk authentication, but no "
			   "PSK in secrets matches its IDs (%s, %s)",
			   c->name, c->local.id, c->remote.id);
	else
		ck->report(ck, CHAROND_ERROR, c->name, NULL, side,
			   "connection '%s' uses psk authentication, but no "
			   "PSK in secrets matches it",
			   c->name);
}

static int
psk_check(const struct charond_check *ck)
{
	struct charond_conn_view c = {.size = sizeof(c)};
	struct psk_index x;
	size_t i;
	int rc = 0;

	if (index_build(ck, &x) < 0)
		rc = -1;
	for (i = 0; rc == 0 && ck->conn_at(ck, i, &c) == 0; i++)
		check_conn(ck, &x, &c);
	index_free(&x);
	return rc;
}

const struct charond_plugin charond_plugin = {
    .abi = CHAROND_PLUGIN_ABI,
    .name = "psk",
    .version = "0.1.0",
    .provides = "auth:psk",
    .requires = "",
    .keys = NULL,
    .init = psk_init,
    .fini = NULL,
    .check = psk_check,
};
