/* SPDX-License-Identifier: ISC */
/* What the plugin hooks' unit tests share: the list of their suites. */
#ifndef TEST_PLUGIN_TESTS_H
#define TEST_PLUGIN_TESTS_H

#include <check.h>

#define X(name) Suite *name(void);
#include "suites.h"
#undef X

#endif
