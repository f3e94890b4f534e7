/*
 * normalize.c — folds post texts and lexicon terms to one comparable form
 * (see normalize.h).  The work is done code point by code point so that
 * each output code point can carry the range of input code points it came
 * from: utf8proc decomposes one character at a time (compatibility
 * decomposition, case fold, punctuation lumping, ignorables dropped), we
 * drop the accents of alphabetic letters ourselves (utf8proc's STRIPMARK
 * would also strip Japanese voicing marks), and Traditional characters are
 * replaced by their Simplified forms.  Composition is skipped on purpose:
 * both sides of every comparison are decomposed the same way, which is all
 * matching needs, and it keeps the offset map one-to-one.
 *
 * Traditional -> Simplified: OpenCC's t2s conversion is the authority, but
 * calling it per post cost more than everything else together (a trie
 * walk per character, C++ allocations per segment).  normalize_open()
 * therefore asks OpenCC once for the Simplified form of every CJK
 * ideograph on its own and keeps the characters that change in a bitmap
 * and a sorted table; folding then replaces characters one by one.  What
 * is lost is OpenCC's phrase context (乾隆 keeps 乾 there, here it becomes
 * 干), which does not matter for matching, as lexicon terms are folded by
 * the same table.
 */
#include "normalize.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <opencc/opencc.h>
#include <utf8proc.h>

/* The CJK blocks whose characters are looked up in OpenCC at open. */
static const uint32_t han_blocks[][2] = {
    {0x3400, 0x4DBF}, {0x4E00, 0x9FFF}, {0x20000, 0x2A6DF}};
#define T2S_LIMIT 0x2A6E0u /* no character at or above this converts */

struct normalize {
	uint8_t *t2s_bits;  /* bit per code point < T2S_LIMIT: it converts */
	uint32_t *t2s_from; /* Traditional code points, ascending */
	uint32_t *t2s_to;   /* their Simplified forms */
	size_t n_t2s;       /* entries of the two tables */
};

static void put_utf8(char *o, size_t *pos, uint32_t cp);

/* Builds the one-character t2s table: every ideograph of han_blocks on
 * its own line through one OpenCC call, and the lines that come back as
 * one different character are kept. */
static int build_t2s(struct normalize *n, opencc_t cc, char *err, size_t errlen)
{
	size_t total = 0, pos = 0, i, k = 0, adv;
	char *in, *conv;
	const unsigned char *q;
	uint32_t cp;
	int r = -ENOMEM;

	for (i = 0; i < sizeof(han_blocks) / sizeof(han_blocks[0]); i++)
		total += han_blocks[i][1] - han_blocks[i][0] + 1;
	in = malloc(total * 5 + 1);
	n->t2s_bits = calloc(T2S_LIMIT / 8 + 1, 1);
	if (!in || !n->t2s_bits) {
		snprintf(err, errlen, "out of memory");
		goto out_free_in;
	}
	for (i = 0; i < sizeof(han_blocks) / sizeof(han_blocks[0]); i++) {
		for (cp = han_blocks[i][0]; cp <= han_blocks[i][1]; cp++) {
			put_utf8(in, &pos, cp);
			in[pos++] = '\n';
		}
	}
	conv = opencc_convert_utf8(cc, in, pos);
	if (!conv) {
		const char *why = opencc_error();
		snprintf(err, errlen, "OpenCC t2s conversion failed: %s",
		         why ? why : "unknown error");
		r = -EIO;
		goto out_free_in;
	}
	n->t2s_from = malloc(total * sizeof(uint32_t));
	n->t2s_to = malloc(total * sizeof(uint32_t));
	if (!n->t2s_from || !n->t2s_to) {
		snprintf(err, errlen, "out of memory");
		opencc_convert_utf8_free(conv);
		goto out_free_in;
	}
	/* Walk input and output line by line, in step. */
	q = (const unsigned char *)conv;
	for (i = 0; i < sizeof(han_blocks) / sizeof(han_blocks[0]); i++) {
		for (cp = han_blocks[i][0]; cp <= han_blocks[i][1]; cp++) {
			const unsigned char *e = q;
			uint32_t to;

			while (*e && *e != '\n')
				e++;
			to = normalize_utf8_decode(q, (size_t)(e - q), &adv);
			if (adv == (size_t)(e - q) && to != cp &&
			    to != 0xFFFD) {
				n->t2s_from[k] = cp;
				n->t2s_to[k] = to;
				n->t2s_bits[cp / 8] |=
				    (uint8_t)(1u << (cp % 8));
				k++;
			}
			q = *e ? e + 1 : e;
		}
	}
	n->n_t2s = k;
	opencc_convert_utf8_free(conv);
	r = 0;
out_free_in:
	free(in);
	return r;
}

/* The Simplified form of cp (cp itself when it has none). */
static uint32_t t2s_char(const struct normalize *n, uint32_t cp)
{
	size_t lo = 0, hi;

	if (cp >= T2S_LIMIT || !(n->t2s_bits[cp / 8] & (1u << (cp % 8))))
		return cp;
	hi = n->n_t2s;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (n->t2s_from[mid] == cp)
			return n->t2s_to[mid];
		if (n->t2s_from[mid] < cp)
			lo = mid + 1;
		else
			hi = mid;
	}
	return cp;
}

int normalize_open(int use_opencc, struct normalize **out, char *err,
                   size_t errlen)
{
	struct normalize *n = calloc(1, sizeof(*n));

	*out = NULL;
	if (!n) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if (use_opencc) {
		opencc_t cc = opencc_open("t2s.json");
		int r;

		if (cc == (opencc_t)-1) {
			const char *why = opencc_error();
			snprintf(err, errlen,
			         "cannot open OpenCC conversion t2s.json "
			         "(is libopencc-data installed?): %s",
			         why ? why : "unknown error");
			free(n);
			return -ENOENT;
		}
		r = build_t2s(n, cc, err, errlen);
		opencc_close(cc);
		if (r < 0) {
			normalize_close(n);
			return r;
		}
	}
	*out = n;
	return 0;
}

void normalize_close(struct normalize *n)
{
	if (!n)
		return;
	free(n->t2s_bits);
	free(n->t2s_from);
	free(n->t2s_to);
	free(n);
}

void normalize_text_free(struct normalize_text *t)
{
	free(t->text);
	free(t->cps);
	free(t->cp_byte);
	free(t->src_start);
	free(t->src_end);
	memset(t, 0, sizeof(*t));
}

uint32_t normalize_utf8_decode(const unsigned char *s, size_t n, size_t *adv)
{
	uint32_t cp;
	size_t need, i;

	*adv = 1;
	if (n == 0)
		return 0xFFFD;
	if (s[0] < 0x80)
		return s[0];
	if (s[0] >= 0xC2 && s[0] <= 0xDF) {
		need = 1;
		cp = s[0] & 0x1F;
	} else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
		need = 2;
		cp = s[0] & 0x0F;
	} else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
		need = 3;
		cp = s[0] & 0x07;
	} else {
		return 0xFFFD;
	}
	if (n < need + 1)
		return 0xFFFD;
	for (i = 1; i <= need; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0xFFFD;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	/* Overlong forms, surrogates and values past U+10FFFF. */
	if ((need == 2 && cp < 0x800) || (need == 3 && cp < 0x10000) ||
	    (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
		return 0xFFFD;
	*adv = need + 1;
	return cp;
}

int normalize_is_word_cp(uint32_t cp)
{
	if (cp < 0x80)
		return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') ||
		       (cp >= 'A' && cp <= 'Z');
	if (cp >= 0xC0 && cp <= 0x24F)
		return cp != 0xD7 && cp != 0xF7;
	return cp >= 0x370 && cp <= 0x52F;
}

int normalize_is_han(uint32_t cp)
{
	return (cp >= 0x3400 && cp <= 0x4DBF) ||
	       (cp >= 0x4E00 && cp <= 0x9FFF) ||
	       (cp >= 0xF900 && cp <= 0xFAFF) ||
	       (cp >= 0x20000 && cp <= 0x3134F);
}

/* Makes room for `extra` more code points in the output arrays. */
static int nt_reserve_cp(struct normalize_text *t, size_t extra)
{
	size_t need = t->n_cp + extra + 1, cap;
	uint32_t *a, *b, *c, *d;

	if (need <= t->cap_cp)
		return 0;
	cap = t->cap_cp ? t->cap_cp : 256;
	while (cap < need)
		cap *= 2;
	a = realloc(t->cps, cap * sizeof(*a));
	if (!a)
		return -ENOMEM;
	t->cps = a;
	b = realloc(t->cp_byte, cap * sizeof(*b));
	if (!b)
		return -ENOMEM;
	t->cp_byte = b;
	c = realloc(t->src_start, cap * sizeof(*c));
	if (!c)
		return -ENOMEM;
	t->src_start = c;
	d = realloc(t->src_end, cap * sizeof(*d));
	if (!d)
		return -ENOMEM;
	t->src_end = d;
	t->cap_cp = cap;
	if (cap * 4 + 1 > t->cap_bytes) {
		char *e = realloc(t->text, cap * 4 + 1);
		if (!e)
			return -ENOMEM;
		t->text = e;
		t->cap_bytes = cap * 4 + 1;
	}
	return 0;
}

static int is_space_cp(uint32_t cp)
{
	return cp == ' ' || (cp < 0x20) || (cp >= 0x7F && cp <= 0xA0) ||
	       cp == 0x3000 || cp == 0x2028 || cp == 0x2029;
}

/* Appends one folded code point coming from input range [s, e), as a
 * code point and as UTF-8.  The caller has reserved room for it. */
static void nt_push(struct normalize_text *t, uint32_t cp, uint32_t s,
                    uint32_t e)
{
	/* Double quotes of every style read as '"' (utf8proc's lumping
	 * covers single quotes and dashes, not these). */
	if (cp == 0x201C || cp == 0x201D || cp == 0x201E || cp == 0x201F ||
	    cp == 0xAB || cp == 0xBB || cp == 0x2033)
		cp = '"';
	if (is_space_cp(cp)) {
		/* Runs of white space (and a leading one) fold to nothing
		 * more than one blank. */
		if (t->n_cp == 0 || t->cps[t->n_cp - 1] == ' ') {
			if (t->n_cp)
				t->src_end[t->n_cp - 1] = e;
			return;
		}
		cp = ' ';
	}
	if (t->n_cp > 0 && cp >= 0x300 && cp <= 0x36F &&
	    t->cps[t->n_cp - 1] < 0x530 && t->cps[t->n_cp - 1] != ' ') {
		/* An accent on an alphabetic letter: "é" matches "e", as
		 * analysts and many posts write it. */
		t->src_end[t->n_cp - 1] = e;
		return;
	}
	t->cps[t->n_cp] = cp;
	t->cp_byte[t->n_cp] = (uint32_t)t->len;
	t->src_start[t->n_cp] = s;
	t->src_end[t->n_cp] = e;
	t->n_cp++;
	put_utf8(t->text, &t->len, cp);
}

/* Recognises an HTML entity at s (which starts with '&'); returns its
 * length in bytes and the character in *cp, or 0 when it is none. */
static size_t parse_entity(const char *s, size_t n, uint32_t *cp)
{
	static const struct {
		const char *name;
		uint32_t cp;
	} named[] = {{"amp", '&'},       {"lt", '<'},       {"gt", '>'},
	             {"quot", '"'},      {"apos", '\''},    {"nbsp", 0xA0},
	             {"hellip", 0x2026}, {"mdash", 0x2014}, {"ndash", 0x2013},
	             {"rsquo", 0x2019},  {"lsquo", 0x2018}, {"rdquo", 0x201D},
	             {"ldquo", 0x201C}};
	size_t i, end = 0, k;

	for (i = 1; i < n && i < 12; i++) {
		if (s[i] == ';') {
			end = i;
			break;
		}
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '#'))
			return 0;
	}
	if (end < 2)
		return 0;
	if (s[1] == '#') {
		unsigned long v = 0;
		int hex = (s[2] == 'x' || s[2] == 'X');
		size_t j = hex ? 3 : 2;

		if (j >= end)
			return 0;
		for (; j < end; j++) {
			char c = s[j];
			unsigned d;

			if (c >= '0' && c <= '9')
				d = (unsigned)(c - '0');
			else if (hex && c >= 'a' && c <= 'f')
				d = (unsigned)(c - 'a' + 10);
			else if (hex && c >= 'A' && c <= 'F')
				d = (unsigned)(c - 'A' + 10);
			else
				return 0;
			v = v * (hex ? 16 : 10) + d;
			if (v > 0x10FFFF)
				return 0;
		}
		if (v == 0 || (v >= 0xD800 && v <= 0xDFFF))
			return 0;
		*cp = (uint32_t)v;
		return end + 1;
	}
	for (k = 0; k < sizeof(named) / sizeof(named[0]); k++) {
		if (strlen(named[k].name) == end - 1 &&
		    memcmp(s + 1, named[k].name, end - 1) == 0) {
			*cp = named[k].cp;
			return end + 1;
		}
	}
	return 0;
}

static void put_utf8(char *o, size_t *pos, uint32_t cp)
{
	unsigned char *p = (unsigned char *)o + *pos;

	if (cp < 0x80) {
		p[0] = (unsigned char)cp;
		*pos += 1;
	} else if (cp < 0x800) {
		p[0] = (unsigned char)(0xC0 | (cp >> 6));
		p[1] = (unsigned char)(0x80 | (cp & 0x3F));
		*pos += 2;
	} else if (cp < 0x10000) {
		p[0] = (unsigned char)(0xE0 | (cp >> 12));
		p[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		p[2] = (unsigned char)(0x80 | (cp & 0x3F));
		*pos += 3;
	} else {
		p[0] = (unsigned char)(0xF0 | (cp >> 18));
		p[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
		p[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		p[3] = (unsigned char)(0x80 | (cp & 0x3F));
		*pos += 4;
	}
}

/* A run of printable ASCII from s[pos] folds by case alone and holds no
 * quote, blank or accent to merge: stored directly, through locals the
 * compiler can keep in registers.  Room was reserved: the invariant is
 * n_cp + (len - pos) < cap_cp.  Returns the position after the run; *src
 * counts the source units. */
static inline size_t push_ascii_run(struct normalize_text *out,
                                    const unsigned char *s, size_t pos,
                                    size_t len, uint32_t *src)
{
	uint32_t *cps = out->cps, *cb = out->cp_byte;
	uint32_t *ss = out->src_start, *se = out->src_end;
	char *tx = out->text;
	size_t at = out->n_cp, bl = out->len;
	uint32_t sr = *src;

	do {
		uint32_t c = s[pos++];

		if (c - 'A' < 26u)
			c += 32;
		cps[at] = c;
		cb[at] = (uint32_t)bl;
		ss[at] = sr;
		se[at] = sr + 1;
		tx[bl++] = (char)c;
		at++;
		sr++;
	} while (pos < len && s[pos] > 0x20 && s[pos] < 0x7F && s[pos] != '&');
	out->n_cp = at;
	out->len = bl;
	*src = sr;
	return pos;
}

int normalize_run(const struct normalize *n, const char *in, size_t len,
                  struct normalize_text *out)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t pos = 0, adv;
	uint32_t src = 0;
	int r;
	const utf8proc_option_t opts = UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT |
	                               UTF8PROC_CASEFOLD | UTF8PROC_LUMP |
	                               UTF8PROC_IGNORE;

	out->n_cp = 0;
	out->len = 0;
	if (len > NORMALIZE_MAX_INPUT)
		return -E2BIG;
	/* One code point per input byte covers every ASCII text and most
	 * others (a multi-byte character folds to one or two); only a
	 * character that decomposes into more than it has bytes needs the
	 * check in the loop below. */
	r = nt_reserve_cp(out, len + 8);
	if (r < 0)
		return r;
	while (pos < len) {
		utf8proc_int32_t dec[32];
		utf8proc_ssize_t nd, k;
		uint32_t cp;
		int bound = 0;
		size_t units = 1;

		if (s[pos] > 0x20 && s[pos] < 0x7F && s[pos] != '&') {
			pos = push_ascii_run(out, s, pos, len, &src);
			continue;
		}
		if (s[pos] < 0x80 && s[pos] != '&') {
			/* Blanks and controls. */
			cp = s[pos++];
			nt_push(out, cp, src, src + 1);
			src++;
			continue;
		}
		if (s[pos] == '&' &&
		    (adv = parse_entity(in + pos, len - pos, &cp)) > 0) {
			units = adv; /* an entity is all ASCII */
		} else {
			cp = normalize_utf8_decode(s + pos, len - pos, &adv);
		}
		pos += adv;
		if (is_space_cp(cp)) {
			nd = 1;
			dec[0] = ' ';
		} else if (cp < 0x80) {
			nd = 1;
			dec[0] = (cp >= 'A' && cp <= 'Z') ? (int32_t)(cp + 32)
			                                  : (int32_t)cp;
		} else {
			nd = utf8proc_decompose_char((utf8proc_int32_t)cp, dec,
			                             32, opts, &bound);
			if (nd < 0 || nd > 32) {
				nd = 1;
				dec[0] = 0xFFFD;
			}
		}
		if (out->n_cp + (size_t)nd + (len - pos) + 1 > out->cap_cp) {
			r = nt_reserve_cp(out, (size_t)nd + (len - pos));
			if (r < 0)
				return r;
		}
		for (k = 0; k < nd; k++) {
			uint32_t d = (uint32_t)dec[k];

			if (n && n->t2s_bits && d >= 0x3400)
				d = t2s_char(n, d);
			nt_push(out, d, src, src + (uint32_t)units);
		}
		src += (uint32_t)units;
	}
	/* A trailing blank carries no meaning. */
	if (out->n_cp && out->cps[out->n_cp - 1] == ' ') {
		out->n_cp--;
		out->len--;
	}
	out->cp_byte[out->n_cp] = (uint32_t)out->len;
	out->text[out->len] = '\0';
	return 0;
}

size_t normalize_byte_to_cp(const struct normalize_text *t, size_t byte)
{
	size_t lo = 0, hi = t->n_cp;

	/* The last code point whose start is <= byte. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo + 1) / 2;
		if (t->cp_byte[mid] <= byte)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}
