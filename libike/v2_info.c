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
	struct ike_hdr h;
	struct sk_keys k;
	size_t len;

	/* Kernel state goes first: traffic must stop even if the peer never
	 * answers. */
	child_remove_all(e, sa);
	xchg_hdr(sa, &h, IKEV2_EXCH_INFORMATIONAL, false, sa->msgid_out);
	sa_keys_for(e, sa, true, &k);
	msg_build_init(&b, e->out, IKEV2_MAX_MSG_LEN, &h);
	if (sk_begin(&b, &k) < 0)
		goto fail;
	pld_delete_put(&b, &d);
	ext_put(e, sa, &b, IKEV2_EXCH_INFORMATIONAL, false);
	if (!(len = sk_end(&b, &k)))
		goto fail;
	/* A request still waiting is abandoned: the SA is going away. */
	xchg_request_done(e, sa);
	sa->state = IKE_SA_DELETING;
	ike_log(e, sa, IKE_LOG_INFO, "deleting IKE SA");
	return xchg_send_request(e, sa, now, e->out, len, XCHG_DELETE);
fail:
	sa_kill(e, sa, "deleted");
	return -1;
}

int
ike_liveness(struct ike_engine *e, uint64_t now, unsigned ike_id)
{
	struct ike_sa *sa = sa_by_id(e, ike_id);
	struct msg_builder b;
	struct ike_hdr h;
	struct sk_keys k;
	size_t len;

	e->now = now;
	/* Window one: a request in flight already shows whether the peer is
	 * there. */
	if (!sa || sa->state != IKE_SA_ESTABLISHED || sa->req.msg)
		return -1;
	xchg_hdr(sa, &h, IKEV2_EXCH_INFORMATIONAL, false, sa->msgid_out);
	sa_keys_for(e, sa, true, &k);
	msg_build_init(&b, e->out, IKEV2_MAX_MSG_LEN, &h);
	if (sk_begin(&b, &k) < 0)
		return -1;
	ext_put(e, sa, &b, IKEV2_EXCH_INFORMATIONAL, false);
	if (!(len = sk_end(&b, &k)))
		return -1;
	return xchg_send_request(e, sa, now, e->out, len, XCHG_LIVENESS);
}

static struct child_sa *
child_by_spi_out(struct ike_sa *sa, uint32_t spi)
{
	struct child_sa *c;

	for (c = sa->children; c; c = c->next)
		if (c->spi_out == spi)
			return c;
	return NULL;
}

static struct child_sa *
creating_child_of(struct ike_sa *sa)
{
	struct child_sa *c;

	for (c = sa->children; c; c = c->next)
		if (c->creating)
			return c;
	return NULL;
}

static void
unlink_child(struct ike_sa *sa, struct child_sa *c)
{
	struct child_sa **pp;

	for (pp = &sa->children; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			return;
		}
}

void
v2_info_respond(struct ike_engine *e, struct ike_sa *sa, uint64_t now,
		const struct msg *m)
{
	const struct pld_ref *r = NULL;
	uint8_t spis[4 * 64];
	struct pld_delete d, ours = {IKEV2_PROTO_ESP, 4, 0, {spis, 0}};
	struct msg_builder b;
	struct ike_hdr h;
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
			const uint8_t *p = d.spis.ptr + 4 * i;
			uint32_t spi = (uint32_t)p[0] << 24 |
				       (uint32_t)p[1] << 16 |
				       (uint32_t)p[2] << 8 | p[3];
			struct child_sa *c = child_by_spi_out(sa, spi);

			/* The peer may delete the pair it made for our
			 * CREATE_CHILD_SA before its answer reaches us: the
			 * child being created must not come up then. */
			if (!c && (c = creating_child_of(sa)))
				c->peer_gone = spi;
			if (!c || c->creating || ours.n_spi >= 64)
				continue;
			/* Both sides are closing it (1.4.1, 2.25.1): no
			 * Delete back, which could close the wrong SA; our
			 * own exchange forgets it when answered. */
			if (c->deleting)
				continue;
			/* 1.4.1: answer with our SPI of the same pair. */
			memcpy(spis + 4 * ours.n_spi,
			       (uint8_t[4]){
				   c->spi_in >> 24, (c->spi_in >> 16) & 0xff,
				   (c->spi_in >> 8) & 0xff, c->spi_in & 0xff},
			       4);
			ours.n_spi++;
			v2_child_uninstall(e, sa, c);
			unlink_child(sa, c);
			child_free(c);
		}
	}
	xchg_hdr(sa, &h, IKEV2_EXCH_INFORMATIONAL, true, m->hdr.msgid);
	sa_keys_for(e, sa, true, &k);
	msg_build_init(&b, e->out, IKEV2_MAX_MSG_LEN, &h);
	if (sk_begin(&b, &k) < 0)
		return;
	ours.spis.len = 4 * (size_t)ours.n_spi;
	if (!ike_deleted && ours.n_spi)
		pld_delete_put(&b, &ours);
	ext_put(e, sa, &b, IKEV2_EXCH_INFORMATIONAL, true);
	if ((len = sk_end(&b, &k)))
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
	uint8_t spi[4] = {c->spi_in >> 24, (c->spi_in >> 16) & 0xff,
			  (c->spi_in >> 8) & 0xff, c->spi_in & 0xff};
	struct pld_delete d = {IKEV2_PROTO_ESP, 4, 1, {spi, 4}};
	struct msg_builder b;
	struct ike_hdr h;
	struct sk_keys k;
	size_t len;

	if (sa->state != IKE_SA_ESTABLISHED || sa->req.msg)
		return -1;
	xchg_hdr(sa, &h, IKEV2_EXCH_INFORMATIONAL, false, sa->msgid_out);
	sa_keys_for(e, sa, true, &k);
	msg_build_init(&b, e->out, IKEV2_MAX_MSG_LEN, &h);
	if (sk_begin(&b, &k) < 0)
		return -1;
	pld_delete_put(&b, &d);
	ext_put(e, sa, &b, IKEV2_EXCH_INFORMATIONAL, false);
	if (!(len = sk_end(&b, &k)))
		return -1;
	ike_log(e, sa, IKE_LOG_INFO, "deleting CHILD SA '%s' (SPI %08x)",
		ike_conn(e, sa)->children[c->cfg].name, c->spi_in);
	v2_child_uninstall(e, sa, c);
	c->deleting = true;
	return xchg_send_request(e, sa, now, e->out, len, XCHG_DELETE);
}

void
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
			unlink_child(sa, c);
			child_free(c);
		}
	}
	(void)now;
	(void)m;
}
