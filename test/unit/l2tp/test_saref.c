/* SPDX-License-Identifier: ISC */
/*
 * neighbour.c, its look at xl2tpd.conf: `ipsec saref = yes` in force, read
 * as xl2tpd reads it (';' comments, whitespace trimmed around '=' and at
 * the ends, case-insensitive, the last setting wins), over lines of any
 * length (test/data/l2tp/conf/, and scratch files for the long ones).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "nbtest.h"

#define PROC NB_DATA "/proc-xl2tpd" /* xl2tpd listening: no other report */
#define CONF NB_DATA "/conf/"

/* The report of `ipsec saref = yes` at path:line. */
static void
saref_at(char *out, size_t len, const char *path, unsigned line)
{
	snprintf(out, len,
		 "%s:%u: 'ipsec saref = yes' needs a kernel patched for SAref "
		 "and breaks L2TP/IPsec on stock kernels: remove it",
		 path, line);
}

/* Runs the check on xl2tpd.conf `conf` and expects `want` reports of
 * saref, the first at `line`. */
static void
expect(const char *conf, int want, unsigned line)
{
	struct nb_seen s;
	char msg[8192];

	ck_assert_int_eq(nb_run(PROC, conf, &s), want);
	ck_assert_int_eq(s.n, want);
	if (want > 0) {
		saref_at(msg, sizeof(msg), conf, line);
		ck_assert_str_eq(s.msg[0], msg);
	}
}

START_TEST(saref_no)
{
	expect(CONF "saref-no.conf", 0, 0);
}
END_TEST

START_TEST(saref_yes)
{
	expect(CONF "saref-yes.conf", 1, 3);
}
END_TEST

START_TEST(saref_commented_out)
{
	expect(CONF "saref-commented.conf", 0, 0);
}
END_TEST

/* Tabs, upper case, a trailing comment, CRLF line ends. */
START_TEST(saref_odd_spacing)
{
	expect(CONF "saref-odd.conf", 1, 4);
}
END_TEST

START_TEST(saref_last_wins_off)
{
	expect(CONF "saref-last-wins.conf", 0, 0);
}
END_TEST

/* `n` then `true`, in another section and without spaces around '='. */
START_TEST(saref_last_wins_on)
{
	expect(CONF "saref-no-then-yes.conf", 1, 6);
}
END_TEST

/* yesno, "ipsec  saref" (xl2tpd knows no such key), no '=', other keys
 * that contain it, values xl2tpd refuses. */
START_TEST(saref_lookalikes)
{
	expect(CONF "saref-not-yes.conf", 0, 0);
}
END_TEST

/* Nothing listening and SAref on: both, in that order. */
START_TEST(saref_and_not_listening)
{
	struct nb_seen s;
	char msg[8192];

	ck_assert_int_eq(
	    nb_run(NB_DATA "/proc-none", CONF "saref-yes.conf", &s), 2);
	ck_assert_ptr_nonnull(
	    strstr(s.msg[0], "xl2tpd is not listening on UDP/1701: "));
	saref_at(msg, sizeof(msg), CONF "saref-yes.conf", 3);
	ck_assert_str_eq(s.msg[1], msg);
}
END_TEST

START_TEST(conf_unreadable)
{
	struct nb_seen s;

	/* A directory opens but does not read. */
	ck_assert_int_eq(nb_run(PROC, NB_DATA "/conf", &s), 1);
	ck_assert_str_eq(s.msg[0],
			 NB_DATA "/conf: cannot read (Is a directory): not "
				 "checked for 'ipsec saref = yes'");
}
END_TEST

/* A scratch xl2tpd.conf of n bytes from data; the check's result and
 * reports into *s. */
static int
run_on(const char *data, size_t n, struct nb_seen *s, char path[192])
{
	char dir[128];
	int r;

	nb_tmp(dir);
	nb_put(dir, "xl2tpd.conf", data, n);
	snprintf(path, 192, "%s/xl2tpd.conf", dir);
	r = nb_run(PROC, path, s);
	nb_tmp_free(dir);
	return r;
}

/* A buffer of n bytes of c, after `head`, before `tail`. */
static char *
padded(const char *head, int c, size_t n, const char *tail, size_t *len)
{
	size_t h = strlen(head), t = strlen(tail);
	char *b = malloc(h + n + t);

	ck_assert_ptr_nonnull(b);
	memcpy(b, head, h);
	memset(b + h, c, n);
	memcpy(b + h + n, tail, t);
	*len = h + n + t;
	return b;
}

/* A 1 MiB line is read to its end; the lines after it keep their
 * numbers. */
START_TEST(long_line_before)
{
	struct nb_seen s;
	char path[192], want[8192];
	size_t n;
	char *b = padded("[global]\nname = ", 'x', 1u << 20,
			 "\nipsec saref = yes\n", &n);

	ck_assert_int_eq(run_on(b, n, &s, path), 1);
	saref_at(want, sizeof(want), path, 3);
	ck_assert_str_eq(s.msg[0], want);
	free(b);
}
END_TEST

/* Whitespace of any length around '=' and at the end, and a comment of
 * any length, are what xl2tpd trims: the setting is still seen. */
START_TEST(long_whitespace_and_comment)
{
	static const char head[] = "[global]\nipsec saref =";
	size_t w = 100000, n = sizeof(head) - 1;
	struct nb_seen s;
	char path[192], want[8192];
	char *b = malloc(n + 3 * w + 8);

	ck_assert_ptr_nonnull(b);
	memcpy(b, head, n);
	memset(b + n, '\t', w);
	n += w;
	memcpy(b + n, "yes", 3);
	n += 3;
	memset(b + n, ' ', w);
	n += w;
	b[n++] = ';';
	memset(b + n, 'x', w);
	n += w;
	b[n++] = '\n';
	ck_assert_int_eq(run_on(b, n, &s, path), 1);
	saref_at(want, sizeof(want), path, 2);
	ck_assert_str_eq(s.msg[0], want);
	free(b);
}
END_TEST

/* What overflows the line is not whitespace: the value is not yes. */
START_TEST(long_value)
{
	struct nb_seen s;
	char path[192];
	size_t n;
	char *b = padded("[global]\nipsec saref = yes", 'x', 100000, "\n", &n);

	ck_assert_int_eq(run_on(b, n, &s, path), 0);
	free(b);
}
END_TEST

/* A NUL ends the line for xl2tpd (its C string); so here. */
START_TEST(nul_ends_line)
{
	static const char on[] = "[global]\nipsec saref = yes\0no\n";
	static const char off[] = "[global]\nipsec saref = \0yes\n";
	struct nb_seen s;
	char path[192];

	ck_assert_int_eq(run_on(on, sizeof(on) - 1, &s, path), 1);
	ck_assert_int_eq(run_on(off, sizeof(off) - 1, &s, path), 0);
}
END_TEST

/* The last line needs no newline. */
START_TEST(no_final_newline)
{
	static const char c[] = "[global]\nipsec saref = yes";
	struct nb_seen s;
	char path[192], want[8192];

	ck_assert_int_eq(run_on(c, sizeof(c) - 1, &s, path), 1);
	saref_at(want, sizeof(want), path, 2);
	ck_assert_str_eq(s.msg[0], want);
}
END_TEST

Suite *
l2tp_saref_suite(void)
{
	Suite *s = suite_create("l2tp_saref");
	TCase *tc = tcase_create("core");

	tcase_add_unchecked_fixture(tc, nb_root_make, nb_root_remove);

	tcase_add_test(tc, saref_no);
	tcase_add_test(tc, saref_yes);
	tcase_add_test(tc, saref_commented_out);
	tcase_add_test(tc, saref_odd_spacing);
	tcase_add_test(tc, saref_last_wins_off);
	tcase_add_test(tc, saref_last_wins_on);
	tcase_add_test(tc, saref_lookalikes);
	tcase_add_test(tc, saref_and_not_listening);
	tcase_add_test(tc, conf_unreadable);
	tcase_add_test(tc, long_line_before);
	tcase_add_test(tc, long_whitespace_and_comment);
	tcase_add_test(tc, long_value);
	tcase_add_test(tc, nul_ends_line);
	tcase_add_test(tc, no_final_newline);
	suite_add_tcase(s, tc);
	return s;
}
