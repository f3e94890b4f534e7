/*
 * test_amplification.c — the log's side of the amplification watch
 * (store_amplification.c) and its model (report_amplification.c), on
 * SQLite (test_amplification) and PostgreSQL (test_amplification_pg):
 * counters recorded only when they change and only for recent posts,
 * reposters stored once per post and actor with state-looking ones among
 * the candidates, the recent posts of a feed, and the fresh share,
 * amplifiers and bursts of `demarche amplification`.
 */
#include <stdlib.h>
#include <string.h>

#include "report_amplification.h"
#include "reposters.h"
#include "store.h"
#include "test.h"
#include "util.h"

#define T0 1700000000 /* the posts' time */

static int64_t one(struct store *st, const char *sql)
{
	return test_q_int(store_conn(st), sql);
}

/* Two statuses with counters, polled at t; reposts of the first given. */
static void poll_at(struct store *st, int64_t feed_id, int64_t t,
                    int64_t reposts, int64_t since)
{
	struct feed_entry e[2] = {{0}};
	struct feed_doc doc = {0};
	struct store_poll poll = {0};
	struct store_poll_counts c;

	e[0] = (struct feed_entry){.id = "101",
	                           .text = "first",
	                           .published = T0,
	                           .updated = TIME_UNKNOWN,
	                           .has_counts = true,
	                           .reposts = reposts,
	                           .likes = 4,
	                           .replies = -1};
	e[1] = (struct feed_entry){.id = "102",
	                           .text = "old",
	                           .published = T0 - 30 * 86400,
	                           .updated = TIME_UNKNOWN,
	                           .has_counts = true,
	                           .reposts = reposts,
	                           .likes = 1,
	                           .replies = 0};
	doc.format = FEED_FORMAT_MASTODON;
	doc.entries = e;
	doc.n_entries = 2;
	poll.feed_id = feed_id;
	poll.started_us = t * 1000000;
	poll.doc = &doc;
	poll.http_status = 200;
	poll.amplification_since = since;
	REQUIRE(store_record_poll(st, &poll, &c) == 0);
}

static void test_store_and_model(void)
{
	struct config_feed feed = {"https://m.example/@emb", FEED_KIND_MASTODON,
	                           1};
	struct config_account acc = {
	    "emb", NULL, ROLE_MISSION, NULL, TIME_UNKNOWN, 900, &feed, 1, 1};
	struct reposter rs[3] = {
	    {"fresh@x.example", NULL, T0 - 10 * 86400, 5},
	    {"ChinaEmbassy@y.example", "Embassy", T0 - 900 * 86400, -1},
	    {"old@x.example", NULL, TIME_UNKNOWN, -1}};
	struct report_amp_opts opts = {10, 3, 0, false};
	struct store_amp_post *posts = NULL;
	struct store_feed_state fs;
	struct config cfg = {0};
	struct store *st = NULL;
	json_t *m = NULL, *p;
	size_t n = 0;
	int added = -1;
	char err[256];
	int64_t id;

	REQUIRE(store_open(test_database("amplification.db"), &st, err,
	                   sizeof(err)) == 0);
	cfg.accounts = &acc;
	cfg.n_accounts = 1;
	REQUIRE(store_sync_config(st, &cfg) == 0);
	REQUIRE(store_feed_state(st, "emb", feed.url, &fs) == 0);

	/* Counters: a row at the first poll, none when unchanged, one when
	 * they change; the post older than the window gets none. */
	poll_at(st, fs.feed_id, T0 + 600, 2, T0 - 86400);
	poll_at(st, fs.feed_id, T0 + 1200, 2, T0 - 86400);
	poll_at(st, fs.feed_id, T0 + 1800, 40, T0 - 86400);
	ASSERT_INT_EQ(one(st, "SELECT count(*) FROM post_metrics"), 2);
	ASSERT_INT_EQ(one(st, "SELECT count(*) FROM post_metrics m JOIN posts"
	                      " p ON p.id = m.post_id WHERE p.stable_key ="
	                      " '102'"),
	              0);
	ASSERT_INT_EQ(one(st, "SELECT count(*) FROM post_metrics WHERE"
	                      " replies IS NULL AND likes = 4"),
	              2);
	/* Without the watch, nothing. */
	poll_at(st, fs.feed_id, T0 + 2400, 41, 0);
	ASSERT_INT_EQ(one(st, "SELECT count(*) FROM post_metrics"), 2);

	/* The feed's recent posts, newest first. */
	REQUIRE(store_amp_recent(st, fs.feed_id, T0 - 86400, 10, &posts, &n) ==
	        0);
	REQUIRE(n == 1);
	ASSERT_STR_EQ(posts[0].key, "101");
	ASSERT_INT_EQ(posts[0].reposters, 0);
	id = posts[0].post_id;
	store_amp_posts_free(posts, n);

	/* Reposters once each; the embassy among the candidates. */
	REQUIRE(store_amp_put_reposters(st, id, rs, 3, T0 + 700, &added) == 0);
	ASSERT_INT_EQ(added, 3);
	REQUIRE(store_amp_put_reposters(st, id, rs, 2, T0 + 1300, &added) == 0);
	ASSERT_INT_EQ(added, 0);
	ASSERT_INT_EQ(one(st, "SELECT count(*) FROM reposts"), 3);
	ASSERT_INT_EQ(one(st, "SELECT first_seen FROM reposts WHERE actor ="
	                      " 'fresh@x.example'"),
	              T0 + 700);
	ASSERT_INT_EQ(one(st, "SELECT count(*) FROM candidates WHERE handle ="
	                      " 'ChinaEmbassy@y.example' AND kind = 'repost'"),
	              1);
	ASSERT_INT_EQ(one(st, "SELECT count(*) FROM candidates WHERE handle"
	                      " LIKE '%x.example'"),
	              0);

	/* The model: 1 fresh of 3, capped at 3, one burst (2 -> 40). */
	REQUIRE(report_amplification_build(
	            store_conn(st), store_schema_version(st), T0 - 10, T0 + 10,
	            &opts, &m, err, sizeof(err)) == 0);
	REQUIRE(json_array_size(json_object_get(m, "posts")) == 1);
	p = json_array_get(json_object_get(m, "posts"), 0);
	ASSERT_INT_EQ(json_integer_value(json_object_get(p, "reposts")), 3);
	ASSERT_INT_EQ(json_integer_value(json_object_get(p, "fresh")), 1);
	ASSERT_INT_EQ(json_integer_value(json_object_get(p, "created_known")),
	              2);
	ASSERT(json_is_true(json_object_get(p, "capped")));
	ASSERT_INT_EQ(json_integer_value(json_object_get(
	                  json_object_get(p, "first_seen"), "spread_s")),
	              0);
	ASSERT_INT_EQ(json_array_size(json_object_get(m, "amplifiers")), 3);
	p = json_array_get(json_object_get(m, "amplifiers"), 0);
	ASSERT_STR_EQ(json_string_value(json_object_get(p, "platform")),
	              "mastodon");
	ASSERT_INT_EQ(json_integer_value(json_object_get(p, "accounts")), 1);
	REQUIRE(json_array_size(json_object_get(m, "bursts")) == 1);
	p = json_array_get(json_object_get(m, "bursts"), 0);
	ASSERT_INT_EQ(json_integer_value(json_object_get(p, "jump")), 38);
	json_decref(m);

	/* Another period: empty lists, not an error. */
	REQUIRE(report_amplification_build(store_conn(st),
	                                   store_schema_version(st), 0, 10,
	                                   &opts, &m, err, sizeof(err)) == 0);
	ASSERT_INT_EQ(json_array_size(json_object_get(m, "posts")), 0);
	ASSERT_INT_EQ(json_integer_value(json_object_get(m, "n_amplifiers")),
	              0);
	json_decref(m);
	store_feed_state_clear(&fs);
	store_close(st);
}

static const json_t *amplifier(const json_t *m, const char *actor)
{
	const json_t *x;
	size_t i;

	json_array_foreach(json_object_get(m, "amplifiers"), i, x)
	{
		if (strcmp(json_string_value(json_object_get(x, "actor")),
		           actor) == 0)
			return x;
	}
	return NULL;
}

/* What an amplifier shows does not depend on the order the backend reads
 * its rows in: the platform of the lowest post id it reposted, the name of
 * its latest listing (then of the lowest post id), the earliest creation
 * and the most followers; posts without reposters are not listed. */
static void test_amplifier_rows(void)
{
	struct report_amp_opts opts = {50, 1000, 0, false};
	struct store *st = NULL;
	const json_t *x;
	json_t *m = NULL;
	char err[256], sql[2048];

	REQUIRE(store_open(test_database("amp_rows.db"), &st, err,
	                   sizeof(err)) == 0);
	snprintf(
	    sql, sizeof(sql),
	    "INSERT INTO accounts (id, handle, role, country, first_seen)"
	    " VALUES (1, 'a1', 'diplomat', 'CN', 0), (2, 'a2', 'mission',"
	    " 'CN', 0);"
	    "INSERT INTO feeds (id, account_id, configured_url, url, kind,"
	    " added) VALUES (1, 1, 'a1.bsky.social', 'a1.bsky.social',"
	    " 'bluesky', 0), (2, 2, 'https://m.example/@a2',"
	    " 'https://m.example/@a2', 'mastodon', 0);"
	    "INSERT INTO posts (id, account_id, feed_id, stable_key, text,"
	    " first_seen, report_time, content_hash) VALUES"
	    " (5, 2, 2, 'p5', 't', %d, %d, 'h'), (7, 1, 1, 'p7', 't', %d, %d,"
	    " 'h'), (9, 1, 1, 'p9', 't', %d, %d, 'h'), (11, 2, 2, 'p11', 't',"
	    " %d, %d, 'h'), (13, 1, 1, 'p13', 't', %d, %d, 'h');"
	    "INSERT INTO reposts (post_id, actor, actor_name, actor_created,"
	    " actor_followers, first_seen) VALUES"
	    " (9, 'amp', 'Late', %d, 10, %d), (7, 'amp', 'Mid', %d, 50, %d),"
	    " (5, 'amp', NULL, NULL, NULL, %d),"
	    " (11, 'amp', 'Outside', 0, 999, %d),"
	    " (9, 'tie', 'Nine', NULL, NULL, %d),"
	    " (7, 'tie', 'Seven', NULL, NULL, %d)",
	    T0, T0, T0 + 1, T0 + 1, T0 + 2, T0 + 2, T0 - 86400, T0 - 86400,
	    T0 + 3, T0 + 3, T0 - 5 * 86400, T0 + 300, T0 - 400 * 86400,
	    T0 + 200, T0 + 900, T0 + 5000, T0 + 100, T0 + 100);
	REQUIRE(test_q_exec(store_conn(st), sql) == 0);
	REQUIRE(report_amplification_build(
	            store_conn(st), store_schema_version(st), T0 - 10, T0 + 10,
	            &opts, &m, err, sizeof(err)) == 0);
	ASSERT_INT_EQ(json_integer_value(json_object_get(m, "n_posts")), 3);
	ASSERT_INT_EQ(json_integer_value(json_object_get(m, "n_amplifiers")),
	              2);
	x = amplifier(m, "amp");
	REQUIRE(x != NULL);
	ASSERT(x == json_array_get(json_object_get(m, "amplifiers"), 0));
	ASSERT_INT_EQ(json_integer_value(json_object_get(x, "posts")), 3);
	ASSERT_INT_EQ(json_integer_value(json_object_get(x, "accounts")), 2);
	ASSERT_STR_EQ(json_string_value(json_object_get(x, "platform")),
	              "mastodon");
	ASSERT_STR_EQ(json_string_value(json_object_get(x, "name")), "Late");
	ASSERT_INT_EQ(json_integer_value(json_object_get(x, "followers")), 50);
	ASSERT_STR_EQ(json_string_value(json_object_get(x, "created")),
	              "2022-10-10T22:13:20Z");
	x = amplifier(m, "tie");
	REQUIRE(x != NULL);
	ASSERT_STR_EQ(json_string_value(json_object_get(x, "platform")),
	              "bluesky");
	ASSERT_STR_EQ(json_string_value(json_object_get(x, "name")), "Seven");
	ASSERT(json_is_null(json_object_get(x, "created")));
	ASSERT(json_is_null(json_object_get(x, "followers")));
	json_decref(m);
	store_close(st);
}

TEST_MAIN(TEST(test_store_and_model), TEST(test_amplifier_rows))
