/* SPDX-License-Identifier: ISC */
/*
 * Reading the kernel's XFRM messages into libxfrm's structs: the SA and
 * policy a GET or ALLOCSPI answers with, and the parts of EXPIRE and
 * ACQUIRE events that are an SA or a policy. Pure functions like the
 * builders in xfrm_msg.c, and as careful: lengths are checked before
 * every read, and algorithms (which carry keys) are never looked at.
 */
#include <errno.h>
#include <string.h>

#include <arpa/inet.h>

#include <libmnl/libmnl.h>

#include "xfrm_int.h"

/* libmnl's mnl_nlmsg_ok() compares the length as an int, so a header
 * claiming 2 GiB or more passes it, and mnl_nlmsg_next() then loops or
 * runs off the buffer. The kernel never sends one; this walk does not
 * trust that. */
const struct nlmsghdr *
xfrm_nlmsg_next(const void *buf, size_t len, size_t *off)
{
	const struct nlmsghdr *nlh;

	if (*off > len || len - *off < sizeof(*nlh))
		return NULL;
	nlh = (const struct nlmsghdr *)((const uint8_t *)buf + *off);
	if (nlh->nlmsg_len < sizeof(*nlh) || nlh->nlmsg_len > len - *off)
		return NULL;
	*off += NLMSG_ALIGN(nlh->nlmsg_len);
	return nlh;
}

void
xfrm_addr_from_kernel(struct xfrm_addr *a, const xfrm_address_t *k,
		      uint16_t family)
{
	memset(a, 0, sizeof(*a));
	if (family == AF_INET) {
		a->family = AF_INET;
		memcpy(&a->v4, k, sizeof(a->v4));
	} else if (family == AF_INET6) {
		a->family = AF_INET6;
		memcpy(&a->v6, k, sizeof(a->v6));
	}
}

void
xfrm_sel_from_kernel(struct xfrm_sel *s, const struct xfrm_selector *k)
{
	memset(s, 0, sizeof(*s));
	xfrm_addr_from_kernel(&s->src, &k->saddr, k->family);
	xfrm_addr_from_kernel(&s->dst, &k->daddr, k->family);
	s->src_plen = k->prefixlen_s;
	s->dst_plen = k->prefixlen_d;
	s->proto = k->proto;
	s->sport = ntohs(k->sport);
	s->sport_mask = ntohs(k->sport_mask);
	s->dport = ntohs(k->dport);
	s->dport_mask = ntohs(k->dport_mask);
}

static uint64_t
unlimit(uint64_t v)
{
	return v == XFRM_INF ? 0 : v;
}

static void
lft_from_kernel(struct xfrm_lifetime *l, const struct xfrm_lifetime_cfg *k)
{
	l->soft_bytes = unlimit(k->soft_byte_limit);
	l->hard_bytes = unlimit(k->hard_byte_limit);
	l->soft_packets = unlimit(k->soft_packet_limit);
	l->hard_packets = unlimit(k->hard_packet_limit);
	l->soft_add_sec = k->soft_add_expires_seconds;
	l->hard_add_sec = k->hard_add_expires_seconds;
	l->soft_use_sec = k->soft_use_expires_seconds;
	l->hard_use_sec = k->hard_use_expires_seconds;
}

struct sa_attrs {
	struct xfrm_sa *sa;
	struct xfrm_sa_stats *stats;
};

/* Attribute payloads are only 4-aligned and the structs may hold u64s:
 * every read goes through memcpy. */
static bool
attr_get(const struct nlattr *a, void *out, size_t len)
{
	if (mnl_attr_get_payload_len(a) < len)
		return false;
	memcpy(out, mnl_attr_get_payload(a), len);
	return true;
}

static int
sa_attr_cb(const struct nlattr *a, void *data)
{
	struct sa_attrs *d = data;
	struct xfrm_sa *sa = d->sa;

	switch (mnl_attr_get_type(a)) {
	case XFRMA_ENCAP: {
		struct xfrm_encap_tmpl e;

		if (!attr_get(a, &e, sizeof(e)))
			return MNL_CB_ERROR;
		sa->has |= XFRM_SA_HAS_ENCAP;
		sa->encap.sport = ntohs(e.encap_sport);
		sa->encap.dport = ntohs(e.encap_dport);
		break;
	}
	case XFRMA_REPLAY_ESN_VAL: {
		struct xfrm_replay_state_esn r;

		if (!attr_get(a, &r, sizeof(r)))
			return MNL_CB_ERROR;
		sa->has |= XFRM_SA_HAS_REPLAY;
		sa->replay_window = r.replay_window;
		break;
	}
	case XFRMA_MARK: {
		struct xfrm_mark m;

		if (!attr_get(a, &m, sizeof(m)))
			return MNL_CB_ERROR;
		sa->has |= XFRM_SA_HAS_MARK;
		sa->mark = m.v;
		sa->mark_mask = m.m;
		break;
	}
	case XFRMA_IF_ID:
		if (!attr_get(a, &sa->if_id, sizeof(sa->if_id)))
			return MNL_CB_ERROR;
		sa->has |= XFRM_SA_HAS_IF_ID;
		break;
	case XFRMA_OFFLOAD_DEV: {
		struct xfrm_user_offload o;

		if (!attr_get(a, &o, sizeof(o)))
			return MNL_CB_ERROR;
		sa->has |= XFRM_SA_HAS_OFFLOAD;
		sa->offload.ifindex = o.ifindex;
		sa->offload.inbound = o.flags & XFRM_OFFLOAD_INBOUND;
		sa->offload.packet = o.flags & XFRM_OFFLOAD_PACKET;
		break;
	}
	case XFRMA_LASTUSED:
		if (d->stats != NULL && !attr_get(a, &d->stats->last_used,
						  sizeof(d->stats->last_used)))
			return MNL_CB_ERROR;
		break;
	default: /* algorithms (with keys) and the rest: not wanted */
		break;
	}
	return MNL_CB_OK;
}

int
xfrm_parse_sa(const struct nlmsghdr *nlh, size_t hdrlen, struct xfrm_sa *sa,
	      struct xfrm_sa_stats *stats)
{
	struct xfrm_usersa_info k;
	struct sa_attrs d;

	memset(sa, 0, sizeof(*sa));
	if (stats != NULL)
		memset(stats, 0, sizeof(*stats));
	d.sa = sa;
	d.stats = stats;
	if (hdrlen < sizeof(k) || mnl_nlmsg_get_payload_len(nlh) < hdrlen)
		return -EBADMSG;
	memcpy(&k, mnl_nlmsg_get_payload(nlh), sizeof(k));
	xfrm_addr_from_kernel(&sa->src, &k.saddr, k.family);
	xfrm_addr_from_kernel(&sa->dst, &k.id.daddr, k.family);
	sa->spi = ntohl(k.id.spi);
	sa->proto = k.id.proto;
	sa->mode = k.mode;
	sa->flags = (uint8_t)(k.flags & ~XFRM_STATE_ESN);
	sa->reqid = k.reqid;
	if (k.flags & XFRM_STATE_ESN)
		sa->has |= XFRM_SA_HAS_ESN;
	if (k.sel.family != AF_UNSPEC) {
		sa->has |= XFRM_SA_HAS_SEL;
		xfrm_sel_from_kernel(&sa->sel, &k.sel);
	}
	sa->has |= XFRM_SA_HAS_LIFETIME;
	lft_from_kernel(&sa->lft, &k.lft);
	if (k.replay_window) {
		sa->has |= XFRM_SA_HAS_REPLAY;
		sa->replay_window = k.replay_window;
	}
	if (stats != NULL) {
		stats->bytes = k.curlft.bytes;
		stats->packets = k.curlft.packets;
		stats->add_time = k.curlft.add_time;
		stats->use_time = k.curlft.use_time;
		stats->replay = k.stats.replay;
		stats->integrity_failed = k.stats.integrity_failed;
	}
	if (mnl_attr_parse(nlh, (unsigned int)hdrlen, sa_attr_cb, &d) < 0)
		return -EBADMSG;
	if (stats != NULL)
		stats->encap = sa->has & XFRM_SA_HAS_ENCAP;
	return 0;
}

/* An algorithm attribute: the fixed struct, then alg_key_len bits of
 * key; copied only if the key fits the caller's buffer. */
static int
alg_key(const struct nlattr *a, size_t fixed, unsigned int key_bits,
	uint8_t *dst, size_t cap, size_t *len)
{
	size_t n = (key_bits + 7) / 8;

	if (n > cap || mnl_attr_get_payload_len(a) < fixed + n)
		return MNL_CB_ERROR;
	memcpy(dst, (const uint8_t *)mnl_attr_get_payload(a) + fixed, n);
	*len = n;
	return MNL_CB_OK;
}

static void
alg_name(char *dst, size_t cap, const char *src)
{
	size_t n = strnlen(src, 64);

	if (n >= cap)
		n = cap - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static int
sa_keys_cb(const struct nlattr *a, void *data)
{
	struct xfrm_sa_keys *k = data;

	switch (mnl_attr_get_type(a)) {
	case XFRMA_ALG_AEAD: {
		struct xfrm_algo_aead h;

		if (!attr_get(a, &h, sizeof(h)))
			return MNL_CB_ERROR;
		k->aead = true;
		alg_name(k->enc_name, sizeof(k->enc_name), h.alg_name);
		k->icv_bits = h.alg_icv_len;
		return alg_key(a, sizeof(h), h.alg_key_len, k->enc_key,
			       sizeof(k->enc_key), &k->enc_len);
	}
	case XFRMA_ALG_CRYPT: {
		struct xfrm_algo h;

		if (!attr_get(a, &h, sizeof(h)))
			return MNL_CB_ERROR;
		alg_name(k->enc_name, sizeof(k->enc_name), h.alg_name);
		return alg_key(a, sizeof(h), h.alg_key_len, k->enc_key,
			       sizeof(k->enc_key), &k->enc_len);
	}
	case XFRMA_ALG_AUTH_TRUNC: {
		struct xfrm_algo_auth h;

		if (!attr_get(a, &h, sizeof(h)))
			return MNL_CB_ERROR;
		alg_name(k->auth_name, sizeof(k->auth_name), h.alg_name);
		k->icv_bits = h.alg_trunc_len;
		return alg_key(a, sizeof(h), h.alg_key_len, k->auth_key,
			       sizeof(k->auth_key), &k->auth_len);
	}
	default: /* XFRMA_ALG_AUTH repeats AUTH_TRUNC without the length */
		return MNL_CB_OK;
	}
}

int
xfrm_parse_sa_keys(const struct nlmsghdr *nlh, size_t hdrlen,
		   struct xfrm_sa_keys *k)
{
	memset(k, 0, sizeof(*k));
	if (mnl_nlmsg_get_payload_len(nlh) < hdrlen ||
	    mnl_attr_parse(nlh, (unsigned int)hdrlen, sa_keys_cb, k) < 0) {
		xfrm_sa_keys_clear(k);
		return -EBADMSG;
	}
	return 0;
}

void
xfrm_sa_keys_clear(struct xfrm_sa_keys *k)
{
	if (k)
		explicit_bzero(k, sizeof(*k));
}

static int
tmpls_from_kernel(struct xfrm_policy *p, const void *data, size_t len)
{
	const uint8_t *d = data;
	size_t i, n = len / sizeof(struct xfrm_user_tmpl);

	if (len % sizeof(struct xfrm_user_tmpl) != 0)
		return -EBADMSG;
	/* More than we can hold never comes from charond's own policies. */
	if (n > XFRM_TMPL_MAX)
		n = XFRM_TMPL_MAX;
	for (i = 0; i < n; i++) {
		struct xfrm_tmpl *t = &p->tmpl[i];
		struct xfrm_user_tmpl k;

		memcpy(&k, d + i * sizeof(k), sizeof(k));
		memset(t, 0, sizeof(*t));
		if (k.mode == XFRM_MODE_TUNNEL) {
			xfrm_addr_from_kernel(&t->src, &k.saddr, k.family);
			xfrm_addr_from_kernel(&t->dst, &k.id.daddr, k.family);
		}
		t->spi = ntohl(k.id.spi);
		t->proto = k.id.proto;
		t->mode = k.mode;
		t->reqid = k.reqid;
		t->optional = k.optional;
	}
	p->ntmpl = (unsigned int)n;
	return 0;
}

static int
policy_attr_cb(const struct nlattr *a, void *data)
{
	struct xfrm_policy *p = data;

	switch (mnl_attr_get_type(a)) {
	case XFRMA_TMPL:
		if (tmpls_from_kernel(p, mnl_attr_get_payload(a),
				      mnl_attr_get_payload_len(a)) < 0)
			return MNL_CB_ERROR;
		break;
	case XFRMA_MARK: {
		struct xfrm_mark m;

		if (!attr_get(a, &m, sizeof(m)))
			return MNL_CB_ERROR;
		p->has |= XFRM_POLICY_HAS_MARK;
		p->mark = m.v;
		p->mark_mask = m.m;
		break;
	}
	case XFRMA_IF_ID:
		if (!attr_get(a, &p->if_id, sizeof(p->if_id)))
			return MNL_CB_ERROR;
		p->has |= XFRM_POLICY_HAS_IF_ID;
		break;
	case XFRMA_OFFLOAD_DEV: {
		struct xfrm_user_offload o;

		if (!attr_get(a, &o, sizeof(o)))
			return MNL_CB_ERROR;
		p->has |= XFRM_POLICY_HAS_OFFLOAD;
		p->offload.ifindex = o.ifindex;
		break;
	}
	default:
		break;
	}
	return MNL_CB_OK;
}

int
xfrm_parse_policy(const struct nlmsghdr *nlh, size_t hdrlen, size_t info_off,
		  struct xfrm_policy *p)
{
	struct xfrm_userpolicy_info k;

	memset(p, 0, sizeof(*p));
	if (info_off + sizeof(k) > hdrlen ||
	    mnl_nlmsg_get_payload_len(nlh) < hdrlen)
		return -EBADMSG;
	memcpy(&k, (const uint8_t *)mnl_nlmsg_get_payload(nlh) + info_off,
	       sizeof(k));
	xfrm_sel_from_kernel(&p->sel, &k.sel);
	p->dir = k.dir;
	p->action = k.action;
	p->priority = k.priority;
	p->index = k.index;
	p->add_time = k.curlft.add_time;
	p->use_time = k.curlft.use_time;
	if (mnl_attr_parse(nlh, (unsigned int)hdrlen, policy_attr_cb, p) < 0)
		return -EBADMSG;
	return 0;
}

static int
spdinfo_attr_cb(const struct nlattr *a, void *data)
{
	struct xfrm_spd_hthresh *t = data;
	struct xfrmu_spdhthresh h;
	uint16_t type = mnl_attr_get_type(a);

	if (type != XFRMA_SPD_IPV4_HTHRESH && type != XFRMA_SPD_IPV6_HTHRESH)
		return MNL_CB_OK;
	if (mnl_attr_get_payload_len(a) < sizeof(h))
		return MNL_CB_ERROR;
	memcpy(&h, mnl_attr_get_payload(a), sizeof(h));
	if (type == XFRMA_SPD_IPV4_HTHRESH) {
		t->lbits4 = h.lbits;
		t->rbits4 = h.rbits;
	} else {
		t->lbits6 = h.lbits;
		t->rbits6 = h.rbits;
	}
	return MNL_CB_OK;
}

int
xfrm_parse_spdinfo(const struct nlmsghdr *nlh, struct xfrm_spd_hthresh *t)
{
	memset(t, 0, sizeof(*t));
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(uint32_t) ||
	    mnl_attr_parse(nlh, sizeof(uint32_t), spdinfo_attr_cb, t) < 0)
		return -EBADMSG;
	return 0;
}
