/*
 * fuzz_parse_telegram.c — feed_parse() on arbitrary bytes taken as a
 * Telegram channel preview page (HTML).  Every entry must have an id, a
 * link and text; views and the paging marker are never negative.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "feed.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct feed_parse_opts opts = {.format = FEED_FORMAT_TELEGRAM,
	                               .now = 1584020220,
	                               .max_entries = 50,
	                               .base_url = "https://t.me/s/chan"};
	struct feed_doc *doc = NULL;
	char err[256];
	size_t i;

	if (feed_parse((const char *)data, size, &opts, &doc, err,
	               sizeof(err)) < 0)
		return 0;
	if (doc->page_before < 0 || doc->n_entries > 50)
		abort();
	for (i = 0; i < doc->n_entries; i++) {
		const struct feed_entry *e = &doc->entries[i];

		if (!e->id || !e->text || !e->link || e->views < 0 ||
		    strncmp(e->link, "https://t.me/", 13) != 0)
			abort();
	}
	feed_doc_free(doc);
	return 0;
}
