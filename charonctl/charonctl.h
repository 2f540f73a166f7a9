/* SPDX-License-Identifier: ISC */
/*
 * charonctl's internals: the connection to charond's control socket
 * (client.c), the human renderings of results (print.c), the Prometheus
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
/* A JSON value's text, "" for anything but a string. */
const char *jstr(const json_t *o, const char *key);
long long jint(const json_t *o, const char *key);

/* prom.c */
void print_prometheus(FILE *f, const json_t *stats);

#endif
