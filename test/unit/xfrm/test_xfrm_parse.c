/* SPDX-License-Identifier: ISC */
/*
 * Reading the kernel's SA and policy messages: GETSA and GETPOLICY
 * answers written as the kernel writes them (with keys, counters and the
 * attributes only it adds), short attributes and messages, and round trips
 * through the builders.
 */
#include <errno.h>
#include <string.h>

#include <arpa/inet.h>
#include <linux/netlink.h>
#include <netinet/udp.h>

#include <check.h>

#include "xfrm_int.h"
#include "xtest.h"

static _Alignas(8) uint8_t buf[XFRM_MSG_BUF];

/* A GETSA answer as the kernel writes it: the SA with its keys, counters
 * and what the kernel adds (XFRMA_LASTUSED, a full ESN bitmap). */
START_TEST(parse_sa_reply)
{
	struct xfrm_replay_state_esn r;
	struct xfrm_usersa_info k;
	struct xfrm_encap_tmpl e;
	struct xfrm_sa_stats st;
	struct xfrm_mark m;
	struct xfrm_sa sa;
	uint32_t bmp[4] = {0}, if_id = 77;
	uint64_t last = 1700000123;
	struct xfrm_sa gcm = xt_gcm_sa();
	struct gold g;

	xt_gcm_info(&k);
	k.flags = XFRM_STATE_ESN | XFRM_STATE_NOECN;
	k.curlft.bytes = 123456;
	k.curlft.packets = 789;
	k.curlft.add_time = 1700000000;
	k.curlft.use_time = 1700000005;
	k.stats.replay = 1;
	k.stats.integrity_failed = 2;
	gold_start(&g, XFRM_MSG_NEWSA, 0, 1, &k, sizeof(k));
	xt_gcm_alg(&g);
	memset(&e, 0, sizeof(e));
	e.encap_type = UDP_ENCAP_ESPINUDP;
	e.encap_sport = htons(4500);
	e.encap_dport = htons(4501);
	gold_attr(&g, XFRMA_ENCAP, &e, sizeof(e), NULL, 0);
	gold_attr(&g, XFRMA_LASTUSED, &last, sizeof(last), NULL, 0);
	m.v = 0x20;
	m.m = 0xf0;
	gold_attr(&g, XFRMA_MARK, &m, sizeof(m), NULL, 0);
	memset(&r, 0, sizeof(r));
	r.bmp_len = 4;
	r.replay_window = 128;
	r.oseq = 55;
	gold_attr(&g, XFRMA_REPLAY_ESN_VAL, &r, sizeof(r), bmp, sizeof(bmp));
	gold_attr(&g, XFRMA_IF_ID, &if_id, sizeof(if_id), NULL, 0);

	ck_assert_int_eq(
	    xfrm_parse_sa((const struct nlmsghdr *)g.b, sizeof(k), &sa, &st),
	    0);
	ck_assert_uint_eq(st.bytes, 123456);
	ck_assert_uint_eq(st.packets, 789);
	ck_assert_uint_eq(st.add_time, 1700000000);
	ck_assert_uint_eq(st.use_time, 1700000005);
	ck_assert_uint_eq(st.last_used, 1700000123);
	ck_assert_uint_eq(st.replay, 1);
	ck_assert_uint_eq(st.integrity_failed, 2);
	ck_assert_uint_eq(sa.spi, 0x11223344);
	ck_assert_uint_eq(sa.proto, IPPROTO_ESP);
	ck_assert_uint_eq(sa.mode, XFRM_MODE_TUNNEL);
	ck_assert_uint_eq(sa.reqid, 7);
	ck_assert_uint_eq(sa.flags, XFRM_STATE_NOECN);
	ck_assert(xt_addr_eq(&sa.src, &gcm.src));
	ck_assert(xt_addr_eq(&sa.dst, &gcm.dst));
	ck_assert_uint_eq(sa.has, XFRM_SA_HAS_ESN | XFRM_SA_HAS_LIFETIME |
				      XFRM_SA_HAS_ENCAP | XFRM_SA_HAS_MARK |
				      XFRM_SA_HAS_REPLAY | XFRM_SA_HAS_IF_ID);
	ck_assert_uint_eq(sa.encap.sport, 4500);
	ck_assert_uint_eq(sa.encap.dport, 4501);
	ck_assert_uint_eq(sa.mark, 0x20);
	ck_assert_uint_eq(sa.mark_mask, 0xf0);
	ck_assert_uint_eq(sa.replay_window, 128);
	ck_assert_uint_eq(sa.if_id, 77);
	ck_assert_uint_eq(sa.lft.hard_bytes, 0); /* XFRM_INF: no limit */
	ck_assert_ptr_null(sa.algs.enc.name);    /* keys are not read */

	/* A short attribute or a short message is refused. */
	gold_start(&g, XFRM_MSG_NEWSA, 0, 1, &k, sizeof(k));
	gold_attr(&g, XFRMA_MARK, &m, 4, NULL, 0);
	ck_assert_int_eq(
	    xfrm_parse_sa((const struct nlmsghdr *)g.b, sizeof(k), &sa, &st),
	    -EBADMSG);
	gold_start(&g, XFRM_MSG_NEWSA, 0, 1, &k, sizeof(k) - 8);
	ck_assert_int_eq(
	    xfrm_parse_sa((const struct nlmsghdr *)g.b, sizeof(k), &sa, &st),
	    -EBADMSG);
}
END_TEST

/* What libxfrm builds, read back, is what it was given (keys aside). */
START_TEST(sa_round_trip)
{
	struct xfrm_sa sa = xt_gcm_sa(), back;

	sa.has = XFRM_SA_HAS_SEL | XFRM_SA_HAS_LIFETIME | XFRM_SA_HAS_ENCAP |
		 XFRM_SA_HAS_MARK | XFRM_SA_HAS_IF_ID | XFRM_SA_HAS_OFFLOAD;
	sa.sel = xt_sel("198.51.100.0", 24, "203.0.113.0", 25);
	sa.sel.proto = IPPROTO_ICMP;
	sa.sel.sport = 8;
	sa.sel.sport_mask = 0xffff;
	sa.lft.soft_packets = 1000;
	sa.lft.hard_add_sec = 10;
	sa.encap.sport = 4500;
	sa.encap.dport = 4500;
	sa.mark = 1;
	sa.mark_mask = 1;
	sa.if_id = 2;
	sa.offload.ifindex = 4;
	sa.offload.packet = true;
	ck_assert_int_gt(
	    xfrm_msg_newsa(buf, sizeof(buf), XFRM_MSG_NEWSA, &sa, 1), 0);
	ck_assert_int_eq(xfrm_parse_sa((const struct nlmsghdr *)buf,
				       sizeof(struct xfrm_usersa_info), &back,
				       NULL),
			 0);
	sa.proto = IPPROTO_ESP; /* 0 was sent as ESP */
	ck_assert(xt_sa_eq(&sa, &back));
}
END_TEST

/* The keys of a GETSA answer (export-keys): the kernel's AEAD attribute,
 * and CBC with HMAC through the builder; a key longer than its attribute
 * is malformed. */
START_TEST(parse_sa_keys)
{
	static const uint8_t ek[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
	static const uint8_t ak[32] = {0xa1, 0xa2, 0xa3};
	struct xfrm_usersa_info k;
	struct xfrm_sa_keys keys;
	struct xfrm_algo_aead a;
	struct xfrm_sa sa = xt_gcm_sa();
	struct gold g;
	int n;

	xt_gcm_info(&k);
	gold_start(&g, XFRM_MSG_NEWSA, 0, 1, &k, sizeof(k));
	xt_gcm_alg(&g);
	ck_assert_int_eq(
	    xfrm_parse_sa_keys((const struct nlmsghdr *)g.b, sizeof(k), &keys),
	    0);
	ck_assert(keys.aead);
	ck_assert_str_eq(keys.enc_name, "rfc4106(gcm(aes))");
	ck_assert_uint_eq(keys.icv_bits, 128);
	ck_assert_uint_eq(keys.enc_len, sizeof(xt_key20));
	ck_assert_mem_eq(keys.enc_key, xt_key20, sizeof(xt_key20));
	ck_assert_uint_eq(keys.auth_len, 0);
	xfrm_sa_keys_clear(&keys);
	ck_assert_uint_eq(keys.enc_len, 0);
	ck_assert_uint_eq(keys.enc_key[0], 0);

	sa.algs.aead = false;
	sa.algs.enc.name = "cbc(aes)";
	sa.algs.enc.key = ek;
	sa.algs.enc.key_len = sizeof(ek);
	sa.algs.enc.icv_bits = 0;
	sa.algs.auth.name = "hmac(sha256)";
	sa.algs.auth.key = ak;
	sa.algs.auth.key_len = sizeof(ak);
	sa.algs.auth.icv_bits = 128;
	n = xfrm_msg_newsa(buf, sizeof(buf), XFRM_MSG_NEWSA, &sa, 1);
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(xfrm_parse_sa_keys((const struct nlmsghdr *)buf,
					    sizeof(struct xfrm_usersa_info),
					    &keys),
			 0);
	ck_assert(!keys.aead);
	ck_assert_str_eq(keys.enc_name, "cbc(aes)");
	ck_assert_mem_eq(keys.enc_key, ek, sizeof(ek));
	ck_assert_uint_eq(keys.enc_len, sizeof(ek));
	ck_assert_str_eq(keys.auth_name, "hmac(sha256)");
	ck_assert_mem_eq(keys.auth_key, ak, sizeof(ak));
	ck_assert_uint_eq(keys.auth_len, sizeof(ak));
	ck_assert_uint_eq(keys.icv_bits, 128);

	/* alg_key_len claims more key than the attribute carries */
	gold_start(&g, XFRM_MSG_NEWSA, 0, 1, &k, sizeof(k));
	memset(&a, 0, sizeof(a));
	strcpy(a.alg_name, "rfc4106(gcm(aes))");
	a.alg_key_len = 288;
	a.alg_icv_len = 128;
	gold_attr(&g, XFRMA_ALG_AEAD, &a, sizeof(a), xt_key20,
		  sizeof(xt_key20));
	ck_assert_int_eq(
	    xfrm_parse_sa_keys((const struct nlmsghdr *)g.b, sizeof(k), &keys),
	    -EBADMSG);
	ck_assert_uint_eq(keys.enc_len, 0);
}
END_TEST

START_TEST(parse_policy_reply)
{
	struct xfrm_policy p = xt_out_policy(), back;
	struct xfrm_userpolicy_info k;
	uint32_t if_id = 6;
	struct gold g;

	p.has = XFRM_POLICY_HAS_MARK | XFRM_POLICY_HAS_IF_ID;
	p.mark = 1;
	p.mark_mask = 0xff;
	p.if_id = if_id;
	p.ntmpl = 2;
	p.tmpl[1].proto = IPPROTO_AH;
	p.tmpl[1].mode = XFRM_MODE_TRANSPORT;
	p.tmpl[1].optional = true;
	p.tmpl[1].reqid = 8;
	ck_assert_int_gt(
	    xfrm_msg_newpolicy(buf, sizeof(buf), XFRM_MSG_NEWPOLICY, &p, 1), 0);
	/* The kernel answers with the same layout, plus index and times. */
	memcpy(&k, buf + NLMSG_HDRLEN, sizeof(k));
	k.index = 0x1231;
	k.curlft.add_time = 1700000000;
	k.curlft.use_time = 1700000001;
	memcpy(buf + NLMSG_HDRLEN, &k, sizeof(k));
	ck_assert_int_eq(xfrm_parse_policy((const struct nlmsghdr *)buf,
					   sizeof(k), 0, &back),
			 0);
	ck_assert_uint_eq(back.index, 0x1231);
	ck_assert_uint_eq(back.add_time, 1700000000);
	ck_assert_uint_eq(back.use_time, 1700000001);
	back.index = 0;
	back.add_time = back.use_time = 0;
	p.tmpl[0].proto = IPPROTO_ESP; /* 0 was sent as ESP */
	ck_assert(xt_policy_eq(&p, &back));

	/* Templates that do not fill whole structs are refused. */
	gold_start(&g, XFRM_MSG_NEWPOLICY, 0, 1, &k, sizeof(k));
	gold_attr(&g, XFRMA_TMPL, buf, sizeof(struct xfrm_user_tmpl) + 4, NULL,
		  0);
	ck_assert_int_eq(xfrm_parse_policy((const struct nlmsghdr *)g.b,
					   sizeof(k), 0, &back),
			 -EBADMSG);
}
END_TEST

Suite *
xfrm_parse_suite(void)
{
	Suite *s = suite_create("xfrm_parse");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, parse_sa_reply);
	tcase_add_test(tc, sa_round_trip);
	tcase_add_test(tc, parse_policy_reply);
	tcase_add_test(tc, parse_sa_keys);
	suite_add_tcase(s, tc);
	return s;
}
