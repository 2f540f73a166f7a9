/* SPDX-License-Identifier: ISC */
/*
 * Logging: one line per event on stderr (or syslog with --syslog), with the
 * IKE SA's connection name and number when the line is about one, so an
 * admin can follow one negotiation with grep.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>

#include "daemon.h"
#include "escape.h"

#define LOG_LINE_MAX 1024

static enum ike_log_level cur_level = IKE_LOG_INFO;
static bool use_syslog;

static const char *const names[] = {"error", "warn", "info", "debug", "trace"};

/* ctl.c's monitor clients may want lines the daemon does not log. */
static void (*tap_fn)(enum ike_log_level level, const char *line);
static int tap_level = -1;

void
log_set_tap(void (*fn)(enum ike_log_level level, const char *line), int level)
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
	cur_level = level;
	use_syslog = to_syslog;
	if (use_syslog)
		openlog("charond", LOG_PID, LOG_DAEMON);
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

static void
emit(enum ike_log_level level, const char *raw)
{
	const char *line;
	static const int prio[] = {LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG,
				   LOG_DEBUG};
	struct timespec ts;
	struct tm tm;
	char when[32], safe[ESC_MAX(LOG_LINE_MAX) + 1];

	/* Lines quote peers (their identities, their notify data): a
	 * newline would forge a line, an escape sequence drive the
	 * terminal. Every sink gets the escaped line. */
	esc_text(raw, strlen(raw), safe, sizeof(safe));
	line = safe;
	if (tap_fn && (int)level <= tap_level)
		tap_fn(level, line);
	if (level > cur_level)
		return;
	if (use_syslog) {
		syslog(prio[level], "%s", line);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof(when), "%H:%M:%S", &tm);
	fprintf(stderr, "%s.%03ld %-5s %s\n", when, ts.tv_nsec / 1000000,
		names[level], line);
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
	emit(level, line);
}

void
log_sa(enum ike_log_level level, const char *conn, unsigned id, const char *msg)
{
	char line[LOG_LINE_MAX];

	if (!wanted(level))
		return;
	if (conn)
		snprintf(line, sizeof(line), "[%s#%u] %s", conn, id, msg);
	else
		snprintf(line, sizeof(line), "%s", msg);
	emit(level, line);
}
