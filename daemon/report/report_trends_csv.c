/*
 * report_trends_csv.c — `demarche trends --format csv`: the trends model
 * (report_trends.c) as one tidy table, one variable per column and one
 * value per row, ready for R, pandas or a spreadsheet:
 *
 *   series, period_start, period_end, role, category, account, value
 *
 * Periods are half-open [period_start, period_end) as dates (a follower
 * series as the times of its first and last snapshot); a column that does
 * not apply to a series is empty; "all" in role is the sum over roles.
 * Zero counts are rows like any other, so a year or week without posts or
 * accounts is visible instead of missing; a value that does not exist (a
 * share of no posts, growth from nothing) is an empty field.  The essay's
 * account growth is the pair accounts_cumulative (accounts opened up to
 * the end of each year) and accounts_growth_pct (its change on the year
 * before, in percent).  The first row, series "period", is the
 * half-open period of the whole table: period_start (empty: the beginning
 * of the log) up to but not including period_end, as RFC 3339 times, its
 * value the length in days (empty when it has no start).
 */
#include "report_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "category.h"
#include "date.h"

/* One CSV field: quoted when it holds a separator, a quote or a line
 * break; a leading = + - @ (a spreadsheet formula) gets a ' first. */
static int csv_field(struct buf *b, const char *s)
{
	bool quote;
	int rc = 0;

	if (!s)
		s = "";
	quote = strpbrk(s, ",\"\r\n") != NULL;
	if (quote)
		rc = buf_putc(b, '"');
	if (rc == 0 && *s && strchr("=+-@", *s))
		rc = buf_putc(b, '\'');
	for (; *s && rc == 0; s++)
		rc = *s == '"' ? buf_puts(b, "\"\"") : buf_putc(b, *s);
	if (rc == 0 && quote)
		rc = buf_putc(b, '"');
	return rc;
}

/* One row; the value is written as given (a number, or "" when none). */
struct row {
	const char *series;   /* series name */
	const char *start;    /* period_start, or NULL */
	const char *end;      /* period_end, or NULL */
	const char *role;     /* or NULL */
	const char *category; /* or NULL */
	const char *account;  /* handle, or NULL */
};

static int put_row(struct buf *b, const struct row *r, const char *value)
{
	const char *f[6] = {r->series, r->start,    r->end,
	                    r->role,   r->category, r->account};
	int rc = 0, i;

	for (i = 0; i < 6 && rc == 0; i++) {
		rc = csv_field(b, f[i]);
		if (rc == 0)
			rc = buf_putc(b, ',');
	}
	if (rc == 0)
		rc = buf_puts(b, value);
	return rc ? rc : buf_putc(b, '\n');
}

static int put_int(struct buf *b, const struct row *r, int64_t v)
{
	char val[32];

	snprintf(val, sizeof(val), "%lld", (long long)v);
	return put_row(b, r, val);
}

/* A share (or ratio) with 4 decimals; "" when it does not exist. */
static int put_real(struct buf *b, const struct row *r, const json_t *v,
                    const char *fmt)
{
	char val[32] = "";

	if (json_is_number(v))
		snprintf(val, sizeof(val), fmt, json_number_value(v));
	return put_row(b, r, val);
}

/* "YYYY-MM-DD" plus days into out. */
static void date_plus(const char *day, int days, char *out)
{
	int y = 0, m = 0, d = 0;
	char iso[DATE_RFC3339_LEN];

	if (!day || sscanf(day, "%4d-%2d-%2d", &y, &m, &d) != 3) {
		out[0] = '\0';
		return;
	}
	date_format_rfc3339(util_timegm(y, m, d, 0, 0, 0) + days * DAY, iso);
	memcpy(out, iso, 10);
	out[10] = '\0';
}

/* The category keys: the codebook's, then any other the model names. */
struct cat_list {
	const char *keys[MAX_CATS]; /* borrowed from the model or static */
	size_t n;
};

static void cats_add(struct cat_list *c, const char *key)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (strcmp(c->keys[i], key) == 0)
			return;
	if (c->n < MAX_CATS)
		c->keys[c->n++] = key;
}

static void cats_collect(const json_t *tr, struct cat_list *c)
{
	const json_t *weeks = json_object_get(tr, "category_share_per_week"),
	             *roles = json_object_get(tr, "category_share_by_role");
	const char *key, *role;
	json_t *v, *rv;
	size_t i;

	c->n = 0;
	for (i = 0; i < (size_t)category_count(); i++)
		cats_add(c, category_key((int)i));
	for (i = 0; i < json_array_size(weeks); i++) {
		const json_t *wc =
		    json_object_get(json_array_get(weeks, i), "categories");

		json_object_foreach((json_t *)wc, key, v)
		{
			cats_add(c, key);
		}
	}
	json_object_foreach((json_t *)roles, role, rv)
	{
		json_object_foreach(json_object_get(rv, "categories"), key, v)
		{
			cats_add(c, key);
		}
	}
}

/* Accounts opened per year and role, every year from the first to the
 * last and every role (zeros kept), then the cumulative count and its
 * growth on the year before, per role and for all. */
static int csv_years(const json_t *tr, struct buf *b)
{
	const json_t *years = json_object_get(tr, "opened_per_year");
	int64_t cum[REPORT_N_ROLES + 1] = {0};
	long first = 0, last = -1, y;
	const char *key;
	json_t *v;
	int rc = 0;

	json_object_foreach((json_t *)years, key, v)
	{
		long k = atol(key);

		if (k <= 0)
			continue;
		if (last < first || k < first)
			first = k;
		if (k > last)
			last = k;
	}
	for (y = first; y <= last && rc == 0; y++) {
		char start[32], end[32], ys[32];
		const json_t *yo;
		int64_t prev[REPORT_N_ROLES + 1], total = 0;
		size_t r;

		snprintf(ys, sizeof(ys), "%ld", y);
		snprintf(start, sizeof(start), "%04ld-01-01", y);
		snprintf(end, sizeof(end), "%04ld-01-01", y + 1);
		yo = json_object_get(years, ys);
		memcpy(prev, cum, sizeof(prev));
		for (r = 0; r <= REPORT_N_ROLES && rc == 0; r++) {
			const char *role =
			    r < REPORT_N_ROLES ? report_role_keys[r] : "all";
			int64_t n = r < REPORT_N_ROLES
			                ? report_jint(yo, report_role_keys[r])
			                : total;
			struct row row = {
			    "opened_per_year", start, end, role, NULL, NULL};
			char pct[32] = "";

			total += r < REPORT_N_ROLES ? n : 0;
			cum[r] += n;
			rc = put_int(b, &row, n);
			row.series = "accounts_cumulative";
			row.start = NULL;
			if (rc == 0)
				rc = put_int(b, &row, cum[r]);
			/* Growth on the year before; none from nothing. */
			if (prev[r] > 0)
				snprintf(pct, sizeof(pct), "%.1f",
				         100.0 * (double)(cum[r] - prev[r]) /
				             (double)prev[r]);
			row.series = "accounts_growth_pct";
			row.start = start;
			if (rc == 0)
				rc = put_row(b, &row, pct);
		}
	}
	return rc;
}

/* Each account's followers: first and last snapshot and the change. */
static int csv_followers(const json_t *tr, struct buf *b)
{
	const json_t *fg = json_object_get(tr, "follower_growth"),
	             *byrole = json_object_get(tr, "follower_growth_by_role");
	const char *key;
	json_t *v;
	size_t i;
	int rc = 0;

	for (i = 0; i < json_array_size(fg) && rc == 0; i++) {
		const json_t *a = json_array_get(fg, i);
		struct row row = {"followers_first",
		                  report_jstr(a, "first_observed"),
		                  report_jstr(a, "last_observed"),
		                  report_jstr(a, "role"),
		                  NULL,
		                  report_jstr(a, "handle")};

		rc = put_int(b, &row, report_jint(a, "first"));
		row.series = "followers_last";
		if (rc == 0)
			rc = put_int(b, &row, report_jint(a, "last"));
		row.series = "followers_change";
		if (rc == 0)
			rc = put_int(b, &row, report_jint(a, "change"));
	}
	json_object_foreach((json_t *)byrole, key, v)
	{
		struct row row = {
		    "followers_change_by_role", NULL, NULL, key, NULL, NULL};

		if (rc == 0)
			rc = put_int(b, &row, report_jint(v, "change"));
		row.series = "followers_change_pct_by_role";
		if (rc == 0)
			rc = put_real(b, &row, json_object_get(v, "change_pct"),
			              "%.4f");
	}
	return rc;
}

/* Posts per week and, for every category, its count and share. */
static int csv_weeks(const json_t *tr, const struct cat_list *cats,
                     struct buf *b)
{
	const json_t *weeks = json_object_get(tr, "category_share_per_week");
	size_t i, k;
	int rc = 0;

	for (i = 0; i < json_array_size(weeks) && rc == 0; i++) {
		const json_t *w = json_array_get(weeks, i),
		             *wc = json_object_get(w, "categories");
		const char *start = report_jstr(w, "week");
		int64_t posts = report_jint(w, "posts");
		char end[16];
		struct row row = {
		    "posts_per_week", start, end, NULL, NULL, NULL};

		date_plus(start, 7, end);
		rc = put_int(b, &row, posts);
		for (k = 0; k < cats->n && rc == 0; k++) {
			const json_t *cv = json_object_get(wc, cats->keys[k]);
			char share[32] = "";

			row.category = cats->keys[k];
			row.series = "category_count_per_week";
			rc = put_int(b, &row, report_jint(cv, "count"));
			if (posts > 0)
				snprintf(share, sizeof(share), "%.4f",
				         (double)report_jint(cv, "count") /
				             (double)posts);
			row.series = "category_share_per_week";
			if (rc == 0)
				rc = put_row(b, &row, share);
		}
	}
	return rc;
}

/* Per role over the weeks of the model: posts, and every category's
 * count and share. */
static int csv_roles(const json_t *tr, const struct cat_list *cats,
                     struct buf *b)
{
	const json_t *share = json_object_get(tr, "category_share_by_role"),
	             *weeks = json_object_get(tr, "posts_per_week");
	size_t nw = json_array_size(weeks), r, k;
	const char *start =
	    nw ? report_jstr(json_array_get(weeks, 0), "week") : NULL;
	char end[16] = "";
	int rc = 0;

	if (nw)
		date_plus(report_jstr(json_array_get(weeks, nw - 1), "week"), 7,
		          end);
	for (r = 0; r < REPORT_N_ROLES && rc == 0; r++) {
		const char *role = report_role_keys[r];
		const json_t *rv = json_object_get(share, role),
		             *cmap = json_object_get(rv, "categories");
		int64_t posts = report_jint(rv, "posts");
		struct row row = {"posts_by_role",
		                  start,
		                  end[0] ? end : NULL,
		                  role,
		                  NULL,
		                  NULL};

		rc = put_int(b, &row, posts);
		for (k = 0; k < cats->n && rc == 0; k++) {
			const json_t *cv = json_object_get(cmap, cats->keys[k]);
			char sh[32] = "";

			row.category = cats->keys[k];
			row.series = "category_count_by_role";
			rc = put_int(b, &row, report_jint(cv, "count"));
			if (posts > 0)
				snprintf(sh, sizeof(sh), "%.4f",
				         (double)report_jint(cv, "count") /
				             (double)posts);
			row.series = "category_share_by_role";
			if (rc == 0)
				rc = put_row(b, &row, sh);
		}
	}
	return rc;
}

/* When each account first posted in each category (value 1: an event). */
static int csv_first(const json_t *tr, struct buf *b)
{
	const json_t *first = json_object_get(tr, "first_appearance");
	size_t i;
	int rc = 0;

	for (i = 0; i < json_array_size(first) && rc == 0; i++) {
		const json_t *x = json_array_get(first, i);
		struct row row = {"first_appearance",
		                  report_jstr(x, "first"),
		                  NULL,
		                  report_jstr(x, "role"),
		                  report_jstr(x, "category"),
		                  report_jstr(x, "handle")};

		rc = put_row(b, &row, "1");
	}
	return rc;
}

/* Edits and deletions noticed per account over the trends' period
 * (report_record.c; absent on a log without the statement record). */
static int csv_edits(const json_t *tr, struct buf *b)
{
	const json_t *rows = json_object_get(tr, "edits_deletions");
	size_t i;
	int rc = 0;

	for (i = 0; i < json_array_size(rows) && rc == 0; i++) {
		const json_t *x = json_array_get(rows, i);
		struct row row = {"edits", NULL,
		                  NULL,    report_jstr(x, "role"),
		                  NULL,    report_jstr(x, "handle")};

		rc = put_int(b, &row,
		             json_integer_value(json_object_get(x, "edits")));
		row.series = "deletions";
		if (rc == 0)
			rc = put_int(b, &row,
			             json_integer_value(
			                 json_object_get(x, "deletions")));
	}
	return rc;
}

/* The "period" row: the half-open period of the whole table. */
static int csv_period(const json_t *tr, struct buf *b)
{
	const json_t *p = json_object_get(tr, "period");
	const char *from = report_jstr(p, "from"), *to = report_jstr(p, "to");
	struct row row = {"period", from, to, NULL, NULL, NULL};
	int64_t t0, t1;
	char days[32] = "";

	if (from && to && date_parse_strict(from, &t0) == 0 &&
	    date_parse_strict(to, &t1) == 0)
		snprintf(days, sizeof(days), "%.4g", (double)(t1 - t0) / DAY);
	return put_row(b, &row, days);
}

int report_trends_csv(const json_t *tr, struct buf *b)
{
	struct cat_list *cats = malloc(sizeof(*cats));
	int rc;

	if (!cats)
		return -ENOMEM;
	cats_collect(tr, cats);
	rc = buf_puts(b, "series,period_start,period_end,role,category,"
	                 "account,value\n");
	if (rc == 0)
		rc = csv_period(tr, b);
	if (rc == 0)
		rc = csv_years(tr, b);
	if (rc == 0)
		rc = csv_followers(tr, b);
	if (rc == 0)
		rc = csv_weeks(tr, cats, b);
	if (rc == 0)
		rc = csv_roles(tr, cats, b);
	if (rc == 0)
		rc = csv_first(tr, b);
	if (rc == 0)
		rc = csv_edits(tr, b);
	free(cats);
	return rc;
}
