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
	memcpy(c[0].remote_id.data, "venus.example.org", c[0].remote_id.len);
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

Suite *
engine_suite(void)
{
	Suite *s = suite_create("engine");
	TCase *tc = tcase_create("two engines");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, psk_tunnel_gcm_ecp256);
	tcase_add_test(tc, psk_transport_cbc_modp3072);
	tcase_add_test(tc, psk_curve25519_and_ecp384);
	tcase_add_test(tc, wrong_psk_fails_cleanly);
	tcase_add_test(tc, proposal_mismatch_explained);
	tcase_add_test(tc, invalid_ke_retry);
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
	tcase_add_test(tc, responder_answers_bad_requests);
	tcase_add_test(tc, child_sa_rekeyed_on_time);
	tcase_add_test(tc, ike_sa_rekeyed_on_time);
	tcase_add_test(tc, rekey_on_demand_with_events);
	tcase_add_test(tc, half_open_sa_expires);
	tcase_add_test(tc, cookie_under_load);
	suite_add_tcase(s, tc);
	return s;
}
