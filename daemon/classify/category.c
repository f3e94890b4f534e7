/*
 * category.c — category sets (category.h): the codebook's four, keys
 * checked and added, and the process's configured set.
 */
#include "category.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const char *const codebook[CATEGORY_N_CODEBOOK] = {
    "blame_rebuttal", "western_failure", "economic_coercion",
    "origin_narrative"};

/* The configured set; zero until first read, then the codebook. */
static struct category_set configured;

void category_set_codebook(struct category_set *s)
{
	int i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < CATEGORY_N_CODEBOOK; i++)
		snprintf(s->key[i], sizeof(s->key[i]), "%s", codebook[i]);
	s->n = CATEGORY_N_CODEBOOK;
}

int category_set_index(const struct category_set *s, const char *key)
{
	int i;

	for (i = 0; i < s->n; i++)
		if (strcmp(key, s->key[i]) == 0)
			return i;
	return -1;
}

int category_key_check(const char *key, size_t n)
{
	size_t i;

	if (n == 0 || n > CATEGORY_KEY_MAX)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		char c = key[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '_'))
			return -EINVAL;
	}
	return 0;
}

int category_set_add(struct category_set *s, const char *key)
{
	int i;

	if (category_key_check(key, strlen(key)) < 0)
		return -EINVAL;
	i = category_set_index(s, key);
	if (i >= 0)
		return i;
	if (s->n >= CATEGORY_MAX)
		return -E2BIG;
	i = s->n++;
	snprintf(s->key[i], sizeof(s->key[i]), "%s", key);
	s->name[i][0] = '\0';
	s->description[i][0] = '\0';
	return i;
}

const char *category_set_list(const struct category_set *s, char *buf,
                              size_t len)
{
	size_t off = 0;
	int i, n;

	if (len == 0)
		return buf;
	buf[0] = '\0';
	for (i = 0; i < s->n && off < len; i++) {
		const char *sep = i == 0 ? "" : i == s->n - 1 ? " or " : ", ";
		n = snprintf(buf + off, len - off, "%s%s", sep, s->key[i]);
		if (n < 0)
			break;
		off += (size_t)n;
	}
	return buf;
}

void category_configure(const struct category_set *s)
{
	configured = *s;
}

const struct category_set *category_configured(void)
{
	if (configured.n == 0)
		category_set_codebook(&configured);
	return &configured;
}

int category_count(void)
{
	return category_configured()->n;
}

const char *category_key(int i)
{
	const struct category_set *s = category_configured();

	return i >= 0 && i < s->n ? s->key[i] : NULL;
}

int category_index(const char *key)
{
	return category_set_index(category_configured(), key);
}
