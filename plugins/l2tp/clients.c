/* SPDX-License-Identifier: ISC */
#include "clients.h"

#include <stdlib.h>
#include <string.h>

static unsigned
bucket_of(uint32_t reqid)
{
	return (reqid * 2654435761u) >> 22 & (L2TP_BUCKETS - 1);
}

static bool
slot_used(const struct l2tp_clients *t, unsigned s)
{
	return t->used[s / 8] & (1u << (s % 8));
}

static void
slot_set(struct l2tp_clients *t, unsigned s, bool on)
{
	if (on)
		t->used[s / 8] |= (uint8_t)(1u << (s % 8));
	else
		t->used[s / 8] &= (uint8_t) ~(1u << (s % 8));
}

void
l2tp_clients_init(struct l2tp_clients *t)
{
	memset(t, 0, sizeof(*t));
	t->next_slot = 1;
}

void
l2tp_clients_clear(struct l2tp_clients *t)
{
	unsigned i;

	for (i = 0; i < L2TP_BUCKETS; i++) {
		while (t->bucket[i] != NULL) {
			struct l2tp_client *c = t->bucket[i];

			t->bucket[i] = c->next;
			free(c);
		}
	}
	l2tp_clients_init(t);
}

struct l2tp_client *
l2tp_clients_find(const struct l2tp_clients *t, uint32_t reqid)
{
	struct l2tp_client *c;

	for (c = t->bucket[bucket_of(reqid)]; c != NULL; c = c->next)
		if (c->reqid == reqid)
			return c;
	return NULL;
}

/* The next free slot from next_slot on, wrapping; 0 if none. */
static uint16_t
take_slot(struct l2tp_clients *t)
{
	unsigned i, s;

	for (i = 0; i < L2TP_MAX_CLIENTS; i++) {
		s = (t->next_slot - 1u + i) % L2TP_MAX_CLIENTS + 1u;
		if (!slot_used(t, s)) {
			slot_set(t, s, true);
			t->next_slot = (uint16_t)(s % L2TP_MAX_CLIENTS + 1u);
			return (uint16_t)s;
		}
	}
	return 0;
}

struct l2tp_client *
l2tp_clients_get(struct l2tp_clients *t, uint32_t reqid, uint32_t addr,
		 bool *made)
{
	struct l2tp_client *c = l2tp_clients_find(t, reqid);
	unsigned b;

	*made = false;
	if (c != NULL)
		return c;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	c->slot = take_slot(t);
	if (c->slot == 0) {
		free(c);
		return NULL;
	}
	c->reqid = reqid;
	c->addr = addr;
	b = bucket_of(reqid);
	c->next = t->bucket[b];
	t->bucket[b] = c;
	t->n++;
	*made = true;
	return c;
}

int
l2tp_client_add_spi(struct l2tp_client *c, uint32_t spi)
{
	unsigned i;

	for (i = 0; i < c->n_spis; i++)
		if (c->spis[i] == spi)
			return 0;
	if (c->n_spis == L2TP_MAX_SPIS)
		return -1;
	c->spis[c->n_spis++] = spi;
	return 0;
}

unsigned
l2tp_client_del_spi(struct l2tp_client *c, uint32_t spi)
{
	unsigned i;

	for (i = 0; i < c->n_spis; i++) {
		if (c->spis[i] == spi) {
			c->spis[i] = c->spis[--c->n_spis];
			break;
		}
	}
	return c->n_spis;
}

void
l2tp_clients_drop(struct l2tp_clients *t, struct l2tp_client *c)
{
	struct l2tp_client **p = &t->bucket[bucket_of(c->reqid)];

	while (*p != NULL && *p != c)
		p = &(*p)->next;
	if (*p == NULL)
		return;
	*p = c->next;
	slot_set(t, c->slot, false);
	t->n--;
	free(c);
}

int
l2tp_clients_each(const struct l2tp_clients *t,
		  int (*fn)(void *ctx, const struct l2tp_client *c), void *ctx)
{
	const struct l2tp_client *c;
	unsigned i;

	for (i = 0; i < L2TP_BUCKETS; i++)
		for (c = t->bucket[i]; c != NULL; c = c->next)
			if (fn(ctx, c) < 0)
				return -1;
	return 0;
}

/* A walk over every client: only when one comes or goes, never per
 * packet, and at most L2TP_MAX_CLIENTS. */
bool
l2tp_clients_addr_used(const struct l2tp_clients *t, uint32_t addr,
		       const struct l2tp_client * not )
{
	const struct l2tp_client *c;
	unsigned i;

	for (i = 0; i < L2TP_BUCKETS; i++)
		for (c = t->bucket[i]; c != NULL; c = c->next)
			if (c != not &&c->addr == addr)
				return true;
	return false;
}
