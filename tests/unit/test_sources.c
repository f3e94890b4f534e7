/* test_sources.c — the sources of issue 14: Telegram preview pages
 * (parse_telegram.c on the fixture), the telegram:/youtube: feed syntax
 * and [poll] keys of the config, their request URLs and when a Telegram
 * poll pages back (web_source.c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "date.h"
#include "feed.h"
#include "test.h"
#include "util.h"
#include "web_source.h"

static struct feed_doc *parse_fixture(const char *name)
{
	struct feed_parse_opts opts = {.format = FEED_FORMAT_TELEGRAM};
	struct feed_doc *doc = NULL;
	char path[1024], err[256], *data = NULL;
	size_t len = 0;

	snprintf(path, sizeof(path), "%s/fixtures/telegram/%s",
	         test_tests_dir(), name);
	if (util_read_file(path, 0, &data, &len) < 0 ||
	    feed_parse(data, len, &opts, &doc, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: cannot read or parse\n", path);
		abort();
	}
	free(data);
	return doc;
}

static void test_telegram_page(void)
{
	struct feed_doc *doc = parse_fixture("channel.html");
	const struct feed_entry *e = doc->entries;

	ASSERT_STR_EQ(feed_format_name(doc->format), "telegram");
	ASSERT_STR_EQ(doc->title, "MFA Spokesperson");
	ASSERT(doc->has_account);
	ASSERT_INT_EQ(doc->account.followers, 1230000);
	ASSERT_STR_EQ(doc->account.display_name, "MFA Spokesperson");
	ASSERT_INT_EQ(doc->page_before, 101);
	/* 7 messages, two of them service messages. */
	REQUIRE(doc->n_entries == 5);
	ASSERT_STR_EQ(e[0].id, "mfa_spox/102");
	ASSERT_STR_EQ(e[0].link, "https://t.me/mfa_spox/102");
	ASSERT_STR_EQ(e[0].text,
	              "China bought the world precious time in the fight "
	              "against COVID-19.\nThe full report is online. 👉");
	ASSERT_INT_EQ(e[0].published, date_parse("2020-03-12T13:37:00Z"));
	ASSERT_INT_EQ(e[0].views, 12300);
	ASSERT(!e[0].is_repost && !e[0].is_reply && !e[0].edited);
	ASSERT(e[1].is_repost);
	ASSERT_STR_EQ(e[1].author, "china_embassy_xx");
	ASSERT_INT_EQ(e[1].views, 987);
	/* The quoted text of a reply is not the reply's. */
	ASSERT(e[2].is_reply && e[2].edited);
	ASSERT_STR_EQ(e[2].text, "To clarify: herd immunity is a massacre of "
	                         "the elderly. 😀");
	ASSERT_INT_EQ(e[2].views, 1500);
	ASSERT_INT_EQ(e[3].views, 45600);
	/* A document without a caption: its title stands in. */
	ASSERT_STR_EQ(e[4].text, "Press conference transcript 12 March.pdf");
	ASSERT_INT_EQ(e[4].views, 2000);
	feed_doc_free(doc);
}

static void test_telegram_no_preview(void)
{
	static const char page[] =
	    "<html><head><title>Telegram: Contact @x</title></head><body>"
	    "<div class=\"tgme_page\"><a class=\"tgme_action_button_new\" "
	    "href=\"tg://resolve?domain=x\">View in Telegram</a></div>"
	    "</body></html>";
	struct feed_parse_opts opts = {.format = FEED_FORMAT_TELEGRAM};
	struct feed_doc *doc = NULL;
	char err[256];

	ASSERT_INT_EQ(
	    feed_parse(page, sizeof(page) - 1, &opts, &doc, err, sizeof(err)),
	    -EBADMSG);
	ASSERT(strstr(err, "no public preview") != NULL);
	ASSERT_INT_EQ(feed_parse("", 0, &opts, &doc, err, sizeof(err)),
	              -EBADMSG);
}

static struct config *parse_config(const char *text, struct config_errors *e)
{
	struct config *cfg = NULL;

	struct buf b = {0};
	int r;

	memset(e, 0, sizeof(*e));
	/* Lines 1-2 name the database; the text's lines count from 3. */
	if (buf_printf(&b, "[storage]\ndatabase = /tmp/x.db\n%s", text) < 0)
		abort();
	r = config_parse(b.data, b.len, "t.conf", &cfg, e);
	buf_free(&b);
	return r < 0 ? NULL : cfg;
}

static void test_config_sources(void)
{
	struct config_errors e;
	struct config *cfg =
	    parse_config("[poll]\ntelegram_base = http://127.0.0.1:9/tg/\n"
	                 "telegram_delay = 0\nbackfill = 40\n"
	                 "[account \"a\"]\nfeed = telegram:mfa_russia\n"
	                 "feed = https://t.me/s/MID_Russia\n"
	                 "feed = https://t.me/china_mfa/\n"
	                 "feed = youtube:UCabcdefghijklmnopqrstuv\n",
	                 &e);

	if (!cfg)
		fprintf(stderr, "%s\n", e.n ? e.msgs[0] : "?");
	REQUIRE(cfg);
	ASSERT_STR_EQ(cfg->telegram_base, "http://127.0.0.1:9/tg");
	ASSERT_STR_EQ(cfg->youtube_base, "https://www.youtube.com");
	ASSERT_INT_EQ(cfg->telegram_delay, 0);
	ASSERT_INT_EQ(cfg->backfill, 40);
	REQUIRE(cfg->accounts[0].n_feeds == 4);
	ASSERT_STR_EQ(cfg->accounts[0].feeds[0].url, "telegram:mfa_russia");
	ASSERT_INT_EQ(cfg->accounts[0].feeds[0].kind, FEED_KIND_TELEGRAM);
	ASSERT_STR_EQ(cfg->accounts[0].feeds[1].url, "telegram:MID_Russia");
	ASSERT_STR_EQ(cfg->accounts[0].feeds[2].url, "telegram:china_mfa");
	ASSERT_STR_EQ(cfg->accounts[0].feeds[3].url,
	              "youtube:UCabcdefghijklmnopqrstuv");
	ASSERT_INT_EQ(cfg->accounts[0].feeds[3].kind, FEED_KIND_YOUTUBE);
	config_free(cfg);
	config_errors_clear(&e);

	cfg = parse_config("[poll]\nbackfill = 0\n[account \"a\"]\n"
	                   "feed = telegram:x\nfeed = youtube:a/b\n"
	                   "feed = https://t.me/joinchat/abc/def\n",
	                   &e);
	ASSERT(!cfg);
	REQUIRE(e.n == 4);
	ASSERT(strstr(e.msgs[0], "t.conf:4: backfill") != NULL);
	ASSERT(strstr(e.msgs[1], "t.conf:6: bad feed") != NULL);
	ASSERT(strstr(e.msgs[2], "t.conf:7: bad feed") != NULL);
	ASSERT(strstr(e.msgs[3], "t.conf:8: bad feed") != NULL);
	config_errors_clear(&e);
}

static void test_urls(void)
{
	struct config_errors e;
	struct config *cfg = parse_config("", &e);
	char *url = NULL;

	REQUIRE(cfg);
	ASSERT_INT_EQ(
	    web_source_url(cfg, FEED_KIND_TELEGRAM, "telegram:abcd", 0, &url),
	    0);
	ASSERT_STR_EQ(url, "https://t.me/s/abcd");
	free(url);
	ASSERT_INT_EQ(web_source_url(cfg, FEED_KIND_TELEGRAM, "telegram:abcd",
	                             1234, &url),
	              0);
	ASSERT_STR_EQ(url, "https://t.me/s/abcd?before=1234");
	free(url);
	ASSERT_INT_EQ(
	    web_source_url(cfg, FEED_KIND_YOUTUBE, "youtube:UC1", 0, &url), 0);
	ASSERT_STR_EQ(
	    url, "https://www.youtube.com/feeds/videos.xml?channel_id=UC1");
	free(url);
	ASSERT_INT_EQ(
	    web_source_url(cfg, FEED_KIND_WEB, "telegram:abcd", 0, &url),
	    -EINVAL);
	ASSERT_INT_EQ(
	    web_source_url(cfg, FEED_KIND_TELEGRAM, "telegram:a?b", 0, &url),
	    -EINVAL);
	/* One post's page, to ask whether it is deleted. */
	ASSERT_INT_EQ(
	    web_source_post_url(cfg, "telegram:abcd", "abcd/42", &url), 0);
	ASSERT_STR_EQ(url, "https://t.me/abcd/42?embed=1&mode=tme");
	free(url);
	url = NULL;
	ASSERT_INT_EQ(
	    web_source_post_url(cfg, "telegram:abcd", "other/42", &url),
	    -EINVAL);
	ASSERT_INT_EQ(
	    web_source_post_url(cfg, "telegram:abcd", "abcd/4x", &url),
	    -EINVAL);
	ASSERT_INT_EQ(web_source_post_url(cfg, "telegram:abcd", "abcd/", &url),
	              -EINVAL);
	ASSERT(url == NULL);
	{
		static const char gone[] = "<div class=\"tgme_widget_message_"
		                           "error\">Post not found</div>";
		static const char there[] =
		    "<div class=\"tgme_widget_message\" data-post=\"abcd/42\">";

		ASSERT_INT_EQ(
		    web_source_post_answer(200, gone, sizeof(gone) - 1), 1);
		ASSERT_INT_EQ(
		    web_source_post_answer(200, there, sizeof(there) - 1), 0);
		ASSERT_INT_EQ(web_source_post_answer(200, "<html>", 6), -1);
		ASSERT_INT_EQ(web_source_post_answer(404, NULL, 0), 1);
		ASSERT_INT_EQ(web_source_post_answer(502, there, 10), -1);
	}
	config_free(cfg);
	config_errors_clear(&e);
}

static void test_paging(void)
{
	struct web_source_paging p = {.first_poll = true,
	                              .collected = 20,
	                              .before = 12,
	                              .pages = 1,
	                              .backfill = 100};

	ASSERT(web_source_page_more(&p));
	p.collected = 100;
	ASSERT(!web_source_page_more(&p)); /* backfill reached */
	p.collected = 30;
	p.before = 0;
	ASSERT(!web_source_page_more(&p)); /* the channel's start */
	p.before = 12;
	p.first_poll = false;
	p.known = 0;
	ASSERT(web_source_page_more(&p)); /* a burst: keep going */
	p.known = 3;
	ASSERT(!web_source_page_more(&p)); /* met a known post */
	p.known = 0;
	p.pages = 12;
	ASSERT(!web_source_page_more(&p)); /* page cap */
}

/* An article page of an html: source: split into paragraphs, whole by
 * html_text, and whole by the readable-text default; an XPath that finds
 * nothing is a warning, never an empty post. */
static void test_html_article(void)
{
	static const char page[] =
	    "<html><head><title>T</title></head><body><div class=\"nav\">"
	    "Home | About</div><h1>Press conference</h1><p class=\"time\">"
	    "Updated: 12.03.2020 21:05</p><div class=\"main\"><p>Q: one?"
	    "</p><p>A: two<br>lines.</p><p> </p><p>Q: three?</p></div>"
	    "<script>var x = 1;</script></body></html>";
	struct feed_html_rules rules = {NULL, "//p[@class='time']", NULL,
	                                "//div[@class='main']/p"};
	struct feed_parse_opts opts = {.format = FEED_FORMAT_HTML,
	                               .base_url = "https://mfa.example/a",
	                               .html = &rules};
	struct feed_doc *doc = NULL;
	char err[256];

	REQUIRE(feed_parse(page, sizeof(page) - 1, &opts, &doc, err,
	                   sizeof(err)) == 0);
	REQUIRE(doc->n_entries == 3);
	ASSERT_STR_EQ(doc->entries[0].id, "https://mfa.example/a#1");
	ASSERT_STR_EQ(doc->entries[1].text, "A: two\nlines.");
	/* N is the node's place among those html_split selects. */
	ASSERT_STR_EQ(doc->entries[2].id, "https://mfa.example/a#4");
	ASSERT_STR_EQ(doc->entries[2].title, "Press conference");
	ASSERT_INT_EQ(doc->entries[2].published,
	              date_parse("2020-03-12T21:05:00Z"));
	feed_doc_free(doc);

	rules.split = NULL;
	rules.text = "//div[@class='main']";
	REQUIRE(feed_parse(page, sizeof(page) - 1, &opts, &doc, err,
	                   sizeof(err)) == 0);
	REQUIRE(doc->n_entries == 1);
	ASSERT_STR_EQ(doc->entries[0].id, "https://mfa.example/a");
	ASSERT_STR_EQ(doc->entries[0].text,
	              "Q: one?\nA: two\nlines.\nQ: three?");
	feed_doc_free(doc);

	rules.text = NULL; /* the readable main text */
	REQUIRE(feed_parse(page, sizeof(page) - 1, &opts, &doc, err,
	                   sizeof(err)) == 0);
	REQUIRE(doc->n_entries == 1);
	ASSERT_STR_EQ(doc->entries[0].text,
	              "Q: one?\nA: two\nlines.\nQ: three?");
	feed_doc_free(doc);

	rules.text = "//div[@class='missing']";
	REQUIRE(feed_parse(page, sizeof(page) - 1, &opts, &doc, err,
	                   sizeof(err)) == 0 ||
	        strstr(err, "html_text finds nothing"));
	if (doc) {
		ASSERT_INT_EQ(doc->n_entries, 0);
		feed_doc_free(doc);
	}
}

static void test_html_links(void)
{
	static const char index[] =
	    "<ul class=\"list1\"><li><a href=\"./b/1.html\">1</a></li>"
	    "<li><a href=\"/c/2.html\">2</a></li><li><a "
	    "href=\"./b/1.html\">again</a></li><li><a "
	    "href=\"javascript:void(0)\">js</a></li></ul>";
	char **links = NULL;
	size_t n = 0;

	ASSERT_INT_EQ(feed_html_links(index, sizeof(index) - 1,
	                              "https://mfa.example/a/index.html",
	                              "//ul[@class='list1']//a", &links, &n),
	              0);
	REQUIRE(n == 2);
	ASSERT_STR_EQ(links[0], "https://mfa.example/a/b/1.html");
	ASSERT_STR_EQ(links[1], "https://mfa.example/c/2.html");
	feed_html_links_free(links, n);
}

/* The date forms of ministry pages (text/date.c). */
static void test_dates(void)
{
	int64_t want = date_parse("2020-03-12T00:00:00Z");

	ASSERT_INT_EQ(date_parse("2020-03-12"), want);
	ASSERT_INT_EQ(date_parse("March 12, 2020"), want);
	ASSERT_INT_EQ(date_parse("12.03.2020"), want);
	ASSERT_INT_EQ(date_parse("2020年3月12日"), want);
	ASSERT_INT_EQ(date_parse("2020年03月12日 10:30"), want + 37800);
	ASSERT_INT_EQ(date_parse("12.3.2020 10:30"), want + 37800);
	ASSERT_INT_EQ(date_parse("32.03.2020"), TIME_UNKNOWN);
	ASSERT_INT_EQ(date_parse("2020年13月1日"), TIME_UNKNOWN);
	ASSERT_INT_EQ(date_parse("20年3月12日"), TIME_UNKNOWN);
}

TEST_MAIN(TEST(test_telegram_page), TEST(test_dates), TEST(test_html_article),
          TEST(test_html_links), TEST(test_telegram_no_preview),
          TEST(test_config_sources), TEST(test_urls), TEST(test_paging))
