/* SPDX-License-Identifier: ISC */
/* What charond's unit tests share: the list of their suites. */
#ifndef TEST_CHAROND_TESTS_H
#define TEST_CHAROND_TESTS_H

#include <check.h>

#define X(name) Suite *name(void);
#include "suites.h"
#undef X

#endif
