/* SPDX-License-Identifier: ISC */
/* A test plugin requiring what no plugin provides. */
#include "plugin.h"

const struct charond_plugin charond_plugin = {
    .abi = CHAROND_PLUGIN_ABI,
    .name = "tp_missing",
    .version = "1.0",
    .provides = "",
    .requires = "base nothing-here",
};
