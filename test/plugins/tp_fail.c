/* SPDX-License-Identifier: ISC */
/*
 * A test plugin whose init fails after registering hooks: it is unloaded
 * with them, and tp_needfail, which requires its auth method, is refused
 * with its reason.
 */
#include <stdio.h>

#include "plugin.h"

static void
ev(void *state, const struct ike_event *e)
{
}

static const struct charond_sa_listener listener = {.event = ev};

static int
fail_init(const struct charond_api *api, void **state, char *why,
	  size_t why_len)
{
	api->add_listener(&listener, NULL);
	api->sa_slot("tp_fail", NULL);
	snprintf(why, why_len, "the test says no");
	return -1;
}

const struct charond_plugin charond_plugin = {
    .abi = CHAROND_PLUGIN_ABI,
    .name = "tp_fail",
    .version = "1.0",
    .provides = "auth:tpfail",
    .requires = "",
    .init = fail_init,
};
