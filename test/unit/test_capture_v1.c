/* SPDX-License-Identifier: ISC */
/*
 * Real IKEv1 messages: strongSwan 5.9.8 talking to itself, captured and
 * dissected by tshark (test/data/ikev1/, see its README). Every message is
 * framed, decrypted and decoded with our code (msg_v1_frame, the IV chains
 * of v1_crypt.c, msg_v1_frame_plain, pld_v1_*_get) and printed in the
 * README's normalized format; tshark's dissection was printed in the same
 * format, so a field we read differently from Wireshark's ISAKMP dissector
 * shows up as the first differing line.
 *
 * Only the encryption key and the cipher come from keys.txt (their
 * derivation is test_keymat_v1_capture.c's subject); the IVs are ours:
 * phase 1's from the KE payloads we decoded in messages 3 and 4, each
 * phase 2 or Informational exchange's from the phase 1 chain and its
 * message ID (RFC 2409 appendix B).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "keymat_v1.h"
#include "msg_v1.h"
#include "testutil.h"
#include "textdump.h"

#define MAX_FILES 64
#define MAX_XCHG  16
#define MAX_KE    1024 /* a MODP-8192 public value */

static void
dump_sa(struct text *t, const struct pld_ref *r)
{
	static struct pld_v1_sa sa;
	struct ike_err e = {0};
	unsigned i, j, k;

	ck_assert_msg(pld_v1_sa_get(r, &sa, &e) == 0, "%s", e.msg);
	text_out(t, "sa doi=%u sit=%08x\n", sa.doi, sa.situation);
	for (i = 0; i < sa.n_prop; i++) {
		const struct v1_proposal *p = &sa.prop[i];

		text_out(t, "prop num=%u proto=%u spisize=%u", p->num, p->proto,
			 p->spi_size);
		text_hex(t, "spi", p->spi);
		text_out(t, " ntf=%u\n", p->n_xf);
		for (j = 0; j < p->n_xf; j++) {
			const struct v1_transform *x = &sa.xf[p->xf0 + j];

			text_out(t, "xf num=%u id=%u\n", x->num, x->id);
			for (k = 0; k < x->n_attr; k++) {
				const struct v1_attr *a =
				    &sa.attr[x->attr0 + k];

				if (a->tv)
					text_out(t,
						 "attr type=%u fmt=tv "
						 "value=%04x\n",
						 a->type, a->val);
				else {
					text_out(t, "attr type=%u fmt=tlv",
						 a->type);
					text_hex(t, "value", a->value);
					text_out(t, "\n");
				}
			}
		}
	}
}

/* One payload: its generic header line, then its body's fields. */
static void
dump_pld(struct text *t, const struct pld_ref *r)
{
	union {
		struct pld_v1_data d;
		struct pld_v1_id id;
		struct pld_v1_cert cert;
		struct pld_v1_notify n;
		struct pld_v1_delete del;
		struct pld_v1_natoa oa;
	} u;
	struct ike_err e = {0};
	int rc = 0;

	text_out(t, "pld type=%u res=%u len=%zu\n", r->type, r->reserved,
		 r->body.len + IKEV1_GEN_HDR_LEN);
	switch (r->type) {
	case IKEV1_PL_SA: /* lines of its own */
		dump_sa(t, r);
		return;
	case IKEV1_PL_KE:
		rc = pld_v1_ke_get(r, &u.d, &e);
		text_out(t, "ke");
		text_hex(t, "data", u.d.data);
		break;
	case IKEV1_PL_ID:
		rc = pld_v1_id_get(r, &u.id, &e);
		text_out(t, "id type=%u proto=%u port=%u", u.id.type,
			 u.id.proto, u.id.port);
		text_hex(t, "data", u.id.data);
		break;
	case IKEV1_PL_CERT:
	case IKEV1_PL_CR:
		rc = r->type == IKEV1_PL_CERT
			 ? pld_v1_cert_get(r, &u.cert, &e)
			 : pld_v1_certreq_get(r, &u.cert, &e);
		text_out(t, "%s enc=%u",
			 r->type == IKEV1_PL_CERT ? "cert" : "certreq",
			 u.cert.encoding);
		text_hex(t, "data", u.cert.data);
		break;
	case IKEV1_PL_HASH:
		rc = pld_v1_hash_get(r, &u.d, &e);
		text_out(t, "hash");
		text_hex(t, "data", u.d.data);
		break;
	case IKEV1_PL_SIG:
		rc = pld_v1_sig_get(r, &u.d, &e);
		text_out(t, "sig");
		text_hex(t, "data", u.d.data);
		break;
	case IKEV1_PL_NONCE:
		rc = pld_v1_nonce_get(r, &u.d, &e);
		text_out(t, "nonce");
		text_hex(t, "data", u.d.data);
		break;
	case IKEV1_PL_N:
		rc = pld_v1_notify_get(r, &u.n, &e);
		text_out(t, "notify doi=%u proto=%u spisize=%u type=%u",
			 u.n.doi, u.n.proto, u.n.spi_size, u.n.type);
		text_hex(t, "spi", u.n.spi);
		text_hex(t, "data", u.n.data);
		break;
	case IKEV1_PL_D:
		rc = pld_v1_delete_get(r, &u.del, &e);
		text_out(t, "delete doi=%u proto=%u spisize=%u nspi=%u",
			 u.del.doi, u.del.proto, u.del.spi_size, u.del.n_spi);
		text_hex(t, "spis", u.del.spis);
		break;
	case IKEV1_PL_VID:
		rc = pld_v1_vid_get(r, &u.d, &e);
		text_out(t, "vid");
		text_hex(t, "data", u.d.data);
		break;
	case IKEV1_PL_NAT_D:
	case IKEV1_PL_NAT_D_DRAFT:
		rc = pld_v1_natd_get(r, &u.d, &e);
		text_out(t, "natd");
		text_hex(t, "data", u.d.data);
		break;
	case IKEV1_PL_NAT_OA:
	case IKEV1_PL_NAT_OA_DRAFT:
		rc = pld_v1_natoa_get(r, &u.oa, &e);
		text_out(t, "natoa type=%u", u.oa.id_type);
		text_hex(t, "data", u.oa.addr);
		break;
	default: /* the README's format shows only the pld line */
		return;
	}
	ck_assert_msg(rc == 0, "%s", e.msg);
	text_out(t, "\n");
}

/* One Quick Mode or Informational exchange: its own IV chain. */
struct xchg {
	uint32_t mid;
	struct v1_iv iv;
};

/* What a scenario's messages need from the ones before them. */
struct scenario {
	struct v1_suite suite;
	struct secret *key;
	uint8_t gxi[MAX_KE], gxr[MAX_KE];
	size_t gxi_len, gxr_len;
	bool p1_ready;   /* the phase 1 IV is known */
	struct v1_iv p1; /* phase 1's chain, its last block once done */
	struct xchg x[MAX_XCHG];
	unsigned nx;
};

/* Main Mode's KE payloads, in clear messages 3 and 4, give the phase 1
 * IV once both are seen. */
static void
keep_ke(struct scenario *sc, const struct msg_v1 *m, bool from_init)
{
	const struct pld_ref *r = msg_v1_find(m, IKEV1_PL_KE, NULL);
	struct pld_v1_data ke;
	struct ike_err e = {0};
	uint8_t *to = from_init ? sc->gxi : sc->gxr;
	size_t *len = from_init ? &sc->gxi_len : &sc->gxr_len;

	if (!r || m->hdr.exchange != IKEV1_EXCH_IDENT_PROT)
		return;
	ck_assert_msg(pld_v1_ke_get(r, &ke, &e) == 0, "%s", e.msg);
	ck_assert_uint_le(ke.data.len, MAX_KE);
	memcpy(to, ke.data.ptr, ke.data.len);
	*len = ke.data.len;
	if (sc->gxi_len && sc->gxr_len) {
		ck_assert_int_eq(
		    v1_iv_phase1(&sc->suite,
				 (struct bytes){sc->gxi, sc->gxi_len},
				 (struct bytes){sc->gxr, sc->gxr_len}, &sc->p1),
		    0);
		sc->p1_ready = true;
	}
}

/* The chain a message belongs to: phase 1's for Main Mode, else the one
 * of its message ID, started from phase 1's last block when first seen. */
static struct v1_iv *
chain_of(struct scenario *sc, const struct msg_v1 *m)
{
	unsigned i;

	ck_assert_msg(sc->p1_ready, "encrypted message before both KEs");
	if (m->hdr.exchange == IKEV1_EXCH_IDENT_PROT) {
		ck_assert_uint_eq(m->hdr.msgid, 0);
		return &sc->p1;
	}
	for (i = 0; i < sc->nx; i++)
		if (sc->x[i].mid == m->hdr.msgid)
			return &sc->x[i].iv;
	ck_assert_uint_lt(sc->nx, MAX_XCHG);
	sc->x[sc->nx].mid = m->hdr.msgid;
	ck_assert_int_eq(
	    v1_iv_phase2(&sc->suite, &sc->p1, m->hdr.msgid, &sc->x[sc->nx].iv),
	    0);
	return &sc->x[sc->nx++].iv;
}

/* On port 4500 a datagram starting with four zero octets is IKE behind
 * the non-ESP marker (RFC 3948 2.2). The README says the .bin files hold
 * the message without it, but a capture made otherwise still decodes. */
static void
strip_marker(const uint8_t **p, size_t *len)
{
	if (*len >= 4 && memcmp(*p, "\0\0\0\0", 4) == 0) {
		*p += 4;
		*len -= 4;
	}
}

/* Decode (and decrypt) one datagram into the normalized text; true if it
 * was encrypted, with *sent the IV it was encrypted with. */
static bool
dump_msg(struct scenario *sc, const uint8_t *p, size_t len, bool from_init,
	 struct text *t, struct v1_iv *sent)
{
	static struct msg_v1 m;
	struct ike_err e = {0};
	uint8_t *plain = NULL;
	unsigned i;

	ck_assert_msg(msg_v1_frame(p, len, &m, &e) == 0, "%s", e.msg);
	text_out(t, "hdr");
	text_hex(t, "icookie", (struct bytes){m.hdr.spi_i, IKEV1_COOKIE_LEN});
	text_hex(t, "rcookie", (struct bytes){m.hdr.spi_r, IKEV1_COOKIE_LEN});
	text_out(t, " np=%u ver=%u.%u exch=%u flags=%02x mid=%u len=%u\n",
		 m.hdr.np, m.hdr.major, m.hdr.minor, m.hdr.exchange,
		 m.hdr.flags, m.hdr.msgid, m.hdr.length);
	if (m.encrypted) {
		const struct pld_ref *last;
		struct v1_iv *iv = chain_of(sc, &m);
		size_t end;

		*sent = *iv;
		plain = malloc(m.cipher.len);
		ck_assert_ptr_nonnull(plain);
		ck_assert_int_eq(v1_crypt_decrypt(&sc->suite, sc->key, iv,
						  m.cipher, plain,
						  m.cipher.len),
				 0);
		ck_assert_msg(msg_v1_frame_plain(&m, plain, m.cipher.len,
						 IKEV1_HDR_LEN, &e) == 0,
			      "%s", e.msg);
		/* The padding: what the framed chain leaves of the body. */
		last = &m.pl[m.n - 1];
		end = last->offset + IKEV1_GEN_HDR_LEN + last->body.len -
		      IKEV1_HDR_LEN;
		text_out(t, "enc len=%zu", m.cipher.len);
		text_hex(t, "pad",
			 (struct bytes){plain + end, m.cipher.len - end});
		text_out(t, "\n");
	}
	ck_assert_msg(msg_v1_decode_all(&m, &e) == 0, "%s", e.msg);
	for (i = 0; i < m.n; i++)
		dump_pld(t, &m.pl[i]);
	if (!m.encrypted)
		keep_ke(sc, &m, from_init);
	free(plain);
	return m.encrypted;
}

/* Truncations and single-bit flips of a real datagram never crash the
 * decoder, and truncations are always refused (the header's length). A
 * flipped encrypted message is decrypted with the IV it was sent with
 * and whatever plaintext comes out is framed and decoded as well. */
static void
mangle(const struct scenario *sc, const uint8_t *p, size_t len,
       const struct v1_iv *sent)
{
	static struct msg_v1 m;
	uint8_t *q = malloc(len), *plain = malloc(len);
	struct ike_err e;
	size_t i;

	ck_assert(q && plain);
	for (i = 0; i < len; i++) {
		memcpy(q, p, i);
		ck_assert_int_eq(msg_v1_frame(q, i, &m, &e), -1);
	}
	memcpy(q, p, len);
	for (i = 0; i < len * 8; i++) {
		q[i / 8] ^= (uint8_t)(1u << (i % 8));
		if (msg_v1_frame(q, len, &m, &e) == 0) {
			struct v1_iv iv = sent ? *sent : (struct v1_iv){0};

			if (m.encrypted && sent &&
			    v1_crypt_decrypt(&sc->suite, sc->key, &iv, m.cipher,
					     plain, len) == 0 &&
			    msg_v1_frame_plain(&m, plain, m.cipher.len,
					       IKEV1_HDR_LEN, &e) == 0)
				msg_v1_decode_all(&m, &e);
			else if (!m.encrypted)
				msg_v1_decode_all(&m, &e);
		}
		q[i / 8] ^= (uint8_t)(1u << (i % 8));
	}
	free(plain);
	free(q);
}

static void
scenario_init(struct scenario *sc, const struct keyfile *k)
{
	const char *encr = keyfile_get(k, "encr"),
		   *bits = keyfile_get(k, "encr_bits"),
		   *hash = keyfile_get(k, "hash"),
		   *key = keyfile_get(k, "enc_key");
	uint8_t *raw;
	size_t len;

	ck_assert_msg(encr && bits && hash && key, "keys.txt incomplete");
	memset(sc, 0, sizeof(*sc));
	ck_assert_int_eq(keymat_v1_suite((uint16_t)atoi(encr),
					 (uint16_t)atoi(bits),
					 (uint16_t)atoi(hash), 0, &sc->suite),
			 0);
	raw = hex_decode(key, &len);
	sc->key = secret_dup(raw, len);
	ck_assert_ptr_nonnull(sc->key);
	free(raw);
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The .bin files of a scenario, in capture order (their names count). */
static unsigned
list_bins(const char *dir, char **files)
{
	DIR *d = opendir(dir);
	struct dirent *fe;
	unsigned nf = 0;

	ck_assert_msg(d != NULL, "no %s", dir);
	while ((fe = readdir(d))) {
		size_t l = strlen(fe->d_name);

		if (l < 5 || strcmp(fe->d_name + l - 4, ".bin") != 0)
			continue;
		ck_assert_uint_lt(nf, MAX_FILES);
		files[nf++] = strdup(fe->d_name);
	}
	closedir(d);
	qsort(files, nf, sizeof(files[0]), name_cmp);
	return nf;
}

START_TEST(v1_captures_match_tshark)
{
	static struct scenario sc;
	char base[512];
	DIR *top;
	struct dirent *de;
	unsigned scenarios = 0, packets = 0, encrypted = 0;

	snprintf(base, sizeof(base), "%s/ikev1", TEST_DATA);
	top = opendir(base);
	ck_assert_msg(top != NULL, "no %s", base);
	while ((de = readdir(top))) {
		char path[1024], *files[MAX_FILES];
		struct keyfile k;
		unsigned nf, i;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s/keys.txt", base,
			 de->d_name);
		if (access(path, R_OK) != 0)
			continue;
		snprintf(path, sizeof(path), "ikev1/%s/keys.txt", de->d_name);
		keyfile_load(&k, path);
		scenario_init(&sc, &k);
		snprintf(path, sizeof(path), "%s/%s", base, de->d_name);
		nf = list_bins(path, files);
		for (i = 0; i < nf; i++) {
			char rel[1024];
			size_t len;
			uint8_t *pkt;
			const uint8_t *msg;
			struct text t = {0};
			struct v1_iv sent;
			bool enc;
			/* i: sent by the original initiator (README) */
			bool from_init = strstr(files[i], "-i.bin") != NULL;

			snprintf(rel, sizeof(rel), "ikev1/%s/%s", de->d_name,
				 files[i]);
			pkt = data_file(rel, &len);
			msg = pkt;
			strip_marker(&msg, &len);
			strcpy(strstr(rel, ".bin"), ".expect");
			enc = dump_msg(&sc, msg, len, from_init, &t, &sent);
			text_expect(&t, rel);
			mangle(&sc, msg, len, enc ? &sent : NULL);
			encrypted += enc;
			text_free(&t);
			free(pkt);
			free(files[i]);
			packets++;
		}
		secret_free(sc.key);
		keyfile_free(&k);
		scenarios++;
	}
	closedir(top);
	/* the four scenarios of the README, nothing skipped */
	ck_assert_uint_ge(scenarios, 4);
	ck_assert_uint_ge(packets, 4 * 11);
	ck_assert_uint_ge(encrypted, 4 * 5);
}
END_TEST

Suite *
capture_v1_suite(void)
{
	Suite *s = suite_create("capture_v1");
	TCase *tc = tcase_create("strongswan");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, v1_captures_match_tshark);
	suite_add_tcase(s, tc);
	return s;
}
