/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer target for the IKEv1 message codec: the ISAKMP header, the
 * payload chain and every payload decoder. A message with the E flag is
 * framed as if its body were already decrypted (the decryption is not the
 * codec's), so the plaintext chain and its padding get the same scrutiny.
 * Every SA that decodes is encoded again and must decode to the same
 * counts: the encoder mirrors the decoder.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "msg_v1.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t out[IKEV2_MAX_MSG_LEN];
static struct pld_v1_sa sa, again;

/* Re-encode every SA of m and decode the result. */
static void
sa_roundtrip(const struct msg_v1 *m)
{
	unsigned i;

	for (i = 0; i < m->n; i++) {
		struct ike_hdr h = m->hdr;
		struct msg_builder b;
		struct msg_v1 m2;
		struct ike_err e;
		size_t len;

		if (m->pl[i].type != IKEV1_PL_SA ||
		    pld_v1_sa_get(&m->pl[i], &sa, &e) < 0)
			continue;
		h.flags = 0; /* in the clear */
		msg_build_init(&b, out, sizeof(out), &h);
		pld_v1_sa_put(&b, &sa);
		len = msg_build_finish(&b);
		if (len == 0 || msg_v1_frame(out, len, &m2, &e) < 0 ||
		    pld_v1_sa_get(&m2.pl[0], &again, &e) < 0 ||
		    again.n_prop != sa.n_prop || again.n_xf != sa.n_xf ||
		    again.n_attr != sa.n_attr)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct msg_v1 m;
	struct ike_err e;

	if (msg_v1_frame(data, size, &m, &e) < 0)
		return 0;
	if (m.encrypted && msg_v1_frame_plain(&m, m.cipher.ptr, m.cipher.len,
					      IKEV1_HDR_LEN, &e) < 0)
		return 0;
	msg_v1_decode_all(&m, &e);
	sa_roundtrip(&m);
	return 0;
}
