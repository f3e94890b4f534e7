/*
 * labels.c — parses the labelled statement TSV (labels.h) shared by
 * `demarche eval` and `demarche train`.  Fields are split in place; the
 * text column is the rest of the line, so it may hold no tab but anything
 * else.
 */
#include "labels.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "category.h"

/* Labelled files are small; this bounds a hostile one. */
#define LABELS_MAX_ITEMS 10000000

/* Parses the labels column into bits; returns the unknown key or NULL. */
static const char *parse_keys(char *s, unsigned *bits)
{
	char *save = NULL, *tok;

	*bits = 0;
	for (tok = strtok_r(s, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		int i;

		tok += strspn(tok, " ");
		tok[strcspn(tok, " ")] = '\0';
		if (strcmp(tok, "none") == 0 || !*tok)
			continue;
		i = category_index(tok);
		if (i < 0)
			return tok;
		*bits |= 1u << i;
	}
	return NULL;
}

int labels_parse(char *buf, size_t len, const char *name,
                 struct labels_set *set, char *err, size_t errlen)
{
	char *s = buf, *end = buf + len;
	long lineno = 0;

	while (s < end) {
		char *nl = memchr(s, '\n', (size_t)(end - s));
		char *f[4], *p;
		const char *bad;
		size_t l;
		int i;

		if (nl)
			*nl = '\0';
		lineno++;
		p = s;
		s = nl ? nl + 1 : end;
		l = strlen(p);
		if (l && p[l - 1] == '\r')
			p[--l] = '\0';
		if (*p == '\0' || *p == '#')
			continue;
		for (i = 0; i < 3; i++) {
			f[i] = p;
			p = strchr(p, '\t');
			if (!p)
				break;
			*p++ = '\0';
		}
		if (i < 3) {
			snprintf(err, errlen,
			         "%s:%ld: expected 4 tab-separated columns: "
			         "id, labels, lang, text",
			         name, lineno);
			return -EINVAL;
		}
		f[3] = p;
		if (set->n == set->cap) {
			size_t cap = set->cap ? set->cap * 2 : 256;
			struct labels_item *q;

			if (cap > LABELS_MAX_ITEMS) {
				snprintf(err, errlen, "%s:%ld: too many lines",
				         name, lineno);
				return -EINVAL;
			}
			q = realloc(set->items, cap * sizeof(*q));
			if (!q) {
				snprintf(err, errlen, "out of memory");
				return -ENOMEM;
			}
			set->items = q;
			set->cap = cap;
		}
		bad = parse_keys(f[1], &set->items[set->n].labels);
		if (bad) {
			char known[CATEGORY_MAX * (CATEGORY_KEY_MAX + 4)];

			snprintf(err, errlen,
			         "%s:%ld: unknown label '%s' (expected %s, or "
			         "none)",
			         name, lineno, bad,
			         category_set_list(category_configured(), known,
			                           sizeof(known)));
			return -EINVAL;
		}
		set->items[set->n].id = f[0];
		set->items[set->n].lang = f[2];
		set->items[set->n].text = f[3];
		set->items[set->n].line = lineno;
		set->n++;
	}
	return 0;
}

void labels_set_free(struct labels_set *set)
{
	if (!set)
		return;
	free(set->items);
	set->items = NULL;
	set->n = set->cap = 0;
}
