/* SPDX-License-Identifier: ISC */
/*
 * libike's public interface: an IKEv2 engine with no I/O. The host (charond,
 * or a test harness) feeds it datagrams, timer ticks and commands, and the
 * engine acts only through the callbacks of struct ike_env: it sends
 * datagrams, asks for SPIs, installs and removes CHILD SAs, logs and reports
 * events. Time is a caller-supplied millisecond clock.
 */
#ifndef LIBIKE_IKE_H
#define LIBIKE_IKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "buf.h"
#include "msg.h"
#include "prop.h"

#define IKE_NAME_MAX           64
#define IKE_ID_MAX             256
#define IKE_MAX_CONN_PROPOSALS 16

enum ike_log_level {
	IKE_LOG_ERROR,
	IKE_LOG_WARN,
	IKE_LOG_INFO,
	IKE_LOG_DEBUG,
	IKE_LOG_TRACE,
};

/* An endpoint: address and UDP port. */
struct ike_endpoint {
	struct sockaddr_storage ss;
};

/* A traffic selector as configured; dynamic means "our (or the peer's)
 * address", filled in when the SA's addresses are known. */
struct ike_ts_cfg {
	bool dynamic;
	struct ts ts;
};

#define IKE_MAX_CFG_TS 8 /* per side of a child, as charond passes them */

/*
 * A child's settings. The arrays are the caller's: the engine copies them
 * (ike_engine_set_conns) and never keeps the caller's pointers.
 */
struct ike_child_cfg {
	char name[IKE_NAME_MAX];
	bool transport; /* mode transport, else tunnel */
	unsigned n_local_ts, n_remote_ts;
	struct ike_ts_cfg *local_ts;
	struct ike_ts_cfg *remote_ts;
	unsigned n_proposals;
	struct proposal *proposals;
	bool start; /* start_action start */
	uint64_t rekey_ms;
};

/* An identity. data is the caller's (len bytes, at most IKE_ID_MAX); the
 * engine keeps a copy of its own, sized to len. */
struct ike_id_cfg {
	uint8_t type; /* IKEV2_ID_*; 0 = derive from our address */
	size_t len;
	const uint8_t *data;
};

/*
 * An address a connection answers on (local) or accepts a peer from
 * (remote): the first `prefix` bits of addr, in network order. Family
 * AF_UNSPEC is any address; a family with prefix 0 is any of that family
 * (%any4, %any6).
 */
struct ike_addr_match {
	uint8_t family; /* AF_INET, AF_INET6, AF_UNSPEC */
	uint8_t prefix; /* 0..32 or 0..128 */
	uint8_t addr[16];
};

#define IKE_MAX_CHILDREN 8

/*
 * A connection. local and remote are where its initiator talks from and to
 * (remote family AF_UNSPEC: it cannot initiate). A responder picks the
 * connection for an IKE_SA_INIT by local_addrs and remote_addrs, most
 * specific first; an empty list matches what its endpoint names (any
 * address when the endpoint has none).
 */
struct ike_conn_cfg {
	char name[IKE_NAME_MAX];
	struct ike_endpoint local, remote;
	unsigned n_local_addrs, n_remote_addrs;
	struct ike_addr_match *local_addrs, *remote_addrs;
	unsigned n_proposals;
	struct proposal *proposals;
	struct ike_id_cfg local_id, remote_id; /* remote type 0 = any */
	unsigned keyingtries;                  /* 0 = forever */
	uint8_t version;   /* 1, 2, or 0 = either (responder only) */
	uint64_t rekey_ms; /* IKE SA rekey (by its initiator); 0 = never */
	/* IKEv1 Aggressive Mode with a PSK (v1_aggr.c): answered, and used
	 * to initiate, only when set (its HASH_R can be cracked offline). */
	bool aggressive;
	unsigned n_children;
	struct ike_child_cfg *children; /* at most IKE_MAX_CHILDREN */
};

/* What the host installs into the kernel for one CHILD SA; the keys are
 * only valid during the callback. */
struct ike_child_install {
	unsigned ike_id, child_id;
	const char *conn, *child;
	bool transport;
	bool initiator;
	struct ike_endpoint local, remote;
	uint32_t spi_in, spi_out; /* network order as on the wire */
	uint32_t reqid;
	uint16_t encr, encr_bits, integ;
	bool esn;
	const struct secret *encr_in, *integ_in, *encr_out, *integ_out;
	/* On removal: a sibling SA (a rekey) still uses the policies. */
	bool keep_policies;
	unsigned n_local_ts, n_remote_ts;
	const struct ts *local_ts, *remote_ts;
	/* Zero from the engine; set by the host's child filters (charond's
	 * plugins: natt, l2tp) before the kernel sees them. */
	struct {
		uint16_t type; /* 0: none; 2: UDP_ENCAP_ESPINUDP (RFC 3948) */
		uint16_t sport, dport;  /* host order */
		struct ike_endpoint oa; /* NAT-OA; family 0: none */
	} encap;
	/* mark_in: the in (and fwd) policies' mark; mark_out: the out
	 * policy's. The SAs take none (ESP arrives unmarked). */
	uint32_t mark_in, mark_in_mask, mark_out, mark_out_mask;
	uint32_t if_id;
};

enum ike_event_type {
	IKE_EV_IKE_UP,
	IKE_EV_IKE_DOWN,
	IKE_EV_CHILD_UP,
	IKE_EV_CHILD_DOWN,
	IKE_EV_AUTH_FAILED,
	IKE_EV_FAILED,        /* a negotiation we started gave up */
	IKE_EV_CHILD_REKEYED, /* child_id replaces old_id */
	IKE_EV_IKE_REKEYED,   /* ike_id replaces old_id */
};

struct ike_event {
	enum ike_event_type type;
	unsigned ike_id, child_id;
	const char *conn, *child;
	const char *reason; /* for failures: what went wrong, in words */
	unsigned old_id;    /* the SA a rekey replaced */
};

/*
 * ext.c: hooks of the host (charond's plugins) in the exchanges.
 *
 * struct ike_out collects what a hook adds to one of our messages: notify
 * payloads, vendor IDs, CERT and CERTREQ payloads. It is bounded; an add
 * that does not fit returns -1 and the message goes without it. The bounds
 * hold a chain of three 3 KB certificates with CERTREQs and notifies (and
 * a single certificate of up to 8 KB); payloads keep the order they were
 * added in. Notifies go out without protocol ID or SPI.
 */
#define IKE_OUT_MAX_PAYLOADS    16
#define IKE_OUT_MAX_BYTES       16384 /* data of all payloads together */
#define IKE_OUT_MAX_PAYLOAD_LEN 8192  /* data of one payload */
struct ike_out;
int ike_out_notify(struct ike_out *o, uint16_t type, const void *data,
		   size_t len);
int ike_out_vendor_id(struct ike_out *o, const void *data, size_t len);
int ike_out_cert(struct ike_out *o, uint8_t encoding, const void *data,
		 size_t len);
int ike_out_certreq(struct ike_out *o, uint8_t encoding, const void *data,
		    size_t len);
/* A raw IKEv1 payload body (after its generic header) for an IKEv1 phase 1
 * message: NAT-D (IKEV1_PL_NAT_D, or IKEV1_PL_NAT_D_DRAFT of the NAT-T
 * drafts); any other type is refused (-1). IKEv2 messages leave it out;
 * in IKEv1 messages ike_out_vendor_id() gives a VID payload and notifies,
 * CERT and CERTREQ are left out. */
int ike_out_payload(struct ike_out *o, uint8_t type, const void *data,
		    size_t len);

/* A payload of an incoming message a hook may read: a notify (sub is its
 * type; data its notification data), a vendor ID, a CERT or a CERTREQ (sub
 * is the encoding). In an IKEv1 message (view version 1): IKEV1_PL_VID,
 * IKEV1_PL_NAT_D or IKEV1_PL_NAT_D_DRAFT, with the payload's body, sub 0. */
struct ike_in_payload {
	uint8_t
	    type; /* IKEV2_PL_N, IKEV2_PL_V, IKEV2_PL_CERT, IKEV2_PL_CERTREQ */
	uint16_t sub;
	struct bytes data;
};

/*
 * A message as the exchange hooks see it. Outgoing: IKE_SA_INIT requests
 * and responses, IKE_AUTH, INFORMATIONAL (not error replies). Incoming:
 * those and CREATE_CHILD_SA; IKE_SA_INIT once it parsed (the response once
 * it is the answer to ours), the others only after their ICV verified.
 * local and remote of an incoming message are the datagram's, which may
 * differ from where the SA runs (a NAT mapping changed). IKEv1 phase 1
 * messages too, with version 1 (see v1_msg below and libike/IKEV1.md).
 */
struct ike_msg_view {
	unsigned ike_id;  /* 0 while there is no SA (IKE_SA_INIT request in) */
	const char *conn; /* NULL while not known */
	uint8_t version;  /* 2 (1 for IKEv1) */
	uint8_t exchange; /* IKEV2_EXCH_* */
	bool request;     /* a request, else a response */
	bool inbound;     /* from the peer, else ours */
	bool initiator;   /* we are the original initiator of the IKE SA */
	const uint8_t *spi_i, *spi_r; /* spi_r all zero in IKE_SA_INIT req */
	const struct ike_endpoint *local, *remote; /* as it travels */
	size_t n_payloads;                         /* inbound only */
	const struct ike_in_payload *payloads;
	/* IKEv1 (version 1, exchange IKEV1_EXCH_IDENT_PROT or
	 * IKEV1_EXCH_AGGRESSIVE): which message of phase 1 it is (Main Mode
	 * 1 to 6, Aggressive Mode 1 to 3), and OpenSSL's name of the phase 1
	 * hash (NAT-D hashes with it, RFC 3947 3.2), NULL until the SA
	 * payload was chosen. Messages 5 and 6 of Main Mode and 3 of
	 * Aggressive Mode are seen inbound only, once authenticated, with
	 * no payloads (a NAT-T peer floats to port 4500 there). */
	uint8_t v1_msg;
	const char *v1_digest;
};

/* What an authentication request is for. */
enum ike_auth_purpose {
	/* IKEv2 (version 2): the AUTH payload to sign or check, octets as
	 * below. */
	IKE_AUTH_PURPOSE_AUTH = 0,
	/* IKEv1 Main Mode with a pre-shared key (version 1, sign only):
	 * SKEYID = prf(PSK, Ni_b | Nr_b) (RFC 2409 5), octets being
	 * Ni_b | Nr_b and prf the phase 1 PRF, written to out with *method
	 * IKEV1_AUTH_PRE_SHARED_KEY. The PSK stays in the plugin; the
	 * engine derives the SA's keys and HASH_I/HASH_R from SKEYID. A
	 * method that has no such thing (signatures) fails the request. */
	IKE_AUTH_PURPOSE_V1_SKEYID,
	/* IKEv1 Main Mode before the keys (version 1): auth_sign only tells
	 * the phase 1 authentication method our credentials for the
	 * connection take, in *method (IKEV1_AUTH_*: 1 for a pre-shared
	 * key, 3 RSA, 9/10/11 ECDSA on P-256/384/521), writing nothing
	 * (*len 0); it decides what the initiator offers and what the
	 * responder accepts. auth_payloads gives the CERTREQs of messages 3
	 * and 4. (Plugin ABI 6: a plugin that does not know it fails the
	 * request, as for any purpose it does not serve.) */
	IKE_AUTH_PURPOSE_V1_METHOD,
	/* IKEv1 Main Mode with signatures (RFC 2409 5.1, RFC 4754; version
	 * 1): octets are HASH_I or HASH_R. auth_sign writes the SIG
	 * payload's data with *method the IKEV1_AUTH_* signed under;
	 * auth_verify checks the peer's SIG (data, under method) with the
	 * certificate of its CERT payloads in msg (types IKEV2_PL_CERT,
	 * IKEV2_PL_CERTREQ, as for IKEv2) and why is one line for the log
	 * that names the peer's message; auth_payloads gives our CERTs of
	 * messages 5 and 6; auth_id_check backs peer_id by the certificate.
	 * Plugin ABI 6. */
	IKE_AUTH_PURPOSE_V1_SIG,
};

/* What an authentication method signs or checks (RFC 7296 2.15):
 * octets = RealMessage | NonceData | prf(SK_p, RestOfIDPayload), the
 * message being our (or the peer's) IKE_SA_INIT message; for IKEv1 see
 * enum ike_auth_purpose. */
struct ike_auth_req {
	uint8_t version; /* 2, or 1 for IKEv1 */
	enum ike_auth_purpose purpose;
	const char *conn;
	unsigned ike_id;
	const struct ike_id_cfg *local_id;
	const struct pld_id *peer_id; /* NULL while unknown */
	const struct prf_alg *prf;
	struct bytes octets;
	/* The peer's IKE_AUTH message (CERT, CERTREQ), NULL while we build
	 * our request as initiator (and in auth_payloads for our
	 * IKE_SA_INIT response). Valid during the call only. */
	const struct ike_msg_view *msg;
};

#define IKE_AUTH_MAX 1024 /* largest AUTH data we produce */

/* Work handed to the host's threads (ike_env.offload); opaque. */
struct ike_job;

struct ike_env {
	void *ctx;
	/* Send one datagram from local to remote. */
	void (*send)(void *ctx, const struct ike_endpoint *local,
		     const struct ike_endpoint *remote, const uint8_t *pkt,
		     size_t len);
	/* An inbound ESP SPI from the kernel (XFRM ALLOCSPI). */
	int (*spi_alloc)(void *ctx, const struct ike_endpoint *local,
			 const struct ike_endpoint *remote, uint32_t reqid,
			 uint32_t *spi);
	int (*child_install)(void *ctx, const struct ike_child_install *ci);
	void (*child_remove)(void *ctx, const struct ike_child_install *ci);
	/* Optional (ike_sa_move): an installed CHILD SA, as `from` was
	 * installed, now runs between to->local and to->remote; the host
	 * moves its SAs and policies keeping keys and replay state (the
	 * keys are NULL in both). 0, or -1 if it could not. */
	int (*child_move)(void *ctx, const struct ike_child_install *from,
			  const struct ike_child_install *to);
	/* Authentication is a plugin's business (psk, pubkey): the engine
	 * hands it the octets to sign or check, see struct ike_auth_req. */
	int (*auth_sign)(void *ctx, const struct ike_auth_req *r,
			 uint8_t *method, uint8_t *out, size_t *len);
	/* 0 if data proves the peer; else -1 and why, in words for the log. */
	int (*auth_verify)(void *ctx, const struct ike_auth_req *r,
			   uint8_t method, struct bytes data, char *why,
			   size_t why_len);
	/* Optional: CERT and CERTREQ payloads for our messages; r->octets
	 * is empty. Called for the initiator's IKE_AUTH request (its CERTs
	 * and CERTREQs go out), the responder's IKE_SA_INIT response (only
	 * CERTREQs; r->peer_id NULL, r->local_id as configured) and its
	 * IKE_AUTH response (only CERTs). -1 fails our IKE_AUTH message. */
	int (*auth_payloads)(void *ctx, const struct ike_auth_req *r,
			     struct ike_out *out);
	/* Optional: 0 if the peer's ID is backed by its credentials (a
	 * certificate's subjectAltName), else -1 and why; before verify. */
	int (*auth_id_check)(void *ctx, const struct ike_auth_req *r, char *why,
			     size_t why_len);
	/* Optional: our ID for a connection that configures none (its
	 * local_id type 0), e.g. our certificate's subject DN: type and
	 * at most IKE_ID_MAX octets in data, *len set. 0, or -1 to send
	 * our IP address. Asked each time we write or check our ID. */
	int (*auth_local_id)(void *ctx, const char *conn, uint8_t *type,
			     uint8_t *data, size_t *len);
	/* Optional exchange extensions, see struct ike_msg_view: add
	 * payloads to ours; read the peer's, returning 0 or an error notify
	 * type that fails the exchange, with why. A request that deletes
	 * SAs is carried out all the same (the peer has closed its half). */
	void (*ext_build)(void *ctx, const struct ike_msg_view *m,
			  struct ike_out *out);
	int (*ext_input)(void *ctx, const struct ike_msg_view *m, char *why,
			 size_t why_len);
	/* Random bytes for SPIs, nonces, key exchange private values, IVs
	 * and the COOKIE secret; NULL: OpenSSL's generator. Tests seed it to
	 * replay a run exactly. Returns 0, or -1 on failure. */
	int (*random)(void *ctx, uint8_t *out, size_t len);
	void (*log)(void *ctx, enum ike_log_level level, const char *conn,
		    unsigned ike_id, const char *msg);
	void (*event)(void *ctx, const struct ike_event *ev);
	/* Optional: compute a responder's key exchange off the engine's
	 * thread (a worker pool). The host calls ike_job_run(job) on any
	 * thread, then hands the job back with ike_engine_job_done() on
	 * the engine's thread: every job exactly once, also one it never
	 * ran (at shutdown), and before ike_engine_free(). Only used while
	 * random is NULL (a seeded generator belongs to one thread); NULL:
	 * the engine computes inline, as the simulation does. */
	void (*offload)(void *ctx, struct ike_job *job);
	/* Optional: the IKE SA with this id is gone for good, however it
	 * ended (down, failed, rekeyed, or half-open and expired without an
	 * event); what the host keeps per SA can go. Not called while
	 * ike_engine_free() runs. */
	void (*sa_freed)(void *ctx, unsigned ike_id);
};

struct ike_engine;

/* Runs the job: key generation and derivation, touching only the job;
 * safe on any thread, for different jobs at once. */
void ike_job_run(struct ike_job *job);
/* On the engine's thread: the SA waiting for the job goes on (sends its
 * answer) or fails; an SA gone meanwhile is skipped. Frees the job. */
void ike_engine_job_done(struct ike_engine *e, uint64_t now,
			 struct ike_job *job);

struct ike_engine *ike_engine_new(const struct ike_env *env);
void ike_engine_free(struct ike_engine *e);
/* Replace the connection set; IKE SAs of connections that vanished are
 * deleted. The configs are copied. */
int ike_engine_set_conns(struct ike_engine *e, const struct ike_conn_cfg *c,
			 size_t n, uint64_t now);
/* IKE fragmentation (RFC 7383): announced in IKE_SA_INIT, and a message
 * that would make an IP datagram larger than size bytes goes out in
 * fragments to a peer that announced it too. 0 turns it off (neither
 * announced nor accepted); 1280 is the usual size. */
void ike_engine_set_fragment_size(struct ike_engine *e, unsigned size);
/* Retransmission policy (RFC 7296 2.1): timeout, back-off base, tries. */
void ike_engine_set_retransmit(struct ike_engine *e, uint64_t timeout_ms,
			       double base, unsigned tries);

/* What unauthenticated peers may cost us. A half-open IKE SA is one we
 * answered IKE_SA_INIT for and that has not completed IKE_AUTH. The names
 * follow strongswan.conf's where it has the same knob. */
struct ike_limits {
	unsigned cookie_threshold; /* half-open SAs in all: beyond, COOKIEs */
	unsigned
	    cookie_threshold_ip;  /* half-open SAs of one address: COOKIEs */
	unsigned block_threshold; /* half-open SAs of one address: refused */
	unsigned
	    init_limit_half_open;   /* half-open SAs in all: refused; 0 = no */
	uint64_t half_open_ms;      /* a half-open SA is dropped after this */
	uint64_t delete_wait_ms;    /* an SA waiting for the peer's DELETE */
	uint64_t cookie_rotate_ms;  /* COOKIE secret lifetime (the previous
				       secret is honoured for as long again) */
	unsigned init_max_len;      /* largest IKE_SA_INIT request we keep */
	unsigned init_max_payloads; /* most payloads in one */
	unsigned log_per_sec;       /* log lines about unauthenticated input */
};

/* The defaults: 10, 3, 5, 10000, 30 s, 30 s, 120 s, 8192 bytes, 24
 * payloads, 20 lines a second. */
void ike_limits_default(struct ike_limits *l);
void ike_engine_set_limits(struct ike_engine *e, const struct ike_limits *l);
/* Shorthand for the cookie_threshold limit (0 = always). */
void ike_engine_set_cookie_threshold(struct ike_engine *e, size_t n);

/* Why input was dropped without an answer; counted for `stats`. */
enum ike_drop {
	IKE_DROP_MALFORMED,    /* header or payload chain unreadable */
	IKE_DROP_UNKNOWN_SA,   /* no IKE SA has these SPIs */
	IKE_DROP_BAD_INIT,     /* IKE_SA_INIT request with bad SPIs or ID */
	IKE_DROP_UNEXPECTED,   /* a response to nothing we have in flight */
	IKE_DROP_WINDOW,       /* request message ID outside the window */
	IKE_DROP_REPLAY,       /* old message ID, not our answered request */
	IKE_DROP_UNPROTECTED,  /* no (or a fragmented) Encrypted payload */
	IKE_DROP_ICV,          /* integrity check failed */
	IKE_DROP_STATE,        /* exchange not allowed in the SA's state */
	IKE_DROP_HALF_OPEN,    /* a half-open limit was reached */
	IKE_DROP_INIT_SIZE,    /* IKE_SA_INIT over the size or payload cap */
	IKE_DROP_INIT_INVALID, /* malformed IKE_SA_INIT response */
	IKE_DROP_MAX
};

struct ike_stats {
	uint64_t drops[IKE_DROP_MAX];
	uint64_t cookies_sent;
	uint64_t log_suppressed; /* unauthenticated log lines rate-limited */
	size_t ike_sas, half_open;
};

/* A short snake_case name for stats and Prometheus labels. */
const char *ike_drop_name(enum ike_drop d);
void ike_engine_stats(const struct ike_engine *e, struct ike_stats *out);

/* A datagram arrived on local from remote. */
void ike_input(struct ike_engine *e, uint64_t now,
	       const struct ike_endpoint *local,
	       const struct ike_endpoint *remote, const uint8_t *pkt,
	       size_t len);
/* Run timers due at now; returns the next deadline (UINT64_MAX: none). */
uint64_t ike_tick(struct ike_engine *e, uint64_t now);
uint64_t ike_next_deadline(const struct ike_engine *e);

/* Bring up a connection's IKE SA and a child (NULL: every child with
 * start, or none). Returns the IKE SA id, 0 on failure. */
unsigned ike_initiate(struct ike_engine *e, uint64_t now, const char *conn,
		      const char *child);
/* Delete an IKE SA (and its children) with an INFORMATIONAL exchange. */
int ike_terminate(struct ike_engine *e, uint64_t now, unsigned ike_id);
/* Rekey an IKE SA, or one of its CHILD SAs, now. */
int ike_rekey(struct ike_engine *e, uint64_t now, unsigned ike_id);
int ike_rekey_child(struct ike_engine *e, uint64_t now, unsigned ike_id,
		    unsigned child_id);
/* Delete one CHILD SA of an IKE SA. */
int ike_terminate_child(struct ike_engine *e, uint64_t now, unsigned ike_id,
			unsigned child_id);
/* Ask the peer whether it still holds the IKE SA: an empty INFORMATIONAL
 * request (RFC 7296 1.4, 2.4); an answer that never comes kills the SA
 * like any other unanswered request. -1 if one of ours is in flight. */
int ike_liveness(struct ike_engine *e, uint64_t now, unsigned ike_id);
/* Delete everything, telling every peer (shutdown). */
void ike_terminate_all(struct ike_engine *e, uint64_t now);
/* A new IKE SA for the connection of ike_id, with the children it had (or
 * would start); the old SA is deleted. Also for an SA that just died,
 * called from its IKE_DOWN or FAILED event. Returns the new SA's id, 0 if
 * none. (dpd's restart action.) */
unsigned ike_reinitiate(struct ike_engine *e, uint64_t now, unsigned ike_id);
/* Drop an IKE SA and its CHILD SAs now, without telling the peer (it is
 * dead): IKE_DOWN (FAILED if it was connecting) with reason. -1 if there
 * is no such live SA. (dpd, when its timeout runs out.) */
int ike_sa_kill(struct ike_engine *e, uint64_t now, unsigned ike_id,
		const char *reason);
/* The peer (or we) moved: later messages of the IKE SA go between these
 * endpoints, and its installed CHILD SAs are moved to them by the host
 * (env.child_move). While both ends rekey it at once, the SA the peer's
 * rekey made (which holds the CHILD SAs meanwhile) moves with it, and
 * the other way round. -1 if there is no such SA or a child could not be
 * moved. (natt, when a NAT mapping changed.) */
int ike_sa_move(struct ike_engine *e, uint64_t now, unsigned ike_id,
		const struct ike_endpoint *local,
		const struct ike_endpoint *remote);

/* What the host found out about NATs between the ends (natt, from RFC
 * 7296 2.23's NAT detection): whether we, and the peer, are behind one.
 * The engine only reports it (ike_sa_info); -1 if there is no such SA. */
int ike_sa_set_nat(struct ike_engine *e, unsigned ike_id, bool local,
		   bool remote);

/* IKEv1: whether ESP of the ISAKMP SA's Quick Modes goes in UDP (RFC 3947
 * 5.2), as natt negotiated it: Quick Mode offers and accepts only the
 * UDP-Encapsulated modes then, numbered as RFC 3947 does or as the NAT-T
 * drafts did (61443, 61444) for a peer that sent a draft's vendor ID.
 * -1 if there is no such IKEv1 SA. (natt.) */
enum ike_v1_encap {
	IKE_V1_ENCAP_NONE = 0,
	IKE_V1_ENCAP_RFC3947,
	IKE_V1_ENCAP_DRAFT,
};
int ike_sa_set_v1_encap(struct ike_engine *e, unsigned ike_id,
			enum ike_v1_encap how);

/* Host timers on the engine's clock: cb runs from ike_tick() once now has
 * reached the deadline, and ike_next_deadline() accounts for it. Returns a
 * handle (never 0), or 0 on failure. Cancelling a fired or unknown handle
 * does nothing. (charond's plugin timers.) */
uint64_t ike_timer_add(struct ike_engine *e, uint64_t deadline,
		       void (*cb)(void *arg, uint64_t now), void *arg);
void ike_timer_cancel(struct ike_engine *e, uint64_t handle);

/* query.c: read-only views of the SAs for the control socket. The views
 * are valid only during the callback. */
struct ike_child_info {
	unsigned id;
	const char *name;
	bool installed;
	bool transport;
	uint32_t spi_in, spi_out;
	uint32_t reqid;
	uint16_t encr, encr_bits, integ;
	bool esn;
	unsigned n_local_ts, n_remote_ts;
	const struct ts *local_ts, *remote_ts;
	/* IKEv1: a rekey replaced it; it stays installed a little longer,
	 * for the peer's packets still on their way. */
	bool rekeyed;
};

struct ike_sa_info {
	unsigned id;
	const char *conn;
	const char *state; /* CONNECTING, ESTABLISHED, DELETING, ... */
	uint8_t version;   /* IKE version: 1 or 2 */
	bool initiator;
	struct ike_endpoint local, remote;
	const uint8_t *spi_i, *spi_r;
	char proposal[160];     /* keyword form, "" before IKE_SA_INIT */
	struct pld_id local_id; /* type 0 when not yet known */
	struct pld_id remote_id;
	uint64_t last_heard; /* engine clock of the last authenticated message
				from the peer; 0: never (dpd) */
	bool nat_local, nat_remote; /* behind a NAT, as ike_sa_set_nat said */
	unsigned n_children;
	struct ike_child_info children[IKE_MAX_CHILDREN];
};

/* Call cb for the live IKE SA with this id; returns 1, or 0 if none. */
size_t ike_query_sa(const struct ike_engine *e, unsigned id,
		    void (*cb)(void *ctx, const struct ike_sa_info *sa),
		    void *ctx);
/* Call cb for every live IKE SA (those of conn only, unless NULL);
 * returns how many. */
size_t ike_list_sas(const struct ike_engine *e, const char *conn,
		    void (*cb)(void *ctx, const struct ike_sa_info *sa),
		    void *ctx);
/* The same a page at a time, for lists too long to build at once: SAs
 * with an id below `below` (0: any), newest (highest id) first, at most
 * max of them; returns how many. The next page starts below the last id
 * listed; SAs created meanwhile are not in it, SAs gone meanwhile are not
 * listed. */
size_t ike_list_sas_below(const struct ike_engine *e, const char *conn,
			  unsigned below, size_t max,
			  void (*cb)(void *ctx, const struct ike_sa_info *sa),
			  void *ctx);

/*
 * The keys of one IKEv2 SA, for debugging only: `charonctl export-keys`
 * writes them as Wireshark's ikev2_decryption_table so that a capture of
 * the exchange can be decrypted. Nothing else reads keys out of the
 * engine, and nothing should: whoever holds these can read and forge the
 * SA's messages. The bytes point into the engine's secure memory and are
 * valid only during the callback; a caller that copies them must treat
 * the copy as secret and cleanse it (OPENSSL_cleanse) when done.
 */
struct ike_key_export {
	unsigned id;
	const uint8_t *spi_i, *spi_r; /* 8 octets each */
	uint16_t encr;                /* IKEV2_ENCR_* */
	uint16_t encr_bits; /* key size in bits, without salt; 0 if fixed */
	size_t icv_len;     /* AEAD ICV octets; 0 without AEAD */
	uint16_t integ;     /* IKEV2_INTEG_*; 0 with an AEAD cipher */
	struct bytes sk_ei, sk_er; /* encryption keys, salt included */
	struct bytes sk_ai, sk_ar; /* integrity keys; empty with AEAD */
};

/* query.c: call cb once with the keys of the IKEv2 SA with this id;
 * 0, or -1 if there is no such SA or it has no keys yet. */
int ike_export_ike_keys(const struct ike_engine *e, unsigned id,
			void (*cb)(void *ctx, const struct ike_key_export *k),
			void *ctx);

/* id_dn.c: an ID_DER_ASN1_DN as text, "CN=moon,O=Example" (RFC 4514
 * order, control characters escaped), for logs and list-sas. 0, or -1 if
 * data is no DN (buf is then empty). */
int ike_dn_text(const uint8_t *data, size_t n, char *buf, size_t len);
/* A DN written as "CN=moon, O=Example" (RFC 4514 order, "\," escapes) as
 * DER: at most *len octets in out, *len set. 0, or -1 if text is none. */
int ike_dn_from_text(const char *text, uint8_t *out, size_t *len);
/* Whether two DER DNs name the same (X509_NAME_cmp). */
bool ike_dn_equal(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen);

/* v2_auth.c: what an AUTH payload signs or MACs (RFC 7296 2.15),
 * RealMessage | NonceData | prf(SK_p, RestOfIDPayload): msg the signer's
 * IKE_SA_INIT message, nonce its peer's, idb the signer's ID payload body,
 * skp its SK_p. The engine's own, for tests to check against other
 * implementations. malloc'ed, *len set; NULL on failure. */
uint8_t *ike_auth_octets(const struct prf_alg *prf, const struct secret *skp,
			 struct bytes msg, struct bytes nonce, struct bytes idb,
			 size_t *len);

/* auth_psk.c: the pre-shared key AUTH value of RFC 7296 2.15,
 * prf(prf(PSK, "Key Pad for IKEv2"), octets), and its constant-time check,
 * for the psk plugin (and tests) to use. */
int ike_psk_auth(const struct prf_alg *prf, const struct secret *psk,
		 struct bytes octets, uint8_t *out, size_t *len);
bool ike_psk_verify(const struct prf_alg *prf, const struct secret *psk,
		    struct bytes octets, struct bytes got);
/* IKEv1 (RFC 2409 5): SKEYID = prf(PSK, Ni_b | Nr_b), octets being
 * Ni_b | Nr_b; out holds prf->out_len bytes, *len set. */
int ike_psk_v1_skeyid(const struct prf_alg *prf, const struct secret *psk,
		      struct bytes octets, uint8_t *out, size_t *len);

#endif
