/*
 * poller.c — per-feed scheduling and the fetch -> parse -> classify -> store
 * pipeline.
 *
 * Scheduling: feeds that wait for their next poll sit in a min-heap keyed
 * by due time.  When one comes due it moves to the FIFO of its host; hosts
 * with waiting feeds form a ring that is served round-robin, one feed per
 * host per turn, so one busy or slow host cannot starve the others.  A feed
 * starts when the global limit ([poll] concurrency) and its host's limit
 * (per_host) have room and its host is not paused.  A host is paused only
 * when several of its feeds are told to slow down (429/503) within a few
 * minutes: one broken route on a shared bridge must not stall the rest.
 * Every step is O(log n) in the number of feeds, so tens of thousands of
 * feeds cost little.
 *
 * Storage: a poll is written in one store transaction together with the
 * feed's new validators, so if the write fails (disk full, database locked)
 * the old validators stay and the next poll fetches the same posts again:
 * nothing is lost, and memory does not grow with the outage.
 */
#include "poller.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "api_source.h"
#include "classify.h"
#include "config.h"
#include "feed.h"
#include "fetch.h"
#include "log.h"
#include "store.h"
#include "strmap.h"
#include "util.h"

#define POLLER_MAX_BACKOFF (6 * 3600)  /* seconds */
#define POLLER_MAX_TTL     (24 * 3600) /* a feed's own hint is capped here */
/* Seconds (at most the feed's interval) before retrying a poll whose claim
 * or write failed; tests/e2e/pg_dbfaults.sh sizes its waits from it. */
#define POLLER_STORE_RETRY 30
#define POLLER_THROTTLE_FEEDS                      \
	3 /* distinct feeds of a host told to slow \
	   * down within the window pause it */
#define POLLER_THROTTLE_WINDOW_MS (5 * 60 * 1000)
#define POLLER_HOST_PAUSE_MIN     60 /* seconds, when no Retry-After says */
#define POLLER_LEASE_MARGIN                       \
	30 /* seconds a feed's lease outlasts the \
	    * transfer timeout (parse, store) */
#define POLLER_ONCE_RECHECK                    \
	2 /* seconds between --once looks at a \
	   * feed another instance holds */
#define POLLER_NEVER       INT64_MAX
#define POLLER_NOT_IN_HEAP SIZE_MAX

struct poll_host;

struct poll_feed {
	char *account_key;    /* [account "key"] */
	char *configured_url; /* as in the config (prefix stripped) */
	enum feed_kind kind;
	int64_t interval;              /* seconds */
	struct store_feed_state state; /* validators, url, failures... */
	struct poll_host *host;        /* of the URL last requested */
	int64_t due_ms;  /* monotonic; POLLER_NEVER when not due */
	size_t heap_idx; /* position in the heap or POLLER_NOT_IN_HEAP */
	struct poll_feed *wait_next; /* in its host's FIFO */
	bool waiting;                /* in its host's FIFO */
	int64_t started_us;          /* wall clock when the poll started */
	bool in_flight;
	bool polled;              /* finished at least one poll (for --once) */
	bool retired;             /* removed by a reload while in flight */
	bool kept;                /* scratch mark of poller_set_config */
	char *api_id;             /* Mastodon account id, once looked up */
	struct feed_doc *profile; /* API sources: the profile of this poll */
	struct poller *p;
};

/* A host (host[:port]) and what is waiting for it. */
struct poll_host {
	char *name;
	int in_flight;                           /* transfers to it now */
	struct poll_feed *wait_head, *wait_tail; /* due, waiting for room */
	struct poll_host *ring_prev, *ring_next; /* in the ready ring */
	bool in_ring;
	int64_t paused_until_ms; /* monotonic; 0 = not paused */
	const struct poll_feed
	    *throttled[POLLER_THROTTLE_FEEDS]; /* distinct
	                                        * feeds told to slow down in the
	                                        * window */
	int n_throttled;
	int64_t throttle_window_ms; /* when that window started */
	struct poll_host *all_next; /* in poller.all_hosts */
};

struct poller {
	struct event_base *base;
	struct store *store;        /* borrowed */
	struct fetch_engine *fetch; /* borrowed */
	const struct config *cfg;   /* borrowed, see poller_set_config */
	const struct classify_rules *rules;
	struct poll_feed **feeds; /* the configured feeds */
	size_t n_feeds;
	struct poll_feed **heap; /* idle feeds by due_ms */
	size_t heap_len, heap_cap;
	struct strmap *hosts;        /* name -> struct poll_host */
	struct poll_host *ring;      /* cursor into the ready ring */
	size_t ring_len;             /* hosts in the ring */
	struct poll_host *all_hosts; /* every host record, for freeing */
	bool scheduling;             /* inside poller_schedule */
	bool reschedule;             /* it was asked again meanwhile */
	size_t in_flight;
	struct event *timer; /* wakes the scheduler */
	bool running, once, stopping;
	bool idle_called; /* the idle callback runs once per poller */
	poller_idle_fn idle;
	void *idle_arg;
	struct poller_stats stats;
	char instance[128]; /* host:pid:start, owner of leases */
	int64_t once_since; /* --once: when the run began */
};

static void poller_schedule(struct poller *p);
static int poll_feed_bind_host(struct poller *p, struct poll_feed *f);

/* ---- the heap of idle feeds ---- */

static void heap_swap(struct poller *p, size_t a, size_t b)
{
	struct poll_feed *t = p->heap[a];

	p->heap[a] = p->heap[b];
	p->heap[b] = t;
	p->heap[a]->heap_idx = a;
	p->heap[b]->heap_idx = b;
}

static void heap_up(struct poller *p, size_t i)
{
	while (i > 0 && p->heap[(i - 1) / 2]->due_ms > p->heap[i]->due_ms) {
		heap_swap(p, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

static void heap_down(struct poller *p, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;

		if (l < p->heap_len && p->heap[l]->due_ms < p->heap[m]->due_ms)
			m = l;
		if (r < p->heap_len && p->heap[r]->due_ms < p->heap[m]->due_ms)
			m = r;
		if (m == i)
			return;
		heap_swap(p, i, m);
		i = m;
	}
}

static int heap_push(struct poller *p, struct poll_feed *f)
{
	if (f->due_ms == POLLER_NEVER || f->heap_idx != POLLER_NOT_IN_HEAP)
		return 0;
	if (p->heap_len == p->heap_cap) {
		size_t cap = p->heap_cap ? p->heap_cap * 2 : 64;
		struct poll_feed **h = realloc(p->heap, cap * sizeof(*h));

		if (!h)
			return -ENOMEM;
		p->heap = h;
		p->heap_cap = cap;
	}
	f->heap_idx = p->heap_len;
	p->heap[p->heap_len++] = f;
	heap_up(p, f->heap_idx);
	return 0;
}

static void heap_remove(struct poller *p, struct poll_feed *f)
{
	size_t i = f->heap_idx;

	if (i == POLLER_NOT_IN_HEAP)
		return;
	f->heap_idx = POLLER_NOT_IN_HEAP;
	if (i == --p->heap_len)
		return;
	p->heap[i] = p->heap[p->heap_len];
	p->heap[i]->heap_idx = i;
	heap_down(p, i);
	heap_up(p, i);
}

/* ---- hosts, their FIFOs and the ready ring ---- */

static struct poll_host *poller_host(struct poller *p, const char *name)
{
	struct poll_host *h = strmap_get(p->hosts, name);

	if (h)
		return h;
	h = calloc(1, sizeof(*h));
	if (!h || !(h->name = strdup(name)) ||
	    strmap_put(p->hosts, name, h) < 0) {
		if (h)
			free(h->name);
		free(h);
		return NULL;
	}
	h->all_next = p->all_hosts;
	p->all_hosts = h;
	return h;
}

static void ring_insert(struct poller *p, struct poll_host *h)
{
	if (h->in_ring)
		return;
	h->in_ring = true;
	p->ring_len++;
	if (!p->ring) {
		h->ring_prev = h->ring_next = h;
		p->ring = h;
		return;
	}
	/* Just behind the cursor: served last in the current turn. */
	h->ring_next = p->ring;
	h->ring_prev = p->ring->ring_prev;
	p->ring->ring_prev->ring_next = h;
	p->ring->ring_prev = h;
}

static void ring_remove(struct poller *p, struct poll_host *h)
{
	if (!h->in_ring)
		return;
	h->in_ring = false;
	p->ring_len--;
	if (h->ring_next == h) {
		p->ring = NULL;
	} else {
		h->ring_prev->ring_next = h->ring_next;
		h->ring_next->ring_prev = h->ring_prev;
		if (p->ring == h)
			p->ring = h->ring_next;
	}
	h->ring_next = h->ring_prev = NULL;
}

static void host_enqueue(struct poller *p, struct poll_feed *f)
{
	struct poll_host *h = f->host;

	f->waiting = true;
	f->wait_next = NULL;
	if (h->wait_tail)
		h->wait_tail->wait_next = f;
	else
		h->wait_head = f;
	h->wait_tail = f;
	ring_insert(p, h);
}

static struct poll_feed *host_dequeue(struct poller *p, struct poll_host *h)
{
	struct poll_feed *f = h->wait_head;

	if (!f)
		return NULL;
	h->wait_head = f->wait_next;
	if (!h->wait_head)
		h->wait_tail = NULL;
	f->wait_next = NULL;
	f->waiting = false;
	if (!h->wait_head)
		ring_remove(p, h);
	return f;
}

/* Takes f out of its host's FIFO (reloads only: O(queue length)). */
static void host_unqueue(struct poller *p, struct poll_feed *f)
{
	struct poll_host *h = f->host;
	struct poll_feed **pp, *prev = NULL;

	if (!f->waiting)
		return;
	for (pp = &h->wait_head; *pp; prev = *pp, pp = &(*pp)->wait_next) {
		if (*pp != f)
			continue;
		*pp = f->wait_next;
		if (h->wait_tail == f)
			h->wait_tail = prev;
		break;
	}
	f->waiting = false;
	f->wait_next = NULL;
	if (!h->wait_head)
		ring_remove(p, h);
}

/* A 429/503 for feed f: pause the whole host only when several distinct
 * feeds of it were told so within a short window, so one broken route on
 * a shared bridge does not stall every feed there. */
static void host_throttled(struct poll_host *h, const struct poll_feed *f,
                           int64_t retry_after)
{
	int64_t now = util_monotonic_ms(), pause;
	int i;

	if (now - h->throttle_window_ms > POLLER_THROTTLE_WINDOW_MS) {
		h->throttle_window_ms = now;
		h->n_throttled = 0;
	}
	for (i = 0; i < h->n_throttled; i++)
		if (h->throttled[i] == f) /* compared, never dereferenced */
			return;
	h->throttled[h->n_throttled++] = f;
	if (h->n_throttled < POLLER_THROTTLE_FEEDS)
		return;
	/* The server's own figure when it gave one, else a minute. */
	pause = retry_after > 0 ? retry_after : POLLER_HOST_PAUSE_MIN;
	if (pause > 3600)
		pause = 3600;
	h->paused_until_ms = now + pause * 1000;
	h->n_throttled = 0;
	log_notice("host %s: %d feeds told to slow down within %d min; pausing "
	           "the host for %llds",
	           h->name, POLLER_THROTTLE_FEEDS,
	           POLLER_THROTTLE_WINDOW_MS / 60000, (long long)pause);
}

/* ---- feed records ---- */

static void poll_feed_free(struct poll_feed *f)
{
	if (!f)
		return;
	free(f->account_key);
	free(f->configured_url);
	free(f->api_id);
	feed_doc_free(f->profile);
	store_feed_state_clear(&f->state);
	free(f);
}

/* The URL the next transfer of a feed goes to first: the stored one
 * (which follows permanent redirects) for web feeds, the profile endpoint
 * for API sources.  NULL when it cannot be built. */
static char *poll_feed_request_url(const struct poller *p,
                                   const struct poll_feed *f)
{
	char *url = NULL;

	if (f->kind == FEED_KIND_WEB)
		return xstrdup(f->state.url ? f->state.url : f->configured_url);
	if (api_profile_url(f->kind, f->configured_url, p->cfg->bluesky_api,
	                    &url) < 0)
		return NULL;
	return url;
}

static enum feed_format poll_feed_format(const struct poll_feed *f)
{
	switch (f->kind) {
	case FEED_KIND_BLUESKY:
		return FEED_FORMAT_BLUESKY;
	case FEED_KIND_MASTODON:
		return FEED_FORMAT_MASTODON;
	case FEED_KIND_WEB:
	default:
		return FEED_FORMAT_AUTO;
	}
}

/* ms spread evenly over [ms - percent, ms + percent]. */
static int64_t poller_jitter_ms(int64_t ms, int percent)
{
	int64_t span = ms * percent / 100;

	if (span <= 0 || span > INT32_MAX)
		return ms;
	return ms - span +
	       (int64_t)arc4random_uniform((uint32_t)(2 * span + 1));
}

/* Milliseconds until the next poll after a success: the interval with
 * jitter, but never sooner than the feed asked (ttl, max-age), capped. */
static int64_t poller_next_after_success(const struct poll_feed *f,
                                         const struct feed_doc *doc,
                                         const struct fetch_response *resp)
{
	int64_t delay = poller_jitter_ms(f->interval * 1000, 10), hint = 0;

	if (doc && doc->ttl > 0)
		hint = doc->ttl;
	if (resp->max_age > hint)
		hint = resp->max_age;
	if (hint > POLLER_MAX_TTL)
		hint = POLLER_MAX_TTL;
	hint *= 1000;
	return delay < hint ? hint : (delay < 1000 ? 1000 : delay);
}

/* Exponential backoff with jitter, from the interval, capped; a server's
 * Retry-After (429/503) wins when it asks for longer. */
static int64_t poller_next_after_failure(const struct poll_feed *f,
                                         int failures, int64_t retry_after)
{
	int64_t delay = f->interval, cap = POLLER_MAX_BACKOFF;
	int i;

	if (cap < f->interval)
		cap = f->interval;
	for (i = 1; i < failures && delay < cap; i++)
		delay *= 2;
	if (delay > cap)
		delay = cap;
	delay = poller_jitter_ms(delay * 1000, 20);
	if (retry_after * 1000 > delay)
		delay =
		    (retry_after > 7 * 86400 ? 7 * 86400 : retry_after) * 1000;
	return delay < 1000 ? 1000 : delay;
}

/* ---- finishing a poll ---- */

static void poller_maybe_idle(struct poller *p)
{
	size_t i;

	if (p->in_flight || p->idle_called)
		return;
	if (p->once && !p->stopping) {
		for (i = 0; i < p->n_feeds; i++)
			if (!p->feeds[i]->polled &&
			    !p->feeds[i]->state.disabled)
				return;
	} else if (!p->stopping)
		return;
	p->idle_called = true;
	if (p->idle)
		p->idle(p->idle_arg);
}

/* Seconds before retrying a poll the database could not claim or record:
 * POLLER_STORE_RETRY, but never longer than the feed's own interval. */
static int64_t poller_store_retry(const struct poll_feed *f)
{
	return f->interval < POLLER_STORE_RETRY ? f->interval
	                                        : POLLER_STORE_RETRY;
}

static int poller_classify_all(struct poller *p, const struct feed_doc *doc,
                               struct classify_result **out)
{
	struct classify_result *res;
	struct buf text = {0};
	size_t i;
	int r = 0;

	*out = NULL;
	if (!doc->n_entries)
		return 0;
	res = calloc(doc->n_entries, sizeof(*res));
	if (!res)
		return -ENOMEM;
	for (i = 0; i < doc->n_entries && r == 0; i++) {
		const struct feed_entry *e = &doc->entries[i];

		/* The title often repeats the text (bridged tweets); use it
		 * only when it adds something. */
		buf_reset(&text);
		if (e->title && *e->title && !strstr(e->text, e->title))
			r = buf_printf(&text, "%s\n", e->title);
		if (r == 0)
			r = buf_puts(&text, e->text);
		if (r == 0)
			r = classify_text(p->rules, text.data, e->lang,
			                  &res[i]);
	}
	buf_free(&text);
	if (r < 0) {
		for (i = 0; i < doc->n_entries; i++)
			classify_result_clear(&res[i]);
		free(res);
		return r;
	}
	*out = res;
	return 0;
}

/* Hands a claimed feed back when its poll will not be recorded. */
static void poller_unclaim(struct poller *p, const struct poll_feed *f)
{
	if (f->state.feed_id &&
	    store_unclaim_feed(p->store, f->state.feed_id, p->instance) < 0)
		log_warnx("feed %s (%s): cannot end its lease: %s",
		          f->account_key, f->configured_url,
		          store_errmsg(p->store));
}

static void poller_done(void *arg, const struct fetch_response *resp)
{
	struct poll_feed *f = arg;
	struct poller *p = f->p;
	struct store_poll poll = {0};
	struct store_poll_counts counts = {0};
	struct feed_doc *doc = NULL;
	struct classify_result *results = NULL;
	struct feed_parse_opts opts = {0};
	const char *who = f->account_key;
	char err[512] = "", perr[256];
	int64_t now = util_now(), delay; /* ms until the next poll */
	bool ok = false;
	int failures = f->state.consecutive_failures;
	size_t i;
	int r;

	f->in_flight = false;
	p->in_flight--;
	f->host->in_flight--;
	p->stats.polls++;
	if (f->retired) {
		/* Removed from the config while in flight: nothing to record
		 * against a feed the operator dropped. */
		poller_unclaim(p, f);
		poll_feed_free(f);
		goto out_schedule;
	}
	f->polled = true;
	if (p->stopping && resp->error &&
	    strcmp(resp->error, "cancelled") == 0) {
		/* Abandoned at shutdown: not the feed's fault, record nothing;
		 * the next start (or another instance) polls it again with the
		 * old validators. */
		log_info("feed %s (%s): abandoned at shutdown", who,
		         f->configured_url);
		poller_unclaim(p, f);
		goto out_schedule;
	}
	poll.feed_id = f->state.feed_id;
	poll.started_us = f->started_us;
	poll.duration_ms = resp->duration_ms;
	poll.http_status = (int)resp->status;
	poll.bytes = resp->body_len;
	poll.etag = f->state.etag;
	poll.last_modified = f->state.last_modified;
	poll.rules_version = classify_rules_version(p->rules);

	if (resp->error) {
		snprintf(err, sizeof(err), "%s", resp->error);
	} else if (resp->status == 304) {
		poll.not_modified = true;
		/* No posts, but the profile's counters are news. */
		if (f->profile && f->profile->has_account)
			poll.doc = f->profile;
		if (resp->etag)
			poll.etag = resp->etag;
		if (resp->last_modified)
			poll.last_modified = resp->last_modified;
		ok = true;
	} else if (resp->status >= 200 && resp->status < 300) {
		opts.format = poll_feed_format(f);
		opts.base_url = resp->final_url;
		opts.content_type = resp->content_type;
		opts.now = now;
		opts.max_entries = 10000;
		r = feed_parse(resp->body ? resp->body : "", resp->body_len,
		               &opts, &doc, perr, sizeof(perr));
		if (r < 0) {
			snprintf(err, sizeof(err), "parse error: %s", perr);
		} else if (f->profile && f->profile->has_account) {
			/* The profile request's counters are the account's own
			 * (statuses only echo a copy, without its creation). */
			struct feed_account tmp = doc->account;

			doc->account = f->profile->account;
			doc->has_account = true;
			f->profile->account = tmp; /* freed with the profile */
		}
		if (r < 0) {
			/* reported above */
		} else if ((r = poller_classify_all(p, doc, &results)) < 0) {
			snprintf(err, sizeof(err), "classify: %s",
			         strerror(-r));
		} else {
			for (i = 0; i < doc->n_warnings && i < 3; i++)
				log_debug("feed %s (%s): warning: %s", who,
				          f->configured_url, doc->warnings[i]);
			poll.doc = doc;
			poll.results = results;
			poll.etag = resp->etag;
			poll.last_modified = resp->last_modified;
			ok = true;
		}
	} else if (resp->status == 410) {
		poll.gone = true;
		snprintf(err, sizeof(err), "HTTP 410 Gone: feed disabled");
	} else {
		snprintf(err, sizeof(err), "HTTP %ld", resp->status);
	}

	if (ok) {
		poll.new_url = resp->permanent_url;
		delay = poller_next_after_success(f, doc, resp);
		failures = 0;
	} else {
		failures++;
		delay = poller_next_after_failure(f, failures,
		                                  resp->status == 429 ||
		                                          resp->status == 503
		                                      ? resp->retry_after
		                                      : -1);
		if (resp->status == 429 || resp->status == 503)
			host_throttled(f->host, f, resp->retry_after);
		poll.error = err;
	}
	/* The second the timer fires in (delay ms from now, rounded down):
	 * a shared database's claim compares next_poll with the clock's whole
	 * seconds, so rounding up would turn a 1 s interval into 2 s, and
	 * counting from whole seconds would let another instance in early. */
	poll.next_poll = (util_now_us() / 1000 + delay) / 1000;

	r = store_record_poll(p->store, &poll, &counts);
	if (r < 0) {
		p->stats.store_errors++;
		log_err("feed %s (%s): could not store poll: %s", who,
		        f->configured_url, store_errmsg(p->store));
		/* Validators were not saved, so the next poll refetches what
		 * this one could not keep. */
		f->due_ms = util_monotonic_ms() + poller_store_retry(f) * 1000;
		goto out_free;
	}
	p->stats.new_posts += (uint64_t)counts.new_posts;
	p->stats.edited_posts += (uint64_t)counts.edited_posts;
	f->state.consecutive_failures = failures;
	if (ok) {
		char *etag = xstrdup(poll.etag),
		     *lm = xstrdup(poll.last_modified);

		free(f->state.etag);
		free(f->state.last_modified);
		f->state.etag = etag;
		f->state.last_modified = lm;
		if (resp->permanent_url && f->kind == FEED_KIND_WEB) {
			char *moved = strdup(resp->permanent_url);

			if (moved) {
				log_notice(
				    "feed %s: moved permanently from %s to %s",
				    who,
				    f->state.url ? f->state.url
				                 : f->configured_url,
				    moved);
				free(f->state.url);
				f->state.url = moved;
				/* The new URL may be on another host. */
				if (poll_feed_bind_host(p, f) < 0)
					log_err("feed %s: out of memory", who);
			}
		}
		if (counts.new_posts || counts.edited_posts)
			log_info("feed %s (%s): %zu entries, %d new, %d edited",
			         who, f->configured_url,
			         doc ? doc->n_entries : 0, counts.new_posts,
			         counts.edited_posts);
		else
			log_debug("feed %s (%s): %s", who, f->configured_url,
			          poll.not_modified ? "not modified"
			                            : "no new posts");
	} else {
		p->stats.failures++;
		if (poll.gone)
			f->state.disabled = true;
		log_warnx("feed %s (%s): %s (failure %d, next try in %llds)",
		          who, f->configured_url, err, failures,
		          (long long)(delay + 999) / 1000);
	}
	f->due_ms = util_monotonic_ms() + delay;
out_free:
	if (results) {
		for (i = 0; doc && i < doc->n_entries; i++)
			classify_result_clear(&results[i]);
		free(results);
	}
	feed_doc_free(doc);
	feed_doc_free(f->profile);
	f->profile = NULL;
	if (p->once)
		f->due_ms = POLLER_NEVER;
	if (heap_push(p, f) < 0)
		log_err("feed %s: out of memory scheduling its next poll", who);
out_schedule:
	poller_maybe_idle(p);
	if (p->running && !p->stopping)
		poller_schedule(p);
}

/* ---- starting polls ---- */

/* Resolves the host a feed's next request goes to. */
static int poll_feed_bind_host(struct poller *p, struct poll_feed *f)
{
	char *url = poll_feed_request_url(p, f);
	char name[256];

	if (!url)
		return -ENOMEM;
	fetch_url_host(url, name, sizeof(name));
	free(url);
	f->host = poller_host(p, name);
	return f->host ? 0 : -ENOMEM;
}

static void poller_fill_request(const struct poller *p,
                                struct fetch_request *req)
{
	memset(req, 0, sizeof(*req));
	req->user_agent = p->cfg->user_agent;
	req->timeout_ms = p->cfg->timeout * 1000;
	req->connect_timeout_ms = p->cfg->connect_timeout * 1000;
	req->max_body = p->cfg->max_body;
	req->allow_private = p->cfg->allow_private;
	req->max_redirects = 5;
}

/* Ends a poll that could not get going as a failed one, so it is recorded
 * and backed off like any other failure. */
static void poller_fail(struct poll_feed *f, const char *fmt,
                        const char *detail)
{
	struct fetch_response resp = {0};

	resp.retry_after = resp.max_age = -1;
	snprintf(resp.errbuf, sizeof(resp.errbuf), fmt, detail);
	resp.error = resp.errbuf;
	poller_done(f, &resp);
}

/* The profile of an API source arrived: keep its counters (and Mastodon's
 * account id), then ask for the posts with the stored validators. */
static void poller_profile_done(void *arg, const struct fetch_response *resp)
{
	struct poll_feed *f = arg;
	struct poller *p = f->p;
	struct feed_parse_opts opts = {0};
	struct fetch_request req;
	char perr[256], *url = NULL;
	int r;

	if (f->retired || resp->error || resp->status < 200 ||
	    resp->status >= 300) {
		poller_done(f, resp);
		return;
	}
	opts.format = f->kind == FEED_KIND_MASTODON ? FEED_FORMAT_MASTODON
	                                            : FEED_FORMAT_BLUESKY;
	opts.base_url = resp->final_url;
	opts.now = util_now();
	feed_doc_free(f->profile);
	f->profile = NULL;
	r = feed_parse(resp->body ? resp->body : "", resp->body_len, &opts,
	               &f->profile, perr, sizeof(perr));
	if (r < 0) {
		poller_fail(f, "profile: parse error: %.200s", perr);
		return;
	}
	if (f->kind == FEED_KIND_MASTODON) {
		char *id = NULL;

		if (api_mastodon_account_id(resp->body ? resp->body : "",
		                            resp->body_len, &id) < 0) {
			poller_fail(f, "profile: %s",
			            "no account id in the lookup answer");
			return;
		}
		free(f->api_id);
		f->api_id = id;
	}
	if (api_posts_url(f->kind, f->configured_url, p->cfg->bluesky_api,
	                  f->api_id, &url) < 0) {
		poller_fail(f, "%s", "cannot build the posts URL");
		return;
	}
	poller_fill_request(p, &req);
	req.url = url;
	req.etag = f->state.etag;
	req.last_modified = f->state.last_modified;
	r = fetch_start(p->fetch, &req, poller_done, f);
	free(url);
	if (r < 0)
		poller_fail(f, "cannot start transfer: %s", strerror(-r));
}

/*
 * Several daemons sharing one database (store_shared(): PostgreSQL): a
 * feed is polled only by the instance that wins its lease.  A feed another
 * instance holds or has polled since goes back to the heap until the
 * database says it is due; a won claim brings the feed's current state
 * (validators, failures) as the last instance left it.  The lease outlasts
 * a whole transfer, so it only runs out when its holder died.  SQLite:
 * every feed is ours, nothing changes.  Returns true when f may start.
 */
static bool poller_claim(struct poller *p, struct poll_feed *f)
{
	int64_t now = util_now(), due = 0;
	int lease = (int)(p->cfg->timeout + POLLER_LEASE_MARGIN);
	int r;

	if (!store_shared(p->store))
		return true;
	r = store_claim_feed(p->store, f->state.feed_id, p->instance, now,
	                     lease, p->once ? p->once_since : 0, &f->state,
	                     &due);
	if (r > 0)
		return true;
	if (r < 0) {
		p->stats.store_errors++;
		log_err("feed %s (%s): cannot claim: %s", f->account_key,
		        f->configured_url, store_errmsg(p->store));
		due = now + poller_store_retry(f);
	}
	if (p->once && r == 0 && due == 0) {
		/* Another instance polled it since this run began. */
		f->polled = true;
		f->due_ms = POLLER_NEVER;
	} else {
		/* --once waits for a lease too (its holder may have died and
		 * the run promises a poll of every feed), but looks again
		 * every few seconds: a live holder soon records its poll. */
		if (p->once && due > now + POLLER_ONCE_RECHECK)
			due = now + POLLER_ONCE_RECHECK;
		f->due_ms =
		    util_monotonic_ms() + (due > now ? due - now : 1) * 1000;
	}
	if (heap_push(p, f) < 0)
		log_err("feed %s: out of memory scheduling its next poll",
		        f->account_key);
	return false;
}

static void poller_start_feed(struct poller *p, struct poll_feed *f)
{
	struct fetch_request req;
	char *url;
	int r;

	if (!poller_claim(p, f)) {
		poller_maybe_idle(p);
		return;
	}
	url = poll_feed_request_url(p, f);
	poller_fill_request(p, &req);
	req.url = url;
	if (f->kind == FEED_KIND_WEB) {
		req.etag = f->state.etag;
		req.last_modified = f->state.last_modified;
	}
	f->started_us = util_now_us();
	f->in_flight = true;
	f->host->in_flight++;
	p->in_flight++;
	r = url ? fetch_start(p->fetch, &req,
	                      f->kind == FEED_KIND_WEB ? poller_done
	                                               : poller_profile_done,
	                      f)
	        : -EINVAL;
	free(url);
	if (r < 0)
		poller_fail(f, "cannot start transfer: %s",
		            r == -EINVAL ? "URL is not http(s)" : strerror(-r));
}

static void poller_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	poller_schedule(arg);
}

static void poller_arm(struct poller *p, int64_t next, int64_t now)
{
	struct timeval tv;

	if (next == POLLER_NEVER) {
		evtimer_del(p->timer);
		return;
	}
	next -= now;
	if (next < 5)
		next = 5;
	tv.tv_sec = next / 1000;
	tv.tv_usec = (next % 1000) * 1000;
	evtimer_add(p->timer, &tv);
}

/* Moves due feeds to their hosts' queues, starts what fits, and arms the
 * timer for the next due feed or paused host. */
static void poller_schedule(struct poller *p)
{
	int64_t now, next = POLLER_NEVER;
	struct poll_host *h, *after;
	bool progress;

	if (!p->running || p->stopping)
		return;
	if (p->scheduling) {
		/* Called back from inside a start (a transfer that failed at
		 * once): the running pass will look again. */
		p->reschedule = true;
		return;
	}
	p->scheduling = true;
again:
	p->reschedule = false;
	now = util_monotonic_ms();
	while (p->heap_len && p->heap[0]->due_ms <= now) {
		struct poll_feed *f = p->heap[0];

		heap_remove(p, f);
		if (f->state.disabled)
			continue;
		if (!f->host && poll_feed_bind_host(p, f) < 0) {
			log_err("feed %s: out of memory", f->account_key);
			continue;
		}
		host_enqueue(p, f);
	}
	/* Round-robin over hosts with waiting feeds, one start per host per
	 * turn, until the global limit is reached or no host can take one. */
	do {
		size_t steps = p->ring_len;

		progress = false;
		for (h = p->ring; h && steps > 0 &&
		                  p->in_flight < (size_t)p->cfg->concurrency;
		     steps--, h = after) {
			after =
			    h->ring_next; /* valid even if h leaves the ring */
			if (h->paused_until_ms > now) {
				if (h->paused_until_ms < next)
					next = h->paused_until_ms;
				continue;
			}
			if (h->in_flight >= p->cfg->per_host)
				continue;
			if (h->in_ring)
				p->ring =
				    after; /* the next turn starts after h */
			poller_start_feed(p, host_dequeue(p, h));
			progress = true;
			if (!p->running || p->stopping)
				goto out;
			if (!p->ring)
				break;
		}
	} while (progress && p->ring &&
	         p->in_flight < (size_t)p->cfg->concurrency);
	if (p->reschedule)
		goto again;
	if (p->heap_len && p->heap[0]->due_ms < next)
		next = p->heap[0]->due_ms;
	poller_arm(p, next, now);
out:
	p->scheduling = false;
}

/* ---- public API ---- */

/* Names this daemon in the leases it takes: unique across machines and
 * restarts, readable by an operator looking at the feeds table. */
static void poller_instance_id(char *out, size_t len)
{
	char host[64] = "";

	if (gethostname(host, sizeof(host) - 1) < 0)
		snprintf(host, sizeof(host), "unknown");
	/* The start time tells two runs of one pid apart. */
	snprintf(out, len, "%s:%ld:%llx", host, (long)getpid(),
	         (unsigned long long)util_now_us());
}

int poller_new(struct event_base *base, struct store *st,
               struct fetch_engine *fetch, struct poller **out)
{
	struct poller *p = calloc(1, sizeof(*p));

	if (!p)
		return -ENOMEM;
	p->base = base;
	p->store = st;
	poller_instance_id(p->instance, sizeof(p->instance));
	p->fetch = fetch;
	p->timer = evtimer_new(base, poller_timer_cb, p);
	p->hosts = strmap_new();
	if (!p->timer || !p->hosts) {
		if (p->timer)
			event_free(p->timer);
		strmap_free(p->hosts);
		free(p);
		return -ENOMEM;
	}
	*out = p;
	return 0;
}

static void poller_free_hosts(struct poller *p)
{
	struct poll_host *h, *next;

	for (h = p->all_hosts; h; h = next) {
		next = h->all_next;
		free(h->name);
		free(h);
	}
	p->all_hosts = NULL;
	strmap_free(p->hosts);
}

void poller_free(struct poller *p)
{
	size_t i;

	if (!p)
		return;
	poller_free_hosts(p);
	for (i = 0; i < p->n_feeds; i++) {
		/* In-flight ones are freed here too: the caller frees the
		 * fetch engine (dropping their callbacks) before us. */
		poll_feed_free(p->feeds[i]);
	}
	free(p->feeds);
	free(p->heap);
	event_free(p->timer);
	free(p);
}

static char *poller_feed_key(const char *account, const char *url)
{
	struct buf b = {0};

	if (buf_printf(&b, "%s\n%s", account, url) < 0) {
		buf_free(&b);
		return NULL;
	}
	return b.data;
}

int poller_set_config(struct poller *p, const struct config *cfg,
                      const struct classify_rules *rules)
{
	struct poll_feed **feeds = NULL;
	struct strmap *old = strmap_new();
	bool *fresh = NULL;
	size_t n = 0, total = 0, i, j;
	int64_t now_ms = util_monotonic_ms(), now = util_now();
	int r = 0;

	for (i = 0; i < cfg->n_accounts; i++)
		total += cfg->accounts[i].n_feeds;
	feeds = calloc(total ? total : 1, sizeof(*feeds));
	fresh = calloc(total ? total : 1, sizeof(*fresh));
	if (!feeds || !fresh || !old) {
		r = -ENOMEM;
		goto out_undo;
	}
	for (i = 0; i < p->n_feeds; i++) {
		char *key = poller_feed_key(p->feeds[i]->account_key,
		                            p->feeds[i]->configured_url);

		p->feeds[i]->kept = false;
		r = key ? strmap_put(old, key, p->feeds[i]) : -ENOMEM;
		free(key);
		if (r < 0)
			goto out_undo;
	}
	for (i = 0; i < cfg->n_accounts; i++) {
		const struct config_account *a = &cfg->accounts[i];
		int64_t interval =
		    a->interval > 0 ? a->interval : cfg->interval;

		for (j = 0; j < a->n_feeds; j++) {
			const struct config_feed *cf = &a->feeds[j];
			char *key = poller_feed_key(a->key, cf->url);
			struct poll_feed *f = key ? strmap_get(old, key) : NULL;

			free(key);
			if (f && !f->kept) {
				f->kept = true;
				feeds[n++] = f;
				continue;
			}
			f = calloc(1, sizeof(*f));
			if (!f) {
				r = -ENOMEM;
				goto out_undo;
			}
			f->p = p;
			f->heap_idx = POLLER_NOT_IN_HEAP;
			f->account_key = strdup(a->key);
			f->configured_url = strdup(cf->url);
			f->kind = cf->kind;
			f->interval = interval;
			fresh[n] = true;
			feeds[n++] = f;
			if (!f->account_key || !f->configured_url) {
				r = -ENOMEM;
				goto out_undo;
			}
			r = store_feed_state(p->store, a->key, cf->url,
			                     &f->state);
			if (r < 0)
				goto out_undo;
			f->due_ms =
			    f->state.next_poll > now
			        ? now_ms + (f->state.next_poll - now) * 1000
			        : now_ms;
		}
	}
	/* Committed from here on: nothing below can fail but the heap push,
	 * which only delays a feed. */
	n = 0;
	for (i = 0; i < cfg->n_accounts; i++) {
		const struct config_account *a = &cfg->accounts[i];

		for (j = 0; j < a->n_feeds; j++, n++) {
			feeds[n]->interval =
			    a->interval > 0 ? a->interval : cfg->interval;
			feeds[n]->kind = a->feeds[j].kind;
		}
	}
	for (i = 0; i < p->n_feeds; i++) {
		struct poll_feed *f = p->feeds[i];

		if (f->kept)
			continue;
		heap_remove(p, f);
		host_unqueue(p, f);
		if (f->in_flight)
			f->retired = true; /* freed when its transfer ends */
		else
			poll_feed_free(f);
	}
	free(p->feeds);
	p->feeds = feeds;
	p->n_feeds = n;
	p->cfg = cfg;
	p->rules = rules;
	for (i = 0; i < n; i++) {
		struct poll_feed *f = feeds[i];

		if (!f->host && poll_feed_bind_host(p, f) < 0)
			log_err("feed %s: out of memory", f->account_key);
		if (fresh[i] && heap_push(p, f) < 0)
			log_err("feed %s: out of memory scheduling it",
			        f->account_key);
	}
	free(fresh);
	strmap_free(old);
	if (p->running)
		poller_schedule(p);
	return 0;
out_undo:
	for (i = 0; feeds && fresh && i < n; i++)
		if (fresh[i])
			poll_feed_free(feeds[i]);
	free(feeds);
	free(fresh);
	strmap_free(old);
	return r;
}

void poller_start(struct poller *p, bool once, poller_idle_fn idle, void *arg)
{
	size_t i;

	p->running = true;
	p->once = once;
	/* Shared database: feeds polled by another instance from this
	 * second on count as polled by this run (poller_claim). */
	p->once_since = util_now();
	p->idle = idle;
	p->idle_arg = arg;
	if (once) {
		for (i = 0; i < p->n_feeds; i++) {
			struct poll_feed *f = p->feeds[i];

			if (f->state.disabled)
				p->stats.disabled++;
			if (f->in_flight || f->waiting || f->state.disabled)
				continue;
			heap_remove(p, f);
			f->due_ms = util_monotonic_ms();
			heap_push(p, f);
		}
	}
	poller_schedule(p);
	poller_maybe_idle(p);
}

void poller_stop(struct poller *p)
{
	p->stopping = true;
	evtimer_del(p->timer);
	poller_maybe_idle(p);
}

size_t poller_in_flight(const struct poller *p)
{
	return p->in_flight;
}

size_t poller_feed_count(const struct poller *p)
{
	return p->n_feeds;
}

const struct poller_stats *poller_stats(const struct poller *p)
{
	return &p->stats;
}
