/* fuzz_rules.c — the lexicon parser on arbitrary bytes: it must report an
 * error or build a set, never crash, leak or read out of bounds. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rules_set set;
	char err[256];

	rules_set_init(&set);
	if (rules_parse_buffer(&set, "fuzz.rules", (const char *)data, size,
	                       err, sizeof(err)) == 0)
		rules_finish(&set, err, sizeof(err));
	rules_set_free(&set);
	return 0;
}
