/* SPDX-License-Identifier: ISC */
/*
 * Key exchange for the KE payload over OpenSSL 3 EVP_PKEY: MODP groups 2,
 * 5, 14, 15 and 16 (RFC 2409, RFC 3526), ECP groups 19, 20 and 21 (RFC
 * 5903) and curve25519/curve448 (RFC 8031). This file owns the encoding of
 * public values on the wire and the validation of the peer's value before
 * any secret is derived from it. Private keys stay inside OpenSSL's
 * EVP_PKEY; the shared secret leaves only as a cleansed struct secret.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>

#include "crypto.h"
#include "ikev2_const.h"

enum dh_kind {
	DH_MODP,
	DH_ECP,
	DH_XDH,
};

struct dh_group {
	uint16_t id;
	enum dh_kind kind;
	/* OpenSSL's group name (MODP, ECP) or key type (XDH); NULL for
	 * MODP group 2, which OpenSSL does not name. */
	const char *name;
	int nid;    /* ECP curve, for deriving a public key (KATs) */
	size_t len; /* bytes of the prime, field element or XDH value */
};

static const struct dh_group groups[] = {
    {IKEV2_DH_MODP1024, DH_MODP, NULL, 0, 128},
    {IKEV2_DH_MODP1536, DH_MODP, "modp_1536", 0, 192},
    {IKEV2_DH_MODP2048, DH_MODP, "modp_2048", 0, 256},
    {IKEV2_DH_MODP3072, DH_MODP, "modp_3072", 0, 384},
    {IKEV2_DH_MODP4096, DH_MODP, "modp_4096", 0, 512},
    {IKEV2_DH_ECP256, DH_ECP, "P-256", NID_X9_62_prime256v1, 32},
    {IKEV2_DH_ECP384, DH_ECP, "P-384", NID_secp384r1, 48},
    {IKEV2_DH_ECP521, DH_ECP, "P-521", NID_secp521r1, 66},
    {IKEV2_DH_CURVE25519, DH_XDH, "X25519", 0, 32},
    {IKEV2_DH_CURVE448, DH_XDH, "X448", 0, 56},
};

#define NGROUPS (sizeof(groups) / sizeof(groups[0]))

/* 0x04 | x | y of the largest curve, P-521. */
#define EC_POINT_MAX (1 + 2 * 66)

struct dh {
	const struct dh_group *g;
	EVP_PKEY *key;
};

static const struct dh_group *
group_find(uint16_t id)
{
	size_t i;

	for (i = 0; i < NGROUPS; i++)
		if (groups[i].id == id)
			return &groups[i];
	return NULL;
}

bool
dh_supported(uint16_t group)
{
	return group_find(group) != NULL;
}

static size_t
pub_len(const struct dh_group *g)
{
	/* RFC 5903 section 7: x | y, each padded to the field size. */
	return g->kind == DH_ECP ? 2 * g->len : g->len;
}

size_t
dh_public_len(uint16_t group)
{
	const struct dh_group *g = group_find(group);

	return g ? pub_len(g) : 0;
}

static const char *
key_type(const struct dh_group *g)
{
	switch (g->kind) {
	case DH_MODP:
		return "DH";
	case DH_ECP:
		return "EC";
	case DH_XDH:
		break;
	}
	return g->name;
}

/*
 * Push the group's domain parameters. OpenSSL knows every group here by
 * name except RFC 2409's Oakley group 2, which is given as p and g = 2.
 * *p and *gen must outlive OSSL_PARAM_BLD_to_param; the caller frees them.
 */
static int
push_domain(const struct dh_group *g, OSSL_PARAM_BLD *bld, BIGNUM **p,
	    BIGNUM **gen)
{
	if (g->name)
		return OSSL_PARAM_BLD_push_utf8_string(
			   bld, OSSL_PKEY_PARAM_GROUP_NAME, g->name, 0)
			   ? 0
			   : -1;
	*p = BN_get_rfc2409_prime_1024(NULL);
	*gen = BN_new();
	if (!*p || !*gen || !BN_set_word(*gen, 2))
		return -1;
	if (!OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_P, *p) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_G, *gen))
		return -1;
	return 0;
}

/*
 * An EVP_PKEY of the group from fromdata: domain parameters plus
 * whichever of priv (BIGNUM), pub_bn (MODP) and pub_oct (ECP) are given.
 */
static EVP_PKEY *
pkey_from(const struct dh_group *g, int selection, const BIGNUM *priv,
	  const BIGNUM *pub_bn, const uint8_t *pub_oct, size_t pub_oct_len)
{
	OSSL_PARAM_BLD *bld;
	OSSL_PARAM *params = NULL;
	BIGNUM *p = NULL, *gen = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;

	bld = OSSL_PARAM_BLD_new();
	if (!bld || push_domain(g, bld, &p, &gen) != 0)
		goto out;
	if (priv &&
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, priv))
		goto out;
	if (pub_bn &&
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PUB_KEY, pub_bn))
		goto out;
	if (pub_oct && !OSSL_PARAM_BLD_push_octet_string(
			   bld, OSSL_PKEY_PARAM_PUB_KEY, pub_oct, pub_oct_len))
		goto out;
	params = OSSL_PARAM_BLD_to_param(bld);
	if (!params)
		goto out;
	ctx = EVP_PKEY_CTX_new_from_name(NULL, key_type(g), NULL);
	if (!ctx || EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pkey, selection, params) <= 0) {
		EVP_PKEY_free(pkey);
		pkey = NULL;
	}
out:
	EVP_PKEY_CTX_free(ctx);
	/* A private value came from BN_secure_new, so its copy in params
	 * sits in the secure block that OSSL_PARAM_free cleanses. */
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(p);
	BN_free(gen);
	return pkey;
}

/*
 * Each group's domain parameters as an EVP_PKEY, made once per process
 * (MODP, ECP): building them from the group's name costs OpenSSL an
 * EC_GROUP with its Montgomery constants (a modular inverse) every time,
 * which was a tenth of a responder's CPU per IKE SA. Only read after
 * params_init(), so shared by all threads and engines; never freed (they
 * stay reachable). A group whose entry failed to build is built per
 * call, as without the cache.
 */
static EVP_PKEY *params_cache[NGROUPS];
static CRYPTO_ONCE params_once = CRYPTO_ONCE_STATIC_INIT;

static void
params_init(void)
{
	size_t i;

	for (i = 0; i < NGROUPS; i++)
		if (groups[i].kind != DH_XDH)
			params_cache[i] =
			    pkey_from(&groups[i], EVP_PKEY_KEY_PARAMETERS, NULL,
				      NULL, NULL, 0);
}

/* The group's parameters: a new reference the caller frees. */
static EVP_PKEY *
group_params(const struct dh_group *g)
{
	EVP_PKEY *p = NULL;

	if (CRYPTO_THREAD_run_once(&params_once, params_init))
		p = params_cache[g - groups];
	if (p && EVP_PKEY_up_ref(p))
		return p;
	return pkey_from(g, EVP_PKEY_KEY_PARAMETERS, NULL, NULL, NULL, 0);
}

static struct dh *
dh_wrap(const struct dh_group *g, EVP_PKEY *key)
{
	struct dh *dh;

	if (!key)
		return NULL;
	dh = calloc(1, sizeof(*dh));
	if (!dh) {
		EVP_PKEY_free(key);
		return NULL;
	}
	dh->g = g;
	dh->key = key;
	return dh;
}

/* A key-generation context for the group, ready for EVP_PKEY_generate. */
static EVP_PKEY_CTX *
keygen_ctx_new(const struct dh_group *g)
{
	EVP_PKEY *params;
	EVP_PKEY_CTX *ctx;

	if (g->kind == DH_XDH) {
		ctx = EVP_PKEY_CTX_new_from_name(NULL, g->name, NULL);
	} else {
		params = group_params(g);
		if (!params)
			return NULL;
		ctx = EVP_PKEY_CTX_new_from_pkey(NULL, params, NULL);
		EVP_PKEY_free(params); /* the context holds its own */
	}
	if (ctx && EVP_PKEY_keygen_init(ctx) <= 0) {
		EVP_PKEY_CTX_free(ctx);
		ctx = NULL;
	}
	return ctx;
}

/*
 * Each thread's key-generation context per group, made for its first key
 * of the group and used for all later ones: a new context cost OpenSSL a
 * walk of the key manager's names and the set-up of the generation, 1 to
 * 2 % of a responder's CPU per IKE SA. EVP_PKEY_generate writes to its
 * context, so a context is never shared between threads: each has its own
 * slots (keygen_ctx), freed by keygen_thread_end when the thread exits;
 * the main thread's stay reachable in its slots until the process ends.
 * Without the thread key (its creation failed) each key gets a context of
 * its own, as before.
 */
static _Thread_local EVP_PKEY_CTX *keygen_ctx[NGROUPS];
static CRYPTO_THREAD_LOCAL keygen_key;
static CRYPTO_ONCE keygen_once = CRYPTO_ONCE_STATIC_INIT;
static int keygen_key_ok;

static void
keygen_thread_end(void *slots)
{
	EVP_PKEY_CTX **ctx = slots;
	size_t i;

	for (i = 0; i < NGROUPS; i++) {
		EVP_PKEY_CTX_free(ctx[i]);
		ctx[i] = NULL;
	}
}

static void
keygen_init(void)
{
	keygen_key_ok =
	    CRYPTO_THREAD_init_local(&keygen_key, keygen_thread_end);
}

/* This thread's context for g, or NULL: the caller then makes its own. */
static EVP_PKEY_CTX *
keygen_ctx_get(const struct dh_group *g)
{
	EVP_PKEY_CTX **slot = &keygen_ctx[g - groups];

	if (!CRYPTO_THREAD_run_once(&keygen_once, keygen_init) ||
	    !keygen_key_ok)
		return NULL;
	if (!*slot) {
		/* Registered first, so that the thread's exit frees it. */
		if (!CRYPTO_THREAD_set_local(&keygen_key, keygen_ctx))
			return NULL;
		*slot = keygen_ctx_new(g);
	}
	return *slot;
}

struct dh *
dh_new(uint16_t group)
{
	const struct dh_group *g = group_find(group);
	EVP_PKEY_CTX *ctx, *own = NULL;
	EVP_PKEY *key = NULL;

	if (!g)
		return NULL;
	ctx = keygen_ctx_get(g);
	if (!ctx)
		ctx = own = keygen_ctx_new(g);
	if (!ctx || EVP_PKEY_generate(ctx, &key) <= 0) {
		EVP_PKEY_free(key);
		key = NULL;
	}
	EVP_PKEY_CTX_free(own);
	return dh_wrap(g, key);
}

/* ECP: OpenSSL 3.0 does not derive the public point on import, so compute
 * Q = d * G here and import both. */
static EVP_PKEY *
ecp_from_private(const struct dh_group *g, const BIGNUM *d)
{
	uint8_t oct[EC_POINT_MAX];
	EC_GROUP *grp;
	EC_POINT *q = NULL;
	BN_CTX *bnctx = NULL;
	EVP_PKEY *key = NULL;
	size_t n;

	grp = EC_GROUP_new_by_curve_name_ex(NULL, NULL, g->nid);
	if (!grp)
		return NULL;
	/* 0 < d < n, or d * G is not a usable public value. */
	if (BN_is_zero(d) || BN_cmp(d, EC_GROUP_get0_order(grp)) >= 0)
		goto out;
	q = EC_POINT_new(grp);
	bnctx = BN_CTX_new();
	if (!q || !bnctx || !EC_POINT_mul(grp, q, d, NULL, NULL, bnctx))
		goto out;
	n = EC_POINT_point2oct(grp, q, POINT_CONVERSION_UNCOMPRESSED, oct,
			       sizeof(oct), bnctx);
	if (n != 1 + 2 * g->len)
		goto out;
	key = pkey_from(g, EVP_PKEY_KEYPAIR, d, NULL, oct, n);
out:
	BN_CTX_free(bnctx);
	EC_POINT_free(q);
	EC_GROUP_free(grp);
	return key;
}

static int
get_bn(const EVP_PKEY *key, const char *name, BIGNUM **bn)
{
	*bn = NULL;
	return EVP_PKEY_get_bn_param(key, name, bn) ? 0 : -1;
}

/* MODP: as for ECP, the public value y = g^x mod p is computed here. */
static EVP_PKEY *
modp_from_private(const struct dh_group *g, const BIGNUM *x)
{
	EVP_PKEY *params, *key = NULL;
	BIGNUM *p = NULL, *gen = NULL, *y = NULL, *xc = NULL;
	BN_CTX *bnctx = NULL;

	params = group_params(g);
	if (!params)
		return NULL;
	if (get_bn(params, OSSL_PKEY_PARAM_FFC_P, &p) != 0 ||
	    get_bn(params, OSSL_PKEY_PARAM_FFC_G, &gen) != 0)
		goto out;
	/* 1 < x < p - 1; anything else gives a degenerate y. */
	if (BN_is_zero(x) || BN_is_one(x) || BN_cmp(x, p) >= 0)
		goto out;
	y = BN_new();
	xc = BN_dup(x);
	bnctx = BN_CTX_new();
	if (!y || !xc || !bnctx)
		goto out;
	BN_set_flags(xc, BN_FLG_CONSTTIME);
	if (!BN_mod_exp(y, gen, xc, p, bnctx))
		goto out;
	key = pkey_from(g, EVP_PKEY_KEYPAIR, x, y, NULL, 0);
out:
	BN_CTX_free(bnctx);
	BN_clear_free(xc);
	BN_free(y);
	BN_free(gen);
	BN_free(p);
	EVP_PKEY_free(params);
	return key;
}

struct dh *
dh_new_from_private(uint16_t group, const uint8_t *priv, size_t len)
{
	const struct dh_group *g = group_find(group);
	EVP_PKEY *key = NULL;
	BIGNUM *d;

	if (!g || !priv || len == 0)
		return NULL;
	if (g->kind == DH_XDH) {
		/* RFC 7748: the scalar is the raw little-endian string;
		 * OpenSSL clamps it and derives the public value. */
		if (len != g->len)
			return NULL;
		key = EVP_PKEY_new_raw_private_key_ex(NULL, g->name, NULL, priv,
						      len);
		return dh_wrap(g, key);
	}
	/* RFC 5903 gives ECP private values padded to the field size. */
	if (len > g->len || (g->kind == DH_ECP && len != g->len))
		return NULL;
	d = BN_secure_new();
	if (!d || !BN_bin2bn(priv, (int)len, d)) {
		BN_clear_free(d);
		return NULL;
	}
	key = g->kind == DH_ECP ? ecp_from_private(g, d)
				: modp_from_private(g, d);
	BN_clear_free(d);
	return dh_wrap(g, key);
}

struct dh *
dh_new_rand(uint16_t group, int (*rand)(void *ctx, uint8_t *out, size_t len),
	    void *ctx)
{
	const struct dh_group *g = group_find(group);
	uint8_t priv[66];
	struct dh *dh = NULL;
	size_t len;
	int tries;

	if (!rand || !g)
		return dh_new(group);
	/* A MODP exponent of 512 bits is twice the strength of the largest
	 * group we have; curves take a scalar the size of the field. */
	len = g->kind == DH_MODP ? 64 : g->len;
	for (tries = 0; !dh && tries < 16; tries++) {
		if (rand(ctx, priv, len) < 0)
			break;
		if (g->id == IKEV2_DH_ECP521)
			priv[0] &= 0x01;
		dh = dh_new_from_private(group, priv, len);
	}
	OPENSSL_cleanse(priv, sizeof(priv));
	return dh;
}

int
dh_public(const struct dh *dh, uint8_t *out, size_t len)
{
	BIGNUM *y = NULL;
	uint8_t point[EC_POINT_MAX];
	size_t got;
	int rc = -1;

	if (!dh || !out || len != pub_len(dh->g))
		return -1;
	switch (dh->g->kind) {
	case DH_XDH:
		got = len;
		if (EVP_PKEY_get_raw_public_key(dh->key, out, &got) &&
		    got == len)
			rc = 0;
		break;
	case DH_ECP:
		/* RFC 5903 7: x | y, the uncompressed point without its 0x04.
		 * One encoding of the point, not x and y asked for apart:
		 * each of those made OpenSSL compute the affine point (a
		 * field inversion), 6 % of a responder's CPU per IKE SA. */
		if (EVP_PKEY_get_octet_string_param(
			dh->key, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, point,
			sizeof(point), &got) &&
		    got == len + 1 && point[0] == 0x04) {
			memcpy(out, point + 1, len);
			rc = 0;
		}
		break;
	case DH_MODP:
		/* RFC 7296 3.4: y padded with zeros to the prime's length. */
		if (get_bn(dh->key, OSSL_PKEY_PARAM_PUB_KEY, &y) == 0 &&
		    BN_bn2binpad(y, out, (int)len) >= 0)
			rc = 0;
		break;
	}
	BN_free(y);
	return rc;
}

/* The peer's MODP value must satisfy 1 < y < p - 1 (RFC 6989 section
 * 2.1): y = 1 and y = p - 1 confine the secret to {1, p - 1}. Checked
 * here with p itself rather than left to whatever the import checks. */
static EVP_PKEY *
modp_peer(const struct dh *dh, const uint8_t *peer, size_t len)
{
	BIGNUM *p = NULL, *y = NULL;
	EVP_PKEY *key = NULL;

	if (get_bn(dh->key, OSSL_PKEY_PARAM_FFC_P, &p) != 0)
		return NULL;
	y = BN_bin2bn(peer, (int)len, NULL);
	if (!y || !BN_sub_word(p, 1))
		goto out;
	if (BN_cmp(y, BN_value_one()) <= 0 || BN_cmp(y, p) >= 0)
		goto out;
	key = pkey_from(dh->g, EVP_PKEY_PUBLIC_KEY, NULL, y, NULL, 0);
out:
	BN_free(y);
	BN_free(p);
	return key;
}

/*
 * Each curve as an EC_GROUP with its prime's bytes, made once per process
 * and then only read (EC_POINT_oct2point and EC_POINT_is_on_curve take the
 * group const), by any thread: the peer's point is checked on it.
 */
static struct {
	EC_GROUP *grp;
	uint8_t p[66]; /* big-endian, the field's length */
} curve_cache[NGROUPS];
static CRYPTO_ONCE curve_once = CRYPTO_ONCE_STATIC_INIT;

static void
curve_init(void)
{
	BIGNUM *p = BN_new();
	size_t i;

	for (i = 0; p && i < NGROUPS; i++) {
		if (groups[i].kind != DH_ECP)
			continue;
		curve_cache[i].grp =
		    EC_GROUP_new_by_curve_name_ex(NULL, NULL, groups[i].nid);
		if (curve_cache[i].grp &&
		    (!EC_GROUP_get_curve(curve_cache[i].grp, p, NULL, NULL,
					 NULL) ||
		     BN_bn2binpad(p, curve_cache[i].p, (int)groups[i].len) <
			 0)) {
			EC_GROUP_free(curve_cache[i].grp);
			curve_cache[i].grp = NULL;
		}
	}
	BN_free(p);
}

/*
 * The peer's ECP value must be a point on the curve (RFC 6989 section
 * 2.3): both coordinates below p, and on the curve, which the point at
 * infinity (it has no x | y encoding) cannot be. For curves of cofactor 1,
 * all of ours, that is all RFC 6989 asks; OpenSSL's full public check adds
 * n * Q == O, a scalar multiplication as costly as the ECDH, which cannot
 * fail for such a point. Checked here on the cached curve, not left to
 * what OpenSSL's import checks; and not with EVP_PKEY_public_check_quick,
 * whose context and affine conversion cost 4 % of a responder's CPU per
 * IKE SA. 1 if it is, 0 if not, -1 without the cached curve.
 */
static int
ecp_point_ok(const struct dh_group *g, const uint8_t *oct, size_t len)
{
	const EC_GROUP *grp = NULL;
	const uint8_t *p;
	EC_POINT *q;
	int ok;

	if (CRYPTO_THREAD_run_once(&curve_once, curve_init))
		grp = curve_cache[g - groups].grp;
	if (!grp)
		return -1;
	p = curve_cache[g - groups].p;
	if (len != 1 + 2 * g->len || oct[0] != POINT_CONVERSION_UNCOMPRESSED ||
	    memcmp(oct + 1, p, g->len) >= 0 ||
	    memcmp(oct + 1 + g->len, p, g->len) >= 0)
		return 0;
	q = EC_POINT_new(grp);
	if (!q)
		return -1;
	ok = EC_POINT_oct2point(grp, q, oct, len, NULL) == 1 &&
	     EC_POINT_is_on_curve(grp, q, NULL) == 1 &&
	     !EC_POINT_is_at_infinity(grp, q);
	EC_POINT_free(q);
	return ok;
}

/* The peer's point as a key of the group, once ecp_point_ok accepted it
 * (or, without the cached curve, OpenSSL's quick public check). */
static EVP_PKEY *
ecp_peer(const struct dh *dh, const uint8_t *peer, size_t len)
{
	uint8_t oct[EC_POINT_MAX];
	EVP_PKEY *key, *params;
	EVP_PKEY_CTX *ctx;
	int ok;

	if (1 + len > sizeof(oct))
		return NULL;
	oct[0] = POINT_CONVERSION_UNCOMPRESSED;
	memcpy(oct + 1, peer, len);
	ok = ecp_point_ok(dh->g, oct, 1 + len);
	if (ok == 0)
		return NULL;
	/* The point set on a copy of the group's cached parameters: an
	 * import from data would build the curve again. */
	key = EVP_PKEY_new();
	params = group_params(dh->g);
	if (!key || !params || EVP_PKEY_copy_parameters(key, params) <= 0 ||
	    EVP_PKEY_set1_encoded_public_key(key, oct, 1 + len) <= 0) {
		EVP_PKEY_free(params);
		EVP_PKEY_free(key);
		return NULL;
	}
	EVP_PKEY_free(params);
	if (ok < 0) {
		ctx = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);
		ok = ctx && EVP_PKEY_public_check_quick(ctx) == 1;
		EVP_PKEY_CTX_free(ctx);
		if (!ok) {
			EVP_PKEY_free(key);
			return NULL;
		}
	}
	return key;
}

static EVP_PKEY *
peer_key(const struct dh *dh, const uint8_t *peer, size_t len)
{
	switch (dh->g->kind) {
	case DH_MODP:
		return modp_peer(dh, peer, len);
	case DH_ECP:
		return ecp_peer(dh, peer, len);
	case DH_XDH:
		break;
	}
	return EVP_PKEY_new_raw_public_key_ex(NULL, dh->g->name, NULL, peer,
					      len);
}

static bool
all_zero(const uint8_t *p, size_t len)
{
	uint8_t acc = 0;
	size_t i;

	for (i = 0; i < len; i++)
		acc |= p[i];
	return acc == 0;
}

int
dh_shared(struct dh *dh, const uint8_t *peer, size_t len, struct secret **out)
{
	EVP_PKEY *pk;
	EVP_PKEY_CTX *ctx = NULL;
	struct secret *s = NULL;
	OSSL_PARAM params[2];
	unsigned int pad = 1;
	size_t got;
	int rc = -1;

	if (!out)
		return -1;
	*out = NULL;
	/* The exact length first: the KE payload's data is not padded
	 * or trimmed by any peer that follows RFC 7296 3.4. */
	if (!dh || !peer || len != pub_len(dh->g))
		return -1;
	pk = peer_key(dh, peer, len);
	if (!pk)
		return -1;
	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, dh->key, NULL);
	if (!ctx || EVP_PKEY_derive_init(ctx) <= 0)
		goto out;
	if (dh->g->kind == DH_MODP) {
		/* g^ir is padded to the prime's length (RFC 7296 2.14). */
		params[0] =
		    OSSL_PARAM_construct_uint(OSSL_EXCHANGE_PARAM_PAD, &pad);
		params[1] = OSSL_PARAM_construct_end();
		if (!EVP_PKEY_CTX_set_params(ctx, params))
			goto out;
	}
	/* ecp_peer checked an ECP value already; OpenSSL's own check of the
	 * peer would repeat it in full (the scalar multiplication above). */
	if (EVP_PKEY_derive_set_peer_ex(ctx, pk, dh->g->kind != DH_ECP) <= 0)
		goto out;
	s = secret_new(dh->g->len);
	if (!s)
		goto out;
	got = s->len;
	if (EVP_PKEY_derive(ctx, s->ptr, &got) <= 0 || got != s->len)
		goto out;
	/* RFC 8031 section 2.3: an all-zero X25519/X448 result means a
	 * small-order peer value and must be refused. */
	if (dh->g->kind == DH_XDH && all_zero(s->ptr, s->len))
		goto out;
	*out = s;
	s = NULL;
	rc = 0;
out:
	secret_free(s);
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(pk);
	return rc;
}

void
dh_free(struct dh *dh)
{
	if (!dh)
		return;
	EVP_PKEY_free(dh->key);
	free(dh);
}
