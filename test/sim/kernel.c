/* SPDX-License-Identifier: ISC */
/*
 * The fake kernel: each host's SAD as the engine drives it. It keeps every
 * SPI it handed out and what became of it, with the keys of each install,
 * so that the checks can compare both ends of a CHILD SA and what the
 * engines believe against what they told the kernel. Misuse (installing an
 * SPI twice, removing one that is not there) fails the run at once.
 */
#include <stdlib.h>
#include <string.h>

#include "sim.h"

struct ksa *
kernel_find(struct host *h, uint32_t spi_in)
{
	size_t i;

	for (i = 0; i < h->k.n; i++)
		if (h->k.v[i].spi_in == spi_in)
			return &h->k.v[i];
	return NULL;
}

int
kernel_alloc(struct host *h, uint32_t *spi)
{
	struct kernel *k = &h->k;
	struct ksa *n;

	if (k->n == k->cap) {
		size_t cap = k->cap ? 2 * k->cap : 32;
		struct ksa *v = realloc(k->v, cap * sizeof(*v));

		if (!v)
			return -1;
		k->v = v;
		k->cap = cap;
	}
	/* Per host unique, and telling in logs: the host's number on top. */
	*spi = (uint32_t)(h->idx + 1) << 24 | ++k->next_spi;
	n = &k->v[k->n++];
	memset(n, 0, sizeof(*n));
	n->spi_in = *spi;
	n->st = KSA_ALLOCATED;
	if (h->sim->verbose)
		sim_log(h->sim, "%s kernel: SPI %08x allocated", h->name, *spi);
	return 0;
}

static void
keep(uint8_t *dst, size_t *len, const struct secret *s)
{
	*len = s ? s->len : 0;
	if (*len > 64)
		*len = 64;
	if (s)
		memcpy(dst, s->ptr, *len);
}

void
kernel_install(struct host *h, const struct ike_child_install *ci)
{
	struct ksa *k = kernel_find(h, ci->spi_in);

	if (!k) {
		sim_fail(h->sim,
			 "%s: install of SPI %08x the kernel never "
			 "allocated",
			 h->name, ci->spi_in);
		return;
	}
	if (k->st != KSA_ALLOCATED) {
		sim_fail(h->sim, "%s: install of SPI %08x that is %s", h->name,
			 ci->spi_in, k->st == KSA_LIVE ? "installed" : "freed");
		return;
	}
	k->st = KSA_LIVE;
	k->spi_out = ci->spi_out;
	k->ike_id = ci->ike_id;
	k->child_id = ci->child_id;
	k->local = ci->local;
	k->remote = ci->remote;
	keep(k->encr_in, &k->encr_len, ci->encr_in);
	keep(k->encr_out, &k->encr_len, ci->encr_out);
	keep(k->integ_in, &k->integ_len, ci->integ_in);
	keep(k->integ_out, &k->integ_len, ci->integ_out);
}

void
kernel_remove(struct host *h, const struct ike_child_install *ci)
{
	struct ksa *k = kernel_find(h, ci->spi_in);

	if (!k || k->st == KSA_FREE) {
		sim_fail(h->sim, "%s: remove of SPI %08x that is %s", h->name,
			 ci->spi_in, k ? "already removed" : "unknown");
		return;
	}
	k->st = KSA_FREE;
	if (h->sim->verbose)
		sim_log(h->sim, "%s kernel: SPI %08x removed", h->name,
			ci->spi_in);
}

static bool
same_ep(const struct ike_endpoint *a, const struct ike_endpoint *b)
{
	return memcmp(&a->ss, &b->ss, sizeof(a->ss)) == 0;
}

/* env.child_move: `from` must be what is installed, `to` the same SA at
 * other endpoints, neither with keys (the kernel keeps them). */
int
kernel_move(struct host *h, const struct ike_child_install *from,
	    const struct ike_child_install *to)
{
	struct ksa *k = kernel_find(h, from->spi_in);
	const char *bad = NULL;

	if (!k || k->st != KSA_LIVE)
		bad = k ? "not installed" : "unknown";
	else if (from->spi_out != k->spi_out)
		bad = "installed with another outbound SPI";
	else if (!same_ep(&from->local, &k->local) ||
		 !same_ep(&from->remote, &k->remote))
		bad = "installed at other endpoints than `from` says";
	else if (to->spi_in != from->spi_in || to->spi_out != from->spi_out ||
		 to->reqid != from->reqid || to->ike_id != from->ike_id ||
		 to->child_id != from->child_id)
		bad = "not the same SA in `from` and `to`";
	else if (from->encr_in || from->encr_out || from->integ_in ||
		 from->integ_out || to->encr_in || to->encr_out ||
		 to->integ_in || to->integ_out)
		bad = "given keys";
	if (bad) {
		sim_fail(h->sim, "%s: child_move of SPI %08x, which is %s",
			 h->name, from->spi_in, bad);
		return -1;
	}
	k->local = to->local;
	k->remote = to->remote;
	h->sim->st.child_moved++;
	if (h->sim->verbose)
		sim_log(h->sim, "%s kernel: SPI %08x moved", h->name,
			from->spi_in);
	return 0;
}

void
kernel_free(struct kernel *k)
{
	free(k->v);
	memset(k, 0, sizeof(*k));
}
