/* SPDX-License-Identifier: ISC */
/*
 * Malformed messages, one by one: each must be refused with the notify the
 * RFC asks for, the payload type and the offset where it went wrong.
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "msg.h"
#include "testutil.h"

/* Header of an IKE_SA_INIT request with first payload np, length patched
 * by the helper below. */
#define HDR(np)                                                                \
	"0102030405060708"                                                     \
	"0000000000000000" np "202208"                                         \
	"00000000"                                                             \
	"00000000"

struct bad_case {
	const char *name;
	const char *hex; /* a full message, the length field is computed */
	uint16_t notify;
	uint8_t pld_type;
	size_t offset;
	bool frame_only; /* fails in msg_frame, not in decoding */
};

static const struct bad_case bad_cases[] = {
    {"payload length below 4", HDR("28") "00000003", IKEV2_N_INVALID_SYNTAX,
     IKEV2_PL_NONCE, 28, true},
    {"payload length past the end",
     HDR("28") "00000030"
	       "00112233",
     IKEV2_N_INVALID_SYNTAX, IKEV2_PL_NONCE, 28, true},
    {"truncated generic header", HDR("28") "0000", IKEV2_N_INVALID_SYNTAX,
     IKEV2_PL_NONCE, 28, true},
    {"trailing bytes after the chain",
     HDR("28") "00000014"
	       "00112233445566778899aabbccddeeff"
	       "ffff",
     IKEV2_N_INVALID_SYNTAX, IKEV2_PL_NONE, 48, true},
    {"SK not last",
     HDR("2e") "00000008"
	       "00000000"
	       "28000004",
     IKEV2_N_INVALID_SYNTAX, IKEV2_PL_SK, 36, true},
    {"nonce too short",
     HDR("28") "00000008"
	       "00112233",
     IKEV2_N_INVALID_SYNTAX, IKEV2_PL_NONCE, 28},
    {"empty KE data",
     HDR("22") "00000008"
	       "00130000",
     IKEV2_N_INVALID_SYNTAX, IKEV2_PL_KE, 28},
    {"KE header truncated",
     HDR("22") "00000006"
	       "0013",
     IKEV2_N_INVALID_SYNTAX, IKEV2_PL_KE, 28},
    {"IPv4 ID of 3 bytes",
     HDR("23") "0000000b"
	       "01000000"
	       "0a0101",
     IKEV2_N_INVALID_SYNTAX, IKEV2_PL_IDi, 28},
    {"empty AUTH data",
     HDR("27") "00000008"
	       "02000000",
     IKEV2_N_INVALID_SYNTAX, IKEV2_PL_AUTH, 28},
    {"notify SPI overruns",
     HDR("29") "0000000a"
	       "03044000"
	       "0102",
     IKEV2_N_INVALID_SYNTAX, IKEV2_PL_N, 28},
    {"ESP delete with SPI size 8",
     HDR("2a") "00000010"
	       "03080001"
	       "0102030405060708",
     IKEV2_N_INVALID_SYNTAX, IKEV2_PL_D, 28},
    {"IKE delete carrying SPIs",
     HDR("2a") "0000000c"
	       "01040001"
	       "01020304",
     IKEV2_N_INVALID_SYNTAX, IKEV2_PL_D, 28},
    {"delete SPI count larger than body",
     HDR("2a") "0000000c"
	       "03040002"
	       "01020304",
     IKEV2_N_INVALID_SYNTAX, IKEV2_PL_D, 28},
    {"TS count zero",
     HDR("2c") "00000008"
	       "00000000",
     IKEV2_N_INVALID_SYNTAX, IKEV2_PL_TSi, 28},
    {"IPv4 selector of IPv6 length",
     HDR("2c") "00000030"
	       "01000000"
	       "07000028"
	       "0000ffff"
	       "00000000000000000000000000000000"
	       "00000000000000000000000000000000",
     IKEV2_N_INVALID_SYNTAX, IKEV2_PL_TSi, 36},
    {"TS count larger than selectors",
     HDR("2c") "00000018"
	       "02000000"
	       "07000010"
	       "0000ffff"
	       "0a000000"
	       "0affffff",
     IKEV2_N_INVALID_SYNTAX, IKEV2_PL_TSi, 52},
    {"CP attribute overruns",
     HDR("2f") "0000000c"
	       "01000000"
	       "00010008",
     IKEV2_N_INVALID_SYNTAX, IKEV2_PL_CP, 36},
    {"EAP length mismatch",
     HDR("30") "00000009"
	       "01010006"
	       "01",
     IKEV2_N_INVALID_SYNTAX, IKEV2_PL_EAP, 28},
    {"EAP unknown code",
     HDR("30") "00000008"
	       "09010004",
     IKEV2_N_INVALID_SYNTAX, IKEV2_PL_EAP, 28},
    {"SKF number above total",
     HDR("35") "00000014"
	       "00030002"
	       "00112233445566778899aabb",
     IKEV2_N_INVALID_SYNTAX, IKEV2_PL_SKF, 28},
    {"SA without proposals", HDR("21") "00000004", IKEV2_N_INVALID_SYNTAX,
     IKEV2_PL_SA, 28},
    {"proposal marked not last at the end",
     HDR("21") "0000001c"
	       "02000018"
	       "01010002"
	       "03000008"
	       "01000014"
	       "00000008"
	       "02000005",
     IKEV2_N_INVALID_SYNTAX, IKEV2_PL_SA},
    {"fewer transforms than announced",
     HDR("21") "00000014"
	       "00000010"
	       "01010003"
	       "03000008"
	       "01000014",
     IKEV2_N_INVALID_SYNTAX, IKEV2_PL_SA},
    {"more transforms than announced",
     HDR("21") "0000001c"
	       "00000018"
	       "01010001"
	       "03000008"
	       "01000014"
	       "00000008"
	       "02000005",
     IKEV2_N_INVALID_SYNTAX, IKEV2_PL_SA},
    {"transform length past proposal",
     HDR("21") "00000014"
	       "00000010"
	       "01010001"
	       "00000010"
	       "01000014",
     IKEV2_N_INVALID_SYNTAX, IKEV2_PL_SA},
    {"SPI size 9",
     HDR("21") "0000001d"
	       "00000019"
	       "01010901"
	       "010203040506070809"
	       "00000008"
	       "01000014",
     IKEV2_N_INVALID_SYNTAX, IKEV2_PL_SA},
    {"bad proposal substructure marker",
     HDR("21") "00000014"
	       "05000010"
	       "01010001"
	       "00000008"
	       "01000014",
     IKEV2_N_INVALID_SYNTAX, IKEV2_PL_SA},
    {"attribute overruns transform",
     HDR("21") "00000018"
	       "00000014"
	       "01010001"
	       "0000000c"
	       "01000014"
	       "000e0010",
     IKEV2_N_INVALID_SYNTAX, IKEV2_PL_SA},
};

/* Build the message of a case with a correct header length. */
static uint8_t *
case_msg(const struct bad_case *bc, size_t *len)
{
	uint8_t *p = hex_decode(bc->hex, len);

	p[24] = (uint8_t)(*len >> 24);
	p[25] = (uint8_t)(*len >> 16);
	p[26] = (uint8_t)(*len >> 8);
	p[27] = (uint8_t)*len;
	return p;
}

START_TEST(malformed_payloads)
{
	const struct bad_case *bc = &bad_cases[_i];
	struct msg m;
	struct ike_err e = {0};
	size_t len;
	uint8_t *p = case_msg(bc, &len);
	int rc = msg_frame(p, len, &m, &e);

	if (!bc->frame_only) {
		ck_assert_msg(rc == 0, "%s: framing failed: %s", bc->name,
			      e.msg);
		rc = msg_decode_all(&m, &e);
	}
	ck_assert_msg(rc == -1, "%s: accepted", bc->name);
	ck_assert_msg(e.notify == bc->notify, "%s: notify %u", bc->name,
		      e.notify);
	ck_assert_msg(e.pld_type == bc->pld_type, "%s: payload type %u",
		      bc->name, e.pld_type);
	if (bc->offset)
		ck_assert_msg(e.offset == bc->offset, "%s: offset %zu (%s)",
			      bc->name, e.offset, e.msg);
	ck_assert_msg(strlen(e.msg) > 10, "%s: no message", bc->name);
	free(p);
}
END_TEST

START_TEST(header_errors)
{
	struct msg m;
	struct ike_err e = {0};
	size_t len;
	uint8_t *p = hex_decode(HDR("00"), &len);

	p[27] = (uint8_t)len;

	ck_assert_int_eq(msg_frame(p, len, &m, &e), 0);
	ck_assert_int_eq(msg_frame(p, 27, &m, &e), -1);
	ck_assert_uint_eq(e.notify, IKEV2_N_INVALID_SYNTAX);
	/* Length field larger than the datagram: truncated. */
	p[27] = 0x1d;
	ck_assert_int_eq(msg_frame(p, len, &m, &e), -1);
	ck_assert_uint_eq(e.notify, IKEV2_N_INVALID_SYNTAX);
	ck_assert_ptr_nonnull(strstr(e.msg, "truncated"));
	p[27] = 0x1c;
	/* Major version 3 (and IKEv1's 1) are not IKEv2. */
	p[17] = 0x30;
	ck_assert_int_eq(msg_frame(p, len, &m, &e), -1);
	ck_assert_uint_eq(e.notify, IKEV2_N_INVALID_MAJOR_VERSION);
	p[17] = 0x10;
	ck_assert_int_eq(msg_frame(p, len, &m, &e), -1);
	ck_assert_uint_eq(e.notify, IKEV2_N_INVALID_MAJOR_VERSION);
	/* A higher minor version is accepted (RFC 7296 2.5). */
	p[17] = 0x21;
	ck_assert_int_eq(msg_frame(p, len, &m, &e), 0);
	free(p);
}
END_TEST

START_TEST(overlong_chain)
{
	static uint8_t mem[IKEV2_HDR_LEN + 4 * (IKE_MAX_PAYLOADS + 1)];
	struct ike_hdr h = {.major = 2};
	struct msg_builder b;
	struct msg m;
	struct ike_err e = {0};
	size_t len;
	int i;

	msg_build_init(&b, mem, sizeof(mem), &h);
	for (i = 0; i < IKE_MAX_PAYLOADS + 1; i++) {
		msg_pld_begin(&b, IKEV2_PL_V, false);
		msg_pld_end(&b);
	}
	len = msg_build_finish(&b);
	ck_assert_uint_eq(len, sizeof(mem));
	ck_assert_int_eq(msg_frame(mem, len, &m, &e), -1);
	ck_assert_uint_eq(e.notify, IKEV2_N_INVALID_SYNTAX);
	ck_assert_uint_eq(e.offset, len - 4);
	/* One fewer is fine. */
	len -= 4;
	mem[len - 4] = 0;
	mem[27] = (uint8_t)len;
	ck_assert_int_eq(msg_frame(mem, len, &m, &e), 0);
	ck_assert_uint_eq(m.n, IKE_MAX_PAYLOADS);
}
END_TEST

START_TEST(find_walks_types)
{
	struct msg m;
	struct ike_err e;
	size_t len;
	uint8_t *p = hex_decode(HDR("29") "29000008"
					  "00004004"
					  "00000008"
					  "00004005",
				&len);

	p[27] = (uint8_t)len;
	ck_assert_int_eq(msg_frame(p, len, &m, &e), 0);
	ck_assert_ptr_eq(msg_find(&m, IKEV2_PL_N, NULL), &m.pl[0]);
	ck_assert_ptr_eq(msg_find(&m, IKEV2_PL_N, &m.pl[0]), &m.pl[1]);
	ck_assert_ptr_null(msg_find(&m, IKEV2_PL_N, &m.pl[1]));
	ck_assert_ptr_null(msg_find(&m, IKEV2_PL_SA, NULL));
	free(p);
}
END_TEST

/* Every truncation of a valid message is refused without a crash. */
START_TEST(truncations_refused)
{
	const struct bad_case ok = {
	    "ok", HDR("28") "00000014"
			    "00112233445566778899aabbccddeeff"};
	struct msg m;
	struct ike_err e;
	size_t len, n;
	uint8_t *p = case_msg(&ok, &len);

	ck_assert_int_eq(msg_frame(p, len, &m, &e), 0);
	for (n = 0; n < len; n++) {
		uint8_t *q = malloc(n ? n : 1);

		memcpy(q, p, n);
		ck_assert_int_eq(msg_frame(q, n, &m, &e), -1);
		free(q);
	}
	free(p);
}
END_TEST

Suite *
msg_suite(void)
{
	Suite *s = suite_create("msg");
	TCase *tc = tcase_create("malformed");

	tcase_add_loop_test(tc, malformed_payloads, 0,
			    sizeof(bad_cases) / sizeof(bad_cases[0]));
	tcase_add_test(tc, header_errors);
	tcase_add_test(tc, overlong_chain);
	tcase_add_test(tc, find_walks_types);
	tcase_add_test(tc, truncations_refused);
	suite_add_tcase(s, tc);
	return s;
}
