/* SPDX-License-Identifier: ISC */
/*
 * IKEv1 signatures (RFC 2409 5.1, RFC 4754): Main Mode's SIG payload is
 * HASH_I or HASH_R signed as it is. The hash is the phase 1 PRF's output
 * already, so the signature adds no hash of its own:
 *
 * - RSA (method 3): PKCS#1 v1.5 type 1 padding over the bare hash, with
 *   no DigestInfo (the "private encrypt" of RSA_sign's early days), which
 *   is what every IKEv1 implementation signs and checks;
 * - ECDSA (methods 9, 10, 11: P-256, P-384, P-521): ECDSA over the hash
 *   (truncated to the curve's order as ECDSA does), the signature r | s
 *   as two integers of the curve's field size (RFC 4754 7).
 *
 * The method is the key's: a peer whose certificate holds another kind
 * of key than its method names is refused, saying so.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/rsa.h>

#include "ikev1_const.h"
#include "x509.h"

/* The ECDSA method and field size of an EC key's curve; -1 for others. */
static int
ec_method(EVP_PKEY *k, uint16_t *method, size_t *field)
{
	char group[64] = "";

	EVP_PKEY_get_utf8_string_param(k, OSSL_PKEY_PARAM_GROUP_NAME, group,
				       sizeof(group), NULL);
	if (strcmp(group, "prime256v1") == 0)
		*method = IKEV1_AUTH_ECDSA_SHA256_P256, *field = 32;
	else if (strcmp(group, "secp384r1") == 0)
		*method = IKEV1_AUTH_ECDSA_SHA384_P384, *field = 48;
	else if (strcmp(group, "secp521r1") == 0)
		*method = IKEV1_AUTH_ECDSA_SHA512_P521, *field = 66;
	else
		return -1;
	return 0;
}

const char *
v1sig_method_name(uint16_t method)
{
	switch (method) {
	case IKEV1_AUTH_PRE_SHARED_KEY:
		return "a pre-shared key";
	case IKEV1_AUTH_RSA_SIGNATURES:
		return "RSA signatures";
	case IKEV1_AUTH_ECDSA_SHA256_P256:
		return "ECDSA signatures on P-256 (SHA-256)";
	case IKEV1_AUTH_ECDSA_SHA384_P384:
		return "ECDSA signatures on P-384 (SHA-384)";
	case IKEV1_AUTH_ECDSA_SHA512_P521:
		return "ECDSA signatures on P-521 (SHA-512)";
	default:
		return "an authentication method we do not implement";
	}
}

int
v1sig_method(EVP_PKEY *k, uint16_t *method, char *why, size_t len)
{
	size_t field;

	if (EVP_PKEY_is_a(k, "RSA")) {
		*method = IKEV1_AUTH_RSA_SIGNATURES;
		return 0;
	}
	if (EVP_PKEY_is_a(k, "EC") && ec_method(k, method, &field) == 0)
		return 0;
	snprintf(why, len,
		 "IKEv1 signs with RSA or ECDSA on P-256, P-384 or P-521 "
		 "keys only (RFC 2409, RFC 4754); this key is of another "
		 "kind");
	return -1;
}

/* Whether method is the one of key k; if not, why. *field for ECDSA. */
static int
method_fits(EVP_PKEY *k, uint16_t method, size_t *field, const char *whose,
	    char *why, size_t len)
{
	uint16_t m = 0;

	*field = 0;
	if (EVP_PKEY_is_a(k, "EC") && ec_method(k, &m, field) < 0)
		m = 0;
	else if (EVP_PKEY_is_a(k, "RSA"))
		m = IKEV1_AUTH_RSA_SIGNATURES;
	if (m == method)
		return 0;
	snprintf(
	    why, len, "the method is %s (%u), but %s key is fit for %s (%u)",
	    v1sig_method_name(method), method, whose, v1sig_method_name(m), m);
	return -1;
}

static EVP_PKEY_CTX *
ctx_for(EVP_PKEY *k, bool sign)
{
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_pkey(NULL, k, NULL);

	if (!c ||
	    (sign ? EVP_PKEY_sign_init(c) : EVP_PKEY_verify_init(c)) != 1 ||
	    (EVP_PKEY_is_a(k, "RSA") &&
	     EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PADDING) <= 0)) {
		EVP_PKEY_CTX_free(c);
		return NULL;
	}
	return c;
}

int
v1sig_sign(EVP_PKEY *k, uint16_t method, const uint8_t *hash, size_t n,
	   uint8_t *out, size_t *len, char *why, size_t why_len)
{
	EVP_PKEY_CTX *c = NULL;
	uint8_t der[256];
	size_t field, dlen = sizeof(der), need = 0;
	ECDSA_SIG *s = NULL;
	const unsigned char *p = der;
	int rc = -1;

	if (method_fits(k, method, &field, "our", why, why_len) < 0)
		return -1;
	if (!(c = ctx_for(k, true)))
		goto fail;
	if (method == IKEV1_AUTH_RSA_SIGNATURES) {
		if (EVP_PKEY_sign(c, NULL, &need, hash, n) != 1 ||
		    need > *len || EVP_PKEY_sign(c, out, len, hash, n) != 1)
			goto fail;
		rc = 0;
		goto done;
	}
	if (2 * field > *len || EVP_PKEY_sign(c, der, &dlen, hash, n) != 1 ||
	    !(s = d2i_ECDSA_SIG(NULL, &p, (long)dlen)) ||
	    BN_bn2binpad(ECDSA_SIG_get0_r(s), out, (int)field) < 0 ||
	    BN_bn2binpad(ECDSA_SIG_get0_s(s), out + field, (int)field) < 0)
		goto fail;
	*len = 2 * field;
	rc = 0;
	goto done;
fail:
	snprintf(why, why_len, "signing with our key failed (%s)",
		 v1sig_method_name(method));
done:
	ECDSA_SIG_free(s);
	EVP_PKEY_CTX_free(c);
	ERR_clear_error();
	return rc;
}

int
v1sig_verify(EVP_PKEY *k, uint16_t method, const uint8_t *sig, size_t sig_len,
	     const uint8_t *hash, size_t n, char *why, size_t why_len)
{
	EVP_PKEY_CTX *c = NULL;
	ECDSA_SIG *s = NULL;
	BIGNUM *r = NULL, *ss = NULL;
	unsigned char *der = NULL;
	size_t field;
	int dlen, rc = -1;

	if (method_fits(k, method, &field, "its certificate's", why, why_len) <
	    0)
		return -1;
	snprintf(why, why_len, "does not verify");
	if (!(c = ctx_for(k, false)))
		goto done;
	if (method == IKEV1_AUTH_RSA_SIGNATURES) {
		rc = EVP_PKEY_verify(c, sig, sig_len, hash, n) == 1 ? 0 : -1;
		goto done;
	}
	if (sig_len != 2 * field) {
		snprintf(why, why_len,
			 "is %zu octets, where %s take %zu (r | s)", sig_len,
			 v1sig_method_name(method), 2 * field);
		goto done;
	}
	r = BN_bin2bn(sig, (int)field, NULL);
	ss = BN_bin2bn(sig + field, (int)field, NULL);
	if (!(s = ECDSA_SIG_new()) || !r || !ss ||
	    ECDSA_SIG_set0(s, r, ss) != 1)
		goto done;
	r = ss = NULL;
	if ((dlen = i2d_ECDSA_SIG(s, &der)) > 0 &&
	    EVP_PKEY_verify(c, der, (size_t)dlen, hash, n) == 1)
		rc = 0;
done:
	BN_free(r);
	BN_free(ss);
	ECDSA_SIG_free(s);
	OPENSSL_free(der);
	EVP_PKEY_CTX_free(c);
	ERR_clear_error();
	if (rc == 0)
		why[0] = '\0';
	return rc;
}
