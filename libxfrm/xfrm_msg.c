/* SPDX-License-Identifier: ISC */
/*
 * The XFRM netlink message builders: pure functions that write each
 * request charond sends (NEWSA/UPDSA, DELSA/GETSA, ALLOCSPI,
 * NEWPOLICY/UPDPOLICY, DELPOLICY/GETPOLICY, MIGRATE) into a caller's buffer and
 * check what they are given. No socket here, so all of it is tested
 * against golden bytes without root; xfrm_parse.c reads the answers.
 *
 * Layout of a request (struct sizes from <linux/xfrm.h>):
 *
 *   +-----------------+----------------------+--------+--------+--
 *   | struct nlmsghdr | fixed struct, e.g.   | nlattr | nlattr | ...
 *   |                 | xfrm_usersa_info     | (4-aligned TLVs)  |
 *   +-----------------+----------------------+--------+--------+--
 *
 * Defaults follow iproute2, so that `ip xfrm` shows what it would have
 * installed itself: byte and packet limits XFRM_INF, time limits 0 (none),
 * templates accepting every algorithm (aalgos, ealgos, calgos all ones).
 */
#include <errno.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/udp.h>

#include <libmnl/libmnl.h>

#include "xfrm_int.h"

/* The largest replay window: the kernel takes an ESN bitmap of at most
 * XFRMA_REPLAY_ESN_MAX / sizeof(u32) / 8 words (verify_replay()). */
#define XFRM_WINDOW_MAX (XFRMA_REPLAY_ESN_MAX / 4 / 8 * 32)
/* Longest key we accept: far above any real algorithm, and keeps every
 * request well inside XFRM_MSG_BUF. */
#define XFRM_KEY_MAX 512

static bool
family_ok(sa_family_t f)
{
	return f == AF_INET || f == AF_INET6;
}

static unsigned int
family_bits(sa_family_t f)
{
	return f == AF_INET ? 32 : 128;
}

static void
addr_to_kernel(xfrm_address_t *k, const struct xfrm_addr *a)
{
	memset(k, 0, sizeof(*k));
	if (a->family == AF_INET)
		memcpy(k, &a->v4, sizeof(a->v4));
	else if (a->family == AF_INET6)
		memcpy(k, &a->v6, sizeof(a->v6));
}

/* Both ends of an SA or template: one family, one of the two we know. */
static int
pair_family(const struct xfrm_addr *src, const struct xfrm_addr *dst)
{
	if (!family_ok(dst->family) || src->family != dst->family)
		return -EINVAL;
	return dst->family;
}

static int
sel_to_kernel(struct xfrm_selector *k, const struct xfrm_sel *s)
{
	int family = pair_family(&s->src, &s->dst);

	memset(k, 0, sizeof(*k));
	if (family < 0 || s->src_plen > family_bits(s->src.family) ||
	    s->dst_plen > family_bits(s->dst.family))
		return -EINVAL;
	addr_to_kernel(&k->saddr, &s->src);
	addr_to_kernel(&k->daddr, &s->dst);
	k->family = (uint16_t)family;
	k->prefixlen_s = s->src_plen;
	k->prefixlen_d = s->dst_plen;
	k->proto = s->proto;
	k->sport = htons(s->sport);
	k->sport_mask = htons(s->sport_mask);
	k->dport = htons(s->dport);
	k->dport_mask = htons(s->dport_mask);
	return 0;
}

/* Zero means "no limit" to callers; for bytes and packets the kernel needs
 * XFRM_INF to mean that, while its time limits already treat 0 as none. */
static uint64_t
limit(uint64_t v)
{
	return v ? v : XFRM_INF;
}

static void
lft_to_kernel(struct xfrm_lifetime_cfg *k, const struct xfrm_lifetime *l)
{
	static const struct xfrm_lifetime none;

	if (l == NULL)
		l = &none;
	k->soft_byte_limit = limit(l->soft_bytes);
	k->hard_byte_limit = limit(l->hard_bytes);
	k->soft_packet_limit = limit(l->soft_packets);
	k->hard_packet_limit = limit(l->hard_packets);
	k->soft_add_expires_seconds = l->soft_add_sec;
	k->hard_add_expires_seconds = l->hard_add_sec;
	k->soft_use_expires_seconds = l->soft_use_sec;
	k->hard_use_expires_seconds = l->hard_use_sec;
}

/* The message header and its fixed struct (zeroed), or NULL if buf cannot
 * hold them. */
static struct nlmsghdr *
start(void *buf, size_t len, uint16_t type, uint16_t flags, uint32_t seq,
      size_t fixed)
{
	struct nlmsghdr *nlh;

	if (len < MNL_NLMSG_HDRLEN + MNL_ALIGN(fixed))
		return NULL;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	nlh->nlmsg_seq = seq;
	mnl_nlmsg_put_extra_header(nlh, fixed);
	return nlh;
}

/* One attribute whose payload is a then b (an algorithm struct then its
 * key), padding zeroed. libmnl's attribute writers take one part only. */
static int
put2(struct nlmsghdr *nlh, size_t len, uint16_t type, const void *a,
     size_t alen, const void *b, size_t blen)
{
	size_t plen = MNL_ATTR_HDRLEN + alen + blen;
	struct nlattr *attr;
	uint8_t *p;

	if (plen > UINT16_MAX || nlh->nlmsg_len + MNL_ALIGN(plen) > len)
		return -EMSGSIZE;
	attr = mnl_nlmsg_get_payload_tail(nlh);
	attr->nla_type = type;
	attr->nla_len = (uint16_t)plen;
	p = (uint8_t *)attr + MNL_ATTR_HDRLEN;
	memcpy(p, a, alen);
	if (blen > 0)
		memcpy(p + alen, b, blen);
	memset(p + alen + blen, 0, MNL_ALIGN(plen) - plen);
	nlh->nlmsg_len += MNL_ALIGN(plen);
	return 0;
}

static int
put(struct nlmsghdr *nlh, size_t len, uint16_t type, const void *data,
    size_t dlen)
{
	return put2(nlh, len, type, data, dlen, NULL, 0);
}

static int
alg_ok(const struct xfrm_alg *alg)
{
	if (alg->name == NULL || strlen(alg->name) >= 64 ||
	    alg->key_len > XFRM_KEY_MAX || (alg->key_len && alg->key == NULL))
		return -EINVAL;
	return 0;
}

static int
put_aead(struct nlmsghdr *nlh, size_t len, const struct xfrm_alg *e)
{
	struct xfrm_algo_aead k;

	if (alg_ok(e) < 0 || e->icv_bits == 0)
		return -EINVAL;
	memset(&k, 0, sizeof(k));
	strcpy(k.alg_name, e->name);
	k.alg_key_len = (unsigned int)(e->key_len * 8);
	k.alg_icv_len = e->icv_bits;
	return put2(nlh, len, XFRMA_ALG_AEAD, &k, sizeof(k), e->key,
		    e->key_len);
}

static int
put_crypt(struct nlmsghdr *nlh, size_t len, const struct xfrm_alg *e)
{
	struct xfrm_algo k;

	if (alg_ok(e) < 0)
		return -EINVAL;
	memset(&k, 0, sizeof(k));
	strcpy(k.alg_name, e->name);
	k.alg_key_len = (unsigned int)(e->key_len * 8);
	return put2(nlh, len, XFRMA_ALG_CRYPT, &k, sizeof(k), e->key,
		    e->key_len);
}

static int
put_auth(struct nlmsghdr *nlh, size_t len, const struct xfrm_alg *a)
{
	struct xfrm_algo_auth k;

	if (alg_ok(a) < 0 || a->icv_bits == 0)
		return -EINVAL;
	memset(&k, 0, sizeof(k));
	strcpy(k.alg_name, a->name);
	k.alg_key_len = (unsigned int)(a->key_len * 8);
	k.alg_trunc_len = a->icv_bits;
	return put2(nlh, len, XFRMA_ALG_AUTH_TRUNC, &k, sizeof(k), a->key,
		    a->key_len);
}

/* ESP always needs a cipher, if only ecb(cipher_null); integrity is left
 * to the kernel to insist on. */
static int
put_algs(struct nlmsghdr *nlh, size_t len, const struct xfrm_algs *algs)
{
	int rc;

	if (algs->aead)
		return put_aead(nlh, len, &algs->enc);
	if ((rc = put_crypt(nlh, len, &algs->enc)) < 0)
		return rc;
	if (algs->auth.name == NULL)
		return 0;
	return put_auth(nlh, len, &algs->auth);
}

static int
put_mark(struct nlmsghdr *nlh, size_t len, uint32_t v, uint32_t m)
{
	struct xfrm_mark k = {.v = v, .m = m};

	return put(nlh, len, XFRMA_MARK, &k, sizeof(k));
}

static int
put_u32(struct nlmsghdr *nlh, size_t len, uint16_t type, uint32_t v)
{
	return put(nlh, len, type, &v, sizeof(v));
}

/* The parts of xfrm_usersa_info that NEWSA, UPDSA and ALLOCSPI share. */
static int
sa_info(struct xfrm_usersa_info *k, const struct xfrm_sa *sa)
{
	int family = pair_family(&sa->src, &sa->dst);

	if (family < 0 || sa->mode > XFRM_MODE_TUNNEL)
		return -EINVAL;
	addr_to_kernel(&k->id.daddr, &sa->dst);
	addr_to_kernel(&k->saddr, &sa->src);
	k->id.spi = htonl(sa->spi);
	k->id.proto = sa->proto ? sa->proto : IPPROTO_ESP;
	k->family = (uint16_t)family;
	k->mode = sa->mode;
	k->reqid = sa->reqid;
	k->seq = sa->acq_seq;
	return 0;
}

/* The legacy replay state is a 32-bit bitmap; a larger window, and ESN,
 * need the ESN attribute, and then the kernel insists that the legacy
 * window field is 0. The attribute is sent as its header alone: given no
 * more, the kernel allocates the bitmap itself (iproute2 relies on this
 * too). */
static int
put_replay(struct nlmsghdr *nlh, size_t len, struct xfrm_usersa_info *k,
	   const struct xfrm_sa *sa)
{
	uint32_t window =
	    (sa->has & XFRM_SA_HAS_REPLAY) ? sa->replay_window : 0;
	bool esn = sa->has & XFRM_SA_HAS_ESN;
	struct xfrm_replay_state_esn r;

	if (window > XFRM_WINDOW_MAX)
		return -EINVAL;
	if (!esn && window <= 32) {
		k->replay_window = (uint8_t)window;
		return 0;
	}
	/* The kernel refuses ESN without a window (xfrm_init_replay()). */
	if (esn && window == 0)
		return -EINVAL;
	if (esn)
		k->flags |= XFRM_STATE_ESN;
	memset(&r, 0, sizeof(r));
	r.bmp_len = (window + 31) / 32;
	r.replay_window = window;
	return put(nlh, len, XFRMA_REPLAY_ESN_VAL, &r, sizeof(r));
}

static int
put_encap(struct nlmsghdr *nlh, size_t len, uint16_t sport, uint16_t dport)
{
	struct xfrm_encap_tmpl e;

	memset(&e, 0, sizeof(e));
	e.encap_type = UDP_ENCAP_ESPINUDP;
	e.encap_sport = htons(sport);
	e.encap_dport = htons(dport);
	return put(nlh, len, XFRMA_ENCAP, &e, sizeof(e));
}

static int
put_sa_offload(struct nlmsghdr *nlh, size_t len, const struct xfrm_sa *sa)
{
	struct xfrm_user_offload o;

	if (sa->offload.ifindex <= 0)
		return -EINVAL;
	memset(&o, 0, sizeof(o));
	o.ifindex = sa->offload.ifindex;
	if (sa->offload.inbound)
		o.flags |= XFRM_OFFLOAD_INBOUND;
	if (sa->offload.packet)
		o.flags |= XFRM_OFFLOAD_PACKET;
	return put(nlh, len, XFRMA_OFFLOAD_DEV, &o, sizeof(o));
}

int
xfrm_msg_newsa(void *buf, size_t len, uint16_t type, const struct xfrm_sa *sa,
	       uint32_t seq)
{
	struct xfrm_usersa_info *k;
	struct nlmsghdr *nlh;
	int rc;

	if (type != XFRM_MSG_NEWSA && type != XFRM_MSG_UPDSA)
		return -EINVAL;
	nlh = start(buf, len, type, NLM_F_REQUEST | NLM_F_ACK, seq, sizeof(*k));
	if (nlh == NULL)
		return -EMSGSIZE;
	k = mnl_nlmsg_get_payload(nlh);
	if (sa_info(k, sa) < 0 || sa->spi == 0)
		return -EINVAL;
	/* Without a selector the kernel gives the SA one that takes any
	 * address of the outer family (or of any family, with
	 * XFRM_STATE_AF_UNSPEC). */
	if ((sa->has & XFRM_SA_HAS_SEL) && sel_to_kernel(&k->sel, &sa->sel) < 0)
		return -EINVAL;
	lft_to_kernel(&k->lft,
		      (sa->has & XFRM_SA_HAS_LIFETIME) ? &sa->lft : NULL);
	k->flags = sa->flags;

	/* The kernel takes attributes in any order. */
	if ((rc = put_algs(nlh, len, &sa->algs)) < 0)
		return rc;
	if ((sa->has & XFRM_SA_HAS_ENCAP) &&
	    (rc = put_encap(nlh, len, sa->encap.sport, sa->encap.dport)) < 0)
		return rc;
	if ((sa->has & XFRM_SA_HAS_MARK) &&
	    (rc = put_mark(nlh, len, sa->mark, sa->mark_mask)) < 0)
		return rc;
	if ((rc = put_replay(nlh, len, k, sa)) < 0)
		return rc;
	if ((sa->has & XFRM_SA_HAS_OFFLOAD) &&
	    (rc = put_sa_offload(nlh, len, sa)) < 0)
		return rc;
	if ((sa->has & XFRM_SA_HAS_IF_ID) &&
	    (rc = put_u32(nlh, len, XFRMA_IF_ID, sa->if_id)) < 0)
		return rc;
	return (int)nlh->nlmsg_len;
}

int
xfrm_msg_delsa(void *buf, size_t len, uint16_t type, const struct xfrm_sa *sa,
	       uint32_t seq)
{
	struct xfrm_usersa_id *k;
	struct nlmsghdr *nlh;
	int rc;

	if (type != XFRM_MSG_DELSA && type != XFRM_MSG_GETSA)
		return -EINVAL;
	nlh = start(buf, len, type, NLM_F_REQUEST | NLM_F_ACK, seq, sizeof(*k));
	if (nlh == NULL)
		return -EMSGSIZE;
	if (!family_ok(sa->dst.family))
		return -EINVAL;
	k = mnl_nlmsg_get_payload(nlh);
	addr_to_kernel(&k->daddr, &sa->dst);
	k->spi = htonl(sa->spi);
	k->family = sa->dst.family;
	k->proto = sa->proto ? sa->proto : IPPROTO_ESP;
	/* The kernel's lookup matches the mark, so a marked SA can only be
	 * found with it. */
	if ((sa->has & XFRM_SA_HAS_MARK) &&
	    (rc = put_mark(nlh, len, sa->mark, sa->mark_mask)) < 0)
		return rc;
	return (int)nlh->nlmsg_len;
}

int
xfrm_msg_allocspi(void *buf, size_t len, const struct xfrm_sa *sa, uint32_t min,
		  uint32_t max, uint32_t seq)
{
	struct xfrm_userspi_info *k;
	struct nlmsghdr *nlh;
	int rc;

	nlh = start(buf, len, XFRM_MSG_ALLOCSPI, NLM_F_REQUEST | NLM_F_ACK, seq,
		    sizeof(*k));
	if (nlh == NULL)
		return -EMSGSIZE;
	k = mnl_nlmsg_get_payload(nlh);
	if (sa_info(&k->info, sa) < 0 || min == 0 || min > max)
		return -EINVAL;
	k->min = min;
	k->max = max;
	if ((sa->has & XFRM_SA_HAS_MARK) &&
	    (rc = put_mark(nlh, len, sa->mark, sa->mark_mask)) < 0)
		return rc;
	if ((sa->has & XFRM_SA_HAS_IF_ID) &&
	    (rc = put_u32(nlh, len, XFRMA_IF_ID, sa->if_id)) < 0)
		return rc;
	return (int)nlh->nlmsg_len;
}

static int
tmpl_to_kernel(struct xfrm_user_tmpl *k, const struct xfrm_tmpl *t,
	       uint16_t sel_family)
{
	memset(k, 0, sizeof(*k));
	if (t->mode > XFRM_MODE_TUNNEL)
		return -EINVAL;
	if (t->mode == XFRM_MODE_TUNNEL) {
		int family = pair_family(&t->src, &t->dst);

		if (family < 0)
			return -EINVAL;
		k->family = (uint16_t)family;
		addr_to_kernel(&k->id.daddr, &t->dst);
		addr_to_kernel(&k->saddr, &t->src);
	} else {
		k->family = sel_family;
	}
	k->id.spi = htonl(t->spi);
	k->id.proto = t->proto ? t->proto : IPPROTO_ESP;
	k->reqid = t->reqid;
	k->mode = t->mode;
	k->optional = t->optional;
	/* A template restricts which algorithms its SA may use; IKE has
	 * already chosen them, so accept all. */
	k->aalgos = ~0u;
	k->ealgos = ~0u;
	k->calgos = ~0u;
	return 0;
}

static int
put_policy_extra(struct nlmsghdr *nlh, size_t len, const struct xfrm_policy *p)
{
	int rc;

	if ((p->has & XFRM_POLICY_HAS_MARK) &&
	    (rc = put_mark(nlh, len, p->mark, p->mark_mask)) < 0)
		return rc;
	if ((p->has & XFRM_POLICY_HAS_IF_ID) &&
	    (rc = put_u32(nlh, len, XFRMA_IF_ID, p->if_id)) < 0)
		return rc;
	return 0;
}

int
xfrm_msg_newpolicy(void *buf, size_t len, uint16_t type,
		   const struct xfrm_policy *p, uint32_t seq)
{
	struct xfrm_user_tmpl t[XFRM_TMPL_MAX];
	struct xfrm_userpolicy_info *k;
	struct nlmsghdr *nlh;
	unsigned int i;
	int rc;

	if (type != XFRM_MSG_NEWPOLICY && type != XFRM_MSG_UPDPOLICY)
		return -EINVAL;
	nlh = start(buf, len, type, NLM_F_REQUEST | NLM_F_ACK, seq, sizeof(*k));
	if (nlh == NULL)
		return -EMSGSIZE;
	k = mnl_nlmsg_get_payload(nlh);
	if (sel_to_kernel(&k->sel, &p->sel) < 0 || p->dir > XFRM_POLICY_FWD ||
	    p->action > XFRM_POLICY_BLOCK || p->ntmpl > XFRM_TMPL_MAX)
		return -EINVAL;
	lft_to_kernel(&k->lft, NULL);
	k->priority = p->priority;
	k->dir = p->dir;
	k->action = p->action;

	for (i = 0; i < p->ntmpl; i++)
		if (tmpl_to_kernel(&t[i], &p->tmpl[i], k->sel.family) < 0)
			return -EINVAL;
	if (p->ntmpl > 0 &&
	    (rc = put(nlh, len, XFRMA_TMPL, t, p->ntmpl * sizeof(t[0]))) < 0)
		return rc;
	if ((rc = put_policy_extra(nlh, len, p)) < 0)
		return rc;
	if (p->has & XFRM_POLICY_HAS_OFFLOAD) {
		struct xfrm_user_offload o;

		/* Policies are only ever offloaded whole (packet mode). */
		if (p->offload.ifindex <= 0)
			return -EINVAL;
		memset(&o, 0, sizeof(o));
		o.ifindex = p->offload.ifindex;
		o.flags = XFRM_OFFLOAD_PACKET;
		if ((rc = put(nlh, len, XFRMA_OFFLOAD_DEV, &o, sizeof(o))) < 0)
			return rc;
	}
	return (int)nlh->nlmsg_len;
}

int
xfrm_msg_delpolicy(void *buf, size_t len, uint16_t type,
		   const struct xfrm_policy *p, uint32_t seq)
{
	struct xfrm_userpolicy_id *k;
	struct nlmsghdr *nlh;
	int rc;

	if (type != XFRM_MSG_DELPOLICY && type != XFRM_MSG_GETPOLICY)
		return -EINVAL;
	nlh = start(buf, len, type, NLM_F_REQUEST | NLM_F_ACK, seq, sizeof(*k));
	if (nlh == NULL)
		return -EMSGSIZE;
	k = mnl_nlmsg_get_payload(nlh);
	if (sel_to_kernel(&k->sel, &p->sel) < 0 || p->dir > XFRM_POLICY_FWD)
		return -EINVAL;
	k->dir = p->dir;
	if ((rc = put_policy_extra(nlh, len, p)) < 0)
		return rc;
	return (int)nlh->nlmsg_len;
}

/*
 * XFRM_MSG_MIGRATE: the policy by selector and direction, then one
 * xfrm_user_migrate (old and new outer addresses of one SA and template),
 * the new UDP encapsulation and the policy's interface ID:
 *
 *   +----------+---------------------+-----------------------+-------+-------+
 *   | nlmsghdr | xfrm_userpolicy_id  | XFRMA_MIGRATE         | ENCAP | IF_ID |
 *   |          | (sel, index 0, dir) | xfrm_user_migrate [1] | (opt) | (opt) |
 *   +----------+---------------------+-----------------------+-------+-------+
 *
 * No XFRMA_POLICY_TYPE: the kernel takes the main policy type without it.
 */
int
xfrm_msg_migrate(void *buf, size_t len, const struct xfrm_policy *p,
		 const struct xfrm_move *m, uint32_t seq)
{
	struct xfrm_userpolicy_id *k;
	struct xfrm_user_migrate um;
	struct nlmsghdr *nlh;
	int of, nf, rc;

	nlh = start(buf, len, XFRM_MSG_MIGRATE, NLM_F_REQUEST | NLM_F_ACK, seq,
		    sizeof(*k));
	if (nlh == NULL)
		return -EMSGSIZE;
	k = mnl_nlmsg_get_payload(nlh);
	of = pair_family(&m->old_src, &m->old_dst);
	nf = pair_family(&m->new_src, &m->new_dst);
	if (sel_to_kernel(&k->sel, &p->sel) < 0 || p->dir > XFRM_POLICY_FWD ||
	    of < 0 || nf < 0 || m->mode > XFRM_MODE_TUNNEL)
		return -EINVAL;
	k->dir = p->dir;
	memset(&um, 0, sizeof(um));
	addr_to_kernel(&um.old_daddr, &m->old_dst);
	addr_to_kernel(&um.old_saddr, &m->old_src);
	addr_to_kernel(&um.new_daddr, &m->new_dst);
	addr_to_kernel(&um.new_saddr, &m->new_src);
	um.proto = m->proto ? m->proto : IPPROTO_ESP;
	um.mode = m->mode;
	um.reqid = m->reqid;
	um.old_family = (uint16_t)of;
	um.new_family = (uint16_t)nf;
	if ((rc = put(nlh, len, XFRMA_MIGRATE, &um, sizeof(um))) < 0)
		return rc;
	if ((m->has & XFRM_MOVE_HAS_ENCAP) &&
	    (rc = put_encap(nlh, len, m->encap.sport, m->encap.dport)) < 0)
		return rc;
	if ((p->has & XFRM_POLICY_HAS_IF_ID) &&
	    (rc = put_u32(nlh, len, XFRMA_IF_ID, p->if_id)) < 0)
		return rc;
	return (int)nlh->nlmsg_len;
}

/*
 * XFRM_MSG_NEWSPDINFO / XFRM_MSG_GETSPDINFO: a u32 of flags (none), then
 * for NEWSPDINFO each family's thresholds that are set:
 *
 *   +----------+-------+---------------------------+---------------------------+
 *   | nlmsghdr | u32 0 | XFRMA_SPD_IPV4_HTHRESH    | XFRMA_SPD_IPV6_HTHRESH |
 *   |          |       | xfrmu_spdhthresh (opt)    | xfrmu_spdhthresh (opt) |
 *   +----------+-------+---------------------------+---------------------------+
 */
int
xfrm_msg_spdinfo(void *buf, size_t len, uint16_t type,
		 const struct xfrm_spd_hthresh *t, uint32_t seq)
{
	struct xfrmu_spdhthresh h4, h6;
	struct nlmsghdr *nlh;
	int rc;

	if (type != XFRM_MSG_NEWSPDINFO && type != XFRM_MSG_GETSPDINFO)
		return -EINVAL;
	if (type == XFRM_MSG_NEWSPDINFO && (t->lbits4 > 32 || t->rbits4 > 32 ||
					    t->lbits6 > 128 || t->rbits6 > 128))
		return -EINVAL;
	nlh = start(buf, len, type, NLM_F_REQUEST | NLM_F_ACK, seq,
		    sizeof(uint32_t));
	if (nlh == NULL)
		return -EMSGSIZE;
	if (type == XFRM_MSG_GETSPDINFO)
		return (int)nlh->nlmsg_len;
	h4 = (struct xfrmu_spdhthresh){t->lbits4, t->rbits4};
	h6 = (struct xfrmu_spdhthresh){t->lbits6, t->rbits6};
	if ((t->lbits4 || t->rbits4) &&
	    (rc = put(nlh, len, XFRMA_SPD_IPV4_HTHRESH, &h4, sizeof(h4))) < 0)
		return rc;
	if ((t->lbits6 || t->rbits6) &&
	    (rc = put(nlh, len, XFRMA_SPD_IPV6_HTHRESH, &h6, sizeof(h6))) < 0)
		return rc;
	return (int)nlh->nlmsg_len;
}
