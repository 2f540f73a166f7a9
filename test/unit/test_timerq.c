/* SPDX-License-Identifier: ISC */
/* The timer heap: whatever the order of inserts, moves and removals, SAs
 * come out by deadline. */
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "ike_int.h"
#include "testutil.h"

#define N 2000

START_TEST(moves_and_removals)
{
	static struct ike_sa sas[N];
	static uint64_t dl[N];
	static bool seen[N];
	struct ike_engine *e = calloc(1, sizeof(*e));
	uint64_t prev = 0;
	unsigned i, popped = 0;
	struct ike_sa *sa;

	ck_assert_ptr_nonnull(e);
	srandom(7);
	for (i = 0; i < N; i++) {
		timerq_init(&sas[i]);
		ck_assert_int_eq(
		    timerq_set(e, &sas[i], (uint64_t)(random() % 100000)), 0);
	}
	for (i = 0; i < N; i += 3) /* move a third */
		timerq_set(e, &sas[i], (uint64_t)(random() % 100000));
	for (i = 1; i < N; i += 3) /* drop a third */
		timerq_set(e, &sas[i], UINT64_MAX);
	for (i = 0; i < N; i++)
		dl[i] = sas[i].deadline;
	while ((sa = timerq_pop_due(e, 50000))) {
		ck_assert_uint_le(dl[sa - sas], 50000);
		ck_assert_uint_ge(dl[sa - sas], prev);
		prev = dl[sa - sas];
		seen[sa - sas] = true;
		popped++;
	}
	ck_assert_uint_gt(timerq_next(e), 50000);
	while ((sa = timerq_pop_due(e, UINT64_MAX - 1))) {
		ck_assert_uint_ge(dl[sa - sas], prev);
		prev = dl[sa - sas];
		seen[sa - sas] = true;
		popped++;
	}
	for (i = 1; i < N; i += 3)
		ck_assert(!seen[i]);
	ck_assert_uint_eq(popped, N - (N + 1) / 3);
	ck_assert_uint_eq(timerq_next(e), UINT64_MAX);
	free(e->heap);
	free(e);
}
END_TEST

START_TEST(order_is_exact)
{
	static struct ike_sa sas[N];
	struct ike_engine *e = calloc(1, sizeof(*e));
	uint64_t want[N], prev = 0;
	unsigned i, n = 0;
	struct ike_sa *sa;

	srandom(11);
	for (i = 0; i < N; i++) {
		timerq_init(&sas[i]);
		timerq_set(e, &sas[i], (uint64_t)(random() % 1000));
	}
	for (i = 0; i < N; i += 2) /* move every other one later */
		timerq_set(e, &sas[i], 1000 + (uint64_t)(random() % 1000));
	for (i = 0; i < N; i++)
		want[i] = sas[i].deadline;
	while ((sa = timerq_pop_due(e, UINT64_MAX - 1))) {
		uint64_t d = want[sa - sas];

		ck_assert_uint_ge(d, prev);
		prev = d;
		n++;
	}
	ck_assert_uint_eq(n, N);
	free(e->heap);
	free(e);
}
END_TEST

Suite *
timerq_suite(void)
{
	Suite *s = suite_create("timerq");
	TCase *tc = tcase_create("heap");

	tcase_add_test(tc, moves_and_removals);
	tcase_add_test(tc, order_is_exact);
	suite_add_tcase(s, tc);
	return s;
}
