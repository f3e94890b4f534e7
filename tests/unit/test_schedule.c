/* test_schedule.c — the poller's scheduler on its own (schedule.h): due
 * order of the heap, jitter bounds, per-host round-robin and limits,
 * exponential backoff, Retry-After, and host pauses. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "schedule.h"
#include "test.h"

#define N 200

static void test_due_order(void)
{
	static struct schedule_item items[N];
	struct schedule s;
	struct schedule_item *it;
	int64_t last = INT64_MIN;
	size_t i, popped = 0;

	REQUIRE(schedule_init(&s) == 0);
	srand(3);
	for (i = 0; i < N; i++) {
		schedule_item_init(&items[i]);
		items[i].due_ms = rand() % 1000;
		ASSERT_INT_EQ(schedule_push(&s, &items[i]), 0);
	}
	/* Pushing twice or pushing a never-due item changes nothing. */
	ASSERT_INT_EQ(schedule_push(&s, &items[0]), 0);
	ASSERT_INT_EQ(s.heap_len, N);
	/* Removing from the middle keeps the heap in order. */
	for (i = 0; i < N; i += 7)
		schedule_remove(&s, &items[i]);
	ASSERT(schedule_pop_due(&s, -1) == NULL);
	while ((it = schedule_pop_due(&s, 1000)) != NULL) {
		ASSERT(it->due_ms >= last);
		ASSERT(it->heap_idx == SCHEDULE_NOT_IN_HEAP);
		last = it->due_ms;
		popped++;
	}
	ASSERT_INT_EQ(popped, N - (N + 6) / 7);
	ASSERT(schedule_next_due(&s) == SCHEDULE_NEVER);
	schedule_item_init(&items[0]);
	ASSERT_INT_EQ(schedule_push(&s, &items[0]), 0);
	ASSERT_INT_EQ(s.heap_len, 0);
	/* Only what is due comes out. */
	items[1].due_ms = 500;
	items[2].due_ms = 100;
	schedule_push(&s, &items[1]);
	schedule_push(&s, &items[2]);
	ASSERT(schedule_next_due(&s) == 100);
	ASSERT(schedule_pop_due(&s, 99) == NULL);
	ASSERT(schedule_pop_due(&s, 100) == &items[2]);
	ASSERT(schedule_pop_due(&s, 499) == NULL);
	schedule_clear(&s);
}

static void test_jitter(void)
{
	int64_t v, lo = INT64_MAX, hi = INT64_MIN;
	int i;

	for (i = 0; i < 20000; i++) {
		v = schedule_jitter_ms(60000, 10);
		if (v < lo)
			lo = v;
		if (v > hi)
			hi = v;
	}
	ASSERT(lo >= 54000 && hi <= 66000);
	/* Spread over the range, not bunched at one point. */
	ASSERT(lo < 54600 && hi > 65400);
	ASSERT(schedule_jitter_ms(5, 10) == 5); /* no room to jitter */
	ASSERT(schedule_jitter_ms(1000, 0) == 1000);
}

/* Items 0..n-1 on the hosts named by hosts[i], enqueued in that order. */
static void enqueue(struct schedule *s, struct schedule_item *items,
                    const char *const *hosts, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		schedule_item_init(&items[i]);
		items[i].host = schedule_host(s, hosts[i]);
		REQUIRE(items[i].host != NULL);
		schedule_enqueue(s, &items[i]);
	}
}

static void test_round_robin(void)
{
	static const char *const hosts[] = {"a", "a", "a", "b", "c", "c"};
	/* One per host per turn: a b c, then a c, then a. */
	static const size_t order[] = {0, 3, 4, 1, 5, 2};
	struct schedule_item items[6], *it;
	struct schedule s;
	int64_t wake = SCHEDULE_NEVER;
	size_t i;

	REQUIRE(schedule_init(&s) == 0);
	enqueue(&s, items, hosts, 6);
	ASSERT(schedule_host(&s, "a") == items[0].host);
	ASSERT_INT_EQ(s.ring_len, 3);
	for (i = 0; i < 6; i++) {
		it = schedule_next_ready(&s, 0, 100, &wake);
		REQUIRE(it != NULL);
		ASSERT(it == &items[order[i]]);
		ASSERT(!it->waiting);
	}
	ASSERT(schedule_next_ready(&s, 0, 100, &wake) == NULL);
	ASSERT_INT_EQ(s.ring_len, 0);
	ASSERT(wake == SCHEDULE_NEVER);

	/* per_host: a host with that many in flight is skipped, the
	 * others go on. */
	enqueue(&s, items, hosts, 6);
	items[0].host->in_flight = 1;
	it = schedule_next_ready(&s, 0, 1, &wake);
	ASSERT(it == &items[3]);
	it->host->in_flight++;
	it = schedule_next_ready(&s, 0, 1, &wake);
	ASSERT(it == &items[4]);
	it->host->in_flight++;
	ASSERT(schedule_next_ready(&s, 0, 1, &wake) == NULL);
	items[0].host->in_flight = 0;
	ASSERT(schedule_next_ready(&s, 0, 1, &wake) == &items[0]);

	/* A reload takes a waiting item out of its FIFO. */
	schedule_unqueue(&s, &items[1]);
	ASSERT(!items[1].waiting);
	items[0].host->in_flight = 0;
	ASSERT(schedule_next_ready(&s, 0, 1, &wake) == &items[2]);
	schedule_clear(&s);
}

static void test_backoff(void)
{
	int64_t d;
	int i;

	/* Doubling from the interval (20% jitter), capped at six hours. */
	for (i = 0; i < 50; i++) {
		d = schedule_after_failure(60, 1, -1);
		ASSERT(d >= 48000 && d <= 72000);
		d = schedule_after_failure(60, 3, -1);
		ASSERT(d >= 192000 && d <= 288000);
		d = schedule_after_failure(60, 30, -1);
		ASSERT(d >= 6 * 3600 * 800 && d <= 6 * 3600 * 1200);
		/* An interval over the cap is the cap. */
		d = schedule_after_failure(86400, 5, -1);
		ASSERT(d >= 86400LL * 800 && d <= 86400LL * 1200);
	}
	/* Never sooner than a second. */
	ASSERT(schedule_after_failure(0, 1, -1) == 1000);
	/* Success: the interval with 10% jitter, or the feed's hint when it
	 * asks for longer (capped at a day). */
	d = schedule_after_success(600, 0);
	ASSERT(d >= 540000 && d <= 660000);
	ASSERT(schedule_after_success(600, 3600) == 3600000);
	ASSERT(schedule_after_success(600, 30 * 86400) == 86400000);
	ASSERT(schedule_after_success(0, 0) == 1000);
}

static void test_retry_after(void)
{
	int64_t d;

	/* Retry-After wins when longer than the backoff... */
	ASSERT(schedule_after_failure(60, 1, 3600) == 3600000);
	/* ...not when shorter... */
	d = schedule_after_failure(600, 1, 5);
	ASSERT(d >= 480000 && d <= 720000);
	/* ...and is capped at a week. */
	ASSERT(schedule_after_failure(60, 1, 30 * 86400) == 7 * 86400000LL);
}

static void test_host_pause(void)
{
	static const char *const hosts[] = {"slow", "slow", "slow", "fast"};
	struct schedule_item items[4], other;
	struct schedule s;
	struct schedule_host *h;
	int64_t wake = SCHEDULE_NEVER, now = 1000000;

	REQUIRE(schedule_init(&s) == 0);
	enqueue(&s, items, hosts, 4);
	h = items[0].host;
	/* One feed told twice, then a second: not yet. */
	ASSERT(schedule_throttled(h, &items[0], 120, now) == 0);
	ASSERT(schedule_throttled(h, &items[0], 120, now) == 0);
	ASSERT(schedule_throttled(h, &items[1], 120, now) == 0);
	ASSERT(h->paused_until_ms == 0);
	/* The third distinct feed pauses the host for its Retry-After. */
	ASSERT(schedule_throttled(h, &items[2], 120, now + 1) == 120);
	ASSERT(h->paused_until_ms == now + 1 + 120000);
	/* The paused host is skipped and its end is when to wake. */
	ASSERT(schedule_next_ready(&s, now + 2, 4, &wake) == &items[3]);
	ASSERT(schedule_next_ready(&s, now + 2, 4, &wake) == NULL);
	ASSERT(wake == now + 1 + 120000);
	ASSERT(schedule_next_ready(&s, now + 1 + 120000, 4, &wake) ==
	       &items[0]);
	/* Without Retry-After a minute; never over an hour; and the window
	 * forgets feeds told more than five minutes ago. */
	schedule_item_init(&other);
	now += 10000000;
	ASSERT(schedule_throttled(h, &items[0], -1, now) == 0);
	ASSERT(schedule_throttled(h, &items[1], -1, now) == 0);
	ASSERT(schedule_throttled(h, &other, -1, now + 1) == 60);
	now += 10000000;
	ASSERT(schedule_throttled(h, &items[0], 99999, now) == 0);
	ASSERT(schedule_throttled(h, &items[1], 99999,
	                          now + SCHEDULE_THROTTLE_WINDOW_MS + 1) == 0);
	ASSERT(schedule_throttled(h, &other, 99999,
	                          now + SCHEDULE_THROTTLE_WINDOW_MS + 2) == 0);
	ASSERT(schedule_throttled(h, &items[2], 99999,
	                          now + SCHEDULE_THROTTLE_WINDOW_MS + 3) ==
	       SCHEDULE_HOST_PAUSE_MAX);
	schedule_clear(&s);
}

TEST_MAIN(TEST(test_due_order), TEST(test_jitter), TEST(test_round_robin),
          TEST(test_backoff), TEST(test_retry_after), TEST(test_host_pause))
