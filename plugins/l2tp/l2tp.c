/* SPDX-License-Identifier: ISC */
/*
 * The l2tp plugin: L2TP/IPsec beside xl2tpd, for a child with `l2tp:
 * true` (transport mode, local udp/1701, remote udp/any: the core sets
 * those selectors).
 *
 * The problem it solves. Windows clients send L2TP from UDP port 1701.
 * Behind one NAT, several of them reach the server from the same public
 * address and port, so that after decryption their datagrams are the
 * same five-tuple, public:1701 -> server:1701. Their transport policies
 * have the same selectors (the kernel keeps one of them), conntrack
 * merges their flows into one entry, and xl2tpd, which tells peers apart
 * by address and port, sees one peer. Marks alone (strongSwan's answer)
 * cannot help once conntrack has merged the flows.
 *
 * What the plugin does, for each such client, before conntrack sees its
 * first datagram:
 *   - a slot s per CHILD SA, kept across rekeys (keyed by reqid);
 *   - its policies carry mark 0x06a50000|s, so that identical selectors
 *     can coexist (the inbound SA carries none: ESP arrives unmarked);
 *   - nftables table `ip charond-l2tp`, built through netlink:
 *     prerouting (raw): a datagram decrypted by the client's SA gets
 *       its mark (for the in policy) and conntrack zone s in the
 *       original direction, so each client has its own entry; plain L2TP
 *       from a client's address is dropped (a marked policy would not
 *       stop it);
 *     prerouting (mangle): the entry keeps the mark, for the flush;
 *     input (nat): the source port becomes 49152+s, so xl2tpd sees a peer
 *       per client, and conntrack maps its answers back to 1701;
 *     output (route): an answer to address:49152+s gets the client's
 *       mark, which picks the client's out policy and SA; other L2TP to a
 *       client's address is dropped rather than sent in the clear.
 *   - when the last CHILD SA of the slot goes (DELETE, DPD, a client
 *     that vanished), its map entries go and its conntrack entries are
 *     flushed by mark: nothing is left behind.
 * This applies to a server's connection (remote_addrs %any or a
 * subnet) over IPv4. A client's connection names its server; it has one
 * SA per server and needs none of it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clients.h"
#include "ct.h"
#include "neighbour.h"
#include "nft.h"
#include "plugin.h"

#define NAME "l2tp"

static const struct charond_api *api;

/* How often the table is looked for while there are clients: a
 * firewall reload that flushes the ruleset takes it away. */
#define WATCH_MS 10000u

struct l2tp {
	struct l2tp_clients clients;
	struct l2tp_nft *nft;
	bool table_up;
	uint64_t watch; /* the timer, 0 when none */
};

/* A server accepts clients from anywhere; a client names its server
 * (the core's view decides, as it does for the client's selectors). */
static bool
server_conn(const char *conn)
{
	struct charond_conn_view v;

	memset(&v, 0, sizeof(v));
	v.size = sizeof(v);
	return conn != NULL && api->conn(conn, &v) == 0 && !v.remote_hosts_only;
}

static uint32_t
addr_of(const struct ike_endpoint *ep)
{
	return ((const struct sockaddr_in *)&ep->ss)->sin_addr.s_addr;
}

static const char *
addr_text(uint32_t a, char *buf, size_t len)
{
	return inet_ntop(AF_INET, &a, buf, (socklen_t)len);
}

static void
set_marks(struct ike_child_install *ci, const struct l2tp_client *c)
{
	ci->mark_in = ci->mark_out = l2tp_mark(c->slot);
	ci->mark_in_mask = ci->mark_out_mask = 0xffffffffu;
}

static int
table_ready(struct l2tp *st, char *why, size_t why_len)
{
	if (st->table_up)
		return 0;
	if (st->nft == NULL) {
		st->nft = l2tp_nft_open(why, why_len);
		if (st->nft == NULL)
			return -1;
	}
	if (l2tp_nft_create(st->nft, why, why_len) < 0)
		return -1;
	st->table_up = true;
	api->log(IKE_LOG_INFO, NAME,
		 "nftables table ip %s set up: L2TP clients behind one NAT "
		 "are kept apart",
		 L2TP_NFT_TABLE);
	return 0;
}

struct readd {
	struct l2tp *st;
	const struct l2tp_client *skip;
	char *why;
	size_t why_len;
};

static int
readd_one(void *ctx, const struct l2tp_client *c)
{
	struct readd *r = ctx;

	if (c == r->skip)
		return 0;
	/* Adding an address that is there already is no error. */
	return l2tp_nft_client(r->st->nft, c, 1, 1, r->why, r->why_len);
}

/*
 * The table vanished under us (`nft flush ruleset`, a firewall reload):
 * it is made again with every client in it, so that a firewall restart
 * costs the clients behind one NAT nothing.
 */
static int
table_again(struct l2tp *st, const struct l2tp_client *skip, char *why,
	    size_t why_len)
{
	struct readd r = {st, skip, why, why_len};

	api->log(IKE_LOG_WARN, NAME,
		 "nftables table ip %s was removed (a firewall reload that "
		 "flushes the ruleset?): making it again",
		 L2TP_NFT_TABLE);
	st->table_up = false;
	if (table_ready(st, why, why_len) < 0)
		return -1;
	return l2tp_clients_each(&st->clients, readd_one, &r);
}

static void watch_arm(struct l2tp *st);

static void
watch_tick(void *arg, uint64_t now)
{
	struct l2tp *st = arg;
	char why[160];
	int there;

	st->watch = 0;
	if (!st->table_up || st->clients.n == 0)
		return;
	there = l2tp_nft_exists(st->nft, why, sizeof(why));
	if (there == 0 && table_again(st, NULL, why, sizeof(why)) < 0)
		api->log(IKE_LOG_ERROR, NAME,
			 "nftables table ip %s could not be made again: %s; "
			 "L2TP clients behind one NAT will fail",
			 L2TP_NFT_TABLE, why);
	watch_arm(st);
}

static void
watch_arm(struct l2tp *st)
{
	if (st->watch == 0 && st->clients.n > 0)
		st->watch = api->timer_add(WATCH_MS, watch_tick, st);
}

/* A new client's entries; the table is made again if it went. */
static int
add_client(struct l2tp *st, const struct l2tp_client *c, char *why,
	   size_t why_len)
{
	bool first = !l2tp_clients_addr_used(&st->clients, c->addr, c);

	if (l2tp_nft_client(st->nft, c, 1, first, why, why_len) == 0)
		return 0;
	if (errno != ENOENT || table_again(st, c, why, why_len) < 0)
		return -1;
	return l2tp_nft_client(st->nft, c, 1, first, why, why_len);
}

static int
install(struct l2tp *st, struct ike_child_install *ci, char *why,
	size_t why_len)
{
	struct l2tp_client *c;
	char a[INET_ADDRSTRLEN];
	bool made;

	if (table_ready(st, why, why_len) < 0)
		return -1;
	c = l2tp_clients_get(&st->clients, ci->reqid, addr_of(&ci->remote),
			     &made);
	if (c == NULL) {
		snprintf(why, why_len,
			 "no room for another L2TP client (at most %u at once)",
			 L2TP_MAX_CLIENTS);
		return -1;
	}
	if (made && add_client(st, c, why, why_len) < 0) {
		l2tp_clients_drop(&st->clients, c);
		return -1;
	}
	if (l2tp_client_add_spi(c, ci->spi_in) < 0) {
		snprintf(why, why_len, "more than %u CHILD SAs share reqid %u",
			 L2TP_MAX_SPIS, ci->reqid);
		return -1;
	}
	set_marks(ci, c);
	watch_arm(st);
	if (made)
		api->log(IKE_LOG_INFO, NAME,
			 "L2TP client %s (CHILD SA %s of '%s', reqid %u) is "
			 "%s:%u to xl2tpd, mark 0x%08x, conntrack zone %u",
			 addr_text(c->addr, a, sizeof(a)), ci->child, ci->conn,
			 ci->reqid, a, l2tp_port(c->slot), l2tp_mark(c->slot),
			 c->slot);
	return 0;
}

/* The client's last CHILD SA went: its netfilter state goes too. */
static void
release(struct l2tp *st, struct l2tp_client *c)
{
	char why[160], a[INET_ADDRSTRLEN];
	uint32_t mark = l2tp_mark(c->slot);

	addr_text(c->addr, a, sizeof(a));
	/* ENOENT: the table went (a flushed ruleset), and the entries
	 * with it. */
	if (st->table_up &&
	    l2tp_nft_client(st->nft, c, 0,
			    !l2tp_clients_addr_used(&st->clients, c->addr, c),
			    why, sizeof(why)) < 0 &&
	    errno != ENOENT)
		api->log(IKE_LOG_WARN, NAME,
			 "L2TP client %s: its nftables entries stay: %s", a,
			 why);
	if (l2tp_ct_flush_mark(mark, why, sizeof(why)) < 0)
		api->log(IKE_LOG_WARN, NAME,
			 "L2TP client %s: conntrack entries with mark 0x%08x "
			 "stay: %s",
			 a, mark, why);
	api->log(IKE_LOG_INFO, NAME,
		 "L2TP client %s (reqid %u) gone: mark 0x%08x, its nftables "
		 "entries and conntrack entries removed",
		 a, c->reqid, mark);
	l2tp_clients_drop(&st->clients, c);
}

static void
removal(struct l2tp *st, struct ike_child_install *ci)
{
	struct l2tp_client *c = l2tp_clients_find(&st->clients, ci->reqid);

	if (c == NULL)
		return;
	set_marks(ci, c);
	/* An SPI it never installed (one allocated for a negotiation that
	 * failed) is not among its SPIs and leaves the count as it is. */
	if (l2tp_client_del_spi(c, ci->spi_in) == 0)
		release(st, c);
}

/* A NAT mapping changed: the client's address in the maps follows. */
static int
moved(struct l2tp *st, struct ike_child_install *ci, char *why, size_t why_len)
{
	struct l2tp_client *c = l2tp_clients_find(&st->clients, ci->reqid);
	uint32_t to = addr_of(&ci->remote);

	if (c == NULL)
		return 0;
	set_marks(ci, c);
	if (c->addr == to || !st->table_up)
		return 0;
	if (l2tp_nft_client(st->nft, c, 0,
			    !l2tp_clients_addr_used(&st->clients, c->addr, c),
			    why, why_len) < 0)
		return -1;
	c->addr = to;
	return l2tp_nft_client(st->nft, c, 1,
			       !l2tp_clients_addr_used(&st->clients, to, c),
			       why, why_len);
}

static int
l2tp_filter(void *state, enum charond_filter_op op,
	    const struct charond_child_view *child,
	    struct ike_child_install *ci, char *why, size_t why_len)
{
	struct l2tp *st = state;
	bool known;

	/* Trap policies stay unmarked: a client's first datagram, which
	 * starts the SA, carries no mark. IPv6 clients have addresses of
	 * their own. */
	if (op == CHAROND_FILTER_TRAP || ci->remote.ss.ss_family != AF_INET)
		return 0;
	/* A known client by its reqid, whatever the view says: a reload
	 * that removed its connection leaves a view without `l2tp`, and
	 * its SAs must still be found (marks) and its entries dropped. */
	known = l2tp_clients_find(&st->clients, ci->reqid) != NULL;
	if (!known && (!child->l2tp || !server_conn(ci->conn)))
		return 0;
	switch (op) {
	case CHAROND_FILTER_INSTALL:
		return install(st, ci, why, why_len);
	case CHAROND_FILTER_REMOVE:
		removal(st, ci);
		return 0;
	case CHAROND_FILTER_MOVE:
		return moved(st, ci, why, why_len);
	case CHAROND_FILTER_TRAP:
		break;
	}
	return 0;
}

static const struct charond_child_filter l2tp_child_filter = {
    .name = NAME,
    .filter = l2tp_filter,
};

static int
l2tp_init(const struct charond_api *a, void **state, char *why, size_t why_len)
{
	struct l2tp *st = calloc(1, sizeof(*st));
	char err[160];

	if (st == NULL) {
		snprintf(why, why_len, "out of memory");
		return -1;
	}
	api = a;
	l2tp_clients_init(&st->clients);
	if (a->add_child_filter(&l2tp_child_filter, st) < 0) {
		snprintf(why, why_len, "cannot register its child filter");
		free(st);
		return -1;
	}
	/* A daemon that died may have left its table: its drops and marks
	 * would outlive the SAs they were for. */
	st->nft = l2tp_nft_open(err, sizeof(err));
	if (st->nft == NULL || l2tp_nft_delete(st->nft, err, sizeof(err)) < 0)
		a->log(IKE_LOG_WARN, NAME,
		       "%s: several L2TP clients behind one NAT will fail",
		       err);
	*state = st;
	return 0;
}

static void
l2tp_fini(void *state)
{
	struct l2tp *st = state;
	char why[160];

	if (st == NULL)
		return;
	if (st->watch)
		api->timer_cancel(st->watch);
	if (st->table_up && l2tp_nft_delete(st->nft, why, sizeof(why)) < 0)
		api->log(IKE_LOG_WARN, NAME, "table ip %s stays: %s",
			 L2TP_NFT_TABLE, why);
	l2tp_nft_close(st->nft);
	l2tp_clients_clear(&st->clients);
	free(st);
}

/* --- the config check: xl2tpd beside us ---------------------------------- */

struct first_l2tp {
	const struct charond_check *ck;
	char conn[128], child[128];
};

static void
neighbour_report(void *ctx, const char *msg)
{
	const struct first_l2tp *f = ctx;

	f->ck->report(f->ck, CHAROND_WARNING, f->conn, f->child, "l2tp", "%s",
		      msg);
}

/* The first child with l2tp: true, where the warnings are printed: one
 * line per problem, however many L2TP children there are. */
static bool
find_l2tp_child(const struct charond_check *ck, struct first_l2tp *f)
{
	struct charond_conn_view cv;
	struct charond_child_view chv;
	size_t i, j;

	for (i = 0;; i++) {
		memset(&cv, 0, sizeof(cv));
		cv.size = sizeof(cv);
		if (ck->conn_at(ck, i, &cv) < 0)
			return false;
		for (j = 0; j < cv.n_children; j++) {
			memset(&chv, 0, sizeof(chv));
			chv.size = sizeof(chv);
			if (ck->child(ck, cv.name, cv.children[j], &chv) < 0 ||
			    !chv.l2tp)
				continue;
			snprintf(f->conn, sizeof(f->conn), "%s", cv.name);
			snprintf(f->child, sizeof(f->child), "%s",
				 cv.children[j]);
			return true;
		}
	}
}

/* Warnings only: xl2tpd may well start after us. A look that failed is
 * one warning too, never a refused configuration. */
static int
l2tp_check(const struct charond_check *ck)
{
	static const struct l2tp_neighbour_paths paths = {
	    .proc = "/proc",
	    .xl2tpd_conf = "/etc/xl2tpd/xl2tpd.conf",
	};
	struct first_l2tp f = {.ck = ck};

	if (find_l2tp_child(ck, &f))
		(void)l2tp_neighbour_check(&paths, neighbour_report, &f);
	return 0;
}

const struct charond_plugin charond_plugin = {
    .abi = CHAROND_PLUGIN_ABI,
    .name = NAME,
    .version = "1.0",
    .provides = "l2tp",
    .requires = "",
    .keys = NULL,
    .init = l2tp_init,
    .fini = l2tp_fini,
    .check = l2tp_check,
};
