/*
 * web_source.h — the request side of the sources that are web pages or
 * feeds at a platform's fixed address rather than APIs: Telegram channel
 * previews ({telegram_base}/s/NAME, older pages with ?before=ID) and
 * YouTube channel feeds ({youtube_base}/feeds/videos.xml?channel_id=ID).
 * Also the paging decision of Telegram.  Pure: strings in, strings out.
 */
#ifndef DEMARCHE_WEB_SOURCE_H
#define DEMARCHE_WEB_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

/* The URL to fetch for a feed of kind FEED_KIND_TELEGRAM or
 * FEED_KIND_YOUTUBE, configured as "telegram:NAME" / "youtube:ID"; before
 * (Telegram only, 0 for the newest page) pages back.  A *new* string in
 * *out.  Returns 0, -EINVAL (another kind, or malformed) or -ENOMEM. */
int web_source_url(const struct config *cfg, enum feed_kind kind,
                   const char *configured, int64_t before, char **out);

/* Where a Telegram poll stands after a page. */
struct web_source_paging {
	bool first_poll;  /* the feed had nothing stored when it began */
	size_t collected; /* posts gathered so far, this page included */
	size_t known;     /* of this page's, already in the log */
	int64_t before;   /* the page's "older" marker, 0 at the start */
	int pages;        /* pages fetched so far */
	int backfill;     /* [poll] backfill */
};

/* Whether to ask for the page before p->before: not at the channel's
 * start, not once a known post was met (later polls), not past backfill
 * posts (first polls; later ones also stop there, a burst bigger than
 * that is not chased), and never more than backfill / 10 + 2 pages. */
bool web_source_page_more(const struct web_source_paging *p);

/* The page of one post of a Telegram channel (configured
 * "telegram:NAME", key "NAME/ID" as stored): {telegram_base}/NAME/ID
 * ?embed=1&mode=tme, a *new* string.  Returns 0, -EINVAL (another
 * channel's key, or malformed) or -ENOMEM. */
int web_source_post_url(const struct config *cfg, const char *configured,
                        const char *key, char **out);
/* What that page says: 1 no such post (Telegram's "Post not found" box,
 * or a 404/410), 0 the post is there, -1 nothing certain. */
int web_source_post_answer(long status, const char *body, size_t len);

#endif
