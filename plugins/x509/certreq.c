/* SPDX-License-Identifier: ISC */
/*
 * CERTREQ (RFC 7296 3.7): for X.509 signatures (encoding 4), the
 * Certification Authority field is a list of SHA-1 hashes of the trusted
 * CAs' SubjectPublicKeyInfo, 20 octets each. SHA-1 here names a key; it
 * signs nothing.
 */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "x509.h"

int
certreq_hash(X509 *ca, uint8_t out[CERTREQ_HASH_LEN])
{
	unsigned char *spki = NULL;
	unsigned n = 0;
	int len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(ca), &spki);
	int rc = -1;

	if (len > 0 &&
	    EVP_Digest(spki, (size_t)len, out, &n, EVP_sha1(), NULL) == 1 &&
	    n == CERTREQ_HASH_LEN)
		rc = 0;
	OPENSSL_free(spki);
	return rc;
}

bool
certreq_names(const uint8_t *data, size_t len, X509 *ca)
{
	uint8_t h[CERTREQ_HASH_LEN];
	size_t i;

	if (certreq_hash(ca, h) < 0)
		return false;
	for (i = 0; i + CERTREQ_HASH_LEN <= len; i += CERTREQ_HASH_LEN)
		if (memcmp(data + i, h, CERTREQ_HASH_LEN) == 0)
			return true;
	return false;
}
