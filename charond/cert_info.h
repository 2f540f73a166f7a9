/* SPDX-License-Identifier: ISC */
/*
 * What list-certs and list-authorities say about a certificate or CRL
 * file (cert_info.c): read with OpenSSL by the core itself, since the
 * paths are in the core's configuration and the x509 plugin's cache is
 * the plugin's own. No daemon state: unit-tested.
 */
#ifndef CHAROND_CERT_INFO_H
#define CHAROND_CERT_INFO_H

#include <stddef.h>

#include <jansson.h>
#include <openssl/x509.h>

/* The certificates of a file (PEM with one or more, or DER): an array of
 * objects (cert_info_x509's), or NULL with the reason in why. */
json_t *cert_info_file(const char *path, char *why, size_t len);
/* {"subject", "issuer", "serial", "not_before", "not_after", "key",
 * "key_type", "key_bits", "sans", "ca"} of one certificate. */
json_t *cert_info_x509(X509 *x);
/* {"issuer", "last_update", "next_update" (null: none), "revoked" (a
 * count), "revoked_serials"} of a CRL file (PEM
 * or DER), or NULL with the reason in why. */
json_t *cert_info_crl(const char *path, char *why, size_t len);

/* "RSA 3072", "ECDSA P-256", "Ed25519"; *type is "RSA", "ECDSA", ... and
 * *bits the key's size (0 when OpenSSL cannot say). */
void cert_key_text(EVP_PKEY *k, char *buf, size_t len, const char **type,
		   int *bits);
/* "2026-12-06T09:00:00Z"; "" for a time OpenSSL cannot read. */
void cert_time_text(const ASN1_TIME *t, char *buf, size_t len);
/* A serial number as lowercase hex without "0x" (as SPIs are written);
 * negative ones (broken CAs issue them) with a leading '-'. */
void cert_serial_text(const ASN1_INTEGER *s, char *buf, size_t len);

#endif
