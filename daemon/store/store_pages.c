/*
 * store_pages.c — what the sources of schema/0013_sources.sql keep
 * between polls besides posts:
 *
 *   html_pages   the article pages of html: feeds: which were fetched,
 *                when first and last, with what validators and answer,
 *                so that each is fetched once when its link appears,
 *                then only conditionally until [html_refetch] after
 *                that, then never again.  Written in the poll's own
 *                transaction (store_pages_record), so a poll that could
 *                not be stored leaves no page "fetched" whose posts are
 *                missing.  An article that answers 404 or 410 where it
 *                was read before has its posts marked deleted, confirmed.
 *   deletions    the suspicions a window left (Mastodon, Bluesky), asked
 *                of the source post by post: the answers are recorded in
 *                post_deletions.confirmed; a post the source still
 *                serves is live again.
 */
#include "store.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "store_int.h"
#include "util.h"

void store_html_pages_free(struct store_html_page *pages, size_t n)
{
	size_t i;

	for (i = 0; pages && i < n; i++) {
		free(pages[i].url);
		free(pages[i].etag);
		free(pages[i].last_modified);
	}
	free(pages);
}

int store_html_page_known(struct store *st, int64_t feed_id, const char *url)
{
	struct db_stmt *s = NULL;
	int rc;

	rc = db_prepare(store_conn(st),
	                "SELECT 1 FROM html_pages WHERE feed_id = ?1"
	                " AND url = ?2",
	                &s);
	if (rc < 0)
		return store_fail_db(st, rc, "html pages");
	db_bind_int64(s, 1, feed_id);
	db_bind_text(s, 2, url);
	rc = db_step(s);
	if (rc == DB_ROW)
		rc = 1;
	else if (rc == DB_DONE)
		rc = 0;
	else
		rc = store_fail_db(st, rc, "html pages");
	db_finalize(s);
	return rc;
}

/* Appends the current row (url, etag, last_modified) to *pages. */
static int take_page(struct db_stmt *s, struct store_html_page **pages,
                     size_t *n)
{
	struct store_html_page *p = realloc(*pages, (*n + 1) * sizeof(*p));

	if (!p)
		return -ENOMEM;
	*pages = p;
	p = &p[*n];
	memset(p, 0, sizeof(*p));
	(*n)++;
	if (store_dup_column(s, 0, &p->url) < 0 || !p->url ||
	    store_dup_column(s, 1, &p->etag) < 0 ||
	    store_dup_column(s, 2, &p->last_modified) < 0)
		return -ENOMEM;
	return 0;
}

int store_html_pages_due(struct store *st, int64_t feed_id, int64_t since,
                         size_t max, struct store_html_page **out, size_t *n)
{
	/* Only pages the server gave validators for: without them a
	 * refetch could not be conditional.  Not those found gone or
	 * refused (4xx).  The longest unasked first. */
	static const char sql[] =
	    "SELECT url, etag, last_modified FROM html_pages"
	    " WHERE feed_id = ?1 AND first_fetched >= ?2"
	    " AND (etag IS NOT NULL OR last_modified IS NOT NULL)"
	    " AND (status IS NULL OR status < 400 OR status >= 500)"
	    " ORDER BY last_fetched, url LIMIT ?3";
	struct db_stmt *s = NULL;
	int rc;

	*out = NULL;
	*n = 0;
	rc = db_prepare(store_conn(st), sql, &s);
	if (rc < 0)
		return store_fail_db(st, rc, "html pages");
	db_bind_int64(s, 1, feed_id);
	db_bind_int64(s, 2, since);
	db_bind_int64(s, 3, (int64_t)max);
	while ((rc = db_step(s)) == DB_ROW)
		if ((rc = take_page(s, out, n)) < 0)
			break;
	db_finalize(s);
	if (rc == -ENOMEM) {
		store_set_err(st, "out of memory");
	} else if (rc < 0) {
		rc = store_fail_db(st, rc, "html pages");
	} else {
		return 0;
	}
	store_html_pages_free(*out, *n);
	*out = NULL;
	*n = 0;
	return rc;
}

/* The posts of an article (URL, or URL#N when split) that answered 404
 * or 410 are marked deleted, confirmed by that answer.  Returns how many
 * or a negative errno. */
static int page_gone(struct store *st, const struct store_poll *poll,
                     int64_t account_id, const char *url, int64_t now)
{
	static const char mark_sql[] =
	    "INSERT INTO post_deletions (post_id, feed_id, deleted_seen,"
	    " confirmed, checked) SELECT id, ?2, ?4, 1, ?4 FROM posts"
	    " WHERE account_id = ?1 AND deleted_seen IS NULL"
	    " AND (stable_key = ?3 OR substr(stable_key, 1, length(?3) + 1)"
	    " = ?3 || '#')";
	static const char posts_sql[] =
	    "UPDATE posts SET deleted_seen = ?3 WHERE id IN"
	    " (SELECT post_id FROM post_deletions WHERE feed_id = ?2"
	    " AND deleted_seen = ?3 AND confirmed = 1"
	    " AND returned_seen IS NULL)"
	    " AND account_id = ?1 AND deleted_seen IS NULL";
	struct db_stmt *s = NULL;
	int64_t n;
	int rc;

	rc = db_prepare(store_conn(st), mark_sql, &s);
	if (rc < 0)
		return store_fail_db(st, rc, "article deletions");
	db_bind_int64(s, 1, account_id);
	db_bind_int64(s, 2, poll->feed_id);
	db_bind_text(s, 3, url);
	db_bind_int64(s, 4, now);
	rc = db_step(s);
	db_finalize(s);
	if (rc < 0)
		return store_fail_db(st, rc, "article deletions");
	n = db_changes(store_conn(st));
	if (n <= 0)
		return 0;
	rc = db_prepare(store_conn(st), posts_sql, &s);
	if (rc < 0)
		return store_fail_db(st, rc, "article deletions");
	db_bind_int64(s, 1, account_id);
	db_bind_int64(s, 2, poll->feed_id);
	db_bind_int64(s, 3, now);
	rc = db_step(s);
	db_finalize(s);
	if (rc < 0)
		return store_fail_db(st, rc, "article deletions");
	return n > 1000000 ? 1000000 : (int)n;
}

int store_pages_record(struct store *st, const struct store_poll *poll,
                       int64_t account_id, int64_t now,
                       struct store_poll_counts *c)
{
	/* A first fetch inserts (a 5xx or a transfer error is tried again
	 * as new next time); a later one updates, its validators replaced
	 * by a 200's and kept by a 304 unless it sends new ones. */
	static const char sql[] =
	    "INSERT INTO html_pages (feed_id, url, etag, last_modified,"
	    " first_fetched, last_fetched, status)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6)"
	    " ON CONFLICT (feed_id, url) DO UPDATE SET last_fetched = ?5,"
	    " status = ?6,"
	    " etag = CASE WHEN ?6 = 200 THEN excluded.etag WHEN ?6 = 304"
	    " THEN COALESCE(excluded.etag, html_pages.etag)"
	    " ELSE html_pages.etag END,"
	    " last_modified = CASE WHEN ?6 = 200 THEN excluded.last_modified"
	    " WHEN ?6 = 304 THEN COALESCE(excluded.last_modified,"
	    " html_pages.last_modified) ELSE html_pages.last_modified END";
	struct db_stmt *s = NULL;
	size_t i;
	int rc = 0;

	for (i = 0; rc == 0 && i < poll->n_pages; i++) {
		const struct store_html_page *pg = &poll->pages[i];

		if (pg->fresh && (pg->status == 0 || pg->status >= 500))
			continue;
		if (!s && (rc = db_prepare(store_conn(st), sql, &s)) < 0)
			return store_fail_db(st, rc, "html pages");
		db_reset(s);
		db_clear_bindings(s);
		db_bind_int64(s, 1, poll->feed_id);
		db_bind_text(s, 2, pg->url);
		db_bind_text(s, 3, pg->etag);
		db_bind_text(s, 4, pg->last_modified);
		db_bind_int64(s, 5, now);
		db_bind_int64(s, 6, pg->status);
		rc = db_step(s);
		rc = rc < 0 ? store_fail_db(st, rc, "html pages") : 0;
		if (rc == 0 && !pg->fresh &&
		    (pg->status == 404 || pg->status == 410)) {
			rc = page_gone(st, poll, account_id, pg->url, now);
			if (rc > 0) {
				c->deleted_posts += rc;
				rc = 0;
			}
		}
	}
	db_finalize(s);
	return rc;
}

void store_suspects_free(struct store_suspect *sus, size_t n)
{
	size_t i;

	for (i = 0; sus && i < n; i++)
		free(sus[i].key);
	free(sus);
}

int store_deletion_suspects(struct store *st, int64_t feed_id, size_t max,
                            struct store_suspect **out, size_t *n)
{
	static const char sql[] =
	    "SELECT p.id, p.stable_key FROM post_deletions d"
	    " JOIN posts p ON p.id = d.post_id WHERE d.feed_id = ?1"
	    " AND d.confirmed IS NULL AND d.checked IS NULL"
	    " AND d.returned_seen IS NULL AND p.deleted_seen IS NOT NULL"
	    " ORDER BY d.deleted_seen DESC, d.id LIMIT ?2";
	struct store_suspect *sus = NULL, *t;
	struct db_stmt *s = NULL;
	size_t k = 0;
	int rc;

	*out = NULL;
	*n = 0;
	rc = db_prepare(store_conn(st), sql, &s);
	if (rc < 0)
		return store_fail_db(st, rc, "deletion suspects");
	db_bind_int64(s, 1, feed_id);
	db_bind_int64(s, 2, (int64_t)max);
	while ((rc = db_step(s)) == DB_ROW) {
		t = realloc(sus, (k + 1) * sizeof(*t));
		if (!t) {
			rc = -ENOMEM;
			break;
		}
		sus = t;
		memset(&sus[k], 0, sizeof(*sus));
		sus[k].post_id = db_column_int64(s, 0);
		sus[k].answer = -1;
		if (store_dup_column(s, 1, &sus[k++].key) < 0 ||
		    !sus[k - 1].key) {
			rc = -ENOMEM;
			break;
		}
	}
	db_finalize(s);
	if (rc < 0) {
		store_suspects_free(sus, k);
		if (rc == -ENOMEM) {
			store_set_err(st, "out of memory");
			return rc;
		}
		return store_fail_db(st, rc, "deletion suspects");
	}
	*out = sus;
	*n = k;
	return 0;
}

/* One answer: 1 the post is gone, 0 the source still serves it, -2 it
 * cannot be asked about (checked, left unconfirmed). */
static int record_answer(struct store *st, const struct store_suspect *su,
                         int64_t now)
{
	static const char confirm_sql[] =
	    "UPDATE post_deletions SET confirmed = 1, checked = ?2"
	    " WHERE post_id = ?1 AND confirmed IS NULL"
	    " AND returned_seen IS NULL";
	static const char refute_sql[] =
	    "UPDATE post_deletions SET confirmed = 0, checked = ?2,"
	    " returned_seen = ?2 WHERE post_id = ?1 AND confirmed IS NULL"
	    " AND returned_seen IS NULL";
	static const char unaskable_sql[] =
	    "UPDATE post_deletions SET checked = ?2 WHERE post_id = ?1"
	    " AND confirmed IS NULL AND returned_seen IS NULL";
	static const char live_sql[] =
	    "UPDATE posts SET deleted_seen = NULL WHERE id = ?1";
	struct db_stmt *s = NULL;
	int rc;

	rc = db_prepare(store_conn(st),
	                su->answer == -2  ? unaskable_sql
	                : su->answer == 1 ? confirm_sql
	                                  : refute_sql,
	                &s);
	if (rc < 0)
		return store_fail_db(st, rc, "deletion answer");
	db_bind_int64(s, 1, su->post_id);
	db_bind_int64(s, 2, now);
	rc = db_step(s);
	db_finalize(s);
	if (rc < 0 || su->answer != 0)
		return rc < 0 ? store_fail_db(st, rc, "deletion answer") : 0;
	rc = db_prepare(store_conn(st), live_sql, &s);
	if (rc < 0)
		return store_fail_db(st, rc, "deletion answer");
	db_bind_int64(s, 1, su->post_id);
	rc = db_step(s);
	db_finalize(s);
	return rc < 0 ? store_fail_db(st, rc, "deletion answer") : 0;
}

int store_record_answers(struct store *st, const struct store_suspect *sus,
                         size_t n, int64_t now)
{
	size_t i;
	int rc;

	rc = db_begin(store_conn(st));
	if (rc < 0)
		return store_fail_db(st, rc, "deletion answers");
	for (i = 0; rc == 0 && i < n; i++)
		if (sus[i].answer >= -2 && sus[i].answer != -1)
			rc = record_answer(st, &sus[i], now);
	if (rc == 0 && (rc = db_commit(store_conn(st))) < 0)
		rc = store_fail_db(st, rc, "deletion answers");
	if (rc < 0)
		db_rollback(store_conn(st));
	return rc;
}
