/* bench_narratives.c — the two speeds narratives promise (issue 17):
 *  1. matching 100 narratives costs under 10% of classifying a post: the
 *     texts of ../shared/eval/dev.tsv classified with the shipped lexicons,
 *     with and without 100 narratives of 5 terms each attached, by CPU
 *     time per post; the terms are either 12-byte slices of the texts
 *     (new vocabulary: the worst case) or phrases of the lexicons (the
 *     domain's vocabulary);
 *  2. `demarche narrative KEY` over a log of a million posts takes under
 *     a second: an SQLite log of POSTS posts (default 1,000,000) by 500
 *     accounts, of which one in ten states the narrative, and the
 *     timeline of report_narrative_timeline() timed, as the command runs
 *     it.
 * Usage: bench_narratives [POSTS] [DB]   (DB default /tmp/bench_narr.db,
 *        rebuilt when it does not hold POSTS posts) */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "classify.h"
#include "db.h"
#include "narrative_match.h"
#include "report.h"
#include "store.h"
#include "test.h"
#include "util.h"

#define N_NARR  100
#define N_TERMS 5
#define ROUNDS  50

static int64_t cpu_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* The texts of dev.tsv (column 4), in place in *data. */
static size_t load_texts(char **data, char ***texts)
{
	char path[1024], *s, *end;
	size_t len, n = 0;

	snprintf(path, sizeof(path), "%s/eval/dev.tsv", test_shared_dir());
	if (util_read_file(path, 0, data, &len) < 0)
		return 0;
	*texts = calloc(len / 8 + 1, sizeof(**texts));
	for (s = *data, end = *data + len; *texts && s < end;) {
		char *nl = memchr(s, '\n', (size_t)(end - s)), *t = s;
		int k;

		if (nl)
			*nl = '\0';
		s = nl ? nl + 1 : end;
		for (k = 0; k < 3 && t; k++)
			if ((t = strchr(t, '\t')))
				t++;
		if (t && *t)
			(*texts)[n++] = t;
	}
	return n;
}

/* 100 narratives of 5 phrases: 12 bytes from the middle of texts,
 * snapped to UTF-8 starts. */
static void make_terms(char **texts, size_t n, char terms[][N_TERMS][64],
                       const char *ptrs[][N_TERMS])
{
	size_t i, j;

	for (i = 0; i < N_NARR; i++)
		for (j = 0; j < N_TERMS; j++) {
			const char *t = texts[(i * 7 + j * 131) % n];
			size_t len = strlen(t), at = len / 3, k;

			while (at > 0 && (t[at] & 0xC0) == 0x80)
				at--;
			for (k = 0; k < 12 && t[at + k]; k++)
				terms[i][j][k] = t[at + k];
			while (k > 0 && (terms[i][j][k - 1] & 0xC0) == 0xC0)
				k--; /* no cut sequence at the end */
			while (k > 0 && (terms[i][j][k - 1] & 0xC0) == 0x80) {
				size_t b = k - 1;

				while (b > 0 && (terms[i][j][b] & 0xC0) == 0x80)
					b--;
				if (k - b >= 3) /* a whole 3-byte character */
					break;
				k = b;
			}
			terms[i][j][k ? k : 1] = '\0';
			if (!k)
				terms[i][j][0] = 'x';
			ptrs[i][j] = terms[i][j];
		}
}

/* 100 narratives of 5 phrases of the shipped lexicons ("term" lines of
 * config/rules/CATEGORY.rules, wildcards dropped): the domain's own vocabulary,
 * as analysts' narratives mostly are ("US Army", "Fort Detrick", 美军). */
static int lexicon_terms(char terms[][N_TERMS][64], const char *ptrs[][N_TERMS])
{
	static const char *const files[] = {"blame_rebuttal", "western_failure",
	                                    "economic_coercion",
	                                    "origin_narrative"};
	char path[1024], *data, *line, *save = NULL;
	size_t len, k = 0, f;

	for (f = 0; f < 4 && k < N_NARR * N_TERMS; f++) {
		snprintf(path, sizeof(path), "%s/config/rules/%s.rules",
		         test_source_dir(), files[f]);
		if (util_read_file(path, 0, &data, &len) < 0)
			return -1;
		for (line = strtok_r(data, "\n", &save);
		     line && k < N_NARR * N_TERMS;
		     line = strtok_r(NULL, "\n", &save)) {
			char *ph, *save2 = NULL;

			if (strncmp(line, "term ", 5) != 0 ||
			    !(ph = strchr(line + 5, ' ')))
				continue;
			for (ph = strtok_r(ph, "|", &save2);
			     ph && k < N_NARR * N_TERMS;
			     ph = strtok_r(NULL, "|", &save2)) {
				char *t = terms[k / N_TERMS][k % N_TERMS];
				size_t i, o = 0;

				for (i = 0; ph[i] && o < 63; i++)
					if (ph[i] != '*' && ph[i] != '#' &&
					    (o > 0 || ph[i] != ' '))
						t[o++] = ph[i];
				while (o > 0 && t[o - 1] == ' ')
					o--;
				t[o] = '\0';
				if (o >= 2) {
					ptrs[k / N_TERMS][k % N_TERMS] = t;
					k++;
				}
			}
		}
		free(data);
	}
	return k == N_NARR * N_TERMS ? 0 : -1;
}

static int bench_matching(bool lexicon)
{
	static char terms[N_NARR][N_TERMS][64];
	static const char *ptrs[N_NARR][N_TERMS];
	struct narrative_def defs[N_NARR];
	struct narrative_matcher *m = NULL;
	struct narrative_hit hits[N_NARR];
	struct classify_rules *R;
	char dir[1024], err[512], *data = NULL, **texts = NULL;
	size_t n, i, round;
	int64_t c0, c1, c2, c3, hits_n = 0;

	n = load_texts(&data, &texts);
	snprintf(dir, sizeof(dir), "%s/config/rules", test_source_dir());
	if (n == 0 || classify_rules_load(dir, &R, err, sizeof(err)) < 0) {
		fprintf(stderr, "bench_narratives: no texts or rules\n");
		return 1;
	}
	if (!lexicon)
		make_terms(texts, n, terms, ptrs);
	else if (lexicon_terms(terms, ptrs) < 0) {
		fprintf(stderr, "bench_narratives: too few lexicon terms\n");
		return 1;
	}
	for (i = 0; i < N_NARR; i++) {
		defs[i].key = "bench";
		defs[i].terms = ptrs[i];
		defs[i].n_terms = N_TERMS;
		defs[i].category = -1;
	}
	if (narrative_matcher_new(defs, N_NARR, &m, err, sizeof(err)) < 0) {
		fprintf(stderr, "bench_narratives: %s\n", err);
		return 1;
	}
	/* As the daemon runs it: the matcher attached to the classifier, so
	 * a post is folded once; the price is the difference.  A first pass
	 * warms the caches and the scratch buffers; attaching (which compiles
	 * the automaton again, once per reload) is left out of the timing. */
	for (i = 0; i < n; i++) {
		struct classify_result res;

		classify_text(R, texts[i], NULL, &res);
		classify_result_clear(&res);
	}
	c0 = cpu_us();
	for (round = 0; round < ROUNDS; round++)
		for (i = 0; i < n; i++) {
			struct classify_result res;

			classify_text(R, texts[i], NULL, &res);
			classify_result_clear(&res);
		}
	c1 = cpu_us();
	classify_rules_attach_narratives(R, m, err, sizeof(err));
	/* The compile is not a post's price: the baseline's time is moved
	 * to end where the timed pass with narratives starts. */
	c0 += cpu_us() - c1;
	c1 = cpu_us();
	for (round = 0; round < ROUNDS; round++)
		for (i = 0; i < n; i++) {
			struct classify_result res;

			classify_text(R, texts[i], NULL, &res);
			hits_n += (int64_t)res.n_narratives;
			classify_result_clear(&res);
		}
	c2 = cpu_us();
	/* And alone, folding the text itself (the store's rescan). */
	for (round = 0; round < ROUNDS; round++)
		for (i = 0; i < n; i++)
			narrative_matcher_match(m, texts[i], strlen(texts[i]),
			                        ~0u, hits);
	c3 = cpu_us();
	printf("bench_narratives: %s terms: %zu posts x %d: classify %.2f "
	       "us/post; with %d narratives x %d terms attached %.2f us/post: "
	       "+%.1f%% (%lld matches); matched alone, folding included, "
	       "%.2f us/post\n",
	       lexicon ? "lexicon" : "random", n, ROUNDS,
	       (double)(c1 - c0) / (double)(n * ROUNDS), N_NARR, N_TERMS,
	       (double)(c2 - c1) / (double)(n * ROUNDS),
	       100.0 * (double)((c2 - c1) - (c1 - c0)) / (double)(c1 - c0),
	       (long long)hits_n, (double)(c3 - c2) / (double)(n * ROUNDS));
	classify_rules_attach_narratives(R, NULL, err, sizeof(err));
	for (round = 0; round < ROUNDS; round++)
		for (i = 0; i < n; i++) {
			struct classify_result res;

			classify_text(R, texts[i], NULL, &res);
			classify_result_clear(&res);
		}
	c0 = cpu_us();
	for (round = 0; round < ROUNDS; round++)
		for (i = 0; i < n; i++) {
			struct classify_result res;

			classify_text(R, texts[i], NULL, &res);
			classify_result_clear(&res);
		}
	printf("bench_narratives: classify again, warm: %.2f us/post\n",
	       (double)(cpu_us() - c0) / (double)(n * ROUNDS));
	narrative_matcher_free(m);
	classify_rules_free(R);
	free(texts);
	free(data);
	return 0;
}

static int build_log(struct db *db, long posts)
{
	char sql[2048];

	snprintf(
	    sql, sizeof(sql),
	    "DROP TRIGGER IF EXISTS posts_fts_insert;"
	    "BEGIN;"
	    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n"
	    " WHERE i < 500) INSERT INTO accounts (id, handle, role,"
	    " first_seen, active) SELECT i, 'acct' || i, CASE i %% 3 WHEN 0"
	    " THEN 'mission' WHEN 1 THEN 'diplomat' ELSE 'state_media' END,"
	    " 0, 1 FROM n;"
	    "INSERT INTO feeds (id, account_id, configured_url, url, kind,"
	    " next_poll, added) SELECT id, id, 'http://x/' || id,"
	    " 'http://x/' || id, 'web', 0, 0 FROM accounts;"
	    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n"
	    " WHERE i < %ld) INSERT INTO posts (id, account_id, feed_id,"
	    " stable_key, url, text, published, first_seen, report_time,"
	    " content_hash) SELECT i, 1 + (i / 10) %% 500, 1 + (i / 10) %% "
	    "500, 'k' || i,"
	    " 'https://x/' || i, 'post number ' || i, 1580000000 + i * 30,"
	    " 1580000000 + i * 30, 1580000000 + i * 30, 'h' FROM n;"
	    "INSERT INTO narratives (narrative, definition, definition_hash,"
	    " applied_hash, updated) VALUES ('bench', '{}', 'h', 'h', 0);"
	    "INSERT INTO post_narratives (post_id, narrative, term, matched_at)"
	    " SELECT id, 'bench', 'post', 0 FROM posts WHERE id %% 10 = 0;"
	    "COMMIT; ANALYZE;",
	    posts);
	return db_exec(db, sql);
}

static int bench_timeline(long posts, const char *path)
{
	struct store *st = NULL;
	struct db_stmt *s = NULL;
	json_t *o = NULL;
	char err[512];
	long have = 0;
	int64_t t0, t1, c0, c1;
	int rc;

	if (store_open(path, &st, err, sizeof(err)) < 0) {
		fprintf(stderr, "bench_narratives: %s\n", err);
		return 1;
	}
	if (db_prepare(store_conn(st), "SELECT count(*) FROM posts", &s) == 0 &&
	    db_step(s) == DB_ROW)
		have = (long)db_column_int64(s, 0);
	db_finalize(s);
	if (have != posts) {
		store_close(st);
		remove(path);
		if (store_open(path, &st, err, sizeof(err)) < 0 ||
		    build_log(store_conn(st), posts) < 0) {
			fprintf(stderr,
			        "bench_narratives: cannot build %s: %s\n", path,
			        st ? db_errmsg(store_conn(st)) : err);
			store_close(st);
			return 1;
		}
	}
	c0 = cpu_us();
	t0 = util_now_us();
	rc = report_narrative_timeline(store_conn(st), "bench", NULL, INT64_MIN,
	                               util_now(), &o, err, sizeof(err));
	t1 = util_now_us();
	c1 = cpu_us();
	if (rc < 0) {
		fprintf(stderr, "bench_narratives: %s\n", err);
		store_close(st);
		return 1;
	}
	printf("bench_narratives: narrative KEY over %ld posts (%lld state it, "
	       "%zu accounts, %zu days): %.3f s wall, %.3f s CPU\n",
	       posts,
	       (long long)json_integer_value(json_object_get(o, "posts")),
	       json_array_size(json_object_get(o, "accounts")),
	       json_array_size(json_object_get(o, "daily")),
	       (double)(t1 - t0) / 1e6, (double)(c1 - c0) / 1e6);
	json_decref(o);
	store_close(st);
	return 0;
}

int main(int argc, char **argv)
{
	long posts = argc > 1 ? atol(argv[1]) : 1000000;
	const char *path = argc > 2 ? argv[2] : "/tmp/bench_narr.db";

	if (bench_matching(false) != 0 || bench_matching(true) != 0)
		return 1;
	return bench_timeline(posts, path);
}
