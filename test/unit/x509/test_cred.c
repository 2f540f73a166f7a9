/* SPDX-License-Identifier: ISC */
/*
 * cred.c and certreq.c: certificates, keys and CRLs from PEM and DER
 * files (several certificates in one PEM file, in order), encrypted keys
 * refused with the reason, the key kinds IKE may use, a changed file
 * read again; CERTREQ's key hashes.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <openssl/pem.h>
#include <openssl/sha.h>

#include "pki.h"
#include "tests.h"
#include "x509.h"

static EVP_PKEY *ca_key;
static X509 *ca;

static void
setup(void)
{
	struct pki_opts o = {.cn = "Test CA", .ca = true, .pathlen = -1};

	ca_key = pki_key("p256");
	ca = pki_cert(ca_key, &o, NULL, NULL);
}

static void
teardown(void)
{
	cred_cache_free();
	X509_free(ca);
	EVP_PKEY_free(ca_key);
}

START_TEST(certs_pem_and_der)
{
	struct pki_opts o = {.cn = "moon"};
	EVP_PKEY *k = pki_key("ed25519");
	X509 *ee = pki_cert(k, &o, ca, ca_key);
	STACK_OF(X509) * sk;
	char why[512], path[256];
	FILE *f;

	/* A PEM chain file: the end entity, then the CA. */
	snprintf(path, sizeof(path), "%s/chain.pem", pki_dir());
	f = fopen(path, "w");
	PEM_write_X509(f, ee);
	PEM_write_X509(f, ca);
	fclose(f);
	sk = cred_certs(path, why, sizeof(why));
	ck_assert_ptr_nonnull(sk);
	ck_assert_int_eq(sk_X509_num(sk), 2);
	ck_assert_int_eq(X509_cmp(sk_X509_value(sk, 0), ee), 0);
	ck_assert_int_eq(X509_cmp(sk_X509_value(sk, 1), ca), 0);
	sk = cred_certs(pki_write_cert(ee, true, "ee.der"), why, sizeof(why));
	ck_assert_ptr_nonnull(sk);
	ck_assert_int_eq(sk_X509_num(sk), 1);
	ck_assert_ptr_null(cred_certs("/nonexistent/x.pem", why, sizeof(why)));
	ck_assert_str_eq(why, "cannot read /nonexistent/x.pem: No such file "
			      "or directory");
	f = fopen(path, "w");
	fputs("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
	      f);
	fclose(f);
	ck_assert_ptr_null(cred_certs(path, why, sizeof(why)));
	ck_assert(strstr(why, "no certificate in it (PEM or DER)") != NULL);
	X509_free(ee);
	EVP_PKEY_free(k);
}
END_TEST

START_TEST(keys)
{
	static const char *const kinds[] = {"rsa",  "p256",    "p384",
					    "p521", "ed25519", "ed448"};
	char why[512], name[32];
	EVP_PKEY *k, *got;
	size_t i;
	int der;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		k = pki_key(kinds[i]);
		for (der = 0; der < 2; der++) {
			snprintf(name, sizeof(name), "%s.%s", kinds[i],
				 der ? "der" : "pem");
			got = cred_key(pki_write_key(k, der, NULL, name), NULL, why,
				       sizeof(why));
			ck_assert_msg(got != NULL, "%s: %s", name, why);
			ck_assert_int_eq(EVP_PKEY_eq(got, k), 1);
			ck_assert_int_eq(cred_key_usable(got, why, sizeof(why)),
					 0);
		}
		EVP_PKEY_free(k);
	}
	k = pki_key("rsa1024");
	ck_assert_int_eq(cred_key_usable(k, why, sizeof(why)), -1);
	ck_assert_str_eq(why, "an RSA key of 1024 bits: use 2048 to 4096 bits");
	EVP_PKEY_free(k);
}
END_TEST

/* The three encrypted forms: PKCS#8 in PEM, the traditional PEM
 * (Proc-Type: 4,ENCRYPTED), PKCS#8 in DER. */
static const char *
write_encrypted(EVP_PKEY *k, int form, const char *pass)
{
	static char path[512];
	BIO *b;

	if (form != 1)
		return pki_write_key(k, form == 2, pass,
				     form ? "enc.der" : "enc.pem");
	snprintf(path, sizeof(path), "%s/enc-trad.pem", pki_dir());
	b = BIO_new_file(path, "wb");
	ck_assert_ptr_nonnull(b);
	ck_assert_int_eq(PEM_write_bio_PrivateKey_traditional(
			     b, k, EVP_aes_256_cbc(), (unsigned char *)pass,
			     (int)strlen(pass), NULL, NULL),
			 1);
	BIO_free(b);
	return path;
}

START_TEST(encrypted_keys)
{
	static const char pw[] = "Tr0ub4dor&3", bad[] = "hunter2-wrong";
	struct cred_pass right = {(const uint8_t *)pw, strlen(pw), "a.yaml:7"};
	struct cred_pass wrong = {(const uint8_t *)bad, strlen(bad),
				  "a.yaml:9"};
	EVP_PKEY *k = pki_key("p256"), *got;
	char why[512], want[2048];
	int form;

	for (form = 0; form < 3; form++) {
		const char *p = write_encrypted(k, form, pw);

		/* No passphrase: the message says what to add. */
		ck_assert_ptr_null(cred_key(p, NULL, why, sizeof(why)));
		snprintf(want, sizeof(want),
			 "key %s is encrypted: add a secrets.private entry "
			 "with its passphrase ({file: %s, secret_file: PATH})",
			 p, p);
		ck_assert_str_eq(why, want);
		/* A wrong one: where it was written, never the secret. */
		ck_assert_ptr_null(cred_key(p, &wrong, why, sizeof(why)));
		snprintf(want, sizeof(want),
			 "key %s: the passphrase in secrets.private (a.yaml:9) "
			 "does not decrypt it",
			 p);
		ck_assert_str_eq(why, want);
		ck_assert(strstr(why, bad) == NULL);
		/* The right one. */
		got = cred_key(p, &right, why, sizeof(why));
		ck_assert_msg(got != NULL, "form %d: %s", form, why);
		ck_assert_int_eq(EVP_PKEY_eq(got, k), 1);
		ck_assert_ptr_eq(cred_key(p, &right, why, sizeof(why)), got);
		/* The file unchanged, another passphrase (a reload): read
		 * again, and refused. */
		ck_assert_ptr_null(cred_key(p, &wrong, why, sizeof(why)));
		ck_assert_ptr_null(cred_key(p, NULL, why, sizeof(why)));
		ck_assert(strstr(why, pw) == NULL);
	}
	/* An unencrypted key needs none, and a passphrase does not hurt. */
	ck_assert_ptr_nonnull(cred_key(pki_write_key(k, false, NULL, "p.pem"),
				       &right, why, sizeof(why)));
	cred_cache_free();
	EVP_PKEY_free(k);
}
END_TEST

/* A file replaced is read again; one unchanged is not. */
START_TEST(cache_follows_files)
{
	EVP_PKEY *a = pki_key("p256"), *b = pki_key("p256"), *got, *again;
	char why[512], path[256];

	snprintf(path, sizeof(path), "%s",
		 pki_write_key(a, false, NULL, "k.pem"));
	got = cred_key(path, NULL, why, sizeof(why));
	ck_assert_int_eq(EVP_PKEY_eq(got, a), 1);
	again = cred_key(path, NULL, why, sizeof(why));
	ck_assert_ptr_eq(again, got);
	/* A new file (another inode) in its place. */
	unlink(path);
	pki_write_key(b, false, NULL, "k.pem");
	got = cred_key(path, NULL, why, sizeof(why));
	ck_assert_int_eq(EVP_PKEY_eq(got, b), 1);
	EVP_PKEY_free(a);
	EVP_PKEY_free(b);
}
END_TEST

/* A running daemon keeps what loaded when a file breaks or goes; the
 * check (last_good off) gets the error, and takes nothing away. */
START_TEST(last_good)
{
	EVP_PKEY *a = pki_key("p256"), *got;
	char why[512], path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s",
		 pki_write_key(a, false, NULL, "lg.pem"));
	cred_keep_last_good(true);
	got = cred_key(path, NULL, why, sizeof(why));
	ck_assert_ptr_nonnull(got);
	unlink(path);
	f = fopen(path, "w");
	fputs("garbage\n", f);
	fclose(f);
	ck_assert_ptr_eq(cred_key(path, NULL, why, sizeof(why)), got);
	cred_keep_last_good(false);
	ck_assert_ptr_null(cred_key(path, NULL, why, sizeof(why)));
	ck_assert(strstr(why, "no private key in it") != NULL);
	cred_keep_last_good(true);
	ck_assert_ptr_eq(cred_key(path, NULL, why, sizeof(why)), got);
	unlink(path);
	ck_assert_ptr_eq(cred_key(path, NULL, why, sizeof(why)), got);
	cred_keep_last_good(false);
	ck_assert_ptr_null(cred_key(path, NULL, why, sizeof(why)));
	ck_assert(strstr(why, "No such file") != NULL);
	EVP_PKEY_free(a);
}
END_TEST

START_TEST(crl_files)
{
	static const long serials[] = {5, 0};
	X509_CRL *crl = pki_crl(ca, ca_key, serials, -60, 3600), *got;
	char why[512], path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/ca.crl", pki_dir());
	f = fopen(path, "w");
	i2d_X509_CRL_fp(f, crl);
	fclose(f);
	got = cred_crl(path, why, sizeof(why));
	ck_assert_ptr_nonnull(got);
	ck_assert_int_eq(X509_CRL_cmp(got, crl), 0);
	ck_assert_ptr_null(cred_crl(pki_write_cert(ca, false, "notacrl.pem"),
				    why, sizeof(why)));
	ck_assert(strstr(why, "no CRL in it") != NULL);
	X509_CRL_free(crl);
}
END_TEST

START_TEST(certreq)
{
	struct pki_opts o = {.cn = "Other CA", .ca = true, .pathlen = -1};
	EVP_PKEY *k = pki_key("p256");
	X509 *other = pki_cert(k, &o, NULL, NULL);
	uint8_t h[CERTREQ_HASH_LEN], list[2 * CERTREQ_HASH_LEN];
	unsigned char *spki = NULL, want[CERTREQ_HASH_LEN];
	int n = i2d_PUBKEY(ca_key, &spki);

	ck_assert_int_eq(certreq_hash(ca, h), 0);
	SHA1(spki, (size_t)n, want);
	ck_assert_mem_eq(h, want, CERTREQ_HASH_LEN);
	memset(list, 0, sizeof(list));
	memcpy(list + CERTREQ_HASH_LEN, h, CERTREQ_HASH_LEN);
	ck_assert(certreq_names(list, sizeof(list), ca));
	ck_assert(!certreq_names(list, sizeof(list), other));
	ck_assert(!certreq_names(list, CERTREQ_HASH_LEN + 19, ca));
	OPENSSL_free(spki);
	X509_free(other);
	EVP_PKEY_free(k);
}
END_TEST

Suite *
x509_cred_suite(void)
{
	Suite *s = suite_create("x509_cred");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, certs_pem_and_der);
	tcase_add_test(tc, keys);
	tcase_add_test(tc, encrypted_keys);
	tcase_add_test(tc, cache_follows_files);
	tcase_add_test(tc, last_good);
	tcase_add_test(tc, crl_files);
	tcase_add_test(tc, certreq);
	suite_add_tcase(s, tc);
	return s;
}
