/* SPDX-License-Identifier: ISC */
/*
 * The peer's certificate chain, through an OpenSSL X509_STORE holding
 * the authorities a connection trusts (and their CRLs): X509_verify_cert
 * checks signatures, dates, basic constraints and path lengths, and
 * revocation when the authority has a CRL. What it does not check, as
 * it applies to IKE, is done here: the end entity's key usage must allow
 * digitalSignature, and an extended key usage, if present, must allow
 * IKE (RFC 4945 5.1.3.12: serverAuth, clientAuth, ipsecIKE or any).
 *
 * A failure becomes one line an admin can act on, naming the certificate
 * and what is wrong with it: "peer certificate CN=sun,O=Example issued by
 * CN=Other CA: no trusted authority (connection gw-gw trusts test-ca)".
 */
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "x509.h"

#define NID_IPSEC_IKE_OID "1.3.6.1.5.5.7.3.17" /* id-kp-ipsecIKE, RFC 4945 */

int
verify_usage(X509 *ee, char *why, size_t len)
{
	uint32_t ku = X509_get_key_usage(ee), xku;
	EXTENDED_KEY_USAGE *eku;
	ASN1_OBJECT *ike;
	bool ok = false;
	int i;

	/* UINT32_MAX: no keyUsage extension, anything goes. */
	if (ku != UINT32_MAX && !(ku & (KU_DIGITAL_SIGNATURE))) {
		snprintf(why, len,
			 "its key usage does not allow digitalSignature");
		return -1;
	}
	if (!(X509_get_extension_flags(ee) & EXFLAG_XKUSAGE))
		return 0;
	xku = X509_get_extended_key_usage(ee);
	if (xku & (XKU_SSL_SERVER | XKU_SSL_CLIENT | XKU_ANYEKU))
		return 0;
	/* OpenSSL has no flag for ipsecIKE: look for it by OID. */
	eku = X509_get_ext_d2i(ee, NID_ext_key_usage, NULL, NULL);
	ike = OBJ_txt2obj(NID_IPSEC_IKE_OID, 1);
	for (i = 0; eku && ike && i < sk_ASN1_OBJECT_num(eku); i++)
		if (OBJ_cmp(sk_ASN1_OBJECT_value(eku, i), ike) == 0)
			ok = true;
	ASN1_OBJECT_free(ike);
	EXTENDED_KEY_USAGE_free(eku);
	if (ok)
		return 0;
	snprintf(why, len,
		 "its extended key usage allows none of serverAuth, "
		 "clientAuth, ipsecIKE");
	return -1;
}

static void
trusted_names(const struct x509_authority *auth, size_t n, char *buf,
	      size_t len)
{
	size_t i, at = 0;

	buf[0] = '\0';
	for (i = 0; i < n && at < len; i++) {
		int w = snprintf(buf + at, len - at, "%s%s", i ? ", " : "",
				 auth[i].name);

		if (w < 0)
			break;
		at += (size_t)w;
	}
	if (n == 0)
		snprintf(buf, len, "no authority");
}

/* Which authority a chain ends at: the one whose CA certificate it is. */
static const struct x509_authority *
anchor_of(X509_STORE_CTX *ctx, const struct x509_authority *auth, size_t n)
{
	STACK_OF(X509) *chain = X509_STORE_CTX_get0_chain(ctx);
	X509 *top = chain && sk_X509_num(chain) > 0
			? sk_X509_value(chain, sk_X509_num(chain) - 1)
			: NULL;
	size_t i;

	for (i = 0; top && i < n; i++)
		if (X509_cmp(top, auth[i].cacert) == 0)
			return &auth[i];
	return NULL;
}

/* The authority whose CRL said no: the issuer of the revoked one. */
static const struct x509_authority *
crl_of(X509 *cert, const struct x509_authority *auth, size_t n,
       X509_REVOKED **rev)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (auth[i].crl &&
		    X509_CRL_get0_by_cert(auth[i].crl, rev, cert) == 1)
			return &auth[i];
	return NULL;
}

/* The line for a failed X509_verify_cert. */
static void
explain(X509_STORE_CTX *ctx, X509 *ee, const struct x509_authority *auth,
	size_t n, const char *conn, char *why, size_t len)
{
	int err = X509_STORE_CTX_get_error(ctx);
	int depth = X509_STORE_CTX_get_error_depth(ctx);
	X509 *bad = X509_STORE_CTX_get_current_cert(ctx);
	const struct x509_authority *a;
	X509_REVOKED *rev = NULL;
	char subj[256], iss[256], when[64], names[256];
	const char *what =
	    depth > 0 ? "certificate in the peer's chain" : "peer certificate";

	if (!bad)
		bad = ee;
	cred_name(X509_get_subject_name(bad), subj, sizeof(subj));
	cred_name(X509_get_issuer_name(bad), iss, sizeof(iss));
	switch (err) {
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
		trusted_names(auth, n, names, sizeof(names));
		snprintf(why, len,
			 "%s %s issued by %s: no trusted authority "
			 "(connection %s trusts %s)",
			 what, subj, iss, conn, names);
		return;
	case X509_V_ERR_CERT_HAS_EXPIRED:
		cred_time(X509_get0_notAfter(bad), false, when, sizeof(when));
		snprintf(why, len, "%s %s expired %s", what, subj, when);
		return;
	case X509_V_ERR_CERT_NOT_YET_VALID:
		cred_time(X509_get0_notBefore(bad), false, when, sizeof(when));
		snprintf(why, len, "%s %s not valid before %s", what, subj,
			 when);
		return;
	case X509_V_ERR_CERT_REVOKED:
		a = crl_of(bad, auth, n, &rev);
		cred_time(rev ? X509_REVOKED_get0_revocationDate(rev) : NULL,
			  true, when, sizeof(when));
		snprintf(why, len, "%s %s revoked %s (CRL of %s)", what, subj,
			 when, a ? a->name : "its issuer");
		return;
	case X509_V_ERR_CRL_HAS_EXPIRED:
	case X509_V_ERR_CRL_NOT_YET_VALID:
	case X509_V_ERR_UNABLE_TO_GET_CRL:
	case X509_V_ERR_CRL_SIGNATURE_FAILURE:
		a = anchor_of(ctx, auth, n);
		snprintf(why, len,
			 "%s %s: cannot check revocation: %s (CRL of %s)", what,
			 subj, X509_verify_cert_error_string(err),
			 a ? a->name : "its issuer");
		return;
	default:
		snprintf(why, len, "%s %s issued by %s: %s", what, subj, iss,
			 X509_verify_cert_error_string(err));
	}
}

/* One run of X509_verify_cert over a fresh context. */
static int
run(X509_STORE *store, X509 *ee, STACK_OF(X509) * untrusted, time_t at,
    bool crl_check, const struct x509_authority *auth, size_t n_auth,
    const char *conn, const struct x509_authority **by, char *why, size_t len)
{
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	X509_VERIFY_PARAM *param;
	int rc = -1;

	if (!ctx || X509_STORE_CTX_init(ctx, store, ee, untrusted) != 1) {
		snprintf(why, len, "out of memory");
		goto out;
	}
	param = X509_STORE_CTX_get0_param(ctx);
	if (crl_check)
		X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_CRL_CHECK);
	if (at)
		X509_VERIFY_PARAM_set_time(param, at);
	if (X509_verify_cert(ctx) != 1) {
		explain(ctx, ee, auth, n_auth, conn, why, len);
		goto out;
	}
	*by = anchor_of(ctx, auth, n_auth);
	rc = 0;
out:
	X509_STORE_CTX_free(ctx);
	return rc;
}

int
verify_chain(X509 *ee, STACK_OF(X509) * untrusted,
	     const struct x509_authority *auth, size_t n_auth, const char *conn,
	     time_t at, const struct x509_authority **by, char *why, size_t len)
{
	X509_STORE *store = X509_STORE_new();
	char subj[256], usage[128];
	size_t i;
	int rc = -1;

	*by = NULL;
	if (!store) {
		snprintf(why, len, "out of memory");
		goto out;
	}
	for (i = 0; i < n_auth; i++) {
		if (X509_STORE_add_cert(store, auth[i].cacert) != 1 ||
		    (auth[i].crl &&
		     X509_STORE_add_crl(store, auth[i].crl) != 1)) {
			snprintf(
			    why, len, "cannot use authority %s: %s",
			    auth[i].name,
			    ERR_reason_error_string(ERR_peek_last_error()));
			goto out;
		}
	}
	/* The chain first; then, when the authority it ends at has a CRL,
	 * again with revocation checked (X509_V_FLAG_CRL_CHECK: the end
	 * entity's), so that an authority without a CRL needs none. */
	if (run(store, ee, untrusted, at, false, auth, n_auth, conn, by, why,
		len) < 0)
		goto out;
	if (*by && (*by)->crl &&
	    run(store, ee, untrusted, at, true, auth, n_auth, conn, by, why,
		len) < 0)
		goto out;
	if (verify_usage(ee, usage, sizeof(usage)) < 0) {
		cred_name(X509_get_subject_name(ee), subj, sizeof(subj));
		snprintf(why, len, "peer certificate %s: %s", subj, usage);
		*by = NULL;
		goto out;
	}
	rc = 0;
out:
	ERR_clear_error();
	X509_STORE_free(store);
	return rc;
}
