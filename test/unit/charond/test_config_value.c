/* SPDX-License-Identifier: ISC */
/*
 * The value syntax of charond.yaml (config_value.c): durations, numbers,
 * hex secrets, addresses with their DNS-name rule, traffic selectors with
 * protocols and port ranges, printing them back, and the diagnostics list.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "config_int.h"
#include "tests.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define NO       UINT64_MAX

START_TEST(test_duration)
{
	static const struct {
		const char *in;
		uint64_t ms; /* NO: rejected */
	} t[] = {
	    {"30s", 30000},
	    {"1.5s", 1500},
	    {"5m", 300000},
	    {"4h", 14400000},
	    {"1d", 86400000},
	    {"30", 30000},
	    {"0", 0},
	    {"0.5", 500},
	    {".25s", 250},
	    {"250ms", 250},
	    {"1.0005s", 1001}, /* rounded to the nearest ms */
	    {"0.0004s", 0},
	    {"1.25h", 4500000},
	    {"365d", 365ULL * 86400000},
	    {"0.123456789123s", 123},
	    {"366d", NO},
	    {"", NO},
	    {"s", NO},
	    {".", NO},
	    {"1.", NO},
	    {"5x", NO},
	    {"-5s", NO},
	    {"+5s", NO},
	    {"5 s", NO},
	    {"5S", NO},
	    {"1e3", NO},
	    {"12345678901s", NO},
	    {"1h30m", NO},
	};
	size_t i;

	for (i = 0; i < NELEM(t); i++) {
		uint64_t ms = 7;
		int r = cfg_parse_duration(t[i].in, &ms);

		if (t[i].ms == NO) {
			ck_assert_msg(r == -1, "'%s' accepted", t[i].in);
			ck_assert_uint_eq(ms, 7);
		} else {
			ck_assert_msg(r == 0, "'%s' rejected", t[i].in);
			ck_assert_msg(ms == t[i].ms, "'%s': %llu ms, want %llu",
				      t[i].in, (unsigned long long)ms,
				      (unsigned long long)t[i].ms);
		}
	}
}
END_TEST

START_TEST(test_numbers)
{
	unsigned long v;
	bool b;

	ck_assert_int_eq(cfg_parse_uint("65535", 65535, &v), 0);
	ck_assert_uint_eq(v, 65535);
	ck_assert_int_eq(cfg_parse_uint("65536", 65535, &v), -1);
	ck_assert_int_eq(cfg_parse_uint("3", 2, &v), -1);
	ck_assert_int_eq(cfg_parse_uint("2", 2, &v), 0);
	ck_assert_int_eq(cfg_parse_uint("007", 10, &v), 0);
	ck_assert_uint_eq(v, 7);
	ck_assert_int_eq(cfg_parse_uint("", 10, &v), -1);
	ck_assert_int_eq(cfg_parse_uint("-1", 10, &v), -1);
	ck_assert_int_eq(cfg_parse_uint("99999999999999999999999", 100, &v),
			 -1);
	ck_assert_int_eq(cfg_parse_bool("yes", &b), 0);
	ck_assert(b);
	ck_assert_int_eq(cfg_parse_bool("False", &b), 0);
	ck_assert(!b);
	ck_assert_int_eq(cfg_parse_bool("off", &b), 0);
	ck_assert(!b);
	ck_assert_int_eq(cfg_parse_bool("1", &b), -1);
}
END_TEST

START_TEST(test_hex)
{
	uint8_t *b = NULL;
	size_t n = 0;

	ck_assert_int_eq(cfg_parse_hex("0xdeadBEEF", 10, &b, &n), 0);
	ck_assert_uint_eq(n, 4);
	ck_assert_mem_eq(b, "\xde\xad\xbe\xef", 4);
	free(b);
	/* The length bounds the text: no NUL is needed. */
	ck_assert_int_eq(cfg_parse_hex("0X00ffzz", 6, &b, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_mem_eq(b, "\x00\xff", 2);
	free(b);
	ck_assert_int_eq(cfg_parse_hex("0x123", 5, &b, &n), -1);
	ck_assert_int_eq(cfg_parse_hex("0x", 2, &b, &n), -1);
	ck_assert_int_eq(cfg_parse_hex("0xgg", 4, &b, &n), -1);
	ck_assert_int_eq(cfg_parse_hex("1234", 4, &b, &n), -1);
}
END_TEST

START_TEST(test_edit_distance)
{
	ck_assert_uint_eq(cfg_edit_distance("remote_adrs", "remote_addrs"), 1);
	ck_assert_uint_eq(cfg_edit_distance("", "abc"), 3);
	ck_assert_uint_eq(cfg_edit_distance("kitten", "sitting"), 3);
	ck_assert_uint_eq(cfg_edit_distance("Mode", "mode"), 0);
	ck_assert_uint_eq(cfg_edit_distance("same", "same"), 0);
}
END_TEST

START_TEST(test_addr)
{
	static const struct {
		const char *in;
		int rc;
		enum cfg_addr_kind kind;
		const char *out; /* printed, or part of the error */
	} t[] = {
	    {"192.0.2.1", 0, CFG_ADDR_IP, "192.0.2.1"},
	    {"192.0.2.1/32", 0, CFG_ADDR_IP, "192.0.2.1"},
	    {"10.1.0.0/16", 0, CFG_ADDR_IP, "10.1.0.0/16"},
	    {"0.0.0.0/0", 0, CFG_ADDR_IP, "0.0.0.0/0"},
	    {"2001:db8::1", 0, CFG_ADDR_IP, "2001:db8::1"},
	    {"2001:DB8::/32", 0, CFG_ADDR_IP, "2001:db8::/32"},
	    {"%any", 0, CFG_ADDR_ANY, "%any"},
	    {"%any4", 0, CFG_ADDR_ANY, "%any4"},
	    {"%any6", 0, CFG_ADDR_ANY, "%any6"},
	    {"vpn.example.org", 0, CFG_ADDR_DNS, "vpn.example.org"},
	    {"vpn.example.org.", 0, CFG_ADDR_DNS, "vpn.example.org."},
	    {"localhost", 0, CFG_ADDR_DNS, "localhost"},
	    {"3com.example", 0, CFG_ADDR_DNS, "3com.example"},
	    {"10.1.2.3/16", 1, CFG_ADDR_IP,
	     "host bits set in '10.1.2.3/16'; using 10.1.0.0/16"},
	    {"192.0.2.300", -1, 0, "'192.0.2.300' is not an IP address"},
	    {"10.0.0.0/33", -1, 0, "'10.0.0.0/33' is not"},
	    {"2001:db8::/129", -1, 0, "is not"},
	    {"10.0.0.0/", -1, 0, "is not"},
	    {"/8", -1, 0, "is not"},
	    {"-bad.example", -1, 0, "is not"},
	    {"bad-.example", -1, 0, "is not"},
	    {"a..example", -1, 0, "is not"},
	    {"under_score.example", -1, 0, "is not"},
	    {"%anyx", -1, 0, "is not"},
	    {"10.0.0.1-10.0.0.5", -1, 0, "is not"},
	    {"fe80::1%eth0", -1, 0, "is not"},
	    {"", -1, 0, "is not"},
	};
	size_t i;

	for (i = 0; i < NELEM(t); i++) {
		struct cfg_addr a;
		char err[256] = "", buf[128];
		int r = cfg_parse_addr(t[i].in, &a, err, sizeof(err));

		ck_assert_msg(r == t[i].rc, "'%s': %d, want %d (%s)", t[i].in,
			      r, t[i].rc, err);
		if (r < 0) {
			ck_assert_msg(strstr(err, t[i].out) != NULL,
				      "'%s': error '%s' lacks '%s'", t[i].in,
				      err, t[i].out);
			continue;
		}
		if (r == 1)
			ck_assert_str_eq(err, t[i].out);
		ck_assert_int_eq(a.kind, t[i].kind);
		if (r == 0) {
			cfg_addr_format(&a, buf, sizeof(buf));
			ck_assert_str_eq(buf, t[i].out);
		}
		cfg_addr_clear(&a);
	}
}
END_TEST

START_TEST(test_dns_name_limits)
{
	char name[300];

	memset(name, 'a', 63);
	strcpy(name + 63, ".example");
	ck_assert(cfg_dns_name_ok(name));
	memset(name, 'a', 64);
	strcpy(name + 64, ".example");
	ck_assert(!cfg_dns_name_ok(name));
	/* 4 x 63 + 3 dots = 255 > 253 */
	memset(name, 'a', 255);
	name[63] = name[127] = name[191] = '.';
	name[255] = '\0';
	ck_assert(!cfg_dns_name_ok(name));
	name[250] = '\0';
	ck_assert(cfg_dns_name_ok(name));
	ck_assert(!cfg_dns_name_ok("1.2.3.4"));
	ck_assert(!cfg_dns_name_ok("."));
}
END_TEST

START_TEST(test_ts)
{
	static const struct {
		const char *in;
		int rc;
		const char *out; /* printed, or part of the error */
	} t[] = {
	    {"10.1.0.0/16", 0, "10.1.0.0/16"},
	    {"10.2.0.5", 0, "10.2.0.5/32"},
	    {"10.2.0.5/32[udp/1701]", 0, "10.2.0.5/32[udp/1701]"},
	    {"dynamic", 0, "dynamic"},
	    {"%dynamic", 0, "dynamic"},
	    {"dynamic[udp]", 0, "dynamic[udp]"},
	    {"dynamic[udp/l2tp]", 0, "dynamic[udp/1701]"},
	    {"dynamic[udp/%any]", 0, "dynamic[udp]"},
	    {"0.0.0.0/0[tcp/1024-65535]", 0, "0.0.0.0/0[tcp/1024-65535]"},
	    {"0.0.0.0/0[6/80]", 0, "0.0.0.0/0[tcp/80]"},
	    {"0.0.0.0/0[%any]", 0, "0.0.0.0/0"},
	    {"::/0", 0, "::/0"},
	    {"2001:db8::/64[icmpv6]", 0, "2001:db8::/64[ipv6-icmp]"},
	    {"10.0.0.0/8[gre]", 0, "10.0.0.0/8[gre]"},
	    {"10.0.0.0/8[253]", 0, "10.0.0.0/8[253]"},
	    {"10.0.0.1-10.0.0.9", 0, "10.0.0.1-10.0.0.9"},
	    {"10.0.0.0-10.0.0.255", 0, "10.0.0.0/24"},
	    {"10.0.0.1/24", 1,
	     "host bits set in '10.0.0.1/24'; using "
	     "10.0.0.0/24"},
	    {"10.1.0.0/33", -1, "bad traffic selector '10.1.0.0/33'"},
	    {"10.2.0.5/32[gre/1701]", -1, "protocol 'gre' has no ports"},
	    {"10.2.0.5/32[%any/53]", -1, "has no ports"},
	    {"10.2.0.5/32[udp/70000]", -1, "bad port '70000'"},
	    {"10.2.0.5/32[udp/2000-1000]", -1, "runs backwards"},
	    {"10.2.0.5/32[udp/1-]", -1, "bad port"},
	    {"10.2.0.5/32[foo]", -1, "unknown protocol 'foo'"},
	    {"10.2.0.5/32[256]", -1, "unknown protocol '256'"},
	    {"10.2.0.5/32[udp", -1, "expected ADDR[PROTO/PORT]"},
	    {"10.2.0.5/32[]", -1, "missing protocol in '[]'"},
	    {"10.2.0.5/32[udp]x", -1, "expected ADDR[PROTO/PORT]"},
	    {"10.2.0.5/32[[udp]]", -1, "expected ADDR[PROTO/PORT]"},
	    {"[udp]", -1, "bad traffic selector"},
	    {"10.0.0.9-10.0.0.1", -1, "runs backwards"},
	    {"10.0.0.1-2001:db8::1", -1, "bad address range"},
	    {"dynamic/16", -1, "bad traffic selector"},
	    {"vpn.example.org", -1, "bad traffic selector"},
	};
	size_t i;

	for (i = 0; i < NELEM(t); i++) {
		struct cfg_ts ts;
		char err[256] = "", buf[128];
		int r = cfg_parse_ts(t[i].in, &ts, err, sizeof(err));

		ck_assert_msg(r == t[i].rc, "'%s': %d, want %d (%s)", t[i].in,
			      r, t[i].rc, err);
		if (r < 0) {
			ck_assert_msg(strstr(err, t[i].out) != NULL,
				      "'%s': error '%s' lacks '%s'", t[i].in,
				      err, t[i].out);
			continue;
		}
		if (r == 1) {
			ck_assert_str_eq(err, t[i].out);
			continue;
		}
		cfg_ts_format(&ts, buf, sizeof(buf));
		ck_assert_str_eq(buf, t[i].out);
	}
}
END_TEST

/* The fields themselves, not just their printed form. */
START_TEST(test_ts_fields)
{
	struct cfg_ts ts;
	struct cfg_ip ip;
	char err[128];

	ck_assert_int_eq(
	    cfg_parse_ts("10.2.0.5/32[udp/1701]", &ts, err, sizeof(err)), 0);
	ck_assert(!ts.dynamic);
	ck_assert_int_eq(cfg_parse_ip("10.2.0.5", &ip), 0);
	ck_assert(cfg_ip_equal(&ts.from, &ip));
	ck_assert(cfg_ip_equal(&ts.to, &ip));
	ck_assert_uint_eq(ts.proto, 17);
	ck_assert_uint_eq(ts.port_from, 1701);
	ck_assert_uint_eq(ts.port_to, 1701);

	ck_assert_int_eq(cfg_parse_ts("10.1.0.0/16", &ts, err, sizeof(err)), 0);
	ck_assert_int_eq(cfg_parse_ip("10.1.255.255", &ip), 0);
	ck_assert(cfg_ip_equal(&ts.to, &ip));
	ck_assert_uint_eq(ts.proto, 0);
	ck_assert_uint_eq(ts.port_from, 0);
	ck_assert_uint_eq(ts.port_to, 65535);

	ck_assert_int_eq(cfg_parse_ts("dynamic[udp]", &ts, err, sizeof(err)),
			 0);
	ck_assert(ts.dynamic);
	ck_assert_uint_eq(ts.proto, 17);
	ck_assert_uint_eq(ts.port_to, 65535);

	ck_assert_int_eq(cfg_parse_ts("2001:db8::/126", &ts, err, sizeof(err)),
			 0);
	ck_assert_uint_eq(ts.to.family, AF_INET6);
	ck_assert_uint_eq(ts.to.a[15], 3);
	ck_assert_uint_eq(ts.to.a[14], 0);
}
END_TEST

START_TEST(test_diag_list)
{
	struct diag_list dl;
	char buf[256];
	char *out = NULL;
	size_t len = 0, i;
	FILE *f;

	diag_list_init(&dl);
	diag_add(&dl, DIAG_ERROR, "a.yaml", 3, 7, "bad %s", "thing");
	diag_add(&dl, DIAG_WARNING, "a.yaml", 4, 1, "weak");
	diag_add(&dl, DIAG_ERROR, "b.yaml", 0, 0, "cannot read");
	/* An exact repeat (an alias walked twice) is dropped. */
	diag_add(&dl, DIAG_ERROR, "a.yaml", 3, 7, "bad thing");
	ck_assert_uint_eq(dl.n, 3);
	ck_assert_uint_eq(dl.n_errors, 2);
	ck_assert_uint_eq(dl.n_warnings, 1);
	diag_format(&dl.v[0], buf, sizeof(buf));
	ck_assert_str_eq(buf, "a.yaml:3:7: error: bad thing");
	diag_format(&dl.v[1], buf, sizeof(buf));
	ck_assert_str_eq(buf, "a.yaml:4:1: warning: weak");
	diag_format(&dl.v[2], buf, sizeof(buf));
	ck_assert_str_eq(buf, "b.yaml: error: cannot read");

	f = open_memstream(&out, &len);
	ck_assert_ptr_nonnull(f);
	diag_print(f, &dl);
	fclose(f);
	ck_assert_str_eq(out, "a.yaml:3:7: error: bad thing\n"
			      "a.yaml:4:1: warning: weak\n"
			      "b.yaml: error: cannot read\n");
	free(out);
	diag_list_free(&dl);
	ck_assert_uint_eq(dl.n, 0);

	/* Past DIAG_MAX entries are counted but not kept. */
	for (i = 0; i < DIAG_MAX + 5; i++)
		diag_add(&dl, DIAG_ERROR, "c.yaml", (unsigned)i + 1, 1, "e");
	ck_assert_uint_eq(dl.n, DIAG_MAX);
	ck_assert_uint_eq(dl.n_errors, DIAG_MAX + 5);
	ck_assert(dl.truncated);
	diag_list_free(&dl);
	diag_list_free(NULL);
}
END_TEST

Suite *
config_value_suite(void)
{
	Suite *s = suite_create("config_value");
	TCase *tc = tcase_create("values");

	tcase_add_test(tc, test_duration);
	tcase_add_test(tc, test_numbers);
	tcase_add_test(tc, test_hex);
	tcase_add_test(tc, test_edit_distance);
	tcase_add_test(tc, test_addr);
	tcase_add_test(tc, test_dns_name_limits);
	tcase_add_test(tc, test_ts);
	tcase_add_test(tc, test_ts_fields);
	tcase_add_test(tc, test_diag_list);
	suite_add_tcase(s, tc);
	return s;
}
