/*
 * report_trends.c — the account-growth trends: report_trends_build()
 * turns the whole log since a date into a JSON model (posts and category
 * share per week, follower growth and category share per role, when each
 * account first posted in each category, accounts opened per year), and
 * report_trends_render() writes it as text, JSON or CSV (the tidy table
 * of report_trends_csv.c).
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

#include "date.h"

/* ------------------------------------------------------------- trends */

/* The Monday (as a UTC day number) of the week of day d. */
static int64_t week_of(int64_t d)
{
	return d - (((d + 3) % 7) + 7) % 7;
}

/* Category assignments per week: keys in order of discovery, counts by
 * CAT_KEY(week, key index). */
struct week_cats {
	struct report_counts counts;
	char *keys[MAX_CATS];
	size_t n;
};

/* Counts the posts of [since, until) per week into wk. */
static int weeks_count_posts(struct report_query *q, int64_t since,
                             int64_t until, struct report_counts *wk)
{
	static const char posts_sql[] =
	    "SELECT report_time FROM posts WHERE report_time >= ?1"
	    " AND report_time < ?2";
	struct db_stmt *s;
	int rc;

	rc = report_q_prepare(q, posts_sql, &s, since, until);
	if (rc < 0)
		return rc;
	while ((rc = report_q_step(q, s)) == 1)
		if (report_counts_add(
		        wk, week_of(report_day_of(db_column_int64(s, 0))), 1) <
		    0) {
			rc = -ENOMEM;
			break;
		}
	db_finalize(s);
	return rc;
}

/* Counts the category assignments of [since, until) per week and
 * category. */
static int weeks_count_cats(struct report_query *q, int64_t since,
                            int64_t until, struct week_cats *wc)
{
	static const char cats_sql[] =
	    "SELECT report_time, category FROM post_categories"
	    " WHERE report_time >= ?1 AND report_time < ?2";
	struct db_stmt *s;
	size_t c;
	int rc;

	rc = report_q_prepare(q, cats_sql, &s, since, until);
	if (rc < 0)
		return rc;
	while ((rc = report_q_step(q, s)) == 1) {
		const char *key = report_col_str(s, 1);
		int64_t w = week_of(report_day_of(db_column_int64(s, 0)));

		if (!key)
			continue;
		for (c = 0; c < wc->n && strcmp(wc->keys[c], key) != 0; c++)
			;
		if (c == wc->n) {
			if (wc->n == MAX_CATS) {
				rc = -E2BIG;
				break;
			}
			wc->keys[wc->n] = strdup(key);
			if (!wc->keys[wc->n]) {
				rc = -ENOMEM;
				break;
			}
			wc->n++;
		}
		if (report_counts_add(&wc->counts, CAT_KEY(w, (int64_t)c), 1) <
		    0) {
			rc = -ENOMEM;
			break;
		}
	}
	db_finalize(s);
	return rc;
}

/* Appends week w (a Monday's day number) with its posts to weeks, and its
 * category mix (categories in order[]) to share. */
static int weeks_emit_one(const struct report_counts *wk,
                          const struct week_cats *wc, const size_t *order,
                          int64_t w, json_t *weeks, json_t *share)
{
	char iso[DATE_RFC3339_LEN];
	int64_t posts = report_counts_get(wk, w);
	json_t *e, *mix;
	size_t j;
	int rc;

	date_format_rfc3339(w * DAY, iso);
	iso[10] = '\0';
	rc = report_jappend(weeks, json_pack("{s:s, s:I}", "week", iso, "posts",
	                                     (json_int_t)posts));
	if (rc < 0)
		return rc;
	e = json_pack("{s:s, s:I, s:{}}", "week", iso, "posts",
	              (json_int_t)posts, "categories");
	if (!e)
		return -ENOMEM;
	mix = json_object_get(e, "categories");
	for (j = 0; j < wc->n && rc == 0; j++) {
		int64_t n = report_counts_get(&wc->counts,
		                              CAT_KEY(w, (int64_t)order[j]));

		if (n == 0)
			continue;
		rc = report_jset(
		    mix, wc->keys[order[j]],
		    json_pack("{s:I, s:f}", "count", (json_int_t)n, "share",
		              posts > 0 ? (double)n / (double)posts : 0.0));
	}
	if (rc == 0)
		return report_jappend(share, e);
	json_decref(e);
	return rc;
}

/* The most weeks listed with their zeros (100 years). */
#define WEEKS_MAX 5300

/* The weeks of the trends into a *new* *list: every week from the
 * period's first (or the first with posts, when it has no start) to its
 * last (or the last with posts), quiet ones included, so that a week
 * without posts is a row of zeros rather than missing. */
static int weeks_list(const struct report_counts *wk, int64_t since,
                      int64_t until, int64_t **list, size_t *nw)
{
	int64_t lo = INT64_MAX, hi = INT64_MIN, w;
	size_t i, n = 0;

	for (i = 0; i < wk->cap; i++) {
		if (!wk->used[i])
			continue;
		lo = wk->keys[i] < lo ? wk->keys[i] : lo;
		hi = wk->keys[i] > hi ? wk->keys[i] : hi;
	}
	if (since > 0 && until < INT64_MAX && until > since) {
		lo = week_of(report_day_of(since));
		hi = week_of(report_day_of(until - 1));
	} else if (since > 0 && lo != INT64_MAX) {
		lo = week_of(report_day_of(since));
	}
	*nw = 0;
	*list = NULL;
	if (lo > hi)
		return 0;
	if ((hi - lo) / 7 + 1 > WEEKS_MAX)
		lo = hi - (WEEKS_MAX - 1) * 7;
	*list = malloc((size_t)((hi - lo) / 7 + 1) * sizeof(**list));
	if (!*list)
		return -ENOMEM;
	for (w = lo; w <= hi; w += 7)
		(*list)[n++] = w;
	*nw = n;
	return 0;
}

/* Posts per week and category share per week, bucketed in C from one
 * pass over the posts and one over the assignments (covering indexes),
 * rather than grouping a million computed dates in SQL. */
static int trends_weeks(struct report_query *q, int64_t since, int64_t until,
                        json_t *weeks, json_t *share)
{
	struct report_counts wk = {0};
	struct week_cats wc = {0};
	size_t order[MAX_CATS];
	size_t nw = 0, i, j;
	int64_t *list = NULL;
	int rc;

	rc = weeks_count_posts(q, since, until, &wk);
	if (rc >= 0)
		rc = weeks_count_cats(q, since, until, &wc);
	if (rc < 0)
		goto out_free_counts;
	/* Categories listed in key order (insertion sort: they are few). */
	for (i = 0; i < wc.n; i++) {
		for (j = i;
		     j > 0 && strcmp(wc.keys[order[j - 1]], wc.keys[i]) > 0;
		     j--)
			order[j] = order[j - 1];
		order[j] = i;
	}
	rc = weeks_list(&wk, since, until, &list, &nw);
	if (rc < 0)
		goto out_free_counts;
	for (i = 0; i < nw && rc >= 0; i++)
		rc = weeks_emit_one(&wk, &wc, order, list[i], weeks, share);
out_free_counts:
	for (i = 0; i < wc.n; i++)
		free(wc.keys[i]);
	free(list);
	report_counts_free(&wk);
	report_counts_free(&wc.counts);
	return rc < 0 ? rc : 0;
}

/* Per role: the summed first and last follower counts of its accounts in
 * follower_growth, the change, and the change in percent. */
static int trends_roles_growth(const json_t *growth, json_t *out)
{
	size_t i, r;
	int rc = 0;

	for (r = 0; r < ARRAY_SIZE(report_role_keys) && rc == 0; r++) {
		int64_t first = 0, last = 0, n = 0;

		for (i = 0; i < json_array_size(growth); i++) {
			const json_t *a = json_array_get(growth, i);
			const char *role = report_jstr(a, "role");

			if (!role || strcmp(role, report_role_keys[r]) != 0)
				continue;
			first += report_jint(a, "first");
			last += report_jint(a, "last");
			n++;
		}
		if (n == 0)
			continue;
		rc = report_jset(
		    out, report_role_keys[r],
		    json_pack(
		        "{s:I, s:I, s:I, s:I, s:o}", "accounts", (json_int_t)n,
		        "first", (json_int_t)first, "last", (json_int_t)last,
		        "change", (json_int_t)(last - first), "change_pct",
		        first > 0 ? json_real(100.0 * (double)(last - first) /
		                              (double)first)
		                  : json_null()));
	}
	return rc;
}

/* Per role: posts and the count and share of each category. */
static int trends_roles_share(struct report_query *q, int64_t since,
                              int64_t until, json_t *out)
{
	static const char posts_sql[] =
	    "SELECT a.role, sum(x.n) FROM (SELECT account_id, count(*) AS n"
	    " FROM posts WHERE report_time >= ?1 AND report_time < ?2"
	    " GROUP BY account_id) AS x"
	    " JOIN accounts a ON a.id = x.account_id GROUP BY a.role"
	    " ORDER BY a.role";
	static const char cats_sql[] =
	    "SELECT a.role, x.category, sum(x.n) FROM (SELECT account_id,"
	    " category, count(*) AS n FROM post_categories"
	    " WHERE report_time >= ?1 AND report_time < ?2"
	    " GROUP BY account_id, category) AS x"
	    " JOIN accounts a ON a.id = x.account_id"
	    " GROUP BY a.role, x.category ORDER BY a.role, x.category";
	struct db_stmt *s;
	int rc;

	rc = report_q_prepare(q, posts_sql, &s, since, until);
	if (rc < 0)
		return rc;
	while ((rc = report_q_step(q, s)) == 1) {
		const char *role = report_col_str(s, 0);

		if (!role)
			continue;
		rc = report_jset(out, role,
		                 json_pack("{s:I, s:{}}", "posts",
		                           (json_int_t)db_column_int64(s, 1),
		                           "categories"));
		if (rc < 0)
			break;
	}
	db_finalize(s);
	if (rc < 0)
		return rc;
	rc = report_q_prepare(q, cats_sql, &s, since, until);
	if (rc < 0)
		return rc;
	while ((rc = report_q_step(q, s)) == 1) {
		const json_t *r = json_object_get(
		    out, report_col_str(s, 0) ? report_col_str(s, 0) : "");
		const char *key = report_col_str(s, 1);
		int64_t n = db_column_int64(s, 2),
		        posts = report_jint(r, "posts");

		if (!r || !key)
			continue;
		rc = report_jset(
		    json_object_get(r, "categories"), key,
		    json_pack("{s:I, s:f}", "count", (json_int_t)n, "share",
		              posts > 0 ? (double)n / (double)posts : 0.0));
		if (rc < 0)
			break;
	}
	db_finalize(s);
	return rc < 0 ? rc : 0;
}

/* When each account first posted in each category (over the whole log
 * before the end of the period). */
static int trends_first(struct report_query *q, int64_t until, json_t *out)
{
	static const char sql[] =
	    "SELECT a.handle, a.role, x.category, x.first FROM (SELECT"
	    " account_id, category, min(report_time) AS first"
	    " FROM post_categories WHERE report_time < ?1"
	    " GROUP BY account_id, category) AS x"
	    " JOIN accounts a ON a.id = x.account_id"
	    " ORDER BY a.handle, x.first, x.category";
	struct db_stmt *s;
	int rc;

	rc = report_q_prepare(q, sql, &s, until, 0);
	if (rc < 0)
		return rc;
	while ((rc = report_q_step(q, s)) == 1) {
		rc = report_jappend(
		    out, json_pack("{s:o, s:o, s:o, s:o}", "handle",
		                   report_col_json_text(s, 0), "role",
		                   report_col_json_text(s, 1), "category",
		                   report_col_json_text(s, 2), "first",
		                   report_col_json_time(s, 3)));
		if (rc < 0)
			break;
	}
	db_finalize(s);
	return rc < 0 ? rc : 0;
}

/* The period of the trends into root: "period": {"from", "to",
 * "half_open", "days"}, from null for the beginning of the log. */
static int trends_period(json_t *root, int64_t since, int64_t until)
{
	return report_jset(
	    root, "period",
	    json_pack("{s:o, s:o, s:b, s:s}", "from",
	              since > 0 ? report_json_time(since) : json_null(), "to",
	              report_json_time(until), "half_open", 1, "means",
	              "from 'from' up to but not including 'to'"));
}

int report_trends_build(struct store *st, int64_t since, int64_t until,
                        json_t **out, char *err, size_t errlen)
{
	static const char fol_sql[] =
	    "SELECT a.handle, a.role, f.observed, f.followers, l.observed,"
	    " l.followers FROM accounts a"
	    " JOIN account_snapshots f ON f.id = (SELECT id FROM"
	    "  account_snapshots s WHERE s.account_id = a.id"
	    "  AND s.followers IS NOT NULL AND s.observed >= ?1"
	    "  AND s.observed < ?2 ORDER BY s.observed, s.id LIMIT 1)"
	    " JOIN account_snapshots l ON l.id = (SELECT id FROM"
	    "  account_snapshots s WHERE s.account_id = a.id"
	    "  AND s.followers IS NOT NULL AND s.observed >= ?1"
	    "  AND s.observed < ?2 ORDER BY s.observed DESC, s.id DESC"
	    "  LIMIT 1)"
	    " ORDER BY l.followers - f.followers DESC, a.handle";
	struct report_query q = {store_conn(st), err, errlen, false};
	json_t *root = json_pack("{s:[], s:{}, s:[], s:[], s:{}, s:[]}",
	                         "follower_growth", "follower_growth_by_role",
	                         "posts_per_week", "category_share_per_week",
	                         "category_share_by_role", "first_appearance");
	json_t *years = NULL, *growth;
	struct db_stmt *s = NULL;
	int rc;

	*out = NULL;
	if (!root) {
		rc = -ENOMEM;
		goto out_decref_root;
	}
	growth = json_object_get(root, "follower_growth");
	rc = report_read_begin(&q);
	if (rc < 0)
		goto out_decref_root;
	rc = trends_period(root, since, until);
	if (rc < 0)
		goto out_end;
	rc = report_opened_per_year(&q, until, &years);
	if (rc < 0)
		goto out_end;
	rc = report_jset(root, "opened_per_year", years);
	if (rc < 0)
		goto out_end;

	rc = report_q_prepare(&q, fol_sql, &s, since, until);
	if (rc < 0)
		goto out_end;
	while ((rc = report_q_step(&q, s)) == 1) {
		int64_t first = db_column_int64(s, 3),
		        last = db_column_int64(s, 5);
		json_t *pct = first > 0
		                  ? json_real(100.0 * (double)(last - first) /
		                              (double)first)
		                  : json_null();

		rc = report_jappend(
		    growth,
		    json_pack("{s:o, s:o, s:o, s:I, s:o, s:I, s:I, s:o}",
		              "handle", report_col_json_text(s, 0), "role",
		              report_col_json_text(s, 1), "first_observed",
		              report_col_json_time(s, 2), "first",
		              (json_int_t)first, "last_observed",
		              report_col_json_time(s, 4), "last",
		              (json_int_t)last, "change",
		              (json_int_t)(last - first), "change_pct", pct));
		if (rc < 0)
			break;
	}
	db_finalize(s);
	s = NULL;
	if (rc == 0)
		rc = trends_roles_growth(
		    growth, json_object_get(root, "follower_growth_by_role"));
	if (rc == 0)
		rc = trends_weeks(
		    &q, since, until, json_object_get(root, "posts_per_week"),
		    json_object_get(root, "category_share_per_week"));
	if (rc == 0)
		rc = trends_roles_share(
		    &q, since, until,
		    json_object_get(root, "category_share_by_role"));
	if (rc == 0)
		rc = trends_first(&q, until,
		                  json_object_get(root, "first_appearance"));
	if (rc == 0)
		rc = report_record_trends(q.db, store_schema_version(st), since,
		                          until, root, err, errlen);
out_end:
	report_read_end(&q);
out_decref_root:
	if (rc < 0) {
		if (rc == -ENOMEM)
			snprintf(err, errlen, "trends: out of memory");
		json_decref(root);
		return rc;
	}
	*out = root;
	return 0;
}

/* --------------------------------------------------------- trends render */

/* The columns of a table with one per configured category: a first
 * column, "posts", the categories, and an optional last one. */
struct cat_cols {
	size_t ncols;                        /* used */
	const char *heads[CATEGORY_MAX + 3]; /* borrowed labels */
	char align[CATEGORY_MAX + 4];        /* 'l' or 'r' each */
};

static void cat_cols_init(struct cat_cols *cc, const char *first,
                          const char *last)
{
	int i, n = category_count();

	cc->ncols = 0;
	cc->heads[cc->ncols] = first;
	cc->align[cc->ncols++] = 'l';
	cc->heads[cc->ncols] = "posts";
	cc->align[cc->ncols++] = 'r';
	for (i = 0; i < n; i++) {
		cc->heads[cc->ncols] = category_key(i);
		cc->align[cc->ncols++] = 'r';
	}
	if (last) {
		cc->heads[cc->ncols] = last;
		cc->align[cc->ncols++] = 'l';
	}
	cc->align[cc->ncols] = '\0';
}

/* The per-role tables and the first appearances of trends_text. */
static int trends_text_roles(const json_t *tr, struct buf *b)
{
	static const char *const rg_heads[] = {"role", "accounts", "first",
	                                       "last", "change",   "%"};
	static const char *const fa_heads[] = {"account", "role", "category",
	                                       "first post"};
	struct report_table rg = {6, rg_heads, "lrrrrr", NULL, 0, 0};
	struct cat_cols cc;
	struct report_table rs;
	struct report_table fa = {4, fa_heads, "llll", NULL, 0, 0};
	const json_t *byrole = json_object_get(tr, "follower_growth_by_role"),
	             *share = json_object_get(tr, "category_share_by_role"),
	             *first = json_object_get(tr, "first_appearance");
	const enum report_format f = REPORT_FORMAT_TEXT;
	const char *key;
	json_t *v;
	char ch[32];
	size_t i, j;
	int rc;

	cat_cols_init(&cc, "role", NULL);
	rs = (struct report_table){cc.ncols, cc.heads, cc.align, NULL, 0, 0};
	rc = report_heading(b, f, 2, "Follower growth by role");
	json_object_foreach((json_t *)byrole, key, v)
	{
		const json_t *pct = json_object_get(v, "change_pct");

		report_fmt_signed(ch, sizeof(ch), report_jint(v, "change"));
		if (rc == 0)
			rc = report_table_add(&rg, key);
		if (rc == 0)
			rc = report_table_add_int(
			    &rg, json_object_get(v, "accounts"));
		if (rc == 0)
			rc = report_table_add_int(&rg,
			                          json_object_get(v, "first"));
		if (rc == 0)
			rc = report_table_add_int(&rg,
			                          json_object_get(v, "last"));
		if (rc == 0)
			rc = report_table_add(&rg, ch);
		if (rc == 0)
			rc = json_is_real(pct)
			         ? report_table_addf(&rg, "%+.1f",
			                             json_real_value(pct))
			         : report_table_add(&rg, "-");
	}
	if (rc == 0)
		rc = report_table_render(&rg, f, b);
	if (rc == 0)
		rc = report_heading(b, f, 2, "Category share by role");
	json_object_foreach((json_t *)share, key, v)
	{
		const json_t *cats = json_object_get(v, "categories");

		if (rc == 0)
			rc = report_table_add(&rs, key);
		if (rc == 0)
			rc = report_table_add_int(&rs,
			                          json_object_get(v, "posts"));
		for (j = 0; j < (size_t)category_count() && rc == 0; j++) {
			const json_t *c =
			    json_object_get(cats, category_key((int)j));

			rc = report_table_addf(
			    &rs, "%lld (%.1f%%)",
			    (long long)report_jint(c, "count"),
			    100.0 *
			        json_real_value(json_object_get(c, "share")));
		}
	}
	if (rc == 0)
		rc = report_table_render(&rs, f, b);
	if (rc == 0)
		rc = report_heading(b, f, 2,
		                    "First appearance of each category");
	for (i = 0; i < json_array_size(first) && rc == 0; i++) {
		const json_t *x = json_array_get(first, i);

		rc = report_table_add(&fa, report_jstr(x, "handle"));
		if (rc == 0)
			rc = report_table_add(&fa, report_jstr(x, "role"));
		if (rc == 0)
			rc = report_table_add(&fa, report_jstr(x, "category"));
		if (rc == 0)
			rc = report_table_add(&fa, report_jstr(x, "first"));
	}
	if (rc == 0)
		rc = report_table_render(&fa, f, b);
	report_table_free(&rg);
	report_table_free(&rs);
	report_table_free(&fa);
	return rc;
}

/* The follower growth table of the text trends. */
static int text_follower_growth(const json_t *tr, struct buf *b)
{
	static const char *const fg_heads[] = {
	    "account",   "role",      "first seen", "followers",
	    "last seen", "followers", "change",     "%"};
	struct report_table fgt = {8, fg_heads, "llllrlrr", NULL, 0, 0};
	const json_t *fg = json_object_get(tr, "follower_growth");
	char ch[32];
	size_t i;
	int rc = 0;

	for (i = 0; i < json_array_size(fg) && rc == 0; i++) {
		const json_t *a = json_array_get(fg, i),
		             *pct = json_object_get(a, "change_pct");

		report_fmt_signed(ch, sizeof(ch), report_jint(a, "change"));
		rc = report_table_add(&fgt, report_jstr(a, "handle"));
		if (rc == 0)
			rc = report_table_add(&fgt, report_jstr(a, "role"));
		if (rc == 0)
			rc = report_table_add(&fgt,
			                      report_jstr(a, "first_observed"));
		if (rc == 0)
			rc = report_table_add_int(&fgt,
			                          json_object_get(a, "first"));
		if (rc == 0)
			rc = report_table_add(&fgt,
			                      report_jstr(a, "last_observed"));
		if (rc == 0)
			rc = report_table_add_int(&fgt,
			                          json_object_get(a, "last"));
		if (rc == 0)
			rc = report_table_add(&fgt, ch);
		if (rc == 0)
			rc = json_is_real(pct)
			         ? report_table_addf(&fgt, "%+.1f",
			                             json_real_value(pct))
			         : report_table_add(&fgt, "-");
	}
	if (rc == 0)
		rc = report_table_render(&fgt, REPORT_FORMAT_TEXT, b);
	report_table_free(&fgt);
	return rc;
}

/* The posts and category share per week table of the text trends. */
static int text_weeks(const json_t *tr, struct buf *b)
{
	struct cat_cols cc;
	struct report_table wkt;
	const json_t *weeks = json_object_get(tr, "category_share_per_week");
	size_t i, j;
	int rc = 0;

	cat_cols_init(&cc, "week", "other categories");
	wkt = (struct report_table){cc.ncols, cc.heads, cc.align, NULL, 0, 0};
	for (i = 0; i < json_array_size(weeks) && rc == 0; i++) {
		const json_t *w = json_array_get(weeks, i),
		             *cats = json_object_get(w, "categories");
		struct buf other = {0};
		const char *key;
		json_t *v;

		rc = report_table_add(&wkt, report_jstr(w, "week"));
		if (rc == 0)
			rc = report_table_add_int(&wkt,
			                          json_object_get(w, "posts"));
		for (j = 0; j < (size_t)category_count() && rc == 0; j++) {
			v = json_object_get(cats, category_key((int)j));
			rc = report_table_addf(
			    &wkt, "%lld (%.1f%%)",
			    (long long)report_jint(v, "count"),
			    100.0 *
			        json_real_value(json_object_get(v, "share")));
		}
		json_object_foreach((json_t *)cats, key, v)
		{
			if (category_index(key) < 0 && rc == 0)
				rc = buf_printf(
				    &other, "%s%s %lld", other.len ? ", " : "",
				    key, (long long)report_jint(v, "count"));
		}
		if (rc == 0)
			rc = report_table_add(&wkt, other.data);
		buf_free(&other);
	}
	if (rc == 0)
		rc = report_table_render(&wkt, REPORT_FORMAT_TEXT, b);
	report_table_free(&wkt);
	return rc;
}

static int trends_text(const json_t *tr, struct buf *b)
{
	const enum report_format f = REPORT_FORMAT_TEXT;
	char line[256];
	int rc;

	rc = report_heading(b, f, 1, "demarche trends");
	if (rc == 0)
		rc = report_para(b, f,
		                 report_period_words(tr, line, sizeof(line)));
	if (rc == 0)
		rc = report_heading(b, f, 2,
		                    "Accounts opened per year, by role");
	if (rc == 0)
		rc = report_table_years(b, f,
		                        json_object_get(tr, "opened_per_year"));
	if (rc == 0)
		rc = report_heading(b, f, 2, "Follower growth");
	if (rc == 0)
		rc = text_follower_growth(tr, b);
	if (rc == 0)
		rc = report_heading(b, f, 2,
		                    "Posts and category share per week");
	if (rc == 0)
		rc = text_weeks(tr, b);
	if (rc == 0)
		rc = trends_text_roles(tr, b);
	return rc;
}

int report_trends_render(const json_t *trends, enum report_format f,
                         struct buf *b)
{
	char *js;
	int rc;

	switch (f) {
	case REPORT_FORMAT_JSON:
		js = json_dumps(trends, JSON_INDENT(2));
		if (!js)
			return -ENOMEM;
		rc = buf_puts(b, js);
		free(js);
		return rc ? rc : buf_putc(b, '\n');
	case REPORT_FORMAT_CSV:
		return report_trends_csv(trends, b);
	case REPORT_FORMAT_TEXT:
		rc = trends_text(trends, b);
		return rc ? rc : report_record_trends_text(trends, b);
	default:
		return -EINVAL;
	}
}

int report_trends_render_cols(const json_t *trends, enum report_format f,
                              size_t cols, struct buf *b)
{
	int rc;

	report_page_set_cols(cols);
	rc = report_trends_render(trends, f, b);
	report_page_set_cols(REPORT_TEXT_COLS);
	return rc;
}
