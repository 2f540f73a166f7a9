/* SPDX-License-Identifier: ISC */
/*
 * The psk plugin: authentication with pre-shared keys (RFC 7296 2.15).
 * It picks the secret from the configuration's `secrets: psk` list that
 * best fits the two identities (both listed beats one listed beats a
 * secret without ids, which fits any peer: L2TP/IPsec servers need that,
 * Windows sends its private address as its identity). It sees the
 * configuration only through charond_api: the secrets by api->secret()
 * and the connection's remote ID, while the peer's is unknown, by
 * api->conn().
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

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
	const struct secret *psk = find_psk(r);

	if (!psk) {
		api->log(IKE_LOG_ERROR, "psk",
			 "no pre-shared key for connection '%s'", r->conn);
		return -1;
	}
	*method = IKEV2_AUTH_SHARED_KEY_MIC;
	return ike_psk_auth(r->prf, psk, r->octets, out, len);
}

static int
psk_verify(void *state, const struct ike_auth_req *r, uint8_t method,
	   struct bytes data, char *why, size_t why_len)
{
	const struct secret *psk;

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

const struct charond_plugin charond_plugin = {
    .abi = CHAROND_PLUGIN_ABI,
    .name = "psk",
    .version = "0.1.0",
    .provides = "auth:psk",
    .requires = "",
    .keys = NULL,
    .init = psk_init,
    .fini = NULL,
};
