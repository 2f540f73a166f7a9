/* SPDX-License-Identifier: ISC */
/*
 * The algorithm registry end to end: every keyword the proposal parser
 * accepts must work where it was accepted. In an IKE proposal that means
 * libike's crypto can key an IKE SA with it and run its cipher, MAC, PRF
 * or key exchange; in an ESP proposal that means the CHILD SA gets its
 * KEYMAT lengths from libike and libxfrm turns it into the right kernel
 * algorithm attribute. A keyword that cannot work must be refused by the
 * parser instead, so nothing fails only after negotiation.
 *
 * The kernel side is checked against names and sizes written out below
 * from the kernel's crypto API and the RFCs, not read from the registry.
 */
#include <stdio.h>
#include <string.h>

#include <check.h>
#include <libmnl/libmnl.h>

#include "crypto.h"
#include "ikev2_const.h"
#include "prop.h"
#include "xfrm_int.h"
#include "xtest.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* What the kernel must be told for each ESP keyword. */
static const struct esp_expect {
	const char *keyword;
	uint16_t attr;         /* XFRMA_ALG_AEAD, _CRYPT or _AUTH_TRUNC */
	const char *name;      /* Linux crypto API name */
	unsigned int key_bits; /* alg_key_len: key, salt included */
	unsigned int icv_bits; /* AEAD ICV or HMAC truncation; 0 for CRYPT */
} esp_expect[] = {
    {"aes128", XFRMA_ALG_CRYPT, "cbc(aes)", 128, 0}, /* RFC 3602 */
    {"aes192", XFRMA_ALG_CRYPT, "cbc(aes)", 192, 0},
    {"aes256", XFRMA_ALG_CRYPT, "cbc(aes)", 256, 0},
    /* RFC 4106: a 32-bit salt after the key; ICV 8, 12 or 16 bytes. */
    {"aes128gcm16", XFRMA_ALG_AEAD, "rfc4106(gcm(aes))", 160, 128},
    {"aes192gcm16", XFRMA_ALG_AEAD, "rfc4106(gcm(aes))", 224, 128},
    {"aes256gcm16", XFRMA_ALG_AEAD, "rfc4106(gcm(aes))", 288, 128},
    {"aes128gcm12", XFRMA_ALG_AEAD, "rfc4106(gcm(aes))", 160, 96},
    {"aes192gcm12", XFRMA_ALG_AEAD, "rfc4106(gcm(aes))", 224, 96},
    {"aes256gcm12", XFRMA_ALG_AEAD, "rfc4106(gcm(aes))", 288, 96},
    {"aes128gcm8", XFRMA_ALG_AEAD, "rfc4106(gcm(aes))", 160, 64},
    {"aes192gcm8", XFRMA_ALG_AEAD, "rfc4106(gcm(aes))", 224, 64},
    {"aes256gcm8", XFRMA_ALG_AEAD, "rfc4106(gcm(aes))", 288, 64},
    /* RFC 7634: 256-bit key and 32-bit salt. */
    {"chacha20poly1305", XFRMA_ALG_AEAD, "rfc7539esp(chacha20,poly1305)", 288,
     128},
    {"3des", XFRMA_ALG_CRYPT, "cbc(des3_ede)", 192, 0},    /* RFC 2451 */
    {"sha1", XFRMA_ALG_AUTH_TRUNC, "hmac(sha1)", 160, 96}, /* RFC 2404 */
    /* RFC 4868: truncated to half the output. */
    {"sha256", XFRMA_ALG_AUTH_TRUNC, "hmac(sha256)", 256, 128},
    {"sha384", XFRMA_ALG_AUTH_TRUNC, "hmac(sha384)", 384, 192},
    {"sha512", XFRMA_ALG_AUTH_TRUNC, "hmac(sha512)", 512, 256},
    {"md5", XFRMA_ALG_AUTH_TRUNC, "hmac(md5)", 128, 96}, /* RFC 2403 */
    /* The pre-RFC 4868 truncation of old Linux kernels. */
    {"sha256_96", XFRMA_ALG_AUTH_TRUNC, "hmac(sha256)", 256, 96},
};

/* Where each keyword must be accepted, so that refusing everything is no
 * way to pass: ESP-only are sha256_96 (no IKEv2 id) and ESN, IKE-only the
 * PRFs; everything else both. */
static bool
must_accept(const struct prop_alg *a, uint8_t proto)
{
	bool esp_only =
	    strcmp(a->keyword, "sha256_96") == 0 || a->type == IKEV2_TRANS_ESN;

	if (proto == IKEV2_PROTO_IKE)
		return !esp_only;
	return a->type != IKEV2_TRANS_PRF;
}

static bool
is_aead(const struct prop_alg *a)
{
	struct transform t = {a->type, 0, a->id, a->key_bits};

	return prop_xf_aead(&t);
}

/* A proposal around keyword kw that is complete for proto. */
static void
proposal_for(const struct prop_alg *a, uint8_t proto, char *s, size_t len)
{
	const char *kw = a->keyword;
	bool ike = proto == IKEV2_PROTO_IKE;

	switch (a->type) {
	case IKEV2_TRANS_ENCR:
		if (is_aead(a))
			snprintf(s, len, "%s%s", kw,
				 ike ? "-prfsha256-ecp256" : "");
		else
			snprintf(s, len, "%s-sha256%s", kw,
				 ike ? "-ecp256" : "");
		break;
	case IKEV2_TRANS_INTEG:
		snprintf(s, len, "aes128-%s%s", kw, ike ? "-ecp256" : "");
		break;
	case IKEV2_TRANS_PRF:
		snprintf(s, len, "aes128-sha256-%s%s", kw,
			 ike ? "-ecp256" : "");
		break;
	case IKEV2_TRANS_DH:
		snprintf(s, len, "aes128-sha256-%s", kw);
		break;
	default:
		snprintf(s, len, "aes128-sha256%s-%s", ike ? "-ecp256" : "",
			 kw);
		break;
	}
}

/* --- IKE: the suite keys an IKE SA and its primitives round-trip --------- */

static void
ike_cipher_round_trip(const struct prop_alg *a, const struct encr_alg *e)
{
	uint8_t key[64], iv[16], icv[16], buf[64], plain[64], aad[8];
	struct bytes ad = {aad, sizeof(aad)};

	ck_assert_uint_le(e->key_len, sizeof(key));
	ck_assert_uint_le(e->iv_len, sizeof(iv));
	ck_assert_uint_le(e->icv_len, sizeof(icv));
	/* The registry's sizes are the crypto layer's sizes. */
	if (a->key_bits != 0)
		ck_assert_uint_eq((e->key_len - e->salt_len) * 8, a->key_bits);
	ck_assert_uint_eq(e->icv_len * 8, a->icv_bits);
	memset(key, 0x11, sizeof(key));
	memset(iv, 0x22, sizeof(iv));
	memset(aad, 0x33, sizeof(aad));
	for (size_t i = 0; i < sizeof(plain); i++)
		plain[i] = (uint8_t)i;
	memcpy(buf, plain, sizeof(buf));
	if (e->aead) {
		ck_assert_msg(crypto_aead_seal(e, key, iv, ad, buf, sizeof(buf),
					       icv) == 0,
			      "%s: seal", a->keyword);
		ck_assert(memcmp(buf, plain, sizeof(buf)) != 0);
		ck_assert_msg(crypto_aead_open(e, key, iv, ad, buf, sizeof(buf),
					       icv) == 0,
			      "%s: open", a->keyword);
		ck_assert(memcmp(buf, plain, sizeof(buf)) == 0);
		/* A tag one bit off must not open. */
		crypto_aead_seal(e, key, iv, ad, buf, sizeof(buf), icv);
		icv[e->icv_len - 1] ^= 1;
		ck_assert_int_eq(
		    crypto_aead_open(e, key, iv, ad, buf, sizeof(buf), icv),
		    -1);
	} else {
		ck_assert_msg(
		    crypto_cbc_encrypt(e, key, iv, buf, sizeof(buf)) == 0,
		    "%s: encrypt", a->keyword);
		ck_assert(memcmp(buf, plain, sizeof(buf)) != 0);
		ck_assert_msg(
		    crypto_cbc_decrypt(e, key, iv, buf, sizeof(buf)) == 0,
		    "%s: decrypt", a->keyword);
		ck_assert(memcmp(buf, plain, sizeof(buf)) == 0);
	}
}

static void
ike_integ_round_trip(const struct prop_alg *a, const struct integ_alg *i)
{
	uint8_t key[64], icv[64], data[100];
	struct bytes part = {data, sizeof(data)};

	ck_assert_uint_le(i->key_len, sizeof(key));
	ck_assert_uint_eq(i->icv_len * 8, a->icv_bits);
	memset(key, 0x44, sizeof(key));
	memset(data, 0x55, sizeof(data));
	ck_assert_msg(crypto_integ_compute(i, key, &part, 1, icv) == 0,
		      "%s: MAC", a->keyword);
	ck_assert_int_eq(crypto_integ_verify(i, key, &part, 1, icv), 0);
	icv[0] ^= 1;
	ck_assert_int_eq(crypto_integ_verify(i, key, &part, 1, icv), -1);
}

static void
ike_prf_works(const struct prop_alg *a, const struct prf_alg *p)
{
	uint8_t key[64], out[200], seed[32];
	struct bytes part = {seed, sizeof(seed)};

	memset(key, 0x66, sizeof(key));
	memset(seed, 0x77, sizeof(seed));
	ck_assert_uint_le(p->key_len, sizeof(key));
	ck_assert_msg(crypto_prf_compute(p, key, p->key_len, &part, 1, out) ==
			  0,
		      "%s: prf", a->keyword);
	ck_assert_msg(crypto_prf_plus(p, key, p->key_len, &part, 1, out,
				      sizeof(out)) == 0,
		      "%s: prf+", a->keyword);
}

static void
ike_dh_works(const struct prop_alg *a)
{
	struct dh *x = dh_new(a->id), *y = dh_new(a->id);
	uint8_t px[1024], py[1024];
	struct secret *sx = NULL, *sy = NULL;
	size_t n = dh_public_len(a->id);

	ck_assert_msg(x != NULL && y != NULL, "%s: no key pair", a->keyword);
	ck_assert_uint_gt(n, 0);
	ck_assert_uint_le(n, sizeof(px));
	ck_assert_int_eq(dh_public(x, px, n), 0);
	ck_assert_int_eq(dh_public(y, py, n), 0);
	ck_assert_int_eq(dh_shared(x, py, n, &sx), 0);
	ck_assert_int_eq(dh_shared(y, px, n, &sy), 0);
	ck_assert_uint_eq(sx->len, sy->len);
	ck_assert(memcmp(sx->ptr, sy->ptr, sx->len) == 0);
	secret_free(sx);
	secret_free(sy);
	dh_free(x);
	dh_free(y);
}

static void
check_ike(const struct prop_alg *a, const struct proposal *p)
{
	const struct transform *dh = prop_xf_first(p, IKEV2_TRANS_DH);
	struct ike_suite s;

	ck_assert_ptr_nonnull(dh);
	/* What IKE_SA_INIT does with the chosen proposal. */
	ck_assert_msg(
	    keymat_v2_suite(p, dh->id, &s) == 0,
	    "%s: accepted in IKE, but the IKE SA has no crypto for it",
	    a->keyword);
	ck_assert_msg(dh_supported(dh->id), "%s: no key exchange", a->keyword);
	switch (a->type) {
	case IKEV2_TRANS_ENCR:
		ike_cipher_round_trip(a, s.encr);
		break;
	case IKEV2_TRANS_INTEG:
		ck_assert_ptr_nonnull(s.integ);
		ike_integ_round_trip(a, s.integ);
		break;
	case IKEV2_TRANS_PRF:
		ike_prf_works(a, s.prf);
		break;
	case IKEV2_TRANS_DH:
		ike_dh_works(a);
		break;
	default:
		break;
	}
}

/* --- ESP: KEYMAT lengths, then the kernel's attribute -------------------- */

static const struct esp_expect *
expected(const char *kw)
{
	for (size_t i = 0; i < NELEM(esp_expect); i++)
		if (strcmp(esp_expect[i].keyword, kw) == 0)
			return &esp_expect[i];
	return NULL;
}

static _Alignas(8) uint8_t msg[XFRM_MSG_BUF];

/* The one attribute of the given type in a NEWSA, or NULL. */
static const struct nlattr *
newsa_attr(const struct nlmsghdr *nlh, uint16_t type)
{
	const struct nlattr *attr, *found = NULL;

	mnl_attr_for_each(attr, nlh, sizeof(struct xfrm_usersa_info))
	{
		if (mnl_attr_get_type(attr) != type)
			continue;
		ck_assert_ptr_null(found);
		found = attr;
	}
	return found;
}

static void
check_attr(const struct nlmsghdr *nlh, const struct esp_expect *x)
{
	const struct nlattr *attr = newsa_attr(nlh, x->attr);
	const void *pl;

	ck_assert_msg(attr != NULL, "%s: no attribute %u", x->keyword, x->attr);
	pl = mnl_attr_get_payload(attr);
	if (x->attr == XFRMA_ALG_AEAD) {
		const struct xfrm_algo_aead *k = pl;

		ck_assert_str_eq(k->alg_name, x->name);
		ck_assert_uint_eq(k->alg_key_len, x->key_bits);
		ck_assert_uint_eq(k->alg_icv_len, x->icv_bits);
		ck_assert_ptr_null(newsa_attr(nlh, XFRMA_ALG_CRYPT));
		ck_assert_ptr_null(newsa_attr(nlh, XFRMA_ALG_AUTH_TRUNC));
	} else if (x->attr == XFRMA_ALG_AUTH_TRUNC) {
		const struct xfrm_algo_auth *k = pl;

		ck_assert_str_eq(k->alg_name, x->name);
		ck_assert_uint_eq(k->alg_key_len, x->key_bits);
		ck_assert_uint_eq(k->alg_trunc_len, x->icv_bits);
	} else {
		const struct xfrm_algo *k = pl;

		ck_assert_str_eq(k->alg_name, x->name);
		ck_assert_uint_eq(k->alg_key_len, x->key_bits);
		ck_assert_ptr_nonnull(newsa_attr(nlh, XFRMA_ALG_AUTH_TRUNC));
	}
	ck_assert_ptr_null(newsa_attr(nlh, XFRMA_ALG_AUTH));
}

static void
check_esp(const struct prop_alg *a, const struct proposal *p)
{
	const struct transform *encr = prop_xf_first(p, IKEV2_TRANS_ENCR);
	const struct transform *integ = prop_xf_first(p, IKEV2_TRANS_INTEG);
	const struct encr_alg *ea;
	const struct integ_alg *ia = NULL;
	struct xfrm_sa sa = xt_gcm_sa();
	const struct esp_expect *x;
	uint8_t key[128];
	int n;

	ck_assert_ptr_nonnull(encr);
	/* What the CHILD SA takes its KEYMAT lengths from. */
	ea = crypto_encr(encr->id, encr->key_bits);
	if (integ != NULL && integ->id != IKEV2_INTEG_NONE)
		ia = crypto_integ(integ->id);
	ck_assert_msg(ea != NULL && (ea->aead || ia != NULL),
		      "%s: accepted in ESP, but no KEYMAT lengths for it",
		      a->keyword);
	memset(&sa.algs, 0, sizeof(sa.algs));
	ck_assert_msg(
	    xfrm_alg_for_ike(encr->id, encr->key_bits,
			     ia ? ia->id : IKEV2_INTEG_NONE, &sa.algs) == 0,
	    "%s: accepted in ESP, but libxfrm has no kernel name", a->keyword);
	/* KEYMAT is cut as IKE says; the kernel must want the same. */
	ck_assert_uint_eq(sa.algs.enc.key_len, ea->key_len);
	if (ia != NULL)
		ck_assert_uint_eq(sa.algs.auth.key_len, ia->key_len);
	memset(key, 0x5a, sizeof(key));
	sa.algs.enc.key = key;
	sa.algs.auth.key = key;
	n = xfrm_msg_newsa(msg, sizeof(msg), XFRM_MSG_NEWSA, &sa, 1);
	ck_assert_msg(n > 0, "%s: NEWSA not built (%d)", a->keyword, n);
	if (a->type == IKEV2_TRANS_ENCR || a->type == IKEV2_TRANS_INTEG) {
		x = expected(a->keyword);
		ck_assert_msg(x != NULL, "%s: add it to esp_expect",
			      a->keyword);
		check_attr((const struct nlmsghdr *)msg, x);
	}
}

START_TEST(every_keyword_works_where_accepted)
{
	static const uint8_t protos[] = {IKEV2_PROTO_IKE, IKEV2_PROTO_ESP};
	const struct prop_alg *a;
	struct proposal p;
	char s[128], err[256];
	size_t i, j;

	for (i = 0; (a = prop_alg_at(i)) != NULL; i++) {
		for (j = 0; j < NELEM(protos); j++) {
			bool ike = protos[j] == IKEV2_PROTO_IKE;
			bool ok;

			proposal_for(a, protos[j], s, sizeof(s));
			ok =
			    prop_parse(s, protos[j], &p, err, sizeof(err)) == 0;
			ck_assert_msg(ok == must_accept(a, protos[j]),
				      "%s proposal '%s': %s",
				      ike ? "IKE" : "ESP", s,
				      ok ? "accepted" : err);
			if (!ok)
				continue;
			if (ike)
				check_ike(a, &p);
			else
				check_esp(a, &p);
		}
	}
	ck_assert_uint_gt(i, NELEM(esp_expect));
}
END_TEST

/* Every keyword of the kernel list is one the parser knows. */
START_TEST(expectations_are_keywords)
{
	for (size_t i = 0; i < NELEM(esp_expect); i++)
		ck_assert_msg(prop_alg_by_keyword(esp_expect[i].keyword), "%s",
			      esp_expect[i].keyword);
}
END_TEST

/* strongSwan's other spellings of AES-GCM land on the same transforms. */
START_TEST(gcm_aliases)
{
	static const struct {
		const char *alias, *keyword;
	} al[] = {
	    {"aes128gcm64", "aes128gcm8"},   {"aes192gcm64", "aes192gcm8"},
	    {"aes256gcm64", "aes256gcm8"},   {"aes128gcm96", "aes128gcm12"},
	    {"aes192gcm96", "aes192gcm12"},  {"aes256gcm96", "aes256gcm12"},
	    {"aes128gcm128", "aes128gcm16"}, {"aes192gcm128", "aes192gcm16"},
	    {"aes256gcm128", "aes256gcm16"}, {"aes128gcm", "aes128gcm16"},
	    {"aes192gcm", "aes192gcm16"},    {"aes256gcm", "aes256gcm16"},
	    {"sha2_256_96", "sha256_96"},
	};

	for (size_t i = 0; i < NELEM(al); i++) {
		const struct prop_alg *a = prop_alg_by_keyword(al[i].alias);

		ck_assert_msg(a != NULL, "%s unknown", al[i].alias);
		ck_assert_str_eq(a->keyword, al[i].keyword);
	}
}
END_TEST

Suite *
alg_registry_suite(void)
{
	Suite *s = suite_create("alg_registry");
	TCase *tc = tcase_create("core");

	/* MODP-4096 key pairs are slow under the sanitizers. */
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, every_keyword_works_where_accepted);
	tcase_add_test(tc, expectations_are_keywords);
	tcase_add_test(tc, gcm_aliases);
	suite_add_tcase(s, tc);
	return s;
}
