/* SPDX-License-Identifier: ISC */
/*
 * RFC 7383 fragmentation: a message split into SKF messages that respect
 * the size limit comes back whole whatever the arrival order, duplicates
 * and forgeries included.
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "msg.h"
#include "testutil.h"

#define MAX_OUT 40

struct sent {
	unsigned n;
	size_t len[MAX_OUT];
	uint8_t msg[MAX_OUT][1500];
};

static int
collect(void *ctx, const uint8_t *msg, size_t len)
{
	struct sent *s = ctx;

	ck_assert_uint_lt(s->n, MAX_OUT);
	ck_assert_uint_le(len, sizeof(s->msg[0]));
	memcpy(s->msg[s->n], msg, len);
	s->len[s->n++] = len;
	return 0;
}

static const struct ike_hdr hdr = {
    .spi_i = {1, 2, 3, 4, 5, 6, 7, 8},
    .spi_r = {9, 9, 9, 9, 9, 9, 9, 9},
    .major = 2,
    .exchange = IKEV2_EXCH_IKE_AUTH,
    .flags = IKEV2_FLAG_INITIATOR,
    .msgid = 1,
};

/* An inner chain: a big CERT then a nonce, built with the real encoders. */
static size_t
inner_chain(uint8_t *buf, size_t cap, uint8_t *np)
{
	static uint8_t der[900];
	struct pld_cert cert = {IKEV2_CERT_X509_SIG, {der, sizeof(der)}};
	struct pld_nonce n = {{der, 32}};
	struct msg_builder b;
	size_t len;

	memset(der, 0x5a, sizeof(der));
	msg_build_init(&b, buf, cap, &hdr);
	pld_cert_put(&b, IKEV2_PL_CERT, &cert);
	pld_nonce_put(&b, &n);
	len = msg_build_finish(&b);
	ck_assert_uint_gt(len, 0);
	*np = buf[16];
	memmove(buf, buf + IKEV2_HDR_LEN, len - IKEV2_HDR_LEN);
	return len - IKEV2_HDR_LEN;
}

static struct secret *ekey;

static void
keys(struct sk_keys *k)
{
	k->encr = crypto_encr(IKEV2_ENCR_AES_GCM_16, 256);
	ck_assert_ptr_nonnull(k->encr);
	if (!ekey) {
		ekey = secret_new(k->encr->key_len);
		crypto_random(ekey->ptr, ekey->len);
	}
	k->ekey = ekey;
	k->integ = NULL;
	k->akey = NULL;
}

START_TEST(split_and_reassemble_any_order)
{
	static struct sent s;
	static uint8_t inner[2048], plain[4096];
	static struct msg m;
	struct frag_reasm r;
	struct sk_keys k = {0};
	struct ike_err e = {0};
	struct pld_cert cert;
	uint8_t np;
	size_t len = inner_chain(inner, sizeof(inner), &np);
	unsigned i, order;
	int n;

	keys(&k);
	memset(&s, 0, sizeof(s));
	n = frag_split(&hdr, &k, np, inner, len, 200, collect, &s);
	ck_assert_int_gt(n, 4);
	ck_assert_uint_eq(s.n, (unsigned)n);
	for (i = 0; i < s.n; i++)
		ck_assert_uint_le(s.len[i], 200);
	/* order 0: as sent; 1: reversed, with every fragment twice */
	for (order = 0; order < 2; order++) {
		int rc = 0;

		frag_reasm_init(&r);
		for (i = 0; i < s.n; i++) {
			unsigned j = order ? s.n - 1 - i : i;

			ck_assert_int_eq(msg_frame(s.msg[j], s.len[j], &m, &e),
					 0);
			rc = frag_reasm_add(&r, &m, &k, &e);
			ck_assert_msg(rc >= 0, "%s", e.msg);
			if (order) {
				ck_assert_int_eq(frag_reasm_add(&r, &m, &k, &e),
						 rc);
			}
			ck_assert_int_eq(rc, i + 1 == s.n);
		}
		ck_assert_int_eq(
		    frag_reasm_finish(&r, &m, plain, sizeof(plain), &e), 0);
		ck_assert_uint_eq(m.n, 3);
		ck_assert_uint_eq(m.pl[1].type, IKEV2_PL_CERT);
		ck_assert_uint_eq(m.pl[2].type, IKEV2_PL_NONCE);
		ck_assert_int_eq(msg_decode_all(&m, &e), 0);
		ck_assert_int_eq(pld_cert_get(&m.pl[1], &cert, &e), 0);
		ck_assert_uint_eq(cert.data.len, 900);
		frag_reasm_clear(&r);
	}
}
END_TEST

START_TEST(forged_and_stale_fragments_dropped)
{
	static struct sent s, s2;
	static uint8_t inner[2048];
	static struct msg m;
	struct frag_reasm r;
	struct sk_keys k = {0};
	struct ike_err e = {0};
	struct ike_hdr h2 = hdr;
	uint8_t np;
	size_t len = inner_chain(inner, sizeof(inner), &np);

	keys(&k);
	memset(&s, 0, sizeof(s));
	memset(&s2, 0, sizeof(s2));
	ck_assert_int_gt(frag_split(&hdr, &k, np, inner, len, 300, collect, &s),
			 1);
	frag_reasm_init(&r);
	/* A forged fragment (flipped ciphertext) is dropped, not kept. */
	s.msg[0][s.len[0] - 20] ^= 1;
	ck_assert_int_eq(msg_frame(s.msg[0], s.len[0], &m, &e), 0);
	ck_assert_int_eq(frag_reasm_add(&r, &m, &k, &e), -1);
	ck_assert_uint_eq(e.notify, 0);
	ck_assert_uint_eq(r.have, 0);
	s.msg[0][s.len[0] - 20] ^= 1;
	ck_assert_int_eq(msg_frame(s.msg[0], s.len[0], &m, &e), 0);
	ck_assert_int_eq(frag_reasm_add(&r, &m, &k, &e), 0);
	/* A fragment of another message ID is stale. */
	h2.msgid = 2;
	ck_assert_int_gt(frag_split(&h2, &k, np, inner, len, 300, collect, &s2),
			 1);
	ck_assert_int_eq(msg_frame(s2.msg[1], s2.len[1], &m, &e), 0);
	ck_assert_int_eq(frag_reasm_add(&r, &m, &k, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "stale"));
	/* A re-fragmentation with more, smaller fragments restarts. */
	memset(&s2, 0, sizeof(s2));
	ck_assert_int_gt(
	    frag_split(&hdr, &k, np, inner, len, 150, collect, &s2), (int)s.n);
	ck_assert_int_eq(msg_frame(s2.msg[2], s2.len[2], &m, &e), 0);
	ck_assert_int_eq(frag_reasm_add(&r, &m, &k, &e), 0);
	ck_assert_uint_eq(r.total, s2.n);
	ck_assert_uint_eq(r.have, 1);
	/* And the old, coarser split is now stale. */
	ck_assert_int_eq(msg_frame(s.msg[1], s.len[1], &m, &e), 0);
	ck_assert_int_eq(frag_reasm_add(&r, &m, &k, &e), -1);
	frag_reasm_clear(&r);
}
END_TEST

START_TEST(split_limits)
{
	static struct sent s;
	static uint8_t inner[2048];
	struct sk_keys k = {0};
	uint8_t np;
	size_t len = inner_chain(inner, sizeof(inner), &np);

	keys(&k);
	memset(&s, 0, sizeof(s));
	/* No room for any data next to the headers. */
	ck_assert_int_eq(frag_split(&hdr, &k, np, inner, len, 60, collect, &s),
			 -1);
	/* More than IKE_MAX_FRAGMENTS fragments would be needed. */
	ck_assert_int_eq(frag_split(&hdr, &k, np, inner, len, 90, collect, &s),
			 -1);
	ck_assert_uint_eq(s.n, 0);
}
END_TEST

Suite *
frag_suite(void)
{
	Suite *s = suite_create("frag");
	TCase *tc = tcase_create("frag");

	tcase_add_test(tc, split_and_reassemble_any_order);
	tcase_add_test(tc, forged_and_stale_fragments_dropped);
	tcase_add_test(tc, split_limits);
	suite_add_tcase(s, tc);
	return s;
}
