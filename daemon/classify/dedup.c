/*
 * dedup.c — MinHash signatures of folded texts and the keys of the pages
 * posts link to (see dedup.h).  The hash functions are h_i(x) = (a_i x +
 * b_i) >> 32 over a 64-bit hash x of each shingle, with a_i (odd) and b_i
 * drawn from a splitmix64 sequence of a fixed seed: cheap (one multiply
 * per shingle and function), and the same on every machine.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dedup.h"

/* The seed of the hash functions: changing it invalidates every stored
 * signature. */
#define DEDUP_SEED 0x64656d6172636865ULL /* "demarche" */

static uint64_t splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t fmix64(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

void dedup_scratch_free(struct dedup_scratch *s)
{
	normalize_text_free(&s->t);
	free(s->tok);
	s->tok = NULL;
	s->cap = 0;
}

/* Chinese, Japanese and Korean characters: one token each. */
static bool is_cjk(uint32_t cp)
{
	return normalize_is_han(cp) || (cp >= 0x3040 && cp <= 0x30ff) ||
	       (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0x1100 && cp <= 0x11ff);
}

/* Whether the folded code points at i begin with the ASCII string s. */
static bool cps_start(const struct normalize_text *t, size_t i, const char *s)
{
	for (; *s; s++, i++)
		if (i >= t->n_cp || t->cps[i] != (uint32_t)(unsigned char)*s)
			return false;
	return true;
}

/* The index after the space-delimited run that begins at i. */
static size_t skip_run(const struct normalize_text *t, size_t i)
{
	while (i < t->n_cp && t->cps[i] != ' ')
		i++;
	return i;
}

static int push_token(struct dedup_scratch *s, size_t n, uint64_t h)
{
	if (n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 256;
		uint64_t *tok = realloc(s->tok, cap * sizeof(*tok));

		if (!tok)
			return -ENOMEM;
		s->tok = tok;
		s->cap = cap;
	}
	s->tok[n] = h;
	return 0;
}

/* Splits the folded text into token hashes (s->tok); returns how many or
 * -ENOMEM. */
static long tokenize(struct dedup_scratch *s)
{
	const struct normalize_text *t = &s->t;
	size_t i = 0, n = 0;

	while (i < t->n_cp) {
		uint32_t cp = t->cps[i];
		uint64_t h = 0xcbf29ce484222325ULL;

		if (cps_start(t, i, "http://") || cps_start(t, i, "https://") ||
		    cps_start(t, i, "www.") ||
		    (cp == '@' && i + 1 < t->n_cp &&
		     normalize_is_word_cp(t->cps[i + 1]))) {
			i = skip_run(t, i); /* a URL or an @mention */
			continue;
		}
		if (is_cjk(cp)) {
			h = (h ^ cp) * 0x100000001b3ULL;
			i++;
		} else if (normalize_is_word_cp(cp)) {
			for (; i < t->n_cp && normalize_is_word_cp(t->cps[i]);
			     i++)
				h = (h ^ t->cps[i]) * 0x100000001b3ULL;
		} else {
			i++; /* spaces, punctuation, the '#' of a hashtag */
			continue;
		}
		if (push_token(s, n, h) < 0)
			return -ENOMEM;
		n++;
	}
	return (long)n;
}

int dedup_signature(const struct normalize *n, const char *text, size_t len,
                    struct dedup_scratch *scratch, struct dedup_sig *out)
{
	uint64_t a[DEDUP_HASHES], b[DEDUP_HASHES], state = DEDUP_SEED;
	long n_tok;
	size_t i, k;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = normalize_run(n, text, len, &scratch->t);
	if (rc < 0)
		return rc;
	n_tok = tokenize(scratch);
	if (n_tok < 0)
		return (int)n_tok;
	out->n_tokens = (size_t)n_tok;
	if (out->n_tokens < DEDUP_MIN_TOKENS)
		return 0;
	for (k = 0; k < DEDUP_HASHES; k++) {
		a[k] = splitmix64(&state) | 1;
		b[k] = splitmix64(&state);
		out->h[k] = UINT32_MAX;
	}
	for (i = 0; i + DEDUP_SHINGLE <= out->n_tokens; i++) {
		const uint64_t *t = &scratch->tok[i];
		uint64_t x = fmix64(fmix64(fmix64(t[0]) ^ t[1]) ^ t[2]);

		for (k = 0; k < DEDUP_HASHES; k++) {
			uint32_t v = (uint32_t)((a[k] * x + b[k]) >> 32);

			if (v < out->h[k])
				out->h[k] = v;
		}
	}
	return 1;
}

double dedup_similarity(const struct dedup_sig *a, const struct dedup_sig *b)
{
	size_t k, same = 0;

	for (k = 0; k < DEDUP_HASHES; k++)
		same += a->h[k] == b->h[k];
	return (double)same / DEDUP_HASHES;
}

void dedup_bands(const struct dedup_sig *s, int64_t out[DEDUP_BANDS])
{
	size_t band, r;

	for (band = 0; band < DEDUP_BANDS; band++) {
		uint64_t h = 0xcbf29ce484222325ULL;

		for (r = 0; r < DEDUP_ROWS; r++)
			h = fmix64(h ^ s->h[band * DEDUP_ROWS + r]);
		out[band] = (int64_t)((band << 32) | (h & 0xffffffffULL));
	}
}

void dedup_sig_hex(const struct dedup_sig *s, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t k;
	int j;

	for (k = 0; k < DEDUP_HASHES; k++)
		for (j = 0; j < 8; j++)
			*out++ = digits[(s->h[k] >> (28 - 4 * j)) & 0xf];
	*out = '\0';
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int dedup_sig_parse(const char *hex, struct dedup_sig *out)
{
	size_t k;
	int j;

	memset(out, 0, sizeof(*out));
	if (!hex || strlen(hex) != DEDUP_HEX_LEN)
		return -EINVAL;
	for (k = 0; k < DEDUP_HASHES; k++)
		for (j = 0; j < 8; j++) {
			int v = hex_value(*hex++);

			if (v < 0)
				return -EINVAL;
			out->h[k] = (out->h[k] << 4) | (uint32_t)v;
		}
	out->n_tokens = DEDUP_MIN_TOKENS;
	return 0;
}

/* ---- links ---------------------------------------------------------- */

/* A growing key in a fixed buffer; full is set when it did not fit. */
struct key {
	char *p;
	size_t len, cap;
	bool full;
};

static void key_add(struct key *k, const char *s, size_t n)
{
	if (k->len + n + 1 > k->cap) {
		k->full = true;
		return;
	}
	memcpy(k->p + k->len, s, n);
	k->len += n;
	k->p[k->len] = '\0';
}

static bool url_end(char c)
{
	return c == '\0' || c == '#' || (unsigned char)c <= ' ';
}

/* Whether the query parameter of n bytes at s only tracks the reader. */
static bool tracking_param(const char *s, size_t n)
{
	return (n >= 4 && strncasecmp(s, "utm_", 4) == 0) ||
	       (n >= 7 && strncasecmp(s, "fbclid=", 7) == 0) ||
	       (n >= 6 && strncasecmp(s, "gclid=", 6) == 0) ||
	       (n == 6 && strncasecmp(s, "fbclid", 6) == 0);
}

/* Appends the host of the authority of n bytes at s: without user, "www."
 * and the default ports, in lower case. */
static void add_host(struct key *k, const char *s, size_t n)
{
	const char *at = memchr(s, '@', n);
	size_t i, start;

	if (at) {
		n -= (size_t)(at + 1 - s);
		s = at + 1;
	}
	if (n > 4 && strncasecmp(s, "www.", 4) == 0) {
		s += 4;
		n -= 4;
	}
	if (n > 3 && strncmp(s + n - 3, ":80", 3) == 0)
		n -= 3;
	else if (n > 4 && strncmp(s + n - 4, ":443", 4) == 0)
		n -= 4;
	start = k->len;
	key_add(k, s, n);
	if (!k->full)
		for (i = start; i < k->len; i++)
			if (k->p[i] >= 'A' && k->p[i] <= 'Z')
				k->p[i] = (char)(k->p[i] - 'A' + 'a');
}

/* Appends the query of n bytes at s (after its '?') without tracking
 * parameters. */
static void add_query(struct key *k, const char *s, size_t n)
{
	bool first = true;

	while (n > 0) {
		const char *amp = memchr(s, '&', n);
		size_t len = amp ? (size_t)(amp - s) : n;

		if (len > 0 && !tracking_param(s, len)) {
			key_add(k, first ? "?" : "&", 1);
			key_add(k, s, len);
			first = false;
		}
		if (!amp)
			break;
		n -= len + 1;
		s = amp + 1;
	}
}

int dedup_url_key(const char *url, char *out, size_t len)
{
	struct key k = {out, 0, len, false};
	size_t auth, path, query, q;
	const char *s;

	if (len == 0)
		return -ENAMETOOLONG;
	out[0] = '\0';
	if (strncasecmp(url, "http://", 7) == 0)
		s = url + 7;
	else if (strncasecmp(url, "https://", 8) == 0)
		s = url + 8;
	else
		return 0;
	for (auth = 0; !url_end(s[auth]) && s[auth] != '/' && s[auth] != '?';
	     auth++)
		;
	if (auth == 0)
		return 0;
	for (path = auth; !url_end(s[path]) && s[path] != '?'; path++)
		;
	for (q = path; !url_end(s[q]); q++)
		;
	query = path;
	add_host(&k, s, auth);
	/* The path without trailing slashes. */
	while (path > auth && s[path - 1] == '/')
		path--;
	key_add(&k, s + auth, path - auth);
	if (q > query && s[query] == '?')
		add_query(&k, s + query + 1, q - query - 1);
	if (k.full) {
		out[0] = '\0';
		return -ENAMETOOLONG;
	}
	/* Only the host: a home page, linked by many unrelated posts. */
	if (!strchr(out, '/') && !strchr(out, '?'))
		return 0;
	return 1;
}

/* The length of the host at the start of key. */
static size_t key_host_len(const char *key)
{
	return strcspn(key, "/?");
}

struct links {
	char (*keys)[DEDUP_KEY_MAX];
	size_t n;
	char own_host[DEDUP_KEY_MAX]; /* "" when unknown */
};

/* Adds the key of the URL of n bytes at s (in the markup when amp, so
 * "&amp;" stands for '&'). */
static void links_add(struct links *l, const char *s, size_t n, bool amp)
{
	char url[DEDUP_KEY_MAX * 2], key[DEDUP_KEY_MAX];
	size_t i, o = 0, host;

	if (l->n >= DEDUP_MAX_LINKS)
		return;
	for (i = 0; i < n && o + 1 < sizeof(url); i++) {
		url[o++] = s[i];
		if (amp && s[i] == '&' && n - i >= 5 &&
		    strncmp(s + i, "&amp;", 5) == 0)
			i += 4;
	}
	url[o] = '\0';
	if (dedup_url_key(url, key, sizeof(key)) <= 0)
		return;
	host = key_host_len(key);
	if (l->own_host[0] && strlen(l->own_host) == host &&
	    strncmp(key, l->own_host, host) == 0)
		return;
	for (i = 0; i < l->n; i++)
		if (strcmp(l->keys[i], key) == 0)
			return;
	memcpy(l->keys[l->n++], key, strlen(key) + 1);
}

/* The value of attribute name in the tag of n bytes at s: *len bytes at
 * the pointer returned, or NULL. */
static const char *tag_attr(const char *s, size_t n, const char *name,
                            size_t *len)
{
	size_t nl = strlen(name), i = 0;

	while (i + nl < n) {
		const char *v;
		char quote;

		if (strncasecmp(s + i, name, nl) != 0 ||
		    (i > 0 && s[i - 1] != ' ' && s[i - 1] != '\t' &&
		     s[i - 1] != '\n' && s[i - 1] != '\r')) {
			i++;
			continue;
		}
		i += nl;
		while (i < n && s[i] == ' ')
			i++;
		if (i >= n || s[i] != '=')
			continue;
		for (i++; i < n && s[i] == ' '; i++)
			;
		quote = i < n && (s[i] == '"' || s[i] == '\'') ? s[i] : 0;
		v = s + i + (quote ? 1 : 0);
		for (*len = 0; v + *len < s + n; (*len)++)
			if (quote ? v[*len] == quote
			          : v[*len] == ' ' || v[*len] == '>')
				break;
		return v;
	}
	return NULL;
}

/* Whether the text of the link after the tag at s (its first character
 * that is no markup) is a '@' or '#': a mention or a hashtag. */
static bool mention_text(const char *s)
{
	while (*s) {
		if (*s == '<') {
			const char *gt = strchr(s, '>');

			if (!gt)
				return false;
			s = gt + 1;
		} else if (*s == ' ' || *s == '\n' || *s == '\t') {
			s++;
		} else {
			return *s == '@' || *s == '#';
		}
	}
	return false;
}

/* Whether the n bytes at s hold word. */
static bool has_word(const char *s, size_t n, const char *word)
{
	size_t wl = strlen(word), i;

	for (i = 0; i + wl <= n; i++)
		if (strncmp(s + i, word, wl) == 0)
			return true;
	return false;
}

static void links_from_html(struct links *l, const char *html)
{
	const char *s = html;

	while ((s = strchr(s, '<')) != NULL) {
		const char *gt, *href, *cls;
		size_t n, hlen, clen = 0;

		s++;
		if ((*s != 'a' && *s != 'A') ||
		    (s[1] != ' ' && s[1] != '\t' && s[1] != '\n'))
			continue;
		gt = strchr(s, '>');
		if (!gt)
			return;
		n = (size_t)(gt - s);
		href = tag_attr(s, n, "href", &hlen);
		cls = tag_attr(s, n, "class", &clen);
		s = gt + 1;
		if (!href)
			continue;
		if (cls && (has_word(cls, clen, "mention") ||
		            has_word(cls, clen, "hashtag")))
			continue;
		if (mention_text(s))
			continue;
		links_add(l, href, hlen, true);
	}
}

static void links_from_text(struct links *l, const char *text)
{
	const char *s = text;

	while (*s) {
		size_t n = 0;

		if ((*s != 'h' && *s != 'H') ||
		    (strncasecmp(s, "http://", 7) != 0 &&
		     strncasecmp(s, "https://", 8) != 0)) {
			s++;
			continue;
		}
		while (!url_end(s[n]) && !strchr("\"'<>()[]{}", s[n]))
			n++;
		if (s[n] == '#')
			while ((unsigned char)s[n] > ' ')
				n++;
		while (n > 0 && strchr(".,;:!?", s[n - 1]))
			n--;
		links_add(l, s, n, false);
		s += n > 0 ? n : 1;
	}
}

size_t dedup_links(const char *html, const char *text, const char *own_url,
                   char keys[DEDUP_MAX_LINKS][DEDUP_KEY_MAX])
{
	struct links l = {keys, 0, ""};

	if (own_url &&
	    dedup_url_key(own_url, l.own_host, sizeof(l.own_host)) >= 0)
		l.own_host[key_host_len(l.own_host)] = '\0';
	else
		l.own_host[0] = '\0';
	if (html)
		links_from_html(&l, html);
	if (l.n == 0 && text)
		links_from_text(&l, text);
	return l.n;
}
