/* SPDX-License-Identifier: ISC */
/*
 * The control socket: a UNIX stream socket speaking newline-delimited JSON
 * to charonctl and to orchestration tools (the contract is the interface
 * spec's "Control socket and charonctl"). One request object per line,
 * {"id": 1, "cmd": "list-sas", "args": {}}; one reply per request, carrying
 * the same id and either "ok": true with a "result" object or "ok": false
 * with an "error" object {"code", "message"}. `monitor` adds a stream of
 * event objects ({"event": "ike-up", ...}) to the connection.
 *
 * Files: ctl.c (clients, buffers, waits, monitor fan-out), ctl_sock.c (the
 * socket file and who may connect), ctl_cmd.c (the commands), ctl_proto.c (line
 * framing, request parsing, replies; no daemon state, unit-tested), ctl_json.c
 * (SAs, connections and stats as JSON; no daemon state, unit-tested),
 * ctl_certs.c (list-certs, list-authorities; the files described by
 * cert_info.c).
 */
#ifndef CHAROND_CTL_H
#define CHAROND_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

#include "config.h"
#include "ike.h"

/* Limits that keep one client from costing the daemon much: the longest
 * request line, the unsent output a client may leave behind before it is
 * dropped, and how many may be connected. */
#define CTL_MAX_LINE    (64 * 1024)
#define CTL_MAX_OUT     (4 * 1024 * 1024)
#define CTL_MAX_CLIENTS 64

/* Error codes ("error": {"code": ...}). charonctl maps the first group to
 * exit status 2 (usage or configuration), PERMISSION_DENIED and BUSY to 3,
 * everything else to 1. */
#define CTL_E_PARSE         "PARSE_ERROR"     /* not JSON */
#define CTL_E_TOO_LONG      "LINE_TOO_LONG"   /* over CTL_MAX_LINE */
#define CTL_E_BAD_REQUEST   "BAD_REQUEST"     /* JSON, not a request */
#define CTL_E_UNKNOWN_CMD   "UNKNOWN_COMMAND" /* no such cmd */
#define CTL_E_INVALID_ARGS  "INVALID_ARGS"    /* missing, extra, mistyped */
#define CTL_E_CONFIG        "CONFIG_ERROR"    /* load: the file has errors */
#define CTL_E_DENIED        "PERMISSION_DENIED"
#define CTL_E_BUSY          "BUSY" /* CTL_MAX_CLIENTS reached */
#define CTL_E_NOT_FOUND     "NOT_FOUND"
#define CTL_E_NOT_SUPPORTED "NOT_SUPPORTED"
#define CTL_E_TIMEOUT       "TIMEOUT" /* the request's own timeout */
#define CTL_E_AUTH          "AUTH_FAILED"
#define CTL_E_NO_PROPOSAL   "NO_PROPOSAL_CHOSEN"
#define CTL_E_TS            "TS_UNACCEPTABLE"
#define CTL_E_PEER_GONE     "PEER_NOT_RESPONDING"
#define CTL_E_FAILED        "FAILED" /* any other failed negotiation */
#define CTL_E_INTERNAL      "INTERNAL"

/* --- ctl_proto.c --------------------------------------------------------- */

/* A client's unparsed input: complete lines are taken out one by one. */
struct ctl_inbuf {
	char *data;
	size_t len, cap;
	size_t taken;    /* the line handed out last, freed at the next call */
	size_t max;      /* the longest line accepted */
	bool discarding; /* an over-long line: drop bytes up to its '\n' */
};

void ctl_inbuf_init(struct ctl_inbuf *b, size_t max_line);
void ctl_inbuf_free(struct ctl_inbuf *b);
/* Appends what was read; returns 0 or -ENOMEM. Bytes of a line being
 * discarded are dropped here. */
int ctl_inbuf_append(struct ctl_inbuf *b, const void *data, size_t len);
/*
 * The next complete line into *line (NUL-terminated, without '\n' or a
 * trailing '\r'; valid until the next call of either function): returns 1. 0
 * when no line is complete. -1 once per over-long line: it is then discarded up
 * to its end and the lines after it are served as usual.
 */
int ctl_inbuf_next(struct ctl_inbuf *b, char **line, size_t *len);
/* Unparsed bytes held (to stop reading from a client that floods). */
size_t ctl_inbuf_pending(const struct ctl_inbuf *b);

/* A parsed request. root owns everything else. */
struct ctl_req {
	json_t *root;
	json_t *id; /* borrowed from root; JSON null when absent */
	const char *cmd;
	json_t *args; /* borrowed; an empty object when absent */
};

/*
 * Parse one line. Returns NULL and fills req, or an error code (CTL_E_*)
 * with a message in err; req->id is then whatever id could be recovered
 * (JSON null otherwise) and must still be released with ctl_req_free().
 */
const char *ctl_req_parse(const char *line, size_t len, struct ctl_req *req,
			  char *err, size_t errlen);
void ctl_req_free(struct ctl_req *req);

/*
 * Arguments. Each returns NULL when the argument is absent (*out untouched)
 * or present and good (stored), else CTL_E_INVALID_ARGS with a message.
 * ctl_args_check() refuses any key not in the NULL-terminated list, so a
 * misspelt option is an error rather than ignored.
 */
const char *ctl_args_check(json_t *args, const char *const *allowed, char *err,
			   size_t errlen);
const char *ctl_arg_string(json_t *args, const char *key, const char **out,
			   char *err, size_t errlen);
/* An integer in [min, max]. */
const char *ctl_arg_uint(json_t *args, const char *key, uint64_t min,
			 uint64_t max, uint64_t *out, char *err, size_t errlen);
/* A number of seconds (integer or real) in [0, max], as milliseconds. */
const char *ctl_arg_seconds(json_t *args, const char *key, double max,
			    uint64_t *ms, char *err, size_t errlen);
/* true or false. */
const char *ctl_arg_bool(json_t *args, const char *key, bool *out, char *err,
			 size_t errlen);
/* A log level name, or "none" (stored as -1) when none_ok. */
const char *ctl_arg_level(json_t *args, const char *key, bool none_ok, int *out,
			  char *err, size_t errlen);

/* Reply lines, '\n'-terminated and malloc'ed (NULL when out of memory).
 * result and extra are stolen; extra (may be NULL) adds its members to the
 * error object (load's "diagnostics"). */
char *ctl_reply_ok(json_t *id, json_t *result);
char *ctl_reply_error(json_t *id, const char *code, const char *msg,
		      json_t *extra);
/* An event line for monitor clients; ev is stolen. */
char *ctl_event_line(json_t *ev);

/* An error code (CTL_E_AUTH, ..., CTL_E_FAILED) for a failure the engine
 * described in words. */
const char *ctl_reason_code(const char *reason);

/* A JSON string from bytes that may be neither UTF-8 nor printable
 * (identities from the wire, log lines): escaped by esc_text(). */
json_t *ctl_json_text(const char *s, size_t len);

/* --- ctl_json.c ---------------------------------------------------------- */

/* Kernel counters of one CHILD SA; valid false when they could not be
 * read (the SA is not installed, or the kernel said no). */
struct ctl_child_counters {
	bool valid;
	bool encap; /* the kernel's SAs are UDP-encapsulated */
	uint64_t bytes_in, packets_in, bytes_out, packets_out;
};

/* One IKE SA as list-sas shows it; counters has sa->n_children entries or
 * is NULL (all zero). */
json_t *ctl_json_ike_sa(const struct ike_sa_info *sa,
			const struct ctl_child_counters *counters);
/* One configured connection of cfg as list-conns shows it, with the values its
 * plugins' keys were given (hint: as config_plugin_each's, 0 to start). */
json_t *ctl_json_conn(const struct config *cfg, const struct conn_cfg *c,
		      size_t *hint);
/* "192.0.2.1" and the port of an endpoint (0 and "" for none). */
void ctl_endpoint_text(const struct ike_endpoint *ep, char *buf, size_t len,
		       unsigned *port);
/* "10.1.0.0/16", "10.0.0.1-10.0.0.9", "10.2.0.5/32[udp/1701]". */
void ctl_ts_text(const struct ts *t, char *buf, size_t len);
/* An identity: addresses and names as text (escaped by esc_text(): it
 * needs up to ESC_MAX(IKE_ID_MAX) + 1 bytes), other types as "#" and
 * hex. */
void ctl_id_text(const struct pld_id *id, char *buf, size_t len);
/* The ESP keyword form of a CHILD SA's algorithms ("aes128gcm16"). */
void ctl_child_proposal(const struct ike_child_info *c, char *buf, size_t len);
/* Counters for `stats`, kept from events. */
struct ctl_stats {
	uint64_t started; /* CLOCK_REALTIME seconds */
	uint64_t ike_up, ike_down, child_up, child_down;
	uint64_t auth_failed, ike_failed, child_failed;
	uint64_t ike_rekeyed, child_rekeyed;
	uint64_t requests, errors, clients_dropped, clients_refused;
	unsigned n_reasons;
	struct {
		char reason[96];
		uint64_t n;
	} reasons[32]; /* failures by reason; the rest count as "other" */
};

/* Count an event (and a failure's reason) into s. */
void ctl_stats_count(struct ctl_stats *s, const struct ike_event *ev);
/* A monitor event object: {"event": "ike-up", "time", "ike_id", "conn",
 * and "child_id", "child", "reason" when there are}. now is the wall
 * clock in seconds. */
json_t *ctl_json_event(const struct ike_event *ev, double now);
/* A monitor's filter (monitor's "conn" and "ike_id"): NULL and 0 for
 * none. With either set, only what is about an IKE SA that matches passes;
 * lines about no IKE SA do not. */
struct ctl_filter {
	char *conn;
	unsigned ike_id;
};
/* Whether an event or log line about conn's IKE SA ike_id passes f.
 * old_id: the IKE SA an ike-rekeyed event's ike_id replaces (else 0). */
bool ctl_filter_match(const struct ctl_filter *f, const char *conn,
		      unsigned ike_id, unsigned old_id);
/* A log event object: {"event": "log", "time", "level", "message", and
 * "conn", "ike_id" when the line is about an IKE SA}. */
json_t *ctl_json_log(int level, const char *conn, unsigned ike_id,
		     const char *line, double now);
/* A duration in seconds: an integer when it is whole. */
json_t *ctl_json_seconds(uint64_t ms);
const char *ctl_level_name(int level);

/* --- ctl_list.c ---------------------------------------------------------- */

/* A step writes at most this many SAs, and stops early once it wrote this
 * many bytes: what a client has unread stays far below CTL_MAX_OUT. Each
 * step walks the engine's list from its start to where the last one
 * stopped, so steps are not made smaller than they need to be. */
#define CTL_LIST_STEP_SAS   1024
#define CTL_LIST_STEP_BYTES (512 * 1024)

/* A list-sas reply being written, step by step. */
struct ctl_list {
	char *id_text; /* the request's id as JSON */
	char *conn;    /* NULL: every connection */
	unsigned only_id;
	bool lines;     /* "stream": a line per SA, then the reply */
	unsigned below; /* the SAs left have lower ids; 0 at first */
	size_t count;   /* SAs written */
	bool started, done;
	/* The kernel's counters of a CHILD SA (NULL: none). */
	void (*counters)(const struct ike_sa_info *sa,
			 const struct ike_child_info *ch,
			 struct ctl_child_counters *k);
};

/* conn NULL: every connection; only_id 0: every SA. -ENOMEM or 0. */
int ctl_list_init(struct ctl_list *l, json_t *id, const char *conn,
		  unsigned only_id, bool lines);
void ctl_list_free(struct ctl_list *l);
/* Write the next step through emit (which returns 0 or -errno): 1 when
 * more is to come, 0 once the reply is complete, or an error. */
int ctl_list_step(struct ctl_list *l, const struct ike_engine *e,
		  int (*emit)(void *ctx, const char *s, size_t len), void *ctx);

/* --- ctl.c: the daemon's side -------------------------------------------- */

struct daemon;

/* Create the socket at path (mode 0660, owner root, group
 * daemon.socket_group or that of its directory) and start accepting. A
 * live socket of another daemon there is left alone: -EADDRINUSE; an
 * unsafe directory is -EPERM (see ctl_sock_open()). */
int ctl_open(struct daemon *d, const char *path);
/* daemon.ctl_idle_timeout (0: never), for the clients there and to come. */
void ctl_set_idle_timeout(uint64_t ms);
/* Close every client (pending waits are abandoned) and remove the socket. */
void ctl_close(struct daemon *d);
/* main.c's engine_event: waits and monitor clients. */
void ctl_event(const struct ike_event *ev);

/* --- ctl_sock.c ---------------------------------------------------------- */

struct ucred;

/* Create, bind and listen (non-blocking); the fd, or -errno (logged).
 * The socket's group, *gid, is *want, or the directory's when want is
 * NULL. -EPERM: the directory is writable by others than root (or us)
 * and that group, which must stop the daemon. */
int ctl_sock_open(const char *path, const gid_t *want, gid_t *gid);
/* Root, the daemon's own user, and members of group gid (primary or
 * supplementary) may talk to us. */
bool ctl_sock_allowed(int fd, const struct ucred *cr, gid_t gid);
/* Before a client exists: one error line, best effort, then close(fd). */
void ctl_sock_refuse(int fd, const char *code, const char *msg);

/* --- ctl.c, for ctl_cmd.c ------------------------------------------------ */

struct ctl_client;

const struct ctl_stats *ctl_stats(void);
/* ctl_keys.c: the export-keys command (root only). */
void ctl_export_keys(struct ctl_client *c, json_t *id);
/* The client's user id, from SO_PEERCRED when it connected. */
uid_t ctl_client_uid(const struct ctl_client *c);
unsigned ctl_n_clients(void);
/* Reply to c's request id: success with result (stolen; NULL means out of
 * memory and is answered INTERNAL), or an error; extra as for
 * ctl_reply_error(). */
void ctl_reply(struct ctl_client *c, json_t *id, json_t *result);
void ctl_error(struct ctl_client *c, json_t *id, const char *code,
	       json_t *extra, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* Write list-sas' reply l (allocated, taken over) to c, a step at a time
 * as c reads it. */
void ctl_list_start(struct ctl_client *c, struct ctl_list *l);
/* Make c a monitor client (level -1: events only), of the events and log
 * lines about connection conn (NULL: any) or IKE SA ike_id (0: any) only
 * when either is given. 0 or -ENOMEM. */
int ctl_set_monitor(struct ctl_client *c, int level, const char *conn,
		    unsigned ike_id);

enum ctl_wait_kind {
	CTL_WAIT_INITIATE,
	CTL_WAIT_TERMINATE,
};

/* An IKE SA, or one of its CHILD SAs (child_id != 0; numbered per IKE
 * SA). */
struct ctl_sa_ref {
	unsigned ike_id, child_id;
};

/*
 * Park c's request until the engine reports the outcome: for
 * CTL_WAIT_INITIATE, IKE SA refs[0] up (with child, if not NULL) or
 * failed; for CTL_WAIT_TERMINATE, every SA of refs gone (those already
 * gone count as done; the answer may then come at once). timeout_ms 0
 * waits as long as the engine does. Returns 0, or -ENOMEM (replied).
 */
int ctl_wait(struct ctl_client *c, json_t *id, enum ctl_wait_kind kind,
	     const struct ctl_sa_ref *refs, size_t n, const char *conn,
	     const char *child, uint64_t timeout_ms);
/* While the engine runs a command: what it reported synchronously (an
 * SA killed before ike_initiate() returned). */
void ctl_capture_begin(void);
const char *ctl_capture_end(void);

/* --- ctl_certs.c ---------------------------------------------------------- */

/* list-certs (of connection conn only, when not NULL) and
 * list-authorities: reply to c's request id. */
void ctl_list_certs(struct ctl_client *c, json_t *id, const char *conn);
void ctl_list_authorities(struct ctl_client *c, json_t *id);

/* --- ctl_cmd.c ------------------------------------------------------------ */

/* Run one parsed request for c; replies (now or through ctl_wait). */
void ctl_cmd_run(struct ctl_client *c, struct ctl_req *req);
/* The reply of a finished initiate (result object) for IKE SA ike_id. */
json_t *ctl_cmd_sa_result(unsigned ike_id, unsigned child_id);
/* Whether the SA is still listed by the engine. A CHILD SA being deleted
 * is, until the peer answered our DELETE. */
bool ctl_cmd_sa_exists(const struct ctl_sa_ref *ref);

#endif
