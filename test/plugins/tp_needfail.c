/* SPDX-License-Identifier: ISC */
/* A test plugin requiring what the failing tp_fail provides. */
#include "plugin.h"

const struct charond_plugin charond_plugin = {
    .abi = CHAROND_PLUGIN_ABI,
    .name = "tp_needfail",
    .version = "1.0",
    .provides = "",
    .requires = "auth:tpfail",
};
