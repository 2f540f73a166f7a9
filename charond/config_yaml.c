/* SPDX-License-Identifier: ISC */
/*
 * The generic half of the configuration loader: libyaml's event stream
 * turned into a small tree of maps, lists and scalars in which every node
 * keeps the line and column it started at. Syntax errors become diagnostics
 * with libyaml's position. Nothing here knows the schema (config_schema.c).
 *
 * The event API rather than libyaml's document loader, because the loader
 * expands aliases without limit (a few lines of "billion laughs" would cost
 * gigabytes when walked); here an alias shares its anchor's node and every
 * node knows how large it is with aliases expanded. Two separate caps: the
 * nodes the text really holds (YN_MAX_NODES, far above 100,000
 * connections), and what the aliases add when expanded
 * (YN_MAX_ALIAS_WEIGHT): only the latter is what a bomb inflates.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <yaml.h>

#include "config_int.h"

struct anchor {
	char *name;
	struct ynode *node;
};

struct builder {
	const char *file;
	const uint8_t *data;
	size_t len;
	struct diag_list *dl;
	struct ynode *stack[YN_MAX_DEPTH];
	char *stack_anchor[YN_MAX_DEPTH]; /* registered when complete */
	size_t depth;
	struct ynode *root;
	struct anchor *anchors;
	size_t n_anchors, cap_anchors;
	unsigned docs;
	size_t nodes;        /* created from the text */
	size_t alias_weight; /* added by aliases, expanded */
	int err;             /* 0, -EINVAL or -ENOMEM */
};

void
ynode_free(struct ynode *n)
{
	size_t i;

	if (n == NULL || --n->refs > 0)
		return;
	for (i = 0; i < n->n; i++)
		ynode_free(n->kids[i]);
	free(n->kids);
	free(n->dup_of);
	if (n->str != NULL) {
		/* Scalars may be PSKs. */
		OPENSSL_cleanse(n->str, n->len);
		free(n->str);
	}
	free(n);
}

const char *
ynode_what(const struct ynode *n)
{
	switch (n->type) {
	case YN_MAP:
		return "a map";
	case YN_LIST:
		return "a list";
	case YN_SCALAR:
		break;
	}
	return n->null ? "empty" : "a value";
}

static void b_err(struct builder *b, size_t line, size_t col, const char *fmt,
		  ...) __attribute__((format(printf, 4, 5)));

static void
b_err(struct builder *b, size_t line, size_t col, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	diag_add(b->dl, DIAG_ERROR, b->file, (unsigned)line + 1,
		 (unsigned)col + 1, "%s", msg);
	if (b->err == 0)
		b->err = -EINVAL;
}

static struct ynode *
node_new(struct builder *b, enum ynode_type type, const yaml_mark_t *m)
{
	struct ynode *n;

	if (++b->nodes > YN_MAX_NODES) {
		b_err(b, m->line, m->column,
		      "document too large: more than %d nodes", YN_MAX_NODES);
		return NULL;
	}
	n = calloc(1, sizeof(*n));
	if (n == NULL) {
		b->err = -ENOMEM;
		return NULL;
	}
	n->type = type;
	n->line = (unsigned)m->line + 1;
	n->col = (unsigned)m->column + 1;
	n->refs = 1;
	n->weight = 1;
	n->height = 1;
	return n;
}

static bool
is_null(const yaml_event_t *ev)
{
	const char *v = (const char *)ev->data.scalar.value;
	const char *tag = (const char *)ev->data.scalar.tag;

	if (tag != NULL)
		return strcmp(tag, YAML_NULL_TAG) == 0;
	if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	return v[0] == '\0' || strcmp(v, "~") == 0 || strcmp(v, "null") == 0 ||
	       strcmp(v, "Null") == 0 || strcmp(v, "NULL") == 0;
}

static int
anchor_add(struct builder *b, char *name, struct ynode *n)
{
	if (b->n_anchors == b->cap_anchors) {
		size_t cap = b->cap_anchors ? 2 * b->cap_anchors : 8;
		struct anchor *a = realloc(b->anchors, cap * sizeof(*a));

		if (a == NULL) {
			free(name);
			b->err = -ENOMEM;
			return -1;
		}
		b->anchors = a;
		b->cap_anchors = cap;
	}
	n->refs++;
	b->anchors[b->n_anchors].name = name;
	b->anchors[b->n_anchors].node = n;
	b->n_anchors++;
	return 0;
}

/* A redefined anchor shadows the earlier one, so search from the end. */
static struct ynode *
anchor_find(const struct builder *b, const char *name)
{
	size_t i;

	for (i = b->n_anchors; i-- > 0;)
		if (strcmp(b->anchors[i].name, name) == 0)
			return b->anchors[i].node;
	return NULL;
}

/* Hand a complete node to its parent (or make it the root); consumes n. */
static void
attach(struct builder *b, struct ynode *n, const yaml_mark_t *m)
{
	struct ynode *p;

	if (b->depth == 0) {
		b->root = n;
		return;
	}
	p = b->stack[b->depth - 1];
	/* Aliases can make a tree deeper and larger than its text. */
	if (b->depth + n->height > YN_MAX_DEPTH) {
		b_err(b, m->line, m->column,
		      "nested more than %d levels deep (counting aliases)",
		      YN_MAX_DEPTH);
		ynode_free(n);
		return;
	}
	if (p->type == YN_MAP && p->n % 2 == 0 && n->type != YN_SCALAR)
		b_err(b, m->line, m->column,
		      "a map key must be a plain value, not %s", ynode_what(n));
	if (p->n == p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 4;
		struct ynode **k = realloc(p->kids, cap * sizeof(*k));

		if (k == NULL) {
			b->err = -ENOMEM;
			ynode_free(n);
			return;
		}
		p->kids = k;
		p->cap = cap;
	}
	p->kids[p->n++] = n;
	p->weight += n->weight;
	if (p->height < n->height + 1)
		p->height = n->height + 1;
}

/* Pairs of the map being sorted; qsort() has no context argument. */
struct key_ref {
	const struct ynode *key;
	size_t pair;
};

static int
key_cmp(const void *a, const void *b)
{
	const struct key_ref *x = a, *y = b;
	int c;

	if (x->key->len != y->key->len)
		return x->key->len < y->key->len ? -1 : 1;
	c = memcmp(x->key->str, y->key->str, x->key->len);
	if (c != 0)
		return c;
	/* Equal keys in document order, so a run starts with the original. */
	return x->pair < y->pair ? -1 : (x->pair > y->pair);
}

static bool
key_eq(const struct ynode *x, const struct ynode *y)
{
	return x->len == y->len && memcmp(x->str, y->str, x->len) == 0;
}

/*
 * Mark repeated keys of a finished map (YAML forbids them; the schema
 * reports them with their context). Sorting keeps this O(n log n) for maps
 * with many connections.
 */
static void
mark_dups(struct builder *b, struct ynode *map)
{
	size_t np = map->n / 2, i, k, first = 0;
	struct key_ref *keys;

	if (np < 2)
		return;
	keys = malloc(np * sizeof(*keys));
	if (keys == NULL) {
		b->err = -ENOMEM;
		return;
	}
	for (i = k = 0; i < np; i++) {
		if (map->kids[2 * i]->type != YN_SCALAR)
			continue;
		keys[k].key = map->kids[2 * i];
		keys[k++].pair = i;
	}
	qsort(keys, k, sizeof(*keys), key_cmp);
	for (i = 1; i < k; i++) {
		if (!key_eq(keys[i].key, keys[i - 1].key)) {
			first = i;
			continue;
		}
		if (map->dup_of == NULL) {
			map->dup_of = calloc(np, sizeof(*map->dup_of));
			if (map->dup_of == NULL) {
				b->err = -ENOMEM;
				break;
			}
		}
		map->dup_of[keys[i].pair] = keys[first].key;
	}
	free(keys);
}

static void
on_scalar(struct builder *b, yaml_event_t *ev)
{
	struct ynode *n = node_new(b, YN_SCALAR, &ev->start_mark);
	size_t len = ev->data.scalar.length;

	if (n == NULL)
		return;
	n->str = malloc(len + 1);
	if (n->str == NULL) {
		b->err = -ENOMEM;
		free(n);
		return;
	}
	memcpy(n->str, ev->data.scalar.value, len);
	n->str[len] = '\0';
	n->len = len;
	n->null = is_null(ev);
	n->quoted = ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
	/* "\0" in a double-quoted string: C strings would cut it short. */
	if (memchr(n->str, '\0', len) != NULL)
		b_err(b, ev->start_mark.line, ev->start_mark.column,
		      "a value must not contain a NUL character");
	if (ev->data.scalar.anchor != NULL) {
		char *name = strdup((const char *)ev->data.scalar.anchor);

		if (name == NULL || anchor_add(b, name, n) != 0) {
			b->err = -ENOMEM;
			ynode_free(n);
			return;
		}
	}
	attach(b, n, &ev->start_mark);
}

static void
on_start(struct builder *b, yaml_event_t *ev, enum ynode_type type)
{
	const yaml_char_t *anchor = type == YN_MAP
					? ev->data.mapping_start.anchor
					: ev->data.sequence_start.anchor;
	struct ynode *n;

	if (b->depth == YN_MAX_DEPTH) {
		b_err(b, ev->start_mark.line, ev->start_mark.column,
		      "nested more than %d levels deep", YN_MAX_DEPTH);
		return;
	}
	n = node_new(b, type, &ev->start_mark);
	if (n == NULL)
		return;
	b->stack_anchor[b->depth] = NULL;
	if (anchor != NULL) {
		b->stack_anchor[b->depth] = strdup((const char *)anchor);
		if (b->stack_anchor[b->depth] == NULL) {
			b->err = -ENOMEM;
			free(n);
			return;
		}
	}
	b->stack[b->depth++] = n;
}

static void
on_end(struct builder *b, yaml_event_t *ev)
{
	yaml_mark_t start;
	struct ynode *n;
	char *anchor;

	if (b->depth == 0)
		return;
	n = b->stack[--b->depth];
	anchor = b->stack_anchor[b->depth];
	if (n->type == YN_MAP)
		mark_dups(b, n);
	/* Registered only now, so an alias inside its own anchor finds
	 * nothing and the tree stays acyclic. */
	if (anchor != NULL && anchor_add(b, anchor, n) != 0) {
		ynode_free(n);
		return;
	}
	/* Problems with a map or list are reported where it starts. */
	start = ev->start_mark;
	start.line = n->line - 1;
	start.column = n->col - 1;
	attach(b, n, &start);
}

static void
on_alias(struct builder *b, yaml_event_t *ev)
{
	const char *name = (const char *)ev->data.alias.anchor;
	struct ynode *n = anchor_find(b, name);

	if (n == NULL) {
		/* Not fatal: an empty value stands in, so the rest of the
		 * file is still checked. */
		diag_add(b->dl, DIAG_ERROR, b->file,
			 (unsigned)ev->start_mark.line + 1,
			 (unsigned)ev->start_mark.column + 1,
			 "unknown alias '*%s'", name);
		n = node_new(b, YN_SCALAR, &ev->start_mark);
		if (n == NULL)
			return;
		n->null = true;
		n->str = strdup("");
		if (n->str == NULL) {
			b->err = -ENOMEM;
			free(n);
			return;
		}
		attach(b, n, &ev->start_mark);
		return;
	}
	/* Each use of an anchor costs its whole expanded size once more
	 * when walked: a bound on the sum stops "billion laughs" early
	 * (the weights grow geometrically) whatever the honest size. */
	if (n->weight > YN_MAX_ALIAS_WEIGHT - b->alias_weight) {
		b_err(b, ev->start_mark.line, ev->start_mark.column,
		      "aliases expand to more than %d nodes",
		      YN_MAX_ALIAS_WEIGHT);
		return;
	}
	b->alias_weight += n->weight;
	n->refs++;
	attach(b, n, &ev->start_mark);
}

/* Reader errors carry a byte offset, not a line. */
static void
offset_pos(const struct builder *b, size_t off, size_t *line, size_t *col)
{
	size_t i;

	*line = *col = 0;
	for (i = 0; i < off && i < b->len; i++) {
		if (b->data[i] == '\n') {
			(*line)++;
			*col = 0;
		} else {
			(*col)++;
		}
	}
}

static void
syntax_error(struct builder *b, const yaml_parser_t *p)
{
	const char *problem = p->problem ? p->problem : "unknown error";
	char hint[80] = "";
	size_t line, col, i;

	switch (p->error) {
	case YAML_MEMORY_ERROR:
		b->err = -ENOMEM;
		return;
	case YAML_READER_ERROR:
		offset_pos(b, p->problem_offset, &line, &col);
		if (p->problem_value != -1)
			b_err(b, line, col, "YAML: %s (byte 0x%02x)", problem,
			      (unsigned)p->problem_value & 0xff);
		else
			b_err(b, line, col, "YAML: %s", problem);
		return;
	default:
		break;
	}
	line = p->problem_mark.line;
	col = p->problem_mark.column;
	/* "%any" and "::" are the usual victims: '%' starts a directive, and
	 * a plain value cannot start with ':' or '@'. */
	i = p->problem_mark.index;
	if (i < b->len &&
	    (strchr("%@`", b->data[i]) != NULL ||
	     (b->data[i] == ':' && i + 1 < b->len && b->data[i + 1] == ':'))) {
		snprintf(hint, sizeof(hint),
			 " (quote a value that starts with '%c', e.g. "
			 "\"%%any\" or \"::\")",
			 b->data[i]);
	}
	if (p->context != NULL &&
	    (p->context_mark.line != line || p->context_mark.column != col))
		b_err(b, line, col, "YAML: %s %s (started at %zu:%zu)%s",
		      problem, p->context, p->context_mark.line + 1,
		      p->context_mark.column + 1, hint);
	else if (p->context != NULL)
		b_err(b, line, col, "YAML: %s %s%s", problem, p->context, hint);
	else
		b_err(b, line, col, "YAML: %s%s", problem, hint);
}

static void
builder_clear(struct builder *b)
{
	size_t i;

	for (i = 0; i < b->depth; i++) {
		ynode_free(b->stack[i]);
		free(b->stack_anchor[i]);
	}
	for (i = 0; i < b->n_anchors; i++) {
		free(b->anchors[i].name);
		ynode_free(b->anchors[i].node);
	}
	free(b->anchors);
}

int
config_yaml_parse(const char *file, const void *data, size_t len,
		  struct diag_list *dl, struct ynode **root)
{
	struct builder b;
	yaml_parser_t p;
	yaml_event_t ev;
	bool done = false;

	*root = NULL;
	memset(&b, 0, sizeof(b));
	b.file = file;
	b.data = data;
	b.len = len;
	b.dl = dl;
	if (!yaml_parser_initialize(&p))
		return -ENOMEM;
	yaml_parser_set_input_string(&p, data, len);
	while (!done && b.err == 0) {
		if (!yaml_parser_parse(&p, &ev)) {
			syntax_error(&b, &p);
			break;
		}
		switch (ev.type) {
		case YAML_DOCUMENT_START_EVENT:
			/* Stop here, but keep the first document: its own
			 * problems are worth reporting in the same pass. */
			if (++b.docs > 1) {
				diag_add(dl, DIAG_ERROR, file,
					 (unsigned)ev.start_mark.line + 1,
					 (unsigned)ev.start_mark.column + 1,
					 "a configuration file holds one YAML "
					 "document; this starts a second one");
				done = true;
			}
			break;
		case YAML_SCALAR_EVENT:
			on_scalar(&b, &ev);
			/* libyaml frees without wiping; the value may be a
			 * PSK. */
			OPENSSL_cleanse(ev.data.scalar.value,
					ev.data.scalar.length);
			break;
		case YAML_SEQUENCE_START_EVENT:
			on_start(&b, &ev, YN_LIST);
			break;
		case YAML_MAPPING_START_EVENT:
			on_start(&b, &ev, YN_MAP);
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			on_end(&b, &ev);
			break;
		case YAML_ALIAS_EVENT:
			on_alias(&b, &ev);
			break;
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&p);
	builder_clear(&b);
	if (b.err != 0) {
		ynode_free(b.root);
		return b.err;
	}
	*root = b.root;
	return 0;
}
