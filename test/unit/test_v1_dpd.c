/* SPDX-License-Identifier: ISC */
/*
 * IKEv1 Dead Peer Detection (RFC 3706) between two engines through
 * engine_harness.c: the vendor IDs of phase 1 (Main and Aggressive
 * Mode), R-U-THERE answered with the ACK of its sequence number, a check
 * completed by the right ACK only, retransmitted when its ACK is lost,
 * and ending the SA ("peer not responding") when nothing comes; a peer
 * without the DPD vendor ID is not asked; forged, unprotected, replayed
 * and malformed R-U-THEREs change nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <openssl/evp.h>

#include "engine_harness.h"
#include "ike_int.h"
#include "testutil.h"

/* moon initiates, version 1, Main Mode or (aggr) Aggressive Mode; both
 * hosts count the log lines with watch from the start. */
static unsigned
up_watching(bool aggr, const char *watch)
{
	static struct ike_conn_cfg c;
	unsigned id;

	setup_pair("aes128-sha256-modp2048", "aes128-sha256",
		   "aes128-sha256-modp2048", "aes128-sha256", false, "k", "k");
	moon.watch = sun.watch = watch;
	conn_cfg(&c, &moon, &sun, "aes128-sha256-modp2048", "aes128-sha256",
		 false);
	c.version = 1;
	c.aggressive = aggr;
	ck_assert_int_eq(ike_engine_set_conns(moon.e, &c, 1, now), 0);
	conn_cfg(&c, &sun, &moon, "aes128-sha256-modp2048", "aes128-sha256",
		 false);
	c.version = 1;
	c.aggressive = aggr;
	ck_assert_int_eq(ike_engine_set_conns(sun.e, &c, 1, now), 0);
	id = ike_initiate(moon.e, now, "site", NULL);
	ck_assert_uint_gt(id, 0);
	pump();
	ck_assert_uint_eq(first_sa(&moon)->state, IKE_SA_ESTABLISHED);
	ck_assert_uint_eq(first_sa(&sun)->state, IKE_SA_ESTABLISHED);
	return id;
}

static unsigned
up(bool aggr)
{
	return up_watching(aggr, NULL);
}

static struct host *
other(const struct host *h)
{
	return h == &moon ? &sun : &moon;
}

/* Take the first queued datagram off, delivered or not. */
static void
step(bool deliver)
{
	struct datagram d;
	struct host *to;

	ck_assert_uint_gt(q_len, 0);
	d = queue[0];
	memmove(queue, queue + 1, (q_len - 1) * sizeof(queue[0]));
	q_len--;
	if (deliver) {
		to = host_at(&d.to);
		ike_input(to->e, now, &d.to, &d.from, d.data, d.len);
	}
}

static unsigned
n_events(const struct host *h, enum ike_event_type t, const char *reason)
{
	unsigned i, n = 0;

	for (i = 0; i < h->n_ev; i++)
		n += h->ev[i] == t &&
		     (!reason || strcmp(h->ev_reason[i], reason) == 0);
	return n;
}

/* An R-U-THERE(-ACK) with sequence number seq from h's SA to its peer,
 * through the Informational API (a message as h would send it). */
static void
send_dpd(struct host *h, uint16_t type, uint32_t seq)
{
	struct ike_sa *sa = first_sa(h);
	uint8_t spi[16], data[4];

	memcpy(spi, sa->spi_i, 8);
	memcpy(spi + 8, sa->spi_r, 8);
	data[0] = (uint8_t)(seq >> 24);
	data[1] = (uint8_t)(seq >> 16);
	data[2] = (uint8_t)(seq >> 8);
	data[3] = (uint8_t)seq;
	ck_assert_int_eq(v1_info_notify(h->e, sa, type, IKEV1_PROTO_ISAKMP, spi,
					16, (struct bytes){data, 4}),
			 0);
}

/* --- vendor IDs --------------------------------------------------------- */

/* Each side sends the DPD vendor ID in its first message and learns the
 * other's, with one line (_i 0: Main Mode, 1: Aggressive Mode). */
START_TEST(dpd_vendor_id_in_phase_1)
{
	up_watching(_i == 1, "peer sent vendor IDs: DPD (RFC 3706)");
	ck_assert(first_sa(&moon)->v1.peer_dpd);
	ck_assert(first_sa(&sun)->v1.peer_dpd);
	ck_assert_uint_eq(moon.logs_with, 1);
	ck_assert_uint_eq(sun.logs_with, 1);
	teardown_pair();
}
END_TEST

/* A message 1 with the VIDs put() writes, framed, read by v1_vid on
 * moon's SA (its flag cleared first). */
static void
read_vids(void (*put)(struct msg_builder *b))
{
	static uint8_t buf[4096];
	static struct msg_v1 m;
	struct ike_sa *sa = first_sa(&moon);
	struct ike_err err = {0};
	struct msg_builder b;
	struct ike_hdr h;
	size_t len;

	msg_v1_hdr_init(&h, sa->spi_i, NULL, IKEV1_EXCH_IDENT_PROT, 0, 0);
	msg_build_init(&b, buf, sizeof(buf), &h);
	put(&b);
	len = msg_build_finish(&b);
	ck_assert_uint_gt(len, 0);
	ck_assert_int_eq(msg_v1_frame(buf, len, &m, &err), 0);
	sa->v1.peer_dpd = false;
	v1_vid(moon.e, sa, &m, NULL);
}

static void
put_vid(struct msg_builder *b, const void *p, size_t len)
{
	struct pld_v1_data v = {{p, len}};

	pld_v1_vid_put(b, &v);
}

static void
put_mixed(struct msg_builder *b)
{
	static const uint8_t dpd[16] = {0xaf, 0xca, 0xd7, 0x13, 0x68, 0xa1,
					0xf1, 0xc9, 0x6b, 0x86, 0x96, 0xfc,
					0x77, 0x57, 0x01, 0x00};
	/* XAUTH's 8 octets, then Windows' with a version after the MD5 */
	static const uint8_t xauth[8] = {0x09, 0x00, 0x26, 0x89,
					 0xdf, 0xd6, 0xb7, 0x12};
	static const uint8_t ms[20] = {0x1e, 0x2b, 0x51, 0x69, 0x05, 0x99, 0x1c,
				       0x7d, 0x7c, 0x96, 0xfc, 0xbf, 0xb5, 0x87,
				       0xe4, 0x61, 0x00, 0x00, 0x00, 0x09};

	put_vid(b, "unknown vendor", 14);
	put_vid(b, dpd, sizeof(dpd));
	put_vid(b, xauth, sizeof(xauth));
	put_vid(b, ms, sizeof(ms));
}

/* More than we read: 20 unknown, and the DPD one past the bound. */
static void
put_many(struct msg_builder *b)
{
	static const uint8_t dpd[16] = {0xaf, 0xca, 0xd7, 0x13, 0x68, 0xa1,
					0xf1, 0xc9, 0x6b, 0x86, 0x96, 0xfc,
					0x77, 0x57, 0x01, 0x00};
	unsigned i;

	for (i = 0; i < 20; i++)
		put_vid(b, "x", 1);
	put_vid(b, dpd, sizeof(dpd));
}

static void
put_none(struct msg_builder *b)
{
	static const uint8_t nonce[16] = {1};
	struct pld_v1_data n = {{nonce, sizeof(nonce)}};

	pld_v1_nonce_put(b, &n);
}

/* The peer's vendor IDs: the known ones named in one line, the others
 * counted; reading stops at a bound; none, no flag and no line. */
START_TEST(peer_vendor_ids_are_read_bounded)
{
	up(false);
	moon.watch = "peer sent vendor IDs: DPD (RFC 3706), XAUTH, Windows (MS "
		     "NT5 ISAKMPOAKLEY), 1 unknown";
	moon.logs_with = 0;
	read_vids(put_mixed);
	ck_assert(first_sa(&moon)->v1.peer_dpd);
	ck_assert_uint_eq(moon.logs_with, 1);

	moon.watch = "peer sent vendor IDs: 21 unknown";
	moon.logs_with = 0;
	read_vids(put_many);
	ck_assert(!first_sa(&moon)->v1.peer_dpd);
	ck_assert_uint_eq(moon.logs_with, 1);

	moon.watch = "vendor IDs";
	moon.logs_with = 0;
	read_vids(put_none);
	ck_assert(!first_sa(&moon)->v1.peer_dpd);
	ck_assert_uint_eq(moon.logs_with, 0);
	teardown_pair();
}
END_TEST

/* The table's MD5-derived IDs are what their strings hash to. */
START_TEST(known_vendor_ids_are_their_md5)
{
	static const struct {
		const char *text, *name;
	} t[] = {
	    {"strongSwan", "strongSwan"},
	    {"RFC 3947", "NAT-T (RFC 3947)"},
	    {"draft-ietf-ipsec-nat-t-ike-02", "NAT-T (draft 02)"},
	    {"draft-ietf-ipsec-nat-t-ike-02\n", "NAT-T (draft 02n)"},
	    {"draft-ietf-ipsec-nat-t-ike-03", "NAT-T (draft 03)"},
	    {"MS NT5 ISAKMPOAKLEY", "Windows (MS NT5 ISAKMPOAKLEY)"},
	    {"MS-Negotiation Discovery Capable",
	     "Windows (Negotiation Discovery Capable)"},
	    {"Vid-Initial-Contact", "Windows (Vid-Initial-Contact)"},
	    {"IKE CGA version 1", "Windows (IKE CGA version 1)"},
	    {"draft-ietf-ipsra-isakmp-xauth-06.txt", "XAUTH"},
	    {"CISCO-UNITY", "Cisco Unity"},
	    {"FRAGMENTATION", "IKE fragmentation"},
	};
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned i, md_len;
	const char *name;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		ck_assert_int_eq(EVP_Digest(t[i].text, strlen(t[i].text), md,
					    &md_len, EVP_md5(), NULL),
				 1);
		name = v1_vid_name((struct bytes){md, md_len});
		ck_assert_ptr_nonnull(name);
		ck_assert_str_eq(name, t[i].name);
	}
	md[0] ^= 1;
	ck_assert_ptr_null(v1_vid_name((struct bytes){md, md_len}));
	ck_assert_ptr_null(v1_vid_name((struct bytes){md, 0}));
}
END_TEST

/* --- R-U-THERE and its ACK ---------------------------------------------- */

/* Either side asks (_i 0: moon, the initiator; 1: sun): one R-U-THERE,
 * one ACK of its number, the check done and the peer heard now. */
START_TEST(r_u_there_is_answered)
{
	struct host *h = _i ? &sun : &moon, *p = other(h);
	struct ike_sa *sa;
	uint32_t seq;

	up(false);
	sa = first_sa(h);
	now += 60000;
	ck_assert_int_eq(ike_liveness(h->e, now, sa->id), 0);
	ck_assert_uint_eq(q_len, 1);
	ck_assert_uint_ne(sa->v1.dpd_deadline, 0);
	seq = sa->v1.dpd_seq;
	p->watch = "answering with R-U-THERE-ACK";
	h->watch = "answered R-U-THERE";
	step(true); /* R-U-THERE to the peer */
	ck_assert_uint_eq(p->logs_with, 1);
	ck_assert_uint_eq(first_sa(p)->v1.dpd_peer_seq, seq);
	ck_assert_uint_eq(first_sa(p)->last_heard, now);
	ck_assert_uint_eq(q_len, 1);
	now += 10;
	step(true); /* the ACK back */
	ck_assert_uint_eq(h->logs_with, 1);
	ck_assert_uint_eq(sa->v1.dpd_deadline, 0);
	ck_assert_uint_eq(sa->last_heard, now);
	ck_assert_uint_eq(q_len, 0);
	/* Nothing more to do: no retransmission comes. */
	advance();
	ck_assert_uint_eq(q_len, 0);
	/* The next check has the next number. */
	ck_assert_int_eq(ike_liveness(h->e, now, sa->id), 0);
	ck_assert_uint_eq(sa->v1.dpd_seq, seq + 1);
	pump();
	ck_assert_uint_eq(sa->v1.dpd_deadline, 0);
	ck_assert_uint_eq(sa->state, IKE_SA_ESTABLISHED);
	ck_assert_uint_eq(first_sa(p)->state, IKE_SA_ESTABLISHED);
	teardown_pair();
}
END_TEST

/* An ACK whose number is not our check's completes nothing and is not
 * hearing from the peer; the right one then does. */
START_TEST(ack_with_wrong_sequence_is_ignored)
{
	struct ike_sa *sa;
	uint64_t heard;
	uint32_t seq;

	up(false);
	sa = first_sa(&moon);
	now += 60000;
	heard = sa->last_heard;
	ck_assert_int_eq(ike_liveness(moon.e, now, sa->id), 0);
	seq = sa->v1.dpd_seq;
	step(false); /* our R-U-THERE lost */
	moon.watch = "is not for our R-U-THERE";
	send_dpd(&sun, IKEV1_N_R_U_THERE_ACK, seq + 1);
	send_dpd(&sun, IKEV1_N_R_U_THERE_ACK, seq - 1);
	pump();
	ck_assert_uint_eq(moon.logs_with, 2);
	ck_assert_uint_ne(sa->v1.dpd_deadline, 0);
	ck_assert_uint_eq(sa->last_heard, heard);
	send_dpd(&sun, IKEV1_N_R_U_THERE_ACK, seq);
	pump();
	ck_assert_uint_eq(sa->v1.dpd_deadline, 0);
	ck_assert_uint_eq(sa->last_heard, now);
	/* An ACK when no check is out: nothing. */
	moon.watch = "while no R-U-THERE of ours is out";
	moon.logs_with = 0;
	now += 1000;
	send_dpd(&sun, IKEV1_N_R_U_THERE_ACK, seq);
	pump();
	ck_assert_uint_eq(moon.logs_with, 1);
	ck_assert_uint_eq(sa->last_heard, now - 1000);
	teardown_pair();
}
END_TEST

/* The ACK lost: the check goes again on the engine's back-off with the
 * next number; its ACK completes it. A late ACK of the first number
 * counts too. */
START_TEST(lost_ack_is_retried)
{
	struct ike_sa *sa;
	uint32_t seq;
	uint64_t t0;

	up(false);
	sa = first_sa(&moon);
	now += 60000;
	t0 = now;
	ck_assert_int_eq(ike_liveness(moon.e, now, sa->id), 0);
	seq = sa->v1.dpd_seq;
	step(true);  /* R-U-THERE reaches sun */
	step(false); /* its ACK is lost */
	ck_assert_uint_eq(q_len, 0);
	advance();
	ck_assert_uint_gt(now, t0);
	ck_assert_uint_eq(q_len, 1);
	ck_assert_uint_eq(sa->v1.dpd_seq, seq + 1);
	ck_assert_uint_eq(sa->v1.dpd_tries, 1);
	pump();
	ck_assert_uint_eq(sa->v1.dpd_deadline, 0);
	ck_assert_uint_eq(sa->last_heard, now);
	ck_assert_uint_eq(sa->state, IKE_SA_ESTABLISHED);

	/* Again; this time the first ACK arrives late, after the
	 * retransmission went out. */
	ck_assert_int_eq(ike_liveness(moon.e, now, sa->id), 0);
	seq = sa->v1.dpd_seq;
	step(true); /* R-U-THERE seq reaches sun; its ACK waits */
	advance();  /* moon resends seq + 1 */
	ck_assert_uint_eq(sa->v1.dpd_seq, seq + 1);
	ck_assert_uint_eq(q_len, 2);
	step(true); /* the ACK of seq: alive */
	ck_assert_uint_eq(sa->v1.dpd_deadline, 0);
	pump();
	ck_assert_uint_eq(sa->state, IKE_SA_ESTABLISHED);
	teardown_pair();
}
END_TEST

/* Nothing comes back: after the engine's tries the SA goes, as an IKEv2
 * SA whose request is never answered: IKE_DOWN "peer not responding"
 * (what the dpd plugin acts on), its children uninstalled. */
START_TEST(dead_peer_kills_the_sa)
{
	struct ike_sa *sa;
	unsigned sent, i, id;

	up(false);
	sa = first_sa(&moon);
	id = sa->id;
	now += 60000;
	ck_assert_int_eq(ike_liveness(moon.e, now, id), 0);
	moon.watch = "did not answer R-U-THERE";
	sent = 1;
	/* By id: the SA is freed at a tick after it died. */
	for (i = 0; i < 20 && (sa = sa_by_id(moon.e, id)) &&
		    sa->state == IKE_SA_ESTABLISHED;
	     i++) {
		while (q_len)
			step(false);
		advance();
		sent += q_len;
	}
	ck_assert_uint_eq(moon.logs_with, 1);
	ck_assert_uint_eq(sent, 1 + moon.e->rt_tries);
	ck_assert_uint_eq(
	    n_events(&moon, IKE_EV_IKE_DOWN, "peer not responding"), 1);
	ck_assert_uint_eq(q_len, 0); /* no DELETE to a dead peer */
	ike_tick(moon.e, now);
	ck_assert_uint_eq(moon.e->n_sas, 0);
	teardown_pair();
}
END_TEST

/* A peer that did not send the DPD vendor ID is not asked: -1 and a
 * warning once, then debug lines; nothing is sent. */
START_TEST(peer_without_dpd_is_not_asked)
{
	struct ike_sa *sa;

	up(false);
	sa = first_sa(&moon);
	sa->v1.peer_dpd = false;
	moon.watch = "peer did not announce DPD (RFC 3706)";
	ck_assert_int_eq(ike_liveness(moon.e, now, sa->id), -1);
	ck_assert_int_eq(ike_liveness(moon.e, now, sa->id), -1);
	ck_assert_uint_eq(moon.logs_with, 2);
	ck_assert(sa->v1.dpd_said);
	ck_assert_uint_eq(q_len, 0);
	ck_assert_uint_eq(sa->v1.dpd_deadline, 0);
	/* It is still answered when it asks. */
	send_dpd(&sun, IKEV1_N_R_U_THERE, 5);
	ck_assert_uint_eq(q_len, 1);
	step(true);
	ck_assert_uint_eq(q_len, 1);
	step(true);
	ck_assert_uint_eq(sa->state, IKE_SA_ESTABLISHED);
	teardown_pair();
}
END_TEST

/* What must not be answered nor count as the peer: an unprotected
 * R-U-THERE, one whose ciphertext was changed (HASH(1) fails), and one
 * not naming this SA's cookies; a replayed one is answered (harmless)
 * but is not hearing from the peer. */
START_TEST(forged_r_u_there_is_dropped)
{
	struct ike_sa *s;
	struct datagram d;
	uint8_t buf[512], spi[16], seq[4] = {0, 0, 1, 0};
	uint8_t zero[32] = {0};
	struct pld_v1_data hash = {{zero, 32}};
	struct pld_v1_notify n = {IKEV1_DOI_IPSEC, IKEV1_PROTO_ISAKMP, 16,
				  IKEV1_N_R_U_THERE};
	struct msg_builder b;
	struct ike_hdr h;
	uint64_t heard;
	size_t len;

	up(false);
	s = first_sa(&sun);
	now += 60000;
	heard = s->last_heard;

	/* Unprotected: HASH and N in the clear. */
	memcpy(spi, s->spi_i, 8);
	memcpy(spi + 8, s->spi_r, 8);
	n.spi = (struct bytes){spi, 16};
	n.data = (struct bytes){seq, 4};
	msg_v1_hdr_init(&h, s->spi_i, s->spi_r, IKEV1_EXCH_INFORMATIONAL, 0,
			0x11223344);
	msg_build_init(&b, buf, sizeof(buf), &h);
	pld_v1_hash_put(&b, &hash);
	pld_v1_notify_put(&b, &n);
	len = msg_build_finish(&b);
	ck_assert_uint_gt(len, 0);
	ike_input(sun.e, now, &sun.addr, &moon.addr, buf, len);
	ck_assert_uint_eq(q_len, 0);

	/* Protected by moon, then a bit of its ciphertext flipped. */
	send_dpd(&moon, IKEV1_N_R_U_THERE, 0x100);
	ck_assert_uint_eq(q_len, 1);
	d = queue[0];
	q_len = 0;
	d.data[d.len - 1] ^= 0x01;
	ike_input(sun.e, now, &d.to, &d.from, d.data, d.len);
	ck_assert_uint_eq(q_len, 0);
	ck_assert_uint_eq(s->last_heard, heard);

	/* Protected, but naming other cookies: a warning, no answer. */
	sun.watch = "this SA's cookies";
	memset(spi, 0x5a, sizeof(spi));
	ck_assert_int_eq(v1_info_notify(moon.e, first_sa(&moon),
					IKEV1_N_R_U_THERE, IKEV1_PROTO_ISAKMP,
					spi, 16, (struct bytes){seq, 4}),
			 0);
	pump();
	ck_assert_uint_eq(sun.logs_with, 1);
	ck_assert_uint_eq(s->last_heard, heard);

	/* The real one, answered and heard; its replay answered, not
	 * heard. */
	send_dpd(&moon, IKEV1_N_R_U_THERE, 0x100);
	d = queue[0];
	step(true);
	ck_assert_uint_eq(s->last_heard, now);
	ck_assert_uint_eq(q_len, 1);
	step(true);
	now += 5000;
	ike_input(sun.e, now, &d.to, &d.from, d.data, d.len);
	ck_assert_uint_eq(q_len, 1);
	ck_assert_uint_eq(s->last_heard, now - 5000);
	pump();
	ck_assert_uint_eq(s->state, IKE_SA_ESTABLISHED);
	teardown_pair();
}
END_TEST

Suite *
v1_dpd_suite(void)
{
	Suite *s = suite_create("v1_dpd");
	TCase *tc = tcase_create("dpd");

	tcase_add_loop_test(tc, dpd_vendor_id_in_phase_1, 0, 2);
	tcase_add_test(tc, peer_vendor_ids_are_read_bounded);
	tcase_add_test(tc, known_vendor_ids_are_their_md5);
	tcase_add_loop_test(tc, r_u_there_is_answered, 0, 2);
	tcase_add_test(tc, ack_with_wrong_sequence_is_ignored);
	tcase_add_test(tc, lost_ack_is_retried);
	tcase_add_test(tc, dead_peer_kills_the_sa);
	tcase_add_test(tc, peer_without_dpd_is_not_asked);
	tcase_add_test(tc, forged_r_u_there_is_dropped);
	suite_add_tcase(s, tc);
	return s;
}
