/* SPDX-License-Identifier: ISC */
/*
 * The engine test harness (engine_harness.h): two engines talking IKEv2 to
 * each other through a fake network, with a fake kernel and a fake clock.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "engine_harness.h"
#include "ike_int.h"
#include "testutil.h"

struct datagram queue[MAX_Q];
unsigned q_len;
unsigned drop_next; /* drop this many datagrams */
unsigned sent_total;
uint64_t now;
struct host moon, sun;

/* ENGINE_PCAP=FILE: every datagram of the fake network, as IPv4/UDP in a
 * pcap file Wireshark can dissect (decryption keys: see ENGINE_LOG). */
static void
pcap_dump(const struct ike_endpoint *from, const struct ike_endpoint *to,
	  const uint8_t *pkt, size_t len)
{
	static FILE *f;
	static const char *path;
	const struct sockaddr_in *a = (const struct sockaddr_in *)&from->ss;
	const struct sockaddr_in *b = (const struct sockaddr_in *)&to->ss;
	uint8_t ip[28] = {0x45, 0, 0, 0, 0, 0, 0x40, 0, 64, 17};
	uint32_t rec[4] = {0, 0, (uint32_t)(len + 28), (uint32_t)(len + 28)};

	if (!path && !(path = getenv("ENGINE_PCAP")))
		return;
	if (!f) {
		/* magic, version 2.4, zone, sigfigs, snaplen, LINKTYPE_RAW */
		uint32_t hdr[6] = {0xa1b2c3d4, 0x00040002, 0, 0, 65535, 101};

		f = fopen(path, "wb");
		if (!f)
			return;
		fwrite(hdr, sizeof(hdr), 1, f);
	}
	ip[2] = (uint8_t)((len + 28) >> 8);
	ip[3] = (uint8_t)(len + 28);
	memcpy(ip + 12, &a->sin_addr, 4);
	memcpy(ip + 16, &b->sin_addr, 4);
	memcpy(ip + 20, &a->sin_port, 2);
	memcpy(ip + 22, &b->sin_port, 2);
	ip[24] = (uint8_t)((len + 8) >> 8);
	ip[25] = (uint8_t)(len + 8);
	rec[0] = (uint32_t)(now / 1000);
	rec[1] = (uint32_t)(now % 1000) * 1000;
	fwrite(rec, sizeof(rec), 1, f);
	fwrite(ip, sizeof(ip), 1, f);
	fwrite(pkt, len, 1, f);
	fflush(f);
}

static void
net_send(void *ctx, const struct ike_endpoint *local,
	 const struct ike_endpoint *remote, const uint8_t *pkt, size_t len)
{
	pcap_dump(local, remote, pkt, len);
	(void)ctx;
	sent_total++;
	if (drop_next) {
		drop_next--;
		return;
	}
	ck_assert_uint_lt(q_len, MAX_Q);
	ck_assert_uint_le(len, sizeof(queue[0].data));
	queue[q_len].from = *local;
	queue[q_len].to = *remote;
	queue[q_len].len = len;
	memcpy(queue[q_len].data, pkt, len);
	q_len++;
}

static int
k_spi_alloc(void *ctx, const struct ike_endpoint *local,
	    const struct ike_endpoint *remote, uint32_t reqid, uint32_t *spi)
{
	struct host *h = ctx;

	*spi = h->next_spi++;
	return 0;
}

static int
k_install(void *ctx, const struct ike_child_install *ci)
{
	struct host *h = ctx;
	struct installed *in;

	if (h->refuse_install)
		return -1;
	ck_assert_uint_lt(h->n_inst, MAX_INST);
	in = &h->inst[h->n_inst++];
	in->ci = *ci;
	in->ci.encr_in = in->ci.encr_out = NULL;
	in->ci.integ_in = in->ci.integ_out = NULL;
	in->ci.local_ts = in->ci.remote_ts = NULL;
	in->encr_len = ci->encr_in->len;
	ck_assert_uint_le(in->encr_len, sizeof(in->encr_in));
	memcpy(in->encr_in, ci->encr_in->ptr, in->encr_len);
	memcpy(in->encr_out, ci->encr_out->ptr, in->encr_len);
	in->live = true;
	return 0;
}

static void
k_remove(void *ctx, const struct ike_child_install *ci)
{
	struct host *h = ctx;
	unsigned i;

	for (i = 0; i < h->n_inst; i++)
		if (h->inst[i].ci.spi_in == ci->spi_in)
			h->inst[i].live = false;
}

/* ike_sa_move: the fake kernel's SA follows its new endpoints. */
static int
k_move(void *ctx, const struct ike_child_install *from,
       const struct ike_child_install *to)
{
	struct host *h = ctx;
	unsigned i;

	ck_assert_ptr_null(to->encr_in);
	ck_assert_uint_eq(from->spi_in, to->spi_in);
	h->n_moved++;
	for (i = 0; i < h->n_inst; i++)
		if (h->inst[i].live && h->inst[i].ci.spi_in == from->spi_in) {
			ck_assert_mem_eq(&h->inst[i].ci.remote, &from->remote,
					 sizeof(from->remote));
			h->inst[i].ci.local = to->local;
			h->inst[i].ci.remote = to->remote;
			return 0;
		}
	return -1;
}

/* The host's PSK authentication, as the psk plugin does it. */
static int
auth_sign(void *ctx, const struct ike_auth_req *r, uint8_t *method,
	  uint8_t *out, size_t *len)
{
	if (r->version == 1 && r->purpose == IKE_AUTH_PURPOSE_V1_METHOD) {
		*method = IKEV1_AUTH_PRE_SHARED_KEY;
		*len = 0;
		return 0;
	}
	if (r->version == 1 && r->purpose == IKE_AUTH_PURPOSE_V1_SKEYID) {
		((struct host *)ctx)->skeyid_by_id = r->peer_id != NULL;
		*method = IKEV1_AUTH_PRE_SHARED_KEY;
		return ike_psk_v1_skeyid(r->prf, ((struct host *)ctx)->psk,
					 r->octets, out, len);
	}
	ck_assert_uint_eq(r->version, 2);
	ck_assert_uint_eq(r->purpose, IKE_AUTH_PURPOSE_AUTH);
	*method = IKEV2_AUTH_SHARED_KEY_MIC;
	return ike_psk_auth(r->prf, ((struct host *)ctx)->psk, r->octets, out,
			    len);
}

static int
auth_verify(void *ctx, const struct ike_auth_req *r, uint8_t method,
	    struct bytes data, char *why, size_t why_len)
{
	if (method != IKEV2_AUTH_SHARED_KEY_MIC) {
		snprintf(why, why_len, "not a pre-shared key");
		return -1;
	}
	if (!ike_psk_verify(r->prf, ((struct host *)ctx)->psk, r->octets,
			    data)) {
		snprintf(why, why_len, "the pre-shared keys differ");
		return -1;
	}
	return 0;
}

static void
on_log(void *ctx, enum ike_log_level level, const char *conn, unsigned id,
       const char *msg)
{
	struct host *h = ctx;

	snprintf(h->last_log, sizeof(h->last_log), "%s", msg);
	if (h->watch && strstr(msg, h->watch))
		h->logs_with++;
	if (getenv("ENGINE_LOG"))
		fprintf(stderr, "[%s %s#%u] %s\n", h->name, conn ? conn : "-",
			id, msg);
}

static void
on_sa_freed(void *ctx, unsigned ike_id)
{
	struct host *h = ctx;

	h->n_freed++;
	h->freed_last = ike_id;
}

static void
on_event(void *ctx, const struct ike_event *ev)
{
	struct host *h = ctx;

	ck_assert_uint_lt(h->n_ev, MAX_EV);
	h->ev[h->n_ev] = ev->type;
	snprintf(h->ev_reason[h->n_ev], sizeof(h->ev_reason[0]), "%s",
		 ev->reason ? ev->reason : "");
	h->n_ev++;
	if (h->ev_hook)
		h->ev_hook(h, ev);
}

void
endpoint(struct ike_endpoint *ep, const char *ip)
{
	struct sockaddr_in *a = (struct sockaddr_in *)&ep->ss;

	memset(ep, 0, sizeof(*ep));
	a->sin_family = AF_INET;
	a->sin_port = htons(500);
	ck_assert_int_eq(inet_pton(AF_INET, ip, &a->sin_addr), 1);
}

void
prop(struct proposal *p, const char *kw, uint8_t proto)
{
	char err[256];

	ck_assert_msg(prop_parse(kw, proto, p, err, sizeof(err)) == 0, "%s",
		      err);
}

void
subnet(struct ike_ts_cfg *t, const char *from, const char *to)
{
	memset(t, 0, sizeof(*t));
	t->ts.type = IKEV2_TS_IPV4_ADDR_RANGE;
	t->ts.eport = 65535;
	inet_pton(AF_INET, from, t->ts.saddr);
	inet_pton(AF_INET, to, t->ts.eaddr);
}

/* A connection from `self` to `peer`: tunnel 10.1/16 <-> 10.2/16 as seen
 * from moon (mirrored for sun), or transport. */
void
conn_cfg(struct ike_conn_cfg *c, const struct host *self,
	 const struct host *peer, const char *ike, const char *esp,
	 bool transport)
{
	struct ike_child_cfg *ch;
	bool is_moon = self == &moon;

	memset(c, 0, sizeof(*c));
	conn_room(c);
	ch = &c->children[0];
	snprintf(c->name, sizeof(c->name), "site");
	c->local = self->addr;
	c->remote = peer->addr;
	c->n_proposals = 1;
	prop(&c->proposals[0], ike, IKEV2_PROTO_IKE);
	c->local_id.type = IKEV2_ID_FQDN;
	c->local_id.len = strlen(self->name);
	c->local_id.data = (const uint8_t *)self->name;
	c->remote_id.type = IKEV2_ID_FQDN;
	c->remote_id.len = strlen(peer->name);
	c->remote_id.data = (const uint8_t *)peer->name;
	c->keyingtries = 1;
	c->n_children = 1;
	snprintf(ch->name, sizeof(ch->name), "net");
	ch->n_proposals = 1;
	prop(&ch->proposals[0], esp, IKEV2_PROTO_ESP);
	ch->transport = transport;
	if (!transport) {
		ch->n_local_ts = ch->n_remote_ts = 1;
		subnet(&ch->local_ts[0], is_moon ? "10.1.0.0" : "10.2.0.0",
		       is_moon ? "10.1.255.255" : "10.2.255.255");
		subnet(&ch->remote_ts[0], is_moon ? "10.2.0.0" : "10.1.0.0",
		       is_moon ? "10.2.255.255" : "10.1.255.255");
	}
}

static void
on_offload(void *ctx, struct ike_job *job)
{
	struct host *h = ctx;

	ck_assert_uint_lt(h->n_jobs, sizeof(h->jobs) / sizeof(h->jobs[0]));
	h->jobs[h->n_jobs++] = job;
}

struct ike_engine *
host_engine(struct host *h, int (*rand)(void *ctx, uint8_t *out, size_t len))
{
	struct ike_env env = {
	    .ctx = h,
	    .send = net_send,
	    .spi_alloc = k_spi_alloc,
	    .child_install = k_install,
	    .child_remove = k_remove,
	    .child_move = k_move,
	    .auth_sign = auth_sign,
	    .auth_verify = auth_verify,
	    .log = on_log,
	    .event = on_event,
	    .sa_freed = on_sa_freed,
	    .random = rand,
	    .offload = h->offload ? on_offload : NULL,
	};

	return ike_engine_new(&env);
}

void
run_jobs(struct host *h, bool run)
{
	unsigned i, n = h->n_jobs;

	h->n_jobs = 0;
	for (i = 0; i < n; i++) {
		if (run)
			ike_job_run(h->jobs[i]);
		ike_engine_job_done(h->e, now, h->jobs[i]);
	}
}

void
host_init(struct host *h, const char *name, const char *ip, const char *psk)
{
	memset(h, 0, sizeof(*h));
	h->name = name;
	endpoint(&h->addr, ip);
	h->psk = secret_dup(psk, strlen(psk));
	h->next_spi = h == &moon ? 0xc1000001 : 0xc2000001;
	h->e = host_engine(h, NULL);
	ck_assert_ptr_nonnull(h->e);
}

void
setup_pair(const char *ike_m, const char *esp_m, const char *ike_s,
	   const char *esp_s, bool transport, const char *psk_m,
	   const char *psk_s)
{

	q_len = 0;
	drop_next = 0;
	sent_total = 0;
	now = 1000;
	host_init(&moon, "moon.example.org", "192.0.2.1", psk_m);
	host_init(&sun, "sun.example.org", "192.0.2.2", psk_s);
	host_conns(ike_m, esp_m, ike_s, esp_s, transport);
}

void
host_conns(const char *ike_m, const char *esp_m, const char *ike_s,
	   const char *esp_s, bool transport)
{
	static struct ike_conn_cfg c;

	conn_cfg(&c, &moon, &sun, ike_m, esp_m, transport);
	c.children[0].start = true;
	ck_assert_int_eq(ike_engine_set_conns(moon.e, &c, 1, now), 0);
	conn_cfg(&c, &sun, &moon, ike_s, esp_s, transport);
	ck_assert_int_eq(ike_engine_set_conns(sun.e, &c, 1, now), 0);
}

void
teardown_pair(void)
{
	ike_engine_free(moon.e);
	ike_engine_free(sun.e);
	secret_free(moon.psk);
	secret_free(sun.psk);
}

/* By address: a host answers on any port (500, 4500, where it moved). */
struct host *
host_at(const struct ike_endpoint *ep)
{
	const struct sockaddr_in *a = (const void *)&ep->ss,
				 *m = (const void *)&moon.addr.ss;

	return a->sin_addr.s_addr == m->sin_addr.s_addr ? &moon : &sun;
}

/* Deliver queued datagrams until the network is quiet. */
void
pump(void)
{
	unsigned rounds = 0;

	while (q_len && rounds++ < 100) {
		struct datagram d = queue[0];
		struct host *to = host_at(&d.to);

		memmove(queue, queue + 1, (q_len - 1) * sizeof(queue[0]));
		q_len--;
		ike_input(to->e, now, &d.to, &d.from, d.data, d.len);
	}
	ck_assert_uint_eq(q_len, 0);
}

/* Let time pass to the next deadline of either engine and run it. */
void
advance(void)
{
	uint64_t a = ike_next_deadline(moon.e), b = ike_next_deadline(sun.e);
	uint64_t t = a < b ? a : b;

	if (t != UINT64_MAX && t > now)
		now = t;
	ike_tick(moon.e, now);
	ike_tick(sun.e, now);
}

bool
has_event(const struct host *h, enum ike_event_type t)
{
	unsigned i;

	for (i = 0; i < h->n_ev; i++)
		if (h->ev[i] == t)
			return true;
	return false;
}

unsigned
live(const struct host *h)
{
	unsigned i, n = 0;

	for (i = 0; i < h->n_inst; i++)
		n += h->inst[i].live;
	return n;
}

/* The two installs describe one pair of SAs. */
void
assert_pair_matches(void)
{
	const struct installed *m = &moon.inst[0], *s = &sun.inst[0];

	ck_assert_uint_eq(moon.n_inst, 1);
	ck_assert_uint_eq(sun.n_inst, 1);
	ck_assert_uint_eq(m->ci.spi_out, s->ci.spi_in);
	ck_assert_uint_eq(m->ci.spi_in, s->ci.spi_out);
	ck_assert_uint_eq(m->ci.encr, s->ci.encr);
	ck_assert_uint_eq(m->ci.integ, s->ci.integ);
	ck_assert_uint_eq(m->encr_len, s->encr_len);
	ck_assert_mem_eq(m->encr_out, s->encr_in, m->encr_len);
	ck_assert_mem_eq(m->encr_in, s->encr_out, m->encr_len);
	ck_assert(memcmp(m->encr_in, m->encr_out, m->encr_len) != 0);
	ck_assert(m->ci.initiator);
	ck_assert(!s->ci.initiator);
	ck_assert_uint_eq(m->ci.transport, s->ci.transport);
	ck_assert_uint_eq(m->ci.n_local_ts, s->ci.n_remote_ts);
}

void
bring_up(void)
{
	ck_assert_uint_gt(ike_initiate(moon.e, now, "site", NULL), 0);
	pump();
}

/* The one datagram sun sent back, framed; fails if there is not one. */
void
only_answer(struct msg *m)
{
	struct ike_err e;

	ck_assert_uint_eq(q_len, 1);
	ck_assert_int_eq(msg_frame(queue[0].data, queue[0].len, m, &e), 0);
	q_len = 0;
}

uint16_t
notify_of(const struct msg *m)
{
	const struct pld_ref *r = msg_find(m, IKEV2_PL_N, NULL);
	struct pld_notify n;
	struct ike_err e;

	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(pld_notify_get(r, &n, &e), 0);
	return n.type;
}

/* The first IKE SA of h that is not dead (tests that look inside). */
struct ike_sa *
first_sa(const struct host *h)
{
	struct ike_sa *sa;

	for (sa = h->e->sas; sa; sa = sa->next)
		if (sa->state != IKE_SA_DEAD)
			return sa;
	return NULL;
}
