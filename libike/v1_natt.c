/* SPDX-License-Identifier: ISC */
/*
 * Quick Mode through a NAT (RFC 3947 5): the natt plugin found one in
 * phase 1 and set sa->v1.encap (ike_sa_set_v1_encap); v1_quick.c then
 * negotiates the UDP-encapsulated modes and, in transport mode, calls
 * these for the selectors and the NAT-OA payloads.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "ike_int.h"

/* An end names itself by the address it holds, which the other end may
 * never see (a Windows client behind a NAT sends its private address as
 * IDci; RFC 7296 2.23.1 says the same for IKEv2). For the policies, a
 * single-host ID is the address the ISAKMP SA runs between on that side;
 * the IDs on the wire stay as they came. ti is the initiator's. */
void
v1_nat_hosts(const struct ike_sa *sa, struct ts *ti, struct ts *tr)
{
	struct pld_ts a = {1, {*ti}}, b = {1, {*tr}};

	ts_nat_hosts(&a, sa->initiator ? &sa->local : &sa->remote, NULL, NULL);
	ts_nat_hosts(&b, sa->initiator ? &sa->remote : &sa->local, NULL, NULL);
	*ti = a.ts[0];
	*tr = b.ts[0];
}

/* NAT-OA (5.2; the drafts' 131): the original addresses, which Linux does
 * not need (it skips the inner checksums of UDP-encapsulated transport
 * mode); logged for the admin. */
void
v1_natoa_log(struct ike_engine *e, struct ike_sa *sa, const struct msg_v1 *m)
{
	struct pld_v1_natoa oa;
	struct ike_err err = {0};
	char addr[INET6_ADDRSTRLEN];
	unsigned i;

	for (i = 0; i < m->n; i++) {
		const struct pld_ref *r = &m->pl[i];

		if (r->type != IKEV1_PL_NAT_OA &&
		    r->type != IKEV1_PL_NAT_OA_DRAFT)
			continue;
		if (pld_v1_natoa_get(r, &oa, &err) < 0) {
			ike_log(e, sa, IKE_LOG_DEBUG,
				"Quick Mode NAT-OA does not decode; ignored");
			continue;
		}
		inet_ntop(oa.id_type == IKEV1_ID_IPV4_ADDR ? AF_INET : AF_INET6,
			  oa.addr.ptr, addr, sizeof(addr));
		ike_log(e, sa, IKE_LOG_INFO,
			"peer's NAT-OA: original address %s (Quick Mode "
			"%08x)",
			addr, m->hdr.msgid);
	}
}

static void
natoa_of(const struct ike_endpoint *ep, struct pld_v1_natoa *oa)
{
	if (ep->ss.ss_family == AF_INET6) {
		oa->id_type = IKEV1_ID_IPV6_ADDR;
		oa->addr = (struct bytes){
		    (const uint8_t *)&((const struct sockaddr_in6 *)&ep->ss)
			->sin6_addr,
		    16};
	} else {
		oa->id_type = IKEV1_ID_IPV4_ADDR;
		oa->addr = (struct bytes){
		    (const uint8_t *)&((const struct sockaddr_in *)&ep->ss)
			->sin_addr,
		    4};
	}
}

/* 5.2: the initiator sends NAT-OA when it proposes UDP-Encapsulated-
 * Transport, the responder when it chose it: NAT-OAi, the initiator's
 * address, then NAT-OAr, the responder's, each as this end knows it. The
 * drafts had one, the sender's own. */
void
v1_natoa_put(const struct ike_sa *sa, struct msg_builder *b)
{
	const struct ike_endpoint *i = sa->initiator ? &sa->local : &sa->remote;
	const struct ike_endpoint *r = sa->initiator ? &sa->remote : &sa->local;
	struct pld_v1_natoa oa;

	if (sa->v1.encap == IKE_V1_ENCAP_DRAFT) {
		natoa_of(&sa->local, &oa);
		pld_v1_natoa_put(b, IKEV1_PL_NAT_OA_DRAFT, &oa);
		return;
	}
	natoa_of(i, &oa);
	pld_v1_natoa_put(b, IKEV1_PL_NAT_OA, &oa);
	natoa_of(r, &oa);
	pld_v1_natoa_put(b, IKEV1_PL_NAT_OA, &oa);
}
