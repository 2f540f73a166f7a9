/* SPDX-License-Identifier: ISC */
/*
 * The invariants after a drain: both ends of every pair agree on their
 * IKE SAs (by SPIs) and CHILD SAs (each side's inbound SPI the other's
 * outbound, with the same keys as installed); what the kernel holds is
 * exactly the CHILD SAs the engines report; and after a final terminate,
 * nothing is left anywhere.
 */
#include <stdlib.h>
#include <string.h>

#include "ike_int.h"
#include "sim.h"

static void
view_cb(void *ctx, const struct ike_sa_info *in)
{
	struct sa_list *l = ctx;
	struct sa_view *v;
	unsigned i;

	if (l->n == SIM_MAX_SAS) {
		l->overflow = true;
		return;
	}
	v = &l->v[l->n++];
	memset(v, 0, sizeof(*v));
	v->id = in->id;
	v->peer = host_peer_of(l->s, &in->remote);
	v->initiator = in->initiator;
	v->established = strcmp(in->state, "ESTABLISHED") == 0;
	v->deleting = strcmp(in->state, "DELETING") == 0;
	memcpy(v->spi_i, in->spi_i, 8);
	memcpy(v->spi_r, in->spi_r, 8);
	v->n_children = in->n_children;
	for (i = 0; i < in->n_children; i++) {
		v->ch[i].id = in->children[i].id;
		v->ch[i].installed = in->children[i].installed;
		v->ch[i].spi_in = in->children[i].spi_in;
		v->ch[i].spi_out = in->children[i].spi_out;
	}
}

void
sa_views(const struct host *h, struct sa_list *out)
{
	out->s = h->sim;
	out->n = 0;
	out->overflow = false;
	ike_list_sas(h->e, NULL, view_cb, out);
}

/* Reads the engines' insides: whether a request waits for its answer is
 * nobody's business but the engine's and this check's. */
bool
sim_quiet(const struct sim *s)
{
	unsigned i;

	if (s->net.n)
		return false;
	for (i = 0; i < s->n_hosts; i++) {
		const struct ike_sa *sa;

		for (sa = s->h[i].e->sas; sa; sa = sa->next) {
			if (sa->state == IKE_SA_DEAD)
				continue;
			if (sa->state != IKE_SA_ESTABLISHED || sa->req.msg)
				return false;
			/* IKEv1: a Quick Mode whose message 3 we await. */
			if (sa->version == 1 && sa->v1.qm)
				return false;
		}
	}
	return true;
}

static void
hex8(const uint8_t *p, char *out)
{
	static const char x[] = "0123456789abcdef";
	unsigned i;

	for (i = 0; i < 8; i++) {
		out[2 * i] = x[p[i] >> 4];
		out[2 * i + 1] = x[p[i] & 15];
	}
	out[16] = 0;
}

/* The kernel holds what the engine says is installed, nothing more. */
static void
check_kernel(struct sim *s, struct host *h, const struct sa_list *l)
{
	size_t i, j, live = 0, installed = 0;

	for (i = 0; i < h->k.n; i++) {
		const struct ksa *k = &h->k.v[i];

		if (k->st == KSA_ALLOCATED) {
			sim_fail(s,
				 "%s: SPI %08x allocated but neither "
				 "installed nor released",
				 h->name, k->spi_in);
			return;
		}
		live += k->st == KSA_LIVE;
	}
	for (i = 0; i < l->n; i++)
		for (j = 0; j < l->v[i].n_children; j++) {
			const struct child_view *c = &l->v[i].ch[j];
			const struct ksa *k = kernel_find(h, c->spi_in);

			if (!c->installed) {
				sim_fail(s,
					 "%s: IKE SA #%u child #%u not "
					 "installed after the drain",
					 h->name, l->v[i].id, c->id);
				return;
			}
			installed++;
			if (!k || k->st != KSA_LIVE ||
			    k->spi_out != c->spi_out) {
				sim_fail(s,
					 "%s: IKE SA #%u child #%u (SPIs "
					 "%08x/%08x) not in the kernel",
					 h->name, l->v[i].id, c->id, c->spi_in,
					 c->spi_out);
				return;
			}
		}
	if (live != installed)
		sim_fail(s, "%s: %zu SAs in the kernel, the engine has %zu",
			 h->name, live, installed);
}

static const struct sa_view *
same_sa(const struct sa_list *l, int peer, const struct sa_view *v)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->v[i].peer == peer &&
		    memcmp(l->v[i].spi_i, v->spi_i, 8) == 0 &&
		    memcmp(l->v[i].spi_r, v->spi_r, 8) == 0)
			return &l->v[i];
	return NULL;
}

/* IKEv1 acknowledges no DELETE (RFC 2408 4.8, RFC 2409 5.7) and Quick
 * Mode's message 3 only by silence: once one of a pair's IKEv1
 * datagrams was lost, a DELETE may have gone unheard, or a responder
 * may have given up on message 3 after its initiator installed the
 * pair. Once one was overtaken by a later one (reordering, or
 * delays that differ), an ISAKMP DELETE may have come before
 * the DELETE of its pairs (sent first, in a message of its own): the
 * pairs go to another ISAKMP SA with the peer (v1_rekey_adopt) and
 * their DELETE then names an SA that is gone. Or the adversary damaged
 * a Main Mode message: a message 6 that does not verify is a wrong key
 * to the initiator, which gives up while its responder is established
 * (an AUTH_FAILED event, host.c). Or the initiator's Main Mode was
 * ended (terminate, re-initiate, a reload) while its message 6 was on
 * its way: nothing tells the established responder. Then one side may
 * keep an
 * ISAKMP SA or a pair the other lacks, until something asks (DPD, which
 * IKEv1 here lacks yet). Otherwise both must agree as for IKEv2. */
static bool
v1_may_differ(const struct sim *s, const struct host *a, const struct host *b)
{
	return s->v1[a->idx][b->idx] &&
	       (s->v1_upset[a->idx][b->idx] || s->v1_upset[b->idx][a->idx]);
}

static bool
keys_mirror(const struct ksa *a, const struct ksa *b)
{
	return a->encr_len == b->encr_len && a->integ_len == b->integ_len &&
	       memcmp(a->encr_out, b->encr_in, a->encr_len) == 0 &&
	       memcmp(a->encr_in, b->encr_out, a->encr_len) == 0 &&
	       memcmp(a->integ_out, b->integ_in, a->integ_len) == 0 &&
	       memcmp(a->integ_in, b->integ_out, a->integ_len) == 0;
}

/* b's child whose inbound SPI is spi: under vb, or (lb given, IKEv1) any
 * of b's ISAKMP SAs with a (an IPsec SA belongs to no ISAKMP SA in
 * IKEv1: which one holds it after replacements is each side's own
 * bookkeeping, v1_rekey.c). */
static const struct child_view *
peer_child(const struct host *a, const struct sa_view *vb,
	   const struct sa_list *lb, uint32_t spi)
{
	size_t i;
	unsigned j;

	for (j = 0; vb && j < vb->n_children; j++)
		if (vb->ch[j].spi_in == spi)
			return &vb->ch[j];
	for (i = 0; lb && i < lb->n; i++)
		if (lb->v[i].peer == (int)a->idx)
			for (j = 0; j < lb->v[i].n_children; j++)
				if (lb->v[i].ch[j].spi_in == spi)
					return &lb->v[i].ch[j];
	return NULL;
}

/* Every CHILD SA of a's has its mirror image at b, with the same keys. */
static void
check_children(struct sim *s, struct host *a, const struct sa_view *va,
	       struct host *b, const struct sa_view *vb,
	       const struct sa_list *lb)
{
	bool v1 = s->v1[a->idx][b->idx];
	unsigned i;

	for (i = 0; i < va->n_children; i++) {
		const struct child_view *c = &va->ch[i], *pc;
		const struct ksa *ka = kernel_find(a, c->spi_in), *kb;

		pc = peer_child(a, vb, v1 ? lb : NULL, c->spi_out);
		if (!pc && v1_may_differ(s, a, b)) {
			s->st.v1_one_sided++;
			continue;
		}
		if (!pc) {
			sim_fail(s,
				 "%s IKE SA #%u has child #%u (SPIs in "
				 "%08x out %08x) that %s %s #%u lacks",
				 a->name, va->id, c->id, c->spi_in, c->spi_out,
				 b->name,
				 v1 ? "(any ISAKMP SA), IKE SA" : "IKE SA",
				 vb ? vb->id : 0);
			return;
		}
		if (pc->spi_out != c->spi_in) {
			sim_fail(s,
				 "%s child #%u in %08x out %08x, %s child "
				 "#%u in %08x out %08x",
				 a->name, c->id, c->spi_in, c->spi_out, b->name,
				 pc->id, pc->spi_in, pc->spi_out);
			return;
		}
		kb = kernel_find(b, pc->spi_in);
		if (ka && kb && !keys_mirror(ka, kb)) {
			sim_fail(s,
				 "%s child #%u and %s child #%u (SPIs "
				 "%08x/%08x) have different keys",
				 a->name, c->id, b->name, pc->id, c->spi_in,
				 c->spi_out);
			return;
		}
	}
}

/* a's IKE SAs with b, each at b too, roles reversed. */
static void
check_pair(struct sim *s, unsigned ia, const struct sa_list *la, unsigned ib,
	   const struct sa_list *lb)
{
	struct host *a = &s->h[ia], *b = &s->h[ib];
	size_t i;

	for (i = 0; i < la->n && !s->failed; i++) {
		const struct sa_view *va = &la->v[i], *vb;
		char si[17], sr[17];

		if (va->peer != (int)ib)
			continue;
		vb = same_sa(lb, (int)ia, va);
		hex8(va->spi_i, si);
		hex8(va->spi_r, sr);
		if (!vb && v1_may_differ(s, a, b)) {
			s->st.v1_one_sided++;
			/* Its pairs may still be the peer's under another. */
			check_children(s, a, va, b, NULL, lb);
			continue;
		}
		if (!vb) {
			sim_fail(s,
				 "%s has IKE SA #%u (SPIs %s_i %s_r) with "
				 "%s, which does not",
				 a->name, va->id, si, sr, b->name);
			return;
		}
		if (va->initiator == vb->initiator) {
			sim_fail(s,
				 "%s IKE SA #%u and %s IKE SA #%u (%s_i) "
				 "are both %s",
				 a->name, va->id, b->name, vb->id, si,
				 va->initiator ? "initiator" : "responder");
			return;
		}
		check_children(s, a, va, b, vb, lb);
	}
}

void
check_invariants(struct sim *s)
{
	struct sa_list *l = calloc(s->n_hosts, sizeof(*l));
	unsigned i, j;
	size_t k;

	if (!l) {
		sim_fail(s, "out of memory");
		return;
	}
	for (i = 0; i < s->n_hosts; i++) {
		sa_views(&s->h[i], &l[i]);
		if (l[i].overflow)
			sim_fail(s, "%s: more than %d IKE SAs", s->h[i].name,
				 SIM_MAX_SAS);
		for (k = 0; k < l[i].n; k++) {
			if (!l[i].v[k].established)
				sim_fail(s,
					 "%s: IKE SA #%u not established "
					 "after the drain",
					 s->h[i].name, l[i].v[k].id);
			if (l[i].v[k].n_children == IKE_MAX_CHILDREN)
				sim_fail(s,
					 "%s: IKE SA #%u has %d children, "
					 "what ike_list_sas can show",
					 s->h[i].name, l[i].v[k].id,
					 IKE_MAX_CHILDREN);
		}
		check_kernel(s, &s->h[i], &l[i]);
	}
	for (i = 0; i < s->n_hosts && !s->failed; i++)
		for (j = 0; j < s->n_hosts && !s->failed; j++)
			if (i != j)
				check_pair(s, i, &l[i], j, &l[j]);
	free(l);
}

/* After every host terminated everything: no SA, no kernel state. */
void
check_all_gone(struct sim *s)
{
	unsigned i;
	size_t k;

	for (i = 0; i < s->n_hosts && !s->failed; i++) {
		struct host *h = &s->h[i];
		struct ike_stats st;

		ike_engine_stats(h->e, &st);
		if (st.ike_sas || st.half_open) {
			sim_fail(s,
				 "%s: %zu IKE SAs (%zu half-open) left "
				 "after terminating everything",
				 h->name, st.ike_sas, st.half_open);
			return;
		}
		for (k = 0; k < h->k.n; k++)
			if (h->k.v[k].st != KSA_FREE) {
				sim_fail(s,
					 "%s: SPI %08x %s after "
					 "terminating everything",
					 h->name, h->k.v[k].spi_in,
					 h->k.v[k].st == KSA_LIVE
					     ? "still installed"
					     : "still allocated");
				return;
			}
	}
}

struct step_ctx {
	struct sim *s;
	struct host *h;
	size_t installed;
};

static bool
same_ep(const struct ike_endpoint *a, const struct ike_endpoint *b)
{
	return memcmp(&a->ss, &b->ss, sizeof(a->ss)) == 0;
}

static void
step_cb(void *ctx, const struct ike_sa_info *sa)
{
	struct step_ctx *x = ctx;
	struct host *h = x->h;
	struct sim *s = x->s;
	unsigned i;

	if (sa->id >= h->n_heard) {
		size_t n = 2 * (size_t)sa->id + 16;
		uint64_t *grown = realloc(h->heard, n * sizeof(*grown));

		if (!grown) {
			sim_fail(s, "out of memory");
			return;
		}
		memset(grown + h->n_heard, 0,
		       (n - h->n_heard) * sizeof(*grown));
		h->heard = grown;
		h->n_heard = n;
	}
	if (sa->last_heard > s->now || sa->last_heard < h->heard[sa->id])
		sim_fail(s,
			 "%s: IKE SA #%u last heard at %llu, before at %llu, "
			 "now is %llu",
			 h->name, sa->id, (unsigned long long)sa->last_heard,
			 (unsigned long long)h->heard[sa->id],
			 (unsigned long long)s->now);
	h->heard[sa->id] = sa->last_heard;
	for (i = 0; i < sa->n_children; i++) {
		const struct ike_child_info *c = &sa->children[i];
		const struct ksa *k;

		if (!c->installed)
			continue;
		x->installed++;
		k = kernel_find(h, c->spi_in);
		if (!k || k->st != KSA_LIVE || k->spi_out != c->spi_out)
			sim_fail(s,
				 "%s: IKE SA #%u child #%u (SPIs %08x/%08x) "
				 "installed, the kernel says otherwise",
				 h->name, sa->id, c->id, c->spi_in, c->spi_out);
		else if (!same_ep(&k->local, &sa->local) ||
			 !same_ep(&k->remote, &sa->remote))
			sim_fail(s,
				 "%s: IKE SA #%u child #%u (SPI %08x) in the "
				 "kernel at other endpoints than its IKE SA",
				 h->name, sa->id, c->id, c->spi_in);
	}
}

/* Every CHILD SA the engine holds installed, past the IKE_MAX_CHILDREN
 * a listing shows of an SA: an ISAKMP SA collects the pairs of those it
 * replaced, besides its own and their rekeys' (v1_rekey.c). */
static size_t
engine_installed(const struct host *h)
{
	const struct ike_sa *sa;
	const struct child_sa *c;
	size_t n = 0;

	for (sa = h->e->sas; sa; sa = sa->next)
		for (c = sa->children; sa->state != IKE_SA_DEAD && c;
		     c = c->next)
			n += c->installed;
	return n;
}

void
check_step(struct sim *s)
{
	unsigned i;
	size_t k, live;

	for (i = 0; i < s->n_hosts && !s->failed; i++) {
		struct host *h = &s->h[i];
		struct step_ctx x = {s, h, 0};
		uint64_t next = ike_next_deadline(h->e);

		ike_list_sas(h->e, NULL, step_cb, &x);
		for (k = 0, live = 0; k < h->k.n; k++)
			live += h->k.v[k].st == KSA_LIVE;
		if (live != engine_installed(h))
			sim_fail(s,
				 "%s: %zu SAs in the kernel, the engine has "
				 "%zu installed (%zu listed)",
				 h->name, live, engine_installed(h),
				 x.installed);
		for (k = 0; k < h->n_ht; k++)
			if (h->ht[k].st == HT_PENDING &&
			    h->ht[k].deadline < next)
				sim_fail(s,
					 "%s: timer #%llu due %llu, the "
					 "engine's next deadline is %llu",
					 h->name,
					 (unsigned long long)h->ht[k].seq,
					 (unsigned long long)h->ht[k].deadline,
					 (unsigned long long)next);
	}
}

struct reinit_ctx {
	bool found, deleting;
};

static void
reinit_cb(void *ctx, const struct ike_sa_info *sa)
{
	struct reinit_ctx *x = ctx;

	x->found = true;
	x->deleting = strcmp(sa->state, "DELETING") == 0;
}

void
check_reinit(struct sim *s)
{
	unsigned i;
	size_t k;

	for (i = 0; i < s->n_hosts && !s->failed; i++)
		for (k = 0; k < s->h[i].n_reinit; k++) {
			struct reinit_ctx x = {false, false};

			ike_query_sa(s->h[i].e, s->h[i].reinit[k], reinit_cb,
				     &x);
			if (x.found && !x.deleting)
				sim_fail(s,
					 "%s: IKE SA #%u, re-initiated, is "
					 "still there",
					 s->h[i].name, s->h[i].reinit[k]);
		}
}
