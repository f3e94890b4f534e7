/*
 * fuzz_parse_json.c — feed_parse() on arbitrary bytes taken as JSON; the
 * first byte picks the format (auto, JSON Feed, Mastodon, Bluesky).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "feed.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum feed_format formats[] = {
	    FEED_FORMAT_AUTO, FEED_FORMAT_JSONFEED, FEED_FORMAT_MASTODON,
	    FEED_FORMAT_BLUESKY};
	/* A history URL, so edit histories take their id from it. */
	struct feed_parse_opts opts = {
	    .now = 1584020220,
	    .max_entries = 50,
	    .base_url = "https://social.example/api/v1/statuses/9/history"};
	struct feed_doc *doc = NULL;
	char err[256];
	size_t i;

	if (size == 0)
		return 0;
	opts.format = formats[data[0] % 4];
	data++;
	size--;
	if (opts.format == FEED_FORMAT_AUTO &&
	    (size == 0 || (data[0] != '{' && data[0] != '[')))
		opts.format = FEED_FORMAT_JSONFEED; /* keep to the JSON path */
	if (feed_parse((const char *)data, size, &opts, &doc, err,
	               sizeof(err)) < 0)
		return 0;
	for (i = 0; i < doc->n_entries; i++) {
		const struct feed_entry *e = &doc->entries[i];

		if (!e->id || !e->text)
			abort();
		/* Only a damaged document has entries it could not read
		 * whole. */
		if (e->partial && !doc->fault)
			abort();
		/* A quote's span lies in the text and starts at its mark. */
		if (e->quote_len &&
		    (e->quote_at + e->quote_len > strlen(e->text) ||
		     (strncmp(e->text + e->quote_at, "\n\n[quote", 8) != 0 &&
		      !(e->quote_at == 0 &&
		        strncmp(e->text, "[quote", 6) == 0))))
			abort();
	}
	feed_doc_free(doc);
	return 0;
}
