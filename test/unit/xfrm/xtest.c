/* SPDX-License-Identifier: ISC */
/* Helpers shared by libxfrm's tests; see xtest.h. */
#include <ctype.h>
#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <linux/netlink.h>
#include <sys/wait.h>

#include "xtest.h"

struct xfrm_addr
xt_addr(const char *s)
{
	struct xfrm_addr a;

	memset(&a, 0, sizeof(a));
	if (inet_pton(AF_INET, s, &a.v4) == 1)
		a.family = AF_INET;
	else if (inet_pton(AF_INET6, s, &a.v6) == 1)
		a.family = AF_INET6;
	else
		ck_abort_msg("bad address %s", s);
	return a;
}

struct xfrm_sel
xt_sel(const char *src, unsigned int src_plen, const char *dst,
       unsigned int dst_plen)
{
	struct xfrm_sel s;

	memset(&s, 0, sizeof(s));
	s.src = xt_addr(src);
	s.dst = xt_addr(dst);
	s.src_plen = (uint8_t)src_plen;
	s.dst_plen = (uint8_t)dst_plen;
	return s;
}

bool
xt_addr_eq(const struct xfrm_addr *a, const struct xfrm_addr *b)
{
	if (a->family != b->family)
		return false;
	if (a->family == AF_INET)
		return a->v4.s_addr == b->v4.s_addr;
	if (a->family == AF_INET6)
		return memcmp(&a->v6, &b->v6, sizeof(a->v6)) == 0;
	return true;
}

bool
xt_sel_eq(const struct xfrm_sel *a, const struct xfrm_sel *b)
{
	return xt_addr_eq(&a->src, &b->src) && xt_addr_eq(&a->dst, &b->dst) &&
	       a->src_plen == b->src_plen && a->dst_plen == b->dst_plen &&
	       a->proto == b->proto && a->sport == b->sport &&
	       a->sport_mask == b->sport_mask && a->dport == b->dport &&
	       a->dport_mask == b->dport_mask;
}

bool
xt_sa_eq(const struct xfrm_sa *a, const struct xfrm_sa *b)
{
	return a->has == b->has && xt_addr_eq(&a->src, &b->src) &&
	       xt_addr_eq(&a->dst, &b->dst) && a->spi == b->spi &&
	       a->proto == b->proto && a->mode == b->mode &&
	       a->flags == b->flags && a->reqid == b->reqid &&
	       xt_sel_eq(&a->sel, &b->sel) &&
	       memcmp(&a->lft, &b->lft, sizeof(a->lft)) == 0 &&
	       a->replay_window == b->replay_window &&
	       a->encap.sport == b->encap.sport &&
	       a->encap.dport == b->encap.dport && a->mark == b->mark &&
	       a->mark_mask == b->mark_mask && a->if_id == b->if_id &&
	       a->offload.ifindex == b->offload.ifindex &&
	       a->offload.inbound == b->offload.inbound &&
	       a->offload.packet == b->offload.packet;
}

bool
xt_policy_eq(const struct xfrm_policy *a, const struct xfrm_policy *b)
{
	unsigned int i;

	if (a->has != b->has || !xt_sel_eq(&a->sel, &b->sel) ||
	    a->dir != b->dir || a->action != b->action ||
	    a->priority != b->priority || a->ntmpl != b->ntmpl ||
	    a->mark != b->mark || a->mark_mask != b->mark_mask ||
	    a->if_id != b->if_id || a->offload.ifindex != b->offload.ifindex)
		return false;
	for (i = 0; i < a->ntmpl; i++) {
		const struct xfrm_tmpl *s = &a->tmpl[i], *t = &b->tmpl[i];

		if (!xt_addr_eq(&s->src, &t->src) ||
		    !xt_addr_eq(&s->dst, &t->dst) || s->spi != t->spi ||
		    s->proto != t->proto || s->mode != t->mode ||
		    s->reqid != t->reqid || s->optional != t->optional)
			return false;
	}
	return true;
}

void
gold_start(struct gold *g, uint16_t type, uint16_t flags, uint32_t seq,
	   const void *fixed, size_t flen)
{
	struct nlmsghdr h;

	memset(g, 0, sizeof(*g));
	memset(&h, 0, sizeof(h));
	h.nlmsg_type = type;
	h.nlmsg_flags = flags;
	h.nlmsg_seq = seq;
	memcpy(g->b + NLMSG_HDRLEN, fixed, flen);
	g->len = NLMSG_HDRLEN + NLMSG_ALIGN(flen);
	h.nlmsg_len = (uint32_t)g->len;
	memcpy(g->b, &h, sizeof(h));
}

void
gold_attr(struct gold *g, uint16_t type, const void *a, size_t alen,
	  const void *b, size_t blen)
{
	struct nlattr na;
	struct nlmsghdr h;

	na.nla_type = type;
	na.nla_len = (uint16_t)(NLA_HDRLEN + alen + blen);
	ck_assert_uint_le(g->len + NLA_ALIGN(na.nla_len), sizeof(g->b));
	memcpy(g->b + g->len, &na, sizeof(na));
	memcpy(g->b + g->len + NLA_HDRLEN, a, alen);
	if (blen > 0)
		memcpy(g->b + g->len + NLA_HDRLEN + alen, b, blen);
	g->len += NLA_ALIGN(na.nla_len);
	memcpy(&h, g->b, sizeof(h));
	h.nlmsg_len = (uint32_t)g->len;
	memcpy(g->b, &h, sizeof(h));
}

static char *
hex(const uint8_t *p, size_t len)
{
	char *s = malloc(len * 2 + len / 16 + 2);
	size_t i, n = 0;

	ck_assert_ptr_nonnull(s);
	for (i = 0; i < len; i++) {
		n += (size_t)sprintf(s + n, "%02x", p[i]);
		if (i % 16 == 15)
			s[n++] = '\n';
	}
	s[n] = '\0';
	return s;
}

void
xt_assert_bytes(const void *got, size_t glen, const void *exp, size_t elen)
{
	if (glen == elen && memcmp(got, exp, elen) == 0)
		return;

	char *g = hex(got, glen), *e = hex(exp, elen);

	ck_abort_msg(
	    "bytes differ (got %zu, expected %zu)\ngot:\n%s\nexpected:\n%s",
	    glen, elen, g, e);
}

size_t
xt_unhex(const char *h, uint8_t *out, size_t max)
{
	size_t n = 0;
	int hi = -1;

	for (; *h; h++) {
		int v;

		if (isspace((unsigned char)*h))
			continue;
		ck_assert(isxdigit((unsigned char)*h));
		v = isdigit((unsigned char)*h)
			? *h - '0'
			: tolower((unsigned char)*h) - 'a' + 10;
		if (hi < 0) {
			hi = v;
			continue;
		}
		ck_assert_uint_lt(n, max);
		out[n++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	ck_assert_int_lt(hi, 0);
	return n;
}

const char *
xt_fail(const char *file, int line, const char *fmt, ...)
{
	static char msg[1024];
	va_list ap;
	int n;

	n = snprintf(msg, sizeof(msg), "%s:%d: ", file, line);
	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	va_end(ap);
	return msg;
}

int
xt_sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	st = system(cmd);
	return st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

bool
xt_root(const char *suite)
{
	if (geteuid() == 0)
		return true;
	fprintf(stderr,
		"%s: skipped: the kernel tests need root (they run in "
		"a network namespace of their own)\n",
		suite);
	return false;
}

void
xt_in_netns(const char *name, const char *(*fn)(void *arg), void *arg)
{
	char msg[1024] = "";
	ssize_t n;
	pid_t pid;
	int p[2], st;

	ck_assert_int_eq(pipe(p), 0);
	/* Whatever a child left in stdio buffers must not be written twice. */
	fflush(NULL);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		const char *r;

		close(p[0]);
		if (unshare(CLONE_NEWNET) < 0)
			r = xt_fail(
			    __FILE__, __LINE__,
			    "SKIP: cannot create a network namespace: %s",
			    strerror(errno));
		else
			r = fn(arg);
		if (r != NULL && write(p[1], r, strlen(r)) < 0)
			_exit(2);
		fflush(NULL);
		_exit(r == NULL ? 0 : 1);
	}
	close(p[1]);
	n = read(p[0], msg, sizeof(msg) - 1);
	close(p[0]);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	msg[n > 0 ? n : 0] = '\0';
	if (strstr(msg, "SKIP: ") != NULL) {
		fprintf(stderr, "%s: skipped: %s\n", name,
			strstr(msg, "SKIP: ") + 6);
		return;
	}
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s: %s", name,
		      msg[0] ? msg : "child died");
}

/* --- fixtures shared by the golden tests ---------------------------------- */

/* Test keys, not secrets. */
const uint8_t xt_key20[20] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10,
			      11, 12, 13, 14, 15, 16, 17, 18, 19, 20};
const uint8_t xt_key32[32] = {0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
			      0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf,
			      0xb0, 0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7,
			      0xb8, 0xb9, 0xba, 0xbb, 0xbc, 0xbd, 0xbe, 0xbf};
const uint8_t xt_key16[16] = {0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
			      0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f};

void
xt_kaddr(xfrm_address_t *k, const char *s)
{
	struct xfrm_addr a = xt_addr(s);

	memset(k, 0, sizeof(*k));
	if (a.family == AF_INET)
		memcpy(k, &a.v4, 4);
	else
		memcpy(k, &a.v6, 16);
}

/* Byte and packet limits "infinite", time limits 0: iproute2's default. */
void
xt_kinf(struct xfrm_lifetime_cfg *l)
{
	l->soft_byte_limit = XFRM_INF;
	l->hard_byte_limit = XFRM_INF;
	l->soft_packet_limit = XFRM_INF;
	l->hard_packet_limit = XFRM_INF;
}

/* The SA of `ip xfrm state add src 192.0.2.1 dst 192.0.2.2 proto esp spi
 * 0x11223344 reqid 7 mode tunnel aead 'rfc4106(gcm(aes))' 0x0102..14
 * 128`. */
struct xfrm_sa
xt_gcm_sa(void)
{
	struct xfrm_sa sa;

	memset(&sa, 0, sizeof(sa));
	sa.src = xt_addr("192.0.2.1");
	sa.dst = xt_addr("192.0.2.2");
	sa.spi = 0x11223344;
	sa.mode = XFRM_MODE_TUNNEL;
	sa.reqid = 7;
	sa.algs.aead = true;
	sa.algs.enc.name = "rfc4106(gcm(aes))";
	sa.algs.enc.key = xt_key20;
	sa.algs.enc.key_len = sizeof(xt_key20);
	sa.algs.enc.icv_bits = 128;
	return sa;
}

void
xt_gcm_info(struct xfrm_usersa_info *k)
{
	memset(k, 0, sizeof(*k));
	xt_kaddr(&k->id.daddr, "192.0.2.2");
	k->id.spi = htonl(0x11223344);
	k->id.proto = IPPROTO_ESP;
	xt_kaddr(&k->saddr, "192.0.2.1");
	xt_kinf(&k->lft);
	k->reqid = 7;
	k->family = AF_INET;
	k->mode = XFRM_MODE_TUNNEL;
}

void
xt_gcm_alg(struct gold *g)
{
	struct xfrm_algo_aead a;

	memset(&a, 0, sizeof(a));
	strcpy(a.alg_name, "rfc4106(gcm(aes))");
	a.alg_key_len = 160;
	a.alg_icv_len = 128;
	gold_attr(g, XFRMA_ALG_AEAD, &a, sizeof(a), xt_key20, sizeof(xt_key20));
}

/* The policy of `ip xfrm policy add src 198.51.100.0/24 dst
 * 203.0.113.0/24 proto tcp dport 443 dir out priority 100 tmpl src
 * 192.0.2.1 dst 192.0.2.2 proto esp reqid 7 mode tunnel`. */
struct xfrm_policy
xt_out_policy(void)
{
	struct xfrm_policy p;

	memset(&p, 0, sizeof(p));
	p.sel = xt_sel("198.51.100.0", 24, "203.0.113.0", 24);
	p.sel.proto = IPPROTO_TCP;
	p.sel.dport = 443;
	p.sel.dport_mask = 0xffff;
	p.dir = XFRM_POLICY_OUT;
	p.priority = 100;
	p.ntmpl = 1;
	p.tmpl[0].src = xt_addr("192.0.2.1");
	p.tmpl[0].dst = xt_addr("192.0.2.2");
	p.tmpl[0].mode = XFRM_MODE_TUNNEL;
	p.tmpl[0].reqid = 7;
	return p;
}

void
xt_out_sel(struct xfrm_selector *s)
{
	memset(s, 0, sizeof(*s));
	xt_kaddr(&s->daddr, "203.0.113.0");
	xt_kaddr(&s->saddr, "198.51.100.0");
	s->dport = htons(443);
	s->dport_mask = 0xffff;
	s->family = AF_INET;
	s->prefixlen_d = 24;
	s->prefixlen_s = 24;
	s->proto = IPPROTO_TCP;
}
