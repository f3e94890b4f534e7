/*
 * parse_telegram.c — a Telegram channel's public preview page
 * (https://t.me/s/NAME) to entries.  The page is HTML, read with libxml2's
 * forgiving HTML parser and walked once:
 *   .tgme_channel_info_header_title        the channel's title
 *   .tgme_channel_info_counter             "1.23M subscribers" -> followers
 *   .tgme_widget_message[data-post=N/ID]   one post, keyed "N/ID"
 *     .tgme_widget_message_text            its text (<br> kept as lines,
 *                                          emoji and images by their alt)
 *     .tgme_widget_message_date time       when (datetime attribute)
 *     .tgme_widget_message_forwarded_from  a repost; its link names the
 *                                          source channel (the author)
 *     .tgme_widget_message_reply           an answer to an earlier post
 *     .tgme_widget_message_meta "edited"   the post was edited
 *     .tgme_widget_message_views           "12.3K" views
 *   .tme_messages_more[data-before=ID]     older messages exist (paging)
 * Service messages (channel created, photo changed, pinned) are skipped.
 * The layout is Telegram's as of 2026; what is not found is simply absent.
 * Pure: bytes in, entries out.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include "date.h"
#include "feed_int.h"
#include "util.h"

/* Whether node's class attribute holds the token name. */
static bool tg_has_class(const xmlNode *node, const char *name)
{
	const xmlAttr *a;
	size_t n = strlen(name);

	if (node->type != XML_ELEMENT_NODE)
		return false;
	for (a = node->properties; a; a = a->next) {
		const char *v, *p;

		if (strcmp((const char *)a->name, "class") != 0 ||
		    !a->children || !a->children->content)
			continue;
		v = (const char *)a->children->content;
		for (p = strstr(v, name); p; p = strstr(p + 1, name))
			if ((p == v || isspace((unsigned char)p[-1])) &&
			    (p[n] == '\0' || isspace((unsigned char)p[n])))
				return true;
	}
	return false;
}

/* The value of attribute name (borrowed), or NULL. */
static const char *tg_attr(const xmlNode *node, const char *name)
{
	const xmlAttr *a;

	for (a = node->properties; a; a = a->next)
		if (strcmp((const char *)a->name, name) == 0 && a->children &&
		    a->children->content)
			return (const char *)a->children->content;
	return NULL;
}

/* The first element under root (root included) with class name, in
 * document order, not descending into elements with class skip. */
static xmlNode *tg_find(xmlNode *root, const char *name, const char *skip)
{
	xmlNode *c, *hit;

	if (root->type != XML_ELEMENT_NODE)
		return NULL;
	if (tg_has_class(root, name))
		return root;
	if (skip && tg_has_class(root, skip))
		return NULL;
	for (c = root->children; c; c = c->next)
		if ((hit = tg_find(c, name, skip)))
			return hit;
	return NULL;
}

/* The first element named tag under root (root included). */
static xmlNode *tg_find_tag(xmlNode *root, const char *tag)
{
	xmlNode *c, *hit;

	if (root->type != XML_ELEMENT_NODE)
		return NULL;
	if (strcmp((const char *)root->name, tag) == 0)
		return root;
	for (c = root->children; c; c = c->next)
		if ((hit = tg_find_tag(c, tag)))
			return hit;
	return NULL;
}

/* Appends the text of node: text as written (whitespace runs folded by
 * the caller's cleaning), <br> as a line break, images by their alt. */
static int tg_put_text(struct buf *b, const xmlNode *node, int depth)
{
	const xmlNode *c;
	int r = 0;

	if (depth > 64)
		return 0;
	for (c = node->children; c && r == 0; c = c->next) {
		if (c->type == XML_TEXT_NODE && c->content) {
			const char *t = (const char *)c->content;

			/* Source line breaks are layout: only <br> breaks. */
			for (; *t && r == 0; t++)
				r = buf_putc(b, *t == '\n' || *t == '\r' ||
				                        *t == '\t'
				                    ? ' '
				                    : *t);
		} else if (c->type == XML_ELEMENT_NODE) {
			const char *tag = (const char *)c->name;

			if (strcmp(tag, "br") == 0)
				r = buf_putc(b, '\n');
			else if (strcmp(tag, "img") == 0 && tg_attr(c, "alt"))
				r = buf_puts(b, tg_attr(c, "alt"));
			else if (strcmp(tag, "script") != 0 &&
			         strcmp(tag, "style") != 0)
				r = tg_put_text(b, c, depth + 1);
		}
	}
	return r;
}

/* The clean text of node as a *new* string (NULL: out of memory). */
static char *tg_text(struct feed_ctx *ctx, const xmlNode *node, bool oneline)
{
	struct buf b = {0};
	char *out;

	if (tg_put_text(&b, node, 0) < 0) {
		buf_free(&b);
		ctx->oom = true;
		return NULL;
	}
	out = feed_text(ctx, b.data ? b.data : "", b.len, FEED_TEXT_PLAIN,
	                oneline);
	buf_free(&b);
	return out;
}

/* "987", "12.3K", "1.23M", "1,234" -> a count, or -1. */
static int64_t tg_count(const char *s)
{
	double v = 0, scale = 1, frac = 0.1;
	bool digits = false, dot = false;

	while (isspace((unsigned char)*s))
		s++;
	for (; *s; s++) {
		if (isdigit((unsigned char)*s)) {
			digits = true;
			if (dot) {
				v += (*s - '0') * frac;
				frac /= 10;
			} else {
				v = v * 10 + (*s - '0');
			}
		} else if (*s == '.' && !dot) {
			dot = true;
		} else if (*s == ',' || *s == ' ') {
			continue;
		} else {
			break;
		}
	}
	if (*s == 'K' || *s == 'k')
		scale = 1e3;
	else if (*s == 'M' || *s == 'm')
		scale = 1e6;
	else if (*s == 'B' || *s == 'b')
		scale = 1e9;
	if (!digits || v * scale > 1e15)
		return -1;
	return (int64_t)llround(v * scale);
}

/* The channel header: title and subscribers. */
static void tg_header(struct feed_ctx *ctx, xmlNode *root)
{
	struct feed_doc *doc = ctx->doc;
	xmlNode *n, *c;

	n = tg_find(root, "tgme_channel_info_header_title", NULL);
	if (n && !doc->title) {
		doc->title = tg_text(ctx, n, true);
		if (doc->title && !*doc->title) {
			free(doc->title);
			doc->title = NULL;
		}
	}
	n = tg_find(root, "tgme_channel_info_counters", NULL);
	for (c = n ? n->children : NULL; c; c = c->next) {
		xmlNode *val, *type;
		char *t;

		if (!tg_has_class(c, "tgme_channel_info_counter"))
			continue;
		val = tg_find(c, "counter_value", NULL);
		type = tg_find(c, "counter_type", NULL);
		if (!val || !type)
			continue;
		t = tg_text(ctx, type, true);
		if (t && (strcmp(t, "subscribers") == 0 ||
		          strcmp(t, "subscriber") == 0)) {
			char *v = tg_text(ctx, val, true);

			doc->account.followers = v ? tg_count(v) : -1;
			free(v);
		}
		free(t);
	}
	if (doc->title || doc->account.followers >= 0) {
		doc->has_account = true;
		doc->account.display_name = xstrdup(doc->title);
	}
}

/* The source channel of a forward: the handle in its link
 * (https://t.me/other/55 -> "other"), else the name shown. */
static char *tg_forward_source(struct feed_ctx *ctx, xmlNode *fwd)
{
	xmlNode *a = tg_find_tag(fwd, "a");
	const char *href = a ? tg_attr(a, "href") : NULL;
	const char *p;
	size_t n;

	if (href && (p = strstr(href, "t.me/"))) {
		p += 5;
		if (strncmp(p, "s/", 2) == 0)
			p += 2;
		n = strcspn(p, "/?#");
		if (n > 0 && n < 64) {
			char *h = strndup(p, n);

			if (!h)
				ctx->oom = true;
			return h;
		}
	}
	return tg_text(ctx, a ? a : fwd, true);
}

/* The forwarded message of a forward, "CHANNEL/ID" from its link
 * (https://t.me/other/55), or NULL when the link names no message. */
static char *tg_forward_post(struct feed_ctx *ctx, xmlNode *fwd)
{
	xmlNode *a = tg_find_tag(fwd, "a");
	const char *href = a ? tg_attr(a, "href") : NULL;
	const char *p, *slash;
	size_t n, d;
	char *key;

	if (!href || !(p = strstr(href, "t.me/")))
		return NULL;
	p += 5;
	if (strncmp(p, "s/", 2) == 0)
		p += 2;
	n = strcspn(p, "/?#");
	slash = p + n;
	if (n == 0 || n >= 64 || *slash != '/')
		return NULL;
	d = strspn(slash + 1, "0123456789");
	if (d == 0 || d > 18)
		return NULL;
	key = strndup(p, n + 1 + d);
	if (!key)
		ctx->oom = true;
	return key;
}

/* The parts of one message, found in a single walk of its subtree. */
enum tg_part {
	TG_TEXT,      /* .tgme_widget_message_text, outside the reply */
	TG_DATE,      /* .tgme_widget_message_date */
	TG_FORWARD,   /* .tgme_widget_message_forwarded_from */
	TG_REPLY,     /* .tgme_widget_message_reply */
	TG_META,      /* .tgme_widget_message_meta ("edited") */
	TG_VIEWS,     /* .tgme_widget_message_views */
	TG_SERVICE,   /* .service_message, .tgme_widget_message_service */
	TG_DOC_TITLE, /* captions standing in for text, by preference */
	TG_POLL,
	TG_LINK_TITLE,
	TG_N_PARTS
};

static const char *const tg_part_class[TG_N_PARTS] = {
    "tgme_widget_message_text",           "tgme_widget_message_date",
    "tgme_widget_message_forwarded_from", "tgme_widget_message_reply",
    "tgme_widget_message_meta",           "tgme_widget_message_views",
    "tgme_widget_message_service",        "tgme_widget_message_document_title",
    "tgme_widget_message_poll_question",  "link_preview_title",
};

/* Whether the class list v holds the token name (n bytes). */
static bool tg_token(const char *v, const char *name, size_t n)
{
	const char *p;

	for (p = strstr(v, name); p; p = strstr(p + 1, name))
		if ((p == v || isspace((unsigned char)p[-1])) &&
		    (p[n] == '\0' || isspace((unsigned char)p[n])))
			return true;
	return false;
}

/* Records the first element of each part under node (node excluded);
 * nothing inside a reply counts as the message's own text. */
static void tg_parts(xmlNode *node, xmlNode **parts, bool in_reply, int depth)
{
	xmlNode *c;

	if (depth > 64)
		return;
	for (c = node->children; c; c = c->next) {
		const char *v;
		bool reply = in_reply;
		int k;

		if (c->type != XML_ELEMENT_NODE)
			continue;
		v = tg_attr(c, "class");
		if (v && (strstr(v, "tgme_") || strstr(v, "service_message") ||
		          strstr(v, "link_preview"))) {
			for (k = 0; k < TG_N_PARTS; k++) {
				if (parts[k] || (k == TG_TEXT && in_reply) ||
				    !tg_token(v, tg_part_class[k],
				              strlen(tg_part_class[k])))
					continue;
				parts[k] = c;
			}
			if (tg_token(v, "service_message", 15))
				parts[TG_SERVICE] = c;
			if (parts[TG_REPLY] == c)
				reply = true;
		}
		tg_parts(c, parts, reply, depth + 1);
	}
}

/* Whether the message's meta line says "edited". */
static bool tg_edited(xmlNode *meta)
{
	struct buf b = {0};
	bool edited;

	if (!meta || tg_put_text(&b, meta, 0) < 0 || !b.data) {
		buf_free(&b);
		return false;
	}
	edited = strstr(b.data, "edited") != NULL;
	buf_free(&b);
	return edited;
}

/* The link of a message: https://t.me/NAME/ID. */
static char *tg_link(const char *post, size_t name_len, long long id)
{
	struct buf b = {0};

	if (buf_printf(&b, "https://t.me/%.*s/%lld", (int)name_len, post, id) <
	    0) {
		buf_free(&b);
		return NULL;
	}
	return buf_steal(&b);
}

/* One .tgme_widget_message with data-post "NAME/ID". */
static void tg_message(struct feed_ctx *ctx, xmlNode *msg, const char *post)
{
	const char *slash = strchr(post, '/');
	xmlNode *parts[TG_N_PARTS] = {0}, *n;
	struct feed_entry *e;
	char *id_end;
	long long id;
	int k;

	if (tg_has_class(msg, "service_message"))
		return;
	tg_parts(msg, parts, false, 0);
	if (parts[TG_SERVICE] || !slash || slash == post)
		return;
	id = strtoll(slash + 1, &id_end, 10);
	if (id <= 0 || *id_end) {
		feed_warn(ctx, "message with a malformed data-post \"%.60s\"",
		          post);
		return;
	}
	e = feed_add_entry(ctx);
	if (!e)
		return;
	e->id = xstrdup(post);
	e->link = tg_link(post, (size_t)(slash - post), id);
	/* Without text of its own, a document's, poll's or link preview's
	 * title stands in. */
	for (k = TG_DOC_TITLE; !parts[TG_TEXT] && k < TG_N_PARTS; k++)
		parts[TG_TEXT] = parts[k];
	if (parts[TG_TEXT])
		e->text = tg_text(ctx, parts[TG_TEXT], false);
	n = parts[TG_DATE] ? tg_find_tag(parts[TG_DATE], "time") : NULL;
	if (n)
		feed_published(ctx, e, "time", tg_attr(n, "datetime"));
	if (parts[TG_FORWARD]) {
		e->is_repost = true;
		e->author = tg_forward_source(ctx, parts[TG_FORWARD]);
		e->forward_of = tg_forward_post(ctx, parts[TG_FORWARD]);
	}
	e->is_reply = parts[TG_REPLY] != NULL;
	e->edited = tg_edited(parts[TG_META]);
	if (parts[TG_VIEWS]) {
		char *v = tg_text(ctx, parts[TG_VIEWS], true);

		e->views = v ? tg_count(v) : -1;
		if (e->views < 0)
			e->views = 0;
		free(v);
	}
	if (!e->id || !e->link)
		ctx->oom = true;
}

/* Walks the tree for messages and the load-more marker. */
static void tg_walk(struct feed_ctx *ctx, xmlNode *node, int depth)
{
	xmlNode *c;

	for (c = node; c && !ctx->oom && !ctx->capped; c = c->next) {
		const char *v;

		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (tg_has_class(c, "tgme_widget_message") &&
		    (v = tg_attr(c, "data-post"))) {
			tg_message(ctx, c, v);
			continue;
		}
		if (tg_has_class(c, "tme_messages_more") &&
		    (v = tg_attr(c, "data-before"))) {
			long long before = strtoll(v, NULL, 10);

			if (before > 0 && (ctx->doc->page_before == 0 ||
			                   before < ctx->doc->page_before))
				ctx->doc->page_before = before;
		}
		if (depth < 256)
			tg_walk(ctx, c->children, depth + 1);
	}
}

int feed_parse_telegram(struct feed_ctx *ctx, const char *data, size_t len,
                        char *err, size_t errlen)
{
	htmlDocPtr hdoc;
	xmlNode *root;

	if (len > INT32_MAX) {
		snprintf(err, errlen, "page too large");
		return -EBADMSG;
	}
	ctx->doc->format = FEED_FORMAT_TELEGRAM;
	hdoc = htmlReadMemory(data, (int)len, NULL, "UTF-8",
	                      HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
	                          HTML_PARSE_NONET | HTML_PARSE_RECOVER |
	                          HTML_PARSE_NOBLANKS | HTML_PARSE_COMPACT);
	root = hdoc ? xmlDocGetRootElement(hdoc) : NULL;
	if (!root) {
		if (hdoc)
			xmlFreeDoc(hdoc);
		snprintf(err, errlen, "not an HTML page");
		return -EBADMSG;
	}
	tg_header(ctx, root);
	tg_walk(ctx, root, 0);
	xmlFreeDoc(hdoc);
	if (ctx->doc->n_entries == 0 && !ctx->oom)
		feed_warn(ctx, "no public preview: the page shows no messages");
	return 0;
}
