/* SPDX-License-Identifier: ISC */
/*
 * The pre-shared key AUTH value (RFC 7296 2.15). The padding string keeps
 * the PSK from being used directly as a key: a PSK must never be fed to the
 * PRF with the signed octets in one step. Also IKEv1's SKEYID for
 * pre-shared keys (RFC 2409 5), which does just that, as specified.
 */
#include <openssl/crypto.h>

#include "ike.h"

#define KEY_PAD "Key Pad for IKEv2"

int
ike_psk_auth(const struct prf_alg *prf, const struct secret *psk,
	     struct bytes octets, uint8_t *out, size_t *len)
{
	struct bytes pad_str = {(const uint8_t *)KEY_PAD, sizeof(KEY_PAD) - 1};
	uint8_t key[64];
	int rc;

	if (!prf || !psk || prf->out_len > sizeof(key) || *len < prf->out_len)
		return -1;
	if (crypto_prf_compute(prf, psk->ptr, psk->len, &pad_str, 1, key) < 0)
		return -1;
	rc = crypto_prf_compute(prf, key, prf->out_len, &octets, 1, out);
	OPENSSL_cleanse(key, sizeof(key));
	*len = prf->out_len;
	return rc;
}

bool
ike_psk_verify(const struct prf_alg *prf, const struct secret *psk,
	       struct bytes octets, struct bytes got)
{
	uint8_t want[64];
	size_t len = sizeof(want);
	bool ok;

	if (ike_psk_auth(prf, psk, octets, want, &len) < 0 || got.len != len)
		return false;
	ok = bytes_equal_ct(want, got.ptr, len);
	OPENSSL_cleanse(want, sizeof(want));
	return ok;
}

int
ike_psk_v1_skeyid(const struct prf_alg *prf, const struct secret *psk,
		  struct bytes octets, uint8_t *out, size_t *len)
{
	if (!prf || !psk || *len < prf->out_len)
		return -1;
	*len = prf->out_len;
	/* IKEv1 keys the PRF with the PSK itself: no pad string there. */
	return crypto_prf_compute(prf, psk->ptr, psk->len, &octets, 1, out);
}
