/* SPDX-License-Identifier: ISC */
/*
 * Proposals and transforms: the wire-level structure shared by the SA payload
 * codec and the configuration, strongSwan-style keyword parsing and printing
 * (prop.c), and the responder's selection rule.
 */
#ifndef LIBIKE_PROP_H
#define LIBIKE_PROP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IKE_MAX_TRANSFORMS 64 /* per proposal; more is INVALID_SYNTAX */
#define IKE_MAX_PROPOSALS  32 /* per SA payload */

#define XF_UNKNOWN_ATTR 0x01 /* carried an attribute we do not know */

struct transform {
	uint8_t type;      /* IKEV2_TRANS_* */
	uint8_t flags;     /* XF_* */
	uint16_t id;       /* transform ID within the type */
	uint16_t key_bits; /* Key Length attribute, 0 when absent */
};

struct proposal {
	uint8_t num;      /* proposal number, from 1 */
	uint8_t proto;    /* IKEV2_PROTO_* */
	uint8_t spi_size; /* 0, 4 (ESP/AH) or 8 (IKE rekey) */
	uint8_t n_xf;
	uint8_t spi[8];
	struct transform xf[IKE_MAX_TRANSFORMS];
};

#endif
