/* SPDX-License-Identifier: ISC */
/* A test plugin claiming plugin ABI 1. */
#include "plugin.h"

const struct charond_plugin charond_plugin = {
    .abi = 1,
    .name = "tp_oldabi",
    .version = "1.0",
    .provides = "",
    .requires = "",
};
