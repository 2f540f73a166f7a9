/* SPDX-License-Identifier: ISC */
/*
 * The host's timers on the engine's clock (ike_timer_add, ike_timer_cancel):
 * a binary min-heap by deadline, ties in the order the timers were added,
 * over a table of slots that each know their heap position, so adding,
 * cancelling and firing cost O(log n). A handle is the slot and a
 * generation (bumped whenever the slot is freed), so a stale handle, of a
 * timer that fired or was cancelled, never cancels the slot's next timer.
 *
 * Callbacks run from ike_tick() and may call back into the engine, add and
 * cancel timers: nothing here holds a pointer across a callback. A timer
 * added by a callback for a deadline already reached fires at the next
 * tick, not in the running one, so a callback re-arming itself at "now"
 * cannot hold ike_tick() for ever (ike_tick returns a deadline of now then).
 */
#include <stdlib.h>

#include "ike_int.h"

struct htimer {
	uint64_t deadline;
	uint64_t seq; /* order of adding: ties fire first-added first */
	void (*cb)(void *arg, uint64_t now);
	void *arg;
	uint32_t gen;
	uint32_t heap_idx; /* FREE: not in the heap (slot free) */
	uint32_t next_free;
};

#define FREE      UINT32_MAX
#define MAX_SLOTS (1u << 24)

struct host_timers {
	struct htimer *slot;
	uint32_t n_slot, cap_slot;
	uint32_t free_head; /* FREE: none */
	uint32_t *heap;     /* slot numbers */
	uint32_t heap_len;
	uint64_t seq;
};

static bool
before(const struct host_timers *t, uint32_t a, uint32_t b)
{
	const struct htimer *x = &t->slot[a], *y = &t->slot[b];

	return x->deadline < y->deadline ||
	       (x->deadline == y->deadline && x->seq < y->seq);
}

static void
put(struct host_timers *t, uint32_t i, uint32_t s)
{
	t->heap[i] = s;
	t->slot[s].heap_idx = i;
}

static void
up(struct host_timers *t, uint32_t i)
{
	uint32_t s = t->heap[i];

	while (i > 0) {
		uint32_t parent = (i - 1) / 2;

		if (!before(t, s, t->heap[parent]))
			break;
		put(t, i, t->heap[parent]);
		i = parent;
	}
	put(t, i, s);
}

static void
down(struct host_timers *t, uint32_t i)
{
	uint32_t s = t->heap[i];

	for (;;) {
		uint32_t l = 2 * i + 1, r = l + 1, min = l;

		if (l >= t->heap_len)
			break;
		if (r < t->heap_len && before(t, t->heap[r], t->heap[l]))
			min = r;
		if (!before(t, t->heap[min], s))
			break;
		put(t, i, t->heap[min]);
		i = min;
	}
	put(t, i, s);
}

/* Take slot s out of the heap and free it. */
static void
release(struct host_timers *t, uint32_t s)
{
	uint32_t i = t->slot[s].heap_idx, last;

	last = t->heap[--t->heap_len];
	if (last != s) {
		put(t, i, last);
		if (i > 0 && before(t, last, t->heap[(i - 1) / 2]))
			up(t, i);
		else
			down(t, i);
	}
	t->slot[s].heap_idx = FREE;
	t->slot[s].cb = NULL;
	t->slot[s].gen++;
	if (!t->slot[s].gen)
		t->slot[s].gen = 1; /* a handle is never 0 */
	t->slot[s].next_free = t->free_head;
	t->free_head = s;
}

static int
grow(struct host_timers *t)
{
	uint32_t cap = t->cap_slot ? t->cap_slot * 2 : 16;
	struct htimer *slot;
	uint32_t *heap;

	if (cap > MAX_SLOTS)
		return -1;
	slot = realloc(t->slot, cap * sizeof(*slot));
	if (!slot)
		return -1;
	t->slot = slot;
	heap = realloc(t->heap, cap * sizeof(*heap));
	if (!heap)
		return -1;
	t->heap = heap;
	t->cap_slot = cap;
	return 0;
}

uint64_t
ike_timer_add(struct ike_engine *e, uint64_t deadline,
	      void (*cb)(void *arg, uint64_t now), void *arg)
{
	struct host_timers *t = e->htimers;
	uint32_t s;

	if (!cb)
		return 0;
	if (!t) {
		t = e->htimers = calloc(1, sizeof(*t));
		if (!t)
			return 0;
		t->free_head = FREE;
	}
	if (t->free_head != FREE) {
		s = t->free_head;
		t->free_head = t->slot[s].next_free;
	} else {
		if (t->n_slot == t->cap_slot && grow(t) < 0)
			return 0;
		s = t->n_slot++;
		t->slot[s].gen = 1;
	}
	t->slot[s].deadline = deadline;
	t->slot[s].seq = t->seq++;
	t->slot[s].cb = cb;
	t->slot[s].arg = arg;
	put(t, t->heap_len++, s);
	up(t, t->heap_len - 1);
	return (uint64_t)t->slot[s].gen << 32 | (s + 1);
}

void
ike_timer_cancel(struct ike_engine *e, uint64_t handle)
{
	struct host_timers *t = e->htimers;
	uint64_t s = (handle & 0xffffffffu) - 1;

	if (!t || !handle || s >= t->n_slot ||
	    t->slot[s].gen != (uint32_t)(handle >> 32) ||
	    t->slot[s].heap_idx == FREE)
		return;
	release(t, (uint32_t)s);
}

uint64_t
htimer_next(const struct ike_engine *e)
{
	const struct host_timers *t = e->htimers;

	return t && t->heap_len ? t->slot[t->heap[0]].deadline : UINT64_MAX;
}

void
htimer_run(struct ike_engine *e, uint64_t now)
{
	uint64_t first_new;

	if (!e->htimers)
		return;
	first_new = e->htimers->seq;
	for (;;) {
		/* Re-read: a callback may have grown the tables. */
		struct host_timers *t = e->htimers;
		void (*cb)(void *arg, uint64_t now);
		uint32_t s;
		void *arg;

		if (!t->heap_len)
			break;
		s = t->heap[0];
		if (t->slot[s].deadline > now || t->slot[s].seq >= first_new)
			break;
		cb = t->slot[s].cb;
		arg = t->slot[s].arg;
		release(t, s);
		e->now = now;
		cb(arg, now);
	}
}

void
htimer_free(struct ike_engine *e)
{
	if (!e->htimers)
		return;
	free(e->htimers->slot);
	free(e->htimers->heap);
	free(e->htimers);
	e->htimers = NULL;
}
