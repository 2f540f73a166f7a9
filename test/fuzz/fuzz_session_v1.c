/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer target for whole IKEv1 sessions: two engines (moon and sun)
 * with seeded random sources run a real Main Mode (or Aggressive Mode)
 * with a pre-shared key, and a Quick Mode if the configuration byte says
 * so; then the input is a program of operations on their fake network,
 * clock, kernel and control interface. The key operation forges a
 * protected Quick Mode or Informational message with the victim SA's own
 * SKEYID_a and encryption key, under the IV the victim expects (the phase
 * 2 IV of the message ID, or that of a Quick Mode in flight), with a
 * correct HASH(1), HASH(2) or HASH(3): the fuzzer's payload chain after
 * the HASH reaches the decoders and v1_quick.c, v1_info.c and v1_dpd.c in
 * either role. Unprotected phase 1 datagrams (Main and Aggressive Mode
 * message 1, or anything with an SA's cookies) reach v1_input.c,
 * v1_main.c and v1_aggr.c.
 *
 * Input: one configuration byte, then operations (see run_op). Everything
 * is deterministic: a crash input replays exactly; FUZZ_LOG=1 in the
 * environment prints both engines' logs and the operations.
 *
 * Invariants (abort() on violation, besides the sanitizers), as
 * fuzz_session.c's: the kernel gets no install with a zero SPI, none of
 * an SPI it did not allocate, and none on an ISAKMP SA before the engine
 * reported it up; nothing is removed twice or without having been
 * allocated; an SA that came up ends once; and once everything is
 * terminated and the clock has run far ahead, no SA is left, every one
 * that came up has ended, every installed IPsec SA has been removed, and
 * every allocated SPI released.
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
/* Per input, so that a crash input replays: the next fresh message ID of
 * op_forge, the next new initiator cookie of op_raw. */
static uint32_t fresh_mid, fresh_cookie;

static void
violation(const struct fhost *h, const char *what, uint32_t v)
{
	fprintf(stderr, "fuzz_session_v1: %s: %s (%08x)\n", h->name, what, v);
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

static uint8_t psk_key[] = "fuzz-session-v1";
static struct secret psk = {psk_key, sizeof(psk_key) - 1};

/* The psk plugin's part in IKEv1: the method, then SKEYID. */
static int
auth_sign(void *ctx, const struct ike_auth_req *r, uint8_t *method,
	  uint8_t *out, size_t *len)
{
	*method = IKEV1_AUTH_PRE_SHARED_KEY;
	if (r->version == 1 && r->purpose == IKE_AUTH_PURPOSE_V1_METHOD) {
		*len = 0;
		return 0;
	}
	if (r->version != 1 || r->purpose != IKE_AUTH_PURPOSE_V1_SKEYID)
		return -1;
	return ike_psk_v1_skeyid(r->prf, &psk, r->octets, out, len);
}

static int
auth_verify(void *ctx, const struct ike_auth_req *r, uint8_t method,
	    struct bytes data, char *why, size_t why_len)
{
	snprintf(why, why_len, "no signatures here");
	return -1;
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
		/* IKEv1 has no rekey of phase 1: the replacing SA is a phase
		 * 1 of its own, reported up when it was established, and
		 * then as the old one's successor (v1_rekey.c). */
		if (is_up(h, ev->ike_id))
			break;
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
    "aes128-sha256-ecp256",
    "aes256-sha1-curve25519",
    "aes128-sha1-ecp256",
    "aes256-sha384-ecp384",
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
		fprintf(stderr, "fuzz_session_v1: setup: %s\n", what);
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

/* The connection "site" of host i, version 1; cfg is the input's first
 * byte: bits 0-1 the phase 1 suite, bit 2 "net" starts with the ISAKMP
 * SA (a Quick Mode right after Main Mode), bit 3 a short ISAKMP SA
 * lifetime (v1_rekey.c replaces it), bit 4 Aggressive Mode, bit 5 IPv6
 * endpoints, bit 6 sun takes any peer identity, bit 7 the program starts
 * while phase 1 is under way (only its first two messages delivered).
 * Children: "net" (tunnel 10.1/16 <-> 10.2/16; sun's lifetime is shorter,
 * so it answers with RESPONDER-LIFETIME), "pfs" (transport, PFS with
 * ecp256 or modp2048) and "l2tp" (transport, udp/1701 only). */
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
	c->version = 1;
	c->aggressive = cfg & 16;
	c->local = self->addr;
	c->remote = peer->addr;
	c->n_proposals = 2;
	proposal(&c->proposals[0], ike_suites[cfg & 3], IKEV2_PROTO_IKE);
	proposal(&c->proposals[1], "aes128-sha256-ecp256", IKEV2_PROTO_IKE);
	c->local_id.type = IKEV2_ID_FQDN;
	c->local_id.len = strlen(self->name);
	c->local_id.data = (const uint8_t *)self->name;
	if (!(i && (cfg & 64))) {
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
	proposal(&ch->proposals[0], "aes128-sha256", IKEV2_PROTO_ESP);
	ch->n_local_ts = ch->n_remote_ts = 1;
	subnet(&ch->local_ts[0], l, le);
	subnet(&ch->remote_ts[0], r, re);
	ch->start = cfg & 4;
	ch->rekey_ms = i ? 900000 : 1200000;

	ch = &c->children[1];
	snprintf(ch->name, sizeof(ch->name), "pfs");
	ch->transport = true;
	ch->n_proposals = 2;
	proposal(&ch->proposals[0], "aes128-sha256-ecp256", IKEV2_PROTO_ESP);
	proposal(&ch->proposals[1], "aes256-sha1-modp2048", IKEV2_PROTO_ESP);
	ch->rekey_ms = 900000;

	ch = &c->children[2];
	snprintf(ch->name, sizeof(ch->name), "l2tp");
	ch->transport = true;
	ch->n_proposals = 1;
	proposal(&ch->proposals[0], "aes256-sha1", IKEV2_PROTO_ESP);
	ch->n_local_ts = ch->n_remote_ts = 1;
	ch->local_ts[0].dynamic = ch->remote_ts[0].dynamic = true;
	ch->local_ts[0].ts.proto = ch->remote_ts[0].ts.proto = 17;
	ch->local_ts[0].ts.sport = ch->local_ts[0].ts.eport = 1701;
	ch->remote_ts[0].ts.sport = ch->remote_ts[0].ts.eport = 1701;
	ch->rekey_ms = 1800000;
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
	static struct ike_conn_cfg c;
	struct fhost *h = &hosts[i];
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
	conn_of(&c, i, cfg);
	need(ike_engine_set_conns(h->e, &c, 1, now) == 0, "connection");
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

/* The next n bytes of the input (fewer if it ends), skipped. */
static struct bytes
take(struct in *in, size_t n)
{
	struct bytes b;

	if (n > in->left)
		n = in->left;
	b.ptr = in->p;
	b.len = n;
	in->p += n;
	in->left -= n;
	return b;
}

static bool
keyed(const struct ike_sa *sa)
{
	return sa->version == 1 && sa->state != IKE_SA_DEAD &&
	       sa->v1.suite.prf && sa->v1.keys.skeyid_a && sa->v1.keys.enc_key;
}

/* The n-th (modulo their number) IKEv1 SA of host h that has its
 * phase 1 keys. */
static struct ike_sa *
keyed_sa(struct fhost *h, unsigned n)
{
	struct ike_sa *sa;
	unsigned count = 0;

	for (sa = h->e->sas; sa; sa = sa->next)
		count += keyed(sa);
	if (!count)
		return NULL;
	n %= count;
	for (sa = h->e->sas; sa; sa = sa->next)
		if (keyed(sa) && !n--)
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

/* The n-th (modulo) Quick Mode in flight on sa, or NULL. */
static struct v1_qm *
nth_qm(const struct ike_sa *sa, unsigned n)
{
	struct v1_qm *q;
	unsigned count = 0;

	for (q = sa->v1.qm; q; q = q->next)
		count++;
	if (!count)
		return NULL;
	n %= count;
	for (q = sa->v1.qm; q && n; q = q->next)
		n--;
	return q;
}

/* Where the payload chain starting at off with type np ends, as the
 * receiver frames it (what the hashes cover; the rest is padding to
 * it). */
static size_t
chain_end(const uint8_t *p, size_t len, size_t off, uint8_t np)
{
	unsigned n = 0;

	while (np && off + IKEV1_GEN_HDR_LEN <= len && n++ < IKE_MAX_PAYLOADS) {
		size_t plen = (size_t)p[off + 2] << 8 | p[off + 3];

		if (plen < IKEV1_GEN_HDR_LEN || off + plen > len)
			break;
		np = p[off];
		off += plen;
	}
	return off;
}

/* A marker in forged payloads replaced by the victim SA's cookies
 * (CKY-I | CKY-R, the SPI of an ISAKMP DELETE or of a DPD notify), which
 * the seeds cannot know. */
static const uint8_t cookie_marker[16] = "ISAKMP-SA-COOKIE";

static void
put_cookies(uint8_t *p, size_t len, const struct ike_sa *sa)
{
	size_t i;

	for (i = 0; i + sizeof(cookie_marker) <= len; i++)
		if (memcmp(p + i, cookie_marker, sizeof(cookie_marker)) == 0) {
			memcpy(p + i, sa->spi_i, V1_COOKIE_LEN);
			memcpy(p + i + V1_COOKIE_LEN, sa->spi_r, V1_COOKIE_LEN);
			i += sizeof(cookie_marker) - 1;
		}
}

/* FORGE: a = victim (bit 0: the host that receives it), its keyed SA
 * (bits 1-3), the message ID (bits 4-5: 0 that of the victim's Quick Mode
 * in flight number bits 6-7, or a fresh one if there is none; 1 the next
 * 4 input bytes; 2 a fresh one; 3 zero); x = bit 0 Informational (else
 * Quick Mode), bits 1-2 the HASH (0 the one the victim expects: HASH(2)
 * to a Quick Mode initiator, HASH(3) to a responder, HASH(1) otherwise;
 * then HASH(1), (2), (3)), bit 3 in the clear, bit 4 no HASH payload, bit
 * 5 the HASH one bit off, bit 6 the phase 2 IV of the message ID even for
 * an exchange in flight; np = the first payload after the HASH; a 16-bit
 * length; that many bytes of payload chain (cookie_marker replaced). The
 * message has the victim SA's cookies and is encrypted with its key. */
static void
op_forge(struct in *in)
{
	static uint8_t ct[IKEV2_MAX_MSG_LEN];
	uint8_t a = get8(in), x = get8(in), np, mode = a >> 4 & 3, kind;
	int to = a & 1;
	struct ike_sa *sa = keyed_sa(&hosts[to], a >> 1 & 7);
	struct v1_qm *q = NULL;
	uint32_t mid = 0;
	uint8_t zero[V1_HASH_MAX] = {0};
	struct pld_v1_data hd;
	const struct prf_alg *prf;
	struct msg_builder b;
	struct ike_hdr h;
	struct v1_iv iv;
	struct bytes chain;
	size_t len, hash_at = 0, rest_at, end, ct_len;
	bool clear = x & 8, nohash = x & 16;

	if (mode == 1)
		mid = get32(in);
	np = get8(in);
	chain = take(in, get16(in));
	if (!sa)
		return;
	prf = sa->v1.suite.prf;
	if (mode == 0 && (q = nth_qm(sa, a >> 6)))
		mid = q->mid;
	else if (mode == 0 || mode == 2)
		mid = fresh_mid++;
	kind = x >> 1 & 3;
	if (kind == 0)
		kind = q ? (q->initiator ? 2 : 3) : 1;
	if ((kind >= 2 && !(q && q->ni)) || (kind == 3 && !q->nr))
		kind = 1;
	vlog("forge to %s: %s msgid %08x HASH(%u)%s%s, np %u, %zu bytes",
	     hosts[to].name, x & 1 ? "Informational" : "Quick Mode", mid, kind,
	     clear ? " in the clear" : "", nohash ? " left out" : "", np,
	     chain.len);
	msg_v1_hdr_init(&h, sa->spi_i, sa->spi_r,
			x & 1 ? IKEV1_EXCH_INFORMATIONAL
			      : IKEV1_EXCH_QUICK_MODE,
			clear ? 0 : IKEV1_FLAG_ENCRYPTION, mid);
	msg_build_init(&b, pkt, sizeof(pkt), &h);
	if (!nohash) {
		hash_at = b.w.len + IKEV1_GEN_HDR_LEN;
		hd.data = (struct bytes){zero, prf->out_len};
		pld_v1_hash_put(&b, &hd);
	}
	b.w.ptr[b.np_at] = np;
	rest_at = b.w.len;
	if (!wbuf_put(&b.w, chain.ptr, chain.len) ||
	    !(len = msg_build_finish(&b)))
		return;
	put_cookies(pkt + rest_at, len - rest_at, sa);
	end = chain_end(pkt, len, rest_at, np);
	if (!nohash) {
		struct bytes rest = {pkt + rest_at, end - rest_at};
		int rc;

		if (kind == 1)
			rc = keymat_v1_hash1(prf, sa->v1.keys.skeyid_a, mid,
					     rest, pkt + hash_at);
		else if (kind == 2)
			rc = keymat_v1_hash2(
			    prf, sa->v1.keys.skeyid_a, mid,
			    (struct bytes){q->ni->ptr, q->ni->len}, rest,
			    pkt + hash_at);
		else
			rc = keymat_v1_hash3(
			    prf, sa->v1.keys.skeyid_a, mid,
			    (struct bytes){q->ni->ptr, q->ni->len},
			    (struct bytes){q->nr->ptr, q->nr->len},
			    pkt + hash_at);
		if (rc < 0)
			return;
		if (x & 32)
			pkt[hash_at + prf->out_len - 1] ^= 1;
	}
	if (!clear) {
		if (q && !(x & 64))
			iv = q->iv;
		else if (v1_iv_phase2(&sa->v1.suite, &sa->v1.iv, mid, &iv) < 0)
			return;
		if (v1_crypt_encrypt(&sa->v1.suite, sa->v1.keys.enc_key, &iv,
				     (struct bytes){pkt + IKEV1_HDR_LEN,
						    len - IKEV1_HDR_LEN},
				     ct, sizeof(ct), &ct_len) < 0 ||
		    IKEV1_HDR_LEN + ct_len > sizeof(pkt))
			return;
		memcpy(pkt + IKEV1_HDR_LEN, ct, ct_len);
		len = IKEV1_HDR_LEN + ct_len;
		pkt[24] = (uint8_t)(len >> 24);
		pkt[25] = (uint8_t)(len >> 16);
		pkt[26] = (uint8_t)(len >> 8);
		pkt[27] = (uint8_t)len;
	}
	inject(to, pkt, len);
}

/* RAW: an unprotected datagram. a = receiver (bit 0), an SA of it (bits
 * 1-3); x = exchange (bit 7: the low 6 bits raw; else by the low 2 bits
 * Main Mode, Aggressive Mode, Informational, Quick Mode); f = flags; a
 * 32-bit message ID; np = the first payload; a 16-bit length; that many
 * bytes of payload chain. fresh: new cookies (CKY-I from a counter,
 * CKY-R zero: a message 1 from a new peer at the other host's address);
 * else that SA's cookies. What anyone on the path can send. */
static void
op_raw(struct in *in, bool fresh)
{
	static const uint8_t exch[] = {
	    IKEV1_EXCH_IDENT_PROT, IKEV1_EXCH_AGGRESSIVE,
	    IKEV1_EXCH_INFORMATIONAL, IKEV1_EXCH_QUICK_MODE};
	uint8_t a = get8(in), x = get8(in), f = get8(in), np;
	uint32_t msgid = get32(in);
	int to = a & 1;
	struct ike_sa *sa = any_sa(&hosts[to], a >> 1 & 7);
	uint8_t icky[V1_COOKIE_LEN] = {'f', 'z'}, rcky[V1_COOKIE_LEN] = {0};
	struct msg_builder b;
	struct ike_hdr h;
	struct bytes chain;
	size_t len;

	np = get8(in);
	chain = take(in, get16(in));
	if (fresh) {
		fresh_cookie++;
		memcpy(icky + 4, &fresh_cookie, sizeof(fresh_cookie));
	} else if (sa) {
		memcpy(icky, sa->spi_i, V1_COOKIE_LEN);
		memcpy(rcky, sa->spi_r, V1_COOKIE_LEN);
	} else {
		return;
	}
	vlog("raw to %s: exchange %u flags %02x msgid %08x, %zu bytes",
	     hosts[to].name, x & 0x80 ? x & 0x3f : exch[x & 3], f, msgid,
	     chain.len);
	msg_v1_hdr_init(&h, icky, rcky, x & 0x80 ? x & 0x3f : exch[x & 3], f,
			msgid);
	msg_build_init(&b, pkt, sizeof(pkt), &h);
	b.w.ptr[b.np_at] = np;
	if (!wbuf_put(&b.w, chain.ptr, chain.len) ||
	    !(len = msg_build_finish(&b)))
		return;
	if (sa)
		put_cookies(pkt + IKEV1_HDR_LEN, len - IKEV1_HDR_LEN, sa);
	inject(to, pkt, len);
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
	static const char *const child_names[] = {"net", "pfs", "l2tp", "nope"};
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
	default: /* DPD, and the queries */
		ike_liveness(h->e, now, sa_id);
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
		op_raw(in, true);
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
		op_raw(in, false);
		break;
	}
}

/* Everything terminated, the clock run far ahead, the engines freed:
 * every installed IPsec SA must be removed by then, once, and every SPI
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
				  "ISAKMP SAs left after everything was "
				  "terminated (how many)",
				  (uint32_t)st.ike_sas);
		for (j = 0; j < hosts[h].n_up; j++)
			if (!hosts[h].up[j].ended)
				violation(&hosts[h],
					  "ISAKMP SA up never went down (IKE "
					  "SA id)",
					  hosts[h].up[j].id);
		for (j = 0; j < hosts[h].nk; j++)
			if (hosts[h].k[j].state == K_INSTALLED)
				violation(&hosts[h],
					  "IPsec SA still installed after "
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
	fresh_mid = 0x0f0f0000;
	fresh_cookie = 0;
	host_init(0, cfg);
	host_init(1, cfg);
	host_setup(0, cfg);
	host_setup(1, cfg);
	/* A real phase 1 (and Quick Mode, if "net" starts with it), or only
	 * its first two messages. */
	ike_initiate(hosts[0].e, now, "site", NULL);
	pump(cfg & 128 ? 2 : MAX_Q * 2);
	for (ops = 0; in.left && ops < MAX_OPS; ops++)
		run_op(&in);
	finish();
	return 0;
}
