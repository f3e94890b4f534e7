/*
 * store.h — the log, in SQLite (a file path) or PostgreSQL (a
 * postgresql:// URL), through the SQL layer of db.h.  store_open() applies
 * the numbered migrations of schema/ or schema/pg/ (embedded at build
 * time); SQLite runs in WAL mode with foreign keys and a busy timeout.
 * Everything one poll produces — its fetch record, new and edited posts,
 * their categories and the feed's new validators and health — is written
 * by store_record_poll() in a single transaction, so a crash loses or
 * duplicates nothing.  On PostgreSQL several daemons may share the feeds
 * (store_claim_feed).  The store does not log; errors come back as
 * negative errno codes with a message.
 */
#ifndef DEMARCHE_STORE_H
#define DEMARCHE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "classify.h"
#include "config.h"
#include "feed.h"

struct store; /* opaque */
struct db;

/* Opens (creating if needed) and migrates the database at path.  Returns 0
 * and a *new* store, or a negative errno with a message in err. */
int store_open(const char *path, struct store **out, char *err, size_t errlen);
/* Opens an existing database without migrating, for reading (CLI). */
int store_open_readonly(const char *path, struct store **out, char *err,
                        size_t errlen);
void store_close(struct store *st);
/* The schema version the database is at, and the newest this build knows. */
int store_schema_version(struct store *st);
int store_schema_latest(void);
/* The message of the last failure on st (borrowed). */
const char *store_errmsg(struct store *st);
/* The underlying connection, for queries of their own (reports,
 * reclassify), on either backend (see db.h).  Borrowed. */
struct db *store_conn(struct store *st);

/* What the poller needs to remember about a feed between polls. */
struct store_feed_state {
	int64_t feed_id;
	int64_t account_id;
	char *url;           /* current URL: the configured one, or where a
	                      * permanent redirect moved it */
	char *etag;          /* or NULL */
	char *last_modified; /* or NULL */
	int64_t next_poll;   /* UTC epoch seconds; 0 = poll now */
	int consecutive_failures;
	bool disabled; /* 410 Gone seen */
};
void store_feed_state_clear(struct store_feed_state *fs);

/* The config's database, checked without opening it (db_check_target):
 * 0, or a negative errno with "FILE:LINE: database ...: why" in msg (FILE
 * as the user named it).  A
 * PostgreSQL URL is not quoted (it may hold a password). */
int store_check_config_target(const struct config *cfg, const char *file,
                              char *msg, size_t len);
/*
 * Brings accounts and feeds in line with the config: inserts new ones,
 * updates names/roles/countries/created, marks feeds no longer configured
 * as inactive (their posts stay).  Returns 0 or a negative errno.
 */
int store_sync_config(struct store *st, const struct config *cfg);
/* Loads the state of the configured feed (account key + configured URL).
 * Returns 0, -ENOENT when unknown, or a negative errno. */
int store_feed_state(struct store *st, const char *account_key,
                     const char *configured_url, struct store_feed_state *out);

/* An article page of an html: feed (store_pages.c, html_pages): what a
 * poll fetched or is to fetch. */
struct store_html_page {
	char *url;
	char *etag, *last_modified; /* validators: stored ones before the
	                             * fetch, the answer's after it */
	int status;                 /* this poll's answer; 0 for none */
	bool fresh;                 /* its first fetch (a new link) */
};

/* One finished poll, as store_record_poll() writes it. */
struct store_poll {
	int64_t feed_id;
	int64_t started_us; /* UTC epoch microseconds */
	int64_t duration_ms;
	int http_status;   /* 0 when no response */
	size_t bytes;      /* body bytes received */
	const char *error; /* NULL on success, else why it failed */
	/* Why the document is not whole (feed_doc.fault, or a transfer cut
	 * short), or NULL.  Such a poll adds only the entries it read whole,
	 * edits nothing and marks nothing deleted; fetches.warning keeps it. */
	const char *warning;
	bool not_modified; /* 304 */
	bool gone;         /* 410: disable the feed */
	const char *etag;  /* validators to keep (NULL = clear) */
	const char *last_modified;
	const char *new_url;        /* permanent redirect target, or NULL */
	int64_t next_poll;          /* when to poll again, UTC epoch seconds */
	const struct feed_doc *doc; /* NULL unless parsed */
	const struct classify_result *results; /* doc->n_entries of them */
	const char *rules_version;
	/* Amplification watch ([poll] amplification): the entries published
	 * since this time (UTC epoch s) get their counters recorded in
	 * post_metrics and their Telegram forwards in reposts; 0: none. */
	int64_t amplification_since;
	/* The doc holds only some of the feed's posts, not its window (an
	 * html: poll's articles): nothing is marked deleted from it. */
	bool not_window;
	/* html: the article pages this poll fetched, recorded in
	 * html_pages in the same transaction. */
	const struct store_html_page *pages;
	size_t n_pages;
};

/* Counts of what store_record_poll() changed. */
struct store_poll_counts {
	int new_posts;
	int edited_posts;
	int deleted_posts;    /* marked deleted by this poll */
	int returned_posts;   /* marked deleted before, served again */
	int versions_dropped; /* by the thinning of long histories */
};

/* Writes the poll in one transaction (fetch row, posts, categories,
 * account snapshot, feed validators and health).  Returns 0 or a negative
 * errno; on error nothing of the poll is written. */
int store_record_poll(struct store *st, const struct store_poll *poll,
                      struct store_poll_counts *counts);

/*
 * Several daemons on one database.  store_shared() is true when the
 * backend lets several instances poll the same feeds (PostgreSQL); the
 * poller then polls a feed only after store_claim_feed() won it.  The
 * claim is a lease on the feed's row for lease_seconds, taken when the
 * feed is due (next_poll <= now, or, for a --once run that began at
 * polled_before > 0, when nobody polled it after that second: times are
 * whole seconds, so a poll that ended in the second the run began may be
 * an earlier run's and is polled again) and no other instance's
 * lease is running; store_record_poll() ends it.  A dead instance's
 * leases simply run out.
 * Returns 1 when claimed (*state refreshed from the database: another
 * instance may have polled the feed since), 0 when not, with *due_at the
 * time to ask again (UTC epoch seconds; 0: a --once run has nothing left
 * to do, another instance polled the feed after the second the run
 * began), or a
 * negative errno.
 */
bool store_shared(struct store *st);
/* The scheduled report of slot is sent by one instance only: the first to
 * claim it (a report_deliveries row, status 'failed' with error
 * "in progress on OWNER" until the sender records the outcome).  Returns 1
 * when this instance is to send it (always on SQLite), 0 when another
 * instance has it, or a negative errno. */
int store_claim_report(struct store *st, int64_t slot, int64_t from, int64_t to,
                       const char *owner);
int store_claim_feed(struct store *st, int64_t feed_id, const char *owner,
                     int64_t now, int lease_seconds, int64_t polled_before,
                     struct store_feed_state *state, int64_t *due_at);
/* Ends owner's lease on a feed whose poll will not be recorded (abandoned
 * at shutdown, or the feed left the config meanwhile), so that another
 * instance need not wait for it to run out.  A no-op on SQLite. */
int store_unclaim_feed(struct store *st, int64_t feed_id, const char *owner);

/* Paged sources (store_seen.c).  Whether the feed has any post stored:
 * 1, 0, or a negative errno. */
int store_feed_has_posts(struct store *st, int64_t feed_id);
/* How many entries of doc the account's log already holds (*n_known).
 * Returns 0 or a negative errno. */
int store_count_known(struct store *st, int64_t account_id,
                      const struct feed_doc *doc, size_t *n_known);
/* Gives the account the source's name when the config left it without
 * one.  Returns 0 or a negative errno. */
int store_fill_account_name(struct store *st, int64_t account_id,
                            const char *name);

/* ---- the amplification watch (store_amplification.c) ---- */

struct reposter;

/* A recent post whose reposters the watch asks for. */
struct store_amp_post {
	int64_t post_id;
	char *key; /* posts.stable_key: Bluesky's at:// URI, Mastodon's id */
	int64_t reposters; /* reposters stored so far */
};
/* The posts of feed_id published (or, without a date, first seen) since
 * since, not reposts nor deleted, newest first, at most max.  Returns 0 and
 * a *new* array (store_amp_posts_free), or a negative errno (recorded). */
int store_amp_recent(struct store *st, int64_t feed_id, int64_t since,
                     size_t max, struct store_amp_post **out, size_t *n);
void store_amp_posts_free(struct store_amp_post *posts, size_t n);
/* Records the reposters rs[0..n) of post_id seen at now in one
 * transaction: new (post, actor) rows, the existing ones untouched; the
 * reposters whose handle or name marks them as state accounts join the
 * candidates.  *added counts the new rows.  Returns 0 or a negative errno
 * (recorded; nothing written). */
int store_amp_put_reposters(struct store *st, int64_t post_id,
                            const struct reposter *rs, size_t n, int64_t now,
                            int *added);
/* html: feeds (store_pages.c).  Whether the feed's article at url was
 * fetched before: 1, 0, or a negative errno. */
int store_html_page_known(struct store *st, int64_t feed_id, const char *url);
/* The feed's articles still re-read for edits: first fetched at or after
 * since, with validators, not found gone; at most max, the longest
 * unasked first, as *new* pages (status 0, not fresh).  0 or -errno. */
int store_html_pages_due(struct store *st, int64_t feed_id, int64_t since,
                         size_t max, struct store_html_page **out, size_t *n);
void store_html_pages_free(struct store_html_page *pages, size_t n);

/* A post a poll marked deleted (it left the middle of the window),
 * to ask the source about (store_pages.c). */
struct store_suspect {
	int64_t post_id;
	char *key;  /* posts.stable_key */
	int answer; /* set by the caller: 1 gone, 0 still served, -1 unsure
	             * (asked again next poll), -2 cannot be asked (a
	             * repost's key: checked, never asked again) */
};
/* The feed's deletions not yet checked with the source, newest first,
 * at most max, as *new* suspects (answer -1).  Returns 0 or -errno. */
int store_deletion_suspects(struct store *st, int64_t feed_id, size_t max,
                            struct store_suspect **out, size_t *n);
/* Records the answers (all but -1) in one transaction: a gone post's
 * deletion is confirmed; a served one's is refuted, returned at now, and
 * the post is live again; one that cannot be asked is marked checked.
 * Returns 0 or a negative errno. */
int store_record_answers(struct store *st, const struct store_suspect *sus,
                         size_t n, int64_t now);
void store_suspects_free(struct store_suspect *sus, size_t n);

#endif
