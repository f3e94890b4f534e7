/*
 * report_int.h — what report.c lends the report sections kept in files of
 * their own (report_record.c): its escaping, headings, paragraphs and
 * wrapped text, so every section treats hostile feed text the same way.
 * Not for callers outside the report; they use report.h.
 */
#ifndef DEMARCHE_REPORT_INT_H
#define DEMARCHE_REPORT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "report.h"
#include "util.h"

struct db;

enum report_esc {
	REPORT_ESC_TEXT, /* terminal: controls replaced, nothing else */
	REPORT_ESC_MD,   /* Markdown inline text */
	REPORT_ESC_HTML, /* HTML text and attribute values */
};

/* s escaped for mode, at most max code points (0 = all). */
int report_put_esc(struct buf *b, const char *s, enum report_esc mode,
                   size_t max);
int report_heading(struct buf *b, enum report_format f, int level,
                   const char *text);
int report_para(struct buf *b, enum report_format f, const char *text);
/* Clean text wrapped at width columns, each line indented (text format). */
int report_put_wrapped(struct buf *b, const char *raw, size_t max_cp,
                       size_t indent, size_t width);
/* Only http(s) URLs without quoting hazards ever become links. */
bool report_url_is_safe(const char *u);
int report_put_md_url(struct buf *b, const char *u);
/* s as a *new* JSON string (invalid UTF-8 repaired), or null for NULL. */
json_t *report_json_text(const char *s);
/* One row of the trends CSV (series,period,group,value). */
int report_csv_row(struct buf *b, const char *series, const char *period,
                   const char *group, const char *value);

/* The "Edited and deleted" section (report_record.c): edits and deletions
 * noticed in [from, to) into report["record"] (skipped, with no key, on a
 * log older than schema 7).  Returns 0 or a negative errno, err set. */
int report_record_build(struct db *db, int schema, int64_t from, int64_t to,
                        json_t *report, char *err, size_t errlen);
int report_record_render(const json_t *report, enum report_format f,
                         struct buf *b);
/* Edits and deletions per account since `since` (0: all) into
 * trends["edits_deletions"], and their text and CSV renderings. */
int report_record_trends(struct db *db, int schema, int64_t since,
                         json_t *trends, char *err, size_t errlen);
int report_record_trends_text(const json_t *trends, struct buf *b);
int report_record_trends_csv(const json_t *trends, struct buf *b);

#endif
