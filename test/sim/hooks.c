/* SPDX-License-Identifier: ISC */
/*
 * The hooks a host (charond's plugins) has in the engine, as the
 * simulated hosts use them:
 *
 * - ext_build puts a private notify on every message it is offered, saying
 *   who sent it, on which SA, in which exchange and direction; ext_input
 *   checks the peer's on every authenticated message (an error answer
 *   carries none) against the message and the SA it arrived on.
 * - auth_payloads adds a CERT naming the host and a CERTREQ;
 *   auth_id_check wants the peer's CERT to name the peer its ID says.
 * - Some seeds make ext_input and auth_id_check refuse now and then while
 *   the scenario runs; the exchange must then end cleanly.
 * - child_move moves a CHILD SA in the fake kernel (kernel.c).
 * - Host timers (ike_timer_add) fire once, never early, never after a
 *   cancel, in deadline order; some call back into the engine.
 */
#include <stdio.h>
#include <string.h>

#include "sim.h"

#define SIM_NOTIFY 40969 /* private use, status (RFC 7296 3.10.1) */
#define TAG_LEN    28

static const uint8_t magic[4] = {'S', 'I', 'M', '1'};

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static const char *
exch_name(uint8_t x)
{
	switch (x) {
	case IKEV2_EXCH_IKE_SA_INIT:
		return "IKE_SA_INIT";
	case IKEV2_EXCH_IKE_AUTH:
		return "IKE_AUTH";
	case IKEV2_EXCH_INFORMATIONAL:
		return "INFORMATIONAL";
	default:
		return "?";
	}
}

/* The connection to peer p is named after it: "to-h<p>". */
static bool
conn_is(const char *conn, int peer)
{
	char name[32];

	return conn && peer >= 0 &&
	       strcmp(conn,
		      host_conn_name((unsigned)peer, name, sizeof(name))) == 0;
}

static void
env_ext_build(void *ctx, const struct ike_msg_view *m, struct ike_out *out)
{
	struct host *h = ctx;
	uint8_t tag[TAG_LEN];
	int peer = host_peer_of(h->sim, m->remote);

	/* IKEv1 phase 1 (natt's vendor IDs and NAT-D) takes no notify: the
	 * tags are IKEv2's. */
	if (m->version == 1 && !m->inbound && m->ike_id &&
	    conn_is(m->conn, peer))
		return;
	if (m->inbound || !m->ike_id || !conn_is(m->conn, peer) ||
	    m->version != 2)
		sim_fail(h->sim,
			 "%s: ext_build offered %s %s of IKE SA #%u (conn "
			 "%s, %s)",
			 h->name, exch_name(m->exchange),
			 m->request ? "request" : "response", m->ike_id,
			 m->conn ? m->conn : "-",
			 m->inbound ? "inbound" : "to another peer");
	memcpy(tag, magic, 4);
	tag[4] = (uint8_t)h->idx;
	tag[5] = m->exchange;
	tag[6] = (uint8_t)((m->request ? 1 : 0) | (m->initiator ? 2 : 0));
	tag[7] = 0;
	put32(tag + 8, m->ike_id);
	memcpy(tag + 12, m->spi_i, 8);
	memcpy(tag + 20, m->spi_r, 8);
	if (ike_out_notify(out, SIM_NOTIFY, tag, sizeof(tag)) < 0)
		sim_fail(h->sim, "%s: ike_out_notify refused one notify",
			 h->name);
}

struct sa_spis {
	bool found;
	uint8_t spi_i[8], spi_r[8];
	uint64_t last_heard;
};

static void
spis_cb(void *ctx, const struct ike_sa_info *sa)
{
	struct sa_spis *x = ctx;

	x->found = true;
	memcpy(x->spi_i, sa->spi_i, 8);
	memcpy(x->spi_r, sa->spi_r, 8);
	x->last_heard = sa->last_heard;
}

/* The peer's private notify on an authenticated message: one, or none
 * on an error answer, saying what the message is. */
static int
check_tag(struct host *h, const struct ike_msg_view *m, char *why,
	  size_t why_len)
{
	const struct ike_in_payload *tag = NULL;
	struct sa_spis sa = {0};
	bool error = false, self;
	size_t i, n = 0;
	int peer = host_peer_of(h->sim, m->remote);
	const uint8_t *t;

	for (i = 0; i < m->n_payloads; i++) {
		const struct ike_in_payload *p = &m->payloads[i];

		if (p->type != IKEV2_PL_N)
			continue;
		if (p->sub == SIM_NOTIFY) {
			tag = p;
			n++;
		} else if (p->sub && p->sub <= IKEV2_N_ERROR_MAX) {
			error = true;
		}
	}
	if (!n && error)
		return 0;
	if (n != 1) {
		snprintf(why, why_len, "%zu private notifies", n);
		return -1;
	}
	t = tag->data.ptr;
	if (tag->data.len != TAG_LEN || memcmp(t, magic, 4) != 0) {
		snprintf(why, why_len, "private notify of %zu bytes",
			 tag->data.len);
		return -1;
	}
	ike_query_sa(h->e, m->ike_id, spis_cb, &sa);
	if (!m->ike_id || !sa.found) {
		snprintf(why, why_len, "on IKE SA #%u, which is not there",
			 m->ike_id);
		return -1;
	}
	/* Its ICV held: the peer was heard from, now. */
	if (sa.last_heard != h->sim->now) {
		snprintf(why, why_len, "IKE SA #%u last heard at %llu",
			 m->ike_id, (unsigned long long)sa.last_heard);
		return -1;
	}
	/* The adversary may reflect a host's IKE_SA_INIT request to it, and
	 * then its IKE_AUTH request: the host answered itself, so its own
	 * keys open it; the IDs tell (our ID is not the peer's). */
	self =
	    t[4] == h->idx && m->exchange == IKEV2_EXCH_IKE_AUTH && m->request;
	if (!self && ((int)t[4] != peer || !conn_is(m->conn, peer))) {
		snprintf(why, why_len, "from h%u, on conn %s (h%d)", t[4],
			 m->conn ? m->conn : "-", peer);
		return -1;
	}
	if (t[5] != m->exchange || !(t[6] & 1) != !m->request ||
	    !(t[6] & 2) == !m->initiator) {
		snprintf(
		    why, why_len, "says %s %s by the %s, is %s %s to the %s",
		    exch_name(t[5]), t[6] & 1 ? "request" : "response",
		    t[6] & 2 ? "initiator" : "responder",
		    exch_name(m->exchange), m->request ? "request" : "response",
		    m->initiator ? "initiator" : "responder");
		return -1;
	}
	if (memcmp(t + 12, m->spi_i, 8) || memcmp(t + 20, m->spi_r, 8) ||
	    memcmp(sa.spi_i, m->spi_i, 8) || memcmp(sa.spi_r, m->spi_r, 8)) {
		snprintf(why, why_len,
			 "SPIs of the notify, the message and IKE SA #%u "
			 "differ",
			 m->ike_id);
		return -1;
	}
	return 0;
}

static int
env_ext_input(void *ctx, const struct ike_msg_view *m, char *why,
	      size_t why_len)
{
	static const int refusals[] = {
	    IKEV2_N_INVALID_SYNTAX,
	    IKEV2_N_NO_PROPOSAL_CHOSEN,
	    IKEV2_N_AUTHENTICATION_FAILED,
	    IKEV2_N_TEMPORARY_FAILURE,
	    40000, /* not an error notify: the engine makes it one */
	};
	struct host *h = ctx;
	struct sim *s = h->sim;
	char bad[200];

	if (!m->inbound || (m->version != 2 && m->version != 1))
		sim_fail(s, "%s: ext_input offered one of our messages",
			 h->name);
	if (m->version == 1)
		return 0; /* IKEv1 phase 1: nothing of ours to check */
	/* IKE_SA_INIT is in the clear: the adversary's flipped bits are
	 * the engine's to judge, not ours. CREATE_CHILD_SA carries no
	 * extension payloads (the hooks only read it). */
	if (m->exchange != IKEV2_EXCH_IKE_SA_INIT &&
	    m->exchange != IKEV2_EXCH_CREATE_CHILD_SA) {
		s->st.ext_checked++;
		if (check_tag(h, m, bad, sizeof(bad)) < 0)
			sim_fail(s, "%s: %s %s on IKE SA #%u: %s", h->name,
				 exch_name(m->exchange),
				 m->request ? "request" : "response", m->ike_id,
				 bad);
	}
	if (s->scenario && h->refuse_input &&
	    rng_chance(&s->hook_rng, h->refuse_input)) {
		int rc = refusals[rng_below(&s->hook_rng, 5)];

		snprintf(why, why_len, "the simulation refuses it");
		s->st.hook_refused++;
		if (s->verbose)
			sim_log(s, "%s hook: ext_input refuses %s %s with %d",
				h->name, exch_name(m->exchange),
				m->request ? "request" : "response", rc);
		return rc;
	}
	return 0;
}

static int
env_auth_payloads(void *ctx, const struct ike_auth_req *r, struct ike_out *out)
{
	struct host *h = ctx;
	char cert[32], req[32];
	int n = snprintf(cert, sizeof(cert), "cert:h%u", h->idx);
	int m = snprintf(req, sizeof(req), "ca-of:h%u", h->idx);

	(void)r;
	if (ike_out_cert(out, IKEV2_CERT_X509_SIG, cert, (size_t)n) < 0 ||
	    ike_out_certreq(out, IKEV2_CERT_X509_SIG, req, (size_t)m) < 0)
		sim_fail(h->sim, "%s: ike_out refused a CERT", h->name);
	return 0;
}

/* The peer's CERT must name the host its ID (h<p>.sim) names. */
static int
env_auth_id_check(void *ctx, const struct ike_auth_req *r, char *why,
		  size_t why_len)
{
	struct host *h = ctx;
	struct sim *s = h->sim;
	char want[32];
	unsigned p;
	size_t i, n;
	bool ok = false;

	if (!r->peer_id || !r->msg || !r->msg->inbound ||
	    r->msg->exchange != IKEV2_EXCH_IKE_AUTH ||
	    r->msg->ike_id != r->ike_id) {
		sim_fail(s,
			 "%s: auth_id_check of IKE SA #%u without the "
			 "peer's ID or IKE_AUTH message",
			 h->name, r->ike_id);
		return -1;
	}
	if (r->peer_id->data.len < 2 || r->peer_id->data.ptr[0] != 'h' ||
	    sscanf((const char *)r->peer_id->data.ptr + 1, "%u", &p) != 1)
		p = ~0u;
	n = (size_t)snprintf(want, sizeof(want), "cert:h%u", p);
	for (i = 0; i < r->msg->n_payloads; i++) {
		const struct ike_in_payload *pl = &r->msg->payloads[i];

		if (pl->type == IKEV2_PL_CERT && pl->data.len == n &&
		    memcmp(pl->data.ptr, want, n) == 0)
			ok = true;
	}
	if (!ok) {
		snprintf(why, why_len, "no CERT of h%u", p);
		sim_fail(s, "%s: IKE SA #%u: the peer's IKE_AUTH has %s",
			 h->name, r->ike_id, why);
		return -1;
	}
	if (s->scenario && h->refuse_id &&
	    rng_chance(&s->hook_rng, h->refuse_id)) {
		snprintf(why, why_len, "the simulation refuses it");
		s->st.hook_refused++;
		if (s->verbose)
			sim_log(s, "%s hook: auth_id_check refuses IKE SA #%u",
				h->name, r->ike_id);
		return -1;
	}
	return 0;
}

static int
env_child_move(void *ctx, const struct ike_child_install *from,
	       const struct ike_child_install *to)
{
	return kernel_move(ctx, from, to);
}

void
hooks_env(struct ike_env *env)
{
	env->ext_build = env_ext_build;
	env->ext_input = env_ext_input;
	env->auth_payloads = env_auth_payloads;
	env->auth_id_check = env_auth_id_check;
	env->child_move = env_child_move;
}

/* A host refuses in ext_input in one seed in twenty, in auth_id_check
 * in one in twenty, each at its own rate. */
void
hooks_setup(struct host *h)
{
	struct sim *s = h->sim;
	bool input = rng_chance(&s->hook_rng, 50);
	bool id = rng_chance(&s->hook_rng, 50);

	h->refuse_input = input ? 1 + (unsigned)rng_below(&s->hook_rng, 40) : 0;
	h->refuse_id = id ? 1 + (unsigned)rng_below(&s->hook_rng, 200) : 0;
}

static void
state_cb(void *ctx, const struct ike_sa_info *sa)
{
	*(bool *)ctx = strcmp(sa->state, "DELETING") != 0;
}

/* The old SA is gone or DELETING at once (and gone by the end of the
 * run, check_reinit); the new one has another id. */
unsigned
host_reinitiate(struct host *h, unsigned old)
{
	struct sim *s = h->sim;
	unsigned id;
	bool still = false;

	if (!old)
		return 0;
	id = ike_reinitiate(h->e, s->now, old);
	if (id == old)
		sim_fail(s, "%s: ike_reinitiate of IKE SA #%u returned it",
			 h->name, old);
	s->st.reinitiated += id != 0;
	if (h->n_reinit < SIM_MAX_REINIT)
		h->reinit[h->n_reinit++] = old;
	ike_query_sa(h->e, old, state_cb, &still);
	if (still)
		sim_fail(s,
			 "%s: IKE SA #%u neither gone nor DELETING after "
			 "ike_reinitiate",
			 h->name, old);
	if (s->verbose)
		sim_log(s, "%s: IKE SA #%u re-initiated as #%u", h->name, old,
			id);
	return id;
}

struct peer_of {
	struct sim *s;
	int peer;
};

static void
peer_cb(void *ctx, const struct ike_sa_info *sa)
{
	struct peer_of *p = ctx;

	p->peer = host_peer_of(p->s, &sa->remote);
}

/* ike_sa_move of h's IKE SA id to other addresses of h and its peer. */
void
host_move(struct host *h, unsigned id)
{
	struct sim *s = h->sim;
	struct ike_endpoint local, remote;
	struct peer_of p = {s, -1};
	unsigned a = (unsigned)rng_below(&s->hook_rng, SIM_ALIASES);
	unsigned b = (unsigned)rng_below(&s->hook_rng, SIM_ALIASES);

	ike_query_sa(h->e, id, peer_cb, &p);
	/* IKEv1 has no NAT-T yet (IKEV1.md): nothing moves its SAs. */
	if (p.peer < 0 || s->v1[h->idx][p.peer])
		return;
	host_endpoint(&local, h->idx, a);
	host_endpoint(&remote, (unsigned)p.peer, b);
	if (s->verbose)
		sim_log(s, "%s: move #%u to aliases %u - %u", h->name, id, a,
			b);
	if (ike_sa_move(h->e, s->now, id, &local, &remote) < 0)
		sim_fail(s, "%s: ike_sa_move of IKE SA #%u failed", h->name,
			 id);
}

/* --- host timers -------------------------------------------------- */

struct pick {
	struct host *h;
	bool driven; /* only SAs with peers h drives */
	size_t n;
	unsigned id[64];
};

static void
pick_cb(void *ctx, const struct ike_sa_info *sa)
{
	struct pick *p = ctx;
	struct sim *s = p->h->sim;
	int peer = host_peer_of(s, &sa->remote);

	if (p->n == 64 || peer < 0)
		return;
	if (p->driven && !s->collisions &&
	    s->driver[p->h->idx][peer] != p->h->idx)
		return;
	p->id[p->n++] = sa->id;
}

static unsigned
random_sa(struct host *h, bool driven)
{
	struct pick p = {h, driven, 0, {0}};

	ike_list_sas(h->e, NULL, pick_cb, &p);
	return p.n ? p.id[rng_below(&h->sim->hook_rng, p.n)] : 0;
}

static void
htimer_fired(void *arg, uint64_t now)
{
	struct htimer_rec *t = arg;
	struct host *h = t->h;
	struct sim *s = h->sim;
	size_t i;

	if (s->verbose)
		sim_log(s, "%s timer #%llu (due %llu) fires, job %u", h->name,
			(unsigned long long)t->seq,
			(unsigned long long)t->deadline, t->job);
	if (!h->in_tick || now != s->now)
		sim_fail(s, "%s: timer #%llu fired %s", h->name,
			 (unsigned long long)t->seq,
			 h->in_tick ? "with another clock"
				    : "outside ike_tick");
	if (t->st != HT_PENDING)
		sim_fail(s, "%s: timer #%llu fired after it %s", h->name,
			 (unsigned long long)t->seq,
			 t->st == HT_FIRED ? "fired" : "was cancelled");
	if (now < t->deadline)
		sim_fail(s, "%s: timer #%llu due at %llu fired early, at %llu",
			 h->name, (unsigned long long)t->seq,
			 (unsigned long long)t->deadline,
			 (unsigned long long)now);
	/* None due earlier may still wait (those added in this tick
	 * aside: they wait for the next one). */
	for (i = 0; i < h->n_ht; i++) {
		const struct htimer_rec *o = &h->ht[i];

		if (o->st == HT_PENDING && o != t && o->tick < h->ticks &&
		    o->deadline < t->deadline)
			sim_fail(s,
				 "%s: timer #%llu (due %llu) fired before "
				 "timer #%llu (due %llu)",
				 h->name, (unsigned long long)t->seq,
				 (unsigned long long)t->deadline,
				 (unsigned long long)o->seq,
				 (unsigned long long)o->deadline);
	}
	t->st = HT_FIRED;
	s->st.timers_fired++;
	if (!s->scenario)
		return;
	switch (t->job) {
	case HT_LIVENESS:
		ike_liveness(h->e, now, random_sa(h, false));
		break;
	case HT_TERMINATE:
		ike_terminate(h->e, now, random_sa(h, true));
		break;
	case HT_ADD:
		htimer_add(h, now + rng_below(&s->hook_rng, 3) * 1000,
			   (enum htimer_job)rng_below(&s->hook_rng, HT_N_JOBS));
		break;
	case HT_CANCEL:
		htimer_cancel_random(h);
		break;
	case HT_REINIT:
		host_reinitiate(h, random_sa(h, true));
		break;
	case HT_MOVE:
		host_move(h, random_sa(h, false));
		break;
	default:
		break;
	}
}

bool
htimer_add(struct host *h, uint64_t deadline, enum htimer_job job)
{
	struct htimer_rec *t;

	if (h->n_ht == SIM_MAX_HTIMERS)
		return false;
	t = &h->ht[h->n_ht++];
	memset(t, 0, sizeof(*t));
	t->h = h;
	t->deadline = deadline;
	t->seq = h->ht_seq++;
	t->tick = h->ticks;
	t->st = HT_PENDING;
	t->job = job;
	t->handle = ike_timer_add(h->e, deadline, htimer_fired, t);
	if (!t->handle)
		sim_fail(h->sim, "%s: ike_timer_add failed", h->name);
	if (h->sim->verbose)
		sim_log(h->sim, "%s timer #%llu added, due %llu, job %u",
			h->name, (unsigned long long)t->seq,
			(unsigned long long)deadline, job);
	return true;
}

/* Any of the timers: a cancel of one that fired (or was cancelled) must
 * do nothing, even when its slot holds another timer now. */
void
htimer_cancel_random(struct host *h)
{
	struct htimer_rec *t;

	if (!h->n_ht)
		return;
	t = &h->ht[rng_below(&h->sim->hook_rng, h->n_ht)];
	if (h->sim->verbose)
		sim_log(h->sim, "%s timer #%llu cancelled%s", h->name,
			(unsigned long long)t->seq,
			t->st == HT_PENDING ? "" : " (again, or after firing)");
	if (t->st == HT_PENDING)
		t->st = HT_CANCELLED;
	ike_timer_cancel(h->e, t->handle);
}

void
htimer_tick_begin(struct host *h)
{
	h->ticks++;
	h->in_tick = true;
}

/* Every timer due by now, added before this tick, has fired. */
void
htimer_tick_end(struct host *h)
{
	struct sim *s = h->sim;
	size_t i;

	h->in_tick = false;
	for (i = 0; i < h->n_ht && !s->failed; i++) {
		const struct htimer_rec *t = &h->ht[i];

		if (t->st == HT_PENDING && t->tick < h->ticks &&
		    t->deadline <= s->now)
			sim_fail(s,
				 "%s: timer #%llu due at %llu has not fired "
				 "by %llu",
				 h->name, (unsigned long long)t->seq,
				 (unsigned long long)t->deadline,
				 (unsigned long long)s->now);
	}
}
