/*
 * report_int.h — what the files of the report module share, private to
 * daemon/report/ (tests/lint/check_layers.sh keeps it there).  The module
 * is cut by role:
 *
 *   report_query.c     JSON helpers, queries on either backend, counters
 *   report.c           the report model: report_build()
 *   report_trends.c    the trends model and its renderings
 *   report_page.c      page building: escaping, tables, headings, examples
 *   report_svg.c       the SVG charts of the HTML report
 *   report_sections.c  the sections of the report and report_render()
 *   report_statements.c statements beside posts, an example's copies
 *
 * The renderers only ever read a model, so text, Markdown, JSON and HTML
 * say the same thing.
 */
#ifndef DEMARCHE_REPORT_INT_H
#define DEMARCHE_REPORT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "db.h"
#include "report.h"
#include "util.h"

#define TOP_ACCOUNTS 5 /* leading accounts per category */
#define EXAMPLES     3 /* strongest posts per category */
#define EXAMPLES_SCAN                                              \
	6                    /* kept while scanning: copies of one \
	                      * statement show once */
#define EXAMPLE_TEXT_MAX 600 /* code points of an example's text */
#define DAYS_FILL_MAX    366 /* longer periods list only days with posts */
#define CELL_MAX         48  /* code points of a table cell */
#define DAY              86400

/* The SQL of a post's report time and the period test on it. */
#define POST_TIME "p.report_time"
#define IN_PERIOD POST_TIME " >= ?1 AND " POST_TIME " < ?2"

#define MAX_CATS        1024 /* distinct category keys a report handles */
#define CAT_KEY(a, cat) ((a)*MAX_CATS + (cat))

/* The account roles in report order (as config.h lists them). */
#define REPORT_N_ROLES 6
extern const char *const report_role_keys[REPORT_N_ROLES];

/* ---- report_query.c: JSON, queries, counters ---------------------- */

/* A JSON string of s even when the log holds invalid UTF-8 (bad bytes
 * become U+FFFD); NULL only when out of memory. */
json_t *report_json_text(const char *s);
/* RFC 3339 of t as a JSON string (a *new* reference). */
json_t *report_json_time(int64_t t);
/* Sets o[k] = v, taking v; -ENOMEM when v is NULL or the set fails. */
int report_jset(json_t *o, const char *k, json_t *v);
/* Appends v to a, taking v; -ENOMEM when v is NULL or the append fails. */
int report_jappend(json_t *a, json_t *v);
/* The integer o[k] (0 when absent), and the string o[k] (NULL). */
int64_t report_jint(const json_t *o, const char *k);
const char *report_jstr(const json_t *o, const char *k);
/* Adds n to the integer o[k] (creating it). */
int report_jadd(json_t *o, const char *k, int64_t n);

/* A read of the log: the connection and where failures are described. */
struct report_query {
	struct db *db; /* the store's connection (borrowed) */
	char *err;     /* where failures are described */
	size_t errlen;
	bool clusters; /* the log has post_clusters (schema 10) */
};

/* The spelling of a query for the connection's dialect (see db.h). */
const char *report_q_sql(const struct report_query *q, const char *lite,
                         const char *pg);
/* Prepares sql and binds from and to as ?1 and ?2 when it has them. */
int report_q_prepare(struct report_query *q, const char *sql,
                     struct db_stmt **s, int64_t from, int64_t to);
/* Returns 1 for a row, 0 at the end, or a negative errno. */
int report_q_step(struct report_query *q, struct db_stmt *s);
/* Column i of the current row: text (borrowed, NULL for NULL), or as a
 * *new* JSON string, RFC 3339 time or integer (JSON null for NULL). */
const char *report_col_str(struct db_stmt *s, int i);
json_t *report_col_json_text(struct db_stmt *s, int i);
json_t *report_col_json_time(struct db_stmt *s, int i);
json_t *report_col_json_int(struct db_stmt *s, int i);
/* Runs build steps inside one read transaction, so every number comes
 * from the same state of the log even while the daemon writes. */
int report_read_begin(struct report_query *q);
void report_read_end(struct report_query *q);

/* int64 -> int64 counters, open addressing with linear probing. */
struct report_counts {
	int64_t *keys; /* slot keys */
	int64_t *vals; /* slot values */
	bool *used;    /* slot taken */
	size_t cap;    /* slots, a power of two */
	size_t n;      /* slots taken */
};

void report_counts_free(struct report_counts *c);
/* Adds n to the counter of key; -ENOMEM when it cannot grow. */
int report_counts_add(struct report_counts *c, int64_t key, int64_t n);
int64_t report_counts_get(const struct report_counts *c, int64_t key);
/* The UTC day number of t (floor division). */
int64_t report_day_of(int64_t t);
/* qsort comparison of int64_t values. */
int report_cmp_int64(const void *a, const void *b);

/* ---- report.c: the model ------------------------------------------ */

/* The "period" of a report or trends model in words, into b (returned):
 * "Period: from 2020-03-01T00:00:00Z up to but not including
 * 2020-03-08T00:00:00Z, [from, to), UTC." */
const char *report_period_words(const json_t *model, char *b, size_t n);
/* accounts.created before until, by year and role:
 * {"2019": {"diplomat": 19}}. */
int report_opened_per_year(struct report_query *q, int64_t until, json_t **out);

/* ---- report_page.c: page building --------------------------------- */

enum report_esc {
	REPORT_ESC_TEXT, /* terminal: controls replaced, nothing else */
	REPORT_ESC_MD,   /* Markdown inline text */
	REPORT_ESC_HTML, /* HTML text and attribute values */
};

/* Appends s escaped for mode, at most max code points (0 = all; a "…"
 * marks a cut).  Invalid UTF-8 becomes U+FFFD, unsafe characters a
 * space. */
int report_put_esc(struct buf *b, const char *s, enum report_esc mode,
                   size_t max);
/* v with its sign ("+3", "-2", "0") into out. */
void report_fmt_signed(char *out, size_t len, int64_t v);

/* The columns the text rendering fits in (tables narrowed, text
 * wrapped): REPORT_TEXT_COLS unless report_render_cols() says otherwise. */
void report_page_set_cols(size_t cols);
/* "1 post", "2 posts": n and the word for it into out. */
const char *report_plural(char *out, size_t len, int64_t n, const char *one,
                          const char *many);

/* A table of plain-text cells rendered as aligned text, a Markdown pipe
 * table or an HTML table. */
struct report_table {
	size_t ncols;             /* columns */
	const char *const *heads; /* ncols header labels (static strings) */
	const char *align;        /* ncols of 'l' or 'r' */
	char **cells;             /* row-major, owned, raw text */
	size_t n;                 /* cells used */
	size_t cap;               /* cells allocated */
};

void report_table_free(struct report_table *t);
/* Appends one cell (a copy of s, "" for NULL), formatted or an integer
 * of the model.  Return 0 or -ENOMEM. */
int report_table_add(struct report_table *t, const char *s);
int report_table_addf(struct report_table *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int report_table_add_int(struct report_table *t, const json_t *v);
/* Appends t in format f to b. */
int report_table_render(struct report_table *t, enum report_format f,
                        struct buf *b);
/* A heading of level 1..3 and a paragraph of plain text, in format f. */
int report_heading(struct buf *b, enum report_format f, int level,
                   const char *text);
int report_para(struct buf *b, enum report_format f, const char *text);
/* One example post of category key: handle, time, link, evidence and
 * its text wrapped, in format f. */
int report_render_example(struct buf *b, enum report_format f, const char *key,
                          const json_t *ex);
/* Year x role table of accounts.created; shared with trends. */
int report_table_years(struct buf *b, enum report_format f,
                       const json_t *years);

/* Clean text wrapped at width columns, each line indented (text). */
int report_put_wrapped(struct buf *b, const char *raw, size_t max_cp,
                       size_t indent, size_t width);
/* Only http(s) URLs without quoting hazards ever become links. */
bool report_url_is_safe(const char *u);
/* A safe URL as a Markdown link target. */
int report_put_md_url(struct buf *b, const char *u);

/* ---- report_record.c: the "Edited and deleted" section ------------ */

/* Edits and deletions noticed in [from, to) into report["record"]
 * (nothing on a log older than schema 8).  0 or a negative errno. */
int report_record_build(struct db *db, int schema, int64_t from, int64_t to,
                        json_t *report, char *err, size_t errlen);
int report_record_render(const json_t *report, enum report_format f,
                         struct buf *b);
/* Edits and deletions per account in [since, until) (since 0: all) into
 * trends["edits_deletions"], and their text rendering (the CSV rows are
 * report_trends_csv()'s series "edits" and "deletions"). */
int report_record_trends(struct db *db, int schema, int64_t since,
                         int64_t until, json_t *trends, char *err,
                         size_t errlen);
int report_record_trends_text(const json_t *trends, struct buf *b);

/* ---- report_statements.c: statements and their copies ------------- */

/* totals.statements (a statement counts once however many copies it has)
 * and totals.copies, after totals.posts.  0 or a negative errno. */
int report_statements_totals(struct report_query *q, int64_t from, int64_t to,
                             json_t *root);
/* categories[k].statements beside categories[k].count. */
int report_statements_categories(struct report_query *q, int64_t from,
                                 int64_t to, json_t *cats);
/* The statement of post_id: the id of its earliest copy, else post_id
 * itself; or a negative errno. */
int64_t report_statement_of(struct report_query *q, int64_t post_id);
/* Whether one of examples already shows statement. */
bool report_statement_shown(const json_t *examples, int64_t statement);
/* ex["statement"] and ex["copies"]: the statement's other posts (handle,
 * platform, url, time), at most 20, and ex["copies_more"] past that. */
int report_statement_copies(struct report_query *q, json_t *ex, int64_t post_id,
                            int64_t statement);
/* The copies of example ex under it, in format f. */
int report_render_copies(struct buf *b, enum report_format f, const json_t *ex);
/* ---- report_narratives.c: the "Narratives" section ---------------- */

/* Every narrative the log records that was stated in [from, to), with its
 * timeline (report_narrative_timeline), into report["narratives"]
 * (nothing on a log older than schema 11).  0 or a negative errno. */
int report_narratives_build(struct db *db, int schema, int64_t from, int64_t to,
                            json_t *report, char *err, size_t errlen);
int report_narratives_render(const json_t *report, enum report_format f,
                             struct buf *b);

/* ---- report_trends_csv.c: the trends as one tidy CSV table --------- */

/* Writes the trends model as CSV with the columns series, period_start,
 * period_end, role, category, account, value: one row per value, zero
 * counts kept, "all" in role for the sum over roles. */
int report_trends_csv(const json_t *tr, struct buf *b);

/* ---- report_svg.c: charts ----------------------------------------- */

/* Posts per category in the period, one coloured bar each in report
 * order (the configured categories, then any other the log holds), the
 * previous period's count as a thin bar under it. */
int report_chart_categories(struct buf *b, const json_t *report);
/* Posts per day (with and without a category) on a date axis. */
int report_chart_days(struct buf *b, const json_t *report);
/* Accounts opened per year, stacked by role; years without any are shown
 * as empty bars so the time axis stays honest. */
int report_chart_years(struct buf *b, const json_t *years);
/* Follower curves of the largest accounts over the days of the period:
 * one polyline each, on a shared scale. */
int report_chart_followers(struct buf *b, const json_t *curves);

#endif
