/* SPDX-License-Identifier: ISC */
/*
 * Our IKEv1 cryptography against strongSwan 5.9.8's, on the exchanges
 * test/data/ikev1/capture.sh recorded (see test/data/ikev1/README.md).
 * From g^xy, the nonces, the cookies and the capture's PSK we must derive
 * the SKEYIDs, the encryption key and the phase 1 IV strongSwan logged
 * (keys.txt); with them, decrypt every encrypted message of the capture
 * into a payload chain that fills the body up to the padding, encrypt
 * that chain again into exactly the captured bytes (same padding, same IV
 * chain), recompute every HASH payload (HASH_I, HASH_R, Quick Mode
 * HASH(1) to HASH(3), the Informational HASH(1); with certificates, the
 * HASH_I/HASH_R inside the SIG payloads), and derive each Quick Mode's
 * KEYMAT as strongSwan logged it.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <check.h>

#include "keymat_v1.h"
#include "testutil.h"
#include "textdump.h"

/* ike.h's (auth_psk.c), declared here: ike.h's struct msg is not this
 * file's. */
int ike_psk_v1_skeyid(const struct prf_alg *prf, const struct secret *psk,
		      struct bytes octets, uint8_t *out, size_t *len);

static const char *const scenarios[] = {
    "natt-dpd",
    "main-psk",
    "main-cert",
    "windows-l2tp",
};
#define NSCENARIOS (sizeof(scenarios) / sizeof(scenarios[0]))

/* The PSK of capture-lib.sh's swanctl.conf for the PSK scenarios. */
#define CAPTURE_PSK "not a secret, test data only"

#define PLD_SA    1
#define PLD_KE    4
#define PLD_ID    5
#define PLD_HASH  8
#define PLD_SIG   9
#define PLD_NONCE 10
#define EXCH_MAIN 2
#define EXCH_INFO 5
#define EXCH_QM   32
#define HDR_LEN   28
#define FLAG_ENC  0x01
#define PROTO_ESP 3

/* keys.txt: "name=value" lines (textdump.c reads them). */
struct keys {
	struct keyfile f;
};

static void
keys_load(struct keys *k, const char *scenario)
{
	char rel[128];

	snprintf(rel, sizeof(rel), "ikev1/%s/keys.txt", scenario);
	keyfile_load(&k->f, rel);
}

static void
keys_free(struct keys *k)
{
	keyfile_free(&k->f);
}

static const char *
keys_opt(const struct keys *k, const char *name)
{
	return keyfile_get(&k->f, name);
}

static const char *
keys_get(const struct keys *k, const char *name)
{
	const char *v = keys_opt(k, name);

	ck_assert_msg(v != NULL, "keys.txt lacks %s", name);
	return v;
}

static unsigned long
keys_num(const struct keys *k, const char *name)
{
	const char *v = keys_get(k, name);
	char *end;
	unsigned long n = strtoul(v, &end, 10);

	ck_assert_msg(*v && *end == '\0', "%s=%s", name, v);
	return n;
}

static uint8_t *
keys_hex(const struct keys *k, const char *name, size_t *len)
{
	return hex_decode(keys_get(k, name), len);
}

static void
assert_key(const struct secret *got, const struct keys *k, const char *name)
{
	ck_assert_msg(got != NULL, "%s: not derived", name);
	ck_assert_hex(got->ptr, got->len, keys_get(k, name));
}

/* The captured messages, in capture order. */
#define MAX_MSGS 32

struct msg {
	char name[64];
	uint8_t *data;
	size_t len;
};

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(((const struct msg *)a)->name,
		      ((const struct msg *)b)->name);
}

static size_t
msgs_load(const char *scenario, struct msg *m)
{
	char dir[1024], rel[256];
	struct dirent *de;
	size_t n = 0, i, l;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/ikev1/%s", TEST_DATA, scenario);
	d = opendir(dir);
	ck_assert_msg(d != NULL,
		      "%s missing: the captures come with branch v1cap", dir);
	while ((de = readdir(d))) {
		l = strlen(de->d_name);
		if (l < 5 || strcmp(de->d_name + l - 4, ".bin") != 0)
			continue;
		ck_assert_uint_lt(n, MAX_MSGS);
		ck_assert_uint_lt(l, sizeof(m[n].name));
		memcpy(m[n].name, de->d_name, l + 1);
		n++;
	}
	closedir(d);
	qsort(m, n, sizeof(*m), name_cmp);
	for (i = 0; i < n; i++) {
		snprintf(rel, sizeof(rel), "ikev1/%s/%s", scenario, m[i].name);
		m[i].data = data_file(rel, &m[i].len);
		ck_assert_uint_ge(m[i].len, HDR_LEN);
	}
	return n;
}

static const struct msg *
msg_named(const struct msg *m, size_t n, const char *prefix)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strncmp(m[i].name, prefix, strlen(prefix)) == 0)
			return &m[i];
	ck_abort_msg("no message %s*", prefix);
	return NULL;
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/* One payload of a chain: its type and body (generic header excluded),
 * and the offset after it. */
#define MAX_PLDS 16

struct pld {
	uint8_t type;
	struct bytes body;
	size_t end;
};

/* Walk the generic headers (RFC 2408 3.2) from first type np over p;
 * returns the number of payloads and in *used the chain's length. */
static size_t
chain(uint8_t np, const uint8_t *p, size_t len, struct pld *out, size_t *used)
{
	size_t off = 0, n = 0, plen;

	while (np) {
		ck_assert_uint_lt(n, MAX_PLDS);
		ck_assert_msg(off + 4 <= len, "payload header past the end");
		plen = (size_t)p[off + 2] << 8 | p[off + 3];
		ck_assert_msg(plen >= 4 && off + plen <= len,
			      "payload %u: length %zu at %zu of %zu", np, plen,
			      off, len);
		out[n].type = np;
		out[n].body = (struct bytes){p + off + 4, plen - 4};
		out[n].end = off + plen;
		np = p[off];
		off += plen;
		n++;
	}
	*used = off;
	return n;
}

static struct bytes
pld_body(const struct pld *p, size_t n, uint8_t type)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i].type == type)
			return p[i].body;
	ck_abort_msg("no payload of type %u", type);
	return (struct bytes){NULL, 0};
}

/* A clear message's payload body of the given type. */
static struct bytes
clear_body(const struct msg *m, uint8_t type, struct pld *p)
{
	size_t used, n;

	ck_assert_uint_eq(m->data[19] & FLAG_ENC, 0);
	n = chain(m->data[16], m->data + HDR_LEN, m->len - HDR_LEN, p, &used);
	return pld_body(p, n, type);
}

/*
 * Decrypt m's body with iv (advancing it), check that the payload chain
 * fills the plaintext up to 1..block-size zero bytes of padding, and that
 * encrypting the chain again with the IV m was sent with gives m's bytes.
 * Returns the number of payloads; *pt (malloc'ed) holds the plaintext.
 */
static size_t
open_msg(const struct v1_suite *s, const struct secret *key, struct v1_iv *iv,
	 const struct msg *m, uint8_t **pt, struct pld *p)
{
	const size_t bs = s->encr->block_len;
	struct bytes ct = {m->data + HDR_LEN, m->len - HDR_LEN};
	struct v1_iv before = *iv, again;
	uint8_t *re;
	size_t n, used, re_len, i;

	ck_assert_msg(m->data[19] & FLAG_ENC, "%s: not encrypted", m->name);
	ck_assert_uint_eq(get32(m->data + 24), m->len);
	*pt = malloc(ct.len);
	ck_assert_ptr_nonnull(*pt);
	ck_assert_int_eq(v1_crypt_decrypt(s, key, iv, ct, *pt, ct.len), 0);
	ck_assert_mem_eq(iv->iv, ct.ptr + ct.len - bs, bs);
	n = chain(m->data[16], *pt, ct.len, p, &used);
	ck_assert_msg(used < ct.len && ct.len - used <= bs,
		      "%s: %zu bytes of payloads in %zu", m->name, used,
		      ct.len);
	for (i = used; i < ct.len; i++)
		ck_assert_uint_eq((*pt)[i], 0);

	/* Our encryption of the same payloads is byte for byte strongSwan's. */
	re = malloc(ct.len);
	ck_assert_ptr_nonnull(re);
	again = before;
	ck_assert_int_eq(v1_crypt_encrypt(s, key, &again,
					  (struct bytes){*pt, used}, re, ct.len,
					  &re_len),
			 0);
	ck_assert_uint_eq(re_len, ct.len);
	ck_assert_mem_eq(re, ct.ptr, ct.len);
	ck_assert_mem_eq(again.iv, iv->iv, bs);
	free(re);
	return n;
}

static void
assert_hash(const uint8_t *want, size_t len, struct bytes got, const char *what)
{
	char *hex = hex_encode(want, len);

	ck_assert_msg(keymat_v1_hash_equal(want, len, got),
		      "%s: we computed %s", what, hex);
	free(hex);
}

/*
 * With RSA signatures (RFC 2409 5.1) the SIG payload is HASH_I or HASH_R
 * signed: PKCS#1 v1.5 type 1 padding over the bare hash, no DigestInfo,
 * as strongSwan signs for IKEv1. Recovering it with the signer's public
 * key (from the capture's test-vector private key) must give our hash.
 */
static void
check_sig(const char *scenario, const char *keyfile, const uint8_t *want,
	  size_t want_len, struct bytes sig, const char *what)
{
	char rel[128];
	uint8_t *pem, rec[1024];
	size_t pem_len, rec_len = sizeof(rec);
	EVP_PKEY_CTX *ctx;
	EVP_PKEY *key;
	BIO *bio;

	snprintf(rel, sizeof(rel), "ikev1/%s/%s", scenario, keyfile);
	pem = data_file(rel, &pem_len);
	bio = BIO_new_mem_buf(pem, (int)pem_len);
	ck_assert_ptr_nonnull(bio);
	key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	ck_assert_ptr_nonnull(key);
	ctx = EVP_PKEY_CTX_new(key, NULL);
	ck_assert_ptr_nonnull(ctx);
	ck_assert_int_eq(EVP_PKEY_verify_recover_init(ctx), 1);
	ck_assert_int_eq(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING),
			 1);
	ck_assert_int_eq(
	    EVP_PKEY_verify_recover(ctx, rec, &rec_len, sig.ptr, sig.len), 1);
	assert_hash(want, want_len, (struct bytes){rec, rec_len}, what);
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(key);
	BIO_free(bio);
	free(pem);
}

/* The state of one Quick Mode or Informational exchange. */
#define MAX_XCHG 16

struct xchg {
	uint32_t mid;
	struct v1_iv iv;
	unsigned seen;
	uint8_t ni[256], nr[256];
	size_t ni_len, nr_len;
};

static struct xchg *
xchg_find(struct xchg *x, size_t *nx, const struct v1_suite *s,
	  const struct v1_iv *p1, uint32_t mid)
{
	size_t i;

	for (i = 0; i < *nx; i++)
		if (x[i].mid == mid)
			return &x[i];
	ck_assert_uint_lt(*nx, MAX_XCHG);
	memset(&x[*nx], 0, sizeof(x[*nx]));
	x[*nx].mid = mid;
	ck_assert_int_eq(v1_iv_phase2(s, p1, mid, &x[*nx].iv), 0);
	return &x[(*nx)++];
}

static void
keep(struct bytes b, uint8_t *to, size_t *len)
{
	ck_assert_uint_le(b.len, 256);
	memcpy(to, b.ptr, b.len);
	*len = b.len;
}

/* HASH(1), HASH(2), HASH(3) of a Quick Mode message; the HASH payload
 * comes first (RFC 2409 5.5), rest is what follows it up to the padding. */
static void
check_qm(const struct v1_suite *s, const struct v1_keys *k, struct xchg *x,
	 const struct msg *m, const uint8_t *pt, const struct pld *p, size_t n)
{
	uint8_t h[V1_HASH_MAX];
	const size_t hl = s->prf->out_len;
	struct bytes rest;

	ck_assert_uint_eq(p[0].type, PLD_HASH);
	rest = (struct bytes){pt + p[0].end, p[n - 1].end - p[0].end};
	switch (x->seen++) {
	case 0:
		ck_assert_int_eq(
		    keymat_v1_hash1(s->prf, k->skeyid_a, x->mid, rest, h), 0);
		keep(pld_body(p, n, PLD_NONCE), x->ni, &x->ni_len);
		break;
	case 1:
		ck_assert_int_eq(
		    keymat_v1_hash2(s->prf, k->skeyid_a, x->mid,
				    (struct bytes){x->ni, x->ni_len}, rest, h),
		    0);
		keep(pld_body(p, n, PLD_NONCE), x->nr, &x->nr_len);
		break;
	default:
		ck_assert_uint_eq(n, 1); /* HASH(3) alone */
		ck_assert_int_eq(
		    keymat_v1_hash3(s->prf, k->skeyid_a, x->mid,
				    (struct bytes){x->ni, x->ni_len},
				    (struct bytes){x->nr, x->nr_len}, h),
		    0);
		break;
	}
	assert_hash(h, hl, p[0].body, m->name);
}

START_TEST(phase1_keys_ivs_hashes_match_strongswan)
{
	const char *scenario = scenarios[_i];
	struct msg m[MAX_MSGS];
	struct pld p[MAX_PLDS];
	struct xchg x[MAX_XCHG];
	size_t nm, nx = 0, n, i, len, qms = 0;
	struct keys k;
	struct v1_suite s;
	struct v1_keys out;
	struct v1_iv p1;
	struct secret *gxy, *psk = NULL;
	uint8_t *ni, *nr, *g, *cki, *ckr, *pt, h[V1_HASH_MAX];
	size_t ni_len, nr_len, g_len, cki_len, ckr_len;
	struct bytes gxi, gxr, sai_b, id_b;
	const struct msg *mm;

	keys_load(&k, scenario);
	nm = msgs_load(scenario, m);
	ck_assert_int_eq(keymat_v1_suite((uint16_t)keys_num(&k, "encr"),
					 (uint16_t)keys_num(&k, "encr_bits"),
					 (uint16_t)keys_num(&k, "hash"), 0, &s),
			 0);
	ni = keys_hex(&k, "ni", &ni_len);
	nr = keys_hex(&k, "nr", &nr_len);
	g = keys_hex(&k, "gxy", &g_len);
	cki = keys_hex(&k, "icookie", &cki_len);
	ckr = keys_hex(&k, "rcookie", &ckr_len);
	ck_assert_uint_eq(cki_len, V1_COOKIE_LEN);
	ck_assert_uint_eq(ckr_len, V1_COOKIE_LEN);
	gxy = secret_dup(g, g_len);
	ck_assert_ptr_nonnull(gxy);
	if (keys_num(&k, "auth") == 1) {
		psk = secret_dup(CAPTURE_PSK, strlen(CAPTURE_PSK));
		ck_assert_ptr_nonnull(psk);
	}

	/* SKEYID and its descendants, the encryption key (RFC 2409 5, B) */
	ck_assert_int_eq(keymat_v1_ike(&s, psk, gxy, (struct bytes){ni, ni_len},
				       (struct bytes){nr, nr_len}, cki, ckr,
				       &out),
			 0);
	assert_key(out.skeyid, &k, "skeyid");
	assert_key(out.skeyid_d, &k, "skeyid_d");
	assert_key(out.skeyid_a, &k, "skeyid_a");
	assert_key(out.skeyid_e, &k, "skeyid_e");
	assert_key(out.enc_key, &k, "enc_key");
	/* The engine's path for a PSK: SKEYID from the host, as the psk
	 * plugin computes it (ike_psk_v1_skeyid), the rest from it
	 * (keymat_v1_ike_rest); the HASHes below use that SKEYID. */
	if (psk) {
		struct v1_keys via = {0};
		uint8_t nonces[2 * 256], sk[V1_HASH_MAX];
		size_t sk_len = sizeof(sk);

		ck_assert_uint_le(ni_len + nr_len, sizeof(nonces));
		memcpy(nonces, ni, ni_len);
		memcpy(nonces + ni_len, nr, nr_len);
		ck_assert_int_eq(
		    ike_psk_v1_skeyid(s.prf, psk,
				      (struct bytes){nonces, ni_len + nr_len},
				      sk, &sk_len),
		    0);
		ck_assert_uint_eq(sk_len, s.prf->out_len);
		via.skeyid = secret_dup(sk, sk_len);
		ck_assert_int_eq(keymat_v1_ike_rest(&s, gxy, cki, ckr, &via),
				 0);
		assert_key(via.skeyid, &k, "skeyid");
		assert_key(via.skeyid_d, &k, "skeyid_d");
		assert_key(via.skeyid_a, &k, "skeyid_a");
		assert_key(via.skeyid_e, &k, "skeyid_e");
		assert_key(via.enc_key, &k, "enc_key");
		v1_keys_clear(&via);
	}

	/* The phase 1 IV from the KE payloads of messages 3 and 4, which
	 * are also the nonces' messages. */
	gxi = clear_body(msg_named(m, nm, "03-main-i"), PLD_KE, p);
	gxr = clear_body(msg_named(m, nm, "04-main-r"), PLD_KE, p);
	ck_assert_mem_eq(
	    clear_body(msg_named(m, nm, "03-main-i"), PLD_NONCE, p).ptr, ni,
	    ni_len);
	ck_assert_int_eq(v1_iv_phase1(&s, gxi, gxr, &p1), 0);
	ck_assert_hex(p1.iv, p1.len, keys_get(&k, "iv"));
	sai_b = clear_body(msg_named(m, nm, "01-main-i"), PLD_SA, p);

	/* Messages 5 and 6 in the one phase 1 chain: HASH_I, HASH_R, in a
	 * HASH payload or signed in a SIG payload. */
	for (i = 5; i <= 6; i++) {
		mm = msg_named(m, nm, i == 5 ? "05-main-i" : "06-main-r");
		ck_assert_uint_eq(mm->data[18], EXCH_MAIN);
		n = open_msg(&s, out.enc_key, &p1, mm, &pt, p);
		ck_assert_uint_eq(p[0].type, PLD_ID);
		id_b = p[0].body;
		ck_assert_int_eq(keymat_v1_hash_auth(&s, out.skeyid, i == 6,
						     gxi, gxr, cki, ckr, sai_b,
						     id_b, h),
				 0);
		if (psk)
			assert_hash(h, s.prf->out_len, pld_body(p, n, PLD_HASH),
				    mm->name);
		else
			check_sig(scenario, i == 6 ? "sun.key" : "moon.key", h,
				  s.prf->out_len, pld_body(p, n, PLD_SIG),
				  mm->name);
		free(pt);
	}

	/* Every later message: a Quick Mode or Informational exchange, each
	 * with its own chain started from phase 1's last block. */
	for (i = 0; i < nm; i++) {
		struct xchg *cur;
		uint8_t exch = m[i].data[18];

		if (exch == EXCH_MAIN)
			continue;
		cur = xchg_find(x, &nx, &s, &p1, get32(m[i].data + 20));
		n = open_msg(&s, out.enc_key, &cur->iv, &m[i], &pt, p);
		if (exch == EXCH_QM) {
			check_qm(&s, &out, cur, &m[i], pt, p, n);
			qms++;
		} else {
			ck_assert_uint_eq(exch, EXCH_INFO);
			ck_assert_uint_eq(p[0].type, PLD_HASH);
			len = p[n - 1].end - p[0].end;
			ck_assert_int_eq(
			    keymat_v1_hash1(s.prf, out.skeyid_a, cur->mid,
					    (struct bytes){pt + p[0].end, len},
					    h),
			    0);
			assert_hash(h, s.prf->out_len, p[0].body, m[i].name);
		}
		free(pt);
	}
	ck_assert_uint_ge(qms, 3);

	v1_keys_clear(&out);
	secret_free(gxy);
	secret_free(psk);
	for (i = 0; i < nm; i++)
		free(m[i].data);
	free(ni);
	free(nr);
	free(g);
	free(cki);
	free(ckr);
	keys_free(&k);
}
END_TEST

/* Each Quick Mode's KEYMAT (RFC 2409 5.5) from SKEYID_d as strongSwan
 * logged it: encr_i/integ_i under the responder's SPI, encr_r/integ_r
 * under the initiator's, with g(qm)^xy when the Quick Mode had PFS. */
START_TEST(quick_mode_keymat_matches_strongswan)
{
	const char *scenario = scenarios[_i];
	struct keys k;
	struct secret *skeyid_d, *gqm;
	struct child_keys out;
	uint8_t *d, *ni, *nr, *g, *spi_i, *spi_r, *ei, *ii;
	size_t d_len, ni_len, nr_len, g_len, si_len, sr_len, e_len, i_len;
	const struct prf_alg *prf;
	struct v1_suite s;
	char name[64];
	unsigned qm;

	keys_load(&k, scenario);
	ck_assert_int_eq(keymat_v1_suite((uint16_t)keys_num(&k, "encr"),
					 (uint16_t)keys_num(&k, "encr_bits"),
					 (uint16_t)keys_num(&k, "hash"), 0, &s),
			 0);
	prf = s.prf;
	d = keys_hex(&k, "skeyid_d", &d_len);
	skeyid_d = secret_dup(d, d_len);
	ck_assert_ptr_nonnull(skeyid_d);
	for (qm = 1;; qm++) {
#define QM(field) (snprintf(name, sizeof(name), "qm%u_%s", qm, field), name)
		if (!keys_opt(&k, QM("mid")))
			break;
		ni = keys_hex(&k, QM("ni"), &ni_len);
		nr = keys_hex(&k, QM("nr"), &nr_len);
		g = keys_hex(&k, QM("gxy"), &g_len);
		spi_i = keys_hex(&k, QM("spi_i"), &si_len);
		spi_r = keys_hex(&k, QM("spi_r"), &sr_len);
		ei = keys_hex(&k, QM("encr_i"), &e_len);
		ii = keys_hex(&k, QM("integ_i"), &i_len);
		ck_assert_uint_eq(si_len, SPI4_LEN);
		ck_assert_uint_eq(sr_len, SPI4_LEN);
		gqm = g_len ? secret_dup(g, g_len) : NULL;
		ck_assert_int_eq(keymat_v1_child(prf, skeyid_d, gqm, PROTO_ESP,
						 spi_i, spi_r,
						 (struct bytes){ni, ni_len},
						 (struct bytes){nr, nr_len},
						 e_len, i_len, &out),
				 0);
		assert_key(out.encr_i, &k, QM("encr_i"));
		assert_key(out.integ_i, &k, QM("integ_i"));
		assert_key(out.encr_r, &k, QM("encr_r"));
		assert_key(out.integ_r, &k, QM("integ_r"));
#undef QM
		child_keys_clear(&out);
		secret_free(gqm);
		free(ni);
		free(nr);
		free(g);
		free(spi_i);
		free(spi_r);
		free(ei);
		free(ii);
	}
	ck_assert_uint_gt(qm, 1);
	secret_free(skeyid_d);
	free(d);
	keys_free(&k);
}
END_TEST

Suite *
keymat_v1_capture_suite(void)
{
	Suite *s = suite_create("keymat_v1_capture");
	TCase *tc = tcase_create("strongswan");

	tcase_add_loop_test(tc, phase1_keys_ivs_hashes_match_strongswan, 0,
			    NSCENARIOS);
	tcase_add_loop_test(tc, quick_mode_keymat_matches_strongswan, 0,
			    NSCENARIOS);
	suite_add_tcase(s, tc);
	return s;
}
