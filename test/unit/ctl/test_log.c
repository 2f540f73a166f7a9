/* SPDX-License-Identifier: ISC */
/*
 * charond's log sink with a peer's identity in the line: a newline, a
 * terminal escape and bytes that are not UTF-8 come out escaped, one line
 * per message, on stderr and to the monitor tap alike.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "daemon.h"
#include "tests.h"

static char tapped[4096];

static void
tap(enum ike_log_level level, const char *line)
{
	snprintf(tapped, sizeof(tapped), "%s", line);
}

/* What the log sink wrote to stderr while fn ran. */
static char *
captured(void (*fn)(void))
{
	char path[] = "/tmp/charond-logtest.XXXXXX", *buf;
	int fd = mkstemp(path), saved = dup(2);
	FILE *f;
	long n;

	ck_assert_int_ge(fd, 0);
	unlink(path);
	fflush(stderr);
	dup2(fd, 2);
	fn();
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	f = fdopen(fd, "r");
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return buf;
}

static void
log_evil(void)
{
	log_init(IKE_LOG_INFO, false);
	log_set_tap(tap, IKE_LOG_INFO);
	log_sa(IKE_LOG_INFO, "site", 3,
	       "peer is 'evil\n12:00:00.000 info  forged\x1b[2J\xff'");
	log_msg(IKE_LOG_WARN, "no PSK for '%s'", "caf\xe9\r");
	log_set_tap(NULL, -1);
}

START_TEST(peer_bytes_escaped)
{
	char *out = captured(log_evil), *nl;
	static const char want1[] = "[site#3] peer is 'evil\\x0a12:00:00.000 "
				    "info  forged\\x1b[2J\\xff'";

	nl = strchr(out, '\n');
	ck_assert_ptr_nonnull(nl);
	*nl = '\0';
	ck_assert_msg(strstr(out, want1) != NULL, "got: %s", out);
	ck_assert_msg(strstr(nl + 1, "no PSK for 'caf\\xe9\\x0d'\n") != NULL,
		      "got: %s", nl + 1);
	/* Two messages, two lines. */
	ck_assert_ptr_null(strchr(strchr(nl + 1, '\n') + 1, '\n'));
	ck_assert_str_eq(tapped, "no PSK for 'caf\\xe9\\x0d'");
	free(out);
}
END_TEST

Suite *
log_suite(void)
{
	Suite *s = suite_create("log");
	TCase *tc = tcase_create("escape");

	tcase_add_test(tc, peer_bytes_escaped);
	suite_add_tcase(s, tc);
	return s;
}
