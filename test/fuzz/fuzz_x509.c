/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer target for what the x509 plugin reads from a peer: the first
 * octet picks which reader gets the rest.
 *
 *   0  a CERT payload's certificate (DER): the ID match against it and
 *      the chain validation against a fixed CA, as the plugin does them
 *   1  AUTH data of the method in the next octet, checked against RSA,
 *      ECDSA and Ed25519 keys (RFC 7427 AlgorithmIdentifiers, PSS
 *      parameters, DigestInfo, r | s)
 *   2  an identity of the type in the next octet as log text, and as a
 *      DER DN (libike's ike_dn_text)
 *   3  SIGNATURE_HASH_ALGORITHMS and CERTREQ data
 *
 * The keys are made once per process; random bytes never verify, the
 * point is the parsing on the way there.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ike.h"
#include "ikev2_const.h"
#include "x509.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static EVP_PKEY *keys[3];
static X509 *ca;

static void
init(void)
{
	X509_NAME *n;

	if (ca)
		return;
	keys[0] = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	keys[1] = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	keys[2] = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	ca = X509_new();
	n = X509_get_subject_name(ca);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8,
				   (const unsigned char *)"Fuzz CA", -1, -1, 0);
	X509_set_issuer_name(ca, n);
	X509_gmtime_adj(X509_getm_notBefore(ca), 0);
	X509_gmtime_adj(X509_getm_notAfter(ca), 86400);
	X509_set_pubkey(ca, keys[1]);
	X509_sign(ca, keys[1], EVP_sha256());
}

static void
cert(const uint8_t *p, size_t n)
{
	struct x509_authority a = {"fuzz-ca", ca, {NULL}, 0};
	const struct x509_authority *by;
	const unsigned char *q = p;
	X509 *x = d2i_X509(NULL, &q, (long)n);
	unsigned char *dn = NULL;
	char why[512];
	int len;

	if (!x)
		return;
	ident_match(x, IKEV2_ID_FQDN, (const uint8_t *)"moon.example.org", 16,
		    "peer ID", why, sizeof(why));
	ident_match(x, IKEV2_ID_IPV4_ADDR, (const uint8_t *)"\xc0\0\2\1", 4,
		    "peer ID", why, sizeof(why));
	len = i2d_X509_NAME(X509_get_subject_name(x), &dn);
	if (len > 0)
		ident_match(x, IKEV2_ID_DER_ASN1_DN, dn, (size_t)len, "peer ID",
			    why, sizeof(why));
	OPENSSL_free(dn);
	verify_chain(x, NULL, &a, 1, "fuzz", 0, &by, why, sizeof(why));
	verify_usage(x, why, sizeof(why));
	X509_free(x);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t octets[] = "signed octets";
	char buf[1024], used[128];
	size_t i;

	if (size < 2)
		return 0;
	init();
	switch (data[0] & 3) {
	case 0:
		cert(data + 1, size - 1);
		break;
	case 1:
		for (i = 0; i < 3; i++)
			/* The first octet's bit 2: allow_sha1, both paths. */
			sigalg_verify(keys[i], data[1], (data[0] & 4) != 0,
				      data + 2, size - 2, octets,
				      sizeof(octets), used, sizeof(used), buf,
				      sizeof(buf));
		break;
	case 2:
		ident_text(data[1], data + 2, size - 2, buf, sizeof(buf));
		ike_dn_text(data + 2, size - 2, buf, sizeof(buf));
		break;
	case 3:
		sigalg_hashes_get(data + 1, size - 1);
		certreq_names(data + 1, size - 1, ca);
		break;
	}
	return 0;
}
