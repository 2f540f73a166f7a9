/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer target for the IKEv1 message codec: the ISAKMP header, the
 * payload chain and every payload decoder. A message with the E flag is
 * framed as if its body were already decrypted (the decryption is not the
 * codec's), so the plaintext chain and its padding get the same scrutiny.
 * Every SA that decodes is encoded again and must decode to the same
 * counts: the encoder mirrors the decoder. Its transforms are then read
 * as proposals (prop_v1.c, both phases), chosen among against a fixed
 * config, answered (the echo must decode), and the usable ones encoded
 * by prop_v1_encode() must decode to equal proposals.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "msg_v1.h"
#include "prop_v1.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t out[IKEV2_MAX_MSG_LEN];
static struct pld_v1_sa sa, again;
static struct prop_v1_list list, list2;
static struct prop_v1_sa enc;
static struct proposal ours_ike[2], ours_esp[2], usable[IKEV1_MAX_TRANSFORMS];
static bool parsed;

static void
parse_ours(void)
{
	char err[64];

	if (parsed)
		return;
	if (prop_parse("aes256-aes128-sha1-sha256-modp2048-ecp256",
		       IKEV2_PROTO_IKE, &ours_ike[0], err, sizeof(err)) < 0 ||
	    prop_parse("3des-md5-modp1024", IKEV2_PROTO_IKE, &ours_ike[1], err,
		       sizeof(err)) < 0 ||
	    prop_parse("aes128-sha1-sha256_96-modp2048", IKEV2_PROTO_ESP,
		       &ours_esp[0], err, sizeof(err)) < 0 ||
	    prop_parse("aes128gcm16-esn-noesn", IKEV2_PROTO_ESP, &ours_esp[1],
		       err, sizeof(err)) < 0)
		abort();
	parsed = true;
}

/* Build a message around one SA payload into out; its decoded SA, or
 * abort(). */
static void
sa_through(const struct ike_hdr *hdr, const struct pld_v1_sa *in,
	   struct pld_v1_sa *back)
{
	struct ike_hdr h = *hdr;
	struct msg_builder b;
	struct msg_v1 m2;
	struct ike_err e;
	size_t len;

	h.flags = 0;
	msg_build_init(&b, out, sizeof(out), &h);
	pld_v1_sa_put(&b, in);
	len = msg_build_finish(&b);
	if (len == 0 || msg_v1_frame(out, len, &m2, &e) < 0 ||
	    pld_v1_sa_get(&m2.pl[0], back, &e) < 0)
		abort();
}

static void
proposals(const struct ike_hdr *hdr, bool p1)
{
	static const uint16_t auth[] = {IKEV1_AUTH_PRE_SHARED_KEY};
	const struct prop_v1_p1_cfg c1 = {auth, 1, 28800, 0};
	const struct prop_v1_p2_cfg c2 = {IKEV1_ENCAP_TRANSPORT, false, 3600,
					  100000, NULL};
	static const uint8_t spi[4] = {1, 2, 3, 4};
	struct prop_v1_choice c;
	char reason[512], err[64];
	uint16_t notify;
	size_t i, n = 0;
	int rc;

	rc = p1 ? prop_v1_p1_decode(&sa, &list, &notify, err, sizeof(err))
		: prop_v1_p2_decode(&sa, &list, &notify, err, sizeof(err));
	if (rc < 0)
		return;
	rc = p1 ? prop_v1_p1_select(ours_ike, 2, &c1, &list, &c, reason,
				    sizeof(reason))
		: prop_v1_p2_select(ours_esp, 2, &c2, &list, &c, reason,
				    sizeof(reason));
	if (rc == 0) {
		if (prop_v1_sa_echo(&sa, &list, &c, p1 ? NULL : spi, &enc) < 0)
			abort();
		sa_through(hdr, &enc.sa, &again);
		if (again.n_prop != 1 || again.n_xf != 1)
			abort();
	}
	for (i = 0; i < list.n; i++)
		if (list.why[i][0] == '\0')
			usable[n++] = list.p[i];
	if (n == 0)
		return;
	if (prop_v1_encode(usable, n, &enc) < 0)
		abort();
	sa_through(hdr, &enc.sa, &again);
	rc = p1 ? prop_v1_p1_decode(&again, &list2, &notify, err, sizeof(err))
		: prop_v1_p2_decode(&again, &list2, &notify, err, sizeof(err));
	if (rc < 0 || list2.n != n)
		abort();
	for (i = 0; i < n; i++)
		if (list2.why[i][0] != '\0' ||
		    !prop_equal(&list2.p[i], &usable[i]))
			abort();
}

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
		proposals(&m->hdr, true);
		proposals(&m->hdr, false);
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
	parse_ours();
	msg_v1_decode_all(&m, &e);
	sa_roundtrip(&m);
	return 0;
}
