/* SPDX-License-Identifier: ISC */
/*
 * The l2tp plugin's table of server-side L2TP clients: one entry per
 * reqid (a CHILD SA and the rekeys that share its policies), each with
 * the slot that names its conntrack zone, policy mark and L2TP port.
 * Pure bookkeeping, no netlink: unit-tested in test/unit/l2tp/.
 */
#ifndef L2TP_CLIENTS_H
#define L2TP_CLIENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Concurrent clients a server keeps apart; a slot is 1..L2TP_MAX_CLIENTS. */
#define L2TP_MAX_CLIENTS 4096u
/* Installed CHILD SAs per reqid: the pair, the rekey's new pair, and
 * IKEv1's retired pairs in their grace time. */
#define L2TP_MAX_SPIS 8u
/* Policy marks and conntrack marks: 0x06a5 (1701) in the upper half,
 * the slot in the lower one. */
#define L2TP_MARK_BASE 0x06a50000u
#define L2TP_MARK_MASK 0xffff0000u
/* The port xl2tpd sees a client's L2TP come from: one per slot, so that
 * clients with the same public address and source port stay apart. */
#define L2TP_PORT_BASE 49152u

struct l2tp_client {
	uint32_t reqid;
	uint16_t slot;
	uint32_t addr; /* its IPv4 address (network order) as we see it */
	unsigned n_spis;
	uint32_t spis[L2TP_MAX_SPIS]; /* inbound SPIs of its CHILD SAs */
	struct l2tp_client *next;     /* in its hash bucket */
};

#define L2TP_BUCKETS 1024u

struct l2tp_clients {
	struct l2tp_client *bucket[L2TP_BUCKETS];
	uint8_t used[L2TP_MAX_CLIENTS / 8 + 1]; /* slots taken, a bit each */
	uint16_t next_slot; /* round robin: a freed slot (and its stale
			       conntrack state) is not reused at once */
	size_t n;
};

static inline uint32_t
l2tp_mark(uint16_t slot)
{
	return L2TP_MARK_BASE | slot;
}

static inline uint16_t
l2tp_port(uint16_t slot)
{
	return (uint16_t)(L2TP_PORT_BASE + slot);
}

void l2tp_clients_init(struct l2tp_clients *t);
/* Frees every entry. */
void l2tp_clients_clear(struct l2tp_clients *t);
struct l2tp_client *l2tp_clients_find(const struct l2tp_clients *t,
				      uint32_t reqid);
/* The entry of reqid, created with a fresh slot if there is none (*made
 * true). NULL when every slot is taken or out of memory. */
struct l2tp_client *l2tp_clients_get(struct l2tp_clients *t, uint32_t reqid,
				     uint32_t addr, bool *made);
/* Records an installed CHILD SA's inbound SPI (once). -1 when the entry
 * holds L2TP_MAX_SPIS already. */
int l2tp_client_add_spi(struct l2tp_client *c, uint32_t spi);
/* Forgets one; returns how many remain. */
unsigned l2tp_client_del_spi(struct l2tp_client *c, uint32_t spi);
/* Unlinks and frees the entry; its slot may be taken again later. */
void l2tp_clients_drop(struct l2tp_clients *t, struct l2tp_client *c);
/* Calls fn for every entry until it returns -1; returns that, or 0. */
int l2tp_clients_each(const struct l2tp_clients *t,
		      int (*fn)(void *ctx, const struct l2tp_client *c),
		      void *ctx);
/* Whether an entry other than `not` has address addr. */
bool l2tp_clients_addr_used(const struct l2tp_clients *t, uint32_t addr,
			    const struct l2tp_client * not );

#endif
