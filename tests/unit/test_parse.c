/*
 * test_parse.c — feed_parse() on the fixtures under tests/fixtures/feeds/:
 * every format, the CJK and other legacy encodings, UTF-16/32, the HTTP
 * charset winning over the declaration, broken and hostile input, limits,
 * stable ids and future dates.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feed.h"
#include "sha256.h"
#include "test.h"
#include "util.h"

static char *fixture(const char *name, size_t *len)
{
	char path[1024], *data = NULL;

	snprintf(path, sizeof(path), "%s/fixtures/feeds/%s", test_tests_dir(),
	         name);
	if (util_read_file(path, 0, &data, len) < 0) {
		fprintf(stderr, "cannot read fixture %s\n", path);
		return NULL;
	}
	return data;
}

/* Parses a fixture with the given options; NULL (and a failure) if the
 * parse fails. */
static struct feed_doc *parse_with(const char *name,
                                   const struct feed_parse_opts *opts)
{
	struct feed_doc *doc = NULL;
	char err[256], *data;
	size_t len;
	int r;

	data = fixture(name, &len);
	if (!data) {
		test_failures++;
		return NULL;
	}
	r = feed_parse(data, len, opts, &doc, err, sizeof(err));
	free(data);
	if (r < 0) {
		fprintf(stderr, "%s: parse failed: %s\n", name, err);
		test_failures++;
		return NULL;
	}
	return doc;
}

static struct feed_doc *parse(const char *name)
{
	static const struct feed_parse_opts opts = {0};

	return parse_with(name, &opts);
}

static int64_t t(int y, int mo, int d, int h, int mi, int s)
{
	return util_timegm(y, mo, d, h, mi, s);
}

static void test_rss2(void)
{
	struct feed_doc *doc = parse("rss2_basic.xml");
	const struct feed_entry *e;
	char hex[SHA256_HEX_LEN], want[80];

	REQUIRE(doc);
	ASSERT_INT_EQ(doc->format, FEED_FORMAT_RSS);
	ASSERT_STR_EQ(doc->title, "Embassy & Consulate News");
	ASSERT_STR_EQ(doc->link, "https://embassy.example.org/");
	ASSERT_STR_EQ(doc->lang, "en-GB");
	ASSERT_INT_EQ(doc->ttl, 1800);
	ASSERT_INT_EQ(doc->n_warnings, 0);
	REQUIRE(doc->n_entries == 3);
	e = &doc->entries[0];
	ASSERT_STR_EQ(e->id, "press-2020-0312");
	/* Relative link resolved against the channel's xml:base. */
	ASSERT_STR_EQ(
	    e->link,
	    "https://embassy.example.org/news/statements/2020-03-12.html");
	ASSERT_STR_EQ(
	    e->text,
	    "China bought the world precious time.\nSecond paragraph.");
	ASSERT(e->html && strstr(e->html, "<b>bought</b>"));
	ASSERT_STR_EQ(e->author, "Press Office");
	ASSERT_INT_EQ(e->published, t(2020, 3, 12, 13, 37, 0));
	ASSERT(e->updated == TIME_UNKNOWN);
	e = &doc->entries[1];
	/* A permalink guid doubles as the link; content:encoded wins over
	 * the description; "email (Name)" gives the name. */
	ASSERT_STR_EQ(e->id, "https://embassy.example.org/news/full");
	ASSERT_STR_EQ(e->link, "https://embassy.example.org/news/full");
	ASSERT_STR_EQ(e->text, "Full content here\nand a new line \xc3\xa9");
	ASSERT_STR_EQ(e->author, "Jane Spokes");
	ASSERT_INT_EQ(e->published, t(2020, 3, 13, 8, 0, 0));
	e = &doc->entries[2];
	/* No guid, no link: the content hash. */
	sha256_hex("No id at all\nOnly text", 22, hex);
	snprintf(want, sizeof(want), "sha256:%s", hex);
	ASSERT_STR_EQ(e->id, want);
	ASSERT(e->link == NULL);
	feed_doc_free(doc);
}

static void test_atom10(void)
{
	struct feed_doc *doc = parse("atom10_basic.xml");
	const struct feed_entry *e;

	REQUIRE(doc);
	ASSERT_INT_EQ(doc->format, FEED_FORMAT_ATOM);
	ASSERT_STR_EQ(doc->title, "Mission Updates");
	ASSERT_STR_EQ(doc->link, "https://mission.example.net/home");
	REQUIRE(doc->n_entries == 2);
	e = &doc->entries[0];
	ASSERT_STR_EQ(e->id, "tag:mission.example.net,2020:1");
	ASSERT_STR_EQ(e->link, "https://mission.example.net/posts/1");
	ASSERT_STR_EQ(e->text,
	              "Fake news from the West.\nHerd immunity is a failure.");
	ASSERT(e->html && strstr(e->html, "<b>news</b>"));
	ASSERT_STR_EQ(e->author, "Mission Press"); /* from the feed */
	ASSERT_INT_EQ(e->published, t(2020, 3, 12, 13, 37, 0));
	ASSERT_INT_EQ(e->updated, t(2020, 3, 14, 10, 0, 0));
	ASSERT_STR_EQ(e->lang, "en");
	e = &doc->entries[1];
	ASSERT_STR_EQ(e->link, "https://mission.example.net/zh/posts/2");
	ASSERT_STR_EQ(e->title,
	              "\xe4\xb8\xad\xe6\x96\x87\xe6\xa0\x87\xe9\xa2\x98");
	ASSERT_STR_EQ(e->lang, "zh-CN");
	ASSERT_STR_EQ(e->author, "Spokesperson");
	ASSERT(e->published == TIME_UNKNOWN);
	feed_doc_free(doc);
}

static void test_rss1_rss091_atom03(void)
{
	struct feed_doc *doc = parse("rss1_rdf.xml");

	REQUIRE(doc);
	ASSERT_INT_EQ(doc->format, FEED_FORMAT_RSS);
	ASSERT_STR_EQ(doc->lang, "ja");
	REQUIRE(doc->n_entries == 1);
	ASSERT_STR_EQ(doc->entries[0].link, "http://ministry.example.org/a");
	ASSERT_INT_EQ(doc->entries[0].published, t(2020, 3, 12, 13, 37, 0));
	ASSERT_STR_EQ(doc->entries[0].author,
	              "\xe5\xa0\xb1\xe9\x81\x93\xe5\xae\x98");
	feed_doc_free(doc);

	/* ISO-8859-1 declared: read as Windows-1252, so the curly quotes
	 * (0x93, 0x94) come out right. */
	doc = parse("rss091.xml");
	REQUIRE(doc);
	REQUIRE(doc->n_entries == 1);
	ASSERT_STR_EQ(doc->entries[0].title, "Caf\xc3\xa9 cr\xc3\xa8me");
	ASSERT_STR_EQ(doc->entries[0].text,
	              "Na\xc3\xafve \xe2\x80\x9cquotes\xe2\x80\x9d");
	feed_doc_free(doc);

	doc = parse("atom03.xml");
	REQUIRE(doc);
	ASSERT_INT_EQ(doc->format, FEED_FORMAT_ATOM);
	REQUIRE(doc->n_entries == 1);
	ASSERT_STR_EQ(doc->entries[0].text, "Escaped HTML");
	ASSERT_INT_EQ(doc->entries[0].published, t(2004, 1, 1, 0, 0, 0));
	ASSERT_INT_EQ(doc->entries[0].updated, t(2004, 1, 2, 0, 0, 0));
	feed_doc_free(doc);
}

static void test_jsonfeed(void)
{
	struct feed_doc *doc = parse("jsonfeed11.json");

	REQUIRE(doc);
	ASSERT_INT_EQ(doc->format, FEED_FORMAT_JSONFEED);
	ASSERT_STR_EQ(doc->lang, "zh-CN");
	REQUIRE(doc->n_entries == 2);
	ASSERT_STR_EQ(doc->entries[0].link,
	              "https://fmprc.example.org/remarks/1");
	ASSERT_STR_EQ(doc->entries[0].author, "Foreign Ministry");
	ASSERT_INT_EQ(doc->entries[0].published, t(2020, 3, 12, 7, 0, 0));
	ASSERT_INT_EQ(doc->entries[0].updated, t(2020, 3, 12, 8, 0, 0));
	ASSERT_STR_EQ(doc->entries[1].id, "42");
	ASSERT_STR_EQ(doc->entries[1].text, "Plain text only.\nSecond line.");
	ASSERT_STR_EQ(doc->entries[1].lang, "en");
	ASSERT(doc->entries[1].published == TIME_UNKNOWN);
	/* The unreadable date is reported, not guessed. */
	ASSERT_INT_EQ(doc->n_warnings, 1);
	feed_doc_free(doc);

	doc = parse("jsonfeed10.json");
	REQUIRE(doc);
	REQUIRE(doc->n_entries == 2);
	ASSERT_STR_EQ(doc->entries[0].author, "Item Author");
	ASSERT_STR_EQ(doc->entries[0].text, "Just a summary");
	ASSERT_STR_EQ(doc->entries[1].author, "Feed Author");
	ASSERT_STR_EQ(doc->entries[1].link, "https://example.org/b");
	feed_doc_free(doc);
}

static void test_mastodon(void)
{
	struct feed_doc *doc = parse("mastodon_statuses.json");
	const struct feed_entry *e;

	REQUIRE(doc);
	ASSERT_INT_EQ(doc->format, FEED_FORMAT_MASTODON);
	ASSERT(doc->has_account);
	ASSERT_STR_EQ(doc->account.handle, "embassy");
	ASSERT_INT_EQ(doc->account.followers, 1200);
	ASSERT_INT_EQ(doc->account.following, 15);
	ASSERT_INT_EQ(doc->account.posts, 345);
	ASSERT_INT_EQ(doc->account.created, t(2019, 10, 1, 0, 0, 0));
	REQUIRE(doc->n_entries == 2);
	e = &doc->entries[0];
	ASSERT_STR_EQ(e->id, "110000000000000003");
	ASSERT_STR_EQ(e->text, "The #US Army may have brought the epidemic to "
	                       "Wuhan.\nBe transparent!");
	ASSERT_INT_EQ(e->updated, t(2020, 3, 12, 14, 0, 0)); /* edited_at */
	ASSERT(!e->is_repost);
	e = &doc->entries[1];
	ASSERT(e->is_repost);
	ASSERT_STR_EQ(e->id, "110000000000000002");
	ASSERT_STR_EQ(e->author, "ministry@other.example");
	ASSERT_STR_EQ(e->link, "https://other.example/@ministry/99");
	ASSERT_STR_EQ(e->lang, "zh");
	ASSERT_INT_EQ(e->published, t(2020, 3, 11, 10, 0, 0));
	feed_doc_free(doc);

	doc = parse("mastodon_account.json");
	REQUIRE(doc);
	ASSERT(doc->has_account);
	ASSERT_INT_EQ(doc->n_entries, 0);
	ASSERT_INT_EQ(doc->account.posts, 345);
	feed_doc_free(doc);
}

static void test_bluesky(void)
{
	struct feed_doc *doc = parse("bluesky_feed.json");

	REQUIRE(doc);
	ASSERT_INT_EQ(doc->format, FEED_FORMAT_BLUESKY);
	REQUIRE(doc->n_entries == 3);
	ASSERT_STR_EQ(doc->entries[0].id,
	              "at://did:plc:abc123/app.bsky.feed.post/3kabc");
	ASSERT_STR_EQ(
	    doc->entries[0].link,
	    "https://bsky.app/profile/embassy.bsky.social/post/3kabc");
	ASSERT_INT_EQ(doc->entries[0].published, t(2023, 11, 7, 19, 39, 30));
	ASSERT_STR_EQ(doc->entries[0].lang, "en");
	ASSERT(doc->entries[1].is_repost);
	ASSERT_STR_EQ(doc->entries[1].author, "ministry.bsky.social");
	ASSERT_INT_EQ(doc->entries[1].published, t(2023, 11, 7, 8, 0, 0));
	ASSERT(strcmp(doc->entries[1].id,
	              "at://did:plc:zzz/app.bsky.feed.post/3kxyz") != 0);
	/* The quoted post's words follow the reply's own, marked. */
	ASSERT_STR_EQ(doc->entries[2].text,
	              "A reply quoting another post.\n\n"
	              "[quote @ministry.bsky.social] \xe5\x8e\x9f\xe5\xb8\x96");
	ASSERT(doc->entries[2].is_reply);
	ASSERT(!doc->entries[0].is_reply && !doc->entries[1].is_reply);
	feed_doc_free(doc);

	doc = parse("bluesky_profile.json");
	REQUIRE(doc);
	ASSERT(doc->has_account);
	ASSERT_STR_EQ(doc->account.handle, "embassy.bsky.social");
	ASSERT_INT_EQ(doc->account.followers, 5012);
	ASSERT_INT_EQ(doc->account.following, 12);
	ASSERT_INT_EQ(doc->account.posts, 804);
	ASSERT_INT_EQ(doc->account.created, t(2023, 5, 1, 10, 0, 0));
	feed_doc_free(doc);
}

static void check_encoded(const char *name, const char *title, const char *text)
{
	struct feed_doc *doc = parse(name);

	REQUIRE(doc);
	ASSERT_STR_EQ(doc->title, title);
	REQUIRE(doc->n_entries == 1);
	ASSERT_STR_EQ(doc->entries[0].title, title);
	ASSERT_STR_EQ(doc->entries[0].text, text);
	ASSERT_INT_EQ(doc->n_warnings, 0);
	feed_doc_free(doc);
}

static void test_cjk_encodings(void)
{
	check_encoded("zh_gb18030.xml", "外交部发言人",
	              "中国为世界争取了宝贵时间，美国的群体免疫是失败的。");
	check_encoded("zh_gb2312.xml", "中国消费者",
	              "中国消费者可能会重新考虑购买澳大利亚葡萄酒和牛肉。");
	check_encoded("zh_big5.xml", "外交部發言人",
	              "中國為世界爭取了寶貴時間，負責任大國。");
	check_encoded("ja_sjis.xml", "報道官の会見",
	              "中国は世界のために貴重な時間を稼いだ。米軍が起源だ。");
	check_encoded("ja_eucjp.xml", "大使館のお知らせ",
	              "集団免疫はフェイクニュースだ。関税と不買。");
	check_encoded("ko_euckr.xml", "대사관 소식",
	              "중국은 세계를 위해 귀중한 시간을 벌었다.");
	check_encoded("ru_koi8r.xml", "Посольство",
	              "Китай выиграл драгоценное время.");
	check_encoded("ru_cp1251.xml", "Посольство",
	              "Китай выиграл драгоценное время.");
}

static void test_wide_encodings(void)
{
	static const char *const names[] = {
	    "utf16le_bom.xml", "utf16be_nobom.xml", "utf32le_nobom.xml"};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		struct feed_doc *doc = parse(names[i]);

		REQUIRE(doc);
		ASSERT(doc->title && strstr(doc->title, "標題"));
		REQUIRE(doc->n_entries == 1);
		ASSERT_STR_EQ(doc->entries[0].title, "宝贵时间");
		feed_doc_free(doc);
	}
}

static void test_http_charset_wins(void)
{
	/* The GB18030 fixture served with a header that names it, while the
	 * document is re-labelled: the header decides (RFC 7303). */
	static const char body[] =
	    "<?xml version=\"1.0\" encoding=\"iso-8859-1\"?>"
	    "<rss version=\"2.0\"><channel><title>\xd6\xd0\xb9\xfa</title>"
	    "</channel></rss>";
	struct feed_parse_opts opts = {.content_type = "application/rss+xml; "
	                                               "charset=\"GBK\""};
	struct feed_doc *doc = NULL;
	char err[256];

	REQUIRE(feed_parse(body, sizeof(body) - 1, &opts, &doc, err,
	                   sizeof(err)) == 0);
	ASSERT_STR_EQ(doc->title, "中国");
	feed_doc_free(doc);
	/* Without the header, the declaration is followed. */
	opts.content_type = "application/rss+xml";
	REQUIRE(feed_parse(body, sizeof(body) - 1, &opts, &doc, err,
	                   sizeof(err)) == 0);
	ASSERT_STR_EQ(doc->title, "\xc3\x96\xc3\x90\xc2\xb9\xc3\xba");
	feed_doc_free(doc);
}

static void test_broken_recovered(void)
{
	struct feed_doc *doc = parse("broken.xml");

	REQUIRE(doc);
	ASSERT(doc->n_warnings > 0);
	ASSERT_STR_EQ(doc->title, "Broken feed"); /* &nbsp; decoded, folded */
	REQUIRE(doc->n_entries >= 1);
	ASSERT_STR_EQ(doc->entries[0].title, "First & only good item");
	ASSERT_STR_EQ(doc->entries[0].link, "https://broken.example/1");
	feed_doc_free(doc);
}

static void test_entity_attacks(void)
{
	struct feed_doc *doc;
	int64_t start = util_monotonic_ms();
	size_t i;

	doc = parse("billion_laughs.xml");
	/* Rejected or bounded: never expanded, and fast. */
	if (doc) {
		ASSERT(!doc->title || strlen(doc->title) < 1000);
		for (i = 0; i < doc->n_entries; i++)
			ASSERT(strlen(doc->entries[i].text) < 1000);
		feed_doc_free(doc);
	}
	ASSERT(util_monotonic_ms() - start < 2000);

	doc = parse("external_entity.xml");
	REQUIRE(doc);
	REQUIRE(doc->n_entries == 1);
	ASSERT(!strstr(doc->entries[0].title, "root:"));
	ASSERT_STR_EQ(doc->entries[0].title, "leak");
	feed_doc_free(doc);
}

static void expect_failure(const char *data, size_t len, enum feed_format f)
{
	struct feed_parse_opts opts = {.format = f};
	struct feed_doc *doc = (struct feed_doc *)1;
	char err[256] = "";

	ASSERT_INT_EQ(feed_parse(data, len, &opts, &doc, err, sizeof(err)),
	              -EBADMSG);
	ASSERT(doc == NULL);
	ASSERT(err[0] != '\0');
	ASSERT(strchr(err, '\n') == NULL);
}

static void test_nothing_usable(void)
{
	char *html;
	size_t len;

	expect_failure("", 0, FEED_FORMAT_AUTO);
	expect_failure("   \n", 4, FEED_FORMAT_AUTO);
	expect_failure("<rss><chan", 10, FEED_FORMAT_AUTO);
	expect_failure("<rss><channel><item></rss", 25, FEED_FORMAT_AUTO);
	expect_failure("not xml at all", 14, FEED_FORMAT_AUTO);
	expect_failure("{\"hello\": 1}", 12, FEED_FORMAT_AUTO);
	expect_failure("{\"items\": [", 11, FEED_FORMAT_AUTO);
	/* A format asked for that the content is not. */
	expect_failure("<rss><channel><title>x</title></channel></rss>", 46,
	               FEED_FORMAT_ATOM);
	html = fixture("not_a_feed.html", &len);
	REQUIRE(html);
	expect_failure(html, len, FEED_FORMAT_AUTO);
	free(html);
}

static void test_json_depth_limit(void)
{
	size_t n = 100000, i;
	char *deep = malloc(2 * n + 1);

	REQUIRE(deep);
	for (i = 0; i < n; i++) {
		deep[i] = '[';
		deep[2 * n - 1 - i] = ']';
	}
	deep[2 * n] = '\0';
	expect_failure(deep, 2 * n, FEED_FORMAT_AUTO);
	free(deep);
}

static void test_max_entries_and_future(void)
{
	struct feed_parse_opts opts = {
	    .max_entries = 2, .now = util_timegm(2020, 3, 10, 0, 0, 0)};
	struct feed_doc *doc = parse_with("rss2_basic.xml", &opts);

	REQUIRE(doc);
	ASSERT_INT_EQ(doc->n_entries, 2);
	/* Both dated entries are more than a day after "now". */
	ASSERT(doc->entries[0].future_dated);
	ASSERT(doc->entries[1].future_dated);
	ASSERT(doc->n_warnings >= 3); /* the cap and two future dates */
	feed_doc_free(doc);

	opts.now = util_timegm(2020, 3, 12, 0, 0, 0); /* within a day */
	opts.max_entries = 0;
	doc = parse_with("rss2_basic.xml", &opts);
	REQUIRE(doc);
	ASSERT(!doc->entries[0].future_dated);
	ASSERT(doc->entries[1].future_dated);
	feed_doc_free(doc);
}

static void test_empty_feed_is_usable(void)
{
	static const char atom[] =
	    "<feed xmlns=\"http://www.w3.org/2005/Atom\"/>";
	struct feed_doc *doc = NULL;
	char err[256];

	REQUIRE(feed_parse(atom, sizeof(atom) - 1, NULL, &doc, err,
	                   sizeof(err)) == 0);
	ASSERT_INT_EQ(doc->format, FEED_FORMAT_ATOM);
	ASSERT_INT_EQ(doc->n_entries, 0);
	feed_doc_free(doc);
}

static void test_format_names(void)
{
	enum feed_format f;

	ASSERT_INT_EQ(feed_format_from_name("bluesky", &f), 0);
	ASSERT_INT_EQ(f, FEED_FORMAT_BLUESKY);
	ASSERT_INT_EQ(feed_format_from_name("gopher", &f), -EINVAL);
	ASSERT_STR_EQ(feed_format_name(FEED_FORMAT_JSONFEED), "jsonfeed");
	feed_doc_free(NULL);
}

static void test_sha256(void)
{
	char hex[SHA256_HEX_LEN];

	ASSERT_STR_EQ(
	    sha256_hex("", 0, hex),
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	ASSERT_STR_EQ(
	    sha256_hex("abc", 3, hex),
	    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	ASSERT_STR_EQ(
	    sha256_hex(
	        "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56,
	        hex),
	    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

/* A Mastodon status's quote and media descriptions follow its text,
 * marked (the link card, added later by the server, does not); replies are
 * flagged; Windows-1252 C1 points are read as Windows-1252. */
static void test_mastodon_extras(void)
{
	static const char body[] =
	    "[{\"id\":\"1\",\"created_at\":\"2024-01-02T03:04:05Z\","
	    "\"in_reply_to_id\":\"7\",\"content\":\"<p>We don\\u0092t "
	    "agree.</p>\",\"account\":{\"acct\":\"mfa\"},"
	    "\"quote\":{\"state\":\"accepted\",\"quoted_status\":{\"id\":"
	    "\"2\",\"content\":\"<p>Origin &amp; <b>facts</b></p>\","
	    "\"account\":{\"acct\":\"other@example.org\"}}},"
	    "\"card\":{\"title\":\"Report\",\"description\":\"On the "
	    "virus\"},\"media_attachments\":[{\"type\":\"image\","
	    "\"description\":\"A map\"},{\"type\":\"video\","
	    "\"description\":null}]},"
	    "{\"id\":\"3\",\"created_at\":\"2024-01-02T03:04:05Z\","
	    "\"in_reply_to_id\":null,\"content\":\"\",\"account\":{"
	    "\"acct\":\"mfa\"},\"media_attachments\":[{\"type\":"
	    "\"gifv\",\"description\":\"Flags\"}]}]";
	struct feed_doc *doc = NULL;
	char err[256];

	REQUIRE(feed_parse(body, strlen(body), NULL, &doc, err, sizeof(err)) ==
	        0);
	REQUIRE(doc->n_entries == 2);
	ASSERT_STR_EQ(doc->entries[0].text,
	              "We don\xe2\x80\x99t agree.\n\n"
	              "[quote @other@example.org] Origin & facts\n\n"
	              "[image] A map");
	ASSERT(doc->entries[0].is_reply);
	/* The quote's place, separator and mark included, is known. */
	ASSERT_INT_EQ((long long)doc->entries[0].quote_at,
	              (long long)strlen("We don\xe2\x80\x99t agree."));
	ASSERT_INT_EQ(
	    (long long)doc->entries[0].quote_len,
	    (long long)strlen("\n\n[quote @other@example.org] Origin & facts"));
	ASSERT_STR_EQ(doc->entries[1].text, "[video] Flags");
	ASSERT(!doc->entries[1].is_reply);
	ASSERT_INT_EQ((long long)doc->entries[1].quote_len, 0);
	feed_doc_free(doc);
}

/* A Mastodon edit history: versions of one status, the id from the URL. */
static void test_mastodon_history(void)
{
	static const char body[] =
	    "[{\"content\":\"<p>first</p>\",\"created_at\":"
	    "\"2024-01-02T03:04:05Z\",\"account\":{\"acct\":\"mfa\"}},"
	    "{\"content\":\"<p>second</p>\",\"created_at\":"
	    "\"2024-01-02T04:00:00Z\",\"account\":{\"acct\":\"mfa\"}}]";
	struct feed_parse_opts o = {
	    .base_url = "https://social.example/api/v1/statuses/42/history"};
	struct feed_doc *doc = NULL;
	char err[256];

	REQUIRE(feed_parse(body, strlen(body), &o, &doc, err, sizeof(err)) ==
	        0);
	REQUIRE(doc->n_entries == 2);
	ASSERT_STR_EQ(doc->entries[0].id, "42");
	ASSERT_STR_EQ(doc->entries[1].id, "42");
	ASSERT_STR_EQ(doc->entries[1].text, "second");
	ASSERT_INT_EQ(doc->entries[1].published, t(2024, 1, 2, 3, 4, 5));
	ASSERT_INT_EQ(doc->entries[1].updated, t(2024, 1, 2, 4, 0, 0));
	ASSERT(doc->entries[0].updated == TIME_UNKNOWN);
	feed_doc_free(doc);
}

/* CDF, Microsoft's 1997 channel format, read as RSS. */
static void test_cdf(void)
{
	static const char body[] =
	    "<CHANNEL HREF=\"http://example.org/\" BASE=\"http://example.org/"
	    "\"><TITLE>Channel</TITLE><ITEM HREF=\"/a\" "
	    "LASTMOD=\"2004-04-06T23:05:43-05:00\"><TITLE>Item</TITLE>"
	    "<ABSTRACT>Text &amp; more</ABSTRACT></ITEM></CHANNEL>";
	struct feed_doc *doc = NULL;
	char err[256];

	REQUIRE(feed_parse(body, strlen(body), NULL, &doc, err, sizeof(err)) ==
	        0);
	ASSERT_INT_EQ(doc->format, FEED_FORMAT_RSS);
	ASSERT_STR_EQ(doc->title, "Channel");
	REQUIRE(doc->n_entries == 1);
	ASSERT_STR_EQ(doc->entries[0].link, "http://example.org/a");
	ASSERT_STR_EQ(doc->entries[0].title, "Item");
	ASSERT_STR_EQ(doc->entries[0].text, "Text & more");
	ASSERT_INT_EQ(doc->entries[0].updated, t(2004, 4, 7, 4, 5, 43));
	feed_doc_free(doc);
}

/* Prefixes used without a declaration are read as they name (feedparser
 * and gofeed do the same), with the RSS item's Atom and iTunes fallbacks;
 * one warning lists them, and the document is not damaged for it. */
static void test_undeclared_prefixes(void)
{
	struct feed_doc *doc = parse("undeclared_prefixes.xml");

	REQUIRE(doc);
	REQUIRE(doc->n_entries == 3);
	ASSERT_STR_EQ(doc->entries[0].text, "The full statement, with markup.");
	ASSERT_STR_EQ(doc->entries[0].author, "Press Office");
	ASSERT_STR_EQ(doc->entries[1].link, "https://embassy.example/2");
	ASSERT_STR_EQ(doc->entries[1].author, "The Ambassador");
	/* Fractional seconds: the second is kept, never rounded up. */
	ASSERT_INT_EQ(doc->entries[1].published, t(2020, 3, 11, 10, 0, 0));
	ASSERT_INT_EQ(doc->entries[1].updated, t(2020, 3, 11, 4, 30, 15));
	ASSERT_STR_EQ(doc->entries[2].text,
	              "The spokesperson's weekly briefing.");
	ASSERT_STR_EQ(doc->entries[2].author, "Spokesperson");
	ASSERT(doc->fault == NULL);
	ASSERT(!doc->entries[0].partial && !doc->entries[2].partial);
	REQUIRE(doc->n_warnings == 1);
	ASSERT_STR_EQ(doc->warnings[0],
	              "undeclared namespace prefixes read as their usual "
	              "namespaces: atom, content, dc, itunes");
	feed_doc_free(doc);
}

static void test_fractional_seconds(void)
{
	struct feed_doc *doc = parse("jsonfeed_fractional.json");

	REQUIRE(doc);
	REQUIRE(doc->n_entries == 1);
	ASSERT_INT_EQ(doc->entries[0].published, t(2020, 3, 12, 13, 37, 59));
	ASSERT_INT_EQ(doc->entries[0].updated, t(2020, 3, 12, 13, 37, 0));
	/* The fraction is kept beside the whole seconds (schema 0013). */
	ASSERT_INT_EQ(doc->entries[0].published_us, 999000);
	feed_doc_free(doc);

	doc = parse("atom_fractional.xml");
	REQUIRE(doc);
	REQUIRE(doc->n_entries == 2);
	ASSERT_INT_EQ(doc->entries[0].published, t(2020, 3, 12, 13, 37, 59));
	ASSERT_INT_EQ(doc->entries[0].published_us, 123456);
	ASSERT_INT_EQ(doc->entries[1].published, t(2020, 3, 12, 13, 38, 0));
	ASSERT_INT_EQ(doc->entries[1].published_us, -1);
	feed_doc_free(doc);

	doc = parse("rss_fractional.xml");
	REQUIRE(doc);
	REQUIRE(doc->n_entries == 3);
	ASSERT_INT_EQ(doc->entries[0].published, t(2020, 3, 12, 13, 37, 59));
	ASSERT_INT_EQ(doc->entries[0].published_us, 250000);
	ASSERT_INT_EQ(doc->entries[1].published_us, 1);
	ASSERT_INT_EQ(doc->entries[2].published, t(2020, 3, 12, 13, 37, 59));
	ASSERT_INT_EQ(doc->entries[2].published_us, -1);
	feed_doc_free(doc);
}

/* Shift_JIS without a declaration or a charset header: guessed, not
 * stored as mojibake; and not taken for Latin text that is not CJK. */
static void test_undeclared_encoding(void)
{
	static const char latin[] = "<?xml version=\"1.0\"?><rss><channel>"
	                            "<title>Caf\xe9 cr\xe8me</title>"
	                            "</channel></rss>";
	struct feed_doc *doc = parse("ja_sjis_undeclared.xml");
	char err[256];

	REQUIRE(doc);
	ASSERT_STR_EQ(doc->title, "報道官の会見");
	REQUIRE(doc->n_entries == 1);
	ASSERT_STR_EQ(doc->entries[0].text,
	              "中国は世界のために貴重な時間を稼いだ。米軍が起源だ。");
	ASSERT(doc->fault == NULL);
	feed_doc_free(doc);
	doc = NULL;
	REQUIRE(feed_parse(latin, sizeof(latin) - 1, NULL, &doc, err,
	                   sizeof(err)) == 0);
	ASSERT_STR_EQ(doc->title, "Café crème");
	feed_doc_free(doc);
}

/* Cut short: the entry the cut falls in is partial and the document has
 * a fault; entries read whole before it are not partial.  Bytes that
 * cannot be decoded make the entries holding them partial. */
static void test_damaged_documents(void)
{
	static const char whole[] =
	    "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	    "<rss version=\"2.0\"><channel><title>T</title>\n"
	    "<item><guid>one</guid><description>The first item is whole."
	    "</description></item>\n"
	    "<item><guid>two</guid><description>Could the US Army have "
	    "brought the epidemic to Wuhan?</description></item>\n"
	    "</channel></rss>\n";
	static const char bad_bytes[] =
	    "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	    "<rss version=\"2.0\"><channel><title>T</title>\n"
	    "<item><guid>one</guid><description>Fine: "
	    "中国.</description></item>\n"
	    "<item><guid>two</guid><description>Bad \xff byte."
	    "</description></item>\n"
	    "</channel></rss>\n";
	struct feed_doc *doc = NULL;
	char err[256];
	size_t cut = strstr(whole, "US Army") - whole;

	REQUIRE(feed_parse(whole, sizeof(whole) - 1, NULL, &doc, err,
	                   sizeof(err)) == 0);
	ASSERT(doc->fault == NULL);
	feed_doc_free(doc);
	doc = NULL;
	REQUIRE(feed_parse(whole, cut, NULL, &doc, err, sizeof(err)) == 0);
	REQUIRE(doc->fault != NULL);
	ASSERT(strncmp(doc->fault, "not well-formed", 15) == 0);
	REQUIRE(doc->n_entries == 2);
	ASSERT(!doc->entries[0].partial);
	ASSERT(doc->entries[1].partial);
	feed_doc_free(doc);
	doc = NULL;
	REQUIRE(feed_parse(bad_bytes, sizeof(bad_bytes) - 1, NULL, &doc, err,
	                   sizeof(err)) == 0);
	REQUIRE(doc->fault != NULL);
	REQUIRE(doc->n_entries == 2);
	ASSERT(!doc->entries[0].partial);
	ASSERT(doc->entries[1].partial);
	feed_doc_free(doc);
}

TEST_MAIN(TEST(test_undeclared_prefixes), TEST(test_fractional_seconds),
          TEST(test_undeclared_encoding), TEST(test_damaged_documents),
          TEST(test_rss2), TEST(test_mastodon_extras),
          TEST(test_mastodon_history), TEST(test_cdf), TEST(test_atom10),
          TEST(test_rss1_rss091_atom03), TEST(test_jsonfeed),
          TEST(test_mastodon), TEST(test_bluesky), TEST(test_cjk_encodings),
          TEST(test_wide_encodings), TEST(test_http_charset_wins),
          TEST(test_broken_recovered), TEST(test_entity_attacks),
          TEST(test_nothing_usable), TEST(test_json_depth_limit),
          TEST(test_max_entries_and_future), TEST(test_format_names),
          TEST(test_sha256), TEST(test_empty_feed_is_usable))
