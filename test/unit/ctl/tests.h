/* SPDX-License-Identifier: ISC */
/* What the control socket's unit tests share: the list of their suites. */
#ifndef TEST_CTL_TESTS_H
#define TEST_CTL_TESTS_H

#include <check.h>

#define X(name) Suite *name(void);
#include "suites.h"
#undef X

#endif
