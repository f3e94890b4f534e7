/* fuzz_classify.c — folding and classification of arbitrary bytes with
 * the shipped lexicons: offsets must stay inside the text.  The first
 * byte picks the language tag. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "normalize.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct classify_rules *rules;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const langs[] = {NULL,      "en", "es", "fr",
	                                    "zh-Hant", "ja", "de"};
	struct classify_result res;
	struct normalize_text nt = {0};
	size_t i, j, ncp = 0, pos = 0, adv;
	const char *lang;
	char *text;

	if (!rules) {
		char err[512];
		const char *dir = getenv("DEMARCHE_SOURCE_DIR");
		char path[1024];

		snprintf(path, sizeof(path), "%s/config/rules",
		         dir ? dir : ".");
		if (classify_rules_load(path, &rules, err, sizeof(err)) < 0) {
			fprintf(stderr, "fuzz_classify: %s\n", err);
			abort();
		}
	}
	if (size == 0)
		return 0;
	lang = langs[data[0] % (sizeof(langs) / sizeof(langs[0]))];
	text = malloc(size);
	if (!text)
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	/* Code points of the input as the classifier counts them. */
	while (pos < strlen(text)) {
		normalize_utf8_decode((const unsigned char *)text + pos,
		                      strlen(text) - pos, &adv);
		pos += adv;
		ncp++;
	}
	if (classify_text(rules, text, lang, &res) == 0) {
		for (i = 0; i < res.n_cats; i++)
			for (j = 0; j < res.cats[i].n_evidence; j++) {
				const struct classify_evidence *e =
				    &res.cats[i].evidence[j];
				if (e->start > e->end || e->end > ncp)
					abort();
			}
		classify_result_clear(&res);
	}
	if (normalize_run(NULL, (const char *)data, size, &nt) == 0 &&
	    nt.len != strlen(nt.text) && memchr(data, 0, size) == NULL)
		abort();
	normalize_text_free(&nt);
	free(text);
	return 0;
}
