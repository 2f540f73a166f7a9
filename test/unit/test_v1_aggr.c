/* SPDX-License-Identifier: ISC */
/*
 * IKEv1 Aggressive Mode with a pre-shared key between two engines (moon
 * the initiator, sun the responder) through the fake network of
 * engine_harness.c: refused without `aggressive` on sun's connection (no
 * state, no answer, one line), the three messages with it, wrong keys,
 * a garbled message 3, malformed messages 1, retransmissions and the
 * half-open timer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "engine_harness.h"
#include "ike_int.h"
#include "testutil.h"

#define REFUSED "peer 192.0.2.1 offered IKEv1 Aggressive Mode: refused, "

/* moon's and sun's connection "site", IKEv1; moon's initiates with
 * Aggressive Mode, sun's allows it when sun_aggr. */
static void
setup_aggr(const char *ike, const char *psk_m, const char *psk_s, bool sun_aggr,
	   uint8_t sun_version)
{
	static struct ike_conn_cfg c;

	setup_pair(ike, "aes128-sha256", ike, "aes128-sha256", false, psk_m,
		   psk_s);
	conn_cfg(&c, &moon, &sun, ike, "aes128-sha256", false);
	c.version = 1;
	c.n_children = 0;
	c.aggressive = true;
	ck_assert_int_eq(ike_engine_set_conns(moon.e, &c, 1, now), 0);
	conn_cfg(&c, &sun, &moon, ike, "aes128-sha256", false);
	c.version = sun_version;
	c.n_children = 0;
	c.aggressive = sun_aggr;
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

/* Both ends up with the same keys, nothing of the handshake left. */
static void
assert_up(void)
{
	struct ike_sa *m = first_sa(&moon), *s = first_sa(&sun);

	ck_assert(has_event(&moon, IKE_EV_IKE_UP));
	ck_assert(has_event(&sun, IKE_EV_IKE_UP));
	ck_assert_ptr_nonnull(m);
	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(m->state, IKE_SA_ESTABLISHED);
	ck_assert_uint_eq(s->state, IKE_SA_ESTABLISHED);
	ck_assert(m->v1.aggr && s->v1.aggr);
	ck_assert_mem_eq(m->spi_i, s->spi_i, 8);
	ck_assert_mem_eq(m->spi_r, s->spi_r, 8);
	ck_assert_uint_eq(m->v1.keys.skeyid_e->len, s->v1.keys.skeyid_e->len);
	ck_assert_mem_eq(m->v1.keys.skeyid_e->ptr, s->v1.keys.skeyid_e->ptr,
			 m->v1.keys.skeyid_e->len);
	ck_assert_mem_eq(m->v1.keys.skeyid_d->ptr, s->v1.keys.skeyid_d->ptr,
			 m->v1.keys.skeyid_d->len);
	ck_assert_uint_eq(m->v1.keys.enc_key->len, s->v1.keys.enc_key->len);
	ck_assert_mem_eq(m->v1.keys.enc_key->ptr, s->v1.keys.enc_key->ptr,
			 m->v1.keys.enc_key->len);
	ck_assert_ptr_null(s->v1.hs);
	ck_assert_ptr_null(s->v1.hs);
	ck_assert_ptr_null(m->v1.hs);
	/* Each knows the other's identity: sun's from message 1. */
	ck_assert_uint_ne(s->peer_id.type, 0);
	ck_assert_uint_gt(s->peer_id.data.len, 0);
	ck_assert_uint_ne(m->peer_id.type, 0);
	ck_assert_uint_gt(m->peer_id.data.len, 0);
	ck_assert_uint_eq(moon.e->n_half_open + sun.e->n_half_open, 0);
}

/* Without `aggressive` on sun's connection: one line naming moon and
 * the connection that could allow it, no SA, no answer; moon
 * retransmits and gives up. */
START_TEST(refused_without_the_key)
{
	struct ike_stats st;
	unsigned i, sent;

	setup_aggr("aes128-sha256-modp2048", "k", "k", false, 1);
	sun.watch = REFUSED "its PSK hash could be cracked offline "
			    "(aggressive: yes on connection 'site' allows it)";
	ck_assert_uint_gt(ike_initiate(moon.e, now, "site", NULL), 0);
	ck_assert_uint_eq(q_len, 1);
	ck_assert_uint_eq(queue[0].data[18], IKEV1_EXCH_AGGRESSIVE);
	step(true);
	ck_assert_uint_eq(q_len, 0);
	ck_assert_uint_eq(sun.e->n_sas, 0);
	ck_assert_uint_eq(sun.e->n_half_open, 0);
	ck_assert_uint_eq(sun.logs_with, 1);
	/* Its retransmissions cost sun nothing either. */
	for (i = 0; i < 20 && !has_event(&moon, IKE_EV_FAILED); i++) {
		advance();
		pump();
	}
	ck_assert(has_event(&moon, IKE_EV_FAILED));
	ck_assert_uint_eq(sun.e->n_sas, 0);
	ck_assert_uint_ge(sun.logs_with, 1);
	sent = sent_total;
	ike_tick(sun.e, now);
	ck_assert_uint_eq(sun.n_freed, 0); /* none was ever made */
	ck_assert_uint_gt(sent, 1);
	ike_engine_stats(sun.e, &st);
	ck_assert_uint_eq(st.half_open, 0);
	ck_assert(!has_event(&sun, IKE_EV_IKE_UP));
	teardown_pair();
}
END_TEST

/* An IKEv2-only responder has no connection that could allow it: the
 * line says so instead of naming one. */
START_TEST(refused_without_an_ikev1_connection)
{
	setup_aggr("aes128-sha256-modp2048", "k", "k", true, 2);
	sun.watch = REFUSED "no IKEv1 connection is configured for it";
	ck_assert_uint_gt(ike_initiate(moon.e, now, "site", NULL), 0);
	step(true);
	ck_assert_uint_eq(q_len, 0);
	ck_assert_uint_eq(sun.e->n_sas, 0);
	ck_assert_uint_eq(sun.logs_with, 1);
	teardown_pair();
}
END_TEST

static void
run_suite(const char *ike)
{
	struct ike_sa *s;

	setup_aggr(ike, "secret", "secret", true, 1);
	sun.watch = "ISAKMP SA established (Aggressive Mode)";
	moon.watch = "ISAKMP SA established (Aggressive Mode)";
	ck_assert_uint_gt(ike_initiate(moon.e, now, "site", NULL), 0);
	pump();
	assert_up();
	ck_assert_uint_eq(sent_total, 3); /* three messages, no retransmit */
	ck_assert_uint_eq(sun.logs_with, 1);
	ck_assert_uint_eq(moon.logs_with, 1);
	/* sun knew moon's ID when it asked for SKEYID: the PSK can be
	 * chosen by it. moon asks by its connection, as in Main Mode. */
	ck_assert(sun.skeyid_by_id);
	ck_assert(!moon.skeyid_by_id);
	s = first_sa(&sun);
	ck_assert_ptr_nonnull(s->ike_prop);
	teardown_pair();
}

START_TEST(accepted_aes128_sha256_modp2048)
{
	run_suite("aes128-sha256-modp2048");
}
END_TEST

START_TEST(accepted_3des_sha1_modp1024)
{
	run_suite("3des-sha1-modp1024");
}
END_TEST

/* A version 0 responder connection with the key answers too. */
START_TEST(accepted_by_either_version_connection)
{
	setup_aggr("aes256-sha256-modp3072", "s", "s", true, 0);
	ck_assert_uint_gt(ike_initiate(moon.e, now, "site", NULL), 0);
	pump();
	assert_up();
	teardown_pair();
}
END_TEST

/* Main Mode still comes up with `aggressive` on the responder: the key
 * allows Aggressive Mode, it does not forbid Main Mode. */
START_TEST(main_mode_still_answered)
{
	static struct ike_conn_cfg c;

	setup_aggr("aes128-sha256-modp2048", "s", "s", true, 1);
	conn_cfg(&c, &moon, &sun, "aes128-sha256-modp2048", "aes128-sha256",
		 false);
	c.version = 1;
	c.n_children = 0;
	ck_assert_int_eq(ike_engine_set_conns(moon.e, &c, 1, now), 0);
	ck_assert_uint_gt(ike_initiate(moon.e, now, "site", NULL), 0);
	pump();
	ck_assert(has_event(&sun, IKE_EV_IKE_UP));
	ck_assert(has_event(&moon, IKE_EV_IKE_UP));
	ck_assert(!first_sa(&sun)->v1.aggr);
	ck_assert(!sun.skeyid_by_id); /* Main Mode does not know it yet */
	ck_assert_uint_eq(sent_total, 6);
	teardown_pair();
}
END_TEST

/* Different keys: moon finds HASH_R wrong and ends its SA without
 * sending message 3; sun's half-open SA ends on its timer. */
START_TEST(wrong_psk)
{
	unsigned i;

	setup_aggr("aes128-sha256-modp2048", "right", "wrong", true, 1);
	moon.watch = "peer's HASH_R does not verify: wrong pre-shared key?";
	ck_assert_uint_gt(ike_initiate(moon.e, now, "site", NULL), 0);
	pump();
	ck_assert_uint_eq(moon.logs_with, 1);
	ck_assert(has_event(&moon, IKE_EV_AUTH_FAILED));
	ck_assert(!has_event(&moon, IKE_EV_IKE_UP));
	ck_assert(!has_event(&sun, IKE_EV_IKE_UP));
	ck_assert_uint_eq(sent_total, 2);
	ck_assert_uint_eq(sun.e->n_half_open, 1);
	sun.watch = "peer never completed Aggressive Mode";
	for (i = 0; i < 10 && sun.e->n_sas; i++)
		advance();
	ck_assert_uint_eq(sun.logs_with, 1);
	ck_assert_uint_eq(sun.e->n_sas, 0);
	ck_assert_uint_eq(sun.e->n_half_open, 0);
	ike_tick(moon.e, now);
	ck_assert_uint_eq(moon.e->n_sas, 0);
	teardown_pair();
}
END_TEST

/* Message 3 garbled (_i 0: ciphertext flipped, 1: HASH_I sent in the
 * clear but wrong): to sun a wrong key, Main Mode's line, the SA
 * killed, AUTHENTICATION-FAILED sent. */
START_TEST(bad_hash_i)
{
	struct ike_sa *m;

	setup_aggr("aes128-sha256-modp2048", "s", "s", true, 1);
	sun.watch = "peer's HASH_I does not verify: wrong pre-shared key?";
	ck_assert_uint_gt(ike_initiate(moon.e, now, "site", NULL), 0);
	step(true);
	step(true);
	ck_assert_uint_eq(q_len, 1); /* message 3 */
	ck_assert_uint_eq(queue[0].data[19] & IKEV1_FLAG_ENCRYPTION, 1);
	if (_i == 0) {
		queue[0].data[queue[0].len - 1] ^= 0x5a;
	} else {
		/* HDR, HASH of the right length but the wrong value, in
		 * the clear as RFC 2409 5.4 draws message 3. */
		struct msg_builder b;
		struct ike_hdr h;
		struct pld_v1_data hash;
		uint8_t zero[V1_HASH_MAX] = {0};

		m = first_sa(&moon);
		hash.data = (struct bytes){zero, m->v1.suite.prf->out_len};
		msg_v1_hdr_init(&h, m->spi_i, m->spi_r, IKEV1_EXCH_AGGRESSIVE,
				0, 0);
		msg_build_init(&b, queue[0].data, sizeof(queue[0].data), &h);
		pld_v1_hash_put(&b, &hash);
		queue[0].len = msg_build_finish(&b);
		ck_assert_uint_gt(queue[0].len, 0);
	}
	step(true);
	ck_assert_uint_eq(sun.logs_with, 1);
	ck_assert(has_event(&sun, IKE_EV_AUTH_FAILED));
	ck_assert(!has_event(&sun, IKE_EV_IKE_UP));
	ck_assert_uint_eq(q_len, 1); /* the unprotected notify */
	ck_assert_uint_eq(queue[0].data[18], IKEV1_EXCH_INFORMATIONAL);
	ike_tick(sun.e, now);
	ck_assert_uint_eq(sun.e->n_sas, 0);
	ck_assert_uint_eq(sun.e->n_half_open, 0);
	teardown_pair();
}
END_TEST

/* HASH_I in the clear and right (RFC 2409 5.4's drawing): accepted.
 * moon's handshake values are gone once it sent message 3, so HASH_I
 * comes from sun's (the accepted_* tests prove both compute it alike). */
START_TEST(clear_message_3_accepted)
{
	struct ike_sa *s;
	struct msg_builder b;
	struct ike_hdr h;
	struct pld_v1_data hash;
	uint8_t mac[V1_HASH_MAX];

	setup_aggr("aes128-sha256-modp2048", "s", "s", true, 1);
	ck_assert_uint_gt(ike_initiate(moon.e, now, "site", NULL), 0);
	step(true);
	step(true);
	ck_assert_uint_eq(q_len, 1);
	s = first_sa(&sun);
	ck_assert_int_eq(v1_hash_auth(s, false, s->v1.hs->idb, mac), 0);
	hash.data = (struct bytes){mac, s->v1.suite.prf->out_len};
	msg_v1_hdr_init(&h, s->spi_i, s->spi_r, IKEV1_EXCH_AGGRESSIVE, 0, 0);
	msg_build_init(&b, queue[0].data, sizeof(queue[0].data), &h);
	pld_v1_hash_put(&b, &hash);
	queue[0].len = msg_build_finish(&b);
	step(true);
	ck_assert(has_event(&sun, IKE_EV_IKE_UP));
	teardown_pair();
}
END_TEST

/* moon's message 1 rebuilt without payloads of type `skip` (0: none,
 * the type changed otherwise), into d. */
static void
rebuild_without(struct datagram *d, uint8_t skip)
{
	struct msg_v1 *m = calloc(1, sizeof(*m));
	struct ike_err err = {0};
	uint8_t buf[4096];
	struct msg_builder b;
	struct ike_hdr h;
	unsigned i;

	ck_assert_ptr_nonnull(m);
	ck_assert_int_eq(msg_v1_frame(d->data, d->len, m, &err), 0);
	msg_v1_hdr_init(&h, m->hdr.spi_i, NULL, IKEV1_EXCH_AGGRESSIVE, 0, 0);
	msg_build_init(&b, buf, sizeof(buf), &h);
	for (i = 0; i < m->n; i++) {
		if (m->pl[i].type == skip)
			continue;
		msg_pld_begin(&b, m->pl[i].type, false);
		wbuf_bytes(&b.w, m->pl[i].body);
		msg_pld_end(&b);
	}
	d->len = msg_build_finish(&b);
	ck_assert_uint_gt(d->len, 0);
	memcpy(d->data, buf, d->len);
	free(m);
}

/* Message 1 without its SA, KE, Nonce or ID (_i), or with a KE of no
 * offered group's length: dropped (or refused) without state. */
START_TEST(malformed_message_1)
{
	static const uint8_t skip[] = {IKEV1_PL_SA, IKEV1_PL_KE, IKEV1_PL_NONCE,
				       IKEV1_PL_ID};
	struct ike_stats st;

	setup_aggr("aes128-sha256-modp2048", "s", "s", true, 1);
	ck_assert_uint_gt(ike_initiate(moon.e, now, "site", NULL), 0);
	ck_assert_uint_eq(q_len, 1);
	rebuild_without(&queue[0], skip[_i]);
	step(true);
	ck_assert_uint_eq(q_len, 0);
	ck_assert_uint_eq(sun.e->n_sas, 0);
	ike_engine_stats(sun.e, &st);
	ck_assert_uint_eq(st.drops[IKE_DROP_BAD_INIT], 1);
	ike_tick(sun.e, now);
	ck_assert_uint_eq(sun.n_freed, 0);
	teardown_pair();
}
END_TEST

/* A KE of another group's length than the one offered: no transform
 * fits it, NO-PROPOSAL-CHOSEN and the SA gone before any DH. */
START_TEST(ke_of_another_group)
{
	struct datagram *d;
	struct msg_v1 *m = calloc(1, sizeof(*m));
	struct ike_err err = {0};
	uint8_t buf[4096];
	struct msg_builder b;
	struct ike_hdr h;
	unsigned i;

	ck_assert_ptr_nonnull(m);
	setup_aggr("aes128-sha256-modp2048", "s", "s", true, 1);
	sun.watch = "does not fit the 128-byte KE payload";
	ck_assert_uint_gt(ike_initiate(moon.e, now, "site", NULL), 0);
	d = &queue[0];
	ck_assert_int_eq(msg_v1_frame(d->data, d->len, m, &err), 0);
	msg_v1_hdr_init(&h, m->hdr.spi_i, NULL, IKEV1_EXCH_AGGRESSIVE, 0, 0);
	msg_build_init(&b, buf, sizeof(buf), &h);
	for (i = 0; i < m->n; i++) {
		msg_pld_begin(&b, m->pl[i].type, false);
		/* A modp1024 size KE where modp2048 was offered. */
		wbuf_put(&b.w, m->pl[i].body.ptr,
			 m->pl[i].type == IKEV1_PL_KE ? 128
						      : m->pl[i].body.len);
		msg_pld_end(&b);
	}
	d->len = msg_build_finish(&b);
	memcpy(d->data, buf, d->len);
	free(m);
	step(true);
	ck_assert_uint_eq(sun.logs_with, 1);
	ck_assert_uint_eq(q_len, 1);
	ck_assert_uint_eq(queue[0].data[18], IKEV1_EXCH_INFORMATIONAL);
	ike_tick(sun.e, now);
	ck_assert_uint_eq(sun.e->n_sas, 0);
	teardown_pair();
}
END_TEST

/* Message 2 lost: moon retransmits message 1, sun answers from its
 * cache (the same message 2, no second DH), and both come up. */
START_TEST(message_2_lost_answered_from_cache)
{
	uint8_t first[4096];
	size_t first_len;

	setup_aggr("aes128-sha256-modp2048", "s", "s", true, 1);
	sun.watch = "resending our answer";
	ck_assert_uint_gt(ike_initiate(moon.e, now, "site", NULL), 0);
	step(true);
	ck_assert_uint_eq(q_len, 1);
	first_len = queue[0].len;
	memcpy(first, queue[0].data, first_len);
	step(false); /* message 2 lost */
	advance();   /* moon retransmits message 1 */
	ck_assert_uint_eq(q_len, 1);
	step(true);
	ck_assert_uint_eq(sun.logs_with, 1);
	ck_assert_uint_eq(q_len, 1);
	ck_assert_uint_eq(queue[0].len, first_len);
	ck_assert_mem_eq(queue[0].data, first, first_len);
	ck_assert_uint_eq(sun.e->n_sas, 1);
	pump();
	assert_up();
	teardown_pair();
}
END_TEST

/* Half-open limits count Aggressive Mode as they count Main Mode: with
 * block_threshold 1, a second message 1 from moon's address is refused
 * while the first SA is half-open. */
START_TEST(half_open_limit_applies)
{
	struct ike_limits lim;
	struct ike_stats st;

	setup_aggr("aes128-sha256-modp2048", "s", "s", true, 1);
	ike_limits_default(&lim);
	lim.block_threshold = 1;
	ike_engine_set_limits(sun.e, &lim);
	ck_assert_uint_gt(ike_initiate(moon.e, now, "site", NULL), 0);
	ck_assert_uint_gt(ike_initiate(moon.e, now, "site", NULL), 0);
	ck_assert_uint_eq(q_len, 2);
	step(true);
	step(true);
	ck_assert_uint_eq(sun.e->n_sas, 1);
	ike_engine_stats(sun.e, &st);
	ck_assert_uint_eq(st.drops[IKE_DROP_HALF_OPEN], 1);
	teardown_pair();
}
END_TEST

/* A peer identity other than the connection's remote ID: dropped at
 * message 1, before any state or key. */
START_TEST(other_identity_refused)
{
	static struct ike_conn_cfg c;
	static uint8_t want[] = "carol.example.org";

	setup_aggr("aes128-sha256-modp2048", "s", "s", true, 1);
	conn_cfg(&c, &sun, &moon, "aes128-sha256-modp2048", "aes128-sha256",
		 false);
	c.version = 1;
	c.n_children = 0;
	c.aggressive = true;
	c.remote_id.type = IKEV1_ID_FQDN;
	c.remote_id.data = want;
	c.remote_id.len = sizeof(want) - 1;
	ck_assert_int_eq(ike_engine_set_conns(sun.e, &c, 1, now), 0);
	sun.watch = "not the one configured for 'site'";
	ck_assert_uint_gt(ike_initiate(moon.e, now, "site", NULL), 0);
	step(true);
	ck_assert_uint_eq(q_len, 0);
	ck_assert_uint_eq(sun.e->n_sas, 0);
	ck_assert_uint_eq(sun.logs_with, 1);
	teardown_pair();
}
END_TEST

/* moon offers the first proposal's group alone (its KE goes with the
 * offer): a responder that accepts only moon's second group refuses
 * with NO-PROPOSAL-CHOSEN, which ends moon's attempt at once. */
START_TEST(one_group_offered)
{
	static struct ike_conn_cfg c;

	setup_aggr("aes128-sha256-modp1024", "s", "s", true, 1);
	conn_cfg(&c, &moon, &sun, "aes128-sha256-modp2048", "aes128-sha256",
		 false);
	c.version = 1;
	c.n_children = 0;
	c.aggressive = true;
	c.n_proposals = 2;
	prop(&c.proposals[1], "aes128-sha256-modp1024", IKEV2_PROTO_IKE);
	ck_assert_int_eq(ike_engine_set_conns(moon.e, &c, 1, now), 0);
	moon.watch = "Aggressive Mode offers group 14 alone";
	ck_assert_uint_gt(ike_initiate(moon.e, now, "site", NULL), 0);
	ck_assert_uint_eq(moon.logs_with, 1);
	moon.watch = "peer refused our Aggressive Mode (NO-PROPOSAL-CHOSEN)";
	moon.logs_with = 0;
	pump();
	ck_assert_uint_eq(moon.logs_with, 1);
	ck_assert(has_event(&moon, IKE_EV_FAILED));
	ck_assert_uint_eq(sent_total, 2); /* message 1 and the notify */
	ike_tick(sun.e, now);
	ck_assert_uint_eq(sun.e->n_sas, 0);
	teardown_pair();
}
END_TEST

Suite *
v1_aggr_suite(void)
{
	Suite *s = suite_create("v1_aggr");
	TCase *tc = tcase_create("aggressive_mode");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, refused_without_the_key);
	tcase_add_test(tc, refused_without_an_ikev1_connection);
	tcase_add_test(tc, accepted_aes128_sha256_modp2048);
	tcase_add_test(tc, accepted_3des_sha1_modp1024);
	tcase_add_test(tc, accepted_by_either_version_connection);
	tcase_add_test(tc, main_mode_still_answered);
	tcase_add_test(tc, wrong_psk);
	tcase_add_loop_test(tc, bad_hash_i, 0, 2);
	tcase_add_test(tc, clear_message_3_accepted);
	tcase_add_loop_test(tc, malformed_message_1, 0, 4);
	tcase_add_test(tc, ke_of_another_group);
	tcase_add_test(tc, message_2_lost_answered_from_cache);
	tcase_add_test(tc, half_open_limit_applies);
	tcase_add_test(tc, other_identity_refused);
	tcase_add_test(tc, one_group_offered);
	suite_add_tcase(s, tc);
	return s;
}
