/* SPDX-License-Identifier: ISC */
/*
 * IKEv1 framing and decoding of hand-built messages: a Main Mode first
 * message and the plaintexts of a Quick Mode and an Informational message
 * written byte by byte from RFC 2408 3, RFC 2407 4.6 and RFC 3947, decoded
 * field by field; then malformed messages, one by one, each refused with
 * the notify RFC 2408 5 asks for, the payload and the offset.
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "msg_v1.h"
#include "testutil.h"

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/* Main Mode, message 1 (RFC 2409 5): SA with two phase 1 transforms,
 * then the RFC 3947 vendor ID. */
static const char mm1_hex[] =
    /* ISAKMP header (RFC 2408 3.1) */
    "0102030405060708" /* initiator cookie */
    "0000000000000000" /* responder cookie: not known yet */
    "01"               /* next payload: SA */
    "10"               /* version 1.0 */
    "02"               /* exchange: Identity Protection (Main Mode) */
    "00"               /* flags: none */
    "00000000"         /* message ID: 0 in phase 1 */
    "0000008c"         /* length: 140 */
    /* SA (3.4) */
    "0d00005c" /* next VID, reserved, length 92 */
    "00000001" /* DOI: IPsec */
    "00000001" /* situation: SIT_IDENTITY_ONLY */
    /* Proposal (3.5) */
    "00000050" /* last, reserved, length 80 */
    "01010002" /* #1, PROTO_ISAKMP, SPI size 0, 2 transforms */
    /* Transform (3.6) */
    "03000028" /* more follow, reserved, length 40 */
    "01010000" /* #1, KEY_IKE, reserved2 */
    "80010007" /* TV encryption: AES-CBC */
    "800e0080" /* TV key length: 128 */
    "80020004" /* TV hash: SHA2-256 */
    "80030001" /* TV authentication: pre-shared key */
    "8004000e" /* TV group: 14 */
    "800b0001" /* TV life type: seconds */
    "000c0004" /* TLV life duration, 4 octets */
    "00007080" /* 28800 */
    "00000020" /* last, reserved, length 32 */
    "02010000" /* #2, KEY_IKE, reserved2 */
    "80010005" /* TV encryption: 3DES-CBC */
    "80020002" /* TV hash: SHA */
    "80030001" /* TV authentication: pre-shared key */
    "80040002" /* TV group: 2 */
    "800b0001" /* TV life type: seconds */
    "800c0e10" /* TV life duration: 3600 */
    /* Vendor ID (3.16) */
    "00000014" /* last, reserved, length 20 */
    "4a131c81070358455c5728f20e95452f" /* RFC 3947 */;

START_TEST(main_mode_1_decoded)
{
	static const uint8_t rfc3947[16] = {0x4a, 0x13, 0x1c, 0x81, 0x07, 0x03,
					    0x58, 0x45, 0x5c, 0x57, 0x28, 0xf2,
					    0x0e, 0x95, 0x45, 0x2f};
	struct msg_v1 m;
	struct ike_err e = {0};
	struct pld_v1_sa sa;
	struct pld_v1_data vid;
	const struct v1_attr *a;
	uint32_t v;
	size_t len;
	uint8_t *p = hex_decode(mm1_hex, &len);

	ck_assert_uint_eq(len, 140);
	ck_assert_msg(msg_v1_frame(p, len, &m, &e) == 0, "%s", e.msg);
	ck_assert_uint_eq(m.hdr.spi_i[0], 1);
	ck_assert_uint_eq(m.hdr.spi_i[7], 8);
	ck_assert_uint_eq(m.hdr.spi_r[7], 0);
	ck_assert_uint_eq(m.hdr.major, 1);
	ck_assert_uint_eq(m.hdr.minor, 0);
	ck_assert_uint_eq(m.hdr.exchange, IKEV1_EXCH_IDENT_PROT);
	ck_assert_uint_eq(m.hdr.flags, 0);
	ck_assert_uint_eq(m.hdr.msgid, 0);
	ck_assert_uint_eq(m.hdr.length, 140);
	ck_assert(!m.encrypted);
	ck_assert_uint_eq(m.n, 2);
	ck_assert_uint_eq(m.pl[0].type, IKEV1_PL_SA);
	ck_assert_uint_eq(m.pl[0].offset, 28);
	ck_assert_uint_eq(m.pl[0].body.len, 88);
	ck_assert_uint_eq(m.pl[1].type, IKEV1_PL_VID);
	ck_assert_uint_eq(m.pl[1].offset, 120);
	ck_assert_msg(msg_v1_decode_all(&m, &e) == 0, "%s", e.msg);

	ck_assert_int_eq(pld_v1_sa_get(&m.pl[0], &sa, &e), 0);
	ck_assert_uint_eq(sa.doi, IKEV1_DOI_IPSEC);
	ck_assert_uint_eq(sa.situation, IKEV1_SIT_IDENTITY_ONLY);
	ck_assert_uint_eq(sa.n_prop, 1);
	ck_assert_uint_eq(sa.n_xf, 2);
	ck_assert_uint_eq(sa.n_attr, 13);
	ck_assert_uint_eq(sa.prop[0].num, 1);
	ck_assert_uint_eq(sa.prop[0].proto, IKEV1_PROTO_ISAKMP);
	ck_assert_uint_eq(sa.prop[0].spi_size, 0);
	ck_assert_uint_eq(sa.prop[0].spi.len, 0);
	ck_assert_uint_eq(sa.prop[0].n_xf, 2);
	ck_assert_uint_eq(sa.prop[0].xf0, 0);
	ck_assert_uint_eq(sa.xf[0].num, 1);
	ck_assert_uint_eq(sa.xf[0].id, IKEV1_KEY_IKE);
	ck_assert_uint_eq(sa.xf[0].attr0, 0);
	ck_assert_uint_eq(sa.xf[0].n_attr, 7);
	ck_assert_uint_eq(sa.xf[1].num, 2);
	ck_assert_uint_eq(sa.xf[1].attr0, 7);
	ck_assert_uint_eq(sa.xf[1].n_attr, 6);
	a = &sa.attr[0];
	ck_assert(a->tv);
	ck_assert_uint_eq(a->type, IKEV1_OAKLEY_ENCRYPTION_ALGORITHM);
	ck_assert_uint_eq(a->val, 7);
	ck_assert_uint_eq(sa.attr[1].type, IKEV1_OAKLEY_KEY_LENGTH);
	ck_assert_uint_eq(sa.attr[1].val, 128);
	ck_assert_uint_eq(sa.attr[4].type, IKEV1_OAKLEY_GROUP_DESCRIPTION);
	ck_assert_uint_eq(sa.attr[4].val, 14);
	a = &sa.attr[6];
	ck_assert(!a->tv);
	ck_assert_uint_eq(a->type, IKEV1_OAKLEY_LIFE_DURATION);
	ck_assert_uint_eq(a->value.len, 4);
	ck_assert_ptr_eq(a->value.ptr, p + 84); /* a view, not a copy */
	ck_assert_int_eq(pld_v1_attr_u32(a, &v), 0);
	ck_assert_uint_eq(v, 28800);
	a = &sa.attr[12];
	ck_assert(a->tv);
	ck_assert_uint_eq(a->type, IKEV1_OAKLEY_LIFE_DURATION);
	ck_assert_int_eq(pld_v1_attr_u32(a, &v), 0);
	ck_assert_uint_eq(v, 3600);

	ck_assert_int_eq(pld_v1_vid_get(&m.pl[1], &vid, &e), 0);
	ck_assert_uint_eq(vid.data.len, 16);
	ck_assert_mem_eq(vid.data.ptr, rfc3947, 16);
	free(p);
}
END_TEST

/* Decode every payload of m and encode it again after m's header; the
 * length of the result. The encoders mirror the decoders, so the result
 * is the received chain byte for byte. */
static size_t
reencode(const struct msg_v1 *m, uint8_t *out, size_t cap)
{
	static struct pld_v1_sa sa;
	struct pld_v1_data d;
	struct pld_v1_id id;
	struct pld_v1_notify n;
	struct pld_v1_delete del;
	struct pld_v1_natoa oa;
	struct msg_builder b;
	struct ike_err e;
	unsigned i;

	msg_build_init(&b, out, cap, &m->hdr);
	for (i = 0; i < m->n; i++) {
		const struct pld_ref *r = &m->pl[i];

		switch (r->type) {
		case IKEV1_PL_SA:
			ck_assert_int_eq(pld_v1_sa_get(r, &sa, &e), 0);
			pld_v1_sa_put(&b, &sa);
			break;
		case IKEV1_PL_VID:
			ck_assert_int_eq(pld_v1_vid_get(r, &d, &e), 0);
			pld_v1_vid_put(&b, &d);
			break;
		case IKEV1_PL_HASH:
			ck_assert_int_eq(pld_v1_hash_get(r, &d, &e), 0);
			pld_v1_hash_put(&b, &d);
			break;
		case IKEV1_PL_NONCE:
			ck_assert_int_eq(pld_v1_nonce_get(r, &d, &e), 0);
			pld_v1_nonce_put(&b, &d);
			break;
		case IKEV1_PL_ID:
			ck_assert_int_eq(pld_v1_id_get(r, &id, &e), 0);
			pld_v1_id_put(&b, &id);
			break;
		case IKEV1_PL_N:
			ck_assert_int_eq(pld_v1_notify_get(r, &n, &e), 0);
			pld_v1_notify_put(&b, &n);
			break;
		case IKEV1_PL_D:
			ck_assert_int_eq(pld_v1_delete_get(r, &del, &e), 0);
			pld_v1_delete_put(&b, &del);
			break;
		case IKEV1_PL_NAT_OA:
			ck_assert_int_eq(pld_v1_natoa_get(r, &oa, &e), 0);
			pld_v1_natoa_put(&b, r->type, &oa);
			break;
		default:
			ck_abort_msg("payload type %u not expected", r->type);
		}
	}
	return msg_build_finish(&b);
}

START_TEST(main_mode_1_reencoded)
{
	static uint8_t out[256];
	struct msg_v1 m;
	struct ike_err e = {0};
	size_t len;
	uint8_t *p = hex_decode(mm1_hex, &len);

	ck_assert_int_eq(msg_v1_frame(p, len, &m, &e), 0);
	ck_assert_uint_eq(reencode(&m, out, sizeof(out)), len);
	ck_assert_mem_eq(out, p, len);
	free(p);
}
END_TEST

/* Quick Mode, message 1 (RFC 2409 5.5), as it is after decryption: the
 * chain, then padding. */
static const char qm1_plain_hex[] =
    /* HASH(1) (3.11) */
    "01000018"                                 /* next SA, length 24 */
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" /* 20 octets */
    /* SA (3.4) */
    "0a000038" /* next NONCE, length 56 */
    "00000001" /* DOI: IPsec */
    "00000001" /* situation: SIT_IDENTITY_ONLY */
    "0000002c" /* proposal, last, length 44 */
    "01030401" /* #1, PROTO_IPSEC_ESP, SPI size 4, 1 transform */
    "c0ffee01" /* SPI */
    "00000020" /* transform, last, length 32 */
    "010c0000" /* #1, ESP_AES, reserved2 */
    "80010001" /* TV SA life type: seconds */
    "00020004" /* TLV SA life duration, 4 octets */
    "00000e10" /* 3600 */
    "80040001" /* TV encapsulation mode: tunnel */
    "80050002" /* TV authentication algorithm: HMAC-SHA */
    "80060080" /* TV key length: 128 */
    /* NONCE (3.13) */
    "0500000c"         /* next ID, length 12 */
    "0011223344556677" /* 8 octets, RFC 2409's minimum */
    /* IDci (3.8, RFC 2407 4.6.2) */
    "05000010" /* next ID, length 16 */
    "04000000" /* ID_IPV4_ADDR_SUBNET, any protocol, any port */
    "0a010000" /* 10.1.0.0 */
    "ffffff00" /* 255.255.255.0 */
    /* IDcr */
    "1500000c" /* next NAT-OA, length 12 */
    "011101f4" /* ID_IPV4_ADDR, UDP, port 500 */
    "c0a80001" /* 192.168.0.1 */
    /* NAT-OA (RFC 3947 5.1) */
    "0000000c" /* last, length 12 */
    "01000000" /* ID_IPV4_ADDR, reserved */
    "c0a80102" /* 192.168.1.2 */
    /* padding, ignored (RFC 2409 5.3 note) */
    "00000000000007";

/* An Informational message's plaintext (RFC 2409 5.7): HASH, an RFC 3706
 * R-U-THERE and a Delete of an ESP SA. */
static const char info_plain_hex[] =
    "0b000018"                                 /* HASH, next N */
    "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb" /* 20 octets */
    "0c000020"                                 /* N, next D, length 32 */
    "00000001"                                 /* DOI: IPsec */
    "01108d28"                                 /* ISAKMP, SPI size 16, 36136 */
    "01020304050607081112131415161718"         /* the cookies */
    "00000001"                                 /* sequence number */
    "00000010"                                 /* D, last, length 16 */
    "00000001"                                 /* DOI: IPsec */
    "03040001"                                 /* ESP, SPI size 4, 1 SPI */
    "c0ffee01";

/* An encrypted message: header with E set, then "ciphertext" (here the
 * test's plaintext: the decryption is not the codec's job). */
static uint8_t *
encrypted_msg(const char *plain_hex, uint8_t np, uint8_t exchange, size_t *len)
{
	size_t plen, n;
	uint8_t *plain = hex_decode(plain_hex, &plen);
	uint8_t *p;
	struct ike_hdr h;
	struct msg_builder b;
	static const uint8_t ck[8] = {1, 2, 3, 4, 5, 6, 7, 8};

	p = malloc(IKEV1_HDR_LEN + plen);
	ck_assert_ptr_nonnull(p);
	msg_v1_hdr_init(&h, ck, ck, exchange, IKEV1_FLAG_ENCRYPTION,
			0xdeadbeef);
	msg_build_init(&b, p, IKEV1_HDR_LEN + plen, &h);
	p[16] = np;
	wbuf_put(&b.w, plain, plen);
	n = msg_build_finish(&b);
	ck_assert_uint_eq(n, IKEV1_HDR_LEN + plen);
	*len = n;
	free(plain);
	return p;
}

START_TEST(quick_mode_1_decoded)
{
	struct msg_v1 m;
	struct ike_err e = {0};
	struct pld_v1_sa sa;
	struct pld_v1_data hash, nonce;
	struct pld_v1_id id;
	struct pld_v1_natoa oa;
	static uint8_t out[512];
	size_t len;
	uint32_t v;
	uint8_t *p = encrypted_msg(qm1_plain_hex, IKEV1_PL_HASH,
				   IKEV1_EXCH_QUICK_MODE, &len);

	ck_assert_msg(msg_v1_frame(p, len, &m, &e) == 0, "%s", e.msg);
	ck_assert(m.encrypted);
	ck_assert_uint_eq(m.n, 0);
	ck_assert_uint_eq(m.hdr.exchange, IKEV1_EXCH_QUICK_MODE);
	ck_assert_uint_eq(m.hdr.msgid, 0xdeadbeef);
	ck_assert_ptr_eq(m.cipher.ptr, p + IKEV1_HDR_LEN);
	ck_assert_uint_eq(m.cipher.len, len - IKEV1_HDR_LEN);
	/* "Decrypt" in place: the body is the plaintext already. */
	ck_assert_msg(msg_v1_frame_plain(&m, m.cipher.ptr, m.cipher.len,
					 IKEV1_HDR_LEN, &e) == 0,
		      "%s", e.msg);
	ck_assert_uint_eq(m.n, 6);
	ck_assert(m.pl[0].inner);
	ck_assert_uint_eq(m.pl[0].offset, 28);
	ck_assert_uint_eq(m.pl[1].type, IKEV1_PL_SA);
	ck_assert_uint_eq(m.pl[1].offset, 52);
	ck_assert_uint_eq(m.pl[5].type, IKEV1_PL_NAT_OA);
	ck_assert_msg(msg_v1_decode_all(&m, &e) == 0, "%s", e.msg);

	ck_assert_int_eq(pld_v1_hash_get(&m.pl[0], &hash, &e), 0);
	ck_assert_uint_eq(hash.data.len, 20);
	ck_assert_uint_eq(hash.data.ptr[19], 0xaa);

	ck_assert_int_eq(pld_v1_sa_get(&m.pl[1], &sa, &e), 0);
	ck_assert_uint_eq(sa.n_prop, 1);
	ck_assert_uint_eq(sa.prop[0].proto, IKEV1_PROTO_IPSEC_ESP);
	ck_assert_uint_eq(sa.prop[0].spi_size, 4);
	ck_assert_uint_eq(be32(sa.prop[0].spi.ptr), 0xc0ffee01);
	ck_assert_uint_eq(sa.xf[0].id, 12);
	ck_assert_uint_eq(sa.xf[0].n_attr, 5);
	ck_assert_uint_eq(sa.attr[1].type, IKEV1_IPSEC_SA_LIFE_DURATION);
	ck_assert_int_eq(pld_v1_attr_u32(&sa.attr[1], &v), 0);
	ck_assert_uint_eq(v, 3600);
	ck_assert_uint_eq(sa.attr[2].type, IKEV1_IPSEC_ENCAPSULATION_MODE);
	ck_assert_uint_eq(sa.attr[2].val, IKEV1_ENCAP_TUNNEL);
	ck_assert_uint_eq(sa.attr[4].type, IKEV1_IPSEC_KEY_LENGTH);
	ck_assert_uint_eq(sa.attr[4].val, 128);

	ck_assert_int_eq(pld_v1_nonce_get(&m.pl[2], &nonce, &e), 0);
	ck_assert_uint_eq(nonce.data.len, 8);

	ck_assert_int_eq(pld_v1_id_get(&m.pl[3], &id, &e), 0);
	ck_assert_uint_eq(id.type, IKEV1_ID_IPV4_ADDR_SUBNET);
	ck_assert_uint_eq(id.proto, 0);
	ck_assert_uint_eq(id.port, 0);
	ck_assert_uint_eq(be32(id.data.ptr), 0x0a010000);
	ck_assert_uint_eq(be32(id.data.ptr + 4), 0xffffff00);
	ck_assert_int_eq(pld_v1_id_get(&m.pl[4], &id, &e), 0);
	ck_assert_uint_eq(id.type, IKEV1_ID_IPV4_ADDR);
	ck_assert_uint_eq(id.proto, 17);
	ck_assert_uint_eq(id.port, 500);
	ck_assert_uint_eq(id.data.len, 4);

	ck_assert_int_eq(pld_v1_natoa_get(&m.pl[5], &oa, &e), 0);
	ck_assert_uint_eq(oa.id_type, IKEV1_ID_IPV4_ADDR);
	ck_assert_uint_eq(be32(oa.addr.ptr), 0xc0a80102);
	/* Encoded again: the chain without the 7 octets of padding. */
	ck_assert_uint_eq(reencode(&m, out, sizeof(out)), len - 7);
	ck_assert_mem_eq(out + IKEV1_HDR_LEN, p + IKEV1_HDR_LEN,
			 len - 7 - IKEV1_HDR_LEN);
	free(p);
}
END_TEST

START_TEST(informational_decoded)
{
	struct msg_v1 m;
	struct ike_err e = {0};
	struct pld_v1_notify n;
	struct pld_v1_delete d;
	static uint8_t out[256];
	size_t len;
	uint8_t *p = encrypted_msg(info_plain_hex, IKEV1_PL_HASH,
				   IKEV1_EXCH_INFORMATIONAL, &len);

	ck_assert_int_eq(msg_v1_frame(p, len, &m, &e), 0);
	ck_assert_int_eq(msg_v1_frame_plain(&m, m.cipher.ptr, m.cipher.len,
					    IKEV1_HDR_LEN, &e),
			 0);
	ck_assert_uint_eq(m.n, 3);
	ck_assert_ptr_eq(msg_v1_find(&m, IKEV1_PL_N, NULL), &m.pl[1]);
	ck_assert_ptr_null(msg_v1_find(&m, IKEV1_PL_N, &m.pl[1]));
	ck_assert_ptr_null(msg_v1_find(&m, IKEV1_PL_SA, NULL));
	ck_assert_int_eq(pld_v1_notify_get(&m.pl[1], &n, &e), 0);
	ck_assert_uint_eq(n.doi, IKEV1_DOI_IPSEC);
	ck_assert_uint_eq(n.proto, IKEV1_PROTO_ISAKMP);
	ck_assert_uint_eq(n.spi_size, 16);
	ck_assert_uint_eq(n.type, IKEV1_N_R_U_THERE);
	ck_assert_uint_eq(n.spi.len, 16);
	ck_assert_uint_eq(n.spi.ptr[8], 0x11);
	ck_assert_uint_eq(n.data.len, 4);
	ck_assert_uint_eq(be32(n.data.ptr), 1);
	ck_assert_int_eq(pld_v1_delete_get(&m.pl[2], &d, &e), 0);
	ck_assert_uint_eq(d.doi, IKEV1_DOI_IPSEC);
	ck_assert_uint_eq(d.proto, IKEV1_PROTO_IPSEC_ESP);
	ck_assert_uint_eq(d.spi_size, 4);
	ck_assert_uint_eq(d.n_spi, 1);
	ck_assert_uint_eq(be32(d.spis.ptr), 0xc0ffee01);
	ck_assert_str_eq(msg_v1_notify_name(n.type), "R-U-THERE");
	ck_assert_uint_eq(reencode(&m, out, sizeof(out)), len);
	ck_assert_mem_eq(out, p, len);
	free(p);
}
END_TEST

START_TEST(encrypted_framing_errors)
{
	struct msg_v1 m;
	struct ike_err e = {0};
	size_t len;
	uint8_t *p = encrypted_msg(info_plain_hex, IKEV1_PL_HASH,
				   IKEV1_EXCH_INFORMATIONAL, &len);
	uint8_t bad[8] = {0x00, 0x00, 0x00, 0x30, 0, 0, 0, 0};

	ck_assert_int_eq(msg_v1_frame(p, len, &m, &e), 0);
	/* A plaintext whose payload overruns it. */
	ck_assert_int_eq(
	    msg_v1_frame_plain(&m, bad, sizeof(bad), IKEV1_HDR_LEN, &e), -1);
	ck_assert_uint_eq(e.notify, IKEV1_N_PAYLOAD_MALFORMED);
	ck_assert_uint_eq(e.offset, 28);
	/* A plaintext with a zero-length payload (which would loop). */
	bad[3] = 0;
	ck_assert_int_eq(
	    msg_v1_frame_plain(&m, bad, sizeof(bad), IKEV1_HDR_LEN, &e), -1);
	/* E set but no body at all. */
	p[27] = IKEV1_HDR_LEN;
	ck_assert_int_eq(msg_v1_frame(p, IKEV1_HDR_LEN, &m, &e), -1);
	ck_assert_uint_eq(e.notify, IKEV1_N_PAYLOAD_MALFORMED);
	/* E set, body present, but no first payload named. */
	p[27] = (uint8_t)len;
	p[16] = IKEV1_PL_NONE;
	ck_assert_int_eq(msg_v1_frame(p, len, &m, &e), 0);
	ck_assert_int_eq(msg_v1_frame_plain(&m, m.cipher.ptr, m.cipher.len,
					    IKEV1_HDR_LEN, &e),
			 -1);
	/* A message in the clear has no plaintext to frame. */
	p[16] = IKEV1_PL_HASH;
	p[19] = 0;
	ck_assert_int_eq(msg_v1_frame(p, len, &m, &e), 0);
	ck_assert_int_eq(msg_v1_frame_plain(&m, m.cipher.ptr, m.cipher.len,
					    IKEV1_HDR_LEN, &e),
			 -1);
	free(p);
}
END_TEST

/* Header of a Main Mode message with first payload np; the length is
 * patched by case_msg(). */
#define HDR(np)                                                                \
	"0102030405060708"                                                     \
	"0000000000000000" np "100200"                                         \
	"00000000"                                                             \
	"00000000"

/* The smallest valid proposal: ISAKMP, one transform, no attribute. */
#define P1                                                                     \
	"00000010"                                                             \
	"01010001"                                                             \
	"00000008"                                                             \
	"01010000"

struct bad_case {
	const char *name;
	const char *hex; /* a full message, the length field is computed */
	uint16_t notify;
	uint8_t pld_type;
	size_t offset;
	bool frame_only; /* fails in msg_v1_frame, not in decoding */
};

static const struct bad_case bad_cases[] = {
    /* framing */
    {"payload length below 4", HDR("0a") "00000003", IKEV1_N_PAYLOAD_MALFORMED,
     IKEV1_PL_NONCE, 28, true},
    {"zero payload length", HDR("0a") "0a000000", IKEV1_N_PAYLOAD_MALFORMED,
     IKEV1_PL_NONCE, 28, true},
    {"payload length past the end",
     HDR("0a") "00000030"
	       "00112233",
     IKEV1_N_PAYLOAD_MALFORMED, IKEV1_PL_NONCE, 28, true},
    {"truncated generic header", HDR("0a") "0000", IKEV1_N_PAYLOAD_MALFORMED,
     IKEV1_PL_NONCE, 28, true},
    {"trailing bytes after the chain",
     HDR("0a") "0000000c"
	       "0011223344556677"
	       "ffff",
     IKEV1_N_UNEQUAL_PAYLOAD_LENGTHS, IKEV1_PL_NONE, 40, true},
    {"proposal payload outside an SA",
     HDR("02") "00000008"
	       "01010000",
     IKEV1_N_INVALID_PAYLOAD_TYPE, IKEV1_PL_P, 28, true},
    {"transform payload outside an SA",
     HDR("0d") "03000004"
	       "00000008"
	       "01010000",
     IKEV1_N_INVALID_PAYLOAD_TYPE, IKEV1_PL_T, 32, true},
    {"unassigned payload type 50", HDR("32") "00000004",
     IKEV1_N_INVALID_PAYLOAD_TYPE, 50, 28, true},
    /* one-field payloads */
    {"nonce of 7 octets",
     HDR("0a") "0000000b"
	       "00112233445566",
     IKEV1_N_PAYLOAD_MALFORMED, IKEV1_PL_NONCE, 28},
    {"empty KE", HDR("04") "00000004", IKEV1_N_INVALID_KEY_INFORMATION,
     IKEV1_PL_KE, 28},
    {"empty HASH", HDR("08") "00000004", IKEV1_N_INVALID_HASH_INFORMATION,
     IKEV1_PL_HASH, 28},
    {"empty SIG", HDR("09") "00000004", IKEV1_N_INVALID_SIGNATURE, IKEV1_PL_SIG,
     28},
    {"empty NAT-D", HDR("14") "00000004", IKEV1_N_PAYLOAD_MALFORMED,
     IKEV1_PL_NAT_D, 28},
    {"empty draft NAT-D", HDR("82") "00000004", IKEV1_N_PAYLOAD_MALFORMED,
     IKEV1_PL_NAT_D_DRAFT, 28},
    /* ID */
    {"ID header truncated",
     HDR("05") "00000006"
	       "0100",
     IKEV1_N_PAYLOAD_MALFORMED, IKEV1_PL_ID, 28},
    {"IPv4 ID of 3 octets",
     HDR("05") "0000000b"
	       "01000000"
	       "0a0101",
     IKEV1_N_INVALID_ID_INFORMATION, IKEV1_PL_ID, 28},
    {"IPv6 subnet ID of 16 octets",
     HDR("05") "00000018"
	       "06000000"
	       "20010db8000000000000000000000000",
     IKEV1_N_INVALID_ID_INFORMATION, IKEV1_PL_ID, 28},
    {"IPv4 range ID of 4 octets",
     HDR("05") "0000000c"
	       "07000000"
	       "0a000001",
     IKEV1_N_INVALID_ID_INFORMATION, IKEV1_PL_ID, 28},
    {"empty FQDN ID",
     HDR("05") "00000008"
	       "02000000",
     IKEV1_N_INVALID_ID_INFORMATION, IKEV1_PL_ID, 28},
    /* CERT, CR */
    {"CERT without data",
     HDR("06") "00000005"
	       "04",
     IKEV1_N_INVALID_CERTIFICATE, IKEV1_PL_CERT, 28},
    {"CERT without encoding", HDR("06") "00000004", IKEV1_N_PAYLOAD_MALFORMED,
     IKEV1_PL_CERT, 28},
    {"CR without type", HDR("07") "00000004", IKEV1_N_PAYLOAD_MALFORMED,
     IKEV1_PL_CR, 28},
    /* N */
    {"notify truncated",
     HDR("0b") "0000000a"
	       "000000010100",
     IKEV1_N_PAYLOAD_MALFORMED, IKEV1_PL_N, 28},
    {"notify SPI overruns",
     HDR("0b") "00000010"
	       "00000001"
	       "01108d28"
	       "01020304",
     IKEV1_N_PAYLOAD_MALFORMED, IKEV1_PL_N, 28},
    {"notify of DOI 7",
     HDR("0b") "0000000c"
	       "00000007"
	       "01006002",
     IKEV1_N_DOI_NOT_SUPPORTED, IKEV1_PL_N, 32},
    /* D */
    {"delete truncated",
     HDR("0c") "00000008"
	       "00000001",
     IKEV1_N_PAYLOAD_MALFORMED, IKEV1_PL_D, 28},
    {"ESP delete with SPI size 8",
     HDR("0c") "00000014"
	       "00000001"
	       "03080001"
	       "0102030405060708",
     IKEV1_N_INVALID_SPI, IKEV1_PL_D, 28},
    {"ISAKMP delete with SPI size 4",
     HDR("0c") "00000010"
	       "00000001"
	       "01040001"
	       "01020304",
     IKEV1_N_INVALID_SPI, IKEV1_PL_D, 28},
    {"delete with SPI size 0",
     HDR("0c") "0000000c"
	       "00000001"
	       "ff000001",
     IKEV1_N_INVALID_SPI, IKEV1_PL_D, 28},
    {"delete count larger than the SPIs",
     HDR("0c") "00000010"
	       "00000001"
	       "03040002"
	       "01020304",
     IKEV1_N_PAYLOAD_MALFORMED, IKEV1_PL_D, 28},
    {"delete count smaller than the SPIs",
     HDR("0c") "00000014"
	       "00000001"
	       "03040001"
	       "0102030405060708",
     IKEV1_N_PAYLOAD_MALFORMED, IKEV1_PL_D, 28},
    {"delete of DOI 2",
     HDR("0c") "00000010"
	       "00000002"
	       "03040001"
	       "01020304",
     IKEV1_N_DOI_NOT_SUPPORTED, IKEV1_PL_D, 32},
    /* NAT-OA */
    {"NAT-OA with an FQDN",
     HDR("15") "0000000c"
	       "02000000"
	       "61626364",
     IKEV1_N_INVALID_ID_INFORMATION, IKEV1_PL_NAT_OA, 28},
    {"draft NAT-OA IPv4 of 16 octets",
     HDR("83") "00000018"
	       "01000000"
	       "0a0000010a0000010a0000010a000001",
     IKEV1_N_INVALID_ID_INFORMATION, IKEV1_PL_NAT_OA_DRAFT, 28},
    {"NAT-OA truncated",
     HDR("15") "00000006"
	       "0100",
     IKEV1_N_PAYLOAD_MALFORMED, IKEV1_PL_NAT_OA, 28},
    /* ATTR */
    {"ATTR header truncated",
     HDR("0e") "00000006"
	       "0100",
     IKEV1_N_PAYLOAD_MALFORMED, IKEV1_PL_ATTR, 28},
    {"ATTR of unknown type 5",
     HDR("0e") "00000008"
	       "05000001",
     IKEV1_N_PAYLOAD_MALFORMED, IKEV1_PL_ATTR, 28},
    {"ATTR attribute overruns",
     HDR("0e") "0000000c"
	       "01000001"
	       "40890004",
     IKEV1_N_PAYLOAD_MALFORMED, IKEV1_PL_ATTR, 36},
    {"ATTR attribute truncated",
     HDR("0e") "0000000a"
	       "01000001"
	       "8001",
     IKEV1_N_PAYLOAD_MALFORMED, IKEV1_PL_ATTR, 36},
    /* SA */
    {"SA truncated before the situation",
     HDR("01") "00000008"
	       "00000001",
     IKEV1_N_PAYLOAD_MALFORMED, IKEV1_PL_SA, 28},
    {"SA of DOI 2",
     HDR("01") "0000001c"
	       "00000002"
	       "00000001" P1,
     IKEV1_N_DOI_NOT_SUPPORTED, IKEV1_PL_SA, 32},
    {"SA with a labelled situation",
     HDR("01") "0000001c"
	       "00000001"
	       "00000003" P1,
     IKEV1_N_SITUATION_NOT_SUPPORTED, IKEV1_PL_SA, 36},
    {"SA without proposals",
     HDR("01") "0000000c"
	       "00000001"
	       "00000001",
     IKEV1_N_BAD_PROPOSAL_SYNTAX, IKEV1_PL_SA, 28},
    {"proposal not marked last at the end",
     HDR("01") "0000001c"
	       "00000001"
	       "00000001"
	       "02000010"
	       "01010001"
	       "00000008"
	       "01010000",
     IKEV1_N_BAD_PROPOSAL_SYNTAX, IKEV1_PL_SA, 28},
    {"proposal after the last",
     HDR("01") "0000002c"
	       "00000001"
	       "00000001" P1 P1,
     IKEV1_N_BAD_PROPOSAL_SYNTAX, IKEV1_PL_SA, 56},
    {"proposal with a bad next payload",
     HDR("01") "0000001c"
	       "00000001"
	       "00000001"
	       "05000010"
	       "01010001"
	       "00000008"
	       "01010000",
     IKEV1_N_BAD_PROPOSAL_SYNTAX, IKEV1_PL_SA, 40},
    {"proposal length below its header",
     HDR("01") "0000001c"
	       "00000001"
	       "00000001"
	       "00000004"
	       "01010001"
	       "00000008"
	       "01010000",
     IKEV1_N_BAD_PROPOSAL_SYNTAX, IKEV1_PL_SA, 40},
    {"proposal length past the SA",
     HDR("01") "0000001c"
	       "00000001"
	       "00000001"
	       "00000020"
	       "01010001"
	       "00000008"
	       "01010000",
     IKEV1_N_BAD_PROPOSAL_SYNTAX, IKEV1_PL_SA, 40},
    {"proposal longer than its transforms",
     HDR("01") "00000020"
	       "00000001"
	       "00000001"
	       "00000014"
	       "01010001"
	       "00000008"
	       "01010000"
	       "00000000",
     IKEV1_N_BAD_PROPOSAL_SYNTAX, IKEV1_PL_SA, 56},
    {"ESP proposal with an 8-octet SPI",
     HDR("01") "00000024"
	       "00000001"
	       "00000001"
	       "00000018"
	       "01030801"
	       "0102030405060708"
	       "00000008"
	       "010c0000",
     IKEV1_N_INVALID_SPI, IKEV1_PL_SA, 40},
    {"ISAKMP proposal with a 4-octet SPI",
     HDR("01") "00000020"
	       "00000001"
	       "00000001"
	       "00000014"
	       "01010401"
	       "01020304"
	       "00000008"
	       "01010000",
     IKEV1_N_INVALID_SPI, IKEV1_PL_SA, 40},
    {"SPI overruns the proposal",
     HDR("01") "00000016"
	       "00000001"
	       "00000001"
	       "0000000a"
	       "01030401"
	       "0102",
     IKEV1_N_BAD_PROPOSAL_SYNTAX, IKEV1_PL_SA, 40},
    {"transform count lies high",
     HDR("01") "0000001c"
	       "00000001"
	       "00000001"
	       "00000010"
	       "01010002"
	       "00000008"
	       "01010000",
     IKEV1_N_BAD_PROPOSAL_SYNTAX, IKEV1_PL_SA, 56},
    {"transform count lies low",
     HDR("01") "00000024"
	       "00000001"
	       "00000001"
	       "00000018"
	       "01010001"
	       "03000008"
	       "01010000"
	       "00000008"
	       "02010000",
     IKEV1_N_BAD_PROPOSAL_SYNTAX, IKEV1_PL_SA, 40},
    {"proposal without transforms",
     HDR("01") "0000001c"
	       "00000001"
	       "00000001"
	       "00000010"
	       "01010000"
	       "00000008"
	       "01010000",
     IKEV1_N_BAD_PROPOSAL_SYNTAX, IKEV1_PL_SA, 40},
    {"transform length below its header",
     HDR("01") "0000001c"
	       "00000001"
	       "00000001"
	       "00000010"
	       "01010001"
	       "00000004"
	       "01010000",
     IKEV1_N_BAD_PROPOSAL_SYNTAX, IKEV1_PL_SA, 48},
    {"transform with a bad next payload",
     HDR("01") "0000001c"
	       "00000001"
	       "00000001"
	       "00000010"
	       "01010001"
	       "05000008"
	       "01010000",
     IKEV1_N_BAD_PROPOSAL_SYNTAX, IKEV1_PL_SA, 48},
    {"attribute TLV overruns its transform",
     HDR("01") "00000020"
	       "00000001"
	       "00000001"
	       "00000014"
	       "01010001"
	       "0000000c"
	       "01010000"
	       "000c0004",
     IKEV1_N_BAD_PROPOSAL_SYNTAX, IKEV1_PL_SA, 56},
    {"truncated attribute",
     HDR("01") "0000001e"
	       "00000001"
	       "00000001"
	       "00000012"
	       "01010001"
	       "0000000a"
	       "01010000"
	       "8001",
     IKEV1_N_BAD_PROPOSAL_SYNTAX, IKEV1_PL_SA, 56},
};

/* Build the message of a case with a correct header length. */
static uint8_t *
case_msg(const char *hex, size_t *len)
{
	uint8_t *p = hex_decode(hex, len);

	p[24] = (uint8_t)(*len >> 24);
	p[25] = (uint8_t)(*len >> 16);
	p[26] = (uint8_t)(*len >> 8);
	p[27] = (uint8_t)*len;
	return p;
}

START_TEST(malformed_payloads)
{
	const struct bad_case *bc = &bad_cases[_i];
	struct msg_v1 m;
	struct ike_err e = {0};
	size_t len;
	uint8_t *p = case_msg(bc->hex, &len);
	int rc = msg_v1_frame(p, len, &m, &e);

	if (!bc->frame_only) {
		ck_assert_msg(rc == 0, "%s: framing failed: %s", bc->name,
			      e.msg);
		rc = msg_v1_decode_all(&m, &e);
	}
	ck_assert_msg(rc == -1, "%s: accepted", bc->name);
	ck_assert_msg(e.notify == bc->notify, "%s: notify %u (%s)", bc->name,
		      e.notify, e.msg);
	ck_assert_msg(e.pld_type == bc->pld_type, "%s: payload type %u",
		      bc->name, e.pld_type);
	ck_assert_msg(e.offset == bc->offset, "%s: offset %zu (%s)", bc->name,
		      e.offset, e.msg);
	ck_assert_msg(strlen(e.msg) > 10, "%s: no message", bc->name);
	free(p);
}
END_TEST

/* Reserved fields are ignored on receipt (see msg_v1.c): the same
 * messages with every reserved octet set decode to the same fields. */
START_TEST(reserved_fields_ignored)
{
	struct msg_v1 m;
	struct ike_err e = {0};
	struct pld_v1_sa sa;
	struct pld_v1_natoa oa;
	size_t len;
	/* SA whose generic, proposal and transform reserved octets and
	 * RESERVED2 are all 0xff; then a NAT-OA with its three. */
	uint8_t *p = case_msg(HDR("01") "15ff001c"
					"00000001"
					"00000001"
					"00ff0010"
					"01010001"
					"00ff0008"
					"0101ffff"
					"00ff000c"
					"01ffffff"
					"0a000001",
			      &len);

	ck_assert_msg(msg_v1_frame(p, len, &m, &e) == 0, "%s", e.msg);
	ck_assert_msg(msg_v1_decode_all(&m, &e) == 0, "%s", e.msg);
	/* ignored, but kept for diagnostics (the capture dump shows it) */
	ck_assert_uint_eq(m.pl[0].reserved, 0xff);
	ck_assert_uint_eq(m.pl[1].reserved, 0xff);
	ck_assert_int_eq(pld_v1_sa_get(&m.pl[0], &sa, &e), 0);
	ck_assert_uint_eq(sa.n_prop, 1);
	ck_assert_uint_eq(sa.xf[0].id, IKEV1_KEY_IKE);
	ck_assert_int_eq(pld_v1_natoa_get(&m.pl[1], &oa, &e), 0);
	ck_assert_uint_eq(oa.id_type, IKEV1_ID_IPV4_ADDR);
	ck_assert_uint_eq(be32(oa.addr.ptr), 0x0a000001);
	free(p);
}
END_TEST

START_TEST(header_errors)
{
	struct msg_v1 m;
	struct ike_err e = {0};
	size_t len;
	uint8_t *p = case_msg(HDR("00"), &len);

	ck_assert_int_eq(msg_v1_frame(p, len, &m, &e), 0);
	ck_assert_uint_eq(m.n, 0);
	ck_assert_int_eq(msg_v1_frame(p, 27, &m, &e), -1);
	ck_assert_uint_eq(e.notify, IKEV1_N_PAYLOAD_MALFORMED);
	/* Length field larger than the datagram: truncated. */
	p[27] = 0x1d;
	ck_assert_int_eq(msg_v1_frame(p, len, &m, &e), -1);
	ck_assert_uint_eq(e.notify, IKEV1_N_UNEQUAL_PAYLOAD_LENGTHS);
	ck_assert_ptr_nonnull(strstr(e.msg, "truncated"));
	p[27] = 0x1c;
	/* IKEv2's major version is not ISAKMP's (RFC 2408 5.2). */
	p[17] = 0x20;
	ck_assert_int_eq(msg_v1_frame(p, len, &m, &e), -1);
	ck_assert_uint_eq(e.notify, IKEV1_N_INVALID_MAJOR_VERSION);
	ck_assert_uint_eq(e.offset, 17);
	/* Nor is a higher minor version, unlike IKEv2. */
	p[17] = 0x11;
	ck_assert_int_eq(msg_v1_frame(p, len, &m, &e), -1);
	ck_assert_uint_eq(e.notify, IKEV1_N_INVALID_MINOR_VERSION);
	p[17] = 0x10;
	/* E, C and A are defined; IKEv2's I flag (0x08) is not. */
	p[19] = IKEV1_FLAG_COMMIT | IKEV1_FLAG_AUTH_ONLY;
	ck_assert_int_eq(msg_v1_frame(p, len, &m, &e), 0);
	p[19] = 0x08;
	ck_assert_int_eq(msg_v1_frame(p, len, &m, &e), -1);
	ck_assert_uint_eq(e.notify, IKEV1_N_INVALID_FLAGS);
	ck_assert_uint_eq(e.offset, 19);
	free(p);
}
END_TEST

START_TEST(too_many_payloads)
{
	static uint8_t mem[IKEV1_HDR_LEN + 4 * (IKE_MAX_PAYLOADS + 1)];
	static const uint8_t ck[8] = {1};
	struct ike_hdr h;
	struct msg_builder b;
	struct msg_v1 m;
	struct ike_err e = {0};
	size_t len;
	int i;

	msg_v1_hdr_init(&h, ck, NULL, IKEV1_EXCH_IDENT_PROT, 0, 0);
	msg_build_init(&b, mem, sizeof(mem), &h);
	for (i = 0; i < IKE_MAX_PAYLOADS + 1; i++) {
		msg_v1_pld_begin(&b, IKEV1_PL_VID);
		msg_pld_end(&b);
	}
	len = msg_build_finish(&b);
	ck_assert_uint_eq(len, sizeof(mem));
	ck_assert_int_eq(msg_v1_frame(mem, len, &m, &e), -1);
	ck_assert_uint_eq(e.notify, IKEV1_N_PAYLOAD_MALFORMED);
	ck_assert_uint_eq(e.offset, len - 4);
	/* One fewer is fine. */
	len -= 4;
	mem[len - 4] = 0;
	mem[27] = (uint8_t)len;
	ck_assert_int_eq(msg_v1_frame(mem, len, &m, &e), 0);
	ck_assert_uint_eq(m.n, IKE_MAX_PAYLOADS);
	ck_assert_int_eq(msg_v1_decode_all(&m, &e), 0);
}
END_TEST

/* Every truncation of a valid message, with the header length made to
 * agree, is refused, in exactly-sized heap copies so that ASan catches a
 * read past the end. */
START_TEST(truncations_refused)
{
	struct msg_v1 m;
	struct ike_err e;
	size_t len, n;
	uint8_t *p = hex_decode(mm1_hex, &len);

	ck_assert_int_eq(msg_v1_frame(p, len, &m, &e), 0);
	for (n = 0; n < len; n++) {
		uint8_t *q = malloc(n ? n : 1);
		int rc;

		memcpy(q, p, n);
		if (n >= IKEV1_HDR_LEN)
			q[27] = (uint8_t)n;
		rc = msg_v1_frame(q, n, &m, &e);
		if (rc == 0)
			rc = msg_v1_decode_all(&m, &e);
		/* The bare header (n == 28) names an SA it does not carry. */
		ck_assert_msg(rc == -1, "prefix of %zu accepted", n);
		ck_assert_uint_gt(strlen(e.msg), 0);
		free(q);
	}
	free(p);
}
END_TEST

/* Every wrong length in every payload and substructure header of the
 * Main Mode message is refused, never read past. */
START_TEST(wrong_lengths_refused)
{
	/* Offsets of the length fields: SA, proposal, two transforms,
	 * the first transform's TLV attribute, VID. */
	static const size_t at[] = {30, 42, 50, 82, 90, 122};
	struct msg_v1 m;
	struct ike_err e;
	size_t len, i;
	unsigned v;
	uint8_t *p = hex_decode(mm1_hex, &len);

	for (i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		unsigned good = (unsigned)p[at[i]] << 8 | p[at[i] + 1];

		for (v = 0; v < len + 8; v++) {
			uint8_t *q;
			int rc;

			if (v == good)
				continue;
			q = malloc(len);
			memcpy(q, p, len);
			q[at[i]] = (uint8_t)(v >> 8);
			q[at[i] + 1] = (uint8_t)v;
			rc = msg_v1_frame(q, len, &m, &e);
			if (rc == 0)
				rc = msg_v1_decode_all(&m, &e);
			ck_assert_msg(rc == -1, "length %u at %zu accepted", v,
				      at[i]);
			free(q);
		}
	}
	free(p);
}
END_TEST

START_TEST(names)
{
	ck_assert_str_eq(msg_v1_exchange_name(2), "Main Mode");
	ck_assert_str_eq(msg_v1_exchange_name(4), "Aggressive Mode");
	ck_assert_str_eq(msg_v1_exchange_name(5), "Informational");
	ck_assert_str_eq(msg_v1_exchange_name(6), "Transaction");
	ck_assert_str_eq(msg_v1_exchange_name(32), "Quick Mode");
	ck_assert_str_eq(msg_v1_exchange_name(99), "unknown exchange");
	ck_assert_str_eq(msg_v1_pld_name(IKEV1_PL_NAT_D), "NAT-D");
	ck_assert_str_eq(msg_v1_pld_name(IKEV1_PL_NAT_OA_DRAFT),
			 "NAT-OA (draft)");
	ck_assert_str_eq(msg_v1_pld_name(77), "unknown");
	ck_assert(msg_v1_pld_known(IKEV1_PL_VID));
	ck_assert(!msg_v1_pld_known(77));
	ck_assert_str_eq(msg_v1_notify_name(14), "NO-PROPOSAL-CHOSEN");
	ck_assert_str_eq(msg_v1_notify_name(16), "PAYLOAD-MALFORMED");
	ck_assert_str_eq(msg_v1_notify_name(24576), "RESPONDER-LIFETIME");
	ck_assert_str_eq(msg_v1_notify_name(24578), "INITIAL-CONTACT");
	ck_assert_str_eq(msg_v1_notify_name(36136), "R-U-THERE");
	ck_assert_str_eq(msg_v1_notify_name(36137), "R-U-THERE-ACK");
	ck_assert_str_eq(msg_v1_notify_name(8000), "an error notify");
	ck_assert_str_eq(msg_v1_notify_name(40000), "a status notify");
}
END_TEST

Suite *
msg_v1_suite(void)
{
	Suite *s = suite_create("msg_v1");
	TCase *tc = tcase_create("rfc");
	TCase *bad = tcase_create("malformed");

	tcase_add_test(tc, main_mode_1_decoded);
	tcase_add_test(tc, main_mode_1_reencoded);
	tcase_add_test(tc, quick_mode_1_decoded);
	tcase_add_test(tc, informational_decoded);
	tcase_add_test(tc, reserved_fields_ignored);
	tcase_add_test(tc, names);
	suite_add_tcase(s, tc);
	tcase_add_loop_test(bad, malformed_payloads, 0,
			    sizeof(bad_cases) / sizeof(bad_cases[0]));
	tcase_add_test(bad, encrypted_framing_errors);
	tcase_add_test(bad, header_errors);
	tcase_add_test(bad, too_many_payloads);
	tcase_add_test(bad, truncations_refused);
	tcase_add_test(bad, wrong_lengths_refused);
	suite_add_tcase(s, bad);
	return s;
}
