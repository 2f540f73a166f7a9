/* SPDX-License-Identifier: ISC */
/*
 * IKE and CHILD SA objects: creation, lookup and teardown. IKE SAs are found
 * in O(1) by our own SPI (every message after IKE_SA_INIT carries it) and,
 * while half-open, by the peer's SPI and address (a retransmitted
 * IKE_SA_INIT request must find the SA it created, RFC 7296 2.1).
 */
#include <stdlib.h>
#include <string.h>

#include "ike_int.h"

static size_t
spi_hash(const uint8_t *spi, size_t buckets)
{
	uint64_t h = 0;
	int i;

	/* Our SPIs are random; the peer's need not be, so mix anyway. */
	for (i = 0; i < IKEV2_SPI_LEN; i++)
		h = (h ^ spi[i]) * 0x100000001b3ULL;
	return (size_t)(h ^ (h >> 29)) & (buckets - 1);
}

const uint8_t *
sa_our_spi(const struct ike_sa *sa)
{
	return sa->initiator ? sa->spi_i : sa->spi_r;
}

static const uint8_t *
peer_spi(const struct ike_sa *sa)
{
	return sa->initiator ? sa->spi_r : sa->spi_i;
}

static void
hash_unlink(struct ike_sa **bucket, struct ike_sa *sa, bool ours)
{
	struct ike_sa **pp;

	for (pp = bucket; *pp;
	     pp = ours ? &(*pp)->hnext_ours : &(*pp)->hnext_peer) {
		if (*pp == sa) {
			*pp = ours ? sa->hnext_ours : sa->hnext_peer;
			return;
		}
	}
}

static size_t
id_hash(unsigned id, size_t buckets)
{
	return (size_t)(id * 0x9e3779b1u) & (buckets - 1);
}

static int
grow(struct ike_engine *e)
{
	size_t n = e->n_buckets ? e->n_buckets * 2 : IKE_SA_BUCKETS;
	struct ike_sa **ours = calloc(n, sizeof(*ours));
	struct ike_sa **peer = calloc(n, sizeof(*peer));
	struct ike_sa **ids = calloc(n, sizeof(*ids));
	struct ike_sa *sa;

	if (!ours || !peer || !ids) {
		free(ours);
		free(peer);
		free(ids);
		return -1;
	}
	free(e->by_ours);
	free(e->by_peer);
	free(e->by_id);
	e->by_ours = ours;
	e->by_peer = peer;
	e->by_id = ids;
	e->n_buckets = n;
	for (sa = e->sas; sa; sa = sa->next) {
		size_t h = id_hash(sa->id, n);

		sa->hnext_id = ids[h];
		ids[h] = sa;
		h = spi_hash(sa_our_spi(sa), n);

		sa->hnext_ours = ours[h];
		ours[h] = sa;
		sa->hnext_peer = NULL;
		if (!sa->initiator) {
			h = spi_hash(peer_spi(sa), n);
			sa->hnext_peer = peer[h];
			peer[h] = sa;
		}
	}
	return 0;
}

void
conn_unref(struct conn *c)
{
	if (c && --c->refs == 0)
		conn_free(c);
}

/* Move an SA to another connection (a better fit for the peer's ID). */
void
sa_set_conn(struct ike_sa *sa, struct conn *conn)
{
	conn->refs++;
	conn_unref(sa->conn);
	sa->conn = conn;
}

struct ike_sa *
sa_new(struct ike_engine *e, struct conn *conn, bool initiator, uint8_t version)
{
	struct ike_sa *sa;

	if (e->n_sas + 1 > e->n_buckets && grow(e) < 0)
		return NULL;
	sa = calloc(1, sizeof(*sa));
	if (!sa)
		return NULL;
	sa->id = ++e->next_sa_id;
	sa->hnext_id = e->by_id[id_hash(sa->id, e->n_buckets)];
	e->by_id[id_hash(sa->id, e->n_buckets)] = sa;
	timerq_init(sa);
	sa->conn = conn;
	conn->refs++;
	sa->initiator = initiator;
	sa->version = version;
	sa->next = e->sas;
	if (e->sas)
		e->sas->prev = sa;
	e->sas = sa;
	e->n_sas++;
	return sa;
}

/* Index an SA by our SPI (and, as responder, by the peer's). */
void
sa_index_ours(struct ike_engine *e, struct ike_sa *sa)
{
	size_t h = spi_hash(sa_our_spi(sa), e->n_buckets);

	sa->hnext_ours = e->by_ours[h];
	e->by_ours[h] = sa;
	if (!sa->initiator) {
		h = spi_hash(sa->spi_i, e->n_buckets);
		sa->hnext_peer = e->by_peer[h];
		e->by_peer[h] = sa;
	}
}

/* Pick a random SPI of ours that no other SA uses, and index it. */
void
sa_set_our_spi(struct ike_engine *e, struct ike_sa *sa)
{
	uint8_t *spi = sa->initiator ? sa->spi_i : sa->spi_r;

	do {
		ike_random(e, spi, IKEV2_SPI_LEN);
	} while (sa_by_ours(e, spi) || spi8_zero(spi));
	sa_index_ours(e, sa);
}

struct ike_sa *
sa_by_ours(const struct ike_engine *e, const uint8_t *spi)
{
	struct ike_sa *sa;

	if (!e->n_buckets)
		return NULL;
	for (sa = e->by_ours[spi_hash(spi, e->n_buckets)]; sa;
	     sa = sa->hnext_ours)
		if (memcmp(sa_our_spi(sa), spi, IKEV2_SPI_LEN) == 0)
			return sa;
	return NULL;
}

static bool
same_endpoint(const struct ike_endpoint *a, const struct ike_endpoint *b)
{
	return memcmp(&a->ss, &b->ss, sizeof(a->ss)) == 0;
}

struct ike_sa *
sa_by_peer(const struct ike_engine *e, const uint8_t *spi,
	   const struct ike_endpoint *remote)
{
	struct ike_sa *sa;

	if (!e->n_buckets)
		return NULL;
	for (sa = e->by_peer[spi_hash(spi, e->n_buckets)]; sa;
	     sa = sa->hnext_peer)
		if (memcmp(sa->spi_i, spi, IKEV2_SPI_LEN) == 0 &&
		    same_endpoint(&sa->remote, remote))
			return sa;
	return NULL;
}

struct ike_sa *
sa_by_id(const struct ike_engine *e, unsigned id)
{
	struct ike_sa *sa;

	if (!e->n_buckets)
		return NULL;
	for (sa = e->by_id[id_hash(id, e->n_buckets)]; sa; sa = sa->hnext_id)
		if (sa->id == id)
			return sa;
	return NULL;
}

struct child_sa *
child_new(struct ike_sa *sa, unsigned cfg)
{
	struct child_sa *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->id = ++sa->next_child_id;
	c->cfg = cfg;
	c->next = sa->children;
	sa->children = c;
	return c;
}

/* The CHILD SA whose outbound SPI is spi: the one the peer names in a
 * Delete or REKEY_SA notify (its inbound SPI, RFC 7296 1.4.1, 2.8). */
struct child_sa *
child_by_spi_out(const struct ike_sa *sa, uint32_t spi)
{
	struct child_sa *c;

	for (c = sa->children; c; c = c->next)
		if (c->spi_out == spi)
			return c;
	return NULL;
}

/* The CHILD SA our CREATE_CHILD_SA request in flight creates, or NULL. */
struct child_sa *
child_creating(const struct ike_sa *sa)
{
	struct child_sa *c;

	for (c = sa->children; c; c = c->next)
		if (c->creating)
			return c;
	return NULL;
}

/* Take a CHILD SA off its IKE SA's list (the caller frees it). */
void
child_unlink(struct ike_sa *sa, struct child_sa *c)
{
	struct child_sa **pp;

	for (pp = &sa->children; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			return;
		}
}

void
child_free(struct child_sa *c)
{
	if (!c)
		return;
	free(c->local_ts);
	free(c->remote_ts);
	secret_free(c->ni);
	dh_free(c->dh);
	free(c);
}

void
child_remove_all(struct ike_engine *e, struct ike_sa *sa)
{
	struct child_sa *c;

	while ((c = sa->children)) {
		sa->children = c->next;
		sa_version(sa)->uninstall_child(e, sa, c);
		child_free(c);
	}
}

/* Mark an SA dead: its kernel state goes now, the memory at the next tick
 * (the caller may still be using it). */
void
sa_kill(struct ike_engine *e, struct ike_sa *sa, const char *reason)
{
	const struct child_sa *c;

	if (sa->state == IKE_SA_DEAD || sa->dying)
		return;
	sa->dying = true;
	for (c = sa->children; c; c = c->next)
		if ((c->installed || c->creating) && c->cfg < IKE_MAX_CHILDREN)
			sa->had_children |= 1u << c->cfg;
	/* The version settles what hangs on the SA (IKEv2: one the peer's
	 * colliding rekey replaced, going before our own rekey of it was
	 * answered, has the peer's SA for its successor). */
	sa_version(sa)->going(e, sa);
	/* The CHILD SAs go first, so that their CHILD_DOWN events come
	 * while the IKE SA is still up for whoever listens. */
	child_remove_all(e, sa);
	if (sa->rekeyed)
		; /* its successor carries on */
	else if (sa->refused)
		ike_emit(e, sa, IKE_EV_FAILED, NULL, reason);
	else if (sa->state == IKE_SA_ESTABLISHED ||
		 sa->state == IKE_SA_DELETING)
		ike_emit(e, sa, IKE_EV_IKE_DOWN, NULL, reason);
	else if (sa->initiator)
		ike_emit(e, sa, IKE_EV_FAILED, NULL, reason);
	guard_half_open_del(e, sa);
	sa->state = IKE_SA_DEAD;
	/* Freed at the next tick: the caller may still hold it. */
	timerq_set(e, sa, 0);
}

/* An SA the peer replaced by a rekey: its DELETE is the peer's to send
 * (2.18), and if it never comes the SA goes after delete_wait_ms. */
void
sa_await_delete(struct ike_engine *e, struct ike_sa *sa, uint64_t now)
{
	sa->rekeyed = true;
	sa->state = IKE_SA_DELETING;
	sa->expire_at = now + e->lim.delete_wait_ms;
	sa_schedule(e, sa);
}

static void
v2_state_free(struct v2_state *v)
{
	dh_free(v->dh);
	secret_free(v->ni);
	secret_free(v->nr);
	free((void *)v->cookie.ptr);
	free(v->init_req);
	free(v->init_resp);
	dh_free(v->rk.dh);
	secret_free(v->rk.ni);
	ike_keys_clear(&v->keys);
	if (v->reasm) {
		frag_reasm_clear(&v->reasm->r);
		free(v->reasm);
	}
}

void
sa_free(struct ike_engine *e, struct ike_sa *sa)
{
	struct ike_sa **pp;

	if (!sa)
		return;
	child_remove_all(e, sa);
	if (e->env.sa_freed && !e->freeing)
		e->env.sa_freed(e->env.ctx, sa->id);
	guard_half_open_del(e, sa);
	timerq_set(e, sa, UINT64_MAX);
	if (e->n_buckets) {
		hash_unlink(&e->by_ours[spi_hash(sa_our_spi(sa), e->n_buckets)],
			    sa, true);
		hash_unlink(&e->by_peer[spi_hash(sa->spi_i, e->n_buckets)], sa,
			    false);
		for (pp = &e->by_id[id_hash(sa->id, e->n_buckets)]; *pp;
		     pp = &(*pp)->hnext_id)
			if (*pp == sa) {
				*pp = sa->hnext_id;
				break;
			}
	}
	if (sa->prev)
		sa->prev->next = sa->next;
	else if (e->sas == sa)
		e->sas = sa->next;
	if (sa->next)
		sa->next->prev = sa->prev;
	e->n_sas--;
	if (sa->version == 2)
		v2_state_free(&sa->v2);
	else if (sa->version == 1)
		v1_state_free(&sa->v1);
	free(sa->ike_prop);
	free(sa->own_id);
	free(sa->req.msg);
	free(sa->resp);
	conn_unref(sa->conn);
	free(sa);
}

/* The SK keys protecting our outbound (or the peer's inbound) messages. */
void
sa_keys_for(const struct ike_engine *e, const struct ike_sa *sa, bool outbound,
	    struct sk_keys *k)
{
	bool use_i = sa->initiator == outbound;

	k->rand = e->env.random;
	k->rand_ctx = e->env.ctx;
	k->encr = sa->v2.suite.encr;
	k->integ = sa->v2.suite.integ;
	k->ekey = use_i ? sa->v2.keys.sk_ei : sa->v2.keys.sk_er;
	k->akey = use_i ? sa->v2.keys.sk_ai : sa->v2.keys.sk_ar;
}

/* Arm the SA's timer for its next duty: a retransmission, or a CHILD SA
 * due for rekeying. A rekey counts only when ike_tick can start it (an
 * established SA with no request in flight: the window is one); else an
 * overdue one would have the SA popped and re-armed for ever. Completing
 * the request re-arms the SA (xchg_request_done). */
void
sa_schedule(struct ike_engine *e, struct ike_sa *sa)
{
	uint64_t next = sa->req.msg ? sa->req.deadline : UINT64_MAX;
	bool may_rekey = !sa->req.msg && sa->state == IKE_SA_ESTABLISHED;
	const struct child_sa *c;

	/* Only what ike_tick acts on may wake it, or it spins. */
	if (sa->expire_at && sa->expire_at < next &&
	    sa->state != IKE_SA_ESTABLISHED)
		next = sa->expire_at;
	if (sa->state == IKE_SA_DEAD)
		return;
	/* A rekey waits for the request in flight (window one), whose end
	 * schedules again: an overdue one counted now would have ike_tick
	 * wake the SA over and over, never able to start it. */
	if (may_rekey && sa->rekey_at && sa->rekey_at < next)
		next = sa->rekey_at;
	if (may_rekey && sa->more_children) /* actions_next_child */
		next = 0;
	for (c = sa->children; may_rekey && c; c = c->next)
		if (c->installed && c->rekey_at && c->rekey_at < next)
			next = c->rekey_at;
	if (sa_version(sa)->timers) {
		uint64_t t = sa_version(sa)->timers(e, sa, 0);

		if (t < next)
			next = t;
	}
	timerq_set(e, sa, next);
}

/* The selectors a child ended up with, copied to their exact size. */
int
child_set_ts(struct child_sa *c, const struct pld_ts *local,
	     const struct pld_ts *remote)
{
	struct ts *l = malloc(sizeof(*l) * (local->n ? local->n : 1));
	struct ts *r = malloc(sizeof(*r) * (remote->n ? remote->n : 1));

	if (!l || !r) {
		free(l);
		free(r);
		return -1;
	}
	memcpy(l, local->ts, sizeof(*l) * local->n);
	memcpy(r, remote->ts, sizeof(*r) * remote->n);
	free(c->local_ts);
	free(c->remote_ts);
	c->local_ts = l;
	c->n_local_ts = local->n;
	c->remote_ts = r;
	c->n_remote_ts = remote->n;
	return 0;
}
