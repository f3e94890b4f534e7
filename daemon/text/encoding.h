/*
 * encoding.h — turns the bytes of a feed into UTF-8 before any parser sees
 * them.  For XML the charset is chosen as RFC 7303 says (byte order mark,
 * then the HTTP charset parameter, then the XML declaration, then
 * sniffing), so the HTTP header wins over the declaration; JSON is UTF-8
 * but may carry a BOM.  Conversion uses iconv (glibc), with the WHATWG
 * supersets for legacy labels (GB2312 and GBK read as GB18030, Shift_JIS
 * as Windows-932, EUC-KR as Windows-949, Latin-1 and ASCII as
 * Windows-1252).  Undecodable bytes become U+FFFD; NUL bytes are dropped.
 * Pure: no I/O.
 */
#ifndef DEMARCHE_ENCODING_H
#define DEMARCHE_ENCODING_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

struct encoding_result {
	char charset[40]; /* the encoding used, upper case ("UTF-8") */
	const char
	    *source;   /* "bom", "http", "declaration", "sniffed", "default" */
	bool replaced; /* some bytes could not be decoded (U+FFFD) */
	bool fallback; /* the declared charset was unknown or wrong and
	                * another was used */
	bool guessed;  /* nothing declared it and it is not UTF-8: charset is
	                * the East Asian encoding that decodes it cleanly */
};

/*
 * Converts data (len bytes, an XML document) to UTF-8 in out (appended).
 * content_type may be NULL.  Returns 0, or -ENOMEM.  Never fails on bad
 * input: what cannot be decoded is replaced and flagged in *res.
 */
int encoding_xml_to_utf8(const char *data, size_t len, const char *content_type,
                         struct buf *out, struct encoding_result *res);

/* Same for JSON: BOM honoured, otherwise UTF-8 repaired. */
int encoding_json_to_utf8(const char *data, size_t len, struct buf *out,
                          struct encoding_result *res);

/*
 * Appends s (len bytes) to out as valid UTF-8: ill-formed sequences
 * (overlongs, surrogates, truncations, > U+10FFFF) become U+FFFD, NUL
 * bytes are dropped.  Returns the number of replacements, or -ENOMEM.
 */
int encoding_utf8_repair(const char *s, size_t len, struct buf *out);

/* Converts len bytes from charset (an iconv name or a label) to UTF-8,
 * appending to out.  Returns the number of replacements made, -EINVAL for
 * an unknown charset, or -ENOMEM. */
int encoding_convert(const char *charset, const char *s, size_t len,
                     struct buf *out);

#endif
