/*
 * report_query.c — the plumbing the report and the trends models share:
 * JSON helpers that never lose an out-of-memory, queries spelled for the
 * connection's dialect and run in one read transaction, and the small
 * int64 counters the scans fill (see report.c for why the numbers come
 * from scans rather than grouped queries).
 */
#include "report_int.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <utf8proc.h>

#include "date.h"

/* ----------------------------------------------------------- JSON helpers */

json_t *report_json_text(const char *s)
{
	struct buf b = {0};
	const char *p = s;
	json_t *j;

	if (!s)
		return json_null();
	j = json_string(s);
	if (j)
		return j;
	while (*p) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t n =
		    utf8proc_iterate((const utf8proc_uint8_t *)p, -1, &cp);

		if (n < 1) {
			if (buf_puts(&b, "\xef\xbf\xbd") < 0)
				goto out_free_buf;
			p++;
			continue;
		}
		if (buf_append(&b, p, (size_t)n) < 0)
			goto out_free_buf;
		p += n;
	}
	j = json_string(b.data ? b.data : "");
out_free_buf:
	buf_free(&b);
	return j;
}

json_t *report_json_time(int64_t t)
{
	char iso[DATE_RFC3339_LEN];

	return json_string(date_format_rfc3339(t, iso));
}

int report_jset(json_t *o, const char *k, json_t *v)
{
	if (!v)
		return -ENOMEM;
	return json_object_set_new(o, k, v) < 0 ? -ENOMEM : 0;
}

int report_jappend(json_t *a, json_t *v)
{
	if (!v)
		return -ENOMEM;
	return json_array_append_new(a, v) < 0 ? -ENOMEM : 0;
}

int64_t report_jint(const json_t *o, const char *k)
{
	return (int64_t)json_integer_value(json_object_get(o, k));
}

const char *report_jstr(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

int report_jadd(json_t *o, const char *k, int64_t n)
{
	return report_jset(o, k, json_integer(report_jint(o, k) + n));
}

/* -------------------------------------------------------------- queries */

const char *report_period_words(const json_t *model, char *b, size_t n)
{
	const json_t *p = json_object_get(model, "period");
	const char *from = report_jstr(p, "from"), *to = report_jstr(p, "to");

	if (from)
		snprintf(b, n,
		         "Period: from %s up to but not including %s, "
		         "[from, to), UTC.",
		         from, to ? to : "now");
	else
		snprintf(b, n,
		         "Period: from the beginning of the log up to but not "
		         "including %s, [from, to), UTC.",
		         to ? to : "now");
	return b;
}

const char *report_q_sql(const struct report_query *q, const char *lite,
                         const char *pg)
{
	return db_dialect(q->db) == DB_POSTGRES ? pg : lite;
}

static int q_fail(struct report_query *q, int rc, const char *what)
{
	snprintf(q->err, q->errlen, "%s: %s", what, db_errmsg(q->db));
	return rc < 0 ? rc : -EIO;
}

int report_q_prepare(struct report_query *q, const char *sql,
                     struct db_stmt **s, int64_t from, int64_t to)
{
	int rc = db_prepare(q->db, sql, s);

	if (rc < 0) {
		*s = NULL;
		return q_fail(q, rc, "report query");
	}
	/* Parameters ?1 and ?2 are the period wherever a query has them. */
	if (db_bind_count(*s) >= 1)
		db_bind_int64(*s, 1, from);
	if (db_bind_count(*s) >= 2)
		db_bind_int64(*s, 2, to);
	return 0;
}

int report_q_step(struct report_query *q, struct db_stmt *s)
{
	int rc = db_step(s);

	if (rc == DB_ROW)
		return 1;
	if (rc == DB_DONE)
		return 0;
	return q_fail(q, rc, "report query");
}

const char *report_col_str(struct db_stmt *s, int i)
{
	return db_column_text(s, i);
}

json_t *report_col_json_text(struct db_stmt *s, int i)
{
	return report_json_text(report_col_str(s, i));
}

json_t *report_col_json_time(struct db_stmt *s, int i)
{
	if (db_column_null(s, i))
		return json_null();
	return report_json_time(db_column_int64(s, i));
}

json_t *report_col_json_int(struct db_stmt *s, int i)
{
	if (db_column_null(s, i))
		return json_null();
	return json_integer(db_column_int64(s, i));
}

void report_counts_free(struct report_counts *c)
{
	free(c->keys);
	free(c->vals);
	free(c->used);
	memset(c, 0, sizeof(*c));
}

static size_t counts_slot(const struct report_counts *c, int64_t key)
{
	uint64_t h = (uint64_t)key * 0x9e3779b97f4a7c15ULL;
	size_t i = (size_t)(h >> 17) & (c->cap - 1);

	while (c->used[i] && c->keys[i] != key)
		i = (i + 1) & (c->cap - 1);
	return i;
}

static int counts_grow(struct report_counts *c)
{
	struct report_counts g = {0};
	size_t i, j;

	g.cap = c->cap ? c->cap * 2 : 64;
	g.keys = malloc(g.cap * sizeof(*g.keys));
	g.vals = malloc(g.cap * sizeof(*g.vals));
	g.used = calloc(g.cap, sizeof(*g.used));
	if (!g.keys || !g.vals || !g.used) {
		report_counts_free(&g);
		return -ENOMEM;
	}
	for (i = 0; i < c->cap; i++) {
		if (!c->used[i])
			continue;
		j = counts_slot(&g, c->keys[i]);
		g.used[j] = true;
		g.keys[j] = c->keys[i];
		g.vals[j] = c->vals[i];
		g.n++;
	}
	report_counts_free(c);
	*c = g;
	return 0;
}

int report_counts_add(struct report_counts *c, int64_t key, int64_t n)
{
	size_t i;

	if ((c->n + 1) * 2 > c->cap && counts_grow(c) < 0)
		return -ENOMEM;
	i = counts_slot(c, key);
	if (!c->used[i]) {
		c->used[i] = true;
		c->keys[i] = key;
		c->vals[i] = 0;
		c->n++;
	}
	c->vals[i] += n;
	return 0;
}

int64_t report_counts_get(const struct report_counts *c, int64_t key)
{
	size_t i;

	if (!c->cap)
		return 0;
	i = counts_slot(c, key);
	return c->used[i] ? c->vals[i] : 0;
}

int64_t report_day_of(int64_t t)
{
	return t / DAY - (t % DAY < 0);
}

int report_cmp_int64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

int report_read_begin(struct report_query *q)
{
	/* PostgreSQL gives each statement its own snapshot unless asked
	 * for one per transaction. */
	int rc = db_exec(
	    q->db,
	    report_q_sql(q, "BEGIN",
	                 "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));

	return rc == 0 ? 0 : q_fail(q, rc, "report");
}

void report_read_end(struct report_query *q)
{
	db_exec(q->db, "COMMIT");
}
