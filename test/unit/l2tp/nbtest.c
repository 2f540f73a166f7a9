/* SPDX-License-Identifier: ISC */
/* The neighbour tests' recorder and scratch trees (nbtest.h). */
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nbtest.h"
#include "neighbour.h"

static void
record(void *ctx, const char *msg)
{
	struct nb_seen *s = ctx;

	/* One line each, as the plugin prints them after FILE:LINE:COL. */
	ck_assert_ptr_null(strchr(msg, '\n'));
	if (s->n < NB_MAX)
		snprintf(s->msg[s->n], sizeof(s->msg[s->n]), "%s", msg);
	s->n++;
}

int
nb_run(const char *proc, const char *conf, struct nb_seen *s)
{
	struct l2tp_neighbour_paths p = {.proc = proc, .xl2tpd_conf = conf};

	memset(s, 0, sizeof(*s));
	return l2tp_neighbour_check(&p, record, s);
}

static char root[64];

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	remove(path);
	return 0;
}

void
nb_tmp_free(const char *dir)
{
	nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

void
nb_root_make(void)
{
	snprintf(root, sizeof(root), "/tmp/l2tp-nb-XXXXXX");
	if (mkdtemp(root) == NULL) {
		perror("mkdtemp");
		abort();
	}
}

void
nb_root_remove(void)
{
	nb_tmp_free(root);
}

void
nb_tmp(char dir[128])
{
	snprintf(dir, 128, "%s/t-XXXXXX", root);
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

/* The parent directories of dir/rel, and that path into path. */
static void
parents(const char *dir, const char *rel, char path[PATH_MAX])
{
	char *slash;

	ck_assert_int_lt(snprintf(path, PATH_MAX, "%s/%s", dir, rel), PATH_MAX);
	for (slash = strchr(path + strlen(dir) + 1, '/'); slash != NULL;
	     slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(path, 0755);
		*slash = '/';
	}
}

void
nb_put(const char *dir, const char *rel, const char *data, size_t len)
{
	char path[PATH_MAX];
	FILE *f;

	parents(dir, rel, path);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
}

void
nb_link(const char *dir, const char *rel, const char *target)
{
	char path[PATH_MAX];

	parents(dir, rel, path);
	ck_assert_int_eq(symlink(target, path), 0);
}
