/* SPDX-License-Identifier: ISC */
/*
 * daemon.kernel: none. Instead of XFRM netlink, a recorder answers each
 * of kernel.c's requests as the kernel would had it succeeded, so that a
 * benchmark or a test brings up CHILD SAs on a machine without ESP, or
 * by the hundred thousand without the kernel's cost:
 *
 * - SPIs are random in the range asked for, as XFRM_MSG_ALLOCSPI's are,
 *   and unique among the SAs recorded (the kernel's are unique per
 *   destination: these are stricter). Each allocation records a larval
 *   SA, as ALLOCSPI does, and the SPI is free again once it is deleted.
 * - SAs are recorded by SPI, destination and protocol; policies by
 *   selector, direction, mark and interface ID. A request the kernel
 *   would refuse (adding an SA twice, updating or deleting one it does
 *   not hold, deleting a policy it does not hold) gets the kernel's
 *   errno, and a deletion of what is not recorded is logged, since
 *   kernel.c does not look at what a deletion returns.
 * - Counters read 0.
 *
 * Larval SAs never expire here (the kernel drops them after 30 s).
 * Nothing reaches the kernel, so no event comes from it either.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "daemon.h"

struct rec_sa {
	struct rec_sa *next; /* in its bucket, hashed by SPI */
	uint32_t spi;
	uint8_t proto;
	struct xfrm_addr src, dst;
	uint32_t reqid;
	bool larval; /* allocated, not yet updated with keys */
	bool encap;  /* UDP-encapsulated, for list-sas */
};

struct rec_pol {
	struct rec_pol *next;
	struct xfrm_sel sel;
	uint8_t dir;
	uint32_t mark, mark_mask, if_id;
};

struct kernel_none {
	struct rec_sa **sas;
	size_t n_sa_buckets, n_sas;
	struct rec_pol **pols;
	size_t n_pol_buckets, n_pols;
};

#define INITIAL_BUCKETS 64

static bool
addr_equal(const struct xfrm_addr *a, const struct xfrm_addr *b)
{
	if (a->family != b->family)
		return false;
	return a->family == AF_INET
		   ? a->v4.s_addr == b->v4.s_addr
		   : memcmp(&a->v6, &b->v6, sizeof(a->v6)) == 0;
}

/* FNV-1a over the bytes that identify a policy. */
static uint64_t
fnv(uint64_t h, const void *p, size_t len)
{
	const uint8_t *b = p;

	while (len--)
		h = (h ^ *b++) * 0x100000001b3ull;
	return h;
}

static size_t
sa_bucket(const struct kernel_none *k, uint32_t spi)
{
	return (size_t)(fnv(0xcbf29ce484222325ull, &spi, sizeof(spi)) %
			k->n_sa_buckets);
}

/* Field by field: padding is not copied with a struct. */
static uint64_t
addr_hash(uint64_t h, const struct xfrm_addr *a)
{
	h = fnv(h, &a->family, sizeof(a->family));
	return a->family == AF_INET ? fnv(h, &a->v4, sizeof(a->v4))
				    : fnv(h, &a->v6, sizeof(a->v6));
}

static uint64_t
pol_hash(const struct xfrm_sel *sel, uint8_t dir)
{
	uint64_t h = addr_hash(0xcbf29ce484222325ull, &sel->src);

	h = addr_hash(h, &sel->dst);
	h = fnv(h, &sel->sport, sizeof(sel->sport));
	h = fnv(h, &sel->dport, sizeof(sel->dport));
	h = fnv(h, &sel->src_plen, 1);
	h = fnv(h, &sel->dst_plen, 1);
	h = fnv(h, &sel->proto, 1);
	return fnv(h, &dir, 1);
}

static bool
sel_equal(const struct xfrm_sel *a, const struct xfrm_sel *b)
{
	return addr_equal(&a->src, &b->src) && addr_equal(&a->dst, &b->dst) &&
	       a->src_plen == b->src_plen && a->dst_plen == b->dst_plen &&
	       a->sport == b->sport && a->dport == b->dport &&
	       a->sport_mask == b->sport_mask &&
	       a->dport_mask == b->dport_mask && a->proto == b->proto;
}

void *
kernel_none_new(void)
{
	struct kernel_none *k = calloc(1, sizeof(*k));

	if (!k)
		return NULL;
	k->n_sa_buckets = k->n_pol_buckets = INITIAL_BUCKETS;
	k->sas = calloc(k->n_sa_buckets, sizeof(*k->sas));
	k->pols = calloc(k->n_pol_buckets, sizeof(*k->pols));
	if (!k->sas || !k->pols) {
		free(k->sas);
		free(k->pols);
		free(k);
		return NULL;
	}
	return k;
}

static void
none_close(void *h)
{
	struct kernel_none *k = h;
	size_t i;

	if (!k)
		return;
	for (i = 0; i < k->n_sa_buckets; i++)
		while (k->sas[i]) {
			struct rec_sa *s = k->sas[i];

			k->sas[i] = s->next;
			free(s);
		}
	for (i = 0; i < k->n_pol_buckets; i++)
		while (k->pols[i]) {
			struct rec_pol *p = k->pols[i];

			k->pols[i] = p->next;
			free(p);
		}
	free(k->sas);
	free(k->pols);
	free(k);
}

void
kernel_none_count(const void *h, size_t *sas, size_t *policies)
{
	const struct kernel_none *k = h;

	*sas = k ? k->n_sas : 0;
	*policies = k ? k->n_pols : 0;
}

/* Twice the buckets once there are more entries than buckets: a lookup
 * stays O(1) at a hundred thousand SAs. A failed allocation keeps the
 * table as it is (longer chains, still correct). */
static void
sa_grow(struct kernel_none *k)
{
	size_t n = k->n_sa_buckets * 2, i;
	struct rec_sa **t;

	if (k->n_sas < k->n_sa_buckets || !(t = calloc(n, sizeof(*t))))
		return;
	for (i = 0; i < k->n_sa_buckets; i++)
		while (k->sas[i]) {
			struct rec_sa *s = k->sas[i];
			size_t b;

			k->sas[i] = s->next;
			b = (size_t)(fnv(0xcbf29ce484222325ull, &s->spi,
					 sizeof(s->spi)) %
				     n);
			s->next = t[b];
			t[b] = s;
		}
	free(k->sas);
	k->sas = t;
	k->n_sa_buckets = n;
}

static void
pol_grow(struct kernel_none *k)
{
	size_t n = k->n_pol_buckets * 2, i;
	struct rec_pol **t;

	if (k->n_pols < k->n_pol_buckets || !(t = calloc(n, sizeof(*t))))
		return;
	for (i = 0; i < k->n_pol_buckets; i++)
		while (k->pols[i]) {
			struct rec_pol *p = k->pols[i];
			size_t b = (size_t)(pol_hash(&p->sel, p->dir) % n);

			k->pols[i] = p->next;
			p->next = t[b];
			t[b] = p;
		}
	free(k->pols);
	k->pols = t;
	k->n_pol_buckets = n;
}

/* The SA a request names (SPI, destination, protocol: the kernel's key),
 * as the link that points at it. */
static struct rec_sa **
sa_find(struct kernel_none *k, const struct xfrm_sa *sa)
{
	struct rec_sa **pp = &k->sas[sa_bucket(k, sa->spi)];

	for (; *pp; pp = &(*pp)->next)
		if ((*pp)->spi == sa->spi && (*pp)->proto == sa->proto &&
		    addr_equal(&(*pp)->dst, &sa->dst))
			return pp;
	return NULL;
}

static bool
spi_in_use(const struct kernel_none *k, uint32_t spi)
{
	const struct rec_sa *s = k->sas[sa_bucket(k, spi)];

	for (; s; s = s->next)
		if (s->spi == spi)
			return true;
	return false;
}

static int
sa_record(struct kernel_none *k, const struct xfrm_sa *sa, bool larval)
{
	struct rec_sa *s = calloc(1, sizeof(*s));
	size_t b;

	if (!s)
		return -ENOMEM;
	s->spi = sa->spi;
	s->proto = sa->proto;
	s->src = sa->src;
	s->dst = sa->dst;
	s->reqid = sa->reqid;
	s->larval = larval;
	s->encap = sa->has & XFRM_SA_HAS_ENCAP;
	sa_grow(k);
	b = sa_bucket(k, s->spi);
	s->next = k->sas[b];
	k->sas[b] = s;
	k->n_sas++;
	return 0;
}

static int
none_spi_alloc(void *h, const struct xfrm_sa *sa, uint32_t min, uint32_t max,
	       uint32_t *spi)
{
	struct kernel_none *k = h;
	struct xfrm_sa larval = *sa;
	uint64_t span = (uint64_t)max - min + 1;
	unsigned tries;

	if (min > max || min < 0x100)
		return -EINVAL;
	/* As the kernel does: random tries, then give up. A range nearly
	 * full of SPIs in use is not what this is for. */
	for (tries = 0; tries < 1000; tries++) {
		uint32_t r;

		if (RAND_bytes((unsigned char *)&r, sizeof(r)) != 1)
			return -EIO;
		larval.spi = (uint32_t)(min + r % span);
		if (!spi_in_use(k, larval.spi)) {
			int rc = sa_record(k, &larval, true);

			if (rc == 0)
				*spi = larval.spi;
			return rc;
		}
	}
	return -ENOENT;
}

static int
none_sa_add(void *h, const struct xfrm_sa *sa)
{
	struct kernel_none *k = h;

	if (sa_find(k, sa))
		return -EEXIST;
	return sa_record(k, sa, false);
}

static int
none_sa_update(void *h, const struct xfrm_sa *sa)
{
	struct rec_sa **pp = sa_find(h, sa);

	if (!pp)
		return -ESRCH;
	(*pp)->larval = false;
	(*pp)->src = sa->src;
	(*pp)->reqid = sa->reqid;
	(*pp)->encap = sa->has & XFRM_SA_HAS_ENCAP;
	return 0;
}

static int
none_sa_del(void *h, const struct xfrm_sa *sa)
{
	struct kernel_none *k = h;
	struct rec_sa **pp = sa_find(k, sa), *s;

	if (!pp) {
		log_msg(IKE_LOG_WARN,
			"kernel: none: deleting SA %08x: not "
			"recorded",
			sa->spi);
		return -ESRCH;
	}
	s = *pp;
	*pp = s->next;
	free(s);
	k->n_sas--;
	return 0;
}

static int
none_sa_get(void *h, const struct xfrm_sa *sa, struct xfrm_sa_stats *st)
{
	struct rec_sa **pp = sa_find(h, sa);

	memset(st, 0, sizeof(*st));
	if (!pp)
		return -ESRCH;
	st->encap = (*pp)->encap;
	return 0;
}

/* The recorder keeps no keys: there is no ESP for Wireshark to read. */
static int
none_sa_get_keys(void *h, const struct xfrm_sa *sa, struct xfrm_sa_keys *k)
{
	memset(k, 0, sizeof(*k));
	return -EOPNOTSUPP;
}

static struct rec_pol **
pol_find(struct kernel_none *k, const struct xfrm_policy *p)
{
	struct rec_pol **pp =
	    &k->pols[pol_hash(&p->sel, p->dir) % k->n_pol_buckets];
	uint32_t mark = p->has & XFRM_POLICY_HAS_MARK ? p->mark : 0;
	uint32_t mask = p->has & XFRM_POLICY_HAS_MARK ? p->mark_mask : 0;
	uint32_t if_id = p->has & XFRM_POLICY_HAS_IF_ID ? p->if_id : 0;

	for (; *pp; pp = &(*pp)->next)
		if ((*pp)->dir == p->dir && (*pp)->mark == mark &&
		    (*pp)->mark_mask == mask && (*pp)->if_id == if_id &&
		    sel_equal(&(*pp)->sel, &p->sel))
			return pp;
	return NULL;
}

/* XFRM_MSG_UPDPOLICY: added, or replaced where it is. */
static int
none_policy_update(void *h, const struct xfrm_policy *p)
{
	struct kernel_none *k = h;
	struct rec_pol *r;
	size_t b;

	if (pol_find(k, p))
		return 0;
	if (!(r = calloc(1, sizeof(*r))))
		return -ENOMEM;
	r->sel = p->sel;
	r->dir = p->dir;
	if (p->has & XFRM_POLICY_HAS_MARK) {
		r->mark = p->mark;
		r->mark_mask = p->mark_mask;
	}
	if (p->has & XFRM_POLICY_HAS_IF_ID)
		r->if_id = p->if_id;
	pol_grow(k);
	b = (size_t)(pol_hash(&r->sel, r->dir) % k->n_pol_buckets);
	r->next = k->pols[b];
	k->pols[b] = r;
	k->n_pols++;
	return 0;
}

/* kernel.c passes over -ENOENT here (the policies a rekeyed CHILD SA
 * shared are gone with the first), as it would from the kernel. */
static int
none_policy_del(void *h, const struct xfrm_policy *p)
{
	struct kernel_none *k = h;
	struct rec_pol **pp = pol_find(k, p), *r;

	if (!pp)
		return -ENOENT;
	r = *pp;
	*pp = r->next;
	free(r);
	k->n_pols--;
	return 0;
}

/* XFRM_MSG_MIGRATE: the policy stays (its template is not recorded);
 * the SAs of its reqid at the old addresses move to the new ones. A
 * walk over every SA: moves are rare. */
static int
none_policy_migrate(void *h, const struct xfrm_policy *p,
		    const struct xfrm_move *m)
{
	struct kernel_none *k = h;
	uint8_t proto = m->proto ? m->proto : IPPROTO_ESP;
	size_t i;

	if (!pol_find(k, p))
		return -ENOENT;
	for (i = 0; i < k->n_sa_buckets; i++) {
		struct rec_sa *s;

		for (s = k->sas[i]; s; s = s->next)
			if (s->reqid == m->reqid && s->proto == proto &&
			    addr_equal(&s->src, &m->old_src) &&
			    addr_equal(&s->dst, &m->old_dst)) {
				s->src = m->new_src;
				s->dst = m->new_dst;
			}
	}
	return 0;
}

static const char *
none_error(const void *h)
{
	(void)h;
	return "";
}

const struct kernel_ops kernel_none_ops = {
    .name = "none",
    .spi_alloc = none_spi_alloc,
    .sa_add = none_sa_add,
    .sa_update = none_sa_update,
    .sa_del = none_sa_del,
    .sa_get = none_sa_get,
    .sa_get_keys = none_sa_get_keys,
    .policy_update = none_policy_update,
    .policy_del = none_policy_del,
    .policy_migrate = none_policy_migrate,
    .error = none_error,
    .close = none_close,
};
