/*
 * test_report.c — the report model and its renderings.  A small log is
 * built through the store API (accounts, polls over two weeks, snapshots,
 * a failing feed); the tests check the model's numbers exactly, its JSON
 * shape, that hostile post text cannot inject markup or scripts into the
 * HTML and Markdown renderings, the trends model, and the exit codes of
 * the report command.  Runs on SQLite (test_report) and PostgreSQL
 * (test_report_pg).
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <sysexits.h>
#include <unistd.h>

#include "cmd.h"
#include "report.h"
#include "store.h"
#include "test.h"
#include "util.h"

#define DAY 86400
/* The report period: 2020-03-08T00:00:00Z .. 2020-03-15T00:00:00Z. */
#define FROM 1583625600
#define TO   (FROM + 7 * DAY)

static const char *path_in_tmp(const char *name)
{
	static char path[4][512];
	static int next;
	char *p = path[next++ % 4];

	snprintf(p, 512, "%s/%s", test_tmpdir(), name);
	return p;
}

/* The log every report test reads; built once, in target (test_database). */
static struct store *st;
static const char *target;

struct post_spec {
	const char *account; /* which feed: account handle */
	const char *id;
	const char *text;
	const char *link;
	int64_t published; /* or TIME_UNKNOWN */
	int64_t seen;      /* poll time */
	const char *cat1;  /* or NULL */
	double score1;
	const char *cat2; /* or NULL */
	double score2;
};

static const struct post_spec posts[] = {
    /* In the period. */
    {"amb_a", "a1", "The US Army brought the virus to Wuhan",
     "https://a.example/1", FROM + 1 * DAY + 3600, FROM + 2 * DAY,
     "origin_narrative", 2.5, NULL, 0},
    {"amb_a", "a2", "Herd immunity is a massacre; the origin is unknown",
     "https://a.example/2", FROM + 2 * DAY, FROM + 2 * DAY, "origin_narrative",
     1.0, "western_failure", 1.5},
    {"amb_a", "a3", "A quiet day at the embassy", NULL, FROM + 6 * DAY,
     FROM + 6 * DAY + 60, NULL, 0, NULL, 0},
    {"amb_a", "a4",
     "<script>alert(1)</script> boycott \x1b[31mred\x1b[0m "
     "[x](javascript:alert(2)) <img src=x onerror=alert(3)>",
     "javascript:alert(4)", FROM + 3 * DAY, FROM + 3 * DAY, "economic_coercion",
     3.0, NULL, 0},
    {"mission_b", "b1", "China bought the world precious time",
     "https://b.example/1?a=1&b=\"2\"", FROM + 1 * DAY, FROM + 1 * DAY,
     "blame_rebuttal", 1.0, NULL, 0},
    /* No published time: counted by first-seen (in the period). */
    {"mission_b", "b2", "Undated statement", NULL, TIME_UNKNOWN, FROM + 4 * DAY,
     NULL, 0, NULL, 0},
    /* The period's first second belongs to it, its end does not. */
    {"mission_b", "b3", "Exactly at the start", NULL, FROM, FROM, NULL, 0, NULL,
     0},
    {"mission_b", "b4", "Exactly at the end", NULL, TO, TO, NULL, 0, NULL, 0},
    /* The previous period. */
    {"amb_a", "a0", "Fort Detrick", NULL, FROM - 3 * DAY, FROM - 3 * DAY,
     "origin_narrative", 1.0, NULL, 0},
    {"spox_c", "c1", "Fake news from anti-China media", NULL, FROM - 2 * DAY,
     FROM - 2 * DAY, "western_failure", 1.0, NULL, 0},
    {"spox_c", "c2", "Politicising the virus", NULL, FROM - 1 * DAY,
     FROM - 1 * DAY, "western_failure", 1.0, NULL, 0},
    /* Undated, first seen before the period: not in it. */
    {"spox_c", "c3", "Old undated", NULL, TIME_UNKNOWN, FROM - 10, NULL, 0,
     NULL, 0},
};

static struct config_feed feeds[4] = {
    {"https://a.example/rss", FEED_KIND_WEB, 1},
    {"https://b.example/rss", FEED_KIND_WEB, 2},
    {"https://c.example/rss", FEED_KIND_WEB, 3},
    {"https://c.example/broken", FEED_KIND_WEB, 4},
};
static struct config_account accounts[4];
static struct config cfg;

static int64_t feed_of(const char *handle, const char *url)
{
	struct store_feed_state fs;
	int64_t id = -1;

	if (store_feed_state(st, handle, url, &fs) == 0)
		id = fs.feed_id;
	store_feed_state_clear(&fs);
	return id;
}

static const char *url_of(const char *handle)
{
	return handle[0] == 'a'   ? feeds[0].url
	       : handle[0] == 'm' ? feeds[1].url
	                          : feeds[2].url;
}

/* One poll carrying one post (and optionally follower counts). */
static int record(const struct post_spec *p, int64_t followers)
{
	struct feed_entry e = {0};
	struct feed_doc doc = {0};
	struct classify_evidence ev[2] = {{(char *)"US Army", 4, 11},
	                                  {(char *)"Wuhan", 33, 38}};
	struct classify_category cats[2] = {
	    {.key = p->cat1,
	     .score = p->score1,
	     .assigned = 1,
	     .evidence = ev,
	     .n_evidence = 2},
	    {.key = p->cat2,
	     .score = p->score2,
	     .assigned = 1,
	     .evidence = ev + 1,
	     .n_evidence = 1},
	};
	struct classify_result res = {.cats = cats,
	                              .n_cats = p->cat2   ? 2
	                                        : p->cat1 ? 1
	                                                  : 0};
	struct store_poll poll = {0};
	struct store_poll_counts c;

	e.id = (char *)p->id;
	e.text = (char *)p->text;
	e.link = (char *)p->link;
	e.published = p->published;
	e.updated = TIME_UNKNOWN;
	doc.entries = &e;
	doc.n_entries = 1;
	if (followers >= 0) {
		doc.has_account = true;
		doc.account = (struct feed_account){NULL, NULL, followers,
		                                    -1,   -1,   TIME_UNKNOWN};
	}
	poll.feed_id = feed_of(p->account, url_of(p->account));
	poll.started_us = p->seen * 1000000;
	poll.http_status = 200;
	poll.next_poll = p->seen + 900;
	poll.doc = &doc;
	poll.results = &res;
	poll.rules_version = "test-rules";
	return store_record_poll(st, &poll, &c);
}

static void build_log(void)
{
	struct store_poll poll = {0};
	struct store_poll_counts c;
	char err[256];
	size_t i;

	if (st)
		return;
	accounts[0] = (struct config_account){"amb_a",
	                                      "Ambassador A",
	                                      ROLE_DIPLOMAT,
	                                      "FR",
	                                      1560000000 /* 2019-06-08 */,
	                                      900,
	                                      &feeds[0],
	                                      1,
	                                      1};
	accounts[1] = (struct config_account){"mission_b",
	                                      NULL,
	                                      ROLE_MISSION,
	                                      "JP",
	                                      1570000000 /* 2019-10-02 */,
	                                      900,
	                                      &feeds[1],
	                                      1,
	                                      2};
	accounts[2] = (struct config_account){"spox_c",
	                                      NULL,
	                                      ROLE_SPOKESPERSON,
	                                      "CN",
	                                      1530000000 /* 2018-06-26 */,
	                                      900,
	                                      &feeds[2],
	                                      2,
	                                      3};
	accounts[3] = (struct config_account){
	    "unknown_d", NULL, ROLE_OTHER, NULL, TIME_UNKNOWN, 900, NULL, 0, 4};
	cfg.accounts = accounts;
	cfg.n_accounts = 4;
	target = test_database("report.db");
	if (store_open(target, &st, err, sizeof(err)) < 0) {
		fprintf(stderr, "store_open: %s\n", err);
		exit(1);
	}
	if (store_sync_config(st, &cfg) < 0) {
		fprintf(stderr, "sync: %s\n", store_errmsg(st));
		exit(1);
	}
	for (i = 0; i < ARRAY_SIZE(posts); i++)
		if (record(&posts[i], -1) < 0) {
			fprintf(stderr, "record: %s\n", store_errmsg(st));
			exit(1);
		}
	/* Followers of amb_a: 1000 before the period, 1035 in it. */
	if (record(&posts[8], 1000) < 0 || record(&posts[2], 1035) < 0)
		exit(1);
	/* The second feed of spox_c keeps failing. */
	poll.feed_id = feed_of("spox_c", "https://c.example/broken");
	poll.started_us = (int64_t)(FROM + 5 * DAY) * 1000000;
	poll.http_status = 503;
	poll.error = "HTTP 503 <b>Service Unavailable</b>";
	poll.next_poll = FROM + 6 * DAY;
	if (store_record_poll(st, &poll, &c) < 0)
		exit(1);
}

static json_t *report(void)
{
	char err[256];
	json_t *r = NULL;

	build_log();
	if (report_build(st, FROM, TO, &r, err, sizeof(err)) < 0)
		fprintf(stderr, "report_build: %s\n", err);
	return r;
}

static long long jget(const json_t *root, const char *path)
{
	json_t *v = json_object_get(root, path);

	return json_is_integer(v) ? (long long)json_integer_value(v) : -999;
}

static const json_t *account(const json_t *r, const char *handle)
{
	const json_t *list = json_object_get(r, "accounts");
	size_t i;

	for (i = 0; i < json_array_size(list); i++) {
		const json_t *a = json_array_get(list, i);

		if (strcmp(json_string_value(json_object_get(a, "handle")),
		           handle) == 0)
			return a;
	}
	return NULL;
}

static void test_numbers(void)
{
	json_t *r = report(), *totals, *cats, *origin, *west, *top, *ex;
	const json_t *a, *b, *c;

	REQUIRE(r);
	ASSERT_STR_EQ(json_string_value(json_object_get(
	                  json_object_get(r, "period"), "from")),
	              "2020-03-08T00:00:00Z");
	ASSERT_STR_EQ(json_string_value(
	                  json_object_get(json_object_get(r, "period"), "to")),
	              "2020-03-15T00:00:00Z");
	totals = json_object_get(r, "totals");
	ASSERT_INT_EQ(jget(totals, "posts"), 7); /* a1-a4, b1-b3 */
	ASSERT_INT_EQ(jget(totals, "accounts_active"), 2);
	ASSERT_INT_EQ(jget(totals, "classified"), 4);

	cats = json_object_get(r, "categories");
	ASSERT_INT_EQ(json_object_size(cats), 4);
	origin = json_object_get(cats, "origin_narrative");
	west = json_object_get(cats, "western_failure");
	ASSERT_INT_EQ(jget(origin, "count"), 2);
	ASSERT_INT_EQ(jget(origin, "previous"), 1);
	ASSERT_INT_EQ(jget(origin, "change"), 1);
	ASSERT_INT_EQ(jget(west, "count"), 1);
	ASSERT_INT_EQ(jget(west, "previous"), 2);
	ASSERT_INT_EQ(jget(west, "change"), -1);
	ASSERT_INT_EQ(jget(json_object_get(cats, "blame_rebuttal"), "count"),
	              1);
	ASSERT_INT_EQ(jget(json_object_get(cats, "blame_rebuttal"), "previous"),
	              0);
	ASSERT_INT_EQ(jget(json_object_get(cats, "economic_coercion"), "count"),
	              1);
	top = json_object_get(origin, "top_accounts");
	ASSERT_INT_EQ(json_array_size(top), 1);
	ASSERT_STR_EQ(json_string_value(
	                  json_object_get(json_array_get(top, 0), "handle")),
	              "amb_a");
	ASSERT_INT_EQ(jget(json_array_get(top, 0), "posts"), 2);
	/* Examples strongest first, with evidence and link. */
	ex = json_object_get(origin, "examples");
	ASSERT_INT_EQ(json_array_size(ex), 2);
	ASSERT(json_real_value(
	           json_object_get(json_array_get(ex, 0), "score")) == 2.5);
	ASSERT_STR_EQ(
	    json_string_value(json_object_get(json_array_get(ex, 0), "url")),
	    "https://a.example/1");
	ASSERT_STR_EQ(
	    json_string_value(json_object_get(
	        json_array_get(
	            json_object_get(json_array_get(ex, 0), "evidence"), 1),
	        "term")),
	    "Wuhan");
	ASSERT_INT_EQ(
	    jget(json_array_get(
	             json_object_get(json_array_get(ex, 0), "evidence"), 0),
	         "start"),
	    4);

	/* Accounts: posts, category mix, followers and their change. */
	a = account(r, "amb_a");
	b = account(r, "mission_b");
	c = account(r, "spox_c");
	REQUIRE(a && b && c);
	ASSERT_INT_EQ(jget(a, "posts"), 4);
	ASSERT_INT_EQ(
	    jget(json_object_get(a, "categories"), "origin_narrative"), 2);
	ASSERT_INT_EQ(jget(json_object_get(a, "categories"), "blame_rebuttal"),
	              0);
	ASSERT_INT_EQ(jget(a, "followers"), 1035);
	ASSERT_INT_EQ(jget(a, "followers_change"), 35);
	ASSERT_STR_EQ(json_string_value(json_object_get(a, "role")),
	              "diplomat");
	ASSERT_INT_EQ(jget(b, "posts"), 3);
	ASSERT(json_is_null(json_object_get(b, "followers")));
	ASSERT_INT_EQ(jget(c, "posts"), 0);
	ASSERT_STR_EQ(
	    json_string_value(json_object_get(
	        json_array_get(json_object_get(r, "accounts"), 0), "handle")),
	    "amb_a");

	/* Growth from accounts.created. */
	{
		const json_t *g = json_object_get(r, "growth"),
		             *y = json_object_get(g, "opened_per_year");

		ASSERT_INT_EQ(json_object_size(y), 2);
		ASSERT_INT_EQ(jget(json_object_get(y, "2019"), "diplomat"), 1);
		ASSERT_INT_EQ(jget(json_object_get(y, "2019"), "mission"), 1);
		ASSERT_INT_EQ(jget(json_object_get(y, "2018"), "spokesperson"),
		              1);
		ASSERT_INT_EQ(jget(g, "accounts_total"), 4);
		ASSERT_INT_EQ(jget(g, "created_unknown"), 1);
	}
	/* Days: all seven, zero-filled. */
	{
		const json_t *days = json_object_get(r, "days");

		ASSERT_INT_EQ(json_array_size(days), 7);
		ASSERT_STR_EQ(json_string_value(json_object_get(
		                  json_array_get(days, 0), "day")),
		              "2020-03-08");
		ASSERT_INT_EQ(jget(json_array_get(days, 0), "posts"), 1);
		ASSERT_INT_EQ(jget(json_array_get(days, 1), "posts"), 2);
		ASSERT_INT_EQ(jget(json_array_get(days, 5), "posts"), 0);
		ASSERT_INT_EQ(
		    jget(json_object_get(json_array_get(days, 2), "categories"),
		         "western_failure"),
		    1);
	}
	/* Feed health. */
	{
		const json_t *f = json_object_get(r, "feeds"),
		             *failing = json_object_get(f, "failing");

		ASSERT_INT_EQ(jget(f, "total"), 4);
		ASSERT_INT_EQ(jget(f, "ok"), 3);
		ASSERT_INT_EQ(json_array_size(failing), 1);
		ASSERT_STR_EQ(json_string_value(json_object_get(
		                  json_array_get(failing, 0), "url")),
		              "https://c.example/broken");
		ASSERT_STR_EQ(json_string_value(json_object_get(
		                  json_array_get(failing, 0), "since")),
		              "2020-03-13T00:00:00Z");
		ASSERT(json_is_null(json_object_get(json_array_get(failing, 0),
		                                    "last_success")));
		/* feeds.source: a web feed never read is "web". */
		ASSERT_STR_EQ(json_string_value(json_object_get(
		                  json_array_get(failing, 0), "source")),
		              "web");
	}
	json_decref(r);
}

static void test_json_shape(void)
{
	static const char *const top[] = {"period",   "totals", "categories",
	                                  "accounts", "growth", "feeds"};
	static const char *const cat_keys[] = {"count", "previous",
	                                       "top_accounts", "examples"};
	json_t *r = report(), *back;
	struct buf b = {0};
	const char *key;
	json_t *cat;
	size_t i;

	REQUIRE(r);
	for (i = 0; i < ARRAY_SIZE(top); i++)
		ASSERT(json_object_get(r, top[i]) != NULL);
	json_object_foreach(json_object_get(r, "categories"), key, cat)
	{
		for (i = 0; i < ARRAY_SIZE(cat_keys); i++)
			ASSERT(json_object_get(cat, cat_keys[i]) != NULL);
		ASSERT(json_is_array(json_object_get(cat, "examples")));
	}
	ASSERT(json_is_array(json_object_get(r, "accounts")));
	ASSERT(json_is_object(
	    json_object_get(json_object_get(r, "growth"), "opened_per_year")));
	ASSERT(json_is_array(
	    json_object_get(json_object_get(r, "feeds"), "failing")));
	/* The json rendering is the model itself. */
	ASSERT_INT_EQ(report_render(r, REPORT_FORMAT_JSON, &b), 0);
	back = json_loads(b.data, 0, NULL);
	ASSERT(back && json_equal(back, r));
	ASSERT(strchr(b.data, '\n') != NULL); /* pretty */
	json_decref(back);
	buf_free(&b);
	json_decref(r);
}

static bool contains_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return true;
	return false;
}

static void test_html_escapes(void)
{
	json_t *r = report();
	struct buf b = {0};

	REQUIRE(r);
	ASSERT_INT_EQ(report_render(r, REPORT_FORMAT_HTML, &b), 0);
	REQUIRE(b.data);
	ASSERT(strncmp(b.data, "<!DOCTYPE html>", 15) == 0);
	ASSERT(strstr(b.data, "</html>\n") != NULL);
	/* The hostile post is shown, escaped, and nothing of it is live. */
	ASSERT(strstr(b.data, "&#60;script&#62;alert(1)&#60;/script&#62;"));
	ASSERT(!contains_ci(b.data, "<script"));
	ASSERT(!contains_ci(b.data, "<img"));
	ASSERT(!contains_ci(b.data, "href=\"javascript"));
	ASSERT(!strchr(b.data, '\x1b'));
	/* Safe links are links; a quote in a URL keeps it from being one. */
	ASSERT(strstr(b.data, "href=\"https://a.example/1\""));
	ASSERT(!strstr(b.data, "href=\"https://b.example/1"));
	/* The server's error string is text, not markup. */
	ASSERT(strstr(b.data, "&#60;b&#62;Service Unavailable"));
	ASSERT(!strstr(b.data, "<b>Service"));
	/* Inline SVG charts and no external resources. */
	ASSERT(strstr(b.data, "<svg") != NULL);
	ASSERT(strstr(b.data, "accounts opened per year") != NULL);
	ASSERT(!strstr(b.data, "src=\"http"));
	ASSERT(strstr(b.data, "Content-Security-Policy") != NULL);
	buf_free(&b);
	json_decref(r);
}

static void test_md_and_text_escapes(void)
{
	json_t *r = report();
	struct buf md = {0}, txt = {0};

	REQUIRE(r);
	ASSERT_INT_EQ(report_render(r, REPORT_FORMAT_MD, &md), 0);
	REQUIRE(md.data);
	ASSERT(!contains_ci(md.data, "<script"));
	ASSERT(!contains_ci(md.data, "<img"));
	ASSERT(!contains_ci(md.data, "](javascript"));
	ASSERT(!strchr(md.data, '\x1b'));
	ASSERT(strstr(md.data, "\\[x\\]\\(javascript:alert(2))") != NULL);
	ASSERT(strstr(md.data, "([source](https://a.example/1))") != NULL);
	ASSERT(strstr(md.data, "| origin\\_narrative | 2 | 2 | 1 | \\+1 |") !=
	       NULL);

	ASSERT_INT_EQ(report_render(r, REPORT_FORMAT_TEXT, &txt), 0);
	REQUIRE(txt.data);
	ASSERT(!strchr(txt.data, '\x1b'));
	ASSERT(strstr(txt.data, "7 posts from 2 accounts, 7 statements; 4 "
	                        "classified") != NULL);
	/* Aligned columns: the header and the row line up on the counts. */
	ASSERT(
	    strstr(txt.data,
	           "  origin_narrative       2           2         1      +1"));
	ASSERT_INT_EQ(report_render(r, REPORT_FORMAT_CSV, &txt), -EINVAL);
	buf_free(&md);
	buf_free(&txt);
	json_decref(r);
}

/* The widest line of text in terminal columns (East Asian wide
 * characters count 2), links apart: they cannot be cut. */
static size_t widest_line(const char *s)
{
	size_t max = 0;

	while (*s) {
		const char *end = strchr(s, '\n');
		size_t n = end ? (size_t)(end - s) : strlen(s), w = 0, i = 0;

		while (i < n) {
			unsigned char c = (unsigned char)s[i];
			size_t len = c < 0x80   ? 1
			             : c < 0xe0 ? 2
			             : c < 0xf0 ? 3
			                        : 4;

			/* From U+3000 on, three-byte sequences here are CJK
			 * and kana: two columns ("…" at U+2026 is one). */
			w += len == 3 && c >= 0xe3 ? 2 : 1;
			i += len;
		}
		{
			const char *link = strstr(s, "://");

			if (w > max && (!link || (end && link > end)))
				max = w;
		}
		s = end ? end + 1 : s + n;
	}
	return max;
}

static void test_text_fits_columns(void)
{
	json_t *r = report();
	struct buf b = {0};

	REQUIRE(r);
	ASSERT_INT_EQ(report_render(r, REPORT_FORMAT_TEXT, &b), 0);
	REQUIRE(b.data);
	ASSERT(widest_line(b.data) <= 80);
	buf_reset(&b);
	/* A wider terminal gets wider tables and lines. */
	ASSERT_INT_EQ(report_render_cols(r, REPORT_FORMAT_TEXT, 120, &b), 0);
	REQUIRE(b.data);
	ASSERT(widest_line(b.data) <= 120);
	ASSERT(widest_line(b.data) > 80);
	/* Narrowed cells end in a "…"; the default is back afterwards. */
	buf_reset(&b);
	ASSERT_INT_EQ(report_render(r, REPORT_FORMAT_TEXT, &b), 0);
	ASSERT(widest_line(b.data) <= 80);
	/* $COLUMNS=60: the accounts-opened table's headings give way
	 * ("spokesp…") rather than overflow; numbers stay whole. */
	buf_reset(&b);
	ASSERT_INT_EQ(report_render_cols(r, REPORT_FORMAT_TEXT, 60, &b), 0);
	ASSERT(widest_line(b.data) <= 60);
	ASSERT(strstr(b.data, "spokesperson  mission") == NULL);
	buf_free(&b);
	json_decref(r);
}

/* The day chart's date labels never overlap, whatever the span: for each
 * period, the x of successive labels are far enough apart for their
 * text (10 characters of 12 px; "MM-DD" for two weeks or less), and the
 * axis has at least two. */
static void test_day_ticks_apart(void)
{
	static const int spans[] = {7, 14, 15, 30, 61, 100, 121, 365};
	struct buf b = {0};
	char err[128];
	size_t i;

	build_log();
	for (i = 0; i < ARRAY_SIZE(spans); i++) {
		json_t *r = NULL;
		const char *p, *end;
		double x, prev = -1000, need = spans[i] <= 14 ? 40 : 72;
		int labels = 0;

		ASSERT_INT_EQ(report_build(st, FROM - (spans[i] - 7) * DAY, TO,
		                           &r, err, sizeof(err)),
		              0);
		buf_reset(&b);
		ASSERT_INT_EQ(report_render(r, REPORT_FORMAT_HTML, &b), 0);
		p = strstr(b.data, "aria-label=\"posts per day\"");
		REQUIRE(p);
		end = strstr(p, "</svg>");
		while ((p = strstr(p, "<text x=\"")) && p < end) {
			const char *q = strchr(p, '>');

			if (sscanf(p, "<text x=\"%lf\"", &x) == 1 && q &&
			    strstr(p, "text-anchor=\"middle\"") &&
			    strstr(p, "text-anchor=\"middle\"") < q) {
				if (x - prev < need)
					fprintf(stderr,
					        "span %d: labels at %.1f"
					        " and %.1f\n",
					        spans[i], prev, x);
				ASSERT(x - prev >= need);
				prev = x;
				labels++;
			}
			p++;
		}
		ASSERT(labels >= 2);
		json_decref(r);
	}
	buf_free(&b);
}

static void test_plurals(void)
{
	struct buf b = {0};
	char err[128];
	json_t *r = NULL, *totals;

	build_log();
	ASSERT_INT_EQ(report_build(st, 0, 1000, &r, err, sizeof(err)), 0);
	REQUIRE(r);
	totals = json_object_get(r, "totals");
	json_object_set_new(totals, "posts", json_integer(1));
	json_object_set_new(totals, "accounts_active", json_integer(1));
	ASSERT_INT_EQ(report_render(r, REPORT_FORMAT_TEXT, &b), 0);
	json_object_set_new(totals, "statements", json_integer(1));
	ASSERT_INT_EQ(report_render(r, REPORT_FORMAT_TEXT, &b), 0);
	ASSERT(strstr(b.data, "1 post from 1 account, 1 statement; ") != NULL);
	json_decref(r);
	buf_free(&b);
}

/* A year of UTC days lists 365 days, quiet ones included, each with its
 * posts and classified posts, summing to the totals. */
static void test_year_of_days(void)
{
	char err[128];
	json_t *r = NULL, *days;
	long long sum = 0, cls = 0;
	size_t i;

	build_log();
	/* FROM is midnight UTC 2020-03-08; 2020-03-08 + 365 days. */
	ASSERT_INT_EQ(report_build(st, FROM - 7 * DAY, FROM + 358 * DAY, &r,
	                           err, sizeof(err)),
	              0);
	REQUIRE(r);
	days = json_object_get(r, "days");
	ASSERT_INT_EQ((long long)json_array_size(days), 365);
	for (i = 0; i < json_array_size(days); i++) {
		sum += jget(json_array_get(days, i), "posts");
		cls += jget(json_array_get(days, i), "posts_classified");
	}
	ASSERT_INT_EQ(sum, jget(json_object_get(r, "totals"), "posts"));
	ASSERT_INT_EQ(cls, jget(json_object_get(r, "totals"), "classified"));
	ASSERT_INT_EQ(jget(json_object_get(r, "period"), "days"), 365);
	json_decref(r);
}

static int run(int (*fn)(const struct cmd_globals *, int, char **),
               const char *db, int argc, const char **argv);

/* `report --since 365d --until <mid-day>` lists 365 days, not 366 (the
 * day rule of cmd_period_days()), and every format says the period is
 * half-open. */
static void test_year_mid_day(void)
{
	char out[512], until[32];
	const char *a[] = {"report",   "--since", "365d", "--until", until,
	                   "--format", "json",    "-o",   out,       NULL};
	static const char *const fmts[] = {"text", "md", "html"};
	char *data = NULL;
	json_t *r;
	size_t len, i;

	build_log();
	snprintf(out, sizeof(out), "%s", path_in_tmp("year.json"));
	snprintf(until, sizeof(until), "2021-03-07T15:30");
	ASSERT_INT_EQ(run(cmd_report_main, target, 9, a), 0);
	r = json_load_file(out, 0, NULL);
	REQUIRE(r);
	ASSERT_INT_EQ((long long)json_array_size(json_object_get(r, "days")),
	              365);
	ASSERT_STR_EQ(json_string_value(json_object_get(
	                  json_object_get(r, "period"), "from")),
	              "2020-03-08T00:00:00Z");
	ASSERT(json_is_true(
	    json_object_get(json_object_get(r, "period"), "half_open")));
	json_decref(r);
	for (i = 0; i < ARRAY_SIZE(fmts); i++) {
		a[6] = fmts[i];
		ASSERT_INT_EQ(run(cmd_report_main, target, 9, a), 0);
		REQUIRE(util_read_file(out, 0, &data, &len) == 0);
		ASSERT(strstr(data, "up to but not including "
		                    "2021-03-07T15:30:00Z") != NULL);
		free(data);
	}
}

/* trends --since/--until: only [since, until) counts; the period is in
 * the JSON, the text and the CSV's first row. */
static void test_trends_until(void)
{
	char out[512];
	const char *a[] = {"trends",     "--since",  "2020-03-09", "--until",
	                   "2020-03-12", "--format", "csv",        "-o",
	                   out,          NULL};
	struct buf txt = {0};
	char err[128], *data = NULL;
	const json_t *weeks;
	json_t *t = NULL;
	size_t len;

	build_log();
	REQUIRE(report_trends_build(st, FROM + DAY, FROM + 4 * DAY, &t, err,
	                            sizeof(err)) == 0);
	weeks = json_object_get(t, "posts_per_week");
	ASSERT_INT_EQ(json_array_size(weeks), 1);
	ASSERT_STR_EQ(json_string_value(
	                  json_object_get(json_array_get(weeks, 0), "week")),
	              "2020-03-09");
	ASSERT(jget(json_array_get(weeks, 0), "posts") < 7);
	ASSERT(json_is_true(
	    json_object_get(json_object_get(t, "period"), "half_open")));
	ASSERT_INT_EQ(report_trends_render(t, REPORT_FORMAT_TEXT, &txt), 0);
	ASSERT(strstr(txt.data, "Period: from 2020-03-09T00:00:00Z up to but "
	                        "not including 2020-03-12T00:00:00Z") != NULL);
	json_decref(t);
	buf_free(&txt);
	/* Weeks without posts are rows of zeros: two quiet weeks before the
	 * posts, from the week --since falls in. */
	REQUIRE(report_trends_build(st, FROM - 14 * DAY, TO, &t, err,
	                            sizeof(err)) == 0);
	weeks = json_object_get(t, "posts_per_week");
	ASSERT_INT_EQ(json_array_size(weeks), 4);
	ASSERT_STR_EQ(json_string_value(
	                  json_object_get(json_array_get(weeks, 0), "week")),
	              "2020-02-17");
	ASSERT_INT_EQ(jget(json_array_get(weeks, 1), "posts"), 0);
	ASSERT_INT_EQ(report_trends_render(t, REPORT_FORMAT_CSV, &txt), 0);
	ASSERT(
	    strstr(txt.data, "\nposts_per_week,2020-02-24,2020-03-02,,,,0\n"));
	ASSERT(strstr(txt.data, "\ncategory_count_per_week,2020-02-24,"
	                        "2020-03-02,,origin_narrative,,0\n"));
	json_decref(t);
	buf_free(&txt);
	snprintf(out, sizeof(out), "%s", path_in_tmp("until.csv"));
	ASSERT_INT_EQ(run(cmd_trends_main, target, 9, a), 0);
	REQUIRE(util_read_file(out, 0, &data, &len) == 0);
	ASSERT(strstr(data, "\nperiod,2020-03-09T00:00:00Z,"
	                    "2020-03-12T00:00:00Z,,,,3\n") != NULL);
	ASSERT(strstr(data, "posts_per_week,2020-03-02,") == NULL);
	free(data);
	a[4] = "2020-03-08";
	ASSERT_INT_EQ(run(cmd_trends_main, target, 9, a), EX_USAGE);
}

static void test_empty_period(void)
{
	struct buf b = {0};
	char err[128];
	json_t *r = NULL;

	build_log();
	ASSERT_INT_EQ(report_build(st, 0, 1000, &r, err, sizeof(err)), 0);
	REQUIRE(r);
	ASSERT_INT_EQ(jget(json_object_get(r, "totals"), "posts"), 0);
	ASSERT_INT_EQ(report_render(r, REPORT_FORMAT_HTML, &b), 0);
	ASSERT_INT_EQ(report_render(r, REPORT_FORMAT_TEXT, &b), 0);
	ASSERT(strstr(b.data, "(no classified posts in this period)") != NULL);
	json_decref(r);
	buf_free(&b);
	ASSERT_INT_EQ(report_build(st, 10, 10, &r, err, sizeof(err)), -EINVAL);
}

static void test_trends(void)
{
	struct buf csv = {0}, txt = {0};
	const json_t *weeks, *fg;
	char err[128];
	json_t *t = NULL;

	build_log();
	REQUIRE(report_trends_build(st, 0, INT64_MAX, &t, err, sizeof(err)) ==
	        0);
	ASSERT_INT_EQ(
	    jget(json_object_get(json_object_get(t, "opened_per_year"), "2019"),
	         "diplomat"),
	    1);
	fg = json_object_get(t, "follower_growth");
	ASSERT_INT_EQ(json_array_size(fg), 1);
	ASSERT_INT_EQ(jget(json_array_get(fg, 0), "change"), 35);
	ASSERT(json_real_value(json_object_get(json_array_get(fg, 0),
	                                       "change_pct")) == 3.5);
	/* Weeks start on Monday: 2020-03-02 and -09 hold all 12 posts. */
	weeks = json_object_get(t, "posts_per_week");
	ASSERT_INT_EQ(json_array_size(weeks), 2);
	ASSERT_STR_EQ(json_string_value(
	                  json_object_get(json_array_get(weeks, 0), "week")),
	              "2020-03-02");
	ASSERT_INT_EQ(jget(json_array_get(weeks, 0), "posts") +
	                  jget(json_array_get(weeks, 1), "posts"),
	              (long long)ARRAY_SIZE(posts));
	/* Sundays 2020-03-08 and -15 end the weeks of 03-02 and 03-09. */
	ASSERT_INT_EQ(jget(json_array_get(weeks, 0), "posts"), 5);
	ASSERT_INT_EQ(jget(json_array_get(weeks, 1), "posts"), 7);
	ASSERT_INT_EQ(report_trends_render(t, REPORT_FORMAT_CSV, &csv), 0);
	ASSERT(strncmp(csv.data,
	               "series,period_start,period_end,role,category,"
	               "account,value\n",
	               54) == 0);
	ASSERT(
	    strstr(csv.data,
	           "\nopened_per_year,2019-01-01,2020-01-01,diplomat,,,1\n"));
	ASSERT(strstr(csv.data, "\nfollowers_change,"));
	ASSERT(
	    strstr(csv.data, "\nposts_per_week,2020-03-02,2020-03-09,,,,5\n"));
	ASSERT(strstr(csv.data, "\ncategory_share_per_week,2020-03-02,"
	                        "2020-03-09,,western_failure,,0.4000\n"));
	/* Zero rows are kept: every category in every week. */
	ASSERT(strstr(csv.data, "\ncategory_count_per_week,2020-03-02,"
	                        "2020-03-09,,economic_coercion,,0\n"));
	ASSERT_INT_EQ(report_trends_render(t, REPORT_FORMAT_TEXT, &txt), 0);
	ASSERT(strstr(txt.data, "Follower growth") != NULL);
	ASSERT(strstr(txt.data, "amb_a") != NULL);
	ASSERT_INT_EQ(report_trends_render(t, REPORT_FORMAT_HTML, &txt),
	              -EINVAL);
	json_decref(t);
	buf_free(&csv);
	buf_free(&txt);
}

/* Runs a subcommand as demarche would (getopt restarted). */
static int run(int (*fn)(const struct cmd_globals *, int, char **),
               const char *db, int argc, const char **argv)
{
	struct cmd_globals g = {db, NULL, 0};

	optind = 1;
	return fn(&g, argc, (char **)argv);
}

static void test_command(void)
{
	char out[512], csv[512];
	const char *a_html[] = {"report", "--since", "100000d", "--format",
	                        "html",   "-o",      out,       NULL};
	const char *a_plain[] = {"report", NULL};
	const char *a_bad[] = {"report", "--since", "soon", NULL};
	const char *a_fmt[] = {"report", "--format", "pdf", NULL};
	const char *a_deliver[] = {"report", "--deliver", NULL};
	const char *a_csv[] = {"trends", "--format", "csv", "-o", csv, NULL};
	/* --since takes the config's duration grammar, positive and at most
	 * 100 years. */
	/* The one time grammar: durations or dates; a bare number is
	 * refused (issue 16: "--since 7" meant 7 seconds). */
	static const char *const since_good[] = {"1h30m",
	                                         "2w",
	                                         "90s",
	                                         "15m",
	                                         "24h",
	                                         "7d",
	                                         "2018-01-01",
	                                         "2018-01-01T08:00",
	                                         "2018-01-01T08:00:00+09:00"};
	static const char *const since_bad[] = {
	    "", "0d", "0", "-1d", "7dd", "7y", "2d1w", "90", "2018-13-01"};
	const char *a_since[] = {"report", "--since", NULL, "-o", out, NULL};
	const char *a_tsince[] = {"trends", "--since", NULL, "-o", csv, NULL};
	size_t i;
	char *data = NULL, cmd[600], missing[600];
	size_t len = 0;

	/* path_in_tmp() reuses its buffers: keep our own copies. */
	snprintf(out, sizeof(out), "%s", path_in_tmp("out/report.html"));
	snprintf(csv, sizeof(csv), "%s", path_in_tmp("trends.csv"));
	build_log();
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s/out'", test_tmpdir());
	REQUIRE(system(cmd) == 0);
	ASSERT_INT_EQ(run(cmd_report_main, NULL, 1, a_plain), EX_USAGE);
	if (test_on_pg()) {
		/* A database the server does not have, and an empty one. */
		snprintf(missing, sizeof(missing), "%.*s/nope_%ld",
		         (int)(strrchr(target, '/') - target), target,
		         (long)getpid());
		ASSERT_INT_EQ(run(cmd_report_main, missing, 1, a_plain),
		              EX_NOINPUT);
		/* Not a demarche log: 65, as for posts. */
		ASSERT_INT_EQ(
		    run(cmd_report_main, test_database("blank"), 1, a_plain),
		    EX_DATAERR);
	} else {
		ASSERT_INT_EQ(
		    run(cmd_report_main, path_in_tmp("nope.db"), 1, a_plain),
		    EX_NOINPUT);
		test_write_file(
		    path_in_tmp("junk.db"),
		    "junk junk junk junk junk junk junk junk junk junk "
		    "junk junk junk junk junk junk junk junk junk junk\n");
		ASSERT_INT_EQ(
		    run(cmd_report_main, path_in_tmp("junk.db"), 1, a_plain),
		    EX_DATAERR);
		/* An empty file too, for report and trends alike. */
		test_write_file(path_in_tmp("empty.db"), "");
		ASSERT_INT_EQ(
		    run(cmd_report_main, path_in_tmp("empty.db"), 1, a_plain),
		    EX_DATAERR);
		a_plain[0] = "trends";
		ASSERT_INT_EQ(
		    run(cmd_trends_main, path_in_tmp("empty.db"), 1, a_plain),
		    EX_DATAERR);
		a_plain[0] = "report";
	}
	ASSERT_INT_EQ(run(cmd_report_main, target, 3, a_bad), EX_USAGE);
	ASSERT_INT_EQ(run(cmd_report_main, target, 3, a_fmt), EX_USAGE);
	/* --deliver needs the config (-c), not a database. */
	ASSERT_INT_EQ(run(cmd_report_main, NULL, 2, a_deliver), EX_USAGE);
	/* 100000 days is over the 100-year limit of --since. */
	ASSERT_INT_EQ(run(cmd_report_main, target, 7, a_html), EX_USAGE);
	a_html[2] = "10000d";
	ASSERT_INT_EQ(run(cmd_report_main, target, 7, a_html), 0);
	REQUIRE(util_read_file(out, 0, &data, &len) == 0);
	ASSERT(strncmp(data, "<!DOCTYPE html>", 15) == 0);
	ASSERT(strstr(data, "amb_a") != NULL);
	free(data);
	/* No temporary file is left beside it. */
	snprintf(cmd, sizeof(cmd), "test $(ls '%s/out' | wc -l) -eq 1",
	         test_tmpdir());
	ASSERT(system(cmd) == 0);
	for (i = 0; i < ARRAY_SIZE(since_good); i++) {
		a_since[2] = a_tsince[2] = since_good[i];
		ASSERT_INT_EQ(run(cmd_report_main, target, 5, a_since), 0);
		ASSERT_INT_EQ(run(cmd_trends_main, target, 5, a_tsince), 0);
	}
	for (i = 0; i < ARRAY_SIZE(since_bad); i++) {
		a_since[2] = a_tsince[2] = since_bad[i];
		ASSERT_INT_EQ(run(cmd_report_main, target, 5, a_since),
		              EX_USAGE);
		ASSERT_INT_EQ(run(cmd_trends_main, target, 5, a_tsince),
		              EX_USAGE);
	}
	ASSERT_INT_EQ(run(cmd_trends_main, target, 5, a_csv), 0);
	REQUIRE(util_read_file(csv, 0, &data, &len) == 0);
	ASSERT(strstr(data, "opened_per_year,2018-01-01,2019-01-01,"
	                    "spokesperson,,,1") != NULL);
	free(data);
}

/* Two posts of one statement: counted once, one example, the other
 * listed under it in every format. */
static void test_statements(void)
{
	char sql[512];
	json_t *r, *origin, *ex;
	struct buf b = {0};

	build_log();
	snprintf(
	    sql, sizeof(sql),
	    "INSERT INTO post_clusters (post_id, cluster_id, similarity,"
	    " reason, clustered_at) SELECT max(post_id), min(post_id),"
	    " 0.9, 'text', 0 FROM post_categories WHERE category ="
	    " 'origin_narrative' AND report_time >= %d AND report_time < %d",
	    FROM, TO);
	REQUIRE(test_q_exec(store_conn(st), sql) == 0);
	r = report();
	REQUIRE(r);
	ASSERT_INT_EQ(jget(json_object_get(r, "totals"), "posts"), 7);
	ASSERT_INT_EQ(jget(json_object_get(r, "totals"), "statements"), 6);
	ASSERT_INT_EQ(jget(json_object_get(r, "totals"), "copies"), 1);
	origin = json_object_get(json_object_get(r, "categories"),
	                         "origin_narrative");
	ASSERT_INT_EQ(jget(origin, "count"), 2);
	ASSERT_INT_EQ(jget(origin, "statements"), 1);
	ex = json_object_get(origin, "examples");
	ASSERT_INT_EQ(json_array_size(ex), 1);
	ex = json_object_get(json_array_get(ex, 0), "copies");
	ASSERT_INT_EQ(json_array_size(ex), 1);
	ASSERT_STR_EQ(
	    json_string_value(json_object_get(json_array_get(ex, 0), "handle")),
	    "amb_a");
	ASSERT_INT_EQ(report_render(r, REPORT_FORMAT_TEXT, &b), 0);
	ASSERT(strstr(b.data, "7 posts from 2 accounts, 6 statements;"));
	ASSERT(
	    strstr(b.data, "    the same statement, 1 copy:\n      amb_a ("));
	b.len = 0;
	ASSERT_INT_EQ(report_render(r, REPORT_FORMAT_MD, &b), 0);
	ASSERT(
	    strstr(b.data, "  the same statement, 1 copy:\n\n  - amb\\_a ("));
	b.len = 0;
	ASSERT_INT_EQ(report_render(r, REPORT_FORMAT_HTML, &b), 0);
	ASSERT(strstr(b.data, "<div class=\"copies\">the same statement, 1 "
	                      "copy:<ul>\n<li>amb_a ("));
	buf_free(&b);
	json_decref(r);
	ASSERT_INT_EQ(test_q_exec(store_conn(st), "DELETE FROM post_clusters"),
	              0);
}

static void test_close(void)
{
	store_close(st);
	st = NULL;
}

TEST_MAIN(TEST(test_numbers), TEST(test_json_shape), TEST(test_html_escapes),
          TEST(test_md_and_text_escapes), TEST(test_empty_period),
          TEST(test_year_of_days), TEST(test_text_fits_columns),
          TEST(test_plurals), TEST(test_day_ticks_apart), TEST(test_trends),
          TEST(test_command), TEST(test_year_mid_day), TEST(test_trends_until),
          TEST(test_statements), TEST(test_close))
