/* SPDX-License-Identifier: ISC */
/*
 * Everything done with proposals above the wire: the one const table of
 * algorithms we know by name (IKEv2 and IKEv1 numbers, key size, ICV,
 * flags, strongSwan keyword), parsing and printing strongSwan-style
 * proposal strings, the built-in defaults, and the responder's selection
 * rule (RFC 7296 2.7 and 3.3.6). The SA payload codec fills and reads
 * struct proposal; this file never sees packet bytes.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "ikev2_const.h"
#include "buf.h"
#include "prop.h"

/*
 * IKEv1 numbers. Phase 1 uses the IKE attribute registry (RFC 2409
 * Appendix A, extended in the IANA "IKE Attributes" registry); Quick Mode
 * uses the IPsec DOI (RFC 2407 4.4.4 ESP transform IDs, 4.5 authentication
 * algorithms). Group descriptions share IKEv2's numbers for MODP (RFC 2409,
 * RFC 3526) and ECP (RFC 5903); Curve25519/448 (RFC 8031) were only
 * registered for IKEv2.
 */
#define V1_ENCR_3DES_CBC      5
#define V1_ENCR_AES_CBC       7
#define V1_HASH_MD5           1
#define V1_HASH_SHA           2
#define V1_HASH_SHA2_256      4
#define V1_HASH_SHA2_384      5
#define V1_HASH_SHA2_512      6
#define V1_ESP_3DES           3
#define V1_ESP_AES            12
#define V1_ESP_AES_GCM_8      18
#define V1_ESP_AES_GCM_12     19
#define V1_ESP_AES_GCM_16     20
#define V1_AUTH_HMAC_MD5      1
#define V1_AUTH_HMAC_SHA      2
#define V1_AUTH_HMAC_SHA2_256 5
#define V1_AUTH_HMAC_SHA2_384 6
#define V1_AUTH_HMAC_SHA2_512 7

#define ENCR  IKEV2_TRANS_ENCR
#define PRF   IKEV2_TRANS_PRF
#define INTEG IKEV2_TRANS_INTEG
#define DH    IKEV2_TRANS_DH
#define ESN   IKEV2_TRANS_ESN

#define AEAD     PROP_F_AEAD
#define WEAK     PROP_F_WEAK
#define IKE_ONLY PROP_F_IKE_ONLY
#define ESP_ONLY PROP_F_ESP_ONLY

/* A group with the same number in IKEv1's group description registry. */
#define GROUP(kw, flags, id)                                                   \
	{                                                                      \
		(kw), DH, (flags), (id), 0, 0, (id), (id)                      \
	}

/*
 * The table. prop_alg_find() returns the first entry with a given (type,
 * id, key size) and prop_from_v1() the first with a given IKEv1 number
 * (skipping private ids, so HMAC-SHA2-256 from the wire is sha256).
 * Columns: keyword, type, flags, IKEv2 id, key bits, ICV bits, IKEv1
 * phase 1, IKEv1 IPsec DOI.
 */
static const struct prop_alg algs[] = {
    /* AES-CBC carries its key size in the Key Length attribute (RFC 7296
     * 3.3.5); 3DES and ChaCha20 have fixed keys and no attribute. */
    {"aes128", ENCR, 0, IKEV2_ENCR_AES_CBC, 128, 0, V1_ENCR_AES_CBC,
     V1_ESP_AES},
    {"aes192", ENCR, 0, IKEV2_ENCR_AES_CBC, 192, 0, V1_ENCR_AES_CBC,
     V1_ESP_AES},
    {"aes256", ENCR, 0, IKEV2_ENCR_AES_CBC, 256, 0, V1_ENCR_AES_CBC,
     V1_ESP_AES},
    /* AES-GCM (RFC 4106 for ESP, RFC 5282 for IKE); IKEv1 phase 1 has
     * no GCM. The suffix is the ICV length in octets. */
    {"aes128gcm16", ENCR, AEAD, IKEV2_ENCR_AES_GCM_16, 128, 128, 0,
     V1_ESP_AES_GCM_16},
    {"aes192gcm16", ENCR, AEAD, IKEV2_ENCR_AES_GCM_16, 192, 128, 0,
     V1_ESP_AES_GCM_16},
    {"aes256gcm16", ENCR, AEAD, IKEV2_ENCR_AES_GCM_16, 256, 128, 0,
     V1_ESP_AES_GCM_16},
    {"aes128gcm12", ENCR, AEAD, IKEV2_ENCR_AES_GCM_12, 128, 96, 0,
     V1_ESP_AES_GCM_12},
    {"aes192gcm12", ENCR, AEAD, IKEV2_ENCR_AES_GCM_12, 192, 96, 0,
     V1_ESP_AES_GCM_12},
    {"aes256gcm12", ENCR, AEAD, IKEV2_ENCR_AES_GCM_12, 256, 96, 0,
     V1_ESP_AES_GCM_12},
    {"aes128gcm8", ENCR, AEAD, IKEV2_ENCR_AES_GCM_8, 128, 64, 0,
     V1_ESP_AES_GCM_8},
    {"aes192gcm8", ENCR, AEAD, IKEV2_ENCR_AES_GCM_8, 192, 64, 0,
     V1_ESP_AES_GCM_8},
    {"aes256gcm8", ENCR, AEAD, IKEV2_ENCR_AES_GCM_8, 256, 64, 0,
     V1_ESP_AES_GCM_8},
    /* RFC 7634; never registered for IKEv1. */
    {"chacha20poly1305", ENCR, AEAD, IKEV2_ENCR_CHACHA20_POLY1305, 0, 128, 0,
     0},
    /* 64-bit blocks (Sweet32): only for old L2TP clients. */
    {"3des", ENCR, WEAK, IKEV2_ENCR_3DES, 0, 0, V1_ENCR_3DES_CBC, V1_ESP_3DES},

    /* Integrity; the ICV column is the truncated MAC length. */
    {"sha1", INTEG, 0, IKEV2_INTEG_HMAC_SHA1_96, 0, 96, V1_HASH_SHA,
     V1_AUTH_HMAC_SHA},
    {"sha256", INTEG, 0, IKEV2_INTEG_HMAC_SHA2_256_128, 0, 128,
     V1_HASH_SHA2_256, V1_AUTH_HMAC_SHA2_256},
    {"sha384", INTEG, 0, IKEV2_INTEG_HMAC_SHA2_384_192, 0, 192,
     V1_HASH_SHA2_384, V1_AUTH_HMAC_SHA2_384},
    {"sha512", INTEG, 0, IKEV2_INTEG_HMAC_SHA2_512_256, 0, 256,
     V1_HASH_SHA2_512, V1_AUTH_HMAC_SHA2_512},
    {"md5", INTEG, WEAK, IKEV2_INTEG_HMAC_MD5_96, 0, 96, V1_HASH_MD5,
     V1_AUTH_HMAC_MD5},
    /* Android 6/7 in IKEv1 Quick Mode: the standard HMAC-SHA2-256 number
     * with the pre-RFC 4868 96-bit truncation. See prop.h. */
    {"sha256_96", INTEG, ESP_ONLY | PROP_F_PRIVATE, PROP_INTEG_HMAC_SHA2_256_96,
     0, 96, 0, V1_AUTH_HMAC_SHA2_256},

    /* PRFs exist as a transform only in IKE; IKEv1 uses the phase 1 hash
     * as HMAC PRF (RFC 2409 5), so they map to the hash number. */
    {"prfsha1", PRF, IKE_ONLY, IKEV2_PRF_HMAC_SHA1, 0, 0, V1_HASH_SHA, 0},
    {"prfsha256", PRF, IKE_ONLY, IKEV2_PRF_HMAC_SHA2_256, 0, 0,
     V1_HASH_SHA2_256, 0},
    {"prfsha384", PRF, IKE_ONLY, IKEV2_PRF_HMAC_SHA2_384, 0, 0,
     V1_HASH_SHA2_384, 0},
    {"prfsha512", PRF, IKE_ONLY, IKEV2_PRF_HMAC_SHA2_512, 0, 0,
     V1_HASH_SHA2_512, 0},
    {"prfmd5", PRF, IKE_ONLY | WEAK, IKEV2_PRF_HMAC_MD5, 0, 0, V1_HASH_MD5, 0},

    /* Key exchange. MODP below 2048 bits is weak (RFC 8247 2.4). */
    GROUP("modp2048", 0, IKEV2_DH_MODP2048),
    GROUP("modp3072", 0, IKEV2_DH_MODP3072),
    GROUP("modp4096", 0, IKEV2_DH_MODP4096),
    GROUP("ecp256", 0, IKEV2_DH_ECP256),
    GROUP("ecp384", 0, IKEV2_DH_ECP384),
    GROUP("ecp521", 0, IKEV2_DH_ECP521),
    {"curve25519", DH, 0, IKEV2_DH_CURVE25519, 0, 0, 0, 0},
    {"curve448", DH, 0, IKEV2_DH_CURVE448, 0, 0, 0, 0},
    GROUP("modp1024", WEAK, IKEV2_DH_MODP1024),
    GROUP("modp1536", WEAK, IKEV2_DH_MODP1536),

    /* ESN is an ESP/AH transform in IKEv2 only; IKEv1 negotiates it with
     * an SA attribute (RFC 4304), so no IKEv1 number. */
    {"noesn", ESN, ESP_ONLY, IKEV2_ESN_NO, 0, 0, 0, 0},
    {"esn", ESN, ESP_ONLY, IKEV2_ESN_YES, 0, 0, 0, 0},
};

/* Other spellings strongSwan accepts; printing always uses the canonical
 * keyword. */
static const struct {
	const char *alias;
	const char *keyword;
} aliases[] = {
    {"aes", "aes128"},
    {"aes128gcm128", "aes128gcm16"},
    {"aes192gcm128", "aes192gcm16"},
    {"aes256gcm128", "aes256gcm16"},
    {"aes128gcm96", "aes128gcm12"},
    {"aes192gcm96", "aes192gcm12"},
    {"aes256gcm96", "aes256gcm12"},
    {"aes128gcm64", "aes128gcm8"},
    {"aes192gcm64", "aes192gcm8"},
    {"aes256gcm64", "aes256gcm8"},
    {"sha", "sha1"},
    {"sha2_256", "sha256"},
    {"sha2_384", "sha384"},
    {"sha2_512", "sha512"},
    {"sha2_256_96", "sha256_96"},
    {"x25519", "curve25519"},
    {"x448", "curve448"},
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Transform types in the order proposals are kept and printed. */
static const uint8_t type_order[] = {ENCR, INTEG, PRF, DH, ESN};
#define N_TYPES NELEM(type_order)

int
prop_type_slot(uint8_t type)
{
	size_t i;

	for (i = 0; i < N_TYPES; i++)
		if (type_order[i] == type)
			return (int)i;
	return -1;
}

static int fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* --- the table --------------------------------------------------------- */

static bool
tok_eq(const char *s, size_t n, const char *kw)
{
	return strlen(kw) == n && strncasecmp(s, kw, n) == 0;
}

static const struct prop_alg *
alg_by_token(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < NELEM(aliases); i++) {
		if (tok_eq(s, n, aliases[i].alias)) {
			s = aliases[i].keyword;
			n = strlen(s);
			break;
		}
	}
	for (i = 0; i < NELEM(algs); i++)
		if (tok_eq(s, n, algs[i].keyword))
			return &algs[i];
	return NULL;
}

static const struct prop_alg *
alg_find(uint8_t type, uint16_t id, uint16_t key_bits)
{
	size_t i;

	for (i = 0; i < NELEM(algs); i++)
		if (algs[i].type == type && algs[i].id == id &&
		    algs[i].key_bits == key_bits)
			return &algs[i];
	return NULL;
}

const struct prop_alg *
prop_alg_find(const struct transform *t)
{
	return alg_find(t->type, t->id, t->key_bits);
}

const struct prop_alg *
prop_alg_by_keyword(const char *kw)
{
	return kw != NULL ? alg_by_token(kw, strlen(kw)) : NULL;
}

const struct prop_alg *
prop_alg_at(size_t i)
{
	return i < NELEM(algs) ? &algs[i] : NULL;
}

const char *
prop_xf_name(const struct transform *t)
{
	const struct prop_alg *a = prop_alg_find(t);

	return a != NULL ? a->keyword : NULL;
}

uint16_t
prop_v1_id(const struct transform *t, uint8_t proto)
{
	const struct prop_alg *a = prop_alg_find(t);

	if (a == NULL)
		return 0;
	return proto == IKEV2_PROTO_IKE ? a->v1_p1 : a->v1_p2;
}

int
prop_from_v1(uint8_t type, uint8_t proto, uint16_t v1_id, uint16_t key_bits,
	     struct transform *out)
{
	const struct prop_alg *a;
	uint16_t v;
	size_t i;

	for (i = 0; i < NELEM(algs); i++) {
		a = &algs[i];
		if (a->type != type || a->key_bits != key_bits ||
		    (a->flags & PROP_F_PRIVATE))
			continue;
		if (proto == IKEV2_PROTO_IKE) {
			if (a->flags & ESP_ONLY)
				continue;
			v = a->v1_p1;
		} else {
			if (a->flags & IKE_ONLY)
				continue;
			v = a->v1_p2;
		}
		if (v == 0 || v != v1_id)
			continue;
		out->type = type;
		out->flags = 0;
		out->id = a->id;
		out->key_bits = a->key_bits;
		return 0;
	}
	return -1;
}

/* The PRF strongSwan pairs with an integrity algorithm when an IKE
 * proposal names none; 0 if there is no such pairing. */
static uint16_t
prf_of_integ(uint16_t integ)
{
	switch (integ) {
	case IKEV2_INTEG_HMAC_MD5_96:
		return IKEV2_PRF_HMAC_MD5;
	case IKEV2_INTEG_HMAC_SHA1_96:
		return IKEV2_PRF_HMAC_SHA1;
	case IKEV2_INTEG_HMAC_SHA2_256_128:
		return IKEV2_PRF_HMAC_SHA2_256;
	case IKEV2_INTEG_HMAC_SHA2_384_192:
		return IKEV2_PRF_HMAC_SHA2_384;
	case IKEV2_INTEG_HMAC_SHA2_512_256:
		return IKEV2_PRF_HMAC_SHA2_512;
	default:
		return 0;
	}
}

size_t
prop_n_xf(const struct proposal *p)
{
	return p->n_xf < IKE_MAX_TRANSFORMS ? p->n_xf : IKE_MAX_TRANSFORMS;
}

bool
prop_xf_aead(const struct transform *t)
{
	const struct prop_alg *a = prop_alg_find(t);

	return a != NULL && (a->flags & AEAD);
}

/* --- parsing ----------------------------------------------------------- */

/* What a proposal string names, per type, in the order written. */
struct picks {
	const struct prop_alg *a[N_TYPES][IKE_MAX_TRANSFORMS];
	size_t n[N_TYPES];
};

static bool
picks_add(struct picks *pk, const struct prop_alg *a)
{
	int s = prop_type_slot(a->type);
	size_t i;

	if (s < 0)
		return false;
	for (i = 0; i < pk->n[s]; i++)
		if (pk->a[s][i] == a)
			return true; /* "aes128-aes128" says nothing new */
	if (pk->n[s] >= IKE_MAX_TRANSFORMS)
		return false;
	pk->a[s][pk->n[s]++] = a;
	return true;
}

static const char *
proto_name(uint8_t proto)
{
	switch (proto) {
	case IKEV2_PROTO_IKE:
		return "IKE";
	case IKEV2_PROTO_AH:
		return "AH";
	case IKEV2_PROTO_ESP:
		return "ESP";
	default:
		return "unknown-protocol";
	}
}

int
prop_parse(const char *kw, uint8_t proto, struct proposal *out, char *err,
	   size_t errlen)
{
	const int se = prop_type_slot(ENCR), si = prop_type_slot(INTEG),
		  sp = prop_type_slot(PRF), sd = prop_type_slot(DH),
		  sn = prop_type_slot(ESN);
	const struct prop_alg *a, *aead = NULL, *plain = NULL;
	struct picks pk;
	const char *p, *end;
	size_t n, s, i;

	memset(out, 0, sizeof(*out));
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (proto != IKEV2_PROTO_IKE && proto != IKEV2_PROTO_ESP)
		return fail(err, errlen, "%s proposals are not supported",
			    proto_name(proto));
	if (kw == NULL || kw[0] == '\0')
		return fail(err, errlen, "empty proposal");

	memset(&pk, 0, sizeof(pk));
	for (p = kw;; p = end + 1) {
		end = strchr(p, '-');
		if (end == NULL)
			end = p + strlen(p);
		n = (size_t)(end - p);
		if (n == 0)
			return fail(err, errlen,
				    "empty algorithm keyword in proposal '%s' "
				    "(leading, trailing or double '-')",
				    kw);
		a = alg_by_token(p, n);
		if (a == NULL)
			return fail(
			    err, errlen,
			    "unknown algorithm keyword '%.*s' in proposal '%s'",
			    (int)n, p, kw);
		if (proto == IKEV2_PROTO_ESP && (a->flags & IKE_ONLY))
			return fail(err, errlen,
				    "'%.*s' is only valid in IKE proposals, "
				    "not in ESP proposal '%s'",
				    (int)n, p, kw);
		if (proto == IKEV2_PROTO_IKE && (a->flags & ESP_ONLY))
			return fail(err, errlen,
				    "'%.*s' is only valid in ESP proposals, "
				    "not in IKE proposal '%s'",
				    (int)n, p, kw);
		if (a->type == ENCR && (a->flags & AEAD) && aead == NULL)
			aead = a;
		else if (a->type == ENCR && !(a->flags & AEAD) && plain == NULL)
			plain = a;
		if (!picks_add(&pk, a))
			return fail(err, errlen,
				    "too many algorithms in proposal '%s'", kw);
		if (*end == '\0')
			break;
	}

	if (pk.n[se] == 0)
		return fail(err, errlen,
			    "proposal '%s' has no encryption algorithm", kw);
	/* RFC 7296 3.3: combined-mode and classic ciphers need different
	 * integrity transforms, so they cannot share a proposal. */
	if (aead != NULL && plain != NULL)
		return fail(err, errlen,
			    "proposal '%s' mixes AEAD cipher '%s' and non-AEAD "
			    "cipher '%s'; put them in separate proposals",
			    kw, aead->keyword, plain->keyword);
	if (aead != NULL && pk.n[si] > 0)
		return fail(err, errlen,
			    "integrity algorithm '%s' cannot be used with AEAD "
			    "cipher '%s' in proposal '%s'",
			    pk.a[si][0]->keyword, aead->keyword, kw);
	if (aead == NULL && pk.n[si] == 0)
		return fail(
		    err, errlen,
		    "%s proposal '%s' has no integrity algorithm, which "
		    "cipher '%s' needs",
		    proto_name(proto), kw, plain->keyword);

	if (proto == IKEV2_PROTO_IKE) {
		if (pk.n[sp] == 0 && aead != NULL)
			return fail(
			    err, errlen,
			    "IKE proposal '%s' with AEAD cipher '%s' needs an "
			    "explicit PRF, e.g. prfsha256",
			    kw, aead->keyword);
		/* strongSwan's rule: the PRFs follow the integrity
		 * algorithms, in their order, when none are named. */
		if (pk.n[sp] == 0) {
			for (i = 0; i < pk.n[si]; i++) {
				a = alg_find(PRF, prf_of_integ(pk.a[si][i]->id),
					     0);
				if (a != NULL)
					picks_add(&pk, a);
			}
		}
		if (pk.n[sp] == 0)
			return fail(
			    err, errlen,
			    "IKE proposal '%s' has no PRF, e.g. prfsha256", kw);
		if (pk.n[sd] == 0)
			return fail(
			    err, errlen,
			    "IKE proposal '%s' has no DH group, e.g. ecp256 "
			    "or modp3072",
			    kw);
	} else if (pk.n[sn] == 0) {
		/* No ESN unless asked for: what strongSwan offers too. */
		picks_add(&pk, alg_find(ESN, IKEV2_ESN_NO, 0));
	}

	out->num = 1;
	out->proto = proto;
	for (s = 0; s < N_TYPES; s++) {
		for (i = 0; i < pk.n[s]; i++) {
			struct transform *t;

			if (out->n_xf >= IKE_MAX_TRANSFORMS)
				return fail(
				    err, errlen,
				    "too many algorithms in proposal '%s'", kw);
			t = &out->xf[out->n_xf++];
			t->type = pk.a[s][i]->type;
			t->flags = 0;
			t->id = pk.a[s][i]->id;
			t->key_bits = pk.a[s][i]->key_bits;
		}
	}
	return 0;
}

/* --- printing ---------------------------------------------------------- */

static void
text_type(struct tbuf *b, uint8_t type)
{
	switch (type) {
	case ENCR:
		tbuf_puts(b, "ENCR");
		break;
	case PRF:
		tbuf_puts(b, "PRF");
		break;
	case INTEG:
		tbuf_puts(b, "INTEG");
		break;
	case DH:
		tbuf_puts(b, "DH");
		break;
	case ESN:
		tbuf_puts(b, "ESN");
		break;
	default:
		tbuf_printf(b, "TYPE%u", type);
		break;
	}
}

void
prop_text_xf(struct tbuf *b, const struct transform *t)
{
	const char *name = prop_xf_name(t);

	if (name != NULL) {
		tbuf_puts(b, name);
	} else if (t->id == 0 && (t->type == INTEG || t->type == DH)) {
		text_type(b, t->type);
		tbuf_puts(b, "_NONE");
	} else {
		text_type(b, t->type);
		tbuf_printf(b, "_UNKNOWN_%u", t->id);
		if (t->key_bits != 0)
			tbuf_printf(b, "_KEY%u", t->key_bits);
	}
	if (t->flags & XF_UNKNOWN_ATTR)
		tbuf_puts(b, "(unknown attribute)");
}

static size_t
count_type(const struct proposal *p, uint8_t type)
{
	size_t i, n = 0;

	for (i = 0; i < prop_n_xf(p); i++)
		if (p->xf[i].type == type)
			n++;
	return n;
}

static bool
all_aead(const struct proposal *p)
{
	size_t i, n = 0;

	for (i = 0; i < prop_n_xf(p); i++) {
		if (p->xf[i].type != ENCR)
			continue;
		if (!prop_xf_aead(&p->xf[i]))
			return false;
		n++;
	}
	return n > 0;
}

/* Whether the PRFs are exactly what prop_parse() derives from the
 * integrity algorithms, so printing them would add nothing. */
static bool
prfs_derived(const struct proposal *p)
{
	uint16_t want[IKE_MAX_TRANSFORMS];
	size_t i, j, n = 0, k = 0;
	uint16_t id;

	if (p->proto != IKEV2_PROTO_IKE)
		return false;
	for (i = 0; i < prop_n_xf(p); i++) {
		if (p->xf[i].type != INTEG)
			continue;
		id = prf_of_integ(p->xf[i].id);
		if (id == 0 || p->xf[i].key_bits != 0 || p->xf[i].flags != 0)
			return false;
		for (j = 0; j < n && want[j] != id; j++)
			;
		if (j == n)
			want[n++] = id;
	}
	if (n == 0)
		return false;
	for (i = 0; i < prop_n_xf(p); i++) {
		const struct transform *t = &p->xf[i];

		if (t->type != PRF)
			continue;
		if (k >= n || t->id != want[k] || t->key_bits != 0 ||
		    t->flags != 0)
			return false;
		k++;
	}
	return k == n;
}

/* Whether printing t would tell a reader nothing that parsing the rest
 * would not put back (see prop_format() in prop.h). */
static bool
xf_implied(const struct proposal *p, const struct transform *t, bool aead,
	   bool prf_implied)
{
	if (t->flags != 0)
		return false;
	switch (t->type) {
	case INTEG:
		return t->id == IKEV2_INTEG_NONE && aead;
	case PRF:
		return prf_implied;
	case DH:
		return t->id == IKEV2_DH_NONE && p->proto != IKEV2_PROTO_IKE &&
		       count_type(p, DH) == 1;
	case ESN:
		return t->id == IKEV2_ESN_NO && count_type(p, ESN) == 1;
	default:
		return false;
	}
}

static void
text_prop(struct tbuf *b, const struct proposal *p)
{
	bool aead = all_aead(p), prf_implied = prfs_derived(p), first = true;
	size_t s, i;

	/* The five known types in canonical order, then anything else. */
	for (s = 0; s <= N_TYPES; s++) {
		for (i = 0; i < prop_n_xf(p); i++) {
			const struct transform *t = &p->xf[i];
			int slot = prop_type_slot(t->type);

			if (s < N_TYPES ? slot != (int)s : slot >= 0)
				continue;
			if (xf_implied(p, t, aead, prf_implied))
				continue;
			if (!first)
				tbuf_puts(b, "-");
			first = false;
			prop_text_xf(b, t);
		}
	}
	if (first)
		tbuf_puts(b, "(no transforms)");
}

int
prop_format(const struct proposal *p, char *buf, size_t len)
{
	struct tbuf b;

	tbuf_init(&b, buf, len);
	text_prop(&b, p);
	return tbuf_finish(&b);
}

void
prop_text_list(struct tbuf *b, const struct proposal *p, size_t n)
{
	size_t i;

	if (n == 0)
		tbuf_puts(b, "nothing");
	for (i = 0; i < n; i++) {
		if (i > 0)
			tbuf_puts(b, ", ");
		text_prop(b, &p[i]);
	}
}

int
prop_format_list(const struct proposal *p, size_t n, char *buf, size_t len)
{
	struct tbuf b;

	tbuf_init(&b, buf, len);
	prop_text_list(&b, p, n);
	return tbuf_finish(&b);
}

/* --- weak algorithms, small helpers -------------------------------------- */

bool
prop_is_weak(const struct proposal *p)
{
	return prop_weak_names(p, NULL, 0) > 0;
}

int
prop_weak_names(const struct proposal *p, char *buf, size_t len)
{
	const struct prop_alg *a;
	struct tbuf b;
	size_t i;
	int n = 0;

	tbuf_init(&b, buf, len);
	for (i = 0; i < prop_n_xf(p); i++) {
		a = prop_alg_find(&p->xf[i]);
		if (a == NULL || !(a->flags & WEAK))
			continue;
		if (n++ > 0)
			tbuf_puts(&b, ", ");
		tbuf_puts(&b, a->keyword);
	}
	tbuf_finish(&b);
	return n;
}

const struct transform *
prop_xf_first(const struct proposal *p, uint8_t type)
{
	size_t i;

	for (i = 0; i < prop_n_xf(p); i++)
		if (p->xf[i].type == type)
			return &p->xf[i];
	return NULL;
}

bool
prop_equal(const struct proposal *a, const struct proposal *b)
{
	size_t i;

	if (a->num != b->num || a->proto != b->proto ||
	    a->spi_size != b->spi_size || a->n_xf != b->n_xf ||
	    a->spi_size > sizeof(a->spi) ||
	    memcmp(a->spi, b->spi, a->spi_size) != 0)
		return false;
	for (i = 0; i < prop_n_xf(a); i++) {
		const struct transform *x = &a->xf[i], *y = &b->xf[i];

		if (x->type != y->type || x->flags != y->flags ||
		    x->id != y->id || x->key_bits != y->key_bits)
			return false;
	}
	return true;
}

/* --- defaults ------------------------------------------------------------ */

/*
 * AEAD first (one pass over the data, no separate MAC key), then CBC with
 * HMAC-SHA2 for peers without GCM. Groups: Curve25519 and the NIST curves
 * before MODP, MODP-2048 last as the floor of RFC 8247. Nothing here is
 * PROP_F_WEAK; SHA-1 is left to configs that need it (L2TP clients).
 */
static const char *const default_ike[] = {
    "aes128gcm16-aes256gcm16-chacha20poly1305-prfsha256-prfsha384-"
    "prfsha512-curve25519-ecp256-ecp384-ecp521-modp3072-modp4096-modp2048",
    "aes128-aes256-sha256-sha384-sha512-curve25519-ecp256-ecp384-ecp521-"
    "modp3072-modp4096-modp2048",
};

static const char *const default_esp[] = {
    "aes128gcm16-aes256gcm16-chacha20poly1305",
    "aes128-aes256-sha256-sha384-sha512",
};

int
prop_default(uint8_t proto, struct proposal *out, size_t max)
{
	const char *const *list;
	size_t i, n;

	if (proto == IKEV2_PROTO_IKE) {
		list = default_ike;
		n = NELEM(default_ike);
	} else if (proto == IKEV2_PROTO_ESP) {
		list = default_esp;
		n = NELEM(default_esp);
	} else {
		return -1;
	}
	if (max < n)
		return -1;
	for (i = 0; i < n; i++) {
		if (prop_parse(list[i], proto, &out[i], NULL, 0) != 0)
			return -1;
		out[i].num = (uint8_t)(i + 1);
	}
	return (int)n;
}
