/* SPDX-License-Identifier: ISC */
/*
 * Logging: one line per event on stderr (or syslog with --syslog), with the
 * IKE SA's connection name and number when the line is about one, so an
 * admin can follow one negotiation with grep. With daemon.log.format json
 * each line is one JSON object instead (time, level, conn, ike_id, msg),
 * for log collectors.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <sys/stat.h>

#include "daemon.h"
#include "escape.h"

#define LOG_LINE_MAX 1024

static enum ike_log_level cur_level = IKE_LOG_INFO;
static bool use_syslog;
static bool use_json; /* daemon.log.format: json */
/* stderr is systemd's journal stream: no timestamp (the journal has its
 * own), a <N> priority prefix (journalctl -p warning finds the failures). */
static bool to_journal;

static const char *const names[] = {"error", "warn", "info", "debug", "trace"};

/* ctl.c's monitor clients may want lines the daemon does not log. */
static log_tap_fn *tap_fn;
static int tap_level = -1;

void
log_set_tap(log_tap_fn *fn, int level)
{
	tap_fn = fn;
	tap_level = fn ? level : -1;
}

static bool
wanted(enum ike_log_level level)
{
	return level <= cur_level || (int)level <= tap_level;
}

void
log_init(enum ike_log_level level, bool to_syslog)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	cur_level = level;
	use_syslog = to_syslog;
	/* JOURNAL_STREAM is DEV:INO of the stream systemd gave stderr
	 * (systemd.exec(5)); only that very stream is the journal. */
	to_journal = js && sscanf(js, "%llu:%llu", &dev, &ino) == 2 &&
		     fstat(STDERR_FILENO, &st) == 0 &&
		     (unsigned long long)st.st_dev == dev &&
		     (unsigned long long)st.st_ino == ino;
	if (use_syslog)
		openlog("charond", LOG_PID, LOG_DAEMON);
}

void
log_set_json(bool json)
{
	use_json = json;
}

void
log_set_level(enum ike_log_level level)
{
	cur_level = level;
}

enum ike_log_level
log_level(void)
{
	return cur_level;
}

int
log_parse_level(const char *s, enum ike_log_level *out)
{
	unsigned i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcasecmp(s, names[i]) == 0) {
			*out = (enum ike_log_level)i;
			return 0;
		}
	return -1;
}

/* Append the JSON string of esc_text's output (no control characters,
 * valid UTF-8: only '"' and '\\' need a backslash) to out at *pos,
 * quotes included. A string that does not fit is cut short, never in
 * the middle of an escape, and keeps room for its closing quote and
 * for tail more bytes. */
static void
json_str(char *out, size_t outlen, size_t *pos, const char *s, size_t tail)
{
	size_t p = *pos;

	if (p + 2 + tail >= outlen)
		return;
	out[p++] = '"';
	for (; *s; s++) {
		bool quote = *s == '"' || *s == '\\';

		if (p + (quote ? 2 : 1) + 1 + tail >= outlen)
			break;
		if (quote)
			out[p++] = '\\';
		out[p++] = *s;
	}
	out[p++] = '"';
	out[p] = '\0';
	*pos = p;
}

size_t
log_format_json(char *out, size_t outlen, const struct timespec *ts,
		enum ike_log_level level, const char *conn, unsigned id,
		const char *msg)
{
	char when[32], safe[ESC_MAX(LOG_LINE_MAX) + 1];
	struct tm tm;
	size_t pos;
	int n;

	if (outlen < LOG_JSON_MIN)
		return 0;
	gmtime_r(&ts->tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	n = snprintf(out, outlen,
		     "{\"time\":\"%s.%03ldZ\",\"level\":\"%s\","
		     "\"conn\":",
		     when, ts->tv_nsec / 1000000, names[level]);
	pos = (size_t)n;
	if (conn) {
		esc_text(conn, strlen(conn), safe, sizeof(safe));
		json_str(out, outlen, &pos, safe, 40);
		pos += (size_t)snprintf(out + pos, outlen - pos,
					",\"ike_id\":%u,\"msg\":", id);
	} else {
		pos += (size_t)snprintf(out + pos, outlen - pos,
					"null,\"ike_id\":null,\"msg\":");
	}
	esc_text(msg, strlen(msg), safe, sizeof(safe));
	json_str(out, outlen, &pos, safe, 1);
	out[pos++] = '}';
	out[pos] = '\0';
	return pos;
}

/* One line to stderr through log_buf.c: formatted here, newline
 * included, so the buffer only copies bytes. */
static void out_line(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

static void
out_line(const char *fmt, ...)
{
	char out[ESC_MAX(LOG_LINE_MAX) + 64];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(out, sizeof(out), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(out)) {
		n = (int)sizeof(out) - 1;
		out[n - 1] = '\n';
	}
	log_write(out, (size_t)n);
}

static void
emit(enum ike_log_level level, const char *conn, unsigned id, const char *msg)
{
	const char *line;
	static const int prio[] = {LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG,
				   LOG_DEBUG};
	struct timespec ts;
	struct tm tm;
	char raw[LOG_LINE_MAX], when[32], safe[ESC_MAX(LOG_LINE_MAX) + 1];
	char json[LOG_JSON_MAX + 1];
	size_t n;

	if (conn)
		snprintf(raw, sizeof(raw), "[%s#%u] %s", conn, id, msg);
	else
		snprintf(raw, sizeof(raw), "%s", msg);
	/* Lines quote peers (their identities, their notify data): a
	 * newline would forge a line, an escape sequence drive the
	 * terminal. Every sink gets the escaped line. */
	esc_text(raw, strlen(raw), safe, sizeof(safe));
	line = safe;
	if (tap_fn && (int)level <= tap_level)
		tap_fn(level, conn, id, line);
	if (level > cur_level)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	if (use_syslog) {
		if (use_json) {
			log_format_json(json, LOG_JSON_MAX, &ts, level, conn,
					id, msg);
			line = json;
		}
		syslog(prio[level], "%s", line);
		return;
	}
	if (use_json) {
		/* json has one byte more than the object may take. */
		n = log_format_json(json, LOG_JSON_MAX, &ts, level, conn, id,
				    msg);
		json[n++] = '\n';
		log_write(json, n);
		return;
	}
	if (to_journal) {
		out_line("<%d>%-5s %s\n", prio[level], names[level], line);
		return;
	}
	gmtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof(when), "%H:%M:%S", &tm);
	out_line("%s.%03ld %-5s %s\n", when, ts.tv_nsec / 1000000, names[level],
		 line);
}

void
log_msg(enum ike_log_level level, const char *fmt, ...)
{
	char line[LOG_LINE_MAX];
	va_list ap;

	if (!wanted(level))
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	emit(level, NULL, 0, line);
}

void
log_sa(enum ike_log_level level, const char *conn, unsigned id, const char *msg)
{
	if (!wanted(level))
		return;
	emit(level, conn, id, msg);
}
