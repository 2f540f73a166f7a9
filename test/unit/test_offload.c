/* SPDX-License-Identifier: ISC */
/*
 * A responder whose key exchanges run elsewhere (ike_env.offload, charond's
 * crypto workers): nothing is answered until the job is back, a
 * retransmission meanwhile is not a replay, and an SA that went (or a job
 * that never ran) leaves nothing behind.
 */
#include <check.h>
#include <string.h>

#include "engine_harness.h"
#include "ike_int.h"
#include "testutil.h"

#define IKE_P "aes128gcm16-prfsha256-ecp256"
#define ESP_P "aes128gcm16"

static void
setup_offload(void)
{
	setup_pair(IKE_P, ESP_P, IKE_P, ESP_P, false, "s3cret", "s3cret");
	ike_engine_free(sun.e);
	sun.offload = true;
	sun.e = host_engine(&sun, NULL);
	ck_assert_ptr_nonnull(sun.e);
	host_conns(IKE_P, ESP_P, IKE_P, ESP_P, false);
}

/* moon's IKE_SA_INIT reaches sun, which hands its key exchange over. */
static void
init_to_sun(void)
{
	ck_assert_uint_gt(ike_initiate(moon.e, now, "site", NULL), 0);
	pump();
	ck_assert_uint_eq(sun.n_jobs, 1);
	ck_assert_uint_eq(q_len, 0);
}

static uint64_t
drops(const struct host *h, enum ike_drop d)
{
	struct ike_stats st;

	ike_engine_stats(h->e, &st);
	return st.drops[d];
}

START_TEST(answer_waits_for_the_job)
{
	setup_offload();
	init_to_sun();
	ck_assert_uint_eq(first_sa(&sun)->v2.phase, V2_INIT_KE);
	run_jobs(&sun, true);
	ck_assert_uint_eq(q_len, 1);
	pump();
	ck_assert(has_event(&moon, IKE_EV_IKE_UP));
	ck_assert(has_event(&sun, IKE_EV_IKE_UP));
	ck_assert_uint_eq(live(&moon), 1);
	ck_assert_uint_eq(live(&sun), 1);
	assert_pair_matches();
	teardown_pair();
}
END_TEST

START_TEST(retransmission_while_computing_is_no_replay)
{
	struct datagram req;

	setup_offload();
	ck_assert_uint_gt(ike_initiate(moon.e, now, "site", NULL), 0);
	ck_assert_uint_eq(q_len, 1);
	req = queue[0];
	pump();
	ck_assert_uint_eq(sun.n_jobs, 1);
	/* The same request again: no answer yet, no replay counted, no
	 * second job. */
	ike_input(sun.e, now, &req.to, &req.from, req.data, req.len);
	ck_assert_uint_eq(q_len, 0);
	ck_assert_uint_eq(sun.n_jobs, 1);
	ck_assert_uint_eq(drops(&sun, IKE_DROP_REPLAY), 0);
	run_jobs(&sun, true);
	ck_assert_uint_eq(q_len, 1);
	q_len = 0;
	/* Now it is answered from the cache, byte for byte. */
	ike_input(sun.e, now, &req.to, &req.from, req.data, req.len);
	ck_assert_uint_eq(q_len, 1);
	ck_assert_uint_eq(sun.n_jobs, 0);
	pump();
	ck_assert(has_event(&moon, IKE_EV_IKE_UP));
	teardown_pair();
}
END_TEST

/* Before its answer nobody can know the keys: an encrypted message to
 * the SA is dropped unopened. */
START_TEST(message_to_computing_sa_is_dropped)
{
	const struct ike_sa *sa;
	struct datagram d;

	setup_offload();
	ck_assert_uint_gt(ike_initiate(moon.e, now, "site", NULL), 0);
	d = queue[0];
	pump();
	sa = first_sa(&sun);
	ck_assert_ptr_nonnull(sa);
	memcpy(d.data + 8, sa->spi_r, IKEV2_SPI_LEN);
	d.data[18] = IKEV2_EXCH_IKE_AUTH;
	memset(d.data + 20, 0, 3);
	d.data[23] = 1; /* message ID 1 */
	ike_input(sun.e, now, &d.to, &d.from, d.data, d.len);
	ck_assert_uint_eq(q_len, 0);
	ck_assert_uint_eq(drops(&sun, IKE_DROP_STATE), 1);
	ck_assert_uint_eq(first_sa(&sun)->v2.phase, V2_INIT_KE);
	run_jobs(&sun, true);
	pump();
	ck_assert(has_event(&sun, IKE_EV_IKE_UP));
	teardown_pair();
}
END_TEST

START_TEST(job_back_after_its_sa_expired)
{
	unsigned freed;

	setup_offload();
	init_to_sun();
	moon.n_ev = 0;
	/* Past the half-open limit, with moon's retransmissions lost. */
	drop_next = 1000;
	while (now < 1000 + 60000 && first_sa(&sun))
		advance();
	ck_assert_ptr_null(first_sa(&sun));
	freed = sun.n_freed;
	ck_assert_uint_ge(freed, 1);
	drop_next = 0;
	q_len = 0;
	run_jobs(&sun, true);
	ck_assert_uint_eq(q_len, 0);
	ck_assert_uint_eq(sun.n_freed, freed);
	teardown_pair();
}
END_TEST

START_TEST(unrun_job_fails_its_sa)
{
	setup_offload();
	init_to_sun();
	sun.watch = "was dropped before it ran";
	run_jobs(&sun, false);
	ck_assert_uint_eq(sun.logs_with, 1);
	ck_assert_uint_eq(q_len, 0);
	advance();
	ck_assert_ptr_null(first_sa(&sun));
	teardown_pair();
}
END_TEST

/* The peer's value is checked by the job: a point off the curve gets
 * INVALID_SYNTAX, as inline. */
START_TEST(invalid_peer_value_found_by_the_job)
{
	const struct pld_ref *ke;
	struct datagram d;
	struct ike_err err;
	struct msg m;

	setup_offload();
	ck_assert_uint_gt(ike_initiate(moon.e, now, "site", NULL), 0);
	d = queue[0];
	q_len = 0;
	ck_assert_int_eq(msg_frame(d.data, d.len, &m, &err), 0);
	ke = msg_find(&m, IKEV2_PL_KE, NULL);
	ck_assert_ptr_nonnull(ke);
	/* The last octet of y: (x, y') is not on P-256. */
	d.data[(size_t)(ke->body.ptr - d.data) + ke->body.len - 1] ^= 1;
	ike_input(sun.e, now, &d.to, &d.from, d.data, d.len);
	ck_assert_uint_eq(sun.n_jobs, 1);
	ck_assert_uint_eq(q_len, 0);
	run_jobs(&sun, true);
	only_answer(&m);
	ck_assert_uint_eq(notify_of(&m), IKEV2_N_INVALID_SYNTAX);
	advance();
	ck_assert_ptr_null(first_sa(&sun));
	teardown_pair();
}
END_TEST

Suite *
offload_suite(void)
{
	Suite *s = suite_create("offload");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, answer_waits_for_the_job);
	tcase_add_test(tc, retransmission_while_computing_is_no_replay);
	tcase_add_test(tc, message_to_computing_sa_is_dropped);
	tcase_add_test(tc, job_back_after_its_sa_expired);
	tcase_add_test(tc, unrun_job_fails_its_sa);
	tcase_add_test(tc, invalid_peer_value_found_by_the_job);
	suite_add_tcase(s, tc);
	return s;
}
