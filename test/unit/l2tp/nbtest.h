/* SPDX-License-Identifier: ISC */
/*
 * What the l2tp plugin's neighbour tests share: the list of their suites,
 * a recorder of what l2tp_neighbour_check reports, and scratch trees for
 * the files too odd or too big to keep in test/data/l2tp/.
 */
#ifndef TEST_L2TP_NBTEST_H
#define TEST_L2TP_NBTEST_H

#include <stddef.h>

#include <check.h>

#define X(name) Suite *name(void);
#include "suites.h"
#undef X

#define NB_DATA TEST_DATA "/l2tp"
#define NB_MAX  8

/* Every report, in order; the first NB_MAX kept. */
struct nb_seen {
	int n;
	char msg[NB_MAX][8192];
};

/* l2tp_neighbour_check on these paths; NULL for no xl2tpd.conf. */
int nb_run(const char *proc, const char *conf, struct nb_seen *s);

/* The tests' scratch root, made and removed around each suite's tests in
 * the runner's process (tcase_add_unchecked_fixture): a failed test, which
 * ends before its own cleanup, leaves nothing behind in /tmp. */
void nb_root_make(void);
void nb_root_remove(void);
/* A scratch directory under it (for nb_put and nb_link) into dir, removed
 * by nb_tmp_free. */
void nb_tmp(char dir[128]);
void nb_tmp_free(const char *dir);
/* dir/rel with len bytes of data, parent directories made. */
void nb_put(const char *dir, const char *rel, const char *data, size_t len);
/* dir/rel a symbolic link to target, parent directories made. */
void nb_link(const char *dir, const char *rel, const char *target);

#endif
