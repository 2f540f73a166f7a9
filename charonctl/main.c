/* SPDX-License-Identifier: ISC */
/*
 * charonctl: the admin CLI, a thin client of charond's control socket.
 * Each command's options become one request's "args"; the reply's result
 * is printed for humans, or exactly as received with --json. Exit codes
 * (interface spec): 0 success, 1 the operation failed, 2 usage or
 * configuration error, 3 the daemon cannot be reached.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "charonctl.h"

static struct {
	const char *socket;
	bool json;
	bool prometheus;
	const char *level;     /* monitor */
	const char *wireshark; /* export-keys: the directory */
	const struct command *cmd;
} g;

static volatile sig_atomic_t interrupted;

static int usage_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

static int
usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "charonctl: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr,
		"\nusage: charonctl %s %s\n(charonctl %s --help "
		"for more)\n",
		g.cmd->name, g.cmd->synopsis, g.cmd->name);
	return EXIT_USAGE;
}

/* --- per-command checks and printers -------------------------------------- */

static int
check_none(json_t *args, int argc, char **argv)
{
	(void)args;
	if (argc > 0)
		return usage_error("unexpected argument '%s'", argv[0]);
	return 0;
}

static int
check_initiate(json_t *args, int argc, char **argv)
{
	if (argc > 0)
		return usage_error("unexpected argument '%s'", argv[0]);
	if (!json_object_get(args, "child") && !json_object_get(args, "ike"))
		return usage_error("name --child or --ike");
	return 0;
}

static int
check_terminate(json_t *args, int argc, char **argv)
{
	bool ike = json_object_get(args, "ike") != NULL;
	bool id = json_object_get(args, "ike_id") != NULL;
	bool child = json_object_get(args, "child") != NULL;
	bool child_id = json_object_get(args, "child_id") != NULL;

	if (argc > 0)
		return usage_error("unexpected argument '%s'", argv[0]);
	if (!ike && !id && !child)
		return usage_error("name --ike, --ike-id or --child");
	if (ike && id)
		return usage_error("--ike and --ike-id exclude each other");
	if (child && child_id)
		return usage_error("--child and --child-id exclude each other");
	if (child_id && !id)
		return usage_error("--child-id needs --ike-id (CHILD SAs are "
				   "numbered per IKE SA)");
	return 0;
}

static int
check_rekey(json_t *args, int argc, char **argv)
{
	if (argc > 0)
		return usage_error("unexpected argument '%s'", argv[0]);
	if (!json_object_get(args, "ike_id"))
		return usage_error("name the IKE SA with --ike-id (and one of "
				   "its CHILD SAs with --child-id)");
	return 0;
}

/* The daemon streams the list, a line per SA (printed as it comes), so
 * that 100,000 SAs never sit in memory at once, here or there. */
static int
check_list_sas(json_t *args, int argc, char **argv)
{
	json_object_set_new(args, "stream", json_true());
	return check_none(args, argc, argv);
}

static int
check_stats(json_t *args, int argc, char **argv)
{
	if (g.prometheus && g.json)
		return usage_error("--prometheus and --json exclude each "
				   "other");
	return check_none(args, argc, argv);
}

static int
check_monitor(json_t *args, int argc, char **argv)
{
	if (argc > 0)
		return usage_error("unexpected argument '%s'", argv[0]);
	json_object_set_new(args, "level",
			    json_string(g.level ? g.level : "info"));
	return 0;
}

static int
check_log_level(json_t *args, int argc, char **argv)
{
	if (argc != 1)
		return usage_error("name one level: error, warn, info, "
				   "debug or trace");
	json_object_set_new(args, "level", json_string(argv[0]));
	return 0;
}

static int
check_export_keys(json_t *args, int argc, char **argv)
{
	if (argc > 0)
		return usage_error("unexpected argument '%s'", argv[0]);
	if (!g.wireshark)
		return usage_error("name the directory with --wireshark DIR");
	return 0;
}

/* One UAT file of rows (strings of the reply), mode 0600 whatever was
 * there; each row is wiped once written. 0 or -1 after a message. */
static int
write_uat(const char *dir, const char *name, json_t *rows)
{
	char path[4096];
	const char *s;
	json_t *v;
	size_t i;
	FILE *f;
	int fd, rc = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	if (fd < 0 || fchmod(fd, 0600) < 0 || !(f = fdopen(fd, "w"))) {
		fprintf(stderr, "charonctl: %s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	fprintf(f,
		"# Wireshark %s, written by charonctl export-keys: "
		"SECRET keys\n",
		name);
	for (i = 0; i < json_array_size(rows) && (v = json_array_get(rows, i));
	     i++) {
		if (!(s = json_string_value(v)))
			continue;
		if (fprintf(f, "%s\n", s) < 0)
			rc = -1;
		explicit_bzero((char *)s, strlen(s));
	}
	if (fclose(f) != 0 || rc < 0) {
		fprintf(stderr, "charonctl: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* The keys go to files, never to stdout (not even with --json). */
static int
export_keys(const json_t *r)
{
	json_t *ike = json_object_get(r, "ikev2_decryption_table");
	json_t *esp = json_object_get(r, "esp_sa");

	fprintf(stderr,
		"charonctl: WARNING: %s/ikev2_decryption_table and "
		"%s/esp_sa hold the SAs' secret keys: whoever reads them can "
		"decrypt this traffic; delete them when done\n",
		g.wireshark, g.wireshark);
	if (write_uat(g.wireshark, "ikev2_decryption_table", ike) < 0 ||
	    write_uat(g.wireshark, "esp_sa", esp) < 0)
		return EXIT_FAILED;
	printf("%zu IKE SA%s and %zu ESP SA%s written to %s\n",
	       json_array_size(ike), json_array_size(ike) == 1 ? "" : "s",
	       json_array_size(esp), json_array_size(esp) == 1 ? "" : "s",
	       g.wireshark);
	if (!json_is_true(json_object_get(r, "esp_keys")))
		printf("no ESP keys: the daemon runs with kernel: none\n");
	if (jint(r, "ike_skipped") || jint(r, "esp_skipped"))
		printf("left out, algorithm unknown to Wireshark: %lld IKE "
		       "SA(s), %lld ESP SA(s)\n",
		       jint(r, "ike_skipped"), jint(r, "esp_skipped"));
	if (jint(r, "esp_missing"))
		printf("%lld ESP SA(s) not found in the kernel\n",
		       jint(r, "esp_missing"));
	return EXIT_OK;
}

static void
print_initiate(const json_t *r)
{
	const json_t *sa = json_object_get(r, "ike_sa");

	if (json_is_object(sa))
		print_ike_sa(sa);
	else
		printf("initiated IKE SA #%lld\n", jint(r, "ike_id"));
}

static void
print_terminate(const json_t *r)
{
	const json_t *a = json_object_get(r, "terminated"), *v;
	size_t i;

	if (json_array_size(a)) {
		printf("terminated IKE SA%s",
		       json_array_size(a) == 1 ? "" : "s");
		for (i = 0;
		     i < json_array_size(a) && (v = json_array_get(a, i)); i++)
			printf("%s #%lld", i ? "," : "",
			       (long long)json_integer_value(v));
		printf("\n");
	}
	a = json_object_get(r, "children");
	for (i = 0; i < json_array_size(a) && (v = json_array_get(a, i)); i++)
		printf("terminated CHILD SA #%lld of IKE SA #%lld\n",
		       jint(v, "child_id"), jint(v, "ike_id"));
}

static void
print_log_level(const json_t *r)
{
	printf("log level %s (was %s)\n", jstr(r, "level"),
	       jstr(r, "previous"));
}

static void
print_stats_any(const json_t *r)
{
	if (g.prometheus)
		print_prometheus(stdout, r);
	else
		print_stats(r);
}

/* Also the source of `charonctl __complete` (complete.c). */
static const struct command commands[] = {
    {"version",
     "",
     "The daemon's version and its loaded plugins.",
     {{0}},
     check_none,
     print_version},
    {"list-conns",
     "[--ike NAME]",
     "The configured connections and their children.\n"
     "  --ike NAME        only this connection",
     {{"ike", "ike", OPT_STRING}},
     check_none,
     print_conns},
    {"list-sas",
     "[--ike NAME] [--ike-id N]",
     "IKE SAs with their CHILD SAs and the kernel's traffic counters.\n"
     "  --ike NAME        only SAs of this connection\n"
     "  --ike-id N        only this IKE SA",
     {{"ike", "ike", OPT_STRING}, {"ike-id", "ike_id", OPT_UINT}},
     check_list_sas,
     print_sas},
    {"initiate",
     "--child NAME [--ike NAME] [--timeout S] | --ike NAME",
     "Bring a CHILD SA (and its IKE SA) or an IKE SA up, and wait until it\n"
     "is up or has failed.\n"
     "  --child NAME      the child to bring up\n"
     "  --ike NAME        its connection (needed when the child's name\n"
     "                    is not unique; alone: the IKE SA only)\n"
     "  --timeout S       stop waiting after S seconds (the negotiation\n"
     "                    goes on); default: as long as the daemon tries",
     {{"child", "child", OPT_STRING},
      {"ike", "ike", OPT_STRING},
      {"timeout", "timeout", OPT_SECONDS}},
     check_initiate,
     print_initiate},
    {"terminate",
     "--ike NAME | --ike-id N [--child-id N] | --child NAME [--timeout S]",
     "Close SAs: remove the kernel state, send DELETE, wait for the peer's\n"
     "answer (or the timeout). Exit 0 once they are gone.\n"
     "  --ike NAME        every IKE SA of this connection (with --child:\n"
     "                    only its CHILD SAs of that name)\n"
     "  --ike-id N        this IKE SA\n"
     "  --child NAME      every CHILD SA of this name (of one connection:\n"
     "                    add --ike if several have it); IKE SAs stay\n"
     "  --child-id N      this CHILD SA of the --ike-id IKE SA\n"
     "  --timeout S       stop waiting after S seconds",
     {{"ike", "ike", OPT_STRING},
      {"ike-id", "ike_id", OPT_UINT},
      {"child", "child", OPT_STRING},
      {"child-id", "child_id", OPT_UINT},
      {"timeout", "timeout", OPT_SECONDS}},
     check_terminate,
     print_terminate},
    {"rekey",
     "--ike-id N [--child-id N]",
     "Rekey an SA now; the outcome shows in list-sas and as an\n"
     "ike-rekeyed or child-rekeyed event.\n"
     "  --ike-id N        this IKE SA\n"
     "  --child-id N      this CHILD SA of it",
     {{"ike-id", "ike_id", OPT_UINT}, {"child-id", "child_id", OPT_UINT}},
     check_rekey,
     NULL},
    {"load",
     "",
     "Reload the daemon's configuration file. Unchanged connections keep\n"
     "their SAs; removed ones are closed. A file with errors is rejected\n"
     "whole (its FILE:LINE:COL messages are printed) and the running\n"
     "configuration stays; exit 2 then.",
     {{0}},
     check_none,
     print_load},
    {"stats",
     "[--prometheus]",
     "SA counts by state, events and failures since start, traffic of\n"
     "the installed SAs, control socket counters.\n"
     "  --prometheus      Prometheus text exposition format",
     {{"prometheus", NULL, OPT_LOCAL}},
     check_stats,
     print_stats_any},
    {"monitor",
     "[--level LEVEL]",
     "Print SA events (ike-up, ike-down, child-up, child-down,\n"
     "auth-failed, ike-failed, child-failed) and log lines as they happen,\n"
     "until interrupted. With --json, one event object per line.\n"
     "  --level LEVEL     log lines up to LEVEL: error, warn, info\n"
     "                    (default), debug, trace, or none",
     {{"level", NULL, OPT_LOCAL}},
     check_monitor,
     NULL},
    {"log",
     "[--conn NAME] [--ike-id N] [--level LEVEL]",
     "Follow one connection or IKE SA: its log lines and SA events as\n"
     "they happen, until interrupted; the daemon sends nothing else (no\n"
     "line about another connection or about none). With --json, one\n"
     "event object per line, as monitor writes them.\n"
     "  --conn NAME       the lines and events of this connection\n"
     "  --ike-id N        of this IKE SA (followed across its rekeys)\n"
     "  --level LEVEL     log lines up to LEVEL: error, warn, info\n"
     "                    (default), debug, trace, or none",
     {{"conn", "conn", OPT_STRING},
      {"ike-id", "ike_id", OPT_UINT},
      {"level", NULL, OPT_LOCAL}},
     check_monitor,
     NULL},
    {"export-keys",
     "--wireshark DIR",
     "Root only. Write every IKE SA's keys and every installed CHILD SA's\n"
     "ESP keys as Wireshark's DIR/ikev2_decryption_table and DIR/esp_sa\n"
     "(mode 0600), to decrypt a capture: copy them into a Wireshark\n"
     "profile. They are secret; delete them when done.\n"
     "  --wireshark DIR   the directory to write the two files in",
     {{"wireshark", NULL, OPT_LOCAL}},
     check_export_keys,
     NULL},
    {"list-certs",
     "[--conn NAME]",
     "The certificates the configuration names, read from their files:\n"
     "connections' local certificates (and intermediates) and the\n"
     "authorities' CA certificates, with who uses each. A file that cannot\n"
     "be read is listed with its error.\n"
     "  --conn NAME       only those of this connection and of the\n"
     "                    authorities it trusts",
     {{"conn", "conn", OPT_STRING}},
     check_none,
     print_certs},
    {"list-authorities",
     "",
     "The configured authorities: CA certificate, CRL (its updates and\n"
     "revoked serials) and the connections that trust each.",
     {{0}},
     check_none,
     print_authorities},
    {"log-level",
     "LEVEL",
     "Change the daemon's log level: error, warn, info, debug, trace.",
     {{0}},
     check_log_level,
     print_log_level},
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: charonctl [-S SOCKET] [--json] COMMAND [OPTIONS]\n"
		   "       charonctl COMMAND --help\n\ncommands:\n");
	for (i = 0; i < N_COMMANDS; i++)
		fprintf(f, "  %-16s %s\n", commands[i].name,
			commands[i].synopsis);
	fprintf(
	    f,
	    "\noptions (before or after COMMAND):\n"
	    "  -S, --socket PATH  the control socket (default $CHAROND_SOCKET "
	    "or %s)\n"
	    "  --json             print the result object as JSON\n"
	    "  -h, --help         this text\n"
	    "  --version          charonctl's version\n\n"
	    "exit status: 0 success, 1 the operation failed, 2 usage or "
	    "configuration\nerror, 3 the daemon cannot be reached\n",
	    DEFAULT_SOCKET);
}

static void
command_help(const struct command *c)
{
	printf("usage: charonctl [-S SOCKET] [--json] %s %s\n\n%s\n", c->name,
	       c->synopsis, c->help);
}

bool
cmd_opt_has_arg(const struct cmd_opt *o)
{
	return !(o->kind == OPT_LOCAL && strcmp(o->name, "prometheus") == 0);
}

/* --- options to arguments ---------------------------------------------------
 */

static int
add_opt(json_t *args, const struct cmd_opt *o, const char *val)
{
	char *end;
	double d;
	unsigned long long u;

	switch (o->kind) {
	case OPT_STRING:
		json_object_set_new(args, o->key, json_string(val));
		return 0;
	case OPT_UINT:
		errno = 0;
		u = strtoull(val, &end, 10);
		if (errno || end == val || *end || *val == '-' || u == 0 ||
		    u > 0xffffffffull)
			return usage_error("--%s needs a positive number",
					   o->name);
		json_object_set_new(args, o->key, json_integer((json_int_t)u));
		return 0;
	case OPT_SECONDS:
		errno = 0;
		d = strtod(val, &end);
		if (end != val && *end == 's')
			end++;
		if (errno || end == val || *end || !isfinite(d) || d < 0)
			return usage_error("--%s needs seconds (a number)",
					   o->name);
		json_object_set_new(args, o->key,
				    d == floor(d) && d < 1e15
					? json_integer((json_int_t)d)
					: json_real(d));
		return 0;
	case OPT_LOCAL:
		if (strcmp(o->name, "prometheus") == 0)
			g.prometheus = true;
		else if (strcmp(o->name, "level") == 0)
			g.level = val;
		else if (strcmp(o->name, "wireshark") == 0)
			g.wireshark = val;
		return 0;
	}
	return 0;
}

/* Command options plus the global ones, which may follow the command. */
static int
parse_command(const struct command *c, int argc, char **argv, json_t *args)
{
	struct option lo[16];
	size_t n = 0, i;
	int o, rc, idx;

	for (i = 0; i < sizeof(c->opts) / sizeof(c->opts[0]) && c->opts[i].name;
	     i++) {
		lo[n++] = (struct option){c->opts[i].name,
					  cmd_opt_has_arg(&c->opts[i])
					      ? required_argument
					      : no_argument,
					  NULL, 1000 + (int)i};
	}
	lo[n++] = (struct option){"json", no_argument, NULL, 'j'};
	lo[n++] = (struct option){"socket", required_argument, NULL, 'S'};
	lo[n++] = (struct option){"help", no_argument, NULL, 'h'};
	lo[n] = (struct option){NULL, 0, NULL, 0};
	optind = 0; /* glibc: start over on the command's argv */
	opterr = 0;
	while ((o = getopt_long(argc, argv, "+S:h", lo, &idx)) != -1) {
		switch (o) {
		case 'j':
			g.json = true;
			break;
		case 'S':
			g.socket = optarg;
			break;
		case 'h':
			command_help(c);
			exit(EXIT_OK);
		case '?':
		case ':':
			return usage_error("bad option '%s'", argv[optind - 1]);
		default:
			rc = add_opt(args, &c->opts[o - 1000], optarg);
			if (rc)
				return rc;
		}
	}
	return c->check(args, argc - optind, argv + optind);
}

/* --- talking to the daemon
 * ---------------------------------------------------- */

static int
exit_for(const char *code)
{
	static const char *const usage_codes[] = {
	    "PARSE_ERROR",     "LINE_TOO_LONG", "BAD_REQUEST",
	    "UNKNOWN_COMMAND", "INVALID_ARGS",  "CONFIG_ERROR",
	};
	size_t i;

	for (i = 0; i < sizeof(usage_codes) / sizeof(usage_codes[0]); i++)
		if (strcmp(code, usage_codes[i]) == 0)
			return EXIT_USAGE;
	if (strcmp(code, "PERMISSION_DENIED") == 0 || strcmp(code, "BUSY") == 0)
		return EXIT_UNREACHABLE;
	return EXIT_FAILED;
}

static void
print_json(FILE *f, const json_t *o)
{
	json_dumpf(o, f, JSON_COMPACT | JSON_PRESERVE_ORDER);
	fputc('\n', f);
	fflush(f);
}

/* An error reply: the code decides the exit status. */
static int
report_error(const json_t *reply)
{
	const json_t *e = json_object_get(reply, "error"), *v;
	size_t i;

	if (g.json) {
		print_json(stderr, e);
	} else {
		fprintf(stderr, "charonctl: %s (%s)\n", jstr(e, "message"),
			jstr(e, "code"));
		for (i = 0;
		     i < json_array_size(json_object_get(e, "diagnostics")) &&
		     (v = json_array_get(json_object_get(e, "diagnostics"), i));
		     i++)
			fprintf(stderr, "%s\n", json_string_value(v));
	}
	return exit_for(jstr(e, "code"));
}

/* One SA of a streamed list-sas: --json prints the result object
 * {"ike_sas":[...]} piecewise, byte for byte as print_json() would. */
static void
on_list_line(json_t *line, void *arg)
{
	size_t *n = arg;
	const json_t *sa = json_object_get(line, "ike_sa");

	if (!json_is_object(sa))
		return;
	if (g.json) {
		fputs(*n ? "," : "{\"ike_sas\":[", stdout);
		json_dumpf(sa, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
	} else {
		print_ike_sa(sa);
	}
	(*n)++;
}

/* The end of a list-sas reply: what on_list_line() began, or a whole
 * list from a daemon that does not stream. */
static void
list_done(const json_t *result, size_t n)
{
	if (json_is_array(json_object_get(result, "ike_sas")) && !n) {
		if (g.json)
			print_json(stdout, result);
		else
			print_sas(result);
		return;
	}
	if (g.json) {
		fputs(n ? "]}\n" : "{\"ike_sas\":[]}\n", stdout);
		fflush(stdout);
	}
}

static void
on_sigint(int sig)
{
	(void)sig;
	interrupted = 1;
}

static int
monitor(struct cc *c)
{
	struct sigaction sa = {0};
	json_t *ev;
	int rc;

	/* No SA_RESTART: the blocked read returns and we leave cleanly. */
	sa.sa_handler = on_sigint;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* A reader that went away (| head) ends us like Ctrl-C does. */
	signal(SIGPIPE, SIG_IGN);
	while (!interrupted) {
		rc = cc_read(c, &ev);
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc <= 0) {
			fprintf(stderr, "charonctl: the daemon closed the "
					"connection\n");
			return EXIT_UNREACHABLE;
		}
		if (json_object_get(ev, "event")) {
			if (g.json)
				print_json(stdout, ev);
			else
				print_event(ev);
			if (fflush(stdout) == EOF || ferror(stdout)) {
				json_decref(ev);
				return EXIT_OK;
			}
		}
		json_decref(ev);
	}
	return EXIT_OK;
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
	    {"socket", required_argument, NULL, 'S'},
	    {"json", no_argument, NULL, 'j'},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {NULL, 0, NULL, 0},
	};
	json_t *args, *reply;
	size_t i, n_listed = 0;
	bool is_list, is_monitor;
	struct cc c;
	int o, rc;

	/* Before getopt: the words to complete are not ours to parse. */
	if (argc > 1 && strcmp(argv[1], "__complete") == 0)
		return complete(commands, N_COMMANDS, argc - 2, argv + 2);
	g.socket = getenv("CHAROND_SOCKET");
	while ((o = getopt_long(argc, argv, "+S:h", lo, NULL)) != -1) {
		switch (o) {
		case 'S':
			g.socket = optarg;
			break;
		case 'j':
			g.json = true;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'V':
			printf("charonctl %s\n", CHARONCTL_VERSION);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	for (i = 0; i < N_COMMANDS; i++)
		if (strcmp(commands[i].name, argv[optind]) == 0)
			g.cmd = &commands[i];
	if (!g.cmd) {
		fprintf(stderr, "charonctl: unknown command '%s'\n",
			argv[optind]);
		usage(stderr);
		return EXIT_USAGE;
	}
	args = json_object();
	if (!args)
		return EXIT_FAILED;
	rc = parse_command(g.cmd, argc - optind, argv + optind, args);
	if (rc) {
		json_decref(args);
		return rc;
	}
	if (!g.socket || !*g.socket)
		g.socket = DEFAULT_SOCKET;
	if (cc_connect(&c, g.socket) < 0) {
		int e = errno;
		struct stat st;
		const struct group *gr = NULL;

		/* Refused: say who may, the way to join (the socket's group,
		 * daemon.socket_group) and that it takes a new login. */
		if (e == EACCES && stat(g.socket, &st) == 0 && st.st_gid != 0)
			gr = getgrgid(st.st_gid);
		fprintf(stderr, "charonctl: cannot reach charond at %s: %s",
			g.socket, strerror(e));
		if (e == ENOENT || e == ECONNREFUSED)
			fprintf(stderr,
				" (is it running? -S names another socket)");
		else if (gr)
			fprintf(stderr,
				" (root and members of the group %s may use "
				"it: adduser USER %s, then log in again)",
				gr->gr_name, gr->gr_name);
		fputc('\n', stderr);
		json_decref(args);
		return EXIT_UNREACHABLE;
	}
	is_list = strcmp(g.cmd->name, "list-sas") == 0;
	/* log is monitor with a filter. */
	is_monitor = strcmp(g.cmd->name, "monitor") == 0 ||
		     strcmp(g.cmd->name, "log") == 0;
	reply = cc_call(&c, is_monitor ? "monitor" : g.cmd->name, args,
			is_list ? on_list_line : NULL, &n_listed);
	if (!reply) {
		cc_close(&c);
		return EXIT_UNREACHABLE;
	}
	if (!json_is_true(json_object_get(reply, "ok"))) {
		rc = report_error(reply);
	} else if (is_monitor) {
		rc = monitor(&c);
	} else if (strcmp(g.cmd->name, "export-keys") == 0) {
		rc = export_keys(json_object_get(reply, "result"));
	} else if (is_list) {
		list_done(json_object_get(reply, "result"), n_listed);
		rc = EXIT_OK;
	} else {
		if (g.json)
			print_json(stdout, json_object_get(reply, "result"));
		else if (g.cmd->print)
			g.cmd->print(json_object_get(reply, "result"));
		rc = EXIT_OK;
	}
	json_decref(reply);
	cc_close(&c);
	return rc;
}
