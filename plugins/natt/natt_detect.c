/* SPDX-License-Identifier: ISC */
/*
 * NAT detection (RFC 7296 2.23). Each end sends, in IKE_SA_INIT, a hash
 * of the SPIs with the address and port it sends from
 * (NAT_DETECTION_SOURCE_IP, one per address it may send from) and one
 * with the address and port it sends to (NAT_DETECTION_DESTINATION_IP).
 * The receiver hashes what the datagram really carried: a source hash
 * that matches none of its source notifies means the peer is behind a
 * NAT; a destination hash that does not match means we are.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include <openssl/evp.h>

#include "natt.h"

int
natd_hash(const uint8_t *spi_i, const uint8_t *spi_r,
	  const struct ike_endpoint *ep, uint8_t out[NATD_LEN])
{
	uint8_t buf[2 * IKEV2_SPI_LEN + 16 + 2];
	unsigned int md_len = 0;
	size_t len = 2 * IKEV2_SPI_LEN;

	memcpy(buf, spi_i, IKEV2_SPI_LEN);
	memcpy(buf + IKEV2_SPI_LEN, spi_r, IKEV2_SPI_LEN);
	if (ep->ss.ss_family == AF_INET) {
		const struct sockaddr_in *a = (const void *)&ep->ss;

		memcpy(buf + len, &a->sin_addr, 4);
		memcpy(buf + len + 4, &a->sin_port, 2);
		len += 6;
	} else if (ep->ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const void *)&ep->ss;

		memcpy(buf + len, &a->sin6_addr, 16);
		memcpy(buf + len + 16, &a->sin6_port, 2);
		len += 18;
	} else {
		return -1;
	}
	if (!EVP_Digest(buf, len, out, &md_len, EVP_sha1(), NULL) ||
	    md_len != NATD_LEN)
		return -1;
	return 0;
}

void
natd_check(const struct ike_msg_view *m, struct natd_result *r)
{
	uint8_t src[NATD_LEN], dst[NATD_LEN];
	bool have_src = false, have_dst = false, src_ok = false, dst_ok = false;
	size_t i;

	memset(r, 0, sizeof(*r));
	/* The peer's source is the datagram's remote end, its destination
	 * our local one. */
	if (natd_hash(m->spi_i, m->spi_r, m->remote, src) < 0 ||
	    natd_hash(m->spi_i, m->spi_r, m->local, dst) < 0)
		return;
	for (i = 0; i < m->n_payloads; i++) {
		const struct ike_in_payload *p = &m->payloads[i];

		if (p->type != IKEV2_PL_N)
			continue;
		if (p->sub == IKEV2_N_NAT_DETECTION_SOURCE_IP) {
			have_src = true;
			if (p->data.len == NATD_LEN &&
			    memcmp(p->data.ptr, src, NATD_LEN) == 0)
				src_ok = true;
		} else if (p->sub == IKEV2_N_NAT_DETECTION_DESTINATION_IP) {
			have_dst = true;
			if (p->data.len == NATD_LEN &&
			    memcmp(p->data.ptr, dst, NATD_LEN) == 0)
				dst_ok = true;
		}
	}
	/* Only both kinds together say anything (2.23). */
	if (!have_src || !have_dst)
		return;
	r->present = true;
	r->nat_remote = !src_ok;
	r->nat_local = !dst_ok;
}

int
natd_hash_v1(const char *digest, const uint8_t *ck_i, const uint8_t *ck_r,
	     const struct ike_endpoint *ep, uint8_t *out, size_t *len)
{
	const EVP_MD *md = digest ? EVP_get_digestbyname(digest) : NULL;
	uint8_t buf[2 * IKEV1_COOKIE_LEN + 16 + 2];
	unsigned int md_len = 0;
	size_t n = 2 * IKEV1_COOKIE_LEN;

	if (!md)
		return -1;
	memcpy(buf, ck_i, IKEV1_COOKIE_LEN);
	memcpy(buf + IKEV1_COOKIE_LEN, ck_r, IKEV1_COOKIE_LEN);
	if (ep->ss.ss_family == AF_INET) {
		const struct sockaddr_in *a = (const void *)&ep->ss;

		memcpy(buf + n, &a->sin_addr, 4);
		memcpy(buf + n + 4, &a->sin_port, 2);
		n += 6;
	} else if (ep->ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const void *)&ep->ss;

		memcpy(buf + n, &a->sin6_addr, 16);
		memcpy(buf + n + 16, &a->sin6_port, 2);
		n += 18;
	} else {
		return -1;
	}
	if (!EVP_Digest(buf, n, out, &md_len, md, NULL))
		return -1;
	*len = md_len;
	return 0;
}

void
natd_check_v1(const struct ike_msg_view *m, uint8_t type, struct natd_result *r)
{
	uint8_t src[EVP_MAX_MD_SIZE], dst[EVP_MAX_MD_SIZE];
	size_t src_len, dst_len, i;
	bool first = true, have_src = false, src_ok = false, dst_ok = false;

	memset(r, 0, sizeof(*r));
	/* The peer sent from the datagram's remote end, to our local one. */
	if (natd_hash_v1(m->v1_digest, m->spi_i, m->spi_r, m->remote, src,
			 &src_len) < 0 ||
	    natd_hash_v1(m->v1_digest, m->spi_i, m->spi_r, m->local, dst,
			 &dst_len) < 0)
		return;
	for (i = 0; i < m->n_payloads; i++) {
		const struct ike_in_payload *p = &m->payloads[i];

		if (p->type != type)
			continue;
		if (first) {
			/* RFC 3947 3.2: the first is the destination. */
			first = false;
			dst_ok = p->data.len == dst_len &&
				 memcmp(p->data.ptr, dst, dst_len) == 0;
			continue;
		}
		have_src = true;
		if (p->data.len == src_len &&
		    memcmp(p->data.ptr, src, src_len) == 0)
			src_ok = true;
	}
	if (!have_src)
		return;
	r->present = true;
	r->nat_remote = !src_ok;
	r->nat_local = !dst_ok;
}
