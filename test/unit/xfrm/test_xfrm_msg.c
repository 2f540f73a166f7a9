/* SPDX-License-Identifier: ISC */
/*
 * Golden bytes of every request builder. The expected messages are put
 * together here from <linux/xfrm.h>'s structs, field by field; two of them
 * are also checked against what iproute2 sends for the same command
 * (captured with strace). Then the builders' refusals and bounds.
 */
#include <errno.h>
#include <string.h>

#include <arpa/inet.h>
#include <linux/netlink.h>
#include <netinet/udp.h>

#include <check.h>

#include "xfrm_int.h"
#include "xtest.h"

#define REQ (NLM_F_REQUEST | NLM_F_ACK)

static _Alignas(8) uint8_t buf[XFRM_MSG_BUF];

START_TEST(newsa_aead)
{
	struct xfrm_sa sa = xt_gcm_sa();
	struct xfrm_usersa_info k;
	struct gold g;
	int n;

	xt_gcm_info(&k);
	gold_start(&g, XFRM_MSG_NEWSA, REQ, 0x01020304, &k, sizeof(k));
	xt_gcm_alg(&g);

	n = xfrm_msg_newsa(buf, sizeof(buf), XFRM_MSG_NEWSA, &sa, 0x01020304);
	ck_assert_int_gt(n, 0);
	xt_assert_bytes(buf, (size_t)n, g.b, g.len);
	ck_assert_uint_eq(g.len, 336);
}
END_TEST

/* strace -e trace=sendmsg -xx of the command above xt_gcm_sa(), sequence
 * number set to 0. */
static const char iproute2_newsa[] =
    "50010000 1000 0500 00000000 00000000"
    "0000000000000000000000000000000000000000000000000000000000000000"
    "000000000000000000000000000000000000000000000000c000020200000000"
    "00000000000000001122334432000000c0000201000000000000000000000000"
    "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
    "0000000000000000000000000000000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000000"
    "0000000000000000000000000000000007000000020001000000000000000000"
    "60001200726663343130362867636d2861657329290000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000000"
    "00000000a0000000800000000102030405060708090a0b0c0d0e0f1011121314";

START_TEST(newsa_aead_matches_iproute2)
{
	struct xfrm_sa sa = xt_gcm_sa();
	uint8_t exp[512];
	size_t elen = xt_unhex(iproute2_newsa, exp, sizeof(exp));
	int n;

	n = xfrm_msg_newsa(buf, sizeof(buf), XFRM_MSG_NEWSA, &sa, 0);
	ck_assert_int_gt(n, 0);
	xt_assert_bytes(buf, (size_t)n, exp, elen);
}
END_TEST

START_TEST(updsa_differs_only_in_type)
{
	struct xfrm_sa sa = xt_gcm_sa();
	struct xfrm_usersa_info k;
	struct gold g;
	int n;

	xt_gcm_info(&k);
	gold_start(&g, XFRM_MSG_UPDSA, REQ, 9, &k, sizeof(k));
	xt_gcm_alg(&g);
	n = xfrm_msg_newsa(buf, sizeof(buf), XFRM_MSG_UPDSA, &sa, 9);
	ck_assert_int_gt(n, 0);
	xt_assert_bytes(buf, (size_t)n, g.b, g.len);
	ck_assert_int_eq(
	    xfrm_msg_newsa(buf, sizeof(buf), XFRM_MSG_DELSA, &sa, 9), -EINVAL);
}
END_TEST

/* Transport mode over IPv6 with everything optional but ESN: a selector
 * (L2TP's UDP 1701), lifetimes, a 32-packet window, mark and if_id. */
START_TEST(newsa_cbc_hmac_transport)
{
	struct xfrm_usersa_info k;
	struct xfrm_algo_auth t;
	struct xfrm_mark m;
	struct xfrm_algo c;
	struct xfrm_sa sa;
	struct gold g;
	uint32_t if_id = 9;
	int n;

	memset(&sa, 0, sizeof(sa));
	sa.has = XFRM_SA_HAS_SEL | XFRM_SA_HAS_LIFETIME | XFRM_SA_HAS_REPLAY |
		 XFRM_SA_HAS_MARK | XFRM_SA_HAS_IF_ID;
	sa.src = xt_addr("2001:db8::1");
	sa.dst = xt_addr("2001:db8::2");
	sa.spi = 0xc0ffee01;
	sa.mode = XFRM_MODE_TRANSPORT;
	sa.reqid = 3;
	sa.algs.enc.name = "cbc(aes)";
	sa.algs.enc.key = xt_key16;
	sa.algs.enc.key_len = 16;
	sa.algs.auth.name = "hmac(sha256)";
	sa.algs.auth.key = xt_key32;
	sa.algs.auth.key_len = 32;
	sa.algs.auth.icv_bits = 128;
	sa.sel = xt_sel("2001:db8::1", 128, "2001:db8::2", 128);
	sa.sel.proto = IPPROTO_UDP;
	sa.sel.sport = 1701;
	sa.sel.sport_mask = 0xffff;
	sa.sel.dport = 1701;
	sa.sel.dport_mask = 0xffff;
	sa.lft.soft_bytes = 1000000;
	sa.lft.hard_bytes = 2000000;
	sa.lft.hard_packets = 1u << 30;
	sa.lft.soft_add_sec = 3000;
	sa.lft.hard_add_sec = 3600;
	sa.lft.hard_use_sec = 600;
	sa.replay_window = 32;
	sa.mark = 0x10;
	sa.mark_mask = 0xff;
	sa.if_id = if_id;

	memset(&k, 0, sizeof(k));
	xt_kaddr(&k.sel.daddr, "2001:db8::2");
	xt_kaddr(&k.sel.saddr, "2001:db8::1");
	k.sel.dport = htons(1701);
	k.sel.dport_mask = 0xffff;
	k.sel.sport = htons(1701);
	k.sel.sport_mask = 0xffff;
	k.sel.family = AF_INET6;
	k.sel.prefixlen_d = 128;
	k.sel.prefixlen_s = 128;
	k.sel.proto = IPPROTO_UDP;
	xt_kaddr(&k.id.daddr, "2001:db8::2");
	k.id.spi = htonl(0xc0ffee01);
	k.id.proto = IPPROTO_ESP;
	xt_kaddr(&k.saddr, "2001:db8::1");
	k.lft.soft_byte_limit = 1000000;
	k.lft.hard_byte_limit = 2000000;
	k.lft.soft_packet_limit = XFRM_INF;
	k.lft.hard_packet_limit = 1u << 30;
	k.lft.soft_add_expires_seconds = 3000;
	k.lft.hard_add_expires_seconds = 3600;
	k.lft.hard_use_expires_seconds = 600;
	k.reqid = 3;
	k.family = AF_INET6;
	k.mode = XFRM_MODE_TRANSPORT;
	k.replay_window = 32;
	gold_start(&g, XFRM_MSG_NEWSA, REQ, 1, &k, sizeof(k));
	memset(&c, 0, sizeof(c));
	strcpy(c.alg_name, "cbc(aes)");
	c.alg_key_len = 128;
	gold_attr(&g, XFRMA_ALG_CRYPT, &c, sizeof(c), xt_key16, 16);
	memset(&t, 0, sizeof(t));
	strcpy(t.alg_name, "hmac(sha256)");
	t.alg_key_len = 256;
	t.alg_trunc_len = 128;
	gold_attr(&g, XFRMA_ALG_AUTH_TRUNC, &t, sizeof(t), xt_key32, 32);
	m.v = 0x10;
	m.m = 0xff;
	gold_attr(&g, XFRMA_MARK, &m, sizeof(m), NULL, 0);
	gold_attr(&g, XFRMA_IF_ID, &if_id, sizeof(if_id), NULL, 0);

	n = xfrm_msg_newsa(buf, sizeof(buf), XFRM_MSG_NEWSA, &sa, 1);
	ck_assert_int_gt(n, 0);
	xt_assert_bytes(buf, (size_t)n, g.b, g.len);
}
END_TEST

/* ESN: the flag, the legacy window 0 and the window in XFRMA_REPLAY_ESN_VAL
 * (header only, bmp_len words for the kernel to allocate). */
START_TEST(newsa_esn)
{
	struct xfrm_replay_state_esn r;
	struct xfrm_usersa_info k;
	struct xfrm_algo_aead a;
	uint8_t key36[36];
	struct xfrm_sa sa;
	struct gold g;
	int n;

	memset(key36, 0x36, sizeof(key36));
	memset(&sa, 0, sizeof(sa));
	sa.has = XFRM_SA_HAS_ESN | XFRM_SA_HAS_REPLAY;
	sa.src = xt_addr("198.51.100.7");
	sa.dst = xt_addr("203.0.113.9");
	sa.spi = 0xdeadbeef;
	sa.mode = XFRM_MODE_TUNNEL;
	sa.flags = XFRM_STATE_AF_UNSPEC;
	sa.reqid = 1;
	sa.algs.aead = true;
	sa.algs.enc.name = "rfc7539esp(chacha20,poly1305)";
	sa.algs.enc.key = key36;
	sa.algs.enc.key_len = 36;
	sa.algs.enc.icv_bits = 128;
	sa.replay_window = 100;

	memset(&k, 0, sizeof(k));
	xt_kaddr(&k.id.daddr, "203.0.113.9");
	k.id.spi = htonl(0xdeadbeef);
	k.id.proto = IPPROTO_ESP;
	xt_kaddr(&k.saddr, "198.51.100.7");
	xt_kinf(&k.lft);
	k.reqid = 1;
	k.family = AF_INET;
	k.mode = XFRM_MODE_TUNNEL;
	k.flags = XFRM_STATE_AF_UNSPEC | XFRM_STATE_ESN;
	gold_start(&g, XFRM_MSG_NEWSA, REQ, 2, &k, sizeof(k));
	memset(&a, 0, sizeof(a));
	strcpy(a.alg_name, "rfc7539esp(chacha20,poly1305)");
	a.alg_key_len = 288;
	a.alg_icv_len = 128;
	gold_attr(&g, XFRMA_ALG_AEAD, &a, sizeof(a), key36, 36);
	memset(&r, 0, sizeof(r));
	r.bmp_len = 4;
	r.replay_window = 100;
	gold_attr(&g, XFRMA_REPLAY_ESN_VAL, &r, sizeof(r), NULL, 0);

	n = xfrm_msg_newsa(buf, sizeof(buf), XFRM_MSG_NEWSA, &sa, 2);
	ck_assert_int_gt(n, 0);
	xt_assert_bytes(buf, (size_t)n, g.b, g.len);

	/* A window too large for the legacy bitmap takes the same
	 * attribute, without the ESN flag. */
	sa.has = XFRM_SA_HAS_REPLAY;
	sa.flags = 0;
	sa.replay_window = 64;
	k.flags = 0;
	r.bmp_len = 2;
	r.replay_window = 64;
	gold_start(&g, XFRM_MSG_NEWSA, REQ, 2, &k, sizeof(k));
	gold_attr(&g, XFRMA_ALG_AEAD, &a, sizeof(a), key36, 36);
	gold_attr(&g, XFRMA_REPLAY_ESN_VAL, &r, sizeof(r), NULL, 0);
	n = xfrm_msg_newsa(buf, sizeof(buf), XFRM_MSG_NEWSA, &sa, 2);
	ck_assert_int_gt(n, 0);
	xt_assert_bytes(buf, (size_t)n, g.b, g.len);
}
END_TEST

START_TEST(newsa_encap)
{
	struct xfrm_sa sa = xt_gcm_sa();
	struct xfrm_usersa_info k;
	struct xfrm_encap_tmpl e;
	struct gold g;
	int n;

	sa.has |= XFRM_SA_HAS_ENCAP;
	sa.encap.sport = 4500;
	sa.encap.dport = 31337;
	sa.acq_seq = 42;
	xt_gcm_info(&k);
	k.seq = 42;
	gold_start(&g, XFRM_MSG_NEWSA, REQ, 3, &k, sizeof(k));
	xt_gcm_alg(&g);
	memset(&e, 0, sizeof(e));
	e.encap_type = UDP_ENCAP_ESPINUDP;
	e.encap_sport = htons(4500);
	e.encap_dport = htons(31337);
	gold_attr(&g, XFRMA_ENCAP, &e, sizeof(e), NULL, 0);

	n = xfrm_msg_newsa(buf, sizeof(buf), XFRM_MSG_NEWSA, &sa, 3);
	ck_assert_int_gt(n, 0);
	xt_assert_bytes(buf, (size_t)n, g.b, g.len);
}
END_TEST

START_TEST(newsa_offload)
{
	static const struct {
		bool inbound, packet;
		uint8_t flags;
	} cases[] = {
	    {false, false, 0},
	    {true, false, XFRM_OFFLOAD_INBOUND},
	    {false, true, XFRM_OFFLOAD_PACKET},
	    {true, true, XFRM_OFFLOAD_INBOUND | XFRM_OFFLOAD_PACKET},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct xfrm_sa sa = xt_gcm_sa();
		struct xfrm_usersa_info k;
		struct xfrm_user_offload o;
		struct gold g;
		int n;

		sa.has |= XFRM_SA_HAS_OFFLOAD;
		sa.offload.ifindex = 3;
		sa.offload.inbound = cases[i].inbound;
		sa.offload.packet = cases[i].packet;
		xt_gcm_info(&k);
		gold_start(&g, XFRM_MSG_NEWSA, REQ, 4, &k, sizeof(k));
		xt_gcm_alg(&g);
		memset(&o, 0, sizeof(o));
		o.ifindex = 3;
		o.flags = cases[i].flags;
		gold_attr(&g, XFRMA_OFFLOAD_DEV, &o, sizeof(o), NULL, 0);

		n = xfrm_msg_newsa(buf, sizeof(buf), XFRM_MSG_NEWSA, &sa, 4);
		ck_assert_int_gt(n, 0);
		xt_assert_bytes(buf, (size_t)n, g.b, g.len);
	}
}
END_TEST

START_TEST(delsa_and_getsa)
{
	struct xfrm_sa sa = xt_gcm_sa();
	struct xfrm_usersa_id k;
	struct xfrm_mark m;
	struct gold g;
	int n;

	memset(&k, 0, sizeof(k));
	xt_kaddr(&k.daddr, "192.0.2.2");
	k.spi = htonl(0x11223344);
	k.family = AF_INET;
	k.proto = IPPROTO_ESP;
	gold_start(&g, XFRM_MSG_DELSA, REQ, 5, &k, sizeof(k));
	n = xfrm_msg_delsa(buf, sizeof(buf), XFRM_MSG_DELSA, &sa, 5);
	ck_assert_int_gt(n, 0);
	xt_assert_bytes(buf, (size_t)n, g.b, g.len);

	/* A marked SA is only found with its mark. */
	sa.has |= XFRM_SA_HAS_MARK;
	sa.mark = 7;
	sa.mark_mask = 0xffffffff;
	m.v = 7;
	m.m = 0xffffffff;
	gold_start(&g, XFRM_MSG_GETSA, REQ, 6, &k, sizeof(k));
	gold_attr(&g, XFRMA_MARK, &m, sizeof(m), NULL, 0);
	n = xfrm_msg_delsa(buf, sizeof(buf), XFRM_MSG_GETSA, &sa, 6);
	ck_assert_int_gt(n, 0);
	xt_assert_bytes(buf, (size_t)n, g.b, g.len);

	ck_assert_int_eq(
	    xfrm_msg_delsa(buf, sizeof(buf), XFRM_MSG_NEWSA, &sa, 6), -EINVAL);
}
END_TEST

START_TEST(allocspi)
{
	struct xfrm_userspi_info k;
	struct xfrm_sa sa;
	struct gold g;
	uint32_t if_id = 5;
	int n;

	memset(&sa, 0, sizeof(sa));
	sa.src = xt_addr("192.0.2.1");
	sa.dst = xt_addr("192.0.2.2");
	sa.mode = XFRM_MODE_TUNNEL;
	sa.reqid = 9;
	memset(&k, 0, sizeof(k));
	xt_kaddr(&k.info.id.daddr, "192.0.2.2");
	k.info.id.proto = IPPROTO_ESP;
	xt_kaddr(&k.info.saddr, "192.0.2.1");
	k.info.reqid = 9;
	k.info.family = AF_INET;
	k.info.mode = XFRM_MODE_TUNNEL;
	k.min = 0x1000;
	k.max = 0x2000;
	gold_start(&g, XFRM_MSG_ALLOCSPI, REQ, 7, &k, sizeof(k));
	n = xfrm_msg_allocspi(buf, sizeof(buf), &sa, 0x1000, 0x2000, 7);
	ck_assert_int_gt(n, 0);
	xt_assert_bytes(buf, (size_t)n, g.b, g.len);

	/* Answering an ACQUIRE: its seq, and the if_id of an XFRM
	 * interface. */
	sa.acq_seq = 77;
	sa.has = XFRM_SA_HAS_IF_ID;
	sa.if_id = if_id;
	k.info.seq = 77;
	gold_start(&g, XFRM_MSG_ALLOCSPI, REQ, 8, &k, sizeof(k));
	gold_attr(&g, XFRMA_IF_ID, &if_id, sizeof(if_id), NULL, 0);
	n = xfrm_msg_allocspi(buf, sizeof(buf), &sa, 0x1000, 0x2000, 8);
	ck_assert_int_gt(n, 0);
	xt_assert_bytes(buf, (size_t)n, g.b, g.len);

	ck_assert_int_eq(
	    xfrm_msg_allocspi(buf, sizeof(buf), &sa, 0x2000, 0x1000, 8),
	    -EINVAL);
	ck_assert_int_eq(xfrm_msg_allocspi(buf, sizeof(buf), &sa, 0, 5, 8),
			 -EINVAL);
}
END_TEST

/* `ip xfrm state allocspi src 192.0.2.1 dst 192.0.2.2 proto esp reqid 9
 * mode tunnel min 0x1000 max 0x2000`; iproute2 asks for no ACK, libxfrm
 * does (its flags 0x0001, ours 0x0005). */
static const char iproute2_allocspi[] =
    "f8000000 1600 0500 00000000 00000000"
    "0000000000000000000000000000000000000000000000000000000000000000"
    "000000000000000000000000000000000000000000000000c000020200000000"
    "00000000000000000000000032000000c0000201000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000000"
    "0000000000000000000000000000000009000000020001000000000000000000"
    "0010000000200000";

START_TEST(allocspi_matches_iproute2)
{
	uint8_t exp[512];
	size_t elen = xt_unhex(iproute2_allocspi, exp, sizeof(exp));
	struct xfrm_sa sa;
	int n;

	memset(&sa, 0, sizeof(sa));
	sa.src = xt_addr("192.0.2.1");
	sa.dst = xt_addr("192.0.2.2");
	sa.mode = XFRM_MODE_TUNNEL;
	sa.reqid = 9;
	n = xfrm_msg_allocspi(buf, sizeof(buf), &sa, 0x1000, 0x2000, 0);
	ck_assert_int_gt(n, 0);
	xt_assert_bytes(buf, (size_t)n, exp, elen);
}
END_TEST

START_TEST(newpolicy_tunnel_template)
{
	struct xfrm_policy p = xt_out_policy();
	struct xfrm_userpolicy_info k;
	struct xfrm_user_tmpl t;
	struct gold g;
	int n;

	memset(&k, 0, sizeof(k));
	xt_out_sel(&k.sel);
	xt_kinf(&k.lft);
	k.priority = 100;
	k.dir = XFRM_POLICY_OUT;
	k.action = XFRM_POLICY_ALLOW;
	memset(&t, 0, sizeof(t));
	xt_kaddr(&t.id.daddr, "192.0.2.2");
	t.id.proto = IPPROTO_ESP;
	t.family = AF_INET;
	xt_kaddr(&t.saddr, "192.0.2.1");
	t.reqid = 7;
	t.mode = XFRM_MODE_TUNNEL;
	t.aalgos = t.ealgos = t.calgos = 0xffffffff;
	gold_start(&g, XFRM_MSG_NEWPOLICY, REQ, 10, &k, sizeof(k));
	gold_attr(&g, XFRMA_TMPL, &t, sizeof(t), NULL, 0);

	n = xfrm_msg_newpolicy(buf, sizeof(buf), XFRM_MSG_NEWPOLICY, &p, 10);
	ck_assert_int_gt(n, 0);
	xt_assert_bytes(buf, (size_t)n, g.b, g.len);
	ck_assert_uint_eq(g.len, 252);

	gold_start(&g, XFRM_MSG_UPDPOLICY, REQ, 11, &k, sizeof(k));
	gold_attr(&g, XFRMA_TMPL, &t, sizeof(t), NULL, 0);
	n = xfrm_msg_newpolicy(buf, sizeof(buf), XFRM_MSG_UPDPOLICY, &p, 11);
	ck_assert_int_gt(n, 0);
	xt_assert_bytes(buf, (size_t)n, g.b, g.len);
}
END_TEST

/* strace of the command above xt_out_policy(), sequence number 0. */
static const char iproute2_newpolicy[] =
    "fc000000 1300 0500 00000000 00000000"
    "cb007100000000000000000000000000c6336400000000000000000000000000"
    "01bbffff0000000002001818060000000000000000000000ffffffffffffffff"
    "ffffffffffffffffffffffffffffffffffffffffffffffff0000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000006400000000000000"
    "010000000000000044000500c000020200000000000000000000000000000000"
    "3200000002000000c00002010000000000000000000000000700000001000000"
    "ffffffffffffffffffffffff";

START_TEST(newpolicy_matches_iproute2)
{
	struct xfrm_policy p = xt_out_policy();
	uint8_t exp[512];
	size_t elen = xt_unhex(iproute2_newpolicy, exp, sizeof(exp));
	int n;

	n = xfrm_msg_newpolicy(buf, sizeof(buf), XFRM_MSG_NEWPOLICY, &p, 0);
	ck_assert_int_gt(n, 0);
	xt_assert_bytes(buf, (size_t)n, exp, elen);
}
END_TEST

/* A forward policy over IPv6 with an optional transport template then a
 * tunnel one, mark, if_id and packet offload. */
START_TEST(newpolicy_two_templates_mark_if_id_offload)
{
	struct xfrm_userpolicy_info k;
	struct xfrm_user_offload o;
	struct xfrm_user_tmpl t[2];
	struct xfrm_policy p;
	struct xfrm_mark m;
	uint32_t if_id = 0x42;
	struct gold g;
	int n;

	memset(&p, 0, sizeof(p));
	p.has = XFRM_POLICY_HAS_MARK | XFRM_POLICY_HAS_IF_ID |
		XFRM_POLICY_HAS_OFFLOAD;
	p.sel = xt_sel("2001:db8:1::", 48, "2001:db8:2::", 48);
	p.dir = XFRM_POLICY_FWD;
	p.priority = 2000;
	p.ntmpl = 2;
	p.tmpl[0].proto = IPPROTO_COMP;
	p.tmpl[0].mode = XFRM_MODE_TRANSPORT;
	p.tmpl[0].reqid = 4;
	p.tmpl[0].optional = true;
	p.tmpl[1].src = xt_addr("2001:db8::2");
	p.tmpl[1].dst = xt_addr("2001:db8::1");
	p.tmpl[1].spi = 0x1234;
	p.tmpl[1].mode = XFRM_MODE_TUNNEL;
	p.tmpl[1].reqid = 4;
	p.mark = 1;
	p.mark_mask = 3;
	p.if_id = if_id;
	p.offload.ifindex = 12;

	memset(&k, 0, sizeof(k));
	xt_kaddr(&k.sel.daddr, "2001:db8:2::");
	xt_kaddr(&k.sel.saddr, "2001:db8:1::");
	k.sel.family = AF_INET6;
	k.sel.prefixlen_d = 48;
	k.sel.prefixlen_s = 48;
	xt_kinf(&k.lft);
	k.priority = 2000;
	k.dir = XFRM_POLICY_FWD;
	memset(t, 0, sizeof(t));
	t[0].id.proto = IPPROTO_COMP;
	t[0].family = AF_INET6;
	t[0].reqid = 4;
	t[0].mode = XFRM_MODE_TRANSPORT;
	t[0].optional = 1;
	t[0].aalgos = t[0].ealgos = t[0].calgos = 0xffffffff;
	xt_kaddr(&t[1].id.daddr, "2001:db8::1");
	t[1].id.spi = htonl(0x1234);
	t[1].id.proto = IPPROTO_ESP;
	t[1].family = AF_INET6;
	xt_kaddr(&t[1].saddr, "2001:db8::2");
	t[1].reqid = 4;
	t[1].mode = XFRM_MODE_TUNNEL;
	t[1].aalgos = t[1].ealgos = t[1].calgos = 0xffffffff;
	m.v = 1;
	m.m = 3;
	memset(&o, 0, sizeof(o));
	o.ifindex = 12;
	o.flags = XFRM_OFFLOAD_PACKET;
	gold_start(&g, XFRM_MSG_NEWPOLICY, REQ, 12, &k, sizeof(k));
	gold_attr(&g, XFRMA_TMPL, t, sizeof(t), NULL, 0);
	gold_attr(&g, XFRMA_MARK, &m, sizeof(m), NULL, 0);
	gold_attr(&g, XFRMA_IF_ID, &if_id, sizeof(if_id), NULL, 0);
	gold_attr(&g, XFRMA_OFFLOAD_DEV, &o, sizeof(o), NULL, 0);

	n = xfrm_msg_newpolicy(buf, sizeof(buf), XFRM_MSG_NEWPOLICY, &p, 12);
	ck_assert_int_gt(n, 0);
	xt_assert_bytes(buf, (size_t)n, g.b, g.len);
}
END_TEST

START_TEST(delpolicy_and_getpolicy)
{
	struct xfrm_policy p = xt_out_policy();
	struct xfrm_userpolicy_id k;
	struct xfrm_mark m;
	uint32_t if_id = 3;
	struct gold g;
	int n;

	memset(&k, 0, sizeof(k));
	xt_out_sel(&k.sel);
	k.dir = XFRM_POLICY_OUT;
	gold_start(&g, XFRM_MSG_DELPOLICY, REQ, 13, &k, sizeof(k));
	n = xfrm_msg_delpolicy(buf, sizeof(buf), XFRM_MSG_DELPOLICY, &p, 13);
	ck_assert_int_gt(n, 0);
	xt_assert_bytes(buf, (size_t)n, g.b, g.len);
	ck_assert_uint_eq(g.len, 80); /* as `ip xfrm policy delete` */

	p.has = XFRM_POLICY_HAS_MARK | XFRM_POLICY_HAS_IF_ID;
	p.mark = 5;
	p.mark_mask = 0xffffffff;
	p.if_id = if_id;
	m.v = 5;
	m.m = 0xffffffff;
	gold_start(&g, XFRM_MSG_GETPOLICY, REQ, 14, &k, sizeof(k));
	gold_attr(&g, XFRMA_MARK, &m, sizeof(m), NULL, 0);
	gold_attr(&g, XFRMA_IF_ID, &if_id, sizeof(if_id), NULL, 0);
	n = xfrm_msg_delpolicy(buf, sizeof(buf), XFRM_MSG_GETPOLICY, &p, 14);
	ck_assert_int_gt(n, 0);
	xt_assert_bytes(buf, (size_t)n, g.b, g.len);
}
END_TEST

START_TEST(migrate)
{
	struct xfrm_policy p = xt_out_policy();
	struct xfrm_move m;
	struct xfrm_userpolicy_id k;
	struct xfrm_user_migrate um;
	struct xfrm_encap_tmpl e;
	uint32_t if_id = 3;
	struct gold g;
	int n;

	memset(&m, 0, sizeof(m));
	m.old_src = xt_addr("192.0.2.1");
	m.old_dst = xt_addr("192.0.2.2");
	m.new_src = xt_addr("192.0.2.11");
	m.new_dst = xt_addr("192.0.2.2");
	m.mode = XFRM_MODE_TUNNEL;
	m.reqid = 7;
	memset(&k, 0, sizeof(k));
	xt_out_sel(&k.sel);
	k.dir = XFRM_POLICY_OUT;
	memset(&um, 0, sizeof(um));
	xt_kaddr(&um.old_saddr, "192.0.2.1");
	xt_kaddr(&um.old_daddr, "192.0.2.2");
	xt_kaddr(&um.new_saddr, "192.0.2.11");
	xt_kaddr(&um.new_daddr, "192.0.2.2");
	um.proto = IPPROTO_ESP;
	um.mode = XFRM_MODE_TUNNEL;
	um.reqid = 7;
	um.old_family = AF_INET;
	um.new_family = AF_INET;
	gold_start(&g, XFRM_MSG_MIGRATE, REQ, 15, &k, sizeof(k));
	gold_attr(&g, XFRMA_MIGRATE, &um, sizeof(um), NULL, 0);
	n = xfrm_msg_migrate(buf, sizeof(buf), &p, &m, 15);
	ck_assert_int_gt(n, 0);
	xt_assert_bytes(buf, (size_t)n, g.b, g.len);
	ck_assert_uint_eq(g.len, 160); /* 80 as DELPOLICY, 4 + 76 */

	/* The SA's new encapsulation, the policy's interface ID; its
	 * mark is left out (the kernel's migration does not look at it). */
	m.has = XFRM_MOVE_HAS_ENCAP;
	m.encap.sport = 4500;
	m.encap.dport = 31337;
	p.has = XFRM_POLICY_HAS_MARK | XFRM_POLICY_HAS_IF_ID;
	p.mark = 5;
	p.mark_mask = 0xffffffff;
	p.if_id = if_id;
	memset(&e, 0, sizeof(e));
	e.encap_type = UDP_ENCAP_ESPINUDP;
	e.encap_sport = htons(4500);
	e.encap_dport = htons(31337);
	gold_start(&g, XFRM_MSG_MIGRATE, REQ, 16, &k, sizeof(k));
	gold_attr(&g, XFRMA_MIGRATE, &um, sizeof(um), NULL, 0);
	gold_attr(&g, XFRMA_ENCAP, &e, sizeof(e), NULL, 0);
	gold_attr(&g, XFRMA_IF_ID, &if_id, sizeof(if_id), NULL, 0);
	n = xfrm_msg_migrate(buf, sizeof(buf), &p, &m, 16);
	ck_assert_int_gt(n, 0);
	xt_assert_bytes(buf, (size_t)n, g.b, g.len);

	/* Refused: mixed families in one pair, an unknown mode, a bad
	 * direction; and a buffer too small at every length. */
	m.new_dst = xt_addr("2001:db8::2");
	ck_assert_int_eq(xfrm_msg_migrate(buf, sizeof(buf), &p, &m, 1),
			 -EINVAL);
	m.new_dst = xt_addr("192.0.2.2");
	m.mode = 9;
	ck_assert_int_eq(xfrm_msg_migrate(buf, sizeof(buf), &p, &m, 1),
			 -EINVAL);
	m.mode = XFRM_MODE_TUNNEL;
	p.dir = 7;
	ck_assert_int_eq(xfrm_msg_migrate(buf, sizeof(buf), &p, &m, 1),
			 -EINVAL);
	p.dir = XFRM_POLICY_OUT;
	for (size_t len = 0; len < (size_t)n; len++)
		ck_assert_int_eq(xfrm_msg_migrate(buf, len, &p, &m, 1),
				 -EMSGSIZE);
}
END_TEST

START_TEST(spdinfo)
{
	struct xfrm_spd_hthresh t = {24, 24, 0, 0};
	struct xfrmu_spdhthresh h4 = {24, 24}, h6 = {48, 64};
	uint32_t flags = 0;
	struct gold g;
	int n;

	/* IPv4 alone: IPv6 left as it is. */
	gold_start(&g, XFRM_MSG_NEWSPDINFO, REQ, 7, &flags, sizeof(flags));
	gold_attr(&g, XFRMA_SPD_IPV4_HTHRESH, &h4, sizeof(h4), NULL, 0);
	n = xfrm_msg_spdinfo(buf, sizeof(buf), XFRM_MSG_NEWSPDINFO, &t, 7);
	ck_assert_int_gt(n, 0);
	xt_assert_bytes(buf, (size_t)n, g.b, g.len);
	/* Both. */
	t = (struct xfrm_spd_hthresh){24, 24, 48, 64};
	gold_start(&g, XFRM_MSG_NEWSPDINFO, REQ, 8, &flags, sizeof(flags));
	gold_attr(&g, XFRMA_SPD_IPV4_HTHRESH, &h4, sizeof(h4), NULL, 0);
	gold_attr(&g, XFRMA_SPD_IPV6_HTHRESH, &h6, sizeof(h6), NULL, 0);
	n = xfrm_msg_spdinfo(buf, sizeof(buf), XFRM_MSG_NEWSPDINFO, &t, 8);
	ck_assert_int_gt(n, 0);
	xt_assert_bytes(buf, (size_t)n, g.b, g.len);
	/* The question: the flags word alone. */
	gold_start(&g, XFRM_MSG_GETSPDINFO, REQ, 9, &flags, sizeof(flags));
	n = xfrm_msg_spdinfo(buf, sizeof(buf), XFRM_MSG_GETSPDINFO, NULL, 9);
	ck_assert_int_gt(n, 0);
	xt_assert_bytes(buf, (size_t)n, g.b, g.len);
	/* Refused: prefixes longer than the family's, another type, no
	 * room. */
	t = (struct xfrm_spd_hthresh){33, 24, 0, 0};
	ck_assert_int_eq(
	    xfrm_msg_spdinfo(buf, sizeof(buf), XFRM_MSG_NEWSPDINFO, &t, 1),
	    -EINVAL);
	t = (struct xfrm_spd_hthresh){0, 0, 64, 129};
	ck_assert_int_eq(
	    xfrm_msg_spdinfo(buf, sizeof(buf), XFRM_MSG_NEWSPDINFO, &t, 1),
	    -EINVAL);
	ck_assert_int_eq(
	    xfrm_msg_spdinfo(buf, sizeof(buf), XFRM_MSG_NEWSA, &t, 1), -EINVAL);
	t = (struct xfrm_spd_hthresh){24, 24, 64, 64};
	ck_assert_int_eq(xfrm_msg_spdinfo(buf, 20, XFRM_MSG_NEWSPDINFO, &t, 1),
			 -EMSGSIZE);
	ck_assert_int_eq(xfrm_msg_spdinfo(buf, 28, XFRM_MSG_NEWSPDINFO, &t, 1),
			 -EMSGSIZE);
}
END_TEST

/* The kernel's answer to GETSPDINFO, as it sends it (counts first). */
START_TEST(spdinfo_reply)
{
	struct xfrmu_spdinfo info = {1, 2, 3, 4, 5, 6};
	struct xfrmu_spdhinfo hinfo = {16, 64};
	struct xfrmu_spdhthresh h4 = {24, 16}, h6 = {64, 48};
	struct xfrm_spd_hthresh t;
	uint32_t flags = 0;
	uint8_t one = 1;
	struct gold g;

	gold_start(&g, XFRM_MSG_NEWSPDINFO, 0, 1, &flags, sizeof(flags));
	gold_attr(&g, XFRMA_SPD_INFO, &info, sizeof(info), NULL, 0);
	gold_attr(&g, XFRMA_SPD_HINFO, &hinfo, sizeof(hinfo), NULL, 0);
	gold_attr(&g, XFRMA_SPD_IPV4_HTHRESH, &h4, sizeof(h4), NULL, 0);
	gold_attr(&g, XFRMA_SPD_IPV6_HTHRESH, &h6, sizeof(h6), NULL, 0);
	ck_assert_int_eq(xfrm_parse_spdinfo((struct nlmsghdr *)g.b, &t), 0);
	ck_assert_uint_eq(t.lbits4, 24);
	ck_assert_uint_eq(t.rbits4, 16);
	ck_assert_uint_eq(t.lbits6, 64);
	ck_assert_uint_eq(t.rbits6, 48);
	/* A threshold attribute too short to hold one. */
	gold_start(&g, XFRM_MSG_NEWSPDINFO, 0, 1, &flags, sizeof(flags));
	gold_attr(&g, XFRMA_SPD_IPV4_HTHRESH, &one, sizeof(one), NULL, 0);
	ck_assert_int_eq(xfrm_parse_spdinfo((struct nlmsghdr *)g.b, &t),
			 -EBADMSG);
	/* No room for the flags word. */
	gold_start(&g, XFRM_MSG_NEWSPDINFO, 0, 1, &flags, 0);
	ck_assert_int_eq(xfrm_parse_spdinfo((struct nlmsghdr *)g.b, &t),
			 -EBADMSG);
}
END_TEST

START_TEST(builders_refuse_bad_input)
{
	struct xfrm_policy p;
	struct xfrm_sa sa;

#define BAD_SA(stmt)                                                           \
	do {                                                                   \
		sa = xt_gcm_sa();                                              \
		stmt;                                                          \
		ck_assert_int_eq(                                              \
		    xfrm_msg_newsa(buf, sizeof(buf), XFRM_MSG_NEWSA, &sa, 1),  \
		    -EINVAL);                                                  \
	} while (0)
	BAD_SA(sa.dst = xt_addr("2001:db8::1")); /* mixed families */
	BAD_SA(sa.src.family = AF_UNIX);
	BAD_SA(sa.spi = 0);
	BAD_SA(sa.mode = XFRM_MODE_BEET);
	BAD_SA(sa.algs.enc.name = NULL);
	BAD_SA(sa.algs.enc.key = NULL);
	BAD_SA(sa.algs.enc.icv_bits = 0);
	BAD_SA(
	    sa.algs.enc.name =
		"0123456789012345678901234567890123456789012345678901234567890123");
	BAD_SA(sa.algs.enc.key_len = 4096);
	BAD_SA((sa.algs.aead = false, sa.algs.auth.name = "hmac(sha1)"));
	BAD_SA(sa.has |= XFRM_SA_HAS_ESN); /* ESN needs a window */
	BAD_SA((sa.has |= XFRM_SA_HAS_REPLAY, sa.replay_window = 4097));
	BAD_SA((sa.has |= XFRM_SA_HAS_OFFLOAD, sa.offload.ifindex = 0));
	BAD_SA((sa.has |= XFRM_SA_HAS_SEL,
		sa.sel = xt_sel("192.0.2.0", 33, "192.0.2.0", 24)));
	BAD_SA((sa.has |= XFRM_SA_HAS_SEL,
		sa.sel = xt_sel("192.0.2.0", 24, "2001:db8::", 64)));
#undef BAD_SA

	/* Exactly the limits are fine. */
	sa = xt_gcm_sa();
	sa.has |= XFRM_SA_HAS_REPLAY | XFRM_SA_HAS_ESN;
	sa.replay_window = 4096;
	ck_assert_int_gt(
	    xfrm_msg_newsa(buf, sizeof(buf), XFRM_MSG_NEWSA, &sa, 1), 0);

	p = xt_out_policy();
	p.dir = 3;
	ck_assert_int_eq(
	    xfrm_msg_newpolicy(buf, sizeof(buf), XFRM_MSG_NEWPOLICY, &p, 1),
	    -EINVAL);
	ck_assert_int_eq(
	    xfrm_msg_delpolicy(buf, sizeof(buf), XFRM_MSG_DELPOLICY, &p, 1),
	    -EINVAL);
	p = xt_out_policy();
	p.ntmpl = XFRM_TMPL_MAX + 1;
	ck_assert_int_eq(
	    xfrm_msg_newpolicy(buf, sizeof(buf), XFRM_MSG_NEWPOLICY, &p, 1),
	    -EINVAL);
	p = xt_out_policy();
	p.tmpl[0].dst = xt_addr("2001:db8::1");
	ck_assert_int_eq(
	    xfrm_msg_newpolicy(buf, sizeof(buf), XFRM_MSG_NEWPOLICY, &p, 1),
	    -EINVAL);
	p = xt_out_policy();
	p.has = XFRM_POLICY_HAS_OFFLOAD;
	ck_assert_int_eq(
	    xfrm_msg_newpolicy(buf, sizeof(buf), XFRM_MSG_NEWPOLICY, &p, 1),
	    -EINVAL);
	p = xt_out_policy();
	ck_assert_int_eq(
	    xfrm_msg_newpolicy(buf, sizeof(buf), XFRM_MSG_DELPOLICY, &p, 1),
	    -EINVAL);
}
END_TEST

/* Every builder, every buffer size short of what it needs: -EMSGSIZE and
 * not a byte written past the end. */
START_TEST(builders_stay_in_bounds)
{
	struct xfrm_policy p = xt_out_policy();
	struct xfrm_sa sa = xt_gcm_sa();
	int i, full;

	sa.has = XFRM_SA_HAS_ENCAP | XFRM_SA_HAS_MARK | XFRM_SA_HAS_IF_ID |
		 XFRM_SA_HAS_OFFLOAD | XFRM_SA_HAS_ESN | XFRM_SA_HAS_REPLAY;
	sa.replay_window = 128;
	sa.offload.ifindex = 1;
	p.has = XFRM_POLICY_HAS_MARK | XFRM_POLICY_HAS_IF_ID |
		XFRM_POLICY_HAS_OFFLOAD;
	p.offload.ifindex = 1;

	for (i = 0; i < 5; i++) {
		size_t len;

		memset(buf, 0xaa, sizeof(buf));
		switch (i) {
		case 0:
			full = xfrm_msg_newsa(buf, sizeof(buf), XFRM_MSG_NEWSA,
					      &sa, 1);
			break;
		case 1:
			full = xfrm_msg_delsa(buf, sizeof(buf), XFRM_MSG_DELSA,
					      &sa, 1);
			break;
		case 2:
			full =
			    xfrm_msg_allocspi(buf, sizeof(buf), &sa, 1, 2, 1);
			break;
		case 3:
			full = xfrm_msg_newpolicy(buf, sizeof(buf),
						  XFRM_MSG_NEWPOLICY, &p, 1);
			break;
		default:
			full = xfrm_msg_delpolicy(buf, sizeof(buf),
						  XFRM_MSG_DELPOLICY, &p, 1);
			break;
		}
		ck_assert_int_gt(full, 0);
		for (len = 0; len < (size_t)full; len++) {
			int rc;

			memset(buf, 0xaa, sizeof(buf));
			switch (i) {
			case 0:
				rc = xfrm_msg_newsa(buf, len, XFRM_MSG_NEWSA,
						    &sa, 1);
				break;
			case 1:
				rc = xfrm_msg_delsa(buf, len, XFRM_MSG_DELSA,
						    &sa, 1);
				break;
			case 2:
				rc = xfrm_msg_allocspi(buf, len, &sa, 1, 2, 1);
				break;
			case 3:
				rc = xfrm_msg_newpolicy(
				    buf, len, XFRM_MSG_NEWPOLICY, &p, 1);
				break;
			default:
				rc = xfrm_msg_delpolicy(
				    buf, len, XFRM_MSG_DELPOLICY, &p, 1);
				break;
			}
			ck_assert_int_eq(rc, -EMSGSIZE);
			ck_assert_uint_eq(buf[len], 0xaa);
			ck_assert_uint_eq(buf[sizeof(buf) - 1], 0xaa);
		}
	}
}
END_TEST

Suite *
xfrm_msg_suite(void)
{
	Suite *s = suite_create("xfrm_msg");
	TCase *tc = tcase_create("build");

	tcase_add_test(tc, newsa_aead);
	tcase_add_test(tc, newsa_aead_matches_iproute2);
	tcase_add_test(tc, updsa_differs_only_in_type);
	tcase_add_test(tc, newsa_cbc_hmac_transport);
	tcase_add_test(tc, newsa_esn);
	tcase_add_test(tc, newsa_encap);
	tcase_add_test(tc, newsa_offload);
	tcase_add_test(tc, delsa_and_getsa);
	tcase_add_test(tc, allocspi);
	tcase_add_test(tc, allocspi_matches_iproute2);
	tcase_add_test(tc, newpolicy_tunnel_template);
	tcase_add_test(tc, newpolicy_matches_iproute2);
	tcase_add_test(tc, newpolicy_two_templates_mark_if_id_offload);
	tcase_add_test(tc, delpolicy_and_getpolicy);
	tcase_add_test(tc, migrate);
	tcase_add_test(tc, spdinfo);
	tcase_add_test(tc, spdinfo_reply);
	tcase_add_test(tc, builders_refuse_bad_input);
	tcase_add_test(tc, builders_stay_in_bounds);
	suite_add_tcase(s, tc);
	return s;
}
