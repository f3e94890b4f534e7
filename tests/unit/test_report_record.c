/*
 * test_report_record.c — the statement record as analysts read it: the
 * report's "Edited and deleted" section in every format (before and after
 * of an edit, a deleted post with its categories, hostile text escaped)
 * and the edits and deletions per account of the trends.  Runs on SQLite
 * (test_report_record) and PostgreSQL (test_report_record_pg).
 */
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "store.h"
#include "test.h"
#include "util.h"

#define T0 1584000000 /* 2020-03-12T08:00:00Z */

static struct store *st;
static struct store_feed_state fs;

static void open_log(void)
{
	static struct config_feed feed = {"https://a.example/rss",
	                                  FEED_KIND_WEB, 1};
	static struct config_account acc = {.key = "amb_a",
	                                    .role = ROLE_DIPLOMAT,
	                                    .feeds = &feed,
	                                    .n_feeds = 1};
	static struct config cfg = {.accounts = &acc, .n_accounts = 1};
	char err[256];

	REQUIRE(store_open(test_database("record.db"), &st, err, sizeof(err)) ==
	        0);
	REQUIRE(store_sync_config(st, &cfg) == 0);
	REQUIRE(store_feed_state(st, "amb_a", "https://a.example/rss", &fs) ==
	        0);
}

/* One poll of entries (key, text, published) at time at; the entry with
 * key `classified` gets origin_narrative. */
static void poll(int64_t at, const char *const (*items)[2], size_t n,
                 const char *classified)
{
	struct feed_entry e[4];
	struct classify_result res[4];
	struct classify_evidence ev = {(char *)"US Army", 0, 7};
	struct classify_category cat = {.key = "origin_narrative",
	                                .score = 2.0,
	                                .assigned = 1,
	                                .evidence = &ev,
	                                .n_evidence = 1};
	struct feed_doc doc = {0};
	struct store_poll p = {0};
	struct store_poll_counts c;
	size_t i;

	memset(e, 0, sizeof(e));
	memset(res, 0, sizeof(res));
	for (i = 0; i < n; i++) {
		e[i].id = (char *)items[i][0];
		e[i].text = (char *)items[i][1];
		e[i].link = (char *)"https://a.example/p?<x>";
		e[i].published = T0 - (int64_t)(i + 1) * 3600;
		e[i].updated = TIME_UNKNOWN;
		if (classified && strcmp(items[i][0], classified) == 0) {
			res[i].cats = &cat;
			res[i].n_cats = 1;
		}
	}
	doc.entries = e;
	doc.n_entries = n;
	p.feed_id = fs.feed_id;
	p.started_us = at * 1000000;
	p.http_status = 200;
	p.next_poll = at + 900;
	p.doc = &doc;
	p.results = res;
	p.rules_version = "test-rules";
	ASSERT_INT_EQ(store_record_poll(st, &p, &c), 0);
}

static void test_section(void)
{
	static const char *const first[][2] = {
	    {"a", "The US Army brought it"},
	    {"b", "<script>alert(1)</script> US Army withdrawn"},
	    {"c", "Oldest post"},
	};
	static const char *const second[][2] = {
	    {"a", "The origin is for scientists"},
	    {"c", "Oldest post"},
	};
	static const enum report_format formats[] = {
	    REPORT_FORMAT_TEXT, REPORT_FORMAT_MD, REPORT_FORMAT_HTML,
	    REPORT_FORMAT_JSON};
	const json_t *rec, *ed, *del;
	json_t *r = NULL, *tr = NULL;
	char err[256];
	size_t i;

	open_log();
	REQUIRE(st);
	poll(T0, first, 3, "b");
	poll(T0 + 600, second, 2, NULL);
	REQUIRE(report_build(st, T0 - 86400, T0 + 86400, &r, err,
	                     sizeof(err)) == 0);
	rec = json_object_get(r, "record");
	REQUIRE(rec);
	ASSERT_INT_EQ(json_integer_value(json_object_get(rec, "edits")), 1);
	ASSERT_INT_EQ(json_integer_value(json_object_get(rec, "deletions")), 1);
	ed = json_array_get(json_object_get(rec, "edited"), 0);
	REQUIRE(ed);
	ASSERT_STR_EQ(json_string_value(json_object_get(ed, "text_before")),
	              "The US Army brought it");
	ASSERT_STR_EQ(json_string_value(json_object_get(ed, "text_after")),
	              "The origin is for scientists");
	ASSERT_STR_EQ(json_string_value(json_object_get(ed, "diff")),
	              "The [-US Army brought it-] {+origin is for "
	              "scientists+}");
	del = json_array_get(json_object_get(rec, "deleted"), 0);
	REQUIRE(del);
	ASSERT_STR_EQ(json_string_value(json_array_get(
	                  json_object_get(del, "categories"), 0)),
	              "origin_narrative");
	for (i = 0; i < ARRAY_SIZE(formats); i++) {
		struct buf b = {0};

		REQUIRE(report_render(r, formats[i], &b) == 0);
		if (formats[i] != REPORT_FORMAT_JSON)
			ASSERT(strstr(b.data, "Edited and deleted") != NULL);
		ASSERT(strstr(b.data, "The origin is for scientists") != NULL);
		ASSERT(strstr(b.data, formats[i] == REPORT_FORMAT_MD
		                          ? "origin\\_narrative"
		                          : "origin_narrative") != NULL);
		if (formats[i] == REPORT_FORMAT_HTML)
			ASSERT(strstr(b.data, "<script>") == NULL);
		buf_free(&b);
	}
	json_decref(r);

	REQUIRE(report_trends_build(st, 0, INT64_MAX, &tr, err, sizeof(err)) ==
	        0);
	{
		char *js = json_dumps(json_object_get(tr, "edits_deletions"),
		                      JSON_COMPACT | JSON_SORT_KEYS);
		struct buf b = {0};

		ASSERT_STR_EQ(js ? js : "",
		              "[{\"deletions\":1,\"edits\":1,\"handle\":"
		              "\"amb_a\"}]");
		free(js);

		REQUIRE(report_trends_render(tr, REPORT_FORMAT_CSV, &b) == 0);
		ASSERT(strstr(b.data, "edits,,,,,amb_a,1\n") != NULL);
		ASSERT(strstr(b.data, "deletions,,,,,amb_a,1\n") != NULL);
		buf_free(&b);
		REQUIRE(report_trends_render(tr, REPORT_FORMAT_TEXT, &b) == 0);
		ASSERT(strstr(b.data, "Edits and deletions per account") !=
		       NULL);
		buf_free(&b);
	}
	json_decref(tr);
	store_feed_state_clear(&fs);
	store_close(st);
}

TEST_MAIN(TEST(test_section))
