/*
 * strmap.h — a small hash map from strings to pointers (open addressing,
 * linear probing, FNV-1a), for the poller's host table and feed lookups.
 * Keys are copied; values are borrowed.
 */
#ifndef DEMARCHE_STRMAP_H
#define DEMARCHE_STRMAP_H

#include <stddef.h>

struct strmap; /* opaque */

struct strmap *strmap_new(void);
void strmap_free(struct strmap *m);
/* The value stored under key, or NULL. */
void *strmap_get(const struct strmap *m, const char *key);
/* Stores value under key, replacing any earlier one.  0 or -ENOMEM. */
int strmap_put(struct strmap *m, const char *key, void *value);
/* Removes key; returns its value or NULL. */
void *strmap_del(struct strmap *m, const char *key);
size_t strmap_count(const struct strmap *m);

#endif
