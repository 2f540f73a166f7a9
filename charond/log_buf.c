/* SPDX-License-Identifier: ISC */
/*
 * The buffer of log lines for stderr while the event loop runs. stderr is
 * unbuffered: one write(2) per line was a seventh of a responder's CPU
 * under load (four lines per IKE SA). While buffering is on, lines gather
 * here and go out in one write when the loop is about to wait
 * (main.c's prepare watcher), when the next line does not fit, when
 * buffering is turned off (after the loop), at exit(), and on a fatal
 * signal (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT), whose handler writes
 * what is buffered before the previous disposition (the default, or a
 * sanitizer's) takes over. Only a SIGKILL (the OOM killer) or a hang
 * inside one loop iteration keeps lines back: at most that iteration's.
 * Outside the loop (start-up, configuration errors, shutdown) every line
 * is written at once, as before, so it stays ordered with stdout.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"

static char buf[LOG_BUF_SIZE];
/* Updated only after the bytes it covers are in buf, so the fatal
 * signal handler writes whole lines even when it interrupts an append. */
static volatile size_t used;
static bool on;

static const int fatal_sigs[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT};
#define N_FATAL (sizeof(fatal_sigs) / sizeof(fatal_sigs[0]))
static struct sigaction prev[N_FATAL];
static bool handlers_set;

/* All of p (a failed write drops the rest: there is nowhere to report
 * it, and a daemon must not stop over its stderr). */
static void
write_all(const char *p, size_t n)
{
	ssize_t w;

	while (n) {
		w = write(STDERR_FILENO, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

void
log_flush(void)
{
	size_t n = used;

	if (!n)
		return;
	write_all(buf, n);
	used = 0;
}

static void
on_fatal(int sig, siginfo_t *si, void *uc)
{
	size_t i;

	(void)uc;
	/* write(2) is async-signal-safe; used is whole lines. */
	log_flush();
	for (i = 0; i < N_FATAL; i++)
		if (fatal_sigs[i] == sig)
			sigaction(sig, &prev[i], NULL);
	/* A fault repeats on return and meets the previous handler with
	 * its real address; a sent signal (kill, raise, abort) must be
	 * sent again. */
	if (si->si_code <= 0)
		raise(sig);
}

static void
set_handlers(void)
{
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_fatal;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < N_FATAL; i++)
		sigaction(fatal_sigs[i], &sa, &prev[i]);
	atexit(log_flush);
	handlers_set = true;
}

void
log_buffer(bool enable)
{
	if (enable && !handlers_set)
		set_handlers();
	if (!enable)
		log_flush();
	on = enable;
}

void
log_write(const char *line, size_t len)
{
	if (!on) {
		write_all(line, len);
		return;
	}
	if (len > sizeof(buf) - used)
		log_flush();
	if (len > sizeof(buf)) {
		write_all(line, len);
		return;
	}
	memcpy(buf + used, line, len);
	used += len;
}
