/*
 * test_trends.c — `demarche trends` on a seeded log with known content:
 * the essay's table of accounts opened per year (diplomats 4, 3, 19 and
 * missions 3, 3, 13 for 2017-2019), follower growth per account and per
 * role, category share per role and the first appearance of each category
 * per account, checked exactly in JSON, text and CSV.  Also checks that
 * the copies of report_time/account_id in post_categories (migration
 * 0004) are filled and follow their post.  Runs on SQLite (test_trends)
 * and PostgreSQL (test_trends_pg).
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

#include "db.h"
#include "report.h"
#include "store.h"
#include "test.h"
#include "util.h"

static struct store *st;

static void exec(const char *sql)
{
	if (test_q_exec(store_conn(st), sql) < 0)
		test_failures++;
}

static int64_t one(const char *sql)
{
	return test_q_int(store_conn(st), sql);
}

/* 45 accounts: per year 2017, 2018, 2019 this many diplomats and missions
 * (the essay's numbers), plus two spokespersons with no creation date. */
static int seed(void)
{
	static const int dip[3] = {4, 3, 19}, mis[3] = {3, 3, 13};
	struct config_account acc[47];
	struct config_feed feed[47];
	struct config cfg = {0};
	char keys[47][32], urls[47][48], err[256];
	int n = 0, y, i;

	if (store_open(test_database("trends.db"), &st, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	for (y = 0; y < 3; y++)
		for (i = 0; i < dip[y] + mis[y]; i++, n++) {
			bool d = i < dip[y];

			snprintf(keys[n], sizeof(keys[n]), "%s%d_%02d",
			         d ? "dip" : "mis", 2017 + y,
			         d ? i : i - dip[y]);
			snprintf(urls[n], sizeof(urls[n]),
			         "https://feeds.example/%d", n);
			feed[n] =
			    (struct config_feed){urls[n], FEED_KIND_WEB, n};
			acc[n] = (struct config_account){
			    keys[n],
			    NULL,
			    d ? ROLE_DIPLOMAT : ROLE_MISSION,
			    NULL,
			    util_timegm(2017 + y, 1 + i % 12, 1 + i, 0, 0, 0),
			    900,
			    &feed[n],
			    1,
			    n};
		}
	for (i = 0; i < 2; i++, n++) {
		snprintf(keys[n], sizeof(keys[n]), "spox_%d", i);
		snprintf(urls[n], sizeof(urls[n]), "https://feeds.example/s%d",
		         i);
		feed[n] = (struct config_feed){urls[n], FEED_KIND_WEB, n};
		acc[n] = (struct config_account){keys[n],
		                                 NULL,
		                                 ROLE_SPOKESPERSON,
		                                 NULL,
		                                 TIME_UNKNOWN,
		                                 900,
		                                 &feed[n],
		                                 1,
		                                 n};
	}
	cfg.accounts = acc;
	cfg.n_accounts = (size_t)n;
	if (store_sync_config(st, &cfg) < 0)
		return -1;
	/* Posts of dip2019_00 (diplomat) and mis2019_00 (mission) in March
	 * 2020, written as another tool would: categories without the
	 * copied columns, so the 0004 trigger fills them. */
	exec("INSERT INTO posts (id, account_id, stable_key, text, published,"
	     " first_seen, report_time, content_hash) SELECT 100 + k.n,"
	     " a.id, 'p' || k.n, 'text', 1583020800 + k.n * 86400,"
	     " 1583020800 + k.n * 86400, 1583020800 + k.n * 86400, 'h'"
	     " FROM accounts a, (SELECT 0 AS n UNION SELECT 1 UNION SELECT 2"
	     " UNION SELECT 3) k WHERE a.handle = 'dip2019_00';"
	     "INSERT INTO posts (id, account_id, stable_key, text, published,"
	     " first_seen, report_time, content_hash) SELECT 200 + k.n,"
	     " a.id, 'q' || k.n, 'text', 1583020800 + k.n * 86400,"
	     " 1583020800 + k.n * 86400, 1583020800 + k.n * 86400, 'h'"
	     " FROM accounts a, (SELECT 0 AS n UNION SELECT 1) k"
	     " WHERE a.handle = 'mis2019_00';"
	     "INSERT INTO post_categories (post_id, category, score, evidence,"
	     " rules_version, classified_at) VALUES"
	     " (101, 'origin_narrative', 1, '[]', 't', 0),"
	     " (102, 'origin_narrative', 1, '[]', 't', 0),"
	     " (103, 'western_failure', 1, '[]', 't', 0),"
	     " (201, 'blame_rebuttal', 1, '[]', 't', 0);"
	     /* Followers: two diplomats and a mission. */
	     "INSERT INTO account_snapshots (account_id, observed, followers)"
	     " SELECT id, 1583020800, 1000 FROM accounts"
	     " WHERE handle = 'dip2019_00' UNION ALL"
	     " SELECT id, 1583625600, 1100 FROM accounts"
	     " WHERE handle = 'dip2019_00' UNION ALL"
	     " SELECT id, 1583020800, 500 FROM accounts"
	     " WHERE handle = 'dip2019_01' UNION ALL"
	     " SELECT id, 1583625600, 600 FROM accounts"
	     " WHERE handle = 'dip2019_01' UNION ALL"
	     " SELECT id, 1583020800, 2000 FROM accounts"
	     " WHERE handle = 'mis2019_00' UNION ALL"
	     " SELECT id, 1583625600, 2100 FROM accounts"
	     " WHERE handle = 'mis2019_00'");
	return test_failures ? -1 : 0;
}

static json_t *trends(void)
{
	char err[256];
	json_t *t = NULL;

	if (report_trends_build(st, 0, INT64_MAX, &t, err, sizeof(err)) < 0)
		fprintf(stderr, "trends: %s\n", err);
	return t;
}

static long long at(const json_t *o, const char *a, const char *b)
{
	return (long long)json_integer_value(
	    json_object_get(json_object_get(o, a), b));
}

static void test_copies(void)
{
	REQUIRE(st);
	/* The trigger filled the copies. */
	ASSERT_INT_EQ(one("SELECT count(*) FROM post_categories"
	                  " WHERE report_time IS NULL OR account_id IS NULL"),
	              0);
	ASSERT_INT_EQ(one("SELECT report_time FROM post_categories"
	                  " WHERE post_id = 103"),
	              1583020800 + 3 * 86400);
	/* An edit that moves a post moves its categories. */
	exec("UPDATE posts SET report_time = report_time + 60 WHERE id = 103");
	ASSERT_INT_EQ(one("SELECT report_time FROM post_categories"
	                  " WHERE post_id = 103"),
	              1583020800 + 3 * 86400 + 60);
	exec("UPDATE posts SET report_time = report_time - 60 WHERE id = 103");
}

static void test_opened_per_year(void)
{
	json_t *t = trends();
	const json_t *y;
	struct buf txt = {0}, csv = {0};

	REQUIRE(t);
	y = json_object_get(t, "opened_per_year");
	ASSERT_INT_EQ(json_object_size(y), 3);
	ASSERT_INT_EQ(at(y, "2017", "diplomat"), 4);
	ASSERT_INT_EQ(at(y, "2018", "diplomat"), 3);
	ASSERT_INT_EQ(at(y, "2019", "diplomat"), 19);
	ASSERT_INT_EQ(at(y, "2017", "mission"), 3);
	ASSERT_INT_EQ(at(y, "2018", "mission"), 3);
	ASSERT_INT_EQ(at(y, "2019", "mission"), 13);
	ASSERT(json_object_get(json_object_get(y, "2019"), "spokesperson") ==
	       NULL);
	REQUIRE(report_trends_render(t, REPORT_FORMAT_TEXT, &txt) == 0);
	ASSERT(strstr(txt.data, "  2017         4             0        3"
	                        "         0            0      0      7\n"));
	ASSERT(strstr(txt.data, "  2018         3             0        3"
	                        "         0            0      0      6\n"));
	ASSERT(strstr(txt.data, "  2019        19             0       13"
	                        "         0            0      0     32\n"));
	REQUIRE(report_trends_render(t, REPORT_FORMAT_CSV, &csv) == 0);
	ASSERT(
	    strstr(csv.data,
	           "\nopened_per_year,2017-01-01,2018-01-01,diplomat,,,4\n"));
	ASSERT(
	    strstr(csv.data,
	           "\nopened_per_year,2018-01-01,2019-01-01,diplomat,,,3\n"));
	ASSERT(
	    strstr(csv.data,
	           "\nopened_per_year,2019-01-01,2020-01-01,diplomat,,,19\n"));
	ASSERT(strstr(csv.data,
	              "\nopened_per_year,2017-01-01,2018-01-01,mission,,,3\n"));
	ASSERT(strstr(csv.data,
	              "\nopened_per_year,2018-01-01,2019-01-01,mission,,,3\n"));
	ASSERT(
	    strstr(csv.data,
	           "\nopened_per_year,2019-01-01,2020-01-01,mission,,,13\n"));
	/* Tidy: the columns named, zero rows kept, the cumulative growth
	 * and its percentage (the essay's "+250%": 13 accounts by the end
	 * of 2018, 45 by the end of 2019). */
	ASSERT(strncmp(csv.data,
	               "series,period_start,period_end,role,category,"
	               "account,value\n",
	               54) == 0);
	ASSERT(strstr(csv.data, "\nopened_per_year,2019-01-01,2020-01-01,"
	                        "spokesperson,,,0\n"));
	ASSERT(
	    strstr(csv.data, "\naccounts_cumulative,,2019-01-01,all,,,13\n"));
	ASSERT(
	    strstr(csv.data, "\naccounts_cumulative,,2020-01-01,all,,,45\n"));
	ASSERT(strstr(csv.data, "\naccounts_growth_pct,2019-01-01,2020-01-01,"
	                        "all,,,246.2\n"));
	ASSERT(strstr(csv.data, "\naccounts_growth_pct,2019-01-01,2020-01-01,"
	                        "diplomat,,,271.4\n"));
	/* No growth from nothing: an empty value, not a division by 0. */
	ASSERT(strstr(csv.data, "\naccounts_growth_pct,2017-01-01,2018-01-01,"
	                        "all,,,\n"));
	/* Every row has the seven fields. */
	{
		const char *p = csv.data;
		int bad = 0;

		while (*p) {
			const char *e = strchr(p, '\n');
			int commas = 0;

			for (; p < e; p++)
				commas += *p == ',';
			bad += commas != 6;
			p = e + 1;
		}
		ASSERT_INT_EQ(bad, 0);
	}
	buf_free(&txt);
	buf_free(&csv);
	json_decref(t);
}

static void test_growth_and_roles(void)
{
	json_t *t = trends();
	const json_t *fg, *byrole, *share, *first, *d;
	struct buf txt = {0}, csv = {0};

	REQUIRE(t);
	fg = json_object_get(t, "follower_growth");
	ASSERT_INT_EQ(json_array_size(fg), 3);
	/* Largest change first, ties by handle. */
	ASSERT_STR_EQ(
	    json_string_value(json_object_get(json_array_get(fg, 0), "handle")),
	    "dip2019_00");
	ASSERT(fabs(json_real_value(
	                json_object_get(json_array_get(fg, 1), "change_pct")) -
	            20.0) < 1e-9);
	byrole = json_object_get(t, "follower_growth_by_role");
	ASSERT_INT_EQ(json_object_size(byrole), 2);
	d = json_object_get(byrole, "diplomat");
	ASSERT_INT_EQ(at(byrole, "diplomat", "accounts"), 2);
	ASSERT_INT_EQ(at(byrole, "diplomat", "first"), 1500);
	ASSERT_INT_EQ(at(byrole, "diplomat", "last"), 1700);
	ASSERT_INT_EQ(at(byrole, "diplomat", "change"), 200);
	ASSERT(fabs(json_real_value(json_object_get(d, "change_pct")) -
	            200.0 / 15.0) < 1e-9);
	ASSERT_INT_EQ(at(byrole, "mission", "change"), 100);
	ASSERT(fabs(json_real_value(json_object_get(
	                json_object_get(byrole, "mission"), "change_pct")) -
	            5.0) < 1e-9);

	share = json_object_get(t, "category_share_by_role");
	ASSERT_INT_EQ(at(share, "diplomat", "posts"), 4);
	ASSERT_INT_EQ(at(share, "mission", "posts"), 2);
	d = json_object_get(json_object_get(share, "diplomat"), "categories");
	ASSERT_INT_EQ(at(d, "origin_narrative", "count"), 2);
	ASSERT(fabs(json_real_value(json_object_get(
	                json_object_get(d, "origin_narrative"), "share")) -
	            0.5) < 1e-9);
	ASSERT_INT_EQ(at(d, "western_failure", "count"), 1);
	ASSERT(json_object_get(d, "blame_rebuttal") == NULL);

	first = json_object_get(t, "first_appearance");
	ASSERT_INT_EQ(json_array_size(first), 3);
	ASSERT_STR_EQ(json_string_value(json_object_get(
	                  json_array_get(first, 0), "category")),
	              "origin_narrative");
	ASSERT_STR_EQ(json_string_value(
	                  json_object_get(json_array_get(first, 0), "first")),
	              "2020-03-02T00:00:00Z");
	ASSERT_STR_EQ(json_string_value(
	                  json_object_get(json_array_get(first, 1), "first")),
	              "2020-03-04T00:00:00Z");
	ASSERT_STR_EQ(json_string_value(
	                  json_object_get(json_array_get(first, 2), "handle")),
	              "mis2019_00");

	REQUIRE(report_trends_render(t, REPORT_FORMAT_TEXT, &txt) == 0);
	ASSERT(strstr(txt.data, "  diplomat         2   1500  1700    +200"
	                        "  +13.3\n"));
	/* Category share by role: its headings give way to fit 80
	 * columns, its numbers stay whole. */
	ASSERT(strstr(txt.data, "  role      posts  blame_rebutt…  western_"
	                        "failu…  economic_coe…  origin_narrat…\n"));
	ASSERT(strstr(txt.data, "  diplomat      4       0 (0.0%)       1 "
	                        "(25.0%)       0 (0.0%)       2 (50.0%)\n"));
	{
		const char *l = txt.data;
		size_t cp = 0, widest = 0;

		for (; *l; l++) {
			if (*l == '\n') {
				widest = cp > widest ? cp : widest;
				cp = 0;
			} else if (((unsigned char)*l & 0xC0) != 0x80) {
				cp++;
			}
		}
		ASSERT(widest <= 80);
	}
	ASSERT(strstr(txt.data, "  mis2019_00  mission   blame_rebuttal"
	                        "    2020-03-02T00:00:00Z\n"));
	REQUIRE(report_trends_render(t, REPORT_FORMAT_CSV, &csv) == 0);
	ASSERT(
	    strstr(csv.data, "\nfollowers_change_by_role,,,diplomat,,,200\n"));
	ASSERT(strstr(csv.data,
	              "\nfollowers_change_pct_by_role,,,mission,,,5.0000\n"));
	/* By role over the weeks of the model, zero counts kept. */
	ASSERT(strstr(csv.data,
	              "\ncategory_count_by_role,2020-02-24,2020-03-09,"
	              "diplomat,origin_narrative,,2\n"));
	ASSERT(strstr(csv.data,
	              "\ncategory_share_by_role,2020-02-24,2020-03-09,"
	              "diplomat,origin_narrative,,0.5000\n"));
	ASSERT(strstr(csv.data,
	              "\ncategory_count_by_role,2020-02-24,2020-03-09,"
	              "diplomat,blame_rebuttal,,0\n"));
	ASSERT(strstr(csv.data, "\nfirst_appearance,2020-03-02T00:00:00Z,,"
	                        "diplomat,origin_narrative,dip2019_00,1\n"));
	/* Weeks start on Monday: Sunday 2020-03-01 ends the week of
	 * 02-24; 03-02 .. 03-04 are in the week of 03-02.  A week without
	 * a category has its zero rows. */
	ASSERT(
	    strstr(csv.data, "\nposts_per_week,2020-02-24,2020-03-02,,,,2\n"));
	ASSERT(
	    strstr(csv.data, "\nposts_per_week,2020-03-02,2020-03-09,,,,4\n"));
	ASSERT(strstr(csv.data, "\ncategory_share_per_week,2020-03-02,"
	                        "2020-03-09,,origin_narrative,,0.5000\n"));
	ASSERT(strstr(csv.data, "\ncategory_count_per_week,2020-02-24,"
	                        "2020-03-02,,origin_narrative,,0\n"));
	buf_free(&txt);
	buf_free(&csv);
	json_decref(t);
}

/* --until bounds every series: the follower snapshots of 03-08 and the
 * posts from 03-03 on are outside [beginning, 03-03). */
static void test_until(void)
{
	const json_t *fg, *share;
	char err[256];
	json_t *t = NULL;

	REQUIRE(report_trends_build(st, INT64_MIN, 1583193600, &t, err,
	                            sizeof(err)) == 0);
	fg = json_object_get(t, "follower_growth");
	ASSERT_INT_EQ(json_array_size(fg), 3);
	ASSERT_INT_EQ(json_integer_value(
	                  json_object_get(json_array_get(fg, 0), "change")),
	              0);
	share = json_object_get(t, "category_share_by_role");
	ASSERT_INT_EQ(at(share, "diplomat", "posts"), 2);
	ASSERT_INT_EQ(at(share, "mission", "posts"), 2);
	ASSERT(json_is_null(
	    json_object_get(json_object_get(t, "period"), "from")));
	ASSERT_STR_EQ(json_string_value(
	                  json_object_get(json_object_get(t, "period"), "to")),
	              "2020-03-03T00:00:00Z");
	json_decref(t);
}

static void setup_and_run(void)
{
	REQUIRE(seed() == 0);
}

static void teardown(void)
{
	store_close(st);
	st = NULL;
}

TEST_MAIN(TEST(setup_and_run), TEST(test_copies), TEST(test_opened_per_year),
          TEST(test_growth_and_roles), TEST(test_until), TEST(teardown))
