/* fuzz_model.c — the model file parser on arbitrary bytes: it must refuse
 * the file with a message or build a model that scores text and writes
 * itself back in a form it reads again, never crash, leak or read out
 * of bounds.  Also feeds the bytes to the labelled-TSV parser. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "labels.h"
#include "model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint32_t text[] = {'f',    'o',    'r', 't', ' ',
	                                0x6b66, 0x6c49, '1', '9'};
	struct model *m = NULL, *m2 = NULL;
	struct labels_set set = {0};
	char err[256], *out, *copy, *again;
	size_t len, len2;

	if (model_parse((const char *)data, size, "fuzz.model", &m, err,
	                sizeof(err)) == 0) {
		struct model_scores ms;

		model_score(m, text, sizeof(text) / sizeof(text[0]), &ms);
		if (model_serialize(m, &out, &len) == 0) {
			/* What it writes it must read back. */
			if (model_parse(out, len, "again", &m2, err,
			                sizeof(err)) != 0)
				abort();
			/* ... and writing is canonical: the same bytes. */
			if (model_serialize(m2, &again, &len2) == 0) {
				if (len2 != len || memcmp(again, out, len) != 0)
					abort();
				free(again);
			}
			model_free(m2);
			free(out);
		}
		model_free(m);
	}
	copy = malloc(size + 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	labels_parse(copy, size, "fuzz.tsv", &set, err, sizeof(err));
	labels_set_free(&set);
	free(copy);
	return 0;
}
