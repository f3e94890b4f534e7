/*
 * store_amplification.c — the log's side of the amplification watch
 * ([poll] amplification = yes, schema/0012_amplification.sql).
 *
 * Three writers: a poll's recent entries leave a post_metrics row when
 * their counters (views, reposts, likes, replies) differ from the post's
 * last row; a Telegram forward in a tracked channel becomes a reposts row
 * of the forwarded post when that post is in the log (else of the forward
 * itself, so the forwarding channel is still counted as an amplifier);
 * and the reposter lists that fetch/amplification.c reads from the APIs
 * become reposts rows, one per post and actor, first_seen being the check
 * that first listed it (the APIs give no repost times).  Reposters whose
 * handle or name marks them as state accounts join the candidates.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "candidates.h"
#include "reposters.h"
#include "store.h"
#include "store_int.h"
#include "util.h"

static const char sql_post_of_key[] =
    "SELECT id FROM posts WHERE account_id = ?1 AND stable_key = ?2";
static const char sql_metrics_last[] =
    "SELECT views, reposts, likes, replies FROM post_metrics"
    " WHERE post_id = ?1 ORDER BY seen DESC LIMIT 1";
static const char sql_metrics_insert[] =
    "INSERT INTO post_metrics (post_id, seen, views, reposts, likes,"
    " replies) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
    " ON CONFLICT (post_id, seen) DO UPDATE SET views = excluded.views,"
    " reposts = excluded.reposts, likes = excluded.likes,"
    " replies = excluded.replies";
/* The forwarded post, among the posts of tracked Telegram channels: the
 * feeds table is small, and each account's posts are found by the unique
 * (account_id, stable_key) index. */
static const char sql_forwarded[] =
    "SELECT p.id FROM feeds f JOIN posts p ON p.account_id = f.account_id"
    " AND p.stable_key = ?1 WHERE f.configured_url LIKE 'telegram:%'"
    " LIMIT 1";
static const char sql_repost_insert[] =
    "INSERT INTO reposts (post_id, actor, actor_name, actor_created,"
    " actor_followers, first_seen) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
    " ON CONFLICT (post_id, actor) DO NOTHING";

/* The statements of one poll's pass, prepared once. */
struct amp_stmts {
	struct db_stmt *post, *last, *insert, *forwarded, *repost;
};

static void amp_stmts_free(struct amp_stmts *s)
{
	db_finalize(s->post);
	db_finalize(s->last);
	db_finalize(s->insert);
	db_finalize(s->forwarded);
	db_finalize(s->repost);
	memset(s, 0, sizeof(*s));
}

static int amp_stmts_prepare(struct store *st, struct amp_stmts *s)
{
	int rc;

	memset(s, 0, sizeof(*s));
	rc = store_prepare(st, sql_post_of_key, &s->post);
	if (rc == 0)
		rc = store_prepare(st, sql_metrics_last, &s->last);
	if (rc == 0)
		rc = store_prepare(st, sql_metrics_insert, &s->insert);
	if (rc == 0)
		rc = store_prepare(st, sql_forwarded, &s->forwarded);
	if (rc == 0)
		rc = store_prepare(st, sql_repost_insert, &s->repost);
	if (rc < 0)
		amp_stmts_free(s);
	return rc;
}

static void amp_bind_opt(struct db_stmt *s, int i, int64_t v)
{
	if (v < 0)
		db_bind_null(s, i);
	else
		db_bind_int64(s, i, v);
}

static void amp_bind_time(struct db_stmt *s, int i, int64_t t)
{
	if (t == TIME_UNKNOWN)
		db_bind_null(s, i);
	else
		db_bind_int64(s, i, t);
}

/* One row of a one-column query: 1 with *id, 0 when none, or an error. */
static int amp_one_id(struct store *st, struct db_stmt *s, int64_t *id,
                      const char *what)
{
	int rc = db_step(s);

	if (rc == DB_ROW) {
		*id = db_column_int64(s, 0);
		rc = 1;
	} else if (rc == DB_DONE) {
		rc = 0;
	} else {
		rc = store_fail_db(st, rc, what);
	}
	db_reset(s);
	db_clear_bindings(s);
	return rc;
}

/* Whether column col of the last row differs from v (-1: not given). */
static bool amp_differs(struct db_stmt *last, int col, int64_t v)
{
	if (db_column_null(last, col))
		return v >= 0;
	return v != db_column_int64(last, col);
}

/* A post_metrics row for post_id when its counters changed. */
static int amp_metrics(struct store *st, struct amp_stmts *s, int64_t post_id,
                       const int64_t v[4], int64_t now)
{
	bool changed = true;
	int rc, i;

	db_bind_int64(s->last, 1, post_id);
	rc = db_step(s->last);
	if (rc == DB_ROW) {
		changed = false;
		for (i = 0; i < 4 && !changed; i++)
			changed = amp_differs(s->last, i, v[i]);
	} else if (rc != DB_DONE) {
		rc = store_fail_db(st, rc, "post_metrics lookup");
		db_reset(s->last);
		return rc;
	}
	db_reset(s->last);
	db_clear_bindings(s->last);
	if (!changed)
		return 0;
	db_bind_int64(s->insert, 1, post_id);
	db_bind_int64(s->insert, 2, now);
	for (i = 0; i < 4; i++)
		amp_bind_opt(s->insert, 3 + i, v[i]);
	return store_stmt_done(st, s->insert, "post_metrics insert");
}

/* The channel part of a Telegram key "CHANNEL/ID" into out. */
static void amp_channel(const char *key, char *out, size_t len)
{
	snprintf(out, len, "%s", key);
	out[strcspn(out, "/")] = '\0';
}

/* A forward of a tracked channel (post_id, entry e): a repost of the
 * forwarded post when it is in the log, else of the forward itself. */
static int amp_forward(struct store *st, struct amp_stmts *s,
                       const struct feed_doc *doc, const struct feed_entry *e,
                       int64_t post_id, int64_t now)
{
	char actor[CANDIDATES_HANDLE_MAX];
	int64_t target = post_id;
	int rc;

	amp_channel(e->id, actor, sizeof(actor));
	if (!*actor)
		return 0;
	if (e->forward_of) {
		store_bind_text(s->forwarded, 1, e->forward_of);
		rc = amp_one_id(st, s->forwarded, &target, "forwarded post");
		if (rc < 0)
			return rc;
		if (rc == 0)
			target = post_id;
	}
	db_bind_int64(s->repost, 1, target);
	store_bind_text(s->repost, 2, actor);
	store_bind_text(s->repost, 3, doc->title);
	db_bind_null(s->repost, 4);
	amp_bind_opt(s->repost, 5,
	             doc->has_account ? doc->account.followers : -1);
	db_bind_int64(s->repost, 6, now);
	return store_stmt_done(st, s->repost, "forward repost");
}

/* The counters entry e gives, or false when it gives none. */
static bool amp_counters(const struct feed_entry *e, int64_t v[4])
{
	v[0] = e->views > 0 ? e->views : -1;
	v[1] = e->has_counts ? e->reposts : -1;
	v[2] = e->has_counts ? e->likes : -1;
	v[3] = e->has_counts ? e->replies : -1;
	return v[0] >= 0 || v[1] >= 0 || v[2] >= 0 || v[3] >= 0;
}

int store_amp_record_poll(struct store *st, const struct store_poll *poll,
                          int64_t account_id, int64_t now)
{
	const struct feed_doc *doc = poll->doc;
	struct amp_stmts s;
	size_t i;
	int rc;

	rc = amp_stmts_prepare(st, &s);
	for (i = 0; rc == 0 && i < doc->n_entries; i++) {
		const struct feed_entry *e = &doc->entries[i];
		bool forward =
		    doc->format == FEED_FORMAT_TELEGRAM && e->is_repost;
		int64_t v[4], post_id = 0;

		if (e->published == TIME_UNKNOWN ||
		    e->published < poll->amplification_since ||
		    (poll->warning && e->partial))
			continue;
		if (!amp_counters(e, v) && !forward)
			continue;
		db_bind_int64(s.post, 1, account_id);
		store_bind_text(s.post, 2, e->id);
		rc = amp_one_id(st, s.post, &post_id, "post lookup");
		if (rc <= 0)
			continue; /* not stored (or an error, ending the loop)
			           */
		rc = 0;
		if (amp_counters(e, v))
			rc = amp_metrics(st, &s, post_id, v, now);
		if (rc == 0 && forward)
			rc = amp_forward(st, &s, doc, e, post_id, now);
	}
	amp_stmts_free(&s);
	return rc;
}

/* ---- the reposter lists of the APIs ---- */

int store_amp_recent(struct store *st, int64_t feed_id, int64_t since,
                     size_t max, struct store_amp_post **out, size_t *n)
{
	static const char sql[] =
	    "SELECT p.id, p.stable_key,"
	    " (SELECT count(*) FROM reposts r WHERE r.post_id = p.id)"
	    " FROM posts p WHERE p.feed_id = ?1 AND p.is_repost = 0"
	    " AND p.deleted_seen IS NULL AND p.report_time >= ?2"
	    " ORDER BY p.report_time DESC, p.id DESC LIMIT ?3";
	struct store_amp_post *v = NULL, *grown;
	struct db_stmt *s;
	size_t len = 0;
	int rc;

	*out = NULL;
	*n = 0;
	rc = store_prepare(st, sql, &s);
	if (rc < 0)
		return rc;
	db_bind_int64(s, 1, feed_id);
	db_bind_int64(s, 2, since);
	db_bind_int64(s, 3, (int64_t)max);
	while ((rc = db_step(s)) == DB_ROW) {
		grown = realloc(v, (len + 1) * sizeof(*v));
		if (!grown) {
			rc = -ENOMEM;
			break;
		}
		v = grown;
		v[len].post_id = db_column_int64(s, 0);
		v[len].reposters = db_column_int64(s, 2);
		if (store_dup_column(s, 1, &v[len].key) < 0 || !v[len].key) {
			rc = -ENOMEM;
			break;
		}
		len++;
	}
	db_finalize(s);
	if (rc != DB_DONE) {
		store_amp_posts_free(v, len);
		if (rc == -ENOMEM) {
			store_set_err(st, "out of memory");
			return rc;
		}
		return store_fail_db(st, rc, "recent posts");
	}
	*out = v;
	*n = len;
	return 0;
}

void store_amp_posts_free(struct store_amp_post *posts, size_t n)
{
	size_t i;

	for (i = 0; posts && i < n; i++)
		free(posts[i].key);
	free(posts);
}

/* A reposter marked as a state account joins the candidates, named by the
 * post it amplified (kind 'repost': it reposted a tracked account). */
static int amp_candidate(struct store *st, const struct reposter *r,
                         int64_t post_id, int64_t now)
{
	const char *marker = candidates_marker(r->actor);
	char local[CANDIDATES_HANDLE_MAX];
	struct db_stmt *s;
	int rc = 0;

	if (!marker && r->name)
		marker = candidates_marker(r->name);
	if (!marker || strlen(r->actor) >= CANDIDATES_HANDLE_MAX)
		return 0;
	snprintf(local, sizeof(local), "%s", r->actor);
	local[strcspn(local, "@")] = '\0';
	s = store_stmt_get(st, STMT_CANDIDATE, &rc);
	if (!s)
		return rc;
	store_bind_text(s, 1, r->actor);
	store_bind_text(s, 2, r->name);
	store_bind_text(s, 3, marker);
	store_bind_text(s, 4, "repost");
	db_bind_int64(s, 5, now);
	db_bind_null(s, 6);
	db_bind_int64(s, 7, post_id);
	store_bind_text(s, 8, local);
	return store_stmt_done(st, s, "candidate");
}

int store_amp_put_reposters(struct store *st, int64_t post_id,
                            const struct reposter *rs, size_t n, int64_t now,
                            int *added)
{
	struct db_stmt *s = NULL;
	size_t i;
	int rc;

	*added = 0;
	rc = db_begin(store_conn(st));
	if (rc < 0)
		return store_fail_db(st, rc, "reposts");
	rc = store_prepare(st, sql_repost_insert, &s);
	for (i = 0; rc == 0 && i < n; i++) {
		db_bind_int64(s, 1, post_id);
		store_bind_text(s, 2, rs[i].actor);
		store_bind_text(s, 3, rs[i].name);
		amp_bind_time(s, 4, rs[i].created);
		amp_bind_opt(s, 5, rs[i].followers);
		db_bind_int64(s, 6, now);
		rc = store_stmt_done(st, s, "repost insert");
		if (rc < 0)
			break;
		if (db_changes(store_conn(st)) > 0) {
			(*added)++;
			rc = amp_candidate(st, &rs[i], post_id, now);
		}
	}
	db_finalize(s);
	if (rc == 0) {
		rc = db_commit(store_conn(st));
		if (rc < 0)
			rc = store_fail_db(st, rc, "reposts commit");
	}
	if (rc < 0) {
		db_rollback(store_conn(st));
		*added = 0;
	}
	return rc;
}
