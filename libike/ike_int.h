/* SPDX-License-Identifier: ISC */
/*
 * libike's engine internals: the IKE and CHILD SA structures and the
 * prototypes of each file, grouped under the file that owns them.
 */
#ifndef LIBIKE_IKE_INT_H
#define LIBIKE_IKE_INT_H

#include "crypto.h"
#include "ike.h"

#define IKE_NONCE_LEN   32
#define IKE_COOKIE_MAC  16                   /* truncated HMAC-SHA-256 */
#define IKE_COOKIE_LEN  (1 + IKE_COOKIE_MAC) /* secret version | MAC */
#define IKE_SA_BUCKETS  1024 /* grows with the table; a power of two */
#define IKE_SRC_BUCKETS 1024 /* half-open counts by source address */

enum ike_sa_state {
	IKE_SA_INIT_SENT, /* initiator: IKE_SA_INIT request out */
	IKE_SA_AUTH_SENT, /* initiator: IKE_AUTH request out */
	IKE_SA_INIT_DONE, /* responder: IKE_SA_INIT answered */
	IKE_SA_ESTABLISHED,
	IKE_SA_DELETING, /* our DELETE is out */
	IKE_SA_DEAD,     /* to be freed at the next tick */
};

struct child_sa {
	unsigned id;
	unsigned cfg; /* index into the connection's children */
	uint32_t spi_in, spi_out;
	uint32_t reqid;
	uint16_t encr, encr_bits, integ;
	bool esn;
	bool installed;
	bool keep_reqid;    /* shares its reqid (and policies) with a sibling */
	bool creating;      /* our CREATE_CHILD_SA request is out */
	bool deleting;      /* our DELETE for it is out */
	uint64_t rekey_at;  /* when we rekey it; 0: never or under way */
	unsigned replaces;  /* a rekey: the id of the child it succeeds */
	uint32_t peer_gone; /* creating: an SPI the peer deleted before its
			       answer told us it was this child's */
	/* While creating: our nonce. For a child the peer's rekey made while
	 * ours of the same SA was under way: the lowest nonce of the peer's
	 * exchange, until the collision is settled (2.8.1). */
	struct secret *ni;
	struct dh *dh; /* while creating with PFS */
	unsigned n_local_ts, n_remote_ts;
	struct ts *local_ts, *remote_ts; /* exactly n_local_ts, n_remote_ts */
	struct child_sa *next;
};

/* What a request of ours is for. Its answer must carry the exchange type
 * that goes with it, and goes to that exchange's completion code only. */
enum xchg_kind {
	XCHG_INIT,      /* IKE_SA_INIT */
	XCHG_AUTH,      /* IKE_AUTH */
	XCHG_CHILD,     /* CREATE_CHILD_SA: a new CHILD SA or a CHILD rekey */
	XCHG_REKEY_IKE, /* CREATE_CHILD_SA: a new IKE SA */
	XCHG_DELETE,    /* INFORMATIONAL: DELETE of the IKE SA or children */
	XCHG_LIVENESS,  /* INFORMATIONAL: empty */
};

/* The request we are waiting on an answer for (one: window size 1). */
struct pending {
	uint8_t *msg;
	size_t len;
	uint32_t msgid;
	uint8_t kind; /* enum xchg_kind */
	unsigned tries;
	uint64_t deadline;
};

#define IKE_REQ_HASH_LEN 16

/* A connection as the engine holds it. Its SAs hold it too (one reference
 * each), so they stay on the very config they were made with across
 * reloads; one that left the engine's set accepts nothing new and goes
 * with its last SA. */
struct conn {
	unsigned refs;
	bool current; /* in the engine's set: may start or accept SAs */
	bool leaving; /* ike_engine_set_conns() is dropping it */
	struct prop_pool *pool;  /* the engine's: cfg's proposal lists */
	struct ike_conn_cfg cfg; /* a deep copy: its arrays are the conn's */
};

struct ike_sa {
	unsigned id;
	struct conn *conn;
	bool initiator;
	enum ike_sa_state state;
	bool rekeyed;      /* replaced by a new IKE SA: goes without an event */
	uint64_t rekey_at; /* when we rekey it; 0: never or under way */
	uint64_t
	    expire_at;  /* not established (or left DELETING): dropped then */
	bool half_open; /* counted in the engine's half-open totals */
	struct {        /* our IKE SA rekey request in flight */
		bool active;
		uint8_t spi[IKEV2_SPI_LEN];
		struct secret *ni;
		struct dh *dh;
		unsigned peer_new; /* the peer's colliding rekey made it */
		bool announced;    /* ...and it was reported as our successor */
	} rk;
	unsigned collided; /* made by the peer's rekey of this SA while ours
			      of it was out (2.8.2): that SA's id */
	uint8_t spi_i[IKEV2_SPI_LEN], spi_r[IKEV2_SPI_LEN];
	struct ike_endpoint local, remote;

	/* IKE_SA_INIT */
	uint16_t dh_group;
	struct dh *dh;
	struct secret *ni, *nr;
	struct bytes cookie;           /* owned copy, from the responder */
	uint8_t *init_req, *init_resp; /* for the AUTH payload (2.15) */
	size_t init_req_len, init_resp_len;
	struct proposal *ike_prop; /* the chosen one */
	struct ike_suite suite;
	struct ike_keys keys;

	/* IKE_AUTH */
	struct pld_id peer_id; /* data points into peer_id_buf */
	uint8_t peer_id_buf[IKE_ID_MAX];
	unsigned want_child; /* initiator: child cfg to create + 1 */
	unsigned attempt;    /* initiator: keying try, from 1 (keyingtries) */
	uint32_t child_spi;  /* initiator: inbound SPI offered */

	/* exchanges */
	uint32_t msgid_out; /* next request we send */
	uint32_t msgid_in;  /* next request we expect */
	struct pending req;
	uint8_t *resp; /* cached answer to msgid_in - 1 */
	size_t resp_len;
	/* A keyed hash of the request resp answers: only that very request,
	 * retransmitted, gets resp again (RFC 7296 2.1). */
	uint8_t resp_req_hash[IKE_REQ_HASH_LEN];

	struct child_sa *children;
	unsigned next_child_id;

	struct ike_sa *hnext_ours;  /* by our SPI */
	struct ike_sa *hnext_peer;  /* half-open, by peer SPI */
	struct ike_sa *hnext_id;    /* by id */
	struct ike_sa *next, *prev; /* all SAs, newest first */
	uint64_t deadline;          /* timer heap key, UINT64_MAX: not in it */
	size_t heap_idx;
};

struct ike_engine {
	struct ike_env env;
	struct conn **conns; /* the current set */
	size_t n_conns;
	struct prop_pool *props; /* the conns' proposal lists, interned */
	uint64_t rt_timeout;
	double rt_base;
	unsigned rt_tries;
	unsigned next_sa_id;
	uint32_t next_reqid;
	struct ike_sa *sas;
	size_t n_sas;
	size_t n_buckets;
	struct ike_sa **by_ours;
	struct ike_sa **by_peer;
	struct ike_sa **by_id;
	struct ike_sa **heap; /* timerq.c */
	size_t heap_len, heap_cap;
	uint64_t now; /* the clock of the entry point running */
	struct ike_limits lim;
	struct ike_stats stats;
	size_t n_half_open;     /* responder SAs waiting for IKE_AUTH */
	struct src_count **src; /* guard.c: half-open SAs by source address */
	uint8_t cookie_secret[2][32]; /* by version parity: current, previous */
	uint8_t cookie_ver;
	uint64_t cookie_rotate_at;
	uint64_t log_window;    /* guard.c: second of the unauthenticated... */
	unsigned log_in_window; /* ...log lines, and how many so far */
	uint8_t hash_key[32]; /* keys the request hashes of the answer cache */
	struct msg *msg;      /* the datagram being handled */
	uint8_t *plain; /* IKEV2_MAX_MSG_LEN bytes for decrypted payloads */
	uint8_t *out;   /* IKEV2_MAX_MSG_LEN bytes to build messages in */
};

/* guard.c */
int ike_random(const struct ike_engine *e, void *out, size_t len);
struct dh *ike_dh_new(const struct ike_engine *e, uint16_t group);
void ike_drop(struct ike_engine *e, const struct ike_sa *sa, enum ike_drop why,
	      const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void ike_log_unauth(struct ike_engine *e, enum ike_log_level level,
		    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
size_t guard_half_open_of(const struct ike_engine *e,
			  const struct ike_endpoint *remote);
int guard_half_open_add(struct ike_engine *e, struct ike_sa *sa);
void guard_half_open_del(struct ike_engine *e, struct ike_sa *sa);
void guard_free(struct ike_engine *e);
void guard_cookie(struct ike_engine *e, const struct ike_endpoint *remote,
		  const uint8_t *spi_i, struct bytes ni, uint8_t *out);
bool guard_cookie_ok(struct ike_engine *e, const struct ike_endpoint *remote,
		     const uint8_t *spi_i, struct bytes ni, struct bytes got);
void guard_request_hash(const struct ike_engine *e, struct bytes raw,
			uint8_t out[IKE_REQ_HASH_LEN]);
void id_escape(const uint8_t *p, size_t len, char *out, size_t cap);

/* timerq.c */
void timerq_init(struct ike_sa *sa);
int timerq_set(struct ike_engine *e, struct ike_sa *sa, uint64_t deadline);
uint64_t timerq_next(const struct ike_engine *e);
struct ike_sa *timerq_pop_due(struct ike_engine *e, uint64_t now);

/* engine.c */
void ike_log(struct ike_engine *e, const struct ike_sa *sa,
	     enum ike_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void ike_emit(struct ike_engine *e, const struct ike_sa *sa,
	      enum ike_event_type type, const struct child_sa *c,
	      const char *reason);
void ike_emit_rekeyed(struct ike_engine *e, const struct ike_sa *sa,
		      const struct child_sa *c, unsigned old_id);
const struct ike_conn_cfg *ike_conn(const struct ike_engine *e,
				    const struct ike_sa *sa);
void ike_announce(struct ike_engine *e, const struct ike_sa *sa);

/* sa.c */
struct ike_sa *sa_new(struct ike_engine *e, struct conn *conn, bool initiator);
void sa_set_conn(struct ike_sa *sa, struct conn *conn);
void conn_unref(struct conn *c);
/* conn.c */
/* The engine's deep copy of a config (refs 1, current), or NULL; freed
 * with conn_unref() (conn_free() at the last reference). */
struct conn *conn_copy(struct ike_engine *e, const struct ike_conn_cfg *c);
void conn_free(struct conn *c);
/* Alike in every field and array (pointers aside). */
bool conn_cfg_equal(const struct ike_conn_cfg *a, const struct ike_conn_cfg *b);
/* Connections by name while a set is replaced, so that matching the new
 * set against the old one stays linear in their number. */
struct conn_index {
	size_t *slot; /* index + 1 into conns; 0 free */
	size_t cap;
	struct conn **conns;
};
/* Index conns[0..n) by name (NULL entries skipped); -1 out of memory.
 * Free x->slot. */
int conn_index_init(struct conn_index *x, struct conn **conns, size_t n);
/* The next index of a conn named name from *k on (start with *k =
 * SIZE_MAX), or SIZE_MAX. */
size_t conn_index_next(const struct conn_index *x, const char *name, size_t *k);
void sa_free(struct ike_engine *e, struct ike_sa *sa);
void sa_set_our_spi(struct ike_engine *e, struct ike_sa *sa);
void sa_index_ours(struct ike_engine *e, struct ike_sa *sa);
struct ike_sa *sa_by_ours(const struct ike_engine *e, const uint8_t *spi);
struct ike_sa *sa_by_peer(const struct ike_engine *e, const uint8_t *spi,
			  const struct ike_endpoint *remote);
const uint8_t *sa_our_spi(const struct ike_sa *sa);
struct ike_sa *sa_by_id(const struct ike_engine *e, unsigned id);
void sa_kill(struct ike_engine *e, struct ike_sa *sa, const char *reason);
void sa_await_delete(struct ike_engine *e, struct ike_sa *sa, uint64_t now);
struct child_sa *child_new(struct ike_sa *sa, unsigned cfg);
void child_free(struct child_sa *c);
void child_remove_all(struct ike_engine *e, struct ike_sa *sa);
void sa_schedule(struct ike_engine *e, struct ike_sa *sa);
void sa_auth_done(struct ike_sa *sa);
int child_set_ts(struct child_sa *c, const struct pld_ts *local,
		 const struct pld_ts *remote);
void sa_keys_for(const struct ike_engine *e, const struct ike_sa *sa,
		 bool outbound, struct sk_keys *k);

/* xchg.c */
void xchg_hdr(const struct ike_sa *sa, struct ike_hdr *h, uint8_t exchange,
	      bool response, uint32_t msgid);
int xchg_send_request(struct ike_engine *e, struct ike_sa *sa, uint64_t now,
		      const uint8_t *msg, size_t len, enum xchg_kind kind);
/* The request about to be answered: its hash guards the answer cache. */
void xchg_note_request(struct ike_engine *e, struct ike_sa *sa,
		       const struct msg *m);
bool xchg_is_retransmit(const struct ike_engine *e, const struct ike_sa *sa,
			const struct msg *m);
void xchg_send_response(struct ike_engine *e, struct ike_sa *sa,
			const uint8_t *msg, size_t len);
void xchg_request_done(struct ike_engine *e, struct ike_sa *sa);
uint64_t xchg_tick(struct ike_engine *e, struct ike_sa *sa, uint64_t now);
void xchg_input(struct ike_engine *e, struct ike_sa *sa, uint64_t now,
		struct msg *m);
/* An encrypted answer carrying only one error notify. */
void xchg_notify_reply(struct ike_engine *e, struct ike_sa *sa,
		       const struct msg *req, uint16_t type, struct bytes data);

/* v2_init.c */
int v2_conn_fit(const struct ike_engine *e, size_t i,
		const struct ike_endpoint *local,
		const struct ike_endpoint *remote);
int v2_init_start(struct ike_engine *e, struct ike_sa *sa, uint64_t now);
void v2_init_respond(struct ike_engine *e, uint64_t now,
		     const struct ike_endpoint *local,
		     const struct ike_endpoint *remote, const struct msg *m);
void v2_init_complete(struct ike_engine *e, struct ike_sa *sa, uint64_t now,
		      const struct msg *m);

/* v2_auth.c */
int v2_auth_start(struct ike_engine *e, struct ike_sa *sa, uint64_t now);
void v2_auth_respond(struct ike_engine *e, struct ike_sa *sa, uint64_t now,
		     const struct msg *m);
void v2_auth_complete(struct ike_engine *e, struct ike_sa *sa, uint64_t now,
		      const struct msg *m);

/* v2_child.c */
struct child_keying {
	struct bytes ni, nr;      /* of the exchange creating the child */
	bool initiator;           /* we started that exchange (2.17) */
	const struct secret *gir; /* PFS (CREATE_CHILD_SA with KE), or NULL */
	uint16_t kex_group;       /* responder: our KE to send, if PFS */
	struct bytes kex;
	struct bytes own_nonce; /* responder: our nonce to send, if any */
};

struct child_choice {
	unsigned cfg;
	struct proposal chosen;
	struct pld_ts tsi, tsr; /* narrowed */
};

bool v2_child_wants_transport(const struct msg *m);
void v2_child_put_transport(struct msg_builder *b);
uint32_t v2_child_spi_of(const struct proposal *p);
void v2_child_set_spi(struct proposal *p, uint32_t spi);
int v2_child_alloc_spi(struct ike_engine *e, struct ike_sa *sa,
		       struct child_sa *c);
int v2_child_payloads(const struct msg *m, struct pld_sa *sap,
		      struct pld_ts *tsi, struct pld_ts *tsr);
int v2_child_install(struct ike_engine *e, struct ike_sa *sa,
		     struct child_sa *c, const struct proposal *chosen,
		     const struct child_keying *k);
int v2_child_choose(struct ike_engine *e, struct ike_sa *sa,
		    const struct pld_sa *offer, const struct pld_ts *tsi,
		    const struct pld_ts *tsr, bool transport, int only_cfg,
		    struct child_choice *out, uint16_t *notify);
int v2_child_answer(struct ike_engine *e, struct ike_sa *sa,
		    struct msg_builder *b, const struct child_choice *ch,
		    bool transport, const struct child_keying *k,
		    uint32_t reqid, uint16_t *notify);
int v2_child_finish(struct ike_engine *e, struct ike_sa *sa, struct child_sa *c,
		    const struct msg *m, const struct child_keying *k);
void v2_child_drop(struct ike_engine *e, struct ike_sa *sa, struct child_sa *c,
		   const char *reason);
int v2_child_offer(struct ike_engine *e, struct ike_sa *sa,
		   struct msg_builder *b, unsigned cfg, uint32_t reqid);
int v2_child_accept(struct ike_engine *e, struct ike_sa *sa,
		    const struct msg *m, struct msg_builder *b,
		    uint16_t *notify);
int v2_child_complete(struct ike_engine *e, struct ike_sa *sa,
		      const struct msg *m);
void v2_child_uninstall(struct ike_engine *e, struct ike_sa *sa,
			struct child_sa *c);

/* v2_create.c */
void v2_create_respond(struct ike_engine *e, struct ike_sa *sa, uint64_t now,
		       const struct msg *m);
int v2_create_start(struct ike_engine *e, struct ike_sa *sa, uint64_t now,
		    unsigned cfg);
int v2_create_rekey(struct ike_engine *e, struct ike_sa *sa, uint64_t now,
		    struct child_sa *old);
void v2_create_complete(struct ike_engine *e, struct ike_sa *sa, uint64_t now,
			const struct msg *m);
/* RFC 7296 2.8.1: nonces compared octet by octet, a prefix being lower. */
int v2_nonce_cmp(struct bytes a, struct bytes b);
struct bytes v2_nonce_lowest(struct bytes a, struct bytes b);

/* v2_rekey.c */
void v2_rekey_respond(struct ike_engine *e, struct ike_sa *sa, uint64_t now,
		      const struct msg *m, const struct pld_sa *offer);
int v2_rekey_start(struct ike_engine *e, struct ike_sa *sa, uint64_t now);
void v2_rekey_complete(struct ike_engine *e, struct ike_sa *sa, uint64_t now,
		       const struct msg *m);
bool v2_rekey_take_back(struct ike_engine *e, struct ike_sa *sa);
void v2_rekey_announce(struct ike_engine *e, struct ike_sa *old);

/* v2_info.c */
int v2_info_delete_ike(struct ike_engine *e, struct ike_sa *sa, uint64_t now);
int v2_info_delete_child(struct ike_engine *e, struct ike_sa *sa,
			 struct child_sa *c, uint64_t now);
void v2_info_respond(struct ike_engine *e, struct ike_sa *sa, uint64_t now,
		     const struct msg *m);
void v2_info_complete(struct ike_engine *e, struct ike_sa *sa, uint64_t now,
		      const struct msg *m);

/* ts.c */
void ts_from_cfg(const struct ike_ts_cfg *cfg, unsigned n,
		 const struct ike_endpoint *self, struct pld_ts *out);
int ts_narrow(const struct pld_ts *offered, const struct pld_ts *allowed,
	      struct pld_ts *out);
void ts_format(const struct ts *t, char *buf, size_t len);

#endif
