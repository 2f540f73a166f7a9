/* SPDX-License-Identifier: ISC */
/*
 * The l2tp plugin's table of server-side clients (plugins/l2tp/
 * clients.c): a slot per reqid, kept while any of its CHILD SAs is, not
 * reused at once, and bounded.
 */
#include <stdlib.h>

#include <check.h>

#include "clients.h"

static struct l2tp_clients *
table(void)
{
	struct l2tp_clients *t = malloc(sizeof(*t));

	ck_assert_ptr_nonnull(t);
	l2tp_clients_init(t);
	return t;
}

static void
table_free(struct l2tp_clients *t)
{
	l2tp_clients_clear(t);
	free(t);
}

START_TEST(slot_per_reqid)
{
	struct l2tp_clients *t = table();
	struct l2tp_client *a, *b, *again;
	bool made;

	a = l2tp_clients_get(t, 7, 0x01020304, &made);
	ck_assert_ptr_nonnull(a);
	ck_assert(made);
	b = l2tp_clients_get(t, 9, 0x01020304, &made);
	ck_assert(made);
	ck_assert_uint_ne(a->slot, b->slot);
	/* A rekey's pair has the same reqid: the same client. */
	again = l2tp_clients_get(t, 7, 0x01020304, &made);
	ck_assert_ptr_eq(again, a);
	ck_assert(!made);
	ck_assert_ptr_eq(l2tp_clients_find(t, 9), b);
	ck_assert_ptr_null(l2tp_clients_find(t, 8));
	ck_assert_uint_eq(l2tp_mark(a->slot) & L2TP_MARK_MASK, L2TP_MARK_BASE);
	ck_assert_uint_eq(l2tp_port(a->slot), L2TP_PORT_BASE + a->slot);
	ck_assert_uint_eq(t->n, 2);
	table_free(t);
}
END_TEST

/* The entry stays while any CHILD SA is installed; an SPI is counted
 * once; an SPI never added (a failed install) changes nothing. */
START_TEST(spis_counted)
{
	struct l2tp_clients *t = table();
	struct l2tp_client *c;
	bool made;

	c = l2tp_clients_get(t, 1, 1, &made);
	ck_assert_int_eq(l2tp_client_add_spi(c, 0xa), 0);
	ck_assert_int_eq(l2tp_client_add_spi(c, 0xa), 0);
	ck_assert_int_eq(l2tp_client_add_spi(c, 0xb), 0);
	ck_assert_uint_eq(c->n_spis, 2);
	ck_assert_uint_eq(l2tp_client_del_spi(c, 0xc), 2);
	ck_assert_uint_eq(l2tp_client_del_spi(c, 0xa), 1);
	ck_assert_uint_eq(l2tp_client_del_spi(c, 0xb), 0);
	table_free(t);
}
END_TEST

START_TEST(spis_bounded)
{
	struct l2tp_clients *t = table();
	struct l2tp_client *c;
	bool made;
	uint32_t i;

	c = l2tp_clients_get(t, 1, 1, &made);
	for (i = 0; i < L2TP_MAX_SPIS; i++)
		ck_assert_int_eq(l2tp_client_add_spi(c, i + 1), 0);
	ck_assert_int_eq(l2tp_client_add_spi(c, 999), -1);
	ck_assert_uint_eq(c->n_spis, L2TP_MAX_SPIS);
	table_free(t);
}
END_TEST

/* A freed slot is not handed out again at once: conntrack state of the
 * client that had it may still be around. */
START_TEST(slots_round_robin)
{
	struct l2tp_clients *t = table();
	struct l2tp_client *c;
	uint16_t first;
	bool made;

	c = l2tp_clients_get(t, 1, 1, &made);
	first = c->slot;
	l2tp_clients_drop(t, c);
	ck_assert_ptr_null(l2tp_clients_find(t, 1));
	c = l2tp_clients_get(t, 2, 1, &made);
	ck_assert_uint_ne(c->slot, first);
	ck_assert_uint_eq(t->n, 1);
	table_free(t);
}
END_TEST

/* At most L2TP_MAX_CLIENTS at once; a slot comes back once freed, and
 * slots wrap around without ever being 0. */
START_TEST(slots_bounded)
{
	struct l2tp_clients *t = table();
	struct l2tp_client *c;
	bool made;
	uint32_t r;

	for (r = 1; r <= L2TP_MAX_CLIENTS; r++) {
		c = l2tp_clients_get(t, r, r, &made);
		ck_assert_ptr_nonnull(c);
		ck_assert_uint_ge(c->slot, 1);
		ck_assert_uint_le(c->slot, L2TP_MAX_CLIENTS);
	}
	ck_assert_ptr_null(l2tp_clients_get(t, r, r, &made));
	ck_assert_uint_eq(t->n, L2TP_MAX_CLIENTS);
	c = l2tp_clients_find(t, 100);
	l2tp_clients_drop(t, c);
	c = l2tp_clients_get(t, r, r, &made);
	ck_assert_ptr_nonnull(c);
	ck_assert_uint_eq(c->slot, 100);
	table_free(t);
}
END_TEST

START_TEST(addr_shared)
{
	struct l2tp_clients *t = table();
	struct l2tp_client *a, *b;
	bool made;

	a = l2tp_clients_get(t, 1, 0x0a000001, &made);
	ck_assert(!l2tp_clients_addr_used(t, 0x0a000001, a));
	b = l2tp_clients_get(t, 2, 0x0a000001, &made);
	ck_assert(l2tp_clients_addr_used(t, 0x0a000001, a));
	ck_assert(l2tp_clients_addr_used(t, 0x0a000001, b));
	ck_assert(!l2tp_clients_addr_used(t, 0x0a000002, NULL));
	l2tp_clients_drop(t, b);
	ck_assert(!l2tp_clients_addr_used(t, 0x0a000001, a));
	table_free(t);
}
END_TEST

Suite *l2tp_clients_suite(void);

Suite *
l2tp_clients_suite(void)
{
	Suite *s = suite_create("l2tp_clients");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, slot_per_reqid);
	tcase_add_test(tc, spis_counted);
	tcase_add_test(tc, spis_bounded);
	tcase_add_test(tc, slots_round_robin);
	tcase_add_test(tc, slots_bounded);
	tcase_add_test(tc, addr_shared);
	suite_add_tcase(s, tc);
	return s;
}
