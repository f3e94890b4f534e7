/*
 * html_text.c — HTML and plain text to the normalised plain text stored
 * for every post.
 *
 * HTML goes through libxml2's forgiving HTML parser into a tree, which a
 * non-recursive walk turns into text: text nodes are emitted with their
 * whitespace folded, block elements and <br> request a line break, cells
 * a space, and script-like elements are skipped whole.  Breaks and spaces
 * are "pending" until the next visible character, so markup never yields
 * leading, trailing or doubled whitespace.  The result is NFC (utf8proc).
 */
#include "html_text.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <utf8proc.h>

#include "encoding.h"
#include "util.h"

enum pending {
	PEND_NONE = 0,
	PEND_SPACE,
	PEND_NEWLINE,
};

struct emitter {
	struct buf out;    /* text so far */
	enum pending pend; /* whitespace owed before the next character */
	unsigned flags;    /* HTML_TEXT_* */
	int pre;           /* depth of <pre> elements: newlines kept */
	bool oom;          /* an allocation failed */
};

static void want(struct emitter *e, enum pending p)
{
	if (p > e->pend)
		e->pend = p;
}

static void put(struct emitter *e, const char *s, size_t n)
{
	if (e->pend != PEND_NONE && e->out.len > 0) {
		char c =
		    e->pend == PEND_NEWLINE && !(e->flags & HTML_TEXT_ONELINE)
		        ? '\n'
		        : ' ';

		if (buf_putc(&e->out, c) < 0)
			e->oom = true;
	}
	e->pend = PEND_NONE;
	if (buf_append(&e->out, s, n) < 0)
		e->oom = true;
}

/* Emits valid UTF-8 text, folding whitespace and dropping controls. */
static void emit(struct emitter *e, const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		size_t k = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;

		if (i + k > n)
			break;
		if (c == '\n' || c == '\r') {
			want(e, e->pre ? PEND_NEWLINE : PEND_SPACE);
		} else if (c == ' ' || c == '\t' || c == '\f' || c == '\v') {
			want(e, PEND_SPACE);
		} else if (c < 0x20 || c == 0x7f) {
			/* other C0 controls: never content */
		} else if (c == 0xc2 && (unsigned char)s[i + 1] == 0xa0) {
			want(e, PEND_SPACE); /* no-break space */
		} else if (c == 0xc2 && (unsigned char)s[i + 1] < 0xa0) {
			/* C1 controls */
		} else {
			size_t j = i + k;

			/* Copy the run of ordinary characters at once. */
			while (j < n) {
				unsigned char d = (unsigned char)s[j];

				if (d <= 0x20 || d == 0x7f || d == 0xc2)
					break;
				j += d < 0x80   ? 1
				     : d < 0xe0 ? 2
				     : d < 0xf0 ? 3
				                : 4;
			}
			if (j > n)
				j = n;
			put(e, s + i, j - i);
			i = j;
			continue;
		}
		i += k;
	}
}

/* Elements whose content is not text for a reader.  The fallback
 * content of iframe, object and noscript is text and is kept. */
static bool is_dropped(const char *name)
{
	static const char *const names[] = {
	    "script",
	    "style",
	    "template",
	    "title",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (strcasecmp(name, names[i]) == 0)
			return true;
	return false;
}

/* Elements that start and end a line. */
static bool is_block(const char *name)
{
	static const char *const names[] = {
	    "p",        "div",     "ul",      "ol",         "li",
	    "dl",       "dt",      "dd",      "blockquote", "pre",
	    "table",    "tr",      "thead",   "tbody",      "tfoot",
	    "caption",  "section", "article", "header",     "footer",
	    "aside",    "nav",     "figure",  "figcaption", "hr",
	    "address",  "main",    "details", "summary",    "form",
	    "fieldset", "center",  "h1",      "h2",         "h3",
	    "h4",       "h5",      "h6",      "body",       "html",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (strcasecmp(name, names[i]) == 0)
			return true;
	return false;
}

static void leave(struct emitter *e, xmlNode *n)
{
	const char *name = (const char *)n->name;

	if (n->type != XML_ELEMENT_NODE || !name)
		return;
	if (is_block(name))
		want(e, PEND_NEWLINE);
	else if (strcasecmp(name, "td") == 0 || strcasecmp(name, "th") == 0)
		want(e, PEND_SPACE);
	if (strcasecmp(name, "pre") == 0 && e->pre > 0)
		e->pre--;
}

/* Handles the start of n; returns whether to walk its children. */
static bool enter(struct emitter *e, xmlNode *n)
{
	const char *name = (const char *)n->name;

	switch (n->type) {
	case XML_TEXT_NODE:
	case XML_CDATA_SECTION_NODE:
		if (n->content)
			emit(e, (const char *)n->content,
			     strlen((const char *)n->content));
		return false;
	case XML_ELEMENT_NODE:
		break;
	default:
		/* Comments, processing instructions, entity references
		 * (never expanded: that is how entity bombs explode). */
		return false;
	}
	if (!name || is_dropped(name))
		return false;
	if (strcasecmp(name, "br") == 0) {
		want(e, PEND_NEWLINE);
		return false;
	}
	if (is_block(name))
		want(e, PEND_NEWLINE);
	else if (strcasecmp(name, "td") == 0 || strcasecmp(name, "th") == 0)
		want(e, PEND_SPACE);
	if (strcasecmp(name, "pre") == 0)
		e->pre++;
	if (!n->children) {
		leave(e, n);
		return false;
	}
	return true;
}

/* Walks the tree under root without recursion: nesting depth is chosen by
 * whoever wrote the feed. */
static void walk(struct emitter *e, xmlNode *root)
{
	xmlNode *n = root->children;

	while (n && !e->oom) {
		if (enter(e, n)) {
			n = n->children;
			continue;
		}
		for (;;) {
			if (n->next) {
				n = n->next;
				break;
			}
			n = n->parent;
			if (!n || n == root) {
				n = NULL;
				break;
			}
			leave(e, n);
		}
	}
}

/* NFC of the emitter's text, handed over as a new string. */
static int finish(struct emitter *e, char **out)
{
	utf8proc_uint8_t *nfc = NULL;
	utf8proc_ssize_t r;

	if (e->oom) {
		buf_free(&e->out);
		return -ENOMEM;
	}
	if (e->out.len == 0) {
		buf_free(&e->out);
		*out = strdup("");
		return *out ? 0 : -ENOMEM;
	}
	r = utf8proc_map((const utf8proc_uint8_t *)e->out.data,
	                 (utf8proc_ssize_t)e->out.len, &nfc,
	                 UTF8PROC_STABLE | UTF8PROC_COMPOSE);
	if (r == UTF8PROC_ERROR_NOMEM) {
		buf_free(&e->out);
		return -ENOMEM;
	}
	if (r < 0) {
		/* Cannot happen for repaired input; keep the text as is. */
		*out = buf_steal(&e->out);
		return *out ? 0 : -ENOMEM;
	}
	buf_free(&e->out);
	*out = (char *)nfc;
	return 0;
}

/* Parse errors are expected in feed HTML and never printed. */
static void quiet(void *ctx, xmlErrorPtr err)
{
	(void)ctx;
	(void)err;
}

int html_to_text(const char *html, size_t len, unsigned flags, char **out)
{
	struct emitter e = {.flags = flags};
	struct buf clean = {0};
	htmlParserCtxtPtr ctxt;
	htmlDocPtr doc;
	xmlNode *root;
	int r;

	*out = NULL;
	r = encoding_utf8_repair(html ? html : "", html ? len : 0, &clean);
	if (r < 0)
		return r;
	if (clean.len == 0) {
		buf_free(&clean);
		return finish(&e, out);
	}
	if (clean.len > INT32_MAX) {
		buf_free(&clean);
		return -E2BIG;
	}
	ctxt = htmlNewParserCtxt();
	if (!ctxt) {
		buf_free(&clean);
		return -ENOMEM;
	}
	ctxt->sax->serror = quiet;
	doc = htmlCtxtReadMemory(
	    ctxt, clean.data, (int)clean.len, NULL, "UTF-8",
	    HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
	        HTML_PARSE_RECOVER | HTML_PARSE_COMPACT);
	buf_free(&clean);
	if (doc) {
		/* Not NOIMPLIED: without an implied body, libxml2 nests text
		 * that follows a head element (script, style) inside it. */
		root = (xmlNode *)doc;
		walk(&e, root);
		xmlFreeDoc(doc);
	}
	htmlFreeParserCtxt(ctxt);
	return finish(&e, out);
}

int html_plain_text(const char *text, size_t len, unsigned flags, char **out)
{
	struct emitter e = {.flags = flags, .pre = 1};
	struct buf clean = {0};
	int r;

	*out = NULL;
	r = encoding_utf8_repair(text ? text : "", text ? len : 0, &clean);
	if (r < 0)
		return r;
	if (clean.len)
		emit(&e, clean.data, clean.len);
	buf_free(&clean);
	return finish(&e, out);
}

int html_looks_like_markup(const char *s)
{
	const char *p;

	if (!s)
		return 0;
	for (p = s; (p = strpbrk(p, "<&")); p++) {
		if (*p == '<' && (isalpha((unsigned char)p[1]) || p[1] == '/' ||
		                  p[1] == '!'))
			return 1;
		if (*p == '&') {
			const char *q = p + 1;

			if (*q == '#')
				q++;
			while (isalnum((unsigned char)*q))
				q++;
			if (*q == ';' && q > p + 1)
				return 1;
		}
	}
	return 0;
}
