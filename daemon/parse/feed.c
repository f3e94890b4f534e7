/*
 * feed.c — the entry point of feed parsing: detects the format from the
 * content, hands the bytes to the XML or JSON parser, then finishes every
 * entry the same way whatever its format (stable id, never-NULL text,
 * future-date flag).  Also the helpers the parsers share (feed_int.h).
 */
#include "feed.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/uri.h>

#include "date.h"
#include "feed_int.h"
#include "html_text.h"
#include "sha256.h"
#include "util.h"

static const char *const format_names[] = {
    [FEED_FORMAT_AUTO] = "auto",         [FEED_FORMAT_RSS] = "rss",
    [FEED_FORMAT_ATOM] = "atom",         [FEED_FORMAT_JSONFEED] = "jsonfeed",
    [FEED_FORMAT_MASTODON] = "mastodon", [FEED_FORMAT_BLUESKY] = "bluesky",
    [FEED_FORMAT_TELEGRAM] = "telegram", [FEED_FORMAT_HTML] = "html",
};

const char *feed_format_name(enum feed_format f)
{
	if ((size_t)f >= ARRAY_SIZE(format_names))
		return "unknown";
	return format_names[f];
}

int feed_format_from_name(const char *name, enum feed_format *out)
{
	size_t i;

	for (i = 0; name && i < ARRAY_SIZE(format_names); i++) {
		if (strcmp(name, format_names[i]) == 0) {
			*out = (enum feed_format)i;
			return 0;
		}
	}
	return -EINVAL;
}

void feed_warn(struct feed_ctx *ctx, const char *fmt, ...)
{
	struct feed_doc *doc = ctx->doc;
	struct buf b = {0};
	char **w;
	va_list ap;
	int r;

	if (doc->n_warnings >= FEED_MAX_WARNINGS) {
		ctx->dropped_warnings++;
		return;
	}
	va_start(ap, fmt);
	r = buf_vprintf(&b, fmt, ap);
	va_end(ap);
	if (r < 0)
		goto out_oom;
	w = realloc(doc->warnings, (doc->n_warnings + 1) * sizeof(*w));
	if (!w)
		goto out_oom;
	doc->warnings = w;
	w[doc->n_warnings++] = buf_steal(&b);
	return;
out_oom:
	buf_free(&b);
	ctx->oom = true;
}

void feed_fault(struct feed_ctx *ctx, const char *fmt, ...)
{
	struct buf b = {0};
	va_list ap;
	int r;

	if (ctx->doc->fault)
		return;
	va_start(ap, fmt);
	r = buf_vprintf(&b, fmt, ap);
	va_end(ap);
	if (r < 0) {
		buf_free(&b);
		ctx->oom = true;
		return;
	}
	ctx->doc->fault = buf_steal(&b);
}

/* An entry whose text holds U+FFFD in a document where decoding replaced
 * bytes is not whole (the bytes were the words). */
static void mark_replaced(struct feed_entry *e)
{
	static const char fffd[] = "\xef\xbf\xbd";

	if ((e->text && strstr(e->text, fffd)) ||
	    (e->title && strstr(e->title, fffd)))
		e->partial = true;
}

struct feed_entry *feed_add_entry(struct feed_ctx *ctx)
{
	struct feed_doc *doc = ctx->doc;
	struct feed_entry *e;
	size_t max = ctx->opts->max_entries;

	if (max && doc->n_entries >= max) {
		if (!ctx->capped)
			feed_warn(ctx,
			          "more than %zu entries; the rest ignored",
			          max);
		ctx->capped = true;
		return NULL;
	}
	e = realloc(doc->entries, (doc->n_entries + 1) * sizeof(*e));
	if (!e) {
		ctx->oom = true;
		return NULL;
	}
	doc->entries = e;
	e = &doc->entries[doc->n_entries++];
	memset(e, 0, sizeof(*e));
	e->published = TIME_UNKNOWN;
	e->published_us = -1;
	e->updated = TIME_UNKNOWN;
	return e;
}

char *feed_text(struct feed_ctx *ctx, const char *s, size_t len,
                enum feed_text_kind kind, bool oneline)
{
	unsigned flags = oneline ? HTML_TEXT_ONELINE : 0;
	char *out = NULL;
	int r;

	if (!s)
		s = "", len = 0;
	if (kind == FEED_TEXT_GUESS) {
		/* Only a scan of a NUL-terminated copy can tell. */
		char *copy = strndup(s, len);

		if (!copy) {
			ctx->oom = true;
			return NULL;
		}
		kind = html_looks_like_markup(copy) ? FEED_TEXT_HTML
		                                    : FEED_TEXT_PLAIN;
		free(copy);
	}
	if (kind == FEED_TEXT_HTML)
		r = html_to_text(s, len, flags, &out);
	else
		r = html_plain_text(s, len, flags, &out);
	if (r < 0) {
		ctx->oom = true;
		return NULL;
	}
	return out;
}

char *feed_resolve(struct feed_ctx *ctx, const char *base, const char *ref)
{
	char *trimmed, *out;
	xmlChar *uri;
	size_t n;

	if (!ref)
		return NULL;
	while (isspace((unsigned char)*ref))
		ref++;
	n = strlen(ref);
	while (n && isspace((unsigned char)ref[n - 1]))
		n--;
	if (n == 0)
		return NULL;
	trimmed = strndup(ref, n);
	if (!trimmed) {
		ctx->oom = true;
		return NULL;
	}
	if (!base || !*base)
		return trimmed;
	uri = xmlBuildURI((const xmlChar *)trimmed, (const xmlChar *)base);
	if (!uri)
		return trimmed; /* not a URI libxml2 can read: keep as given */
	out = strdup((const char *)uri);
	xmlFree(uri);
	free(trimmed);
	if (!out)
		ctx->oom = true;
	return out;
}

int64_t feed_date(struct feed_ctx *ctx, const char *field, const char *s)
{
	int64_t t;

	if (!s)
		return TIME_UNKNOWN;
	t = date_parse(s);
	if (t == TIME_UNKNOWN) {
		const char *p = s;

		while (isspace((unsigned char)*p))
			p++;
		if (*p)
			feed_warn(ctx, "unreadable date in %s: \"%.40s\"",
			          field, p);
	}
	return t;
}

void feed_published(struct feed_ctx *ctx, struct feed_entry *e,
                    const char *field, const char *s)
{
	int32_t us;

	e->published = feed_date(ctx, field, s);
	/* ".000" is whole seconds. */
	us = e->published == TIME_UNKNOWN ? -1 : date_fraction_us(s);
	e->published_us = us > 0 ? us : -1;
}

/* Entry finishing common to all formats. */
static int finish_entry(struct feed_ctx *ctx, struct feed_entry *e)
{
	const struct feed_parse_opts *o = ctx->opts;

	if (!e->text) {
		e->text = strdup("");
		if (!e->text)
			return -ENOMEM;
	}
	if (!e->id && e->link) {
		e->id = strdup(e->link);
		if (!e->id)
			return -ENOMEM;
	}
	if (!e->id) {
		struct buf b = {0};
		char hex[SHA256_HEX_LEN];

		if (buf_printf(&b, "%s\n%s", e->title ? e->title : "",
		               e->text) < 0)
			return -ENOMEM;
		sha256_hex(b.data, b.len, hex);
		buf_reset(&b);
		if (buf_printf(&b, "sha256:%s", hex) < 0) {
			buf_free(&b);
			return -ENOMEM;
		}
		e->id = buf_steal(&b);
	}
	if (o->now && e->published != TIME_UNKNOWN &&
	    e->published > o->now + 86400) {
		e->future_dated = true;
		feed_warn(ctx, "entry %.80s is dated in the future", e->id);
	}
	return 0;
}

/* The first byte that is not a BOM or whitespace. */
static int first_significant(const char *data, size_t len)
{
	size_t i = 0;

	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	for (; i < len; i++)
		if (!isspace((unsigned char)data[i]))
			return (unsigned char)data[i];
	return -1;
}

static bool is_json_format(enum feed_format f)
{
	return f == FEED_FORMAT_JSONFEED || f == FEED_FORMAT_MASTODON ||
	       f == FEED_FORMAT_BLUESKY;
}

static void free_entry(struct feed_entry *e)
{
	free(e->id);
	free(e->link);
	free(e->title);
	free(e->text);
	free(e->html);
	free(e->author);
	free(e->lang);
	free(e->forward_of);
}

/* Drops entries with nothing in them (no id, link, title, text, markup,
 * author or date) from a damaged document: debris of recovery, not
 * posts.  In a well-formed feed even such an entry is kept. */
static void prune_empty(struct feed_ctx *ctx)
{
	struct feed_doc *doc = ctx->doc;
	size_t i, o = 0, dropped = 0;

	for (i = 0; i < doc->n_entries; i++) {
		struct feed_entry *e = &doc->entries[i];

		if (!e->id && !e->link && !e->title && !e->author && !e->html &&
		    (!e->text || !*e->text) && e->published == TIME_UNKNOWN &&
		    e->updated == TIME_UNKNOWN) {
			free_entry(e);
			dropped++;
			continue;
		}
		doc->entries[o++] = *e;
	}
	doc->n_entries = o;
	if (dropped)
		feed_warn(ctx, "%zu empty entries skipped", dropped);
}

void feed_doc_free(struct feed_doc *doc)
{
	size_t i;

	if (!doc)
		return;
	for (i = 0; i < doc->n_entries; i++)
		free_entry(&doc->entries[i]);
	free(doc->entries);
	for (i = 0; i < doc->n_warnings; i++)
		free(doc->warnings[i]);
	free(doc->warnings);
	free(doc->fault);
	free(doc->title);
	free(doc->link);
	free(doc->lang);
	free(doc->account.handle);
	free(doc->account.display_name);
	free(doc);
}

struct feed_doc *feed_doc_new(enum feed_format f)
{
	struct feed_doc *doc = calloc(1, sizeof(*doc));

	if (!doc)
		return NULL;
	doc->format = f;
	doc->account.followers = doc->account.following = -1;
	doc->account.posts = -1;
	doc->account.created = TIME_UNKNOWN;
	return doc;
}

int feed_parse(const char *data, size_t len, const struct feed_parse_opts *opts,
               struct feed_doc **out, char *err, size_t errlen)
{
	static const struct feed_parse_opts defaults = {0};
	struct feed_ctx ctx = {0};
	struct feed_doc *doc;
	enum feed_format want;
	size_t i;
	int r, c;
	bool damaged;

	*out = NULL;
	if (!opts)
		opts = &defaults;
	if (!data)
		data = "", len = 0;
	doc = calloc(1, sizeof(*doc));
	if (!doc) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	doc->account.followers = doc->account.following = -1;
	doc->account.posts = -1;
	doc->account.created = TIME_UNKNOWN;
	ctx.doc = doc;
	ctx.opts = opts;
	want = opts->format;
	c = first_significant(data, len);
	if (c < 0) {
		snprintf(err, errlen, "empty document");
		r = -EBADMSG;
		goto out_free_doc;
	}
	if (want == FEED_FORMAT_TELEGRAM)
		r = feed_parse_telegram(&ctx, data, len, err, errlen);
	else if (want == FEED_FORMAT_HTML)
		r = feed_parse_html(&ctx, data, len, err, errlen);
	else if (is_json_format(want) ||
	         (want == FEED_FORMAT_AUTO && (c == '{' || c == '[')))
		r = feed_parse_json(&ctx, data, len, err, errlen);
	else
		r = feed_parse_xml(&ctx, data, len, err, errlen);
	if (r < 0)
		goto out_free_doc;
	/* A well-formed feed may be empty (an account that has not posted
	 * yet); a damaged one that yields nothing is unusable. */
	damaged = doc->n_warnings > 0;
	if (damaged)
		prune_empty(&ctx);
	if (!ctx.oom && doc->n_entries == 0 && !doc->title && !doc->link &&
	    !doc->has_account && damaged) {
		snprintf(err, errlen, "nothing usable: %s", doc->warnings[0]);
		r = -EBADMSG;
		goto out_free_doc;
	}
	for (i = 0; i < doc->n_entries; i++) {
		if (finish_entry(&ctx, &doc->entries[i]) < 0) {
			ctx.oom = true;
			break;
		}
		if (ctx.replaced)
			mark_replaced(&doc->entries[i]);
	}
	if (ctx.dropped_warnings) {
		size_t n = ctx.dropped_warnings;

		/* The cap only counts; this last one always fits. */
		doc->n_warnings--;
		free(doc->warnings[doc->n_warnings]);
		ctx.dropped_warnings = 0;
		feed_warn(&ctx, "%zu more warnings not shown", n + 1);
	}
	if (ctx.oom) {
		snprintf(err, errlen, "out of memory");
		r = -ENOMEM;
		goto out_free_doc;
	}
	*out = doc;
	return 0;
out_free_doc:
	feed_doc_free(doc);
	return r;
}
