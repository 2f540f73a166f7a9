/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer target for the configuration loader: arbitrary bytes as a
 * charond.yaml through libyaml, the tree with positions, the schema and the
 * value parsers, then the accepted config through printing and comparison.
 * CONFIG_NO_FILES keeps it off the file system: an include of /dev/stdin or
 * a glob over / would make runs slow and unrepeatable.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
touch_conn(const struct conn_cfg *c)
{
	char buf[256];
	size_t i, j;

	/* Every accepted connection equals itself (the reload rule). */
	if (!config_equal_conn(c, c) || config_find_child(c, "") != NULL)
		abort();
	for (i = 0; i < c->n_remote_addrs; i++)
		cfg_addr_format(&c->remote_addrs[i], buf, sizeof(buf));
	prop_format_list(c->proposals, c->n_proposals, buf, sizeof(buf));
	for (i = 0; i < c->n_children; i++) {
		const struct child_cfg *ch = &c->children[i];

		for (j = 0; j < ch->n_local_ts; j++)
			cfg_ts_format(&ch->local_ts[j], buf, sizeof(buf));
		for (j = 0; j < ch->n_remote_ts; j++)
			cfg_ts_format(&ch->remote_ts[j], buf, sizeof(buf));
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config *cfg = NULL;
	struct diag_list dl;
	char buf[1024];
	size_t i;
	int r;

	diag_list_init(&dl);
	r = config_load_buffer("fuzz.yaml", data, size, CONFIG_NO_FILES, &cfg,
			       &dl);
	/* The verdict and the list must agree. */
	if ((r == 0) != (cfg != NULL) || (r == 0 && dl.n_errors != 0) ||
	    (r == -EINVAL && dl.n_errors == 0))
		abort();
	for (i = 0; i < dl.n; i++)
		diag_format(&dl.v[i], buf, sizeof(buf));
	if (cfg != NULL) {
		for (i = 0; i < cfg->n_conns; i++) {
			touch_conn(&cfg->conns[i]);
			if (config_find_conn(cfg, cfg->conns[i].name) == NULL)
				abort();
		}
	}
	config_free(cfg);
	diag_list_free(&dl);
	return 0;
}
