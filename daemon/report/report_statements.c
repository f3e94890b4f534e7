/*
 * report_statements.c — statements and their copies in the report.  The
 * same statement posted on a ministry's Telegram channel, its Mastodon
 * account and its web page is three posts but one statement
 * (post_clusters, schema 0010, filled by store_clusters.c): the report
 * counts both (totals.statements, categories[k].statements: a statement
 * counts once however many copies it has), shows one example per
 * statement, and lists under each example the statement's other posts
 * (account, platform, link).  A log older than schema 10 has no copies:
 * every post is its own statement.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "report_int.h"

/* Copies listed under one example at most. */
#define COPIES_MAX 20

int report_statements_totals(struct report_query *q, int64_t from, int64_t to,
                             json_t *root)
{
	static const char sql[] =
	    "SELECT COUNT(DISTINCT COALESCE(k.cluster_id, p.id)) FROM posts p"
	    " LEFT JOIN post_clusters k ON k.post_id = p.id"
	    " WHERE p.report_time >= ?1 AND p.report_time < ?2";
	json_t *totals = json_object_get(root, "totals");
	int64_t posts = report_jint(totals, "posts"), n = posts;
	struct db_stmt *s;
	int rc;

	if (q->clusters) {
		rc = report_q_prepare(q, sql, &s, from, to);
		if (rc < 0)
			return rc;
		rc = report_q_step(q, s);
		if (rc == 1)
			n = db_column_int64(s, 0);
		db_finalize(s);
		if (rc < 0)
			return rc;
	}
	rc = report_jset(totals, "statements", json_integer(n));
	if (rc == 0)
		rc = report_jset(totals, "copies", json_integer(posts - n));
	return rc;
}

int report_statements_categories(struct report_query *q, int64_t from,
                                 int64_t to, json_t *cats)
{
	static const char sql[] =
	    "SELECT c.category, COUNT(DISTINCT COALESCE(k.cluster_id,"
	    " c.post_id)) FROM post_categories c"
	    " LEFT JOIN post_clusters k ON k.post_id = c.post_id"
	    " WHERE c.report_time >= ?1 AND c.report_time < ?2"
	    " GROUP BY c.category";
	const char *key;
	struct db_stmt *s;
	json_t *cat;
	int rc = 0;

	/* Without copies a statement is a post. */
	json_object_foreach(cats, key, cat)
	{
		rc = report_jset(cat, "statements",
		                 json_integer(report_jint(cat, "count")));
		if (rc < 0)
			return rc;
	}
	if (!q->clusters)
		return 0;
	rc = report_q_prepare(q, sql, &s, from, to);
	if (rc < 0)
		return rc;
	while ((rc = report_q_step(q, s)) == 1) {
		cat = json_object_get(
		    cats, report_col_str(s, 0) ? report_col_str(s, 0) : "");
		if (cat)
			rc = report_jset(cat, "statements",
			                 json_integer(db_column_int64(s, 1)));
		if (rc < 0)
			break;
	}
	db_finalize(s);
	return rc < 0 ? rc : 0;
}

int64_t report_statement_of(struct report_query *q, int64_t post_id)
{
	static const char sql[] =
	    "SELECT cluster_id FROM post_clusters WHERE post_id = ?1";
	struct db_stmt *s;
	int64_t root = post_id;
	int rc;

	if (!q->clusters)
		return post_id;
	rc = report_q_prepare(q, sql, &s, post_id, 0);
	if (rc < 0)
		return rc;
	rc = report_q_step(q, s);
	if (rc == 1)
		root = db_column_int64(s, 0);
	db_finalize(s);
	return rc < 0 ? rc : root;
}

bool report_statement_shown(const json_t *examples, int64_t statement)
{
	size_t i;

	for (i = 0; i < json_array_size(examples); i++)
		if (report_jint(json_array_get(examples, i), "statement") ==
		    statement)
			return true;
	return false;
}

int report_statement_copies(struct report_query *q, json_t *ex, int64_t post_id,
                            int64_t statement)
{
	static const char sql[] =
	    "SELECT a.handle, CASE WHEN f.url LIKE 'telegram:%' THEN"
	    " 'telegram' WHEN f.url LIKE 'youtube:%' THEN 'youtube'"
	    " ELSE f.kind END, p.url, p.report_time FROM posts p"
	    " JOIN accounts a ON a.id = p.account_id"
	    " LEFT JOIN feeds f ON f.id = p.feed_id"
	    " LEFT JOIN post_clusters k ON k.post_id = p.id"
	    " WHERE (p.id = ?1 OR k.cluster_id = ?1) AND p.id <> ?2"
	    " ORDER BY p.report_time, p.id";
	json_t *copies = json_array();
	struct db_stmt *s;
	int rc, n = 0;

	rc = report_jset(ex, "statement", json_integer(statement));
	if (rc == 0)
		rc = report_jset(ex, "copies", copies);
	if (rc < 0 || !q->clusters)
		return rc;
	rc = report_q_prepare(q, sql, &s, statement, post_id);
	if (rc < 0)
		return rc;
	while ((rc = report_q_step(q, s)) == 1) {
		if (++n > COPIES_MAX) {
			rc = report_jadd(ex, "copies_more", 1);
			if (rc < 0)
				break;
			continue;
		}
		rc = report_jappend(
		    copies, json_pack("{s:o, s:o, s:o, s:o}", "handle",
		                      report_col_json_text(s, 0), "platform",
		                      report_col_json_text(s, 1), "url",
		                      report_col_json_text(s, 2), "time",
		                      report_col_json_time(s, 3)));
		if (rc < 0)
			break;
	}
	db_finalize(s);
	return rc < 0 ? rc : 0;
}

/* One copy as a line: "handle (platform), time, url". */
static int copy_line(struct buf *line, const json_t *c)
{
	const char *platform = report_jstr(c, "platform");

	line->len = 0;
	return buf_printf(
	    line, "%s%s%s%s, %s",
	    report_jstr(c, "handle") ? report_jstr(c, "handle") : "?",
	    platform ? " (" : "", platform ? platform : "", platform ? ")" : "",
	    report_jstr(c, "time") ? report_jstr(c, "time") : "?");
}

static int render_copy(struct buf *b, enum report_format f, const json_t *c,
                       struct buf *line)
{
	const char *url = report_jstr(c, "url");
	int rc = copy_line(line, c);

	if (rc < 0)
		return rc;
	switch (f) {
	case REPORT_FORMAT_HTML:
		rc = buf_puts(b, "<li>");
		if (rc == 0)
			rc = report_put_esc(b, line->data, REPORT_ESC_HTML, 0);
		if (rc == 0 && report_url_is_safe(url)) {
			rc = buf_puts(b, " &middot; <a rel=\"nofollow noopener "
			                 "noreferrer\" href=\"");
			if (rc == 0)
				rc = report_put_esc(b, url, REPORT_ESC_HTML, 0);
			if (rc == 0)
				rc = buf_puts(b, "\">source</a>");
		}
		return rc ? rc : buf_puts(b, "</li>\n");
	case REPORT_FORMAT_MD:
		rc = buf_puts(b, "  - ");
		if (rc == 0)
			rc = report_put_esc(b, line->data, REPORT_ESC_MD, 0);
		if (rc == 0 && report_url_is_safe(url)) {
			rc = buf_puts(b, " ([source](");
			if (rc == 0)
				rc = report_put_md_url(b, url);
			if (rc == 0)
				rc = buf_puts(b, "))");
		}
		return rc ? rc : buf_putc(b, '\n');
	default:
		rc = buf_puts(b, "      ");
		if (rc == 0)
			rc =
			    report_put_esc(b, line->data, REPORT_ESC_TEXT, 200);
		if (rc == 0 && url) {
			rc = buf_puts(b, "  ");
			if (rc == 0)
				rc = report_put_esc(b, url, REPORT_ESC_TEXT,
				                    200);
		}
		return rc ? rc : buf_putc(b, '\n');
	}
}

int report_render_copies(struct buf *b, enum report_format f, const json_t *ex)
{
	const json_t *copies = json_object_get(ex, "copies");
	size_t i, n = json_array_size(copies);
	int64_t more = report_jint(ex, "copies_more");
	struct buf line = {0};
	char head[96];
	int rc = 0;

	if (n == 0)
		return 0;
	/* The text form lists the copies inside the example's block: before
	 * the blank line that ends it. */
	if (f == REPORT_FORMAT_TEXT && b->len >= 2 &&
	    b->data[b->len - 1] == '\n' && b->data[b->len - 2] == '\n')
		b->data[--b->len] = '\0';
	snprintf(head, sizeof(head),
	         "the same statement, %zu %s:", n + (size_t)more,
	         n + (size_t)more == 1 ? "copy" : "copies");
	if (f == REPORT_FORMAT_HTML)
		rc = buf_printf(b, "<div class=\"copies\">%s<ul>\n", head);
	else if (f == REPORT_FORMAT_MD)
		rc = buf_printf(b, "  %s\n\n", head);
	else
		rc = buf_printf(b, "    %s\n", head);
	for (i = 0; i < n && rc == 0; i++)
		rc = render_copy(b, f, json_array_get(copies, i), &line);
	if (rc == 0 && more > 0)
		rc = f == REPORT_FORMAT_HTML
		         ? buf_printf(b, "<li>and %lld more</li>\n",
		                      (long long)more)
		         : buf_printf(b, "%sand %lld more\n",
		                      f == REPORT_FORMAT_MD ? "  - " : "      ",
		                      (long long)more);
	if (rc == 0)
		rc = buf_puts(b,
		              f == REPORT_FORMAT_HTML ? "</ul></div>\n" : "\n");
	buf_free(&line);
	return rc;
}
