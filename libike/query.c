/* SPDX-License-Identifier: ISC */
/*
 * Read-only views of the engine's SAs, for `list-sas` and monitoring: no
 * pointers into the engine escape the callback.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike_int.h"

static const char *
state_name(enum ike_sa_state s)
{
	switch (s) {
	case IKE_SA_CONNECTING:
		return "CONNECTING";
	case IKE_SA_ESTABLISHED:
		return "ESTABLISHED";
	case IKE_SA_DELETING:
		return "DELETING";
	default:
		return "DESTROYING";
	}
}

static void
fill(const struct ike_engine *e, const struct ike_sa *sa,
     struct ike_sa_info *in)
{
	const struct ike_conn_cfg *c = ike_conn(e, sa);
	const struct child_sa *ch;
	unsigned n = 0;

	memset(in, 0, sizeof(*in));
	in->id = sa->id;
	in->conn = c->name;
	in->state = state_name(sa->state);
	in->version = sa->version;
	in->initiator = sa->initiator;
	in->local = sa->local;
	in->remote = sa->remote;
	in->spi_i = sa->spi_i;
	in->spi_r = sa->spi_r;
	if (sa->ike_prop)
		prop_format(sa->ike_prop, in->proposal, sizeof(in->proposal));
	if (c->local_id.type) {
		in->local_id.type = c->local_id.type;
		in->local_id.data.ptr = c->local_id.data;
		in->local_id.data.len = c->local_id.len;
	}
	if (sa->peer_id.type)
		in->remote_id = sa->peer_id;
	in->last_heard = sa->last_heard;
	for (ch = sa->children; ch && n < IKE_MAX_CHILDREN; ch = ch->next) {
		struct ike_child_info *ci = &in->children[n++];

		ci->id = ch->id;
		ci->name = c->children[ch->cfg].name;
		ci->installed = ch->installed;
		ci->transport = c->children[ch->cfg].transport;
		ci->spi_in = ch->spi_in;
		ci->spi_out = ch->spi_out;
		ci->reqid = ch->reqid;
		ci->encr = ch->encr;
		ci->encr_bits = ch->encr_bits;
		ci->integ = ch->integ;
		ci->esn = ch->esn;
		ci->n_local_ts = ch->n_local_ts;
		ci->local_ts = ch->local_ts;
		ci->n_remote_ts = ch->n_remote_ts;
		ci->remote_ts = ch->remote_ts;
	}
	in->n_children = n;
}

size_t
ike_list_sas(const struct ike_engine *e, const char *conn,
	     void (*cb)(void *ctx, const struct ike_sa_info *sa), void *ctx)
{
	return ike_list_sas_below(e, conn, 0, SIZE_MAX, cb, ctx);
}

size_t
ike_query_sa(const struct ike_engine *e, unsigned id,
	     void (*cb)(void *ctx, const struct ike_sa_info *sa), void *ctx)
{
	const struct ike_sa *sa = sa_by_id(e, id);
	struct ike_sa_info *info;

	if (!sa || sa->state == IKE_SA_DEAD || !(info = malloc(sizeof(*info))))
		return 0;
	fill(e, sa, info);
	cb(ctx, info);
	free(info);
	return 1;
}

size_t
ike_list_sas_below(const struct ike_engine *e, const char *conn, unsigned below,
		   size_t max,
		   void (*cb)(void *ctx, const struct ike_sa_info *sa),
		   void *ctx)
{
	struct ike_sa_info *info = malloc(sizeof(*info));
	const struct ike_sa *sa;
	size_t n = 0;

	if (!info)
		return 0;
	/* sa_new() puts each SA in front of the list, with the next id:
	 * those already listed are at the front, and skipped without being
	 * filled in. */
	for (sa = e->sas; sa && n < max; sa = sa->next) {
		if ((below && sa->id >= below) || sa->state == IKE_SA_DEAD ||
		    (conn && strcmp(ike_conn(e, sa)->name, conn) != 0))
			continue;
		fill(e, sa, info);
		cb(ctx, info);
		n++;
	}
	free(info);
	return n;
}
