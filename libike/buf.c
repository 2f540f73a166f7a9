/* SPDX-License-Identifier: ISC */
/*
 * Bounds-checked reader and bounded writer (see buf.h), secret buffers, and
 * the decoder error record. Every access to packet bytes in libike goes
 * through the functions below; nothing else does pointer arithmetic on a
 * received buffer.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "buf.h"

void
cur_init(struct cur *c, const uint8_t *p, size_t len, size_t base)
{
	c->ptr = p;
	c->len = p ? len : 0;
	c->pos = 0;
	c->base = base;
	c->err = false;
}

bool
cur_ok(const struct cur *c)
{
	return !c->err;
}

size_t
cur_left(const struct cur *c)
{
	return c->err ? 0 : c->len - c->pos;
}

size_t
cur_offset(const struct cur *c)
{
	return c->base + c->pos;
}

void
cur_fail(struct cur *c)
{
	c->err = true;
}

/* The single bounds check: every read below asks for its bytes here. */
static const uint8_t *
cur_take(struct cur *c, size_t n)
{
	const uint8_t *p;

	if (c->err || n > c->len - c->pos) {
		c->err = true;
		return NULL;
	}
	p = c->ptr + c->pos;
	c->pos += n;
	return p;
}

bool
cur_u8(struct cur *c, uint8_t *v)
{
	const uint8_t *p = cur_take(c, 1);

	*v = p ? p[0] : 0;
	return p != NULL;
}

bool
cur_u16(struct cur *c, uint16_t *v)
{
	const uint8_t *p = cur_take(c, 2);

	*v = p ? (uint16_t)(p[0] << 8 | p[1]) : 0;
	return p != NULL;
}

bool
cur_u32(struct cur *c, uint32_t *v)
{
	const uint8_t *p = cur_take(c, 4);

	*v = p ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
		     (uint32_t)p[2] << 8 | p[3]
	       : 0;
	return p != NULL;
}

bool
cur_copy(struct cur *c, void *dst, size_t n)
{
	const uint8_t *p = cur_take(c, n);

	if (p)
		memcpy(dst, p, n);
	else if (n)
		memset(dst, 0, n);
	return p != NULL;
}

bool
cur_view(struct cur *c, size_t n, struct bytes *out)
{
	const uint8_t *p = cur_take(c, n);

	out->ptr = p;
	out->len = p ? n : 0;
	return p != NULL;
}

bool
cur_rest(struct cur *c, struct bytes *out)
{
	return cur_view(c, cur_left(c), out);
}

bool
cur_skip(struct cur *c, size_t n)
{
	return cur_take(c, n) != NULL;
}

bool
cur_sub(struct cur *c, size_t n, struct cur *sub)
{
	size_t at = cur_offset(c);
	const uint8_t *p = cur_take(c, n);

	cur_init(sub, p, p ? n : 0, at);
	if (!p)
		sub->err = true;
	return p != NULL;
}

void
wbuf_init(struct wbuf *w, uint8_t *p, size_t cap)
{
	w->ptr = p;
	w->cap = p ? cap : 0;
	w->len = 0;
	w->err = false;
}

bool
wbuf_ok(const struct wbuf *w)
{
	return !w->err;
}

uint8_t *
wbuf_reserve(struct wbuf *w, size_t n)
{
	uint8_t *p;

	if (w->err || n > w->cap - w->len) {
		w->err = true;
		return NULL;
	}
	p = w->ptr + w->len;
	w->len += n;
	return p;
}

bool
wbuf_u8(struct wbuf *w, uint8_t v)
{
	uint8_t *p = wbuf_reserve(w, 1);

	if (p)
		p[0] = v;
	return p != NULL;
}

bool
wbuf_u16(struct wbuf *w, uint16_t v)
{
	uint8_t *p = wbuf_reserve(w, 2);

	if (p) {
		p[0] = v >> 8;
		p[1] = v & 0xff;
	}
	return p != NULL;
}

bool
wbuf_u32(struct wbuf *w, uint32_t v)
{
	uint8_t *p = wbuf_reserve(w, 4);

	if (p) {
		p[0] = v >> 24;
		p[1] = (v >> 16) & 0xff;
		p[2] = (v >> 8) & 0xff;
		p[3] = v & 0xff;
	}
	return p != NULL;
}

bool
wbuf_put(struct wbuf *w, const void *src, size_t n)
{
	uint8_t *p = wbuf_reserve(w, n);

	if (p && n)
		memcpy(p, src, n);
	return p != NULL;
}

bool
wbuf_bytes(struct wbuf *w, struct bytes b)
{
	return wbuf_put(w, b.ptr, b.len);
}

bool
wbuf_zero(struct wbuf *w, size_t n)
{
	uint8_t *p = wbuf_reserve(w, n);

	if (p && n)
		memset(p, 0, n);
	return p != NULL;
}

/* Patches only touch bytes already written; anything else is a bug in the
 * caller and poisons the writer rather than the memory after it. */
void
wbuf_patch_u8(struct wbuf *w, size_t off, uint8_t v)
{
	if (off >= w->len) {
		w->err = true;
		return;
	}
	w->ptr[off] = v;
}

void
wbuf_patch_u16(struct wbuf *w, size_t off, uint16_t v)
{
	if (off > w->len || w->len - off < 2) {
		w->err = true;
		return;
	}
	w->ptr[off] = v >> 8;
	w->ptr[off + 1] = v & 0xff;
}

void
wbuf_patch_u32(struct wbuf *w, size_t off, uint32_t v)
{
	if (off > w->len || w->len - off < 4) {
		w->err = true;
		return;
	}
	w->ptr[off] = v >> 24;
	w->ptr[off + 1] = (v >> 16) & 0xff;
	w->ptr[off + 2] = (v >> 8) & 0xff;
	w->ptr[off + 3] = v & 0xff;
}

struct secret *
secret_new(size_t len)
{
	struct secret *s = OPENSSL_secure_zalloc(sizeof(*s));

	if (!s)
		return NULL;
	/* A zero-length secret still gets a valid pointer. */
	s->ptr = OPENSSL_secure_zalloc(len ? len : 1);
	if (!s->ptr) {
		OPENSSL_secure_free(s);
		return NULL;
	}
	s->len = len;
	return s;
}

struct secret *
secret_dup(const void *p, size_t len)
{
	struct secret *s = secret_new(len);

	if (s && len)
		memcpy(s->ptr, p, len);
	return s;
}

void
secret_free(struct secret *s)
{
	if (!s)
		return;
	OPENSSL_secure_clear_free(s->ptr, s->len ? s->len : 1);
	OPENSSL_secure_free(s);
}

bool
bytes_equal_ct(const void *a, const void *b, size_t len)
{
	return CRYPTO_memcmp(a, b, len) == 0;
}

uint32_t
spi4_get(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

void
spi4_put(uint8_t *p, uint32_t spi)
{
	p[0] = (uint8_t)(spi >> 24);
	p[1] = (uint8_t)(spi >> 16);
	p[2] = (uint8_t)(spi >> 8);
	p[3] = (uint8_t)spi;
}

bool
spi8_zero(const uint8_t *spi)
{
	static const uint8_t zero[SPI8_LEN];

	return memcmp(spi, zero, SPI8_LEN) == 0;
}

void
ike_err_set(struct ike_err *e, uint16_t notify, uint8_t pld_type, size_t offset,
	    const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return;
	e->notify = notify;
	e->pld_type = pld_type;
	e->offset = offset;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
}

/* Bounded text: appends into a caller's buffer and remembers truncation, so
 * the text can end in "..." rather than mid-word without the reader knowing. */
void
tbuf_init(struct tbuf *b, char *buf, size_t len)
{
	b->buf = buf;
	b->len = buf != NULL ? len : 0;
	b->pos = 0;
	b->trunc = false;
	if (b->len > 0)
		b->buf[0] = '\0';
}

void
tbuf_put(struct tbuf *b, const char *s, size_t n)
{
	size_t room;

	if (b->len == 0) {
		b->trunc = b->trunc || n > 0;
		return;
	}
	room = b->len - 1 - b->pos;
	if (n > room) {
		n = room;
		b->trunc = true;
	}
	memcpy(b->buf + b->pos, s, n);
	b->pos += n;
	b->buf[b->pos] = '\0';
}

void
tbuf_puts(struct tbuf *b, const char *s)
{
	tbuf_put(b, s, strlen(s));
}

void
tbuf_printf(struct tbuf *b, const char *fmt, ...)
{
	char tmp[64];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	tbuf_puts(b, tmp);
}

int
tbuf_finish(struct tbuf *b)
{
	if (!b->trunc)
		return 0;
	if (b->len >= 4)
		memcpy(b->buf + b->len - 4, "...", 4);
	return -1;
}
