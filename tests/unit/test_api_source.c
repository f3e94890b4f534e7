/* test_api_source.c — Mastodon and Bluesky endpoint URLs and the account
 * id taken from a lookup answer. */
#include <errno.h>
#include <stdlib.h>

#include "api_source.h"
#include "test.h"

static void expect_url(int (*fn)(enum feed_kind, const char *, const char *,
                                 char **),
                       enum feed_kind kind, const char *in, const char *want)
{
	char *out = NULL;

	ASSERT_INT_EQ(fn(kind, in, "https://api.example/", &out), 0);
	ASSERT_STR_EQ(out, want);
	free(out);
}

static void test_mastodon(void)
{
	char *out = NULL;

	expect_url(
	    api_profile_url, FEED_KIND_MASTODON,
	    "https://mastodon.social/@ChinaEmbassy",
	    "https://mastodon.social/api/v1/accounts/lookup?acct=ChinaEmbassy");
	expect_url(api_profile_url, FEED_KIND_MASTODON,
	           "https://m.example:8443/users/a_b",
	           "https://m.example:8443/api/v1/accounts/lookup?acct=a_b");
	ASSERT_INT_EQ(api_posts_url(FEED_KIND_MASTODON, "https://m.example/@x",
	                            NULL, "109876543210", &out),
	              0);
	ASSERT_STR_EQ(
	    out,
	    "https://m.example/api/v1/accounts/109876543210/statuses?limit=40");
	free(out);
	ASSERT_INT_EQ(api_posts_url(FEED_KIND_MASTODON, "https://m.example/@x",
	                            NULL, NULL, &out),
	              -EINVAL);
	ASSERT_INT_EQ(api_profile_url(FEED_KIND_MASTODON, "https://m.example/",
	                              NULL, &out),
	              -EINVAL);
	ASSERT_INT_EQ(
	    api_profile_url(FEED_KIND_MASTODON, "no-scheme/@x", NULL, &out),
	    -EINVAL);
}

static void test_bluesky(void)
{
	char *out = NULL;

	expect_url(api_profile_url, FEED_KIND_BLUESKY, "mfa.bsky.social",
	           "https://api.example/xrpc/"
	           "app.bsky.actor.getProfile?actor=mfa.bsky.social");
	ASSERT_INT_EQ(api_posts_url(FEED_KIND_BLUESKY, "did:plc:abc123", NULL,
	                            NULL, &out),
	              0);
	ASSERT_STR_EQ(
	    out, "https://public.api.bsky.app/xrpc/app.bsky.feed.getAuthorFeed"
	         "?actor=did:plc:abc123&limit=50");
	free(out);
	/* Query metacharacters from a config cannot add parameters. */
	expect_url(api_profile_url, FEED_KIND_BLUESKY, "a&b=c d",
	           "https://api.example/xrpc/"
	           "app.bsky.actor.getProfile?actor=a%26b%3Dc%20d");
	ASSERT_INT_EQ(
	    api_profile_url(FEED_KIND_WEB, "https://e.org/feed", NULL, &out),
	    -EINVAL);
}

static void test_account_id(void)
{
	char *id = NULL;
	const char *ok = "{\"id\": \"109302\", \"username\": \"x\"}";
	const char *bad = "{\"id\": \"../../admin\"}";

	ASSERT_INT_EQ(api_mastodon_account_id(ok, strlen(ok), &id), 0);
	ASSERT_STR_EQ(id, "109302");
	free(id);
	ASSERT_INT_EQ(api_mastodon_account_id(bad, strlen(bad), &id), -EBADMSG);
	ASSERT_INT_EQ(api_mastodon_account_id("[]", 2, &id), -EBADMSG);
	ASSERT_INT_EQ(api_mastodon_account_id("{", 1, &id), -EBADMSG);
	ASSERT(id == NULL);
}

/* One post asked for by its key, and what the answer says. */
static void test_status(void)
{
	const char *none = "{\"posts\": []}", *one = "{\"posts\": [{}]}";
	char *out = NULL;

	ASSERT_INT_EQ(api_status_url(FEED_KIND_MASTODON,
	                             "https://m.example/@embassy", NULL,
	                             "10921", &out),
	              0);
	ASSERT_STR_EQ(out, "https://m.example/api/v1/statuses/10921");
	free(out);
	ASSERT_INT_EQ(api_status_url(FEED_KIND_MASTODON,
	                             "https://m.example/@embassy", NULL,
	                             "../admin", &out),
	              -EINVAL);
	ASSERT_INT_EQ(api_status_url(FEED_KIND_BLUESKY, "ministry.test",
	                             "https://api.example/",
	                             "at://did:plc:x/app.bsky.feed.post/3k",
	                             &out),
	              0);
	ASSERT_STR_EQ(out,
	              "https://api.example/xrpc/app.bsky.feed.getPosts"
	              "?uris=at:%2F%2Fdid:plc:x%2Fapp.bsky.feed.post%2F3k");
	free(out);
	/* A repost's key names no record of its own. */
	ASSERT_INT_EQ(api_status_url(FEED_KIND_BLUESKY, "ministry.test", NULL,
	                             "at://did:plc:x/p/3k#repost:did:plc:y",
	                             &out),
	              -EINVAL);
	ASSERT_INT_EQ(api_status_url(FEED_KIND_WEB, "x", NULL, "1", &out),
	              -EINVAL);
	ASSERT(out == NULL);
	ASSERT_INT_EQ(api_status_answer(FEED_KIND_MASTODON, 404, NULL, 0), 1);
	ASSERT_INT_EQ(api_status_answer(FEED_KIND_MASTODON, 410, NULL, 0), 1);
	ASSERT_INT_EQ(api_status_answer(FEED_KIND_MASTODON, 200, "{}", 2), 0);
	ASSERT_INT_EQ(api_status_answer(FEED_KIND_MASTODON, 503, NULL, 0), -1);
	ASSERT_INT_EQ(api_status_answer(FEED_KIND_MASTODON, 429, NULL, 0), -1);
	ASSERT_INT_EQ(
	    api_status_answer(FEED_KIND_BLUESKY, 200, none, strlen(none)), 1);
	ASSERT_INT_EQ(
	    api_status_answer(FEED_KIND_BLUESKY, 200, one, strlen(one)), 0);
	ASSERT_INT_EQ(api_status_answer(FEED_KIND_BLUESKY, 200, "{", 1), -1);
	ASSERT_INT_EQ(api_status_answer(FEED_KIND_BLUESKY, 500, NULL, 0), -1);
}

TEST_MAIN(TEST(test_mastodon), TEST(test_bluesky), TEST(test_account_id),
          TEST(test_status))
