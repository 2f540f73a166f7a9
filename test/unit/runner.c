/* SPDX-License-Identifier: ISC */
/*
 * The one Check runner of every unit test binary. Each binary's suites are
 * the `NAME_suite(void)` functions defined in its directory (test/unit/,
 * test/unit/charond/, test/unit/ctl/, test/unit/xfrm/), listed by the
 * Makefile in that directory's generated suites.h, which the include path
 * picks: this file is compiled once per binary.
 */
#include <stdlib.h>

#include <check.h>

#define X(name) Suite *name(void);
#include "suites.h"
#undef X

int
main(void)
{
	SRunner *sr = srunner_create(NULL);
	int failed;

#define X(name) srunner_add_suite(sr, name());
#include "suites.h"
#undef X
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
