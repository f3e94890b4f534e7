/*
 * store.c — the SQLite log behind store.h.  It opens the database in WAL
 * mode, brings its schema up to date with the numbered migrations embedded
 * from schema/ (store_schema.c), mirrors the config's accounts and feeds, and
 * writes each poll in one transaction.  Statements are prepared once and kept;
 * data is only ever bound, never spliced into SQL.  The posts already stored
 * are read in store_known.c, the leases of shared databases taken in
 * store_claim.c; what they share is in store_int.h.
 *
 * The backends' result codes become negative errno values in db_sqlite.c
 * and db_pg.c, with their message kept for store_errmsg(); for SQLite:
 *   SQLITE_BUSY, SQLITE_LOCKED     -EBUSY     another writer holds the lock
 *   SQLITE_FULL                    -ENOSPC
 *   SQLITE_READONLY                -EROFS
 *   SQLITE_CORRUPT, SQLITE_NOTADB  -EBADMSG   damaged or not a database
 *   SQLITE_NOMEM                   -ENOMEM
 *   SQLITE_CANTOPEN                the OS errno when known, else -ENOENT
 *   SQLITE_PERM, SQLITE_AUTH       -EACCES
 *   SQLITE_CONSTRAINT, MISMATCH    -EINVAL    data the schema refuses
 *   SQLITE_TOOBIG                  -E2BIG
 *   SQLITE_INTERRUPT               -EINTR
 *   anything else                  -EIO
 * A database whose schema is newer than this build gives -ENOTSUP.
 */
#include "store_int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "db.h"

#include "candidates.h"
#include "category.h"
#include "schema_migrations.h"
#include "store_clusters.h"
#include "store_narratives.h"
#include "store_search.h"
#include "store_versions.h"
#include "strmap.h"
#include "util.h"

/* A snapshot is written when a counter changed or this long has passed. */
#define SNAPSHOT_MAX_AGE (24 * 3600)

static const char *const stmt_sql[STMT_COUNT] = {
    [STMT_FEED_ACCOUNT] = "SELECT account_id FROM feeds WHERE id = ?1",
    [STMT_POST_FIND] = "SELECT id, content_hash FROM posts "
                       "WHERE account_id = ?1 AND stable_key = ?2",
    /* The posts of a fetched feed already stored, in one round trip: ?2
     * is a JSON array of the entries' keys. */
    [STMT_POSTS_KNOWN] = "SELECT stable_key, id, content_hash FROM posts"
                         " WHERE account_id = ?1 AND stable_key IN"
                         " (SELECT value FROM json_each(?2))",
    [STMT_POST_INSERT] =
        "INSERT INTO posts (account_id, feed_id, stable_key, url, title,"
        " text, html, author, lang, published, first_seen, updated,"
        " content_hash, is_repost, rules_version, report_time, is_reply,"
        " published_us, upstream_edited)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,"
        " ?13, ?14, ?15, COALESCE(?10, ?11), ?16, ?17, ?18) RETURNING id",
    [STMT_POST_UPDATE] =
        "UPDATE posts SET feed_id = ?2, url = ?3, title = ?4, text = ?5,"
        " html = ?6, author = ?7, lang = ?8,"
        " published = COALESCE(?9, published), updated = ?10,"
        " report_time = COALESCE(?9, published, first_seen),"
        " edited_seen = ?11, content_hash = ?12, is_repost = ?13,"
        " rules_version = ?14, is_reply = ?15,"
        " published_us = CASE WHEN ?9 IS NULL THEN published_us"
        " ELSE ?16 END,"
        " upstream_edited = CASE WHEN ?17 <> 0 THEN 1"
        " ELSE upstream_edited END,"
        " edit_count = edit_count + 1"
        " WHERE id = ?1",
    [STMT_CATS_DELETE] = "DELETE FROM post_categories WHERE post_id = ?1",
    /* The post's report_time and account_id are copied along for the
     * report queries (schema/0004_report_rollup.sql). */
    [STMT_CAT_INSERT] = "INSERT INTO post_categories (post_id, category, score,"
                        " evidence, rules_version, classified_at,"
                        " report_time, account_id)"
                        " SELECT ?1, ?2, ?3, ?4, ?5, ?6, p.report_time,"
                        " p.account_id FROM posts p WHERE p.id = ?1",
    [STMT_SNAPSHOT_LAST] = "SELECT observed, followers, following, posts_count"
                           " FROM account_snapshots WHERE account_id = ?1"
                           " ORDER BY observed DESC, id DESC LIMIT 1",
    [STMT_SNAPSHOT_INSERT] =
        "INSERT INTO account_snapshots (account_id, observed,"
        " followers, following, posts_count) VALUES (?1, ?2, ?3, ?4, ?5)",
    [STMT_ACCOUNT_CREATED] = "UPDATE accounts SET created_platform = ?2,"
                             " created = ?2 WHERE id = ?1",
    [STMT_ACCOUNT_SEEN] = "UPDATE accounts SET last_seen = ?2 WHERE id = ?1",
    [STMT_FETCH_INSERT] =
        "INSERT INTO fetches (feed_id, started, duration_ms, http_status,"
        " bytes, not_modified, new_posts, edited_posts, error, warning)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    /* A web feed's source becomes the format it was read as (?6). */
    [STMT_FEED_OK] =
        "UPDATE feeds SET etag = ?2, last_modified = ?3, next_poll = ?4,"
        " last_poll = ?5, last_success = ?5, consecutive_failures = 0,"
        " failing_since = NULL, source = CASE WHEN source IS NULL OR source"
        " IN ('web', 'rss', 'atom', 'jsonfeed') THEN"
        " COALESCE(CAST(?6 AS TEXT), source) ELSE source END WHERE id = ?1",
    [STMT_FEED_NOT_MODIFIED] =
        "UPDATE feeds SET etag = COALESCE(?2, etag),"
        " last_modified = COALESCE(?3, last_modified), next_poll = ?4,"
        " last_poll = ?5, last_success = ?5, consecutive_failures = 0,"
        " failing_since = NULL WHERE id = ?1",
    [STMT_FEED_FAILED] =
        "UPDATE feeds SET next_poll = ?2, last_poll = ?3,"
        " consecutive_failures = consecutive_failures + 1,"
        " failing_since = COALESCE(failing_since, ?3),"
        " last_error = ?4, last_error_at = ?3,"
        " disabled = CASE WHEN ?5 <> 0 THEN 1 ELSE disabled END WHERE id = ?1",
    [STMT_FEED_URL] = "UPDATE feeds SET url = ?2 WHERE id = ?1",
    /* The poll is recorded: its lease (0005_leases.sql), if any, ends. */
    [STMT_FEED_RELEASE] = "UPDATE feeds SET lease_owner = NULL,"
                          " lease_until = NULL WHERE id = ?1"
                          " AND lease_owner IS NOT NULL",
    /* A claimed poll that will not be recorded (shutdown) hands its feed
     * back at once rather than when the lease runs out. */
    [STMT_FEED_UNCLAIM] = "UPDATE feeds SET lease_owner = NULL,"
                          " lease_until = NULL WHERE id = ?1"
                          " AND lease_owner = ?2",
    /* SKIP LOCKED: a row another instance is claiming or recording right
     * now is not waited for; it is simply not ours this time. */
    [STMT_FEED_CLAIM] =
        "UPDATE feeds SET lease_owner = ?2, lease_until = ?3 + ?4"
        " WHERE id = (SELECT id FROM feeds WHERE id = ?1"
        " AND (next_poll <= ?3 OR COALESCE(last_poll, 0) <= ?5)"
        " AND (lease_until IS NULL OR lease_until <= ?3"
        " OR lease_owner = ?2) FOR UPDATE SKIP LOCKED)"
        " RETURNING account_id, url, etag, last_modified, next_poll,"
        " consecutive_failures, disabled",
    [STMT_FEED_DUE] = "SELECT next_poll, lease_until, last_poll FROM feeds"
                      " WHERE id = ?1",
    /* A candidate is never an account already tracked (by its handle or
     * the user part of user@host, ignoring ASCII case: lower() folds as
     * COLLATE NOCASE would, and means the same on PostgreSQL). */
    [STMT_CANDIDATE] =
        "INSERT INTO candidates (handle, name, marker, kind, first_seen,"
        " last_seen, via_account_id, via_post_id)"
        " SELECT ?1, ?2, ?3, ?4, ?5, ?5, ?6, ?7 WHERE NOT EXISTS"
        " (SELECT 1 FROM accounts WHERE lower(handle) = lower(?1)"
        "  OR lower(handle) = lower(?8))"
        " ON CONFLICT (handle) DO UPDATE SET last_seen = excluded.last_seen,"
        " refs = candidates.refs + 1,"
        " name = COALESCE(excluded.name, candidates.name)",
};

/* PostgreSQL's spelling where the dialects differ (NULL: as above). */
static const char *const stmt_sql_pg[STMT_COUNT] = {
    [STMT_POSTS_KNOWN] = "SELECT stable_key, id, content_hash FROM posts"
                         " WHERE account_id = ?1 AND stable_key IN"
                         " (SELECT json_array_elements_text(?2::json))",
};

/* The config enums by name, as the schema's CHECK constraints spell them.
 * Kept here rather than calling config.c so the store does not depend on
 * the config parser. */
static const char *const role_names[] = {
    [ROLE_DIPLOMAT] = "diplomat",       [ROLE_SPOKESPERSON] = "spokesperson",
    [ROLE_MISSION] = "mission",         [ROLE_MINISTRY] = "ministry",
    [ROLE_STATE_MEDIA] = "state_media", [ROLE_OTHER] = "other",
};
/* feeds.source of each kind (schema/0013_sources.sql); a web feed's
 * becomes its format once read. */
static const char *const source_names[] = {
    [FEED_KIND_WEB] = "web",         [FEED_KIND_MASTODON] = "mastodon",
    [FEED_KIND_BLUESKY] = "bluesky", [FEED_KIND_TELEGRAM] = "telegram",
    [FEED_KIND_YOUTUBE] = "youtube", [FEED_KIND_HTML] = "html",
};
static const char *const kind_names[] = {
    [FEED_KIND_WEB] = "web",
    [FEED_KIND_MASTODON] = "mastodon",
    [FEED_KIND_BLUESKY] = "bluesky",
    /* Stored among the web feeds until a migration widens feeds.kind's
     * CHECK; their url ("telegram:NAME", "youtube:ID") tells them apart. */
    [FEED_KIND_TELEGRAM] = "web",
    [FEED_KIND_YOUTUBE] = "web",
    [FEED_KIND_HTML] = "web",
};

void store_set_err(struct store *st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(st->errmsg, sizeof(st->errmsg), fmt, ap);
	va_end(ap);
}

int store_fail_db(struct store *st, int rc, const char *what)
{
	store_set_err(st, "%s: %s", what, db_errmsg(st->db));
	return rc;
}

int store_exec_sql(struct store *st, const char *sql, const char *what)
{
	int rc = db_exec(st->db, sql);

	return rc < 0 ? store_fail_db(st, rc, what) : 0;
}

int store_begin(struct store *st, const char *what)
{
	int rc = db_begin(st->db);

	return rc < 0 ? store_fail_db(st, rc, what) : 0;
}

struct db_stmt *store_stmt_get(struct store *st, enum stmt_id id, int *rc)
{
	struct db_stmt *s = st->stmts[id];
	int src;

	if (s) {
		db_reset(s);
		db_clear_bindings(s);
		return s;
	}
	src = db_prepare_persistent(st->db,
	                            db_dialect(st->db) == DB_POSTGRES &&
	                                    stmt_sql_pg[id]
	                                ? stmt_sql_pg[id]
	                                : stmt_sql[id],
	                            &s);
	if (src < 0) {
		*rc = store_fail_db(st, src, "prepare");
		return NULL;
	}
	st->stmts[id] = s;
	return s;
}

int store_stmt_done(struct store *st, struct db_stmt *s, const char *what)
{
	int rc = db_step(s);

	if (rc < 0) {
		rc = store_fail_db(st, rc, what);
		db_reset(s);
		return rc;
	}
	db_reset(s);
	return 0;
}

/* Steps an INSERT ... RETURNING id and reads the new row's id (the
 * portable form of SQLite's last_insert_rowid()). */
static int stmt_returning(struct store *st, struct db_stmt *s, const char *what,
                          int64_t *id)
{
	int rc = db_step(s);

	if (rc == DB_ROW) {
		*id = db_column_int64(s, 0);
		/* SQLite finishes the insert on the step after the row. */
		rc = db_step(s);
	}
	if (rc < 0) {
		rc = store_fail_db(st, rc, what);
		db_reset(s);
		return rc;
	}
	db_reset(s);
	return 0;
}

void store_bind_text(struct db_stmt *s, int i, const char *v)
{
	db_bind_text(s, i, v);
}

static void bind_time(struct db_stmt *s, int i, int64_t t)
{
	if (t == TIME_UNKNOWN)
		db_bind_null(s, i);
	else
		db_bind_int64(s, i, t);
}

/* Binds a counter that the feed gives as -1 when unknown. */
static void bind_counter(struct db_stmt *s, int i, int64_t v)
{
	if (v < 0)
		db_bind_null(s, i);
	else
		db_bind_int64(s, i, v);
}

/* posts.published_us of e: its fraction of a second, or NULL. */
static void bind_fraction(struct db_stmt *s, int i, const struct feed_entry *e)
{
	if (e->published != TIME_UNKNOWN && e->published_us >= 0)
		db_bind_int64(s, i, e->published_us);
	else
		db_bind_null(s, i);
}

static int column_int64_or(struct db_stmt *s, int i, int64_t dflt, int64_t *out)
{
	*out = db_column_null(s, i) ? dflt : db_column_int64(s, i);
	return 0;
}

/* How errors name the database: the path, or the URL without what may
 * carry a password (the user's ":secret" and any "?password=..."). */
static const char *target_name(const char *target)
{
	static _Thread_local char name[256];
	const char *auth, *at, *colon, *query;
	size_t n;

	if (!db_target_is_postgres(target))
		return target;
	auth = strstr(target, "://") + 3;
	query = strchr(auth, '?');
	n = query ? (size_t)(query - target) : strlen(target);
	at = memchr(auth, '@', n - (size_t)(auth - target));
	colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
	if (colon)
		snprintf(name, sizeof(name), "%.*s%.*s", (int)(colon - target),
		         target, (int)(n - (size_t)(at - target)), at);
	else
		snprintf(name, sizeof(name), "%.*s", (int)n, target);
	return name;
}

static int open_common(const char *path, int flags, struct store **out,
                       char *err, size_t errlen)
{
	struct store *st;
	char msg[512];
	int rc;

	*out = NULL;
	st = calloc(1, sizeof(*st));
	if (!st) {
		snprintf(err, errlen, "%s: out of memory", target_name(path));
		return -ENOMEM;
	}
	rc = db_open(path, flags, &st->db, msg, sizeof(msg));
	if (rc < 0) {
		snprintf(err, errlen, "%s: %s", target_name(path), msg);
		store_close(st);
		return rc;
	}
	if (db_dialect(st->db) == DB_SQLITE) {
		rc = store_exec_sql(st, "PRAGMA foreign_keys = ON",
		                    "foreign keys");
		if (rc < 0)
			goto out_close;
	}
	*out = st;
	return 0;
out_close:
	snprintf(err, errlen, "%s: %s", target_name(path), st->errmsg);
	store_close(st);
	return rc;
}

int store_open(const char *path, struct store **out, char *err, size_t errlen)
{
	struct store *st;
	int rc = 0;

	rc = open_common(path, DB_OPEN_CREATE, &st, err, errlen);
	if (rc < 0)
		return rc;
	/* WAL lets report readers run while the daemon writes; NORMAL
	 * synchronous is durable across application crashes in WAL mode and
	 * loses at most the last commits on power loss, never consistency. */
	if (db_dialect(st->db) == DB_SQLITE) {
		rc =
		    store_exec_sql(st, "PRAGMA journal_mode = WAL", "WAL mode");
		if (rc == 0)
			rc = store_exec_sql(st, "PRAGMA synchronous = NORMAL",
			                    "synchronous");
		/* A poll writes a few pages of many indexes; checkpointing
		 * every 32 MB of WAL (not SQLite's 4 MB) copies each hot page
		 * back once for many polls and syncs eight times less often:
		 * a first poll of 10,000 feeds takes 12 s instead of 16.  The
		 * file is cut back to 64 MB after a checkpoint. */
		if (rc == 0)
			rc = store_exec_sql(
			    st,
			    "PRAGMA wal_autocheckpoint = 8000;"
			    "PRAGMA journal_size_limit = 67108864",
			    "WAL size");
	}
	if (rc == 0)
		rc = store_migrate(st);
	if (rc < 0) {
		snprintf(err, errlen, "%s: %s", target_name(path), st->errmsg);
		store_close(st);
		return rc;
	}
	*out = st;
	return 0;
}

int store_open_readonly(const char *path, struct store **out, char *err,
                        size_t errlen)
{
	struct store *st;
	struct stat sb;
	int rc = 0, version;
	bool lite = !db_target_is_postgres(path);

	/* SQLite reports a missing file as a generic "unable to open"; the
	 * caller wants to tell "no such database" from "cannot read it". */
	if (lite &&
	    stat(strncmp(path, "sqlite:", 7) == 0 ? path + 7 : path, &sb) < 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return rc;
	}
	rc = open_common(path, DB_OPEN_READONLY, &st, err, errlen);
	if (rc < 0)
		return rc;
	/* Reports scan wide ranges of a large file once: a bigger page cache,
	 * memory-mapped reads and in-memory sorts save most of their time. */
	if (lite)
		rc = store_exec_sql(st,
		                    "PRAGMA cache_size = -65536;"
		                    " PRAGMA mmap_size = 1073741824;"
		                    "PRAGMA temp_store = MEMORY",
		                    "read tuning");
	if (rc == 0)
		rc = store_schema_readable(st, &version);
	if (rc == 0 && version < 1) {
		store_set_err(st, "not a demarche database (schema version 0)");
		rc = -EBADMSG;
	}
	if (rc < 0) {
		snprintf(err, errlen, "%s: %s", target_name(path), st->errmsg);
		store_close(st);
		return rc;
	}
	*out = st;
	return 0;
}

void store_close(struct store *st)
{
	size_t i;

	if (!st)
		return;
	for (i = 0; i < STMT_COUNT; i++)
		db_finalize(st->stmts[i]);
	store_versions_free(st->versions);
	store_clusters_free(st->clusters);
	store_narratives_close(st);
	db_close(st->db);
	free(st);
}

const char *store_errmsg(struct store *st)
{
	return st ? st->errmsg : "no store";
}

struct db *store_conn(struct store *st)
{
	return st->db;
}

void store_feed_state_clear(struct store_feed_state *fs)
{
	if (!fs)
		return;
	free(fs->url);
	free(fs->etag);
	free(fs->last_modified);
	memset(fs, 0, sizeof(*fs));
}

int store_prepare(struct store *st, const char *sql, struct db_stmt **s)
{
	int rc = db_prepare(st->db, sql, s);

	if (rc < 0) {
		*s = NULL;
		return store_fail_db(st, rc, "prepare");
	}
	return 0;
}

static int sync_account(struct store *st, const struct config_account *a,
                        int64_t now, struct db_stmt *acc, struct db_stmt *feed)
{
	int64_t account_id;
	size_t i;
	int rc;

	if ((unsigned)a->role >= ARRAY_SIZE(role_names)) {
		store_set_err(st, "account %s: unknown role %d", a->key,
		              (int)a->role);
		return -EINVAL;
	}
	db_reset(acc);
	db_clear_bindings(acc);
	store_bind_text(acc, 1, a->key);
	store_bind_text(acc, 2, a->name);
	store_bind_text(acc, 3, role_names[a->role]);
	store_bind_text(acc, 4, a->country);
	bind_time(acc, 5, a->created);
	db_bind_int64(acc, 6, now);
	rc = db_step(acc);
	if (rc != DB_ROW) {
		rc = rc < 0 ? store_fail_db(st, rc, "account") : -EIO;
		db_reset(acc);
		return rc;
	}
	account_id = db_column_int64(acc, 0);
	db_reset(acc);
	for (i = 0; i < a->n_feeds; i++) {
		const struct config_feed *f = &a->feeds[i];

		if ((unsigned)f->kind >= ARRAY_SIZE(kind_names) ||
		    (unsigned)f->kind >= ARRAY_SIZE(source_names)) {
			store_set_err(st, "account %s: unknown feed kind %d",
			              a->key, (int)f->kind);
			return -EINVAL;
		}
		db_reset(feed);
		db_clear_bindings(feed);
		db_bind_int64(feed, 1, account_id);
		store_bind_text(feed, 2, f->url);
		store_bind_text(feed, 3, kind_names[f->kind]);
		db_bind_int64(feed, 4, now);
		store_bind_text(feed, 5, source_names[f->kind]);
		rc = store_stmt_done(st, feed, "feed");
		if (rc < 0)
			return rc;
	}
	return 0;
}

int store_check_config_target(const struct config *cfg, const char *file,
                              char *msg, size_t len)
{
	char why[512];
	int rc = db_check_target(cfg->database, why, sizeof(why));

	if (rc == 0)
		return 0;
	if (db_target_is_postgres(cfg->database))
		snprintf(msg, len, "%s:%d: database URL: %s", file,
		         cfg->database_line, why);
	else
		snprintf(msg, len, "%s:%d: database %s: %s", file,
		         cfg->database_line, cfg->database, why);
	return rc;
}

int store_sync_config(struct store *st, const struct config *cfg)
{
	/* The config's created date is kept apart from the platform's so
	 * either can change without losing the other; the platform wins. */
	static const char acc_sql[] =
	    "INSERT INTO accounts (handle, name, role, country,"
	    " created_config, created, first_seen, active)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6, 1)"
	    " ON CONFLICT (handle) DO UPDATE SET name = excluded.name,"
	    " role = excluded.role, country = excluded.country,"
	    " created_config = excluded.created_config,"
	    " created = COALESCE(accounts.created_platform,"
	    " excluded.created_config),"
	    " active = 1 RETURNING id";
	static const char feed_sql[] =
	    "INSERT INTO feeds (account_id, configured_url, url, kind, added,"
	    " active, source) VALUES (?1, ?2, ?2, ?3, ?4, 1, ?5)"
	    " ON CONFLICT (account_id, configured_url) DO UPDATE SET"
	    " kind = excluded.kind, active = 1, source = CASE WHEN"
	    " excluded.source = 'web' AND feeds.source IN ('rss', 'atom',"
	    " 'jsonfeed') THEN feeds.source ELSE excluded.source END";
	struct db_stmt *acc = NULL, *feed = NULL;
	int64_t now = util_now();
	size_t i;
	int rc;

	rc = store_begin(st, "sync config");
	if (rc < 0)
		return rc;
	/* PostgreSQL, several daemons: the sync rewrites every account and
	 * feed row while other instances record polls.  Taking both tables
	 * first, feeds then accounts (the order a poll writes them in, see
	 * store_record_poll), makes syncs and polls wait for each other
	 * instead of deadlocking. */
	if (db_dialect(st->db) == DB_POSTGRES) {
		rc = store_exec_sql(
		    st,
		    "LOCK TABLE feeds, accounts IN SHARE ROW EXCLUSIVE"
		    " MODE",
		    "sync config");
		if (rc < 0)
			goto out_rollback;
	}
	/* Everything is inactive until the config names it again. */
	rc = store_exec_sql(st,
	                    "UPDATE accounts SET active = 0;"
	                    "UPDATE feeds SET active = 0;",
	                    "sync config");
	if (rc < 0)
		goto out_rollback;
	rc = store_prepare(st, acc_sql, &acc);
	if (rc < 0)
		goto out_rollback;
	rc = store_prepare(st, feed_sql, &feed);
	if (rc < 0)
		goto out_rollback;
	for (i = 0; i < cfg->n_accounts; i++) {
		rc = sync_account(st, &cfg->accounts[i], now, acc, feed);
		if (rc < 0)
			goto out_rollback;
	}
	db_finalize(acc);
	db_finalize(feed);
	return store_exec_sql(st, "COMMIT", "sync config");
out_rollback:
	db_finalize(acc);
	db_finalize(feed);
	db_rollback(st->db);
	return rc;
}

int store_dup_column(struct db_stmt *s, int i, char **out)
{
	const char *v = db_column_text(s, i);

	*out = NULL;
	if (!v)
		return db_column_null(s, i) ? 0 : -ENOMEM;
	*out = strdup((const char *)v);
	return *out ? 0 : -ENOMEM;
}

int store_feed_state(struct store *st, const char *account_key,
                     const char *configured_url, struct store_feed_state *out)
{
	static const char sql[] =
	    "SELECT f.id, f.account_id, f.url, f.etag, f.last_modified,"
	    " f.next_poll, f.consecutive_failures, f.disabled"
	    " FROM feeds f JOIN accounts a ON a.id = f.account_id"
	    " WHERE a.handle = ?1 AND f.configured_url = ?2";
	struct db_stmt *s;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = store_prepare(st, sql, &s);
	if (rc < 0)
		return rc;
	store_bind_text(s, 1, account_key);
	store_bind_text(s, 2, configured_url);
	rc = db_step(s);
	if (rc == DB_DONE) {
		store_set_err(st, "feed %s of %s is not in the database",
		              configured_url, account_key);
		rc = -ENOENT;
		goto out_finalize;
	}
	if (rc != DB_ROW) {
		rc = store_fail_db(st, rc, "feed state");
		goto out_finalize;
	}
	out->feed_id = db_column_int64(s, 0);
	out->account_id = db_column_int64(s, 1);
	out->next_poll = db_column_int64(s, 5);
	out->consecutive_failures = db_column_int(s, 6);
	out->disabled = db_column_int(s, 7) != 0;
	rc = store_dup_column(s, 2, &out->url);
	if (rc == 0)
		rc = store_dup_column(s, 3, &out->etag);
	if (rc == 0)
		rc = store_dup_column(s, 4, &out->last_modified);
	if (rc < 0) {
		store_set_err(st, "feed state: out of memory");
		store_feed_state_clear(out);
	}
out_finalize:
	db_finalize(s);
	return rc;
}

static uint64_t fnv1a(uint64_t h, const void *p, size_t len)
{
	const unsigned char *c = p;
	size_t j;

	for (j = 0; j < len; j++) {
		h ^= c[j];
		h *= 1099511628211ULL;
	}
	return h;
}

/* A field's length, little-endian, so ("ab","c") and ("a","bc") differ. */
static uint64_t fnv1a_len(uint64_t h, size_t len)
{
	unsigned char le[sizeof(len)];
	size_t j;

	for (j = 0; j < sizeof(len); j++)
		le[j] = (unsigned char)(len >> (8 * j));
	return fnv1a(h, le, sizeof(le));
}

/* FNV-1a over the fields an edit would change, each length-prefixed.  It
 * only has to notice edits of one post by its own author, so a 64-bit
 * non-cryptographic hash is enough.  A quoted post is someone else's
 * words: the text is hashed without it, so that its edit or deletion
 * upstream is no edit of this post (without a quote, the hash is that of
 * the whole text, as it always was). */
static void content_hash(const struct feed_entry *e, char out[32])
{
	const char *title = e->title ? e->title : "",
	           *text = e->text ? e->text : "";
	size_t title_len = strlen(title), text_len = strlen(text),
	       q_at = e->quote_at, q_len = e->quote_len;
	uint64_t h = 14695981039346656037ULL;

	if (q_len == 0 || q_at > text_len || q_len > text_len - q_at) {
		q_at = text_len; /* no quote (or not this text's) */
		q_len = 0;
	}
	h = fnv1a_len(h, title_len);
	h = fnv1a(h, title, title_len);
	h = fnv1a_len(h, text_len - q_len);
	h = fnv1a(h, text, q_at);
	h = fnv1a(h, text + q_at + q_len, text_len - q_at - q_len);
	snprintf(out, 32, "fnv1a64:%016" PRIx64, h);
}

static int write_categories(struct store *st, int64_t post_id,
                            const struct classify_result *res,
                            const char *rules_version, int64_t now)
{
	struct db_stmt *s;
	size_t i;
	int rc = 0;

	for (i = 0; res && i < res->n_cats; i++) {
		const struct classify_category *c = &res->cats[i];
		char *ev;

		s = store_stmt_get(st, STMT_CAT_INSERT, &rc);
		if (!s)
			return rc;
		ev = classify_evidence_json(c);
		if (!ev) {
			store_set_err(st, "category evidence: out of memory");
			return -ENOMEM;
		}
		db_bind_int64(s, 1, post_id);
		store_bind_text(s, 2, c->key);
		db_bind_double(s, 3, c->score);
		store_bind_text(s, 4, ev);
		store_bind_text(s, 5,
		                rules_version ? rules_version : "unknown");
		db_bind_int64(s, 6, now);
		rc = store_stmt_done(st, s, "category");
		free(ev);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* Where the mention callback puts what it needs and what went wrong. */
struct cand_ctx {
	struct store *st;   /* the store */
	int64_t account_id; /* the tracked account that posted */
	int64_t post_id;    /* the post */
	int64_t now;        /* when */
	int rc;             /* first failure, or 0 */
};

static int add_candidate(struct cand_ctx *c, const char *handle,
                         const char *name, const char *marker, const char *kind)
{
	char local[CANDIDATES_HANDLE_MAX];
	struct db_stmt *s;
	int rc = 0;

	snprintf(local, sizeof(local), "%s", handle);
	local[strcspn(local, "@")] = '\0';
	s = store_stmt_get(c->st, STMT_CANDIDATE, &rc);
	if (!s)
		return rc;
	store_bind_text(s, 1, handle);
	store_bind_text(s, 2, name);
	store_bind_text(s, 3, marker);
	store_bind_text(s, 4, kind);
	db_bind_int64(s, 5, c->now);
	db_bind_int64(s, 6, c->account_id);
	db_bind_int64(s, 7, c->post_id);
	store_bind_text(s, 8, local);
	return store_stmt_done(c->st, s, "candidate");
}

static void on_mention(const char *handle, void *arg)
{
	struct cand_ctx *c = arg;
	const char *marker = candidates_marker(handle);

	if (marker && c->rc == 0)
		c->rc = add_candidate(c, handle, NULL, marker, "mention");
}

/* Lists the accounts a new post mentions or reposts whose handle or name
 * marks them as diplomatic (see candidates.h). */
static int record_candidates(struct store *st, const struct feed_entry *e,
                             int64_t account_id, int64_t post_id, int64_t now)
{
	struct cand_ctx c = {st, account_id, post_id, now, 0};
	const char *marker;

	if (e->is_repost && e->author &&
	    strlen(e->author) < CANDIDATES_HANDLE_MAX) {
		marker = candidates_marker(e->author);
		if (marker)
			c.rc = add_candidate(&c, e->author, e->author, marker,
			                     "repost");
	}
	candidates_mentions(e->text, 32, on_mention, &c);
	return c.rc;
}

/* Looks up the stored post of key (in kp when it was loaded, else in the
 * database): *post_id and whether its content hash is still hash.
 * Returns 1 when found, 0 when new, or a negative errno (recorded). */
static int find_post(struct store *st, const struct known_posts *kp,
                     int64_t account_id, const char *key, const char *hash,
                     int64_t *post_id, bool *same)
{
	struct db_stmt *s;
	int rc = 0;

	if (kp->by_key) {
		const struct known_post *k = strmap_get(kp->by_key, key);

		if (!k)
			return 0;
		*post_id = k->id;
		*same = strcmp(k->hash, hash) == 0;
		return 1;
	}
	s = store_stmt_get(st, STMT_POST_FIND, &rc);
	if (!s)
		return rc;
	db_bind_int64(s, 1, account_id);
	store_bind_text(s, 2, key);
	rc = db_step(s);
	if (rc == DB_ROW) {
		const char *old = db_column_text(s, 1);

		*post_id = db_column_int64(s, 0);
		*same = old && strcmp(old, hash) == 0;
		rc = 1;
	} else if (rc == DB_DONE) {
		rc = 0;
	} else {
		rc = store_fail_db(st, rc, "post lookup");
	}
	db_reset(s);
	return rc;
}

/* Stores entry e as a new post (and its version 1, and the candidates it
 * names); *post_id is its id.  Returns 0 or a negative errno. */
static int insert_entry(struct store *st, const struct store_poll *poll,
                        const struct feed_entry *e, int64_t account_id,
                        const char *lang, const char *rules, const char *hash,
                        int64_t now, int64_t *post_id)
{
	struct db_stmt *s;
	int rc = 0;

	s = store_stmt_get(st, STMT_POST_INSERT, &rc);
	if (!s)
		return rc;
	db_bind_int64(s, 1, account_id);
	db_bind_int64(s, 2, poll->feed_id);
	store_bind_text(s, 3, e->id);
	store_bind_text(s, 4, e->link);
	store_bind_text(s, 5, e->title);
	store_bind_text(s, 6, e->text ? e->text : "");
	store_bind_text(s, 7, e->html);
	store_bind_text(s, 8, e->author);
	store_bind_text(s, 9, lang);
	bind_time(s, 10, e->published);
	db_bind_int64(s, 11, now);
	bind_time(s, 12, e->updated);
	store_bind_text(s, 13, hash);
	db_bind_int64(s, 14, e->is_repost);
	store_bind_text(s, 15, rules);
	db_bind_int64(s, 16, e->is_reply);
	bind_fraction(s, 17, e);
	db_bind_int64(s, 18, e->edited);
	rc = stmt_returning(st, s, "post insert", post_id);
	if (rc < 0)
		return rc;
	rc = store_versions_first(st->versions, *post_id, e->title, e->text,
	                          hash, now);
	if (rc < 0)
		return rc;
	return record_candidates(st, e, account_id, *post_id, now);
}

/* The narratives the post states, and the alerts it files. */
static int record_narratives(struct store *st, const struct feed_entry *e,
                             const struct classify_result *res,
                             int64_t account_id, int64_t post_id, bool is_new,
                             int64_t now)
{
	struct store_narr_post np = {0};
	size_t i;
	int c;

	np.post_id = post_id;
	np.account_id = account_id;
	np.title = e->title;
	np.text = e->text;
	if (res) {
		np.hits = res->narratives;
		np.n_hits = res->n_narratives;
		np.hits_by = res->narratives_by;
	}
	np.published = e->published;
	np.report_time = e->published != TIME_UNKNOWN ? e->published : now;
	np.is_new = is_new;
	for (i = 0; res && i < res->n_cats; i++)
		if ((c = category_index(res->cats[i].key)) >= 0)
			np.categories |= 1u << (unsigned)c;
	return store_narratives_post(st, &np, now);
}

static int record_entry(struct store *st, const struct store_poll *poll,
                        int64_t account_id, size_t i, int64_t now,
                        struct known_posts *kp,
                        struct store_poll_counts *counts)
{
	const struct feed_entry *e = &poll->doc->entries[i];
	const struct classify_result *res =
	    poll->results ? &poll->results[i] : NULL;
	const char *lang = e->lang ? e->lang : poll->doc->lang;
	const char *rules =
	    res ? (poll->rules_version ? poll->rules_version : "unknown")
	        : NULL;
	char hash[32];
	int64_t post_id = 0;
	bool found, same = false;
	struct db_stmt *s;
	int rc = 0;

	/* A damaged document's cut entries are not stored at all: the next
	 * whole one stores them whole, as new posts rather than edits. */
	if (poll->warning && e->partial)
		return 0;
	content_hash(e, hash);
	rc = find_post(st, kp, account_id, e->id, hash, &post_id, &same);
	if (rc < 0)
		return rc;
	found = rc > 0;
	if (same)
		return 0;
	/* Nor does it ever replace stored text: what differs may be the
	 * damage rather than an edit. */
	if (found && poll->warning)
		return 0;
	if (!found) {
		rc = insert_entry(st, poll, e, account_id, lang, rules, hash,
		                  now, &post_id);
		if (rc < 0)
			return rc;
		counts->new_posts++;
	} else {
		s = store_stmt_get(st, STMT_POST_UPDATE, &rc);
		if (!s)
			return rc;
		db_bind_int64(s, 1, post_id);
		db_bind_int64(s, 2, poll->feed_id);
		store_bind_text(s, 3, e->link);
		store_bind_text(s, 4, e->title);
		store_bind_text(s, 5, e->text ? e->text : "");
		store_bind_text(s, 6, e->html);
		store_bind_text(s, 7, e->author);
		store_bind_text(s, 8, lang);
		bind_time(s, 9, e->published);
		bind_time(s, 10, e->updated);
		db_bind_int64(s, 11, now);
		store_bind_text(s, 12, hash);
		db_bind_int64(s, 13, e->is_repost);
		store_bind_text(s, 14, rules);
		db_bind_int64(s, 15, e->is_reply);
		bind_fraction(s, 16, e);
		db_bind_int64(s, 17, e->edited);
		rc = store_stmt_done(st, s, "post update");
		if (rc < 0)
			return rc;
		/* The new wording becomes a version; the old one keeps the
		 * categories it had, which are rewritten below. */
		rc = store_versions_edit(st->versions, post_id, e->title,
		                         e->text, hash, now);
		if (rc < 0)
			return rc;
		counts->versions_dropped += rc;
		s = store_stmt_get(st, STMT_CATS_DELETE, &rc);
		if (!s)
			return rc;
		db_bind_int64(s, 1, post_id);
		rc = store_stmt_done(st, s, "category delete");
		if (rc < 0)
			return rc;
		counts->edited_posts++;
	}
	rc = store_clusters_post(st->clusters, post_id, e->text, e->html,
	                         e->link, found, now);
	if (rc < 0)
		return rc;
	if (store_known_posts_note(kp, e->id, post_id, hash) < 0) {
		store_set_err(st, "out of memory");
		return -ENOMEM;
	}
	rc = write_categories(st, post_id, res, poll->rules_version, now);
	if (rc == 0)
		rc = record_narratives(st, e, res, account_id, post_id, !found,
		                       now);
	return rc;
}

static bool counter_changed(struct db_stmt *last, int col, int64_t now_value)
{
	bool was_null = db_column_null(last, col);

	if (now_value < 0)
		return !was_null;
	return was_null || db_column_int64(last, col) != now_value;
}

/* Adds a snapshot of the account's counters when one changed or the last
 * is a day old, and keeps the platform's creation date. */
static int record_account(struct store *st, int64_t account_id,
                          const struct feed_account *a, int64_t now)
{
	struct db_stmt *s;
	bool write = true;
	int rc = 0;

	if (a->created != TIME_UNKNOWN) {
		s = store_stmt_get(st, STMT_ACCOUNT_CREATED, &rc);
		if (!s)
			return rc;
		db_bind_int64(s, 1, account_id);
		db_bind_int64(s, 2, a->created);
		rc = store_stmt_done(st, s, "account created");
		if (rc < 0)
			return rc;
	}
	if (a->followers < 0 && a->following < 0 && a->posts < 0)
		return 0;
	s = store_stmt_get(st, STMT_SNAPSHOT_LAST, &rc);
	if (!s)
		return rc;
	db_bind_int64(s, 1, account_id);
	rc = db_step(s);
	if (rc == DB_ROW) {
		int64_t observed;

		column_int64_or(s, 0, 0, &observed);
		write = now - observed >= SNAPSHOT_MAX_AGE ||
		        counter_changed(s, 1, a->followers) ||
		        counter_changed(s, 2, a->following) ||
		        counter_changed(s, 3, a->posts);
	} else if (rc != DB_DONE) {
		rc = store_fail_db(st, rc, "snapshot lookup");
		db_reset(s);
		return rc;
	}
	db_reset(s);
	if (!write)
		return 0;
	s = store_stmt_get(st, STMT_SNAPSHOT_INSERT, &rc);
	if (!s)
		return rc;
	db_bind_int64(s, 1, account_id);
	db_bind_int64(s, 2, now);
	bind_counter(s, 3, a->followers);
	bind_counter(s, 4, a->following);
	bind_counter(s, 5, a->posts);
	return store_stmt_done(st, s, "snapshot");
}

/* The format a web feed's document was read as, for feeds.source; NULL
 * for the others (and for no document). */
static const char *read_as(const struct feed_doc *doc)
{
	if (doc && (doc->format == FEED_FORMAT_RSS ||
	            doc->format == FEED_FORMAT_ATOM ||
	            doc->format == FEED_FORMAT_JSONFEED))
		return feed_format_name(doc->format);
	return NULL;
}

static int record_feed(struct store *st, const struct store_poll *poll,
                       int64_t account_id, int64_t now, bool failed)
{
	struct db_stmt *s;
	int rc = 0;

	if (failed) {
		const char *why = poll->error ? poll->error : "410 Gone";

		s = store_stmt_get(st, STMT_FEED_FAILED, &rc);
		if (!s)
			return rc;
		db_bind_int64(s, 1, poll->feed_id);
		db_bind_int64(s, 2, poll->next_poll);
		db_bind_int64(s, 3, now);
		store_bind_text(s, 4, why);
		db_bind_int64(s, 5, poll->gone);
		rc = store_stmt_done(st, s, "feed health");
	} else {
		s = store_stmt_get(st,
		                   poll->not_modified ? STMT_FEED_NOT_MODIFIED
		                                      : STMT_FEED_OK,
		                   &rc);
		if (!s)
			return rc;
		db_bind_int64(s, 1, poll->feed_id);
		store_bind_text(s, 2, poll->etag);
		store_bind_text(s, 3, poll->last_modified);
		db_bind_int64(s, 4, poll->next_poll);
		db_bind_int64(s, 5, now);
		if (!poll->not_modified)
			store_bind_text(s, 6, read_as(poll->doc));
		rc = store_stmt_done(st, s, "feed validators");
		if (rc < 0)
			return rc;
		s = store_stmt_get(st, STMT_ACCOUNT_SEEN, &rc);
		if (!s)
			return rc;
		db_bind_int64(s, 1, account_id);
		db_bind_int64(s, 2, now);
		rc = store_stmt_done(st, s, "account seen");
	}
	if (rc == 0 && store_shared(st)) {
		s = store_stmt_get(st, STMT_FEED_RELEASE, &rc);
		if (!s)
			return rc;
		db_bind_int64(s, 1, poll->feed_id);
		rc = store_stmt_done(st, s, "feed lease");
	}
	if (rc < 0 || !poll->new_url)
		return rc;
	s = store_stmt_get(st, STMT_FEED_URL, &rc);
	if (!s)
		return rc;
	db_bind_int64(s, 1, poll->feed_id);
	store_bind_text(s, 2, poll->new_url);
	return store_stmt_done(st, s, "feed url");
}

static int record_fetch(struct store *st, const struct store_poll *poll,
                        int64_t now, const struct store_poll_counts *c)
{
	struct db_stmt *s;
	int rc = 0;

	s = store_stmt_get(st, STMT_FETCH_INSERT, &rc);
	if (!s)
		return rc;
	db_bind_int64(s, 1, poll->feed_id);
	db_bind_int64(s, 2, now);
	db_bind_int64(s, 3, poll->duration_ms);
	if (poll->http_status > 0)
		db_bind_int64(s, 4, poll->http_status);
	else
		db_bind_null(s, 4);
	db_bind_int64(s, 5, (int64_t)poll->bytes);
	db_bind_int64(s, 6, poll->not_modified);
	db_bind_int64(s, 7, c->new_posts);
	db_bind_int64(s, 8, c->edited_posts);
	store_bind_text(s, 9, poll->error);
	store_bind_text(s, 10, poll->warning);
	return store_stmt_done(st, s, "fetch");
}

/* The stable keys of the entries a poll stored or found (not the partial
 * ones of a damaged document) as a *new* JSON array, or NULL when one is
 * not UTF-8 or memory ran out. */
static char *entry_keys_json(const struct store_poll *poll)
{
	json_t *keys = json_array();
	char *json = NULL;
	size_t i;

	if (!keys)
		return NULL;
	for (i = 0; i < poll->doc->n_entries; i++) {
		const struct feed_entry *e = &poll->doc->entries[i];
		json_t *k;

		if (poll->warning && e->partial)
			continue;
		k = json_string(e->id);
		if (!k || json_array_append_new(keys, k) < 0)
			goto out_decref_keys;
	}
	json = json_dumps(keys, JSON_COMPACT);
out_decref_keys:
	json_decref(keys);
	return json;
}

/* Posts served again after being marked deleted are live again; posts of
 * the feed that a whole document no longer returns from the middle of
 * its window are marked deleted (store_versions.h).  A damaged document
 * may have lost any of its entries, so it marks nothing. */
static int record_presence(struct store *st, const struct store_poll *poll,
                           int64_t account_id, int64_t now,
                           struct store_poll_counts *c)
{
	char *keys = entry_keys_json(poll);
	int rc;

	if (!keys)
		return 0; /* keys JSON cannot carry: nothing marked */
	rc = store_versions_returns(st->versions, account_id, keys, now);
	if (rc >= 0) {
		c->returned_posts = rc;
		rc = 0;
		if (!poll->warning && !poll->not_window) {
			rc = store_versions_deletions(st->versions, account_id,
			                              poll->feed_id, keys, now);
			if (rc >= 0) {
				c->deleted_posts = rc;
				rc = 0;
			}
		}
	}
	free(keys);
	return rc;
}

/* The versions and clusters of the statement record, made on first use. */
static int make_helpers(struct store *st)
{
	if (!st->versions) {
		st->versions =
		    store_versions_new(st->db, st->errmsg, sizeof(st->errmsg));
		if (!st->versions) {
			store_set_err(st, "out of memory");
			return -ENOMEM;
		}
	}
	if (!st->clusters) {
		st->clusters =
		    store_clusters_new(st->db, st->errmsg, sizeof(st->errmsg));
		if (!st->clusters) {
			store_set_err(st, "out of memory");
			return -ENOMEM;
		}
	}
	return 0;
}

int store_record_poll(struct store *st, const struct store_poll *poll,
                      struct store_poll_counts *counts)
{
	struct store_poll_counts c = {0};
	bool failed = poll->error != NULL || poll->gone;
	int64_t now, account_id;
	struct db_stmt *s;
	size_t i;
	int rc = 0;

	if (counts)
		*counts = c;
	now = poll->started_us > 0 ? poll->started_us / 1000000 : util_now();
	rc = make_helpers(st);
	if (rc < 0)
		return rc;
	/* PostgreSQL waits for a lock as long as it is held (an analyst's
	 * LOCK TABLE) and the daemon's loop would wait with it: give up after
	 * 5 s, like SQLite's busy timeout, and let the poll be retried.  Only
	 * here: the config sync and migrations must wait for each other.  One
	 * round trip for both commands. */
	if (db_dialect(st->db) == DB_POSTGRES)
		rc = store_exec_sql(st, "BEGIN; SET LOCAL lock_timeout = '5s'",
		                    "record poll");
	else
		rc = store_begin(st, "record poll");
	if (rc < 0) {
		if (db_dialect(st->db) == DB_POSTGRES)
			db_rollback(st->db);
		return rc;
	}
	s = store_stmt_get(st, STMT_FEED_ACCOUNT, &rc);
	if (!s)
		goto out_rollback;
	db_bind_int64(s, 1, poll->feed_id);
	rc = db_step(s);
	if (rc == DB_DONE) {
		db_reset(s);
		store_set_err(st, "feed %" PRId64 " is not in the database",
		              poll->feed_id);
		rc = -ENOENT;
		goto out_rollback;
	} else if (rc != DB_ROW) {
		rc = store_fail_db(st, rc, "feed lookup");
		db_reset(s);
		goto out_rollback;
	}
	account_id = db_column_int64(s, 0);
	db_reset(s);

	if (poll->doc && !poll->not_modified && poll->doc->n_entries) {
		struct known_posts kp;

		rc = store_known_posts_load(st, poll->doc, account_id, &kp);
		for (i = 0; rc == 0 && i < poll->doc->n_entries; i++)
			rc =
			    record_entry(st, poll, account_id, i, now, &kp, &c);
		store_known_posts_free(&kp);
		if (rc == 0 && poll->amplification_since > 0)
			rc = store_amp_record_poll(st, poll, account_id, now);
		if (rc == 0)
			rc = record_presence(st, poll, account_id, now, &c);
		if (rc < 0)
			goto out_rollback;
	}
	if (poll->n_pages &&
	    (rc = store_pages_record(st, poll, account_id, now, &c)) < 0)
		goto out_rollback;
	rc = record_fetch(st, poll, now, &c);
	if (rc < 0)
		goto out_rollback;
	/* The feed's row before its account's, the order
	 * store_sync_config() locks them in. */
	rc = record_feed(st, poll, account_id, now, failed);
	if (rc < 0)
		goto out_rollback;
	/* Counters may come with a 304 too (an API source's profile). */
	if (poll->doc && poll->doc->has_account) {
		rc = record_account(st, account_id, &poll->doc->account, now);
		if (rc < 0)
			goto out_rollback;
	}
	rc = store_exec_sql(st, "COMMIT", "record poll");
	if (rc < 0)
		goto out_rollback;
	if (counts)
		*counts = c;
	return 0;
out_rollback:
	/* ROLLBACK also undoes statements that failed half-way. */
	db_rollback(st->db);
	return rc;
}
