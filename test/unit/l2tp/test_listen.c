/* SPDX-License-Identifier: ISC */
/*
 * neighbour.c, its look at /proc: something unconnected on UDP/1701, IPv4
 * or IPv6, and which process holds it (test/data/l2tp/proc-*, and scratch
 * trees for what is too odd to keep there).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "nbtest.h"

#define CONF_NO "/l2tp/conf/saref-no.conf"
#define MISSING "/nonexistent/xl2tpd/xl2tpd.conf"

static const char not_listening[] =
    "xl2tpd is not listening on UDP/1701: start it (systemctl start "
    "xl2tpd); clients' IPsec comes up but L2TP gets no answer";

/* The report naming another process on UDP/1701. */
static void
held_by(char *out, size_t len, const char *comm, const char *pid)
{
	snprintf(out, len,
		 "UDP/1701 is held by %s (pid %s), not xl2tpd: clients' L2TP "
		 "may reach it instead of xl2tpd; stop it and make sure "
		 "xl2tpd runs (systemctl start xl2tpd)",
		 comm, pid);
}

/* IKE's sockets and ones connected from or to 1701 are no listener. */
START_TEST(nothing_listens)
{
	struct nb_seen s;

	ck_assert_int_eq(nb_run(NB_DATA "/proc-none", TEST_DATA CONF_NO, &s),
			 1);
	ck_assert_int_eq(s.n, 1);
	ck_assert_str_eq(s.msg[0], not_listening);
}
END_TEST

/* No xl2tpd.conf and nothing listening: xl2tpd is likely not installed. */
START_TEST(nothing_listens_no_conf)
{
	struct nb_seen s;

	ck_assert_int_eq(nb_run(NB_DATA "/proc-none", MISSING, &s), 1);
	ck_assert_int_eq(s.n, 1);
	ck_assert_str_eq(s.msg[0],
			 "xl2tpd is not listening on UDP/1701 and " MISSING
			 " does not exist: install xl2tpd and start it "
			 "(systemctl start xl2tpd); clients' IPsec comes up "
			 "but L2TP gets no answer");
}
END_TEST

/* Not asked to look at xl2tpd.conf: the plain wording. */
START_TEST(nothing_listens_conf_unknown)
{
	struct nb_seen s;

	ck_assert_int_eq(nb_run(NB_DATA "/proc-none", NULL, &s), 1);
	ck_assert_str_eq(s.msg[0], not_listening);
}
END_TEST

START_TEST(xl2tpd_on_ipv4)
{
	struct nb_seen s;

	ck_assert_int_eq(nb_run(NB_DATA "/proc-xl2tpd", TEST_DATA CONF_NO, &s),
			 0);
	ck_assert_int_eq(s.n, 0);
}
END_TEST

START_TEST(xl2tpd_on_ipv6_only)
{
	struct nb_seen s;

	ck_assert_int_eq(
	    nb_run(NB_DATA "/proc-xl2tpd-v6", TEST_DATA CONF_NO, &s), 0);
	ck_assert_int_eq(s.n, 0);
}
END_TEST

/* IPv6 disabled: no net/udp6, which is no reason not to look. */
START_TEST(no_udp6)
{
	struct nb_seen s;

	ck_assert_int_eq(
	    nb_run(NB_DATA "/proc-xl2tpd-no-udp6", TEST_DATA CONF_NO, &s), 0);
	ck_assert_int_eq(s.n, 0);
}
END_TEST

/* xl2tpd may run with another config file: a missing default is no
 * problem while something listens. */
START_TEST(listening_without_conf)
{
	struct nb_seen s;

	ck_assert_int_eq(nb_run(NB_DATA "/proc-xl2tpd", MISSING, &s), 0);
	ck_assert_int_eq(s.n, 0);
}
END_TEST

START_TEST(other_owner)
{
	struct nb_seen s;
	char want[512];

	ck_assert_int_eq(nb_run(NB_DATA "/proc-other", TEST_DATA CONF_NO, &s),
			 1);
	ck_assert_int_eq(s.n, 1);
	held_by(want, sizeof(want), "openl2tpd", "4321");
	ck_assert_str_eq(s.msg[0], want);
}
END_TEST

/* nc on one address beside xl2tpd on [::] takes that address's clients. */
START_TEST(other_owner_beside_xl2tpd)
{
	struct nb_seen s;
	char want[512];

	ck_assert_int_eq(
	    nb_run(NB_DATA "/proc-other-beside", TEST_DATA CONF_NO, &s), 1);
	ck_assert_int_eq(s.n, 1);
	held_by(want, sizeof(want), "nc", "777");
	ck_assert_str_eq(s.msg[0], want);
}
END_TEST

/* Other users' fds are root's to read: an owner not found is not named,
 * and not guessed either (pid 99 holds nothing we can see). */
START_TEST(owner_not_found)
{
	struct nb_seen s;

	ck_assert_int_eq(
	    nb_run(NB_DATA "/proc-unknown-owner", TEST_DATA CONF_NO, &s), 0);
	ck_assert_int_eq(s.n, 0);
}
END_TEST

START_TEST(no_net_udp)
{
	struct nb_seen s;

	ck_assert_int_eq(nb_run(NB_DATA "/proc-no-udp", TEST_DATA CONF_NO, &s),
			 -1);
	ck_assert_int_eq(s.n, 1);
	ck_assert_str_eq(s.msg[0],
			 "cannot read " NB_DATA "/proc-no-udp/net/udp (No "
			 "such file or directory): not checked whether xl2tpd "
			 "listens on UDP/1701");
}
END_TEST

/* A net/udp6 there but unreadable (a directory here) is not IPv6
 * disabled: the check could not look. */
START_TEST(udp6_unreadable)
{
	static const char header[] = "  sl  local_address\n";
	struct nb_seen s;
	char dir[128], want[256];

	nb_tmp(dir);
	nb_put(dir, "net/udp", header, strlen(header));
	nb_put(dir, "net/udp6/x", "", 0);
	ck_assert_int_eq(nb_run(dir, TEST_DATA CONF_NO, &s), -1);
	ck_assert_int_eq(s.n, 1);
	snprintf(want, sizeof(want),
		 "cannot read %s/net/udp6 (Is a directory): not checked "
		 "whether xl2tpd listens on UDP/1701",
		 dir);
	ck_assert_str_eq(s.msg[0], want);
	nb_tmp_free(dir);
}
END_TEST

/* A net/udp line, as the kernel writes it, for local port `port` in
 * state `st` with `inode`. */
static int
udp_line(char *out, size_t len, int port, int st, int inode)
{
	return snprintf(out, len,
			" 2268: 00000000:%04X 00000000:0000 %02X "
			"00000000:00000000 00:00000000 00000000     0        0 "
			"%d 2 000000007313a9c8 0       \n",
			port, st, inode);
}

/* A line of any length (here 1 MiB) is read to its end and skipped, and
 * the listener after it still counts; a line that does not fit is not
 * parsed, even where its start would be a listener. */
START_TEST(long_line_in_net_udp)
{
	size_t big = 1u << 20, n;
	struct nb_seen s;
	char dir[128], *data;

	nb_tmp(dir);
	nb_put(dir, "net/udp6", "", 0);
	data = malloc(big + 1 + 512);
	ck_assert_ptr_nonnull(data);
	memset(data, 'x', big);
	data[big] = '\n';
	n = big + 1;
	n += (size_t)udp_line(data + n, 512, 1701, 7, 31337);
	nb_put(dir, "net/udp", data, n);
	ck_assert_int_eq(nb_run(dir, NULL, &s), 0);

	/* The listener's line, 1 MiB longer. */
	n = (size_t)udp_line(data, 512, 1701, 7, 31337) - 1;
	memset(data + n, '0', big);
	data[n + big] = '\n';
	nb_put(dir, "net/udp", data, n + big + 1);
	ck_assert_int_eq(nb_run(dir, NULL, &s), 1);
	ck_assert_str_eq(s.msg[0], not_listening);
	free(data);
	nb_tmp_free(dir);
}
END_TEST

/* A process names itself: control bytes in comm must not break the one
 * line of the report, and a long name is cut. */
START_TEST(owner_name_sanitised)
{
	static const char comm[] = "evil\n\033[31mred\tname-long-enough-"
				   "to-be-cut-at-31\n";
	struct nb_seen s;
	char dir[128], line[256], want[512];
	int n;

	nb_tmp(dir);
	nb_put(dir, "net/udp6", "", 0);
	n = udp_line(line, sizeof(line), 1701, 7, 9001);
	nb_put(dir, "net/udp", line, (size_t)n);
	nb_put(dir, "4242/comm", comm, sizeof(comm) - 1);
	nb_link(dir, "4242/fd/3", "socket:[9001]");
	ck_assert_int_eq(nb_run(dir, NULL, &s), 1);
	held_by(want, sizeof(want), "evil??[31mred?name-long-enough-", "4242");
	ck_assert_str_eq(s.msg[0], want);
	nb_tmp_free(dir);
}
END_TEST

/* However many processes hold UDP/1701, at most four are named; each
 * once, whatever number of listeners it holds. */
START_TEST(owners_bounded)
{
	struct nb_seen s;
	char dir[128], rel[64], target[64], *data;
	size_t n = 0;

	nb_tmp(dir);
	nb_put(dir, "net/udp6", "", 0);
	data = malloc(20 * 256);
	ck_assert_ptr_nonnull(data);
	for (int i = 0; i < 20; i++) {
		n += (size_t)udp_line(data + n, 256, 1701, 7, 100 + i);
		snprintf(rel, sizeof(rel), "%d/comm", 1000 + i);
		nb_put(dir, rel, "l2tpns\n", 7);
		snprintf(rel, sizeof(rel), "%d/fd/3", 1000 + i);
		snprintf(target, sizeof(target), "socket:[%d]", 100 + i);
		nb_link(dir, rel, target);
		snprintf(rel, sizeof(rel), "%d/fd/4", 1000 + i);
		snprintf(target, sizeof(target), "socket:[%d]", 101 + i);
		nb_link(dir, rel, target);
	}
	nb_put(dir, "net/udp", data, n);
	ck_assert_int_eq(nb_run(dir, NULL, &s), 4);
	ck_assert_int_eq(s.n, 4);
	for (int i = 0; i < 4; i++)
		ck_assert_ptr_nonnull(strstr(s.msg[i], "held by l2tpns (pid "));
	for (int i = 0; i < 4; i++)
		for (int j = 0; j < i; j++)
			ck_assert_str_ne(s.msg[i], s.msg[j]);
	free(data);
	nb_tmp_free(dir);
}
END_TEST

Suite *
l2tp_listen_suite(void)
{
	Suite *s = suite_create("l2tp_listen");
	TCase *tc = tcase_create("core");

	tcase_add_unchecked_fixture(tc, nb_root_make, nb_root_remove);

	tcase_add_test(tc, nothing_listens);
	tcase_add_test(tc, nothing_listens_no_conf);
	tcase_add_test(tc, nothing_listens_conf_unknown);
	tcase_add_test(tc, xl2tpd_on_ipv4);
	tcase_add_test(tc, xl2tpd_on_ipv6_only);
	tcase_add_test(tc, no_udp6);
	tcase_add_test(tc, listening_without_conf);
	tcase_add_test(tc, other_owner);
	tcase_add_test(tc, other_owner_beside_xl2tpd);
	tcase_add_test(tc, owner_not_found);
	tcase_add_test(tc, no_net_udp);
	tcase_add_test(tc, udp6_unreadable);
	tcase_add_test(tc, long_line_in_net_udp);
	tcase_add_test(tc, owner_name_sanitised);
	tcase_add_test(tc, owners_bounded);
	suite_add_tcase(s, tc);
	return s;
}
