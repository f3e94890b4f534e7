/*
 * category.h — the four statement categories of the codebook (DESIGN.md),
 * by key and index.  A leaf: the rules, the classifier, the model, the
 * labelled files and the store all name categories through it, so none of
 * them needs another to know what a category is.
 */
#ifndef DEMARCHE_CATEGORY_H
#define DEMARCHE_CATEGORY_H

/* The number of categories, and their keys in this fixed order (an index
 * is also the category's bit, 1 << index, in label sets). */
#define CATEGORY_N 4
extern const char *const category_keys[CATEGORY_N];

/* Index of a category key in category_keys, or -1. */
int category_index(const char *key);

#endif
