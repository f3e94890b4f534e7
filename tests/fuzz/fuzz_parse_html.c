/*
 * fuzz_parse_html.c — the html: source's readers on arbitrary bytes: an
 * article page (feed_parse with FEED_FORMAT_HTML, split and whole, the
 * first byte choosing) and an index page's links (feed_html_links).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "feed.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct feed_html_rules rules[] = {
	    {"//h1", "//*[contains(@class,'time')]", NULL, "//div//p"},
	    {NULL, "//time/@datetime", NULL, NULL},
	    {"//title", NULL, "//article//p | //main", NULL},
	};
	struct feed_parse_opts opts = {.format = FEED_FORMAT_HTML,
	                               .now = 1584020220,
	                               .max_entries = 50,
	                               .base_url =
	                                   "https://mfa.example/a.html"};
	struct feed_doc *doc = NULL;
	char err[256], **links = NULL;
	size_t i, n = 0;

	if (size == 0)
		return 0;
	opts.html = &rules[data[0] % 3];
	data++;
	size--;
	if (feed_parse((const char *)data, size, &opts, &doc, err,
	               sizeof(err)) == 0) {
		for (i = 0; i < doc->n_entries; i++)
			if (!doc->entries[i].id || !*doc->entries[i].text ||
			    strncmp(doc->entries[i].id, opts.base_url,
			            strlen(opts.base_url)) != 0)
				abort();
		feed_doc_free(doc);
	}
	if (feed_html_links((const char *)data, size, opts.base_url,
	                    "//a/@href | //link", &links, &n) == 0) {
		for (i = 0; i < n; i++)
			if (strncmp(links[i], "http", 4) != 0)
				abort();
		feed_html_links_free(links, n);
	}
	return 0;
}
