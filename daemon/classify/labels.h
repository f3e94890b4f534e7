/*
 * labels.h — labelled statement files (the TSV of DESIGN.md: id, labels,
 * lang, text; labels comma-separated category keys or "none"), read by
 * `demarche eval` to score the classifier and by `demarche train` to fit a
 * model.  Pure: parses a buffer in place.
 */
#ifndef DEMARCHE_LABELS_H
#define DEMARCHE_LABELS_H

#include <stddef.h>

struct labels_item {
	const char *id;   /* points into the parsed buffer */
	unsigned labels;  /* 1 << configured index (category.h); 0 = none */
	const char *lang; /* ditto */
	const char *text; /* ditto */
	long line;        /* line number in the file */
};

struct labels_set {
	struct labels_item *items; /* in file order */
	size_t n;                  /* used */
	size_t cap;                /* allocated */
};

/* Parses buf (len bytes, NUL-terminated, modified in place: the items
 * point into it) named `name`; blank lines and lines starting with '#'
 * are skipped.  Appends to set, so several files can be pooled.  Returns
 * 0, -EINVAL with "NAME:LINE: message" in err, or -ENOMEM. */
int labels_parse(char *buf, size_t len, const char *name,
                 struct labels_set *set, char *err, size_t errlen);
void labels_set_free(struct labels_set *set);

#endif
