/* SPDX-License-Identifier: ISC */
/*
 * The x509 plugin: `auth: pubkey`, authentication with X.509 certificates
 * (RFC 7296 2.15, 3.6-3.8; RFC 7427 signatures; RFC 4945 profile).
 *
 * - Our side: `local.certs` (our certificate first, then intermediates,
 *   each sent in a CERT payload of encoding 4) and `local.key`; AUTH is
 *   an RFC 7427 signature when the peer announced hash algorithms in
 *   SIGNATURE_HASH_ALGORITHMS, else RSA (1) or ECDSA (9-11). Without
 *   `local.id` our ID is our certificate's subject DN (the local_id
 *   hook); a written one must be in the certificate.
 * - The peer: its CERT payloads chain to the `authorities` the
 *   connection trusts (`remote.ca`, or all of them), its ID must be in
 *   its certificate, its AUTH verifies with the certificate's key.
 * - CERTREQ: the trusted CAs' key hashes, in IKE_SA_INIT (responder) and
 *   IKE_AUTH (initiator). A connection has one chain of ours, so the
 *   peer's CERTREQ chooses nothing yet: we send that chain regardless.
 * - The config check loads every file a pubkey connection names and
 *   refuses the config, at the key, when one does not load or fit.
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

/* What x509 knows of one IKE SA. */
struct x509_sa {
	unsigned peer_hashes; /* HASH_*: what the peer's IKE_SA_INIT named */
};

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
	free(data);
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

/* Our chain: every certificate of every local.certs file, in order. */
static int
our_chain(const struct charond_conn_view *v, X509 **chain, size_t max,
	  size_t *n, char *why, size_t len)
{
	STACK_OF(X509) * sk;
	size_t i;
	int j;

	*n = 0;
	for (i = 0; i < v->local.n_certs; i++) {
		sk = cred_certs(v->local.certs[i], why, len);
		if (!sk)
			return -1;
		for (j = 0; j < sk_X509_num(sk) && *n < max; j++)
			chain[(*n)++] = sk_X509_value(sk, j);
	}
	if (*n == 0) {
		snprintf(why, len, "no certificate (local.certs)");
		return -1;
	}
	return 0;
}

/* --- the auth method ------------------------------------------------------ */

static int
x509_sign(void *state, const struct ike_auth_req *r, uint8_t *method,
	  uint8_t *out, size_t *len)
{
	struct charond_conn_view v;
	struct x509_sa *s = api->sa_get(slot, r->ike_id);
	EVP_PKEY *key;
	struct cred_pass pass;
	char why[512], where[512];

	if (view(r->conn, &v) < 0 || !v.local.key) {
		api->log(IKE_LOG_ERROR, "x509",
			 "'%s': no private key (local.key)",
			 r->conn ? r->conn : "?");
		return -1;
	}
	key = cred_key(v.local.key, key_pass(&v, &pass, where, sizeof(where)),
		       why, sizeof(why));
	if (!key || sigalg_sign(key, s ? s->peer_hashes : 0, r->octets.ptr,
				r->octets.len, method, out, len, why,
				sizeof(why)) < 0) {
		api->log(IKE_LOG_ERROR, "x509", "'%s' IKE SA #%u: %s", r->conn,
			 r->ike_id, why);
		return -1;
	}
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
		x = d2i_X509(NULL, &q, (long)p->data.len);
		if (!x || q != p->data.ptr + p->data.len) {
			X509_free(x);
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

static int
x509_verify(void *state, const struct ike_auth_req *r, uint8_t method,
	    struct bytes data, char *why, size_t why_len)
{
	char used[128], subj[256];
	X509 *ee = peer_cert(r, true, why, why_len);
	int rc;

	if (!ee)
		return -1;
	rc = sigalg_verify(X509_get0_pubkey(ee), method, data.ptr, data.len,
			   r->octets.ptr, r->octets.len, used, sizeof(used),
			   why, why_len);
	if (rc == 0) {
		cred_name(X509_get_subject_name(ee), subj, sizeof(subj));
		api->log(IKE_LOG_INFO, "x509",
			 "'%s' IKE SA #%u: peer certificate %s, %s", r->conn,
			 r->ike_id, subj, used);
	}
	X509_free(ee);
	return rc;
}

static int
x509_payloads(void *state, const struct ike_auth_req *r, struct ike_out *out)
{
	struct x509_authority auth[MAX_AUTHORITIES];
	uint8_t reqs[MAX_AUTHORITIES * CERTREQ_HASH_LEN];
	struct charond_conn_view v;
	X509 *chain[16];
	char why[512];
	size_t i, n, k = 0;
	unsigned char *der;
	int len, rc = 0;

	if (view(r->conn, &v) < 0)
		return 0;
	if (v.local.auth && strcmp(v.local.auth, "pubkey") == 0) {
		if (our_chain(&v, chain, 16, &n, why, sizeof(why)) < 0) {
			api->log(IKE_LOG_ERROR, "x509", "'%s': %s", r->conn,
				 why);
			return -1;
		}
		for (i = 0; i < n; i++) {
			der = NULL;
			len = i2d_X509(chain[i], &der);
			if (len <= 0 || ike_out_cert(out, IKEV2_CERT_X509_SIG,
						     der, (size_t)len) < 0) {
				api->log(IKE_LOG_ERROR, "x509",
					 "'%s': certificate %zu of local.certs "
					 "does not fit in the message",
					 r->conn, i + 1);
				rc = -1;
			}
			OPENSSL_free(der);
		}
	}
	if (v.remote.auth && strcmp(v.remote.auth, "pubkey") == 0) {
		if (authorities(&v, auth, &n, why, sizeof(why)) < 0) {
			api->log(IKE_LOG_WARN, "x509", "'%s': %s", r->conn,
				 why);
			return rc;
		}
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

/* Without local.id: our certificate's subject, as ID_DER_ASN1_DN (RFC
 * 7296 3.5), which the peer finds in it whatever SANs it has. */
static int
x509_local_id(void *state, const char *conn, uint8_t *type, uint8_t *data,
	      size_t *len)
{
	struct charond_conn_view v;
	X509 *chain[1];
	unsigned char *der = NULL;
	char why[512];
	size_t n;
	int dlen;

	if (view(conn, &v) < 0 ||
	    our_chain(&v, chain, 1, &n, why, sizeof(why)) < 0)
		return -1;
	dlen = i2d_X509_NAME(X509_get_subject_name(chain[0]), &der);
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

static int
x509_input(void *state, const struct ike_msg_view *m, char *why, size_t why_len)
{
	struct x509_sa *s;

	if (m->version != 2 || m->exchange != IKEV2_EXCH_IKE_SA_INIT)
		return 0;
	if (m->request) {
		pending.valid = true;
		memcpy(pending.spi_i, m->spi_i, IKEV2_SPI_LEN);
		pending.hashes = hashes_of(m);
		return 0;
	}
	if ((s = sa_get_or_new(m->ike_id)))
		s->peer_hashes = hashes_of(m);
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

static void
check_local(const struct charond_check *ck, const struct charond_conn_view *c)
{
	STACK_OF(X509) * sk;
	X509 *ee = NULL;
	EVP_PKEY *key = NULL;
	uint8_t type, addr[IKE_ID_MAX];
	const uint8_t *data;
	struct cred_pass pass;
	char why[512], where[512];
	size_t i, n;

	if (c->local.n_certs == 0)
		ck->report(ck, CHAROND_ERROR, c->name, NULL, "local.auth",
			   "auth: pubkey needs our certificate (local.certs)");
	for (i = 0; i < c->local.n_certs; i++) {
		sk = cred_certs(c->local.certs[i], why, sizeof(why));
		if (!sk && !unreadable(c->local.certs[i]))
			ck->report(ck, CHAROND_ERROR, c->name, NULL,
				   "local.certs", "%s", why);
		else if (!ee)
			ee = sk_X509_value(sk, 0);
	}
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
	if (!ee)
		return;
	if (key && X509_check_private_key(ee, key) != 1)
		ck->report(ck, CHAROND_ERROR, c->name, NULL, "local.key",
			   "%s is not the key of %s (the first of "
			   "local.certs)",
			   c->local.key, c->local.certs[0]);
	if (verify_usage(ee, why, sizeof(why)) < 0)
		ck->report(ck, CHAROND_WARNING, c->name, NULL, "local.certs",
			   "%s: %s; peers will refuse it", c->local.certs[0],
			   why);
	if (X509_cmp_current_time(X509_get0_notAfter(ee)) < 0) {
		cred_time(X509_get0_notAfter(ee), false, why, sizeof(why));
		ck->report(ck, CHAROND_WARNING, c->name, NULL, "local.certs",
			   "%s expired %s; peers will refuse it",
			   c->local.certs[0], why);
	}
	if (c->local.id) {
		ident_from_text(c->local.id, &type, &data, &n, addr);
		if (ident_match(ee, type, data, n, "local ID", why,
				sizeof(why)) < 0)
			ck->report(ck, CHAROND_ERROR, c->name, NULL, "local",
				   "%s", why);
	}
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
	cred_cache_free();
	api = NULL;
}

const struct charond_plugin charond_plugin = {
    .abi = CHAROND_PLUGIN_ABI,
    .name = "x509",
    .version = "0.1.0",
    .provides = "auth:pubkey",
    .requires = "",
    .keys = NULL,
    .init = x509_init,
    .fini = x509_fini,
    .check = x509_check,
};
