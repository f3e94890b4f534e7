/*
 * test_migrate.c — `demarche migrate` between two databases of the
 * backend under test: two SQLite files (test_migrate) or two PostgreSQL
 * databases (test_migrate_pg, which also copies SQLite -> PostgreSQL ->
 * SQLite): every table copied with its ids and verified, a non-empty
 * destination refused, and a checksum that notices a changed value and
 * tells NULL from an empty string.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "db.h"
#include "migrate.h"
#include "store.h"
#include "test.h"

static int run(struct store *st, const char *sql)
{
	return test_q_exec(store_conn(st), sql);
}

/* One integer from a query (-1 on error). */
static long long q_int(struct store *st, const char *sql)
{
	return test_q_int(store_conn(st), sql);
}

/* Sets the schema version the way store.c reads it. */
static int set_version(struct store *st, int version)
{
	char sql[128];

	if (db_dialect(store_conn(st)) == DB_SQLITE)
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", version);
	else
		snprintf(sql, sizeof(sql),
		         "DELETE FROM schema_version;"
		         "INSERT INTO schema_version VALUES (%d)",
		         version);
	return run(st, sql);
}

/* A small log with a row in every table and awkward values, at target. */
static struct store *make_source(const char *target)
{
	struct config_feed feed = {"https://a.example/rss", FEED_KIND_WEB, 10};
	struct config_account acc = {0};
	struct config cfg = {0};
	struct store *st = NULL;
	char err[256];

	acc.key = "zlj517";
	acc.name = "Zhao Lijian";
	acc.role = ROLE_SPOKESPERSON;
	acc.country = "CN";
	acc.created = 1569888000;
	acc.feeds = &feed;
	acc.n_feeds = 1;
	cfg.accounts = &acc;
	cfg.n_accounts = 1;
	if (store_open(target, &st, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return NULL;
	}
	ASSERT_INT_EQ(store_sync_config(st, &cfg), 0);
	ASSERT_INT_EQ(
	    run(st,
	        "INSERT INTO posts (id, account_id, feed_id, stable_key, url,"
	        " title, text, published, first_seen, report_time,"
	        " content_hash) VALUES"
	        " (7, 1, 1, 'k1', 'https://a.example/1', NULL, '病毒 源头',"
	        "  1584000000, 1584000100, 1584000000, 'h1'),"
	        " (9, 1, 1, 'k2', NULL, '', 'it''s \"quoted\"; --',"
	        "  NULL, 1584000200, 1584000200, 'h2');"
	        "INSERT INTO post_categories (post_id, category, score,"
	        " evidence, rules_version, classified_at) VALUES"
	        " (7, 'origin_narrative', 0.1, '[]', 'r1', 1584000100),"
	        " (7, 'wolf_warrior', 2.5e-7, '[{\"term\":\"x\"}]', 'r1',"
	        "  1584000100);"
	        "INSERT INTO post_labels (post_id, labels, labeller,"
	        " labelled_at) VALUES (7, 'origin_narrative', 'ana',"
	        " 1584000300);"
	        "INSERT INTO post_clusters (post_id, cluster_id, similarity,"
	        " reason, clustered_at) VALUES (9, 7, 0.875, 'text',"
	        " 1584000200);"
	        "INSERT INTO reposts (post_id, actor, actor_name,"
	        " actor_created, actor_followers, first_seen) VALUES"
	        " (7, 'fresh.bsky.social', NULL, 1583000000, 3, 1584000150);"
	        "INSERT INTO post_metrics (post_id, seen, views, reposts,"
	        " likes, replies) VALUES (7, 1584000150, NULL, 1, 4, 0);"
	        "INSERT INTO html_pages (feed_id, url, etag, first_fetched,"
	        " last_fetched, status) VALUES (1, 'http://x.test/a.html',"
	        " '\"e1\"', 1584000000, 1584000100, 304);"
	        "INSERT INTO narratives (narrative, name, definition,"
	        " definition_hash, applied_hash, updated) VALUES ('lab', NULL,"
	        " '{}', 'h', 'h', 1584000300);"
	        "INSERT INTO post_narratives (post_id, narrative, term,"
	        " matched_at) VALUES (7, 'lab', '病毒', 1584000300);"
	        "INSERT INTO narrative_alerts (dedup, kind, narrative, post_id,"
	        " created, status, next_try) VALUES ('first:lab:7', 'first',"
	        " 'lab', 7, 1584000300, 'pending', 1584000300);"
	        "INSERT INTO account_snapshots (account_id, observed, "
	        "followers,"
	        " following, posts_count) VALUES (1, 1584000000, 1000, NULL, "
	        "5);"
	        "INSERT INTO fetches (feed_id, started, http_status, bytes,"
	        " new_posts) VALUES (1, 1584000100, 200, 1234, 2),"
	        " (1, 1584000200, NULL, 0, 0);"
	        "INSERT INTO report_deliveries (slot, period_from, period_to,"
	        " status, attempts, finished) VALUES (1584000000, 1583395200,"
	        " 1584000000, 'delivered', 1, 1584000050);"
	        "INSERT INTO candidates (handle, marker, kind, first_seen,"
	        " last_seen, via_account_id, via_post_id) VALUES"
	        " ('ChinaEmbassy', 'embassy', 'mention', 1584000100,"
	        " 1584000100, 1, 7);"),
	    0);
	return st;
}

static int64_t rows_of(const struct migrate_counts *c, const char *table)
{
	size_t i;

	for (i = 0; i < c->n_tables; i++)
		if (strcmp(c->tables[i].table, table) == 0)
			return c->tables[i].rows;
	return -1;
}

/* What the progress callback was told. */
struct seen_progress {
	int calls;          /* how often it was called */
	int64_t first_done; /* done at the first call */
	int64_t last_done;  /* done at the last call */
	int64_t total;      /* the total at the last call */
};

static void on_progress(const char *table, int64_t rows, int64_t done,
                        int64_t total, void *arg)
{
	struct seen_progress *p = arg;

	(void)table;
	(void)rows;
	if (p->calls++ == 0)
		p->first_done = done;
	p->last_done = done;
	p->total = total;
}

static void test_copy_and_verify(void)
{
	struct store *src = make_source(test_database("src.db"));
	struct store *dst = NULL, *again = NULL;
	struct seen_progress seen = {0, -1, -1, -1};
	struct migrate_counts c;
	char err[512];
	int64_t n1, n2;
	uint64_t s1, s2;

	REQUIRE(src != NULL);
	REQUIRE(store_open(test_database("dst.db"), &dst, err, sizeof(err)) ==
	        0);
	ASSERT_INT_EQ(
	    migrate_copy(src, dst, on_progress, &seen, &c, err, sizeof(err)),
	    0);
	/* The meter's figures: started at 0 of the total, ended at it. */
	ASSERT_INT_EQ(seen.calls > 8, 1);
	ASSERT_INT_EQ(seen.first_done, 0);
	ASSERT_INT_EQ(seen.last_done, seen.total);
	ASSERT_INT_EQ(seen.total, 19);
	ASSERT_INT_EQ(rows_of(&c, "html_pages"), 1);
	ASSERT_INT_EQ(c.n_tables, 22);
	ASSERT_INT_EQ(rows_of(&c, "accounts"), 1);
	ASSERT_INT_EQ(rows_of(&c, "feeds"), 1);
	ASSERT_INT_EQ(rows_of(&c, "posts"), 2);
	ASSERT_INT_EQ(rows_of(&c, "post_categories"), 2);
	ASSERT_INT_EQ(rows_of(&c, "fetches"), 2);
	ASSERT_INT_EQ(rows_of(&c, "candidates"), 1);
	ASSERT_INT_EQ(rows_of(&c, "report_deliveries"), 1);
	ASSERT_INT_EQ(rows_of(&c, "account_snapshots"), 1);
	ASSERT_INT_EQ(rows_of(&c, "post_labels"), 1);
	ASSERT_INT_EQ(rows_of(&c, "post_clusters"), 1);
	ASSERT_INT_EQ(rows_of(&c, "reposts"), 1);
	ASSERT_INT_EQ(rows_of(&c, "post_metrics"), 1);
	ASSERT_INT_EQ(rows_of(&c, "post_narratives"), 1);
	ASSERT_INT_EQ(rows_of(&c, "narrative_alerts"), 1);
	/* Ids and every value came along. */
	ASSERT_INT_EQ(
	    migrate_checksum(dst, "posts", &n2, &s2, err, sizeof(err)), 0);
	ASSERT_INT_EQ(
	    migrate_checksum(src, "posts", &n1, &s1, err, sizeof(err)), 0);
	ASSERT_INT_EQ(n1, n2);
	ASSERT(s1 == s2);
	ASSERT_INT_EQ(q_int(dst, "SELECT count(*) FROM posts WHERE id = 9 AND"
	                         " title = '' AND url IS NULL"),
	              1);
	ASSERT_INT_EQ(q_int(dst, "SELECT count(*) FROM post_categories WHERE"
	                         " post_id = 7 AND score = 2.5e-7"),
	              1);

	/* A second copy into the same database is refused, and adds nothing. */
	ASSERT_INT_EQ(migrate_copy(src, dst, NULL, NULL, &c, err, sizeof(err)),
	              -EEXIST);
	ASSERT(strstr(err, "not empty") != NULL);
	ASSERT_INT_EQ(
	    migrate_checksum(dst, "posts", &n2, &s2, err, sizeof(err)), 0);
	ASSERT_INT_EQ(n2, 2);

	/* The checksum notices one changed value, and NULL against ''. */
	ASSERT_INT_EQ(run(dst, "UPDATE post_categories SET score = 2.5000001e-7"
	                       " WHERE category = 'wolf_warrior'"),
	              0);
	ASSERT_INT_EQ(migrate_checksum(src, "post_categories", &n1, &s1, err,
	                               sizeof(err)),
	              0);
	ASSERT_INT_EQ(migrate_checksum(dst, "post_categories", &n2, &s2, err,
	                               sizeof(err)),
	              0);
	ASSERT(s1 != s2);
	ASSERT_INT_EQ(run(dst, "UPDATE posts SET title = NULL WHERE id = 9"),
	              0);
	ASSERT_INT_EQ(
	    migrate_checksum(dst, "posts", &n2, &s2, err, sizeof(err)), 0);
	ASSERT_INT_EQ(
	    migrate_checksum(src, "posts", &n1, &s1, err, sizeof(err)), 0);
	ASSERT(s1 != s2);
	ASSERT_INT_EQ(migrate_checksum(dst, "nope", &n2, &s2, err, sizeof(err)),
	              -ENOENT);

	/* An empty database at another schema version is refused. */
	REQUIRE(store_open(test_database("old.db"), &again, err, sizeof(err)) ==
	        0);
	ASSERT_INT_EQ(set_version(again, 3), 0);
	ASSERT_INT_EQ(
	    migrate_copy(src, again, NULL, NULL, &c, err, sizeof(err)),
	    -ENOTSUP);
	store_close(again);
	store_close(dst);
	store_close(src);
}

/* Every table's checksum is the same on a and b. */
static void check_same(struct store *a, struct store *b,
                       const struct migrate_counts *c)
{
	char err[512];
	int64_t n1, n2;
	uint64_t s1, s2;
	size_t i;

	for (i = 0; i < c->n_tables; i++) {
		const char *t = c->tables[i].table;

		ASSERT_INT_EQ(
		    migrate_checksum(a, t, &n1, &s1, err, sizeof(err)), 0);
		ASSERT_INT_EQ(
		    migrate_checksum(b, t, &n2, &s2, err, sizeof(err)), 0);
		ASSERT_INT_EQ(n1, n2);
		if (s1 != s2)
			fprintf(stderr, "checksums of %s differ\n", t);
		ASSERT(s1 == s2);
	}
}

/* An SQLite log copied into the backend under test (PostgreSQL in
 * test_migrate_pg) and from there into a new SQLite file comes out the
 * same in every table, and the copy's ids continue after the copied ones. */
static void test_round_trip(void)
{
	char path[512], back_path[512], err[512];
	struct store *lite, *pg = NULL, *back = NULL;
	struct migrate_counts c;

	snprintf(path, sizeof(path), "%s/lite.db", test_tmpdir());
	snprintf(back_path, sizeof(back_path), "%s/back.db", test_tmpdir());
	lite = make_source(path);
	REQUIRE(lite != NULL);
	ASSERT_INT_EQ(db_dialect(store_conn(lite)), DB_SQLITE);
	REQUIRE(store_open(test_database("cross"), &pg, err, sizeof(err)) == 0);
	ASSERT_INT_EQ(db_dialect(store_conn(pg)),
	              test_on_pg() ? DB_POSTGRES : DB_SQLITE);
	ASSERT_INT_EQ(migrate_copy(lite, pg, NULL, NULL, &c, err, sizeof(err)),
	              0);
	ASSERT_INT_EQ(c.n_tables, 22);
	ASSERT_INT_EQ(rows_of(&c, "posts"), 2);
	check_same(lite, pg, &c);
	ASSERT_INT_EQ(q_int(pg, "SELECT count(*) FROM posts WHERE id = 9 AND"
	                        " title = '' AND url IS NULL"),
	              1);
	/* A new post gets an id after the copied ones. */
	ASSERT_INT_EQ(run(pg, "INSERT INTO posts (account_id, stable_key,"
	                      " text, first_seen, report_time, content_hash)"
	                      " VALUES (1, 'k3', 'new', 1, 1, 'h3')"),
	              0);
	ASSERT(q_int(pg, "SELECT id FROM posts WHERE stable_key = 'k3'") > 9);
	ASSERT_INT_EQ(run(pg, "DELETE FROM posts WHERE stable_key = 'k3'"), 0);

	REQUIRE(store_open(back_path, &back, err, sizeof(err)) == 0);
	ASSERT_INT_EQ(migrate_copy(pg, back, NULL, NULL, &c, err, sizeof(err)),
	              0);
	ASSERT_INT_EQ(c.n_tables, 22);
	check_same(lite, back, &c);
	store_close(back);
	store_close(pg);
	store_close(lite);
}

TEST_MAIN(TEST(test_copy_and_verify), TEST(test_round_trip))
