/* SPDX-License-Identifier: ISC */
/*
 * Where IKE meets XFRM: the kernel's view of libike's algorithm registry
 * (alg_list.h, a plain list of constants; libxfrm links nothing of
 * libike). From IKEv2 transform IDs (IANA "Transform Type 1/3") to the
 * Linux crypto API names ESP uses, with the bytes of KEYMAT each takes and
 * the ICV or truncation length the kernel must be told.
 *
 * Salts are part of the key here, as both IKE (RFC 7296 2.17 takes them
 * from KEYMAT right after the key) and the kernel (it expects them
 * appended to the key) see them.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "xfrm.h"

struct encr_map {
	uint16_t id;           /* IKEV2_ENCR_* */
	uint16_t key_bits;     /* Key Length attribute; 0 for a fixed size */
	const char *name;      /* NULL: not for ESP */
	size_t key_len;        /* bytes, salt included */
	unsigned int icv_bits; /* AEAD only */
	bool aead;
};

struct integ_map {
	uint16_t id;      /* IKEV2_INTEG_* */
	const char *name; /* NULL: not for ESP */
	size_t key_len;
	unsigned int trunc_bits;
};

/* Entries the registry keeps out of ESP get no name, so they are never
 * found. */
/* clang-format off */
#define ALG_ENCR(kw, id_, bits, fl, key, salt, iv, blk, icv, evp, xf, p1, p2)  \
	{.id = (id_), .key_bits = (bits),                                      \
	 .name = ((fl) & ALG_F_ESP) ? (xf) : NULL, .key_len = (key),           \
	 .icv_bits = (icv) * 8, .aead = ((fl) & ALG_F_AEAD) != 0},
static const struct encr_map encr_map[] = {
#include "alg_list.h"
};

#define ALG_INTEG(kw, id_, fl, key, icv, md, prf, xf, p1, p2)                  \
	{.id = (id_), .name = ((fl) & ALG_F_ESP) ? (xf) : NULL,                \
	 .key_len = (key), .trunc_bits = (icv) * 8},
static const struct integ_map integ_map[] = {
#include "alg_list.h"
};
/* clang-format on */

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const struct encr_map *
find_encr(uint16_t id, uint16_t bits)
{
	size_t i;

	for (i = 0; i < NELEM(encr_map); i++)
		if (encr_map[i].id == id && encr_map[i].key_bits == bits &&
		    encr_map[i].name != NULL)
			return &encr_map[i];
	return NULL;
}

static const struct integ_map *
find_integ(uint16_t id)
{
	size_t i;

	for (i = 0; i < NELEM(integ_map); i++)
		if (integ_map[i].id == id && integ_map[i].name != NULL)
			return &integ_map[i];
	return NULL;
}

int
xfrm_alg_for_ike(uint16_t encr, uint16_t key_bits, uint16_t integ,
		 struct xfrm_algs *out)
{
	const struct encr_map *e = find_encr(encr, key_bits);
	const struct integ_map *i;

	memset(out, 0, sizeof(*out));
	if (e == NULL)
		return -ENOTSUP;
	if (e->aead) {
		/* RFC 7296 3.3: a combined-mode cipher carries its own
		 * integrity, so a proposal pairing it with INTEG is wrong. */
		if (integ != IKEV2_INTEG_NONE)
			return -EINVAL;
		out->aead = true;
		out->enc.name = e->name;
		out->enc.key_len = e->key_len;
		out->enc.icv_bits = e->icv_bits;
		return 0;
	}
	/* RFC 8221 5: ESP without integrity is a MUST NOT for IKEv2 SAs. */
	if (integ == IKEV2_INTEG_NONE)
		return -EINVAL;
	if ((i = find_integ(integ)) == NULL)
		return -ENOTSUP;
	out->enc.name = e->name;
	out->enc.key_len = e->key_len;
	out->auth.name = i->name;
	out->auth.key_len = i->key_len;
	out->auth.icv_bits = i->trunc_bits;
	return 0;
}
