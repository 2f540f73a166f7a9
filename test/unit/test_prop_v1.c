/* SPDX-License-Identifier: ISC */
/*
 * IKEv1 SA payloads as proposals: configured proposals expanded, encoded,
 * put on the wire and decoded back equal; the offers of real L2TP/IPsec
 * clients (docs/clients.md), built here transform by transform as they
 * send them, against a typical server; refusal texts; unknown and missing
 * attributes; TLV life durations; the NAT-T drafts' encapsulation modes;
 * lifetimes and RESPONDER-LIFETIME; the echoed answer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "prop_v1.h"
#include "testutil.h"

#define IKE      IKEV2_PROTO_IKE
#define ESP      IKEV2_PROTO_ESP
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Numbers as the clients send them (RFC 2409 Appendix A, RFC 2407 4.5) */
#define ENC_AES  7
#define ENC_3DES 5
#define H_MD5    1
#define H_SHA1   2
#define H_SHA256 4
#define H_SHA512 6
#define PSK      IKEV1_AUTH_PRE_SHARED_KEY
#define RSASIG   IKEV1_AUTH_RSA_SIGNATURES
#define ESP_AES  12
#define ESP_3DES 3
#define A_SHA1   2
#define A_SHA256 5

static uint8_t mem_peer[8192], mem_ours[8192];

/* --- an SA payload built by hand, as a client would send it ------------ */

struct sab {
	struct pld_v1_sa sa;
	uint8_t spi[IKEV1_MAX_PROPOSALS][4];
	uint8_t tlv[32][8];
	unsigned n_tlv;
};

static void
sab_init(struct sab *b)
{
	memset(b, 0, sizeof(*b));
	b->sa.doi = IKEV1_DOI_IPSEC;
	b->sa.situation = IKEV1_SIT_IDENTITY_ONLY;
}

static void
sab_prop(struct sab *b, uint8_t num, uint8_t proto, uint32_t spi)
{
	struct v1_proposal *p = &b->sa.prop[b->sa.n_prop];

	p->num = num;
	p->proto = proto;
	p->xf0 = b->sa.n_xf;
	if (proto != IKEV1_PROTO_ISAKMP) {
		uint8_t *s = b->spi[b->sa.n_prop];

		s[0] = (uint8_t)(spi >> 24);
		s[1] = (uint8_t)(spi >> 16);
		s[2] = (uint8_t)(spi >> 8);
		s[3] = (uint8_t)spi;
		p->spi = (struct bytes){s, 4};
		p->spi_size = 4;
	}
	b->sa.n_prop++;
}

static void
sab_xf(struct sab *b, uint8_t num, uint8_t id)
{
	struct v1_transform *t = &b->sa.xf[b->sa.n_xf++];

	t->num = num;
	t->id = id;
	t->attr0 = b->sa.n_attr;
	b->sa.prop[b->sa.n_prop - 1].n_xf++;
}

static void
sab_tv(struct sab *b, uint16_t type, uint16_t v)
{
	b->sa.attr[b->sa.n_attr++] = (struct v1_attr){type, true, v, {0}};
	b->sa.xf[b->sa.n_xf - 1].n_attr++;
}

static void
sab_tlv(struct sab *b, uint16_t type, const char *hex)
{
	size_t n;
	uint8_t *v = hex_decode(hex, &n);

	ck_assert_uint_le(n, 8);
	memcpy(b->tlv[b->n_tlv], v, n);
	free(v);
	b->sa.attr[b->sa.n_attr++] =
	    (struct v1_attr){type, false, 0, {b->tlv[b->n_tlv++], n}};
	b->sa.xf[b->sa.n_xf - 1].n_attr++;
}

/* A phase 1 transform the way Windows, macOS and Android write one. */
static void
p1_xf(struct sab *b, uint8_t num, uint16_t enc, uint16_t keylen, uint16_t hash,
      uint16_t group, uint16_t auth, uint16_t life_s)
{
	sab_xf(b, num, IKEV1_KEY_IKE);
	sab_tv(b, IKEV1_OAKLEY_ENCRYPTION_ALGORITHM, enc);
	if (keylen != 0)
		sab_tv(b, IKEV1_OAKLEY_KEY_LENGTH, keylen);
	sab_tv(b, IKEV1_OAKLEY_HASH_ALGORITHM, hash);
	sab_tv(b, IKEV1_OAKLEY_AUTHENTICATION_METHOD, auth);
	sab_tv(b, IKEV1_OAKLEY_GROUP_DESCRIPTION, group);
	sab_tv(b, IKEV1_OAKLEY_LIFE_TYPE, IKEV1_LIFE_TYPE_SECONDS);
	sab_tv(b, IKEV1_OAKLEY_LIFE_DURATION, life_s);
}

/* A Quick Mode ESP transform; kb 0 leaves the volume lifetime out. */
static void
p2_xf(struct sab *b, uint8_t num, uint8_t id, uint16_t keylen, uint16_t auth,
      uint16_t encap, uint16_t life_s, const char *life_kb_hex)
{
	sab_xf(b, num, id);
	sab_tv(b, IKEV1_IPSEC_SA_LIFE_TYPE, IKEV1_LIFE_TYPE_SECONDS);
	sab_tv(b, IKEV1_IPSEC_SA_LIFE_DURATION, life_s);
	if (life_kb_hex != NULL) {
		sab_tv(b, IKEV1_IPSEC_SA_LIFE_TYPE, IKEV1_LIFE_TYPE_KILOBYTES);
		sab_tlv(b, IKEV1_IPSEC_SA_LIFE_DURATION, life_kb_hex);
	}
	sab_tv(b, IKEV1_IPSEC_ENCAPSULATION_MODE, encap);
	if (auth != 0)
		sab_tv(b, IKEV1_IPSEC_AUTHENTICATION_ALGORITHM, auth);
	if (keylen != 0)
		sab_tv(b, IKEV1_IPSEC_KEY_LENGTH, keylen);
}

/* Through the wire: encode into mem, frame, decode into out (whose
 * attribute values then point into mem). */
static void
wire(const struct pld_v1_sa *in, uint8_t *mem, struct pld_v1_sa *out)
{
	static const uint8_t ck[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	struct msg_builder b;
	struct ike_hdr h;
	struct msg_v1 m;
	struct ike_err e = {0};
	size_t len;

	msg_v1_hdr_init(&h, ck, ck, IKEV1_EXCH_IDENT_PROT, 0, 0);
	msg_build_init(&b, mem, 8192, &h);
	pld_v1_sa_put(&b, in);
	len = msg_build_finish(&b);
	ck_assert_uint_gt(len, 0);
	ck_assert_msg(msg_v1_frame(mem, len, &m, &e) == 0, "%s", e.msg);
	ck_assert_uint_eq(m.n, 1);
	ck_assert_msg(pld_v1_sa_get(&m.pl[0], out, &e) == 0, "%s", e.msg);
}

static void
decode(struct sab *b, bool p1, struct pld_v1_sa *sa, struct prop_v1_list *l)
{
	char err[128] = "";
	uint16_t notify = 0;

	wire(&b->sa, mem_peer, sa);
	if (p1)
		ck_assert_msg(
		    prop_v1_p1_decode(sa, l, &notify, err, sizeof(err)) == 0,
		    "%s", err);
	else
		ck_assert_msg(
		    prop_v1_p2_decode(sa, l, &notify, err, sizeof(err)) == 0,
		    "%s", err);
}

static size_t
parse_list(const char *const *s, size_t n, uint8_t proto, struct proposal *out)
{
	char err[128];
	size_t i;

	for (i = 0; i < n; i++) {
		ck_assert_msg(
		    prop_parse(s[i], proto, &out[i], err, sizeof(err)) == 0,
		    "%s: %s", s[i], err);
		out[i].num = (uint8_t)(i + 1);
	}
	return n;
}

static void
assert_fmt(const struct proposal *p, const char *want)
{
	char s[128];

	ck_assert_int_eq(prop_format(p, s, sizeof(s)), 0);
	ck_assert_str_eq(s, want);
}

static void
assert_has(const char *text, const char *want)
{
	ck_assert_msg(strstr(text, want) != NULL, "'%s' lacks '%s'", text,
		      want);
}

/* docs/clients.md: typical server settings */
static const char *const l2tp_ike[] = {
    "aes256-sha1-ecp384",     "aes128-sha1-ecp256",   "aes256-sha1-modp2048",
    "aes256-sha256-modp2048", "aes128-sha1-modp2048",
};
static const char *const l2tp_esp[] = {"aes128-sha1", "aes256-sha1",
				       "aes256-sha256"};
static const uint16_t psk[] = {PSK};
static const uint8_t our_spi[4] = {0xca, 0xfe, 0xf0, 0x0d};

/* --- round trips --------------------------------------------------------- */

START_TEST(p1_roundtrip)
{
	static const char *const conf[] = {
	    "aes256-aes128-sha256-sha1-modp2048-ecp256",
	    "aes128gcm16-prfsha256-curve25519-ecp256",
	    "3des-md5-modp1024",
	};
	static const uint16_t auths[] = {PSK, IKEV1_AUTH_ECDSA_SHA384_P384};
	const struct prop_v1_p1_cfg cfg = {auths, 2, 100000, 0};
	static struct proposal ours[4], xf[64];
	static struct prop_v1_sa enc;
	static struct pld_v1_sa back;
	static struct prop_v1_list dec;
	char skipped[256], err[64];
	uint16_t notify;
	int n, i;

	parse_list(conf, NELEM(conf), IKE, ours);
	n = prop_v1_p1_expand(ours, NELEM(conf), &cfg, xf, NELEM(xf), skipped,
			      sizeof(skipped));
	/* 2 ciphers x 2 hashes x 2 groups x 2 methods, then 3des-md5 x 2. */
	ck_assert_int_eq(n, 18);
	ck_assert_str_eq(skipped, "aes128gcm16 (no IKEv1 phase 1 number), "
				  "curve25519 (no IKEv1 phase 1 number)");
	assert_fmt(&xf[0], "aes256-sha256-modp2048");
	ck_assert_uint_eq(xf[0].v1.auth_method, PSK);
	ck_assert_uint_eq(xf[1].v1.auth_method, IKEV1_AUTH_ECDSA_SHA384_P384);
	assert_fmt(&xf[2], "aes256-sha256-ecp256");
	assert_fmt(&xf[4], "aes256-sha1-modp2048");
	assert_fmt(&xf[8], "aes128-sha256-modp2048");
	assert_fmt(&xf[17], "3des-md5-modp1024");

	ck_assert_int_eq(prop_v1_encode(xf, (size_t)n, &enc), 0);
	ck_assert_uint_eq(enc.sa.n_prop, 1);
	ck_assert_uint_eq(enc.sa.prop[0].proto, IKEV1_PROTO_ISAKMP);
	ck_assert_uint_eq(enc.sa.prop[0].n_xf, 18);
	wire(&enc.sa, mem_ours, &back);
	ck_assert_int_eq(
	    prop_v1_p1_decode(&back, &dec, &notify, err, sizeof(err)), 0);
	ck_assert_uint_eq(dec.n, (size_t)n);
	ck_assert_uint_eq(dec.xf_num[17], 18);
	for (i = 0; i < n; i++) {
		ck_assert_str_eq(dec.why[i], "");
		ck_assert_msg(prop_equal(&dec.p[i], &xf[i]), "transform %d", i);
	}
	/* 100000 s does not fit 16 bits: a 4-octet TLV. */
	ck_assert(!back.attr[back.xf[0].attr0 + 6].tv);
	ck_assert_uint_eq(back.attr[back.xf[0].attr0 + 6].value.len, 4);
}
END_TEST

START_TEST(p2_roundtrip)
{
	static const char *const conf[] = {
	    "aes128-sha1",
	    "aes256-sha256-sha256_96-modp2048-ecp256",
	    "aes128gcm16-esn-noesn",
	    "chacha20poly1305",
	};
	const struct prop_v1_p2_cfg cfg = {
	    IKEV1_ENCAP_UDP_ENCAPSULATED_TRANSPORT, true, 3600, 100000,
	    our_spi};
	static struct proposal ours[4], xf[64];
	static struct prop_v1_sa enc;
	static struct pld_v1_sa back;
	static struct prop_v1_list dec;
	char skipped[256], err[64];
	uint16_t notify;
	int n, i;

	parse_list(conf, NELEM(conf), ESP, ours);
	n = prop_v1_p2_expand(ours, NELEM(conf), &cfg, xf, NELEM(xf), skipped,
			      sizeof(skipped));
	ck_assert_int_eq(n, 1 + 4 + 2);
	ck_assert_str_eq(skipped, "chacha20poly1305 (no IKEv1 ESP number)");
	assert_fmt(&xf[0], "aes128-sha1");
	ck_assert_uint_eq(xf[0].num, 1);
	ck_assert_uint_eq(xf[1].num, 2);
	assert_fmt(&xf[1], "aes256-sha256-modp2048");
	assert_fmt(&xf[2], "aes256-sha256-ecp256");
	assert_fmt(&xf[3], "aes256-sha256_96-modp2048");
	ck_assert_uint_eq(xf[5].num, 3);
	assert_fmt(&xf[5], "aes128gcm16-esn");
	assert_fmt(&xf[6], "aes128gcm16");
	/* The drafts' number, as the peer spoke the drafts. */
	ck_assert_uint_eq(xf[0].v1.encap,
			  IKEV1_ENCAP_UDP_ENCAPSULATED_TRANSPORT_DRAFT);

	ck_assert_int_eq(prop_v1_encode(xf, (size_t)n, &enc), 0);
	ck_assert_uint_eq(enc.sa.n_prop, 3);
	wire(&enc.sa, mem_ours, &back);
	ck_assert_uint_eq(back.prop[1].proto, IKEV1_PROTO_IPSEC_ESP);
	ck_assert_mem_eq(back.prop[1].spi.ptr, our_spi, 4);
	ck_assert_uint_eq(back.xf[5].id, 20); /* ESP_AES_GCM_16 */
	ck_assert_uint_eq(back.xf[4].num, 4);
	ck_assert_uint_eq(back.xf[5].num, 1);
	ck_assert_int_eq(
	    prop_v1_p2_decode(&back, &dec, &notify, err, sizeof(err)), 0);
	ck_assert_uint_eq(dec.n, (size_t)n);
	for (i = 0; i < n; i++) {
		ck_assert_str_eq(dec.why[i], "");
		/* sha256_96 is sent under sha256's number and read back as
		 * sha256: only selection against our config says 96. */
		if (i == 3 || i == 4) {
			assert_fmt(&dec.p[i], i == 3 ? "aes256-sha256-modp2048"
						     : "aes256-sha256-ecp256");
			continue;
		}
		ck_assert_msg(prop_equal(&dec.p[i], &xf[i]), "transform %d", i);
	}
}
END_TEST

START_TEST(expand_limits)
{
	static struct proposal ours[2], xf[64];
	const struct prop_v1_p1_cfg cfg = {psk, 1, 28800, 0};
	char skipped[256];

	parse_list((const char *const[]){"aes128-aes192-aes256-3des-sha1-"
					 "sha256-sha384-sha512-md5-modp2048-"
					 "modp3072-modp4096-ecp256"},
		   1, IKE, ours);
	ck_assert_int_eq(prop_v1_p1_expand(ours, 1, &cfg, xf, NELEM(xf),
					   skipped, sizeof(skipped)),
			 -1);
	assert_has(skipped, "more than 64 IKEv1 transforms");
	/* Nothing IKEv1 can say. */
	parse_list((const char *const[]){"aes128gcm16-prfsha256-curve25519"}, 1,
		   IKE, ours);
	ck_assert_int_eq(prop_v1_p1_expand(ours, 1, &cfg, xf, NELEM(xf),
					   skipped, sizeof(skipped)),
			 -1);
	ck_assert_str_eq(skipped, "aes128gcm16 (no IKEv1 phase 1 number), "
				  "curve25519 (no IKEv1 phase 1 number); no "
				  "proposal can be sent in IKEv1");
	/* A PRF other than the hash's cannot be said in IKEv1. */
	parse_list((const char *const[]){"aes128-sha256-prfsha1-modp2048"}, 1,
		   IKE, ours);
	ck_assert_int_eq(prop_v1_p1_expand(ours, 1, &cfg, xf, NELEM(xf),
					   skipped, sizeof(skipped)),
			 -1);
	assert_has(skipped, "sha256 (IKEv1 uses the hash as PRF");
}
END_TEST

/* --- real clients ----------------------------------------------------------
 */

START_TEST(clients_windows)
{
	static struct sab b;
	static struct pld_v1_sa sa, ans;
	static struct prop_v1_list l;
	static struct prop_v1_sa echo;
	static struct proposal ours[8];
	const struct prop_v1_p1_cfg c1 = {psk, 1, 28800, 0};
	const struct prop_v1_p2_cfg c2 = {
	    IKEV1_ENCAP_UDP_ENCAPSULATED_TRANSPORT, false, 3600, 0, our_spi};
	struct prop_v1_choice c;
	char reason[512];
	size_t n, k;

	sab_init(&b);
	sab_prop(&b, 1, IKEV1_PROTO_ISAKMP, 0);
	p1_xf(&b, 1, ENC_AES, 256, H_SHA1, 20, PSK, 28800);
	p1_xf(&b, 2, ENC_AES, 128, H_SHA1, 19, PSK, 28800);
	p1_xf(&b, 3, ENC_AES, 256, H_SHA1, 14, PSK, 28800);
	p1_xf(&b, 4, ENC_AES, 128, H_SHA1, 14, PSK, 28800);
	p1_xf(&b, 5, ENC_AES, 256, H_SHA1, 2, PSK, 28800);
	p1_xf(&b, 6, ENC_3DES, 0, H_SHA1, 14, PSK, 28800);
	p1_xf(&b, 7, ENC_3DES, 0, H_SHA1, 2, PSK, 28800);
	decode(&b, true, &sa, &l);
	ck_assert_uint_eq(l.n, 7);
	assert_fmt(&l.p[5], "3des-sha1-modp2048");

	n = parse_list(l2tp_ike, NELEM(l2tp_ike), IKE, ours);
	ck_assert_int_eq(
	    prop_v1_p1_select(ours, n, &c1, &l, &c, reason, sizeof(reason)), 0);
	ck_assert_uint_eq(c.index, 0);
	assert_fmt(&c.chosen, "aes256-sha1-ecp384");
	ck_assert_uint_eq(c.xf_num, 1);
	ck_assert_uint_eq(c.life_s, 28800);
	ck_assert(!c.weak);

	/* The answer: the peer's transform 1, attributes as received. */
	ck_assert_int_eq(prop_v1_sa_echo(&sa, &l, &c, NULL, &echo), 0);
	wire(&echo.sa, mem_ours, &ans);
	ck_assert_uint_eq(ans.n_prop, 1);
	ck_assert_uint_eq(ans.n_xf, 1);
	ck_assert_uint_eq(ans.xf[0].num, 1);
	ck_assert_uint_eq(ans.n_attr, sa.xf[0].n_attr);
	for (k = 0; k < ans.n_attr; k++) {
		ck_assert_uint_eq(ans.attr[k].type, sa.attr[k].type);
		ck_assert_uint_eq(ans.attr[k].val, sa.attr[k].val);
	}

	/* Quick Mode behind NAT: one proposal per transform. */
	sab_init(&b);
	sab_prop(&b, 1, IKEV1_PROTO_IPSEC_ESP, 0x11111111);
	p2_xf(&b, 1, ESP_AES, 256, A_SHA1,
	      IKEV1_ENCAP_UDP_ENCAPSULATED_TRANSPORT, 3600, "0003d090");
	sab_prop(&b, 2, IKEV1_PROTO_IPSEC_ESP, 0x11111111);
	p2_xf(&b, 1, ESP_AES, 128, A_SHA1,
	      IKEV1_ENCAP_UDP_ENCAPSULATED_TRANSPORT, 3600, "0003d090");
	sab_prop(&b, 3, IKEV1_PROTO_IPSEC_ESP, 0x11111111);
	p2_xf(&b, 1, ESP_3DES, 0, A_SHA1,
	      IKEV1_ENCAP_UDP_ENCAPSULATED_TRANSPORT, 3600, "0003d090");
	decode(&b, false, &sa, &l);
	ck_assert_uint_eq(l.n, 3);
	ck_assert_uint_eq(l.p[1].num, 2);
	ck_assert_uint_eq(l.p[1].spi_size, 4);
	ck_assert_uint_eq(l.p[1].v1.life_kb, 250000);
	n = parse_list(l2tp_esp, NELEM(l2tp_esp), ESP, ours);
	ck_assert_int_eq(
	    prop_v1_p2_select(ours, n, &c2, &l, &c, reason, sizeof(reason)), 0);
	ck_assert_uint_eq(c.index, 1); /* our aes128-sha1 first */
	ck_assert_uint_eq(c.chosen.num, 2);
	assert_fmt(&c.chosen, "aes128-sha1");
	ck_assert_uint_eq(c.life_s, 3600);
	ck_assert_uint_eq(c.life_kb, 250000);
	ck_assert_uint_eq(c.notify_life_s, 0);
	ck_assert_uint_eq(c.notify_life_kb, 0);

	/* The answer carries our SPI, the peer's proposal number and
	 * attributes, the TLV volume lifetime included. */
	ck_assert_int_eq(prop_v1_sa_echo(&sa, &l, &c, our_spi, &echo), 0);
	wire(&echo.sa, mem_ours, &ans);
	ck_assert_uint_eq(ans.prop[0].num, 2);
	ck_assert_mem_eq(ans.prop[0].spi.ptr, our_spi, 4);
	ck_assert_uint_eq(ans.xf[0].id, ESP_AES);
	ck_assert(!ans.attr[3].tv);
	ck_assert_hex(ans.attr[3].value.ptr, ans.attr[3].value.len, "0003d090");
}
END_TEST

START_TEST(clients_macos)
{
	static const struct {
		uint16_t hash, group;
	} offers[] = {
	    {H_SHA256, 14}, {H_SHA1, 14}, {H_MD5, 14}, {H_SHA512, 14},
	    {H_SHA256, 5},  {H_SHA1, 5},  {H_MD5, 5},  {H_SHA512, 5},
	    {H_SHA256, 2},  {H_SHA1, 2},  {H_MD5, 2},  {H_SHA512, 2},
	};
	static struct sab b;
	static struct pld_v1_sa sa;
	static struct prop_v1_list l;
	static struct proposal ours[8];
	const struct prop_v1_p1_cfg c1 = {psk, 1, 28800, 0};
	const struct prop_v1_p2_cfg c2 = {
	    IKEV1_ENCAP_UDP_ENCAPSULATED_TRANSPORT, true, 3600, 0, our_spi};
	struct prop_v1_choice c;
	size_t n, i;

	sab_init(&b);
	sab_prop(&b, 1, IKEV1_PROTO_ISAKMP, 0);
	for (i = 0; i < NELEM(offers); i++)
		p1_xf(&b, (uint8_t)(i + 1), ENC_AES, 256, offers[i].hash,
		      offers[i].group, PSK, 3600);
	p1_xf(&b, 13, ENC_AES, 128, H_SHA1, 2, PSK, 3600);
	p1_xf(&b, 14, ENC_3DES, 0, H_SHA1, 2, PSK, 3600);
	decode(&b, true, &sa, &l);
	ck_assert_uint_eq(l.n, 14);
	n = parse_list(l2tp_ike, NELEM(l2tp_ike), IKE, ours);
	/* The Mac prefers SHA-256; our third proposal, aes256-sha1-modp2048,
	 * comes before our fourth. */
	ck_assert_int_eq(prop_v1_p1_select(ours, n, &c1, &l, &c, NULL, 0), 0);
	ck_assert_uint_eq(c.index, 1);
	ck_assert_uint_eq(c.xf_num, 2);
	assert_fmt(&c.chosen, "aes256-sha1-modp2048");
	ck_assert_uint_eq(c.life_s, 3600); /* lower than ours: theirs */

	/* Quick Mode in the NAT-T drafts' numbering. */
	sab_init(&b);
	sab_prop(&b, 1, IKEV1_PROTO_IPSEC_ESP, 0x22222222);
	p2_xf(&b, 1, ESP_AES, 128, A_SHA1,
	      IKEV1_ENCAP_UDP_ENCAPSULATED_TRANSPORT_DRAFT, 3600, NULL);
	decode(&b, false, &sa, &l);
	n = parse_list(l2tp_esp, NELEM(l2tp_esp), ESP, ours);
	ck_assert_int_eq(prop_v1_p2_select(ours, n, &c2, &l, &c, NULL, 0), 0);
	assert_fmt(&c.chosen, "aes128-sha1");
	ck_assert_uint_eq(c.chosen.v1.encap,
			  IKEV1_ENCAP_UDP_ENCAPSULATED_TRANSPORT_DRAFT);
}
END_TEST

static void
android_offer(struct sab *b)
{
	sab_init(b);
	sab_prop(b, 1, IKEV1_PROTO_ISAKMP, 0);
	p1_xf(b, 1, ENC_AES, 256, H_SHA256, 2, PSK, 28800);
	p1_xf(b, 2, ENC_AES, 256, H_SHA1, 2, PSK, 28800);
	p1_xf(b, 3, ENC_AES, 128, H_SHA1, 2, PSK, 28800);
	p1_xf(b, 4, ENC_3DES, 0, H_MD5, 2, PSK, 28800);
}

START_TEST(clients_old_android)
{
	static const char *const with_weak[] = {"aes256-sha1-ecp384",
						"aes256-sha1-modp1024"};
	static struct sab b;
	static struct pld_v1_sa sa;
	static struct prop_v1_list l;
	static struct proposal ours[8];
	const struct prop_v1_p1_cfg c1 = {psk, 1, 28800, 0};
	struct prop_v1_choice c;
	char reason[1024];
	size_t n;

	android_offer(&b);
	decode(&b, true, &sa, &l);
	n = parse_list(l2tp_ike, NELEM(l2tp_ike), IKE, ours);
	ck_assert_int_eq(
	    prop_v1_p1_select(ours, n, &c1, &l, &c, reason, sizeof(reason)),
	    -1);
	ck_assert_str_eq(
	    reason,
	    "no proposal chosen: peer offered aes256-sha256-modp1024 (psk), "
	    "aes256-sha1-modp1024 (psk), aes128-sha1-modp1024 (psk), "
	    "3des-md5-modp1024 (psk); we accept aes256-sha1-ecp384 (psk), "
	    "aes128-sha1-ecp256 (psk), aes256-sha1-modp2048 (psk), "
	    "aes256-sha256-modp2048 (psk), aes128-sha1-modp2048 (psk)");

	/* The admin adds a modp1024 variant: chosen, and flagged weak. */
	n = parse_list(with_weak, NELEM(with_weak), IKE, ours);
	ck_assert_int_eq(prop_v1_p1_select(ours, n, &c1, &l, &c, NULL, 0), 0);
	ck_assert_uint_eq(c.index, 1);
	ck_assert(c.weak);
}
END_TEST

/* Android 6/7: HMAC-SHA2-256 truncated to 96 bits under the standard
 * number; only a config naming sha256_96 reads it so. */
START_TEST(android_sha256_96)
{
	static struct sab b;
	static struct pld_v1_sa sa;
	static struct prop_v1_list l;
	static struct proposal ours[2];
	const struct prop_v1_p2_cfg c2 = {IKEV1_ENCAP_TRANSPORT, false, 3600, 0,
					  our_spi};
	struct prop_v1_choice c;
	char reason[512];

	sab_init(&b);
	sab_prop(&b, 1, IKEV1_PROTO_IPSEC_ESP, 0x33333333);
	p2_xf(&b, 1, ESP_AES, 128, A_SHA256, IKEV1_ENCAP_TRANSPORT, 3600, NULL);
	decode(&b, false, &sa, &l);

	parse_list((const char *const[]){"aes128-sha256_96"}, 1, ESP, ours);
	ck_assert_int_eq(prop_v1_p2_select(ours, 1, &c2, &l, &c, NULL, 0), 0);
	ck_assert_uint_eq(prop_xf_first(&c.chosen, IKEV2_TRANS_INTEG)->id,
			  ALG_INTEG_HMAC_SHA2_256_96);
	parse_list((const char *const[]){"aes128-sha256"}, 1, ESP, ours);
	ck_assert_int_eq(prop_v1_p2_select(ours, 1, &c2, &l, &c, NULL, 0), 0);
	ck_assert_uint_eq(prop_xf_first(&c.chosen, IKEV2_TRANS_INTEG)->id,
			  IKEV2_INTEG_HMAC_SHA2_256_128);
	parse_list((const char *const[]){"aes128-sha1"}, 1, ESP, ours);
	ck_assert_int_eq(
	    prop_v1_p2_select(ours, 1, &c2, &l, &c, reason, sizeof(reason)),
	    -1);
	ck_assert_str_eq(reason, "no proposal chosen: peer offered "
				 "aes128-sha256 (transport); we accept "
				 "aes128-sha1 (transport)");
}
END_TEST

/* --- refusals, unknown and missing attributes ---------------------------- */

START_TEST(auth_and_mode_mismatch)
{
	static struct sab b;
	static struct pld_v1_sa sa;
	static struct prop_v1_list l;
	static struct proposal ours[2];
	static const uint16_t certs[] = {RSASIG, IKEV1_AUTH_ECDSA_SHA256_P256};
	const struct prop_v1_p1_cfg c1 = {certs, 2, 28800, 0};
	const struct prop_v1_p2_cfg c2 = {IKEV1_ENCAP_TRANSPORT, false, 3600, 0,
					  our_spi};
	struct prop_v1_choice c;
	char reason[512];

	sab_init(&b);
	sab_prop(&b, 1, IKEV1_PROTO_ISAKMP, 0);
	p1_xf(&b, 1, ENC_AES, 256, H_SHA1, 14, PSK, 28800);
	decode(&b, true, &sa, &l);
	parse_list((const char *const[]){"aes256-sha1-modp2048"}, 1, IKE, ours);
	ck_assert_int_eq(
	    prop_v1_p1_select(ours, 1, &c1, &l, &c, reason, sizeof(reason)),
	    -1);
	ck_assert_str_eq(reason, "no proposal chosen: peer offered "
				 "aes256-sha1-modp2048 (psk); we accept "
				 "aes256-sha1-modp2048 (rsasig, ecdsa256)");

	/* Tunnel asked, transport configured. */
	sab_init(&b);
	sab_prop(&b, 1, IKEV1_PROTO_IPSEC_ESP, 0x44444444);
	p2_xf(&b, 1, ESP_AES, 128, A_SHA1, IKEV1_ENCAP_TUNNEL, 3600, NULL);
	decode(&b, false, &sa, &l);
	parse_list((const char *const[]){"aes128-sha1"}, 1, ESP, ours);
	ck_assert_int_eq(
	    prop_v1_p2_select(ours, 1, &c2, &l, &c, reason, sizeof(reason)),
	    -1);
	ck_assert_str_eq(reason, "no proposal chosen: peer offered "
				 "aes128-sha1 (tunnel); we accept "
				 "aes128-sha1 (transport)");
}
END_TEST

START_TEST(unknown_and_missing_attributes)
{
	static struct sab b;
	static struct pld_v1_sa sa;
	static struct prop_v1_list l;
	static struct proposal ours[2];
	const struct prop_v1_p1_cfg c1 = {psk, 1, 28800, 0};
	struct prop_v1_choice c;
	char reason[1024];

	sab_init(&b);
	sab_prop(&b, 1, IKEV1_PROTO_ISAKMP, 0);
	/* 1: an attribute nobody registered */
	p1_xf(&b, 1, ENC_AES, 256, H_SHA1, 14, PSK, 28800);
	sab_tv(&b, 99, 1);
	/* 2: no group */
	sab_xf(&b, 2, IKEV1_KEY_IKE);
	sab_tv(&b, IKEV1_OAKLEY_ENCRYPTION_ALGORITHM, ENC_AES);
	sab_tv(&b, IKEV1_OAKLEY_KEY_LENGTH, 256);
	sab_tv(&b, IKEV1_OAKLEY_HASH_ALGORITHM, H_SHA1);
	sab_tv(&b, IKEV1_OAKLEY_AUTHENTICATION_METHOD, PSK);
	/* 3: a PRF attribute (RFC 2409 defines no value) */
	p1_xf(&b, 3, ENC_AES, 256, H_SHA1, 14, PSK, 28800);
	sab_tv(&b, IKEV1_OAKLEY_PRF, 1);
	/* 4: a duration with no type before it */
	sab_xf(&b, 4, IKEV1_KEY_IKE);
	sab_tv(&b, IKEV1_OAKLEY_ENCRYPTION_ALGORITHM, ENC_AES);
	sab_tv(&b, IKEV1_OAKLEY_KEY_LENGTH, 256);
	sab_tv(&b, IKEV1_OAKLEY_HASH_ALGORITHM, H_SHA1);
	sab_tv(&b, IKEV1_OAKLEY_AUTHENTICATION_METHOD, PSK);
	sab_tv(&b, IKEV1_OAKLEY_GROUP_DESCRIPTION, 14);
	sab_tv(&b, IKEV1_OAKLEY_LIFE_DURATION, 28800);
	/* 5: no authentication method, DES (1) */
	sab_xf(&b, 5, IKEV1_KEY_IKE);
	sab_tv(&b, IKEV1_OAKLEY_ENCRYPTION_ALGORITHM, 1);
	sab_tv(&b, IKEV1_OAKLEY_HASH_ALGORITHM, H_SHA1);
	sab_tv(&b, IKEV1_OAKLEY_GROUP_DESCRIPTION, 14);
	/* 6: fine, with an 8-octet TLV duration (28800 s) */
	sab_xf(&b, 6, IKEV1_KEY_IKE);
	sab_tv(&b, IKEV1_OAKLEY_ENCRYPTION_ALGORITHM, ENC_AES);
	sab_tv(&b, IKEV1_OAKLEY_KEY_LENGTH, 256);
	sab_tv(&b, IKEV1_OAKLEY_HASH_ALGORITHM, H_SHA1);
	sab_tv(&b, IKEV1_OAKLEY_AUTHENTICATION_METHOD, PSK);
	sab_tv(&b, IKEV1_OAKLEY_GROUP_DESCRIPTION, 14);
	sab_tv(&b, IKEV1_OAKLEY_LIFE_TYPE, IKEV1_LIFE_TYPE_SECONDS);
	sab_tlv(&b, IKEV1_OAKLEY_LIFE_DURATION, "0000000000007080");
	decode(&b, true, &sa, &l);
	ck_assert_uint_eq(l.n, 6);
	ck_assert_str_eq(l.why[0], "unknown attribute 99 or value");
	ck_assert(l.p[0].xf[0].flags & XF_UNKNOWN_ATTR);
	ck_assert_str_eq(l.why[1], "no group");
	ck_assert_str_eq(l.why[2], "unknown attribute 13 or value");
	ck_assert_str_eq(l.why[3],
			 "life duration without a valid life type or value");
	ck_assert_str_eq(l.why[4], "unsupported encryption algorithm 1 "
				   "(key length 0)");
	ck_assert_str_eq(l.why[5], "");
	ck_assert_uint_eq(l.p[5].v1.life_s, 28800);

	parse_list((const char *const[]){"aes256-sha1-modp2048"}, 1, IKE, ours);
	ck_assert_int_eq(prop_v1_p1_select(ours, 1, &c1, &l, &c, NULL, 0), 0);
	ck_assert_uint_eq(c.index, 5);
	ck_assert_uint_eq(c.xf_num, 6);

	/* Without the good one: each unusable transform says why. */
	sa.prop[0].n_xf = 5;
	ck_assert_int_eq(prop_v1_p1_decode(&sa, &l, NULL, NULL, 0), 0);
	ck_assert_int_eq(
	    prop_v1_p1_select(ours, 1, &c1, &l, &c, reason, sizeof(reason)),
	    -1);
	assert_has(reason, "peer offered aes256(unknown attribute)-sha1-"
			   "modp2048 (psk; unknown attribute 99 or value), "
			   "aes256-sha1 (psk; no group), ");
	assert_has(reason, "sha1-modp2048 (no auth method; unsupported "
			   "encryption algorithm 1 (key length 0)); we accept "
			   "aes256-sha1-modp2048 (psk)");
}
END_TEST

/* An attribute sent twice with different values is ambiguous (which
 * cipher did the peer mean?): the transform is refused, with a reason.
 * A second life type and duration pair is the volume limit beside the
 * time limit, and fine. */
START_TEST(repeated_attributes)
{
	static struct sab b;
	static struct pld_v1_sa sa;
	static struct prop_v1_list l;

	sab_init(&b);
	sab_prop(&b, 1, IKEV1_PROTO_ISAKMP, 0);
	p1_xf(&b, 1, ENC_AES, 256, H_SHA1, 14, PSK, 28800);
	sab_tv(&b, IKEV1_OAKLEY_ENCRYPTION_ALGORITHM, ENC_3DES);
	p1_xf(&b, 2, ENC_AES, 256, H_SHA1, 14, PSK, 28800);
	sab_tv(&b, IKEV1_OAKLEY_LIFE_TYPE, IKEV1_LIFE_TYPE_KILOBYTES);
	sab_tlv(&b, IKEV1_OAKLEY_LIFE_DURATION, "000186a0");
	decode(&b, true, &sa, &l);
	ck_assert_str_eq(l.why[0], "attribute 1 repeated");
	ck_assert_str_eq(l.why[1], "");
	ck_assert_uint_eq(l.p[1].v1.life_s, 28800);
	ck_assert_uint_eq(l.p[1].v1.life_kb, 100000);

	sab_init(&b);
	sab_prop(&b, 1, IKEV1_PROTO_IPSEC_ESP, 0x88888888);
	p2_xf(&b, 1, ESP_AES, 128, A_SHA1, IKEV1_ENCAP_TUNNEL, 3600, NULL);
	sab_tv(&b, IKEV1_IPSEC_AUTHENTICATION_ALGORITHM, A_SHA256);
	decode(&b, false, &sa, &l);
	ck_assert_str_eq(l.why[0], "attribute 5 repeated");
}
END_TEST

START_TEST(p1_payload_errors)
{
	static struct sab b;
	static struct pld_v1_sa sa;
	static struct prop_v1_list l;
	char err[128];
	uint16_t notify = 0;

	sab_init(&b);
	sab_prop(&b, 1, IKEV1_PROTO_ISAKMP, 0);
	p1_xf(&b, 1, ENC_AES, 256, H_SHA1, 14, PSK, 28800);
	sab_prop(&b, 2, IKEV1_PROTO_ISAKMP, 0);
	p1_xf(&b, 1, ENC_AES, 128, H_SHA1, 14, PSK, 28800);
	wire(&b.sa, mem_peer, &sa);
	ck_assert_int_eq(prop_v1_p1_decode(&sa, &l, &notify, err, sizeof(err)),
			 -1);
	ck_assert_uint_eq(notify, IKEV1_N_BAD_PROPOSAL_SYNTAX);
	ck_assert_str_eq(err,
			 "phase 1 SA payload with other than one proposal");

	sab_init(&b);
	sab_prop(&b, 1, IKEV1_PROTO_IPSEC_ESP, 1);
	p2_xf(&b, 1, ESP_AES, 128, A_SHA1, IKEV1_ENCAP_TUNNEL, 3600, NULL);
	wire(&b.sa, mem_peer, &sa);
	ck_assert_int_eq(prop_v1_p1_decode(&sa, &l, &notify, err, sizeof(err)),
			 -1);
	ck_assert_uint_eq(notify, IKEV1_N_INVALID_PROTOCOL_ID);
}
END_TEST

/* ESP with IPComp under one number, and a lone AH proposal: listed,
 * never chosen. */
START_TEST(p2_bundles_refused)
{
	static struct sab b;
	static struct pld_v1_sa sa;
	static struct prop_v1_list l;
	static struct proposal ours[2];
	const struct prop_v1_p2_cfg c2 = {IKEV1_ENCAP_TUNNEL, false, 3600, 0,
					  our_spi};
	struct prop_v1_choice c;
	char reason[512];

	sab_init(&b);
	sab_prop(&b, 1, IKEV1_PROTO_IPSEC_ESP, 0x55555555);
	p2_xf(&b, 1, ESP_AES, 128, A_SHA1, IKEV1_ENCAP_TUNNEL, 3600, NULL);
	sab_prop(&b, 1, IKEV1_PROTO_IPCOMP, 0x1234);
	sab_xf(&b, 1, 2);
	sab_prop(&b, 2, IKEV1_PROTO_IPSEC_AH, 0x66666666);
	sab_xf(&b, 1, 3);
	decode(&b, false, &sa, &l);
	ck_assert_uint_eq(l.n, 3);
	ck_assert_str_eq(l.why[0], "ESP bundled with another protocol");
	parse_list((const char *const[]){"aes128-sha1"}, 1, ESP, ours);
	ck_assert_int_eq(
	    prop_v1_p2_select(ours, 1, &c2, &l, &c, reason, sizeof(reason)),
	    -1);
	ck_assert_str_eq(reason,
			 "no proposal chosen: peer offered "
			 "aes128-sha1 (tunnel; ESP bundled "
			 "with another protocol), (protocol 4: only ESP is "
			 "negotiated), (protocol 2: only ESP is negotiated); "
			 "we accept aes128-sha1 (tunnel)");
}
END_TEST

/* PFS: the group attribute is the DH transform; without it, no PFS, which
 * a config asking for PFS refuses. */
START_TEST(p2_pfs)
{
	static struct sab b;
	static struct pld_v1_sa sa;
	static struct prop_v1_list l;
	static struct proposal ours[2];
	const struct prop_v1_p2_cfg c2 = {IKEV1_ENCAP_TUNNEL, false, 3600, 0,
					  our_spi};
	struct prop_v1_choice c;
	char reason[256];

	sab_init(&b);
	sab_prop(&b, 1, IKEV1_PROTO_IPSEC_ESP, 0x99999999);
	p2_xf(&b, 1, ESP_AES, 128, A_SHA1, IKEV1_ENCAP_TUNNEL, 3600, NULL);
	sab_prop(&b, 2, IKEV1_PROTO_IPSEC_ESP, 0x99999999);
	p2_xf(&b, 1, ESP_AES, 128, A_SHA1, IKEV1_ENCAP_TUNNEL, 3600, NULL);
	sab_tv(&b, IKEV1_IPSEC_GROUP_DESCRIPTION, 19);
	decode(&b, false, &sa, &l);
	assert_fmt(&l.p[1], "aes128-sha1-ecp256");

	parse_list((const char *const[]){"aes128-sha1-ecp256"}, 1, ESP, ours);
	ck_assert_int_eq(prop_v1_p2_select(ours, 1, &c2, &l, &c, NULL, 0), 0);
	ck_assert_uint_eq(c.chosen.num, 2);
	parse_list((const char *const[]){"aes128-sha1"}, 1, ESP, ours);
	ck_assert_int_eq(prop_v1_p2_select(ours, 1, &c2, &l, &c, NULL, 0), 0);
	ck_assert_uint_eq(c.chosen.num, 1);
	parse_list((const char *const[]){"aes128-sha1-modp2048"}, 1, ESP, ours);
	ck_assert_int_eq(
	    prop_v1_p2_select(ours, 1, &c2, &l, &c, reason, sizeof(reason)),
	    -1);
	ck_assert_str_eq(reason, "no proposal chosen: peer offered "
				 "aes128-sha1 (tunnel), aes128-sha1-ecp256 "
				 "(tunnel); we accept aes128-sha1-modp2048 "
				 "(tunnel)");
}
END_TEST

/* --- lifetimes -------------------------------------------------------------
 */

START_TEST(lifetimes)
{
	static struct sab b;
	static struct pld_v1_sa sa;
	static struct prop_v1_list l;
	static struct proposal ours[2];
	const struct prop_v1_p1_cfg c1 = {psk, 1, 28800, 0};
	const struct prop_v1_p2_cfg c2 = {IKEV1_ENCAP_TUNNEL, false, 3600,
					  500000, our_spi};
	const struct prop_v1_p2_cfg c2_free = {IKEV1_ENCAP_TUNNEL, false, 0, 0,
					       our_spi};
	struct prop_v1_choice c;

	/* Phase 1: 24 h asked, 8 h allowed: capped, nothing to send. */
	sab_init(&b);
	sab_prop(&b, 1, IKEV1_PROTO_ISAKMP, 0);
	sab_xf(&b, 1, IKEV1_KEY_IKE);
	sab_tv(&b, IKEV1_OAKLEY_ENCRYPTION_ALGORITHM, ENC_AES);
	sab_tv(&b, IKEV1_OAKLEY_KEY_LENGTH, 128);
	sab_tv(&b, IKEV1_OAKLEY_HASH_ALGORITHM, H_SHA1);
	sab_tv(&b, IKEV1_OAKLEY_AUTHENTICATION_METHOD, PSK);
	sab_tv(&b, IKEV1_OAKLEY_GROUP_DESCRIPTION, 14);
	sab_tv(&b, IKEV1_OAKLEY_LIFE_TYPE, IKEV1_LIFE_TYPE_SECONDS);
	sab_tlv(&b, IKEV1_OAKLEY_LIFE_DURATION, "00015180");
	decode(&b, true, &sa, &l);
	ck_assert_uint_eq(l.p[0].v1.life_s, 86400);
	parse_list((const char *const[]){"aes128-sha1-modp2048"}, 1, IKE, ours);
	ck_assert_int_eq(prop_v1_p1_select(ours, 1, &c1, &l, &c, NULL, 0), 0);
	ck_assert_uint_eq(c.life_s, 28800);
	ck_assert_uint_eq(c.notify_life_s, 0);

	/* Quick Mode: 8 h and no volume limit asked; 1 h and 500000 KB
	 * allowed: RESPONDER-LIFETIME with both. */
	sab_init(&b);
	sab_prop(&b, 1, IKEV1_PROTO_IPSEC_ESP, 0x77777777);
	p2_xf(&b, 1, ESP_AES, 128, A_SHA1, IKEV1_ENCAP_TUNNEL, 28800, NULL);
	sab_prop(&b, 2, IKEV1_PROTO_IPSEC_ESP, 0x77777777);
	p2_xf(&b, 1, ESP_AES, 256, A_SHA1, IKEV1_ENCAP_TUNNEL, 1800,
	      "00030d40");
	/* no lifetime at all: RFC 2407 4.5's 28800 s */
	sab_prop(&b, 3, IKEV1_PROTO_IPSEC_ESP, 0x77777777);
	sab_xf(&b, 1, ESP_AES);
	sab_tv(&b, IKEV1_IPSEC_AUTHENTICATION_ALGORITHM, A_SHA1);
	sab_tv(&b, IKEV1_IPSEC_KEY_LENGTH, 192);
	decode(&b, false, &sa, &l);
	parse_list((const char *const[]){"aes128-sha1"}, 1, ESP, ours);
	ck_assert_int_eq(prop_v1_p2_select(ours, 1, &c2, &l, &c, NULL, 0), 0);
	ck_assert_uint_eq(c.life_s, 3600);
	ck_assert_uint_eq(c.notify_life_s, 3600);
	ck_assert_uint_eq(c.life_kb, 500000);
	ck_assert_uint_eq(c.notify_life_kb, 500000);

	/* 30 min and 200000 KB: within bounds, nothing to send. */
	parse_list((const char *const[]){"aes256-sha1"}, 1, ESP, ours);
	ck_assert_int_eq(prop_v1_p2_select(ours, 1, &c2, &l, &c, NULL, 0), 0);
	ck_assert_uint_eq(c.index, 1);
	ck_assert_uint_eq(c.life_s, 1800);
	ck_assert_uint_eq(c.life_kb, 200000);
	ck_assert_uint_eq(c.notify_life_s, 0);
	ck_assert_uint_eq(c.notify_life_kb, 0);

	/* No lifetime offered (the mode too): the default, and ours
	 * caps it. */
	parse_list((const char *const[]){"aes192-sha1"}, 1, ESP, ours);
	ck_assert_int_eq(prop_v1_p2_select(ours, 1, &c2, &l, &c, NULL, 0), 0);
	ck_assert_uint_eq(c.index, 2);
	ck_assert_uint_eq(c.notify_life_s, 3600);
	ck_assert_int_eq(prop_v1_p2_select(ours, 1, &c2_free, &l, &c, NULL, 0),
			 0);
	ck_assert_uint_eq(c.life_s, PROP_V1_LIFE_DEFAULT_S);
	ck_assert_uint_eq(c.notify_life_s, 0);
	ck_assert_uint_eq(c.notify_life_kb, 0);
}
END_TEST

Suite *
prop_v1_suite(void)
{
	Suite *s = suite_create("prop_v1");
	TCase *tc = tcase_create("prop_v1");

	tcase_add_test(tc, p1_roundtrip);
	tcase_add_test(tc, p2_roundtrip);
	tcase_add_test(tc, expand_limits);
	tcase_add_test(tc, clients_windows);
	tcase_add_test(tc, clients_macos);
	tcase_add_test(tc, clients_old_android);
	tcase_add_test(tc, android_sha256_96);
	tcase_add_test(tc, auth_and_mode_mismatch);
	tcase_add_test(tc, unknown_and_missing_attributes);
	tcase_add_test(tc, repeated_attributes);
	tcase_add_test(tc, p1_payload_errors);
	tcase_add_test(tc, p2_bundles_refused);
	tcase_add_test(tc, p2_pfs);
	tcase_add_test(tc, lifetimes);
	suite_add_tcase(s, tc);
	return s;
}
