/* SPDX-License-Identifier: ISC */
/*
 * Interned proposal lists. A struct proposal holds room for 64 transforms
 * (396 bytes) while a configured one uses three or four, and thousands of
 * connections usually share a handful of proposal lists: a pool keeps one
 * reference-counted copy of each distinct list, found by its contents
 * through a hash table, so a connection costs a pointer per list instead
 * of 400 bytes per proposal. charond's configuration and the engine's copy
 * of it each keep a pool (one owner each, no locking); a list from a pool
 * is shared and must not be written.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "prop.h"

struct prop_list {
	struct prop_list *next; /* in its bucket */
	size_t hash;
	unsigned refs;
	size_t n;
	struct proposal p[]; /* what prop_pool_get() hands out */
};

struct prop_pool {
	struct prop_list **bucket;
	size_t cap; /* a power of two, or 0 */
	size_t n;
};

struct prop_pool *
prop_pool_new(void)
{
	return calloc(1, sizeof(struct prop_pool));
}

void
prop_pool_free(struct prop_pool *pool)
{
	struct prop_list *l, *next;
	size_t i;

	if (pool == NULL)
		return;
	for (i = 0; i < pool->cap; i++)
		for (l = pool->bucket[i]; l != NULL; l = next) {
			next = l->next;
			free(l);
		}
	free(pool->bucket);
	free(pool);
}

/* Over the fields prop_equal() compares, so equal lists hash alike
 * whatever their padding and unused transforms hold. */
static size_t
list_hash(const struct proposal *p, size_t n)
{
	size_t h = 14695981039346656037ULL, i, j;

#define MIX(v) (h = (h ^ (size_t)(v)) * 1099511628211ULL)
	MIX(n);
	for (i = 0; i < n; i++) {
		MIX(p[i].num);
		MIX(p[i].proto);
		MIX(p[i].n_xf);
		for (j = 0; j < p[i].spi_size && j < sizeof(p[i].spi); j++)
			MIX(p[i].spi[j]);
		for (j = 0; j < p[i].n_xf && j < IKE_MAX_TRANSFORMS; j++) {
			MIX(p[i].xf[j].type);
			MIX(p[i].xf[j].flags);
			MIX(p[i].xf[j].id);
			MIX(p[i].xf[j].key_bits);
		}
	}
#undef MIX
	return h;
}

bool
prop_list_equal(const struct proposal *a, size_t na, const struct proposal *b,
		size_t nb)
{
	size_t i;

	if (na != nb)
		return false;
	if (a == b)
		return true;
	for (i = 0; i < na; i++)
		if (!prop_equal(&a[i], &b[i]))
			return false;
	return true;
}

static int
grow(struct prop_pool *pool)
{
	size_t cap = pool->cap ? 2 * pool->cap : 16, i;
	struct prop_list **b = calloc(cap, sizeof(*b)), *l, *next;

	if (b == NULL)
		return -ENOMEM;
	for (i = 0; i < pool->cap; i++)
		for (l = pool->bucket[i]; l != NULL; l = next) {
			next = l->next;
			l->next = b[l->hash & (cap - 1)];
			b[l->hash & (cap - 1)] = l;
		}
	free(pool->bucket);
	pool->bucket = b;
	pool->cap = cap;
	return 0;
}

struct proposal *
prop_pool_get(struct prop_pool *pool, const struct proposal *p, size_t n)
{
	size_t h, i;
	struct prop_list *l;

	if (n == 0)
		return NULL;
	h = list_hash(p, n);
	for (l = pool->cap ? pool->bucket[h & (pool->cap - 1)] : NULL;
	     l != NULL; l = l->next)
		if (l->hash == h && prop_list_equal(l->p, l->n, p, n)) {
			l->refs++;
			return l->p;
		}
	if (pool->n + 1 > pool->cap && grow(pool) != 0)
		return NULL;
	l = malloc(sizeof(*l) + n * sizeof(l->p[0]));
	if (l == NULL)
		return NULL;
	l->hash = h;
	l->refs = 1;
	l->n = n;
	for (i = 0; i < n; i++)
		l->p[i] = p[i];
	l->next = pool->bucket[h & (pool->cap - 1)];
	pool->bucket[h & (pool->cap - 1)] = l;
	pool->n++;
	return l->p;
}

void
prop_pool_put(struct prop_pool *pool, const struct proposal *p)
{
	struct prop_list *l, **pp;

	if (p == NULL)
		return;
	l = (struct prop_list *)(void *)((char *)(uintptr_t)p -
					 offsetof(struct prop_list, p));
	if (--l->refs > 0)
		return;
	for (pp = &pool->bucket[l->hash & (pool->cap - 1)]; *pp != l;
	     pp = &(*pp)->next)
		;
	*pp = l->next;
	pool->n--;
	free(l);
}
