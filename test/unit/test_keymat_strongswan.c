/* SPDX-License-Identifier: ISC */
/*
 * Our IKEv2 key derivation against strongSwan's. For every scenario that
 * test/data/ikev2/capture.sh recorded, keys.txt holds what strongSwan
 * negotiated and logged: the algorithms, SPIs, nonces, the shared secret
 * g^ir, SKEYSEED, the seven SK_* keys and the first CHILD SA's keys.
 * keymat_v2_ike() and keymat_v2_child() must derive exactly the same from
 * g^ir, the nonces and the SPIs; no private key is needed for that (we do
 * not have strongSwan's, so dh_new_from_private() plays no part).
 *
 * The peers' public values from the captured IKE_SA_INIT messages must
 * also pass our own key exchange's validation.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "crypto.h"
#include "testutil.h"

static const char *const scenarios[] = {
    "gcm-ecp256",
    "cbc-modp3072",
    "ipv6",
    "frag",
};
#define NSCENARIOS (sizeof(scenarios) / sizeof(scenarios[0]))

/* keys.txt: "name=value" lines. */
#define MAX_KEYS 40

struct keys {
	char *text;
	const char *name[MAX_KEYS];
	const char *value[MAX_KEYS];
	size_t n;
};

static void
keys_load(struct keys *k, const char *scenario)
{
	char rel[128];
	uint8_t *raw;
	size_t len;
	char *line, *next;

	snprintf(rel, sizeof(rel), "ikev2/%s/keys.txt", scenario);
	raw = data_file(rel, &len);
	k->text = malloc(len + 1);
	ck_assert_ptr_nonnull(k->text);
	memcpy(k->text, raw, len);
	k->text[len] = '\0';
	free(raw);
	k->n = 0;
	for (line = k->text; *line; line = next) {
		char *eq, *nl = strchr(line, '\n');

		next = nl ? nl + 1 : line + strlen(line);
		if (nl)
			*nl = '\0';
		if (*line == '\0')
			continue;
		eq = strchr(line, '=');
		ck_assert_msg(eq != NULL, "%s: bad line '%s'", rel, line);
		ck_assert_uint_lt(k->n, MAX_KEYS);
		*eq = '\0';
		k->name[k->n] = line;
		k->value[k->n] = eq + 1;
		k->n++;
	}
}

static void
keys_free(struct keys *k)
{
	free(k->text);
	memset(k, 0, sizeof(*k));
}

/* The value of name, or NULL when keys.txt has no such line. */
static const char *
keys_opt(const struct keys *k, const char *name)
{
	size_t i;

	for (i = 0; i < k->n; i++)
		if (strcmp(k->name[i], name) == 0)
			return k->value[i];
	return NULL;
}

static const char *
keys_get(const struct keys *k, const char *name)
{
	const char *v = keys_opt(k, name);

	ck_assert_msg(v != NULL, "keys.txt lacks %s", name);
	return v;
}

static uint16_t
keys_num(const struct keys *k, const char *name)
{
	const char *v = keys_get(k, name);
	char *end;
	unsigned long n = strtoul(v, &end, 10);

	ck_assert_msg(*v && *end == '\0' && n <= 0xffff, "%s=%s", name, v);
	return (uint16_t)n;
}

/* A hex value as a malloc'ed buffer (never NULL, possibly empty). */
static uint8_t *
keys_hex(const struct keys *k, const char *name, size_t *len)
{
	return hex_decode(keys_get(k, name), len);
}

/* A derived key must equal strongSwan's; an empty value in keys.txt means
 * strongSwan has no such key (SK_a* with an AEAD), and then neither may we. */
static void
assert_key(const struct secret *got, const struct keys *k, const char *name)
{
	const char *want = keys_get(k, name);

	if (*want == '\0') {
		ck_assert_msg(got == NULL || got->len == 0,
			      "%s: strongSwan has none, we derived %zu bytes",
			      name, got->len);
		return;
	}
	ck_assert_msg(got != NULL, "%s: not derived", name);
	ck_assert_hex(got->ptr, got->len, want);
}

START_TEST(ike_sa_keys_match_strongswan)
{
	const char *scenario = scenarios[_i];
	struct keys k;
	struct ike_suite s;
	struct ike_keys out;
	struct secret *gir;
	uint8_t *ni, *nr, *spi_i, *spi_r, *g;
	size_t ni_len, nr_len, spi_i_len, spi_r_len, g_len;
	uint16_t integ;

	keys_load(&k, scenario);
	integ = keys_num(&k, "integ");
	s.encr = crypto_encr(keys_num(&k, "encr"), keys_num(&k, "encr_bits"));
	s.integ = integ ? crypto_integ(integ) : NULL;
	s.prf = crypto_prf(keys_num(&k, "prf"));
	s.dh = keys_num(&k, "dh");
	ck_assert_msg(s.encr && s.prf && (s.integ || !integ),
		      "%s: suite not supported", scenario);

	ni = keys_hex(&k, "ni", &ni_len);
	nr = keys_hex(&k, "nr", &nr_len);
	spi_i = keys_hex(&k, "spi_i", &spi_i_len);
	spi_r = keys_hex(&k, "spi_r", &spi_r_len);
	g = keys_hex(&k, "gir", &g_len);
	ck_assert_uint_eq(spi_i_len, 8);
	ck_assert_uint_eq(spi_r_len, 8);
	/* Only g^ir is needed, not either side's private value. */
	gir = secret_dup(g, g_len);
	ck_assert_ptr_nonnull(gir);

	ck_assert_int_eq(keymat_v2_ike(&s, gir, (struct bytes){ni, ni_len},
				       (struct bytes){nr, nr_len}, spi_i, spi_r,
				       &out),
			 0);
	assert_key(out.skeyseed, &k, "skeyseed");
	assert_key(out.sk_d, &k, "sk_d");
	assert_key(out.sk_ai, &k, "sk_ai");
	assert_key(out.sk_ar, &k, "sk_ar");
	assert_key(out.sk_ei, &k, "sk_ei");
	assert_key(out.sk_er, &k, "sk_er");
	assert_key(out.sk_pi, &k, "sk_pi");
	assert_key(out.sk_pr, &k, "sk_pr");

	ike_keys_clear(&out);
	secret_free(gir);
	free(ni);
	free(nr);
	free(spi_i);
	free(spi_r);
	free(g);
	keys_free(&k);
}
END_TEST

START_TEST(child_sa_keys_match_strongswan)
{
	const char *scenario = scenarios[_i];
	const struct encr_alg *encr;
	const struct integ_alg *integ = NULL;
	const struct prf_alg *prf;
	struct child_keys out;
	struct secret *sk_d;
	struct keys k;
	uint8_t *ni, *nr, *d;
	size_t ni_len, nr_len, d_len;
	uint16_t integ_id;

	keys_load(&k, scenario);
	ck_assert_msg(keys_opt(&k, "child_encr") != NULL,
		      "%s: no CHILD SA keys in keys.txt", scenario);
	prf = crypto_prf(keys_num(&k, "prf"));
	encr = crypto_encr(keys_num(&k, "child_encr"),
			   keys_num(&k, "child_encr_bits"));
	integ_id = keys_num(&k, "child_integ");
	if (integ_id)
		integ = crypto_integ(integ_id);
	ck_assert_msg(prf && encr && (integ || !integ_id),
		      "%s: ESP transforms not supported", scenario);

	ni = keys_hex(&k, "ni", &ni_len);
	nr = keys_hex(&k, "nr", &nr_len);
	d = keys_hex(&k, "sk_d", &d_len);
	sk_d = secret_dup(d, d_len);
	ck_assert_ptr_nonnull(sk_d);

	/* The CHILD SA of IKE_AUTH: no PFS, the IKE SA's nonces. */
	ck_assert_int_eq(
	    keymat_v2_child(prf, sk_d, NULL, (struct bytes){ni, ni_len},
			    (struct bytes){nr, nr_len}, encr->key_len,
			    integ ? integ->key_len : 0, &out),
	    0);
	assert_key(out.encr_i, &k, "child_encr_i");
	assert_key(out.integ_i, &k, "child_integ_i");
	assert_key(out.encr_r, &k, "child_encr_r");
	assert_key(out.integ_r, &k, "child_integ_r");

	child_keys_clear(&out);
	secret_free(sk_d);
	free(ni);
	free(nr);
	free(d);
	keys_free(&k);
}
END_TEST

/* Every "ke group=G data=HEX" line of the scenario's IKE_SA_INIT messages
 * (which are not encrypted): strongSwan's public values must have the
 * length we expect for the group and be accepted by our validation. */
START_TEST(strongswan_public_values_pass_validation)
{
	const char *scenario = scenarios[_i];
	char dir[1024], rel[512], group_str[16];
	struct dirent *de;
	DIR *d;
	int seen = 0;

	snprintf(dir, sizeof(dir), "%s/ikev2/%s", TEST_DATA, scenario);
	d = opendir(dir);
	ck_assert_msg(d != NULL, "cannot open %s", dir);
	while ((de = readdir(d)) != NULL) {
		uint8_t *raw;
		char *text, *line, *save = NULL;
		size_t len;

		if (!strstr(de->d_name, "-init-") ||
		    !strstr(de->d_name, ".expect"))
			continue;
		snprintf(rel, sizeof(rel), "ikev2/%s/%s", scenario, de->d_name);
		raw = data_file(rel, &len);
		text = malloc(len + 1);
		ck_assert_ptr_nonnull(text);
		memcpy(text, raw, len);
		text[len] = '\0';
		free(raw);
		for (line = strtok_r(text, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save)) {
			unsigned group;
			char *data = strstr(line, " data=");
			struct secret *shared = NULL;
			uint8_t *pub;
			size_t pub_len;
			struct dh *dh;

			if (sscanf(line, "ke group=%u", &group) != 1 || !data)
				continue;
			snprintf(group_str, sizeof(group_str), "%u", group);
			pub = hex_decode(data + 6, &pub_len);
			ck_assert_msg(dh_supported((uint16_t)group),
				      "%s: group %s", rel, group_str);
			ck_assert_uint_eq(dh_public_len((uint16_t)group),
					  pub_len);
			dh = dh_new((uint16_t)group);
			ck_assert_ptr_nonnull(dh);
			ck_assert_msg(dh_shared(dh, pub, pub_len, &shared) == 0,
				      "%s: group %s value rejected", rel,
				      group_str);
			ck_assert_ptr_nonnull(shared);
			secret_free(shared);
			dh_free(dh);
			free(pub);
			seen++;
		}
		free(text);
	}
	closedir(d);
	/* At least the initiator's and the responder's value. */
	ck_assert_int_ge(seen, 2);
}
END_TEST

Suite *
keymat_strongswan_suite(void)
{
	Suite *s = suite_create("keymat_strongswan");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, ike_sa_keys_match_strongswan, 0, NSCENARIOS);
	tcase_add_loop_test(tc, child_sa_keys_match_strongswan, 0, NSCENARIOS);
	tcase_add_loop_test(tc, strongswan_public_values_pass_validation, 0,
			    NSCENARIOS);
	suite_add_tcase(s, tc);
	return s;
}
