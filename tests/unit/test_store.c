/*
 * test_store.c — the store on SQLite (test_store) and on PostgreSQL
 * (test_store_pg): schema creation and in-place upgrade, refusal of newer
 * databases, and store_record_poll()'s one-transaction contract (all of a
 * poll or nothing), deduplication, edits, 304, 410 and verbatim storage of
 * hostile text.  Checks query the store's own connection through db.h, in
 * SQL both dialects read; what only one backend has (PRAGMAs, files that
 * are not databases) is checked on that backend.
 */
#include <errno.h>
#include <stdlib.h>

#include "db.h"
#include "schema_migrations.h"
#include "store.h"
#include "test.h"
#include "util.h"

#define T0 1584000000 /* 2020-03-12T08:00:00Z */

/* One integer from a query on the store's connection (-1 on error, -2
 * for NULL). */
static long long q_int(struct store *st, const char *sql)
{
	return test_q_int(store_conn(st), sql);
}

/* One text value (copied into a static buffer; "(null)" for NULL). */
static const char *q_text(struct store *st, const char *sql)
{
	return test_q_text(store_conn(st), sql);
}

/* The query for "does the table, view or index `name` exist" (one %s). */
static const char *object_query(struct db *db)
{
	return test_sql(db,
	                "SELECT count(*) FROM sqlite_master WHERE name = '%s'",
	                "SELECT count(*) FROM pg_class WHERE relname = '%s'"
	                " AND relnamespace = 'public'::regnamespace");
}

/* Writes a schema version the way store.c reads it on db's backend. */
static int set_version(struct db *db, int version)
{
	char sql[160];

	if (db_dialect(db) == DB_SQLITE)
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", version);
	else
		snprintf(sql, sizeof(sql),
		         "CREATE TABLE IF NOT EXISTS schema_version"
		         " (version INTEGER NOT NULL);"
		         "DELETE FROM schema_version;"
		         "INSERT INTO schema_version VALUES (%d)",
		         version);
	return test_q_exec(db, sql);
}

/* A config with one account and two feeds, filled by hand. */
struct fixture {
	struct config cfg;
	struct config_account acc[2];
	struct config_feed feeds[3];
	struct store *st;
	struct store_feed_state fs;
};

static void fixture_open(struct fixture *fx, const char *name)
{
	char err[256];
	int rc;

	memset(fx, 0, sizeof(*fx));
	fx->feeds[0] =
	    (struct config_feed){"https://a.example/rss", FEED_KIND_WEB, 10};
	fx->feeds[1] = (struct config_feed){"https://m.example/@zlj",
	                                    FEED_KIND_MASTODON, 11};
	fx->acc[0].key = "zlj517";
	fx->acc[0].name = "Zhao Lijian";
	fx->acc[0].role = ROLE_SPOKESPERSON;
	fx->acc[0].country = "CN";
	fx->acc[0].created = 1569888000; /* 2019-10-01 */
	fx->acc[0].feeds = fx->feeds;
	fx->acc[0].n_feeds = 2;
	fx->cfg.accounts = fx->acc;
	fx->cfg.n_accounts = 1;
	rc = store_open(test_database(name), &fx->st, err, sizeof(err));
	if (rc < 0)
		fprintf(stderr, "store_open: %s\n", err);
	ASSERT_INT_EQ(rc, 0);
	if (fx->st) {
		ASSERT_INT_EQ(store_sync_config(fx->st, &fx->cfg), 0);
		ASSERT_INT_EQ(store_feed_state(fx->st, "zlj517",
		                               "https://a.example/rss",
		                               &fx->fs),
		              0);
	}
}

static void fixture_close(struct fixture *fx)
{
	store_feed_state_clear(&fx->fs);
	store_close(fx->st);
	fx->st = NULL;
}

/* A parsed feed of n entries with per-entry classification results. */
struct poll_data {
	struct feed_doc doc;
	struct feed_entry entries[4];
	struct classify_result res[4];
	struct classify_category cats[4][2];
	struct classify_evidence ev[4][2];
	struct store_poll poll;
};

static void entry(struct poll_data *pd, size_t i, const char *id,
                  const char *text, int64_t published)
{
	struct feed_entry *e = &pd->entries[i];

	memset(e, 0, sizeof(*e));
	e->id = (char *)id;
	e->text = (char *)text;
	e->title = (char *)"A title";
	e->link = (char *)"https://a.example/p/1";
	e->lang = (char *)"en";
	e->published = published;
	e->updated = TIME_UNKNOWN;
	if (i + 1 > pd->doc.n_entries)
		pd->doc.n_entries = i + 1;
}

static void category(struct poll_data *pd, size_t i, const char *key,
                     double score, const char *term, size_t start)
{
	struct classify_result *r = &pd->res[i];
	struct classify_category *c = &pd->cats[i][r->n_cats];

	pd->ev[i][r->n_cats] = (struct classify_evidence){(char *)term, start,
	                                                  start + strlen(term)};
	c->key = key;
	c->score = score;
	c->evidence = &pd->ev[i][r->n_cats];
	c->n_evidence = 1;
	r->cats = pd->cats[i];
	r->n_cats++;
}

static void poll_init(struct poll_data *pd, const struct fixture *fx,
                      int64_t at)
{
	memset(pd, 0, sizeof(*pd));
	pd->doc.format = FEED_FORMAT_RSS;
	pd->doc.entries = pd->entries;
	pd->poll.feed_id = fx->fs.feed_id;
	pd->poll.started_us = at * 1000000;
	pd->poll.duration_ms = 120;
	pd->poll.http_status = 200;
	pd->poll.bytes = 4321;
	pd->poll.etag = "\"v1\"";
	pd->poll.last_modified = "Thu, 12 Mar 2020 08:00:00 GMT";
	pd->poll.next_poll = at + 900;
	pd->poll.doc = &pd->doc;
	pd->poll.results = pd->res;
	pd->poll.rules_version = "rules-1";
}

static void test_fresh_schema(void)
{
	static const char *const objects[] = {"accounts",
	                                      "feeds",
	                                      "posts",
	                                      "post_categories",
	                                      "account_snapshots",
	                                      "fetches",
	                                      "posts_with_categories",
	                                      "daily_counts",
	                                      "account_growth",
	                                      "feed_health",
	                                      "accounts_opened_per_year",
	                                      "post_category_rows"};
	const char *target = test_database("fresh.db");
	struct store *st = NULL;
	char err[256], sql[256];
	size_t i;

	REQUIRE(store_open(target, &st, err, sizeof(err)) == 0);
	ASSERT(store_schema_latest() >= 2);
	ASSERT_INT_EQ(store_schema_version(st), store_schema_latest());
	if (test_on_pg()) {
		ASSERT_INT_EQ(db_dialect(store_conn(st)), DB_POSTGRES);
		/* One row, the latest version. */
		ASSERT_INT_EQ(q_int(st, "SELECT count(*) FROM schema_version"),
		              1);
		ASSERT_INT_EQ(q_int(st, "SELECT version FROM schema_version"),
		              store_schema_latest());
		ASSERT_INT_EQ(schema_pg_n_migrations, schema_n_migrations);
	} else {
		ASSERT_INT_EQ(db_dialect(store_conn(st)), DB_SQLITE);
		ASSERT_STR_EQ(q_text(st, "PRAGMA journal_mode"), "wal");
		ASSERT_INT_EQ(q_int(st, "PRAGMA foreign_keys"), 1);
		ASSERT_INT_EQ(q_int(st, "PRAGMA user_version"),
		              store_schema_latest());
	}
	for (i = 0; i < ARRAY_SIZE(objects); i++) {
		snprintf(sql, sizeof(sql), object_query(store_conn(st)),
		         objects[i]);
		ASSERT_INT_EQ(q_int(st, sql), 1);
	}
	snprintf(sql, sizeof(sql), object_query(store_conn(st)), "posts_time");
	ASSERT_INT_EQ(q_int(st, sql), 1);
	/* Foreign keys are enforced on both backends. */
	ASSERT(db_exec(store_conn(st),
	               "INSERT INTO feeds (account_id, configured_url, url,"
	               " kind, added) VALUES (999, 'x', 'x', 'web', 1)") < 0);
	ASSERT_INT_EQ(q_int(st, "SELECT count(*) FROM feeds"), 0);
	store_close(st);
	/* Reopening an up-to-date database changes nothing. */
	REQUIRE(store_open(target, &st, err, sizeof(err)) == 0);
	ASSERT_INT_EQ(store_schema_version(st), store_schema_latest());
	if (test_on_pg())
		ASSERT_INT_EQ(q_int(st, "SELECT count(*) FROM schema_version"),
		              1);
	store_close(st);
}

/* A database made by the first migration of the backend's scripts, with a
 * few rows, is brought up to date in place and keeps them. */
static void test_upgrade_in_place(void)
{
	const char *target = test_database("v1.db");
	const struct schema_migration *first =
	    test_on_pg() ? &schema_pg_migrations[0] : &schema_migrations[0];
	struct store *st = NULL;
	struct db *db = NULL;
	char err[256];

	REQUIRE(schema_n_migrations >= 2 && schema_pg_n_migrations >= 2);
	REQUIRE(db_open(target, DB_OPEN_CREATE, &db, err, sizeof(err)) == 0);
	ASSERT_INT_EQ(first->version, 1);
	ASSERT_INT_EQ(test_q_exec(db, first->sql), 0);
	ASSERT_INT_EQ(set_version(db, 1), 0);
	ASSERT_INT_EQ(
	    test_q_exec(
	        db, "INSERT INTO accounts (id, handle, role, created,"
	            " first_seen) VALUES (1, 'old', 'mission', 1546300800,"
	            " 1);"
	            "INSERT INTO feeds (id, account_id, configured_url, url,"
	            " kind, added) VALUES (1, 1, 'https://o.example/',"
	            " 'https://o.example/', 'web', 1);"
	            "INSERT INTO posts (id, account_id, feed_id, stable_key,"
	            " text, published, first_seen, report_time, content_hash)"
	            " VALUES (1, 1, 1, 'k1', 'kept text', 1583020800,"
	            " 1583020800, 1583020800, 'h');"
	            "INSERT INTO post_categories VALUES (1,"
	            " 'origin_narrative', 2.0, '[]', 'r0', 1583020800);"),
	    0);
	db_close(db);

	REQUIRE(store_open(target, &st, err, sizeof(err)) == 0);
	ASSERT_INT_EQ(store_schema_version(st), store_schema_latest());
	ASSERT_STR_EQ(q_text(st, "SELECT text FROM posts WHERE id = 1"),
	              "kept text");
	ASSERT_STR_EQ(q_text(st, "SELECT categories FROM posts_with_categories"
	                         " WHERE post_id = 1"),
	              "origin_narrative");
	ASSERT_STR_EQ(q_text(st, "SELECT time FROM posts_with_categories"),
	              "2020-03-01T00:00:00Z");
	ASSERT_INT_EQ(q_int(st, "SELECT accounts FROM accounts_opened_per_year"
	                        " WHERE year = '2019' AND role = 'mission'"),
	              1);
	/* The later migrations ran: the copies of 0004 are filled. */
	ASSERT_INT_EQ(q_int(st, "SELECT report_time FROM post_categories"
	                        " WHERE post_id = 1"),
	              1583020800);
	/* 0008 gave the stored post its version 1, live. */
	ASSERT_STR_EQ(q_text(st, "SELECT version || '|' || text || '|' || seen"
	                         " FROM post_versions WHERE post_id = 1"),
	              "1|kept text|1583020800");
	ASSERT_INT_EQ(q_int(st, "SELECT count(*) FROM posts"
	                        " WHERE deleted_seen IS NOT NULL"),
	              0);
	store_close(st);
}

static void test_refuses_newer(void)
{
	const char *target = test_database("newer.db");
	struct store *st = NULL;
	struct db *db = NULL;
	char err[256] = "", sql[256];

	REQUIRE(db_open(target, DB_OPEN_CREATE, &db, err, sizeof(err)) == 0);
	ASSERT_INT_EQ(set_version(db, store_schema_latest() + 1), 0);
	db_close(db);
	ASSERT_INT_EQ(store_open(target, &st, err, sizeof(err)), -ENOTSUP);
	ASSERT(st == NULL);
	ASSERT(strstr(err, "newer") != NULL);
	err[0] = '\0';
	ASSERT_INT_EQ(store_open_readonly(target, &st, err, sizeof(err)),
	              -ENOTSUP);
	ASSERT(st == NULL);
	ASSERT(strstr(err, "newer") != NULL);
	/* And the refusal did not touch it: no tables, the same version. */
	REQUIRE(db_open(target, 0, &db, err, sizeof(err)) == 0);
	snprintf(sql, sizeof(sql), object_query(db), "posts");
	ASSERT_INT_EQ(test_q_int(db, sql), 0);
	ASSERT_INT_EQ(test_q_int(db, test_sql(db, "PRAGMA user_version",
	                                      "SELECT max(version) FROM"
	                                      " schema_version")),
	              store_schema_latest() + 1);
	db_close(db);
}

static void test_readonly_errors(void)
{
	struct store *st = NULL;
	char err[256], path[512];

	if (test_on_pg()) {
		/* An empty database is not a demarche log, and a read-only
		 * open leaves it so; a read-write open then migrates it. */
		const char *target = test_database("empty.db");

		err[0] = '\0';
		ASSERT_INT_EQ(
		    store_open_readonly(target, &st, err, sizeof(err)),
		    -EBADMSG);
		ASSERT(st == NULL);
		ASSERT(strstr(err, "not a demarche database") != NULL);
		REQUIRE(store_open(target, &st, err, sizeof(err)) == 0);
		store_close(st);
		REQUIRE(store_open_readonly(target, &st, err, sizeof(err)) ==
		        0);
		ASSERT_INT_EQ(store_schema_version(st), store_schema_latest());
		/* Read-only means read-only. */
		ASSERT_INT_EQ(
		    db_exec(store_conn(st), "DELETE FROM schema_version"),
		    -EROFS);
		store_close(st);
		return;
	}
	/* Files that are missing, not a database, or empty. */
	snprintf(path, sizeof(path), "%s/missing.db", test_tmpdir());
	ASSERT_INT_EQ(store_open_readonly(path, &st, err, sizeof(err)),
	              -ENOENT);
	snprintf(path, sizeof(path), "%s/garbage.db", test_tmpdir());
	test_write_file(path,
	                "this is not an SQLite database, just some text that "
	                "is long enough to have a header................\n");
	ASSERT_INT_EQ(store_open_readonly(path, &st, err, sizeof(err)),
	              -EBADMSG);
	ASSERT_INT_EQ(store_open(path, &st, err, sizeof(err)), -EBADMSG);
	snprintf(path, sizeof(path), "%s/empty.db", test_tmpdir());
	test_write_file(path, "");
	ASSERT_INT_EQ(store_open_readonly(path, &st, err, sizeof(err)),
	              -EBADMSG);
	ASSERT(strstr(err, "not a demarche database") != NULL);
}

/* An error names the database it is about, but never quotes a password
 * from a URL (no server needs to answer: the port is closed). */
static void test_error_names_target(void)
{
	struct store *st = NULL;
	char err[512] = "";

	ASSERT(store_open("postgresql://analyst:s3cret@127.0.0.1:1/log"
	                  "?connect_timeout=2&password=s3cret",
	                  &st, err, sizeof(err)) < 0);
	ASSERT(st == NULL);
	ASSERT(strncmp(err, "postgresql://analyst@127.0.0.1:1/log: ", 38) == 0);
	ASSERT(strstr(err, "s3cret") == NULL);
	ASSERT(store_open("postgres://127.0.0.1:1/log", &st, err, sizeof(err)) <
	       0);
	ASSERT(strncmp(err, "postgres://127.0.0.1:1/log: ", 28) == 0);
}

static void test_sync_config(void)
{
	struct fixture fx;
	struct store_feed_state fs;

	fixture_open(&fx, "sync.db");
	REQUIRE(fx.st);
	ASSERT_INT_EQ(
	    q_int(fx.st, "SELECT count(*) FROM feeds WHERE active = 1"), 2);
	ASSERT_STR_EQ(q_text(fx.st, "SELECT role FROM accounts"),
	              "spokesperson");
	ASSERT_INT_EQ(q_int(fx.st, "SELECT created FROM accounts"), 1569888000);
	ASSERT_STR_EQ(q_text(fx.st, "SELECT kind FROM feeds WHERE "
	                            "configured_url LIKE '%m.example%'"),
	              "mastodon");
	ASSERT_STR_EQ(fx.fs.url, "https://a.example/rss");
	ASSERT(fx.fs.etag == NULL);
	ASSERT_INT_EQ(fx.fs.next_poll, 0);
	/* Drop the second feed and rename the account; ids stay. */
	fx.acc[0].n_feeds = 1;
	fx.acc[0].name = "Lijian Zhao";
	fx.acc[0].role = ROLE_DIPLOMAT;
	ASSERT_INT_EQ(store_sync_config(fx.st, &fx.cfg), 0);
	ASSERT_INT_EQ(q_int(fx.st, "SELECT count(*) FROM feeds"), 2);
	ASSERT_INT_EQ(
	    q_int(fx.st, "SELECT count(*) FROM feeds WHERE active = 1"), 1);
	ASSERT_STR_EQ(q_text(fx.st, "SELECT name || '/' || role FROM accounts"),
	              "Lijian Zhao/diplomat");
	ASSERT_INT_EQ(
	    store_feed_state(fx.st, "zlj517", "https://a.example/rss", &fs), 0);
	ASSERT_INT_EQ(fs.feed_id, fx.fs.feed_id);
	store_feed_state_clear(&fs);
	ASSERT_INT_EQ(
	    store_feed_state(fx.st, "nobody", "https://a.example/rss", &fs),
	    -ENOENT);
	fixture_close(&fx);
}

static void test_record_poll(void)
{
	struct store_poll_counts c = {.new_posts = -1, .edited_posts = -1};
	struct store_feed_state fs;
	struct poll_data pd;
	struct fixture fx;

	fixture_open(&fx, "poll.db");
	REQUIRE(fx.st);
	poll_init(&pd, &fx, T0);
	entry(&pd, 0, "id-1", "The US Army brought it to Wuhan", T0 - 3600);
	category(&pd, 0, "origin_narrative", 2.5, "US Army", 4);
	entry(&pd, 1, "id-2", "Nothing to see", TIME_UNKNOWN);
	entry(&pd, 2, "id-3", "herd immunity is a massacre", T0 - 60);
	category(&pd, 2, "western_failure", 1.5, "herd immunity", 0);
	category(&pd, 2, "origin_narrative", 0.5, "massacre", 18);
	pd.entries[2].is_reply = true;
	pd.doc.has_account = true;
	pd.doc.account =
	    (struct feed_account){NULL, NULL, 1200, 80, 5000, 1546300800};
	ASSERT_INT_EQ(store_record_poll(fx.st, &pd.poll, &c), 0);
	ASSERT_INT_EQ(c.new_posts, 3);
	/* Replies are told from statements, in the table and the view. */
	ASSERT_STR_EQ(q_text(fx.st, "SELECT min(stable_key) || '/' || count(*)"
	                            " FROM posts WHERE is_reply = 1"),
	              "id-3/1");
	ASSERT_INT_EQ(q_int(fx.st, "SELECT count(*) FROM posts_with_categories"
	                           " WHERE is_reply = 1 AND text LIKE "
	                           "'herd%'"),
	              1);
	ASSERT_INT_EQ(c.edited_posts, 0);
	ASSERT_INT_EQ(q_int(fx.st, "SELECT count(*) FROM posts"), 3);
	ASSERT_INT_EQ(q_int(fx.st, "SELECT count(*) FROM post_categories"), 3);
	ASSERT_STR_EQ(q_text(fx.st, "SELECT evidence FROM post_categories"
	                            " WHERE category = 'origin_narrative'"
	                            " AND score = 2.5"),
	              "[{\"term\":\"US Army\",\"start\":4,\"end\":11}]");
	ASSERT_STR_EQ(q_text(fx.st, "SELECT rules_version FROM post_categories"
	                            " LIMIT 1"),
	              "rules-1");
	/* A post without a published time keeps NULL and its first-seen. */
	ASSERT_INT_EQ(q_int(fx.st, "SELECT published FROM posts"
	                           " WHERE stable_key = 'id-2'"),
	              -2);
	ASSERT_INT_EQ(q_int(fx.st, "SELECT first_seen FROM posts"
	                           " WHERE stable_key = 'id-2'"),
	              T0);
	ASSERT_STR_EQ(q_text(fx.st, "SELECT categories FROM "
	                            "posts_with_categories WHERE text LIKE "
	                            "'herd%'"),
	              "origin_narrative,western_failure");
	/* Fetch row, validators, health, snapshot, platform creation date. */
	ASSERT_INT_EQ(q_int(fx.st, "SELECT new_posts FROM fetches"), 3);
	ASSERT_INT_EQ(q_int(fx.st, "SELECT bytes FROM fetches"), 4321);
	ASSERT_INT_EQ(q_int(fx.st, "SELECT started FROM fetches"), T0);
	ASSERT_INT_EQ(q_int(fx.st, "SELECT followers FROM account_snapshots"),
	              1200);
	ASSERT_INT_EQ(q_int(fx.st, "SELECT created FROM accounts"), 1546300800);
	ASSERT_INT_EQ(q_int(fx.st, "SELECT last_seen FROM accounts"), T0);
	ASSERT_INT_EQ(
	    q_int(fx.st, "SELECT last_success FROM feeds WHERE id = 1"), T0);
	ASSERT_INT_EQ(
	    store_feed_state(fx.st, "zlj517", "https://a.example/rss", &fs), 0);
	ASSERT_STR_EQ(fs.etag, "\"v1\"");
	ASSERT_STR_EQ(fs.last_modified, "Thu, 12 Mar 2020 08:00:00 GMT");
	ASSERT_INT_EQ(fs.next_poll, T0 + 900);
	ASSERT_INT_EQ(fs.consecutive_failures, 0);
	store_feed_state_clear(&fs);

	/* The identical poll an hour later: no duplicates, no snapshot
	 * (counters unchanged, less than a day), one more fetch row. */
	pd.poll.started_us += 3600 * 1000000LL;
	ASSERT_INT_EQ(store_record_poll(fx.st, &pd.poll, &c), 0);
	ASSERT_INT_EQ(c.new_posts, 0);
	ASSERT_INT_EQ(c.edited_posts, 0);
	ASSERT_INT_EQ(q_int(fx.st, "SELECT count(*) FROM posts"), 3);
	ASSERT_INT_EQ(q_int(fx.st, "SELECT count(*) FROM post_categories"), 3);
	ASSERT_INT_EQ(q_int(fx.st, "SELECT count(*) FROM fetches"), 2);
	ASSERT_INT_EQ(q_int(fx.st, "SELECT count(*) FROM account_snapshots"),
	              1);
	/* A follower change is a new snapshot; the growth view shows it. */
	pd.doc.account.followers = 1235;
	pd.poll.started_us += 3600 * 1000000LL;
	ASSERT_INT_EQ(store_record_poll(fx.st, &pd.poll, &c), 0);
	ASSERT_INT_EQ(q_int(fx.st, "SELECT count(*) FROM account_snapshots"),
	              2);
	ASSERT_INT_EQ(q_int(fx.st, "SELECT followers_delta FROM account_growth"
	                           " ORDER BY observed DESC LIMIT 1"),
	              35);
	/* The same counters a day later still give a daily point. */
	pd.poll.started_us += 86400 * 1000000LL;
	ASSERT_INT_EQ(store_record_poll(fx.st, &pd.poll, &c), 0);
	ASSERT_INT_EQ(q_int(fx.st, "SELECT count(*) FROM account_snapshots"),
	              3);
	fixture_close(&fx);
}

static void test_edit(void)
{
	struct store_poll_counts c;
	struct poll_data pd;
	struct fixture fx;

	fixture_open(&fx, "edit.db");
	REQUIRE(fx.st);
	poll_init(&pd, &fx, T0);
	entry(&pd, 0, "id-1", "Chinese consumers may reconsider", T0);
	category(&pd, 0, "economic_coercion", 2.0, "Chinese consumers", 0);
	ASSERT_INT_EQ(store_record_poll(fx.st, &pd.poll, &c), 0);
	ASSERT_INT_EQ(c.new_posts, 1);

	/* Same key, new text and new classification. */
	poll_init(&pd, &fx, T0 + 600);
	entry(&pd, 0, "id-1", "The origin is still unknown", T0);
	category(&pd, 0, "origin_narrative", 1.0, "origin is still unknown", 4);
	ASSERT_INT_EQ(store_record_poll(fx.st, &pd.poll, &c), 0);
	ASSERT_INT_EQ(c.new_posts, 0);
	ASSERT_INT_EQ(c.edited_posts, 1);
	ASSERT_INT_EQ(q_int(fx.st, "SELECT count(*) FROM posts"), 1);
	ASSERT_INT_EQ(q_int(fx.st, "SELECT edit_count FROM posts"), 1);
	ASSERT_INT_EQ(q_int(fx.st, "SELECT edited_seen FROM posts"), T0 + 600);
	ASSERT_INT_EQ(q_int(fx.st, "SELECT first_seen FROM posts"), T0);
	ASSERT_STR_EQ(q_text(fx.st, "SELECT text FROM posts"),
	              "The origin is still unknown");
	ASSERT_STR_EQ(q_text(fx.st, "SELECT min(category) || '/' || count(*)"
	                            " FROM post_categories"),
	              "origin_narrative/1");
	ASSERT_INT_EQ(q_int(fx.st, "SELECT edited_posts FROM fetches"
	                           " ORDER BY id DESC LIMIT 1"),
	              1);
	/* Seen again unchanged: not another edit. */
	pd.poll.started_us += 600 * 1000000LL;
	ASSERT_INT_EQ(store_record_poll(fx.st, &pd.poll, &c), 0);
	ASSERT_INT_EQ(c.edited_posts, 0);
	ASSERT_INT_EQ(q_int(fx.st, "SELECT edit_count FROM posts"), 1);
	fixture_close(&fx);
}

/* A feed that repeats a key within one fetch stores one post (the second
 * is an edit of the first); a key that is not UTF-8 is still found again
 * on the next poll. */
static void test_repeated_and_odd_keys(void)
{
	struct store_poll_counts c;
	struct poll_data pd;
	struct fixture fx;
	int round;

	fixture_open(&fx, "keys.db");
	REQUIRE(fx.st);
	for (round = 0; round < 2; round++) {
		poll_init(&pd, &fx, T0 + round * 600);
		entry(&pd, 0, "dup", "First words", T0);
		entry(&pd, 1, "dup", "Second words", T0);
		entry(&pd, 2, "ok", "Plain", T0);
		ASSERT_INT_EQ(store_record_poll(fx.st, &pd.poll, &c), 0);
		/* The second round sees "dup" as stored by the first:
		 * first words (an edit back), then second words (another). */
		ASSERT_INT_EQ(c.new_posts, round == 0 ? 2 : 0);
		ASSERT_INT_EQ(c.edited_posts, round == 0 ? 1 : 2);
	}
	ASSERT_INT_EQ(q_int(fx.st, "SELECT count(*) FROM posts"), 2);
	ASSERT_STR_EQ(q_text(fx.st, "SELECT text FROM posts"
	                            " WHERE stable_key = 'dup'"),
	              "Second words");
	if (!test_on_pg()) {
		/* PostgreSQL refuses text that is not UTF-8 outright. */
		for (round = 0; round < 2; round++) {
			poll_init(&pd, &fx, T0 + 3600 + round * 600);
			entry(&pd, 0, "bad-\xff\xfe-key", "Odd key", T0);
			entry(&pd, 1, "ok", "Plain", T0);
			ASSERT_INT_EQ(store_record_poll(fx.st, &pd.poll, &c),
			              0);
			ASSERT_INT_EQ(c.new_posts, round == 0 ? 1 : 0);
			ASSERT_INT_EQ(c.edited_posts, 0);
		}
		ASSERT_INT_EQ(q_int(fx.st, "SELECT count(*) FROM posts"), 3);
	}
	fixture_close(&fx);
}

/* A poll of one entry, key "id-q", whose text after its first own_len
 * bytes is a quoted post. */
static void quoted_poll(struct poll_data *pd, const struct fixture *fx,
                        int64_t at, const char *text, size_t own_len)
{
	poll_init(pd, fx, at);
	entry(pd, 0, "id-q", text, T0);
	pd->entries[0].quote_at = own_len;
	pd->entries[0].quote_len = strlen(text) - own_len;
}

/* A quoted post is someone else's: when it changes or disappears
 * upstream, the quoting post is not edited; its own words still are. */
static void test_quote_is_not_an_edit(void)
{
	static const char own[] = "We disagree.",
	                  own3[] = "We strongly disagree.";
	static const char q1[] = "We disagree.\n\n[quote @x] Origin: lab",
	                  q2[] = "We disagree.\n\n[quote @x] Origin: market",
	                  q3[] = "We strongly disagree.\n\n[quote @x] Origin: "
	                         "market";
	struct store_poll_counts c;
	struct poll_data pd;
	struct fixture fx;
	int64_t t = T0;

	fixture_open(&fx, "quote.db");
	REQUIRE(fx.st);
	quoted_poll(&pd, &fx, t, q1, strlen(own));
	ASSERT_INT_EQ(store_record_poll(fx.st, &pd.poll, &c), 0);
	ASSERT_INT_EQ(c.new_posts, 1);

	/* The quoted post edited upstream. */
	quoted_poll(&pd, &fx, t += 600, q2, strlen(own));
	ASSERT_INT_EQ(store_record_poll(fx.st, &pd.poll, &c), 0);
	ASSERT_INT_EQ(c.edited_posts, 0);
	/* ... then deleted: the quote part is gone. */
	quoted_poll(&pd, &fx, t += 600, own, strlen(own));
	ASSERT_INT_EQ(store_record_poll(fx.st, &pd.poll, &c), 0);
	ASSERT_INT_EQ(c.edited_posts, 0);
	ASSERT_INT_EQ(q_int(fx.st, "SELECT edit_count FROM posts"), 0);
	ASSERT_STR_EQ(q_text(fx.st, "SELECT text FROM posts"), q1);

	/* The author's own words edited: an edit. */
	quoted_poll(&pd, &fx, t += 600, q3, strlen(own3));
	ASSERT_INT_EQ(store_record_poll(fx.st, &pd.poll, &c), 0);
	ASSERT_INT_EQ(c.edited_posts, 1);
	ASSERT_INT_EQ(q_int(fx.st, "SELECT edit_count FROM posts"), 1);
	ASSERT_STR_EQ(q_text(fx.st, "SELECT text FROM posts"), q3);
	/* A quote span that does not fit the text is not read past it: the
	 * text is hashed whole, which differs from its own words alone. */
	quoted_poll(&pd, &fx, t += 600, q3, strlen(q3));
	pd.entries[0].quote_len = 99;
	ASSERT_INT_EQ(store_record_poll(fx.st, &pd.poll, &c), 0);
	ASSERT_INT_EQ(c.edited_posts, 1);
	fixture_close(&fx);
}

/* Counts every row a poll could have written. */
static long long poll_rows(struct store *st)
{
	return q_int(st, "SELECT (SELECT count(*) FROM posts) +"
	                 " (SELECT count(*) FROM post_categories) +"
	                 " (SELECT count(*) FROM fetches) +"
	                 " (SELECT count(*) FROM account_snapshots)");
}

static void test_all_or_nothing(void)
{
	struct store_poll_counts c = {.new_posts = 7, .edited_posts = 7};
	struct poll_data pd;
	struct fixture fx;
	struct db *db;
	int rc;

	fixture_open(&fx, "atomic.db");
	REQUIRE(fx.st);
	db = store_conn(fx.st);
	/* A category with no key fails on the second post: the first post,
	 * its categories and everything else must be rolled back. */
	poll_init(&pd, &fx, T0);
	entry(&pd, 0, "id-1", "US Army", T0);
	category(&pd, 0, "origin_narrative", 2.5, "US Army", 0);
	entry(&pd, 1, "id-2", "fake news", T0);
	category(&pd, 1, NULL, 1.0, "fake news", 0);
	pd.doc.has_account = true;
	pd.doc.account =
	    (struct feed_account){NULL, NULL, 10, 1, 1, TIME_UNKNOWN};
	rc = store_record_poll(fx.st, &pd.poll, &c);
	ASSERT_INT_EQ(rc, -EINVAL);
	ASSERT_INT_EQ(c.new_posts, 0);
	/* SQLite says NOT NULL, PostgreSQL not-null. */
	ASSERT(strstr(store_errmsg(fx.st), "NOT NULL") != NULL ||
	       strstr(store_errmsg(fx.st), "not-null") != NULL);
	ASSERT_INT_EQ(poll_rows(fx.st), 0);
	ASSERT_INT_EQ(q_int(fx.st, "SELECT CASE WHEN etag IS NULL AND"
	                           " last_success IS NULL THEN 1 ELSE 0 END"
	                           " FROM feeds WHERE id = 1"),
	              1);

	/* A trigger that aborts the very last write (the feed update), as a
	 * constraint would. */
	REQUIRE(test_q_exec(
	            db, test_sql(
	                    db,
	                    "CREATE TEMP TRIGGER boom BEFORE UPDATE OF etag"
	                    " ON main.feeds BEGIN SELECT RAISE(ABORT, 'boom');"
	                    " END",
	                    "CREATE FUNCTION boom() RETURNS trigger"
	                    " LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION"
	                    " 'boom' USING ERRCODE = 'check_violation'; END $$;"
	                    "CREATE TRIGGER boom BEFORE UPDATE OF etag ON feeds"
	                    " FOR EACH ROW EXECUTE FUNCTION boom()")) == 0);
	pd.res[1].n_cats = 0;
	rc = store_record_poll(fx.st, &pd.poll, &c);
	ASSERT_INT_EQ(rc, -EINVAL);
	ASSERT(strstr(store_errmsg(fx.st), "boom") != NULL);
	ASSERT_INT_EQ(poll_rows(fx.st), 0);

	/* Without the trigger the same poll goes through, and the store is
	 * still usable after the failures. */
	REQUIRE(test_q_exec(db, test_sql(db, "DROP TRIGGER boom",
	                                 "DROP TRIGGER boom ON feeds")) == 0);
	ASSERT_INT_EQ(store_record_poll(fx.st, &pd.poll, &c), 0);
	ASSERT_INT_EQ(c.new_posts, 2);
	ASSERT_INT_EQ(poll_rows(fx.st), 2 + 1 + 1 + 1);
	/* An unknown feed is refused without writing. */
	pd.poll.feed_id = 999;
	ASSERT_INT_EQ(store_record_poll(fx.st, &pd.poll, &c), -ENOENT);
	ASSERT_INT_EQ(poll_rows(fx.st), 5);
	fixture_close(&fx);
}

static void test_not_modified(void)
{
	struct store_feed_state fs;
	struct store_poll_counts c;
	struct poll_data pd;
	struct fixture fx;

	fixture_open(&fx, "304.db");
	REQUIRE(fx.st);
	poll_init(&pd, &fx, T0);
	entry(&pd, 0, "id-1", "hello", T0);
	ASSERT_INT_EQ(store_record_poll(fx.st, &pd.poll, &c), 0);

	poll_init(&pd, &fx, T0 + 900);
	pd.poll.http_status = 304;
	pd.poll.not_modified = true;
	pd.poll.bytes = 0;
	pd.poll.etag = NULL;
	pd.poll.last_modified = NULL;
	pd.poll.doc = NULL;
	pd.poll.results = NULL;
	ASSERT_INT_EQ(store_record_poll(fx.st, &pd.poll, &c), 0);
	ASSERT_INT_EQ(c.new_posts, 0);
	ASSERT_INT_EQ(q_int(fx.st, "SELECT count(*) FROM fetches"), 2);
	ASSERT_INT_EQ(q_int(fx.st, "SELECT not_modified FROM fetches"
	                           " ORDER BY id DESC LIMIT 1"),
	              1);
	ASSERT_INT_EQ(q_int(fx.st, "SELECT count(*) FROM posts"), 1);
	ASSERT_INT_EQ(
	    store_feed_state(fx.st, "zlj517", "https://a.example/rss", &fs), 0);
	ASSERT_STR_EQ(fs.etag, "\"v1\"");
	ASSERT_STR_EQ(fs.last_modified, "Thu, 12 Mar 2020 08:00:00 GMT");
	ASSERT_INT_EQ(fs.next_poll, T0 + 1800);
	store_feed_state_clear(&fs);
	fixture_close(&fx);
}

static void test_failures_and_gone(void)
{
	struct store_feed_state fs;
	struct store_poll_counts c;
	struct poll_data pd;
	struct fixture fx;

	fixture_open(&fx, "gone.db");
	REQUIRE(fx.st);
	poll_init(&pd, &fx, T0);
	entry(&pd, 0, "id-1", "hello", T0);
	ASSERT_INT_EQ(store_record_poll(fx.st, &pd.poll, &c), 0);

	/* Two timeouts: failures count up, the run keeps its start time,
	 * validators stay for the next conditional GET. */
	poll_init(&pd, &fx, T0 + 100);
	pd.poll.doc = NULL;
	pd.poll.http_status = 0;
	pd.poll.error = "timeout after 30s";
	pd.poll.etag = NULL;
	ASSERT_INT_EQ(store_record_poll(fx.st, &pd.poll, &c), 0);
	pd.poll.started_us += 100 * 1000000LL;
	ASSERT_INT_EQ(store_record_poll(fx.st, &pd.poll, &c), 0);
	ASSERT_INT_EQ(q_int(fx.st, "SELECT consecutive_failures FROM feeds"
	                           " WHERE id = 1"),
	              2);
	ASSERT_INT_EQ(
	    q_int(fx.st, "SELECT failing_since FROM feeds WHERE id = 1"),
	    T0 + 100);
	ASSERT_INT_EQ(
	    q_int(fx.st, "SELECT last_success FROM feeds WHERE id = 1"), T0);
	ASSERT_STR_EQ(q_text(fx.st, "SELECT status || ' ' || last_error FROM "
	                            "feed_health WHERE feed_id = 1"),
	              "failing timeout after 30s");
	ASSERT_STR_EQ(q_text(fx.st, "SELECT etag FROM feeds WHERE id = 1"),
	              "\"v1\"");

	/* 410 Gone disables the feed; a permanent redirect moves it. */
	poll_init(&pd, &fx, T0 + 300);
	pd.poll.doc = NULL;
	pd.poll.http_status = 410;
	pd.poll.gone = true;
	pd.poll.new_url = "https://b.example/rss";
	ASSERT_INT_EQ(store_record_poll(fx.st, &pd.poll, &c), 0);
	ASSERT_INT_EQ(
	    store_feed_state(fx.st, "zlj517", "https://a.example/rss", &fs), 0);
	ASSERT(fs.disabled);
	ASSERT_INT_EQ(fs.consecutive_failures, 3);
	ASSERT_STR_EQ(fs.url, "https://b.example/rss");
	store_feed_state_clear(&fs);
	ASSERT_STR_EQ(q_text(fx.st, "SELECT status || ' ' || last_error FROM "
	                            "feed_health WHERE feed_id = 1"),
	              "disabled 410 Gone");
	ASSERT_INT_EQ(q_int(fx.st, "SELECT http_status FROM fetches"
	                           " ORDER BY id DESC LIMIT 1"),
	              410);
	fixture_close(&fx);
}

/* A --once run that begins in the second an earlier poll started (two
 * runs in one second) must still poll the feed: whole-second times cannot
 * tell that poll from one made after the run began.  A poll in a later
 * second is another instance's, made for this run (due_at 0). */
static void test_claim_same_second(void)
{
	struct store_feed_state fs = {0};
	struct poll_data pd;
	struct store_poll_counts c;
	struct fixture fx;
	int64_t due = -1;

	fixture_open(&fx, "claim.db");
	REQUIRE(fx.st);
	poll_init(&pd, &fx, T0);
	entry(&pd, 0, "id-1", "hello", T0);
	ASSERT_INT_EQ(store_record_poll(fx.st, &pd.poll, &c), 0);
	if (!store_shared(fx.st)) {
		/* One daemon per SQLite file: every claim is won. */
		ASSERT_INT_EQ(store_claim_feed(fx.st, fx.fs.feed_id, "me", T0,
		                               60, T0, &fs, &due),
		              1);
		fixture_close(&fx);
		return;
	}
	/* Polled at T0, run began at T0 + 1: another instance's poll was
	 * before the run, and the feed is not due for 900 s. */
	ASSERT_INT_EQ(store_claim_feed(fx.st, fx.fs.feed_id, "run-a", T0 + 1,
	                               60, T0 - 5, &fs, &due),
	              0);
	ASSERT_INT_EQ(due, 0); /* polled since T0 - 5: nothing to do */
	ASSERT_INT_EQ(store_claim_feed(fx.st, fx.fs.feed_id, "run-b", T0 + 1,
	                               60, T0, &fs, &due),
	              1);
	ASSERT_INT_EQ(fs.feed_id, fx.fs.feed_id);
	/* run-b holds the lease now: run-c waits for it, whatever its start. */
	ASSERT_INT_EQ(store_claim_feed(fx.st, fx.fs.feed_id, "run-c", T0 + 2,
	                               60, T0 + 2, &fs, &due),
	              0);
	ASSERT_INT_EQ(due, T0 + 1 + 60);
	store_feed_state_clear(&fs);
	fixture_close(&fx);
}

static void test_hostile_text_verbatim(void)
{
	static const char evil[] = "'); DROP TABLE posts; -- \" %s %n \\ "
	                           "\xe4\xb8\xad\xe6\x96\x87 ?1 :x";
	struct store_poll_counts c;
	struct poll_data pd;
	struct fixture fx;

	fixture_open(&fx, "evil.db");
	REQUIRE(fx.st);
	poll_init(&pd, &fx, T0);
	entry(&pd, 0, evil, evil, T0);
	pd.entries[0].title = (char *)evil;
	category(&pd, 0, "origin_narrative", 1.0, evil, 0);
	pd.poll.etag = evil;
	ASSERT_INT_EQ(store_record_poll(fx.st, &pd.poll, &c), 0);
	ASSERT_INT_EQ(q_int(fx.st, "SELECT count(*) FROM posts"), 1);
	ASSERT_STR_EQ(q_text(fx.st, "SELECT text FROM posts"), evil);
	ASSERT_STR_EQ(q_text(fx.st, "SELECT stable_key FROM posts"), evil);
	ASSERT_STR_EQ(q_text(fx.st, "SELECT title FROM posts"), evil);
	ASSERT_STR_EQ(q_text(fx.st, "SELECT etag FROM feeds WHERE id = 1"),
	              evil);
	ASSERT_STR_EQ(
	    q_text(fx.st, test_sql(store_conn(fx.st),
	                           "SELECT json_extract(evidence, '$[0].term')"
	                           " FROM post_categories",
	                           "SELECT evidence::json -> 0 ->> 'term'"
	                           " FROM post_categories")),
	    evil);
	/* Same again: the key matched exactly, no duplicate. */
	ASSERT_INT_EQ(store_record_poll(fx.st, &pd.poll, &c), 0);
	ASSERT_INT_EQ(c.new_posts, 0);
	fixture_close(&fx);
}

/* Every wording is kept: version 1 on insert, one per edit, the replaced
 * wording keeping the categories it had; post_edits pairs them. */
static void test_versions(void)
{
	struct store_poll_counts c;
	struct poll_data pd;
	struct fixture fx;

	fixture_open(&fx, "versions.db");
	REQUIRE(fx.st);
	poll_init(&pd, &fx, T0);
	entry(&pd, 0, "id-1", "Chinese consumers may reconsider", T0);
	category(&pd, 0, "economic_coercion", 2.0, "Chinese consumers", 0);
	ASSERT_INT_EQ(store_record_poll(fx.st, &pd.poll, &c), 0);
	ASSERT_STR_EQ(q_text(fx.st, "SELECT version || '|' || text || '|' ||"
	                            " seen FROM post_versions"),
	              "1|Chinese consumers may reconsider|1584000000");
	poll_init(&pd, &fx, T0 + 600);
	entry(&pd, 0, "id-1", "Consumers may think again", T0);
	ASSERT_INT_EQ(store_record_poll(fx.st, &pd.poll, &c), 0);
	ASSERT_INT_EQ(c.edited_posts, 1);
	ASSERT_INT_EQ(q_int(fx.st, "SELECT count(*) FROM post_versions"), 2);
	ASSERT_STR_EQ(q_text(fx.st, "SELECT text || '|' || seen FROM"
	                            " post_versions WHERE version = 2"),
	              "Consumers may think again|1584000600");
	ASSERT_STR_EQ(q_text(fx.st, "SELECT version || '|' || category FROM"
	                            " post_version_categories"),
	              "1|economic_coercion");
	ASSERT_INT_EQ(q_int(fx.st, "SELECT count(*) FROM post_categories"), 0);
	ASSERT_STR_EQ(q_text(fx.st, "SELECT text_before || ' -> ' ||"
	                            " text_after FROM post_edits"),
	              "Chinese consumers may reconsider -> Consumers may "
	              "think again");
	fixture_close(&fx);
}

/* A post gone from the middle of the feed is marked deleted and kept; one
 * that scrolled off the end is not; a return clears the mark. */
static void test_deletions(void)
{
	struct store_poll_counts c;
	struct poll_data pd;
	struct fixture fx;

	fixture_open(&fx, "deletions.db");
	REQUIRE(fx.st);
	poll_init(&pd, &fx, T0);
	entry(&pd, 0, "new", "Newest", T0 - 100);
	entry(&pd, 1, "mid", "Middle", T0 - 200);
	entry(&pd, 2, "old", "Oldest", T0 - 300);
	entry(&pd, 3, "older", "Older still", T0 - 400);
	ASSERT_INT_EQ(store_record_poll(fx.st, &pd.poll, &c), 0);
	ASSERT_INT_EQ(c.new_posts, 4);
	/* "mid" vanishes, "older" scrolls off the end. */
	poll_init(&pd, &fx, T0 + 600);
	entry(&pd, 0, "new", "Newest", T0 - 100);
	entry(&pd, 1, "old", "Oldest", T0 - 300);
	ASSERT_INT_EQ(store_record_poll(fx.st, &pd.poll, &c), 0);
	ASSERT_INT_EQ(c.deleted_posts, 1);
	ASSERT_STR_EQ(q_text(fx.st, "SELECT stable_key || '|' || deleted_seen"
	                            " FROM posts WHERE deleted_seen IS NOT"
	                            " NULL"),
	              "mid|1584000600");
	ASSERT_INT_EQ(q_int(fx.st, "SELECT count(*) FROM posts"), 4);
	/* Marked once, not at every poll. */
	pd.poll.started_us += 600 * 1000000LL;
	ASSERT_INT_EQ(store_record_poll(fx.st, &pd.poll, &c), 0);
	ASSERT_INT_EQ(c.deleted_posts, 0);
	ASSERT_INT_EQ(q_int(fx.st, "SELECT count(*) FROM post_deletions"), 1);
	/* It comes back. */
	poll_init(&pd, &fx, T0 + 1800);
	entry(&pd, 0, "new", "Newest", T0 - 100);
	entry(&pd, 1, "mid", "Middle", T0 - 200);
	entry(&pd, 2, "old", "Oldest", T0 - 300);
	ASSERT_INT_EQ(store_record_poll(fx.st, &pd.poll, &c), 0);
	ASSERT_INT_EQ(c.returned_posts, 1);
	ASSERT_INT_EQ(c.deleted_posts, 0);
	ASSERT_INT_EQ(q_int(fx.st, "SELECT count(*) FROM posts"
	                           " WHERE deleted_seen IS NOT NULL"),
	              0);
	ASSERT_STR_EQ(q_text(fx.st, "SELECT deleted_seen || '|' ||"
	                            " returned_seen FROM post_deletions"),
	              "1584000600|1584001800");
	fixture_close(&fx);
}

/* A damaged document adds what it read whole, edits nothing, marks
 * nothing deleted, and says so on its fetch row; the next whole one
 * stores the cut entry whole, as new. */
static void test_damaged_document(void)
{
	struct store_poll_counts c;
	struct poll_data pd;
	struct fixture fx;

	fixture_open(&fx, "damaged.db");
	REQUIRE(fx.st);
	poll_init(&pd, &fx, T0);
	entry(&pd, 0, "a", "First wording", T0 - 100);
	entry(&pd, 1, "b", "Middle", T0 - 200);
	entry(&pd, 2, "c", "Oldest", T0 - 300);
	ASSERT_INT_EQ(store_record_poll(fx.st, &pd.poll, &c), 0);
	poll_init(&pd, &fx, T0 + 600);
	pd.poll.warning = "not well-formed: line 3: cut";
	entry(&pd, 0, "d", "A new post whole", T0);
	entry(&pd, 1, "a", "First word", T0 - 100);
	entry(&pd, 2, "c", "Oldest", T0 - 300);
	entry(&pd, 3, "e", "Cut in the mid", T0 - 50);
	pd.entries[3].partial = true;
	ASSERT_INT_EQ(store_record_poll(fx.st, &pd.poll, &c), 0);
	ASSERT_INT_EQ(c.new_posts, 1);
	ASSERT_INT_EQ(c.edited_posts, 0);
	ASSERT_INT_EQ(c.deleted_posts, 0);
	ASSERT_STR_EQ(q_text(fx.st, "SELECT text FROM posts"
	                            " WHERE stable_key = 'a'"),
	              "First wording");
	ASSERT_INT_EQ(q_int(fx.st, "SELECT count(*) FROM posts"
	                           " WHERE stable_key IN ('d', 'e')"),
	              1);
	ASSERT_STR_EQ(q_text(fx.st, "SELECT warning || '|' ||"
	                            " COALESCE(error, 'none') FROM fetches"
	                            " ORDER BY id DESC LIMIT 1"),
	              "not well-formed: line 3: cut|none");
	poll_init(&pd, &fx, T0 + 1200);
	entry(&pd, 0, "e", "Cut in the middle of a sentence", T0 - 50);
	entry(&pd, 1, "a", "First wording", T0 - 100);
	entry(&pd, 2, "b", "Middle", T0 - 200);
	ASSERT_INT_EQ(store_record_poll(fx.st, &pd.poll, &c), 0);
	ASSERT_INT_EQ(c.new_posts, 1);
	ASSERT_INT_EQ(c.edited_posts, 0);
	ASSERT_STR_EQ(q_text(fx.st, "SELECT text || '|' || edit_count FROM"
	                            " posts WHERE stable_key = 'e'"),
	              "Cut in the middle of a sentence|0");
	ASSERT_INT_EQ(q_int(fx.st, "SELECT count(*) FROM fetches"
	                           " WHERE warning IS NULL"),
	              2);
	fixture_close(&fx);
}

/* A post edited at every poll keeps a bounded history: all of the first
 * STORE_VERSIONS_HOURLY versions, then the first of each hour and the
 * last, and never more than STORE_VERSIONS_MAX. */
static void test_version_cap(void)
{
	struct store_poll_counts c;
	struct poll_data pd;
	struct fixture fx;
	char text[64];
	int i, dropped = 0;

	fixture_open(&fx, "cap.db");
	REQUIRE(fx.st);
	for (i = 0; i < 400; i++) {
		poll_init(&pd, &fx, T0 + i * 600); /* six polls an hour */
		snprintf(text, sizeof(text), "Counter at %d", i);
		entry(&pd, 0, "counter", text, T0);
		ASSERT_INT_EQ(store_record_poll(fx.st, &pd.poll, &c), 0);
		dropped += c.versions_dropped;
	}
	/* 100 kept whole; of the 300 after, one per hour (50 hours) and the
	 * last. */
	ASSERT(q_int(fx.st, "SELECT count(*) FROM post_versions") <= 152);
	ASSERT(q_int(fx.st, "SELECT count(*) FROM post_versions") >= 148);
	ASSERT_INT_EQ(dropped + q_int(fx.st, "SELECT count(*) FROM"
	                                     " post_versions"),
	              400);
	ASSERT_STR_EQ(q_text(fx.st, "SELECT text FROM post_versions"
	                            " WHERE version = 1"),
	              "Counter at 0");
	ASSERT_STR_EQ(q_text(fx.st, "SELECT text FROM post_versions ORDER BY"
	                            " version DESC LIMIT 1"),
	              "Counter at 399");
	ASSERT_INT_EQ(q_int(fx.st, "SELECT edit_count FROM posts"), 399);
	fixture_close(&fx);
}

TEST_MAIN(TEST(test_versions), TEST(test_deletions),
          TEST(test_damaged_document), TEST(test_version_cap),
          TEST(test_fresh_schema), TEST(test_claim_same_second),
          TEST(test_upgrade_in_place), TEST(test_refuses_newer),
          TEST(test_readonly_errors), TEST(test_error_names_target),
          TEST(test_sync_config), TEST(test_record_poll), TEST(test_edit),
          TEST(test_quote_is_not_an_edit), TEST(test_repeated_and_odd_keys),
          TEST(test_all_or_nothing), TEST(test_not_modified),
          TEST(test_failures_and_gone), TEST(test_hostile_text_verbatim))
