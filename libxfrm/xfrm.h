/* SPDX-License-Identifier: ISC */
/*
 * libxfrm: what charond needs from Linux XFRM over netlink, and nothing
 * more. SPI allocation, adding, updating, reading and deleting ESP SAs,
 * policies with templates tied to SAs by reqid, moving both to new outer
 * addresses (XFRM_MSG_MIGRATE), the kernel's EXPIRE,
 * ACQUIRE and MAPPING events, and the kernel names of the IKE transform
 * IDs in libike's algorithm registry (alg_list.h).
 *
 * Callers fill plain structs; optional parts are announced with presence
 * bits (XFRM_SA_HAS_*, XFRM_POLICY_HAS_*), the rest takes iproute2's
 * defaults. Every function returns 0 or -errno (the kernel's own errno when
 * it refused); xfrm_nl_error() then says why in words. Keys are never
 * copied into these structs: they point at the caller's memory, and the
 * request that carried them is wiped once sent.
 *
 * Values of mode, dir, action and flags are the kernel's (XFRM_MODE_*,
 * XFRM_POLICY_*, XFRM_STATE_*), hence <linux/xfrm.h> below. SPIs, ports
 * and reqids are in host byte order.
 */
#ifndef LIBXFRM_XFRM_H
#define LIBXFRM_XFRM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <netinet/in.h>
#include <sys/socket.h>

#include <linux/xfrm.h>

/* An IPv4 or IPv6 address; family 0 means unset. */
struct xfrm_addr {
	sa_family_t family; /* AF_INET or AF_INET6 */
	union {
		struct in_addr v4;
		struct in6_addr v6;
	};
};

/* A traffic selector as XFRM knows it: two prefixes of one family, a
 * protocol and ports under masks. An IKE port range maps to one port (mask
 * 0xffff) or any (mask 0); for ICMP the ports carry type and code. */
struct xfrm_sel {
	struct xfrm_addr src, dst;
	uint8_t src_plen, dst_plen;
	uint8_t proto; /* IPPROTO_*, 0 for any */
	uint16_t sport, sport_mask;
	uint16_t dport, dport_mask;
};

/* Limits after which the kernel sends a soft, then a hard EXPIRE. Zero
 * means no limit. */
struct xfrm_lifetime {
	uint64_t soft_bytes, hard_bytes;
	uint64_t soft_packets, hard_packets;
	uint64_t soft_add_sec, hard_add_sec; /* seconds after installation */
	uint64_t soft_use_sec, hard_use_sec; /* seconds after first use */
};

/* One kernel algorithm. xfrm_alg_for_ike() fills name, key_len and
 * icv_bits; the caller points key at key_len bytes of its KEYMAT. */
struct xfrm_alg {
	const char *name;      /* "rfc4106(gcm(aes))", "hmac(sha256)"... */
	const uint8_t *key;    /* AEAD, CTR, GMAC: key then salt/nonce */
	size_t key_len;        /* bytes */
	unsigned int icv_bits; /* AEAD ICV or HMAC truncation, 0 otherwise */
};

struct xfrm_algs {
	bool aead;            /* enc is a combined mode; auth is unused */
	struct xfrm_alg enc;  /* XFRMA_ALG_AEAD or XFRMA_ALG_CRYPT */
	struct xfrm_alg auth; /* XFRMA_ALG_AUTH_TRUNC */
};

enum {
	XFRM_SA_HAS_SEL = 1u << 0,      /* sel; else any (see below) */
	XFRM_SA_HAS_LIFETIME = 1u << 1, /* lft; else no limits */
	XFRM_SA_HAS_REPLAY = 1u << 2,   /* replay_window; else 0 (none) */
	XFRM_SA_HAS_ESN = 1u << 3,      /* 64-bit sequence numbers */
	XFRM_SA_HAS_ENCAP = 1u << 4,    /* ESP in UDP (RFC 3948) */
	XFRM_SA_HAS_MARK = 1u << 5,
	XFRM_SA_HAS_IF_ID = 1u << 6,
	XFRM_SA_HAS_OFFLOAD = 1u << 7,
};

/* An ESP SA. Required: src, dst (same family), spi, mode, algs. Without
 * XFRM_SA_HAS_SEL the kernel gives the SA a selector taking any address of
 * the outer family; in tunnel mode, XFRM_STATE_AF_UNSPEC in flags makes it
 * any address of either family. */
struct xfrm_sa {
	uint32_t has; /* XFRM_SA_HAS_* */
	struct xfrm_addr src, dst;
	uint32_t spi;
	uint8_t proto; /* IPPROTO_ESP when 0 */
	uint8_t mode;  /* XFRM_MODE_TRANSPORT or XFRM_MODE_TUNNEL */
	uint8_t flags; /* extra XFRM_STATE_*, e.g. XFRM_STATE_AF_UNSPEC */
	uint32_t reqid;
	uint32_t acq_seq; /* seq of the ACQUIRE this SA answers, or 0 */
	struct xfrm_algs algs;
	struct xfrm_sel sel;
	struct xfrm_lifetime lft;
	/* Packets; above 32, or with ESN, sent as XFRMA_REPLAY_ESN_VAL. */
	uint32_t replay_window;
	struct {
		uint16_t sport, dport; /* UDP ports, normally 4500 */
	} encap;
	uint32_t mark, mark_mask;
	uint32_t if_id;
	struct {
		int ifindex;
		bool inbound; /* an SA for received traffic */
		bool packet;  /* full packet offload, not just crypto */
	} offload;
};

/* What xfrm_sa_get() reads back: the counters behind list-sas. Times are
 * seconds since the epoch, 0 when it has not happened yet. */
struct xfrm_sa_stats {
	uint64_t bytes, packets;
	uint64_t add_time;
	uint64_t use_time;  /* first use */
	uint64_t last_used; /* most recent use, where the kernel keeps it */
	uint32_t replay, integrity_failed;
	bool encap; /* UDP-encapsulated (RFC 3948), ports in the SA's encap */
};

/* What xfrm_sa_get_keys() reads back: an SA's algorithms and keys, for
 * debugging exports only (Wireshark's esp_sa table). Secret: the caller
 * wipes it with xfrm_sa_keys_clear() once written out. */
struct xfrm_sa_keys {
	bool aead;
	char enc_name[64], auth_name[64]; /* Linux crypto API names */
	unsigned int icv_bits;            /* AEAD ICV or HMAC truncation */
	uint8_t enc_key[64], auth_key[128];
	size_t enc_len, auth_len; /* bytes; enc_key holds key then salt */
};

#define XFRM_TMPL_MAX 4

/* A policy template: which SA (by proto, mode, reqid and, in tunnel mode,
 * its outer addresses) the kernel must apply. optional lets traffic
 * without that transform pass (for in/fwd policies). */
struct xfrm_tmpl {
	struct xfrm_addr src, dst; /* tunnel mode only */
	uint32_t spi;              /* 0 for any */
	uint8_t proto;             /* IPPROTO_ESP when 0 */
	uint8_t mode;
	uint32_t reqid;
	bool optional;
};

enum {
	XFRM_POLICY_HAS_MARK = 1u << 0,
	XFRM_POLICY_HAS_IF_ID = 1u << 1,
	XFRM_POLICY_HAS_OFFLOAD = 1u << 2, /* packet offload to ifindex */
};

struct xfrm_policy {
	uint32_t has; /* XFRM_POLICY_HAS_* */
	struct xfrm_sel sel;
	uint8_t dir;    /* XFRM_POLICY_IN, _OUT or _FWD */
	uint8_t action; /* XFRM_POLICY_ALLOW (0) or XFRM_POLICY_BLOCK */
	uint32_t priority;
	unsigned int ntmpl;
	struct xfrm_tmpl tmpl[XFRM_TMPL_MAX];
	uint32_t mark, mark_mask;
	uint32_t if_id;
	struct {
		int ifindex;
	} offload;
	/* Filled by xfrm_policy_get() and ACQUIRE events; ignored on input. */
	uint32_t index;
	uint64_t add_time, use_time;
};

enum {
	XFRM_MOVE_HAS_ENCAP = 1u << 0, /* the moved SA's new ESP in UDP */
};

/* What XFRM_MSG_MIGRATE moves: the SA found by proto, mode, reqid and its
 * old outer addresses, and the policy template that names the same (in
 * transport mode a template has no addresses: the kernel matches it on
 * proto, mode and reqid alone, and leaves it as it is). The SA keeps its
 * SPI, keys, replay state, counters, mark and interface ID; without
 * XFRM_MOVE_HAS_ENCAP it keeps its encapsulation too. */
struct xfrm_move {
	uint32_t has; /* XFRM_MOVE_HAS_* */
	struct xfrm_addr old_src, old_dst;
	struct xfrm_addr new_src, new_dst;
	uint8_t proto; /* IPPROTO_ESP when 0 */
	uint8_t mode;  /* XFRM_MODE_TRANSPORT or XFRM_MODE_TUNNEL */
	uint32_t reqid;
	struct {
		uint16_t sport, dport; /* UDP ports, normally 4500 */
	} encap;
};

/* xfrm_nl.c: requests, each answered by the kernel before returning. */
struct xfrm_nl;

/* NULL with errno set on failure. */
struct xfrm_nl *xfrm_nl_open(void);
void xfrm_nl_close(struct xfrm_nl *nl);
/* Why the last call failed: the kernel's extended ACK message when it sent
 * one, else a description. Empty after success. */
const char *xfrm_nl_error(const struct xfrm_nl *nl);

/* An unused SPI in [min, max] for an inbound SA from sa->src to sa->dst
 * (proto, mode, reqid, mark, if_id and acq_seq are used too). The kernel
 * holds a larval SA under it until xfrm_sa_update() completes it. */
int xfrm_spi_alloc(struct xfrm_nl *nl, const struct xfrm_sa *sa, uint32_t min,
		   uint32_t max, uint32_t *spi);
/* NEWSA; -EEXIST if it exists. */
int xfrm_sa_add(struct xfrm_nl *nl, const struct xfrm_sa *sa);
/* UPDSA: completes an SA whose SPI came from xfrm_spi_alloc(). */
int xfrm_sa_update(struct xfrm_nl *nl, const struct xfrm_sa *sa);
/* The SA is found by dst, spi, proto and mark. */
int xfrm_sa_del(struct xfrm_nl *nl, const struct xfrm_sa *sa);
int xfrm_sa_get(struct xfrm_nl *nl, const struct xfrm_sa *sa,
		struct xfrm_sa_stats *out);

/* GETSA, keeping the algorithms and keys the kernel returns to
 * CAP_NET_ADMIN; -ENOENT without such an SA. The reply buffer is wiped. */
int xfrm_sa_get_keys(struct xfrm_nl *nl, const struct xfrm_sa *sa,
		     struct xfrm_sa_keys *out);
void xfrm_sa_keys_clear(struct xfrm_sa_keys *k);

/* NEWPOLICY; -EEXIST if one with that selector, dir, mark and if_id
 * exists. */
int xfrm_policy_add(struct xfrm_nl *nl, const struct xfrm_policy *p);
/* UPDPOLICY: adds or replaces. */
int xfrm_policy_update(struct xfrm_nl *nl, const struct xfrm_policy *p);
/* The policy is found by sel, dir, mark and if_id. */
int xfrm_policy_del(struct xfrm_nl *nl, const struct xfrm_policy *p);
int xfrm_policy_get(struct xfrm_nl *nl, const struct xfrm_policy *p,
		    struct xfrm_policy *out);
/* MIGRATE (CONFIG_XFRM_MIGRATE): the policy found by sel, dir and if_id
 * (the kernel's migration ignores marks) gets m applied to its matching
 * template, and the SA m names, if there still is one at the old
 * addresses, is replaced by a copy at the new ones, keys and sequence
 * numbers kept; the keys never leave the kernel. -ENOENT without such a
 * policy, -ENODATA when no template of it matches m. */
int xfrm_policy_migrate(struct xfrm_nl *nl, const struct xfrm_policy *p,
			const struct xfrm_move *m);

/*
 * The SPD's hash thresholds, per network namespace (NEWSPDINFO): a policy
 * whose source and destination prefixes are at least lbits and rbits long
 * is hashed by its addresses; the kernel keeps the others in "inexact"
 * structures, where adding one costs time in proportion to those already
 * there (subnet policies: bench/README.md). The kernel's defaults are
 * /32 and /128, so only host policies are hashed. A family whose two
 * values are 0 is left as it is by xfrm_spd_hthresh_set().
 */
struct xfrm_spd_hthresh {
	uint8_t lbits4, rbits4; /* 0..32 */
	uint8_t lbits6, rbits6; /* 0..128 */
};

int xfrm_spd_hthresh_set(struct xfrm_nl *nl, const struct xfrm_spd_hthresh *t);
int xfrm_spd_hthresh_get(struct xfrm_nl *nl, struct xfrm_spd_hthresh *out);

/* xfrm_event.c: the kernel's multicast events. */
enum xfrm_event_type {
	XFRM_EVENT_EXPIRE = 1, /* an SA reached a soft or hard limit */
	XFRM_EVENT_ACQUIRE,    /* a policy needs an SA that does not exist */
	XFRM_EVENT_MAPPING,    /* a NAT-T peer's address or port changed */
	XFRM_EVENT_LOST,       /* events were dropped (ENOBUFS): resync */
};

struct xfrm_event {
	enum xfrm_event_type type;
	union {
		struct {
			/* No keys; usable as is with xfrm_sa_del(). */
			struct xfrm_sa sa;
			bool hard;
		} expire;
		struct {
			/* The SA's outer addresses. */
			struct xfrm_addr src, dst;
			/* The packet that triggered it. */
			struct xfrm_sel sel;
			uint8_t proto;
			uint32_t reqid; /* from the template for proto */
			uint32_t seq;   /* for xfrm_sa.acq_seq */
			struct xfrm_policy policy;
		} acquire;
		struct {
			struct xfrm_addr dst;
			uint32_t spi;
			uint8_t proto;
			uint32_t reqid;
			struct xfrm_addr old_src, new_src;
			uint16_t old_sport, new_sport;
		} mapping;
	};
};

struct xfrm_events;

/* A non-blocking socket subscribed to EXPIRE, ACQUIRE and MAPPING; NULL
 * with errno set on failure. */
struct xfrm_events *xfrm_events_open(void);
void xfrm_events_close(struct xfrm_events *ev);
/* For the caller's event loop: readable when events wait. */
int xfrm_events_fd(const struct xfrm_events *ev);
/* Reads what is waiting (up to a batch, so a flood cannot starve the
 * caller's loop; the fd then stays readable), calling cb once per event;
 * returns how many events were delivered or -errno. Messages it does not
 * know are skipped. */
int xfrm_events_read(struct xfrm_events *ev,
		     void (*cb)(const struct xfrm_event *e, void *arg),
		     void *arg);

/* xfrm_alg.c: where IKE meets XFRM. Kernel names and lengths for ESP with
 * IKEv2 ENCR id encr (key_bits from the Key Length attribute, 0 when the
 * cipher has one size) and INTEG id integ (IKEV2_INTEG_NONE with an AEAD).
 * The key lengths are what to take from KEYMAT (RFC 7296 2.17), salt or
 * nonce included. -ENOTSUP for an unknown id or size, -EINVAL for AEAD
 * with integrity or a plain cipher without. */
int xfrm_alg_for_ike(uint16_t encr, uint16_t key_bits, uint16_t integ,
		     struct xfrm_algs *out);

#endif
