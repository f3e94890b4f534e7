/*
 * worddiff.h — a word-level diff of two wordings of a post, for `demarche
 * show` and the reports' "Edited and deleted" section: what an edit
 * removed and added, marked the way `git diff --word-diff=plain` does
 * ([-removed-] {+added+}).  Words are runs between whitespace, except that
 * each Chinese, Japanese or Korean character is a word of its own (those
 * languages do not put spaces between words).  Pure: no I/O.
 */
#ifndef DEMARCHE_WORDDIFF_H
#define DEMARCHE_WORDDIFF_H

/* Longer texts (in words) are shown as wholly removed and added: the
 * diff's table grows with the product of the two lengths. */
#define WORDDIFF_MAX_WORDS 2000

/* Returns a *new* string: after, with the words only in before marked
 * [-...-] and those only in after marked {+...+}; NULL on OOM.  Either may
 * be NULL (empty). */
char *worddiff(const char *before, const char *after);

#endif
