/* SPDX-License-Identifier: ISC */
/*
 * Helpers of the capture tests (test_capture.c for IKEv2,
 * test_capture_v1.c for IKEv1): our decoding of a message is printed into
 * a growing text in the normalized format of test/data/ikev{1,2}/README.md
 * and compared with the .expect file made from tshark's dissection; the
 * scenario's keys come from its keys.txt (name=value lines).
 */
#ifndef TEST_TEXTDUMP_H
#define TEST_TEXTDUMP_H

#include <stddef.h>

#include "buf.h"

struct text {
	char *buf;
	size_t len, cap;
};

/* Append printf-style; the buffer grows as needed. */
void text_out(struct text *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* " key=<lowercase hex>", or " key=-" when b is empty. */
void text_hex(struct text *t, const char *key, struct bytes b);
void text_free(struct text *t);
/* Compare t with TEST_DATA/rel; on a difference, fail the test naming the
 * first differing line, then both texts whole. */
void text_expect(const struct text *t, const char *rel);

#define KEYFILE_MAX 128

struct keyfile {
	char *name[KEYFILE_MAX];
	char *value[KEYFILE_MAX];
	unsigned n;
};

/* Load TEST_DATA/rel: name=value lines ('#' lines are comments); any
 * other line fails the test. */
void keyfile_load(struct keyfile *k, const char *rel);
/* The value, or NULL when the file lacks the name. */
const char *keyfile_get(const struct keyfile *k, const char *name);
void keyfile_free(struct keyfile *k);

#endif
