/* SPDX-License-Identifier: ISC */
/*
 * charond's log sink with a peer's identity in the line: a newline, a
 * terminal escape and bytes that are not UTF-8 come out escaped, one line
 * per message, on stderr and to the monitor tap alike.
 */
#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "daemon.h"
#include "tests.h"

static char tapped[4096];

static char tapped_conn[64];
static unsigned tapped_id;

static void
tap(enum ike_log_level level, const char *conn, unsigned id, const char *line)
{
	snprintf(tapped_conn, sizeof(tapped_conn), "%s", conn ? conn : "-");
	tapped_id = id;
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

START_TEST(json_line)
{
	struct timespec ts = {.tv_sec = 1767225600 + 3723, /* 2026-01-01 */
			      .tv_nsec = 45678901};
	char out[LOG_JSON_MAX];
	size_t n;

	n = log_format_json(out, sizeof(out), &ts, IKE_LOG_INFO, "site", 7,
			    "IKE SA established");
	ck_assert_uint_eq(n, strlen(out));
	ck_assert_str_eq(out, "{\"time\":\"2026-01-01T01:02:03.045Z\","
			      "\"level\":\"info\",\"conn\":\"site\","
			      "\"ike_id\":7,\"msg\":\"IKE SA established\"}");
	log_format_json(out, sizeof(out), &ts, IKE_LOG_WARN, NULL, 0,
			"listening");
	ck_assert_str_eq(out, "{\"time\":\"2026-01-01T01:02:03.045Z\","
			      "\"level\":\"warn\",\"conn\":null,"
			      "\"ike_id\":null,\"msg\":\"listening\"}");
}
END_TEST

START_TEST(json_escaped)
{
	struct timespec ts = {0};
	char out[LOG_JSON_MAX];

	/* Quotes and backslashes get a backslash; control characters and
	 * bytes that are not UTF-8 come out as esc_text writes them (with
	 * the backslash quoted), so the object is one line of valid UTF-8. */
	log_format_json(out, sizeof(out), &ts, IKE_LOG_ERROR, "a\"b", 1,
			"id \"x\\y\"\n{\"forged\":1}\x1b[2J\xff caf\xc3\xa9\t");
	ck_assert_str_eq(out,
			 "{\"time\":\"1970-01-01T00:00:00.000Z\",\"level\":"
			 "\"error\",\"conn\":\"a\\\"b\",\"ike_id\":1,\"msg\":"
			 "\"id \\\"x\\\\y\\\"\\\\x0a{\\\"forged\\\":1}"
			 "\\\\x1b[2J\\\\xff caf\xc3\xa9\\\\x09\"}");
	ck_assert_ptr_null(strchr(out, '\n'));
}
END_TEST

START_TEST(json_long_cut)
{
	struct timespec ts = {0};
	char out[LOG_JSON_MIN], msg[1024];
	size_t n;

	/* A message of quotes that does not fit: cut between escapes, the
	 * object closed. */
	memset(msg, '"', sizeof(msg) - 1);
	msg[sizeof(msg) - 1] = '\0';
	n = log_format_json(out, sizeof(out), &ts, IKE_LOG_INFO, "c", 2, msg);
	ck_assert_uint_lt(n, sizeof(out));
	ck_assert_str_eq(out + n - 4, "\\\"\"}");
	ck_assert_uint_eq(
	    log_format_json(out, 100, &ts, IKE_LOG_INFO, NULL, 0, "x"), 0);
}
END_TEST

static void
log_json(void)
{
	log_init(IKE_LOG_INFO, false);
	log_set_json(true);
	log_set_tap(tap, IKE_LOG_INFO);
	log_sa(IKE_LOG_INFO, "site", 3, "peer is 'evil\n'");
	log_msg(IKE_LOG_DEBUG, "not logged");
	log_msg(IKE_LOG_WARN, "no PSK");
	log_set_tap(NULL, -1);
	log_set_json(false);
}

START_TEST(json_sink)
{
	char *out = captured(log_json), *nl;

	/* stderr gets JSON, the monitor tap the text line as before. */
	nl = strchr(out, '\n');
	ck_assert_ptr_nonnull(nl);
	*nl = '\0';
	ck_assert_msg(strncmp(out, "{\"time\":\"", 9) == 0, "got: %s", out);
	ck_assert_msg(strstr(out, "\"level\":\"info\",\"conn\":\"site\","
				  "\"ike_id\":3,\"msg\":\"peer is "
				  "'evil\\\\x0a'\"}") != NULL,
		      "got: %s", out);
	ck_assert_msg(strstr(nl + 1, "\"conn\":null,\"ike_id\":null,\"msg\":"
				     "\"no PSK\"}\n") != NULL,
		      "got: %s", nl + 1);
	ck_assert_ptr_null(strchr(strchr(nl + 1, '\n') + 1, '\n'));
	ck_assert_str_eq(tapped, "no PSK");
	free(out);
}
END_TEST

static void
log_taps(void)
{
	log_init(IKE_LOG_WARN, false);
	log_set_tap(tap, IKE_LOG_DEBUG);
	log_sa(IKE_LOG_DEBUG, "site", 3, "up");
	ck_assert_str_eq(tapped, "[site#3] up");
	ck_assert_str_eq(tapped_conn, "site");
	ck_assert_uint_eq(tapped_id, 3);
	log_msg(IKE_LOG_INFO, "no SA");
	ck_assert_str_eq(tapped, "no SA");
	ck_assert_str_eq(tapped_conn, "-");
	log_set_tap(NULL, -1);
}

START_TEST(tap_has_conn)
{
	/* The monitor tap gets the IKE SA apart from the line, for the
	 * monitor's filter; stderr nothing below the daemon's level. */
	char *out = captured(log_taps);

	ck_assert_str_eq(out, "");
	free(out);
}
END_TEST

Suite *
log_suite(void)
{
	Suite *s = suite_create("log");
	TCase *tc = tcase_create("escape");

	tcase_add_test(tc, peer_bytes_escaped);
	tcase_add_test(tc, json_line);
	tcase_add_test(tc, json_escaped);
	tcase_add_test(tc, json_long_cut);
	tcase_add_test(tc, json_sink);
	tcase_add_test(tc, tap_has_conn);
	suite_add_tcase(s, tc);
	return s;
}
