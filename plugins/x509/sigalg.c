/* SPDX-License-Identifier: ISC */
/*
 * Signatures in AUTH payloads (RFC 7296 3.8, RFC 7427, RFC 4754).
 *
 * Method 14, digital signature (RFC 7427 3): the AUTH data is
 *
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    | ASN.1 Length  | AlgorithmIdentifier ASN.1 object              |
 *    +-+-+-+-+-+-+-+-+                                               |
 *    ~        AlgorithmIdentifier ASN.1 object (DER)                 ~
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    ~                         Signature Value                       ~
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * with the hash one of those both ends named in SIGNATURE_HASH_ALGORITHMS
 * (4), Identity (5) for EdDSA, which hashes itself (RFC 8420). ECDSA
 * signatures there are DER (Ecdsa-Sig-Value).
 *
 * The classic methods, for peers without RFC 7427: RSA (1) is PKCS#1
 * v1.5 with the hash named in the DigestInfo, which we read back; ECDSA
 * (9, 10, 11, RFC 4754) is SHA-256/384/512 on P-256/384/521 with r | s
 * as two fixed-size integers.
 *
 * SHA-1 is refused wherever a peer could choose it, with a log line that
 * says so: its collisions are practical. A connection with allow_sha1
 * accepts it (RSA PKCS#1 v1.5 in method 1 or 14, RSASSA-PSS, ECDSA), for
 * peers that know nothing else, and signs method 1 with it: RFC 7296
 * names no hash there, and such peers check SHA-1 only. We never sign
 * with SHA-1 under method 14, whose peers name the hashes they take.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "ikev2_const.h"
#include "x509.h"

/* --- SIGNATURE_HASH_ALGORITHMS (RFC 7427 4) ------------------------------- */

size_t
sigalg_hashes_put(unsigned set, uint8_t *out, size_t len)
{
	size_t n = 0;
	unsigned h;

	for (h = 2; h <= 5; h++)
		if ((set & (1u << h)) && n + 2 <= len) {
			out[n++] = 0;
			out[n++] = (uint8_t)h;
		}
	return n;
}

unsigned
sigalg_hashes_get(const uint8_t *data, size_t len)
{
	unsigned set = 0, h;
	size_t i;

	for (i = 0; i + 2 <= len; i += 2) {
		h = (unsigned)data[i] << 8 | data[i + 1];
		if (h >= 2 && h <= 5)
			set |= 1u << h;
	}
	return set;
}

/* --- AlgorithmIdentifiers (RFC 7427 Appendix A) --------------------------- */

#define OID_RSA(last)                                                          \
	0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01,      \
	    0x01, last, 0x05, 0x00
#define OID_ECDSA(last)                                                        \
	0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, last
#define SHA2(last)                                                             \
	0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04,      \
	    0x02, last, 0x05, 0x00
/* RSASSA-PSS (RFC 4055 3.1) with MGF1 of the same hash and a salt as long
 * as the hash. */
#define OID_PSS(last, salt)                                                    \
	0x30, 0x41, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01,      \
	    0x01, 0x0a, 0x30, 0x34, 0xa0, 0x0f, SHA2(last), 0xa1, 0x1c, 0x30,  \
	    0x1a, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01,  \
	    0x08, SHA2(last), 0xa2, 0x03, 0x02, 0x01, salt

static const uint8_t aid_pss256[] = {OID_PSS(0x01, 0x20)};
static const uint8_t aid_pss384[] = {OID_PSS(0x02, 0x30)};
static const uint8_t aid_pss512[] = {OID_PSS(0x03, 0x40)};
static const uint8_t aid_rsa256[] = {OID_RSA(0x0b)};
static const uint8_t aid_rsa384[] = {OID_RSA(0x0c)};
static const uint8_t aid_rsa512[] = {OID_RSA(0x0d)};
static const uint8_t aid_ecdsa256[] = {OID_ECDSA(0x02)};
static const uint8_t aid_ecdsa384[] = {OID_ECDSA(0x03)};
static const uint8_t aid_ecdsa512[] = {OID_ECDSA(0x04)};
static const uint8_t aid_ed25519[] = {0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70};
static const uint8_t aid_ed448[] = {0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x71};

#define ALG(n, s, h, a)                                                        \
	{                                                                      \
		n, s, h, a, sizeof(a)                                          \
	}
static const struct sig_alg algs[] = {
    ALG("rsassa-pss-SHA256", SIG_RSA_PSS, HASH_SHA2_256, aid_pss256),
    ALG("rsassa-pss-SHA384", SIG_RSA_PSS, HASH_SHA2_384, aid_pss384),
    ALG("rsassa-pss-SHA512", SIG_RSA_PSS, HASH_SHA2_512, aid_pss512),
    ALG("sha256WithRSAEncryption", SIG_RSA_PKCS1, HASH_SHA2_256, aid_rsa256),
    ALG("sha384WithRSAEncryption", SIG_RSA_PKCS1, HASH_SHA2_384, aid_rsa384),
    ALG("sha512WithRSAEncryption", SIG_RSA_PKCS1, HASH_SHA2_512, aid_rsa512),
    ALG("ecdsa-with-SHA256", SIG_ECDSA, HASH_SHA2_256, aid_ecdsa256),
    ALG("ecdsa-with-SHA384", SIG_ECDSA, HASH_SHA2_384, aid_ecdsa384),
    ALG("ecdsa-with-SHA512", SIG_ECDSA, HASH_SHA2_512, aid_ecdsa512),
    ALG("Ed25519", SIG_ED25519, HASH_IDENTITY, aid_ed25519),
    ALG("Ed448", SIG_ED448, HASH_IDENTITY, aid_ed448),
};

const struct sig_alg *
sigalg_at(size_t i)
{
	return i < sizeof(algs) / sizeof(algs[0]) ? &algs[i] : NULL;
}

static const EVP_MD *
hash_md(unsigned hash)
{
	return hash == HASH_SHA2_256   ? EVP_sha256()
	       : hash == HASH_SHA2_384 ? EVP_sha384()
	       : hash == HASH_SHA2_512 ? EVP_sha512()
				       : NULL;
}

/* --- keys ----------------------------------------------------------------- */

/* For ECDSA: the hash and classic method of the key's curve (RFC 4754). */
static int
ec_curve(EVP_PKEY *k, unsigned *hash, uint8_t *method, size_t *field)
{
	char group[64] = "";

	EVP_PKEY_get_utf8_string_param(k, OSSL_PKEY_PARAM_GROUP_NAME, group,
				       sizeof(group), NULL);
	if (strcmp(group, "prime256v1") == 0) {
		*hash = HASH_SHA2_256, *method = IKEV2_AUTH_ECDSA_256;
		*field = 32;
	} else if (strcmp(group, "secp384r1") == 0) {
		*hash = HASH_SHA2_384, *method = IKEV2_AUTH_ECDSA_384;
		*field = 48;
	} else if (strcmp(group, "secp521r1") == 0) {
		*hash = HASH_SHA2_512, *method = IKEV2_AUTH_ECDSA_521;
		*field = 66;
	} else {
		return -1;
	}
	return 0;
}

static const char *
key_kind(EVP_PKEY *k)
{
	return EVP_PKEY_is_a(k, "RSA")       ? "RSA"
	       : EVP_PKEY_is_a(k, "EC")      ? "ECDSA"
	       : EVP_PKEY_is_a(k, "ED25519") ? "Ed25519"
	       : EVP_PKEY_is_a(k, "ED448")   ? "Ed448"
					     : "unknown";
}

static bool
scheme_fits(enum sig_scheme s, EVP_PKEY *k)
{
	switch (s) {
	case SIG_RSA_PKCS1:
	case SIG_RSA_PSS:
		return EVP_PKEY_is_a(k, "RSA");
	case SIG_ECDSA:
		return EVP_PKEY_is_a(k, "EC");
	case SIG_ED25519:
		return EVP_PKEY_is_a(k, "ED25519");
	case SIG_ED448:
		return EVP_PKEY_is_a(k, "ED448");
	}
	return false;
}

/* --- one signature -------------------------------------------------------- */

/* The parameters of a signing or verifying context. */
struct sig_params {
	enum sig_scheme scheme;
	const EVP_MD *md; /* NULL for EdDSA */
	int salt;         /* PSS */
};

static int
setup(EVP_PKEY_CTX *pctx, const struct sig_params *p)
{
	if (p->scheme == SIG_RSA_PKCS1)
		return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) > 0
			   ? 0
			   : -1;
	if (p->scheme != SIG_RSA_PSS)
		return 0;
	if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, p->salt) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, p->md) <= 0)
		return -1;
	return 0;
}

static int
do_sign(EVP_PKEY *k, const struct sig_params *p, const uint8_t *octets,
	size_t n, uint8_t *out, size_t *len)
{
	EVP_MD_CTX *m = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	size_t need = 0;
	int rc = -1;

	if (m && EVP_DigestSignInit(m, &pctx, p->md, NULL, k) == 1 &&
	    setup(pctx, p) == 0 &&
	    EVP_DigestSign(m, NULL, &need, octets, n) == 1 && need <= *len &&
	    EVP_DigestSign(m, out, len, octets, n) == 1)
		rc = 0;
	EVP_MD_CTX_free(m);
	ERR_clear_error();
	return rc;
}

static int
do_verify(EVP_PKEY *k, const struct sig_params *p, const uint8_t *sig,
	  size_t sig_len, const uint8_t *octets, size_t n)
{
	EVP_MD_CTX *m = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	int rc = -1;

	if (m && EVP_DigestVerifyInit(m, &pctx, p->md, NULL, k) == 1 &&
	    setup(pctx, p) == 0 &&
	    EVP_DigestVerify(m, sig, sig_len, octets, n) == 1)
		rc = 0;
	EVP_MD_CTX_free(m);
	ERR_clear_error();
	return rc;
}

/* ECDSA's DER Ecdsa-Sig-Value and RFC 4754's r | s, both ways. */
static int
ecdsa_der_to_raw(const uint8_t *der, size_t n, size_t field, uint8_t *out)
{
	const unsigned char *p = der;
	ECDSA_SIG *s = d2i_ECDSA_SIG(NULL, &p, (long)n);
	int rc = -1;

	if (s && BN_bn2binpad(ECDSA_SIG_get0_r(s), out, (int)field) > 0 &&
	    BN_bn2binpad(ECDSA_SIG_get0_s(s), out + field, (int)field) > 0)
		rc = 0;
	ECDSA_SIG_free(s);
	return rc;
}

static int
ecdsa_raw_to_der(const uint8_t *raw, size_t field, uint8_t **der, int *n)
{
	ECDSA_SIG *s = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(raw, (int)field, NULL);
	BIGNUM *ss = BN_bin2bn(raw + field, (int)field, NULL);

	*der = NULL;
	if (!s || !r || !ss || ECDSA_SIG_set0(s, r, ss) != 1) {
		BN_free(r);
		BN_free(ss);
		ECDSA_SIG_free(s);
		return -1;
	}
	*n = i2d_ECDSA_SIG(s, der);
	ECDSA_SIG_free(s);
	return *n > 0 ? 0 : -1;
}

/* --- our AUTH ------------------------------------------------------------- */

/* The algorithm of RFC 7427 we sign with: the key's, with the hash the
 * peer named that suits it best (the curve's own for ECDSA). */
static const struct sig_alg *
choose(EVP_PKEY *k, unsigned peer)
{
	static const unsigned order[] = {HASH_SHA2_256, HASH_SHA2_384,
					 HASH_SHA2_512};
	unsigned want = 0, hash = 0;
	uint8_t method;
	size_t i, field;
	enum sig_scheme s;

	if (EVP_PKEY_is_a(k, "ED25519") || EVP_PKEY_is_a(k, "ED448")) {
		s = EVP_PKEY_is_a(k, "ED25519") ? SIG_ED25519 : SIG_ED448;
		hash = peer & HASH_IDENTITY;
	} else {
		/* RSA: PSS, as RFC 8247 3.2 recommends over PKCS#1 v1.5. */
		s = EVP_PKEY_is_a(k, "RSA") ? SIG_RSA_PSS : SIG_ECDSA;
		if (s == SIG_ECDSA &&
		    ec_curve(k, &want, &method, &field) == 0 && (peer & want))
			hash = want;
		for (i = 0; !hash && i < 3; i++)
			if (peer & order[i])
				hash = order[i];
	}
	for (i = 0; hash && i < sizeof(algs) / sizeof(algs[0]); i++)
		if (algs[i].scheme == s && algs[i].hash == hash)
			return &algs[i];
	return NULL;
}

int
sigalg_sign(EVP_PKEY *key, unsigned peer_hashes, bool allow_sha1,
	    const uint8_t *octets, size_t n, uint8_t *method, uint8_t *out,
	    size_t *len, char *why, size_t why_len)
{
	const struct sig_alg *a = choose(key, peer_hashes);
	struct sig_params p = {0};
	uint8_t der[160];
	size_t sig_len, field, dlen = sizeof(der);
	unsigned hash;

	if (a) {
		if (*len < 1 + a->aid_len) {
			snprintf(why, why_len, "no room for the signature");
			return -1;
		}
		p.scheme = a->scheme;
		p.md = hash_md(a->hash);
		p.salt = p.md ? EVP_MD_get_size(p.md) : 0;
		out[0] = (uint8_t)a->aid_len;
		memcpy(out + 1, a->aid, a->aid_len);
		sig_len = *len - 1 - a->aid_len;
		if (do_sign(key, &p, octets, n, out + 1 + a->aid_len,
			    &sig_len) < 0) {
			snprintf(why, why_len, "cannot sign with %s", a->name);
			return -1;
		}
		*method = IKEV2_AUTH_DIGITAL_SIG;
		*len = 1 + a->aid_len + sig_len;
		return 0;
	}
	if (EVP_PKEY_is_a(key, "RSA")) {
		/* RFC 7296 leaves the hash to the DigestInfo: SHA-256,
		 * unless the connection allows SHA-1, for the peers that
		 * verify method 1 with nothing else. */
		p.scheme = SIG_RSA_PKCS1;
		p.md = allow_sha1 ? EVP_sha1() : EVP_sha256();
		if (do_sign(key, &p, octets, n, out, len) < 0) {
			snprintf(why, why_len, "cannot sign with RSA");
			return -1;
		}
		*method = IKEV2_AUTH_RSA_SIG;
		return 0;
	}
	if (EVP_PKEY_is_a(key, "EC") &&
	    ec_curve(key, &hash, method, &field) == 0) {
		p.scheme = SIG_ECDSA;
		p.md = hash_md(hash);
		if (*len < 2 * field ||
		    do_sign(key, &p, octets, n, der, &dlen) < 0 ||
		    ecdsa_der_to_raw(der, dlen, field, out) < 0) {
			snprintf(why, why_len, "cannot sign with ECDSA");
			return -1;
		}
		*len = 2 * field;
		return 0;
	}
	snprintf(why, why_len,
		 "an %s key signs only with RFC 7427 digital signatures, and "
		 "the peer announced no hash algorithm for it "
		 "(SIGNATURE_HASH_ALGORITHMS)",
		 key_kind(key));
	return -1;
}

/* --- the peer's AUTH ------------------------------------------------------ */

/* The hash of nid; SHA-1 only when allowed (*sha1 says it was named). */
static int
hash_of_nid(int nid, bool allow_sha1, const EVP_MD **md, bool *sha1)
{
	*sha1 = *sha1 || nid == NID_sha1;
	*md = nid == NID_sha256               ? EVP_sha256()
	      : nid == NID_sha384             ? EVP_sha384()
	      : nid == NID_sha512             ? EVP_sha512()
	      : nid == NID_sha1 && allow_sha1 ? EVP_sha1()
					      : NULL;
	return *md ? 0 : -1;
}

/* RSASSA-PSS parameters (RFC 4055 3.1): the hash, MGF1 with the same
 * hash, the salt length. Absent fields are SHA-1's defaults (salt 20). */
static int
pss_params(const X509_ALGOR *alg, bool allow_sha1, struct sig_params *p,
	   bool *sha1, char *why, size_t len)
{
	const ASN1_TYPE *t = alg->parameter;
	const unsigned char *q;
	RSA_PSS_PARAMS *pss = NULL;
	X509_ALGOR *mgf_md = NULL;
	const EVP_MD *mgf = NULL;
	bool mgf_sha1 = false;
	int rc = -1;

	if (!t || t->type != V_ASN1_SEQUENCE) {
		snprintf(why, len, "RSASSA-PSS without parameters");
		return -1;
	}
	q = t->value.sequence->data;
	pss = d2i_RSA_PSS_PARAMS(NULL, &q, t->value.sequence->length);
	if (!pss) {
		snprintf(why, len, "malformed RSASSA-PSS parameters");
		return -1;
	}
	if (hash_of_nid(pss->hashAlgorithm
			    ? OBJ_obj2nid(pss->hashAlgorithm->algorithm)
			    : NID_sha1,
			allow_sha1, &p->md, sha1) < 0) {
		snprintf(why, len,
			 *sha1 ? "it signed with RSASSA-PSS with SHA-1: SHA-1 "
				 "signatures are refused"
			       : "RSASSA-PSS with a hash we do not know");
		goto out;
	}
	if (!pss->maskGenAlgorithm) {
		mgf = EVP_sha1(); /* MGF1 with SHA-1, the default */
	} else if (OBJ_obj2nid(pss->maskGenAlgorithm->algorithm) != NID_mgf1 ||
		   !pss->maskGenAlgorithm->parameter ||
		   pss->maskGenAlgorithm->parameter->type != V_ASN1_SEQUENCE) {
		snprintf(why, len, "RSASSA-PSS with a mask other than MGF1");
		goto out;
	} else {
		q = pss->maskGenAlgorithm->parameter->value.sequence->data;
		mgf_md = d2i_X509_ALGOR(
		    NULL, &q,
		    pss->maskGenAlgorithm->parameter->value.sequence->length);
		/* The signature's hash decides what SHA-1 means here. */
		if (mgf_md && hash_of_nid(OBJ_obj2nid(mgf_md->algorithm),
					  allow_sha1, &mgf, &mgf_sha1) < 0)
			mgf = NULL;
	}
	if (!mgf || mgf != p->md) {
		snprintf(why, len,
			 "RSASSA-PSS with MGF1 of another hash than the "
			 "signature's");
		goto out;
	}
	p->salt = pss->saltLength ? (int)ASN1_INTEGER_get(pss->saltLength) : 20;
	if (p->salt < 0 || p->salt > 512) {
		snprintf(why, len, "RSASSA-PSS with a bad salt length");
		goto out;
	}
	rc = 0;
out:
	X509_ALGOR_free(mgf_md);
	RSA_PSS_PARAMS_free(pss);
	return rc;
}

/* What an AlgorithmIdentifier names, as we may verify it. */
static int
parse_aid(const uint8_t *der, size_t n, bool allow_sha1, struct sig_params *p,
	  bool *sha1, char *name, size_t name_len, char *why, size_t len)
{
	const unsigned char *q = der;
	X509_ALGOR *alg = d2i_X509_ALGOR(NULL, &q, (long)n);
	int nid, rc = -1;

	if (!alg || q != der + n) {
		snprintf(why, len, "malformed AlgorithmIdentifier");
		goto out;
	}
	nid = OBJ_obj2nid(alg->algorithm);
	OBJ_obj2txt(name, (int)name_len, alg->algorithm, 0);
	memset(p, 0, sizeof(*p));
	switch (nid) {
	case NID_sha256WithRSAEncryption:
	case NID_sha384WithRSAEncryption:
	case NID_sha512WithRSAEncryption:
		p->scheme = SIG_RSA_PKCS1;
		p->md = nid == NID_sha256WithRSAEncryption   ? EVP_sha256()
			: nid == NID_sha384WithRSAEncryption ? EVP_sha384()
							     : EVP_sha512();
		break;
	case NID_ecdsa_with_SHA256:
	case NID_ecdsa_with_SHA384:
	case NID_ecdsa_with_SHA512:
		p->scheme = SIG_ECDSA;
		p->md = nid == NID_ecdsa_with_SHA256   ? EVP_sha256()
			: nid == NID_ecdsa_with_SHA384 ? EVP_sha384()
						       : EVP_sha512();
		break;
	case NID_ED25519:
		p->scheme = SIG_ED25519;
		break;
	case NID_ED448:
		p->scheme = SIG_ED448;
		break;
	case NID_rsassaPss:
		p->scheme = SIG_RSA_PSS;
		if (pss_params(alg, allow_sha1, p, sha1, why, len) < 0)
			goto out;
		snprintf(name, name_len, "rsassa-pss-%s",
			 EVP_MD_get0_name(p->md));
		break;
	case NID_sha1WithRSAEncryption:
	case NID_ecdsa_with_SHA1:
		*sha1 = true;
		if (!allow_sha1) {
			snprintf(why, len,
				 "it signed with %s: SHA-1 signatures are "
				 "refused",
				 name);
			goto out;
		}
		p->scheme =
		    nid == NID_ecdsa_with_SHA1 ? SIG_ECDSA : SIG_RSA_PKCS1;
		p->md = EVP_sha1();
		break;
	default:
		snprintf(why, len, "it signed with %s, which we do not support",
			 name);
		goto out;
	}
	rc = 0;
out:
	X509_ALGOR_free(alg);
	return rc;
}

/* Method 1: PKCS#1 v1.5 with the hash its DigestInfo names. */
static int
verify_rsa_classic(EVP_PKEY *key, bool allow_sha1, bool *sha1,
		   const uint8_t *sig, size_t sig_len, const uint8_t *octets,
		   size_t n, char *used, size_t used_len, char *why,
		   size_t why_len)
{
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(key, NULL);
	uint8_t di[1024], h[EVP_MAX_MD_SIZE];
	size_t di_len = sizeof(di);
	const unsigned char *q = di;
	const ASN1_OCTET_STRING *digest;
	const X509_ALGOR *alg;
	X509_SIG *s = NULL;
	const EVP_MD *md = NULL;
	unsigned hl = 0;
	int rc = -1;

	if (!EVP_PKEY_is_a(key, "RSA")) {
		snprintf(why, why_len,
			 "it uses RSA signatures (AUTH method 1), its "
			 "certificate has an %s key",
			 key_kind(key));
		goto out;
	}
	if (!c || EVP_PKEY_verify_recover_init(c) != 1 ||
	    EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PADDING) <= 0 ||
	    EVP_PKEY_verify_recover(c, di, &di_len, sig, sig_len) != 1 ||
	    !(s = d2i_X509_SIG(NULL, &q, (long)di_len))) {
		snprintf(why, why_len,
			 "its RSA signature (AUTH method 1) does not verify");
		goto out;
	}
	X509_SIG_get0(s, &alg, &digest);
	if (hash_of_nid(OBJ_obj2nid(alg->algorithm), allow_sha1, &md, sha1) <
	    0) {
		snprintf(why, why_len,
			 *sha1
			     ? "its RSA signature (AUTH method 1) uses "
			       "SHA-1: SHA-1 signatures are refused; the peer "
			       "should use RFC 7427 signatures"
			     : "its RSA signature (AUTH method 1) uses a "
			       "hash we do not support");
		goto out;
	}
	snprintf(used, used_len, "RSA PKCS#1 v1.5 with %s",
		 EVP_MD_get0_name(md));
	if (EVP_Digest(octets, n, h, &hl, md, NULL) != 1 ||
	    (size_t)ASN1_STRING_length(digest) != hl ||
	    CRYPTO_memcmp(ASN1_STRING_get0_data(digest), h, hl) != 0) {
		snprintf(why, why_len, "its %s signature does not verify",
			 used);
		goto out;
	}
	rc = 0;
out:
	X509_SIG_free(s);
	EVP_PKEY_CTX_free(c);
	ERR_clear_error();
	return rc;
}

/* One AUTH of the peer: 0, or -1 and why; *sha1 whether its hash is
 * SHA-1 (refused unless allow_sha1). */
static int
verify_auth(EVP_PKEY *key, uint8_t method, bool allow_sha1, bool *sha1,
	    const uint8_t *data, size_t len, const uint8_t *octets, size_t n,
	    char *used, size_t used_len, char *why, size_t why_len)
{
	struct sig_params p = {0};
	unsigned hash;
	uint8_t want;
	uint8_t *der = NULL;
	size_t field;
	int dlen = 0, rc;

	snprintf(used, used_len, "AUTH method %u", method);
	switch (method) {
	case IKEV2_AUTH_DIGITAL_SIG:
		if (len < 1 || data[0] == 0 || (size_t)data[0] + 1 > len) {
			snprintf(why, why_len,
				 "malformed digital signature AUTH");
			return -1;
		}
		if (parse_aid(data + 1, data[0], allow_sha1, &p, sha1, used,
			      used_len, why, why_len) < 0)
			return -1;
		if (!scheme_fits(p.scheme, key)) {
			snprintf(why, why_len,
				 "it signed with %s, its certificate has an "
				 "%s key",
				 used, key_kind(key));
			return -1;
		}
		if (do_verify(key, &p, data + 1 + data[0], len - 1 - data[0],
			      octets, n) < 0) {
			snprintf(why, why_len,
				 "its %s signature does not verify", used);
			return -1;
		}
		return 0;
	case IKEV2_AUTH_RSA_SIG:
		return verify_rsa_classic(key, allow_sha1, sha1, data, len,
					  octets, n, used, used_len, why,
					  why_len);
	case IKEV2_AUTH_ECDSA_256:
	case IKEV2_AUTH_ECDSA_384:
	case IKEV2_AUTH_ECDSA_521:
		if (!EVP_PKEY_is_a(key, "EC") ||
		    ec_curve(key, &hash, &want, &field) < 0 || want != method) {
			snprintf(why, why_len,
				 "it uses ECDSA AUTH method %u, which does "
				 "not fit its certificate's %s key",
				 method, key_kind(key));
			return -1;
		}
		if (len != 2 * field) {
			snprintf(why, why_len,
				 "its ECDSA signature has %zu octets, not %zu",
				 len, 2 * field);
			return -1;
		}
		p.scheme = SIG_ECDSA;
		p.md = hash_md(hash);
		snprintf(used, used_len, "ECDSA with %s (AUTH method %u)",
			 EVP_MD_get0_name(p.md), method);
		if (ecdsa_raw_to_der(data, field, &der, &dlen) < 0)
			return -1;
		rc = do_verify(key, &p, der, (size_t)dlen, octets, n);
		OPENSSL_free(der);
		if (rc < 0)
			snprintf(why, why_len,
				 "its %s signature does not verify", used);
		return rc;
	default:
		snprintf(why, why_len,
			 "it uses AUTH method %u; auth: pubkey takes RFC 7427 "
			 "signatures (14), RSA (1) and ECDSA (9, 10, 11)",
			 method);
		return -1;
	}
}

int
sigalg_verify(EVP_PKEY *key, uint8_t method, bool allow_sha1,
	      const uint8_t *data, size_t len, const uint8_t *octets, size_t n,
	      char *used, size_t used_len, char *why, size_t why_len)
{
	bool sha1 = false;

	if (verify_auth(key, method, allow_sha1, &sha1, data, len, octets, n,
			used, used_len, why, why_len) == 0)
		return sha1 ? 1 : 0;
	/* Refused for SHA-1 alone: the caller can say how to allow it. */
	return sha1 && !allow_sha1 ? -2 : -1;
}
