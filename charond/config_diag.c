/* SPDX-License-Identifier: ISC */
/*
 * The diagnostics list of the configuration loader: every problem found in
 * one pass, with file, line, column and severity, printed the way compilers
 * print theirs so editors can jump to it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

void
diag_list_init(struct diag_list *dl)
{
	memset(dl, 0, sizeof(*dl));
}

void
diag_list_free(struct diag_list *dl)
{
	size_t i;

	if (dl == NULL)
		return;
	for (i = 0; i < dl->n; i++) {
		free(dl->v[i].file);
		free(dl->v[i].msg);
	}
	free(dl->v);
	diag_list_init(dl);
}

/* An alias repeats its anchor's subtree, and so would its problems. */
static bool
is_repeat(const struct diag_list *dl, enum diag_sev sev, const char *file,
	  unsigned line, unsigned col, const char *msg)
{
	size_t i;

	for (i = dl->n; i-- > 0;) {
		const struct diag *d = &dl->v[i];

		if (d->line == line && d->col == col && d->sev == sev &&
		    strcmp(d->file, file) == 0 && strcmp(d->msg, msg) == 0)
			return true;
	}
	return false;
}

void
diag_add(struct diag_list *dl, enum diag_sev sev, const char *file,
	 unsigned line, unsigned col, const char *fmt, ...)
{
	struct diag *d;
	va_list ap;
	char *msg;
	int n;

	if (file == NULL)
		file = "(config)";
	/* The verdict must not depend on whether the list was full. */
	if (sev == DIAG_ERROR)
		dl->n_errors++;
	else
		dl->n_warnings++;
	if (dl->n >= DIAG_MAX) {
		dl->truncated = true;
		return;
	}
	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (is_repeat(dl, sev, file, line, col, msg)) {
		if (sev == DIAG_ERROR)
			dl->n_errors--;
		else
			dl->n_warnings--;
		free(msg);
		return;
	}
	if (dl->n == dl->cap) {
		size_t cap = dl->cap ? dl->cap * 2 : 16;
		struct diag *v = realloc(dl->v, cap * sizeof(*v));

		if (v == NULL) {
			free(msg);
			return;
		}
		dl->v = v;
		dl->cap = cap;
	}
	d = &dl->v[dl->n];
	d->file = strdup(file);
	if (d->file == NULL) {
		free(msg);
		return;
	}
	d->line = line;
	d->col = col;
	d->sev = sev;
	d->msg = msg;
	dl->n++;
}

int
diag_format(const struct diag *d, char *buf, size_t len)
{
	const char *sev = d->sev == DIAG_ERROR ? "error" : "warning";

	if (d->line == 0)
		return snprintf(buf, len, "%s: %s: %s", d->file, sev, d->msg);
	return snprintf(buf, len, "%s:%u:%u: %s: %s", d->file, d->line, d->col,
			sev, d->msg);
}

void
diag_print(FILE *f, const struct diag_list *dl)
{
	size_t i;

	for (i = 0; i < dl->n; i++) {
		const struct diag *d = &dl->v[i];
		const char *sev = d->sev == DIAG_ERROR ? "error" : "warning";

		if (d->line == 0)
			fprintf(f, "%s: %s: %s\n", d->file, sev, d->msg);
		else
			fprintf(f, "%s:%u:%u: %s: %s\n", d->file, d->line,
				d->col, sev, d->msg);
	}
	if (dl->truncated)
		fprintf(f,
			"(more problems were found; only the first %d are "
			"shown)\n",
			DIAG_MAX);
}
