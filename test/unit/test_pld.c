/* SPDX-License-Identifier: ISC */
/*
 * Payload codecs: every payload of RFC 7296 built with its encoder, framed
 * and decoded back field by field, and the exact bytes of a few encodings
 * checked against the RFC's layouts.
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "msg.h"
#include "testutil.h"

static uint8_t mem[4096];

static void
begin(struct msg_builder *b, uint8_t exchange)
{
	struct ike_hdr h = {
	    .spi_i = {1, 2, 3, 4, 5, 6, 7, 8},
	    .major = 2,
	    .exchange = exchange,
	    .flags = IKEV2_FLAG_INITIATOR,
	    .msgid = 7,
	};

	msg_build_init(b, mem, sizeof(mem), &h);
}

/* Finish, frame and decode all; returns the framed message. */
static void
finish(struct msg_builder *b, struct msg *m)
{
	struct ike_err e = {0};
	size_t len = msg_build_finish(b);

	ck_assert_uint_gt(len, 0);
	ck_assert_msg(msg_frame(mem, len, m, &e) == 0, "%s", e.msg);
	ck_assert_msg(msg_decode_all(m, &e) == 0, "%s", e.msg);
}

static struct bytes
B(const char *s) {
	struct bytes b = {(const uint8_t *)s, strlen(s)};

	return b;
}

static bool
bytes_eq(struct bytes a, struct bytes b)
{
	return a.len == b.len &&
	       (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

START_TEST(header_roundtrip)
{
	struct msg_builder b;
	struct msg m;

	begin(&b, IKEV2_EXCH_IKE_SA_INIT);
	finish(&b, &m);
	ck_assert_uint_eq(m.hdr.length, IKEV2_HDR_LEN);
	ck_assert_uint_eq(m.hdr.major, 2);
	ck_assert_uint_eq(m.hdr.minor, 0);
	ck_assert_uint_eq(m.hdr.exchange, IKEV2_EXCH_IKE_SA_INIT);
	ck_assert_uint_eq(m.hdr.flags, IKEV2_FLAG_INITIATOR);
	ck_assert_uint_eq(m.hdr.msgid, 7);
	ck_assert_uint_eq(m.hdr.spi_i[7], 8);
	ck_assert_uint_eq(m.n, 0);
	ck_assert_hex(mem, IKEV2_HDR_LEN,
		      "0102030405060708"
		      "0000000000000000"
		      "00202208"
		      "00000007"
		      "0000001c");
}
END_TEST

START_TEST(sa_roundtrip)
{
	static struct pld_sa sa, out;
	struct msg_builder b;
	struct msg m;
	struct ike_err e;

	memset(&sa, 0, sizeof(sa));
	sa.n = 2;
	sa.prop[0] = (struct proposal){
	    .num = 1,
	    .proto = IKEV2_PROTO_IKE,
	    .n_xf = 3,
	    .xf = {{IKEV2_TRANS_ENCR, 0, IKEV2_ENCR_AES_GCM_16, 256},
		   {IKEV2_TRANS_PRF, 0, IKEV2_PRF_HMAC_SHA2_384, 0},
		   {IKEV2_TRANS_DH, 0, IKEV2_DH_ECP384, 0}}};
	sa.prop[1] = (struct proposal){
	    .num = 2,
	    .proto = IKEV2_PROTO_ESP,
	    .spi_size = 4,
	    .spi = {0xc0, 0xff, 0xee, 0x01},
	    .n_xf = 3,
	    .xf = {{IKEV2_TRANS_ENCR, 0, IKEV2_ENCR_AES_CBC, 128},
		   {IKEV2_TRANS_INTEG, 0, IKEV2_INTEG_HMAC_SHA2_256_128, 0},
		   {IKEV2_TRANS_ESN, 0, IKEV2_ESN_NO, 0}}};
	begin(&b, IKEV2_EXCH_IKE_SA_INIT);
	pld_sa_put(&b, &sa);
	finish(&b, &m);
	ck_assert_uint_eq(m.n, 1);
	ck_assert_int_eq(pld_sa_get(&m.pl[0], &out, &e), 0);
	ck_assert_uint_eq(out.n, 2);
	ck_assert_mem_eq(&out.prop[0], &sa.prop[0], sizeof(sa.prop[0]));
	ck_assert_mem_eq(&out.prop[1], &sa.prop[1], sizeof(sa.prop[1]));
	/* RFC 7296 3.3.1/3.3.2/3.3.5 layout of the second proposal. */
	ck_assert_hex(mem + IKEV2_HDR_LEN + 4 + 36, 40,
		      "00000028"
		      "02030403"
		      "c0ffee01"
		      "0300000c"
		      "0100000c"
		      "800e0080"
		      "03000008"
		      "0300000c"
		      "00000008"
		      "05000000");
}
END_TEST

START_TEST(simple_payloads_roundtrip)
{
	struct pld_ke ke = {IKEV2_DH_ECP256, B("0123456789abcdef")}, ke2;
	struct pld_id id = {IKEV2_ID_FQDN, B("moon.example.org")}, id2;
	struct pld_cert cert = {IKEV2_CERT_X509_SIG, B("DER bytes")}, cert2;
	struct pld_auth auth = {IKEV2_AUTH_SHARED_KEY_MIC, B("mac")}, auth2;
	struct pld_nonce nonce = {B("sixteen byte non")}, nonce2;
	struct pld_vendor vid = {B("charond")}, vid2;
	struct msg_builder b;
	struct msg m;
	struct ike_err e;

	begin(&b, IKEV2_EXCH_IKE_AUTH);
	pld_ke_put(&b, &ke);
	pld_id_put(&b, IKEV2_PL_IDi, &id);
	pld_id_put(&b, IKEV2_PL_IDr, &id);
	pld_cert_put(&b, IKEV2_PL_CERT, &cert);
	pld_cert_put(&b, IKEV2_PL_CERTREQ, &cert);
	pld_auth_put(&b, &auth);
	pld_nonce_put(&b, &nonce);
	pld_vendor_put(&b, &vid);
	finish(&b, &m);
	ck_assert_uint_eq(m.n, 8);
	ck_assert_uint_eq(m.hdr.np, IKEV2_PL_KE);
	ck_assert_int_eq(pld_ke_get(&m.pl[0], &ke2, &e), 0);
	ck_assert_uint_eq(ke2.group, ke.group);
	ck_assert(bytes_eq(ke2.data, ke.data));
	ck_assert_uint_eq(m.pl[1].type, IKEV2_PL_IDi);
	ck_assert_uint_eq(m.pl[2].type, IKEV2_PL_IDr);
	ck_assert_int_eq(pld_id_get(&m.pl[2], &id2, &e), 0);
	ck_assert_uint_eq(id2.type, IKEV2_ID_FQDN);
	ck_assert(bytes_eq(id2.data, id.data));
	ck_assert_uint_eq(m.pl[4].type, IKEV2_PL_CERTREQ);
	ck_assert_int_eq(pld_cert_get(&m.pl[3], &cert2, &e), 0);
	ck_assert_uint_eq(cert2.encoding, IKEV2_CERT_X509_SIG);
	ck_assert(bytes_eq(cert2.data, cert.data));
	ck_assert_int_eq(pld_auth_get(&m.pl[5], &auth2, &e), 0);
	ck_assert_uint_eq(auth2.method, IKEV2_AUTH_SHARED_KEY_MIC);
	ck_assert(bytes_eq(auth2.data, auth.data));
	ck_assert_int_eq(pld_nonce_get(&m.pl[6], &nonce2, &e), 0);
	ck_assert(bytes_eq(nonce2.data, nonce.data));
	ck_assert_int_eq(pld_vendor_get(&m.pl[7], &vid2, &e), 0);
	ck_assert(bytes_eq(vid2.data, vid.data));
	/* IDi: | type | 3 reserved | data | after a 4-byte generic header */
	ck_assert_hex(mem + m.pl[1].offset, 8, "2400001802000000");
}
END_TEST

START_TEST(notify_and_delete_roundtrip)
{
	static const uint8_t spis[] = {1, 2, 3, 4, 5, 6, 7, 8};
	struct pld_notify n = {IKEV2_PROTO_ESP,
			       4,
			       IKEV2_N_REKEY_SA,
			       {spis, 4},
			       {NULL, 0}},
			  n2;
	struct pld_notify nat = {0,
				 0,
				 IKEV2_N_NAT_DETECTION_SOURCE_IP,
				 {NULL, 0},
				 B("01234567890123456789")},
			  nat2;
	struct pld_delete d = {IKEV2_PROTO_ESP, 4, 2, {spis, 8}}, d2;
	struct pld_delete dike = {IKEV2_PROTO_IKE, 0, 0, {NULL, 0}}, dike2;
	struct msg_builder b;
	struct msg m;
	struct ike_err e;

	begin(&b, IKEV2_EXCH_INFORMATIONAL);
	pld_notify_put(&b, &n);
	pld_notify_put(&b, &nat);
	pld_delete_put(&b, &d);
	pld_delete_put(&b, &dike);
	finish(&b, &m);
	ck_assert_int_eq(pld_notify_get(&m.pl[0], &n2, &e), 0);
	ck_assert_uint_eq(n2.type, IKEV2_N_REKEY_SA);
	ck_assert_uint_eq(n2.spi_size, 4);
	ck_assert(bytes_eq(n2.spi, n.spi));
	ck_assert_uint_eq(n2.data.len, 0);
	ck_assert_int_eq(pld_notify_get(&m.pl[1], &nat2, &e), 0);
	ck_assert(bytes_eq(nat2.data, nat.data));
	ck_assert_uint_eq(nat2.spi.len, 0);
	ck_assert_int_eq(pld_delete_get(&m.pl[2], &d2, &e), 0);
	ck_assert_uint_eq(d2.n_spi, 2);
	ck_assert(bytes_eq(d2.spis, d.spis));
	ck_assert_int_eq(pld_delete_get(&m.pl[3], &dike2, &e), 0);
	ck_assert_uint_eq(dike2.proto, IKEV2_PROTO_IKE);
	ck_assert_uint_eq(dike2.n_spi, 0);
}
END_TEST

START_TEST(ts_roundtrip)
{
	static struct pld_ts ts, ts2;
	struct msg_builder b;
	struct msg m;
	struct ike_err e;

	memset(&ts, 0, sizeof(ts));
	ts.n = 2;
	ts.ts[0] =
	    (struct ts){IKEV2_TS_IPV4_ADDR_RANGE, 17, 1701, 1701, {10, 1, 0, 0},
			{10, 1, 255, 255}};
	ts.ts[1] = (struct ts){IKEV2_TS_IPV6_ADDR_RANGE,
			       0,
			       0,
			       65535,
			       {0x20, 0x01, 0x0d, 0xb8},
			       {0x20, 0x01, 0x0d, 0xb8, [15] = 0xff}};
	begin(&b, IKEV2_EXCH_CREATE_CHILD_SA);
	pld_ts_put(&b, IKEV2_PL_TSi, &ts);
	pld_ts_put(&b, IKEV2_PL_TSr, &ts);
	finish(&b, &m);
	ck_assert_uint_eq(m.pl[1].type, IKEV2_PL_TSr);
	ck_assert_int_eq(pld_ts_get(&m.pl[1], &ts2, &e), 0);
	ck_assert_uint_eq(ts2.n, 2);
	ck_assert_mem_eq(&ts2.ts[0], &ts.ts[0], sizeof(ts.ts[0]));
	ck_assert_mem_eq(&ts2.ts[1], &ts.ts[1], sizeof(ts.ts[1]));
	ck_assert_hex(mem + m.pl[0].offset + 4, 20,
		      "02000000"
		      "07110010"
		      "06a506a5"
		      "0a010000"
		      "0a01ffff");
}
END_TEST

START_TEST(cp_and_eap_roundtrip)
{
	static const uint8_t ip[] = {10, 3, 0, 1};
	static const uint8_t eap_id[] = {EAP_CODE_REQUEST, 5, 0, 5, 1};
	static const uint8_t eap_ok[] = {EAP_CODE_SUCCESS, 6, 0, 4};
	static struct pld_cp cp, cp2;
	struct pld_eap eap = {0, 0, 0, {eap_id, sizeof(eap_id)}}, eap2;
	struct pld_eap ok = {0, 0, 0, {eap_ok, sizeof(eap_ok)}}, ok2;
	struct msg_builder b;
	struct msg m;
	struct ike_err e;

	cp.type = IKEV2_CFG_REPLY;
	cp.n = 2;
	cp.attr[0] = (struct cp_attr){IKEV2_CFG_INTERNAL_IP4_ADDRESS, {ip, 4}};
	cp.attr[1] = (struct cp_attr){IKEV2_CFG_INTERNAL_IP4_DNS, {NULL, 0}};
	begin(&b, IKEV2_EXCH_IKE_AUTH);
	pld_cp_put(&b, &cp);
	pld_eap_put(&b, &eap);
	pld_eap_put(&b, &ok);
	finish(&b, &m);
	ck_assert_int_eq(pld_cp_get(&m.pl[0], &cp2, &e), 0);
	ck_assert_uint_eq(cp2.type, IKEV2_CFG_REPLY);
	ck_assert_uint_eq(cp2.n, 2);
	ck_assert_uint_eq(cp2.attr[0].type, IKEV2_CFG_INTERNAL_IP4_ADDRESS);
	ck_assert(bytes_eq(cp2.attr[0].value, cp.attr[0].value));
	ck_assert_uint_eq(cp2.attr[1].value.len, 0);
	ck_assert_int_eq(pld_eap_get(&m.pl[1], &eap2, &e), 0);
	ck_assert_uint_eq(eap2.code, EAP_CODE_REQUEST);
	ck_assert_uint_eq(eap2.ident, 5);
	ck_assert_uint_eq(eap2.type, 1);
	ck_assert(bytes_eq(eap2.msg, eap.msg));
	ck_assert_int_eq(pld_eap_get(&m.pl[2], &ok2, &e), 0);
	ck_assert_uint_eq(ok2.code, EAP_CODE_SUCCESS);
	ck_assert_uint_eq(ok2.type, 0);
}
END_TEST

START_TEST(unknown_payload_skipped_unless_critical)
{
	struct msg_builder b;
	struct msg m;
	struct ike_err e = {0};
	size_t len;

	begin(&b, IKEV2_EXCH_INFORMATIONAL);
	msg_pld_begin(&b, 200, false);
	wbuf_u32(&b.w, 0xdeadbeef);
	msg_pld_end(&b);
	finish(&b, &m);
	ck_assert_uint_eq(m.n, 1);
	ck_assert_uint_eq(m.pl[0].type, 200);

	begin(&b, IKEV2_EXCH_INFORMATIONAL);
	msg_pld_begin(&b, 201, true);
	msg_pld_end(&b);
	len = msg_build_finish(&b);
	ck_assert_int_eq(msg_frame(mem, len, &m, &e), 0);
	ck_assert_int_eq(msg_decode_all(&m, &e), -1);
	ck_assert_uint_eq(e.notify, IKEV2_N_UNSUPPORTED_CRITICAL_PAYLOAD);
	ck_assert_uint_eq(e.pld_type, 201);
	ck_assert_uint_eq(e.offset, IKEV2_HDR_LEN);
}
END_TEST

START_TEST(builder_overflow_is_reported)
{
	uint8_t small[40];
	struct ike_hdr h = {.major = 2};
	struct pld_nonce n = {B("0123456789abcdef0123")};
	struct msg_builder b;

	msg_build_init(&b, small, sizeof(small), &h);
	pld_nonce_put(&b, &n);
	ck_assert_uint_eq(msg_build_finish(&b), 0);
}
END_TEST

Suite *
pld_suite(void)
{
	Suite *s = suite_create("pld");
	TCase *tc = tcase_create("roundtrip");

	tcase_add_test(tc, header_roundtrip);
	tcase_add_test(tc, sa_roundtrip);
	tcase_add_test(tc, simple_payloads_roundtrip);
	tcase_add_test(tc, notify_and_delete_roundtrip);
	tcase_add_test(tc, ts_roundtrip);
	tcase_add_test(tc, cp_and_eap_roundtrip);
	tcase_add_test(tc, unknown_payload_skipped_unless_critical);
	tcase_add_test(tc, builder_overflow_is_reported);
	suite_add_tcase(s, tc);
	return s;
}
