/*
 * poller_confirm.c — deletions asked of the source (issue 13).  A poll of
 * a Mastodon, Bluesky or Telegram feed marks deleted the posts that
 * vanished from the middle of its window; that is a suspicion (a post may
 * leave a window in other ways).  After the poll is recorded, the source
 * is asked about each open suspicion of the feed, one request per post
 * (Mastodon GET /api/v1/statuses/ID, Bluesky getPosts, Telegram the
 * post's embed page t.me/NAME/ID?embed=1), at most POLLER_CONFIRM_MAX a
 * poll, one after the other, counted under the host's per_host limit and,
 * for Telegram, spaced by telegram_delay: "not found" confirms the
 * deletion, the post served back refutes it (the post is live again),
 * anything else leaves it open for the next poll.  The answers are recorded in
 * one transaction, then the feed waits for its next poll.
 */
#include <errno.h>
#include <stdlib.h>

#include <event2/event.h>

#include "api_source.h"
#include "log.h"
#include "poller_int.h"
#include "util.h"

void poller_confirm_clear(struct poll_feed *f)
{
	store_suspects_free(f->suspects, f->n_suspects);
	f->suspects = NULL;
	f->n_suspects = f->next_suspect = 0;
}

/* Records the answers, logs them, and lets the feed go. */
static void poller_confirm_finish(struct poller *p, struct poll_feed *f)
{
	size_t i;

	if (!f->retired &&
	    store_record_answers(p->store, f->suspects, f->n_suspects,
	                         util_now()) < 0) {
		log_err("feed %s (%s): cannot record what the source said of "
		        "deleted posts: %s",
		        f->account_key, f->configured_url,
		        store_errmsg(p->store));
	} else if (!f->retired) {
		for (i = 0; i < f->n_suspects; i++) {
			const struct store_suspect *su = &f->suspects[i];

			if (su->answer == 1)
				log_info("feed %s (%s): post %s deleted, "
				         "confirmed by the source",
				         f->account_key, f->configured_url,
				         su->key);
			else if (su->answer == 0)
				log_info("feed %s (%s): post %s is still "
				         "served: not deleted",
				         f->account_key, f->configured_url,
				         su->key);
		}
	}
	poller_confirm_clear(f);
	poller_extra_done(f);
}

static void poller_confirm_done(void *arg, const struct fetch_response *resp);
static void poller_confirm_next(struct poller *p, struct poll_feed *f);

static void poller_confirm_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct poll_feed *f = arg;

	(void)fd;
	(void)what;
	poller_confirm_next(f->p, f);
}

/* Telegram: at most one request per telegram_delay to the host.  Returns
 * true when the request must wait (the timer is armed), false to send it
 * now (the host is then held for the delay). */
static bool poller_confirm_wait(struct poller *p, struct poll_feed *f)
{
	int64_t now = util_monotonic_ms(),
	        wait = f->sched.host->paused_until_ms - now;
	struct timeval tv;

	if (f->kind != FEED_KIND_TELEGRAM || p->cfg->telegram_delay <= 0)
		return false;
	if (wait > 0) {
		if (!f->confirm_timer)
			f->confirm_timer =
			    evtimer_new(p->base, poller_confirm_timer_cb, f);
		tv.tv_sec = wait / 1000;
		tv.tv_usec = (wait % 1000) * 1000;
		if (f->confirm_timer && evtimer_add(f->confirm_timer, &tv) == 0)
			return true;
	}
	f->sched.host->paused_until_ms = now + p->cfg->telegram_delay * 1000;
	return false;
}

/* The request that asks about su. */
static int poller_confirm_url(const struct poller *p, const struct poll_feed *f,
                              const struct store_suspect *su, char **url)
{
	if (f->kind == FEED_KIND_TELEGRAM)
		return web_source_post_url(p->cfg, f->configured_url, su->key,
		                           url);
	return api_status_url(f->kind, f->configured_url, p->cfg->bluesky_api,
	                      su->key, url);
}

/* Asks about the next suspect, or finishes. */
static void poller_confirm_next(struct poller *p, struct poll_feed *f)
{
	struct fetch_request req;
	char *url = NULL;
	int r;

	while (f->next_suspect < f->n_suspects && !f->retired && !p->stopping) {
		struct store_suspect *su = &f->suspects[f->next_suspect];

		r = poller_confirm_url(p, f, su, &url);
		if (r == -EINVAL)
			su->answer = -2; /* a repost's key, say */
		if (r == 0 && poller_confirm_wait(p, f)) {
			free(url);
			return;
		}
		if (r == 0) {
			poller_fill_request(p, &req);
			req.url = url;
			r = fetch_start(p->fetch, &req, poller_confirm_done, f);
			free(url);
			url = NULL;
			if (r == 0)
				return;
		}
		f->next_suspect++;
	}
	poller_confirm_finish(p, f);
}

static void poller_confirm_done(void *arg, const struct fetch_response *resp)
{
	struct poll_feed *f = arg;
	struct store_suspect *su = &f->suspects[f->next_suspect++];

	if (resp->error)
		su->answer = -1;
	else if (f->kind == FEED_KIND_TELEGRAM)
		su->answer = web_source_post_answer(resp->status, resp->body,
		                                    resp->body_len);
	else
		su->answer = api_status_answer(f->kind, resp->status,
		                               resp->body, resp->body_len);
	poller_confirm_next(f->p, f);
}

bool poller_confirm_start(struct poller *p, struct poll_feed *f)
{
	poller_confirm_clear(f);
	if (store_deletion_suspects(p->store, f->state.feed_id,
	                            POLLER_CONFIRM_MAX, &f->suspects,
	                            &f->n_suspects) < 0) {
		log_warnx("feed %s (%s): cannot list its deleted posts: %s",
		          f->account_key, f->configured_url,
		          store_errmsg(p->store));
		return false;
	}
	if (f->n_suspects == 0)
		return false;
	poller_extra_begin(f);
	poller_confirm_next(p, f);
	return true;
}
