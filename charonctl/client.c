/* SPDX-License-Identifier: ISC */
/*
 * charonctl's side of the control socket: connect, send one request line,
 * and read reply lines, setting aside event lines that a monitor
 * connection interleaves with replies.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "charonctl.h"

int
cc_connect(struct cc *c, const char *path)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	int e;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->next_id = 1;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -errno;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return -errno;
	if (connect(c->fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		e = errno;
		close(c->fd);
		c->fd = -1;
		errno = e;
		return -e;
	}
	return 0;
}

void
cc_close(struct cc *c)
{
	if (c->fd >= 0)
		close(c->fd);
	free(c->buf);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

static int
send_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n) {
		w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int
cc_read(struct cc *c, json_t **out)
{
	json_error_t je;
	char *nl, *line;
	ssize_t n;
	size_t len;

	for (;;) {
		/* Search only what was not searched yet: a list of 100,000
		 * SAs comes as that many lines, or as one 70 MB line. */
		nl = c->len > c->off + c->scan
			 ? memchr(c->buf + c->off + c->scan, '\n',
				  c->len - c->off - c->scan)
			 : NULL;
		if (nl) {
			line = c->buf + c->off;
			len = (size_t)(nl - line);
			c->off += len + 1;
			c->scan = 0;
			*out = json_loadb(line, len, 0, &je);
			if (!*out) {
				fprintf(stderr,
					"charonctl: the daemon sent "
					"malformed JSON: %s\n",
					je.text);
				errno = EPROTO;
				return -1;
			}
			return 1;
		}
		c->scan = c->len - c->off;
		if (c->off) {
			memmove(c->buf, c->buf + c->off, c->len - c->off);
			c->len -= c->off;
			c->off = 0;
		}
		if (c->cap - c->len < 65536) {
			size_t cap = c->cap ? 2 * c->cap : 65536;
			char *b = realloc(c->buf, cap);

			if (!b)
				return -1;
			c->buf = b;
			c->cap = cap;
		}
		n = read(c->fd, c->buf + c->len, c->cap - c->len);
		if (n < 0)
			return -1; /* EINTR included: the caller decides */
		if (n == 0)
			return 0;
		c->len += (size_t)n;
	}
}

json_t *
cc_call(struct cc *c, const char *cmd, json_t *args,
	void (*on_line)(json_t *line, void *arg), void *arg)
{
	long long id = c->next_id++;
	json_t *req, *r, *rid;
	char *line;
	int rc;

	req = json_pack("{s:I,s:s,s:o}", "id", (json_int_t)id, "cmd", cmd,
			"args", args ? args : json_object());
	line = req ? json_dumps(req, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(req);
	if (!line) {
		fprintf(stderr, "charonctl: out of memory\n");
		return NULL;
	}
	rc = send_all(c->fd, line, strlen(line));
	if (rc == 0)
		rc = send_all(c->fd, "\n", 1);
	free(line);
	/* A daemon that refuses us says why and hangs up, maybe before our
	 * request went out: its line is still there to read. */
	if (rc < 0 && (errno == EPIPE || errno == ECONNRESET) &&
	    cc_read(c, &r) == 1) {
		if (json_object_get(r, "ok"))
			return r;
		json_decref(r);
	}
	if (rc < 0) {
		fprintf(stderr, "charonctl: sending to the daemon: %s\n",
			strerror(errno));
		return NULL;
	}
	for (;;) {
		do
			rc = cc_read(c, &r);
		while (rc < 0 && errno == EINTR);
		if (rc <= 0) {
			if (rc == 0)
				fprintf(stderr, "charonctl: the daemon closed "
						"the connection\n");
			else if (errno != EPROTO)
				fprintf(stderr,
					"charonctl: reading from the "
					"daemon: %s\n",
					strerror(errno));
			return NULL;
		}
		/* Ours, or one the daemon sent before reading anything (a
		 * refusal carries id null). */
		rid = json_object_get(r, "id");
		if (json_object_get(r, "ok") &&
		    ((json_is_integer(rid) && json_integer_value(rid) == id) ||
		     json_is_null(rid)))
			return r;
		if (on_line)
			on_line(r, arg);
		json_decref(r);
	}
}
