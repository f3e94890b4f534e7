/*
 * store_versions.h — the statement record inside the store: every wording
 * of a post (post_versions, with the categories each superseded wording
 * had in post_version_categories), and the posts that vanished upstream
 * (posts.deleted_seen, post_deletions).  Called by store.c within the
 * transaction of store_record_poll(); not for other modules.  Like the
 * store it does not log: failures come back as negative errno values with
 * a message in the err buffer given to store_versions_new().
 */
#ifndef DEMARCHE_STORE_VERSIONS_H
#define DEMARCHE_STORE_VERSIONS_H

#include <stddef.h>
#include <stdint.h>

struct db;
struct store_versions; /* opaque: the statements, prepared on first use */

/* Past this many versions a post keeps only the first, the last and one
 * per hour; past STORE_VERSIONS_MAX only the first 999 and the last. */
#define STORE_VERSIONS_HOURLY 100
#define STORE_VERSIONS_MAX    1000

/* Returns a *new* set of statements on db (borrowed, must outlive it), with
 * failures described in err (errlen bytes, borrowed), or NULL on OOM. */
struct store_versions *store_versions_new(struct db *db, char *err,
                                          size_t errlen);
void store_versions_free(struct store_versions *v);

/* Version 1 of a post just stored.  Returns 0 or a negative errno. */
int store_versions_first(struct store_versions *v, int64_t post_id,
                         const char *title, const char *text, const char *hash,
                         int64_t seen);

/* An edit of post_id seen at seen: the wording it replaces keeps its
 * categories (copied from post_categories, which the caller then
 * rewrites), the new wording becomes the next version, and a long history
 * is thinned (see above).  Returns the number of versions dropped by the
 * thinning (0 mostly), or a negative errno. */
int store_versions_edit(struct store_versions *v, int64_t post_id,
                        const char *title, const char *text, const char *hash,
                        int64_t seen);

/* The account's posts marked deleted that a poll served again (keys_json:
 * a JSON array of the stable keys it returned) are live again: the mark is
 * cleared and the return recorded in post_deletions.  Returns how many, or
 * a negative errno. */
int store_versions_returns(struct store_versions *v, int64_t account_id,
                           const char *keys_json, int64_t now);

/* Marks deleted the live posts last seen in feed_id that the poll did not
 * return (keys_json: a JSON array of the stable keys it returned) although
 * it returned posts both older and newer (by report_time, reposts not
 * counting as bounds).  Returns how many were marked, or a negative
 * errno. */
int store_versions_deletions(struct store_versions *v, int64_t account_id,
                             int64_t feed_id, const char *keys_json,
                             int64_t now);

#endif
