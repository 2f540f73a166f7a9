/* SPDX-License-Identifier: ISC */
/*
 * xfrm-bench: what charond's libxfrm takes to install N tunnels in the
 * kernel without any IKE around it. Each tunnel is what charond installs
 * for a CHILD SA in tunnel mode: an inbound and an outbound ESP SA
 * (AES-GCM-128) and its out, in and fwd policies. Prints the time per
 * tunnel over each tenth of the run, so that a rate falling as the SPD
 * fills shows, and the process's CPU time.
 *
 *   xfrm-bench N [distinct|hosts|ports]   (CAP_NET_ADMIN; in a netns)
 *
 * distinct (the default): tunnel i joins 10.(i/256).(i%256).0/24 to
 * 10.(128+i/256).(i%256).0/24 (N at most 32,768), as site-to-site
 * tunnels have subnets of their own. hosts: the same with /32, one host
 * each side (10.x.y.1). ports: every tunnel joins the same two hosts,
 * 192.0.2.1 and 192.0.2.2, with a UDP source port of its own (1025 + i),
 * as the load-tester runs of bench/kernel/vm.sh do. The kernel hashes a
 * policy by its addresses only when both prefixes are at least its hash
 * thresholds (/32 for IPv4 unless set otherwise, `ip xfrm policy set
 * hthresh4`); the others it keeps in its "inexact" lists.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <arpa/inet.h>
#include <sys/resource.h>

#include "xfrm.h"

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct xfrm_addr
v4(uint32_t host_order)
{
	struct xfrm_addr a = {.family = AF_INET};

	a.v4.s_addr = htonl(host_order);
	return a;
}

/* The selector of tunnel i, from the local to the remote side. */
enum mode { DISTINCT, HOSTS, PORTS };

static struct xfrm_sel
sel_of(unsigned int i, enum mode mode)
{
	struct xfrm_sel s = {0};

	if (mode == PORTS) {
		s.src = v4(0xc0000201); /* 192.0.2.1 */
		s.dst = v4(0xc0000202);
		s.src_plen = s.dst_plen = 32;
		s.proto = IPPROTO_UDP;
		s.sport = (uint16_t)(1025 + i);
		s.sport_mask = 0xffff;
	} else if (mode == HOSTS) {
		s.src = v4(0x0a000001 | (i << 8));
		s.dst = v4(0x0a800001 | (i << 8));
		s.src_plen = s.dst_plen = 32;
	} else {
		s.src = v4(0x0a000000 | (i << 8));
		s.dst = v4(0x0a800000 | (i << 8));
		s.src_plen = s.dst_plen = 24;
	}
	return s;
}

static struct xfrm_sel
reverse(struct xfrm_sel s)
{
	struct xfrm_sel r = s;

	r.src = s.dst;
	r.dst = s.src;
	r.src_plen = s.dst_plen;
	r.dst_plen = s.src_plen;
	r.sport = s.dport;
	r.sport_mask = s.dport_mask;
	r.dport = s.sport;
	r.dport_mask = s.sport_mask;
	return r;
}

/* One tunnel: two SAs and three policies, as charond installs them. */
static int
add_tunnel(struct xfrm_nl *nl, unsigned int i, enum mode mode)
{
	/* A fixed test key: these SAs never carry traffic. */
	static const uint8_t key[20] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
	struct xfrm_addr l = v4(0xc0000201), r = v4(0xc0000202);
	struct xfrm_sa sa = {0};
	struct xfrm_policy p = {0};
	struct xfrm_sel out = sel_of(i, mode);
	int rc;

	sa.mode = XFRM_MODE_TUNNEL;
	sa.reqid = i + 1;
	sa.algs.aead = true;
	sa.algs.enc.name = "rfc4106(gcm(aes))";
	sa.algs.enc.key = key;
	sa.algs.enc.key_len = sizeof(key);
	sa.algs.enc.icv_bits = 128;
	sa.has = XFRM_SA_HAS_REPLAY;
	sa.replay_window = 32;
	/* Inbound, then outbound. */
	sa.src = r;
	sa.dst = l;
	sa.spi = 0xc0000000u | (2 * i);
	if ((rc = xfrm_sa_add(nl, &sa)) < 0)
		return rc;
	sa.src = l;
	sa.dst = r;
	sa.spi = 0xc0000000u | (2 * i + 1);
	if ((rc = xfrm_sa_add(nl, &sa)) < 0)
		return rc;

	p.ntmpl = 1;
	p.tmpl[0].mode = XFRM_MODE_TUNNEL;
	p.tmpl[0].reqid = i + 1;
	p.priority = 100000;
	p.sel = out;
	p.dir = XFRM_POLICY_OUT;
	p.tmpl[0].src = l;
	p.tmpl[0].dst = r;
	if ((rc = xfrm_policy_add(nl, &p)) < 0)
		return rc;
	p.sel = reverse(out);
	p.tmpl[0].src = r;
	p.tmpl[0].dst = l;
	p.dir = XFRM_POLICY_IN;
	if ((rc = xfrm_policy_add(nl, &p)) < 0)
		return rc;
	p.dir = XFRM_POLICY_FWD;
	return xfrm_policy_add(nl, &p);
}

/* User and system CPU time of this process: the kernel's work for a
 * request is done in the sender's system call, so it is in sys. */
static void
cpu_s(double *user, double *sys)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	*user = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6;
	*sys = (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static const char *const mode_names[] = {"distinct", "hosts", "ports"};
static const char *const mode_text[] = {"distinct /24 subnets",
					"distinct /32 hosts",
					"the same two hosts, a UDP port each"};

int
main(int argc, char **argv)
{
	struct xfrm_nl *nl;
	unsigned int n;
	enum mode mode = DISTINCT;
	double t0, u0, s0, u1, s1, tenth_start;
	unsigned int i;

	n = argc > 1 ? (unsigned int)strtoul(argv[1], NULL, 10) : 0;
	if (argc > 2) {
		for (i = 0; i < 3 && strcmp(argv[2], mode_names[i]) != 0; i++)
			;
		mode = (enum mode)i;
	}
	if (n < 10 || n > (mode == PORTS ? 60000 : 32768) || mode > PORTS) {
		fprintf(stderr, "usage: xfrm-bench N [distinct|hosts|ports] "
				"(10 <= N <= 32768, 60000 with ports)\n");
		return 2;
	}
	/* Line by line: the caller reads the tenths as they come. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	nl = xfrm_nl_open();
	if (!nl) {
		fprintf(stderr, "xfrm-bench: XFRM netlink: %s\n",
			strerror(errno));
		return 1;
	}
	printf("xfrm-bench: %u tunnels, selectors: %s\n", n, mode_text[mode]);
	cpu_s(&u0, &s0);
	t0 = tenth_start = now();
	for (i = 0; i < n; i++) {
		int rc = add_tunnel(nl, i, mode);

		if (rc < 0) {
			fprintf(stderr, "xfrm-bench: tunnel %u: %s (%s)\n", i,
				strerror(-rc), xfrm_nl_error(nl));
			xfrm_nl_close(nl);
			return 1;
		}
		if ((i + 1) % (n / 10) == 0 && (i + 1) / (n / 10) <= 10) {
			double t = now();

			printf("tenth %u: %.1f us/tunnel\n", (i + 1) / (n / 10),
			       (t - tenth_start) * 1e6 / (double)(n / 10));
			tenth_start = t;
		}
	}
	cpu_s(&u1, &s1);
	printf("total: %.3f s, %.1f us/tunnel, cpu user %.1f sys %.1f "
	       "us/tunnel\n",
	       now() - t0, (now() - t0) * 1e6 / (double)n,
	       (u1 - u0) * 1e6 / (double)n, (s1 - s0) * 1e6 / (double)n);
	xfrm_nl_close(nl);
	return 0;
}
