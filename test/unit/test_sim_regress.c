/* SPDX-License-Identifier: ISC */
/*
 * What the deterministic simulation (test/sim) found or needed, pinned down
 * with the two-engine harness: each test names the seed that showed it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "engine_harness.h"
#include "ike_int.h"
#include "testutil.h"

#define SUITE_OK "aes128gcm16-prfsha256-ecp256", "aes128gcm16"

static unsigned
established(const struct host *h)
{
	const struct ike_sa *sa;
	unsigned n = 0;

	for (sa = h->e->sas; sa; sa = sa->next)
		n += sa->state == IKE_SA_ESTABLISHED;
	return n;
}

/* ike_liveness: an empty INFORMATIONAL the peer answers, and which kills
 * the IKE SA (and its CHILD SAs) when it goes unanswered. */
START_TEST(liveness_answered_then_unanswered)
{
	unsigned id, i;

	setup_pair(SUITE_OK, SUITE_OK, false, "k", "k");
	bring_up();
	id = moon.e->sas->id;
	ck_assert_int_eq(ike_liveness(moon.e, now, id), 0);
	/* One exchange at a time (window one). */
	ck_assert_int_eq(ike_liveness(moon.e, now, id), -1);
	ck_assert_uint_eq(q_len, 1);
	pump();
	ck_assert_ptr_null(moon.e->sas->req.msg);
	ck_assert_uint_eq(established(&moon), 1);
	ck_assert_uint_eq(live(&moon), 1);

	/* sun forgets the SA without a word: moon finds out. */
	ike_engine_free(sun.e);
	sun.e = host_engine(&sun, NULL);
	ck_assert_int_eq(ike_liveness(moon.e, now, id), 0);
	for (i = 0; i < 20 && established(&moon); i++) {
		q_len = 0;
		advance();
	}
	ck_assert_uint_eq(established(&moon), 0);
	ck_assert_uint_eq(live(&moon), 0);
	ck_assert(has_event(&moon, IKE_EV_IKE_DOWN));
	ck_assert_int_eq(ike_liveness(moon.e, now, id), -1);
	teardown_pair();
}
END_TEST

/* Seed 38: an IKE SA rekey fell due while a request of ours was in
 * flight; sa_schedule armed the SA's timer at the overdue rekey, which
 * ike_tick could not start (window one) and so popped again forever. */
START_TEST(overdue_rekey_waits_for_request_in_flight)
{
	static struct ike_conn_cfg c;
	struct ike_sa *sa;

	setup_pair(SUITE_OK, SUITE_OK, false, "k", "k");
	conn_cfg(&c, &moon, &sun, SUITE_OK, false);
	c.children[0].start = true;
	c.rekey_ms = 10000;
	ck_assert_int_eq(ike_engine_set_conns(moon.e, &c, 1, now), 0);
	ike_engine_set_retransmit(moon.e, 60000, 2.0, 3);
	bring_up();
	sa = moon.e->sas;
	ck_assert_uint_eq(sa->rekey_at, now + 10000);
	ck_assert_int_eq(ike_liveness(moon.e, now, sa->id), 0);
	q_len = 0; /* lost: the request stays in flight */
	now += 20000;
	sa_schedule(moon.e, sa);
	/* Not due before the retransmission: nothing could be done. */
	ck_assert_uint_eq(ike_next_deadline(moon.e), sa->req.deadline);
	ck_assert_uint_gt(ike_next_deadline(moon.e), now);
	ike_tick(moon.e, now);
	ck_assert_uint_eq(q_len, 0);
	/* The retransmission is answered; then the rekey goes out. */
	advance();
	pump();
	ck_assert_ptr_null(sa->req.msg);
	ck_assert_uint_le(ike_next_deadline(moon.e), now);
	advance();
	ck_assert_uint_eq(q_len, 1);
	pump();
	ck_assert(has_event(&moon, IKE_EV_IKE_REKEYED));
	ck_assert(has_event(&sun, IKE_EV_IKE_REKEYED));
	teardown_pair();
}
END_TEST

/* Seed 9: moon offers ESP with and without PFS, sun prefers (and picks)
 * the one without and rightly sends no KE (RFC 7296 1.3.1, 3.3.3);
 * moon insisted on a KE and dropped the CHILD SA that sun had installed. */
static void
esp_list(struct ike_conn_cfg *c, const char *list)
{
	char buf[128], *kw, *save = NULL;
	unsigned n = 0;

	snprintf(buf, sizeof(buf), "%s", list);
	for (kw = strtok_r(buf, ",", &save); kw;
	     kw = strtok_r(NULL, ",", &save))
		prop(&c->children[0].proposals[n++], kw, IKEV2_PROTO_ESP);
	c->children[0].n_proposals = n;
}

static void
pfs_offer(const char *esp_m, const char *esp_s)
{
	static struct ike_conn_cfg c;
	struct ike_sa *ms;
	struct child_sa *ch;

	setup_pair(SUITE_OK, SUITE_OK, false, "k", "k");
	conn_cfg(&c, &moon, &sun, SUITE_OK, false);
	esp_list(&c, esp_m);
	c.children[0].start = true;
	ck_assert_int_eq(ike_engine_set_conns(moon.e, &c, 1, now), 0);
	conn_cfg(&c, &sun, &moon, SUITE_OK, false);
	esp_list(&c, esp_s);
	ck_assert_int_eq(ike_engine_set_conns(sun.e, &c, 1, now), 0);
	bring_up();
	ck_assert_uint_eq(live(&moon) + live(&sun), 2);
	ms = moon.e->sas;
	ch = ms->children;
	ck_assert_int_eq(ike_rekey_child(moon.e, now, ms->id, ch->id), 0);
	pump();
	/* The new pair on both sides, with the same keys; the old gone. */
	ck_assert_uint_eq(moon.n_inst, 2);
	ck_assert_uint_eq(sun.n_inst, 2);
	ck_assert_uint_eq(live(&moon) + live(&sun), 2);
	ck_assert(moon.inst[1].live && sun.inst[1].live);
	ck_assert_uint_eq(moon.inst[1].ci.spi_out, sun.inst[1].ci.spi_in);
	ck_assert_mem_eq(moon.inst[1].encr_out, sun.inst[1].encr_in,
			 moon.inst[1].encr_len);
	teardown_pair();
}

START_TEST(child_rekey_pfs_declined_by_responder)
{
	pfs_offer("aes128gcm16-ecp256,aes128gcm16", "aes128gcm16");
	pfs_offer("aes128gcm16-ecp256,aes128gcm16",
		  "aes128gcm16,aes128gcm16-ecp256");
	pfs_offer("aes128gcm16-ecp256", "aes128gcm16-ecp256");
}
END_TEST

static void
conn_name_cb(void *ctx, const struct ike_sa_info *in)
{
	snprintf(ctx, 64, "%s", in->conn);
}

/* Seed 1124: a reload that dropped the connection before "site" (so
 * "site" moved to a lower index) bound site's IKE SA to a copy of the
 * dropped connection's config: its next CHILD SA rekey offered the wrong
 * selectors and the peer's answer "did not fit". */
START_TEST(reload_keeps_each_sa_on_its_own_connection)
{
	static struct ike_conn_cfg c[2];
	char name[64] = "";
	struct ike_sa *sa;

	setup_pair(SUITE_OK, SUITE_OK, false, "k", "k");
	conn_cfg(&c[1], &moon, &sun, SUITE_OK, false);
	c[1].children[0].start = true;
	conn_room_copy(&c[0], &c[1]);
	snprintf(c[0].name, sizeof(c[0].name), "other");
	snprintf(c[0].children[0].name, sizeof(c[0].children[0].name), "o");
	ck_assert_int_eq(ike_engine_set_conns(moon.e, c, 2, now), 0);
	bring_up();
	ck_assert_uint_eq(live(&moon) + live(&sun), 2);
	sa = moon.e->sas;
	/* "other" goes, "site" moves from index 1 to 0. */
	ck_assert_int_eq(ike_engine_set_conns(moon.e, &c[1], 1, now), 0);
	ck_assert_uint_eq(ike_list_sas(moon.e, NULL, conn_name_cb, name), 1);
	ck_assert_str_eq(name, "site");
	ck_assert_str_eq(ike_conn(moon.e, sa)->children[0].name, "net");
	ck_assert_int_eq(ike_rekey_child(moon.e, now, sa->id, sa->children->id),
			 0);
	pump();
	ck_assert_uint_eq(moon.n_inst, 2);
	ck_assert_uint_eq(live(&moon) + live(&sun), 2);
	/* And a connection that does go takes its SA along. */
	ck_assert_int_eq(ike_engine_set_conns(moon.e, &c[0], 1, now), 0);
	pump();
	ck_assert_uint_eq(established(&moon), 0);
	ck_assert_uint_eq(established(&sun), 0);
	ck_assert_uint_eq(live(&moon) + live(&sun), 0);
	teardown_pair();
}
END_TEST

Suite *
sim_regress_suite(void)
{
	Suite *s = suite_create("sim_regress");
	TCase *tc = tcase_create("findings");

	tcase_add_test(tc, liveness_answered_then_unanswered);
	tcase_add_test(tc, overdue_rekey_waits_for_request_in_flight);
	tcase_add_test(tc, child_rekey_pfs_declined_by_responder);
	tcase_add_test(tc, reload_keeps_each_sa_on_its_own_connection);
	suite_add_tcase(s, tc);
	return s;
}
