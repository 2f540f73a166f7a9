/* SPDX-License-Identifier: ISC */
/* A test plugin providing tp_base's auth method a second time. */
#include "plugin.h"

const struct charond_plugin charond_plugin = {
    .abi = CHAROND_PLUGIN_ABI,
    .name = "tp_dupauth",
    .version = "1.0",
    .provides = "auth:tpauth",
    .requires = "",
};
