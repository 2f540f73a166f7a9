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
	} else if (sa->own_id) {
		in->local_id.type = sa->own_id_type;
		in->local_id.data.ptr = sa->own_id;
		in->local_id.data.len = sa->own_id_len;
	}
	if (sa->peer_id.type)
		in->remote_id = sa->peer_id;
	in->last_heard = sa->last_heard;
	in->nat_local = sa->nat_local;
	in->nat_remote = sa->nat_remote;
	for (ch = sa->children; ch && n < IKE_MAX_CHILDREN; ch = ch->next) {
		struct ike_child_info *ci = &in->children[n++];

		ci->id = ch->id;
		ci->name = c->children[ch->cfg].name;
		ci->installed = ch->installed;
		ci->rekeyed = ch->superseded;
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

static struct bytes
key_bytes(const struct secret *s)
{
	struct bytes b = {NULL, 0};

	if (s) {
		b.ptr = s->ptr;
		b.len = s->len;
	}
	return b;
}

int
ike_export_ike_keys(const struct ike_engine *e, unsigned id,
		    void (*cb)(void *ctx, const struct ike_key_export *k),
		    void *ctx)
{
	const struct ike_sa *sa = sa_by_id(e, id);
	const struct v2_state *v;
	struct ike_key_export k;

	/* Keys exist from the IKE_SA_INIT response on (2.14); IKEv1 SAs
	 * are not Wireshark's ikev2_decryption_table's business. */
	if (!sa || sa->state == IKE_SA_DEAD || sa->version != 2)
		return -1;
	v = &sa->v2;
	if (!v->suite.encr || !v->keys.sk_ei || !v->keys.sk_er)
		return -1;
	memset(&k, 0, sizeof(k));
	k.id = sa->id;
	k.spi_i = sa->spi_i;
	k.spi_r = sa->spi_r;
	k.encr = v->suite.encr->id;
	k.encr_bits = v->suite.encr->key_bits;
	k.icv_len = v->suite.encr->aead ? v->suite.encr->icv_len : 0;
	k.integ = v->suite.integ ? v->suite.integ->id : 0;
	k.sk_ei = key_bytes(v->keys.sk_ei);
	k.sk_er = key_bytes(v->keys.sk_er);
	k.sk_ai = key_bytes(v->keys.sk_ai);
	k.sk_ar = key_bytes(v->keys.sk_ar);
	cb(ctx, &k);
	return 0;
}
