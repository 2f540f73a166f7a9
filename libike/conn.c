/* SPDX-License-Identifier: ISC */
/*
 * Connections as the engine holds them: the deep copy of a caller's
 * struct ike_conn_cfg (its arrays copied, its proposal lists interned in
 * the engine's pool), its release, the deep comparison that decides
 * whether a reload left a connection unchanged, and the name index that
 * keeps matching a new set against the old one linear.
 */
#include <stdlib.h>
#include <string.h>

#include "ike_int.h"

/*
 * The address lists (local, then remote) and the identities' data in one
 * block of their exact size: a connection costs what it holds, not
 * IKE_ID_MAX twice. -1 if an ID is longer than IKE_ID_MAX (our AUTH
 * octets are built in a buffer of that size) or there is no memory.
 */
static int
conn_copy_extra(struct conn *cn, const struct ike_conn_cfg *c)
{
	size_t na = (size_t)c->n_local_addrs + c->n_remote_addrs;
	size_t asz = na * sizeof(struct ike_addr_match);
	struct ike_conn_cfg *k = &cn->cfg;
	uint8_t *p;

	k->local_addrs = k->remote_addrs = NULL;
	k->local_id.data = k->remote_id.data = NULL;
	if (c->local_id.len > IKE_ID_MAX || c->remote_id.len > IKE_ID_MAX)
		return -1;
	if (asz + c->local_id.len + c->remote_id.len == 0)
		return 0;
	if (!(cn->extra = malloc(asz + c->local_id.len + c->remote_id.len)))
		return -1;
	p = cn->extra;
	if (c->n_local_addrs) {
		k->local_addrs = (struct ike_addr_match *)(void *)p;
		memcpy(p, c->local_addrs,
		       c->n_local_addrs * sizeof(*c->local_addrs));
		p += c->n_local_addrs * sizeof(*c->local_addrs);
	}
	if (c->n_remote_addrs) {
		k->remote_addrs = (struct ike_addr_match *)(void *)p;
		memcpy(p, c->remote_addrs,
		       c->n_remote_addrs * sizeof(*c->remote_addrs));
		p += c->n_remote_addrs * sizeof(*c->remote_addrs);
	}
	if (c->local_id.len) {
		k->local_id.data = p;
		memcpy(p, c->local_id.data, c->local_id.len);
		p += c->local_id.len;
	}
	if (c->remote_id.len) {
		k->remote_id.data = p;
		memcpy(p, c->remote_id.data, c->remote_id.len);
	}
	return 0;
}

/*
 * The engine's copy of a connection. The caller's arrays are copied: the
 * address lists and identities into one block (conn_copy_extra), the
 * children into one array, each child's selectors (local, then remote) into
 * one block, and the proposal lists interned in the engine's pool, where
 * the thousands of connections of a hub share the few lists they use
 * (prop_pool.c). What is left of a connection is then about the size of
 * struct ike_conn_cfg itself.
 */
struct conn *
conn_copy(struct ike_engine *e, const struct ike_conn_cfg *c)
{
	struct conn *cn = calloc(1, sizeof(*cn));
	unsigned i;

	if (!cn)
		return NULL;
	cn->refs = 1;
	cn->pool = e->props;
	/* memcpy, padding included: conn_cfg_equal() compares bytes. */
	memcpy(&cn->cfg, c, sizeof(*c));
	cn->cfg.proposals = NULL;
	cn->cfg.children = NULL;
	cn->cfg.n_proposals = cn->cfg.n_children = 0;
	if (conn_copy_extra(cn, c) < 0)
		goto fail;
	if (c->n_proposals) {
		cn->cfg.proposals =
		    prop_pool_get(e->props, c->proposals, c->n_proposals);
		if (!cn->cfg.proposals)
			goto fail;
		cn->cfg.n_proposals = c->n_proposals;
	}
	if (c->n_children &&
	    !(cn->cfg.children = calloc(c->n_children, sizeof(*c->children))))
		goto fail;
	for (i = 0; i < c->n_children; i++) {
		const struct ike_child_cfg *from = &c->children[i];
		struct ike_child_cfg *to = &cn->cfg.children[i];
		size_t nts = (size_t)from->n_local_ts + from->n_remote_ts;

		memcpy(to, from, sizeof(*to));
		to->proposals = NULL;
		to->local_ts = to->remote_ts = NULL;
		to->n_proposals = to->n_local_ts = to->n_remote_ts = 0;
		cn->cfg.n_children = i + 1;
		if (nts) {
			if (!(to->local_ts =
				  malloc(nts * sizeof(*to->local_ts))))
				goto fail;
			if (from->n_local_ts)
				memcpy(to->local_ts, from->local_ts,
				       from->n_local_ts *
					   sizeof(*to->local_ts));
			to->remote_ts = to->local_ts + from->n_local_ts;
			if (from->n_remote_ts)
				memcpy(to->remote_ts, from->remote_ts,
				       from->n_remote_ts *
					   sizeof(*to->remote_ts));
			to->n_local_ts = from->n_local_ts;
			to->n_remote_ts = from->n_remote_ts;
		}
		if (from->n_proposals) {
			to->proposals = prop_pool_get(e->props, from->proposals,
						      from->n_proposals);
			if (!to->proposals)
				goto fail;
			to->n_proposals = from->n_proposals;
		}
	}
	return cn;
fail:
	conn_free(cn);
	return NULL;
}

void
conn_free(struct conn *cn)
{
	unsigned i;

	if (!cn)
		return;
	prop_pool_put(cn->pool, cn->cfg.proposals);
	for (i = 0; i < cn->cfg.n_children; i++) {
		prop_pool_put(cn->pool, cn->cfg.children[i].proposals);
		/* One block: the remote selectors follow the local ones. */
		free(cn->cfg.children[i].local_ts);
	}
	free(cn->cfg.children);
	free(cn->extra);
	free(cn);
}

static bool
addr_list_equal(const struct ike_addr_match *a, const struct ike_addr_match *b,
		unsigned n)
{
	return n == 0 || memcmp(a, b, n * sizeof(*a)) == 0;
}

static bool
id_equal(const struct ike_id_cfg *a, const struct ike_id_cfg *b)
{
	return a->len == 0 || memcmp(a->data, b->data, a->len) == 0;
}

static bool
ts_list_equal(const struct ike_ts_cfg *a, const struct ike_ts_cfg *b,
	      unsigned n)
{
	return n == 0 || memcmp(a, b, n * sizeof(*a)) == 0;
}

/*
 * The deep form of the memcmp() that decided "unchanged" before the arrays
 * left struct ike_conn_cfg: everything but the pointers is compared as
 * bytes (so a field added to the structs is compared without a change
 * here), then what the pointers point to.
 */
static bool
child_cfg_equal(const struct ike_child_cfg *a, const struct ike_child_cfg *b)
{
	struct ike_child_cfg x, y;

	memcpy(&x, a, sizeof(x));
	memcpy(&y, b, sizeof(y));
	x.local_ts = x.remote_ts = y.local_ts = y.remote_ts = NULL;
	x.proposals = y.proposals = NULL;
	return memcmp(&x, &y, sizeof(x)) == 0 &&
	       ts_list_equal(a->local_ts, b->local_ts, a->n_local_ts) &&
	       ts_list_equal(a->remote_ts, b->remote_ts, a->n_remote_ts) &&
	       prop_list_equal(a->proposals, a->n_proposals, b->proposals,
			       b->n_proposals);
}

bool
conn_cfg_equal(const struct ike_conn_cfg *a, const struct ike_conn_cfg *b)
{
	struct ike_conn_cfg x, y;
	unsigned i;

	memcpy(&x, a, sizeof(x));
	memcpy(&y, b, sizeof(y));
	x.proposals = y.proposals = NULL;
	x.children = y.children = NULL;
	x.local_addrs = x.remote_addrs = y.local_addrs = y.remote_addrs = NULL;
	x.local_id.data = x.remote_id.data = NULL;
	y.local_id.data = y.remote_id.data = NULL;
	if (memcmp(&x, &y, sizeof(x)) != 0 ||
	    !addr_list_equal(a->local_addrs, b->local_addrs,
			     a->n_local_addrs) ||
	    !addr_list_equal(a->remote_addrs, b->remote_addrs,
			     a->n_remote_addrs) ||
	    !id_equal(&a->local_id, &b->local_id) ||
	    !id_equal(&a->remote_id, &b->remote_id) ||
	    !prop_list_equal(a->proposals, a->n_proposals, b->proposals,
			     b->n_proposals))
		return false;
	for (i = 0; i < a->n_children; i++)
		if (!child_cfg_equal(&a->children[i], &b->children[i]))
			return false;
	return true;
}

static size_t
conn_name_hash(const char *s)
{
	size_t h = 14695981039346656037ULL; /* FNV-1a */

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

int
conn_index_init(struct conn_index *x, struct conn **conns, size_t n)
{
	size_t i, k;

	x->conns = conns;
	for (x->cap = 16; x->cap < 2 * n; x->cap *= 2)
		;
	if (!(x->slot = calloc(x->cap, sizeof(*x->slot))))
		return -1;
	for (i = 0; i < n; i++) {
		if (!conns[i])
			continue;
		k = conn_name_hash(conns[i]->cfg.name) & (x->cap - 1);
		while (x->slot[k])
			k = (k + 1) & (x->cap - 1);
		x->slot[k] = i + 1;
	}
	return 0;
}

/* The next entry named name from *k on (start with *k = SIZE_MAX), or
 * SIZE_MAX. */
size_t
conn_index_next(const struct conn_index *x, const char *name, size_t *k)
{
	size_t i;

	*k = *k == SIZE_MAX ? conn_name_hash(name) & (x->cap - 1)
			    : (*k + 1) & (x->cap - 1);
	for (; x->slot[*k]; *k = (*k + 1) & (x->cap - 1)) {
		i = x->slot[*k] - 1;
		if (strcmp(x->conns[i]->cfg.name, name) == 0)
			return i;
	}
	return SIZE_MAX;
}
