/* SPDX-License-Identifier: ISC */
/*
 * Proposals: the keyword table, strongSwan-syntax parsing and its errors,
 * printing and round trips, weak-algorithm reporting, defaults, IKEv1
 * numbers, and the responder's selection rule including the offers of
 * real L2TP/IPsec clients (docs/clients.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "ikev2_const.h"
#include "prop.h"
#include "testutil.h"

#define IKE IKEV2_PROTO_IKE
#define ESP IKEV2_PROTO_ESP

#define X(t, i, k)                                                             \
	{                                                                      \
		(t), 0, (i), (k)                                               \
	}
#define E(i, k)  X(IKEV2_TRANS_ENCR, i, k)
#define I(i)     X(IKEV2_TRANS_INTEG, i, 0)
#define P(i)     X(IKEV2_TRANS_PRF, i, 0)
#define D(i)     X(IKEV2_TRANS_DH, i, 0)
#define N(i)     X(IKEV2_TRANS_ESN, i, 0)
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static void
parse_ok(const char *s, uint8_t proto, struct proposal *p)
{
	char err[256] = "";

	ck_assert_msg(prop_parse(s, proto, p, err, sizeof(err)) == 0,
		      "'%s' did not parse: %s", s, err);
}

static void
parse_err(const char *s, uint8_t proto, const char *want)
{
	struct proposal p;
	char err[256] = "";

	ck_assert_msg(prop_parse(s, proto, &p, err, sizeof(err)) == -1,
		      "'%s' parsed", s);
	ck_assert_msg(strstr(err, want) != NULL, "'%s': error '%s' lacks '%s'",
		      s, err, want);
}

static void
check_xf(const struct proposal *p, const struct transform *want, size_t n)
{
	size_t i;

	ck_assert_uint_eq(p->n_xf, n);
	for (i = 0; i < n; i++) {
		ck_assert_msg(
		    p->xf[i].type == want[i].type &&
			p->xf[i].id == want[i].id &&
			p->xf[i].key_bits == want[i].key_bits &&
			p->xf[i].flags == want[i].flags,
		    "transform %zu: got type %u id %u key %u flags %u, want "
		    "type %u id %u key %u",
		    i, p->xf[i].type, p->xf[i].id, p->xf[i].key_bits,
		    p->xf[i].flags, want[i].type, want[i].id, want[i].key_bits);
	}
}

#define CHECK_PARSE(str_, proto_, ...)                                         \
	do {                                                                   \
		static const struct transform want_[] = {__VA_ARGS__};         \
		struct proposal p_;                                            \
		parse_ok((str_), (proto_), &p_);                               \
		ck_assert_uint_eq(p_.num, 1);                                  \
		ck_assert_uint_eq(p_.proto, (proto_));                         \
		ck_assert_uint_eq(p_.spi_size, 0);                             \
		check_xf(&p_, want_, NELEM(want_));                            \
	} while (0)

/* Parse strings into proposals numbered from 1. */
static size_t
parse_list(const char *const *s, size_t n, uint8_t proto, struct proposal *out)
{
	size_t i;

	for (i = 0; i < n; i++) {
		parse_ok(s[i], proto, &out[i]);
		out[i].num = (uint8_t)(i + 1);
	}
	return n;
}

/* Drop a transform type, as an IKEv1 Quick Mode proposal has no ESN. */
static void
drop_type(struct proposal *p, uint8_t type)
{
	size_t i, j = 0;

	for (i = 0; i < p->n_xf; i++)
		if (p->xf[i].type != type)
			p->xf[j++] = p->xf[i];
	p->n_xf = (uint8_t)j;
}

static void
add_xf(struct proposal *p, uint8_t type, uint16_t id, uint16_t key,
       uint8_t flags)
{
	struct transform *t = &p->xf[p->n_xf++];

	t->type = type;
	t->id = id;
	t->key_bits = key;
	t->flags = flags;
}

/* --- the keyword table ----------------------------------------------- */

static const struct {
	const char *kw;
	uint8_t type;
	uint16_t id;
	uint16_t key;
	const char *canon;
} keywords[] = {
    {"aes128", IKEV2_TRANS_ENCR, IKEV2_ENCR_AES_CBC, 128, "aes128"},
    {"aes", IKEV2_TRANS_ENCR, IKEV2_ENCR_AES_CBC, 128, "aes128"},
    {"aes192", IKEV2_TRANS_ENCR, IKEV2_ENCR_AES_CBC, 192, "aes192"},
    {"aes256", IKEV2_TRANS_ENCR, IKEV2_ENCR_AES_CBC, 256, "aes256"},
    {"aes128gcm16", IKEV2_TRANS_ENCR, IKEV2_ENCR_AES_GCM_16, 128,
     "aes128gcm16"},
    {"aes192gcm16", IKEV2_TRANS_ENCR, IKEV2_ENCR_AES_GCM_16, 192,
     "aes192gcm16"},
    {"aes256gcm16", IKEV2_TRANS_ENCR, IKEV2_ENCR_AES_GCM_16, 256,
     "aes256gcm16"},
    {"aes128gcm128", IKEV2_TRANS_ENCR, IKEV2_ENCR_AES_GCM_16, 128,
     "aes128gcm16"},
    {"aes192gcm128", IKEV2_TRANS_ENCR, IKEV2_ENCR_AES_GCM_16, 192,
     "aes192gcm16"},
    {"aes256gcm128", IKEV2_TRANS_ENCR, IKEV2_ENCR_AES_GCM_16, 256,
     "aes256gcm16"},
    {"aes128gcm12", IKEV2_TRANS_ENCR, IKEV2_ENCR_AES_GCM_12, 128,
     "aes128gcm12"},
    {"aes256gcm96", IKEV2_TRANS_ENCR, IKEV2_ENCR_AES_GCM_12, 256,
     "aes256gcm12"},
    {"aes128gcm8", IKEV2_TRANS_ENCR, IKEV2_ENCR_AES_GCM_8, 128, "aes128gcm8"},
    {"aes192gcm64", IKEV2_TRANS_ENCR, IKEV2_ENCR_AES_GCM_8, 192, "aes192gcm8"},
    {"chacha20poly1305", IKEV2_TRANS_ENCR, IKEV2_ENCR_CHACHA20_POLY1305, 0,
     "chacha20poly1305"},
    {"3des", IKEV2_TRANS_ENCR, IKEV2_ENCR_3DES, 0, "3des"},
    {"sha1", IKEV2_TRANS_INTEG, IKEV2_INTEG_HMAC_SHA1_96, 0, "sha1"},
    {"sha", IKEV2_TRANS_INTEG, IKEV2_INTEG_HMAC_SHA1_96, 0, "sha1"},
    {"sha256", IKEV2_TRANS_INTEG, IKEV2_INTEG_HMAC_SHA2_256_128, 0, "sha256"},
    {"sha2_256", IKEV2_TRANS_INTEG, IKEV2_INTEG_HMAC_SHA2_256_128, 0, "sha256"},
    {"sha384", IKEV2_TRANS_INTEG, IKEV2_INTEG_HMAC_SHA2_384_192, 0, "sha384"},
    {"sha512", IKEV2_TRANS_INTEG, IKEV2_INTEG_HMAC_SHA2_512_256, 0, "sha512"},
    {"md5", IKEV2_TRANS_INTEG, IKEV2_INTEG_HMAC_MD5_96, 0, "md5"},
    {"sha256_96", IKEV2_TRANS_INTEG, ALG_INTEG_HMAC_SHA2_256_96, 0,
     "sha256_96"},
    {"prfsha1", IKEV2_TRANS_PRF, IKEV2_PRF_HMAC_SHA1, 0, "prfsha1"},
    {"prfsha256", IKEV2_TRANS_PRF, IKEV2_PRF_HMAC_SHA2_256, 0, "prfsha256"},
    {"prfsha384", IKEV2_TRANS_PRF, IKEV2_PRF_HMAC_SHA2_384, 0, "prfsha384"},
    {"prfsha512", IKEV2_TRANS_PRF, IKEV2_PRF_HMAC_SHA2_512, 0, "prfsha512"},
    {"prfmd5", IKEV2_TRANS_PRF, IKEV2_PRF_HMAC_MD5, 0, "prfmd5"},
    {"modp1024", IKEV2_TRANS_DH, IKEV2_DH_MODP1024, 0, "modp1024"},
    {"modp1536", IKEV2_TRANS_DH, IKEV2_DH_MODP1536, 0, "modp1536"},
    {"modp2048", IKEV2_TRANS_DH, IKEV2_DH_MODP2048, 0, "modp2048"},
    {"modp3072", IKEV2_TRANS_DH, IKEV2_DH_MODP3072, 0, "modp3072"},
    {"modp4096", IKEV2_TRANS_DH, IKEV2_DH_MODP4096, 0, "modp4096"},
    {"ecp256", IKEV2_TRANS_DH, IKEV2_DH_ECP256, 0, "ecp256"},
    {"ecp384", IKEV2_TRANS_DH, IKEV2_DH_ECP384, 0, "ecp384"},
    {"ecp521", IKEV2_TRANS_DH, IKEV2_DH_ECP521, 0, "ecp521"},
    {"curve25519", IKEV2_TRANS_DH, IKEV2_DH_CURVE25519, 0, "curve25519"},
    {"x25519", IKEV2_TRANS_DH, IKEV2_DH_CURVE25519, 0, "curve25519"},
    {"curve448", IKEV2_TRANS_DH, IKEV2_DH_CURVE448, 0, "curve448"},
    {"x448", IKEV2_TRANS_DH, IKEV2_DH_CURVE448, 0, "curve448"},
    {"noesn", IKEV2_TRANS_ESN, IKEV2_ESN_NO, 0, "noesn"},
    {"esn", IKEV2_TRANS_ESN, IKEV2_ESN_YES, 0, "esn"},
};

/* Each keyword in a proposal where it is valid, and found there. */
START_TEST(parse_every_keyword)
{
	const struct transform *t;
	const struct prop_alg *a;
	struct proposal p;
	char s[128];
	uint8_t proto = IKE;
	size_t i, j;
	bool found;

	for (i = 0; i < NELEM(keywords); i++) {
		const char *kw = keywords[i].kw;

		a = prop_alg_by_keyword(kw);
		ck_assert_msg(a != NULL, "%s not in the table", kw);
		ck_assert_str_eq(a->keyword, keywords[i].canon);
		switch (keywords[i].type) {
		case IKEV2_TRANS_ENCR:
			snprintf(s, sizeof(s), "%s-%s-modp2048", kw,
				 (a->flags & ALG_F_AEAD) ? "prfsha256"
							 : "sha256");
			break;
		case IKEV2_TRANS_INTEG:
			if (!(a->flags & ALG_F_IKE))
				proto = ESP;
			snprintf(s, sizeof(s), "aes128-%s%s", kw,
				 proto == IKE ? "-modp2048" : "");
			break;
		case IKEV2_TRANS_PRF:
			snprintf(s, sizeof(s), "aes128-sha256-%s-ecp256", kw);
			break;
		case IKEV2_TRANS_DH:
			snprintf(s, sizeof(s), "aes128-sha256-%s", kw);
			break;
		default:
			proto = ESP;
			snprintf(s, sizeof(s), "aes128gcm16-%s", kw);
			break;
		}
		parse_ok(s, proto, &p);
		found = false;
		for (j = 0; j < p.n_xf; j++) {
			t = &p.xf[j];
			if (t->type == keywords[i].type &&
			    t->id == keywords[i].id &&
			    t->key_bits == keywords[i].key)
				found = true;
		}
		ck_assert_msg(found, "%s: transform missing from '%s'", kw, s);
		/* The keyword is the transform's name. */
		for (j = 0; j < p.n_xf; j++)
			if (p.xf[j].type == keywords[i].type &&
			    p.xf[j].id == keywords[i].id &&
			    p.xf[j].key_bits == keywords[i].key)
				ck_assert_str_eq(prop_xf_name(&p.xf[j]),
						 keywords[i].canon);
		proto = IKE;
	}
	/* Case does not matter, as in strongSwan. */
	CHECK_PARSE("AES128-Sha256-MODP2048", IKE, E(IKEV2_ENCR_AES_CBC, 128),
		    I(IKEV2_INTEG_HMAC_SHA2_256_128),
		    P(IKEV2_PRF_HMAC_SHA2_256), D(IKEV2_DH_MODP2048));
	ck_assert_ptr_null(prop_alg_by_keyword("aes129"));
	ck_assert_ptr_null(prop_alg_by_keyword(""));
	ck_assert_ptr_null(prop_alg_by_keyword(NULL));
}
END_TEST

START_TEST(parse_exact_transforms)
{
	CHECK_PARSE("aes128gcm16-prfsha256-ecp256", IKE,
		    E(IKEV2_ENCR_AES_GCM_16, 128), P(IKEV2_PRF_HMAC_SHA2_256),
		    D(IKEV2_DH_ECP256));
	/* The PRF follows the integrity algorithm. */
	CHECK_PARSE("aes256-sha384-modp3072", IKE, E(IKEV2_ENCR_AES_CBC, 256),
		    I(IKEV2_INTEG_HMAC_SHA2_384_192),
		    P(IKEV2_PRF_HMAC_SHA2_384), D(IKEV2_DH_MODP3072));
	CHECK_PARSE("aes128-sha1-modp2048", IKE, E(IKEV2_ENCR_AES_CBC, 128),
		    I(IKEV2_INTEG_HMAC_SHA1_96), P(IKEV2_PRF_HMAC_SHA1),
		    D(IKEV2_DH_MODP2048));
	/* ESP: no integrity beside AEAD, noesn by default, DH = PFS. */
	CHECK_PARSE("aes128gcm16", ESP, E(IKEV2_ENCR_AES_GCM_16, 128),
		    N(IKEV2_ESN_NO));
	CHECK_PARSE("aes128gcm16-ecp256", ESP, E(IKEV2_ENCR_AES_GCM_16, 128),
		    D(IKEV2_DH_ECP256), N(IKEV2_ESN_NO));
	CHECK_PARSE("aes256-sha256", ESP, E(IKEV2_ENCR_AES_CBC, 256),
		    I(IKEV2_INTEG_HMAC_SHA2_256_128), N(IKEV2_ESN_NO));
	CHECK_PARSE("aes128gcm16-esn", ESP, E(IKEV2_ENCR_AES_GCM_16, 128),
		    N(IKEV2_ESN_YES));
	CHECK_PARSE("aes128gcm16-esn-noesn", ESP, E(IKEV2_ENCR_AES_GCM_16, 128),
		    N(IKEV2_ESN_YES), N(IKEV2_ESN_NO));
	CHECK_PARSE("aes256-sha256_96", ESP, E(IKEV2_ENCR_AES_CBC, 256),
		    I(ALG_INTEG_HMAC_SHA2_256_96), N(IKEV2_ESN_NO));
	CHECK_PARSE("chacha20poly1305-prfsha256-curve25519", IKE,
		    E(IKEV2_ENCR_CHACHA20_POLY1305, 0),
		    P(IKEV2_PRF_HMAC_SHA2_256), D(IKEV2_DH_CURVE25519));
}
END_TEST

START_TEST(parse_multiple_per_type)
{
	CHECK_PARSE("aes128-aes256-sha256-modp2048-ecp256", IKE,
		    E(IKEV2_ENCR_AES_CBC, 128), E(IKEV2_ENCR_AES_CBC, 256),
		    I(IKEV2_INTEG_HMAC_SHA2_256_128),
		    P(IKEV2_PRF_HMAC_SHA2_256), D(IKEV2_DH_MODP2048),
		    D(IKEV2_DH_ECP256));
	/* One PRF per integrity algorithm, in their order. */
	CHECK_PARSE("aes128-sha256-sha1-sha256-modp2048", IKE,
		    E(IKEV2_ENCR_AES_CBC, 128),
		    I(IKEV2_INTEG_HMAC_SHA2_256_128),
		    I(IKEV2_INTEG_HMAC_SHA1_96), P(IKEV2_PRF_HMAC_SHA2_256),
		    P(IKEV2_PRF_HMAC_SHA1), D(IKEV2_DH_MODP2048));
	/* An explicit PRF replaces the derived ones. */
	CHECK_PARSE("aes128-sha256-prfsha384-ecp256", IKE,
		    E(IKEV2_ENCR_AES_CBC, 128),
		    I(IKEV2_INTEG_HMAC_SHA2_256_128),
		    P(IKEV2_PRF_HMAC_SHA2_384), D(IKEV2_DH_ECP256));
	/* Types may come in any order; duplicates are dropped. */
	CHECK_PARSE("ecp384-prfsha384-aes256gcm16-aes128gcm16-aes256gcm16-"
		    "prfsha256-modp3072",
		    IKE, E(IKEV2_ENCR_AES_GCM_16, 256),
		    E(IKEV2_ENCR_AES_GCM_16, 128), P(IKEV2_PRF_HMAC_SHA2_384),
		    P(IKEV2_PRF_HMAC_SHA2_256), D(IKEV2_DH_ECP384),
		    D(IKEV2_DH_MODP3072));
}
END_TEST

START_TEST(parse_errors)
{
	struct proposal p;
	char err[256];
	char tiny[8];

	ck_assert_int_eq(
	    prop_parse("aes129-sha256-modp2048", IKE, &p, err, sizeof(err)),
	    -1);
	ck_assert_str_eq(err, "unknown algorithm keyword 'aes129' in "
			      "proposal 'aes129-sha256-modp2048'");
	parse_err("", IKE, "empty proposal");
	ck_assert_int_eq(prop_parse(NULL, ESP, &p, err, sizeof(err)), -1);
	parse_err("aes128gcm16-ecp256", IKE,
		  "IKE proposal 'aes128gcm16-ecp256' with AEAD cipher "
		  "'aes128gcm16' needs an explicit PRF");
	parse_err("aes128-sha256", IKE, "has no DH group");
	parse_err("aes128gcm16-prfsha256", IKE, "has no DH group");
	parse_err(
	    "aes128gcm16-aes128-sha256-prfsha256-ecp256", IKE,
	    "mixes AEAD cipher 'aes128gcm16' and non-AEAD cipher 'aes128'");
	parse_err("aes128-aes256gcm16", ESP, "mixes AEAD");
	parse_err("aes128", ESP, "ESP proposal 'aes128' has no integrity");
	parse_err("aes128-ecp256", ESP, "has no integrity");
	parse_err("aes128-prfsha256-ecp256", IKE, "has no integrity");
	parse_err("aes128gcm16-sha256", ESP,
		  "integrity algorithm 'sha256' cannot be used with AEAD");
	parse_err("sha256-modp2048", IKE, "has no encryption algorithm");
	parse_err("noesn", ESP, "has no encryption algorithm");
	parse_err("aes128-sha256-modp2048-", IKE, "empty algorithm keyword");
	parse_err("-aes128-sha256-modp2048", IKE, "empty algorithm keyword");
	parse_err("aes128--sha256-modp2048", IKE, "empty algorithm keyword");
	parse_err("-", ESP, "empty algorithm keyword");
	parse_err("aes128-sha256-prfsha256", ESP,
		  "'prfsha256' is only valid in IKE proposals");
	parse_err("aes128-sha256-modp2048-esn", IKE,
		  "'esn' is only valid in ESP proposals");
	parse_err("aes128-sha256_96-modp2048", IKE,
		  "'sha256_96' is only valid in ESP proposals");
	parse_err("aes128 -sha256-modp2048", IKE,
		  "unknown algorithm keyword 'aes128 '");
	parse_err("aes128gcm16", IKEV2_PROTO_AH, "AH proposals are not");
	/* No room for a message, or none wanted: still just -1. */
	ck_assert_int_eq(prop_parse("bogus", IKE, &p, NULL, 0), -1);
	ck_assert_int_eq(prop_parse("bogus", IKE, &p, tiny, sizeof(tiny)), -1);
	ck_assert_uint_eq(strlen(tiny), sizeof(tiny) - 1);
}
END_TEST

/* --- printing ---------------------------------------------------------- */

static const char *const roundtrip_ike[] = {
    "aes128gcm16-prfsha256-ecp256",
    "aes256-sha384-modp3072",
    "aes128-aes256-sha256-modp2048-ecp256",
    "aes128-sha256-prfsha384-ecp256",
    "aes128-sha256-sha1-prfsha1-prfsha256-ecp256",
    "aes128gcm128-aes256gcm64-chacha20poly1305-prfsha512-x25519-x448",
    "3des-md5-modp1024-modp1536",
    "aes192-aes128-sha512-sha384-ecp521-modp4096",
};

static const char *const roundtrip_esp[] = {
    "aes128gcm16",
    "aes128gcm16-ecp256",
    "aes256-sha256",
    "aes128-sha1-esn",
    "aes128-sha1-noesn-esn",
    "aes256-sha256_96-modp2048",
    "aes192gcm12-aes256gcm8-chacha20poly1305",
};

static void
roundtrip(const char *s, uint8_t proto)
{
	struct proposal a, b;
	char out[256], err[256];

	parse_ok(s, proto, &a);
	ck_assert_int_eq(prop_format(&a, out, sizeof(out)), 0);
	ck_assert_msg(prop_parse(out, proto, &b, err, sizeof(err)) == 0,
		      "'%s' printed as '%s', which fails: %s", s, out, err);
	ck_assert_msg(prop_equal(&a, &b), "'%s' printed as '%s' differs", s,
		      out);
}

START_TEST(format_roundtrips)
{
	size_t i;

	for (i = 0; i < NELEM(roundtrip_ike); i++)
		roundtrip(roundtrip_ike[i], IKE);
	for (i = 0; i < NELEM(roundtrip_esp); i++)
		roundtrip(roundtrip_esp[i], ESP);
}
END_TEST

static void
format_is(const char *s, uint8_t proto, const char *want)
{
	struct proposal p;
	char out[256];

	parse_ok(s, proto, &p);
	ck_assert_int_eq(prop_format(&p, out, sizeof(out)), 0);
	ck_assert_str_eq(out, want);
}

START_TEST(format_canonical)
{
	format_is("aes256-sha384-modp3072", IKE, "aes256-sha384-modp3072");
	format_is("modp3072-sha384-aes256-prfsha384", IKE,
		  "aes256-sha384-modp3072");
	format_is("aes128-sha256-prfsha384-ecp256", IKE,
		  "aes128-sha256-prfsha384-ecp256");
	format_is("aes128gcm128-prfsha256-x25519", IKE,
		  "aes128gcm16-prfsha256-curve25519");
	format_is("aes128gcm16", ESP, "aes128gcm16");
	format_is("aes128gcm16-noesn", ESP, "aes128gcm16");
	format_is("aes128gcm16-esn", ESP, "aes128gcm16-esn");
	format_is("noesn-esn-aes-sha", ESP, "aes128-sha1-noesn-esn");
	format_is("ecp256-aes128gcm16", ESP, "aes128gcm16-ecp256");
	format_is("sha-aes-modp2048", IKE, "aes128-sha1-modp2048");
}
END_TEST

START_TEST(format_unknown_and_wire_forms)
{
	struct proposal p;
	char out[256];

	memset(&p, 0, sizeof(p));
	p.num = 1;
	p.proto = IKE;
	add_xf(&p, IKEV2_TRANS_ENCR, 1234, 256, 0);
	add_xf(&p, IKEV2_TRANS_ENCR, IKEV2_ENCR_AES_CBC, 64, 0);
	add_xf(&p, IKEV2_TRANS_ENCR, IKEV2_ENCR_AES_CBC, 128, XF_UNKNOWN_ATTR);
	add_xf(&p, IKEV2_TRANS_INTEG, 77, 0, 0);
	add_xf(&p, IKEV2_TRANS_INTEG, IKEV2_INTEG_NONE, 0, 0);
	add_xf(&p, IKEV2_TRANS_DH, IKEV2_DH_NONE, 0, 0);
	add_xf(&p, 7, 3, 0, 0);
	ck_assert_int_eq(prop_format(&p, out, sizeof(out)), 0);
	ck_assert_str_eq(
	    out,
	    "ENCR_UNKNOWN_1234_KEY256-ENCR_UNKNOWN_12_KEY64-"
	    "aes128(unknown attribute)-INTEG_UNKNOWN_77-INTEG_NONE-DH_NONE-"
	    "TYPE7_UNKNOWN_3");

	/* What a peer sends: INTEG NONE beside AEAD and a PRF list that
	 * follows the integrity algorithm add nothing for a reader. */
	memset(&p, 0, sizeof(p));
	p.proto = IKE;
	add_xf(&p, IKEV2_TRANS_ENCR, IKEV2_ENCR_AES_GCM_16, 256, 0);
	add_xf(&p, IKEV2_TRANS_INTEG, IKEV2_INTEG_NONE, 0, 0);
	add_xf(&p, IKEV2_TRANS_PRF, IKEV2_PRF_HMAC_SHA2_384, 0, 0);
	add_xf(&p, IKEV2_TRANS_DH, IKEV2_DH_ECP384, 0, 0);
	ck_assert_int_eq(prop_format(&p, out, sizeof(out)), 0);
	ck_assert_str_eq(out, "aes256gcm16-prfsha384-ecp384");

	/* ESP: a lone DH NONE is no PFS, printed like none at all; beside a
	 * group it is printed. A missing ESN type prints like noesn. */
	memset(&p, 0, sizeof(p));
	p.proto = ESP;
	add_xf(&p, IKEV2_TRANS_ENCR, IKEV2_ENCR_AES_CBC, 128, 0);
	add_xf(&p, IKEV2_TRANS_INTEG, IKEV2_INTEG_HMAC_SHA1_96, 0, 0);
	add_xf(&p, IKEV2_TRANS_DH, IKEV2_DH_NONE, 0, 0);
	ck_assert_int_eq(prop_format(&p, out, sizeof(out)), 0);
	ck_assert_str_eq(out, "aes128-sha1");
	add_xf(&p, IKEV2_TRANS_DH, IKEV2_DH_ECP256, 0, 0);
	ck_assert_int_eq(prop_format(&p, out, sizeof(out)), 0);
	ck_assert_str_eq(out, "aes128-sha1-DH_NONE-ecp256");

	memset(&p, 0, sizeof(p));
	ck_assert_int_eq(prop_format(&p, out, sizeof(out)), 0);
	ck_assert_str_eq(out, "(no transforms)");
}
END_TEST

START_TEST(format_truncates_visibly)
{
	struct proposal p[2];
	char out[16], list[128];

	parse_ok("aes128-aes256-sha256-modp2048-ecp256", IKE, &p[0]);
	ck_assert_int_eq(prop_format(&p[0], out, sizeof(out)), -1);
	ck_assert_str_eq(out, "aes128-aes25...");
	ck_assert_int_eq(prop_format(&p[0], NULL, 0), -1);
	parse_ok("aes128gcm16-prfsha256-ecp256", IKE, &p[1]);
	ck_assert_int_eq(prop_format_list(p, 2, list, sizeof(list)), 0);
	ck_assert_str_eq(list, "aes128-aes256-sha256-modp2048-ecp256, "
			       "aes128gcm16-prfsha256-ecp256");
	ck_assert_int_eq(prop_format_list(p, 0, list, sizeof(list)), 0);
	ck_assert_str_eq(list, "nothing");
	/* Exactly fitting is not truncation. */
	ck_assert_int_eq(prop_format(&p[1], out, 13), -1);
	{
		char fit[29];

		ck_assert_int_eq(prop_format(&p[1], fit, sizeof(fit)), 0);
		ck_assert_str_eq(fit, "aes128gcm16-prfsha256-ecp256");
	}
}
END_TEST

/* --- weak algorithms, defaults, lookups --------------------------------- */

START_TEST(weak_detection)
{
	struct proposal p;
	char names[128];

	parse_ok("3des-md5-modp1024", IKE, &p);
	ck_assert(prop_is_weak(&p));
	ck_assert_int_eq(prop_weak_names(&p, names, sizeof(names)), 4);
	ck_assert_str_eq(names, "3des, md5, prfmd5, modp1024");

	parse_ok("aes256-sha1-modp1024", IKE, &p);
	ck_assert(prop_is_weak(&p));
	ck_assert_int_eq(prop_weak_names(&p, names, sizeof(names)), 1);
	ck_assert_str_eq(names, "modp1024");

	parse_ok("aes256-sha1-modp1536", IKE, &p);
	ck_assert_int_eq(prop_weak_names(&p, names, sizeof(names)), 1);
	ck_assert_str_eq(names, "modp1536");

	parse_ok("3des-sha1", ESP, &p);
	ck_assert_int_eq(prop_weak_names(&p, names, sizeof(names)), 1);
	ck_assert_str_eq(names, "3des");

	parse_ok("aes128-md5", ESP, &p);
	ck_assert_int_eq(prop_weak_names(&p, names, sizeof(names)), 1);
	ck_assert_str_eq(names, "md5");

	/* SHA-1 HMAC is what every L2TP client uses and is not weak. */
	parse_ok("aes128-sha1-modp2048", IKE, &p);
	ck_assert(!prop_is_weak(&p));
	ck_assert_int_eq(prop_weak_names(&p, names, sizeof(names)), 0);
	ck_assert_str_eq(names, "");
	parse_ok("aes256-sha256_96", ESP, &p);
	ck_assert(!prop_is_weak(&p));
}
END_TEST

START_TEST(defaults)
{
	struct proposal p[IKE_MAX_PROPOSALS];
	char s[512];
	int n, i;

	n = prop_default(IKE, p, NELEM(p));
	ck_assert_int_eq(n, 2);
	for (i = 0; i < n; i++) {
		ck_assert_uint_eq(p[i].num, i + 1);
		ck_assert_uint_eq(p[i].proto, IKE);
		ck_assert(!prop_is_weak(&p[i]));
		ck_assert_ptr_nonnull(prop_xf_first(&p[i], IKEV2_TRANS_DH));
		ck_assert_ptr_nonnull(prop_xf_first(&p[i], IKEV2_TRANS_PRF));
	}
	ck_assert_uint_eq(prop_xf_first(&p[0], IKEV2_TRANS_ENCR)->id,
			  IKEV2_ENCR_AES_GCM_16);
	ck_assert_uint_eq(prop_xf_first(&p[1], IKEV2_TRANS_ENCR)->id,
			  IKEV2_ENCR_AES_CBC);
	ck_assert_int_eq(prop_format_list(p, (size_t)n, s, sizeof(s)), 0);

	n = prop_default(ESP, p, NELEM(p));
	ck_assert_int_eq(n, 2);
	for (i = 0; i < n; i++) {
		ck_assert_uint_eq(p[i].proto, ESP);
		ck_assert(!prop_is_weak(&p[i]));
		ck_assert_ptr_null(prop_xf_first(&p[i], IKEV2_TRANS_DH));
		ck_assert_uint_eq(prop_xf_first(&p[i], IKEV2_TRANS_ESN)->id,
				  IKEV2_ESN_NO);
	}
	ck_assert_int_eq(prop_format_list(p, (size_t)n, s, sizeof(s)), 0);
	ck_assert_str_eq(s, "aes128gcm16-aes256gcm16-chacha20poly1305, "
			    "aes128-aes256-sha256-sha384-sha512");

	ck_assert_int_eq(prop_default(IKE, p, 1), -1);
	ck_assert_int_eq(prop_default(IKEV2_PROTO_AH, p, NELEM(p)), -1);
}
END_TEST

START_TEST(lookups_and_ikev1_ids)
{
	static const struct transform aes256 = E(IKEV2_ENCR_AES_CBC, 256);
	static const struct transform gcm = E(IKEV2_ENCR_AES_GCM_16, 128);
	static const struct transform chacha =
	    E(IKEV2_ENCR_CHACHA20_POLY1305, 0);
	static const struct transform des3 = E(IKEV2_ENCR_3DES, 0);
	static const struct transform sha1 = I(IKEV2_INTEG_HMAC_SHA1_96);
	static const struct transform sha256 = I(IKEV2_INTEG_HMAC_SHA2_256_128);
	static const struct transform sha256_96 = I(ALG_INTEG_HMAC_SHA2_256_96);
	static const struct transform prf256 = P(IKEV2_PRF_HMAC_SHA2_256);
	static const struct transform m1024 = D(IKEV2_DH_MODP1024);
	static const struct transform e384 = D(IKEV2_DH_ECP384);
	static const struct transform c25519 = D(IKEV2_DH_CURVE25519);
	static const struct transform aes_nokey = E(IKEV2_ENCR_AES_CBC, 0);
	const struct prop_alg *a;
	struct transform t;

	ck_assert_str_eq(prop_xf_name(&aes256), "aes256");
	ck_assert_ptr_null(prop_xf_name(&aes_nokey));
	ck_assert_uint_eq(prop_v1_id(&aes256, IKE), 7);  /* AES-CBC */
	ck_assert_uint_eq(prop_v1_id(&aes256, ESP), 12); /* ESP_AES */
	ck_assert_uint_eq(prop_v1_id(&des3, IKE), 5);
	ck_assert_uint_eq(prop_v1_id(&des3, ESP), 3);
	ck_assert_uint_eq(prop_v1_id(&gcm, IKE), 0);
	ck_assert_uint_eq(prop_v1_id(&gcm, ESP), 20);
	ck_assert_uint_eq(prop_v1_id(&chacha, ESP), 0);
	ck_assert_uint_eq(prop_v1_id(&sha1, IKE), 2);
	ck_assert_uint_eq(prop_v1_id(&sha1, ESP), 2);
	ck_assert_uint_eq(prop_v1_id(&sha256, IKE), 4);
	ck_assert_uint_eq(prop_v1_id(&sha256, ESP), 5);
	ck_assert_uint_eq(prop_v1_id(&sha256_96, ESP), 5);
	ck_assert_uint_eq(prop_v1_id(&prf256, IKE), 4);
	ck_assert_uint_eq(prop_v1_id(&m1024, IKE), 2);
	ck_assert_uint_eq(prop_v1_id(&e384, ESP), 20);
	ck_assert_uint_eq(prop_v1_id(&c25519, IKE), 0);
	ck_assert_uint_eq(prop_v1_id(&aes_nokey, IKE), 0);

	ck_assert_int_eq(prop_from_v1(IKEV2_TRANS_ENCR, IKE, 7, 256, &t), 0);
	ck_assert_str_eq(prop_xf_name(&t), "aes256");
	ck_assert_int_eq(prop_from_v1(IKEV2_TRANS_ENCR, ESP, 12, 128, &t), 0);
	ck_assert_str_eq(prop_xf_name(&t), "aes128");
	/* HMAC-SHA2-256 from the wire is the standard one: sha256_96 is a
	 * per-connection choice, never a guess. */
	ck_assert_int_eq(prop_from_v1(IKEV2_TRANS_INTEG, ESP, 5, 0, &t), 0);
	ck_assert_str_eq(prop_xf_name(&t), "sha256");
	ck_assert_int_eq(prop_from_v1(IKEV2_TRANS_PRF, IKE, 4, 0, &t), 0);
	ck_assert_str_eq(prop_xf_name(&t), "prfsha256");
	ck_assert_int_eq(prop_from_v1(IKEV2_TRANS_DH, IKE, 2, 0, &t), 0);
	ck_assert_str_eq(prop_xf_name(&t), "modp1024");
	ck_assert_int_eq(prop_from_v1(IKEV2_TRANS_PRF, ESP, 4, 0, &t), -1);
	ck_assert_int_eq(prop_from_v1(IKEV2_TRANS_ENCR, IKE, 7, 64, &t), -1);
	ck_assert_int_eq(prop_from_v1(IKEV2_TRANS_ENCR, IKE, 99, 0, &t), -1);

	a = prop_alg_find(&sha256_96);
	ck_assert_ptr_nonnull(a);
	/* strongSwan's private-use id for it (AUTH_HMAC_SHA2_256_96), so
	 * that IKEv2 peers configured alike agree on the wire. */
	ck_assert_uint_eq(prop_alg_by_keyword("sha256_96")->id, 1026);
	ck_assert(a->flags & ALG_F_PRIVATE);
	ck_assert(a->flags & ALG_F_ESP);
	ck_assert(!(a->flags & ALG_F_IKE));
	ck_assert_uint_eq(a->icv_bits, 96);
	ck_assert_uint_eq(prop_alg_find(&gcm)->icv_bits, 128);
	ck_assert(prop_alg_find(&chacha)->flags & ALG_F_AEAD);
}
END_TEST

/* --- selection --------------------------------------------------------- */

START_TEST(select_match_echoes_peer)
{
	static const uint8_t spi[4] = {0xc0, 0xff, 0xee, 0x01};
	struct proposal ours, theirs, chosen, want;
	char reason[256];

	parse_ok("aes128gcm16-prfsha256-ecp256", IKE, &ours);
	parse_ok("aes128gcm16-prfsha256-ecp256", IKE, &theirs);
	theirs.num = 7;
	ck_assert_int_eq(
	    prop_select(&ours, 1, &theirs, 1, &chosen, reason, sizeof(reason)),
	    0);
	ck_assert_str_eq(reason, "");
	want = theirs;
	ck_assert(prop_equal(&chosen, &want));
	ck_assert_uint_eq(chosen.num, 7);

	/* ESP: the peer's SPI travels with the chosen proposal. */
	parse_ok("aes256-sha256", ESP, &ours);
	parse_ok("aes128-aes256-sha1-sha256", ESP, &theirs);
	theirs.num = 3;
	theirs.spi_size = 4;
	memcpy(theirs.spi, spi, 4);
	ck_assert_int_eq(prop_select(&ours, 1, &theirs, 1, &chosen, NULL, 0),
			 0);
	ck_assert_uint_eq(chosen.num, 3);
	ck_assert_uint_eq(chosen.spi_size, 4);
	ck_assert_mem_eq(chosen.spi, spi, 4);
	{
		static const struct transform w[] = {
		    E(IKEV2_ENCR_AES_CBC, 256),
		    I(IKEV2_INTEG_HMAC_SHA2_256_128), N(IKEV2_ESN_NO)};

		check_xf(&chosen, w, NELEM(w));
	}
}
END_TEST

START_TEST(select_our_order_wins)
{
	static const char *const ours_s[] = {
	    "aes256gcm16-aes128gcm16-prfsha384-prfsha256-ecp384-ecp256",
	    "aes256-sha256-modp3072",
	};
	static const char *const theirs_s[] = {
	    "aes256-sha256-modp3072",
	    "aes128gcm16-aes256gcm16-prfsha256-prfsha384-ecp256-ecp384",
	};
	static const struct transform w[] = {E(IKEV2_ENCR_AES_GCM_16, 256),
					     P(IKEV2_PRF_HMAC_SHA2_384),
					     D(IKEV2_DH_ECP384)};
	struct proposal ours[2], theirs[2], chosen;

	parse_list(ours_s, 2, IKE, ours);
	parse_list(theirs_s, 2, IKE, theirs);
	ck_assert_int_eq(prop_select(ours, 2, theirs, 2, &chosen, NULL, 0), 0);
	ck_assert_uint_eq(chosen.num, 2);
	check_xf(&chosen, w, NELEM(w));

	/* Offering only our CBC proposal matches the peer's number 1. */
	ck_assert_int_eq(prop_select(&ours[1], 1, theirs, 2, &chosen, NULL, 0),
			 0);
	ck_assert_uint_eq(chosen.num, 1);
}
END_TEST

START_TEST(select_key_size_must_match)
{
	struct proposal ours, theirs, chosen;
	char reason[256];

	parse_ok("aes128-sha256-modp2048", IKE, &ours);
	parse_ok("aes256-sha256-modp2048", IKE, &theirs);
	ck_assert_int_eq(
	    prop_select(&ours, 1, &theirs, 1, &chosen, reason, sizeof(reason)),
	    -1);
	ck_assert_str_eq(reason, "no proposal chosen: peer offered "
				 "aes256-sha256-modp2048; we accept "
				 "aes128-sha256-modp2048");
	parse_ok("aes128gcm16", ESP, &ours);
	parse_ok("aes256gcm16", ESP, &theirs);
	ck_assert_int_eq(prop_select(&ours, 1, &theirs, 1, &chosen, NULL, 0),
			 -1);
	/* Same id and size, different ICV: a different transform. */
	parse_ok("aes128gcm8", ESP, &theirs);
	ck_assert_int_eq(prop_select(&ours, 1, &theirs, 1, &chosen, NULL, 0),
			 -1);
}
END_TEST

START_TEST(select_aead_integ_none)
{
	static const struct transform w[] = {
	    E(IKEV2_ENCR_AES_GCM_16, 128), I(IKEV2_INTEG_NONE),
	    P(IKEV2_PRF_HMAC_SHA2_256), D(IKEV2_DH_ECP256)};
	struct proposal ours, theirs, chosen;

	parse_ok("aes128gcm16-prfsha256-ecp256", IKE, &ours);
	memset(&theirs, 0, sizeof(theirs));
	theirs.num = 1;
	theirs.proto = IKE;
	add_xf(&theirs, IKEV2_TRANS_ENCR, IKEV2_ENCR_AES_GCM_16, 128, 0);
	add_xf(&theirs, IKEV2_TRANS_INTEG, IKEV2_INTEG_NONE, 0, 0);
	add_xf(&theirs, IKEV2_TRANS_PRF, IKEV2_PRF_HMAC_SHA2_256, 0, 0);
	add_xf(&theirs, IKEV2_TRANS_DH, IKEV2_DH_ECP256, 0, 0);
	ck_assert_int_eq(prop_select(&ours, 1, &theirs, 1, &chosen, NULL, 0),
			 0);
	check_xf(&chosen, w, NELEM(w)); /* NONE echoed: the peer sent it */

	/* A real integrity algorithm beside GCM is not acceptable. */
	theirs.xf[1].id = IKEV2_INTEG_HMAC_SHA2_256_128;
	ck_assert_int_eq(prop_select(&ours, 1, &theirs, 1, &chosen, NULL, 0),
			 -1);

	/* A peer mixing GCM and CBC in one proposal, with NONE among its
	 * integrity algorithms: GCM with NONE, or CBC with SHA-256. */
	add_xf(&theirs, IKEV2_TRANS_ENCR, IKEV2_ENCR_AES_CBC, 128, 0);
	add_xf(&theirs, IKEV2_TRANS_INTEG, IKEV2_INTEG_NONE, 0, 0);
	ck_assert_int_eq(prop_select(&ours, 1, &theirs, 1, &chosen, NULL, 0),
			 0);
	check_xf(&chosen, w, NELEM(w));
	parse_ok("aes128-sha256-prfsha256-ecp256", IKE, &ours);
	ck_assert_int_eq(prop_select(&ours, 1, &theirs, 1, &chosen, NULL, 0),
			 0);
	ck_assert_uint_eq(prop_xf_first(&chosen, IKEV2_TRANS_INTEG)->id,
			  IKEV2_INTEG_HMAC_SHA2_256_128);
	ck_assert_uint_eq(chosen.n_xf, 4);
}
END_TEST

START_TEST(select_esp_pfs)
{
	struct proposal ours, theirs, chosen;
	uint16_t want;

	/* We require PFS; the peer offers none. */
	parse_ok("aes128gcm16-ecp256", ESP, &ours);
	parse_ok("aes128gcm16", ESP, &theirs);
	ck_assert_int_eq(prop_select(&ours, 1, &theirs, 1, &chosen, NULL, 0),
			 -1);
	parse_ok("aes128gcm16-modp3072-ecp256", ESP, &theirs);
	ck_assert_int_eq(prop_select(&ours, 1, &theirs, 1, &chosen, NULL, 0),
			 0);
	ck_assert_uint_eq(prop_xf_first(&chosen, IKEV2_TRANS_DH)->id,
			  IKEV2_DH_ECP256);

	/* We do not do PFS; the peer insists. */
	parse_ok("aes128gcm16", ESP, &ours);
	parse_ok("aes128gcm16-ecp256", ESP, &theirs);
	ck_assert_int_eq(prop_select(&ours, 1, &theirs, 1, &chosen, NULL, 0),
			 -1);
	/* The peer makes PFS optional with DH NONE: NONE is echoed. */
	theirs.xf[theirs.n_xf - 1].type = IKEV2_TRANS_DH;
	theirs.xf[theirs.n_xf - 1].id = IKEV2_DH_NONE;
	add_xf(&theirs, IKEV2_TRANS_ESN, IKEV2_ESN_NO, 0, 0);
	ck_assert_int_eq(prop_select(&ours, 1, &theirs, 1, &chosen, NULL, 0),
			 0);
	{
		static const struct transform w[] = {
		    E(IKEV2_ENCR_AES_GCM_16, 128), D(IKEV2_DH_NONE),
		    N(IKEV2_ESN_NO)};

		check_xf(&chosen, w, NELEM(w));
	}
	/* With a KE payload nobody needs, no group is asked for. */
	ck_assert_int_eq(prop_select_ke(&ours, 1, &theirs, 1, IKEV2_DH_ECP256,
					&chosen, &want, NULL, 0),
			 0);
	ck_assert_uint_eq(want, 0);

	/* Both without PFS. */
	parse_ok("aes128gcm16", ESP, &theirs);
	ck_assert_int_eq(prop_select(&ours, 1, &theirs, 1, &chosen, NULL, 0),
			 0);
	ck_assert_ptr_null(prop_xf_first(&chosen, IKEV2_TRANS_DH));
}
END_TEST

START_TEST(select_esn)
{
	struct proposal ours, theirs, chosen;

	/* A peer without an ESN transform (IKEv1 Quick Mode) means none;
	 * the answer must not contain a type the peer did not send. */
	parse_ok("aes128-sha1", ESP, &ours);
	parse_ok("aes128-sha1", ESP, &theirs);
	drop_type(&theirs, IKEV2_TRANS_ESN);
	ck_assert_int_eq(prop_select(&ours, 1, &theirs, 1, &chosen, NULL, 0),
			 0);
	ck_assert_uint_eq(chosen.n_xf, 2);
	ck_assert_ptr_null(prop_xf_first(&chosen, IKEV2_TRANS_ESN));

	parse_ok("aes128-sha1-esn", ESP, &theirs);
	ck_assert_int_eq(prop_select(&ours, 1, &theirs, 1, &chosen, NULL, 0),
			 -1);
	parse_ok("aes128-sha1-esn-noesn", ESP, &ours);
	ck_assert_int_eq(prop_select(&ours, 1, &theirs, 1, &chosen, NULL, 0),
			 0);
	ck_assert_uint_eq(prop_xf_first(&chosen, IKEV2_TRANS_ESN)->id,
			  IKEV2_ESN_YES);
	/* We want ESN only; a peer without the type cannot give it. */
	parse_ok("aes128-sha1-esn", ESP, &ours);
	drop_type(&theirs, IKEV2_TRANS_ESN);
	ck_assert_int_eq(prop_select(&ours, 1, &theirs, 1, &chosen, NULL, 0),
			 -1);
}
END_TEST

START_TEST(select_unknown_never_matches)
{
	struct proposal ours, theirs[2], chosen;

	parse_ok("aes128gcm16-aes256gcm16", ESP, &ours);
	parse_ok("aes128gcm16", ESP, &theirs[0]);
	theirs[0].xf[0].flags = XF_UNKNOWN_ATTR;
	ck_assert_int_eq(prop_select(&ours, 1, theirs, 1, &chosen, NULL, 0),
			 -1);
	/* The same algorithm without the attribute, later on, is fine. */
	add_xf(&theirs[0], IKEV2_TRANS_ENCR, IKEV2_ENCR_AES_GCM_16, 256, 0);
	ck_assert_int_eq(prop_select(&ours, 1, theirs, 1, &chosen, NULL, 0), 0);
	ck_assert_uint_eq(prop_xf_first(&chosen, IKEV2_TRANS_ENCR)->key_bits,
			  256);
	ck_assert_uint_eq(chosen.xf[0].flags, 0);

	/* A transform type we do not know makes the proposal unacceptable
	 * (RFC 7296 3.3.6), and the next proposal is tried. */
	parse_ok("aes128gcm16", ESP, &theirs[0]);
	add_xf(&theirs[0], 6, 0, 0, 0);
	parse_ok("aes256gcm16", ESP, &theirs[1]);
	theirs[1].num = 2;
	ck_assert_int_eq(prop_select(&ours, 1, theirs, 2, &chosen, NULL, 0), 0);
	ck_assert_uint_eq(chosen.num, 2);

	/* The wrong protocol never matches. */
	parse_ok("aes128gcm16-prfsha256-ecp256", IKE, &theirs[0]);
	ck_assert_int_eq(prop_select(&ours, 1, theirs, 1, &chosen, NULL, 0),
			 -1);

	/* DH NONE is never acceptable for an IKE SA. */
	parse_ok("aes128gcm16-prfsha256-ecp256", IKE, &ours);
	theirs[0].xf[2].id = IKEV2_DH_NONE;
	ck_assert_int_eq(prop_select(&ours, 1, theirs, 1, &chosen, NULL, 0),
			 -1);
}
END_TEST

START_TEST(select_reason_text)
{
	static const char *const ours_s[] = {
	    "aes128gcm16-prfsha256-ecp256",
	    "aes256-sha256-modp3072",
	};
	static const char *const theirs_s[] = {
	    "aes256-sha1-modp1024",
	    "3des-sha1-modp1024",
	};
	struct proposal ours[2], theirs[2], chosen;
	char reason[256], small[40];

	parse_list(ours_s, 2, IKE, ours);
	parse_list(theirs_s, 2, IKE, theirs);
	ck_assert_int_eq(
	    prop_select(ours, 2, theirs, 2, &chosen, reason, sizeof(reason)),
	    -1);
	ck_assert_str_eq(
	    reason,
	    "no proposal chosen: peer offered aes256-sha1-modp1024, "
	    "3des-sha1-modp1024; we accept aes128gcm16-prfsha256-ecp256, "
	    "aes256-sha256-modp3072");

	ck_assert_int_eq(
	    prop_select(ours, 2, theirs, 2, &chosen, small, sizeof(small)), -1);
	ck_assert_uint_eq(strlen(small), sizeof(small) - 1);
	ck_assert_str_eq(small, "no proposal chosen: peer offered aes...");

	ck_assert_int_eq(
	    prop_select(ours, 2, theirs, 0, &chosen, reason, sizeof(reason)),
	    -1);
	ck_assert_str_eq(reason, "no proposal chosen: peer offered nothing; "
				 "we accept aes128gcm16-prfsha256-ecp256, "
				 "aes256-sha256-modp3072");
}
END_TEST

START_TEST(select_ke_group)
{
	struct proposal ours, theirs, chosen;
	char reason[256];
	uint16_t want = 99;

	/* The peer guessed modp2048, which we do not accept: the proposal
	 * matches except for the group, and we ask for ecp256. */
	parse_ok("aes128gcm16-prfsha256-ecp256", IKE, &ours);
	parse_ok("aes128gcm16-prfsha256-modp2048-ecp256", IKE, &theirs);
	ck_assert_int_eq(prop_select_ke(&ours, 1, &theirs, 1, IKEV2_DH_MODP2048,
					&chosen, &want, reason, sizeof(reason)),
			 0);
	ck_assert_uint_eq(want, IKEV2_DH_ECP256);
	ck_assert_uint_eq(prop_xf_first(&chosen, IKEV2_TRANS_DH)->id,
			  IKEV2_DH_ECP256);
	ck_assert_str_eq(reason, "peer's KE payload is for modp2048, but the "
				 "chosen proposal needs ecp256");

	/* The right guess. */
	ck_assert_int_eq(prop_select_ke(&ours, 1, &theirs, 1, IKEV2_DH_ECP256,
					&chosen, &want, reason, sizeof(reason)),
			 0);
	ck_assert_uint_eq(want, 0);
	ck_assert_str_eq(reason, "");

	/* A group both accept that is not our first choice is taken when
	 * the peer already sent its KE: no extra round trip. Without a KE
	 * payload our order decides. */
	parse_ok("aes128gcm16-prfsha256-ecp256-modp3072", IKE, &ours);
	parse_ok("aes128gcm16-prfsha256-modp3072-ecp256", IKE, &theirs);
	ck_assert_int_eq(prop_select_ke(&ours, 1, &theirs, 1, IKEV2_DH_MODP3072,
					&chosen, &want, NULL, 0),
			 0);
	ck_assert_uint_eq(want, 0);
	ck_assert_uint_eq(prop_xf_first(&chosen, IKEV2_TRANS_DH)->id,
			  IKEV2_DH_MODP3072);
	ck_assert_int_eq(prop_select(&ours, 1, &theirs, 1, &chosen, NULL, 0),
			 0);
	ck_assert_uint_eq(prop_xf_first(&chosen, IKEV2_TRANS_DH)->id,
			  IKEV2_DH_ECP256);

	/* A group the peer did not offer is no reason to prefer it. */
	ck_assert_int_eq(prop_select_ke(&ours, 1, &theirs, 1, IKEV2_DH_ECP384,
					&chosen, &want, NULL, 0),
			 0);
	ck_assert_uint_eq(want, IKEV2_DH_ECP256);

	/* No KE payload where the proposal needs one. */
	ck_assert_int_eq(prop_select_ke(&ours, 1, &theirs, 1, 0, &chosen, &want,
					reason, sizeof(reason)),
			 0);
	ck_assert_uint_eq(want, IKEV2_DH_ECP256);
	ck_assert_str_eq(reason, "peer sent no KE payload, but the chosen "
				 "proposal needs ecp256");

	/* Only the group differs and no group is shared: no proposal. */
	parse_ok("aes128gcm16-prfsha256-modp2048", IKE, &theirs);
	ck_assert_int_eq(prop_select_ke(&ours, 1, &theirs, 1, IKEV2_DH_MODP2048,
					&chosen, &want, reason, sizeof(reason)),
			 -1);
	ck_assert_uint_eq(want, 0);
	ck_assert_ptr_nonnull(strstr(reason, "no proposal chosen"));
}
END_TEST

/* --- real clients (docs/clients.md) against a typical L2TP server ----- */

static const char *const l2tp_ike[] = {
    "aes256-sha1-ecp384",     "aes128-sha1-ecp256",   "aes256-sha1-modp2048",
    "aes256-sha256-modp2048", "aes128-sha1-modp2048",
};
static const char *const l2tp_esp[] = {
    "aes128-sha1",
    "aes256-sha1",
    "aes256-sha256",
};

START_TEST(clients_windows)
{
	static const char *const win_p1[] = {
	    "aes256-sha1-ecp384",   "aes128-sha1-ecp256",
	    "aes256-sha1-modp2048", "aes128-sha1-modp2048",
	    "aes256-sha1-modp1024", "3des-sha1-modp2048",
	    "3des-sha1-modp1024",
	};
	static const char *const win_p2[] = {"aes256-sha1", "aes128-sha1"};
	struct proposal ours[8], theirs[8], chosen;
	char reason[512], s[128];
	size_t n_ours, n_theirs, i;

	n_ours = parse_list(l2tp_ike, NELEM(l2tp_ike), IKE, ours);
	n_theirs = parse_list(win_p1, NELEM(win_p1), IKE, theirs);
	ck_assert_int_eq(prop_select(ours, n_ours, theirs, n_theirs, &chosen,
				     reason, sizeof(reason)),
			 0);
	ck_assert_uint_eq(chosen.num, 1);
	ck_assert_int_eq(prop_format(&chosen, s, sizeof(s)), 0);
	ck_assert_str_eq(s, "aes256-sha1-ecp384");
	ck_assert_uint_eq(
	    prop_v1_id(prop_xf_first(&chosen, IKEV2_TRANS_DH), IKE), 20);

	/* Quick Mode: no PFS, no ESN transform. */
	n_ours = parse_list(l2tp_esp, NELEM(l2tp_esp), ESP, ours);
	n_theirs = parse_list(win_p2, NELEM(win_p2), ESP, theirs);
	for (i = 0; i < n_theirs; i++)
		drop_type(&theirs[i], IKEV2_TRANS_ESN);
	ck_assert_int_eq(prop_select(ours, n_ours, theirs, n_theirs, &chosen,
				     reason, sizeof(reason)),
			 0);
	ck_assert_uint_eq(chosen.num, 2); /* our aes128-sha1 first */
	ck_assert_int_eq(prop_format(&chosen, s, sizeof(s)), 0);
	ck_assert_str_eq(s, "aes128-sha1");
	ck_assert_ptr_null(prop_xf_first(&chosen, IKEV2_TRANS_ESN));
}
END_TEST

START_TEST(clients_macos)
{
	static const char *const mac_p1[] = {
	    "aes256-sha256-modp2048", "aes256-sha1-modp2048",
	    "aes256-md5-modp2048",    "aes256-sha512-modp2048",
	    "aes256-sha256-modp1536", "aes256-sha1-modp1536",
	    "aes256-md5-modp1536",    "aes256-sha512-modp1536",
	    "aes256-sha256-modp1024", "aes256-sha1-modp1024",
	    "aes256-md5-modp1024",    "aes256-sha512-modp1024",
	    "aes128-sha1-modp1024",   "3des-sha1-modp1024",
	};
	static const char *const mac_p2[] = {"aes128-sha1"};
	struct proposal ours[8], theirs[16], chosen;
	char s[128];
	size_t n_ours, n_theirs;

	n_ours = parse_list(l2tp_ike, NELEM(l2tp_ike), IKE, ours);
	n_theirs = parse_list(mac_p1, NELEM(mac_p1), IKE, theirs);
	ck_assert_uint_eq(n_theirs, 14);
	/* The Mac prefers SHA-256, but our third proposal comes before our
	 * fourth: aes256-sha1-modp2048, the Mac's number 2. */
	ck_assert_int_eq(
	    prop_select(ours, n_ours, theirs, n_theirs, &chosen, NULL, 0), 0);
	ck_assert_uint_eq(chosen.num, 2);
	ck_assert_int_eq(prop_format(&chosen, s, sizeof(s)), 0);
	ck_assert_str_eq(s, "aes256-sha1-modp2048");

	n_ours = parse_list(l2tp_esp, NELEM(l2tp_esp), ESP, ours);
	parse_list(mac_p2, 1, ESP, theirs);
	drop_type(&theirs[0], IKEV2_TRANS_ESN);
	ck_assert_int_eq(prop_select(ours, n_ours, theirs, 1, &chosen, NULL, 0),
			 0);
	ck_assert_uint_eq(chosen.num, 1);
	ck_assert_uint_eq(prop_xf_first(&chosen, IKEV2_TRANS_ENCR)->key_bits,
			  128);
}
END_TEST

START_TEST(clients_old_android)
{
	static const char *const android_p1[] = {
	    "aes256-sha256-modp1024",
	    "aes256-sha1-modp1024",
	    "aes128-sha1-modp1024",
	    "3des-md5-modp1024",
	};
	static const char *const with_weak[] = {"aes256-sha1-ecp384",
						"aes256-sha1-modp1024"};
	struct proposal ours[8], theirs[8], chosen;
	char reason[512], names[64];
	size_t n_ours, n_theirs;

	n_ours = parse_list(l2tp_ike, NELEM(l2tp_ike), IKE, ours);
	n_theirs = parse_list(android_p1, NELEM(android_p1), IKE, theirs);
	ck_assert_int_eq(prop_select(ours, n_ours, theirs, n_theirs, &chosen,
				     reason, sizeof(reason)),
			 -1);
	ck_assert_ptr_nonnull(
	    strstr(reason, "peer offered aes256-sha256-modp1024, "
			   "aes256-sha1-modp1024, aes128-sha1-modp1024, "
			   "3des-md5-modp1024; we accept aes256-sha1-ecp384"));

	/* The admin adds a modp1024 variant: it works and is flagged. */
	n_ours = parse_list(with_weak, NELEM(with_weak), IKE, ours);
	ck_assert_int_eq(
	    prop_select(ours, n_ours, theirs, n_theirs, &chosen, NULL, 0), 0);
	ck_assert_uint_eq(chosen.num, 2);
	ck_assert(prop_is_weak(&ours[1]));
	ck_assert(prop_is_weak(&chosen));
	ck_assert_int_eq(prop_weak_names(&chosen, names, sizeof(names)), 1);
	ck_assert_str_eq(names, "modp1024");
}
END_TEST

/* IKEv1 encapsulation modes: RFC 3947's and the NAT-T drafts' values. */
START_TEST(ikev1_encap_modes)
{
	static const struct {
		uint16_t v, std;
		const char *name;
		bool transport, udp;
	} t[] = {
	    {1, 1, "tunnel", false, false},
	    {2, 2, "transport", true, false},
	    {3, 3, "udp-tunnel", false, true},
	    {4, 4, "udp-transport", true, true},
	    {61443, 3, "udp-tunnel (draft)", false, true},
	    {61444, 4, "udp-transport (draft)", true, true},
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		ck_assert_str_eq(prop_v1_encap_name(t[i].v), t[i].name);
		ck_assert_uint_eq(prop_v1_encap_std(t[i].v), t[i].std);
		ck_assert(prop_v1_encap_transport(t[i].v) == t[i].transport);
		ck_assert(prop_v1_encap_udp(t[i].v) == t[i].udp);
	}
	ck_assert_uint_eq(IKEV1_ENCAP_UDP_ENCAPSULATED_TUNNEL_DRAFT, 61443);
	ck_assert_uint_eq(IKEV1_ENCAP_UDP_ENCAPSULATED_TRANSPORT_DRAFT, 61444);
	/* Unknown: no name, kept as it is, neither transport nor UDP. */
	ck_assert_ptr_null(prop_v1_encap_name(0));
	ck_assert_ptr_null(prop_v1_encap_name(5));
	ck_assert_ptr_null(prop_v1_encap_name(61445));
	ck_assert_uint_eq(prop_v1_encap_std(61445), 61445);
	ck_assert(!prop_v1_encap_transport(61445));
	ck_assert(!prop_v1_encap_udp(61445));
}
END_TEST

START_TEST(ikev1_auth_methods)
{
	static const struct {
		uint16_t v;
		const char *name;
	} t[] = {
	    {IKEV1_AUTH_PRE_SHARED_KEY, "psk"},
	    {IKEV1_AUTH_RSA_SIGNATURES, "rsasig"},
	    {IKEV1_AUTH_ECDSA_SHA256_P256, "ecdsa256"},
	    {IKEV1_AUTH_ECDSA_SHA384_P384, "ecdsa384"},
	    {IKEV1_AUTH_ECDSA_SHA512_P521, "ecdsa521"},
	    {IKEV1_AUTH_XAUTH_INIT_PRE_SHARED, "xauthpsk-init"},
	    {IKEV1_AUTH_XAUTH_RESP_RSA, "xauthrsasig-resp"},
	    {IKEV1_AUTH_HYBRID_INIT_RSA, "hybrid-rsasig-init"},
	};
	size_t i;

	ck_assert_uint_eq(IKEV1_AUTH_PRE_SHARED_KEY, 1);
	ck_assert_uint_eq(IKEV1_AUTH_RSA_SIGNATURES, 3);
	ck_assert_uint_eq(IKEV1_AUTH_ECDSA_SHA256_P256, 9);
	ck_assert_uint_eq(IKEV1_AUTH_ECDSA_SHA512_P521, 11);
	ck_assert_uint_eq(IKEV1_AUTH_XAUTH_INIT_PRE_SHARED, 65001);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		ck_assert_str_eq(prop_v1_auth_name(t[i].v), t[i].name);
		ck_assert_uint_eq(prop_v1_auth_by_name(t[i].name), t[i].v);
	}
	ck_assert_uint_eq(prop_v1_auth_by_name("PSK"), 1);
	ck_assert_ptr_null(prop_v1_auth_name(0));
	ck_assert_ptr_null(prop_v1_auth_name(6)); /* reserved */
	ck_assert_ptr_null(prop_v1_auth_name(12));
	ck_assert_uint_eq(prop_v1_auth_by_name("pubkey"), 0);
}
END_TEST

/* An IKEv1 transform's attributes are part of its proposal's identity. */
START_TEST(ikev1_attributes_compared)
{
	static struct proposal a, b;
	char err[128];

	ck_assert_int_eq(prop_parse("aes128-sha256-modp2048", IKEV2_PROTO_IKE,
				    &a, err, sizeof(err)),
			 0);
	a.v1.life_s = 28800;
	a.v1.auth_method = IKEV1_AUTH_PRE_SHARED_KEY;
	b = a;
	ck_assert(prop_equal(&a, &b));
	b.v1.life_s = 3600;
	ck_assert(!prop_equal(&a, &b));
	b = a;
	b.v1.life_kb = 1;
	ck_assert(!prop_equal(&a, &b));
	b = a;
	b.v1.encap = IKEV1_ENCAP_TUNNEL;
	ck_assert(!prop_equal(&a, &b));
	b = a;
	b.v1.auth_method = IKEV1_AUTH_RSA_SIGNATURES;
	ck_assert(!prop_equal(&a, &b));
	/* The group description stays a transform, mapped both ways. */
	ck_assert_uint_eq(
	    prop_v1_id(prop_xf_first(&a, IKEV2_TRANS_DH), IKEV2_PROTO_IKE), 14);
	/* Kept small: the attributes are per proposal, not per transform. */
	ck_assert_uint_le(sizeof(struct prop_v1), 12);
	ck_assert_uint_eq(sizeof(struct transform), 6);
}
END_TEST

Suite *
prop_suite(void)
{
	Suite *s = suite_create("prop");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, parse_every_keyword);
	tcase_add_test(tc, parse_exact_transforms);
	tcase_add_test(tc, parse_multiple_per_type);
	tcase_add_test(tc, parse_errors);
	tcase_add_test(tc, format_roundtrips);
	tcase_add_test(tc, format_canonical);
	tcase_add_test(tc, format_unknown_and_wire_forms);
	tcase_add_test(tc, format_truncates_visibly);
	tcase_add_test(tc, weak_detection);
	tcase_add_test(tc, defaults);
	tcase_add_test(tc, lookups_and_ikev1_ids);
	tcase_add_test(tc, select_match_echoes_peer);
	tcase_add_test(tc, select_our_order_wins);
	tcase_add_test(tc, select_key_size_must_match);
	tcase_add_test(tc, select_aead_integ_none);
	tcase_add_test(tc, select_esp_pfs);
	tcase_add_test(tc, select_esn);
	tcase_add_test(tc, select_unknown_never_matches);
	tcase_add_test(tc, select_reason_text);
	tcase_add_test(tc, select_ke_group);
	tcase_add_test(tc, clients_windows);
	tcase_add_test(tc, clients_macos);
	tcase_add_test(tc, clients_old_android);
	tcase_add_test(tc, ikev1_encap_modes);
	tcase_add_test(tc, ikev1_auth_methods);
	tcase_add_test(tc, ikev1_attributes_compared);
	suite_add_tcase(s, tc);
	return s;
}
