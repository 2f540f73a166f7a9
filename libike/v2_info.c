/* SPDX-License-Identifier: ISC */
/*
 * INFORMATIONAL exchanges (RFC 7296 1.4): deleting the IKE SA or some of
 * its CHILD SAs, and answering liveness checks (an empty request).
 */
#include <stdlib.h>
#include <string.h>

#include "ike_int.h"

int
v2_info_delete_ike(struct ike_engine *e, struct ike_sa *sa, uint64_t now)
{
	struct pld_delete d = {IKEV2_PROTO_IKE, 0, 0, {NULL, 0}};
	struct msg_builder b;
	struct sk_keys k;
	size_t len;

	/* Kernel state goes first: traffic must stop even if the peer never
	 * answers. */
	child_remove_all(e, sa);
	if (xchg_begin(e, sa, &b, &k, IKEV2_EXCH_INFORMATIONAL, false,
		       sa->msgid_out) < 0)
		goto fail;
	pld_delete_put(&b, &d);
	ext_put(e, sa, &b, IKEV2_EXCH_INFORMATIONAL, false);
	if (!(len = xchg_end(&b, &k)))
		goto fail;
	/* A request still waiting is abandoned: the SA is going away. */
	xchg_request_done(e, sa);
	sa->state = IKE_SA_DELETING;
	ike_log(e, sa, IKE_LOG_INFO, "deleting IKE SA");
	return xchg_send_request(e, sa, now, e->out, len, &v2_delete_ops);
fail:
	sa_kill(e, sa, "deleted");
	return -1;
}

/* An empty INFORMATIONAL request, whose answer shows the peer is there
 * (RFC 7296 1.4, 2.4). */
int
v2_info_liveness(struct ike_engine *e, struct ike_sa *sa, uint64_t now)
{
	struct msg_builder b;
	struct sk_keys k;
	size_t len;

	if (xchg_begin(e, sa, &b, &k, IKEV2_EXCH_INFORMATIONAL, false,
		       sa->msgid_out) < 0)
		return -1;
	ext_put(e, sa, &b, IKEV2_EXCH_INFORMATIONAL, false);
	if (!(len = xchg_end(&b, &k)))
		return -1;
	return xchg_send_request(e, sa, now, e->out, len, &v2_liveness_ops);
}

static void
v2_info_respond(struct ike_engine *e, struct ike_sa *sa, uint64_t now,
		const struct msg *m)
{
	const struct pld_ref *r = NULL;
	uint8_t spis[SPI4_LEN * 64];
	struct pld_delete d, ours = {IKEV2_PROTO_ESP, SPI4_LEN, 0, {spis, 0}};
	struct msg_builder b;
	struct sk_keys k;
	struct ike_err err;
	bool ike_deleted = false;
	size_t len;
	unsigned i;

	while ((r = msg_find(m, IKEV2_PL_D, r))) {
		if (pld_delete_get(r, &d, &err) < 0)
			continue;
		if (d.proto == IKEV2_PROTO_IKE) {
			ike_deleted = true;
			continue;
		}
		for (i = 0; i < d.n_spi && d.proto == IKEV2_PROTO_ESP; i++) {
			/* The peer names its inbound SPI: our outbound. */
			uint32_t spi = spi4_get(d.spis.ptr + SPI4_LEN * i);
			struct child_sa *c = child_by_spi_out(sa, spi);

			/* The peer may delete the pair it made for our
			 * CREATE_CHILD_SA before its answer reaches us: the
			 * child being created must not come up then. */
			if (!c && (c = child_creating(sa)))
				c->peer_gone = spi;
			if (!c || c->creating || ours.n_spi >= 64)
				continue;
			/* Both sides are closing it (1.4.1, 2.25.1): no
			 * Delete back, which could close the wrong SA; our
			 * own exchange forgets it when answered. */
			if (c->deleting)
				continue;
			/* 1.4.1: answer with our SPI of the same pair. */
			spi4_put(spis + SPI4_LEN * ours.n_spi, c->spi_in);
			ours.n_spi++;
			child_uninstall(e, sa, c);
			child_unlink(sa, c);
			child_free(c);
		}
	}
	if (xchg_begin(e, sa, &b, &k, IKEV2_EXCH_INFORMATIONAL, true,
		       m->hdr.msgid) < 0)
		return;
	ours.spis.len = SPI4_LEN * (size_t)ours.n_spi;
	if (!ike_deleted && ours.n_spi)
		pld_delete_put(&b, &ours);
	ext_put(e, sa, &b, IKEV2_EXCH_INFORMATIONAL, true);
	if ((len = xchg_end(&b, &k)))
		xchg_send_response(e, sa, e->out, len);
	if (ike_deleted && v2_rekey_take_back(e, sa)) {
		sa_kill(e, sa, "redundant after a rekey collision");
	} else if (ike_deleted) {
		ike_log(e, sa, IKE_LOG_INFO, "peer deleted the IKE SA");
		sa_kill(e, sa, "deleted by peer");
	}
	(void)now;
}

/* Delete one CHILD SA (1.4.1): its kernel state goes at once, the record
 * when the peer answers with its own SPI of the pair. */
int
v2_info_delete_child(struct ike_engine *e, struct ike_sa *sa,
		     struct child_sa *c, uint64_t now)
{
	uint8_t spi[SPI4_LEN];
	struct pld_delete d = {IKEV2_PROTO_ESP, SPI4_LEN, 1, {spi, SPI4_LEN}};
	struct msg_builder b;
	struct sk_keys k;
	size_t len;

	if (sa->state != IKE_SA_ESTABLISHED || sa->req.msg)
		return -1;
	spi4_put(spi, c->spi_in);
	if (xchg_begin(e, sa, &b, &k, IKEV2_EXCH_INFORMATIONAL, false,
		       sa->msgid_out) < 0)
		return -1;
	pld_delete_put(&b, &d);
	ext_put(e, sa, &b, IKEV2_EXCH_INFORMATIONAL, false);
	if (!(len = xchg_end(&b, &k)))
		return -1;
	ike_log(e, sa, IKE_LOG_INFO, "deleting CHILD SA '%s' (SPI %08x)",
		ike_conn(e, sa)->children[c->cfg].name, c->spi_in);
	child_uninstall(e, sa, c);
	c->deleting = true;
	return xchg_send_request(e, sa, now, e->out, len, &v2_delete_ops);
}

static void
v2_info_complete(struct ike_engine *e, struct ike_sa *sa, uint64_t now,
		 const struct msg *m)
{
	struct child_sa *c, *next;

	if (sa->state == IKE_SA_DELETING) {
		ike_log(e, sa, IKE_LOG_INFO, "IKE SA deleted");
		sa_kill(e, sa, "deleted");
		return;
	}
	for (c = sa->children; c; c = next) {
		next = c->next;
		if (c->deleting) {
			child_unlink(sa, c);
			child_free(c);
		}
	}
	(void)now;
	(void)m;
}

/* The peer's INFORMATIONAL requests, Delete or not, all come here. */
const struct xchg_ops v2_delete_ops = {
    .name = "INFORMATIONAL (Delete)",
    .version = 2,
    .exchange = IKEV2_EXCH_INFORMATIONAL,
    .req_states = XS_ESTABLISHED | XS_DELETING,
    .resp_states = XS_ESTABLISHED | XS_DELETING,
    .respond = v2_info_respond,
    .complete = v2_info_complete,
};

const struct xchg_ops v2_liveness_ops = {
    .name = "INFORMATIONAL (liveness)",
    .version = 2,
    .exchange = IKEV2_EXCH_INFORMATIONAL,
    .resp_states = XS_ESTABLISHED | XS_DELETING,
    .complete = v2_info_complete,
};
