/*
 * bench_report.c — how long the report takes over a large log.  Creates a
 * database through store_open()/store_sync_config() (ACCOUNTS accounts,
 * one feed each), fills it with N posts spread over the last year in one
 * transaction of direct SQL (a quarter of them classified, with evidence),
 * daily follower snapshots and some failing feeds, then reopens it
 * read-only as the CLI does and times report_build() and every renderer
 * for a 7-day and a 365-day period, and the trends.  Posts are inserted in
 * random time order, the worst case for locality.
 *
 *   build/tests/bench_report [DB [N [ACCOUNTS]]]
 *   defaults: /tmp/demarche-bench.db 1000000 200
 * An existing DB with posts is reused (delete it to regenerate).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "db.h"
#include "report.h"
#include "store.h"
#include "util.h"

static const char *const cats[] = {"blame_rebuttal", "western_failure",
                                   "economic_coercion", "origin_narrative"};
static const char *const words[] = {
    "the",      "US",       "Army",      "Wuhan",   "herd",       "immunity",
    "fake",     "news",     "consumers", "may",     "reconsider", "precious",
    "time",     "China",    "shared",    "genome",  "tariffs",    "wine",
    "beef",     "students", "origin",    "unknown", "中国",       "负责任大国",
    "集団免疫", "embassy",  "today",     "met",
};

static unsigned long long rng = 88172645463325252ULL;

static unsigned long long next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static int check(sqlite3 *db, int rc, const char *what)
{
	if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
		fprintf(stderr, "%s: %s\n", what, sqlite3_errmsg(db));
		exit(1);
	}
	return rc;
}

static void fill(struct store *st, long n, int n_accounts, int64_t now)
{
	sqlite3 *db = db_sqlite(store_conn(st));
	sqlite3_stmt *post, *cat, *snap;
	char text[512], key[32], url[96], ev[160];
	int64_t t0 = util_monotonic_ms();
	long i;
	int a, d, k;

	check(db, sqlite3_exec(db, "BEGIN", NULL, NULL, NULL), "begin");
	check(
	    db,
	    sqlite3_prepare_v2(
	        db,
	        "INSERT INTO posts (account_id, feed_id, stable_key, url,"
	        " text, lang, published, first_seen, report_time, content_hash,"
	        " rules_version) VALUES (?1, ?1, ?2, ?3, ?4, 'en', ?5,"
	        " ?5 + 60, ?5, ?2, 'bench')",
	        -1, &post, NULL),
	    "prepare");
	check(db,
	      sqlite3_prepare_v2(db,
	                         "INSERT INTO post_categories (post_id,"
	                         " category, score, evidence, rules_version,"
	                         " classified_at) VALUES (?1, ?2, ?3, ?4,"
	                         " 'bench', ?5)",
	                         -1, &cat, NULL),
	      "prepare");
	check(db,
	      sqlite3_prepare_v2(db,
	                         "INSERT INTO account_snapshots (account_id,"
	                         " observed, followers, following, posts_count)"
	                         " VALUES (?1, ?2, ?3, 10, ?4)",
	                         -1, &snap, NULL),
	      "prepare");
	for (i = 0; i < n; i++) {
		int64_t pub = now - (int64_t)(next() % (365 * 86400ULL));
		size_t len = 0;
		int nw = 8 + (int)(next() % 30);

		for (k = 0; k < nw && len < sizeof(text) - 40; k++)
			len += (size_t)snprintf(
			    text + len, sizeof(text) - len, "%s ",
			    words[next() % (sizeof(words) / sizeof(words[0]))]);
		snprintf(key, sizeof(key), "p%ld", i);
		snprintf(url, sizeof(url), "https://feeds.example/%d/%ld",
		         (int)(i % n_accounts) + 1, i);
		sqlite3_bind_int(post, 1, (int)(i % n_accounts) + 1);
		sqlite3_bind_text(post, 2, key, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(post, 3, url, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(post, 4, text, (int)len, SQLITE_TRANSIENT);
		sqlite3_bind_int64(post, 5, pub);
		check(db, sqlite3_step(post), "post");
		sqlite3_reset(post);
		if (next() % 4 == 0) {
			const char *c = cats[next() % 4];

			snprintf(ev, sizeof(ev),
			         "[{\"term\":\"US Army\",\"start\":%d,"
			         "\"end\":%d}]",
			         (int)(next() % 50), 60);
			sqlite3_bind_int64(cat, 1,
			                   sqlite3_last_insert_rowid(db));
			sqlite3_bind_text(cat, 2, c, -1, SQLITE_STATIC);
			sqlite3_bind_double(cat, 3,
			                    0.5 + (double)(next() % 40) / 10);
			sqlite3_bind_text(cat, 4, ev, -1, SQLITE_TRANSIENT);
			sqlite3_bind_int64(cat, 5, pub + 60);
			check(db, sqlite3_step(cat), "category");
			sqlite3_reset(cat);
		}
	}
	for (a = 1; a <= n_accounts; a++)
		for (d = 365; d >= 0; d--) {
			sqlite3_bind_int(snap, 1, a);
			sqlite3_bind_int64(snap, 2, now - d * 86400LL);
			sqlite3_bind_int(snap, 3,
			                 1000 * a + (365 - d) * a / 10);
			sqlite3_bind_int(snap, 4, 5000 + 365 - d);
			check(db, sqlite3_step(snap), "snapshot");
			sqlite3_reset(snap);
		}
	check(db,
	      sqlite3_exec(db,
	                   "UPDATE feeds SET consecutive_failures = 3,"
	                   " failing_since = strftime('%s','now') - 7200,"
	                   " last_error = 'HTTP 503' WHERE id % 50 = 0;"
	                   "UPDATE accounts SET created = strftime('%s',"
	                   " '2010-01-01') + (id * 7919 % 12) * 31557600"
	                   " WHERE id % 7 <> 0",
	                   NULL, NULL, NULL),
	      "feeds");
	sqlite3_finalize(post);
	sqlite3_finalize(cat);
	sqlite3_finalize(snap);
	check(db, sqlite3_exec(db, "COMMIT; ANALYZE", NULL, NULL, NULL),
	      "commit");
	printf("filled %ld posts, %d accounts in %lld ms\n", n, n_accounts,
	       (long long)(util_monotonic_ms() - t0));
}

static void time_report(struct store *st, int64_t span, int64_t now)
{
	static const enum report_format fmts[] = {
	    REPORT_FORMAT_TEXT, REPORT_FORMAT_MD, REPORT_FORMAT_JSON,
	    REPORT_FORMAT_HTML};
	char err[256];
	json_t *r = NULL;
	int64_t t0 = util_monotonic_ms(), t1;
	size_t i;

	if (report_build(st, now - span, now, &r, err, sizeof(err)) < 0) {
		fprintf(stderr, "report_build: %s\n", err);
		exit(1);
	}
	t1 = util_monotonic_ms();
	printf("report --since %lldd: build %lld ms (%lld posts)",
	       (long long)(span / 86400), (long long)(t1 - t0),
	       (long long)json_integer_value(
	           json_object_get(json_object_get(r, "totals"), "posts")));
	for (i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		struct buf b = {0};

		t0 = util_monotonic_ms();
		if (report_render(r, fmts[i], &b) < 0)
			exit(1);
		printf(", %s %lld ms (%zu bytes)", report_format_name(fmts[i]),
		       (long long)(util_monotonic_ms() - t0), b.len);
		buf_free(&b);
	}
	printf("\n");
	json_decref(r);
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "/tmp/demarche-bench.db";
	long n = argc > 2 ? atol(argv[2]) : 1000000;
	int n_accounts = argc > 3 ? atoi(argv[3]) : 200, i;
	struct config_account *acc;
	struct config_feed *feeds;
	struct config cfg = {0};
	struct store *st;
	char err[256];
	int64_t now = util_now(), t0;
	json_t *t = NULL;

	if (n < 1 || n_accounts < 1) {
		fprintf(stderr, "usage: bench_report [DB [N [ACCOUNTS]]]\n");
		return 64;
	}
	if (store_open(path, &st, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	acc = calloc((size_t)n_accounts, sizeof(*acc));
	feeds = calloc((size_t)n_accounts, sizeof(*feeds));
	if (!acc || !feeds)
		return 1;
	for (i = 0; i < n_accounts; i++) {
		char *key = malloc(32), *url = malloc(64);

		if (!key || !url)
			return 1;
		snprintf(key, 32, "account_%03d", i + 1);
		snprintf(url, 64, "https://feeds.example/%d", i + 1);
		feeds[i] = (struct config_feed){url, FEED_KIND_WEB, i + 1};
		acc[i] = (struct config_account){key,
		                                 NULL,
		                                 (enum account_role)(i % 6),
		                                 NULL,
		                                 TIME_UNKNOWN,
		                                 900,
		                                 &feeds[i],
		                                 1,
		                                 i + 1};
	}
	cfg.accounts = acc;
	cfg.n_accounts = (size_t)n_accounts;
	if (store_sync_config(st, &cfg) < 0) {
		fprintf(stderr, "sync: %s\n", store_errmsg(st));
		return 1;
	}
	{
		sqlite3_stmt *s;
		long have = 0;

		sqlite3_prepare_v2(db_sqlite(store_conn(st)),
		                   "SELECT count(*) FROM posts", -1, &s, NULL);
		if (sqlite3_step(s) == SQLITE_ROW)
			have = (long)sqlite3_column_int64(s, 0);
		sqlite3_finalize(s);
		if (have == 0)
			fill(st, n, n_accounts, now);
		else
			printf("reusing %s with %ld posts\n", path, have);
	}
	/* Time what `demarche report` does: a read-only connection. */
	store_close(st);
	if (store_open_readonly(path, &st, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	time_report(st, 7 * 86400, now);
	time_report(st, 365 * 86400, now);
	t0 = util_monotonic_ms();
	if (report_trends_build(st, 0, INT64_MAX, &t, err, sizeof(err)) < 0) {
		fprintf(stderr, "trends: %s\n", err);
		return 1;
	}
	printf("trends (all time): %lld ms\n",
	       (long long)(util_monotonic_ms() - t0));
	json_decref(t);
	store_close(st);
	for (i = 0; i < n_accounts; i++) {
		free(acc[i].key);
		free(feeds[i].url);
	}
	free(acc);
	free(feeds);
	return 0;
}
