/*
 * api_source.h — the endpoints behind `mastodon:` and `bluesky:` feeds.  A
 * poll of such a feed is two requests: the account's profile (for its
 * follower, following and post counts) and then its posts.  Mastodon's
 * posts endpoint needs the account's numeric id, which the profile gives.
 * Pure: strings in, strings out.
 */
#ifndef DEMARCHE_API_SOURCE_H
#define DEMARCHE_API_SOURCE_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

/* The profile URL of a feed (a *new* string in *out), for kinds other than
 * FEED_KIND_WEB.  configured is the feed as written after its prefix:
 * "https://host/@user" for Mastodon, a handle or DID for Bluesky.
 * Returns 0, -EINVAL for a malformed feed, or -ENOMEM. */
int api_profile_url(enum feed_kind kind, const char *configured,
                    const char *bluesky_api, char **out);
/* The posts URL; account_id is the Mastodon id from the profile (unused for
 * Bluesky).  Returns 0, -EINVAL or -ENOMEM. */
int api_posts_url(enum feed_kind kind, const char *configured,
                  const char *bluesky_api, const char *account_id, char **out);
/* The "id" of a Mastodon account object (a *new* string), checked to be
 * plain digits or letters so it is safe in a URL path.  Returns 0, -EBADMSG
 * when absent or malformed, or -ENOMEM. */
int api_mastodon_account_id(const char *body, size_t len, char **out);

/* Who reposted a post (the amplification watch): Bluesky's
 * app.bsky.feed.getRepostedBy?uri=KEY (KEY: the post's at:// URI), from
 * cursor when not NULL; Mastodon's /api/v1/statuses/KEY/reblogged_by on
 * the feed's instance (KEY: the status id; later pages come from the Link
 * header).  limit is the page size asked.  Returns 0, -EINVAL or -ENOMEM. */
int api_reposted_by_url(enum feed_kind kind, const char *configured,
                        const char *bluesky_api, const char *key,
                        const char *cursor, int limit, char **out);
/* The host of a Mastodon feed's instance (a *new* string), which completes
 * its local accounts' acct.  Returns 0, -EINVAL or -ENOMEM. */
int api_mastodon_domain(const char *configured, char **out);
/* Whether URLs a and b have the same scheme, host and port. */
bool api_same_origin(const char *a, const char *b);
/* The URL that asks the source for one post by its stable key (a *new*
 * string): Mastodon's status id, Bluesky's at:// URI (not a repost's
 * key).  Returns 0, -EINVAL when the key cannot be asked for, or
 * -ENOMEM. */
int api_status_url(enum feed_kind kind, const char *configured,
                   const char *bluesky_api, const char *key, char **out);
/* What the answer to api_status_url() says: 1 the post does not exist
 * (Mastodon 404/410; Bluesky 404/410 or a 200 listing no post), 0 it
 * does (a 200 with the post), -1 nothing certain (an error, 5xx, 429,
 * a body that cannot be read). */
int api_status_answer(enum feed_kind kind, long status, const char *body,
                      size_t len);

#endif
