/* SPDX-License-Identifier: ISC */
/*
 * Credentials from files: certificates, private keys and CRLs, PEM or
 * DER, and a cache that keeps each file's objects while the file stays
 * the same (device, inode, size, modification time). charond gives a
 * plugin no reload notification, and needs none here: a reload shows new
 * paths through the views, and a changed file is read again on its next
 * use, by the config check of the reload first of all. A running daemon
 * keeps what a file last loaded when it breaks or goes (the check, which
 * refuses the reload, says so); the check itself sees the error.
 *
 * A key file's bytes are cleansed once parsed; the keys themselves are
 * OpenSSL's, whose free clears their private parts. An encrypted key
 * (PKCS#8 in PEM or DER, or the traditional PEM with Proc-Type) is
 * decrypted with the passphrase the caller gives, which its entry keeps
 * a copy of in OpenSSL's secure heap: a key loaded with another
 * passphrase (a reload changed it) is read again, so that a wrong one is
 * seen even while the file stays the same.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509v3.h>

#include "x509.h"

#define FILE_MAX (1024 * 1024) /* larger is no certificate, key or CRL */

enum cred_kind { KIND_CERTS, KIND_KEY, KIND_CRL };

struct cred_entry {
	struct cred_entry *next;
	char *path;
	enum cred_kind kind;
	struct stat st;
	STACK_OF(X509) * certs;
	EVP_PKEY *key;
	X509_CRL *crl;
	uint8_t *pass; /* KIND_KEY: the passphrase it was read with */
	size_t pass_len;
	bool had_pass;
};

static struct cred_entry *cache;
static bool last_good;

void
cred_keep_last_good(bool on)
{
	last_good = on;
}

static void
entry_free(struct cred_entry *e)
{
	if (!e)
		return;
	sk_X509_pop_free(e->certs, X509_free);
	EVP_PKEY_free(e->key);
	X509_CRL_free(e->crl);
	OPENSSL_secure_clear_free(e->pass, e->pass_len);
	free(e->path);
	free(e);
}

void
cred_cache_free(void)
{
	struct cred_entry *e, *next;

	for (e = cache; e; e = next) {
		next = e->next;
		entry_free(e);
	}
	cache = NULL;
}

static bool
same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino &&
	       a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	       a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/* The first reason OpenSSL queued, for a message; the queue is emptied. */
static const char *
ssl_reason(void)
{
	unsigned long e = ERR_peek_last_error();
	const char *r = e ? ERR_reason_error_string(e) : NULL;

	ERR_clear_error();
	return r ? r : "not in a form it knows";
}

/* The whole file, at most FILE_MAX octets, in *buf (*n octets). */
static int
read_all(const char *path, struct stat *st, uint8_t **buf, size_t *n, char *why,
	 size_t len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b;

	*buf = NULL;
	if (!f || fstat(fileno(f), st) < 0) {
		snprintf(why, len, "cannot read %s: %s", path, strerror(errno));
		if (f)
			fclose(f);
		return -1;
	}
	if (st->st_size > FILE_MAX || !S_ISREG(st->st_mode)) {
		snprintf(why, len, "%s: not a regular file of at most 1 MiB",
			 path);
		fclose(f);
		return -1;
	}
	b = malloc((size_t)st->st_size + 1);
	if (!b) {
		fclose(f);
		snprintf(why, len, "%s: out of memory", path);
		return -1;
	}
	*n = fread(b, 1, (size_t)st->st_size, f);
	fclose(f);
	*buf = b;
	return 0;
}

static bool
is_pem(const uint8_t *b, size_t n)
{
	static const char tag[] = "-----BEGIN ";

	return n >= sizeof(tag) - 1 &&
	       memmem(b, n, tag, sizeof(tag) - 1) != NULL;
}

static int
parse_certs(struct cred_entry *e, const uint8_t *b, size_t n, char *why,
	    size_t len)
{
	BIO *bio = BIO_new_mem_buf(b, (int)n);
	const unsigned char *p = b;
	X509 *x;

	e->certs = sk_X509_new_null();
	if (!bio || !e->certs) {
		BIO_free(bio);
		snprintf(why, len, "%s: out of memory", e->path);
		return -1;
	}
	if (is_pem(b, n)) {
		while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)))
			if (!sk_X509_push(e->certs, x))
				X509_free(x);
		/* The end of the file is an error in the queue too. */
		ERR_clear_error();
	} else if ((x = d2i_X509(NULL, &p, (long)n))) {
		if (!sk_X509_push(e->certs, x))
			X509_free(x);
	}
	BIO_free(bio);
	if (sk_X509_num(e->certs) == 0) {
		snprintf(why, len, "%s: no certificate in it (PEM or DER): %s",
			 e->path, ssl_reason());
		return -1;
	}
	return 0;
}

/* What the PEM passphrase callback has and learns. */
struct pass_ask {
	const struct cred_pass *pass; /* NULL: none to give */
	bool asked;
};

/* pem_password_cb: the passphrase if there is one; remember we were asked,
 * so the message can say why the key did not load. */
static int
give_passphrase(char *buf, int size, int rwflag, void *u)
{
	struct pass_ask *a = u;

	a->asked = true;
	if (!a->pass || a->pass->len > (size_t)size || a->pass->len > INT_MAX)
		return -1;
	memcpy(buf, a->pass->ptr, a->pass->len);
	return (int)a->pass->len;
}

/* An encrypted PKCS#8 key in DER (EncryptedPrivateKeyInfo), decrypted. */
static EVP_PKEY *
der_encrypted(const uint8_t *b, size_t n, struct pass_ask *a)
{
	const unsigned char *p = b;
	X509_SIG *enc = d2i_X509_SIG(NULL, &p, (long)n);
	PKCS8_PRIV_KEY_INFO *info = NULL;
	EVP_PKEY *key = NULL;

	if (!enc)
		return NULL;
	a->asked = true;
	if (a->pass && a->pass->len <= INT_MAX)
		info = PKCS8_decrypt(enc, (const char *)a->pass->ptr,
				     (int)a->pass->len);
	if (info)
		key = EVP_PKCS82PKEY(info);
	PKCS8_PRIV_KEY_INFO_free(info);
	X509_SIG_free(enc);
	return key;
}

static int
parse_key(struct cred_entry *e, const uint8_t *b, size_t n,
	  const struct cred_pass *pass, char *why, size_t len)
{
	const unsigned char *p = b;
	struct pass_ask a = {pass, false};
	BIO *bio;

	if (is_pem(b, n)) {
		bio = BIO_new_mem_buf(b, (int)n);
		if (bio)
			e->key = PEM_read_bio_PrivateKey(bio, NULL,
							 give_passphrase, &a);
		BIO_free(bio);
	} else {
		e->key = d2i_AutoPrivateKey(NULL, &p, (long)n);
		if (!e->key)
			e->key = der_encrypted(b, n, &a);
	}
	if (e->key) {
		ERR_clear_error();
		return 0;
	}
	if (a.asked && !pass)
		snprintf(why, len,
			 "key %s is encrypted: add a secrets.private entry "
			 "with its passphrase ({file: %s, secret_file: "
			 "PATH})",
			 e->path, e->path);
	else if (a.asked)
		snprintf(why, len,
			 "key %s: the passphrase in secrets.private (%s) "
			 "does not decrypt it",
			 e->path, pass->where ? pass->where : "?");
	else
		snprintf(why, len, "%s: no private key in it (PEM or DER): %s",
			 e->path, ssl_reason());
	ERR_clear_error();
	return -1;
}

static int
parse_crl(struct cred_entry *e, const uint8_t *b, size_t n, char *why,
	  size_t len)
{
	const unsigned char *p = b;
	BIO *bio;

	if (is_pem(b, n)) {
		bio = BIO_new_mem_buf(b, (int)n);
		if (bio)
			e->crl = PEM_read_bio_X509_CRL(bio, NULL, NULL, NULL);
		BIO_free(bio);
	} else {
		e->crl = d2i_X509_CRL(NULL, &p, (long)n);
	}
	if (!e->crl) {
		snprintf(why, len, "%s: no CRL in it (PEM or DER): %s", e->path,
			 ssl_reason());
		return -1;
	}
	return 0;
}

static struct cred_entry *read_entry(const char *path, enum cred_kind kind,
				     const struct cred_pass *pass, char *why,
				     size_t len);

/* Whether entry e of a key was read with pass (both none counts). */
static bool
same_pass(const struct cred_entry *e, const struct cred_pass *pass)
{
	if (e->kind != KIND_KEY)
		return true;
	if (!pass || !e->had_pass)
		return !pass && !e->had_pass;
	return e->pass_len == pass->len &&
	       CRYPTO_memcmp(e->pass, pass->ptr, pass->len) == 0;
}

/* The cache's entry for path, read (again) when it is new or changed. */
static struct cred_entry *
lookup(const char *path, enum cred_kind kind, const struct cred_pass *pass,
       char *why, size_t len)
{
	struct cred_entry **pp, *old = NULL, *e;
	struct stat st;

	if (stat(path, &st) < 0) {
		snprintf(why, len, "cannot read %s: %s", path, strerror(errno));
		/* Gone since it loaded: as for a broken file. */
		for (old = cache; last_good && old; old = old->next)
			if (old->kind == kind && strcmp(old->path, path) == 0)
				return old;
		return NULL;
	}
	for (pp = &cache; (old = *pp); pp = &old->next) {
		if (old->kind != kind || strcmp(old->path, path) != 0)
			continue;
		if (same_file(&old->st, &st) && same_pass(old, pass))
			return old;
		*pp = old->next;
		break;
	}
	e = read_entry(path, kind, pass, why, len);
	if (!e && old) {
		/* Broken since it loaded: the running config goes on with
		 * what it had (also when a reload's check, which gets the
		 * error, refuses the file). */
		old->next = cache;
		cache = old;
		return last_good ? old : NULL;
	}
	entry_free(old);
	if (!e)
		return NULL;
	e->next = cache;
	cache = e;
	return e;
}

/* A new entry read from the file, or NULL and why. */
static struct cred_entry *
read_entry(const char *path, enum cred_kind kind, const struct cred_pass *pass,
	   char *why, size_t len)
{
	struct cred_entry *e;
	uint8_t *buf;
	size_t n = 0;
	int rc;

	e = calloc(1, sizeof(*e));
	if (!e || !(e->path = strdup(path))) {
		free(e);
		snprintf(why, len, "%s: out of memory", path);
		return NULL;
	}
	e->kind = kind;
	if (kind == KIND_KEY && pass) {
		e->had_pass = true;
		e->pass_len = pass->len;
		e->pass = OPENSSL_secure_malloc(pass->len ? pass->len : 1);
		if (!e->pass) {
			entry_free(e);
			snprintf(why, len, "%s: out of memory", path);
			return NULL;
		}
		memcpy(e->pass, pass->ptr, pass->len);
	}
	if (read_all(path, &e->st, &buf, &n, why, len) < 0) {
		entry_free(e);
		return NULL;
	}
	rc = kind == KIND_CERTS ? parse_certs(e, buf, n, why, len)
	     : kind == KIND_KEY ? parse_key(e, buf, n, pass, why, len)
				: parse_crl(e, buf, n, why, len);
	OPENSSL_cleanse(buf, n);
	free(buf);
	if (rc < 0) {
		entry_free(e);
		return NULL;
	}
	return e;
}

STACK_OF(X509) * cred_certs(const char *path, char *why, size_t len)
{
	struct cred_entry *e = lookup(path, KIND_CERTS, NULL, why, len);

	return e ? e->certs : NULL;
}

EVP_PKEY *
cred_key(const char *path, const struct cred_pass *pass, char *why, size_t len)
{
	struct cred_entry *e = lookup(path, KIND_KEY, pass, why, len);

	return e ? e->key : NULL;
}

X509_CRL *
cred_crl(const char *path, char *why, size_t len)
{
	struct cred_entry *e = lookup(path, KIND_CRL, NULL, why, len);

	return e ? e->crl : NULL;
}

int
cred_key_usable(EVP_PKEY *k, char *why, size_t len)
{
	char group[64] = "";
	int bits = EVP_PKEY_get_bits(k);

	if (EVP_PKEY_is_a(k, "RSA")) {
		if (bits >= 2048 && bits <= 4096)
			return 0;
		snprintf(why, len,
			 "an RSA key of %d bits: use 2048 to 4096 bits", bits);
		return -1;
	}
	if (EVP_PKEY_is_a(k, "EC")) {
		EVP_PKEY_get_utf8_string_param(k, "group", group, sizeof(group),
					       NULL);
		if (strcmp(group, "prime256v1") == 0 ||
		    strcmp(group, "secp384r1") == 0 ||
		    strcmp(group, "secp521r1") == 0)
			return 0;
		snprintf(why, len,
			 "an ECDSA key on curve %s: use P-256, P-384 or P-521",
			 group[0] ? group : "?");
		return -1;
	}
	if (EVP_PKEY_is_a(k, "ED25519") || EVP_PKEY_is_a(k, "ED448"))
		return 0;
	snprintf(why, len,
		 "a %s key: use RSA, ECDSA (P-256, P-384, P-521), Ed25519 "
		 "or Ed448",
		 EVP_PKEY_get0_type_name(k) ? EVP_PKEY_get0_type_name(k) : "?");
	return -1;
}

void
cred_name(const X509_NAME *n, char *buf, size_t len)
{
	BIO *b = BIO_new(BIO_s_mem());
	int got;

	if (len)
		buf[0] = '\0';
	if (!b || !len)
		goto out;
	if (X509_NAME_print_ex(b, n, 0,
			       XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0) {
		got = BIO_read(b, buf, (int)len - 1);
		buf[got > 0 ? got : 0] = '\0';
	}
out:
	BIO_free(b);
}

void
cred_time(const ASN1_TIME *t, bool date_only, char *buf, size_t len)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (!t || ASN1_TIME_to_tm(t, &tm) != 1) {
		snprintf(buf, len, "(unknown time)");
		return;
	}
	strftime(buf, len, date_only ? "%Y-%m-%d" : "%Y-%m-%d %H:%M:%S UTC",
		 &tm);
}
