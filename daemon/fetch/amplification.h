/*
 * amplification.h — the amplification watch ([poll] amplification = yes):
 * after each poll of a Bluesky or Mastodon feed, who reposted its posts
 * younger than amplification_window is asked for (Bluesky
 * app.bsky.feed.getRepostedBy, paged by cursor; Mastodon
 * /api/v1/statuses/:id/reblogged_by, paged by the Link header), at most
 * amplification_max reposters per post, and the new ones are stored.
 *
 * These requests come after the feeds: a host whose feeds wait for a
 * transfer gets no amplification request, each host has at most one in
 * flight, and a 429/503 pauses only this watch's requests to that host
 * (never the feed polls, whose schedule is not touched).  A post is
 * checked again at its feed's next polls, less often while the checks
 * find no new reposter (after k fruitless checks in a row, the next
 * 2^k - 1 polls skip it, at most 31), and no more once it has
 * amplification_max reposters.
 */
#ifndef DEMARCHE_AMPLIFICATION_H
#define DEMARCHE_AMPLIFICATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

struct event_base;
struct fetch_engine;
struct schedule;
struct store;
struct amplifier; /* opaque */

/* Called after each of the watch's transfers ended (the poller looks
 * whether it is idle and what to start next). */
typedef void (*amplifier_event_fn)(void *arg);

/* Totals since start. */
struct amplifier_stats {
	uint64_t checks;    /* posts whose reposter list was read */
	uint64_t requests;  /* pages asked for */
	uint64_t added;     /* reposters stored */
	uint64_t throttled; /* 429/503 answers */
	uint64_t failures;  /* checks that failed otherwise */
};

/* sched is the poller's (borrowed): which hosts have feeds waiting.
 * Returns 0 or -ENOMEM. */
int amplifier_new(struct event_base *base, struct store *st,
                  struct fetch_engine *fetch, const struct schedule *sched,
                  amplifier_event_fn fn, void *arg, struct amplifier **out);
/* Frees queued checks; call after the fetch engine is freed (in-flight
 * ones are dropped with it). */
void amplifier_free(struct amplifier *a);
/* The config to follow (borrowed, as the poller's). */
void amplifier_set_config(struct amplifier *a, const struct config *cfg);
/* A poll of a feed of kind (Bluesky or Mastodon: others are ignored) was
 * recorded: queues the checks of its recent posts that are due. */
void amplifier_feed_polled(struct amplifier *a, enum feed_kind kind,
                           int64_t feed_id, const char *account_key,
                           const char *configured_url);
/* Starts the queued checks that may go now. */
void amplifier_run(struct amplifier *a);
/* A --once run (demarched --once): a host paused for longer than a few
 * seconds leaves its checks to the next run rather than holding the run. */
void amplifier_set_once(struct amplifier *a, bool once);
/* Drops what is queued; in-flight requests end on their own. */
void amplifier_stop(struct amplifier *a);
/* Checks queued or in flight. */
bool amplifier_busy(const struct amplifier *a);
const struct amplifier_stats *amplifier_stats(const struct amplifier *a);

#endif
