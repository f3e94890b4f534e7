/*
 * test_candidates.c — accounts that tracked accounts point at: the
 * @mention scanner, the diplomatic markers in several languages, and the
 * store listing a mentioned or reposted account as a candidate (never one
 * that is already tracked, never an ordinary account), on SQLite
 * (test_candidates) and PostgreSQL (test_candidates_pg).
 */
#include <stdlib.h>
#include <string.h>

#include "candidates.h"
#include "store.h"
#include "test.h"
#include "util.h"

/* Collects mentions as "a|b|c". */
static void collect(const char *h, void *arg)
{
	struct buf *b = arg;

	if (b->len)
		buf_putc(b, '|');
	buf_puts(b, h);
}

static void check_mentions(const char *text, const char *want)
{
	struct buf b = {0};

	candidates_mentions(text, 32, collect, &b);
	ASSERT_STR_EQ(b.data ? b.data : "", want);
	buf_free(&b);
}

static void test_mentions(void)
{
	check_mentions("cc @MFA_China and @someone.", "MFA_China|someone");
	check_mentions("RT @ChineseEmbinUS: text", "ChineseEmbinUS");
	check_mentions("@zlj517@mastodon.example hi",
	               "zlj517@mastodon.example");
	/* e-mail addresses and repeated mentions */
	check_mentions("write to press@embassy.example or @a, @A, @a", "a");
	check_mentions("no mentions here; just an @ sign", "");
	check_mentions("中国大使馆@CGTNOfficial", "CGTNOfficial");
	{
		struct buf b = {0};

		/* The limit holds. */
		ASSERT_INT_EQ(
		    candidates_mentions("@a @b @c @d", 2, collect, &b), 2);
		ASSERT_STR_EQ(b.data, "a|b");
		buf_free(&b);
	}
}

static void test_markers(void)
{
	ASSERT_STR_EQ(candidates_marker("ChineseEmbassyUS"), "embassy");
	ASSERT_STR_EQ(candidates_marker("Embajada de China en Argentina"),
	              "embajada");
	ASSERT_STR_EQ(candidates_marker("Ambassade de Chine en France"),
	              "ambassade");
	ASSERT_STR_EQ(candidates_marker("Botschaft der VR China"), "botschaft");
	ASSERT_STR_EQ(candidates_marker("Посольство КНР"), "Посольство");
	ASSERT_STR_EQ(candidates_marker("посольство"), "посольство");
	ASSERT_STR_EQ(candidates_marker("MFA_China"), "mfa_");
	ASSERT_STR_EQ(candidates_marker("SpokespersonCHN"), "spokesperson");
	ASSERT_STR_EQ(candidates_marker("XHNews Xinhua"), "xinhua");
	ASSERT_STR_EQ(candidates_marker("CGTNOfficial"), "cgtn");
	ASSERT_STR_EQ(candidates_marker("中国驻日本大使馆"), "大使馆");
	ASSERT_STR_EQ(candidates_marker("中華人民共和国駐日本国大使館"),
	              "大使館");
	ASSERT_STR_EQ(candidates_marker("外交部发言人办公室"), "外交部");
	ASSERT_STR_EQ(candidates_marker("外務省"), "外務省");
	ASSERT_STR_EQ(candidates_marker("環球時報"), "環球時報");
	ASSERT_STR_EQ(candidates_marker("ChineseEmbinUS"), "emb");
	ASSERT_STR_EQ(candidates_marker("AmbLiuXiaoMing"), "amb");
	/* Ordinary accounts and words that merely contain the letters. */
	ASSERT(candidates_marker("someuser") == NULL);
	ASSERT(candidates_marker("ambient_music") == NULL);
	ASSERT(candidates_marker("embroidery_club") == NULL);
	ASSERT(candidates_marker("Lambda") == NULL);
	ASSERT(candidates_marker("") == NULL);
	ASSERT(candidates_marker(NULL) == NULL);
}

static int64_t one(struct store *st, const char *sql)
{
	return test_q_int(store_conn(st), sql);
}

static void test_store(void)
{
	struct config_feed feeds[2] = {
	    {"https://a.example/rss", FEED_KIND_WEB, 1},
	    {"https://b.example/rss", FEED_KIND_WEB, 2}};
	struct config_account acc[2] = {{"zlj517", NULL, ROLE_SPOKESPERSON,
	                                 NULL, TIME_UNKNOWN, 900, &feeds[0], 1,
	                                 1},
	                                {"MFA_China", NULL, ROLE_MINISTRY, NULL,
	                                 TIME_UNKNOWN, 900, &feeds[1], 1, 2}};
	struct config cfg = {0};
	struct feed_entry e[3] = {{0}};
	struct feed_doc doc = {0};
	struct store_poll poll = {0};
	struct store_feed_state fs;
	struct store_poll_counts c;
	struct store *st = NULL;
	char err[256];

	REQUIRE(store_open(test_database("candidates.db"), &st, err,
	                   sizeof(err)) == 0);
	cfg.accounts = acc;
	cfg.n_accounts = 2;
	REQUIRE(store_sync_config(st, &cfg) == 0);
	REQUIRE(store_feed_state(st, "zlj517", feeds[0].url, &fs) == 0);
	e[0] = (struct feed_entry){
	    .id = "1",
	    .text = "Thanks @ChineseEmbinUS and @MFA_China, cc @someuser",
	    .published = 1583020800,
	    .updated = TIME_UNKNOWN};
	e[1] = (struct feed_entry){.id = "2",
	                           .text = "a repost",
	                           .author = "中国驻日本大使馆",
	                           .published = 1583107200,
	                           .updated = TIME_UNKNOWN,
	                           .is_repost = true};
	e[2] = (struct feed_entry){.id = "3",
	                           .text = "again @ChineseEmbinUS",
	                           .published = 1583193600,
	                           .updated = TIME_UNKNOWN};
	doc.entries = e;
	doc.n_entries = 3;
	poll.feed_id = fs.feed_id;
	poll.started_us = 1583200000LL * 1000000;
	poll.doc = &doc;
	poll.http_status = 200;
	REQUIRE(store_record_poll(st, &poll, &c) == 0);
	ASSERT_INT_EQ(c.new_posts, 3);
	ASSERT_INT_EQ(one(st, "SELECT count(*) FROM candidates"), 2);
	ASSERT_INT_EQ(one(st, "SELECT refs FROM candidates"
	                      " WHERE handle = 'ChineseEmbinUS'"),
	              2);
	ASSERT_INT_EQ(one(st, "SELECT CASE WHEN kind = 'mention' AND"
	                      " marker = 'emb' AND via_account_id = "
	                      /* zlj517 */
	                      "(SELECT id FROM accounts WHERE handle ="
	                      " 'zlj517') THEN 1 ELSE 0 END FROM candidates"
	                      " WHERE handle = 'ChineseEmbinUS'"),
	              1);
	ASSERT_INT_EQ(one(st, "SELECT CASE WHEN kind = 'repost' AND"
	                      " marker = '大使馆' THEN 1 ELSE 0 END"
	                      " FROM candidates"
	                      " WHERE handle = '中国驻日本大使馆'"),
	              1);
	/* Tracked already: not a candidate.  Ordinary: not listed. */
	ASSERT_INT_EQ(one(st, "SELECT count(*) FROM candidates"
	                      " WHERE handle IN ('MFA_China', 'someuser')"),
	              0);
	/* Polling the same posts again counts nothing twice. */
	poll.started_us += 60 * 1000000LL;
	REQUIRE(store_record_poll(st, &poll, &c) == 0);
	ASSERT_INT_EQ(one(st, "SELECT refs FROM candidates"
	                      " WHERE handle = 'ChineseEmbinUS'"),
	              2);
	store_feed_state_clear(&fs);
	store_close(st);
}

TEST_MAIN(TEST(test_mentions), TEST(test_markers), TEST(test_store))
