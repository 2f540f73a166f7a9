/* SPDX-License-Identifier: ISC */
/*
 * Certificates and CRLs described for list-certs and list-authorities.
 * The files are read here rather than asked of the x509 plugin: their
 * paths are in the core's configuration, and the plugin ABI stays as it
 * is. Reading them again costs little (an admin asks now and then) and
 * shows what is on disk now, which is what an admin about to reload wants
 * to see. Files are read whole, PEM (every certificate in it) or DER, as
 * the plugin reads them (plugins/x509/cred.c).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "cert_info.h"
#include "ctl.h"

#define FILE_MAX (1024 * 1024) /* as the plugin: larger is no certificate */

/* OpenSSL's last reason, for a message; its queue is emptied. */
static const char *
ssl_reason(void)
{
	unsigned long e = ERR_peek_last_error();
	const char *r = e ? ERR_reason_error_string(e) : NULL;

	ERR_clear_error();
	return r ? r : "not in a form it knows";
}

/* The whole file in a malloc'ed buffer, or NULL with the reason. */
static unsigned char *
read_all(const char *path, size_t *n, char *why, size_t len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *b;
	struct stat st;

	if (!f || fstat(fileno(f), &st) < 0) {
		snprintf(why, len, "cannot read %s: %s", path, strerror(errno));
		if (f)
			fclose(f);
		return NULL;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > FILE_MAX) {
		snprintf(why, len, "%s: not a regular file of at most 1 MiB",
			 path);
		fclose(f);
		return NULL;
	}
	b = malloc((size_t)st.st_size + 1);
	if (!b) {
		snprintf(why, len, "%s: out of memory", path);
		fclose(f);
		return NULL;
	}
	*n = fread(b, 1, (size_t)st.st_size, f);
	fclose(f);
	return b;
}

static bool
is_pem(const unsigned char *b, size_t n)
{
	static const char tag[] = "-----BEGIN ";

	return memmem(b, n, tag, sizeof(tag) - 1) != NULL;
}

/* A DN as the x509 plugin writes it in its log (RFC 2253, UTF-8 kept). */
static json_t *
dn_json(const X509_NAME *n)
{
	BIO *b = BIO_new(BIO_s_mem());
	json_t *j = NULL;
	char *p;
	long len;

	if (b && X509_NAME_print_ex(
		     b, n, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0) {
		len = BIO_get_mem_data(b, &p);
		j = ctl_json_text(p, len > 0 ? (size_t)len : 0);
	}
	BIO_free(b);
	return j ? j : json_string("");
}

void
cert_time_text(const ASN1_TIME *t, char *buf, size_t len)
{
	struct tm tm;

	if (!t || !ASN1_TIME_to_tm(t, &tm) ||
	    !strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, len, "%s", "");
}

void
cert_serial_text(const ASN1_INTEGER *s, char *buf, size_t len)
{
	BIGNUM *bn = s ? ASN1_INTEGER_to_BN(s, NULL) : NULL;
	char *h = bn ? BN_bn2hex(bn) : NULL;
	size_t i;

	snprintf(buf, len, "%s", h ? h : "");
	for (i = 0; buf[i]; i++)
		buf[i] = (char)tolower((unsigned char)buf[i]);
	OPENSSL_free(h);
	BN_free(bn);
}

void
cert_key_text(EVP_PKEY *k, char *buf, size_t len, const char **type, int *bits)
{
	char group[64] = "";
	const char *curve = NULL;
	int nid;

	*bits = k ? EVP_PKEY_get_bits(k) : 0;
	if (*bits < 0)
		*bits = 0;
	switch (k ? EVP_PKEY_get_base_id(k) : NID_undef) {
	case EVP_PKEY_RSA:
	case EVP_PKEY_RSA_PSS:
		*type = "RSA";
		snprintf(buf, len, "RSA %d", *bits);
		return;
	case EVP_PKEY_EC:
		*type = "ECDSA";
		/* The NIST name an admin knows (P-256), else OpenSSL's. */
		if (EVP_PKEY_get_utf8_string_param(
			k, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
			NULL)) {
			nid = OBJ_txt2nid(group);
			curve =
			    nid != NID_undef ? EC_curve_nid2nist(nid) : NULL;
		}
		snprintf(buf, len, "ECDSA %s", curve ? curve : group);
		return;
	case EVP_PKEY_ED25519:
		*type = "Ed25519";
		break;
	case EVP_PKEY_ED448:
		*type = "Ed448";
		break;
	default:
		*type = k ? OBJ_nid2sn(EVP_PKEY_get_base_id(k)) : "unknown";
		if (!*type)
			*type = "unknown";
		snprintf(buf, len, "%s %d", *type, *bits);
		return;
	}
	snprintf(buf, len, "%s", *type);
}

/* "DNS:moon.example.org", "email:a@b", "IP:192.0.2.1", "URI:..."; other
 * kinds are not shown (nothing charond matches IDs against). */
static json_t *
sans_json(X509 *x)
{
	GENERAL_NAMES *g =
	    X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	json_t *a = json_array(), *s;
	char ip[INET6_ADDRSTRLEN], pre[8 + INET6_ADDRSTRLEN];
	const unsigned char *d;
	const GENERAL_NAME *n;
	const char *kind;
	int i, l;

	for (i = 0; a && g && i < sk_GENERAL_NAME_num(g); i++) {
		n = sk_GENERAL_NAME_value(g, i);
		switch (n->type) {
		case GEN_DNS:
			kind = "DNS:";
			break;
		case GEN_EMAIL:
			kind = "email:";
			break;
		case GEN_URI:
			kind = "URI:";
			break;
		case GEN_IPADD:
			d = ASN1_STRING_get0_data(n->d.iPAddress);
			l = ASN1_STRING_length(n->d.iPAddress);
			if ((l != 4 && l != 16) ||
			    !inet_ntop(l == 4 ? AF_INET : AF_INET6, d, ip,
				       sizeof(ip)))
				continue;
			snprintf(pre, sizeof(pre), "IP:%s", ip);
			json_array_append_new(a, json_string(pre));
			continue;
		default:
			continue;
		}
		d = ASN1_STRING_get0_data(n->d.ia5);
		l = ASN1_STRING_length(n->d.ia5);
		snprintf(pre, sizeof(pre), "%s", kind);
		/* IA5 from a file anyone may have written: escaped. */
		s = ctl_json_text((const char *)d, l > 0 ? (size_t)l : 0);
		if (s) {
			char *t = malloc(strlen(pre) +
					 strlen(json_string_value(s)) + 1);

			if (t) {
				strcpy(t, pre);
				strcat(t, json_string_value(s));
				json_array_append_new(a, json_string(t));
				free(t);
			}
			json_decref(s);
		}
	}
	GENERAL_NAMES_free(g);
	return a;
}

json_t *
cert_info_x509(X509 *x)
{
	char serial[256], nb[32], na[32], key[96];
	const char *type;
	int bits;

	cert_serial_text(X509_get0_serialNumber(x), serial, sizeof(serial));
	cert_time_text(X509_get0_notBefore(x), nb, sizeof(nb));
	cert_time_text(X509_get0_notAfter(x), na, sizeof(na));
	cert_key_text(X509_get0_pubkey(x), key, sizeof(key), &type, &bits);
	return json_pack("{s:o,s:o,s:s,s:s,s:s,s:s,s:s,s:i,s:o,s:b}", "subject",
			 dn_json(X509_get_subject_name(x)), "issuer",
			 dn_json(X509_get_issuer_name(x)), "serial", serial,
			 "not_before", nb, "not_after", na, "key", key,
			 "key_type", type, "key_bits", bits, "sans",
			 sans_json(x), "ca", X509_check_ca(x) != 0);
}

json_t *
cert_info_file(const char *path, char *why, size_t len)
{
	unsigned char *b;
	const unsigned char *p;
	json_t *a;
	size_t n = 0;
	BIO *bio;
	X509 *x;

	if (!(b = read_all(path, &n, why, len)))
		return NULL;
	a = json_array();
	if (a && is_pem(b, n)) {
		bio = BIO_new_mem_buf(b, (int)n);
		while (bio && (x = PEM_read_bio_X509(bio, NULL, NULL, NULL))) {
			json_array_append_new(a, cert_info_x509(x));
			X509_free(x);
		}
		BIO_free(bio);
	} else if (a) {
		p = b;
		if ((x = d2i_X509(NULL, &p, (long)n))) {
			json_array_append_new(a, cert_info_x509(x));
			X509_free(x);
		}
	}
	free(b);
	if (a && json_array_size(a) == 0) {
		snprintf(why, len, "%s: no certificate in it (PEM or DER): %s",
			 path, ssl_reason());
		json_decref(a);
		return NULL;
	}
	/* The end of a PEM file leaves an error in the queue. */
	ERR_clear_error();
	if (!a)
		snprintf(why, len, "%s: out of memory", path);
	return a;
}

json_t *
cert_info_crl(const char *path, char *why, size_t len)
{
	char last[32], next[32], serial[256];
	STACK_OF(X509_REVOKED) * revoked;
	json_t *serials;
	unsigned char *b;
	int i;
	const unsigned char *p;
	X509_CRL *crl = NULL;
	json_t *o;
	size_t n = 0;
	BIO *bio;

	if (!(b = read_all(path, &n, why, len)))
		return NULL;
	if (is_pem(b, n)) {
		bio = BIO_new_mem_buf(b, (int)n);
		if (bio)
			crl = PEM_read_bio_X509_CRL(bio, NULL, NULL, NULL);
		BIO_free(bio);
	} else {
		p = b;
		crl = d2i_X509_CRL(NULL, &p, (long)n);
	}
	free(b);
	if (!crl) {
		snprintf(why, len, "%s: no CRL in it (PEM or DER): %s", path,
			 ssl_reason());
		return NULL;
	}
	cert_time_text(X509_CRL_get0_lastUpdate(crl), last, sizeof(last));
	/* nextUpdate is optional (RFC 5280 5.1.2.5): null then. */
	cert_time_text(X509_CRL_get0_nextUpdate(crl), next, sizeof(next));
	revoked = X509_CRL_get_REVOKED(crl);
	serials = json_array();
	for (i = 0; serials && i < sk_X509_REVOKED_num(revoked); i++) {
		cert_serial_text(X509_REVOKED_get0_serialNumber(
				     sk_X509_REVOKED_value(revoked, i)),
				 serial, sizeof(serial));
		json_array_append_new(serials, json_string(serial));
	}
	o = json_pack("{s:o,s:s,s:o,s:i,s:o}", "issuer",
		      dn_json(X509_CRL_get_issuer(crl)), "last_update", last,
		      "next_update", *next ? json_string(next) : json_null(),
		      "revoked", (int)json_array_size(serials),
		      "revoked_serials", serials);
	X509_CRL_free(crl);
	if (!o)
		snprintf(why, len, "%s: out of memory", path);
	return o;
}
