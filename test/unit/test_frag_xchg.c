/* SPDX-License-Identifier: ISC */
/*
 * IKE fragmentation in the exchanges (RFC 7383, v2_frag.c): announced in
 * IKE_SA_INIT, used only when both ends did, a lost fragment recovered by
 * retransmitting them all, a retransmitted first fragment answered from
 * the cache, and a reassembly that straggles given up.
 */
#include <check.h>
#include <string.h>

#include "engine_harness.h"
#include "ike_int.h"
#include "testutil.h"

/* Below the size of IKE_AUTH with a PSK and a CHILD SA. */
#define FRAG_SIZE 200

/* Deliver the first queued datagram. */
static void
step(void)
{
	struct datagram d;
	struct host *to;

	ck_assert_uint_gt(q_len, 0);
	d = queue[0];
	memmove(queue, queue + 1, (q_len - 1) * sizeof(queue[0]));
	q_len--;
	to = host_at(&d.to);
	ike_input(to->e, now, &d.to, &d.from, d.data, d.len);
}

static bool
is_fragment(const struct datagram *d)
{
	struct ike_err e;
	struct msg m;

	return msg_frame(d->data, d->len, &m, &e) == 0 && m.sk >= 0 &&
	       m.pl[m.sk].type == IKEV2_PL_SKF;
}

static void
setup(unsigned moon_size, unsigned sun_size)
{
	setup_pair("aes128gcm16-prfsha256-ecp256", "aes128gcm16",
		   "aes128gcm16-prfsha256-ecp256", "aes128gcm16", false, "s",
		   "s");
	ike_engine_set_fragment_size(moon.e, moon_size);
	ike_engine_set_fragment_size(sun.e, sun_size);
	ck_assert_uint_gt(ike_initiate(moon.e, now, "site", NULL), 0);
	step(); /* IKE_SA_INIT request */
	step(); /* its answer: moon sends IKE_AUTH */
}

START_TEST(ike_auth_in_fragments)
{
	unsigned i, n;

	setup(FRAG_SIZE, FRAG_SIZE);
	n = q_len;
	ck_assert_uint_ge(n, 2);
	for (i = 0; i < n; i++) {
		ck_assert(is_fragment(&queue[i]));
		ck_assert_uint_le(queue[i].len, FRAG_SIZE - 20 - 8 - 4);
	}
	pump();
	ck_assert_msg(has_event(&moon, IKE_EV_CHILD_UP), "moon: %s / sun: %s",
		      moon.last_log, sun.last_log);
	ck_assert(has_event(&sun, IKE_EV_CHILD_UP));
	assert_pair_matches();
	teardown_pair();
}
END_TEST

/* A peer that did not announce it gets whole messages. */
START_TEST(only_when_both_announce)
{
	setup(FRAG_SIZE, 0);
	ck_assert_uint_eq(q_len, 1);
	ck_assert(!is_fragment(&queue[0]));
	pump();
	ck_assert(has_event(&sun, IKE_EV_CHILD_UP));
	teardown_pair();

	setup(0, FRAG_SIZE);
	ck_assert_uint_eq(q_len, 1);
	ck_assert(!is_fragment(&queue[0]));
	pump();
	ck_assert(has_event(&sun, IKE_EV_CHILD_UP));
	teardown_pair();
}
END_TEST

/* 2.6: a lost fragment is recovered by the retransmission of them all. */
START_TEST(lost_fragment_retransmitted)
{
	unsigned n;

	setup(FRAG_SIZE, FRAG_SIZE);
	n = q_len;
	ck_assert_uint_ge(n, 2);
	memmove(queue, queue + 1, (q_len - 1) * sizeof(queue[0]));
	q_len--; /* the first fragment is lost */
	pump();
	ck_assert(!has_event(&sun, IKE_EV_CHILD_UP));
	advance(); /* moon retransmits every fragment */
	ck_assert_uint_eq(q_len, n);
	pump();
	ck_assert(has_event(&moon, IKE_EV_CHILD_UP));
	ck_assert(has_event(&sun, IKE_EV_CHILD_UP));
	teardown_pair();
}
END_TEST

/* 2.6.1: the first fragment of an answered request, again, gets the
 * cached answer (in fragments of its own); the others get nothing. */
START_TEST(retransmitted_first_fragment_answered)
{
	struct datagram frags[8];
	unsigned n, i, before;

	setup(FRAG_SIZE, FRAG_SIZE);
	n = q_len;
	ck_assert_uint_le(n, 8);
	memcpy(frags, queue, n * sizeof(queue[0]));
	for (i = 0; i < n; i++)
		step();
	/* sun answered; drop its answer and replay moon's fragments. */
	before = q_len;
	ck_assert_uint_ge(before, 1);
	q_len = 0;
	for (i = 1; i < n; i++) {
		queue[0] = frags[i];
		q_len = 1;
		step();
		ck_assert_uint_eq(q_len, 0);
	}
	queue[0] = frags[0];
	q_len = 1;
	step();
	ck_assert_uint_eq(q_len, before);
	pump();
	ck_assert(has_event(&moon, IKE_EV_CHILD_UP));
	teardown_pair();
}
END_TEST

/* Fragments more than 30 s apart do not make a message. */
START_TEST(straggling_fragments_dropped)
{
	struct datagram frags[8];
	unsigned n, i;

	setup(FRAG_SIZE, FRAG_SIZE);
	n = q_len;
	ck_assert_uint_ge(n, 2);
	memcpy(frags, queue, n * sizeof(queue[0]));
	q_len = 0;
	queue[0] = frags[0];
	q_len = 1;
	step();
	now += 31 * 1000;
	for (i = 1; i < n; i++) {
		queue[0] = frags[i];
		q_len = 1;
		step();
	}
	ck_assert_uint_eq(q_len, 0); /* no answer: the first was dropped */
	ck_assert(!has_event(&sun, IKE_EV_CHILD_UP));
	teardown_pair();
}
END_TEST

/* IKE_SA_INIT is never fragmented (RFC 7383 2.5), however large: it goes
 * whole, with no attempt to split it and no warning. */
START_TEST(ike_sa_init_never_fragmented)
{
	setup_pair("aes128gcm16-prfsha256-modp2048", "aes128gcm16",
		   "aes128gcm16-prfsha256-modp2048", "aes128gcm16", false, "s",
		   "s");
	ike_engine_set_fragment_size(moon.e, FRAG_SIZE);
	ike_engine_set_fragment_size(sun.e, FRAG_SIZE);
	moon.watch = sun.watch = "could not fragment";
	ck_assert_uint_gt(ike_initiate(moon.e, now, "site", NULL), 0);
	ck_assert_uint_eq(q_len, 1);
	ck_assert_uint_gt(queue[0].len, FRAG_SIZE); /* a 256-byte KE */
	step(); /* sun answers, knowing moon takes fragments */
	ck_assert_uint_eq(q_len, 1);
	ck_assert(!is_fragment(&queue[0]));
	ck_assert_uint_gt(queue[0].len, FRAG_SIZE);
	pump();
	ck_assert_uint_eq(moon.logs_with, 0);
	ck_assert_uint_eq(sun.logs_with, 0);
	ck_assert(has_event(&moon, IKE_EV_CHILD_UP));
	teardown_pair();
}
END_TEST

Suite *
frag_xchg_suite(void)
{
	Suite *s = suite_create("frag_xchg");
	TCase *tc = tcase_create("rfc7383");

	tcase_add_test(tc, ike_auth_in_fragments);
	tcase_add_test(tc, only_when_both_announce);
	tcase_add_test(tc, lost_fragment_retransmitted);
	tcase_add_test(tc, retransmitted_first_fragment_answered);
	tcase_add_test(tc, straggling_fragments_dropped);
	tcase_add_test(tc, ike_sa_init_never_fragmented);
	suite_add_tcase(s, tc);
	return s;
}
