/*
 * cmd_narrative.c — `demarche [-c FILE | -d DB] narrative [KEY]`: who
 * stated a narrative first, who followed and how fast, day by day, and
 * which role led.  Without a key it lists the narratives with their
 * counts.  Counts are of statements, not copies: posts that
 * post_clusters names copies of one statement count once, and the copies
 * of the first use are listed with it.  `--rescan` applies the narratives
 * to the whole log again; `--send-alerts` (cmd_alerts.c) sends the alerts
 * that are due.  The narratives are the config's with -c, else those the
 * log recorded (the narratives table).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <jansson.h>

#include "cmd.h"
#include "config.h"
#include "date.h"
#include "db.h"
#include "narrative_match.h"
#include "progress.h"
#include "store.h"
#include "store_narratives.h"
#include "util.h"

#define DAY 86400

static void usage(FILE *fp)
{
	fputs("usage: demarche [-c FILE | -d DB] narrative [KEY] [--since T] "
	      "[--until T]\n"
	      "                 [--format text|json]\n"
	      "       demarche [-c FILE | -d DB] narrative --rescan\n"
	      "       demarche -c FILE narrative --send-alerts\n"
	      "  KEY               one narrative's timeline: its first use, "
	      "every account\n"
	      "                    that followed with its delay, posts per "
	      "day, first use\n"
	      "                    per role; without KEY, every narrative "
	      "with its counts\n"
	      "  --since T         from T (a duration back from --until, or "
	      "a date/time);\n"
	      "                    default: the whole log\n"
	      "  --until T         up to T, not included (default: now)\n"
	      "  --format F        text (default) or json\n"
	      "  --rescan          match every stored post against the "
	      "narratives again\n"
	      "  --send-alerts     send the narrative alerts that are due "
	      "(the daemon\n"
	      "                    runs this)\n",
	      fp);
}

/* One post of the narrative in the period, oldest first. */
struct row {
	int64_t id;
	int64_t account_id;
	int64_t time;
	int64_t statement; /* COALESCE(cluster_id, id) */
	char *handle;
	char *role;
	char *url;
};

/* What one account did with the narrative. */
struct acct {
	int64_t account_id;
	const struct row *first; /* its first use */
	int64_t posts;           /* its statements */
};

struct timeline {
	const char *key;
	struct row *rows;
	size_t n, cap;
	int64_t from, to;
	char *first_text;
};

static void timeline_free(struct timeline *t)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		free(t->rows[i].handle);
		free(t->rows[i].role);
		free(t->rows[i].url);
	}
	free(t->rows);
	free(t->first_text);
}

static int load_rows(struct db *db, struct timeline *t)
{
	struct db_stmt *s = NULL;
	int rc;

	rc = db_prepare(db,
	                "SELECT p.id, p.account_id, p.report_time,"
	                " COALESCE(c.cluster_id, p.id), a.handle, a.role,"
	                " p.url FROM post_narratives n JOIN posts p"
	                " ON p.id = n.post_id JOIN accounts a"
	                " ON a.id = p.account_id LEFT JOIN post_clusters c"
	                " ON c.post_id = p.id WHERE n.narrative = ?1"
	                " AND p.report_time >= ?2 AND p.report_time < ?3"
	                " ORDER BY p.report_time, p.id",
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
		r->handle = xstrdup(db_column_text(s, 4));
		r->role = xstrdup(db_column_text(s, 5));
		r->url =
		    db_column_null(s, 6) ? NULL : xstrdup(db_column_text(s, 6));
		if (!r->handle || !r->role)
			rc = -ENOMEM;
		if (rc == -ENOMEM)
			break;
	}
	db_finalize(s);
	if (rc < 0 || t->n == 0)
		return rc < 0 ? rc : 0;
	rc = db_prepare(db, "SELECT text FROM posts WHERE id = ?1", &s);
	if (rc < 0)
		return rc;
	db_bind_int64(s, 1, t->rows[0].id);
	if (db_step(s) == DB_ROW && !db_column_null(s, 0))
		t->first_text = xstrdup(db_column_text(s, 0));
	db_finalize(s);
	return 0;
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

/* "+2h03m" for a delay. */
static void delay_text(int64_t s, char *out, size_t len)
{
	if (s < 60)
		snprintf(out, len, "+%llds", (long long)s);
	else if (s < 3600)
		snprintf(out, len, "+%lldm%02llds", (long long)(s / 60),
		         (long long)(s % 60));
	else if (s < DAY)
		snprintf(out, len, "+%lldh%02lldm", (long long)(s / 3600),
		         (long long)(s % 3600 / 60));
	else
		snprintf(out, len, "+%lldd%02lldh", (long long)(s / DAY),
		         (long long)(s % DAY / 3600));
}

static const char *str(const json_t *o, const char *k)
{
	const char *v = json_string_value(json_object_get(o, k));

	return v ? v : "-";
}

static long long num(const json_t *o, const char *k)
{
	return (long long)json_integer_value(json_object_get(o, k));
}

static void print_text(const json_t *o)
{
	const json_t *first = json_object_get(o, "first"), *v;
	const json_t *period = json_object_get(o, "period");
	char d[32];
	size_t i;

	printf("narrative %s%s%s%s\n", str(o, "key"),
	       json_is_string(json_object_get(o, "name")) ? " (" : "",
	       json_is_string(json_object_get(o, "name")) ? str(o, "name") : "",
	       json_is_string(json_object_get(o, "name")) ? ")" : "");
	printf("period: [%s, %s)\n",
	       json_is_null(json_object_get(period, "from"))
	           ? "the beginning"
	           : str(period, "from"),
	       str(period, "to"));
	printf("posts: %lld statement(s), %lld cop%s\n", num(o, "posts"),
	       num(o, "copies"), num(o, "copies") == 1 ? "y" : "ies");
	if (!json_is_object(first))
		return;
	printf("first: %s @%s (%s) %s\n  %s\n", str(first, "time"),
	       str(first, "account"), str(first, "role"), str(first, "url"),
	       str(first, "text"));
	for (i = 0; (v = json_array_get(json_object_get(first, "copies"), i));
	     i++)
		printf("  copy: %s @%s %s\n", str(v, "time"), str(v, "account"),
		       str(v, "url"));
	printf("\naccounts, by first use:\n");
	for (i = 0; (v = json_array_get(json_object_get(o, "accounts"), i));
	     i++) {
		delay_text(num(v, "delay_s"), d, sizeof(d));
		printf("  %-9s %-20s %-12s %s  %lld post(s)\n", d,
		       str(v, "handle"), str(v, "role"), str(v, "first"),
		       num(v, "posts"));
	}
	printf("\nfirst use per role:\n");
	for (i = 0; (v = json_array_get(json_object_get(o, "roles"), i)); i++) {
		delay_text(num(v, "delay_s"), d, sizeof(d));
		printf("  %-12s @%-20s %s\n", str(v, "role"), str(v, "account"),
		       d);
	}
	printf("\nday         posts  accounts\n");
	for (i = 0; (v = json_array_get(json_object_get(o, "daily"), i)); i++)
		printf("  %s  %5lld  %8lld\n", str(v, "day"), num(v, "posts"),
		       num(v, "accounts"));
}

/* ---- the narratives: the config's, else the log's ------------------- */

/* Reads one narrative of the log's narratives table into n. */
static int narrative_from_row(struct db_stmt *s, struct config_narrative *n)
{
	json_error_t jerr;
	json_t *def = json_loads(db_column_text(s, 2), 0, &jerr), *t, *c;
	size_t i;

	n->key = xstrdup(db_column_text(s, 0));
	n->name = db_column_null(s, 1) ? NULL : xstrdup(db_column_text(s, 1));
	t = json_object_get(def, "terms");
	c = json_object_get(def, "category");
	n->terms = calloc(json_array_size(t) + 1, sizeof(*n->terms));
	if (!n->key || !n->terms) {
		json_decref(def);
		return -ENOMEM;
	}
	for (i = 0; i < json_array_size(t); i++)
		if (json_is_string(json_array_get(t, i)) &&
		    (n->terms[n->n_terms] =
		         xstrdup(json_string_value(json_array_get(t, i)))))
			n->n_terms++;
	if (json_is_string(c))
		n->category = xstrdup(json_string_value(c));
	json_decref(def);
	return 0;
}

/* The narratives: -c's config (kept in *cfg), else a config holding the
 * log's recorded ones.  Returns 0 or a sysexits code. */
static int load_narratives(const struct cmd_globals *g, struct db *db,
                           struct config **cfg)
{
	struct config_errors errs = {0};
	struct db_stmt *s = NULL;
	int rc;

	if (g->config) {
		rc = config_load(g->config, cfg, &errs);
		config_errors_clear(&errs);
		if (rc < 0) {
			fprintf(stderr,
			        "demarche narrative: %s: cannot load "
			        "(run check-config)\n",
			        g->config);
			return EX_CONFIG;
		}
		return 0;
	}
	*cfg = calloc(1, sizeof(**cfg));
	if (!*cfg || db_prepare(db,
	                        "SELECT narrative, name, definition FROM"
	                        " narratives ORDER BY narrative",
	                        &s) < 0) {
		fprintf(stderr, "demarche narrative: %s\n",
		        *cfg ? db_errmsg(db) : "out of memory");
		return EX_IOERR;
	}
	while ((rc = db_step(s)) == DB_ROW) {
		struct config_narrative *g2 =
		    realloc((*cfg)->narratives,
		            ((*cfg)->n_narratives + 1) * sizeof(*g2));

		if (!g2)
			break;
		(*cfg)->narratives = g2;
		memset(&g2[(*cfg)->n_narratives], 0, sizeof(*g2));
		if (narrative_from_row(s, &g2[(*cfg)->n_narratives++]) < 0)
			break;
	}
	db_finalize(s);
	return rc == DB_DONE ? 0 : EX_IOERR;
}

static const struct config_narrative *find_narrative(const struct config *cfg,
                                                     const char *key)
{
	size_t i;

	for (i = 0; i < cfg->n_narratives; i++)
		if (strcmp(cfg->narratives[i].key, key) == 0)
			return &cfg->narratives[i];
	return NULL;
}

/* One narrative's counts in [from, to). */
static json_t *summary_json(struct db *db, const struct config_narrative *n,
                            int64_t from, int64_t to)
{
	struct db_stmt *s = NULL;
	json_t *o = NULL;

	if (db_prepare(db,
	               "SELECT count(DISTINCT COALESCE(c.cluster_id, p.id)),"
	               " count(DISTINCT p.account_id), min(p.report_time),"
	               " count(*) FROM post_narratives n JOIN posts p"
	               " ON p.id = n.post_id LEFT JOIN post_clusters c"
	               " ON c.post_id = p.id WHERE n.narrative = ?1"
	               " AND p.report_time >= ?2 AND p.report_time < ?3",
	               &s) < 0)
		return NULL;
	db_bind_text(s, 1, n->key);
	db_bind_int64(s, 2, from);
	db_bind_int64(s, 3, to);
	if (db_step(s) == DB_ROW)
		o = json_pack(
		    "{s:s, s:s?, s:I, s:I, s:I, s:o}", "key", n->key, "name",
		    n->name, "posts", (json_int_t)db_column_int64(s, 0),
		    "copies",
		    (json_int_t)(db_column_int64(s, 3) - db_column_int64(s, 0)),
		    "accounts", (json_int_t)db_column_int64(s, 1), "first",
		    db_column_null(s, 2) ? json_null()
		                         : time_json(db_column_int64(s, 2)));
	db_finalize(s);
	return o;
}

static int list_narratives(struct db *db, const struct config *cfg,
                           int64_t from, int64_t to, bool json)
{
	json_t *all = json_array(), *o, *v;
	size_t i;

	for (i = 0; all && i < cfg->n_narratives; i++) {
		v = summary_json(db, &cfg->narratives[i], from, to);
		if (!v) {
			fprintf(stderr, "demarche narrative: %s\n",
			        db_errmsg(db));
			json_decref(all);
			return EX_IOERR;
		}
		json_array_append_new(all, v);
	}
	o = json_pack("{s:{s:o, s:o}, s:o}", "period", "from", time_json(from),
	              "to", time_json(to), "narratives", all);
	if (!o)
		return EX_SOFTWARE;
	if (json) {
		json_dumpf(o, stdout, JSON_INDENT(2));
		putchar('\n');
	} else {
		printf("%-24s %7s %7s %9s  %s\n", "narrative", "posts",
		       "copies", "accounts", "first");
		for (i = 0; (v = json_array_get(all, i)); i++)
			printf("%-24s %7lld %7lld %9lld  %s\n", str(v, "key"),
			       num(v, "posts"), num(v, "copies"),
			       num(v, "accounts"), str(v, "first"));
		if (json_array_size(all) == 0)
			printf("(no narratives: add [narrative \"KEY\"] "
			       "sections to the config)\n");
	}
	json_decref(o);
	return 0;
}

static int show_narrative(struct db *db, const struct config_narrative *n,
                          int64_t from, int64_t to, bool json)
{
	struct timeline t = {0};
	json_t *o;
	int rc;

	t.key = n->key;
	t.from = from;
	t.to = to;
	rc = load_rows(db, &t);
	if (rc < 0) {
		fprintf(stderr, "demarche narrative: %s\n",
		        rc == -ENOMEM ? "out of memory" : db_errmsg(db));
		timeline_free(&t);
		return EX_IOERR;
	}
	o = timeline_json(&t, n->name);
	timeline_free(&t);
	if (!o)
		return EX_SOFTWARE;
	if (json) {
		json_dumpf(o, stdout, JSON_INDENT(2));
		putchar('\n');
	} else {
		print_text(o);
	}
	json_decref(o);
	return 0;
}

static void on_broad(const char *key, int64_t matched, int64_t total, void *arg)
{
	(void)arg;
	fprintf(stderr,
	        "demarche narrative: warning: %s matches %lld of %lld posts "
	        "(over a third): are its terms too common?\n",
	        key, (long long)matched, (long long)total);
}

static int rescan(const char *target, struct config *cfg)
{
	struct narrative_matcher *m;
	struct store *st = NULL;
	struct progress pr;
	int64_t cursor = 0, matched = 0, done = 0;
	char err[512];
	int r;

	m = store_narratives_matcher(cfg, err, sizeof(err));
	if (!m) {
		fprintf(stderr, "demarche narrative: %s\n", err);
		return EX_DATAERR;
	}
	r = store_open(target, &st, err, sizeof(err));
	if (r == 0)
		r = store_narratives_set(st, cfg, m, util_now());
	if (r >= 0)
		r = store_narratives_reset(st);
	progress_start(&pr, stderr, "rescan", "posts", -1);
	while (r >= 0 && (r = store_narratives_rescan_batch(st, &cursor, 1000,
	                                                    &matched)) > 0)
		progress_update(&pr, done += r);
	progress_end(&pr);
	if (r < 0)
		fprintf(stderr, "demarche narrative: %s\n",
		        st ? store_errmsg(st) : err);
	else
		printf("%zu narrative(s) applied to %lld post(s): %lld "
		       "match(es)\n",
		       cfg->n_narratives, (long long)done, (long long)matched);
	if (r >= 0)
		store_narratives_broad(st, on_broad, NULL);
	store_close(st);
	narrative_matcher_free(m);
	return r < 0 ? EX_IOERR : 0;
}

struct narrative_args {
	const char *key;
	const char *since, *until;
	bool json;
	bool rescan;
	bool send_alerts;
};

static int parse_args(int argc, char **argv, struct narrative_args *a)
{
	static const struct option opts[] = {
	    {"since", required_argument, NULL, 's'},
	    {"until", required_argument, NULL, 'u'},
	    {"format", required_argument, NULL, 'f'},
	    {"rescan", no_argument, NULL, 'r'},
	    {"send-alerts", no_argument, NULL, 'a'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int ch;

	while (optind < argc) {
		ch = getopt_long(argc, argv, "h", opts, NULL);
		if (ch == -1) { /* the key, before or among the options */
			if (a->key || optind >= argc)
				break;
			a->key = argv[optind++];
			continue;
		}
		switch (ch) {
		case 's':
			a->since = optarg;
			break;
		case 'u':
			a->until = optarg;
			break;
		case 'f':
			if (strcmp(optarg, "json") != 0 &&
			    strcmp(optarg, "text") != 0) {
				fprintf(stderr, "demarche narrative: --format "
				                "is text or json\n");
				return EX_USAGE;
			}
			a->json = strcmp(optarg, "json") == 0;
			break;
		case 'r':
			a->rescan = true;
			break;
		case 'a':
			a->send_alerts = true;
			break;
		case 'h':
			usage(stdout);
			return -1;
		default:
			usage(stderr);
			return EX_USAGE;
		}
	}
	if (optind < argc || ((a->rescan || a->send_alerts) &&
	                      (a->key || a->since || a->until))) {
		usage(stderr);
		return EX_USAGE;
	}
	return 0;
}

static int unknown_narrative(const struct config *cfg, const char *key)
{
	const char **names = calloc(cfg->n_narratives + 1, sizeof(*names));
	const char *near = NULL;
	size_t i;

	for (i = 0; names && i < cfg->n_narratives; i++)
		names[i] = cfg->narratives[i].key;
	if (names)
		near = util_nearest(key, names, cfg->n_narratives);
	fprintf(stderr, "demarche narrative: unknown narrative '%s'%s%s%s\n",
	        key, near ? "; did you mean '" : "", near ? near : "",
	        near ? "'?" : " (demarche narrative lists them)");
	free(names);
	return EX_USAGE;
}

int cmd_narrative_main(const struct cmd_globals *g, int argc, char **argv)
{
	struct narrative_args a = {0};
	struct config *cfg = NULL;
	struct store *st = NULL;
	int64_t from, to;
	char err[512];
	int rc;

	rc = parse_args(argc, argv, &a);
	if (rc != 0)
		return rc < 0 ? 0 : rc;
	if (a.send_alerts)
		return cmd_narrative_send_alerts(g);
	if (!g->db) {
		fprintf(stderr, "demarche narrative: no log: use -d DB or -c "
		                "FILE\n");
		return EX_USAGE;
	}
	rc = cmd_period("narrative", a.since, a.until, 0, false, &from, &to);
	if (rc != 0)
		return rc;
	rc = store_open_readonly(g->db, &st, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "demarche narrative: %s\n", err);
		return rc == -ENOENT ? EX_NOINPUT : EX_IOERR;
	}
	rc = load_narratives(g, store_conn(st), &cfg);
	if (rc == 0 && a.rescan) {
		store_close(st);
		st = NULL;
		rc = rescan(g->db, cfg);
	} else if (rc == 0 && !a.key) {
		rc = list_narratives(store_conn(st), cfg, from, to, a.json);
	} else if (rc == 0 && !find_narrative(cfg, a.key)) {
		rc = unknown_narrative(cfg, a.key);
	} else if (rc == 0) {
		rc = show_narrative(store_conn(st), find_narrative(cfg, a.key),
		                    from, to, a.json);
	}
	store_close(st);
	config_free(cfg);
	return rc;
}
