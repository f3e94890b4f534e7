/*
 * worddiff.c — the word diff of worddiff.h: both texts cut into words,
 * the longest common subsequence of words found by the classic dynamic
 * programme (bounded by WORDDIFF_MAX_WORDS), then walked to print kept
 * words as they are and the rest inside markers.
 */
#include "worddiff.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* One word: its bytes, then the whitespace after it. */
struct word {
	const char *s; /* start */
	size_t len;    /* bytes of the word itself */
	size_t ws;     /* whitespace bytes that follow */
};

static bool is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	       c == '\v';
}

/* Length of the UTF-8 sequence at p, and whether it is a CJK character
 * (from U+2E80, the CJK radicals, up; hangul and full-width forms too). */
static size_t char_len(const unsigned char *p, bool *cjk)
{
	size_t n = (*p & 0xe0) == 0xc0   ? 2
	           : (*p & 0xf0) == 0xe0 ? 3
	           : (*p & 0xf8) == 0xf0 ? 4
	                                 : 1;
	size_t i;

	for (i = 1; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return *cjk = false, 1;
	*cjk = (n == 3 && (p[0] > 0xe2 || (p[0] == 0xe2 && p[1] >= 0xba))) ||
	       n == 4;
	return n;
}

/* Cuts s into words; returns how many, or -1 on OOM.  *out is new. */
static long split(const char *s, struct word **out)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	struct word *w = NULL;
	size_t n = 0, cap = 0;

	while (*p && is_space(*p))
		p++;
	while (*p) {
		const unsigned char *start = p;
		bool cjk;
		size_t k = char_len(p, &cjk);

		if (cjk) {
			p += k;
		} else {
			while (*p && !is_space(*p)) {
				k = char_len(p, &cjk);
				if (cjk)
					break;
				p += k;
			}
		}
		if (n == cap) {
			struct word *nw;

			cap = cap ? cap * 2 : 32;
			nw = realloc(w, cap * sizeof(*w));
			if (!nw) {
				free(w);
				return -1;
			}
			w = nw;
		}
		w[n].s = (const char *)start;
		w[n].len = (size_t)(p - start);
		start = p;
		while (*p && is_space(*p))
			p++;
		w[n].ws = (size_t)(p - start);
		n++;
	}
	*out = w;
	return (long)n;
}

static bool same(const struct word *a, const struct word *b)
{
	return a->len == b->len && memcmp(a->s, b->s, a->len) == 0;
}

/* Appends a run of words inside open ... close (the last word's
 * whitespace after the marker). */
static int put_run(struct buf *b, const struct word *w, size_t n,
                   const char *open, const char *close)
{
	size_t i;
	int r = 0;

	if (n == 0)
		return 0;
	r |= buf_puts(b, open);
	for (i = 0; i < n; i++) {
		r |= buf_append(b, w[i].s, w[i].len);
		if (i + 1 < n)
			r |= buf_append(b, w[i].s + w[i].len, w[i].ws);
	}
	r |= buf_puts(b, close);
	if (w[n - 1].ws)
		r |= buf_putc(b, ' ');
	return r < 0 ? -1 : 0;
}

char *worddiff(const char *before, const char *after)
{
	struct word *a = NULL, *b = NULL;
	long na = split(before, &a), nb = split(after, &b);
	uint32_t *t = NULL;
	struct buf out = {0};
	size_t i, j, w;
	int r = 0;

	if (na < 0 || nb < 0)
		goto out_free_words;
	if (na > WORDDIFF_MAX_WORDS || nb > WORDDIFF_MAX_WORDS) {
		r |= put_run(&out, a, (size_t)na, "[-", "-]");
		if (na && !(na && a[na - 1].ws) && nb)
			r |= buf_putc(&out, ' ');
		r |= put_run(&out, b, (size_t)nb, "{+", "+}");
		goto out_finish;
	}
	/* t[i][j]: common words of a[i..] and b[j..]. */
	w = (size_t)nb + 1;
	t = calloc(((size_t)na + 1) * w, sizeof(*t));
	if (!t)
		goto out_free_words;
	for (i = (size_t)na; i-- > 0;)
		for (j = (size_t)nb; j-- > 0;)
			t[i * w + j] = same(&a[i], &b[j])
			                   ? t[(i + 1) * w + j + 1] + 1
			               : t[(i + 1) * w + j] > t[i * w + j + 1]
			                   ? t[(i + 1) * w + j]
			                   : t[i * w + j + 1];
	i = j = 0;
	while (r == 0 && (i < (size_t)na || j < (size_t)nb)) {
		size_t di = i, dj = j;

		if (i < (size_t)na && j < (size_t)nb && same(&a[i], &b[j])) {
			r |= buf_append(&out, b[j].s, b[j].len);
			if (b[j].ws)
				r |= buf_putc(&out, ' ');
			i++, j++;
			continue;
		}
		/* A run of removals, then a run of additions. */
		while (di < (size_t)na &&
		       (dj >= (size_t)nb ||
		        t[(di + 1) * w + dj] >= t[di * w + dj + 1]) &&
		       !(dj < (size_t)nb && same(&a[di], &b[dj])))
			di++;
		while (dj < (size_t)nb &&
		       (di >= (size_t)na ||
		        t[di * w + dj + 1] > t[(di + 1) * w + dj]) &&
		       !(di < (size_t)na && same(&a[di], &b[dj])))
			dj++;
		if (di == i && dj == j)
			dj++; /* cannot happen; never loop forever */
		r |= put_run(&out, a + i, di - i, "[-", "-]");
		if (di > i && dj > j && out.data[out.len - 1] != ' ')
			r |= buf_putc(&out, ' ');
		r |= put_run(&out, b + j, dj - j, "{+", "+}");
		i = di, j = dj;
	}
out_finish:
	if (r == 0 && !out.data && buf_puts(&out, "") < 0)
		r = -1;
	if (r < 0) {
		buf_free(&out);
		goto out_free_words;
	}
	free(t);
	free(a);
	free(b);
	while (out.len && out.data[out.len - 1] == ' ')
		out.data[--out.len] = '\0';
	return buf_steal(&out);
out_free_words:
	buf_free(&out);
	free(t);
	free(a);
	free(b);
	return NULL;
}
