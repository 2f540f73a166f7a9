/* SPDX-License-Identifier: ISC */
/*
 * ID_DER_ASN1_DN (RFC 7296 3.5) and text. To text for the log and
 * list-sas: the peer's bytes go through OpenSSL's DER decoder and come
 * out in RFC 4514 order ("CN=moon,O=Example"), with what RFC 4514
 * escapes escaped, so that no byte of the peer's choosing reaches a log
 * line raw. From text for a configured ID, in the same order, so that
 * what the log shows can be written back. Two DNs are equal as X.509
 * compares them (string types and case of most attributes aside), not
 * octet by octet: a certificate's PrintableString C= is the UTF8String
 * written in a config.
 */
#include <string.h>

#include <openssl/bio.h>
#include <openssl/objects.h>
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

/* One "ATTR=VALUE" of a DN as text into n: leading and trailing blanks
 * dropped, "\," and the like unescaped. -1 if it is none. */
static int
add_rdn(X509_NAME *n, const char *s, size_t len)
{
	char attr[32], value[IKE_ID_MAX + 1];
	size_t i = 0, a = 0, v = 0;

	while (i < len && s[i] == ' ')
		i++;
	while (i < len && s[i] != '=' && s[i] != ' ' && a + 1 < sizeof(attr))
		attr[a++] = s[i++];
	attr[a] = '\0';
	while (i < len && s[i] == ' ')
		i++;
	if (a == 0 || i >= len || s[i++] != '=')
		return -1;
	while (i < len && s[i] == ' ')
		i++;
	for (; i < len && v + 1 < sizeof(value); i++) {
		if (s[i] == '\\' && i + 1 < len)
			i++;
		value[v++] = s[i];
	}
	while (v > 0 && value[v - 1] == ' ' && !(v > 1 && value[v - 2] == '\\'))
		v--;
	value[v] = '\0';
	if (v == 0 || OBJ_txt2nid(attr) == NID_undef)
		return -1;
	/* Index 0: RFC 4514 writes the last RDN first. */
	return X509_NAME_add_entry_by_txt(n, attr, MBSTRING_UTF8,
					  (const unsigned char *)value, -1, 0,
					  0) == 1
		   ? 0
		   : -1;
}

int
ike_dn_from_text(const char *text, uint8_t *out, size_t *len)
{
	X509_NAME *n = X509_NAME_new();
	unsigned char *der = NULL;
	const char *p = text, *end;
	int dlen = -1;

	if (!n || !strchr(text, '='))
		goto out;
	for (;;) {
		/* The next unescaped comma ends this RDN. */
		for (end = p; *end && *end != ','; end++)
			if (*end == '\\' && end[1])
				end++;
		if (add_rdn(n, p, (size_t)(end - p)) < 0)
			goto fail;
		if (!*end)
			break;
		p = end + 1;
	}
	dlen = i2d_X509_NAME(n, &der);
	if (dlen <= 0 || (size_t)dlen > *len)
		goto fail;
	memcpy(out, der, (size_t)dlen);
	*len = (size_t)dlen;
	goto out;
fail:
	dlen = -1;
out:
	OPENSSL_free(der);
	X509_NAME_free(n);
	return dlen > 0 ? 0 : -1;
}

bool
ike_dn_equal(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	const unsigned char *p = a, *q = b;
	X509_NAME *x = d2i_X509_NAME(NULL, &p, (long)alen);
	X509_NAME *y = d2i_X509_NAME(NULL, &q, (long)blen);
	bool eq = x && y && p == a + alen && q == b + blen &&
		  X509_NAME_cmp(x, y) == 0;

	X509_NAME_free(x);
	X509_NAME_free(y);
	return eq;
}
