/* SPDX-License-Identifier: ISC */
/*
 * list-sas a step at a time (ctl_list.c) over a real engine: 100,000 IKE
 * SAs (initiators whose IKE_SA_INIT went nowhere) listed in both framings,
 * each step bounded, every SA exactly once, the result parseable as the
 * interface spec's list-sas reply; and the filters, and SAs that come and
 * go between steps.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "../../conn_room.h"
#include "ctl.h"
#include "ikev2_const.h"
#include "tests.h"

#define MANY 100000

static void
no_send(void *ctx, const struct ike_endpoint *l, const struct ike_endpoint *r,
	const uint8_t *p, size_t n)
{
}

static void
no_log(void *ctx, enum ike_log_level lv, const char *c, unsigned id,
       const char *m)
{
}

static void
addr(struct ike_endpoint *ep, const char *a)
{
	struct sockaddr_in *s = (struct sockaddr_in *)&ep->ss;

	memset(ep, 0, sizeof(*ep));
	s->sin_family = AF_INET;
	s->sin_port = htons(500);
	ck_assert_int_eq(inet_pton(AF_INET, a, &s->sin_addr), 1);
}

/* An engine with connections "bulk" and "other"; n SAs of "bulk", then
 * one of "other". */
static struct ike_engine *
engine_with(size_t n)
{
	struct ike_env env = {.send = no_send, .log = no_log};
	static struct ike_conn_cfg c[2];
	struct ike_engine *e = ike_engine_new(&env);
	char err[128];
	size_t i;

	ck_assert_ptr_nonnull(e);
	memset(c, 0, sizeof(c));
	for (i = 0; i < 2; i++) {
		conn_room(&c[i]);
		snprintf(c[i].name, sizeof(c[i].name), "%s",
			 i ? "other" : "bulk");
		addr(&c[i].local, "192.0.2.1");
		addr(&c[i].remote, i ? "192.0.2.3" : "192.0.2.2");
		c[i].n_proposals = 1;
		ck_assert_int_eq(prop_parse("aes128gcm16-prfsha256-x25519",
					    IKEV2_PROTO_IKE, &c[i].proposals[0],
					    err, sizeof(err)),
				 0);
		c[i].keyingtries = 1;
	}
	ck_assert_int_eq(ike_engine_set_conns(e, c, 2, 1000), 0);
	for (i = 0; i < n; i++)
		ck_assert_uint_ne(ike_initiate(e, 1000, "bulk", NULL), 0);
	ck_assert_uint_ne(ike_initiate(e, 1000, "other", NULL), 0);
	return e;
}

/* The output as the client would read it, and the size of each step. */
struct sink {
	char *buf;
	size_t len, cap;
	size_t step, max_step;
};

static int
emit(void *ctx, const char *s, size_t len)
{
	struct sink *k = ctx;

	if (k->len + len + 1 > k->cap) {
		k->cap = (k->len + len + 1) * 2;
		k->buf = realloc(k->buf, k->cap);
		ck_assert_ptr_nonnull(k->buf);
	}
	memcpy(k->buf + k->len, s, len);
	k->len += len;
	k->buf[k->len] = '\0';
	k->step += len;
	return 0;
}

/* Every step of a list into k; returns how many steps. */
static size_t
run(struct ctl_list *l, struct ike_engine *e, struct sink *k)
{
	size_t steps = 0;
	int rc;

	do {
		k->step = 0;
		rc = ctl_list_step(l, e, emit, k);
		ck_assert_int_ge(rc, 0);
		if (k->step > k->max_step)
			k->max_step = k->step;
		steps++;
	} while (rc == 1);
	ck_assert(l->done);
	ck_assert_int_eq(ctl_list_step(l, e, emit, k), 0);
	return steps;
}

/* The ids of a list of SA objects: each once, newest first. */
static void
check_ids(json_t *sas, size_t n, unsigned first)
{
	size_t i;

	ck_assert_uint_eq(json_array_size(sas), n);
	for (i = 0; i < n; i++) {
		json_t *sa = json_array_get(sas, i);

		ck_assert_int_eq(json_integer_value(json_object_get(sa, "id")),
				 (json_int_t)(first - i));
		ck_assert_str_eq(
		    json_string_value(json_object_get(sa, "state")),
		    "CONNECTING");
	}
}

/* One engine with MANY SAs for the tests that list them all: made once,
 * before the tests fork. */
static struct ike_engine *big;

static void
big_setup(void)
{
	big = engine_with(MANY);
}

static void
big_teardown(void)
{
	ike_engine_free(big);
	big = NULL;
}

START_TEST(test_one_line_100k)
{
	struct ike_engine *e = big;
	struct sink k = {0};
	struct ctl_list l;
	json_error_t je;
	json_t *id = json_integer(7), *r;
	size_t steps;

	ck_assert_int_eq(ctl_list_init(&l, id, "bulk", 0, false), 0);
	steps = run(&l, e, &k);
	ctl_list_free(&l);
	/* Bounded steps, and many of them: never the whole list at once. */
	ck_assert_uint_gt(steps, MANY / CTL_LIST_STEP_SAS);
	ck_assert_uint_le(k.max_step, CTL_LIST_STEP_BYTES + 4096);
	ck_assert_uint_gt(k.len, 4 * 1024 * 1024); /* past CTL_MAX_OUT */
	/* One line: the reply every client understands. */
	ck_assert_ptr_eq(strchr(k.buf, '\n'), k.buf + k.len - 1);
	r = json_loadb(k.buf, k.len, 0, &je);
	ck_assert_msg(r != NULL, "%s at %d", je.text, je.position);
	ck_assert_int_eq(json_integer_value(json_object_get(r, "id")), 7);
	ck_assert(json_is_true(json_object_get(r, "ok")));
	/* "other" (the newest SA) is not of conn "bulk". */
	check_ids(json_object_get(json_object_get(r, "result"), "ike_sas"),
		  MANY, MANY);
	json_decref(r);
	json_decref(id);
	free(k.buf);
}
END_TEST

START_TEST(test_lines_100k)
{
	struct ike_engine *e = big;
	json_t *id = json_string("list"), *sas = json_array(), *o;
	struct sink k = {0};
	struct ctl_list l;
	char *p, *nl;
	size_t lines = 0;

	ck_assert_int_eq(ctl_list_init(&l, id, NULL, 0, true), 0);
	run(&l, e, &k);
	ctl_list_free(&l);
	ck_assert_uint_le(k.max_step, CTL_LIST_STEP_BYTES + 4096);
	for (p = k.buf; (nl = strchr(p, '\n')); p = nl + 1, lines++) {
		o = json_loadb(p, (size_t)(nl - p), 0, NULL);
		ck_assert_ptr_nonnull(o);
		ck_assert_str_eq(json_string_value(json_object_get(o, "id")),
				 "list");
		if (lines < MANY + 1) {
			ck_assert_ptr_null(json_object_get(o, "ok"));
			json_array_append(sas, json_object_get(o, "ike_sa"));
		} else {
			/* The last line is the reply, with the count. */
			ck_assert(json_is_true(json_object_get(o, "ok")));
			ck_assert_int_eq(
			    json_integer_value(json_object_get(
				json_object_get(o, "result"), "count")),
			    MANY + 1);
		}
		json_decref(o);
	}
	ck_assert_uint_eq(lines, MANY + 2);
	ck_assert_ptr_eq(p, k.buf + k.len);
	check_ids(sas, MANY + 1, MANY + 1);
	json_decref(sas);
	json_decref(id);
	free(k.buf);
}
END_TEST

static json_t *
one_line(struct ike_engine *e, const char *conn, unsigned only_id)
{
	struct sink k = {0};
	struct ctl_list l;
	json_t *r;

	ck_assert_int_eq(ctl_list_init(&l, NULL, conn, only_id, false), 0);
	run(&l, e, &k);
	ctl_list_free(&l);
	r = json_loadb(k.buf, k.len, 0, NULL);
	ck_assert_ptr_nonnull(r);
	free(k.buf);
	ck_assert(json_is_null(json_object_get(r, "id")));
	return r;
}

#define SAS(r) json_object_get(json_object_get(r, "result"), "ike_sas")

START_TEST(test_filters)
{
	struct ike_engine *e = engine_with(600);
	json_t *r;

	r = one_line(e, NULL, 0);
	check_ids(SAS(r), 601, 601);
	json_decref(r);
	r = one_line(e, "other", 0);
	check_ids(SAS(r), 1, 601);
	json_decref(r);
	r = one_line(e, NULL, 300);
	check_ids(SAS(r), 1, 300);
	json_decref(r);
	r = one_line(e, "other", 300); /* SA 300 is not of "other" */
	check_ids(SAS(r), 0, 0);
	json_decref(r);
	r = one_line(e, NULL, 5000);
	check_ids(SAS(r), 0, 0);
	json_decref(r);
	r = one_line(e, "nonesuch", 0);
	check_ids(SAS(r), 0, 0);
	json_decref(r);
	ike_engine_free(e);
}
END_TEST

/* Between steps SAs come and go: new ones are not listed (they were not
 * there when the list began), gone ones are not, the others once each. */
START_TEST(test_changes_between_steps)
{
	struct ike_engine *e = engine_with(3000);
	struct sink k = {0};
	struct ctl_list l;
	json_t *r, *sas;
	size_t i;
	int rc;

	ck_assert_int_eq(ctl_list_init(&l, NULL, "bulk", 0, false), 0);
	rc = ctl_list_step(&l, e, emit, &k);
	ck_assert_int_eq(rc, 1);
	ck_assert_uint_lt(l.count, 3000);
	ck_assert_uint_ne(ike_initiate(e, 2000, "bulk", NULL), 0);
	/* Terminating a half-made initiator SA drops it at once. */
	ike_terminate(e, 2000, 10);
	run(&l, e, &k);
	ctl_list_free(&l);
	r = json_loadb(k.buf, k.len, 0, NULL);
	ck_assert_ptr_nonnull(r);
	sas = SAS(r);
	for (i = 0; i < json_array_size(sas); i++) {
		json_int_t id = json_integer_value(
		    json_object_get(json_array_get(sas, i), "id"));

		ck_assert_int_le(id, 3000);
		ck_assert_int_ne(id, 10);
		if (i)
			ck_assert_int_lt(
			    id, json_integer_value(json_object_get(
				    json_array_get(sas, i - 1), "id")));
	}
	ck_assert_uint_eq(json_array_size(sas), 2999);
	json_decref(r);
	free(k.buf);
	ike_engine_free(e);
}
END_TEST

Suite *
ctl_list_suite(void)
{
	Suite *s = suite_create("ctl_list");
	TCase *tb = tcase_create("100k");
	TCase *tc = tcase_create("list");

	tcase_add_unchecked_fixture(tb, big_setup, big_teardown);
	tcase_set_timeout(tb, 120);
	tcase_add_test(tb, test_one_line_100k);
	tcase_add_test(tb, test_lines_100k);
	suite_add_tcase(s, tb);
	tcase_add_test(tc, test_filters);
	tcase_add_test(tc, test_changes_between_steps);
	suite_add_tcase(s, tc);
	return s;
}
