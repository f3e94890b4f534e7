/*
 * report.c — the summary report and the account-growth trends.
 *
 * report_build() reads one consistent snapshot of the log (a single read
 * transaction) and turns a period into a JSON model: totals, per category
 * the count against the previous period of the same length with its leading
 * accounts and strongest examples, a per-account table, account growth and
 * feed health.  The renderers below only ever read that model, so text,
 * Markdown, JSON and HTML say the same thing.  Everything that came from a
 * feed (post text, titles, handles, URLs, server error strings) is treated
 * as hostile: control characters and bidi overrides are replaced before it
 * reaches a terminal, Markdown and HTML escape it, and only http(s) URLs
 * ever become links.
 *
 * A post belongs to the period by its published time, or by the time
 * demarche first saw it when the feed gave none: posts.report_time, which
 * the posts_time index of schema/0002_views.sql covers.
 */
#include "report.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "category.h"
#include "date.h"
#include "db.h"
#include <stdbool.h>
#include <utf8proc.h>

/* The codebook's categories come in report order as category.h lists
 * them (category_keys); categories found in the log beyond these follow,
 * sorted by key. */
static const char *const role_keys[] = {
    "diplomat", "spokesperson", "mission", "ministry", "state_media", "other",
};

#define TOP_ACCOUNTS     5   /* leading accounts per category */
#define EXAMPLES         3   /* strongest posts per category */
#define EXAMPLE_TEXT_MAX 600 /* code points of an example's text */
#define DAYS_FILL_MAX    366 /* longer periods list only days with posts */
#define CELL_MAX         48  /* code points of a table cell */
#define DAY              86400

/* The SQL of a post's report time and the period test on it. */
#define POST_TIME "p.report_time"
#define IN_PERIOD POST_TIME " >= ?1 AND " POST_TIME " < ?2"

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

/* ----------------------------------------------------------- JSON helpers */

/* A JSON string of s even when the log holds invalid UTF-8 (bad bytes
 * become U+FFFD); NULL only when out of memory. */
static json_t *json_text(const char *s)
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
				goto out_free;
			p++;
			continue;
		}
		if (buf_append(&b, p, (size_t)n) < 0)
			goto out_free;
		p += n;
	}
	j = json_string(b.data ? b.data : "");
out_free:
	buf_free(&b);
	return j;
}

static json_t *json_time(int64_t t)
{
	char iso[DATE_RFC3339_LEN];

	return json_string(date_format_rfc3339(t, iso));
}

/* Sets o[k] = v, taking v; -ENOMEM when v is NULL or the set fails. */
static int jset(json_t *o, const char *k, json_t *v)
{
	if (!v)
		return -ENOMEM;
	return json_object_set_new(o, k, v) < 0 ? -ENOMEM : 0;
}

static int jappend(json_t *a, json_t *v)
{
	if (!v)
		return -ENOMEM;
	return json_array_append_new(a, v) < 0 ? -ENOMEM : 0;
}

static int64_t jint(const json_t *o, const char *k)
{
	return (int64_t)json_integer_value(json_object_get(o, k));
}

static const char *jstr(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* Adds n to the integer o[k] (creating it). */
static int jadd(json_t *o, const char *k, int64_t n)
{
	return jset(o, k, json_integer(jint(o, k) + n));
}

/* -------------------------------------------------------------- queries */

struct query {
	struct db *db; /* the store's connection (borrowed) */
	char *err;     /* where failures are described */
	size_t errlen;
};

/* The spelling of a query for the connection's dialect (see db.h). */
static const char *q_sql(const struct query *q, const char *lite,
                         const char *pg)
{
	return db_dialect(q->db) == DB_POSTGRES ? pg : lite;
}

static int q_fail(struct query *q, int rc, const char *what)
{
	snprintf(q->err, q->errlen, "%s: %s", what, db_errmsg(q->db));
	return rc < 0 ? rc : -EIO;
}

static int q_prepare(struct query *q, const char *sql, struct db_stmt **s,
                     int64_t from, int64_t to)
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

/* Returns 1 for a row, 0 at the end, or a negative errno. */
static int q_step(struct query *q, struct db_stmt *s)
{
	int rc = db_step(s);

	if (rc == DB_ROW)
		return 1;
	if (rc == DB_DONE)
		return 0;
	return q_fail(q, rc, "report query");
}

static const char *col_str(struct db_stmt *s, int i)
{
	return db_column_text(s, i);
}

static json_t *col_json_text(struct db_stmt *s, int i)
{
	return json_text(col_str(s, i));
}

static json_t *col_json_time(struct db_stmt *s, int i)
{
	if (db_column_null(s, i))
		return json_null();
	return json_time(db_column_int64(s, i));
}

static json_t *col_json_int(struct db_stmt *s, int i)
{
	if (db_column_null(s, i))
		return json_null();
	return json_integer(db_column_int64(s, i));
}

/* Runs a query whose rows are (key, count) and adds each count to
 * obj[key] (or obj[key][field] when field is set). */
static int q_counts_into(struct query *q, const char *sql, int64_t from,
                         int64_t to, json_t *obj, const char *field)
{
	struct db_stmt *s;
	int rc;

	rc = q_prepare(q, sql, &s, from, to);
	if (rc < 0)
		return rc;
	while ((rc = q_step(q, s)) == 1) {
		const char *key = col_str(s, 0);
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
		rc = jadd(target, key, db_column_int64(s, 1));
		if (rc < 0)
			break;
	}
	db_finalize(s);
	return rc < 0 ? rc : 0;
}

/* A category entry with zero counts. */
static json_t *category_new(void)
{
	return json_pack("{s:i, s:i, s:i, s:[], s:[]}", "count", 0, "previous",
	                 0, "change", 0, "top_accounts", "examples");
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
		rc = jset(o, key, json_integer(0));
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* accounts.created by year and role: {"2019": {"diplomat": 19}}. */
static int opened_per_year(struct query *q, json_t **out)
{
	static const char sql_lite[] =
	    "SELECT strftime('%Y', created, 'unixepoch') AS y, role,"
	    " count(*) FROM accounts WHERE created IS NOT NULL"
	    " GROUP BY y, role ORDER BY y, role";
	static const char sql_pg[] =
	    "SELECT to_char(to_timestamp(created) AT TIME ZONE 'UTC', 'YYYY')"
	    " AS y, role, count(*) FROM accounts WHERE created IS NOT NULL"
	    " GROUP BY y, role ORDER BY y, role";
	const char *sql = q_sql(q, sql_lite, sql_pg);
	json_t *years = json_object();
	struct db_stmt *s;
	int rc;

	*out = NULL;
	if (!years)
		return -ENOMEM;
	rc = q_prepare(q, sql, &s, 0, 0);
	if (rc < 0)
		goto out_free;
	while ((rc = q_step(q, s)) == 1) {
		const char *y = col_str(s, 0), *role = col_str(s, 1);
		json_t *yo;

		if (!y || !role)
			continue;
		yo = json_object_get(years, y);
		if (!yo) {
			yo = json_object();
			if ((rc = jset(years, y, yo)) < 0)
				break;
		}
		rc = jset(yo, role, json_integer(db_column_int64(s, 2)));
		if (rc < 0)
			break;
	}
	db_finalize(s);
out_free:
	if (rc < 0) {
		json_decref(years);
		return rc;
	}
	*out = years;
	return 0;
}

static int build_growth(struct query *q, int64_t from, int64_t to, json_t *root)
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
	const char *fol_sql = q_sql(q, fol_lite, fol_pg);
	json_t *g = json_object(), *years = NULL, *curves = NULL;
	struct db_stmt *s = NULL;
	int rc;

	rc = jset(root, "growth", g);
	if (rc < 0)
		return rc;
	rc = opened_per_year(q, &years);
	if (rc < 0)
		return rc;
	rc = jset(g, "opened_per_year", years);
	if (rc < 0)
		return rc;
	rc = q_prepare(q, count_sql, &s, from, to);
	if (rc < 0)
		return rc;
	rc = q_step(q, s);
	if (rc == 1 && (rc = jset(g, "accounts_total",
	                          json_integer(db_column_int64(s, 0)))) == 0)
		rc = jset(g, "created_unknown",
		          json_integer(db_column_int64(s, 1)));
	db_finalize(s);
	if (rc < 0)
		return rc;
	/* Follower curves: the last count of each day in the period. */
	curves = json_object();
	rc = jset(g, "followers_daily", curves);
	if (rc < 0)
		return rc;
	rc = q_prepare(q, fol_sql, &s, from, to);
	if (rc < 0)
		return rc;
	while ((rc = q_step(q, s)) == 1) {
		const char *h = col_str(s, 0);
		json_t *c;

		if (!h)
			continue;
		c = json_object_get(curves, h);
		if (!c) {
			c = json_array();
			if ((rc = jset(curves, h, c)) < 0)
				break;
		}
		rc = jappend(c, json_pack("[s, I]", col_str(s, 1),
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
		return json_text(s);
	cut = malloc((size_t)(p - s) + 4);
	if (!cut)
		return NULL;
	memcpy(cut, s, (size_t)(p - s));
	memcpy(cut + (p - s), "\xe2\x80\xa6", 4);
	j = json_text(cut);
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

/* int64 -> int64 counters, open addressing with linear probing. */
struct counts {
	int64_t *keys; /* slot keys */
	int64_t *vals; /* slot values */
	bool *used;    /* slot taken */
	size_t cap;    /* slots, a power of two */
	size_t n;      /* slots taken */
};

static void counts_free(struct counts *c)
{
	free(c->keys);
	free(c->vals);
	free(c->used);
	memset(c, 0, sizeof(*c));
}

static size_t counts_slot(const struct counts *c, int64_t key)
{
	uint64_t h = (uint64_t)key * 0x9e3779b97f4a7c15ULL;
	size_t i = (size_t)(h >> 17) & (c->cap - 1);

	while (c->used[i] && c->keys[i] != key)
		i = (i + 1) & (c->cap - 1);
	return i;
}

static int counts_grow(struct counts *c)
{
	struct counts g = {0};
	size_t i, j;

	g.cap = c->cap ? c->cap * 2 : 64;
	g.keys = malloc(g.cap * sizeof(*g.keys));
	g.vals = malloc(g.cap * sizeof(*g.vals));
	g.used = calloc(g.cap, sizeof(*g.used));
	if (!g.keys || !g.vals || !g.used) {
		counts_free(&g);
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
	counts_free(c);
	*c = g;
	return 0;
}

static int counts_add(struct counts *c, int64_t key, int64_t n)
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

static int64_t counts_get(const struct counts *c, int64_t key)
{
	size_t i;

	if (!c->cap)
		return 0;
	i = counts_slot(c, key);
	return c->used[i] ? c->vals[i] : 0;
}

#define MAX_CATS        1024 /* distinct category keys a report handles */
#define CAT_KEY(a, cat) ((a)*MAX_CATS + (cat))

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
	int64_t cat_count[MAX_CATS];          /* assignments per category */
	struct best best[MAX_CATS][EXAMPLES]; /* strongest first */
	int64_t posts;                        /* posts in the period */
	struct counts acc;                    /* account id -> posts */
	struct counts day;                    /* UTC day number -> posts */
	struct counts acc_cat;    /* CAT_KEY(account, cat) -> assignments */
	struct counts day_cat;    /* CAT_KEY(day, cat) -> assignments */
	struct counts classified; /* post id -> assignments */
};

static void scan_free(struct scan *s)
{
	size_t i;

	for (i = 0; i < s->ncats; i++)
		free(s->cats[i]);
	counts_free(&s->acc);
	counts_free(&s->day);
	counts_free(&s->acc_cat);
	counts_free(&s->day_cat);
	counts_free(&s->classified);
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

	for (i = 0; i < EXAMPLES; i++)
		if (better(&b[i], score, time, post_id))
			break;
	if (i == EXAMPLES)
		return;
	for (j = EXAMPLES - 1; j > i; j--)
		b[j] = b[j - 1];
	b[i] = (struct best){post_id, score, time};
}

static int64_t day_of(int64_t t)
{
	return t / DAY - (t % DAY < 0);
}

static int scan_period(struct query *q, int64_t from, int64_t to,
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

	for (i = 0; i < ARRAY_SIZE(category_keys) && rc == 0; i++)
		rc = scan_cat(s, category_keys[i]) < 0 ? -ENOMEM : 0;
	if (rc < 0)
		return rc;
	rc = q_prepare(q, posts_sql, &st, from, to);
	if (rc < 0)
		return rc;
	while ((rc = q_step(q, st)) == 1) {
		int64_t t = db_column_int64(st, 0);

		s->posts++;
		if (counts_add(&s->acc, db_column_int64(st, 1), 1) < 0 ||
		    counts_add(&s->day, day_of(t), 1) < 0) {
			rc = -ENOMEM;
			break;
		}
	}
	db_finalize(st);
	if (rc < 0)
		return rc;
	rc = q_prepare(q, cats_sql, &st, from, to);
	if (rc < 0)
		return rc;
	while ((rc = q_step(q, st)) == 1) {
		int64_t t = db_column_int64(st, 0), a = db_column_int64(st, 2),
		        id = db_column_int64(st, 4);
		const char *key = col_str(st, 1);

		if (!key)
			continue;
		cat = scan_cat(s, key);
		if (cat < 0) {
			rc = cat;
			break;
		}
		s->cat_count[cat]++;
		keep_best(s->best[cat], db_column_double(st, 3), t, id);
		if (counts_add(&s->acc_cat, CAT_KEY(a, cat), 1) < 0 ||
		    counts_add(&s->day_cat, CAT_KEY(day_of(t), cat), 1) < 0 ||
		    counts_add(&s->classified, id, 1) < 0) {
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

static int cmp_int64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static int build_totals(struct scan *s, json_t *root)
{
	return jset(root, "totals",
	            json_pack("{s:I, s:I, s:I}", "posts", (json_int_t)s->posts,
	                      "accounts_active", (json_int_t)s->acc.n,
	                      "classified", (json_int_t)s->classified.n));
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
static int top_accounts(struct query *q, struct scan *s, int cat,
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
		rc = jappend(out, json_pack("{s:O, s:I}", "handle",
		                            json_object_get(handles, id)
		                                ? json_object_get(handles, id)
		                                : json_null(),
		                            "posts", (json_int_t)top[i].n));
	}
	return rc;
}

static int add_example(struct query *q, const char *key, int64_t post_id,
                       json_t *list)
{
	static const char sql[] =
	    "SELECT c.score, c.evidence, a.handle, p.url, p.title, p.text,"
	    " p.report_time, c.rules_version FROM post_categories c"
	    " JOIN posts p ON p.id = c.post_id"
	    " JOIN accounts a ON a.id = p.account_id"
	    " WHERE c.post_id = ?1 AND c.category = ?3";
	struct db_stmt *s;
	json_t *ex;
	int rc;

	rc = q_prepare(q, sql, &s, post_id, 0);
	if (rc < 0)
		return rc;
	db_bind_text(s, 3, key);
	rc = q_step(q, s);
	if (rc == 1) {
		ex = json_pack("{s:o, s:o, s:o, s:o, s:f, s:o, s:o}", "handle",
		               col_json_text(s, 2), "time", col_json_time(s, 6),
		               "url", col_json_text(s, 3), "title",
		               json_text_cut(col_str(s, 4), CELL_MAX * 4),
		               "score", db_column_double(s, 0), "text",
		               json_text_cut(col_str(s, 5), EXAMPLE_TEXT_MAX),
		               "evidence", evidence_from(col_str(s, 1)));
		if (!ex) {
			rc = -ENOMEM;
		} else {
			rc = jset(ex, "rules_version", col_json_text(s, 7));
			if (rc == 0)
				rc = jappend(list, ex);
			else
				json_decref(ex);
		}
	}
	db_finalize(s);
	return rc < 0 ? rc : 0;
}

/* Account id -> handle, for every account. */
static int load_handles(struct query *q, json_t **out)
{
	struct db_stmt *s;
	json_t *h = json_object();
	char id[32];
	int rc;

	*out = NULL;
	if (!h)
		return -ENOMEM;
	rc = q_prepare(q, "SELECT id, handle FROM accounts", &s, 0, 0);
	if (rc < 0) {
		json_decref(h);
		return rc;
	}
	while ((rc = q_step(q, s)) == 1) {
		snprintf(id, sizeof(id), "%lld",
		         (long long)db_column_int64(s, 0));
		rc = jset(h, id, col_json_text(s, 1));
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

static int build_categories(struct query *q, struct scan *s, int64_t from,
                            int64_t to, json_t *root)
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
	int rc, k;

	if (!cats || !prev) {
		json_decref(cats);
		json_decref(prev);
		return -ENOMEM;
	}
	rc = jset(root, "categories", cats);
	if (rc < 0)
		goto out_free;
	prev_from = from >= INT64_MIN + span ? from - span : INT64_MIN;
	rc = q_counts_into(q, prev_sql, prev_from, from, prev, NULL);
	if (rc < 0)
		goto out_free;
	/* The codebook first, then every other key either period has,
	 * sorted. */
	json_object_foreach(prev, key, cat)
	{
		if ((k = scan_cat(s, key)) < 0) {
			rc = k == -E2BIG ? -E2BIG : -ENOMEM;
			goto out_free;
		}
	}
	for (i = ARRAY_SIZE(category_keys); i < s->ncats; i++)
		extra[nextra++] = s->cats[i];
	qsort(extra, nextra, sizeof(*extra), cmp_str);
	for (i = 0; i < ARRAY_SIZE(category_keys) + nextra; i++) {
		const char *ck = i < ARRAY_SIZE(category_keys)
		                     ? category_keys[i]
		                     : extra[i - ARRAY_SIZE(category_keys)];

		rc = jset(cats, ck, category_new());
		if (rc < 0)
			goto out_free;
	}
	rc = load_handles(q, &handles);
	if (rc < 0)
		goto out_free;
	json_object_foreach(cats, key, cat)
	{
		int idx = scan_cat(s, key);
		int64_t c, p = jint(prev, key);
		int j;

		if (idx < 0) {
			rc = -ENOMEM;
			goto out_free;
		}
		c = s->cat_count[idx];
		if ((rc = jset(cat, "count", json_integer(c))) < 0 ||
		    (rc = jset(cat, "previous", json_integer(p))) < 0 ||
		    (rc = jset(cat, "change", json_integer(c - p))) < 0)
			goto out_free;
		rc = top_accounts(q, s, idx, handles,
		                  json_object_get(cat, "top_accounts"));
		for (j = 0; j < EXAMPLES && rc == 0; j++)
			if (s->best[idx][j].post_id)
				rc = add_example(
				    q, key, s->best[idx][j].post_id,
				    json_object_get(cat, "examples"));
		if (rc < 0)
			goto out_free;
	}
out_free:
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

static int build_accounts(struct query *q, struct scan *s, int64_t from,
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

	rc = jset(root, "accounts", list);
	if (rc < 0)
		return rc;
	rc = q_prepare(q, acc_sql, &st, from, to);
	if (rc < 0)
		return rc;
	while ((rc = q_step(q, st)) == 1) {
		int64_t id = db_column_int64(st, 0),
		        posts = counts_get(&s->acc, id);
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

			if (mix &&
			    (idx < 0 ||
			     jset(mix, key,
			          json_integer(counts_get(
			              &s->acc_cat, CAT_KEY(id, idx)))) < 0)) {
				json_decref(mix);
				mix = NULL;
			}
		}
		a = json_pack(
		    "{s:o, s:o, s:o, s:o, s:I, s:o, s:o, s:o}", "handle",
		    col_json_text(st, 1), "name", col_json_text(st, 2), "role",
		    col_json_text(st, 3), "country", col_json_text(st, 4),
		    "posts", (json_int_t)posts, "categories", mix, "followers",
		    col_json_int(st, 6), "followers_change", change);
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
		rows[n++] = (struct acc_row){a, posts, jstr(a, "handle")};
	}
	db_finalize(st);
	if (rc == 0)
		qsort(rows, n, sizeof(*rows), cmp_acc_row);
	for (i = 0; i < n; i++) {
		if (rc == 0)
			rc = jappend(list, rows[i].obj);
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

	rc = jset(root, "days", days);
	if (rc < 0)
		return rc;
	if (to <= from)
		return 0;
	first = day_of(from);
	last = day_of(to - 1);
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
		qsort(list, n, sizeof(*list), cmp_int64);
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
		rc = jset(e, "posts",
		          json_integer(counts_get(&s->day, list[i])));
		json_object_foreach(json_object_get(e, "categories"), key, v)
		{
			int idx = scan_cat(s, key);

			if (rc == 0 && idx >= 0)
				rc = jset(
				    json_object_get(e, "categories"), key,
				    json_integer(counts_get(
				        &s->day_cat, CAT_KEY(list[i], idx))));
		}
		if (rc == 0)
			rc = jappend(days, e);
		else
			json_decref(e);
	}
	free(list);
	return rc;
}

static int build_feeds(struct query *q, json_t *root)
{
	static const char count_sql[] =
	    "SELECT count(*), coalesce(sum(CASE WHEN consecutive_failures = 0"
	    " AND disabled = 0 THEN 1 ELSE 0 END), 0) FROM feeds"
	    " WHERE active = 1";
	static const char fail_sql[] =
	    "SELECT f.url, a.handle, f.failing_since, f.last_error,"
	    " f.last_error_at, f.last_success, f.consecutive_failures,"
	    " f.disabled FROM feeds f JOIN accounts a ON a.id = f.account_id"
	    " WHERE f.active = 1 AND (f.consecutive_failures > 0"
	    " OR f.disabled = 1)"
	    " ORDER BY f.disabled DESC, f.failing_since, f.url";
	json_t *feeds = json_object(), *failing = json_array();
	struct db_stmt *s;
	int rc;

	rc = jset(root, "feeds", feeds);
	if (rc == 0)
		rc = jset(feeds, "failing", failing);
	else
		json_decref(failing);
	if (rc < 0)
		return rc;
	rc = q_prepare(q, count_sql, &s, 0, 0);
	if (rc < 0)
		return rc;
	rc = q_step(q, s);
	if (rc == 1 && (rc = jset(feeds, "total",
	                          json_integer(db_column_int64(s, 0)))) == 0)
		rc = jset(feeds, "ok", json_integer(db_column_int64(s, 1)));
	db_finalize(s);
	if (rc < 0)
		return rc;
	rc = q_prepare(q, fail_sql, &s, 0, 0);
	if (rc < 0)
		return rc;
	while ((rc = q_step(q, s)) == 1) {
		rc = jappend(
		    failing,
		    json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:I, s:b}", "url",
		              col_json_text(s, 0), "account",
		              col_json_text(s, 1), "since", col_json_time(s, 2),
		              "error", col_json_text(s, 3), "last_error_at",
		              col_json_time(s, 4), "last_success",
		              col_json_time(s, 5), "consecutive_failures",
		              (json_int_t)db_column_int64(s, 6), "disabled",
		              db_column_int(s, 7)));
		if (rc < 0)
			break;
	}
	db_finalize(s);
	return rc < 0 ? rc : 0;
}

/* Runs build steps inside one read transaction, so every number comes
 * from the same state of the log even while the daemon writes. */
static int read_begin(struct query *q)
{
	/* PostgreSQL gives each statement its own snapshot unless asked
	 * for one per transaction. */
	int rc = db_exec(
	    q->db, q_sql(q, "BEGIN",
	                 "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));

	return rc == 0 ? 0 : q_fail(q, rc, "report");
}

static void read_end(struct query *q)
{
	db_exec(q->db, "COMMIT");
}

int report_build(struct store *st, int64_t from, int64_t to, json_t **out,
                 char *err, size_t errlen)
{
	struct query q = {store_conn(st), err, errlen};
	struct scan *sc;
	json_t *root;
	int rc;

	*out = NULL;
	if (to <= from) {
		snprintf(err, errlen, "report: empty period");
		return -EINVAL;
	}
	root = json_pack("{s:{s:o, s:o}}", "period", "from", json_time(from),
	                 "to", json_time(to));
	sc = calloc(1, sizeof(*sc));
	if (!root || !sc) {
		free(sc);
		json_decref(root);
		snprintf(err, errlen, "report: out of memory");
		return -ENOMEM;
	}
	rc = read_begin(&q);
	if (rc < 0)
		goto out_free;
	rc = scan_period(&q, from, to, sc);
	if (rc == 0)
		rc = build_totals(sc, root);
	if (rc == 0)
		rc = build_categories(&q, sc, from, to, root);
	if (rc == 0)
		rc = build_accounts(&q, sc, from, to, root);
	if (rc == 0)
		rc = build_growth(&q, from, to, root);
	if (rc == 0)
		rc = build_days(sc, from, to, root);
	if (rc == 0)
		rc = build_feeds(&q, root);
	read_end(&q);
out_free:
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

/* ------------------------------------------------------------- trends */

/* The Monday (as a UTC day number) of the week of day d. */
static int64_t week_of(int64_t d)
{
	return d - (((d + 3) % 7) + 7) % 7;
}

/* Posts per week and category share per week, bucketed in C from one
 * pass over the posts and one over the assignments (covering indexes),
 * rather than grouping a million computed dates in SQL. */
static int trends_weeks(struct query *q, int64_t since, json_t *weeks,
                        json_t *share)
{
	static const char posts_sql[] =
	    "SELECT report_time FROM posts WHERE report_time >= ?1";
	static const char cats_sql[] =
	    "SELECT report_time, category FROM post_categories"
	    " WHERE report_time >= ?1";
	struct counts wk = {0}, wk_cat = {0};
	char *cats[MAX_CATS];
	size_t order[MAX_CATS];
	size_t ncats = 0, nw = 0, i, j, c;
	int64_t *list = NULL;
	struct db_stmt *s;
	int rc;

	rc = q_prepare(q, posts_sql, &s, since, 0);
	if (rc < 0)
		return rc;
	while ((rc = q_step(q, s)) == 1)
		if (counts_add(&wk, week_of(day_of(db_column_int64(s, 0))), 1) <
		    0) {
			rc = -ENOMEM;
			break;
		}
	db_finalize(s);
	if (rc < 0)
		goto out_free;
	rc = q_prepare(q, cats_sql, &s, since, 0);
	if (rc < 0)
		goto out_free;
	while ((rc = q_step(q, s)) == 1) {
		const char *key = col_str(s, 1);
		int64_t w = week_of(day_of(db_column_int64(s, 0)));

		if (!key)
			continue;
		for (c = 0; c < ncats && strcmp(cats[c], key) != 0; c++)
			;
		if (c == ncats) {
			if (ncats == MAX_CATS) {
				rc = -E2BIG;
				break;
			}
			cats[ncats] = strdup(key);
			if (!cats[ncats]) {
				rc = -ENOMEM;
				break;
			}
			ncats++;
		}
		if (counts_add(&wk_cat, CAT_KEY(w, (int64_t)c), 1) < 0) {
			rc = -ENOMEM;
			break;
		}
	}
	db_finalize(s);
	if (rc < 0)
		goto out_free;
	/* Categories listed in key order (insertion sort: they are few). */
	for (i = 0; i < ncats; i++) {
		for (j = i; j > 0 && strcmp(cats[order[j - 1]], cats[i]) > 0;
		     j--)
			order[j] = order[j - 1];
		order[j] = i;
	}
	list = malloc((wk.n + 1) * sizeof(*list));
	if (!list) {
		rc = -ENOMEM;
		goto out_free;
	}
	for (i = 0; i < wk.cap; i++)
		if (wk.used[i])
			list[nw++] = wk.keys[i];
	qsort(list, nw, sizeof(*list), cmp_int64);
	for (i = 0; i < nw && rc == 0; i++) {
		char iso[DATE_RFC3339_LEN];
		int64_t posts = counts_get(&wk, list[i]);
		json_t *e, *mix;

		date_format_rfc3339(list[i] * DAY, iso);
		iso[10] = '\0';
		rc = jappend(weeks, json_pack("{s:s, s:I}", "week", iso,
		                              "posts", (json_int_t)posts));
		if (rc < 0)
			break;
		e = json_pack("{s:s, s:I, s:{}}", "week", iso, "posts",
		              (json_int_t)posts, "categories");
		if (!e) {
			rc = -ENOMEM;
			break;
		}
		mix = json_object_get(e, "categories");
		for (j = 0; j < ncats && rc == 0; j++) {
			int64_t n = counts_get(
			    &wk_cat, CAT_KEY(list[i], (int64_t)order[j]));

			if (n == 0)
				continue;
			rc = jset(
			    mix, cats[order[j]],
			    json_pack(
			        "{s:I, s:f}", "count", (json_int_t)n, "share",
			        posts > 0 ? (double)n / (double)posts : 0.0));
		}
		if (rc == 0)
			rc = jappend(share, e);
		else
			json_decref(e);
	}
out_free:
	for (i = 0; i < ncats; i++)
		free(cats[i]);
	free(list);
	counts_free(&wk);
	counts_free(&wk_cat);
	return rc < 0 ? rc : 0;
}

/* Per role: the summed first and last follower counts of its accounts in
 * follower_growth, the change, and the change in percent. */
static int trends_roles_growth(const json_t *growth, json_t *out)
{
	size_t i, r;
	int rc = 0;

	for (r = 0; r < ARRAY_SIZE(role_keys) && rc == 0; r++) {
		int64_t first = 0, last = 0, n = 0;

		for (i = 0; i < json_array_size(growth); i++) {
			const json_t *a = json_array_get(growth, i);
			const char *role = jstr(a, "role");

			if (!role || strcmp(role, role_keys[r]) != 0)
				continue;
			first += jint(a, "first");
			last += jint(a, "last");
			n++;
		}
		if (n == 0)
			continue;
		rc = jset(
		    out, role_keys[r],
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
static int trends_roles_share(struct query *q, int64_t since, json_t *out)
{
	static const char posts_sql[] =
	    "SELECT a.role, sum(x.n) FROM (SELECT account_id, count(*) AS n"
	    " FROM posts WHERE report_time >= ?1 GROUP BY account_id) AS x"
	    " JOIN accounts a ON a.id = x.account_id GROUP BY a.role"
	    " ORDER BY a.role";
	static const char cats_sql[] =
	    "SELECT a.role, x.category, sum(x.n) FROM (SELECT account_id,"
	    " category, count(*) AS n FROM post_categories"
	    " WHERE report_time >= ?1 GROUP BY account_id, category) AS x"
	    " JOIN accounts a ON a.id = x.account_id"
	    " GROUP BY a.role, x.category ORDER BY a.role, x.category";
	struct db_stmt *s;
	int rc;

	rc = q_prepare(q, posts_sql, &s, since, 0);
	if (rc < 0)
		return rc;
	while ((rc = q_step(q, s)) == 1) {
		const char *role = col_str(s, 0);

		if (!role)
			continue;
		rc = jset(out, role,
		          json_pack("{s:I, s:{}}", "posts",
		                    (json_int_t)db_column_int64(s, 1),
		                    "categories"));
		if (rc < 0)
			break;
	}
	db_finalize(s);
	if (rc < 0)
		return rc;
	rc = q_prepare(q, cats_sql, &s, since, 0);
	if (rc < 0)
		return rc;
	while ((rc = q_step(q, s)) == 1) {
		const json_t *r =
		    json_object_get(out, col_str(s, 0) ? col_str(s, 0) : "");
		const char *key = col_str(s, 1);
		int64_t n = db_column_int64(s, 2), posts = jint(r, "posts");

		if (!r || !key)
			continue;
		rc = jset(
		    json_object_get(r, "categories"), key,
		    json_pack("{s:I, s:f}", "count", (json_int_t)n, "share",
		              posts > 0 ? (double)n / (double)posts : 0.0));
		if (rc < 0)
			break;
	}
	db_finalize(s);
	return rc < 0 ? rc : 0;
}

/* When each account first posted in each category (over the whole log). */
static int trends_first(struct query *q, json_t *out)
{
	static const char sql[] =
	    "SELECT a.handle, a.role, x.category, x.first FROM (SELECT"
	    " account_id, category, min(report_time) AS first"
	    " FROM post_categories GROUP BY account_id, category) AS x"
	    " JOIN accounts a ON a.id = x.account_id"
	    " ORDER BY a.handle, x.first, x.category";
	struct db_stmt *s;
	int rc;

	rc = q_prepare(q, sql, &s, 0, 0);
	if (rc < 0)
		return rc;
	while ((rc = q_step(q, s)) == 1) {
		rc = jappend(out, json_pack("{s:o, s:o, s:o, s:o}", "handle",
		                            col_json_text(s, 0), "role",
		                            col_json_text(s, 1), "category",
		                            col_json_text(s, 2), "first",
		                            col_json_time(s, 3)));
		if (rc < 0)
			break;
	}
	db_finalize(s);
	return rc < 0 ? rc : 0;
}

int report_trends_build(struct store *st, int64_t since, json_t **out,
                        char *err, size_t errlen)
{
	static const char fol_sql[] =
	    "SELECT a.handle, a.role, f.observed, f.followers, l.observed,"
	    " l.followers FROM accounts a"
	    " JOIN account_snapshots f ON f.id = (SELECT id FROM"
	    "  account_snapshots s WHERE s.account_id = a.id"
	    "  AND s.followers IS NOT NULL AND s.observed >= ?1"
	    "  ORDER BY s.observed, s.id LIMIT 1)"
	    " JOIN account_snapshots l ON l.id = (SELECT id FROM"
	    "  account_snapshots s WHERE s.account_id = a.id"
	    "  AND s.followers IS NOT NULL AND s.observed >= ?1"
	    "  ORDER BY s.observed DESC, s.id DESC LIMIT 1)"
	    " ORDER BY l.followers - f.followers DESC, a.handle";
	struct query q = {store_conn(st), err, errlen};
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
		goto out_free;
	}
	growth = json_object_get(root, "follower_growth");
	rc = read_begin(&q);
	if (rc < 0)
		goto out_free;
	rc = opened_per_year(&q, &years);
	if (rc < 0)
		goto out_end;
	rc = jset(root, "opened_per_year", years);
	if (rc < 0)
		goto out_end;

	rc = q_prepare(&q, fol_sql, &s, since, 0);
	if (rc < 0)
		goto out_end;
	while ((rc = q_step(&q, s)) == 1) {
		int64_t first = db_column_int64(s, 3),
		        last = db_column_int64(s, 5);
		json_t *pct = first > 0
		                  ? json_real(100.0 * (double)(last - first) /
		                              (double)first)
		                  : json_null();

		rc = jappend(
		    growth,
		    json_pack("{s:o, s:o, s:o, s:I, s:o, s:I, s:I, s:o}",
		              "handle", col_json_text(s, 0), "role",
		              col_json_text(s, 1), "first_observed",
		              col_json_time(s, 2), "first", (json_int_t)first,
		              "last_observed", col_json_time(s, 4), "last",
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
		    &q, since, json_object_get(root, "posts_per_week"),
		    json_object_get(root, "category_share_per_week"));
	if (rc == 0)
		rc = trends_roles_share(
		    &q, since, json_object_get(root, "category_share_by_role"));
	if (rc == 0)
		rc =
		    trends_first(&q, json_object_get(root, "first_appearance"));
out_end:
	read_end(&q);
out_free:
	if (rc < 0) {
		if (rc == -ENOMEM)
			snprintf(err, errlen, "trends: out of memory");
		json_decref(root);
		return rc;
	}
	*out = root;
	return 0;
}

/* ------------------------------------------------------ text handling */

enum esc {
	ESC_TEXT, /* terminal: controls replaced, nothing else */
	ESC_MD,   /* Markdown inline text */
	ESC_HTML, /* HTML text and attribute values */
};

/* Characters that must never reach an output raw: C0/C1 controls, DEL,
 * and the bidirectional overrides that can make text read differently
 * from what it is. */
static bool cp_is_unsafe(utf8proc_int32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp < 0xa0) ||
	       (cp >= 0x202a && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200e || cp == 0x200f ||
	       cp == 0xfeff;
}

/* Appends s escaped for mode, at most max code points (0 = all; a "…"
 * marks a cut).  Invalid UTF-8 becomes U+FFFD, unsafe characters a
 * space. */
static int put_esc(struct buf *b, const char *s, enum esc mode, size_t max)
{
	const char *p = s ? s : "";
	utf8proc_int32_t prev = 0;
	size_t n = 0;
	int rc = 0;

	while (*p && rc == 0) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t len =
		    utf8proc_iterate((const utf8proc_uint8_t *)p, -1, &cp);

		if (max && n == max)
			return buf_puts(b, "\xe2\x80\xa6");
		n++;
		if (len < 1) {
			rc = buf_puts(b, "\xef\xbf\xbd");
			p++;
			continue;
		}
		if (cp_is_unsafe(cp)) {
			rc = buf_putc(b, ' ');
		} else if (mode == ESC_HTML && cp < 0x80 &&
		           strchr("&<>\"'", (int)cp)) {
			rc = buf_printf(b, "&#%d;", (int)cp);
		} else if (mode == ESC_MD && cp < 0x80 &&
		           strchr("&<>", (int)cp)) {
			rc = buf_printf(b, "&#%d;", (int)cp);
		} else if (mode == ESC_MD && cp < 0x80 &&
		           (strchr("\\`*_[]|~", (int)cp) ||
		            (cp == '(' && prev == ']') ||
		            (n == 1 && strchr("#+-", (int)cp)))) {
			/* Block markers (#, +, -) matter only where a line
			 * starts, and an escaped string has no line breaks;
			 * "(" only after "]", where a link target begins. */
			rc = buf_putc(b, '\\');
			if (rc == 0)
				rc = buf_putc(b, (char)cp);
		} else {
			rc = buf_append(b, p, (size_t)len);
		}
		prev = cp;
		p += len;
	}
	return rc;
}

/* The columns s takes in a terminal (East Asian wide characters count 2). */
static size_t display_width(const char *s)
{
	const char *p = s;
	size_t w = 0;

	while (*p) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t len =
		    utf8proc_iterate((const utf8proc_uint8_t *)p, -1, &cp);
		int cw;

		if (len < 1) {
			p++;
			w++;
			continue;
		}
		cw = utf8proc_charwidth(cp);
		w += cw > 0 ? (size_t)cw : 0;
		p += len;
	}
	return w;
}

/* True for a URL that may become a link: http(s) with no character that
 * could break out of an attribute or a Markdown link target. */
static bool url_is_safe(const char *u)
{
	const unsigned char *p;

	if (!u || (strncasecmp(u, "http://", 7) != 0 &&
	           strncasecmp(u, "https://", 8) != 0))
		return false;
	for (p = (const unsigned char *)u; *p; p++)
		if (*p <= 0x20 || *p == 0x7f || strchr("\"'<>\\`", *p))
			return false;
	return true;
}

/* Appends a safe URL percent-encoding what would end a Markdown target. */
static int put_md_url(struct buf *b, const char *u)
{
	int rc = 0;

	for (; *u && rc == 0; u++)
		rc = strchr("()[]", *u)
		         ? buf_printf(b, "%%%02X", (unsigned char)*u)
		         : buf_putc(b, *u);
	return rc;
}

static void fmt_signed(char *out, size_t len, int64_t v)
{
	snprintf(out, len, v > 0 ? "+%lld" : "%lld", (long long)v);
}

/* ---------------------------------------------------------------- tables */

/* A table of plain-text cells rendered as aligned text, a Markdown pipe
 * table or an HTML table. */
struct table {
	size_t ncols;             /* columns */
	const char *const *heads; /* ncols header labels (static strings) */
	const char *align;        /* ncols of 'l' or 'r' */
	char **cells;             /* row-major, owned, raw text */
	size_t n;                 /* cells used */
	size_t cap;               /* cells allocated */
};

static void table_free(struct table *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->cells[i]);
	free(t->cells);
	t->cells = NULL;
	t->n = t->cap = 0;
}

static int table_add(struct table *t, const char *s)
{
	char *c;

	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 32;
		char **cells = realloc(t->cells, cap * sizeof(*cells));

		if (!cells)
			return -ENOMEM;
		t->cells = cells;
		t->cap = cap;
	}
	c = strdup(s ? s : "");
	if (!c)
		return -ENOMEM;
	t->cells[t->n++] = c;
	return 0;
}

static int table_addf(struct table *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int table_addf(struct table *t, const char *fmt, ...)
{
	char tmp[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	return table_add(t, tmp);
}

static int table_add_int(struct table *t, const json_t *v)
{
	if (!json_is_integer(v))
		return table_add(t, "-");
	return table_addf(t, "%lld", (long long)json_integer_value(v));
}

/* Drops spaces at the end of b (before a line break is added). */
static void rtrim(struct buf *b)
{
	while (b->len > 0 && b->data[b->len - 1] == ' ')
		b->data[--b->len] = '\0';
}

static int pad(struct buf *b, size_t n)
{
	int rc = 0;

	while (n-- > 0 && rc == 0)
		rc = buf_putc(b, ' ');
	return rc;
}

static int table_render_text(const struct table *t, struct buf *b)
{
	struct buf cell = {0};
	size_t *w, r, c, rows = t->n / t->ncols;
	char **clean;
	int rc = -ENOMEM;

	w = calloc(t->ncols, sizeof(*w));
	clean = calloc(t->n + 1, sizeof(*clean));
	if (!w || !clean)
		goto out_free;
	for (c = 0; c < t->ncols; c++)
		w[c] = display_width(t->heads[c]);
	for (r = 0; r < t->n; r++) {
		buf_reset(&cell);
		if (put_esc(&cell, t->cells[r], ESC_TEXT, CELL_MAX) < 0)
			goto out_free;
		clean[r] = buf_steal(&cell);
		if (!clean[r])
			goto out_free;
		if (display_width(clean[r]) > w[r % t->ncols])
			w[r % t->ncols] = display_width(clean[r]);
	}
	rc = 0;
	for (r = 0; r <= rows + 1 && rc == 0; r++) {
		for (c = 0; c < t->ncols && rc == 0; c++) {
			const char *s = r == 0 ? t->heads[c]
			                : r == 1
			                    ? NULL
			                    : clean[(r - 2) * t->ncols + c];
			size_t sw = s ? display_width(s) : 0;
			bool last = c + 1 == t->ncols;

			rc = buf_puts(b, "  ");
			if (!s) {
				size_t k;

				for (k = 0; k < w[c] && rc == 0; k++)
					rc = buf_putc(b, '-');
				continue;
			}
			if (t->align[c] == 'r')
				rc = pad(b, w[c] - sw);
			if (rc == 0)
				rc = buf_puts(b, s);
			if (rc == 0 && t->align[c] != 'r' && !last)
				rc = pad(b, w[c] - sw);
		}
		if (rc == 0) {
			rtrim(b);
			rc = buf_putc(b, '\n');
		}
	}
out_free:
	for (r = 0; clean && r < t->n; r++)
		free(clean[r]);
	free(clean);
	free(w);
	buf_free(&cell);
	return rc;
}

static int table_render_md(const struct table *t, struct buf *b)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < t->ncols && rc == 0; i++) {
		rc = buf_puts(b, "| ");
		if (rc == 0)
			rc = put_esc(b, t->heads[i], ESC_MD, 0);
		if (rc == 0)
			rc = buf_puts(b, " ");
	}
	if (rc == 0)
		rc = buf_puts(b, "|\n");
	for (i = 0; i < t->ncols && rc == 0; i++)
		rc = buf_puts(b, t->align[i] == 'r' ? "|---:" : "|---");
	if (rc == 0)
		rc = buf_puts(b, "|\n");
	for (i = 0; i < t->n && rc == 0; i++) {
		rc = buf_puts(b, "| ");
		if (rc == 0)
			rc = put_esc(b, t->cells[i], ESC_MD, CELL_MAX);
		if (rc == 0)
			rc = buf_puts(b, (i + 1) % t->ncols ? " " : " |\n");
	}
	return rc;
}

static int table_render_html(const struct table *t, struct buf *b)
{
	size_t i;
	int rc = buf_puts(b, "<table>\n<thead><tr>");

	for (i = 0; i < t->ncols && rc == 0; i++) {
		rc = buf_puts(b, t->align[i] == 'r' ? "<th class=\"num\">"
		                                    : "<th>");
		if (rc == 0)
			rc = put_esc(b, t->heads[i], ESC_HTML, 0);
		if (rc == 0)
			rc = buf_puts(b, "</th>");
	}
	if (rc == 0)
		rc = buf_puts(b, "</tr></thead>\n<tbody>\n");
	for (i = 0; i < t->n && rc == 0; i++) {
		size_t c = i % t->ncols;

		if (c == 0)
			rc = buf_puts(b, "<tr>");
		if (rc == 0)
			rc = buf_puts(b, t->align[c] == 'r'
			                     ? "<td class=\"num\">"
			                     : "<td>");
		if (rc == 0)
			rc = put_esc(b, t->cells[i], ESC_HTML, 0);
		if (rc == 0)
			rc = buf_puts(b, c + 1 == t->ncols ? "</td></tr>\n"
			                                   : "</td>");
	}
	if (rc == 0)
		rc = buf_puts(b, "</tbody>\n</table>\n");
	return rc;
}

static int table_render(struct table *t, enum report_format f, struct buf *b)
{
	int rc;

	if (t->n == 0) {
		rc = f == REPORT_FORMAT_HTML ? buf_puts(b, "<p>(none)</p>\n")
		                             : buf_puts(b, "  (none)\n");
	} else if (f == REPORT_FORMAT_MD) {
		rc = table_render_md(t, b);
	} else if (f == REPORT_FORMAT_HTML) {
		rc = table_render_html(t, b);
	} else {
		rc = table_render_text(t, b);
	}
	if (rc == 0 && f != REPORT_FORMAT_HTML)
		rc = buf_putc(b, '\n');
	table_free(t);
	return rc;
}

/* ------------------------------------------------------------ documents */

static int heading(struct buf *b, enum report_format f, int level,
                   const char *text)
{
	size_t i, w;
	int rc;

	switch (f) {
	case REPORT_FORMAT_MD:
		rc = buf_printf(b, "%.*s ", level, "###");
		if (rc == 0)
			rc = put_esc(b, text, ESC_MD, 0);
		return rc ? rc : buf_puts(b, "\n\n");
	case REPORT_FORMAT_HTML:
		rc = buf_printf(b, "<h%d>", level);
		if (rc == 0)
			rc = put_esc(b, text, ESC_HTML, 0);
		return rc ? rc : buf_printf(b, "</h%d>\n", level);
	default:
		rc = put_esc(b, text, ESC_TEXT, 0);
		if (rc == 0)
			rc = buf_putc(b, '\n');
		w = display_width(text);
		for (i = 0; i < w && rc == 0; i++)
			rc = buf_putc(b, level == 1 ? '=' : '-');
		return rc ? rc : buf_puts(b, "\n\n");
	}
}

static int para(struct buf *b, enum report_format f, const char *text)
{
	int rc;

	switch (f) {
	case REPORT_FORMAT_HTML:
		rc = buf_puts(b, "<p>");
		if (rc == 0)
			rc = put_esc(b, text, ESC_HTML, 0);
		return rc ? rc : buf_puts(b, "</p>\n");
	case REPORT_FORMAT_MD:
		rc = put_esc(b, text, ESC_MD, 0);
		return rc ? rc : buf_puts(b, "\n\n");
	default:
		rc = put_esc(b, text, ESC_TEXT, 0);
		return rc ? rc : buf_puts(b, "\n\n");
	}
}

/* Appends clean text wrapped at width columns, each line indented. */
static int put_wrapped(struct buf *b, const char *raw, size_t max_cp,
                       size_t indent, size_t width)
{
	struct buf clean = {0};
	const char *p, *line, *space = NULL;
	size_t w = 0;
	int rc;

	rc = put_esc(&clean, raw, ESC_TEXT, max_cp);
	if (rc < 0 || !clean.data)
		goto out_free;
	p = line = clean.data;
	while (*p && rc == 0) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t len =
		    utf8proc_iterate((const utf8proc_uint8_t *)p, -1, &cp);
		int cw = utf8proc_charwidth(cp);

		if (cp == ' ')
			space = p;
		if (w + (size_t)(cw > 0 ? cw : 0) > width && p > line) {
			const char *end = space && space > line ? space : p;

			rc = pad(b, indent);
			if (rc == 0)
				rc = buf_append(b, line, (size_t)(end - line));
			if (rc == 0) {
				rtrim(b);
				rc = buf_putc(b, '\n');
			}
			line = *end == ' ' ? end + 1 : end;
			space = NULL;
			w = 0;
			p = line;
			continue;
		}
		w += cw > 0 ? (size_t)cw : 0;
		p += len;
	}
	if (rc == 0 && *line) {
		rc = pad(b, indent);
		if (rc == 0)
			rc = buf_puts(b, line);
		if (rc == 0) {
			rtrim(b);
			rc = buf_putc(b, '\n');
		}
	}
out_free:
	buf_free(&clean);
	return rc;
}

/* "term, term, ..." from an evidence array (terms only, deduplicated in
 * order). */
static int evidence_terms(const json_t *ev, struct buf *out)
{
	size_t i, j;
	int rc = 0;

	for (i = 0; i < json_array_size(ev) && rc == 0; i++) {
		const char *term = jstr(json_array_get(ev, i), "term");
		bool seen = false;

		if (!term)
			continue;
		for (j = 0; j < i && !seen; j++) {
			const char *o = jstr(json_array_get(ev, j), "term");

			seen = o && strcmp(o, term) == 0;
		}
		if (seen)
			continue;
		if (out->len)
			rc = buf_puts(out, ", ");
		if (rc == 0)
			rc = buf_puts(out, term);
	}
	return rc;
}

static int render_example(struct buf *b, enum report_format f, const char *key,
                          const json_t *ex)
{
	const char *url = jstr(ex, "url"), *handle = jstr(ex, "handle"),
	           *time = jstr(ex, "time"), *title = jstr(ex, "title");
	const char *text = jstr(ex, "text");
	struct buf meta = {0}, terms = {0};
	int rc;

	rc = evidence_terms(json_object_get(ex, "evidence"), &terms);
	if (rc == 0)
		rc = buf_printf(&meta, "[%s] %s, %s, score %.2f", key,
		                handle ? handle : "?", time ? time : "?",
		                json_real_value(json_object_get(ex, "score")));
	if (rc < 0)
		goto out_free;
	if (text && !*text && title)
		text = title;
	switch (f) {
	case REPORT_FORMAT_HTML:
		rc = buf_puts(b, "<div class=\"ex\"><div class=\"meta\">");
		if (rc == 0)
			rc = put_esc(b, meta.data, ESC_HTML, 0);
		if (rc == 0 && url_is_safe(url)) {
			rc = buf_puts(b, " &middot; <a rel=\"nofollow noopener "
			                 "noreferrer\" href=\"");
			if (rc == 0)
				rc = put_esc(b, url, ESC_HTML, 0);
			if (rc == 0)
				rc = buf_puts(b, "\">source</a>");
		}
		if (rc == 0)
			rc = buf_puts(b, "</div>\n<blockquote>");
		if (rc == 0)
			rc = put_esc(b, text, ESC_HTML, 0);
		if (rc == 0)
			rc = buf_puts(b, "</blockquote>\n<div class=\"ev\">"
			                 "evidence: ");
		if (rc == 0)
			rc = put_esc(b, terms.data, ESC_HTML, 0);
		if (rc == 0)
			rc = buf_puts(b, "</div></div>\n");
		break;
	case REPORT_FORMAT_MD:
		rc = buf_puts(b, "- ");
		if (rc == 0)
			rc = put_esc(b, meta.data, ESC_MD, 0);
		if (rc == 0 && url_is_safe(url)) {
			rc = buf_puts(b, " ([source](");
			if (rc == 0)
				rc = put_md_url(b, url);
			if (rc == 0)
				rc = buf_puts(b, "))");
		}
		if (rc == 0)
			rc = buf_puts(b, "\n\n  > ");
		if (rc == 0)
			rc = put_esc(b, text, ESC_MD, 0);
		if (rc == 0)
			rc = buf_puts(b, "\n\n  evidence: ");
		if (rc == 0)
			rc = put_esc(b, terms.data, ESC_MD, 0);
		if (rc == 0)
			rc = buf_puts(b, "\n\n");
		break;
	default:
		rc = put_esc(b, meta.data, ESC_TEXT, 0);
		if (rc == 0)
			rc = buf_putc(b, '\n');
		if (rc == 0)
			rc = put_wrapped(b, text, 400, 4, 72);
		if (rc == 0)
			rc = buf_puts(b, "    evidence: ");
		if (rc == 0)
			rc = put_esc(b, terms.data, ESC_TEXT, 200);
		if (rc == 0 && url) {
			rc = buf_puts(b, "\n    ");
			if (rc == 0)
				rc = put_esc(b, url, ESC_TEXT, 200);
		}
		if (rc == 0)
			rc = buf_puts(b, "\n\n");
		break;
	}
out_free:
	buf_free(&meta);
	buf_free(&terms);
	return rc;
}

/* ----------------------------------------------------------- SVG charts */

static const char *const category_colors[] = {
    "#d95f02", "#7570b3", "#1b9e77", "#e7298a",
    "#66a61e", "#e6ab02", "#a6761d", "#666666",
};
static const char *const role_colors[] = {
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
};

/* A stacked bar chart: one bar per label, one stack segment per series.
 * value(i, j) gives bar i's amount of series j. */
struct chart {
	const char *title;         /* for aria-label */
	size_t nbars;              /* bars */
	const char *const *labels; /* nbars x-axis labels */
	size_t nseries;            /* segments per bar */
	const char *const *series; /* nseries legend names */
	const char *const *colors; /* colour of each series */
	const int64_t *values;     /* nbars * nseries, row-major */
};

static int render_chart(struct buf *b, const struct chart *c)
{
	const double W = 720, H = 260, left = 44, right = 36, top = 12,
	             plot_h = 170;
	double bw, max = 0, x, y, h;
	size_t i, j, step;
	int rc;

	for (i = 0; i < c->nbars; i++) {
		double sum = 0;

		for (j = 0; j < c->nseries; j++)
			sum += (double)c->values[i * c->nseries + j];
		if (sum > max)
			max = sum;
	}
	if (c->nbars == 0)
		return buf_puts(b, "<p>(no data)</p>\n");
	if (max <= 0)
		max = 1;
	bw = (W - left - right) / (double)c->nbars;
	rc = buf_printf(b,
	                "<svg xmlns=\"http://www.w3.org/2000/svg\" "
	                "viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" "
	                "height=\"%.0f\" role=\"img\" aria-label=\"",
	                W, H, W, H);
	if (rc == 0)
		rc = put_esc(b, c->title, ESC_HTML, 0);
	if (rc == 0)
		rc = buf_printf(
		    b,
		    "\">\n<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
		    "y2=\"%.1f\" stroke=\"#444\"/>\n<text x=\"%.1f\" "
		    "y=\"%.1f\" class=\"ax\" text-anchor=\"end\">%.0f</text>\n"
		    "<text x=\"%.1f\" y=\"%.1f\" class=\"ax\" "
		    "text-anchor=\"end\">0</text>\n",
		    left, top + plot_h, W - right, top + plot_h, left - 4,
		    top + 10, max, left - 4, top + plot_h);
	for (i = 0; i < c->nbars && rc == 0; i++) {
		y = top + plot_h;
		x = left + (double)i * bw;
		for (j = 0; j < c->nseries && rc == 0; j++) {
			int64_t v = c->values[i * c->nseries + j];

			if (v <= 0)
				continue;
			h = plot_h * (double)v / max;
			y -= h;
			rc = buf_printf(b,
			                "<rect x=\"%.1f\" y=\"%.1f\" "
			                "width=\"%.1f\" height=\"%.1f\" "
			                "fill=\"%s\"><title>",
			                x + bw * 0.1, y, bw * 0.8, h,
			                c->colors[j]);
			if (rc == 0)
				rc = put_esc(b, c->labels[i], ESC_HTML, 0);
			if (rc == 0)
				rc = buf_puts(b, " ");
			if (rc == 0)
				rc = put_esc(b, c->series[j], ESC_HTML, 0);
			if (rc == 0)
				rc = buf_printf(b, ": %lld</title></rect>\n",
				                (long long)v);
		}
	}
	/* At most about ten x-axis labels, so they never overlap. */
	step = c->nbars / 10 + 1;
	for (i = 0; i < c->nbars && rc == 0; i += step) {
		rc = buf_printf(b,
		                "<text x=\"%.1f\" y=\"%.1f\" class=\"ax\" "
		                "text-anchor=\"middle\">",
		                left + ((double)i + 0.5) * bw,
		                top + plot_h + 14);
		if (rc == 0)
			rc = put_esc(b, c->labels[i], ESC_HTML, 0);
		if (rc == 0)
			rc = buf_puts(b, "</text>\n");
	}
	for (j = 0; j < c->nseries && rc == 0; j++) {
		double lx = left + (double)(j % 4) * 165,
		       ly = top + plot_h + 34 + (double)(j / 4) * 18;

		rc = buf_printf(b,
		                "<rect x=\"%.1f\" y=\"%.1f\" width=\"10\" "
		                "height=\"10\" fill=\"%s\"/><text x=\"%.1f\" "
		                "y=\"%.1f\" class=\"lg\">",
		                lx, ly - 9, c->colors[j], lx + 14, ly);
		if (rc == 0)
			rc = put_esc(b, c->series[j], ESC_HTML, 40);
		if (rc == 0)
			rc = buf_puts(b, "</text>\n");
	}
	return rc ? rc : buf_puts(b, "</svg>\n");
}

/* Category assignments per day of the period. */
static int chart_days(struct buf *b, const json_t *report)
{
	const json_t *days = json_object_get(report, "days"),
	             *cats = json_object_get(report, "categories");
	size_t nb = json_array_size(days), ns = json_object_size(cats), i, j;
	const char **labels = calloc(nb + 1, sizeof(*labels)),
	           **series = calloc(ns + 1, sizeof(*series)),
	           **colors = calloc(ns + 1, sizeof(*colors));
	int64_t *values = calloc(nb * ns + 1, sizeof(*values));
	struct chart c = {"category assignments per day",
	                  nb,
	                  labels,
	                  ns,
	                  series,
	                  colors,
	                  values};
	const char *key;
	json_t *v;
	int rc = -ENOMEM;

	if (!labels || !series || !colors || !values)
		goto out_free;
	j = 0;
	json_object_foreach((json_t *)cats, key, v)
	{
		(void)v;
		series[j] = key;
		colors[j] =
		    category_colors[j < ARRAY_SIZE(category_colors)
		                        ? j
		                        : ARRAY_SIZE(category_colors) - 1];
		j++;
	}
	for (i = 0; i < nb; i++) {
		const json_t *d = json_array_get(days, i);

		labels[i] = jstr(d, "day") ? jstr(d, "day") : "";
		for (j = 0; j < ns; j++)
			values[i * ns + j] =
			    jint(json_object_get(d, "categories"), series[j]);
	}
	rc = render_chart(b, &c);
out_free:
	free(labels);
	free(series);
	free(colors);
	free(values);
	return rc;
}

/* Accounts opened per year, stacked by role; years without any are shown
 * as empty bars so the time axis stays honest. */
static int chart_years(struct buf *b, const json_t *years)
{
	const size_t ns = ARRAY_SIZE(role_keys);
	const char *year, *first = NULL, *last = NULL;
	char(*names)[8] = NULL;
	const char **labels = NULL;
	int64_t *values = NULL;
	size_t nb = 0, i, j;
	long y0 = 0, y1 = 0;
	json_t *yo;
	int rc = -ENOMEM;

	json_object_foreach((json_t *)years, year, yo)
	{
		if (!first)
			first = year;
		last = year;
	}
	if (first) {
		y0 = strtol(first, NULL, 10);
		y1 = strtol(last, NULL, 10);
		nb = y1 >= y0 && y1 - y0 < 300 ? (size_t)(y1 - y0 + 1) : 0;
	}
	names = calloc(nb + 1, sizeof(*names));
	labels = calloc(nb + 1, sizeof(*labels));
	values = calloc(nb * ns + 1, sizeof(*values));
	if (!names || !labels || !values)
		goto out_free;
	for (i = 0; i < nb; i++) {
		snprintf(names[i], sizeof(names[i]), "%ld", y0 + (long)i);
		labels[i] = names[i];
		yo = json_object_get(years, names[i]);
		for (j = 0; j < ns; j++)
			values[i * ns + j] = jint(yo, role_keys[j]);
	}
	{
		struct chart c = {"accounts opened per year",
		                  nb,
		                  labels,
		                  ns,
		                  role_keys,
		                  role_colors,
		                  values};

		rc = render_chart(b, &c);
	}
out_free:
	free(names);
	free(labels);
	free(values);
	return rc;
}

/* Line colours of the follower curves (distinct from the bar charts'). */
static const char *const line_colors[] = {
    "#0b7285", "#c92a2a", "#5f3dc4", "#2b8a3e",
    "#e67700", "#862e9c", "#364fc7", "#a61e4d",
};

/* A follower curve picked for the chart. */
struct curve {
	const char *handle; /* borrowed from the model */
	const json_t *pts;  /* [[day, followers], ...] */
	int64_t last;       /* followers at the end */
};

static int cmp_curve(const void *a, const void *b)
{
	const struct curve *x = a, *y = b;

	if (x->last != y->last)
		return x->last > y->last ? -1 : 1;
	return strcmp(x->handle, y->handle);
}

static int cmp_cstr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Follower curves of the largest accounts (at most ARRAY_SIZE(line_colors))
 * over the days of the period: one polyline each, on a shared scale. */
static int chart_followers(struct buf *b, const json_t *curves)
{
	const double W = 720, H = 260, left = 64, right = 20, top = 12,
	             plot_h = 170;
	size_t ncur = 0, ndays = 0, cap = 0, i, j, k,
	       n = json_object_size(curves);
	struct curve *cv = calloc(n + 1, sizeof(*cv));
	const char **days = NULL;
	double min = 0, max = 0;
	bool any = false;
	const char *h;
	json_t *pts;
	int rc = -ENOMEM;

	if (!cv)
		return -ENOMEM;
	json_object_foreach((json_t *)curves, h, pts)
	{
		size_t np = json_array_size(pts);

		if (!np)
			continue;
		cv[ncur++] =
		    (struct curve){h, pts,
		                   (int64_t)json_integer_value(json_array_get(
		                       json_array_get(pts, np - 1), 1))};
	}
	qsort(cv, ncur, sizeof(*cv), cmp_curve);
	if (ncur > ARRAY_SIZE(line_colors))
		ncur = ARRAY_SIZE(line_colors);
	for (i = 0; i < ncur; i++) {
		for (j = 0; j < json_array_size(cv[i].pts); j++) {
			const json_t *pt = json_array_get(cv[i].pts, j);
			double v =
			    (double)json_integer_value(json_array_get(pt, 1));
			const char *d =
			    json_string_value(json_array_get(pt, 0));

			if (!d)
				continue;
			if (!any || v < min)
				min = v;
			if (!any || v > max)
				max = v;
			any = true;
			if (ndays == cap) {
				size_t nc = cap ? cap * 2 : 64;
				const char **g = realloc(days, nc * sizeof(*g));

				if (!g)
					goto out_free;
				days = g;
				cap = nc;
			}
			days[ndays++] = d;
		}
	}
	if (!any) {
		rc =
		    buf_puts(b, "<p>(no follower counts in this period)</p>\n");
		goto out_free;
	}
	qsort(days, ndays, sizeof(*days), cmp_cstr);
	for (i = k = 0; i < ndays; i++)
		if (k == 0 || strcmp(days[k - 1], days[i]) != 0)
			days[k++] = days[i];
	ndays = k;
	if (max <= min) {
		max = min + 1;
		min = min - 1;
	}
	rc =
	    buf_printf(b,
	               "<svg xmlns=\"http://www.w3.org/2000/svg\" "
	               "viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" "
	               "height=\"%.0f\" role=\"img\" aria-label=\"follower "
	               "curves\">\n<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
	               "y2=\"%.1f\" stroke=\"#444\"/>\n<text x=\"%.1f\" "
	               "y=\"%.1f\" class=\"ax\" text-anchor=\"end\">%.0f</text>"
	               "\n<text x=\"%.1f\" y=\"%.1f\" class=\"ax\" "
	               "text-anchor=\"end\">%.0f</text>\n",
	               W, H, W, H, left, top + plot_h, W - right, top + plot_h,
	               left - 4, top + 10, max, left - 4, top + plot_h, min);
	for (i = 0; i < ncur && rc == 0; i++) {
		size_t np = json_array_size(cv[i].pts);

		rc = buf_printf(b,
		                "<polyline fill=\"none\" stroke=\"%s\" "
		                "stroke-width=\"3\" points=\"",
		                line_colors[i]);
		for (j = 0; j < np && rc == 0; j++) {
			const json_t *pt = json_array_get(cv[i].pts, j);
			const char *d =
			    json_string_value(json_array_get(pt, 0));
			const char **pos = d ? bsearch(&d, days, ndays,
			                               sizeof(*days), cmp_cstr)
			                     : NULL;
			double v = (double)json_integer_value(
			           json_array_get(pt, 1)),
			       x, y;

			if (!pos)
				continue;
			x = ndays > 1 ? left + (double)(pos - days) *
			                           (W - left - right) /
			                           (double)(ndays - 1)
			              : left + (W - left - right) / 2;
			y = top + plot_h - (v - min) / (max - min) * plot_h;
			rc = buf_printf(b, "%s%.1f,%.1f", j ? " " : "", x, y);
			/* A lone point would draw nothing: widen it. */
			if (rc == 0 && np == 1)
				rc = buf_printf(b, " %.1f,%.1f", x + 6, y);
		}
		if (rc == 0)
			rc = buf_puts(b, "\"><title>");
		if (rc == 0)
			rc = put_esc(b, cv[i].handle, ESC_HTML, 60);
		if (rc == 0)
			rc = buf_puts(b, "</title></polyline>\n");
	}
	for (i = 0; i < 2 && rc == 0 && ndays; i++) {
		rc = buf_printf(b,
		                "<text x=\"%.1f\" y=\"%.1f\" class=\"ax\" "
		                "text-anchor=\"%s\">",
		                i ? W - right : left, top + plot_h + 14,
		                i ? "end" : "start");
		if (rc == 0)
			rc = put_esc(b, days[i ? ndays - 1 : 0], ESC_HTML, 0);
		if (rc == 0)
			rc = buf_puts(b, "</text>\n");
	}
	for (i = 0; i < ncur && rc == 0; i++) {
		double lx = left + (double)(i % 4) * 165,
		       ly = top + plot_h + 34 + (double)(i / 4) * 18;

		rc = buf_printf(b,
		                "<rect x=\"%.1f\" y=\"%.1f\" width=\"10\" "
		                "height=\"10\" fill=\"%s\"/><text x=\"%.1f\" "
		                "y=\"%.1f\" class=\"lg\">",
		                lx, ly - 9, line_colors[i], lx + 14, ly);
		if (rc == 0)
			rc = put_esc(b, cv[i].handle, ESC_HTML, 22);
		if (rc == 0)
			rc = buf_puts(b, "</text>\n");
	}
	if (rc == 0)
		rc = buf_puts(b, "</svg>\n");
out_free:
	free(cv);
	free(days);
	return rc;
}

/* ------------------------------------------------------------ sections */

static int section_categories(struct buf *b, enum report_format f,
                              const json_t *report)
{
	static const char *const heads[] = {"category", "posts", "previous",
	                                    "change", "leading accounts"};
	struct table t = {5, heads, "lrrrl", NULL, 0, 0};
	const json_t *cats = json_object_get(report, "categories");
	const char *key;
	json_t *cat;
	char ch[32];
	int rc;

	rc = heading(b, f, 2, "Categories");
	json_object_foreach((json_t *)cats, key, cat)
	{
		struct buf top = {0};
		const json_t *ta = json_object_get(cat, "top_accounts");
		size_t i;

		fmt_signed(ch, sizeof(ch), jint(cat, "change"));
		for (i = 0; i < json_array_size(ta) && rc == 0; i++) {
			const json_t *a = json_array_get(ta, i);

			rc = buf_printf(&top, "%s%s (%lld)", i ? ", " : "",
			                jstr(a, "handle") ? jstr(a, "handle")
			                                  : "?",
			                (long long)jint(a, "posts"));
		}
		if (rc == 0)
			rc = table_add(&t, key);
		if (rc == 0)
			rc = table_add_int(&t, json_object_get(cat, "count"));
		if (rc == 0)
			rc =
			    table_add_int(&t, json_object_get(cat, "previous"));
		if (rc == 0)
			rc = table_add(&t, ch);
		if (rc == 0)
			rc = table_add(&t, top.data ? top.data : "");
		buf_free(&top);
		if (rc < 0)
			break;
	}
	if (rc < 0) {
		table_free(&t);
		return rc;
	}
	return table_render(&t, f, b);
}

static int section_examples(struct buf *b, enum report_format f,
                            const json_t *report)
{
	const json_t *cats = json_object_get(report, "categories");
	const char *key;
	json_t *cat;
	size_t i, n = 0;
	int rc;

	rc = heading(b, f, 2, "Strongest examples");
	json_object_foreach((json_t *)cats, key, cat)
	{
		const json_t *ex = json_object_get(cat, "examples");

		for (i = 0; i < json_array_size(ex) && rc == 0; i++, n++)
			rc = render_example(b, f, key, json_array_get(ex, i));
	}
	if (rc == 0 && n == 0)
		rc = para(b, f, "(no classified posts in this period)");
	return rc;
}

static int section_accounts(struct buf *b, enum report_format f,
                            const json_t *report)
{
	static const char *const heads[] = {
	    "account", "role", "posts", "categories", "followers", "change"};
	struct table t = {6, heads, "llrlrr", NULL, 0, 0};
	const json_t *list = json_object_get(report, "accounts");
	size_t i;
	int rc;

	rc = heading(b, f, 2, "Accounts");
	for (i = 0; i < json_array_size(list) && rc == 0; i++) {
		const json_t *a = json_array_get(list, i),
		             *fc = json_object_get(a, "followers_change");
		struct buf mix = {0};
		const char *key;
		json_t *v;
		char ch[32] = "-";

		json_object_foreach(json_object_get(a, "categories"), key, v)
		{
			if (json_integer_value(v) > 0 && rc == 0)
				rc = buf_printf(
				    &mix, "%s%s %lld", mix.len ? ", " : "", key,
				    (long long)json_integer_value(v));
		}
		if (json_is_integer(fc))
			fmt_signed(ch, sizeof(ch), json_integer_value(fc));
		if (rc == 0)
			rc = table_add(&t, jstr(a, "handle"));
		if (rc == 0)
			rc = table_add(&t, jstr(a, "role"));
		if (rc == 0)
			rc = table_add_int(&t, json_object_get(a, "posts"));
		if (rc == 0)
			rc = table_add(&t, mix.data);
		if (rc == 0)
			rc = table_add_int(&t, json_object_get(a, "followers"));
		if (rc == 0)
			rc = table_add(&t, ch);
		buf_free(&mix);
	}
	if (rc < 0) {
		table_free(&t);
		return rc;
	}
	return table_render(&t, f, b);
}

/* Year x role table of accounts.created; shared with trends. */
static int table_years(struct buf *b, enum report_format f, const json_t *years)
{
	static const char *const heads[] = {
	    "year",     "diplomat",    "spokesperson", "mission",
	    "ministry", "state_media", "other",        "total"};
	struct table t = {8, heads, "lrrrrrrr", NULL, 0, 0};
	const char *year;
	json_t *yo;
	size_t j;
	int rc = 0;

	json_object_foreach((json_t *)years, year, yo)
	{
		int64_t total = 0;

		rc = table_add(&t, year);
		for (j = 0; j < ARRAY_SIZE(role_keys) && rc == 0; j++) {
			total += jint(yo, role_keys[j]);
			rc = table_addf(&t, "%lld",
			                (long long)jint(yo, role_keys[j]));
		}
		if (rc == 0)
			rc = table_addf(&t, "%lld", (long long)total);
		if (rc < 0) {
			table_free(&t);
			return rc;
		}
	}
	return table_render(&t, f, b);
}

static int section_growth(struct buf *b, enum report_format f,
                          const json_t *report)
{
	const json_t *g = json_object_get(report, "growth");
	const json_t *years = json_object_get(g, "opened_per_year");
	char line[160];
	int rc;

	rc = heading(b, f, 2, "Accounts opened per year");
	snprintf(line, sizeof(line),
	         "%lld accounts tracked; %lld without a known creation date.",
	         (long long)jint(g, "accounts_total"),
	         (long long)jint(g, "created_unknown"));
	if (rc == 0)
		rc = para(b, f, line);
	if (rc == 0 && f == REPORT_FORMAT_HTML && json_object_size(years))
		rc = chart_years(b, years);
	if (rc == 0)
		rc = table_years(b, f, years);
	if (rc == 0 && f == REPORT_FORMAT_HTML) {
		rc = heading(b, f, 2, "Follower curves");
		if (rc == 0)
			rc = chart_followers(
			    b, json_object_get(g, "followers_daily"));
	}
	return rc;
}

static int section_days(struct buf *b, enum report_format f,
                        const json_t *report)
{
	static const char *const heads[] = {"day", "posts", "classified as"};
	struct table t = {3, heads, "lrl", NULL, 0, 0};
	const json_t *days = json_object_get(report, "days");
	size_t i;
	int rc;

	rc = heading(b, f, 2, "Posts per day");
	if (rc == 0 && f == REPORT_FORMAT_HTML)
		rc = chart_days(b, report);
	for (i = 0; i < json_array_size(days) && rc == 0; i++) {
		const json_t *d = json_array_get(days, i);
		struct buf mix = {0};
		const char *key;
		json_t *v;

		json_object_foreach(json_object_get(d, "categories"), key, v)
		{
			if (json_integer_value(v) > 0 && rc == 0)
				rc = buf_printf(
				    &mix, "%s%s %lld", mix.len ? ", " : "", key,
				    (long long)json_integer_value(v));
		}
		if (rc == 0)
			rc = table_add(&t, jstr(d, "day"));
		if (rc == 0)
			rc = table_add_int(&t, json_object_get(d, "posts"));
		if (rc == 0)
			rc = table_add(&t, mix.data);
		buf_free(&mix);
	}
	if (rc < 0) {
		table_free(&t);
		return rc;
	}
	return table_render(&t, f, b);
}

static int section_feeds(struct buf *b, enum report_format f,
                         const json_t *report)
{
	static const char *const heads[] = {"feed",          "account",
	                                    "failing since", "last success",
	                                    "failures",      "error"};
	struct table t = {6, heads, "llllrl", NULL, 0, 0};
	const json_t *feeds = json_object_get(report, "feeds"),
	             *failing = json_object_get(feeds, "failing");
	char line[128];
	size_t i;
	int rc;

	rc = heading(b, f, 2, "Feed health");
	snprintf(line, sizeof(line), "%lld of %lld active feeds healthy.",
	         (long long)jint(feeds, "ok"), (long long)jint(feeds, "total"));
	if (rc == 0)
		rc = para(b, f, line);
	for (i = 0; i < json_array_size(failing) && rc == 0; i++) {
		const json_t *x = json_array_get(failing, i);

		rc = table_add(&t, jstr(x, "url"));
		if (rc == 0)
			rc = table_add(&t, jstr(x, "account"));
		if (rc == 0)
			rc = table_add(&t, jstr(x, "since") ? jstr(x, "since")
			                                    : "-");
		if (rc == 0)
			rc = table_add(&t, jstr(x, "last_success")
			                       ? jstr(x, "last_success")
			                       : "never");
		if (rc == 0)
			rc = json_is_true(json_object_get(x, "disabled"))
			         ? table_add(&t, "disabled")
			         : table_add_int(
			               &t, json_object_get(
			                       x, "consecutive_failures"));
		if (rc == 0)
			rc = table_add(&t, jstr(x, "error"));
	}
	if (rc < 0) {
		table_free(&t);
		return rc;
	}
	return table_render(&t, f, b);
}

static const char html_head[] =
    "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src "
    "'none'; style-src 'unsafe-inline'; img-src data:\">\n"
    "<meta name=\"viewport\" content=\"width=device-width, "
    "initial-scale=1\">\n<title>";
static const char html_style[] =
    "</title>\n<style>\n"
    "body{font:15px/1.45 system-ui,sans-serif;max-width:60em;margin:2em "
    "auto;padding:0 1em;color:#222}\n"
    "h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em;border-bottom:"
    "1px solid #ccc}\n"
    "table{border-collapse:collapse;margin:.5em 0}th,td{padding:.2em "
    ".6em;border-bottom:1px solid #eee;text-align:left;vertical-align:top}"
    "\n.num{text-align:right;font-variant-numeric:tabular-nums}\n"
    ".ex{margin:1em 0}.meta{color:#555;font-size:.9em}\n"
    "blockquote{margin:.3em 0 .3em 1em;padding-left:.8em;border-left:3px "
    "solid #ccc;white-space:pre-wrap}\n.ev{font-size:.9em;color:#555}\n"
    "svg .ax{font-size:10px;fill:#444}svg .lg{font-size:11px;fill:#222}\n"
    "</style>\n</head>\n<body>\n";

int report_render(const json_t *report, enum report_format f, struct buf *b)
{
	const json_t *period = json_object_get(report, "period"),
	             *totals = json_object_get(report, "totals");
	char title[128], line[256];
	char *js;
	int rc = 0;

	if (f == REPORT_FORMAT_JSON) {
		js = json_dumps(report, JSON_INDENT(2));
		if (!js)
			return -ENOMEM;
		rc = buf_puts(b, js);
		free(js);
		return rc ? rc : buf_putc(b, '\n');
	}
	if (f != REPORT_FORMAT_TEXT && f != REPORT_FORMAT_MD &&
	    f != REPORT_FORMAT_HTML)
		return -EINVAL;
	snprintf(title, sizeof(title), "demarche report %s to %s",
	         jstr(period, "from") ? jstr(period, "from") : "?",
	         jstr(period, "to") ? jstr(period, "to") : "?");
	snprintf(line, sizeof(line),
	         "%lld posts from %lld accounts; %lld classified into at "
	         "least one category.",
	         (long long)jint(totals, "posts"),
	         (long long)jint(totals, "accounts_active"),
	         (long long)jint(totals, "classified"));
	if (f == REPORT_FORMAT_HTML) {
		rc = buf_puts(b, html_head);
		if (rc == 0)
			rc = put_esc(b, title, ESC_HTML, 0);
		if (rc == 0)
			rc = buf_puts(b, html_style);
	}
	if (rc == 0)
		rc = heading(b, f, 1, title);
	if (rc == 0)
		rc = para(b, f, line);
	if (rc == 0)
		rc = section_categories(b, f, report);
	if (rc == 0)
		rc = section_examples(b, f, report);
	if (rc == 0)
		rc = section_days(b, f, report);
	if (rc == 0)
		rc = section_accounts(b, f, report);
	if (rc == 0)
		rc = section_growth(b, f, report);
	if (rc == 0)
		rc = section_feeds(b, f, report);
	if (rc == 0 && f == REPORT_FORMAT_HTML)
		rc = buf_puts(b, "</body>\n</html>\n");
	return rc;
}

/* --------------------------------------------------------- trends render */

/* One CSV field: quoted when it holds a separator, a quote or a line
 * break; a leading = + - @ (a spreadsheet formula) gets a ' first. */
static int csv_field(struct buf *b, const char *s)
{
	bool quote = strpbrk(s, ",\"\r\n") != NULL;
	int rc = 0;

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

static int csv_row(struct buf *b, const char *series, const char *period,
                   const char *group, const char *value)
{
	int rc = csv_field(b, series);

	if (rc == 0)
		rc = buf_putc(b, ',');
	if (rc == 0)
		rc = csv_field(b, period ? period : "");
	if (rc == 0)
		rc = buf_putc(b, ',');
	if (rc == 0)
		rc = csv_field(b, group ? group : "");
	if (rc == 0)
		rc = buf_putc(b, ',');
	if (rc == 0)
		rc = buf_puts(b, value);
	return rc ? rc : buf_putc(b, '\n');
}

static int trends_csv(const json_t *tr, struct buf *b)
{
	const json_t *years = json_object_get(tr, "opened_per_year"),
	             *fg = json_object_get(tr, "follower_growth"),
	             *weeks = json_object_get(tr, "category_share_per_week");
	const char *year, *key;
	json_t *yo, *v;
	char val[64];
	size_t i;
	int rc = buf_puts(b, "series,period,group,value\n");

	json_object_foreach((json_t *)years, year, yo)
	{
		json_object_foreach(yo, key, v)
		{
			snprintf(val, sizeof(val), "%lld",
			         (long long)json_integer_value(v));
			if (rc == 0)
				rc = csv_row(b, "opened_per_year", year, key,
				             val);
		}
	}
	for (i = 0; i < json_array_size(fg) && rc == 0; i++) {
		const json_t *a = json_array_get(fg, i);
		const char *h = jstr(a, "handle") ? jstr(a, "handle") : "";

		snprintf(val, sizeof(val), "%lld", (long long)jint(a, "first"));
		rc = csv_row(b, "followers_first", jstr(a, "first_observed"), h,
		             val);
		snprintf(val, sizeof(val), "%lld", (long long)jint(a, "last"));
		if (rc == 0)
			rc = csv_row(b, "followers_last",
			             jstr(a, "last_observed"), h, val);
		snprintf(val, sizeof(val), "%lld",
		         (long long)jint(a, "change"));
		if (rc == 0)
			rc = csv_row(b, "followers_change",
			             jstr(a, "last_observed"), h, val);
	}
	for (i = 0; i < json_array_size(weeks) && rc == 0; i++) {
		const json_t *w = json_array_get(weeks, i);

		snprintf(val, sizeof(val), "%lld", (long long)jint(w, "posts"));
		rc = csv_row(b, "posts_per_week", jstr(w, "week"), "", val);
		json_object_foreach(json_object_get(w, "categories"), key, v)
		{
			snprintf(val, sizeof(val), "%lld",
			         (long long)jint(v, "count"));
			if (rc == 0)
				rc = csv_row(b, "category_count_per_week",
				             jstr(w, "week"), key, val);
			snprintf(val, sizeof(val), "%.4f",
			         json_real_value(json_object_get(v, "share")));
			if (rc == 0)
				rc = csv_row(b, "category_share_per_week",
				             jstr(w, "week"), key, val);
		}
	}
	{
		const json_t *byrole =
		                 json_object_get(tr, "follower_growth_by_role"),
		             *share =
		                 json_object_get(tr, "category_share_by_role"),
		             *first = json_object_get(tr, "first_appearance");
		char grp[256];

		json_object_foreach((json_t *)byrole, key, v)
		{
			snprintf(val, sizeof(val), "%lld",
			         (long long)jint(v, "change"));
			if (rc == 0)
				rc = csv_row(b, "followers_change_by_role", "",
				             key, val);
			if (json_is_real(json_object_get(v, "change_pct"))) {
				snprintf(val, sizeof(val), "%.4f",
				         json_real_value(
				             json_object_get(v, "change_pct")));
				if (rc == 0)
					rc = csv_row(
					    b, "followers_change_pct_by_role",
					    "", key, val);
			}
		}
		json_object_foreach((json_t *)share, key, v)
		{
			const char *ck;
			json_t *cv;

			snprintf(val, sizeof(val), "%lld",
			         (long long)jint(v, "posts"));
			if (rc == 0)
				rc = csv_row(b, "posts_by_role", "", key, val);
			json_object_foreach(json_object_get(v, "categories"),
			                    ck, cv)
			{
				snprintf(grp, sizeof(grp), "%s/%s", key, ck);
				snprintf(val, sizeof(val), "%lld",
				         (long long)jint(cv, "count"));
				if (rc == 0)
					rc =
					    csv_row(b, "category_count_by_role",
					            "", grp, val);
				snprintf(val, sizeof(val), "%.4f",
				         json_real_value(
				             json_object_get(cv, "share")));
				if (rc == 0)
					rc =
					    csv_row(b, "category_share_by_role",
					            "", grp, val);
			}
		}
		for (i = 0; i < json_array_size(first) && rc == 0; i++) {
			const json_t *x = json_array_get(first, i);

			snprintf(grp, sizeof(grp), "%s/%s",
			         jstr(x, "handle") ? jstr(x, "handle") : "",
			         jstr(x, "category") ? jstr(x, "category")
			                             : "");
			rc = csv_row(b, "first_appearance", jstr(x, "first"),
			             grp, "1");
		}
	}
	return rc;
}

/* The per-role tables and the first appearances of trends_text. */
static int trends_text_roles(const json_t *tr, struct buf *b)
{
	static const char *const rg_heads[] = {"role", "accounts", "first",
	                                       "last", "change",   "%"};
	static const char *const rs_heads[] = {"role",
	                                       "posts",
	                                       "blame_rebuttal",
	                                       "western_failure",
	                                       "economic_coercion",
	                                       "origin_narrative"};
	static const char *const fa_heads[] = {"account", "role", "category",
	                                       "first post"};
	struct table rg = {6, rg_heads, "lrrrrr", NULL, 0, 0};
	struct table rs = {6, rs_heads, "lrrrrr", NULL, 0, 0};
	struct table fa = {4, fa_heads, "llll", NULL, 0, 0};
	const json_t *byrole = json_object_get(tr, "follower_growth_by_role"),
	             *share = json_object_get(tr, "category_share_by_role"),
	             *first = json_object_get(tr, "first_appearance");
	const enum report_format f = REPORT_FORMAT_TEXT;
	const char *key;
	json_t *v;
	char ch[32];
	size_t i, j;
	int rc;

	rc = heading(b, f, 2, "Follower growth by role");
	json_object_foreach((json_t *)byrole, key, v)
	{
		const json_t *pct = json_object_get(v, "change_pct");

		fmt_signed(ch, sizeof(ch), jint(v, "change"));
		if (rc == 0)
			rc = table_add(&rg, key);
		if (rc == 0)
			rc = table_add_int(&rg, json_object_get(v, "accounts"));
		if (rc == 0)
			rc = table_add_int(&rg, json_object_get(v, "first"));
		if (rc == 0)
			rc = table_add_int(&rg, json_object_get(v, "last"));
		if (rc == 0)
			rc = table_add(&rg, ch);
		if (rc == 0)
			rc =
			    json_is_real(pct)
			        ? table_addf(&rg, "%+.1f", json_real_value(pct))
			        : table_add(&rg, "-");
	}
	if (rc == 0)
		rc = table_render(&rg, f, b);
	if (rc == 0)
		rc = heading(b, f, 2, "Category share by role");
	json_object_foreach((json_t *)share, key, v)
	{
		const json_t *cats = json_object_get(v, "categories");

		if (rc == 0)
			rc = table_add(&rs, key);
		if (rc == 0)
			rc = table_add_int(&rs, json_object_get(v, "posts"));
		for (j = 0; j < ARRAY_SIZE(category_keys) && rc == 0; j++) {
			const json_t *c =
			    json_object_get(cats, category_keys[j]);

			rc = table_addf(
			    &rs, "%lld (%.1f%%)", (long long)jint(c, "count"),
			    100.0 *
			        json_real_value(json_object_get(c, "share")));
		}
	}
	if (rc == 0)
		rc = table_render(&rs, f, b);
	if (rc == 0)
		rc = heading(b, f, 2, "First appearance of each category");
	for (i = 0; i < json_array_size(first) && rc == 0; i++) {
		const json_t *x = json_array_get(first, i);

		rc = table_add(&fa, jstr(x, "handle"));
		if (rc == 0)
			rc = table_add(&fa, jstr(x, "role"));
		if (rc == 0)
			rc = table_add(&fa, jstr(x, "category"));
		if (rc == 0)
			rc = table_add(&fa, jstr(x, "first"));
	}
	if (rc == 0)
		rc = table_render(&fa, f, b);
	table_free(&rg);
	table_free(&rs);
	table_free(&fa);
	return rc;
}

static int trends_text(const json_t *tr, struct buf *b)
{
	static const char *const fg_heads[] = {
	    "account",   "role",      "first seen", "followers",
	    "last seen", "followers", "change",     "%"};
	static const char *const wk_heads[] = {"week",
	                                       "posts",
	                                       "blame_rebuttal",
	                                       "western_failure",
	                                       "economic_coercion",
	                                       "origin_narrative",
	                                       "other categories"};
	struct table fgt = {8, fg_heads, "llllrlrr", NULL, 0, 0};
	struct table wkt = {7, wk_heads, "lrrrrrl", NULL, 0, 0};
	const json_t *fg = json_object_get(tr, "follower_growth"),
	             *weeks = json_object_get(tr, "category_share_per_week");
	const enum report_format f = REPORT_FORMAT_TEXT;
	char ch[32];
	size_t i, j;
	int rc;

	rc = heading(b, f, 1, "demarche trends");
	if (rc == 0)
		rc = heading(b, f, 2, "Accounts opened per year, by role");
	if (rc == 0)
		rc = table_years(b, f, json_object_get(tr, "opened_per_year"));
	if (rc == 0)
		rc = heading(b, f, 2, "Follower growth");
	for (i = 0; i < json_array_size(fg) && rc == 0; i++) {
		const json_t *a = json_array_get(fg, i),
		             *pct = json_object_get(a, "change_pct");

		fmt_signed(ch, sizeof(ch), jint(a, "change"));
		rc = table_add(&fgt, jstr(a, "handle"));
		if (rc == 0)
			rc = table_add(&fgt, jstr(a, "role"));
		if (rc == 0)
			rc = table_add(&fgt, jstr(a, "first_observed"));
		if (rc == 0)
			rc = table_add_int(&fgt, json_object_get(a, "first"));
		if (rc == 0)
			rc = table_add(&fgt, jstr(a, "last_observed"));
		if (rc == 0)
			rc = table_add_int(&fgt, json_object_get(a, "last"));
		if (rc == 0)
			rc = table_add(&fgt, ch);
		if (rc == 0)
			rc = json_is_real(pct)
			         ? table_addf(&fgt, "%+.1f",
			                      json_real_value(pct))
			         : table_add(&fgt, "-");
	}
	if (rc == 0)
		rc = table_render(&fgt, f, b);
	if (rc == 0)
		rc = heading(b, f, 2, "Posts and category share per week");
	for (i = 0; i < json_array_size(weeks) && rc == 0; i++) {
		const json_t *w = json_array_get(weeks, i),
		             *cats = json_object_get(w, "categories");
		struct buf other = {0};
		const char *key;
		json_t *v;

		rc = table_add(&wkt, jstr(w, "week"));
		if (rc == 0)
			rc = table_add_int(&wkt, json_object_get(w, "posts"));
		for (j = 0; j < ARRAY_SIZE(category_keys) && rc == 0; j++) {
			v = json_object_get(cats, category_keys[j]);
			rc = table_addf(
			    &wkt, "%lld (%.1f%%)", (long long)jint(v, "count"),
			    100.0 *
			        json_real_value(json_object_get(v, "share")));
		}
		json_object_foreach((json_t *)cats, key, v)
		{
			for (j = 0; j < ARRAY_SIZE(category_keys); j++)
				if (strcmp(key, category_keys[j]) == 0)
					break;
			if (j == ARRAY_SIZE(category_keys) && rc == 0)
				rc = buf_printf(&other, "%s%s %lld",
				                other.len ? ", " : "", key,
				                (long long)jint(v, "count"));
		}
		if (rc == 0)
			rc = table_add(&wkt, other.data);
		buf_free(&other);
	}
	if (rc == 0)
		rc = table_render(&wkt, f, b);
	if (rc == 0)
		rc = trends_text_roles(tr, b);
	table_free(&fgt);
	table_free(&wkt);
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
		return trends_csv(trends, b);
	case REPORT_FORMAT_TEXT:
		return trends_text(trends, b);
	default:
		return -EINVAL;
	}
}
