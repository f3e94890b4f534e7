/*
 * store_claim.c — several daemons sharing one PostgreSQL database: a
 * daemon claims a feed (a lease in feeds.lease_owner / lease_until) before
 * it polls it, hands it back when the poll will not happen, and claims a
 * scheduled report before it sends it, so no feed is polled twice in one
 * interval and no report goes out twice.  On SQLite, one daemon per file,
 * every claim is granted.
 */
#include "store_int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "util.h"

bool store_shared(struct store *st)
{
	return db_dialect(st->db) == DB_POSTGRES;
}

/* Why a claim was refused, as the time to ask again: when the other
 * instance's lease ends, when the feed is next due, 0 when a --once run
 * has nothing left to do (another instance polled the feed since the run
 * began), or in a second when the row was only locked for a moment. */
static int claim_refused(struct store *st, int64_t feed_id, int64_t now,
                         int lease_seconds, int64_t polled_before,
                         int64_t *due_at)
{
	struct db_stmt *s;
	int rc = 0;

	*due_at = now + lease_seconds;
	s = store_stmt_get(st, STMT_FEED_DUE, &rc);
	if (!s)
		return rc;
	db_bind_int64(s, 1, feed_id);
	rc = db_step(s);
	if (rc == DB_ROW) {
		int64_t next = db_column_int64(s, 0);
		int64_t until =
		    db_column_null(s, 1) ? 0 : db_column_int64(s, 1);
		int64_t last = db_column_null(s, 2) ? 0 : db_column_int64(s, 2);

		if (until > now)
			*due_at = until;
		else if (polled_before > 0 && last > polled_before)
			*due_at = 0;
		else if (polled_before == 0 && next > now)
			*due_at = next;
		else
			*due_at = now + 1;
	}
	db_reset(s);
	if (rc < 0)
		return store_fail_db(st, rc, "feed due");
	return 0;
}

int store_unclaim_feed(struct store *st, int64_t feed_id, const char *owner)
{
	struct db_stmt *s;
	int rc = 0;

	if (!store_shared(st))
		return 0;
	s = store_stmt_get(st, STMT_FEED_UNCLAIM, &rc);
	if (!s)
		return rc;
	db_bind_int64(s, 1, feed_id);
	store_bind_text(s, 2, owner);
	return store_stmt_done(st, s, "feed unclaim");
}

int store_claim_feed(struct store *st, int64_t feed_id, const char *owner,
                     int64_t now, int lease_seconds, int64_t polled_before,
                     struct store_feed_state *state, int64_t *due_at)
{
	struct store_feed_state fresh = {0};
	struct db_stmt *s;
	int rc = 0;

	*due_at = 0;
	if (!store_shared(st))
		return 1; /* one daemon per file: every feed is ours */
	s = store_stmt_get(st, STMT_FEED_CLAIM, &rc);
	if (!s)
		return rc;
	db_bind_int64(s, 1, feed_id);
	store_bind_text(s, 2, owner);
	db_bind_int64(s, 3, now);
	db_bind_int64(s, 4, lease_seconds);
	db_bind_int64(s, 5, polled_before);
	rc = db_step(s);
	if (rc < 0) {
		rc = store_fail_db(st, rc, "feed claim");
		db_reset(s);
		return rc;
	}
	if (rc == DB_DONE) {
		db_reset(s);
		return claim_refused(st, feed_id, now, lease_seconds,
		                     polled_before, due_at);
	}
	fresh.feed_id = feed_id;
	fresh.account_id = db_column_int64(s, 0);
	fresh.next_poll = db_column_int64(s, 4);
	fresh.consecutive_failures = db_column_int(s, 5);
	fresh.disabled = db_column_int(s, 6) != 0;
	rc = store_dup_column(s, 1, &fresh.url);
	if (rc == 0)
		rc = store_dup_column(s, 2, &fresh.etag);
	if (rc == 0)
		rc = store_dup_column(s, 3, &fresh.last_modified);
	db_reset(s);
	if (rc < 0) {
		store_set_err(st, "feed claim: out of memory");
		store_feed_state_clear(&fresh);
		return rc;
	}
	store_feed_state_clear(state);
	*state = fresh;
	return 1;
}

int store_claim_report(struct store *st, int64_t slot, int64_t from, int64_t to,
                       const char *owner)
{
	static const char sql[] =
	    "INSERT INTO report_deliveries (slot, period_from, period_to,"
	    " status, attempts, finished, error) VALUES (?1, ?2, ?3, 'failed',"
	    " 0, ?4, 'in progress on ' || ?5) ON CONFLICT (slot) DO NOTHING"
	    " RETURNING id";
	struct db_stmt *s = NULL;
	int rc;

	if (!store_shared(st))
		return 1;
	rc = store_prepare(st, sql, &s);
	if (rc < 0)
		return rc;
	db_bind_int64(s, 1, slot);
	db_bind_int64(s, 2, from);
	db_bind_int64(s, 3, to);
	db_bind_int64(s, 4, util_now());
	store_bind_text(s, 5, owner);
	rc = db_step(s);
	if (rc < 0)
		rc = store_fail_db(st, rc, "report claim");
	else
		rc = rc == DB_ROW ? 1 : 0;
	db_finalize(s);
	return rc;
}
