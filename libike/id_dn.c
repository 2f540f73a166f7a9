/* SPDX-License-Identifier: ISC */
/*
 * ID_DER_ASN1_DN (RFC 7296 3.5) as text for the log and list-sas: the
 * peer's bytes go through OpenSSL's DER decoder and come out in RFC 4514
 * order ("CN=moon,O=Example"), with what RFC 4514 escapes escaped, so
 * that no byte of the peer's choosing reaches a log line raw.
 */
#include <openssl/bio.h>
#include <openssl/x509.h>

#include "ike.h"

int
ike_dn_text(const uint8_t *data, size_t n, char *buf, size_t len)
{
	const unsigned char *p = data;
	X509_NAME *dn;
	BIO *b;
	int got = -1;

	if (len)
		buf[0] = '\0';
	if (!len || n > IKE_ID_MAX)
		return -1;
	dn = d2i_X509_NAME(NULL, &p, (long)n);
	if (!dn || p != data + n) {
		X509_NAME_free(dn);
		return -1;
	}
	b = BIO_new(BIO_s_mem());
	if (b && X509_NAME_print_ex(b, dn, 0, XN_FLAG_RFC2253) >= 0) {
		got = BIO_read(b, buf, (int)len - 1);
		buf[got > 0 ? got : 0] = '\0';
	}
	BIO_free(b);
	X509_NAME_free(dn);
	return got > 0 ? 0 : -1;
}
