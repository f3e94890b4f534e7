/* test_reposters.c — the pages of "who reposted this post" (Bluesky's
 * getRepostedBy, Mastodon's reblogged_by), the Link header's next page,
 * the URLs asked, and the engagement counters and forwards feed entries
 * now carry. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api_source.h"
#include "feed.h"
#include "reposters.h"
#include "test.h"
#include "util.h"

static struct reposter_page *parse(enum feed_format f, const char *s,
                                   const char *domain, int want_rc)
{
	struct reposter_page *pg = NULL;
	char err[256] = "";

	ASSERT_INT_EQ(
	    reposters_parse(f, s, strlen(s), domain, &pg, err, sizeof(err)),
	    want_rc);
	if (want_rc < 0) {
		ASSERT(pg == NULL);
		ASSERT(err[0] != '\0');
	}
	return pg;
}

static void test_bluesky(void)
{
	struct reposter_page *pg = parse(
	    FEED_FORMAT_BLUESKY,
	    "{\"uri\": \"at://did:plc:x/app.bsky.feed.post/3k\","
	    " \"repostedBy\": ["
	    "  {\"did\": \"did:plc:a\", \"handle\": \"fresh.bsky.social\","
	    "   \"displayName\": \"Fresh\\u0007 One\","
	    "   \"createdAt\": \"2024-05-01T10:00:00.000Z\","
	    "   \"followersCount\": 3},"
	    "  {\"did\": \"did:plc:b\", \"handle\": \"old.example\"},"
	    "  {\"did\": \"did:plc:c\", \"handle\": \"bad handle\"},"
	    "  {\"did\": \"did:plc:d\"}, 7],"
	    " \"cursor\": \"abc=\"}",
	    NULL, 0);

	REQUIRE(pg != NULL);
	ASSERT_INT_EQ(pg->n, 2);
	ASSERT_INT_EQ(pg->skipped, 3);
	ASSERT_STR_EQ(pg->actors[0].actor, "fresh.bsky.social");
	ASSERT_STR_EQ(pg->actors[0].name, "Fresh One");
	ASSERT_INT_EQ(pg->actors[0].created, 1714557600);
	ASSERT_INT_EQ(pg->actors[0].followers, 3);
	ASSERT_STR_EQ(pg->actors[1].actor, "old.example");
	ASSERT(pg->actors[1].name == NULL);
	ASSERT(pg->actors[1].created == TIME_UNKNOWN);
	ASSERT_INT_EQ(pg->actors[1].followers, -1);
	ASSERT_STR_EQ(pg->cursor, "abc=");
	reposter_page_free(pg);

	/* The last page has no cursor; an empty list is a page. */
	pg = parse(FEED_FORMAT_BLUESKY, "{\"repostedBy\": []}", NULL, 0);
	REQUIRE(pg != NULL);
	ASSERT_INT_EQ(pg->n, 0);
	ASSERT(pg->cursor == NULL);
	reposter_page_free(pg);
	parse(FEED_FORMAT_BLUESKY, "{\"feed\": []}", NULL, -EBADMSG);
	parse(FEED_FORMAT_BLUESKY, "[]", NULL, -EBADMSG);
	parse(FEED_FORMAT_BLUESKY, "{\"repostedBy\": [", NULL, -EBADMSG);
	parse(FEED_FORMAT_RSS, "{}", NULL, -EINVAL);
}

static void test_mastodon(void)
{
	struct reposter_page *pg = parse(
	    FEED_FORMAT_MASTODON,
	    "[{\"id\": \"1\", \"acct\": \"local\", \"display_name\": \"\","
	    "  \"created_at\": \"2020-01-01T00:00:00.000Z\","
	    "  \"followers_count\": 12},"
	    " {\"id\": \"2\", \"acct\": \"remote@other.example\","
	    "  \"display_name\": \"Embassy of X\","
	    "  \"followers_count\": -4}]",
	    "m.example", 0);

	REQUIRE(pg != NULL);
	ASSERT_INT_EQ(pg->n, 2);
	ASSERT_STR_EQ(pg->actors[0].actor, "local@m.example");
	ASSERT(pg->actors[0].name == NULL);
	ASSERT_INT_EQ(pg->actors[0].created, 1577836800);
	ASSERT_INT_EQ(pg->actors[0].followers, 12);
	ASSERT_STR_EQ(pg->actors[1].actor, "remote@other.example");
	ASSERT_STR_EQ(pg->actors[1].name, "Embassy of X");
	ASSERT_INT_EQ(pg->actors[1].followers, -1);
	ASSERT(pg->cursor == NULL);
	reposter_page_free(pg);
	parse(FEED_FORMAT_MASTODON, "{\"error\": \"x\"}", NULL, -EBADMSG);
}

static void test_link_next(void)
{
	char *n;

	n = reposters_link_next(
	    "<https://m.example/api/v1/statuses/9/reblogged_by?max_id=77>; "
	    "rel=\"next\", <https://m.example/api/v1/statuses/9/"
	    "reblogged_by?since_id=99>; rel=\"prev\"");
	ASSERT_STR_EQ(n, "https://m.example/api/v1/statuses/9/"
	                 "reblogged_by?max_id=77");
	free(n);
	n = reposters_link_next("<https://a/p?x=1,2>; rel=\"prev\", "
	                        "<https://a/n>; rel=next");
	ASSERT_STR_EQ(n, "https://a/n");
	free(n);
	n = reposters_link_next("<https://a/n>; rel=\"last next\"");
	ASSERT_STR_EQ(n, "https://a/n");
	free(n);
	ASSERT(reposters_link_next("<https://a/p>; rel=\"prev\"") == NULL);
	ASSERT(reposters_link_next("<https://a/p; rel=next") == NULL);
	ASSERT(reposters_link_next("garbage") == NULL);
	ASSERT(reposters_link_next("<>; rel=next") == NULL);
}

static void test_urls(void)
{
	char *u = NULL;

	ASSERT_INT_EQ(api_reposted_by_url(
	                  FEED_KIND_BLUESKY, "x.test", "https://api.example/",
	                  "at://did:plc:a/app.bsky.feed.post/3k", "c 1", 100,
	                  &u),
	              0);
	ASSERT_STR_EQ(u, "https://api.example/xrpc/app.bsky.feed.getRepostedBy"
	                 "?uri=at:%2F%2Fdid:plc:a%2Fapp.bsky.feed.post%2F3k"
	                 "&limit=100&cursor=c%201");
	free(u);
	ASSERT_INT_EQ(api_reposted_by_url(FEED_KIND_MASTODON,
	                                  "https://m.example:8443/@x", NULL,
	                                  "1099", NULL, 80, &u),
	              0);
	ASSERT_STR_EQ(u, "https://m.example:8443/api/v1/statuses/1099/"
	                 "reblogged_by?limit=80");
	free(u);
	ASSERT_INT_EQ(api_reposted_by_url(FEED_KIND_MASTODON,
	                                  "https://m.example/@x", NULL,
	                                  "../admin", NULL, 80, &u),
	              -EINVAL);
	ASSERT_INT_EQ(api_mastodon_domain("https://m.example:8443/@x", &u), 0);
	ASSERT_STR_EQ(u, "m.example");
	free(u);
	ASSERT(api_same_origin("https://a.example/x", "HTTPS://A.example/y?z"));
	ASSERT(!api_same_origin("https://a.example/x", "https://a.example:1/"));
	ASSERT(!api_same_origin("https://a.example/x", "https://evil/x"));
}

/* The counters of statuses and feed items, and a Telegram forward. */
static void test_counters(void)
{
	const char *m =
	    "[{\"id\": \"5\", \"created_at\": \"2020-03-12T00:00:00Z\","
	    "  \"content\": \"<p>x</p>\", \"reblogs_count\": 7,"
	    "  \"favourites_count\": 9, \"replies_count\": 1,"
	    "  \"account\": {\"acct\": \"a\"}}]";
	const char *b =
	    "{\"feed\": [{\"post\": {\"uri\": \"at://d/app.bsky.feed.post/1\","
	    " \"author\": {\"handle\": \"h.test\"},"
	    " \"record\": {\"text\": \"t\", \"createdAt\": "
	    "\"2020-03-12T00:00:00Z\"}, \"repostCount\": 4, \"likeCount\": "
	    "2}}]}";
	struct feed_parse_opts o = {0};
	struct feed_doc *doc = NULL;
	char err[256];

	o.format = FEED_FORMAT_MASTODON;
	ASSERT_INT_EQ(feed_parse(m, strlen(m), &o, &doc, err, sizeof(err)), 0);
	ASSERT(doc->entries[0].has_counts);
	ASSERT_INT_EQ(doc->entries[0].reposts, 7);
	ASSERT_INT_EQ(doc->entries[0].likes, 9);
	ASSERT_INT_EQ(doc->entries[0].replies, 1);
	feed_doc_free(doc);
	o.format = FEED_FORMAT_BLUESKY;
	ASSERT_INT_EQ(feed_parse(b, strlen(b), &o, &doc, err, sizeof(err)), 0);
	ASSERT(doc->entries[0].has_counts);
	ASSERT_INT_EQ(doc->entries[0].reposts, 4);
	ASSERT_INT_EQ(doc->entries[0].likes, 2);
	ASSERT_INT_EQ(doc->entries[0].replies, -1);
	feed_doc_free(doc);
}

static void test_forward(void)
{
	const char *page =
	    "<html><body><div class=\"tgme_widget_message\" "
	    "data-post=\"chan/5\"><div "
	    "class=\"tgme_widget_message_forwarded_from\">Forwarded from <a "
	    "href=\"https://t.me/other_src/55\">Other</a></div><div "
	    "class=\"tgme_widget_message_text\">Text</div><span "
	    "class=\"tgme_widget_message_views\">12.3K</span><a "
	    "class=\"tgme_widget_message_date\" href=\"https://t.me/chan/5\">"
	    "<time datetime=\"2020-03-12T00:00:00+00:00\">x</time></a></div>"
	    "<div class=\"tgme_widget_message\" data-post=\"chan/6\"><div "
	    "class=\"tgme_widget_message_forwarded_from\">Forwarded from <a "
	    "href=\"https://t.me/other_src\">Other</a></div><div "
	    "class=\"tgme_widget_message_text\">T2</div></div></body></html>";
	struct feed_parse_opts o = {0};
	struct feed_doc *doc = NULL;
	char err[256];

	o.format = FEED_FORMAT_TELEGRAM;
	ASSERT_INT_EQ(
	    feed_parse(page, strlen(page), &o, &doc, err, sizeof(err)), 0);
	REQUIRE(doc->n_entries == 2);
	ASSERT(doc->entries[0].is_repost);
	ASSERT_STR_EQ(doc->entries[0].forward_of, "other_src/55");
	ASSERT_INT_EQ(doc->entries[0].views, 12300);
	/* A forward whose link names the channel only: no message key. */
	ASSERT(doc->entries[1].is_repost);
	ASSERT(doc->entries[1].forward_of == NULL);
	feed_doc_free(doc);
}

TEST_MAIN(TEST(test_bluesky), TEST(test_mastodon), TEST(test_link_next),
          TEST(test_urls), TEST(test_counters), TEST(test_forward))
