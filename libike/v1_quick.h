/* SPDX-License-Identifier: ISC */
/*
 * IKEv1 Quick Mode inside libike: what v1_quick.c (both roles: the
 * exchanges in flight, payloads, HASHes, the install), v1_quick_init.c
 * (the initiator) and v1_quick_resp.c (the responder) share.
 */
#ifndef LIBIKE_V1_QUICK_H
#define LIBIKE_V1_QUICK_H

#include "ike_int.h"
#include "prop_v1.h"

/* Quick Mode exchanges in flight on one ISAKMP SA: more is a peer
 * flooding us. */
#define V1_QM_MAX 8

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* The exchanges in flight (struct v1_qm, ike_int.h). */
void qm_free(struct v1_qm *q);
struct v1_qm *qm_find(const struct ike_sa *sa, uint32_t mid);
void qm_remove(struct ike_sa *sa, struct v1_qm *q);

/* The child of sa with this id; the pair c renews (on sa, or on the
 * ISAKMP SA sa replaces); a child that did not come up (its SPI
 * released, FAILED reported, a rekey of it tried again). */
struct child_sa *qm_child(const struct ike_sa *sa, unsigned id);
struct child_sa *qm_replaced(struct ike_engine *e, struct ike_sa *sa,
			     const struct child_sa *c);
void qm_child_failed(struct ike_engine *e, struct ike_sa *sa, unsigned id,
		     const char *reason);

/* What a child offers and accepts besides algorithms; the PFS group of
 * proposals; a message ID not in use on sa. */
void qm_p2_cfg(const struct ike_sa *sa, const struct ike_child_cfg *cc,
	       struct prop_v1_p2_cfg *cfg, const uint8_t *spi);
uint16_t qm_pfs_group(const struct proposal *p, size_t n);
int qm_new_mid(struct ike_engine *e, const struct ike_sa *sa, uint32_t *mid);

/* Messages: a HASH payload filled in afterwards (the offset of its
 * data), what HASH(1)/(2) cover in a framed message, decryption with the
 * exchange's IV and the HASH first. */
size_t qm_hash_placeholder(struct ike_sa *sa, struct msg_builder *b);
struct bytes qm_after_hash(const struct msg_v1 *m);
int qm_open_hashed(struct ike_engine *e, struct ike_sa *sa, struct msg_v1 *m,
		   struct v1_iv *iv, struct pld_v1_data *hash);

/* Payloads: the ID pair, KE (*rc -1 on failure), the peer's KE with
 * g^xy into q, its nonce, its IDs (1: none, 0: read, -1: bad), and the
 * ISAKMP SA's own address as a selector. */
int qm_put_ids(struct ike_engine *e, struct ike_sa *sa, struct msg_builder *b,
	       const struct ts *ti, const struct ts *tr);
void qm_put_ke(struct msg_builder *b, struct dh *dh, uint16_t group, int *rc);
int qm_take_ke(struct ike_engine *e, struct ike_sa *sa, const struct msg_v1 *m,
	       struct v1_qm *q, uint16_t group);
struct secret *qm_take_nonce(const struct msg_v1 *m);
int qm_take_ids(const struct msg_v1 *m, struct ts *ti, struct ts *tr);
void qm_host_ts(const struct ike_endpoint *ep, struct ts *t);
bool qm_same_ts(const struct ts *a, const struct ts *b);

/* KEYMAT for both directions and the install; a rekey's old pair
 * retired. */
int qm_install(struct ike_engine *e, struct ike_sa *sa, struct v1_qm *q,
	       struct child_sa *c, const struct proposal *chosen,
	       uint32_t life_s);

/* v1_quick_init.c: message 2 of our exchange q. */
void qm_complete(struct ike_engine *e, struct ike_sa *sa, struct v1_qm *q,
		 struct msg_v1 *m);

/* v1_quick_resp.c: a message 1 of the peer's; message 3 of exchange q. */
void qm_respond(struct ike_engine *e, struct ike_sa *sa, uint64_t now,
		struct msg_v1 *m);
void qm_finish(struct ike_engine *e, struct ike_sa *sa, struct v1_qm *q,
	       struct msg_v1 *m);

#endif
