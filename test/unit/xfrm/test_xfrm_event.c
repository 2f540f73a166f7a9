/* SPDX-License-Identifier: ISC */
/*
 * The event parser on messages written as the kernel writes them
 * (build_expire(), build_acquire(), build_mapping() in xfrm_user.c): soft
 * and hard EXPIRE, ACQUIRE with the SA's family taken from the template,
 * MAPPING, messages that are not events, several in one datagram, and
 * lost events (ENOBUFS). Every message is also cut short at every length
 * and bit-flipped, which must never crash the parser.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <arpa/inet.h>
#include <linux/netlink.h>

#include <check.h>

#include "xfrm_int.h"
#include "xtest.h"

struct seen {
	struct xfrm_event ev[8];
	int n;
};

static void
record(const struct xfrm_event *e, void *arg)
{
	struct seen *s = arg;

	ck_assert_int_lt(s->n, 8);
	s->ev[s->n++] = *e;
}

static void
gold_expire(struct gold *g, bool hard)
{
	struct xfrm_user_expire k;
	struct xfrm_mark m = {.v = 0x11, .m = 0xff};
	uint32_t if_id = 4;

	memset(&k, 0, sizeof(k));
	xt_kaddr(&k.state.id.daddr, "192.0.2.2");
	k.state.id.spi = htonl(0xc0ffee02);
	k.state.id.proto = IPPROTO_ESP;
	xt_kaddr(&k.state.saddr, "192.0.2.1");
	k.state.sel.family = AF_INET;
	xt_kinf(&k.state.lft);
	k.state.lft.soft_add_expires_seconds = 3000;
	k.state.lft.hard_add_expires_seconds = 3600;
	k.state.curlft.bytes = 5000;
	k.state.reqid = 12;
	k.state.family = AF_INET;
	k.state.mode = XFRM_MODE_TUNNEL;
	k.state.replay_window = 32;
	k.hard = hard;
	gold_start(g, XFRM_MSG_EXPIRE, 0, 0, &k, sizeof(k));
	gold_attr(g, XFRMA_MARK, &m, sizeof(m), NULL, 0);
	gold_attr(g, XFRMA_IF_ID, &if_id, sizeof(if_id), NULL, 0);
}

/* An ACQUIRE for IPv6 traffic through an IPv4 tunnel: the SA's addresses
 * are IPv4 although every selector in the message is IPv6. */
static void
gold_acquire(struct gold *g)
{
	struct xfrm_user_acquire k;
	struct xfrm_user_tmpl t[2];
	struct xfrm_mark m = {.v = 3, .m = 3};

	memset(&k, 0, sizeof(k));
	xt_kaddr(&k.id.daddr, "192.0.2.2");
	k.id.proto = IPPROTO_ESP;
	xt_kaddr(&k.saddr, "192.0.2.1");
	xt_kaddr(&k.sel.daddr, "2001:db8:2::5");
	xt_kaddr(&k.sel.saddr, "2001:db8:1::7");
	k.sel.dport = htons(443);
	k.sel.dport_mask = 0xffff;
	k.sel.sport = htons(40000);
	k.sel.sport_mask = 0xffff;
	k.sel.family = AF_INET6;
	k.sel.prefixlen_d = 128;
	k.sel.prefixlen_s = 128;
	k.sel.proto = IPPROTO_TCP;
	xt_kaddr(&k.policy.sel.daddr, "2001:db8:2::");
	xt_kaddr(&k.policy.sel.saddr, "2001:db8:1::");
	k.policy.sel.family = AF_INET6;
	k.policy.sel.prefixlen_d = 48;
	k.policy.sel.prefixlen_s = 48;
	xt_kinf(&k.policy.lft);
	k.policy.priority = 1000;
	k.policy.index = 0x99;
	k.policy.dir = XFRM_POLICY_OUT;
	k.aalgos = k.ealgos = k.calgos = 0xffffffff;
	k.seq = 0x4242;
	memset(t, 0, sizeof(t));
	/* An IPComp template first, to show the ESP one is chosen. */
	t[0].id.proto = IPPROTO_COMP;
	t[0].family = AF_INET6;
	t[0].reqid = 1;
	t[0].mode = XFRM_MODE_TRANSPORT;
	t[0].optional = 1;
	xt_kaddr(&t[1].id.daddr, "192.0.2.2");
	t[1].id.proto = IPPROTO_ESP;
	t[1].family = AF_INET;
	xt_kaddr(&t[1].saddr, "192.0.2.1");
	t[1].reqid = 21;
	t[1].mode = XFRM_MODE_TUNNEL;
	gold_start(g, XFRM_MSG_ACQUIRE, 0, 0, &k, sizeof(k));
	gold_attr(g, XFRMA_TMPL, t, sizeof(t), NULL, 0);
	gold_attr(g, XFRMA_MARK, &m, sizeof(m), NULL, 0);
}

static void
gold_mapping(struct gold *g)
{
	struct xfrm_user_mapping k;

	memset(&k, 0, sizeof(k));
	xt_kaddr(&k.id.daddr, "192.0.2.1");
	k.id.spi = htonl(0xabcdef01);
	k.id.family = AF_INET;
	k.id.proto = IPPROTO_ESP;
	k.reqid = 5;
	xt_kaddr(&k.old_saddr, "203.0.113.7");
	xt_kaddr(&k.new_saddr, "203.0.113.8");
	k.old_sport = htons(4500);
	k.new_sport = htons(31337);
	gold_start(g, XFRM_MSG_MAPPING, 0, 0, &k, sizeof(k));
}

static int
parse(const struct gold *g, struct xfrm_event *ev)
{
	return xfrm_event_parse((const struct nlmsghdr *)g->b, ev);
}

START_TEST(expire)
{
	struct xfrm_addr a1 = xt_addr("192.0.2.1"), a2 = xt_addr("192.0.2.2");
	struct xfrm_event ev;
	struct gold g;

	gold_expire(&g, false);
	ck_assert_int_eq(parse(&g, &ev), 1);
	ck_assert_int_eq(ev.type, XFRM_EVENT_EXPIRE);
	ck_assert(!ev.expire.hard);
	ck_assert_uint_eq(ev.expire.sa.spi, 0xc0ffee02);
	ck_assert_uint_eq(ev.expire.sa.proto, IPPROTO_ESP);
	ck_assert_uint_eq(ev.expire.sa.reqid, 12);
	ck_assert_uint_eq(ev.expire.sa.mode, XFRM_MODE_TUNNEL);
	ck_assert(xt_addr_eq(&ev.expire.sa.src, &a1));
	ck_assert(xt_addr_eq(&ev.expire.sa.dst, &a2));
	ck_assert_uint_eq(ev.expire.sa.lft.hard_add_sec, 3600);
	ck_assert_uint_eq(ev.expire.sa.replay_window, 32);
	/* With its mark, the SA can be deleted straight from the event. */
	ck_assert(ev.expire.sa.has & XFRM_SA_HAS_MARK);
	ck_assert_uint_eq(ev.expire.sa.mark, 0x11);
	ck_assert_uint_eq(ev.expire.sa.mark_mask, 0xff);
	ck_assert(ev.expire.sa.has & XFRM_SA_HAS_IF_ID);
	ck_assert_uint_eq(ev.expire.sa.if_id, 4);

	gold_expire(&g, true);
	ck_assert_int_eq(parse(&g, &ev), 1);
	ck_assert(ev.expire.hard);
}
END_TEST

START_TEST(acquire)
{
	struct xfrm_addr a1 = xt_addr("192.0.2.1"), a2 = xt_addr("192.0.2.2");
	struct xfrm_sel pkt =
	    xt_sel("2001:db8:1::7", 128, "2001:db8:2::5", 128);
	struct xfrm_sel pol = xt_sel("2001:db8:1::", 48, "2001:db8:2::", 48);
	struct xfrm_event ev;
	struct gold g;

	pkt.proto = IPPROTO_TCP;
	pkt.sport = 40000;
	pkt.sport_mask = 0xffff;
	pkt.dport = 443;
	pkt.dport_mask = 0xffff;
	gold_acquire(&g);
	ck_assert_int_eq(parse(&g, &ev), 1);
	ck_assert_int_eq(ev.type, XFRM_EVENT_ACQUIRE);
	ck_assert_uint_eq(ev.acquire.proto, IPPROTO_ESP);
	ck_assert_uint_eq(ev.acquire.reqid, 21);
	ck_assert_uint_eq(ev.acquire.seq, 0x4242);
	ck_assert(xt_addr_eq(&ev.acquire.src, &a1));
	ck_assert(xt_addr_eq(&ev.acquire.dst, &a2));
	ck_assert(xt_sel_eq(&ev.acquire.sel, &pkt));
	ck_assert(xt_sel_eq(&ev.acquire.policy.sel, &pol));
	ck_assert_uint_eq(ev.acquire.policy.dir, XFRM_POLICY_OUT);
	ck_assert_uint_eq(ev.acquire.policy.index, 0x99);
	ck_assert_uint_eq(ev.acquire.policy.priority, 1000);
	ck_assert_uint_eq(ev.acquire.policy.ntmpl, 2);
	ck_assert(ev.acquire.policy.tmpl[0].optional);
	ck_assert(xt_addr_eq(&ev.acquire.policy.tmpl[1].dst, &a2));
	ck_assert(ev.acquire.policy.has & XFRM_POLICY_HAS_MARK);
	ck_assert_uint_eq(ev.acquire.policy.mark, 3);
}
END_TEST

START_TEST(acquire_transport_takes_the_traffic_family)
{
	struct xfrm_user_acquire k;
	struct xfrm_user_tmpl t;
	struct xfrm_addr a = xt_addr("2001:db8::1"), b = xt_addr("2001:db8::2");
	struct xfrm_event ev;
	struct gold g;

	memset(&k, 0, sizeof(k));
	xt_kaddr(&k.id.daddr, "2001:db8::2");
	k.id.proto = IPPROTO_ESP;
	xt_kaddr(&k.saddr, "2001:db8::1");
	k.sel.family = AF_INET6;
	k.policy.sel.family = AF_INET6;
	memset(&t, 0, sizeof(t));
	t.id.proto = IPPROTO_ESP;
	t.family = AF_INET6;
	t.reqid = 2;
	t.mode = XFRM_MODE_TRANSPORT;
	gold_start(&g, XFRM_MSG_ACQUIRE, 0, 0, &k, sizeof(k));
	gold_attr(&g, XFRMA_TMPL, &t, sizeof(t), NULL, 0);
	ck_assert_int_eq(parse(&g, &ev), 1);
	ck_assert_uint_eq(ev.acquire.reqid, 2);
	ck_assert(xt_addr_eq(&ev.acquire.src, &a));
	ck_assert(xt_addr_eq(&ev.acquire.dst, &b));

	/* No template at all: no reqid, but still an event. */
	gold_start(&g, XFRM_MSG_ACQUIRE, 0, 0, &k, sizeof(k));
	ck_assert_int_eq(parse(&g, &ev), 1);
	ck_assert_uint_eq(ev.acquire.reqid, 0);
}
END_TEST

START_TEST(mapping)
{
	struct xfrm_addr d = xt_addr("192.0.2.1"), o = xt_addr("203.0.113.7"),
			 n = xt_addr("203.0.113.8");
	struct xfrm_event ev;
	struct gold g;

	gold_mapping(&g);
	ck_assert_int_eq(parse(&g, &ev), 1);
	ck_assert_int_eq(ev.type, XFRM_EVENT_MAPPING);
	ck_assert(xt_addr_eq(&ev.mapping.dst, &d));
	ck_assert_uint_eq(ev.mapping.spi, 0xabcdef01);
	ck_assert_uint_eq(ev.mapping.proto, IPPROTO_ESP);
	ck_assert_uint_eq(ev.mapping.reqid, 5);
	ck_assert(xt_addr_eq(&ev.mapping.old_src, &o));
	ck_assert(xt_addr_eq(&ev.mapping.new_src, &n));
	ck_assert_uint_eq(ev.mapping.old_sport, 4500);
	ck_assert_uint_eq(ev.mapping.new_sport, 31337);
}
END_TEST

START_TEST(not_events_and_malformed)
{
	static const uint8_t zero[512];
	struct xfrm_userpolicy_info p;
	struct xfrm_event ev;
	struct gold g;

	/* Policy and SA notifications are not events charond acts on. */
	memset(&p, 0, sizeof(p));
	gold_start(&g, XFRM_MSG_NEWPOLICY, 0, 0, &p, sizeof(p));
	ck_assert_int_eq(parse(&g, &ev), 0);
	gold_start(&g, NLMSG_DONE, 0, 0, &p, 4);
	ck_assert_int_eq(parse(&g, &ev), 0);

	/* Short fixed parts. */
	gold_start(&g, XFRM_MSG_EXPIRE, 0, 0, zero,
		   sizeof(struct xfrm_user_expire) - 8);
	ck_assert_int_eq(parse(&g, &ev), -EBADMSG);
	gold_start(&g, XFRM_MSG_ACQUIRE, 0, 0, zero,
		   sizeof(struct xfrm_user_acquire) - 4);
	ck_assert_int_eq(parse(&g, &ev), -EBADMSG);
	gold_start(&g, XFRM_MSG_MAPPING, 0, 0, zero,
		   sizeof(struct xfrm_user_mapping) - 4);
	ck_assert_int_eq(parse(&g, &ev), -EBADMSG);
}
END_TEST

START_TEST(several_in_one_datagram)
{
	static _Alignas(8) uint8_t dgram[4096];
	struct xfrm_userpolicy_info p;
	struct seen s = {.n = 0};
	struct gold g;
	size_t n = 0;

#define APPEND()                                                               \
	do {                                                                   \
		memcpy(dgram + n, g.b, g.len);                                 \
		n += g.len;                                                    \
	} while (0)
	gold_expire(&g, true);
	APPEND();
	memset(&p, 0, sizeof(p));
	gold_start(&g, XFRM_MSG_NEWPOLICY, 0, 0, &p, sizeof(p));
	APPEND();
	gold_acquire(&g);
	APPEND();
	gold_mapping(&g);
	APPEND();
#undef APPEND
	ck_assert_int_eq(xfrm_event_dispatch(dgram, (ssize_t)n, 0, record, &s),
			 3);
	ck_assert_int_eq(s.n, 3);
	ck_assert_int_eq(s.ev[0].type, XFRM_EVENT_EXPIRE);
	ck_assert_int_eq(s.ev[1].type, XFRM_EVENT_ACQUIRE);
	ck_assert_int_eq(s.ev[2].type, XFRM_EVENT_MAPPING);

	/* A cut datagram: what is whole is still delivered. */
	s.n = 0;
	ck_assert_int_eq(
	    xfrm_event_dispatch(dgram, (ssize_t)n - 10, 0, record, &s), 2);
}
END_TEST

START_TEST(lost_events)
{
	struct seen s = {.n = 0};

	/* The socket overflowed: one LOST event, so charond resyncs. */
	ck_assert_int_eq(xfrm_event_dispatch(NULL, -1, ENOBUFS, record, &s), 1);
	ck_assert_int_eq(s.n, 1);
	ck_assert_int_eq(s.ev[0].type, XFRM_EVENT_LOST);
	/* A datagram too large for the buffer was lost too. */
	ck_assert_int_eq(xfrm_event_dispatch(NULL, -1, ENOSPC, record, &s), 1);
	ck_assert_int_eq(s.ev[1].type, XFRM_EVENT_LOST);
	/* Anything else is an error, not an event. */
	ck_assert_int_eq(xfrm_event_dispatch(NULL, -1, EIO, record, &s), -EIO);
	ck_assert_int_eq(s.n, 2);
}
END_TEST

/* Truncations (with the header's length following, as a kernel bug
 * would) and single bit flips of every message: any result but a crash. */
START_TEST(mangled_messages_do_not_crash)
{
	static _Alignas(8) uint8_t m[4096];
	struct seen s;
	struct gold g;
	int which;

	for (which = 0; which < 3; which++) {
		size_t len, bit;

		if (which == 0)
			gold_expire(&g, true);
		else if (which == 1)
			gold_acquire(&g);
		else
			gold_mapping(&g);
		for (len = 0; len <= g.len; len++) {
			struct nlmsghdr h;

			memcpy(m, g.b, g.len);
			memcpy(&h, m, sizeof(h));
			h.nlmsg_len = (uint32_t)len;
			if (len >= sizeof(h))
				memcpy(m, &h, sizeof(h));
			s.n = 0;
			(void)xfrm_event_dispatch(m, (ssize_t)len, 0, record,
						  &s);
		}
		for (bit = 0; bit < g.len * 8; bit++) {
			memcpy(m, g.b, g.len);
			m[bit / 8] ^= (uint8_t)(1u << (bit % 8));
			s.n = 0;
			(void)xfrm_event_dispatch(m, (ssize_t)g.len, 0, record,
						  &s);
		}
	}
}
END_TEST

Suite *
xfrm_event_suite(void)
{
	Suite *s = suite_create("xfrm_event");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, expire);
	tcase_add_test(tc, acquire);
	tcase_add_test(tc, acquire_transport_takes_the_traffic_family);
	tcase_add_test(tc, mapping);
	tcase_add_test(tc, not_events_and_malformed);
	tcase_add_test(tc, several_in_one_datagram);
	tcase_add_test(tc, lost_events);
	tcase_add_test(tc, mangled_messages_do_not_crash);
	suite_add_tcase(s, tc);
	return s;
}
