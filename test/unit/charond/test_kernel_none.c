/* SPDX-License-Identifier: ISC */
/*
 * charond/kernel_none.c, the recorder behind daemon.kernel: none: SPIs
 * unique among those in use and in the range asked for, SAs and policies
 * recorded and forgotten as the kernel would hold them, its errnos for
 * what it would refuse.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "daemon.h"
#include "tests.h"

#define N_SPIS 20000

static const struct kernel_ops *k = &kernel_none_ops;

static void
v4(struct xfrm_addr *a, const char *s)
{
	memset(a, 0, sizeof(*a));
	a->family = AF_INET;
	ck_assert_int_eq(inet_pton(AF_INET, s, &a->v4), 1);
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static size_t
n_sas(const void *h)
{
	size_t sas, pols;

	kernel_none_count(h, &sas, &pols);
	return sas;
}

static size_t
n_pols(const void *h)
{
	size_t sas, pols;

	kernel_none_count(h, &sas, &pols);
	return pols;
}

START_TEST(spis_are_unique_and_in_range)
{
	void *h = kernel_none_new();
	uint32_t *spi = calloc(N_SPIS, sizeof(*spi));
	struct xfrm_sa sa = {0};
	size_t i;

	ck_assert_ptr_nonnull(h);
	ck_assert_ptr_nonnull(spi);
	v4(&sa.src, "192.0.2.2");
	v4(&sa.dst, "192.0.2.1");
	sa.proto = IPPROTO_ESP;
	for (i = 0; i < N_SPIS; i++) {
		ck_assert_int_eq(
		    k->spi_alloc(h, &sa, 0xc0000000, 0xcfffffff, &spi[i]), 0);
		ck_assert_uint_ge(spi[i], 0xc0000000);
		ck_assert_uint_le(spi[i], 0xcfffffff);
	}
	ck_assert_uint_eq(n_sas(h), N_SPIS);
	qsort(spi, N_SPIS, sizeof(*spi), cmp_u32);
	for (i = 1; i < N_SPIS; i++)
		ck_assert_uint_ne(spi[i - 1], spi[i]);
	free(spi);
	k->close(h);
}
END_TEST

/* A range of 16 SPIs: all 16 are handed out, then none while they are
 * in use, then the one freed. */
START_TEST(an_spi_is_not_reused_while_in_use)
{
	void *h = kernel_none_new();
	struct xfrm_sa sa = {0};
	uint32_t spi, seen = 0, again;
	unsigned i;

	v4(&sa.dst, "192.0.2.1");
	sa.proto = IPPROTO_ESP;
	for (i = 0; i < 16; i++) {
		ck_assert_int_eq(k->spi_alloc(h, &sa, 0x1000, 0x100f, &spi), 0);
		ck_assert_uint_eq(seen & 1u << (spi - 0x1000), 0);
		seen |= 1u << (spi - 0x1000);
	}
	ck_assert_int_eq(k->spi_alloc(h, &sa, 0x1000, 0x100f, &again), -ENOENT);
	sa.spi = 0x1007;
	ck_assert_int_eq(k->sa_del(h, &sa), 0);
	ck_assert_int_eq(k->spi_alloc(h, &sa, 0x1000, 0x100f, &again), 0);
	ck_assert_uint_eq(again, 0x1007);
	/* ALLOCSPI's range starts at 0x100: below are reserved (RFC 4303). */
	ck_assert_int_eq(k->spi_alloc(h, &sa, 0x10, 0x20, &again), -EINVAL);
	k->close(h);
}
END_TEST

START_TEST(sas_are_recorded_and_removed)
{
	void *h = kernel_none_new();
	struct xfrm_sa in = {0}, out = {0};
	struct xfrm_sa_stats st;
	uint32_t spi;

	v4(&in.src, "192.0.2.2");
	v4(&in.dst, "192.0.2.1");
	in.proto = IPPROTO_ESP;
	in.reqid = 7;
	ck_assert_int_eq(k->spi_alloc(h, &in, 0x100, 0xffffffff, &spi), 0);
	in.spi = spi;
	/* The larval SA is updated with its keys, the outbound one added. */
	ck_assert_int_eq(k->sa_update(h, &in), 0);
	v4(&out.src, "192.0.2.1");
	v4(&out.dst, "192.0.2.2");
	out.proto = IPPROTO_ESP;
	out.spi = 0xc1234567;
	ck_assert_int_eq(k->sa_add(h, &out), 0);
	ck_assert_int_eq(k->sa_add(h, &out), -EEXIST);
	ck_assert_uint_eq(n_sas(h), 2);
	ck_assert_int_eq(k->sa_get(h, &out, &st), 0);
	ck_assert_uint_eq(st.bytes, 0);
	ck_assert_uint_eq(st.packets, 0);
	/* Another destination is another SA. */
	v4(&out.dst, "192.0.2.3");
	ck_assert_int_eq(k->sa_get(h, &out, &st), -ESRCH);
	ck_assert_int_eq(k->sa_update(h, &out), -ESRCH);
	ck_assert_int_eq(k->sa_del(h, &out), -ESRCH);
	v4(&out.dst, "192.0.2.2");
	ck_assert_int_eq(k->sa_del(h, &out), 0);
	ck_assert_int_eq(k->sa_del(h, &out), -ESRCH);
	ck_assert_int_eq(k->sa_del(h, &in), 0);
	ck_assert_uint_eq(n_sas(h), 0);
	k->close(h);
}
END_TEST

static void
policy(struct xfrm_policy *p, uint8_t dir, const char *src, const char *dst)
{
	memset(p, 0, sizeof(*p));
	v4(&p->sel.src, src);
	v4(&p->sel.dst, dst);
	p->sel.src_plen = p->sel.dst_plen = 24;
	p->dir = dir;
	p->ntmpl = 1;
	p->tmpl[0].reqid = 7;
}

START_TEST(policies_are_recorded_and_removed)
{
	void *h = kernel_none_new();
	struct xfrm_policy out, in, marked;
	struct xfrm_move m = {0};
	struct xfrm_sa sa = {0};
	struct xfrm_sa_stats st;
	unsigned i;

	policy(&out, XFRM_POLICY_OUT, "10.1.0.0", "10.2.0.0");
	policy(&in, XFRM_POLICY_IN, "10.2.0.0", "10.1.0.0");
	ck_assert_int_eq(k->policy_update(h, &out), 0);
	ck_assert_int_eq(k->policy_update(h, &out), 0); /* replaced */
	ck_assert_int_eq(k->policy_update(h, &in), 0);
	ck_assert_uint_eq(n_pols(h), 2);
	marked = out;
	marked.has |= XFRM_POLICY_HAS_MARK;
	marked.mark = marked.mark_mask = 42;
	ck_assert_int_eq(k->policy_del(h, &marked), -ENOENT);
	ck_assert_int_eq(k->policy_update(h, &marked), 0);
	ck_assert_uint_eq(n_pols(h), 3);

	/* A move takes the SAs of the policy's reqid along. */
	v4(&sa.src, "192.0.2.1");
	v4(&sa.dst, "192.0.2.2");
	sa.proto = IPPROTO_ESP;
	sa.spi = 0xc0000001;
	sa.reqid = 7;
	ck_assert_int_eq(k->sa_add(h, &sa), 0);
	m.old_src = sa.src;
	m.old_dst = sa.dst;
	v4(&m.new_src, "192.0.2.11");
	m.new_dst = sa.dst;
	m.reqid = 7;
	ck_assert_int_eq(k->policy_migrate(h, &out, &m), 0);
	ck_assert_int_eq(k->sa_get(h, &sa, &st), 0); /* same dst, SPI */
	m.new_dst = m.new_src;
	ck_assert_int_eq(k->policy_migrate(h, &out, &m), 0); /* none left */
	ck_assert_int_eq(k->sa_del(h, &sa), 0);

	ck_assert_int_eq(k->policy_del(h, &out), 0);
	ck_assert_int_eq(k->policy_del(h, &out), -ENOENT);
	ck_assert_int_eq(k->policy_migrate(h, &out, &m), -ENOENT);
	ck_assert_int_eq(k->policy_del(h, &in), 0);
	ck_assert_int_eq(k->policy_del(h, &marked), 0);
	ck_assert_uint_eq(n_pols(h), 0);

	/* Enough to grow the table, then all gone again. */
	for (i = 0; i < 1000; i++) {
		out.sel.sport = (uint16_t)i;
		out.sel.sport_mask = 0xffff;
		ck_assert_int_eq(k->policy_update(h, &out), 0);
	}
	ck_assert_uint_eq(n_pols(h), 1000);
	for (i = 0; i < 1000; i++) {
		out.sel.sport = (uint16_t)i;
		ck_assert_int_eq(k->policy_del(h, &out), 0);
	}
	ck_assert_uint_eq(n_pols(h), 0);
	k->close(h);
}
END_TEST

Suite *
kernel_none_suite(void)
{
	Suite *s = suite_create("kernel_none");
	TCase *tc = tcase_create("recorder");

	tcase_add_test(tc, spis_are_unique_and_in_range);
	tcase_add_test(tc, an_spi_is_not_reused_while_in_use);
	tcase_add_test(tc, sas_are_recorded_and_removed);
	tcase_add_test(tc, policies_are_recorded_and_removed);
	suite_add_tcase(s, tc);
	return s;
}
