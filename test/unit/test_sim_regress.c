/* SPDX-License-Identifier: ISC */
/*
 * What the deterministic simulation (test/sim) found or needed, pinned down
 * with the two-engine harness: each test names the seed that showed it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "engine_harness.h"
#include "ike_int.h"
#include "testutil.h"

#define SUITE_OK "aes128gcm16-prfsha256-ecp256", "aes128gcm16"

static unsigned
established(const struct host *h)
{
	const struct ike_sa *sa;
	unsigned n = 0;

	for (sa = h->e->sas; sa; sa = sa->next)
		n += sa->state == IKE_SA_ESTABLISHED;
	return n;
}

/* ike_liveness: an empty INFORMATIONAL the peer answers, and which kills
 * the IKE SA (and its CHILD SAs) when it goes unanswered. */
START_TEST(liveness_answered_then_unanswered)
{
	unsigned id, i;

	setup_pair(SUITE_OK, SUITE_OK, false, "k", "k");
	bring_up();
	id = moon.e->sas->id;
	ck_assert_int_eq(ike_liveness(moon.e, now, id), 0);
	/* One exchange at a time (window one). */
	ck_assert_int_eq(ike_liveness(moon.e, now, id), -1);
	ck_assert_uint_eq(q_len, 1);
	pump();
	ck_assert_ptr_null(moon.e->sas->req.msg);
	ck_assert_uint_eq(established(&moon), 1);
	ck_assert_uint_eq(live(&moon), 1);

	/* sun forgets the SA without a word: moon finds out. */
	ike_engine_free(sun.e);
	sun.e = host_engine(&sun, NULL);
	ck_assert_int_eq(ike_liveness(moon.e, now, id), 0);
	for (i = 0; i < 20 && established(&moon); i++) {
		q_len = 0;
		advance();
	}
	ck_assert_uint_eq(established(&moon), 0);
	ck_assert_uint_eq(live(&moon), 0);
	ck_assert(has_event(&moon, IKE_EV_IKE_DOWN));
	ck_assert_int_eq(ike_liveness(moon.e, now, id), -1);
	teardown_pair();
}
END_TEST

Suite *
sim_regress_suite(void)
{
	Suite *s = suite_create("sim_regress");
	TCase *tc = tcase_create("findings");

	tcase_add_test(tc, liveness_answered_then_unanswered);
	suite_add_tcase(s, tc);
	return s;
}
