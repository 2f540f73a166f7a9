/* SPDX-License-Identifier: ISC */
/*
 * Helpers for libxfrm's tests: addresses from strings, expected netlink
 * messages assembled by hand from the kernel's structs (never by
 * libxfrm), byte comparison with hex dumps, and running a piece of a test
 * as root in a fresh network namespace of its own.
 */
#ifndef TEST_XFRM_XTEST_H
#define TEST_XFRM_XTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <check.h>

#include "xfrm.h"

/* Every suite of this runner, generated from the test sources. */
#define X(name) Suite *name(void);
#include "suites.h"
#undef X

/* "192.0.2.1" or "2001:db8::1"; aborts the test on anything else. */
struct xfrm_addr xt_addr(const char *s);
struct xfrm_sel xt_sel(const char *src, unsigned int src_plen, const char *dst,
		       unsigned int dst_plen);

/* Field by field: the structs have padding, so memcmp() will not do. */
bool xt_addr_eq(const struct xfrm_addr *a, const struct xfrm_addr *b);
bool xt_sel_eq(const struct xfrm_sel *a, const struct xfrm_sel *b);
/* Everything but the algorithms (which the kernel never reads back). */
bool xt_sa_eq(const struct xfrm_sa *a, const struct xfrm_sa *b);
/* Everything but the kernel's index and times. */
bool xt_policy_eq(const struct xfrm_policy *a, const struct xfrm_policy *b);

/* An expected message, written field by field. */
struct gold {
	_Alignas(8) uint8_t b[4096];
	size_t len;
};

/* nlmsghdr (length kept up to date) then the fixed struct. */
void gold_start(struct gold *g, uint16_t type, uint16_t flags, uint32_t seq,
		const void *fixed, size_t flen);
/* One attribute whose payload is a then b (b may be NULL), padded. */
void gold_attr(struct gold *g, uint16_t type, const void *a, size_t alen,
	       const void *b, size_t blen);

/* Equal bytes, or the test fails showing both in hex. */
void xt_assert_bytes(const void *got, size_t glen, const void *exp,
		     size_t elen);
/* Decode hex (whitespace ignored) into out; returns the length. */
size_t xt_unhex(const char *hex, uint8_t *out, size_t max);

/* Fixtures: test keys (not secrets), kernel addresses and iproute2's
 * default lifetime, and the SA and policy that the iproute2 captures in
 * test_xfrm_msg.c were made with. */
extern const uint8_t xt_key16[16], xt_key20[20], xt_key32[32];
void xt_kaddr(xfrm_address_t *k, const char *s);
void xt_kinf(struct xfrm_lifetime_cfg *l);
/* `ip xfrm state add src 192.0.2.1 dst 192.0.2.2 proto esp spi
 * 0x11223344 reqid 7 mode tunnel aead 'rfc4106(gcm(aes))' <xt_key20>
 * 128`, as libxfrm's struct and as the kernel's. */
struct xfrm_sa xt_gcm_sa(void);
void xt_gcm_info(struct xfrm_usersa_info *k);
void xt_gcm_alg(struct gold *g);
/* `ip xfrm policy add src 198.51.100.0/24 dst 203.0.113.0/24 proto tcp
 * dport 443 dir out priority 100 tmpl src 192.0.2.1 dst 192.0.2.2 proto
 * esp reqid 7 mode tunnel`, and its selector as the kernel's. */
struct xfrm_policy xt_out_policy(void);
void xt_out_sel(struct xfrm_selector *s);

/* Kernel tests: fn runs in a forked child, in a new network namespace,
 * and returns NULL on success or why it failed. A returned string
 * starting with "SKIP: " skips the test. Check's assertions cannot be
 * used inside fn (it is not the process Check forked); use XT_REQUIRE. */
void xt_in_netns(const char *name, const char *(*fn)(void *arg), void *arg);
/* printf-style message in a static buffer, for XT_REQUIRE. */
const char *xt_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
#define XT_REQUIRE(cond, ...)                                                  \
	do {                                                                   \
		if (!(cond))                                                   \
			return xt_fail(__FILE__, __LINE__, __VA_ARGS__);       \
	} while (0)
/* Runs a shell command (iproute2 to set up the namespace); 0 if it
 * exited with 0. */
int xt_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Whether kernel tests can run here; if not, prints why once. */
bool xt_root(const char *suite);

#endif
