/* SPDX-License-Identifier: ISC */
/*
 * IKE fragmentation in the exchanges (RFC 7383). Both ends say in
 * IKE_SA_INIT that they can (IKEV2_FRAGMENTATION_SUPPORTED); afterwards a
 * message of ours that would make an IP datagram larger than the
 * engine's fragment size goes out as Encrypted Fragment messages (frag.c
 * splits), which are cached and retransmitted together as one message.
 * Fragments of the peer's are collected per SA, each authenticated on its
 * own, within bounds: IKE_MAX_FRAGMENTS fragments, IKEV2_MAX_MSG_LEN bytes
 * in all, and IKE_FRAG_REASM_MS from the first to the last.
 *
 * A fragmented message is kept as one buffer of datagrams, each after its
 * length in two bytes (network order), flagged `framed` where it is kept.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "ike_int.h"

#define IKE_FRAG_REASM_MS (30 * 1000)
/* The exchange type's octet in the IKE header (RFC 7296 3.1): after the
 * two SPIs, Next Payload and Version. */
#define IKEV2_HDR_EXCHANGE_AT 18

void
ike_engine_set_fragment_size(struct ike_engine *e, unsigned size)
{
	e->frag_size = size;
}

/* The largest IKE message one fragment may be: the IP datagram less its
 * IP and UDP headers and the non-ESP marker of port 4500. */
static size_t
frag_max_msg(const struct ike_engine *e, const struct ike_sa *sa)
{
	size_t ip = sa->remote.ss.ss_family == AF_INET6 ? 40 : 20;

	return e->frag_size > ip + 8 + 4 + 64 ? e->frag_size - ip - 8 - 4 : 64;
}

struct framing {
	uint8_t *buf;
	size_t len, cap;
};

static int
append(void *ctx, const uint8_t *msg, size_t len)
{
	struct framing *f = ctx;

	if (len > 0xffff || f->len + 2 + len > f->cap)
		return -1;
	f->buf[f->len] = (uint8_t)(len >> 8);
	f->buf[f->len + 1] = (uint8_t)len;
	memcpy(f->buf + f->len + 2, msg, len);
	f->len += 2 + len;
	return 0;
}

int
v2_frag_out(struct ike_engine *e, const struct ike_sa *sa, const uint8_t *msg,
	    size_t len, uint8_t **framed, size_t *framed_len)
{
	struct framing f = {NULL, 0, 0};
	struct ike_err err = {0};
	struct msg *m = NULL;
	struct sk_keys k;
	uint8_t *plain = NULL;
	size_t inner = 0;
	int rc = -1, n;

	*framed = NULL;
	if (sa->version != 2 || !e->frag_size || !sa->v2.frag_peer ||
	    len + 28 <= e->frag_size || len < IKEV2_HDR_LEN ||
	    msg[IKEV2_HDR_EXCHANGE_AT] == IKEV2_EXCH_IKE_SA_INIT)
		return 0;
	/* Our own message, opened again under our outbound keys: the
	 * inner chain is what frag_split divides. */
	sa_keys_for(e, sa, true, &k);
	m = malloc(sizeof(*m));
	plain = malloc(len);
	f.cap = len + IKE_MAX_FRAGMENTS * 256;
	f.buf = malloc(f.cap);
	if (!m || !plain || !f.buf || msg_frame(msg, len, m, &err) < 0 ||
	    sk_open_inner(m, &k, plain, len, &inner, &err) < 0)
		goto out;
	n = frag_split(&m->hdr, &k, m->sk_np, plain, inner, frag_max_msg(e, sa),
		       append, &f);
	if (n <= 0)
		goto out;
	ike_log(e, sa, IKE_LOG_DEBUG,
		"message %u of %zu bytes sent in %d fragments", m->hdr.msgid,
		len, n);
	*framed = f.buf;
	*framed_len = f.len;
	f.buf = NULL;
	rc = 1;
out:
	if (plain) {
		OPENSSL_cleanse(plain, len);
		free(plain);
	}
	free(f.buf);
	free(m);
	if (rc < 0)
		ike_log(e, sa, IKE_LOG_WARN,
			"could not fragment a message of %zu bytes: %s", len,
			err.msg[0] ? err.msg : "too many fragments");
	return rc;
}

void
v2_frag_send(struct ike_engine *e, const struct ike_endpoint *local,
	     const struct ike_endpoint *remote, const uint8_t *buf, size_t len)
{
	size_t off = 0;

	while (off + 2 <= len) {
		size_t n = (size_t)buf[off] << 8 | buf[off + 1];

		if (off + 2 + n > len)
			break;
		e->env.send(e->env.ctx, local, remote, buf + off + 2, n);
		off += 2 + n;
	}
}

void
v2_frag_reasm_free(struct ike_sa *sa)
{
	if (sa->version != 2 || !sa->v2.reasm)
		return;
	frag_reasm_clear(&sa->v2.reasm->r);
	free(sa->v2.reasm);
	sa->v2.reasm = NULL;
}

int
v2_frag_in(struct ike_engine *e, struct ike_sa *sa, struct msg *m,
	   const struct sk_keys *k, struct ike_err *err)
{
	struct v2_reasm *v = sa->v2.reasm;
	struct pld_skf f;
	int rc;

	if (!e->frag_size) {
		ike_err_set(err, 0, IKEV2_PL_SKF, 0,
			    "a fragment, but fragmentation is off; dropped");
		return -1;
	}
	if (!v) {
		if (!(v = calloc(1, sizeof(*v)))) {
			ike_err_set(err, 0, IKEV2_PL_SKF, 0, "out of memory");
			return -1;
		}
		frag_reasm_init(&v->r);
		sa->v2.reasm = v;
	}
	/* A message whose fragments straggle in for too long is given up:
	 * what it holds goes, and this fragment starts over. */
	if (v->r.active && e->now - v->started > IKE_FRAG_REASM_MS) {
		ike_log(e, sa, IKE_LOG_INFO,
			"fragments of message %u incomplete after %u s; "
			"dropped",
			v->r.msgid, IKE_FRAG_REASM_MS / 1000);
		frag_reasm_clear(&v->r);
	}
	if (!v->r.active) {
		v->started = e->now;
		v->first_hashed = false;
	}
	if ((rc = frag_reasm_add(&v->r, m, k, err)) < 0)
		return -1;
	if (v->r.len > IKEV2_MAX_MSG_LEN) {
		ike_err_set(err, 0, IKEV2_PL_SKF, 0,
			    "fragments of message %u add up to more than %u "
			    "bytes; dropped",
			    m->hdr.msgid, IKEV2_MAX_MSG_LEN);
		frag_reasm_clear(&v->r);
		return -1;
	}
	/* The first fragment stands for the whole request in the answer
	 * cache (RFC 7383 2.6.1): its retransmission gets our answer. */
	if (!v->first_hashed && pld_skf_get(&m->pl[m->sk], &f, err) == 0 &&
	    f.num == 1) {
		guard_request_hash(e, m->raw, v->first);
		v->first_hashed = true;
	}
	if (rc == 0)
		return 0;
	rc = frag_reasm_finish(&v->r, m, e->plain, IKEV2_MAX_MSG_LEN, err);
	frag_reasm_clear(&v->r);
	return rc < 0 ? -1 : 1;
}
