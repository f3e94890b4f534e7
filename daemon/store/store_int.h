/*
 * store_int.h — what the files of the store share, private to
 * daemon/store/ (tests/lint/check_layers.sh keeps it there): the store's
 * struct, its kept statements and their helpers.
 *
 *   store.c        opening and migrating, the config mirror, recording a
 *                  poll
 *   store_known.c  the posts of a poll's feed already in the log, asked
 *                  for at once
 *   store_claim.c  leases on feeds and scheduled reports, for several
 *                  daemons sharing one PostgreSQL database
 *   store_pages.c  html: article pages, deletions asked of the source
 */
#ifndef DEMARCHE_STORE_INT_H
#define DEMARCHE_STORE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "feed.h"
#include "store.h"

struct strmap;
struct store_versions;
struct store_clusters;

/* The statements store_record_poll() and friends run, prepared on first use
 * and kept for the life of the connection. */
enum stmt_id {
	STMT_FEED_ACCOUNT,
	STMT_POST_FIND,
	STMT_POSTS_KNOWN,
	STMT_POST_INSERT,
	STMT_POST_UPDATE,
	STMT_CATS_DELETE,
	STMT_CAT_INSERT,
	STMT_SNAPSHOT_LAST,
	STMT_SNAPSHOT_INSERT,
	STMT_ACCOUNT_CREATED,
	STMT_ACCOUNT_SEEN,
	STMT_FETCH_INSERT,
	STMT_FEED_OK,
	STMT_FEED_NOT_MODIFIED,
	STMT_FEED_FAILED,
	STMT_FEED_URL,
	STMT_FEED_RELEASE,
	STMT_FEED_UNCLAIM,
	STMT_FEED_CLAIM,
	STMT_FEED_DUE,
	STMT_CANDIDATE,
	STMT_COUNT
};

/* The statements of store_narratives.c, kept the same way. */
enum narr_stmt_id {
	STMT_NARR_INSERT,
	STMT_NARR_DELETE,
	STMT_NARR_USED,
	STMT_CAT_USED,
	STMT_NARR_COUNT,
	STMT_CAT_COUNT,
	STMT_ALERT_INSERT,
	STMT_CAT_HAS,
	NARR_STMT_COUNT
};

struct store_narratives;

struct store {
	struct db *db;                     /* the connection */
	struct db_stmt *stmts[STMT_COUNT]; /* prepared on first use, or NULL */
	struct store_versions *versions;   /* the statement record's, made on
	                                    * first use (store_versions.h) */
	struct store_clusters *clusters;   /* copies of statements, made on
	                                    * first use (store_clusters.h) */
	char errmsg[512];                  /* last failure, for store_errmsg */
	struct db_stmt *narr_stmts[NARR_STMT_COUNT]; /* store_narratives.c */
	struct store_narratives *narr; /* the narratives in force, or
	                                * NULL (store_narratives.h) */
};

/* The posts of one poll's feed already in the database, by stable key:
 * asked for all entries at once rather than one query per entry, and
 * kept up to date as the poll writes (a feed may repeat a key). */
struct known_post {
	int64_t id;    /* posts.id */
	char hash[32]; /* posts.content_hash, or "" */
};

struct known_posts {
	struct strmap *by_key;    /* stable key -> struct known_post *;
	                           * NULL: look each entry up on its own */
	struct known_post *posts; /* room for one per entry */
	size_t n, cap;            /* used, room */
};

/* ---- store.c: errors and statements -------------------------------- */

/* Sets the message store_errmsg() returns. */
void store_set_err(struct store *st, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Records the connection's message for a failure rc (a negative errno
 * from db.h) and returns rc. */
int store_fail_db(struct store *st, int rc, const char *what);
/* db_exec / db_begin, a failure recorded as "what: message". */
int store_exec_sql(struct store *st, const char *sql, const char *what);
int store_begin(struct store *st, const char *what);
/* Brings the log's schema up to date (store_schema.c): every migration
 * newer than it, each in its own transaction.  0 or a negative errno. */
int store_migrate(struct store *st);
/* The log's schema version into *version, refused (-ENOTSUP, recorded)
 * when newer than this build knows.  0 or a negative errno. */
int store_schema_readable(struct store *st, int *version);
/* Returns the cached statement id, reset and with no bindings, or NULL with
 * the error recorded in *rc. */
struct db_stmt *store_stmt_get(struct store *st, enum stmt_id id, int *rc);
/* Steps a statement that returns no rows (or whose rows are ignored). */
int store_stmt_done(struct store *st, struct db_stmt *s, const char *what);
/* Binds v as text, or NULL when v is NULL. */
void store_bind_text(struct db_stmt *s, int i, const char *v);
/* One-off statements (config sync, lookups): prepared, run, finalised. */
int store_prepare(struct store *st, const char *sql, struct db_stmt **s);
/* Column i as a *new* string in *out (NULL for NULL); -ENOMEM. */
int store_dup_column(struct db_stmt *s, int i, char **out);

/* ---- store_known.c: posts already stored ---------------------------- */

void store_known_posts_free(struct known_posts *kp);
/* Remembers key as stored under id with hash (a new or edited post). */
int store_known_posts_note(struct known_posts *kp, const char *key, int64_t id,
                           const char *hash);
/* Fills kp with the stored posts among the entries of doc.  A key JSON
 * cannot carry (not UTF-8) leaves kp empty: each entry is then looked up
 * by itself.  Returns 0 or a negative errno (recorded). */
int store_known_posts_load(struct store *st, const struct feed_doc *doc,
                           int64_t account_id, struct known_posts *kp);

/* ---- store_amplification.c: counters and forwards of a poll -------- */

/* Within store_record_poll()'s transaction: the post_metrics rows of the
 * poll's recent entries whose counters changed, and the reposts of the
 * Telegram forwards among them (poll->amplification_since).  Returns 0
 * or a negative errno (recorded). */
int store_amp_record_poll(struct store *st, const struct store_poll *poll,
                          int64_t account_id, int64_t now);
/* ---- store_pages.c: html: article pages ------------------------------ */

/* Writes poll->pages into html_pages (inside the poll's transaction); an
 * article found gone marks its posts deleted, counted in c. */
int store_pages_record(struct store *st, const struct store_poll *poll,
                       int64_t account_id, int64_t now,
                       struct store_poll_counts *c);
/* ---- store_narratives.c ---------------------------------------------- */

/* Finalises its statements and frees the narratives (store_close). */
void store_narratives_close(struct store *st);

#endif
