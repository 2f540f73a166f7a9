/* SPDX-License-Identifier: ISC */
/*
 * The engine under attack: each finding of the engine-soundness review as a
 * test, through the public API with the two-engine harness. An on-path
 * injector knows the SPIs and message IDs but no keys; a malicious peer
 * also holds its own keys, which these tests borrow from its engine to
 * forge authenticated messages.
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

#define SUITE_OK "aes128gcm16-prfsha256-ecp256", "aes128gcm16"

static size_t
count_sas(const struct host *h)
{
	struct ike_sa *sa;
	size_t n = 0;

	for (sa = h->e->sas; sa; sa = sa->next)
		n += sa->state != IKE_SA_DEAD;
	return n;
}

/* A cleartext header (and nothing else) from `from` to `to`. */
static void
inject_hdr(struct host *to, struct host *from, const struct ike_sa *sa,
	   uint8_t exchange, uint8_t flags, uint32_t msgid, uint8_t np)
{
	uint8_t pkt[IKEV2_HDR_LEN];
	struct wbuf w;

	wbuf_init(&w, pkt, sizeof(pkt));
	wbuf_put(&w, sa->spi_i, IKEV2_SPI_LEN);
	wbuf_put(&w, sa->spi_r, IKEV2_SPI_LEN);
	wbuf_u8(&w, np);
	wbuf_u8(&w, 0x20);
	wbuf_u8(&w, exchange);
	wbuf_u8(&w, flags);
	wbuf_u32(&w, msgid);
	wbuf_u32(&w, IKEV2_HDR_LEN);
	ck_assert(wbuf_ok(&w));
	ike_input(to->e, now, &to->addr, &from->addr, pkt, sizeof(pkt));
}

/* An SK message with the given header fields and inner payload bytes,
 * protected with the outbound keys of `sa` (the sender's own SA): what a
 * peer holding the keys can send. */
static size_t
forge(struct ike_engine *sender, const struct ike_sa *sa, uint8_t exchange,
      bool response, uint32_t msgid, uint8_t inner_np, const uint8_t *inner,
      size_t inner_len, uint8_t *out, size_t cap)
{
	struct msg_builder b;
	struct ike_hdr h;
	struct sk_keys k;
	size_t len;

	xchg_hdr(sa, &h, exchange, response, msgid);
	sa_keys_for(sender, sa, true, &k);
	msg_build_init(&b, out, cap, &h);
	ck_assert_int_eq(sk_begin(&b, &k), 0);
	if (inner_len) {
		b.w.ptr[b.np_at] = inner_np;
		ck_assert(wbuf_put(&b.w, inner, inner_len));
	}
	len = sk_end(&b, &k);
	ck_assert_uint_gt(len, 0);
	return len;
}

/* Decrypt datagram d (sent by `sender` on its SA sa) to its inner bytes. */
static size_t
unseal(struct ike_engine *sender, const struct ike_sa *sa,
       const struct datagram *d, uint8_t *np, uint8_t *plain, size_t cap)
{
	static struct msg m;
	struct ike_err err = {0};
	struct sk_keys k;
	size_t first, last;

	ck_assert_int_eq(msg_frame(d->data, d->len, &m, &err), 0);
	sa_keys_for(sender, sa, true, &k);
	ck_assert_int_eq(sk_open(&m, &k, plain, cap, &err), 0);
	*np = m.sk_np;
	first = m.pl[m.sk + 1].body.ptr - plain - IKEV2_GEN_HDR_LEN;
	last =
	    (size_t)(m.pl[m.n - 1].body.ptr + m.pl[m.n - 1].body.len - plain);
	ck_assert_uint_eq(first, 0);
	return last;
}

static void
deliver(const struct datagram *d)
{
	struct host *to = host_at(&d->to);

	ike_input(to->e, now, &d->to, &d->from, d->data, d->len);
}

static struct datagram
take_one(void)
{
	struct datagram d;

	ck_assert_uint_eq(q_len, 1);
	d = queue[0];
	q_len = 0;
	return d;
}

/* Finding 1: an authenticated IKE_AUTH "response" to our CREATE_CHILD_SA
 * request must not reach IKE_AUTH completion (it crashed on freed nonces). */
START_TEST(auth_response_to_create_child_is_dropped)
{
	static uint8_t pkt[2048];
	struct ike_sa *ms, *ss;
	struct datagram req;
	size_t len;

	setup_pair(SUITE_OK, SUITE_OK, false, "x", "x");
	bring_up();
	ms = first_sa(&moon);
	ss = first_sa(&sun);
	ck_assert_int_eq(ike_rekey_child(moon.e, now, ms->id, ms->children->id),
			 0);
	req = take_one();
	len = forge(sun.e, ss, IKEV2_EXCH_IKE_AUTH, true, ms->req.msgid, 0,
		    NULL, 0, pkt, sizeof(pkt));
	ike_input(moon.e, now, &moon.addr, &sun.addr, pkt, len);
	ck_assert_int_eq(ms->state, IKE_SA_ESTABLISHED);
	ck_assert_uint_eq(live(&moon), 1);
	/* The real exchange still completes. */
	deliver(&req);
	pump();
	ck_assert(has_event(&moon, IKE_EV_CHILD_REKEYED));
	ck_assert_uint_eq(live(&moon), 1);
	ck_assert_uint_eq(live(&sun), 1);
	teardown_pair();
}
END_TEST

/* Finding 2: a cleartext IKE_SA_INIT "response" carrying the message ID of
 * our outstanding request is not an answer to it. */
START_TEST(cleartext_init_response_ignored_when_established)
{
	struct ike_sa *ms;

	setup_pair(SUITE_OK, SUITE_OK, false, "x", "x");
	bring_up();
	ms = first_sa(&moon);
	ck_assert_int_eq(ike_rekey_child(moon.e, now, ms->id, ms->children->id),
			 0);
	q_len = 0; /* the request is lost */
	inject_hdr(&moon, &sun, ms, IKEV2_EXCH_IKE_SA_INIT, IKEV2_FLAG_RESPONSE,
		   ms->req.msgid, 0);
	ck_assert_int_eq(ms->state, IKE_SA_ESTABLISHED);
	ck_assert(!has_event(&moon, IKE_EV_IKE_DOWN));
	ck_assert_uint_eq(live(&moon), 1);
	ck_assert_uint_eq(q_len, 0);
	/* The retransmission completes the rekey. */
	advance();
	pump();
	ck_assert(has_event(&moon, IKE_EV_CHILD_REKEYED));
	teardown_pair();
}
END_TEST

/* Finding 2: header-only requests get no answer and move no message ID;
 * 1,024 of them leave the SA working. */
START_TEST(header_only_requests_are_silent)
{
	struct ike_sa *ms, *ss;
	uint32_t want;
	unsigned i;

	setup_pair(SUITE_OK, SUITE_OK, false, "x", "x");
	bring_up();
	ms = first_sa(&moon);
	ss = first_sa(&sun);
	want = ms->msgid_in;
	for (i = 0; i < 1024; i++) {
		inject_hdr(&moon, &sun, ms,
			   i % 2 ? IKEV2_EXCH_INFORMATIONAL
				 : IKEV2_EXCH_CREATE_CHILD_SA,
			   0, want + i % 3, i % 4 ? 0 : IKEV2_PL_SKF);
		inject_hdr(&moon, &sun, ms, IKEV2_EXCH_INFORMATIONAL, 0,
			   want - 1, 0);
	}
	ck_assert_uint_eq(q_len, 0);
	ck_assert_uint_eq(ms->msgid_in, want);
	/* The peer's next real request is served. */
	ck_assert_int_eq(ike_rekey_child(sun.e, now, ss->id, ss->children->id),
			 0);
	pump();
	ck_assert(has_event(&sun, IKE_EV_CHILD_REKEYED));
	ck_assert_uint_eq(live(&moon), 1);
	ck_assert_uint_eq(live(&sun), 1);
	teardown_pair();
}
END_TEST

/* Finding 2: an SA in INIT_SENT learns the responder's SPI only from a
 * well-formed IKE_SA_INIT response; a forged empty one changes nothing. */
START_TEST(init_sent_keeps_spi_until_valid_response)
{
	struct ike_sa *ms;
	struct datagram req;
	static const uint8_t zero[IKEV2_SPI_LEN];

	setup_pair(SUITE_OK, SUITE_OK, false, "x", "x");
	ck_assert_uint_gt(ike_initiate(moon.e, now, "site", NULL), 0);
	req = take_one();
	ms = first_sa(&moon);
	memset(ms->spi_r, 0x66, IKEV2_SPI_LEN);
	inject_hdr(&moon, &sun, ms, IKEV2_EXCH_IKE_SA_INIT, IKEV2_FLAG_RESPONSE,
		   0, 0);
	inject_hdr(&moon, &sun, ms, IKEV2_EXCH_INFORMATIONAL,
		   IKEV2_FLAG_RESPONSE, 0, 0);
	memset(ms->spi_r, 0, IKEV2_SPI_LEN);
	ck_assert_mem_eq(ms->spi_r, zero, IKEV2_SPI_LEN);
	ck_assert_int_eq(ms->state, IKE_SA_CONNECTING);
	ck_assert_int_eq(ms->v2.phase, V2_INIT_SENT);
	deliver(&req);
	pump();
	ck_assert(has_event(&moon, IKE_EV_CHILD_UP));
	assert_pair_matches();
	teardown_pair();
}
END_TEST

/* Finding 6: IKE_SA_INIT requests with a zero initiator SPI, a non-zero
 * responder SPI or a message ID other than 0 create nothing and get no
 * answer. */
START_TEST(init_request_field_checks)
{
	struct datagram req, d;

	setup_pair(SUITE_OK, SUITE_OK, false, "x", "x");
	ck_assert_uint_gt(ike_initiate(moon.e, now, "site", NULL), 0);
	req = take_one();
	d = req;
	memset(d.data, 0, IKEV2_SPI_LEN);
	deliver(&d);
	d = req;
	d.data[23] = 5; /* message ID */
	deliver(&d);
	d = req;
	d.data[8] = 1; /* responder SPI */
	deliver(&d);
	ck_assert_uint_eq(q_len, 0);
	ck_assert_uint_eq(count_sas(&sun), 0);
	deliver(&req);
	pump();
	assert_pair_matches();
	teardown_pair();
}
END_TEST

/* Finding 6: a retransmitted request gets the cached answer only when it
 * is the very request that answer was for. */
START_TEST(cached_answer_only_for_identical_request)
{
	struct ike_sa *ms, *ss;
	struct datagram req, forged;
	unsigned sent;

	setup_pair(SUITE_OK, SUITE_OK, false, "x", "x");
	bring_up();
	ms = first_sa(&moon);
	ss = first_sa(&sun);
	ck_assert_int_eq(ike_rekey_child(moon.e, now, ms->id, ms->children->id),
			 0);
	req = take_one();
	deliver(&req);
	ck_assert_uint_eq(q_len, 1);
	q_len = 0;
	/* Same message ID, other bytes: no answer. */
	forged = req;
	forged.data[forged.len - 1] ^= 1;
	sent = sent_total;
	deliver(&forged);
	ck_assert_uint_eq(sent_total, sent);
	/* The true retransmission: answered from the cache. */
	deliver(&req);
	ck_assert_uint_eq(q_len, 1);
	pump();
	ck_assert(has_event(&moon, IKE_EV_CHILD_REKEYED));
	(void)ss;
	teardown_pair();
}
END_TEST

/* Finding 6: a CHILD SA rekey to an all-zero SPI is refused. */
START_TEST(child_rekey_to_zero_spi_refused)
{
	static uint8_t plain[2048], pkt[2048];
	struct ike_sa *ms, *ss;
	struct datagram req;
	uint8_t np, spi[4];
	size_t n, i, len;
	unsigned hits = 0;

	setup_pair(SUITE_OK, SUITE_OK, false, "x", "x");
	bring_up();
	ms = first_sa(&moon);
	ss = first_sa(&sun);
	ck_assert_int_eq(ike_rekey_child(sun.e, now, ss->id, ss->children->id),
			 0);
	req = take_one();
	n = unseal(sun.e, ss, &req, &np, plain, sizeof(plain));
	/* sun's new inbound SPI is the one its SA proposal carries. */
	spi[0] = 0xc2;
	spi[1] = 0;
	spi[2] = 0;
	spi[3] = 2;
	for (i = 0; i + 4 <= n; i++)
		if (memcmp(plain + i, spi, 4) == 0) {
			memset(plain + i, 0, 4);
			hits++;
		}
	ck_assert_uint_eq(hits, 1);
	len = forge(sun.e, ss, IKEV2_EXCH_CREATE_CHILD_SA, false, req.data[23],
		    np, plain, n, pkt, sizeof(pkt));
	ike_input(moon.e, now, &moon.addr, &sun.addr, pkt, len);
	ck_assert_uint_eq(live(&moon), 1); /* nothing new installed */
	ck_assert_uint_eq(moon.n_inst, 1);
	ck_assert_int_eq(ms->state, IKE_SA_ESTABLISHED);
	teardown_pair();
}
END_TEST

/* Finding 5: an old IKE SA that the peer rekeyed but never deleted does
 * not stay for ever. */
START_TEST(rekeyed_ike_sa_without_delete_expires)
{
	struct datagram d;
	unsigned i;

	setup_pair(SUITE_OK, SUITE_OK, false, "x", "x");
	bring_up();
	ck_assert_int_eq(ike_rekey(moon.e, now, first_sa(&moon)->id), 0);
	d = take_one();
	deliver(&d);
	d = take_one();
	deliver(&d);
	q_len = 0; /* moon's DELETE of the old SA never arrives */
	ck_assert_uint_eq(count_sas(&sun), 2);
	for (i = 0; i < 40; i++) {
		advance();
		q_len = 0;
	}
	ck_assert_uint_eq(count_sas(&sun), 1);
	ck_assert_uint_eq(count_sas(&moon), 1);
	ck_assert_uint_eq(live(&sun), 1);
	teardown_pair();
}
END_TEST

/* The IKE_SA_INIT request d with a COOKIE notify put first. */
static struct datagram
with_cookie(const struct datagram *d, struct bytes cookie)
{
	struct datagram out = *d;
	size_t n = IKEV2_GEN_HDR_LEN + 4 + cookie.len;
	uint8_t *p = out.data + IKEV2_HDR_LEN;

	ck_assert_uint_le(d->len + n, sizeof(out.data));
	memmove(p + n, d->data + IKEV2_HDR_LEN, d->len - IKEV2_HDR_LEN);
	p[0] = d->data[16]; /* the old first payload follows */
	p[1] = 0;
	p[2] = (uint8_t)(n >> 8);
	p[3] = (uint8_t)n;
	p[4] = 0; /* protocol */
	p[5] = 0; /* SPI size */
	p[6] = IKEV2_N_COOKIE >> 8;
	p[7] = IKEV2_N_COOKIE & 0xff;
	memcpy(p + 8, cookie.ptr, cookie.len);
	out.data[16] = IKEV2_PL_N;
	out.len = d->len + n;
	out.data[24] = (uint8_t)(out.len >> 24);
	out.data[25] = (uint8_t)(out.len >> 16);
	out.data[26] = (uint8_t)(out.len >> 8);
	out.data[27] = (uint8_t)out.len;
	return out;
}

/* The COOKIE of sun's only answer, if it is a COOKIE request. */
static bool
cookie_of_answer(uint8_t *cookie, size_t *len)
{
	static struct msg m;
	struct pld_notify n;
	struct ike_err e;

	only_answer(&m);
	if (m.n != 1 || m.pl[0].type != IKEV2_PL_N ||
	    pld_notify_get(&m.pl[0], &n, &e) < 0 || n.type != IKEV2_N_COOKIE)
		return false;
	memcpy(cookie, n.data.ptr, n.data.len);
	*len = n.data.len;
	return true;
}

/* Finding 8: 100 IKE_SA_INITs from one address leave a handful of
 * half-open SAs: past cookie_threshold_ip it must return a COOKIE, and
 * past block_threshold it is refused. */
START_TEST(half_open_bounded_per_source)
{
	static struct datagram reqs[100];
	struct ike_stats st;
	uint8_t cookie[64];
	size_t clen;
	unsigned i, cookies = 0, served = 0, silent = 0;

	setup_pair(SUITE_OK, SUITE_OK, false, "x", "x");
	ck_assert_uint_gt(ike_initiate(moon.e, now, "site", NULL), 0);
	reqs[0] = take_one();
	for (i = 0; i < 100; i++) {
		reqs[i] = reqs[0];
		reqs[i].data[0] = (uint8_t)(i + 1);
		deliver(&reqs[i]);
		if (q_len == 0) {
			silent++;
			continue;
		}
		if (cookie_of_answer(cookie, &clen)) {
			struct datagram again;

			cookies++;
			again =
			    with_cookie(&reqs[i], (struct bytes){cookie, clen});
			deliver(&again);
			if (q_len == 0) {
				silent++;
				continue;
			}
			ck_assert(!cookie_of_answer(cookie, &clen));
		}
		served++;
	}
	ck_assert_uint_eq(count_sas(&sun), 5); /* block_threshold */
	ck_assert_uint_eq(served, 5);
	ck_assert_uint_eq(cookies, 2);
	ck_assert_uint_eq(silent, 95);
	ike_engine_stats(sun.e, &st);
	ck_assert_uint_eq(st.half_open, 5);
	ck_assert_uint_eq(st.drops[IKE_DROP_HALF_OPEN], 95);
	ck_assert_uint_eq(st.cookies_sent, 2);
	/* Another address is not blocked (it gets NO_PROPOSAL_CHOSEN: no
	 * connection is for it). */
	reqs[0].from.ss.ss_family = AF_INET;
	((struct sockaddr_in *)&reqs[0].from.ss)->sin_addr.s_addr =
	    htonl(0xc0000263);
	reqs[0].data[0] = 0xee;
	deliver(&reqs[0]);
	ck_assert(!cookie_of_answer(cookie, &clen));
	ck_assert_uint_eq(count_sas(&sun), 5);
	/* And once the half-open SAs expire, the address may try again. */
	for (i = 0; i < 5 && count_sas(&sun); i++)
		advance();
	ck_assert_uint_eq(count_sas(&sun), 0);
	ike_engine_stats(sun.e, &st);
	ck_assert_uint_eq(st.half_open, 0);
	/* They went without an event, but the host heard each go (what it
	 * kept for them, e.g. a plugin's per-SA data, goes too). */
	ck_assert_uint_eq(sun.n_ev, 0);
	ck_assert_uint_eq(sun.n_freed, 5);
	teardown_pair();
}
END_TEST

/* Finding 8: the COOKIE secret rotates; a cookie stays good for one
 * rotation, not two. */
START_TEST(cookie_secret_rotates)
{
	struct datagram req, again;
	struct ike_limits lim;
	uint8_t cookie[64];
	size_t clen;

	setup_pair(SUITE_OK, SUITE_OK, false, "x", "x");
	ike_limits_default(&lim);
	lim.cookie_threshold = 0;
	lim.cookie_rotate_ms = 60000;
	ike_engine_set_limits(sun.e, &lim);
	ck_assert_uint_gt(ike_initiate(moon.e, now, "site", NULL), 0);
	req = take_one();
	deliver(&req);
	ck_assert(cookie_of_answer(cookie, &clen));
	again = with_cookie(&req, (struct bytes){cookie, clen});
	now += 2 * 60000 + 1; /* two rotations later: refused */
	deliver(&again);
	ck_assert(cookie_of_answer(cookie, &clen));
	again = with_cookie(&req, (struct bytes){cookie, clen});
	now += 60000; /* one rotation later: still good */
	deliver(&again);
	ck_assert(!cookie_of_answer(cookie, &clen));
	ck_assert_uint_eq(count_sas(&sun), 1);
	teardown_pair();
}
END_TEST

/* Finding 8: an IKE_SA_INIT larger than we keep is refused, with one
 * log line, and creates nothing. */
START_TEST(oversized_init_refused)
{
	struct ike_limits lim;
	struct ike_stats st;
	struct datagram req;

	setup_pair(SUITE_OK, SUITE_OK, false, "x", "x");
	ike_limits_default(&lim);
	lim.init_max_len = 100;
	ike_engine_set_limits(sun.e, &lim);
	sun.watch = "IKE_SA_INIT of";
	ck_assert_uint_gt(ike_initiate(moon.e, now, "site", NULL), 0);
	req = take_one();
	deliver(&req);
	ck_assert_uint_eq(q_len, 0);
	ck_assert_uint_eq(count_sas(&sun), 0);
	ck_assert_uint_eq(sun.logs_with, 1);
	ike_engine_stats(sun.e, &st);
	ck_assert_uint_eq(st.drops[IKE_DROP_INIT_SIZE], 1);
	teardown_pair();
}
END_TEST

/* Finding 8: log lines caused by unauthenticated input are rate limited. */
START_TEST(unauthenticated_logs_rate_limited)
{
	struct ike_stats st;
	uint8_t junk[64] = {0};
	unsigned i;

	setup_pair(SUITE_OK, SUITE_OK, false, "x", "x");
	sun.watch = "unknown IKE SA";
	junk[17] = 0x20;
	junk[18] = IKEV2_EXCH_INFORMATIONAL;
	junk[27] = sizeof(junk) - 36; /* wrong length: unreadable */
	for (i = 0; i < 1000; i++) {
		junk[0] = (uint8_t)i;
		junk[27] = IKEV2_HDR_LEN;
		ike_input(sun.e, now, &sun.addr, &moon.addr, junk,
			  IKEV2_HDR_LEN);
	}
	ck_assert_uint_eq(sun.logs_with, 20);
	ike_engine_stats(sun.e, &st);
	ck_assert_uint_eq(st.drops[IKE_DROP_UNKNOWN_SA], 1000);
	ck_assert_uint_eq(st.log_suppressed, 980);
	now += 1000;
	ike_input(sun.e, now, &sun.addr, &moon.addr, junk, IKEV2_HDR_LEN);
	ck_assert_uint_eq(sun.logs_with, 21);
	ck_assert_ptr_nonnull(strstr(sun.last_log, "980 similar lines"));
	teardown_pair();
}
END_TEST

/* Finding 8: a peer identity with a newline cannot forge a log line. */
START_TEST(peer_id_escaped_in_logs)
{
	static struct ike_conn_cfg c;
	const char *evil = "evil\n[site#1] IKE SA established";

	setup_pair(SUITE_OK, SUITE_OK, false, "x", "x");
	conn_cfg(&c, &moon, &sun, SUITE_OK, false);
	c.local_id.len = strlen(evil);
	c.local_id.data = (const uint8_t *)evil;
	c.children[0].start = true;
	ck_assert_int_eq(ike_engine_set_conns(moon.e, &c, 1, now), 0);
	sun.watch = "evil\\x0a[site#1]";
	bring_up();
	ck_assert_uint_ge(sun.logs_with, 1);
	ck_assert(!has_event(&sun, IKE_EV_IKE_UP));
	teardown_pair();
}
END_TEST

static void
conn_of(void *ctx, const struct ike_sa_info *sa)
{
	snprintf(ctx, IKE_NAME_MAX, "%s", sa->conn);
}

/* Finding 3: SAs hold their connection, not an index into the set: a
 * reload that drops a connection listed before theirs leaves them on
 * their own. */
START_TEST(reload_keeps_sas_on_their_connection)
{
	static struct ike_conn_cfg c[2];
	char name[IKE_NAME_MAX] = "";
	struct ike_sa *ss;

	setup_pair(SUITE_OK, SUITE_OK, false, "x", "x");
	conn_cfg(&c[0], &sun, &moon, SUITE_OK, false);
	snprintf(c[0].name, sizeof(c[0].name), "other");
	endpoint(&c[0].remote, "192.0.2.77");
	conn_cfg(&c[1], &sun, &moon, SUITE_OK, false);
	ck_assert_int_eq(ike_engine_set_conns(sun.e, c, 2, now), 0);
	bring_up();
	ike_list_sas(sun.e, NULL, conn_of, name);
	ck_assert_str_eq(name, "site");
	ck_assert_int_eq(ike_engine_set_conns(sun.e, &c[1], 1, now), 0);
	ike_list_sas(sun.e, NULL, conn_of, name);
	ck_assert_str_eq(name, "site");
	ss = first_sa(&sun);
	ck_assert_int_eq(ss->state, IKE_SA_ESTABLISHED);
	ck_assert_int_eq(ike_rekey_child(sun.e, now, ss->id, ss->children->id),
			 0);
	pump();
	ck_assert(has_event(&sun, IKE_EV_CHILD_REKEYED));
	ck_assert_uint_eq(live(&sun), 1);
	teardown_pair();
}
END_TEST

/* Finding 3: a removed connection accepts nothing new, even while its
 * last SA is still being deleted. */
START_TEST(removed_connection_accepts_nothing)
{
	struct datagram d;

	setup_pair(SUITE_OK, SUITE_OK, false, "x", "x");
	bring_up();
	ck_assert_int_eq(ike_engine_set_conns(sun.e, NULL, 0, now), 0);
	d = take_one(); /* sun's DELETE, which never arrives */
	(void)d;
	ck_assert_uint_eq(count_sas(&sun), 1);
	moon.watch = "NO_PROPOSAL_CHOSEN";
	ck_assert_uint_gt(ike_initiate(moon.e, now, "site", NULL), 0);
	pump();
	ck_assert_uint_eq(count_sas(&sun), 1);
	ck_assert_uint_eq(sun.n_inst, 1);
	ck_assert_uint_eq(live(&sun), 0);
	teardown_pair();
}
END_TEST

/* RFC 7296 2.25.2: an IKE SA rekey crossing our CREATE_CHILD_SA is
 * answered TEMPORARY_FAILURE; the child comes up on the old SA, and the
 * rekey succeeds when it is tried again. */
START_TEST(ike_rekey_crossing_child_creation)
{
	struct datagram create, rekey;
	struct ike_sa *ss;
	unsigned i;

	setup_pair(SUITE_OK, SUITE_OK, false, "x", "x");
	bring_up();
	ck_assert_uint_gt(ike_initiate(moon.e, now, "site", "net"), 0);
	create = take_one();
	ss = first_sa(&sun);
	ck_assert_int_eq(ike_rekey(sun.e, now, ss->id), 0);
	rekey = take_one();
	deliver(&rekey); /* moon: TEMPORARY_FAILURE */
	deliver(&create);
	pump();
	ck_assert_uint_eq(live(&moon), 2);
	ck_assert_uint_eq(live(&sun), 2);
	ck_assert(!has_event(&sun, IKE_EV_IKE_REKEYED));
	ck_assert_uint_eq(count_sas(&moon), 1);
	/* sun tries again a minute later, and then it works. */
	for (i = 0; i < 5 && !has_event(&sun, IKE_EV_IKE_REKEYED); i++) {
		advance();
		pump();
	}
	ck_assert(has_event(&sun, IKE_EV_IKE_REKEYED));
	ck_assert_uint_eq(live(&moon), 2);
	ck_assert_uint_eq(live(&sun), 2);
	ck_assert_uint_eq(count_sas(&moon), 1);
	ck_assert_uint_eq(count_sas(&sun), 1);
	teardown_pair();
}
END_TEST

/* The peer deletes the CHILD SA it made for our rekey before its answer
 * reaches us (sim --collisions seed 2237): the new pair must not come up
 * on our side alone. */
START_TEST(child_deleted_before_its_answer_arrives)
{
	struct datagram req, answer, del;
	struct ike_sa *ms, *ss;

	setup_pair(SUITE_OK, SUITE_OK, false, "x", "x");
	bring_up();
	ms = first_sa(&moon);
	ss = first_sa(&sun);
	ck_assert_int_eq(ike_rekey_child(moon.e, now, ms->id, ms->children->id),
			 0);
	req = take_one();
	deliver(&req);
	answer = take_one();
	ck_assert_uint_eq(live(&sun), 2);
	ck_assert_int_eq(ike_terminate_child(sun.e, now, ss->id, 2), 0);
	del = take_one();
	deliver(&del);
	deliver(&answer);
	pump();
	ck_assert_uint_eq(live(&moon), 1);
	ck_assert_uint_eq(live(&sun), 1);
	ck_assert_uint_eq(moon.inst[0].ci.spi_in, sun.inst[0].ci.spi_out);
	ck_assert(moon.inst[0].live && sun.inst[0].live);
	teardown_pair();
}
END_TEST

/* splitmix64: a seeded random source for the engines. */
static int
seeded(void *ctx, uint8_t *out, size_t len)
{
	struct host *h = ctx;
	size_t i;

	for (i = 0; i < len; i++) {
		uint64_t z = (h->seed += 0x9e3779b97f4a7c15ULL);

		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
		out[i] = (uint8_t)(z ^ (z >> 31));
	}
	return 0;
}

static uint64_t
run_seeded(const char *ike, uint64_t seed)
{
	uint64_t digest = 0xcbf29ce484222325ULL;
	unsigned i;
	size_t j;

	setup_pair(ike, "aes128gcm16", ike, "aes128gcm16", false, "x", "x");
	ike_engine_free(moon.e);
	ike_engine_free(sun.e);
	moon.seed = seed;
	sun.seed = seed ^ 0x5555;
	moon.e = host_engine(&moon, seeded);
	sun.e = host_engine(&sun, seeded);
	host_conns(ike, "aes128gcm16", ike, "aes128gcm16", false);
	ck_assert_uint_gt(ike_initiate(moon.e, now, "site", NULL), 0);
	for (i = 0; i < 8 && q_len; i++) {
		struct datagram d = take_one();

		for (j = 0; j < d.len; j++)
			digest = (digest ^ d.data[j]) * 0x100000001b3ULL;
		deliver(&d);
	}
	ck_assert(has_event(&moon, IKE_EV_CHILD_UP));
	teardown_pair();
	return digest;
}

/* The engine is deterministic: SPIs, nonces, key exchanges and IVs all
 * come from ike_env.random, so a seed replays a run byte for byte. */
START_TEST(seeded_engines_repeat_exactly)
{
	const char *suites[] = {"aes128gcm16-prfsha256-ecp256",
				"aes256-sha256-modp2048",
				"aes128gcm16-prfsha256-curve25519"};
	unsigned i;

	for (i = 0; i < 3; i++) {
		ck_assert_uint_eq(run_seeded(suites[i], 42),
				  run_seeded(suites[i], 42));
		ck_assert_uint_ne(run_seeded(suites[i], 42),
				  run_seeded(suites[i], 43));
	}
}
END_TEST

Suite *
attack_suite(void)
{
	Suite *s = suite_create("attack");
	TCase *tc = tcase_create("findings");

	tcase_add_test(tc, auth_response_to_create_child_is_dropped);
	tcase_add_test(tc, cleartext_init_response_ignored_when_established);
	tcase_add_test(tc, header_only_requests_are_silent);
	tcase_add_test(tc, init_sent_keeps_spi_until_valid_response);
	tcase_add_test(tc, init_request_field_checks);
	tcase_add_test(tc, cached_answer_only_for_identical_request);
	tcase_add_test(tc, child_rekey_to_zero_spi_refused);
	tcase_add_test(tc, rekeyed_ike_sa_without_delete_expires);
	tcase_add_test(tc, half_open_bounded_per_source);
	tcase_add_test(tc, cookie_secret_rotates);
	tcase_add_test(tc, oversized_init_refused);
	tcase_add_test(tc, unauthenticated_logs_rate_limited);
	tcase_add_test(tc, peer_id_escaped_in_logs);
	tcase_add_test(tc, seeded_engines_repeat_exactly);
	tcase_add_test(tc, reload_keeps_sas_on_their_connection);
	tcase_add_test(tc, removed_connection_accepts_nothing);
	tcase_add_test(tc, ike_rekey_crossing_child_creation);
	tcase_add_test(tc, child_deleted_before_its_answer_arrives);
	suite_add_tcase(s, tc);
	return s;
}
