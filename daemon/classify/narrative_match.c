/*
 * narrative_match.c — the narratives a text states (narrative_match.h).
 * The terms are folded like the texts and put into one automaton; a term
 * shared by two narratives is simply added twice.  A scan marks each
 * narrative with the number of the scan that saw it, so nothing is
 * cleared between posts.
 */
#include "narrative_match.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ac.h"
#include "normalize.h"

/* What a pattern of the automaton stands for. */
struct pattern_ref {
	uint32_t narrative; /* index in the defs */
	uint32_t term;      /* index in its terms */
};

struct narrative_matcher {
	struct normalize *norm;   /* the folding of normalize.h */
	struct ac *ac;            /* every term, or NULL when none */
	struct pattern_ref *refs; /* per pattern id */
	char **folded;            /* per pattern id: the folded term */
	size_t n_refs;            /* patterns */
	size_t n;                 /* narratives */
	int *category;            /* per narrative: index or -1 */
	uint32_t *seen;           /* per narrative: scan that saw it */
	size_t *first_term;       /* per narrative: the term seen first */
	uint32_t scan;            /* number of the current scan */
	struct normalize_text nt; /* the folded text, reused */
};

void narrative_matcher_free(struct narrative_matcher *m)
{
	if (!m)
		return;
	normalize_close(m->norm);
	ac_free(m->ac);
	while (m->folded && m->n_refs > 0)
		free(m->folded[--m->n_refs]);
	free(m->folded);
	free(m->refs);
	free(m->category);
	free(m->seen);
	free(m->first_term);
	normalize_text_free(&m->nt);
	free(m);
}

size_t narrative_matcher_count(const struct narrative_matcher *m)
{
	return m->n;
}

/* Adds the folded terms, in the order of m->refs, to b; returns the
 * first id or a negative errno (with err). */
static int add_folded(struct narrative_matcher *m, struct ac_builder *b,
                      char *err, size_t errlen)
{
	size_t i;
	int r, first = -ENOENT;

	for (i = 0; i < m->n_refs; i++) {
		r = ac_builder_add(b, m->folded[i], strlen(m->folded[i]), 0);
		if (r < 0) {
			snprintf(err, errlen, "cannot add narrative term '%s'",
			         m->folded[i]);
			return r;
		}
		if (i == 0)
			first = r;
	}
	return first;
}

/* Folds every term once, remembering what each pattern stands for. */
static int fold_terms(struct narrative_matcher *m,
                      const struct narrative_def *defs, size_t n, char *err,
                      size_t errlen)
{
	size_t i, j, total = 0;
	int r;

	for (i = 0; i < n; i++)
		total += defs[i].n_terms;
	m->refs = calloc(total ? total : 1, sizeof(*m->refs));
	m->folded = calloc(total ? total : 1, sizeof(*m->folded));
	if (!m->refs || !m->folded)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		for (j = 0; j < defs[i].n_terms; j++) {
			const char *t = defs[i].terms[j];

			r = normalize_run(m->norm, t, strlen(t), &m->nt);
			if (r < 0)
				return r;
			if (m->nt.len == 0 || m->nt.len > AC_MAX_PATTERN_LEN) {
				snprintf(err, errlen,
				         "narrative %s: term '%s' is empty "
				         "once folded",
				         defs[i].key, t);
				return -EINVAL;
			}
			m->folded[m->n_refs] = malloc(m->nt.len + 1);
			if (!m->folded[m->n_refs])
				return -ENOMEM;
			memcpy(m->folded[m->n_refs], m->nt.text, m->nt.len + 1);
			m->refs[m->n_refs].narrative = (uint32_t)i;
			m->refs[m->n_refs++].term = (uint32_t)j;
		}
	}
	return 0;
}

int narrative_matcher_new(const struct narrative_def *defs, size_t n,
                          struct narrative_matcher **out, char *err,
                          size_t errlen)
{
	struct narrative_matcher *m;
	struct ac_builder *b = NULL;
	size_t i;
	int r = -ENOMEM;

	*out = NULL;
	snprintf(err, errlen, "out of memory");
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->n = n;
	m->category = calloc(n ? n : 1, sizeof(*m->category));
	m->seen = calloc(n ? n : 1, sizeof(*m->seen));
	m->first_term = calloc(n ? n : 1, sizeof(*m->first_term));
	if (!m->category || !m->seen || !m->first_term)
		goto out_free_matcher;
	for (i = 0; i < n; i++)
		m->category[i] = defs[i].category;
	if (n == 0) {
		*out = m;
		return 0;
	}
	r = normalize_open(1, &m->norm, err, errlen);
	if (r < 0)
		goto out_free_matcher;
	b = ac_builder_new();
	if (!b) {
		r = -ENOMEM;
		goto out_free_matcher;
	}
	r = fold_terms(m, defs, n, err, errlen);
	if (r == 0)
		r = add_folded(m, b, err, errlen);
	if (r >= 0)
		r = ac_compile(b, &m->ac);
	ac_builder_free(b);
	if (r < 0)
		goto out_free_matcher;
	*out = m;
	return 0;
out_free_matcher:
	narrative_matcher_free(m);
	return r;
}

static int on_match(void *ctx, uint32_t id, size_t start, size_t end)
{
	struct narrative_matcher *m = ctx;
	const struct pattern_ref *ref = &m->refs[id];

	(void)start;
	(void)end;
	if (m->seen[ref->narrative] != m->scan) {
		m->seen[ref->narrative] = m->scan;
		m->first_term[ref->narrative] = ref->term;
	}
	return 0;
}

void narrative_matcher_begin(struct narrative_matcher *m)
{
	if (++m->scan == 0) { /* wrapped: start the marks afresh */
		memset(m->seen, 0, m->n * sizeof(*m->seen));
		m->scan = 1;
	}
}

void narrative_matcher_note(struct narrative_matcher *m, uint32_t pattern)
{
	if (pattern < m->n_refs)
		on_match(m, pattern, 0, 0);
}

int narrative_matcher_collect(struct narrative_matcher *m, unsigned categories,
                              struct narrative_hit *hits)
{
	size_t i;
	int n = 0;

	for (i = 0; i < m->n; i++) {
		if (m->seen[i] != m->scan)
			continue;
		if (m->category[i] >= 0 &&
		    !(categories & (1u << (unsigned)m->category[i])))
			continue;
		hits[n].narrative = i;
		hits[n++].term = m->first_term[i];
	}
	return n;
}

int narrative_matcher_add_patterns(struct narrative_matcher *m,
                                   struct ac_builder *b, char *err,
                                   size_t errlen)
{
	return add_folded(m, b, err, errlen);
}

int narrative_matcher_match_folded(struct narrative_matcher *m,
                                   const char *folded, size_t len,
                                   unsigned categories,
                                   struct narrative_hit *hits)
{
	if (!m->ac || !folded || len == 0)
		return 0;
	narrative_matcher_begin(m);
	ac_scan(m->ac, folded, len, on_match, m);
	return narrative_matcher_collect(m, categories, hits);
}

int narrative_matcher_match(struct narrative_matcher *m, const char *text,
                            size_t len, unsigned categories,
                            struct narrative_hit *hits)
{
	int r;

	if (!m->ac || !text || len == 0)
		return 0;
	r = normalize_run(m->norm, text, len, &m->nt);
	if (r < 0)
		return r;
	return narrative_matcher_match_folded(m, m->nt.text, m->nt.len,
	                                      categories, hits);
}
