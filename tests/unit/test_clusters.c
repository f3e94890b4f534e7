/*
 * test_clusters.c — copies of one statement as the store records polls
 * (daemon/store/store_clusters.c): a near-identical text on another
 * account clusters under the earliest post, an older copy stored later
 * becomes the root, the same linked page (or a link to another post's own
 * page) clusters with reason 'url', a different statement, a short
 * boilerplate and a copy months apart do not, an edit re-evaluates, and
 * migration 14 indexes a log that predates it.  Runs on SQLite
 * (test_clusters) and PostgreSQL (test_clusters_pg).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "store.h"
#include "test.h"
#include "util.h"

#define T0 1600000000

static const char *const statement =
    "The United States should give a clear explanation to the world about "
    "the laboratory at Fort Detrick and the many unanswered questions of "
    "the summer of 2019, instead of shifting the blame onto China again "
    "and again while the pandemic spreads at home.";
static const char *const copy =
    "the United States should give a clear explanation to the world about "
    "the laboratory at Fort Detrick and the many unanswered questions of "
    "the summer of 2019, instead of shifting the blame onto #China once "
    "and again while the pandemic spreads at home. https://t.co/x1";
static const char *const other =
    "China firmly opposes the unilateral sanctions announced this week "
    "against Chinese companies and will take the necessary measures to "
    "protect their legitimate rights and interests.";

struct fixture {
	struct config cfg;
	struct config_account acc[2];
	struct config_feed feeds[2];
	struct store *st;
	int64_t feed[2]; /* feeds.id of each account's feed */
};

static void fixture_open(struct fixture *fx, const char *target)
{
	struct store_feed_state fs = {0};
	char err[256];
	int i;

	memset(fx, 0, sizeof(*fx));
	fx->feeds[0] =
	    (struct config_feed){"https://mfa.example/rss", FEED_KIND_WEB, 10};
	fx->feeds[1] = (struct config_feed){"https://m.example/@embassy",
	                                    FEED_KIND_MASTODON, 11};
	fx->acc[0].key = "mfa";
	fx->acc[0].role = ROLE_MINISTRY;
	fx->acc[1].key = "embassy";
	fx->acc[1].role = ROLE_MISSION;
	for (i = 0; i < 2; i++) {
		fx->acc[i].feeds = &fx->feeds[i];
		fx->acc[i].n_feeds = 1;
	}
	fx->cfg.accounts = fx->acc;
	fx->cfg.n_accounts = 2;
	if (store_open(target, &fx->st, err, sizeof(err)) < 0) {
		fprintf(stderr, "store_open: %s\n", err);
		exit(1);
	}
	ASSERT_INT_EQ(store_sync_config(fx->st, &fx->cfg), 0);
	for (i = 0; i < 2; i++) {
		ASSERT_INT_EQ(store_feed_state(fx->st, fx->acc[i].key,
		                               fx->feeds[i].url, &fs),
		              0);
		fx->feed[i] = fs.feed_id;
		store_feed_state_clear(&fs);
	}
}

/* Stores one post of account a (0 or 1) in a poll of its own. */
static void put(struct fixture *fx, int a, const char *key, const char *text,
                const char *html, const char *link, int64_t published)
{
	struct feed_entry e;
	struct feed_doc doc;
	struct store_poll poll;

	memset(&e, 0, sizeof(e));
	memset(&doc, 0, sizeof(doc));
	memset(&poll, 0, sizeof(poll));
	e.id = (char *)key;
	e.text = (char *)text;
	e.html = (char *)html;
	e.link = (char *)link;
	e.published = published;
	e.updated = TIME_UNKNOWN;
	doc.format = FEED_FORMAT_RSS;
	doc.entries = &e;
	doc.n_entries = 1;
	poll.feed_id = fx->feed[a];
	poll.started_us = (int64_t)(T0 + 86400) * 1000000;
	poll.http_status = 200;
	poll.next_poll = T0 + 90000;
	poll.doc = &doc;
	ASSERT_INT_EQ(store_record_poll(fx->st, &poll, NULL), 0);
}

/* "copy>root/reason" of post key's row, "-" when it has none. */
static const char *cluster_of(struct fixture *fx, const char *key)
{
	static char out[128];
	char sql[512];

	snprintf(sql, sizeof(sql),
	         "SELECT COALESCE((SELECT r.stable_key || '/' || c.reason"
	         " FROM post_clusters c JOIN posts p ON p.id = c.post_id"
	         " JOIN posts r ON r.id = c.cluster_id"
	         " WHERE p.stable_key = '%s'), '-')",
	         key);
	snprintf(out, sizeof(out), "%s", test_q_text(store_conn(fx->st), sql));
	return out;
}

static long long statements(struct fixture *fx)
{
	return test_q_int(store_conn(fx->st),
	                  "SELECT COUNT(DISTINCT COALESCE(c.cluster_id, p.id))"
	                  " FROM posts p LEFT JOIN post_clusters c"
	                  " ON c.post_id = p.id");
}

static void test_text_copies(void)
{
	struct fixture fx;

	fixture_open(&fx, test_database("text.db"));
	put(&fx, 0, "a1", statement, NULL, "https://mfa.example/a1", T0 + 100);
	put(&fx, 1, "b1", copy, NULL, "https://m.example/@embassy/1", T0 + 200);
	ASSERT_STR_EQ(cluster_of(&fx, "b1"), "a1/text");
	ASSERT_STR_EQ(cluster_of(&fx, "a1"), "-");
	/* A different statement, and short boilerplate said twice. */
	put(&fx, 1, "b2", other, NULL, NULL, T0 + 300);
	put(&fx, 0, "a2", "Thank you!", NULL, NULL, T0 + 400);
	put(&fx, 1, "b3", "Thank you!", NULL, NULL, T0 + 500);
	ASSERT_STR_EQ(cluster_of(&fx, "b2"), "-");
	ASSERT_STR_EQ(cluster_of(&fx, "b3"), "-");
	/* An older copy stored later (a history paged back): the root. */
	put(&fx, 1, "b0", statement, NULL, NULL, T0 + 50);
	ASSERT_STR_EQ(cluster_of(&fx, "b0"), "-");
	ASSERT_STR_EQ(cluster_of(&fx, "a1"), "b0/text");
	ASSERT_STR_EQ(cluster_of(&fx, "b1"), "b0/text");
	/* Months later the same words are a new statement. */
	put(&fx, 0, "a9", statement, NULL, NULL, T0 + 90 * 86400);
	ASSERT_STR_EQ(cluster_of(&fx, "a9"), "-");
	/* b0 b1 a1 | b2 | a2 | b3 | a9 */
	ASSERT_INT_EQ(statements(&fx), 5);
	/* An edit to other words leaves the statement. */
	put(&fx, 0, "a1", other, NULL, "https://mfa.example/a1", T0 + 100);
	ASSERT_STR_EQ(cluster_of(&fx, "a1"), "-");
	ASSERT_STR_EQ(cluster_of(&fx, "b2"), "a1/text");
	ASSERT_INT_EQ(
	    test_q_int(store_conn(fx.st), "SELECT count(*) FROM post_bands"),
	    20 * 5);
	store_close(fx.st);
}

static void test_links(void)
{
	struct fixture fx;

	fixture_open(&fx, test_database("links.db"));
	/* A short post that links the ministry's page, and a short post that
	 * links it too: one statement. */
	put(&fx, 1, "b1", "Read the statement of the spokesperson",
	    "<p>Read the <a href=\"https://www.gov.example/news/1.html?"
	    "utm_source=m\">statement</a> of <a "
	    "href=\"https://m.example/@zlj\" "
	    "class=\"u-url mention\">@zlj</a></p>",
	    "https://m.example/@embassy/1", T0 + 100);
	put(&fx, 0, "a1", "Statement: https://gov.example/news/1.html", NULL,
	    "https://mfa.example/a1", T0 + 200);
	ASSERT_STR_EQ(cluster_of(&fx, "a1"), "b1/url");
	/* A post linking another's own page is its copy. */
	put(&fx, 0, "a2", other, NULL, "https://mfa.example/news/2.html",
	    T0 + 300);
	put(&fx, 1, "b2", "Our ministry: https://mfa.example/news/2.html", NULL,
	    "https://m.example/@embassy/2", T0 + 400);
	ASSERT_STR_EQ(cluster_of(&fx, "b2"), "a2/url");
	/* A link to a site's home page says nothing. */
	put(&fx, 0, "a3", "Visit https://gov.example/", NULL, NULL, T0 + 500);
	put(&fx, 1, "b3", "Visit https://gov.example/ now", NULL, NULL,
	    T0 + 600);
	ASSERT_STR_EQ(cluster_of(&fx, "b3"), "-");
	store_close(fx.st);
}

/* A log that predates migration 14 is indexed when it is applied. */
static void test_migration(void)
{
	struct fixture fx;
	char err[256];
	const char *target;

	target = test_database("migration.db");
	fixture_open(&fx, target);
	put(&fx, 0, "a1", statement, NULL, NULL, T0 + 100);
	put(&fx, 1, "b1", copy, NULL, NULL, T0 + 200);
	put(&fx, 1, "b2", other, NULL, NULL, T0 + 300);
	ASSERT_INT_EQ(
	    test_q_exec(store_conn(fx.st),
	                "DELETE FROM post_clusters; DROP TABLE post_links;"
	                " DROP TABLE post_bands; DROP TABLE post_signatures"),
	    0);
	ASSERT_INT_EQ(
	    test_q_exec(store_conn(fx.st),
	                test_sql(store_conn(fx.st),
	                         /* and what the later migrations add */
	                         "DROP VIEW post_versions_fts_source;"
	                         " DROP TRIGGER post_versions_fts_insert;"
	                         " DROP TRIGGER post_versions_fts_delete;"
	                         " DROP TRIGGER post_versions_fts_update;"
	                         " DROP TABLE post_versions_fts;"
	                         " DROP TABLE IF EXISTS narrative_alerts;"
	                         " DROP TABLE IF EXISTS post_narratives;"
	                         " DROP TABLE IF EXISTS narratives;"
	                         " PRAGMA user_version = 13",
	                         "DROP INDEX IF EXISTS post_versions_text_trgm;"
	                         " DROP TABLE IF EXISTS narrative_alerts,"
	                         " post_narratives, narratives;"
	                         " UPDATE schema_version SET version = 13")),
	    0);
	store_close(fx.st);
	REQUIRE(store_open(target, &fx.st, err, sizeof(err)) == 0);
	ASSERT_STR_EQ(cluster_of(&fx, "b1"), "a1/text");
	ASSERT_STR_EQ(cluster_of(&fx, "b2"), "-");
	ASSERT_INT_EQ(statements(&fx), 2);
	store_close(fx.st);
}

TEST_MAIN(TEST(test_text_copies), TEST(test_links), TEST(test_migration))
