/* SPDX-License-Identifier: ISC */
/*
 * The dpd plugin: dead peer detection (RFC 7296 2.4; RFC 3706 for IKEv1).
 * For each IKE SA of a connection with `dpd:`, from the moment it is up
 * (and on through IKE SA rekeys), the peer is asked once `delay` has
 * passed without a word from it: neither an IKE message nor ESP on one of
 * its CHILD SAs (the kernel's last use of their inbound SAs). The engine's
 * liveness op asks in the SA's version (IKEv2: an empty INFORMATIONAL;
 * IKEv1: an R-U-THERE, libike/v1_dpd.c, only to a peer that announced
 * DPD: otherwise it fails, and we look again after delay). The peer is
 * dead when the engine's retransmissions of that check (or of any request)
 * give up, or when `timeout` has passed since the check with nothing
 * heard, whichever comes first; then one line is logged and the action
 * taken: clear (everything goes), restart (a new IKE SA with the children
 * the dead one had; keyingtries apply to it) or trap (the children's trap
 * policies: the next packet for them starts the connection again).
 *
 * One timer per SA, armed for the next moment anything can change
 * (dpd_timing.c), never a poll per packet or per second.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dpd_timing.h"
#include "plugin.h"

#define DPD_DELAY_MS   (30 * 1000ULL)
#define DPD_TIMEOUT_MS (150 * 1000ULL)

enum dpd_action { DPD_CLEAR, DPD_RESTART, DPD_TRAP };

static const char *const actions[] = {"clear", "restart", "trap", NULL};

static const struct charond_config_key keys[] = {
    {CHAROND_SCOPE_CONN, "dpd.delay", CHAROND_T_DURATION, NULL, 0, 0,
     "ask the peer after this long without a word from it (30s)"},
    {CHAROND_SCOPE_CONN, "dpd.timeout", CHAROND_T_DURATION, NULL, 0, 0,
     "dead this long after an unanswered check (150s)"},
    {CHAROND_SCOPE_CONN, "dpd.action", CHAROND_T_ENUM, actions, 0, 0,
     "what to do with a dead peer's SAs: clear, restart or trap"},
    {0, NULL, 0, NULL, 0, 0, NULL},
};

/* What dpd keeps per IKE SA. */
struct dpd_sa {
	unsigned ike_id;
	char conn[IKE_NAME_MAX];
	enum dpd_action action;
	struct dpd_timing t;
	uint64_t since; /* watched from; the floor of "last heard" */
	uint64_t last;  /* last heard, as of the last look */
	uint64_t timer; /* pending timer, 0: none */
	bool dead;      /* declared dead: said once */
	/* Children ever up on it: bit i, the connection's i-th (its view's
	 * order), a byte rather than their names in every SA. */
	uint8_t children;
};

static const struct charond_api *api;
static int slot = -1;

static void
dpd_free(void *data)
{
	struct dpd_sa *s = data;

	if (s->timer)
		api->timer_cancel(s->timer);
	free(s);
}

/* The connection's settings; false without `dpd:`. */
static bool
conn_settings(const char *conn, struct dpd_sa *s)
{
	struct charond_value d = {0}, t = {0}, a = {0};

	api->value(CHAROND_SCOPE_CONN, conn, NULL, "dpd.delay", &d);
	api->value(CHAROND_SCOPE_CONN, conn, NULL, "dpd.timeout", &t);
	api->value(CHAROND_SCOPE_CONN, conn, NULL, "dpd.action", &a);
	if (!d.set && !t.set && !a.set)
		return false;
	s->t.delay = d.set && d.u.ms ? d.u.ms : DPD_DELAY_MS;
	s->t.timeout = t.set && t.u.ms ? t.u.ms : DPD_TIMEOUT_MS;
	s->action = a.set ? (enum dpd_action)a.u.choice : DPD_CLEAR;
	return true;
}

struct look {
	uint64_t last_heard;
	struct ike_endpoint remote;
	bool found;
};

static void
look_cb(void *ctx, const struct ike_sa_info *sa)
{
	struct look *l = ctx;

	l->last_heard = sa->last_heard;
	l->remote = sa->remote;
	l->found = true;
}

/* When the peer was last heard from: IKE or ESP, whichever is later. */
static bool
last_heard(struct dpd_sa *s, uint64_t now, struct look *l)
{
	uint64_t idle, last = s->since;

	memset(l, 0, sizeof(*l));
	if (api->sa_query(s->ike_id, look_cb, l) < 0 || !l->found)
		return false;
	if (l->last_heard > last)
		last = l->last_heard;
	if (api->sa_esp_idle(s->ike_id, &idle) == 0 && idle <= now &&
	    now - idle > last)
		last = now - idle;
	if (last > s->last)
		s->last = last;
	return true;
}

static void tick(void *arg, uint64_t now);

static void
arm(struct dpd_sa *s, uint64_t in_ms)
{
	s->timer = api->timer_add(in_ms, tick, s);
	if (!s->timer)
		api->log(IKE_LOG_ERROR, "dpd",
			 "connection '%s': no timer for IKE SA #%u: its peer "
			 "is no longer watched",
			 s->conn, s->ike_id);
}

static void
tick(void *arg, uint64_t now)
{
	struct dpd_sa *s = arg;
	struct look l;
	uint64_t next = 0;

	s->timer = 0;
	if (s->dead || !last_heard(s, now, &l))
		return;
	switch (dpd_step(&s->t, now, s->last, &next)) {
	case DPD_WAIT:
		break;
	case DPD_ASK:
		/* -1: a request of ours is out, and its answer (or its
		 * retransmissions giving up) says as much as ours would. */
		if (api->sa_action(s->ike_id, CHAROND_SA_LIVENESS, NULL) == 0) {
			s->t.asked = now;
			api->log(IKE_LOG_DEBUG, "dpd",
				 "connection '%s': IKE SA #%u silent for %llu "
				 "ms, asking the peer",
				 s->conn, s->ike_id,
				 (unsigned long long)(now - s->last));
		} else {
			next = s->t.delay;
		}
		break;
	case DPD_DEAD:
		/* Its IKE_DOWN event ("peer not responding") says it and
		 * acts, as when retransmissions give up. */
		api->sa_action(s->ike_id, CHAROND_SA_KILL, NULL);
		return;
	}
	arm(s, next);
}

static void
start(unsigned ike_id, const char *conn, const struct dpd_sa *from)
{
	struct dpd_sa *s = calloc(1, sizeof(*s));

	if (!s)
		return;
	if (!conn_settings(conn, s)) {
		free(s);
		return;
	}
	s->ike_id = ike_id;
	snprintf(s->conn, sizeof(s->conn), "%s", conn);
	s->since = s->last = api->now();
	if (from)
		s->children = from->children;
	if (api->sa_set(slot, ike_id, s) < 0) {
		free(s);
		return;
	}
	api->log(IKE_LOG_DEBUG, "dpd",
		 "connection '%s': watching IKE SA #%u, delay %llu ms, timeout "
		 "%llu ms",
		 conn, ike_id, (unsigned long long)s->t.delay,
		 (unsigned long long)s->t.timeout);
	arm(s, s->t.delay);
}

static void
addr_text(const struct ike_endpoint *ep, char *buf, size_t len)
{
	const void *a =
	    ep->ss.ss_family == AF_INET6
		? (const void *)&((const struct sockaddr_in6 *)&ep->ss)
		      ->sin6_addr
		: (const void *)&((const struct sockaddr_in *)&ep->ss)
		      ->sin_addr;

	if (ep->ss.ss_family == AF_UNSPEC ||
	    !inet_ntop(ep->ss.ss_family, a, buf, (socklen_t)len))
		snprintf(buf, len, "?");
}

/* The peer is dead: one line, then the action. The SA is still there
 * for a last look (its event is being heard). */
static void
dead(struct dpd_sa *s)
{
	static const char *const what[] = {
	    "clear: its SAs are gone",
	    "restart: initiating it again",
	    "trap: trap policies wait for its traffic",
	};
	struct charond_conn_view view = {.size = sizeof(view)};
	uint64_t now = api->now();
	char addr[64];
	struct look l;
	size_t i;

	s->dead = true;
	if (!last_heard(s, now, &l))
		memset(&l, 0, sizeof(l));
	addr_text(&l.remote, addr, sizeof(addr));
	api->log(IKE_LOG_WARN, "dpd",
		 "connection '%s': peer %s is dead, not heard for %.1f s; "
		 "action %s",
		 s->conn, addr, (double)(now - s->last) / 1000.0,
		 what[s->action]);
	switch (s->action) {
	case DPD_CLEAR:
		break;
	case DPD_RESTART:
		if (api->sa_action(s->ike_id, CHAROND_SA_REINITIATE, NULL) < 0)
			api->log(IKE_LOG_ERROR, "dpd",
				 "connection '%s': could not initiate it "
				 "again",
				 s->conn);
		break;
	case DPD_TRAP:
		if (!s->children && api->trap(s->conn, NULL) < 0)
			api->log(IKE_LOG_ERROR, "dpd",
				 "connection '%s': no trap policies", s->conn);
		if (s->children && api->conn(s->conn, &view) < 0)
			break;
		for (i = 0;
		     s->children && i < view.n_children && i < IKE_MAX_CHILDREN;
		     i++)
			if ((s->children & (1u << i)) &&
			    api->trap(s->conn, view.children[i]) < 0)
				api->log(IKE_LOG_ERROR, "dpd",
					 "connection '%s': no trap policies "
					 "for child '%s'",
					 s->conn, view.children[i]);
		break;
	}
}

static void
child_up(struct dpd_sa *s, const char *child)
{
	struct charond_conn_view view = {.size = sizeof(view)};
	size_t i;

	if (!child || api->conn(s->conn, &view) < 0)
		return;
	for (i = 0; i < view.n_children && i < IKE_MAX_CHILDREN; i++)
		if (strcmp(view.children[i], child) == 0)
			s->children |= (uint8_t)(1u << i);
}

static void
on_event(void *state, const struct ike_event *ev)
{
	struct dpd_sa *s = api->sa_get(slot, ev->ike_id);

	switch (ev->type) {
	case IKE_EV_IKE_UP:
		if (!s && ev->conn)
			start(ev->ike_id, ev->conn, NULL);
		break;
	case IKE_EV_IKE_REKEYED: {
		struct dpd_sa *old = api->sa_get(slot, ev->old_id);

		if (!s && ev->conn)
			start(ev->ike_id, ev->conn, old);
		if (old) /* its timer goes with it */
			api->sa_set(slot, ev->old_id, NULL);
		break;
	}
	case IKE_EV_CHILD_UP:
	case IKE_EV_CHILD_REKEYED:
		if (s)
			child_up(s, ev->child);
		break;
	case IKE_EV_IKE_DOWN:
	case IKE_EV_FAILED:
		if (s && !s->dead && ev->reason &&
		    strcmp(ev->reason, "peer not responding") == 0)
			dead(s);
		break;
	default:
		break;
	}
}

static const struct charond_sa_listener listener = {
    .event = on_event,
};

static int
dpd_init(const struct charond_api *a, void **state, char *why, size_t why_len)
{
	api = a;
	*state = NULL;
	slot = api->sa_slot("dpd", dpd_free);
	if (slot < 0 || api->add_listener(&listener, NULL) < 0) {
		snprintf(why, why_len, "cannot register its listener");
		return -1;
	}
	return 0;
}

/* A delay or timeout of 0 would ask the peer all the time. */
static int
dpd_check(const struct charond_check *ck)
{
	struct charond_conn_view c = {.size = sizeof(c)};
	struct charond_value v;
	static const char *const durations[] = {"dpd.delay", "dpd.timeout"};
	size_t i, j;

	for (i = 0; ck->conn_at(ck, i, &c) == 0; i++)
		for (j = 0; j < 2; j++)
			if (ck->value(ck, CHAROND_SCOPE_CONN, c.name, NULL,
				      durations[j], &v) == 0 &&
			    v.set && v.u.ms < 1000)
				ck->report(ck, CHAROND_ERROR, c.name, NULL,
					   durations[j],
					   "%s must be at least 1s",
					   durations[j]);
	return 0;
}

const struct charond_plugin charond_plugin = {
    .abi = CHAROND_PLUGIN_ABI,
    .name = "dpd",
    .version = "0.1.0",
    .provides = "dpd",
    .requires = "",
    .keys = keys,
    .init = dpd_init,
    .fini = NULL,
    .check = dpd_check,
};
