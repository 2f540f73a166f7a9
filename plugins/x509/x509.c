/* SPDX-License-Identifier: ISC */
/*
 * The x509 plugin: `auth: pubkey`, authentication with X.509 certificates
 * (RFC 7296 2.15, 3.6-3.8; RFC 7427 signatures; RFC 4945 profile).
 *
 * - Our side: `local.certs` (end-entity certificates, all for
 *   `local.key`, and intermediates, in any order) and `local.key`; AUTH
 *   is an RFC 7427 signature when the peer announced hash algorithms in
 *   SIGNATURE_HASH_ALGORITHMS, else RSA (1) or ECDSA (9-11). Without
 *   `local.id` our ID is the sent certificate's subject DN (the
 *   local_id hook); a written one must be in it.
 * - The peer: its CERT payloads chain to the `authorities` the
 *   connection trusts (`remote.ca`, or all of them), its ID must be in
 *   its certificate, its AUTH verifies with the certificate's key.
 * - SHA-1 signatures: refused unless the connection says `allow_sha1:
 *   yes`, which also signs method 1 with SHA-1 for peers without RFC 7427
 *   (they verify it with SHA-1 only).
 * - CERTREQ: the trusted CAs' key hashes, in IKE_SA_INIT (responder) and
 *   IKE_AUTH (initiator). The peer's (kept per SA by the input hook, from
 *   the IKE_SA_INIT response or the IKE_AUTH request) chooses which of
 *   our end entities we send (choose.c): the first whose chain has a CA
 *   it names, else the first; that one and its chain's intermediates go
 *   in CERT payloads of encoding 4, and our ID follows it.
 * - The config check loads every file a pubkey connection names and
 *   refuses the config, at the key, when one does not load or fit.
 * - IKEv1 Main Mode (RFC 2409 5.1, RFC 4754; v1sig.c): the method is our
 *   key's (RSA signatures, or ECDSA on its curve); SIG is HASH_I/HASH_R
 *   signed as it is; the peer's CERTs, ID and revocation are checked as
 *   for IKEv2. CERTREQs there name the CAs by their DER subject, as
 *   IKEv1 peers (strongSwan, Windows) send and expect them; they choose
 *   none of our certificates (no key hash to choose by): the one sent is
 *   the one our ID follows.
 *
 * This file is the glue to charond; the parts are in x509.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "plugin.h"
#include "x509.h"

#define MAX_AUTHORITIES 64

static const struct charond_api *api;
static int slot = -1;

#define MAX_OURS    32   /* certificates in local.certs */
#define MAX_CERTREQ 4096 /* octets of CERTREQ data kept, 204 CAs */

/* What x509 knows of one IKE SA. */
struct x509_sa {
	unsigned peer_hashes; /* HASH_*: what the peer's IKE_SA_INIT named */
	uint8_t *certreq;     /* the peer's CERTREQ data (key hashes) */
	size_t certreq_len;
};

/* The IKE SA whose message the engine reads now: the local_id hook,
 * asked while it answers or goes on from that message, is told only the
 * connection, and our ID must follow the certificate chosen for the SA. */
static unsigned current_sa;
/* The last message read was an IKE_SA_INIT request: the auth payloads
 * asked for next are the CERTREQs of our answer, which carries no CERT. */
static bool answering_init;

/*
 * The responder reads the initiator's IKE_SA_INIT before the SA exists;
 * the build hook of its answer, next in the same ike_input(), takes what
 * it said over (as natt does), matched by the initiator's SPI.
 */
static struct {
	bool valid;
	uint8_t spi_i[IKEV2_SPI_LEN];
	unsigned hashes;
} pending;

static void
sa_free(void *data)
{
	struct x509_sa *s = data;

	if (s)
		free(s->certreq);
	free(s);
}

static struct x509_sa *
sa_get_or_new(unsigned ike_id)
{
	struct x509_sa *s = api->sa_get(slot, ike_id);

	if (s || !ike_id)
		return s;
	s = calloc(1, sizeof(*s));
	if (s && api->sa_set(slot, ike_id, s) < 0) {
		free(s);
		s = NULL;
	}
	return s;
}

/* --- credentials of a connection ------------------------------------------ */

/* The connection's view; a NULL name or unknown connection: -1. */
static int
view(const char *conn, struct charond_conn_view *v)
{
	memset(v, 0, sizeof(*v));
	v->size = sizeof(*v);
	return conn ? api->conn(conn, v) : -1;
}

/* How many CRL files authority i of a view has, and the j-th: the list
 * when charond gives one, else the one `crl`. */
static size_t
n_crls(const struct charond_conn_view *v, size_t i)
{
	size_t n;

	if (v->authority_crls)
		n = v->authority_crls[i].n;
	else
		n = v->authorities[i].crl ? 1 : 0;
	return n < X509_MAX_CRLS ? n : X509_MAX_CRLS;
}

static const char *
crl_file(const struct charond_conn_view *v, size_t i, size_t j)
{
	return v->authority_crls ? v->authority_crls[i].files[j]
				 : v->authorities[i].crl;
}

/* local.key's passphrase from the view (none: NULL), where in "FILE:LINE",
 * in where (a buffer of the caller's, as the pass points to it). */
static const struct cred_pass *
key_pass(const struct charond_conn_view *v, struct cred_pass *pass, char *where,
	 size_t len)
{
	if (!v->local_key_secret)
		return NULL;
	snprintf(where, len, "%s:%u",
		 v->local_key_secret_file ? v->local_key_secret_file : "?",
		 v->local_key_secret_line);
	pass->ptr = v->local_key_secret->ptr;
	pass->len = v->local_key_secret->len;
	pass->where = where;
	return pass;
}

/* The authorities of a view, loaded; *n of them. */
static int
authorities(const struct charond_conn_view *v, struct x509_authority *out,
	    size_t *n, char *why, size_t len)
{
	STACK_OF(X509) * ca;
	size_t i, j;

	*n = 0;
	for (i = 0; i < v->n_authorities && i < MAX_AUTHORITIES; i++) {
		const struct charond_authority_view *a = &v->authorities[i];

		ca = cred_certs(a->cacert, why, len);
		if (!ca)
			return -1;
		out[*n].name = a->name;
		out[*n].cacert = sk_X509_value(ca, 0);
		out[*n].n_crls = 0;
		for (j = 0; j < n_crls(v, i); j++)
			if (!(out[*n].crls[out[*n].n_crls++] =
				  cred_crl(crl_file(v, i, j), why, len)))
				return -1;
		(*n)++;
	}
	return 0;
}

/*
 * Our end-entity certificates, in config order, each with its chain from
 * the CA certificates of local.certs up to an authority of the view;
 * those without a configured local.id left out. 0 with *n of them, or -1
 * and why.
 */
static int
our_certs(const struct charond_conn_view *v, struct choose_cand *c, size_t max,
	  size_t *n, char *why, size_t len)
{
	struct x509_authority auth[MAX_AUTHORITIES];
	X509 *all[MAX_OURS], *pool[MAX_OURS], *anchors[MAX_AUTHORITIES];
	STACK_OF(X509) * sk;
	uint8_t type, addr[IKE_ID_MAX];
	const uint8_t *data;
	char no[512];
	size_t i, n_all = 0, n_pool = 0, n_auth = 0, n_id;
	int j;

	*n = 0;
	for (i = 0; i < v->local.n_certs; i++) {
		sk = cred_certs(v->local.certs[i], why, len);
		if (!sk)
			return -1;
		for (j = 0; j < sk_X509_num(sk) && n_all < MAX_OURS; j++)
			all[n_all++] = sk_X509_value(sk, j);
	}
	for (i = 0; i < n_all; i++)
		if (!choose_is_ee(all[i]))
			pool[n_pool++] = all[i];
	/* An authority that does not load anchors nothing: the chains go
	 * as far as local.certs takes them. */
	if (authorities(v, auth, &n_auth, no, sizeof(no)) < 0)
		n_auth = 0;
	for (i = 0; i < n_auth; i++)
		anchors[i] = auth[i].cacert;
	if (v->local.id)
		ident_from_text(v->local.id, &type, &data, &n_id, addr);
	for (i = 0; i < n_all && *n < max; i++) {
		if (!choose_is_ee(all[i]) ||
		    (v->local.id &&
		     ident_match(all[i], type, data, n_id, "local ID", no,
				 sizeof(no)) < 0))
			continue;
		choose_chain(&c[(*n)++], all[i], pool, n_pool, anchors, n_auth);
	}
	/* The config check refuses a local.id in none of them: a file
	 * changed since. Send what there is; the peer says if it minds. */
	if (*n == 0 && v->local.id) {
		api->log(IKE_LOG_WARN, "x509",
			 "'%s': local.id %s is in none of our certificates "
			 "(a file of local.certs changed since the load?)",
			 v->name, v->local.id);
		for (i = 0; i < n_all && *n < max; i++)
			if (choose_is_ee(all[i]))
				choose_chain(&c[(*n)++], all[i], pool, n_pool,
					     anchors, n_auth);
	}
	ERR_clear_error();
	if (*n == 0) {
		snprintf(why, len,
			 "no end-entity certificate in local.certs, only CA "
			 "certificates");
		return -1;
	}
	return 0;
}

/* The certificate for the peer of IKE SA s (NULL: none yet), as its
 * CERTREQ asks; *named the CA it named, or NULL. */
static const struct choose_cand *
our_choice(const struct charond_conn_view *v, const struct x509_sa *s,
	   struct choose_cand *c, X509 **named, char *why, size_t len)
{
	size_t n;

	*named = NULL;
	if (our_certs(v, c, MAX_OURS, &n, why, len) < 0)
		return NULL;
	return &c[s ? choose_pick(c, n, s->certreq, s->certreq_len, named) : 0];
}

/* --- the auth method ------------------------------------------------------ */

/* The connection's allow_sha1 (default no). */
static bool
allows_sha1(const char *conn)
{
	struct charond_value v;

	return conn &&
	       api->value(CHAROND_SCOPE_CONN, conn, NULL, "allow_sha1", &v) ==
		   0 &&
	       v.set && v.u.b;
}

/* local.key of a connection, loaded; NULL with the line logged. */
static EVP_PKEY *
our_key(const char *conn)
{
	struct charond_conn_view v;
	struct cred_pass pass;
	char why[512], where[512];
	EVP_PKEY *key;

	if (view(conn, &v) < 0 || !v.local.key) {
		api->log(IKE_LOG_ERROR, "x509",
			 "'%s': no private key (local.key)", conn ? conn : "?");
		return NULL;
	}
	key = cred_key(v.local.key, key_pass(&v, &pass, where, sizeof(where)),
		       why, sizeof(why));
	if (!key)
		api->log(IKE_LOG_ERROR, "x509", "'%s': %s", conn, why);
	return key;
}

/* IKEv1 Main Mode: our key's method, or HASH_I/HASH_R signed. */
static int
v1_sign(const struct ike_auth_req *r, uint8_t *method, uint8_t *out,
	size_t *len)
{
	EVP_PKEY *key;
	uint16_t m = 0;
	char why[512];

	if (r->purpose != IKE_AUTH_PURPOSE_V1_METHOD &&
	    r->purpose != IKE_AUTH_PURPOSE_V1_SIG)
		return -1; /* SKEYID is a pre-shared key's */
	if (!(key = our_key(r->conn)))
		return -1;
	if (v1sig_method(key, &m, why, sizeof(why)) < 0 ||
	    (r->purpose == IKE_AUTH_PURPOSE_V1_SIG &&
	     v1sig_sign(key, m, r->octets.ptr, r->octets.len, out, len, why,
			sizeof(why)) < 0)) {
		api->log(IKE_LOG_ERROR, "x509",
			 "'%s' IKE SA #%u: %s (local.key)", r->conn, r->ike_id,
			 why);
		return -1;
	}
	*method = (uint8_t)m;
	if (r->purpose == IKE_AUTH_PURPOSE_V1_METHOD)
		*len = 0;
	return 0;
}

static int
x509_sign(void *state, const struct ike_auth_req *r, uint8_t *method,
	  uint8_t *out, size_t *len)
{
	struct charond_conn_view v;
	struct x509_sa *s = api->sa_get(slot, r->ike_id);
	bool sha1 = allows_sha1(r->conn);
	EVP_PKEY *key;
	struct cred_pass pass;
	char why[512], where[512];

	if (r->version == 1)
		return v1_sign(r, method, out, len);
	if (r->purpose != IKE_AUTH_PURPOSE_AUTH)
		return -1;
	if (view(r->conn, &v) < 0 || !v.local.key) {
		api->log(IKE_LOG_ERROR, "x509",
			 "'%s': no private key (local.key)",
			 r->conn ? r->conn : "?");
		return -1;
	}
	key = cred_key(v.local.key, key_pass(&v, &pass, where, sizeof(where)),
		       why, sizeof(why));
	if (!key || sigalg_sign(key, s ? s->peer_hashes : 0, sha1,
				r->octets.ptr, r->octets.len, method, out, len,
				why, sizeof(why)) < 0) {
		api->log(IKE_LOG_ERROR, "x509", "'%s' IKE SA #%u: %s", r->conn,
			 r->ike_id, why);
		return -1;
	}
	/* Method 1 names its hash only inside the signature: a peer
	 * without RFC 7427 may check SHA-1 alone, and fail on ours. */
	if (*method == IKEV2_AUTH_RSA_SIG && sha1)
		api->log(IKE_LOG_INFO, "x509",
			 "'%s' IKE SA #%u: the peer named no RFC 7427 hash "
			 "algorithms: RSA signature (AUTH method 1) with "
			 "SHA-1, as the connection allows (allow_sha1)",
			 r->conn, r->ike_id);
	else if (*method == IKEV2_AUTH_RSA_SIG)
		api->log(IKE_LOG_INFO, "x509",
			 "'%s' IKE SA #%u: the peer named no RFC 7427 hash "
			 "algorithms: RSA signature (AUTH method 1) with "
			 "SHA-256; a peer that checks method 1 with SHA-1 "
			 "only will refuse it (allow_sha1: yes on connection "
			 "%s signs with SHA-1)",
			 r->conn, r->ike_id, r->conn);
	api->log(IKE_LOG_DEBUG, "x509", "'%s' IKE SA #%u: AUTH method %u",
		 r->conn, r->ike_id, *method);
	return 0;
}

/* The peer's certificate from its IKE_AUTH message (a reference for the
 * caller), its chain validated if asked; or NULL and why. */
static X509 *
peer_cert(const struct ike_auth_req *r, bool validate, char *why, size_t len)
{
	struct x509_authority auth[MAX_AUTHORITIES];
	const struct x509_authority *by;
	struct charond_conn_view v;
	STACK_OF(X509) *rest = sk_X509_new_null();
	X509 *ee = NULL, *x;
	size_t i, n_auth;

	if (!rest || view(r->conn, &v) < 0 || !r->msg) {
		snprintf(why, len, "no configuration or message to check");
		goto fail;
	}
	for (i = 0; i < r->msg->n_payloads; i++) {
		const struct ike_in_payload *p = &r->msg->payloads[i];
		const unsigned char *q = p->data.ptr;

		if (p->type != IKEV2_PL_CERT || p->sub != IKEV2_CERT_X509_SIG)
			continue;
		x = memo_cert(q, p->data.len);
		if (!x) {
			snprintf(why, len,
				 "its CERT payload %zu is no X.509 "
				 "certificate",
				 i);
			goto fail;
		}
		if (!ee)
			ee = x;
		else if (!sk_X509_push(rest, x))
			X509_free(x);
	}
	if (!ee) {
		snprintf(why, len,
			 "it sent no certificate (CERT payload, X.509 "
			 "signature)");
		goto fail;
	}
	if (!validate)
		goto done;
	if (authorities(&v, auth, &n_auth, why, len) < 0)
		goto fail;
	if (verify_chain(ee, rest, auth, n_auth, r->conn, 0, &by, why, len) < 0)
		goto fail;
done:
	sk_X509_pop_free(rest, X509_free);
	return ee;
fail:
	X509_free(ee);
	sk_X509_pop_free(rest, X509_free);
	ERR_clear_error();
	return NULL;
}

/* The peer's ID against its certificate; the chain is verify's, so that
 * its failures read as what they are. */
static int
x509_id_check(void *state, const struct ike_auth_req *r, char *why,
	      size_t why_len)
{
	X509 *ee;
	int rc;

	if (!r->peer_id) {
		snprintf(why, why_len, "no peer ID");
		return -1;
	}
	ee = peer_cert(r, false, why, why_len);
	if (!ee)
		return -1;
	rc = ident_match(ee, r->peer_id->type, r->peer_id->data.ptr,
			 r->peer_id->data.len, "peer ID", why, why_len);
	X509_free(ee);
	return rc;
}

/* IKEv1 Main Mode: the peer's SIG of HASH_I/HASH_R with its certificate,
 * which chains to an authority of the connection. why is the whole line,
 * naming the peer's message (5 from the initiator, 6 from the
 * responder). */
static int
v1_verify(const struct ike_auth_req *r, uint8_t method, struct bytes data,
	  char *why, size_t why_len)
{
	unsigned num = r->msg && r->msg->initiator ? 6 : 5;
	char subj[256], issuer[256], what[512];
	X509 *ee;
	int rc;

	if (r->purpose != IKE_AUTH_PURPOSE_V1_SIG) {
		snprintf(why, why_len, "nothing to verify for this purpose");
		return -1;
	}
	if (!(ee = peer_cert(r, true, what, sizeof(what)))) {
		snprintf(why, why_len,
			 "peer failed authentication in message %u: %s", num,
			 what);
		return -1;
	}
	cred_name(X509_get_subject_name(ee), subj, sizeof(subj));
	cred_name(X509_get_issuer_name(ee), issuer, sizeof(issuer));
	rc = v1sig_verify(X509_get0_pubkey(ee), method, data.ptr, data.len,
			  r->octets.ptr, r->octets.len, what, sizeof(what));
	if (rc < 0 && strcmp(what, "does not verify") == 0)
		snprintf(why, why_len,
			 "peer's signature in message %u does not verify with "
			 "its certificate %s",
			 num, subj);
	else if (rc < 0)
		snprintf(why, why_len,
			 "peer's signature in message %u is refused: %s "
			 "(certificate %s)",
			 num, what, subj);
	if (rc == 0)
		api->log(IKE_LOG_INFO, "x509",
			 "'%s' IKE SA #%u: peer certificate %s, %s, issued by "
			 "%s",
			 r->conn, r->ike_id, subj, v1sig_method_name(method),
			 issuer);
	X509_free(ee);
	return rc;
}

static int
x509_verify(void *state, const struct ike_auth_req *r, uint8_t method,
	    struct bytes data, char *why, size_t why_len)
{
	char used[128], subj[256], issuer[256];
	X509 *ee;
	int rc;

	if (r->version == 1)
		return v1_verify(r, method, data, why, why_len);
	if (r->purpose != IKE_AUTH_PURPOSE_AUTH) {
		snprintf(why, why_len, "nothing to verify for this purpose");
		return -1;
	}
	ee = peer_cert(r, true, why, why_len);
	if (!ee)
		return -1;
	rc = sigalg_verify(X509_get0_pubkey(ee), method, allows_sha1(r->conn),
			   data.ptr, data.len, r->octets.ptr, r->octets.len,
			   used, sizeof(used), why, why_len);
	if (rc >= 0) {
		cred_name(X509_get_subject_name(ee), subj, sizeof(subj));
		cred_name(X509_get_issuer_name(ee), issuer, sizeof(issuer));
		api->log(IKE_LOG_INFO, "x509",
			 "'%s' IKE SA #%u: peer certificate %s, %s, issued by "
			 "%s",
			 r->conn, r->ike_id, subj, used, issuer);
	}
	if (rc == 1)
		api->log(IKE_LOG_INFO, "x509",
			 "'%s' IKE SA #%u: SHA-1 signature (%s) accepted "
			 "because the connection allows it (allow_sha1)",
			 r->conn, r->ike_id, used);
	if (rc == -2) {
		size_t k = strlen(why);

		snprintf(why + k, why_len - k,
			 " (allow_sha1: yes on connection %s accepts them)",
			 r->conn);
	}
	X509_free(ee);
	return rc < 0 ? -1 : 0;
}

/* One line on the certificate we send and why that one. */
static void
log_choice(const struct ike_auth_req *r, const struct x509_sa *s,
	   const struct choose_cand *ch, X509 *named)
{
	char subj[256], issuer[256], ca[256];

	cred_name(X509_get_subject_name(ch->ee), subj, sizeof(subj));
	cred_name(X509_get_issuer_name(ch->ee), issuer, sizeof(issuer));
	if (named)
		cred_name(X509_get_subject_name(named), ca, sizeof(ca));
	api->log(IKE_LOG_INFO, "x509",
		 "'%s' IKE SA #%u: sending certificate %s (issuer %s): %s%s",
		 r->conn, r->ike_id, subj, issuer,
		 r->version == 1 ? "IKEv1, the one our ID follows"
		 : named         ? "the peer's CERTREQ names "
		 : !s || s->certreq_len < CERTREQ_HASH_LEN
		     ? "no CERTREQ from the peer"
		     : "the peer's CERTREQ "
		       "names none of our CAs",
		 named && r->version != 1 ? ca : "");
}

/* A certificate in a CERT payload (X.509 signature, encoding 4). */
static int
put_cert(struct ike_out *out, X509 *x)
{
	unsigned char *der = NULL;
	int len = i2d_X509(x, &der), rc = -1;

	if (len > 0)
		rc = ike_out_cert(out, IKEV2_CERT_X509_SIG, der, (size_t)len);
	OPENSSL_free(der);
	return rc;
}

/* IKEv1's CERTREQs: one per authority, naming it by its DER subject
 * (RFC 2408 3.10 leaves the form to the encoding; IKEv1 peers use the
 * DN, as strongSwan's capture in test/data/ikev1/main-cert shows). */
static int
v1_certreqs(struct ike_out *out, const struct x509_authority *auth, size_t n)
{
	unsigned char *der;
	size_t i;
	int len, rc = 0;

	for (i = 0; i < n; i++) {
		der = NULL;
		len =
		    i2d_X509_NAME(X509_get_subject_name(auth[i].cacert), &der);
		if (len <= 0 || ike_out_certreq(out, IKEV2_CERT_X509_SIG, der,
						(size_t)len) < 0)
			rc = -1;
		OPENSSL_free(der);
	}
	return rc;
}

static int
x509_payloads(void *state, const struct ike_auth_req *r, struct ike_out *out)
{
	struct x509_authority auth[MAX_AUTHORITIES];
	uint8_t reqs[MAX_AUTHORITIES * CERTREQ_HASH_LEN];
	struct choose_cand c[MAX_OURS];
	const struct choose_cand *ch;
	struct charond_conn_view v;
	X509 *named;
	char why[512];
	size_t i, n, k = 0;
	int rc = 0;
	bool certs = !(answering_init && !r->msg && !r->peer_id);
	bool certreqs = true;

	if (view(r->conn, &v) < 0)
		return 0;
	/* IKEv1: CERTREQs in messages 3 and 4, CERTs in 5 and 6. */
	if (r->version == 1) {
		certs = r->purpose == IKE_AUTH_PURPOSE_V1_SIG;
		certreqs = r->purpose == IKE_AUTH_PURPOSE_V1_METHOD;
	}
	if (certs && v.local.auth && strcmp(v.local.auth, "pubkey") == 0) {
		/* IKEv1's CERTREQ names no key hash to choose by: the
		 * certificate is the one the local_id hook chose our ID
		 * from in the same engine call, so that the two agree. */
		const struct x509_sa *s =
		    r->version == 2 ? api->sa_get(slot, r->ike_id)
		    : current_sa    ? api->sa_get(slot, current_sa)
				    : NULL;

		if (!(ch = our_choice(&v, s, c, &named, why, sizeof(why)))) {
			api->log(IKE_LOG_ERROR, "x509", "'%s': %s", r->conn,
				 why);
			return -1;
		}
		log_choice(r, s, ch, named);
		/* The end entity first (RFC 7296 3.6), then its chain. */
		for (i = 0; i <= ch->n_inter; i++)
			if (put_cert(out, i ? ch->inter[i - 1] : ch->ee) < 0) {
				api->log(IKE_LOG_ERROR, "x509",
					 "'%s': certificate %zu of our chain "
					 "does not fit in the message",
					 r->conn, i + 1);
				rc = -1;
			}
	}
	if (certreqs && v.remote.auth && strcmp(v.remote.auth, "pubkey") == 0) {
		if (authorities(&v, auth, &n, why, sizeof(why)) < 0) {
			api->log(IKE_LOG_WARN, "x509", "'%s': %s", r->conn,
				 why);
			return rc;
		}
		if (r->version == 1)
			return v1_certreqs(out, auth, n) < 0 ? -1 : rc;
		for (i = 0; i < n; i++)
			if (certreq_hash(auth[i].cacert,
					 reqs + k * CERTREQ_HASH_LEN) == 0)
				k++;
		if (k)
			ike_out_certreq(out, IKEV2_CERT_X509_SIG, reqs,
					k * CERTREQ_HASH_LEN);
	}
	return rc;
}

/* Without local.id: our chosen certificate's subject, as ID_DER_ASN1_DN
 * (RFC 7296 3.5), which the peer finds in it whatever SANs it has. */
static int
x509_local_id(void *state, const char *conn, uint8_t *type, uint8_t *data,
	      size_t *len)
{
	struct choose_cand c[MAX_OURS];
	const struct choose_cand *ch;
	struct charond_conn_view v;
	unsigned char *der = NULL;
	X509 *named;
	char why[512];
	int dlen;

	if (view(conn, &v) < 0 ||
	    !(ch = our_choice(&v,
			      current_sa ? api->sa_get(slot, current_sa) : NULL,
			      c, &named, why, sizeof(why))))
		return -1;
	dlen = i2d_X509_NAME(X509_get_subject_name(ch->ee), &der);
	if (dlen <= 0 || (size_t)dlen > *len) {
		OPENSSL_free(der);
		return -1;
	}
	memcpy(data, der, (size_t)dlen);
	*len = (size_t)dlen;
	*type = IKEV2_ID_DER_ASN1_DN;
	OPENSSL_free(der);
	return 0;
}

static const struct charond_auth_method pubkey_method = {
    .name = "pubkey",
    .sign = x509_sign,
    .verify = x509_verify,
    .payloads = x509_payloads,
    .id_check = x509_id_check,
    .local_id = x509_local_id,
};

/* --- SIGNATURE_HASH_ALGORITHMS in IKE_SA_INIT (RFC 7427 4) ---------------- */

static unsigned
hashes_of(const struct ike_msg_view *m)
{
	size_t i;

	for (i = 0; i < m->n_payloads; i++)
		if (m->payloads[i].type == IKEV2_PL_N &&
		    m->payloads[i].sub == IKEV2_N_SIGNATURE_HASH_ALGORITHMS)
			return sigalg_hashes_get(m->payloads[i].data.ptr,
						 m->payloads[i].data.len);
	return 0;
}

static void
x509_build(void *state, const struct ike_msg_view *m, struct ike_out *out)
{
	uint8_t data[8];
	struct x509_sa *s;
	size_t n;

	if (m->version != 2 || m->exchange != IKEV2_EXCH_IKE_SA_INIT)
		return;
	if (!m->request && pending.valid &&
	    memcmp(pending.spi_i, m->spi_i, IKEV2_SPI_LEN) == 0) {
		pending.valid = false;
		if ((s = sa_get_or_new(m->ike_id)))
			s->peer_hashes = pending.hashes;
	}
	n = sigalg_hashes_put(HASH_OURS, data, sizeof(data));
	ike_out_notify(out, IKEV2_N_SIGNATURE_HASH_ALGORITHMS, data, n);
}

/* The CERTREQ data of the peer's message, all payloads for X.509
 * signatures in one list of key hashes, kept for the SA. */
static void
keep_certreq(struct x509_sa *s, const struct ike_msg_view *m)
{
	size_t i, n = 0;

	free(s->certreq);
	s->certreq = NULL;
	s->certreq_len = 0;
	for (i = 0; i < m->n_payloads; i++)
		if (m->payloads[i].type == IKEV2_PL_CERTREQ &&
		    m->payloads[i].sub == IKEV2_CERT_X509_SIG)
			n += m->payloads[i].data.len;
	if (n == 0 || !(s->certreq = malloc(n < MAX_CERTREQ ? n : MAX_CERTREQ)))
		return;
	for (i = 0; i < m->n_payloads; i++) {
		const struct ike_in_payload *p = &m->payloads[i];
		size_t k = p->data.len - p->data.len % CERTREQ_HASH_LEN;

		if (p->type != IKEV2_PL_CERTREQ ||
		    p->sub != IKEV2_CERT_X509_SIG)
			continue;
		if (k > MAX_CERTREQ - s->certreq_len)
			k = MAX_CERTREQ - s->certreq_len;
		memcpy(s->certreq + s->certreq_len, p->data.ptr, k);
		s->certreq_len += k;
	}
}

static int
x509_input(void *state, const struct ike_msg_view *m, char *why, size_t why_len)
{
	struct x509_sa *s;

	if (m->ike_id)
		current_sa = m->ike_id;
	answering_init = m->version == 2 &&
			 m->exchange == IKEV2_EXCH_IKE_SA_INIT && m->request;
	/* The peer's CERTREQ: in the IKE_SA_INIT response to us as
	 * initiator, in the IKE_AUTH request to us as responder (3.7). */
	if (m->version == 2 && m->exchange == IKEV2_EXCH_IKE_AUTH &&
	    m->request && !m->initiator && (s = sa_get_or_new(m->ike_id)))
		keep_certreq(s, m);
	if (m->version != 2 || m->exchange != IKEV2_EXCH_IKE_SA_INIT)
		return 0;
	if (m->request) {
		pending.valid = true;
		memcpy(pending.spi_i, m->spi_i, IKEV2_SPI_LEN);
		pending.hashes = hashes_of(m);
		return 0;
	}
	if ((s = sa_get_or_new(m->ike_id))) {
		s->peer_hashes = hashes_of(m);
		keep_certreq(s, m);
	}
	return 0;
}

static const struct charond_exchange_ext x509_ext = {
    .name = "x509",
    .build = x509_build,
    .input = x509_input,
};

/* --- the config check ----------------------------------------------------- */

/* A file the core loader could not read it has reported already, at the
 * same key: say only what is wrong inside those it could. */
static bool
unreadable(const char *path)
{
	return access(path, R_OK) != 0;
}

/* One end-entity certificate of ours: the key is local.key's, and what
 * peers would refuse is said now. */
static void
check_ee(const struct charond_check *ck, const struct charond_conn_view *c,
	 X509 *ee, const char *path, EVP_PKEY *key)
{
	char why[512], subj[256];

	cred_name(X509_get_subject_name(ee), subj, sizeof(subj));
	if (key && X509_check_private_key(ee, key) != 1)
		ck->report(ck, CHAROND_ERROR, c->name, NULL, "local.certs",
			   "%s is not the key of %s (%s, an end-entity "
			   "certificate: every one must be for local.key)",
			   c->local.key, path, subj);
	if (verify_usage(ee, why, sizeof(why)) < 0)
		ck->report(ck, CHAROND_WARNING, c->name, NULL, "local.certs",
			   "%s (%s): %s; peers will refuse it", path, subj,
			   why);
	if (X509_cmp_current_time(X509_get0_notAfter(ee)) < 0) {
		cred_time(X509_get0_notAfter(ee), false, why, sizeof(why));
		ck->report(ck, CHAROND_WARNING, c->name, NULL, "local.certs",
			   "%s (%s) expired %s; peers will refuse it", path,
			   subj, why);
	}
}

static void
check_local(const struct charond_check *ck, const struct charond_conn_view *c)
{
	STACK_OF(X509) * sk;
	EVP_PKEY *key = NULL;
	uint8_t type, addr[IKE_ID_MAX];
	const uint8_t *data;
	struct cred_pass pass;
	char why[512], where[512], first_why[512] = "";
	size_t i, n, n_ee = 0, n_id = 0;
	bool all_loaded = true;
	int j;

	if (c->local.n_certs == 0)
		ck->report(ck, CHAROND_ERROR, c->name, NULL, "local.auth",
			   "auth: pubkey needs our certificate (local.certs)");
	if (!c->local.key)
		ck->report(ck, CHAROND_ERROR, c->name, NULL, "local.auth",
			   "auth: pubkey needs our private key (local.key)");
	else if (!(key = cred_key(c->local.key,
				  key_pass(c, &pass, where, sizeof(where)), why,
				  sizeof(why)))) {
		if (!unreadable(c->local.key))
			ck->report(ck, CHAROND_ERROR, c->name, NULL,
				   "local.key", "%s", why);
	} else if (key && cred_key_usable(key, why, sizeof(why)) < 0)
		ck->report(ck, CHAROND_ERROR, c->name, NULL, "local.key",
			   "%s: %s", c->local.key, why);
	if (c->local.id)
		ident_from_text(c->local.id, &type, &data, &n, addr);
	/* Every end entity (not a CA) of every file, in order; the CA
	 * certificates are the chains' intermediates. */
	for (i = 0; i < c->local.n_certs; i++) {
		sk = cred_certs(c->local.certs[i], why, sizeof(why));
		if (!sk) {
			all_loaded = false;
			if (!unreadable(c->local.certs[i]))
				ck->report(ck, CHAROND_ERROR, c->name, NULL,
					   "local.certs", "%s", why);
			continue;
		}
		for (j = 0; j < sk_X509_num(sk); j++) {
			X509 *x = sk_X509_value(sk, j);

			if (!choose_is_ee(x))
				continue;
			n_ee++;
			check_ee(ck, c, x, c->local.certs[i], key);
			if (!c->local.id)
				continue;
			if (ident_match(x, type, data, n, "local ID", why,
					sizeof(why)) == 0)
				n_id++;
			else if (!first_why[0])
				snprintf(first_why, sizeof(first_why), "%s",
					 why);
		}
	}
	if (n_ee == 0 && all_loaded && c->local.n_certs)
		ck->report(ck, CHAROND_ERROR, c->name, NULL, "local.certs",
			   "no end-entity certificate in local.certs, only "
			   "CA certificates: add ours (for local.key)");
	if (c->local.id && n_ee && !n_id)
		ck->report(ck, CHAROND_ERROR, c->name, NULL, "local", "%s%s",
			   first_why,
			   n_ee > 1 ? ", nor in our other certificates" : "");
	ERR_clear_error();
}

/*
 * CRL j of authority i loads; one that names the authority's CA must be
 * signed by it. One that names another CA is an intermediate's, whose
 * certificate only a peer sends: its signature is checked then. A lone
 * CRL (`crl: FILE`) is the authority's own, as before lists.
 */
static void
check_crl(const struct charond_check *ck, const struct charond_conn_view *c,
	  size_t i, size_t j, X509 *ca)
{
	const struct charond_authority_view *a = &c->authorities[i];
	const char *file = crl_file(c, i, j);
	bool own;
	X509_CRL *crl;
	char why[512];

	if (!(crl = cred_crl(file, why, sizeof(why)))) {
		if (!unreadable(file))
			ck->report(ck, CHAROND_ERROR, c->name, NULL,
				   "remote.ca", "authority %s: %s", a->name,
				   why);
		return;
	}
	own =
	    n_crls(c, i) == 1 || X509_NAME_cmp(X509_CRL_get_issuer(crl),
					       X509_get_subject_name(ca)) == 0;
	if (own && X509_CRL_verify(crl, X509_get0_pubkey(ca)) != 1)
		ck->report(ck, CHAROND_ERROR, c->name, NULL, "remote.ca",
			   "authority %s: %s is not signed by %s", a->name,
			   file, a->cacert);
}

static void
check_remote(const struct charond_check *ck, const struct charond_conn_view *c)
{
	X509 *ca;
	STACK_OF(X509) * sk;
	char why[512];
	size_t i, j;

	if (c->n_authorities == 0)
		ck->report(ck, CHAROND_ERROR, c->name, NULL, "remote.auth",
			   "auth: pubkey needs an authority to trust the "
			   "peer's certificate: add one to authorities");
	for (i = 0; i < c->n_authorities; i++) {
		const struct charond_authority_view *a = &c->authorities[i];

		if (!(sk = cred_certs(a->cacert, why, sizeof(why)))) {
			if (!unreadable(a->cacert))
				ck->report(ck, CHAROND_ERROR, c->name, NULL,
					   "remote.ca", "authority %s: %s",
					   a->name, why);
			continue;
		}
		ca = sk_X509_value(sk, 0);
		if (X509_check_ca(ca) == 0)
			ck->report(ck, CHAROND_ERROR, c->name, NULL,
				   "remote.ca",
				   "authority %s: %s is not a CA certificate "
				   "(basicConstraints CA:TRUE)",
				   a->name, a->cacert);
		/* n_crls() stops at X509_MAX_CRLS: one more would go
		 * unchecked, so it is refused here rather than ignored. */
		if (c->authority_crls && c->authority_crls[i].n > X509_MAX_CRLS)
			ck->report(
			    ck, CHAROND_ERROR, c->name, NULL, "remote.ca",
			    "authority %s: %zu CRL files, at most %d", a->name,
			    c->authority_crls[i].n, X509_MAX_CRLS);
		for (j = 0; j < n_crls(c, i); j++)
			check_crl(ck, c, i, j, ca);
	}
	ERR_clear_error();
}

/* allow_sha1 where no side uses certificates does nothing: say so. */
static void
check_sha1(const struct charond_check *ck, const struct charond_conn_view *c)
{
	struct charond_value v;
	bool pubkey = (c->local.auth && strcmp(c->local.auth, "pubkey") == 0) ||
		      (c->remote.auth && strcmp(c->remote.auth, "pubkey") == 0);

	if (!pubkey &&
	    ck->value(ck, CHAROND_SCOPE_CONN, c->name, NULL, "allow_sha1",
		      &v) == 0 &&
	    v.set && v.u.b)
		ck->report(ck, CHAROND_WARNING, c->name, NULL, "allow_sha1",
			   "allow_sha1 has effect with auth: pubkey only");
}

static int
x509_check(const struct charond_check *ck)
{
	struct charond_conn_view c;
	size_t i;

	/* The files as they are now: a broken one refuses the config. */
	cred_keep_last_good(false);
	for (i = 0;; i++) {
		memset(&c, 0, sizeof(c));
		c.size = sizeof(c);
		if (ck->conn_at(ck, i, &c) < 0)
			break;
		if (c.local.auth && strcmp(c.local.auth, "pubkey") == 0)
			check_local(ck, &c);
		if (c.remote.auth && strcmp(c.remote.auth, "pubkey") == 0)
			check_remote(ck, &c);
		check_sha1(ck, &c);
	}
	/* Not started (at start, before init; --check-config): fini may
	 * never come, so keep nothing; the first use reads the files. */
	if (!api)
		cred_cache_free();
	cred_keep_last_good(api != NULL);
	return 0;
}

/* --- loading -------------------------------------------------------------- */

static int
x509_init(const struct charond_api *a, void **state, char *why, size_t len)
{
	api = a;
	*state = NULL;
	cred_keep_last_good(true);
	slot = api->sa_slot("x509", sa_free);
	if (slot < 0 || api->add_auth(&pubkey_method, NULL) < 0 ||
	    api->add_extension(&x509_ext, NULL) < 0) {
		snprintf(why, len, "cannot register its hooks");
		return -1;
	}
	return 0;
}

static void
x509_fini(void *state)
{
	memo_free();
	cred_cache_free();
	api = NULL;
}

static const struct charond_config_key x509_keys[] = {
    {CHAROND_SCOPE_CONN, "allow_sha1", CHAROND_T_BOOL, NULL, 0, 0,
     "auth: pubkey: accept the peer's SHA-1 signatures, sign AUTH method 1 "
     "with SHA-1 (no)"},
    {0, NULL, 0, NULL, 0, 0, NULL},
};

const struct charond_plugin charond_plugin = {
    .abi = CHAROND_PLUGIN_ABI,
    .name = "x509",
    .version = "0.1.0",
    .provides = "auth:pubkey",
    .requires = "",
    .keys = x509_keys,
    .init = x509_init,
    .fini = x509_fini,
    .check = x509_check,
};
