/* SPDX-License-Identifier: ISC */
/* Helpers shared by the unit tests: hex conversion and test data files. */
#ifndef TEST_TESTUTIL_H
#define TEST_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>

#include <check.h>

/* Every suite of the runner, generated from the test sources. */
#define X(name) Suite *name(void);
#include "suites.h"
#undef X

/* Decode a hex string (whitespace ignored) into a malloc'ed buffer; aborts
 * the test on malformed input. */
uint8_t *hex_decode(const char *hex, size_t *len);
/* Lowercase hex of len bytes into a malloc'ed string. */
char *hex_encode(const uint8_t *p, size_t len);
/* Read TEST_DATA/rel into a malloc'ed buffer. */
uint8_t *data_file(const char *rel, size_t *len);

/* Compare bytes to a hex string, failing the test with both in the message. */
#define ck_assert_hex(p, len, hex)                                             \
	do {                                                                   \
		char *got_ = hex_encode((p), (len));                           \
		ck_assert_str_eq(got_, (hex));                                 \
		free(got_);                                                    \
	} while (0)

#endif
