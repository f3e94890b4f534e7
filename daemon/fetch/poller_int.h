/*
 * poller_int.h — what the files of the poller share, private to
 * daemon/fetch/: the per-feed record, the poller itself, and the steps
 * the source-specific parts call back into.
 *
 *   poller.c          scheduling and the fetch -> parse -> store pipeline
 *   poller_html.c     html: feeds: the index page, then its articles
 *   poller_confirm.c  deletions suspected from a window, asked of the
 *                     source post by post (Mastodon, Bluesky)
 */
#ifndef DEMARCHE_POLLER_INT_H
#define DEMARCHE_POLLER_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "feed.h"
#include "fetch.h"
#include "poller.h"
#include "schedule.h"
#include "store.h"
#include "web_source.h"

struct event;

/* Seconds (at most the feed's interval) before retrying a poll whose claim
 * or write failed; tests/e2e/pg_dbfaults.sh sizes its waits from it. */
#define POLLER_STORE_RETRY 30
#define POLLER_LEASE_MARGIN                       \
	30 /* seconds a feed's lease outlasts the \
	    * transfer timeout (parse, store) */
/* What Telegram previews and html: pages are asked as. */
#define POLLER_ACCEPT_HTML "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"
#define POLLER_ONCE_RECHECK                    \
	2 /* seconds between --once looks at a \
	   * feed another instance holds */

struct poll_feed {
	char *account_key;    /* [account "key"] */
	char *configured_url; /* as in the config (prefix stripped) */
	enum feed_kind kind;
	int64_t interval;              /* seconds */
	struct store_feed_state state; /* validators, url, failures... */
	struct schedule_item sched;    /* due time, heap, host and its FIFO */
	int64_t started_us;            /* wall clock when the poll started */
	bool in_flight;
	bool polled;              /* finished at least one poll (for --once) */
	bool retired;             /* removed by a reload while in flight */
	bool kept;                /* scratch mark of poller_set_config */
	char *api_id;             /* Mastodon account id, once looked up */
	struct feed_doc *profile; /* API sources: the profile of this poll */
	/* Telegram: the posts of this poll's pages so far, oldest first,
	 * the timer that spaces the pages, and where paging stands. */
	struct feed_doc *pages;
	struct event *page_timer;
	struct web_source_paging paging;
	bool no_preview_told; /* "no public preview" logged since it last
	                       * had one */
	/* html: the article pages of this poll (the index's new links,
	 * then those still re-read for edits), the next to fetch, and the
	 * index's answer, kept for the end (poller_html.c). */
	struct store_html_page *html_pages;
	size_t html_n, html_next;
	char *index_etag, *index_lm;
	bool index_modified; /* the index answered 200, not 304 */
	bool html_failed;    /* an article could not be read */
	bool html_changed;   /* an article answered 200 */
	/* Mastodon, Bluesky: the posts this poll marked deleted, asked of
	 * the source one by one (poller_confirm.c), and the next to ask. */
	struct store_suspect *suspects;
	size_t n_suspects, next_suspect;
	struct event *confirm_timer; /* Telegram: spaces the questions */
	struct poller *p;
};

struct poller {
	struct event_base *base;
	struct store *store;        /* borrowed */
	struct fetch_engine *fetch; /* borrowed */
	const struct config *cfg;   /* borrowed, see poller_set_config */
	const struct classify_rules *rules;
	struct poll_feed **feeds; /* the configured feeds */
	size_t n_feeds;
	struct schedule sched; /* idle feeds, hosts, the ready ring */
	struct amplifier *amp; /* who reposted the recent posts */
	bool scheduling;       /* inside poller_schedule */
	bool reschedule;       /* it was asked again meanwhile */
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

/* A transfer ended: interpret, commit, reschedule (poller.c). */
void poller_done(void *arg, const struct fetch_response *resp);
/* Ends a poll that could not get going as a failed one. */
void poller_fail(struct poll_feed *f, const char *fmt, const char *detail);
/* Requests a feed makes after its poll was recorded (poller_confirm.c):
 * begin counts the feed in flight again (under its host's per_host);
 * done ends that and puts the feed back in the schedule (or frees it when
 * a reload retired it meanwhile: f is gone then). */
void poller_extra_begin(struct poll_feed *f);
void poller_extra_done(struct poll_feed *f);
/* A request with the config's user agent, timeouts and limits. */
void poller_fill_request(const struct poller *p, struct fetch_request *req);
/* Adds a parsed page to the poll's posts (f->pages), older pages first;
 * takes page.  Returns 0 or -ENOMEM (page not taken). */
int poller_tg_merge(struct poll_feed *f, struct feed_doc *page);

/* poller_html.c: the first callback of an html: poll (its index). */
void poller_html_index_done(void *arg, const struct fetch_response *resp);
/* Frees what an html: poll gathered. */
void poller_html_clear(struct poll_feed *f);

/* poller_confirm.c: after a Mastodon, Bluesky or Telegram poll that marked
 * posts deleted, asks the source for (at most POLLER_CONFIRM_MAX of) them, one
 * request each, counted under the host's per_host limit, and records the
 * answers.  Returns true when it started (it reschedules the feed
 * itself when done), false when there is nothing to ask. */
#define POLLER_CONFIRM_MAX 5
bool poller_confirm_start(struct poller *p, struct poll_feed *f);
void poller_confirm_clear(struct poll_feed *f);

#endif
