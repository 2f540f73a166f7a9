/* SPDX-License-Identifier: ISC */
/*
 * The natt plugin's shared parts: what it knows of each IKE SA, and NAT
 * detection (RFC 7296 2.23), which natt_detect.c computes.
 */
#ifndef CHAROND_NATT_H
#define CHAROND_NATT_H

#include <stdbool.h>
#include <stdint.h>

#include "ikev1_const.h"
#include "plugin.h"

#define NATD_LEN 20 /* SHA-1 */

/* One IKE SA as natt sees it (a per-SA slot). */
struct natt_sa {
	unsigned ike_id;
	bool peer_natd;     /* the peer sent NAT detection: it does NAT-T */
	bool nat_local;     /* we are behind a NAT */
	bool nat_remote;    /* the peer is */
	bool forced;        /* `encap: true`: UDP encapsulation regardless */
	uint8_t v1_variant; /* IKEv1: enum natt_v1_variant both ends speak */
	uint64_t keepalive; /* timer handle, 0 while none runs */
};

/* Whether ESP of the SA goes in UDP: a NAT either side, or forced while
 * the peer does NAT-T. */
static inline bool
natt_encap(const struct natt_sa *s)
{
	return s->peer_natd && (s->nat_local || s->nat_remote || s->forced);
}

/* SHA-1(SPIi | SPIr | IP | port) of an endpoint (2.23); -1 for an address
 * family other than IPv4 and IPv6. */
int natd_hash(const uint8_t *spi_i, const uint8_t *spi_r,
	      const struct ike_endpoint *ep, uint8_t out[NATD_LEN]);

/* What a message's NAT detection notifies say, computed against the
 * endpoints it travelled between. */
struct natd_result {
	bool present; /* both kinds of notify were there */
	bool nat_local, nat_remote;
};

/* m: an incoming IKE_SA_INIT (its SPIs, endpoints and notifies). */
void natd_check(const struct ike_msg_view *m, struct natd_result *r);

/* IKEv1's NAT-D (RFC 3947 3.2): HASH(CKY-I | CKY-R | IP | Port) with the
 * phase 1 hash (OpenSSL's name); *len set. -1 for an unknown digest or
 * address family. */
int natd_hash_v1(const char *digest, const uint8_t *ck_i, const uint8_t *ck_r,
		 const struct ike_endpoint *ep, uint8_t *out, size_t *len);
/* m: an incoming IKEv1 message with NAT-D payloads of the given type: the
 * first hashes where it was sent to (us), the others where the peer
 * sends from. present once there are at least those two. */
void natd_check_v1(const struct ike_msg_view *m, uint8_t type,
		   struct natd_result *r);

/* natt.c, for natt_v1.c (the per-SA state, the float to 4500, following
 * the peer and keepalives serve both versions) */
extern const struct charond_api *natt_api;
/* The SA's state, made on first use; NULL if out of memory. */
struct natt_sa *natt_sa_get(unsigned ike_id);
bool natt_conn_forces(const char *conn);
void natt_publish(const struct natt_sa *s);
void natt_log_detected(const struct natt_sa *s, const char *conn);
void natt_keepalive_update(struct natt_sa *s);
void natt_float(const struct natt_sa *s, const struct ike_msg_view *m);
void natt_follow(struct natt_sa *s, const struct ike_msg_view *m);

/* natt_v1.c: the IKEv1 half of the exchange extension. */
enum natt_v1_variant {
	NATT_V1_NONE = 0,
	NATT_V1_DRAFT_02, /* draft-ietf-ipsec-nat-t-ike-02 */
	NATT_V1_DRAFT_02N, /* the same, its VID hashed with a newline */
	NATT_V1_DRAFT_03,
	NATT_V1_RFC3947, /* preferred: the higher, the better */
};
void natt_v1_build(const struct ike_msg_view *m, struct ike_out *out);
void natt_v1_input(const struct ike_msg_view *m);
/* The variant a vendor ID names, NATT_V1_NONE for any other. */
enum natt_v1_variant natt_v1_vid(const uint8_t *vid, size_t len);

#endif
