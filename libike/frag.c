/* SPDX-License-Identifier: ISC */
/*
 * IKEv2 message fragmentation (RFC 7383): splitting an inner payload chain
 * into Encrypted Fragment payloads that each fit a datagram, and putting
 * received fragments back together. Each fragment is authenticated on its
 * own (section 2.6), so a forged fragment cannot displace a real one.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "msg.h"

/* The bytes an SKF message adds around its share of the inner chain. */
static size_t
skf_overhead(const struct sk_keys *k)
{
	size_t icv = k->encr->aead ? k->encr->icv_len : k->integ->icv_len;

	return IKEV2_HDR_LEN + IKEV2_GEN_HDR_LEN + 4 + k->encr->iv_len + icv +
	       k->encr->block_len; /* padding and Pad Length, at most */
}

int
frag_split(const struct ike_hdr *h, const struct sk_keys *k, uint8_t np,
	   const uint8_t *inner, size_t len, size_t max_msg,
	   int (*emit)(void *ctx, const uint8_t *msg, size_t len), void *ctx)
{
	size_t over, chunk, total, i;
	uint8_t *out;
	int rc = -1;

	if (!k->encr || (!k->encr->aead && !k->integ))
		return -1;
	over = skf_overhead(k);
	if (max_msg > IKEV2_MAX_MSG_LEN)
		max_msg = IKEV2_MAX_MSG_LEN;
	if (max_msg <= over + 1)
		return -1;
	/* Whole cipher blocks per fragment keep the padding to one byte. */
	chunk = max_msg - over;
	chunk -= chunk % k->encr->block_len;
	if (chunk == 0)
		return -1;
	total = len ? (len + chunk - 1) / chunk : 1;
	if (total > IKE_MAX_FRAGMENTS || !(out = malloc(max_msg)))
		return -1;
	for (i = 0; i < total; i++) {
		struct msg_builder b;
		size_t n = len - i * chunk < chunk ? len - i * chunk : chunk;
		size_t mlen;

		msg_build_init(&b, out, max_msg, h);
		if (skf_begin(&b, k, (uint16_t)(i + 1), (uint16_t)total) < 0)
			goto out;
		/* Only the first fragment names the first inner payload. */
		if (i == 0)
			wbuf_patch_u8(&b.w, b.np_at, np);
		wbuf_put(&b.w, inner + i * chunk, n);
		mlen = sk_end(&b, k);
		if (!mlen || emit(ctx, out, mlen) < 0)
			goto out;
	}
	rc = (int)total;
out:
	free(out);
	return rc;
}

void
frag_reasm_init(struct frag_reasm *r)
{
	memset(r, 0, sizeof(*r));
}

void
frag_reasm_clear(struct frag_reasm *r)
{
	unsigned i;

	for (i = 0; i < IKE_MAX_FRAGMENTS; i++)
		secret_free(r->part[i]);
	frag_reasm_init(r);
}

int
frag_reasm_add(struct frag_reasm *r, const struct msg *m,
	       const struct sk_keys *k, struct ike_err *e)
{
	struct pld_skf f;
	uint8_t *plain;
	size_t len;

	/* Unauthenticated until skf_open: no notify may be answered. */
	if (m->sk < 0 || m->pl[m->sk].type != IKEV2_PL_SKF) {
		ike_err_set(e, 0, IKEV2_PL_SKF, 0, "not a fragment");
		return -1;
	}
	if (pld_skf_get(&m->pl[m->sk], &f, e) < 0)
		return -1;
	if (f.total > IKE_MAX_FRAGMENTS) {
		ike_err_set(
		    e, 0, IKEV2_PL_SKF, m->pl[m->sk].offset,
		    "message in %u fragments, we accept at most %d; dropped",
		    f.total, IKE_MAX_FRAGMENTS);
		return -1;
	}
	if (r->active && (m->hdr.msgid != r->msgid || f.total < r->total)) {
		/* 2.6: a fragment of another message, or of an older
		 * fragmentation of this one, is ignored. */
		ike_err_set(e, 0, IKEV2_PL_SKF, m->pl[m->sk].offset,
			    "stale fragment %u/%u of message %u; dropped",
			    f.num, f.total, m->hdr.msgid);
		return -1;
	}
	/* A fragment holds less than a datagram: its own buffer, no
	 * static one shared by every engine in the process. */
	if (!(plain = malloc(m->raw.len))) {
		ike_err_set(e, 0, IKEV2_PL_SKF, 0, "out of memory");
		return -1;
	}
	if (skf_open(m, k, plain, m->raw.len, &len, e) < 0) {
		free(plain);
		return -1;
	}
	/* A larger total means the sender re-fragmented for a smaller
	 * MTU: what we collected so far belongs to the old split. */
	if (r->active && f.total > r->total)
		frag_reasm_clear(r);
	if (!r->active) {
		r->active = true;
		r->msgid = m->hdr.msgid;
		r->total = f.total;
	}
	if (r->part[f.num - 1]) { /* a retransmitted fragment */
		OPENSSL_cleanse(plain, len);
		free(plain);
		return r->have == r->total;
	}
	if (f.num == 1)
		r->np = m->sk_np;
	r->part[f.num - 1] = secret_dup(plain, len);
	OPENSSL_cleanse(plain, len);
	free(plain);
	if (!r->part[f.num - 1]) {
		ike_err_set(e, 0, IKEV2_PL_SKF, 0, "out of memory");
		return -1;
	}
	r->len += len;
	r->have++;
	return r->have == r->total;
}

int
frag_reasm_finish(struct frag_reasm *r, struct msg *m, uint8_t *plain,
		  size_t cap, struct ike_err *e)
{
	size_t off = 0;
	unsigned i;

	if (!r->active || r->have != r->total) {
		ike_err_set(e, 0, IKEV2_PL_SKF, 0, "fragments missing");
		return -1;
	}
	if (r->len > cap) {
		ike_err_set(e, 0, IKEV2_PL_SKF, 0,
			    "reassembled message of %zu bytes too large",
			    r->len);
		return -1;
	}
	for (i = 0; i < r->total; i++) {
		memcpy(plain + off, r->part[i]->ptr, r->part[i]->len);
		off += r->part[i]->len;
	}
	/* The inner payloads have no place in any one datagram; their
	 * offsets count from the start of the reassembled content. */
	return msg_frame_inner(m, r->np, plain, off, 0, e);
}
