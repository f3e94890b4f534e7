/*
 * ac.c — the Aho-Corasick automaton of ac.h.  Built as a byte trie with
 * linked child lists, then compacted: each node's edges sorted in one flat
 * array (searched linearly when few, by bisection when many), the root's
 * edges as a dense 256-entry table since almost every byte of a scan
 * passes through it, failure links and "dictionary" links (the nearest
 * suffix node where a pattern ends) computed breadth-first.
 */
#include "ac.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "normalize.h"

struct ac_pat {
	char *bytes;    /* the pattern */
	size_t len;     /* its length */
	unsigned flags; /* AC_BOUND_* */
};

struct ac_builder {
	struct ac_pat *pats; /* patterns in id order */
	size_t n;            /* patterns added */
	size_t cap;          /* allocated entries */
};

struct ac {
	uint32_t root_next[256];  /* root transitions (0 = stay at root) */
	uint32_t *edge_first;     /* per node: index of its first edge */
	uint16_t *edge_count;     /* per node: number of edges */
	unsigned char *edge_byte; /* per edge: its byte, sorted per node */
	uint32_t *edge_to;        /* per edge: target node */
	uint32_t *fail;           /* per node: failure link */
	int32_t *dict;     /* per node: nearest suffix with output or -1 */
	int32_t *out;      /* per node: first pattern ending here or -1 */
	int32_t *pat_next; /* per pattern: next one at the same node */
	uint32_t *pat_len; /* per pattern: length in bytes */
	unsigned char *pat_flags; /* per pattern: AC_BOUND_* */
	uint32_t *delta;    /* full transitions: node * n_classes + class */
	uint16_t cls[256];  /* byte -> class (0 = in no pattern) */
	unsigned char *hit; /* per node: a pattern ends here or on its
	                       dictionary chain */
	size_t n_classes;   /* distinct classes */
	size_t n_nodes;     /* nodes in the trie */
	size_t n_pats;      /* patterns */
};

struct ac_builder *ac_builder_new(void)
{
	return calloc(1, sizeof(struct ac_builder));
}

void ac_builder_free(struct ac_builder *b)
{
	size_t i;

	if (!b)
		return;
	for (i = 0; i < b->n; i++)
		free(b->pats[i].bytes);
	free(b->pats);
	free(b);
}

int ac_builder_add(struct ac_builder *b, const char *pat, size_t len,
                   unsigned flags)
{
	char *copy;

	if (len == 0 || len > AC_MAX_PATTERN_LEN || b->n >= AC_MAX_PATTERNS)
		return -EINVAL;
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 64;
		struct ac_pat *p = realloc(b->pats, cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		b->pats = p;
		b->cap = cap;
	}
	copy = malloc(len);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, pat, len);
	b->pats[b->n].bytes = copy;
	b->pats[b->n].len = len;
	b->pats[b->n].flags = flags;
	return (int)b->n++;
}

void ac_free(struct ac *ac)
{
	if (!ac)
		return;
	free(ac->delta);
	free(ac->hit);
	free(ac->edge_first);
	free(ac->edge_count);
	free(ac->edge_byte);
	free(ac->edge_to);
	free(ac->fail);
	free(ac->dict);
	free(ac->out);
	free(ac->pat_next);
	free(ac->pat_len);
	free(ac->pat_flags);
	free(ac);
}

size_t ac_pattern_count(const struct ac *ac)
{
	return ac->n_pats;
}

/* The trie while building: child lists linked through `sibling`. */
struct tnode {
	uint32_t child;     /* first child, 0 = none (root is never a child) */
	uint32_t sibling;   /* next sibling, 0 = none */
	unsigned char byte; /* the byte on the edge into this node */
};

static uint32_t tfind(const struct tnode *t, uint32_t node, unsigned char c)
{
	uint32_t ch;

	for (ch = t[node].child; ch; ch = t[ch].sibling)
		if (t[ch].byte == c)
			return ch;
	return 0;
}

static int cmp_edge(const void *a, const void *b)
{
	const unsigned char *x = a, *y = b;
	return (int)x[0] - (int)y[0];
}

static uint32_t ac_step(const struct ac *ac, uint32_t node, unsigned char c)
{
	for (;;) {
		uint32_t first, cnt, i;

		if (node == 0)
			return ac->root_next[c];
		first = ac->edge_first[node];
		cnt = ac->edge_count[node];
		if (cnt <= 8) {
			for (i = 0; i < cnt; i++)
				if (ac->edge_byte[first + i] == c)
					return ac->edge_to[first + i];
		} else {
			uint32_t lo = 0, hi = cnt;
			while (lo < hi) {
				uint32_t mid = (lo + hi) / 2;
				unsigned char m = ac->edge_byte[first + mid];
				if (m == c)
					return ac->edge_to[first + mid];
				if (m < c)
					lo = mid + 1;
				else
					hi = mid;
			}
		}
		node = ac->fail[node];
	}
}

/* Compacts the trie's child lists into sorted flat edges (pairs is
 * scratch space for 256 of them). */
static void compact_edges(struct ac *ac, const struct tnode *t, size_t n_nodes,
                          unsigned char (*pairs)[8])
{
	size_t i, j, e = 0;

	for (i = 0; i < n_nodes; i++) {
		uint32_t ch;
		size_t k = 0;

		ac->edge_first[i] = (uint32_t)e;
		for (ch = t[i].child; ch; ch = t[ch].sibling) {
			pairs[k][0] = t[ch].byte;
			memcpy(&pairs[k][4], &ch, sizeof(ch));
			k++;
		}
		qsort(pairs, k, sizeof(*pairs), cmp_edge);
		for (j = 0; j < k; j++) {
			uint32_t to;
			memcpy(&to, &pairs[j][4], sizeof(to));
			ac->edge_byte[e] = pairs[j][0];
			ac->edge_to[e] = to;
			e++;
		}
		ac->edge_count[i] = (uint16_t)k;
	}
}

/* Breadth-first: failure and dictionary links.  queue (room for every
 * node) gets the nodes below the root in breadth-first order; returns
 * their number. */
static size_t link_failures(struct ac *ac, uint32_t *queue)
{
	size_t qh = 0, qt = 0, j;

	ac->dict[0] = -1;
	for (j = 0; j < ac->edge_count[0]; j++) {
		uint32_t c = ac->edge_to[j];
		ac->fail[c] = 0;
		ac->dict[c] = -1;
		queue[qt++] = c;
	}
	while (qh < qt) {
		uint32_t u = queue[qh++];
		uint32_t first = ac->edge_first[u];

		for (j = 0; j < ac->edge_count[u]; j++) {
			uint32_t v = ac->edge_to[first + j];
			uint32_t f =
			    ac_step(ac, ac->fail[u], ac->edge_byte[first + j]);
			ac->fail[v] = f;
			ac->dict[v] =
			    ac->out[f] >= 0 ? (int32_t)f : ac->dict[f];
			queue[qt++] = v;
		}
	}
	return qt;
}

/* The full transition table over byte classes, in breadth-first
 * order so each failure target is complete before it is copied: a
 * scan then costs one lookup per byte, never a failure walk.  queue
 * holds the qt nodes below the root in that order. */
static int build_delta(struct ac *ac, const uint32_t *queue, size_t qt)
{
	size_t n_nodes = ac->n_nodes, c, j, k;

	memset(ac->cls, 0, sizeof(ac->cls));
	ac->n_classes = 1;
	for (k = 0; k < n_nodes; k++)
		for (j = 0; j < ac->edge_count[k]; j++) {
			unsigned char by = ac->edge_byte[ac->edge_first[k] + j];
			if (!ac->cls[by])
				ac->cls[by] = (uint16_t)ac->n_classes++;
		}
	ac->delta = calloc(n_nodes * ac->n_classes, sizeof(uint32_t));
	if (!ac->delta)
		return -ENOMEM;
	for (j = 0; j < ac->edge_count[0]; j++)
		ac->delta[ac->cls[ac->edge_byte[j]]] = ac->edge_to[j];
	for (k = 0; k < qt; k++) {
		uint32_t u = queue[k];
		uint32_t *row = ac->delta + (size_t)u * ac->n_classes;
		const uint32_t *frow =
		    ac->delta + (size_t)ac->fail[u] * ac->n_classes;

		memcpy(row, frow, ac->n_classes * sizeof(uint32_t));
		row[0] = 0;
		for (c = 0; c < ac->edge_count[u]; c++) {
			size_t ei = ac->edge_first[u] + c;
			row[ac->cls[ac->edge_byte[ei]]] = ac->edge_to[ei];
		}
	}
	return 0;
}

int ac_compile(const struct ac_builder *b, struct ac **out)
{
	struct tnode *t = NULL;
	size_t n_nodes = 1, cap = 0, i, j, total = 0;
	struct ac *ac = NULL;
	uint32_t *queue = NULL;
	unsigned char(*pairs)[8] = NULL;
	size_t qt;
	int r = -ENOMEM;

	*out = NULL;
	for (i = 0; i < b->n; i++)
		total += b->pats[i].len;
	cap = total + 1;
	t = calloc(cap, sizeof(*t));
	ac = calloc(1, sizeof(*ac));
	if (!t || !ac)
		goto out_free_build;
	ac->n_pats = b->n;
	ac->pat_next = malloc((b->n + 1) * sizeof(int32_t));
	ac->pat_len = malloc((b->n + 1) * sizeof(uint32_t));
	ac->pat_flags = malloc(b->n + 1);
	ac->out = malloc(cap * sizeof(int32_t));
	if (!ac->pat_next || !ac->pat_len || !ac->pat_flags || !ac->out)
		goto out_free_build;
	for (i = 0; i < cap; i++)
		ac->out[i] = -1;
	/* Insert in reverse so each node's output chain lists patterns in
	 * id order. */
	for (i = b->n; i-- > 0;) {
		uint32_t node = 0;
		const struct ac_pat *p = &b->pats[i];

		for (j = 0; j < p->len; j++) {
			unsigned char c = (unsigned char)p->bytes[j];
			uint32_t nx = tfind(t, node, c);
			if (!nx) {
				nx = (uint32_t)n_nodes++;
				t[nx].byte = c;
				t[nx].sibling = t[node].child;
				t[node].child = nx;
			}
			node = nx;
		}
		ac->pat_next[i] = ac->out[node];
		ac->out[node] = (int32_t)i;
		ac->pat_len[i] = (uint32_t)p->len;
		ac->pat_flags[i] = (unsigned char)p->flags;
	}
	ac->n_nodes = n_nodes;
	ac->edge_first = calloc(n_nodes, sizeof(uint32_t));
	ac->edge_count = calloc(n_nodes, sizeof(uint16_t));
	ac->edge_byte = malloc(n_nodes);
	ac->edge_to = malloc(n_nodes * sizeof(uint32_t));
	ac->fail = calloc(n_nodes, sizeof(uint32_t));
	ac->dict = malloc(n_nodes * sizeof(int32_t));
	queue = malloc(n_nodes * sizeof(uint32_t));
	pairs = malloc(256 * sizeof(*pairs));
	if (!ac->edge_first || !ac->edge_count || !ac->edge_byte ||
	    !ac->edge_to || !ac->fail || !ac->dict || !queue || !pairs)
		goto out_free_build;
	compact_edges(ac, t, n_nodes, pairs);
	memset(ac->root_next, 0, sizeof(ac->root_next));
	for (j = 0; j < ac->edge_count[0]; j++)
		ac->root_next[ac->edge_byte[j]] = ac->edge_to[j];
	qt = link_failures(ac, queue);
	ac->hit = malloc(n_nodes);
	if (!ac->hit)
		goto out_free_build;
	for (i = 0; i < n_nodes; i++)
		ac->hit[i] = ac->out[i] >= 0 || ac->dict[i] >= 0;
	if (build_delta(ac, queue, qt) < 0)
		goto out_free_build;
	*out = ac;
	ac = NULL;
	r = 0;
out_free_build:
	free(pairs);
	free(queue);
	free(t);
	ac_free(ac);
	return r;
}

/* Whether the code point that ends just before byte `at` is a word char. */
static int word_before(const unsigned char *s, size_t at)
{
	size_t st = at, adv;

	if (at == 0)
		return 0;
	st = at - 1;
	while (st > 0 && at - st < 4 && (s[st] & 0xC0) == 0x80)
		st--;
	return normalize_is_word_cp(
	    normalize_utf8_decode(s + st, at - st, &adv));
}

static int word_at(const unsigned char *s, size_t len, size_t at)
{
	size_t adv;

	if (at >= len)
		return 0;
	return normalize_is_word_cp(
	    normalize_utf8_decode(s + at, len - at, &adv));
}

static int emit(const struct ac *ac, int32_t node, const unsigned char *s,
                size_t len, size_t end, ac_match_fn fn, void *ctx)
{
	int32_t p;

	for (p = ac->out[node]; p >= 0; p = ac->pat_next[p]) {
		size_t start = end - ac->pat_len[p];
		unsigned fl = ac->pat_flags[p];
		int r;

		if ((fl & AC_BOUND_LEFT) && word_before(s, start))
			continue;
		if ((fl & AC_BOUND_RIGHT) && word_at(s, len, end))
			continue;
		r = fn(ctx, (uint32_t)p, start, end);
		if (r)
			return r;
	}
	return 0;
}

int ac_scan(const struct ac *ac, const char *text, size_t len, ac_match_fn fn,
            void *ctx)
{
	const unsigned char *s = (const unsigned char *)text;
	uint32_t node = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		int32_t d;
		int r;

		node = ac->delta[(size_t)node * ac->n_classes + ac->cls[s[i]]];
		/* Most bytes reach a node where nothing ends: one test of a
		 * byte array, no walk of the output and dictionary links. */
		if (!ac->hit[node])
			continue;
		if (ac->out[node] >= 0) {
			r = emit(ac, (int32_t)node, s, len, i + 1, fn, ctx);
			if (r)
				return r;
		}
		for (d = ac->dict[node]; d >= 0; d = ac->dict[d]) {
			r = emit(ac, d, s, len, i + 1, fn, ctx);
			if (r)
				return r;
		}
	}
	return 0;
}
