/* SPDX-License-Identifier: ISC */
/*
 * Identities and certificates (RFC 4945 3.1, RFC 7296 3.5): an ID is
 * backed by a certificate when it is one of its subjectAltNames of the
 * same kind (dNSName for ID_FQDN, rfc822Name for ID_RFC822_ADDR,
 * iPAddress for ID_IPV4_ADDR and ID_IPV6_ADDR), or, for ID_DER_ASN1_DN,
 * when it is the certificate's subject. Names compare without regard to
 * case, addresses octet by octet; no wildcards.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/x509v3.h>

#include "ike.h"
#include "ikev2_const.h"
#include "x509.h"

void
ident_text(uint8_t type, const uint8_t *data, size_t n, char *buf, size_t len)
{
	const unsigned char *p = data;
	X509_NAME *dn;
	size_t i;

	if (len)
		buf[0] = '\0';
	if (type == IKEV2_ID_IPV4_ADDR && n == 4) {
		inet_ntop(AF_INET, data, buf, (socklen_t)len);
	} else if (type == IKEV2_ID_IPV6_ADDR && n == 16) {
		inet_ntop(AF_INET6, data, buf, (socklen_t)len);
	} else if (type == IKEV2_ID_DER_ASN1_DN &&
		   (dn = d2i_X509_NAME(NULL, &p, (long)n))) {
		cred_name(dn, buf, len);
		X509_NAME_free(dn);
	} else if (type == IKEV2_ID_FQDN || type == IKEV2_ID_RFC822_ADDR) {
		/* The peer's bytes: printable ASCII only, for the log. */
		for (i = 0; i < n && i + 1 < len; i++)
			buf[i] = data[i] >= 0x20 && data[i] < 0x7f
				     ? (char)data[i]
				     : '?';
		if (len)
			buf[i < len ? i : len - 1] = '\0';
	} else {
		snprintf(buf, len, "<ID type %u, %zu octets>", type, n);
	}
}

void
ident_from_text(const char *text, uint8_t *type, const uint8_t **data,
		size_t *n, uint8_t *buf)
{
	size_t len = IKE_ID_MAX;

	if (inet_pton(AF_INET, text, buf) == 1) {
		*type = IKEV2_ID_IPV4_ADDR;
		*data = buf;
		*n = 4;
	} else if (inet_pton(AF_INET6, text, buf) == 1) {
		*type = IKEV2_ID_IPV6_ADDR;
		*data = buf;
		*n = 16;
	} else if (ike_dn_from_text(text, buf, &len) == 0) {
		*type = IKEV2_ID_DER_ASN1_DN;
		*data = buf;
		*n = len;
	} else {
		/* As charond's conns.c reads it. */
		*type =
		    strchr(text, '@') ? IKEV2_ID_RFC822_ADDR : IKEV2_ID_FQDN;
		*data = (const uint8_t *)text;
		*n = strlen(text);
	}
}

static bool
san_fits(const GENERAL_NAME *g, uint8_t type, const uint8_t *data, size_t n)
{
	const ASN1_STRING *s;
	int gtype;

	s = GENERAL_NAME_get0_value(g, &gtype);
	if (!s)
		return false;
	switch (type) {
	case IKEV2_ID_FQDN:
		return gtype == GEN_DNS && (size_t)ASN1_STRING_length(s) == n &&
		       strncasecmp((const char *)ASN1_STRING_get0_data(s),
				   (const char *)data, n) == 0;
	case IKEV2_ID_RFC822_ADDR:
		return gtype == GEN_EMAIL &&
		       (size_t)ASN1_STRING_length(s) == n &&
		       strncasecmp((const char *)ASN1_STRING_get0_data(s),
				   (const char *)data, n) == 0;
	case IKEV2_ID_IPV4_ADDR:
	case IKEV2_ID_IPV6_ADDR:
		return gtype == GEN_IPADD &&
		       (size_t)ASN1_STRING_length(s) == n &&
		       memcmp(ASN1_STRING_get0_data(s), data, n) == 0;
	default:
		return false;
	}
}

/* A SAN for the log: a name or an address. */
static void
san_text(const GENERAL_NAME *g, char *buf, size_t len)
{
	const ASN1_STRING *s;
	int gtype, n;

	s = GENERAL_NAME_get0_value(g, &gtype);
	n = s ? ASN1_STRING_length(s) : 0;
	if (gtype == GEN_IPADD && n == 4)
		ident_text(IKEV2_ID_IPV4_ADDR, ASN1_STRING_get0_data(s), 4, buf,
			   len);
	else if (gtype == GEN_IPADD && n == 16)
		ident_text(IKEV2_ID_IPV6_ADDR, ASN1_STRING_get0_data(s), 16,
			   buf, len);
	else if (gtype == GEN_DNS || gtype == GEN_EMAIL)
		ident_text(IKEV2_ID_FQDN, ASN1_STRING_get0_data(s), (size_t)n,
			   buf, len);
	else
		snprintf(buf, len, "<other>");
}

static bool
dn_fits(X509 *cert, const uint8_t *data, size_t n)
{
	const unsigned char *p = data;
	X509_NAME *dn = d2i_X509_NAME(NULL, &p, (long)n);
	bool ok = dn && p == data + n &&
		  X509_NAME_cmp(dn, X509_get_subject_name(cert)) == 0;

	X509_NAME_free(dn);
	return ok;
}

int
ident_match(X509 *cert, uint8_t type, const uint8_t *data, size_t n,
	    const char *who, char *why, size_t len)
{
	GENERAL_NAMES *sans =
	    X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
	char id[300], sans_text[512] = "", one[300];
	size_t at = 0;
	bool ok = false;
	int i;

	if (type == IKEV2_ID_DER_ASN1_DN) {
		ok = dn_fits(cert, data, n);
	} else {
		for (i = 0; !ok && sans && i < sk_GENERAL_NAME_num(sans); i++)
			ok = san_fits(sk_GENERAL_NAME_value(sans, i), type,
				      data, n);
	}
	if (ok) {
		GENERAL_NAMES_free(sans);
		return 0;
	}
	for (i = 0; sans && i < sk_GENERAL_NAME_num(sans); i++) {
		int w;

		san_text(sk_GENERAL_NAME_value(sans, i), one, sizeof(one));
		w = snprintf(sans_text + at, sizeof(sans_text) - at, "%s%s",
			     i ? ", " : "", one);
		if (w < 0 || (size_t)w >= sizeof(sans_text) - at)
			break;
		at += (size_t)w;
	}
	GENERAL_NAMES_free(sans);
	ident_text(type, data, n, id, sizeof(id));
	if (type == IKEV2_ID_DER_ASN1_DN) {
		cred_name(X509_get_subject_name(cert), one, sizeof(one));
		snprintf(why, len, "%s %s is not its certificate's subject %s",
			 who, id, one);
	} else {
		snprintf(why, len, "%s %s not in its certificate (SANs: %s)",
			 who, id, at ? sans_text : "none");
	}
	return -1;
}
