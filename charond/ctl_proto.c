/* SPDX-License-Identifier: ISC */
/*
 * The control protocol's framing and grammar, with no daemon state: taking
 * lines out of a client's input (over-long ones refused and skipped),
 * turning a line into a checked request, reading typed arguments, and
 * writing reply and event lines. Everything a client sends is untrusted, so
 * every field is checked for type before it is used.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ctl.h"
#include "escape.h"

void
ctl_inbuf_init(struct ctl_inbuf *b, size_t max_line)
{
	memset(b, 0, sizeof(*b));
	b->max = max_line;
}

void
ctl_inbuf_free(struct ctl_inbuf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

/* Forget the line handed out last (kept until now so that it stayed valid
 * while the caller worked on it). */
static void
compact(struct ctl_inbuf *b)
{
	if (!b->taken)
		return;
	memmove(b->data, b->data + b->taken, b->len - b->taken);
	b->len -= b->taken;
	b->taken = 0;
}

size_t
ctl_inbuf_pending(const struct ctl_inbuf *b)
{
	return b->len - b->taken;
}

int
ctl_inbuf_append(struct ctl_inbuf *b, const void *data, size_t len)
{
	const char *p = data;

	compact(b);
	if (b->discarding) {
		const char *nl = memchr(p, '\n', len);

		if (!nl)
			return 0;
		b->discarding = false;
		len -= (size_t)(nl + 1 - p);
		p = nl + 1;
	}
	if (len == 0)
		return 0;
	if (b->len + len + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		char *n;

		while (cap < b->len + len + 1)
			cap *= 2;
		n = realloc(b->data, cap);
		if (!n)
			return -ENOMEM;
		b->data = n;
		b->cap = cap;
	}
	memcpy(b->data + b->len, p, len);
	b->len += len;
	return 0;
}

int
ctl_inbuf_next(struct ctl_inbuf *b, char **line, size_t *len)
{
	char *nl;
	size_t n;

	compact(b);
	if (!b->len)
		return 0;
	nl = memchr(b->data, '\n', b->len);
	n = nl ? (size_t)(nl - b->data) : b->len;
	if (n > b->max) {
		/* Over-long: what is held goes, and the rest of the line is
		 * dropped as it arrives. */
		if (nl) {
			b->taken = n + 1;
		} else {
			b->len = 0;
			b->discarding = true;
		}
		return -1;
	}
	if (!nl)
		return 0;
	*nl = '\0';
	b->taken = n + 1;
	if (n && b->data[n - 1] == '\r')
		b->data[--n] = '\0';
	*line = b->data;
	*len = n;
	return 1;
}

static const char *fail(const char *code, char *err, size_t errlen,
			const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static const char *
fail(const char *code, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return code;
}

const char *
ctl_req_parse(const char *line, size_t len, struct ctl_req *req, char *err,
	      size_t errlen)
{
	json_error_t je;
	json_t *cmd, *id;
	const char *key;
	json_t *v;

	memset(req, 0, sizeof(*req));
	req->id = json_null();
	/* Embedded NULs are refused by jansson unless asked for; a request
	 * never needs one. */
	req->root = json_loadb(line, len,
			       JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je);
	if (!req->root)
		return fail(CTL_E_PARSE, err, errlen,
			    "malformed JSON at column %d: %s", je.column,
			    je.text);
	if (!json_is_object(req->root))
		return fail(CTL_E_BAD_REQUEST, err, errlen,
			    "a request is a JSON object: {\"id\": 1, \"cmd\": "
			    "\"version\", \"args\": {}}");
	id = json_object_get(req->root, "id");
	if (id && (json_is_object(id) || json_is_array(id)))
		return fail(CTL_E_BAD_REQUEST, err, errlen,
			    "\"id\" must be a number, a string or null");
	if (id) {
		json_decref(req->id);
		req->id = json_incref(id);
	}
	for (void *it_ = json_object_iter(req->root);
	     it_ &&
	     (key = json_object_iter_key(it_), v = json_object_iter_value(it_));
	     it_ = json_object_iter_next(req->root, it_)) {
		if (strcmp(key, "id") != 0 && strcmp(key, "cmd") != 0 &&
		    strcmp(key, "args") != 0)
			return fail(CTL_E_BAD_REQUEST, err, errlen,
				    "unknown request member \"%.64s\" (id, "
				    "cmd, args)",
				    key);
	}
	cmd = json_object_get(req->root, "cmd");
	if (!cmd)
		return fail(CTL_E_BAD_REQUEST, err, errlen,
			    "the request has no \"cmd\"");
	if (!json_is_string(cmd))
		return fail(CTL_E_BAD_REQUEST, err, errlen,
			    "\"cmd\" must be a string");
	req->cmd = json_string_value(cmd);
	req->args = json_object_get(req->root, "args");
	if (req->args && !json_is_object(req->args))
		return fail(CTL_E_BAD_REQUEST, err, errlen,
			    "\"args\" must be an object");
	if (!req->args) {
		req->args = json_object();
		if (!req->args ||
		    json_object_set_new(req->root, "args", req->args) < 0)
			return fail(CTL_E_INTERNAL, err, errlen,
				    "out of memory");
	}
	return NULL;
}

void
ctl_req_free(struct ctl_req *req)
{
	json_decref(req->id);
	json_decref(req->root);
	memset(req, 0, sizeof(*req));
}

const char *
ctl_args_check(json_t *args, const char *const *allowed, char *err,
	       size_t errlen)
{
	const char *key;
	json_t *v;
	size_t i;

	for (void *it_ = json_object_iter(args);
	     it_ &&
	     (key = json_object_iter_key(it_), v = json_object_iter_value(it_));
	     it_ = json_object_iter_next(args, it_)) {
		for (i = 0; allowed[i]; i++)
			if (strcmp(key, allowed[i]) == 0)
				break;
		if (!allowed[i])
			return fail(CTL_E_INVALID_ARGS, err, errlen,
				    "unknown argument \"%.64s\"", key);
	}
	return NULL;
}

const char *
ctl_arg_string(json_t *args, const char *key, const char **out, char *err,
	       size_t errlen)
{
	json_t *v = json_object_get(args, key);

	if (!v)
		return NULL;
	if (!json_is_string(v))
		return fail(CTL_E_INVALID_ARGS, err, errlen,
			    "\"%s\" must be a string", key);
	if (json_string_length(v) == 0 || json_string_length(v) >= 256 ||
	    strlen(json_string_value(v)) != json_string_length(v))
		return fail(CTL_E_INVALID_ARGS, err, errlen,
			    "\"%s\" must be 1 to 255 characters without NUL",
			    key);
	*out = json_string_value(v);
	return NULL;
}

const char *
ctl_arg_bool(json_t *args, const char *key, bool *out, char *err, size_t errlen)
{
	json_t *v = json_object_get(args, key);

	if (!v)
		return NULL;
	if (!json_is_boolean(v))
		return fail(CTL_E_INVALID_ARGS, err, errlen,
			    "\"%s\" must be true or false", key);
	*out = json_is_true(v);
	return NULL;
}

const char *
ctl_arg_uint(json_t *args, const char *key, uint64_t min, uint64_t max,
	     uint64_t *out, char *err, size_t errlen)
{
	json_t *v = json_object_get(args, key);
	json_int_t n;

	if (!v)
		return NULL;
	if (!json_is_integer(v))
		return fail(CTL_E_INVALID_ARGS, err, errlen,
			    "\"%s\" must be an integer", key);
	n = json_integer_value(v);
	if (n < 0 || (uint64_t)n < min || (uint64_t)n > max)
		return fail(CTL_E_INVALID_ARGS, err, errlen,
			    "\"%s\" must be between %llu and %llu", key,
			    (unsigned long long)min, (unsigned long long)max);
	*out = (uint64_t)n;
	return NULL;
}

const char *
ctl_arg_seconds(json_t *args, const char *key, double max, uint64_t *ms,
		char *err, size_t errlen)
{
	json_t *v = json_object_get(args, key);
	double s;

	if (!v)
		return NULL;
	if (!json_is_number(v))
		return fail(CTL_E_INVALID_ARGS, err, errlen,
			    "\"%s\" must be a number of seconds", key);
	s = json_number_value(v);
	if (!isfinite(s) || s < 0 || s > max)
		return fail(CTL_E_INVALID_ARGS, err, errlen,
			    "\"%s\" must be between 0 and %.0f seconds", key,
			    max);
	*ms = (uint64_t)(s * 1000.0 + 0.5);
	return NULL;
}

/* Failures as error codes, from the engine's words (a reason and the
 * SA's last warning) so that scripts need not parse messages. */
const char *
ctl_reason_code(const char *reason)
{
	if (!reason)
		return CTL_E_FAILED;
	/* The engine names some notifies and numbers others (RFC 7296
	 * 3.10.1: 14, 24, 38). */
	if (strstr(reason, "AUTHENTICATION_FAILED") ||
	    strstr(reason, "authentication") || strstr(reason, "notify 24)"))
		return CTL_E_AUTH;
	if (strstr(reason, "NO_PROPOSAL_CHOSEN") ||
	    strstr(reason, "no proposal chosen") ||
	    strstr(reason, "notify 14)"))
		return CTL_E_NO_PROPOSAL;
	if (strstr(reason, "TS_UNACCEPTABLE") || strstr(reason, "notify 38)"))
		return CTL_E_TS;
	if (strstr(reason, "not responding") ||
	    strstr(reason, "did not answer"))
		return CTL_E_PEER_GONE;
	return CTL_E_FAILED;
}

static const char *const level_names[] = {"error", "warn", "info", "debug",
					  "trace"};

const char *
ctl_level_name(int level)
{
	if (level < 0 || level > 4)
		return "none";
	return level_names[level];
}

const char *
ctl_arg_level(json_t *args, const char *key, bool none_ok, int *out, char *err,
	      size_t errlen)
{
	const char *s = NULL, *code;
	int i;

	if ((code = ctl_arg_string(args, key, &s, err, errlen)) || !s)
		return code;
	for (i = 0; i < 5; i++)
		if (strcasecmp(s, level_names[i]) == 0) {
			*out = i;
			return NULL;
		}
	if (none_ok && strcasecmp(s, "none") == 0) {
		*out = -1;
		return NULL;
	}
	return fail(CTL_E_INVALID_ARGS, err, errlen,
		    "\"%s\" must be error, warn, info, debug or trace%s", key,
		    none_ok ? " (or none)" : "");
}

/* Compact JSON never contains a raw newline (strings escape it), so the
 * dump plus '\n' is exactly one line. */
static char *
line_of(json_t *o)
{
	char *s, *l;
	size_t n;

	if (!o)
		return NULL;
	/* 13 digits: event times to the millisecond, durations exact. */
	s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER |
			      JSON_REAL_PRECISION(13));
	json_decref(o);
	if (!s)
		return NULL;
	n = strlen(s);
	l = realloc(s, n + 2);
	if (!l) {
		free(s);
		return NULL;
	}
	l[n] = '\n';
	l[n + 1] = '\0';
	return l;
}

char *
ctl_reply_ok(json_t *id, json_t *result)
{
	json_t *o;

	if (!result)
		return NULL;
	o = json_pack("{s:O,s:b,s:o}", "id", id ? id : json_null(), "ok", 1,
		      "result", result);
	return line_of(o);
}

char *
ctl_reply_error(json_t *id, const char *code, const char *msg, json_t *extra)
{
	json_t *e, *o;

	e = json_pack("{s:s,s:o}", "code", code, "message",
		      ctl_json_text(msg, strlen(msg)));
	if (e && extra)
		json_object_update(e, extra);
	json_decref(extra);
	if (!e)
		return NULL;
	o = json_pack("{s:O,s:b,s:o}", "id", id ? id : json_null(), "ok", 0,
		      "error", e);
	return line_of(o);
}

char *
ctl_event_line(json_t *ev)
{
	return line_of(ev);
}

/* Through esc_text(), like the log: escaping twice changes nothing, so
 * text that was already (a log line) is safe to pass again. */
json_t *
ctl_json_text(const char *s, size_t len)
{
	char *copy = malloc(ESC_MAX(len) + 1);
	size_t n;
	json_t *j;

	if (!copy)
		return NULL;
	n = esc_text(s, len, copy, ESC_MAX(len) + 1);
	j = json_stringn(copy, n);
	free(copy);
	return j;
}
