/* SPDX-License-Identifier: ISC */
/*
 * Work an IKE SA would otherwise repeat, remembered across SAs:
 *   - the peer's certificates, parsed from DER: the ID check and the AUTH
 *     check each read the same CERT payloads, and OpenSSL 3 spends most
 *     of a parse setting up the decoder of the public key;
 *   - whether one certificate signed another: the chain of our own
 *     certificate is chosen for every SA (the peer's CERTREQ may differ),
 *     and each link is a signature verification.
 * Entries hold references, so a certificate the credential cache let go
 * cannot be mistaken for a new one at the same address. Both tables are
 * small rings: an entry is only worth keeping while the same peer's
 * IKE_AUTH, or the same configuration, is being served.
 */
#include <string.h>

#include <openssl/x509.h>

#include "x509.h"

#define DER_SLOTS    8
#define ISSUED_SLOTS 32

static struct {
	unsigned char *der;
	size_t len;
	X509 *x;
} der_memo[DER_SLOTS];
static size_t der_next;

static struct {
	X509 *issuer, *x;
	bool ok;
} issued_memo[ISSUED_SLOTS];
static size_t issued_next;

X509 *
memo_cert(const unsigned char *der, size_t len)
{
	const unsigned char *p = der;
	unsigned char *copy;
	X509 *x;
	size_t i;

	for (i = 0; i < DER_SLOTS; i++)
		if (der_memo[i].x && der_memo[i].len == len &&
		    memcmp(der_memo[i].der, der, len) == 0)
			return X509_up_ref(der_memo[i].x) ? der_memo[i].x
							  : NULL;
	x = d2i_X509(NULL, &p, (long)len);
	if (!x || p != der + len) {
		X509_free(x);
		return NULL;
	}
	copy = OPENSSL_memdup(der, len);
	if (!copy || !X509_up_ref(x)) {
		OPENSSL_free(copy);
		return x; /* not remembered, still good */
	}
	i = der_next++ % DER_SLOTS;
	OPENSSL_free(der_memo[i].der);
	X509_free(der_memo[i].x);
	der_memo[i].der = copy;
	der_memo[i].len = len;
	der_memo[i].x = x;
	return x;
}

bool
memo_issued(X509 *issuer, X509 *x, bool (*check)(X509 *issuer, X509 *x))
{
	bool ok;
	size_t i;

	for (i = 0; i < ISSUED_SLOTS; i++)
		if (issued_memo[i].issuer == issuer && issued_memo[i].x == x)
			return issued_memo[i].ok;
	ok = check(issuer, x);
	if (!X509_up_ref(issuer))
		return ok;
	if (!X509_up_ref(x)) {
		X509_free(issuer);
		return ok;
	}
	i = issued_next++ % ISSUED_SLOTS;
	X509_free(issued_memo[i].issuer);
	X509_free(issued_memo[i].x);
	issued_memo[i].issuer = issuer;
	issued_memo[i].x = x;
	issued_memo[i].ok = ok;
	return ok;
}

void
memo_free(void)
{
	size_t i;

	for (i = 0; i < DER_SLOTS; i++) {
		OPENSSL_free(der_memo[i].der);
		X509_free(der_memo[i].x);
	}
	for (i = 0; i < ISSUED_SLOTS; i++) {
		X509_free(issued_memo[i].issuer);
		X509_free(issued_memo[i].x);
	}
	memset(der_memo, 0, sizeof(der_memo));
	memset(issued_memo, 0, sizeof(issued_memo));
	der_next = issued_next = 0;
}
