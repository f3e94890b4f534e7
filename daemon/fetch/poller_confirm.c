/*
 * poller_confirm.c — deletions asked of the source (issue 13).  A poll of
 * a Mastodon or Bluesky feed marks deleted the posts that vanished from
 * the middle of its window; that is a suspicion (a post may leave a
 * window in other ways).  After the poll is recorded, the source is
 * asked about each open suspicion of the feed, one request per post
 * (Mastodon GET /api/v1/statuses/ID, Bluesky getPosts), at most
 * POLLER_CONFIRM_MAX a poll, one after the other and counted under the
 * host's per_host limit: "not found" confirms the deletion, the post
 * served back refutes it (the post is live again), anything else leaves
 * it open for the next poll.  The answers are recorded in one
 * transaction, then the feed waits for its next poll.
 */
#include <errno.h>
#include <stdlib.h>

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

/* Asks about the next suspect, or finishes. */
static void poller_confirm_next(struct poller *p, struct poll_feed *f)
{
	struct fetch_request req;
	char *url = NULL;
	int r;

	while (f->next_suspect < f->n_suspects && !f->retired && !p->stopping) {
		struct store_suspect *su = &f->suspects[f->next_suspect];

		r = api_status_url(f->kind, f->configured_url,
		                   p->cfg->bluesky_api, su->key, &url);
		if (r == -EINVAL)
			su->answer = -2; /* a repost's key, say */
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

	su->answer = resp->error
	                 ? -1
	                 : api_status_answer(f->kind, resp->status, resp->body,
	                                     resp->body_len);
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
