/*
 * parse_xml.c — RSS 0.90/0.91/0.92/1.0 (RDF)/2.0 and Atom 0.3/1.0 into
 * the feed model, with libxml2.
 *
 * The bytes are first made UTF-8 (encoding.c), then parsed in recover
 * mode with the network off, no entity substitution and no DTD loading;
 * libxml2's errors go to a per-parse callback that turns the first few
 * into warnings.  Elements are matched by namespace class and local name,
 * so prefixes do not matter.  Entity references are never expanded by
 * libxml2: undefined ones (HTML names such as &eacute; in feeds without a
 * DTD) are decoded from libxml2's HTML entity table, and internal ones
 * contribute their literal replacement text only if it holds no further
 * references — the bounded, linear-time answer to entity bombs.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/entities.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>

#include "date.h"
#include "encoding.h"
#include "feed_int.h"
#include "util.h"

/* How many libxml2 errors become warnings; the rest are counted. */
#define XML_MAX_REPORTED 3
/* Longest internal-entity replacement text taken literally. */
#define XML_MAX_ENTITY_TEXT 1024

enum ns {
	NS_NONE,    /* no namespace: RSS 0.9x/2.0 */
	NS_RSS,     /* RSS 1.0, 0.90, Userland's RSS 2 namespace */
	NS_ATOM,    /* Atom 1.0 */
	NS_ATOM03,  /* Atom 0.3 */
	NS_RDF,     /* RDF syntax */
	NS_DC,      /* Dublin Core elements */
	NS_DCTERMS, /* Dublin Core terms */
	NS_CONTENT, /* RSS content module */
	NS_XHTML,   /* XHTML */
	NS_ITUNES,  /* Apple's podcast tags */
	NS_MEDIA,   /* Media RSS */
	NS_OTHER,   /* anything else */
};

static const struct {
	const char *uri;
	enum ns ns;
} namespaces[] = {
    {"http://purl.org/rss/1.0/", NS_RSS},
    {"http://my.netscape.com/rdf/simple/0.9/", NS_RSS},
    {"http://backend.userland.com/rss2", NS_RSS},
    {"http://backend.userland.com/rss", NS_RSS},
    {"http://www.w3.org/2005/Atom", NS_ATOM},
    {"http://purl.org/atom/ns#", NS_ATOM03},
    {"http://www.w3.org/1999/02/22-rdf-syntax-ns#", NS_RDF},
    {"http://purl.org/dc/elements/1.1/", NS_DC},
    {"http://purl.org/dc/terms/", NS_DCTERMS},
    {"http://purl.org/rss/1.0/modules/content/", NS_CONTENT},
    {"http://www.w3.org/1999/xhtml", NS_XHTML},
    {"http://www.itunes.com/DTDs/Podcast-1.0.dtd", NS_ITUNES},
    {"http://www.itunes.com/dtds/podcast-1.0.dtd", NS_ITUNES},
    {"http://search.yahoo.com/mrss/", NS_MEDIA},
    {"http://search.yahoo.com/mrss", NS_MEDIA},
};

/* The prefixes feeds use without declaring them, read as the namespace
 * they conventionally name (as feedparser and gofeed do): libxml2 keeps
 * such an element as "content:encoded" in no namespace. */
static const struct {
	const char *prefix;
	enum ns ns;
} conventional_prefixes[] = {
    {"content", NS_CONTENT}, {"atom", NS_ATOM},     {"dc", NS_DC},
    {"dcterms", NS_DCTERMS}, {"itunes", NS_ITUNES}, {"media", NS_MEDIA},
    {"rdf", NS_RDF},         {"xhtml", NS_XHTML},
};

/* Lines of the well-formedness errors recovered from, at most this many;
 * past them every entry after the last one kept counts as damaged. */
#define XML_MAX_ERROR_LINES 64

/* What the libxml2 error callback records for one parse. */
struct xml_errors {
	struct feed_ctx *ctx; /* where warnings go */
	int count;            /* errors and warnings seen */
	char first[200];      /* the first fatal error, for "nothing usable" */
	char fault[200];      /* the first well-formedness error (not a
	                       * namespace slip), or "" */
	char prefixes[120];   /* undeclared prefixes met, "atom, dc" */
	int lines[XML_MAX_ERROR_LINES]; /* where those errors were */
	int n_lines;                    /* how many of lines[] are used */
	bool lines_full;                /* more errors than lines[] holds */
};

/* For an element named "prefix:local" in no namespace (an undeclared
 * prefix): the length of the prefix, else 0. */
static size_t undeclared_prefix(const xmlNode *n)
{
	const char *colon;

	if (n->ns || !n->name)
		return 0;
	colon = strchr((const char *)n->name, ':');
	return colon ? (size_t)(colon - (const char *)n->name) : 0;
}

/* The element's name without an undeclared prefix. */
static const char *local_name(const xmlNode *n)
{
	size_t k = undeclared_prefix(n);

	return (const char *)n->name + (k ? k + 1 : 0);
}

static enum ns ns_of(const xmlNode *n)
{
	size_t i, k;

	if (!n->ns || !n->ns->href) {
		k = undeclared_prefix(n);
		for (i = 0; k && i < ARRAY_SIZE(conventional_prefixes); i++)
			if (strlen(conventional_prefixes[i].prefix) == k &&
			    memcmp(n->name, conventional_prefixes[i].prefix,
			           k) == 0)
				return conventional_prefixes[i].ns;
		return k ? NS_OTHER : NS_NONE;
	}
	for (i = 0; i < ARRAY_SIZE(namespaces); i++)
		if (strcmp((const char *)n->ns->href, namespaces[i].uri) == 0)
			return namespaces[i].ns;
	return NS_OTHER;
}

static bool is_el(const xmlNode *n, enum ns ns, const char *name)
{
	return n->type == XML_ELEMENT_NODE && ns_of(n) == ns &&
	       strcmp(local_name(n), name) == 0;
}

/* RSS's own elements: no namespace or one of the RSS namespaces. */
static bool is_rss(const xmlNode *n, const char *name)
{
	return is_el(n, NS_NONE, name) || is_el(n, NS_RSS, name);
}

static bool same_ns(const xmlNode *a, const xmlNode *b)
{
	if (!a->ns || !b->ns)
		return !a->ns && !b->ns;
	return a->ns->href && b->ns->href &&
	       strcmp((const char *)a->ns->href, (const char *)b->ns->href) ==
	           0;
}

/* Atom 1.0 or 0.3; also any element in the namespace of a <feed> root
 * that has no namespace or an unknown one (pre-release Atom drafts). */
static bool is_atom(const xmlNode *n, const char *name)
{
	const xmlNode *root;
	enum ns rns;

	if (n->type != XML_ELEMENT_NODE || strcmp(local_name(n), name))
		return false;
	if (is_el(n, NS_ATOM, name) || is_el(n, NS_ATOM03, name))
		return true;
	root = n->doc ? xmlDocGetRootElement(n->doc) : NULL;
	if (!root || strcmp((const char *)root->name, "feed") != 0)
		return false;
	rns = ns_of(root);
	return (rns == NS_NONE || rns == NS_OTHER) && same_ns(n, root);
}

static void on_xml_error(void *data, xmlErrorPtr err)
{
	xmlParserCtxtPtr pctxt = data;
	struct xml_errors *xe = pctxt ? pctxt->_private : NULL;
	char msg[160];
	size_t n;

	if (!xe || !err)
		return;
	/* An undeclared prefix is read as it names (see ns_of): listed once
	 * per prefix rather than as an error per element. */
	if (err->domain == XML_FROM_NAMESPACE &&
	    err->code == XML_NS_ERR_UNDEFINED_NAMESPACE && err->str1) {
		size_t used = strlen(xe->prefixes), k = strlen(err->str1);
		const char *p = xe->prefixes;
		bool seen = false;

		while (!seen && (p = strstr(p, err->str1)) != NULL) {
			seen = (p == xe->prefixes || p[-1] == ' ') &&
			       (p[k] == ',' || p[k] == '\0');
			p += k;
		}
		if (!seen && used + k + 3 < sizeof(xe->prefixes))
			snprintf(xe->prefixes + used,
			         sizeof(xe->prefixes) - used, "%s%s",
			         used ? ", " : "", err->str1);
		return;
	}
	xe->count++;
	snprintf(msg, sizeof(msg), "%s", err->message ? err->message : "error");
	n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		msg[--n] = '\0';
	if (!xe->first[0] && err->level >= XML_ERR_ERROR)
		snprintf(xe->first, sizeof(xe->first), "line %d: %s", err->line,
		         msg);
	/* An undeclared prefix is read as it names (see ns_of); anything
	 * else recovered from means the text around it may be cut. */
	if (err->level >= XML_ERR_ERROR && err->domain != XML_FROM_NAMESPACE) {
		if (!xe->fault[0])
			snprintf(xe->fault, sizeof(xe->fault),
			         "not well-formed: line %d: %s", err->line,
			         msg);
		if (xe->n_lines < XML_MAX_ERROR_LINES)
			xe->lines[xe->n_lines++] = err->line;
		else
			xe->lines_full = true;
	}
	if (xe->count <= XML_MAX_REPORTED)
		feed_warn(xe->ctx, "XML line %d: %s", err->line, msg);
}

/* UTF-8 of a code point into out (at least 5 bytes); returns length. */
static size_t put_utf8(unsigned cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	out[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* The text an entity reference stands for, appended to b (see the file
 * comment for the rules). */
static int entity_text(const xmlNode *n, struct buf *b)
{
	const xmlEntity *ent = (const xmlEntity *)n->children;
	const htmlEntityDesc *h;
	char u[5];

	if (ent && ent->type == XML_ENTITY_DECL &&
	    ent->etype == XML_INTERNAL_GENERAL_ENTITY && ent->content) {
		const char *c = (const char *)ent->content;
		size_t len = strlen(c);

		if (len <= XML_MAX_ENTITY_TEXT && !strpbrk(c, "&<"))
			return buf_append(b, c, len);
		return 0;
	}
	h = htmlEntityLookup(n->name);
	if (h)
		return buf_append(b, u, put_utf8(h->value, u));
	return 0;
}

/* Serialises n's children as markup into b (for HTML-in-XML content). */
static int children_markup(xmlNode *n, struct buf *b)
{
	xmlBufferPtr xb;
	xmlNode *c;
	int r = 0;

	xb = xmlBufferCreate();
	if (!xb)
		return -ENOMEM;
	for (c = n->children; c; c = c->next) {
		if (xmlNodeDump(xb, n->doc, c, 0, 0) < 0 &&
		    c->type != XML_ENTITY_REF_NODE) {
			r = -ENOMEM;
			break;
		}
	}
	if (r == 0 && buf_append(b, xmlBufferContent(xb),
	                         (size_t)xmlBufferLength(xb)) < 0)
		r = -ENOMEM;
	xmlBufferFree(xb);
	return r;
}

static bool has_element_children(const xmlNode *n)
{
	const xmlNode *c;

	for (c = n->children; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE)
			return true;
	return false;
}

/* The character data of n (text, CDATA, entity references) as a *new*
 * string, or NULL on allocation failure. */
static char *node_chars(struct feed_ctx *ctx, const xmlNode *n)
{
	struct buf b = {0};
	const xmlNode *c;
	char *s;

	for (c = n->children; c; c = c->next) {
		int r = 0;

		if ((c->type == XML_TEXT_NODE ||
		     c->type == XML_CDATA_SECTION_NODE) &&
		    c->content)
			r = buf_puts(&b, (const char *)c->content);
		else if (c->type == XML_ENTITY_REF_NODE)
			r = entity_text(c, &b);
		if (r < 0) {
			buf_free(&b);
			ctx->oom = true;
			return NULL;
		}
	}
	s = buf_steal(&b);
	if (!s)
		ctx->oom = true;
	return s;
}

/* Trimmed character data, or NULL when empty (or on OOM). */
static char *node_trimmed(struct feed_ctx *ctx, const xmlNode *n)
{
	char *s = node_chars(ctx, n), *p;
	size_t len;

	if (!s)
		return NULL;
	for (p = s; isspace((unsigned char)*p); p++)
		;
	len = strlen(p);
	while (len && isspace((unsigned char)p[len - 1]))
		len--;
	if (len == 0) {
		free(s);
		return NULL;
	}
	memmove(s, p, len);
	s[len] = '\0';
	return s;
}

static char *attr(const xmlNode *n, const char *name)
{
	xmlChar *v = xmlGetNoNsProp(n, (const xmlChar *)name);
	char *s;

	if (!v)
		return NULL;
	s = strdup((const char *)v);
	xmlFree(v);
	return s;
}

/* A text construct's markup and its kind: Atom's type="text|html|xhtml"
 * (and 0.3's MIME types and mode="escaped|xml"), or an RSS element whose
 * content is HTML (escaped, or raw elements from sloppy feeds). */
struct content {
	char *raw;                /* text or markup as published */
	enum feed_text_kind kind; /* how to read raw */
};

/* Decodes base64 (Atom 0.3's mode="base64"), skipping whitespace; false
 * on anything else. */
static bool base64_decode(const char *s, struct buf *out)
{
	unsigned acc = 0;
	int bits = 0;

	for (; *s; s++) {
		const char *tab = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqr"
		                  "stuvwxyz0123456789+/";
		const char *k;

		if (isspace((unsigned char)*s))
			continue;
		if (*s == '=')
			break;
		k = strchr(tab, *s);
		if (!k)
			return false;
		acc = (acc << 6) | (unsigned)(k - tab);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (buf_putc(out, (char)(acc >> bits & 0xff)) < 0)
				return false;
		}
	}
	return true;
}

static int read_content(struct feed_ctx *ctx, xmlNode *n,
                        enum feed_text_kind dflt, struct content *out)
{
	char *type = attr(n, "type"), *mode = attr(n, "mode");
	bool markup = false;
	struct buf b = {0};

	out->kind = dflt;
	if (type) {
		if (strcasecmp(type, "xhtml") == 0 ||
		    strcasecmp(type, "application/xhtml+xml") == 0)
			markup = true, out->kind = FEED_TEXT_HTML;
		else if (strcasecmp(type, "html") == 0 ||
		         strcasecmp(type, "text/html") == 0)
			out->kind = FEED_TEXT_HTML;
		else if (strcasecmp(type, "text") == 0 ||
		         strcasecmp(type, "text/plain") == 0)
			out->kind = FEED_TEXT_PLAIN;
	}
	if (mode && strcasecmp(mode, "xml") == 0)
		markup = true, out->kind = FEED_TEXT_HTML;
	/* RFC 4287 4.1.3.3: a MIME type that is neither text nor XML means
	 * base64.  Atom 0.3 says so with mode="base64". */
	if ((mode && strcasecmp(mode, "base64") == 0) ||
	    (type && strchr(type, '/') && strncasecmp(type, "text/", 5) != 0 &&
	     !strstr(type, "xml") && !mode)) {
		out->kind = FEED_TEXT_GUESS;
		char *raw = node_chars(ctx, n);

		free(type);
		free(mode);
		if (!raw)
			return -ENOMEM;
		if (!base64_decode(raw, &b)) {
			feed_warn(ctx, "undecodable base64 content ignored");
			buf_reset(&b);
		}
		free(raw);
		out->raw = buf_steal(&b);
		if (!out->raw) {
			ctx->oom = true;
			return -ENOMEM;
		}
		return 0;
	}
	free(type);
	free(mode);
	if (!markup && has_element_children(n)) {
		/* Unescaped markup inside an element: read it as HTML. */
		markup = true;
		out->kind = FEED_TEXT_HTML;
	}
	if (markup) {
		xmlNode *c, *div = NULL;

		for (c = n->children; c; c = c->next)
			if (c->type == XML_ELEMENT_NODE) {
				div = c;
				break;
			}
		/* Atom's xhtml content is wrapped in one div that is not
		 * part of the content. */
		if (div && is_el(div, NS_XHTML, "div") && !div->next)
			n = div;
		if (children_markup(n, &b) < 0) {
			buf_free(&b);
			ctx->oom = true;
			return -ENOMEM;
		}
		out->raw = buf_steal(&b);
	} else {
		out->raw = node_chars(ctx, n);
	}
	if (!out->raw) {
		ctx->oom = true;
		return -ENOMEM;
	}
	return 0;
}

/* Plain text of a title-like element. */
static char *read_title(struct feed_ctx *ctx, xmlNode *n,
                        enum feed_text_kind dflt)
{
	struct content c;
	char *t;

	if (read_content(ctx, n, dflt, &c) < 0)
		return NULL;
	t = feed_text(ctx, c.raw, strlen(c.raw), c.kind, true);
	free(c.raw);
	if (t && !*t) {
		free(t);
		return NULL;
	}
	return t;
}

/* Replaces *dst with a new value (frees the old one). */
static void set(char **dst, char *v)
{
	if (!v)
		return;
	free(*dst);
	*dst = v;
}

static void set_if_unset(char **dst, char *v)
{
	if (*dst || !v) {
		free(v);
		return;
	}
	*dst = v;
}

/* The effective xml:base of n, combined with the feed's URL. */
static char *base_of(struct feed_ctx *ctx, xmlNode *n)
{
	xmlChar *b = xmlNodeGetBase(n->doc, n);
	char *s;

	if (!b)
		return xstrdup(ctx->opts->base_url);
	if (ctx->opts->base_url) {
		s = feed_resolve(ctx, ctx->opts->base_url, (const char *)b);
	} else {
		s = strdup((const char *)b);
	}
	xmlFree(b);
	return s;
}

static char *resolve_at(struct feed_ctx *ctx, xmlNode *n, const char *ref)
{
	char *base = base_of(ctx, n), *r;

	r = feed_resolve(ctx, base, ref);
	free(base);
	return r;
}

/* "jdoe@example.com (John Doe)" reads as "John Doe". */
static char *person_from_rss(struct feed_ctx *ctx, char *s)
{
	char *open, *close, *name;

	if (!s)
		return NULL;
	open = strchr(s, '(');
	close = strrchr(s, ')');
	if (open && close && close > open + 1 && strchr(s, '@') &&
	    strchr(s, '@') < open) {
		name = feed_text(ctx, open + 1, (size_t)(close - open - 1),
		                 FEED_TEXT_PLAIN, true);
		free(s);
		return name;
	}
	name = feed_text(ctx, s, strlen(s), FEED_TEXT_GUESS, true);
	free(s);
	return name;
}

static char *atom_person(struct feed_ctx *ctx, xmlNode *n)
{
	xmlNode *c;
	char *name = NULL, *email = NULL, *out;

	for (c = n->children; c; c = c->next) {
		if (is_atom(c, "name"))
			set(&name, node_trimmed(ctx, c));
		else if (is_atom(c, "email"))
			set(&email, node_trimmed(ctx, c));
	}
	if (!name && !has_element_children(n))
		name = node_trimmed(ctx, n); /* sloppy <author>Name</author> */
	if (!name) {
		name = email;
		email = NULL;
	}
	free(email);
	if (!name)
		return NULL;
	out = feed_text(ctx, name, strlen(name), FEED_TEXT_PLAIN, true);
	free(name);
	return out;
}

/* The body of an entry: prefer full content over a summary. */
static void set_body(struct feed_ctx *ctx, struct feed_entry *e,
                     struct content *c, int rank, int *best)
{
	if (rank <= *best || !c->raw || !*c->raw) {
		free(c->raw);
		return;
	}
	*best = rank;
	free(e->html);
	free(e->text);
	e->text = feed_text(ctx, c->raw, strlen(c->raw), c->kind, false);
	if (c->kind == FEED_TEXT_HTML) {
		e->html = c->raw;
	} else {
		e->html = NULL;
		free(c->raw);
	}
}

static char *lang_of(xmlNode *n)
{
	xmlChar *l = xmlNodeGetLang(n);
	char *s;

	if (!l)
		return NULL;
	s = *l ? strdup((const char *)l) : NULL;
	xmlFree(l);
	return s;
}

/* Marks e partial when a well-formedness error was recovered from between
 * the start of its element n and the start of the next element (or the
 * end of the document): its text may be cut.  Lines are the finest grain
 * libxml2 keeps, so on a one-line document every entry of that line is. */
static void mark_damaged(struct feed_ctx *ctx, struct feed_entry *e,
                         const xmlNode *n)
{
	const struct xml_errors *xe = ctx->xml;
	const xmlNode *s;
	long start, end = -1;
	int i;

	if (!xe || xe->n_lines == 0)
		return;
	start = xmlGetLineNo(n);
	for (s = n->next; s; s = s->next)
		if (s->type == XML_ELEMENT_NODE) {
			end = xmlGetLineNo(s);
			break;
		}
	if (xe->lines_full && start >= xe->lines[xe->n_lines - 1]) {
		e->partial = true;
		return;
	}
	for (i = 0; i < xe->n_lines; i++) {
		long l = xe->lines[i];

		if (l >= start && (end < 0 || l < end || l == start)) {
			e->partial = true;
			return;
		}
	}
}

/* The name inside an RSS item's <atom:author> (or its text). */
static char *atom_person_name(struct feed_ctx *ctx, const xmlNode *n)
{
	const xmlNode *c;

	for (c = n->children; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE &&
		    strcmp(local_name(c), "name") == 0)
			return node_trimmed(ctx, c);
	return has_element_children(n) ? NULL : node_trimmed(ctx, n);
}

/* An item's full text, the strongest body: content:encoded, Userland's
 * fullitem, or inline XHTML (<body> with or without its namespace). */
static void rss_full_text(struct feed_ctx *ctx, struct feed_entry *e,
                          xmlNode *c, int *best)
{
	struct content ct;

	if (is_el(c, NS_CONTENT, "encoded") || is_rss(c, "fullitem")) {
		if (read_content(ctx, c, FEED_TEXT_HTML, &ct) < 0)
			return;
	} else {
		struct buf b = {0};

		if (children_markup(c, &b) < 0) {
			ctx->oom = true;
			return;
		}
		ct.raw = buf_steal(&b);
		ct.kind = FEED_TEXT_HTML;
	}
	set_body(ctx, e, &ct, 3, best);
}

/* RSS <item> (any version). */
static void rss_item(struct feed_ctx *ctx, xmlNode *item)
{
	struct feed_entry *e;
	xmlNode *c;
	char *guid = NULL, *permalink = NULL, *dc_date = NULL;
	char *media_title = NULL, *atom_published = NULL;
	int best = 0;
	bool guid_is_link = true;

	e = feed_add_entry(ctx);
	if (!e)
		return;
	mark_damaged(ctx, e, item);
	for (c = item->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (is_rss(c, "title") ||
		    (is_el(c, NS_DC, "title") && !e->title)) {
			set(&e->title, read_title(ctx, c, FEED_TEXT_GUESS));
		} else if (is_rss(c, "link")) {
			char *v = node_trimmed(ctx, c);

			set(&e->link, resolve_at(ctx, c, v));
			free(v);
		} else if (is_rss(c, "guid")) {
			char *pl = attr(c, "isPermaLink");

			guid_is_link = !pl || strcasecmp(pl, "false") != 0;
			free(pl);
			set(&guid, node_trimmed(ctx, c));
		} else if (is_el(c, NS_MEDIA, "title")) {
			/* Only when the item has no title of its own. */
			set(&media_title, read_title(ctx, c, FEED_TEXT_GUESS));
		} else if (is_el(c, NS_ITUNES, "summary") ||
		           is_el(c, NS_ITUNES, "subtitle")) {
			struct content ct;

			/* The weakest body: a podcast's blurb. */
			if (read_content(ctx, c, FEED_TEXT_PLAIN, &ct) == 0)
				set_body(ctx, e, &ct, 1, &best);
		} else if (is_rss(c, "description") ||
		           is_el(c, NS_DC, "description")) {
			struct content ct;

			if (read_content(ctx, c, FEED_TEXT_HTML, &ct) == 0)
				set_body(ctx, e, &ct, 2, &best);
		} else if (is_el(c, NS_CONTENT, "encoded") ||
		           is_rss(c, "fullitem") || is_rss(c, "body") ||
		           is_el(c, NS_XHTML, "body") ||
		           is_el(c, NS_XHTML, "div")) {
			rss_full_text(ctx, e, c, &best);
		} else if (is_rss(c, "pubDate")) {
			char *v = node_trimmed(ctx, c);

			feed_published(ctx, e, "pubDate", v);
			free(v);
		} else if (is_el(c, NS_DC, "date")) {
			set(&dc_date, node_trimmed(ctx, c));
		} else if (is_el(c, NS_DCTERMS, "modified") ||
		           is_atom(c, "updated")) {
			char *v = node_trimmed(ctx, c);

			e->updated = feed_date(ctx, "updated", v);
			free(v);
		} else if (is_el(c, NS_DCTERMS, "issued") ||
		           is_el(c, NS_DCTERMS, "created")) {
			char *v = node_trimmed(ctx, c);

			if (!dc_date)
				dc_date = v;
			else
				free(v);
		} else if (is_rss(c, "author")) {
			set(&e->author,
			    person_from_rss(ctx, node_trimmed(ctx, c)));
		} else if (is_el(c, NS_DC, "creator") ||
		           is_el(c, NS_DC, "author") ||
		           is_el(c, NS_ITUNES, "author") ||
		           is_el(c, NS_DC, "contributor")) {
			set_if_unset(
			    &e->author,
			    person_from_rss(ctx, node_trimmed(ctx, c)));
		} else if (is_el(c, NS_DC, "language")) {
			set(&e->lang, node_trimmed(ctx, c));
		} else if (is_el(c, NS_ATOM, "published") ||
		           is_el(c, NS_ATOM03, "issued")) {
			/* Only when the item has no pubDate. */
			set(&atom_published, node_trimmed(ctx, c));
		} else if (is_el(c, NS_ATOM, "author") ||
		           is_el(c, NS_ATOM03, "author")) {
			set_if_unset(&e->author, atom_person_name(ctx, c));
		} else if (is_atom(c, "link") && !e->link) {
			char *href = attr(c, "href"), *rel = attr(c, "rel");

			if (!rel || strcmp(rel, "alternate") == 0)
				set(&e->link, resolve_at(ctx, c, href));
			free(href);
			free(rel);
		}
	}
	if (dc_date) {
		if (e->published == TIME_UNKNOWN)
			feed_published(ctx, e, "dc:date", dc_date);
		else
			(void)feed_date(ctx, "dc:date", dc_date);
		free(dc_date);
	}
	if (atom_published) {
		if (e->published == TIME_UNKNOWN)
			feed_published(ctx, e, "atom:published",
			               atom_published);
		else
			(void)feed_date(ctx, "atom:published", atom_published);
		free(atom_published);
	}
	if (!e->title)
		e->title = media_title;
	else
		free(media_title);
	if (!guid && is_el(item, NS_RSS, "item")) {
		/* RSS 1.0 names each item by its rdf:about URI. */
		xmlChar *about = xmlGetNsProp(
		    item, (const xmlChar *)"about",
		    (const xmlChar
		         *)"http://www.w3.org/1999/02/22-rdf-syntax-ns#");

		if (about && *about) {
			guid = strdup((const char *)about);
			if (!guid)
				ctx->oom = true;
			guid_is_link = false;
		}
		xmlFree(about);
	}
	if (guid) {
		if (!e->link && guid_is_link &&
		    (strncasecmp(guid, "http://", 7) == 0 ||
		     strncasecmp(guid, "https://", 8) == 0))
			permalink = resolve_at(ctx, item, guid);
		set(&e->link, permalink);
		e->id = guid;
	}
	if (!e->lang)
		e->lang = lang_of(item);
	if (!e->lang && ctx->doc->lang)
		e->lang = strdup(ctx->doc->lang);
}

/* RSS <channel> metadata. */
static void rss_channel(struct feed_ctx *ctx, xmlNode *ch)
{
	struct feed_doc *doc = ctx->doc;
	xmlNode *c;

	for (c = ch->children; c; c = c->next) {
		if ((is_rss(c, "title") || is_el(c, NS_DC, "title")) &&
		    !doc->title) {
			set(&doc->title, read_title(ctx, c, FEED_TEXT_GUESS));
		} else if (is_rss(c, "link") && !doc->link) {
			char *v = node_trimmed(ctx, c);

			set(&doc->link, resolve_at(ctx, c, v));
			free(v);
		} else if ((is_rss(c, "language") ||
		            is_el(c, NS_DC, "language")) &&
		           !doc->lang) {
			set(&doc->lang, node_trimmed(ctx, c));
		} else if (is_rss(c, "ttl")) {
			char *v = node_trimmed(ctx, c), *end;
			long m = v ? strtol(v, &end, 10) : 0;

			if (v && *end == '\0' && m > 0 && m < 525600)
				doc->ttl = (int64_t)m * 60;
			free(v);
		}
	}
	if (!doc->lang)
		doc->lang = lang_of(ch);
}

/* An element of Microsoft's Channel Definition Format (1997), whose
 * names are upper case by custom but compared without case. */
static bool is_cdf(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && !n->ns &&
	       strcasecmp((const char *)n->name, name) == 0;
}

/* CDF: <CHANNEL HREF=...><TITLE/><ABSTRACT/><ITEM HREF=... LASTMOD=...>
 * with the same children.  Read as an RSS ancestor, which it is. */
static void parse_cdf(struct feed_ctx *ctx, xmlNode *root)
{
	struct feed_doc *doc = ctx->doc;
	xmlNode *c, *k;
	char *v, *base = attr(root, "BASE");

	/* The channel's BASE attribute plays xml:base's part. */
	v = attr(root, "HREF");
	set(&doc->link,
	    base ? feed_resolve(ctx, base, v) : resolve_at(ctx, root, v));
	free(v);
	for (c = root->children; c && !ctx->capped; c = c->next) {
		struct feed_entry *e;

		if (is_cdf(c, "TITLE") && !doc->title) {
			set(&doc->title, read_title(ctx, c, FEED_TEXT_GUESS));
			continue;
		}
		if (!is_cdf(c, "ITEM") || !(e = feed_add_entry(ctx)))
			continue;
		mark_damaged(ctx, e, c);
		v = attr(c, "HREF");
		set(&e->link,
		    base ? feed_resolve(ctx, base, v) : resolve_at(ctx, c, v));
		free(v);
		v = attr(c, "LASTMOD");
		e->updated = feed_date(ctx, "LASTMOD", v);
		free(v);
		for (k = c->children; k; k = k->next) {
			if (is_cdf(k, "TITLE") && !e->title) {
				set(&e->title,
				    read_title(ctx, k, FEED_TEXT_GUESS));
			} else if (is_cdf(k, "ABSTRACT") && !e->text) {
				char *t = node_chars(ctx, k);

				if (t)
					e->text =
					    feed_text(ctx, t, strlen(t),
					              FEED_TEXT_GUESS, false);
				free(t);
			}
		}
	}
	free(base);
}

static void parse_rss(struct feed_ctx *ctx, xmlNode *root)
{
	xmlNode *c, *ch = NULL;

	for (c = root->children; c; c = c->next)
		if (is_rss(c, "channel")) {
			ch = c;
			break;
		}
	if (is_rss(root, "channel"))
		ch = root;
	if (ch)
		rss_channel(ctx, ch);
	/* Items live in the channel (0.91, 0.92, 2.0) or beside it (0.90,
	 * 1.0); take both. */
	if (ch)
		for (c = ch->children; c && !ctx->capped && !ctx->oom;
		     c = c->next)
			if (is_rss(c, "item"))
				rss_item(ctx, c);
	if (ch != root)
		for (c = root->children; c && !ctx->capped && !ctx->oom;
		     c = c->next)
			if (is_rss(c, "item"))
				rss_item(ctx, c);
}

/* Atom <link>: the alternate one (rel absent or "alternate"), HTML first. */
static void atom_link(struct feed_ctx *ctx, xmlNode *c, char **link, int *rank)
{
	char *rel = attr(c, "rel"), *href = attr(c, "href"),
	     *type = attr(c, "type");
	int r = 0;

	if (href &&
	    (!rel || strcmp(rel, "alternate") == 0 ||
	     strcmp(rel,
	            "http://www.iana.org/assignments/relation/alternate") == 0))
		r = (!type || strstr(type, "html")) ? 2 : 1;
	if (r > *rank) {
		char *u = resolve_at(ctx, c, href);

		if (u) {
			set(link, u);
			*rank = r;
		}
	}
	free(rel);
	free(href);
	free(type);
}

static void atom_entry(struct feed_ctx *ctx, xmlNode *en,
                       const char *feed_author)
{
	struct feed_entry *e;
	xmlNode *c;
	int best = 0, link_rank = 0;
	char *created = NULL;

	e = feed_add_entry(ctx);
	if (!e)
		return;
	mark_damaged(ctx, e, en);
	for (c = en->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (is_atom(c, "title")) {
			set(&e->title, read_title(ctx, c, FEED_TEXT_PLAIN));
		} else if (is_atom(c, "link")) {
			atom_link(ctx, c, &e->link, &link_rank);
		} else if (is_atom(c, "id")) {
			set(&e->id, node_trimmed(ctx, c));
		} else if (is_atom(c, "content") || is_atom(c, "summary")) {
			struct content ct;
			char *src = attr(c, "src");

			if (src) {
				/* Out-of-line content: nothing to read here. */
				if (!e->link)
					e->link = resolve_at(ctx, c, src);
				free(src);
				continue;
			}
			if (read_content(ctx, c, FEED_TEXT_PLAIN, &ct) == 0)
				set_body(ctx, e, &ct,
				         is_atom(c, "content") ? 2 : 1, &best);
		} else if (is_el(c, NS_MEDIA, "group")) {
			/* YouTube: the video's description is its text. */
			xmlNode *m;
			struct content ct;

			for (m = c->children; m; m = m->next)
				if (is_el(m, NS_MEDIA, "description") &&
				    read_content(ctx, m, FEED_TEXT_PLAIN,
				                 &ct) == 0)
					set_body(ctx, e, &ct, 1, &best);
		} else if (is_atom(c, "published") || is_atom(c, "issued")) {
			char *v = node_trimmed(ctx, c);

			feed_published(ctx, e, (const char *)c->name, v);
			free(v);
		} else if (is_atom(c, "updated") || is_atom(c, "modified")) {
			char *v = node_trimmed(ctx, c);

			e->updated = feed_date(ctx, (const char *)c->name, v);
			free(v);
		} else if (is_atom(c, "created")) {
			set(&created, node_trimmed(ctx, c));
		} else if (is_atom(c, "author") && !e->author) {
			e->author = atom_person(ctx, c);
		} else if (is_el(c, NS_DC, "creator") && !e->author) {
			e->author = person_from_rss(ctx, node_trimmed(ctx, c));
		} else if (is_atom(c, "source") && !e->author) {
			xmlNode *s;

			for (s = c->children; s; s = s->next)
				if (is_atom(s, "author")) {
					e->author = atom_person(ctx, s);
					break;
				}
		}
	}
	if (created) {
		if (e->published == TIME_UNKNOWN)
			feed_published(ctx, e, "created", created);
		else
			(void)feed_date(ctx, "created", created);
		free(created);
	}
	if (!e->author && feed_author)
		e->author = strdup(feed_author);
	e->lang = lang_of(en);
}

static void parse_atom(struct feed_ctx *ctx, xmlNode *root)
{
	struct feed_doc *doc = ctx->doc;
	xmlNode *c;
	char *author = NULL;
	int link_rank = 0;

	for (c = root->children; c; c = c->next) {
		if (is_atom(c, "title") && !doc->title)
			doc->title = read_title(ctx, c, FEED_TEXT_PLAIN);
		else if (is_atom(c, "link"))
			atom_link(ctx, c, &doc->link, &link_rank);
		else if (is_atom(c, "author") && !author)
			author = atom_person(ctx, c);
	}
	doc->lang = lang_of(root);
	if (is_atom(root, "entry")) {
		/* A lone entry document (RFC 4287 allows it). */
		atom_entry(ctx, root, author);
	} else {
		for (c = root->children; c && !ctx->capped && !ctx->oom;
		     c = c->next)
			if (is_atom(c, "entry"))
				atom_entry(ctx, c, author);
	}
	free(author);
}

/* Length of the name of an entity reference at s ("&name;"), or 0 when
 * s does not start one. */
static size_t entity_name_len(const char *s, const char *end)
{
	const char *p = s + 1;

	if (p >= end || !(isalpha((unsigned char)*p) || *p == '_' || *p == ':'))
		return 0;
	while (p < end && (isalnum((unsigned char)*p) || strchr("._:-", *p)))
		p++;
	return p < end && *p == ';' ? (size_t)(p - s - 1) : 0;
}

/* Whether an '&' at s starts a character reference. */
static bool is_char_reference(const char *s, const char *end)
{
	const char *p = s + 1, *digits;

	if (p >= end || *p != '#')
		return false;
	p++;
	if (p < end && (*p == 'x' || *p == 'X')) {
		digits = ++p;
		while (p < end && isxdigit((unsigned char)*p))
			p++;
	} else {
		digits = p;
		while (p < end && isdigit((unsigned char)*p))
			p++;
	}
	return p < end && *p == ';' && p > digits;
}

/* The code point a predefined or HTML entity name stands for, or 0. */
static unsigned known_entity(const char *name, size_t n)
{
	static const struct {
		const char *name;
		unsigned cp;
	} predefined[] = {
	    {"amp", 38}, {"lt", 60}, {"gt", 62}, {"quot", 34}, {"apos", 39}};
	const htmlEntityDesc *h;
	char tmp[32];
	size_t i;

	if (n >= sizeof(tmp))
		return 0;
	memcpy(tmp, name, n);
	tmp[n] = '\0';
	for (i = 0; i < ARRAY_SIZE(predefined); i++)
		if (strcmp(tmp, predefined[i].name) == 0)
			return predefined[i].cp;
	h = htmlEntityLookup((const xmlChar *)tmp);
	return h ? h->value : 0;
}

/* Whether the internal DTD subset declares entity name. */
static bool declared_entity(const char *dtd, size_t dtdlen, const char *name,
                            size_t n)
{
	const char *p = dtd, *end = dtd + dtdlen;

	while (p + 8 + n < end) {
		const char *q = p;

		while (q + 8 <= end && memcmp(q, "<!ENTITY", 8) != 0)
			q++;
		if (q + 8 > end)
			return false;
		q += 8;
		while (q < end && isspace((unsigned char)*q))
			q++;
		if ((size_t)(end - q) > n && memcmp(q, name, n) == 0 &&
		    isspace((unsigned char)q[n]))
			return true;
		p = q;
	}
	return false;
}

/* Appends "&#<cp>;" (this runs for every escaped tag in a feed, where
 * printf would be the larger part of the cost). */
static int put_char_reference(struct buf *out, unsigned cp)
{
	char tmp[16];
	size_t i = sizeof(tmp);

	tmp[--i] = ';';
	do {
		tmp[--i] = (char)('0' + cp % 10);
		cp /= 10;
	} while (cp);
	tmp[--i] = '#';
	tmp[--i] = '&';
	return buf_append(out, tmp + i, sizeof(tmp) - i);
}

/*
 * Rewrites references before libxml2 sees them, because its recovery
 * mode is harsh: after the first well-formedness error it drops every
 * entity reference, even &amp; and &lt; (escaped HTML turns to mush), and
 * it drops bare '&' ("a=1&b=2") and HTML names (&nbsp;) that feeds use
 * without declaring.  Character references survive, so predefined and
 * HTML entity names become numeric references, and a bare '&' or one
 * before an unknown name becomes "&#38;" (the name stays as text).
 * Entities the document declares itself are left alone (they stay
 * unexpanded references), as are CDATA sections, comments, processing
 * instructions and the DOCTYPE.  Returns the number of '&' escaped, or
 * -ENOMEM.
 */
static int normalise_references(const struct buf *in, struct buf *out)
{
	const char *p = in->data, *end = in->data + in->len, *start = p;
	const char *dtd = NULL;
	size_t dtdlen = 0;
	int bare = 0;

	while (p < end) {
		const char *close = NULL;
		size_t n;
		unsigned cp;

		/* Text and ordinary tags: nothing to do. */
		if ((*p != '<' && *p != '&') ||
		    (*p == '<' && end - p >= 2 && p[1] != '!' && p[1] != '?')) {
			p++;
			continue;
		}
		if (*p == '<' && end - p >= 9 && memcmp(p, "<![CDATA[", 9) == 0)
			close = "]]>";
		else if (*p == '<' && end - p >= 4 && memcmp(p, "<!--", 4) == 0)
			close = "-->";
		else if (*p == '<' && end - p >= 2 && p[1] == '?')
			close = "?>";
		else if (*p == '<' && end - p >= 9 &&
		         memcmp(p, "<!DOCTYPE", 9) == 0) {
			const char *gt = memchr(p, '>', (size_t)(end - p));
			const char *br = memchr(p, '[', (size_t)(end - p));

			close = br && (!gt || br < gt) ? "]>" : ">";
			if (!dtd)
				dtd = p; /* only the first counts */
		}
		if (close) {
			const char *q = p + 2;
			size_t cl = strlen(close);

			while (q + cl <= end && memcmp(q, close, cl) != 0)
				q++;
			p = q + cl <= end ? q + cl : end;
			if (dtd && !dtdlen)
				dtdlen = (size_t)(p - dtd);
			continue;
		}
		if (*p != '&') {
			p++;
			continue;
		}
		if (is_char_reference(p, end)) {
			/* "&#X41;": HTML's spelling, an XML error. */
			if (p[2] == 'X') {
				if (buf_append(out, start,
				               (size_t)(p + 2 - start)) < 0 ||
				    buf_putc(out, 'x') < 0)
					return -ENOMEM;
				start = p + 3;
			}
			p++;
			continue;
		}
		n = entity_name_len(p, end);
		if (n && dtd && declared_entity(dtd, dtdlen, p + 1, n)) {
			p += n + 2;
			continue;
		}
		/* An unknown name is kept as written ("&doesnotexist;"):
		 * libxml2 would drop it, and a reader should see it. */
		cp = n ? known_entity(p + 1, n) : 0;
		if (buf_append(out, start, (size_t)(p - start)) < 0 ||
		    put_char_reference(out, cp ? cp : 38u) < 0)
			return -ENOMEM;
		if (!cp)
			bare++;
		p += cp ? n + 2 : 1;
		start = p;
	}
	if (buf_append(out, start, (size_t)(end - start)) < 0)
		return -ENOMEM;
	return bare;
}

int feed_parse_xml(struct feed_ctx *ctx, const char *data, size_t len,
                   char *err, size_t errlen)
{
	enum feed_format want = ctx->opts->format, got;
	struct encoding_result enc;
	struct xml_errors xe = {.ctx = ctx};
	struct buf utf8 = {0};
	xmlParserCtxtPtr pctxt;
	xmlDocPtr xdoc;
	xmlNode *root;
	int r = 0;

	if (encoding_xml_to_utf8(data, len, ctx->opts->content_type, &utf8,
	                         &enc) < 0) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if (enc.fallback)
		feed_warn(ctx,
		          "declared character encoding unusable; read as %s",
		          enc.charset);
	if (enc.replaced) {
		feed_warn(ctx, "bytes invalid in %s replaced with U+FFFD",
		          enc.charset);
		feed_fault(ctx, "bytes invalid in %s replaced with U+FFFD",
		           enc.charset);
		ctx->replaced = true;
	}
	if (enc.guessed)
		feed_warn(ctx, "no character encoding declared; read as %s",
		          enc.charset);
	if (utf8.len && memchr(utf8.data, '&', utf8.len)) {
		struct buf fixed = {0};
		int n = normalise_references(&utf8, &fixed);

		if (n < 0) {
			buf_free(&fixed);
			snprintf(err, errlen, "out of memory");
			r = -ENOMEM;
			goto out_free_utf8;
		}
		if (n > 0)
			feed_warn(ctx, "%d bare '&' read as text", n);
		buf_free(&utf8);
		utf8 = fixed;
	}
	if (utf8.len > INT32_MAX) {
		snprintf(err, errlen, "document too large");
		r = -EFBIG;
		goto out_free_utf8;
	}
	xmlInitParser();
	pctxt = xmlCreateMemoryParserCtxt(utf8.data ? utf8.data : "",
	                                  (int)utf8.len);
	if (!pctxt) {
		snprintf(err, errlen, "out of memory");
		r = -ENOMEM;
		goto out_free_utf8;
	}
	/* No NOENT, no DTDLOAD, no HUGE: entities stay references, no
	 * external fetch, libxml2's size and depth limits stay on.  The
	 * input is UTF-8 already, whatever its declaration says. */
	xmlCtxtUseOptions(pctxt, XML_PARSE_NONET | XML_PARSE_RECOVER |
	                             XML_PARSE_NOCDATA | XML_PARSE_IGNORE_ENC |
	                             XML_PARSE_NOWARNING | XML_PARSE_NOERROR |
	                             XML_PARSE_BIG_LINES);
	pctxt->_private = &xe;
	ctx->xml = &xe;
	pctxt->sax->serror = on_xml_error;
	if (ctx->opts->base_url && pctxt->input && !pctxt->input->filename)
		pctxt->input->filename =
		    (char *)xmlStrdup((const xmlChar *)ctx->opts->base_url);
	xmlParseDocument(pctxt);
	xdoc = pctxt->myDoc;
	pctxt->myDoc = NULL;
	if (!xdoc || !(root = xmlDocGetRootElement(xdoc))) {
		snprintf(err, errlen, "not a feed: unreadable XML (%s)",
		         xe.first[0] ? xe.first : "no root element");
		r = -EBADMSG;
		goto out_free_doc;
	}
	if (xe.count > XML_MAX_REPORTED)
		feed_warn(ctx,
		          "%d XML errors in all; recovered what could be read",
		          xe.count);
	if (xe.fault[0])
		feed_fault(ctx, "%s", xe.fault);
	if (xe.prefixes[0])
		feed_warn(ctx,
		          "undeclared namespace prefixes read as their usual "
		          "namespaces: %s",
		          xe.prefixes);
	if (is_rss(root, "rss") || is_el(root, NS_RDF, "RDF") ||
	    is_rss(root, "channel"))
		got = FEED_FORMAT_RSS;
	else if (is_atom(root, "feed") || is_atom(root, "entry"))
		got = FEED_FORMAT_ATOM;
	else if (is_cdf(root, "channel"))
		got = FEED_FORMAT_RSS; /* CDF, see parse_cdf() */
	else {
		snprintf(err, errlen, "not a feed: root element <%.40s>",
		         (const char *)root->name);
		r = -EBADMSG;
		goto out_free_doc;
	}
	if (want != FEED_FORMAT_AUTO && want != got) {
		snprintf(err, errlen, "not %s: the document is %s",
		         feed_format_name(want), feed_format_name(got));
		r = -EBADMSG;
		goto out_free_doc;
	}
	ctx->doc->format = got;
	if (got == FEED_FORMAT_RSS && is_cdf(root, "channel") &&
	    strcmp((const char *)root->name, "channel") != 0)
		parse_cdf(ctx, root);
	else if (got == FEED_FORMAT_RSS)
		parse_rss(ctx, root);
	else
		parse_atom(ctx, root);
out_free_doc:
	ctx->xml = NULL;
	if (xdoc)
		xmlFreeDoc(xdoc);
	xmlFreeParserCtxt(pctxt);
out_free_utf8:
	buf_free(&utf8);
	return r;
}
