/*
 * ac.h — Aho-Corasick multi-pattern matching over bytes.  The classifier
 * puts every term of every category (and every cue of every co-occurrence
 * group) into one automaton, so a post is scanned once however large the
 * lexicons grow.  Patterns are byte strings of folded UTF-8; a pattern may
 * ask for word boundaries on either side, which the matcher checks on the
 * code points around the match (alphabetic scripts only: CJK has no
 * spaces between words).
 */
#ifndef DEMARCHE_AC_H
#define DEMARCHE_AC_H

#include <stddef.h>
#include <stdint.h>

#define AC_BOUND_LEFT  1u /* the byte before must not end a word char */
#define AC_BOUND_RIGHT 2u /* the byte after must not start a word char */

/* Limits: patterns per automaton and bytes per pattern. */
#define AC_MAX_PATTERNS    200000
#define AC_MAX_PATTERN_LEN 1024

struct ac_builder; /* collects patterns, then compiles */
struct ac;         /* immutable compiled automaton */

struct ac_builder *ac_builder_new(void);
void ac_builder_free(struct ac_builder *b);
/* Adds a pattern; its id is the number of patterns added before it.
 * Returns the id, or -EINVAL (empty / too long / too many), -ENOMEM. */
int ac_builder_add(struct ac_builder *b, const char *pat, size_t len,
                   unsigned flags);
/* Compiles the patterns into a *new* automaton (the builder stays usable
 * and must still be freed).  Returns 0 or -ENOMEM. */
int ac_compile(const struct ac_builder *b, struct ac **out);
void ac_free(struct ac *ac);
size_t ac_pattern_count(const struct ac *ac);

/* Called for each match: pattern id and byte range [start, end) in text.
 * Return non-zero to stop the scan. */
typedef int (*ac_match_fn)(void *ctx, uint32_t id, size_t start, size_t end);

/* Reports every occurrence (overlaps included) of every pattern in text.
 * Returns 0, or the callback's non-zero value when it stopped the scan. */
int ac_scan(const struct ac *ac, const char *text, size_t len, ac_match_fn fn,
            void *ctx);

#endif
