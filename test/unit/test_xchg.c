/* SPDX-License-Identifier: ISC */
/*
 * The exchange table (struct xchg_ops, xchg.c): every entry is complete,
 * each exchange a peer may start has exactly one entry answering it, and
 * the state masks refuse what they do not name, for requests and answers.
 * The SAs here are bare structs: only their version, state and request in
 * flight matter to the table. And each version's ops are all there.
 */
#include <string.h>

#include <check.h>

#include "ike_int.h"
#include "testutil.h"

static void
set_state(struct ike_sa *sa, enum ike_sa_state st, enum v2_phase phase)
{
	memset(sa, 0, sizeof(*sa));
	sa->version = 2;
	sa->state = st;
	sa->v2.phase = (uint8_t)phase;
}

START_TEST(every_entry_is_complete)
{
	const struct xchg_ops *o, *p;
	size_t i, j, n = 0;

	for (i = 0; (o = xchg_ops_at(i)); i++, n++) {
		ck_assert_ptr_nonnull(o->name);
		ck_assert(o->version == 1 || o->version == 2);
		/* Every entry is a request of ours: its answer needs a home,
		 * in some state. */
		ck_assert_msg(o->complete, "%s: no complete", o->name);
		ck_assert_msg(o->resp_states, "%s: no resp_states", o->name);
		/* respond and req_states go together. */
		ck_assert_msg(!o->respond == !o->req_states,
			      "%s: respond without req_states or back",
			      o->name);
		for (j = 0; j < i; j++) {
			p = xchg_ops_at(j);
			ck_assert_msg(p != o, "%s listed twice", o->name);
			/* One entry answers the peer's requests of an
			 * exchange. */
			ck_assert_msg(!(o->respond && p->respond &&
					p->version == o->version &&
					p->exchange == o->exchange),
				      "%s and %s both answer exchange %u",
				      p->name, o->name, o->exchange);
		}
	}
	ck_assert_uint_ge(n, 6);
	ck_assert_ptr_null(xchg_ops_at(n));
}
END_TEST

/* What the peer may start on an IKEv2 SA: IKE_AUTH, CREATE_CHILD_SA and
 * INFORMATIONAL each have an entry that answers; IKE_SA_INIT requests are
 * answered before there is an SA (engine.c), so none has one. */
START_TEST(peer_exchanges_have_one_responder)
{
	static const uint8_t answered[] = {
	    IKEV2_EXCH_IKE_AUTH,
	    IKEV2_EXCH_CREATE_CHILD_SA,
	    IKEV2_EXCH_INFORMATIONAL,
	};
	const struct xchg_ops *o;
	size_t i, k;

	for (k = 0; k < sizeof(answered); k++) {
		unsigned found = 0;

		for (i = 0; (o = xchg_ops_at(i)); i++)
			found += o->version == 2 &&
				 o->exchange == answered[k] &&
				 o->respond != NULL;
		ck_assert_uint_eq(found, 1);
	}
	for (i = 0; (o = xchg_ops_at(i)); i++)
		ck_assert(
		    !(o->exchange == IKEV2_EXCH_IKE_SA_INIT && o->respond));
	ck_assert(v2_init_ops.clear);
	ck_assert(!v2_auth_ops.clear && !v2_create_ops.clear &&
		  !v2_rekey_ops.clear && !v2_delete_ops.clear &&
		  !v2_liveness_ops.clear);
}
END_TEST

START_TEST(requests_refused_outside_their_states)
{
	static struct ike_sa sa;

	/* IKE_AUTH: only half-open (or established, to be refused). */
	set_state(&sa, IKE_SA_CONNECTING, V2_INIT_DONE);
	ck_assert_ptr_eq(xchg_request_ops(&sa, IKEV2_EXCH_IKE_AUTH),
			 &v2_auth_ops);
	ck_assert_ptr_null(xchg_request_ops(&sa, IKEV2_EXCH_CREATE_CHILD_SA));
	ck_assert_ptr_null(xchg_request_ops(&sa, IKEV2_EXCH_INFORMATIONAL));
	set_state(&sa, IKE_SA_CONNECTING, V2_AUTH_SENT);
	ck_assert_ptr_null(xchg_request_ops(&sa, IKEV2_EXCH_IKE_AUTH));
	set_state(&sa, IKE_SA_CONNECTING, V2_INIT_SENT);
	ck_assert_ptr_null(xchg_request_ops(&sa, IKEV2_EXCH_IKE_AUTH));
	set_state(&sa, IKE_SA_DELETING, V2_INIT_SENT);
	ck_assert_ptr_null(xchg_request_ops(&sa, IKEV2_EXCH_IKE_AUTH));
	ck_assert_ptr_eq(xchg_request_ops(&sa, IKEV2_EXCH_CREATE_CHILD_SA),
			 &v2_create_ops);
	ck_assert_ptr_eq(xchg_request_ops(&sa, IKEV2_EXCH_INFORMATIONAL),
			 &v2_delete_ops);
	set_state(&sa, IKE_SA_ESTABLISHED, V2_INIT_SENT);
	ck_assert_ptr_eq(xchg_request_ops(&sa, IKEV2_EXCH_IKE_AUTH),
			 &v2_auth_ops);
	ck_assert_ptr_null(xchg_request_ops(&sa, IKEV2_EXCH_IKE_SA_INIT));
	ck_assert_ptr_null(xchg_request_ops(&sa, 99));
	set_state(&sa, IKE_SA_DEAD, V2_INIT_SENT);
	ck_assert_ptr_null(xchg_request_ops(&sa, IKEV2_EXCH_INFORMATIONAL));
	/* No table entry of IKEv1 yet: nothing is answered on such an SA. */
	set_state(&sa, IKE_SA_ESTABLISHED, V2_INIT_SENT);
	sa.version = 1;
	ck_assert_ptr_null(xchg_request_ops(&sa, IKEV2_EXCH_INFORMATIONAL));
}
END_TEST

START_TEST(responses_refused_outside_their_states)
{
	static struct ike_sa sa;

	set_state(&sa, IKE_SA_CONNECTING, V2_AUTH_SENT);
	ck_assert(!xchg_response_ok(&sa)); /* no request recorded */
	sa.req.ops = &v2_auth_ops;
	ck_assert(xchg_response_ok(&sa));
	sa.state = IKE_SA_ESTABLISHED;
	ck_assert(!xchg_response_ok(&sa));
	sa.req.ops = &v2_create_ops;
	ck_assert(xchg_response_ok(&sa));
	sa.state = IKE_SA_DELETING;
	ck_assert(xchg_response_ok(&sa));
	sa.req.ops = &v2_rekey_ops;
	ck_assert(xchg_response_ok(&sa));
	sa.req.ops = &v2_liveness_ops;
	ck_assert(xchg_response_ok(&sa));
	sa.req.ops = &v2_delete_ops;
	ck_assert(xchg_response_ok(&sa));
	sa.state = IKE_SA_DEAD;
	ck_assert(!xchg_response_ok(&sa));
	/* A cleartext IKE_SA_INIT answer: only while ours is out. */
	set_state(&sa, IKE_SA_CONNECTING, V2_INIT_SENT);
	sa.req.ops = &v2_init_ops;
	ck_assert(xchg_response_ok(&sa));
	sa.v2.phase = V2_AUTH_SENT;
	ck_assert(!xchg_response_ok(&sa));
	sa.state = IKE_SA_ESTABLISHED;
	ck_assert(!xchg_response_ok(&sa));
	/* Child exchanges wait for the SA to be up. */
	set_state(&sa, IKE_SA_CONNECTING, V2_AUTH_SENT);
	sa.req.ops = &v2_create_ops;
	ck_assert(!xchg_response_ok(&sa));
}
END_TEST

/* Every version the engine speaks answers all it may be asked. */
START_TEST(version_ops_complete)
{
	const struct ike_version_ops *v = ike_version_ops(2);
	static struct ike_sa sa;

	ck_assert_ptr_nonnull(v);
	ck_assert_uint_eq(v->version, 2);
	ck_assert(v->initiate && v->create_child && v->rekey_ike &&
		  v->rekey_child && v->delete_ike && v->delete_child &&
		  v->liveness && v->uninstall_child && v->announce && v->going);
	sa.version = 2;
	ck_assert_ptr_eq(sa_version(&sa), v);
	/* IKEv1: every op there, those not built yet logging and failing
	 * (test_v1_main.c). */
	v = ike_version_ops(1);
	ck_assert_ptr_nonnull(v);
	ck_assert_uint_eq(v->version, 1);
	ck_assert(v->initiate && v->create_child && v->rekey_ike &&
		  v->rekey_child && v->delete_ike && v->delete_child &&
		  v->liveness && v->uninstall_child && v->announce && v->going);
	sa.version = 1;
	ck_assert_ptr_eq(sa_version(&sa), v);
	ck_assert_ptr_null(ike_version_ops(0));
	ck_assert_ptr_null(ike_version_ops(3));
}
END_TEST

Suite *
xchg_suite(void)
{
	Suite *s = suite_create("xchg");
	TCase *tc = tcase_create("table");

	tcase_add_test(tc, every_entry_is_complete);
	tcase_add_test(tc, peer_exchanges_have_one_responder);
	tcase_add_test(tc, requests_refused_outside_their_states);
	tcase_add_test(tc, responses_refused_outside_their_states);
	tcase_add_test(tc, version_ops_complete);
	suite_add_tcase(s, tc);
	return s;
}
