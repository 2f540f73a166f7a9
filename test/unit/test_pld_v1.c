/* SPDX-License-Identifier: ISC */
/*
 * IKEv1 payload codecs: every payload built with its encoder, framed and
 * decoded back field by field (in the clear and as the plaintext of an
 * encrypted message), the exact bytes of a few encodings, the bounds of
 * counts and lengths, and encoders refusing structs that break their own
 * bounds.
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "msg_v1.h"
#include "testutil.h"

static uint8_t mem[8192];
static const uint8_t icookie[8] = {1, 2, 3, 4, 5, 6, 7, 8};
static const uint8_t rcookie[8] = {9, 10, 11, 12, 13, 14, 15, 16};

static void
begin(struct msg_builder *b, uint8_t exchange, uint8_t flags)
{
	struct ike_hdr h;

	msg_v1_hdr_init(&h, icookie, rcookie, exchange, flags, 0x01020304);
	msg_build_init(b, mem, sizeof(mem), &h);
}

/* Finish, frame (as plaintext when E is set) and decode all. */
static void
finish(struct msg_builder *b, struct msg_v1 *m)
{
	struct ike_err e = {0};
	size_t len = msg_build_finish(b);

	ck_assert_uint_gt(len, 0);
	ck_assert_msg(msg_v1_frame(mem, len, m, &e) == 0, "%s", e.msg);
	if (m->encrypted)
		ck_assert_msg(msg_v1_frame_plain(m, m->cipher.ptr,
						 m->cipher.len, IKEV1_HDR_LEN,
						 &e) == 0,
			      "%s", e.msg);
	ck_assert_msg(msg_v1_decode_all(m, &e) == 0, "%s", e.msg);
}

static struct bytes
B(const char *s) {
	struct bytes b = {(const uint8_t *)s, strlen(s)};

	return b;
}

static bool
bytes_eq(struct bytes a, struct bytes b)
{
	return a.len == b.len &&
	       (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

START_TEST(header_roundtrip)
{
	struct msg_builder b;
	struct msg_v1 m;

	begin(&b, IKEV1_EXCH_AGGRESSIVE, IKEV1_FLAG_COMMIT);
	finish(&b, &m);
	ck_assert_uint_eq(m.hdr.length, IKEV1_HDR_LEN);
	ck_assert_uint_eq(m.hdr.major, 1);
	ck_assert_uint_eq(m.hdr.minor, 0);
	ck_assert_uint_eq(m.hdr.exchange, IKEV1_EXCH_AGGRESSIVE);
	ck_assert_uint_eq(m.hdr.flags, IKEV1_FLAG_COMMIT);
	ck_assert_uint_eq(m.hdr.msgid, 0x01020304);
	ck_assert_uint_eq(m.n, 0);
	ck_assert_hex(mem, IKEV1_HDR_LEN,
		      "0102030405060708"
		      "090a0b0c0d0e0f10"
		      "00100402"
		      "01020304"
		      "0000001c");
}
END_TEST

/* A phase 1 proposal (one, with two transforms) and a Quick Mode one
 * (ESP and IPComp under the same number: both are to be applied). */
static void
fill_sa(struct pld_v1_sa *sa)
{
	static const uint8_t spi_esp[4] = {0xc0, 0xff, 0xee, 0x01};
	static const uint8_t spi_ipcomp[2] = {0x12, 0x34};
	static const uint8_t life[4] = {0x00, 0x01, 0x51, 0x80};

	memset(sa, 0, sizeof(*sa));
	sa->doi = IKEV1_DOI_IPSEC;
	sa->situation = IKEV1_SIT_IDENTITY_ONLY;
	sa->n_prop = 3;
	sa->prop[0] = (struct v1_proposal){
	    .num = 1, .proto = IKEV1_PROTO_ISAKMP, .n_xf = 2, .xf0 = 0};
	sa->prop[1] = (struct v1_proposal){.num = 2,
					   .proto = IKEV1_PROTO_IPSEC_ESP,
					   .spi_size = 4,
					   .n_xf = 1,
					   .spi = {spi_esp, 4},
					   .xf0 = 2};
	sa->prop[2] = (struct v1_proposal){.num = 2,
					   .proto = IKEV1_PROTO_IPCOMP,
					   .spi_size = 2,
					   .n_xf = 1,
					   .spi = {spi_ipcomp, 2},
					   .xf0 = 3};
	sa->n_xf = 4;
	sa->xf[0] = (struct v1_transform){1, IKEV1_KEY_IKE, 0, 3};
	sa->xf[1] = (struct v1_transform){2, IKEV1_KEY_IKE, 3, 1};
	sa->xf[2] = (struct v1_transform){1, 12, 4, 2};
	sa->xf[3] = (struct v1_transform){1, 2, 6, 0}; /* IPCOMP_DEFLATE */
	sa->n_attr = 6;
	sa->attr[0] =
	    (struct v1_attr){IKEV1_OAKLEY_ENCRYPTION_ALGORITHM, true, 7, {0}};
	sa->attr[1] = (struct v1_attr){IKEV1_OAKLEY_KEY_LENGTH, true, 256, {0}};
	sa->attr[2] =
	    (struct v1_attr){IKEV1_OAKLEY_LIFE_DURATION, false, 0, {life, 4}};
	sa->attr[3] =
	    (struct v1_attr){IKEV1_OAKLEY_GROUP_DESCRIPTION, true, 14, {0}};
	sa->attr[4] = (struct v1_attr){IKEV1_IPSEC_ENCAPSULATION_MODE,
				       true,
				       IKEV1_ENCAP_UDP_ENCAPSULATED_TUNNEL,
				       {0}};
	sa->attr[5] = (struct v1_attr){
	    IKEV1_IPSEC_SA_LIFE_DURATION, false, 0, {life + 1, 3}};
}

static void
sa_equal(const struct pld_v1_sa *a, const struct pld_v1_sa *b)
{
	unsigned i;

	ck_assert_uint_eq(a->doi, b->doi);
	ck_assert_uint_eq(a->situation, b->situation);
	ck_assert_uint_eq(a->n_prop, b->n_prop);
	ck_assert_uint_eq(a->n_xf, b->n_xf);
	ck_assert_uint_eq(a->n_attr, b->n_attr);
	for (i = 0; i < a->n_prop; i++) {
		ck_assert_uint_eq(a->prop[i].num, b->prop[i].num);
		ck_assert_uint_eq(a->prop[i].proto, b->prop[i].proto);
		ck_assert_uint_eq(a->prop[i].spi_size, b->prop[i].spi_size);
		ck_assert_uint_eq(a->prop[i].n_xf, b->prop[i].n_xf);
		ck_assert_uint_eq(a->prop[i].xf0, b->prop[i].xf0);
		ck_assert(bytes_eq(a->prop[i].spi, b->prop[i].spi));
	}
	for (i = 0; i < a->n_xf; i++) {
		ck_assert_uint_eq(a->xf[i].num, b->xf[i].num);
		ck_assert_uint_eq(a->xf[i].id, b->xf[i].id);
		ck_assert_uint_eq(a->xf[i].attr0, b->xf[i].attr0);
		ck_assert_uint_eq(a->xf[i].n_attr, b->xf[i].n_attr);
	}
	for (i = 0; i < a->n_attr; i++) {
		ck_assert_uint_eq(a->attr[i].type, b->attr[i].type);
		ck_assert_uint_eq(a->attr[i].tv, b->attr[i].tv);
		ck_assert_uint_eq(a->attr[i].val, b->attr[i].val);
		ck_assert(bytes_eq(a->attr[i].value, b->attr[i].value));
	}
}

START_TEST(sa_roundtrip)
{
	static struct pld_v1_sa in, out;
	struct msg_builder b;
	struct msg_v1 m;
	struct ike_err e;
	uint32_t v;

	fill_sa(&in);
	begin(&b, IKEV1_EXCH_IDENT_PROT, 0);
	pld_v1_sa_put(&b, &in);
	finish(&b, &m);
	ck_assert_uint_eq(m.n, 1);
	ck_assert_uint_eq(m.hdr.np, IKEV1_PL_SA);
	ck_assert_int_eq(pld_v1_sa_get(&m.pl[0], &out, &e), 0);
	sa_equal(&in, &out);
	ck_assert_int_eq(pld_v1_attr_u32(&out.attr[2], &v), 0);
	ck_assert_uint_eq(v, 86400);
	ck_assert_int_eq(pld_v1_attr_u32(&out.attr[5], &v), 0);
	ck_assert_uint_eq(v, 0x015180);
	/* The bytes of the last proposal: IPComp, CPI, one bare transform. */
	ck_assert_hex(mem + m.hdr.length - 18, 18,
		      "00000012"
		      "02040201"
		      "1234"
		      "00000008"
		      "01020000");
}
END_TEST

START_TEST(sa_roundtrip_encrypted)
{
	static struct pld_v1_sa in, out;
	struct msg_builder b;
	struct msg_v1 m;
	struct ike_err e;
	struct pld_v1_data h = {B("01234567890123456789")}, hout;

	fill_sa(&in);
	begin(&b, IKEV1_EXCH_QUICK_MODE, IKEV1_FLAG_ENCRYPTION);
	pld_v1_hash_put(&b, &h);
	pld_v1_sa_put(&b, &in);
	finish(&b, &m);
	ck_assert(m.encrypted);
	ck_assert_uint_eq(m.n, 2);
	ck_assert(m.pl[1].inner);
	ck_assert_int_eq(pld_v1_hash_get(&m.pl[0], &hout, &e), 0);
	ck_assert(bytes_eq(h.data, hout.data));
	ck_assert_int_eq(pld_v1_sa_get(&m.pl[1], &out, &e), 0);
	sa_equal(&in, &out);
}
END_TEST

START_TEST(simple_payloads_roundtrip)
{
	static const uint8_t v4[4] = {192, 0, 2, 1};
	static const uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
	static const uint8_t nonce_min[IKEV1_NONCE_MIN] = {1};
	struct pld_v1_data ke = {B("a Diffie-Hellman public value")};
	struct pld_v1_id id = {IKEV1_ID_FQDN, 17, 500, B("vpn.example.org")};
	struct pld_v1_id id4 = {IKEV1_ID_IPV4_ADDR, 0, 0, {v4, 4}};
	struct pld_v1_cert cert = {IKEV1_CERT_X509_SIGNATURE, B("DER")};
	struct pld_v1_cert cr = {IKEV1_CERT_X509_SIGNATURE, {0}};
	struct pld_v1_data hash = {B("hash of the exchange")};
	struct pld_v1_data sig = {B("a signature")};
	struct pld_v1_data nonce = {{nonce_min, sizeof(nonce_min)}};
	struct pld_v1_data vid = {B("strongSwan")};
	struct pld_v1_data natd = {B("twenty bytes of hash")};
	struct pld_v1_natoa oa4 = {IKEV1_ID_IPV4_ADDR, {v4, 4}};
	struct pld_v1_natoa oa6 = {IKEV1_ID_IPV6_ADDR, {v6, 16}};
	struct pld_v1_data d;
	struct pld_v1_id idout;
	struct pld_v1_cert cout;
	struct pld_v1_natoa oaout;
	struct msg_builder b;
	struct msg_v1 m;
	struct ike_err e;

	begin(&b, IKEV1_EXCH_AGGRESSIVE, 0);
	pld_v1_ke_put(&b, &ke);
	pld_v1_id_put(&b, &id);
	pld_v1_id_put(&b, &id4);
	pld_v1_cert_put(&b, &cert);
	pld_v1_certreq_put(&b, &cr);
	pld_v1_hash_put(&b, &hash);
	pld_v1_sig_put(&b, &sig);
	pld_v1_nonce_put(&b, &nonce);
	pld_v1_vid_put(&b, &vid);
	pld_v1_natd_put(&b, IKEV1_PL_NAT_D, &natd);
	pld_v1_natd_put(&b, IKEV1_PL_NAT_D_DRAFT, &natd);
	pld_v1_natoa_put(&b, IKEV1_PL_NAT_OA, &oa4);
	pld_v1_natoa_put(&b, IKEV1_PL_NAT_OA_DRAFT, &oa6);
	finish(&b, &m);
	ck_assert_uint_eq(m.n, 13);

	ck_assert_int_eq(pld_v1_ke_get(&m.pl[0], &d, &e), 0);
	ck_assert(bytes_eq(d.data, ke.data));
	ck_assert_int_eq(pld_v1_id_get(&m.pl[1], &idout, &e), 0);
	ck_assert_uint_eq(idout.type, IKEV1_ID_FQDN);
	ck_assert_uint_eq(idout.proto, 17);
	ck_assert_uint_eq(idout.port, 500);
	ck_assert(bytes_eq(idout.data, id.data));
	ck_assert_int_eq(pld_v1_id_get(&m.pl[2], &idout, &e), 0);
	ck_assert_uint_eq(idout.type, IKEV1_ID_IPV4_ADDR);
	ck_assert(bytes_eq(idout.data, id4.data));
	ck_assert_int_eq(pld_v1_cert_get(&m.pl[3], &cout, &e), 0);
	ck_assert_uint_eq(cout.encoding, IKEV1_CERT_X509_SIGNATURE);
	ck_assert(bytes_eq(cout.data, cert.data));
	ck_assert_uint_eq(m.pl[4].type, IKEV1_PL_CR);
	ck_assert_int_eq(pld_v1_certreq_get(&m.pl[4], &cout, &e), 0);
	ck_assert_uint_eq(cout.encoding, IKEV1_CERT_X509_SIGNATURE);
	ck_assert_uint_eq(cout.data.len, 0);
	ck_assert_int_eq(pld_v1_hash_get(&m.pl[5], &d, &e), 0);
	ck_assert(bytes_eq(d.data, hash.data));
	ck_assert_int_eq(pld_v1_sig_get(&m.pl[6], &d, &e), 0);
	ck_assert(bytes_eq(d.data, sig.data));
	ck_assert_int_eq(pld_v1_nonce_get(&m.pl[7], &d, &e), 0);
	ck_assert(bytes_eq(d.data, nonce.data));
	ck_assert_int_eq(pld_v1_vid_get(&m.pl[8], &d, &e), 0);
	ck_assert(bytes_eq(d.data, vid.data));
	ck_assert_uint_eq(m.pl[9].type, IKEV1_PL_NAT_D);
	ck_assert_int_eq(pld_v1_natd_get(&m.pl[9], &d, &e), 0);
	ck_assert(bytes_eq(d.data, natd.data));
	ck_assert_uint_eq(m.pl[10].type, IKEV1_PL_NAT_D_DRAFT);
	ck_assert_int_eq(pld_v1_natd_get(&m.pl[10], &d, &e), 0);
	ck_assert(bytes_eq(d.data, natd.data));
	ck_assert_uint_eq(m.pl[11].type, IKEV1_PL_NAT_OA);
	ck_assert_int_eq(pld_v1_natoa_get(&m.pl[11], &oaout, &e), 0);
	ck_assert_uint_eq(oaout.id_type, IKEV1_ID_IPV4_ADDR);
	ck_assert(bytes_eq(oaout.addr, oa4.addr));
	ck_assert_uint_eq(m.pl[12].type, IKEV1_PL_NAT_OA_DRAFT);
	ck_assert_int_eq(pld_v1_natoa_get(&m.pl[12], &oaout, &e), 0);
	ck_assert_uint_eq(oaout.id_type, IKEV1_ID_IPV6_ADDR);
	ck_assert(bytes_eq(oaout.addr, oa6.addr));
	/* The NAT-OA's bytes (RFC 3947 5.1), the last of the chain. */
	ck_assert_hex(mem + m.pl[12].offset, 24,
		      "00000018"
		      "05000000"
		      "20010db8000000000000000000000001");
}
END_TEST

START_TEST(notify_and_delete_roundtrip)
{
	static const uint8_t cookies[16] = {1, 2,  3,  4,  5,  6,  7,  8,
					    9, 10, 11, 12, 13, 14, 15, 16};
	static const uint8_t seq[4] = {0, 0, 0, 42};
	static const uint8_t spis[8] = {0xc0, 0xff, 0xee, 1,
					0xc0, 0xff, 0xee, 2};
	struct pld_v1_notify n = {
	    IKEV1_DOI_IPSEC,       IKEV1_PROTO_ISAKMP, 16,
	    IKEV1_N_R_U_THERE_ACK, {cookies, 16},      {seq, 4}};
	struct pld_v1_notify ic = {IKEV1_DOI_ISAKMP,
				   IKEV1_PROTO_ISAKMP,
				   0,
				   IKEV1_N_INITIAL_CONTACT,
				   {0},
				   {0}};
	struct pld_v1_delete d = {
	    IKEV1_DOI_IPSEC, IKEV1_PROTO_IPSEC_ESP, 4, 2, {spis, 8}};
	struct pld_v1_delete dsa = {
	    IKEV1_DOI_IPSEC, IKEV1_PROTO_ISAKMP, 16, 1, {cookies, 16}};
	struct pld_v1_notify nout;
	struct pld_v1_delete dout;
	struct msg_builder b;
	struct msg_v1 m;
	struct ike_err e;

	begin(&b, IKEV1_EXCH_INFORMATIONAL, IKEV1_FLAG_ENCRYPTION);
	pld_v1_notify_put(&b, &n);
	pld_v1_notify_put(&b, &ic);
	pld_v1_delete_put(&b, &d);
	pld_v1_delete_put(&b, &dsa);
	finish(&b, &m);
	ck_assert_uint_eq(m.n, 4);
	ck_assert_int_eq(pld_v1_notify_get(&m.pl[0], &nout, &e), 0);
	ck_assert_uint_eq(nout.doi, n.doi);
	ck_assert_uint_eq(nout.proto, n.proto);
	ck_assert_uint_eq(nout.spi_size, 16);
	ck_assert_uint_eq(nout.type, IKEV1_N_R_U_THERE_ACK);
	ck_assert(bytes_eq(nout.spi, n.spi));
	ck_assert(bytes_eq(nout.data, n.data));
	ck_assert_int_eq(pld_v1_notify_get(&m.pl[1], &nout, &e), 0);
	ck_assert_uint_eq(nout.doi, IKEV1_DOI_ISAKMP);
	ck_assert_uint_eq(nout.type, IKEV1_N_INITIAL_CONTACT);
	ck_assert_uint_eq(nout.spi.len, 0);
	ck_assert_uint_eq(nout.data.len, 0);
	ck_assert_int_eq(pld_v1_delete_get(&m.pl[2], &dout, &e), 0);
	ck_assert_uint_eq(dout.doi, d.doi);
	ck_assert_uint_eq(dout.proto, d.proto);
	ck_assert_uint_eq(dout.spi_size, 4);
	ck_assert_uint_eq(dout.n_spi, 2);
	ck_assert(bytes_eq(dout.spis, d.spis));
	ck_assert_int_eq(pld_v1_delete_get(&m.pl[3], &dout, &e), 0);
	ck_assert_uint_eq(dout.proto, IKEV1_PROTO_ISAKMP);
	ck_assert_uint_eq(dout.n_spi, 1);
	ck_assert(bytes_eq(dout.spis, dsa.spis));
	/* RFC 3706's R-U-THERE-ACK as it travels. */
	ck_assert_hex(mem + m.pl[0].offset, 32,
		      "0b000020"
		      "00000001"
		      "01108d29"
		      "0102030405060708090a0b0c0d0e0f10"
		      "0000002a");
}
END_TEST

/* Nonce bounds of RFC 2409 5: 8 and 256 pass, 7 and 257 do not. */
START_TEST(nonce_bounds)
{
	static uint8_t big[IKEV1_NONCE_MAX + 1];
	static const size_t lens[] = {7, 8, 256, 257};
	size_t i;

	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		struct pld_v1_data n = {{big, lens[i]}};
		struct msg_builder b;
		struct msg_v1 m;
		struct ike_err e = {0};
		size_t len;
		int rc;

		begin(&b, IKEV1_EXCH_IDENT_PROT, 0);
		pld_v1_nonce_put(&b, &n);
		len = msg_build_finish(&b);
		ck_assert_int_eq(msg_v1_frame(mem, len, &m, &e), 0);
		rc = msg_v1_decode_all(&m, &e);
		if (lens[i] == 7 || lens[i] == 257) {
			ck_assert_int_eq(rc, -1);
			ck_assert_uint_eq(e.notify, IKEV1_N_PAYLOAD_MALFORMED);
			ck_assert_ptr_nonnull(strstr(e.msg, "NONCE"));
		} else {
			ck_assert_msg(rc == 0, "%s", e.msg);
		}
	}
}
END_TEST

/* An SA of n proposals with t transforms of a attributes each, written
 * byte by byte past the encoder's own bounds. */
static size_t
raw_sa(unsigned n, unsigned t, unsigned a)
{
	struct ike_hdr h;
	struct msg_builder b;
	unsigned i, j, k;

	msg_v1_hdr_init(&h, icookie, NULL, IKEV1_EXCH_IDENT_PROT, 0, 0);
	msg_build_init(&b, mem, sizeof(mem), &h);
	msg_v1_pld_begin(&b, IKEV1_PL_SA);
	wbuf_u32(&b.w, IKEV1_DOI_IPSEC);
	wbuf_u32(&b.w, IKEV1_SIT_IDENTITY_ONLY);
	for (i = 0; i < n; i++) {
		wbuf_u8(&b.w, i + 1 < n ? IKEV1_PL_P : IKEV1_PL_NONE);
		wbuf_u8(&b.w, 0);
		wbuf_u16(&b.w, (uint16_t)(8 + t * (8 + 4 * a)));
		wbuf_u8(&b.w, (uint8_t)(i + 1));
		wbuf_u8(&b.w, IKEV1_PROTO_ISAKMP);
		wbuf_u8(&b.w, 0);
		wbuf_u8(&b.w, (uint8_t)t);
		for (j = 0; j < t; j++) {
			wbuf_u8(&b.w, j + 1 < t ? IKEV1_PL_T : IKEV1_PL_NONE);
			wbuf_u8(&b.w, 0);
			wbuf_u16(&b.w, (uint16_t)(8 + 4 * a));
			wbuf_u8(&b.w, (uint8_t)(j + 1));
			wbuf_u8(&b.w, IKEV1_KEY_IKE);
			wbuf_u16(&b.w, 0);
			for (k = 0; k < a; k++) {
				wbuf_u16(&b.w, IKEV1_ATTR_AF_TV | (k + 1));
				wbuf_u16(&b.w, (uint16_t)k);
			}
		}
	}
	msg_pld_end(&b);
	return msg_build_finish(&b);
}

static int
decode_raw(size_t len, struct ike_err *e)
{
	static struct pld_v1_sa sa;
	struct msg_v1 m;

	ck_assert_uint_gt(len, 0);
	ck_assert_int_eq(msg_v1_frame(mem, len, &m, e), 0);
	return pld_v1_sa_get(&m.pl[0], &sa, e);
}

START_TEST(sa_count_bounds)
{
	struct ike_err e = {0};

	ck_assert_int_eq(decode_raw(raw_sa(IKEV1_MAX_PROPOSALS, 1, 0), &e), 0);
	ck_assert_int_eq(decode_raw(raw_sa(IKEV1_MAX_PROPOSALS + 1, 1, 0), &e),
			 -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "more proposals"));
	ck_assert_int_eq(decode_raw(raw_sa(4, 16, 0), &e), 0);
	ck_assert_int_eq(decode_raw(raw_sa(5, 13, 0), &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "more transforms"));
	ck_assert_int_eq(decode_raw(raw_sa(1, 1, IKEV1_MAX_XF_ATTRS), &e), 0);
	ck_assert_int_eq(decode_raw(raw_sa(1, 1, IKEV1_MAX_XF_ATTRS + 1), &e),
			 -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "more attributes"));
	/* 11 transforms of 24 attributes pass the per-transform bound
	 * but not the per-payload one (256). */
	ck_assert_int_eq(decode_raw(raw_sa(1, 10, IKEV1_MAX_XF_ATTRS), &e), 0);
	ck_assert_int_eq(decode_raw(raw_sa(1, 11, IKEV1_MAX_XF_ATTRS), &e), -1);
	ck_assert_uint_eq(e.notify, IKEV1_N_BAD_PROPOSAL_SYNTAX);
}
END_TEST

START_TEST(attr_u32)
{
	static const uint8_t five[5] = {1, 2, 3, 4, 5};
	struct v1_attr tv = {IKEV1_OAKLEY_LIFE_DURATION, true, 3600, {0}};
	struct v1_attr tlv1 = {IKEV1_OAKLEY_LIFE_DURATION, false, 0, {five, 1}};
	struct v1_attr tlv5 = {IKEV1_OAKLEY_LIFE_DURATION, false, 0, {five, 5}};
	struct v1_attr tlv0 = {IKEV1_OAKLEY_LIFE_DURATION, false, 0, {0}};
	uint32_t v;

	ck_assert_int_eq(pld_v1_attr_u32(&tv, &v), 0);
	ck_assert_uint_eq(v, 3600);
	ck_assert_int_eq(pld_v1_attr_u32(&tlv1, &v), 0);
	ck_assert_uint_eq(v, 1);
	ck_assert_int_eq(pld_v1_attr_u32(&tlv5, &v), -1);
	ck_assert_int_eq(pld_v1_attr_u32(&tlv0, &v), -1);
}
END_TEST

/* Encoders refuse structs that break their own bounds instead of
 * writing what they cannot describe. */
START_TEST(encoders_refuse_inconsistent)
{
	static struct pld_v1_sa sa;
	static const uint8_t spis[4] = {1, 2, 3, 4};
	struct pld_v1_delete d = {
	    IKEV1_DOI_IPSEC, IKEV1_PROTO_IPSEC_ESP, 4, 2, {spis, 4}};
	struct msg_builder b;

	fill_sa(&sa);
	sa.prop[1].xf0 = 4; /* past n_xf */
	begin(&b, IKEV1_EXCH_IDENT_PROT, 0);
	pld_v1_sa_put(&b, &sa);
	ck_assert_uint_eq(msg_build_finish(&b), 0);

	fill_sa(&sa);
	sa.xf[0].n_attr = 7; /* past n_attr */
	begin(&b, IKEV1_EXCH_IDENT_PROT, 0);
	pld_v1_sa_put(&b, &sa);
	ck_assert_uint_eq(msg_build_finish(&b), 0);

	fill_sa(&sa);
	sa.n_prop = IKEV1_MAX_PROPOSALS + 1;
	begin(&b, IKEV1_EXCH_IDENT_PROT, 0);
	pld_v1_sa_put(&b, &sa);
	ck_assert_uint_eq(msg_build_finish(&b), 0);

	begin(&b, IKEV1_EXCH_INFORMATIONAL, 0);
	pld_v1_delete_put(&b, &d); /* 2 SPIs announced, 1 given */
	ck_assert_uint_eq(msg_build_finish(&b), 0);

	/* The builder's storage bound holds for v1 as for v2. */
	fill_sa(&sa);
	{
		static uint8_t small[40];
		struct ike_hdr h;

		msg_v1_hdr_init(&h, icookie, NULL, IKEV1_EXCH_IDENT_PROT, 0, 0);
		msg_build_init(&b, small, sizeof(small), &h);
		pld_v1_sa_put(&b, &sa);
		ck_assert_uint_eq(msg_build_finish(&b), 0);
	}
}
END_TEST

/* Payloads we frame but do not decode are skipped by decode_all: an
 * assigned one (15, GDOI's SAK) and a private one (FRAG). */
START_TEST(undecoded_payloads_skipped)
{
	struct msg_builder b;
	struct msg_v1 m;

	begin(&b, IKEV1_EXCH_IDENT_PROT, 0);
	msg_v1_pld_begin(&b, 15);
	msg_pld_end(&b);
	msg_v1_pld_begin(&b, IKEV1_PL_FRAG);
	msg_pld_end(&b);
	finish(&b, &m);
	ck_assert_uint_eq(m.n, 2);
	ck_assert_uint_eq(m.pl[0].type, 15);
	ck_assert_uint_eq(m.pl[1].type, IKEV1_PL_FRAG);
}
END_TEST

/* Mode Config's ATTR payload: an XAUTH request (TV type, empty TLV user
 * name and password) and a reply with an address. */
START_TEST(cfg_roundtrip)
{
	static const uint8_t addr[4] = {10, 3, 0, 1};
	static struct pld_v1_cfg req, reply, out;
	struct msg_builder b;
	struct msg_v1 m;
	struct ike_err e;
	unsigned i;

	req.type = IKEV1_CFG_REQUEST;
	req.ident = 0x1234;
	req.n = 3;
	req.attr[0] = (struct v1_attr){16520, true, 0, {0}}; /* XAUTH-TYPE */
	req.attr[1] = (struct v1_attr){16521, false, 0, {0}};
	req.attr[2] = (struct v1_attr){16522, false, 0, {0}};
	reply.type = IKEV1_CFG_REPLY;
	reply.ident = 0x1234;
	reply.n = 1;
	reply.attr[0] = (struct v1_attr){1, false, 0, {addr, 4}};
	begin(&b, IKEV1_EXCH_TRANSACTION, IKEV1_FLAG_ENCRYPTION);
	pld_v1_cfg_put(&b, &req);
	pld_v1_cfg_put(&b, &reply);
	finish(&b, &m);
	ck_assert_uint_eq(m.n, 2);
	ck_assert_int_eq(pld_v1_cfg_get(&m.pl[0], &out, &e), 0);
	ck_assert_uint_eq(out.type, IKEV1_CFG_REQUEST);
	ck_assert_uint_eq(out.ident, 0x1234);
	ck_assert_uint_eq(out.n, 3);
	for (i = 0; i < 3; i++) {
		ck_assert_uint_eq(out.attr[i].type, req.attr[i].type);
		ck_assert_uint_eq(out.attr[i].tv, req.attr[i].tv);
		ck_assert_uint_eq(out.attr[i].value.len, 0);
	}
	ck_assert_int_eq(pld_v1_cfg_get(&m.pl[1], &out, &e), 0);
	ck_assert_uint_eq(out.type, IKEV1_CFG_REPLY);
	ck_assert_uint_eq(out.n, 1);
	ck_assert(bytes_eq(out.attr[0].value, reply.attr[0].value));
	ck_assert_hex(mem + m.pl[1].offset, 16,
		      "00000010"
		      "02001234"
		      "00010004"
		      "0a030001");
}
END_TEST

START_TEST(cfg_bounds)
{
	static struct pld_v1_cfg cfg;
	struct msg_builder b;
	struct msg_v1 m;
	struct ike_err e = {0};
	unsigned i;

	cfg.type = IKEV1_CFG_SET;
	cfg.n = IKEV1_MAX_CFG_ATTRS;
	for (i = 0; i < cfg.n; i++)
		cfg.attr[i] = (struct v1_attr){(uint16_t)(i + 1), true, 1, {0}};
	begin(&b, IKEV1_EXCH_TRANSACTION, 0);
	pld_v1_cfg_put(&b, &cfg);
	finish(&b, &m);
	/* One more attribute, added by hand past the encoder's bound. */
	cfg.n = IKEV1_MAX_CFG_ATTRS + 1;
	begin(&b, IKEV1_EXCH_TRANSACTION, 0);
	pld_v1_cfg_put(&b, &cfg);
	ck_assert_uint_eq(msg_build_finish(&b), 0);
	cfg.n = IKEV1_MAX_CFG_ATTRS;
	begin(&b, IKEV1_EXCH_TRANSACTION, 0);
	pld_v1_cfg_put(&b, &cfg);
	wbuf_u32(&b.w, 0x80630001);
	msg_pld_end(&b);
	ck_assert_int_eq(msg_v1_frame(mem, msg_build_finish(&b), &m, &e), 0);
	ck_assert_int_eq(msg_v1_decode_all(&m, &e), -1);
	ck_assert_uint_eq(e.notify, IKEV1_N_PAYLOAD_MALFORMED);
	ck_assert_ptr_nonnull(strstr(e.msg, "more attributes"));
}
END_TEST

Suite *
pld_v1_suite(void)
{
	Suite *s = suite_create("pld_v1");
	TCase *tc = tcase_create("roundtrip");

	tcase_add_test(tc, header_roundtrip);
	tcase_add_test(tc, sa_roundtrip);
	tcase_add_test(tc, sa_roundtrip_encrypted);
	tcase_add_test(tc, simple_payloads_roundtrip);
	tcase_add_test(tc, notify_and_delete_roundtrip);
	tcase_add_test(tc, nonce_bounds);
	tcase_add_test(tc, sa_count_bounds);
	tcase_add_test(tc, attr_u32);
	tcase_add_test(tc, encoders_refuse_inconsistent);
	tcase_add_test(tc, undecoded_payloads_skipped);
	tcase_add_test(tc, cfg_roundtrip);
	tcase_add_test(tc, cfg_bounds);
	suite_add_tcase(s, tc);
	return s;
}
