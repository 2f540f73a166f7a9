/* SPDX-License-Identifier: ISC */
/*
 * charond's internals: the daemon state shared by its files, and their
 * prototypes grouped under the file that owns them.
 */
#ifndef CHAROND_DAEMON_H
#define CHAROND_DAEMON_H

#include <ev.h>

#include "config.h"
#include "ike.h"
#include "plugin.h"
#include "xfrm.h"

#define CHAROND_VERSION "0.1.0"
#define MAX_SOCKETS     16
#define MAX_PLUGINS     16
#define MAX_HOOKS       32 /* registered hooks of each kind */
#define MAX_SA_SLOTS    16 /* per-SA slots, all plugins together */

struct udp_sock {
	int fd;
	int family;
	uint16_t port;
	bool natt;      /* port 4500: non-ESP marker before IKE messages */
	uint32_t drops; /* the kernel's count of datagrams it dropped for a
			   full receive buffer (SO_RXQ_OVFL) */
	ev_io w;
};

/* A plugin opened (its keys known) and, once plugins_start() ran,
 * started: one that fails is dropped from the list. */
struct loaded_plugin {
	const struct charond_plugin *desc;
	void *handle;
	void *state;
	bool started;
};

struct daemon {
	const char *config_path;
	struct config *cfg;
	struct ike_engine *engine;
	/* The kernel's IPsec state: XFRM netlink, or with daemon.kernel:
	 * none the recorder of kernel_none.c; chosen once at start. */
	const struct kernel_ops *kops;
	void *kh;
	/* The kernel's XFRM events (kernel_events.c); NULL with none. */
	struct xfrm_events *xev;
	ev_io xev_w;
	struct ev_loop *loop;
	ev_timer timer;
	ev_prepare log_prepare; /* flushes log_buf.c before each wait */
	ev_signal sig_hup, sig_term, sig_int;
	struct udp_sock socks[MAX_SOCKETS];
	unsigned n_socks;
	struct loaded_plugin plugins[MAX_PLUGINS]; /* in start order */
	unsigned n_plugins;
	bool stopping;
	/* daemon.crypto_workers: responders' key exchanges off the loop's
	 * thread (crypto_pool.c); NULL with 0 workers. */
	struct crypto_pool *pool;
	const char *socket_path; /* ctl: -S, else the config's daemon.socket */
};

extern struct daemon daemon_g;

/* log.c */
void log_init(enum ike_log_level level, bool syslog);
void log_set_level(enum ike_log_level level);
enum ike_log_level log_level(void);
/* daemon.log.format: one JSON object per line instead of text. */
void log_set_json(bool json);
/* One JSON log line (without the newline) in out: {"time": RFC 3339 UTC
 * with milliseconds, "level", "conn" and "ike_id" (null without conn),
 * "msg"}; conn and msg escaped as esc_text does, then JSON-quoted; a msg
 * that does not fit is cut, the object stays whole. outlen must be at
 * least LOG_JSON_MIN. Returns the length (0 if outlen is too small). */
#define LOG_JSON_MIN 512
#define LOG_JSON_MAX 8704 /* a 1024-byte message, escaped, quoted */
struct timespec;
size_t log_format_json(char *out, size_t outlen, const struct timespec *ts,
		       enum ike_log_level level, const char *conn, unsigned id,
		       const char *msg);
void log_msg(enum ike_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void log_sa(enum ike_log_level level, const char *conn, unsigned id,
	    const char *msg);
int log_parse_level(const char *s, enum ike_log_level *out);
/* ctl: monitor clients see lines up to level (-1: none), even those the
 * daemon itself does not log. line is the escaped text line (with
 * "[conn#id] " when conn is not NULL); conn and id are the IKE SA's. */
typedef void log_tap_fn(enum ike_log_level level, const char *conn, unsigned id,
			const char *line);
void log_set_tap(log_tap_fn *fn, int level);

/* log_buf.c: stderr lines, buffered while log_buffer(true) (the event
 * loop runs) and written by log_flush() (the loop is about to wait), when
 * the buffer is full, at exit and on a fatal signal; written at once
 * otherwise. */
#define LOG_BUF_SIZE 65536
void log_buffer(bool enable);
void log_flush(void);
void log_write(const char *line, size_t len);

/* notify.c: state ("READY=1", ...) to systemd's $NOTIFY_SOCKET, if set;
 * 0 or -errno (logged). */
int notify_send(const char *state);

/*
 * ctl_keys.c: SAs' keys as rows of Wireshark's ikev2_decryption_table
 * (esp false) and esp_sa (esp true), for export-keys and save_keys.c.
 * row() gets each row as a string it must not keep (it is wiped after);
 * the counts say what was left out: algorithms Wireshark does not know,
 * ESP SAs the kernel did not give back. Without a kernel (kernel: none)
 * there are no ESP keys (esp_keys false).
 */
typedef void keys_row_fn(void *ctx, bool esp, const char *row);
struct keys_out {
	keys_row_fn *row;
	void *ctx;
	unsigned ike_skipped, esp_skipped, esp_missing;
	bool esp_keys;
};
void keys_out_init(struct keys_out *x, keys_row_fn *row, void *ctx);
/* The IKE SA's row (IKEv2 only). */
void keys_ike_rows(struct keys_out *x, const struct ike_sa_info *sa);
/* The two rows of one of its CHILD SAs, if installed. */
void keys_esp_rows(struct keys_out *x, const struct ike_sa_info *sa,
		   const struct ike_child_info *ch);

/* save_keys.c: daemon.save_keys, the rows appended to files as SAs come
 * up. save_keys_config() warns (loudly) when it is on, at start (was
 * NULL) or when a reload turns it on or moves it. */
void save_keys_config(const struct daemon_cfg *was,
		      const struct daemon_cfg *now);
void save_keys_event(struct daemon *d, const struct ike_event *ev);

/* net.c */
int net_open(struct daemon *d);
void net_close(struct daemon *d);
void net_send(void *ctx, const struct ike_endpoint *local,
	      const struct ike_endpoint *remote, const uint8_t *pkt,
	      size_t len);
/* Datagrams the kernel dropped on our sockets for a full receive buffer,
 * as of the last read; and the whole system's UDP RcvbufErrors (IPv4 and
 * IPv6, /proc/net/snmp), -1 if unreadable. */
uint64_t net_socket_drops(const struct daemon *d);
int64_t net_rcvbuf_errors(void);
/* daemon.receive_buffer on every IKE socket (on reload too). */
void net_set_receive_buffer(struct daemon *d, unsigned bytes);
/* starts.c: start_action start, paced by daemon.start_in_flight. Queue a
 * child, start what the limit allows, and free a place when an IKE SA is
 * up, failed or gone. */
void starts_push(const char *conn, const char *child);
void starts_pump(struct daemon *d);
void starts_done(struct daemon *d, unsigned ike_id);
size_t starts_waiting(void);
void starts_clear(void);
/* A datagram without the non-ESP marker, even on port 4500 (keepalives). */
void net_send_raw(struct daemon *d, const struct ike_endpoint *local,
		  const struct ike_endpoint *remote, const uint8_t *pkt,
		  size_t len);

/*
 * The kernel operations kernel.c and the counters of list-sas use, each
 * returning 0/-errno like libxfrm's function of the same name, on the
 * handle h of the implementation chosen at start.
 */
struct kernel_ops {
	const char *name; /* daemon.kernel's value */
	int (*spi_alloc)(void *h, const struct xfrm_sa *sa, uint32_t min,
			 uint32_t max, uint32_t *spi);
	int (*sa_add)(void *h, const struct xfrm_sa *sa);
	int (*sa_update)(void *h, const struct xfrm_sa *sa);
	int (*sa_del)(void *h, const struct xfrm_sa *sa);
	int (*sa_get)(void *h, const struct xfrm_sa *sa,
		      struct xfrm_sa_stats *st);
	/* The SA's algorithms and keys, for export-keys only; the caller
	 * wipes them. -EOPNOTSUPP where the keys are not kept. */
	int (*sa_get_keys)(void *h, const struct xfrm_sa *sa,
			   struct xfrm_sa_keys *k);
	int (*policy_update)(void *h, const struct xfrm_policy *p);
	int (*policy_del)(void *h, const struct xfrm_policy *p);
	int (*policy_migrate)(void *h, const struct xfrm_policy *p,
			      const struct xfrm_move *m);
	const char *(*error)(const void *h); /* the last request's, or "" */
	void (*close)(void *h);
};

/* kernel.c */
extern const struct kernel_ops kernel_xfrm_ops;
/* Opens the kernel side daemon.kernel names: 0, or -1 (logged). */
int kernel_open(struct daemon *d);
void kernel_close(struct daemon *d);
/* daemon.spd_hash_ipv4/ipv6 into the SPD of our network namespace, when
 * set and (on a reload) other than before's; logged. */
void kernel_spd_hash(struct daemon *d, const struct daemon_cfg *c,
		     const struct daemon_cfg *before);
void kernel_xaddr(const struct ike_endpoint *ep, struct xfrm_addr *a);
int kernel_spi_alloc(void *ctx, const struct ike_endpoint *local,
		     const struct ike_endpoint *remote, uint32_t reqid,
		     uint32_t *spi);
int kernel_child_install(void *ctx, const struct ike_child_install *ci);
void kernel_child_remove(void *ctx, const struct ike_child_install *ci);
int kernel_child_move(void *ctx, const struct ike_child_install *from,
		      const struct ike_child_install *to);

/* kernel_none.c: daemon.kernel: none. A recorder that answers every
 * request as the kernel would had it succeeded: SPIs unique among those
 * in use, SAs and policies recorded, counters 0. */
extern const struct kernel_ops kernel_none_ops;
void *kernel_none_new(void);
/* What is recorded: SAs (larval ones included) and policies. */
void kernel_none_count(const void *h, size_t *sas, size_t *policies);

/* conns.c */
int conns_apply(struct daemon *d, uint64_t now);
const struct conn_cfg *conns_find(const struct daemon *d, const char *name);
/* A connection as the engine gets it (endpoints resolved, selectors as
 * libike's), for trap.c; cleared with conns_engine_cfg_clear. */
int conns_engine_cfg(const struct daemon *d, const struct conn_cfg *c,
		     struct ike_conn_cfg *k);
void conns_engine_cfg_clear(struct ike_conn_cfg *k);

/* kernel_idle.c: charond_api.sa_esp_idle; what it keeps of an IKE SA
 * goes when the engine frees the SA. */
int kernel_esp_idle(unsigned ike_id, uint64_t *idle_ms);
void kernel_idle_forget(unsigned ike_id);

/* trap.c: trap policies (start_action trap, charond_api.trap): policies
 * without SAs, so that the kernel's first packet for a child's selectors
 * (XFRM_MSG_ACQUIRE) starts its connection. */
/* After the config was loaded or reloaded: traps of children that have
 * start_action trap installed, those of children gone or changed
 * removed. */
void trap_apply(struct daemon *d);
/* Every trap policy out of the kernel (shutdown). */
void trap_clear(struct daemon *d);
/* charond_api.trap: 0, or -1 with nothing installed. */
int trap_api(const char *conn, const char *child);
/* The kernel's ACQUIRE for a trap's reqid: its connection is started,
 * unless an IKE SA for it is already connecting. */
void trap_acquire(struct daemon *d, uint32_t reqid, uint32_t seq);
/* The sequence number of the ACQUIRE a trap's child's outbound SA
 * answers, 0 if none. */
uint32_t trap_acq_seq(const struct ike_child_install *ci);
/* A CHILD SA installed or removed (kernel.c): while one is installed its
 * policies stand in the trap's place; when the last goes, the trap's come
 * back. */
void trap_child_installed(struct daemon *d, const struct ike_child_install *ci);
void trap_child_removed(struct daemon *d, const struct ike_child_install *ci);
/* kernel.c: a child's policies (out, in and, in tunnel mode, fwd), as a
 * CHILD SA's are installed; del removes them. */
int kernel_policies(struct daemon *d, const struct ike_child_install *ci,
		    bool del);

/* kernel_events.c: the kernel's XFRM events in the event loop (ACQUIRE
 * to trap.c, MAPPING to the plugins); nothing with kernel: none. */
int kernel_events_open(struct daemon *d);
void kernel_events_close(struct daemon *d);

/* plugin.c: loading. plugins_open() dlopen()s the plugins dc names (all
 * in its plugin_dir by default), refuses those of another ABI, orders the
 * rest by requires/provides (refusing a missing dependency or a second
 * provider of an auth method) and makes their declared keys and auth
 * methods the config loader's (config_plugin.h); nothing is started.
 * plugins_start() calls their init in order. Both return 0, or -1 if any
 * plugin was refused or failed (each logged, the others go on). */
int plugins_open(struct daemon *d, const struct daemon_cfg *dc);
int plugins_start(struct daemon *d);
void plugins_unload(struct daemon *d);
/* Whether a loaded plugin declares key (or a map of keys) at scope; for
 * CHAROND_SCOPE_PLUGIN key is "PLUGIN.KEY". ctx: the daemon. */
bool plugins_key_supported(void *ctx, enum charond_scope scope,
			   const char *key);
/* The declaration of a key, as for charond_api.value. */
const struct charond_config_key *
plugins_find_key(enum charond_scope scope, const char *plugin, const char *key);

/* plugin_hooks.c: what plugins register, and the engine's hooks (struct
 * ike_env) dispatched to it. */
void hooks_begin(const struct charond_plugin *owner); /* init runs */
void hooks_drop(const struct charond_plugin *owner);  /* failed, unloaded */
void hooks_clear(void);
int hooks_add_auth(const struct charond_auth_method *m, void *state);
int hooks_add_extension(const struct charond_exchange_ext *x, void *state);
int hooks_add_listener(const struct charond_sa_listener *l, void *state);
int hooks_add_child_filter(const struct charond_child_filter *f, void *state);
int hooks_sa_slot(const char *plugin, void (*free_fn)(void *data));
void *hooks_sa_get(int slot, unsigned ike_id);
unsigned hooks_sa_buckets(void);
int hooks_sa_set(int slot, unsigned ike_id, void *data);
uint64_t hooks_now(void);
uint64_t hooks_timer_add(uint64_t delay_ms, void (*cb)(void *arg, uint64_t now),
			 void *arg);
void hooks_timer_cancel(uint64_t handle);
int hooks_sa_action(unsigned ike_id, enum charond_sa_action a,
		    const void *args);
int hooks_send_keepalive(unsigned ike_id);
int hooks_sa_nat(unsigned ike_id, bool local_behind, bool remote_behind);
int hooks_sa_v1_encap(unsigned ike_id, enum ike_v1_encap how);
uint16_t hooks_port_nat_t(void);
/* The kernel's XFRM_MSG_MAPPING for a CHILD SA of ike_id: to the
 * listeners' mapping hooks (natt). */
void plugins_mapping(unsigned ike_id, const struct ike_endpoint *remote);
int hooks_sa_query(unsigned ike_id,
		   void (*cb)(void *ctx, const struct ike_sa_info *sa),
		   void *ctx);
int plugins_auth_sign(void *ctx, const struct ike_auth_req *r, uint8_t *method,
		      uint8_t *out, size_t *len);
int plugins_auth_verify(void *ctx, const struct ike_auth_req *r, uint8_t method,
			struct bytes data, char *why, size_t why_len);
int plugins_auth_payloads(void *ctx, const struct ike_auth_req *r,
			  struct ike_out *out);
int plugins_auth_id_check(void *ctx, const struct ike_auth_req *r, char *why,
			  size_t why_len);
int plugins_auth_local_id(void *ctx, const char *conn, uint8_t *type,
			  uint8_t *data, size_t *len);
void plugins_ext_build(void *ctx, const struct ike_msg_view *m,
		       struct ike_out *out);
int plugins_ext_input(void *ctx, const struct ike_msg_view *m, char *why,
		      size_t why_len);
void plugins_event(void *ctx, const struct ike_event *ev);
void plugins_sa_freed(void *ctx, unsigned ike_id);
/* The child filters on a copy of ci (out); -1 with why if one refuses. */
int plugins_child_filter(enum charond_filter_op op,
			 const struct ike_child_install *ci,
			 struct ike_child_install *out, char *why,
			 size_t why_len);

/* plugin_views.c: the configuration as plugins see it (charond_api). */
int views_conn(const char *conn, struct charond_conn_view *out);
int views_child(const char *conn, const char *child,
		struct charond_child_view *out);
int views_secret(const char *kind, size_t i, struct charond_secret_view *out);
int views_value(enum charond_scope scope, const char *conn, const char *child,
		const char *key, struct charond_value *out);
/* After the running config changed: views built for the old one go. */
void views_reset(void);

/* main.c */
uint64_t daemon_now(void);
void daemon_rearm(struct daemon *d);
/* SIGHUP and `charonctl load`: a config with errors is rejected whole
 * (-EINVAL etc.) and the running one stays. Problems go to dl; with old,
 * the replaced config is handed over for the caller to compare and free.
 * Daemon settings that only a restart applies stay as they are, each
 * logged, warned about in dl and flagged in *restart (may be NULL) by its
 * index in daemon_restart_keys. */
int daemon_reload(struct daemon *d, struct diag_list *dl, struct config **old,
		  unsigned *restart);
/* "daemon.listen", ...: NULL-terminated. */
extern const char *const daemon_restart_keys[];

#endif
