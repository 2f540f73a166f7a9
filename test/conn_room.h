/* SPDX-License-Identifier: ISC */
/*
 * Tests build a struct ike_conn_cfg in place, filling its children,
 * proposals and selectors by index as they did when those arrays were part
 * of the struct. conn_room() points the arrays (and each child's) at zeroed
 * room for as many as a test uses, taken from a small ring of static
 * buffers: a config stays valid until CONN_ROOM_RING more have been made,
 * which is plenty, since the engine copies what it is given. Call it after
 * clearing the struct.
 */
#ifndef TEST_CONN_ROOM_H
#define TEST_CONN_ROOM_H

#include <string.h>

#include "ike.h"

#define CONN_ROOM_RING 16

struct conn_room {
	struct ike_child_cfg children[IKE_MAX_CHILDREN];
	struct proposal props[IKE_MAX_CONN_PROPOSALS];
	struct proposal child_props[IKE_MAX_CHILDREN][IKE_MAX_CONN_PROPOSALS];
	struct ike_ts_cfg ts[IKE_MAX_CHILDREN][2][IKE_MAX_CFG_TS];
};

/* A child's own room (a test that copies one child over another gives
 * the copy its room back with this). */
static inline void
conn_room_child(struct ike_conn_cfg *c, unsigned i)
{
	struct conn_room *r = (struct conn_room *)(void *)c->children;

	c->children[i].proposals = r->child_props[i];
	c->children[i].local_ts = r->ts[i][0];
	c->children[i].remote_ts = r->ts[i][1];
}

/* Room of the caller's (a test that keeps its configs for long). */
static inline void
conn_room_at(struct ike_conn_cfg *c, struct conn_room *r)
{
	unsigned i;

	memset(r, 0, sizeof(*r));
	c->proposals = r->props;
	c->children = r->children;
	for (i = 0; i < IKE_MAX_CHILDREN; i++)
		conn_room_child(c, i);
}

static inline void
conn_room(struct ike_conn_cfg *c)
{
	static struct conn_room ring[CONN_ROOM_RING];
	static unsigned next;

	conn_room_at(c, &ring[next++ % CONN_ROOM_RING]);
}

/* *dst = *src with room of its own, so changing one leaves the other. */
static inline void
conn_room_copy(struct ike_conn_cfg *dst, const struct ike_conn_cfg *src)
{
	unsigned i;

	*dst = *src;
	conn_room(dst);
	memcpy(dst->proposals, src->proposals,
	       src->n_proposals * sizeof(*src->proposals));
	for (i = 0; i < src->n_children; i++) {
		const struct ike_child_cfg *f = &src->children[i];
		struct ike_child_cfg *t = &dst->children[i];

		*t = *f;
		conn_room_child(dst, i);
		memcpy(t->proposals, f->proposals,
		       f->n_proposals * sizeof(*f->proposals));
		memcpy(t->local_ts, f->local_ts,
		       f->n_local_ts * sizeof(*f->local_ts));
		memcpy(t->remote_ts, f->remote_ts,
		       f->n_remote_ts * sizeof(*f->remote_ts));
	}
}

#endif
