/* SPDX-License-Identifier: ISC */
/*
 * What every CHILD SA goes through whichever IKE version made it: its
 * inbound SPI from the kernel, the install of its keys and selectors
 * through the host's callbacks, and its removal. The versions differ in
 * how they negotiate and derive the keys (v2_child.c, v1_quick.c), not in
 * what the host is told.
 */
#include <string.h>

#include "ike_int.h"

int
child_alloc_spi(struct ike_engine *e, struct ike_sa *sa, struct child_sa *c)
{
	if (!c->reqid)
		c->reqid = ++e->next_reqid;
	if (!e->env.spi_alloc ||
	    e->env.spi_alloc(e->env.ctx, &sa->local, &sa->remote, c->reqid,
			     &c->spi_in) < 0) {
		ike_log(e, sa, IKE_LOG_ERROR, "no inbound SPI from the kernel");
		return -1;
	}
	return 0;
}

int
child_take_algs(struct ike_engine *e, const struct ike_sa *sa,
		struct child_sa *c, const struct proposal *p, size_t *encr_len,
		size_t *integ_len)
{
	const struct transform *encr = prop_xf_first(p, IKEV2_TRANS_ENCR);
	const struct transform *integ = prop_xf_first(p, IKEV2_TRANS_INTEG);
	const struct transform *esn = prop_xf_first(p, IKEV2_TRANS_ESN);
	const struct encr_alg *ea =
	    encr ? crypto_encr(encr->id, encr->key_bits) : NULL;
	const struct integ_alg *ia =
	    integ && integ->id ? crypto_integ(integ->id) : NULL;

	if (!ea || (!ea->aead && !ia)) {
		ike_log(e, sa, IKE_LOG_ERROR,
			"negotiated ESP algorithms are not implemented");
		return -1;
	}
	c->encr = encr->id;
	c->encr_bits = encr->key_bits;
	c->integ = ia ? ia->id : 0;
	c->esn = esn && esn->id == IKEV2_ESN_YES;
	*encr_len = ea->key_len;
	*integ_len = ia ? ia->key_len : 0;
	return 0;
}

/* What the host needs to know of a child, keys aside. */
void
child_describe(struct ike_engine *e, const struct ike_sa *sa,
	       const struct child_sa *c, struct ike_child_install *ci)
{
	const struct ike_conn_cfg *conn = ike_conn(e, sa);

	memset(ci, 0, sizeof(*ci));
	ci->ike_id = sa->id;
	ci->child_id = c->id;
	ci->conn = conn->name;
	ci->child = conn->children[c->cfg].name;
	ci->transport = conn->children[c->cfg].transport;
	ci->initiator = sa->initiator;
	ci->local = sa->local;
	ci->remote = sa->remote;
	ci->spi_in = c->spi_in;
	ci->spi_out = c->spi_out;
	ci->reqid = c->reqid;
	ci->encr = c->encr;
	ci->encr_bits = c->encr_bits;
	ci->integ = c->integ;
	ci->esn = c->esn;
	ci->n_local_ts = c->n_local_ts;
	ci->local_ts = c->local_ts;
	ci->n_remote_ts = c->n_remote_ts;
	ci->remote_ts = c->remote_ts;
}

int
child_install_keyed(struct ike_engine *e, struct ike_sa *sa, struct child_sa *c,
		    const struct child_keys *keys, bool initiator,
		    uint64_t rekey_ms)
{
	struct ike_child_install ci;
	int rc;

	child_describe(e, sa, c, &ci);
	/* The initiator of the exchange that created the child (not of the
	 * IKE SA: either side may start one) sends with the i->r keys, its
	 * responder with r->i. */
	ci.encr_out = initiator ? keys->encr_i : keys->encr_r;
	ci.integ_out = initiator ? keys->integ_i : keys->integ_r;
	ci.encr_in = initiator ? keys->encr_r : keys->encr_i;
	ci.integ_in = initiator ? keys->integ_r : keys->integ_i;
	/* The host learns of an IKE SA before anything is installed on it. */
	ike_announce(e, sa);
	rc = e->env.child_install ? e->env.child_install(e->env.ctx, &ci) : 0;
	if (rc < 0) {
		ike_log(e, sa, IKE_LOG_ERROR,
			"the kernel refused CHILD SA '%s' (%d)", ci.child, rc);
		return -1;
	}
	c->installed = true;
	if (rekey_ms)
		c->rekey_at = e->now + rekey_ms;
	sa_schedule(e, sa);
	ike_log(e, sa, IKE_LOG_INFO,
		"CHILD SA '%s' installed, SPIs in %08x out %08x", ci.child,
		c->spi_in, c->spi_out);
	ike_emit(e, sa, IKE_EV_CHILD_UP, c, NULL);
	return 0;
}

/* Does an installed child other than c use its reqid (and so the
 * policies that name it)? A rekey's new pair does, on the same SA, or on
 * the ISAKMP SA that replaces this one or that this one replaces. */
static bool
reqid_in_use(const struct ike_engine *e, const struct ike_sa *sa,
	     const struct child_sa *c)
{
	const struct ike_sa *other[3] = {sa, NULL, NULL};
	const struct child_sa *sib;
	unsigned i;

	if (sa->version == 1) {
		if (sa->v1.successor)
			other[1] = sa_by_id(e, sa->v1.successor);
		if (sa->v1.replaces)
			other[2] = sa_by_id(e, sa->v1.replaces);
	}
	for (i = 0; i < 3; i++)
		for (sib = other[i] ? other[i]->children : NULL; sib;
		     sib = sib->next)
			if (sib != c && sib->installed &&
			    sib->reqid == c->reqid)
				return true;
	return false;
}

void
child_uninstall(struct ike_engine *e, struct ike_sa *sa, struct child_sa *c)
{
	struct ike_child_install ci;

	/* A child that never got installed may still hold the inbound SPI
	 * the kernel allocated: the host releases that too. */
	if (!c->installed && !c->spi_in)
		return;
	child_describe(e, sa, c, &ci);
	ci.keep_policies = reqid_in_use(e, sa, c);
	if (e->env.child_remove)
		e->env.child_remove(e->env.ctx, &ci);
	c->spi_in = 0;
	if (c->installed) {
		c->installed = false;
		ike_emit(e, sa, IKE_EV_CHILD_DOWN, c, NULL);
	}
}
