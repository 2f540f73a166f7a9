/* SPDX-License-Identifier: ISC */
/*
 * The registry's crypto view and the symmetric primitives over OpenSSL 3
 * EVP: HMAC PRFs and prf+ (RFC 7296 2.13), truncated HMAC integrity
 * (RFC 2403, RFC 2404, RFC 4868), the SK payload ciphers (AES-GCM of
 * RFC 5282, ChaCha20-Poly1305 of RFC 7634, AES-CBC of RFC 3602, 3DES-CBC)
 * SipHash for the engine's own keyed hashes, and the random source. The
 * only state kept between calls is made once per process and then only
 * read (any thread, any engine): the HMAC of each digest, each cipher of
 * the tables and SipHash, fetched by name once (hmac_cache, cipher_cache,
 * siphash_mac). Every other OpenSSL object is made, used and freed within
 * one function.
 */
#include <limits.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "crypto.h"
#include "ikev2_const.h"

/*
 * The registry's (alg_list.h) crypto view. Every cipher and HMAC in it is
 * here, ESP-only ones too: a CHILD SA takes its KEYMAT lengths from these
 * entries even when the kernel does the work. AEAD keys end in the salt
 * (RFC 5282 7.1, RFC 7634 2), which with the payload's IV makes the
 * nonce; ICVs shorter than the tag are its leading bytes (RFC 5282 3.2).
 */
/* clang-format off */
#define ALG_ENCR(kw, id_, bits, fl, key, salt, iv, blk, icv, evp, xf, p1, p2)  \
	{.id = (id_), .key_bits = (bits), .key_len = (key),                    \
	 .salt_len = (salt), .iv_len = (iv), .block_len = (blk),               \
	 .icv_len = (icv), .aead = ((fl) & ALG_F_AEAD) != 0,                   \
	 .evp_name = (evp)},
static const struct encr_alg encr_table[] = {
#include "alg_list.h"
};

#define ALG_INTEG(kw, id_, fl, key, icv, md, prf, xf, p1, p2)                  \
	{.id = (id_), .key_len = (key), .icv_len = (icv), .digest = (md)},
static const struct integ_alg integ_table[] = {
#include "alg_list.h"
};

#define ALG_PRF(kw, id_, fl, key, md, p1)                                      \
	{.id = (id_), .key_len = (key), .out_len = (key), .digest = (md)},
static const struct prf_alg prf_table[] = {
#include "alg_list.h"
};
/* clang-format on */

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* prf+ stops at 255 blocks: its counter is one octet (RFC 7296 2.13). */
#define PRF_PLUS_MAX_BLOCKS 255

/* The nonce of every AEAD we support is salt | IV = 12 bytes. */
#define AEAD_NONCE_MAX 16

const struct encr_alg *
crypto_encr(uint16_t id, uint16_t key_bits)
{
	size_t i;

	for (i = 0; i < NELEM(encr_table); i++)
		if (encr_table[i].id == id &&
		    encr_table[i].key_bits == key_bits)
			return &encr_table[i];
	return NULL;
}

const struct integ_alg *
crypto_integ(uint16_t id)
{
	size_t i;

	for (i = 0; i < NELEM(integ_table); i++)
		if (integ_table[i].id == id)
			return &integ_table[i];
	return NULL;
}

const struct prf_alg *
crypto_prf(uint16_t id)
{
	size_t i;

	for (i = 0; i < NELEM(prf_table); i++)
		if (prf_table[i].id == id)
			return &prf_table[i];
	return NULL;
}

/* HMAC with an empty key is defined; OpenSSL wants a non-NULL pointer to
 * tell "empty key" from "keep the previous key". */
static const uint8_t empty_key[1];

/* A new HMAC context for digest, keyed with the empty key, or NULL. */
static EVP_MAC_CTX *
hmac_new(EVP_MAC *mac, const char *digest)
{
	OSSL_PARAM params[2];
	EVP_MAC_CTX *ctx;

	ctx = EVP_MAC_CTX_new(mac);
	if (!ctx)
		return NULL;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
						     (char *)digest, 0);
	params[1] = OSSL_PARAM_construct_end();
	if (!EVP_MAC_init(ctx, empty_key, 0, params)) {
		EVP_MAC_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

/*
 * One HMAC context per digest of the tables, made once per process: a
 * context made from names costs OpenSSL a fetch of HMAC and then of the
 * digest (name lookups, locks, the property cache) every time, a tenth
 * of a responder's CPU per IKE SA; a copy of a ready one costs neither.
 * Only read (EVP_MAC_CTX_dup) after hmac_init(), by every thread; never
 * freed (they stay reachable). A digest without a context (its entry
 * failed) is made per call, as without the cache.
 */
#define N_DIGESTS (NELEM(integ_table) + NELEM(prf_table))
static struct {
	const char *digest;
	EVP_MAC_CTX *ctx;
} hmac_cache[N_DIGESTS];
static CRYPTO_ONCE hmac_once = CRYPTO_ONCE_STATIC_INIT;

static void
hmac_cache_add(EVP_MAC *mac, const char *digest)
{
	size_t i;

	if (!digest)
		return;
	for (i = 0; i < N_DIGESTS && hmac_cache[i].digest; i++)
		if (strcmp(hmac_cache[i].digest, digest) == 0)
			return;
	if (i == N_DIGESTS)
		return;
	hmac_cache[i].digest = digest;
	hmac_cache[i].ctx = hmac_new(mac, digest);
}

static void
hmac_init(void)
{
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	size_t i;

	if (!mac)
		return;
	for (i = 0; i < NELEM(integ_table); i++)
		hmac_cache_add(mac, integ_table[i].digest);
	for (i = 0; i < NELEM(prf_table); i++)
		hmac_cache_add(mac, prf_table[i].digest);
	EVP_MAC_free(mac); /* each context holds its own reference */
}

/* An HMAC context keyed and ready for updates, or NULL. */
static EVP_MAC_CTX *
hmac_start(const char *digest, const uint8_t *key, size_t key_len)
{
	EVP_MAC_CTX *ctx = NULL;
	EVP_MAC *mac;
	size_t i;

	if (CRYPTO_THREAD_run_once(&hmac_once, hmac_init))
		for (i = 0; i < N_DIGESTS && hmac_cache[i].digest; i++)
			if (hmac_cache[i].ctx &&
			    strcmp(hmac_cache[i].digest, digest) == 0) {
				ctx = EVP_MAC_CTX_dup(hmac_cache[i].ctx);
				if (!ctx)
					return NULL;
				break;
			}
	if (!ctx) {
		mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
		if (!mac)
			return NULL;
		ctx = hmac_new(mac, digest);
		EVP_MAC_free(mac); /* the context holds its own reference */
		if (!ctx)
			return NULL;
	}
	if (!EVP_MAC_init(ctx, key_len ? key : empty_key, key_len, NULL)) {
		EVP_MAC_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

static int
hmac_update(EVP_MAC_CTX *ctx, const struct bytes *parts, size_t nparts)
{
	size_t i;

	for (i = 0; i < nparts; i++)
		if (parts[i].len &&
		    !EVP_MAC_update(ctx, parts[i].ptr, parts[i].len))
			return -1;
	return 0;
}

/* The full HMAC of parts into out (EVP_MAX_MD_SIZE bytes of room). */
static int
hmac_full(const char *digest, const uint8_t *key, size_t key_len,
	  const struct bytes *parts, size_t nparts, uint8_t *out,
	  size_t out_len)
{
	EVP_MAC_CTX *ctx;
	size_t got = 0;
	int rc = -1;

	ctx = hmac_start(digest, key, key_len);
	if (!ctx)
		return -1;
	if (hmac_update(ctx, parts, nparts) == 0 &&
	    EVP_MAC_final(ctx, out, &got, EVP_MAX_MD_SIZE) && got == out_len)
		rc = 0;
	EVP_MAC_CTX_free(ctx);
	return rc;
}

int
crypto_prf_compute(const struct prf_alg *prf, const uint8_t *key,
		   size_t key_len, const struct bytes *parts, size_t nparts,
		   uint8_t *out)
{
	uint8_t md[EVP_MAX_MD_SIZE];
	int rc;

	if (!prf || !out || (!key && key_len))
		return -1;
	rc = hmac_full(prf->digest, key, key_len, parts, nparts, md,
		       prf->out_len);
	if (rc == 0)
		memcpy(out, md, prf->out_len);
	OPENSSL_cleanse(md, sizeof(md));
	return rc;
}

/*
 * RFC 7296 2.13: prf+ (K,S) = T1 | T2 | T3 | ... where
 * T1 = prf (K, S | 0x01) and Tn = prf (K, Tn-1 | S | n).
 */
int
crypto_prf_plus(const struct prf_alg *prf, const uint8_t *key, size_t key_len,
		const struct bytes *seed, size_t nseed, uint8_t *out,
		size_t out_len)
{
	uint8_t t[EVP_MAX_MD_SIZE];
	size_t done = 0, got;
	unsigned int n;
	uint8_t counter;
	EVP_MAC_CTX *ctx = NULL;
	int rc = -1;

	if (!prf || (!out && out_len) || (!key && key_len))
		return -1;
	if (out_len > (size_t)PRF_PLUS_MAX_BLOCKS * prf->out_len)
		return -1;
	/* Keyed once: each block restarts from the keyed state (a NULL key
	 * keeps the key) instead of hashing the key's pads again. */
	ctx = hmac_start(prf->digest, key, key_len);
	if (!ctx)
		goto out;
	for (n = 1; done < out_len; n++) {
		if (n > 1 && !EVP_MAC_init(ctx, NULL, 0, NULL))
			goto out;
		counter = (uint8_t)n;
		if (n > 1 && !EVP_MAC_update(ctx, t, prf->out_len))
			goto out;
		if (hmac_update(ctx, seed, nseed) != 0 ||
		    !EVP_MAC_update(ctx, &counter, 1))
			goto out;
		got = 0;
		if (!EVP_MAC_final(ctx, t, &got, sizeof(t)) ||
		    got != prf->out_len)
			goto out;
		got = out_len - done < prf->out_len ? out_len - done
						    : prf->out_len;
		memcpy(out + done, t, got);
		done += got;
	}
	rc = 0;
out:
	EVP_MAC_CTX_free(ctx);
	OPENSSL_cleanse(t, sizeof(t));
	if (rc != 0 && out_len)
		OPENSSL_cleanse(out, out_len);
	return rc;
}

int
crypto_integ_compute(const struct integ_alg *integ, const uint8_t *key,
		     const struct bytes *parts, size_t nparts, uint8_t *out)
{
	uint8_t md[EVP_MAX_MD_SIZE];
	int rc;

	if (!integ || !key || !out)
		return -1;
	/* The ICV is the leading part of the full HMAC (RFC 2404 section 2,
	 * RFC 4868 section 2.3). Every key here is as long as the hash
	 * output, so key_len is also the untruncated length. */
	rc = hmac_full(integ->digest, key, integ->key_len, parts, nparts, md,
		       integ->key_len);
	if (rc == 0)
		memcpy(out, md, integ->icv_len);
	OPENSSL_cleanse(md, sizeof(md));
	return rc;
}

int
crypto_integ_verify(const struct integ_alg *integ, const uint8_t *key,
		    const struct bytes *parts, size_t nparts,
		    const uint8_t *icv)
{
	uint8_t mine[EVP_MAX_MD_SIZE];
	int rc = -1;

	if (!integ || !icv)
		return -1;
	if (crypto_integ_compute(integ, key, parts, nparts, mine) == 0 &&
	    CRYPTO_memcmp(mine, icv, integ->icv_len) == 0)
		rc = 0;
	OPENSSL_cleanse(mine, sizeof(mine));
	return rc;
}

/*
 * Each cipher of encr_table fetched once per process (every SK payload
 * sealed or opened fetched its cipher by name before), for the same
 * reasons and under the same rules as hmac_cache: only read after
 * cipher_init(); an entry that failed (a cipher this OpenSSL lacks) is
 * fetched per call, and fails there as before.
 */
static EVP_CIPHER *cipher_cache[NELEM(encr_table)];
static CRYPTO_ONCE cipher_once = CRYPTO_ONCE_STATIC_INIT;

static void
cipher_init(void)
{
	size_t i;

	for (i = 0; i < NELEM(encr_table); i++)
		if (encr_table[i].evp_name)
			cipher_cache[i] = EVP_CIPHER_fetch(
			    NULL, encr_table[i].evp_name, NULL);
}

/* encr's cipher: a new reference the caller frees, or NULL. */
static EVP_CIPHER *
cipher_get(const struct encr_alg *encr)
{
	EVP_CIPHER *c = NULL;

	if (encr >= encr_table && encr < encr_table + NELEM(encr_table) &&
	    CRYPTO_THREAD_run_once(&cipher_once, cipher_init))
		c = cipher_cache[encr - encr_table];
	if (c && EVP_CIPHER_up_ref(c))
		return c;
	return EVP_CIPHER_fetch(NULL, encr->evp_name, NULL);
}

/* A cipher context set up for enc (1) or dec (0) with key and iv/nonce. */
static EVP_CIPHER_CTX *
cipher_start(const struct encr_alg *encr, int enc, const uint8_t *key,
	     size_t key_len, const uint8_t *iv, size_t iv_len)
{
	EVP_CIPHER *cipher;
	EVP_CIPHER_CTX *ctx = NULL;
	OSSL_PARAM params[2];
	size_t ivl = iv_len;

	cipher = cipher_get(encr);
	if (!cipher)
		return NULL;
	if ((size_t)EVP_CIPHER_get_key_length(cipher) != key_len)
		goto fail;
	ctx = EVP_CIPHER_CTX_new();
	if (!ctx || !EVP_CipherInit_ex2(ctx, cipher, NULL, NULL, enc, NULL))
		goto fail;
	if (encr->aead) {
		params[0] = OSSL_PARAM_construct_size_t(
		    OSSL_CIPHER_PARAM_AEAD_IVLEN, &ivl);
		params[1] = OSSL_PARAM_construct_end();
		if (!EVP_CIPHER_CTX_set_params(ctx, params))
			goto fail;
	} else if ((size_t)EVP_CIPHER_get_iv_length(cipher) != iv_len) {
		goto fail;
	}
	if (!EVP_CipherInit_ex2(ctx, NULL, key, iv, enc, NULL))
		goto fail;
	if (!encr->aead && !EVP_CIPHER_CTX_set_padding(ctx, 0))
		goto fail;
	EVP_CIPHER_free(cipher); /* the context holds its own reference */
	return ctx;
fail:
	EVP_CIPHER_CTX_free(ctx);
	EVP_CIPHER_free(cipher);
	return NULL;
}

static EVP_CIPHER_CTX *
aead_start(const struct encr_alg *encr, int enc, const uint8_t *key,
	   const uint8_t *iv, struct bytes aad)
{
	uint8_t nonce[AEAD_NONCE_MAX];
	size_t cipher_key_len, nonce_len;
	EVP_CIPHER_CTX *ctx;
	int outl;

	if (!encr || !encr->aead || !key || !iv ||
	    encr->salt_len > encr->key_len || aad.len > INT_MAX ||
	    (!aad.ptr && aad.len))
		return NULL;
	nonce_len = encr->salt_len + encr->iv_len;
	if (nonce_len > sizeof(nonce))
		return NULL;
	cipher_key_len = encr->key_len - encr->salt_len;
	/* Nonce = salt | IV; the salt trails the key in the keying
	 * material (RFC 5282 section 7.1, RFC 7634 section 2). */
	memcpy(nonce, key + cipher_key_len, encr->salt_len);
	memcpy(nonce + encr->salt_len, iv, encr->iv_len);
	ctx = cipher_start(encr, enc, key, cipher_key_len, nonce, nonce_len);
	OPENSSL_cleanse(nonce, sizeof(nonce));
	if (!ctx)
		return NULL;
	if (aad.len &&
	    !EVP_CipherUpdate(ctx, NULL, &outl, aad.ptr, (int)aad.len)) {
		EVP_CIPHER_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

int
crypto_aead_seal(const struct encr_alg *encr, const uint8_t *key,
		 const uint8_t *iv, struct bytes aad, uint8_t *buf, size_t len,
		 uint8_t *icv)
{
	EVP_CIPHER_CTX *ctx;
	OSSL_PARAM params[2];
	/* AEAD modes keep nothing back, so Final writes no bytes. */
	uint8_t fin[EVP_MAX_BLOCK_LENGTH];
	int outl = 0, finl = 0, rc = -1;

	if (len > INT_MAX || (!buf && len) || !icv)
		return -1;
	ctx = aead_start(encr, 1, key, iv, aad);
	if (!ctx)
		return -1;
	if (len && !EVP_EncryptUpdate(ctx, buf, &outl, buf, (int)len))
		goto out;
	if (!EVP_EncryptFinal_ex(ctx, fin, &finl) || finl != 0 ||
	    (size_t)outl != len)
		goto out;
	params[0] = OSSL_PARAM_construct_octet_string(
	    OSSL_CIPHER_PARAM_AEAD_TAG, icv, encr->icv_len);
	params[1] = OSSL_PARAM_construct_end();
	if (!EVP_CIPHER_CTX_get_params(ctx, params))
		goto out;
	rc = 0;
out:
	EVP_CIPHER_CTX_free(ctx);
	return rc;
}

int
crypto_aead_open(const struct encr_alg *encr, const uint8_t *key,
		 const uint8_t *iv, struct bytes aad, uint8_t *buf, size_t len,
		 const uint8_t *icv)
{
	EVP_CIPHER_CTX *ctx;
	OSSL_PARAM params[2];
	/* AEAD modes keep nothing back, so Final writes no bytes. */
	uint8_t fin[EVP_MAX_BLOCK_LENGTH];
	int outl = 0, finl = 0, rc = -1;

	if (len > INT_MAX || (!buf && len) || !icv)
		return -1;
	ctx = aead_start(encr, 0, key, iv, aad);
	if (!ctx)
		return -1;
	params[0] = OSSL_PARAM_construct_octet_string(
	    OSSL_CIPHER_PARAM_AEAD_TAG, (void *)icv, encr->icv_len);
	params[1] = OSSL_PARAM_construct_end();
	if (!EVP_CIPHER_CTX_set_params(ctx, params))
		goto out;
	if (len && !EVP_DecryptUpdate(ctx, buf, &outl, buf, (int)len))
		goto out;
	/* The tag is checked here; a mismatch fails the whole open. */
	if (EVP_DecryptFinal_ex(ctx, fin, &finl) <= 0 || finl != 0 ||
	    (size_t)outl != len)
		goto out;
	rc = 0;
out:
	EVP_CIPHER_CTX_free(ctx);
	return rc;
}

static int
cbc_crypt(const struct encr_alg *encr, int enc, const uint8_t *key,
	  const uint8_t *iv, uint8_t *buf, size_t len)
{
	EVP_CIPHER_CTX *ctx;
	/* Without padding, Update consumes whole blocks and Final writes
	 * no bytes. */
	uint8_t fin[EVP_MAX_BLOCK_LENGTH];
	int outl = 0, finl = 0, rc = -1;

	if (!encr || encr->aead || !key || !iv || (!buf && len) ||
	    len > INT_MAX || encr->block_len == 0 || len % encr->block_len)
		return -1;
	ctx = cipher_start(encr, enc, key, encr->key_len, iv, encr->iv_len);
	if (!ctx)
		return -1;
	if (len && !EVP_CipherUpdate(ctx, buf, &outl, buf, (int)len))
		goto out;
	if (!EVP_CipherFinal_ex(ctx, fin, &finl) || finl != 0 ||
	    (size_t)outl != len)
		goto out;
	rc = 0;
out:
	EVP_CIPHER_CTX_free(ctx);
	return rc;
}

int
crypto_cbc_encrypt(const struct encr_alg *encr, const uint8_t *key,
		   const uint8_t *iv, uint8_t *buf, size_t len)
{
	return cbc_crypt(encr, 1, key, iv, buf, len);
}

int
crypto_cbc_decrypt(const struct encr_alg *encr, const uint8_t *key,
		   const uint8_t *iv, uint8_t *buf, size_t len)
{
	return cbc_crypt(encr, 0, key, iv, buf, len);
}

/*
 * SipHash-2-4 with its 128-bit output, fetched once per process like the
 * HMACs above (siphash_mac, only read after siphash_init). A keyed hash
 * for our own lookups (the answer cache's request hashes), not a PRF of
 * the protocol: it needs only to be unforgeable without the key, and it
 * reads a message in a fraction of HMAC-SHA-256's work.
 */
static EVP_MAC *siphash_mac;
static CRYPTO_ONCE siphash_once = CRYPTO_ONCE_STATIC_INIT;

static void
siphash_init(void)
{
	siphash_mac = EVP_MAC_fetch(NULL, "SIPHASH", NULL);
}

int
crypto_siphash(const uint8_t key[CRYPTO_SIPHASH_KEY_LEN],
	       const struct bytes *parts, size_t nparts,
	       uint8_t out[CRYPTO_SIPHASH_LEN])
{
	size_t size = CRYPTO_SIPHASH_LEN, got = 0, i;
	OSSL_PARAM params[2];
	EVP_MAC_CTX *ctx;
	int rc = -1;

	if (!key || !out || (!parts && nparts) ||
	    !CRYPTO_THREAD_run_once(&siphash_once, siphash_init) ||
	    !siphash_mac)
		return -1;
	ctx = EVP_MAC_CTX_new(siphash_mac);
	if (!ctx)
		return -1;
	params[0] = OSSL_PARAM_construct_size_t(OSSL_MAC_PARAM_SIZE, &size);
	params[1] = OSSL_PARAM_construct_end();
	if (!EVP_MAC_init(ctx, key, CRYPTO_SIPHASH_KEY_LEN, params))
		goto out;
	for (i = 0; i < nparts; i++)
		if (parts[i].len &&
		    !EVP_MAC_update(ctx, parts[i].ptr, parts[i].len))
			goto out;
	if (EVP_MAC_final(ctx, out, &got, CRYPTO_SIPHASH_LEN) &&
	    got == CRYPTO_SIPHASH_LEN)
		rc = 0;
out:
	EVP_MAC_CTX_free(ctx);
	return rc;
}

int
crypto_random(uint8_t *out, size_t len)
{
	if (len == 0)
		return 0;
	if (!out || len > INT_MAX)
		return -1;
	return RAND_bytes(out, (int)len) == 1 ? 0 : -1;
}
