/*
 * fuzz_dedup.c — the pure part of copy finding (classify/dedup.h) on
 * arbitrary bytes: the input split at its first NUL into markup and text
 * (and the text's first line used as the post's own URL).  The link keys
 * must be NUL-terminated, distinct, short enough and never a home page; a
 * signature must compare equal to itself and survive its hex form; the
 * similarity of any two is within [0, 1] and symmetric.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dedup.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct normalize *nz;
static struct dedup_scratch scratch;

static void check_links(const char *html, const char *text, const char *own)
{
	char keys[DEDUP_MAX_LINKS][DEDUP_KEY_MAX];
	size_t n = dedup_links(html, text, own, keys), i, j;

	if (n > DEDUP_MAX_LINKS)
		abort();
	for (i = 0; i < n; i++) {
		if (strnlen(keys[i], DEDUP_KEY_MAX) >= DEDUP_KEY_MAX ||
		    (!strchr(keys[i], '/') && !strchr(keys[i], '?')))
			abort();
		for (j = 0; j < i; j++)
			if (strcmp(keys[i], keys[j]) == 0)
				abort();
	}
}

static void check_signature(const char *text, size_t len)
{
	struct dedup_sig a, b, c;
	char hex[DEDUP_HEX_LEN + 1];
	int rc = dedup_signature(nz, text, len, &scratch, &a);
	double s;

	if (rc != 1)
		return;
	dedup_sig_hex(&a, hex);
	if (dedup_sig_parse(hex, &b) != 0 || dedup_similarity(&a, &b) != 1.0)
		abort();
	if (len > 1 &&
	    dedup_signature(nz, text + 1, len - 1, &scratch, &c) == 1) {
		s = dedup_similarity(&a, &c);
		if (s < 0 || s > 1 || s != dedup_similarity(&c, &a))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf, *text, *own, *nl, err[256];
	size_t hl;

	if (!nz && normalize_open(0, &nz, err, sizeof(err)) < 0)
		abort();
	buf = malloc(size + 2);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = buf[size + 1] = '\0';
	hl = strlen(buf);
	text = hl < size ? buf + hl + 1 : buf + size;
	check_signature(text, strlen(text));
	own = strdup(text);
	if (own && (nl = strchr(own, '\n')) != NULL)
		*nl = '\0';
	check_links(buf, text, own);
	check_links(NULL, text, NULL);
	free(own);
	free(buf);
	return 0;
}
