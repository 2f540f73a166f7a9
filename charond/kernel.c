/* SPDX-License-Identifier: ISC */
/*
 * Where IKE meets the kernel: inbound SPIs from XFRM_MSG_ALLOCSPI, and for
 * each CHILD SA the two ESP SAs plus the out/in(/fwd) policies that send
 * the selected traffic through them, tied together by reqid. The plugins'
 * child filters see each CHILD SA first, on install and identically on
 * removal, and may set UDP encapsulation, marks and an interface ID.
 *
 * Moving a CHILD SA to new outer addresses (ike_sa_move: natt, a plugin's
 * CHAROND_SA_MOVE) uses XFRM_MSG_MIGRATE, one per policy: the kernel finds
 * the policy by selector and direction, points its tunnel template at the
 * new addresses and replaces the SA the template names with a copy at the
 * new ones, same SPI, keys, sequence numbers and replay window, counters
 * and marks, in one step. The alternative, GETSA, NEWSA at the new
 * addresses with the keys and replay state read back, DELSA of the old
 * and new policies, brings the keys through userspace and leaves a window
 * in which the old SA sends packets whose sequence numbers the copy does
 * not know of. Debian 12's kernel (6.1) has MIGRATE
 * (CONFIG_XFRM_MIGRATE=y). Limits: the selectors stay as they are (the
 * engine keeps them: transport mode traffic selectors naming the old
 * addresses go on naming them), a CHILD SA sharing its reqid with one
 * moved just before (the overlap of a CHILD SA rekey) finds the templates
 * moved already and is not moved (-ENODATA), and UDP encapsulation can
 * be set or changed but not dropped.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/udp.h>
#include <stdio.h>
#include <string.h>

#include "daemon.h"

/* libxfrm behind struct kernel_ops: the handle is its netlink socket. */
static int
x_spi_alloc(void *h, const struct xfrm_sa *sa, uint32_t min, uint32_t max,
	    uint32_t *spi)
{
	return xfrm_spi_alloc(h, sa, min, max, spi);
}

static int
x_sa_add(void *h, const struct xfrm_sa *sa)
{
	return xfrm_sa_add(h, sa);
}

static int
x_sa_update(void *h, const struct xfrm_sa *sa)
{
	return xfrm_sa_update(h, sa);
}

static int
x_sa_del(void *h, const struct xfrm_sa *sa)
{
	return xfrm_sa_del(h, sa);
}

static int
x_sa_get(void *h, const struct xfrm_sa *sa, struct xfrm_sa_stats *st)
{
	return xfrm_sa_get(h, sa, st);
}

static int
x_sa_get_keys(void *h, const struct xfrm_sa *sa, struct xfrm_sa_keys *k)
{
	return xfrm_sa_get_keys(h, sa, k);
}

static int
x_policy_update(void *h, const struct xfrm_policy *p)
{
	return xfrm_policy_update(h, p);
}

static int
x_policy_del(void *h, const struct xfrm_policy *p)
{
	return xfrm_policy_del(h, p);
}

static int
x_policy_migrate(void *h, const struct xfrm_policy *p,
		 const struct xfrm_move *m)
{
	return xfrm_policy_migrate(h, p, m);
}

static const char *
x_error(const void *h)
{
	return xfrm_nl_error(h);
}

static void
x_close(void *h)
{
	xfrm_nl_close(h);
}

const struct kernel_ops kernel_xfrm_ops = {
    .name = "xfrm",
    .spi_alloc = x_spi_alloc,
    .sa_add = x_sa_add,
    .sa_update = x_sa_update,
    .sa_del = x_sa_del,
    .sa_get = x_sa_get,
    .sa_get_keys = x_sa_get_keys,
    .policy_update = x_policy_update,
    .policy_del = x_policy_del,
    .policy_migrate = x_policy_migrate,
    .error = x_error,
    .close = x_close,
};

int
kernel_open(struct daemon *d)
{
	if (d->cfg->daemon.kernel == CFG_KERNEL_NONE) {
		d->kops = &kernel_none_ops;
		d->kh = kernel_none_new();
		if (!d->kh) {
			log_msg(IKE_LOG_ERROR, "kernel: none: out of memory");
			return -1;
		}
		log_msg(IKE_LOG_WARN, "kernel: none: no IPsec SA reaches the "
				      "kernel; for benchmarks and tests only");
		return 0;
	}
	d->kops = &kernel_xfrm_ops;
	d->kh = xfrm_nl_open();
	if (!d->kh) {
		log_msg(IKE_LOG_ERROR, "cannot open the XFRM netlink socket "
				       "(are we root?)");
		return -1;
	}
	return 0;
}

void
kernel_spd_hash(struct daemon *d, const struct daemon_cfg *c,
		const struct daemon_cfg *before)
{
	struct xfrm_spd_hthresh t = {
	    (uint8_t)c->spd_hash_ipv4, (uint8_t)c->spd_hash_ipv4,
	    (uint8_t)c->spd_hash_ipv6, (uint8_t)c->spd_hash_ipv6};
	char v4[16] = "as it is", v6[16] = "as it is";

	if (d->kops != &kernel_xfrm_ops ||
	    (!c->spd_hash_ipv4 && !c->spd_hash_ipv6) ||
	    (before && before->spd_hash_ipv4 == c->spd_hash_ipv4 &&
	     before->spd_hash_ipv6 == c->spd_hash_ipv6))
		return;
	if (xfrm_spd_hthresh_set(d->kh, &t) < 0) {
		log_msg(IKE_LOG_WARN,
			"SPD hash thresholds (daemon.spd_hash_ipv4/ipv6) not "
			"set: %s",
			xfrm_nl_error(d->kh));
		return;
	}
	if (c->spd_hash_ipv4)
		snprintf(v4, sizeof(v4), "/%u", c->spd_hash_ipv4);
	if (c->spd_hash_ipv6)
		snprintf(v6, sizeof(v6), "/%u", c->spd_hash_ipv6);
	log_msg(IKE_LOG_INFO,
		"SPD hash thresholds: IPv4 %s, IPv6 %s (policies whose "
		"prefixes are at least that long are hashed)",
		v4, v6);
}

void
kernel_close(struct daemon *d)
{
	if (d->kops && d->kh)
		d->kops->close(d->kh);
	d->kh = NULL;
}

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
	rc = d->kops->spi_alloc(d->kh, &sa, 0xc0000000, 0xcfffffff, spi);
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

static const uint8_t policy_dirs[] = {XFRM_POLICY_OUT, XFRM_POLICY_IN,
				      XFRM_POLICY_FWD};

static const char *
dir_name(uint8_t dir)
{
	return dir == XFRM_POLICY_OUT  ? "out"
	       : dir == XFRM_POLICY_IN ? "in"
				       : "fwd";
}

/* How many policies a CHILD SA has: out and in (and fwd in tunnel mode)
 * per pair of selectors; policy n of them in *p. */
static unsigned
policy_count(const struct ike_child_install *ci)
{
	return ci->n_local_ts * ci->n_remote_ts * (ci->transport ? 2u : 3u);
}

static void
policy_nth(const struct ike_child_install *ci, unsigned n,
	   struct xfrm_policy *p)
{
	unsigned ndirs = ci->transport ? 2u : 3u;
	unsigned k = n % ndirs, j = n / ndirs % ci->n_remote_ts,
		 i = n / ndirs / ci->n_remote_ts;
	bool out = policy_dirs[k] == XFRM_POLICY_OUT;

	memset(p, 0, sizeof(*p));
	if (out)
		make_sel(&ci->local_ts[i], &ci->remote_ts[j], &p->sel);
	else
		make_sel(&ci->remote_ts[j], &ci->local_ts[i], &p->sel);
	p->dir = policy_dirs[k];
	policy_marks(ci, out, p);
	p->priority = 1000;
	p->ntmpl = 1;
	p->tmpl[0].proto = IPPROTO_ESP;
	p->tmpl[0].mode =
	    ci->transport ? XFRM_MODE_TRANSPORT : XFRM_MODE_TUNNEL;
	p->tmpl[0].reqid = ci->reqid;
	if (!ci->transport) {
		kernel_xaddr(out ? &ci->local : &ci->remote, &p->tmpl[0].src);
		kernel_xaddr(out ? &ci->remote : &ci->local, &p->tmpl[0].dst);
	}
}

/* Install (or, with del, remove) the policies of every selector pair. */
int
kernel_policies(struct daemon *d, const struct ike_child_install *ci, bool del)
{
	unsigned n, count = policy_count(ci);
	int rc = 0;

	for (n = 0; n < count; n++) {
		struct xfrm_policy p;
		int r;

		policy_nth(ci, n, &p);
		r = del ? d->kops->policy_del(d->kh, &p)
			: d->kops->policy_update(d->kh, &p);
		if (r < 0 && !(del && r == -ENOENT)) {
			log_msg(IKE_LOG_ERROR, "%s %s policy: %s",
				del ? "deleting" : "installing",
				dir_name(p.dir), strerror(-r));
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
	/* The marks are the policies', not the SAs': ESP arrives unmarked,
	 * so the kernel would find no inbound SA with a mark; an outbound
	 * SA is found through its policy's template (reqid) whatever its
	 * mark; and without one, list-sas' counters and export-keys find
	 * each SA by its SPI alone. */
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
	/* The larval SA of a trap's ACQUIRE goes when this one comes. */
	if (!in)
		sa.acq_seq = trap_acq_seq(ci);
	/* The SPI we allocated already exists as a larval SA: update it. */
	rc = in ? d->kops->sa_update(d->kh, &sa) : d->kops->sa_add(d->kh, &sa);
	if (rc < 0)
		log_msg(IKE_LOG_ERROR, "installing %s SA %08x: %s (%s)",
			in ? "inbound" : "outbound", sa.spi, strerror(-rc),
			d->kops->error(d->kh));
	return rc;
}

static void
addr_text(const struct ike_endpoint *ep, char *buf, size_t len)
{
	const void *a =
	    ep->ss.ss_family == AF_INET
		? (const void *)&((const struct sockaddr_in *)&ep->ss)->sin_addr
		: (const void *)&((const struct sockaddr_in6 *)&ep->ss)
		      ->sin6_addr;

	if (!inet_ntop(ep->ss.ss_family, a, buf, (socklen_t)len))
		snprintf(buf, len, "?");
}

/* Policy n of from, with its template and SA at to's addresses (back:
 * from to's to from's, undoing a migration). */
static int
migrate_nth(struct daemon *d, const struct ike_child_install *from,
	    const struct ike_child_install *to, unsigned n, bool back)
{
	const struct ike_child_install *o = back ? to : from,
				       *t = back ? from : to;
	struct xfrm_policy p;
	struct xfrm_move m = {0};
	bool out;
	int rc;

	policy_nth(o, n, &p);
	out = p.dir == XFRM_POLICY_OUT;
	kernel_xaddr(out ? &o->local : &o->remote, &m.old_src);
	kernel_xaddr(out ? &o->remote : &o->local, &m.old_dst);
	kernel_xaddr(out ? &t->local : &t->remote, &m.new_src);
	kernel_xaddr(out ? &t->remote : &t->local, &m.new_dst);
	m.proto = IPPROTO_ESP;
	m.mode = p.tmpl[0].mode;
	m.reqid = o->reqid;
	/* encap.sport is our port, dport the peer's (as in base_sa()). */
	if (t->encap.type == UDP_ENCAP_ESPINUDP) {
		m.has |= XFRM_MOVE_HAS_ENCAP;
		m.encap.sport = out ? t->encap.sport : t->encap.dport;
		m.encap.dport = out ? t->encap.dport : t->encap.sport;
	}
	rc = d->kops->policy_migrate(d->kh, &p, &m);
	if (rc < 0)
		log_msg(IKE_LOG_ERROR, "%smoving %s policy of CHILD SA %s: %s",
			back ? "undoing the move of the " : "", dir_name(p.dir),
			o->child ? o->child : "?", d->kops->error(d->kh));
	return rc;
}

/* " (UDP 4500 - 31001)": a NAT's port change is a move of its own. */
static void
encap_text(const struct ike_child_install *ci, char *buf, size_t len)
{
	if (ci->encap.type)
		snprintf(buf, len, " (UDP %u - %u)", ci->encap.sport,
			 ci->encap.dport);
	else if (len)
		buf[0] = '\0';
}

int
kernel_child_move(void *ctx, const struct ike_child_install *from_in,
		  const struct ike_child_install *to_in)
{
	struct ike_child_install from, to;
	struct daemon *d = ctx;
	char why[256], a[4][INET6_ADDRSTRLEN], e[2][40];
	unsigned n, count;
	int rc = 0;

	/* Filtered as they were installed, so that marks, interface ID
	 * and encapsulation are what the kernel holds, and what they
	 * become at the new addresses. */
	if (plugins_child_filter(CHAROND_FILTER_MOVE, from_in, &from, why,
				 sizeof(why)) < 0 ||
	    plugins_child_filter(CHAROND_FILTER_MOVE, to_in, &to, why,
				 sizeof(why)) < 0) {
		log_msg(IKE_LOG_ERROR, "CHILD SA %s of '%s' not moved: %s",
			from_in->child ? from_in->child : "?",
			from_in->conn ? from_in->conn : "?", why);
		return -1;
	}
	/* MIGRATE finds policies and SAs by what from says and keeps each
	 * SA's mark and interface ID: a filter must not change them. */
	if (to.mark_in != from.mark_in ||
	    to.mark_in_mask != from.mark_in_mask ||
	    to.mark_out != from.mark_out ||
	    to.mark_out_mask != from.mark_out_mask || to.if_id != from.if_id ||
	    (from.encap.type && to.encap.type != from.encap.type) ||
	    (to.encap.type && to.encap.type != UDP_ENCAP_ESPINUDP) ||
	    policy_count(&to) != policy_count(&from) ||
	    to.transport != from.transport || !from.spi_out) {
		log_msg(IKE_LOG_ERROR,
			"CHILD SA %s of '%s' not moved: its marks, interface "
			"ID, encapsulation or policies would change",
			from.child ? from.child : "?",
			from.conn ? from.conn : "?");
		return -1;
	}
	count = policy_count(&from);
	for (n = 0; n < count; n++)
		if ((rc = migrate_nth(d, &from, &to, n, false)) < 0)
			break;
	if (rc < 0) {
		while (n-- > 0)
			(void)migrate_nth(d, &from, &to, n, true);
		return -1;
	}
	addr_text(&from.local, a[0], sizeof(a[0]));
	addr_text(&from.remote, a[1], sizeof(a[1]));
	addr_text(&to.local, a[2], sizeof(a[2]));
	addr_text(&to.remote, a[3], sizeof(a[3]));
	encap_text(&from, e[0], sizeof(e[0]));
	encap_text(&to, e[1], sizeof(e[1]));
	log_msg(IKE_LOG_INFO,
		"CHILD SA %s of '%s' (SPIs %08x in, %08x out) moved from %s - "
		"%s%s to %s - %s%s",
		to.child ? to.child : "?", to.conn ? to.conn : "?", to.spi_in,
		to.spi_out, a[0], a[1], e[0], a[2], a[3], e[1]);
	return 0;
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

	if (plugins_child_filter(CHAROND_FILTER_INSTALL, in, &f, why,
				 sizeof(why)) < 0) {
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
		rc = -EINVAL;
		goto undo;
	}
	if ((rc = add_sa(d, ci, true)) < 0 || (rc = add_sa(d, ci, false)) < 0 ||
	    (rc = kernel_policies(d, ci, false)) < 0)
		goto undo;
	trap_child_installed(d, ci);
	return 0;
undo:
	/* The filters hear of the removal too: they may keep state for
	 * what they filtered for the install (l2tp). */
	if (plugins_child_filter(CHAROND_FILTER_REMOVE, in, &f, why,
				 sizeof(why)) < 0)
		f = *in;
	remove_filtered(d, &f);
	return rc;
}

void
kernel_child_remove(void *ctx, const struct ike_child_install *in)
{
	struct ike_child_install f;
	char why[256];

	/* The filters change a CHILD SA on removal as they did when it was
	 * installed, so the kernel finds what was installed. */
	if (plugins_child_filter(CHAROND_FILTER_REMOVE, in, &f, why,
				 sizeof(why)) < 0) {
		log_msg(IKE_LOG_WARN,
			"CHILD SA %s of '%s': a filter refused its removal "
			"(%s); removing it as the engine describes it",
			in->child ? in->child : "?", in->conn ? in->conn : "?",
			why);
		f = *in;
	}
	remove_filtered(ctx, &f);
	if (f.spi_out)
		trap_child_removed(ctx, &f);
}

static void
remove_filtered(struct daemon *d, const struct ike_child_install *ci)
{
	struct xfrm_sa sa;

	if (ci->spi_out && !ci->keep_policies)
		kernel_policies(d, ci, true);
	base_sa(ci, true, &sa);
	d->kops->sa_del(d->kh, &sa);
	if (ci->spi_out) {
		base_sa(ci, false, &sa);
		d->kops->sa_del(d->kh, &sa);
	}
}
