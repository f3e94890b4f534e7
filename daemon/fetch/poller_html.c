/*
 * poller_html.c — a poll of an html: feed (issue 14): its index page,
 * asked with the feed's validators, then its article pages one after the
 * other.  An article is fetched once when its link first appears on the
 * index, then conditionally (If-None-Match / If-Modified-Since with the
 * validators it last came with, html_pages) at each poll until the
 * account's html_refetch (default 3 days) after that first fetch, to
 * catch edits (an edited article becomes a new version of its posts);
 * never again after that.  A page whose server gives no validators is
 * fetched once only (a refetch could not be conditional).  The index's
 * answer does not stop the refetches: an article changes without its
 * listing changing.  All the articles' entries and the pages' answers
 * go into the poll's one transaction (store_record_poll).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "poller_int.h"
#include "util.h"

/* Articles a poll reads at most, new ones and re-read ones each: the
 * rest come at the next poll. */
#define POLLER_HTML_MAX 50

/* The XPaths of the feed's account (borrowed from the config). */
static const struct config_html *poller_html_rules(const struct poller *p,
                                                   const struct poll_feed *f)
{
	size_t i;

	for (i = 0; p->cfg->html && i < p->cfg->n_accounts; i++)
		if (strcmp(p->cfg->accounts[i].key, f->account_key) == 0)
			return &p->cfg->html[i];
	return NULL;
}

void poller_html_clear(struct poll_feed *f)
{
	store_html_pages_free(f->html_pages, f->html_n);
	f->html_pages = NULL;
	f->html_n = f->html_next = 0;
	free(f->index_etag);
	free(f->index_lm);
	f->index_etag = f->index_lm = NULL;
	f->index_modified = f->html_failed = f->html_changed = false;
}

/* Ends an html: poll with the articles read (f->pages).  Nothing changed
 * (the index and every article answered 304) is a 304.  The index's
 * validators are kept only when every article was read, so a new page
 * that failed is tried again at the next poll. */
static void poller_html_finish(struct poll_feed *f)
{
	struct fetch_response resp = {0};

	resp.status = !f->index_modified && !f->html_changed ? 304 : 200;
	resp.retry_after = resp.max_age = -1;
	if (!f->html_failed) {
		resp.etag = f->index_etag;
		resp.last_modified = f->index_lm;
	}
	poller_done(f, &resp);
}

static void poller_html_article_done(void *arg,
                                     const struct fetch_response *resp);

/* Starts the next article, or ends the poll when none is left. */
static void poller_html_next(struct poller *p, struct poll_feed *f)
{
	struct fetch_request req;

	while (f->html_next < f->html_n && !f->retired && !p->stopping) {
		const struct store_html_page *pg = &f->html_pages[f->html_next];

		poller_fill_request(p, &req);
		req.url = pg->url;
		req.accept = POLLER_ACCEPT_HTML;
		if (!pg->fresh) {
			req.etag = pg->etag;
			req.last_modified = pg->last_modified;
		}
		if (fetch_start(p->fetch, &req, poller_html_article_done, f) ==
		    0)
			return;
		f->html_failed = true;
		f->html_next++;
	}
	poller_html_finish(f);
}

/* Parses an article that answered 200 into the poll's entries. */
static void poller_html_read(struct poller *p, struct poll_feed *f,
                             const char *url, const struct fetch_response *resp)
{
	const struct config_html *h = poller_html_rules(p, f);
	struct feed_html_rules rules = {0};
	struct feed_parse_opts opts = {0};
	struct feed_doc *page = NULL;
	char perr[256];
	size_t i;

	if (h) {
		rules.title = h->title;
		rules.date = h->date;
		rules.text = h->text;
		rules.split = h->split;
	}
	opts.format = FEED_FORMAT_HTML;
	opts.base_url = url; /* keys stay put when the page redirects */
	opts.now = util_now();
	opts.max_entries = 1000;
	opts.html = &rules;
	if (feed_parse(resp->body ? resp->body : "", resp->body_len, &opts,
	               &page, perr, sizeof(perr)) < 0) {
		log_warnx("feed %s: article %s: %s", f->account_key, url, perr);
		return;
	}
	for (i = 0; i < page->n_warnings; i++)
		log_warnx("feed %s: article %s: %s", f->account_key, url,
		          page->warnings[i]);
	if (poller_tg_merge(f, page) < 0) {
		feed_doc_free(page);
		f->html_failed = true;
	}
}

/* An article arrived: its answer is kept for html_pages, a 200's entries
 * join the poll's; its faults (an XPath that finds nothing, an HTTP
 * error) are logged for the page.  A 304 is the article unchanged. */
static void poller_html_article_done(void *arg,
                                     const struct fetch_response *resp)
{
	struct poll_feed *f = arg;
	struct poller *p = f->p;
	struct store_html_page *pg = &f->html_pages[f->html_next++];

	pg->status = resp->error ? 0 : (int)resp->status;
	if (resp->status == 200 || resp->status == 304) {
		/* A 304 may leave them out: the stored ones stay then. */
		if (resp->etag || resp->status == 200) {
			free(pg->etag);
			pg->etag = xstrdup(resp->etag);
		}
		if (resp->last_modified || resp->status == 200) {
			free(pg->last_modified);
			pg->last_modified = xstrdup(resp->last_modified);
		}
	}
	if (resp->status == 304 && !resp->error) {
		poller_html_next(p, f);
		return;
	}
	if (resp->error || resp->status < 200 || resp->status >= 300) {
		/* A new page is tried again; a known one that is gone has its
		 * posts marked deleted (store_pages.c). */
		if (pg->fresh && (resp->error || resp->status >= 500))
			f->html_failed = true;
		log_warnx("feed %s: article %s: %s", f->account_key, pg->url,
		          resp->error ? resp->error : "HTTP error");
		poller_html_next(p, f);
		return;
	}
	f->html_changed = true;
	poller_html_read(p, f, pg->url, resp);
	poller_html_next(p, f);
}

/* Whether the log holds the article at url (as one post or split), from
 * before html_pages kept it. */
static bool poller_html_known(struct poller *p, struct poll_feed *f,
                              const char *url)
{
	struct feed_doc *doc = feed_doc_new(FEED_FORMAT_HTML);
	struct feed_entry e[2] = {{0}, {0}};
	struct buf split = {0};
	size_t known = 0;
	bool r = false;

	if (!doc || buf_printf(&split, "%s#1", url) < 0)
		goto out_free_doc;
	e[0].id = (char *)(uintptr_t)url;
	e[1].id = split.data;
	doc->entries = e;
	doc->n_entries = 2;
	r = store_count_known(p->store, f->state.account_id, doc, &known) ==
	        0 &&
	    known > 0;
	doc->entries = NULL;
	doc->n_entries = 0;
out_free_doc:
	buf_free(&split);
	feed_doc_free(doc);
	return r;
}

/* Whether url is to be fetched as new: not in html_pages, not in the log,
 * not already in this poll's list. */
static bool poller_html_is_new(struct poller *p, struct poll_feed *f,
                               const char *url)
{
	size_t i;

	for (i = 0; i < f->html_n; i++)
		if (strcmp(f->html_pages[i].url, url) == 0)
			return false;
	if (store_html_page_known(p->store, f->state.feed_id, url) != 0)
		return false;
	return !poller_html_known(p, f, url);
}

/* The index's new links, at most POLLER_HTML_MAX, become fresh pages. */
static int poller_html_add_new(struct poller *p, struct poll_feed *f,
                               char **links, size_t n)
{
	struct store_html_page *pages;
	size_t i, fresh = 0;

	pages = calloc(n ? n : 1, sizeof(*pages));
	if (!pages) {
		feed_html_links_free(links, n);
		return -1;
	}
	f->html_pages = pages;
	for (i = 0; i < n; i++) {
		if (fresh < POLLER_HTML_MAX &&
		    poller_html_is_new(p, f, links[i])) {
			pages[f->html_n].url = links[i];
			pages[f->html_n++].fresh = true;
			fresh++;
			links[i] = NULL;
		}
		free(links[i]);
	}
	free(links);
	return 0;
}

/* The articles still re-read for edits join the list after the new
 * ones. */
static void poller_html_add_due(struct poller *p, struct poll_feed *f)
{
	const struct config_html *h = poller_html_rules(p, f);
	int64_t window = h ? h->refetch : 3 * 86400;
	struct store_html_page *due = NULL, *all;
	size_t n = 0;

	if (window <= 0)
		return;
	if (store_html_pages_due(p->store, f->state.feed_id,
	                         util_now() - window, POLLER_HTML_MAX, &due,
	                         &n) < 0) {
		log_warnx("feed %s (%s): cannot list its articles: %s",
		          f->account_key, f->configured_url,
		          store_errmsg(p->store));
		return;
	}
	if (n == 0)
		return;
	all = realloc(f->html_pages, (f->html_n + n) * sizeof(*all));
	if (!all) {
		store_html_pages_free(due, n);
		return;
	}
	memcpy(all + f->html_n, due, n * sizeof(*all));
	free(due);
	f->html_pages = all;
	f->html_n += n;
}

/* The index page arrived: a 200's new links are read one after the
 * other, then (200 or 304) the articles still re-read for edits. */
void poller_html_index_done(void *arg, const struct fetch_response *resp)
{
	struct poll_feed *f = arg;
	struct poller *p = f->p;
	const struct config_html *h = poller_html_rules(p, f);
	char **links = NULL;
	size_t n = 0;
	bool ok =
	    resp->status == 304 || (resp->status >= 200 && resp->status < 300);

	if (f->retired || resp->error || !ok || !h || !h->links) {
		poller_done(f, resp);
		return;
	}
	poller_html_clear(f);
	f->index_modified = resp->status != 304;
	/* A 304 may carry no validators: the stored ones stay. */
	f->index_etag = xstrdup(resp->etag ? resp->etag : f->state.etag);
	f->index_lm = xstrdup(resp->last_modified ? resp->last_modified
	                                          : f->state.last_modified);
	feed_doc_free(f->pages);
	f->pages = feed_doc_new(FEED_FORMAT_HTML);
	if (!f->pages ||
	    (f->index_modified &&
	     feed_html_links(resp->body ? resp->body : "", resp->body_len,
	                     resp->final_url, h->links, &links, &n) < 0)) {
		poller_fail(f, "%s", "cannot read the index page");
		return;
	}
	if (f->index_modified && n == 0)
		log_warnx("feed %s (%s): html_links finds no link on the "
		          "index page",
		          f->account_key, f->configured_url);
	if (poller_html_add_new(p, f, links, n) < 0) {
		poller_fail(f, "%s", "out of memory");
		return;
	}
	poller_html_add_due(p, f);
	poller_html_next(p, f);
}
