/* SPDX-License-Identifier: ISC */
/*
 * Key exchanges computed off the engine's thread. A responder's IKE_SA_INIT
 * costs two public-key operations (our key pair, then g^ir), most of its
 * CPU; the host may run them on worker threads while the engine, single
 * threaded and deterministic, goes on with other SAs. A job carries copies
 * of what it needs, so that ike_job_run() shares nothing with the engine;
 * the answer waits in the SA (phase V2_INIT_KE) until the job comes back.
 */
#include <stdlib.h>
#include <string.h>

#include "ike_int.h"

struct ike_job *
job_new(uint16_t group, struct bytes peer)
{
	size_t pub_len = dh_public_len(group);
	struct ike_job *j;

	if (!pub_len || peer.len > IKEV2_MAX_MSG_LEN)
		return NULL;
	j = calloc(1, sizeof(*j) + peer.len + pub_len);
	if (!j)
		return NULL;
	j->group = group;
	j->peer_len = peer.len;
	j->pub_len = pub_len;
	if (peer.len)
		memcpy(j->data, peer.ptr, peer.len);
	return j;
}

void
job_free(struct ike_job *j)
{
	if (!j)
		return;
	secret_free(j->shared);
	free(j);
}

void
ike_job_run(struct ike_job *j)
{
	struct dh *dh = dh_new(j->group);

	j->rc = JOB_KEYGEN;
	if (dh && dh_public(dh, j->data + j->peer_len, j->pub_len) == 0)
		j->rc = dh_shared(dh, j->data, j->peer_len, &j->shared) == 0
			    ? 0
			    : JOB_PEER;
	dh_free(dh);
	j->ran = true;
}

void
ike_engine_job_done(struct ike_engine *e, uint64_t now, struct ike_job *j)
{
	struct ike_sa *sa = sa_by_id(e, j->sa_id);

	e->now = now;
	/* The id alone could name a later SA once ids wrap: the SPIs too. */
	if (sa && sa->version == 2 && sa->state == IKE_SA_CONNECTING &&
	    sa->v2.phase == V2_INIT_KE &&
	    memcmp(sa->spi_i, j->spi_i, IKEV2_SPI_LEN) == 0 &&
	    memcmp(sa->spi_r, j->spi_r, IKEV2_SPI_LEN) == 0)
		v2_init_ke_done(e, sa, j);
	job_free(j);
}
