/* SPDX-License-Identifier: ISC */
/*
 * Text from the wire made safe to print: one escaping function for every
 * place charond shows bytes a peer chose (identities, reasons with them in
 * it), in its log and in JSON.
 */
#ifndef CHAROND_ESCAPE_H
#define CHAROND_ESCAPE_H

#include <stddef.h>

/*
 * Copy len bytes of in to out (outlen bytes, always NUL-terminated) as
 * text that is one line of valid UTF-8 without control characters:
 * printable ASCII and well-formed UTF-8 characters other than the C1
 * controls pass, every other byte (newline, escape, NUL, DEL, a stray
 * 0xff, a truncated or overlong sequence) becomes "\xNN". Backslashes are
 * not doubled, so escaping twice changes nothing; a peer that writes a
 * literal "\x0a" only gets that text shown. What does not fit is cut at a
 * character boundary. Returns the length written.
 */
size_t esc_text(const void *in, size_t len, char *out, size_t outlen);

/* The most esc_text() can write for len bytes, without the NUL. */
#define ESC_MAX(len) ((len)*4)

#endif
