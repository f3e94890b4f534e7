/*
 * schedule.h — when each feed is polled, and which waiting feed starts
 * next.
 *
 * Feeds that wait for their next poll sit in a min-heap keyed by due time.
 * When one comes due it moves to the FIFO of its host; hosts with waiting
 * feeds form a ring that is served round-robin, one feed per host per
 * turn, so one busy or slow host cannot starve the others.  A host is
 * paused only when several of its feeds are told to slow down (429/503)
 * within a few minutes: one broken route on a shared bridge must not stall
 * the rest.  Every step is O(log n) in the number of feeds.
 *
 * The delays between polls live here too: the interval with jitter, never
 * sooner than the feed asked, and exponential backoff on failures with the
 * server's Retry-After winning when it asks for longer.
 *
 * Pure: no I/O and no clock of its own (the caller passes monotonic
 * milliseconds), so tests/unit/test_schedule.c drives it directly.  The
 * poller (poller.c) embeds a struct schedule_item in each feed's record.
 */
#ifndef DEMARCHE_SCHEDULE_H
#define DEMARCHE_SCHEDULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SCHEDULE_NEVER       INT64_MAX
#define SCHEDULE_NOT_IN_HEAP SIZE_MAX
/* Distinct feeds of a host told to slow down within the window that pause
 * it, the window, and the pause when no Retry-After says (seconds). */
#define SCHEDULE_THROTTLE_FEEDS     3
#define SCHEDULE_THROTTLE_WINDOW_MS (5 * 60 * 1000)
#define SCHEDULE_HOST_PAUSE_MIN     60
#define SCHEDULE_HOST_PAUSE_MAX     3600
/* Longest backoff (unless the interval is longer), the cap on a feed's own
 * ttl/max-age hint, and on a Retry-After (seconds). */
#define SCHEDULE_MAX_BACKOFF    (6 * 3600)
#define SCHEDULE_MAX_TTL        (24 * 3600)
#define SCHEDULE_MAX_RETRYAFTER (7 * 86400)

struct schedule_host;

/* One feed's place in the schedule, embedded in the caller's record. */
struct schedule_item {
	int64_t due_ms;                  /* monotonic; SCHEDULE_NEVER if not */
	size_t heap_idx;                 /* or SCHEDULE_NOT_IN_HEAP */
	struct schedule_item *wait_next; /* in its host's FIFO */
	bool waiting;                    /* in its host's FIFO */
	struct schedule_host *host;      /* of the URL last requested */
};

/* A host (host[:port]) and what is waiting for it. */
struct schedule_host {
	char *name;
	int in_flight; /* transfers to it now (kept by the caller) */
	struct schedule_item *wait_head, *wait_tail; /* due, waiting for room */
	struct schedule_host *ring_prev, *ring_next; /* in the ready ring */
	bool in_ring;
	int64_t paused_until_ms; /* monotonic; 0 = not paused */
	/* distinct feeds told to slow down in the window (compared, never
	 * dereferenced) */
	const struct schedule_item *throttled[SCHEDULE_THROTTLE_FEEDS];
	int n_throttled;
	int64_t throttle_window_ms;     /* when that window started */
	struct schedule_host *all_next; /* in schedule.all_hosts */
};

struct schedule {
	struct schedule_item **heap; /* idle feeds by due_ms */
	size_t heap_len, heap_cap;
	struct strmap *hosts;            /* name -> struct schedule_host */
	struct schedule_host *ring;      /* cursor into the ready ring */
	size_t ring_len;                 /* hosts in the ring */
	struct schedule_host *all_hosts; /* every host record, for freeing */
};

/* Returns 0 or -ENOMEM; schedule_clear() frees what it holds (never the
 * items, which belong to the caller). */
int schedule_init(struct schedule *s);
void schedule_clear(struct schedule *s);
void schedule_item_init(struct schedule_item *it);

/* The heap of idle items: push one (no-op when it is not due or already
 * in; -ENOMEM), remove one (no-op when not in), the earliest due time
 * (SCHEDULE_NEVER when empty), and pop the earliest when it is due at
 * now_ms (NULL otherwise). */
int schedule_push(struct schedule *s, struct schedule_item *it);
void schedule_remove(struct schedule *s, struct schedule_item *it);
int64_t schedule_next_due(const struct schedule *s);
struct schedule_item *schedule_pop_due(struct schedule *s, int64_t now_ms);

/* The record of host name, created on first use (NULL: out of memory). */
struct schedule_host *schedule_host(struct schedule *s, const char *name);
/* Appends it to its host's FIFO (it->host must be set), or takes it out
 * (O(queue length), for reloads). */
void schedule_enqueue(struct schedule *s, struct schedule_item *it);
void schedule_unqueue(struct schedule *s, struct schedule_item *it);
/* The next item to start, taken from its host's FIFO: round-robin over the
 * hosts with waiting items, from the ring's cursor, skipping hosts that
 * are paused at now_ms or have per_host transfers in flight; NULL when no
 * host can take one.  *wake_ms is lowered to the end of any pause seen. */
struct schedule_item *schedule_next_ready(struct schedule *s, int64_t now_ms,
                                          int per_host, int64_t *wake_ms);
/* A 429/503 for item it of host h at now_ms: pauses the host when it is the
 * SCHEDULE_THROTTLE_FEEDS-th distinct item within the window, for
 * retry_after seconds when positive (else SCHEDULE_HOST_PAUSE_MIN), at most
 * SCHEDULE_HOST_PAUSE_MAX.  Returns the pause in seconds, or 0. */
int64_t schedule_throttled(struct schedule_host *h,
                           const struct schedule_item *it, int64_t retry_after,
                           int64_t now_ms);

/* ms spread evenly over [ms - percent, ms + percent]. */
int64_t schedule_jitter_ms(int64_t ms, int percent);
/* Milliseconds until the next poll after a success: the interval (seconds)
 * with 10% jitter, but never sooner than the feed's hint (its ttl or the
 * response's max-age, seconds, capped at SCHEDULE_MAX_TTL), and at least
 * 1 s. */
int64_t schedule_after_success(int64_t interval, int64_t hint);
/* After the failures-th failure in a row: the interval doubled per earlier
 * failure up to SCHEDULE_MAX_BACKOFF (or the interval when longer), with
 * 20% jitter; a Retry-After (seconds, capped at SCHEDULE_MAX_RETRYAFTER)
 * wins when longer; at least 1 s. */
int64_t schedule_after_failure(int64_t interval, int failures,
                               int64_t retry_after);

#endif
