/* SPDX-License-Identifier: ISC */
/*
 * IKEv2 key derivation: SKEYSEED and the seven SK_* keys of an IKE SA
 * (RFC 7296 section 2.14), their derivation when an IKE SA is rekeyed
 * (2.18), and the keying material of a CHILD SA (2.17). Every key is its
 * own struct secret, so each can be handed on and freed independently;
 * the intermediate prf+ output is cleansed before it is released.
 *
 * Only HMAC PRFs exist in crypto.c, so the special case of 2.14 for PRFs
 * with a fixed key size (AES-XCBC, AES-CMAC: half of each nonce) does not
 * arise here.
 */
#include <string.h>

#include "crypto.h"
#include "ikev2_const.h"
#include "prop.h"

/* The next len bytes of keying material at *p as a key of its own, or
 * NULL for len 0 (no key of that kind); *p moves past them. */
static int
take(const uint8_t **p, size_t len, struct secret **out)
{
	*out = NULL;
	if (len == 0)
		return 0;
	*out = secret_dup(*p, len);
	*p += len;
	return *out ? 0 : -1;
}

static bool
suite_ok(const struct ike_suite *s)
{
	if (!s || !s->encr || !s->prf)
		return false;
	/* An AEAD protects integrity itself and takes no integrity
	 * transform (RFC 5282 section 8); any other cipher needs one. */
	return s->encr->aead == (s->integ == NULL);
}

/*
 * {SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr}
 *     = prf+ (SKEYSEED, Ni | Nr | SPIi | SPIr)
 */
static int
derive_sk(const struct ike_suite *s, const struct secret *skeyseed,
	  struct bytes ni, struct bytes nr, const uint8_t spi_i[8],
	  const uint8_t spi_r[8], struct ike_keys *out)
{
	const size_t prf_len = s->prf->out_len;
	const size_t integ_len = s->integ ? s->integ->key_len : 0;
	const size_t encr_len = s->encr->key_len;
	const struct bytes seed[] = {
	    ni,
	    nr,
	    {spi_i, 8},
	    {spi_r, 8},
	};
	struct secret *km;
	const uint8_t *p;
	int rc = -1;

	km = secret_new(3 * prf_len + 2 * integ_len + 2 * encr_len);
	if (!km)
		return -1;
	if (crypto_prf_plus(s->prf, skeyseed->ptr, skeyseed->len, seed, 4,
			    km->ptr, km->len) != 0)
		goto out;
	p = km->ptr;
	if (take(&p, prf_len, &out->sk_d) != 0 ||
	    take(&p, integ_len, &out->sk_ai) != 0 ||
	    take(&p, integ_len, &out->sk_ar) != 0 ||
	    take(&p, encr_len, &out->sk_ei) != 0 ||
	    take(&p, encr_len, &out->sk_er) != 0 ||
	    take(&p, prf_len, &out->sk_pi) != 0 ||
	    take(&p, prf_len, &out->sk_pr) != 0)
		goto out;
	rc = 0;
out:
	secret_free(km);
	return rc;
}

static bool
args_ok(const struct secret *gir, struct bytes ni, struct bytes nr,
	const uint8_t *spi_i, const uint8_t *spi_r, const struct ike_keys *out)
{
	return gir && out && spi_i && spi_r && (ni.ptr || !ni.len) &&
	       (nr.ptr || !nr.len);
}

int
keymat_v2_ike(const struct ike_suite *s, const struct secret *gir,
	      struct bytes ni, struct bytes nr, const uint8_t spi_i[8],
	      const uint8_t spi_r[8], struct ike_keys *out)
{
	struct secret *nonces;
	const struct bytes g = {gir ? gir->ptr : NULL, gir ? gir->len : 0};

	if (out)
		memset(out, 0, sizeof(*out));
	if (!suite_ok(s) || !args_ok(gir, ni, nr, spi_i, spi_r, out))
		return -1;
	/* SKEYSEED = prf(Ni | Nr, g^ir): the nonces are the key. */
	nonces = secret_new(ni.len + nr.len);
	out->skeyseed = secret_new(s->prf->out_len);
	if (!nonces || !out->skeyseed)
		goto fail;
	if (ni.len)
		memcpy(nonces->ptr, ni.ptr, ni.len);
	if (nr.len)
		memcpy(nonces->ptr + ni.len, nr.ptr, nr.len);
	if (crypto_prf_compute(s->prf, nonces->ptr, nonces->len, &g, 1,
			       out->skeyseed->ptr) != 0)
		goto fail;
	if (derive_sk(s, out->skeyseed, ni, nr, spi_i, spi_r, out) != 0)
		goto fail;
	secret_free(nonces);
	return 0;
fail:
	secret_free(nonces);
	ike_keys_clear(out);
	return -1;
}

int
keymat_v2_ike_rekey(const struct prf_alg *old_prf,
		    const struct secret *old_sk_d, const struct ike_suite *s,
		    const struct secret *gir, struct bytes ni, struct bytes nr,
		    const uint8_t spi_i[8], const uint8_t spi_r[8],
		    struct ike_keys *out)
{
	struct bytes parts[3];

	if (out)
		memset(out, 0, sizeof(*out));
	if (!old_prf || !old_sk_d || !suite_ok(s) ||
	    !args_ok(gir, ni, nr, spi_i, spi_r, out))
		return -1;
	/* SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr), with the old
	 * SA's PRF since the exchange belongs to the old SA (2.18). */
	parts[0] = (struct bytes){gir->ptr, gir->len};
	parts[1] = ni;
	parts[2] = nr;
	out->skeyseed = secret_new(old_prf->out_len);
	if (!out->skeyseed)
		goto fail;
	if (crypto_prf_compute(old_prf, old_sk_d->ptr, old_sk_d->len, parts, 3,
			       out->skeyseed->ptr) != 0)
		goto fail;
	/* The new SA's keys come from its own PRF keyed with SKEYSEED. */
	if (derive_sk(s, out->skeyseed, ni, nr, spi_i, spi_r, out) != 0)
		goto fail;
	return 0;
fail:
	ike_keys_clear(out);
	return -1;
}

void
ike_keys_clear(struct ike_keys *k)
{
	if (!k)
		return;
	secret_free(k->skeyseed);
	secret_free(k->sk_d);
	secret_free(k->sk_ai);
	secret_free(k->sk_ar);
	secret_free(k->sk_ei);
	secret_free(k->sk_er);
	secret_free(k->sk_pi);
	secret_free(k->sk_pr);
	memset(k, 0, sizeof(*k));
}

/*
 * KEYMAT = prf+(SK_d, Ni | Nr), or prf+(SK_d, g^ir (new) | Ni | Nr) with
 * PFS; the initiator-to-responder keys come first, encryption before
 * integrity (2.17). A zero length leaves that key NULL (AEAD, ENCR_NULL).
 */
int
keymat_v2_child(const struct prf_alg *prf, const struct secret *sk_d,
		const struct secret *gir, struct bytes ni, struct bytes nr,
		size_t encr_len, size_t integ_len, struct child_keys *out)
{
	struct bytes seed[3];
	size_t nseed = 0;
	struct secret *km;
	const uint8_t *p;

	if (out)
		memset(out, 0, sizeof(*out));
	if (!prf || !sk_d || !out || (!ni.ptr && ni.len) || (!nr.ptr && nr.len))
		return -1;
	if (gir)
		seed[nseed++] = (struct bytes){gir->ptr, gir->len};
	seed[nseed++] = ni;
	seed[nseed++] = nr;
	km = secret_new(2 * (encr_len + integ_len));
	if (!km)
		return -1;
	if (crypto_prf_plus(prf, sk_d->ptr, sk_d->len, seed, nseed, km->ptr,
			    km->len) != 0)
		goto fail;
	p = km->ptr;
	if (take(&p, encr_len, &out->encr_i) != 0 ||
	    take(&p, integ_len, &out->integ_i) != 0 ||
	    take(&p, encr_len, &out->encr_r) != 0 ||
	    take(&p, integ_len, &out->integ_r) != 0)
		goto fail;
	secret_free(km);
	return 0;
fail:
	secret_free(km);
	child_keys_clear(out);
	return -1;
}

void
child_keys_clear(struct child_keys *k)
{
	if (!k)
		return;
	secret_free(k->encr_i);
	secret_free(k->integ_i);
	secret_free(k->encr_r);
	secret_free(k->integ_r);
	memset(k, 0, sizeof(*k));
}

int
keymat_v2_suite(const struct proposal *p, uint16_t dh, struct ike_suite *s)
{
	const struct transform *encr = prop_xf_first(p, IKEV2_TRANS_ENCR);
	const struct transform *integ = prop_xf_first(p, IKEV2_TRANS_INTEG);
	const struct transform *prf = prop_xf_first(p, IKEV2_TRANS_PRF);

	s->encr = encr ? crypto_encr(encr->id, encr->key_bits) : NULL;
	s->integ = integ && integ->id ? crypto_integ(integ->id) : NULL;
	s->prf = prf ? crypto_prf(prf->id) : NULL;
	s->dh = dh;
	if (!s->encr || !s->prf || (!s->encr->aead && !s->integ))
		return -1;
	return 0;
}
