/* SPDX-License-Identifier: ISC */
/*
 * Everything done with proposals above the wire: the registry of
 * algorithms we know by name (alg_list.h, seen here as strongSwan keyword
 * and aliases, IKEv2 and IKEv1 numbers, key size, ICV, where usable),
 * parsing and printing strongSwan-style proposal strings, the built-in
 * defaults, and the responder's selection rule (RFC 7296 2.7 and 3.3.6).
 * The SA payload codec fills and reads struct proposal; this file never
 * sees packet bytes.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "ikev2_const.h"
#include "buf.h"
#include "prop.h"

#define ENCR  IKEV2_TRANS_ENCR
#define PRF   IKEV2_TRANS_PRF
#define INTEG IKEV2_TRANS_INTEG
#define DH    IKEV2_TRANS_DH
#define ESN   IKEV2_TRANS_ESN

/*
 * The registry (alg_list.h) as this file needs it. prop_alg_find() returns
 * the first entry with a given (type, id, key size) and prop_from_v1() the
 * first with a given IKEv1 number (skipping private ids, so HMAC-SHA2-256
 * from the wire is sha256).
 */
/* clang-format off */
#define ALG_ENCR(kw, id_, bits, fl, key, salt, iv, blk, icv, evp_, xf, p1, p2) \
	{.keyword = (kw), .type = ENCR, .flags = (fl), .id = (id_),            \
	 .key_bits = (bits), .icv_bits = (icv) * 8, .v1_p1 = (p1),             \
	 .v1_p2 = (p2), .key_len = (key), .evp = (evp_), .xfrm = (xf)},
#define ALG_INTEG(kw, id_, fl, key, icv, digest, prf_, xf, p1, p2)             \
	{.keyword = (kw), .type = INTEG, .flags = (fl), .id = (id_),           \
	 .icv_bits = (icv) * 8, .prf = (prf_), .v1_p1 = (p1), .v1_p2 = (p2),   \
	 .key_len = (key), .evp = (digest), .xfrm = (xf)},
#define ALG_PRF(kw, id_, fl, key, digest, p1)                                  \
	{.keyword = (kw), .type = PRF, .flags = (fl), .id = (id_),             \
	 .v1_p1 = (p1), .key_len = (key), .evp = (digest)},
#define ALG_DH(kw, id_, fl, v1)                                                \
	{.keyword = (kw), .type = DH, .flags = (fl), .id = (id_),              \
	 .v1_p1 = (v1), .v1_p2 = (v1)},
#define ALG_ESN(kw, id_)                                                       \
	{.keyword = (kw), .type = ESN, .flags = ALG_F_ESP, .id = (id_)},
/* clang-format on */

static const struct prop_alg algs[] = {
#include "alg_list.h"
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
    {"aes128gcm", "aes128gcm16"},
    {"aes192gcm", "aes192gcm16"},
    {"aes256gcm", "aes256gcm16"},
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

/* Whether a may appear in a proposal for proto (IKE or ESP). */
static bool
usable_in(const struct prop_alg *a, uint8_t proto)
{
	return (a->flags &
		(proto == IKEV2_PROTO_IKE ? ALG_F_IKE : ALG_F_ESP)) != 0;
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
		    (a->flags & ALG_F_PRIVATE) || !usable_in(a, proto))
			continue;
		v = proto == IKEV2_PROTO_IKE ? a->v1_p1 : a->v1_p2;
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
	const struct prop_alg *a = alg_find(INTEG, integ, 0);

	return a != NULL ? a->prf : 0;
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

	return a != NULL && (a->flags & ALG_F_AEAD);
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
		/* The registry says where each algorithm works; refusing
		 * it here is what keeps it from failing after negotiation. */
		if (!usable_in(a, proto))
			return fail(err, errlen,
				    "'%.*s' is only valid in %s proposals, "
				    "not in %s proposal '%s'",
				    (int)n, p,
				    proto == IKEV2_PROTO_IKE ? "ESP" : "IKE",
				    proto_name(proto), kw);
		if (a->type == ENCR && (a->flags & ALG_F_AEAD) && aead == NULL)
			aead = a;
		else if (a->type == ENCR && !(a->flags & ALG_F_AEAD) &&
			 plain == NULL)
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
		if (a == NULL || !(a->flags & ALG_F_WEAK))
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
	    memcmp(a->spi, b->spi, a->spi_size) != 0 ||
	    a->v1.life_s != b->v1.life_s || a->v1.life_kb != b->v1.life_kb ||
	    a->v1.encap != b->v1.encap ||
	    a->v1.auth_method != b->v1.auth_method)
		return false;
	for (i = 0; i < prop_n_xf(a); i++) {
		const struct transform *x = &a->xf[i], *y = &b->xf[i];

		if (x->type != y->type || x->flags != y->flags ||
		    x->id != y->id || x->key_bits != y->key_bits)
			return false;
	}
	return true;
}

/* --- IKEv1 attributes ---------------------------------------------------- */

static const struct {
	uint16_t value, std;
	bool transport, udp;
	const char *name;
} v1_encaps[] = {
    {IKEV1_ENCAP_TUNNEL, IKEV1_ENCAP_TUNNEL, false, false, "tunnel"},
    {IKEV1_ENCAP_TRANSPORT, IKEV1_ENCAP_TRANSPORT, true, false, "transport"},
    {IKEV1_ENCAP_UDP_ENCAPSULATED_TUNNEL, IKEV1_ENCAP_UDP_ENCAPSULATED_TUNNEL,
     false, true, "udp-tunnel"},
    {IKEV1_ENCAP_UDP_ENCAPSULATED_TRANSPORT,
     IKEV1_ENCAP_UDP_ENCAPSULATED_TRANSPORT, true, true, "udp-transport"},
    {IKEV1_ENCAP_UDP_ENCAPSULATED_TUNNEL_DRAFT,
     IKEV1_ENCAP_UDP_ENCAPSULATED_TUNNEL, false, true, "udp-tunnel (draft)"},
    {IKEV1_ENCAP_UDP_ENCAPSULATED_TRANSPORT_DRAFT,
     IKEV1_ENCAP_UDP_ENCAPSULATED_TRANSPORT, true, true,
     "udp-transport (draft)"},
};

static int
v1_encap_at(uint16_t encap)
{
	size_t i;

	for (i = 0; i < sizeof(v1_encaps) / sizeof(v1_encaps[0]); i++)
		if (v1_encaps[i].value == encap)
			return (int)i;
	return -1;
}

const char *
prop_v1_encap_name(uint16_t encap)
{
	int i = v1_encap_at(encap);

	return i < 0 ? NULL : v1_encaps[i].name;
}

uint16_t
prop_v1_encap_std(uint16_t encap)
{
	int i = v1_encap_at(encap);

	return i < 0 ? encap : v1_encaps[i].std;
}

bool
prop_v1_encap_transport(uint16_t encap)
{
	int i = v1_encap_at(encap);

	return i >= 0 && v1_encaps[i].transport;
}

bool
prop_v1_encap_udp(uint16_t encap)
{
	int i = v1_encap_at(encap);

	return i >= 0 && v1_encaps[i].udp;
}

/* Lower-case keywords, for logs and (later) the config. */
static const struct {
	uint16_t method;
	const char *name;
} v1_auths[] = {
    {IKEV1_AUTH_PRE_SHARED_KEY, "psk"},
    {IKEV1_AUTH_DSS_SIGNATURES, "dsssig"},
    {IKEV1_AUTH_RSA_SIGNATURES, "rsasig"},
    {IKEV1_AUTH_ENCRYPTION_WITH_RSA, "rsaenc"},
    {IKEV1_AUTH_REVISED_ENCRYPTION_WITH_RSA, "rsaenc-revised"},
    {IKEV1_AUTH_ECDSA_SHA256_P256, "ecdsa256"},
    {IKEV1_AUTH_ECDSA_SHA384_P384, "ecdsa384"},
    {IKEV1_AUTH_ECDSA_SHA512_P521, "ecdsa521"},
    {IKEV1_AUTH_HYBRID_INIT_RSA, "hybrid-rsasig-init"},
    {IKEV1_AUTH_HYBRID_RESP_RSA, "hybrid-rsasig-resp"},
    {IKEV1_AUTH_HYBRID_INIT_DSS, "hybrid-dsssig-init"},
    {IKEV1_AUTH_HYBRID_RESP_DSS, "hybrid-dsssig-resp"},
    {IKEV1_AUTH_XAUTH_INIT_PRE_SHARED, "xauthpsk-init"},
    {IKEV1_AUTH_XAUTH_RESP_PRE_SHARED, "xauthpsk-resp"},
    {IKEV1_AUTH_XAUTH_INIT_DSS, "xauthdsssig-init"},
    {IKEV1_AUTH_XAUTH_RESP_DSS, "xauthdsssig-resp"},
    {IKEV1_AUTH_XAUTH_INIT_RSA, "xauthrsasig-init"},
    {IKEV1_AUTH_XAUTH_RESP_RSA, "xauthrsasig-resp"},
    {IKEV1_AUTH_XAUTH_INIT_RSA_ENCRYPTION, "xauthrsaenc-init"},
    {IKEV1_AUTH_XAUTH_RESP_RSA_ENCRYPTION, "xauthrsaenc-resp"},
    {IKEV1_AUTH_XAUTH_INIT_RSA_REVISED_ENCRYPTION, "xauthrsaenc-revised-init"},
    {IKEV1_AUTH_XAUTH_RESP_RSA_REVISED_ENCRYPTION, "xauthrsaenc-revised-resp"},
};

const char *
prop_v1_auth_name(uint16_t method)
{
	size_t i;

	for (i = 0; i < sizeof(v1_auths) / sizeof(v1_auths[0]); i++)
		if (v1_auths[i].method == method)
			return v1_auths[i].name;
	return NULL;
}

uint16_t
prop_v1_auth_by_name(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(v1_auths) / sizeof(v1_auths[0]); i++)
		if (strcasecmp(v1_auths[i].name, name) == 0)
			return v1_auths[i].method;
	return 0;
}

/* --- defaults ------------------------------------------------------------ */

/*
 * AEAD first (one pass over the data, no separate MAC key), then CBC with
 * HMAC-SHA2 for peers without GCM. Groups: Curve25519 and the NIST curves
 * before MODP, MODP-2048 last as the floor of RFC 8247. Nothing here is
 * ALG_F_WEAK; SHA-1 is left to configs that need it (L2TP clients).
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
