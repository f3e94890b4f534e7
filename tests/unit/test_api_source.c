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

TEST_MAIN(TEST(test_mastodon), TEST(test_bluesky), TEST(test_account_id))
