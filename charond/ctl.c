/* SPDX-License-Identifier: ISC */
/*
 * The control socket's daemon side: the listening UNIX socket (mode 0660,
 * checked again per connection with SO_PEERCRED), one non-blocking client
 * per connection with bounded input and output buffers, requests parked
 * until the engine reports their outcome (initiate, terminate), and the
 * fan-out of engine events and log lines to monitor clients.
 *
 * Creating the socket and checking who connects is ctl_sock.c's.
 *
 * No client can hold the daemon up: a line longer than CTL_MAX_LINE is
 * refused and skipped, a client whose unsent output passes CTL_MAX_OUT is
 * dropped, and clients are freed only from an idle watcher, never inside
 * the engine or log callbacks that may be what discovered them gone.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"
#include "daemon.h"

struct ctl_wait {
	enum ctl_wait_kind kind;
	json_t *id;
	char conn[IKE_NAME_MAX], child[IKE_NAME_MAX];
	char prefix[IKE_NAME_MAX + 16]; /* "[conn#N] " of the SA's log lines */
	struct ctl_sa_ref *refs;        /* SAs still awaited */
	size_t n_refs;
	struct ctl_sa_ref *all; /* every SA of the request, for the reply */
	size_t n_all;
	ev_timer timer;
	/* No event says a CHILD SA's DELETE was answered: look every
	 * CTL_POLL seconds whether the engine still lists the SAs. */
	ev_timer poll;
	bool done;
	const char *code; /* NULL: success */
	unsigned child_id;
	char msg[400];
	char detail[400]; /* the SA's last warning: why it failed */
	char why[200];    /* the engine's reason, when it gave one */
};

struct ctl_client {
	struct ctl_client *next;
	unsigned serial;
	int fd;
	ev_io rw, ww;
	struct ctl_inbuf in;
	char *out;
	size_t out_len, out_off, out_cap;
	uid_t uid;
	pid_t pid;
	bool eof;     /* the peer sent everything it will */
	bool closing; /* watchers stopped, fd closed; freed when idle */
	bool more; /* lines left over from a batch: the idle watcher goes on */
	bool monitor;
	int log_level; /* monitor: log lines up to this level; -1 none */
	struct ctl_filter filter; /* monitor: of one connection or IKE SA */
	ev_timer idle; /* daemon.ctl_idle_timeout without a byte either way */
	struct ctl_wait *wait;
	/* A list-sas reply being written (ctl_list.c): later requests wait
	 * for it like for a ctl_wait. */
	struct ctl_list *list;
	/* Monitor events while list is one reply line being written: they
	 * follow it. */
	char *held;
	size_t held_len;
};

/* A list step is taken once the client left less than this unread. */
#define CTL_LIST_LOW (64 * 1024)

static struct {
	bool open;
	struct daemon *d;
	int fd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	gid_t gid;
	double idle_s; /* daemon.ctl_idle_timeout; 0: never */
	ev_io accept_w;
	ev_idle idle;   /* finish waits, free closed clients */
	ev_timer sweep; /* half-closed clients with a wait: still there? */
	struct ctl_client *clients;
	unsigned n_clients, serial;
	struct ctl_stats stats;
	bool capturing;
	char captured[256];
	bool captured_event;
	bool in_tap;
} ctl = {.fd = -1};

static void client_close(struct ctl_client *c);
static void client_process(struct ctl_client *c);
static void list_pump(struct ctl_client *c);
static void send_line(struct ctl_client *c, char *line);

/* A request of c is in progress: the lines after it wait. */
static bool
busy(const struct ctl_client *c)
{
	return c->wait || c->list;
}

static size_t
unsent(const struct ctl_client *c)
{
	return c->out_len - c->out_off;
}
static void tap(enum ike_log_level level, const char *conn, unsigned id,
		const char *line);

static double
now_real(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)(ts.tv_nsec / 1000000) / 1000.0;
}

const struct ctl_stats *
ctl_stats(void)
{
	return &ctl.stats;
}

unsigned
ctl_n_clients(void)
{
	return ctl.n_clients;
}

uid_t
ctl_client_uid(const struct ctl_client *c)
{
	return c->uid;
}

static void
kick_idle(void)
{
	if (ctl.open && !ev_is_active(&ctl.idle))
		ev_idle_start(ctl.d->loop, &ctl.idle);
}

/* --- idle clients ---------------------------------------------------------
 */

/* CTL_MAX_CLIENTS places would otherwise be held for good by connections
 * that say nothing: a client that neither sent nor read a byte for
 * daemon.ctl_idle_timeout goes, unless it waits on purpose (a monitor, a
 * request in progress). */
static void
client_active(struct ctl_client *c)
{
	if (ctl.idle_s > 0 && !c->closing)
		ev_timer_again(ctl.d->loop, &c->idle);
}

static void
on_client_idle(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct ctl_client *c = t->data;
	char msg[96];

	if (c->closing)
		return;
	/* A list being written is not waiting on purpose: each byte the
	 * client reads of it re-arms the timer, so it is stuck. */
	if (c->monitor || c->wait) {
		ev_timer_again(loop, t);
		return;
	}
	snprintf(msg, sizeof(msg), "idle for %g s; closed", ctl.idle_s);
	log_msg(IKE_LOG_INFO, "control: client %u (pid %d) %s", c->serial,
		(int)c->pid, msg);
	/* Best effort, like a refusal: the client may read why. */
	send_line(c, ctl_reply_error(NULL, CTL_E_TIMEOUT, msg, NULL));
	client_close(c);
	(void)revents;
}

void
ctl_set_idle_timeout(uint64_t ms)
{
	struct ctl_client *c;

	ctl.idle_s = (double)ms / 1000.0;
	for (c = ctl.clients; ctl.open && c; c = c->next) {
		if (c->closing)
			continue;
		c->idle.repeat = ctl.idle_s;
		if (ctl.idle_s > 0)
			ev_timer_again(ctl.d->loop, &c->idle);
		else
			ev_timer_stop(ctl.d->loop, &c->idle);
	}
}

/* --- output --------------------------------------------------------------- */

static void
client_flush(struct ctl_client *c)
{
	ssize_t n;

	while (!c->closing && c->out_off < c->out_len) {
		n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
			 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n > 0) {
			c->out_off += (size_t)n;
			client_active(c);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (!ev_is_active(&c->ww))
				ev_io_start(ctl.d->loop, &c->ww);
			return;
		}
		log_msg(IKE_LOG_DEBUG, "control: client %u: %s", c->serial,
			n < 0 ? strerror(errno) : "cannot write");
		client_close(c);
		return;
	}
	if (c->closing)
		return;
	c->out_off = c->out_len = 0;
	ev_io_stop(ctl.d->loop, &c->ww);
	/* A client that said all it had to say leaves once answered. */
	if (c->eof && !busy(c) && ctl_inbuf_pending(&c->in) == 0)
		client_close(c);
}

static void
client_sendn(struct ctl_client *c, const char *line, size_t len)
{
	size_t held, cap;
	char *n;

	if (c->closing)
		return;
	held = c->out_len - c->out_off;
	if (held + len > CTL_MAX_OUT) {
		ctl.stats.clients_dropped++;
		log_msg(IKE_LOG_WARN,
			"control: client %u (pid %d) is not reading; "
			"dropped with %zu bytes unsent",
			c->serial, (int)c->pid, held);
		client_close(c);
		return;
	}
	/* Compact or grow (doubling) only when the line does not fit, so
	 * that queueing stays linear in what is queued. */
	if (c->out_len + len > c->out_cap && c->out_off) {
		memmove(c->out, c->out + c->out_off, held);
		c->out_off = 0;
		c->out_len = held;
	}
	if (c->out_len + len > c->out_cap) {
		for (cap = c->out_cap ? c->out_cap : 4096;
		     cap < c->out_len + len;)
			cap *= 2;
		n = realloc(c->out, cap);
		if (!n) {
			client_close(c);
			return;
		}
		c->out = n;
		c->out_cap = cap;
	}
	memcpy(c->out + c->out_len, line, len);
	c->out_len += len;
	if (!ev_is_active(&c->ww))
		client_flush(c);
}

static void
client_send(struct ctl_client *c, const char *line)
{
	client_sendn(c, line, strlen(line));
}

static void
send_line(struct ctl_client *c, char *line)
{
	/* Even the error reply could not be built: say so in fixed text. */
	client_send(c, line ? line
			    : "{\"id\":null,\"ok\":false,\"error\":{\"code\":"
			      "\"INTERNAL\",\"message\":\"out of memory\"}}\n");
	free(line);
}

void
ctl_reply(struct ctl_client *c, json_t *id, json_t *result)
{
	char *line = ctl_reply_ok(id, result);

	if (!line) {
		ctl_error(c, id, CTL_E_INTERNAL, NULL, "out of memory");
		return;
	}
	send_line(c, line);
}

void
ctl_error(struct ctl_client *c, json_t *id, const char *code, json_t *extra,
	  const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ctl.stats.errors++;
	log_msg(IKE_LOG_DEBUG, "control: client %u: %s: %s", c->serial, code,
		msg);
	send_line(c, ctl_reply_error(id, code, msg, extra));
}

static void
on_writable(struct ev_loop *loop, ev_io *w, int revents)
{
	struct ctl_client *c = w->data;

	client_flush(c);
	/* The client has read enough of a list for the next step. */
	if (!c->closing && c->list && unsent(c) < CTL_LIST_LOW)
		kick_idle();
	(void)loop;
	(void)revents;
}

/* --- list-sas, a step at a time -------------------------------------------
 */

static int
list_emit(void *ctx, const char *s, size_t len)
{
	struct ctl_client *c = ctx;

	client_sendn(c, s, len);
	return c->closing ? -EPIPE : 0;
}

static void
list_end(struct ctl_client *c)
{
	ctl_list_free(c->list);
	free(c->list);
	c->list = NULL;
	if (c->held) {
		client_sendn(c, c->held, c->held_len);
		free(c->held);
		c->held = NULL;
		c->held_len = 0;
	}
}

/* The next step of c's list, if c has read enough of the last one. */
static void
list_pump(struct ctl_client *c)
{
	int rc;

	if (c->closing || !c->list || unsent(c) >= CTL_LIST_LOW)
		return;
	rc = ctl_list_step(c->list, ctl.d->engine, list_emit, c);
	if (c->closing)
		return;
	if (rc < 0) {
		/* Half a reply is out: nothing sensible can follow it. */
		log_msg(IKE_LOG_WARN, "control: client %u: list-sas: %s",
			c->serial, strerror(-rc));
		client_close(c);
		return;
	}
	if (rc == 0) {
		list_end(c);
		client_process(c);
		return;
	}
	/* More to come: from the idle watcher, so that the engine's sockets
	 * and the other clients get their turn between steps. */
	if (unsent(c) < CTL_LIST_LOW)
		kick_idle();
}

void
ctl_list_start(struct ctl_client *c, struct ctl_list *l)
{
	c->list = l;
	list_pump(c);
}

/* --- waits ---------------------------------------------------------------- */

static void
wait_free(struct ctl_client *c)
{
	struct ctl_wait *w = c->wait;

	if (!w)
		return;
	c->wait = NULL;
	ev_timer_stop(ctl.d->loop, &w->timer);
	ev_timer_stop(ctl.d->loop, &w->poll);
	json_decref(w->id);
	free(w->refs);
	free(w->all);
	free(w);
}

/* Reply to a wait whose outcome is known; then serve what the client
 * sent meanwhile. */
static void
wait_finish(struct ctl_client *c)
{
	struct ctl_wait *w = c->wait;
	json_t *ikes, *children;
	size_t i;

	if (!w->code && w->kind == CTL_WAIT_INITIATE) {
		ctl_reply(c, w->id,
			  ctl_cmd_sa_result(w->refs[0].ike_id, w->child_id));
	} else if (!w->code) {
		/* IKE SAs closed, and CHILD SAs closed on their own. */
		ikes = json_array();
		children = json_array();
		for (i = 0; ikes && children && i < w->n_all; i++)
			if (w->all[i].child_id)
				json_array_append_new(
				    children,
				    json_pack("{s:I,s:I}", "ike_id",
					      (json_int_t)w->all[i].ike_id,
					      "child_id",
					      (json_int_t)w->all[i].child_id));
			else
				json_array_append_new(
				    ikes, json_integer(w->all[i].ike_id));
		ctl_reply(c, w->id,
			  json_pack("{s:o,s:o}", "terminated", ikes, "children",
				    children));
	} else if (w->detail[0] && !strstr(w->msg, w->detail) &&
		   !(w->why[0] && strstr(w->detail, w->why))) {
		ctl_error(c, w->id, w->code, NULL, "%s (%s)", w->msg,
			  w->detail);
	} else {
		ctl_error(c, w->id, w->code, NULL, "%s", w->msg);
	}
	wait_free(c);
	client_process(c);
}

static void wait_fail(struct ctl_wait *w, const char *code, const char *fmt,
		      ...) __attribute__((format(printf, 3, 4)));

static void
wait_fail(struct ctl_wait *w, const char *code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(w->msg, sizeof(w->msg), fmt, ap);
	va_end(ap);
	w->code = code;
	w->done = true;
}

static void
on_wait_timeout(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct ctl_client *c = t->data;
	struct ctl_wait *w = c->wait;

	if (w->kind == CTL_WAIT_INITIATE)
		wait_fail(w, CTL_E_TIMEOUT,
			  "IKE SA #%u of '%s' is not up yet after the "
			  "timeout; the negotiation goes on",
			  w->refs[0].ike_id, w->conn);
	else
		wait_fail(w, CTL_E_TIMEOUT,
			  "%zu SA(s) still being deleted after the timeout",
			  w->n_refs);
	wait_finish(c);
	(void)loop;
	(void)revents;
}

static bool
any_waiting_eof(void)
{
	struct ctl_client *c;

	for (c = ctl.clients; c; c = c->next)
		if (!c->closing && c->eof && busy(c))
			return true;
	return false;
}

/* A client that shut down its sending side may still want its answer
 * (nc -N, socat); one that closed altogether is gone. AF_UNIX reports
 * POLLHUP only for the latter. */
static bool
client_gone(const struct ctl_client *c)
{
	struct pollfd p = {.fd = c->fd, .events = 0};

	return poll(&p, 1, 0) == 1 && (p.revents & (POLLHUP | POLLERR));
}

/* A client with a request in progress that left: the wait goes too. */
static void
reap_if_gone(struct ctl_client *c)
{
	if (c->closing || !c->eof || !busy(c) || !client_gone(c))
		return;
	log_msg(IKE_LOG_DEBUG, "control: client %u left while waiting",
		c->serial);
	client_close(c);
}

static void
on_sweep(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct ctl_client *c;

	for (c = ctl.clients; c; c = c->next)
		reap_if_gone(c);
	if (!any_waiting_eof())
		ev_timer_stop(loop, t);
	(void)revents;
}

#define CTL_POLL 0.05

/* Forget the awaited SAs the engine no longer lists; done when none is
 * left. */
static void
wait_prune(struct ctl_wait *w)
{
	size_t i = 0;

	while (i < w->n_refs)
		if (ctl_cmd_sa_exists(&w->refs[i]))
			i++;
		else
			w->refs[i] = w->refs[--w->n_refs];
	if (w->n_refs == 0) {
		w->done = true;
		kick_idle();
	}
}

static void
on_wait_poll(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct ctl_client *c = t->data;

	if (c->wait && !c->wait->done)
		wait_prune(c->wait);
	(void)loop;
	(void)revents;
}

int
ctl_wait(struct ctl_client *c, json_t *id, enum ctl_wait_kind kind,
	 const struct ctl_sa_ref *refs, size_t n, const char *conn,
	 const char *child, uint64_t timeout_ms)
{
	struct ctl_wait *w = calloc(1, sizeof(*w));

	if (w) {
		w->refs = calloc(n ? n : 1, sizeof(*w->refs));
		w->all = calloc(n ? n : 1, sizeof(*w->all));
	}
	if (!w || !w->refs || !w->all) {
		if (w) {
			free(w->refs);
			free(w->all);
		}
		free(w);
		ctl_error(c, id, CTL_E_INTERNAL, NULL, "out of memory");
		return -ENOMEM;
	}
	w->kind = kind;
	w->id = json_incref(id);
	memcpy(w->refs, refs, n * sizeof(*refs));
	memcpy(w->all, refs, n * sizeof(*refs));
	w->n_refs = w->n_all = n;
	snprintf(w->conn, sizeof(w->conn), "%s", conn ? conn : "");
	snprintf(w->child, sizeof(w->child), "%s", child ? child : "");
	if (conn && n)
		snprintf(w->prefix, sizeof(w->prefix), "[%s#%u] ", conn,
			 refs[0].ike_id);
	ev_timer_init(&w->timer, on_wait_timeout, (double)timeout_ms / 1000.0,
		      0.0);
	ev_timer_init(&w->poll, on_wait_poll, CTL_POLL, CTL_POLL);
	w->timer.data = w->poll.data = c;
	c->wait = w;
	if (timeout_ms)
		ev_timer_start(ctl.d->loop, &w->timer);
	if (kind == CTL_WAIT_TERMINATE) {
		wait_prune(w);
		ev_timer_start(ctl.d->loop, &w->poll);
	}
	return 0;
}

static void
wait_event(struct ctl_wait *w, const struct ike_event *ev)
{
	const char *why = ev->reason ? ev->reason : "no reason given";
	char both[900];
	size_t i;

	if (w->kind == CTL_WAIT_TERMINATE) {
		/* An IKE SA that went takes its CHILD SAs along. */
		if (ev->type != IKE_EV_IKE_DOWN &&
		    !(ev->type == IKE_EV_FAILED && !ev->child))
			return;
		i = 0;
		while (i < w->n_refs)
			if (w->refs[i].ike_id == ev->ike_id)
				w->refs[i] = w->refs[--w->n_refs];
			else
				i++;
		if (w->n_refs == 0)
			w->done = true;
		return;
	}
	if (ev->ike_id != w->refs[0].ike_id)
		return;
	snprintf(both, sizeof(both), "%s %s", why, w->detail);
	snprintf(w->why, sizeof(w->why), "%s", ev->reason ? ev->reason : "");
	switch (ev->type) {
	case IKE_EV_IKE_UP:
		w->done = !w->child[0];
		break;
	case IKE_EV_CHILD_UP:
		if (w->child[0] && ev->child &&
		    strcmp(ev->child, w->child) == 0) {
			w->child_id = ev->child_id;
			w->done = true;
		}
		break;
	case IKE_EV_AUTH_FAILED:
		wait_fail(w, CTL_E_AUTH, "authentication failed: %s", why);
		break;
	case IKE_EV_FAILED:
		if (!ev->child)
			wait_fail(w, ctl_reason_code(both),
				  "IKE SA #%u failed: %s", ev->ike_id, why);
		else if (w->child[0] && strcmp(ev->child, w->child) == 0)
			wait_fail(w, ctl_reason_code(both),
				  "CHILD SA '%s' failed: %s", ev->child, why);
		break;
	case IKE_EV_IKE_DOWN:
		wait_fail(w, ctl_reason_code(both), "IKE SA #%u went down: %s",
			  ev->ike_id, why);
		break;
	default:
		break;
	}
}

void
ctl_capture_begin(void)
{
	ctl.capturing = true;
	ctl.captured_event = false;
	ctl.captured[0] = '\0';
}

const char *
ctl_capture_end(void)
{
	ctl.capturing = false;
	return ctl.captured[0] ? ctl.captured : NULL;
}

/* --- monitor -------------------------------------------------------------- */

/* Log lines are formatted for monitors that ask for more than the daemon
 * logs, and at warn and above for explaining failed requests. */
static void
update_tap(void)
{
	struct ctl_client *c;
	int level = IKE_LOG_WARN;

	for (c = ctl.clients; c; c = c->next)
		if (!c->closing && c->monitor && c->log_level > level)
			level = c->log_level;
	log_set_tap(ctl.open ? tap : NULL, level);
}

int
ctl_set_monitor(struct ctl_client *c, int level, const char *conn,
		unsigned ike_id)
{
	char *name = NULL;

	if (conn && !(name = strdup(conn)))
		return -ENOMEM;
	free(c->filter.conn);
	c->filter.conn = name;
	c->filter.ike_id = ike_id;
	c->monitor = true;
	c->log_level = level;
	update_tap();
	return 0;
}

/* An event line for c while its list reply line is being written: it is
 * sent after that line, and counts against the output limit. */
static void
hold(struct ctl_client *c, const char *line)
{
	size_t len = strlen(line);
	char *n;

	if (unsent(c) + c->held_len + len > CTL_MAX_OUT ||
	    !(n = realloc(c->held, c->held_len + len))) {
		ctl.stats.clients_dropped++;
		log_msg(IKE_LOG_WARN,
			"control: client %u (pid %d) is not reading; dropped",
			c->serial, (int)c->pid);
		client_close(c);
		return;
	}
	memcpy(n + c->held_len, line, len);
	c->held = n;
	c->held_len += len;
}

/* Whether monitor client c wants a line at level (-1: an SA event) about
 * conn's IKE SA ike_id (conn NULL: about none). */
static bool
wants(const struct ctl_client *c, int level, const char *conn, unsigned ike_id,
      unsigned old_id)
{
	return !c->closing && c->monitor && c->log_level >= level &&
	       ctl_filter_match(&c->filter, conn, ike_id, old_id);
}

static void
broadcast(json_t *ev, int level, const char *conn, unsigned ike_id,
	  unsigned old_id)
{
	struct ctl_client *c;
	char *line = NULL;

	for (c = ctl.clients; c; c = c->next) {
		if (!wants(c, level, conn, ike_id, old_id))
			continue;
		/* Following one IKE SA is following it across its rekeys. */
		if (old_id && c->filter.ike_id == old_id)
			c->filter.ike_id = ike_id;
		if (!line && !(line = ctl_event_line(json_incref(ev))))
			break;
		if (c->list && !c->list->lines)
			hold(c, line);
		else
			client_send(c, line);
	}
	free(line);
	json_decref(ev);
}

static void
tap(enum ike_log_level level, const char *conn, unsigned id, const char *line)
{
	struct ctl_client *c;
	struct ctl_wait *w;
	size_t n;

	/* What we log while fanning a line out must not come back here. */
	if (ctl.in_tap || !ctl.open)
		return;
	ctl.in_tap = true;
	if (level <= IKE_LOG_WARN) {
		if (ctl.capturing && !ctl.captured_event)
			snprintf(ctl.captured, sizeof(ctl.captured), "%s",
				 line);
		for (c = ctl.clients; c; c = c->next) {
			w = c->wait;
			if (!w || w->done || w->kind != CTL_WAIT_INITIATE ||
			    !w->prefix[0])
				continue;
			n = strlen(w->prefix);
			if (strncmp(line, w->prefix, n) == 0)
				snprintf(w->detail, sizeof(w->detail), "%s",
					 line + n);
		}
	}
	for (c = ctl.clients; c; c = c->next)
		if (wants(c, (int)level, conn, id, 0))
			break;
	if (c) /* somebody wants it: only then is it worth the JSON */
		broadcast(ctl_json_log((int)level, conn, id, line, now_real()),
			  (int)level, conn, id, 0);
	ctl.in_tap = false;
}

void
ctl_event(const struct ike_event *ev)
{
	struct ctl_client *c;
	unsigned old;
	json_t *o;

	if (!ctl.open)
		return;
	ctl_stats_count(&ctl.stats, ev);
	if (ctl.capturing && ev->reason &&
	    (ev->type == IKE_EV_FAILED || ev->type == IKE_EV_AUTH_FAILED)) {
		snprintf(ctl.captured, sizeof(ctl.captured), "%s", ev->reason);
		ctl.captured_event = true;
	}
	for (c = ctl.clients; c; c = c->next)
		if (!c->closing && c->wait && !c->wait->done) {
			wait_event(c->wait, ev);
			/* Replied from the idle watcher: the engine is still
			 * inside its callback and the SA half updated. */
			if (c->wait->done)
				kick_idle();
		}
	old = ev->type == IKE_EV_IKE_REKEYED ? ev->old_id : 0;
	/* The JSON only for a monitor that wants it, as in tap(): mostly
	 * there is none, and making it was 1 % of a responder's CPU. */
	for (c = ctl.clients; c; c = c->next)
		if (wants(c, -1, ev->conn, ev->ike_id, old))
			break;
	if (!c)
		return;
	o = ctl_json_event(ev, now_real());
	if (o)
		broadcast(o, -1, ev->conn, ev->ike_id, old);
}

/* --- input ---------------------------------------------------------------- */

static void
handle_line(struct ctl_client *c, const char *line, size_t len)
{
	struct ctl_req req;
	const char *code;
	char err[512];

	ctl.stats.requests++;
	code = ctl_req_parse(line, len, &req, err, sizeof(err));
	if (code)
		ctl_error(c, req.id, code, NULL, "%s", err);
	else
		ctl_cmd_run(c, &req);
	ctl_req_free(&req);
}

/* Requests taken from one client before the others get their turn. */
#define CTL_BATCH 16

static void
client_process(struct ctl_client *c)
{
	unsigned n = 0;
	char *line;
	size_t len;
	int r;

	c->more = false;
	while (!c->closing && !busy(c)) {
		if (n++ == CTL_BATCH) {
			c->more = true;
			kick_idle();
			break;
		}
		r = ctl_inbuf_next(&c->in, &line, &len);
		if (r == 0)
			break;
		if (r < 0) {
			ctl.stats.requests++;
			ctl_error(c, NULL, CTL_E_TOO_LONG, NULL,
				  "request line longer than %d bytes; skipped",
				  CTL_MAX_LINE);
			continue;
		}
		if (len)
			handle_line(c, line, len);
	}
	if (c->closing)
		return;
	reap_if_gone(c);
	if (c->closing)
		return;
	if (c->eof && busy(c) && !ev_is_active(&ctl.sweep))
		ev_timer_start(ctl.d->loop, &ctl.sweep);
	/* Read more only once what was read is (nearly) served: a client
	 * that pipelines much waits for its answers, not the others. */
	if (!c->eof && !ev_is_active(&c->rw) &&
	    ctl_inbuf_pending(&c->in) <= CTL_MAX_LINE)
		ev_io_start(ctl.d->loop, &c->rw);
	if (c->eof && !busy(c) && !c->more && c->out_len == c->out_off)
		client_close(c);
}

static void
on_readable(struct ev_loop *loop, ev_io *w, int revents)
{
	struct ctl_client *c = w->data;
	char buf[16384];
	ssize_t n;
	int i;

	for (i = 0; i < 4; i++) {
		n = read(c->fd, buf, sizeof(buf));
		if (n > 0) {
			client_active(c);
			if (ctl_inbuf_append(&c->in, buf, (size_t)n) < 0) {
				client_close(c);
				return;
			}
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n < 0) {
			client_close(c);
			return;
		}
		c->eof = true;
		ev_io_stop(loop, w);
		break;
	}
	/* A client that sends faster than it is served (or while a request
	 * of its waits): hold its lines up to a bound, then stop reading
	 * until they are served. Past the bound the buffer holds a whole
	 * line or an over-long one, so serving it always makes progress. */
	if (ctl_inbuf_pending(&c->in) > CTL_MAX_LINE)
		ev_io_stop(loop, w);
	client_process(c);
	(void)revents;
}

/* --- connections ---------------------------------------------------------- */

/* One connection; false when there was none to take. */
static bool
accept_one(struct ev_loop *loop, ev_io *w)
{
	struct ucred cr = {.pid = 0, .uid = (uid_t)-1, .gid = (gid_t)-1};
	socklen_t len = sizeof(cr);
	struct ctl_client *c;
	int fd;

	fd = accept4(ctl.fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0) {
		if (errno == EMFILE || errno == ENFILE) {
			/* Level-triggered: stop until a client leaves. */
			log_msg(IKE_LOG_WARN,
				"control: %s; not accepting "
				"until a client leaves",
				strerror(errno));
			ev_io_stop(loop, w);
		}
		return false;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0 ||
	    !ctl_sock_allowed(fd, &cr, ctl.gid)) {
		ctl.stats.clients_refused++;
		log_msg(IKE_LOG_WARN,
			"control: refused a client (uid %u, pid %d): not "
			"root, the daemon's user or in group %u",
			(unsigned)cr.uid, (int)cr.pid, (unsigned)ctl.gid);
		ctl_sock_refuse(
		    fd, CTL_E_DENIED,
		    "not allowed: root, the daemon's user and members "
		    "of the socket's group only");
		return true;
	}
	if (ctl.n_clients >= CTL_MAX_CLIENTS || !(c = calloc(1, sizeof(*c)))) {
		ctl.stats.clients_refused++;
		log_msg(IKE_LOG_WARN,
			"control: too many clients; refused "
			"pid %d",
			(int)cr.pid);
		ctl_sock_refuse(fd, CTL_E_BUSY, "too many control clients");
		return true;
	}
	c->serial = ++ctl.serial;
	c->fd = fd;
	c->uid = cr.uid;
	c->pid = cr.pid;
	c->log_level = -1;
	ctl_inbuf_init(&c->in, CTL_MAX_LINE);
	ev_io_init(&c->rw, on_readable, fd, EV_READ);
	ev_io_init(&c->ww, on_writable, fd, EV_WRITE);
	ev_init(&c->idle, on_client_idle);
	c->idle.repeat = ctl.idle_s;
	c->rw.data = c->ww.data = c->idle.data = c;
	ev_io_start(loop, &c->rw);
	client_active(c);
	c->next = ctl.clients;
	ctl.clients = c;
	ctl.n_clients++;
	log_msg(IKE_LOG_DEBUG, "control: client %u connected (uid %u, pid %d)",
		c->serial, (unsigned)cr.uid, (int)cr.pid);
	return true;
}

static void
on_accept(struct ev_loop *loop, ev_io *w, int revents)
{
	int i;

	/* A few per wakeup: a burst of clients drains the backlog quickly
	 * without starving the engine's sockets. */
	for (i = 0; i < 16 && accept_one(loop, w); i++)
		;
	(void)revents;
}

/* Stop everything a client has running now; free it from the idle
 * watcher (callers up the stack may still hold it). */
static void
client_close(struct ctl_client *c)
{
	if (c->closing)
		return;
	c->closing = true;
	ev_io_stop(ctl.d->loop, &c->rw);
	ev_io_stop(ctl.d->loop, &c->ww);
	ev_timer_stop(ctl.d->loop, &c->idle);
	wait_free(c);
	if (c->list) {
		ctl_list_free(c->list);
		free(c->list);
		c->list = NULL;
	}
	close(c->fd);
	c->fd = -1;
	ctl.n_clients--;
	if (c->monitor) {
		c->monitor = false;
		update_tap();
	}
	log_msg(IKE_LOG_DEBUG, "control: client %u closed", c->serial);
	kick_idle();
}

static void
client_free(struct ctl_client *c)
{
	ctl_inbuf_free(&c->in);
	free(c->out);
	free(c->held);
	free(c->filter.conn);
	free(c);
}

static void
on_idle(struct ev_loop *loop, ev_idle *w, int revents)
{
	struct ctl_client **pp = &ctl.clients, *c;
	bool again;

	ev_idle_stop(loop, w);
	/* wait_finish() runs the commands the client sent meanwhile, which
	 * may change the list: start over after each. */
	do {
		again = false;
		for (c = ctl.clients; c && !again; c = c->next)
			if (!c->closing && c->wait && c->wait->done) {
				wait_finish(c);
				again = true;
			}
	} while (again);
	/* One more batch for each client with lines left; each may ask for
	 * another round. */
	for (c = ctl.clients; c; c = c->next)
		if (!c->closing && c->more)
			client_process(c);
	for (c = ctl.clients; c; c = c->next)
		list_pump(c);
	while ((c = *pp)) {
		if (c->closing) {
			*pp = c->next;
			client_free(c);
		} else {
			pp = &c->next;
		}
	}
	if (ctl.open && !ev_is_active(&ctl.accept_w))
		ev_io_start(loop, &ctl.accept_w);
	(void)revents;
}

/* --- the socket ----------------------------------------------------------- */

int
ctl_open(struct daemon *d, const char *path)
{
	struct group *gr;
	int fd;

	const struct daemon_cfg *dc = &d->cfg->daemon;

	if ((fd = ctl_sock_open(path,
				dc->has_socket_group ? &dc->socket_group : NULL,
				&ctl.gid)) < 0)
		return fd;
	ctl.d = d;
	ctl.fd = fd;
	ctl.idle_s = (double)dc->ctl_idle_ms / 1000.0;
	snprintf(ctl.path, sizeof(ctl.path), "%s", path);
	ctl.stats.started = (uint64_t)now_real();
	ev_io_init(&ctl.accept_w, on_accept, fd, EV_READ);
	ev_io_start(d->loop, &ctl.accept_w);
	ev_idle_init(&ctl.idle, on_idle);
	ev_timer_init(&ctl.sweep, on_sweep, 1.0, 1.0);
	ctl.open = true;
	update_tap();
	gr = getgrgid(ctl.gid);
	log_msg(IKE_LOG_INFO, "control socket %s (mode 0660, group %s)", path,
		gr ? gr->gr_name : "?");
	return 0;
}

void
ctl_close(struct daemon *d)
{
	struct ctl_client *c;

	if (!ctl.open)
		return;
	for (c = ctl.clients; c; c = c->next)
		client_close(c);
	while ((c = ctl.clients)) {
		ctl.clients = c->next;
		client_free(c);
	}
	ctl.open = false;
	update_tap();
	ev_io_stop(d->loop, &ctl.accept_w);
	ev_idle_stop(d->loop, &ctl.idle);
	ev_timer_stop(d->loop, &ctl.sweep);
	close(ctl.fd);
	ctl.fd = -1;
	unlink(ctl.path);
}
