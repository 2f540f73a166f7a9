/* SPDX-License-Identifier: ISC */
/*
 * The plugin ABI, version 6. A plugin is a shared object in the plugin
 * directory that exports one const `struct charond_plugin` named
 * `charond_plugin`. It sees this header and libike's public headers
 * (ike.h, buf.h, msg.h, prop.h, ikev1_const.h, ikev2_const.h) and
 * nothing of charond's internals: its configuration reaches it through
 * the typed views and accessors of struct charond_api, never through
 * charond's own structs.
 *
 * Loading. charond dlopen()s the configured plugins with RTLD_NOW |
 * RTLD_LOCAL and refuses one whose `abi` differs from CHAROND_PLUGIN_ABI,
 * naming the plugin and both versions. Plugins start in an order where what
 * a plugin `requires` is `provide`d by one started before it. A plugin
 * whose init fails is unloaded, with the reason it gave; every plugin that
 * requires what it provided is refused too, with that reason. Two plugins
 * providing the same auth method: the second is refused.
 *
 * Configuration keys. A plugin lists the connection, child and plugin-own
 * keys it honours in `keys`. The loader validates their values by the
 * declared type and refuses, with FILE:LINE:COL, a key no loaded plugin
 * declares ("not supported yet: dpd (needs the dpd plugin)"): a config is
 * never accepted and then ignored. A plugin's own section is the map under
 * the top-level `plugins:` key with the plugin's name.
 *
 * Hooks, each designed with the plugin that uses it:
 *   auth methods          psk (pre-shared keys), x509 (auth: pubkey): sign
 *                         and verify AUTH, add CERT and CERTREQ payloads,
 *                         see the peer's, and decide whether the peer's ID
 *                         fits its credentials (subjectAltName)
 *   exchange extensions   natt (NAT_DETECTION_* in IKE_SA_INIT, IKEv1 NAT-D
 *                         and vendor IDs), x509 (SIGNATURE_HASH_ALGORITHMS
 *                         in IKE_SA_INIT), dpd (IKEv1 DPD vendor ID and
 *                         R-U-THERE in INFORMATIONAL)
 *   SA listeners          dpd, natt: IKE and CHILD SA lifecycle events
 *   per-SA state          natt (NAT seen, keepalive timer), dpd (last heard)
 *   timers                natt keepalives, dpd delay: on the engine's clock
 *   SA actions            dpd (liveness check, delete, re-initiate), natt
 *                         (move the SA when the peer's NAT mapping changes)
 *   child filters         l2tp (UDP/1701 selectors, conntrack marks), natt
 *                         (UDP encapsulation and NAT-OA for the kernel)
 *   config checks         psk (a PSK fits each psk connection), x509
 *                         (certificates and keys load): `check` in the
 *                         descriptor, see struct charond_check
 *
 * Hooks that run while the engine builds or reads a message (auth methods,
 * exchange extensions, child filters) must not call back into it: no
 * sa_action from there, as that would build another message in the same
 * buffer. Act from a listener or a timer instead. One exception: an
 * exchange extension's input hook may MOVE the SA it reads a message of
 * (natt: to port 4500 on the IKE_SA_INIT response that showed a NAT, or
 * after the peer whose NAT mapping changed), since moving builds no
 * message; the exchange goes on between the new endpoints.
 *
 * Bump CHAROND_PLUGIN_ABI whenever any struct or signature below changes.
 * Views carry their size as the first field so that a view may grow at the
 * end within one ABI: a plugin sets `size` to what it was built with and
 * charond fills no more than that.
 */
#ifndef CHAROND_PLUGIN_H
#define CHAROND_PLUGIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike.h"

/* 5: struct ike_auth_req (ike.h) gained version and purpose; an auth
 * method built before would answer an IKEv1 SKEYID request with an IKEv2
 * AUTH value.
 * 6: enum ike_auth_purpose gained IKE_AUTH_PURPOSE_V1_METHOD and _V1_SIG
 * (IKEv1 Main Mode with signatures); an auth method built before fails
 * the method request that every Main Mode now starts with, and the psk
 * plugin's IKEv1 would stop working. IKEv1 phase 1 reached the exchange
 * extensions (struct ike_msg_view: version 1, v1_msg, v1_digest;
 * ike_out_payload for NAT-D) and sa_v1_encap; an extension built before
 * would take IKEv1 messages' payload numbers for IKEv2's.
 * 7: a child filter is told what the CHILD SA is filtered for (enum
 * charond_filter_op): the l2tp plugin keeps netfilter state for each
 * installed CHILD SA, which it must drop when the SA goes. */
#define CHAROND_PLUGIN_ABI    7u
#define CHAROND_PLUGIN_SYMBOL "charond_plugin"

/* --- configuration: declared keys, typed values, views ------------------ */

enum charond_scope {
	CHAROND_SCOPE_CONN,   /* connections.NAME.KEY */
	CHAROND_SCOPE_CHILD,  /* connections.NAME.children.CHILD.KEY */
	CHAROND_SCOPE_PLUGIN, /* plugins.PLUGIN.KEY (the plugin's own) */
};

enum charond_type {
	CHAROND_T_BOOL,
	CHAROND_T_INT,      /* a non-negative integer within min..max */
	CHAROND_T_DURATION, /* "30s", "5m", ...: milliseconds */
	CHAROND_T_STRING,
	CHAROND_T_ENUM, /* one of `choices`: the index */
	CHAROND_T_LIST, /* a list of strings */
};

/*
 * A key a plugin honours. A dotted key ("dpd.delay") is a member of a map
 * ("dpd: {delay: 30s}"); declaring any member makes the map a key.
 */
struct charond_config_key {
	enum charond_scope scope;
	const char *key;
	enum charond_type type;
	const char *const *choices; /* ENUM: NULL-terminated */
	int64_t min, max; /* INT: inclusive bounds; DURATION: in ms, when
			     max is not 0 */
	const char *help; /* one line, for --check-config */
};

struct charond_value {
	enum charond_type type;
	bool set; /* written in the config; else the plugin's default applies */
	union {
		bool b;
		int64_t i;       /* INT */
		uint64_t ms;     /* DURATION */
		const char *s;   /* STRING */
		unsigned choice; /* ENUM */
		struct {
			const char *const *v;
			size_t n;
		} list; /* LIST */
	} u;
	/* Where it was written, for a plugin's own FILE:LINE:COL messages. */
	const char *file;
	unsigned line, col;
};

/* One end of a connection as configured. */
struct charond_end_view {
	const char *auth;         /* the `auth:` value, e.g. "psk", "pubkey" */
	const char *id;           /* as written; NULL: none configured */
	const char *ca;           /* remote: authority name; NULL: any */
	const char *key;          /* local: private key file; NULL: none */
	const char *const *certs; /* local: certificate files */
	size_t n_certs;
};

/* A certification authority of the top-level `authorities:` section. */
struct charond_authority_view {
	const char *name;
	const char *cacert; /* file of its CA certificate */
	const char *crl;    /* the first file of `crl`; NULL: none */
};

/* The files of an authority's `crl` (one or a list): its own CRL and those
 * of intermediate CAs below it, in the order written. */
struct charond_crl_files {
	const char *const *files;
	size_t n;
};

struct charond_conn_view {
	uint32_t size; /* in: sizeof(struct charond_conn_view) as built */
	const char *name;
	uint8_t version; /* 1, 2, or 0 for either */
	struct charond_end_view local, remote;
	size_t n_children;
	const char *const *children; /* child names */
	/* local_addrs and remote_addrs: a host as its canonical address
	 * ("192.0.2.1", "2001:db8::1"), a subnet as "ADDR/PREFIX", a DNS
	 * name as written, "%any" ("%any4", "%any6") for any. */
	const char *const *local_addrs;
	size_t n_local_addrs;
	const char *const *remote_addrs;
	size_t n_remote_addrs;
	/* The authorities that may have issued the peer's certificate:
	 * remote.ca's, or every one written when it names none (x509).
	 * Appended in ABI 3, as views may grow. */
	const struct charond_authority_view *authorities;
	size_t n_authorities;
	/* Every CRL file of each authority: authority_crls[i] for
	 * authorities[i]. Appended within ABI 4 (views may grow at the
	 * end): the authority view, an array element without a size of its
	 * own, could not grow without moving the ABI; a plugin built before
	 * sees `crl`, the first file. */
	const struct charond_crl_files *authority_crls;
	/* The passphrase of local.key when it is encrypted: the secret of
	 * the `secrets: private:` entry whose file is local.key (canonical
	 * paths compared), and where that entry was written (for messages;
	 * never log the secret). NULL: no entry. Appended within ABI 4. */
	const struct secret *local_key_secret;
	const char *local_key_secret_file;
	unsigned local_key_secret_line;
	/* Every remote_addrs entry names one host (an address or a DNS
	 * name): the connection dials its peer, as an L2TP client does,
	 * rather than taking peers from %any or a subnet as a server
	 * does. Appended within ABI 7. */
	bool remote_hosts_only;
};

struct charond_child_view {
	uint32_t size; /* in: sizeof(struct charond_child_view) as built */
	const char *conn, *name;
	bool transport;
	const char *start_action; /* "none", "trap", "start" */
	/* `l2tp: true`: the l2tp plugin keeps several L2TP clients behind
	 * one NAT apart. Appended within ABI 6 (views may grow). */
	bool l2tp;
};

/* A secret of the top-level `secrets:` section, e.g. kind "psk". */
struct charond_secret_view {
	uint32_t size; /* in: sizeof(struct charond_secret_view) as built */
	const char *const *ids;
	size_t n_ids;
	const struct secret *secret;
};

/* --- hooks ---------------------------------------------------------------- */

/*
 * An authentication method; `name` is a config `auth:` value, and the
 * plugin also lists "auth:NAME" in `provides`. Users: psk ("psk"), x509
 * ("pubkey"). r->msg shows the peer's IKE_AUTH message (its CERT and
 * CERTREQ payloads) when there is one.
 */
struct charond_auth_method {
	const char *name;
	/* Our AUTH value: *method the AUTH method number, out/len its data
	 * (at most IKE_AUTH_MAX). */
	int (*sign)(void *state, const struct ike_auth_req *r, uint8_t *method,
		    uint8_t *out, size_t *len);
	/* 0 if data proves the peer; else -1 and why, for the log line. */
	int (*verify)(void *state, const struct ike_auth_req *r, uint8_t method,
		      struct bytes data, char *why, size_t why_len);
	/* Optional (x509): CERT payloads with our chain and CERTREQs for
	 * the CAs we trust, for our IKE_AUTH message; see ike_out_*(). */
	int (*payloads)(void *state, const struct ike_auth_req *r,
			struct ike_out *out);
	/* Optional (x509): 0 if the peer's ID (r->peer_id) is backed by its
	 * credentials, e.g. in its certificate's subjectAltName; else -1 and
	 * why. Called before verify. Without it, the configured remote ID
	 * (compared by the engine) is all there is. */
	int (*id_check)(void *state, const struct ike_auth_req *r, char *why,
			size_t why_len);
	/* Optional (x509), ABI 4: our ID for a connection whose local side
	 * names none (`local.id` unset), e.g. our certificate's subject
	 * as ID_DER_ASN1_DN: *type (IKEV2_ID_*) and at most IKE_ID_MAX
	 * octets in data, *len set. 0, or -1 to send our IP address as
	 * before. Asked each time our ID is written or checked, so that it
	 * follows a reload. */
	int (*local_id)(void *state, const char *conn, uint8_t *type,
			uint8_t *data, size_t *len);
};

/*
 * An exchange extension: payloads added to our messages and read from the
 * peer's (see struct ike_msg_view for which exchanges and when). Users:
 * natt, x509, dpd.
 */
struct charond_exchange_ext {
	const char *name;
	/* Add notifies or vendor IDs to an outgoing message. */
	void (*build)(void *state, const struct ike_msg_view *m,
		      struct ike_out *out);
	/* Read an incoming message; 0, or an IKEv2 error notify type that
	 * fails the exchange (logged with why). An INFORMATIONAL request
	 * with a DELETE is carried out all the same: the peer has already
	 * closed its half, and a refusal would leave ours open. */
	int (*input)(void *state, const struct ike_msg_view *m, char *why,
		     size_t why_len);
};

/* IKE and CHILD SA lifecycle events. Users: dpd, natt. */
struct charond_sa_listener {
	void (*event)(void *state, const struct ike_event *ev);
	/* Optional (natt): the kernel received UDP-encapsulated ESP for a
	 * CHILD SA of ike_id, its ICV verified, from `remote`, which is not
	 * where the SA sends to: the peer's NAT mapping changed
	 * (XFRM_MSG_MAPPING). */
	void (*mapping)(void *state, unsigned ike_id,
			const struct ike_endpoint *remote);
};

/* What a child filter is called for. */
enum charond_filter_op {
	CHAROND_FILTER_INSTALL, /* the SAs and policies go to the kernel */
	CHAROND_FILTER_REMOVE,  /* they are removed (also after a failed
				   install, one a later filter refused
				   included, and for an inbound SPI that
				   was allocated and never used: spi_out 0) */
	CHAROND_FILTER_MOVE,    /* as installed (ci: from) and as moved (ci:
				   to), see CHAROND_SA_MOVE */
	CHAROND_FILTER_TRAP,    /* trap policies (no SAs, no SPIs) */
};

/*
 * A child filter, called before a CHILD SA and its policies are handed to
 * the kernel and again, identically, before they are removed. It may
 * change selectors (pointing them to its own arrays, valid until the next
 * call), mode, marks, interface ID, UDP encapsulation and NAT-OA. Return
 * -1 to refuse the install (the CHILD SA fails, why is logged). Users:
 * l2tp, natt.
 */
struct charond_child_filter {
	const char *name;
	int (*filter)(void *state, enum charond_filter_op op,
		      const struct charond_child_view *child,
		      struct ike_child_install *ci, char *why, size_t why_len);
};

/* What a plugin may do to an IKE SA. Users: dpd (liveness, reinitiate,
 * kill), natt (move). */
enum charond_sa_action {
	CHAROND_SA_LIVENESS, /* an empty INFORMATIONAL; no answer kills it */
	CHAROND_SA_DELETE,   /* delete it and its children, telling the peer */
	CHAROND_SA_REINITIATE, /* a new IKE SA for its connection and
				  children; the old one is deleted. Also
				  for an SA that just died, from its
				  IKE_DOWN or FAILED event (dpd restart) */
	/* To new addresses or ports (args, struct charond_sa_move): the
	 * IKE SA's messages follow at once, and charond moves each
	 * installed CHILD SA's kernel SAs and policy templates with
	 * XFRM_MSG_MIGRATE: same SPIs, keys, sequence numbers and replay
	 * state, traffic flows on without a rekey (charond-move.sh in
	 * test/vm). The child filters see the CHILD SA as it was and as it
	 * will be; they may change its UDP encapsulation's ports but not
	 * its marks or interface ID. The peer learns nothing (no MOBIKE):
	 * it must move its end itself. Traffic selectors stay as they are,
	 * so a transport mode CHILD SA whose selectors are the old
	 * addresses goes on selecting those. -1 if a CHILD SA could not be
	 * moved (the IKE SA has moved all the same). */
	CHAROND_SA_MOVE,
	/* Drop it and its CHILD SAs now, without a DELETE (dpd: the peer
	 * is dead); its IKE_DOWN event says "peer not responding". */
	CHAROND_SA_KILL,
};

struct charond_sa_move {
	struct ike_endpoint local, remote;
};

/* --- what charond offers a plugin ------------------------------------ */

struct charond_api {
	uint32_t abi;
	void (*log)(enum ike_log_level level, const char *plugin,
		    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

	/* Views of the running configuration; valid until the next reload
	 * (listen for nothing: call again when you need them). Return 0,
	 * or -1 if there is no such connection or child. */
	int (*conn)(const char *conn, struct charond_conn_view *out);
	int (*child)(const char *conn, const char *child,
		     struct charond_child_view *out);
	/* The i-th secret of a kind, from 0; -1 past the last. */
	int (*secret)(const char *kind, size_t i,
		      struct charond_secret_view *out);
	/* A declared key's value: scope CONN (child NULL), CHILD, or PLUGIN
	 * (conn is the plugin's name, child NULL). 0, or -1 if the key was
	 * not declared by a loaded plugin. */
	int (*value)(enum charond_scope scope, const char *conn,
		     const char *child, const char *key,
		     struct charond_value *out);

	/* Hooks; each lives until the plugin is unloaded. 0, or -1 (full,
	 * or an auth method of that name exists already). */
	int (*add_auth)(const struct charond_auth_method *m, void *state);
	int (*add_extension)(const struct charond_exchange_ext *x, void *state);
	int (*add_listener)(const struct charond_sa_listener *l, void *state);
	int (*add_child_filter)(const struct charond_child_filter *f,
				void *state);

	/* Per-SA state: a slot per plugin, freed (with free_fn) when the IKE
	 * SA goes, rekeyed or not. sa_get returns NULL when unset. */
	int (*sa_slot)(const char *plugin, void (*free_fn)(void *data));
	void *(*sa_get)(int slot, unsigned ike_id);
	int (*sa_set)(int slot, unsigned ike_id, void *data);

	/* Timers on the engine's clock (milliseconds, monotonic). A timer
	 * fires once; returns its handle, 0 on failure. */
	uint64_t (*now)(void);
	uint64_t (*timer_add)(uint64_t delay_ms,
			      void (*cb)(void *arg, uint64_t now), void *arg);
	void (*timer_cancel)(uint64_t handle);

	/* Act on an IKE SA; args: struct charond_sa_move for MOVE, else
	 * NULL. 0, or -1 if there is no such SA or the action cannot run
	 * now (e.g. a request of ours is in flight for LIVENESS). */
	int (*sa_action)(unsigned ike_id, enum charond_sa_action a,
			 const void *args);
	/* A read-only view of one IKE SA, as for list-sas; see ike.h. */
	int (*sa_query)(unsigned ike_id,
			void (*cb)(void *ctx, const struct ike_sa_info *sa),
			void *ctx);

	/* natt: a NAT keepalive (RFC 3948 2.3: one 0xFF byte, no non-ESP
	 * marker) from the IKE SA's local endpoint to its remote one. */
	int (*send_keepalive)(unsigned ike_id);
	/* natt: whether we, and the peer, are behind a NAT, for list-sas
	 * and for sa_query's nat_local and nat_remote. */
	int (*sa_nat)(unsigned ike_id, bool local_behind, bool remote_behind);
	/* dpd: how long ago, in milliseconds, the kernel last received ESP
	 * on an inbound SA of one of the IKE SA's CHILD SAs (the most
	 * recent of them). -1 if none has received any, or none is
	 * installed. */
	int (*sa_esp_idle)(unsigned ike_id, uint64_t *idle_ms);
	/* dpd's trap action: trap policies for the connection's child (NULL:
	 * each of its children), as start_action trap installs them: the
	 * kernel's first packet for their selectors starts the connection
	 * again. 0, or -1 with nothing installed. */
	int (*trap)(const char *conn, const char *child);
	/* natt: the daemon's NAT-T port (daemon.port_nat_t), 0 if none. */
	uint16_t (*port_nat_t)(void);
	/* natt, IKEv1: ESP of the ISAKMP SA's Quick Modes goes in UDP, in
	 * RFC 3947's or the drafts' numbering (ike_sa_set_v1_encap). 0, or
	 * -1 if there is no such IKEv1 SA. ABI 6. */
	int (*sa_v1_encap)(unsigned ike_id, enum ike_v1_encap how);
};

/* --- config checks -------------------------------------------------- */

enum charond_severity {
	CHAROND_WARNING, /* printed; the configuration loads */
	CHAROND_ERROR,   /* the configuration is refused */
};

/*
 * What a plugin's `check` sees: the configuration being loaded (at start,
 * at every reload, for --check-config), not the running one, through the
 * same views as charond_api's. Everything it points to is valid during
 * the call only. An error refuses the configuration: charond starts
 * without it, or a reload keeps the running one, as with every config
 * error.
 */
struct charond_check {
	/* The i-th connection in the order written, from 0; -1 past the
	 * last. */
	int (*conn_at)(const struct charond_check *ck, size_t i,
		       struct charond_conn_view *out);
	/* As charond_api's conn, child, secret and value. */
	int (*conn)(const struct charond_check *ck, const char *conn,
		    struct charond_conn_view *out);
	int (*child)(const struct charond_check *ck, const char *conn,
		     const char *child, struct charond_child_view *out);
	int (*secret)(const struct charond_check *ck, const char *kind,
		      size_t i, struct charond_secret_view *out);
	int (*value)(const struct charond_check *ck, enum charond_scope scope,
		     const char *conn, const char *child, const char *key,
		     struct charond_value *out);
	/*
	 * A problem, printed as FILE:LINE:COL: severity: message at the
	 * key `key` of the connection `conn` (or of its child `child`):
	 * a key the plugin declares, or one of "local", "remote",
	 * "local.auth", "remote.auth", "local.certs", "local.key",
	 * "remote.ca" (those of a side not written: at its `auth`). key
	 * NULL or not written: at the child's or the connection's name; conn
	 * NULL or unknown: at the file, without a line.
	 */
	void (*report)(const struct charond_check *ck,
		       enum charond_severity sev, const char *conn,
		       const char *child, const char *key, const char *fmt, ...)
	    __attribute__((format(printf, 6, 7)));
	void *ctx; /* charond's */
};

struct charond_plugin {
	uint32_t abi; /* CHAROND_PLUGIN_ABI */
	const char *name;
	const char *version;
	const char *provides; /* space-separated, e.g. "auth:psk" */
	const char *requires; /* space-separated; NULL or "" for none */
	/* The config keys it honours, ended by an entry with key NULL;
	 * NULL for none. Read before init (for --check-config too). */
	const struct charond_config_key *keys;
	/* 0, or -1 with why (logged; the plugin is unloaded). */
	int (*init)(const struct charond_api *api, void **state, char *why,
		    size_t why_len);
	void (*fini)(void *state);
	/* Optional: checks of a configuration, reported through ck->report.
	 * Called when a configuration is loaded, before init at start and
	 * again at every reload and --check-config; it must not keep
	 * anything of ck. 0, or -1 if it could not check (out of memory):
	 * the configuration is then refused. */
	int (*check)(const struct charond_check *ck);
};

#endif
