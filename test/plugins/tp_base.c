/* SPDX-License-Identifier: ISC */
/*
 * A test plugin (test/e2e/plugin-loader.sh): provides "base" and the auth
 * method "tpauth", declares keys of every scope and type, and at init logs
 * the values of the connection its own `conn` key names, as read through
 * api->value, so the test can see them arrive typed.
 */
#include <stdio.h>
#include <string.h>

#include "plugin.h"

static const char *const modes[] = {"fast", "slow", NULL};

static const struct charond_config_key keys[] = {
    {CHAROND_SCOPE_CONN, "tp.delay", CHAROND_T_DURATION, NULL, 0, 0,
     "a duration in a map"},
    {CHAROND_SCOPE_CONN, "tp.mode", CHAROND_T_ENUM, modes, 0, 0, "an enum"},
    {CHAROND_SCOPE_CONN, "tp_level", CHAROND_T_INT, NULL, 0, 10, "0 to 10"},
    {CHAROND_SCOPE_CHILD, "tp_flag", CHAROND_T_BOOL, NULL, 0, 0, "a bool"},
    {CHAROND_SCOPE_PLUGIN, "conn", CHAROND_T_STRING, NULL, 0, 0,
     "the connection whose values init logs"},
    {CHAROND_SCOPE_PLUGIN, "tags", CHAROND_T_LIST, NULL, 0, 0, "a list"},
    {0, NULL, 0, NULL, 0, 0, NULL},
};

static int
tp_sign(void *state, const struct ike_auth_req *r, uint8_t *method,
	uint8_t *out, size_t *len)
{
	/* Never signs, whatever the version or purpose (ABI 5 fields). */
	(void)r->purpose;
	return -1;
}

static int
tp_verify(void *state, const struct ike_auth_req *r, uint8_t method,
	  struct bytes data, char *why, size_t why_len)
{
	snprintf(why, why_len, "tpauth never verifies");
	return -1;
}

static const struct charond_auth_method tpauth = {
    .name = "tpauth",
    .sign = tp_sign,
    .verify = tp_verify,
};

static int
tp_init(const struct charond_api *api, void **state, char *why, size_t why_len)
{
	struct charond_value conn, tags, delay, mode, level, flag;
	struct charond_conn_view cv = {.size = sizeof(cv)};
	char line[512];
	size_t i, used;

	*state = NULL;
	if (api->add_auth(&tpauth, NULL) < 0) {
		snprintf(why, why_len, "cannot register tpauth");
		return -1;
	}
	if (api->value(CHAROND_SCOPE_PLUGIN, "tp_base", NULL, "conn", &conn) <
		0 ||
	    !conn.set)
		return 0;
	if (api->conn(conn.u.s, &cv) < 0 || cv.n_children == 0) {
		snprintf(why, why_len, "no connection '%s' with a child",
			 conn.u.s);
		return -1;
	}
	if (api->value(CHAROND_SCOPE_PLUGIN, "tp_base", NULL, "tags", &tags) <
		0 ||
	    api->value(CHAROND_SCOPE_CONN, cv.name, NULL, "tp.delay", &delay) <
		0 ||
	    api->value(CHAROND_SCOPE_CONN, cv.name, NULL, "tp.mode", &mode) <
		0 ||
	    api->value(CHAROND_SCOPE_CONN, cv.name, NULL, "tp_level", &level) <
		0 ||
	    api->value(CHAROND_SCOPE_CHILD, cv.name, cv.children[0], "tp_flag",
		       &flag) < 0) {
		snprintf(why, why_len, "a declared key has no value");
		return -1;
	}
	used = (size_t)snprintf(
	    line, sizeof(line),
	    "conn %s auth %s: tp.delay=%llums at %s:%u:%u, tp.mode=%u, "
	    "tp_level=%lld (%s), %s.tp_flag=%s, tags=",
	    cv.name, cv.local.auth, (unsigned long long)delay.u.ms,
	    delay.file ? delay.file : "-", delay.line, delay.col, mode.u.choice,
	    (long long)level.u.i, level.set ? "set" : "unset", cv.children[0],
	    flag.set ? (flag.u.b ? "true" : "false") : "unset");
	for (i = 0; tags.set && i < tags.u.list.n && used < sizeof(line); i++)
		used +=
		    (size_t)snprintf(line + used, sizeof(line) - used, "%s%s",
				     i ? "," : "", tags.u.list.v[i]);
	api->log(IKE_LOG_INFO, "tp_base", "%s", line);
	return 0;
}

const struct charond_plugin charond_plugin = {
    .abi = CHAROND_PLUGIN_ABI,
    .name = "tp_base",
    .version = "1.0",
    .provides = "base auth:tpauth",
    .requires = "",
    .keys = keys,
    .init = tp_init,
};
