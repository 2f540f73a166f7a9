/* SPDX-License-Identifier: ISC */
/*
 * charonctl's completion helper (`charonctl __complete`, used by
 * etc/completion/) against the command table the parser uses, through the
 * built binary (CHARONCTL_BIN): the commands offered are those of --help,
 * in order; each command's options offered are those its --help names,
 * and the parser takes each of them; with no daemon, nothing is offered
 * and the exit status is 0. No root and no daemon needed (the e2e test
 * ctl-complete.sh has the daemon's names and the shells).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <check.h>

#include "tests.h"

#define MAXL 64

struct lines {
	char l[MAXL][64];
	int n;
};

/* Run CMD (a shell command line), its stdout's lines into *out (if
 * set); its exit status. */
static int
run(const char *cmd, struct lines *out)
{
	char line[256], full[1024];
	FILE *f;
	size_t len;
	int st;

	/* Quiet unless the command sends its stderr to us (2>&1). */
	snprintf(full, sizeof(full), "exec 2>/dev/null; %s", cmd);
	f = popen(full, "r");
	ck_assert_ptr_nonnull(f);
	if (out)
		out->n = 0;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		len = strlen(line);
		if (!out || out->n >= MAXL)
			continue;
		if (len >= sizeof(out->l[0]))
			len = sizeof(out->l[0]) - 1;
		memcpy(out->l[out->n], line, len);
		out->l[out->n++][len] = '\0';
	}
	st = pclose(f);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static bool
has(const struct lines *l, const char *s)
{
	int i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->l[i], s) == 0)
			return true;
	return false;
}

/* The commands of `charonctl --help`: the lines after "commands:" up to
 * the blank one, "  NAME SYNOPSIS". */
static void
help_commands(struct lines *cmds)
{
	struct lines h;
	bool in = false;
	int i;

	ck_assert_int_eq(run(CHARONCTL_BIN " --help", &h), 0);
	cmds->n = 0;
	for (i = 0; i < h.n; i++) {
		if (strcmp(h.l[i], "commands:") == 0) {
			in = true;
			continue;
		}
		if (!in)
			continue;
		if (!h.l[i][0])
			break;
		ck_assert_int_lt(cmds->n, MAXL);
		sscanf(h.l[i], " %63s", cmds->l[cmds->n++]);
	}
	ck_assert_int_gt(cmds->n, 5);
}

START_TEST(commands_are_those_of_help)
{
	struct lines want, got;
	int i;

	help_commands(&want);
	ck_assert_int_eq(run(CHARONCTL_BIN " __complete ''", &got), 0);
	ck_assert_int_eq(got.n, want.n);
	for (i = 0; i < want.n; i++)
		ck_assert_str_eq(got.l[i], want.l[i]);
	/* From a prefix. */
	ck_assert_int_eq(run(CHARONCTL_BIN " __complete list-", &got), 0);
	ck_assert_int_eq(got.n, 4);
	ck_assert_str_eq(got.l[0], "list-conns");
	ck_assert_str_eq(got.l[1], "list-sas");
	ck_assert_str_eq(got.l[2], "list-certs");
	ck_assert_str_eq(got.l[3], "list-authorities");
}
END_TEST

START_TEST(options_are_those_of_help_and_parser)
{
	struct lines cmds, help, opts;
	char cmd[512], opt[64];
	int i, j, k, n_help;

	help_commands(&cmds);
	for (i = 0; i < cmds.n; i++) {
		snprintf(cmd, sizeof(cmd), CHARONCTL_BIN " %s --help",
			 cmds.l[i]);
		ck_assert_int_eq(run(cmd, &help), 0);
		snprintf(cmd, sizeof(cmd), CHARONCTL_BIN " __complete %s --",
			 cmds.l[i]);
		ck_assert_int_eq(run(cmd, &opts), 0);
		ck_assert(has(&opts, "--help"));
		ck_assert(has(&opts, "--json"));
		ck_assert(has(&opts, "--socket"));
		/* Each option the command's help explains ("  --NAME ...")
		 * is offered. */
		n_help = 0;
		for (j = 0; j < help.n; j++) {
			if (sscanf(help.l[j], "  %63[-a-z]", opt) != 1 ||
			    strncmp(opt, "--", 2) != 0)
				continue;
			ck_assert_msg(has(&opts, opt), "%s: %s not offered",
				      cmds.l[i], opt);
			n_help++;
		}
		/* And no other (but the three global ones). */
		ck_assert_int_eq(opts.n, n_help + 3);
		/* The parser takes each: with or without a value, it
		 * reaches --help (exit 0); an unknown option exits 2. */
		for (k = 0; k < opts.n; k++) {
			snprintf(cmd, sizeof(cmd),
				 CHARONCTL_BIN
				 " %s %s 1 --help >/dev/null || " CHARONCTL_BIN
				 " %s %s --help >/dev/null",
				 cmds.l[i], opts.l[k], cmds.l[i], opts.l[k]);
			ck_assert_msg(run(cmd, NULL) == 0,
				      "%s: %s offered, not taken", cmds.l[i],
				      opts.l[k]);
		}
	}
	ck_assert_int_eq(
	    run(CHARONCTL_BIN " initiate --nosuch 1 --help >/dev/null", NULL),
	    2);
}
END_TEST

START_TEST(values_without_daemon)
{
	struct lines got;

	ck_assert_int_eq(
	    run(CHARONCTL_BIN " __complete monitor --level d", &got), 0);
	ck_assert_int_eq(got.n, 1);
	ck_assert_str_eq(got.l[0], "debug");
	ck_assert_int_eq(run(CHARONCTL_BIN " __complete log-level ''", &got),
			 0);
	ck_assert_int_eq(got.n, 5);
	/* Names from a daemon that is not there: nothing, exit 0, and
	 * nothing on stderr either. */
	ck_assert_int_eq(run(CHARONCTL_BIN " __complete -S /nonexistent/sock "
					   "initiate --ike '' 2>&1",
			     &got),
			 0);
	ck_assert_int_eq(got.n, 0);
	ck_assert_int_eq(run(CHARONCTL_BIN " __complete --socket=/nonexistent "
					   "terminate --child '' 2>&1",
			     &got),
			 0);
	ck_assert_int_eq(got.n, 0);
	/* An unknown command: nothing. */
	ck_assert_int_eq(run(CHARONCTL_BIN " __complete nosuch --", &got), 0);
	ck_assert_int_eq(got.n, 0);
}
END_TEST

Suite *
complete_suite(void)
{
	Suite *s = suite_create("complete");
	TCase *tc = tcase_create("table");

	tcase_add_test(tc, commands_are_those_of_help);
	tcase_add_test(tc, options_are_those_of_help_and_parser);
	tcase_add_test(tc, values_without_daemon);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);
	return s;
}
