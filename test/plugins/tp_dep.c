/* SPDX-License-Identifier: ISC */
/* A test plugin: requires what tp_base provides. */
#include "plugin.h"

static int
dep_init(const struct charond_api *api, void **state, char *why, size_t why_len)
{
	api->log(IKE_LOG_INFO, "tp_dep", "started after base");
	return 0;
}

const struct charond_plugin charond_plugin = {
    .abi = CHAROND_PLUGIN_ABI,
    .name = "tp_dep",
    .version = "1.0",
    .provides = "dep",
    .requires = "base",
    .init = dep_init,
};
