/*
 * poller.c — per-feed scheduling and the fetch -> parse -> classify -> store
 * pipeline.  The schedule is a flat array scanned from a rotating start
 * index, so no feed or host is favoured; a feed is started when it is due,
 * the global limit has room and its host has room.  One evtimer wakes the
 * scan at the earliest due time; finished transfers wake it too, since they
 * free a slot.
 *
 * A poll is written in one store transaction together with the feed's new
 * validators, so if the write fails (disk full, database locked) the old
 * validators stay and the next poll fetches the same posts again: nothing
 * is lost, and memory does not grow with the outage.
 */
#include "poller.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "classify.h"
#include "config.h"
#include "feed.h"
#include "fetch.h"
#include "log.h"
#include "store.h"
#include "util.h"

#define POLLER_MAX_BACKOFF (6 * 3600) /* seconds */
#define POLLER_MAX_TTL (24 * 3600)    /* a feed's own hint is capped here */
#define POLLER_STORE_RETRY 30         /* seconds before retrying a poll whose
                                       * write failed */
#define POLLER_NEVER INT64_MAX

struct poll_feed {
	char *account_key;        /* [account "key"] */
	char *configured_url;     /* as in the config (prefix stripped) */
	enum feed_kind kind;
	int64_t interval;         /* seconds */
	struct store_feed_state state; /* validators, url, failures... */
	char host[256];           /* per-host limit key of state.url */
	int64_t due_ms;           /* monotonic; POLLER_NEVER when not due */
	int64_t started_us;       /* wall clock when the poll started */
	bool in_flight;
	bool polled;              /* finished at least one poll (for --once) */
	bool retired;             /* removed by a reload while in flight */
	bool kept;                /* scratch mark of poller_set_config */
	struct poller *p;
};

struct host_count {
	char host[256];
	int n; /* transfers in flight to it */
};

struct poller {
	struct event_base *base;
	struct store *store;              /* borrowed */
	struct fetch_engine *fetch;       /* borrowed */
	const struct config *cfg;         /* borrowed, see poller_set_config */
	const struct classify_rules *rules;
	struct poll_feed **feeds;         /* the configured feeds */
	size_t n_feeds;
	size_t rr;                        /* where the next scan starts */
	struct host_count *hosts;         /* in-flight counts, few entries */
	size_t n_hosts, cap_hosts;
	size_t in_flight;
	struct event *timer;              /* wakes the scan */
	bool running, once, stopping;
	poller_idle_fn idle;
	void *idle_arg;
	struct poller_stats stats;
};

static void poller_schedule(struct poller *p);

/* ---- host accounting ---- */

static struct host_count *poller_host(struct poller *p, const char *host)
{
	size_t i;

	for (i = 0; i < p->n_hosts; i++)
		if (strcmp(p->hosts[i].host, host) == 0)
			return &p->hosts[i];
	if (p->n_hosts == p->cap_hosts) {
		size_t cap = p->cap_hosts ? p->cap_hosts * 2 : 16;
		struct host_count *h = realloc(p->hosts, cap * sizeof(*h));

		if (!h)
			return NULL;
		p->hosts = h;
		p->cap_hosts = cap;
	}
	snprintf(p->hosts[p->n_hosts].host, sizeof(p->hosts[0].host), "%s", host);
	p->hosts[p->n_hosts].n = 0;
	return &p->hosts[p->n_hosts++];
}

/* Drops hosts with nothing in flight so the table stays small. */
static void poller_host_release(struct poller *p, const char *host)
{
	size_t i;

	for (i = 0; i < p->n_hosts; i++) {
		if (strcmp(p->hosts[i].host, host) != 0)
			continue;
		if (--p->hosts[i].n <= 0)
			p->hosts[i] = p->hosts[--p->n_hosts];
		return;
	}
}

/* ---- feed records ---- */

static void poll_feed_free(struct poll_feed *f)
{
	if (!f)
		return;
	free(f->account_key);
	free(f->configured_url);
	store_feed_state_clear(&f->state);
	free(f);
}

/* The URL a transfer goes to: the stored one (which follows permanent
 * redirects), or for API sources the endpoint that lists posts. */
static char *poll_feed_request_url(const struct poller *p, const struct poll_feed *f)
{
	struct buf b = {0};
	const char *api;

	switch (f->kind) {
	case FEED_KIND_BLUESKY:
		api = p->cfg->bluesky_api ? p->cfg->bluesky_api
					  : "https://public.api.bsky.app";
		buf_printf(&b, "%s%sxrpc/app.bsky.feed.getAuthorFeed?actor=%s&limit=50",
			   api, api[strlen(api) - 1] == '/' ? "" : "/",
			   f->configured_url);
		return b.data;
	case FEED_KIND_MASTODON:
	case FEED_KIND_WEB:
	default:
		return xstrdup(f->state.url ? f->state.url : f->configured_url);
	}
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

static int64_t poller_jitter(int64_t seconds, int percent)
{
	int64_t span = seconds * percent / 100;

	if (span <= 0)
		return seconds;
	return seconds - span + (int64_t)arc4random_uniform((uint32_t)(2 * span + 1));
}

/* Seconds until the next poll after a success: the interval with jitter,
 * but never sooner than the feed asked (ttl, max-age), within a cap. */
static int64_t poller_next_after_success(const struct poll_feed *f,
					 const struct feed_doc *doc,
					 const struct fetch_response *resp)
{
	int64_t delay = poller_jitter(f->interval, 10), hint = 0;

	if (doc && doc->ttl > 0)
		hint = doc->ttl;
	if (resp->max_age > hint)
		hint = resp->max_age;
	if (hint > POLLER_MAX_TTL)
		hint = POLLER_MAX_TTL;
	return delay < hint ? hint : (delay < 1 ? 1 : delay);
}

/* Exponential backoff with jitter, from the interval, capped. */
static int64_t poller_next_after_failure(const struct poll_feed *f, int failures,
					 int64_t retry_after)
{
	int64_t delay = f->interval, cap = POLLER_MAX_BACKOFF;
	int i;

	if (cap < f->interval)
		cap = f->interval;
	for (i = 1; i < failures && delay < cap; i++)
		delay *= 2;
	if (delay > cap)
		delay = cap;
	delay = poller_jitter(delay, 20);
	if (retry_after > delay)
		delay = retry_after > 7 * 86400 ? 7 * 86400 : retry_after;
	return delay < 1 ? 1 : delay;
}

/* ---- finishing a poll ---- */

static void poller_maybe_idle(struct poller *p)
{
	size_t i;

	if (p->in_flight)
		return;
	if (p->once && !p->stopping) {
		for (i = 0; i < p->n_feeds; i++)
			if (!p->feeds[i]->polled && !p->feeds[i]->state.disabled)
				return;
	} else if (!p->stopping)
		return;
	if (p->idle)
		p->idle(p->idle_arg);
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
			r = classify_text(p->rules, text.data, e->lang, &res[i]);
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
	int64_t now = util_now(), delay;
	bool ok = false;
	int failures = f->state.consecutive_failures;
	size_t i;
	int r;

	f->in_flight = false;
	p->in_flight--;
	poller_host_release(p, f->host);
	p->stats.polls++;
	if (f->retired) {
		/* Removed from the config while in flight: nothing to record
		 * against a feed the operator dropped. */
		poll_feed_free(f);
		goto out_schedule;
	}
	f->polled = true;
	if (p->stopping && resp->error && strcmp(resp->error, "cancelled") == 0) {
		/* Abandoned at shutdown: not the feed's fault, record nothing;
		 * the next start polls it again with the old validators. */
		log_info("feed %s (%s): abandoned at shutdown", who, f->configured_url);
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
		r = feed_parse(resp->body ? resp->body : "", resp->body_len, &opts,
			       &doc, perr, sizeof(perr));
		if (r < 0) {
			snprintf(err, sizeof(err), "parse error: %s", perr);
		} else if ((r = poller_classify_all(p, doc, &results)) < 0) {
			snprintf(err, sizeof(err), "classify: %s", strerror(-r));
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
		delay = poller_next_after_failure(
			f, failures,
			resp->status == 429 || resp->status == 503 ? resp->retry_after : -1);
		poll.error = err;
	}
	poll.next_poll = now + delay;

	r = store_record_poll(p->store, &poll, &counts);
	if (r < 0) {
		p->stats.store_errors++;
		log_err("feed %s (%s): could not store poll: %s", who,
			f->configured_url, store_errmsg(p->store));
		/* Validators were not saved, so the next poll refetches what
		 * this one could not keep. */
		f->due_ms = util_monotonic_ms() + POLLER_STORE_RETRY * 1000;
		goto out_free;
	}
	p->stats.new_posts += (uint64_t)counts.new_posts;
	p->stats.edited_posts += (uint64_t)counts.edited_posts;
	f->state.consecutive_failures = failures;
	if (ok) {
		char *etag = xstrdup(poll.etag), *lm = xstrdup(poll.last_modified);

		free(f->state.etag);
		free(f->state.last_modified);
		f->state.etag = etag;
		f->state.last_modified = lm;
		if (resp->permanent_url && f->kind == FEED_KIND_WEB) {
			char *moved = strdup(resp->permanent_url);

			if (moved) {
				log_notice("feed %s: moved permanently from %s to %s",
					   who, f->state.url ? f->state.url : f->configured_url,
					   moved);
				free(f->state.url);
				f->state.url = moved;
			}
		}
		if (counts.new_posts || counts.edited_posts)
			log_info("feed %s (%s): %zu entries, %d new, %d edited",
				 who, f->configured_url, doc ? doc->n_entries : 0,
				 counts.new_posts, counts.edited_posts);
		else
			log_debug("feed %s (%s): %s", who, f->configured_url,
				  poll.not_modified ? "not modified" : "no new posts");
	} else {
		p->stats.failures++;
		if (poll.gone)
			f->state.disabled = true;
		log_warnx("feed %s (%s): %s (failure %d, next try in %llds)", who,
			  f->configured_url, err, failures, (long long)delay);
	}
	f->due_ms = p->once ? POLLER_NEVER : util_monotonic_ms() + delay * 1000;
out_free:
	if (results) {
		for (i = 0; doc && i < doc->n_entries; i++)
			classify_result_clear(&results[i]);
		free(results);
	}
	feed_doc_free(doc);
	if (p->once)
		f->due_ms = POLLER_NEVER;
out_schedule:
	poller_maybe_idle(p);
	if (p->running && !p->stopping)
		poller_schedule(p);
}

/* ---- starting polls ---- */

static bool poller_start_feed(struct poller *p, struct poll_feed *f)
{
	struct fetch_request req = {0};
	struct host_count *h;
	char *url;
	int r;

	url = poll_feed_request_url(p, f);
	if (!url)
		return false;
	fetch_url_host(url, f->host, sizeof(f->host));
	h = poller_host(p, f->host);
	if (!h) {
		free(url);
		return false;
	}
	if (h->n >= p->cfg->per_host) {
		free(url);
		return false;
	}
	req.url = url;
	req.etag = f->state.etag;
	req.last_modified = f->state.last_modified;
	req.user_agent = p->cfg->user_agent;
	req.timeout_ms = p->cfg->timeout * 1000;
	req.connect_timeout_ms = p->cfg->connect_timeout * 1000;
	req.max_body = p->cfg->max_body;
	req.allow_private = p->cfg->allow_private;
	req.max_redirects = 5;
	f->started_us = util_now_us();
	r = fetch_start(p->fetch, &req, poller_done, f);
	free(url);
	if (r < 0) {
		struct fetch_response resp = {0};

		/* Report it as a failed poll so it is recorded and backed off. */
		resp.retry_after = resp.max_age = -1;
		snprintf(resp.errbuf, sizeof(resp.errbuf), "cannot start transfer: %s",
			 r == -EINVAL ? "URL is not http(s)" : strerror(-r));
		resp.error = resp.errbuf;
		h->n++;
		p->in_flight++;
		f->in_flight = true;
		poller_done(f, &resp);
		return true;
	}
	h->n++;
	p->in_flight++;
	f->in_flight = true;
	return true;
}

static void poller_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	poller_schedule(arg);
}

/* Starts what is due and fits the limits, then arms the timer for the
 * next due feed. */
static void poller_schedule(struct poller *p)
{
	int64_t now = util_monotonic_ms(), next = POLLER_NEVER;
	size_t i, n = p->n_feeds, start = p->rr;
	struct timeval tv;

	if (!p->running || p->stopping || !n)
		return;
	for (i = 0; i < n; i++) {
		struct poll_feed *f = p->feeds[(start + i) % n];

		if (f->in_flight || f->state.disabled || f->due_ms == POLLER_NEVER)
			continue;
		if (f->due_ms > now) {
			if (f->due_ms < next)
				next = f->due_ms;
			continue;
		}
		if (p->in_flight >= (size_t)p->cfg->concurrency) {
			/* A completion will rescan; remember where to resume. */
			p->rr = (start + i) % n;
			return;
		}
		if (!poller_start_feed(p, f) && f->due_ms < next)
			next = now + 1000; /* its host is busy: look again */
		if (!p->running || p->stopping)
			return;
	}
	p->rr = (start + 1) % n;
	if (next == POLLER_NEVER) {
		evtimer_del(p->timer);
		return;
	}
	next -= now;
	if (next < 10)
		next = 10;
	tv.tv_sec = next / 1000;
	tv.tv_usec = (next % 1000) * 1000;
	evtimer_add(p->timer, &tv);
}

/* ---- public API ---- */

int poller_new(struct event_base *base, struct store *st,
	       struct fetch_engine *fetch, struct poller **out)
{
	struct poller *p = calloc(1, sizeof(*p));

	if (!p)
		return -ENOMEM;
	p->base = base;
	p->store = st;
	p->fetch = fetch;
	p->timer = evtimer_new(base, poller_timer_cb, p);
	if (!p->timer) {
		free(p);
		return -ENOMEM;
	}
	*out = p;
	return 0;
}

void poller_free(struct poller *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->n_feeds; i++) {
		/* In-flight ones are freed here too: the caller frees the
		 * fetch engine (cancelling their callbacks) before us. */
		poll_feed_free(p->feeds[i]);
	}
	free(p->feeds);
	free(p->hosts);
	event_free(p->timer);
	free(p);
}

static struct poll_feed *poller_find(struct poller *p, const char *key,
				     const char *url)
{
	size_t i;

	for (i = 0; i < p->n_feeds; i++)
		if (strcmp(p->feeds[i]->account_key, key) == 0 &&
		    strcmp(p->feeds[i]->configured_url, url) == 0)
			return p->feeds[i];
	return NULL;
}

int poller_set_config(struct poller *p, const struct config *cfg,
		      const struct classify_rules *rules)
{
	struct poll_feed **feeds;
	bool *fresh;
	size_t n = 0, total = 0, i, j;
	int64_t now_ms = util_monotonic_ms(), now = util_now();
	int r = 0;

	for (i = 0; i < cfg->n_accounts; i++)
		total += cfg->accounts[i].n_feeds;
	feeds = calloc(total ? total : 1, sizeof(*feeds));
	fresh = calloc(total ? total : 1, sizeof(*fresh));
	if (!feeds || !fresh) {
		r = -ENOMEM;
		goto out_undo;
	}
	for (i = 0; i < p->n_feeds; i++)
		p->feeds[i]->kept = false;
	for (i = 0; i < cfg->n_accounts; i++) {
		const struct config_account *a = &cfg->accounts[i];
		int64_t interval = a->interval > 0 ? a->interval : cfg->interval;

		for (j = 0; j < a->n_feeds; j++) {
			const struct config_feed *cf = &a->feeds[j];
			struct poll_feed *f = poller_find(p, a->key, cf->url);

			if (f) {
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
			r = store_feed_state(p->store, a->key, cf->url, &f->state);
			if (r < 0)
				goto out_undo;
			f->due_ms = f->state.next_poll > now
					    ? now_ms + (f->state.next_poll - now) * 1000
					    : now_ms;
		}
	}
	/* Committed: kept feeds take the new settings, dropped ones go. */
	n = 0;
	for (i = 0; i < cfg->n_accounts; i++) {
		const struct config_account *a = &cfg->accounts[i];

		for (j = 0; j < a->n_feeds; j++, n++) {
			feeds[n]->interval = a->interval > 0 ? a->interval : cfg->interval;
			feeds[n]->kind = a->feeds[j].kind;
		}
	}
	for (i = 0; i < p->n_feeds; i++) {
		struct poll_feed *f = p->feeds[i];

		if (f->kept)
			continue;
		if (f->in_flight)
			f->retired = true; /* freed when its transfer ends */
		else
			poll_feed_free(f);
	}
	free(p->feeds);
	free(fresh);
	p->feeds = feeds;
	p->n_feeds = n;
	p->rr = 0;
	p->cfg = cfg;
	p->rules = rules;
	if (p->running)
		poller_schedule(p);
	return 0;
out_undo:
	for (i = 0; feeds && fresh && i < n; i++)
		if (fresh[i])
			poll_feed_free(feeds[i]);
	free(feeds);
	free(fresh);
	return r;
}

void poller_start(struct poller *p, bool once, poller_idle_fn idle, void *arg)
{
	size_t i;

	p->running = true;
	p->once = once;
	p->idle = idle;
	p->idle_arg = arg;
	if (once)
		for (i = 0; i < p->n_feeds; i++)
			p->feeds[i]->due_ms = util_monotonic_ms();
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
