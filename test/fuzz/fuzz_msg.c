/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer target for the IKEv2 message decoder: framing, every payload
 * decoder, and the SK envelope under fixed keys (AEAD and CBC+HMAC). Since
 * random bytes never pass an ICV, the SK body is also framed as if it were
 * already decrypted, so the inner chain gets the same scrutiny.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t plain[IKEV2_MAX_MSG_LEN];

static void
try_sk(const struct msg *framed, const struct sk_keys *k)
{
	struct msg m = *framed;
	struct ike_err e;

	if (sk_open(&m, k, plain, sizeof(plain), &e) == 0)
		msg_decode_all(&m, &e);
}

static void
try_inner(const struct msg *framed)
{
	struct msg m = *framed;
	const struct pld_ref *r = &m.pl[m.sk];
	struct ike_err e;

	if (r->type != IKEV2_PL_SK)
		return;
	if (msg_frame_inner(&m, m.sk_np, r->body.ptr, r->body.len,
			    r->offset + IKEV2_GEN_HDR_LEN, &e) == 0) {
		rules_v2_check(&m, &e);
		msg_decode_all(&m, &e);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t key[64] = {1};
	static struct secret ekey_gcm = {(uint8_t *)key, 20};
	static struct secret ekey_cbc = {(uint8_t *)key, 32};
	static struct secret akey = {(uint8_t *)key, 32};
	struct sk_keys gcm = {0}, cbc = {0};
	struct msg m;
	struct ike_err e;

	if (msg_frame(data, size, &m, &e) < 0)
		return 0;
	rules_v2_check(&m, &e);
	msg_decode_all(&m, &e);
	if (m.sk < 0)
		return 0;
	try_inner(&m);
	gcm.encr = crypto_encr(IKEV2_ENCR_AES_GCM_16, 128);
	gcm.ekey = &ekey_gcm;
	cbc.encr = crypto_encr(IKEV2_ENCR_AES_CBC, 256);
	cbc.integ = crypto_integ(IKEV2_INTEG_HMAC_SHA2_256_128);
	cbc.ekey = &ekey_cbc;
	cbc.akey = &akey;
	try_sk(&m, &gcm);
	try_sk(&m, &cbc);
	return 0;
}
