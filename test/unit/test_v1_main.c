/* SPDX-License-Identifier: ISC */
/*
 * IKEv1 Main Mode with a pre-shared key between two engines (moon the
 * initiator, sun the responder) through the fake network of
 * engine_harness.c: the six messages, wrong keys, loss, duplicates,
 * garbage and messages out of order, and the timers that end every
 * state.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "engine_harness.h"
#include "ike_int.h"
#include "testutil.h"

#define WRONG_PSK_I "peer's HASH_I does not verify: wrong pre-shared key?"

/* moon and sun with connection "site" of the given IKE version on each
 * side (moon initiates). */
static void
setup_v1(const char *ike, const char *psk_m, const char *psk_s, uint8_t ver_m,
	 uint8_t ver_s)
{
	static struct ike_conn_cfg c;

	setup_pair(ike, "aes128-sha256", ike, "aes128-sha256", false, psk_m,
		   psk_s);
	conn_cfg(&c, &moon, &sun, ike, "aes128-sha256", false);
	c.version = ver_m;
	ck_assert_int_eq(ike_engine_set_conns(moon.e, &c, 1, now), 0);
	conn_cfg(&c, &sun, &moon, ike, "aes128-sha256", false);
	c.version = ver_s;
	ck_assert_int_eq(ike_engine_set_conns(sun.e, &c, 1, now), 0);
}

/* Deliver the first queued datagram (or drop it). */
static void
step(bool deliver)
{
	struct datagram d;
	struct host *to;

	ck_assert_uint_gt(q_len, 0);
	d = queue[0];
	memmove(queue, queue + 1, (q_len - 1) * sizeof(queue[0]));
	q_len--;
	if (!deliver)
		return;
	to = host_at(&d.to);
	ike_input(to->e, now, &d.to, &d.from, d.data, d.len);
}

struct sa_view {
	unsigned n;
	uint8_t version;
	char state[16];
	char proposal[160];
};

static void
view_cb(void *ctx, const struct ike_sa_info *in)
{
	struct sa_view *v = ctx;

	v->n++;
	v->version = in->version;
	snprintf(v->state, sizeof(v->state), "%s", in->state);
	snprintf(v->proposal, sizeof(v->proposal), "%s", in->proposal);
}

/* Both ends up: the same keys, the ISAKMP SA listed as version 1. */
static void
assert_up(void)
{
	struct ike_sa *m = first_sa(&moon), *s = first_sa(&sun);
	struct sa_view v = {0};

	ck_assert(has_event(&moon, IKE_EV_IKE_UP));
	ck_assert(has_event(&sun, IKE_EV_IKE_UP));
	ck_assert(!has_event(&moon, IKE_EV_CHILD_UP));
	ck_assert_ptr_nonnull(m);
	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(m->version, 1);
	ck_assert_uint_eq(m->state, IKE_SA_ESTABLISHED);
	ck_assert_uint_eq(s->state, IKE_SA_ESTABLISHED);
	ck_assert_mem_eq(m->spi_i, s->spi_i, 8);
	ck_assert_mem_eq(m->spi_r, s->spi_r, 8);
	ck_assert_uint_eq(m->v1.keys.skeyid_e->len, s->v1.keys.skeyid_e->len);
	ck_assert_mem_eq(m->v1.keys.skeyid_e->ptr, s->v1.keys.skeyid_e->ptr,
			 m->v1.keys.skeyid_e->len);
	ck_assert_mem_eq(m->v1.keys.skeyid_d->ptr, s->v1.keys.skeyid_d->ptr,
			 m->v1.keys.skeyid_d->len);
	/* The handshake's leftovers are gone. */
	ck_assert_ptr_null(m->v1.hs);
	ck_assert_ptr_null(s->v1.hs);
	ck_assert_uint_eq(ike_list_sas(moon.e, NULL, view_cb, &v), 1);
	ck_assert_uint_eq(v.version, 1);
	ck_assert_str_eq(v.state, "ESTABLISHED");
	ck_assert_uint_eq(sun.n_inst, 0); /* no Quick Mode yet */
}

static void
run_suite(const char *ike, const char *want_prop)
{
	struct sa_view v = {0};

	setup_v1(ike, "secret", "secret", 1, 1);
	ck_assert_uint_gt(ike_initiate(moon.e, now, "site", NULL), 0);
	pump();
	assert_up();
	ck_assert_uint_eq(sent_total, 6); /* six messages, no retransmit */
	ike_list_sas(sun.e, NULL, view_cb, &v);
	ck_assert_str_eq(v.proposal, want_prop);
	teardown_pair();
}

START_TEST(main_mode_aes128_sha256_modp2048)
{
	run_suite("aes128-sha256-modp2048", "aes128-sha256-modp2048");
}
END_TEST

START_TEST(main_mode_3des_sha1_modp1024)
{
	run_suite("3des-sha1-modp1024", "3des-sha1-modp1024");
}
END_TEST

/* The negotiated lifetime ends the ISAKMP SA on both sides when nothing
 * replaced it (here every datagram after Main Mode is lost, moon's new
 * phase 1 included), so none outlives it. */
START_TEST(lifetime_ends_the_isakmp_sa)
{
	unsigned i;

	setup_v1("aes128-sha256-modp2048", "k", "k", 1, 1);
	sun.watch = moon.watch = "is over and nothing replaced it";
	ck_assert_uint_gt(ike_initiate(moon.e, now, "site", NULL), 0);
	pump();
	assert_up();
	ck_assert_uint_gt(first_sa(&sun)->v1.life_s, 0);
	drop_next = 1000;
	for (i = 0; i < 80 && (moon.e->n_sas || sun.e->n_sas); i++) {
		advance();
		pump();
	}
	drop_next = 0;
	ck_assert_uint_eq(moon.e->n_sas, 0);
	ck_assert_uint_eq(sun.e->n_sas, 0);
	ck_assert_uint_eq(sun.logs_with, 1);
	ck_assert_uint_eq(moon.logs_with, 1);
	teardown_pair();
}
END_TEST

/* A responder connection for either version (0) answers Main Mode
 * when it has no children (there is no Quick Mode yet). */
START_TEST(either_version_responder)
{
	static struct ike_conn_cfg c;

	setup_v1("aes256-sha256-modp2048", "k", "k", 1, 0);
	conn_cfg(&c, &sun, &moon, "aes256-sha256-modp2048", "aes128-sha256",
		 false);
	c.version = 0;
	c.n_children = 0;
	ck_assert_int_eq(ike_engine_set_conns(sun.e, &c, 1, now), 0);
	ck_assert_uint_gt(ike_initiate(moon.e, now, "site", NULL), 0);
	pump();
	assert_up();
	teardown_pair();
}
END_TEST

/* With children too, a version 0 connection answers Main Mode. */
START_TEST(either_version_with_children_answers_main_mode)
{
	setup_v1("aes256-sha256-modp2048", "k", "k", 1, 0);
	ck_assert_uint_gt(ike_initiate(moon.e, now, "site", NULL), 0);
	pump();
	assert_up();
	teardown_pair();
}
END_TEST

/* An IKEv2-only responder has nothing for Main Mode: it stays silent
 * and the initiator gives up on its timer. */
START_TEST(v2_only_responder_ignores_main_mode)
{
	unsigned i;

	setup_v1("aes128-sha256-modp2048", "k", "k", 1, 2);
	ck_assert_uint_gt(ike_initiate(moon.e, now, "site", NULL), 0);
	pump();
	ck_assert_uint_eq(sun.e->n_sas, 0);
	for (i = 0; i < 20 && !has_event(&moon, IKE_EV_FAILED); i++) {
		advance();
		pump();
	}
	ck_assert(has_event(&moon, IKE_EV_FAILED));
	teardown_pair();
}
END_TEST

/* Different keys: the responder's one line, AUTHENTICATION-FAILED to
 * the initiator, no IKE_UP anywhere, both SAs gone. */
START_TEST(wrong_psk_fails_on_both_sides)
{
	setup_v1("aes128-sha256-modp2048", "right", "wrong", 1, 1);
	sun.watch = WRONG_PSK_I;
	moon.watch = "wrong pre-shared key?";
	ck_assert_uint_gt(ike_initiate(moon.e, now, "site", NULL), 0);
	pump();
	ck_assert_uint_eq(sun.logs_with, 1);
	ck_assert_uint_eq(moon.logs_with, 1);
	ck_assert(!has_event(&moon, IKE_EV_IKE_UP));
	ck_assert(!has_event(&sun, IKE_EV_IKE_UP));
	ck_assert(has_event(&sun, IKE_EV_AUTH_FAILED));
	ck_assert(has_event(&moon, IKE_EV_AUTH_FAILED));
	ck_assert_uint_eq(sent_total, 6); /* 5 messages and the notify */
	ike_tick(moon.e, now);
	ike_tick(sun.e, now);
	ck_assert_uint_eq(moon.e->n_sas, 0);
	ck_assert_uint_eq(sun.e->n_sas, 0);
	teardown_pair();
}
END_TEST

/* Each of the six messages lost once: the initiator retransmits its
 * last one, the responder answers from its cache, and both come up. */
START_TEST(each_message_lost_once)
{
	unsigned lose = (unsigned)_i, k = 0, i;

	setup_v1("aes128-sha256-modp2048", "s", "s", 1, 1);
	sun.watch = "resending our answer";
	ck_assert_uint_gt(ike_initiate(moon.e, now, "site", NULL), 0);
	for (i = 0; i < 40 && !(has_event(&moon, IKE_EV_IKE_UP) &&
				has_event(&sun, IKE_EV_IKE_UP));
	     i++) {
		while (q_len)
			step(k++ != lose);
		if (!(has_event(&moon, IKE_EV_IKE_UP) &&
		      has_event(&sun, IKE_EV_IKE_UP)))
			advance();
	}
	assert_up();
	/* An answer lost: the retransmitted request got the cached one. */
	ck_assert_uint_eq(sun.logs_with, lose % 2 == 1 ? 1 : 0);
	teardown_pair();
}
END_TEST

/* Every message delivered twice: the duplicates are answered from the
 * cache or dropped, and one SA comes up on each side. */
START_TEST(every_message_duplicated)
{
	unsigned i;

	setup_v1("aes128-sha256-modp2048", "s", "s", 1, 1);
	ck_assert_uint_gt(ike_initiate(moon.e, now, "site", NULL), 0);
	for (i = 0; i < 50 && q_len; i++) {
		struct datagram d = queue[0];
		struct host *to = host_at(&d.to);

		ike_input(to->e, now, &d.to, &d.from, d.data, d.len);
		step(true);
	}
	ck_assert_uint_eq(q_len, 0);
	assert_up();
	ck_assert_uint_eq(moon.e->n_sas, 1);
	ck_assert_uint_eq(sun.e->n_sas, 1);
	teardown_pair();
}
END_TEST

/* Message 5 garbled on the way (_i 0: flipped ciphertext, 1: cut to no
 * whole block): to the responder that is a wrong key; one line, the SA
 * killed, the initiator told. */
START_TEST(garbage_message_5)
{
	unsigned i;

	setup_v1("aes128-sha256-modp2048", "s", "s", 1, 1);
	sun.watch = WRONG_PSK_I;
	ck_assert_uint_gt(ike_initiate(moon.e, now, "site", NULL), 0);
	for (i = 0; i < 4; i++)
		step(true);
	ck_assert_uint_eq(q_len, 1); /* message 5 */
	ck_assert_uint_eq(queue[0].data[19] & IKEV1_FLAG_ENCRYPTION, 1);
	if (_i == 0) {
		queue[0].data[queue[0].len - 20] ^= 0x5a;
		queue[0].data[40] ^= 0xa5;
	} else {
		queue[0].len -= 3;
		queue[0].data[27] = (uint8_t)queue[0].len;
	}
	step(true);
	ck_assert_uint_eq(sun.logs_with, 1);
	ck_assert(has_event(&sun, IKE_EV_AUTH_FAILED));
	ck_assert(!has_event(&sun, IKE_EV_IKE_UP));
	pump();
	ck_assert(has_event(&moon, IKE_EV_AUTH_FAILED));
	ck_assert(!has_event(&moon, IKE_EV_IKE_UP));
	teardown_pair();
}
END_TEST

/* Out of order: a message 3 for cookies no message 1 made is dropped
 * without state or answer; message 5 while message 3 is awaited is
 * dropped with a line and the exchange goes on. */
START_TEST(messages_out_of_order)
{
	struct ike_stats st;
	struct datagram mm1, mm3;
	unsigned i;

	setup_v1("aes128-sha256-modp2048", "s", "s", 1, 1);
	ck_assert_uint_gt(ike_initiate(moon.e, now, "site", NULL), 0);
	mm1 = queue[0];
	step(true);
	step(true); /* message 2 to moon; message 3 queued */
	mm3 = queue[0];
	q_len = 0;
	/* A message 3 under another responder cookie: no SA of sun's. */
	mm3.data[8] ^= 0xff;
	ike_input(sun.e, now, &mm3.to, &mm3.from, mm3.data, mm3.len);
	ck_assert_uint_eq(q_len, 0);
	ike_engine_stats(sun.e, &st);
	ck_assert_uint_eq(st.drops[IKE_DROP_UNKNOWN_SA], 1);
	ck_assert_uint_eq(sun.e->n_sas, 1);
	mm3.data[8] ^= 0xff;
	/* Message 1 again, changed: not a retransmission, dropped. */
	mm1.data[mm1.len - 1] ^= 1;
	ike_input(sun.e, now, &mm1.to, &mm1.from, mm1.data, mm1.len);
	ck_assert_uint_eq(q_len, 0);
	/* An encrypted message while message 3 is awaited. */
	mm3.data[19] |= IKEV1_FLAG_ENCRYPTION;
	sun.watch = "while waiting for message 3";
	ike_input(sun.e, now, &mm3.to, &mm3.from, mm3.data, mm3.len);
	ck_assert_uint_eq(q_len, 0);
	ck_assert_uint_eq(sun.logs_with, 1);
	mm3.data[19] &= (uint8_t)~IKEV1_FLAG_ENCRYPTION;
	/* The real message 3: on with the exchange. */
	ike_input(sun.e, now, &mm3.to, &mm3.from, mm3.data, mm3.len);
	for (i = 0; i < 10 && q_len; i++)
		step(true);
	assert_up();
	/* A message of Main Mode after it ended, not a retransmission. */
	sun.watch = "past Main Mode";
	sun.logs_with = 0;
	ike_input(sun.e, now, &mm3.to, &mm3.from, mm3.data, mm3.len);
	ck_assert_uint_eq(sun.logs_with, 1);
	ck_assert_uint_eq(q_len, 0);
	teardown_pair();
}
END_TEST

/* Timers end every state: a silent responder makes the initiator
 * retransmit with back-off and fail; a silent initiator leaves the
 * responder's half-open SA to expire. */
START_TEST(timers_end_every_state)
{
	uint64_t t0, gaps[8];
	unsigned i, n = 0;

	setup_v1("aes128-sha256-modp2048", "s", "s", 1, 1);
	ike_engine_set_retransmit(moon.e, 1000, 2.0, 3);
	ck_assert_uint_gt(ike_initiate(moon.e, now, "site", NULL), 0);
	step(true); /* message 1 to sun */
	step(true); /* message 2 to moon: message 3 queued */
	q_len = 0;
	t0 = now;
	for (i = 0; i < 10 && !has_event(&moon, IKE_EV_FAILED); i++) {
		advance();
		if (q_len) {
			ck_assert_uint_lt(n, 8);
			gaps[n++] = now - t0;
			t0 = now;
			q_len = 0; /* lost again */
		}
	}
	ck_assert(has_event(&moon, IKE_EV_FAILED));
	ck_assert_uint_eq(n, 3); /* three retransmits of message 3 */
	ck_assert_uint_eq(gaps[0], 1000);
	ck_assert_uint_eq(gaps[1], 2000);
	ck_assert_uint_eq(gaps[2], 4000);
	/* sun: half-open since message 1, dropped on its timer. */
	sun.watch = "peer never completed Main Mode";
	for (i = 0; i < 10 && sun.e->n_sas; i++)
		advance();
	ck_assert_uint_eq(sun.logs_with, 1);
	ck_assert_uint_eq(sun.e->n_sas, 0);
	ck_assert(!has_event(&sun, IKE_EV_IKE_UP));
	teardown_pair();
}
END_TEST

/* terminate deletes the ISAKMP SA with IKE_DOWN (and sends the peer a
 * DELETE, which test_v1_info.c follows). */
START_TEST(terminate_deletes_the_isakmp_sa)
{
	unsigned id;

	setup_v1("aes128-sha256-modp2048", "s", "s", 1, 1);
	id = ike_initiate(moon.e, now, "site", NULL);
	pump();
	assert_up();
	ck_assert_uint_eq(q_len, 0);
	ck_assert_int_eq(ike_terminate(moon.e, now, id), 0);
	ck_assert(has_event(&moon, IKE_EV_IKE_DOWN));
	ck_assert_uint_eq(q_len, 1); /* the DELETE */
	ike_tick(moon.e, now);
	ck_assert_uint_eq(moon.e->n_sas, 0);
	teardown_pair();
}
END_TEST

/* The responder chooses among several offered transforms by our order,
 * and an initiator offering nothing it accepts hears NO-PROPOSAL-CHOSEN. */
START_TEST(proposal_choice_and_refusal)
{
	static struct ike_conn_cfg c;
	struct sa_view v = {0};

	setup_v1("aes128-sha256-modp2048", "s", "s", 1, 1);
	conn_cfg(&c, &moon, &sun, "aes256-sha1-modp1024", "aes128-sha256",
		 false);
	c.version = 1;
	c.n_proposals = 2;
	prop(&c.proposals[1], "aes128-sha256-modp2048", IKEV2_PROTO_IKE);
	ck_assert_int_eq(ike_engine_set_conns(moon.e, &c, 1, now), 0);
	ck_assert_uint_gt(ike_initiate(moon.e, now, "site", NULL), 0);
	pump();
	assert_up();
	ike_list_sas(moon.e, NULL, view_cb, &v);
	ck_assert_str_eq(v.proposal, "aes128-sha256-modp2048");
	teardown_pair();

	setup_v1("aes128-sha256-modp2048", "s", "s", 1, 1);
	conn_cfg(&c, &moon, &sun, "3des-md5-modp1024", "aes128-sha256", false);
	c.version = 1;
	ck_assert_int_eq(ike_engine_set_conns(moon.e, &c, 1, now), 0);
	moon.watch = "NO-PROPOSAL-CHOSEN";
	ck_assert_uint_gt(ike_initiate(moon.e, now, "site", NULL), 0);
	pump();
	ck_assert_uint_eq(moon.logs_with, 1);
	ck_assert(has_event(&moon, IKE_EV_FAILED));
	ck_assert_uint_eq(sun.e->n_sas, 1); /* dead, freed at the tick */
	ike_tick(sun.e, now);
	ck_assert_uint_eq(sun.e->n_sas, 0);
	teardown_pair();
}
END_TEST

/* An IKEv2 message (major 2) under an ISAKMP SA's cookies, from the
 * peer's address: IKEv2's input must not take the IKEv1 SA for one of
 * its own (the union holds IKEv1 state there). The simulation's
 * adversary found it: a cross-SA IKE_AUTH with SKF on an ISAKMP SA. */
static void
v2_under_v1_cookies(struct host *to, struct host *from, const struct ike_sa *sa,
		    uint8_t exchange, uint8_t np, bool initiator)
{
	uint8_t pkt[28 + 4 + 96];

	memset(pkt, 0x5a, sizeof(pkt));
	memcpy(pkt, sa->spi_i, 8);
	memcpy(pkt + 8, sa->spi_r, 8);
	pkt[16] = np;
	pkt[17] = 0x20;
	pkt[18] = exchange;
	pkt[19] = initiator ? IKEV2_FLAG_INITIATOR : IKEV2_FLAG_RESPONSE;
	memset(pkt + 20, 0, 4);
	pkt[23] = 1;
	memset(pkt + 24, 0, 4);
	pkt[27] = sizeof(pkt);
	pkt[28] = 0; /* the payload: next none, length */
	pkt[29] = 0;
	pkt[30] = 0;
	pkt[31] = sizeof(pkt) - 28;
	if (np == IKEV2_PL_SKF) { /* fragment 1 of 2 */
		memcpy(pkt + 32, "\0\1\0\2", 4);
	}
	ike_input(to->e, now, &to->addr, &from->addr, pkt, sizeof(pkt));
}

START_TEST(v2_message_on_isakmp_sa_dropped)
{
	static const uint8_t np[] = {IKEV2_PL_SK, IKEV2_PL_SKF};
	static const uint8_t exch[] = {IKEV2_EXCH_IKE_AUTH,
				       IKEV2_EXCH_INFORMATIONAL,
				       IKEV2_EXCH_CREATE_CHILD_SA};
	struct ike_stats st;
	unsigned i, j;

	setup_v1("aes128-sha256-modp2048", "s", "s", 1, 1);
	ck_assert_uint_gt(ike_initiate(moon.e, now, "site", NULL), 0);
	pump();
	assert_up();
	for (i = 0; i < 2; i++)
		for (j = 0; j < 3; j++) {
			v2_under_v1_cookies(&sun, &moon, first_sa(&sun),
					    exch[j], np[i], true);
			v2_under_v1_cookies(&moon, &sun, first_sa(&moon),
					    exch[j], np[i], false);
		}
	ike_engine_stats(sun.e, &st);
	ck_assert_uint_eq(st.drops[IKE_DROP_UNKNOWN_SA], 6);
	ike_engine_stats(moon.e, &st);
	ck_assert_uint_eq(st.drops[IKE_DROP_UNKNOWN_SA], 6);
	ck_assert_uint_eq(q_len, 0);
	ck_assert_uint_eq(first_sa(&sun)->state, IKE_SA_ESTABLISHED);
	ck_assert_uint_eq(first_sa(&moon)->state, IKE_SA_ESTABLISHED);
	teardown_pair();
}
END_TEST

Suite *
v1_main_suite(void)
{
	Suite *s = suite_create("v1_main");
	TCase *tc = tcase_create("main_mode");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, main_mode_aes128_sha256_modp2048);
	tcase_add_test(tc, main_mode_3des_sha1_modp1024);
	tcase_add_test(tc, either_version_responder);
	tcase_add_test(tc, lifetime_ends_the_isakmp_sa);
	tcase_add_test(tc, either_version_with_children_answers_main_mode);
	tcase_add_test(tc, v2_only_responder_ignores_main_mode);
	tcase_add_test(tc, wrong_psk_fails_on_both_sides);
	tcase_add_loop_test(tc, each_message_lost_once, 0, 6);
	tcase_add_test(tc, every_message_duplicated);
	tcase_add_loop_test(tc, garbage_message_5, 0, 2);
	tcase_add_test(tc, messages_out_of_order);
	tcase_add_test(tc, timers_end_every_state);
	tcase_add_test(tc, terminate_deletes_the_isakmp_sa);
	tcase_add_test(tc, proposal_choice_and_refusal);
	tcase_add_test(tc, v2_message_on_isakmp_sa_dropped);
	suite_add_tcase(s, tc);
	return s;
}
