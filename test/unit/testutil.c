/* SPDX-License-Identifier: ISC */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "testutil.h"

static int
nibble(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

uint8_t *
hex_decode(const char *hex, size_t *len)
{
	uint8_t *out = malloc(strlen(hex) / 2 + 1);
	size_t n = 0;
	int hi = -1;

	ck_assert_ptr_nonnull(out);
	for (; *hex; hex++) {
		int v;

		if (isspace((unsigned char)*hex))
			continue;
		v = nibble((unsigned char)*hex);
		ck_assert_msg(v >= 0, "bad hex digit '%c'", *hex);
		if (hi < 0) {
			hi = v;
		} else {
			out[n++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	ck_assert_msg(hi < 0, "odd number of hex digits");
	*len = n;
	return out;
}

char *
hex_encode(const uint8_t *p, size_t len)
{
	char *s = malloc(len * 2 + 1);
	size_t i;

	ck_assert_ptr_nonnull(s);
	for (i = 0; i < len; i++)
		sprintf(s + 2 * i, "%02x", p[i]);
	s[2 * len] = '\0';
	return s;
}

uint8_t *
data_file(const char *rel, size_t *len)
{
	char path[1024];
	FILE *f;
	uint8_t *buf;
	long n;

	snprintf(path, sizeof(path), "%s/%s", TEST_DATA, rel);
	f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc(n > 0 ? (size_t)n : 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_int_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}
