/* SPDX-License-Identifier: ISC */
/*
 * A small PKI for the tests: keys, certificates with the extensions IKE
 * looks at, CRLs, and files of them in PEM or DER, plain or encrypted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ftw.h>
#include <time.h>

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "pki.h"

EVP_PKEY *
pki_key(const char *kind)
{
	if (strcmp(kind, "rsa") == 0)
		return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	if (strcmp(kind, "rsa1024") == 0)
		return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	if (strcmp(kind, "p256") == 0)
		return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	if (strcmp(kind, "p384") == 0)
		return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	if (strcmp(kind, "p521") == 0)
		return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-521");
	if (strcmp(kind, "ed25519") == 0)
		return EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	if (strcmp(kind, "ed448") == 0)
		return EVP_PKEY_Q_keygen(NULL, NULL, "ED448");
	return NULL;
}

static void
add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *e;

	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (e) {
		X509_add_ext(x, e, -1);
		X509_EXTENSION_free(e);
	}
}

/* EdDSA signs without a separate digest. */
static const EVP_MD *
md_for(EVP_PKEY *k)
{
	return EVP_PKEY_is_a(k, "ED25519") || EVP_PKEY_is_a(k, "ED448")
		   ? NULL
		   : EVP_sha256();
}

X509 *
pki_cert(EVP_PKEY *key, const struct pki_opts *o, X509 *issuer, EVP_PKEY *ikey)
{
	X509 *x = X509_new();
	X509_NAME *n = X509_NAME_new();
	char bc[64];

	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), o->serial ? o->serial : 1);
	X509_NAME_add_entry_by_txt(n, "O", MBSTRING_UTF8,
				   (const unsigned char *)"Example", -1, -1, 0);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8,
				   (const unsigned char *)o->cn, -1, -1, 0);
	X509_set_subject_name(x, n);
	X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : n);
	X509_NAME_free(n);
	X509_gmtime_adj(X509_getm_notBefore(x), o->not_before);
	X509_gmtime_adj(X509_getm_notAfter(x),
			o->not_after ? o->not_after : 30L * 86400);
	X509_set_pubkey(x, key);
	if (o->ca && o->pathlen >= 0)
		snprintf(bc, sizeof(bc), "critical,CA:TRUE,pathlen:%d",
			 o->pathlen);
	else
		snprintf(bc, sizeof(bc),
			 o->ca ? "critical,CA:TRUE" : "CA:FALSE");
	add_ext(x, issuer ? issuer : x, NID_basic_constraints, bc);
	add_ext(x, issuer ? issuer : x, NID_subject_key_identifier, "hash");
	add_ext(x, issuer ? issuer : x, NID_authority_key_identifier,
		"keyid:always");
	if (o->ku || o->ca)
		add_ext(x, issuer ? issuer : x, NID_key_usage,
			o->ku ? o->ku : "critical,keyCertSign,cRLSign");
	if (o->eku)
		add_ext(x, issuer ? issuer : x, NID_ext_key_usage, o->eku);
	if (o->san)
		add_ext(x, issuer ? issuer : x, NID_subject_alt_name, o->san);
	if (!ikey)
		ikey = key;
	X509_sign(x, ikey, md_for(ikey));
	return x;
}

X509_CRL *
pki_crl(X509 *ca, EVP_PKEY *cakey, const long *serials, long last, long next)
{
	X509_CRL *crl = X509_CRL_new();
	ASN1_TIME *t = ASN1_TIME_new();
	size_t i;

	X509_CRL_set_version(crl, 1);
	X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca));
	X509_gmtime_adj(t, last);
	X509_CRL_set1_lastUpdate(crl, t);
	X509_gmtime_adj(t, next);
	X509_CRL_set1_nextUpdate(crl, t);
	for (i = 0; serials && serials[i]; i++) {
		X509_REVOKED *r = X509_REVOKED_new();
		ASN1_INTEGER *s = ASN1_INTEGER_new();

		ASN1_INTEGER_set(s, serials[i]);
		X509_REVOKED_set_serialNumber(r, s);
		/* 2026-03-04 12:00:00 UTC, for the message's date. */
		ASN1_TIME_set(t, 1772625600);
		X509_REVOKED_set_revocationDate(r, t);
		X509_CRL_add0_revoked(crl, r);
		ASN1_INTEGER_free(s);
	}
	ASN1_TIME_free(t);
	X509_CRL_sort(crl);
	X509_CRL_sign(crl, cakey, md_for(cakey));
	return crl;
}

static char dir[64];

static int
rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(p);
}

/* Each test runs in a process of its own (CK_FORK): each its directory,
 * removed when it exits. */
static void
rm_dir(void)
{
	nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

const char *
pki_dir(void)
{
	if (!dir[0]) {
		snprintf(dir, sizeof(dir), "/tmp/x509-unit.XXXXXX");
		if (!mkdtemp(dir))
			abort();
		atexit(rm_dir);
	}
	return dir;
}

static char path[256];

const char *
pki_write_cert(X509 *x, bool der, const char *name)
{
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", pki_dir(), name);
	f = fopen(path, "wb");
	if (der)
		i2d_X509_fp(f, x);
	else
		PEM_write_X509(f, x);
	fclose(f);
	return path;
}

const char *
pki_write_key(EVP_PKEY *k, bool der, const char *pass, const char *name)
{
	const EVP_CIPHER *c = pass ? EVP_aes_256_cbc() : NULL;
	BIO *b;

	snprintf(path, sizeof(path), "%s/%s", pki_dir(), name);
	b = BIO_new_file(path, "wb");
	if (der)
		i2d_PKCS8PrivateKey_bio(b, k, c, NULL, 0, NULL, (void *)pass);
	else
		PEM_write_bio_PKCS8PrivateKey(b, k, c, NULL, 0, NULL,
					      (void *)pass);
	BIO_free(b);
	return path;
}
