/* SPDX-License-Identifier: ISC */
/*
 * libxfrm with real SAs: only on a kernel with ESP and its crypto, i.e.
 * inside the test VM, where test/vm/scenarios/libxfrm.sh sets
 * XFRM_VM_TESTS=1. SAs with AEAD and with CBC+HMAC (ESN, NAT-T, marks,
 * lifetimes) are added, updated, read and deleted; lifetimes end in soft
 * then hard EXPIRE events; and pings cross between two network namespaces
 * through ESP tunnels whose SAs and policies libxfrm installed, with the
 * SAs' counters showing the packets.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <check.h>

#include "ikev2_const.h"
#include "xtest.h"

/* Test keys, not secrets: 64 bytes cover every algorithm's KEYMAT. */
static const uint8_t key_a[64] = {
    0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0xfe, 0xdc,
    0xba, 0x98, 0x76, 0x54, 0x32, 0x10, 0x11, 0x22, 0x33, 0x44,
    0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee,
    0xff, 0x00, 0x0f, 0x1e, 0x2d, 0x3c, 0x4b, 0x5a, 0x69, 0x78};
static const uint8_t key_b[64] = {
    0xf0, 0xe1, 0xd2, 0xc3, 0xb4, 0xa5, 0x96, 0x87, 0x78, 0x69, 0x5a, 0x4b,
    0x3c, 0x2d, 0x1e, 0x0f, 0x10, 0x32, 0x54, 0x76, 0x98, 0xba, 0xdc, 0xfe,
    0xef, 0xcd, 0xab, 0x89, 0x67, 0x45, 0x23, 0x01, 0xa5, 0x5a, 0xa5, 0x5a};

struct suite_alg {
	const char *name;
	uint16_t encr, bits, integ;
	bool esn, encap;
};

static const struct suite_alg suites[] = {
    {"aes128gcm16", IKEV2_ENCR_AES_GCM_16, 128, IKEV2_INTEG_NONE, false, false},
    {"aes256-sha256-esn", IKEV2_ENCR_AES_CBC, 256,
     IKEV2_INTEG_HMAC_SHA2_256_128, true, false},
    {"aes256gcm16-natt", IKEV2_ENCR_AES_GCM_16, 256, IKEV2_INTEG_NONE, false,
     true},
    {"aes128-sha1", IKEV2_ENCR_AES_CBC, 128, IKEV2_INTEG_HMAC_SHA1_96, false,
     false},
};

/* One direction's SA as charond would build it from a negotiated
 * suite. */
static const char *
make_sa(struct xfrm_sa *sa, const struct suite_alg *a, const char *src,
	const char *dst, uint32_t spi, const uint8_t *key)
{
	int rc;

	memset(sa, 0, sizeof(*sa));
	sa->src = xt_addr(src);
	sa->dst = xt_addr(dst);
	sa->spi = spi;
	sa->mode = XFRM_MODE_TUNNEL;
	sa->reqid = 1;
	rc = xfrm_alg_for_ike(a->encr, a->bits, a->integ, &sa->algs);
	XT_REQUIRE(rc == 0, "%s: no algorithms: %d", a->name, rc);
	/* KEYMAT order (RFC 7296 2.17): encryption key, then integrity. */
	sa->algs.enc.key = key;
	sa->algs.auth.key = key + sa->algs.enc.key_len;
	sa->has = XFRM_SA_HAS_REPLAY;
	sa->replay_window = 32;
	if (a->esn) {
		sa->has |= XFRM_SA_HAS_ESN;
		sa->replay_window = 128;
	}
	if (a->encap) {
		sa->has |= XFRM_SA_HAS_ENCAP;
		sa->encap.sport = 4500;
		sa->encap.dport = 4500;
	}
	return NULL;
}

static const char *
sa_lifecycle(void *arg)
{
	struct xfrm_nl *nl = xfrm_nl_open();
	struct xfrm_sa_stats st;
	struct xfrm_sa sa;
	const char *r;
	size_t i;
	int rc;

	XT_REQUIRE(nl != NULL, "xfrm_nl_open: %s", strerror(errno));
	for (i = 0; i < sizeof(suites) / sizeof(suites[0]); i++) {
		if ((r = make_sa(&sa, &suites[i], "192.0.2.1", "192.0.2.2",
				 0x100 + (uint32_t)i, key_a)) != NULL)
			return r;
		/* Everything else optional, too. */
		sa.has |=
		    XFRM_SA_HAS_MARK | XFRM_SA_HAS_IF_ID | XFRM_SA_HAS_LIFETIME;
		sa.mark = 0x10;
		sa.mark_mask = 0xff;
		sa.if_id = 3;
		sa.lft.soft_bytes = 1u << 30;
		sa.lft.hard_bytes = 1u << 31;
		sa.lft.soft_add_sec = 3000;
		sa.lft.hard_add_sec = 3600;
		rc = xfrm_sa_add(nl, &sa);
		XT_REQUIRE(rc == 0, "%s: add: %d %s", suites[i].name, rc,
			   xfrm_nl_error(nl));
		rc = xfrm_sa_add(nl, &sa);
		XT_REQUIRE(rc == -EEXIST, "%s: second add: %d", suites[i].name,
			   rc);
		rc = xfrm_sa_get(nl, &sa, &st);
		XT_REQUIRE(rc == 0, "%s: get: %d %s", suites[i].name, rc,
			   xfrm_nl_error(nl));
		XT_REQUIRE(st.packets == 0 && st.add_time != 0, "%s: counters",
			   suites[i].name);
		sa.lft.hard_add_sec = 7200;
		rc = xfrm_sa_update(nl, &sa);
		XT_REQUIRE(rc == 0, "%s: update: %d %s", suites[i].name, rc,
			   xfrm_nl_error(nl));
		rc = xfrm_sa_del(nl, &sa);
		XT_REQUIRE(rc == 0, "%s: del: %d %s", suites[i].name, rc,
			   xfrm_nl_error(nl));
		rc = xfrm_sa_get(nl, &sa, &st);
		XT_REQUIRE(rc == -ESRCH, "%s: get after del: %d",
			   suites[i].name, rc);
	}

	/* Transport mode over IPv6 with a selector (L2TP's UDP 1701). */
	if ((r = make_sa(&sa, &suites[1], "2001:db8::1", "2001:db8::2", 0x200,
			 key_b)) != NULL)
		return r;
	sa.mode = XFRM_MODE_TRANSPORT;
	sa.has |= XFRM_SA_HAS_SEL;
	sa.sel = xt_sel("2001:db8::1", 128, "2001:db8::2", 128);
	sa.sel.proto = IPPROTO_UDP;
	sa.sel.sport = sa.sel.dport = 1701;
	sa.sel.sport_mask = sa.sel.dport_mask = 0xffff;
	rc = xfrm_sa_add(nl, &sa);
	XT_REQUIRE(rc == 0, "transport: add: %d %s", rc, xfrm_nl_error(nl));
	rc = xfrm_sa_del(nl, &sa);
	XT_REQUIRE(rc == 0, "transport: del: %d", rc);
	xfrm_nl_close(nl);
	return NULL;
}

START_TEST(sa_add_get_update_del)
{
	xt_in_netns("sa_add_get_update_del", sa_lifecycle, NULL);
}
END_TEST

/* The responder's way: an SPI first, the SA completed later. */
static const char *
spi_then_update(void *arg)
{
	struct xfrm_nl *nl = xfrm_nl_open();
	struct xfrm_sa_stats st;
	struct xfrm_sa sa;
	const char *r;
	uint32_t spi;
	int rc;

	XT_REQUIRE(nl != NULL, "xfrm_nl_open: %s", strerror(errno));
	if ((r = make_sa(&sa, &suites[0], "192.0.2.2", "192.0.2.1", 0,
			 key_a)) != NULL)
		return r;
	rc = xfrm_spi_alloc(nl, &sa, 0xc0000000, 0xcfffffff, &spi);
	XT_REQUIRE(rc == 0, "allocspi: %d %s", rc, xfrm_nl_error(nl));
	sa.spi = spi;
	rc = xfrm_sa_update(nl, &sa);
	XT_REQUIRE(rc == 0, "update: %d %s", rc, xfrm_nl_error(nl));
	rc = xfrm_sa_get(nl, &sa, &st);
	XT_REQUIRE(rc == 0, "get: %d %s", rc, xfrm_nl_error(nl));
	rc = xfrm_sa_del(nl, &sa);
	XT_REQUIRE(rc == 0, "del: %d", rc);
	xfrm_nl_close(nl);
	return NULL;
}

START_TEST(spi_alloc_then_update)
{
	xt_in_netns("spi_alloc_then_update", spi_then_update, NULL);
}
END_TEST

static void
record(const struct xfrm_event *e, void *arg)
{
	struct xfrm_event *out = arg;

	if (e->type == XFRM_EVENT_EXPIRE)
		out[e->expire.hard ? 1 : 0] = *e;
}

static const char *
lifetimes_expire(void *arg)
{
	struct xfrm_events *ev = xfrm_events_open();
	struct xfrm_nl *nl = xfrm_nl_open();
	struct xfrm_event got[2];
	struct xfrm_sa_stats st;
	struct pollfd pfd;
	struct xfrm_sa sa;
	const char *r;
	int rc, waited;

	XT_REQUIRE(nl != NULL && ev != NULL, "open: %s", strerror(errno));
	memset(got, 0, sizeof(got));
	if ((r = make_sa(&sa, &suites[0], "192.0.2.1", "192.0.2.2", 0x300,
			 key_a)) != NULL)
		return r;
	sa.has |= XFRM_SA_HAS_LIFETIME;
	sa.lft.soft_add_sec = 1;
	sa.lft.hard_add_sec = 2;
	rc = xfrm_sa_add(nl, &sa);
	XT_REQUIRE(rc == 0, "add: %d %s", rc, xfrm_nl_error(nl));
	pfd.fd = xfrm_events_fd(ev);
	pfd.events = POLLIN;
	for (waited = 0; waited < 6000 && got[1].type == 0; waited += 100)
		if (poll(&pfd, 1, 100) > 0)
			(void)xfrm_events_read(ev, record, got);
	XT_REQUIRE(got[0].type == XFRM_EVENT_EXPIRE, "no soft EXPIRE");
	XT_REQUIRE(got[1].type == XFRM_EVENT_EXPIRE, "no hard EXPIRE");
	XT_REQUIRE(got[0].expire.sa.spi == 0x300 &&
		       got[1].expire.sa.spi == 0x300,
		   "wrong SPI");
	rc = xfrm_sa_get(nl, &sa, &st);
	XT_REQUIRE(rc == -ESRCH, "SA still there after hard expire: %d", rc);
	xfrm_events_close(ev);
	xfrm_nl_close(nl);
	return NULL;
}

START_TEST(expire_events)
{
	xt_in_netns("expire_events", lifetimes_expire, NULL);
}
END_TEST

/* Offload requests for a device that cannot offload (a veth; Debian's
 * kernel has no netdevsim): what the kernel answers is what charond's
 * hw_offload "auto" falls back on, so it must come back as 0 or a clean
 * -errno with a reason. Debian 6.1 takes crypto offload as software and
 * refuses packet offload (a 6.2 flag) with EINVAL. */
static const char *
offload_answers(void *arg)
{
	struct xfrm_nl *nl = xfrm_nl_open();
	struct xfrm_sa sa;
	const char *r;
	int rc, i, ifindex;

	XT_REQUIRE(nl != NULL, "xfrm_nl_open: %s", strerror(errno));
	XT_REQUIRE(xt_sh("ip link add va type veth peer name vb && "
			 "ip link set va up") == 0,
		   "veth");
	ifindex = (int)if_nametoindex("va");
	XT_REQUIRE(ifindex > 0, "no va");
	for (i = 0; i < 2; i++) {
		if ((r = make_sa(&sa, &suites[0], "192.0.2.1", "192.0.2.2",
				 0x400 + (uint32_t)i, key_a)) != NULL)
			return r;
		sa.has |= XFRM_SA_HAS_OFFLOAD;
		sa.offload.ifindex = ifindex;
		sa.offload.packet = i == 1;
		rc = xfrm_sa_add(nl, &sa);
		fprintf(stderr, "xfrm_vm: %s offload on a veth: %d %s\n",
			i ? "packet" : "crypto", rc, xfrm_nl_error(nl));
		XT_REQUIRE(rc == 0 || (rc < 0 && xfrm_nl_error(nl)[0] != '\0'),
			   "offload %d: %d", i, rc);
		if (rc == 0)
			XT_REQUIRE(xfrm_sa_del(nl, &sa) == 0, "del");
	}
	xfrm_nl_close(nl);
	return NULL;
}

START_TEST(offload_fallback)
{
	xt_in_netns("offload_fallback", offload_answers, NULL);
}
END_TEST

/* --- a ping through ESP between two namespaces --------------------------- */

/* This side's tunnel: the SA out to the peer, the SA in from it, and the
 * policies sending 198.51.100.0/24 <-> 203.0.113.0/24 through them. */
static const char *
install(struct xfrm_nl *nl, const struct suite_alg *a, bool left)
{
	const char *me = left ? "192.0.2.1" : "192.0.2.2";
	const char *peer = left ? "192.0.2.2" : "192.0.2.1";
	const char *mine = left ? "198.51.100.0" : "203.0.113.0";
	const char *theirs = left ? "203.0.113.0" : "198.51.100.0";
	struct xfrm_policy p;
	struct xfrm_sa sa;
	const char *r;
	int rc, i;

	/* Both SAs on both sides: 0x1001 left to right, 0x1002 back. */
	for (i = 0; i < 2; i++) {
		if ((r = make_sa(&sa, a, i == 0 ? "192.0.2.1" : "192.0.2.2",
				 i == 0 ? "192.0.2.2" : "192.0.2.1",
				 0x1001 + (uint32_t)i,
				 i == 0 ? key_a : key_b)) != NULL)
			return r;
		rc = xfrm_sa_add(nl, &sa);
		XT_REQUIRE(rc == 0, "%s: add SA %d: %d %s", a->name, i, rc,
			   xfrm_nl_error(nl));
	}
	for (i = 0; i < 2; i++) {
		bool out = i == 0;

		memset(&p, 0, sizeof(p));
		p.sel = out ? xt_sel(mine, 24, theirs, 24)
			    : xt_sel(theirs, 24, mine, 24);
		p.dir = out ? XFRM_POLICY_OUT : XFRM_POLICY_IN;
		p.ntmpl = 1;
		p.tmpl[0].src = xt_addr(out ? me : peer);
		p.tmpl[0].dst = xt_addr(out ? peer : me);
		p.tmpl[0].mode = XFRM_MODE_TUNNEL;
		p.tmpl[0].reqid = 1;
		rc = xfrm_policy_add(nl, &p);
		XT_REQUIRE(rc == 0, "%s: add policy %d: %d %s", a->name, i, rc,
			   xfrm_nl_error(nl));
	}
	return NULL;
}

/* The socket IKE would have on port 4500: the kernel decapsulates ESP in
 * UDP only for a socket that asked for it. */
static int
encap_socket(const char *addr)
{
	struct sockaddr_in sin;
	int fd, type = UDP_ENCAP_ESPINUDP;

	if ((fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(4500);
	inet_pton(AF_INET, addr, &sin.sin_addr);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
	    setsockopt(fd, IPPROTO_UDP, UDP_ENCAP, &type, sizeof(type)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static const char *
counted(struct xfrm_nl *nl, const struct suite_alg *a, uint32_t spi,
	const char *src, const char *dst, const char *where)
{
	struct xfrm_sa_stats st;
	struct xfrm_sa sa;
	int rc;

	memset(&sa, 0, sizeof(sa));
	sa.src = xt_addr(src);
	sa.dst = xt_addr(dst);
	sa.spi = spi;
	rc = xfrm_sa_get(nl, &sa, &st);
	XT_REQUIRE(rc == 0, "%s: %s get %#x: %d %s", a->name, where, spi, rc,
		   xfrm_nl_error(nl));
	fprintf(stderr,
		"xfrm_vm: %s: %s SA %#x: %llu packets, %llu bytes, added %llu, "
		"first used %llu, last used %llu\n",
		a->name, where, spi, (unsigned long long)st.packets,
		(unsigned long long)st.bytes, (unsigned long long)st.add_time,
		(unsigned long long)st.use_time,
		(unsigned long long)st.last_used);
	XT_REQUIRE(st.packets >= 3 && st.bytes >= 3 * 84,
		   "%s: %s SA %#x counted %llu packets", a->name, where, spi,
		   (unsigned long long)st.packets);
	/* last_used is left 0 by some kernels and paths (6.1 for these). */
	XT_REQUIRE(st.use_time >= st.add_time && st.add_time != 0,
		   "%s: %s SA %#x: no use time", a->name, where, spi);
	XT_REQUIRE(st.integrity_failed == 0 && st.replay == 0,
		   "%s: %s SA %#x: %u integrity failures, %u replays", a->name,
		   where, spi, st.integrity_failed, st.replay);
	return NULL;
}

/* In a fresh namespace ("left"), a child holds a second one ("right");
 * a veth pair joins them. Commands run in either by switching this
 * process with setns() (ip runs where its parent is). */
static const char *
ping_through_esp(void *arg)
{
	const struct suite_alg *a = arg;
	struct xfrm_nl *nl_l = NULL, *nl_r = NULL;
	int ready[2], hold[2], lfd, rfd, ufd_l = -1, ufd_r = -1;
	const char *r = NULL;
	char path[64], c;
	pid_t q;

	XT_REQUIRE(pipe(ready) == 0 && pipe(hold) == 0, "pipe");
	fflush(NULL);
	if ((q = fork()) == 0) {
		close(ready[0]);
		close(hold[1]);
		if (unshare(CLONE_NEWNET) < 0 || write(ready[1], "x", 1) != 1)
			_exit(1);
		/* Until the parent closes its end. */
		_exit(read(hold[0], &c, 1) < 0);
	}
	XT_REQUIRE(q > 0, "fork: %s", strerror(errno));
	close(ready[1]);
	close(hold[0]);
	XT_REQUIRE(read(ready[0], &c, 1) == 1, "right namespace not made");
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)q);
	lfd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	rfd = open(path, O_RDONLY | O_CLOEXEC);
	XT_REQUIRE(lfd >= 0 && rfd >= 0, "namespace files: %s",
		   strerror(errno));

	XT_REQUIRE(xt_sh("ip link set lo up && "
			 "ip link add va type veth peer name vb netns %d && "
			 "ip addr add 192.0.2.1/24 dev va && "
			 "ip addr add 198.51.100.1/32 dev va && "
			 "ip link set va up",
			 (int)q) == 0,
		   "left set-up");
	XT_REQUIRE(setns(rfd, CLONE_NEWNET) == 0, "setns right: %s",
		   strerror(errno));
	XT_REQUIRE(xt_sh("ip link set lo up && "
			 "ip addr add 192.0.2.2/24 dev vb && "
			 "ip addr add 203.0.113.1/32 dev vb && "
			 "ip link set vb up && "
			 "ip route add 198.51.100.0/24 via 192.0.2.1 "
			 "src 203.0.113.1") == 0,
		   "right set-up");
	nl_r = xfrm_nl_open();
	if (a->encap)
		ufd_r = encap_socket("192.0.2.2");
	XT_REQUIRE(setns(lfd, CLONE_NEWNET) == 0, "setns left: %s",
		   strerror(errno));
	XT_REQUIRE(xt_sh("ip route add 203.0.113.0/24 via 192.0.2.2 "
			 "src 198.51.100.1") == 0,
		   "left route");
	nl_l = xfrm_nl_open();
	if (a->encap)
		ufd_l = encap_socket("192.0.2.1");
	XT_REQUIRE(nl_l != NULL && nl_r != NULL, "xfrm_nl_open");
	XT_REQUIRE(!a->encap || (ufd_l >= 0 && ufd_r >= 0),
		   "UDP encapsulation sockets");

	if ((r = install(nl_l, a, true)) != NULL ||
	    (r = install(nl_r, a, false)) != NULL)
		return r;
	XT_REQUIRE(xt_sh("ping -c 3 -i 0.2 -W 2 -I 198.51.100.1 203.0.113.1 "
			 ">/dev/null") == 0,
		   "%s: no ping through ESP", a->name);
	if ((r = counted(nl_l, a, 0x1001, "192.0.2.1", "192.0.2.2",
			 "left out")) != NULL ||
	    (r = counted(nl_l, a, 0x1002, "192.0.2.2", "192.0.2.1",
			 "left in")) != NULL ||
	    (r = counted(nl_r, a, 0x1001, "192.0.2.1", "192.0.2.2",
			 "right in")) != NULL ||
	    (r = counted(nl_r, a, 0x1002, "192.0.2.2", "192.0.2.1",
			 "right out")) != NULL)
		return r;

	xfrm_nl_close(nl_l);
	xfrm_nl_close(nl_r);
	if (ufd_l >= 0)
		close(ufd_l);
	if (ufd_r >= 0)
		close(ufd_r);
	close(lfd);
	close(rfd);
	close(hold[1]);
	waitpid(q, NULL, 0);
	return NULL;
}

START_TEST(ping)
{
	const struct suite_alg *a = &suites[_i];
	char name[64];

	snprintf(name, sizeof(name), "ping %s", a->name);
	xt_in_netns(name, ping_through_esp, (void *)(uintptr_t)a);
}
END_TEST

Suite *
xfrm_vm_suite(void)
{
	Suite *s = suite_create("xfrm_vm");
	TCase *tc;
	const char *on = getenv("XFRM_VM_TESTS");

	if (on == NULL || strcmp(on, "1") != 0) {
		fprintf(stderr, "xfrm_vm: skipped: needs a kernel with ESP; "
				"run by test/vm/scenarios/libxfrm.sh "
				"(XFRM_VM_TESTS=1)\n");
		return s;
	}
	if (!xt_root("xfrm_vm"))
		return s;
	/* TCG emulation is slow, and expiry takes seconds. */
	tc = tcase_create("esp");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, sa_add_get_update_del);
	tcase_add_test(tc, spi_alloc_then_update);
	tcase_add_test(tc, expire_events);
	tcase_add_test(tc, offload_fallback);
	tcase_add_loop_test(tc, ping, 0, sizeof(suites) / sizeof(suites[0]));
	suite_add_tcase(s, tc);
	return s;
}
