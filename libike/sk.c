/* SPDX-License-Identifier: ISC */
/*
 * The Encrypted and Authenticated payload (RFC 7296 3.14) and the Encrypted
 * Fragment payload (RFC 7383 2.5), built in place in the message buffer:
 *
 *   | generic header | [Fragment Number | Total Fragments] | IV |
 *   | encrypted: inner payloads | Padding | Pad Length | ICV |
 *
 * With an AEAD cipher (RFC 5282, RFC 7634) the associated data is
 * everything before the IV: the IKE header, the generic payload header and,
 * for SKF, the fragment fields. With a CBC cipher the ICV is a truncated
 * HMAC over the whole message up to the ICV. Either way the integrity check
 * comes before any decryption, and a failure is a silent drop (2.21.2).
 */
#include <string.h>

#include <openssl/crypto.h>

#include "msg.h"

#define SKF_FIELDS_LEN 4

static size_t
icv_len(const struct sk_keys *k)
{
	return k->encr->aead ? k->encr->icv_len : k->integ->icv_len;
}

static bool
keys_usable(const struct sk_keys *k)
{
	if (!k->encr || !k->ekey || k->ekey->len != k->encr->key_len)
		return false;
	if (k->encr->aead)
		return true;
	return k->integ && k->akey && k->akey->len == k->integ->key_len;
}

static int
sk_open_payload(struct msg_builder *b, const struct sk_keys *k, uint8_t type,
		uint16_t num, uint16_t total)
{
	uint8_t *iv;

	if (!keys_usable(k) || b->sk_at) {
		b->w.err = true;
		return -1;
	}
	msg_pld_begin(b, type, false);
	b->sk_at = b->pld_at;
	if (type == IKEV2_PL_SKF) {
		wbuf_u16(&b->w, num);
		wbuf_u16(&b->w, total);
	}
	b->iv_at = b->w.len;
	iv = wbuf_reserve(&b->w, k->encr->iv_len);
	if (!iv || (k->rand ? k->rand(k->rand_ctx, iv, k->encr->iv_len)
			    : crypto_random(iv, k->encr->iv_len)) < 0) {
		b->w.err = true;
		return -1;
	}
	/* The SK header's next-payload names the first inner payload; np_at
	 * already points at it, so the inner chain links up by itself. */
	return 0;
}

int
sk_begin(struct msg_builder *b, const struct sk_keys *k)
{
	return sk_open_payload(b, k, IKEV2_PL_SK, 0, 0);
}

int
skf_begin(struct msg_builder *b, const struct sk_keys *k, uint16_t num,
	  uint16_t total)
{
	return sk_open_payload(b, k, IKEV2_PL_SKF, num, total);
}

size_t
sk_end(struct msg_builder *b, const struct sk_keys *k)
{
	size_t ct_at, pt_len, pad, icv = icv_len(k), len;
	uint8_t *ct, *tag, *iv;
	struct bytes part;

	if (!b->sk_at || !wbuf_ok(&b->w))
		goto fail;
	ct_at = b->iv_at + k->encr->iv_len;
	/* Pad so that inner payloads, padding and the Pad Length byte fill
	 * whole cipher blocks; the padding content is ours to choose. */
	pt_len = b->w.len - ct_at;
	pad = (k->encr->block_len - (pt_len + 1) % k->encr->block_len) %
	      k->encr->block_len;
	wbuf_zero(&b->w, pad);
	wbuf_u8(&b->w, (uint8_t)pad);
	if (!wbuf_reserve(&b->w, icv))
		goto fail;
	b->pld_at = b->sk_at;
	msg_pld_end(b);
	if (!(len = msg_build_finish(b)))
		goto fail;
	iv = b->w.ptr + b->iv_at;
	ct = b->w.ptr + ct_at;
	pt_len = len - icv - ct_at;
	tag = ct + pt_len;
	if (k->encr->aead) {
		part.ptr = b->w.ptr;
		part.len = b->iv_at;
		if (crypto_aead_seal(k->encr, k->ekey->ptr, iv, part, ct,
				     pt_len, tag) < 0)
			goto fail;
	} else {
		if (crypto_cbc_encrypt(k->encr, k->ekey->ptr, iv, ct, pt_len) <
		    0)
			goto fail;
		part.ptr = b->w.ptr;
		part.len = len - icv;
		if (crypto_integ_compute(k->integ, k->akey->ptr, &part, 1,
					 tag) < 0)
			goto fail;
	}
	b->sk_at = 0;
	return len;
fail:
	b->w.err = true;
	return 0;
}

/* Authenticate and decrypt the SK or SKF payload of m into plain. On success
 * *pt_at is the message offset of the first plaintext byte and *pt_len the
 * length of the inner payloads, padding removed. */
static int
sk_decrypt(const struct msg *m, const struct sk_keys *k, uint8_t *plain,
	   size_t cap, size_t *pt_at, size_t *pt_len, struct ike_err *e)
{
	const struct pld_ref *r;
	struct cur c;
	struct bytes iv, ct, icv, part;
	size_t iv_at, ct_at, ivl, icvl;
	uint8_t pad;

	/* Nothing before the ICV has verified may draw an answer: every
	 * failure up to there leaves e->notify at 0 (RFC 7296 2.21.2). */
	if (m->sk < 0) {
		ike_err_set(e, 0, IKEV2_PL_SK, 0,
			    "message has no encrypted payload");
		return -1;
	}
	if (!keys_usable(k)) {
		ike_err_set(e, 0, IKEV2_PL_SK, 0, "no keys for the SK payload");
		return -1;
	}
	r = &m->pl[m->sk];
	ivl = k->encr->iv_len;
	icvl = icv_len(k);
	cur_init(&c, r->body.ptr, r->body.len, r->offset + IKEV2_GEN_HDR_LEN);
	if (r->type == IKEV2_PL_SKF)
		cur_skip(&c, SKF_FIELDS_LEN);
	iv_at = cur_offset(&c);
	cur_view(&c, ivl, &iv);
	ct_at = cur_offset(&c);
	if (cur_left(&c) < icvl + 1)
		cur_fail(&c);
	cur_view(&c, cur_left(&c) - icvl, &ct);
	cur_view(&c, icvl, &icv);
	/* Unauthenticated: an answer could be spoofed, so the sender learns
	 * nothing (RFC 7296 2.21.2); e->notify stays 0. */
	/* Only CBC needs whole blocks; AEAD modes are stream ciphers and
	 * senders differ in how they pad (strongSwan does not). */
	if (!cur_ok(&c) ||
	    (!k->encr->aead && ct.len % k->encr->block_len != 0)) {
		ike_err_set(
		    e, 0, r->type, r->offset,
		    "%s payload at offset %zu too short or not whole blocks "
		    "for %zu-byte IV and %zu-byte ICV; dropped",
		    pld_type_name(r->type), r->offset, ivl, icvl);
		return -1;
	}
	if (ct.len > cap) {
		ike_err_set(
		    e, 0, r->type, r->offset,
		    "%s payload larger than the decryption buffer; dropped",
		    pld_type_name(r->type));
		return -1;
	}
	memcpy(plain, ct.ptr, ct.len);
	part.ptr = m->raw.ptr;
	if (k->encr->aead) {
		part.len = iv_at;
		if (crypto_aead_open(k->encr, k->ekey->ptr, iv.ptr, part, plain,
				     ct.len, icv.ptr) < 0)
			goto badicv;
	} else {
		part.len = ct_at + ct.len;
		if (crypto_integ_verify(k->integ, k->akey->ptr, &part, 1,
					icv.ptr) < 0)
			goto badicv;
		if (crypto_cbc_decrypt(k->encr, k->ekey->ptr, iv.ptr, plain,
				       ct.len) < 0) {
			ike_err_set(e, 0, r->type, r->offset,
				    "decryption failed");
			return -1;
		}
	}
	/* Authenticated from here on: malformed content may be answered. */
	pad = plain[ct.len - 1];
	if ((size_t)pad + 1 > ct.len) {
		ike_err_set(e, IKEV2_N_INVALID_SYNTAX, r->type,
			    ct_at + ct.len - 1,
			    "pad length %u exceeds the %zu decrypted bytes",
			    pad, ct.len);
		return -1;
	}
	*pt_at = ct_at;
	*pt_len = ct.len - pad - 1;
	return 0;
badicv:
	OPENSSL_cleanse(plain, ct.len);
	ike_err_set(e, 0, r->type, r->offset,
		    "integrity check of the %s payload failed (wrong keys or "
		    "tampered message); dropped",
		    pld_type_name(r->type));
	return -1;
}

int
sk_open(struct msg *m, const struct sk_keys *k, uint8_t *plain, size_t cap,
	struct ike_err *e)
{
	size_t at, len;

	if (m->sk >= 0 && m->pl[m->sk].type != IKEV2_PL_SK) {
		ike_err_set(e, 0, IKEV2_PL_SKF, 0,
			    "a fragment needs reassembly, not sk_open");
		return -1;
	}
	if (sk_decrypt(m, k, plain, cap, &at, &len, e) < 0)
		return -1;
	return msg_frame_inner(m, m->sk_np, plain, len, at, e);
}

int
sk_open_inner(const struct msg *m, const struct sk_keys *k, uint8_t *plain,
	      size_t cap, size_t *plain_len, struct ike_err *e)
{
	size_t at;

	if (m->sk < 0 || m->pl[m->sk].type != IKEV2_PL_SK) {
		ike_err_set(e, 0, IKEV2_PL_SK, 0,
			    "message has no Encrypted payload");
		return -1;
	}
	return sk_decrypt(m, k, plain, cap, &at, plain_len, e);
}

int
skf_open(const struct msg *m, const struct sk_keys *k, uint8_t *plain,
	 size_t cap, size_t *plain_len, struct ike_err *e)
{
	size_t at;

	if (m->sk < 0 || m->pl[m->sk].type != IKEV2_PL_SKF) {
		ike_err_set(e, 0, IKEV2_PL_SKF, 0,
			    "message has no encrypted fragment");
		return -1;
	}
	return sk_decrypt(m, k, plain, cap, &at, plain_len, e);
}
