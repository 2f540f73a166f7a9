/* SPDX-License-Identifier: ISC */
/*
 * charond: arguments, configuration, and the one libev loop that feeds the
 * engine datagrams (net.c), signals and a single timer re-armed to the
 * engine's next deadline after every callback.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config_plugin.h"
#include "crypto_pool.h"
#include "ctl.h"
#include "daemon.h"

#define DEFAULT_CONFIG "/etc/charond/charond.yaml"

struct daemon daemon_g;

/* --log-level outranks the file's daemon.log.level, also at a reload. */
static bool level_from_cli;

uint64_t
daemon_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void
on_timer(struct ev_loop *loop, ev_timer *w, int revents)
{
	ike_tick(daemon_g.engine, daemon_now());
	daemon_rearm(&daemon_g);
	(void)loop;
	(void)w;
	(void)revents;
}

void
daemon_rearm(struct daemon *d)
{
	uint64_t next = ike_next_deadline(d->engine), now = daemon_now();
	double after;

	ev_timer_stop(d->loop, &d->timer);
	if (next == UINT64_MAX)
		return;
	after = next > now ? (double)(next - now) / 1000.0 : 0.0;
	ev_timer_set(&d->timer, after, 0.0);
	ev_timer_start(d->loop, &d->timer);
}

static void
engine_log(void *ctx, enum ike_log_level level, const char *conn, unsigned id,
	   const char *msg)
{
	log_sa(level, conn, id, msg);
}

/* The engine freed an IKE SA: what the plugins and the ESP idle times
 * kept of it goes. */
static void
sa_freed(void *ctx, unsigned ike_id)
{
	plugins_sa_freed(ctx, ike_id);
	kernel_idle_forget(ike_id);
	starts_done(ctx, ike_id);
}

static void
engine_offload(void *ctx, struct ike_job *job)
{
	struct daemon *d = ctx;

	crypto_pool_submit(d->pool, job);
}

/* A worker is done with a job: the engine answers, and its next deadline
 * may have moved (the answered SA waits for IKE_AUTH). */
static void
job_done(void *ctx, struct ike_job *job)
{
	struct daemon *d = ctx;

	ike_engine_job_done(d->engine, daemon_now(), job);
	if (!d->stopping)
		daemon_rearm(d);
}

static void
engine_event(void *ctx, const struct ike_event *ev)
{
	save_keys_event(ctx, ev); /* before the plugins could act on it */
	if (ev->type == IKE_EV_IKE_UP || ev->type == IKE_EV_FAILED ||
	    ev->type == IKE_EV_AUTH_FAILED || ev->type == IKE_EV_IKE_DOWN)
		starts_done(ctx, ev->ike_id);
	plugins_event(ctx, ev);
	ctl_event(ev); /* waits of control clients, monitor streams */
}

/*
 * The plugins are named in the file whose keys they declare: its daemon
 * section first, then the plugins it names are opened (not started) so the
 * whole file can be checked against their keys and auth methods. Returns
 * 0, or the exit status (2: the configuration has errors).
 */
static int
load_all(struct daemon *d)
{
	struct config *daemon_only = NULL;
	struct diag_list dl;
	int rc;

	diag_list_init(&dl);
	rc = config_load_flags(d->config_path, CONFIG_DAEMON_ONLY, &daemon_only,
			       &dl);
	if (rc < 0 || !daemon_only) {
		diag_print(stderr, &dl);
		diag_list_free(&dl);
		return 2;
	}
	diag_list_free(&dl);
	if (plugins_open(d, &daemon_only->daemon) < 0)
		log_msg(IKE_LOG_WARN, "some plugins were refused");
	config_free(daemon_only);
	diag_list_init(&dl);
	rc = config_load(d->config_path, &d->cfg, &dl);
	diag_print(stderr, &dl);
	diag_list_free(&dl);
	if (rc < 0 || !d->cfg) {
		plugins_unload(d);
		return 2;
	}
	return 0;
}

/* A new configuration replaces the running one only if it loads without
 * errors; unchanged connections keep their SAs. */
/* Bring up the children of a connection whose start_action is start. */
static void
initiate_conn(struct daemon *d, const struct conn_cfg *c)
{
	size_t j;

	for (j = 0; j < c->n_children; j++)
		if (c->children[j].start_action == CFG_START_START)
			starts_push(c->name, c->children[j].name);
	starts_pump(d);
}

/* The ids of a connection's IKE SAs, however many. */
struct sa_ids {
	unsigned *id;
	size_t n, cap;
	bool oom;
};

static void
collect_id(void *ctx, const struct ike_sa_info *sa)
{
	struct sa_ids *ids = ctx;

	if (ids->n == ids->cap) {
		size_t cap = ids->cap ? 2 * ids->cap : 64;
		unsigned *grown = realloc(ids->id, cap * sizeof(*grown));

		if (!grown) {
			ids->oom = true;
			return;
		}
		ids->id = grown;
		ids->cap = cap;
	}
	ids->id[ids->n++] = sa->id;
}

static void
terminate_conn(struct daemon *d, const char *name)
{
	struct sa_ids ids = {0};
	size_t i;

	ike_list_sas(d->engine, name, collect_id, &ids);
	if (ids.oom)
		log_msg(IKE_LOG_ERROR,
			"connection '%s': out of memory listing its SAs; "
			"some are left running",
			name);
	for (i = 0; i < ids.n; i++)
		ike_terminate(d->engine, daemon_now(), ids.id[i]);
	free(ids.id);
}

const char *const daemon_restart_keys[] = {
    "daemon.listen",         "daemon.port",
    "daemon.port_nat_t",     "daemon.socket",
    "daemon.socket_group",   "daemon.plugins",
    "daemon.plugin_dir",     "daemon.kernel",
    "daemon.crypto_workers", NULL,
};

static bool
listen_equal(const struct daemon_cfg *a, const struct daemon_cfg *b)
{
	size_t i;

	if (a->n_listen != b->n_listen)
		return false;
	for (i = 0; i < a->n_listen; i++)
		if (!cfg_ip_equal(&a->listen[i], &b->listen[i]))
			return false;
	return true;
}

static bool
plugins_equal(const struct daemon_cfg *a, const struct daemon_cfg *b)
{
	size_t i;

	if (a->all_plugins != b->all_plugins || a->n_plugins != b->n_plugins)
		return false;
	for (i = 0; i < a->n_plugins; i++)
		if (strcmp(a->plugins[i], b->plugins[i]) != 0)
			return false;
	return true;
}

static bool
str_equal(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

#define SWAP(a, b)                                                             \
	do {                                                                   \
		__typeof__(a) t_ = (a);                                        \
		(a) = (b);                                                     \
		(b) = t_;                                                      \
	} while (0)

static void restart_needed(struct diag_list *dl, const char *file,
			   unsigned *mask, unsigned key, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void
restart_needed(struct diag_list *dl, const char *file, unsigned *mask,
	       unsigned key, const char *fmt, ...)
{
	char running[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(running, sizeof(running), fmt, ap);
	va_end(ap);
	*mask |= 1u << key;
	log_msg(IKE_LOG_WARN,
		"%s changed in %s: the running daemon keeps %s until "
		"restarted",
		daemon_restart_keys[key], file, running);
	diag_add(dl, DIAG_WARNING, file, 0, 0,
		 "%s changed: it takes effect when charond is restarted (it "
		 "keeps %s until then)",
		 daemon_restart_keys[key], running);
}

/*
 * The daemon's settings a running daemon cannot take (its sockets and
 * plugins are open): each is named in the log and in dl, and the running
 * value is put back into next, so that d->cfg says what is in force and
 * the next reload compares against it.
 */
static unsigned
daemon_settings(struct daemon *d, struct daemon_cfg *run,
		struct daemon_cfg *next, struct diag_list *dl)
{
	const char *f = d->config_path;
	unsigned mask = 0;
	char buf[64];

	if (!listen_equal(run, next)) {
		buf[0] = '\0';
		if (run->n_listen)
			cfg_ip_format(&run->listen[0], buf, sizeof(buf));
		restart_needed(dl, f, &mask, 0, "%s%s", buf,
			       run->n_listen > 1 ? ", ..." : "");
		SWAP(run->listen, next->listen);
		SWAP(run->n_listen, next->n_listen);
	}
	if (run->port != next->port) {
		restart_needed(dl, f, &mask, 1, "%u", run->port);
		next->port = run->port;
	}
	if (run->port_nat_t != next->port_nat_t) {
		restart_needed(dl, f, &mask, 2, "%u", run->port_nat_t);
		next->port_nat_t = run->port_nat_t;
	}
	/* -S names the socket in use whatever the file says. */
	if (!d->socket_path && !str_equal(run->socket, next->socket)) {
		restart_needed(dl, f, &mask, 3, "%s", run->socket);
		SWAP(run->socket, next->socket);
	}
	if (run->has_socket_group != next->has_socket_group ||
	    run->socket_group != next->socket_group) {
		if (run->has_socket_group)
			snprintf(buf, sizeof(buf), "group %u",
				 (unsigned)run->socket_group);
		else
			snprintf(buf, sizeof(buf), "the directory's group");
		restart_needed(dl, f, &mask, 4, "%s", buf);
		next->has_socket_group = run->has_socket_group;
		next->socket_group = run->socket_group;
	}
	if (run->receive_buffer != next->receive_buffer)
		net_set_receive_buffer(d, next->receive_buffer);
	if (!plugins_equal(run, next)) {
		restart_needed(dl, f, &mask, 5, "the plugins loaded at start");
		SWAP(run->plugins, next->plugins);
		SWAP(run->n_plugins, next->n_plugins);
		SWAP(run->all_plugins, next->all_plugins);
	}
	if (!str_equal(run->plugin_dir, next->plugin_dir)) {
		restart_needed(dl, f, &mask, 6, "%s",
			       run->plugin_dir ? run->plugin_dir : PLUGIN_DIR);
		SWAP(run->plugin_dir, next->plugin_dir);
	}
	if (run->kernel != next->kernel) {
		restart_needed(dl, f, &mask, 7, "%s", d->kops->name);
		next->kernel = run->kernel;
	}
	kernel_spd_hash(d, next, run);
	if (run->crypto_workers != next->crypto_workers) {
		restart_needed(dl, f, &mask, 8, "%u", run->crypto_workers);
		next->crypto_workers = run->crypto_workers;
	}
	/* What a running daemon can change, it does. */
	ctl_set_idle_timeout(next->ctl_idle_ms);
	save_keys_config(run, next);
	if (!level_from_cli && run->log_level != next->log_level) {
		log_set_level((enum ike_log_level)next->log_level);
		log_msg(IKE_LOG_INFO, "log level %s (from %s)",
			ctl_level_name((int)next->log_level), f);
	}
	if (run->log_format != next->log_format) {
		log_set_json(next->log_format == CFG_LOG_JSON);
		log_msg(IKE_LOG_INFO, "log format %s (from %s)",
			next->log_format == CFG_LOG_JSON ? "json" : "text", f);
	}
	return mask;
}

/* A connection is unchanged if its settings and the values of the plugin
 * keys it sets are. */
static bool
conn_same(const struct config *a_cfg, const struct config *b_cfg,
	  const struct conn_cfg *a, const struct conn_cfg *b)
{
	return config_equal_conn(a, b) &&
	       config_plugin_equal_conn(a_cfg, b_cfg, a->name);
}

int
daemon_reload(struct daemon *d, struct diag_list *dl, struct config **old,
	      unsigned *restart)
{
	struct config *cfg = NULL, *prev = d->cfg;
	unsigned mask;
	size_t i;
	int rc;

	log_msg(IKE_LOG_INFO, "reloading %s", d->config_path);
	rc = config_load(d->config_path, &cfg, dl);
	diag_print(stderr, dl);
	if (rc < 0 || !cfg) {
		log_msg(IKE_LOG_ERROR,
			"%s has errors; keeping the running "
			"configuration",
			d->config_path);
		return rc < 0 ? rc : -EINVAL;
	}
	mask = daemon_settings(d, &prev->daemon, &cfg->daemon, dl);
	if (restart)
		*restart = mask;
	/* A changed connection starts over; unchanged ones keep their SAs
	 * (conns_apply closes those of removed connections). */
	for (i = 0; i < cfg->n_conns; i++) {
		const struct conn_cfg *was =
		    config_find_conn(prev, cfg->conns[i].name);

		if (was && !conn_same(prev, cfg, was, &cfg->conns[i])) {
			log_msg(IKE_LOG_INFO,
				"connection '%s' changed; "
				"restarting it",
				cfg->conns[i].name);
			terminate_conn(d, cfg->conns[i].name);
		}
	}
	d->cfg = cfg;
	views_reset();
	conns_apply(d, daemon_now());
	trap_apply(d);
	for (i = 0; i < cfg->n_conns; i++) {
		const struct conn_cfg *was =
		    config_find_conn(prev, cfg->conns[i].name);

		if (!was || !conn_same(prev, cfg, was, &cfg->conns[i]))
			initiate_conn(d, &cfg->conns[i]);
	}
	if (old)
		*old = prev;
	else
		config_free(prev);
	daemon_rearm(d);
	return 0;
}

static void
on_hup(struct ev_loop *loop, ev_signal *w, int revents)
{
	struct diag_list dl;

	notify_send("RELOADING=1");
	diag_list_init(&dl);
	daemon_reload(&daemon_g, &dl, NULL, NULL);
	diag_list_free(&dl);
	notify_send("READY=1");
	(void)loop;
	(void)w;
	(void)revents;
}

/* SIGTERM/SIGINT: every SA is deleted (DELETE to the peer, kernel state
 * and policies removed at once), then we leave. */
static void
on_term(struct ev_loop *loop, ev_signal *w, int revents)
{
	log_msg(IKE_LOG_INFO, "signal %d: deleting all SAs and exiting",
		w->signum);
	notify_send("STOPPING=1");
	/* First: the trap policies of children going now stay out. */
	daemon_g.stopping = true;
	ike_terminate_all(daemon_g.engine, daemon_now());
	ev_break(loop, EVBREAK_ALL);
	(void)revents;
}

static void
initiate_start_children(struct daemon *d)
{
	size_t i;

	for (i = 0; i < d->cfg->n_conns; i++)
		initiate_conn(d, &d->cfg->conns[i]);
	if (starts_waiting())
		log_msg(IKE_LOG_INFO,
			"starting connections %u at a time, %zu waiting "
			"(daemon.start_in_flight)",
			d->cfg->daemon.start_in_flight, starts_waiting());
}

/* The loop is about to wait: the lines of this iteration go out now,
 * in one write, so anyone reading the log sees them while it is idle. */
static void
on_prepare(struct ev_loop *loop, ev_prepare *w, int revents)
{
	(void)loop;
	(void)w;
	(void)revents;
	log_flush();
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: charond [-c FILE] [-S SOCKET] [--log-level LEVEL] "
		   "[--syslog] [--check-config] [--version]\n");
}

static void
print_version(struct daemon *d)
{
	unsigned i;

	printf("charond %s\n", CHAROND_VERSION);
	printf("plugin ABI %u; plugins:", CHAROND_PLUGIN_ABI);
	for (i = 0; i < d->n_plugins; i++)
		printf(" %s-%s", d->plugins[i].desc->name,
		       d->plugins[i].desc->version);
	printf("%s\n", d->n_plugins ? "" : " none");
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"socket", required_argument, NULL, 'S'},
	    {"log-level", required_argument, NULL, 'l'},
	    {"check-config", no_argument, NULL, 'C'},
	    {"version", no_argument, NULL, 'V'},
	    {"syslog", no_argument, NULL, 's'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct daemon *d = &daemon_g;
	enum ike_log_level level = IKE_LOG_INFO;
	bool check = false, version = false, syslog = false;
	struct ike_env env = {0};
	int o, rc;

	d->config_path = DEFAULT_CONFIG;
	while ((o = getopt_long(argc, argv, "c:S:h", opts, NULL)) != -1) {
		switch (o) {
		case 'c':
			d->config_path = optarg;
			break;
		case 'S':
			d->socket_path = optarg;
			break;
		case 'l':
			if (log_parse_level(optarg, &level) < 0) {
				fprintf(stderr,
					"charond: unknown log level "
					"'%s' (error|warn|info|debug|trace)\n",
					optarg);
				return 2;
			}
			level_from_cli = true;
			break;
		case 'C':
			check = true;
			break;
		case 'V':
			version = true;
			break;
		case 's':
			syslog = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	log_init(level, syslog);
	rc = load_all(d);
	if (rc != 0)
		return rc;
	log_set_json(d->cfg->daemon.log_format == CFG_LOG_JSON);
	if (check) {
		printf("%s: configuration is valid\n", d->config_path);
		plugins_unload(d);
		config_free(d->cfg);
		return 0;
	}
	if (!level_from_cli)
		log_set_level((enum ike_log_level)d->cfg->daemon.log_level);
	signal(SIGPIPE, SIG_IGN);
	d->loop = EV_DEFAULT;
	ev_timer_init(&d->timer, on_timer, 0.0, 0.0);
	env.ctx = d;
	env.send = net_send;
	env.spi_alloc = kernel_spi_alloc;
	env.child_install = kernel_child_install;
	env.child_remove = kernel_child_remove;
	env.child_move = kernel_child_move;
	env.auth_sign = plugins_auth_sign;
	env.auth_verify = plugins_auth_verify;
	env.auth_payloads = plugins_auth_payloads;
	env.auth_id_check = plugins_auth_id_check;
	env.auth_local_id = plugins_auth_local_id;
	env.ext_build = plugins_ext_build;
	env.ext_input = plugins_ext_input;
	env.log = engine_log;
	env.event = engine_event;
	env.sa_freed = sa_freed;
	if (!version && d->cfg->daemon.crypto_workers) {
		d->pool = crypto_pool_new(
		    d->loop, d->cfg->daemon.crypto_workers, job_done, d);
		if (!d->pool)
			return 1;
		env.offload = engine_offload;
	}
	/* Before the plugins start: their init may set timers. */
	d->engine = ike_engine_new(&env);
	if (!d->engine)
		return 1;
	if (plugins_start(d) < 0)
		log_msg(IKE_LOG_WARN, "some plugins did not start");
	if (version) {
		print_version(d);
		plugins_unload(d);
		ike_engine_free(d->engine);
		config_free(d->cfg);
		return 0;
	}
	if (kernel_open(d) < 0)
		return 1;
	kernel_spd_hash(d, &d->cfg->daemon, NULL);
	if (net_open(d) < 0)
		return 1;
	if (kernel_events_open(d) < 0)
		log_msg(IKE_LOG_WARN, "no XFRM events: trap policies start "
				      "nothing, NAT mapping changes go unseen");
	ev_signal_init(&d->sig_hup, on_hup, SIGHUP);
	ev_signal_init(&d->sig_term, on_term, SIGTERM);
	ev_signal_init(&d->sig_int, on_term, SIGINT);
	ev_signal_start(d->loop, &d->sig_hup);
	ev_signal_start(d->loop, &d->sig_term);
	ev_signal_start(d->loop, &d->sig_int);
	/* Without its control socket the daemon still keys (two daemons in
	 * one test VM may share the default path); charonctl says so. But a
	 * socket in a directory others may write to is not ours for long:
	 * that is refused outright. */
	rc = ctl_open(d,
		      d->socket_path ? d->socket_path : d->cfg->daemon.socket);
	if (rc == -EPERM)
		return 1;
	if (rc < 0)
		log_msg(IKE_LOG_ERROR, "no control socket: charonctl cannot "
				       "reach this daemon");
	conns_apply(d, daemon_now());
	save_keys_config(NULL, &d->cfg->daemon);
	trap_apply(d);
	log_msg(IKE_LOG_INFO, "charond %s started with %zu connection(s)",
		CHAROND_VERSION, d->cfg->n_conns);
	/* systemd's Type=notify: started once the sockets are open. */
	notify_send("READY=1");
	initiate_start_children(d);
	daemon_rearm(d);
	ev_prepare_init(&d->log_prepare, on_prepare);
	ev_prepare_start(d->loop, &d->log_prepare);
	log_buffer(true);
	ev_run(d->loop, 0);
	log_buffer(false);
	starts_clear();
	ctl_close(d);
	/* Every job goes back to the engine before the engine goes. */
	crypto_pool_free(d->pool);
	d->pool = NULL;
	ike_engine_free(d->engine);
	d->engine = NULL;
	net_close(d);
	trap_clear(d);
	kernel_events_close(d);
	kernel_close(d);
	plugins_unload(d);
	views_reset();
	config_free(d->cfg);
	log_msg(IKE_LOG_INFO, "charond stopped");
	return 0;
}
