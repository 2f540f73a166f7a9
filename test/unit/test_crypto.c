/* SPDX-License-Identifier: ISC */
/*
 * crypto.c against published known answers: HMAC (RFC 2202, RFC 4231),
 * the IKEv2 PRFs and truncated integrity MACs (RFC 4868 section 2.7),
 * prf+ by its definition in RFC 7296 2.13, AES-GCM (the GCM
 * specification's test cases), ChaCha20-Poly1305 (RFC 8439 2.8.2), AES-CBC
 * (RFC 3602, NIST SP 800-38A), and the algorithm tables.
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "alg.h"
#include "crypto.h"
#include "ikev2_const.h"
#include "testutil.h"

/* A key or message given as hex, as text, or as one byte repeated. */
struct blob {
	const char *hex;
	const char *text;
	uint8_t fill;
	size_t len;
};

static uint8_t *
blob_get(const struct blob *b, size_t *len)
{
	uint8_t *p;

	if (b->hex)
		return hex_decode(b->hex, len);
	if (b->text) {
		*len = strlen(b->text);
		p = malloc(*len + 1);
		ck_assert_ptr_nonnull(p);
		memcpy(p, b->text, *len);
		return p;
	}
	*len = b->len;
	p = malloc(b->len + 1);
	ck_assert_ptr_nonnull(p);
	memset(p, b->fill, b->len);
	return p;
}

struct hmac_kat {
	struct blob key, msg;
	const char *sha256, *sha384, *sha512;
};

/* RFC 4231 section 4, test cases 1 to 4, 6 and 7 (5 is about truncated
 * output, which the integrity tests below cover). */
static const struct hmac_kat rfc4231[] = {
    {{.fill = 0x0b, .len = 20},
     {.text = "Hi There"},
     "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
     "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59c"
     "faea9ea9076ede7f4af152e8b2fa9cb6",
     "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
     "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854"},
    {{.text = "Jefe"},
     {.text = "what do ya want for nothing?"},
     "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
     "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e"
     "8e2240ca5e69e2c78b3239ecfab21649",
     "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
     "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"},
    {{.fill = 0xaa, .len = 20},
     {.fill = 0xdd, .len = 50},
     "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
     "88062608d3e6ad8a0aa2ace014c8a86f0aa635d947ac9febe83ef4e55966144b"
     "2a5ab39dc13814b94e3ab6e101a34f27",
     "fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39"
     "bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb"},
    {{.hex = "0102030405060708090a0b0c0d0e0f10111213141516171819"},
     {.fill = 0xcd, .len = 50},
     "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
     "3e8a69b7783c25851933ab6290af6ca77a9981480850009cc5577c6e1f573b4e"
     "6801dd23c4a7d679ccf8a386c674cffb",
     "b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3db"
     "a91ca5c11aa25eb4d679275cc5788063a5f19741120c4f2de2adebeb10a298dd"},
    {{.fill = 0xaa, .len = 131},
     {.text = "Test Using Larger Than Block-Size Key - Hash Key First"},
     "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
     "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c6"
     "0c2ef6ab4030fe8296248df163f44952",
     "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f352"
     "6b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598"},
    {{.fill = 0xaa, .len = 131},
     {.text = "This is a test using a larger than block-size key and a "
	      "larger than block-size data. The key needs to be hashed "
	      "before being used by the HMAC algorithm."},
     "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
     "6617178e941f020d351e2f254e8fd32c602420feb0b8fb9adccebb82461e99c5"
     "a678cc31e799176d3860e6110c46523e",
     "e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944"
     "b6022cac3c4982b10d5eeb55c3e4de15134676fb6de0446065c97440fa8c6a58"},
};

/* Compute prf(key, msg) with msg split in two parts at every third byte
 * boundary too, so the concatenation of parts is covered as well. */
static void
check_prf(uint16_t id, const struct blob *kb, const struct blob *mb,
	  const char *expect)
{
	const struct prf_alg *prf = crypto_prf(id);
	uint8_t out[64];
	struct bytes parts[2];
	uint8_t *key, *msg;
	size_t klen, mlen, cut;

	ck_assert_ptr_nonnull(prf);
	key = blob_get(kb, &klen);
	msg = blob_get(mb, &mlen);
	for (cut = 0; cut <= mlen; cut += 3) {
		parts[0] = (struct bytes){msg, cut};
		parts[1] = (struct bytes){msg + cut, mlen - cut};
		memset(out, 0, sizeof(out));
		ck_assert_int_eq(
		    crypto_prf_compute(prf, key, klen, parts, 2, out), 0);
		ck_assert_hex(out, prf->out_len, expect);
	}
	free(key);
	free(msg);
}

START_TEST(prf_rfc4231)
{
	const struct hmac_kat *k = &rfc4231[_i];

	check_prf(IKEV2_PRF_HMAC_SHA2_256, &k->key, &k->msg, k->sha256);
	check_prf(IKEV2_PRF_HMAC_SHA2_384, &k->key, &k->msg, k->sha384);
	check_prf(IKEV2_PRF_HMAC_SHA2_512, &k->key, &k->msg, k->sha512);
}
END_TEST

/* RFC 2202 section 3, test cases 1 to 3. */
START_TEST(prf_rfc2202_sha1)
{
	const struct blob k1 = {.fill = 0x0b, .len = 20},
			  m1 = {.text = "Hi There"}, k2 = {.text = "Jefe"},
			  m2 = {.text = "what do ya want for nothing?"},
			  k3 = {.fill = 0xaa, .len = 20},
			  m3 = {.fill = 0xdd, .len = 50};

	check_prf(IKEV2_PRF_HMAC_SHA1, &k1, &m1,
		  "b617318655057264e28bc0b6fb378c8ef146be00");
	check_prf(IKEV2_PRF_HMAC_SHA1, &k2, &m2,
		  "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
	check_prf(IKEV2_PRF_HMAC_SHA1, &k3, &m3,
		  "125d7342b9ac11cd91a39af48aa17b4f63f175d3");
}
END_TEST

/*
 * RFC 4868 section 2.7.2: the four test cases per hash with a key as long
 * as the hash output, which both the PRF (full output) and the integrity
 * transform (truncated to half, RFC 4868 section 2.3) must reproduce.
 */
struct rfc4868_kat {
	uint16_t prf, integ;
	struct blob key[4];
	const char *mac[4];
};

static const struct rfc4868_kat rfc4868[] = {
    {IKEV2_PRF_HMAC_SHA2_256,
     IKEV2_INTEG_HMAC_SHA2_256_128,
     {{.fill = 0x0b, .len = 32},
      {.text = "JefeJefeJefeJefeJefeJefeJefeJefe"},
      {.fill = 0xaa, .len = 32},
      {.hex = "0102030405060708090a0b0c0d0e0f10"
	      "1112131415161718191a1b1c1d1e1f20"}},
     {"198a607eb44bfbc69903a0f1cf2bbdc5ba0aa3f3d9ae3c1c7a3b1696a0b68cf7",
      "167f928588c5cc2eef8e3093caa0e87c9ff566a14794aa61648d81621a2a40c6",
      "cdcb1220d1ecccea91e53aba3092f962e549fe6ce9ed7fdc43191fbde45c30b0",
      "372efcf9b40b35c2115b1346903d2ef42fced46f0846e7257bb156d3d7b30d3f"}},
    {IKEV2_PRF_HMAC_SHA2_384,
     IKEV2_INTEG_HMAC_SHA2_384_192,
     {{.fill = 0x0b, .len = 48},
      {.text = "JefeJefeJefeJefeJefeJefeJefeJefeJefeJefeJefeJefe"},
      {.fill = 0xaa, .len = 48},
      {.hex = "0102030405060708090a0b0c0d0e0f10"
	      "1112131415161718191a1b1c1d1e1f20"
	      "0a0b0c0d0e0f10111213141516171819"}},
     {"b6a8d5636f5c6a7224f9977dcf7ee6c7fb6d0c48cbdee9737a959796489bddbc"
      "4c5df61d5b3297b4fb68dab9f1b582c2",
      "2c7353974f1842fd66d53c452ca42122b28c0b594cfb184da86a368e9b8e16f5"
      "349524ca4e82400cbde0686d403371c9",
      "809f439be00274321d4a538652164b53554a508184a0c3160353e3428597003d"
      "35914a18770f9443987054944b7c4b4a",
      "5b540085c6e6358096532b2493609ed1cb298f774f87bb5c2ebf182c83cc7428"
      "707fb92eab2536a5812258228bc96687"}},
    {IKEV2_PRF_HMAC_SHA2_512,
     IKEV2_INTEG_HMAC_SHA2_512_256,
     {{.fill = 0x0b, .len = 64},
      {.text = "JefeJefeJefeJefeJefeJefeJefeJefe"
	       "JefeJefeJefeJefeJefeJefeJefeJefe"},
      {.fill = 0xaa, .len = 64},
      {.hex = "0102030405060708090a0b0c0d0e0f10"
	      "1112131415161718191a1b1c1d1e1f20"
	      "2122232425262728292a2b2c2d2e2f30"
	      "3132333435363738393a3b3c3d3e3f40"}},
     {"637edc6e01dce7e6742a99451aae82df23da3e92439e590e43e761b33e910fb8"
      "ac2878ebd5803f6f0b61dbce5e251ff8789a4722c1be65aea45fd464e89f8f5b",
      "cb370917ae8a7ce28cfd1d8f4705d6141c173b2a9362c15df235dfb251b15454"
      "6aa334ae9fb9afc2184932d8695e397bfa0ffb93466cfcceaae38c833b7dba38",
      "2ee7acd783624ca9398710f3ee05ae41b9f9b0510c87e49e586cc9bf961733d8"
      "623c7b55cebefccf02d5581acc1c9d5fb1ff68a1de45509fbe4da9a433922655",
      "5e6688e5a3daec826ca32eaea224eff5e700628947470e13ad01302561bab108"
      "b8c48cbc6b807dcfbd850521a685babc7eae4a2a2e660dc0e86b931d65503fd2"}},
};

static const struct blob rfc4868_msg[4] = {
    {.text = "Hi There"},
    {.text = "what do ya want for nothing?"},
    {.fill = 0xdd, .len = 50},
    {.fill = 0xcd, .len = 50},
};

START_TEST(prf_and_integ_rfc4868)
{
	const struct rfc4868_kat *k = &rfc4868[_i];
	const struct integ_alg *integ = crypto_integ(k->integ);
	uint8_t icv[64];
	uint8_t *key, *msg, *full;
	size_t klen, mlen, flen;
	struct bytes part;
	int i;

	ck_assert_ptr_nonnull(integ);
	for (i = 0; i < 4; i++) {
		check_prf(k->prf, &k->key[i], &rfc4868_msg[i], k->mac[i]);

		key = blob_get(&k->key[i], &klen);
		msg = blob_get(&rfc4868_msg[i], &mlen);
		full = hex_decode(k->mac[i], &flen);
		ck_assert_uint_eq(klen, integ->key_len);
		ck_assert_uint_eq(integ->icv_len, flen / 2);
		part = (struct bytes){msg, mlen};
		ck_assert_int_eq(
		    crypto_integ_compute(integ, key, &part, 1, icv), 0);
		ck_assert_mem_eq(icv, full, integ->icv_len);
		ck_assert_int_eq(
		    crypto_integ_verify(integ, key, &part, 1, full), 0);
		full[integ->icv_len - 1] ^= 1;
		ck_assert_int_eq(
		    crypto_integ_verify(integ, key, &part, 1, full), -1);
		free(key);
		free(msg);
		free(full);
	}
}
END_TEST

/* RFC 2202 test case 5 gives the HMAC-SHA1-96 output (RFC 2404). */
START_TEST(integ_sha1_96_rfc2202)
{
	const struct integ_alg *integ = crypto_integ(IKEV2_INTEG_HMAC_SHA1_96);
	static const char msg[] = "Test With Truncation";
	uint8_t key[20], icv[12];
	struct bytes part = {(const uint8_t *)msg, sizeof(msg) - 1};

	ck_assert_ptr_nonnull(integ);
	ck_assert_uint_eq(integ->key_len, 20);
	ck_assert_uint_eq(integ->icv_len, 12);
	memset(key, 0x0c, sizeof(key));
	ck_assert_int_eq(crypto_integ_compute(integ, key, &part, 1, icv), 0);
	ck_assert_hex(icv, sizeof(icv), "4c1a03424b55e07fe7f27be1");
	ck_assert_int_eq(crypto_integ_verify(integ, key, &part, 1, icv), 0);
	key[0] ^= 0x80;
	ck_assert_int_eq(crypto_integ_verify(integ, key, &part, 1, icv), -1);
}
END_TEST

/* RFC 2202 test case 5 for HMAC-MD5, truncated to 96 bits (RFC 2403),
 * and test case 1 as the full-length PRF. */
START_TEST(md5_rfc2202)
{
	const struct integ_alg *integ = crypto_integ(IKEV2_INTEG_HMAC_MD5_96);
	const struct prf_alg *prf = crypto_prf(IKEV2_PRF_HMAC_MD5);
	static const char msg[] = "Test With Truncation", hi[] = "Hi There";
	uint8_t key[16], icv[12], out[16];
	struct bytes part = {(const uint8_t *)msg, sizeof(msg) - 1};

	ck_assert_ptr_nonnull(integ);
	ck_assert_uint_eq(integ->key_len, 16);
	ck_assert_uint_eq(integ->icv_len, 12);
	memset(key, 0x0c, sizeof(key));
	ck_assert_int_eq(crypto_integ_compute(integ, key, &part, 1, icv), 0);
	ck_assert_hex(icv, sizeof(icv), "56461ef2342edc00f9bab995");
	ck_assert_int_eq(crypto_integ_verify(integ, key, &part, 1, icv), 0);

	ck_assert_ptr_nonnull(prf);
	ck_assert_uint_eq(prf->out_len, 16);
	memset(key, 0x0b, sizeof(key));
	part = (struct bytes){(const uint8_t *)hi, sizeof(hi) - 1};
	ck_assert_int_eq(crypto_prf_compute(prf, key, 16, &part, 1, out), 0);
	ck_assert_hex(out, sizeof(out), "9294727a3638bb1c13f48ef8158bfc9d");
}
END_TEST

/* prf+ rebuilt block by block from its definition (RFC 7296 2.13), up to
 * the last possible block, 255. */
START_TEST(prf_plus_definition)
{
	const struct prf_alg *prf = crypto_prf(IKEV2_PRF_HMAC_SHA2_256);
	static const uint8_t key[] = "prf+ key", s1[] = "seed one",
			     s2[] = "and two";
	const struct bytes seed[] = {{s1, sizeof(s1)}, {s2, sizeof(s2)}};
	const size_t max = 255 * 32;
	uint8_t *got, *want, t[32], n;
	struct bytes parts[4];
	size_t i;

	got = malloc(max + 1);
	want = malloc(max);
	ck_assert_ptr_nonnull(got);
	ck_assert_ptr_nonnull(want);
	for (i = 0; i < 255; i++) {
		n = (uint8_t)(i + 1);
		/* T1 = prf(K, S | 0x01), Tn = prf(K, Tn-1 | S | n) */
		parts[0] = (struct bytes){t, i ? sizeof(t) : 0};
		parts[1] = seed[0];
		parts[2] = seed[1];
		parts[3] = (struct bytes){&n, 1};
		ck_assert_int_eq(
		    crypto_prf_compute(prf, key, sizeof(key), parts, 4, t), 0);
		memcpy(want + 32 * i, t, 32);
	}
	/* Full and partial lengths are prefixes of the same stream. */
	ck_assert_int_eq(
	    crypto_prf_plus(prf, key, sizeof(key), seed, 2, got, 100), 0);
	ck_assert_mem_eq(got, want, 100);
	ck_assert_int_eq(
	    crypto_prf_plus(prf, key, sizeof(key), seed, 2, got, max), 0);
	ck_assert_mem_eq(got, want, max);
	/* A 256th block would need counter 0x100. */
	ck_assert_int_eq(
	    crypto_prf_plus(prf, key, sizeof(key), seed, 2, got, max + 1), -1);
	free(got);
	free(want);
}
END_TEST

/* Expected output computed with python3's hmac module (an independent
 * prf+ written from RFC 7296 2.13), not with this code. */
START_TEST(prf_plus_sha1_independent)
{
	const struct prf_alg *prf = crypto_prf(IKEV2_PRF_HMAC_SHA1);
	static const uint8_t s[] = "Hi There";
	const struct bytes seed = {s, sizeof(s) - 1};
	uint8_t key[20], out[60];

	memset(key, 0x0b, sizeof(key));
	ck_assert_int_eq(
	    crypto_prf_plus(prf, key, sizeof(key), &seed, 1, out, 60), 0);
	ck_assert_hex(
	    out, sizeof(out),
	    "29e6e7119ecc3640f21fd6bd787a4a512a309f870712afe9b04b22bc233fa36f"
	    "1766a6750ea37cb074047bec7a361429df72abf51101d23b75b4d2ca");
}
END_TEST

/*
 * An AEAD known answer: the 12-byte nonce of the published vector is split
 * into the salt (first 4 bytes, appended to the key as keying material)
 * and the 8-byte IV the payload carries.
 */
struct aead_kat {
	uint16_t id, bits;
	const char *key, *nonce, *aad, *pt, *ct, *tag;
};

static const struct aead_kat aead_kats[] = {
    /* GCM specification (McGrew, Viega), test case 1: empty everything */
    {IKEV2_ENCR_AES_GCM_16, 128, "00000000000000000000000000000000",
     "000000000000000000000000", "", "", "",
     "58e2fccefa7e3061367f1d57a4e7455a"},
    /* test case 4: AES-128 with AAD and a partial last block */
    {IKEV2_ENCR_AES_GCM_16, 128, "feffe9928665731c6d6a8f9467308308",
     "cafebabefacedbaddecaf888", "feedfacedeadbeeffeedfacedeadbeefabaddad2",
     "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
     "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
     "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
     "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091",
     "5bc94fbc3221a5db94fae95ae7121a47"},
    /* The same with 12- and 8-byte ICVs (RFC 5282 3.2, RFC 4106 3): the
     * leading bytes of the full tag. */
    {IKEV2_ENCR_AES_GCM_12, 128, "feffe9928665731c6d6a8f9467308308",
     "cafebabefacedbaddecaf888", "feedfacedeadbeeffeedfacedeadbeefabaddad2",
     "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
     "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
     "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
     "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091",
     "5bc94fbc3221a5db94fae95a"},
    {IKEV2_ENCR_AES_GCM_8, 128, "feffe9928665731c6d6a8f9467308308",
     "cafebabefacedbaddecaf888", "feedfacedeadbeeffeedfacedeadbeefabaddad2",
     "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
     "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
     "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
     "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091",
     "5bc94fbc3221a5db"},
    /* test case 16: the same with AES-256 */
    {IKEV2_ENCR_AES_GCM_16, 256,
     "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308",
     "cafebabefacedbaddecaf888", "feedfacedeadbeeffeedfacedeadbeefabaddad2",
     "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
     "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
     "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
     "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
     "76fc6ece0f4e1768cddf8853bb2d551b"},
    /* RFC 8439 section 2.8.2 (nonce = constant 07000000 | IV) */
    {IKEV2_ENCR_CHACHA20_POLY1305, 0,
     "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f",
     "070000004041424344454647", "50515253c0c1c2c3c4c5c6c7",
     /* "Ladies and Gentlemen of the class of '99: If I could offer you
      * only one tip for the future, sunscreen would be it." */
     "4c616469657320616e642047656e746c656d656e206f662074686520636c6173"
     "73206f66202739393a204966204920636f756c64206f6666657220796f75206f"
     "6e6c79206f6e652074697020666f7220746865206675747572652c2073756e73"
     "637265656e20776f756c642062652069742e",
     "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6"
     "3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36"
     "92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc"
     "3ff4def08e4b7a9de576d26586cec64b6116",
     "1ae10b594f09e26a7e902ecbd0600691"},
};

START_TEST(aead_known_answers)
{
	const struct aead_kat *k = &aead_kats[_i];
	const struct encr_alg *encr = crypto_encr(k->id, k->bits);
	uint8_t *key, *nonce, *aad, *pt, *ct, *tag, *keymat, *buf;
	size_t klen, nlen, alen, plen, clen, tlen;
	struct bytes ab;
	uint8_t icv[16];

	ck_assert_ptr_nonnull(encr);
	key = hex_decode(k->key, &klen);
	nonce = hex_decode(k->nonce, &nlen);
	aad = hex_decode(k->aad, &alen);
	pt = hex_decode(k->pt, &plen);
	ct = hex_decode(k->ct, &clen);
	tag = hex_decode(k->tag, &tlen);
	ck_assert_uint_eq(nlen, encr->salt_len + encr->iv_len);
	ck_assert_uint_eq(klen + encr->salt_len, encr->key_len);
	ck_assert_uint_eq(tlen, encr->icv_len);

	/* keying material = key | salt */
	keymat = malloc(encr->key_len);
	ck_assert_ptr_nonnull(keymat);
	memcpy(keymat, key, klen);
	memcpy(keymat + klen, nonce, encr->salt_len);
	buf = malloc(plen + 1);
	ck_assert_ptr_nonnull(buf);
	memcpy(buf, pt, plen);
	ab = (struct bytes){aad, alen};

	ck_assert_int_eq(crypto_aead_seal(encr, keymat, nonce + encr->salt_len,
					  ab, buf, plen, icv),
			 0);
	ck_assert_mem_eq(buf, ct, clen);
	ck_assert_mem_eq(icv, tag, tlen);
	ck_assert_int_eq(crypto_aead_open(encr, keymat, nonce + encr->salt_len,
					  ab, buf, plen, icv),
			 0);
	ck_assert_mem_eq(buf, pt, plen);

	/* One flipped bit anywhere fails the open. */
	if (plen) {
		memcpy(buf, ct, clen);
		buf[plen / 2] ^= 0x01;
		ck_assert_int_eq(crypto_aead_open(encr, keymat,
						  nonce + encr->salt_len, ab,
						  buf, plen, icv),
				 -1);
	}
	memcpy(buf, ct, clen);
	icv[encr->icv_len - 1] ^= 0x80;
	ck_assert_int_eq(crypto_aead_open(encr, keymat, nonce + encr->salt_len,
					  ab, buf, plen, icv),
			 -1);
	icv[encr->icv_len - 1] ^= 0x80;
	if (alen) {
		memcpy(buf, ct, clen);
		aad[0] ^= 0x01;
		ck_assert_int_eq(crypto_aead_open(encr, keymat,
						  nonce + encr->salt_len, ab,
						  buf, plen, icv),
				 -1);
		aad[0] ^= 0x01;
	}
	/* So does a wrong salt: it is part of the nonce. */
	memcpy(buf, ct, clen);
	keymat[klen] ^= 0x01;
	ck_assert_int_eq(crypto_aead_open(encr, keymat, nonce + encr->salt_len,
					  ab, buf, plen, icv),
			 -1);

	free(key);
	free(nonce);
	free(aad);
	free(pt);
	free(ct);
	free(tag);
	free(keymat);
	free(buf);
}
END_TEST

struct cbc_kat {
	uint16_t id, bits;
	const char *key, *iv, *pt, *ct;
};

static const struct cbc_kat cbc_kats[] = {
    /* RFC 3602 section 4, case #1: "Single block msg" */
    {IKEV2_ENCR_AES_CBC, 128, "06a9214036b8a15b512e03d534120006",
     "3dafba429d9eb430b422da802c9fac41", "53696e676c6520626c6f636b206d7367",
     "e353779c1079aeb82708942dbe77181a"},
    /* case #2 */
    {IKEV2_ENCR_AES_CBC, 128, "c286696d887c9aa0611bbb3e2025a45a",
     "562e17996d093d28ddb3ba695a2e6f58",
     "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
     "d296cd94c2cccf8a3a863028b5e1dc0a7586602d253cfff91b8266bea6d61ab1"},
    /* NIST SP 800-38A F.2.5, CBC-AES256.Encrypt */
    {IKEV2_ENCR_AES_CBC, 256,
     "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4",
     "000102030405060708090a0b0c0d0e0f",
     "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
     "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710",
     "f58c4c04d6e5f1ba779eabfb5f7bfbd69cfc4e967edb808d679f777bc6702c7d"
     "39f23369a9d9bacfa530e26304231461b2eb05e2c39be9fcda6c19078c6a9d1b"},
};

START_TEST(cbc_known_answers)
{
	const struct cbc_kat *k = &cbc_kats[_i];
	const struct encr_alg *encr = crypto_encr(k->id, k->bits);
	uint8_t *key, *iv, *pt, *buf;
	size_t klen, ivlen, plen;

	ck_assert_ptr_nonnull(encr);
	key = hex_decode(k->key, &klen);
	iv = hex_decode(k->iv, &ivlen);
	pt = hex_decode(k->pt, &plen);
	ck_assert_uint_eq(klen, encr->key_len);
	ck_assert_uint_eq(ivlen, encr->iv_len);
	buf = malloc(plen);
	ck_assert_ptr_nonnull(buf);
	memcpy(buf, pt, plen);
	ck_assert_int_eq(crypto_cbc_encrypt(encr, key, iv, buf, plen), 0);
	ck_assert_hex(buf, plen, k->ct);
	ck_assert_int_eq(crypto_cbc_decrypt(encr, key, iv, buf, plen), 0);
	ck_assert_mem_eq(buf, pt, plen);
	/* No padding is added or removed: partial blocks are refused. */
	ck_assert_int_eq(crypto_cbc_encrypt(encr, key, iv, buf, plen - 1), -1);
	free(key);
	free(iv);
	free(pt);
	free(buf);
}
END_TEST

START_TEST(tdes_cbc_round_trip)
{
	const struct encr_alg *encr = crypto_encr(IKEV2_ENCR_3DES, 0);
	uint8_t key[24], iv[8], pt[64], buf[64];

	ck_assert_ptr_nonnull(encr);
	ck_assert_uint_eq(encr->key_len, 24);
	ck_assert_uint_eq(encr->iv_len, 8);
	ck_assert_uint_eq(encr->block_len, 8);
	ck_assert_int_eq(crypto_random(key, sizeof(key)), 0);
	ck_assert_int_eq(crypto_random(iv, sizeof(iv)), 0);
	ck_assert_int_eq(crypto_random(pt, sizeof(pt)), 0);
	memcpy(buf, pt, sizeof(buf));
	ck_assert_int_eq(crypto_cbc_encrypt(encr, key, iv, buf, sizeof(buf)),
			 0);
	ck_assert(memcmp(buf, pt, sizeof(buf)) != 0);
	ck_assert_int_eq(crypto_cbc_decrypt(encr, key, iv, buf, sizeof(buf)),
			 0);
	ck_assert_mem_eq(buf, pt, sizeof(buf));
	ck_assert_int_eq(crypto_cbc_encrypt(encr, key, iv, buf, 12), -1);
}
END_TEST

START_TEST(algorithm_tables)
{
	const struct encr_alg *e;
	const struct integ_alg *i;
	const struct prf_alg *p;

	e = crypto_encr(IKEV2_ENCR_AES_GCM_16, 128);
	ck_assert_ptr_nonnull(e);
	ck_assert(e->aead);
	ck_assert_uint_eq(e->key_len, 20);
	ck_assert_uint_eq(e->salt_len, 4);
	ck_assert_uint_eq(e->iv_len, 8);
	ck_assert_uint_eq(e->icv_len, 16);
	ck_assert_uint_eq(e->block_len, 4);
	e = crypto_encr(IKEV2_ENCR_AES_GCM_16, 256);
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(e->key_len, 36);
	ck_assert_ptr_nonnull(crypto_encr(IKEV2_ENCR_AES_GCM_16, 192));
	ck_assert_ptr_null(crypto_encr(IKEV2_ENCR_AES_GCM_16, 0));
	ck_assert_ptr_null(crypto_encr(IKEV2_ENCR_AES_GCM_16, 100));
	e = crypto_encr(IKEV2_ENCR_AES_GCM_8, 128);
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(e->key_len, 20);
	ck_assert_uint_eq(e->icv_len, 8);
	e = crypto_encr(IKEV2_ENCR_AES_GCM_12, 192);
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(e->key_len, 28);
	ck_assert_uint_eq(e->icv_len, 12);

	e = crypto_encr(IKEV2_ENCR_CHACHA20_POLY1305, 0);
	ck_assert_ptr_nonnull(e);
	ck_assert(e->aead);
	ck_assert_uint_eq(e->key_len, 36);
	ck_assert_uint_eq(e->salt_len, 4);
	ck_assert_uint_eq(e->iv_len, 8);
	ck_assert_uint_eq(e->icv_len, 16);
	ck_assert_uint_eq(e->block_len, 1);
	/* RFC 7634 section 2: no Key Length attribute. */
	ck_assert_ptr_null(crypto_encr(IKEV2_ENCR_CHACHA20_POLY1305, 256));

	e = crypto_encr(IKEV2_ENCR_AES_CBC, 192);
	ck_assert_ptr_nonnull(e);
	ck_assert(!e->aead);
	ck_assert_uint_eq(e->key_len, 24);
	ck_assert_uint_eq(e->iv_len, 16);
	ck_assert_uint_eq(e->block_len, 16);
	ck_assert_uint_eq(e->icv_len, 0);
	ck_assert_ptr_null(crypto_encr(IKEV2_ENCR_AES_CBC, 0));
	ck_assert_ptr_null(crypto_encr(IKEV2_ENCR_3DES, 192));
	ck_assert_ptr_null(crypto_encr(IKEV2_ENCR_NULL, 0));

	i = crypto_integ(IKEV2_INTEG_HMAC_SHA2_512_256);
	ck_assert_ptr_nonnull(i);
	ck_assert_uint_eq(i->key_len, 64);
	ck_assert_uint_eq(i->icv_len, 32);
	/* ESP-only, but a CHILD SA takes its KEYMAT length from here. */
	i = crypto_integ(ALG_INTEG_HMAC_SHA2_256_96);
	ck_assert_ptr_nonnull(i);
	ck_assert_uint_eq(i->key_len, 32);
	ck_assert_uint_eq(i->icv_len, 12);
	ck_assert_ptr_null(crypto_integ(IKEV2_INTEG_NONE));
	ck_assert_ptr_null(crypto_integ(5)); /* AES-XCBC-96: not here */

	p = crypto_prf(IKEV2_PRF_HMAC_SHA2_384);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(p->key_len, 48);
	ck_assert_uint_eq(p->out_len, 48);
	ck_assert_ptr_null(crypto_prf(0));
}
END_TEST

START_TEST(bad_arguments_fail)
{
	const struct encr_alg *gcm = crypto_encr(IKEV2_ENCR_AES_GCM_16, 128);
	const struct encr_alg *cbc = crypto_encr(IKEV2_ENCR_AES_CBC, 128);
	uint8_t key[36] = {0}, iv[16] = {0}, buf[32] = {0}, icv[16];
	const struct bytes none = {NULL, 0};

	/* A CBC cipher is not an AEAD and the reverse. */
	ck_assert_int_eq(
	    crypto_aead_seal(cbc, key, iv, none, buf, sizeof(buf), icv), -1);
	ck_assert_int_eq(crypto_cbc_encrypt(gcm, key, iv, buf, sizeof(buf)),
			 -1);
	ck_assert_int_eq(
	    crypto_aead_seal(NULL, key, iv, none, buf, sizeof(buf), icv), -1);
	ck_assert_int_eq(crypto_prf_compute(NULL, key, 1, NULL, 0, buf), -1);
}
END_TEST

START_TEST(random_differs)
{
	uint8_t a[32], b[32];

	ck_assert_int_eq(crypto_random(a, sizeof(a)), 0);
	ck_assert_int_eq(crypto_random(b, sizeof(b)), 0);
	ck_assert(memcmp(a, b, sizeof(a)) != 0);
	ck_assert_int_eq(crypto_random(NULL, 0), 0);
}
END_TEST

/* SipHash-2-4 with 128-bit output: the reference implementation's
 * vectors (key 00..0f, message 00..len-1) for the empty message and 15
 * bytes; the same bytes cut into parts; and a key or message that
 * differs in one bit gives another hash. */
START_TEST(siphash_reference_vectors)
{
	static const uint8_t want0[16] = {0xa3, 0x81, 0x7f, 0x04, 0xba, 0x25,
					  0xa8, 0xe6, 0x6d, 0xf6, 0x72, 0x14,
					  0xc7, 0x55, 0x02, 0x93};
	static const uint8_t want15[16] = {0x54, 0x93, 0xe9, 0x99, 0x33, 0xb0,
					   0xa8, 0x11, 0x7e, 0x08, 0xec, 0x0f,
					   0x97, 0xcf, 0xc3, 0xd9};
	uint8_t key[16], msg[15], out[16], again[16];
	struct bytes parts[3];
	int i;

	for (i = 0; i < 16; i++)
		key[i] = (uint8_t)i;
	for (i = 0; i < 15; i++)
		msg[i] = (uint8_t)i;
	ck_assert_int_eq(crypto_siphash(key, NULL, 0, out), 0);
	ck_assert_mem_eq(out, want0, 16);
	parts[0] = (struct bytes){msg, 15};
	ck_assert_int_eq(crypto_siphash(key, parts, 1, out), 0);
	ck_assert_mem_eq(out, want15, 16);
	parts[0] = (struct bytes){msg, 4};
	parts[1] = (struct bytes){msg + 4, 0};
	parts[2] = (struct bytes){msg + 4, 11};
	ck_assert_int_eq(crypto_siphash(key, parts, 3, again), 0);
	ck_assert_mem_eq(again, want15, 16);
	msg[7] ^= 1;
	parts[0] = (struct bytes){msg, 15};
	ck_assert_int_eq(crypto_siphash(key, parts, 1, again), 0);
	ck_assert(memcmp(again, want15, 16) != 0);
	msg[7] ^= 1;
	key[15] ^= 0x80;
	ck_assert_int_eq(crypto_siphash(key, parts, 1, again), 0);
	ck_assert(memcmp(again, want15, 16) != 0);
	ck_assert_int_eq(crypto_siphash(NULL, parts, 1, again), -1);
	ck_assert_int_eq(crypto_siphash(key, parts, 1, NULL), -1);
}
END_TEST

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

Suite *
crypto_suite(void)
{
	Suite *s = suite_create("crypto");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, prf_rfc4231, 0, NELEM(rfc4231));
	tcase_add_test(tc, prf_rfc2202_sha1);
	tcase_add_loop_test(tc, prf_and_integ_rfc4868, 0, NELEM(rfc4868));
	tcase_add_test(tc, integ_sha1_96_rfc2202);
	tcase_add_test(tc, md5_rfc2202);
	tcase_add_test(tc, prf_plus_definition);
	tcase_add_test(tc, prf_plus_sha1_independent);
	tcase_add_loop_test(tc, aead_known_answers, 0, NELEM(aead_kats));
	tcase_add_loop_test(tc, cbc_known_answers, 0, NELEM(cbc_kats));
	tcase_add_test(tc, tdes_cbc_round_trip);
	tcase_add_test(tc, algorithm_tables);
	tcase_add_test(tc, bad_arguments_fail);
	tcase_add_test(tc, random_differs);
	tcase_add_test(tc, siphash_reference_vectors);
	suite_add_tcase(s, tc);
	return s;
}
