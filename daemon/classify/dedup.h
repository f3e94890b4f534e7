/*
 * dedup.h — copies of one statement.  The same statement appears on a
 * ministry's Telegram channel, its Mastodon account and its web page, or
 * is quoted verbatim by an embassy; reports count it once.  This module is
 * the pure part: a MinHash signature of a text's shingles (with the LSH
 * bands the store indexes to find candidates without comparing every
 * pair), the estimated Jaccard similarity of two signatures, and the keys
 * of the URLs a post links to (the second way two posts are one
 * statement).  Everything is deterministic: fixed seeds, explicit 64-bit
 * arithmetic, no dependence on the platform's hash or byte order, so
 * signatures stored by one build are valid for every other.
 *
 * The text is folded by normalize.h (case, width, accents, Traditional to
 * Simplified Chinese); URLs, @mentions and the '#' of hashtags are
 * dropped; the tokens are the words of alphabetic scripts and the single
 * characters of Chinese, Japanese and Korean, which have no spaces.  A
 * shingle is DEDUP_SHINGLE consecutive tokens: a word 3-gram in Latin
 * text, a character 3-gram in Chinese (about one and a half words, as
 * specific as a Latin word pair; 4-grams would let one changed character
 * remove 4 of the 40-odd shingles of a Weibo-length text and push true
 * copies below the threshold).
 */
#ifndef DEMARCHE_DEDUP_H
#define DEMARCHE_DEDUP_H

#include <stddef.h>
#include <stdint.h>

#include "normalize.h"

/* MinHash values per signature: DEDUP_BANDS bands of DEDUP_ROWS.  Two
 * texts of Jaccard similarity J share a band with probability
 * 1 - (1 - J^6)^20: 0.998 at J = 0.8, 0.27 at 0.5, 0.015 at 0.3. */
#define DEDUP_HASHES 120
#define DEDUP_BANDS  20
#define DEDUP_ROWS   6
/* Tokens per shingle. */
#define DEDUP_SHINGLE 3
/* Texts with fewer tokens (words, or CJK characters) get no signature:
 * "Thank you!", "Happy New Year to all our friends!" and other
 * boilerplate never cluster. */
#define DEDUP_MIN_TOKENS 12
/* Estimated Jaccard similarity from which two texts are one statement.
 * One changed word in a text of n words keeps (n-5)/(n+1) of the
 * shingles: 0.8 lets a tweet-length statement (30 words and more) differ
 * by a word, while two statements that share a template but differ in a
 * clause stay apart — wrongly merging hides a statement from the
 * reports, which is worse than counting a copy twice.  The estimate's
 * standard deviation with 120 hashes is about 0.04 near 0.8. */
#define DEDUP_THRESHOLD 0.8
/* The signature as text: 8 hex digits per hash. */
#define DEDUP_HEX_LEN (DEDUP_HASHES * 8)
/* Links kept per post, and the longest key. */
#define DEDUP_MAX_LINKS 4
#define DEDUP_KEY_MAX   512

struct dedup_sig {
	uint32_t h[DEDUP_HASHES]; /* the minimum of each hash function */
	size_t n_tokens;          /* tokens of the text */
};

/* Reusable buffers of dedup_signature(); a zeroed struct is empty. */
struct dedup_scratch {
	struct normalize_text t; /* the folded text */
	uint64_t *tok;           /* token hashes */
	size_t cap;              /* room in tok */
};
void dedup_scratch_free(struct dedup_scratch *s);

/* The signature of len bytes of text, folded with n.  Returns 1 when
 * signed, 0 when the text is too short to have one (out->n_tokens says
 * how long it was), or a negative errno (-ENOMEM, -E2BIG). */
int dedup_signature(const struct normalize *n, const char *text, size_t len,
                    struct dedup_scratch *scratch, struct dedup_sig *out);

/* The estimated Jaccard similarity of two signatures: the share of equal
 * minima, 0 to 1. */
double dedup_similarity(const struct dedup_sig *a, const struct dedup_sig *b);

/* The band keys of a signature: band number * 2^32 + a hash of its rows,
 * so equal keys mean an equal band at the same place. */
void dedup_bands(const struct dedup_sig *s, int64_t out[DEDUP_BANDS]);

/* The signature as DEDUP_HEX_LEN lowercase hex digits and a NUL in out
 * (DEDUP_HEX_LEN + 1 bytes), and back: 0, or -EINVAL for anything but
 * DEDUP_HEX_LEN hex digits. */
void dedup_sig_hex(const struct dedup_sig *s, char *out);
int dedup_sig_parse(const char *hex, struct dedup_sig *out);

/* The key of an http(s) URL: host (lower case, without "www.") and path
 * and query, without scheme, port 80/443, fragment, trailing '/' and the
 * tracking parameters (utm_*, fbclid, gclid).  Returns 1 with the key in
 * out, 0 when the URL names no page (a site's home page) or is no http(s)
 * URL, -ENAMETOOLONG when the key does not fit in len bytes. */
int dedup_url_key(const char *url, char *out, size_t len);

/* The keys of the pages a post links to: the href of the markup's <a>
 * links (not the @mention and #hashtag links of Mastodon), else of the
 * http(s) URLs in its text, without those on the host of the post's own
 * URL own_url (the account's own site: its navigation, not a statement).
 * At most DEDUP_MAX_LINKS distinct keys go to keys; returns how many. */
size_t dedup_links(const char *html, const char *text, const char *own_url,
                   char keys[DEDUP_MAX_LINKS][DEDUP_KEY_MAX]);

#endif
