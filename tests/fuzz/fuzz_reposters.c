/*
 * fuzz_reposters.c — reposters_parse() on arbitrary bytes (the first byte
 * picks Bluesky or Mastodon) and reposters_link_next() on the same bytes
 * as a Link header.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "reposters.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reposter_page *pg = NULL;
	enum feed_format f;
	char err[256], *link, *next;
	size_t i;

	if (size == 0)
		return 0;
	f = data[0] % 2 ? FEED_FORMAT_MASTODON : FEED_FORMAT_BLUESKY;
	data++;
	size--;
	if (reposters_parse(f, (const char *)data, size, "m.example", &pg, err,
	                    sizeof(err)) == 0) {
		for (i = 0; i < pg->n; i++)
			if (!pg->actors[i].actor || !*pg->actors[i].actor)
				abort();
		reposter_page_free(pg);
	}
	link = malloc(size + 1);
	if (!link)
		return 0;
	memcpy(link, data, size);
	link[size] = '\0';
	next = reposters_link_next(link);
	if (next && (!*next || strchr(next, '>')))
		abort();
	free(next);
	free(link);
	return 0;
}
