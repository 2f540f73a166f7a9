/* SPDX-License-Identifier: ISC */
/*
 * Bugs found by the fuzzers (test/fuzz/), each as the smallest scenario
 * through the public API that showed it, with the two-engine harness.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "engine_harness.h"
#include "ike_int.h"
#include "testutil.h"

#define SUITE_OK "aes128gcm16-prfsha256-ecp256", "aes128gcm16"

/* moon's and sun's "site", with moon rekeying its CHILD SA every
 * child_ms. */
static void
conns_with_child_rekey(uint64_t child_ms)
{
	static struct ike_conn_cfg c;

	conn_cfg(&c, &moon, &sun, SUITE_OK, false);
	c.children[0].start = true;
	c.children[0].rekey_ms = child_ms;
	ck_assert_int_eq(ike_engine_set_conns(moon.e, &c, 1, now), 0);
	conn_cfg(&c, &sun, &moon, SUITE_OK, false);
	ck_assert_int_eq(ike_engine_set_conns(sun.e, &c, 1, now), 0);
}

/* fuzz_session: a CHILD SA due for rekeying while a request of ours is in
 * flight made ike_tick spin for ever (the SA was re-armed at its overdue
 * rekey time, popped, skipped, re-armed...). The rekey must wait for the
 * exchange in flight, then happen. */
START_TEST(child_rekey_due_during_exchange_waits)
{
	struct ike_sa *ms;
	uint64_t next;

	setup_pair(SUITE_OK, SUITE_OK, false, "x", "x");
	conns_with_child_rekey(60000);
	bring_up();
	ms = first_sa(&moon);
	ck_assert_int_eq(ike_rekey(moon.e, now, ms->id), 0);
	ck_assert_uint_eq(q_len, 1);
	now += 60001; /* the child is overdue, the IKE rekey unanswered */
	next = ike_tick(moon.e, now);
	ck_assert_uint_gt(next, now);
	ck_assert(!has_event(&moon, IKE_EV_CHILD_REKEYED));
	/* The IKE SA rekey completes; the CHILD SA rekey follows. */
	pump();
	ck_assert(has_event(&moon, IKE_EV_IKE_REKEYED));
	advance();
	pump();
	ck_assert(has_event(&moon, IKE_EV_CHILD_REKEYED));
	ck_assert(has_event(&sun, IKE_EV_CHILD_REKEYED));
	ck_assert_uint_eq(live(&moon), 1);
	ck_assert_uint_eq(live(&sun), 1);
	teardown_pair();
}
END_TEST

Suite *
fuzz_regress_suite(void)
{
	Suite *s = suite_create("fuzz_regress");
	TCase *tc = tcase_create("found");

	tcase_add_test(tc, child_rekey_due_during_exchange_waits);
	suite_add_tcase(s, tc);
	return s;
}
