/* SPDX-License-Identifier: ISC */
/*
 * Replacing an ISAKMP SA before its lifetime ends (RFC 2409 has no rekey
 * of phase 1: a new phase 1 takes its place). The IPsec SAs do not depend
 * on the ISAKMP SA that made them, so they are kept, handed over to the
 * new one with their kernel state untouched:
 *
 * - The original initiator starts a new Main (or Aggressive) Mode at the
 *   connection's rekey time, at the latest at 9/10 of the lifetime. Once
 *   it is established the children move to it, IKE_REKEYED is reported,
 *   and the old SA is deleted with an ISAKMP DELETE alone (no IPsec SA
 *   is named: they live on).
 * - The other side hands them over as soon as the new SA with the same
 *   peer (connection, identity and address) is up, as strongSwan does
 *   when it reauthenticates: the peer rekeys them on the new SA from then
 *   on. The old SA goes when the peer deletes it or its lifetime ends.
 * - Without a successor, the lifetime's end closes the SA and its
 *   children with a line, as before.
 */
#include <netinet/in.h>
#include <string.h>

#include "ike_int.h"

/* Move the established CHILD SAs of from to to: their kernel state stays
 * as it is (it names no ISAKMP SA). */
static unsigned
hand_over(struct ike_engine *e, struct ike_sa *from, struct ike_sa *to)
{
	struct child_sa **pp = &from->children, **tail = &to->children, *c;
	unsigned n = 0;

	while (*tail)
		tail = &(*tail)->next;
	while ((c = *pp)) {
		if (c->creating) { /* its Quick Mode runs on from */
			pp = &c->next;
			continue;
		}
		*pp = c->next;
		c->next = NULL;
		c->id = ++to->next_child_id;
		c->adopted = true;
		/* Its rekey was under way on from, and goes with it: it
		 * starts again on to. */
		if (c->installed && !c->superseded && !c->rekey_at)
			c->rekey_at = e->now;
		*tail = c;
		tail = &c->next;
		n++;
	}
	return n;
}

static bool
same_host(const struct ike_endpoint *a, const struct ike_endpoint *b)
{
	if (a->ss.ss_family != b->ss.ss_family)
		return false;
	if (a->ss.ss_family == AF_INET)
		return memcmp(&((const struct sockaddr_in *)&a->ss)->sin_addr,
			      &((const struct sockaddr_in *)&b->ss)->sin_addr,
			      4) == 0;
	return memcmp(&((const struct sockaddr_in6 *)&a->ss)->sin6_addr,
		      &((const struct sockaddr_in6 *)&b->ss)->sin6_addr,
		      16) == 0;
}

static bool
same_peer(const struct ike_sa *a, const struct ike_sa *b)
{
	return strcmp(a->conn->cfg.name, b->conn->cfg.name) == 0 &&
	       a->peer_id.type == b->peer_id.type &&
	       a->peer_id.data.len == b->peer_id.data.len &&
	       memcmp(a->peer_id.data.ptr, b->peer_id.data.ptr,
		      a->peer_id.data.len) == 0 &&
	       same_host(&a->remote, &b->remote);
}

/* Another established ISAKMP SA with sa's peer, the newest. A walk of
 * all SAs: it runs once per phase 1 (and when an SA with children ends),
 * not per packet; an index by peer address would make it O(1). */
static struct ike_sa *
same_peer_sa(struct ike_engine *e, const struct ike_sa *sa)
{
	struct ike_sa *s;

	/* Not one already replaced (pairs never go back to it), nor one of
	 * ours still renewing the pairs of another (both sides replacing at
	 * once: each keeps its own). */
	for (s = e->sas; s; s = s->next)
		if (s != sa && s->version == 1 &&
		    s->state == IKE_SA_ESTABLISHED && !s->dying &&
		    !s->rekeyed && !s->v1.replaces && same_peer(s, sa))
			return s;
	return NULL;
}

static void
take_over(struct ike_engine *e, struct ike_sa *old, struct ike_sa *new)
{
	unsigned n = hand_over(e, old, new);

	/* Taken over before (the peer's new phase 1 came up while a Quick
	 * Mode still ran on old), and now old goes: what is left moves too,
	 * but the replacement was reported, and old ends only once. */
	if (old->rekeyed) {
		if (n)
			ike_log(e, new, IKE_LOG_INFO,
				"%u more CHILD SA(s) of #%u kept under it", n,
				old->id);
		sa_schedule(e, new);
		return;
	}
	ike_log(e, new, IKE_LOG_INFO,
		"ISAKMP SA replaces #%u; %u CHILD SA(s) kept under it", old->id,
		n);
	/* Once per old SA: pairs a Quick Mode finished on it after the
	 * first handover follow later without another report. */
	if (!old->rekeyed) {
		old->rekeyed = true;
		ike_emit_rekeyed(e, new, NULL, old->id);
	}
	sa_schedule(e, new);
}

int
v1_rekey_start(struct ike_engine *e, struct ike_sa *sa, uint64_t now)
{
	struct ike_sa *n;

	if (sa->v1.successor && (n = sa_by_id(e, sa->v1.successor)) &&
	    n->state != IKE_SA_DEAD)
		return 0;
	/* Replaced already (the peer's new phase 1 took its pairs): it only
	 * waits for its end. */
	if (sa->rekeyed)
		return 0;
	n = sa_new(e, sa->conn, true, 1);
	if (!n)
		return -1;
	n->local = sa->local;
	n->remote = sa->remote;
	n->attempt = 1;
	n->v1.replaces = sa->id;
	sa_set_our_spi(e, n);
	sa->v1.successor = n->id;
	ike_log(e, sa, IKE_LOG_INFO,
		"ISAKMP SA lifetime of %u s nearly over: establishing #%u to "
		"replace it",
		sa->v1.life_s, n->id);
	if (v1_version.initiate(e, n, now) < 0) {
		sa_kill(e, n, "could not start phase 1");
		return -1;
	}
	return 0;
}

void
v1_rekey_continue(struct ike_engine *e, struct ike_sa *sa, uint64_t now)
{
	struct ike_sa *old =
	    sa->v1.replaces ? sa_by_id(e, sa->v1.replaces) : NULL;
	struct child_sa *c;
	unsigned n = 0;

	if (!old || old->state != IKE_SA_ESTABLISHED || old->dying ||
	    sa->state != IKE_SA_ESTABLISHED || sa->req.msg)
		return;
	for (c = old->children; c; c = c->next) {
		if (!c->installed || c->superseded || c->creating)
			continue;
		if (v1_quick_renew(e, sa, now, old, c) == 0)
			return;
		c->superseded = true; /* it goes with old */
	}
	for (c = sa->children; c; c = c->next)
		n += c->installed && c->replaces_sa == old->id;
	ike_log(e, sa, IKE_LOG_INFO,
		"ISAKMP SA replaces #%u; %u CHILD SA(s) renewed under it",
		old->id, n);
	for (c = sa->children; c; c = c->next)
		c->replaces_sa = 0;
	if (!old->rekeyed) {
		old->rekeyed = true;
		ike_emit_rekeyed(e, sa, NULL, old->id);
	}
	sa->v1.replaces = 0;
	/* Its pairs' DELETEs, then its own: a peer such as strongSwan ends
	 * an ISAKMP SA's IPsec SAs with it, so they were renewed first. */
	v1_info_delete_ike(e, old, now);
}

void
v1_rekey_established(struct ike_engine *e, struct ike_sa *sa)
{
	struct ike_sa *old;

	if (sa->v1.replaces) {
		v1_rekey_continue(e, sa, e->now);
		return;
	}
	/* The peer's new phase 1 while an older one is up: its
	 * reauthentication, unless INITIAL-CONTACT ended the older one. */
	old = same_peer_sa(e, sa);
	if (old && old->children && !old->v1.successor) {
		take_over(e, old, sa);
		old->v1.successor = sa->id;
	}
}

bool
v1_rekey_adopt(struct ike_engine *e, struct ike_sa *old)
{
	struct ike_sa *new;

	new = old->v1.successor ? sa_by_id(e, old->v1.successor) : NULL;
	if (new && (new->state != IKE_SA_ESTABLISHED || new->dying))
		new = NULL;
	if (!new && old->children)
		new = same_peer_sa(e, old);
	if (!new)
		return false;
	if (old->children)
		take_over(e, old, new);
	return true;
}

/* The pair of sa's peer whose outbound SPI is spi: under sa, or under
 * another ISAKMP SA with the same peer, since each side hands pairs to
 * a new phase 1 on its own (a lost message 6 leaves them under the new
 * SA on one side and the old on the other). Its SA goes to *owner. */
struct child_sa *
v1_child_by_spi_out(struct ike_engine *e, struct ike_sa *sa, uint32_t spi,
		    struct ike_sa **owner)
{
	struct child_sa *c = child_by_spi_out(sa, spi);
	struct ike_sa *s;

	*owner = sa;
	if (c)
		return c;
	for (s = e->sas; s; s = s->next)
		if (s != sa && s->version == 1 &&
		    s->state == IKE_SA_ESTABLISHED && !s->dying &&
		    same_peer(s, sa) && (c = child_by_spi_out(s, spi))) {
			*owner = s;
			return c;
		}
	return NULL;
}
