/* SPDX-License-Identifier: ISC */
/*
 * Children with start_action start, brought up at a pace: at most
 * daemon.start_in_flight of the IKE SAs this starts are connecting at
 * once, and the next one starts as soon as one of them is up, failed or
 * gone. A gateway with hundreds of such connections then has its first
 * tunnels up within a second, instead of sending every IKE_SA_INIT first
 * and computing every key exchange before any IKE_AUTH (each competes
 * for the one CPU the engine has). The pace follows the peers: slow
 * answers mean fewer new negotiations, not more.
 */
#include <stdlib.h>
#include <string.h>

#include "daemon.h"

struct start {
	char conn[IKE_NAME_MAX], child[IKE_NAME_MAX];
};

static struct {
	struct start *q; /* waiting, q[head..len) */
	size_t head, len, cap;
	unsigned *busy; /* IKE SA ids connecting, n_busy of them */
	size_t n_busy, cap_busy;
} st;

void
starts_clear(void)
{
	free(st.q);
	free(st.busy);
	memset(&st, 0, sizeof(st));
}

void
starts_push(const char *conn, const char *child)
{
	struct start *s;

	if (st.head == st.len)
		st.head = st.len = 0;
	if (st.len == st.cap) {
		size_t cap = st.cap ? st.cap * 2 : 64;

		if (st.head > 0) { /* room at the front first */
			memmove(st.q, st.q + st.head,
				(st.len - st.head) * sizeof(*st.q));
			st.len -= st.head;
			st.head = 0;
		} else if (!(s = realloc(st.q, cap * sizeof(*s)))) {
			log_msg(IKE_LOG_ERROR,
				"out of memory: child '%s' of '%s' not started",
				child, conn);
			return;
		} else {
			st.q = s;
			st.cap = cap;
		}
	}
	s = &st.q[st.len++];
	snprintf(s->conn, sizeof(s->conn), "%s", conn);
	snprintf(s->child, sizeof(s->child), "%s", child);
}

static bool
busy_add(unsigned id)
{
	if (st.n_busy == st.cap_busy) {
		size_t cap = st.cap_busy ? st.cap_busy * 2 : 16;
		unsigned *b = realloc(st.busy, cap * sizeof(*b));

		if (!b)
			return false;
		st.busy = b;
		st.cap_busy = cap;
	}
	st.busy[st.n_busy++] = id;
	return true;
}

void
starts_pump(struct daemon *d)
{
	unsigned limit = d->cfg ? d->cfg->daemon.start_in_flight : 0;

	if (d->stopping || !d->engine)
		return;
	while (st.head < st.len && (!limit || st.n_busy < limit)) {
		const struct start *s = &st.q[st.head++];
		unsigned id;

		/* A connection a reload removed meanwhile is simply gone. */
		if (!conns_find(d, s->conn))
			continue;
		id = ike_initiate(d->engine, daemon_now(), s->conn, s->child);
		if (id && limit && !busy_add(id))
			log_msg(IKE_LOG_WARN, "out of memory: starts unpaced");
	}
	if (st.head == st.len)
		st.head = st.len = 0;
}

/* The IKE SA is no longer connecting (up, failed, or freed): its place
 * goes to the next waiting child. */
void
starts_done(struct daemon *d, unsigned ike_id)
{
	size_t i;

	for (i = 0; i < st.n_busy; i++)
		if (st.busy[i] == ike_id) {
			st.busy[i] = st.busy[--st.n_busy];
			starts_pump(d);
			return;
		}
}

size_t
starts_waiting(void)
{
	return st.len - st.head;
}
