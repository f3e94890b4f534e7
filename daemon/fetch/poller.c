/*
 * poller.c — per-feed scheduling and the fetch -> parse -> classify -> store
 * pipeline.
 *
 * Scheduling (schedule.c): feeds that wait for their next poll sit in a
 * min-heap by due time, then in the FIFO of their host; hosts are served
 * round-robin.  A feed starts when the global limit ([poll] concurrency)
 * and its host's limit (per_host) have room and its host is not paused.
 * This file drives that schedule from the event loop and runs each poll
 * through the pipeline: interpret the response (poll_interpret), record
 * it (poll_commit), and set the next poll (poll_reschedule).
 *
 * Storage: a poll is written in one store transaction together with the
 * feed's new validators, so if the write fails (disk full, database locked)
 * the old validators stay and the next poll fetches the same posts again:
 * nothing is lost, and memory does not grow with the outage.
 */
#include "poller_int.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "amplification.h"
#include "api_source.h"
#include "classify.h"
#include "config.h"
#include "feed.h"
#include "fetch.h"
#include "log.h"
#include "record_log.h"
#include "schedule.h"
#include "store.h"
#include "strmap.h"
#include "util.h"
#include "web_source.h"

static void poller_schedule(struct poller *p);

/* The feed whose schedule item it is. */
static struct poll_feed *poll_feed_of(struct schedule_item *it)
{
	return (struct poll_feed *)(void *)((char *)it -
	                                    offsetof(struct poll_feed, sched));
}
static int poll_feed_bind_host(struct poller *p, struct poll_feed *f);

/* ---- feed records ---- */

static void poll_feed_free(struct poll_feed *f)
{
	if (!f)
		return;
	free(f->account_key);
	free(f->configured_url);
	free(f->api_id);
	feed_doc_free(f->profile);
	feed_doc_free(f->pages);
	if (f->page_timer)
		event_free(f->page_timer);
	if (f->confirm_timer)
		event_free(f->confirm_timer);
	poller_html_clear(f);
	poller_confirm_clear(f);
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
	if (f->kind == FEED_KIND_HTML)
		return xstrdup(f->state.url && strncmp(f->state.url, "html:", 5)
		                   ? f->state.url
		                   : f->configured_url + 5);
	if (f->kind == FEED_KIND_TELEGRAM || f->kind == FEED_KIND_YOUTUBE)
		return web_source_url(p->cfg, f->kind, f->configured_url, 0,
		                      &url) < 0
		           ? NULL
		           : url;
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
	case FEED_KIND_TELEGRAM:
		return FEED_FORMAT_TELEGRAM;
	case FEED_KIND_HTML:
		return FEED_FORMAT_HTML;
	case FEED_KIND_YOUTUBE:
	case FEED_KIND_WEB:
	default:
		return FEED_FORMAT_AUTO;
	}
}

/* ---- finishing a poll ---- */

static void poller_maybe_idle(struct poller *p)
{
	size_t i;

	if (p->in_flight || p->idle_called || amplifier_busy(p->amp))
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

/* What a finished transfer means for its feed: what poll_interpret() made
 * of it, for poll_commit() to record. */
struct poll_outcome {
	struct store_poll poll;          /* the row and its posts */
	struct feed_doc *doc;            /* parsed, or NULL (owned) */
	struct classify_result *results; /* per entry of doc (owned) */
	bool ok;                         /* a usable answer */
	char err[512];                   /* why not, when !ok */
};

/* A Telegram page without messages has no public preview (or was
 * redirected to the app's page): a failure, backed off like others.  A
 * channel's title names its account when the config does not. */
static int poll_telegram_check(struct poller *p, struct poll_feed *f,
                               struct poll_outcome *o)
{
	if (o->doc->n_entries == 0) {
		snprintf(o->err, sizeof(o->err),
		         "no public preview (the channel page shows no "
		         "messages)");
		return -ENOENT;
	}
	f->no_preview_told = false;
	if (o->doc->has_account && o->doc->account.display_name &&
	    store_fill_account_name(p->store, f->state.account_id,
	                            o->doc->account.display_name) < 0)
		log_warnx("feed %s (%s): cannot record the channel's name: %s",
		          f->account_key, f->configured_url,
		          store_errmsg(p->store));
	return 0;
}

/* A 2xx body: parse it (the profile's counters replace the posts' copy
 * for API sources) and classify every entry. */
static void poll_parse(struct poller *p, struct poll_feed *f,
                       const struct fetch_response *resp,
                       struct poll_outcome *o)
{
	struct feed_parse_opts opts = {0};
	char perr[256];
	size_t i;
	int r;

	opts.format = poll_feed_format(f);
	opts.base_url = resp->final_url;
	opts.content_type = resp->content_type;
	opts.now = util_now();
	opts.max_entries = 10000;
	if (f->pages) {
		/* Telegram: the pages were parsed as they came. */
		o->doc = f->pages;
		f->pages = NULL;
		r = 0;
	} else {
		r = feed_parse(resp->body ? resp->body : "", resp->body_len,
		               &opts, &o->doc, perr, sizeof(perr));
	}
	if (r < 0) {
		snprintf(o->err, sizeof(o->err), "parse error: %s", perr);
		return;
	}
	if (f->kind == FEED_KIND_TELEGRAM && poll_telegram_check(p, f, o) < 0)
		return;
	if (f->profile && f->profile->has_account) {
		/* The profile request's counters are the account's own
		 * (statuses only echo a copy, without its creation). */
		struct feed_account tmp = o->doc->account;

		o->doc->account = f->profile->account;
		o->doc->has_account = true;
		f->profile->account = tmp; /* freed with the profile */
	}
	r = poller_classify_all(p, o->doc, &o->results);
	if (r < 0) {
		snprintf(o->err, sizeof(o->err), "classify: %s", strerror(-r));
		return;
	}
	for (i = 0; i < o->doc->n_warnings && i < 3; i++)
		log_debug("feed %s (%s): warning: %s", f->account_key,
		          f->configured_url, o->doc->warnings[i]);
	o->poll.doc = o->doc;
	o->poll.results = o->results;
	o->poll.warning = o->doc->fault;
	o->poll.etag = resp->etag;
	o->poll.last_modified = resp->last_modified;
	if (p->cfg->amplification)
		o->poll.amplification_since =
		    util_now() - p->cfg->amplification_window;
	o->ok = true;
}

/* Interprets a finished transfer: the poll row to record, with the posts
 * of a 2xx, the validators of a 304, or the error. */
static void poll_interpret(struct poller *p, struct poll_feed *f,
                           const struct fetch_response *resp,
                           struct poll_outcome *o)
{
	o->poll.feed_id = f->state.feed_id;
	o->poll.started_us = f->started_us;
	o->poll.duration_ms = resp->duration_ms;
	o->poll.http_status = (int)resp->status;
	o->poll.bytes = resp->body_len;
	o->poll.etag = f->state.etag;
	o->poll.last_modified = f->state.last_modified;
	o->poll.rules_version = classify_rules_version(p->rules);

	if (resp->error) {
		snprintf(o->err, sizeof(o->err), "%s", resp->error);
	} else if (resp->status == 304) {
		o->poll.not_modified = true;
		/* No posts, but the profile's counters are news. */
		if (f->profile && f->profile->has_account)
			o->poll.doc = f->profile;
		if (resp->etag)
			o->poll.etag = resp->etag;
		if (resp->last_modified)
			o->poll.last_modified = resp->last_modified;
		o->ok = true;
	} else if (resp->status >= 200 && resp->status < 300) {
		poll_parse(p, f, resp, o);
	} else if (resp->status == 410) {
		o->poll.gone = true;
		snprintf(o->err, sizeof(o->err),
		         "HTTP 410 Gone: feed disabled");
	} else {
		snprintf(o->err, sizeof(o->err), "HTTP %ld", resp->status);
	}
	if (f->kind == FEED_KIND_HTML) {
		/* The articles' answers, and no window to find deletions in. */
		o->poll.pages = f->html_pages;
		o->poll.n_pages = f->html_next;
		o->poll.not_window = true;
	}
	if (o->ok)
		o->poll.new_url = resp->permanent_url;
	else
		o->poll.error = o->err;
}

/* Milliseconds until the feed's next poll after this one, counting
 * *failures along; a 429/503 may pause the whole host. */
static int64_t poll_delay(struct poll_feed *f,
                          const struct fetch_response *resp,
                          struct poll_outcome *o, int *failures)
{
	bool slow_down = resp->status == 429 || resp->status == 503;
	int64_t delay, hint = 0, pause;

	if (o->ok) {
		if (o->doc && o->doc->ttl > 0)
			hint = o->doc->ttl;
		if (resp->max_age > hint)
			hint = resp->max_age;
		*failures = 0;
		delay = schedule_after_success(f->interval, hint);
	} else {
		(*failures)++;
		delay = schedule_after_failure(
		    f->interval, *failures, slow_down ? resp->retry_after : -1);
		if (slow_down) {
			pause = schedule_throttled(f->sched.host, &f->sched,
			                           resp->retry_after,
			                           util_monotonic_ms());
			if (pause)
				log_notice("host %s: %d feeds told to slow "
				           "down within %d min; pausing the "
				           "host for %llds",
				           f->sched.host->name,
				           SCHEDULE_THROTTLE_FEEDS,
				           SCHEDULE_THROTTLE_WINDOW_MS / 60000,
				           (long long)pause);
		}
	}
	/* The second the timer fires in (delay ms from now, rounded down):
	 * a shared database's claim compares next_poll with the clock's whole
	 * seconds, so rounding up would turn a 1 s interval into 2 s, and
	 * counting from whole seconds would let another instance in early. */
	o->poll.next_poll = (util_now_us() / 1000 + delay) / 1000;
	return delay;
}

/* A permanent redirect of a web feed: poll the new URL from now on. */
static void poll_follow_redirect(struct poller *p, struct poll_feed *f,
                                 const char *to)
{
	char *moved = strdup(to);

	if (!moved)
		return;
	log_notice("feed %s: moved permanently from %s to %s", f->account_key,
	           f->state.url ? f->state.url : f->configured_url, moved);
	free(f->state.url);
	f->state.url = moved;
	/* The new URL may be on another host. */
	if (poll_feed_bind_host(p, f) < 0)
		log_err("feed %s: out of memory", f->account_key);
}

/* Records the poll in one store transaction and, once it is stored, takes
 * its validators, redirect and failure count into the feed's state.
 * Returns 0, or a negative errno when the store refused it (then nothing
 * changes: the next poll refetches what this one could not keep). */
static int poll_commit(struct poller *p, struct poll_feed *f,
                       const struct fetch_response *resp,
                       struct poll_outcome *o, int failures, int64_t delay)
{
	struct store_poll_counts counts = {0};
	const char *who = f->account_key;

	if (store_record_poll(p->store, &o->poll, &counts) < 0) {
		p->stats.store_errors++;
		log_err("feed %s (%s): could not store poll: %s", who,
		        f->configured_url, store_errmsg(p->store));
		return -EIO;
	}
	p->stats.new_posts += (uint64_t)counts.new_posts;
	p->stats.edited_posts += (uint64_t)counts.edited_posts;
	f->state.consecutive_failures = failures;
	if (!o->ok) {
		p->stats.failures++;
		if (o->poll.gone)
			f->state.disabled = true;
		if (strstr(o->err, "no public preview")) {
			/* Told once; the backoff spaces the retries. */
			if (f->no_preview_told)
				return 0;
			f->no_preview_told = true;
		}
		log_warnx("feed %s (%s): %s (failure %d, next try in %llds)",
		          who, f->configured_url, o->err, failures,
		          (long long)(delay + 999) / 1000);
		return 0;
	}
	{
		char *etag = xstrdup(o->poll.etag),
		     *lm = xstrdup(o->poll.last_modified);

		free(f->state.etag);
		free(f->state.last_modified);
		f->state.etag = etag;
		f->state.last_modified = lm;
	}
	if (resp->permanent_url && f->kind == FEED_KIND_WEB)
		poll_follow_redirect(p, f, resp->permanent_url);
	if (o->poll.warning)
		record_log_damaged(who, f->configured_url, o->doc,
		                   o->poll.warning);
	record_log_counts(who, f->configured_url, &counts);
	amplifier_feed_polled(p->amp, f->kind, f->state.feed_id, who,
	                      f->configured_url);
	if (counts.new_posts || counts.edited_posts)
		log_info("feed %s (%s): %zu entries, %d new, %d edited", who,
		         f->configured_url, o->doc ? o->doc->n_entries : 0,
		         counts.new_posts, counts.edited_posts);
	else
		log_debug("feed %s (%s): %s", who, f->configured_url,
		          o->poll.not_modified ? "not modified"
		                               : "no new posts");
	return 0;
}

/* Frees what the poll held and puts the feed back in the heap for its next
 * poll at f->sched.due_ms (never again under --once). */
static void poll_reschedule(struct poller *p, struct poll_feed *f,
                            struct poll_outcome *o, bool push)
{
	size_t i;

	if (o->results) {
		for (i = 0; o->doc && i < o->doc->n_entries; i++)
			classify_result_clear(&o->results[i]);
		free(o->results);
		o->results = NULL;
	}
	feed_doc_free(o->doc);
	o->doc = NULL;
	feed_doc_free(f->profile);
	f->profile = NULL;
	if (f->kind == FEED_KIND_HTML)
		poller_html_clear(f);
	if (!push)
		return;
	if (p->once)
		f->sched.due_ms = SCHEDULE_NEVER;
	if (schedule_push(&p->sched, &f->sched) < 0)
		log_err("feed %s: out of memory scheduling its next poll",
		        f->account_key);
}

void poller_extra_begin(struct poll_feed *f)
{
	f->in_flight = true;
	f->p->in_flight++;
	f->sched.host->in_flight++;
}

void poller_extra_done(struct poll_feed *f)
{
	struct poller *p = f->p;

	f->in_flight = false;
	p->in_flight--;
	f->sched.host->in_flight--;
	if (f->retired) {
		poll_feed_free(f);
	} else {
		if (p->once)
			f->sched.due_ms = SCHEDULE_NEVER;
		if (schedule_push(&p->sched, &f->sched) < 0)
			log_err("feed %s: out of memory scheduling its next "
			        "poll",
			        f->account_key);
	}
	poller_maybe_idle(p);
	if (p->running && !p->stopping)
		poller_schedule(p);
}

/* A transfer ended: interpret, commit, reschedule, then let the scheduler
 * start what now fits. */
void poller_done(void *arg, const struct fetch_response *resp)
{
	struct poll_feed *f = arg;
	struct poller *p = f->p;
	struct poll_outcome o = {0};
	int failures = f->state.consecutive_failures;
	int64_t delay; /* ms until the next poll */
	bool asking = false;

	f->in_flight = false;
	p->in_flight--;
	f->sched.host->in_flight--;
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
		log_info("feed %s (%s): abandoned at shutdown", f->account_key,
		         f->configured_url);
		poller_unclaim(p, f);
		goto out_schedule;
	}
	poll_interpret(p, f, resp, &o);
	delay = poll_delay(f, resp, &o, &failures);
	if (poll_commit(p, f, resp, &o, failures, delay) < 0)
		delay = poller_store_retry(f) * 1000;
	else if (o.ok && !o.poll.not_modified &&
	         (f->kind == FEED_KIND_MASTODON ||
	          f->kind == FEED_KIND_BLUESKY ||
	          f->kind == FEED_KIND_TELEGRAM))
		asking = true;
	f->sched.due_ms = util_monotonic_ms() + delay;
	poll_reschedule(p, f, &o, !asking);
	/* Posts it marked deleted are asked of the source; the feed waits
	 * for the answers before its next poll. */
	if (asking && !poller_confirm_start(p, f))
		poll_reschedule(p, f, &o, true);
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
	f->sched.host = schedule_host(&p->sched, name);
	return f->sched.host ? 0 : -ENOMEM;
}

void poller_fill_request(const struct poller *p, struct fetch_request *req)
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
void poller_fail(struct poll_feed *f, const char *fmt, const char *detail)
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

/* ---- Telegram: paging back ---- */

/* At most one request per [poll] telegram_delay to the host: each start
 * pauses the host (schedule.c skips it) for that long. */
static void poller_tg_space(struct poller *p, struct poll_feed *f)
{
	int64_t until = util_monotonic_ms() + p->cfg->telegram_delay * 1000;

	if (p->cfg->telegram_delay > 0 &&
	    f->sched.host->paused_until_ms < until)
		f->sched.host->paused_until_ms = until;
}

/* Ends a Telegram poll with the pages gathered (f->pages). */
static void poller_tg_finish(struct poll_feed *f)
{
	struct fetch_response resp = {0};

	resp.status = 200;
	resp.retry_after = resp.max_age = -1;
	poller_done(f, &resp);
}

/* Adds a parsed page to the poll's posts: an older page goes before the
 * newer ones, and the first page's header (title, subscribers) stays. */
int poller_tg_merge(struct poll_feed *f, struct feed_doc *page)
{
	struct feed_doc *all = f->pages;
	struct feed_entry *e;

	if (!all) {
		f->pages = page;
		return 0;
	}
	e = realloc(page->entries,
	            (page->n_entries + all->n_entries) * sizeof(*e) + 1);
	if (!e)
		return -ENOMEM;
	if (all->n_entries)
		memcpy(e + page->n_entries, all->entries,
		       all->n_entries * sizeof(*e));
	free(all->entries);
	all->entries = e;
	all->n_entries += page->n_entries;
	all->page_before = page->page_before;
	page->entries = NULL;
	page->n_entries = 0;
	feed_doc_free(page);
	return 0;
}

static void poller_tg_page_done(void *arg, const struct fetch_response *resp);

/* The timer between pages ran out: ask for the next older page. */
static void poller_tg_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct poll_feed *f = arg;
	struct poller *p = f->p;
	struct fetch_request req;
	char *url = NULL;
	int r;

	(void)fd;
	(void)what;
	if (f->retired || p->stopping ||
	    web_source_url(p->cfg, f->kind, f->configured_url, f->paging.before,
	                   &url) < 0) {
		poller_tg_finish(f);
		return;
	}
	poller_fill_request(p, &req);
	req.url = url;
	req.accept = POLLER_ACCEPT_HTML;
	poller_tg_space(p, f);
	r = fetch_start(p->fetch, &req, poller_tg_page_done, f);
	free(url);
	if (r < 0)
		poller_tg_finish(f);
}

/* Whether to page back after this page; arms the timer when so. */
static bool poller_tg_next(struct poller *p, struct poll_feed *f,
                           const struct feed_doc *page)
{
	struct timeval tv;
	size_t known = 0;
	int64_t wait;

	if (store_count_known(p->store, f->state.account_id, page, &known) <
	    0) {
		log_warnx("feed %s (%s): cannot look up known posts: %s",
		          f->account_key, f->configured_url,
		          store_errmsg(p->store));
		return false;
	}
	f->paging.pages++;
	f->paging.known = known;
	f->paging.before = page->page_before;
	f->paging.collected = f->pages ? f->pages->n_entries : 0;
	if (!web_source_page_more(&f->paging) || f->retired || p->stopping)
		return false;
	if (!f->page_timer)
		f->page_timer = evtimer_new(p->base, poller_tg_timer_cb, f);
	if (!f->page_timer)
		return false;
	wait = f->sched.host->paused_until_ms - util_monotonic_ms();
	if (wait < 0)
		wait = 0;
	tv.tv_sec = wait / 1000;
	tv.tv_usec = (wait % 1000) * 1000;
	return evtimer_add(f->page_timer, &tv) == 0;
}

/* A page of a Telegram channel arrived.  The first page's failure is the
 * poll's; an older page's failure ends paging with what was gathered. */
static void poller_tg_page_done(void *arg, const struct fetch_response *resp)
{
	struct poll_feed *f = arg;
	struct poller *p = f->p;
	struct feed_parse_opts opts = {0};
	struct feed_doc *page = NULL;
	char perr[256];
	bool later = f->paging.pages > 0;

	if (f->retired || resp->error || resp->status < 200 ||
	    resp->status >= 300) {
		if (later && !f->retired)
			poller_tg_finish(f);
		else
			poller_done(f, resp);
		return;
	}
	opts.format = FEED_FORMAT_TELEGRAM;
	opts.base_url = resp->final_url;
	opts.now = util_now();
	opts.max_entries = 10000;
	if (feed_parse(resp->body ? resp->body : "", resp->body_len, &opts,
	               &page, perr, sizeof(perr)) < 0) {
		if (later)
			poller_tg_finish(f);
		else
			poller_done(f, resp);
		return;
	}
	if (page->n_entries == 0 && !later) {
		/* poll_parse tells it: no public preview. */
		f->pages = page;
		poller_done(f, resp);
		return;
	}
	if (poller_tg_merge(f, page) < 0) {
		feed_doc_free(page);
		poller_tg_finish(f);
		return;
	}
	if (!poller_tg_next(p, f, f->pages))
		poller_tg_finish(f);
}

/* The first callback of a poll by the feed's kind; a Telegram poll
 * starts its paging record here. */
static fetch_done_fn poller_callback(struct poller *p, struct poll_feed *f)
{
	int r;

	switch (f->kind) {
	case FEED_KIND_MASTODON:
	case FEED_KIND_BLUESKY:
		return poller_profile_done;
	case FEED_KIND_TELEGRAM:
		feed_doc_free(f->pages);
		f->pages = NULL;
		memset(&f->paging, 0, sizeof(f->paging));
		f->paging.backfill = p->cfg->backfill;
		r = store_feed_has_posts(p->store, f->state.feed_id);
		f->paging.first_poll = r == 0;
		poller_tg_space(p, f);
		return poller_tg_page_done;
	case FEED_KIND_HTML:
		return poller_html_index_done;
	case FEED_KIND_WEB:
	case FEED_KIND_YOUTUBE:
	default:
		return poller_done;
	}
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
		f->sched.due_ms = SCHEDULE_NEVER;
	} else {
		/* --once waits for a lease too (its holder may have died and
		 * the run promises a poll of every feed), but looks again
		 * every few seconds: a live holder soon records its poll. */
		if (p->once && due > now + POLLER_ONCE_RECHECK)
			due = now + POLLER_ONCE_RECHECK;
		f->sched.due_ms =
		    util_monotonic_ms() + (due > now ? due - now : 1) * 1000;
	}
	if (schedule_push(&p->sched, &f->sched) < 0)
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
	if (f->kind == FEED_KIND_TELEGRAM || f->kind == FEED_KIND_HTML)
		req.accept = POLLER_ACCEPT_HTML;
	if (f->kind == FEED_KIND_WEB || f->kind == FEED_KIND_YOUTUBE ||
	    f->kind == FEED_KIND_HTML) {
		req.etag = f->state.etag;
		req.last_modified = f->state.last_modified;
	}
	f->started_us = util_now_us();
	f->in_flight = true;
	f->sched.host->in_flight++;
	p->in_flight++;
	r = url ? fetch_start(p->fetch, &req, poller_callback(p, f), f)
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

	if (next == SCHEDULE_NEVER) {
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

/* Moves due feeds to their hosts' queues and starts what fits, round-robin
 * over the hosts, until the global limit; *next is lowered to the end of
 * any host pause seen.  Returns false when a start stopped the poller. */
static bool poller_start_due(struct poller *p, int64_t now, int64_t *next)
{
	struct schedule_item *it;

	while ((it = schedule_pop_due(&p->sched, now))) {
		struct poll_feed *f = poll_feed_of(it);

		if (f->state.disabled)
			continue;
		if (!f->sched.host && poll_feed_bind_host(p, f) < 0) {
			log_err("feed %s: out of memory", f->account_key);
			continue;
		}
		schedule_enqueue(&p->sched, &f->sched);
	}
	while (p->in_flight < (size_t)p->cfg->concurrency &&
	       (it = schedule_next_ready(&p->sched, now, p->cfg->per_host,
	                                 next))) {
		poller_start_feed(p, poll_feed_of(it));
		if (!p->running || p->stopping)
			return false;
	}
	return true;
}

/* Starts what is due and fits, and arms the timer for the next due feed
 * or paused host. */
static void poller_schedule(struct poller *p)
{
	int64_t now, next = SCHEDULE_NEVER;

	if (!p->running || p->stopping)
		return;
	if (p->scheduling) {
		/* Called back from inside a start (a transfer that failed at
		 * once): the running pass will look again. */
		p->reschedule = true;
		return;
	}
	p->scheduling = true;
	do {
		p->reschedule = false;
		now = util_monotonic_ms();
		if (!poller_start_due(p, now, &next))
			goto out_scheduling;
	} while (p->reschedule);
	if (schedule_next_due(&p->sched) < next)
		next = schedule_next_due(&p->sched);
	poller_arm(p, next, now);
	amplifier_run(p->amp);
out_scheduling:
	p->scheduling = false;
}

/* ---- public API ---- */

/* An amplification request ended: maybe the run is over, maybe a feed or
 * another check may start. */
static void poller_amp_event(void *arg)
{
	struct poller *p = arg;

	poller_maybe_idle(p);
	if (p->running && !p->stopping)
		poller_schedule(p);
}

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
	if (!p->timer || schedule_init(&p->sched) < 0 ||
	    amplifier_new(base, st, fetch, &p->sched, poller_amp_event, p,
	                  &p->amp) < 0) {
		if (p->timer)
			event_free(p->timer);
		schedule_clear(&p->sched);
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
	schedule_clear(&p->sched);
	for (i = 0; i < p->n_feeds; i++) {
		/* In-flight ones are freed here too: the caller frees the
		 * fetch engine (dropping their callbacks) before us. */
		poll_feed_free(p->feeds[i]);
	}
	free(p->feeds);
	amplifier_free(p->amp);
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

/* A record for a feed new to the poller, its state (validators, failures,
 * next poll) read from the store.  On failure *out may still hold the
 * half-made record, for the caller to free. */
static int poll_feed_create(struct poller *p, const struct config_account *a,
                            const struct config_feed *cf, int64_t interval,
                            int64_t now_ms, int64_t now, struct poll_feed **out)
{
	struct poll_feed *f = calloc(1, sizeof(*f));
	int r;

	*out = f;
	if (!f)
		return -ENOMEM;
	f->p = p;
	schedule_item_init(&f->sched);
	f->account_key = strdup(a->key);
	f->configured_url = strdup(cf->url);
	f->kind = cf->kind;
	f->interval = interval;
	if (!f->account_key || !f->configured_url)
		return -ENOMEM;
	r = store_feed_state(p->store, a->key, cf->url, &f->state);
	if (r < 0)
		return r;
	f->sched.due_ms = f->state.next_poll > now
	                      ? now_ms + (f->state.next_poll - now) * 1000
	                      : now_ms;
	return 0;
}

/* The feeds of cfg in config order into feeds[] (*n of them): the
 * poller's own record where it has one for the same account and URL (in
 * old, by poller_feed_key()), else a new one marked in fresh[]. */
static int poller_match_feeds(struct poller *p, const struct config *cfg,
                              struct strmap *old, struct poll_feed **feeds,
                              bool *fresh, size_t *n)
{
	int64_t now_ms = util_monotonic_ms(), now = util_now();
	size_t i, j;
	int r;

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
				feeds[(*n)++] = f;
				continue;
			}
			r = poll_feed_create(p, a, cf, interval, now_ms, now,
			                     &f);
			if (f) {
				fresh[*n] = true;
				feeds[(*n)++] = f;
			}
			if (r < 0)
				return r;
		}
	}
	return 0;
}

/* Swaps in the matched feeds: takes the config's intervals and kinds,
 * retires the feeds it dropped (at the end of their transfer when one is
 * in flight), and schedules the new ones.  Cannot fail: a feed that cannot
 * be scheduled for want of memory is only delayed. */
static void poller_apply(struct poller *p, const struct config *cfg,
                         const struct classify_rules *rules,
                         struct poll_feed **feeds, const bool *fresh, size_t n)
{
	size_t i, j, k = 0;

	for (i = 0; i < cfg->n_accounts; i++) {
		const struct config_account *a = &cfg->accounts[i];

		for (j = 0; j < a->n_feeds; j++, k++) {
			feeds[k]->interval =
			    a->interval > 0 ? a->interval : cfg->interval;
			feeds[k]->kind = a->feeds[j].kind;
		}
	}
	for (i = 0; i < p->n_feeds; i++) {
		struct poll_feed *f = p->feeds[i];

		if (f->kept)
			continue;
		schedule_remove(&p->sched, &f->sched);
		schedule_unqueue(&p->sched, &f->sched);
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

		if (!f->sched.host && poll_feed_bind_host(p, f) < 0)
			log_err("feed %s: out of memory", f->account_key);
		if (fresh[i] && schedule_push(&p->sched, &f->sched) < 0)
			log_err("feed %s: out of memory scheduling it",
			        f->account_key);
	}
}

int poller_set_config(struct poller *p, const struct config *cfg,
                      const struct classify_rules *rules)
{
	struct poll_feed **feeds = NULL;
	struct strmap *old = strmap_new();
	bool *fresh = NULL;
	size_t n = 0, total = 0, i;
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
	r = poller_match_feeds(p, cfg, old, feeds, fresh, &n);
	if (r < 0)
		goto out_undo;
	/* Committed from here on. */
	poller_apply(p, cfg, rules, feeds, fresh, n);
	amplifier_set_config(p->amp, cfg);
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
	amplifier_set_once(p->amp, once);
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
			if (f->in_flight || f->sched.waiting ||
			    f->state.disabled)
				continue;
			schedule_remove(&p->sched, &f->sched);
			f->sched.due_ms = util_monotonic_ms();
			schedule_push(&p->sched, &f->sched);
		}
	}
	poller_schedule(p);
	poller_maybe_idle(p);
}

void poller_stop(struct poller *p)
{
	p->stopping = true;
	evtimer_del(p->timer);
	amplifier_stop(p->amp);
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
