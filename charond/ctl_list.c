/* SPDX-License-Identifier: ISC */
/*
 * list-sas a page at a time. 100,000 IKE SAs are some 70 MB of JSON: built
 * at once they would cost the daemon that much memory and pass the client's
 * output limit (CTL_MAX_OUT). So the list is written a bounded step at a
 * time, and ctl.c takes the next step only once the client has read what
 * the last one wrote. No daemon state here: the engine and the output are
 * arguments, so the unit tests can drive it with many SAs.
 *
 * Two framings of the same items: the one reply line every client
 * understands, {"id":1,"ok":true,"result":{"ike_sas":[SA,SA,...]}}, written
 * piecewise; and with "stream": true, one line {"id":1,"ike_sa":SA} per SA
 * and then the reply {"id":1,"ok":true,"result":{"count":N}}, which a
 * client can handle one line at a time (charonctl does).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

struct step {
	struct ctl_list *l;
	int (*emit)(void *ctx, const char *s, size_t len);
	void *ctx;
	size_t bytes; /* written in this step */
	size_t n;     /* SAs written in this step */
	bool full;    /* the step's byte budget is spent */
	int err;
};

static int
put(struct step *st, const char *s, size_t len)
{
	int rc;

	if (st->err)
		return st->err;
	rc = st->emit(st->ctx, s, len);
	if (rc < 0)
		st->err = rc;
	st->bytes += len;
	return rc;
}

static void
put_str(struct step *st, const char *s)
{
	put(st, s, strlen(s));
}

static void
item(void *ctx, const struct ike_sa_info *sa)
{
	struct ctl_child_counters k[IKE_MAX_CHILDREN];
	struct step *st = ctx;
	struct ctl_list *l = st->l;
	char *s;
	json_t *o;
	unsigned i;

	if (st->err || st->full || (l->only_id && sa->id != l->only_id))
		return;
	/* Past the budget, the rest of this page waits for the next step:
	 * it resumes below the last SA written. */
	if (st->n && st->bytes >= CTL_LIST_STEP_BYTES) {
		st->full = true;
		return;
	}
	for (i = 0; i < sa->n_children && i < IKE_MAX_CHILDREN; i++) {
		memset(&k[i], 0, sizeof(k[i]));
		if (l->counters)
			l->counters(sa, &sa->children[i], &k[i]);
	}
	o = ctl_json_ike_sa(sa, k);
	s = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(o);
	if (!s) {
		st->err = -ENOMEM;
		return;
	}
	if (l->lines) {
		put_str(st, "{\"id\":");
		put_str(st, l->id_text);
		put_str(st, ",\"ike_sa\":");
		put_str(st, s);
		put_str(st, "}\n");
	} else {
		if (l->count)
			put_str(st, ",");
		put_str(st, s);
	}
	free(s);
	l->below = sa->id;
	l->count++;
	st->n++;
}

int
ctl_list_init(struct ctl_list *l, json_t *id, const char *conn,
	      unsigned only_id, bool lines)
{
	memset(l, 0, sizeof(*l));
	l->id_text =
	    json_dumps(id ? id : json_null(), JSON_ENCODE_ANY | JSON_COMPACT);
	if (!l->id_text)
		return -ENOMEM;
	if (conn && !(l->conn = strdup(conn))) {
		ctl_list_free(l);
		return -ENOMEM;
	}
	l->only_id = only_id;
	/* Ids only grow: the one SA wanted is the first below its id + 1. */
	l->below = only_id ? only_id + 1 : 0;
	l->lines = lines;
	return 0;
}

void
ctl_list_free(struct ctl_list *l)
{
	free(l->id_text);
	free(l->conn);
	l->id_text = l->conn = NULL;
}

int
ctl_list_step(struct ctl_list *l, const struct ike_engine *e,
	      int (*emit)(void *ctx, const char *s, size_t len), void *ctx)
{
	struct step st = {.l = l, .emit = emit, .ctx = ctx};
	char tail[128];
	size_t got;

	if (l->done)
		return 0;
	if (!l->started) {
		l->started = true;
		if (!l->lines) {
			put_str(&st, "{\"id\":");
			put_str(&st, l->id_text);
			put_str(&st, ",\"ok\":true,\"result\":{\"ike_sas\":[");
		}
	}
	got = ike_list_sas_below(e, l->conn, l->below,
				 l->only_id ? 1 : CTL_LIST_STEP_SAS, item, &st);
	if (st.err)
		return st.err;
	/* A short page is the end of the list; so is the one SA asked for. */
	if (st.full || (got == CTL_LIST_STEP_SAS && !l->only_id))
		return 1;
	if (l->lines) {
		snprintf(tail, sizeof(tail),
			 ",\"ok\":true,\"result\":{\"count\":%zu}}\n",
			 l->count);
		put_str(&st, "{\"id\":");
		put_str(&st, l->id_text);
		put_str(&st, tail);
	} else {
		put_str(&st, "]}}\n");
	}
	if (st.err)
		return st.err;
	l->done = true;
	return 0;
}
