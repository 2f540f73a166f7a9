/* SPDX-License-Identifier: ISC */
/*
 * Trap policies: for a child with start_action trap (or one dpd's trap
 * action names), the policies its CHILD SA would have, out, in and (in
 * tunnel mode) fwd, with their templates but no SA. The kernel then holds
 * the child's traffic and sends XFRM_MSG_ACQUIRE on its first packet
 * (kernel_events.c), which starts the connection. Each trap's templates
 * carry a reqid of its own (TRAP_REQID + index), by which the ACQUIRE
 * names it.
 *
 * A CHILD SA's policies have the same selectors, directions and marks, so
 * installing it replaces the trap's (XFRM_MSG_UPDPOLICY); while any CHILD
 * SA of the child is installed the trap is out of the kernel, and when the
 * last goes (deleted, its peer dead) the trap's policies come back.
 * Selectors are those configured; `dynamic` is our, or the peer's,
 * address. A reload removes the traps of children that changed or went,
 * shutdown all of them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"

#define TRAP_REQID 0x7f000000u
#define MAX_TRAPS  4096

struct trap {
	char conn[IKE_NAME_MAX], child[IKE_NAME_MAX];
	bool configured;  /* start_action trap; else dpd's, until reload */
	bool in_kernel;   /* its policies are installed */
	unsigned n_sas;   /* the child's CHILD SAs installed */
	unsigned ike_id;  /* the IKE SA its last ACQUIRE started */
	uint32_t acq_seq; /* that ACQUIRE's, for the outbound SA (below) */
	uint32_t reqid;
	/* What was installed, to remove exactly that. */
	struct ike_child_install ci;
	struct ts lts[IKE_MAX_CFG_TS], rts[IKE_MAX_CFG_TS];
};

static struct trap *traps[MAX_TRAPS];
static unsigned n_traps;

static struct trap *
trap_find(const char *conn, const char *child)
{
	unsigned i;

	for (i = 0; i < n_traps; i++)
		if (strcmp(traps[i]->conn, conn) == 0 &&
		    strcmp(traps[i]->child, child) == 0)
			return traps[i];
	return NULL;
}

static void
ts_of(const struct ike_ts_cfg *c, const struct ike_endpoint *self, struct ts *t)
{
	*t = c->ts;
	if (!c->dynamic)
		return;
	/* Our, or the peer's, address alone. */
	if (self->ss.ss_family == AF_INET6) {
		t->type = IKEV2_TS_IPV6_ADDR_RANGE;
		memcpy(t->saddr,
		       &((const struct sockaddr_in6 *)&self->ss)->sin6_addr,
		       16);
		memcpy(t->eaddr, t->saddr, 16);
	} else {
		t->type = IKEV2_TS_IPV4_ADDR_RANGE;
		memcpy(t->saddr,
		       &((const struct sockaddr_in *)&self->ss)->sin_addr, 4);
		memcpy(t->eaddr, t->saddr, 4);
	}
	if (!c->ts.sport && !c->ts.eport) {
		t->sport = 0;
		t->eport = 0xffff;
	}
}

/* The policies of t as its child's configuration says, through the child
 * filters as a CHILD SA's would go: 0, or -1 (why logged). */
static int
describe(struct daemon *d, struct trap *t)
{
	const struct conn_cfg *cc = conns_find(d, t->conn);
	struct ike_child_install ci;
	const struct ike_child_cfg *ch = NULL;
	struct ike_conn_cfg k;
	char why[256];
	unsigned i;
	int rc = -1;

	if (!cc || conns_engine_cfg(d, cc, &k) < 0)
		return -1;
	for (i = 0; i < k.n_children; i++)
		if (strcmp(k.children[i].name, t->child) == 0)
			ch = &k.children[i];
	if (!ch || k.remote.ss.ss_family == AF_UNSPEC ||
	    k.local.ss.ss_family == AF_UNSPEC || !ch->n_local_ts ||
	    !ch->n_remote_ts) {
		log_msg(IKE_LOG_ERROR,
			"connection '%s': no trap for child '%s': it needs "
			"a peer address and traffic selectors",
			t->conn, t->child);
		goto out;
	}
	memset(&ci, 0, sizeof(ci));
	ci.conn = t->conn;
	ci.child = t->child;
	ci.transport = ch->transport;
	ci.initiator = true;
	ci.local = k.local;
	ci.remote = k.remote;
	ci.reqid = t->reqid;
	for (i = 0; i < ch->n_local_ts; i++)
		ts_of(&ch->local_ts[i], &k.local, &t->lts[i]);
	for (i = 0; i < ch->n_remote_ts; i++)
		ts_of(&ch->remote_ts[i], &k.remote, &t->rts[i]);
	ci.n_local_ts = ch->n_local_ts;
	ci.n_remote_ts = ch->n_remote_ts;
	ci.local_ts = t->lts;
	ci.remote_ts = t->rts;
	if (plugins_child_filter(CHAROND_FILTER_TRAP, &ci, &t->ci, why,
				 sizeof(why)) < 0) {
		log_msg(IKE_LOG_ERROR,
			"connection '%s': no trap for child '%s': %s", t->conn,
			t->child, why);
		goto out;
	}
	rc = 0;
out:
	conns_engine_cfg_clear(&k);
	return rc;
}

static int
install(struct daemon *d, struct trap *t)
{
	if (t->in_kernel || t->n_sas)
		return 0;
	if (describe(d, t) < 0)
		return -1;
	if (kernel_policies(d, &t->ci, false) < 0) {
		kernel_policies(d, &t->ci, true);
		return -1;
	}
	t->in_kernel = true;
	log_msg(IKE_LOG_INFO, "connection '%s': trap policies for child '%s'",
		t->conn, t->child);
	return 0;
}

static void
uninstall(struct daemon *d, struct trap *t)
{
	if (!t->in_kernel)
		return;
	kernel_policies(d, &t->ci, true);
	t->in_kernel = false;
}

static void
count_child(void *ctx, const struct ike_sa_info *sa)
{
	struct trap *t = ctx;
	unsigned i;

	for (i = 0; i < sa->n_children; i++)
		if (sa->children[i].installed &&
		    strcmp(sa->children[i].name, t->child) == 0)
			t->n_sas++;
}

static struct trap *
trap_new(struct daemon *d, const char *conn, const char *child)
{
	struct trap *t;
	unsigned i;

	if (n_traps >= MAX_TRAPS || !(t = calloc(1, sizeof(*t))))
		return NULL;
	snprintf(t->conn, sizeof(t->conn), "%s", conn);
	snprintf(t->child, sizeof(t->child), "%s", child);
	/* The lowest reqid no trap has. */
	for (t->reqid = TRAP_REQID;; t->reqid++) {
		for (i = 0; i < n_traps && traps[i]->reqid != t->reqid; i++)
			;
		if (i == n_traps)
			break;
	}
	/* A CHILD SA of it may be up already (a reload). */
	if (d->engine)
		ike_list_sas(d->engine, conn, count_child, t);
	traps[n_traps++] = t;
	return t;
}

static void
trap_del(struct daemon *d, unsigned i)
{
	uninstall(d, traps[i]);
	free(traps[i]);
	traps[i] = traps[--n_traps];
}

/* Whether a trap's child still is what it was installed from. */
static bool
still_valid(struct daemon *d, const struct trap *t)
{
	const struct conn_cfg *c = conns_find(d, t->conn);
	const struct child_cfg *ch = c ? config_find_child(c, t->child) : NULL;

	return ch && (!t->configured || ch->start_action == CFG_START_TRAP);
}

void
trap_apply(struct daemon *d)
{
	const struct config *cfg = d->cfg;
	struct trap *t;
	unsigned i;
	size_t c, j;

	/* Out with the traps of children gone, or no longer trapped;
	 * the others are installed again from what the config says now. */
	for (i = 0; i < n_traps;) {
		if (!still_valid(d, traps[i])) {
			trap_del(d, i);
			continue;
		}
		if (traps[i]->in_kernel) {
			uninstall(d, traps[i]);
			install(d, traps[i]);
		}
		i++;
	}
	for (c = 0; cfg && c < cfg->n_conns; c++)
		for (j = 0; j < cfg->conns[c].n_children; j++) {
			const struct conn_cfg *cc = &cfg->conns[c];

			if (cc->children[j].start_action != CFG_START_TRAP)
				continue;
			t = trap_find(cc->name, cc->children[j].name);
			if (!t &&
			    !(t = trap_new(d, cc->name, cc->children[j].name)))
				continue;
			t->configured = true;
			install(d, t);
		}
}

void
trap_clear(struct daemon *d)
{
	while (n_traps)
		trap_del(d, n_traps - 1);
}

int
trap_api(const char *conn, const char *child)
{
	struct daemon *d = &daemon_g;
	const struct conn_cfg *c = conns_find(d, conn);
	unsigned ok = 0;
	struct trap *t;
	size_t j;

	for (j = 0; c && j < c->n_children; j++) {
		if (child && strcmp(c->children[j].name, child) != 0)
			continue;
		bool fresh = false;

		t = trap_find(conn, c->children[j].name);
		if (!t && (t = trap_new(d, conn, c->children[j].name)))
			fresh = true;
		if (t && install(d, t) == 0)
			ok++;
		else if (fresh) /* nothing to keep of it */
			trap_del(d, n_traps - 1);
	}
	/* Each child asked for, or at least one of them. */
	return ok ? 0 : -1;
}

static void
is_connecting(void *ctx, const struct ike_sa_info *sa)
{
	bool *b = ctx;

	*b = strcmp(sa->state, "ESTABLISHED") != 0;
}

void
trap_acquire(struct daemon *d, uint32_t reqid, uint32_t seq)
{
	bool connecting = false;
	struct trap *t = NULL;
	unsigned i;

	for (i = 0; i < n_traps; i++)
		if (traps[i]->reqid == reqid)
			t = traps[i];
	if (!t || !d->engine)
		return;
	t->acq_seq = seq;
	/* The kernel asks again for every packet it holds: one IKE SA. */
	if (t->ike_id &&
	    ike_query_sa(d->engine, t->ike_id, is_connecting, &connecting) &&
	    connecting)
		return;
	log_msg(IKE_LOG_INFO,
		"connection '%s': traffic for trapped child '%s', initiating",
		t->conn, t->child);
	t->ike_id = ike_initiate(d->engine, daemon_now(), t->conn, t->child);
	daemon_rearm(d);
}

/* The kernel holds a larval SA for each ACQUIRE (that is what keeps it
 * from asking again for every packet); an SA added with the ACQUIRE's
 * sequence number takes its place, else it lingers until it expires. */
uint32_t
trap_acq_seq(const struct ike_child_install *ci)
{
	struct trap *t =
	    ci->conn && ci->child ? trap_find(ci->conn, ci->child) : NULL;

	return t ? t->acq_seq : 0;
}

static bool
same_ts(const struct ts *a, const struct ts *b, unsigned n)
{
	unsigned i;
	size_t len;

	for (i = 0; i < n; i++) {
		len = a[i].type == IKEV2_TS_IPV6_ADDR_RANGE ? 16 : 4;
		if (a[i].type != b[i].type || a[i].proto != b[i].proto ||
		    a[i].sport != b[i].sport || a[i].eport != b[i].eport ||
		    memcmp(a[i].saddr, b[i].saddr, len) ||
		    memcmp(a[i].eaddr, b[i].eaddr, len))
			return false;
	}
	return true;
}

static bool
same_policies(const struct ike_child_install *a,
	      const struct ike_child_install *b)
{
	return a->transport == b->transport && a->n_local_ts == b->n_local_ts &&
	       a->n_remote_ts == b->n_remote_ts &&
	       same_ts(a->local_ts, b->local_ts, a->n_local_ts) &&
	       same_ts(a->remote_ts, b->remote_ts, a->n_remote_ts);
}

void
trap_child_installed(struct daemon *d, const struct ike_child_install *ci)
{
	struct trap *t =
	    ci->conn && ci->child ? trap_find(ci->conn, ci->child) : NULL;

	if (!t)
		return;
	t->n_sas++;
	t->acq_seq = 0;
	/* Its policies replaced the trap's, if they have the same
	 * selectors; a CHILD SA the peer narrowed leaves them standing
	 * (and to be removed). */
	if (same_policies(&t->ci, ci))
		t->in_kernel = false;
}

void
trap_child_removed(struct daemon *d, const struct ike_child_install *ci)
{
	struct trap *t =
	    ci->conn && ci->child ? trap_find(ci->conn, ci->child) : NULL;

	if (!t || !t->n_sas)
		return;
	if (--t->n_sas == 0 && !d->stopping)
		install(d, t);
}
