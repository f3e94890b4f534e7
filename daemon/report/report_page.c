/*
 * report_page.c — building the pages of the report and the trends:
 * escaping for terminals, Markdown and HTML (everything that came from a
 * feed is hostile: control characters and bidi overrides are replaced, and
 * only http(s) URLs ever become links), tables in the three formats,
 * headings, paragraphs and the example posts.
 */
#include "report_int.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <utf8proc.h>

/* ------------------------------------------------------ text handling */

/* Characters that must never reach an output raw: C0/C1 controls, DEL,
 * and the bidirectional overrides that can make text read differently
 * from what it is. */
static bool cp_is_unsafe(utf8proc_int32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp < 0xa0) ||
	       (cp >= 0x202a && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200e || cp == 0x200f ||
	       cp == 0xfeff;
}

int report_put_esc(struct buf *b, const char *s, enum report_esc mode,
                   size_t max)
{
	const char *p = s ? s : "";
	utf8proc_int32_t prev = 0;
	size_t n = 0;
	int rc = 0;

	while (*p && rc == 0) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t len =
		    utf8proc_iterate((const utf8proc_uint8_t *)p, -1, &cp);

		if (max && n == max)
			return buf_puts(b, "\xe2\x80\xa6");
		n++;
		if (len < 1) {
			rc = buf_puts(b, "\xef\xbf\xbd");
			p++;
			continue;
		}
		if (cp_is_unsafe(cp)) {
			rc = buf_putc(b, ' ');
		} else if (mode == REPORT_ESC_HTML && cp < 0x80 &&
		           strchr("&<>\"'", (int)cp)) {
			rc = buf_printf(b, "&#%d;", (int)cp);
		} else if (mode == REPORT_ESC_MD && cp < 0x80 &&
		           strchr("&<>", (int)cp)) {
			rc = buf_printf(b, "&#%d;", (int)cp);
		} else if (mode == REPORT_ESC_MD && cp < 0x80 &&
		           (strchr("\\`*_[]|~", (int)cp) ||
		            (cp == '(' && prev == ']') ||
		            (n == 1 && strchr("#+-", (int)cp)))) {
			/* Block markers (#, +, -) matter only where a line
			 * starts, and an escaped string has no line breaks;
			 * "(" only after "]", where a link target begins. */
			rc = buf_putc(b, '\\');
			if (rc == 0)
				rc = buf_putc(b, (char)cp);
		} else {
			rc = buf_append(b, p, (size_t)len);
		}
		prev = cp;
		p += len;
	}
	return rc;
}

/* The columns s takes in a terminal (East Asian wide characters count 2). */
static size_t display_width(const char *s)
{
	const char *p = s;
	size_t w = 0;

	while (*p) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t len =
		    utf8proc_iterate((const utf8proc_uint8_t *)p, -1, &cp);
		int cw;

		if (len < 1) {
			p++;
			w++;
			continue;
		}
		cw = utf8proc_charwidth(cp);
		w += cw > 0 ? (size_t)cw : 0;
		p += len;
	}
	return w;
}

/* True for a URL that may become a link: http(s) with no character that
 * could break out of an attribute or a Markdown link target. */
static bool url_is_safe(const char *u)
{
	const unsigned char *p;

	if (!u || (strncasecmp(u, "http://", 7) != 0 &&
	           strncasecmp(u, "https://", 8) != 0))
		return false;
	for (p = (const unsigned char *)u; *p; p++)
		if (*p <= 0x20 || *p == 0x7f || strchr("\"'<>\\`", *p))
			return false;
	return true;
}

/* Appends a safe URL percent-encoding what would end a Markdown target. */
static int put_md_url(struct buf *b, const char *u)
{
	int rc = 0;

	for (; *u && rc == 0; u++)
		rc = strchr("()[]", *u)
		         ? buf_printf(b, "%%%02X", (unsigned char)*u)
		         : buf_putc(b, *u);
	return rc;
}

const char *report_plural(char *out, size_t len, int64_t n, const char *one,
                          const char *many)
{
	snprintf(out, len, "%lld %s", (long long)n, n == 1 ? one : many);
	return out;
}

void report_fmt_signed(char *out, size_t len, int64_t v)
{
	snprintf(out, len, v > 0 ? "+%lld" : "%lld", (long long)v);
}

/* ---------------------------------------------------------------- tables */

void report_table_free(struct report_table *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->cells[i]);
	free(t->cells);
	t->cells = NULL;
	t->n = t->cap = 0;
}

int report_table_add(struct report_table *t, const char *s)
{
	char *c;

	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 32;
		char **cells = realloc(t->cells, cap * sizeof(*cells));

		if (!cells)
			return -ENOMEM;
		t->cells = cells;
		t->cap = cap;
	}
	c = strdup(s ? s : "");
	if (!c)
		return -ENOMEM;
	t->cells[t->n++] = c;
	return 0;
}

int report_table_addf(struct report_table *t, const char *fmt, ...)
{
	char tmp[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	return report_table_add(t, tmp);
}

int report_table_add_int(struct report_table *t, const json_t *v)
{
	if (!json_is_integer(v))
		return report_table_add(t, "-");
	return report_table_addf(t, "%lld", (long long)json_integer_value(v));
}

/* Drops spaces at the end of b (before a line break is added). */
static void rtrim(struct buf *b)
{
	while (b->len > 0 && b->data[b->len - 1] == ' ')
		b->data[--b->len] = '\0';
}

static int pad(struct buf *b, size_t n)
{
	int rc = 0;

	while (n-- > 0 && rc == 0)
		rc = buf_putc(b, ' ');
	return rc;
}

/* Columns of the text rendering (report_render_cols() sets it for one
 * call; the tool is single-threaded and the daemon renders in a child). */
static size_t text_cols = REPORT_TEXT_COLS;

void report_page_set_cols(size_t cols)
{
	text_cols = cols < REPORT_TEXT_COLS_MIN ? REPORT_TEXT_COLS_MIN : cols;
}

/* Appends s cut to at most width columns (a "…" marks the cut); *used
 * gets the columns taken. */
static int put_fit(struct buf *b, const char *s, size_t width, size_t *used)
{
	const char *p = s;
	size_t w = 0;
	int rc = 0;

	if (display_width(s) <= width) {
		*used = display_width(s);
		return buf_puts(b, s);
	}
	while (*p && rc == 0) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t len =
		    utf8proc_iterate((const utf8proc_uint8_t *)p, -1, &cp);
		int cw;

		if (len < 1)
			break;
		cw = utf8proc_charwidth(cp);
		if (w + (size_t)(cw > 0 ? cw : 0) + 1 > width)
			break;
		rc = buf_append(b, p, (size_t)len);
		w += cw > 0 ? (size_t)cw : 0;
		p += len;
	}
	if (rc == 0 && width > 0) {
		rc = buf_puts(b, "\xe2\x80\xa6");
		w++;
	}
	*used = w;
	return rc;
}

/* Headings wider than their column's cells give way, down to 4 columns
 * (their end becomes "…"), the widest first, while the table is too
 * wide; returns the new total. */
static size_t fit_headings(const struct report_table *t, size_t *w,
                           const size_t *cellw, size_t total)
{
	size_t c;

	while (total + 1 > text_cols) {
		size_t best = t->ncols, floor_c, slack, best_slack = 0;

		for (c = 0; c < t->ncols; c++) {
			floor_c = cellw[c] > 4 ? cellw[c] : 4;
			slack = w[c] > floor_c ? w[c] - floor_c : 0;
			if (slack > best_slack) {
				best = c;
				best_slack = slack;
			}
		}
		if (best == t->ncols)
			break;
		w[best]--;
		total--;
	}
	return total;
}

/* Narrows the widest text columns, down to floor (or their heading),
 * while the table is too wide; returns the new total. */
static size_t fit_text(const struct report_table *t, size_t *w, size_t floor,
                       size_t total)
{
	size_t c;

	while (total + 1 > text_cols) {
		size_t best = t->ncols, min;

		for (c = 0; c < t->ncols; c++) {
			min = display_width(t->heads[c]);
			if (min < floor)
				min = floor;
			if (t->align[c] == 'l' && w[c] > min &&
			    (best == t->ncols || w[c] > w[best]))
				best = c;
		}
		if (best == t->ncols)
			break;
		w[best]--;
		total--;
	}
	return total;
}

/* Fits the table to text_cols (each column takes 2 columns of margin):
 * long text columns narrow first (to 16), then wide headings of short
 * columns, then text columns down to 8; numbers stay whole. */
static void fit_columns(const struct report_table *t, size_t *w,
                        const size_t *cellw)
{
	size_t total = 0, c;

	for (c = 0; c < t->ncols; c++)
		total += 2 + w[c];
	total = fit_text(t, w, 16, total);
	total = fit_headings(t, w, cellw, total);
	fit_text(t, w, 8, total);
}

static int table_render_text(const struct report_table *t, struct buf *b)
{
	struct buf cell = {0};
	size_t *w, *cellw, r, c, rows = t->n / t->ncols;
	char **clean;
	int rc = -ENOMEM;

	w = calloc(t->ncols, sizeof(*w));
	cellw = calloc(t->ncols, sizeof(*cellw));
	clean = calloc(t->n + 1, sizeof(*clean));
	if (!w || !cellw || !clean)
		goto out_free_cells;
	for (c = 0; c < t->ncols; c++)
		w[c] = display_width(t->heads[c]);
	for (r = 0; r < t->n; r++) {
		buf_reset(&cell);
		if (report_put_esc(&cell, t->cells[r], REPORT_ESC_TEXT,
		                   CELL_MAX) < 0)
			goto out_free_cells;
		clean[r] = buf_steal(&cell);
		if (!clean[r])
			goto out_free_cells;
		if (display_width(clean[r]) > w[r % t->ncols])
			w[r % t->ncols] = display_width(clean[r]);
		if (display_width(clean[r]) > cellw[r % t->ncols])
			cellw[r % t->ncols] = display_width(clean[r]);
	}
	fit_columns(t, w, cellw);
	rc = 0;
	for (r = 0; r <= rows + 1 && rc == 0; r++) {
		for (c = 0; c < t->ncols && rc == 0; c++) {
			const char *s = r == 0 ? t->heads[c]
			                : r == 1
			                    ? NULL
			                    : clean[(r - 2) * t->ncols + c];
			size_t sw = s ? display_width(s) : 0;
			bool last = c + 1 == t->ncols;

			if (sw > w[c])
				sw = w[c];

			rc = buf_puts(b, "  ");
			if (!s) {
				size_t k;

				for (k = 0; k < w[c] && rc == 0; k++)
					rc = buf_putc(b, '-');
				continue;
			}
			if (t->align[c] == 'r')
				rc = pad(b, w[c] - sw);
			if (rc == 0)
				rc = put_fit(b, s, w[c], &sw);
			if (rc == 0 && t->align[c] != 'r' && !last)
				rc = pad(b, w[c] - sw);
		}
		if (rc == 0) {
			rtrim(b);
			rc = buf_putc(b, '\n');
		}
	}
out_free_cells:
	for (r = 0; clean && r < t->n; r++)
		free(clean[r]);
	free(clean);
	free(w);
	free(cellw);
	buf_free(&cell);
	return rc;
}

static int table_render_md(const struct report_table *t, struct buf *b)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < t->ncols && rc == 0; i++) {
		rc = buf_puts(b, "| ");
		if (rc == 0)
			rc = report_put_esc(b, t->heads[i], REPORT_ESC_MD, 0);
		if (rc == 0)
			rc = buf_puts(b, " ");
	}
	if (rc == 0)
		rc = buf_puts(b, "|\n");
	for (i = 0; i < t->ncols && rc == 0; i++)
		rc = buf_puts(b, t->align[i] == 'r' ? "|---:" : "|---");
	if (rc == 0)
		rc = buf_puts(b, "|\n");
	for (i = 0; i < t->n && rc == 0; i++) {
		rc = buf_puts(b, "| ");
		if (rc == 0)
			rc = report_put_esc(b, t->cells[i], REPORT_ESC_MD,
			                    CELL_MAX);
		if (rc == 0)
			rc = buf_puts(b, (i + 1) % t->ncols ? " " : " |\n");
	}
	return rc;
}

static int table_render_html(const struct report_table *t, struct buf *b)
{
	size_t i;
	int rc = buf_puts(b, "<table>\n<thead><tr>");

	for (i = 0; i < t->ncols && rc == 0; i++) {
		rc = buf_puts(b, t->align[i] == 'r' ? "<th class=\"num\">"
		                                    : "<th>");
		if (rc == 0)
			rc = report_put_esc(b, t->heads[i], REPORT_ESC_HTML, 0);
		if (rc == 0)
			rc = buf_puts(b, "</th>");
	}
	if (rc == 0)
		rc = buf_puts(b, "</tr></thead>\n<tbody>\n");
	for (i = 0; i < t->n && rc == 0; i++) {
		size_t c = i % t->ncols;

		if (c == 0)
			rc = buf_puts(b, "<tr>");
		if (rc == 0)
			rc = buf_puts(b, t->align[c] == 'r'
			                     ? "<td class=\"num\">"
			                     : "<td>");
		if (rc == 0)
			rc = report_put_esc(b, t->cells[i], REPORT_ESC_HTML, 0);
		if (rc == 0)
			rc = buf_puts(b, c + 1 == t->ncols ? "</td></tr>\n"
			                                   : "</td>");
	}
	if (rc == 0)
		rc = buf_puts(b, "</tbody>\n</table>\n");
	return rc;
}

int report_table_render(struct report_table *t, enum report_format f,
                        struct buf *b)
{
	int rc;

	if (t->n == 0) {
		rc = f == REPORT_FORMAT_HTML ? buf_puts(b, "<p>(none)</p>\n")
		                             : buf_puts(b, "  (none)\n");
	} else if (f == REPORT_FORMAT_MD) {
		rc = table_render_md(t, b);
	} else if (f == REPORT_FORMAT_HTML) {
		rc = table_render_html(t, b);
	} else {
		rc = table_render_text(t, b);
	}
	if (rc == 0 && f != REPORT_FORMAT_HTML)
		rc = buf_putc(b, '\n');
	report_table_free(t);
	return rc;
}

/* ------------------------------------------------------------ documents */

int report_heading(struct buf *b, enum report_format f, int level,
                   const char *text)
{
	size_t i, w;
	int rc;

	switch (f) {
	case REPORT_FORMAT_MD:
		rc = buf_printf(b, "%.*s ", level, "###");
		if (rc == 0)
			rc = report_put_esc(b, text, REPORT_ESC_MD, 0);
		return rc ? rc : buf_puts(b, "\n\n");
	case REPORT_FORMAT_HTML:
		rc = buf_printf(b, "<h%d>", level);
		if (rc == 0)
			rc = report_put_esc(b, text, REPORT_ESC_HTML, 0);
		return rc ? rc : buf_printf(b, "</h%d>\n", level);
	default:
		rc = report_put_esc(b, text, REPORT_ESC_TEXT, 0);
		if (rc == 0)
			rc = buf_putc(b, '\n');
		w = display_width(text);
		for (i = 0; i < w && rc == 0; i++)
			rc = buf_putc(b, level == 1 ? '=' : '-');
		return rc ? rc : buf_puts(b, "\n\n");
	}
}

static int put_wrapped(struct buf *b, const char *raw, size_t max_cp,
                       size_t indent, size_t width);

int report_para(struct buf *b, enum report_format f, const char *text)
{
	int rc;

	switch (f) {
	case REPORT_FORMAT_HTML:
		rc = buf_puts(b, "<p>");
		if (rc == 0)
			rc = report_put_esc(b, text, REPORT_ESC_HTML, 0);
		return rc ? rc : buf_puts(b, "</p>\n");
	case REPORT_FORMAT_MD:
		rc = report_put_esc(b, text, REPORT_ESC_MD, 0);
		return rc ? rc : buf_puts(b, "\n\n");
	default:
		rc = put_wrapped(b, text, 0, 0, text_cols - 1);
		return rc ? rc : buf_putc(b, '\n');
	}
}

/* Appends clean text wrapped at width columns, each line indented. */
static int put_wrapped(struct buf *b, const char *raw, size_t max_cp,
                       size_t indent, size_t width)
{
	struct buf clean = {0};
	const char *p, *line, *space = NULL;
	size_t w = 0;
	int rc;

	rc = report_put_esc(&clean, raw, REPORT_ESC_TEXT, max_cp);
	if (rc < 0 || !clean.data)
		goto out_free_clean;
	p = line = clean.data;
	while (*p && rc == 0) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t len =
		    utf8proc_iterate((const utf8proc_uint8_t *)p, -1, &cp);
		int cw = utf8proc_charwidth(cp);

		if (cp == ' ')
			space = p;
		if (w + (size_t)(cw > 0 ? cw : 0) > width && p > line) {
			const char *end = space && space > line ? space : p;

			rc = pad(b, indent);
			if (rc == 0)
				rc = buf_append(b, line, (size_t)(end - line));
			if (rc == 0) {
				rtrim(b);
				rc = buf_putc(b, '\n');
			}
			line = *end == ' ' ? end + 1 : end;
			space = NULL;
			w = 0;
			p = line;
			continue;
		}
		w += cw > 0 ? (size_t)cw : 0;
		p += len;
	}
	if (rc == 0 && *line) {
		rc = pad(b, indent);
		if (rc == 0)
			rc = buf_puts(b, line);
		if (rc == 0) {
			rtrim(b);
			rc = buf_putc(b, '\n');
		}
	}
out_free_clean:
	buf_free(&clean);
	return rc;
}

/* "term, term, ..." from an evidence array (terms only, deduplicated in
 * order). */
static int evidence_terms(const json_t *ev, struct buf *out)
{
	size_t i, j;
	int rc = 0;

	for (i = 0; i < json_array_size(ev) && rc == 0; i++) {
		const char *term = report_jstr(json_array_get(ev, i), "term");
		bool seen = false;

		if (!term)
			continue;
		for (j = 0; j < i && !seen; j++) {
			const char *o =
			    report_jstr(json_array_get(ev, j), "term");

			seen = o && strcmp(o, term) == 0;
		}
		if (seen)
			continue;
		if (out->len)
			rc = buf_puts(out, ", ");
		if (rc == 0)
			rc = buf_puts(out, term);
	}
	return rc;
}

int report_render_example(struct buf *b, enum report_format f, const char *key,
                          const json_t *ex)
{
	const char *url = report_jstr(ex, "url"),
	           *handle = report_jstr(ex, "handle"),
	           *name = report_jstr(ex, "name"),
	           *time = report_jstr(ex, "time"),
	           *title = report_jstr(ex, "title");
	const char *text = report_jstr(ex, "text");
	struct buf meta = {0}, terms = {0}, ev = {0};
	int rc;

	rc = evidence_terms(json_object_get(ex, "evidence"), &terms);
	if (rc == 0)
		rc =
		    buf_printf(&meta, "[%s] %s%s%s%s, %s, score %.2f", key,
		               handle ? handle : "?", name && *name ? " (" : "",
		               name && *name ? name : "",
		               name && *name ? ")" : "", time ? time : "?",
		               json_real_value(json_object_get(ex, "score")));
	if (rc < 0)
		goto out_free_bufs;
	if (text && !*text && title)
		text = title;
	switch (f) {
	case REPORT_FORMAT_HTML:
		rc = buf_puts(b, "<div class=\"ex\"><div class=\"meta\">");
		if (rc == 0)
			rc = report_put_esc(b, meta.data, REPORT_ESC_HTML, 0);
		if (rc == 0 && url_is_safe(url)) {
			rc = buf_puts(b, " &middot; <a rel=\"nofollow noopener "
			                 "noreferrer\" href=\"");
			if (rc == 0)
				rc = report_put_esc(b, url, REPORT_ESC_HTML, 0);
			if (rc == 0)
				rc = buf_puts(b, "\">source</a>");
		}
		if (rc == 0)
			rc = buf_puts(b, "</div>\n<blockquote>");
		if (rc == 0)
			rc = report_put_esc(b, text, REPORT_ESC_HTML, 0);
		if (rc == 0)
			rc = buf_puts(b, "</blockquote>\n<div class=\"ev\">"
			                 "evidence: ");
		if (rc == 0)
			rc = report_put_esc(b, terms.data, REPORT_ESC_HTML, 0);
		if (rc == 0)
			rc = buf_puts(b, "</div></div>\n");
		break;
	case REPORT_FORMAT_MD:
		rc = buf_puts(b, "- ");
		if (rc == 0)
			rc = report_put_esc(b, meta.data, REPORT_ESC_MD, 0);
		if (rc == 0 && url_is_safe(url)) {
			rc = buf_puts(b, " ([source](");
			if (rc == 0)
				rc = put_md_url(b, url);
			if (rc == 0)
				rc = buf_puts(b, "))");
		}
		if (rc == 0)
			rc = buf_puts(b, "\n\n  > ");
		if (rc == 0)
			rc = report_put_esc(b, text, REPORT_ESC_MD, 0);
		if (rc == 0)
			rc = buf_puts(b, "\n\n  evidence: ");
		if (rc == 0)
			rc = report_put_esc(b, terms.data, REPORT_ESC_MD, 0);
		if (rc == 0)
			rc = buf_puts(b, "\n\n");
		break;
	default:
		/* Everything but the link wrapped to the terminal. */
		rc = put_wrapped(b, meta.data, 0, 0, text_cols - 1);
		if (rc == 0)
			rc = put_wrapped(b, text, 400, 4, text_cols - 5);
		if (rc == 0)
			rc = buf_printf(&ev, "evidence: %s",
			                terms.data ? terms.data : "");
		if (rc == 0)
			rc = put_wrapped(b, ev.data, 200, 4, text_cols - 5);
		if (rc == 0 && url) {
			rc = buf_puts(b, "    ");
			if (rc == 0)
				rc = report_put_esc(b, url, REPORT_ESC_TEXT,
				                    200);
			if (rc == 0)
				rc = buf_putc(b, '\n');
		}
		if (rc == 0)
			rc = buf_putc(b, '\n');
		break;
	}
out_free_bufs:
	buf_free(&meta);
	buf_free(&terms);
	buf_free(&ev);
	return rc;
}

int report_table_years(struct buf *b, enum report_format f, const json_t *years)
{
	static const char *const heads[] = {
	    "year",     "diplomat",    "spokesperson", "mission",
	    "ministry", "state_media", "other",        "total"};
	struct report_table t = {8, heads, "lrrrrrrr", NULL, 0, 0};
	const char *year;
	json_t *yo;
	size_t j;
	int rc = 0;

	json_object_foreach((json_t *)years, year, yo)
	{
		int64_t total = 0;

		rc = report_table_add(&t, year);
		for (j = 0; j < ARRAY_SIZE(report_role_keys) && rc == 0; j++) {
			total += report_jint(yo, report_role_keys[j]);
			rc = report_table_addf(
			    &t, "%lld",
			    (long long)report_jint(yo, report_role_keys[j]));
		}
		if (rc == 0)
			rc = report_table_addf(&t, "%lld", (long long)total);
		if (rc < 0) {
			report_table_free(&t);
			return rc;
		}
	}
	return report_table_render(&t, f, b);
}

/* For report_record.c (report_int.h). */
int report_put_wrapped(struct buf *b, const char *raw, size_t max_cp,
                       size_t indent, size_t width)
{
	return put_wrapped(b, raw, max_cp, indent, width);
}

bool report_url_is_safe(const char *u)
{
	return url_is_safe(u);
}

int report_put_md_url(struct buf *b, const char *u)
{
	return put_md_url(b, u);
}
