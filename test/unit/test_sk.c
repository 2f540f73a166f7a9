/* SPDX-License-Identifier: ISC */
/*
 * The SK and SKF payloads under every supported cipher suite: round trips,
 * and that any change to an authenticated byte (header, payload header,
 * fragment fields, IV, ciphertext, ICV) makes the message a silent drop.
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "msg.h"
#include "testutil.h"

struct suite_case {
	const char *name;
	uint16_t encr, bits, integ;
};

static const struct suite_case suites[] = {
    {"aes128gcm16", IKEV2_ENCR_AES_GCM_16, 128, 0},
    {"aes256gcm16", IKEV2_ENCR_AES_GCM_16, 256, 0},
    {"chacha20poly1305", IKEV2_ENCR_CHACHA20_POLY1305, 0, 0},
    {"aes128-sha256", IKEV2_ENCR_AES_CBC, 128, IKEV2_INTEG_HMAC_SHA2_256_128},
    {"aes256-sha384", IKEV2_ENCR_AES_CBC, 256, IKEV2_INTEG_HMAC_SHA2_384_192},
    {"aes256-sha512", IKEV2_ENCR_AES_CBC, 256, IKEV2_INTEG_HMAC_SHA2_512_256},
    {"aes128-sha1", IKEV2_ENCR_AES_CBC, 128, IKEV2_INTEG_HMAC_SHA1_96},
    {"3des-sha1", IKEV2_ENCR_3DES, 0, IKEV2_INTEG_HMAC_SHA1_96},
};

struct fixture {
	struct sk_keys k;
	struct secret *ekey, *akey;
};

static void
fixture_init(struct fixture *f, const struct suite_case *sc)
{
	memset(f, 0, sizeof(*f));
	f->k.encr = crypto_encr(sc->encr, sc->bits);
	ck_assert_msg(f->k.encr != NULL, "%s unsupported", sc->name);
	f->ekey = secret_new(f->k.encr->key_len);
	crypto_random(f->ekey->ptr, f->ekey->len);
	f->k.ekey = f->ekey;
	if (sc->integ) {
		f->k.integ = crypto_integ(sc->integ);
		ck_assert_ptr_nonnull(f->k.integ);
		f->akey = secret_new(f->k.integ->key_len);
		crypto_random(f->akey->ptr, f->akey->len);
		f->k.akey = f->akey;
	}
}

static void
fixture_free(struct fixture *f)
{
	secret_free(f->ekey);
	secret_free(f->akey);
}

static const struct ike_hdr hdr = {
    .spi_i = {1, 2, 3, 4, 5, 6, 7, 8},
    .spi_r = {8, 7, 6, 5, 4, 3, 2, 1},
    .major = 2,
    .exchange = IKEV2_EXCH_IKE_AUTH,
    .flags = IKEV2_FLAG_INITIATOR,
    .msgid = 1,
};

/* An IKE_AUTH-like message: IDi, AUTH and a notify inside SK. */
static size_t
seal(uint8_t *mem, size_t cap, const struct sk_keys *k, size_t id_len)
{
	static const uint8_t idbuf[300] = {'x'};
	struct pld_id id = {IKEV2_ID_FQDN, {idbuf, id_len}};
	struct pld_auth auth = {
	    IKEV2_AUTH_SHARED_KEY_MIC,
	    {(const uint8_t *)"0123456789abcdef0123456789abcdef", 32}};
	struct pld_notify n = {0, 0, IKEV2_N_INITIAL_CONTACT};
	struct msg_builder b;

	msg_build_init(&b, mem, cap, &hdr);
	ck_assert_int_eq(sk_begin(&b, k), 0);
	pld_id_put(&b, IKEV2_PL_IDi, &id);
	pld_auth_put(&b, &auth);
	pld_notify_put(&b, &n);
	return sk_end(&b, k);
}

START_TEST(seal_open_roundtrip)
{
	const struct suite_case *sc = &suites[_i];
	static uint8_t mem[2048], plain[2048];
	struct fixture f;
	struct msg m;
	struct ike_err e = {0};
	struct pld_id id;
	size_t len, id_len, ct_len;

	fixture_init(&f, sc);
	for (id_len = 1; id_len < 40; id_len++) {
		len = seal(mem, sizeof(mem), &f.k, id_len);
		ck_assert_uint_gt(len, 0);
		ck_assert_int_eq(msg_frame(mem, len, &m, &e), 0);
		ck_assert_int_eq(m.n, 1);
		ck_assert_uint_eq(m.pl[0].type, IKEV2_PL_SK);
		ck_assert_uint_eq(m.sk_np, IKEV2_PL_IDi);
		ct_len =
		    m.pl[0].body.len - f.k.encr->iv_len -
		    (f.k.encr->aead ? f.k.encr->icv_len : f.k.integ->icv_len);
		ck_assert_uint_eq(ct_len % f.k.encr->block_len, 0);
		ck_assert_msg(sk_open(&m, &f.k, plain, sizeof(plain), &e) == 0,
			      "%s: %s", sc->name, e.msg);
		ck_assert_uint_eq(m.n, 4);
		ck_assert_uint_eq(m.pl[1].type, IKEV2_PL_IDi);
		ck_assert(m.pl[1].inner);
		ck_assert_uint_eq(m.pl[2].type, IKEV2_PL_AUTH);
		ck_assert_uint_eq(m.pl[3].type, IKEV2_PL_N);
		ck_assert_int_eq(msg_decode_all(&m, &e), 0);
		ck_assert_int_eq(pld_id_get(&m.pl[1], &id, &e), 0);
		ck_assert_uint_eq(id.data.len, id_len);
		/* Inner offsets are message offsets of the ciphertext. */
		ck_assert_uint_eq(m.pl[1].offset, IKEV2_HDR_LEN +
						      IKEV2_GEN_HDR_LEN +
						      f.k.encr->iv_len);
	}
	fixture_free(&f);
}
END_TEST

START_TEST(any_flipped_bit_is_dropped)
{
	const struct suite_case *sc = &suites[_i];
	static uint8_t mem[2048], plain[2048];
	struct fixture f;
	struct msg m;
	struct ike_err e = {0};
	size_t len, bit;

	fixture_init(&f, sc);
	len = seal(mem, sizeof(mem), &f.k, 16);
	for (bit = 0; bit < len * 8; bit++) {
		mem[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		if (msg_frame(mem, len, &m, &e) == 0 && m.sk >= 0) {
			e.notify = 1;
			ck_assert_msg(
			    sk_open(&m, &f.k, plain, sizeof(plain), &e) == -1,
			    "%s: bit %zu flipped and accepted", sc->name, bit);
			ck_assert_uint_eq(e.notify, 0);
		}
		mem[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	}
	fixture_free(&f);
}
END_TEST

START_TEST(wrong_key_is_dropped)
{
	const struct suite_case *sc = &suites[_i];
	static uint8_t mem[2048], plain[2048];
	struct fixture f, g;
	struct msg m;
	struct ike_err e = {0};
	size_t len;

	fixture_init(&f, sc);
	fixture_init(&g, sc);
	len = seal(mem, sizeof(mem), &f.k, 10);
	ck_assert_int_eq(msg_frame(mem, len, &m, &e), 0);
	ck_assert_int_eq(sk_open(&m, &g.k, plain, sizeof(plain), &e), -1);
	ck_assert_uint_eq(e.notify, 0);
	ck_assert_ptr_nonnull(strstr(e.msg, "integrity"));
	fixture_free(&f);
	fixture_free(&g);
}
END_TEST

START_TEST(short_sk_body_is_dropped)
{
	static uint8_t mem[256], plain[256];
	struct fixture f;
	struct msg_builder b;
	struct msg m;
	struct ike_err e = {0};
	size_t len;

	fixture_init(&f, &suites[3]); /* aes128-sha256: 16 IV + 16 ICV */
	msg_build_init(&b, mem, sizeof(mem), &hdr);
	msg_pld_begin(&b, IKEV2_PL_SK, false);
	wbuf_zero(&b.w, 16 + 16 + 15); /* no whole ciphertext block */
	msg_pld_end(&b);
	len = msg_build_finish(&b);
	ck_assert_int_eq(msg_frame(mem, len, &m, &e), 0);
	e.notify = 1;
	ck_assert_int_eq(sk_open(&m, &f.k, plain, sizeof(plain), &e), -1);
	ck_assert_uint_eq(e.notify, 0);
	fixture_free(&f);
}
END_TEST

/* An authentic message whose Pad Length claims more than was decrypted is
 * INVALID_SYNTAX (it passed integrity, so it may be answered). */
START_TEST(bad_pad_length_after_decrypt)
{
	static uint8_t mem[512], plain[512];
	struct fixture f;
	struct msg m;
	struct ike_err e = {0};
	struct bytes part;
	size_t len, ct_at, ct_len;
	uint8_t *iv, *ct;

	fixture_init(&f, &suites[3]);
	len = seal(mem, sizeof(mem), &f.k, 5);
	ct_at = IKEV2_HDR_LEN + IKEV2_GEN_HDR_LEN + 16;
	ct_len = len - ct_at - 16;
	iv = mem + ct_at - 16;
	ct = mem + ct_at;
	ck_assert_int_eq(
	    crypto_cbc_decrypt(f.k.encr, f.ekey->ptr, iv, ct, ct_len), 0);
	ct[ct_len - 1] = 0xff;
	ck_assert_int_eq(
	    crypto_cbc_encrypt(f.k.encr, f.ekey->ptr, iv, ct, ct_len), 0);
	part.ptr = mem;
	part.len = len - 16;
	ck_assert_int_eq(crypto_integ_compute(f.k.integ, f.akey->ptr, &part, 1,
					      mem + len - 16),
			 0);
	ck_assert_int_eq(msg_frame(mem, len, &m, &e), 0);
	ck_assert_int_eq(sk_open(&m, &f.k, plain, sizeof(plain), &e), -1);
	ck_assert_uint_eq(e.notify, IKEV2_N_INVALID_SYNTAX);
	ck_assert_uint_eq(e.offset, len - 16 - 1);
	fixture_free(&f);
}
END_TEST

START_TEST(fragment_roundtrip_and_fields_authenticated)
{
	const struct suite_case *sc = &suites[_i];
	static uint8_t mem[512], plain[512];
	static const char chunk[] = "a piece of an inner payload chain";
	struct fixture f;
	struct msg_builder b;
	struct msg m;
	struct pld_skf skf;
	struct ike_err e = {0};
	size_t len, plen;

	fixture_init(&f, sc);
	msg_build_init(&b, mem, sizeof(mem), &hdr);
	ck_assert_int_eq(skf_begin(&b, &f.k, 2, 3), 0);
	wbuf_put(&b.w, chunk, sizeof(chunk));
	len = sk_end(&b, &f.k);
	ck_assert_uint_gt(len, 0);
	ck_assert_int_eq(msg_frame(mem, len, &m, &e), 0);
	ck_assert_uint_eq(m.pl[m.sk].type, IKEV2_PL_SKF);
	ck_assert_int_eq(pld_skf_get(&m.pl[m.sk], &skf, &e), 0);
	ck_assert_uint_eq(skf.num, 2);
	ck_assert_uint_eq(skf.total, 3);
	ck_assert_int_eq(skf_open(&m, &f.k, plain, sizeof(plain), &plen, &e),
			 0);
	ck_assert_uint_eq(plen, sizeof(chunk));
	ck_assert_mem_eq(plain, chunk, sizeof(chunk));
	/* sk_open refuses a lone fragment: it needs reassembly. */
	ck_assert_int_eq(sk_open(&m, &f.k, plain, sizeof(plain), &e), -1);
	/* The fragment number is authenticated. */
	mem[IKEV2_HDR_LEN + IKEV2_GEN_HDR_LEN + 1] ^= 1;
	ck_assert_int_eq(msg_frame(mem, len, &m, &e), 0);
	ck_assert_int_eq(skf_open(&m, &f.k, plain, sizeof(plain), &plen, &e),
			 -1);
	fixture_free(&f);
}
END_TEST

START_TEST(unusable_keys_refused)
{
	static uint8_t mem[256];
	struct fixture f;
	struct msg_builder b;
	struct secret *shortkey = secret_new(3);

	fixture_init(&f, &suites[0]);
	f.k.ekey = shortkey;
	msg_build_init(&b, mem, sizeof(mem), &hdr);
	ck_assert_int_eq(sk_begin(&b, &f.k), -1);
	ck_assert_uint_eq(sk_end(&b, &f.k), 0);
	secret_free(shortkey);
	fixture_free(&f);
}
END_TEST

Suite *
sk_suite(void)
{
	Suite *s = suite_create("sk");
	TCase *tc = tcase_create("sk");
	int n = sizeof(suites) / sizeof(suites[0]);

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, seal_open_roundtrip, 0, n);
	tcase_add_loop_test(tc, any_flipped_bit_is_dropped, 0, n);
	tcase_add_loop_test(tc, wrong_key_is_dropped, 0, n);
	tcase_add_loop_test(tc, fragment_roundtrip_and_fields_authenticated, 0,
			    n);
	tcase_add_test(tc, short_sk_body_is_dropped);
	tcase_add_test(tc, bad_pad_length_after_decrypt);
	tcase_add_test(tc, unusable_keys_refused);
	suite_add_tcase(s, tc);
	return s;
}
