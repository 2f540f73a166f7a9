/* SPDX-License-Identifier: ISC */
/*
 * IKEv1 Informational exchanges on an established ISAKMP SA (RFC 2409
 * 5.7): one protected message, HDR*, HASH(1), N, with its own message ID
 * and IV, not acknowledged.
 */
#include <string.h>

#include "ike_int.h"

int
v1_info_notify(struct ike_engine *e, struct ike_sa *sa, uint16_t type,
	       uint8_t proto, const uint8_t *spi, size_t spi_len,
	       struct bytes data)
{
	struct pld_v1_notify n = {0};
	uint8_t zero[V1_HASH_MAX] = {0}, mac[V1_HASH_MAX];
	struct pld_v1_data h = {{zero, sa->v1.suite.prf->out_len}};
	struct msg_builder b;
	struct ike_hdr hdr;
	struct v1_iv iv;
	uint32_t mid = 0;
	size_t hash_at, rest_at, len;

	while (!mid)
		if (ike_random(e, &mid, sizeof(mid)) < 0)
			return -1;
	if (v1_iv_phase2(&sa->v1.suite, &sa->v1.iv, mid, &iv) < 0)
		return -1;
	n.doi = IKEV1_DOI_IPSEC;
	n.proto = proto;
	n.spi_size = (uint8_t)spi_len;
	n.spi = (struct bytes){spi, spi_len};
	n.type = type;
	n.data = data;
	msg_v1_hdr_init(&hdr, sa->spi_i, sa->spi_r, IKEV1_EXCH_INFORMATIONAL,
			IKEV1_FLAG_ENCRYPTION, mid);
	msg_build_init(&b, e->out, IKEV2_MAX_MSG_LEN, &hdr);
	hash_at = b.w.len + IKEV1_GEN_HDR_LEN;
	pld_v1_hash_put(&b, &h);
	rest_at = b.w.len;
	pld_v1_notify_put(&b, &n);
	if (!(len = msg_build_finish(&b)) ||
	    keymat_v1_hash1(sa->v1.suite.prf, sa->v1.keys.skeyid_a, mid,
			    (struct bytes){e->out + rest_at, len - rest_at},
			    mac) < 0)
		return -1;
	memcpy(e->out + hash_at, mac, sa->v1.suite.prf->out_len);
	if (!(len = v1_seal_iv(e, sa, len, &iv)))
		return -1;
	ike_log(e, sa, IKE_LOG_INFO, "sent %s to the peer",
		msg_v1_notify_name(type));
	xchg_transmit(e, &sa->local, &sa->remote, e->out, len, false);
	return 0;
}
