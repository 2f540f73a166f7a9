/* SPDX-License-Identifier: ISC */
/*
 * The runner of the plugin hooks' unit tests: every `NAME_suite(void)` defined
 * in test/unit/plugin/ is listed in the generated suites.h and run here.
 */
#include <stdlib.h>

#include <check.h>

#include "tests.h"

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
