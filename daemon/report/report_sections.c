/*
 * report_sections.c — the sections of the summary report (categories,
 * examples, accounts, growth, days, feed health) and report_render(),
 * which writes them in order in text, Markdown or HTML, or the model
 * itself as JSON.  Each section reads only the model, once for every
 * format.
 */
#include "report_amplification.h"
#include "report_int.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ------------------------------------------------------------ sections */

static int section_categories(struct buf *b, enum report_format f,
                              const json_t *report)
{
	static const char *const heads[] = {"category",   "posts",
	                                    "statements", "previous",
	                                    "change",     "leading accounts"};
	struct report_table t = {6, heads, "lrrrrl", NULL, 0, 0};
	const json_t *cats = json_object_get(report, "categories");
	const char *key;
	json_t *cat;
	char ch[32];
	int rc;

	rc = report_heading(b, f, 2, "Categories");
	if (rc == 0 && f == REPORT_FORMAT_HTML)
		rc = report_chart_categories(b, report);
	json_object_foreach((json_t *)cats, key, cat)
	{
		struct buf top = {0};
		const json_t *ta = json_object_get(cat, "top_accounts");
		size_t i;

		report_fmt_signed(ch, sizeof(ch), report_jint(cat, "change"));
		for (i = 0; i < json_array_size(ta) && rc == 0; i++) {
			const json_t *a = json_array_get(ta, i);

			rc = buf_printf(&top, "%s%s (%lld)", i ? ", " : "",
			                report_jstr(a, "handle")
			                    ? report_jstr(a, "handle")
			                    : "?",
			                (long long)report_jint(a, "posts"));
		}
		if (rc == 0)
			rc = report_jstr(cat, "name")
			         ? report_table_addf(&t, "%s (%s)", key,
			                             report_jstr(cat, "name"))
			         : report_table_add(&t, key);
		if (rc == 0)
			rc = report_table_add_int(
			    &t, json_object_get(cat, "count"));
		if (rc == 0)
			rc = report_table_add_int(
			    &t, json_object_get(cat, "statements"));
		if (rc == 0)
			rc = report_table_add_int(
			    &t, json_object_get(cat, "previous"));
		if (rc == 0)
			rc = report_table_add(&t, ch);
		if (rc == 0)
			rc = report_table_add(&t, top.data ? top.data : "");
		buf_free(&top);
		if (rc < 0)
			break;
	}
	if (rc < 0) {
		report_table_free(&t);
		return rc;
	}
	return report_table_render(&t, f, b);
}

static int section_examples(struct buf *b, enum report_format f,
                            const json_t *report)
{
	const json_t *cats = json_object_get(report, "categories");
	const char *key;
	json_t *cat;
	size_t i, n = 0;
	int rc;

	rc = report_heading(b, f, 2, "Strongest examples");
	json_object_foreach((json_t *)cats, key, cat)
	{
		const json_t *ex = json_object_get(cat, "examples");

		for (i = 0; i < json_array_size(ex) && rc == 0; i++, n++) {
			rc = report_render_example(b, f, key,
			                           json_array_get(ex, i));
			if (rc == 0)
				rc = report_render_copies(
				    b, f, json_array_get(ex, i));
		}
	}
	if (rc == 0 && n == 0)
		rc = report_para(b, f, "(no classified posts in this period)");
	return rc;
}

static int section_accounts(struct buf *b, enum report_format f,
                            const json_t *report)
{
	static const char *const heads[] = {
	    "account", "role", "posts", "categories", "followers", "change"};
	struct report_table t = {6, heads, "llrlrr", NULL, 0, 0};
	const json_t *list = json_object_get(report, "accounts");
	size_t i;
	int rc;

	rc = report_heading(b, f, 2, "Accounts");
	for (i = 0; i < json_array_size(list) && rc == 0; i++) {
		const json_t *a = json_array_get(list, i),
		             *fc = json_object_get(a, "followers_change");
		struct buf mix = {0};
		const char *key;
		json_t *v;
		char ch[32] = "-";

		json_object_foreach(json_object_get(a, "categories"), key, v)
		{
			if (json_integer_value(v) > 0 && rc == 0)
				rc = buf_printf(
				    &mix, "%s%s %lld", mix.len ? ", " : "", key,
				    (long long)json_integer_value(v));
		}
		if (json_is_integer(fc))
			report_fmt_signed(ch, sizeof(ch),
			                  json_integer_value(fc));
		if (rc == 0)
			rc = report_jstr(a, "name") && *report_jstr(a, "name")
			         ? report_table_addf(&t, "%s (%s)",
			                             report_jstr(a, "handle"),
			                             report_jstr(a, "name"))
			         : report_table_add(&t,
			                            report_jstr(a, "handle"));
		if (rc == 0)
			rc = report_table_add(&t, report_jstr(a, "role"));
		if (rc == 0)
			rc = report_table_add_int(&t,
			                          json_object_get(a, "posts"));
		if (rc == 0)
			rc = report_table_add(&t, mix.data);
		if (rc == 0)
			rc = report_table_add_int(
			    &t, json_object_get(a, "followers"));
		if (rc == 0)
			rc = report_table_add(&t, ch);
		buf_free(&mix);
	}
	if (rc < 0) {
		report_table_free(&t);
		return rc;
	}
	return report_table_render(&t, f, b);
}

static int section_growth(struct buf *b, enum report_format f,
                          const json_t *report)
{
	const json_t *g = json_object_get(report, "growth");
	const json_t *years = json_object_get(g, "opened_per_year");
	char line[160], n1[48];
	int rc;

	rc = report_heading(b, f, 2, "Accounts opened per year");

	snprintf(line, sizeof(line),
	         "%s tracked; %lld without a known creation date.",
	         report_plural(n1, sizeof(n1), report_jint(g, "accounts_total"),
	                       "account", "accounts"),
	         (long long)report_jint(g, "created_unknown"));
	if (rc == 0)
		rc = report_para(b, f, line);
	if (rc == 0 && f == REPORT_FORMAT_HTML && json_object_size(years))
		rc = report_chart_years(b, years);
	if (rc == 0)
		rc = report_table_years(b, f, years);
	if (rc == 0 && f == REPORT_FORMAT_HTML) {
		rc = report_heading(b, f, 2, "Follower curves");
		if (rc == 0)
			rc = report_chart_followers(
			    b, json_object_get(g, "followers_daily"));
	}
	return rc;
}

static int section_days(struct buf *b, enum report_format f,
                        const json_t *report)
{
	static const char *const heads[] = {"day", "posts", "classified as"};
	struct report_table t = {3, heads, "lrl", NULL, 0, 0};
	const json_t *days = json_object_get(report, "days");
	size_t i;
	int rc;

	rc = report_heading(b, f, 2, "Posts per day");
	if (rc == 0 && f == REPORT_FORMAT_HTML)
		rc = report_chart_days(b, report);
	for (i = 0; i < json_array_size(days) && rc == 0; i++) {
		const json_t *d = json_array_get(days, i);
		struct buf mix = {0};
		const char *key;
		json_t *v;

		json_object_foreach(json_object_get(d, "categories"), key, v)
		{
			if (json_integer_value(v) > 0 && rc == 0)
				rc = buf_printf(
				    &mix, "%s%s %lld", mix.len ? ", " : "", key,
				    (long long)json_integer_value(v));
		}
		if (rc == 0)
			rc = report_table_add(&t, report_jstr(d, "day"));
		if (rc == 0)
			rc = report_table_add_int(&t,
			                          json_object_get(d, "posts"));
		if (rc == 0)
			rc = report_table_add(&t, mix.data);
		buf_free(&mix);
	}
	if (rc < 0) {
		report_table_free(&t);
		return rc;
	}
	return report_table_render(&t, f, b);
}

/* A feed as its URL, with what it is read as (feeds.source) unless its
 * URL tells: "https://x/feed.xml (rss)". */
static int feed_cell(struct report_table *t, const json_t *x)
{
	const char *url = report_jstr(x, "url"),
	           *src = report_jstr(x, "source");
	struct buf cell = {0};
	int rc;

	if (!src || !url || strncmp(url, src, strlen(src)) == 0 ||
	    strcmp(src, "web") == 0)
		return report_table_add(t, url);
	rc = buf_printf(&cell, "%s (%s)", url, src);
	if (rc == 0)
		rc = report_table_add(t, cell.data);
	buf_free(&cell);
	return rc;
}

static int section_feeds(struct buf *b, enum report_format f,
                         const json_t *report)
{
	static const char *const heads[] = {"feed",          "account",
	                                    "failing since", "last success",
	                                    "failures",      "error"};
	struct report_table t = {6, heads, "llllrl", NULL, 0, 0};
	const json_t *feeds = json_object_get(report, "feeds"),
	             *failing = json_object_get(feeds, "failing");
	char line[128];
	size_t i;
	int rc;

	rc = report_heading(b, f, 2, "Feed health");
	snprintf(line, sizeof(line), "%lld of %lld active feeds healthy.",
	         (long long)report_jint(feeds, "ok"),
	         (long long)report_jint(feeds, "total"));
	if (rc == 0)
		rc = report_para(b, f, line);
	for (i = 0; i < json_array_size(failing) && rc == 0; i++) {
		const json_t *x = json_array_get(failing, i);

		rc = feed_cell(&t, x);
		if (rc == 0)
			rc = report_table_add(&t, report_jstr(x, "account"));
		if (rc == 0)
			rc = report_table_add(&t, report_jstr(x, "since")
			                              ? report_jstr(x, "since")
			                              : "-");
		if (rc == 0)
			rc = report_table_add(
			    &t, report_jstr(x, "last_success")
			            ? report_jstr(x, "last_success")
			            : "never");
		if (rc == 0)
			rc = json_is_true(json_object_get(x, "disabled"))
			         ? report_table_add(&t, "disabled")
			         : report_table_add_int(
			               &t, json_object_get(
			                       x, "consecutive_failures"));
		if (rc == 0)
			rc = report_table_add(&t, report_jstr(x, "error"));
	}
	if (rc < 0) {
		report_table_free(&t);
		return rc;
	}
	return report_table_render(&t, f, b);
}

static const char html_head[] =
    "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src "
    "'none'; style-src 'unsafe-inline'; img-src data:\">\n"
    "<meta name=\"viewport\" content=\"width=device-width, "
    "initial-scale=1\">\n<title>";
static const char html_style[] =
    "</title>\n<style>\n"
    "body{font:15px/1.45 system-ui,sans-serif;max-width:60em;margin:2em "
    "auto;padding:0 1em;color:#222}\n"
    "h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em;border-bottom:"
    "1px solid #ccc}\n"
    "table{border-collapse:collapse;margin:.5em 0}th,td{padding:.2em "
    ".6em;border-bottom:1px solid #eee;text-align:left;vertical-align:top}"
    "\n.num{text-align:right;font-variant-numeric:tabular-nums}\n"
    ".ex{margin:1em 0}.meta{color:#555;font-size:.9em}\n"
    "blockquote{margin:.3em 0 .3em 1em;padding-left:.8em;border-left:3px "
    "solid #ccc;white-space:pre-wrap}\n.ev{font-size:.9em;color:#555}\n"
    "svg .ax{font-size:12px;fill:#444}svg .lg{font-size:13px;fill:#222}\n"
    "</style>\n</head>\n<body>\n";

int report_render_cols(const json_t *report, enum report_format f, size_t cols,
                       struct buf *b)
{
	int rc;

	report_page_set_cols(cols);
	rc = report_render(report, f, b);
	report_page_set_cols(REPORT_TEXT_COLS);
	return rc;
}

int report_render(const json_t *report, enum report_format f, struct buf *b)
{
	const json_t *period = json_object_get(report, "period"),
	             *totals = json_object_get(report, "totals");
	char title[128], line[320], pw[192], n1[48], n2[48], n3[64];
	char *js;
	int rc = 0;

	if (f == REPORT_FORMAT_JSON) {
		js = json_dumps(report, JSON_INDENT(2));
		if (!js)
			return -ENOMEM;
		rc = buf_puts(b, js);
		free(js);
		return rc ? rc : buf_putc(b, '\n');
	}
	if (f != REPORT_FORMAT_TEXT && f != REPORT_FORMAT_MD &&
	    f != REPORT_FORMAT_HTML)
		return -EINVAL;
	snprintf(title, sizeof(title), "demarche report %s to %s",
	         report_jstr(period, "from") ? report_jstr(period, "from")
	                                     : "?",
	         report_jstr(period, "to") ? report_jstr(period, "to") : "?");
	/* A statement posted on several platforms counts once. */
	report_plural(n3, sizeof(n3), report_jint(totals, "statements"),
	              "statement", "statements");
	snprintf(line, sizeof(line),
	         "%s from %s, %s; %lld classified into at least one category.",
	         report_plural(n1, sizeof(n1), report_jint(totals, "posts"),
	                       "post", "posts"),
	         report_plural(n2, sizeof(n2),
	                       report_jint(totals, "accounts_active"),
	                       "account", "accounts"),
	         n3, (long long)report_jint(totals, "classified"));
	if (f == REPORT_FORMAT_HTML) {
		rc = buf_puts(b, html_head);
		if (rc == 0)
			rc = report_put_esc(b, title, REPORT_ESC_HTML, 0);
		if (rc == 0)
			rc = buf_puts(b, html_style);
	}
	if (rc == 0)
		rc = report_heading(b, f, 1, title);
	if (rc == 0)
		rc = report_para(b, f,
		                 report_period_words(report, pw, sizeof(pw)));
	if (rc == 0)
		rc = report_para(b, f, line);
	if (rc == 0)
		rc = section_categories(b, f, report);
	if (rc == 0)
		rc = section_examples(b, f, report);
	if (rc == 0)
		rc = section_days(b, f, report);
	if (rc == 0)
		rc = report_record_render(report, f, b);
	if (rc == 0)
		rc = report_amplification_render(report, f, b);
	if (rc == 0)
		rc = report_narratives_render(report, f, b);
	if (rc == 0)
		rc = section_accounts(b, f, report);
	if (rc == 0)
		rc = section_growth(b, f, report);
	if (rc == 0)
		rc = section_feeds(b, f, report);
	if (rc == 0 && f == REPORT_FORMAT_HTML)
		rc = buf_puts(b, "</body>\n</html>\n");
	return rc;
}
