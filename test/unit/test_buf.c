/* SPDX-License-Identifier: ISC */
/* The reader's bounds and sticky error, the writer's bounds and patches. */
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "buf.h"
#include "testutil.h"

START_TEST(reader_reads_big_endian)
{
	static const uint8_t p[] = {1, 2, 3, 4, 5, 6, 7};
	struct cur c;
	uint8_t a;
	uint16_t b;
	uint32_t d;

	cur_init(&c, p, sizeof(p), 100);
	ck_assert(cur_u8(&c, &a));
	ck_assert(cur_u16(&c, &b));
	ck_assert_uint_eq(cur_offset(&c), 103);
	ck_assert(cur_u32(&c, &d));
	ck_assert_uint_eq(a, 1);
	ck_assert_uint_eq(b, 0x0203);
	ck_assert_uint_eq(d, 0x04050607);
	ck_assert_uint_eq(cur_left(&c), 0);
	ck_assert(cur_ok(&c));
}
END_TEST

START_TEST(reader_error_is_sticky)
{
	static const uint8_t p[] = {1, 2, 3};
	struct cur c;
	uint32_t d;
	uint8_t a;

	cur_init(&c, p, sizeof(p), 0);
	ck_assert(!cur_u32(&c, &d));
	ck_assert_uint_eq(d, 0);
	/* A byte is there, but the reader has failed and stays failed. */
	ck_assert(!cur_u8(&c, &a));
	ck_assert_uint_eq(a, 0);
	ck_assert(!cur_ok(&c));
	ck_assert_uint_eq(cur_left(&c), 0);
}
END_TEST

START_TEST(sub_reader_cannot_run_past_its_end)
{
	static const uint8_t p[] = {1, 2, 3, 4, 5};
	struct cur c, sub;
	uint16_t v;
	uint8_t a;

	cur_init(&c, p, sizeof(p), 0);
	ck_assert(cur_sub(&c, 3, &sub));
	ck_assert(cur_u16(&sub, &v));
	ck_assert(!cur_u16(&sub, &v)); /* one byte left in sub, not two */
	ck_assert(cur_ok(&c));
	ck_assert(cur_u8(&c, &a));
	ck_assert_uint_eq(a, 4);
	ck_assert(!cur_sub(&c, 2, &sub));
	ck_assert(!cur_ok(&sub));
}
END_TEST

START_TEST(reader_huge_length_does_not_wrap)
{
	static const uint8_t p[] = {1, 2};
	struct cur c;
	struct bytes b;

	cur_init(&c, p, sizeof(p), 0);
	ck_assert(cur_skip(&c, 1));
	ck_assert(!cur_view(&c, SIZE_MAX, &b));
	ck_assert_ptr_null(b.ptr);
}
END_TEST

START_TEST(writer_is_bounded_and_patches)
{
	uint8_t mem[6];
	struct wbuf w;

	wbuf_init(&w, mem, sizeof(mem));
	ck_assert(wbuf_u16(&w, 0));
	ck_assert(wbuf_u32(&w, 0xdeadbeef));
	ck_assert(!wbuf_u8(&w, 1));
	ck_assert(!wbuf_ok(&w));
	ck_assert_uint_eq(w.len, 6);
	wbuf_init(&w, mem, sizeof(mem));
	wbuf_u16(&w, 0);
	wbuf_patch_u16(&w, 0, 0x1234);
	ck_assert_hex(mem, 2, "1234");
	wbuf_patch_u16(&w, 1, 0); /* would write past what was written */
	ck_assert(!wbuf_ok(&w));
}
END_TEST

START_TEST(secret_roundtrip_and_ct_compare)
{
	struct secret *s = secret_dup("key", 3);

	ck_assert_ptr_nonnull(s);
	ck_assert(bytes_equal_ct(s->ptr, "key", 3));
	ck_assert(!bytes_equal_ct(s->ptr, "kez", 3));
	secret_free(s);
	secret_free(NULL);
}
END_TEST

START_TEST(spis_packed_in_network_order)
{
	static const uint8_t zero[SPI8_LEN],
	    one[SPI8_LEN] = {0, 0, 0, 0, 0, 0, 0, 1};
	uint8_t p[SPI4_LEN];

	spi4_put(p, 0xc1a2b3d4u);
	ck_assert_mem_eq(p, "\xc1\xa2\xb3\xd4", SPI4_LEN);
	ck_assert_uint_eq(spi4_get(p), 0xc1a2b3d4u);
	spi4_put(p, 1);
	ck_assert_uint_eq(spi4_get(p), 1);
	ck_assert(spi8_zero(zero));
	ck_assert(!spi8_zero(one));
}
END_TEST

Suite *
buf_suite(void)
{
	Suite *s = suite_create("buf");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, reader_reads_big_endian);
	tcase_add_test(tc, reader_error_is_sticky);
	tcase_add_test(tc, sub_reader_cannot_run_past_its_end);
	tcase_add_test(tc, reader_huge_length_does_not_wrap);
	tcase_add_test(tc, writer_is_bounded_and_patches);
	tcase_add_test(tc, secret_roundtrip_and_ct_compare);
	tcase_add_test(tc, spis_packed_in_network_order);
	suite_add_tcase(s, tc);
	return s;
}
