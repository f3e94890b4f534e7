/*
 * poller.h — the scheduler and the poll pipeline.  It keeps one record per
 * configured feed (due time, validators, backoff), starts transfers through
 * fetch.h within the global and per-host limits, and turns each finished
 * transfer into one stored poll: parse (feed.h), classify (classify.h),
 * store (store.h) in a single transaction.  Everything runs in the
 * daemon's libevent loop; the poller logs per feed because it is the
 * daemon's glue, not a library.
 */
#ifndef DEMARCHE_POLLER_H
#define DEMARCHE_POLLER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct event_base;
struct config;
struct classify_rules;
struct store;
struct fetch_engine;
struct poller; /* opaque */

/* Totals since the poller started. */
struct poller_stats {
	uint64_t polls;    /* finished polls, any outcome */
	uint64_t failures; /* polls that failed (network, HTTP, parse) */
	uint64_t new_posts;
	uint64_t edited_posts;
	uint64_t store_errors; /* polls whose transaction could not commit */
	uint64_t disabled;     /* --once: feeds skipped, disabled (410 Gone) */
};

/* Called when a --once run has polled every feed, or when a stopped poller
 * has nothing left in flight. */
typedef void (*poller_idle_fn)(void *arg);

int poller_new(struct event_base *base, struct store *st,
               struct fetch_engine *fetch, struct poller **out);
void poller_free(struct poller *p);

/* Installs a (new) config and rules; both are borrowed and must outlive
 * the next poller_set_config() call.  Feeds that stay keep their state;
 * new ones are loaded from the store (call store_sync_config first).
 * Returns 0 or a negative errno (nothing changed then). */
int poller_set_config(struct poller *p, const struct config *cfg,
                      const struct classify_rules *rules);

/* Starts scheduling.  With once, every active feed is polled one time and
 * the idle callback fires when all have finished. */
void poller_start(struct poller *p, bool once, poller_idle_fn idle, void *arg);
/* Stops starting transfers; in-flight ones finish (or are cancelled by the
 * caller through fetch_cancel_all); the idle callback fires when none is
 * left. */
void poller_stop(struct poller *p);

size_t poller_in_flight(const struct poller *p);
size_t poller_feed_count(const struct poller *p);
const struct poller_stats *poller_stats(const struct poller *p);

#endif
