/*
 * parse_json.c — the JSON sources into the feed model, with jansson:
 * JSON Feed 1.0/1.1, Mastodon's statuses (and a lone status or account),
 * and Bluesky's app.bsky.feed.getAuthorFeed and app.bsky.actor.getProfile.
 *
 * The body is made valid UTF-8 first (encoding.c), so one stray byte does
 * not cost the whole document; jansson's nesting limit bounds depth.  The
 * shape of the document decides the format when the caller did not.
 * Platform ids become entry ids (Mastodon status id, Bluesky post URI);
 * a reblog or repost is an entry of its own, flagged, with the original
 * post's author and text; replies are flagged too.  What a post embeds
 * is part of what it says, so the text goes on after the post's own
 * words with marked paragraphs: "[quote @handle] ..." for a quoted post,
 * "[link] title — description" for a Bluesky link card (not Mastodon's,
 * which the server adds later), "[image] ..." (or [video], [audio]) for
 * media descriptions.  A Mastodon edit history
 * (/statuses/:id/history) becomes one entry per version under one id.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "encoding.h"
#include "feed_int.h"
#include "util.h"

/* A string member, or NULL (borrowed). */
static const char *str(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* A counter member, or -1 when absent or not a non-negative integer. */
static int64_t count(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	if (json_is_integer(v) && json_integer_value(v) >= 0)
		return (int64_t)json_integer_value(v);
	return -1;
}

/* Sets an entry's engagement counters when any of them is given. */
static void set_counts(struct feed_entry *e, int64_t reposts, int64_t likes,
                       int64_t replies)
{
	if (reposts < 0 && likes < 0 && replies < 0)
		return;
	e->has_counts = true;
	e->reposts = reposts;
	e->likes = likes;
	e->replies = replies;
}

static char *dup_str(struct feed_ctx *ctx, const char *s)
{
	char *d;

	if (!s || !*s)
		return NULL;
	d = strdup(s);
	if (!d)
		ctx->oom = true;
	return d;
}

/* Plain text of a string member (NULL when absent or empty). */
static char *text_of(struct feed_ctx *ctx, const char *s,
                     enum feed_text_kind kind, bool oneline)
{
	char *t;

	if (!s || !*s)
		return NULL;
	t = feed_text(ctx, s, strlen(s), kind, oneline);
	if (t && !*t) {
		free(t);
		return NULL;
	}
	return t;
}

/* Appends "\n\n[mark] text" to b when text (converted as kind) is not
 * empty; mark may be NULL for none. */
static void add_part(struct feed_ctx *ctx, struct buf *b, const char *mark,
                     const char *s, enum feed_text_kind kind)
{
	char *t = text_of(ctx, s, kind, false);

	if (!t)
		return;
	if ((b->len && buf_puts(b, "\n\n") < 0) ||
	    (mark && (buf_puts(b, mark) < 0 || buf_putc(b, ' ') < 0)) ||
	    buf_puts(b, t) < 0)
		ctx->oom = true;
	free(t);
}

/* "[link] title — description" for a link card (either may be absent). */
static void add_card(struct feed_ctx *ctx, struct buf *b, const char *title,
                     const char *desc)
{
	struct buf s = {0};

	if (title && *title && buf_puts(&s, title) < 0)
		ctx->oom = true;
	if (desc && *desc &&
	    ((s.len && buf_puts(&s, " \u2014 ") < 0) || buf_puts(&s, desc) < 0))
		ctx->oom = true;
	if (s.len)
		add_part(ctx, b, "[link]", s.data, FEED_TEXT_PLAIN);
	buf_free(&s);
}

/* "[quote @handle]" as a mark for a quoted post, whose place in the text
 * e keeps (see feed_entry.quote_at). */
static void add_quote(struct feed_ctx *ctx, struct buf *b, struct feed_entry *e,
                      const char *handle, const char *s,
                      enum feed_text_kind kind)
{
	struct buf m = {0};
	size_t at = b->len;

	if (buf_puts(&m, "[quote") < 0 ||
	    (handle && *handle &&
	     (buf_puts(&m, " @") < 0 || buf_puts(&m, handle) < 0)) ||
	    buf_putc(&m, ']') < 0)
		ctx->oom = true;
	else
		add_part(ctx, b, m.data, s, kind);
	buf_free(&m);
	if (b->len > at) {
		e->quote_at = at;
		e->quote_len = b->len - at;
	}
}

/* The assembled text as a *new* string ("" when empty): b is consumed. */
static char *take_text(struct feed_ctx *ctx, struct buf *b)
{
	char *t;

	if (!b->len) {
		buf_free(b);
		t = strdup("");
	} else {
		t = buf_steal(b);
	}
	if (!t)
		ctx->oom = true;
	return t;
}

/* ---- JSON Feed ---------------------------------------------------- */

/* "author" (1.0) or the first of "authors" (1.1). */
static char *jf_author(struct feed_ctx *ctx, const json_t *o)
{
	const json_t *a = json_object_get(o, "authors");

	if (json_is_array(a) && json_array_size(a) > 0)
		a = json_array_get(a, 0);
	else
		a = json_object_get(o, "author");
	if (!json_is_object(a))
		return NULL;
	return text_of(ctx, str(a, "name"), FEED_TEXT_PLAIN, true);
}

static void jf_item(struct feed_ctx *ctx, const json_t *it,
                    const char *feed_author)
{
	struct feed_entry *e;
	const json_t *id = json_object_get(it, "id");
	const char *html = str(it, "content_html"),
	           *text = str(it, "content_text");
	const char *url = str(it, "url");
	char num[32];

	if (!json_is_object(it)) {
		feed_warn(ctx, "JSON Feed item is not an object; skipped");
		return;
	}
	e = feed_add_entry(ctx);
	if (!e)
		return;
	if (json_is_string(id) && *json_string_value(id)) {
		e->id = dup_str(ctx, json_string_value(id));
	} else if (json_is_integer(id)) {
		/* 1.0 feeds sometimes give numbers; the spec says string. */
		snprintf(num, sizeof(num), "%lld",
		         (long long)json_integer_value(id));
		e->id = dup_str(ctx, num);
	}
	if (!url)
		url = str(it, "external_url");
	e->link = feed_resolve(ctx, ctx->doc->link, url);
	e->title = text_of(ctx, str(it, "title"), FEED_TEXT_PLAIN, true);
	if (html && *html) {
		e->html = dup_str(ctx, html);
		e->text = text_of(ctx, html, FEED_TEXT_HTML, false);
	} else if (text && *text) {
		e->text = text_of(ctx, text, FEED_TEXT_PLAIN, false);
	} else {
		e->text =
		    text_of(ctx, str(it, "summary"), FEED_TEXT_PLAIN, false);
	}
	feed_published(ctx, e, "date_published", str(it, "date_published"));
	e->updated = feed_date(ctx, "date_modified", str(it, "date_modified"));
	e->author = jf_author(ctx, it);
	if (!e->author && feed_author)
		e->author = dup_str(ctx, feed_author);
	e->lang = dup_str(ctx, str(it, "language"));
	if (!e->lang && ctx->doc->lang)
		e->lang = dup_str(ctx, ctx->doc->lang);
}

static int parse_jsonfeed(struct feed_ctx *ctx, const json_t *root, char *err,
                          size_t errlen)
{
	struct feed_doc *doc = ctx->doc;
	const json_t *items = json_object_get(root, "items"), *it;
	char *author;
	size_t i;

	if (!json_is_object(root)) {
		snprintf(err, errlen,
		         "not a JSON Feed: top level is not an object");
		return -EBADMSG;
	}
	doc->format = FEED_FORMAT_JSONFEED;
	doc->title = text_of(ctx, str(root, "title"), FEED_TEXT_PLAIN, true);
	doc->link =
	    feed_resolve(ctx, ctx->opts->base_url, str(root, "home_page_url"));
	doc->lang = dup_str(ctx, str(root, "language"));
	if (!json_is_array(items)) {
		if (!doc->title) {
			snprintf(err, errlen,
			         "not a JSON Feed: no items and no title");
			return -EBADMSG;
		}
		feed_warn(ctx, "JSON Feed without an items array");
		return 0;
	}
	author = jf_author(ctx, root);
	json_array_foreach(items, i, it)
	{
		if (ctx->capped || ctx->oom)
			break;
		jf_item(ctx, it, author);
	}
	free(author);
	return 0;
}

/* ---- Mastodon ----------------------------------------------------- */

static void mastodon_account(struct feed_ctx *ctx, const json_t *a)
{
	struct feed_account *acc = &ctx->doc->account;

	if (!json_is_object(a))
		return;
	ctx->doc->has_account = true;
	acc->handle = dup_str(ctx, str(a, "acct"));
	if (!acc->handle)
		acc->handle = dup_str(ctx, str(a, "username"));
	acc->display_name =
	    text_of(ctx, str(a, "display_name"), FEED_TEXT_PLAIN, true);
	acc->followers = count(a, "followers_count");
	acc->following = count(a, "following_count");
	acc->posts = count(a, "statuses_count");
	acc->created = feed_date(ctx, "created_at", str(a, "created_at"));
	if (!ctx->doc->title)
		ctx->doc->title = xstrdup(acc->display_name ? acc->display_name
		                                            : acc->handle);
	if (!ctx->doc->link)
		ctx->doc->link = dup_str(ctx, str(a, "url"));
}

/* The quoted status and the media descriptions of a status, after its
 * text.  Not the link card: Mastodon fetches it after the status is
 * posted, so it would turn into a false edit on the next poll. */
static void mastodon_extras(struct feed_ctx *ctx, const json_t *st,
                            struct feed_entry *e, struct buf *b)
{
	const json_t *media = json_object_get(st, "media_attachments"), *m,
	             *quote = json_object_get(st, "quote"), *q;
	size_t i;

	/* Mastodon 4.4 wraps the quoted status ({"state", "quoted_status"});
	 * older forks put the status itself there. */
	q = json_is_object(quote) ? json_object_get(quote, "quoted_status")
	                          : NULL;
	if (!json_is_object(q) && json_is_object(quote) &&
	    json_object_get(quote, "content"))
		q = quote;
	if (json_is_object(q)) {
		const json_t *qa = json_object_get(q, "account");

		add_quote(ctx, b, e,
		          json_is_object(qa) ? str(qa, "acct") : NULL,
		          str(q, "content"), FEED_TEXT_HTML);
	}
	json_array_foreach(media, i, m)
	{
		const char *type = json_is_object(m) ? str(m, "type") : NULL;
		const char *mark = "[image]";

		if (type &&
		    (strcmp(type, "video") == 0 || strcmp(type, "gifv") == 0))
			mark = "[video]";
		else if (type && strcmp(type, "audio") == 0)
			mark = "[audio]";
		if (json_is_object(m))
			add_part(ctx, b, mark, str(m, "description"),
			         FEED_TEXT_PLAIN);
	}
}

static void mastodon_status(struct feed_ctx *ctx, const json_t *st)
{
	const json_t *orig = json_object_get(st, "reblog"), *acct;
	const char *id = str(st, "id"), *content;
	struct feed_entry *e;
	struct buf text = {0};

	if (!json_is_object(st) || !id) {
		feed_warn(ctx, "Mastodon status without an id; skipped");
		return;
	}
	e = feed_add_entry(ctx);
	if (!e)
		return;
	e->id = dup_str(ctx, id);
	feed_published(ctx, e, "created_at", str(st, "created_at"));
	if (json_is_object(orig)) {
		/* A reblog: its own event, the original's words and author. */
		e->is_repost = true;
	} else {
		orig = st;
	}
	e->updated = feed_date(ctx, "edited_at", str(orig, "edited_at"));
	e->link = dup_str(ctx, str(orig, "url"));
	if (!e->link)
		e->link = dup_str(ctx, str(orig, "uri"));
	content = str(orig, "content");
	if (content && *content)
		e->html = dup_str(ctx, content);
	add_part(ctx, &text, NULL, content, FEED_TEXT_HTML);
	mastodon_extras(ctx, orig, e, &text);
	e->text = take_text(ctx, &text);
	e->is_reply = json_is_string(json_object_get(orig, "in_reply_to_id"));
	/* The content warning is the nearest thing to a title. */
	e->title =
	    text_of(ctx, str(orig, "spoiler_text"), FEED_TEXT_PLAIN, true);
	acct = json_object_get(orig, "account");
	if (json_is_object(acct))
		e->author = dup_str(ctx, str(acct, "acct"));
	e->lang = dup_str(ctx, str(orig, "language"));
	/* A reblog's counters are the original's: kept with the original. */
	if (!e->is_repost)
		set_counts(e, count(st, "reblogs_count"),
		           count(st, "favourites_count"),
		           count(st, "replies_count"));
}

/* The status id of a .../statuses/ID/history URL, as a *new* string. */
static char *history_id(struct feed_ctx *ctx, const char *url)
{
	const char *p = url ? strstr(url, "/statuses/") : NULL, *end;

	if (!p)
		return NULL;
	p += 10;
	end = strchr(p, '/');
	if (!end || end == p || strncmp(end, "/history", 8) != 0)
		return NULL;
	p = xstrndup(p, (size_t)(end - p));
	if (!p)
		ctx->oom = true;
	return (char *)p;
}

/*
 * GET /api/v1/statuses/:id/history: every version of one status, oldest
 * first, without the status id (taken from the URL when the caller gave
 * it).  Each version is an entry under the same id, published when the
 * status was, updated when that version was written: the store sees the
 * later ones as edits of the first.
 */
static void mastodon_history(struct feed_ctx *ctx, const json_t *root)
{
	const json_t *v, *first = json_array_get(root, 0);
	int64_t published =
	    feed_date(ctx, "created_at", str(first, "created_at"));
	size_t i;

	json_array_foreach(root, i, v)
	{
		const json_t *acct = json_object_get(v, "account");
		struct feed_entry *e;
		struct buf text = {0};
		const char *content = str(v, "content");

		if (ctx->capped || ctx->oom || !json_is_object(v))
			break;
		e = feed_add_entry(ctx);
		if (!e)
			return;
		e->id = history_id(ctx, ctx->opts->base_url);
		e->published = published;
		if (i > 0)
			e->updated =
			    feed_date(ctx, "created_at", str(v, "created_at"));
		if (content && *content)
			e->html = dup_str(ctx, content);
		add_part(ctx, &text, NULL, content, FEED_TEXT_HTML);
		mastodon_extras(ctx, v, e, &text);
		e->text = take_text(ctx, &text);
		e->title =
		    text_of(ctx, str(v, "spoiler_text"), FEED_TEXT_PLAIN, true);
		if (json_is_object(acct))
			e->author = dup_str(ctx, str(acct, "acct"));
	}
}

static int parse_mastodon(struct feed_ctx *ctx, const json_t *root, char *err,
                          size_t errlen)
{
	const json_t *st;
	size_t i;

	ctx->doc->format = FEED_FORMAT_MASTODON;
	if (json_is_object(root)) {
		if (json_object_get(root, "content")) {
			/* One status (GET /api/v1/statuses/:id). */
			mastodon_account(ctx, json_object_get(root, "account"));
			mastodon_status(ctx, root);
			return 0;
		}
		if (str(root, "acct") || str(root, "username")) {
			mastodon_account(ctx, root);
			return 0;
		}
		snprintf(err, errlen, "not a Mastodon status list or account");
		return -EBADMSG;
	}
	if (!json_is_array(root)) {
		snprintf(err, errlen, "not a Mastodon status list");
		return -EBADMSG;
	}
	st = json_array_get(root, 0);
	if (json_is_object(st) && !json_object_get(st, "id") &&
	    json_object_get(st, "content") && str(st, "created_at")) {
		/* Versions, not statuses: an edit history. */
		mastodon_account(ctx, json_object_get(st, "account"));
		mastodon_history(ctx, root);
		return 0;
	}
	json_array_foreach(root, i, st)
	{
		if (ctx->capped || ctx->oom)
			break;
		if (i == 0 && json_is_object(st))
			mastodon_account(ctx, json_object_get(st, "account"));
		mastodon_status(ctx, st);
	}
	return 0;
}

/* ---- Bluesky ------------------------------------------------------ */

static void bluesky_profile(struct feed_ctx *ctx, const json_t *p)
{
	struct feed_account *acc = &ctx->doc->account;

	ctx->doc->has_account = true;
	acc->handle = dup_str(ctx, str(p, "handle"));
	acc->display_name =
	    text_of(ctx, str(p, "displayName"), FEED_TEXT_PLAIN, true);
	acc->followers = count(p, "followersCount");
	acc->following = count(p, "followsCount");
	acc->posts = count(p, "postsCount");
	acc->created = feed_date(ctx, "createdAt", str(p, "createdAt"));
	ctx->doc->title =
	    xstrdup(acc->display_name ? acc->display_name : acc->handle);
	if (acc->handle) {
		struct buf b = {0};

		if (buf_printf(&b, "https://bsky.app/profile/%s", acc->handle) <
		    0)
			ctx->oom = true;
		else
			ctx->doc->link = buf_steal(&b);
	}
}

/* https://bsky.app/profile/HANDLE/post/RKEY from an at:// post URI. */
static char *bluesky_web_link(struct feed_ctx *ctx, const char *uri,
                              const char *handle)
{
	const char *rkey;
	struct buf b = {0};

	if (!uri || strncmp(uri, "at://", 5) != 0 ||
	    !strstr(uri, "/app.bsky.feed.post/"))
		return NULL;
	rkey = strrchr(uri, '/') + 1;
	if (!*rkey)
		return NULL;
	if (!handle) {
		/* The DID in the URI names the author as well. */
		const char *end = strchr(uri + 5, '/');

		if (buf_append(&b, "https://bsky.app/profile/", 25) < 0 ||
		    buf_append(&b, uri + 5, (size_t)(end - uri - 5)) < 0 ||
		    buf_printf(&b, "/post/%s", rkey) < 0)
			goto out_oom;
	} else if (buf_printf(&b, "https://bsky.app/profile/%s/post/%s", handle,
	                      rkey) < 0) {
		goto out_oom;
	}
	return buf_steal(&b);
out_oom:
	buf_free(&b);
	ctx->oom = true;
	return NULL;
}

static bool type_is(const json_t *o, const char *type)
{
	const char *t = json_is_object(o) ? str(o, "$type") : NULL;

	return t && strcmp(t, type) == 0;
}

/* Alt texts of images (view or record form) and of a video. */
static void bluesky_media(struct feed_ctx *ctx, const json_t *m, struct buf *b)
{
	const json_t *img;
	size_t i;

	if (type_is(m, "app.bsky.embed.images#view") ||
	    type_is(m, "app.bsky.embed.images")) {
		json_array_foreach(json_object_get(m, "images"), i, img)
		{
			if (json_is_object(img))
				add_part(ctx, b, "[image]", str(img, "alt"),
				         FEED_TEXT_PLAIN);
		}
	} else if (type_is(m, "app.bsky.embed.video#view") ||
	           type_is(m, "app.bsky.embed.video")) {
		add_part(ctx, b, "[video]", str(m, "alt"), FEED_TEXT_PLAIN);
	} else if (type_is(m, "app.bsky.embed.external#view") ||
	           type_is(m, "app.bsky.embed.external")) {
		const json_t *x = json_object_get(m, "external");

		if (json_is_object(x))
			add_card(ctx, b, str(x, "title"),
			         str(x, "description"));
	}
}

/* A quoted post as the view gives it (app.bsky.embed.record#viewRecord);
 * removed or blocked posts (viewNotFound, viewBlocked) have no text. */
static void bluesky_quote(struct feed_ctx *ctx, const json_t *r,
                          struct feed_entry *e, struct buf *b)
{
	const json_t *author = json_object_get(r, "author"),
	             *value = json_object_get(r, "value");

	if (!type_is(r, "app.bsky.embed.record#viewRecord") ||
	    !json_is_object(value))
		return;
	add_quote(ctx, b, e,
	          json_is_object(author) ? str(author, "handle") : NULL,
	          str(value, "text"), FEED_TEXT_PLAIN);
}

/*
 * What a post embeds, after its text.  The hydrated view (post.embed)
 * has the quoted post's text; the record's own embed only a reference, so
 * it serves for media and link cards when there is no view.
 */
static void bluesky_embed(struct feed_ctx *ctx, const json_t *view,
                          const json_t *rec_embed, struct feed_entry *en,
                          struct buf *b)
{
	const json_t *e = json_is_object(view) ? view : rec_embed;

	if (!json_is_object(e))
		return;
	if (type_is(e, "app.bsky.embed.record#view")) {
		bluesky_quote(ctx, json_object_get(e, "record"), en, b);
	} else if (type_is(e, "app.bsky.embed.recordWithMedia#view")) {
		/* {record: {record: viewRecord}, media: ...} */
		bluesky_quote(
		    ctx,
		    json_object_get(json_object_get(e, "record"), "record"), en,
		    b);
		bluesky_media(ctx, json_object_get(e, "media"), b);
	} else if (type_is(e, "app.bsky.embed.recordWithMedia")) {
		bluesky_media(ctx, json_object_get(e, "media"), b);
	} else {
		bluesky_media(ctx, e, b);
	}
}

static void bluesky_item(struct feed_ctx *ctx, const json_t *item)
{
	const json_t *post = json_object_get(item, "post"), *rec, *author,
	             *reason, *langs;
	const char *uri, *handle = NULL, *rtype;
	struct feed_entry *e;

	if (!json_is_object(post) || !(uri = str(post, "uri"))) {
		feed_warn(ctx, "Bluesky feed item without a post URI; skipped");
		return;
	}
	e = feed_add_entry(ctx);
	if (!e)
		return;
	rec = json_object_get(post, "record");
	author = json_object_get(post, "author");
	if (json_is_object(author))
		handle = str(author, "handle");
	reason = json_object_get(item, "reason");
	rtype = json_is_object(reason) ? str(reason, "$type") : NULL;
	if (rtype && strcmp(rtype, "app.bsky.feed.defs#reasonRepost") == 0) {
		/* A repost: its own event, keyed by who reposted and when. */
		const json_t *by = json_object_get(reason, "by");
		const char *did = json_is_object(by) ? str(by, "did") : NULL;
		struct buf b = {0};

		e->is_repost = true;
		if (buf_printf(&b, "%s#repost:%s", uri, did ? did : "") < 0)
			ctx->oom = true;
		else
			e->id = buf_steal(&b);
		feed_published(ctx, e, "indexedAt", str(reason, "indexedAt"));
	} else {
		e->id = dup_str(ctx, uri);
	}
	if (json_is_object(rec)) {
		struct buf text = {0};

		add_part(ctx, &text, NULL, str(rec, "text"), FEED_TEXT_PLAIN);
		bluesky_embed(ctx, json_object_get(post, "embed"),
		              json_object_get(rec, "embed"), e, &text);
		e->text = take_text(ctx, &text);
		e->is_reply = json_is_object(json_object_get(rec, "reply"));
		if (e->published == TIME_UNKNOWN)
			feed_published(ctx, e, "createdAt",
			               str(rec, "createdAt"));
		langs = json_object_get(rec, "langs");
		if (json_is_array(langs) &&
		    json_is_string(json_array_get(langs, 0)))
			e->lang = dup_str(
			    ctx, json_string_value(json_array_get(langs, 0)));
	}
	if (e->published == TIME_UNKNOWN)
		feed_published(ctx, e, "indexedAt", str(post, "indexedAt"));
	e->author = dup_str(ctx, handle);
	e->link = bluesky_web_link(ctx, uri, handle);
	if (!e->is_repost)
		set_counts(e, count(post, "repostCount"),
		           count(post, "likeCount"), count(post, "replyCount"));
}

static int parse_bluesky(struct feed_ctx *ctx, const json_t *root, char *err,
                         size_t errlen)
{
	const json_t *feed, *item;
	size_t i;

	ctx->doc->format = FEED_FORMAT_BLUESKY;
	if (!json_is_object(root)) {
		snprintf(err, errlen,
		         "not a Bluesky response: top level is not an object");
		return -EBADMSG;
	}
	if (str(root, "did") && str(root, "handle")) {
		bluesky_profile(ctx, root);
		return 0;
	}
	feed = json_object_get(root, "feed");
	if (!json_is_array(feed)) {
		snprintf(err, errlen, "not a Bluesky author feed or profile");
		return -EBADMSG;
	}
	json_array_foreach(feed, i, item)
	{
		if (ctx->capped || ctx->oom)
			break;
		if (!json_is_object(item)) {
			feed_warn(
			    ctx, "Bluesky feed item is not an object; skipped");
			continue;
		}
		bluesky_item(ctx, item);
	}
	return 0;
}

/* ---- dispatch ----------------------------------------------------- */

static enum feed_format detect(const json_t *root)
{
	const char *v;

	if (json_is_array(root)) {
		const json_t *first = json_array_get(root, 0);

		if (!first || (json_is_object(first) &&
		               json_object_get(first, "account")))
			return FEED_FORMAT_MASTODON;
		return FEED_FORMAT_AUTO;
	}
	if (!json_is_object(root))
		return FEED_FORMAT_AUTO;
	v = str(root, "version");
	if ((v && strstr(v, "jsonfeed.org/version/")) ||
	    json_is_array(json_object_get(root, "items")))
		return FEED_FORMAT_JSONFEED;
	if (json_is_array(json_object_get(root, "feed")) ||
	    (str(root, "did") && str(root, "handle")))
		return FEED_FORMAT_BLUESKY;
	if ((json_object_get(root, "content") &&
	     json_object_get(root, "account")) ||
	    (str(root, "acct") && str(root, "username")))
		return FEED_FORMAT_MASTODON;
	return FEED_FORMAT_AUTO;
}

int feed_parse_json(struct feed_ctx *ctx, const char *data, size_t len,
                    char *err, size_t errlen)
{
	struct encoding_result enc;
	struct buf utf8 = {0};
	json_error_t jerr;
	json_t *root;
	enum feed_format f;
	int r;

	if (encoding_json_to_utf8(data, len, &utf8, &enc) < 0) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if (enc.replaced) {
		feed_warn(ctx, "bytes invalid in %s replaced with U+FFFD",
		          enc.charset);
		feed_fault(ctx, "bytes invalid in %s replaced with U+FFFD",
		           enc.charset);
		ctx->replaced = true;
	}
	/* JSON_REJECT_DUPLICATES is not used: real APIs never send them and
	 * the last value winning is harmless.  Nesting depth is capped by
	 * jansson (JSON_PARSER_MAX_DEPTH). */
	root = json_loadb(utf8.data ? utf8.data : "", utf8.len, JSON_ALLOW_NUL,
	                  &jerr);
	buf_free(&utf8);
	if (!root) {
		snprintf(err, errlen, "not JSON: line %d: %s", jerr.line,
		         jerr.text);
		return -EBADMSG;
	}
	f = ctx->opts->format;
	if (f == FEED_FORMAT_AUTO)
		f = detect(root);
	switch (f) {
	case FEED_FORMAT_JSONFEED:
		r = parse_jsonfeed(ctx, root, err, errlen);
		break;
	case FEED_FORMAT_MASTODON:
		r = parse_mastodon(ctx, root, err, errlen);
		break;
	case FEED_FORMAT_BLUESKY:
		r = parse_bluesky(ctx, root, err, errlen);
		break;
	default:
		snprintf(err, errlen, "JSON, but not a known feed shape%s",
		         f == FEED_FORMAT_AUTO ? "" : " for the format asked");
		r = -EBADMSG;
		break;
	}
	json_decref(root);
	return r;
}
