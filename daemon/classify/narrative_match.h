/*
 * narrative_match.h — which narratives a post states.  A narrative is a
 * set of terms (phrases in any language); a post states it when its text
 * holds any of the terms, matched as the search does: case-insensitively,
 * as substrings (so Chinese and Japanese terms match inside words), after
 * the classifier's folding (normalize.h: NFKC, case fold, full-width,
 * Traditional to Simplified).  Every term of every narrative goes into
 * one Aho-Corasick automaton, so a post is scanned once however many
 * narratives there are.  Pure: text in, narrative indexes out.
 */
#ifndef DEMARCHE_NARRATIVE_MATCH_H
#define DEMARCHE_NARRATIVE_MATCH_H

#include <stddef.h>
#include <stdint.h>

/* One narrative as the matcher is given it (borrowed during _new). */
struct narrative_def {
	const char *key;          /* for error messages */
	const char *const *terms; /* the terms, as configured */
	size_t n_terms;           /* at least one */
	int category;             /* only posts of this category index
	                           * (category.h), or -1 for any post */
};

/* A narrative a text states: its index in the defs, and the term (index
 * in its terms) that matched first in the text. */
struct narrative_hit {
	size_t narrative;
	size_t term;
};

struct narrative_matcher; /* opaque; not for two threads at once */

/* Builds a *new* matcher over defs (n may be 0: it then matches nothing).
 * Returns 0, -EINVAL with the reason in err (a term that is empty once
 * folded), or -ENOMEM. */
int narrative_matcher_new(const struct narrative_def *defs, size_t n,
                          struct narrative_matcher **out, char *err,
                          size_t errlen);
void narrative_matcher_free(struct narrative_matcher *m);
/* The number of narratives. */
size_t narrative_matcher_count(const struct narrative_matcher *m);

/* The narratives text (len bytes of UTF-8) states, in the order of the
 * defs.  categories is the post's set of category bits (1 << index); a
 * narrative bound to a category outside it is not reported.  hits must
 * have room for narrative_matcher_count(m) entries.  Returns the number
 * of hits, or -ENOMEM / -E2BIG (text over NORMALIZE_MAX_INPUT). */
int narrative_matcher_match(struct narrative_matcher *m, const char *text,
                            size_t len, unsigned categories,
                            struct narrative_hit *hits);

/* One automaton for the classifier and the narratives (classify.c):
 * add_patterns adds every folded term to b, in an order of their own, as
 * consecutive ids from the builder's count at the call (its return: the
 * first id, or a negative errno with err).  A scan of the folded text
 * then calls begin, note for every match of those patterns (pattern =
 * id - first id), and collect, which returns the hits as _match does. */
struct ac_builder;
int narrative_matcher_add_patterns(struct narrative_matcher *m,
                                   struct ac_builder *b, char *err,
                                   size_t errlen);
void narrative_matcher_begin(struct narrative_matcher *m);
void narrative_matcher_note(struct narrative_matcher *m, uint32_t pattern);
int narrative_matcher_collect(struct narrative_matcher *m, unsigned categories,
                              struct narrative_hit *hits);

/* The same for a text already folded by normalize_run() with OpenCC (as
 * the classifier folds a post: classify.h attaches a matcher so a post
 * is folded once).  Never fails: returns the number of hits. */
int narrative_matcher_match_folded(struct narrative_matcher *m,
                                   const char *folded, size_t len,
                                   unsigned categories,
                                   struct narrative_hit *hits);

#endif
