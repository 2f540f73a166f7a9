/* SPDX-License-Identifier: ISC */
/*
 * Two engines talking IKEv2 to each other through a fake network, with a
 * fake kernel and a fake clock: every exchange end to end, in one process,
 * including loss, retransmission and failure paths.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "ike.h"
#include "ike_int.h" /* the tests below peek at SK_d and nonces */
#include "testutil.h"

#include "engine_harness.h"

START_TEST(psk_tunnel_gcm_ecp256)
{
	setup_pair("aes128gcm16-prfsha256-ecp256", "aes128gcm16",
		   "aes128gcm16-prfsha256-ecp256", "aes128gcm16", false,
		   "secret", "secret");
	bring_up();
	ck_assert(has_event(&moon, IKE_EV_IKE_UP));
	ck_assert(has_event(&sun, IKE_EV_IKE_UP));
	ck_assert(has_event(&moon, IKE_EV_CHILD_UP));
	ck_assert(has_event(&sun, IKE_EV_CHILD_UP));
	assert_pair_matches();
	ck_assert_uint_eq(moon.inst[0].ci.encr, IKEV2_ENCR_AES_GCM_16);
	ck_assert_uint_eq(moon.inst[0].encr_len, 20); /* key and salt */
	ck_assert(!moon.inst[0].ci.transport);
	ck_assert_uint_eq(sent_total, 4); /* two exchanges, no retransmit */
	teardown_pair();
}
END_TEST

START_TEST(psk_transport_cbc_modp3072)
{
	setup_pair("aes256-sha256-modp3072", "aes256-sha256",
		   "aes256-sha256-modp3072", "aes256-sha256", true, "k", "k");
	bring_up();
	assert_pair_matches();
	ck_assert(moon.inst[0].ci.transport);
	ck_assert_uint_eq(moon.inst[0].ci.integ, IKEV2_INTEG_HMAC_SHA2_256_128);
	ck_assert_uint_eq(moon.inst[0].encr_len, 32);
	teardown_pair();
}
END_TEST

START_TEST(psk_curve25519_and_ecp384)
{
	setup_pair("aes128gcm16-prfsha256-curve25519", "aes128gcm16",
		   "aes128gcm16-prfsha256-curve25519", "aes128gcm16", false,
		   "x", "x");
	bring_up();
	assert_pair_matches();
	teardown_pair();
	setup_pair("aes256gcm16-prfsha384-ecp384", "aes256gcm16",
		   "aes256gcm16-prfsha384-ecp384", "aes256gcm16", false, "x",
		   "x");
	bring_up();
	assert_pair_matches();
	ck_assert_uint_eq(moon.inst[0].encr_len, 36);
	teardown_pair();
}
END_TEST

START_TEST(wrong_psk_fails_cleanly)
{
	setup_pair("aes128gcm16-prfsha256-ecp256", "aes128gcm16",
		   "aes128gcm16-prfsha256-ecp256", "aes128gcm16", false,
		   "right", "wrong");
	sun.watch = "pre-shared keys differ";
	bring_up();
	ck_assert_uint_eq(sun.logs_with, 1);
	ck_assert(has_event(&moon, IKE_EV_AUTH_FAILED));
	ck_assert(has_event(&sun, IKE_EV_AUTH_FAILED));
	ck_assert(!has_event(&moon, IKE_EV_IKE_UP));
	ck_assert_uint_eq(moon.n_inst + sun.n_inst, 0);
	advance();
	ck_assert_uint_eq(ike_next_deadline(moon.e), UINT64_MAX);
	ck_assert_uint_eq(ike_next_deadline(sun.e), UINT64_MAX);
	teardown_pair();
}
END_TEST

START_TEST(proposal_mismatch_explained)
{
	setup_pair("aes128gcm16-prfsha256-ecp256", "aes128gcm16",
		   "aes256-sha512-modp4096", "aes128gcm16", false, "x", "x");
	sun.watch = "peer offered aes128gcm16-prfsha256-ecp256; we accept "
		    "aes256-sha512-modp4096";
	bring_up();
	ck_assert_msg(sun.logs_with == 1, "log: %s", sun.last_log);
	ck_assert(has_event(&moon, IKE_EV_FAILED));
	ck_assert_str_eq(moon.ev_reason[0], "NO_PROPOSAL_CHOSEN");
	ck_assert_uint_eq(moon.n_inst + sun.n_inst, 0);
	teardown_pair();
}
END_TEST

START_TEST(invalid_ke_retry)
{
	setup_pair("aes128gcm16-prfsha256-ecp256-modp3072", "aes128gcm16",
		   "aes128gcm16-prfsha256-modp3072", "aes128gcm16", false, "x",
		   "x");
	moon.watch = "peer asks for group 15";
	bring_up();
	ck_assert_uint_eq(moon.logs_with, 1);
	assert_pair_matches();
	ck_assert_uint_eq(sent_total, 6);
	teardown_pair();
}
END_TEST

/* moon's first request went twice (a retransmission crossing sun's
 * answer): the second INVALID_KE_PAYLOAD names the group moon already
 * switched to, and is stale, not a refusal of it. */
START_TEST(invalid_ke_answered_twice)
{
	struct datagram req, first, late;

	setup_pair("aes128gcm16-prfsha256-ecp256-modp3072", "aes128gcm16",
		   "aes128gcm16-prfsha256-modp3072", "aes128gcm16", false, "x",
		   "x");
	ck_assert_uint_gt(ike_initiate(moon.e, now, "site", NULL), 0);
	req = queue[0];
	q_len = 0;
	ike_input(sun.e, now, &req.to, &req.from, req.data, req.len);
	ike_input(sun.e, now, &req.to, &req.from, req.data, req.len);
	ck_assert_uint_eq(q_len, 2);
	first = queue[0];
	late = queue[1];
	q_len = 0;
	/* The first answer: moon retries with group 15. */
	ike_input(moon.e, now, &first.to, &first.from, first.data, first.len);
	ck_assert_uint_eq(q_len, 1);
	/* The second, late: nothing is sent, nothing ends. */
	ike_input(moon.e, now, &late.to, &late.from, late.data, late.len);
	ck_assert_uint_eq(q_len, 1);
	ck_assert(!has_event(&moon, IKE_EV_FAILED));
	pump();
	ck_assert(has_event(&moon, IKE_EV_IKE_UP));
	assert_pair_matches();
	teardown_pair();
}
END_TEST

START_TEST(lost_auth_response)
{
	struct datagram d;

	setup_pair("aes128gcm16-prfsha256-ecp256", "aes128gcm16",
		   "aes128gcm16-prfsha256-ecp256", "aes128gcm16", false, "x",
		   "x");
	sun.watch = "retransmitted request";
	ck_assert_uint_gt(ike_initiate(moon.e, now, "site", NULL), 0);
	/* init request to sun; sun answers; moon sends IKE_AUTH */
	d = queue[0];
	q_len = 0;
	ike_input(sun.e, now, &d.to, &d.from, d.data, d.len);
	d = queue[0];
	q_len = 0;
	ike_input(moon.e, now, &d.to, &d.from, d.data, d.len);
	d = queue[0];
	q_len = 0;
	ike_input(sun.e, now, &d.to, &d.from, d.data, d.len);
	ck_assert_uint_eq(q_len, 1); /* sun's IKE_AUTH answer... */
	q_len = 0;                   /* ...is lost */
	ck_assert(has_event(&sun, IKE_EV_CHILD_UP));
	ck_assert(!has_event(&moon, IKE_EV_IKE_UP));
	advance(); /* moon retransmits after its timeout */
	ck_assert_uint_eq(now, 1000 + 4000);
	pump();
	ck_assert_uint_eq(sun.logs_with, 1);
	ck_assert(has_event(&moon, IKE_EV_CHILD_UP));
	ck_assert_uint_eq(sun.n_inst, 1); /* computed once, answered twice */
	assert_pair_matches();
	teardown_pair();
}
END_TEST

START_TEST(silent_peer_gives_up_with_backoff)
{
	uint64_t start;
	unsigned tries = 0;

	setup_pair("aes128gcm16-prfsha256-ecp256", "aes128gcm16",
		   "aes128gcm16-prfsha256-ecp256", "aes128gcm16", false, "x",
		   "x");
	ike_engine_set_retransmit(moon.e, 1000, 2.0, 3);
	start = now;
	ck_assert_uint_gt(ike_initiate(moon.e, now, "site", NULL), 0);
	while (!has_event(&moon, IKE_EV_FAILED) && tries++ < 10) {
		q_len = 0; /* sun is unreachable */
		advance();
	}
	ck_assert(has_event(&moon, IKE_EV_FAILED));
	ck_assert_str_eq(moon.ev_reason[0], "peer not responding");
	/* 1 s, then 2, 4, 8: gives up 15 s after the first send */
	ck_assert_uint_eq(now - start, 1000 + 2000 + 4000 + 8000);
	ck_assert_uint_eq(sent_total, 4);
	advance();
	ck_assert_uint_eq(ike_next_deadline(moon.e), UINT64_MAX);
	teardown_pair();
}
END_TEST

START_TEST(terminate_removes_everything)
{
	setup_pair("aes128gcm16-prfsha256-ecp256", "aes128gcm16",
		   "aes128gcm16-prfsha256-ecp256", "aes128gcm16", false, "x",
		   "x");
	bring_up();
	ck_assert_uint_eq(live(&moon) + live(&sun), 2);
	ck_assert_int_eq(ike_terminate(moon.e, now, 1), 0);
	pump();
	advance();
	ck_assert_uint_eq(live(&moon) + live(&sun), 0);
	ck_assert(has_event(&moon, IKE_EV_IKE_DOWN));
	ck_assert(has_event(&sun, IKE_EV_IKE_DOWN));
	ck_assert(has_event(&sun, IKE_EV_CHILD_DOWN));
	ck_assert_uint_eq(ike_next_deadline(moon.e), UINT64_MAX);
	teardown_pair();
}
END_TEST

START_TEST(child_refused_keeps_ike_sa)
{
	setup_pair("aes128gcm16-prfsha256-ecp256", "aes128gcm16",
		   "aes128gcm16-prfsha256-ecp256", "aes256-sha256", false, "x",
		   "x");
	moon.watch = "NO_PROPOSAL_CHOSEN";
	bring_up();
	ck_assert(has_event(&moon, IKE_EV_IKE_UP));
	ck_assert(has_event(&sun, IKE_EV_IKE_UP));
	ck_assert_uint_eq(moon.n_inst + sun.n_inst, 0);
	ck_assert_uint_eq(moon.logs_with, 1);
	teardown_pair();
}
END_TEST

START_TEST(ts_mismatch_is_ts_unacceptable)
{
	static struct ike_conn_cfg c;

	setup_pair("aes128gcm16-prfsha256-ecp256", "aes128gcm16",
		   "aes128gcm16-prfsha256-ecp256", "aes128gcm16", false, "x",
		   "x");
	conn_cfg(&c, &sun, &moon, "aes128gcm16-prfsha256-ecp256", "aes128gcm16",
		 false);
	subnet(&c.children[0].remote_ts[0], "10.9.0.0", "10.9.255.255");
	ck_assert_int_eq(ike_engine_set_conns(sun.e, &c, 1, now), 0);
	moon.watch = "TS_UNACCEPTABLE";
	bring_up();
	ck_assert_uint_eq(moon.logs_with, 1);
	ck_assert_uint_eq(moon.n_inst + sun.n_inst, 0);
	teardown_pair();
}
END_TEST

START_TEST(garbage_and_replays_are_harmless)
{
	uint8_t junk[200];
	unsigned i;

	setup_pair("aes128gcm16-prfsha256-ecp256", "aes128gcm16",
		   "aes128gcm16-prfsha256-ecp256", "aes128gcm16", false, "x",
		   "x");
	bring_up();
	for (i = 0; i < 1000; i++) {
		crypto_random(junk, sizeof(junk));
		junk[17] = 0x20;
		ike_input(sun.e, now, &sun.addr, &moon.addr, junk,
			  (size_t)(i % sizeof(junk)));
	}
	pump();
	ck_assert_uint_eq(live(&sun), 1);
	teardown_pair();
}
END_TEST

static void
list_cb(void *ctx, const struct ike_sa_info *sa)
{
	*(struct ike_sa_info *)ctx = *sa;
}

START_TEST(list_sas_shows_the_negotiation)
{
	struct ike_sa_info m, s;

	setup_pair("aes128gcm16-prfsha256-ecp256", "aes128gcm16",
		   "aes128gcm16-prfsha256-ecp256", "aes128gcm16", false, "x",
		   "x");
	bring_up();
	ck_assert_uint_eq(ike_list_sas(moon.e, NULL, list_cb, &m), 1);
	ck_assert_uint_eq(ike_list_sas(sun.e, "site", list_cb, &s), 1);
	ck_assert_uint_eq(ike_list_sas(sun.e, "other", list_cb, &s), 0);
	ck_assert_str_eq(m.state, "ESTABLISHED");
	ck_assert(m.initiator && !s.initiator);
	ck_assert_str_eq(m.proposal, "aes128gcm16-prfsha256-ecp256");
	ck_assert_str_eq(s.proposal, m.proposal);
	ck_assert_uint_eq(m.remote_id.data.len, strlen("sun.example.org"));
	ck_assert_uint_eq(m.n_children, 1);
	ck_assert(m.children[0].installed);
	ck_assert_str_eq(m.children[0].name, "net");
	ck_assert_uint_eq(m.children[0].spi_out, s.children[0].spi_in);
	ck_assert_uint_eq(m.children[0].n_local_ts, 1);
	ck_assert_uint_eq(m.children[0].local_ts[0].saddr[1], 1); /* 10.1 */
	teardown_pair();
}
END_TEST

START_TEST(create_child_sa_with_pfs)
{
	static struct ike_conn_cfg c;
	struct ike_child_cfg *ch;
	int side;

	setup_pair("aes128gcm16-prfsha256-ecp256", "aes128gcm16",
		   "aes128gcm16-prfsha256-ecp256", "aes128gcm16", false, "x",
		   "x");
	/* Both sides get a second child, 10.3/16 <-> 10.4/16, with PFS. */
	for (side = 0; side < 2; side++) {
		struct host *self = side ? &sun : &moon;
		struct host *peer = side ? &moon : &sun;

		conn_cfg(&c, self, peer, "aes128gcm16-prfsha256-ecp256",
			 "aes128gcm16", false);
		c.children[0].start = !side;
		ch = &c.children[1];
		*ch = c.children[0];
		conn_room_child(&c, 1); /* its own arrays, not net's */
		snprintf(ch->name, sizeof(ch->name), "net2");
		ch->start = false;
		prop(&ch->proposals[0], "aes256gcm16-curve25519",
		     IKEV2_PROTO_ESP);
		subnet(&ch->local_ts[0], side ? "10.4.0.0" : "10.3.0.0",
		       side ? "10.4.255.255" : "10.3.255.255");
		subnet(&ch->remote_ts[0], side ? "10.3.0.0" : "10.4.0.0",
		       side ? "10.3.255.255" : "10.4.255.255");
		c.n_children = 2;
		ck_assert_int_eq(ike_engine_set_conns(self->e, &c, 1, now), 0);
	}
	bring_up();
	ck_assert_uint_eq(moon.n_inst + sun.n_inst, 2);
	ck_assert_uint_eq(ike_initiate(moon.e, now, "site", "net2"), 1);
	pump();
	ck_assert_uint_eq(moon.n_inst, 2);
	ck_assert_uint_eq(sun.n_inst, 2);
	ck_assert_uint_eq(moon.inst[1].ci.spi_out, sun.inst[1].ci.spi_in);
	ck_assert_uint_eq(moon.inst[1].encr_len, 36);
	ck_assert_mem_eq(moon.inst[1].encr_out, sun.inst[1].encr_in, 36);
	ck_assert_mem_eq(moon.inst[1].encr_in, sun.inst[1].encr_out, 36);
	/* Fresh nonces and g^ir: the keys differ from the first child's. */
	ck_assert(memcmp(moon.inst[1].encr_out, moon.inst[0].encr_out, 20));
	ck_assert_str_eq(moon.inst[1].ci.child, "net2");
	ck_assert_uint_ne(moon.inst[1].ci.reqid, moon.inst[0].ci.reqid);
	teardown_pair();
}
END_TEST

START_TEST(keyingtries_then_give_up)
{
	static struct ike_conn_cfg c;
	unsigned tries = 0, failed = 0, i;

	setup_pair("aes128gcm16-prfsha256-ecp256", "aes128gcm16",
		   "aes128gcm16-prfsha256-ecp256", "aes128gcm16", false, "x",
		   "x");
	conn_cfg(&c, &moon, &sun, "aes128gcm16-prfsha256-ecp256", "aes128gcm16",
		 false);
	c.keyingtries = 3;
	ck_assert_int_eq(ike_engine_set_conns(moon.e, &c, 1, now), 0);
	ike_engine_set_retransmit(moon.e, 1000, 2.0, 1);
	moon.watch = "initiating IKE_SA_INIT";
	ck_assert_uint_gt(ike_initiate(moon.e, now, "site", "net"), 0);
	while (ike_next_deadline(moon.e) != UINT64_MAX && tries++ < 20) {
		q_len = 0; /* sun never answers */
		advance();
	}
	for (i = 0; i < moon.n_ev; i++)
		failed += moon.ev[i] == IKE_EV_FAILED;
	ck_assert_uint_eq(moon.logs_with, 3); /* three keying tries */
	ck_assert_uint_eq(failed, 3);
	ck_assert_uint_eq(sent_total, 6); /* each: a send, one retransmit */
	teardown_pair();
}
END_TEST

START_TEST(terminate_one_child)
{
	struct ike_sa_info m;

	setup_pair("aes128gcm16-prfsha256-ecp256", "aes128gcm16",
		   "aes128gcm16-prfsha256-ecp256", "aes128gcm16", false, "x",
		   "x");
	bring_up();
	ck_assert_int_eq(ike_terminate_child(moon.e, now, 1, 1), 0);
	pump();
	ck_assert_uint_eq(live(&moon) + live(&sun), 0);
	ck_assert(has_event(&sun, IKE_EV_CHILD_DOWN));
	ck_assert_uint_eq(ike_list_sas(moon.e, NULL, list_cb, &m), 1);
	ck_assert_str_eq(m.state, "ESTABLISHED");
	ck_assert_uint_eq(m.n_children, 0);
	ck_assert_int_eq(ike_terminate_child(moon.e, now, 1, 1), -1);
	teardown_pair();
}
END_TEST

/* The engine deep-copies configs: an unchanged one (in other storage)
 * keeps its connection object, a changed selector makes a new one, and
 * connections with the same proposals share one interned list. */
START_TEST(reload_compares_configs_deeply)
{
	static struct ike_conn_cfg a, b, two[2];
	struct conn *before;

	setup_pair("aes128gcm16-prfsha256-ecp256", "aes128gcm16",
		   "aes128gcm16-prfsha256-ecp256", "aes128gcm16", false, "x",
		   "x");
	conn_cfg(&a, &sun, &moon, "aes128gcm16-prfsha256-ecp256", "aes128gcm16",
		 false);
	ck_assert_int_eq(ike_engine_set_conns(sun.e, &a, 1, now), 0);
	before = sun.e->conns[0];
	ck_assert_ptr_ne(before->cfg.children, a.children);
	ck_assert_ptr_ne(before->cfg.proposals, a.proposals);
	ck_assert_ptr_ne(before->cfg.children[0].local_ts,
			 a.children[0].local_ts);
	conn_room_copy(&b, &a);
	ck_assert_int_eq(ike_engine_set_conns(sun.e, &b, 1, now), 0);
	ck_assert_ptr_eq(sun.e->conns[0], before);
	b.children[0].remote_ts[0].ts.eport = 80;
	ck_assert_int_eq(ike_engine_set_conns(sun.e, &b, 1, now), 0);
	ck_assert_ptr_ne(sun.e->conns[0], before);
	before = sun.e->conns[0];
	prop(&b.children[0].proposals[0], "aes256gcm16", IKEV2_PROTO_ESP);
	ck_assert_int_eq(ike_engine_set_conns(sun.e, &b, 1, now), 0);
	ck_assert_ptr_ne(sun.e->conns[0], before);

	conn_room_copy(&two[0], &a);
	conn_room_copy(&two[1], &a);
	snprintf(two[1].name, sizeof(two[1].name), "other");
	ck_assert_int_eq(ike_engine_set_conns(sun.e, two, 2, now), 0);
	ck_assert_ptr_eq(sun.e->conns[0]->cfg.proposals,
			 sun.e->conns[1]->cfg.proposals);
	ck_assert_ptr_eq(sun.e->conns[0]->cfg.children[0].proposals,
			 sun.e->conns[1]->cfg.children[0].proposals);
	teardown_pair();
}
END_TEST

START_TEST(responder_switches_connection_by_id)
{
	static struct ike_conn_cfg c[2];

	setup_pair("aes128gcm16-prfsha256-ecp256", "aes128gcm16",
		   "aes128gcm16-prfsha256-ecp256", "aes128gcm16", false, "x",
		   "x");
	/* sun: "other" (same addresses, another peer ID) comes first. */
	conn_cfg(&c[0], &sun, &moon, "aes128gcm16-prfsha256-ecp256",
		 "aes128gcm16", false);
	snprintf(c[0].name, sizeof(c[0].name), "other");
	c[0].remote_id.len = strlen("venus.example.org");
	c[0].remote_id.data = (const uint8_t *)"venus.example.org";
	conn_cfg(&c[1], &sun, &moon, "aes128gcm16-prfsha256-ecp256",
		 "aes128gcm16", false);
	ck_assert_int_eq(ike_engine_set_conns(sun.e, c, 2, now), 0);
	sun.watch = "switching to it";
	bring_up();
	ck_assert_uint_eq(sun.logs_with, 1);
	assert_pair_matches();
	ck_assert_str_eq(sun.inst[0].ci.conn, "site");
	teardown_pair();
}
END_TEST

START_TEST(responder_answers_bad_requests)
{
	static struct msg m;
	struct datagram d;

	setup_pair("aes128gcm16-prfsha256-ecp256", "aes128gcm16",
		   "aes128gcm16-prfsha256-ecp256", "aes128gcm16", false, "x",
		   "x");
	ck_assert_uint_gt(ike_initiate(moon.e, now, "site", NULL), 0);
	d = queue[0];
	q_len = 0;
	/* IKE version 3.0: INVALID_MAJOR_VERSION, carrying version 2. */
	d.data[17] = 0x30;
	ike_input(sun.e, now, &d.to, &d.from, d.data, d.len);
	only_answer(&m);
	ck_assert_uint_eq(notify_of(&m), IKEV2_N_INVALID_MAJOR_VERSION);
	ck_assert_uint_eq(m.hdr.major, 2);
	ck_assert(m.hdr.flags & IKEV2_FLAG_RESPONSE);
	/* A payload length running past the end: INVALID_SYNTAX would need
	 * a parseable header; framing fails, so nothing is answered. */
	d.data[17] = 0x20;
	d.data[IKEV2_HDR_LEN + 3] = 0xff;
	ike_input(sun.e, now, &d.to, &d.from, d.data, d.len);
	ck_assert_uint_eq(q_len, 0);
	/* A critical payload of an unknown type: UNSUPPORTED_CRITICAL_PAYLOAD
	 * (RFC 7296 2.5). Turn the last payload (Nonce) into type 250. */
	teardown_pair();
	setup_pair("aes128gcm16-prfsha256-ecp256", "aes128gcm16",
		   "aes128gcm16-prfsha256-ecp256", "aes128gcm16", false, "x",
		   "x");
	ck_assert_uint_gt(ike_initiate(moon.e, now, "site", NULL), 0);
	d = queue[0];
	q_len = 0;
	ck_assert_int_eq(msg_frame(d.data, d.len, &m, &(struct ike_err){0}), 0);
	d.data[m.pl[m.n - 2].offset] = 250; /* next payload */
	d.data[m.pl[m.n - 1].offset + 1] = IKEV2_CRITICAL;
	ike_input(sun.e, now, &d.to, &d.from, d.data, d.len);
	only_answer(&m);
	ck_assert_uint_eq(notify_of(&m), IKEV2_N_UNSUPPORTED_CRITICAL_PAYLOAD);
	teardown_pair();
}
END_TEST

START_TEST(child_sa_rekeyed_on_time)
{
	static struct ike_conn_cfg c;

	setup_pair("aes128gcm16-prfsha256-ecp256", "aes128gcm16",
		   "aes128gcm16-prfsha256-ecp256", "aes128gcm16", false, "x",
		   "x");
	conn_cfg(&c, &moon, &sun, "aes128gcm16-prfsha256-ecp256",
		 "aes128gcm16-ecp256", false);
	c.children[0].start = true;
	c.children[0].rekey_ms = 60000;
	ck_assert_int_eq(ike_engine_set_conns(moon.e, &c, 1, now), 0);
	conn_cfg(&c, &sun, &moon, "aes128gcm16-prfsha256-ecp256",
		 "aes128gcm16-ecp256", false);
	ck_assert_int_eq(ike_engine_set_conns(sun.e, &c, 1, now), 0);
	bring_up();
	ck_assert_uint_eq(live(&moon) + live(&sun), 2);
	ck_assert_uint_eq(ike_next_deadline(moon.e), 1000 + 60000);
	advance();
	pump();
	/* New pair installed (PFS: new keys), old pair deleted on both. */
	ck_assert_uint_eq(moon.n_inst, 2);
	ck_assert_uint_eq(sun.n_inst, 2);
	ck_assert(!moon.inst[0].live && moon.inst[1].live);
	ck_assert(!sun.inst[0].live && sun.inst[1].live);
	ck_assert_uint_eq(moon.inst[1].ci.spi_out, sun.inst[1].ci.spi_in);
	ck_assert_mem_eq(moon.inst[1].encr_out, sun.inst[1].encr_in, 20);
	ck_assert(memcmp(moon.inst[1].encr_out, moon.inst[0].encr_out, 20));
	ck_assert_uint_eq(moon.inst[1].ci.reqid, moon.inst[0].ci.reqid);
	ck_assert_uint_eq(sun.inst[1].ci.reqid, sun.inst[0].ci.reqid);
	/* And it keeps doing so. */
	ck_assert_uint_eq(ike_next_deadline(moon.e), 1000 + 2 * 60000);
	teardown_pair();
}
END_TEST

START_TEST(ike_sa_rekeyed_on_time)
{
	static struct ike_conn_cfg c;
	struct ike_sa_info before, m, s;
	uint8_t old_spi[8];

	setup_pair("aes128gcm16-prfsha256-ecp256", "aes128gcm16",
		   "aes128gcm16-prfsha256-ecp256", "aes128gcm16", false, "x",
		   "x");
	conn_cfg(&c, &moon, &sun, "aes128gcm16-prfsha256-ecp256", "aes128gcm16",
		 false);
	c.children[0].start = true;
	c.rekey_ms = 100000;
	ck_assert_int_eq(ike_engine_set_conns(moon.e, &c, 1, now), 0);
	bring_up();
	ck_assert_uint_eq(ike_list_sas(moon.e, NULL, list_cb, &before), 1);
	memcpy(old_spi, before.spi_i, 8); /* the view dies with the SA */
	advance();                        /* the rekey is due */
	ck_assert_uint_eq(now, 1000 + 100000);
	pump();
	advance(); /* the old SAs are freed */
	ck_assert_uint_eq(ike_list_sas(moon.e, NULL, list_cb, &m), 1);
	ck_assert_uint_eq(ike_list_sas(sun.e, NULL, list_cb, &s), 1);
	ck_assert_uint_ne(m.id, before.id);
	ck_assert(memcmp(m.spi_i, old_spi, 8) != 0);
	ck_assert_mem_eq(m.spi_i, s.spi_i, 8);
	ck_assert_mem_eq(m.spi_r, s.spi_r, 8);
	ck_assert(m.initiator && !s.initiator);
	/* The CHILD SA moved over untouched: no event, still installed. */
	ck_assert_uint_eq(m.n_children, 1);
	ck_assert(m.children[0].installed);
	ck_assert_uint_eq(live(&moon) + live(&sun), 2);
	ck_assert(!has_event(&moon, IKE_EV_IKE_DOWN));
	ck_assert(!has_event(&sun, IKE_EV_IKE_DOWN));
	ck_assert(!has_event(&sun, IKE_EV_CHILD_DOWN));
	/* The new SA works: terminating it goes through to sun. */
	ck_assert_int_eq(ike_terminate(moon.e, now, m.id), 0);
	pump();
	advance();
	ck_assert_uint_eq(live(&moon) + live(&sun), 0);
	ck_assert_uint_eq(ike_list_sas(sun.e, NULL, list_cb, &s), 0);
	teardown_pair();
}
END_TEST

START_TEST(rekey_on_demand_with_events)
{
	setup_pair("aes128gcm16-prfsha256-ecp256", "aes128gcm16",
		   "aes128gcm16-prfsha256-ecp256", "aes128gcm16", false, "x",
		   "x");
	bring_up();
	ck_assert_int_eq(ike_rekey_child(moon.e, now, 1, 1), 0);
	/* One exchange at a time: a second request must wait. */
	ck_assert_int_eq(ike_rekey(moon.e, now, 1), -1);
	pump();
	ck_assert(has_event(&moon, IKE_EV_CHILD_REKEYED));
	ck_assert(has_event(&sun, IKE_EV_CHILD_REKEYED));
	ck_assert_uint_eq(live(&moon) + live(&sun), 2);
	ck_assert_int_eq(ike_rekey(moon.e, now, 1), 0);
	pump();
	ck_assert(has_event(&moon, IKE_EV_IKE_REKEYED));
	ck_assert(has_event(&sun, IKE_EV_IKE_REKEYED));
	ck_assert_uint_eq(live(&moon) + live(&sun), 2);
	ck_assert_int_eq(ike_rekey(moon.e, now, 99), -1);
	ck_assert_int_eq(ike_rekey_child(moon.e, now, 1, 99), -1);
	teardown_pair();
}
END_TEST

START_TEST(half_open_sa_expires)
{
	struct ike_sa_info s;
	struct datagram d;

	setup_pair("aes128gcm16-prfsha256-ecp256", "aes128gcm16",
		   "aes128gcm16-prfsha256-ecp256", "aes128gcm16", false, "x",
		   "x");
	ck_assert_uint_gt(ike_initiate(moon.e, now, "site", NULL), 0);
	d = queue[0];
	q_len = 0;
	ike_input(sun.e, now, &d.to, &d.from, d.data, d.len);
	q_len = 0; /* moon never hears back, never sends IKE_AUTH */
	ck_assert_uint_eq(ike_list_sas(sun.e, NULL, list_cb, &s), 1);
	ck_assert_str_eq(s.state, "CONNECTING");
	sun.watch = "half-open IKE SA dropped";
	ck_assert_uint_eq(ike_next_deadline(sun.e), now + 30000);
	now += 30000;
	ike_tick(sun.e, now);
	ike_tick(sun.e, now);
	ck_assert_uint_eq(sun.logs_with, 1);
	ck_assert_uint_eq(ike_list_sas(sun.e, NULL, list_cb, &s), 0);
	teardown_pair();
}
END_TEST

START_TEST(cookie_under_load)
{
	setup_pair("aes128gcm16-prfsha256-ecp256", "aes128gcm16",
		   "aes128gcm16-prfsha256-ecp256", "aes128gcm16", false, "x",
		   "x");
	ike_engine_set_cookie_threshold(sun.e, 0);
	sun.watch = "asking the initiator for a cookie";
	bring_up();
	ck_assert_uint_eq(sun.logs_with, 1);
	assert_pair_matches();
	/* INIT, COOKIE, INIT with the cookie, its answer, AUTH and answer */
	ck_assert_uint_eq(sent_total, 6);
	teardown_pair();
}
END_TEST

/* --- keys by the exchange's roles (RFC 7296 2.17, 2.18) ----------------
 * The tests below decrypt the exchanges in flight with the receiver's IKE
 * SA keys and recompute the keys from the RFC's definitions: a mistake
 * both engines make alike would otherwise go unseen. */

/* The live (established) IKE SA of a host; there must be one. */
static struct ike_sa *
est_sa(const struct host *h)
{
	struct ike_sa *sa, *found = NULL;

	for (sa = h->e->sas; sa; sa = sa->next)
		if (sa->state == IKE_SA_ESTABLISHED) {
			ck_assert_ptr_null(found);
			found = sa;
		}
	ck_assert_ptr_nonnull(found);
	return found;
}

/* Frame and decrypt queued datagram i as its receiver would. */
static void
open_queued(unsigned i, struct msg *m, uint8_t *plain, size_t cap)
{
	const struct datagram *d = &queue[i];
	struct host *to = host_at(&d->to);
	struct ike_err err = {0};
	struct ike_sa *sa;
	struct sk_keys k = {0};

	ck_assert_uint_lt(i, q_len);
	ck_assert_int_eq(msg_frame(d->data, d->len, m, &err), 0);
	sa = sa_by_ours(to->e, (m->hdr.flags & IKEV2_FLAG_INITIATOR)
				   ? m->hdr.spi_r
				   : m->hdr.spi_i);
	ck_assert_ptr_nonnull(sa);
	sa_keys_for(to->e, sa, false, &k);
	ck_assert_int_eq(sk_open(m, &k, plain, cap, &err), 0);
}

/* Deliver queued datagram 0 alone. */
static void
deliver_first(void)
{
	struct datagram d = queue[0];
	struct host *to = host_at(&d.to);

	memmove(queue, queue + 1, (q_len - 1) * sizeof(queue[0]));
	q_len--;
	ike_input(to->e, now, &d.to, &d.from, d.data, d.len);
}

struct seen {
	uint8_t nonce[IKE_NONCE_MAX];
	size_t nonce_len;
	uint8_t ke[1024];
	size_t ke_len;
	uint8_t spi[8]; /* of an IKE proposal */
	bool from_ike_initiator;
};

/* The nonce, KE and IKE proposal SPI of queued datagram i. */
static void
peek_queued(unsigned i, struct seen *s)
{
	static struct msg m;
	static uint8_t plain[IKEV2_MAX_MSG_LEN];
	static struct pld_sa sap;
	const struct pld_ref *r;
	struct ike_err err;
	struct pld_nonce n;
	struct pld_ke ke;

	memset(s, 0, sizeof(*s));
	open_queued(i, &m, plain, sizeof(plain));
	s->from_ike_initiator = m.hdr.flags & IKEV2_FLAG_INITIATOR;
	r = msg_find(&m, IKEV2_PL_NONCE, NULL);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(pld_nonce_get(r, &n, &err), 0);
	memcpy(s->nonce, n.data.ptr, n.data.len);
	s->nonce_len = n.data.len;
	if ((r = msg_find(&m, IKEV2_PL_KE, NULL))) {
		ck_assert_int_eq(pld_ke_get(r, &ke, &err), 0);
		ck_assert_uint_le(ke.data.len, sizeof(s->ke));
		memcpy(s->ke, ke.data.ptr, ke.data.len);
		s->ke_len = ke.data.len;
	}
	if ((r = msg_find(&m, IKEV2_PL_SA, NULL))) {
		ck_assert_int_eq(pld_sa_get(r, &sap, &err), 0);
		if (sap.prop[0].proto == IKEV2_PROTO_IKE)
			memcpy(s->spi, sap.prop[0].spi, 8);
	}
}

/* The last install of a host. */
static const struct installed *
last_inst(const struct host *h)
{
	ck_assert_uint_gt(h->n_inst, 0);
	return &h->inst[h->n_inst - 1];
}

/* One CHILD SA rekey started by `starter`, no PFS; KEYMAT recomputed as
 * prf+(SK_d, Ni | Nr) with Ni of the CREATE_CHILD_SA's initiator, whose
 * outbound keys come first (2.17). */
static void
child_rekey_keyed_by_exchange(struct host *starter, struct host *other)
{
	static struct ike_sa_info info;
	const struct installed *si, *oi;
	struct child_keys ck;
	struct seen req, resp;
	struct ike_sa *sa;

	ck_assert_uint_eq(ike_list_sas(starter->e, NULL, list_cb, &info), 1);
	ck_assert_int_eq(
	    ike_rekey_child(starter->e, now, info.id, info.children[0].id), 0);
	ck_assert_uint_eq(q_len, 1);
	peek_queued(0, &req);
	deliver_first();
	ck_assert_uint_eq(q_len, 1);
	peek_queued(0, &resp);
	deliver_first();
	sa = est_sa(starter);
	ck_assert_int_eq(
	    keymat_v2_child(
		crypto_prf(IKEV2_PRF_HMAC_SHA2_256), sa->v2.keys.sk_d, NULL,
		(struct bytes){req.nonce, req.nonce_len},
		(struct bytes){resp.nonce, resp.nonce_len}, 20, 0, &ck),
	    0);
	si = last_inst(starter);
	oi = last_inst(other);
	ck_assert_uint_eq(si->encr_len, 20);
	ck_assert_uint_eq(si->ci.spi_out, oi->ci.spi_in);
	ck_assert_mem_eq(si->encr_out, ck.encr_i->ptr, 20);
	ck_assert_mem_eq(si->encr_in, ck.encr_r->ptr, 20);
	ck_assert_mem_eq(oi->encr_in, ck.encr_i->ptr, 20);
	ck_assert_mem_eq(oi->encr_out, ck.encr_r->ptr, 20);
	child_keys_clear(&ck);
	pump(); /* the delete of the old pair */
	ck_assert_uint_eq(live(&moon) + live(&sun), 2);
}

START_TEST(child_rekey_by_ike_responder_keys_by_exchange)
{
	setup_pair("aes128gcm16-prfsha256-ecp256", "aes128gcm16",
		   "aes128gcm16-prfsha256-ecp256", "aes128gcm16", false, "x",
		   "x");
	bring_up();
	child_rekey_keyed_by_exchange(&sun, &moon); /* the case that broke */
	child_rekey_keyed_by_exchange(&moon, &sun);
	child_rekey_keyed_by_exchange(&sun, &moon);
	teardown_pair();
}
END_TEST

/* The same with PFS: g^ir is not visible to the test, so only the pairing
 * is checked, and that the keys are not those of the IKE SA's roles. */
START_TEST(child_rekey_by_ike_responder_with_pfs)
{
	setup_pair("aes128gcm16-prfsha256-ecp256", "aes128gcm16-ecp256",
		   "aes128gcm16-prfsha256-ecp256", "aes128gcm16-ecp256", false,
		   "x", "x");
	bring_up();
	ck_assert_int_eq(ike_rekey_child(sun.e, now, 1, 1), 0);
	pump();
	ck_assert(has_event(&moon, IKE_EV_CHILD_REKEYED));
	ck_assert_uint_eq(live(&moon) + live(&sun), 2);
	ck_assert_uint_eq(last_inst(&sun)->ci.spi_out,
			  last_inst(&moon)->ci.spi_in);
	ck_assert_mem_eq(last_inst(&sun)->encr_out, last_inst(&moon)->encr_in,
			 20);
	ck_assert_mem_eq(last_inst(&sun)->encr_in, last_inst(&moon)->encr_out,
			 20);
	teardown_pair();
}
END_TEST

/* An IKE SA rekey (2.18) started by `starter`: SKEYSEED = prf(SK_d (old),
 * g^ir (new) | Ni | Nr) and the keys from prf+(SKEYSEED, Ni | Nr | SPIi |
 * SPIr), Ni and SPIi being the rekey initiator's; the new SA's initiator
 * is whoever started the rekey. g^ir is recomputed with the responder's
 * new DH value, which the new SA keeps. */
static void
ike_rekey_keyed_by_exchange(struct host *starter, struct host *other)
{
	struct ike_sa *old = est_sa(starter), *ns, *no;
	struct secret *sk_d_old =
	    secret_dup(old->v2.keys.sk_d->ptr, old->v2.keys.sk_d->len);
	const struct prf_alg *prf = old->v2.suite.prf;
	struct secret *gir = NULL;
	struct ike_keys want;
	struct seen req, resp;
	unsigned old_id = old->id;

	ck_assert_ptr_nonnull(sk_d_old);
	ck_assert_int_eq(ike_rekey(starter->e, now, old_id), 0);
	ck_assert_uint_eq(q_len, 1);
	peek_queued(0, &req);
	deliver_first();
	ck_assert_uint_eq(q_len, 1);
	peek_queued(0, &resp);
	deliver_first();
	pump(); /* the old IKE SA's delete */
	advance();
	ns = est_sa(starter);
	no = est_sa(other);
	ck_assert_uint_ne(ns->id, old_id);
	ck_assert(ns->initiator);
	ck_assert(!no->initiator);
	ck_assert_mem_eq(ns->spi_i, req.spi, 8);
	ck_assert_mem_eq(ns->spi_r, resp.spi, 8);
	ck_assert_mem_eq(no->spi_i, req.spi, 8);
	ck_assert_mem_eq(no->spi_r, resp.spi, 8);
	ck_assert_ptr_nonnull(no->v2.dh);
	ck_assert_int_eq(dh_shared(no->v2.dh, req.ke, req.ke_len, &gir), 0);
	ck_assert_int_eq(
	    keymat_v2_ike_rekey(prf, sk_d_old, &ns->v2.suite, gir,
				(struct bytes){req.nonce, req.nonce_len},
				(struct bytes){resp.nonce, resp.nonce_len},
				req.spi, resp.spi, &want),
	    0);
	ck_assert_mem_eq(ns->v2.keys.sk_d->ptr, want.sk_d->ptr, want.sk_d->len);
	ck_assert_mem_eq(no->v2.keys.sk_d->ptr, want.sk_d->ptr, want.sk_d->len);
	ck_assert_mem_eq(ns->v2.keys.sk_ei->ptr, want.sk_ei->ptr,
			 want.sk_ei->len);
	ck_assert_mem_eq(no->v2.keys.sk_er->ptr, want.sk_er->ptr,
			 want.sk_er->len);
	ike_keys_clear(&want);
	secret_free(gir);
	secret_free(sk_d_old);
	ck_assert_uint_eq(live(&moon) + live(&sun), 2);
}

START_TEST(ike_rekey_by_ike_responder_keys_by_exchange)
{
	setup_pair("aes128gcm16-prfsha256-ecp256", "aes128gcm16",
		   "aes128gcm16-prfsha256-ecp256", "aes128gcm16", false, "x",
		   "x");
	bring_up();
	ike_rekey_keyed_by_exchange(&sun, &moon);
	/* sun is the IKE initiator now; moon, the responder, rekeys. */
	ike_rekey_keyed_by_exchange(&moon, &sun);
	/* The CHILD SA still rekeys right on the twice-rekeyed IKE SA. */
	child_rekey_keyed_by_exchange(&moon, &sun);
	child_rekey_keyed_by_exchange(&sun, &moon);
	teardown_pair();
}
END_TEST

/* --- collisions (RFC 7296 2.8.1, 2.8.2, 2.25) --------------------------
 * Both peers send a request before either sees the other's: the harness
 * queues moon's request, then sun's, and delivers them crossing. */

/* RFC 7296 2.8.1: "lowest" is octet by octet, a prefix being lower. */
static int
nonce_cmp(const struct seen *a, const struct seen *b)
{
	size_t n = a->nonce_len < b->nonce_len ? a->nonce_len : b->nonce_len;
	int c = memcmp(a->nonce, b->nonce, n);

	if (c)
		return c;
	return (a->nonce_len > b->nonce_len) - (a->nonce_len < b->nonce_len);
}

/* The exchange holding the lowest of the four nonces: 1 or 2. */
static int
lowest_exchange(const struct seen *i1, const struct seen *r1,
		const struct seen *i2, const struct seen *r2)
{
	const struct seen *lo1 = nonce_cmp(i1, r1) < 0 ? i1 : r1;
	const struct seen *lo2 = nonce_cmp(i2, r2) < 0 ? i2 : r2;

	return nonce_cmp(lo1, lo2) < 0 ? 1 : 2;
}

/* The one live install of a host. */
static const struct installed *
only_live(const struct host *h)
{
	unsigned i;

	ck_assert_uint_eq(live(h), 1);
	for (i = 0; i < h->n_inst; i++)
		if (h->inst[i].live)
			return &h->inst[i];
	return NULL;
}

/* Deliver moon's request (queue[0]) and sun's (queue[1]) crossing, noting
 * the nonces of the four messages. */
static void
cross_requests(struct seen *i1, struct seen *r1, struct seen *i2,
	       struct seen *r2)
{
	ck_assert_uint_eq(q_len, 2);
	peek_queued(0, i1);
	peek_queued(1, i2);
	deliver_first(); /* moon's request to sun; sun's answer queued */
	ck_assert_uint_eq(q_len, 2);
	peek_queued(1, r1);
	deliver_first(); /* sun's request to moon; moon's answer queued */
	ck_assert_uint_eq(q_len, 2);
	peek_queued(1, r2);
}

START_TEST(simultaneous_child_rekeys_keep_one_pair)
{
	unsigned round, seen_low[3] = {0};

	/* Until each exchange has had the lowest nonce at least once. */
	for (round = 0; round < 40 && !(seen_low[1] && seen_low[2]); round++) {
		struct seen i1, r1, i2, r2;
		const struct installed *m, *s;
		struct child_keys ck;
		const struct seen *wi, *wr;
		int lo;

		setup_pair("aes128gcm16-prfsha256-ecp256", "aes128gcm16",
			   "aes128gcm16-prfsha256-ecp256", "aes128gcm16", false,
			   "x", "x");
		bring_up();
		ck_assert_int_eq(ike_rekey_child(moon.e, now, 1, 1), 0);
		ck_assert_int_eq(ike_rekey_child(sun.e, now, 1, 1), 0);
		cross_requests(&i1, &r1, &i2, &r2);
		pump();
		advance();
		pump();
		/* The exchange with the lowest nonce made the redundant pair,
		 * which its initiator deleted; the other one's initiator
		 * deleted the old pair: one pair is left on each side. */
		lo = lowest_exchange(&i1, &r1, &i2, &r2);
		seen_low[lo]++;
		m = only_live(&moon);
		s = only_live(&sun);
		ck_assert_uint_eq(m->ci.spi_out, s->ci.spi_in);
		ck_assert_uint_eq(m->ci.spi_in, s->ci.spi_out);
		wi = lo == 1 ? &i2 : &i1;
		wr = lo == 1 ? &r2 : &r1;
		ck_assert_int_eq(
		    keymat_v2_child(crypto_prf(IKEV2_PRF_HMAC_SHA2_256),
				    est_sa(&moon)->v2.keys.sk_d, NULL,
				    (struct bytes){wi->nonce, wi->nonce_len},
				    (struct bytes){wr->nonce, wr->nonce_len},
				    20, 0, &ck),
		    0);
		/* Exchange 1 was moon's: moon its initiator. */
		ck_assert_mem_eq(m->encr_out,
				 lo == 1 ? ck.encr_r->ptr : ck.encr_i->ptr, 20);
		ck_assert_mem_eq(s->encr_in, m->encr_out, 20);
		ck_assert_mem_eq(s->encr_out, m->encr_in, 20);
		child_keys_clear(&ck);
		ck_assert_ptr_null(est_sa(&moon)->children->next);
		ck_assert_ptr_null(est_sa(&sun)->children->next);
		ck_assert(!has_event(&moon, IKE_EV_FAILED));
		ck_assert(!has_event(&sun, IKE_EV_FAILED));
		/* And the survivor rekeys as usual afterwards. */
		child_rekey_keyed_by_exchange(&sun, &moon);
		teardown_pair();
	}
	ck_assert(seen_low[1] && seen_low[2]);
}
END_TEST

/* 1.4.1, 2.25.1: a delete for a CHILD SA we are deleting ourselves is
 * answered without a Delete payload; each side's own exchange removes
 * the SA. */
START_TEST(simultaneous_child_deletes)
{
	static struct msg m;
	static uint8_t plain[IKEV2_MAX_MSG_LEN];
	struct ike_sa_info mi, si;

	setup_pair("aes128gcm16-prfsha256-ecp256", "aes128gcm16",
		   "aes128gcm16-prfsha256-ecp256", "aes128gcm16", false, "x",
		   "x");
	bring_up();
	ck_assert_int_eq(ike_terminate_child(moon.e, now, 1, 1), 0);
	ck_assert_int_eq(ike_terminate_child(sun.e, now, 1, 1), 0);
	ck_assert_uint_eq(q_len, 2);
	deliver_first(); /* moon's delete to sun */
	ck_assert_uint_eq(q_len, 2);
	open_queued(1, &m, plain, sizeof(plain));
	ck_assert(m.hdr.flags & IKEV2_FLAG_RESPONSE);
	ck_assert_ptr_null(msg_find(&m, IKEV2_PL_D, NULL));
	deliver_first(); /* sun's delete to moon */
	ck_assert_uint_eq(q_len, 2);
	open_queued(1, &m, plain, sizeof(plain));
	ck_assert_ptr_null(msg_find(&m, IKEV2_PL_D, NULL));
	pump();
	ck_assert_uint_eq(live(&moon) + live(&sun), 0);
	ck_assert_uint_eq(ike_list_sas(moon.e, NULL, list_cb, &mi), 1);
	ck_assert_uint_eq(ike_list_sas(sun.e, NULL, list_cb, &si), 1);
	ck_assert_str_eq(mi.state, "ESTABLISHED");
	ck_assert_str_eq(si.state, "ESTABLISHED");
	ck_assert_uint_eq(mi.n_children + si.n_children, 0);
	teardown_pair();
}
END_TEST

/* 2.25.1: moon rekeys the CHILD SA sun is deleting. sun answers the rekey
 * with TEMPORARY_FAILURE; moon answers the delete as usual, with a Delete
 * payload, and abandons its rekey: nothing is left on either side. */
START_TEST(rekey_crossing_delete)
{
	static struct msg m;
	static uint8_t plain[IKEV2_MAX_MSG_LEN];
	struct ike_sa_info mi, si;

	setup_pair("aes128gcm16-prfsha256-ecp256", "aes128gcm16",
		   "aes128gcm16-prfsha256-ecp256", "aes128gcm16", false, "x",
		   "x");
	bring_up();
	ck_assert_int_eq(ike_rekey_child(moon.e, now, 1, 1), 0);
	ck_assert_int_eq(ike_terminate_child(sun.e, now, 1, 1), 0);
	deliver_first(); /* moon's rekey to sun */
	ck_assert_uint_eq(q_len, 2);
	open_queued(1, &m, plain, sizeof(plain));
	ck_assert_uint_eq(notify_of(&m), IKEV2_N_TEMPORARY_FAILURE);
	deliver_first(); /* sun's delete to moon */
	ck_assert_uint_eq(q_len, 2);
	open_queued(1, &m, plain, sizeof(plain));
	ck_assert_ptr_nonnull(msg_find(&m, IKEV2_PL_D, NULL));
	pump();
	advance();
	ck_assert_uint_eq(live(&moon) + live(&sun), 0);
	ck_assert_uint_eq(ike_list_sas(moon.e, NULL, list_cb, &mi), 1);
	ck_assert_uint_eq(ike_list_sas(sun.e, NULL, list_cb, &si), 1);
	ck_assert_uint_eq(mi.n_children + si.n_children, 0);
	ck_assert_str_eq(mi.state, "ESTABLISHED");
	teardown_pair();
}
END_TEST

/* The peer answered our rekey, then deleted the SA we rekeyed, and the
 * delete overtook the answer: the new SA replaces one that is gone, so
 * moon deletes it again rather than keep a CHILD SA the peer closed. */
START_TEST(rekey_answer_after_delete_is_cleaned_up)
{
	struct datagram d;
	struct ike_sa_info mi, si;

	setup_pair("aes128gcm16-prfsha256-ecp256", "aes128gcm16",
		   "aes128gcm16-prfsha256-ecp256", "aes128gcm16", false, "x",
		   "x");
	bring_up();
	ck_assert_int_eq(ike_rekey_child(moon.e, now, 1, 1), 0);
	deliver_first(); /* sun answers, installs the new pair */
	ck_assert_uint_eq(live(&sun), 2);
	ck_assert_int_eq(ike_terminate_child(sun.e, now, 1, 1), 0);
	ck_assert_uint_eq(q_len, 2);
	d = queue[0]; /* the delete overtakes the rekey's answer */
	queue[0] = queue[1];
	queue[1] = d;
	pump();
	advance();
	pump();
	ck_assert_uint_eq(live(&moon) + live(&sun), 0);
	ck_assert_uint_eq(ike_list_sas(moon.e, NULL, list_cb, &mi), 1);
	ck_assert_uint_eq(ike_list_sas(sun.e, NULL, list_cb, &si), 1);
	ck_assert_uint_eq(mi.n_children + si.n_children, 0);
	teardown_pair();
}
END_TEST

/* 2.8.2: both rekey the IKE SA at once. The new IKE SA made by the
 * exchange with the lowest nonce is deleted by its initiator, the old one
 * by the other exchange's initiator; one IKE SA is left, the same on both
 * sides, with the CHILD SA, and it works. */
START_TEST(simultaneous_ike_rekeys_keep_one)
{
	unsigned round, seen_low[3] = {0};

	/* Until each exchange has had the lowest nonce at least once. */
	for (round = 0; round < 40 && !(seen_low[1] && seen_low[2]); round++) {
		struct seen i1, r1, i2, r2;
		struct ike_sa *ms, *ss;
		const struct seen *wi, *wr;
		int lo;

		setup_pair("aes128gcm16-prfsha256-ecp256", "aes128gcm16",
			   "aes128gcm16-prfsha256-ecp256", "aes128gcm16", false,
			   "x", "x");
		bring_up();
		ck_assert_int_eq(ike_rekey(moon.e, now, 1), 0);
		ck_assert_int_eq(ike_rekey(sun.e, now, 1), 0);
		cross_requests(&i1, &r1, &i2, &r2);
		pump();
		advance();
		pump();
		advance();
		lo = lowest_exchange(&i1, &r1, &i2, &r2);
		seen_low[lo]++;
		wi = lo == 1 ? &i2 : &i1;
		wr = lo == 1 ? &r2 : &r1;
		ms = est_sa(&moon);
		ss = est_sa(&sun);
		ck_assert_mem_eq(ms->spi_i, wi->spi, 8);
		ck_assert_mem_eq(ms->spi_r, wr->spi, 8);
		ck_assert_mem_eq(ss->spi_i, wi->spi, 8);
		ck_assert_mem_eq(ss->spi_r, wr->spi, 8);
		/* Exchange 1 was moon's. */
		ck_assert(ms->initiator == (lo == 2));
		ck_assert(ss->initiator == (lo == 1));
		ck_assert_uint_eq(moon.e->n_sas, 1);
		ck_assert_uint_eq(sun.e->n_sas, 1);
		ck_assert_uint_eq(live(&moon) + live(&sun), 2);
		ck_assert_ptr_nonnull(ms->children);
		ck_assert_ptr_nonnull(ss->children);
		ck_assert(!has_event(&moon, IKE_EV_IKE_DOWN));
		ck_assert(!has_event(&sun, IKE_EV_IKE_DOWN));
		ck_assert(!has_event(&moon, IKE_EV_CHILD_DOWN));
		child_rekey_keyed_by_exchange(&moon, &sun);
		teardown_pair();
	}
	ck_assert(seen_low[1] && seen_low[2]);
}
END_TEST

/* The host moves one side's old IKE SA (ike_sa_move, a NAT rebinding)
 * while both rekeys of it are being settled, the CHILD SA waiting on the
 * SA the peer's rekey made: whichever IKE SA survives holds the CHILD SA
 * at its own endpoints, where the kernel has it. */
START_TEST(ike_sa_move_during_simultaneous_rekeys)
{
	unsigned round, seen_low[3] = {0};

	for (round = 0; round < 40 && !(seen_low[1] && seen_low[2]); round++) {
		struct seen i1, r1, i2, r2;
		struct ike_endpoint l, r;
		const struct installed *m;
		struct ike_sa *ms;

		setup_pair("aes128gcm16-prfsha256-ecp256", "aes128gcm16",
			   "aes128gcm16-prfsha256-ecp256", "aes128gcm16", false,
			   "x", "x");
		bring_up();
		ck_assert_int_eq(ike_rekey(moon.e, now, 1), 0);
		ck_assert_int_eq(ike_rekey(sun.e, now, 1), 0);
		cross_requests(&i1, &r1, &i2, &r2);
		l = moon.addr;
		r = sun.addr;
		((struct sockaddr_in *)&l.ss)->sin_port = htons(4500);
		((struct sockaddr_in *)&r.ss)->sin_port = htons(4500);
		ck_assert_int_eq(ike_sa_move(moon.e, now, 1, &l, &r), 0);
		pump();
		advance();
		pump();
		advance();
		seen_low[lowest_exchange(&i1, &r1, &i2, &r2)]++;
		ms = est_sa(&moon);
		m = only_live(&moon);
		ck_assert_mem_eq(&ms->local, &l, sizeof(l));
		ck_assert_mem_eq(&ms->remote, &r, sizeof(r));
		ck_assert_mem_eq(&m->ci.local, &l, sizeof(l));
		ck_assert_mem_eq(&m->ci.remote, &r, sizeof(r));
		teardown_pair();
	}
	ck_assert(seen_low[1] && seen_low[2]);
}
END_TEST

static void
name_of_sa(void *ctx, const struct ike_sa_info *sa)
{
	snprintf(ctx, IKE_NAME_MAX, "%s", sa->conn);
}

/* A connection for IKEv1 is not started (there is no IKEv1 yet), and says
 * so; one for IKEv2 explicitly starts like one left at 0. */
START_TEST(v1_connection_not_initiated)
{
	static struct ike_conn_cfg c;

	setup_pair("aes128gcm16-prfsha256-ecp256", "aes128gcm16",
		   "aes128gcm16-prfsha256-ecp256", "aes128gcm16", false, "x",
		   "x");
	conn_cfg(&c, &moon, &sun, "aes128gcm16-prfsha256-ecp256", "aes128gcm16",
		 false);
	c.children[0].start = true;
	c.version = 1;
	ck_assert_int_eq(ike_engine_set_conns(moon.e, &c, 1, now), 0);
	/* Main Mode has no AES-GCM (no IKEv1 number in phase 1): nothing
	 * to offer, nothing sent. */
	ck_assert_uint_eq(ike_initiate(moon.e, now, "site", NULL), 0);
	ck_assert_ptr_nonnull(
	    strstr(moon.last_log, "has no proposal Main Mode can offer"));
	ck_assert_uint_eq(q_len, 0);
	ike_tick(moon.e, now);
	ck_assert_uint_eq(moon.e->n_sas, 0);
	c.version = 2;
	ck_assert_int_eq(ike_engine_set_conns(moon.e, &c, 1, now), 0);
	bring_up();
	ck_assert(has_event(&moon, IKE_EV_IKE_UP));
	ck_assert(has_event(&sun, IKE_EV_IKE_UP));
	teardown_pair();
}
END_TEST

/* The IKEv2 responder looks at connections for version 2 or either (0)
 * only: an IKEv1 one fits no IKE_SA_INIT, however exact its addresses. */
START_TEST(v2_responder_skips_v1_connections)
{
	static struct ike_conn_cfg c[2];
	static struct datagram d;
	char name[IKE_NAME_MAX] = "";
	struct msg m;

	setup_pair("aes128gcm16-prfsha256-ecp256", "aes128gcm16",
		   "aes128gcm16-prfsha256-ecp256", "aes128gcm16", false, "x",
		   "x");
	conn_cfg(&c[0], &sun, &moon, "aes128gcm16-prfsha256-ecp256",
		 "aes128gcm16", false);
	c[0].version = 1;
	ck_assert_int_eq(ike_engine_set_conns(sun.e, c, 1, now), 0);
	ck_assert_uint_gt(ike_initiate(moon.e, now, "site", NULL), 0);
	ck_assert_uint_eq(q_len, 1);
	d = queue[0];
	q_len = 0;
	ike_input(sun.e, now, &d.to, &d.from, d.data, d.len);
	only_answer(&m);
	ck_assert_uint_eq(notify_of(&m), IKEV2_N_NO_PROPOSAL_CHOSEN);
	ck_assert_uint_eq(sun.e->n_sas, 0);
	teardown_pair();

	/* Beside a version-0 connection for %any, the IKEv1 one with the
	 * exact addresses is passed over. */
	setup_pair("aes128gcm16-prfsha256-ecp256", "aes128gcm16",
		   "aes128gcm16-prfsha256-ecp256", "aes128gcm16", false, "x",
		   "x");
	conn_cfg(&c[0], &sun, &moon, "aes128gcm16-prfsha256-ecp256",
		 "aes128gcm16", false);
	snprintf(c[0].name, sizeof(c[0].name), "legacy");
	c[0].version = 1;
	conn_cfg(&c[1], &sun, &moon, "aes128gcm16-prfsha256-ecp256",
		 "aes128gcm16", false);
	memset(&c[1].remote, 0, sizeof(c[1].remote));
	ck_assert_int_eq(ike_engine_set_conns(sun.e, c, 2, now), 0);
	bring_up();
	ck_assert(has_event(&sun, IKE_EV_IKE_UP));
	ike_list_sas(sun.e, NULL, name_of_sa, name);
	ck_assert_str_eq(name, "site");
	teardown_pair();
}
END_TEST

Suite *
engine_suite(void)
{
	Suite *s = suite_create("engine");
	TCase *tc = tcase_create("two engines");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, v1_connection_not_initiated);
	tcase_add_test(tc, v2_responder_skips_v1_connections);
	tcase_add_test(tc, psk_tunnel_gcm_ecp256);
	tcase_add_test(tc, psk_transport_cbc_modp3072);
	tcase_add_test(tc, psk_curve25519_and_ecp384);
	tcase_add_test(tc, wrong_psk_fails_cleanly);
	tcase_add_test(tc, proposal_mismatch_explained);
	tcase_add_test(tc, invalid_ke_retry);
	tcase_add_test(tc, invalid_ke_answered_twice);
	tcase_add_test(tc, lost_auth_response);
	tcase_add_test(tc, silent_peer_gives_up_with_backoff);
	tcase_add_test(tc, terminate_removes_everything);
	tcase_add_test(tc, child_refused_keeps_ike_sa);
	tcase_add_test(tc, ts_mismatch_is_ts_unacceptable);
	tcase_add_test(tc, garbage_and_replays_are_harmless);
	tcase_add_test(tc, list_sas_shows_the_negotiation);
	tcase_add_test(tc, create_child_sa_with_pfs);
	tcase_add_test(tc, keyingtries_then_give_up);
	tcase_add_test(tc, terminate_one_child);
	tcase_add_test(tc, responder_switches_connection_by_id);
	tcase_add_test(tc, reload_compares_configs_deeply);
	tcase_add_test(tc, responder_answers_bad_requests);
	tcase_add_test(tc, child_sa_rekeyed_on_time);
	tcase_add_test(tc, ike_sa_rekeyed_on_time);
	tcase_add_test(tc, rekey_on_demand_with_events);
	tcase_add_test(tc, half_open_sa_expires);
	tcase_add_test(tc, cookie_under_load);
	tcase_add_test(tc, child_rekey_by_ike_responder_keys_by_exchange);
	tcase_add_test(tc, child_rekey_by_ike_responder_with_pfs);
	tcase_add_test(tc, ike_rekey_by_ike_responder_keys_by_exchange);
	tcase_add_test(tc, simultaneous_child_rekeys_keep_one_pair);
	tcase_add_test(tc, simultaneous_child_deletes);
	tcase_add_test(tc, rekey_crossing_delete);
	tcase_add_test(tc, rekey_answer_after_delete_is_cleaned_up);
	tcase_add_test(tc, simultaneous_ike_rekeys_keep_one);
	tcase_add_test(tc, ike_sa_move_during_simultaneous_rekeys);
	suite_add_tcase(s, tc);
	return s;
}
