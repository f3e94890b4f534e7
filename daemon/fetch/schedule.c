/*
 * schedule.c — the heap of idle feeds, the hosts' FIFOs and their ready
 * ring, host pauses, and the delays between polls (see schedule.h).
 */
#include "schedule.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "strmap.h"

int schedule_init(struct schedule *s)
{
	memset(s, 0, sizeof(*s));
	s->hosts = strmap_new();
	return s->hosts ? 0 : -ENOMEM;
}

void schedule_clear(struct schedule *s)
{
	struct schedule_host *h, *next;

	for (h = s->all_hosts; h; h = next) {
		next = h->all_next;
		free(h->name);
		free(h);
	}
	strmap_free(s->hosts);
	free(s->heap);
	memset(s, 0, sizeof(*s));
}

void schedule_item_init(struct schedule_item *it)
{
	memset(it, 0, sizeof(*it));
	it->due_ms = SCHEDULE_NEVER;
	it->heap_idx = SCHEDULE_NOT_IN_HEAP;
}

/* ---- the heap of idle items ---- */

static void heap_swap(struct schedule *s, size_t a, size_t b)
{
	struct schedule_item *t = s->heap[a];

	s->heap[a] = s->heap[b];
	s->heap[b] = t;
	s->heap[a]->heap_idx = a;
	s->heap[b]->heap_idx = b;
}

static void heap_up(struct schedule *s, size_t i)
{
	while (i > 0 && s->heap[(i - 1) / 2]->due_ms > s->heap[i]->due_ms) {
		heap_swap(s, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

static void heap_down(struct schedule *s, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;

		if (l < s->heap_len && s->heap[l]->due_ms < s->heap[m]->due_ms)
			m = l;
		if (r < s->heap_len && s->heap[r]->due_ms < s->heap[m]->due_ms)
			m = r;
		if (m == i)
			return;
		heap_swap(s, i, m);
		i = m;
	}
}

int schedule_push(struct schedule *s, struct schedule_item *it)
{
	if (it->due_ms == SCHEDULE_NEVER ||
	    it->heap_idx != SCHEDULE_NOT_IN_HEAP)
		return 0;
	if (s->heap_len == s->heap_cap) {
		size_t cap = s->heap_cap ? s->heap_cap * 2 : 64;
		struct schedule_item **h = realloc(s->heap, cap * sizeof(*h));

		if (!h)
			return -ENOMEM;
		s->heap = h;
		s->heap_cap = cap;
	}
	it->heap_idx = s->heap_len;
	s->heap[s->heap_len++] = it;
	heap_up(s, it->heap_idx);
	return 0;
}

void schedule_remove(struct schedule *s, struct schedule_item *it)
{
	size_t i = it->heap_idx;

	if (i == SCHEDULE_NOT_IN_HEAP)
		return;
	it->heap_idx = SCHEDULE_NOT_IN_HEAP;
	if (i == --s->heap_len)
		return;
	s->heap[i] = s->heap[s->heap_len];
	s->heap[i]->heap_idx = i;
	heap_down(s, i);
	heap_up(s, i);
}

int64_t schedule_next_due(const struct schedule *s)
{
	return s->heap_len ? s->heap[0]->due_ms : SCHEDULE_NEVER;
}

struct schedule_item *schedule_pop_due(struct schedule *s, int64_t now_ms)
{
	struct schedule_item *it;

	if (!s->heap_len || s->heap[0]->due_ms > now_ms)
		return NULL;
	it = s->heap[0];
	schedule_remove(s, it);
	return it;
}

/* ---- hosts, their FIFOs and the ready ring ---- */

struct schedule_host *schedule_host(struct schedule *s, const char *name)
{
	struct schedule_host *h = strmap_get(s->hosts, name);

	if (h)
		return h;
	h = calloc(1, sizeof(*h));
	if (!h || !(h->name = strdup(name)) ||
	    strmap_put(s->hosts, name, h) < 0) {
		if (h)
			free(h->name);
		free(h);
		return NULL;
	}
	h->all_next = s->all_hosts;
	s->all_hosts = h;
	return h;
}

static void ring_insert(struct schedule *s, struct schedule_host *h)
{
	if (h->in_ring)
		return;
	h->in_ring = true;
	s->ring_len++;
	if (!s->ring) {
		h->ring_prev = h->ring_next = h;
		s->ring = h;
		return;
	}
	/* Just behind the cursor: served last in the current turn. */
	h->ring_next = s->ring;
	h->ring_prev = s->ring->ring_prev;
	s->ring->ring_prev->ring_next = h;
	s->ring->ring_prev = h;
}

static void ring_remove(struct schedule *s, struct schedule_host *h)
{
	if (!h->in_ring)
		return;
	h->in_ring = false;
	s->ring_len--;
	if (h->ring_next == h) {
		s->ring = NULL;
	} else {
		h->ring_prev->ring_next = h->ring_next;
		h->ring_next->ring_prev = h->ring_prev;
		if (s->ring == h)
			s->ring = h->ring_next;
	}
	h->ring_next = h->ring_prev = NULL;
}

void schedule_enqueue(struct schedule *s, struct schedule_item *it)
{
	struct schedule_host *h = it->host;

	it->waiting = true;
	it->wait_next = NULL;
	if (h->wait_tail)
		h->wait_tail->wait_next = it;
	else
		h->wait_head = it;
	h->wait_tail = it;
	ring_insert(s, h);
}

static struct schedule_item *host_dequeue(struct schedule *s,
                                          struct schedule_host *h)
{
	struct schedule_item *it = h->wait_head;

	if (!it)
		return NULL;
	h->wait_head = it->wait_next;
	if (!h->wait_head)
		h->wait_tail = NULL;
	it->wait_next = NULL;
	it->waiting = false;
	if (!h->wait_head)
		ring_remove(s, h);
	return it;
}

void schedule_unqueue(struct schedule *s, struct schedule_item *it)
{
	struct schedule_host *h = it->host;
	struct schedule_item **pp, *prev = NULL;

	if (!it->waiting)
		return;
	for (pp = &h->wait_head; *pp; prev = *pp, pp = &(*pp)->wait_next) {
		if (*pp != it)
			continue;
		*pp = it->wait_next;
		if (h->wait_tail == it)
			h->wait_tail = prev;
		break;
	}
	it->waiting = false;
	it->wait_next = NULL;
	if (!h->wait_head)
		ring_remove(s, h);
}

struct schedule_item *schedule_next_ready(struct schedule *s, int64_t now_ms,
                                          int per_host, int64_t *wake_ms)
{
	struct schedule_host *h = s->ring;
	size_t steps;

	for (steps = s->ring_len; h && steps > 0; steps--, h = h->ring_next) {
		if (h->paused_until_ms > now_ms) {
			if (h->paused_until_ms < *wake_ms)
				*wake_ms = h->paused_until_ms;
			continue;
		}
		if (h->in_flight >= per_host)
			continue;
		/* The next turn starts after h. */
		s->ring = h->ring_next;
		return host_dequeue(s, h);
	}
	return NULL;
}

int64_t schedule_throttled(struct schedule_host *h,
                           const struct schedule_item *it, int64_t retry_after,
                           int64_t now_ms)
{
	int64_t pause;
	int i;

	if (now_ms - h->throttle_window_ms > SCHEDULE_THROTTLE_WINDOW_MS) {
		h->throttle_window_ms = now_ms;
		h->n_throttled = 0;
	}
	for (i = 0; i < h->n_throttled; i++)
		if (h->throttled[i] == it)
			return 0;
	h->throttled[h->n_throttled++] = it;
	if (h->n_throttled < SCHEDULE_THROTTLE_FEEDS)
		return 0;
	/* The server's own figure when it gave one, else a minute. */
	pause = retry_after > 0 ? retry_after : SCHEDULE_HOST_PAUSE_MIN;
	if (pause > SCHEDULE_HOST_PAUSE_MAX)
		pause = SCHEDULE_HOST_PAUSE_MAX;
	h->paused_until_ms = now_ms + pause * 1000;
	h->n_throttled = 0;
	return pause;
}

/* ---- delays ---- */

int64_t schedule_jitter_ms(int64_t ms, int percent)
{
	int64_t span = ms * percent / 100;

	if (span <= 0 || span > INT32_MAX)
		return ms;
	return ms - span +
	       (int64_t)arc4random_uniform((uint32_t)(2 * span + 1));
}

int64_t schedule_after_success(int64_t interval, int64_t hint)
{
	int64_t delay = schedule_jitter_ms(interval * 1000, 10);

	if (hint > SCHEDULE_MAX_TTL)
		hint = SCHEDULE_MAX_TTL;
	hint *= 1000;
	return delay < hint ? hint : (delay < 1000 ? 1000 : delay);
}

int64_t schedule_after_failure(int64_t interval, int failures,
                               int64_t retry_after)
{
	int64_t delay = interval, cap = SCHEDULE_MAX_BACKOFF;
	int i;

	if (cap < interval)
		cap = interval;
	for (i = 1; i < failures && delay < cap; i++)
		delay *= 2;
	if (delay > cap)
		delay = cap;
	delay = schedule_jitter_ms(delay * 1000, 20);
	if (retry_after * 1000 > delay)
		delay = (retry_after > SCHEDULE_MAX_RETRYAFTER
		             ? SCHEDULE_MAX_RETRYAFTER
		             : retry_after) *
		        1000;
	return delay < 1000 ? 1000 : delay;
}
