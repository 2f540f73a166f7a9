/* SPDX-License-Identifier: ISC */
/*
 * charonctl's internals: the connection to charond's control socket
 * (client.c), the human renderings of results (print.c; print_certs.c for
 * certificates and authorities), the Prometheus
 * text exposition of `stats` (prom.c). main.c owns arguments, commands and
 * exit codes.
 */
#ifndef CHARONCTL_H
#define CHARONCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#define CHARONCTL_VERSION "0.1.0"
#define DEFAULT_SOCKET    "/run/charond/charond.sock"

/* The interface spec's exit codes. */
enum {
	EXIT_OK = 0,
	EXIT_FAILED = 1,      /* the operation failed: refused, timed out */
	EXIT_USAGE = 2,       /* usage or configuration error */
	EXIT_UNREACHABLE = 3, /* the daemon cannot be reached */
};

/* main.c: the commands and their options. */
enum opt_kind {
	OPT_STRING,  /* "ike": "site" */
	OPT_UINT,    /* "ike_id": 3 */
	OPT_SECONDS, /* "timeout": 30 (a number, "s" suffix allowed) */
	OPT_LOCAL,   /* handled here: --prometheus, --level */
};

struct cmd_opt {
	const char *name; /* long option */
	const char *key;  /* request argument; NULL for OPT_LOCAL */
	enum opt_kind kind;
};

struct command {
	const char *name;
	const char *synopsis;
	const char *help;
	struct cmd_opt opts[6];
	/* Beyond the option types: required combinations; positional
	 * arguments. Return 0 or EXIT_USAGE after a message. */
	int (*check)(json_t *args, int argc, char **argv);
	void (*print)(const json_t *result);
};

/* Whether the option takes a value (all but --prometheus do). */
bool cmd_opt_has_arg(const struct cmd_opt *o);

/* client.c */
struct cc {
	int fd;
	char *buf; /* received; lines before off are taken */
	size_t len, cap;
	size_t off;  /* the next line starts here */
	size_t scan; /* bytes after off known to hold no newline */
	long long next_id;
};

/* 0, or -errno (then errno is set too). */
int cc_connect(struct cc *c, const char *path);
void cc_close(struct cc *c);
/* Send {"id", "cmd", "args"} (args stolen; NULL for none) and wait for its
 * reply. Lines that are not the reply (monitor events, the SAs of a
 * streamed list-sas) are passed to on_line when it is set, else skipped.
 * Returns the reply object, or NULL when the connection failed or closed
 * (message on stderr). */
json_t *cc_call(struct cc *c, const char *cmd, json_t *args,
		void (*on_line)(json_t *line, void *arg), void *arg);
/* The next line as JSON: 1 with *out set, 0 at the end of the stream,
 * -1 on an error (errno EINTR when a signal interrupted the wait). */
int cc_read(struct cc *c, json_t **out);

/* print.c: each takes a reply's result object. */
void print_version(const json_t *r);
void print_conns(const json_t *r);
void print_sas(const json_t *r);
void print_ike_sa(const json_t *sa);
void print_stats(const json_t *r);
void print_load(const json_t *r);
void print_event(const json_t *ev);
/* print_certs.c */
void print_certs(const json_t *r);
void print_authorities(const json_t *r);
/* A JSON value's text, "" for anything but a string. */
const char *jstr(const json_t *o, const char *key);
long long jint(const json_t *o, const char *key);

/* complete.c: `charonctl __complete WORD... CUR`, the shells' completion
 * (etc/completion): candidates for CUR, one per line, after the words
 * before it. Always exits 0, silently when the daemon is out of reach. */
int complete(const struct command *cmds, size_t n, int argc, char **argv);

/* prom.c */
void print_prometheus(FILE *f, const json_t *stats);

#endif
