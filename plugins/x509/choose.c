/* SPDX-License-Identifier: ISC */
/*
 * Which of our certificates to send (RFC 7296 3.7): `local.certs` may
 * hold several end-entity certificates for the one key (the same key
 * certified by an old and a new CA during a migration, or by the CAs of
 * two organisations), with the intermediates of each. The peer's CERTREQ
 * names, by key hash, the CAs it trusts; the first end entity whose chain
 * has one of them is the one to send, with that chain's intermediates
 * alone, so that a peer is not handed certificates it cannot use.
 *
 * Pure: certificates in, an index out; x509.c loads the files and logs.
 */
#include <string.h>

#include <openssl/x509v3.h>

#include "x509.h"

bool
choose_is_ee(X509 *x)
{
	/* A certificate that may not sign others; a v1 certificate (no
	 * extensions, so no CA:TRUE) counts as an end entity, as before. */
	return !(X509_get_extension_flags(x) & EXFLAG_CA);
}

/* Whether issuer issued x: the names (and key identifiers) fit and its
 * key verifies x's signature. */
static bool
signed_by(X509 *issuer, X509 *x)
{
	EVP_PKEY *k;

	if (X509_check_issued(issuer, x) != X509_V_OK)
		return false;
	k = X509_get0_pubkey(issuer);
	return k && X509_verify(x, k) == 1;
}

/* The chain is chosen for every IKE SA: each verification once. */
static bool
issued(X509 *issuer, X509 *x)
{
	return memo_issued(issuer, x, signed_by);
}

static bool
in_chain(const struct choose_cand *c, X509 *x)
{
	size_t i;

	if (X509_cmp(c->ee, x) == 0)
		return true;
	for (i = 0; i < c->n_inter; i++)
		if (X509_cmp(c->inter[i], x) == 0)
			return true;
	return false;
}

void
choose_chain(struct choose_cand *c, X509 *ee, X509 *const *pool, size_t n_pool,
	     X509 *const *anchors, size_t n_anchors)
{
	X509 *cur = ee, *next;
	size_t i;

	memset(c, 0, sizeof(*c));
	c->ee = ee;
	/* A self-signed certificate ends its chain: nothing issued it. */
	while (!(X509_get_extension_flags(cur) & EXFLAG_SS)) {
		for (i = 0; i < n_anchors; i++)
			if (issued(anchors[i], cur)) {
				c->anchor = anchors[i];
				return;
			}
		next = NULL;
		for (i = 0; i < n_pool && !next; i++)
			if (!in_chain(c, pool[i]) && issued(pool[i], cur))
				next = pool[i];
		if (!next || c->n_inter == CHOOSE_MAX_DEPTH)
			return;
		c->inter[c->n_inter++] = next;
		cur = next;
	}
}

size_t
choose_pick(const struct choose_cand *c, size_t n, const uint8_t *certreq,
	    size_t len, X509 **named)
{
	size_t i, j;

	*named = NULL;
	if (len < CERTREQ_HASH_LEN)
		return 0;
	for (i = 0; i < n; i++) {
		for (j = 0; j < c[i].n_inter; j++)
			if (certreq_names(certreq, len, c[i].inter[j])) {
				*named = c[i].inter[j];
				return i;
			}
		if (c[i].anchor && certreq_names(certreq, len, c[i].anchor)) {
			*named = c[i].anchor;
			return i;
		}
	}
	return 0;
}
