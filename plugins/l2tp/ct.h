/* SPDX-License-Identifier: ISC */
/* Conntrack entries of a client that went, flushed over ctnetlink. */
#ifndef L2TP_CT_H
#define L2TP_CT_H

#include <stddef.h>
#include <stdint.h>

/* Deletes every IPv4 conntrack entry whose mark is `mark`: 0, or -1
 * with why. */
int l2tp_ct_flush_mark(uint32_t mark, char *why, size_t why_len);

#endif
