/* SPDX-License-Identifier: ISC */
/*
 * libxfrm against the running kernel, as root, each test in a network
 * namespace of its own (nothing reaches the host's XFRM tables). What the
 * host kernel offers without ESP: policies added, read back, updated and
 * deleted; SPI allocation; ACQUIRE and EXPIRE events; lost events on an
 * overflowing socket; and a refused SA reported as the kernel's errno,
 * with its reason, on a socket that stays usable. SAs for real are in
 * test_xfrm_vm.c.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <check.h>

#include "ikev2_const.h"
#include "xtest.h"

struct seen {
	struct xfrm_event ev[16];
	int n;
	int lost;
};

static void
record(const struct xfrm_event *e, void *arg)
{
	struct seen *s = arg;

	if (e->type == XFRM_EVENT_LOST)
		s->lost++;
	if (s->n < 16)
		s->ev[s->n++] = *e;
}

/* Waits up to ms for an event of type, reading everything that comes. */
static const struct xfrm_event *
wait_event(struct xfrm_events *ev, struct seen *s, enum xfrm_event_type type,
	   int ms)
{
	struct pollfd pfd = {.fd = xfrm_events_fd(ev), .events = POLLIN};
	int i, waited;

	for (waited = 0; waited <= ms; waited += 100) {
		for (i = 0; i < s->n; i++)
			if (s->ev[i].type == type)
				return &s->ev[i];
		if (poll(&pfd, 1, 100) > 0 &&
		    xfrm_events_read(ev, record, s) < 0)
			return NULL;
	}
	return NULL;
}

static const char *
policy_lifecycle(void *arg)
{
	struct xfrm_policy p = xt_out_policy(), q, got;
	struct xfrm_nl *nl = xfrm_nl_open();
	int rc;

	XT_REQUIRE(nl != NULL, "xfrm_nl_open: %s", strerror(errno));
	rc = xfrm_policy_add(nl, &p);
	XT_REQUIRE(rc == 0, "add: %d %s", rc, xfrm_nl_error(nl));
	XT_REQUIRE(xfrm_nl_error(nl)[0] == '\0', "error after success");
	rc = xfrm_policy_add(nl, &p);
	XT_REQUIRE(rc == -EEXIST, "second add: %d", rc);
	XT_REQUIRE(strstr(xfrm_nl_error(nl), "NEWPOLICY") != NULL,
		   "reason: '%s'", xfrm_nl_error(nl));

	rc = xfrm_policy_get(nl, &p, &got);
	XT_REQUIRE(rc == 0, "get: %d %s", rc, xfrm_nl_error(nl));
	p.tmpl[0].proto = IPPROTO_ESP;
	XT_REQUIRE(xt_policy_eq(&p, &got), "read back differs");
	XT_REQUIRE(got.index != 0 && got.add_time != 0, "no index or add time");

	p.priority = 200;
	p.tmpl[0].reqid = 8;
	rc = xfrm_policy_update(nl, &p);
	XT_REQUIRE(rc == 0, "update: %d %s", rc, xfrm_nl_error(nl));
	rc = xfrm_policy_get(nl, &p, &got);
	XT_REQUIRE(rc == 0 && got.priority == 200 && got.tmpl[0].reqid == 8,
		   "not updated: %d", rc);

	rc = xfrm_policy_del(nl, &p);
	XT_REQUIRE(rc == 0, "del: %d %s", rc, xfrm_nl_error(nl));
	rc = xfrm_policy_get(nl, &p, &got);
	XT_REQUIRE(rc == -ENOENT, "get after del: %d", rc);
	rc = xfrm_policy_del(nl, &p);
	XT_REQUIRE(rc == -ENOENT, "second del: %d", rc);

	/* The other directions, over IPv6, with an optional transport
	 * template (IPComp, as strongSwan adds for in/fwd), mark and
	 * if_id, which the lookup then needs. */
	memset(&q, 0, sizeof(q));
	q.has = XFRM_POLICY_HAS_MARK | XFRM_POLICY_HAS_IF_ID;
	q.sel = xt_sel("2001:db8:2::", 48, "2001:db8:1::", 48);
	q.ntmpl = 2;
	q.tmpl[0].proto = IPPROTO_COMP;
	q.tmpl[0].mode = XFRM_MODE_TRANSPORT;
	q.tmpl[0].optional = true;
	q.tmpl[1].proto = IPPROTO_ESP;
	q.tmpl[1].src = xt_addr("2001:db8::2");
	q.tmpl[1].dst = xt_addr("2001:db8::1");
	q.tmpl[1].mode = XFRM_MODE_TUNNEL;
	q.tmpl[1].reqid = 3;
	q.mark = 0x100;
	q.mark_mask = 0xf00;
	q.if_id = 7;
	for (q.dir = XFRM_POLICY_IN; q.dir <= XFRM_POLICY_FWD; q.dir++) {
		if (q.dir == XFRM_POLICY_OUT)
			continue;
		rc = xfrm_policy_add(nl, &q);
		XT_REQUIRE(rc == 0, "add dir %u: %d %s", q.dir, rc,
			   xfrm_nl_error(nl));
		rc = xfrm_policy_get(nl, &q, &got);
		XT_REQUIRE(rc == 0, "get dir %u: %d %s", q.dir, rc,
			   xfrm_nl_error(nl));
		XT_REQUIRE(xt_policy_eq(&q, &got), "dir %u read back differs",
			   q.dir);
		rc = xfrm_policy_del(nl, &q);
		XT_REQUIRE(rc == 0, "del dir %u: %d", q.dir, rc);
	}
	xfrm_nl_close(nl);
	return NULL;
}

/* A new namespace has the kernel's thresholds (/32, /128); what is set
 * reads back, and a family left at 0 keeps its own. */
static const char *
spd_thresholds(void *arg)
{
	struct xfrm_nl *nl = xfrm_nl_open();
	struct xfrm_spd_hthresh t = {24, 24, 64, 64}, v4 = {20, 28, 0, 0};
	struct xfrm_spd_hthresh bad = {33, 24, 0, 0}, got;
	int rc;

	XT_REQUIRE(nl != NULL, "xfrm_nl_open: %s", strerror(errno));
	rc = xfrm_spd_hthresh_get(nl, &got);
	XT_REQUIRE(rc == 0, "get: %d %s", rc, xfrm_nl_error(nl));
	XT_REQUIRE(got.lbits4 == 32 && got.rbits4 == 32 && got.lbits6 == 128 &&
		       got.rbits6 == 128,
		   "defaults %u/%u %u/%u", got.lbits4, got.rbits4, got.lbits6,
		   got.rbits6);
	rc = xfrm_spd_hthresh_set(nl, &t);
	XT_REQUIRE(rc == 0, "set: %d %s", rc, xfrm_nl_error(nl));
	rc = xfrm_spd_hthresh_get(nl, &got);
	XT_REQUIRE(rc == 0 && memcmp(&got, &t, sizeof(t)) == 0,
		   "read back %u/%u %u/%u", got.lbits4, got.rbits4, got.lbits6,
		   got.rbits6);
	rc = xfrm_spd_hthresh_set(nl, &v4);
	XT_REQUIRE(rc == 0, "set v4: %d %s", rc, xfrm_nl_error(nl));
	rc = xfrm_spd_hthresh_get(nl, &got);
	XT_REQUIRE(rc == 0 && got.lbits4 == 20 && got.rbits4 == 28 &&
		       got.lbits6 == 64 && got.rbits6 == 64,
		   "v4 only: %u/%u %u/%u", got.lbits4, got.rbits4, got.lbits6,
		   got.rbits6);
	rc = xfrm_spd_hthresh_set(nl, &bad);
	XT_REQUIRE(rc == -EINVAL, "33 bits: %d", rc);
	xfrm_nl_close(nl);
	return NULL;
}

START_TEST(spd_hash_thresholds)
{
	xt_in_netns("spd_hash_thresholds", spd_thresholds, NULL);
}
END_TEST

START_TEST(policies)
{
	xt_in_netns("policies", policy_lifecycle, NULL);
}
END_TEST

/* MIGRATE without an SA (the host has no ESP): the tunnel template moves
 * to the new addresses, read back with GETPOLICY; a second migration
 * from the old addresses finds no template (-ENODATA), and one of a
 * policy that does not exist fails with -ENOENT. */
static const char *
policy_migrates(void *arg)
{
	struct xfrm_policy p = xt_out_policy(), got;
	struct xfrm_nl *nl = xfrm_nl_open();
	struct xfrm_move m;
	int rc;

	XT_REQUIRE(nl != NULL, "xfrm_nl_open: %s", strerror(errno));
	rc = xfrm_policy_add(nl, &p);
	XT_REQUIRE(rc == 0, "add: %d %s", rc, xfrm_nl_error(nl));
	memset(&m, 0, sizeof(m));
	m.old_src = p.tmpl[0].src;
	m.old_dst = p.tmpl[0].dst;
	m.new_src = xt_addr("192.0.2.11");
	m.new_dst = p.tmpl[0].dst;
	m.mode = XFRM_MODE_TUNNEL;
	m.reqid = p.tmpl[0].reqid;
	rc = xfrm_policy_migrate(nl, &p, &m);
	if (rc == -ENOPROTOOPT || rc == -EOPNOTSUPP)
		return "SKIP: kernel without CONFIG_XFRM_MIGRATE";
	XT_REQUIRE(rc == 0, "migrate: %d %s", rc, xfrm_nl_error(nl));
	rc = xfrm_policy_get(nl, &p, &got);
	XT_REQUIRE(rc == 0, "get: %d %s", rc, xfrm_nl_error(nl));
	XT_REQUIRE(got.ntmpl == 1 && xt_addr_eq(&got.tmpl[0].src, &m.new_src) &&
		       xt_addr_eq(&got.tmpl[0].dst, &m.new_dst) &&
		       got.tmpl[0].reqid == p.tmpl[0].reqid,
		   "template not moved");
	rc = xfrm_policy_migrate(nl, &p, &m);
	XT_REQUIRE(rc == -ENODATA, "second migrate: %d", rc);
	rc = xfrm_policy_del(nl, &p);
	XT_REQUIRE(rc == 0, "del: %d %s", rc, xfrm_nl_error(nl));
	rc = xfrm_policy_migrate(nl, &p, &m);
	XT_REQUIRE(rc == -ENOENT, "migrate after del: %d", rc);
	xfrm_nl_close(nl);
	return NULL;
}

START_TEST(policy_migrate)
{
	xt_in_netns("policy_migrate", policy_migrates, NULL);
}
END_TEST

static struct xfrm_sa
larval_sa(void)
{
	struct xfrm_sa sa;

	memset(&sa, 0, sizeof(sa));
	sa.src = xt_addr("192.0.2.1");
	sa.dst = xt_addr("192.0.2.2");
	sa.mode = XFRM_MODE_TUNNEL;
	sa.reqid = 9;
	return sa;
}

static const char *
spi_lifecycle(void *arg)
{
	struct xfrm_nl *nl = xfrm_nl_open();
	struct xfrm_sa sa = larval_sa();
	struct xfrm_sa_stats st;
	uint32_t spi = 0, spi2 = 0;
	int rc;

	XT_REQUIRE(nl != NULL, "xfrm_nl_open: %s", strerror(errno));
	rc = xfrm_spi_alloc(nl, &sa, 0x1000, 0x1fff, &spi);
	XT_REQUIRE(rc == 0, "allocspi: %d %s", rc, xfrm_nl_error(nl));
	XT_REQUIRE(spi >= 0x1000 && spi <= 0x1fff, "spi %#x", spi);
	rc = xfrm_spi_alloc(nl, &sa, 0x1000, 0x1fff, &spi2);
	XT_REQUIRE(rc == 0 && spi2 != spi, "second allocspi: %d %#x", rc, spi2);

	sa.spi = spi;
	rc = xfrm_sa_get(nl, &sa, &st);
	XT_REQUIRE(rc == 0, "get: %d %s", rc, xfrm_nl_error(nl));
	XT_REQUIRE(st.bytes == 0 && st.packets == 0 && st.add_time != 0,
		   "counters %llu %llu %llu", (unsigned long long)st.bytes,
		   (unsigned long long)st.packets,
		   (unsigned long long)st.add_time);
	rc = xfrm_sa_del(nl, &sa);
	XT_REQUIRE(rc == 0, "del: %d %s", rc, xfrm_nl_error(nl));
	rc = xfrm_sa_del(nl, &sa);
	XT_REQUIRE(rc == -ESRCH, "second del: %d", rc);
	XT_REQUIRE(strstr(xfrm_nl_error(nl), "DELSA") != NULL, "reason '%s'",
		   xfrm_nl_error(nl));
	rc = xfrm_sa_get(nl, &sa, &st);
	XT_REQUIRE(rc == -ESRCH, "get after del: %d", rc);

	/* Refused before anything is sent. */
	rc = xfrm_spi_alloc(nl, &sa, 0x2000, 0x1000, &spi);
	XT_REQUIRE(rc == -EINVAL, "min > max: %d", rc);
	XT_REQUIRE(strstr(xfrm_nl_error(nl), "ALLOCSPI") != NULL, "reason '%s'",
		   xfrm_nl_error(nl));
	xfrm_nl_close(nl);
	return NULL;
}

START_TEST(spi_alloc)
{
	xt_in_netns("spi_alloc", spi_lifecycle, NULL);
}
END_TEST

/* The host kernel has no ESP: NEWSA must come back as the kernel's
 * errno with its reason, and the socket must go on working. On a kernel
 * with ESP (the VM) the SA is simply added. */
static const char *
sa_refused(void *arg)
{
	struct xfrm_nl *nl = xfrm_nl_open();
	struct xfrm_policy p = xt_out_policy();
	struct xfrm_sa sa = xt_gcm_sa(), cbc = xt_gcm_sa();
	uint8_t key[64];
	int rc, i;

	XT_REQUIRE(nl != NULL, "xfrm_nl_open: %s", strerror(errno));
	memset(key, 0x42, sizeof(key));
	XT_REQUIRE(xfrm_alg_for_ike(IKEV2_ENCR_AES_CBC, 128,
				    IKEV2_INTEG_HMAC_SHA2_256_128,
				    &cbc.algs) == 0,
		   "no algorithms");
	cbc.algs.enc.key = key;
	cbc.algs.auth.key = key;
	cbc.spi = 0x5000;
	for (i = 0; i < 2; i++) {
		const struct xfrm_sa *s = i == 0 ? &sa : &cbc;

		rc = xfrm_sa_add(nl, s);
		if (rc == 0) {
			rc = xfrm_sa_del(nl, s);
			XT_REQUIRE(rc == 0, "del: %d", rc);
			continue;
		}
		XT_REQUIRE(rc < 0 && rc > -4096 && rc != -EINVAL, "add %d: %d",
			   i, rc);
		XT_REQUIRE(strncmp(xfrm_nl_error(nl), "NEWSA: ", 7) == 0 &&
			       strlen(xfrm_nl_error(nl)) > 7,
			   "reason '%s'", xfrm_nl_error(nl));
		fprintf(stderr,
			"xfrm_kernel: NEWSA refused as expected "
			"without ESP: %d, %s\n",
			rc, xfrm_nl_error(nl));
	}
	rc = xfrm_policy_add(nl, &p);
	XT_REQUIRE(rc == 0, "socket unusable after an error: %d %s", rc,
		   xfrm_nl_error(nl));
	xfrm_nl_close(nl);
	return NULL;
}

START_TEST(sa_add_error)
{
	xt_in_netns("sa_add_error", sa_refused, NULL);
}
END_TEST

/* An SPI allocated and never completed is a larval SA the kernel drops
 * after net.core.xfrm_acq_expires seconds, with a hard EXPIRE. */
static const char *
larval_expires(void *arg)
{
	struct xfrm_events *ev = xfrm_events_open();
	struct xfrm_nl *nl = xfrm_nl_open();
	struct xfrm_sa sa = larval_sa();
	const struct xfrm_event *e;
	struct seen s = {.n = 0};
	uint32_t spi;
	int rc;

	XT_REQUIRE(nl != NULL && ev != NULL, "open: %s", strerror(errno));
	XT_REQUIRE(xt_sh("echo 1 > /proc/sys/net/core/xfrm_acq_expires") == 0,
		   "cannot shorten xfrm_acq_expires");
	rc = xfrm_spi_alloc(nl, &sa, 0x100, 0x1ff, &spi);
	XT_REQUIRE(rc == 0, "allocspi: %d %s", rc, xfrm_nl_error(nl));
	e = wait_event(ev, &s, XFRM_EVENT_EXPIRE, 5000);
	XT_REQUIRE(e != NULL, "no EXPIRE within 5 s");
	XT_REQUIRE(e->expire.hard, "soft expire");
	XT_REQUIRE(e->expire.sa.spi == spi && e->expire.sa.reqid == 9 &&
		       e->expire.sa.proto == IPPROTO_ESP,
		   "expire for spi %#x reqid %u", e->expire.sa.spi,
		   e->expire.sa.reqid);
	XT_REQUIRE(xt_addr_eq(&e->expire.sa.dst, &sa.dst) &&
		       xt_addr_eq(&e->expire.sa.src, &sa.src),
		   "addresses differ");
	xfrm_events_close(ev);
	xfrm_nl_close(nl);
	return NULL;
}

START_TEST(event_expire)
{
	xt_in_netns("event_expire", larval_expires, NULL);
}
END_TEST

/* Traffic that an out policy wants protected, with no SA: ACQUIRE. The
 * packet leaves through lo, so lo must not be exempt from XFRM. Then the
 * SPI for the answer is allocated by the ACQUIRE's seq, which hands it
 * the kernel's larval SA. */
static const char *
acquire(void *arg)
{
	struct xfrm_sel pkt = xt_sel("198.51.100.1", 32, "203.0.113.5", 32);
	struct xfrm_events *ev = xfrm_events_open();
	struct xfrm_policy p = xt_out_policy();
	struct xfrm_nl *nl = xfrm_nl_open();
	const struct xfrm_event *e;
	struct sockaddr_in to;
	struct seen s = {.n = 0};
	struct xfrm_sa sa;
	uint32_t spi;
	int fd, rc;

	XT_REQUIRE(nl != NULL && ev != NULL, "open: %s", strerror(errno));
	XT_REQUIRE(xt_sh("ip link set lo up && "
			 "echo 0 > /proc/sys/net/ipv4/conf/lo/disable_xfrm && "
			 "ip addr add 198.51.100.1/32 dev lo && "
			 "ip route add 203.0.113.0/24 dev lo "
			 "src 198.51.100.1") == 0,
		   "cannot set up lo");
	p.sel.proto = IPPROTO_UDP;
	p.sel.dport = 9;
	rc = xfrm_policy_add(nl, &p);
	XT_REQUIRE(rc == 0, "policy: %d %s", rc, xfrm_nl_error(nl));

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	XT_REQUIRE(fd >= 0, "socket: %s", strerror(errno));
	memset(&to, 0, sizeof(to));
	to.sin_family = AF_INET;
	to.sin_port = htons(9);
	inet_pton(AF_INET, "203.0.113.5", &to.sin_addr);
	/* Fails (no SA yet) or is queued; either way the kernel asks. */
	(void)sendto(fd, "x", 1, 0, (struct sockaddr *)&to, sizeof(to));
	close(fd);

	e = wait_event(ev, &s, XFRM_EVENT_ACQUIRE, 3000);
	XT_REQUIRE(e != NULL, "no ACQUIRE within 3 s");
	XT_REQUIRE(e->acquire.reqid == 7 && e->acquire.proto == IPPROTO_ESP,
		   "reqid %u proto %u", e->acquire.reqid, e->acquire.proto);
	XT_REQUIRE(xt_addr_eq(&e->acquire.src, &p.tmpl[0].src) &&
		       xt_addr_eq(&e->acquire.dst, &p.tmpl[0].dst),
		   "not the tunnel's addresses");
	XT_REQUIRE(xt_addr_eq(&e->acquire.sel.src, &pkt.src) &&
		       xt_addr_eq(&e->acquire.sel.dst, &pkt.dst) &&
		       e->acquire.sel.dport == 9 &&
		       e->acquire.sel.proto == IPPROTO_UDP,
		   "not the packet's selector");
	XT_REQUIRE(xt_sel_eq(&e->acquire.policy.sel, &p.sel) &&
		       e->acquire.policy.dir == XFRM_POLICY_OUT &&
		       e->acquire.policy.priority == 100,
		   "not the policy");
	XT_REQUIRE(e->acquire.seq != 0, "no seq");

	memset(&sa, 0, sizeof(sa));
	sa.src = e->acquire.src;
	sa.dst = e->acquire.dst;
	sa.mode = XFRM_MODE_TUNNEL;
	sa.reqid = e->acquire.reqid;
	sa.acq_seq = e->acquire.seq;
	rc = xfrm_spi_alloc(nl, &sa, 0xc0000000, 0xcfffffff, &spi);
	XT_REQUIRE(rc == 0, "allocspi for the acquire: %d %s", rc,
		   xfrm_nl_error(nl));
	sa.spi = spi;
	rc = xfrm_sa_del(nl, &sa);
	XT_REQUIRE(rc == 0, "del: %d %s", rc, xfrm_nl_error(nl));
	xfrm_events_close(ev);
	xfrm_nl_close(nl);
	return NULL;
}

START_TEST(event_acquire)
{
	xt_in_netns("event_acquire", acquire, NULL);
}
END_TEST

/* A multicast listener that cannot keep up loses events; the kernel
 * says so with ENOBUFS, which must come out as one LOST event. Policy
 * notifications make the flood (the groups charond listens to would need
 * SAs or traffic). */
static const char *
overflow(void *arg)
{
	struct xfrm_events *ev = xfrm_events_open();
	struct xfrm_policy p = xt_out_policy();
	struct xfrm_nl *nl = xfrm_nl_open();
	struct seen s = {.n = 0};
	unsigned int grp = XFRMNLGRP_POLICY;
	int fd, small = 1, i, rc;

	XT_REQUIRE(nl != NULL && ev != NULL, "open: %s", strerror(errno));
	fd = xfrm_events_fd(ev);
	XT_REQUIRE(setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &grp,
			      sizeof(grp)) == 0,
		   "membership: %s", strerror(errno));
	XT_REQUIRE(
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small)) == 0,
	    "rcvbuf: %s", strerror(errno));
	for (i = 0; i < 256; i++) {
		p.sel.src.v4.s_addr = htonl(0xc6336400 | (uint32_t)i);
		p.sel.src_plen = 32;
		rc = xfrm_policy_add(nl, &p);
		XT_REQUIRE(rc == 0, "add %d: %d %s", i, rc, xfrm_nl_error(nl));
	}
	rc = xfrm_events_read(ev, record, &s);
	XT_REQUIRE(rc >= 1 && s.lost == 1, "read %d, %d lost", rc, s.lost);
	/* The queue is drained; nothing more (policy events are not
	 * reported). */
	s.n = s.lost = 0;
	rc = xfrm_events_read(ev, record, &s);
	XT_REQUIRE(rc == 0 && s.n == 0, "second read %d", rc);
	xfrm_events_close(ev);
	xfrm_nl_close(nl);
	return NULL;
}

START_TEST(events_lost)
{
	xt_in_netns("events_lost", overflow, NULL);
}
END_TEST

Suite *
xfrm_kernel_suite(void)
{
	Suite *s = suite_create("xfrm_kernel");
	TCase *tc;

	if (!xt_root("xfrm_kernel"))
		return s;
	tc = tcase_create("netns");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, policies);
	tcase_add_test(tc, spd_hash_thresholds);
	tcase_add_test(tc, policy_migrate);
	tcase_add_test(tc, spi_alloc);
	tcase_add_test(tc, sa_add_error);
	tcase_add_test(tc, event_expire);
	tcase_add_test(tc, event_acquire);
	tcase_add_test(tc, events_lost);
	suite_add_tcase(s, tc);
	return s;
}
