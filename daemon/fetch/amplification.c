/*
 * amplification.c — the amplification watch (see amplification.h): a
 * queue of checks per host, each check reading one post's reposter list
 * page by page into memory and storing it in one transaction at the end,
 * so a check cut short (shutdown, error) stores nothing half-read.
 *
 * Priority: the watch starts a request to a host only when none of the
 * feeds due there waits for a transfer (schedule.h's host FIFO), and has at
 * most one request in flight per host; its pauses after a 429/503 live in
 * its own host records, so the feed schedule never sees them.
 */
#include "amplification.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "api_source.h"
#include "fetch.h"
#include "log.h"
#include "reposters.h"
#include "schedule.h"
#include "store.h"
#include "strmap.h"
#include "util.h"

/* Posts of one feed looked at per poll, at most. */
#define AMP_MAX_POSTS 200
/* Page sizes the APIs allow at most. */
#define AMP_PAGE_BLUESKY  100
#define AMP_PAGE_MASTODON 80
/* Pages of one check, at most (a server whose cursor never ends). */
#define AMP_MAX_PAGES 100
/* Polls skipped at most between checks of a settled post. */
#define AMP_MAX_SKIP 31
/* Per-post states kept before the table is started afresh. */
#define AMP_MAX_STATES 200000
/* Pause of a host after a 429/503 without Retry-After, doubling while
 * they repeat, and its longest (seconds). */
#define AMP_PAUSE_MIN 60
#define AMP_PAUSE_MAX 3600
/* A --once run waits this long at most for a paused host (seconds); a
 * longer pause leaves that host's checks to the next run. */
#define AMP_ONCE_WAIT 10

struct amp_host;

/* One post's reposter list being read. */
struct amp_job {
	struct amplifier *a;
	struct amp_job *next; /* in its host's queue */
	struct amp_host *host;
	enum feed_kind kind;
	int64_t post_id;
	char *key;      /* posts.stable_key */
	char *feed_url; /* the feed as configured */
	char *account;  /* the account's key, for the log */
	char *domain;   /* Mastodon: the instance, completes local accts */
	char *next_url; /* the next page, or NULL before the first */
	int want;       /* reposters to read at most */
	struct reposter *got; /* read so far */
	size_t n_got;
	int64_t seen; /* wall clock at the first page: first_seen */
	int pages;    /* pages read */
};

/* A host as the watch sees it. */
struct amp_host {
	char *name;
	struct amp_job *busy;    /* the check in flight, or NULL */
	int64_t paused_until_ms; /* monotonic; 0 = not paused */
	int throttles;           /* 429/503 in a row */
	struct amp_job *head, *tail;
	struct amp_host *all_next;
};

/* How often a post is checked (by its posts.id). */
struct amp_state {
	int misses;  /* checks in a row that found no new reposter */
	int skip;    /* feed polls to let pass before the next check */
	bool queued; /* a check is queued or running */
	bool capped; /* amplification_max reached: no more checks */
	struct amp_state *all_next;
};

struct amplifier {
	struct event_base *base;
	struct store *st;
	struct fetch_engine *fetch;
	const struct schedule *sched;
	const struct config *cfg;
	struct strmap *hosts; /* name -> struct amp_host */
	struct amp_host *all_hosts;
	struct strmap *states; /* post id -> struct amp_state */
	struct amp_state *all_states;
	size_t queued, in_flight;
	struct event *timer; /* the end of a host's pause */
	amplifier_event_fn on_event;
	void *arg;
	bool stopping;
	bool once; /* demarched --once: no long waits */
	struct amplifier_stats stats;
};

static void amp_job_free(struct amp_job *j)
{
	size_t i;

	if (!j)
		return;
	for (i = 0; i < j->n_got; i++) {
		free(j->got[i].actor);
		free(j->got[i].name);
	}
	free(j->got);
	free(j->key);
	free(j->feed_url);
	free(j->account);
	free(j->domain);
	free(j->next_url);
	free(j);
}

static void amp_states_free(struct amplifier *a)
{
	struct amp_state *s, *next;

	for (s = a->all_states; s; s = next) {
		next = s->all_next;
		free(s);
	}
	a->all_states = NULL;
	strmap_free(a->states);
	a->states = NULL;
}

static void amp_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	amplifier_run(arg);
}

int amplifier_new(struct event_base *base, struct store *st,
                  struct fetch_engine *fetch, const struct schedule *sched,
                  amplifier_event_fn fn, void *arg, struct amplifier **out)
{
	struct amplifier *a = calloc(1, sizeof(*a));

	*out = NULL;
	if (!a)
		return -ENOMEM;
	a->base = base;
	a->st = st;
	a->fetch = fetch;
	a->sched = sched;
	a->on_event = fn;
	a->arg = arg;
	a->hosts = strmap_new();
	a->states = strmap_new();
	a->timer = evtimer_new(base, amp_timer_cb, a);
	if (!a->hosts || !a->states || !a->timer) {
		amplifier_free(a);
		return -ENOMEM;
	}
	*out = a;
	return 0;
}

void amplifier_free(struct amplifier *a)
{
	struct amp_host *h, *next;

	if (!a)
		return;
	amplifier_stop(a);
	for (h = a->all_hosts; h; h = next) {
		next = h->all_next;
		/* Its transfer went with the fetch engine, freed first. */
		amp_job_free(h->busy);
		free(h->name);
		free(h);
	}
	strmap_free(a->hosts);
	amp_states_free(a);
	if (a->timer)
		event_free(a->timer);
	free(a);
}

void amplifier_set_config(struct amplifier *a, const struct config *cfg)
{
	/* Turned off by a reload: what is queued is dropped (in-flight checks
	 * end and are stored). */
	if (!cfg->amplification)
		amplifier_stop(a);
	a->cfg = cfg;
	a->stopping = false;
}

void amplifier_set_once(struct amplifier *a, bool once)
{
	a->once = once;
}

void amplifier_stop(struct amplifier *a)
{
	struct amp_host *h;
	struct amp_job *j;

	a->stopping = true;
	for (h = a->all_hosts; h; h = h->all_next) {
		while ((j = h->head)) {
			char key[24];
			struct amp_state *st;

			h->head = j->next;
			/* Asked about again when the watch resumes. */
			snprintf(key, sizeof(key), "%" PRId64, j->post_id);
			st = a->states ? strmap_get(a->states, key) : NULL;
			if (st)
				st->queued = false;
			amp_job_free(j);
		}
		h->tail = NULL;
	}
	a->queued = 0;
	if (a->timer)
		evtimer_del(a->timer);
}

bool amplifier_busy(const struct amplifier *a)
{
	return a && (a->queued || a->in_flight);
}

const struct amplifier_stats *amplifier_stats(const struct amplifier *a)
{
	return &a->stats;
}

static struct amp_host *amp_host(struct amplifier *a, const char *name)
{
	struct amp_host *h = strmap_get(a->hosts, name);

	if (h)
		return h;
	h = calloc(1, sizeof(*h));
	if (!h || !(h->name = strdup(name)) ||
	    strmap_put(a->hosts, name, h) < 0) {
		if (h)
			free(h->name);
		free(h);
		return NULL;
	}
	h->all_next = a->all_hosts;
	a->all_hosts = h;
	return h;
}

/* The state of post_id, made on first use (NULL: out of memory). */
static struct amp_state *amp_state(struct amplifier *a, int64_t post_id)
{
	char key[24];
	struct amp_state *s;

	if (strmap_count(a->states) >= AMP_MAX_STATES) {
		/* Old posts are never asked about again: start afresh rather
		 * than grow without end (their backoff is forgotten). */
		bool busy = a->queued || a->in_flight;

		if (busy)
			return NULL;
		amp_states_free(a);
		a->states = strmap_new();
		if (!a->states)
			return NULL;
	}
	snprintf(key, sizeof(key), "%" PRId64, post_id);
	s = strmap_get(a->states, key);
	if (s)
		return s;
	s = calloc(1, sizeof(*s));
	if (!s || strmap_put(a->states, key, s) < 0) {
		free(s);
		return NULL;
	}
	s->all_next = a->all_states;
	a->all_states = s;
	return s;
}

static void amp_enqueue(struct amp_host *h, struct amp_job *j, bool front)
{
	if (front) {
		j->next = h->head;
		h->head = j;
		if (!h->tail)
			h->tail = j;
		return;
	}
	j->next = NULL;
	if (h->tail)
		h->tail->next = j;
	else
		h->head = j;
	h->tail = j;
}

/* A new check of post p of a feed, for host h. */
static struct amp_job *amp_job_new(struct amplifier *a, enum feed_kind kind,
                                   const struct store_amp_post *p,
                                   const char *account, const char *url)
{
	struct amp_job *j = calloc(1, sizeof(*j));

	if (!j)
		return NULL;
	j->a = a;
	j->kind = kind;
	j->post_id = p->post_id;
	j->want = a->cfg->amplification_max - (int)p->reposters;
	j->key = strdup(p->key);
	j->feed_url = strdup(url);
	j->account = strdup(account);
	if (!j->key || !j->feed_url || !j->account ||
	    (kind == FEED_KIND_MASTODON &&
	     api_mastodon_domain(url, &j->domain) == -ENOMEM)) {
		amp_job_free(j);
		return NULL;
	}
	return j;
}

/* Whether post p is due for a check at this poll of its feed. */
static bool amp_due(struct amplifier *a, struct amp_state *s,
                    const struct store_amp_post *p, const char *account)
{
	if (s->queued || s->capped)
		return false;
	if (p->reposters >= a->cfg->amplification_max) {
		s->capped = true;
		log_notice("amplification: post %" PRId64 " of %s: reposters "
		           "capped at %d (amplification_max)",
		           p->post_id, account, a->cfg->amplification_max);
		return false;
	}
	if (s->skip > 0) {
		s->skip--;
		return false;
	}
	return true;
}

void amplifier_feed_polled(struct amplifier *a, enum feed_kind kind,
                           int64_t feed_id, const char *account_key,
                           const char *configured_url)
{
	struct store_amp_post *posts = NULL;
	struct amp_host *h;
	char *url = NULL, name[256];
	size_t n = 0, i;

	if (!a || !a->cfg || !a->cfg->amplification || a->stopping ||
	    (kind != FEED_KIND_BLUESKY && kind != FEED_KIND_MASTODON))
		return;
	/* Every check of this feed goes to one host. */
	if (api_reposted_by_url(kind, configured_url, a->cfg->bluesky_api, "0",
	                        NULL, 1, &url) < 0)
		return;
	fetch_url_host(url, name, sizeof(name));
	free(url);
	h = amp_host(a, name);
	if (!h)
		return;
	if (store_amp_recent(a->st, feed_id,
	                     util_now() - a->cfg->amplification_window,
	                     AMP_MAX_POSTS, &posts, &n) < 0) {
		log_warnx("amplification: %s: cannot list its recent posts: %s",
		          account_key, store_errmsg(a->st));
		return;
	}
	for (i = 0; i < n; i++) {
		struct amp_state *s = amp_state(a, posts[i].post_id);
		struct amp_job *j;

		if (!s || !amp_due(a, s, &posts[i], account_key))
			continue;
		j = amp_job_new(a, kind, &posts[i], account_key,
		                configured_url);
		if (!j)
			break;
		j->host = h;
		s->queued = true;
		amp_enqueue(h, j, false);
		a->queued++;
	}
	store_amp_posts_free(posts, n);
}

static void amp_done(void *arg, const struct fetch_response *resp);

/* Starts the next page of job j; false when it could not start. */
static bool amp_start(struct amplifier *a, struct amp_job *j)
{
	struct fetch_request req = {0};
	int page =
	    j->kind == FEED_KIND_BLUESKY ? AMP_PAGE_BLUESKY : AMP_PAGE_MASTODON;
	char *url = NULL;
	int r;

	if (page > j->want - (int)j->n_got)
		page = j->want - (int)j->n_got;
	if (j->next_url && j->kind == FEED_KIND_MASTODON)
		url = strdup(j->next_url);
	else if (api_reposted_by_url(j->kind, j->feed_url, a->cfg->bluesky_api,
	                             j->key, j->next_url, page, &url) < 0)
		url = NULL;
	if (!url)
		return false;
	req.url = url;
	req.user_agent = a->cfg->user_agent;
	req.accept = "application/json";
	req.timeout_ms = a->cfg->timeout * 1000;
	req.connect_timeout_ms = a->cfg->connect_timeout * 1000;
	req.max_body = a->cfg->max_body;
	req.allow_private = a->cfg->allow_private;
	req.max_redirects = 5;
	if (!j->seen)
		j->seen = util_now();
	r = fetch_start(a->fetch, &req, amp_done, j);
	free(url);
	if (r < 0)
		return false;
	j->host->busy = j;
	a->in_flight++;
	a->stats.requests++;
	return true;
}

/* Ends check j: its state's backoff follows what it found. */
static void amp_finish(struct amplifier *a, struct amp_job *j, int added,
                       bool failed)
{
	struct amp_state *s = amp_state(a, j->post_id);

	if (s) {
		s->queued = false;
		if (failed || added == 0) {
			if (s->misses < 5)
				s->misses++;
			s->skip = (1 << s->misses) - 1;
			if (s->skip > AMP_MAX_SKIP)
				s->skip = AMP_MAX_SKIP;
		} else {
			s->misses = s->skip = 0;
		}
	}
	amp_job_free(j);
}

/* Stores what check j read. */
static void amp_store(struct amplifier *a, struct amp_job *j)
{
	int added = 0;

	a->stats.checks++;
	if (store_amp_put_reposters(a->st, j->post_id, j->got, j->n_got,
	                            j->seen, &added) < 0) {
		log_warnx("amplification: post %" PRId64 " of %s: cannot store "
		          "its reposters: %s",
		          j->post_id, j->account, store_errmsg(a->st));
		amp_finish(a, j, 0, true);
		return;
	}
	a->stats.added += (uint64_t)added;
	if (added)
		log_info("amplification: post %" PRId64 " of %s: %d new "
		         "reposters (%zu listed)",
		         j->post_id, j->account, added, j->n_got);
	if (j->want <= (int)j->n_got && j->next_url) {
		struct amp_state *s = amp_state(a, j->post_id);

		if (s)
			s->capped = true; /* told here, not again */
		log_notice("amplification: post %" PRId64 " of %s: reposters "
		           "capped at %d (amplification_max)",
		           j->post_id, j->account, a->cfg->amplification_max);
	}
	amp_finish(a, j, added, false);
}

/* Takes a page's reposters into j (up to j->want); false for want of
 * memory. */
static bool amp_take(struct amp_job *j, struct reposter_page *pg)
{
	size_t room = (size_t)(j->want - (int)j->n_got), k = pg->n;
	struct reposter *grown;

	if (k > room)
		k = room;
	if (!k)
		return true;
	grown = realloc(j->got, (j->n_got + k) * sizeof(*grown));
	if (!grown)
		return false;
	j->got = grown;
	memcpy(j->got + j->n_got, pg->actors, k * sizeof(*grown));
	j->n_got += k;
	/* The rest (past the cap) stays with the page and is freed there. */
	memmove(pg->actors, pg->actors + k, (pg->n - k) * sizeof(*grown));
	pg->n -= k;
	return true;
}

/* The next page of j from this answer, or NULL at the end. */
static char *amp_next(const struct amp_job *j,
                      const struct fetch_response *resp,
                      struct reposter_page *pg)
{
	char *next;

	if (j->kind == FEED_KIND_BLUESKY) {
		next = pg->cursor;
		pg->cursor = NULL;
		/* A cursor that does not move would loop. */
		if (next && j->next_url && strcmp(next, j->next_url) == 0) {
			free(next);
			next = NULL;
		}
		return next;
	}
	next = resp->link ? reposters_link_next(resp->link) : NULL;
	/* The Link header may point anywhere: follow it only to the same
	 * list on the same instance. */
	if (next && (!api_same_origin(next, resp->final_url) ||
	             !strstr(next, "/reblogged_by"))) {
		free(next);
		next = NULL;
	}
	return next;
}

/* A 429/503: this host's checks wait; the feeds are not told. */
static void amp_throttled(struct amplifier *a, struct amp_job *j,
                          const struct fetch_response *resp)
{
	struct amp_host *h = j->host;
	int64_t pause = resp->retry_after > 0
	                    ? resp->retry_after
	                    : (int64_t)AMP_PAUSE_MIN
	                          << (h->throttles < 6 ? h->throttles : 6);

	if (pause > AMP_PAUSE_MAX)
		pause = AMP_PAUSE_MAX;
	h->throttles++;
	a->stats.throttled++;
	if (a->once && pause > AMP_ONCE_WAIT) {
		log_notice("amplification: host %s answered HTTP %ld; its "
		           "reposter checks are left to the next run",
		           h->name, resp->status);
		amp_finish(a, j, 0, true);
		while ((j = h->head)) {
			h->head = j->next;
			a->queued--;
			amp_finish(a, j, 0, true);
		}
		h->tail = NULL;
		return;
	}
	h->paused_until_ms = util_monotonic_ms() + pause * 1000;
	log_notice("amplification: host %s answered HTTP %ld; its reposter "
	           "checks pause for %llds (feed polls go on)",
	           h->name, resp->status, (long long)pause);
	amp_enqueue(h, j, true);
	a->queued++;
}

/* One page of a check arrived. */
static void amp_page(struct amplifier *a, struct amp_job *j,
                     const struct fetch_response *resp)
{
	struct reposter_page *pg = NULL;
	char err[256];
	char *next;

	if (reposters_parse(j->kind == FEED_KIND_BLUESKY ? FEED_FORMAT_BLUESKY
	                                                 : FEED_FORMAT_MASTODON,
	                    resp->body ? resp->body : "", resp->body_len,
	                    j->domain, &pg, err, sizeof(err)) < 0) {
		a->stats.failures++;
		log_warnx("amplification: post %" PRId64 " of %s: %s",
		          j->post_id, j->account, err);
		amp_finish(a, j, 0, true);
		return;
	}
	j->host->throttles = 0;
	if (!amp_take(j, pg)) {
		reposter_page_free(pg);
		amp_finish(a, j, 0, true);
		return;
	}
	next = amp_next(j, resp, pg);
	if (++j->pages >= AMP_MAX_PAGES && next && (int)j->n_got < j->want) {
		log_info("amplification: post %" PRId64 " of %s: stopped after "
		         "%d pages",
		         j->post_id, j->account, j->pages);
		free(next);
		next = NULL;
	}
	reposter_page_free(pg);
	free(j->next_url);
	j->next_url = next;
	if (next && (int)j->n_got < j->want) {
		amp_enqueue(j->host, j, true);
		a->queued++;
		return;
	}
	amp_store(a, j);
}

static void amp_done(void *arg, const struct fetch_response *resp)
{
	struct amp_job *j = arg;
	struct amplifier *a = j->a;

	a->in_flight--;
	j->host->busy = NULL;
	if (a->stopping ||
	    (resp->error && strcmp(resp->error, "cancelled") == 0)) {
		amp_finish(a, j, 0, true);
	} else if (resp->status == 429 || resp->status == 503) {
		amp_throttled(a, j, resp);
	} else if (resp->error || resp->status < 200 || resp->status >= 300) {
		a->stats.failures++;
		log_info("amplification: post %" PRId64 " of %s: %s",
		         j->post_id, j->account,
		         resp->error ? resp->error : "HTTP error");
		amp_finish(a, j, 0, true);
	} else {
		amp_page(a, j, resp);
	}
	if (a->on_event)
		a->on_event(a->arg);
}

/* Whether feeds of host name wait for a transfer (they go first). */
static bool amp_feeds_waiting(const struct amplifier *a, const char *name)
{
	const struct schedule_host *sh =
	    a->sched ? strmap_get(a->sched->hosts, name) : NULL;

	return sh && sh->wait_head != NULL;
}

void amplifier_run(struct amplifier *a)
{
	int64_t now = util_monotonic_ms(), wake = INT64_MAX;
	struct amp_host *h;

	if (!a || !a->cfg || a->stopping || !a->queued)
		return;
	for (h = a->all_hosts; h; h = h->all_next) {
		struct amp_job *j;

		if (!h->head || h->busy)
			continue;
		if (h->paused_until_ms > now) {
			if (h->paused_until_ms < wake)
				wake = h->paused_until_ms;
			continue;
		}
		if (amp_feeds_waiting(a, h->name) ||
		    fetch_in_flight(a->fetch) >= (size_t)a->cfg->concurrency)
			continue;
		j = h->head;
		h->head = j->next;
		if (!h->head)
			h->tail = NULL;
		a->queued--;
		if (!amp_start(a, j)) {
			a->stats.failures++;
			amp_finish(a, j, 0, true);
		}
	}
	if (wake != INT64_MAX) {
		struct timeval tv;
		int64_t ms = wake - now + 5;

		tv.tv_sec = ms / 1000;
		tv.tv_usec = (ms % 1000) * 1000;
		evtimer_add(a->timer, &tv);
	}
}
