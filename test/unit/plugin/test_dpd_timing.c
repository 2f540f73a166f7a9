/* SPDX-License-Identifier: ISC */
/*
 * The dpd plugin's clock arithmetic (plugins/dpd/dpd_timing.c), compiled
 * in here: a plugin is built alone, and this part needs nothing of it.
 */
#include <check.h>

#include "../../../plugins/dpd/dpd_timing.c"
#include "tests.h"

/* Silence is waited out to the end of delay, not polled. */
START_TEST(dpd_waits_for_delay)
{
	struct dpd_timing t = {.delay = 30000, .timeout = 150000};
	uint64_t next = 0;

	ck_assert_int_eq(dpd_step(&t, 1000, 1000, &next), DPD_WAIT);
	ck_assert_uint_eq(next, 30000);
	ck_assert_int_eq(dpd_step(&t, 21000, 1000, &next), DPD_WAIT);
	ck_assert_uint_eq(next, 10000);
	/* Heard meanwhile: the wait starts from then. */
	ck_assert_int_eq(dpd_step(&t, 31000, 25000, &next), DPD_WAIT);
	ck_assert_uint_eq(next, 24000);
	ck_assert_int_eq(dpd_step(&t, 31000, 1000, &next), DPD_ASK);
	ck_assert_uint_eq(next, 30000);
}
END_TEST

/* An unanswered check: dead at timeout, looked at every delay meanwhile;
 * an answer (anything heard since) clears it. */
START_TEST(dpd_timeout_after_check)
{
	struct dpd_timing t = {.delay = 10000, .timeout = 25000};
	uint64_t next = 0;

	ck_assert_int_eq(dpd_step(&t, 11000, 1000, &next), DPD_ASK);
	t.asked = 11000;
	ck_assert_int_eq(dpd_step(&t, 21000, 1000, &next), DPD_WAIT);
	ck_assert_uint_eq(next, 10000);
	ck_assert_int_eq(dpd_step(&t, 31000, 1000, &next), DPD_WAIT);
	ck_assert_uint_eq(next, 5000);
	ck_assert_int_eq(dpd_step(&t, 36000, 1000, &next), DPD_DEAD);

	t.asked = 11000;
	ck_assert_int_eq(dpd_step(&t, 21000, 11040, &next), DPD_WAIT);
	ck_assert_uint_eq(t.asked, 0);
	ck_assert_uint_eq(next, 40);
	/* Heard before the check went out is no answer. */
	t.asked = 11000;
	ck_assert_int_eq(dpd_step(&t, 21000, 10999, &next), DPD_WAIT);
	ck_assert_uint_eq(t.asked, 11000);
}
END_TEST

/* A timeout shorter than delay: the next look is at the timeout. */
START_TEST(dpd_short_timeout)
{
	struct dpd_timing t = {.delay = 10000, .timeout = 3000};
	uint64_t next = 0;

	ck_assert_int_eq(dpd_step(&t, 10000, 0, &next), DPD_ASK);
	ck_assert_uint_eq(next, 3000);
	t.asked = 10000;
	ck_assert_int_eq(dpd_step(&t, 12000, 0, &next), DPD_WAIT);
	ck_assert_uint_eq(next, 1000);
	ck_assert_int_eq(dpd_step(&t, 13000, 0, &next), DPD_DEAD);
}
END_TEST

Suite *
dpd_timing_suite(void)
{
	Suite *s = suite_create("dpd_timing");
	TCase *tc = tcase_create("timing");

	tcase_add_test(tc, dpd_waits_for_delay);
	tcase_add_test(tc, dpd_timeout_after_check);
	tcase_add_test(tc, dpd_short_timeout);
	suite_add_tcase(s, tc);
	return s;
}
