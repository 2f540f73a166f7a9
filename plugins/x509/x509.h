/* SPDX-License-Identifier: ISC */
/*
 * The x509 plugin's parts, each in a file of its own and none of them
 * knowing charond (only x509.c, the glue, sees charond_api): so that the
 * unit tests in test/unit/x509/ link them as they are.
 *
 *   cred.c     certificates, private keys and CRLs from PEM or DER files,
 *              kept while the file is unchanged
 *   verify.c   the peer's chain through an X509_STORE: dates, key usage,
 *              basic constraints, CRLs; failures as one line for the log
 *   ident.c    identities against a certificate's subjectAltName and DN
 *   sigalg.c   RFC 7427 AlgorithmIdentifiers, the hash negotiation, and
 *              the AUTH data of methods 1, 9-11 and 14
 *   certreq.c  CERTREQ: SHA-1 hashes of the trusted CAs' public keys
 *   choose.c   which of our end-entity certificates the peer's CERTREQ
 *              asks for, and its chain
 *   v1sig.c    IKEv1's SIG payload: HASH_I/HASH_R signed as they are
 *
 * Every function that can fail writes why into a caller's buffer, in
 * words an admin can act on, and never a secret.
 */
#ifndef CHAROND_X509_H
#define CHAROND_X509_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

/* --- cred.c --------------------------------------------------------------- */

/*
 * Files are read once and kept while they do not change (same device,
 * inode, size and modification time): a reload, or the next use after
 * one, sees a new file. The objects returned belong to the cache and
 * stay valid until the file changes or cred_cache_free(); take a
 * reference (X509_up_ref, ...) to keep one longer.
 */
/* Every certificate of a file: a PEM file's in order, or one DER. */
STACK_OF(X509) * cred_certs(const char *path, char *why, size_t len);
/* The passphrase of an encrypted key, and where it was written ("FILE:LINE"
 * of its secrets.private entry) for the message when it does not fit. */
struct cred_pass {
	const uint8_t *ptr;
	size_t len;
	const char *where;
};
/* A private key, PEM or DER (PKCS#8 or the traditional forms), encrypted
 * or not. An encrypted one needs pass (NULL: none), and is refused
 * without it or with one that does not decrypt it, saying so. */
EVP_PKEY *cred_key(const char *path, const struct cred_pass *pass, char *why,
		   size_t len);
X509_CRL *cred_crl(const char *path, char *why, size_t len);
void cred_cache_free(void);
/* While on (a running daemon), a file that changed or went and does not
 * load gives what it last loaded; off (the config check), an error. */
void cred_keep_last_good(bool on);

/* Keys IKE may sign with here: RSA of 2048 to 4096 bits, ECDSA on P-256,
 * P-384 and P-521, Ed25519, Ed448. 0, or -1 and why. */
int cred_key_usable(EVP_PKEY *k, char *why, size_t len);

/* A name as "CN=sun,O=Example" (RFC 2253 order, UTF-8 kept). */
void cred_name(const X509_NAME *n, char *buf, size_t len);
/* A time as "2026-01-01 12:00:00 UTC" (date_only: "2026-01-01"). */
void cred_time(const ASN1_TIME *t, bool date_only, char *buf, size_t len);

/* --- verify.c ------------------------------------------------------------- */

#define X509_MAX_CRLS 16 /* CRL files of one authority */

struct x509_authority {
	const char *name;
	X509 *cacert;
	/* Its CRLs and those of intermediate CAs below it; none: no
	 * revocation checking. */
	X509_CRL *crls[X509_MAX_CRLS];
	size_t n_crls;
};

/*
 * Whether ee, with the untrusted intermediates the peer sent, chains to
 * one of the authorities, and is fit for IKE: within its dates and every
 * certificate's up the chain, CA certificates with basic constraints and
 * their path lengths kept, no certificate below the anchor revoked by the
 * CRL of its issuer when the authority has one for that issuer (whose
 * own dates count), a key usage that allows
 * digitalSignature and an extended key usage, if any, that allows
 * serverAuth, clientAuth or ipsecIKE. conn names the connection in the
 * message; at: the time to check against (0: now). 0 with the issuing
 * authority in *by, or -1 with why.
 */
int verify_chain(X509 *ee, STACK_OF(X509) * untrusted,
		 const struct x509_authority *auth, size_t n_auth,
		 const char *conn, time_t at, const struct x509_authority **by,
		 char *why, size_t len);
/* Key usage and extended key usage of an end entity for IKE alone. */
int verify_usage(X509 *ee, char *why, size_t len);

/* --- ident.c -------------------------------------------------------------- */

/* An IKEv2 ID as text: an address, the name, or the DN for a DER DN. */
void ident_text(uint8_t type, const uint8_t *data, size_t n, char *buf,
		size_t len);
/*
 * Whether the ID is backed by the certificate: an FQDN, an RFC 822
 * address or an IP address that is one of its subjectAltNames, or a DN
 * equal to its subject. who ("peer ID") begins the reason on a
 * mismatch: "peer ID sun.example.org not in its certificate (SANs:
 * moon.example.org)".
 */
int ident_match(X509 *cert, uint8_t type, const uint8_t *data, size_t n,
		const char *who, char *why, size_t len);
/* An ID written in the config ("moon.example.org", "a@b", an address,
 * "CN=moon, O=Example") in the form charond sends it; data points into
 * text or buf (256 octets: IKE_ID_MAX). */
void ident_from_text(const char *text, uint8_t *type, const uint8_t **data,
		     size_t *n, uint8_t *buf);

/* --- sigalg.c ------------------------------------------------------------- */

/* RFC 7427 hash algorithm identifiers, as bits of a set. */
#define HASH_SHA2_256 (1u << 2)
#define HASH_SHA2_384 (1u << 3)
#define HASH_SHA2_512 (1u << 4)
#define HASH_IDENTITY (1u << 5)
#define HASH_OURS                                                              \
	(HASH_SHA2_256 | HASH_SHA2_384 | HASH_SHA2_512 | HASH_IDENTITY)

/* The SIGNATURE_HASH_ALGORITHMS notify's data for a set: 2 octets each. */
size_t sigalg_hashes_put(unsigned set, uint8_t *out, size_t len);
/* The set a peer's notify data names, of the algorithms we know. */
unsigned sigalg_hashes_get(const uint8_t *data, size_t len);

enum sig_scheme {
	SIG_RSA_PKCS1,
	SIG_RSA_PSS,
	SIG_ECDSA,
	SIG_ED25519,
	SIG_ED448,
};

/* One signature algorithm of RFC 7427 with its AlgorithmIdentifier. */
struct sig_alg {
	const char *name; /* "ecdsa-with-SHA384", for the log */
	enum sig_scheme scheme;
	unsigned hash; /* HASH_* */
	const uint8_t *aid;
	size_t aid_len;
};

/* The algorithms we sign with, in the table order (tests walk it). */
const struct sig_alg *sigalg_at(size_t i);

/*
 * Our AUTH for key over octets: RFC 7427's method 14 when the peer named
 * hash algorithms (peer_hashes not 0) that fit the key, else the classic
 * method of the key (1 for RSA, 9/10/11 for ECDSA on P-256/384/521).
 * Method 1 hashes with SHA-256, or SHA-1 if allow_sha1 (the connection's
 * allow_sha1: peers without RFC 7427 often verify method 1 with SHA-1
 * only); method 14 never uses SHA-1. *method and out (at most *len
 * octets, set to what was written). 0, or -1 and why.
 */
int sigalg_sign(EVP_PKEY *key, unsigned peer_hashes, bool allow_sha1,
		const uint8_t *octets, size_t n, uint8_t *method, uint8_t *out,
		size_t *len, char *why, size_t why_len);
/*
 * Whether data, the AUTH of method, proves octets with key. SHA-1
 * signatures (method 1's DigestInfo, sha1WithRSAEncryption,
 * ecdsa-with-SHA1, RSASSA-PSS with SHA-1) are taken only if allow_sha1
 * (the connection's allow_sha1). 0: verified; 1: verified, and it was a
 * SHA-1 signature; -1: refused, and why; -2: refused because it is a
 * SHA-1 signature and allow_sha1 is off (why says SHA-1 signatures are
 * refused). *used names what was checked.
 */
int sigalg_verify(EVP_PKEY *key, uint8_t method, bool allow_sha1,
		  const uint8_t *data, size_t len, const uint8_t *octets,
		  size_t n, char *used, size_t used_len, char *why,
		  size_t why_len);

/* --- certreq.c ------------------------------------------------------------ */

#define CERTREQ_HASH_LEN 20

/* SHA-1 of a certificate's SubjectPublicKeyInfo (RFC 7296 3.7). */
int certreq_hash(X509 *ca, uint8_t out[CERTREQ_HASH_LEN]);
/* Whether a CERTREQ's data names ca. */
bool certreq_names(const uint8_t *data, size_t len, X509 *ca);

/* --- choose.c ------------------------------------------------------------- */

#define CHOOSE_MAX_DEPTH 8

/* One end-entity certificate of ours and its chain (no references
 * taken: the certificates stay the caller's). */
struct choose_cand {
	X509 *ee;
	X509 *inter[CHOOSE_MAX_DEPTH]; /* what we send after ee, in order */
	size_t n_inter;
	X509 *anchor; /* the authority's CA the chain ends at, or NULL */
};

/* memo.c: the certificate DER encodes, parsed once for every SA that
 * sends it (a new reference, or NULL if it is not one whole certificate);
 * and whether issuer signed x, as check says, asked once per pair. */
X509 *memo_cert(const unsigned char *der, size_t len);
bool memo_issued(X509 *issuer, X509 *x, bool (*check)(X509 *issuer, X509 *x));
void memo_free(void);

/* Not a CA certificate (no basicConstraints CA:TRUE). */
bool choose_is_ee(X509 *x);
/* ee's chain: the CA certificates of pool (local.certs) that issued it,
 * each found by issuer name and signature, up to one of anchors (the
 * authorities' CA certificates, not sent) or as far as pool goes. */
void choose_chain(struct choose_cand *c, X509 *ee, X509 *const *pool,
		  size_t n_pool, X509 *const *anchors, size_t n_anchors);
/* The first of n candidates (n >= 1) with a CA in its chain (its
 * intermediates or anchor) whose key hash the CERTREQ data names, that
 * CA in *named; else 0 (no CERTREQ, an empty one, or no match) and
 * *named NULL. */
size_t choose_pick(const struct choose_cand *c, size_t n,
		   const uint8_t *certreq, size_t len, X509 **named);

/* --- v1sig.c -------------------------------------------------------------- */

/* "RSA signatures", "ECDSA signatures on P-256 (SHA-256)", ... for the log
 * (IKEV1_AUTH_*). */
const char *v1sig_method_name(uint16_t method);
/* The IKEv1 authentication method of our key: RSA signatures (3), or
 * ECDSA on P-256/384/521 (9, 10, 11, RFC 4754). 0, or -1 and why. */
int v1sig_method(EVP_PKEY *k, uint16_t *method, char *why, size_t len);
/* The SIG payload's data: hash (HASH_I or HASH_R, n octets) signed with
 * k under method, which must be k's: RSA PKCS#1 v1.5 without DigestInfo,
 * or ECDSA's r | s. At most *len octets in out, *len set. 0, or -1 and
 * why. */
int v1sig_sign(EVP_PKEY *k, uint16_t method, const uint8_t *hash, size_t n,
	       uint8_t *out, size_t *len, char *why, size_t why_len);
/* Whether sig is hash signed under method with the key k of the peer's
 * certificate. 0, or -1 and why: a method that is not the key's, or
 * "does not verify" (the caller names the certificate). */
int v1sig_verify(EVP_PKEY *k, uint16_t method, const uint8_t *sig,
		 size_t sig_len, const uint8_t *hash, size_t n, char *why,
		 size_t why_len);

#endif
