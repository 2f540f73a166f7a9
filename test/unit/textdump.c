/* SPDX-License-Identifier: ISC */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "testutil.h"
#include "textdump.h"

void
text_out(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!t->buf) { /* NULL + 0 is undefined behaviour, so start with room */
		t->cap = 256;
		t->buf = malloc(t->cap);
		ck_assert_ptr_nonnull(t->buf);
		t->buf[0] = '\0';
	}
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
		va_end(ap);
		ck_assert_int_ge(n, 0);
		if ((size_t)n < t->cap - t->len)
			break;
		t->cap = t->cap * 2 + (size_t)n + 1;
		t->buf = realloc(t->buf, t->cap);
		ck_assert_ptr_nonnull(t->buf);
	}
	t->len += (size_t)n;
}

void
text_hex(struct text *t, const char *key, struct bytes b)
{
	size_t i;

	text_out(t, " %s=", key);
	if (b.len == 0)
		text_out(t, "-");
	for (i = 0; i < b.len; i++)
		text_out(t, "%02x", b.ptr[i]);
}

void
text_free(struct text *t)
{
	free(t->buf);
	memset(t, 0, sizeof(*t));
}

/* The line that starts at s, without its newline, into a static buffer
 * (the failure message is built once). */
static const char *
line_at(const char *s, char *buf, size_t cap)
{
	size_t n = strcspn(s, "\n");

	if (n >= cap)
		n = cap - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return buf;
}

void
text_expect(const struct text *t, const char *rel)
{
	static char ours[4096], theirs[4096];
	const char *got = t->buf ? t->buf : "";
	char *want;
	size_t wlen, i, line = 1, bol = 0;

	want = (char *)data_file(rel, &wlen);
	want = realloc(want, wlen + 1);
	ck_assert_ptr_nonnull(want);
	want[wlen] = '\0';
	for (i = 0; i < wlen && i < t->len && got[i] == want[i]; i++) {
		if (want[i] == '\n') {
			line++;
			bol = i + 1;
		}
	}
	ck_assert_msg(i == wlen && i == t->len,
		      "%s line %zu differs from tshark:\n"
		      "ours:   %s\ntshark: %s\n--- ours\n%s--- tshark\n%s",
		      rel, line, line_at(got + bol, ours, sizeof(ours)),
		      line_at(want + bol, theirs, sizeof(theirs)), got, want);
	free(want);
}

void
keyfile_load(struct keyfile *k, const char *rel)
{
	char *txt, *line, *save = NULL;
	size_t len;

	txt = (char *)data_file(rel, &len);
	txt = realloc(txt, len + 1);
	ck_assert_ptr_nonnull(txt);
	txt[len] = '\0';
	k->n = 0;
	for (line = strtok_r(txt, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(line, '=');

		if (line[0] == '#')
			continue;
		ck_assert_msg(eq != NULL, "%s: bad line '%s'", rel, line);
		ck_assert_msg(k->n < KEYFILE_MAX, "%s: more than %d keys", rel,
			      KEYFILE_MAX);
		*eq = '\0';
		k->name[k->n] = strdup(line);
		k->value[k->n] = strdup(eq + 1);
		ck_assert(k->name[k->n] && k->value[k->n]);
		k->n++;
	}
	free(txt);
}

const char *
keyfile_get(const struct keyfile *k, const char *name)
{
	unsigned i;

	for (i = 0; i < k->n; i++)
		if (strcmp(k->name[i], name) == 0)
			return k->value[i];
	return NULL;
}

void
keyfile_free(struct keyfile *k)
{
	unsigned i;

	for (i = 0; i < k->n; i++) {
		free(k->name[i]);
		free(k->value[i]);
	}
	k->n = 0;
}
