/* SPDX-License-Identifier: ISC */
/*
 * What the host's plugins may do to an IKE SA beyond the entry points of
 * engine.c: start it over (ike_reinitiate, dpd's restart action) and move
 * it to new endpoints (ike_sa_move, natt when a NAT mapping changed).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "ike_int.h"

/*
 * A new IKE SA for the connection: the first child the old SA had rides in
 * IKE_AUTH (sa->want_child), the others follow one CREATE_CHILD_SA at a
 * time once it is up (sa->more_children, actions_next_child). An old SA
 * without children gets what ike_initiate() would start. A live old SA is
 * then deleted as ike_terminate() does, whether or not a new one could be
 * started: the host asked for it to go. An old SA that just died (the
 * host asks from its IKE_DOWN or FAILED event, dpd's restart: it stays
 * findable until the next tick frees it) has no children left to look
 * at: sa_kill noted which it had.
 */
unsigned
ike_reinitiate(struct ike_engine *e, uint64_t now, unsigned ike_id)
{
	struct ike_sa *old = sa_by_id(e, ike_id), *sa;
	const struct child_sa *c;
	char conn[IKE_NAME_MAX];
	unsigned want = 0, more = 0, id;
	bool dead;

	e->now = now;
	if (!old || (old->state == IKE_SA_DEAD && old->rekeyed))
		return 0;
	dead = old->state == IKE_SA_DEAD || old->dying;
	if (dead)
		more = old->had_children;
	for (c = old->children; c; c = c->next)
		if ((c->installed || c->creating) && c->cfg < IKE_MAX_CHILDREN)
			more |= 1u << c->cfg;
	/* Still connecting: the child it was started for. */
	if (!more && old->initiator && old->want_child)
		more = 1u << (old->want_child - 1);
	/* The first of the connection's children rides in IKE_AUTH. */
	for (want = 0; more && !(more & (1u << want)); want++)
		;
	if (more) {
		more &= ~(1u << want);
		want++;
	}
	snprintf(conn, sizeof(conn), "%s", ike_conn(e, old)->name);
	ike_log(e, old, IKE_LOG_INFO, "re-initiating connection '%s'", conn);
	id = ike_initiate(e, now, conn, NULL);
	sa = id ? sa_by_id(e, id) : NULL;
	if (sa && want) {
		sa->want_child = want;
		sa->more_children = more;
	}
	if (!dead)
		ike_terminate(e, now, ike_id);
	return id;
}

/*
 * The host found the peer dead (dpd's timeout ran out while its liveness
 * check was unanswered): the SA and its CHILD SAs go at once, without a
 * DELETE that nobody would answer, with the events of any SA that died
 * (IKE_DOWN, or FAILED while it was connecting) carrying reason.
 */
int
ike_sa_kill(struct ike_engine *e, uint64_t now, unsigned ike_id,
	    const char *reason)
{
	struct ike_sa *sa = sa_by_id(e, ike_id);

	e->now = now;
	if (!sa || sa->state == IKE_SA_DEAD || sa->dying)
		return -1;
	ike_log(e, sa, IKE_LOG_INFO, "dropping the IKE SA: %s", reason);
	sa_kill(e, sa, reason);
	return 0;
}

/* The next child ike_reinitiate left for after IKE_AUTH, on an idle
 * established SA (ike_tick; sa_schedule wakes the SA for it). */
void
actions_next_child(struct ike_engine *e, struct ike_sa *sa, uint64_t now)
{
	unsigned i;

	if (!sa->more_children || sa->req.msg ||
	    sa->state != IKE_SA_ESTABLISHED)
		return;
	for (i = 0; !(sa->more_children & (1u << i)); i++)
		;
	sa->more_children &= ~(1u << i);
	if (i >= ike_conn(e, sa)->n_children ||
	    sa_version(sa)->create_child(e, sa, now, i) < 0)
		ike_log(e, sa, IKE_LOG_WARN,
			"could not start CHILD SA #%u of the connection again",
			i);
}

static void
endpoint_text(const struct ike_endpoint *ep, char *buf, size_t len)
{
	char addr[INET6_ADDRSTRLEN] = "?";
	unsigned port = 0;

	if (ep->ss.ss_family == AF_INET) {
		const struct sockaddr_in *a = (const void *)&ep->ss;

		inet_ntop(AF_INET, &a->sin_addr, addr, sizeof(addr));
		port = ntohs(a->sin_port);
		snprintf(buf, len, "%s:%u", addr, port);
	} else if (ep->ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const void *)&ep->ss;

		inet_ntop(AF_INET6, &a->sin6_addr, addr, sizeof(addr));
		port = ntohs(a->sin6_port);
		snprintf(buf, len, "[%s]:%u", addr, port);
	} else {
		snprintf(buf, len, "?");
	}
}

/* One SA to new endpoints, its installed CHILD SAs with it. */
static int
move_one(struct ike_engine *e, struct ike_sa *sa,
	 const struct ike_endpoint *local, const struct ike_endpoint *remote)
{
	char from[2][80], to[2][80];
	struct child_sa *c;
	int rc = 0;

	endpoint_text(&sa->local, from[0], sizeof(from[0]));
	endpoint_text(&sa->remote, from[1], sizeof(from[1]));
	endpoint_text(local, to[0], sizeof(to[0]));
	endpoint_text(remote, to[1], sizeof(to[1]));
	for (c = sa->children; c; c = c->next) {
		struct ike_child_install was, is;

		if (!c->installed)
			continue;
		child_describe(e, sa, c, &was);
		is = was;
		is.local = *local;
		is.remote = *remote;
		if (!e->env.child_move ||
		    e->env.child_move(e->env.ctx, &was, &is) < 0) {
			ike_log(e, sa, IKE_LOG_WARN,
				"could not move CHILD SA '%s' (SPI %08x)",
				was.child, c->spi_in);
			rc = -1;
		}
	}
	sa->local = *local;
	sa->remote = *remote;
	ike_log(e, sa, IKE_LOG_INFO, "moved from %s - %s to %s - %s", from[0],
		from[1], to[0], to[1]);
	return rc;
}

/*
 * Later messages go between the new endpoints, and every installed CHILD
 * SA is moved in the kernel by the host (env.child_move) with its keys and
 * replay state: removing and installing it again would restart its
 * outbound sequence numbers, which the peer's replay window (its SA did
 * not change) would refuse, and would need the ESP keys, which the engine
 * does not keep once they are installed.
 *
 * In a simultaneous IKE SA rekey (2.8.2) the old SA and the one the
 * peer's rekey made are one SA in two halves until it settles: the CHILD
 * SAs wait on the peer's, and whichever survives takes them, with its
 * endpoints (a new SA of ours copies the old one's). Both move together,
 * or the CHILD SAs would end up under an SA at other endpoints than the
 * kernel has them at.
 */
int
ike_sa_move(struct ike_engine *e, uint64_t now, unsigned ike_id,
	    const struct ike_endpoint *local, const struct ike_endpoint *remote)
{
	struct ike_sa *sa = sa_by_id(e, ike_id), *twin = NULL;
	int rc;

	e->now = now;
	if (!sa || sa->state == IKE_SA_DEAD || !local || !remote)
		return -1;
	/* The link as v2_rekey_announce checks it: both ways. */
	if (sa->version == 2 && sa->v2.rk.peer_new &&
	    (twin = sa_by_id(e, sa->v2.rk.peer_new)) &&
	    (twin->version != 2 || twin->v2.collided != sa->id))
		twin = NULL;
	if (!twin && sa->version == 2 && sa->v2.collided &&
	    (twin = sa_by_id(e, sa->v2.collided)) &&
	    (twin->version != 2 || twin->v2.rk.peer_new != sa->id))
		twin = NULL;
	rc = move_one(e, sa, local, remote);
	if (twin && twin != sa && twin->state != IKE_SA_DEAD &&
	    move_one(e, twin, local, remote) < 0)
		rc = -1;
	return rc;
}

int
ike_sa_set_nat(struct ike_engine *e, unsigned ike_id, bool local, bool remote)
{
	struct ike_sa *sa = sa_by_id(e, ike_id);

	if (!sa)
		return -1;
	sa->nat_local = local;
	sa->nat_remote = remote;
	return 0;
}

int
ike_sa_set_v1_encap(struct ike_engine *e, unsigned ike_id,
		    enum ike_v1_encap how)
{
	struct ike_sa *sa = sa_by_id(e, ike_id);

	if (!sa || sa->version != 1 || how > IKE_V1_ENCAP_DRAFT)
		return -1;
	sa->v1.encap = (uint8_t)how;
	return 0;
}
