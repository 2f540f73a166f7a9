/* SPDX-License-Identifier: ISC */
/*
 * The simulated network: datagrams wait in a queue ordered by delivery
 * time (then by order of sending), and while faults are on each may be
 * lost, duplicated, delayed or overtaken. What hosts send is remembered
 * for the adversary to replay and rework.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

static int
enqueue(struct sim *s, unsigned from, unsigned to, const uint8_t *pkt,
	size_t len, uint64_t delay, bool injected)
{
	struct net *n = &s->net;
	struct dgram *d;

	if (n->n == n->cap) {
		size_t cap = n->cap ? 2 * n->cap : 64;
		struct dgram *q = realloc(n->q, cap * sizeof(*q));

		if (!q)
			return -1;
		n->q = q;
		n->cap = cap;
	}
	d = &n->q[n->n];
	d->data = malloc(len ? len : 1);
	if (!d->data)
		return -1;
	memcpy(d->data, pkt, len);
	d->len = len;
	d->at = s->now + delay;
	d->seq = n->seq++;
	d->from = from;
	d->to = to;
	d->injected = injected;
	n->n++;
	return 0;
}

static void
remember(struct net *n, unsigned from, unsigned to, const uint8_t *pkt,
	 size_t len)
{
	struct dgram *d = &n->hist[n->hist_at];
	uint8_t *copy = malloc(len ? len : 1);

	if (!copy)
		return;
	free(d->data);
	memcpy(copy, pkt, len);
	d->data = copy;
	d->len = len;
	d->from = from;
	d->to = to;
	n->hist_at = (n->hist_at + 1) % SIM_HISTORY;
	if (n->n_hist < SIM_HISTORY)
		n->n_hist++;
}

void
net_send(struct host *from, const struct ike_endpoint *remote,
	 const uint8_t *pkt, size_t len)
{
	struct sim *s = from->sim;
	int to = host_peer_of(s, remote);
	uint64_t delay = 1;
	unsigned copies = 1, i;

	s->st.sent++;
	if (to < 0) {
		sim_fail(s, "%s sent %zu bytes to an address no host has",
			 from->name, len);
		return;
	}
	remember(&s->net, from->idx, (unsigned)to, pkt, len);
	if (s->faults) {
		if (rng_chance(&s->net_rng, s->loss)) {
			s->st.lost++;
			/* The major version, octet 17 (RFC 2408 3.1). */
			if (len > 17 && pkt[17] >> 4 == 1)
				s->v1_upset[from->idx][to]++;
			if (s->verbose)
				sim_log(s, "net: %s -> h%d %zu bytes lost",
					from->name, to, len);
			return;
		}
		if (rng_chance(&s->net_rng, s->dup)) {
			s->st.duplicated++;
			copies = 2;
		}
	}
	for (i = 0; i < copies; i++) {
		if (s->faults) {
			delay = 1 + rng_below(&s->net_rng, s->max_delay);
			/* Held up long enough for later ones to overtake. */
			if (rng_chance(&s->net_rng, s->reorder))
				delay += rng_below(&s->net_rng, 3000);
		}
		if (enqueue(s, from->idx, (unsigned)to, pkt, len, delay,
			    false) < 0)
			sim_fail(s, "out of memory");
	}
}

void
net_inject(struct sim *s, unsigned from, unsigned to, const uint8_t *pkt,
	   size_t len, uint64_t delay)
{
	s->st.injected++;
	if (enqueue(s, from, to, pkt, len, delay, true) < 0)
		sim_fail(s, "out of memory");
}

static size_t
first(const struct net *n)
{
	size_t i, best = 0;

	for (i = 1; i < n->n; i++)
		if (n->q[i].at < n->q[best].at ||
		    (n->q[i].at == n->q[best].at &&
		     n->q[i].seq < n->q[best].seq))
			best = i;
	return best;
}

uint64_t
net_next(const struct sim *s)
{
	return s->net.n ? s->net.q[first(&s->net)].at : UINT64_MAX;
}

static void
digest(struct sim *s, const struct dgram *d)
{
	uint64_t h = s->digest ^ d->at ^ (uint64_t)d->to << 56;
	size_t i;

	/* FNV-1a over what arrives, when and where. */
	for (i = 0; i < d->len; i++)
		h = (h ^ d->data[i]) * 0x100000001b3ULL;
	s->digest = h;
}

static bool
is_v1(const struct dgram *d)
{
	/* The major version, octet 17 (RFC 2408 3.1). */
	return d->len > 17 && d->data[17] >> 4 == 1;
}

/* An IKEv1 datagram d overtakes one its sender sent the same host
 * before, still on its way. */
static bool
overtakes(const struct net *n, const struct dgram *d)
{
	size_t i;

	if (!is_v1(d))
		return false;
	for (i = 0; i < n->n; i++)
		if (!n->q[i].injected && n->q[i].from == d->from &&
		    n->q[i].to == d->to && n->q[i].seq < d->seq &&
		    is_v1(&n->q[i]))
			return true;
	return false;
}

bool
net_deliver_one(struct sim *s)
{
	struct net *n = &s->net;
	struct dgram d;
	struct host *to, *from;
	size_t i;

	if (!n->n)
		return false;
	i = first(n);
	if (n->q[i].at > s->now)
		return false;
	/* Taken out first: the engine may send (and grow the queue). */
	d = n->q[i];
	n->q[i] = n->q[--n->n];
	if (!d.injected && overtakes(n, &d))
		s->v1_upset[d.from][d.to]++;
	to = &s->h[d.to];
	from = &s->h[d.from];
	digest(s, &d);
	s->st.delivered++;
	if (s->verbose && d.len >= 28)
		sim_log(s,
			"net: %s -> %s %zu bytes%s exch %u flags %02x "
			"msgid %u",
			from->name, to->name, d.len,
			d.injected ? " INJECTED" : "", d.data[18], d.data[19],
			(unsigned)d.data[20] << 24 | d.data[21] << 16 |
			    d.data[22] << 8 | d.data[23]);
	else if (s->verbose)
		sim_log(s, "net: %s -> %s %zu bytes%s", from->name, to->name,
			d.len, d.injected ? " INJECTED" : "");
	ike_input(to->e, s->now, &to->addr, &from->addr, d.data, d.len);
	free(d.data);
	return true;
}

void
net_free(struct net *n)
{
	size_t i;

	for (i = 0; i < n->n; i++)
		free(n->q[i].data);
	for (i = 0; i < SIM_HISTORY; i++)
		free(n->hist[i].data);
	free(n->q);
	memset(n, 0, sizeof(*n));
}
