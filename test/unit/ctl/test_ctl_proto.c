/* SPDX-License-Identifier: ISC */
/*
 * The control protocol without a daemon: line framing (split reads, CRLF,
 * over-long lines refused once and skipped), request parsing (every kind
 * of malformed request gets its code), typed arguments, and reply lines
 * that parse back to what was meant.
 */
#include <string.h>

#include <check.h>

#include "ctl.h"
#include "escape.h"
#include "tests.h"

static struct ctl_inbuf in;

static void
setup(void)
{
	ctl_inbuf_init(&in, 16);
}

static void
teardown(void)
{
	ctl_inbuf_free(&in);
}

static void
feed(const char *s)
{
	ck_assert_int_eq(ctl_inbuf_append(&in, s, strlen(s)), 0);
}

/* The next line must be want (NULL: none complete yet). */
static void
expect_line(const char *want)
{
	char *line;
	size_t len;
	int r = ctl_inbuf_next(&in, &line, &len);

	if (!want) {
		ck_assert_int_eq(r, 0);
		return;
	}
	ck_assert_int_eq(r, 1);
	ck_assert_str_eq(line, want);
	ck_assert_uint_eq(len, strlen(want));
}

START_TEST(framing_lines)
{
	expect_line(NULL);
	feed("{\"a\":1}\n{\"b\"");
	expect_line("{\"a\":1}");
	expect_line(NULL);
	feed(":2}\r\n\n");
	expect_line("{\"b\":2}");
	expect_line("");
	expect_line(NULL);
	ck_assert_uint_eq(ctl_inbuf_pending(&in), 0);
}
END_TEST

START_TEST(framing_too_long)
{
	char *line;
	size_t len;

	/* Exactly the limit is fine; one more byte is not. */
	feed("0123456789abcdef\n");
	expect_line("0123456789abcdef");
	feed("0123456789abcdefX\nok\n");
	ck_assert_int_eq(ctl_inbuf_next(&in, &line, &len), -1);
	expect_line("ok");
	/* Without its newline yet: refused as soon as it is too long, the
	 * rest dropped as it comes, the next line served. */
	feed("0123456789abcdef0123");
	ck_assert_int_eq(ctl_inbuf_next(&in, &line, &len), -1);
	expect_line(NULL);
	feed("more and more bytes of the same line");
	expect_line(NULL);
	feed("end\n{\"x\":1}\n");
	expect_line("{\"x\":1}");
	expect_line(NULL);
}
END_TEST

START_TEST(framing_byte_by_byte)
{
	const char *s = "{\"id\":1}\n{\"id\":2}\n";
	size_t i;

	for (i = 0; i < strlen(s); i++) {
		ck_assert_int_eq(ctl_inbuf_append(&in, s + i, 1), 0);
		if (s[i] == '\n')
			expect_line(i < 9 ? "{\"id\":1}" : "{\"id\":2}");
		else
			expect_line(NULL);
	}
}
END_TEST

/* Parse a line; returns the error code or NULL. */
static const char *
parse(const char *line, struct ctl_req *r)
{
	char err[256];
	const char *code =
	    ctl_req_parse(line, strlen(line), r, err, sizeof(err));

	if (code)
		ck_assert_msg(err[0], "error %s without a message", code);
	return code;
}

START_TEST(request_good)
{
	struct ctl_req r;

	ck_assert_ptr_null(
	    parse("{\"id\": 7, \"cmd\": \"list-sas\", \"args\": {\"ike\": "
		  "\"site\"}}",
		  &r));
	ck_assert_str_eq(r.cmd, "list-sas");
	ck_assert_int_eq(json_integer_value(r.id), 7);
	ck_assert_str_eq(json_string_value(json_object_get(r.args, "ike")),
			 "site");
	ctl_req_free(&r);
	/* id and args are optional; a string id is echoed as given. */
	ck_assert_ptr_null(parse("{\"cmd\": \"version\"}", &r));
	ck_assert(json_is_null(r.id));
	ck_assert(json_is_object(r.args));
	ck_assert_uint_eq(json_object_size(r.args), 0);
	ctl_req_free(&r);
	ck_assert_ptr_null(parse("{\"id\": \"a-7\", \"cmd\": \"stats\"}", &r));
	ck_assert_str_eq(json_string_value(r.id), "a-7");
	ctl_req_free(&r);
}
END_TEST

START_TEST(request_bad)
{
	static const struct {
		const char *line, *code;
	} cases[] = {
	    {"{\"cmd\": \"version\"", CTL_E_PARSE},
	    {"hello", CTL_E_PARSE},
	    {"{\"cmd\": \"a\", \"cmd\": \"b\"}", CTL_E_PARSE},
	    {"{\"cmd\": \"a\\u0000b\"}", CTL_E_PARSE},
	    {"[1, 2]", CTL_E_BAD_REQUEST},
	    {"42", CTL_E_BAD_REQUEST},
	    {"{}", CTL_E_BAD_REQUEST},
	    {"{\"cmd\": 5}", CTL_E_BAD_REQUEST},
	    {"{\"cmd\": \"version\", \"args\": []}", CTL_E_BAD_REQUEST},
	    {"{\"cmd\": \"version\", \"args\": \"x\"}", CTL_E_BAD_REQUEST},
	    {"{\"id\": {}, \"cmd\": \"version\"}", CTL_E_BAD_REQUEST},
	    {"{\"cmd\": \"version\", \"extra\": 1}", CTL_E_BAD_REQUEST},
	};
	struct ctl_req r;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *code = parse(cases[i].line, &r);

		ck_assert_msg(code && strcmp(code, cases[i].code) == 0,
			      "%s: got %s, want %s", cases[i].line,
			      code ? code : "success", cases[i].code);
		ctl_req_free(&r);
	}
	/* The id survives a bad request so the error can carry it. */
	ck_assert_str_eq(parse("{\"id\": 9, \"cmd\": 1}", &r),
			 CTL_E_BAD_REQUEST);
	ck_assert_int_eq(json_integer_value(r.id), 9);
	ctl_req_free(&r);
}
END_TEST

START_TEST(arguments)
{
	static const char *const allowed[] = {"ike", "timeout", NULL};
	json_t *a = json_loads("{\"ike\": \"site\", \"n\": -1, \"big\": "
			       "99999999999, \"t\": 1.5, \"s\": \"x\", "
			       "\"neg\": -2, \"e\": \"\", \"i\": 30, "
			       "\"l\": \"DEBUG\", \"none\": \"none\"}",
			       0, NULL);
	const char *s = NULL;
	uint64_t u = 0, ms = 0;
	char err[256];
	int level = 0;

	ck_assert_ptr_nonnull(a);
	ck_assert_str_eq(ctl_args_check(a, allowed, err, sizeof(err)),
			 CTL_E_INVALID_ARGS);
	ck_assert_ptr_nonnull(strstr(err, "\"n\""));
	ck_assert_ptr_null(ctl_arg_string(a, "ike", &s, err, sizeof(err)));
	ck_assert_str_eq(s, "site");
	ck_assert_ptr_null(ctl_arg_string(a, "absent", &s, err, sizeof(err)));
	ck_assert_str_eq(s, "site");
	ck_assert_str_eq(ctl_arg_string(a, "i", &s, err, sizeof(err)),
			 CTL_E_INVALID_ARGS);
	ck_assert_str_eq(ctl_arg_string(a, "e", &s, err, sizeof(err)),
			 CTL_E_INVALID_ARGS);
	ck_assert_ptr_null(
	    ctl_arg_uint(a, "i", 1, UINT32_MAX, &u, err, sizeof(err)));
	ck_assert_uint_eq(u, 30);
	ck_assert_str_eq(ctl_arg_uint(a, "n", 1, 10, &u, err, sizeof(err)),
			 CTL_E_INVALID_ARGS);
	ck_assert_str_eq(
	    ctl_arg_uint(a, "big", 1, UINT32_MAX, &u, err, sizeof(err)),
	    CTL_E_INVALID_ARGS);
	ck_assert_str_eq(ctl_arg_uint(a, "t", 1, 10, &u, err, sizeof(err)),
			 CTL_E_INVALID_ARGS);
	ck_assert_str_eq(ctl_arg_uint(a, "ike", 1, 10, &u, err, sizeof(err)),
			 CTL_E_INVALID_ARGS);
	ck_assert_ptr_null(
	    ctl_arg_seconds(a, "t", 86400, &ms, err, sizeof(err)));
	ck_assert_uint_eq(ms, 1500);
	ck_assert_ptr_null(
	    ctl_arg_seconds(a, "i", 86400, &ms, err, sizeof(err)));
	ck_assert_uint_eq(ms, 30000);
	ck_assert_str_eq(ctl_arg_seconds(a, "s", 86400, &ms, err, sizeof(err)),
			 CTL_E_INVALID_ARGS);
	ck_assert_str_eq(
	    ctl_arg_seconds(a, "neg", 86400, &ms, err, sizeof(err)),
	    CTL_E_INVALID_ARGS);
	ck_assert_str_eq(ctl_arg_seconds(a, "i", 10, &ms, err, sizeof(err)),
			 CTL_E_INVALID_ARGS);
	ck_assert_ptr_null(
	    ctl_arg_level(a, "l", false, &level, err, sizeof(err)));
	ck_assert_int_eq(level, IKE_LOG_DEBUG);
	ck_assert_str_eq(
	    ctl_arg_level(a, "none", false, &level, err, sizeof(err)),
	    CTL_E_INVALID_ARGS);
	ck_assert_ptr_null(
	    ctl_arg_level(a, "none", true, &level, err, sizeof(err)));
	ck_assert_int_eq(level, -1);
	ck_assert_str_eq(ctl_arg_level(a, "s", true, &level, err, sizeof(err)),
			 CTL_E_INVALID_ARGS);
	json_decref(a);
}
END_TEST

/* A reply line: one line, newline-terminated, parsed back. */
static json_t *
reparse(char *line)
{
	json_t *o;

	ck_assert_ptr_nonnull(line);
	ck_assert_int_eq(line[strlen(line) - 1], '\n');
	ck_assert_ptr_eq(strchr(line, '\n'), line + strlen(line) - 1);
	o = json_loads(line, 0, NULL);
	ck_assert_ptr_nonnull(o);
	free(line);
	return o;
}

START_TEST(replies)
{
	json_t *id = json_integer(3), *o, *e;

	o = reparse(ctl_reply_ok(id, json_pack("{s:s}", "k", "v\nw")));
	ck_assert_int_eq(json_integer_value(json_object_get(o, "id")), 3);
	ck_assert(json_is_true(json_object_get(o, "ok")));
	ck_assert_str_eq(json_string_value(json_object_get(
			     json_object_get(o, "result"), "k")),
			 "v\nw");
	json_decref(o);
	o = reparse(ctl_reply_error(
	    id, CTL_E_CONFIG, "bad file",
	    json_pack("{s:[s]}", "diagnostics", "f.yaml:1:2: error: x")));
	e = json_object_get(o, "error");
	ck_assert(json_is_false(json_object_get(o, "ok")));
	ck_assert_str_eq(json_string_value(json_object_get(e, "code")),
			 CTL_E_CONFIG);
	ck_assert_str_eq(json_string_value(json_object_get(e, "message")),
			 "bad file");
	ck_assert_uint_eq(json_array_size(json_object_get(e, "diagnostics")),
			  1);
	json_decref(o);
	/* No id known: null. Bytes that are not UTF-8 do not break the
	 * line. */
	o = reparse(
	    ctl_reply_error(NULL, CTL_E_PARSE, "bad \xff\x01 byte", NULL));
	ck_assert(json_is_null(json_object_get(o, "id")));
	ck_assert_str_eq(json_string_value(json_object_get(
			     json_object_get(o, "error"), "message")),
			 "bad \\xff\\x01 byte");
	json_decref(o);
	o = reparse(ctl_event_line(json_pack("{s:s}", "event", "ike-up")));
	ck_assert_str_eq(json_string_value(json_object_get(o, "event")),
			 "ike-up");
	json_decref(o);
	json_decref(id);
}
END_TEST

START_TEST(text_sanitised)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
	    {"plain", "plain"},
	    {"caf\xc3\xa9", "caf\xc3\xa9"},             /* UTF-8 kept */
	    {"\xc0\xaf", "\\xc0\\xaf"},                 /* overlong */
	    {"\xed\xa0\x80", "\\xed\\xa0\\x80"},        /* surrogate */
	    {"\xe2\x82", "\\xe2\\x82"},                 /* truncated */
	    {"tab\there", "tab\\x09here"},              /* control */
	    {"two\nlines\r", "two\\x0alines\\x0d"},     /* newline */
	    {"\x1b[31mred", "\\x1b[31mred"},            /* terminal */
	    {"c1 \xc2\x9b", "c1 \\xc2\\x9b"},           /* C1 CSI */
	    {"caf\xe9", "caf\\xe9"},                    /* Latin-1 */
	    {"del\x7f", "del\\x7f"},                    /* DEL */
	    {"\xf0\x9f\x98\x80!", "\xf0\x9f\x98\x80!"}, /* 4 bytes */
	    {"already \\x0a", "already \\x0a"},         /* idempotent */
	};
	char buf[64];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *j = ctl_json_text(cases[i].in, strlen(cases[i].in));

		ck_assert_ptr_nonnull(j);
		ck_assert_str_eq(json_string_value(j), cases[i].out);
		json_decref(j);
		esc_text(cases[i].in, strlen(cases[i].in), buf, sizeof(buf));
		ck_assert_str_eq(buf, cases[i].out);
	}
	/* NUL is a byte like the others; what does not fit is cut
	 * between characters, never inside an escape. */
	ck_assert_uint_eq(esc_text("a\0b", 3, buf, sizeof(buf)), 6);
	ck_assert_str_eq(buf, "a\\x00b");
	ck_assert_uint_eq(esc_text("ab\n", 3, buf, 6), 2);
	ck_assert_str_eq(buf, "ab");
	ck_assert_uint_eq(esc_text("\xc3\xa9\xc3\xa9", 4, buf, 4), 2);
	ck_assert_str_eq(buf, "\xc3\xa9");
}
END_TEST

START_TEST(reason_codes)
{
	static const struct {
		const char *reason, *code;
	} cases[] = {
	    {NULL, CTL_E_FAILED},
	    {"AUTHENTICATION_FAILED: the peer did not accept our identity",
	     CTL_E_AUTH},
	    {"responder failed authentication", CTL_E_AUTH},
	    {"IKE_SA_INIT failed NO_PROPOSAL_CHOSEN", CTL_E_NO_PROPOSAL},
	    {"CHILD SA not created peer refused the CHILD SA (notify 38)",
	     CTL_E_TS},
	    {"CHILD SA not created peer refused the CHILD SA (notify 14)",
	     CTL_E_NO_PROPOSAL},
	    {"peer not responding", CTL_E_PEER_GONE},
	    {"deleted by peer", CTL_E_FAILED},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ck_assert_str_eq(ctl_reason_code(cases[i].reason),
				 cases[i].code);
}
END_TEST

/* A request split over many appends, with an over-long one in between:
 * nothing is lost or merged. */
START_TEST(framing_mixed)
{
	static char big[CTL_MAX_LINE + 10];
	struct ctl_inbuf b;
	char *line;
	size_t len;

	memset(big, 'x', sizeof(big) - 1);
	ctl_inbuf_init(&b, CTL_MAX_LINE);
	ck_assert_int_eq(ctl_inbuf_append(&b, "{\"cmd\":\"a\"}\n", 12), 0);
	ck_assert_int_eq(ctl_inbuf_append(&b, big, strlen(big)), 0);
	ck_assert_int_eq(ctl_inbuf_append(&b, "\n{\"cmd\":\"b\"}\n", 13), 0);
	ck_assert_int_eq(ctl_inbuf_next(&b, &line, &len), 1);
	ck_assert_str_eq(line, "{\"cmd\":\"a\"}");
	ck_assert_int_eq(ctl_inbuf_next(&b, &line, &len), -1);
	ck_assert_int_eq(ctl_inbuf_next(&b, &line, &len), 1);
	ck_assert_str_eq(line, "{\"cmd\":\"b\"}");
	ck_assert_int_eq(ctl_inbuf_next(&b, &line, &len), 0);
	ck_assert_uint_eq(ctl_inbuf_pending(&b), 0);
	ctl_inbuf_free(&b);
}
END_TEST

Suite *
ctl_proto_suite(void)
{
	Suite *s = suite_create("ctl_proto");
	TCase *t = tcase_create("framing");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, framing_lines);
	tcase_add_test(t, framing_too_long);
	tcase_add_test(t, framing_byte_by_byte);
	tcase_add_test(t, framing_mixed);
	suite_add_tcase(s, t);
	t = tcase_create("requests");
	tcase_add_test(t, request_good);
	tcase_add_test(t, request_bad);
	tcase_add_test(t, arguments);
	tcase_add_test(t, replies);
	tcase_add_test(t, text_sanitised);
	tcase_add_test(t, reason_codes);
	suite_add_tcase(s, t);
	return s;
}
