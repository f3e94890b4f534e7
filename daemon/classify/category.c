/*
 * category.c — the category keys of category.h and their lookup.
 */
#include "category.h"

#include <string.h>

const char *const category_keys[CATEGORY_N] = {
    "blame_rebuttal", "western_failure", "economic_coercion",
    "origin_narrative"};

int category_index(const char *key)
{
	int i;

	for (i = 0; i < CATEGORY_N; i++)
		if (strcmp(key, category_keys[i]) == 0)
			return i;
	return -1;
}
