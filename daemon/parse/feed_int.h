/*
 * feed_int.h — what the format parsers (parse_xml.c, parse_json.c) share
 * with the dispatcher in feed.c: growing a feed_doc, recording warnings,
 * turning a field's markup into text, resolving links.  Not for callers
 * outside the parsers; they use feed.h.
 */
#ifndef DEMARCHE_FEED_INT_H
#define DEMARCHE_FEED_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "feed.h"

/* At most this many warnings are kept; later ones are counted only. */
#define FEED_MAX_WARNINGS 32

struct xml_errors;

/* Parser state the dispatcher owns. */
struct feed_ctx {
	struct feed_doc *doc;               /* being filled */
	const struct feed_parse_opts *opts; /* caller's options */
	size_t dropped_warnings;            /* past FEED_MAX_WARNINGS */
	bool capped;                        /* max_entries reached */
	bool oom;                           /* an allocation failed */
	bool replaced; /* decoding replaced bytes with U+FFFD: entries
	                * holding one are partial (feed.c) */
	const struct xml_errors *xml; /* parse_xml.c's error record */
};

/* Records why the document is not whole (the first reason is kept). */
void feed_fault(struct feed_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Records a warning (printf-style); an allocation failure sets ctx->oom. */
void feed_warn(struct feed_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* A new zeroed entry with unknown times, or NULL when max_entries is
 * reached (ctx->capped) or memory ran out (ctx->oom). */
struct feed_entry *feed_add_entry(struct feed_ctx *ctx);

/* Content of a field by its declared kind. */
enum feed_text_kind {
	FEED_TEXT_PLAIN, /* text as written */
	FEED_TEXT_HTML,  /* markup (escaped in XML, or JSON content_html) */
	FEED_TEXT_GUESS, /* undeclared: markup if it looks like markup */
};

/* Plain text of s (len bytes) as a *new* string; oneline folds newlines.
 * NULL only on allocation failure (sets ctx->oom). */
char *feed_text(struct feed_ctx *ctx, const char *s, size_t len,
                enum feed_text_kind kind, bool oneline);

/* ref resolved against base (either may be NULL) as a *new* string, or
 * NULL when ref is empty. Whitespace around ref is trimmed. */
char *feed_resolve(struct feed_ctx *ctx, const char *base, const char *ref);

/* Parses a date field, warning (with the field name) when it is present
 * but unreadable. */
int64_t feed_date(struct feed_ctx *ctx, const char *field, const char *s);
/* e->published (and its fraction of a second, e->published_us) from s,
 * as feed_date() reads it. */
void feed_published(struct feed_ctx *ctx, struct feed_entry *e,
                    const char *field, const char *s);

/* The format parsers.  Each fills ctx->doc and returns 0, or a negative
 * errno with a one-line reason in err when nothing usable was found. */
int feed_parse_xml(struct feed_ctx *ctx, const char *data, size_t len,
                   char *err, size_t errlen);
int feed_parse_json(struct feed_ctx *ctx, const char *data, size_t len,
                    char *err, size_t errlen);
int feed_parse_telegram(struct feed_ctx *ctx, const char *data, size_t len,
                        char *err, size_t errlen);
int feed_parse_html(struct feed_ctx *ctx, const char *data, size_t len,
                    char *err, size_t errlen);

#endif
