/* SPDX-License-Identifier: ISC */
/*
 * The deterministic simulation: several engines in one process on a
 * simulated network with a fake clock, network faults and an adversary,
 * all driven by one 64-bit seed. A run is a scenario with faults, then a
 * drain without them, then the invariants (check.c).
 */
#ifndef TEST_SIM_H
#define TEST_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../conn_room.h"
#include "ike.h"

#define SIM_MAX_HOSTS 5
#define SIM_HISTORY   64 /* datagrams the adversary remembers */

/* rng.c: splitmix64, one stream per concern so that adding a draw in one
 * (say the adversary) does not shift the others. */
struct rng {
	uint64_t s;
};

void rng_init(struct rng *r, uint64_t seed, uint64_t stream);
uint64_t rng_next(struct rng *r);
/* Uniform in [0, n); 0 when n is 0. */
uint64_t rng_below(struct rng *r, uint64_t n);
/* True with probability permille / 1000. */
bool rng_chance(struct rng *r, unsigned permille);
void rng_bytes(struct rng *r, uint8_t *out, size_t len);

/* kernel.c: one host's SAD as the engine drives it through ike_env. */
enum ksa_state {
	KSA_ALLOCATED, /* spi_alloc handed it out */
	KSA_LIVE,      /* installed */
	KSA_FREE,      /* removed (or released before install) */
};

struct ksa {
	uint32_t spi_in, spi_out;
	enum ksa_state st;
	unsigned ike_id, child_id;
	struct ike_endpoint local, remote; /* as installed or last moved */
	size_t encr_len, integ_len;
	uint8_t encr_in[64], encr_out[64], integ_in[64], integ_out[64];
};

struct kernel {
	struct ksa *v;
	size_t n, cap;
	uint32_t next_spi;
};

struct sim;
struct host;

/* hooks.c: a host timer the scenario added (ike_timer_add), and what
 * became of it. */
enum htimer_state {
	HT_PENDING,
	HT_FIRED,
	HT_CANCELLED,
};

enum htimer_job {
	HT_NOTHING,   /* just note the firing */
	HT_LIVENESS,  /* ike_liveness of a random SA */
	HT_TERMINATE, /* ike_terminate of a random SA (its pair's driver) */
	HT_ADD,       /* ike_timer_add of another timer */
	HT_CANCEL,    /* ike_timer_cancel of another timer */
	HT_REINIT,    /* ike_reinitiate of a random SA (dpd's restart) */
	HT_MOVE,      /* ike_sa_move of a random SA (natt) */
	HT_N_JOBS
};

struct htimer_rec {
	struct host *h;
	uint64_t handle, deadline, seq;
	uint64_t tick; /* the host's tick count when it was added */
	enum htimer_state st;
	enum htimer_job job;
};

#define SIM_MAX_HTIMERS 96 /* per host and run */

/* ike_reinitiate's old SAs: gone (or DELETING) by the end of the run. */
#define SIM_MAX_REINIT 32

struct host {
	struct sim *sim;
	unsigned idx;
	char name[32];
	struct ike_endpoint addr;
	struct ike_engine *e;
	struct secret *psk;
	struct rng rand; /* the engine's ike_env.random */
	struct kernel k;
	/* The connection set as last given to the engine. */
	struct ike_conn_cfg *conns;
	struct conn_room *conn_rooms; /* the arrays of conns (conn_room.h) */
	size_t n_conns;
	unsigned variant; /* of the changed configs, see host.c */
	/* Each IKE SA's life as the events tell it, by id: 0 not seen,
	 * SA_UP, SA_ENDED (host.c). */
	uint8_t *life;
	size_t n_life;
	/* Each IKE SA's last_heard as last seen, by id (check.c). */
	uint64_t *heard;
	size_t n_heard;
	/* hooks.c: host timers, in the order added; ticks of the engine. */
	struct htimer_rec ht[SIM_MAX_HTIMERS];
	size_t n_ht;
	uint64_t ht_seq, ticks;
	bool in_tick;
	unsigned reinit[SIM_MAX_REINIT];
	size_t n_reinit;
	/* Hook refusals, permille, while the scenario runs (0: never). */
	unsigned refuse_input, refuse_id;
};

#define SA_UP       1
#define SA_ENDED    2
#define SA_REPLACED 3 /* IKEv1: reported replaced, still there */

/* net.c */
struct dgram {
	uint64_t at, seq; /* delivery time, then order of sending */
	unsigned from, to;
	bool injected;
	size_t len;
	uint8_t *data;
};

struct net {
	struct dgram *q;
	size_t n, cap;
	uint64_t seq;
	struct dgram hist[SIM_HISTORY]; /* a ring of what hosts sent */
	size_t n_hist, hist_at;
};

struct sim_stats {
	uint64_t sent, lost, duplicated, delivered, injected, actions, skipped,
	    events;
	/* The hooks: peer notifies checked, refusals (ext_input and
	 * auth_id_check), CHILD SAs moved, SAs re-initiated, host timers
	 * fired. */
	uint64_t ext_checked, hook_refused, child_moved, reinitiated,
	    timers_fired;
	/* IKEv1: pairs, ISAKMP and CHILD SAs up (IKE_UP, CHILD_UP),
	 * crossed phase 2 rekeys started, and the SAs left
	 * on one side only after the drain (an unacknowledged DELETE or
	 * Quick Mode message 3 lost, check.c). */
	uint64_t v1_pairs, v1_ike_up, v1_child_up, v1_crossed, v1_one_sided;
	/* IKEv1: events on an ISAKMP SA already reported replaced (a
	 * CHILD SA its Quick Mode finished, a second replacement). */
	uint64_t v1_replaced_events;
};

struct sim {
	uint64_t seed;
	bool verbose;
	bool collisions; /* let both sides of a pair rekey and delete */
	uint64_t now;
	struct rng net_rng, adv_rng, scen_rng;
	unsigned n_hosts;
	struct host h[SIM_MAX_HOSTS];
	bool pair[SIM_MAX_HOSTS][SIM_MAX_HOSTS]; /* a connection between */
	/* Without --collisions only this side of a pair issues rekeys and
	 * deletes, and only it has rekey_ms configured. */
	unsigned driver[SIM_MAX_HOSTS][SIM_MAX_HOSTS];
	/* The pair talks IKEv1 (version 1 connections on both sides). */
	bool v1[SIM_MAX_HOSTS][SIM_MAX_HOSTS];
	/* IKEv1 datagrams the network lost or held back for others to
	 * overtake, by sender and receiver: what lets a pair's SAs differ
	 * after the drain (check.c). */
	unsigned v1_upset[SIM_MAX_HOSTS][SIM_MAX_HOSTS];
	struct net net;
	/* Faults, in permille, while `faults` is on. */
	bool faults;
	unsigned loss, dup, reorder;
	uint64_t max_delay;
	bool adversary;
	uint64_t adv_next, adv_gap;
	uint64_t act_next, act_gap, run_end;
	struct rng hook_rng; /* refusals of the hooks, host timer jobs */
	bool scenario;       /* the scenario runs (faults, actions) */
	uint64_t digest;     /* of every delivery: the run's fingerprint */
	struct sim_stats st;
	bool failed;
	char why[512];
};

/* run.c: the first failure of a run is the one reported. */
void sim_fail(struct sim *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void sim_log(struct sim *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* kernel.c */
int kernel_alloc(struct host *h, uint32_t *spi);
void kernel_install(struct host *h, const struct ike_child_install *ci);
void kernel_remove(struct host *h, const struct ike_child_install *ci);
struct ksa *kernel_find(struct host *h, uint32_t spi_in);
int kernel_move(struct host *h, const struct ike_child_install *from,
		const struct ike_child_install *to);
void kernel_free(struct kernel *k);

/* host.c */
int host_setup(struct sim *s, unsigned idx);
void host_free(struct host *h);
void host_check_life(struct host *h);
/* The connection set of variant v (0: the first, others: changed). */
int host_load(struct host *h, unsigned variant);
const char *host_conn_name(unsigned peer, char *buf, size_t len);
int host_peer_of(const struct sim *s, const struct ike_endpoint *ep);
/* The addresses of host idx (SIM_ALIASES of them, alias 0 the one its
 * connections use), for ike_sa_move; all reach the host. */
#define SIM_ALIASES 4
void host_endpoint(struct ike_endpoint *ep, unsigned idx, unsigned alias);

/* hooks.c: the exchange and authentication hooks, child_move, and the
 * host timers. */
void hooks_env(struct ike_env *env);
void hooks_setup(struct host *h);
/* Add a timer due at deadline doing job; false if there is no room. */
bool htimer_add(struct host *h, uint64_t deadline, enum htimer_job job);
void htimer_cancel_random(struct host *h);
/* ike_reinitiate of h's IKE SA old, checked; the new SA's id or 0. */
unsigned host_reinitiate(struct host *h, unsigned old);
void host_move(struct host *h, unsigned id);
/* Before and after the sim calls ike_tick on h. */
void htimer_tick_begin(struct host *h);
void htimer_tick_end(struct host *h);

/* net.c */
void net_send(struct host *from, const struct ike_endpoint *remote,
	      const uint8_t *pkt, size_t len);
void net_inject(struct sim *s, unsigned from, unsigned to, const uint8_t *pkt,
		size_t len, uint64_t delay);
uint64_t net_next(const struct sim *s);
/* Deliver the first datagram due at s->now; false if none. */
bool net_deliver_one(struct sim *s);
void net_free(struct net *n);

/* adversary.c */
void adversary_strike(struct sim *s);

/* scenario.c */
void scenario_start(struct sim *s);
void scenario_act(struct sim *s);

/* check.c: the SAs of a host as ike_list_sas shows them. */
#define SIM_MAX_SAS 128

struct child_view {
	unsigned id;
	bool installed;
	uint32_t spi_in, spi_out;
};

struct sa_view {
	unsigned id;
	int peer;
	bool initiator, established, deleting;
	uint8_t spi_i[8], spi_r[8];
	unsigned n_children;
	struct child_view ch[IKE_MAX_CHILDREN];
};

struct sa_list {
	const struct sim *s;
	size_t n;
	bool overflow;
	struct sa_view v[SIM_MAX_SAS];
};

void sa_views(const struct host *h, struct sa_list *out);
/* Nothing in flight: no datagram queued, no request of any SA waiting,
 * every SA established. */
bool sim_quiet(const struct sim *s);
void check_invariants(struct sim *s);
void check_all_gone(struct sim *s);
/* After every step: the kernel holds what the engines report installed,
 * at the endpoints of their IKE SAs; last_heard only grows, never past
 * now; no host timer is overdue. */
void check_step(struct sim *s);
/* At the end: the old SAs of ike_reinitiate are gone. */
void check_reinit(struct sim *s);

/* run.c */
struct run_opts {
	bool verbose, collisions;
};

/* One seed; 0 if every invariant held, else -1 with s->why. */
int sim_run(uint64_t seed, const struct run_opts *o, struct sim_stats *st,
	    uint64_t *digest, char *why, size_t why_len);

#endif
