/*
 * store_seen.c — what a paged source needs to know before it asks for an
 * older page: whether the feed has stored anything yet (a first poll reads
 * [poll] backfill posts), and how many posts of a page are already in the
 * log (a later poll stops paging back at the first known one).  Also the
 * account's name from the source when the config gives none.  Read-only
 * but for that name; outside the poll's transaction, which they precede.
 */
#include "store.h"

#include <errno.h>
#include <stdlib.h>

#include "db.h"
#include "feed.h"
#include "store_int.h"

int store_feed_has_posts(struct store *st, int64_t feed_id)
{
	struct db_stmt *s = NULL;
	int rc;

	rc = db_prepare(store_conn(st),
	                "SELECT 1 FROM posts WHERE feed_id = ?1 LIMIT 1", &s);
	if (rc < 0)
		return store_fail_db(st, rc, "feed posts");
	db_bind_int64(s, 1, feed_id);
	rc = db_step(s);
	if (rc == DB_ROW)
		rc = 1;
	else if (rc == DB_DONE)
		rc = 0;
	else
		rc = store_fail_db(st, rc, "feed posts");
	db_finalize(s);
	return rc;
}

int store_count_known(struct store *st, int64_t account_id,
                      const struct feed_doc *doc, size_t *n_known)
{
	struct known_posts kp;
	int rc;

	*n_known = 0;
	rc = store_known_posts_load(st, doc, account_id, &kp);
	if (rc < 0)
		return rc;
	if (kp.by_key)
		*n_known = kp.n;
	store_known_posts_free(&kp);
	return 0;
}

int store_fill_account_name(struct store *st, int64_t account_id,
                            const char *name)
{
	struct db_stmt *s = NULL;
	int rc;

	if (!name || !*name)
		return 0;
	rc = db_prepare(store_conn(st),
	                "UPDATE accounts SET name = ?1 WHERE id = ?2"
	                " AND (name IS NULL OR name = '')",
	                &s);
	if (rc < 0)
		return store_fail_db(st, rc, "account name");
	db_bind_text(s, 1, name);
	db_bind_int64(s, 2, account_id);
	rc = db_step(s);
	rc = rc == DB_DONE ? 0 : store_fail_db(st, rc, "account name");
	db_finalize(s);
	return rc;
}
