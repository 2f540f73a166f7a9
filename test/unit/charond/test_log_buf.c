/* SPDX-License-Identifier: ISC */
/*
 * charond/log_buf.c: while buffering, stderr lines wait for log_flush(),
 * a full buffer or the end of buffering, and come out whole and in
 * order; a fatal signal writes them before the process dies. stderr is
 * a temporary file here, read back with pread.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <check.h>

#include "daemon.h"
#include "tests.h"

static int saved_err = -1;
static int file = -1;

/* stderr (fd 2) becomes a fresh temporary file. */
static void
to_file(void)
{
	char path[] = "/tmp/charond-log-buf-XXXXXX";

	file = mkstemp(path);
	ck_assert_int_ge(file, 0);
	unlink(path);
	saved_err = dup(STDERR_FILENO);
	ck_assert_int_ge(saved_err, 0);
	ck_assert_int_eq(dup2(file, STDERR_FILENO), STDERR_FILENO);
}

static void
restore(void)
{
	log_buffer(false);
	dup2(saved_err, STDERR_FILENO);
	close(saved_err);
	close(file);
}

/* How many bytes stderr's file holds; its first len in out. */
static size_t
written(char *out, size_t len)
{
	off_t end = lseek(file, 0, SEEK_END);
	ssize_t n;

	ck_assert_int_ge(end, 0);
	if (out && len) {
		n = pread(file, out, len, 0);
		ck_assert_int_ge(n, 0);
	}
	return (size_t)end;
}

START_TEST(lines_wait_for_flush_in_order)
{
	char got[64];

	to_file();
	log_write("direct\n", 7);
	ck_assert_uint_eq(written(NULL, 0), 7);
	log_buffer(true);
	log_write("one\n", 4);
	log_write("two\n", 4);
	ck_assert_uint_eq(written(NULL, 0), 7);
	log_flush();
	ck_assert_uint_eq(written(got, sizeof(got)), 15);
	ck_assert(memcmp(got, "direct\none\ntwo\n", 15) == 0);
	log_write("three\n", 6);
	log_buffer(false); /* the end of the loop writes what is left */
	ck_assert_uint_eq(written(got, sizeof(got)), 21);
	ck_assert(memcmp(got + 15, "three\n", 6) == 0);
	log_write("after\n", 6);
	ck_assert_uint_eq(written(NULL, 0), 27);
	restore();
}
END_TEST

START_TEST(a_full_buffer_is_written_before_the_next_line)
{
	static char line[1000], got[2 * LOG_BUF_SIZE];
	size_t i, n = LOG_BUF_SIZE / sizeof(line);

	to_file();
	log_buffer(true);
	for (i = 0; i < n; i++) {
		memset(line, 'a' + (int)(i % 26), sizeof(line) - 1);
		line[sizeof(line) - 1] = '\n';
		log_write(line, sizeof(line));
	}
	ck_assert_uint_eq(written(NULL, 0), 0);
	/* This one does not fit: the buffer goes out first, whole lines. */
	log_write(line, sizeof(line));
	ck_assert_uint_eq(written(NULL, 0), n * sizeof(line));
	log_flush();
	ck_assert_uint_eq(written(got, sizeof(got)), (n + 1) * sizeof(line));
	for (i = 0; i <= n; i++)
		ck_assert_int_eq(got[i * sizeof(line)],
				 'a' + (int)(i < n ? i % 26 : (n - 1) % 26));
	restore();
}
END_TEST

START_TEST(a_fatal_signal_writes_the_buffer)
{
	char got[64];
	int status;
	pid_t pid;

	to_file();
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		log_buffer(true);
		log_write("before the crash\n", 17);
		abort();
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFSIGNALED(status));
	ck_assert_int_eq(WTERMSIG(status), SIGABRT);
	ck_assert_uint_eq(written(got, sizeof(got)), 17);
	ck_assert(memcmp(got, "before the crash\n", 17) == 0);
	restore();
}
END_TEST

Suite *
log_buf_suite(void)
{
	Suite *s = suite_create("log_buf");
	TCase *tc = tcase_create("buffer");

	tcase_add_test(tc, lines_wait_for_flush_in_order);
	tcase_add_test(tc, a_full_buffer_is_written_before_the_next_line);
	tcase_add_test(tc, a_fatal_signal_writes_the_buffer);
	suite_add_tcase(s, tc);
	return s;
}
