/*
 * test_reclassify.c — relabelling stored posts: a database is built the
 * way the daemon builds it (store_open, store_sync_config,
 * store_record_poll with the results of one rule set), then relabelled
 * with another rule set from a temporary folder; the categories, their
 * versions and the counts must follow the new rules, in batches, with
 * --since honoured and an interruption leaving whole batches.  Runs on
 * SQLite (test_reclassify) and PostgreSQL (test_reclassify_pg).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "classify.h"
#include "config.h"
#include "db.h"
#include "feed.h"
#include "reclassify.h"
#include "store.h"
#include "test.h"
#include "util.h"

#define T0 1700000000

static const char *const rules_a =
    "version a1\n"
    "category origin_narrative\nthreshold 2\nterm 2 fort detrick\n"
    "category western_failure\nthreshold 2\nterm 2 herd immunity\n";

/* Version b: detrick no longer enough, herd immunity now also a
 * blame_rebuttal cue (absurd on purpose: only the change matters). */
static const char *const rules_b =
    "version b7\n"
    "category origin_narrative\nthreshold 2\nterm 1 fort detrick\n"
    "category western_failure\nthreshold 2\nterm 2 herd immunity\n"
    "category blame_rebuttal\nthreshold 1\nterm 1 herd immunity\n"
    "term 1 bought time\n";

static struct classify_rules *rules_in(const char *sub, const char *text)
{
	char dir[1024], path[1100], err[512];
	struct classify_rules *R = NULL;

	snprintf(dir, sizeof(dir), "%s/%s", test_tmpdir(), sub);
	mkdir(dir, 0755);
	snprintf(path, sizeof(path), "%s/x.rules", dir);
	test_write_file(path, text);
	if (classify_rules_load(dir, &R, err, sizeof(err)) < 0)
		fprintf(stderr, "rules: %s\n", err);
	return R;
}

static long long q_int(struct store *st, const char *sql)
{
	return test_q_int(store_conn(st), sql);
}

/* The categories of post `key`, comma-joined in name order. */
static const char *cats_of(struct store *st, const char *key)
{
	static char out[256];
	struct db *db = store_conn(st);
	struct db_stmt *s = NULL;
	int rc;

	out[0] = '\0';
	rc = db_prepare(
	    db,
	    test_sql(db,
	             "SELECT group_concat(category, ',') FROM"
	             " (SELECT category FROM post_categories c"
	             " JOIN posts p ON p.id = c.post_id"
	             " WHERE p.stable_key = ?1 ORDER BY category)",
	             "SELECT string_agg(category, ',' ORDER BY category)"
	             " FROM post_categories c JOIN posts p ON p.id = c.post_id"
	             " WHERE p.stable_key = ?1"),
	    &s);
	if (rc == 0)
		rc = db_bind_text(s, 1, key);
	if (rc == 0)
		rc = db_step(s);
	if (rc < 0) {
		fprintf(stderr, "cats_of: %s\n", db_errmsg(db));
		snprintf(out, sizeof(out), "(error)");
	} else if (rc == DB_ROW && db_column_text(s, 0)) {
		snprintf(out, sizeof(out), "%s", db_column_text(s, 0));
	}
	db_finalize(s);
	return out;
}

static const char *const texts[] = {
    "Open Fort Detrick to inspection",       /* a: origin; b: none */
    "Herd immunity is a massacre",           /* a: western; b: +blame */
    "China bought time for the world",       /* a: none; b: blame */
    "The ambassador met the mayor",          /* none either way */
    "Fort Detrick and herd immunity, again", /* a: both; b: western,blame */
};
#define N_POSTS (sizeof(texts) / sizeof(texts[0]))

/* Builds a database of N_POSTS posts labelled by rules a; post i was
 * published i days before T0. */
static struct store *build_db(const char *name, struct classify_rules *A)
{
	struct config cfg;
	struct config_account acc;
	struct config_feed feed = {"https://a.example/rss", FEED_KIND_WEB, 5};
	struct store_feed_state fs;
	struct feed_doc doc;
	struct feed_entry e[N_POSTS];
	struct classify_result res[N_POSTS];
	struct store_poll poll;
	struct store_poll_counts counts;
	struct store *st = NULL;
	char err[256], ids[N_POSTS][16];
	size_t i;

	memset(&cfg, 0, sizeof(cfg));
	memset(&acc, 0, sizeof(acc));
	memset(&doc, 0, sizeof(doc));
	memset(&poll, 0, sizeof(poll));
	memset(e, 0, sizeof(e));
	acc.key = "zlj517";
	acc.role = ROLE_SPOKESPERSON;
	acc.created = TIME_UNKNOWN;
	acc.feeds = &feed;
	acc.n_feeds = 1;
	cfg.accounts = &acc;
	cfg.n_accounts = 1;
	if (store_open(test_database(name), &st, err, sizeof(err)) < 0) {
		fprintf(stderr, "store_open: %s\n", err);
		return NULL;
	}
	if (store_sync_config(st, &cfg) < 0 ||
	    store_feed_state(st, "zlj517", feed.url, &fs) < 0) {
		store_close(st);
		return NULL;
	}
	for (i = 0; i < N_POSTS; i++) {
		snprintf(ids[i], sizeof(ids[i]), "p%zu", i);
		e[i].id = ids[i];
		e[i].text = (char *)texts[i];
		e[i].lang = "en";
		e[i].published = T0 - (int64_t)i * 86400;
		e[i].updated = TIME_UNKNOWN;
		if (classify_text(A, texts[i], "en", &res[i]) < 0)
			memset(&res[i], 0, sizeof(res[i]));
	}
	doc.entries = e;
	doc.n_entries = N_POSTS;
	poll.feed_id = fs.feed_id;
	poll.started_us = (int64_t)T0 * 1000000;
	poll.http_status = 200;
	poll.doc = &doc;
	poll.results = res;
	poll.rules_version = classify_rules_version(A);
	poll.next_poll = T0 + 900;
	if (store_record_poll(st, &poll, &counts) < 0) {
		fprintf(stderr, "record: %s\n", store_errmsg(st));
		store_close(st);
		st = NULL;
	}
	for (i = 0; i < N_POSTS; i++)
		classify_result_clear(&res[i]);
	store_feed_state_clear(&fs);
	return st;
}

/* The progress callback's calls, "done/total" joined by spaces. */
static void record_progress(int64_t done, int64_t total, void *arg)
{
	char *log = arg;
	size_t n = strlen(log);

	snprintf(log + n, 256 - n, "%s%lld/%lld", n ? " " : "", (long long)done,
	         (long long)total);
}

static void test_relabels_all_in_batches(void)
{
	char calls[256] = "";
	struct classify_rules *A = rules_in("a", rules_a);
	struct classify_rules *B = rules_in("b", rules_b);
	struct reclassify_opts o = {INT64_MIN,       2,     T0 + 60, NULL,
	                            record_progress, calls, 0};
	struct reclassify_counts c;
	struct store *st;
	char err[256], sql[512];

	REQUIRE(A && B);
	st = build_db("all.db", A);
	REQUIRE(st);
	ASSERT_STR_EQ(cats_of(st, "p0"), "origin_narrative");
	ASSERT_STR_EQ(cats_of(st, "p4"), "origin_narrative,western_failure");
	ASSERT_INT_EQ(q_int(st, "SELECT count(*) FROM post_categories"), 4);

	ASSERT_INT_EQ(
	    reclassify_run(store_conn(st), B, &o, &c, err, sizeof(err)), 0);
	ASSERT_INT_EQ(c.posts, 5);
	ASSERT_INT_EQ(c.batches, 3); /* 2 + 2 + 1 */
	ASSERT_INT_EQ(c.changed, 4); /* all but the mayor */
	/* Progress: the count first, then once per batch. */
	ASSERT_STR_EQ(calls, "0/5 2/5 4/5 5/5");
	ASSERT(!c.stopped);
	ASSERT_STR_EQ(cats_of(st, "p0"), "");
	ASSERT_STR_EQ(cats_of(st, "p1"), "blame_rebuttal,western_failure");
	ASSERT_STR_EQ(cats_of(st, "p2"), "blame_rebuttal");
	ASSERT_STR_EQ(cats_of(st, "p3"), "");
	ASSERT_STR_EQ(cats_of(st, "p4"), "blame_rebuttal,western_failure");
	/* Every post and every row names the new version. */
	snprintf(sql, sizeof(sql),
	         "SELECT count(*) FROM posts WHERE rules_version = '%s'",
	         classify_rules_version(B));
	ASSERT_INT_EQ(q_int(st, sql), 5);
	snprintf(sql, sizeof(sql),
	         "SELECT count(*) FROM post_categories WHERE rules_version ="
	         " '%s' AND classified_at = %d",
	         classify_rules_version(B), T0 + 60);
	ASSERT_INT_EQ(q_int(st, sql), 5);
	ASSERT_INT_EQ(q_int(st, "SELECT count(*) FROM post_categories"), 5);
	/* Evidence is stored as the store stores it. */
	ASSERT_INT_EQ(
	    q_int(st, test_sql(store_conn(st),
	                       "SELECT count(*) FROM post_categories WHERE"
	                       " json_extract(evidence, '$[0].term') ="
	                       " 'bought time' AND"
	                       " json_extract(evidence, '$[0].start') = 6",
	                       "SELECT count(*) FROM post_categories WHERE"
	                       " evidence::json -> 0 ->> 'term' ="
	                       " 'bought time' AND"
	                       " (evidence::json -> 0 ->> 'start')::int = 6")),
	    1);

	/* Again with the same rules: nothing changes, all relabelled. */
	ASSERT_INT_EQ(
	    reclassify_run(store_conn(st), B, &o, &c, err, sizeof(err)), 0);
	ASSERT_INT_EQ(c.posts, 5);
	ASSERT_INT_EQ(c.changed, 0);
	store_close(st);
	classify_rules_free(A);
	classify_rules_free(B);
}

static void test_since_stop_and_errors(void)
{
	struct classify_rules *A = rules_in("a2", rules_a);
	struct classify_rules *B = rules_in("b2", rules_b);
	volatile sig_atomic_t stop = 0;
	struct reclassify_opts o = {
	    T0 - 86400 - 10, 100, T0, &stop, NULL, NULL, 0};
	struct reclassify_counts c;
	struct store *st;
	char err[256], sql[512];

	REQUIRE(A && B);
	st = build_db("since.db", A);
	REQUIRE(st);
	/* Only the posts of the last day and a bit: p0 and p1. */
	ASSERT_INT_EQ(
	    reclassify_run(store_conn(st), B, &o, &c, err, sizeof(err)), 0);
	ASSERT_INT_EQ(c.posts, 2);
	ASSERT_INT_EQ(c.changed, 2);
	snprintf(sql, sizeof(sql),
	         "SELECT count(*) FROM posts WHERE rules_version = '%s'"
	         " AND stable_key IN ('p0', 'p1')",
	         classify_rules_version(B));
	ASSERT_INT_EQ(q_int(st, sql), 2);
	ASSERT_INT_EQ(q_int(st, "SELECT count(*) FROM posts WHERE"
	                        " rules_version LIKE 'a1+%'"),
	              3);
	ASSERT_STR_EQ(cats_of(st, "p4"), "origin_narrative,western_failure");

	/* A half-open period [since, until): p2 only (p1 is at until's
	 * side, p3 before since). */
	o.since = T0 - 2 * 86400 - 10;
	o.until = T0 - 86400 - 10;
	ASSERT_INT_EQ(
	    reclassify_run(store_conn(st), B, &o, &c, err, sizeof(err)), 0);
	ASSERT_INT_EQ(c.posts, 1);
	snprintf(sql, sizeof(sql),
	         "SELECT count(*) FROM posts WHERE rules_version = '%s'"
	         " AND stable_key IN ('p0', 'p1', 'p2')",
	         classify_rules_version(B));
	ASSERT_INT_EQ(q_int(st, sql), 3);
	ASSERT_INT_EQ(q_int(st, "SELECT count(*) FROM posts WHERE"
	                        " rules_version LIKE 'a1+%'"),
	              2);
	o.until = 0;

	/* A stop request before the first batch: nothing is touched. */
	stop = 1;
	o.since = INT64_MIN;
	ASSERT_INT_EQ(
	    reclassify_run(store_conn(st), B, &o, &c, err, sizeof(err)), 0);
	ASSERT(c.stopped);
	ASSERT_INT_EQ(c.posts, 0);
	ASSERT_INT_EQ(q_int(st, "SELECT count(*) FROM posts WHERE"
	                        " rules_version LIKE 'a1+%'"),
	              2);

	/* Bad batch sizes are refused. */
	stop = 0;
	o.batch = 0;
	ASSERT_INT_EQ(
	    reclassify_run(store_conn(st), B, &o, &c, err, sizeof(err)),
	    -EINVAL);
	ASSERT(strstr(err, "batch size"));
	store_close(st);
	classify_rules_free(A);
	classify_rules_free(B);
}

TEST_MAIN(TEST(test_relabels_all_in_batches), TEST(test_since_stop_and_errors))
