/* SPDX-License-Identifier: ISC */
/* Payload rules per exchange: what must be there, what may not. */
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "msg.h"
#include "testutil.h"

static uint8_t mem[2048], plain[2048];
static struct msg m;

static const uint8_t n16[16] = {1};

static void
start(struct msg_builder *b, uint8_t exch, uint8_t flags)
{
	struct ike_hdr h = {.major = 2, .exchange = exch, .flags = flags};

	msg_build_init(b, mem, sizeof(mem), &h);
}

static int
check_plain(struct msg_builder *b, struct ike_err *e)
{
	size_t len = msg_build_finish(b);

	ck_assert_int_eq(msg_frame(mem, len, &m, e), 0);
	return rules_v2_check(&m, e);
}

static void
put_init(struct msg_builder *b, bool sa, bool ke, bool nonce)
{
	static struct pld_sa sa_p = {
	    .n = 1,
	    .prop = {{.num = 1,
		      .proto = IKEV2_PROTO_IKE,
		      .n_xf = 1,
		      .xf = {{IKEV2_TRANS_DH, 0, IKEV2_DH_ECP256, 0}}}}};
	struct pld_ke ke_p = {IKEV2_DH_ECP256, {n16, 16}};
	struct pld_nonce n = {{n16, 16}};

	if (sa)
		pld_sa_put(b, &sa_p);
	if (ke)
		pld_ke_put(b, &ke_p);
	if (nonce)
		pld_nonce_put(b, &n);
}

START_TEST(ike_sa_init)
{
	struct msg_builder b;
	struct ike_err e = {0};
	struct pld_notify ke = {0, 0, IKEV2_N_INVALID_KE_PAYLOAD};
	struct pld_cert creq = {IKEV2_CERT_X509_SIG, {n16, 4}};

	start(&b, IKEV2_EXCH_IKE_SA_INIT, IKEV2_FLAG_INITIATOR);
	put_init(&b, true, true, true);
	ck_assert_int_eq(check_plain(&b, &e), 0);

	start(&b, IKEV2_EXCH_IKE_SA_INIT, IKEV2_FLAG_INITIATOR);
	put_init(&b, true, false, true);
	ck_assert_int_eq(check_plain(&b, &e), -1);
	ck_assert_uint_eq(e.notify, IKEV2_N_INVALID_SYNTAX);
	ck_assert_uint_eq(e.pld_type, IKEV2_PL_KE);
	ck_assert_str_eq(e.msg, "IKE_SA_INIT request carries 0 KE payloads, "
				"needs at least 1");

	/* CERTREQ belongs in the response only. */
	start(&b, IKEV2_EXCH_IKE_SA_INIT, IKEV2_FLAG_INITIATOR);
	put_init(&b, true, true, true);
	pld_cert_put(&b, IKEV2_PL_CERTREQ, &creq);
	ck_assert_int_eq(check_plain(&b, &e), -1);
	ck_assert_uint_eq(e.pld_type, IKEV2_PL_CERTREQ);

	start(&b, IKEV2_EXCH_IKE_SA_INIT, IKEV2_FLAG_RESPONSE);
	put_init(&b, true, true, true);
	pld_cert_put(&b, IKEV2_PL_CERTREQ, &creq);
	ck_assert_int_eq(check_plain(&b, &e), 0);

	/* A response with only a notify is an error report. */
	start(&b, IKEV2_EXCH_IKE_SA_INIT, IKEV2_FLAG_RESPONSE);
	pld_notify_put(&b, &ke);
	ck_assert_int_eq(check_plain(&b, &e), 0);

	/* Two SA payloads. */
	start(&b, IKEV2_EXCH_IKE_SA_INIT, IKEV2_FLAG_INITIATOR);
	put_init(&b, true, true, true);
	put_init(&b, true, false, false);
	ck_assert_int_eq(check_plain(&b, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "allows at most 1"));
}
END_TEST

static struct secret *key;

static int
check_sealed(struct msg_builder *b, const struct sk_keys *k, struct ike_err *e)
{
	size_t len = sk_end(b, k);

	ck_assert_uint_gt(len, 0);
	ck_assert_int_eq(msg_frame(mem, len, &m, e), 0);
	ck_assert_int_eq(sk_open(&m, k, plain, sizeof(plain), e), 0);
	return rules_v2_check(&m, e);
}

START_TEST(encrypted_exchanges)
{
	struct sk_keys k = {crypto_encr(IKEV2_ENCR_AES_GCM_16, 128)};
	struct msg_builder b;
	struct ike_err e = {0};
	struct pld_id id = {IKEV2_ID_FQDN, {n16, 4}};
	struct pld_auth auth = {IKEV2_AUTH_SHARED_KEY_MIC, {n16, 16}};
	struct pld_delete d = {IKEV2_PROTO_IKE};
	size_t len;

	key = secret_new(k.encr->key_len);
	k.ekey = key;

	start(&b, IKEV2_EXCH_IKE_AUTH, IKEV2_FLAG_INITIATOR);
	sk_begin(&b, &k);
	pld_id_put(&b, IKEV2_PL_IDi, &id);
	pld_auth_put(&b, &auth);
	ck_assert_int_eq(check_sealed(&b, &k, &e), 0);

	/* IKE_AUTH request without IDi. */
	start(&b, IKEV2_EXCH_IKE_AUTH, IKEV2_FLAG_INITIATOR);
	sk_begin(&b, &k);
	pld_auth_put(&b, &auth);
	ck_assert_int_eq(check_sealed(&b, &k, &e), -1);
	ck_assert_uint_eq(e.pld_type, IKEV2_PL_IDi);

	/* A KE has no place in IKE_AUTH. */
	start(&b, IKEV2_EXCH_IKE_AUTH, IKEV2_FLAG_INITIATOR);
	sk_begin(&b, &k);
	pld_id_put(&b, IKEV2_PL_IDi, &id);
	put_init(&b, false, true, false);
	ck_assert_int_eq(check_sealed(&b, &k, &e), -1);
	ck_assert_uint_eq(e.pld_type, IKEV2_PL_KE);

	/* CREATE_CHILD_SA needs SA and Nonce. */
	start(&b, IKEV2_EXCH_CREATE_CHILD_SA, IKEV2_FLAG_INITIATOR);
	sk_begin(&b, &k);
	put_init(&b, true, true, true);
	ck_assert_int_eq(check_sealed(&b, &k, &e), 0);
	start(&b, IKEV2_EXCH_CREATE_CHILD_SA, IKEV2_FLAG_INITIATOR);
	sk_begin(&b, &k);
	put_init(&b, true, false, false);
	ck_assert_int_eq(check_sealed(&b, &k, &e), -1);
	ck_assert_uint_eq(e.pld_type, IKEV2_PL_NONCE);

	/* INFORMATIONAL: deletes, or nothing at all (liveness check). */
	start(&b, IKEV2_EXCH_INFORMATIONAL, IKEV2_FLAG_INITIATOR);
	sk_begin(&b, &k);
	pld_delete_put(&b, &d);
	ck_assert_int_eq(check_sealed(&b, &k, &e), 0);
	start(&b, IKEV2_EXCH_INFORMATIONAL, IKEV2_FLAG_RESPONSE);
	sk_begin(&b, &k);
	ck_assert_int_eq(check_sealed(&b, &k, &e), 0);

	/* An IKE_AUTH in the clear is refused. */
	start(&b, IKEV2_EXCH_IKE_AUTH, IKEV2_FLAG_INITIATOR);
	pld_id_put(&b, IKEV2_PL_IDi, &id);
	len = msg_build_finish(&b);
	ck_assert_int_eq(msg_frame(mem, len, &m, &e), 0);
	ck_assert_int_eq(rules_v2_check(&m, &e), -1);
	ck_assert_uint_eq(e.pld_type, IKEV2_PL_SK);

	/* Known payloads before the SK payload are refused. */
	start(&b, IKEV2_EXCH_INFORMATIONAL, IKEV2_FLAG_INITIATOR);
	pld_delete_put(&b, &d);
	sk_begin(&b, &k);
	ck_assert_int_eq(check_sealed(&b, &k, &e), -1);
	ck_assert_uint_eq(e.pld_type, IKEV2_PL_D);

	/* Unknown exchange type. */
	start(&b, 99, IKEV2_FLAG_INITIATOR);
	len = msg_build_finish(&b);
	ck_assert_int_eq(msg_frame(mem, len, &m, &e), 0);
	ck_assert_int_eq(rules_v2_check(&m, &e), -1);
	secret_free(key);
}
END_TEST

Suite *
rules_suite(void)
{
	Suite *s = suite_create("rules");
	TCase *tc = tcase_create("rules");

	tcase_add_test(tc, ike_sa_init);
	tcase_add_test(tc, encrypted_exchanges);
	suite_add_tcase(s, tc);
	return s;
}
