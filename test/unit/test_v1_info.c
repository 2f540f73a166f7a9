/* SPDX-License-Identifier: ISC */
/*
 * IKEv1 Informational exchanges (RFC 2408 4.8, 5.15; RFC 2409 5.7)
 * between two engines (moon initiated the ISAKMP SA, sun answered)
 * through engine_harness.c: DELETE of the ISAKMP SA and of CHILD SAs
 * from either side, INITIAL-CONTACT, error and DPD notifies, and what
 * must change nothing: a HASH(1) that does not verify, a flipped
 * ciphertext bit, an unprotected DELETE, malformed or too many
 * payloads. Messages the tests forge are built here from the SA's keys
 * with keymat_v1.h, independently of v1_info.c's builder.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "engine_harness.h"
#include "ike_int.h"
#include "testutil.h"

/* moon's SPIs are 0xc...: its inbound; sun's 0xd... */
#define MOON_IN(k) (0xc0000000u + (k))
#define SUN_IN(k)  (0xd0000000u + (k))

static unsigned
up(void)
{
	static struct ike_conn_cfg c;
	unsigned id;

	setup_pair("aes128-sha256-modp2048", "aes128-sha256",
		   "aes128-sha256-modp2048", "aes128-sha256", false, "k", "k");
	conn_cfg(&c, &moon, &sun, "aes128-sha256-modp2048", "aes128-sha256",
		 false);
	c.version = 1;
	ck_assert_int_eq(ike_engine_set_conns(moon.e, &c, 1, now), 0);
	conn_cfg(&c, &sun, &moon, "aes128-sha256-modp2048", "aes128-sha256",
		 false);
	c.version = 1;
	ck_assert_int_eq(ike_engine_set_conns(sun.e, &c, 1, now), 0);
	id = ike_initiate(moon.e, now, "site", NULL);
	ck_assert_uint_gt(id, 0);
	pump();
	ck_assert_uint_eq(first_sa(&moon)->state, IKE_SA_ESTABLISHED);
	ck_assert_uint_eq(first_sa(&sun)->state, IKE_SA_ESTABLISHED);
	return id;
}

/* A CHILD SA pair added by hand, as Quick Mode will leave it: moon's
 * inbound SPI is sun's outbound and the other way round; the fake
 * kernel holds both. Returns moon's child. */
static struct child_sa *
add_child(struct ike_sa *m, struct ike_sa *s, unsigned k)
{
	struct child_sa *cm = child_new(m, 0), *cs = child_new(s, 0);

	ck_assert_ptr_nonnull(cm);
	ck_assert_ptr_nonnull(cs);
	cm->spi_in = cs->spi_out = MOON_IN(k);
	cm->spi_out = cs->spi_in = SUN_IN(k);
	cm->installed = cs->installed = true;
	cm->reqid = cs->reqid = k;
	ck_assert_uint_lt(moon.n_inst, MAX_INST);
	ck_assert_uint_lt(sun.n_inst, MAX_INST);
	memset(&moon.inst[moon.n_inst], 0, sizeof(moon.inst[0]));
	moon.inst[moon.n_inst].ci.spi_in = MOON_IN(k);
	moon.inst[moon.n_inst++].live = true;
	memset(&sun.inst[sun.n_inst], 0, sizeof(sun.inst[0]));
	sun.inst[sun.n_inst].ci.spi_in = SUN_IN(k);
	sun.inst[sun.n_inst++].live = true;
	return cm;
}

/* Whether the fake kernel of h still holds the SA of inbound SPI spi. */
static bool
kernel_has(const struct host *h, uint32_t spi)
{
	unsigned i;

	for (i = 0; i < h->n_inst; i++)
		if (h->inst[i].ci.spi_in == spi)
			return h->inst[i].live;
	ck_abort_msg("no such SPI in the fake kernel");
	return false;
}

static unsigned
n_children(const struct ike_sa *sa)
{
	const struct child_sa *c;
	unsigned n = 0;

	for (c = sa->children; c; c = c->next)
		n++;
	return n;
}

static unsigned
n_events(const struct host *h, enum ike_event_type t)
{
	unsigned i, n = 0;

	for (i = 0; i < h->n_ev; i++)
		n += h->ev[i] == t;
	return n;
}

/* --- messages forged from moon's SA ------------------------------------ */

enum forge {
	FORGE_OK,       /* what moon itself would send */
	FORGE_BAD_HASH, /* HASH(1) one bit off */
	FORGE_NO_HASH,  /* encrypted, but no HASH payload first */
	FORGE_CLEAR,    /* HASH(1) right, but not encrypted */
};

/* An Informational of moon's SA with the payloads put() writes after
 * HASH(1), delivered to sun. */
static void
forge(void (*put)(struct msg_builder *b), enum forge how)
{
	struct ike_sa *sa = first_sa(&moon);
	const struct prf_alg *prf = sa->v1.suite.prf;
	static uint8_t buf[4096], ct[4096];
	const uint32_t mid = 0x5eed1234;
	struct pld_v1_data hash;
	uint8_t zero[V1_HASH_MAX] = {0};
	struct msg_builder b;
	struct ike_hdr h;
	struct v1_iv iv;
	size_t len, at, ct_len;

	msg_v1_hdr_init(&h, sa->spi_i, sa->spi_r, IKEV1_EXCH_INFORMATIONAL,
			how == FORGE_CLEAR ? 0 : IKEV1_FLAG_ENCRYPTION, mid);
	msg_build_init(&b, buf, sizeof(buf), &h);
	hash.data = (struct bytes){zero, prf->out_len};
	if (how != FORGE_NO_HASH)
		pld_v1_hash_put(&b, &hash);
	put(&b);
	len = msg_build_finish(&b);
	ck_assert_uint_gt(len, 0);
	if (how != FORGE_NO_HASH) {
		at = IKEV1_HDR_LEN + 4 + prf->out_len;
		ck_assert_int_eq(
		    keymat_v1_hash1(prf, sa->v1.keys.skeyid_a, mid,
				    (struct bytes){buf + at, len - at},
				    buf + IKEV1_HDR_LEN + 4),
		    0);
		if (how == FORGE_BAD_HASH)
			buf[IKEV1_HDR_LEN + 4 + 7] ^= 0x10;
	}
	if (how != FORGE_CLEAR) {
		ck_assert_int_eq(
		    v1_iv_phase2(&sa->v1.suite, &sa->v1.iv, mid, &iv), 0);
		ck_assert_int_eq(
		    v1_crypt_encrypt(&sa->v1.suite, sa->v1.keys.enc_key, &iv,
				     (struct bytes){buf + IKEV1_HDR_LEN,
						    len - IKEV1_HDR_LEN},
				     ct, sizeof(ct), &ct_len),
		    0);
		memcpy(buf + IKEV1_HDR_LEN, ct, ct_len);
		len = IKEV1_HDR_LEN + ct_len;
		buf[24] = (uint8_t)(len >> 24);
		buf[25] = (uint8_t)(len >> 16);
		buf[26] = (uint8_t)(len >> 8);
		buf[27] = (uint8_t)len;
	}
	ike_input(sun.e, now, &sun.addr, &moon.addr, buf, len);
}

static void
put_delete(struct msg_builder *b, uint8_t proto, uint8_t spi_size,
	   const uint8_t *spis, unsigned n)
{
	struct pld_v1_delete d = {IKEV1_DOI_IPSEC,
				  proto,
				  spi_size,
				  (uint16_t)n,
				  {spis, (size_t)spi_size * n}};

	pld_v1_delete_put(b, &d);
}

/* A D for the first child pair: moon's inbound SPI. */
static void
put_d_child1(struct msg_builder *b)
{
	uint8_t spi[4];

	spi4_put(spi, MOON_IN(1));
	put_delete(b, IKEV1_PROTO_IPSEC_ESP, 4, spi, 1);
}

static void
put_d_isakmp(struct msg_builder *b)
{
	const struct ike_sa *sa = first_sa(&moon);
	uint8_t spi[16];

	memcpy(spi, sa->spi_i, 8);
	memcpy(spi + 8, sa->spi_r, 8);
	put_delete(b, IKEV1_PROTO_ISAKMP, 16, spi, 1);
}

/* A D for an ISAKMP SA that is not this one: other cookies. */
static void
put_d_isakmp_other(struct msg_builder *b)
{
	uint8_t spi[16];

	memset(spi, 0x42, sizeof(spi));
	put_delete(b, IKEV1_PROTO_ISAKMP, 16, spi, 1);
}

/* Malformed: the child's D first, then a D whose SPI count says 3 but
 * whose body has one SPI. */
static void
put_d_bad_count(struct msg_builder *b)
{
	put_d_child1(b);
	msg_v1_pld_begin(b, IKEV1_PL_D);
	wbuf_u32(&b->w, IKEV1_DOI_IPSEC);
	wbuf_u8(&b->w, IKEV1_PROTO_IPSEC_ESP);
	wbuf_u8(&b->w, 4);
	wbuf_u16(&b->w, 3);
	wbuf_u32(&b->w, MOON_IN(1));
	msg_pld_end(b);
}

/* Malformed: the child's D, then an N whose SPI size overruns it. */
static void
put_n_bad_spi(struct msg_builder *b)
{
	put_d_child1(b);
	msg_v1_pld_begin(b, IKEV1_PL_N);
	wbuf_u32(&b->w, IKEV1_DOI_IPSEC);
	wbuf_u8(&b->w, IKEV1_PROTO_IPSEC_ESP);
	wbuf_u8(&b->w, 40);
	wbuf_u16(&b->w, IKEV1_N_INVALID_SPI);
	wbuf_u32(&b->w, 1);
	msg_pld_end(b);
}

/* Too many SPIs in one D: more than we take from one message. */
static void
put_d_many_spis(struct msg_builder *b)
{
	uint8_t spis[4 * 200];
	unsigned i;

	for (i = 0; i < 200; i++)
		spi4_put(spis + 4 * i, i == 0 ? MOON_IN(1) : 0x1000 + i);
	put_delete(b, IKEV1_PROTO_IPSEC_ESP, 4, spis, 200);
}

/* Too many payloads: the child's D and twenty status notifies. */
static void
put_many_payloads(struct msg_builder *b)
{
	struct pld_v1_notify n = {IKEV1_DOI_IPSEC, IKEV1_PROTO_ISAKMP, 0,
				  IKEV1_N_REPLAY_STATUS};
	unsigned i;

	put_d_child1(b);
	for (i = 0; i < 20; i++)
		pld_v1_notify_put(b, &n);
}

/* A payload an Informational does not carry (a Nonce) before the D. */
static void
put_nonce_and_d(struct msg_builder *b)
{
	uint8_t nb[16] = {1};
	struct pld_v1_data nonce = {{nb, sizeof(nb)}};

	pld_v1_nonce_put(b, &nonce);
	put_d_child1(b);
}

static void
put_n_invalid_spi(struct msg_builder *b)
{
	uint8_t spi[4];
	struct pld_v1_notify n = {IKEV1_DOI_IPSEC, IKEV1_PROTO_IPSEC_ESP, 4,
				  IKEV1_N_INVALID_SPI};

	spi4_put(spi, 0xabcd0123);
	n.spi = (struct bytes){spi, 4};
	pld_v1_notify_put(b, &n);
}

static void
put_n_r_u_there(struct msg_builder *b)
{
	const struct ike_sa *sa = first_sa(&moon);
	uint8_t spi[16], seq[4] = {0, 0, 0, 7};
	struct pld_v1_notify n = {IKEV1_DOI_IPSEC, IKEV1_PROTO_ISAKMP, 16,
				  IKEV1_N_R_U_THERE};

	memcpy(spi, sa->spi_i, 8);
	memcpy(spi + 8, sa->spi_r, 8);
	n.spi = (struct bytes){spi, 16};
	n.data = (struct bytes){seq, 4};
	pld_v1_notify_put(b, &n);
}

/* --- tests -------------------------------------------------------------- */

/* terminate on either side (_i 0: moon, the initiator; 1: sun): one
 * DELETE of the ISAKMP SA, and the SA is gone on both with IKE_DOWN. */
START_TEST(delete_ike_from_each_side)
{
	struct host *from = _i ? &sun : &moon, *to = _i ? &moon : &sun;
	unsigned id;

	up();
	id = first_sa(from)->id;
	to->watch = "peer deleted the ISAKMP SA";
	ck_assert_int_eq(ike_terminate(from->e, now, id), 0);
	ck_assert(has_event(from, IKE_EV_IKE_DOWN));
	ck_assert_uint_eq(q_len, 1); /* no children: the ISAKMP DELETE */
	ck_assert_uint_eq(queue[0].data[18], IKEV1_EXCH_INFORMATIONAL);
	ck_assert_uint_eq(queue[0].data[19] & IKEV1_FLAG_ENCRYPTION, 1);
	pump();
	ck_assert_uint_eq(to->logs_with, 1);
	ck_assert(has_event(to, IKE_EV_IKE_DOWN));
	ck_assert_uint_eq(q_len, 0); /* not acknowledged */
	ike_tick(moon.e, now);
	ike_tick(sun.e, now);
	ck_assert_uint_eq(moon.e->n_sas, 0);
	ck_assert_uint_eq(sun.e->n_sas, 0);
	teardown_pair();
}
END_TEST

/* terminate with two children: a DELETE of their ESP SPIs, then of the
 * ISAKMP SA; both sides remove the kernel state of each child, with
 * CHILD_DOWN, and the ISAKMP SA. */
START_TEST(delete_ike_removes_children_on_both)
{
	struct ike_sa *m, *s;

	up();
	m = first_sa(&moon);
	s = first_sa(&sun);
	add_child(m, s, 1);
	add_child(m, s, 2);
	ck_assert_int_eq(ike_terminate(moon.e, now, m->id), 0);
	ck_assert_uint_eq(q_len, 2);
	ck_assert(!kernel_has(&moon, MOON_IN(1)));
	ck_assert(!kernel_has(&moon, MOON_IN(2)));
	ck_assert_uint_eq(n_events(&moon, IKE_EV_CHILD_DOWN), 2);
	/* The ESP DELETE alone first: sun's children go, its SA stays. */
	ike_input(sun.e, now, &queue[0].to, &queue[0].from, queue[0].data,
		  queue[0].len);
	ck_assert_uint_eq(n_children(s), 0);
	ck_assert(!kernel_has(&sun, SUN_IN(1)));
	ck_assert(!kernel_has(&sun, SUN_IN(2)));
	ck_assert_uint_eq(n_events(&sun, IKE_EV_CHILD_DOWN), 2);
	ck_assert_uint_eq(s->state, IKE_SA_ESTABLISHED);
	pump();
	ck_assert(has_event(&sun, IKE_EV_IKE_DOWN));
	ike_tick(sun.e, now);
	ck_assert_uint_eq(sun.e->n_sas, 0);
	teardown_pair();
}
END_TEST

/* The peer's ISAKMP DELETE alone takes our children with it. */
START_TEST(peer_isakmp_delete_takes_children)
{
	struct ike_sa *m, *s;

	up();
	m = first_sa(&moon);
	s = first_sa(&sun);
	add_child(m, s, 1);
	sun.watch = "peer deleted the ISAKMP SA";
	forge(put_d_isakmp, FORGE_OK);
	ck_assert_uint_eq(sun.logs_with, 1);
	ck_assert(!kernel_has(&sun, SUN_IN(1)));
	ck_assert(has_event(&sun, IKE_EV_CHILD_DOWN));
	ck_assert(has_event(&sun, IKE_EV_IKE_DOWN));
	ck_assert_uint_eq(q_len, 0);
	teardown_pair();
}
END_TEST

/* delete_child from either side (_i 0: moon, 1: sun): that child goes on
 * both, with the right SPIs to the kernel; its sibling and the ISAKMP
 * SA stay. */
START_TEST(delete_child_from_each_side)
{
	struct host *from = _i ? &sun : &moon, *to = _i ? &moon : &sun;
	struct ike_sa *m, *s;
	struct child_sa *c;

	up();
	m = first_sa(&moon);
	s = first_sa(&sun);
	add_child(m, s, 1);
	add_child(m, s, 2);
	/* The child of pair 1 on the side that deletes it. */
	for (c = first_sa(from)->children; c; c = c->next)
		if (c->spi_in == (_i ? SUN_IN(1) : MOON_IN(1)))
			break;
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(
	    ike_terminate_child(from->e, now, first_sa(from)->id, c->id), 0);
	ck_assert_uint_eq(q_len, 1);
	ck_assert_uint_eq(n_children(first_sa(from)), 1);
	ck_assert_uint_eq(n_events(from, IKE_EV_CHILD_DOWN), 1);
	pump();
	ck_assert_uint_eq(n_children(first_sa(to)), 1);
	ck_assert_uint_eq(n_events(to, IKE_EV_CHILD_DOWN), 1);
	ck_assert(!kernel_has(&moon, MOON_IN(1)));
	ck_assert(!kernel_has(&sun, SUN_IN(1)));
	ck_assert(kernel_has(&moon, MOON_IN(2)));
	ck_assert(kernel_has(&sun, SUN_IN(2)));
	ck_assert_uint_eq(m->state, IKE_SA_ESTABLISHED);
	ck_assert_uint_eq(s->state, IKE_SA_ESTABLISHED);
	ck_assert(!has_event(&moon, IKE_EV_IKE_DOWN));
	ck_assert(!has_event(&sun, IKE_EV_IKE_DOWN));
	ck_assert_uint_eq(q_len, 0);
	teardown_pair();
}
END_TEST

/* moon's own DELETE of a child, damaged on the way (_i: which byte of
 * the datagram is flipped: the first ciphertext block, a middle one,
 * the last): sun drops it with a line and changes nothing. */
START_TEST(flipped_ciphertext_changes_nothing)
{
	struct ike_sa *m, *s;
	struct child_sa *c;
	size_t at;

	up();
	m = first_sa(&moon);
	s = first_sa(&sun);
	c = add_child(m, s, 1);
	ck_assert_int_eq(ike_terminate_child(moon.e, now, m->id, c->id), 0);
	ck_assert_uint_eq(q_len, 1);
	at = _i == 0   ? IKEV1_HDR_LEN
	     : _i == 1 ? IKEV1_HDR_LEN + 20
		       : queue[0].len - 1;
	queue[0].data[at] ^= 0x04;
	sun.watch = "Informational";
	sun.logs_with = 0;
	pump();
	ck_assert_uint_eq(sun.logs_with, 1);
	ck_assert_uint_eq(n_children(s), 1);
	ck_assert(kernel_has(&sun, SUN_IN(1)));
	ck_assert(!has_event(&sun, IKE_EV_CHILD_DOWN));
	ck_assert_uint_eq(s->state, IKE_SA_ESTABLISHED);
	teardown_pair();
}
END_TEST

/* What must change nothing on sun, _i selecting the case: a bad
 * HASH(1), no HASH, an unprotected DELETE (of the child or the ISAKMP
 * SA), malformed D and N payloads after a valid D, too many SPIs, too
 * many payloads, a payload that has no place in an Informational. */
START_TEST(dropped_informationals_change_nothing)
{
	static const struct {
		void (*put)(struct msg_builder *b);
		enum forge how;
		const char *line;
	} cases[] = {
	    {put_d_child1, FORGE_BAD_HASH, "HASH(1) does not verify"},
	    {put_d_isakmp, FORGE_BAD_HASH, "HASH(1) does not verify"},
	    {put_d_child1, FORGE_NO_HASH, "without HASH(1) first"},
	    {put_d_child1, FORGE_CLEAR, "unprotected"},
	    {put_d_isakmp, FORGE_CLEAR, "unprotected"},
	    {put_d_bad_count, FORGE_OK, "malformed"},
	    {put_n_bad_spi, FORGE_OK, "malformed"},
	    {put_d_many_spis, FORGE_OK, "SPIs"},
	    {put_many_payloads, FORGE_OK, "payloads"},
	    {put_nonce_and_d, FORGE_OK, "NONCE"},
	};
	struct ike_sa *m, *s;

	up();
	m = first_sa(&moon);
	s = first_sa(&sun);
	add_child(m, s, 1);
	sun.watch = cases[_i].line;
	sun.logs_with = 0;
	forge(cases[_i].put, cases[_i].how);
	ck_assert_uint_eq(sun.logs_with, 1);
	ck_assert_uint_eq(n_children(s), 1);
	ck_assert(kernel_has(&sun, SUN_IN(1)));
	ck_assert(!has_event(&sun, IKE_EV_CHILD_DOWN));
	ck_assert(!has_event(&sun, IKE_EV_IKE_DOWN));
	ck_assert_uint_eq(s->state, IKE_SA_ESTABLISHED);
	ck_assert_uint_eq(q_len, 0);
	/* The same message whole and right is acted on: the case failed
	 * for the reason tested, not another. */
	if (cases[_i].put == put_d_child1 || cases[_i].put == put_d_isakmp) {
		forge(cases[_i].put, FORGE_OK);
		ck_assert(has_event(&sun, IKE_EV_CHILD_DOWN));
	}
	teardown_pair();
}
END_TEST

/* A D naming an ISAKMP SA by other cookies, or an ESP SPI we do not
 * have: a debug line each, nothing else. */
START_TEST(unknown_spis_are_ignored)
{
	struct ike_sa *m, *s;

	up();
	m = first_sa(&moon);
	s = first_sa(&sun);
	add_child(m, s, 2);
	sun.watch = "not this ISAKMP SA";
	forge(put_d_isakmp_other, FORGE_OK);
	ck_assert_uint_eq(sun.logs_with, 1);
	sun.watch = "no CHILD SA";
	sun.logs_with = 0;
	forge(put_d_child1, FORGE_OK);
	ck_assert_uint_eq(sun.logs_with, 1);
	ck_assert_uint_eq(n_children(s), 1);
	ck_assert(kernel_has(&sun, SUN_IN(2)));
	ck_assert_uint_eq(s->state, IKE_SA_ESTABLISHED);
	teardown_pair();
}
END_TEST

/* A DELETE of a child whose Quick Mode is still under way marks it
 * (peer_gone) for that exchange, which must not bring it up; nothing is
 * removed under it. */
START_TEST(delete_of_a_child_being_created_marks_it)
{
	struct ike_sa *m, *s;
	struct child_sa *cs;

	up();
	m = first_sa(&moon);
	s = first_sa(&sun);
	add_child(m, s, 1);
	cs = s->children;
	cs->installed = false;
	cs->creating = true;
	forge(put_d_child1, FORGE_OK);
	ck_assert_uint_eq(n_children(s), 1);
	ck_assert_uint_eq(cs->peer_gone, MOON_IN(1));
	ck_assert(kernel_has(&sun, SUN_IN(1)));
	ck_assert(!has_event(&sun, IKE_EV_CHILD_DOWN));
	teardown_pair();
}
END_TEST

/* Error notifies are logged by name with their SPI; R-U-THERE goes to
 * the DPD code, which answers it (test_v1_dpd.c has the rest). */
START_TEST(notifies_are_logged)
{
	up();
	sun.watch = "INVALID-SPI (ESP SPI abcd0123)";
	forge(put_n_invalid_spi, FORGE_OK);
	ck_assert_uint_eq(sun.logs_with, 1);
	sun.watch = "R-U-THERE";
	sun.logs_with = 0;
	forge(put_n_r_u_there, FORGE_OK);
	ck_assert_uint_eq(sun.logs_with, 1);
	ck_assert_uint_eq(q_len, 1);
	pump();
	ck_assert_uint_eq(first_sa(&sun)->state, IKE_SA_ESTABLISHED);
	teardown_pair();
}
END_TEST

/* The notify API the Quick Mode code calls: a protected error notify
 * about a phase 2 SPI reaches the peer and is logged there. */
START_TEST(notify_api_reaches_the_peer)
{
	uint8_t spi[4];

	up();
	spi4_put(spi, 0x01020304);
	sun.watch = "NO-PROPOSAL-CHOSEN (ESP SPI 01020304)";
	ck_assert_int_eq(v1_info_notify(moon.e, first_sa(&moon),
					IKEV1_N_NO_PROPOSAL_CHOSEN,
					IKEV1_PROTO_IPSEC_ESP, spi, 4,
					(struct bytes){NULL, 0}),
			 0);
	ck_assert_uint_eq(q_len, 1);
	pump();
	ck_assert_uint_eq(sun.logs_with, 1);
	teardown_pair();
}
END_TEST

/* INITIAL-CONTACT on the newer of two ISAKMP SAs with the same peer
 * removes the older one (and its children) on the receiver, without a
 * message; on the older SA it removes nothing newer (a replay of an old
 * INITIAL-CONTACT cannot end a newer SA). */
START_TEST(initial_contact_removes_the_older_sa)
{
	struct ike_sa *m1, *s1, *m2, *s2;
	unsigned id2;
	uint8_t spi[16];

	up();
	m1 = first_sa(&moon);
	s1 = first_sa(&sun);
	add_child(m1, s1, 1);
	id2 = ike_initiate(moon.e, now, "site", NULL);
	ck_assert_uint_gt(id2, 0);
	pump();
	ck_assert_uint_eq(moon.e->n_sas, 2);
	ck_assert_uint_eq(sun.e->n_sas, 2);
	m2 = sa_by_id(moon.e, id2);
	ck_assert_ptr_nonnull(m2);
	ck_assert_uint_eq(m2->state, IKE_SA_ESTABLISHED);
	s2 = sun.e->sas == s1 ? s1->next : sun.e->sas;
	ck_assert_ptr_ne(s2, s1);
	ck_assert_uint_eq(s2->state, IKE_SA_ESTABLISHED);

	/* On the older SA: nothing goes. */
	memcpy(spi, m1->spi_i, 8);
	memcpy(spi + 8, m1->spi_r, 8);
	ck_assert_int_eq(v1_info_notify(moon.e, m1, IKEV1_N_INITIAL_CONTACT,
					IKEV1_PROTO_ISAKMP, spi, 16,
					(struct bytes){NULL, 0}),
			 0);
	pump();
	ck_assert_uint_eq(s1->state, IKE_SA_ESTABLISHED);
	ck_assert_uint_eq(s2->state, IKE_SA_ESTABLISHED);

	/* On the newer one: the older goes, with its child. */
	memcpy(spi, m2->spi_i, 8);
	memcpy(spi + 8, m2->spi_r, 8);
	sun.watch = "INITIAL-CONTACT";
	sun.logs_with = 0;
	ck_assert_int_eq(v1_info_notify(moon.e, m2, IKEV1_N_INITIAL_CONTACT,
					IKEV1_PROTO_ISAKMP, spi, 16,
					(struct bytes){NULL, 0}),
			 0);
	pump();
	ck_assert_uint_ge(sun.logs_with, 1);
	ck_assert_uint_eq(s1->state, IKE_SA_DEAD);
	ck_assert(!kernel_has(&sun, SUN_IN(1)));
	ck_assert_uint_eq(s2->state, IKE_SA_ESTABLISHED);
	ck_assert_uint_eq(q_len, 0);
	ike_tick(sun.e, now);
	ck_assert_uint_eq(sun.e->n_sas, 1);
	/* moon heard nothing: its older SA is still there. */
	ck_assert_uint_eq(m1->state, IKE_SA_ESTABLISHED);
	teardown_pair();
}
END_TEST

Suite *
v1_info_suite(void)
{
	Suite *s = suite_create("v1_info");
	TCase *tc = tcase_create("informational");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, delete_ike_from_each_side, 0, 2);
	tcase_add_test(tc, delete_ike_removes_children_on_both);
	tcase_add_test(tc, peer_isakmp_delete_takes_children);
	tcase_add_loop_test(tc, delete_child_from_each_side, 0, 2);
	tcase_add_loop_test(tc, flipped_ciphertext_changes_nothing, 0, 3);
	tcase_add_loop_test(tc, dropped_informationals_change_nothing, 0, 10);
	tcase_add_test(tc, unknown_spis_are_ignored);
	tcase_add_test(tc, delete_of_a_child_being_created_marks_it);
	tcase_add_test(tc, notifies_are_logged);
	tcase_add_test(tc, notify_api_reaches_the_peer);
	tcase_add_test(tc, initial_contact_removes_the_older_sa);
	suite_add_tcase(s, tc);
	return s;
}
