/* SPDX-License-Identifier: ISC */
/*
 * Real packets: IKEv2 messages strongSwan exchanged with itself, captured
 * with tshark (test/data/ikev2/, see its README). Each message is decoded
 * and decrypted with our code and printed in a normalized text form; the
 * same text was produced from tshark's dissection of the packet, so any
 * field we read differently from Wireshark's IKEv2 dissector shows up as a
 * diff. Every message is also put through a truncation and bit-flip loop.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "ike.h"
#include "msg.h"
#include "testutil.h"
#include "textdump.h"

static void
out_addr(struct text *t, const char *key, uint8_t type, const uint8_t *a)
{
	char s[INET6_ADDRSTRLEN];

	inet_ntop(type == IKEV2_TS_IPV4_ADDR_RANGE ? AF_INET : AF_INET6, a, s,
		  sizeof(s));
	text_out(t, " %s=%s", key, s);
}

static void
dump_sa(struct text *t, const struct pld_ref *r)
{
	static struct pld_sa sa;
	struct ike_err e;
	unsigned i, j;

	ck_assert_msg(pld_sa_get(r, &sa, &e) == 0, "%s", e.msg);
	for (i = 0; i < sa.n; i++) {
		const struct proposal *p = &sa.prop[i];
		struct bytes spi = {p->spi, p->spi_size};

		text_out(t, "prop num=%u proto=%u spisize=%u", p->num, p->proto,
			 p->spi_size);
		text_hex(t, "spi", spi);
		text_out(t, " ntf=%u\n", p->n_xf);
		for (j = 0; j < p->n_xf; j++) {
			const struct transform *x = &p->xf[j];

			text_out(t, "xf type=%u id=%u keylen=", x->type, x->id);
			if (x->key_bits)
				text_out(t, "%u\n", x->key_bits);
			else
				text_out(t, "-\n");
		}
	}
}

static void
dump_pld(struct text *t, const struct pld_ref *r)
{
	union {
		struct pld_ke ke;
		struct pld_id id;
		struct pld_cert cert;
		struct pld_auth auth;
		struct pld_nonce nonce;
		struct pld_notify n;
		struct pld_delete d;
		struct pld_vendor v;
		struct pld_ts ts;
		struct pld_cp cp;
		struct pld_eap eap;
		struct pld_skf skf;
	} u;
	struct ike_err e = {0};
	unsigned i;
	int rc = 0;

	text_out(t, "pld type=%u crit=%u len=%zu\n", r->type, r->critical,
		 r->body.len + IKEV2_GEN_HDR_LEN);
	switch (r->type) {
	case IKEV2_PL_SA:
		dump_sa(t, r);
		break;
	case IKEV2_PL_KE:
		rc = pld_ke_get(r, &u.ke, &e);
		text_out(t, "ke group=%u", u.ke.group);
		text_hex(t, "data", u.ke.data);
		text_out(t, "\n");
		break;
	case IKEV2_PL_IDi:
	case IKEV2_PL_IDr:
		rc = pld_id_get(r, &u.id, &e);
		text_out(t, "id type=%u", u.id.type);
		text_hex(t, "data", u.id.data);
		text_out(t, "\n");
		break;
	case IKEV2_PL_CERT:
	case IKEV2_PL_CERTREQ:
		rc = pld_cert_get(r, &u.cert, &e);
		text_out(t, "%s enc=%u",
			 r->type == IKEV2_PL_CERT ? "cert" : "certreq",
			 u.cert.encoding);
		text_hex(t, "data", u.cert.data);
		text_out(t, "\n");
		break;
	case IKEV2_PL_AUTH:
		rc = pld_auth_get(r, &u.auth, &e);
		text_out(t, "auth method=%u", u.auth.method);
		text_hex(t, "data", u.auth.data);
		text_out(t, "\n");
		break;
	case IKEV2_PL_NONCE:
		rc = pld_nonce_get(r, &u.nonce, &e);
		text_out(t, "nonce");
		text_hex(t, "data", u.nonce.data);
		text_out(t, "\n");
		break;
	case IKEV2_PL_N:
		rc = pld_notify_get(r, &u.n, &e);
		text_out(t, "notify proto=%u spisize=%u type=%u", u.n.proto,
			 u.n.spi_size, u.n.type);
		text_hex(t, "spi", u.n.spi);
		text_hex(t, "data", u.n.data);
		text_out(t, "\n");
		break;
	case IKEV2_PL_D:
		rc = pld_delete_get(r, &u.d, &e);
		text_out(t, "delete proto=%u spisize=%u nspi=%u", u.d.proto,
			 u.d.spi_size, u.d.n_spi);
		text_hex(t, "spis", u.d.spis);
		text_out(t, "\n");
		break;
	case IKEV2_PL_V:
		rc = pld_vendor_get(r, &u.v, &e);
		text_out(t, "vid");
		text_hex(t, "data", u.v.data);
		text_out(t, "\n");
		break;
	case IKEV2_PL_TSi:
	case IKEV2_PL_TSr:
		rc = pld_ts_get(r, &u.ts, &e);
		text_out(t, "ts count=%u\n", u.ts.n);
		for (i = 0; i < u.ts.n; i++) {
			const struct ts *s = &u.ts.ts[i];

			text_out(t, "tsel type=%u proto=%u sport=%u eport=%u",
				 s->type, s->proto, s->sport, s->eport);
			out_addr(t, "saddr", s->type, s->saddr);
			out_addr(t, "eaddr", s->type, s->eaddr);
			text_out(t, "\n");
		}
		break;
	case IKEV2_PL_CP:
		rc = pld_cp_get(r, &u.cp, &e);
		text_out(t, "cp type=%u\n", u.cp.type);
		for (i = 0; i < u.cp.n; i++) {
			text_out(t, "attr type=%u", u.cp.attr[i].type);
			text_hex(t, "data", u.cp.attr[i].value);
			text_out(t, "\n");
		}
		break;
	case IKEV2_PL_EAP:
		rc = pld_eap_get(r, &u.eap, &e);
		text_out(t, "eap");
		text_hex(t, "data", u.eap.msg);
		text_out(t, "\n");
		break;
	case IKEV2_PL_SKF:
		rc = pld_skf_get(r, &u.skf, &e);
		text_out(t, "skf num=%u total=%u\n", u.skf.num, u.skf.total);
		break;
	default:
		break;
	}
	ck_assert_msg(rc == 0, "%s", e.msg);
}

static void
keys_load(const char *dir, struct keyfile *k)
{
	char rel[512];

	snprintf(rel, sizeof(rel), "ikev2/%s/keys.txt", dir);
	keyfile_load(k, rel);
}

static struct secret *
key_secret(const struct keyfile *k, const char *name)
{
	const char *hex = keyfile_get(k, name);
	struct secret *s;
	uint8_t *raw;
	size_t len;

	if (!hex || !*hex)
		return NULL;
	raw = hex_decode(hex, &len);
	s = secret_dup(raw, len);
	free(raw);
	return s;
}

/* Decode (and decrypt, for SK) one message into the normalized text. */
static void
dump_msg(const uint8_t *p, size_t len, const struct keyfile *k, bool from_init,
	 struct text *t)
{
	static uint8_t plain[IKEV2_MAX_MSG_LEN];
	struct msg m;
	struct ike_err e = {0};
	unsigned i, outer;

	ck_assert_msg(msg_frame(p, len, &m, &e) == 0, "%s", e.msg);
	text_out(t, "hdr");
	text_hex(t, "ispi", (struct bytes){m.hdr.spi_i, 8});
	text_hex(t, "rspi", (struct bytes){m.hdr.spi_r, 8});
	text_out(t, " np=%u ver=%u.%u exch=%u flags=%02x mid=%u len=%u\n",
		 m.hdr.np, m.hdr.major, m.hdr.minor, m.hdr.exchange,
		 m.hdr.flags, m.hdr.msgid, m.hdr.length);
	outer = m.n;
	if (m.sk >= 0 && m.pl[m.sk].type == IKEV2_PL_SK) {
		struct sk_keys sk = {0};
		struct secret *ek, *ak;
		const char *integ = keyfile_get(k, "integ");

		ek = key_secret(k, from_init ? "sk_ei" : "sk_er");
		ak = key_secret(k, from_init ? "sk_ai" : "sk_ar");
		sk.encr = crypto_encr(atoi(keyfile_get(k, "encr")),
				      atoi(keyfile_get(k, "encr_bits")));
		sk.integ =
		    integ && atoi(integ) ? crypto_integ(atoi(integ)) : NULL;
		sk.ekey = ek;
		sk.akey = ak;
		ck_assert_ptr_nonnull(sk.encr);
		ck_assert_msg(sk_open(&m, &sk, plain, sizeof(plain), &e) == 0,
			      "%s", e.msg);
		secret_free(ek);
		secret_free(ak);
	}
	ck_assert_msg(msg_decode_all(&m, &e) == 0, "%s", e.msg);
	for (i = 0; i < outer; i++) {
		dump_pld(t, &m.pl[i]);
		if ((int)i == m.sk) {
			unsigned j;

			for (j = outer; j < m.n; j++)
				dump_pld(t, &m.pl[j]);
		}
	}
}

/* Truncations and single-bit flips of a real packet never crash the
 * decoder, and truncations are always refused. */
static void
mangle(const uint8_t *p, size_t len)
{
	uint8_t *q = malloc(len);
	struct msg m;
	struct ike_err e;
	size_t i;

	for (i = 0; i < len; i++) {
		memcpy(q, p, i);
		ck_assert_int_eq(msg_frame(q, i, &m, &e), -1);
	}
	memcpy(q, p, len);
	for (i = 0; i < len * 8; i++) {
		q[i / 8] ^= (uint8_t)(1u << (i % 8));
		if (msg_frame(q, len, &m, &e) == 0)
			msg_decode_all(&m, &e);
		q[i / 8] ^= (uint8_t)(1u << (i % 8));
	}
	free(q);
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

START_TEST(captures_match_tshark)
{
	char base[512];
	DIR *top;
	struct dirent *de;
	unsigned scenarios = 0, packets = 0;

	snprintf(base, sizeof(base), "%s/ikev2", TEST_DATA);
	top = opendir(base);
	ck_assert_msg(top != NULL, "no %s", base);
	while ((de = readdir(top))) {
		char path[1024], *files[256];
		unsigned nf = 0, i;
		struct keyfile k;
		DIR *d;
		struct dirent *fe;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s/keys.txt", base,
			 de->d_name);
		if (access(path, R_OK) != 0)
			continue;
		keys_load(de->d_name, &k);
		snprintf(path, sizeof(path), "%s/%s", base, de->d_name);
		d = opendir(path);
		while ((fe = readdir(d)) && nf < 256)
			if (strstr(fe->d_name, ".bin"))
				files[nf++] = strdup(fe->d_name);
		closedir(d);
		qsort(files, nf, sizeof(files[0]), name_cmp);
		for (i = 0; i < nf; i++) {
			char rel[1024];
			size_t len;
			uint8_t *pkt;
			struct text t = {0};
			bool from_init = strstr(files[i], "-i.bin") != NULL;

			snprintf(rel, sizeof(rel), "ikev2/%s/%s", de->d_name,
				 files[i]);
			pkt = data_file(rel, &len);
			strcpy(strstr(rel, ".bin"), ".expect");
			dump_msg(pkt, len, &k, from_init, &t);
			text_expect(&t, rel);
			mangle(pkt, len);
			text_free(&t);
			free(pkt);
			free(files[i]);
			packets++;
		}
		keyfile_free(&k);
		scenarios++;
	}
	closedir(top);
	ck_assert_uint_ge(scenarios, 2);
	ck_assert_uint_ge(packets, 8);
}
END_TEST

/* The newest file of a scenario whose name ends in suffix (e.g. the last
 * IKE_SA_INIT request after an INVALID_KE_PAYLOAD retry). */
static bool
find_file(const char *dir, const char *suffix, bool last, char *out, size_t len)
{
	char path[1024];
	DIR *d;
	struct dirent *fe;
	bool found = false;

	snprintf(path, sizeof(path), "%s/ikev2/%s", TEST_DATA, dir);
	d = opendir(path);
	ck_assert_ptr_nonnull(d);
	while ((fe = readdir(d))) {
		size_t n = strlen(fe->d_name), m = strlen(suffix);

		if (n < m || strcmp(fe->d_name + n - m, suffix) != 0)
			continue;
		if (!found || (last ? strcmp(fe->d_name, out) > 0
				    : strcmp(fe->d_name, out) < 0)) {
			snprintf(out, len, "%s", fe->d_name);
			found = true;
		}
	}
	closedir(d);
	return found;
}

static uint8_t *
scenario_file(const char *dir, const char *name, size_t *len)
{
	char rel[1024];

	snprintf(rel, sizeof(rel), "ikev2/%s/%s", dir, name);
	return data_file(rel, len);
}

/* Check one side's AUTH payload: our ike_psk_auth() over the octets of
 * RFC 7296 2.15 (ike_auth_octets) must give what strongSwan sent. */
static bool
check_auth(const char *dir, const struct keyfile *k, bool initiator)
{
	static uint8_t plain[IKEV2_MAX_MSG_LEN];
	static const char psk_text[] = "not a secret, test data only";
	const struct prf_alg *prf = crypto_prf(atoi(keyfile_get(k, "prf")));
	char name[256];
	uint8_t *init, *auth_msg, *octets, *nonce, mac[64];
	size_t init_len, auth_len, nonce_len, mac_len = sizeof(mac), n;
	struct secret *skp, *ek, *ak, *psk;
	struct sk_keys sk = {0};
	const struct pld_ref *rid, *rauth;
	struct pld_auth auth;
	struct ike_err e = {0};
	struct msg m;
	const char *integ = keyfile_get(k, "integ");
	bool ok;

	ck_assert(find_file(dir, initiator ? "-init-i.bin" : "-init-r.bin",
			    true, name, sizeof(name)));
	init = scenario_file(dir, name, &init_len);
	ck_assert(find_file(dir, initiator ? "-auth-i.bin" : "-auth-r.bin",
			    false, name, sizeof(name)));
	auth_msg = scenario_file(dir, name, &auth_len);
	ck_assert_int_eq(msg_frame(auth_msg, auth_len, &m, &e), 0);
	if (m.sk < 0 || m.pl[m.sk].type != IKEV2_PL_SK) {
		free(init);
		free(auth_msg);
		return false; /* fragmented: covered by the dump test */
	}
	ek = key_secret(k, initiator ? "sk_ei" : "sk_er");
	ak = key_secret(k, initiator ? "sk_ai" : "sk_ar");
	sk.encr = crypto_encr(atoi(keyfile_get(k, "encr")),
			      atoi(keyfile_get(k, "encr_bits")));
	sk.integ = integ && atoi(integ) ? crypto_integ(atoi(integ)) : NULL;
	sk.ekey = ek;
	sk.akey = ak;
	ck_assert_msg(sk_open(&m, &sk, plain, sizeof(plain), &e) == 0, "%s",
		      e.msg);
	rid = msg_find(&m, initiator ? IKEV2_PL_IDi : IKEV2_PL_IDr, NULL);
	rauth = msg_find(&m, IKEV2_PL_AUTH, NULL);
	ck_assert(rid && rauth);
	ck_assert_int_eq(pld_auth_get(rauth, &auth, &e), 0);
	ck_assert_uint_eq(auth.method, IKEV2_AUTH_SHARED_KEY_MIC);
	/* octets = RealMessage | NonceData of the peer | prf(SK_p, ID), as
	 * the engine builds them */
	nonce = hex_decode(keyfile_get(k, initiator ? "nr" : "ni"), &nonce_len);
	skp = key_secret(k, initiator ? "sk_pi" : "sk_pr");
	octets =
	    ike_auth_octets(prf, skp, (struct bytes){init, init_len},
			    (struct bytes){nonce, nonce_len}, rid->body, &n);
	ck_assert_ptr_nonnull(octets);
	ck_assert_uint_eq(n, init_len + nonce_len + prf->out_len);
	psk = secret_dup(psk_text, sizeof(psk_text) - 1);
	ck_assert_int_eq(
	    ike_psk_auth(prf, psk, (struct bytes){octets, n}, mac, &mac_len),
	    0);
	ck_assert_uint_eq(mac_len, auth.data.len);
	ck_assert_mem_eq(mac, auth.data.ptr, mac_len);
	ok = ike_psk_verify(prf, psk, (struct bytes){octets, n}, auth.data);
	ck_assert(ok);
	secret_free(psk);
	secret_free(skp);
	secret_free(ek);
	secret_free(ak);
	free(octets);
	free(nonce);
	free(init);
	free(auth_msg);
	return true;
}

START_TEST(psk_auth_matches_strongswan)
{
	static const char *const dirs[] = {"gcm-ecp256", "cbc-modp3072",
					   "ipv6"};
	unsigned i, checked = 0;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		struct keyfile k;
		char path[1024];

		snprintf(path, sizeof(path), "%s/ikev2/%s/keys.txt", TEST_DATA,
			 dirs[i]);
		if (access(path, R_OK) != 0)
			continue;
		keys_load(dirs[i], &k);
		checked += check_auth(dirs[i], &k, true);
		checked += check_auth(dirs[i], &k, false);
		keyfile_free(&k);
	}
	ck_assert_uint_ge(checked, 4);
}
END_TEST

Suite *
capture_suite(void)
{
	Suite *s = suite_create("capture");
	TCase *tc = tcase_create("strongswan");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, captures_match_tshark);
	tcase_add_test(tc, psk_auth_matches_strongswan);
	suite_add_tcase(s, tc);
	return s;
}
