/* SPDX-License-Identifier: ISC */
/*
 * The natt plugin: NAT traversal for IKEv2 (RFC 7296 2.23) and
 * UDP-encapsulated ESP (RFC 3948). IKEv1's detection and float (RFC 3947)
 * are natt_v1.c's; the per-SA state, the float, following the peer,
 * keepalives and the child filter below serve both.
 *
 * - Detection: NAT_DETECTION_SOURCE_IP and _DESTINATION_IP in both
 *   IKE_SA_INIT messages (natt_detect.c). `encap: true` sends a source
 *   hash that cannot match, so that the peer believes us behind a NAT and
 *   both ends encapsulate (2.23's faked detection data).
 * - Floating: the initiator that finds a NAT (or forces encapsulation)
 *   moves the IKE SA to UDP 4500 from the IKE_SA_INIT response's input
 *   hook, so IKE_AUTH already goes there with the non-ESP marker; the
 *   responder follows when IKE_AUTH arrives from the new port.
 * - Following the peer: once a NAT is involved, an authenticated message
 *   from another address or port moves the IKE SA there and charond moves
 *   the CHILD SAs in the kernel (XFRM_MSG_MIGRATE); so does the kernel's
 *   XFRM_MSG_MAPPING, which it sends after an authenticated ESP packet
 *   came from a new address or port.
 * - The kernel: the child filter sets UDP_ENCAP_ESPINUDP with the IKE
 *   SA's ports on every CHILD SA of an SA that encapsulates.
 * - Keepalives (RFC 3948 2.3): the end behind a NAT sends one 0xFF byte
 *   every `plugins.natt.keepalive` (20 s) to keep its mapping.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "natt.h"

#define IKE_PORT             500
#define NATT_PORT            4500
#define KEEPALIVE_DEFAULT_MS (20 * 1000)

const struct charond_api *natt_api;
static int slot = -1;

/*
 * The responder learns what the initiator's IKE_SA_INIT says before the
 * SA exists: the input hook keeps it here and the build hook of the
 * answer, which runs next within the same ike_input() and knows the SA,
 * takes it over. Matching the initiator's SPI and address keeps an
 * answer from taking what belonged to another request.
 */
static struct {
	bool valid;
	uint8_t spi_i[IKEV2_SPI_LEN];
	struct ike_endpoint remote;
	struct natd_result natd;
} pending;

static uint64_t
keepalive_ms(void)
{
	struct charond_value v;

	if (natt_api->value(CHAROND_SCOPE_PLUGIN, "natt", NULL, "keepalive",
			    &v) == 0 &&
	    v.set)
		return v.u.ms;
	return KEEPALIVE_DEFAULT_MS;
}

bool
natt_conn_forces(const char *conn)
{
	struct charond_value v;

	return conn &&
	       natt_api->value(CHAROND_SCOPE_CONN, conn, NULL, "encap", &v) ==
		   0 &&
	       v.set && v.u.b;
}

static uint16_t
port_of(const struct ike_endpoint *ep)
{
	if (ep->ss.ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)&ep->ss)->sin_port);
	if (ep->ss.ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)&ep->ss)->sin6_port);
	return 0;
}

static void
set_port(struct ike_endpoint *ep, uint16_t port)
{
	if (ep->ss.ss_family == AF_INET)
		((struct sockaddr_in *)&ep->ss)->sin_port = htons(port);
	else if (ep->ss.ss_family == AF_INET6)
		((struct sockaddr_in6 *)&ep->ss)->sin6_port = htons(port);
}

static bool
same_endpoint(const struct ike_endpoint *a, const struct ike_endpoint *b)
{
	if (a->ss.ss_family != b->ss.ss_family)
		return false;
	if (a->ss.ss_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)&a->ss,
					 *y = (const void *)&b->ss;

		return x->sin_addr.s_addr == y->sin_addr.s_addr &&
		       x->sin_port == y->sin_port;
	}
	if (a->ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const void *)&a->ss,
					  *y = (const void *)&b->ss;

		return memcmp(&x->sin6_addr, &y->sin6_addr, 16) == 0 &&
		       x->sin6_port == y->sin6_port;
	}
	return false;
}

static void
endpoint_text(const struct ike_endpoint *ep, char *buf, size_t len)
{
	char addr[INET6_ADDRSTRLEN] = "?";

	if (ep->ss.ss_family == AF_INET)
		inet_ntop(AF_INET,
			  &((const struct sockaddr_in *)&ep->ss)->sin_addr,
			  addr, sizeof(addr));
	else if (ep->ss.ss_family == AF_INET6)
		inet_ntop(AF_INET6,
			  &((const struct sockaddr_in6 *)&ep->ss)->sin6_addr,
			  addr, sizeof(addr));
	snprintf(buf, len, "%s:%u", addr, port_of(ep));
}

/* --- per-SA state and keepalives ------------------------------------------ */

static void
keepalive_fire(void *arg, uint64_t now)
{
	struct natt_sa *s = arg;
	uint64_t every = keepalive_ms();

	s->keepalive = 0;
	natt_api->send_keepalive(s->ike_id);
	if (every)
		s->keepalive = natt_api->timer_add(every, keepalive_fire, s);
	(void)now;
}

/* Keepalives run while we are behind a NAT (RFC 3948 2.3). */
void
natt_keepalive_update(struct natt_sa *s)
{
	uint64_t every = keepalive_ms();

	if (s->nat_local && every && !s->keepalive)
		s->keepalive = natt_api->timer_add(every, keepalive_fire, s);
	else if (!s->nat_local && s->keepalive) {
		natt_api->timer_cancel(s->keepalive);
		s->keepalive = 0;
	}
}

static void
sa_free(void *data)
{
	struct natt_sa *s = data;

	if (s->keepalive)
		natt_api->timer_cancel(s->keepalive);
	free(s);
}

struct natt_sa *
natt_sa_get(unsigned ike_id)
{
	struct natt_sa *s = natt_api->sa_get(slot, ike_id);

	if (s)
		return s;
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->ike_id = ike_id;
	if (natt_api->sa_set(slot, ike_id, s) < 0) {
		free(s);
		return NULL;
	}
	return s;
}

void
natt_publish(const struct natt_sa *s)
{
	natt_api->sa_nat(s->ike_id, s->nat_local, s->nat_remote);
}

/* --- endpoints ------------------------------------------------------------ */

struct endpoints {
	bool found;
	struct ike_endpoint local, remote;
};

static void
got_endpoints(void *ctx, const struct ike_sa_info *sa)
{
	struct endpoints *e = ctx;

	e->found = true;
	e->local = sa->local;
	e->remote = sa->remote;
}

static int
move_to(unsigned ike_id, const struct ike_endpoint *local,
	const struct ike_endpoint *remote)
{
	struct charond_sa_move mv = {*local, *remote};

	return natt_api->sa_action(ike_id, CHAROND_SA_MOVE, &mv);
}

/* The initiator's float to the NAT-T port once IKE_SA_INIT is done
 * (2.23): from our NAT-T socket, and to the peer's 4500 when it answered
 * on 500 (a peer on another port keeps it). */
void
natt_float(const struct natt_sa *s, const struct ike_msg_view *m)
{
	struct ike_endpoint local = *m->local, remote = *m->remote;
	uint16_t ours = natt_api->port_nat_t();
	char from[80], to[80];

	if (!ours) {
		natt_api->log(IKE_LOG_WARN, "natt",
			      "IKE SA #%u needs UDP encapsulation, but "
			      "daemon.port_nat_t is 0: ESP goes unencapsulated",
			      s->ike_id);
		return;
	}
	set_port(&local, ours);
	if (port_of(&remote) == IKE_PORT)
		set_port(&remote, NATT_PORT);
	endpoint_text(&local, from, sizeof(from));
	endpoint_text(&remote, to, sizeof(to));
	if (move_to(s->ike_id, &local, &remote) < 0)
		natt_api->log(IKE_LOG_WARN, "natt",
			      "IKE SA #%u: could not move to %s - %s",
			      s->ike_id, from, to);
}

void
natt_log_detected(const struct natt_sa *s, const char *conn)
{
	const char *where = s->nat_local && s->nat_remote ? "both ends are"
			    : s->nat_local                ? "we are"
			    : s->nat_remote               ? "the peer is"
							  : NULL;

	if (where)
		natt_api->log(IKE_LOG_INFO, "natt",
			      "'%s' IKE SA #%u: NAT detected, %s behind a NAT: "
			      "UDP encapsulation on port 4500",
			      conn ? conn : "?", s->ike_id, where);
	else if (s->forced)
		natt_api->log(
		    IKE_LOG_INFO, "natt",
		    "'%s' IKE SA #%u: no NAT, UDP encapsulation forced "
		    "(encap: true)",
		    conn ? conn : "?", s->ike_id);
}

/* --- the exchange extension ----------------------------------------------- */

static void
put_natd(const struct natt_sa *s, const struct ike_msg_view *m,
	 struct ike_out *out)
{
	static const uint8_t zero[IKEV2_SPI_LEN];
	const uint8_t *spi_r = m->request ? zero : m->spi_r;
	uint8_t h[NATD_LEN];

	/* A source hash that cannot match makes the peer believe us behind
	 * a NAT, so that both ends encapsulate (2.23). */
	if (s->forced) {
		if (RAND_bytes(h, sizeof(h)) != 1)
			memset(h, 0xa5, sizeof(h));
	} else if (natd_hash(m->spi_i, spi_r, m->local, h) < 0) {
		return;
	}
	ike_out_notify(out, IKEV2_N_NAT_DETECTION_SOURCE_IP, h, sizeof(h));
	if (natd_hash(m->spi_i, spi_r, m->remote, h) == 0)
		ike_out_notify(out, IKEV2_N_NAT_DETECTION_DESTINATION_IP, h,
			       sizeof(h));
}

static void
natt_build(void *state, const struct ike_msg_view *m, struct ike_out *out)
{
	struct natt_sa *s;

	if (m->version == 1) {
		natt_v1_build(m, out);
		return;
	}
	if (m->version != 2 || m->exchange != IKEV2_EXCH_IKE_SA_INIT ||
	    !m->ike_id)
		return;
	if (m->request) {
		s = natt_sa_get(m->ike_id);
		if (!s)
			return;
		s->forced = natt_conn_forces(m->conn);
		put_natd(s, m, out);
		return;
	}
	/* Our answer: what the request said becomes the SA's. */
	if (!pending.valid ||
	    memcmp(pending.spi_i, m->spi_i, IKEV2_SPI_LEN) != 0 ||
	    !same_endpoint(&pending.remote, m->remote))
		return;
	pending.valid = false;
	s = natt_sa_get(m->ike_id);
	if (!s)
		return;
	s->peer_natd = pending.natd.present;
	s->nat_local = pending.natd.nat_local;
	s->nat_remote = pending.natd.nat_remote;
	s->forced = natt_conn_forces(m->conn);
	/* Only to a peer that asked (2.23): others may not know them. */
	if (s->peer_natd)
		put_natd(s, m, out);
	natt_publish(s);
	natt_log_detected(s, m->conn);
	natt_keepalive_update(s);
}

/* An authenticated message from elsewhere than the SA runs: follow it
 * once a NAT is involved (2.23); otherwise the peer has no business
 * changing address (no MOBIKE), and the answer goes back the way the
 * request came anyway (2.11). */
void
natt_follow(struct natt_sa *s, const struct ike_msg_view *m)
{
	struct endpoints cur = {0};

	if (!natt_encap(s))
		return;
	natt_api->sa_query(s->ike_id, got_endpoints, &cur);
	if (!cur.found || (same_endpoint(&cur.local, m->local) &&
			   same_endpoint(&cur.remote, m->remote)))
		return;
	move_to(s->ike_id, m->local, m->remote);
}

static int
natt_input(void *state, const struct ike_msg_view *m, char *why, size_t why_len)
{
	struct natd_result r;
	struct natt_sa *s;

	if (m->version == 1) {
		natt_v1_input(m);
		return 0;
	}
	if (m->version != 2)
		return 0;
	if (m->exchange == IKEV2_EXCH_IKE_SA_INIT && m->request) {
		natd_check(m, &r);
		pending.valid = true;
		memcpy(pending.spi_i, m->spi_i, IKEV2_SPI_LEN);
		pending.remote = *m->remote;
		pending.natd = r;
		return 0;
	}
	if (!m->ike_id || !(s = natt_api->sa_get(slot, m->ike_id)))
		return 0;
	if (m->exchange == IKEV2_EXCH_IKE_SA_INIT) {
		natd_check(m, &r);
		s->peer_natd = r.present;
		s->nat_local = r.nat_local;
		s->nat_remote = r.nat_remote;
		if (s->forced && !r.present)
			natt_api->log(
			    IKE_LOG_WARN, "natt",
			    "'%s' IKE SA #%u: encap: true, but the peer "
			    "sent no NAT detection (no NAT-T): ESP goes "
			    "unencapsulated",
			    m->conn ? m->conn : "?", s->ike_id);
		natt_publish(s);
		natt_log_detected(s, m->conn);
		natt_keepalive_update(s);
		if (natt_encap(s))
			natt_float(s, m);
		return 0;
	}
	natt_follow(s, m);
	return 0;
}

static const struct charond_exchange_ext natt_ext = {
    .name = "natt",
    .build = natt_build,
    .input = natt_input,
};

/* --- SA events and the kernel's mapping events ---------------------------- */

static void
natt_event(void *state, const struct ike_event *ev)
{
	struct natt_sa *old, *s;

	if (ev->type != IKE_EV_IKE_REKEYED)
		return;
	/* The new IKE SA runs where the old one did, through the same NAT. */
	old = natt_api->sa_get(slot, ev->old_id);
	if (!old || !(s = natt_sa_get(ev->ike_id)))
		return;
	s->peer_natd = old->peer_natd;
	s->nat_local = old->nat_local;
	s->nat_remote = old->nat_remote;
	s->forced = old->forced;
	natt_publish(s);
	natt_keepalive_update(s);
}

static void
natt_mapping(void *state, unsigned ike_id, const struct ike_endpoint *remote)
{
	struct natt_sa *s = natt_api->sa_get(slot, ike_id);
	struct endpoints cur = {0};
	char from[80], to[80];

	if (!s || !s->nat_remote)
		return;
	natt_api->sa_query(ike_id, got_endpoints, &cur);
	if (!cur.found || same_endpoint(&cur.remote, remote))
		return;
	endpoint_text(&cur.remote, from, sizeof(from));
	endpoint_text(remote, to, sizeof(to));
	natt_api->log(IKE_LOG_DEBUG, "natt",
		      "IKE SA #%u: the kernel saw the peer's ESP come from %s, "
		      "not %s",
		      ike_id, to, from);
	move_to(ike_id, &cur.local, remote);
}

static const struct charond_sa_listener natt_listener = {
    .event = natt_event,
    .mapping = natt_mapping,
};

/* --- the kernel's view of a CHILD SA -------------------------------------- */

static int
natt_filter(void *state, enum charond_filter_op op,
	    const struct charond_child_view *child,
	    struct ike_child_install *ci, char *why, size_t why_len)
{
	const struct natt_sa *s = natt_api->sa_get(slot, ci->ike_id);

	if (!s || !natt_encap(s))
		return 0;
	if (port_of(&ci->local) == IKE_PORT) {
		/* Not floated (no NAT-T socket): the kernel would take ESP
		 * in UDP on a port where IKE listens without the marker. */
		return 0;
	}
	ci->encap.type = 2; /* UDP_ENCAP_ESPINUDP */
	ci->encap.sport = port_of(&ci->local);
	ci->encap.dport = port_of(&ci->remote);
	return 0;
}

static const struct charond_child_filter natt_child_filter = {
    .name = "natt",
    .filter = natt_filter,
};

/* --- loading -------------------------------------------------------------- */

static int
natt_init(const struct charond_api *a, void **state, char *why, size_t len)
{
	natt_api = a;
	slot = natt_api->sa_slot("natt", sa_free);
	if (slot < 0 || natt_api->add_extension(&natt_ext, NULL) < 0 ||
	    natt_api->add_listener(&natt_listener, NULL) < 0 ||
	    natt_api->add_child_filter(&natt_child_filter, NULL) < 0) {
		snprintf(why, len, "cannot register its hooks");
		return -1;
	}
	*state = NULL;
	return 0;
}

static const struct charond_config_key natt_keys[] = {
    {CHAROND_SCOPE_CONN, "encap", CHAROND_T_BOOL, NULL, 0, 0,
     "force UDP encapsulation of ESP (faked NAT detection, RFC 7296 2.23)"},
    {CHAROND_SCOPE_PLUGIN, "keepalive", CHAROND_T_DURATION, NULL, 0,
     3600 * 1000, "NAT keepalive interval behind a NAT (default 20s; 0: none)"},
    {0, NULL, 0, NULL, 0, 0, NULL},
};

const struct charond_plugin charond_plugin = {
    .abi = CHAROND_PLUGIN_ABI,
    .name = "natt",
    .version = "0.1.0",
    .provides = "natt",
    .requires = "",
    .keys = natt_keys,
    .init = natt_init,
    .fini = NULL,
    .check = NULL,
};
