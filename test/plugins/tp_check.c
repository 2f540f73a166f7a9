/* SPDX-License-Identifier: ISC */
/*
 * A test plugin with a config check (test/e2e/plugin-loader.sh): each
 * connection's `tp_verdict` says what its check reports, a warning or an
 * error at that key, and a child's `tp_note` a warning at the child's key.
 * Its init logs how many configs it checked, which shows the check ran
 * before it.
 */
#include <stdio.h>
#include <string.h>

#include "plugin.h"

static const char *const verdicts[] = {"fine", "fair", "poor", NULL};

static const struct charond_config_key keys[] = {
    {CHAROND_SCOPE_CONN, "tp_verdict", CHAROND_T_ENUM, verdicts, 0, 0,
     "fair: a warning, poor: an error"},
    {CHAROND_SCOPE_CHILD, "tp_note", CHAROND_T_STRING, NULL, 0, 0,
     "a warning with this text"},
    {0, NULL, 0, NULL, 0, 0, NULL},
};

static unsigned checks;

static void
check_children(const struct charond_check *ck,
	       const struct charond_conn_view *c)
{
	struct charond_value note;
	size_t i;

	for (i = 0; i < c->n_children; i++)
		if (ck->value(ck, CHAROND_SCOPE_CHILD, c->name, c->children[i],
			      "tp_note", &note) == 0 &&
		    note.set)
			ck->report(ck, CHAROND_WARNING, c->name, c->children[i],
				   "tp_note", "child '%s' of '%s': %s",
				   c->children[i], c->name, note.u.s);
}

static int
tp_check(const struct charond_check *ck)
{
	struct charond_conn_view c = {.size = sizeof(c)};
	struct charond_value v;
	size_t i;

	checks++;
	for (i = 0; ck->conn_at(ck, i, &c) == 0; i++) {
		check_children(ck, &c);
		if (ck->value(ck, CHAROND_SCOPE_CONN, c.name, NULL,
			      "tp_verdict", &v) < 0 ||
		    !v.set || v.u.choice == 0)
			continue;
		ck->report(ck,
			   v.u.choice == 1 ? CHAROND_WARNING : CHAROND_ERROR,
			   c.name, NULL, "tp_verdict",
			   "connection '%s' (auth %s) is %s", c.name,
			   c.local.auth, verdicts[v.u.choice]);
	}
	return 0;
}

static int
tp_init(const struct charond_api *api, void **state, char *why, size_t why_len)
{
	*state = NULL;
	api->log(IKE_LOG_INFO, "tp_check", "started after %u check%s", checks,
		 checks == 1 ? "" : "s");
	return 0;
}

const struct charond_plugin charond_plugin = {
    .abi = CHAROND_PLUGIN_ABI,
    .name = "tp_check",
    .version = "1.0",
    .provides = "check",
    .requires = "",
    .keys = keys,
    .init = tp_init,
    .check = tp_check,
};
