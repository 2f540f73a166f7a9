/* SPDX-License-Identifier: ISC */
/*
 * The l2tp plugin's nftables table, `ip charond-l2tp`, over netlink
 * (libnftnl builds the messages, libmnl carries them). See l2tp.c for
 * what its rules do and why.
 */
#ifndef L2TP_NFT_H
#define L2TP_NFT_H

#include <stddef.h>
#include <stdint.h>

#include "clients.h"

#define L2TP_NFT_TABLE "charond-l2tp"

struct l2tp_nft;

/* A netlink socket for nftables; NULL with why. */
struct l2tp_nft *l2tp_nft_open(char *why, size_t why_len);
void l2tp_nft_close(struct l2tp_nft *n);
/* Replaces any table of ours (a daemon that died left it) with a fresh
 * one: sets, maps, chains and rules, in one transaction. 0, or -1 with
 * why. */
int l2tp_nft_create(struct l2tp_nft *n, char *why, size_t why_len);
/* 1 if the table is there, 0 if not, -1 with why if it cannot tell. */
int l2tp_nft_exists(struct l2tp_nft *n, char *why, size_t why_len);
/* Deletes the table; 0 also when there was none. */
int l2tp_nft_delete(struct l2tp_nft *n, char *why, size_t why_len);
/* A client's map entries, in one transaction; with_addr also adds (or
 * deletes) its address in the set of client addresses. */
int l2tp_nft_client(struct l2tp_nft *n, const struct l2tp_client *c, int add,
		    int with_addr, char *why, size_t why_len);

#endif
