/* SPDX-License-Identifier: ISC */
/*
 * libike's engine internals: the IKE and CHILD SA structures and the
 * prototypes of each file, grouped under the file that owns them.
 */
#ifndef LIBIKE_IKE_INT_H
#define LIBIKE_IKE_INT_H

#include "crypto.h"
#include "ike.h"
#include "keymat_v1.h"
#include "msg_v1.h"

#define IKE_NONCE_LEN   32
#define IKE_COOKIE_MAC  16                   /* truncated HMAC-SHA-256 */
#define IKE_COOKIE_LEN  (1 + IKE_COOKIE_MAC) /* secret version | MAC */
#define IKE_SA_BUCKETS  1024 /* grows with the table; a power of two */
#define IKE_SRC_BUCKETS 1024 /* half-open counts by source address */

/* Where an IKE SA is, whatever its version. How far a CONNECTING SA
 * has come is the version's own business (enum v2_phase). */
enum ike_sa_state {
	IKE_SA_CONNECTING, /* being negotiated: see the version's phase */
	IKE_SA_ESTABLISHED,
	IKE_SA_DELETING, /* our DELETE is out, or the peer's is awaited */
	IKE_SA_DEAD,     /* to be freed at the next tick */
};

/* IKEv2's phases of a CONNECTING SA (RFC 7296 1.2). */
enum v2_phase {
	V2_INIT_SENT, /* initiator: IKE_SA_INIT request out */
	V2_AUTH_SENT, /* initiator: IKE_AUTH request out */
	V2_INIT_DONE, /* responder: IKE_SA_INIT answered */
	V2_INIT_KE,   /* responder: our key exchange is computed elsewhere
			 (struct ike_job); nothing is answered meanwhile */
};

/*
 * The states an exchange table entry (struct xchg_ops) allows, one bit
 * each: the common ones, and each version's phases standing in for
 * CONNECTING (IKEv2's phase p is XS_V2_INIT_SENT << p; xchg_state_bit()).
 * IKEv1's phases get bits of their own here.
 */
#define XS_ESTABLISHED  0x0001u
#define XS_DELETING     0x0002u
#define XS_V2_INIT_SENT 0x0010u
#define XS_V2_AUTH_SENT 0x0020u
#define XS_V2_INIT_DONE 0x0040u
#define XS_V2_INIT_KE   0x0080u /* no exchange runs in it */

struct child_sa {
	unsigned id;
	unsigned cfg; /* index into the connection's children */
	uint32_t spi_in, spi_out;
	uint32_t reqid;
	uint16_t encr, encr_bits, integ;
	bool esn;
	bool installed;
	bool creating;        /* our CREATE_CHILD_SA request is out */
	bool deleting;        /* our DELETE for it is out */
	bool superseded;      /* IKEv1: rekeyed; goes at rekey_at */
	bool adopted;         /* IKEv1: taken over from an older ISAKMP SA */
	uint64_t rekey_at;    /* when we rekey it; 0: never or under way */
	unsigned replaces;    /* a rekey: the id of the child it succeeds */
	unsigned replaces_sa; /* IKEv1: ...in that IKE SA, when not ours
				 (an ISAKMP SA's replacement renews it) */
	uint32_t peer_gone;   /* creating: an SPI the peer deleted before its
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

struct ike_engine;
struct ike_sa;

typedef void xchg_fn(struct ike_engine *e, struct ike_sa *sa, uint64_t now,
		     const struct msg *m);

/*
 * One exchange of one IKE version as xchg.c dispatches it; each exchange
 * file exports its entries and xchg.c lists them all in one table.
 *
 * A request of ours records its entry (struct pending): the answer must
 * carry the same exchange type and message ID, and goes to that entry's
 * complete, and only while the SA is in one of resp_states. A request
 * from the peer goes to the entry of the SA's version and its exchange
 * type that has respond, and only while the SA is in one of req_states.
 * Several entries may share an exchange type (CREATE_CHILD_SA makes CHILD
 * SAs or rekeys the IKE SA): one of them answers the peer's requests.
 */
struct xchg_ops {
	const char *name;
	uint8_t version;      /* 1 or 2 */
	uint8_t exchange;     /* exchange type on the wire */
	bool clear;           /* answered unencrypted (IKE_SA_INIT): complete
				 checks it and ends the request itself */
	unsigned req_states;  /* XS_*: the peer's request answered in */
	unsigned resp_states; /* XS_*: the answer to ours acted on in */
	xchg_fn *respond;     /* NULL: the peer's requests go elsewhere */
	xchg_fn *complete;    /* the answer to our request */
};

/*
 * What the engine asks of an IKE version besides answering messages (the
 * exchange table does that): the host's commands and the timers' duties
 * on an SA of that version, and the hooks of its SA's life. xchg.c keeps
 * one per version (ike_version_ops); IKEv1's joins IKEv2's there.
 */
struct ike_version_ops {
	uint8_t version;
	/* Start negotiating the new SA (its SPI is set). */
	int (*initiate)(struct ike_engine *e, struct ike_sa *sa, uint64_t now);
	/* On an established SA: a new CHILD SA of child config cfg. */
	int (*create_child)(struct ike_engine *e, struct ike_sa *sa,
			    uint64_t now, unsigned cfg);
	int (*rekey_ike)(struct ike_engine *e, struct ike_sa *sa, uint64_t now);
	int (*rekey_child)(struct ike_engine *e, struct ike_sa *sa,
			   uint64_t now, struct child_sa *c);
	int (*delete_ike)(struct ike_engine *e, struct ike_sa *sa,
			  uint64_t now);
	int (*delete_child)(struct ike_engine *e, struct ike_sa *sa,
			    struct child_sa *c, uint64_t now);
	/* An empty request: is the peer there? */
	int (*liveness)(struct ike_engine *e, struct ike_sa *sa, uint64_t now);
	/* The kernel state of a CHILD SA goes (its record stays). */
	void (*uninstall_child)(struct ike_engine *e, struct ike_sa *sa,
				struct child_sa *c);
	/* About to report on sa: what must be reported first, first. */
	void (*announce)(struct ike_engine *e, const struct ike_sa *sa);
	/* sa is being killed: settle what depends on it. */
	void (*going)(struct ike_engine *e, struct ike_sa *sa);
	/* Optional: the version's timers besides the request in flight
	 * (IKEv1 Quick Mode responders resend their answer). Acts on what
	 * is due by now (0: nothing is) and returns the next deadline,
	 * UINT64_MAX if none. */
	uint64_t (*timers)(struct ike_engine *e, struct ike_sa *sa,
			   uint64_t now);
};

/* The request we are waiting on an answer for (one: window size 1). */
struct pending {
	uint8_t *msg;
	size_t len;
	bool framed;                /* msg holds fragments (v2_frag.c) */
	const struct xchg_ops *ops; /* what it is for */
	uint64_t deadline;
	uint32_t msgid;
	unsigned tries;
};

#define IKE_REQ_HASH_LEN 16

/* A connection as the engine holds it. Its SAs hold it too (one reference
 * each), so they stay on the very config they were made with across
 * reloads; one that left the engine's set accepts nothing new and goes
 * with its last SA. */
struct conn {
	unsigned refs;
	bool leaving;            /* ike_engine_set_conns() is dropping it */
	struct prop_pool *pool;  /* the engine's: cfg's proposal lists */
	struct ike_conn_cfg cfg; /* a deep copy: its arrays are the conn's */
	void *extra; /* one block: cfg's address lists, then its IDs' data */
};

/*
 * What an IKEv2 SA holds beyond the common part: the key exchange and
 * nonces of IKE_SA_INIT (kept until IKE_AUTH signs them), the SK keys,
 * and our rekey of the IKE SA with its collision bookkeeping (2.8.2).
 */
/* v2_frag.c: the peer's fragments being collected, and the hash of the
 * first fragment of the request last reassembled (its retransmission
 * gets our cached answer). */
struct v2_reasm {
	struct frag_reasm r;
	uint64_t started;
	bool first_hashed;
	uint8_t first[IKE_REQ_HASH_LEN];
};

struct v2_state {
	uint8_t phase; /* enum v2_phase, while CONNECTING */
	uint16_t dh_group;
	unsigned collided; /* made by the peer's rekey of this SA while ours
			      of it was out (2.8.2): that SA's id */
	struct dh *dh;
	struct secret *ni, *nr;
	struct bytes cookie;           /* owned copy, from the responder */
	uint8_t *init_req, *init_resp; /* for the AUTH payload (2.15) */
	size_t init_req_len, init_resp_len;
	struct ike_suite suite;
	struct ike_keys keys;
	bool frag_peer;         /* the peer takes fragments (RFC 7383) */
	struct v2_reasm *reasm; /* v2_frag.c: the peer's, on demand */
	struct {                /* our IKE SA rekey request in flight */
		bool active;
		uint8_t spi[IKEV2_SPI_LEN];
		struct secret *ni;
		struct dh *dh;
		unsigned peer_new; /* the peer's colliding rekey made it */
		bool announced;    /* ...and it was reported as our successor */
	} rk;
};

/* IKEv1 Main Mode phases of a CONNECTING SA (RFC 2409 5): the message
 * we last sent, whose answer we wait for. */
enum v1_phase {
	V1_MM_I1, /* initiator: message 1 (SA) out */
	V1_MM_I3, /* initiator: message 3 (KE, Nonce) out */
	V1_MM_I5, /* initiator: message 5 (ID, HASH_I) out */
	V1_MM_R2, /* responder: message 2 (SA) out */
	V1_MM_R4, /* responder: message 4 (KE, Nonce) out */
	V1_AM_I1, /* Aggressive Mode initiator: message 1 out */
	V1_AM_R2, /* Aggressive Mode responder: message 2 out */
};

/* What only phase 1 needs (HASH_I/HASH_R, the keys): allocated with it
 * and freed once both HASHes are checked, so that an established SA (of
 * either version: they share a union) does not carry it. */
struct v1_handshake {
	struct dh *dh;
	struct secret *ni, *nr;
	struct bytes sai_b;    /* owned: the initiator's SA payload body */
	struct bytes gxi, gxr; /* owned: the KE payloads' data */
	struct bytes idb;      /* owned: Aggressive Mode responder's IDii_b */
};

/* One Quick Mode exchange in flight (v1_quick.c). Here rather than in
 * v1_quick.c so that the session fuzzer (test/fuzz/fuzz_session_v1.c)
 * can forge messages 2 and 3 of an exchange under way: they need its IV
 * and nonces. */
struct v1_qm {
	struct v1_qm *next;
	uint32_t mid;
	bool initiator;
	unsigned child; /* the child_sa it creates */
	struct v1_iv iv;
	struct secret *ni, *nr;
	struct dh *dh;
	struct secret *gxy; /* PFS */
	/* Responder: message 1's hash (a repeat gets message 2 again),
	 * message 2 for its retransmission, and what message 3 installs. */
	uint8_t req_hash[IKE_REQ_HASH_LEN];
	uint8_t *msg;
	size_t len;
	uint64_t deadline;
	unsigned tries;
	uint32_t life_s;
	struct proposal chosen;
};

/*
 * What an IKEv1 SA holds beyond the common part: the phase 1 suite and
 * keys, the phase 1 IV chain, and what HASH_I/HASH_R need until they are
 * checked (the initiator's SA payload body, both KE values, the nonces),
 * freed once ESTABLISHED. Quick Mode state joins here with v1_quick.c.
 */
struct v1_state {
	uint8_t phase; /* enum v1_phase, while CONNECTING */
	bool aggr;     /* phase 1 is Aggressive Mode (v1_aggr.c) */
	uint16_t dh_group;
	struct v1_handshake *hs; /* phase 1 only (v1_main.c) */
	struct v1_suite suite;
	struct v1_keys keys;
	struct v1_iv iv;    /* the phase 1 chain */
	uint32_t life_s;    /* the ISAKMP SA's lifetime as chosen */
	uint64_t ends_at;   /* when that lifetime is over */
	unsigned replaces;  /* v1_rekey.c: the SA this one replaces */
	unsigned successor; /* ...and the one replacing this one */
	struct v1_qm *qm;   /* v1_quick.c: Quick Modes in flight */
	uint8_t encap;      /* enum ike_v1_encap: ESP in UDP (natt) */
	uint8_t n_qm;
	uint8_t done_next;
	/* The last Quick Modes we finished answering: a late repeat of
	 * their message 1 must not make a second pair. */
	uint32_t done_mid[4];
	uint16_t auth; /* IKEV1_AUTH_*: the chosen method */
	/* Dead Peer Detection (v1_vid.c, v1_dpd.c, RFC 3706). */
	bool peer_dpd;         /* the peer sent the DPD vendor ID */
	bool dpd_said;         /* "did not announce DPD" logged once */
	bool dpd_seq_set;      /* dpd_seq drawn: a random start */
	bool dpd_peer_seen;    /* dpd_peer_seq is the peer's */
	uint8_t dpd_tries;     /* retransmits of the check in flight */
	uint32_t dpd_seq;      /* our last R-U-THERE's sequence number */
	uint32_t dpd_first;    /* the first of the check in flight */
	uint32_t dpd_peer_seq; /* the peer's newest R-U-THERE */
	uint64_t dpd_deadline; /* the check's next retransmit; 0: none */
};

/*
 * An IKE SA. The first part is what every version has and what the
 * engine, the timers, the exchange window and the queries work with; the
 * version's own state follows in a union (one SA speaks one version, and
 * IKEv1's state joins IKEv2's there, so an SA costs the larger of the
 * two). The v<version>_*.c files look inside it, and besides them only
 * xchg.c (the state bits, the IKEv2 message path) and sa.c (freeing it,
 * sa_keys_for).
 */
struct ike_sa {
	unsigned id;
	unsigned next_child_id; /* the last CHILD SA id given out */
	struct conn *conn;
	uint8_t version; /* 1 or 2: which of the union is in use */
	bool initiator;
	bool rekeyed;   /* replaced by a new IKE SA: goes without an event */
	bool refused;   /* initiator: the responder failed authentication;
			   deleted without having been up */
	bool half_open; /* counted in the engine's half-open totals */
	enum ike_sa_state state;
	uint64_t rekey_at; /* when we rekey it; 0: never or under way */
	uint64_t
	    expire_at; /* not established (or left DELETING): dropped then */
	uint8_t spi_i[IKEV2_SPI_LEN], spi_r[IKEV2_SPI_LEN];
	struct ike_endpoint local, remote;
	struct proposal *ike_prop; /* the chosen one, for queries */

	/* The authenticated peer, for queries and a rekey's successor: both
	 * versions' ID payloads carry a type and the identity. */
	struct pld_id peer_id; /* data points into peer_id_buf */
	uint8_t peer_id_buf[IKE_ID_MAX];
	/* Our ID when the host chose it (env.auth_local_id), for queries;
	 * NULL when configured or our address (the SA stays small). */
	uint8_t *own_id;
	size_t own_id_len;
	uint8_t own_id_type;
	unsigned want_child; /* initiator: child cfg to create + 1 */
	unsigned attempt;    /* initiator: keying try, from 1 (keyingtries) */

	/* exchanges */
	uint32_t msgid_out; /* next request we send */
	uint32_t msgid_in;  /* next request we expect */
	struct pending req;
	uint8_t *resp; /* cached answer to msgid_in - 1 */
	size_t resp_len;
	bool resp_framed; /* resp holds fragments (v2_frag.c) */
	/* A keyed hash of the request resp answers: only that very request,
	 * retransmitted, gets resp again (RFC 7296 2.1). */
	uint8_t resp_req_hash[IKE_REQ_HASH_LEN];

	struct child_sa *children;

	struct ike_sa *hnext_ours;  /* by our SPI */
	struct ike_sa *hnext_peer;  /* half-open, by peer SPI */
	struct ike_sa *hnext_id;    /* by id */
	struct ike_sa *next, *prev; /* all SAs, newest first */
	uint64_t deadline;          /* timer heap key, UINT64_MAX: not in it */
	size_t heap_idx;

	uint64_t last_heard; /* xchg.c: the last message whose ICV held */
	bool nat_local, nat_remote; /* ike_sa_set_nat (natt): for list-sas */
	unsigned more_children; /* actions.c: bit i, child cfg i to create */
	/* sa_kill: bit i, child cfg i was installed or being created when
	 * the SA died, for ike_reinitiate from its IKE_DOWN or FAILED
	 * event (the children are gone by then). */
	unsigned had_children;
	/* sa_kill is under way: its events are being heard, the SA still
	 * shows its last state, and nothing may start on it. */
	bool dying;
	union {
		struct v2_state v2; /* version 2 */
		struct v1_state v1; /* version 1 */
	};
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
	bool freeing; /* ike_engine_free() runs: no sa_freed calls */
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
	/* Where that datagram came from and arrived on (ike_input), NULL
	 * outside it: a response goes back the way its request came (RFC
	 * 7296 2.11), and the hooks see the endpoints as they travel. */
	const struct ike_endpoint *in_local, *in_remote;
	uint8_t *plain; /* IKEV2_MAX_MSG_LEN bytes for decrypted payloads */
	uint8_t *out;   /* IKEV2_MAX_MSG_LEN bytes to build messages in */
	struct ext_state *ext; /* ext.c: the hooks' view of input */
	unsigned frag_size;    /* largest IP datagram of a fragment; 0: off */
	struct host_timers *htimers; /* timer_host.c */
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
struct ike_sa *sa_new(struct ike_engine *e, struct conn *conn, bool initiator,
		      uint8_t version);
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
struct child_sa *child_by_spi_out(const struct ike_sa *sa, uint32_t spi);
struct child_sa *child_creating(const struct ike_sa *sa);
void child_unlink(struct ike_sa *sa, struct child_sa *c);
void child_free(struct child_sa *c);
void child_remove_all(struct ike_engine *e, struct ike_sa *sa);
void sa_schedule(struct ike_engine *e, struct ike_sa *sa);
int child_set_ts(struct child_sa *c, const struct pld_ts *local,
		 const struct pld_ts *remote);
void sa_keys_for(const struct ike_engine *e, const struct ike_sa *sa,
		 bool outbound, struct sk_keys *k);

/* xchg.c */
void xchg_hdr(const struct ike_sa *sa, struct ike_hdr *h, uint8_t exchange,
	      bool response, uint32_t msgid);
int xchg_begin(struct ike_engine *e, const struct ike_sa *sa,
	       struct msg_builder *b, struct sk_keys *k, uint8_t exchange,
	       bool response, uint32_t msgid);
size_t xchg_end(struct msg_builder *b, const struct sk_keys *k);
int xchg_send_request(struct ike_engine *e, struct ike_sa *sa, uint64_t now,
		      const uint8_t *msg, size_t len,
		      const struct xchg_ops *ops);
/* The ops of a version (NULL: not implemented), and of an SA's. */
const struct ike_version_ops *ike_version_ops(uint8_t version);
const struct ike_version_ops *sa_version(const struct ike_sa *sa);
/* The exchange table: its i-th entry (NULL past the end), the SA's state
 * as its masks name it, the entry answering the peer's request in the
 * SA's version and state (NULL: dropped), and whether the answer to our
 * request in flight may be acted on now. */
const struct xchg_ops *xchg_ops_at(size_t i);
unsigned xchg_state_bit(const struct ike_sa *sa);
const struct xchg_ops *xchg_request_ops(const struct ike_sa *sa,
					uint8_t exchange);
bool xchg_response_ok(const struct ike_sa *sa);
/* The request about to be answered: its hash guards the answer cache. */
void xchg_note_request(struct ike_engine *e, struct ike_sa *sa,
		       const struct msg *m);
bool xchg_is_retransmit(const struct ike_engine *e, const struct ike_sa *sa,
			const struct msg *m);
/* v2_frag.c */
int v2_frag_out(struct ike_engine *e, const struct ike_sa *sa,
		const uint8_t *msg, size_t len, uint8_t **framed,
		size_t *framed_len);
void v2_frag_send(struct ike_engine *e, const struct ike_endpoint *local,
		  const struct ike_endpoint *remote, const uint8_t *buf,
		  size_t len);
int v2_frag_in(struct ike_engine *e, struct ike_sa *sa, struct msg *m,
	       const struct sk_keys *k, struct ike_err *err);
void v2_frag_reasm_free(struct ike_sa *sa);
void xchg_transmit(struct ike_engine *e, const struct ike_endpoint *local,
		   const struct ike_endpoint *remote, const uint8_t *buf,
		   size_t len, bool framed);
void xchg_send_back(struct ike_engine *e, const struct ike_sa *sa,
		    const uint8_t *msg, size_t len, bool framed);
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
extern const struct xchg_ops v2_init_ops;
/* How well connection i's addresses fit (any version), -1 not at all. */
int conn_fit_addrs(const struct ike_engine *e, size_t i,
		   const struct ike_endpoint *local,
		   const struct ike_endpoint *remote);
int v2_conn_fit(const struct ike_engine *e, size_t i,
		const struct ike_endpoint *local,
		const struct ike_endpoint *remote);
int v2_init_start(struct ike_engine *e, struct ike_sa *sa, uint64_t now);
void v2_init_respond(struct ike_engine *e, uint64_t now,
		     const struct ike_endpoint *local,
		     const struct ike_endpoint *remote, const struct msg *m);

/*
 * A responder's key exchange for IKE_SA_INIT, computed on another thread
 * (ike_env.offload): the inputs are copies, so ike_job_run() touches
 * nothing of the engine's, and the engine finds the SA again by id and
 * SPIs, since it may be gone by then (job.c).
 */
struct ike_job {
	/* Read by ike_job_run(). */
	uint16_t group;
	size_t peer_len, pub_len; /* peer's value, then ours, in data[] */
	/* Written by ike_job_run(). */
	bool ran;
	int rc;                /* 0, JOB_KEYGEN or JOB_PEER */
	struct secret *shared; /* g^ir */
	/* The engine's own. */
	unsigned sa_id;
	uint8_t spi_i[IKEV2_SPI_LEN], spi_r[IKEV2_SPI_LEN];
	size_t ke_at; /* where our value goes in the SA's init_resp */
	uint8_t data[];
};

enum { JOB_KEYGEN = -1, JOB_PEER = -2 };

struct ike_job *job_new(uint16_t group, struct bytes peer);
void job_free(struct ike_job *j);
/* The job for sa is done (or was dropped unrun): answer or fail. */
void v2_init_ke_done(struct ike_engine *e, struct ike_sa *sa,
		     struct ike_job *j);

/* v2_auth.c */
extern const struct xchg_ops v2_auth_ops;
int v2_auth_start(struct ike_engine *e, struct ike_sa *sa, uint64_t now);

/* child.c: what every CHILD SA goes through, whichever version made it */
int child_alloc_spi(struct ike_engine *e, struct ike_sa *sa,
		    struct child_sa *c);
/* The encryption, integrity and ESN the chosen ESP proposal names, on
 * c; the key lengths KEYMAT is cut into. -1 (logged) if not
 * implemented. */
int child_take_algs(struct ike_engine *e, const struct ike_sa *sa,
		    struct child_sa *c, const struct proposal *p,
		    size_t *encr_len, size_t *integ_len);
/* Keys and kernel state for a child whose algorithms (c->encr...),
 * SPIs and selectors are settled: the host installs it, CHILD_UP is
 * emitted, and c->rekey_at is set rekey_ms from now (0: not). keys are
 * the exchange's: initiator says whether we started that exchange. */
int child_install_keyed(struct ike_engine *e, struct ike_sa *sa,
			struct child_sa *c, const struct child_keys *keys,
			bool initiator, uint64_t rekey_ms);
void child_uninstall(struct ike_engine *e, struct ike_sa *sa,
		     struct child_sa *c);
/* What the host was told of an installed child (ike_sa_move). */
void child_describe(struct ike_engine *e, const struct ike_sa *sa,
		    const struct child_sa *c, struct ike_child_install *ci);

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
	/* Transport mode through a NAT (2.23.1): tsi and tsr name the IKE
	 * SA's endpoints, and the answer gives back the addresses the
	 * initiator named (ts_nat_hosts). */
	bool nat;
	uint8_t named_i[16], named_r[16];
};

bool v2_child_wants_transport(const struct msg *m);
void v2_child_put_transport(struct msg_builder *b);
uint32_t v2_child_spi_of(const struct proposal *p);
void v2_child_set_spi(struct proposal *p, uint32_t spi);
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

/* v2_create.c */
extern const struct xchg_ops v2_create_ops;
int v2_create_start(struct ike_engine *e, struct ike_sa *sa, uint64_t now,
		    unsigned cfg);
int v2_create_rekey(struct ike_engine *e, struct ike_sa *sa, uint64_t now,
		    struct child_sa *old);
/* RFC 7296 2.8.1: nonces compared octet by octet, a prefix being lower. */
int v2_nonce_cmp(struct bytes a, struct bytes b);
struct bytes v2_nonce_lowest(struct bytes a, struct bytes b);

/* v2_rekey.c */
extern const struct xchg_ops v2_rekey_ops;
void v2_rekey_respond(struct ike_engine *e, struct ike_sa *sa, uint64_t now,
		      const struct msg *m, const struct pld_sa *offer);
int v2_rekey_start(struct ike_engine *e, struct ike_sa *sa, uint64_t now);
void v2_rekey_complete(struct ike_engine *e, struct ike_sa *sa, uint64_t now,
		       const struct msg *m);
bool v2_rekey_take_back(struct ike_engine *e, struct ike_sa *sa);
void v2_rekey_announce_peers(struct ike_engine *e, const struct ike_sa *sa);
void v2_rekey_announce(struct ike_engine *e, struct ike_sa *old);

/* v2_info.c */
extern const struct xchg_ops v2_delete_ops, v2_liveness_ops;
int v2_info_delete_ike(struct ike_engine *e, struct ike_sa *sa, uint64_t now);
int v2_info_liveness(struct ike_engine *e, struct ike_sa *sa, uint64_t now);
int v2_info_delete_child(struct ike_engine *e, struct ike_sa *sa,
			 struct child_sa *c, uint64_t now);

/* v1_input.c */
void v1_input(struct ike_engine *e, uint64_t now,
	      const struct ike_endpoint *local,
	      const struct ike_endpoint *remote, const uint8_t *pkt,
	      size_t len);
/* Our message that awaits an answer: sent, kept for retransmission on
 * the engine's back-off (xchg_tick), which gives up in the end. */
int v1_send_request(struct ike_engine *e, struct ike_sa *sa, uint64_t now,
		    const uint8_t *msg, size_t len);
/* Our answer to the peer's message m, kept for its retransmission. */
void v1_send_reply(struct ike_engine *e, struct ike_sa *sa,
		   const struct msg_v1 *m, const uint8_t *msg, size_t len);
/* Encrypt the body of the message of len bytes in e->out under the
 * phase 1 key and IV chain; the new length, 0 on failure. */
size_t v1_seal(struct ike_engine *e, struct ike_sa *sa, size_t len);
/* The same under the IV of one phase 2 or Informational exchange
 * (v1_iv_phase2), which moves on to the last ciphertext block; the
 * phase 1 chain stays as it is. */
size_t v1_seal_iv(struct ike_engine *e, struct ike_sa *sa, size_t len,
		  struct v1_iv *iv);
/* Decrypt m's body into e->plain and frame it; the SA's phase 1 IV
 * moves on only when the body decrypted to a payload chain. -1 if it is
 * no whole number of blocks or no payload chain. */
int v1_open(struct ike_engine *e, struct ike_sa *sa, struct msg_v1 *m,
	    struct ike_err *err);
/* The same with the IV chain of a phase 2 or Informational exchange. */
int v1_open_iv(struct ike_engine *e, struct ike_sa *sa, struct msg_v1 *m,
	       struct v1_iv *iv, struct ike_err *err);
extern const struct ike_version_ops v1_version;

/* v1_info.c: Informational exchanges on an established ISAKMP SA */
/* The peer's Informational m (any but Main Mode's unprotected errors):
 * HASH(1) verified, then its DELETEs and notifies acted on. */
void v1_info_input(struct ike_engine *e, struct ike_sa *sa, uint64_t now,
		   struct msg_v1 *m);
/* One protected Informational with one notify (e.g. Quick Mode's
 * NO-PROPOSAL-CHOSEN or INVALID-ID-INFORMATION about a phase 2 SPI), or
 * one DELETE of n SPIs of spi_size octets each (ISAKMP: the cookie pair,
 * 16 octets; ESP/AH: our inbound SPIs, 4). Sent at once, not
 * retransmitted (nothing answers it). 0, or -1 logged. */
int v1_info_notify(struct ike_engine *e, struct ike_sa *sa, uint16_t type,
		   uint8_t proto, const uint8_t *spi, size_t spi_len,
		   struct bytes data);
int v1_info_delete(struct ike_engine *e, struct ike_sa *sa, uint8_t proto,
		   const uint8_t *spis, size_t spi_size, unsigned n);
/* The version ops delete_ike and delete_child. */
int v1_info_delete_ike(struct ike_engine *e, struct ike_sa *sa, uint64_t now);
/* The ISAKMP DELETE of sa alone (its IPsec SAs are not named). */
int v1_info_delete_isakmp(struct ike_engine *e, struct ike_sa *sa);
int v1_info_delete_child(struct ike_engine *e, struct ike_sa *sa,
			 struct child_sa *c, uint64_t now);

/* v1_dpd.c: Dead Peer Detection (RFC 3706) */
/* An R-U-THERE or R-U-THERE-ACK that arrived in a verified
 * Informational: the first answered, the second matched to our check.
 * Each sets sa->last_heard only when it shows the peer there now (a
 * fresh sequence number), as a replayed one would not. */
void v1_dpd_notify(struct ike_engine *e, struct ike_sa *sa, uint64_t now,
		   const struct pld_v1_notify *n);
/* The liveness op: an R-U-THERE, retransmitted by v1_dpd_timers until
 * its ACK comes or the tries are over (then the SA is killed, "peer not
 * responding"). -1 with a line if the peer did not send the DPD vendor
 * ID. */
int v1_dpd_liveness(struct ike_engine *e, struct ike_sa *sa, uint64_t now);
/* Due retransmissions of the check in flight (none when now is 0); the
 * next deadline, UINT64_MAX if none. */
uint64_t v1_dpd_timers(struct ike_engine *e, struct ike_sa *sa, uint64_t now);

/* v1_vid.c: phase 1 vendor IDs */
/* Once per phase 1 message 1 or 2: the peer's vendor IDs in m (not NULL)
 * read (the DPD flag, one log line), ours put in b (not NULL). */
void v1_vid(struct ike_engine *e, struct ike_sa *sa, const struct msg_v1 *m,
	    struct msg_builder *b);
/* The name of a well-known vendor ID, NULL if not one we know. */
const char *v1_vid_name(struct bytes vid);

/* v1_sa.c: the ISAKMP SA payloads of Main Mode (through prop_v1.c) */
/* Our offer for the SA's connection, as an SA payload in b. */
int v1_sa_offer(struct ike_engine *e, struct ike_sa *sa, struct msg_builder *b);
/* Responder: choose from the peer's SA payload r and echo the choice in
 * b; the chosen proposal goes to sa->ike_prop and the suite. -1 logged. */
int v1_sa_choose(struct ike_engine *e, struct ike_sa *sa,
		 const struct pld_ref *r, struct msg_builder *b);
/* Initiator: the responder's answer r must be one transform of ours. */
int v1_sa_chosen(struct ike_engine *e, struct ike_sa *sa,
		 const struct pld_ref *r);
/* Aggressive Mode: the offer of one group (the first transform's, set
 * as sa->v1.dh_group), and the choice of a transform whose group makes
 * the peer's KE of ke_len bytes. */
int v1_sa_offer_one_group(struct ike_engine *e, struct ike_sa *sa,
			  struct msg_builder *b);
int v1_sa_choose_ke(struct ike_engine *e, struct ike_sa *sa,
		    const struct pld_ref *r, size_t ke_len,
		    struct msg_builder *b);

/* v1_main.c */
int v1_main_start(struct ike_engine *e, struct ike_sa *sa, uint64_t now);
void v1_main_respond(struct ike_engine *e, uint64_t now,
		     const struct ike_endpoint *local,
		     const struct ike_endpoint *remote, struct msg_v1 *m);
void v1_main_input(struct ike_engine *e, struct ike_sa *sa, uint64_t now,
		   struct msg_v1 *m);
void v1_state_free(struct v1_state *v);
/* The phase 1 state of a new SA (struct v1_handshake); -1 if out of
 * memory. */
int v1_handshake_new(struct ike_sa *sa);
/* A responder SA of connection ci for the peer's message 1 m, in phase
 * V1_MM_R2 or V1_AM_R2 (the hooks have seen m); NULL if it could not be
 * made or a hook refused m. */
struct ike_sa *v1_responder_sa(struct ike_engine *e, int ci,
			       const struct ike_endpoint *local,
			       const struct ike_endpoint *remote,
			       const struct msg_v1 *m, uint8_t phase);
/* Shared with Aggressive Mode (v1_aggr.c), which has the same keys,
 * IDs and hashes in fewer messages. */
extern const char *const v1_wrong_psk_i, *const v1_wrong_psk_r;
int v1_keep_bytes(struct bytes *dst, struct bytes src);
void v1_our_id(struct ike_engine *e, const struct ike_sa *sa,
	       struct ike_id_cfg *id, uint8_t buf[IKE_ID_MAX]);
bool v1_id_matches(const struct ike_id_cfg *want, const struct pld_v1_id *got);
void v1_id_text(const struct pld_v1_id *id, char *buf, size_t len);
/* The SA payload body of our message 1 in e->out, kept as SAi_b. */
int v1_keep_own_sa_body(struct ike_engine *e, struct ike_sa *sa, size_t len);
/* Our KE and nonce into b (the group is sa->v1.dh_group); the peer's
 * taken from m (-1 logged if missing or of the wrong length). */
int v1_put_ke_nonce(struct ike_engine *e, struct ike_sa *sa,
		    struct msg_builder *b);
int v1_take_ke_nonce(struct ike_engine *e, struct ike_sa *sa,
		     const struct msg_v1 *m);
/* SKEYID from the host, then the keys and the phase 1 IV; -1 logged. */
int v1_derive_keys(struct ike_engine *e, struct ike_sa *sa);
/* HASH_I (responder false) or HASH_R over the ID payload body idb. */
int v1_hash_auth(const struct ike_sa *sa, bool responder, struct bytes idb,
		 uint8_t *out);
/* An unprotected Informational with one notify about the ISAKMP SA. */
void v1_notify_clear(struct ike_engine *e, struct ike_sa *sa, uint16_t type);
void v1_established(struct ike_engine *e, struct ike_sa *sa);
/* The connection for a message 1 from remote to local, -1 if none. */
int v1_conn_for(const struct ike_engine *e, const struct ike_endpoint *local,
		const struct ike_endpoint *remote, bool aggressive);
/* The size and half-open limits for a message 1 of the named mode. */
bool v1_admission_ok(struct ike_engine *e, const struct ike_endpoint *remote,
		     const struct msg_v1 *m, const char *mode);
static inline const char *
v1_mode(const struct ike_sa *sa)
{
	return sa->v1.aggr ? "Aggressive Mode" : "Main Mode";
}

/* v1_aggr.c */
int v1_aggr_start(struct ike_engine *e, struct ike_sa *sa, uint64_t now);
/* A message 1 from a new peer: refused unless a connection allows it. */
void v1_aggr_respond(struct ike_engine *e, uint64_t now,
		     const struct ike_endpoint *local,
		     const struct ike_endpoint *remote, struct msg_v1 *m);
void v1_aggr_input(struct ike_engine *e, struct ike_sa *sa, uint64_t now,
		   struct msg_v1 *m);

/* v1_ts.c: Quick Mode IDs as traffic selectors */
#define V1_TS_ID_MAX 32
/* -1 if the selector has no IKEv1 form (a port range). */
int v1_ts_to_id(const struct ts *t, struct pld_v1_id *id,
		uint8_t buf[V1_TS_ID_MAX]);
/* -1 if the ID is not an address, subnet or range, or malformed. */
int v1_id_to_ts(const struct pld_v1_id *id, struct ts *t);

/* v1_rekey.c: a new ISAKMP SA in place of an old one, the IPsec SAs
 * handed over. start: a new phase 1 to replace sa; established: sa is
 * up, take over from the SA it replaces and delete that one; adopt: old
 * is ending, its children go to a newer SA with the same peer if there
 * is one (true). */
int v1_rekey_start(struct ike_engine *e, struct ike_sa *sa, uint64_t now);
void v1_rekey_established(struct ike_engine *e, struct ike_sa *sa);
bool v1_rekey_adopt(struct ike_engine *e, struct ike_sa *old);
struct child_sa *v1_child_by_spi_out(struct ike_engine *e, struct ike_sa *sa,
				     uint32_t spi, struct ike_sa **owner);
/* sa replaces an SA of ours: renew its next pair on sa, or when none is
 * left delete it (after each of sa's Quick Modes). */
void v1_rekey_continue(struct ike_engine *e, struct ike_sa *sa, uint64_t now);

/* v1_natt.c: what Quick Mode does through a NAT (RFC 3947 5) */
void v1_nat_hosts(const struct ike_sa *sa, struct ts *ti, struct ts *tr);
void v1_natoa_log(struct ike_engine *e, struct ike_sa *sa,
		  const struct msg_v1 *m);
void v1_natoa_put(const struct ike_sa *sa, struct msg_builder *b);

/* v1_quick.c */
int v1_quick_start(struct ike_engine *e, struct ike_sa *sa, uint64_t now,
		   unsigned cfg, struct child_sa *old);
/* A new pair on sa for old, a pair of the ISAKMP SA old_sa that sa
 * replaces (v1_rekey.c). */
int v1_quick_renew(struct ike_engine *e, struct ike_sa *sa, uint64_t now,
		   struct ike_sa *old_sa, struct child_sa *old);
void v1_quick_input(struct ike_engine *e, struct ike_sa *sa, uint64_t now,
		    struct msg_v1 *m);
/* A verified error notify: the end of our Quick Mode in flight it is
 * about (its SPI ours, or none given), if there is one. */
void v1_quick_refused(struct ike_engine *e, struct ike_sa *sa,
		      const struct pld_v1_notify *n);
/* A rekey of old that did not come about: tried again later. */
void v1_quick_retry(struct ike_engine *e, struct ike_sa *sa,
		    struct child_sa *old);
uint64_t v1_quick_timers(struct ike_engine *e, struct ike_sa *sa, uint64_t now);
void v1_quick_free_all(struct v1_state *v);

/* ts.c */
void ts_from_cfg(const struct ike_ts_cfg *cfg, unsigned n,
		 const struct ike_endpoint *self, struct pld_ts *out);
void ts_nat_hosts(struct pld_ts *t, const struct ike_endpoint *ep,
		  const uint8_t *from, uint8_t was[16]);
void ts_nat_restore(struct pld_ts *t, const struct ike_endpoint *ep,
		    const uint8_t named[16]);
int ts_narrow(const struct pld_ts *offered, const struct pld_ts *allowed,
	      struct pld_ts *out);
void ts_format(const struct ts *t, char *buf, size_t len);

/* ext.c */
int ext_init(struct ike_engine *e);
void ext_free(struct ike_engine *e);
/* env.ext_build's notifies and vendor IDs (and in our IKE_SA_INIT
 * response env.auth_payloads' CERTREQs), appended to b. */
void ext_put(struct ike_engine *e, const struct ike_sa *sa,
	     struct msg_builder *b, uint8_t exchange, bool response);
/* IKE_AUTH: env.auth_payloads' CERTs (and the initiator's CERTREQs),
 * written right after our ID payload. */
int ext_auth_put(struct ike_engine *e, const struct ike_sa *sa,
		 const struct ike_id_cfg *local, struct msg_builder *b);
/* env.auth_id_check before env.auth_verify; -1 logged with why. */
int ext_auth_id_check(struct ike_engine *e, const struct ike_sa *sa,
		      const struct ike_auth_req *r, const char *who);
/* env.ext_input of an IKE_SA_INIT request (no SA yet): 0, or the error
 * notify to answer with (logged). */
uint16_t ext_init_request(struct ike_engine *e, const char *conn,
			  const struct ike_endpoint *local,
			  const struct ike_endpoint *remote,
			  const struct msg *m);
/* env.ext_input of a message of sa (IKE_SA_INIT response, IKE_AUTH,
 * INFORMATIONAL): 0 or the error notify (logged). An IKE_AUTH or
 * INFORMATIONAL message's view stays in ext_peer_msg() until
 * ext_input_done(). */
uint16_t ext_sa_input(struct ike_engine *e, struct ike_sa *sa,
		      const struct msg *m);
const struct ike_msg_view *ext_peer_msg(const struct ike_engine *e);
/* v1_sig.c: Main Mode's authentication method and, with signatures,
 * its CERT, CERTREQ and SIG payloads. */
bool v1_auth_is_sig(uint16_t method);
/* "a pre-shared key", "RSA signatures", ... for log lines. */
const char *v1_auth_text(uint16_t method);
/* The method the host has credentials for on sa's connection
 * (IKEV1_AUTH_*), or 0 with a line logged. */
uint16_t v1_auth_method(struct ike_engine *e, const struct ike_sa *sa);
/* Responder: the peer's transforms named these methods and none fitted;
 * if ours was not among them, the line saying so. */
void v1_auth_mismatch(struct ike_engine *e, const struct ike_sa *sa,
		      const uint16_t *offered, size_t n, uint16_t ours);
/* Messages 3 and 4: our CERTREQs (none is no failure). */
int v1_sig_certreq_put(struct ike_engine *e, const struct ike_sa *sa,
		       struct msg_builder *b);
/* Messages 5 and 6: our CERTs and the SIG of hash (HASH_I or HASH_R). */
int v1_sig_put(struct ike_engine *e, const struct ike_sa *sa,
	       const struct ike_id_cfg *local, const uint8_t *hash, size_t n,
	       struct msg_builder *b);
/* The peer's SIG of hash in m, with its CERTs and ID (who: as text): 0,
 * or -1 with one line logged that says why. */
int v1_sig_check(struct ike_engine *e, struct ike_sa *sa,
		 const struct msg_v1 *m, const struct pld_id *peer,
		 const char *who, const uint8_t *hash, size_t n);
/* IKEv1 (v1_sig.c): env.auth_payloads' CERTs (type IKEV2_PL_CERT) or
 * CERTREQs (IKEV2_PL_CERTREQ) for r, written to b as IKEv1 payloads; -1
 * if the hook failed. */
int ext_v1_auth_put(struct ike_engine *e, const struct ike_sa *sa,
		    const struct ike_auth_req *r, struct msg_builder *b,
		    uint8_t type);
/* The peer's IKEv1 message m as the authentication hooks read it: its
 * CERT and CERTREQ payloads under IKEv2's type numbers. Valid until the
 * next message. */
const struct ike_msg_view *ext_v1_view(struct ike_engine *e,
				       const struct ike_sa *sa,
				       const struct msg_v1 *m);
void ext_input_done(struct ike_engine *e);
/* xchg_input: the request refused by env.ext_input was answered with its
 * notify (an IKE_AUTH's SA dies); the response's SA was killed. */
bool ext_request_refused(struct ike_engine *e, struct ike_sa *sa,
			 const struct msg *m);
bool ext_response_refused(struct ike_engine *e, struct ike_sa *sa,
			  const struct msg *m);
/* IKEv1 phase 1 (Main Mode message msgno, or Aggressive Mode's):
 * env.ext_build's VIDs and NAT-D payloads appended to b; env.ext_input
 * of the peer's message (m NULL: an authenticated message 5 or 6, no
 * payloads shown): 0, or -1 refused (logged; the caller kills the SA). */
void ext_v1_put(struct ike_engine *e, const struct ike_sa *sa,
		struct msg_builder *b, uint8_t msgno);
int ext_v1_input(struct ike_engine *e, struct ike_sa *sa,
		 const struct msg_v1 *m, uint8_t msgno);

/* timer_host.c: the host's timers (ike_timer_add) */
uint64_t htimer_next(const struct ike_engine *e);
void htimer_run(struct ike_engine *e, uint64_t now);
void htimer_free(struct ike_engine *e);

/* actions.c */
void actions_next_child(struct ike_engine *e, struct ike_sa *sa, uint64_t now);

#endif
