/* SPDX-License-Identifier: ISC */
/*
 * One run of the simulation, all of it a function of the seed: the hosts
 * and who talks to whom, the network's faults, the adversary's pace, the
 * scenario; then a drain (no faults, no adversary, time enough for every
 * timeout), a liveness probe of every IKE SA, the invariants, a terminate
 * of everything and the check that nothing is left.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

/* Far more than any run needs: a run that takes more is stuck. */
#define MAX_STEPS 2000000
/* How long the drain may take before it counts as not converging. */
#define DRAIN_LIMIT_MS (30 * 60 * 1000)

void
sim_fail(struct sim *s, const char *fmt, ...)
{
	va_list ap;

	if (s->failed)
		return;
	s->failed = true;
	va_start(ap, fmt);
	vsnprintf(s->why, sizeof(s->why), fmt, ap);
	va_end(ap);
	if (s->verbose)
		sim_log(s, "FAIL: %s", s->why);
}

void
sim_log(struct sim *s, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%6llu.%03llu ", (unsigned long long)(s->now / 1000),
		(unsigned long long)(s->now % 1000));
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static uint64_t
engines_next(const struct sim *s)
{
	uint64_t t = UINT64_MAX;
	unsigned i;

	for (i = 0; i < s->n_hosts; i++) {
		uint64_t d = ike_next_deadline(s->h[i].e);

		if (d < t)
			t = d;
	}
	return t;
}

/* The world as the seed has it. */
static int
setup(struct sim *s, uint64_t seed, const struct run_opts *o)
{
	struct rng r, v1;
	unsigned a, b, i;

	s->seed = seed;
	s->verbose = o->verbose;
	s->collisions = o->collisions;
	s->now = 1000;
	rng_init(&r, seed, 1);
	rng_init(&s->net_rng, seed, 2);
	rng_init(&s->adv_rng, seed, 3);
	rng_init(&s->scen_rng, seed, 4);
	rng_init(&s->hook_rng, seed, 5);
	/* A stream of its own, so that the IKEv2 runs stay as they were. */
	rng_init(&v1, seed, 6);
	s->n_hosts = 3 + (unsigned)rng_below(&r, SIM_MAX_HOSTS - 2);
	for (a = 0; a < s->n_hosts; a++)
		for (b = a + 1; b < s->n_hosts; b++) {
			/* A ring, so every host has a peer, and chords. */
			bool on = b == a + 1 ||
				  (a == 0 && b == s->n_hosts - 1) ||
				  rng_chance(&r, 500);
			unsigned d = rng_chance(&r, 500) ? a : b;

			s->pair[a][b] = s->pair[b][a] = on;
			s->driver[a][b] = s->driver[b][a] = d;
			/* About a third of the pairs talk IKEv1. */
			s->v1[a][b] = s->v1[b][a] = rng_chance(&v1, 333) && on;
			s->st.v1_pairs += s->v1[a][b];
		}
	s->faults = true;
	s->loss = (unsigned)rng_below(&r, 150);
	s->dup = (unsigned)rng_below(&r, 60);
	s->reorder = (unsigned)rng_below(&r, 100);
	s->max_delay = 1 + rng_below(&r, 200);
	s->adversary = rng_chance(&r, 700);
	s->adv_gap = 50 + rng_below(&r, 3000);
	s->adv_next = s->now + rng_below(&s->adv_rng, s->adv_gap);
	s->run_end = s->now + 20000 + rng_below(&r, 280000);
	s->act_gap = (s->run_end - s->now) / (5 + rng_below(&r, 50));
	s->act_next = s->now + 1 + rng_below(&s->scen_rng, 2 * s->act_gap);
	if (s->verbose)
		sim_log(s,
			"seed %llu: %u hosts (%llu IKEv1 pairs), loss %u dup "
			"%u reorder %u (permille), delay <%llu ms, adversary "
			"%s every ~%llu ms, run %llu s, action every ~%llu "
			"ms%s",
			(unsigned long long)seed, s->n_hosts,
			(unsigned long long)s->st.v1_pairs, s->loss, s->dup,
			s->reorder, (unsigned long long)s->max_delay,
			s->adversary ? "on" : "off",
			(unsigned long long)s->adv_gap,
			(unsigned long long)(s->run_end - s->now) / 1000,
			(unsigned long long)s->act_gap,
			s->collisions ? ", collisions" : "");
	for (i = 0; i < s->n_hosts; i++)
		if (host_setup(s, i) < 0) {
			sim_fail(s, "h%u: could not set up", i);
			return -1;
		}
	return 0;
}

/* The next thing to happen, at its time; false past `until`. One step
 * does one thing: a delivery, the engines' due timers, an action or an
 * attack, in that order among equals. */
static bool
step(struct sim *s, uint64_t until, bool scenario)
{
	uint64_t t = net_next(s), e = engines_next(s);
	unsigned i;

	if (e < t)
		t = e;
	if (scenario && s->act_next < t)
		t = s->act_next;
	if (scenario && s->adversary && s->adv_next < t)
		t = s->adv_next;
	if (t > until)
		return false;
	if (t > s->now)
		s->now = t;
	if (net_deliver_one(s))
		return true;
	if (e <= s->now) {
		for (i = 0; i < s->n_hosts; i++)
			if (ike_next_deadline(s->h[i].e) <= s->now) {
				htimer_tick_begin(&s->h[i]);
				ike_tick(s->h[i].e, s->now);
				htimer_tick_end(&s->h[i]);
			}
		return true;
	}
	if (scenario && s->act_next <= s->now) {
		scenario_act(s);
		s->act_next =
		    s->now + 1 + rng_below(&s->scen_rng, 2 * s->act_gap);
		return true;
	}
	if (scenario && s->adversary && s->adv_next <= s->now) {
		adversary_strike(s);
		s->adv_next = s->now + 1 + rng_below(&s->adv_rng, s->adv_gap);
	}
	return true;
}

static bool
steps_left(struct sim *s, unsigned long *n)
{
	check_step(s);
	if (s->failed)
		return false;
	if (++*n <= MAX_STEPS)
		return true;
	sim_fail(s, "no end in sight after %d steps (a loop?)", MAX_STEPS);
	return false;
}

/* Run on (no scenario) until nothing is in flight and `settle` has been
 * reached; past DRAIN_LIMIT_MS it did not converge. */
static void
drain(struct sim *s, uint64_t settle, const char *what, unsigned long *n)
{
	uint64_t limit = s->now + DRAIN_LIMIT_MS;

	while (!s->failed && steps_left(s, n)) {
		if (s->now >= settle && sim_quiet(s))
			return;
		if (!step(s, limit, false)) {
			if (s->now < settle && limit >= settle) {
				s->now = settle; /* nothing due before */
				continue;
			}
			sim_fail(s, "%s: still busy after %d s", what,
				 DRAIN_LIMIT_MS / 1000);
			return;
		}
	}
}

static void
probe_all(struct sim *s)
{
	struct sa_list *l = malloc(sizeof(*l));
	unsigned i;
	size_t k;

	if (!l)
		return;
	for (i = 0; i < s->n_hosts; i++) {
		sa_views(&s->h[i], l);
		for (k = 0; k < l->n; k++)
			ike_liveness(s->h[i].e, s->now, l->v[k].id);
	}
	free(l);
}

static void
run(struct sim *s)
{
	unsigned long n = 0;
	uint64_t settle;
	unsigned i;

	s->scenario = true;
	scenario_start(s);
	while (!s->failed && steps_left(s, &n) && step(s, s->run_end, true))
		;
	if (s->failed)
		return;
	if (s->verbose)
		sim_log(s, "drain");
	s->faults = false;
	s->adversary = false;
	s->scenario = false;
	/* Past every timeout: half-open and delete-wait (20 s each, see
	 * host_setup), a replay the adversary delayed (60 s), a request's
	 * retransmissions (about 13 s). */
	settle = s->now + 90000;
	drain(s, settle, "drain", &n);
	/* An SA one side dropped (its peer stopped answering) is only
	 * noticed by the other when it next asks something: ask. */
	if (s->verbose && !s->failed)
		sim_log(s, "probe");
	probe_all(s);
	drain(s, s->now, "probe", &n);
	if (s->failed)
		return;
	check_invariants(s);
	check_reinit(s);
	if (s->failed)
		return;
	if (s->verbose)
		sim_log(s, "terminate");
	/* One host at a time: deletes of one SA from both ends at once are
	 * a collision, which is --collisions' business. */
	for (i = 0; i < s->n_hosts && !s->failed; i++) {
		ike_terminate_all(s->h[i].e, s->now);
		drain(s, s->now, "terminate", &n);
	}
	for (i = 0; i < s->n_hosts; i++) {
		htimer_tick_begin(&s->h[i]);
		ike_tick(s->h[i].e, s->now); /* frees the dead */
		htimer_tick_end(&s->h[i]);
	}
	check_step(s);
	check_all_gone(s);
	for (i = 0; i < s->n_hosts; i++)
		host_check_life(&s->h[i]);
}

int
sim_run(uint64_t seed, const struct run_opts *o, struct sim_stats *st,
	uint64_t *digest, char *why, size_t why_len)
{
	struct sim *s = calloc(1, sizeof(*s));
	unsigned i;
	int rc;

	if (!s) {
		snprintf(why, why_len, "out of memory");
		return -1;
	}
	if (setup(s, seed, o) == 0)
		run(s);
	if (s->verbose)
		sim_log(s,
			"%s: %llu sent, %llu lost, %llu duplicated, %llu "
			"injected, %llu actions (%llu refused), digest "
			"%016llx",
			s->failed ? "FAILED" : "ok",
			(unsigned long long)s->st.sent,
			(unsigned long long)s->st.lost,
			(unsigned long long)s->st.duplicated,
			(unsigned long long)s->st.injected,
			(unsigned long long)s->st.actions,
			(unsigned long long)s->st.skipped,
			(unsigned long long)s->digest);
	for (i = 0; i < s->n_hosts; i++)
		host_free(&s->h[i]);
	net_free(&s->net);
	*st = s->st;
	*digest = s->digest;
	snprintf(why, why_len, "%s", s->why);
	rc = s->failed ? -1 : 0;
	free(s);
	return rc;
}
