/* SPDX-License-Identifier: ISC */
/*
 * The engine's timers: a binary min-heap of IKE SAs by their next deadline
 * (a retransmission, or "now" for an SA waiting to be freed), so a tick
 * and the next-deadline question cost O(log n) and O(1) however many SAs
 * there are. Each SA knows its slot, so a deadline can move or go.
 */
#include <stdlib.h>

#include "ike_int.h"

#define NOT_QUEUED SIZE_MAX

static void
put(struct ike_engine *e, size_t i, struct ike_sa *sa)
{
	e->heap[i] = sa;
	sa->heap_idx = i;
}

static void
up(struct ike_engine *e, size_t i)
{
	struct ike_sa *sa = e->heap[i];

	while (i > 0) {
		size_t parent = (i - 1) / 2;

		if (e->heap[parent]->deadline <= sa->deadline)
			break;
		put(e, i, e->heap[parent]);
		i = parent;
	}
	put(e, i, sa);
}

static void
down(struct ike_engine *e, size_t i)
{
	struct ike_sa *sa = e->heap[i];

	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, min = l;

		if (l >= e->heap_len)
			break;
		if (r < e->heap_len &&
		    e->heap[r]->deadline < e->heap[l]->deadline)
			min = r;
		if (e->heap[min]->deadline >= sa->deadline)
			break;
		put(e, i, e->heap[min]);
		i = min;
	}
	put(e, i, sa);
}

static void
take_out(struct ike_engine *e, struct ike_sa *sa)
{
	size_t i = sa->heap_idx;
	struct ike_sa *last;

	sa->heap_idx = NOT_QUEUED;
	last = e->heap[--e->heap_len];
	if (last == sa)
		return;
	put(e, i, last);
	if (i > 0 && e->heap[(i - 1) / 2]->deadline > last->deadline)
		up(e, i);
	else
		down(e, i);
}

void
timerq_init(struct ike_sa *sa)
{
	sa->heap_idx = NOT_QUEUED;
	sa->deadline = UINT64_MAX;
}

int
timerq_set(struct ike_engine *e, struct ike_sa *sa, uint64_t deadline)
{
	if (sa->heap_idx != NOT_QUEUED)
		take_out(e, sa);
	sa->deadline = deadline;
	if (deadline == UINT64_MAX)
		return 0;
	if (e->heap_len == e->heap_cap) {
		size_t cap = e->heap_cap ? e->heap_cap * 2 : 64;
		struct ike_sa **h = realloc(e->heap, cap * sizeof(*h));

		if (!h)
			return -1;
		e->heap = h;
		e->heap_cap = cap;
	}
	put(e, e->heap_len++, sa);
	up(e, sa->heap_idx);
	return 0;
}

uint64_t
timerq_next(const struct ike_engine *e)
{
	return e->heap_len ? e->heap[0]->deadline : UINT64_MAX;
}

struct ike_sa *
timerq_pop_due(struct ike_engine *e, uint64_t now)
{
	struct ike_sa *sa;

	if (!e->heap_len || e->heap[0]->deadline > now)
		return NULL;
	sa = e->heap[0];
	take_out(e, sa);
	sa->deadline = UINT64_MAX;
	return sa;
}
