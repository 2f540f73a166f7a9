/* SPDX-License-Identifier: ISC */
/*
 * IKEv1 key derivation and HASH payload values (RFC 2409): SKEYID and its
 * three descendants (section 5), the encryption key with the key extension
 * of Appendix B, HASH_I/HASH_R (5), the Quick Mode and Informational
 * hashes (5.5, 5.7) and the phase 2 KEYMAT (5.5). Pure functions over
 * crypto.c's HMAC PRFs; each key is its own struct secret and every
 * intermediate buffer that held key material is cleansed.
 *
 * Not here: SKEYID for the public key encryption methods (RFC 2409 5.2,
 * 5.3), which charond does not offer.
 */
#include <string.h>

#include <openssl/crypto.h>

#include "keymat_v1.h"

/* The registry's IKEv1 phase 1 view: hash number to HMAC PRF, cipher
 * number and key length to the CBC cipher (alg_list.h). */
/* clang-format off */
#define ALG_PRF(kw, id_, fl, key, md, p1) {(p1), (id_)},
static const struct { uint16_t v1, v2; } prf_map[] = {
#include "alg_list.h"
};
#define ALG_ENCR(kw, id_, bits, fl, key, salt, iv, blk, icv, evp, xf, p1, p2)  \
	{(p1), (id_), (bits), ((fl) & ALG_F_AEAD) != 0},
static const struct {
	uint16_t v1, v2, bits;
	bool aead;
} encr_map[] = {
#include "alg_list.h"
};
/* clang-format on */

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* More than the largest ESP key pair any registry entry needs (AES-256
 * with HMAC-SHA2-512: 96 bytes); a bound on the KEYMAT loop. */
#define KEYMAT_MAX 512

int
keymat_v1_suite(uint16_t encr, uint16_t key_bits, uint16_t hash, uint16_t prf,
		struct v1_suite *s)
{
	size_t i;

	if (!s)
		return -1;
	memset(s, 0, sizeof(*s));
	/* RFC 2409 Appendix A leaves the PRF attribute without values:
	 * the negotiated hash's HMAC is the PRF (section 4). An explicit
	 * PRF is something we cannot honour. */
	if (prf != 0)
		return -1;
	for (i = 0; i < NELEM(prf_map) && !s->prf; i++)
		if (prf_map[i].v1 && prf_map[i].v1 == hash)
			s->prf = crypto_prf(prf_map[i].v2);
	/* Phase 1 has only CBC ciphers; the Key Length attribute is needed
	 * for AES (RFC 3602 5) and absent for 3DES, matching the registry's
	 * key_bits. */
	for (i = 0; i < NELEM(encr_map) && !s->encr; i++)
		if (encr_map[i].v1 && encr_map[i].v1 == encr &&
		    encr_map[i].bits == key_bits && !encr_map[i].aead)
			s->encr = crypto_encr(encr_map[i].v2, key_bits);
	if (!s->prf || !s->encr || s->encr->block_len > V1_IV_MAX)
		return -1;
	/* An HMAC's output is its hash's output. */
	s->hash = s->prf->digest;
	s->hash_len = s->prf->out_len;
	return 0;
}

/* prf(key, parts) into a fresh secret of the prf's output length. */
static struct secret *
prf_secret(const struct prf_alg *prf, const struct secret *key,
	   const struct bytes *parts, size_t nparts)
{
	struct secret *out = secret_new(prf->out_len);

	if (!out)
		return NULL;
	if (crypto_prf_compute(prf, key->ptr, key->len, parts, nparts,
			       out->ptr) != 0) {
		secret_free(out);
		return NULL;
	}
	return out;
}

static struct bytes
sbytes(const struct secret *s)
{
	return (struct bytes){s->ptr, s->len};
}

/*
 * RFC 2409 Appendix B: when SKEYID_e is shorter than the cipher's key,
 *   Ka = K1 | K2 | K3 ...,  K1 = prf(SKEYID_e, 0),  Kn = prf(SKEYID_e, Kn-1)
 * with 0 a single zero octet; either way the key is the leading bytes.
 */
static struct secret *
enc_key(const struct v1_suite *s, const struct secret *skeyid_e)
{
	const size_t need = s->encr->key_len, step = s->prf->out_len;
	const uint8_t zero = 0;
	struct secret *ka, *key;
	struct bytes prev;
	size_t done;

	if (skeyid_e->len >= need)
		return secret_dup(skeyid_e->ptr, need);
	ka = secret_new((need + step - 1) / step * step);
	if (!ka)
		return NULL;
	prev = (struct bytes){&zero, 1};
	for (done = 0; done < need; done += step) {
		if (crypto_prf_compute(s->prf, skeyid_e->ptr, skeyid_e->len,
				       &prev, 1, ka->ptr + done) != 0) {
			secret_free(ka);
			return NULL;
		}
		prev = (struct bytes){ka->ptr + done, step};
	}
	/* A copy of the key's length: secret_free cleanses len bytes, so
	 * shortening ka in place would leave its tail behind. */
	key = secret_dup(ka->ptr, need);
	secret_free(ka);
	return key;
}

int
keymat_v1_ike(const struct v1_suite *s, const struct secret *psk,
	      const struct secret *gxy, struct bytes ni, struct bytes nr,
	      const uint8_t cky_i[V1_COOKIE_LEN],
	      const uint8_t cky_r[V1_COOKIE_LEN], struct v1_keys *out)
{
	struct secret *nonces = NULL;
	struct bytes parts[5];

	if (out)
		memset(out, 0, sizeof(*out));
	if (!s || !s->prf || !s->encr || !gxy || !cky_i || !cky_r || !out ||
	    (!ni.ptr && ni.len) || (!nr.ptr && nr.len))
		return -1;
	nonces = secret_new(ni.len + nr.len);
	if (!nonces)
		return -1;
	if (ni.len)
		memcpy(nonces->ptr, ni.ptr, ni.len);
	if (nr.len)
		memcpy(nonces->ptr + ni.len, nr.ptr, nr.len);
	if (psk) {
		/* SKEYID = prf(pre-shared-key, Ni_b | Nr_b) */
		parts[0] = sbytes(nonces);
		out->skeyid = prf_secret(s->prf, psk, parts, 1);
	} else {
		/* SKEYID = prf(Ni_b | Nr_b, g^xy): the nonces are the key */
		parts[0] = sbytes(gxy);
		out->skeyid = prf_secret(s->prf, nonces, parts, 1);
	}
	secret_free(nonces);
	if (!out->skeyid)
		goto fail;
	if (keymat_v1_ike_rest(s, gxy, cky_i, cky_r, out) < 0)
		goto fail;
	return 0;
fail:
	v1_keys_clear(out);
	return -1;
}

/* From SKEYID on (out->skeyid set): SKEYID_d, _a, _e, the cipher key. */
int
keymat_v1_ike_rest(const struct v1_suite *s, const struct secret *gxy,
		   const uint8_t cky_i[V1_COOKIE_LEN],
		   const uint8_t cky_r[V1_COOKIE_LEN], struct v1_keys *out)
{
	static const uint8_t c0 = 0, c1 = 1, c2 = 2;
	struct bytes parts[5];

	if (!s || !s->prf || !s->encr || !gxy || !out || !out->skeyid)
		return -1;
	/* SKEYID_d = prf(SKEYID, g^xy | CKY-I | CKY-R | 0) */
	parts[0] = sbytes(gxy);
	parts[1] = (struct bytes){cky_i, V1_COOKIE_LEN};
	parts[2] = (struct bytes){cky_r, V1_COOKIE_LEN};
	parts[3] = (struct bytes){&c0, 1};
	out->skeyid_d = prf_secret(s->prf, out->skeyid, parts, 4);
	if (!out->skeyid_d)
		goto fail;
	/* SKEYID_a = prf(SKEYID, SKEYID_d | g^xy | CKY-I | CKY-R | 1) */
	memmove(parts + 1, parts, 3 * sizeof(parts[0]));
	parts[0] = sbytes(out->skeyid_d);
	parts[4] = (struct bytes){&c1, 1};
	out->skeyid_a = prf_secret(s->prf, out->skeyid, parts, 5);
	if (!out->skeyid_a)
		goto fail;
	/* SKEYID_e = prf(SKEYID, SKEYID_a | g^xy | CKY-I | CKY-R | 2) */
	parts[0] = sbytes(out->skeyid_a);
	parts[4] = (struct bytes){&c2, 1};
	out->skeyid_e = prf_secret(s->prf, out->skeyid, parts, 5);
	if (!out->skeyid_e)
		goto fail;
	out->enc_key = enc_key(s, out->skeyid_e);
	if (!out->enc_key)
		goto fail;
	return 0;
fail:
	v1_keys_clear(out);
	return -1;
}

void
v1_keys_clear(struct v1_keys *k)
{
	if (!k)
		return;
	secret_free(k->skeyid);
	secret_free(k->skeyid_d);
	secret_free(k->skeyid_a);
	secret_free(k->skeyid_e);
	secret_free(k->enc_key);
	memset(k, 0, sizeof(*k));
}

static bool
bytes_ok(struct bytes b)
{
	return b.ptr || !b.len;
}

int
keymat_v1_hash_auth(const struct v1_suite *s, const struct secret *skeyid,
		    bool responder, struct bytes gxi, struct bytes gxr,
		    const uint8_t cky_i[V1_COOKIE_LEN],
		    const uint8_t cky_r[V1_COOKIE_LEN], struct bytes sai_b,
		    struct bytes id_b, uint8_t *out)
{
	const struct bytes ci = {cky_i, V1_COOKIE_LEN};
	const struct bytes cr = {cky_r, V1_COOKIE_LEN};
	struct bytes parts[6];

	if (!s || !s->prf || !skeyid || !cky_i || !cky_r || !out ||
	    !bytes_ok(gxi) || !bytes_ok(gxr) || !bytes_ok(sai_b) ||
	    !bytes_ok(id_b))
		return -1;
	/* The responder's hash mirrors the initiator's: its own public
	 * value and cookie first (RFC 2409 5). SAi_b stays the initiator's
	 * offer in both. */
	parts[0] = responder ? gxr : gxi;
	parts[1] = responder ? gxi : gxr;
	parts[2] = responder ? cr : ci;
	parts[3] = responder ? ci : cr;
	parts[4] = sai_b;
	parts[5] = id_b;
	return crypto_prf_compute(s->prf, skeyid->ptr, skeyid->len, parts, 6,
				  out);
}

/* prf(SKEYID_a, [0 |] M-ID | parts...) of RFC 2409 5.5 and 5.7. */
static int
hash_qm(const struct prf_alg *prf, const struct secret *skeyid_a, bool zero,
	uint32_t mid, const struct bytes *rest, size_t nrest, uint8_t *out)
{
	const uint8_t c0 = 0;
	uint8_t m[4];
	struct bytes parts[5];
	size_t n = 0, i;

	if (!prf || !skeyid_a || !out || nrest > 3)
		return -1;
	if (zero)
		parts[n++] = (struct bytes){&c0, 1};
	/* The M-ID as the ISAKMP header carries it: network order. */
	m[0] = (uint8_t)(mid >> 24);
	m[1] = (uint8_t)(mid >> 16);
	m[2] = (uint8_t)(mid >> 8);
	m[3] = (uint8_t)mid;
	parts[n++] = (struct bytes){m, sizeof(m)};
	for (i = 0; i < nrest; i++) {
		if (!bytes_ok(rest[i]))
			return -1;
		parts[n++] = rest[i];
	}
	return crypto_prf_compute(prf, skeyid_a->ptr, skeyid_a->len, parts, n,
				  out);
}

int
keymat_v1_hash1(const struct prf_alg *prf, const struct secret *skeyid_a,
		uint32_t mid, struct bytes rest, uint8_t *out)
{
	return hash_qm(prf, skeyid_a, false, mid, &rest, 1, out);
}

int
keymat_v1_hash2(const struct prf_alg *prf, const struct secret *skeyid_a,
		uint32_t mid, struct bytes ni_b, struct bytes rest,
		uint8_t *out)
{
	const struct bytes r[] = {ni_b, rest};

	return hash_qm(prf, skeyid_a, false, mid, r, 2, out);
}

int
keymat_v1_hash3(const struct prf_alg *prf, const struct secret *skeyid_a,
		uint32_t mid, struct bytes ni_b, struct bytes nr_b,
		uint8_t *out)
{
	const struct bytes r[] = {ni_b, nr_b};

	return hash_qm(prf, skeyid_a, true, mid, r, 2, out);
}

bool
keymat_v1_hash_equal(const uint8_t *want, size_t want_len, struct bytes got)
{
	if (!want || !got.ptr || got.len != want_len)
		return false;
	return bytes_equal_ct(want, got.ptr, want_len);
}

int
keymat_v1_child_spi(const struct prf_alg *prf, const struct secret *skeyid_d,
		    const struct secret *gxy, uint8_t protocol,
		    const uint8_t spi[SPI4_LEN], struct bytes ni_b,
		    struct bytes nr_b, size_t encr_len, size_t integ_len,
		    struct secret **encr, struct secret **integ)
{
	const size_t need = encr_len + integ_len;
	struct bytes parts[6];
	struct secret *km;
	size_t n = 0, done, step;

	if (encr)
		*encr = NULL;
	if (integ)
		*integ = NULL;
	if (!prf || !skeyid_d || !spi || !encr || !integ || !bytes_ok(ni_b) ||
	    !bytes_ok(nr_b) || need > KEYMAT_MAX)
		return -1;
	step = prf->out_len;
	km = secret_new(need ? (need + step - 1) / step * step : step);
	if (!km)
		return -1;
	/* parts[0] is Kn-1, left out of K1. */
	parts[n++] = (struct bytes){NULL, 0};
	if (gxy)
		parts[n++] = sbytes(gxy);
	parts[n++] = (struct bytes){&protocol, 1};
	parts[n++] = (struct bytes){spi, SPI4_LEN};
	parts[n++] = ni_b;
	parts[n++] = nr_b;
	for (done = 0; done < need; done += step) {
		if (crypto_prf_compute(prf, skeyid_d->ptr, skeyid_d->len, parts,
				       n, km->ptr + done) != 0)
			goto fail;
		parts[0] = (struct bytes){km->ptr + done, step};
	}
	if (encr_len && !(*encr = secret_dup(km->ptr, encr_len)))
		goto fail;
	if (integ_len && !(*integ = secret_dup(km->ptr + encr_len, integ_len)))
		goto fail;
	secret_free(km);
	return 0;
fail:
	secret_free(km);
	secret_free(*encr);
	*encr = NULL;
	return -1;
}

int
keymat_v1_child(const struct prf_alg *prf, const struct secret *skeyid_d,
		const struct secret *gxy, uint8_t protocol,
		const uint8_t spi_i[SPI4_LEN], const uint8_t spi_r[SPI4_LEN],
		struct bytes ni_b, struct bytes nr_b, size_t encr_len,
		size_t integ_len, struct child_keys *out)
{
	if (!out)
		return -1;
	memset(out, 0, sizeof(*out));
	/* An SA's keys come from the SPI its receiver chose (RFC 2409 5.5):
	 * the responder's for traffic to it, the initiator's for traffic
	 * back. */
	if (keymat_v1_child_spi(prf, skeyid_d, gxy, protocol, spi_r, ni_b, nr_b,
				encr_len, integ_len, &out->encr_i,
				&out->integ_i) != 0 ||
	    keymat_v1_child_spi(prf, skeyid_d, gxy, protocol, spi_i, ni_b, nr_b,
				encr_len, integ_len, &out->encr_r,
				&out->integ_r) != 0) {
		child_keys_clear(out);
		return -1;
	}
	return 0;
}
