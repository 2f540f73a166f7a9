/* SPDX-License-Identifier: ISC */
/*
 * What the operators of the simulated hosts do, drawn from the seed: bring
 * up IKE SAs from either side, add CHILD SAs, rekey and delete CHILD and
 * IKE SAs, probe liveness, reload the same or changed configs.
 *
 * Without --collisions, rekeys and deletes of a pair's SAs come from one
 * side only (its driver), the one with timed rekeys: then no two
 * exchanges race for the same SA (RFC 7296 2.8.1, 2.25). With it, anyone
 * does anything, and `collide` makes both sides act on one SA at once.
 */
#include <stdlib.h>
#include <string.h>

#include "sim.h"

enum act {
	INITIATE,
	CREATE_CHILD,
	REKEY_CHILD,
	REKEY_IKE,
	DELETE_CHILD,
	DELETE_IKE,
	LIVENESS,
	RELOAD_SAME,
	RELOAD_CHANGED,
	COLLIDE,
	REINITIATE,
	MOVE,
	TIMER_ADD,
	TIMER_CANCEL,
	N_ACTS
};

static const unsigned weight[N_ACTS] = {4, 8, 16, 10, 6, 4, 8,
					3, 3, 12, 3,  4, 6, 2};

static const char *const act_name[N_ACTS] = {
    "initiate",       "create-child", "rekey-child", "rekey-ike",
    "delete-child",   "delete-ike",   "liveness",    "reload-same",
    "reload-changed", "collide",      "reinitiate",  "move",
    "timer-add",      "timer-cancel",
};

/* Rekeying or deleting: racing the peer's own on the same SA. */
static bool
collision_prone(enum act a)
{
	return a == CREATE_CHILD || a == REKEY_CHILD || a == REKEY_IKE ||
	       a == DELETE_CHILD || a == DELETE_IKE || a == REINITIATE;
}

static enum act
draw(struct sim *s)
{
	unsigned total = 0, i;
	uint64_t x;

	for (i = 0; i < N_ACTS; i++)
		total += i == COLLIDE && !s->collisions ? 0 : weight[i];
	x = rng_below(&s->scen_rng, total);
	for (i = 0; i < N_ACTS; i++) {
		unsigned w = i == COLLIDE && !s->collisions ? 0 : weight[i];

		if (x < w)
			break;
		x -= w;
	}
	return (enum act)i;
}

/* A random established IKE SA of h with peer, NULL if none. */
static const struct sa_view *
pick_sa(struct sim *s, const struct sa_list *l, unsigned peer)
{
	size_t i, n = 0, k;

	for (i = 0; i < l->n; i++)
		n += l->v[i].established && l->v[i].peer == (int)peer;
	if (!n)
		return NULL;
	k = rng_below(&s->scen_rng, n);
	for (i = 0; i < l->n; i++)
		if (l->v[i].established && l->v[i].peer == (int)peer && !k--)
			return &l->v[i];
	return NULL;
}

static const struct child_view *
pick_child(struct sim *s, const struct sa_view *v)
{
	unsigned i, n = 0, k;

	for (i = 0; i < v->n_children; i++)
		n += v->ch[i].installed;
	if (!n)
		return NULL;
	k = (unsigned)rng_below(&s->scen_rng, n);
	for (i = 0; i < v->n_children; i++)
		if (v->ch[i].installed && !k--)
			return &v->ch[i];
	return NULL;
}

static bool
has_conn(const struct host *h, const char *name)
{
	size_t i;

	for (i = 0; i < h->n_conns; i++)
		if (strcmp(h->conns[i].name, name) == 0)
			return true;
	return false;
}

static size_t
count_with(const struct sa_list *l, unsigned peer)
{
	size_t i, n = 0;

	for (i = 0; i < l->n; i++)
		n += l->v[i].peer == (int)peer;
	return n;
}

/* The SA ike_initiate adds a child to: the first established one. */
static const struct sa_view *
newest(const struct sa_list *l, unsigned peer)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->v[i].established && l->v[i].peer == (int)peer)
			return &l->v[i];
	return NULL;
}

/* The same SA at the peer, found by its SPIs. */
static const struct sa_view *
mirror(const struct sa_list *l, const struct sa_view *v)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (memcmp(l->v[i].spi_i, v->spi_i, 8) == 0 &&
		    memcmp(l->v[i].spi_r, v->spi_r, 8) == 0)
			return &l->v[i];
	return NULL;
}

static unsigned
child_at_peer(const struct sa_view *pv, const struct child_view *c)
{
	unsigned i;

	for (i = 0; i < pv->n_children; i++)
		if (pv->ch[i].spi_in == c->spi_out)
			return pv->ch[i].id;
	return 0;
}

/* Both ends of one SA act on it at the same instant. */
static void
collide(struct sim *s, struct host *a, struct host *b, const struct sa_list *la,
	const struct sa_list *lb)
{
	const struct sa_view *va = pick_sa(s, la, b->idx), *vb;
	const struct child_view *c;
	unsigned how = (unsigned)rng_below(&s->scen_rng, 7), cb;
	uint64_t t = s->now;

	if (!va || !(vb = mirror(lb, va)))
		return;
	c = pick_child(s, va);
	cb = c ? child_at_peer(vb, c) : 0;
	if (s->verbose)
		sim_log(s, "scenario: collide %u on %s #%u / %s #%u", how,
			a->name, va->id, b->name, vb->id);
	switch (how) {
	case 0:
		ike_rekey(a->e, t, va->id);
		ike_rekey(b->e, t, vb->id);
		/* And a NAT moves one side while it is being settled. */
		if (rng_chance(&s->scen_rng, 500))
			htimer_add(rng_chance(&s->scen_rng, 500) ? a : b,
				   t + rng_below(&s->scen_rng, 400), HT_MOVE);
		break;
	case 1:
		if (c && cb) {
			ike_rekey_child(a->e, t, va->id, c->id);
			ike_rekey_child(b->e, t, vb->id, cb);
		}
		break;
	case 2:
		if (c && cb) {
			ike_terminate_child(a->e, t, va->id, c->id);
			ike_terminate_child(b->e, t, vb->id, cb);
		}
		break;
	case 3:
		ike_terminate(a->e, t, va->id);
		ike_terminate(b->e, t, vb->id);
		break;
	case 4:
		if (c && cb) {
			ike_rekey_child(a->e, t, va->id, c->id);
			ike_terminate_child(b->e, t, vb->id, cb);
		}
		break;
	case 5:
		ike_rekey(a->e, t, va->id);
		ike_terminate(b->e, t, vb->id);
		break;
	default:
		ike_rekey(a->e, t, va->id);
		if (c && cb)
			ike_rekey_child(b->e, t, vb->id, cb);
		break;
	}
}

/* h's peer's pair for child c (its inbound SPI c's outbound), under any
 * of the peer's ISAKMP SAs with h; the SA's id in *sa. */
static const struct child_view *
peer_pair(const struct sa_list *lp, unsigned h, const struct child_view *c,
	  unsigned *sa)
{
	size_t i;
	unsigned j;

	for (i = 0; i < lp->n; i++)
		for (j = 0; lp->v[i].peer == (int)h && j < lp->v[i].n_children;
		     j++)
			if (lp->v[i].ch[j].installed &&
			    lp->v[i].ch[j].spi_in == c->spi_out) {
				*sa = lp->v[i].id;
				return &lp->v[i].ch[j];
			}
	return NULL;
}

/* IKEv1: both ends rekey one pair at the same instant (crossed phase 2
 * rekeys). Nothing in IKEv1 settles such a race: each Quick Mode makes
 * a pair of its own, both replace the old one, which goes after its
 * grace; both must end up mirrored on both sides. */
static int
cross_rekey(struct sim *s, struct host *a, const struct sa_view *va,
	    const struct child_view *c, struct host *b,
	    const struct sa_list *lb)
{
	const struct child_view *pc;
	unsigned vb = 0;
	int ra, rb;

	if (!va || !c || !(pc = peer_pair(lb, a->idx, c, &vb)))
		return -1;
	if (s->verbose)
		sim_log(s, "scenario: crossed rekey of %s #%u/%u and %s #%u/%u",
			a->name, va->id, c->id, b->name, vb, pc->id);
	ra = ike_rekey_child(a->e, s->now, va->id, c->id);
	rb = ike_rekey_child(b->e, s->now, vb, pc->id);
	s->st.v1_crossed += ra == 0 && rb == 0;
	return ra == 0 && rb == 0 ? 0 : -1;
}

/* ike_reinitiate: a new SA (another id), the old one gone or DELETING
 * at once, and gone by the end of the run (check_reinit). */
static int
reinitiate(struct sim *s, struct host *h, const struct sa_list *l,
	   unsigned peer)
{
	size_t i, n = 0, k;
	unsigned old = 0, id;

	/* Any SA with the peer, established or not. */
	for (i = 0; i < l->n; i++)
		n += l->v[i].peer == (int)peer;
	if (!n)
		return -1;
	k = rng_below(&s->scen_rng, n);
	for (i = 0; i < l->n; i++)
		if (l->v[i].peer == (int)peer && !k--)
			old = l->v[i].id;
	id = host_reinitiate(h, old);
	return id ? 0 : -1;
}

/* ike_sa_move of one of h's SAs with peer to other addresses of both
 * (sometimes back to the first), sometimes the peer's side too; and of
 * an SA that is not there. */
static int
move(struct sim *s, struct host *h, const struct sa_list *l, unsigned peer,
     const struct sa_list *lp)
{
	struct ike_endpoint local, remote;
	unsigned a = (unsigned)rng_below(&s->scen_rng, SIM_ALIASES);
	unsigned b = (unsigned)rng_below(&s->scen_rng, SIM_ALIASES);
	size_t i, n = 0, k;
	const struct sa_view *v = NULL, *pv;

	/* IKEv1 has no NAT-T yet (IKEV1.md): nothing moves its SAs. */
	if (s->v1[h->idx][peer])
		return -1;
	host_endpoint(&local, h->idx, a);
	host_endpoint(&remote, peer, b);
	if (rng_chance(&s->scen_rng, 50)) {
		if (ike_sa_move(h->e, s->now, 999999, &local, &remote) == 0)
			sim_fail(s, "%s: ike_sa_move of no SA succeeded",
				 h->name);
		return 0;
	}
	for (i = 0; i < l->n; i++)
		n += l->v[i].peer == (int)peer;
	if (!n)
		return -1;
	k = rng_below(&s->scen_rng, n);
	for (i = 0; i < l->n; i++)
		if (l->v[i].peer == (int)peer && !k--)
			v = &l->v[i];
	if (s->verbose)
		sim_log(s, "scenario: move %s #%u to aliases %u - %u", h->name,
			v->id, a, b);
	if (ike_sa_move(h->e, s->now, v->id, &local, &remote) < 0)
		sim_fail(s, "%s: ike_sa_move of IKE SA #%u failed", h->name,
			 v->id);
	if (rng_chance(&s->scen_rng, 500) && (pv = mirror(lp, v)) &&
	    ike_sa_move(s->h[peer].e, s->now, pv->id, &remote, &local) < 0)
		sim_fail(s, "h%u: ike_sa_move of IKE SA #%u failed", peer,
			 pv->id);
	return 0;
}

/* A few host timers due soon, or already (the past, now), each doing a
 * job. */
static void
timer_add(struct sim *s, struct host *h)
{
	unsigned n = 1 + (unsigned)rng_below(&s->scen_rng, 4);

	while (n--) {
		uint64_t d = s->now;
		unsigned how = (unsigned)rng_below(&s->scen_rng, 8);

		if (how == 0 && d > 100)
			d -= rng_below(&s->scen_rng, 100);
		else if (how > 1)
			d += rng_below(&s->scen_rng, 30000);
		htimer_add(h, d,
			   (enum htimer_job)rng_below(&s->scen_rng, HT_N_JOBS));
	}
}

/* Every pair comes up at the start, from a side of the seed's choosing,
 * sometimes from both (two IKE SAs, which both sides must then agree on). */
void
scenario_start(struct sim *s)
{
	unsigned a, b;
	char name[32];

	for (a = 0; a < s->n_hosts; a++)
		for (b = a + 1; b < s->n_hosts; b++) {
			unsigned both, first;

			if (!s->pair[a][b])
				continue;
			both = rng_chance(&s->scen_rng, 150);
			first = rng_chance(&s->scen_rng, 500) ? a : b;
			ike_initiate(s->h[first].e, s->now,
				     host_conn_name(first == a ? b : a, name,
						    sizeof(name)),
				     NULL);
			if (both)
				ike_initiate(
				    s->h[first == a ? b : a].e, s->now,
				    host_conn_name(first, name, sizeof(name)),
				    NULL);
		}
}

void
scenario_act(struct sim *s)
{
	enum act what = draw(s);
	unsigned hi = (unsigned)rng_below(&s->scen_rng, s->n_hosts), peer, n;
	struct sa_list *l = NULL, *lp = NULL;
	const struct sa_view *v;
	const struct child_view *c;
	struct host *h;
	char name[32];
	int rc = 0;

	/* A peer of hi's. */
	for (n = 0, peer = 0; peer < s->n_hosts; peer++)
		n += s->pair[hi][peer];
	n = (unsigned)rng_below(&s->scen_rng, n);
	for (peer = 0; peer < s->n_hosts; peer++)
		if (s->pair[hi][peer] && !n--)
			break;
	if (peer == s->n_hosts)
		return;
	if (!s->collisions && collision_prone(what) &&
	    s->driver[hi][peer] != hi) {
		/* The pair's driver (the peer) does it instead. */
		unsigned d = s->driver[hi][peer];

		peer = hi;
		hi = d;
	}
	h = &s->h[hi];
	host_conn_name(peer, name, sizeof(name));
	l = malloc(sizeof(*l));
	lp = malloc(sizeof(*lp));
	if (!l || !lp)
		goto out;
	sa_views(h, l);
	sa_views(&s->h[peer], lp);
	v = pick_sa(s, l, peer);
	c = v ? pick_child(s, v) : NULL;
	s->st.actions++;
	if (s->verbose)
		sim_log(s, "scenario: %s %s -> h%u%s", act_name[what], h->name,
			peer, v ? "" : " (no SA)");
	switch (what) {
	case INITIATE:
		/* Bounded: the views have room for so many. */
		if (count_with(l, peer) < 4 && has_conn(h, name))
			rc = ike_initiate(h->e, s->now, name, NULL) ? 0 : -1;
		break;
	case CREATE_CHILD:
		/* ike_initiate puts it on the newest established SA: keep
		 * that SA's children within what ike_list_sas shows. */
		if (v && has_conn(h, name) && newest(l, peer)->n_children < 5)
			rc = ike_initiate(h->e, s->now, name,
					  rng_chance(&s->scen_rng, 500) ? "net2"
									: "net")
				 ? 0
				 : -1;
		break;
	case REKEY_CHILD:
		/* A third of an IKEv1 pair's are crossed. */
		if (s->v1[hi][peer] && rng_chance(&s->scen_rng, 333))
			rc = cross_rekey(s, h, v, c, &s->h[peer], lp);
		else if (c)
			rc = ike_rekey_child(h->e, s->now, v->id, c->id);
		break;
	case REKEY_IKE:
		if (v)
			rc = ike_rekey(h->e, s->now, v->id);
		break;
	case DELETE_CHILD:
		if (c)
			rc = ike_terminate_child(h->e, s->now, v->id, c->id);
		break;
	case DELETE_IKE:
		if (v)
			rc = ike_terminate(h->e, s->now, v->id);
		break;
	case LIVENESS:
		if (v)
			rc = ike_liveness(h->e, s->now, v->id);
		break;
	case RELOAD_SAME:
		rc = host_load(h, h->variant);
		break;
	case RELOAD_CHANGED:
		rc = host_load(h, (unsigned)rng_below(&s->scen_rng, 5));
		break;
	case COLLIDE:
		collide(s, h, &s->h[peer], l, lp);
		break;
	case REINITIATE:
		rc = reinitiate(s, h, l, peer);
		break;
	case MOVE:
		rc = move(s, h, l, peer, lp);
		break;
	case TIMER_ADD:
		timer_add(s, h);
		break;
	case TIMER_CANCEL:
		for (n = 1 + (unsigned)rng_below(&s->scen_rng, 3); n; n--)
			htimer_cancel_random(h);
		break;
	default:
		break;
	}
	/* Refusals are fine (an exchange under way, window one). */
	if (rc < 0)
		s->st.skipped++;
out:
	free(l);
	free(lp);
}
