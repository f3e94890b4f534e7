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
 *
 * Most feed fields are plain text or simple, well-nested markup (<p>, <a>,
 * <br>, a few entities), and building a libxml2 parser and tree for each
 * costs far more than the text is worth.  A hand-written reader takes
 * those inputs in one pass and yields exactly what the tree walk would;
 * at the first thing it does not know for certain (a comment, an unknown
 * element or entity, a misnested tag, anything libxml2 would repair) it
 * gives up and the input goes to libxml2.  The fuzz target checks the two
 * paths against each other.  Likewise NFC is skipped for text made only
 * of characters that no normalisation can change.
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

/* U+0080..U+009F read as the Windows-1252 characters at those bytes;
 * "" for the five bytes Windows-1252 leaves undefined. */
static const char *const cp1252_c1[32] = {
    "\u20ac", "",       "\u201a", "\u0192", "\u201e", "\u2026", "\u2020",
    "\u2021", "\u02c6", "\u2030", "\u0160", "\u2039", "\u0152", "",
    "\u017d", "",       "",       "\u2018", "\u2019", "\u201c", "\u201d",
    "\u2022", "\u2013", "\u2014", "\u02dc", "\u2122", "\u0161", "\u203a",
    "\u0153", "",       "\u017e", "\u0178",
};

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
			/* C1 controls are never meant: they are Windows-1252
			 * punctuation (&#146; for an apostrophe) written by
			 * tools that took it for Latin-1.  Read them so. */
			const char *w =
			    cp1252_c1[(unsigned char)s[i + 1] - 0x80];

			if (*w)
				put(e, w, strlen(w));
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

/* Whether a precomposed character (é, й, で) is its own NFC: its
 * canonical decomposition composes back to it.  Singletons and excluded
 * compositions do not. */
static bool recomposes(utf8proc_int32_t cp)
{
	utf8proc_int32_t d[8];
	utf8proc_ssize_t n;
	int bound = 0;

	n = utf8proc_decompose_char(cp, d, (utf8proc_ssize_t)ARRAY_SIZE(d),
	                            UTF8PROC_DECOMPOSE, &bound);
	if (n < 1 || n > (utf8proc_ssize_t)ARRAY_SIZE(d))
		return false;
	n = utf8proc_normalize_utf32(d, n, UTF8PROC_COMPOSE | UTF8PROC_STABLE);
	return n == 1 && d[0] == cp;
}

/*
 * Whether NFC leaves s (valid UTF-8) unchanged for certain, by a check
 * far cheaper than normalising: every character is below U+0300 (where
 * Unicode has no combining marks and nothing NFC rewrites), or is a
 * starter whose canonical decomposition (if any) composes back to it and
 * that never ends a composition pair (utf8proc marks pair seconds with
 * comb_index >= 0x8000) and is no conjoining Hangul jamo (composed by rule, not
 * by table).  A string of such characters is already composed and ordered.
 */
static bool nfc_inert(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s,
	                    *end = (const unsigned char *)s + n;

	while (p < end) {
		const utf8proc_property_t *prop;
		utf8proc_int32_t cp;

		if (*p < 0x80) {
			p++;
			continue;
		}
		if (*p < 0xcc) {
			/* Two bytes, below U+0300. */
			p += 2;
			continue;
		}
		if (*p < 0xe0) {
			cp = (p[0] & 0x1f) << 6 | (p[1] & 0x3f);
			p += 2;
		} else if (*p < 0xf0) {
			cp = (p[0] & 0x0f) << 12 | (p[1] & 0x3f) << 6 |
			     (p[2] & 0x3f);
			p += 3;
		} else {
			cp = (p[0] & 0x07) << 18 | (p[1] & 0x3f) << 12 |
			     (p[2] & 0x3f) << 6 | (p[3] & 0x3f);
			p += 4;
		}
		if (cp >= 0x1100 && cp <= 0x11ff)
			return false;
		prop = utf8proc_get_property(cp);
		if (prop->combining_class != 0)
			return false;
		if (prop->decomp_seqindex != UINT16_MAX &&
		    prop->decomp_type == 0 && !recomposes(cp))
			return false;
		if (prop->comb_index != UINT16_MAX &&
		    prop->comb_index >= 0x8000)
			return false;
	}
	return true;
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
	if (nfc_inert(e->out.data, e->out.len)) {
		*out = buf_steal(&e->out);
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

/* What the fast reader knows of an element. */
enum fast_kind {
	FK_INLINE,    /* text-level: no effect on the text */
	FK_BLOCK,     /* line break before and after */
	FK_CONTAINER, /* a block that may hold other blocks */
	FK_LIST,      /* ul, ol: holds li (and text) */
	FK_ITEM,      /* li: a container, only directly inside a list */
	FK_BR,        /* void, a line break */
	FK_HR,        /* void, a block */
	FK_VOID,      /* void, no text */
};

/* The elements the fast reader takes; anything else goes to libxml2.
 * <a> and <p> are absent from the nesting rules below on purpose: libxml2
 * closes them implicitly in places, so they may not nest in themselves
 * (nor blocks in <p>). */
static const struct {
	const char *name;    /* lower case */
	enum fast_kind kind; /* role in the text */
} fast_elements[] = {
    {"a", FK_INLINE},      {"abbr", FK_INLINE},   {"b", FK_INLINE},
    {"big", FK_INLINE},    {"cite", FK_INLINE},   {"code", FK_INLINE},
    {"del", FK_INLINE},    {"dfn", FK_INLINE},    {"em", FK_INLINE},
    {"i", FK_INLINE},      {"ins", FK_INLINE},    {"kbd", FK_INLINE},
    {"q", FK_INLINE},      {"s", FK_INLINE},      {"samp", FK_INLINE},
    {"small", FK_INLINE},  {"span", FK_INLINE},   {"strike", FK_INLINE},
    {"strong", FK_INLINE}, {"sub", FK_INLINE},    {"sup", FK_INLINE},
    {"tt", FK_INLINE},     {"u", FK_INLINE},      {"var", FK_INLINE},
    {"p", FK_BLOCK},       {"h1", FK_BLOCK},      {"h2", FK_BLOCK},
    {"h3", FK_BLOCK},      {"h4", FK_BLOCK},      {"h5", FK_BLOCK},
    {"h6", FK_BLOCK},      {"div", FK_CONTAINER}, {"blockquote", FK_CONTAINER},
    {"ul", FK_LIST},       {"ol", FK_LIST},       {"li", FK_ITEM},
    {"br", FK_BR},         {"hr", FK_HR},         {"img", FK_VOID},
    {"wbr", FK_VOID},
};

/* Open elements the fast reader follows; deeper input goes to libxml2. */
#define FAST_MAX_DEPTH 32

struct fast {
	struct emitter *e;         /* where text goes */
	const char *p, *end;       /* input not yet read */
	int stack[FAST_MAX_DEPTH]; /* open elements, fast_elements index */
	int depth;                 /* entries in stack */
};

static bool is_html_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int fast_lookup(const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(fast_elements); i++)
		if (strlen(fast_elements[i].name) == n &&
		    strncasecmp(fast_elements[i].name, name, n) == 0)
			return (int)i;
	return -1;
}

/* Skips the attributes of a start tag up to and including '>'; sets
 * *empty for "/>".  False for anything but plain, well-formed
 * attributes. */
static bool fast_attributes(struct fast *f, bool *empty)
{
	const char *p = f->p, *end = f->end, *q;

	*empty = false;
	for (;;) {
		bool space = false;

		while (p < end && is_html_space(*p))
			p++, space = true;
		if (p >= end)
			return false;
		if (*p == '>') {
			f->p = p + 1;
			return true;
		}
		if (*p == '/') {
			if (p + 1 >= end || p[1] != '>')
				return false;
			*empty = true;
			f->p = p + 2;
			return true;
		}
		if (!space || !isalpha((unsigned char)*p))
			return false;
		while (p < end && (isalnum((unsigned char)*p) || *p == '-' ||
		                   *p == '_' || *p == ':'))
			p++;
		q = p;
		while (q < end && is_html_space(*q))
			q++;
		if (q < end && *q == '=') {
			p = q + 1;
			while (p < end && is_html_space(*p))
				p++;
			if (p >= end)
				return false;
			if (*p == '"' || *p == '\'') {
				const char *c =
				    memchr(p + 1, *p, (size_t)(end - p - 1));

				if (!c)
					return false;
				p = c + 1;
			} else {
				const char *v = p;

				while (p < end &&
				       (isalnum((unsigned char)*p) ||
				        *p == '-' || *p == '_' || *p == '.'))
					p++;
				if (p == v)
					return false;
			}
			/* The next attribute needs a space before it. */
			if (p < end && !is_html_space(*p) && *p != '>' &&
			    *p != '/')
				return false;
		} else if (p < end && !is_html_space(*p) && *p != '>' &&
		           *p != '/') {
			return false;
		}
	}
}

/* Whether element k may open with the current stack: nothing libxml2
 * would close or move implicitly. */
static bool fast_may_open(const struct fast *f, int k)
{
	enum fast_kind kind = fast_elements[k].kind;
	int top = f->depth ? f->stack[f->depth - 1] : -1;
	enum fast_kind tk = top >= 0 ? fast_elements[top].kind : FK_CONTAINER;
	int i;

	switch (kind) {
	case FK_INLINE:
		if (strcmp(fast_elements[k].name, "a") == 0)
			for (i = 0; i < f->depth; i++)
				if (f->stack[i] == k)
					return false;
		return true;
	case FK_ITEM:
		return tk == FK_LIST;
	case FK_BLOCK:
	case FK_CONTAINER:
	case FK_LIST:
	case FK_HR:
		return tk == FK_CONTAINER || tk == FK_ITEM;
	default:
		return true;
	}
}

/* A tag at f->p (just after '<'); false to give up. */
static bool fast_tag(struct fast *f)
{
	const char *p = f->p, *name;
	bool close = false, empty;
	int k;

	if (p < f->end && *p == '/') {
		close = true;
		p++;
	}
	name = p;
	while (p < f->end && isalnum((unsigned char)*p))
		p++;
	if (p == name || !isalpha((unsigned char)*name))
		return false;
	k = fast_lookup(name, (size_t)(p - name));
	if (k < 0)
		return false;
	f->p = p;
	if (close) {
		if (f->p >= f->end || *f->p != '>' || f->depth == 0 ||
		    f->stack[f->depth - 1] != k)
			return false;
		f->p++;
		f->depth--;
		if (fast_elements[k].kind != FK_INLINE)
			want(f->e, PEND_NEWLINE);
		return true;
	}
	if (!fast_attributes(f, &empty) || !fast_may_open(f, k))
		return false;
	switch (fast_elements[k].kind) {
	case FK_INLINE:
		break;
	case FK_VOID:
		return true;
	case FK_BR:
	case FK_HR:
		want(f->e, PEND_NEWLINE);
		return true;
	default:
		want(f->e, PEND_NEWLINE);
		break;
	}
	if (empty) {
		/* "<p/>": opened and closed at once, as libxml2 reads it. */
		if (fast_elements[k].kind != FK_INLINE)
			want(f->e, PEND_NEWLINE);
		return true;
	}
	if (f->depth == FAST_MAX_DEPTH)
		return false;
	f->stack[f->depth++] = k;
	return true;
}

/* A character reference at f->p (just after '&'); false to give up. */
static bool fast_entity(struct fast *f)
{
	static const struct {
		const char *name; /* with the ';' */
		const char *text; /* UTF-8 */
	} named[] = {
	    {"amp;", "&"},   {"lt;", "<"},   {"gt;", ">"},
	    {"quot;", "\""}, {"apos;", "'"}, {"nbsp;", "\xc2\xa0"},
	};
	const char *p = f->p;
	size_t left = (size_t)(f->end - p), i;
	unsigned long v = 0;
	char u[4];
	int n = 0;

	if (left && *p != '#') {
		for (i = 0; i < ARRAY_SIZE(named); i++) {
			size_t m = strlen(named[i].name);

			if (left >= m && memcmp(p, named[i].name, m) == 0) {
				emit(f->e, named[i].text,
				     strlen(named[i].text));
				f->p = p + m;
				return true;
			}
		}
		return false;
	}
	p++;
	if (p < f->end && (*p == 'x' || *p == 'X')) {
		for (p++; p < f->end && isxdigit((unsigned char)*p) && n < 7;
		     p++, n++)
			v = v * 16 +
			    (unsigned long)(isdigit((unsigned char)*p)
			                        ? *p - '0'
			                        : (*p | 0x20) - 'a' + 10);
	} else {
		for (; p < f->end && isdigit((unsigned char)*p) && n < 8;
		     p++, n++)
			v = v * 10 + (unsigned long)(*p - '0');
	}
	if (n == 0 || p >= f->end || *p != ';')
		return false;
	/* Only plain characters: controls, surrogates, noncharacters and
	 * the Windows-1252 range are libxml2's to judge. */
	if (v < 0x20 || (v >= 0x7f && v < 0xa0) ||
	    (v >= 0xd800 && v < 0xe000) || (v >= 0xfdd0 && v <= 0xfdef) ||
	    (v & 0xfffe) == 0xfffe || v > 0x10ffff)
		return false;
	if (v < 0x80) {
		u[0] = (char)v;
		n = 1;
	} else if (v < 0x800) {
		u[0] = (char)(0xc0 | v >> 6);
		u[1] = (char)(0x80 | (v & 0x3f));
		n = 2;
	} else if (v < 0x10000) {
		u[0] = (char)(0xe0 | v >> 12);
		u[1] = (char)(0x80 | (v >> 6 & 0x3f));
		u[2] = (char)(0x80 | (v & 0x3f));
		n = 3;
	} else {
		u[0] = (char)(0xf0 | v >> 18);
		u[1] = (char)(0x80 | (v >> 12 & 0x3f));
		u[2] = (char)(0x80 | (v >> 6 & 0x3f));
		u[3] = (char)(0x80 | (v & 0x3f));
		n = 4;
	}
	emit(f->e, u, (size_t)n);
	f->p = p + 1;
	return true;
}

/* Whether text (valid UTF-8) holds characters XML does not allow: C0
 * controls but tab and line ends, U+FFFE, U+FFFF.  libxml2 drops them,
 * and the input boundaries it then sees are its own business. */
static bool has_non_xml_chars(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;

	for (; p < end; p++) {
		if (*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r')
			return true;
		if (*p == 0xef && end - p >= 3 && p[1] == 0xbf &&
		    (p[2] == 0xbe || p[2] == 0xbf))
			return true;
	}
	return false;
}

/*
 * The fast reader over valid UTF-8 without NULs.  Returns true when it
 * read the whole input; false when the input needs libxml2, in which case
 * the emitter holds a partial result the caller discards.
 */
static bool fast_html(struct emitter *e, const char *s, size_t n)
{
	struct fast f = {.e = e, .p = s, .end = s + n};

	/* A byte order mark opening the input is no text to libxml2. */
	if (n >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0) {
		f.p += 3;
		/* libxml2 skips a second one too, in its own way. */
		if (n >= 6 && memcmp(s + 3, "\xef\xbb\xbf", 3) == 0)
			return false;
	}
	while (f.p < f.end && !e->oom) {
		const char *q = f.p;

		while (q < f.end && *q != '<' && *q != '&')
			q++;
		if (q > f.p) {
			if (has_non_xml_chars(f.p, (size_t)(q - f.p)))
				return false;
			emit(e, f.p, (size_t)(q - f.p));
			f.p = q;
			continue;
		}
		f.p++;
		if (*q == '<' ? !fast_tag(&f) : !fast_entity(&f))
			return false;
	}
	return true;
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
	if (!(flags & HTML_TEXT_NO_FAST_PATH)) {
		if (fast_html(&e, clean.data, clean.len)) {
			buf_free(&clean);
			return finish(&e, out);
		}
		/* Start again from nothing for libxml2. */
		if (e.oom) {
			buf_free(&clean);
			buf_free(&e.out);
			return -ENOMEM;
		}
		buf_reset(&e.out);
		e.pend = PEND_NONE;
		e.pre = 0;
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
