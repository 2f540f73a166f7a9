/* SPDX-License-Identifier: ISC */
/*
 * IKEv1 Dead Peer Detection (RFC 3706): R-U-THERE and R-U-THERE-ACK,
 * which come as notifies in protected Informationals (v1_info.c hands
 * them here once HASH(1) has verified). Not implemented yet: this is the
 * hook point the DPD work fills (answer R-U-THERE with an ACK of the same
 * sequence number, match ACKs to our liveness checks, the vendor ID that
 * says the peer speaks it).
 */
#include "ike_int.h"

void
v1_dpd_notify(struct ike_engine *e, struct ike_sa *sa, uint64_t now,
	      const struct pld_v1_notify *n)
{
	ike_log(e, sa, IKE_LOG_DEBUG,
		"peer sent %s; DPD is not yet supported for IKEv1: ignored",
		msg_v1_notify_name(n->type));
	(void)now;
}
