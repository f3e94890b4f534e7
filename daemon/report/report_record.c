/*
 * report_record.c — the report's "Edited and deleted" section and the
 * edits and deletions per account of `demarche trends`.  What a diplomat
 * softened or withdrawn is news: the section lists the edits noticed in
 * the period with the wording before and after (and a word diff), and the
 * posts that vanished upstream with the categories they had, classified
 * ones first.  An edit or a deletion belongs to the period in which
 * demarche noticed it (post_versions.seen, post_deletions.deleted_seen),
 * whenever the post itself was published.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "db.h"
#include "report_int.h"
#include "worddiff.h"

/* Items listed per kind; the counts cover them all. */
#define RECORD_ITEMS    20
#define RECORD_TEXT_MAX 600 /* code points of a wording shown */

static const char edits_sql[] =
    "SELECT v.post_id, a.handle, p.url, v.seen, b.version, v.version,"
    " b.title, b.text, v.title, v.text,"
    " (SELECT max(m.version) FROM post_versions m"
    "  WHERE m.post_id = v.post_id)"
    " FROM post_versions v"
    " JOIN post_versions b ON b.post_id = v.post_id AND b.version ="
    "  (SELECT max(x.version) FROM post_versions x"
    "   WHERE x.post_id = v.post_id AND x.version < v.version)"
    " JOIN posts p ON p.id = v.post_id"
    " JOIN accounts a ON a.id = p.account_id"
    " WHERE v.version > 1 AND v.seen >= ?1 AND v.seen < ?2"
    " ORDER BY v.seen DESC, v.post_id LIMIT 20";
/* Deletions the source refuted when asked (schema 0013: confirmed = 0,
 * the post is still there) are not deletions. */
#define NOT_REFUTED(S) (S >= 13 ? " AND COALESCE(d.confirmed, 1) <> 0" : "")
static const char deletions_sql[] =
    "SELECT d.post_id, a.handle, p.url, d.deleted_seen, d.returned_seen,"
    " p.title, p.text, %s FROM post_deletions d"
    " JOIN posts p ON p.id = d.post_id"
    " JOIN accounts a ON a.id = p.account_id"
    " WHERE d.deleted_seen >= ?1 AND d.deleted_seen < ?2%s"
    " ORDER BY CASE WHEN EXISTS (SELECT 1 FROM post_categories c"
    "  WHERE c.post_id = d.post_id) THEN 0 ELSE 1 END,"
    " d.deleted_seen DESC, d.post_id LIMIT 20";
/* Per account: edits and deletions noticed in [?1, ?2). */
static const char per_account_sql[] =
    "SELECT a.handle,"
    " (SELECT count(*) FROM post_versions v JOIN posts p"
    "  ON p.id = v.post_id WHERE p.account_id = a.id AND v.version > 1"
    "  AND v.seen >= ?1 AND v.seen < ?2),"
    " (SELECT count(*) FROM post_deletions d JOIN posts p"
    "  ON p.id = d.post_id WHERE p.account_id = a.id"
    "  AND d.deleted_seen >= ?1 AND d.deleted_seen < ?2%s)"
    " FROM accounts a ORDER BY a.handle";
static const char version_cats_sql[] =
    "SELECT category FROM post_version_categories"
    " WHERE post_id = ?1 AND version = ?2 ORDER BY category";
static const char post_cats_sql[] =
    "SELECT category FROM post_categories WHERE post_id = ?1"
    " ORDER BY category";

static int fail(struct db *db, int rc, char *err, size_t errlen)
{
	snprintf(err, errlen, "report edits and deletions: %s", db_errmsg(db));
	return rc < 0 ? rc : -EIO;
}

static json_t *time_or_null(struct db_stmt *s, int i)
{
	char t[DATE_RFC3339_LEN];

	if (db_column_null(s, i))
		return json_null();
	return json_string(date_format_rfc3339(db_column_int64(s, i), t));
}

/* The category keys of a post (version < 0: its current ones) as a *new*
 * array, or NULL with *rc set. */
static json_t *categories_of(struct db *db, int64_t post_id, int64_t version,
                             int *rc)
{
	struct db_stmt *s;
	json_t *a = json_array();

	*rc =
	    db_prepare(db, version < 0 ? post_cats_sql : version_cats_sql, &s);
	if (*rc < 0 || !a) {
		json_decref(a);
		if (*rc == 0)
			*rc = -ENOMEM;
		return NULL;
	}
	db_bind_int64(s, 1, post_id);
	if (version >= 0)
		db_bind_int64(s, 2, version);
	while ((*rc = db_step(s)) == DB_ROW)
		if (json_array_append_new(
		        a, report_json_text(db_column_text(s, 0))) < 0) {
			*rc = -ENOMEM;
			break;
		}
	db_finalize(s);
	if (*rc < 0) {
		json_decref(a);
		return NULL;
	}
	*rc = 0;
	return a;
}

/* Runs sql with the period bound and hands each row to row(). */
static int each_row(struct db *db, const char *sql, int64_t from, int64_t to,
                    int (*row)(struct db *, struct db_stmt *, json_t *),
                    json_t *out, char *err, size_t errlen)
{
	struct db_stmt *s;
	int rc = db_prepare(db, sql, &s);

	if (rc < 0)
		return fail(db, rc, err, errlen);
	db_bind_int64(s, 1, from);
	db_bind_int64(s, 2, to);
	while ((rc = db_step(s)) == DB_ROW) {
		rc = row(db, s, out);
		if (rc < 0)
			break;
	}
	if (rc < 0 && rc != -ENOMEM)
		rc = fail(db, rc, err, errlen);
	db_finalize(s);
	return rc < 0 ? rc : 0;
}

static int edit_row(struct db *db, struct db_stmt *s, json_t *out)
{
	int64_t post = db_column_int64(s, 0), before = db_column_int64(s, 4),
	        after = db_column_int64(s, 5), newest = db_column_int64(s, 10);
	char *diff = worddiff(db_column_text(s, 7), db_column_text(s, 9));
	json_t *cb, *ca, *o;
	int rc;

	if (!diff)
		return -ENOMEM;
	cb = categories_of(db, post, before, &rc);
	ca = cb ? categories_of(db, post, after == newest ? -1 : after, &rc)
	        : NULL;
	o = ca ? json_pack(
	             "{s:I, s:o, s:o, s:o, s:I, s:I, s:o, s:o, s:o, "
	             "s:o, s:o, s:o, s:o}",
	             "post_id", (json_int_t)post, "handle",
	             report_json_text(db_column_text(s, 1)), "url",
	             report_json_text(db_column_text(s, 2)), "seen",
	             time_or_null(s, 3), "version_before", (json_int_t)before,
	             "version_after", (json_int_t)after, "title_before",
	             report_json_text(db_column_text(s, 6)), "text_before",
	             report_json_text(db_column_text(s, 7)), "title_after",
	             report_json_text(db_column_text(s, 8)), "text_after",
	             report_json_text(db_column_text(s, 9)), "diff",
	             report_json_text(diff), "categories_before", cb,
	             "categories_after", ca)
	       : NULL;
	free(diff);
	if (!o) {
		if (!ca)
			json_decref(cb);
		return rc < 0 ? rc : -ENOMEM;
	}
	return json_array_append_new(out, o) < 0 ? -ENOMEM : 0;
}

static int deletion_row(struct db *db, struct db_stmt *s, json_t *out)
{
	int64_t post = db_column_int64(s, 0);
	json_t *c, *o;
	int rc;

	c = categories_of(db, post, -1, &rc);
	if (!c)
		return rc;
	o = json_pack("{s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
	              "post_id", (json_int_t)post, "handle",
	              report_json_text(db_column_text(s, 1)), "url",
	              report_json_text(db_column_text(s, 2)), "deleted_seen",
	              time_or_null(s, 3), "returned_seen", time_or_null(s, 4),
	              "title", report_json_text(db_column_text(s, 5)), "text",
	              report_json_text(db_column_text(s, 6)), "categories", c,
	              "confirmed",
	              db_column_null(s, 7) ? json_null()
	                                   : json_boolean(db_column_int(s, 7)));
	if (!o)
		return -ENOMEM;
	return json_array_append_new(out, o) < 0 ? -ENOMEM : 0;
}

/* Accounts with an edit or a deletion in the period, and the totals. */
static int per_account(struct db *db, int schema, int64_t from, int64_t to,
                       json_t *rows, int64_t *edits, int64_t *deletions,
                       char *err, size_t errlen)
{
	struct db_stmt *s;
	char sql[sizeof(per_account_sql) + 64];
	int rc;

	snprintf(sql, sizeof(sql), per_account_sql, NOT_REFUTED(schema));
	rc = db_prepare(db, sql, &s);

	if (rc < 0)
		return fail(db, rc, err, errlen);
	db_bind_int64(s, 1, from);
	db_bind_int64(s, 2, to);
	*edits = *deletions = 0;
	while ((rc = db_step(s)) == DB_ROW) {
		int64_t e = db_column_int64(s, 1), d = db_column_int64(s, 2);

		if (e == 0 && d == 0)
			continue;
		*edits += e;
		*deletions += d;
		if (json_array_append_new(
		        rows, json_pack("{s:o, s:I, s:I}", "handle",
		                        report_json_text(db_column_text(s, 0)),
		                        "edits", (json_int_t)e, "deletions",
		                        (json_int_t)d)) < 0) {
			rc = -ENOMEM;
			break;
		}
	}
	if (rc < 0 && rc != -ENOMEM)
		rc = fail(db, rc, err, errlen);
	db_finalize(s);
	return rc < 0 ? rc : 0;
}

int report_record_build(struct db *db, int schema, int64_t from, int64_t to,
                        json_t *report, char *err, size_t errlen)
{
	json_t *rec, *edited, *deleted, *accounts;
	int64_t edits = 0, deletions = 0;
	int rc;

	if (schema < 8)
		return 0;
	rec =
	    json_pack("{s:[], s:[], s:[]}", "edited", "deleted", "by_account");
	if (!rec || json_object_set_new(report, "record", rec) < 0)
		return -ENOMEM;
	edited = json_object_get(rec, "edited");
	deleted = json_object_get(rec, "deleted");
	accounts = json_object_get(rec, "by_account");
	rc = per_account(db, schema, from, to, accounts, &edits, &deletions,
	                 err, errlen);
	if (rc == 0 &&
	    (json_object_set_new(rec, "edits", json_integer(edits)) < 0 ||
	     json_object_set_new(rec, "deletions", json_integer(deletions)) <
	         0))
		rc = -ENOMEM;
	if (rc == 0 && edits)
		rc = each_row(db, edits_sql, from, to, edit_row, edited, err,
		              errlen);
	if (rc == 0 && deletions) {
		char sql[sizeof(deletions_sql) + 64];

		snprintf(sql, sizeof(sql), deletions_sql,
		         schema >= 13 ? "d.confirmed" : "NULL",
		         NOT_REFUTED(schema));
		rc = each_row(db, sql, from, to, deletion_row, deleted, err,
		              errlen);
	}
	return rc;
}

/* "a, b" of a JSON array of strings, or "none". */
static int join_keys(const json_t *a, struct buf *out)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < json_array_size(a) && rc == 0; i++)
		rc = buf_printf(out, "%s%s", i ? ", " : "",
		                json_string_value(json_array_get(a, i)));
	if (rc == 0 && json_array_size(a) == 0)
		rc = buf_puts(out, "none");
	return rc;
}

static const char *str(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "";
}

/* One listed item: a meta line, then labelled wordings. */
static int item(struct buf *b, enum report_format f, const char *meta,
                const char *url, const char *const *labels,
                const char *const *texts, size_t n)
{
	size_t i;
	int rc;

	switch (f) {
	case REPORT_FORMAT_HTML:
		rc = buf_puts(b, "<div class=\"ex\"><div class=\"meta\">");
		if (rc == 0)
			rc = report_put_esc(b, meta, REPORT_ESC_HTML, 0);
		if (rc == 0 && report_url_is_safe(url)) {
			rc = buf_puts(b, " &middot; <a rel=\"nofollow noopener "
			                 "noreferrer\" href=\"");
			if (rc == 0)
				rc = report_put_esc(b, url, REPORT_ESC_HTML, 0);
			if (rc == 0)
				rc = buf_puts(b, "\">source</a>");
		}
		if (rc == 0)
			rc = buf_puts(b, "</div>\n");
		for (i = 0; i < n && rc == 0; i++) {
			rc = buf_puts(b, "<div class=\"ev\">");
			if (rc == 0)
				rc = report_put_esc(b, labels[i],
				                    REPORT_ESC_HTML, 0);
			if (rc == 0)
				rc = buf_puts(b, "</div><blockquote>");
			if (rc == 0)
				rc =
				    report_put_esc(b, texts[i], REPORT_ESC_HTML,
				                   RECORD_TEXT_MAX);
			if (rc == 0)
				rc = buf_puts(b, "</blockquote>\n");
		}
		return rc ? rc : buf_puts(b, "</div>\n");
	case REPORT_FORMAT_MD:
		rc = buf_puts(b, "- ");
		if (rc == 0)
			rc = report_put_esc(b, meta, REPORT_ESC_MD, 0);
		if (rc == 0 && report_url_is_safe(url)) {
			rc = buf_puts(b, " ([source](");
			if (rc == 0)
				rc = report_put_md_url(b, url);
			if (rc == 0)
				rc = buf_puts(b, "))");
		}
		for (i = 0; i < n && rc == 0; i++) {
			rc = buf_puts(b, "\n\n  ");
			if (rc == 0)
				rc = report_put_esc(b, labels[i], REPORT_ESC_MD,
				                    0);
			if (rc == 0)
				rc = buf_puts(b, "\n\n  > ");
			if (rc == 0)
				rc = report_put_esc(b, texts[i], REPORT_ESC_MD,
				                    RECORD_TEXT_MAX);
		}
		return rc ? rc : buf_puts(b, "\n\n");
	default:
		rc = report_put_esc(b, meta, REPORT_ESC_TEXT, 0);
		if (rc == 0)
			rc = buf_putc(b, '\n');
		for (i = 0; i < n && rc == 0; i++) {
			rc = buf_puts(b, "  ");
			if (rc == 0)
				rc = report_put_esc(b, labels[i],
				                    REPORT_ESC_TEXT, 0);
			if (rc == 0)
				rc = buf_putc(b, '\n');
			if (rc == 0)
				rc = report_put_wrapped(b, texts[i],
				                        RECORD_TEXT_MAX, 4, 72);
		}
		if (rc == 0 && url && *url) {
			rc = buf_puts(b, "    ");
			if (rc == 0)
				rc = report_put_esc(b, url, REPORT_ESC_TEXT,
				                    200);
			if (rc == 0)
				rc = buf_putc(b, '\n');
		}
		return rc ? rc : buf_putc(b, '\n');
	}
}

static int render_edit(struct buf *b, enum report_format f, const json_t *e)
{
	static const char *const labels[] = {
	    "before:", "after:", "changed words:"};
	struct buf meta = {0}, cb = {0}, ca = {0};
	const char *texts[3];
	int rc;

	rc = join_keys(json_object_get(e, "categories_before"), &cb);
	if (rc == 0)
		rc = join_keys(json_object_get(e, "categories_after"), &ca);
	if (rc == 0)
		rc = buf_printf(&meta,
		                "%s, edit seen %s (version %lld to %lld); "
		                "categories %s → %s",
		                str(e, "handle"), str(e, "seen"),
		                (long long)json_integer_value(
		                    json_object_get(e, "version_before")),
		                (long long)json_integer_value(
		                    json_object_get(e, "version_after")),
		                cb.data, ca.data);
	texts[0] = str(e, "text_before");
	texts[1] = str(e, "text_after");
	texts[2] = str(e, "diff");
	if (rc == 0)
		rc = item(b, f, meta.data, str(e, "url"), labels, texts, 3);
	buf_free(&meta);
	buf_free(&cb);
	buf_free(&ca);
	return rc;
}

static int render_deletion(struct buf *b, enum report_format f, const json_t *d)
{
	static const char *const labels[] = {"last wording:"};
	struct buf meta = {0}, cats = {0};
	const char *texts[1];
	int rc;

	rc = join_keys(json_object_get(d, "categories"), &cats);
	if (rc == 0)
		rc =
		    buf_printf(&meta,
		               "%s, deleted upstream, noticed %s%s%s%s; "
		               "categories %s",
		               str(d, "handle"), str(d, "deleted_seen"),
		               json_is_null(json_object_get(d, "returned_seen"))
		                   ? ""
		                   : ", back ",
		               str(d, "returned_seen"),
		               json_is_true(json_object_get(d, "confirmed"))
		                   ? ", confirmed by the source"
		                   : "",
		               cats.data);
	texts[0] = *str(d, "text") ? str(d, "text") : str(d, "title");
	if (rc == 0)
		rc = item(b, f, meta.data, str(d, "url"), labels, texts, 1);
	buf_free(&meta);
	buf_free(&cats);
	return rc;
}

int report_record_render(const json_t *report, enum report_format f,
                         struct buf *b)
{
	const json_t *rec = json_object_get(report, "record"), *x;
	const json_t *edited = json_object_get(rec, "edited"),
	             *deleted = json_object_get(rec, "deleted");
	char line[256];
	json_int_t e, d;
	size_t i;
	int rc;

	if (!rec)
		return 0;
	rc = report_heading(b, f, 2, "Edited and deleted");
	e = json_integer_value(json_object_get(rec, "edits"));
	d = json_integer_value(json_object_get(rec, "deletions"));
	/* Edits newest first; deletions with classified posts first. */
	snprintf(line, sizeof(line),
	         "%lld edit%s and %lld deletion%s noticed in the period%s.",
	         (long long)e, e == 1 ? "" : "s", (long long)d,
	         d == 1 ? "" : "s",
	         e > RECORD_ITEMS || d > RECORD_ITEMS
	             ? " (the first 20 of each listed)"
	             : "");
	if (rc == 0)
		rc = report_para(b, f, line);
	json_array_foreach(json_object_get(rec, "by_account"), i, x)
	{
		snprintf(
		    line, sizeof(line), "%s: %lld edited, %lld deleted",
		    str(x, "handle"),
		    (long long)json_integer_value(json_object_get(x, "edits")),
		    (long long)json_integer_value(
		        json_object_get(x, "deletions")));
		if (rc == 0)
			rc = report_para(b, f, line);
	}
	for (i = 0; rc == 0 && i < json_array_size(edited); i++)
		rc = render_edit(b, f, json_array_get(edited, i));
	for (i = 0; rc == 0 && i < json_array_size(deleted); i++)
		rc = render_deletion(b, f, json_array_get(deleted, i));
	return rc;
}

int report_record_trends(struct db *db, int schema, int64_t since,
                         int64_t until, json_t *trends, char *err,
                         size_t errlen)
{
	json_t *rows;
	int64_t e, d;

	if (schema < 8)
		return 0;
	rows = json_array();
	if (!rows || json_object_set_new(trends, "edits_deletions", rows) < 0)
		return -ENOMEM;
	return per_account(db, schema, since, until, rows, &e, &d, err, errlen);
}

int report_record_trends_text(const json_t *trends, struct buf *b)
{
	const json_t *rows = json_object_get(trends, "edits_deletions"), *x;
	size_t i;
	int rc;

	if (!rows)
		return 0;
	rc = report_heading(b, REPORT_FORMAT_TEXT, 2,
	                    "Edits and deletions per account");
	if (rc == 0 && json_array_size(rows) == 0)
		rc = report_para(b, REPORT_FORMAT_TEXT, "None noticed.");
	json_array_foreach(rows, i, x)
	{
		char line[256];

		snprintf(
		    line, sizeof(line), "%-24s %6lld edited %6lld deleted",
		    str(x, "handle"),
		    (long long)json_integer_value(json_object_get(x, "edits")),
		    (long long)json_integer_value(
		        json_object_get(x, "deletions")));
		if (rc == 0)
			rc = report_put_esc(b, line, REPORT_ESC_TEXT, 0);
		if (rc == 0)
			rc = buf_putc(b, '\n');
	}
	return rc;
}
