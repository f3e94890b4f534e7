/*
 * store_versions.c — the statement record (store_versions.h): every
 * wording of a post kept as a numbered version, the categories of each
 * superseded wording kept beside it, and the posts that vanish from the
 * middle of a feed marked deleted rather than forgotten.  Analysts use the
 * log to show what was said and what was later softened or withdrawn;
 * these tables are that evidence, so nothing here ever removes a post.
 *
 * The only thing ever removed is a version in the middle of a very long
 * history (a feed that changes a counter in every item at every poll):
 * past STORE_VERSIONS_HOURLY versions a post keeps its first wording, its
 * last, and the first of each hour; past STORE_VERSIONS_MAX only the
 * first ones and the last.  The caller logs what was dropped.
 */
#include "store_versions.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "db.h"

enum vstmt {
	V_LATEST,
	V_KEEP_CATS,
	V_INSERT,
	V_TWO_BEFORE,
	V_DROP,
	V_RETURNS_ANY,
	V_UNDELETE,
	V_RETURNED,
	V_DELETIONS,
	V_MARK,
	V_COUNT
};

/* The keys the poll returned (parameter N, a JSON array), as a table
 * expression of each dialect. */
#define KEYS_LITE(N) "(SELECT value FROM json_each(?" #N "))"
#define KEYS_PG(N)   "(SELECT json_array_elements_text(?" #N "::json))"

/* Posts of the feed not returned, strictly between the oldest and newest
 * posts it returned (reposts carry the original's time: no bound); not
 * those the source said it still serves in the last day (asked post by
 * post, schema 0013: they left the window some other way). */
#define DELETIONS(KEYS)                                                       \
	"INSERT INTO post_deletions (post_id, feed_id, deleted_seen)"         \
	" SELECT p.id, ?2, ?4 FROM posts p WHERE p.account_id = ?1"           \
	" AND p.feed_id = ?2 AND p.deleted_seen IS NULL"                      \
	" AND NOT EXISTS (SELECT 1 FROM post_deletions r WHERE"               \
	" r.post_id = p.id AND r.confirmed = 0 AND r.checked > ?4 - 86400)"   \
	" AND p.stable_key NOT IN " KEYS(                                     \
	    3) " AND p.report_time >"                                         \
	       " (SELECT min(b.report_time) FROM posts b WHERE b.account_id " \
	       "= ?1"                                                         \
	       " AND b.is_repost = 0 AND b.stable_key IN " KEYS(              \
	           3) ")"                                                     \
	              " AND p.report_time <"                                  \
	              " (SELECT max(b.report_time) FROM posts b WHERE "       \
	              "b.account_id = ?1"                                     \
	              " AND b.is_repost = 0 AND b.stable_key IN " KEYS(3) ")"

/* The account's posts marked deleted that the poll returned (?2): their
 * open deletion gets its return time, then the mark goes. */
#define RETURNED(KEYS)                                 \
	"UPDATE post_deletions SET returned_seen = ?3" \
	" WHERE returned_seen IS NULL AND post_id IN"  \
	" (SELECT id FROM posts WHERE account_id = ?1" \
	" AND deleted_seen IS NOT NULL AND stable_key IN " KEYS(2) ")"
#define RETURNS_ANY(KEYS)                                  \
	"SELECT count(*) FROM posts WHERE account_id = ?1" \
	" AND deleted_seen IS NOT NULL AND stable_key IN " KEYS(2)
#define UNDELETE(KEYS)                                               \
	"UPDATE posts SET deleted_seen = NULL WHERE account_id = ?1" \
	" AND deleted_seen IS NOT NULL AND stable_key IN " KEYS(2)

static const char *const vsql[V_COUNT] = {
    [V_LATEST] = "SELECT COALESCE(max(version), 0), count(*)"
                 " FROM post_versions WHERE post_id = ?1",
    [V_KEEP_CATS] =
        "INSERT INTO post_version_categories (post_id, version, category,"
        " score, evidence, rules_version, classified_at)"
        " SELECT post_id, ?2, category, score, evidence, rules_version,"
        " classified_at FROM post_categories WHERE post_id = ?1"
        " ON CONFLICT DO NOTHING",
    [V_INSERT] = "INSERT INTO post_versions (post_id, version, title, text,"
                 " content_hash, seen) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [V_TWO_BEFORE] = "SELECT version, seen FROM post_versions"
                     " WHERE post_id = ?1 AND version < ?2"
                     " ORDER BY version DESC LIMIT 2",
    [V_DROP] = "DELETE FROM post_versions WHERE post_id = ?1 AND version = ?2",
    [V_RETURNS_ANY] = RETURNS_ANY(KEYS_LITE),
    [V_RETURNED] = RETURNED(KEYS_LITE),
    [V_UNDELETE] = UNDELETE(KEYS_LITE),
    [V_DELETIONS] = DELETIONS(KEYS_LITE),
    [V_MARK] = "UPDATE posts SET deleted_seen = ?3 WHERE id IN"
               " (SELECT post_id FROM post_deletions WHERE feed_id = ?2"
               " AND deleted_seen = ?3 AND returned_seen IS NULL)"
               " AND account_id = ?1 AND deleted_seen IS NULL",
};

static const char *const vsql_pg[V_COUNT] = {
    [V_RETURNS_ANY] = RETURNS_ANY(KEYS_PG),
    [V_RETURNED] = RETURNED(KEYS_PG),
    [V_UNDELETE] = UNDELETE(KEYS_PG),
    [V_DELETIONS] = DELETIONS(KEYS_PG),
};

struct store_versions {
	struct db *db;                  /* borrowed connection */
	struct db_stmt *stmts[V_COUNT]; /* prepared on first use */
	char *err;                      /* where failures are described */
	size_t errlen;                  /* its size */
};

struct store_versions *store_versions_new(struct db *db, char *err,
                                          size_t errlen)
{
	struct store_versions *v = calloc(1, sizeof(*v));

	if (!v)
		return NULL;
	v->db = db;
	v->err = err;
	v->errlen = errlen;
	return v;
}

void store_versions_free(struct store_versions *v)
{
	size_t i;

	if (!v)
		return;
	for (i = 0; i < V_COUNT; i++)
		db_finalize(v->stmts[i]);
	free(v);
}

static int fail(struct store_versions *v, int rc, const char *what)
{
	snprintf(v->err, v->errlen, "%s: %s", what, db_errmsg(v->db));
	return rc < 0 ? rc : -EIO;
}

/* The statement id, reset and unbound, or NULL with *rc set. */
static struct db_stmt *get(struct store_versions *v, enum vstmt id, int *rc)
{
	struct db_stmt *s = v->stmts[id];
	const char *sql = vsql[id];
	int r;

	if (s) {
		db_reset(s);
		db_clear_bindings(s);
		return s;
	}
	if (db_dialect(v->db) == DB_POSTGRES && vsql_pg[id])
		sql = vsql_pg[id];
	r = db_prepare_persistent(v->db, sql, &s);
	if (r < 0) {
		*rc = fail(v, r, "prepare");
		return NULL;
	}
	v->stmts[id] = s;
	return s;
}

static int done(struct store_versions *v, struct db_stmt *s, const char *what)
{
	int rc = db_step(s);

	db_reset(s);
	return rc < 0 ? fail(v, rc, what) : 0;
}

static int insert_version(struct store_versions *v, int64_t post_id,
                          int64_t version, const char *title, const char *text,
                          const char *hash, int64_t seen)
{
	struct db_stmt *s;
	int rc = 0;

	s = get(v, V_INSERT, &rc);
	if (!s)
		return rc;
	db_bind_int64(s, 1, post_id);
	db_bind_int64(s, 2, version);
	db_bind_text(s, 3, title);
	db_bind_text(s, 4, text ? text : "");
	db_bind_text(s, 5, hash);
	db_bind_int64(s, 6, seen);
	return done(v, s, "post version");
}

int store_versions_first(struct store_versions *v, int64_t post_id,
                         const char *title, const char *text, const char *hash,
                         int64_t seen)
{
	return insert_version(v, post_id, 1, title, text, hash, seen);
}

/* Drops the version before `newest` when the history is long and it adds
 * nothing the thinning keeps (see the file comment).  Returns 1 when one
 * was dropped, 0 when not, or a negative errno. */
static int thin(struct store_versions *v, int64_t post_id, int64_t newest,
                int64_t count)
{
	int64_t ver[2] = {0, 0}, seen[2] = {0, 0};
	struct db_stmt *s;
	int n = 0, rc = 0;
	bool drop;

	if (count <= STORE_VERSIONS_HOURLY)
		return 0;
	s = get(v, V_TWO_BEFORE, &rc);
	if (!s)
		return rc;
	db_bind_int64(s, 1, post_id);
	db_bind_int64(s, 2, newest);
	while (n < 2 && (rc = db_step(s)) == DB_ROW) {
		ver[n] = db_column_int64(s, 0);
		seen[n] = db_column_int64(s, 1);
		n++;
	}
	db_reset(s);
	if (rc < 0)
		return fail(v, rc, "post versions");
	/* ver[0] was the last until now; ver[1] the one before it. */
	if (n < 2 || ver[0] == 1)
		return 0;
	drop = count > STORE_VERSIONS_MAX || seen[0] / 3600 == seen[1] / 3600;
	if (!drop)
		return 0;
	s = get(v, V_DROP, &rc);
	if (!s)
		return rc;
	db_bind_int64(s, 1, post_id);
	db_bind_int64(s, 2, ver[0]);
	rc = done(v, s, "post version thinning");
	return rc < 0 ? rc : 1;
}

int store_versions_edit(struct store_versions *v, int64_t post_id,
                        const char *title, const char *text, const char *hash,
                        int64_t seen)
{
	int64_t latest = 0, count = 0;
	struct db_stmt *s;
	int rc = 0;

	s = get(v, V_LATEST, &rc);
	if (!s)
		return rc;
	db_bind_int64(s, 1, post_id);
	rc = db_step(s);
	if (rc == DB_ROW) {
		latest = db_column_int64(s, 0);
		count = db_column_int64(s, 1);
	}
	db_reset(s);
	if (rc < 0)
		return fail(v, rc, "post versions");
	if (latest > 0) {
		s = get(v, V_KEEP_CATS, &rc);
		if (!s)
			return rc;
		db_bind_int64(s, 1, post_id);
		db_bind_int64(s, 2, latest);
		rc = done(v, s, "version categories");
		if (rc < 0)
			return rc;
	}
	rc = insert_version(v, post_id, latest + 1, title, text, hash, seen);
	if (rc < 0)
		return rc;
	return thin(v, post_id, latest + 1, count + 1);
}

int store_versions_returns(struct store_versions *v, int64_t account_id,
                           const char *keys_json, int64_t now)
{
	struct db_stmt *s;
	int64_t n = 0;
	int rc = 0;

	/* Mostly there is nothing to bring back: asked first with a read,
	 * so that a poll of an unchanged feed writes no row of posts (and
	 * waits for no lock an analyst holds on it). */
	s = get(v, V_RETURNS_ANY, &rc);
	if (!s)
		return rc;
	db_bind_int64(s, 1, account_id);
	db_bind_text(s, 2, keys_json);
	rc = db_step(s);
	if (rc == DB_ROW)
		n = db_column_int64(s, 0);
	db_reset(s);
	if (rc < 0)
		return fail(v, rc, "post returns");
	if (n == 0)
		return 0;
	s = get(v, V_RETURNED, &rc);
	if (!s)
		return rc;
	db_bind_int64(s, 1, account_id);
	db_bind_text(s, 2, keys_json);
	db_bind_int64(s, 3, now);
	rc = done(v, s, "post returns");
	if (rc < 0)
		return rc;
	s = get(v, V_UNDELETE, &rc);
	if (!s)
		return rc;
	db_bind_int64(s, 1, account_id);
	db_bind_text(s, 2, keys_json);
	rc = done(v, s, "post undelete");
	if (rc < 0)
		return rc;
	n = db_changes(v->db);
	return n > 1000000 ? 1000000 : (int)n;
}

int store_versions_deletions(struct store_versions *v, int64_t account_id,
                             int64_t feed_id, const char *keys_json,
                             int64_t now)
{
	struct db_stmt *s;
	int64_t n;
	int rc = 0;

	s = get(v, V_DELETIONS, &rc);
	if (!s)
		return rc;
	db_bind_int64(s, 1, account_id);
	db_bind_int64(s, 2, feed_id);
	db_bind_text(s, 3, keys_json);
	db_bind_int64(s, 4, now);
	rc = done(v, s, "deletions");
	if (rc < 0)
		return rc;
	n = db_changes(v->db);
	if (n <= 0)
		return 0;
	s = get(v, V_MARK, &rc);
	if (!s)
		return rc;
	db_bind_int64(s, 1, account_id);
	db_bind_int64(s, 2, feed_id);
	db_bind_int64(s, 3, now);
	rc = done(v, s, "deletion marks");
	return rc < 0 ? rc : (int)(n > 1000000 ? 1000000 : n);
}
