/*
 * category.h — the statement categories.  The four of the codebook
 * (DESIGN.md) always come first, in their fixed order; a rules folder may
 * define more (`category KEY` in a file of its own), which follow in the
 * order the files are read.  A leaf: the rules, the classifier, the model,
 * the labelled files and the store all name categories through it, so
 * none of them needs another to know what a category is.
 *
 * Two things live here: struct category_set, a plain value that the rules
 * loader fills (pure), and the process's *configured* set, which a program
 * installs once it has read its rules folder (category_configure) and
 * which everything that lists categories (labels, eval tables, reports,
 * trends) reads.  Until one is installed it is the codebook's four.
 */
#ifndef DEMARCHE_CATEGORY_H
#define DEMARCHE_CATEGORY_H

#include <stddef.h>

/* At most this many categories (an index is also the category's bit,
 * 1 << index, in label sets held in an unsigned int). */
#define CATEGORY_MAX 16
/* The codebook's categories, always indexes 0 .. CATEGORY_N_CODEBOOK-1. */
#define CATEGORY_N_CODEBOOK 4
/* A key: lowercase ASCII letters, digits and '_', 1 to 32 bytes. */
#define CATEGORY_KEY_MAX 32
/* The optional human name and description of a category (rules files'
 * `name` and `description` lines), in bytes. */
#define CATEGORY_NAME_MAX 80
#define CATEGORY_DESC_MAX 400

struct category_set {
	int n;                                          /* categories defined */
	char key[CATEGORY_MAX][CATEGORY_KEY_MAX + 1];   /* by index */
	char name[CATEGORY_MAX][CATEGORY_NAME_MAX + 1]; /* "" when none */
	char description[CATEGORY_MAX][CATEGORY_DESC_MAX + 1]; /* ditto */
};

/* Fills s with the codebook's four categories. */
void category_set_codebook(struct category_set *s);
/* Index of key in s, or -1. */
int category_set_index(const struct category_set *s, const char *key);
/* Whether the n bytes at key make a valid key: 0, or -EINVAL. */
int category_key_check(const char *key, size_t n);
/* Adds a category (or finds it).  Returns its index, -EINVAL for an
 * invalid key, -E2BIG when s already holds CATEGORY_MAX. */
int category_set_add(struct category_set *s, const char *key);
/* Writes the keys of s as "a, b or c" into buf.  Returns buf. */
const char *category_set_list(const struct category_set *s, char *buf,
                              size_t len);

/* Installs a copy of s as the process's configured set. */
void category_configure(const struct category_set *s);
/* The configured set (borrowed; the codebook until one is installed). */
const struct category_set *category_configured(void);
/* Shorthands over the configured set: how many, the key of index i, the
 * index of a key (or -1). */
int category_count(void);
const char *category_key(int i);
int category_index(const char *key);

#endif
