/* SPDX-License-Identifier: ISC */
/*
 * Certificates, keys and CRLs made at test time through the OpenSSL API
 * (no key is committed), for the x509 plugin's tests.
 */
#ifndef TEST_X509_PKI_H
#define TEST_X509_PKI_H

#include <stdbool.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

/* "rsa" (2048 bits), "rsa1024", "p256", "p384", "p521", "ed25519",
 * "ed448". */
EVP_PKEY *pki_key(const char *kind);

struct pki_opts {
	const char *cn;  /* subject CN; O=Example is added */
	bool ca;         /* basicConstraints CA:TRUE (else CA:FALSE) */
	int pathlen;     /* with ca: -1 for none */
	long not_before; /* seconds from now */
	long not_after;  /* seconds from now; 0: 30 days */
	const char *san; /* "DNS:a,IP:1.2.3.4", or NULL */
	const char *ku;  /* keyUsage value, or NULL (CA: keyCertSign...) */
	const char *eku; /* extendedKeyUsage value, or NULL */
	long serial;
};

/* A certificate for key, issued by issuer/ikey (NULL, NULL: itself). */
X509 *pki_cert(EVP_PKEY *key, const struct pki_opts *o, X509 *issuer,
	       EVP_PKEY *ikey);
/* A CRL of ca revoking the serials (0-terminated), valid from
 * last (seconds from now) to next. */
X509_CRL *pki_crl(X509 *ca, EVP_PKEY *cakey, const long *serials, long last,
		  long next);
/* Write PEM (der false) or DER files into a temporary directory; the
 * path is static storage for one call. */
const char *pki_write_cert(X509 *x, bool der, const char *name);
const char *pki_write_key(EVP_PKEY *k, bool der, const char *pass,
			  const char *name);
const char *pki_dir(void);

#endif
