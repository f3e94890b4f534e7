/*
 * reposters.h — who reposted a post: one page of Bluesky's
 * app.bsky.feed.getRepostedBy or of Mastodon's
 * /api/v1/statuses/:id/reblogged_by, read into a list of actors with the
 * account facts the answer carries (creation time, followers), and the
 * way to the next page (Bluesky's cursor; Mastodon's Link header).  The
 * amplification watch (fetch/amplification.c) asks for these pages.  Pure:
 * bytes in, structs out.
 */
#ifndef DEMARCHE_REPOSTERS_H
#define DEMARCHE_REPOSTERS_H

#include <stddef.h>
#include <stdint.h>

#include "feed.h"

/* One reposting account. */
struct reposter {
	char *actor;     /* Bluesky handle, Mastodon user@domain; never NULL */
	char *name;      /* display name, or NULL */
	int64_t created; /* account creation, UTC epoch s, or TIME_UNKNOWN */
	int64_t followers; /* followers, or -1 when not given */
};

/* One page of reposters. */
struct reposter_page {
	struct reposter *actors;
	size_t n;
	char *cursor; /* Bluesky: the next page's cursor, or NULL at the end */
	size_t skipped; /* entries without a usable handle, left out */
};

/*
 * Reads one page of format FEED_FORMAT_BLUESKY (a getRepostedBy answer)
 * or FEED_FORMAT_MASTODON (an array of accounts).  domain is the
 * Mastodon instance's host, which completes local accounts' acct ("user"
 * -> "user@domain"); NULL leaves them as they are.  Returns 0 and a *new*
 * page in *out (free with reposter_page_free), or -EBADMSG (with a
 * one-line reason in err), -EINVAL for another format, or -ENOMEM.
 */
int reposters_parse(enum feed_format format, const char *data, size_t len,
                    const char *domain, struct reposter_page **out, char *err,
                    size_t errlen);
void reposter_page_free(struct reposter_page *page);

/* The target of the rel="next" link of a Link header (RFC 8288) as a *new*
 * string, or NULL when there is none (or for want of memory). */
char *reposters_link_next(const char *link);

#endif
