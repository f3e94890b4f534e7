/*
 * parse_html.c — ministry and embassy websites without a feed, read with
 * the XPaths of the account (config: html_links, html_title, html_date,
 * html_text, html_split).  Two steps, both pure:
 *   feed_html_links()  an index page -> the absolute URLs of its articles;
 *   feed_parse() with FEED_FORMAT_HTML  an article page -> one entry keyed
 *                      by its URL, or with html_split one entry per node
 *                      (a question or an answer of a press-conference
 *                      transcript) keyed "URL#N", so each is classified on
 *                      its own.
 * Pages are read with libxml2's forgiving HTML parser.  An XPath that
 * finds nothing is a warning for that page, never an empty post.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>

#include "date.h"
#include "feed_int.h"
#include "util.h"

#define HTML_MAX_LINKS 500 /* per index page */
#define HTML_MAX_DEPTH 128 /* of the text walk */

static htmlDocPtr html_read(const char *data, size_t len)
{
	if (len > INT32_MAX)
		return NULL;
	return htmlReadMemory(data, (int)len, NULL, "UTF-8",
	                      HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
	                          HTML_PARSE_NONET | HTML_PARSE_RECOVER);
}

/* The nodes xpath selects (a *new* object, NULL when none or invalid). */
static xmlXPathObjectPtr html_eval(xmlXPathContextPtr xc, const char *xpath,
                                   xmlNodePtr at)
{
	xmlXPathObjectPtr o;

	if (!xpath || !*xpath)
		return NULL;
	xc->node = at;
	o = xmlXPathEvalExpression((const xmlChar *)xpath, xc);
	if (o &&
	    (o->type != XPATH_NODESET || !o->nodesetval ||
	     o->nodesetval->nodeNr == 0) &&
	    o->type != XPATH_STRING) {
		xmlXPathFreeObject(o);
		return NULL;
	}
	return o;
}

static bool html_is_block(const char *tag)
{
	static const char *const blocks[] = {
	    "p",  "div", "li", "h1", "h2",         "h3",      "h4",     "h5",
	    "h6", "tr",  "ul", "ol", "blockquote", "section", "article"};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(blocks); i++)
		if (strcmp(tag, blocks[i]) == 0)
			return true;
	return false;
}

/* Appends the text of node: source line breaks as spaces, <br> and block
 * ends as line breaks, scripts and styles left out. */
static int html_put_text(struct buf *b, const xmlNode *node, int depth)
{
	const xmlNode *c;
	int r = 0;

	if (node->type == XML_TEXT_NODE ||
	    node->type == XML_CDATA_SECTION_NODE ||
	    node->type == XML_ATTRIBUTE_NODE) {
		xmlChar *s = xmlNodeGetContent(node);
		const char *t = (const char *)s;

		for (; t && *t && r == 0; t++)
			r = buf_putc(b, *t == '\n' || *t == '\r' || *t == '\t'
			                    ? ' '
			                    : *t);
		xmlFree(s);
		return r;
	}
	if (depth > HTML_MAX_DEPTH || node->type != XML_ELEMENT_NODE)
		return 0;
	if (strcmp((const char *)node->name, "script") == 0 ||
	    strcmp((const char *)node->name, "style") == 0)
		return 0;
	if (strcmp((const char *)node->name, "br") == 0)
		return buf_putc(b, '\n');
	for (c = node->children; c && r == 0; c = c->next)
		r = html_put_text(b, c, depth + 1);
	if (r == 0 && html_is_block((const char *)node->name))
		r = buf_putc(b, '\n');
	return r;
}

/* The clean text of the nodes of o (or its string), paragraphs apart;
 * a *new* string, "" when there is none, NULL for want of memory. */
static char *html_text_of(struct feed_ctx *ctx, xmlXPathObjectPtr o,
                          bool oneline)
{
	struct buf b = {0};
	char *out;
	int i, r = 0;

	if (o && o->type == XPATH_STRING && o->stringval)
		r = buf_puts(&b, (const char *)o->stringval);
	for (i = 0; o && o->type == XPATH_NODESET && o->nodesetval &&
	            i < o->nodesetval->nodeNr && r == 0;
	     i++) {
		if (i > 0 && !oneline)
			r = buf_putc(&b, '\n');
		if (r == 0)
			r = html_put_text(&b, o->nodesetval->nodeTab[i], 0);
		if (oneline)
			break; /* a title or a date: the first node */
	}
	if (r < 0) {
		buf_free(&b);
		ctx->oom = true;
		return NULL;
	}
	out = feed_text(ctx, b.data ? b.data : "", b.len, FEED_TEXT_PLAIN,
	                oneline);
	buf_free(&b);
	return out;
}

/* A date somewhere in s ("Updated: 2020年3月12日 10:00"): the whole, else
 * the longest piece from a digit or letter on that the date parser
 * reads. */
static int64_t html_find_date(const char *s)
{
	size_t n = strlen(s), i, len;
	int64_t t = date_parse(s);

	for (i = 0; t == TIME_UNKNOWN && i < n && i < 200; i++) {
		if (!isalnum((unsigned char)s[i]) ||
		    (i && isalnum((unsigned char)s[i - 1])))
			continue;
		for (len = n - i < 40 ? n - i : 40; len >= 8; len--) {
			t = date_parse_n(s + i, len);
			if (t != TIME_UNKNOWN)
				break;
		}
	}
	return t;
}

/* The node with the readable main text when html_text is not given:
 * <article>, else <main>, else the element holding the most paragraph
 * text among its children. */
static xmlNodePtr html_main_node(xmlXPathContextPtr xc, xmlNodePtr root)
{
	static const char *const tries[] = {"//article", "//main",
	                                    "//*[@role='main']"};
	xmlXPathObjectPtr o;
	xmlNodePtr best = NULL;
	size_t i, best_len = 0;
	int k;

	for (i = 0; i < ARRAY_SIZE(tries); i++) {
		o = html_eval(xc, tries[i], root);
		if (o && o->type == XPATH_NODESET) {
			best = o->nodesetval->nodeTab[0];
			xmlXPathFreeObject(o);
			return best;
		}
		xmlXPathFreeObject(o);
	}
	o = html_eval(xc, "//p", root);
	for (k = 0; o && o->type == XPATH_NODESET && k < o->nodesetval->nodeNr;
	     k++) {
		xmlNodePtr parent = o->nodesetval->nodeTab[k]->parent;
		xmlNodePtr c;
		size_t len = 0;

		if (!parent || parent == best)
			continue;
		for (c = parent->children; c; c = c->next) {
			xmlChar *s;

			if (c->type != XML_ELEMENT_NODE ||
			    strcmp((const char *)c->name, "p") != 0)
				continue;
			s = xmlNodeGetContent(c);
			len += s ? strlen((const char *)s) : 0;
			xmlFree(s);
		}
		if (len > best_len) {
			best_len = len;
			best = parent;
		}
	}
	xmlXPathFreeObject(o);
	return best ? best : root;
}

void feed_html_links_free(char **links, size_t n)
{
	size_t i;

	for (i = 0; links && i < n; i++)
		free(links[i]);
	free(links);
}

/* Appends url to links unless it is there already. */
static int html_add_link(char ***links, size_t *n, char *url)
{
	char **grown;
	size_t i;

	for (i = 0; i < *n; i++)
		if (strcmp((*links)[i], url) == 0) {
			free(url);
			return 0;
		}
	grown = realloc(*links, (*n + 1) * sizeof(*grown));
	if (!grown) {
		free(url);
		return -ENOMEM;
	}
	*links = grown;
	grown[(*n)++] = url;
	return 0;
}

int feed_html_links(const char *data, size_t len, const char *base_url,
                    const char *xpath, char ***out, size_t *n_out)
{
	struct feed_parse_opts opts = {0};
	struct feed_doc dummy = {0};
	struct feed_ctx ctx = {.doc = &dummy, .opts = &opts};
	htmlDocPtr doc = html_read(data ? data : "", data ? len : 0);
	xmlXPathContextPtr xc = doc ? xmlXPathNewContext(doc) : NULL;
	xmlXPathObjectPtr o = NULL;
	int i, r = 0;

	*out = NULL;
	*n_out = 0;
	if (!xc) {
		r = doc ? -ENOMEM : -EBADMSG;
		goto out_free_doc;
	}
	o = html_eval(xc, xpath, xmlDocGetRootElement(doc));
	for (i = 0;
	     o && o->type == XPATH_NODESET && i < o->nodesetval->nodeNr &&
	     *n_out < HTML_MAX_LINKS && r == 0;
	     i++) {
		xmlNodePtr node = o->nodesetval->nodeTab[i];
		xmlChar *ref = node->type == XML_ELEMENT_NODE
		                   ? xmlGetProp(node, (const xmlChar *)"href")
		                   : xmlNodeGetContent(node);
		char *url =
		    ref ? feed_resolve(&ctx, base_url, (char *)ref) : NULL;

		xmlFree(ref);
		if (url && (strncmp(url, "http://", 7) == 0 ||
		            strncmp(url, "https://", 8) == 0))
			r = html_add_link(out, n_out, url);
		else
			free(url);
		if (ctx.oom)
			r = -ENOMEM;
	}
	if (r < 0) {
		feed_html_links_free(*out, *n_out);
		*out = NULL;
		*n_out = 0;
	}
	xmlXPathFreeObject(o);
	xmlXPathFreeContext(xc);
out_free_doc:
	if (doc)
		xmlFreeDoc(doc);
	return r;
}

/* The title and date of an article page, for each of its entries. */
static void html_head(struct feed_ctx *ctx, xmlXPathContextPtr xc,
                      xmlNodePtr root, char **title, int64_t *date)
{
	const struct feed_html_rules *h = ctx->opts->html;
	xmlXPathObjectPtr o;

	o = html_eval(xc, h && h->title ? h->title : "//h1", root);
	if (!o && !(h && h->title))
		o = html_eval(xc, "//title", root);
	if (o)
		*title = html_text_of(ctx, o, true);
	else
		feed_warn(ctx, "html_title finds nothing on this page");
	if (*title && !**title) {
		free(*title);
		*title = NULL;
	}
	xmlXPathFreeObject(o);
	*date = TIME_UNKNOWN;
	if (!h || !h->date)
		return;
	o = html_eval(xc, h->date, root);
	if (o) {
		char *s = html_text_of(ctx, o, true);

		*date = s ? html_find_date(s) : TIME_UNKNOWN;
		if (s && *date == TIME_UNKNOWN)
			feed_warn(ctx, "unreadable date \"%.40s\"", s);
		free(s);
	} else {
		feed_warn(ctx, "html_date finds nothing on this page");
	}
	xmlXPathFreeObject(o);
}

/* One entry of the page: id and link given, title copied. */
static void html_entry(struct feed_ctx *ctx, const char *id, char *text,
                       const char *title, int64_t date)
{
	struct feed_entry *e;

	if (!text || !*text) {
		free(text);
		return;
	}
	e = feed_add_entry(ctx);
	if (!e) {
		free(text);
		return;
	}
	e->id = xstrdup(id);
	e->link = xstrdup(id);
	e->text = text;
	e->title = xstrdup(title);
	e->published = date;
	if (!e->id || !e->link || (title && !e->title))
		ctx->oom = true;
}

/* The entries of an article page (split into nodes or whole). */
static void html_entries(struct feed_ctx *ctx, xmlXPathContextPtr xc,
                         xmlNodePtr root, const char *url)
{
	const struct feed_html_rules *h = ctx->opts->html;
	xmlXPathObjectPtr o;
	char *title = NULL;
	int64_t date;
	int i;

	html_head(ctx, xc, root, &title, &date);
	if (h && h->split) {
		o = html_eval(xc, h->split, root);
		for (i = 0; o && o->type == XPATH_NODESET &&
		            i < o->nodesetval->nodeNr && !ctx->oom;
		     i++) {
			struct buf id = {0};
			struct buf b = {0};
			char *text = NULL;

			if (html_put_text(&b, o->nodesetval->nodeTab[i], 0) ==
			        0 &&
			    buf_printf(&id, "%s#%d", url, i + 1) == 0)
				text = feed_text(ctx, b.data ? b.data : "",
				                 b.len, FEED_TEXT_PLAIN, false);
			else
				ctx->oom = true;
			if (text)
				html_entry(ctx, id.data, text, title, date);
			buf_free(&b);
			buf_free(&id);
		}
		if (!o)
			feed_warn(ctx, "html_split finds nothing on this page");
		xmlXPathFreeObject(o);
	} else if (h && h->text) {
		o = html_eval(xc, h->text, root);
		if (o)
			html_entry(ctx, url, html_text_of(ctx, o, false), title,
			           date);
		else
			feed_warn(ctx, "html_text finds nothing on this page");
		xmlXPathFreeObject(o);
	} else {
		struct buf b = {0};

		if (html_put_text(&b, html_main_node(xc, root), 0) < 0)
			ctx->oom = true;
		else
			html_entry(ctx, url,
			           feed_text(ctx, b.data ? b.data : "", b.len,
			                     FEED_TEXT_PLAIN, false),
			           title, date);
		buf_free(&b);
	}
	free(title);
}

int feed_parse_html(struct feed_ctx *ctx, const char *data, size_t len,
                    char *err, size_t errlen)
{
	const char *url = ctx->opts->base_url;
	htmlDocPtr doc;
	xmlXPathContextPtr xc;
	xmlNodePtr root;

	ctx->doc->format = FEED_FORMAT_HTML;
	if (!url || !*url) {
		snprintf(err, errlen, "an article page needs its URL (--base)");
		return -EINVAL;
	}
	doc = html_read(data, len);
	root = doc ? xmlDocGetRootElement(doc) : NULL;
	if (!root) {
		if (doc)
			xmlFreeDoc(doc);
		snprintf(err, errlen, "not an HTML page");
		return -EBADMSG;
	}
	xc = xmlXPathNewContext(doc);
	if (!xc) {
		xmlFreeDoc(doc);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	html_entries(ctx, xc, root, url);
	xmlXPathFreeContext(xc);
	xmlFreeDoc(doc);
	if (ctx->doc->n_entries == 0 && !ctx->oom && ctx->doc->n_warnings == 0)
		feed_warn(ctx, "no text on this page");
	return 0;
}
