/*
 * html_text.h — HTML to plain text, the form the classifier and the
 * database hold.  Markup is parsed with libxml2's HTML parser (never the
 * network, never an error printed), block elements become line breaks,
 * <br> a newline, script/style/template dropped, entities decoded,
 * whitespace folded, the result in Unicode NFC.  Input is repaired first:
 * ill-formed UTF-8 becomes U+FFFD and NUL bytes are dropped.  Pure.
 */
#ifndef DEMARCHE_HTML_TEXT_H
#define DEMARCHE_HTML_TEXT_H

#include <stddef.h>

enum html_text_flags {
	HTML_TEXT_ONELINE = 1 << 0, /* newlines folded too (titles, names) */
	HTML_TEXT_NO_FAST_PATH = 1 << 1, /* always libxml2 (tests compare) */
};

/*
 * Converts len bytes of HTML to plain text; *out is a *new* string ("" for
 * nothing).  Returns 0 or -ENOMEM.
 */
int html_to_text(const char *html, size_t len, unsigned flags, char **out);

/*
 * Cleans text that is already plain: repairs UTF-8, drops NULs and other
 * control characters, folds runs of spaces (and, with HTML_TEXT_ONELINE,
 * newlines), trims, normalises to NFC.  Entities are NOT decoded: the text
 * is taken as written.  Returns 0 or -ENOMEM.
 */
int html_plain_text(const char *text, size_t len, unsigned flags, char **out);

/* Whether s looks like markup rather than plain text: a tag or an entity
 * reference.  Used for fields whose type is not declared. */
int html_looks_like_markup(const char *s);

#endif
