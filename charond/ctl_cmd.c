/* SPDX-License-Identifier: ISC */
/*
 * The control socket's commands: one function per `cmd`, each checking its
 * arguments (unknown keys and wrong types are errors, never ignored), then
 * reading or driving the engine, the configuration and the kernel's SA
 * counters. Commands that wait for the engine (initiate, terminate) park
 * the request in ctl.c and are answered from engine events.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto_pool.h"
#include "ctl.h"
#include "daemon.h"

/* The longest wait a request may ask for: a day. */
#define MAX_TIMEOUT_S 86400.0

#define ARGS(...)                                                              \
	(const char *const[])                                                  \
	{                                                                      \
		__VA_ARGS__, NULL                                              \
	}

/* Reply with the error and return from the command when code is set. */
#define CHECK(code)                                                            \
	do {                                                                   \
		const char *code_ = (code);                                    \
		if (code_) {                                                   \
			ctl_error(c, r->id, code_, NULL, "%s", err);           \
			return;                                                \
		}                                                              \
	} while (0)

/* --- kernel counters ------------------------------------------------------ */

/* The two ESP SAs of a CHILD SA are found as kernel.c installed them:
 * inbound to our address under our SPI, outbound to the peer's. */
static void
child_counters(const struct ike_sa_info *sa, const struct ike_child_info *ch,
	       struct ctl_child_counters *k)
{
	struct xfrm_sa_stats st;
	struct xfrm_sa x;

	memset(k, 0, sizeof(*k));
	if (!ch->installed || !daemon_g.kh)
		return;
	memset(&x, 0, sizeof(x));
	x.proto = IPPROTO_ESP;
	kernel_xaddr(&sa->remote, &x.src);
	kernel_xaddr(&sa->local, &x.dst);
	x.spi = ch->spi_in;
	if (daemon_g.kops->sa_get(daemon_g.kh, &x, &st) == 0) {
		k->valid = true;
		k->encap = st.encap;
		k->bytes_in = st.bytes;
		k->packets_in = st.packets;
	}
	kernel_xaddr(&sa->local, &x.src);
	kernel_xaddr(&sa->remote, &x.dst);
	x.spi = ch->spi_out;
	if (ch->spi_out && daemon_g.kops->sa_get(daemon_g.kh, &x, &st) == 0) {
		k->valid = true;
		k->encap |= st.encap;
		k->bytes_out = st.bytes;
		k->packets_out = st.packets;
	}
}

/* --- walking the engine's SAs -----------------------------------------------
 */

struct sa_walk {
	unsigned only_id; /* 0: every SA */
	bool counters;    /* read the kernel's counters of each CHILD SA */
	/* stats */
	unsigned connecting, established, deleting, other;
	unsigned children, installed;
	struct ctl_child_counters total;
	size_t n_ids;      /* IKE SAs walked */
	unsigned child_id; /* rekey --child-id: is there such a CHILD SA? */
	bool child_found;
	json_t *found; /* ctl_cmd_sa_result: the one SA */
};

static void
walk_cb(void *ctx, const struct ike_sa_info *sa)
{
	struct ctl_child_counters k[IKE_MAX_CHILDREN];
	struct sa_walk *w = ctx;
	unsigned i;

	if (w->only_id && sa->id != w->only_id)
		return;
	w->n_ids++;
	if (strcmp(sa->state, "CONNECTING") == 0)
		w->connecting++;
	else if (strcmp(sa->state, "ESTABLISHED") == 0)
		w->established++;
	else if (strcmp(sa->state, "DELETING") == 0)
		w->deleting++;
	else
		w->other++;
	for (i = 0; i < sa->n_children && i < IKE_MAX_CHILDREN; i++) {
		if (w->child_id && sa->children[i].id == w->child_id)
			w->child_found = true;
		if (w->counters)
			child_counters(sa, &sa->children[i], &k[i]);
		else
			memset(&k[i], 0, sizeof(k[i]));
		w->children++;
		w->installed += sa->children[i].installed;
		w->total.bytes_in += k[i].bytes_in;
		w->total.bytes_out += k[i].bytes_out;
		w->total.packets_in += k[i].packets_in;
		w->total.packets_out += k[i].packets_out;
	}
	if (w->only_id && !w->found)
		w->found = ctl_json_ike_sa(sa, k);
}

static void
walk(struct sa_walk *w, const char *conn)
{
	/* One SA by its id needs no walk over all of them. */
	if (w->only_id && !conn)
		ike_query_sa(daemon_g.engine, w->only_id, walk_cb, w);
	else
		ike_list_sas(daemon_g.engine, conn, walk_cb, w);
}

json_t *
ctl_cmd_sa_result(unsigned ike_id, unsigned child_id)
{
	struct sa_walk w = {.only_id = ike_id, .counters = true};

	walk(&w, NULL);
	return json_pack("{s:I,s:o,s:o}", "ike_id", (json_int_t)ike_id,
			 "child_id",
			 child_id ? json_integer(child_id) : json_null(),
			 "ike_sa", w.found ? w.found : json_null());
}

/* --- the commands ------------------------------------------------------------
 */

static void
cmd_version(struct ctl_client *c, struct ctl_req *r)
{
	struct daemon *d = &daemon_g;
	json_t *pl = json_array();
	unsigned i;

	for (i = 0; pl && i < d->n_plugins; i++)
		json_array_append_new(
		    pl, json_pack("{s:s,s:s,s:s}", "name",
				  d->plugins[i].desc->name, "version",
				  d->plugins[i].desc->version, "provides",
				  d->plugins[i].desc->provides
				      ? d->plugins[i].desc->provides
				      : ""));
	ctl_reply(c, r->id,
		  json_pack("{s:s,s:s,s:i,s:o,s:s}", "daemon", "charond",
			    "version", CHAROND_VERSION, "plugin_abi",
			    (int)CHAROND_PLUGIN_ABI, "plugins", pl, "config",
			    d->config_path));
}

static void
cmd_list_conns(struct ctl_client *c, struct ctl_req *r)
{
	const struct config *cfg = daemon_g.cfg;
	const char *name = NULL;
	char err[256];
	size_t i, hint = 0;
	json_t *l;

	CHECK(ctl_arg_string(r->args, "ike", &name, err, sizeof(err)));
	if (name && !config_find_conn(cfg, name)) {
		ctl_error(c, r->id, CTL_E_NOT_FOUND, NULL,
			  "no connection named '%s'", name);
		return;
	}
	l = json_array();
	for (i = 0; l && i < cfg->n_conns; i++)
		if (!name || strcmp(cfg->conns[i].name, name) == 0)
			json_array_append_new(
			    l, ctl_json_conn(cfg, &cfg->conns[i], &hint));
	ctl_reply(c, r->id, l ? json_pack("{s:o}", "conns", l) : NULL);
}

static void
cmd_list_sas(struct ctl_client *c, struct ctl_req *r)
{
	const char *name = NULL;
	struct ctl_list *l;
	bool stream = false;
	uint64_t id = 0;
	char err[256];

	CHECK(ctl_arg_string(r->args, "ike", &name, err, sizeof(err)));
	CHECK(ctl_arg_uint(r->args, "ike_id", 1, UINT32_MAX, &id, err,
			   sizeof(err)));
	CHECK(ctl_arg_bool(r->args, "stream", &stream, err, sizeof(err)));
	/* Written as the client reads it: 100,000 SAs never sit in memory
	 * as JSON at once (ctl_list.c). */
	l = calloc(1, sizeof(*l));
	if (!l || ctl_list_init(l, r->id, name, (unsigned)id, stream) < 0) {
		free(l);
		ctl_error(c, r->id, CTL_E_INTERNAL, NULL, "out of memory");
		return;
	}
	l->counters = child_counters;
	ctl_list_start(c, l);
}

/* Names for an error message: "'a', 'b', 'c' and 7 more". */
struct name_list {
	char text[300];
	size_t n, shown;
	bool approx; /* names past the shown ones may repeat: no count */
};

static void
name_list_add(struct name_list *l, const char *name)
{
	size_t len = strlen(l->text);

	if (l->shown < 5 && len + strlen(name) + 8 < sizeof(l->text)) {
		snprintf(l->text + len, sizeof(l->text) - len, "%s'%s'",
			 l->n ? ", " : "", name);
		l->shown++;
	}
	l->n++;
}

static bool
name_list_has(const struct name_list *l, const char *name)
{
	char quoted[IKE_NAME_MAX + 3];
	const char *p = l->text;
	size_t len;

	len = (size_t)snprintf(quoted, sizeof(quoted), "'%s'", name);
	while ((p = strstr(p, quoted)) != NULL) {
		if (p[len] == '\0' || p[len] == ',')
			return true;
		p += len;
	}
	return false;
}

static const char *
name_list_text(struct name_list *l)
{
	size_t len = strlen(l->text);

	if (l->n > l->shown && l->approx)
		snprintf(l->text + len, sizeof(l->text) - len, " and more");
	else if (l->n > l->shown)
		snprintf(l->text + len, sizeof(l->text) - len, " and %zu more",
			 l->n - l->shown);
	return l->text;
}

/* The connection a child belongs to when no --ike names it: child names
 * are unique within their connection only, so it must be the one
 * connection that has it. */
static const struct conn_cfg *
conn_of_child(struct ctl_client *c, struct ctl_req *r, const char *child)
{
	const struct config *cfg = daemon_g.cfg;
	const struct conn_cfg *found = NULL;
	struct name_list all = {0};
	size_t i;

	for (i = 0; i < cfg->n_conns; i++) {
		if (!config_find_child(&cfg->conns[i], child))
			continue;
		found = &cfg->conns[i];
		name_list_add(&all, found->name);
	}
	if (!found)
		ctl_error(c, r->id, CTL_E_NOT_FOUND, NULL,
			  "no connection has a child named '%s'", child);
	else if (all.n > 1)
		ctl_error(c, r->id, CTL_E_INVALID_ARGS, NULL,
			  "child '%s' is in %zu connections (%s); name one "
			  "with \"ike\"",
			  child, all.n, name_list_text(&all));
	return all.n == 1 ? found : NULL;
}

static void
cmd_initiate(struct ctl_client *c, struct ctl_req *r)
{
	struct daemon *d = &daemon_g;
	const char *ike = NULL, *child = NULL, *why;
	const struct conn_cfg *conn;
	uint64_t timeout = 0;
	char err[256];
	unsigned id;

	CHECK(ctl_arg_string(r->args, "ike", &ike, err, sizeof(err)));
	CHECK(ctl_arg_string(r->args, "child", &child, err, sizeof(err)));
	CHECK(ctl_arg_seconds(r->args, "timeout", MAX_TIMEOUT_S, &timeout, err,
			      sizeof(err)));
	if (!ike && !child) {
		ctl_error(c, r->id, CTL_E_INVALID_ARGS, NULL,
			  "initiate needs \"child\" or \"ike\" (or both)");
		return;
	}
	if (ike && !(conn = config_find_conn(d->cfg, ike))) {
		ctl_error(c, r->id, CTL_E_NOT_FOUND, NULL,
			  "no connection named '%s'", ike);
		return;
	}
	if (!ike && !(conn = conn_of_child(c, r, child)))
		return;
	if (child && !config_find_child(conn, child)) {
		ctl_error(c, r->id, CTL_E_NOT_FOUND, NULL,
			  "connection '%s' has no child '%s'", conn->name,
			  child);
		return;
	}
	log_msg(IKE_LOG_INFO, "control: initiating %s%s%s", conn->name,
		child ? "/" : "", child ? child : "");
	ctl_capture_begin();
	id = ike_initiate(d->engine, daemon_now(), conn->name, child);
	why = ctl_capture_end();
	daemon_rearm(d);
	if (!id) {
		ctl_error(c, r->id, ctl_reason_code(why), NULL,
			  "cannot initiate '%s': %s", conn->name,
			  why ? why : "the engine refused (see the log)");
		return;
	}
	ctl_wait(c, r->id, CTL_WAIT_INITIATE,
		 &(struct ctl_sa_ref){.ike_id = id}, 1, conn->name, child,
		 timeout);
}

/* The SAs a terminate names: whole IKE SAs (child_id 0), or installed
 * CHILD SAs by name or number. */
struct term_walk {
	unsigned ike_id;
	const char *child;
	unsigned child_id;
	struct ctl_sa_ref *refs; /* however many there are */
	size_t n, cap;
	bool oom;
	struct name_list conns; /* of the CHILD SAs named child */
};

static void
term_add(struct term_walk *t, unsigned ike_id, unsigned child_id)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 16;
		struct ctl_sa_ref *grown =
		    realloc(t->refs, cap * sizeof(*grown));

		if (!grown) {
			t->oom = true;
			return;
		}
		t->refs = grown;
		t->cap = cap;
	}
	t->refs[t->n++] = (struct ctl_sa_ref){ike_id, child_id};
}

static void
term_cb(void *ctx, const struct ike_sa_info *sa)
{
	struct term_walk *t = ctx;
	unsigned i;

	if (t->ike_id && sa->id != t->ike_id)
		return;
	if (!t->child && !t->child_id) {
		term_add(t, sa->id, 0);
		return;
	}
	for (i = 0; i < sa->n_children; i++) {
		const struct ike_child_info *ch = &sa->children[i];

		if (!ch->installed)
			continue;
		if (t->child ? ch->name && strcmp(ch->name, t->child) == 0
			     : ch->id == t->child_id) {
			term_add(t, sa->id, ch->id);
			if (t->child && sa->conn &&
			    !name_list_has(&t->conns, sa->conn))
				name_list_add(&t->conns, sa->conn);
		}
	}
}

bool
ctl_cmd_sa_exists(const struct ctl_sa_ref *ref)
{
	struct sa_walk w = {.only_id = ref->ike_id, .child_id = ref->child_id};

	walk(&w, NULL);
	json_decref(w.found);
	return w.n_ids && (!ref->child_id || w.child_found);
}

static void
cmd_terminate(struct ctl_client *c, struct ctl_req *r)
{
	struct daemon *d = &daemon_g;
	const char *ike = NULL, *child = NULL;
	uint64_t timeout = 0, ike_id = 0, child_id = 0;
	struct term_walk t = {0};
	size_t i, busy = 0;
	char err[256];

	CHECK(ctl_arg_string(r->args, "ike", &ike, err, sizeof(err)));
	CHECK(ctl_arg_string(r->args, "child", &child, err, sizeof(err)));
	CHECK(ctl_arg_uint(r->args, "ike_id", 1, UINT32_MAX, &ike_id, err,
			   sizeof(err)));
	CHECK(ctl_arg_uint(r->args, "child_id", 1, UINT32_MAX, &child_id, err,
			   sizeof(err)));
	CHECK(ctl_arg_seconds(r->args, "timeout", MAX_TIMEOUT_S, &timeout, err,
			      sizeof(err)));
	if ((!ike && !ike_id && !child) || (ike && ike_id) ||
	    (child && child_id) || (child_id && !ike_id)) {
		ctl_error(c, r->id, CTL_E_INVALID_ARGS, NULL,
			  "terminate needs \"ike\", \"ike_id\" or \"child\"; "
			  "\"child\" may be narrowed by \"ike\" or "
			  "\"ike_id\", and \"child_id\" (numbered per IKE "
			  "SA) needs \"ike_id\"");
		return;
	}
	t.ike_id = (unsigned)ike_id;
	t.child = child;
	t.conns.approx = true;
	t.child_id = (unsigned)child_id;
	if (ike_id && !ike)
		ike_query_sa(d->engine, (unsigned)ike_id, term_cb, &t);
	else
		ike_list_sas(d->engine, ike, term_cb, &t);
	if (t.oom) {
		ctl_error(c, r->id, CTL_E_INTERNAL, NULL, "out of memory");
		free(t.refs);
		return;
	}
	if (!t.n) {
		if (child || child_id)
			ctl_error(c, r->id, CTL_E_NOT_FOUND, NULL,
				  "no installed CHILD SA %s%s%s",
				  child ? "'" : "#", child ? child : "",
				  child ? "'" : "");
		else if (ike_id)
			ctl_error(c, r->id, CTL_E_NOT_FOUND, NULL,
				  "no IKE SA #%u", (unsigned)ike_id);
		else
			ctl_error(c, r->id, CTL_E_NOT_FOUND, NULL,
				  "connection '%s' has no IKE SA", ike);
		free(t.refs);
		return;
	}
	/* Child names are unique within their connection only: a name
	 * alone must not close the CHILD SAs of several connections. */
	if (child && !ike && !ike_id && t.conns.n > 1) {
		ctl_error(c, r->id, CTL_E_INVALID_ARGS, NULL,
			  "CHILD SAs named '%s' are up in several "
			  "connections (%s); name one with \"ike\"",
			  child, name_list_text(&t.conns));
		free(t.refs);
		return;
	}
	log_msg(IKE_LOG_INFO, "control: terminating %zu %s SA(s)", t.n,
		t.refs[0].child_id ? "CHILD" : "IKE");
	/* Kernel state goes at once; the SAs are gone for good once the
	 * peer answered our DELETE (or the engine gave up on it). */
	for (i = 0; i < t.n; i++)
		if (t.refs[i].child_id
			? ike_terminate_child(d->engine, daemon_now(),
					      t.refs[i].ike_id,
					      t.refs[i].child_id) < 0
			: ike_terminate(d->engine, daemon_now(),
					t.refs[i].ike_id) < 0)
			busy++;
	daemon_rearm(d);
	if (busy) {
		ctl_error(c, r->id, CTL_E_FAILED, NULL,
			  "%zu of %zu SA(s) cannot be deleted now (their IKE "
			  "SA is busy with another exchange); try again",
			  busy, t.n);
		free(t.refs);
		return;
	}
	ctl_wait(c, r->id, CTL_WAIT_TERMINATE, t.refs, t.n, NULL, NULL,
		 timeout);
	free(t.refs);
}

static void
cmd_rekey(struct ctl_client *c, struct ctl_req *r)
{
	uint64_t ike_id = 0, child_id = 0;
	struct sa_walk w = {0};
	char err[256];

	CHECK(ctl_arg_uint(r->args, "ike_id", 1, UINT32_MAX, &ike_id, err,
			   sizeof(err)));
	CHECK(ctl_arg_uint(r->args, "child_id", 1, UINT32_MAX, &child_id, err,
			   sizeof(err)));
	if (!ike_id) {
		ctl_error(c, r->id, CTL_E_INVALID_ARGS, NULL,
			  "rekey needs \"ike_id\", and \"child_id\" for one "
			  "of its CHILD SAs");
		return;
	}
	w.only_id = (unsigned)ike_id;
	w.child_id = (unsigned)child_id;
	walk(&w, NULL);
	json_decref(w.found);
	if ((ike_id && !w.n_ids) || (child_id && !w.child_found)) {
		ctl_error(c, r->id, CTL_E_NOT_FOUND, NULL, "no %s SA #%u",
			  ike_id ? "IKE" : "CHILD",
			  (unsigned)(ike_id ? ike_id : child_id));
		return;
	}
	if ((child_id ? ike_rekey_child(daemon_g.engine, daemon_now(),
					(unsigned)ike_id, (unsigned)child_id)
		      : ike_rekey(daemon_g.engine, daemon_now(),
				  (unsigned)ike_id)) < 0) {
		ctl_error(c, r->id, CTL_E_FAILED, NULL,
			  "cannot rekey now (an exchange is under way, or the "
			  "SA is not established)");
		return;
	}
	daemon_rearm(&daemon_g);
	/* The exchange runs on: its outcome shows in list-sas and as
	 * ike-rekeyed / child-rekeyed events. */
	ctl_reply(c, r->id,
		  json_pack("{s:I,s:I,s:b}", "ike_id", (json_int_t)ike_id,
			    "child_id", (json_int_t)child_id, "started", 1));
}

/* Lines "FILE:LINE:COL: error: message", as --check-config prints. */
static json_t *
diag_json(const struct diag_list *dl)
{
	json_t *a = json_array();
	char buf[1024];
	size_t i;

	for (i = 0; a && i < dl->n; i++) {
		diag_format(&dl->v[i], buf, sizeof(buf));
		json_array_append_new(a, ctl_json_text(buf, strlen(buf)));
	}
	return a;
}

static json_t *
only_warnings(const struct diag_list *dl)
{
	json_t *a = json_array();
	char buf[1024];
	size_t i;

	for (i = 0; a && i < dl->n; i++) {
		if (dl->v[i].sev != DIAG_WARNING)
			continue;
		diag_format(&dl->v[i], buf, sizeof(buf));
		json_array_append_new(a, ctl_json_text(buf, strlen(buf)));
	}
	return a;
}

static void
cmd_load(struct ctl_client *c, struct ctl_req *r)
{
	struct daemon *d = &daemon_g;
	struct config *old = NULL;
	const struct conn_cfg *o;
	json_t *added, *changed, *removed, *unchanged, *res, *rs;
	unsigned restart = 0;
	struct diag_list dl;
	size_t i;
	int rc;

	diag_list_init(&dl);
	rc = daemon_reload(d, &dl, &old, &restart);
	if (rc < 0) {
		ctl_error(c, r->id, CTL_E_CONFIG,
			  json_pack("{s:o}", "diagnostics", diag_json(&dl)),
			  "%s: %zu error(s); the running configuration stays",
			  d->config_path, dl.n_errors ? dl.n_errors : 1);
		diag_list_free(&dl);
		return;
	}
	added = json_array();
	changed = json_array();
	removed = json_array();
	unchanged = json_array();
	for (i = 0; i < d->cfg->n_conns; i++) {
		const struct conn_cfg *n = &d->cfg->conns[i];

		o = config_find_conn(old, n->name);
		json_array_append_new(!o                        ? added
				      : config_equal_conn(o, n) ? unchanged
								: changed,
				      json_string(n->name));
	}
	for (i = 0; old && i < old->n_conns; i++)
		if (!config_find_conn(d->cfg, old->conns[i].name))
			json_array_append_new(removed,
					      json_string(old->conns[i].name));
	/* Settings of the daemon itself that were not applied: not an error
	 * (the rest was), but never passed over in silence. */
	rs = json_array();
	for (i = 0; rs && daemon_restart_keys[i]; i++)
		if (restart & 1u << i)
			json_array_append_new(
			    rs, json_string(daemon_restart_keys[i]));
	res = json_pack("{s:s,s:o,s:o,s:o,s:o,s:o,s:o}", "file", d->config_path,
			"added", added, "changed", changed, "removed", removed,
			"unchanged", unchanged, "warnings", only_warnings(&dl),
			"restart_required", rs);
	config_free(old);
	diag_list_free(&dl);
	ctl_reply(c, r->id, res);
}

/* What the engine did with input from the network that it did not act
 * on: drops by reason, COOKIEs, half-open SAs, rate-limited log lines. */
static json_t *
input_stats(void)
{
	struct ike_stats st;
	json_t *drops = json_object();
	unsigned i;

	ike_engine_stats(daemon_g.engine, &st);
	for (i = 0; drops && i < IKE_DROP_MAX; i++)
		json_object_set_new(drops, ike_drop_name((enum ike_drop)i),
				    json_integer((json_int_t)st.drops[i]));
	/* Drops before the engine saw anything: our sockets' full receive
	 * buffers, and the whole system's UDP (-1: /proc unreadable). */
	return json_pack(
	    "{s:o,s:I,s:I,s:I,s:I,s:I}", "drops", drops, "cookies_sent",
	    (json_int_t)st.cookies_sent, "half_open", (json_int_t)st.half_open,
	    "log_suppressed", (json_int_t)st.log_suppressed, "socket_drops",
	    (json_int_t)net_socket_drops(&daemon_g), "udp_rcvbuf_errors",
	    (json_int_t)net_rcvbuf_errors());
}

/* Which kernel side is in use; with daemon.kernel: none, what its
 * recorder holds (nothing once every CHILD SA is gone). */
static json_t *
kernel_stats(void)
{
	size_t sas, pols;

	if (daemon_g.kops != &kernel_none_ops)
		return json_pack("{s:s}", "mode", kernel_xfrm_ops.name);
	kernel_none_count(daemon_g.kh, &sas, &pols);
	return json_pack("{s:s,s:I,s:I}", "mode", kernel_none_ops.name, "sas",
			 (json_int_t)sas, "policies", (json_int_t)pols);
}

/* The key exchange workers (daemon.crypto_workers): 0 workers computes
 * on the loop's thread. */
static json_t *
crypto_stats(void)
{
	struct crypto_pool_stats st;

	crypto_pool_stats(daemon_g.pool, &st);
	return json_pack("{s:I,s:I,s:I}", "workers", (json_int_t)st.workers,
			 "queued", (json_int_t)st.queued, "jobs",
			 (json_int_t)st.finished);
}

static void
cmd_stats(struct ctl_client *c, struct ctl_req *r)
{
	const struct ctl_stats *s = ctl_stats();
	json_t *res;
	struct sa_walk w = {0};
	json_t *reasons = json_object();
	unsigned i;

	w.counters = true;
	walk(&w, NULL);
	for (i = 0; reasons && i < s->n_reasons; i++)
		json_object_set_new(reasons, s->reasons[i].reason,
				    json_integer((json_int_t)s->reasons[i].n));
	res = json_pack(
	    "{s:s,s:I,s:I,s:s,"
	    "s:{s:I,s:I,s:I,s:I},"
	    "s:{s:I,s:I},"
	    "s:{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I},"
	    "s:o,"
	    "s:{s:I,s:I,s:I,s:I},"
	    "s:{s:I,s:I,s:I,s:I,s:I},s:o}",
	    "version", CHAROND_VERSION, "started", (json_int_t)s->started,
	    "uptime", (json_int_t)((uint64_t)time(NULL) - s->started),
	    "log_level", ctl_level_name((int)log_level()), "ike_sas",
	    "CONNECTING", (json_int_t)w.connecting, "ESTABLISHED",
	    (json_int_t)w.established, "DELETING", (json_int_t)w.deleting,
	    "total", (json_int_t)w.n_ids, "child_sas", "INSTALLED",
	    (json_int_t)w.installed, "total", (json_int_t)w.children, "events",
	    "ike_up", (json_int_t)s->ike_up, "ike_down",
	    (json_int_t)s->ike_down, "child_up", (json_int_t)s->child_up,
	    "child_down", (json_int_t)s->child_down, "auth_failed",
	    (json_int_t)s->auth_failed, "ike_failed", (json_int_t)s->ike_failed,
	    "child_failed", (json_int_t)s->child_failed, "ike_rekeyed",
	    (json_int_t)s->ike_rekeyed, "child_rekeyed",
	    (json_int_t)s->child_rekeyed, "failures", reasons, "traffic",
	    "bytes_in", (json_int_t)w.total.bytes_in, "bytes_out",
	    (json_int_t)w.total.bytes_out, "packets_in",
	    (json_int_t)w.total.packets_in, "packets_out",
	    (json_int_t)w.total.packets_out, "control", "clients",
	    (json_int_t)ctl_n_clients(), "requests", (json_int_t)s->requests,
	    "errors", (json_int_t)s->errors, "clients_dropped",
	    (json_int_t)s->clients_dropped, "clients_refused",
	    (json_int_t)s->clients_refused, "input", input_stats());
	json_object_set_new(res, "kernel", kernel_stats());
	json_object_set_new(res, "crypto", crypto_stats());
	ctl_reply(c, r->id, res);
}

static void
cmd_monitor(struct ctl_client *c, struct ctl_req *r)
{
	const char *conn = NULL;
	uint64_t id = 0;
	int level = -1;
	char err[256];
	json_t *res;

	CHECK(ctl_arg_level(r->args, "level", true, &level, err, sizeof(err)));
	CHECK(ctl_arg_string(r->args, "conn", &conn, err, sizeof(err)));
	CHECK(ctl_arg_uint(r->args, "ike_id", 1, UINT32_MAX, &id, err,
			   sizeof(err)));
	if (ctl_set_monitor(c, level, conn, (unsigned)id) < 0) {
		ctl_error(c, r->id, CTL_E_INTERNAL, NULL, "out of memory");
		return;
	}
	res = json_pack("{s:b,s:s}", "monitoring", 1, "level",
			ctl_level_name(level));
	/* The filter is echoed: a client sees what it will get. */
	if (res && conn)
		json_object_set_new(res, "conn", json_string(conn));
	if (res && id)
		json_object_set_new(res, "ike_id",
				    json_integer((json_int_t)id));
	ctl_reply(c, r->id, res);
}

static void
cmd_log_level(struct ctl_client *c, struct ctl_req *r)
{
	enum ike_log_level prev = log_level();
	int level = -2;
	char err[256];

	CHECK(ctl_arg_level(r->args, "level", false, &level, err, sizeof(err)));
	if (level == -2) {
		ctl_error(c, r->id, CTL_E_INVALID_ARGS, NULL,
			  "log-level needs \"level\"");
		return;
	}
	log_set_level((enum ike_log_level)level);
	log_msg(IKE_LOG_INFO, "control: log level %s (was %s)",
		ctl_level_name(level), ctl_level_name((int)prev));
	ctl_reply(c, r->id,
		  json_pack("{s:s,s:s}", "level", ctl_level_name(level),
			    "previous", ctl_level_name((int)prev)));
}

static void
cmd_export_keys(struct ctl_client *c, struct ctl_req *r)
{
	ctl_export_keys(c, r->id);
}

static void
cmd_list_certs(struct ctl_client *c, struct ctl_req *r)
{
	const char *conn = NULL;
	char err[256];

	CHECK(ctl_arg_string(r->args, "conn", &conn, err, sizeof(err)));
	ctl_list_certs(c, r->id, conn);
}

static void
cmd_list_authorities(struct ctl_client *c, struct ctl_req *r)
{
	ctl_list_authorities(c, r->id);
}

static const struct cmd {
	const char *name;
	void (*run)(struct ctl_client *c, struct ctl_req *r);
	const char *const *args;
} cmds[] = {
    {"version", cmd_version, ARGS(NULL)},
    {"list-conns", cmd_list_conns, ARGS("ike")},
    {"list-sas", cmd_list_sas, ARGS("ike", "ike_id", "stream")},
    {"initiate", cmd_initiate, ARGS("ike", "child", "timeout")},
    {"terminate", cmd_terminate,
     ARGS("ike", "ike_id", "child", "child_id", "timeout")},
    {"rekey", cmd_rekey, ARGS("ike_id", "child_id")},
    {"load", cmd_load, ARGS(NULL)},
    {"stats", cmd_stats, ARGS(NULL)},
    {"monitor", cmd_monitor, ARGS("level", "conn", "ike_id")},
    {"log-level", cmd_log_level, ARGS("level")},
    {"export-keys", cmd_export_keys, ARGS(NULL)},
    {"list-certs", cmd_list_certs, ARGS("conn")},
    {"list-authorities", cmd_list_authorities, ARGS(NULL)},
};

void
ctl_cmd_run(struct ctl_client *c, struct ctl_req *r)
{
	const char *code;
	char err[256];
	size_t i;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(cmds[i].name, r->cmd) == 0)
			break;
	if (i == sizeof(cmds) / sizeof(cmds[0])) {
		ctl_error(c, r->id, CTL_E_UNKNOWN_CMD, NULL,
			  "unknown command '%.64s' (version, list-conns, "
			  "list-sas, initiate, terminate, rekey, load, stats, "
			  "monitor, log-level, export-keys, list-certs, "
			  "list-authorities)",
			  r->cmd);
		return;
	}
	if ((code = ctl_args_check(r->args, cmds[i].args, err, sizeof(err)))) {
		ctl_error(c, r->id, code, NULL, "%s: %s", cmds[i].name, err);
		return;
	}
	cmds[i].run(c, r);
}
