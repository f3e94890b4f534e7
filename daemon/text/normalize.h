/*
 * normalize.h — text folding for the classifier.  Lexicon terms and post
 * texts go through the same steps so that a term matches every spelling a
 * post may use: HTML entity leftovers decoded, Unicode compatibility
 * decomposition (the "K" of NFKC: full-width, ligatures, circled digits),
 * case folding, accents dropped from Latin letters, quotes/dashes/spaces
 * lumped to ASCII, whitespace runs collapsed, and Traditional Chinese
 * converted to Simplified with OpenCC.  Every output code point remembers
 * which input code points it came from, so evidence offsets refer to the
 * text the caller passed in.
 */
#ifndef DEMARCHE_NORMALIZE_H
#define DEMARCHE_NORMALIZE_H

#include <stddef.h>
#include <stdint.h>

/* Inputs longer than this are refused with -E2BIG. */
#define NORMALIZE_MAX_INPUT (1024 * 1024)

struct normalize; /* opaque: the OpenCC converter, loaded once */

/* Opens the folding context (loads OpenCC's t2s tables; pass use_opencc 0
 * to skip Traditional->Simplified).  Returns 0 and a *new* context or a
 * negative errno with a message in err. */
int normalize_open(int use_opencc, struct normalize **out, char *err,
                   size_t errlen);
void normalize_close(struct normalize *n);

/* A folded text and its map back to the input.  Reusable: pass the same
 * struct to normalize_run again and its buffers are reused.  A zeroed
 * struct is empty. */
struct normalize_text {
	char *text;          /* folded UTF-8, NUL-terminated */
	uint32_t *cps;       /* the same text as code points */
	size_t len;          /* bytes in text */
	size_t n_cp;         /* code points in text */
	uint32_t *cp_byte;   /* byte offset of each code point; [n_cp] = len */
	uint32_t *src_start; /* first input code point each one came from */
	uint32_t *src_end;   /* one past the last input code point */
	size_t cap_bytes;    /* allocated bytes of text */
	size_t cap_cp;       /* allocated entries of the arrays */
};

/* Folds len bytes of UTF-8 (invalid bytes count as one code point each
 * and become U+FFFD).  Returns 0, -ENOMEM, or -E2BIG (input too long). */
int normalize_run(const struct normalize *n, const char *in, size_t len,
                  struct normalize_text *out);
/* Frees the buffers; the struct is empty afterwards. */
void normalize_text_free(struct normalize_text *t);
/* The index of the code point that holds byte offset `byte` of t->text
 * (n_cp when byte == len). */
size_t normalize_byte_to_cp(const struct normalize_text *t, size_t byte);

/* Decodes one UTF-8 code point at s (at most n bytes); stores its length in
 * *adv (1 for an invalid byte, which decodes as U+FFFD). */
uint32_t normalize_utf8_decode(const unsigned char *s, size_t n, size_t *adv);
/* Whether cp is a letter or digit of an alphabetic script (Latin, Greek,
 * Cyrillic) — where words need boundaries.  CJK and kana are not. */
int normalize_is_word_cp(uint32_t cp);
/* Whether cp is a CJK ideograph. */
int normalize_is_han(uint32_t cp);

#endif
