/* SPDX-License-Identifier: ISC */
/*
 * Where IKE meets the kernel: inbound SPIs from XFRM_MSG_ALLOCSPI, and for
 * each CHILD SA the two ESP SAs plus the out/in(/fwd) policies that send
 * the selected traffic through them, tied together by reqid. The plugins'
 * child filters see each CHILD SA first, on install and identically on
 * removal, and may set UDP encapsulation, marks and an interface ID.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/udp.h>
#include <string.h>

#include "daemon.h"

void
kernel_xaddr(const struct ike_endpoint *ep, struct xfrm_addr *a)
{
	memset(a, 0, sizeof(*a));
	a->family = ep->ss.ss_family;
	if (a->family == AF_INET)
		a->v4 = ((const struct sockaddr_in *)&ep->ss)->sin_addr;
	else
		a->v6 = ((const struct sockaddr_in6 *)&ep->ss)->sin6_addr;
}

int
kernel_spi_alloc(void *ctx, const struct ike_endpoint *local,
		 const struct ike_endpoint *remote, uint32_t reqid,
		 uint32_t *spi)
{
	struct daemon *d = ctx;
	struct xfrm_sa sa = {0};
	int rc;

	kernel_xaddr(remote, &sa.src);
	kernel_xaddr(local, &sa.dst);
	sa.proto = IPPROTO_ESP;
	sa.reqid = reqid;
	rc = xfrm_spi_alloc(d->xfrm, &sa, 0xc0000000, 0xcfffffff, spi);
	if (rc < 0)
		log_msg(IKE_LOG_ERROR, "XFRM_MSG_ALLOCSPI failed: %s",
			strerror(-rc));
	return rc;
}

/* The longest prefix covering a selector's address range, and whether it
 * covers exactly that range (XFRM selectors are prefixes). */
static uint8_t
range_prefix(const uint8_t *from, const uint8_t *to, size_t len, bool *exact)
{
	size_t bits = len * 8, p;

	for (p = 0; p < bits; p++) {
		uint8_t m = (uint8_t)(0x80 >> (p % 8));

		if ((from[p / 8] & m) != (to[p / 8] & m))
			break;
	}
	*exact = true;
	for (size_t q = p; q < bits; q++) {
		uint8_t m = (uint8_t)(0x80 >> (q % 8));

		if ((from[q / 8] & m) || !(to[q / 8] & m))
			*exact = false;
	}
	return (uint8_t)p;
}

static void
sel_side(const struct ts *t, struct xfrm_addr *a, uint8_t *plen, uint16_t *port,
	 uint16_t *mask)
{
	size_t len = t->type == IKEV2_TS_IPV6_ADDR_RANGE ? 16 : 4;
	bool exact;

	memset(a, 0, sizeof(*a));
	a->family = len == 16 ? AF_INET6 : AF_INET;
	memcpy(len == 16 ? (void *)&a->v6 : (void *)&a->v4, t->saddr, len);
	*plen = range_prefix(t->saddr, t->eaddr, len, &exact);
	if (!exact)
		log_msg(IKE_LOG_WARN, "traffic selector is not a prefix; "
				      "the policy covers a wider range");
	if (t->sport == t->eport) {
		*port = t->sport;
		*mask = 0xffff;
	} else {
		*port = 0;
		*mask = 0;
	}
}

static void
make_sel(const struct ts *src, const struct ts *dst, struct xfrm_sel *s)
{
	memset(s, 0, sizeof(*s));
	sel_side(src, &s->src, &s->src_plen, &s->sport, &s->sport_mask);
	sel_side(dst, &s->dst, &s->dst_plen, &s->dport, &s->dport_mask);
	s->proto = src->proto ? src->proto : dst->proto;
}

/* The marks and interface ID a child filter set: out for the out policy,
 * in for in and fwd. */
static void
policy_marks(const struct ike_child_install *ci, bool out,
	     struct xfrm_policy *p)
{
	uint32_t mark = out ? ci->mark_out : ci->mark_in;
	uint32_t mask = out ? ci->mark_out_mask : ci->mark_in_mask;

	if (mark || mask) {
		p->has |= XFRM_POLICY_HAS_MARK;
		p->mark = mark;
		p->mark_mask = mask;
	}
	if (ci->if_id) {
		p->has |= XFRM_POLICY_HAS_IF_ID;
		p->if_id = ci->if_id;
	}
}

/* Install (or, with del, remove) the policies of every selector pair. */
static int
policies(struct daemon *d, const struct ike_child_install *ci, bool del)
{
	uint8_t mode = ci->transport ? XFRM_MODE_TRANSPORT : XFRM_MODE_TUNNEL;
	unsigned i, j, k;
	int rc = 0;

	for (i = 0; i < ci->n_local_ts; i++)
		for (j = 0; j < ci->n_remote_ts; j++)
			for (k = 0; k < (ci->transport ? 2u : 3u); k++) {
				static const uint8_t dirs[] = {XFRM_POLICY_OUT,
							       XFRM_POLICY_IN,
							       XFRM_POLICY_FWD};
				struct xfrm_policy p = {0};
				bool out = dirs[k] == XFRM_POLICY_OUT;
				int r;

				if (out)
					make_sel(&ci->local_ts[i],
						 &ci->remote_ts[j], &p.sel);
				else
					make_sel(&ci->remote_ts[j],
						 &ci->local_ts[i], &p.sel);
				p.dir = dirs[k];
				policy_marks(ci, out, &p);
				p.priority = 1000;
				p.ntmpl = 1;
				p.tmpl[0].proto = IPPROTO_ESP;
				p.tmpl[0].mode = mode;
				p.tmpl[0].reqid = ci->reqid;
				if (!ci->transport) {
					kernel_xaddr(out ? &ci->local
							 : &ci->remote,
						     &p.tmpl[0].src);
					kernel_xaddr(out ? &ci->remote
							 : &ci->local,
						     &p.tmpl[0].dst);
				}
				r = del ? xfrm_policy_del(d->xfrm, &p)
					: xfrm_policy_update(d->xfrm, &p);
				if (r < 0 && !(del && r == -ENOENT)) {
					log_msg(IKE_LOG_ERROR,
						"%s %s policy: %s",
						del ? "deleting" : "installing",
						out      ? "out"
						: k == 1 ? "in"
							 : "fwd",
						strerror(-r));
					rc = r;
				}
			}
	return rc;
}

static void
base_sa(const struct ike_child_install *ci, bool in, struct xfrm_sa *sa)
{
	memset(sa, 0, sizeof(*sa));
	kernel_xaddr(in ? &ci->remote : &ci->local, &sa->src);
	kernel_xaddr(in ? &ci->local : &ci->remote, &sa->dst);
	sa->spi = in ? ci->spi_in : ci->spi_out;
	sa->proto = IPPROTO_ESP;
	sa->mode = ci->transport ? XFRM_MODE_TRANSPORT : XFRM_MODE_TUNNEL;
	sa->reqid = ci->reqid;
	/* The kernel finds an SA by its mark too: set on removal as well. */
	if ((in ? ci->mark_in : ci->mark_out) ||
	    (in ? ci->mark_in_mask : ci->mark_out_mask)) {
		sa->has |= XFRM_SA_HAS_MARK;
		sa->mark = in ? ci->mark_in : ci->mark_out;
		sa->mark_mask = in ? ci->mark_in_mask : ci->mark_out_mask;
	}
	if (ci->if_id) {
		sa->has |= XFRM_SA_HAS_IF_ID;
		sa->if_id = ci->if_id;
	}
	/* encap.sport is our port, dport the peer's: the inbound SA's
	 * packets come from the peer's. */
	if (ci->encap.type == UDP_ENCAP_ESPINUDP) {
		sa->has |= XFRM_SA_HAS_ENCAP;
		sa->encap.sport = in ? ci->encap.dport : ci->encap.sport;
		sa->encap.dport = in ? ci->encap.sport : ci->encap.dport;
	}
}

static int
add_sa(struct daemon *d, const struct ike_child_install *ci, bool in)
{
	struct xfrm_sa sa;
	const struct secret *ek = in ? ci->encr_in : ci->encr_out;
	const struct secret *ak = in ? ci->integ_in : ci->integ_out;
	int rc;

	base_sa(ci, in, &sa);
	rc = xfrm_alg_for_ike(ci->encr, ci->encr_bits, ci->integ, &sa.algs);
	if (rc < 0)
		return rc;
	sa.algs.enc.key = ek->ptr;
	sa.algs.enc.key_len = ek->len;
	if (!sa.algs.aead && ak) {
		sa.algs.auth.key = ak->ptr;
		sa.algs.auth.key_len = ak->len;
	}
	sa.has |= XFRM_SA_HAS_REPLAY;
	sa.replay_window = 32;
	if (ci->esn) {
		sa.has |= XFRM_SA_HAS_ESN;
		sa.replay_window = 128;
	}
	/* The SPI we allocated already exists as a larval SA: update it. */
	rc = in ? xfrm_sa_update(d->xfrm, &sa) : xfrm_sa_add(d->xfrm, &sa);
	if (rc < 0)
		log_msg(IKE_LOG_ERROR, "installing %s SA %08x: %s (%s)",
			in ? "inbound" : "outbound", sa.spi, strerror(-rc),
			xfrm_nl_error(d->xfrm));
	return rc;
}

static void remove_filtered(struct daemon *d,
			    const struct ike_child_install *ci);

int
kernel_child_install(void *ctx, const struct ike_child_install *in)
{
	struct ike_child_install f, *ci = &f;
	struct daemon *d = ctx;
	char why[256];
	int rc;

	if (plugins_child_filter(in, &f, why, sizeof(why)) < 0) {
		log_msg(IKE_LOG_ERROR, "CHILD SA %s of '%s' not installed: %s",
			in->child ? in->child : "?", in->conn ? in->conn : "?",
			why);
		return -EPERM;
	}
	if (ci->encap.type && ci->encap.type != UDP_ENCAP_ESPINUDP) {
		log_msg(IKE_LOG_ERROR,
			"CHILD SA %s of '%s': unknown encapsulation %u",
			ci->child ? ci->child : "?", ci->conn ? ci->conn : "?",
			ci->encap.type);
		return -EINVAL;
	}
	if ((rc = add_sa(d, ci, true)) < 0 || (rc = add_sa(d, ci, false)) < 0 ||
	    (rc = policies(d, ci, false)) < 0) {
		remove_filtered(d, ci);
		return rc;
	}
	return 0;
}

void
kernel_child_remove(void *ctx, const struct ike_child_install *in)
{
	struct ike_child_install f;
	char why[256];

	/* The filters change a CHILD SA on removal as they did when it was
	 * installed, so the kernel finds what was installed. */
	if (plugins_child_filter(in, &f, why, sizeof(why)) < 0) {
		log_msg(IKE_LOG_WARN,
			"CHILD SA %s of '%s': a filter refused its removal "
			"(%s); removing it as the engine describes it",
			in->child ? in->child : "?", in->conn ? in->conn : "?",
			why);
		f = *in;
	}
	remove_filtered(ctx, &f);
}

static void
remove_filtered(struct daemon *d, const struct ike_child_install *ci)
{
	struct xfrm_sa sa;

	if (ci->spi_out && !ci->keep_policies)
		policies(d, ci, true);
	base_sa(ci, true, &sa);
	xfrm_sa_del(d->xfrm, &sa);
	if (ci->spi_out) {
		base_sa(ci, false, &sa);
		xfrm_sa_del(d->xfrm, &sa);
	}
}
