/* SPDX-License-Identifier: ISC */
/*
 * The host's hooks in the exchanges (libike/ext.c), its timers
 * (timer_host.c) and actions (actions.c), end to end between two engines:
 * what one side's plugins add the other side's plugins see, a refusal
 * fails the exchange, timers fire in order on the fake clock, and an SA
 * starts over or moves.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "ike.h"
#include "ike_int.h" /* to set hooks in the harness's env, and peek */
#include "testutil.h"

#include "engine_harness.h"

#define N_PRIVATE 40969 /* a private-use status notify */
#define MAX_SEEN  32

/* One message as a hook saw it. */
struct seen {
	uint8_t exchange;
	bool request, inbound, initiator;
	unsigned ike_id;
	char conn[IKE_NAME_MAX];
	uint8_t spi_i[IKEV2_SPI_LEN], spi_r[IKEV2_SPI_LEN];
	struct ike_endpoint local, remote;
	char priv[32]; /* data of our private notify, "" if none */
	unsigned n_cert, n_certreq;
	char cert[32], certreq[32]; /* the first of each */
};

static struct seen seen_in[2][MAX_SEEN], seen_out[2][MAX_SEEN];
static unsigned n_in[2], n_out[2];
static uint16_t refuse_exchange[2]; /* ext_input refuses it with... */
static uint16_t refuse_with[2];
static char order[2][64]; /* inner payloads of the message verified */
static bool sign_saw_msg[2];
static unsigned verified[2];
static bool id_refuse;
static bool follow_peer; /* ext_input moves its SA to where input came from */
static int (*psk_verify)(void *, const struct ike_auth_req *, uint8_t,
			 struct bytes, char *, size_t);
static int (*psk_sign)(void *, const struct ike_auth_req *, uint8_t *,
		       uint8_t *, size_t *);

static int
idx(const void *ctx)
{
	return ctx == &moon ? 0 : 1;
}

static void
text(char *out, size_t cap, struct bytes b)
{
	size_t n = b.len < cap - 1 ? b.len : cap - 1;

	memcpy(out, b.ptr, n);
	out[n] = '\0';
}

static void
record(struct seen *s, const struct ike_msg_view *m)
{
	size_t i;

	memset(s, 0, sizeof(*s));
	s->exchange = m->exchange;
	s->request = m->request;
	s->inbound = m->inbound;
	s->initiator = m->initiator;
	s->ike_id = m->ike_id;
	if (m->conn)
		snprintf(s->conn, sizeof(s->conn), "%s", m->conn);
	memcpy(s->spi_i, m->spi_i, IKEV2_SPI_LEN);
	memcpy(s->spi_r, m->spi_r, IKEV2_SPI_LEN);
	s->local = *m->local;
	s->remote = *m->remote;
	for (i = 0; i < m->n_payloads; i++) {
		const struct ike_in_payload *p = &m->payloads[i];

		if (p->type == IKEV2_PL_N && p->sub == N_PRIVATE)
			text(s->priv, sizeof(s->priv), p->data);
		if (p->type == IKEV2_PL_CERT && !s->n_cert++)
			text(s->cert, sizeof(s->cert), p->data);
		if (p->type == IKEV2_PL_CERTREQ && !s->n_certreq++)
			text(s->certreq, sizeof(s->certreq), p->data);
	}
}

static void
hook_build(void *ctx, const struct ike_msg_view *m, struct ike_out *out)
{
	int h = idx(ctx);
	const char *name = h ? "from sun" : "from moon";

	ck_assert_uint_lt(n_out[h], MAX_SEEN);
	record(&seen_out[h][n_out[h]++], m);
	ck_assert_uint_eq(m->n_payloads, 0);
	ck_assert_int_eq(ike_out_notify(out, N_PRIVATE, name, strlen(name)), 0);
	ck_assert_int_eq(ike_out_vendor_id(out, "charond-test", 12), 0);
}

static int
hook_input(void *ctx, const struct ike_msg_view *m, char *why, size_t len)
{
	int h = idx(ctx);

	ck_assert_uint_lt(n_in[h], MAX_SEEN);
	record(&seen_in[h][n_in[h]++], m);
	/* As natt does: an input hook may move the SA it reads. */
	if (follow_peer && m->ike_id && m->exchange != IKEV2_EXCH_IKE_SA_INIT)
		ck_assert_int_eq(ike_sa_move(h ? sun.e : moon.e, now, m->ike_id,
					     m->local, m->remote),
				 0);
	if (refuse_with[h] && m->exchange == refuse_exchange[h]) {
		snprintf(why, len, "the test says no");
		return refuse_with[h];
	}
	return 0;
}

static const struct seen *
find(const struct seen *s, unsigned n, uint8_t exchange, bool request)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (s[i].exchange == exchange && s[i].request == request)
			return &s[i];
	return NULL;
}

static void
with_ext_hooks(void)
{
	memset(seen_in, 0, sizeof(seen_in));
	memset(seen_out, 0, sizeof(seen_out));
	memset(n_in, 0, sizeof(n_in));
	memset(n_out, 0, sizeof(n_out));
	memset(refuse_with, 0, sizeof(refuse_with));
	memset(order, 0, sizeof(order));
	memset(verified, 0, sizeof(verified));
	memset(sign_saw_msg, 0, sizeof(sign_saw_msg));
	id_refuse = false;
	follow_peer = false;
	setup_pair("aes128gcm16-prfsha256-ecp256", "aes128gcm16",
		   "aes128gcm16-prfsha256-ecp256", "aes128gcm16", false,
		   "secret", "secret");
	moon.e->env.ext_build = sun.e->env.ext_build = hook_build;
	moon.e->env.ext_input = sun.e->env.ext_input = hook_input;
}

static const uint8_t zero_spi[IKEV2_SPI_LEN];

START_TEST(ext_payloads_reach_the_peer)
{
	const struct seen *s;
	struct ike_sa *m_sa, *s_sa;

	with_ext_hooks();
	bring_up();
	ck_assert_uint_eq(live(&moon), 1);
	m_sa = first_sa(&moon);
	s_sa = first_sa(&sun);

	/* moon's IKE_SA_INIT request, as built and as sun read it. */
	s = find(seen_out[0], n_out[0], IKEV2_EXCH_IKE_SA_INIT, true);
	ck_assert_ptr_nonnull(s);
	ck_assert(!s->inbound && s->initiator);
	ck_assert_uint_eq(s->ike_id, m_sa->id);
	ck_assert_mem_eq(&s->local, &moon.addr, sizeof(moon.addr));
	ck_assert_mem_eq(&s->remote, &sun.addr, sizeof(sun.addr));
	s = find(seen_in[1], n_in[1], IKEV2_EXCH_IKE_SA_INIT, true);
	ck_assert_ptr_nonnull(s);
	ck_assert(s->inbound && !s->initiator);
	ck_assert_uint_eq(s->ike_id, 0); /* no SA yet */
	ck_assert_str_eq(s->conn, "site");
	ck_assert_str_eq(s->priv, "from moon");
	ck_assert_mem_eq(s->spi_i, m_sa->spi_i, IKEV2_SPI_LEN);
	ck_assert_mem_eq(s->spi_r, zero_spi, IKEV2_SPI_LEN);
	ck_assert_mem_eq(&s->local, &sun.addr, sizeof(sun.addr));
	ck_assert_mem_eq(&s->remote, &moon.addr, sizeof(moon.addr));

	/* sun's answer as moon read it: the SA's SPIs, both. */
	s = find(seen_in[0], n_in[0], IKEV2_EXCH_IKE_SA_INIT, false);
	ck_assert_ptr_nonnull(s);
	ck_assert(s->inbound && s->initiator);
	ck_assert_uint_eq(s->ike_id, m_sa->id);
	ck_assert_str_eq(s->priv, "from sun");
	ck_assert_mem_eq(s->spi_r, s_sa->spi_r, IKEV2_SPI_LEN);
	ck_assert_mem_eq(&s->local, &moon.addr, sizeof(moon.addr));
	s = find(seen_out[1], n_out[1], IKEV2_EXCH_IKE_SA_INIT, false);
	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(s->ike_id, s_sa->id);
	ck_assert(!s->initiator && !s->inbound);

	/* IKE_AUTH both ways, after the ICV held. */
	s = find(seen_in[1], n_in[1], IKEV2_EXCH_IKE_AUTH, true);
	ck_assert_ptr_nonnull(s);
	ck_assert_str_eq(s->priv, "from moon");
	ck_assert_uint_eq(s->ike_id, s_sa->id);
	s = find(seen_in[0], n_in[0], IKEV2_EXCH_IKE_AUTH, false);
	ck_assert_ptr_nonnull(s);
	ck_assert_str_eq(s->priv, "from sun");

	/* INFORMATIONAL: a liveness check and its answer. */
	now += 1000;
	ck_assert_int_eq(ike_liveness(moon.e, now, m_sa->id), 0);
	pump();
	s = find(seen_in[1], n_in[1], IKEV2_EXCH_INFORMATIONAL, true);
	ck_assert_ptr_nonnull(s);
	ck_assert(s->inbound && s->request && !s->initiator);
	ck_assert_str_eq(s->priv, "from moon");
	ck_assert_mem_eq(s->spi_i, m_sa->spi_i, IKEV2_SPI_LEN);
	ck_assert_mem_eq(s->spi_r, m_sa->spi_r, IKEV2_SPI_LEN);
	s = find(seen_in[0], n_in[0], IKEV2_EXCH_INFORMATIONAL, false);
	ck_assert_ptr_nonnull(s);
	ck_assert(s->inbound && !s->request && s->initiator);
	ck_assert_str_eq(s->priv, "from sun");
	/* No hooks in CREATE_CHILD_SA. */
	ck_assert_ptr_null(
	    find(seen_in[1], n_in[1], IKEV2_EXCH_CREATE_CHILD_SA, true));
	teardown_pair();
}
END_TEST

START_TEST(ext_input_refuses_ike_sa_init)
{
	struct datagram d;
	struct msg *m = malloc(sizeof(*m));

	with_ext_hooks();
	refuse_exchange[1] = IKEV2_EXCH_IKE_SA_INIT;
	refuse_with[1] = IKEV2_N_TEMPORARY_FAILURE;
	sun.watch = "the test says no";
	ck_assert_uint_gt(ike_initiate(moon.e, now, "site", NULL), 0);
	ck_assert_uint_eq(q_len, 1);
	d = queue[0];
	q_len = 0;
	ike_input(sun.e, now, &d.to, &d.from, d.data, d.len);
	ck_assert_ptr_null(first_sa(&sun));
	ck_assert_uint_eq(sun.logs_with, 1);
	d = queue[0];
	only_answer(m);
	ck_assert_uint_eq(notify_of(m), IKEV2_N_TEMPORARY_FAILURE);
	queue[q_len++] = d;
	pump();
	ck_assert(has_event(&moon, IKE_EV_FAILED));
	ck_assert_ptr_null(first_sa(&moon));
	ck_assert_uint_eq(moon.n_inst + sun.n_inst, 0);
	free(m);
	teardown_pair();
}
END_TEST

START_TEST(ext_input_refuses_ike_sa_init_response)
{
	with_ext_hooks();
	refuse_exchange[0] = IKEV2_EXCH_IKE_SA_INIT;
	refuse_with[0] = IKEV2_N_NO_PROPOSAL_CHOSEN;
	bring_up();
	ck_assert(has_event(&moon, IKE_EV_FAILED));
	ck_assert_ptr_null(first_sa(&moon));
	ck_assert_uint_eq(moon.n_inst + sun.n_inst, 0);
	teardown_pair();
}
END_TEST

START_TEST(ext_input_refuses_ike_auth)
{
	with_ext_hooks();
	refuse_exchange[1] = IKEV2_EXCH_IKE_AUTH;
	refuse_with[1] = IKEV2_N_AUTHENTICATION_FAILED;
	bring_up();
	ck_assert(has_event(&moon, IKE_EV_AUTH_FAILED));
	ck_assert_ptr_null(first_sa(&sun));
	ck_assert_ptr_null(first_sa(&moon));
	ck_assert_uint_eq(moon.n_inst + sun.n_inst, 0);
	teardown_pair();
}
END_TEST

static int
hook_auth_payloads(void *ctx, const struct ike_auth_req *r, struct ike_out *out)
{
	int h = idx(ctx);
	const char *cert = h ? "sun-cert" : "moon-cert";
	const char *ca = h ? "ca-of-sun" : "ca-of-moon";

	ck_assert_ptr_nonnull(r->conn);
	ck_assert_int_eq(
	    ike_out_cert(out, IKEV2_CERT_X509_SIG, cert, strlen(cert)), 0);
	ck_assert_int_eq(
	    ike_out_certreq(out, IKEV2_CERT_X509_SIG, ca, strlen(ca)), 0);
	return 0;
}

/* The inner payload types of the message being verified, in order. */
static void
note_order(int h, const struct ike_engine *e)
{
	unsigned i;

	for (i = 0; i < e->msg->n; i++)
		if (e->msg->pl[i].inner)
			snprintf(order[h] + strlen(order[h]),
				 sizeof(order[h]) - strlen(order[h]), "%s ",
				 pld_type_name(e->msg->pl[i].type));
}

static int
hook_verify(void *ctx, const struct ike_auth_req *r, uint8_t method,
	    struct bytes data, char *why, size_t why_len)
{
	int h = idx(ctx);

	verified[h]++;
	ck_assert_ptr_nonnull(r->msg);
	record(&seen_in[h][n_in[h]++], r->msg);
	note_order(h, h ? sun.e : moon.e);
	return psk_verify(ctx, r, method, data, why, why_len);
}

static int
hook_sign(void *ctx, const struct ike_auth_req *r, uint8_t *method,
	  uint8_t *out, size_t *len)
{
	sign_saw_msg[idx(ctx)] = r->msg != NULL;
	return psk_sign(ctx, r, method, out, len);
}

static void
with_auth_hooks(void)
{
	with_ext_hooks();
	moon.e->env.ext_build = sun.e->env.ext_build = NULL;
	psk_verify = moon.e->env.auth_verify;
	psk_sign = moon.e->env.auth_sign;
	moon.e->env.auth_verify = sun.e->env.auth_verify = hook_verify;
	moon.e->env.auth_sign = sun.e->env.auth_sign = hook_sign;
	moon.e->env.auth_payloads = sun.e->env.auth_payloads =
	    hook_auth_payloads;
}

START_TEST(auth_payloads_reach_the_peers_verify)
{
	const struct seen *s;

	with_auth_hooks();
	bring_up();
	assert_pair_matches();

	/* sun asked for certificates in its IKE_SA_INIT answer. */
	s = find(seen_in[0], n_in[0], IKEV2_EXCH_IKE_SA_INIT, false);
	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(s->n_cert, 0);
	ck_assert_uint_eq(s->n_certreq, 1);
	ck_assert_str_eq(s->certreq, "ca-of-sun");

	/* moon's IKE_AUTH request: IDi, CERT, CERTREQ, IDr, AUTH, ... */
	ck_assert_uint_eq(verified[1], 1);
	s = &seen_in[1][n_in[1] - 1];
	ck_assert_uint_eq(s->exchange, IKEV2_EXCH_IKE_AUTH);
	ck_assert_uint_eq(s->n_cert, 1);
	ck_assert_str_eq(s->cert, "moon-cert");
	ck_assert_uint_eq(s->n_certreq, 1);
	ck_assert_str_eq(s->certreq, "ca-of-moon");
	ck_assert_str_eq(order[1], "IDi CERT CERTREQ IDr AUTH SA TSi TSr ");

	/* sun's answer: IDr, CERT, AUTH, and no CERTREQ (it asked before). */
	ck_assert_uint_eq(verified[0], 1);
	s = &seen_in[0][n_in[0] - 1];
	ck_assert_uint_eq(s->exchange, IKEV2_EXCH_IKE_AUTH);
	ck_assert(!s->request);
	ck_assert_uint_eq(s->n_cert, 1);
	ck_assert_str_eq(s->cert, "sun-cert");
	ck_assert_uint_eq(s->n_certreq, 0);
	ck_assert_str_eq(order[0], "IDr CERT AUTH SA TSi TSr ");

	/* Signing: the responder sees the request, the initiator nothing. */
	ck_assert(!sign_saw_msg[0]);
	ck_assert(sign_saw_msg[1]);
	teardown_pair();
}
END_TEST

static int
hook_id_check(void *ctx, const struct ike_auth_req *r, char *why,
	      size_t why_len)
{
	ck_assert_ptr_nonnull(r->peer_id);
	ck_assert_ptr_nonnull(r->msg);
	if (!id_refuse)
		return 0;
	snprintf(why, why_len, "no subjectAltName %.*s",
		 (int)r->peer_id->data.len, r->peer_id->data.ptr);
	return -1;
}

START_TEST(auth_id_check_refuses)
{
	with_auth_hooks();
	sun.e->env.auth_id_check = hook_id_check;
	id_refuse = true;
	sun.watch = "no subjectAltName moon.example.org";
	bring_up();
	ck_assert_uint_eq(sun.logs_with, 1);
	ck_assert_uint_eq(verified[1], 0); /* refused before verify */
	ck_assert(has_event(&sun, IKE_EV_AUTH_FAILED));
	ck_assert(has_event(&moon, IKE_EV_AUTH_FAILED));
	ck_assert_ptr_nonnull(
	    strstr(moon.ev_reason[0], "AUTHENTICATION_FAILED"));
	ck_assert_uint_eq(moon.n_inst + sun.n_inst, 0);
	ck_assert_ptr_null(first_sa(&moon));
	ck_assert_ptr_null(first_sa(&sun));
	teardown_pair();
}
END_TEST

/* The initiator refusing the responder deletes the SA the responder
 * believes up (RFC 7296 2.21.2): no SA is left on either end. */
START_TEST(auth_initiator_refuses)
{
	with_auth_hooks();
	moon.e->env.auth_id_check = hook_id_check;
	id_refuse = true;
	moon.watch = "no subjectAltName sun.example.org";
	bring_up();
	pump();
	ck_assert_uint_eq(moon.logs_with, 1);
	ck_assert(has_event(&moon, IKE_EV_AUTH_FAILED));
	/* sun installed its CHILD SA, and removed it with the SA. */
	ck_assert_uint_eq(moon.n_inst, 0);
	ck_assert_uint_eq(live(&sun), 0);
	ck_assert_ptr_null(first_sa(&moon));
	ck_assert_ptr_null(first_sa(&sun));
	teardown_pair();
}
END_TEST

START_TEST(auth_id_check_accepts)
{
	with_auth_hooks();
	moon.e->env.auth_id_check = sun.e->env.auth_id_check = hook_id_check;
	bring_up();
	assert_pair_matches();
	teardown_pair();
}
END_TEST

/* The DER of "CN=moon": what a certificate plugin would give. */
static const uint8_t moon_dn[] = {0x30, 0x0f, 0x31, 0x0d, 0x30, 0x0b,
				  0x06, 0x03, 0x55, 0x04, 0x03, 0x0c,
				  0x04, 'm',  'o',  'o',  'n'};

static int
hook_local_id(void *ctx, const char *conn, uint8_t *type, uint8_t *data,
	      size_t *len)
{
	ck_assert_str_eq(conn, "site");
	ck_assert_uint_ge(*len, sizeof(moon_dn));
	memcpy(data, moon_dn, sizeof(moon_dn));
	*len = sizeof(moon_dn);
	*type = IKEV2_ID_DER_ASN1_DN;
	return 0;
}

static void
got_local_id(void *ctx, const struct ike_sa_info *sa)
{
	*(struct pld_id *)ctx = sa->local_id;
}

static void
got_remote_id(void *ctx, const struct ike_sa_info *sa)
{
	*(struct pld_id *)ctx = sa->remote_id;
}

/* A connection without a local ID takes the host's (a certificate's DN)
 * where it would send its address: in the ID payload, in what it signs,
 * in list-sas on both ends, in the peer's log; and keeps it through a
 * rekey. */
START_TEST(auth_local_id_from_the_host)
{
	static struct ike_conn_cfg c;
	struct pld_id id = {0};
	uint8_t buf[64];
	char log[64];

	with_auth_hooks();
	conn_cfg(&c, &moon, &sun, "aes128gcm16-prfsha256-ecp256", "aes128gcm16",
		 false);
	c.children[0].start = true;
	memset(&c.local_id, 0, sizeof(c.local_id));
	ck_assert_int_eq(ike_engine_set_conns(moon.e, &c, 1, now), 0);
	conn_cfg(&c, &sun, &moon, "aes128gcm16-prfsha256-ecp256", "aes128gcm16",
		 false);
	memset(&c.remote_id, 0, sizeof(c.remote_id));
	ck_assert_int_eq(ike_engine_set_conns(sun.e, &c, 1, now), 0);
	moon.e->env.auth_local_id = hook_local_id;
	sun.watch = "peer 'CN=moon' authenticated";
	bring_up();
	assert_pair_matches();
	ck_assert_uint_eq(sun.logs_with, 1);
	ck_assert_uint_eq(
	    ike_query_sa(moon.e, first_sa(&moon)->id, got_local_id, &id), 1);
	ck_assert_uint_eq(id.type, IKEV2_ID_DER_ASN1_DN);
	ck_assert_mem_eq(id.data.ptr, moon_dn, sizeof(moon_dn));
	ck_assert_uint_eq(
	    ike_query_sa(sun.e, first_sa(&sun)->id, got_remote_id, &id), 1);
	ck_assert_uint_eq(id.type, IKEV2_ID_DER_ASN1_DN);
	ck_assert_uint_eq(id.data.len, sizeof(moon_dn));
	ck_assert_int_eq(
	    ike_dn_text(moon_dn, sizeof(moon_dn), log, sizeof(log)), 0);
	ck_assert_str_eq(log, "CN=moon");
	/* The rekeyed SA says the same. */
	ck_assert_int_eq(ike_rekey(moon.e, now, first_sa(&moon)->id), 0);
	pump();
	ck_assert(has_event(&moon, IKE_EV_IKE_REKEYED));
	memset(&id, 0, sizeof(id));
	ck_assert_uint_eq(
	    ike_query_sa(moon.e, first_sa(&moon)->id, got_local_id, &id), 1);
	ck_assert_uint_eq(id.type, IKEV2_ID_DER_ASN1_DN);
	ck_assert_mem_eq(id.data.ptr, moon_dn, sizeof(moon_dn));
	/* Not a DN: no text. */
	memcpy(buf, moon_dn, sizeof(moon_dn));
	buf[0] = 0x31;
	ck_assert_int_eq(ike_dn_text(buf, sizeof(moon_dn), log, sizeof(log)),
			 -1);
	teardown_pair();
}
END_TEST

/* DNs as text both ways, and compared as X.509 does. */
START_TEST(dn_text_both_ways)
{
	/* O=Example (PrintableString), CN=moon (UTF8String). */
	static const uint8_t printable[] = {
	    0x30, 0x22, 0x31, 0x10, 0x30, 0x0e, 0x06, 0x03, 0x55,
	    0x04, 0x0a, 0x13, 0x07, 'E',  'x',  'a',  'm',  'p',
	    'l',  'e',  0x31, 0x0e, 0x30, 0x0c, 0x06, 0x03, 0x55,
	    0x04, 0x03, 0x0c, 0x05, 'm',  'o',  'o',  'n',  '2'};
	uint8_t der[IKE_ID_MAX];
	size_t n = sizeof(der);
	char text[128];

	ck_assert_int_eq(ike_dn_from_text("CN=moon2, O=Example", der, &n), 0);
	ck_assert_int_eq(ike_dn_text(der, n, text, sizeof(text)), 0);
	ck_assert_str_eq(text, "CN=moon2,O=Example");
	ck_assert(ike_dn_equal(der, n, printable, sizeof(printable)));
	ck_assert_int_eq(
	    ike_dn_text(printable, sizeof(printable), text, sizeof(text)), 0);
	ck_assert_str_eq(text, "CN=moon2,O=Example");
	n = sizeof(der);
	ck_assert_int_eq(ike_dn_from_text("O=Example, CN=moon2", der, &n), 0);
	ck_assert(!ike_dn_equal(der, n, printable, sizeof(printable)));
	/* An escaped comma stays in its value. */
	n = sizeof(der);
	ck_assert_int_eq(ike_dn_from_text("CN=a\\, b,O=c", der, &n), 0);
	ck_assert_int_eq(ike_dn_text(der, n, text, sizeof(text)), 0);
	ck_assert_str_eq(text, "CN=a\\, b,O=c");
	/* Not DNs. */
	n = sizeof(der);
	ck_assert_int_eq(ike_dn_from_text("moon.example.org", der, &n), -1);
	ck_assert_int_eq(ike_dn_from_text("CN=", der, &n), -1);
	ck_assert_int_eq(ike_dn_from_text("XYZZY=1", der, &n), -1);
	ck_assert_int_eq(ike_dn_from_text("CN=a,,O=b", der, &n), -1);
	n = 4;
	ck_assert_int_eq(ike_dn_from_text("CN=moon", der, &n), -1);
}
END_TEST

/* The bounds of struct ike_out, tried from a hook. */
static void
hook_build_bounds(void *ctx, const struct ike_msg_view *m, struct ike_out *out)
{
	static uint8_t big[IKE_OUT_MAX_PAYLOAD_LEN + 1];
	unsigned i;

	if (m->exchange != IKEV2_EXCH_INFORMATIONAL || idx(ctx))
		return;
	/* A chain of three 3 KB certificates fits, with a CERTREQ. */
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(ike_out_cert(out, 4, big, 3000), 0);
	ck_assert_int_eq(ike_out_certreq(out, 4, big, 20), 0);
	/* One payload of more than 8 KB does not. */
	ck_assert_int_eq(ike_out_cert(out, 4, big, sizeof(big)), -1);
	/* Nor more than 16 KB in all. */
	ck_assert_int_eq(ike_out_cert(out, 4, big, 16384 - 9020 + 1), -1);
	ck_assert_int_eq(ike_out_cert(out, 4, big, 16384 - 9020), 0);
	ck_assert_int_eq(ike_out_vendor_id(out, big, 1), -1);
	/* Nor more than 16 payloads. */
	for (i = 5; i < IKE_OUT_MAX_PAYLOADS; i++)
		ck_assert_int_eq(ike_out_notify(out, N_PRIVATE, NULL, 0), 0);
	ck_assert_int_eq(ike_out_notify(out, N_PRIVATE, NULL, 0), -1);
	ck_assert_int_eq(ike_out_notify(NULL, N_PRIVATE, NULL, 0), -1);
	n_out[0]++;
}

START_TEST(ike_out_is_bounded)
{
	const struct seen *s;

	with_ext_hooks();
	bring_up();
	moon.e->env.ext_build = hook_build_bounds;
	n_out[0] = 0;
	ck_assert_int_eq(ike_liveness(moon.e, now, first_sa(&moon)->id), 0);
	pump();
	ck_assert_uint_eq(n_out[0], 1);
	/* The notifies went out (the CERTs of ext_build do not). */
	s = find(seen_in[1], n_in[1], IKEV2_EXCH_INFORMATIONAL, true);
	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(s->n_cert, 0);
	teardown_pair();
}
END_TEST

/* --- host timers ------------------------------------------------------ */

static char fired[64];
static uint64_t fired_at[64];
static struct ike_engine *timer_engine;

static void
timer_cb(void *arg, uint64_t t)
{
	size_t n = strlen(fired);

	fired[n] = *(const char *)arg;
	fired_at[n] = t;
}

static void
timer_cb_adds(void *arg, uint64_t t)
{
	timer_cb(arg, t);
	ck_assert_uint_ne(ike_timer_add(timer_engine, t + 100, timer_cb, "f"),
			  0);
	/* Due already: it fires at the next tick, not in this one. */
	ck_assert_uint_ne(ike_timer_add(timer_engine, t, timer_cb, "g"), 0);
}

static uint64_t victim;

static void
timer_cb_cancels(void *arg, uint64_t t)
{
	timer_cb(arg, t);
	ike_timer_cancel(timer_engine, victim);
}

START_TEST(host_timers_fire_in_order)
{
	uint64_t t4, t6, t7;

	memset(fired, 0, sizeof(fired));
	setup_pair("aes128gcm16-prfsha256-ecp256", "aes128gcm16",
		   "aes128gcm16-prfsha256-ecp256", "aes128gcm16", false, "s",
		   "s");
	timer_engine = moon.e;
	ck_assert_uint_eq(ike_next_deadline(moon.e), UINT64_MAX);
	ck_assert_uint_eq(ike_timer_add(moon.e, 1, NULL, NULL), 0);
	ck_assert_uint_ne(ike_timer_add(moon.e, 5000, timer_cb, "a"), 0);
	ck_assert_uint_ne(ike_timer_add(moon.e, 3000, timer_cb, "b"), 0);
	ck_assert_uint_ne(ike_timer_add(moon.e, 3000, timer_cb, "c"), 0);
	t4 = ike_timer_add(moon.e, 4000, timer_cb, "d");
	ck_assert_uint_ne(ike_timer_add(moon.e, 3500, timer_cb_adds, "e"), 0);
	ike_timer_cancel(moon.e, t4);
	ike_timer_cancel(moon.e, t4); /* twice: nothing */
	ike_timer_cancel(moon.e, 0);
	ck_assert_uint_eq(ike_next_deadline(moon.e), 3000);
	ck_assert_uint_eq(ike_tick(moon.e, 2999), 3000);
	ck_assert_str_eq(fired, "");
	ck_assert_uint_eq(ike_tick(moon.e, 3000), 3500);
	ck_assert_str_eq(fired, "bc");
	ck_assert_uint_eq(ike_tick(moon.e, 3500), 3500); /* g is due */
	ck_assert_str_eq(fired, "bce");
	ck_assert_uint_eq(ike_tick(moon.e, 3500), 3600);
	ck_assert_str_eq(fired, "bceg");
	ck_assert_uint_eq(ike_tick(moon.e, 10000), UINT64_MAX);
	ck_assert_str_eq(fired, "bcegfa");
	ck_assert_uint_eq(fired_at[4], 10000);

	/* A stale handle does not cancel the timer that reuses its slot. */
	t6 = ike_timer_add(moon.e, 11000, timer_cb, "h");
	ike_tick(moon.e, 11000);
	t7 = ike_timer_add(moon.e, 12000, timer_cb, "i");
	ck_assert_uint_ne(t6, t7);
	ike_timer_cancel(moon.e, t6);
	ike_tick(moon.e, 12000);
	ck_assert_str_eq(fired, "bcegfahi");

	/* A callback may cancel a timer due in the same tick. */
	victim = ike_timer_add(moon.e, 13000, timer_cb, "y");
	ike_timer_add(moon.e, 12500, timer_cb_cancels, "x");
	ike_tick(moon.e, 13000);
	ck_assert_str_eq(fired, "bcegfahix");
	ck_assert_uint_eq(ike_next_deadline(moon.e), UINT64_MAX);

	/* Left pending: freed with the engine. */
	ike_timer_add(moon.e, 20000, timer_cb, "z");
	teardown_pair();
}
END_TEST

static uint64_t order_last;
static unsigned order_n;

static void
timer_cb_order(void *arg, uint64_t t)
{
	uint64_t d = (uint64_t)(uintptr_t)arg;

	ck_assert_uint_ge(d, order_last);
	order_last = d;
	order_n++;
}

START_TEST(host_timers_heap_under_load)
{
	uint64_t h[1000];
	unsigned i, x = 12345, cancelled = 0;

	setup_pair("aes128gcm16-prfsha256-ecp256", "aes128gcm16",
		   "aes128gcm16-prfsha256-ecp256", "aes128gcm16", false, "s",
		   "s");
	order_last = 0;
	order_n = 0;
	for (i = 0; i < 1000; i++) {
		uint64_t d;

		x = x * 1103515245 + 12345;
		d = 1000 + (x >> 16) % 5000;
		h[i] = ike_timer_add(moon.e, d, timer_cb_order,
				     (void *)(uintptr_t)d);
		ck_assert_uint_ne(h[i], 0);
	}
	for (i = 0; i < 1000; i += 7, cancelled++)
		ike_timer_cancel(moon.e, h[i]);
	for (now = 1000; now <= 6000; now += 250)
		ike_tick(moon.e, now);
	ck_assert_uint_eq(order_n, 1000 - cancelled);
	ck_assert_uint_eq(ike_next_deadline(moon.e), UINT64_MAX);
	teardown_pair();
}
END_TEST

/* ike_export_ike_keys: both ends give the same keys, in the engine's
 * own bytes; AEAD has no integrity keys; a missing SA gives none. */
static struct exported {
	int calls;
	struct ike_key_export k;
	uint8_t spi_i[8], spi_r[8], ei[64], er[64], ai[64], ar[64];
} xk[2];

static void
copy_key(uint8_t *dst, struct bytes *b)
{
	ck_assert_uint_le(b->len, 64);
	if (b->len)
		memcpy(dst, b->ptr, b->len);
	b->ptr = dst;
}

static void
got_keys(void *ctx, const struct ike_key_export *k)
{
	struct exported *x = ctx;

	x->calls++;
	x->k = *k;
	memcpy(x->spi_i, k->spi_i, 8);
	memcpy(x->spi_r, k->spi_r, 8);
	copy_key(x->ei, &x->k.sk_ei);
	copy_key(x->er, &x->k.sk_er);
	copy_key(x->ai, &x->k.sk_ai);
	copy_key(x->ar, &x->k.sk_ar);
}

static void
export_both(void)
{
	memset(xk, 0, sizeof(xk));
	ck_assert_int_eq(
	    ike_export_ike_keys(moon.e, first_sa(&moon)->id, got_keys, &xk[0]),
	    0);
	ck_assert_int_eq(
	    ike_export_ike_keys(sun.e, first_sa(&sun)->id, got_keys, &xk[1]),
	    0);
	ck_assert_int_eq(xk[0].calls, 1);
	ck_assert_int_eq(xk[1].calls, 1);
	ck_assert_mem_eq(xk[0].spi_i, xk[1].spi_i, 8);
	ck_assert_mem_eq(xk[0].spi_r, xk[1].spi_r, 8);
	ck_assert_mem_eq(xk[0].spi_i, first_sa(&moon)->spi_i, 8);
	ck_assert_uint_eq(xk[0].k.encr, xk[1].k.encr);
	ck_assert_uint_eq(xk[0].k.integ, xk[1].k.integ);
	ck_assert_uint_eq(xk[0].k.sk_ei.len, xk[1].k.sk_ei.len);
	ck_assert_mem_eq(xk[0].ei, xk[1].ei, xk[0].k.sk_ei.len);
	ck_assert_mem_eq(xk[0].er, xk[1].er, xk[0].k.sk_er.len);
	ck_assert_mem_eq(xk[0].ai, xk[1].ai, xk[0].k.sk_ai.len);
	ck_assert_mem_eq(xk[0].ar, xk[1].ar, xk[0].k.sk_ar.len);
	ck_assert_mem_eq(xk[0].ei, first_sa(&moon)->v2.keys.sk_ei->ptr,
			 xk[0].k.sk_ei.len);
}

START_TEST(export_ike_keys)
{
	setup_pair("aes128gcm16-prfsha256-ecp256", "aes128gcm16",
		   "aes128gcm16-prfsha256-ecp256", "aes128gcm16", false, "s",
		   "s");
	now = 1000;
	bring_up();
	export_both();
	ck_assert_uint_eq(xk[0].k.encr, IKEV2_ENCR_AES_GCM_16);
	ck_assert_uint_eq(xk[0].k.encr_bits, 128);
	ck_assert_uint_eq(xk[0].k.icv_len, 16);
	ck_assert_uint_eq(xk[0].k.integ, 0);
	ck_assert_uint_eq(xk[0].k.sk_ei.len, 20); /* key and salt */
	ck_assert_uint_eq(xk[0].k.sk_ai.len, 0);
	ck_assert_int_eq(ike_export_ike_keys(moon.e, 999999, got_keys, &xk[0]),
			 -1);
	ck_assert_int_eq(xk[0].calls, 1);
	teardown_pair();

	setup_pair("aes256-sha256-modp2048", "aes128-sha256",
		   "aes256-sha256-modp2048", "aes128-sha256", false, "s", "s");
	now = 1000;
	bring_up();
	export_both();
	ck_assert_uint_eq(xk[0].k.encr, IKEV2_ENCR_AES_CBC);
	ck_assert_uint_eq(xk[0].k.encr_bits, 256);
	ck_assert_uint_eq(xk[0].k.icv_len, 0);
	ck_assert_uint_eq(xk[0].k.integ, IKEV2_INTEG_HMAC_SHA2_256_128);
	ck_assert_uint_eq(xk[0].k.sk_ei.len, 32);
	ck_assert_uint_eq(xk[0].k.sk_ai.len, 32);
	ck_assert_mem_ne(xk[0].ei, xk[0].er, 32);
	teardown_pair();
}
END_TEST

static unsigned liveness_sa;

static void
timer_cb_liveness(void *arg, uint64_t t)
{
	ck_assert_int_eq(ike_liveness(moon.e, t, liveness_sa), 0);
}

static uint64_t heard;

static void
get_heard(void *ctx, const struct ike_sa_info *in)
{
	heard = in->last_heard;
}

START_TEST(last_heard_advances)
{
	setup_pair("aes128gcm16-prfsha256-ecp256", "aes128gcm16",
		   "aes128gcm16-prfsha256-ecp256", "aes128gcm16", false, "s",
		   "s");
	now = 1000;
	bring_up();
	liveness_sa = first_sa(&moon)->id;
	ck_assert_uint_eq(ike_query_sa(moon.e, liveness_sa, get_heard, NULL),
			  1);
	ck_assert_uint_eq(heard, 1000);
	ck_assert_uint_eq(
	    ike_query_sa(sun.e, first_sa(&sun)->id, get_heard, NULL), 1);
	ck_assert_uint_eq(heard, 1000);

	/* A timer callback asks the peer; its answer is heard. */
	ike_timer_add(moon.e, 7000, timer_cb_liveness, NULL);
	ck_assert_uint_eq(ike_next_deadline(moon.e), 7000);
	advance();
	ck_assert_uint_eq(now, 7000);
	ck_assert_uint_eq(q_len, 1);
	now = 7040;
	pump();
	ike_query_sa(moon.e, liveness_sa, get_heard, NULL);
	ck_assert_uint_eq(heard, 7040);
	ike_query_sa(sun.e, first_sa(&sun)->id, get_heard, NULL);
	ck_assert_uint_eq(heard, 7040);

	/* A rekey's new SA heard the peer in the rekey. */
	now = 8000;
	ck_assert_int_eq(ike_rekey(moon.e, now, liveness_sa), 0);
	pump();
	ck_assert_ptr_nonnull(first_sa(&moon));
	ck_assert_uint_ne(first_sa(&moon)->id, liveness_sa);
	ike_query_sa(moon.e, first_sa(&moon)->id, get_heard, NULL);
	ck_assert_uint_eq(heard, 8000);
	ike_query_sa(sun.e, first_sa(&sun)->id, get_heard, NULL);
	ck_assert_uint_eq(heard, 8000);
	liveness_sa = first_sa(&moon)->id;

	/* A forged message for the SA is not hearing from the peer. */
	now = 9000;
	ck_assert_int_eq(ike_liveness(moon.e, now, liveness_sa), 0);
	ck_assert_uint_eq(q_len, 1);
	queue[0].data[queue[0].len - 1] ^= 1;
	pump();
	ike_query_sa(sun.e, first_sa(&sun)->id, get_heard, NULL);
	ck_assert_uint_eq(heard, 8000);
	teardown_pair();
}
END_TEST

/* --- actions ------------------------------------------------------------ */

static unsigned info_state_children;
static bool info_installed;
static char info_state[32];
static struct ike_endpoint info_local, info_remote;

static void
get_info(void *ctx, const struct ike_sa_info *in)
{
	info_state_children = in->n_children;
	info_installed = in->n_children && in->children[0].installed;
	snprintf(info_state, sizeof(info_state), "%s", in->state);
	info_local = in->local;
	info_remote = in->remote;
}

static void
reinitiate_from(struct host *h)
{
	struct host *peer = h == &moon ? &sun : &moon;
	unsigned old, id;

	setup_pair("aes128gcm16-prfsha256-ecp256", "aes128gcm16",
		   "aes128gcm16-prfsha256-ecp256", "aes128gcm16", false, "s",
		   "s");
	bring_up();
	old = first_sa(h)->id;
	now += 1000;
	id = ike_reinitiate(h->e, now, old);
	ck_assert_uint_ne(id, 0);
	ck_assert_uint_ne(id, old);
	pump();
	ck_assert_uint_eq(ike_query_sa(h->e, old, get_info, NULL), 0);
	ck_assert_uint_eq(ike_query_sa(h->e, id, get_info, NULL), 1);
	ck_assert_str_eq(info_state, "ESTABLISHED");
	ck_assert_uint_eq(info_state_children, 1);
	ck_assert(info_installed);
	ck_assert_uint_eq(live(h), 1);
	ck_assert_uint_eq(live(peer), 1);
	ck_assert_uint_eq(h->n_inst, 2);
	ck_assert_uint_eq(peer->n_inst, 2);
	ck_assert_str_eq(h->inst[1].ci.child, "net");
	ck_assert_uint_eq(h->inst[1].ci.ike_id, id);
	ck_assert(!h->inst[0].live);
	ck_assert_uint_eq(ike_reinitiate(h->e, now, 9999), 0);
	teardown_pair();
}

START_TEST(reinitiate_from_initiator)
{
	reinitiate_from(&moon);
}
END_TEST

/* sun's connection starts no child: the new SA takes the one it had. */
START_TEST(reinitiate_from_responder)
{
	reinitiate_from(&sun);
	ck_assert(sun.inst[1].ci.initiator);
}
END_TEST

/* Two children, each side: "net" (started) and "net2" (10.3/16). */
static void
two_children(void)
{
	static struct ike_conn_cfg c;
	struct host *h[2] = {&moon, &sun};
	int i;

	for (i = 0; i < 2; i++) {
		struct ike_child_cfg *ch;
		bool m = i == 0;

		conn_cfg(&c, h[i], h[1 - i], "aes128gcm16-prfsha256-ecp256",
			 "aes128gcm16", false);
		c.children[0].start = m;
		c.n_children = 2;
		ch = &c.children[1];
		*ch = c.children[0];
		conn_room_child(&c, 1); /* its own arrays, not net's */
		memcpy(ch->proposals, c.children[0].proposals,
		       c.children[0].n_proposals * sizeof(*ch->proposals));
		ch->start = false;
		snprintf(ch->name, sizeof(ch->name), "net2");
		subnet(&ch->local_ts[0], m ? "10.1.0.0" : "10.3.0.0",
		       m ? "10.1.255.255" : "10.3.255.255");
		subnet(&ch->remote_ts[0], m ? "10.3.0.0" : "10.1.0.0",
		       m ? "10.3.255.255" : "10.1.255.255");
		ck_assert_int_eq(ike_engine_set_conns(h[i]->e, &c, 1, now), 0);
	}
}

static unsigned n_installed;

static void
count_installed(void *ctx, const struct ike_sa_info *in)
{
	unsigned i;

	n_installed = 0;
	for (i = 0; i < in->n_children; i++)
		n_installed += in->children[i].installed;
	snprintf(info_state, sizeof(info_state), "%s", in->state);
}

START_TEST(reinitiate_keeps_every_child)
{
	unsigned old, id;

	setup_pair("aes128gcm16-prfsha256-ecp256", "aes128gcm16",
		   "aes128gcm16-prfsha256-ecp256", "aes128gcm16", false, "s",
		   "s");
	two_children();
	bring_up();
	old = first_sa(&moon)->id;
	ck_assert_uint_eq(ike_initiate(moon.e, now, "site", "net2"), old);
	pump();
	ike_query_sa(moon.e, old, count_installed, NULL);
	ck_assert_uint_eq(n_installed, 2);

	id = ike_reinitiate(moon.e, now, old);
	ck_assert_uint_ne(id, 0);
	pump(); /* IKE_SA_INIT, IKE_AUTH with "net", the old SA's DELETE */
	ike_query_sa(moon.e, id, count_installed, NULL);
	ck_assert_str_eq(info_state, "ESTABLISHED");
	ck_assert_uint_eq(n_installed, 1);
	/* "net2" follows in a CREATE_CHILD_SA once the SA is idle. */
	ck_assert_uint_le(ike_next_deadline(moon.e), now);
	ike_tick(moon.e, now);
	pump();
	ike_query_sa(moon.e, id, count_installed, NULL);
	ck_assert_uint_eq(n_installed, 2);
	ck_assert_uint_eq(live(&moon), 2);
	ck_assert_uint_eq(live(&sun), 2);
	ck_assert_uint_eq(ike_query_sa(moon.e, old, count_installed, NULL), 0);
	/* Nothing more to do: the SA sleeps. */
	ck_assert_uint_gt(ike_next_deadline(moon.e), now);
	teardown_pair();
}
END_TEST

/* dpd's restart: the SA died (its peer stopped answering) and the host
 * asks for it again from the IKE_DOWN event, when its children are gone
 * already: the new SA brings back both. */
static unsigned reinit_id, reinit_from;

static void
reinit_on_down(struct host *h, const struct ike_event *ev)
{
	if (ev->type == IKE_EV_IKE_DOWN && ev->ike_id == reinit_from)
		reinit_id = ike_reinitiate(h->e, now, ev->ike_id);
}

static void
reinitiate_dead(bool timeout)
{
	unsigned old, i;

	setup_pair("aes128gcm16-prfsha256-ecp256", "aes128gcm16",
		   "aes128gcm16-prfsha256-ecp256", "aes128gcm16", false, "s",
		   "s");
	two_children();
	bring_up();
	old = first_sa(&moon)->id;
	ck_assert_uint_eq(ike_initiate(moon.e, now, "site", "net2"), old);
	pump();
	ck_assert_uint_eq(live(&moon), 2);
	reinit_from = old;
	reinit_id = 0;
	moon.ev_hook = reinit_on_down;
	moon.n_ev = 0;
	if (timeout) {
		/* Sun is gone: its liveness check is never answered. */
		ck_assert_int_eq(ike_liveness(moon.e, now, old), 0);
		for (i = 0; i < 30 && !has_event(&moon, IKE_EV_IKE_DOWN); i++) {
			q_len = 0;
			advance();
		}
	} else {
		ck_assert_int_eq(
		    ike_sa_kill(moon.e, now, old, "peer not responding"), 0);
		ck_assert_int_eq(
		    ike_sa_kill(moon.e, now, old, "peer not responding"), -1);
	}
	ck_assert(has_event(&moon, IKE_EV_IKE_DOWN));
	ck_assert_str_eq(moon.ev_reason[moon.n_ev - 1], "peer not responding");
	ck_assert_uint_ne(reinit_id, 0);
	ck_assert_uint_ne(reinit_id, old);
	ck_assert_uint_eq(live(&moon), 0);
	/* Only the new IKE_SA_INIT: a dead peer gets no DELETE. */
	ck_assert_uint_eq(q_len, 1);
	moon.ev_hook = NULL;
	pump(); /* sun is back: IKE_SA_INIT, IKE_AUTH with "net" */
	ike_query_sa(moon.e, reinit_id, count_installed, NULL);
	ck_assert_str_eq(info_state, "ESTABLISHED");
	ck_assert_uint_eq(n_installed, 1);
	ike_tick(moon.e, now);
	pump(); /* "net2" */
	ike_query_sa(moon.e, reinit_id, count_installed, NULL);
	ck_assert_uint_eq(n_installed, 2);
	ck_assert_uint_eq(live(&moon), 2);
	/* Once freed, the dead SA is nothing to re-initiate. */
	ike_tick(moon.e, now);
	ck_assert_uint_eq(ike_reinitiate(moon.e, now, old), 0);
	teardown_pair();
}

START_TEST(reinitiate_after_retransmits_gave_up)
{
	reinitiate_dead(true);
}
END_TEST

START_TEST(reinitiate_after_kill)
{
	reinitiate_dead(false);
}
END_TEST

/* An SA that was up and lost its peer is not tried again by keyingtries:
 * restarting it is the host's choice (dpd restart), clear leaves nothing. */
START_TEST(dead_established_sa_not_retried)
{
	static struct ike_conn_cfg c;
	unsigned old, i;

	setup_pair("aes128gcm16-prfsha256-ecp256", "aes128gcm16",
		   "aes128gcm16-prfsha256-ecp256", "aes128gcm16", false, "s",
		   "s");
	conn_cfg(&c, &moon, &sun, "aes128gcm16-prfsha256-ecp256", "aes128gcm16",
		 false);
	c.keyingtries = 3;
	ck_assert_int_eq(ike_engine_set_conns(moon.e, &c, 1, now), 0);
	bring_up();
	old = first_sa(&moon)->id;
	moon.n_ev = 0;
	ck_assert_int_eq(ike_liveness(moon.e, now, old), 0);
	for (i = 0; i < 30 && !has_event(&moon, IKE_EV_IKE_DOWN); i++) {
		q_len = 0;
		advance();
	}
	ck_assert(has_event(&moon, IKE_EV_IKE_DOWN));
	ck_assert_uint_eq(q_len, 0);
	ike_tick(moon.e, now);
	ck_assert_ptr_null(first_sa(&moon));
	teardown_pair();
}
END_TEST

START_TEST(ext_input_refuses_informational)
{
	unsigned id;

	with_ext_hooks();
	bring_up();
	refuse_exchange[1] = IKEV2_EXCH_INFORMATIONAL;
	refuse_with[1] = IKEV2_N_TEMPORARY_FAILURE;
	id = first_sa(&moon)->id;
	ck_assert_int_eq(ike_liveness(moon.e, now, id), 0);
	pump();
	/* Answered with the notify; both SAs stay. */
	ck_assert_ptr_nonnull(first_sa(&sun));
	ck_assert_ptr_nonnull(first_sa(&moon));
	ck_assert_ptr_null(first_sa(&moon)->req.msg);
	ck_assert_uint_eq(live(&moon), 1);

	/* A refused response kills the SA. */
	refuse_with[1] = 0;
	refuse_exchange[0] = IKEV2_EXCH_INFORMATIONAL;
	refuse_with[0] = IKEV2_N_INVALID_SYNTAX;
	ck_assert_int_eq(ike_liveness(moon.e, now, id), 0);
	pump();
	ck_assert_ptr_null(first_sa(&moon));
	ck_assert(has_event(&moon, IKE_EV_IKE_DOWN));
	ck_assert_uint_eq(live(&moon), 0);
	teardown_pair();
}
END_TEST

/* A hook's refusal never stops a DELETE: the peer has closed its half. */
START_TEST(ext_input_cannot_refuse_a_delete)
{
	unsigned id;

	with_ext_hooks();
	bring_up();
	refuse_exchange[1] = IKEV2_EXCH_INFORMATIONAL;
	refuse_with[1] = IKEV2_N_TEMPORARY_FAILURE;
	id = first_sa(&moon)->id;
	ck_assert_int_eq(
	    ike_terminate_child(moon.e, now, id, first_sa(&moon)->children->id),
	    0);
	pump();
	ck_assert_uint_eq(live(&moon), 0);
	ck_assert_uint_eq(live(&sun), 0);
	ck_assert_ptr_nonnull(first_sa(&sun));
	ck_assert_int_eq(ike_terminate(moon.e, now, id), 0);
	pump();
	ck_assert_ptr_null(first_sa(&moon));
	ck_assert_ptr_null(first_sa(&sun));
	teardown_pair();
}
END_TEST

START_TEST(sa_move_moves_children)
{
	struct ike_endpoint l = moon.addr, r;
	unsigned id;

	setup_pair("aes128gcm16-prfsha256-ecp256", "aes128gcm16",
		   "aes128gcm16-prfsha256-ecp256", "aes128gcm16", false, "s",
		   "s");
	bring_up();
	id = first_sa(&moon)->id;
	l = moon.addr;
	r = sun.addr;
	((struct sockaddr_in *)&l.ss)->sin_port = htons(4500);
	((struct sockaddr_in *)&r.ss)->sin_port = htons(4501);
	moon.watch = "moved from 192.0.2.1:500 - 192.0.2.2:500 to "
		     "192.0.2.1:4500 - 192.0.2.2:4501";
	ck_assert_int_eq(ike_sa_move(moon.e, now, id, &l, &r), 0);
	ck_assert_uint_eq(moon.logs_with, 1);
	ck_assert_uint_eq(moon.n_moved, 1);
	ck_assert_uint_eq(moon.n_inst, 1); /* moved, not installed again */
	ck_assert(moon.inst[0].live);
	ck_assert_mem_eq(&moon.inst[0].ci.local, &l, sizeof(l));
	ck_assert_mem_eq(&moon.inst[0].ci.remote, &r, sizeof(r));
	ike_query_sa(moon.e, id, get_info, NULL);
	ck_assert_mem_eq(&info_local, &l, sizeof(l));
	ck_assert_mem_eq(&info_remote, &r, sizeof(r));

	/* Later messages take the new way. */
	ck_assert_int_eq(ike_liveness(moon.e, now, id), 0);
	ck_assert_uint_eq(q_len, 1);
	ck_assert_mem_eq(&queue[0].to, &r, sizeof(r));
	ck_assert_mem_eq(&queue[0].from, &l, sizeof(l));
	pump();
	ck_assert_ptr_null(moon.e->sas->req.msg); /* answered */

	/* Deleting it removes what was moved. */
	ck_assert_int_eq(ike_terminate(moon.e, now, id), 0);
	ck_assert_uint_eq(live(&moon), 0);
	ck_assert_int_eq(ike_sa_move(moon.e, now, 9999, &l, &r), -1);
	pump();
	teardown_pair();
}
END_TEST

static void
get_sa_info(void *ctx, const struct ike_sa_info *sa)
{
	*(struct ike_sa_info *)ctx = *sa;
}

/* RFC 7296 2.11: a response goes to where its request came from, and the
 * input hooks see the datagram's endpoints, not the SA's. */
START_TEST(answer_goes_back_the_way_the_request_came)
{
	struct ike_endpoint l;
	const struct seen *s;
	struct ike_sa_info info;
	struct datagram req;
	unsigned id, sun_id;

	with_ext_hooks();
	bring_up();
	id = first_sa(&moon)->id;
	sun_id = first_sa(&sun)->id;
	l = moon.addr;
	((struct sockaddr_in *)&l.ss)->sin_port = htons(4500);
	/* Only moon moves (as behind a NAT whose mapping changed). */
	ck_assert_int_eq(ike_sa_move(moon.e, now, id, &l, &sun.addr), 0);
	n_in[1] = 0;
	ck_assert_int_eq(ike_liveness(moon.e, now, id), 0);
	ck_assert_uint_eq(q_len, 1);
	req = queue[0];
	q_len = 0;
	ike_input(sun.e, now, &req.to, &req.from, req.data, req.len);
	s = find(seen_in[1], n_in[1], IKEV2_EXCH_INFORMATIONAL, true);
	ck_assert_ptr_nonnull(s);
	ck_assert_mem_eq(&s->remote, &l, sizeof(l));
	ck_assert_uint_eq(q_len, 1);
	ck_assert_mem_eq(&queue[0].to, &l, sizeof(l));
	pump();
	ck_assert_ptr_null(first_sa(&moon)->req.msg); /* answered */
	/* sun's SA stayed where it was: nothing followed moon. */
	ike_query_sa(sun.e, sun_id, get_sa_info, &info);
	ck_assert_mem_eq(&info.remote, &moon.addr, sizeof(moon.addr));

	/* An input hook may move the SA it reads (natt). */
	follow_peer = true;
	ck_assert_int_eq(ike_liveness(moon.e, now, id), 0);
	pump();
	ck_assert_ptr_null(first_sa(&moon)->req.msg);
	ike_query_sa(sun.e, sun_id, get_sa_info, &info);
	ck_assert_mem_eq(&info.remote, &l, sizeof(l));
	/* Its own requests go there now. */
	ck_assert_int_eq(ike_liveness(sun.e, now, sun_id), 0);
	ck_assert_mem_eq(&queue[0].to, &l, sizeof(l));
	pump();

	/* What natt found out shows in the SA's view. */
	ck_assert(!info.nat_local && !info.nat_remote);
	ck_assert_int_eq(ike_sa_set_nat(sun.e, sun_id, false, true), 0);
	ike_query_sa(sun.e, sun_id, get_sa_info, &info);
	ck_assert(!info.nat_local && info.nat_remote);
	ck_assert_int_eq(ike_sa_set_nat(sun.e, 9999, true, true), -1);
	teardown_pair();
}
END_TEST

Suite *
ext_suite(void)
{
	Suite *s = suite_create("ext");
	TCase *tc = tcase_create("hooks");
	TCase *tt = tcase_create("timers");
	TCase *ta = tcase_create("actions");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, ext_payloads_reach_the_peer);
	tcase_add_test(tc, ext_input_refuses_ike_sa_init);
	tcase_add_test(tc, ext_input_refuses_ike_sa_init_response);
	tcase_add_test(tc, ext_input_refuses_ike_auth);
	tcase_add_test(tc, ext_input_refuses_informational);
	tcase_add_test(tc, ext_input_cannot_refuse_a_delete);
	tcase_add_test(tc, auth_payloads_reach_the_peers_verify);
	tcase_add_test(tc, auth_id_check_refuses);
	tcase_add_test(tc, auth_initiator_refuses);
	tcase_add_test(tc, auth_local_id_from_the_host);
	tcase_add_test(tc, dn_text_both_ways);
	tcase_add_test(tc, auth_id_check_accepts);
	tcase_add_test(tc, ike_out_is_bounded);
	suite_add_tcase(s, tc);
	tcase_add_test(tt, host_timers_fire_in_order);
	tcase_add_test(tt, host_timers_heap_under_load);
	tcase_add_test(tt, last_heard_advances);
	tcase_add_test(tt, export_ike_keys);
	suite_add_tcase(s, tt);
	tcase_set_timeout(ta, 60);
	tcase_add_test(ta, reinitiate_from_initiator);
	tcase_add_test(ta, reinitiate_from_responder);
	tcase_add_test(ta, reinitiate_keeps_every_child);
	tcase_add_test(ta, reinitiate_after_retransmits_gave_up);
	tcase_add_test(ta, reinitiate_after_kill);
	tcase_add_test(ta, dead_established_sa_not_retried);
	tcase_add_test(ta, sa_move_moves_children);
	tcase_add_test(ta, answer_goes_back_the_way_the_request_came);
	suite_add_tcase(s, ta);
	return s;
}
