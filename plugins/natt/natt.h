/* SPDX-License-Identifier: ISC */
/*
 * The natt plugin's shared parts: what it knows of each IKE SA, and NAT
 * detection (RFC 7296 2.23), which natt_detect.c computes.
 */
#ifndef CHAROND_NATT_H
#define CHAROND_NATT_H

#include <stdbool.h>
#include <stdint.h>

#include "plugin.h"

#define NATD_LEN 20 /* SHA-1 */

/* One IKE SA as natt sees it (a per-SA slot). */
struct natt_sa {
	unsigned ike_id;
	bool peer_natd;     /* the peer sent NAT detection: it does NAT-T */
	bool nat_local;     /* we are behind a NAT */
	bool nat_remote;    /* the peer is */
	bool forced;        /* `encap: true`: UDP encapsulation regardless */
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

#endif
