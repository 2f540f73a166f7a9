/* SPDX-License-Identifier: ISC */
/*
 * A test plugin (test/e2e/plugin-hooks.sh) for the runtime hooks of ABI 2
 * in a running daemon, loaded together with psk:
 *
 *   exchange extension  adds a private-use status notify (TP_NOTIFY, data
 *                       TP_DATA) to our IKE_SA_INIT and INFORMATIONAL
 *                       messages and logs each one of the peer's it sees;
 *   SA listener         on IKE_UP keeps a counter in the SA's slot
 *                       (sa_set) and arms a timer `delay` later; logs
 *                       IKE_DOWN, AUTH_FAILED, FAILED and IKE_REKEYED;
 *                       the slot's free_fn logs
 *                       "freed state of SA N";
 *   timer               reads the slot (sa_get) and the SA (sa_query,
 *                       last_heard), then runs `action` (sa_action) and
 *                       logs its return code; after a liveness check a
 *                       second timer logs whether last_heard advanced;
 *   child filter        registered only (the host has no ESP); with
 *                       `encap`, ESP in UDP on port 4500 at both ends
 *                       (test/vm/scenarios/charond-mapping.sh);
 *   mapping             logs the kernel's NAT mapping changes.
 *
 * The action `move` (test/vm/scenarios/charond-move.sh) moves the SA to
 * move_local and move_remote (addresses; unset: as they are; the ports
 * stay), once the file `trigger` exists if that is set: the timer looks
 * again every `delay` until then.
 *
 * Its own keys: plugins.tp_hooks.{action, delay, times, early, move_local,
 * move_remote, trigger, encap}; the action
 * runs for the first `times` SAs that come up (a re-initiated SA comes up
 * too and must not re-initiate for ever); with `early` the slot is set in
 * IKE_SA_INIT already, so that an SA that never comes up has data to free.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plugin.h"

#define NAME      "tp_hooks"
#define TP_NOTIFY 40999 /* private use status notify (RFC 7296 3.10.1) */
#define TP_DATA   "charond-e2e"

enum { ACT_NONE, ACT_LIVENESS, ACT_REINITIATE, ACT_DELETE, ACT_MOVE };

static const char *const actions[] = {"none",   "liveness", "reinitiate",
				      "delete", "move",     NULL};

static const struct charond_config_key keys[] = {
    {CHAROND_SCOPE_PLUGIN, "action", CHAROND_T_ENUM, actions, 0, 0,
     "what the timer does to an SA that came up"},
    {CHAROND_SCOPE_PLUGIN, "delay", CHAROND_T_DURATION, NULL, 0, 0,
     "how long after IKE_UP the timer fires (300ms)"},
    {CHAROND_SCOPE_PLUGIN, "times", CHAROND_T_INT, NULL, 0, 1000,
     "for how many SAs the action runs (1)"},
    {CHAROND_SCOPE_PLUGIN, "early", CHAROND_T_BOOL, NULL, 0, 0,
     "set the slot in IKE_SA_INIT already (false)"},
    {CHAROND_SCOPE_PLUGIN, "move_local", CHAROND_T_STRING, NULL, 0, 0,
     "move: our new address"},
    {CHAROND_SCOPE_PLUGIN, "move_remote", CHAROND_T_STRING, NULL, 0, 0,
     "move: the peer's new address"},
    {CHAROND_SCOPE_PLUGIN, "trigger", CHAROND_T_STRING, NULL, 0, 0,
     "move: wait until this file exists"},
    {CHAROND_SCOPE_PLUGIN, "encap", CHAROND_T_BOOL, NULL, 0, 0,
     "the child filter puts ESP in UDP, port 4500 both ends (false)"},
    {0, NULL, 0, NULL, 0, 0, NULL},
};

static const struct charond_api *api;
static int slot = -1;
static unsigned action, times = 1, ups, acted;
static bool early, encap;
static uint64_t delay = 300;
static char move_local[64], move_remote[64], trigger[256];

/* What the slot of an SA holds. */
struct sa_state {
	unsigned ike_id;
	unsigned n;        /* the how-many-th IKE_UP this plugin saw */
	uint64_t timer;    /* pending timer, 0: none */
	uint64_t heard;    /* last_heard when the action ran */
	uint64_t acted_at; /* engine clock when it ran */
};

static const char *
exchange_name(uint8_t x)
{
	switch (x) {
	case IKEV2_EXCH_IKE_SA_INIT:
		return "IKE_SA_INIT";
	case IKEV2_EXCH_IKE_AUTH:
		return "IKE_AUTH";
	case IKEV2_EXCH_INFORMATIONAL:
		return "INFORMATIONAL";
	default:
		return "other";
	}
}

/* With `early`: the slot is set once the SA has an id in IKE_SA_INIT (as
 * natt would, for what NAT detection found), counter 0 until IKE_UP. An
 * SA that then fails must not keep it. */
static void
set_early(unsigned id)
{
	struct sa_state *st;

	if (!early || !id || api->sa_get(slot, id))
		return;
	st = calloc(1, sizeof(*st));
	if (!st)
		return;
	st->ike_id = id;
	if (api->sa_set(slot, id, st) < 0) {
		free(st);
		return;
	}
	api->log(IKE_LOG_INFO, NAME, "state of SA %u set in IKE_SA_INIT", id);
	/* The slot owns st now; free_fn frees it. */
	/* cppcheck-suppress memleak */
}

/* --- exchange extension ----------------------------------------------------
 */

static void
ext_build(void *state, const struct ike_msg_view *m, struct ike_out *out)
{
	if (m->exchange != IKEV2_EXCH_IKE_SA_INIT &&
	    m->exchange != IKEV2_EXCH_INFORMATIONAL)
		return;
	if (m->exchange == IKEV2_EXCH_IKE_SA_INIT && !m->request)
		set_early(m->ike_id); /* our answer: the responder's SA */
	if (ike_out_notify(out, TP_NOTIFY, TP_DATA, strlen(TP_DATA)) < 0)
		api->log(IKE_LOG_ERROR, NAME, "cannot add notify %u to %s %s",
			 TP_NOTIFY, exchange_name(m->exchange),
			 m->request ? "request" : "response");
	else
		api->log(IKE_LOG_DEBUG, NAME, "added notify %u to our %s %s",
			 TP_NOTIFY, exchange_name(m->exchange),
			 m->request ? "request" : "response");
}

static int
ext_input(void *state, const struct ike_msg_view *m, char *why, size_t why_len)
{
	size_t i;

	if (m->exchange == IKEV2_EXCH_IKE_SA_INIT && !m->request)
		set_early(m->ike_id); /* the answer: the initiator's SA */
	for (i = 0; i < m->n_payloads; i++) {
		const struct ike_in_payload *p = &m->payloads[i];

		if (p->type != IKEV2_PL_N || p->sub != TP_NOTIFY)
			continue;
		api->log(IKE_LOG_INFO, NAME,
			 "peer's notify %u '%.*s' in %s %s, ike_id %u, we are "
			 "%s, inbound %s",
			 TP_NOTIFY, (int)p->data.len, (const char *)p->data.ptr,
			 exchange_name(m->exchange),
			 m->request ? "request" : "response", m->ike_id,
			 m->initiator ? "initiator" : "responder",
			 m->inbound ? "yes" : "no");
	}
	return 0;
}

static const struct charond_exchange_ext ext = {
    .name = NAME,
    .build = ext_build,
    .input = ext_input,
};

/* --- timers ------------------------------------------------------------- */

struct query {
	bool found;
	uint64_t last_heard;
	char state[32];
	struct ike_endpoint local, remote;
};

static void
query_cb(void *ctx, const struct ike_sa_info *sa)
{
	struct query *q = ctx;

	q->found = true;
	q->last_heard = sa->last_heard;
	snprintf(q->state, sizeof(q->state), "%s", sa->state);
	q->local = sa->local;
	q->remote = sa->remote;
}

/* After a liveness check: did the answer arrive? */
static void
check_fired(void *arg, uint64_t now)
{
	unsigned id = (unsigned)(uintptr_t)arg;
	struct sa_state *st = api->sa_get(slot, id);
	struct query q = {0};

	if (!st) {
		api->log(IKE_LOG_INFO, NAME, "check of SA %u: no state", id);
		return;
	}
	st->timer = 0;
	if (api->sa_query(id, query_cb, &q) < 0 || !q.found) {
		api->log(IKE_LOG_INFO, NAME, "check of SA %u: no such SA", id);
		return;
	}
	api->log(IKE_LOG_INFO, NAME,
		 "check of SA %u: %s, last_heard %" PRIu64 " -> %" PRIu64
		 " (%s since the action at %" PRIu64 ")",
		 id, q.state, st->heard, q.last_heard,
		 q.last_heard > st->heard && q.last_heard >= st->acted_at
		     ? "heard from the peer"
		     : "nothing heard",
		 st->acted_at);
}

/* ep's address set to text (an address of its family), its port kept. */
static int
set_addr(struct ike_endpoint *ep, const char *text)
{
	void *a = ep->ss.ss_family == AF_INET
		      ? (void *)&((struct sockaddr_in *)&ep->ss)->sin_addr
		      : (void *)&((struct sockaddr_in6 *)&ep->ss)->sin6_addr;

	return !*text || inet_pton(ep->ss.ss_family, text, a) == 1 ? 0 : -1;
}

static int
do_move(unsigned id, const struct query *q)
{
	struct charond_sa_move mv;

	mv.local = q->local;
	mv.remote = q->remote;
	if (set_addr(&mv.local, move_local) < 0 ||
	    set_addr(&mv.remote, move_remote) < 0) {
		api->log(IKE_LOG_ERROR, NAME, "move of SA %u: bad address", id);
		return -1;
	}
	return api->sa_action(id, CHAROND_SA_MOVE, &mv);
}

static void
timer_fired(void *arg, uint64_t now)
{
	unsigned id = (unsigned)(uintptr_t)arg;
	struct sa_state *st = api->sa_get(slot, id);
	struct query q = {0};
	enum charond_sa_action a;
	int rc;

	if (!st) {
		api->log(IKE_LOG_INFO, NAME, "timer of SA %u: no state", id);
		return;
	}
	st->timer = 0;
	/* Quietly, until the scenario says when. */
	if (action == ACT_MOVE && acted < times && *trigger &&
	    access(trigger, F_OK) < 0) {
		st->timer = api->timer_add(delay, timer_fired, arg);
		return;
	}
	api->log(IKE_LOG_INFO, NAME,
		 "timer of SA %u at %" PRIu64 ": state counter %u", id, now,
		 st->n);
	if (api->sa_query(id, query_cb, &q) < 0 || !q.found) {
		api->log(IKE_LOG_INFO, NAME, "sa_query of SA %u: no such SA",
			 id);
		return;
	}
	api->log(IKE_LOG_INFO, NAME,
		 "sa_query of SA %u: %s, last_heard %" PRIu64 " (%" PRIu64
		 " ms ago)",
		 id, q.state, q.last_heard,
		 q.last_heard && now >= q.last_heard ? now - q.last_heard : 0);
	if (action == ACT_NONE || acted >= times) {
		api->log(IKE_LOG_INFO, NAME, "SA %u: no action", id);
		return;
	}
	acted++;
	if (action == ACT_MOVE) {
		rc = do_move(id, &q);
		api->log(IKE_LOG_INFO, NAME,
			 "sa_action move on SA %u to %s - %s "
			 "returned %d",
			 id, *move_local ? move_local : "-",
			 *move_remote ? move_remote : "-", rc);
		return;
	}
	a = action == ACT_LIVENESS     ? CHAROND_SA_LIVENESS
	    : action == ACT_REINITIATE ? CHAROND_SA_REINITIATE
				       : CHAROND_SA_DELETE;
	st->heard = q.last_heard;
	st->acted_at = api->now();
	rc = api->sa_action(id, a, NULL);
	api->log(IKE_LOG_INFO, NAME, "sa_action %s on SA %u returned %d",
		 actions[action], id, rc);
	/* sa_action may have freed the slot (an SA killed at once). */
	st = api->sa_get(slot, id);
	if (action == ACT_LIVENESS && rc == 0 && st)
		st->timer =
		    api->timer_add(delay, check_fired, (void *)(uintptr_t)id);
}

/* --- SA listener and per-SA state ------------------------------------------
 */

static void
state_free(void *data)
{
	struct sa_state *st = data;

	if (st->timer)
		api->timer_cancel(st->timer);
	api->log(IKE_LOG_INFO, NAME,
		 "freed state of SA %u (counter %u, timer %s)", st->ike_id,
		 st->n, st->timer ? "cancelled" : "none pending");
	free(st);
}

static void
event(void *state, const struct ike_event *ev)
{
	struct sa_state *st;

	switch (ev->type) {
	case IKE_EV_IKE_UP:
		/* Set in IKE_SA_INIT already: setting it again is no
		 * change (and frees nothing). */
		st = api->sa_get(slot, ev->ike_id);
		if (!st)
			st = calloc(1, sizeof(*st));
		if (!st)
			return;
		st->ike_id = ev->ike_id;
		st->n = ++ups;
		if (api->sa_set(slot, ev->ike_id, st) < 0) {
			api->log(IKE_LOG_ERROR, NAME, "sa_set of SA %u failed",
				 ev->ike_id);
			free(st);
			return;
		}
		st->timer = api->timer_add(delay, timer_fired,
					   (void *)(uintptr_t)ev->ike_id);
		api->log(IKE_LOG_INFO, NAME,
			 "IKE_UP of SA %u (%s): state counter %u, timer "
			 "%s in %" PRIu64 " ms",
			 ev->ike_id, ev->conn ? ev->conn : "?", st->n,
			 st->timer ? "armed" : "NOT armed", delay);
		break;
	case IKE_EV_IKE_DOWN:
		st = api->sa_get(slot, ev->ike_id);
		api->log(IKE_LOG_INFO, NAME, "IKE_DOWN of SA %u (%s): state %s",
			 ev->ike_id, ev->reason ? ev->reason : "-",
			 st ? "still there" : "none");
		break;
	case IKE_EV_AUTH_FAILED:
	case IKE_EV_FAILED:
		if (ev->child_id)
			break;
		st = api->sa_get(slot, ev->ike_id);
		api->log(IKE_LOG_INFO, NAME, "%s of SA %u (%s): state %s",
			 ev->type == IKE_EV_FAILED ? "FAILED" : "AUTH_FAILED",
			 ev->ike_id, ev->reason ? ev->reason : "-",
			 st ? "still there" : "none");
		break;
	case IKE_EV_IKE_REKEYED:
		api->log(IKE_LOG_INFO, NAME, "IKE SA %u rekeyed to %u",
			 ev->old_id, ev->ike_id);
		break;
	default:
		break;
	}
}

/* The kernel's XFRM_MSG_MAPPING, as charond hands it on. */
static void
mapping(void *state, unsigned ike_id, const struct ike_endpoint *remote)
{
	const struct sockaddr_in *a = (const struct sockaddr_in *)&remote->ss;
	char addr[INET6_ADDRSTRLEN] = "?";

	if (a->sin_family == AF_INET)
		inet_ntop(AF_INET, &a->sin_addr, addr, sizeof(addr));
	api->log(IKE_LOG_INFO, NAME, "mapping of IKE SA %u: peer now %s:%u",
		 ike_id, addr,
		 a->sin_family == AF_INET ? ntohs(a->sin_port) : 0);
}

static const struct charond_sa_listener listener = {.event = event,
						    .mapping = mapping};

/* --- child filter (registered; needs ESP to run) -------------------------- */

static int
child_filter(void *state, enum charond_filter_op op,
	     const struct charond_child_view *child,
	     struct ike_child_install *ci, char *why, size_t why_len)
{
	api->log(IKE_LOG_INFO, NAME, "child filter for %s/%s", child->conn,
		 child->name);
	if (encap) {
		ci->encap.type = 2; /* UDP_ENCAP_ESPINUDP */
		ci->encap.sport = 4500;
		ci->encap.dport = 4500;
	}
	return 0;
}

static const struct charond_child_filter filter = {
    .name = NAME,
    .filter = child_filter,
};

/* --- start ------------------------------------------------------------------
 */

static int
hooks_init(const struct charond_api *a, void **state, char *why, size_t why_len)
{
	struct charond_value v;

	api = a;
	*state = NULL;
	ups = acted = 0;
	if (api->value(CHAROND_SCOPE_PLUGIN, NAME, NULL, "action", &v) == 0 &&
	    v.set)
		action = v.u.choice;
	if (api->value(CHAROND_SCOPE_PLUGIN, NAME, NULL, "delay", &v) == 0 &&
	    v.set)
		delay = v.u.ms;
	if (api->value(CHAROND_SCOPE_PLUGIN, NAME, NULL, "times", &v) == 0 &&
	    v.set)
		times = (unsigned)v.u.i;
	if (api->value(CHAROND_SCOPE_PLUGIN, NAME, NULL, "early", &v) == 0 &&
	    v.set)
		early = v.u.b;
	if (api->value(CHAROND_SCOPE_PLUGIN, NAME, NULL, "encap", &v) == 0 &&
	    v.set)
		encap = v.u.b;
	if (api->value(CHAROND_SCOPE_PLUGIN, NAME, NULL, "move_local", &v) ==
		0 &&
	    v.set)
		snprintf(move_local, sizeof(move_local), "%s", v.u.s);
	if (api->value(CHAROND_SCOPE_PLUGIN, NAME, NULL, "move_remote", &v) ==
		0 &&
	    v.set)
		snprintf(move_remote, sizeof(move_remote), "%s", v.u.s);
	if (api->value(CHAROND_SCOPE_PLUGIN, NAME, NULL, "trigger", &v) == 0 &&
	    v.set)
		snprintf(trigger, sizeof(trigger), "%s", v.u.s);
	if (api->add_extension(&ext, NULL) < 0 ||
	    api->add_listener(&listener, NULL) < 0 ||
	    api->add_child_filter(&filter, NULL) < 0) {
		snprintf(why, why_len, "cannot register a hook");
		return -1;
	}
	slot = api->sa_slot(NAME, state_free);
	if (slot < 0) {
		snprintf(why, why_len, "no per-SA slot");
		return -1;
	}
	api->log(IKE_LOG_INFO, NAME,
		 "registered extension, listener, child filter and slot %d; "
		 "action %s, delay %" PRIu64 " ms, times %u%s",
		 slot, actions[action], delay, times, early ? ", early" : "");
	return 0;
}

const struct charond_plugin charond_plugin = {
    .abi = CHAROND_PLUGIN_ABI,
    .name = NAME,
    .version = "1.0",
    .provides = "",
    .requires = "auth:psk",
    .keys = keys,
    .init = hooks_init,
};
