/*
 * fuzz_parse_xml.c — feed_parse() on arbitrary bytes taken as XML (RSS,
 * Atom, RDF), with the first byte choosing a Content-Type charset so the
 * encoding paths are fuzzed too.  Also checks the model's invariants.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "feed.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const types[] = {
    NULL,
    "application/rss+xml; charset=utf-8",
    "text/xml; charset=gb2312",
    "application/atom+xml; charset=\"shift_jis\"",
    "text/xml; charset=utf-16",
    "application/xml; charset=bogus-charset",
    "text/xml; charset=big5",
    "application/xml; charset=euc-jp",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct feed_parse_opts opts = {.format = FEED_FORMAT_AUTO,
	                               .base_url = "https://example.org/feed/",
	                               .now = 1584020220,
	                               .max_entries = 50};
	struct feed_doc *doc = NULL;
	char err[256];
	size_t i;

	if (size > 0) {
		opts.content_type = types[data[0] % 8];
		data++;
		size--;
	}
	/* Always the XML path, even if the bytes look like JSON. */
	opts.format =
	    size && data[0] == '{' ? FEED_FORMAT_RSS : FEED_FORMAT_AUTO;
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
		(void)strlen(e->id);
		(void)strlen(e->text);
	}
	if (doc->n_entries > 50)
		abort();
	feed_doc_free(doc);
	return 0;
}
