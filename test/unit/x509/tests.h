/* SPDX-License-Identifier: ISC */
/* What the x509 plugin's unit tests share: the list of their suites. */
#ifndef TEST_X509_TESTS_H
#define TEST_X509_TESTS_H

#include <check.h>

#define X(name) Suite *name(void);
#include "suites.h"
#undef X

#endif
