/* SPDX-License-Identifier: ISC */
/*
 * plugin_hooks.c against a fake daemon (below: a connection, a clock, a
 * log; no running config, so child filters see what the engine says): auth
 * methods dispatched by the connection's local and remote method, extensions in
 * order with the first refusal winning, listeners before per-SA slots are freed
 * (on IKE_DOWN and a rekey's old SA), child filters on a copy, and a failed
 * plugin's hooks and slots dropped with it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <check.h>

#include "daemon.h"
#include "tests.h"

/* --- the fake daemon ------------------------------------------------------ */

struct daemon daemon_g;

static struct conn_cfg conn = {
    .name = "site",
    .local = {.auth = "alpha"},
    .remote = {.auth = "beta"},
};

const struct conn_cfg *
conns_find(const struct daemon *d, const char *name)
{
	return strcmp(name, conn.name) == 0 ? &conn : NULL;
}

void
log_msg(enum ike_log_level level, const char *fmt, ...)
{
}

uint64_t
daemon_now(void)
{
	return 1000;
}

void
daemon_rearm(struct daemon *d)
{
}

static size_t raw_sent; /* bytes net_send_raw was given */

void
net_send_raw(struct daemon *d, const struct ike_endpoint *local,
	     const struct ike_endpoint *remote, const uint8_t *pkt, size_t len)
{
	raw_sent += len;
}

/* --- plugins' hooks that record what they saw ------------------------------
 */

static char trail[256];

static void
note(const char *s)
{
	strncat(trail, s, sizeof(trail) - strlen(trail) - 1);
}

static int
sign_a(void *st, const struct ike_auth_req *r, uint8_t *m, uint8_t *o,
       size_t *l)
{
	note("sign:alpha ");
	return 0;
}

static int
verify_a(void *st, const struct ike_auth_req *r, uint8_t m, struct bytes d,
	 char *why, size_t wl)
{
	note("verify:alpha ");
	return 0;
}

static int
payloads_a(void *st, const struct ike_auth_req *r, struct ike_out *o)
{
	note("payloads:alpha ");
	return 0;
}

static int
sign_b(void *st, const struct ike_auth_req *r, uint8_t *m, uint8_t *o,
       size_t *l)
{
	note("sign:beta ");
	return 0;
}

static int
verify_b(void *st, const struct ike_auth_req *r, uint8_t m, struct bytes d,
	 char *why, size_t wl)
{
	note("verify:beta ");
	return 0;
}

static int
payloads_b(void *st, const struct ike_auth_req *r, struct ike_out *o)
{
	note("payloads:beta ");
	return 0;
}

static int
id_check_b(void *st, const struct ike_auth_req *r, char *why, size_t wl)
{
	note("id_check:beta ");
	snprintf(why, wl, "not in the certificate");
	return -1;
}

static const struct charond_auth_method alpha = {"alpha", sign_a, verify_a,
						 payloads_a, NULL};
static const struct charond_auth_method beta = {"beta", sign_b, verify_b,
						payloads_b, id_check_b};

static const struct charond_plugin p1 = {.name = "p1"};
static const struct charond_plugin p2 = {.name = "p2"};

static void
setup(void)
{
	hooks_clear();
	trail[0] = '\0';
}

START_TEST(test_auth_by_method)
{
	struct ike_auth_req r = {.conn = "site"};
	uint8_t method, out[16];
	size_t len = sizeof(out);
	char why[64] = "";

	hooks_begin(&p1);
	ck_assert_int_eq(hooks_add_auth(&alpha, NULL), 0);
	ck_assert_int_eq(hooks_add_auth(&alpha, NULL), -1); /* a second */
	hooks_begin(&p2);
	ck_assert_int_eq(hooks_add_auth(&beta, NULL), 0);
	hooks_begin(NULL);
	ck_assert_int_eq(plugins_auth_sign(&daemon_g, &r, &method, out, &len),
			 0);
	ck_assert_int_eq(plugins_auth_verify(&daemon_g, &r, 2,
					     (struct bytes){out, 0}, why,
					     sizeof(why)),
			 0);
	ck_assert_int_eq(plugins_auth_payloads(&daemon_g, &r, NULL), 0);
	ck_assert_int_eq(plugins_auth_id_check(&daemon_g, &r, why, sizeof(why)),
			 -1);
	ck_assert_str_eq(why, "not in the certificate");
	ck_assert_str_eq(trail, "sign:alpha verify:beta payloads:alpha "
				"payloads:beta id_check:beta ");
	/* p2 fails: its method goes with it. */
	hooks_drop(&p2);
	ck_assert_int_eq(plugins_auth_verify(&daemon_g, &r, 2,
					     (struct bytes){out, 0}, why,
					     sizeof(why)),
			 -1);
	ck_assert_ptr_nonnull(strstr(why, "no started plugin"));
	ck_assert_int_eq(plugins_auth_id_check(&daemon_g, &r, why, sizeof(why)),
			 0);
	/* An unknown connection has no method. */
	r.conn = "other";
	ck_assert_int_eq(plugins_auth_sign(&daemon_g, &r, &method, out, &len),
			 -1);
}
END_TEST

static void
build_1(void *st, const struct ike_msg_view *m, struct ike_out *o)
{
	note("build1 ");
}

static int
input_1(void *st, const struct ike_msg_view *m, char *why, size_t wl)
{
	note("input1 ");
	return 0;
}

static int
input_2(void *st, const struct ike_msg_view *m, char *why, size_t wl)
{
	note("input2 ");
	snprintf(why, wl, "two refuses");
	return 14; /* NO_PROPOSAL_CHOSEN */
}

static int
input_3(void *st, const struct ike_msg_view *m, char *why, size_t wl)
{
	note("input3 ");
	return 24;
}

START_TEST(test_extensions)
{
	static const struct charond_exchange_ext x1 = {"x1", build_1, input_1};
	static const struct charond_exchange_ext x2 = {"x2", NULL, input_2};
	static const struct charond_exchange_ext x3 = {"x3", build_1, input_3};
	struct ike_msg_view m = {0};
	char why[64] = "";

	hooks_begin(&p1);
	hooks_add_extension(&x1, NULL);
	hooks_add_extension(&x2, NULL);
	hooks_add_extension(&x3, NULL);
	hooks_begin(NULL);
	plugins_ext_build(&daemon_g, &m, NULL);
	ck_assert_int_eq(plugins_ext_input(&daemon_g, &m, why, sizeof(why)),
			 14);
	ck_assert_str_eq(why, "two refuses");
	ck_assert_str_eq(trail, "build1 build1 input1 input2 ");
}
END_TEST

static int freed;
static int slot;

static void
free_fn(void *data)
{
	freed++;
}

static void
on_event(void *st, const struct ike_event *ev)
{
	/* A listener still sees its data when the SA goes. */
	if (hooks_sa_get(slot, ev->ike_id))
		note("data ");
	else
		note("none ");
}

START_TEST(test_slots)
{
	static const struct charond_sa_listener l = {on_event};
	static int a, b, c;
	struct ike_event ev = {0};

	freed = 0;
	hooks_begin(&p1);
	slot = hooks_sa_slot("p1", free_fn);
	ck_assert_int_ge(slot, 0);
	hooks_add_listener(&l, NULL);
	hooks_begin(NULL);
	ck_assert_int_eq(hooks_sa_set(slot, 1, &a), 0);
	ck_assert_int_eq(hooks_sa_set(slot, 2, &b), 0);
	ck_assert_int_eq(hooks_sa_set(slot, 2 + 256, &c), 0); /* same bucket */
	ck_assert_ptr_eq(hooks_sa_get(slot, 1), &a);
	ck_assert_ptr_eq(hooks_sa_get(slot, 258), &c);
	ck_assert_ptr_null(hooks_sa_get(slot, 3));
	ck_assert_int_eq(hooks_sa_set(slot, 0, &a), -1);
	ck_assert_int_eq(hooks_sa_set(slot + 1, 1, &a), -1); /* not taken */
	/* Events free nothing: a listener may still want the data. */
	ev.type = IKE_EV_CHILD_DOWN;
	ev.ike_id = 1;
	plugins_event(&daemon_g, &ev);
	ev.type = IKE_EV_IKE_DOWN;
	plugins_event(&daemon_g, &ev);
	ck_assert_int_eq(freed, 0);
	ck_assert_str_eq(trail, "data data ");
	/* The engine freeing the SA (however it ended) frees its data. */
	plugins_sa_freed(&daemon_g, 1);
	ck_assert_int_eq(freed, 1);
	ck_assert_ptr_null(hooks_sa_get(slot, 1));
	plugins_sa_freed(&daemon_g, 2);
	ck_assert_int_eq(freed, 2);
	ck_assert_ptr_null(hooks_sa_get(slot, 2));
	ck_assert_ptr_eq(hooks_sa_get(slot, 258), &c);
	plugins_sa_freed(&daemon_g, 2); /* twice: nothing left */
	ck_assert_int_eq(freed, 2);
	/* Replacing frees the old value. */
	ck_assert_int_eq(hooks_sa_set(slot, 258, &a), 0);
	ck_assert_int_eq(freed, 3);
	freed = 3;
	/* p1 fails: its slot and the data in it go. */
	hooks_drop(&p1);
	ck_assert_int_eq(freed, 4);
	ck_assert_ptr_null(hooks_sa_get(slot, 258));
	ck_assert_int_eq(hooks_sa_set(slot, 258, &a), -1);
}
END_TEST

/* The per-SA table grows with the SAs (a fixed one made each lookup walk
 * N/256 entries at N SAs) and keeps every entry through its growth. */
START_TEST(test_slots_grow)
{
	enum { N = 20000 };
	static char data[N + 1];
	unsigned id;

	freed = 0;
	hooks_begin(&p1);
	slot = hooks_sa_slot("p1", free_fn);
	ck_assert_int_ge(slot, 0);
	hooks_begin(NULL);
	for (id = 1; id <= N; id++)
		ck_assert_int_eq(hooks_sa_set(slot, id, &data[id]), 0);
	ck_assert_uint_ge(hooks_sa_buckets(), N);
	for (id = 1; id <= N; id++)
		ck_assert_ptr_eq(hooks_sa_get(slot, id), &data[id]);
	ck_assert_ptr_null(hooks_sa_get(slot, N + 1));
	/* Half of them go; the rest are still found. */
	for (id = 1; id <= N; id += 2)
		plugins_sa_freed(&daemon_g, id);
	ck_assert_int_eq(freed, N / 2);
	for (id = 1; id <= N; id++)
		if (id % 2)
			ck_assert_ptr_null(hooks_sa_get(slot, id));
		else
			ck_assert_ptr_eq(hooks_sa_get(slot, id), &data[id]);
	hooks_drop(&p1);
	ck_assert_int_eq(freed, N);
	hooks_clear();
	ck_assert_uint_eq(hooks_sa_buckets(), 0);
}
END_TEST

static int
filter_mark(void *st, enum charond_filter_op op,
	    const struct charond_child_view *child,
	    struct ike_child_install *ci, char *why, size_t wl)
{
	ck_assert_str_eq(child->name, "net");
	ci->mark_out = 42;
	ci->mark_out_mask = 0xff;
	ci->encap.type = 2;
	return 0;
}

static int
filter_refuse(void *st, enum charond_filter_op op,
	      const struct charond_child_view *child,
	      struct ike_child_install *ci, char *why, size_t wl)
{
	return ci->mark_out == 42 ? -1 : 0;
}

START_TEST(test_child_filters)
{
	static const struct charond_child_filter f1 = {"marks", filter_mark};
	static const struct charond_child_filter f2 = {"no42", filter_refuse};
	struct ike_child_install ci = {.conn = "site", .child = "net"}, out;
	char why[64];

	ck_assert_int_eq(plugins_child_filter(CHAROND_FILTER_INSTALL, &ci, &out,
					      why, sizeof(why)),
			 0);
	hooks_begin(&p1);
	hooks_add_child_filter(&f1, NULL);
	hooks_begin(NULL);
	ck_assert_int_eq(plugins_child_filter(CHAROND_FILTER_INSTALL, &ci, &out,
					      why, sizeof(why)),
			 0);
	ck_assert_uint_eq(out.mark_out, 42);
	ck_assert_uint_eq(out.encap.type, 2);
	ck_assert_uint_eq(ci.mark_out, 0); /* the engine's is untouched */
	hooks_begin(&p2);
	hooks_add_child_filter(&f2, NULL);
	hooks_begin(NULL);
	ck_assert_int_eq(plugins_child_filter(CHAROND_FILTER_INSTALL, &ci, &out,
					      why, sizeof(why)),
			 -1);
	ck_assert_str_eq(why, "refused by no42");
	hooks_drop(&p2);
	ck_assert_int_eq(plugins_child_filter(CHAROND_FILTER_INSTALL, &ci, &out,
					      why, sizeof(why)),
			 0);
}
END_TEST

static enum charond_filter_op seen_ops[4];
static unsigned n_seen_ops;

static int
filter_record(void *st, enum charond_filter_op op,
	      const struct charond_child_view *child,
	      struct ike_child_install *ci, char *why, size_t wl)
{
	if (n_seen_ops < 4)
		seen_ops[n_seen_ops++] = op;
	ci->mark_out = 42;
	return 0;
}

/* A filter that kept state for an install (l2tp) hears of its removal
 * when a later filter refuses the install: nothing reaches the kernel,
 * and no REMOVE would come from it. */
START_TEST(test_child_filter_refusal_undone)
{
	static const struct charond_child_filter f1 = {"rec", filter_record};
	static const struct charond_child_filter f2 = {"no42", filter_refuse};
	struct ike_child_install ci = {.conn = "site", .child = "net"}, out;
	char why[64];

	n_seen_ops = 0;
	hooks_begin(&p1);
	hooks_add_child_filter(&f1, NULL);
	hooks_begin(&p2);
	hooks_add_child_filter(&f2, NULL);
	hooks_begin(NULL);
	ck_assert_int_eq(plugins_child_filter(CHAROND_FILTER_INSTALL, &ci, &out,
					      why, sizeof(why)),
			 -1);
	ck_assert_uint_eq(n_seen_ops, 2);
	ck_assert_int_eq(seen_ops[0], CHAROND_FILTER_INSTALL);
	ck_assert_int_eq(seen_ops[1], CHAROND_FILTER_REMOVE);
	/* A refused removal undoes nothing. */
	n_seen_ops = 0;
	ck_assert_int_eq(plugins_child_filter(CHAROND_FILTER_REMOVE, &ci, &out,
					      why, sizeof(why)),
			 -1);
	ck_assert_uint_eq(n_seen_ops, 1);
	hooks_drop(&p2);
	hooks_drop(&p1);
}
END_TEST

START_TEST(test_bounds)
{
	static const struct charond_sa_listener l = {on_event};
	unsigned i;

	for (i = 0; i < MAX_HOOKS; i++)
		ck_assert_int_eq(hooks_add_listener(&l, NULL), 0);
	ck_assert_int_eq(hooks_add_listener(&l, NULL), -1);
	for (i = 0; i < MAX_SA_SLOTS; i++)
		ck_assert_int_ge(hooks_sa_slot("x", NULL), 0);
	ck_assert_int_eq(hooks_sa_slot("x", NULL), -1);
	/* Without an engine: no timers, no actions. */
	ck_assert_uint_eq(hooks_timer_add(10, NULL, NULL), 0);
	ck_assert_int_eq(hooks_sa_action(1, CHAROND_SA_LIVENESS, NULL), -1);
}
END_TEST

/* At shutdown the engine goes before the plugins: a slot's free_fn that
 * cancels its SA's pending timer then must not reach into the engine. */
static uint64_t pending;

static void
never_fires(void *arg, uint64_t now)
{
	ck_abort_msg("a timer fired");
}

static void
free_cancels(void *data)
{
	freed++;
	hooks_timer_cancel(pending);
}

static void
env_send(void *ctx, const struct ike_endpoint *l, const struct ike_endpoint *r,
	 const uint8_t *p, size_t n)
{
}

START_TEST(test_free_after_engine)
{
	static const struct ike_env env = {.send = env_send};
	static int a;
	int s;

	freed = 0;
	daemon_g.engine = ike_engine_new(&env);
	ck_assert_ptr_nonnull(daemon_g.engine);
	hooks_begin(&p1);
	s = hooks_sa_slot("p1", free_cancels);
	hooks_begin(NULL);
	pending = hooks_timer_add(10, never_fires, NULL);
	ck_assert_uint_ne(pending, 0);
	ck_assert_int_eq(hooks_sa_set(s, 7, &a), 0);
	ike_engine_free(daemon_g.engine);
	daemon_g.engine = NULL;
	hooks_drop(&p1); /* plugins_unload, for each plugin */
	ck_assert_int_eq(freed, 1);
	hooks_clear();
}
END_TEST

Suite *
plugin_hooks_suite(void)
{
	Suite *s = suite_create("plugin_hooks");
	TCase *tc = tcase_create("hooks");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_auth_by_method);
	tcase_add_test(tc, test_extensions);
	tcase_add_test(tc, test_slots);
	tcase_add_test(tc, test_slots_grow);
	tcase_add_test(tc, test_child_filters);
	tcase_add_test(tc, test_child_filter_refusal_undone);
	tcase_add_test(tc, test_bounds);
	tcase_add_test(tc, test_free_after_engine);
	suite_add_tcase(s, tc);
	return s;
}
