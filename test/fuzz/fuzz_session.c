/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer target for whole IKEv2 sessions: two engines (moon and sun)
 * with seeded random sources run a real IKE_SA_INIT, then the input is a
 * program of operations on their fake network, clock, kernel and control
 * interface. The key operation forges an SK-protected message with the
 * sender's real outbound keys, so the victim's ICV check passes and the
 * fuzzer's payload chain reaches the decoders and the IKE_AUTH,
 * CREATE_CHILD_SA and INFORMATIONAL code of either role.
 *
 * Input: one configuration byte, then operations (see run_op). Everything
 * is deterministic: a crash input replays exactly; FUZZ_LOG=1 in the
 * environment prints both engines' logs and the operations.
 *
 * Invariants (abort() on violation, besides the sanitizers): the kernel
 * gets no install with a zero SPI, none of an SPI it did not allocate, and
 * none on an IKE SA before the engine reported that SA's peer
 * authenticated (IKE_UP, or a rekey of an SA that was up); nothing is
 * removed twice or without having been allocated; an IKE SA that came
 * up ends once (IKE_DOWN, or replaced by a rekey); and once everything is
 * terminated and the clock has run far ahead, no IKE SA is left, every
 * one that came up has ended, every installed CHILD SA has been removed,
 * and every allocated SPI released.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../conn_room.h"
#include "ike_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_Q    16
#define MAX_DG   8192
#define MAX_KSPI 64
#define MAX_UP   1024
#define MAX_OPS  256

struct dgram {
	bool busy; /* queued */
	int to;    /* host index */
	size_t len;
	uint8_t data[MAX_DG];
};

enum kstate { K_ALLOC, K_INSTALLED, K_GONE };

struct kspi {
	uint32_t spi_in, spi_out;
	enum kstate state;
};

struct fhost {
	const char *name;
	struct ike_engine *e;
	struct ike_endpoint addr;
	uint64_t seed;
	uint32_t next_spi;
	struct kspi k[MAX_KSPI];
	unsigned nk;
	struct {
		unsigned id; /* an IKE SA whose peer is authenticated */
		bool ended;  /* it went down, or a rekey replaced it */
	} up[MAX_UP];
	unsigned n_up;
	bool fail_spi, fail_install; /* the kernel refuses the next one */
};

static struct fhost hosts[2];
static struct dgram pool[MAX_Q];
static struct dgram *queue[MAX_Q]; /* oldest first */
static unsigned q_len;
static uint64_t now;
static bool verbose;
static uint8_t pkt[IKEV2_MAX_MSG_LEN];

static void
violation(const struct fhost *h, const char *what, uint32_t v)
{
	fprintf(stderr, "fuzz_session: %s: %s (%08x)\n", h->name, what, v);
	abort();
}

static void vlog(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
vlog(const char *fmt, ...)
{
	va_list ap;

	if (!verbose)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* --- the fake network ------------------------------------------------- */

static void
net_send(void *ctx, const struct ike_endpoint *l, const struct ike_endpoint *r,
	 const uint8_t *p, size_t len)
{
	struct fhost *h = ctx;
	unsigned i;

	vlog("  %s sends %zu bytes", h->name, len);
	if (q_len == MAX_Q || len > MAX_DG)
		return; /* lost */
	for (i = 0; pool[i].busy; i++)
		;
	pool[i].busy = true;
	pool[i].to = h == &hosts[0];
	pool[i].len = len;
	memcpy(pool[i].data, p, len);
	queue[q_len++] = &pool[i];
}

static void
q_remove(unsigned i)
{
	queue[i]->busy = false;
	memmove(queue + i, queue + i + 1, (q_len - i - 1) * sizeof(queue[0]));
	q_len--;
}

static void
q_clear(void)
{
	while (q_len)
		q_remove(q_len - 1);
}

static void
inject(int to, const uint8_t *p, size_t len)
{
	struct fhost *h = &hosts[to];

	ike_input(h->e, now, &h->addr, &hosts[!to].addr, p, len);
}

/* Deliver queue entry i (taking it off the queue first: the receiver may
 * queue more). */
static void
deliver(unsigned i)
{
	static uint8_t d[MAX_DG];
	size_t len = queue[i]->len;
	int to = queue[i]->to;

	memcpy(d, queue[i]->data, len);
	q_remove(i);
	vlog("deliver %zu bytes to %s", len, hosts[to].name);
	inject(to, d, len);
}

static void
pump(unsigned max)
{
	while (q_len && max--)
		deliver(0);
}

static void
tick_both(void)
{
	ike_tick(hosts[0].e, now);
	ike_tick(hosts[1].e, now);
}

static uint64_t
next_deadline(void)
{
	uint64_t a = ike_next_deadline(hosts[0].e);
	uint64_t b = ike_next_deadline(hosts[1].e);

	return a < b ? a : b;
}

/* --- the fake kernel -------------------------------------------------- */

static struct kspi *
kspi_find(struct fhost *h, uint32_t spi)
{
	unsigned i;

	for (i = 0; i < h->nk; i++)
		if (h->k[i].spi_in == spi)
			return &h->k[i];
	return NULL;
}

static int
k_spi_alloc(void *ctx, const struct ike_endpoint *l,
	    const struct ike_endpoint *r, uint32_t reqid, uint32_t *spi)
{
	struct fhost *h = ctx;

	if (h->fail_spi || h->nk == MAX_KSPI) {
		h->fail_spi = false;
		return -1;
	}
	*spi = h->next_spi++;
	h->k[h->nk].spi_in = *spi;
	h->k[h->nk].spi_out = 0;
	h->k[h->nk].state = K_ALLOC;
	h->nk++;
	return 0;
}

static int
up_index(const struct fhost *h, unsigned ike_id)
{
	unsigned i;

	for (i = 0; i < h->n_up; i++)
		if (h->up[i].id == ike_id)
			return (int)i;
	return -1;
}

static bool
is_up(const struct fhost *h, unsigned ike_id)
{
	return up_index(h, ike_id) >= 0;
}

/* An IKE SA that was up ends once: down, or replaced by a rekey. */
static void
up_ends(struct fhost *h, unsigned ike_id, const char *what)
{
	int i = up_index(h, ike_id);

	if (i < 0 || h->up[i].ended)
		violation(h, what, ike_id);
	h->up[i].ended = true;
}

static int
k_install(void *ctx, const struct ike_child_install *ci)
{
	struct fhost *h = ctx;
	struct kspi *k;
	unsigned i;

	vlog("  %s installs %08x/%08x on IKE SA #%u", h->name, ci->spi_in,
	     ci->spi_out, ci->ike_id);
	if (!ci->spi_in || !ci->spi_out)
		violation(h, "install with a zero SPI",
			  ci->spi_in ? ci->spi_out : ci->spi_in);
	if (!is_up(h, ci->ike_id))
		violation(h, "install before the peer is authenticated",
			  ci->spi_in);
	k = kspi_find(h, ci->spi_in);
	if (!k || k->state != K_ALLOC)
		violation(h, "install of an SPI not allocated (or twice)",
			  ci->spi_in);
	if (!ci->encr_in || !ci->encr_out || ci->encr_in->len == 0 ||
	    ci->encr_in->len != ci->encr_out->len)
		violation(h, "install without matching keys", ci->spi_in);
	if (h->fail_install) {
		h->fail_install = false;
		return -1;
	}
	/* Like XFRM: one outbound SA per SPI (and destination). */
	for (i = 0; i < h->nk; i++)
		if (h->k[i].state == K_INSTALLED &&
		    h->k[i].spi_out == ci->spi_out)
			return -1;
	k->spi_out = ci->spi_out;
	k->state = K_INSTALLED;
	return 0;
}

static void
k_remove(void *ctx, const struct ike_child_install *ci)
{
	struct fhost *h = ctx;
	struct kspi *k = kspi_find(h, ci->spi_in);

	vlog("  %s removes %08x/%08x", h->name, ci->spi_in, ci->spi_out);
	if (!k || k->state == K_GONE)
		violation(h, "removal of an SPI not held (or twice)",
			  ci->spi_in);
	if (k->state == K_INSTALLED && k->spi_out != ci->spi_out)
		violation(h, "removal with another outbound SPI", ci->spi_in);
	k->state = K_GONE;
}

/* --- authentication, events, logs -------------------------------------- */

static uint8_t psk_key[] = "fuzz-session";
static struct secret psk = {psk_key, sizeof(psk_key) - 1};

static int
auth_sign(void *ctx, const struct ike_auth_req *r, uint8_t *method,
	  uint8_t *out, size_t *len)
{
	*method = IKEV2_AUTH_SHARED_KEY_MIC;
	return ike_psk_auth(r->prf, &psk, r->octets, out, len);
}

/* AUTH data that proves a forged message's sender: what a peer that
 * holds the credentials can send, without the fuzzer computing a MAC over
 * the IKE_SA_INIT messages. */
static const char forged_auth[] = "fuzz-authenticated";

static int
auth_verify(void *ctx, const struct ike_auth_req *r, uint8_t method,
	    struct bytes data, char *why, size_t why_len)
{
	if (data.len == sizeof(forged_auth) - 1 &&
	    memcmp(data.ptr, forged_auth, data.len) == 0)
		return 0;
	if (method != IKEV2_AUTH_SHARED_KEY_MIC ||
	    !ike_psk_verify(r->prf, &psk, r->octets, data)) {
		snprintf(why, why_len, "bad AUTH");
		return -1;
	}
	return 0;
}

static void
on_event(void *ctx, const struct ike_event *ev)
{
	struct fhost *h = ctx;

	vlog("  %s event %d IKE SA #%u child %u (old %u)", h->name, ev->type,
	     ev->ike_id, ev->child_id, ev->old_id);
	switch (ev->type) {
	case IKE_EV_IKE_REKEYED:
		up_ends(h, ev->old_id,
			"IKE SA rekey of an SA never up, or ended (IKE SA id)");
		/* fall through */
	case IKE_EV_IKE_UP:
		if (is_up(h, ev->ike_id))
			violation(h, "IKE SA up twice (IKE SA id)", ev->ike_id);
		if (h->n_up == MAX_UP)
			violation(h, "too many IKE SAs for the harness", 0);
		h->up[h->n_up].id = ev->ike_id;
		h->up[h->n_up].ended = false;
		h->n_up++;
		break;
	case IKE_EV_IKE_DOWN:
		up_ends(h, ev->ike_id,
			"IKE SA down that was never up, or twice (IKE SA id)");
		break;
	case IKE_EV_CHILD_UP:
	case IKE_EV_CHILD_REKEYED:
		if (!is_up(h, ev->ike_id))
			violation(h, "CHILD SA up on an SA never up", 0);
		break;
	default:
		break;
	}
}

static void
on_log(void *ctx, enum ike_log_level level, const char *conn, unsigned id,
       const char *msg)
{
	struct fhost *h = ctx;

	if (verbose)
		fprintf(stderr, "  [%s %s#%u] %s\n", h->name, conn ? conn : "-",
			id, msg);
}

/* splitmix64, seeded per host and run: a crash input replays exactly. */
static int
seeded(void *ctx, uint8_t *out, size_t len)
{
	struct fhost *h = ctx;
	size_t i;

	for (i = 0; i < len; i++) {
		uint64_t z = (h->seed += 0x9e3779b97f4a7c15ULL);

		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
		out[i] = (uint8_t)(z ^ (z >> 31));
	}
	return 0;
}

/* --- configuration ------------------------------------------------------ */

static const char *const ike_suites[] = {
    "aes128gcm16-prfsha256-curve25519",
    "aes128-sha256-curve25519",
    "chacha20poly1305-prfsha256-curve25519",
    "aes256-sha384-prfsha384-ecp256",
};

static void
endpoint(struct ike_endpoint *ep, const char *ip)
{
	struct sockaddr_in *a = (struct sockaddr_in *)&ep->ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ep->ss;

	memset(ep, 0, sizeof(*ep));
	if (strchr(ip, ':')) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons(500);
		inet_pton(AF_INET6, ip, &a6->sin6_addr);
	} else {
		a->sin_family = AF_INET;
		a->sin_port = htons(500);
		inet_pton(AF_INET, ip, &a->sin_addr);
	}
}

static void
need(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_session: setup: %s\n", what);
		abort();
	}
}

static void
proposal(struct proposal *p, const char *kw, uint8_t proto)
{
	char err[128];

	need(prop_parse(kw, proto, p, err, sizeof(err)) == 0, kw);
}

static void
subnet(struct ike_ts_cfg *t, const char *from, const char *to)
{
	memset(t, 0, sizeof(*t));
	t->ts.type = IKEV2_TS_IPV4_ADDR_RANGE;
	t->ts.eport = 65535;
	inet_pton(AF_INET, from, t->ts.saddr);
	inet_pton(AF_INET, to, t->ts.eaddr);
}

/* The connection "site" of host i; cfg is the input's first byte:
 * bits 0-1 the IKE suite, bit 2 sun takes any peer identity, bit 3 a
 * short IKE SA rekey interval, bit 4 identities are addresses (and any
 * peer's is taken), bit 5 IPv6 endpoints, bit 6 sun has a second
 * connection "roam" for any address and the identity "mallory".
 * Children: "net" (tunnel 10.1/16 <-> 10.2/16, started with the IKE SA),
 * "pfs" (transport, CBC with ESN and a key exchange) and "web" (tunnel,
 * TCP 80 and 443 only). */
static void
conn_of(struct ike_conn_cfg *c, int i, uint8_t cfg)
{
	const struct fhost *self = &hosts[i], *peer = &hosts[!i];
	const char *l = i ? "10.2.0.0" : "10.1.0.0";
	const char *le = i ? "10.2.255.255" : "10.1.255.255";
	const char *r = i ? "10.1.0.0" : "10.2.0.0";
	const char *re = i ? "10.1.255.255" : "10.2.255.255";
	struct ike_child_cfg *ch;

	memset(c, 0, sizeof(*c));
	conn_room(c);
	snprintf(c->name, sizeof(c->name), "site");
	c->local = self->addr;
	c->remote = peer->addr;
	c->n_proposals = 2;
	proposal(&c->proposals[0], ike_suites[cfg & 3], IKEV2_PROTO_IKE);
	proposal(&c->proposals[1], "aes128gcm16-prfsha256-ecp256",
		 IKEV2_PROTO_IKE);
	if (!(cfg & 16)) {
		c->local_id.type = IKEV2_ID_FQDN;
		c->local_id.len = strlen(self->name);
		c->local_id.data = (const uint8_t *)self->name;
	}
	if (!(i && (cfg & 4)) && !(cfg & 16)) {
		c->remote_id.type = IKEV2_ID_FQDN;
		c->remote_id.len = strlen(peer->name);
		c->remote_id.data = (const uint8_t *)peer->name;
	}
	c->keyingtries = 2;
	c->rekey_ms = cfg & 8 ? 600000 : 4 * 3600000;
	c->n_children = 3;

	ch = &c->children[0];
	snprintf(ch->name, sizeof(ch->name), "net");
	ch->n_proposals = 1;
	proposal(&ch->proposals[0], "aes128gcm16", IKEV2_PROTO_ESP);
	ch->n_local_ts = ch->n_remote_ts = 1;
	subnet(&ch->local_ts[0], l, le);
	subnet(&ch->remote_ts[0], r, re);
	ch->start = true;
	ch->rekey_ms = 1200000;

	ch = &c->children[1];
	snprintf(ch->name, sizeof(ch->name), "pfs");
	ch->transport = true;
	ch->n_proposals = 2;
	proposal(&ch->proposals[0], "aes128-sha256-esn-curve25519",
		 IKEV2_PROTO_ESP);
	proposal(&ch->proposals[1], "aes256gcm16-ecp256", IKEV2_PROTO_ESP);
	ch->rekey_ms = 900000;

	ch = &c->children[2];
	snprintf(ch->name, sizeof(ch->name), "web");
	ch->n_proposals = 1;
	proposal(&ch->proposals[0], "aes256gcm16-noesn", IKEV2_PROTO_ESP);
	ch->n_local_ts = ch->n_remote_ts = 2;
	subnet(&ch->local_ts[0], l, le);
	subnet(&ch->local_ts[1], l, le);
	ch->local_ts[0].ts.proto = ch->local_ts[1].ts.proto = 6;
	ch->local_ts[0].ts.sport = ch->local_ts[0].ts.eport = 80;
	ch->local_ts[1].ts.sport = ch->local_ts[1].ts.eport = 443;
	subnet(&ch->remote_ts[0], r, re);
	ch->remote_ts[1].dynamic = true;
}

static void
host_init(int i, uint8_t cfg)
{
	struct fhost *h = &hosts[i];

	memset(h, 0, sizeof(*h));
	h->name = i ? "sun.example.org" : "moon.example.org";
	if (cfg & 32)
		endpoint(&h->addr, i ? "2001:db8::2" : "2001:db8::1");
	else
		endpoint(&h->addr, i ? "192.0.2.2" : "192.0.2.1");
	h->seed = i ? 0x5eed5 : 0x5eed;
	h->next_spi = i ? 0xc2000001 : 0xc1000001;
}

static void
host_setup(int i, uint8_t cfg)
{
	static struct ike_conn_cfg c[2];
	struct fhost *h = &hosts[i];
	size_t n = 1;
	struct ike_env env = {
	    .ctx = h,
	    .send = net_send,
	    .spi_alloc = k_spi_alloc,
	    .child_install = k_install,
	    .child_remove = k_remove,
	    .auth_sign = auth_sign,
	    .auth_verify = auth_verify,
	    .random = seeded,
	    .log = on_log,
	    .event = on_event,
	};

	h->e = ike_engine_new(&env);
	need(h->e != NULL, "engine");
	conn_of(&c[0], i, cfg);
	if (i && (cfg & 64)) {
		c[1] = c[0];
		snprintf(c[1].name, sizeof(c[1].name), "roam");
		memset(&c[1].remote, 0, sizeof(c[1].remote));
		c[1].remote_id.type = IKEV2_ID_FQDN;
		c[1].remote_id.len = 7;
		c[1].remote_id.data = (const uint8_t *)"mallory";
		c[1].n_children = 1;
		n = 2;
	}
	need(ike_engine_set_conns(h->e, c, n, now) == 0, "connection");
}

/* --- the input's operations ---------------------------------------------- */

struct in {
	const uint8_t *p;
	size_t left;
};

static uint8_t
get8(struct in *in)
{
	if (!in->left)
		return 0;
	in->left--;
	return *in->p++;
}

static uint16_t
get16(struct in *in)
{
	uint16_t hi = get8(in);

	return (uint16_t)(hi << 8 | get8(in));
}

static uint32_t
get32(struct in *in)
{
	uint32_t hi = get16(in);

	return hi << 16 | get16(in);
}

/* The n-th (modulo their number) IKE SA of host h that has keys. */
static struct ike_sa *
keyed_sa(struct fhost *h, unsigned n)
{
	struct ike_sa *sa;
	unsigned count = 0;

	for (sa = h->e->sas; sa; sa = sa->next)
		count += sa->v2.keys.sk_d && sa->state != IKE_SA_DEAD;
	if (!count)
		return NULL;
	n %= count;
	for (sa = h->e->sas; sa; sa = sa->next)
		if (sa->v2.keys.sk_d && sa->state != IKE_SA_DEAD && !n--)
			return sa;
	return NULL;
}

/* The n-th (modulo) IKE SA of host h, whatever its state. */
static struct ike_sa *
any_sa(struct fhost *h, unsigned n)
{
	struct ike_sa *sa;
	unsigned count = 0;

	for (sa = h->e->sas; sa; sa = sa->next)
		count++;
	if (!count)
		return NULL;
	n %= count;
	for (sa = h->e->sas; sa && n; sa = sa->next)
		n--;
	return sa;
}

static struct child_sa *
nth_child(struct ike_sa *sa, unsigned n)
{
	struct child_sa *c;
	unsigned count = 0;

	for (c = sa->children; c; c = c->next)
		count++;
	if (!count)
		return NULL;
	n %= count;
	for (c = sa->children; c && n; c = c->next)
		n--;
	return c;
}

/* The peer's SA of the pair that sa (of host `from`) belongs to. */
static struct ike_sa *
peer_sa(int from, const struct ike_sa *sa)
{
	struct ike_sa *p =
	    sa_by_ours(hosts[!from].e, sa->initiator ? sa->spi_r : sa->spi_i);

	return p && p->initiator != sa->initiator ? p : NULL;
}

/* FORGE: a = sender (bit 0), its keyed SA (bits 1-3), response (bit 4),
 * message ID (bits 5-7: 0-3 the one the victim expects, 4 one less, 5 one
 * more, 6 the next 4 input bytes, 7 zero); x = exchange (0xf0 and up:
 * 34 + low nibble, raw; else low 2 bits: 0 what the victim expects, then
 * IKE_AUTH, CREATE_CHILD_SA, INFORMATIONAL); np = the first inner
 * payload; a 16-bit length; that many bytes of inner payload chain. The
 * message is sealed with the sender's outbound keys of that SA. */
static void
op_forge(struct in *in)
{
	uint8_t a = get8(in), x = get8(in), np, mode = a >> 5;
	int from = a & 1;
	bool response = a & 0x10;
	struct ike_sa *sa = keyed_sa(&hosts[from], a >> 1 & 7), *v;
	uint32_t msgid = 0, want;
	uint8_t exchange;
	struct msg_builder b;
	struct ike_hdr h;
	struct sk_keys k;
	size_t len, n;

	if (mode == 6)
		msgid = get32(in);
	np = get8(in);
	n = get16(in);
	if (n > in->left)
		n = in->left;
	in->p += n;
	in->left -= n;
	if (!sa)
		return;
	v = peer_sa(from, sa);
	if (response)
		want = v && v->req.msg ? v->req.msgid : sa->msgid_in - 1;
	else
		want = v ? v->msgid_in : sa->msgid_out;
	if (mode < 4)
		msgid = want;
	else if (mode == 4)
		msgid = want - 1;
	else if (mode == 5)
		msgid = want + 1;
	if (x >= 0xf0)
		exchange = IKEV2_EXCH_IKE_SA_INIT + (x & 0xf);
	else if ((x & 3) == 1)
		exchange = IKEV2_EXCH_IKE_AUTH;
	else if ((x & 3) == 2)
		exchange = IKEV2_EXCH_CREATE_CHILD_SA;
	else if ((x & 3) == 3)
		exchange = IKEV2_EXCH_INFORMATIONAL;
	else if (response && v && v->req.msg)
		exchange = v->req.ops->exchange;
	else if (!response && v && v->state == IKE_SA_CONNECTING &&
		 v->v2.phase == V2_INIT_DONE)
		exchange = IKEV2_EXCH_IKE_AUTH;
	else
		exchange = IKEV2_EXCH_INFORMATIONAL;
	vlog("forge %s %s exchange %u msgid %u np %u, %zu bytes, to %s",
	     hosts[from].name, response ? "response" : "request", exchange,
	     msgid, np, n, hosts[!from].name);
	xchg_hdr(sa, &h, exchange, response, msgid);
	sa_keys_for(hosts[from].e, sa, true, &k);
	msg_build_init(&b, pkt, sizeof(pkt), &h);
	if (sk_begin(&b, &k) < 0)
		return;
	b.w.ptr[b.np_at] = np;
	if (!wbuf_put(&b.w, in->p - n, n) || !(len = sk_end(&b, &k)))
		return;
	inject(!from, pkt, len);
}

/* RESEAL: the oldest queued datagram, decrypted with its sender's keys,
 * its inner payload chain edited, sealed again and delivered: authentic
 * messages of every stage, a little wrong. e = edits (bits 0-2), each a
 * 16-bit position (modulo the chain's length plus one: the last is the
 * first payload type) and an XOR byte; with bit 7 the chain is also cut
 * at the first edit's position. A datagram that is not SK-protected gets
 * the edits in the clear. */
static void
op_reseal(struct in *in)
{
	static struct msg m;
	static uint8_t plain[IKEV2_MAX_MSG_LEN];
	uint8_t e = get8(in), np, x[7];
	uint16_t pos[7];
	unsigned i, edits = e & 7;
	struct ike_err err = {0};
	struct msg_builder b;
	struct ike_sa *sa = NULL;
	struct sk_keys k;
	size_t n = 0, len;
	int from, to;

	for (i = 0; i < edits; i++) {
		pos[i] = get16(in);
		x[i] = get8(in);
	}
	if (!q_len)
		return;
	to = queue[0]->to;
	from = !to;
	if (msg_frame(queue[0]->data, queue[0]->len, &m, &err) == 0 &&
	    m.sk >= 0 && m.pl[m.sk].type == IKEV2_PL_SK)
		sa =
		    sa_by_ours(hosts[from].e, m.hdr.flags & IKEV2_FLAG_INITIATOR
						  ? m.hdr.spi_i
						  : m.hdr.spi_r);
	if (sa && sa->v2.keys.sk_d) {
		sa_keys_for(hosts[from].e, sa, true, &k);
		if (sk_open(&m, &k, plain, sizeof(plain), &err) < 0)
			sa = NULL;
	} else {
		sa = NULL;
	}
	if (!sa) {
		for (i = 0; i < edits; i++)
			queue[0]->data[pos[i] % queue[0]->len] ^= x[i];
		deliver(0);
		return;
	}
	if ((unsigned)m.sk + 1 < m.n)
		n = (size_t)(m.pl[m.n - 1].body.ptr + m.pl[m.n - 1].body.len -
			     plain);
	np = m.sk_np;
	if (edits && (e & 0x80))
		n = pos[0] % (n + 1);
	for (i = 0; i < edits; i++) {
		if (pos[i] % (n + 1) == n)
			np ^= x[i];
		else
			plain[pos[i] % (n + 1)] ^= x[i];
	}
	q_remove(0);
	vlog("reseal %zu bytes of inner payloads, %u edits, to %s", n, edits,
	     hosts[to].name);
	msg_build_init(&b, pkt, sizeof(pkt), &m.hdr);
	if (sk_begin(&b, &k) < 0)
		return;
	b.w.ptr[b.np_at] = np;
	if (!wbuf_put(&b.w, plain, n) || !(len = sk_end(&b, &k)))
		return;
	inject(to, pkt, len);
}

/* RAW: a = sender (bit 0), its SA (bits 1-3), response (bit 4); x =
 * exchange; a 32-bit message ID; a 16-bit length; that many bytes after
 * the header, in the clear. What an on-path attacker without keys can
 * send. */
static void
op_raw(struct in *in)
{
	uint8_t a = get8(in), x = get8(in);
	uint32_t msgid = get32(in);
	int from = a & 1;
	struct ike_sa *sa = any_sa(&hosts[from], a >> 1 & 7);
	struct msg_builder b;
	struct ike_hdr h;
	size_t n = get16(in), len;

	if (n > in->left)
		n = in->left;
	in->p += n;
	in->left -= n;
	if (!sa)
		return;
	xchg_hdr(sa, &h, x, a & 0x10, msgid);
	msg_build_init(&b, pkt, sizeof(pkt), &h);
	if (n)
		b.w.ptr[b.np_at] = in->p[-(long)n];
	if (n > 1)
		wbuf_put(&b.w, in->p - n + 1, n - 1);
	if ((len = msg_build_finish(&b)))
		inject(!from, pkt, len);
}

static void
list_cb(void *ctx, const struct ike_sa_info *sa)
{
	unsigned i;

	for (i = 0; i < sa->n_children; i++)
		if (sa->children[i].installed && !sa->children[i].spi_in)
			abort();
}

/* CMD: a = host (bit 0), command (bits 1-3); b = its SA (low nibble) and
 * child (high nibble), both modulo their number. */
static void
op_cmd(struct in *in)
{
	static const char *const child_names[] = {"net", "pfs", "web", "nope"};
	uint8_t a = get8(in), b = get8(in);
	struct fhost *h = &hosts[a & 1];
	struct ike_sa *sa = any_sa(h, b & 15);
	struct child_sa *c = sa ? nth_child(sa, b >> 4) : NULL;
	unsigned sa_id = sa ? sa->id : 0, c_id = c ? c->id : 0;
	struct ike_stats st;

	vlog("command %u on %s, IKE SA #%u child %u", a >> 1 & 7, h->name,
	     sa_id, c_id);
	switch (a >> 1 & 7) {
	case 0:
		ike_initiate(h->e, now, "site", NULL);
		break;
	case 1:
		ike_initiate(h->e, now, "site", child_names[b >> 4 & 3]);
		break;
	case 2:
		ike_rekey(h->e, now, sa_id);
		break;
	case 3:
		ike_rekey_child(h->e, now, sa_id, c_id);
		break;
	case 4:
		ike_terminate(h->e, now, sa_id);
		break;
	case 5:
		ike_terminate_child(h->e, now, sa_id, c_id);
		break;
	case 6:
		ike_terminate_all(h->e, now);
		break;
	default:
		ike_engine_stats(h->e, &st);
		ike_list_sas(h->e, NULL, list_cb, NULL);
		break;
	}
}

static void
run_op(struct in *in)
{
	uint8_t op = get8(in), a;

	switch (op & 15) {
	case 0: /* deliver the oldest datagram */
	case 1:
	case 2:
		if (q_len)
			deliver(0);
		break;
	case 3: /* deliver the datagram of the next byte (reordering) */
		a = get8(in);
		if (q_len)
			deliver(a % q_len);
		break;
	case 4: /* lose the oldest datagram */
		if (q_len) {
			vlog("drop %zu bytes to %s", queue[0]->len,
			     hosts[queue[0]->to].name);
			q_remove(0);
		}
		break;
	case 5: /* deliver the oldest datagram and keep it (duplicate) */
		if (q_len) {
			vlog("duplicate %zu bytes to %s", queue[0]->len,
			     hosts[queue[0]->to].name);
			inject(queue[0]->to, queue[0]->data, queue[0]->len);
		}
		break;
	case 6: { /* flip byte k of the oldest datagram, deliver it */
		uint16_t pos = get16(in);
		uint8_t x = get8(in);

		if (q_len) {
			queue[0]->data[pos % queue[0]->len] ^= x ? x : 1;
			deliver(0);
		}
		break;
	}
	case 7: /* the clock jumps by a^2 x 100 ms (up to 108 minutes) */
		a = get8(in);
		now += (uint64_t)a * a * 100;
		vlog("clock +%u ms", a * a * 100);
		tick_both();
		break;
	case 8: { /* the clock moves to the next deadline */
		uint64_t t = next_deadline();

		if (t != UINT64_MAX && t > now)
			now = t;
		vlog("clock to %llu", (unsigned long long)now);
		tick_both();
		break;
	}
	case 9:
		op_cmd(in);
		break;
	case 10:
	case 12:
		op_forge(in);
		break;
	case 11:
		op_reseal(in);
		break;
	case 13: /* deliver everything queued */
		pump(MAX_Q * 2);
		break;
	case 14: /* the kernel refuses the next SPI or install on a host */
		a = get8(in);
		if (a & 2)
			hosts[a & 1].fail_install = true;
		else
			hosts[a & 1].fail_spi = true;
		break;
	default:
		op_raw(in);
		break;
	}
}

/* Everything terminated, the clock run far ahead, the engines freed:
 * every installed CHILD SA must be removed by then, once, and every SPI
 * allocated released. */
static void
finish(void)
{
	unsigned round, i, j;
	int h;

	vlog("finish");
	for (round = 0; round < 3; round++) {
		ike_terminate_all(hosts[0].e, now);
		ike_terminate_all(hosts[1].e, now);
		pump(MAX_Q * 2);
		for (i = 0; i < 64; i++) {
			uint64_t t = next_deadline();

			q_clear();
			if (t == UINT64_MAX)
				break;
			now = t > now ? t : now + 1;
			tick_both();
		}
		q_clear();
	}
	for (h = 0; h < 2; h++) {
		struct ike_stats st;

		ike_engine_stats(hosts[h].e, &st);
		if (st.ike_sas || st.half_open)
			violation(&hosts[h],
				  "IKE SAs left after everything was "
				  "terminated (how many)",
				  (uint32_t)st.ike_sas);
		for (j = 0; j < hosts[h].n_up; j++)
			if (!hosts[h].up[j].ended)
				violation(&hosts[h],
					  "IKE SA up never went down (IKE SA "
					  "id)",
					  hosts[h].up[j].id);
		for (j = 0; j < hosts[h].nk; j++)
			if (hosts[h].k[j].state == K_INSTALLED)
				violation(&hosts[h],
					  "CHILD SA still installed after "
					  "everything was terminated",
					  hosts[h].k[j].spi_in);
		ike_engine_free(hosts[h].e);
		for (j = 0; j < hosts[h].nk; j++)
			if (hosts[h].k[j].state != K_GONE)
				violation(&hosts[h],
					  "SPI never released by the engine",
					  hosts[h].k[j].spi_in);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in in = {data, size};
	uint8_t cfg = get8(&in);
	unsigned ops;

	verbose = getenv("FUZZ_LOG") != NULL;
	q_clear();
	now = 1000;
	host_init(0, cfg);
	host_init(1, cfg);
	host_setup(0, cfg);
	host_setup(1, cfg);
	/* A real IKE_SA_INIT: moon's IKE_AUTH request is then queued. */
	ike_initiate(hosts[0].e, now, "site", NULL);
	pump(2);
	for (ops = 0; in.left && ops < MAX_OPS; ops++)
		run_op(&in);
	finish();
	return 0;
}
