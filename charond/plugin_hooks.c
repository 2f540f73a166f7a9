/* SPDX-License-Identifier: ISC */
/*
 * What plugins register (auth methods, exchange extensions, SA listeners,
 * child filters, per-SA slots, timers) and the engine's hooks of struct
 * ike_env dispatched to them: an auth method by the name the connection's
 * local or remote `auth:` gives, extensions and listeners in registration
 * order, child filters before the kernel sees a CHILD SA. Every table is
 * bounded; each entry remembers the plugin that made it, so a plugin whose
 * init fails takes its hooks with it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"

struct hook {
	const struct charond_plugin *owner;
	const void *h; /* the plugin's const struct */
	void *state;
};

struct hook_table {
	struct hook v[MAX_HOOKS];
	unsigned n;
};

static struct hook_table auths, exts, listeners, filters;
static const struct charond_plugin *current; /* whose init is running */

struct slot {
	const struct charond_plugin *owner; /* NULL: free */
	void (*free_fn)(void *data);
};

static struct slot slots[MAX_SA_SLOTS];

/* Per-SA data, by IKE SA id: a chained hash table whose bucket count
 * (a power of two) doubles whenever it holds more entries than buckets,
 * so that a lookup stays O(1) at 100,000 SAs; plugins look their data up
 * on every message of every SA. IKE SA ids are handed out in sequence,
 * so the low bits spread them evenly. */
#define SA_BUCKETS_MIN 256

struct sa_data {
	unsigned ike_id;
	void *v[MAX_SA_SLOTS];
	struct sa_data *next;
};

static struct sa_data **sa_table; /* NULL until the first entry */
static unsigned sa_buckets;
static size_t sa_count;

/* Pending timers: freed when they fire or are cancelled. */
struct ptimer {
	uint64_t handle;
	const struct charond_plugin *owner;
	void (*cb)(void *arg, uint64_t now);
	void *arg;
	struct ptimer *prev, *next;
};

static struct ptimer *timers;
static size_t n_timers;

/* Pending plugin timers, all plugins together: a few per SA is the use
 * (keepalives, DPD), so this is room for many thousands of SAs. */
#define MAX_TIMERS 65536

/* --- registration --------------------------------------------------------- */

void
hooks_begin(const struct charond_plugin *owner)
{
	current = owner;
}

static int
add(struct hook_table *t, const void *h, void *state)
{
	if (!h || t->n >= MAX_HOOKS)
		return -1;
	t->v[t->n].owner = current;
	t->v[t->n].h = h;
	t->v[t->n].state = state;
	t->n++;
	return 0;
}

static void
drop(struct hook_table *t, const struct charond_plugin *owner)
{
	unsigned i = 0, j;

	for (j = 0; j < t->n; j++)
		if (t->v[j].owner != owner)
			t->v[i++] = t->v[j];
	t->n = i;
}

static void
sa_free_slot(struct sa_data *s, int slot)
{
	void *p = s->v[slot];

	s->v[slot] = NULL;
	if (p && slots[slot].free_fn)
		slots[slot].free_fn(p);
}

static void
timer_unlink(struct ptimer *t)
{
	n_timers--;
	if (t->prev)
		t->prev->next = t->next;
	else
		timers = t->next;
	if (t->next)
		t->next->prev = t->prev;
}

void
hooks_drop(const struct charond_plugin *owner)
{
	struct ptimer *t, *next;
	unsigned b;
	int i;

	drop(&auths, owner);
	drop(&exts, owner);
	drop(&listeners, owner);
	drop(&filters, owner);
	for (i = 0; i < MAX_SA_SLOTS; i++) {
		if (slots[i].owner != owner)
			continue;
		for (b = 0; b < sa_buckets; b++) {
			struct sa_data *s;

			for (s = sa_table[b]; s; s = s->next)
				sa_free_slot(s, i);
		}
		memset(&slots[i], 0, sizeof(slots[i]));
	}
	for (t = timers; t; t = next) {
		next = t->next;
		if (t->owner != owner)
			continue;
		if (daemon_g.engine)
			ike_timer_cancel(daemon_g.engine, t->handle);
		timer_unlink(t);
		free(t);
	}
}

void
hooks_clear(void)
{
	unsigned b;
	int i;

	for (b = 0; b < sa_buckets; b++)
		while (sa_table[b]) {
			struct sa_data *s = sa_table[b];

			sa_table[b] = s->next;
			for (i = 0; i < MAX_SA_SLOTS; i++)
				sa_free_slot(s, i);
			free(s);
		}
	free(sa_table);
	sa_table = NULL;
	sa_buckets = 0;
	sa_count = 0;
	while (timers) {
		struct ptimer *t = timers;

		if (daemon_g.engine)
			ike_timer_cancel(daemon_g.engine, t->handle);
		timer_unlink(t);
		free(t);
	}
	memset(slots, 0, sizeof(slots));
	auths.n = exts.n = listeners.n = filters.n = 0;
}

int
hooks_add_auth(const struct charond_auth_method *m, void *state)
{
	unsigned i;

	if (!m || !m->name || !m->sign || !m->verify)
		return -1;
	for (i = 0; i < auths.n; i++)
		if (strcmp(((const struct charond_auth_method *)auths.v[i].h)
			       ->name,
			   m->name) == 0)
			return -1;
	return add(&auths, m, state);
}

int
hooks_add_extension(const struct charond_exchange_ext *x, void *state)
{
	return add(&exts, x, state);
}

int
hooks_add_listener(const struct charond_sa_listener *l, void *state)
{
	return l && l->event ? add(&listeners, l, state) : -1;
}

int
hooks_add_child_filter(const struct charond_child_filter *f, void *state)
{
	return f && f->filter ? add(&filters, f, state) : -1;
}

/* --- per-SA slots --------------------------------------------------------- */

int
hooks_sa_slot(const char *plugin, void (*free_fn)(void *data))
{
	int i;

	for (i = 0; i < MAX_SA_SLOTS; i++)
		if (!slots[i].owner) {
			/* Outside init (never expected) the slot still needs
			 * an owner to count as taken. */
			slots[i].owner =
			    current ? current : (const void *)&slots[i];
			slots[i].free_fn = free_fn;
			return i;
		}
	log_msg(IKE_LOG_ERROR, "plugin %s: no per-SA slot left (at most %d)",
		plugin ? plugin : "?", MAX_SA_SLOTS);
	return -1;
}

/* Where ike_id's entry is, or would be linked in; NULL with no table. */
static struct sa_data **
sa_find(unsigned ike_id)
{
	struct sa_data **s;

	if (!sa_table)
		return NULL;
	s = &sa_table[ike_id & (sa_buckets - 1)];
	while (*s && (*s)->ike_id != ike_id)
		s = &(*s)->next;
	return s;
}

/* Twice the buckets, every entry moved. Without memory the table stays
 * as it is: slower lookups, the same answers. */
static void
sa_grow(void)
{
	unsigned n = sa_buckets ? 2 * sa_buckets : SA_BUCKETS_MIN, b;
	struct sa_data **t;

	if (n < sa_buckets)
		return;
	t = calloc(n, sizeof(*t));
	if (!t)
		return;
	for (b = 0; b < sa_buckets; b++)
		while (sa_table[b]) {
			struct sa_data *s = sa_table[b];

			sa_table[b] = s->next;
			s->next = t[s->ike_id & (n - 1)];
			t[s->ike_id & (n - 1)] = s;
		}
	free(sa_table);
	sa_table = t;
	sa_buckets = n;
}

void *
hooks_sa_get(int slot, unsigned ike_id)
{
	struct sa_data **sp, *s;

	if (slot < 0 || slot >= MAX_SA_SLOTS)
		return NULL;
	sp = sa_find(ike_id);
	s = sp ? *sp : NULL;
	return s ? s->v[slot] : NULL;
}

/* Buckets in the per-SA table (tests: it grows with the SAs). */
unsigned
hooks_sa_buckets(void)
{
	return sa_buckets;
}

/* Setting replaces (and frees) what the slot held; NULL empties it. */
int
hooks_sa_set(int slot, unsigned ike_id, void *data)
{
	struct sa_data **sp, *s;

	if (slot < 0 || slot >= MAX_SA_SLOTS || !slots[slot].owner ||
	    ike_id == 0)
		return -1;
	sp = sa_find(ike_id);
	s = sp ? *sp : NULL;
	if (!s) {
		if (!data)
			return 0;
		if (sa_count >= sa_buckets) {
			sa_grow();
			sp = sa_find(ike_id);
			if (!sp)
				return -1;
		}
		s = calloc(1, sizeof(*s));
		if (!s)
			return -1;
		s->ike_id = ike_id;
		*sp = s;
		sa_count++;
	}
	if (s->v[slot] != data)
		sa_free_slot(s, slot);
	s->v[slot] = data;
	return 0;
}

/* The IKE SA is gone (down, failed, or replaced by a rekey): its slots
 * are freed. */
static void
sa_gone(unsigned ike_id)
{
	struct sa_data **sp = sa_find(ike_id), *s = sp ? *sp : NULL;
	int i;

	if (!s)
		return;
	*sp = s->next;
	sa_count--;
	for (i = 0; i < MAX_SA_SLOTS; i++)
		sa_free_slot(s, i);
	free(s);
}

/* --- timers and actions --------------------------------------------------- */

uint64_t
hooks_now(void)
{
	return daemon_now();
}

static void
timer_fire(void *arg, uint64_t now)
{
	struct ptimer *t = arg;
	void (*cb)(void *, uint64_t) = t->cb;
	void *cb_arg = t->arg;

	timer_unlink(t);
	free(t);
	cb(cb_arg, now);
}

uint64_t
hooks_timer_add(uint64_t delay_ms, void (*cb)(void *arg, uint64_t now),
		void *arg)
{
	struct daemon *d = &daemon_g;
	struct ptimer *t;

	if (!d->engine || !cb)
		return 0;
	if (n_timers >= MAX_TIMERS) {
		log_msg(IKE_LOG_ERROR, "plugin timers: at most %d pending",
			MAX_TIMERS);
		return 0;
	}
	t = calloc(1, sizeof(*t));
	if (!t)
		return 0;
	t->owner = current;
	t->cb = cb;
	t->arg = arg;
	t->handle =
	    ike_timer_add(d->engine, daemon_now() + delay_ms, timer_fire, t);
	if (!t->handle) {
		free(t);
		return 0;
	}
	t->next = timers;
	if (timers)
		timers->prev = t;
	timers = t;
	n_timers++;
	/* The next deadline may be earlier now. */
	if (d->loop)
		daemon_rearm(d);
	return t->handle;
}

void
hooks_timer_cancel(uint64_t handle)
{
	struct ptimer *t;

	for (t = timers; t; t = t->next)
		if (t->handle == handle) {
			/* At shutdown the engine (and its timers) went
			 * before the plugins' slots are freed. */
			if (daemon_g.engine)
				ike_timer_cancel(daemon_g.engine, handle);
			timer_unlink(t);
			free(t);
			return;
		}
}

int
hooks_sa_action(unsigned ike_id, enum charond_sa_action a, const void *args)
{
	struct daemon *d = &daemon_g;
	const struct charond_sa_move *mv = args;
	uint64_t now = daemon_now();
	int rc = -1;

	if (!d->engine)
		return -1;
	switch (a) {
	case CHAROND_SA_LIVENESS:
		rc = ike_liveness(d->engine, now, ike_id);
		break;
	case CHAROND_SA_DELETE:
		rc = ike_terminate(d->engine, now, ike_id);
		break;
	case CHAROND_SA_REINITIATE:
		rc = ike_reinitiate(d->engine, now, ike_id) ? 0 : -1;
		break;
	case CHAROND_SA_KILL:
		rc = ike_sa_kill(d->engine, now, ike_id, "peer not responding");
		break;
	case CHAROND_SA_MOVE:
		if (mv)
			rc = ike_sa_move(d->engine, now, ike_id, &mv->local,
					 &mv->remote);
		break;
	}
	if (d->loop)
		daemon_rearm(d);
	return rc < 0 ? -1 : 0;
}

int
hooks_sa_query(unsigned ike_id,
	       void (*cb)(void *ctx, const struct ike_sa_info *sa), void *ctx)
{
	if (!daemon_g.engine || !cb)
		return -1;
	return ike_query_sa(daemon_g.engine, ike_id, cb, ctx) ? 0 : -1;
}

static void
endpoints_of(void *ctx, const struct ike_sa_info *sa)
{
	struct ike_endpoint *ep = ctx;

	ep[0] = sa->local;
	ep[1] = sa->remote;
}

int
hooks_send_keepalive(unsigned ike_id)
{
	static const uint8_t keepalive = 0xff; /* RFC 3948 2.3 */
	struct ike_endpoint ep[2];

	if (!daemon_g.engine ||
	    !ike_query_sa(daemon_g.engine, ike_id, endpoints_of, ep))
		return -1;
	net_send_raw(&daemon_g, &ep[0], &ep[1], &keepalive, 1);
	return 0;
}

uint16_t
hooks_port_nat_t(void)
{
	return daemon_g.cfg ? daemon_g.cfg->daemon.port_nat_t : 0;
}

int
hooks_sa_nat(unsigned ike_id, bool local_behind, bool remote_behind)
{
	if (!daemon_g.engine)
		return -1;
	return ike_sa_set_nat(daemon_g.engine, ike_id, local_behind,
			      remote_behind);
}

int
hooks_sa_v1_encap(unsigned ike_id, enum ike_v1_encap how)
{
	if (!daemon_g.engine)
		return -1;
	return ike_sa_set_v1_encap(daemon_g.engine, ike_id, how);
}

/* --- the engine's hooks --------------------------------------------------- */

static const struct hook *
auth_for(const struct daemon *d, const char *conn, bool local)
{
	const struct conn_cfg *c = conn ? conns_find(d, conn) : NULL;
	const char *name;
	unsigned i;

	if (!c)
		return NULL;
	name = local ? c->local.auth : c->remote.auth;
	for (i = 0; i < auths.n; i++)
		if (strcmp(((const struct charond_auth_method *)auths.v[i].h)
			       ->name,
			   name) == 0)
			return &auths.v[i];
	return NULL;
}

#define AUTH(x) ((const struct charond_auth_method *)(x)->h)

int
plugins_auth_sign(void *ctx, const struct ike_auth_req *r, uint8_t *method,
		  uint8_t *out, size_t *len)
{
	const struct hook *h = auth_for(ctx, r->conn, true);

	if (!h) {
		log_msg(IKE_LOG_ERROR,
			"connection '%s': no started plugin provides its "
			"local authentication method",
			r->conn);
		return -1;
	}
	return AUTH(h)->sign(h->state, r, method, out, len);
}

int
plugins_auth_verify(void *ctx, const struct ike_auth_req *r, uint8_t method,
		    struct bytes data, char *why, size_t why_len)
{
	const struct hook *h = auth_for(ctx, r->conn, false);

	if (!h) {
		snprintf(why, why_len,
			 "no started plugin provides the authentication "
			 "method connection '%s' expects of its peer",
			 r->conn);
		return -1;
	}
	return AUTH(h)->verify(h->state, r, method, data, why, why_len);
}

/* Our CERT payloads come from our method, CERTREQs may come from the one
 * we expect of the peer: both are asked, once each. */
int
plugins_auth_payloads(void *ctx, const struct ike_auth_req *r,
		      struct ike_out *out)
{
	const struct hook *l = auth_for(ctx, r->conn, true);
	const struct hook *p = auth_for(ctx, r->conn, false);
	int rc = 0;

	if (l && AUTH(l)->payloads && AUTH(l)->payloads(l->state, r, out) < 0)
		rc = -1;
	if (p && p != l && AUTH(p)->payloads &&
	    AUTH(p)->payloads(p->state, r, out) < 0)
		rc = -1;
	return rc;
}

/* Our ID when the connection names none: our method's, if it has one. */
int
plugins_auth_local_id(void *ctx, const char *conn, uint8_t *type, uint8_t *data,
		      size_t *len)
{
	const struct hook *h = auth_for(ctx, conn, true);

	if (!h || !AUTH(h)->local_id)
		return -1;
	return AUTH(h)->local_id(h->state, conn, type, data, len);
}

int
plugins_auth_id_check(void *ctx, const struct ike_auth_req *r, char *why,
		      size_t why_len)
{
	const struct hook *h = auth_for(ctx, r->conn, false);

	if (!h || !AUTH(h)->id_check)
		return 0; /* the configured remote ID is all there is */
	return AUTH(h)->id_check(h->state, r, why, why_len);
}

void
plugins_ext_build(void *ctx, const struct ike_msg_view *m, struct ike_out *out)
{
	unsigned i;

	for (i = 0; i < exts.n; i++) {
		const struct charond_exchange_ext *x = exts.v[i].h;

		if (x->build)
			x->build(exts.v[i].state, m, out);
	}
}

int
plugins_ext_input(void *ctx, const struct ike_msg_view *m, char *why,
		  size_t why_len)
{
	unsigned i;
	int rc;

	for (i = 0; i < exts.n; i++) {
		const struct charond_exchange_ext *x = exts.v[i].h;

		if (x->input &&
		    (rc = x->input(exts.v[i].state, m, why, why_len)) != 0)
			return rc;
	}
	return 0;
}

void
plugins_event(void *ctx, const struct ike_event *ev)
{
	unsigned i;

	for (i = 0; i < listeners.n; i++) {
		const struct charond_sa_listener *l = listeners.v[i].h;

		l->event(listeners.v[i].state, ev);
	}
}

void
plugins_mapping(unsigned ike_id, const struct ike_endpoint *remote)
{
	unsigned i;

	for (i = 0; i < listeners.n; i++) {
		const struct charond_sa_listener *l = listeners.v[i].h;

		if (l->mapping)
			l->mapping(listeners.v[i].state, ike_id, remote);
	}
}

/* The engine freed the IKE SA, however it ended (down, failed, replaced
 * by a rekey, or half-open and expired without any event): the plugins'
 * data of it goes, after every event about it has been heard. */
void
plugins_sa_freed(void *ctx, unsigned ike_id)
{
	sa_gone(ike_id);
}

/* An install a filter refused never reaches the kernel and so never
 * gets a removal: the filters before it, which may keep state for it
 * (l2tp), hear of the removal now. */
static void
filters_undo_install(const struct ike_child_install *ci,
		     const struct charond_child_view *view, unsigned upto)
{
	struct ike_child_install scratch;
	char why[128];
	unsigned i;

	for (i = 0; i < upto; i++) {
		const struct charond_child_filter *f = filters.v[i].h;

		scratch = *ci;
		(void)f->filter(filters.v[i].state, CHAROND_FILTER_REMOVE, view,
				&scratch, why, sizeof(why));
	}
}

int
plugins_child_filter(enum charond_filter_op op,
		     const struct ike_child_install *ci,
		     struct ike_child_install *out, char *why, size_t why_len)
{
	struct charond_child_view view;
	unsigned i;

	*out = *ci;
	if (filters.n == 0)
		return 0;
	memset(&view, 0, sizeof(view));
	view.size = sizeof(view);
	if (views_child(ci->conn, ci->child, &view) < 0) {
		/* A child of a connection a reload removed: what the
		 * engine knows is all the filters get. */
		view.conn = ci->conn;
		view.name = ci->child;
		view.transport = ci->transport;
		view.start_action = "none";
	}
	for (i = 0; i < filters.n; i++) {
		const struct charond_child_filter *f = filters.v[i].h;

		why[0] = '\0';
		if (f->filter(filters.v[i].state, op, &view, out, why,
			      why_len) < 0) {
			if (!why[0])
				snprintf(why, why_len, "refused by %s",
					 f->name ? f->name : "a filter");
			if (op == CHAROND_FILTER_INSTALL)
				filters_undo_install(ci, &view, i);
			return -1;
		}
	}
	return 0;
}
