/*
 * store_alerts.c — the queue of narrative alerts (narrative_alerts,
 * schema 0015) as the sender works through it.  An alert is claimed with
 * a lease before it is sent (an UPDATE of one due row that only one
 * sender can win, on either backend), and its outcome recorded with the
 * channels that took it, so a retry sends only through the channels that
 * failed: a failed delivery is tried again, a delivered one never.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"
#include "store_narratives.h"
#include "util.h"

#define DUE                                                               \
	"((status = 'pending' AND next_try <= ?2) OR (status = 'sending'" \
	" AND lease_until < ?2))"

void store_alert_clear(struct store_alert *a)
{
	free(a->kind);
	free(a->narrative);
	free(a->day);
	free(a->account);
	free(a->url);
	free(a->text);
	memset(a, 0, sizeof(*a));
}

int store_alerts_due(struct store *st, int64_t now, int64_t *n)
{
	struct db_stmt *s = NULL;
	int rc;

	*n = 0;
	rc = store_prepare(st,
	                   "SELECT count(*) FROM narrative_alerts WHERE"
	                   " ?1 = ?1 AND " DUE,
	                   &s);
	if (rc < 0)
		return rc;
	db_bind_int64(s, 1, 0);
	db_bind_int64(s, 2, now);
	rc = db_step(s);
	if (rc == DB_ROW)
		*n = db_column_int64(s, 0);
	db_finalize(s);
	return rc < 0 ? store_fail_db(st, rc, "alerts due") : 0;
}

/* Reads alert id with its post into *out. */
static int read_alert(struct store *st, int64_t id, struct store_alert *out)
{
	struct db_stmt *s = NULL;
	int rc;

	rc = store_prepare(
	    st,
	    "SELECT a.kind, a.narrative, a.day, a.day_count, a.mean,"
	    " a.channels_done, a.attempts, ac.handle, p.url, p.text,"
	    " p.report_time FROM narrative_alerts a LEFT JOIN posts p"
	    " ON p.id = a.post_id LEFT JOIN accounts ac ON ac.id = p.account_id"
	    " WHERE a.id = ?1",
	    &s);
	if (rc < 0)
		return rc;
	db_bind_int64(s, 1, id);
	rc = db_step(s);
	if (rc != DB_ROW) {
		db_finalize(s);
		return rc < 0 ? store_fail_db(st, rc, "alert") : -ENOENT;
	}
	out->id = id;
	out->day_count = db_column_null(s, 3) ? 0 : db_column_int64(s, 3);
	out->mean = db_column_null(s, 4) ? 0 : db_column_double(s, 4);
	out->channels_done = db_column_int(s, 5);
	out->attempts = db_column_int(s, 6);
	out->time = db_column_null(s, 10) ? 0 : db_column_int64(s, 10);
	rc = store_dup_column(s, 0, &out->kind);
	if (rc == 0)
		rc = store_dup_column(s, 1, &out->narrative);
	if (rc == 0)
		rc = store_dup_column(s, 2, &out->day);
	if (rc == 0)
		rc = store_dup_column(s, 7, &out->account);
	if (rc == 0)
		rc = store_dup_column(s, 8, &out->url);
	if (rc == 0)
		rc = store_dup_column(s, 9, &out->text);
	db_finalize(s);
	if (rc < 0) {
		store_alert_clear(out);
		store_set_err(st, "alert: out of memory");
	}
	return rc;
}

int store_alert_claim(struct store *st, const char *owner, int64_t now,
                      int lease, struct store_alert *out)
{
	struct db_stmt *s = NULL;
	int64_t id;
	int rc;

	memset(out, 0, sizeof(*out));
	/* The inner SELECT picks a candidate; the outer WHERE checks it
	 * again on the row itself, so of two senders racing for one alert
	 * only one updates it (PostgreSQL re-reads a row another
	 * transaction changed before applying an UPDATE's WHERE). */
	rc = store_prepare(st,
	                   "UPDATE narrative_alerts SET status = 'sending',"
	                   " lease_owner = ?1, lease_until = ?2 + ?3,"
	                   " attempts = attempts + 1 WHERE id = (SELECT id"
	                   " FROM narrative_alerts WHERE " DUE
	                   " ORDER BY id LIMIT 1) AND " DUE " RETURNING id",
	                   &s);
	if (rc < 0)
		return rc;
	store_bind_text(s, 1, owner);
	db_bind_int64(s, 2, now);
	db_bind_int64(s, 3, lease);
	rc = db_step(s);
	id = rc == DB_ROW ? db_column_int64(s, 0) : 0;
	if (rc == DB_ROW)
		rc = db_step(s);
	db_finalize(s);
	if (rc < 0)
		return store_fail_db(st, rc, "alert claim");
	if (id == 0)
		return 0;
	rc = read_alert(st, id, out);
	return rc < 0 ? rc : 1;
}

int store_alert_done(struct store *st, int64_t id, int channels_done,
                     bool delivered, int64_t next_try, const char *error,
                     int64_t now)
{
	struct db_stmt *s = NULL;
	const char *status = delivered      ? "delivered"
	                     : next_try > 0 ? "pending"
	                                    : "failed";
	int rc;

	rc = store_prepare(st,
	                   "UPDATE narrative_alerts SET status = ?2,"
	                   " channels_done = channels_done | ?3,"
	                   " next_try = CASE WHEN ?4 > 0 THEN ?4 ELSE"
	                   " next_try END, lease_owner = NULL,"
	                   " lease_until = NULL, error = ?5,"
	                   " finished = CASE WHEN ?2 = 'pending' THEN NULL"
	                   " ELSE ?6 END WHERE id = ?1",
	                   &s);
	if (rc < 0)
		return rc;
	db_bind_int64(s, 1, id);
	store_bind_text(s, 2, status);
	db_bind_int64(s, 3, channels_done);
	db_bind_int64(s, 4, next_try);
	store_bind_text(s, 5, error);
	db_bind_int64(s, 6, now);
	rc = store_stmt_done(st, s, "alert outcome");
	db_finalize(s);
	return rc;
}
