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

struct udp_sock {
	int fd;
	int family;
	uint16_t port;
	bool natt; /* port 4500: non-ESP marker before IKE messages */
	ev_io w;
};

struct loaded_plugin {
	const struct charond_plugin *desc;
	void *handle;
	void *state;
};

struct auth_hook {
	const struct charond_auth_method *m;
	void *state;
};

struct listener_hook {
	const struct charond_sa_listener *l;
	void *state;
};

struct daemon {
	const char *config_path;
	struct config *cfg;
	struct ike_engine *engine;
	struct xfrm_nl *xfrm;
	struct ev_loop *loop;
	ev_timer timer;
	ev_signal sig_hup, sig_term, sig_int;
	struct udp_sock socks[MAX_SOCKETS];
	unsigned n_socks;
	struct loaded_plugin plugins[MAX_PLUGINS];
	unsigned n_plugins;
	struct auth_hook auths[MAX_PLUGINS];
	unsigned n_auths;
	struct listener_hook listeners[MAX_PLUGINS];
	unsigned n_listeners;
	bool stopping;
	const char *socket_path; /* ctl: -S, else the config's daemon.socket */
};

extern struct daemon daemon_g;

/* log.c */
void log_init(enum ike_log_level level, bool syslog);
void log_set_level(enum ike_log_level level);
enum ike_log_level log_level(void);
void log_msg(enum ike_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void log_sa(enum ike_log_level level, const char *conn, unsigned id,
	    const char *msg);
int log_parse_level(const char *s, enum ike_log_level *out);
/* ctl: monitor clients see lines up to level (-1: none), even those the
 * daemon itself does not log. */
void log_set_tap(void (*fn)(enum ike_log_level level, const char *line),
		 int level);

/* net.c */
int net_open(struct daemon *d);
void net_close(struct daemon *d);
void net_send(void *ctx, const struct ike_endpoint *local,
	      const struct ike_endpoint *remote, const uint8_t *pkt,
	      size_t len);

/* kernel.c */
void kernel_xaddr(const struct ike_endpoint *ep, struct xfrm_addr *a);
int kernel_spi_alloc(void *ctx, const struct ike_endpoint *local,
		     const struct ike_endpoint *remote, uint32_t reqid,
		     uint32_t *spi);
int kernel_child_install(void *ctx, const struct ike_child_install *ci);
void kernel_child_remove(void *ctx, const struct ike_child_install *ci);

/* conns.c */
int conns_apply(struct daemon *d, uint64_t now);
const struct conn_cfg *conns_find(const struct daemon *d, const char *name);

/* plugin.c */
int plugins_load(struct daemon *d);
void plugins_unload(struct daemon *d);
int plugins_auth_sign(void *ctx, const struct ike_auth_req *r, uint8_t *method,
		      uint8_t *out, size_t *len);
int plugins_auth_verify(void *ctx, const struct ike_auth_req *r, uint8_t method,
			struct bytes data, char *why, size_t why_len);
void plugins_event(void *ctx, const struct ike_event *ev);

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
