/*
 * report.h — the summary report.  report_build() queries the log for a
 * period and returns the report as a JSON object in the shape DESIGN.md
 * documents; the renderers turn that one model into text, Markdown, JSON or
 * a self-contained HTML page, so every format says the same thing.
 */
#ifndef DEMARCHE_REPORT_H
#define DEMARCHE_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "store.h"
#include "util.h"

enum report_format {
	REPORT_FORMAT_TEXT,
	REPORT_FORMAT_MD,
	REPORT_FORMAT_JSON,
	REPORT_FORMAT_HTML,
	REPORT_FORMAT_CSV, /* trends only */
};
int report_format_from_name(const char *name, enum report_format *out);
const char *report_format_name(enum report_format f);

/* Builds the report for posts published in [from, to) (UTC epoch seconds;
 * first-seen time for posts without one).  Returns 0 and a *new* reference
 * in *out, or a negative errno with a message in err. */
int report_build(struct store *st, int64_t from, int64_t to, json_t **out,
                 char *err, size_t errlen);
/* Appends the rendering of a report model to b.  Returns 0, -ENOMEM, or
 * -EINVAL for a format reports do not have (CSV). */
int report_render(const json_t *report, enum report_format f, struct buf *b);

/* Columns of the text report: REPORT_TEXT_COLS by default (mail, files),
 * the terminal's $COLUMNS when the tool prints it; never fewer than
 * REPORT_TEXT_COLS_MIN. */
#define REPORT_TEXT_COLS     80
#define REPORT_TEXT_COLS_MIN 40

/* report_render() with the text fitted to cols columns: tables narrowed
 * (long cells cut with a "…"), post text and evidence wrapped. */
int report_render_cols(const json_t *report, enum report_format f, size_t cols,
                       struct buf *b);

/*
 * The account-growth tables of `demarche trends`: accounts opened per year
 * by role, follower growth per account and per role, posts per week and
 * category share per week (weeks start on Monday, named by that date) and
 * per role, over the half-open period [since, until) (since 0 or
 * INT64_MIN: from the beginning), and the first post of each account in
 * each category (whole log before until); "period" states the bounds.
 * Returns 0 and a *new* reference in *out, or a negative errno with a
 * message in err.
 */
int report_trends_build(struct store *st, int64_t since, int64_t until,
                        json_t **out, char *err, size_t errlen);
/* Renders the trends model as TEXT, JSON or CSV (one tidy table with the
 * columns series, period_start, period_end, role, category, account,
 * value; report_trends_csv.c).  Returns 0, -ENOMEM or -EINVAL. */
int report_trends_render(const json_t *trends, enum report_format f,
                         struct buf *b);
/* As report_trends_render(), the text fitted to cols columns (at least
 * REPORT_TEXT_COLS_MIN), as report_render_cols() does for the report. */
int report_trends_render_cols(const json_t *trends, enum report_format f,
                              size_t cols, struct buf *b);

/*
 * One narrative's timeline in [from, to) (report_narratives.c): the JSON
 * of `demarche narrative KEY --format json` — key, name, period, posts
 * (statements), copies, first {account, role, time, url, text, copies},
 * accounts [{handle, role, first, delay_s, posts}] by first use, daily
 * [{day, posts, accounts}], roles [{role, account, first, delay_s}].
 * Returns 0 with a *new* reference, or a negative errno with err.
 */
struct db;
int report_narrative_timeline(struct db *db, const char *key, const char *name,
                              int64_t from, int64_t to, json_t **out, char *err,
                              size_t errlen);

#endif
