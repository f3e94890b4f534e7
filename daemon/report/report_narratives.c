/*
 * report_narratives.c — narratives in reports: the timeline of one
 * narrative (who stated it first, every account that followed with its
 * delay, statements per day, the first use per role), which `demarche
 * narrative KEY` prints, and the report's "Narratives" section built
 * from it, with a timeline chart in HTML.  Counts are of statements, not
 * copies: posts that post_clusters names copies of one statement count
 * once (COALESCE(c.cluster_id, p.id)), and the first use lists its
 * copies.  The rows are read once, oldest first, and counted in memory
 * with sorts, so a narrative of a million posts takes about a second.
 */
#include "report_int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"

#define SECTION_ACCOUNTS 15 /* followers listed per narrative */
#define CHART_ACCOUNTS   20 /* accounts on a timeline chart */

/* One post of the narrative in the period, oldest first. */
struct row {
	int64_t id;
	int64_t account_id;
	int64_t time;
	int64_t statement;  /* COALESCE(cluster_id, id) */
	const char *handle; /* the account's (borrowed from the timeline) */
	const char *role;
	char *url; /* only for the first use and its copies, else NULL */
};

/* What one account did with the narrative. */
struct acct {
	int64_t account_id;
	const struct row *first; /* its first use */
	int64_t posts;           /* its statements */
};

/* The accounts of the log, by id (few: read whole, not per row). */
struct acct_names {
	int64_t *ids;  /* sorted */
	char **handle; /* parallel to ids */
	char **role;
	size_t n, cap;
};

struct timeline {
	const char *key;
	struct row *rows;
	size_t n, cap;
	int64_t from, to;
	char *first_text;
	struct acct_names names;
};

static void timeline_free(struct timeline *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->rows[i].url);
	free(t->rows);
	free(t->first_text);
	for (i = 0; i < t->names.n; i++) {
		free(t->names.handle[i]);
		free(t->names.role[i]);
	}
	free(t->names.ids);
	free(t->names.handle);
	free(t->names.role);
}

static int load_names(struct db *db, struct acct_names *an)
{
	struct db_stmt *s = NULL;
	int rc;

	rc = db_prepare(db, "SELECT id, handle, role FROM accounts ORDER BY id",
	                &s);
	if (rc < 0)
		return rc;
	while ((rc = db_step(s)) == DB_ROW) {
		if (an->n == an->cap) {
			size_t cap = an->cap ? an->cap * 2 : 64;
			int64_t *ids = realloc(an->ids, cap * sizeof(*ids));
			char **h, **r;

			if (ids)
				an->ids = ids;
			h = realloc(an->handle, cap * sizeof(*h));
			if (h)
				an->handle = h;
			r = realloc(an->role, cap * sizeof(*r));
			if (r)
				an->role = r;
			if (!ids || !h || !r) {
				rc = -ENOMEM;
				break;
			}
			an->cap = cap;
		}
		an->ids[an->n] = db_column_int64(s, 0);
		an->handle[an->n] = xstrdup(db_column_text(s, 1));
		an->role[an->n] = xstrdup(db_column_text(s, 2));
		if (!an->handle[an->n] || !an->role[an->n]) {
			free(an->handle[an->n]);
			free(an->role[an->n]);
			rc = -ENOMEM;
			break;
		}
		an->n++;
	}
	db_finalize(s);
	return rc < 0 ? rc : 0;
}

/* Names each row's account (a binary search of the sorted ids). */
static void name_rows(struct timeline *t)
{
	const struct acct_names *an = &t->names;
	size_t i, lo, hi;

	for (i = 0; i < t->n; i++) {
		struct row *r = &t->rows[i];

		lo = 0;
		hi = an->n;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (an->ids[mid] < r->account_id)
				lo = mid + 1;
			else
				hi = mid;
		}
		r->handle = lo < an->n && an->ids[lo] == r->account_id
		                ? an->handle[lo]
		                : "?";
		r->role = lo < an->n && an->ids[lo] == r->account_id
		              ? an->role[lo]
		              : "other";
	}
}

/* The text of the first use and the URLs of its statement's posts. */
static int load_first(struct db *db, struct timeline *t)
{
	struct db_stmt *s = NULL;
	size_t i;
	int rc;

	rc = db_prepare(db, "SELECT text, url FROM posts WHERE id = ?1", &s);
	for (i = 0; rc == 0 && i < t->n; i++) {
		if (t->rows[i].statement != t->rows[0].statement)
			continue;
		db_reset(s);
		db_bind_int64(s, 1, t->rows[i].id);
		if (db_step(s) != DB_ROW)
			continue;
		if (i == 0 && !db_column_null(s, 0))
			t->first_text = xstrdup(db_column_text(s, 0));
		if (!db_column_null(s, 1))
			t->rows[i].url = xstrdup(db_column_text(s, 1));
	}
	db_finalize(s);
	return rc;
}

static int load_rows(struct db *db, struct timeline *t)
{
	struct db_stmt *s = NULL;
	int rc;

	rc = db_prepare(db,
	                "SELECT p.id, p.account_id, p.report_time,"
	                " COALESCE(c.cluster_id, p.id) FROM post_narratives n"
	                " JOIN posts p ON p.id = n.post_id"
	                " LEFT JOIN post_clusters c ON c.post_id = p.id"
	                " WHERE n.narrative = ?1 AND p.report_time >= ?2"
	                " AND p.report_time < ?3 ORDER BY p.report_time, p.id",
	                &s);
	if (rc < 0)
		return rc;
	db_bind_text(s, 1, t->key);
	db_bind_int64(s, 2, t->from);
	db_bind_int64(s, 3, t->to);
	while ((rc = db_step(s)) == DB_ROW) {
		struct row *r;

		if (t->n == t->cap) {
			size_t cap = t->cap ? t->cap * 2 : 256;

			r = realloc(t->rows, cap * sizeof(*r));
			if (!r) {
				rc = -ENOMEM;
				break;
			}
			t->rows = r;
			t->cap = cap;
		}
		r = &t->rows[t->n++];
		memset(r, 0, sizeof(*r));
		r->id = db_column_int64(s, 0);
		r->account_id = db_column_int64(s, 1);
		r->time = db_column_int64(s, 2);
		r->statement = db_column_int64(s, 3);
	}
	db_finalize(s);
	if (rc < 0 || t->n == 0)
		return rc < 0 ? rc : 0;
	rc = load_names(db, &t->names);
	if (rc == 0) {
		name_rows(t);
		rc = load_first(db, t);
	}
	return rc;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* The number of distinct values among n (sorted in place). */
static int64_t distinct(int64_t *v, size_t n)
{
	int64_t k = 0;
	size_t i;

	qsort(v, n, sizeof(*v), cmp_i64);
	for (i = 0; i < n; i++)
		k += i == 0 || v[i] != v[i - 1];
	return k;
}

static json_t *time_json(int64_t t)
{
	char s[DATE_RFC3339_LEN];

	if (t == INT64_MIN || t == INT64_MAX)
		return json_null();
	return json_string(date_format_rfc3339(t, s));
}

/* A row of an account's use: sorted by account, then statement. */
struct use {
	int64_t account_id;
	int64_t statement;
	size_t row; /* index in the timeline's rows */
};

static int cmp_use(const void *a, const void *b)
{
	const struct use *x = a, *y = b;

	if (x->account_id != y->account_id)
		return (x->account_id > y->account_id) -
		       (x->account_id < y->account_id);
	if (x->statement != y->statement)
		return (x->statement > y->statement) -
		       (x->statement < y->statement);
	return (x->row > y->row) - (x->row < y->row);
}

static int cmp_acct_first(const void *a, const void *b)
{
	const struct acct *x = a, *y = b;

	return (x->first > y->first) - (x->first < y->first);
}

/* Accounts in order of first use, each with its statements: one sort,
 * so a narrative of a million posts takes a moment, not minutes. */
static struct acct *accounts_of(const struct timeline *t, size_t *n_out)
{
	struct acct *a = calloc(t->n ? t->n : 1, sizeof(*a));
	struct use *u = malloc((t->n ? t->n : 1) * sizeof(*u));
	size_t i, n = 0;

	if (!a || !u) {
		free(a);
		free(u);
		return NULL;
	}
	for (i = 0; i < t->n; i++) {
		u[i].account_id = t->rows[i].account_id;
		u[i].statement = t->rows[i].statement;
		u[i].row = i;
	}
	qsort(u, t->n, sizeof(*u), cmp_use);
	for (i = 0; i < t->n; i++) {
		const struct row *r = &t->rows[u[i].row];

		if (i == 0 || u[i].account_id != u[i - 1].account_id) {
			a[n].account_id = u[i].account_id;
			a[n++].first = r;
		} else if (r < a[n - 1].first) {
			a[n - 1].first = r;
		}
		if (i == 0 || u[i].account_id != u[i - 1].account_id ||
		    u[i].statement != u[i - 1].statement)
			a[n - 1].posts++;
	}
	free(u);
	qsort(a, n, sizeof(*a), cmp_acct_first);
	*n_out = n;
	return a;
}

static json_t *daily_json(const struct timeline *t)
{
	json_t *days = json_array();
	int64_t *st = malloc((t->n ? t->n : 1) * sizeof(*st));
	int64_t *ac = malloc((t->n ? t->n : 1) * sizeof(*ac));
	size_t i = 0, j, k;

	while (days && st && ac && i < t->n) {
		int64_t d =
		    t->rows[i].time - ((t->rows[i].time % DAY) + DAY) % DAY;
		char s[DATE_RFC3339_LEN];

		for (j = i, k = 0; j < t->n && t->rows[j].time < d + DAY; j++) {
			st[k] = t->rows[j].statement;
			ac[k++] = t->rows[j].account_id;
		}
		date_format_rfc3339(d, s);
		s[10] = '\0';
		json_array_append_new(
		    days, json_pack("{s:s, s:I, s:I}", "day", s, "posts",
		                    (json_int_t)distinct(st, k), "accounts",
		                    (json_int_t)distinct(ac, k)));
		i = j;
	}
	free(st);
	free(ac);
	return days;
}

static json_t *first_json(const struct timeline *t)
{
	const struct row *f = &t->rows[0];
	json_t *copies = json_array(), *o;
	size_t i;

	for (i = 1; copies && i < t->n; i++)
		if (t->rows[i].statement == f->statement)
			json_array_append_new(
			    copies,
			    json_pack("{s:s, s:s?, s:o}", "account",
			              t->rows[i].handle, "url", t->rows[i].url,
			              "time", time_json(t->rows[i].time)));
	o = json_pack("{s:s, s:s, s:o, s:s?, s:s?, s:o}", "account", f->handle,
	              "role", f->role, "time", time_json(f->time), "url",
	              f->url, "text", t->first_text, "copies", copies);
	return o;
}

/* The whole timeline as the JSON of the issue: a *new* reference. */
static json_t *timeline_json(const struct timeline *t, const char *name)
{
	json_t *o, *accounts = json_array(), *roles = json_array();
	int64_t *st = malloc((t->n ? t->n : 1) * sizeof(*st));
	struct acct *a;
	size_t i, n = 0;

	a = accounts_of(t, &n);
	if (!a || !st || !accounts || !roles) {
		free(a);
		free(st);
		json_decref(accounts);
		json_decref(roles);
		return NULL;
	}
	for (i = 0; i < t->n; i++)
		st[i] = t->rows[i].statement;
	for (i = 0; i < n; i++) {
		const struct row *f = a[i].first;
		bool role_seen = false;
		size_t k;

		json_array_append_new(
		    accounts, json_pack("{s:s, s:s, s:o, s:I, s:I}", "handle",
		                        f->handle, "role", f->role, "first",
		                        time_json(f->time), "delay_s",
		                        (json_int_t)(f->time - t->rows[0].time),
		                        "posts", (json_int_t)a[i].posts));
		for (k = 0; k < json_array_size(roles); k++)
			role_seen |=
			    strcmp(json_string_value(json_object_get(
			               json_array_get(roles, k), "role")),
			           f->role) == 0;
		if (!role_seen)
			json_array_append_new(
			    roles,
			    json_pack("{s:s, s:s, s:o, s:I}", "role", f->role,
			              "account", f->handle, "first",
			              time_json(f->time), "delay_s",
			              (json_int_t)(f->time - t->rows[0].time)));
	}
	o = json_pack("{s:s, s:s?, s:{s:o, s:o}, s:I, s:I, s:o, s:o, s:o, "
	              "s:o}",
	              "key", t->key, "name", name, "period", "from",
	              time_json(t->from), "to", time_json(t->to), "posts",
	              (json_int_t)distinct(st, t->n), "copies",
	              (json_int_t)(t->n - (size_t)distinct(st, t->n)), "first",
	              t->n ? first_json(t) : json_null(), "accounts", accounts,
	              "daily", daily_json(t), "roles", roles);
	free(st);
	free(a);
	return o;
}

int report_narrative_timeline(struct db *db, const char *key, const char *name,
                              int64_t from, int64_t to, json_t **out, char *err,
                              size_t errlen)
{
	struct timeline t = {0};
	int rc;

	*out = NULL;
	t.key = key;
	t.from = from;
	t.to = to;
	rc = load_rows(db, &t);
	if (rc == 0) {
		*out = timeline_json(&t, name);
		if (!*out)
			rc = -ENOMEM;
	}
	if (rc < 0)
		snprintf(err, errlen, "narrative %s: %s", key,
		         rc == -ENOMEM ? "out of memory" : db_errmsg(db));
	timeline_free(&t);
	return rc;
}

/* ---- the report's section ------------------------------------------- */

int report_narratives_build(struct db *db, int schema, int64_t from, int64_t to,
                            json_t *report, char *err, size_t errlen)
{
	json_t *all, *one = NULL;
	struct db_stmt *s = NULL;
	int rc;

	if (schema < 11)
		return 0;
	all = json_array();
	rc = all ? db_prepare(db,
	                      "SELECT narrative, name FROM narratives"
	                      " ORDER BY narrative",
	                      &s)
	         : -ENOMEM;
	while (rc == 0 && (rc = db_step(s)) == DB_ROW) {
		rc = report_narrative_timeline(db, db_column_text(s, 0),
		                               db_column_text(s, 1), from, to,
		                               &one, err, errlen);
		if (rc == 0 && report_jint(one, "posts") > 0)
			rc = report_jappend(all, one);
		else
			json_decref(one);
	}
	db_finalize(s);
	if (rc < 0 && rc != -ENOMEM && !strstr(err, "narrative"))
		snprintf(err, errlen, "narratives: %s", db_errmsg(db));
	if (rc < 0) {
		json_decref(all);
		return rc;
	}
	return report_jset(report, "narratives", all);
}

/* "+2h03m": a delay for the section. */
static void fmt_delay(char *out, size_t len, int64_t s)
{
	if (s < 3600)
		snprintf(out, len, "+%lldm", (long long)(s / 60));
	else if (s < DAY)
		snprintf(out, len, "+%lldh%02lldm", (long long)(s / 3600),
		         (long long)(s % 3600 / 60));
	else
		snprintf(out, len, "+%lldd%02lldh", (long long)(s / DAY),
		         (long long)(s % DAY / 3600));
}

/* The accounts of one narrative on a time axis: one row per account, a
 * dot at its first use, its delay beside it. */
static int chart_timeline(struct buf *b, const json_t *n)
{
	const json_t *accs = json_object_get(n, "accounts");
	size_t i, rows = json_array_size(accs);
	const double W = 720, left = 150, right = 90, row_h = 18, top = 8;
	int64_t span = 1;
	double H;
	int rc;

	if (rows > CHART_ACCOUNTS)
		rows = CHART_ACCOUNTS;
	for (i = 0; i < rows; i++)
		if (report_jint(json_array_get(accs, i), "delay_s") > span)
			span = report_jint(json_array_get(accs, i), "delay_s");
	H = top * 2 + row_h * (double)rows + 14;
	rc = buf_printf(b,
	                "<svg xmlns=\"http://www.w3.org/2000/svg\" "
	                "viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" "
	                "height=\"%.0f\" role=\"img\" aria-label=\"timeline "
	                "of first uses\">\n<line x1=\"%.0f\" y1=\"%.0f\" "
	                "x2=\"%.0f\" y2=\"%.0f\" stroke=\"#444\"/>\n",
	                W, H, W, H, left, H - 14, W - right, H - 14);
	for (i = 0; rc == 0 && i < rows; i++) {
		const json_t *a = json_array_get(accs, i);
		double y = top + row_h * ((double)i + 0.5);
		double x = left + (W - left - right) *
		                      (double)report_jint(a, "delay_s") /
		                      (double)span;
		char d[32];

		fmt_delay(d, sizeof(d), report_jint(a, "delay_s"));
		rc = buf_printf(b,
		                "<text x=\"%.0f\" y=\"%.1f\" class=\"ax\" "
		                "text-anchor=\"end\">",
		                left - 6, y + 4);
		if (rc == 0)
			rc = report_put_esc(b, report_jstr(a, "handle"),
			                    REPORT_ESC_HTML, 24);
		if (rc == 0)
			rc = buf_printf(
			    b,
			    "</text>\n<line x1=\"%.0f\" y1=\"%.1f\" "
			    "x2=\"%.1f\" "
			    "y2=\"%.1f\" stroke=\"#bdd7e7\"/>\n<circle "
			    "cx=\"%.1f\" cy=\"%.1f\" r=\"5\" "
			    "fill=\"#08519c\"/>\n"
			    "<text x=\"%.1f\" y=\"%.1f\" "
			    "class=\"ax\">%s</text>\n",
			    left, y, x, y, x, y, x + 8, y + 4,
			    i == 0 ? "first" : d);
	}
	if (rc == 0)
		rc = buf_puts(b, "</svg>\n");
	return rc;
}

static int render_one(struct buf *b, enum report_format f, const json_t *n)
{
	static const char *const heads[] = {"account", "role", "first use",
	                                    "delay", "posts"};
	const json_t *first = json_object_get(n, "first"), *a;
	struct report_table t = {5, heads, "llllr", NULL, 0, 0};
	char line[512], d[32];
	size_t i;
	int rc;

	snprintf(line, sizeof(line), "%s%s%s%s", report_jstr(n, "key"),
	         report_jstr(n, "name") ? " — " : "",
	         report_jstr(n, "name") ? report_jstr(n, "name") : "", "");
	rc = report_heading(b, f, 3, line);
	snprintf(line, sizeof(line),
	         "%lld statement(s) (%lld copies) by %zu account(s); first "
	         "stated %s by %s (%s) %s",
	         (long long)report_jint(n, "posts"),
	         (long long)report_jint(n, "copies"),
	         json_array_size(json_object_get(n, "accounts")),
	         report_jstr(first, "time"), report_jstr(first, "account"),
	         report_jstr(first, "role"),
	         report_jstr(first, "url") ? report_jstr(first, "url") : "");
	if (rc == 0)
		rc = report_para(b, f, line);
	for (i = 0; rc == 0 && i < SECTION_ACCOUNTS &&
	            (a = json_array_get(json_object_get(n, "accounts"), i));
	     i++) {
		fmt_delay(d, sizeof(d), report_jint(a, "delay_s"));
		rc = report_table_add(&t, report_jstr(a, "handle"));
		if (rc == 0)
			rc = report_table_add(&t, report_jstr(a, "role"));
		if (rc == 0)
			rc = report_table_add(&t, report_jstr(a, "first"));
		if (rc == 0)
			rc = report_table_add(&t, i == 0 ? "first" : d);
		if (rc == 0)
			rc = report_table_add_int(&t,
			                          json_object_get(a, "posts"));
	}
	if (rc == 0)
		rc = report_table_render(&t, f, b);
	report_table_free(&t);
	if (rc == 0 && f == REPORT_FORMAT_HTML)
		rc = chart_timeline(b, n);
	return rc;
}

int report_narratives_render(const json_t *report, enum report_format f,
                             struct buf *b)
{
	const json_t *all = json_object_get(report, "narratives"), *n;
	size_t i;
	int rc;

	if (!json_is_array(all))
		return 0; /* a log without narratives (schema < 11) */
	rc = report_heading(b, f, 2, "Narratives");
	if (rc == 0 && json_array_size(all) == 0)
		rc = report_para(b, f,
		                 "No narrative was stated in this period "
		                 "(narratives are [narrative \"KEY\"] sections "
		                 "of the config).");
	for (i = 0; rc == 0 && (n = json_array_get(all, i)); i++)
		rc = render_one(b, f, n);
	return rc;
}
