/* SPDX-License-Identifier: ISC */
/*
 * NAT traversal for IKEv1 (RFC 3947) between two engines: the natt
 * plugin's own code (plugins/natt/, compiled in here) runs behind a fake
 * charond API, and moon sits behind a fake NAT that rewrites its address
 * and ports as a masquerading router does. Checked: the engine's phase 1
 * hooks (VIDs and NAT-D both ways, the view's version and message), the
 * detection on both ends, the initiator's float to port 4500 at message
 * 5 and the responder following it, Quick Mode in the UDP-encapsulated
 * modes with the kernel told to encapsulate, transport mode's selectors
 * naming the public address, and the drafts' numbering.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <openssl/evp.h>

#include "engine_harness.h"
#include "ike_int.h"
#include "testutil.h"

/* The plugin as charond would load it (linked in, see the Makefile). */
#include "natt.h"

#define NAT_PUBLIC "198.51.100.7"

extern const struct charond_plugin charond_plugin;

/* --- the fake charond: one plugin instance serving two engines ---------- */

static struct host *cur; /* the engine a hook runs for */
static const struct charond_exchange_ext *x_ext;
static const struct charond_child_filter *x_filter;
static void (*x_slot_free)(void *);
static struct {
	struct host *h;
	unsigned id;
	void *data;
} slots[8];
static unsigned n_timers, n_keepalives;
static bool moon_forces; /* moon's connection sets encap: true */
static char plugin_log[8][256];
static unsigned n_plugin_log;
static int (*k_install_orig)(void *ctx, const struct ike_child_install *ci);
/* What the hooks saw: sun's view of moon's messages. */
static struct {
	uint8_t version, exchange, v1_msg;
	unsigned n_vid, n_natd;
	bool digest;
} seen[8];

static void f_log(enum ike_log_level level, const char *plugin, const char *fmt,
		  ...) __attribute__((format(printf, 3, 4)));

static void
f_log(enum ike_log_level level, const char *plugin, const char *fmt, ...)
{
	va_list ap;

	if (n_plugin_log >= 8)
		return;
	va_start(ap, fmt);
	vsnprintf(plugin_log[n_plugin_log], sizeof(plugin_log[0]), fmt, ap);
	va_end(ap);
	if (getenv("ENGINE_LOG"))
		fprintf(stderr, "[plugin %s] %s\n", cur ? cur->name : "-",
			plugin_log[n_plugin_log]);
	n_plugin_log++;
}

static bool
logged(const char *what)
{
	unsigned i;

	for (i = 0; i < n_plugin_log; i++)
		if (strstr(plugin_log[i], what))
			return true;
	return false;
}

static int
f_value(enum charond_scope scope, const char *conn, const char *child,
	const char *key, struct charond_value *out)
{
	memset(out, 0, sizeof(*out));
	if (scope == CHAROND_SCOPE_CONN && strcmp(key, "encap") == 0) {
		out->set = cur == &moon && moon_forces;
		out->u.b = out->set;
	}
	return 0;
}

static int
f_add_extension(const struct charond_exchange_ext *x, void *state)
{
	x_ext = x;
	return 0;
}

static int
f_add_listener(const struct charond_sa_listener *l, void *state)
{
	return 0;
}

static int
f_add_filter(const struct charond_child_filter *f, void *state)
{
	x_filter = f;
	return 0;
}

static int
f_sa_slot(const char *plugin, void (*free_fn)(void *data))
{
	x_slot_free = free_fn;
	return 0;
}

static void *
f_sa_get(int s, unsigned id)
{
	unsigned i;

	for (i = 0; i < 8; i++)
		if (slots[i].h == cur && slots[i].id == id)
			return slots[i].data;
	return NULL;
}

static int
f_sa_set(int s, unsigned id, void *data)
{
	unsigned i;

	for (i = 0; i < 8; i++)
		if (!slots[i].h) {
			slots[i].h = cur;
			slots[i].id = id;
			slots[i].data = data;
			return 0;
		}
	return -1;
}

static uint64_t
f_timer_add(uint64_t delay, void (*cb)(void *arg, uint64_t now), void *arg)
{
	return ++n_timers;
}

static void
f_timer_cancel(uint64_t handle)
{
}

static int
f_sa_action(unsigned id, enum charond_sa_action a, const void *args)
{
	const struct charond_sa_move *mv = args;

	ck_assert_int_eq(a, CHAROND_SA_MOVE);
	return ike_sa_move(cur->e, now, id, &mv->local, &mv->remote);
}

static int
f_sa_query(unsigned id, void (*cb)(void *ctx, const struct ike_sa_info *sa),
	   void *ctx)
{
	return ike_query_sa(cur->e, id, cb, ctx) ? 0 : -1;
}

static int
f_send_keepalive(unsigned id)
{
	n_keepalives++;
	return 0;
}

static int
f_sa_nat(unsigned id, bool local, bool remote)
{
	return ike_sa_set_nat(cur->e, id, local, remote);
}

static int
f_sa_v1_encap(unsigned id, enum ike_v1_encap how)
{
	return ike_sa_set_v1_encap(cur->e, id, how);
}

static uint16_t
f_port_nat_t(void)
{
	return 4500;
}

static const struct charond_api fake_api = {
    .abi = CHAROND_PLUGIN_ABI,
    .log = f_log,
    .value = f_value,
    .add_extension = f_add_extension,
    .add_listener = f_add_listener,
    .add_child_filter = f_add_filter,
    .sa_slot = f_sa_slot,
    .sa_get = f_sa_get,
    .sa_set = f_sa_set,
    .timer_add = f_timer_add,
    .timer_cancel = f_timer_cancel,
    .sa_action = f_sa_action,
    .sa_query = f_sa_query,
    .send_keepalive = f_send_keepalive,
    .sa_nat = f_sa_nat,
    .port_nat_t = f_port_nat_t,
    .sa_v1_encap = f_sa_v1_encap,
};

/* env hooks of both engines, into the plugin */
static void
e_build(void *ctx, const struct ike_msg_view *m, struct ike_out *out)
{
	cur = ctx;
	x_ext->build(NULL, m, out);
}

static int
e_input(void *ctx, const struct ike_msg_view *m, char *why, size_t len)
{
	size_t i;

	cur = ctx;
	if (cur == &sun && m->v1_msg < 8) {
		seen[m->v1_msg].version = m->version;
		seen[m->v1_msg].exchange = m->exchange;
		seen[m->v1_msg].v1_msg = m->v1_msg;
		seen[m->v1_msg].digest = m->v1_digest != NULL;
		for (i = 0; i < m->n_payloads; i++) {
			if (m->payloads[i].type == IKEV1_PL_VID)
				seen[m->v1_msg].n_vid++;
			if (m->payloads[i].type == IKEV1_PL_NAT_D ||
			    m->payloads[i].type == IKEV1_PL_NAT_D_DRAFT)
				seen[m->v1_msg].n_natd++;
		}
	}
	return x_ext->input(NULL, m, why, len);
}

static int
e_install(void *ctx, const struct ike_child_install *ci)
{
	struct ike_child_install copy = *ci;
	char why[128];

	cur = ctx;
	ck_assert_int_eq(x_filter->filter(NULL, CHAROND_FILTER_INSTALL, NULL,
					  &copy, why, sizeof(why)),
			 0);
	return k_install_orig(ctx, &copy);
}

static void
plugin_up(struct host *h)
{
	if (!k_install_orig)
		k_install_orig = h->e->env.child_install;
	h->e->env.ext_build = e_build;
	h->e->env.ext_input = e_input;
	h->e->env.child_install = e_install;
}

/* --- moon behind a masquerading NAT ------------------------------------- */

static uint16_t
port(const struct ike_endpoint *ep)
{
	return ntohs(((const struct sockaddr_in *)&ep->ss)->sin_port);
}

static void
set_addr(struct ike_endpoint *ep, const char *ip, uint16_t p)
{
	endpoint(ep, ip);
	((struct sockaddr_in *)&ep->ss)->sin_port = htons(p);
}

static bool
is_addr(const struct ike_endpoint *ep, const char *ip)
{
	struct in_addr a;

	inet_pton(AF_INET, ip, &a);
	return ((const struct sockaddr_in *)&ep->ss)->sin_addr.s_addr ==
	       a.s_addr;
}

/* Each of moon's source ports gets a public port of its own. */
static uint16_t
nat_port(uint16_t inside)
{
	return (uint16_t)(30000 + inside);
}

static unsigned from_4500; /* datagrams moon sent from its port 4500 */

/* Deliver datagrams through the NAT until quiet. */
static void
nat_pump(void)
{
	unsigned rounds = 0;

	while (q_len && rounds++ < 100) {
		struct datagram d = queue[0];
		struct host *to;

		memmove(queue, queue + 1, (q_len - 1) * sizeof(queue[0]));
		q_len--;
		if (is_addr(&d.from, "192.0.2.1")) {
			if (port(&d.from) == 4500)
				from_4500++;
			set_addr(&d.from, NAT_PUBLIC, nat_port(port(&d.from)));
			to = &sun;
		} else {
			ck_assert(is_addr(&d.to, NAT_PUBLIC));
			set_addr(&d.to, "192.0.2.1",
				 (uint16_t)(port(&d.to) - 30000));
			to = &moon;
		}
		ike_input(to->e, now, &d.to, &d.from, d.data, d.len);
	}
	ck_assert_uint_eq(q_len, 0);
}

static struct ike_conn_cfg cm, cs;

static void
setup_nat(bool transport)
{
	char why[64];
	void *state;

	memset(slots, 0, sizeof(slots));
	memset(seen, 0, sizeof(seen));
	n_timers = n_keepalives = n_plugin_log = from_4500 = 0;
	moon_forces = false;
	k_install_orig = NULL;
	setup_pair("aes128-sha256-modp2048", "aes128-sha1",
		   "aes128-sha256-modp2048", "aes128-sha1", transport, "k",
		   "k");
	conn_cfg(&cm, &moon, &sun, "aes128-sha256-modp2048", "aes128-sha1",
		 transport);
	cm.version = 1;
	conn_cfg(&cs, &sun, &moon, "aes128-sha256-modp2048", "aes128-sha1",
		 transport);
	cs.version = 1;
	/* sun knows moon by its public address, as it sees it. */
	endpoint(&cs.remote, NAT_PUBLIC);
	ck_assert_int_eq(ike_engine_set_conns(moon.e, &cm, 1, now), 0);
	ck_assert_int_eq(ike_engine_set_conns(sun.e, &cs, 1, now), 0);
	ck_assert_int_eq(
	    charond_plugin.init(&fake_api, &state, why, sizeof(why)), 0);
	plugin_up(&moon);
	plugin_up(&sun);
}

static void
teardown_nat(void)
{
	unsigned i;

	for (i = 0; i < 8; i++)
		if (slots[i].h)
			x_slot_free(slots[i].data);
	teardown_pair();
}

static const struct installed *
inst_of(const struct host *h)
{
	ck_assert_uint_ge(h->n_inst, 1);
	return &h->inst[h->n_inst - 1];
}

/* --- tests -----------------------------------------------------------------
 */

/* The VIDs are the MD5 of the names they stand for. */
START_TEST(vendor_ids_are_md5_of_their_names)
{
	static const char *const names[] = {
	    [NATT_V1_DRAFT_02] = "draft-ietf-ipsec-nat-t-ike-02",
	    [NATT_V1_DRAFT_02N] = "draft-ietf-ipsec-nat-t-ike-02\n",
	    [NATT_V1_DRAFT_03] = "draft-ietf-ipsec-nat-t-ike-03",
	    [NATT_V1_RFC3947] = "RFC 3947",
	};
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned i, n;

	for (i = NATT_V1_DRAFT_02; i <= NATT_V1_RFC3947; i++) {
		ck_assert(EVP_Digest(names[i], strlen(names[i]), md, &n,
				     EVP_md5(), NULL));
		ck_assert_uint_eq(n, 16);
		ck_assert_uint_eq(natt_v1_vid(md, 16), i);
	}
	ck_assert_uint_eq(natt_v1_vid(md, 15), NATT_V1_NONE);
	md[0] ^= 1;
	ck_assert_uint_eq(natt_v1_vid(md, 16), NATT_V1_NONE);
}
END_TEST

/* Tunnel mode through the NAT: both find it, moon floats at message 5,
 * sun follows, Quick Mode negotiates UDP-Encapsulated-Tunnel and both
 * kernels are told to encapsulate with the ports the NAT shows. */
START_TEST(tunnel_through_nat)
{
	const struct ike_sa *m, *s;
	const struct installed *im, *is;

	setup_nat(false);
	ck_assert_uint_gt(ike_initiate(moon.e, now, "site", "net"), 0);
	nat_pump();
	ck_assert(has_event(&moon, IKE_EV_CHILD_UP));
	ck_assert(has_event(&sun, IKE_EV_CHILD_UP));
	/* The hooks saw IKEv1 Main Mode, messages by number. */
	ck_assert_uint_eq(seen[1].version, 1);
	ck_assert_uint_eq(seen[1].exchange, IKEV1_EXCH_IDENT_PROT);
	/* natt's four and the engine's DPD one (v1_vid.c) */
	ck_assert_uint_eq(seen[1].n_vid, 5);
	ck_assert(!seen[1].digest);
	ck_assert_uint_eq(seen[3].n_natd, 2);
	ck_assert(seen[3].digest);
	ck_assert_uint_eq(seen[5].v1_msg, 5);
	m = first_sa(&moon);
	s = first_sa(&sun);
	ck_assert(m->nat_local && !m->nat_remote);
	ck_assert(!s->nat_local && s->nat_remote);
	ck_assert_uint_eq(m->v1.encap, IKE_V1_ENCAP_RFC3947);
	ck_assert_uint_eq(s->v1.encap, IKE_V1_ENCAP_RFC3947);
	/* Messages 5 on came from 4500; both SAs run there now. */
	ck_assert_uint_ge(from_4500, 2);
	ck_assert_uint_eq(port(&m->local), 4500);
	ck_assert_uint_eq(port(&m->remote), 4500);
	ck_assert_uint_eq(port(&s->local), 4500);
	ck_assert_uint_eq(port(&s->remote), nat_port(4500));
	im = inst_of(&moon);
	is = inst_of(&sun);
	ck_assert_uint_eq(im->ci.encap.type, 2);
	ck_assert_uint_eq(im->ci.encap.sport, 4500);
	ck_assert_uint_eq(im->ci.encap.dport, 4500);
	ck_assert_uint_eq(is->ci.encap.type, 2);
	ck_assert_uint_eq(is->ci.encap.sport, 4500);
	ck_assert_uint_eq(is->ci.encap.dport, nat_port(4500));
	ck_assert(logged("we are behind a NAT"));
	ck_assert(logged("the peer is behind a NAT"));
	ck_assert_uint_ge(n_timers, 1); /* moon's keepalives */
	teardown_nat();
}
END_TEST

/* Transport mode: moon names itself by its private address; sun's
 * policies name the public one it sees. Both send NAT-OA. */
START_TEST(transport_ids_name_the_public_address)
{
	const struct installed *is;
	char a[INET_ADDRSTRLEN];

	setup_nat(true);
	moon.watch = sun.watch = "peer's NAT-OA: original address ";
	ck_assert_uint_gt(ike_initiate(moon.e, now, "site", "net"), 0);
	nat_pump();
	ck_assert(has_event(&sun, IKE_EV_CHILD_UP));
	ck_assert(has_event(&moon, IKE_EV_CHILD_UP));
	/* NAT-OAi and NAT-OAr each way (RFC 3947 5.2). */
	ck_assert_uint_eq(sun.logs_with, 2);
	ck_assert_uint_eq(moon.logs_with, 2);
	is = inst_of(&sun);
	ck_assert(is->ci.transport);
	ck_assert_uint_eq(is->ci.encap.type, 2);
	ck_assert_ptr_nonnull(first_sa(&sun)->children);
	inet_ntop(AF_INET, first_sa(&sun)->children->remote_ts[0].saddr, a,
		  sizeof(a));
	ck_assert_str_eq(a, NAT_PUBLIC);
	teardown_nat();
}
END_TEST

/* No NAT, no encap: VIDs and NAT-D go, nothing moves. */
START_TEST(no_nat_no_float)
{
	const struct ike_sa *m, *s;

	setup_nat(false);
	/* Without the NAT: sun knows moon by its own address. */
	endpoint(&cs.remote, "192.0.2.1");
	ck_assert_int_eq(ike_engine_set_conns(sun.e, &cs, 1, now), 0);
	ck_assert_uint_gt(ike_initiate(moon.e, now, "site", "net"), 0);
	pump();
	ck_assert(has_event(&sun, IKE_EV_CHILD_UP));
	m = first_sa(&moon);
	s = first_sa(&sun);
	ck_assert_uint_eq(seen[3].n_natd, 2);
	ck_assert(!m->nat_local && !m->nat_remote && !s->nat_remote);
	ck_assert_uint_eq(m->v1.encap, IKE_V1_ENCAP_NONE);
	ck_assert_uint_eq(port(&m->local), 500);
	ck_assert_uint_eq(port(&s->remote), 500);
	ck_assert_uint_eq(inst_of(&sun)->ci.encap.type, 0);
	teardown_nat();
}
END_TEST

/* encap: true on moon without a NAT: its faked source hash makes sun see
 * it behind one; both float and encapsulate. */
START_TEST(forced_encap_without_nat)
{
	const struct ike_sa *m, *s;

	setup_nat(false);
	moon_forces = true;
	endpoint(&cs.remote, "192.0.2.1");
	ck_assert_int_eq(ike_engine_set_conns(sun.e, &cs, 1, now), 0);
	ck_assert_uint_gt(ike_initiate(moon.e, now, "site", "net"), 0);
	pump();
	ck_assert(has_event(&sun, IKE_EV_CHILD_UP));
	m = first_sa(&moon);
	s = first_sa(&sun);
	ck_assert(s->nat_remote);
	ck_assert_uint_eq(m->v1.encap, IKE_V1_ENCAP_RFC3947);
	ck_assert_uint_eq(s->v1.encap, IKE_V1_ENCAP_RFC3947);
	ck_assert_uint_eq(port(&m->local), 4500);
	ck_assert_uint_eq(port(&s->remote), 4500);
	ck_assert_uint_eq(inst_of(&moon)->ci.encap.type, 2);
	ck_assert_uint_eq(inst_of(&sun)->ci.encap.type, 2);
	teardown_nat();
}
END_TEST

/* Aggressive Mode: VIDs in 1 and 2, NAT-D in 2 and 3, moon floats for
 * message 3 and sun follows it. */
START_TEST(aggressive_mode_through_nat)
{
	const struct ike_sa *m, *s;

	setup_nat(false);
	cm.aggressive = cs.aggressive = true;
	ck_assert_int_eq(ike_engine_set_conns(moon.e, &cm, 1, now), 0);
	ck_assert_int_eq(ike_engine_set_conns(sun.e, &cs, 1, now), 0);
	ck_assert_uint_gt(ike_initiate(moon.e, now, "site", "net"), 0);
	nat_pump();
	ck_assert(has_event(&sun, IKE_EV_CHILD_UP));
	ck_assert_uint_eq(seen[1].exchange, IKEV1_EXCH_AGGRESSIVE);
	/* natt's four and the engine's DPD one (v1_vid.c) */
	ck_assert_uint_eq(seen[1].n_vid, 5);
	ck_assert_uint_eq(seen[3].n_natd, 2);
	m = first_sa(&moon);
	s = first_sa(&sun);
	ck_assert(m->nat_local && s->nat_remote);
	ck_assert_uint_eq(port(&m->local), 4500);
	ck_assert_uint_eq(port(&s->remote), nat_port(4500));
	ck_assert_uint_eq(inst_of(&sun)->ci.encap.type, 2);
	teardown_nat();
}
END_TEST

/* An old client behind the NAT speaking draft-02n only (moon's hooks
 * here, not the plugin): sun answers with that VID, NAT-D goes as payload
 * 130 both ways, and Quick Mode runs in the drafts' numbering. */
static unsigned draft_vids_seen, draft_natd_seen;

static void
draft_build(void *ctx, const struct ike_msg_view *m, struct ike_out *out)
{
	static const uint8_t vid[16] = {0x90, 0xcb, 0x80, 0x91, 0x3e, 0xbb,
					0x69, 0x6e, 0x08, 0x63, 0x81, 0xb5,
					0xec, 0x42, 0x7b, 0x1f};
	uint8_t h[EVP_MAX_MD_SIZE];
	size_t n;

	if (m->v1_msg == 1)
		ck_assert_int_eq(ike_out_vendor_id(out, vid, sizeof(vid)), 0);
	if (m->v1_msg != 3)
		return;
	ck_assert_int_eq(
	    natd_hash_v1(m->v1_digest, m->spi_i, m->spi_r, m->remote, h, &n),
	    0);
	ck_assert_int_eq(ike_out_payload(out, IKEV1_PL_NAT_D_DRAFT, h, n), 0);
	ck_assert_int_eq(
	    natd_hash_v1(m->v1_digest, m->spi_i, m->spi_r, m->local, h, &n), 0);
	ck_assert_int_eq(ike_out_payload(out, IKEV1_PL_NAT_D_DRAFT, h, n), 0);
}

static int
draft_input(void *ctx, const struct ike_msg_view *m, char *why, size_t len)
{
	size_t i;

	for (i = 0; i < m->n_payloads; i++) {
		const struct ike_in_payload *p = &m->payloads[i];

		if (m->v1_msg == 2 && p->type == IKEV1_PL_VID &&
		    natt_v1_vid(p->data.ptr, p->data.len) == NATT_V1_DRAFT_02N)
			draft_vids_seen++;
		if (m->v1_msg == 4 && p->type == IKEV1_PL_NAT_D_DRAFT)
			draft_natd_seen++;
	}
	if (m->v1_msg == 4)
		ike_sa_set_v1_encap(moon.e, m->ike_id, IKE_V1_ENCAP_DRAFT);
	return 0;
}

START_TEST(draft_client_through_nat)
{
	setup_nat(false);
	moon.e->env.ext_build = draft_build;
	moon.e->env.ext_input = draft_input;
	draft_vids_seen = draft_natd_seen = 0;
	ck_assert_uint_gt(ike_initiate(moon.e, now, "site", "net"), 0);
	nat_pump();
	ck_assert_uint_eq(draft_vids_seen, 1);
	ck_assert_uint_eq(draft_natd_seen, 2);
	ck_assert(first_sa(&sun)->nat_remote);
	ck_assert_uint_eq(first_sa(&sun)->v1.encap, IKE_V1_ENCAP_DRAFT);
	ck_assert(has_event(&sun, IKE_EV_CHILD_UP));
	ck_assert(logged("peer does NAT-T as draft-ietf-ipsec-nat-t-ike-02\n"));
	teardown_nat();
}
END_TEST

/* Without the plugin, the engine's own switch: an offer in the UDP modes
 * (either numbering) is taken by a peer that encapsulates too, and
 * refused by one that does not. */
static void
engine_encap(enum ike_v1_encap m, enum ike_v1_encap s, bool up)
{
	setup_pair("aes128-sha256-modp2048", "aes128-sha1",
		   "aes128-sha256-modp2048", "aes128-sha1", false, "k", "k");
	conn_cfg(&cm, &moon, &sun, "aes128-sha256-modp2048", "aes128-sha1",
		 false);
	cm.version = 1;
	conn_cfg(&cs, &sun, &moon, "aes128-sha256-modp2048", "aes128-sha1",
		 false);
	cs.version = 1;
	ck_assert_int_eq(ike_engine_set_conns(moon.e, &cm, 1, now), 0);
	ck_assert_int_eq(ike_engine_set_conns(sun.e, &cs, 1, now), 0);
	ck_assert_uint_gt(ike_initiate(moon.e, now, "site", NULL), 0);
	pump();
	ck_assert_int_eq(ike_sa_set_v1_encap(moon.e, first_sa(&moon)->id, m),
			 0);
	ck_assert_int_eq(ike_sa_set_v1_encap(sun.e, first_sa(&sun)->id, s), 0);
	ck_assert_uint_gt(ike_initiate(moon.e, now, "site", "net"), 0);
	pump();
	ck_assert_int_eq(has_event(&sun, IKE_EV_CHILD_UP), up);
	teardown_pair();
}

START_TEST(udp_modes_in_quick_mode)
{
	engine_encap(IKE_V1_ENCAP_RFC3947, IKE_V1_ENCAP_RFC3947, true);
	engine_encap(IKE_V1_ENCAP_DRAFT, IKE_V1_ENCAP_RFC3947, true);
	engine_encap(IKE_V1_ENCAP_DRAFT, IKE_V1_ENCAP_DRAFT, true);
	engine_encap(IKE_V1_ENCAP_RFC3947, IKE_V1_ENCAP_NONE, false);
	engine_encap(IKE_V1_ENCAP_NONE, IKE_V1_ENCAP_DRAFT, false);
}
END_TEST

/* An IKEv2 SA has no IKEv1 encapsulation to set. */
START_TEST(v1_encap_only_on_ikev1)
{
	setup_pair("aes128-sha256-modp2048", "aes128-sha1",
		   "aes128-sha256-modp2048", "aes128-sha1", false, "k", "k");
	ck_assert_uint_gt(ike_initiate(moon.e, now, "site", NULL), 0);
	ck_assert_int_eq(ike_sa_set_v1_encap(moon.e, first_sa(&moon)->id,
					     IKE_V1_ENCAP_RFC3947),
			 -1);
	teardown_pair();
}
END_TEST

Suite *
v1_natt_suite(void)
{
	Suite *s = suite_create("v1_natt");
	TCase *tc = tcase_create("natt");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, vendor_ids_are_md5_of_their_names);
	tcase_add_test(tc, tunnel_through_nat);
	tcase_add_test(tc, transport_ids_name_the_public_address);
	tcase_add_test(tc, no_nat_no_float);
	tcase_add_test(tc, forced_encap_without_nat);
	tcase_add_test(tc, aggressive_mode_through_nat);
	tcase_add_test(tc, draft_client_through_nat);
	tcase_add_test(tc, udp_modes_in_quick_mode);
	tcase_add_test(tc, v1_encap_only_on_ikev1);
	suite_add_tcase(s, tc);
	return s;
}
