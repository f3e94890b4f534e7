/*
 * strmap.c — open addressing with linear probing and backward-shift
 * deletion (no tombstones), kept at most half full.
 */
#include "strmap.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct strmap_slot {
	char *key; /* NULL when empty */
	void *value;
	uint64_t hash;
};

struct strmap {
	struct strmap_slot *slots;
	size_t cap; /* a power of two */
	size_t count;
};

static uint64_t strmap_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

struct strmap *strmap_new(void)
{
	struct strmap *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->cap = 16;
	m->slots = calloc(m->cap, sizeof(*m->slots));
	if (!m->slots) {
		free(m);
		return NULL;
	}
	return m;
}

void strmap_free(struct strmap *m)
{
	size_t i;

	if (!m)
		return;
	for (i = 0; i < m->cap; i++)
		free(m->slots[i].key);
	free(m->slots);
	free(m);
}

static size_t strmap_find(const struct strmap *m, const char *key, uint64_t h)
{
	size_t i = (size_t)h & (m->cap - 1);

	while (m->slots[i].key &&
	       (m->slots[i].hash != h || strcmp(m->slots[i].key, key) != 0))
		i = (i + 1) & (m->cap - 1);
	return i;
}

void *strmap_get(const struct strmap *m, const char *key)
{
	size_t i = strmap_find(m, key, strmap_hash(key));

	return m->slots[i].key ? m->slots[i].value : NULL;
}

static int strmap_grow(struct strmap *m)
{
	struct strmap_slot *old = m->slots;
	size_t old_cap = m->cap, i;

	m->slots = calloc(old_cap * 2, sizeof(*m->slots));
	if (!m->slots) {
		m->slots = old;
		return -ENOMEM;
	}
	m->cap = old_cap * 2;
	for (i = 0; i < old_cap; i++)
		if (old[i].key)
			m->slots[strmap_find(m, old[i].key, old[i].hash)] =
			    old[i];
	free(old);
	return 0;
}

int strmap_put(struct strmap *m, const char *key, void *value)
{
	uint64_t h = strmap_hash(key);
	size_t i;

	if ((m->count + 1) * 2 > m->cap && strmap_grow(m) < 0)
		return -ENOMEM;
	i = strmap_find(m, key, h);
	if (!m->slots[i].key) {
		m->slots[i].key = strdup(key);
		if (!m->slots[i].key)
			return -ENOMEM;
		m->slots[i].hash = h;
		m->count++;
	}
	m->slots[i].value = value;
	return 0;
}

void *strmap_del(struct strmap *m, const char *key)
{
	size_t i = strmap_find(m, key, strmap_hash(key)), j, home;
	void *value;

	if (!m->slots[i].key)
		return NULL;
	value = m->slots[i].value;
	free(m->slots[i].key);
	m->slots[i].key = NULL;
	m->count--;
	/* Shift later members of the probe run back into the hole. */
	for (j = (i + 1) & (m->cap - 1); m->slots[j].key;
	     j = (j + 1) & (m->cap - 1)) {
		home = (size_t)m->slots[j].hash & (m->cap - 1);
		if (((j - home) & (m->cap - 1)) >= ((j - i) & (m->cap - 1))) {
			m->slots[i] = m->slots[j];
			m->slots[j].key = NULL;
			i = j;
		}
	}
	return value;
}

size_t strmap_count(const struct strmap *m)
{
	return m->count;
}
