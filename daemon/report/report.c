/*
 * report.c — the model of the summary report.
 *
 * report_build() reads one consistent snapshot of the log (a single read
 * transaction) and turns a period into a JSON model: totals, per category
 * the count against the previous period of the same length with its leading
 * accounts and strongest examples, a per-account table, account growth and
 * feed health.  The renderers (report_sections.c) only ever read that
 * model, so text, Markdown, JSON and HTML say the same thing; the other
 * files of the module are listed in report_int.h.
 *
 * A post belongs to the period by its published time, or by the time
 * demarche first saw it when the feed gave none: posts.report_time, which
 * the posts_time index of schema/0002_views.sql covers.
 */
#include "report_amplification.h"
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

#include "category.h"
#include "date.h"

/* The configured categories (category.h: the codebook's four, then the
 * ones the rules folder adds) come in report order as the set lists
 * them, even at zero; categories found in the log beyond these follow,
 * sorted by key, so that no stored label goes unreported. */
const char *const report_role_keys[REPORT_N_ROLES] = {
    "diplomat", "spokesperson", "mission", "ministry", "state_media", "other",
};

/* ---------------------------------------------------------------- names */

static const char *const format_names[] = {
    [REPORT_FORMAT_TEXT] = "text", [REPORT_FORMAT_MD] = "md",
    [REPORT_FORMAT_JSON] = "json", [REPORT_FORMAT_HTML] = "html",
    [REPORT_FORMAT_CSV] = "csv",
};

int report_format_from_name(const char *name, enum report_format *out)
{
	size_t i;

	for (i = 0; name && i < ARRAY_SIZE(format_names); i++)
		if (strcmp(name, format_names[i]) == 0) {
			*out = (enum report_format)i;
			return 0;
		}
	if (name && strcmp(name, "markdown") == 0) {
		*out = REPORT_FORMAT_MD;
		return 0;
	}
	return -EINVAL;
}

const char *report_format_name(enum report_format f)
{
	return (unsigned)f < ARRAY_SIZE(format_names) ? format_names[f] : "?";
}

/* Runs a query whose rows are (key, count) and adds each count to
 * obj[key] (or obj[key][field] when field is set). */
static int q_counts_into(struct report_query *q, const char *sql, int64_t from,
                         int64_t to, json_t *obj, const char *field)
{
	struct db_stmt *s;
	int rc;

	rc = report_q_prepare(q, sql, &s, from, to);
	if (rc < 0)
		return rc;
	while ((rc = report_q_step(q, s)) == 1) {
		const char *key = report_col_str(s, 0);
		json_t *target = obj;

		if (!key)
			continue;
		if (field) {
			target = json_object_get(obj, key);
			if (!target) {
				rc = -ENOENT;
				break;
			}
			key = field;
		}
		rc = report_jadd(target, key, db_column_int64(s, 1));
		if (rc < 0)
			break;
	}
	db_finalize(s);
	return rc < 0 ? rc : 0;
}

/* A category entry with zero counts. */
/* A category's empty entry; a configured category's human name and
 * description (rules files' `name`, `description`) follow when set. */
static json_t *category_new(const char *key)
{
	const struct category_set *set = category_configured();
	json_t *o =
	    json_pack("{s:i, s:i, s:i, s:[], s:[]}", "count", 0, "previous", 0,
	              "change", 0, "top_accounts", "examples");
	int i = category_set_index(set, key);

	if (!o || i < 0)
		return o;
	if ((set->name[i][0] &&
	     json_object_set_new(o, "name", json_string(set->name[i])) < 0) ||
	    (set->description[i][0] &&
	     json_object_set_new(o, "description",
	                         json_string(set->description[i])) < 0)) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* An object with every codebook category (and every other category the
 * log holds) mapped to 0. */
static int category_zeroes(json_t *o, const json_t *cats)
{
	const char *key;
	json_t *v;
	int rc;

	json_object_foreach((json_t *)cats, key, v)
	{
		(void)v;
		rc = report_jset(o, key, json_integer(0));
		if (rc < 0)
			return rc;
	}
	return 0;
}

int report_opened_per_year(struct report_query *q, int64_t until, json_t **out)
{
	static const char sql_lite[] =
	    "SELECT strftime('%Y', created, 'unixepoch') AS y, role,"
	    " count(*) FROM accounts WHERE created IS NOT NULL"
	    " AND created < ?1 GROUP BY y, role ORDER BY y, role";
	static const char sql_pg[] =
	    "SELECT to_char(to_timestamp(created) AT TIME ZONE 'UTC', 'YYYY')"
	    " AS y, role, count(*) FROM accounts WHERE created IS NOT NULL"
	    " AND created < ?1 GROUP BY y, role ORDER BY y, role";
	const char *sql = report_q_sql(q, sql_lite, sql_pg);
	json_t *years = json_object();
	struct db_stmt *s;
	int rc;

	*out = NULL;
	if (!years)
		return -ENOMEM;
	rc = report_q_prepare(q, sql, &s, until, 0);
	if (rc < 0)
		goto out_decref_years;
	while ((rc = report_q_step(q, s)) == 1) {
		const char *y = report_col_str(s, 0),
		           *role = report_col_str(s, 1);
		json_t *yo;

		if (!y || !role)
			continue;
		yo = json_object_get(years, y);
		if (!yo) {
			yo = json_object();
			if ((rc = report_jset(years, y, yo)) < 0)
				break;
		}
		rc = report_jset(yo, role, json_integer(db_column_int64(s, 2)));
		if (rc < 0)
			break;
	}
	db_finalize(s);
out_decref_years:
	if (rc < 0) {
		json_decref(years);
		return rc;
	}
	*out = years;
	return 0;
}

static int build_growth(struct report_query *q, int64_t from, int64_t to,
                        json_t *root)
{
	static const char count_sql[] =
	    "SELECT count(*),"
	    " sum(CASE WHEN created IS NULL THEN 1 ELSE 0 END) FROM accounts";
	/* SQLite takes the bare column s.followers from the row holding
	 * max(s.observed); PostgreSQL says the same with DISTINCT ON. */
	static const char fol_lite[] =
	    "SELECT a.handle, date(s.observed, 'unixepoch') AS d, s.followers,"
	    " max(s.observed) FROM account_snapshots s"
	    " JOIN accounts a ON a.id = s.account_id"
	    " WHERE s.observed >= ?1 AND s.observed < ?2"
	    " AND s.followers IS NOT NULL"
	    " GROUP BY s.account_id, d ORDER BY a.handle, d";
	static const char fol_pg[] =
	    "SELECT handle, d, followers, observed FROM (SELECT DISTINCT ON"
	    " (s.account_id, demarche_day(s.observed)) a.handle,"
	    " demarche_day(s.observed) AS d, s.followers, s.observed"
	    " FROM account_snapshots s JOIN accounts a ON a.id = s.account_id"
	    " WHERE s.observed >= ?1 AND s.observed < ?2"
	    " AND s.followers IS NOT NULL ORDER BY s.account_id,"
	    " demarche_day(s.observed), s.observed DESC, s.id) AS x"
	    " ORDER BY handle, d";
	const char *fol_sql = report_q_sql(q, fol_lite, fol_pg);
	json_t *g = json_object(), *years = NULL, *curves = NULL;
	struct db_stmt *s = NULL;
	int rc;

	rc = report_jset(root, "growth", g);
	if (rc < 0)
		return rc;
	rc = report_opened_per_year(q, to, &years);
	if (rc < 0)
		return rc;
	rc = report_jset(g, "opened_per_year", years);
	if (rc < 0)
		return rc;
	rc = report_q_prepare(q, count_sql, &s, from, to);
	if (rc < 0)
		return rc;
	rc = report_q_step(q, s);
	if (rc == 1 &&
	    (rc = report_jset(g, "accounts_total",
	                      json_integer(db_column_int64(s, 0)))) == 0)
		rc = report_jset(g, "created_unknown",
		                 json_integer(db_column_int64(s, 1)));
	db_finalize(s);
	if (rc < 0)
		return rc;
	/* Follower curves: the last count of each day in the period. */
	curves = json_object();
	rc = report_jset(g, "followers_daily", curves);
	if (rc < 0)
		return rc;
	rc = report_q_prepare(q, fol_sql, &s, from, to);
	if (rc < 0)
		return rc;
	while ((rc = report_q_step(q, s)) == 1) {
		const char *h = report_col_str(s, 0);
		json_t *c;

		if (!h)
			continue;
		c = json_object_get(curves, h);
		if (!c) {
			c = json_array();
			if ((rc = report_jset(curves, h, c)) < 0)
				break;
		}
		rc = report_jappend(
		    c, json_pack("[s, I]", report_col_str(s, 1),
		                 (json_int_t)db_column_int64(s, 2)));
		if (rc < 0)
			break;
	}
	db_finalize(s);
	return rc < 0 ? rc : 0;
}

static json_t *day_new(const char *day, const json_t *cats)
{
	json_t *mix = json_object();

	if (mix && category_zeroes(mix, cats) < 0) {
		json_decref(mix);
		return NULL;
	}
	return json_pack("{s:s, s:i, s:o}", "day", day, "posts", 0,
	                 "categories", mix);
}

/* Parses stored evidence JSON; anything unreadable becomes []. */
static json_t *evidence_from(const char *stored)
{
	json_t *ev = stored ? json_loads(stored, 0, NULL) : NULL;

	if (ev && json_is_array(ev))
		return ev;
	json_decref(ev);
	return json_array();
}

/* Copies at most max code points of s (a "…" marks a cut). */
static json_t *json_text_cut(const char *s, size_t max)
{
	const char *p = s;
	size_t n = 0;
	char *cut;
	json_t *j;

	if (!s)
		return json_null();
	while (*p && n < max) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t len =
		    utf8proc_iterate((const utf8proc_uint8_t *)p, -1, &cp);

		p += len < 1 ? 1 : len;
		n++;
	}
	if (!*p)
		return report_json_text(s);
	cut = malloc((size_t)(p - s) + 4);
	if (!cut)
		return NULL;
	memcpy(cut, s, (size_t)(p - s));
	memcpy(cut + (p - s), "\xe2\x80\xa6", 4);
	j = report_json_text(cut);
	free(cut);
	return j;
}

/* ------------------------------------------------------------ the scans */

/*
 * A report over a long period touches every post of it, so the numbers
 * come from two sequential passes over covering indexes rather than one
 * grouped query each: the posts of the period (posts_time: time, account)
 * and their category assignments (post_categories_time: time, category,
 * account, score; see schema/0004_report_rollup.sql).  The passes fill the
 * small hash tables below; only the dozen example posts are then read in
 * full.  Over a year of a million posts this is what keeps a report under
 * two seconds.
 */

/* One of the strongest assignments of a category. */
struct best {
	int64_t post_id; /* 0 = empty */
	double score;
	int64_t time;
};

/* What the two passes found. */
struct scan {
	char *cats[MAX_CATS]; /* category keys: the codebook, then others */
	size_t ncats;
	int64_t cat_count[MAX_CATS]; /* assignments per category */
	struct best best[MAX_CATS][EXAMPLES_SCAN]; /* strongest first */
	int64_t posts;                             /* posts in the period */
	struct report_counts acc;                  /* account id -> posts */
	struct report_counts day;                  /* UTC day number -> posts */
	struct report_counts acc_cat; /* CAT_KEY(account, cat) -> assignments */
	struct report_counts day_cat; /* CAT_KEY(day, cat) -> assignments */
	struct report_counts classified;           /* post id -> assignments */
	struct report_counts day_posts_classified; /* day -> posts with one
	                                              category or more */
};

static void scan_free(struct scan *s)
{
	size_t i;

	for (i = 0; i < s->ncats; i++)
		free(s->cats[i]);
	report_counts_free(&s->acc);
	report_counts_free(&s->day);
	report_counts_free(&s->acc_cat);
	report_counts_free(&s->day_cat);
	report_counts_free(&s->classified);
	report_counts_free(&s->day_posts_classified);
}

/* The index of category key, added when new; -E2BIG past MAX_CATS. */
static int scan_cat(struct scan *s, const char *key)
{
	size_t i;

	for (i = 0; i < s->ncats; i++)
		if (strcmp(s->cats[i], key) == 0)
			return (int)i;
	if (s->ncats == MAX_CATS)
		return -E2BIG;
	s->cats[s->ncats] = strdup(key);
	if (!s->cats[s->ncats])
		return -ENOMEM;
	return (int)s->ncats++;
}

static bool better(const struct best *a, double score, int64_t time,
                   int64_t post_id)
{
	if (!a->post_id)
		return true;
	if (score != a->score)
		return score > a->score;
	if (time != a->time)
		return time > a->time;
	return post_id < a->post_id;
}

static void keep_best(struct best *b, double score, int64_t time,
                      int64_t post_id)
{
	int i, j;

	for (i = 0; i < EXAMPLES_SCAN; i++)
		if (better(&b[i], score, time, post_id))
			break;
	if (i == EXAMPLES_SCAN)
		return;
	for (j = EXAMPLES_SCAN - 1; j > i; j--)
		b[j] = b[j - 1];
	b[i] = (struct best){post_id, score, time};
}

static int scan_period(struct report_query *q, int64_t from, int64_t to,
                       struct scan *s)
{
	static const char posts_sql[] =
	    "SELECT report_time, account_id FROM posts"
	    " WHERE report_time >= ?1 AND report_time < ?2";
	static const char cats_sql[] =
	    "SELECT report_time, category, account_id, score, post_id"
	    " FROM post_categories"
	    " WHERE report_time >= ?1 AND report_time < ?2";
	struct db_stmt *st;
	size_t i;
	int rc = 0, cat;

	for (i = 0; i < (size_t)category_count() && rc == 0; i++)
		rc = scan_cat(s, category_key((int)i)) < 0 ? -ENOMEM : 0;
	if (rc < 0)
		return rc;
	rc = report_q_prepare(q, posts_sql, &st, from, to);
	if (rc < 0)
		return rc;
	while ((rc = report_q_step(q, st)) == 1) {
		int64_t t = db_column_int64(st, 0);

		s->posts++;
		if (report_counts_add(&s->acc, db_column_int64(st, 1), 1) < 0 ||
		    report_counts_add(&s->day, report_day_of(t), 1) < 0) {
			rc = -ENOMEM;
			break;
		}
	}
	db_finalize(st);
	if (rc < 0)
		return rc;
	rc = report_q_prepare(q, cats_sql, &st, from, to);
	if (rc < 0)
		return rc;
	while ((rc = report_q_step(q, st)) == 1) {
		int64_t t = db_column_int64(st, 0), a = db_column_int64(st, 2),
		        id = db_column_int64(st, 4);
		const char *key = report_col_str(st, 1);

		if (!key)
			continue;
		cat = scan_cat(s, key);
		if (cat < 0) {
			rc = cat;
			break;
		}
		s->cat_count[cat]++;
		keep_best(s->best[cat], db_column_double(st, 3), t, id);
		/* A post counts once per day, whatever its categories. */
		if (report_counts_get(&s->classified, id) == 0 &&
		    report_counts_add(&s->day_posts_classified,
		                      report_day_of(t), 1) < 0) {
			rc = -ENOMEM;
			break;
		}
		if (report_counts_add(&s->acc_cat, CAT_KEY(a, cat), 1) < 0 ||
		    report_counts_add(&s->day_cat,
		                      CAT_KEY(report_day_of(t), cat), 1) < 0 ||
		    report_counts_add(&s->classified, id, 1) < 0) {
			rc = -ENOMEM;
			break;
		}
	}
	db_finalize(st);
	if (rc == -E2BIG)
		snprintf(q->err, q->errlen,
		         "report: more than %d distinct categories", MAX_CATS);
	return rc < 0 ? rc : 0;
}

static int build_totals(struct scan *s, json_t *root)
{
	return report_jset(root, "totals",
	                   json_pack("{s:I, s:I, s:I}", "posts",
	                             (json_int_t)s->posts, "accounts_active",
	                             (json_int_t)s->acc.n, "classified",
	                             (json_int_t)s->classified.n));
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* An account and its count, for ranking. */
struct ranked {
	int64_t id;         /* account id */
	int64_t n;          /* posts or assignments */
	const char *handle; /* borrowed, or NULL */
};

static int cmp_ranked(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;

	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* The leading accounts of category cat, from the account x category
 * counts: most assignments first, ties by account id. */
static int top_accounts(struct report_query *q, struct scan *s, int cat,
                        const json_t *handles, json_t *out)
{
	struct ranked top[TOP_ACCOUNTS];
	size_t i, n = 0, k;
	int rc = 0;

	(void)q;
	for (i = 0; i < s->acc_cat.cap; i++) {
		int64_t key, a, c;

		if (!s->acc_cat.used[i])
			continue;
		key = s->acc_cat.keys[i];
		a = key / MAX_CATS - (key % MAX_CATS < 0);
		c = key - a * MAX_CATS;
		if (c != cat)
			continue;
		{
			struct ranked r = {a, s->acc_cat.vals[i], NULL};

			/* insertion into the small sorted array */
			for (k = n; k > 0 && cmp_ranked(&r, &top[k - 1]) < 0;
			     k--)
				if (k < TOP_ACCOUNTS)
					top[k] = top[k - 1];
			if (k < TOP_ACCOUNTS) {
				top[k] = r;
				if (n < TOP_ACCOUNTS)
					n++;
			}
		}
	}
	for (i = 0; i < n && rc == 0; i++) {
		char id[32];

		snprintf(id, sizeof(id), "%lld", (long long)top[i].id);
		rc = report_jappend(out,
		                    json_pack("{s:O, s:I}", "handle",
		                              json_object_get(handles, id)
		                                  ? json_object_get(handles, id)
		                                  : json_null(),
		                              "posts", (json_int_t)top[i].n));
	}
	return rc;
}

static int add_example(struct report_query *q, const char *key, int64_t post_id,
                       json_t *list)
{
	static const char sql[] =
	    "SELECT c.score, c.evidence, a.handle, p.url, p.title, p.text,"
	    " p.report_time, c.rules_version, a.name FROM post_categories c"
	    " JOIN posts p ON p.id = c.post_id"
	    " JOIN accounts a ON a.id = p.account_id"
	    " WHERE c.post_id = ?1 AND c.category = ?3";
	struct db_stmt *s;
	json_t *ex;
	int rc;

	rc = report_q_prepare(q, sql, &s, post_id, 0);
	if (rc < 0)
		return rc;
	db_bind_text(s, 3, key);
	rc = report_q_step(q, s);
	if (rc == 1) {
		ex = json_pack(
		    "{s:o, s:o, s:o, s:o, s:f, s:o, s:o}", "handle",
		    report_col_json_text(s, 2), "time",
		    report_col_json_time(s, 6), "url",
		    report_col_json_text(s, 3), "title",
		    json_text_cut(report_col_str(s, 4), CELL_MAX * 4), "score",
		    db_column_double(s, 0), "text",
		    json_text_cut(report_col_str(s, 5), EXAMPLE_TEXT_MAX),
		    "evidence", evidence_from(report_col_str(s, 1)));
		if (!ex) {
			rc = -ENOMEM;
		} else {
			rc = report_jset(ex, "rules_version",
			                 report_col_json_text(s, 7));
			if (rc == 0)
				rc = report_jset(ex, "name",
				                 report_col_json_text(s, 8));
			if (rc == 0)
				rc = report_jappend(list, ex);
			else
				json_decref(ex);
		}
	}
	db_finalize(s);
	return rc < 0 ? rc : 0;
}

/* The strongest posts of category idx into list, one per statement, each
 * with the statement's other posts. */
static int add_examples(struct report_query *q, struct scan *s, int idx,
                        const char *key, json_t *list)
{
	size_t before;
	int j, rc = 0;

	for (j = 0;
	     j < EXAMPLES_SCAN && rc == 0 && json_array_size(list) < EXAMPLES;
	     j++) {
		int64_t id = s->best[idx][j].post_id, statement;

		if (!id)
			break;
		statement = report_statement_of(q, id);
		if (statement < 0)
			return (int)statement;
		if (report_statement_shown(list, statement))
			continue;
		before = json_array_size(list);
		rc = add_example(q, key, id, list);
		if (rc == 0 && json_array_size(list) > before)
			rc = report_statement_copies(
			    q, json_array_get(list, before), id, statement);
	}
	return rc;
}

/* Account id -> handle, for every account. */
static int load_handles(struct report_query *q, json_t **out)
{
	struct db_stmt *s;
	json_t *h = json_object();
	char id[32];
	int rc;

	*out = NULL;
	if (!h)
		return -ENOMEM;
	rc = report_q_prepare(q, "SELECT id, handle FROM accounts", &s, 0, 0);
	if (rc < 0) {
		json_decref(h);
		return rc;
	}
	while ((rc = report_q_step(q, s)) == 1) {
		snprintf(id, sizeof(id), "%lld",
		         (long long)db_column_int64(s, 0));
		rc = report_jset(h, id, report_col_json_text(s, 1));
		if (rc < 0)
			break;
	}
	db_finalize(s);
	if (rc < 0) {
		json_decref(h);
		return rc;
	}
	*out = h;
	return 0;
}

static int build_categories(struct report_query *q, struct scan *s,
                            int64_t from, int64_t to, json_t *root)
{
	static const char prev_sql[] =
	    "SELECT category, count(*) FROM post_categories"
	    " WHERE report_time >= ?1 AND report_time < ?2 GROUP BY category";
	json_t *cats = json_object(), *prev = json_object(), *handles = NULL,
	       *cat;
	char *extra[MAX_CATS];
	size_t i, nextra = 0;
	int64_t span = to - from, prev_from;
	const char *key;
	int rc, k, ncfg = category_count();

	if (!cats || !prev) {
		json_decref(cats);
		json_decref(prev);
		return -ENOMEM;
	}
	rc = report_jset(root, "categories", cats);
	if (rc < 0)
		goto out_decref_maps;
	prev_from = from >= INT64_MIN + span ? from - span : INT64_MIN;
	rc = q_counts_into(q, prev_sql, prev_from, from, prev, NULL);
	if (rc < 0)
		goto out_decref_maps;
	/* The configured categories first, then every other key either
	 * period has, sorted. */
	json_object_foreach(prev, key, cat)
	{
		if ((k = scan_cat(s, key)) < 0) {
			rc = k == -E2BIG ? -E2BIG : -ENOMEM;
			goto out_decref_maps;
		}
	}
	for (i = (size_t)ncfg; i < s->ncats; i++)
		extra[nextra++] = s->cats[i];
	qsort(extra, nextra, sizeof(*extra), cmp_str);
	for (i = 0; i < (size_t)ncfg + nextra; i++) {
		const char *ck = i < (size_t)ncfg ? category_key((int)i)
		                                  : extra[i - (size_t)ncfg];

		rc = report_jset(cats, ck, category_new(ck));
		if (rc < 0)
			goto out_decref_maps;
	}
	rc = load_handles(q, &handles);
	if (rc < 0)
		goto out_decref_maps;
	json_object_foreach(cats, key, cat)
	{
		int idx = scan_cat(s, key);
		int64_t c, p = report_jint(prev, key);

		if (idx < 0) {
			rc = -ENOMEM;
			goto out_decref_maps;
		}
		c = s->cat_count[idx];
		if ((rc = report_jset(cat, "count", json_integer(c))) < 0 ||
		    (rc = report_jset(cat, "previous", json_integer(p))) < 0 ||
		    (rc = report_jset(cat, "change", json_integer(c - p))) < 0)
			goto out_decref_maps;
		rc = top_accounts(q, s, idx, handles,
		                  json_object_get(cat, "top_accounts"));
		if (rc == 0)
			rc = add_examples(q, s, idx, key,
			                  json_object_get(cat, "examples"));
		if (rc < 0)
			goto out_decref_maps;
	}
out_decref_maps:
	json_decref(prev);
	json_decref(handles);
	return rc < 0 ? rc : 0;
}

/* An account row and its posts in the period, for sorting. */
struct acc_row {
	json_t *obj;        /* the account's JSON entry (owned) */
	int64_t n;          /* posts in the period */
	const char *handle; /* borrowed from obj */
};

static int cmp_acc_row(const void *a, const void *b)
{
	const struct acc_row *x = a, *y = b;

	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return strcmp(x->handle ? x->handle : "", y->handle ? y->handle : "");
}

static int build_accounts(struct report_query *q, struct scan *s, int64_t from,
                          int64_t to, json_t *root)
{
	static const char acc_sql[] =
	    "SELECT a.id, a.handle, a.name, a.role, a.country, a.active,"
	    " (SELECT followers FROM account_snapshots s"
	    "  WHERE s.account_id = a.id AND s.observed < ?2"
	    "  AND s.followers IS NOT NULL"
	    "  ORDER BY s.observed DESC, s.id DESC LIMIT 1),"
	    " COALESCE((SELECT followers FROM account_snapshots s"
	    "  WHERE s.account_id = a.id AND s.observed < ?1"
	    "  AND s.followers IS NOT NULL"
	    "  ORDER BY s.observed DESC, s.id DESC LIMIT 1),"
	    " (SELECT followers FROM account_snapshots s"
	    "  WHERE s.account_id = a.id AND s.observed >= ?1"
	    "  AND s.observed < ?2 AND s.followers IS NOT NULL"
	    "  ORDER BY s.observed, s.id LIMIT 1))"
	    " FROM accounts a";
	json_t *list = json_array(),
	       *cats = json_object_get(root, "categories");
	struct acc_row *rows = NULL;
	size_t n = 0, cap = 0, i;
	struct db_stmt *st = NULL;
	int rc;

	rc = report_jset(root, "accounts", list);
	if (rc < 0)
		return rc;
	rc = report_q_prepare(q, acc_sql, &st, from, to);
	if (rc < 0)
		return rc;
	while ((rc = report_q_step(q, st)) == 1) {
		int64_t id = db_column_int64(st, 0),
		        posts = report_counts_get(&s->acc, id);
		json_t *a, *mix = json_object(), *change = json_null(), *v;
		const char *key;

		if (!db_column_int(st, 5) && posts == 0) {
			json_decref(mix);
			continue; /* gone from the config and quiet */
		}
		if (!db_column_null(st, 6) && !db_column_null(st, 7))
			change = json_integer(db_column_int64(st, 6) -
			                      db_column_int64(st, 7));
		json_object_foreach(cats, key, v)
		{
			int idx = scan_cat(s, key);

			if (mix && (idx < 0 ||
			            report_jset(mix, key,
			                        json_integer(report_counts_get(
			                            &s->acc_cat,
			                            CAT_KEY(id, idx)))) < 0)) {
				json_decref(mix);
				mix = NULL;
			}
		}
		a = json_pack("{s:o, s:o, s:o, s:o, s:I, s:o, s:o, s:o}",
		              "handle", report_col_json_text(st, 1), "name",
		              report_col_json_text(st, 2), "role",
		              report_col_json_text(st, 3), "country",
		              report_col_json_text(st, 4), "posts",
		              (json_int_t)posts, "categories", mix, "followers",
		              report_col_json_int(st, 6), "followers_change",
		              change);
		if (!a) {
			rc = -ENOMEM;
			break;
		}
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 64;
			struct acc_row *g = realloc(rows, nc * sizeof(*g));

			if (!g) {
				json_decref(a);
				rc = -ENOMEM;
				break;
			}
			rows = g;
			cap = nc;
		}
		rows[n++] =
		    (struct acc_row){a, posts, report_jstr(a, "handle")};
	}
	db_finalize(st);
	if (rc == 0)
		qsort(rows, n, sizeof(*rows), cmp_acc_row);
	for (i = 0; i < n; i++) {
		if (rc == 0)
			rc = report_jappend(list, rows[i].obj);
		else
			json_decref(rows[i].obj);
	}
	free(rows);
	return rc < 0 ? rc : 0;
}

/* Posts and category assignments per UTC day of the period. */
static int build_days(struct scan *s, int64_t from, int64_t to, json_t *root)
{
	const json_t *cats = json_object_get(root, "categories");
	json_t *days = json_array();
	int64_t *list = NULL, d, first, last;
	size_t n = 0, i;
	int rc;

	rc = report_jset(root, "days", days);
	if (rc < 0)
		return rc;
	if (to <= from)
		return 0;
	first = report_day_of(from);
	last = report_day_of(to - 1);
	if (last - first + 1 <= DAYS_FILL_MAX) {
		/* Every day of a short period, quiet ones included. */
		list = malloc((size_t)(last - first + 1) * sizeof(*list));
		if (!list)
			return -ENOMEM;
		for (d = first; d <= last; d++)
			list[n++] = d;
	} else {
		/* Only days with posts, in order. */
		list = malloc((s->day.n + 1) * sizeof(*list));
		if (!list)
			return -ENOMEM;
		for (i = 0; i < s->day.cap; i++)
			if (s->day.used[i])
				list[n++] = s->day.keys[i];
		qsort(list, n, sizeof(*list), report_cmp_int64);
	}
	for (i = 0; i < n && rc == 0; i++) {
		char iso[DATE_RFC3339_LEN];
		const char *key;
		json_t *e, *v;

		date_format_rfc3339(list[i] * DAY, iso);
		iso[10] = '\0';
		e = day_new(iso, cats);
		if (!e) {
			rc = -ENOMEM;
			break;
		}
		rc = report_jset(
		    e, "posts",
		    json_integer(report_counts_get(&s->day, list[i])));
		if (rc == 0)
			rc = report_jset(
			    e, "posts_classified",
			    json_integer(report_counts_get(
			        &s->day_posts_classified, list[i])));
		json_object_foreach(json_object_get(e, "categories"), key, v)
		{
			int idx = scan_cat(s, key);

			if (rc == 0 && idx >= 0)
				rc = report_jset(
				    json_object_get(e, "categories"), key,
				    json_integer(report_counts_get(
				        &s->day_cat, CAT_KEY(list[i], idx))));
		}
		if (rc == 0)
			rc = report_jappend(days, e);
		else
			json_decref(e);
	}
	free(list);
	return rc;
}

static int build_feeds(struct report_query *q, json_t *root, int schema)
{
	static const char count_sql[] =
	    "SELECT count(*), coalesce(sum(CASE WHEN consecutive_failures = 0"
	    " AND disabled = 0 THEN 1 ELSE 0 END), 0) FROM feeds"
	    " WHERE active = 1";
	static const char fail_sql[] =
	    "SELECT f.url, a.handle, f.failing_since, f.last_error,"
	    " f.last_error_at, f.last_success, f.consecutive_failures,"
	    " f.disabled, %s FROM feeds f JOIN accounts a ON a.id = "
	    "f.account_id"
	    " WHERE f.active = 1 AND (f.consecutive_failures > 0"
	    " OR f.disabled = 1)"
	    " ORDER BY f.disabled DESC, f.failing_since, f.url";
	json_t *feeds = json_object(), *failing = json_array();
	char sql[sizeof(fail_sql) + 16];
	struct db_stmt *s;
	int rc;

	rc = report_jset(root, "feeds", feeds);
	if (rc == 0)
		rc = report_jset(feeds, "failing", failing);
	else
		json_decref(failing);
	if (rc < 0)
		return rc;
	rc = report_q_prepare(q, count_sql, &s, 0, 0);
	if (rc < 0)
		return rc;
	rc = report_q_step(q, s);
	if (rc == 1 &&
	    (rc = report_jset(feeds, "total",
	                      json_integer(db_column_int64(s, 0)))) == 0)
		rc = report_jset(feeds, "ok",
		                 json_integer(db_column_int64(s, 1)));
	db_finalize(s);
	if (rc < 0)
		return rc;
	/* feeds.source: schema 0013 */
	snprintf(sql, sizeof(sql), fail_sql,
	         schema >= 13 ? "f.source" : "NULL");
	rc = report_q_prepare(q, sql, &s, 0, 0);
	if (rc < 0)
		return rc;
	while ((rc = report_q_step(q, s)) == 1) {
		rc = report_jappend(
		    failing,
		    json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:I, s:b}",
		              "url", report_col_json_text(s, 0), "source",
		              report_col_json_text(s, 8), "account",
		              report_col_json_text(s, 1), "since",
		              report_col_json_time(s, 2), "error",
		              report_col_json_text(s, 3), "last_error_at",
		              report_col_json_time(s, 4), "last_success",
		              report_col_json_time(s, 5),
		              "consecutive_failures",
		              (json_int_t)db_column_int64(s, 6), "disabled",
		              db_column_int(s, 7)));
		if (rc < 0)
			break;
	}
	db_finalize(s);
	return rc < 0 ? rc : 0;
}

int report_build(struct store *st, int64_t from, int64_t to, json_t **out,
                 char *err, size_t errlen)
{
	struct report_query q = {store_conn(st), err, errlen, false};
	struct scan *sc;
	json_t *root;
	int rc;

	*out = NULL;
	if (to <= from) {
		snprintf(err, errlen, "report: empty period");
		return -EINVAL;
	}
	root = json_pack(
	    "{s:{s:o, s:o, s:b, s:s, s:I}}", "period", "from",
	    report_json_time(from), "to", report_json_time(to), "half_open", 1,
	    "means", "from 'from' up to but not including 'to'", "days",
	    (json_int_t)(report_day_of(to - 1) - report_day_of(from) + 1));
	sc = calloc(1, sizeof(*sc));
	if (!root || !sc) {
		free(sc);
		json_decref(root);
		snprintf(err, errlen, "report: out of memory");
		return -ENOMEM;
	}
	rc = report_read_begin(&q);
	if (rc < 0)
		goto out_free_scan;
	q.clusters = store_schema_version(st) >= 10;
	rc = scan_period(&q, from, to, sc);
	if (rc == 0)
		rc = build_totals(sc, root);
	if (rc == 0)
		rc = report_statements_totals(&q, from, to, root);
	if (rc == 0)
		rc = build_categories(&q, sc, from, to, root);
	if (rc == 0)
		rc = report_statements_categories(
		    &q, from, to, json_object_get(root, "categories"));
	if (rc == 0)
		rc = build_accounts(&q, sc, from, to, root);
	if (rc == 0)
		rc = build_growth(&q, from, to, root);
	if (rc == 0)
		rc = build_days(sc, from, to, root);
	if (rc == 0)
		rc = build_feeds(&q, root, store_schema_version(st));
	if (rc == 0)
		rc = report_record_build(q.db, store_schema_version(st), from,
		                         to, root, err, errlen);
	if (rc == 0)
		rc =
		    report_amplification_section(q.db, store_schema_version(st),
		                                 from, to, root, err, errlen);
	if (rc == 0)
		rc = report_narratives_build(q.db, store_schema_version(st),
		                             from, to, root, err, errlen);
	report_read_end(&q);
out_free_scan:
	scan_free(sc);
	free(sc);
	if (rc < 0) {
		if (rc == -ENOMEM)
			snprintf(err, errlen, "report: out of memory");
		json_decref(root);
		return rc;
	}
	*out = root;
	return 0;
}
