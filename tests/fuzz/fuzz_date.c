/*
 * fuzz_date.c — date_parse_n() on arbitrary bytes: never crashes, and any
 * time it returns formats as a valid RFC 3339 string that parses back to
 * the same time.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char out[DATE_RFC3339_LEN];
	int64_t t = date_parse_n((const char *)data, size);

	if (t == TIME_UNKNOWN)
		return 0;
	if (!*date_format_rfc3339(t, out))
		abort();
	if (date_parse(out) != t)
		abort();
	return 0;
}
