/* SPDX-License-Identifier: ISC */
/*
 * esc_text(): a peer's identity is bytes of its choosing. Printed as they
 * are, a newline forges a log line, an escape sequence drives the admin's
 * terminal, and invalid UTF-8 makes jansson refuse the whole JSON reply.
 * So they are escaped once, here, for the log and for JSON alike.
 */
#include <stdint.h>
#include <stdio.h>

#include "escape.h"

/* Length of the UTF-8 character at s (at most n bytes) if it is a valid,
 * shortest-form one and no control character; else 0. */
static size_t
utf8_ok(const unsigned char *s, size_t n)
{
	size_t need, i;
	uint32_t cp;

	if (s[0] >= 0x20 && s[0] < 0x7f)
		return 1;
	if ((s[0] & 0xe0) == 0xc0) {
		need = 2;
		cp = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		need = 3;
		cp = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		need = 4;
		cp = s[0] & 0x07;
	} else {
		return 0; /* C0 controls, DEL, continuation bytes, 0xf8.. */
	}
	if (n < need)
		return 0;
	for (i = 1; i < need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((need == 2 && cp < 0x80) || (need == 3 && cp < 0x800) ||
	    (need == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff) || (cp >= 0x80 && cp <= 0x9f))
		return 0;
	return need;
}

size_t
esc_text(const void *in, size_t len, char *out, size_t outlen)
{
	const unsigned char *p = in;
	size_t i = 0, o = 0, k;

	if (outlen == 0)
		return 0;
	while (i < len) {
		k = utf8_ok(p + i, len - i);
		if (k) {
			if (o + k >= outlen)
				break;
			for (; k; k--)
				out[o++] = (char)p[i++];
			continue;
		}
		if (o + 4 >= outlen)
			break;
		snprintf(out + o, 5, "\\x%02x", p[i++]);
		o += 4;
	}
	out[o] = '\0';
	return o;
}
