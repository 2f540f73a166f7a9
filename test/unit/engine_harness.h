/* SPDX-License-Identifier: ISC */
/*
 * The engine test harness: two engines (moon and sun) talking IKEv2 through
 * a fake network, with a fake kernel and a fake clock, shared by the engine
 * suites (test_engine.c, test_attack.c).
 */
#ifndef TEST_ENGINE_HARNESS_H
#define TEST_ENGINE_HARNESS_H

#include <stdbool.h>
#include <stdint.h>

#include "../conn_room.h"
#include "ike.h"

#define MAX_Q    64
#define MAX_INST 8
#define MAX_EV   32

struct datagram {
	struct ike_endpoint from, to;
	size_t len;
	uint8_t data[4096];
};

struct installed {
	struct ike_child_install ci;
	uint8_t encr_in[64], encr_out[64];
	size_t encr_len;
	bool live;
};

struct host {
	const char *name;
	struct ike_engine *e;
	struct ike_endpoint addr;
	struct secret *psk;
	uint32_t next_spi;
	struct installed inst[MAX_INST];
	unsigned n_inst;
	unsigned n_moved;             /* child_move calls */
	unsigned n_freed, freed_last; /* sa_freed calls, the last one's id */
	enum ike_event_type ev[MAX_EV];
	char ev_reason[MAX_EV][160];
	unsigned n_ev;
	char last_log[512];
	unsigned logs_with; /* count of log lines containing `watch` */
	const char *watch;
	uint64_t seed; /* of its random source, if seeded */
	/* The last IKEv1 SKEYID request named the peer's ID (Aggressive
	 * Mode's responder can choose the PSK by it). */
	bool skeyid_by_id;
	/* The fake kernel refuses every CHILD SA (a child filter's no). */
	bool refuse_install;
	/* Key exchanges are handed over (ike_env.offload) into jobs[],
	 * for the test to run and hand back (run_jobs). */
	bool offload;
	struct ike_job *jobs[8];
	unsigned n_jobs;
	/* Called after each event is recorded, as a host's listener. */
	void (*ev_hook)(struct host *h, const struct ike_event *ev);
};

extern struct datagram queue[MAX_Q];
extern unsigned q_len;
extern unsigned drop_next; /* drop this many datagrams */
extern unsigned sent_total;
extern uint64_t now;
extern struct host moon, sun;

void endpoint(struct ike_endpoint *ep, const char *ip);
void prop(struct proposal *p, const char *kw, uint8_t proto);
void subnet(struct ike_ts_cfg *t, const char *from, const char *to);
/* A connection from `self` to `peer`: tunnel 10.1/16 <-> 10.2/16 as seen
 * from moon (mirrored for sun), or transport. */
void conn_cfg(struct ike_conn_cfg *c, const struct host *self,
	      const struct host *peer, const char *ike, const char *esp,
	      bool transport);
void host_init(struct host *h, const char *name, const char *ip,
	       const char *psk);
/* A new engine for h, with a random source of its own or OpenSSL's. */
struct ike_engine *
host_engine(struct host *h, int (*rand)(void *ctx, uint8_t *out, size_t len));
/* moon's and sun's connection "site" with child "net" (started by moon). */
void host_conns(const char *ike_m, const char *esp_m, const char *ike_s,
		const char *esp_s, bool transport);
void setup_pair(const char *ike_m, const char *esp_m, const char *ike_s,
		const char *esp_s, bool transport, const char *psk_m,
		const char *psk_s);
void teardown_pair(void);
struct host *host_at(const struct ike_endpoint *ep);
/* Deliver queued datagrams until the network is quiet. */
void pump(void);
/* Let time pass to the next deadline of either engine and run it. */
void advance(void);
bool has_event(const struct host *h, enum ike_event_type t);
/* Hand h's jobs back to its engine, each run first if run. */
void run_jobs(struct host *h, bool run);
unsigned live(const struct host *h);
/* The two installs describe one pair of SAs. */
void assert_pair_matches(void);
void bring_up(void);
/* The one datagram sun sent back, framed; fails if there is not one. */
void only_answer(struct msg *m);
uint16_t notify_of(const struct msg *m);
struct ike_sa *first_sa(const struct host *h);

#endif
