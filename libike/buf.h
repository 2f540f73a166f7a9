/* SPDX-License-Identifier: ISC */
/*
 * The one place where libike touches raw bytes: a bounds-checked reader
 * (struct cur) for everything that arrives from the network, a bounded writer
 * (struct wbuf) for everything we send, plain byte views, and secret buffers
 * that are cleansed when freed.
 *
 * The reader has a sticky error: after the first short read every further
 * read fails and yields zeroes, so decoders run straight-line and test
 * cur_ok() once at the end instead of after every field.
 */
#ifndef LIBIKE_BUF_H
#define LIBIKE_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A non-owning view of bytes. */
struct bytes {
	const uint8_t *ptr;
	size_t len;
};

/* Bounds-checked reader. `base` is the absolute offset of ptr[0] inside the
 * message, so errors can name the offset a peer's packet went wrong at. */
struct cur {
	const uint8_t *ptr;
	size_t len;
	size_t pos;
	size_t base;
	bool err;
};

void cur_init(struct cur *c, const uint8_t *p, size_t len, size_t base);
bool cur_ok(const struct cur *c);
size_t cur_left(const struct cur *c);
size_t cur_offset(const struct cur *c); /* absolute offset of the next byte */
bool cur_u8(struct cur *c, uint8_t *v);
bool cur_u16(struct cur *c, uint16_t *v);
bool cur_u32(struct cur *c, uint32_t *v);
bool cur_copy(struct cur *c, void *dst, size_t n);
bool cur_view(struct cur *c, size_t n, struct bytes *out);
bool cur_rest(struct cur *c, struct bytes *out);
bool cur_skip(struct cur *c, size_t n);
/* A sub-reader over the next n bytes; the parent advances past them. */
bool cur_sub(struct cur *c, size_t n, struct cur *sub);
/* Mark the reader failed (for a semantic error found by its user). */
void cur_fail(struct cur *c);

/* Bounded writer over caller-provided storage. */
struct wbuf {
	uint8_t *ptr;
	size_t cap;
	size_t len;
	bool err;
};

void wbuf_init(struct wbuf *w, uint8_t *p, size_t cap);
bool wbuf_ok(const struct wbuf *w);
bool wbuf_u8(struct wbuf *w, uint8_t v);
bool wbuf_u16(struct wbuf *w, uint16_t v);
bool wbuf_u32(struct wbuf *w, uint32_t v);
bool wbuf_put(struct wbuf *w, const void *p, size_t n);
bool wbuf_bytes(struct wbuf *w, struct bytes b);
bool wbuf_zero(struct wbuf *w, size_t n);
/* Reserve n bytes to be filled later; returns a pointer or NULL. */
uint8_t *wbuf_reserve(struct wbuf *w, size_t n);
/* Overwrite an already written big-endian field. */
void wbuf_patch_u8(struct wbuf *w, size_t off, uint8_t v);
void wbuf_patch_u16(struct wbuf *w, size_t off, uint16_t v);
void wbuf_patch_u32(struct wbuf *w, size_t off, uint32_t v);

/* Secret bytes (keys, nonces, PSKs, DH secrets): allocated from OpenSSL's
 * secure heap when it is initialised, always cleansed on free. */
struct secret {
	uint8_t *ptr;
	size_t len;
};

struct secret *secret_new(size_t len);
struct secret *secret_dup(const void *p, size_t len);
void secret_free(struct secret *s);
/* Constant-time comparison of equal-length MACs; false if lengths differ. */
bool bytes_equal_ct(const void *a, const void *b, size_t len);

/* SPIs as they travel (RFC 7296 3.1, 3.3.1): a CHILD SA's 4 octets in
 * network order, an IKE SA's 8 opaque octets (all zero: not known yet). */
#define SPI4_LEN 4
#define SPI8_LEN 8
uint32_t spi4_get(const uint8_t *p);
void spi4_put(uint8_t *p, uint32_t spi);
bool spi8_zero(const uint8_t *spi);

/* Error of a decoder: the notify to answer with, the payload and the
 * absolute offset at which the message went wrong, and a sentence for the
 * log. */
struct ike_err {
	uint16_t notify; /* IKEV2_N_*, IKEV1_N_* from the v1 codec; 0: none */
	uint8_t pld_type;
	size_t offset;
	char msg[160];
};

void ike_err_set(struct ike_err *e, uint16_t notify, uint8_t pld_type,
		 size_t offset, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Bounded text for messages meant for people (reasons, proposal strings). */
struct tbuf {
	char *buf;
	size_t len;
	size_t pos;
	bool trunc;
};

void tbuf_init(struct tbuf *b, char *buf, size_t len);
void tbuf_put(struct tbuf *b, const char *s, size_t n);
void tbuf_puts(struct tbuf *b, const char *s);
void tbuf_printf(struct tbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* 0, or -1 when the text was cut (and then ends in "..."). */
int tbuf_finish(struct tbuf *b);

#endif
