/* SPDX-License-Identifier: ISC */
/*
 * The peer's certificate chain, through an OpenSSL X509_STORE holding
 * the authorities a connection trusts: X509_verify_cert checks
 * signatures, dates, basic constraints and path lengths. What it does
 * not check as IKE needs it is done here: revocation of each certificate
 * below the anchor by the CRL of its issuer, among the CRLs the
 * authority was given (X509_V_FLAG_CRL_CHECK would want one for every CA
 * of the chain, where a CA without one is not checked here), and
 * the end entity's key usage, which must allow digitalSignature, and
 * extended key usage, which if present must allow IKE (RFC 4945
 * 5.1.3.12: serverAuth, clientAuth, ipsecIKE or any).
 *
 * A failure becomes one line an admin can act on, naming the certificate
 * and what is wrong with it: "peer certificate CN=sun,O=Example issued by
 * CN=Other CA: no trusted authority (connection gw-gw trusts test-ca)".
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

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

/* The line for a failed X509_verify_cert. */
static void
explain(X509_STORE_CTX *ctx, X509 *ee, const struct x509_authority *auth,
	size_t n, const char *conn, char *why, size_t len)
{
	int err = X509_STORE_CTX_get_error(ctx);
	int depth = X509_STORE_CTX_get_error_depth(ctx);
	X509 *bad = X509_STORE_CTX_get_current_cert(ctx);
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
	default:
		snprintf(why, len, "%s %s issued by %s: %s", what, subj, iss,
			 X509_verify_cert_error_string(err));
	}
}

/* The CRL among crls that issuer issued: its name, and its signature by
 * issuer's key, which the verified chain vouches for. NULL if there is
 * none; *forged when one bears the name but not the signature. */
static X509_CRL *
crl_of(X509 *issuer, const struct x509_authority *a, bool *forged)
{
	size_t i;

	*forged = false;
	for (i = 0; i < a->n_crls; i++) {
		if (X509_NAME_cmp(X509_CRL_get_issuer(a->crls[i]),
				  X509_get_subject_name(issuer)) != 0)
			continue;
		if (X509_CRL_verify(a->crls[i], X509_get0_pubkey(issuer)) == 1)
			return a->crls[i];
		*forged = true;
	}
	ERR_clear_error();
	return NULL;
}

/*
 * chain[i] against the CRL of its issuer chain[i + 1] (RFC 5280 6.3): the
 * CRL's dates, and whether it lists the certificate. Done here rather
 * than by X509_V_FLAG_CRL_CHECK, which wants a CRL for every CA of the
 * chain: an authority has the CRLs it was given, and a CA without one is
 * not checked. The anchor's CRL is named by the authority's name, an
 * intermediate's by its subject.
 */
static int
check_one(STACK_OF(X509) * chain, int i, const struct x509_authority *a,
	  time_t now, char *why, size_t len)
{
	X509 *x = sk_X509_value(chain, i),
	     *issuer = sk_X509_value(chain, i + 1);
	bool anchor = i + 2 == sk_X509_num(chain), forged;
	X509_CRL *crl = crl_of(issuer, a, &forged);
	X509_REVOKED *rev = NULL;
	const ASN1_TIME *next;
	char subj[256], of[256], when[64];
	const char *what =
	    i > 0 ? "certificate in the peer's chain" : "peer certificate";

	if (!crl && !forged)
		return 0;
	cred_name(X509_get_subject_name(x), subj, sizeof(subj));
	if (anchor)
		snprintf(of, sizeof(of), "%s", a->name);
	else
		cred_name(X509_get_subject_name(issuer), of, sizeof(of));
	if (!crl) {
		snprintf(why, len,
			 "%s %s: cannot check revocation: the CRL of %s is not "
			 "signed by it",
			 what, subj, of);
		return -1;
	}
	if (X509_cmp_time(X509_CRL_get0_lastUpdate(crl), &now) > 0) {
		cred_time(X509_CRL_get0_lastUpdate(crl), false, when,
			  sizeof(when));
		snprintf(why, len,
			 "%s %s: cannot check revocation: the CRL of %s is "
			 "not valid before %s",
			 what, subj, of, when);
		return -1;
	}
	next = X509_CRL_get0_nextUpdate(crl);
	if (next && X509_cmp_time(next, &now) <= 0) {
		cred_time(next, false, when, sizeof(when));
		snprintf(why, len,
			 "%s %s: cannot check revocation: the CRL of %s "
			 "expired %s",
			 what, subj, of, when);
		return -1;
	}
	if (X509_CRL_get0_by_cert(crl, &rev, x) == 1) {
		cred_time(X509_REVOKED_get0_revocationDate(rev), true, when,
			  sizeof(when));
		snprintf(why, len, "%s %s revoked %s (CRL of %s)", what, subj,
			 when, of);
		return -1;
	}
	return 0;
}

/* Every certificate below the anchor, from the top: the one an admin
 * revoked highest up is the one named. */
static int
check_crls(STACK_OF(X509) * chain, const struct x509_authority *a, time_t at,
	   char *why, size_t len)
{
	time_t now = at ? at : time(NULL);
	int i;

	for (i = sk_X509_num(chain) - 2; i >= 0; i--)
		if (check_one(chain, i, a, now, why, len) < 0)
			return -1;
	return 0;
}

int
verify_chain(X509 *ee, STACK_OF(X509) * untrusted,
	     const struct x509_authority *auth, size_t n_auth, const char *conn,
	     time_t at, const struct x509_authority **by, char *why, size_t len)
{
	X509_STORE *store = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	char subj[256], usage[128];
	size_t i;
	int rc = -1;

	*by = NULL;
	if (!store || !ctx) {
		snprintf(why, len, "out of memory");
		goto out;
	}
	for (i = 0; i < n_auth; i++) {
		if (X509_STORE_add_cert(store, auth[i].cacert) != 1) {
			snprintf(
			    why, len, "cannot use authority %s: %s",
			    auth[i].name,
			    ERR_reason_error_string(ERR_peek_last_error()));
			goto out;
		}
	}
	if (X509_STORE_CTX_init(ctx, store, ee, untrusted) != 1) {
		snprintf(why, len, "out of memory");
		goto out;
	}
	if (at)
		X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx), at);
	if (X509_verify_cert(ctx) != 1) {
		explain(ctx, ee, auth, n_auth, conn, why, len);
		goto out;
	}
	*by = anchor_of(ctx, auth, n_auth);
	if (*by && (*by)->n_crls &&
	    check_crls(X509_STORE_CTX_get0_chain(ctx), *by, at, why, len) < 0)
		goto out;
	if (verify_usage(ee, usage, sizeof(usage)) < 0) {
		cred_name(X509_get_subject_name(ee), subj, sizeof(subj));
		snprintf(why, len, "peer certificate %s: %s", subj, usage);
		goto out;
	}
	rc = 0;
out:
	if (rc < 0)
		*by = NULL;
	ERR_clear_error();
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	return rc;
}
