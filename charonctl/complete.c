/* SPDX-License-Identifier: ISC */
/*
 * `charonctl __complete WORD... CUR`: what the shells' completion scripts
 * (etc/completion/) offer for CUR, the word being typed, after the words
 * before it (without the program's name). One candidate per line, each
 * starting with CUR. Commands and options come from main.c's command
 * table, the one the parser uses, so completion cannot drift from it;
 * connection, child and SA names come from the daemon at the socket that
 * -S named earlier on the line (else $CHAROND_SOCKET, else the default).
 *
 * Completion must never disturb the shell: nothing goes to stderr, the
 * exit status is always 0, and a daemon that does not answer within
 * COMPLETE_WAIT seconds gets no more time (no candidates then).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "charonctl.h"

#define COMPLETE_WAIT 2 /* seconds */

static const char *const global_opts[] = {"--socket", "--json", "--help",
					  "--version", "-S"};
static const char *const levels[] = {"error", "warn", "info", "debug", "trace"};

/* The words before CUR, as the parser will see them. */
struct line {
	const char *socket;
	const struct command *cmd;
	const char *ike;  /* --ike NAME */
	long long ike_id; /* --ike-id N */
	const char *prev; /* the option CUR is the value of, or NULL */
	size_t n_args;    /* positional arguments after the command */
	bool unknown;     /* a command that is none of ours */
};

static const char *cur;

static void
offer(const char *s)
{
	if (s && strncmp(s, cur, strlen(cur)) == 0)
		printf("%s\n", s);
}

static void
on_alarm(int sig)
{
	(void)sig;
	_exit(EXIT_OK);
}

static const struct cmd_opt *
find_opt(const struct command *c, const char *name)
{
	size_t i;

	for (i = 0;
	     c && i < sizeof(c->opts) / sizeof(c->opts[0]) && c->opts[i].name;
	     i++)
		if (strcmp(c->opts[i].name, name) == 0)
			return &c->opts[i];
	return NULL;
}

/* Read the words as main() and parse_command() would: global options,
 * the command, its options (--name VALUE or --name=VALUE). */
static void
parse_line(struct line *l, const struct command *cmds, size_t n, int argc,
	   char **argv)
{
	const struct cmd_opt *o;
	const char *w, *val, *eq;
	char name[64];
	size_t i, len;
	int k;

	memset(l, 0, sizeof(*l));
	l->socket = getenv("CHAROND_SOCKET");
	for (k = 0; k < argc; k++) {
		w = argv[k];
		l->prev = NULL;
		if (strcmp(w, "-S") == 0 || strcmp(w, "--socket") == 0) {
			if (k + 1 >= argc) {
				l->prev = "socket";
				break;
			}
			l->socket = argv[++k];
			continue;
		}
		if (strncmp(w, "--socket=", 9) == 0) {
			l->socket = w + 9;
			continue;
		}
		if (strncmp(w, "-S", 2) == 0 && w[2]) {
			l->socket = w + 2;
			continue;
		}
		if (w[0] == '-') {
			if (!l->cmd || strncmp(w, "--", 2) != 0)
				continue; /* --json, --help and the like */
			eq = strchr(w + 2, '=');
			len = eq ? (size_t)(eq - w - 2) : strlen(w + 2);
			if (len >= sizeof(name))
				continue;
			memcpy(name, w + 2, len);
			name[len] = '\0';
			o = find_opt(l->cmd, name);
			if (!o || !cmd_opt_has_arg(o))
				continue;
			if (eq) {
				val = eq + 1;
			} else if (k + 1 < argc) {
				val = argv[++k];
			} else {
				l->prev = o->name;
				break;
			}
			if (strcmp(o->name, "ike") == 0)
				l->ike = val;
			else if (strcmp(o->name, "ike-id") == 0)
				l->ike_id = atoll(val);
			continue;
		}
		if (l->cmd) {
			l->n_args++;
			continue;
		}
		for (i = 0; i < n; i++)
			if (strcmp(cmds[i].name, w) == 0)
				l->cmd = &cmds[i];
		if (!l->cmd) {
			l->unknown = true; /* nothing to offer */
			return;
		}
	}
}

/* The daemon's answer to CMD, NULL when it cannot be had. Streamed lines
 * (list-sas) are gathered into *lines. */
static void
gather(json_t *line, void *arg)
{
	json_array_append(arg, line);
}

static json_t *
ask(const struct line *l, const char *cmd, json_t *lines)
{
	const char *path = l->socket && *l->socket ? l->socket : DEFAULT_SOCKET;
	json_t *reply, *r = NULL;
	struct cc c;

	if (cc_connect(&c, path) < 0)
		return NULL;
	reply = cc_call(&c, cmd, NULL, lines ? gather : NULL, lines);
	cc_close(&c);
	if (reply && json_is_true(json_object_get(reply, "ok")))
		r = json_incref(json_object_get(reply, "result"));
	json_decref(reply);
	return r;
}

/* Connection names, or the children of one connection (or of all). */
static void
offer_conns(const struct line *l, bool children)
{
	json_t *r = ask(l, "list-conns", NULL), *conns, *conn, *ch, *seen;
	size_t i, j;

	conns = json_object_get(r, "conns");
	seen = json_object();
	for (i = 0; seen && i < json_array_size(conns); i++) {
		conn = json_array_get(conns, i);
		if (!children) {
			offer(jstr(conn, "name"));
			continue;
		}
		if (l->ike && strcmp(l->ike, jstr(conn, "name")) != 0)
			continue;
		ch = json_object_get(conn, "children");
		for (j = 0; j < json_array_size(ch); j++) {
			const char *name = jstr(json_array_get(ch, j), "name");

			/* A name several connections have, once. */
			if (*name && !json_object_get(seen, name)) {
				json_object_set_new(seen, name, json_true());
				offer(name);
			}
		}
	}
	json_decref(seen);
	json_decref(r);
}

/* IKE SA ids, or the CHILD SA ids of the --ike-id one. */
static void
offer_ids(const struct line *l, bool children)
{
	json_t *lines = json_array(), *r, *sa, *ch;
	char num[32];
	size_t i, j;

	if (!lines)
		return;
	r = ask(l, "list-sas", lines);
	/* A daemon that does not stream sends the list in the result. */
	if (json_is_array(json_object_get(r, "ike_sas")))
		for (i = 0; i < json_array_size(json_object_get(r, "ike_sas"));
		     i++)
			json_array_append_new(
			    lines,
			    json_pack("{s:O}", "ike_sa",
				      json_array_get(
					  json_object_get(r, "ike_sas"), i)));
	for (i = 0; i < json_array_size(lines); i++) {
		sa = json_object_get(json_array_get(lines, i), "ike_sa");
		if (!json_is_object(sa))
			continue;
		if (!children) {
			snprintf(num, sizeof(num), "%lld", jint(sa, "id"));
			offer(num);
			continue;
		}
		if (jint(sa, "id") != l->ike_id)
			continue;
		ch = json_object_get(sa, "children");
		for (j = 0; j < json_array_size(ch); j++) {
			snprintf(num, sizeof(num), "%lld",
				 jint(json_array_get(ch, j), "id"));
			offer(num);
		}
	}
	json_decref(r);
	json_decref(lines);
}

static void
offer_value(const struct line *l)
{
	size_t i;

	if (strcmp(l->prev, "ike") == 0 || strcmp(l->prev, "conn") == 0) {
		offer_conns(l, false);
	} else if (strcmp(l->prev, "child") == 0) {
		offer_conns(l, true);
	} else if (strcmp(l->prev, "ike-id") == 0) {
		offer_ids(l, false);
	} else if (strcmp(l->prev, "child-id") == 0) {
		if (l->ike_id)
			offer_ids(l, true);
	} else if (strcmp(l->prev, "level") == 0) {
		for (i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
			offer(levels[i]);
		offer("none");
	}
	/* --socket: a file, which the shells complete themselves;
	 * --timeout: a number. */
}

int
complete(const struct command *cmds, size_t n, int argc, char **argv)
{
	char opt[64];
	struct line l;
	size_t i;

	/* Messages of the client code have no place on a command line. */
	if (!freopen("/dev/null", "w", stderr))
		return EXIT_OK;
	signal(SIGPIPE, SIG_IGN);
	signal(SIGALRM, on_alarm);
	alarm(COMPLETE_WAIT);
	if (argc < 1)
		return EXIT_OK;
	cur = argv[argc - 1];
	parse_line(&l, cmds, n, argc - 1, argv);
	if (l.unknown) {
		/* nothing */
	} else if (l.prev) {
		offer_value(&l);
	} else if (!l.cmd) {
		if (cur[0] == '-')
			for (i = 0;
			     i < sizeof(global_opts) / sizeof(*global_opts);
			     i++)
				offer(global_opts[i]);
		else
			for (i = 0; i < n; i++)
				offer(cmds[i].name);
	} else if (cur[0] == '-') {
		for (i = 0; i < sizeof(l.cmd->opts) / sizeof(l.cmd->opts[0]) &&
			    l.cmd->opts[i].name;
		     i++) {
			snprintf(opt, sizeof(opt), "--%s", l.cmd->opts[i].name);
			offer(opt);
		}
		offer("--help");
		offer("--json");
		offer("--socket");
	} else if (strcmp(l.cmd->name, "log-level") == 0 && l.n_args == 0) {
		for (i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
			offer(levels[i]);
	}
	fflush(stdout);
	return EXIT_OK;
}
