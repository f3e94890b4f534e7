/* bench_clusters.c — the price of finding copies of statements, next to
 * the price of classifying.  N posts (default 100,000) are made from the
 * words of ../shared/eval/dev.tsv (30 to 60 drawn at random: statements
 * of their own), one in twenty a copy of an earlier post with a word added,
 * published five minutes apart (so a post's four-week window holds some
 * 16,000 others).  They are inserted into a fresh SQLite log without
 * clustering, then timed: classify_text over the same texts, and
 * store_clusters_post (signature, band lookup, verification, index rows)
 * for every post in order, in transactions of 500 as the polls and the
 * migration run them.  Prints posts/s of each (CPU time).
 * Usage: bench_clusters [N [CACHE_KIB]]  (CACHE_KIB: the writer's SQLite
 * page cache, default the store's own) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "classify.h"
#include "db.h"
#include "store.h"
#include "store_clusters.h"
#include "test.h"
#include "util.h"

#define T0 1600000000

static int64_t cpu_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* The dev set's texts (third tab-separated field is the language, the
 * fourth the text), in *texts; returns how many. */
static size_t load_texts(char **data, char ***texts)
{
	char path[1024], *s, *end;
	size_t len, n = 0, cap = 0;

	snprintf(path, sizeof(path), "%s/eval/dev.tsv", test_shared_dir());
	if (util_read_file(path, 0, data, &len) < 0)
		return 0;
	for (s = *data, end = *data + len; s < end;) {
		char *nl = memchr(s, '\n', (size_t)(end - s)), *f = s;
		int k;

		if (nl)
			*nl = '\0';
		s = nl ? nl + 1 : end;
		for (k = 0; k < 3 && f; k++)
			f = strchr(f, '\t') ? strchr(f, '\t') + 1 : NULL;
		if (!f)
			continue;
		if (n == cap) {
			char **t;

			cap = cap ? cap * 2 : 512;
			t = realloc(*texts, cap * sizeof(**texts));
			if (!t)
				return 0;
			*texts = t;
		}
		(*texts)[n++] = f;
	}
	return n;
}

/* Post i's text: 30 to 60 words drawn from the dev set's (a statement of
 * its own), or (one in twenty) an earlier post's with a word added. */
static char *make_text(char **made, size_t i, char **vocab, size_t n)
{
	char buf[8192];
	size_t len = 0, k, n_words;
	uint64_t v = (uint64_t)i * 0x9e3779b97f4a7c15ULL + 1;

	if (i >= 100 && i % 20 == 0) {
		snprintf(buf, sizeof(buf), "%s changed", made[i - 37]);
		return strdup(buf);
	}
	n_words = 30 + (size_t)(v >> 59);
	for (k = 0; k < n_words && len < sizeof(buf) - 256; k++) {
		v ^= v << 13;
		v ^= v >> 7;
		v ^= v << 17;
		len += (size_t)snprintf(buf + len, sizeof(buf) - len,
		                        "%s%.200s", k ? " " : "", vocab[v % n]);
	}
	return strdup(buf);
}

/* The words of the texts but links, split at spaces, in *vocab; returns
 * how many. */
static size_t split_words(char **texts, size_t n, char ***vocab)
{
	size_t i, m = 0, cap = 0;

	for (i = 0; i < n; i++) {
		char *save = NULL, *w;

		for (w = strtok_r(texts[i], " ", &save); w;
		     w = strtok_r(NULL, " ", &save)) {
			if (strstr(w, "://"))
				continue; /* links would join random posts */
			if (m == cap) {
				char **t;

				cap = cap ? cap * 2 : 4096;
				t = realloc(*vocab, cap * sizeof(**vocab));
				if (!t)
					return 0;
				*vocab = t;
			}
			(*vocab)[m++] = w;
		}
	}
	return m;
}

static int insert_posts(struct db *db, char **made, size_t n_posts)
{
	struct db_stmt *s;
	char key[32];
	size_t i;
	int rc;

	rc = db_exec(db, "INSERT INTO accounts (id, handle, role, first_seen)"
	                 " VALUES (1, 'a', 'ministry', 0);"
	                 "BEGIN");
	if (rc < 0)
		return rc;
	rc = db_prepare(db,
	                "INSERT INTO posts (id, account_id, stable_key, text,"
	                " published, first_seen, report_time, content_hash)"
	                " VALUES (?1, 1, ?2, ?3, ?4, ?4, ?4, 'h')",
	                &s);
	for (i = 0; rc == 0 && i < n_posts; i++) {
		snprintf(key, sizeof(key), "k%zu", i);
		db_reset(s);
		db_bind_int64(s, 1, (int64_t)i + 1);
		db_bind_text(s, 2, key);
		db_bind_text(s, 3, made[i]);
		db_bind_int64(s, 4, T0 + (int64_t)i * 300);
		rc = db_step(s) < 0 ? -1 : 0;
	}
	db_finalize(s);
	return rc < 0 ? rc : db_exec(db, "COMMIT");
}

static double bench_classify(char **made, size_t n_posts)
{
	char dir[1024], err[512];
	struct classify_rules *R;
	int64_t c0;
	size_t i;

	snprintf(dir, sizeof(dir), "%s/config/rules", test_source_dir());
	if (classify_rules_load(dir, &R, err, sizeof(err)) < 0) {
		fprintf(stderr, "bench_clusters: %s\n", err);
		return -1;
	}
	c0 = cpu_us();
	for (i = 0; i < n_posts; i++) {
		struct classify_result res;

		if (classify_text(R, made[i], "en", &res) < 0)
			return -1;
		classify_result_clear(&res);
	}
	c0 = cpu_us() - c0;
	classify_rules_free(R);
	return (double)n_posts * 1e6 / (double)c0;
}

static double bench_cluster(struct store *st, char **made, size_t n_posts,
                            long *copies)
{
	struct store_clusters *c;
	char err[512];
	int64_t c0;
	size_t i;
	int rc = 0;

	c = store_clusters_new(store_conn(st), err, sizeof(err));
	if (!c)
		return -1;
	/* The first post opens the folding tables (once per daemon, about
	 * 0.3 s): not counted. */
	if (store_clusters_post(c, 1, made[0], NULL, NULL, false, T0) < 0)
		return -1;
	c0 = cpu_us();
	for (i = 1; rc >= 0 && i < n_posts; i++) {
		if ((i == 1 || i % 500 == 0) &&
		    db_exec(store_conn(st), "BEGIN") < 0)
			return -1;
		rc = store_clusters_post(c, (int64_t)i + 1, made[i], NULL, NULL,
		                         false, T0);
		*copies += rc > 0;
		if ((i % 500 == 499 || i + 1 == n_posts) &&
		    db_exec(store_conn(st), "COMMIT") < 0)
			return -1;
	}
	c0 = cpu_us() - c0;
	if (rc < 0)
		fprintf(stderr, "bench_clusters: %s\n", err);
	store_clusters_free(c);
	return rc < 0 ? -1 : (double)(n_posts - 1) * 1e6 / (double)c0;
}

int main(int argc, char **argv)
{
	size_t n_posts = argc > 1 ? (size_t)atol(argv[1]) : 100000, n, i;
	char *data = NULL, **texts = NULL, **vocab = NULL, **made;
	char path[1024], err[512];
	struct store *st;
	double classify_ps, cluster_ps, insert_ps;
	int64_t c0;
	long copies = 0;

	n = load_texts(&data, &texts);
	n = n ? split_words(texts, n, &vocab) : 0;
	made = calloc(n_posts, sizeof(*made));
	if (n == 0 || !made || n_posts == 0)
		return 1;
	for (i = 0; i < n_posts; i++)
		made[i] = make_text(made, i, vocab, n);
	snprintf(path, sizeof(path), "%s/bench.db", test_tmpdir());
	c0 = cpu_us();
	if (store_open(path, &st, err, sizeof(err)) < 0 ||
	    insert_posts(store_conn(st), made, n_posts) < 0) {
		fprintf(stderr, "bench_clusters: cannot fill %s\n", path);
		return 1;
	}
	insert_ps = (double)n_posts * 1e6 / (double)(cpu_us() - c0);
	if (argc > 2) {
		char pragma[64];

		snprintf(pragma, sizeof(pragma), "PRAGMA cache_size = -%ld",
		         atol(argv[2]));
		db_exec(store_conn(st), pragma);
	}
	classify_ps = bench_classify(made, n_posts);
	cluster_ps = bench_cluster(st, made, n_posts, &copies);
	if (classify_ps < 0 || cluster_ps < 0)
		return 1;
	printf("bench_clusters: %zu posts, by CPU time on one core:\n"
	       "  classify_text            %8.0f posts/s\n"
	       "  post rows (bare INSERT)  %8.0f posts/s\n"
	       "  clustering               %8.0f posts/s (signature, lookup,"
	       " index rows)\n"
	       "  clustering / classifying  %.1fx the time\n"
	       "  copies found %ld of %zu made\n",
	       n_posts, classify_ps, insert_ps, cluster_ps,
	       classify_ps / cluster_ps, copies,
	       n_posts > 100 ? (n_posts - 100 + 19) / 20 : 0);
	for (i = 0; i < n_posts; i++)
		free(made[i]);
	free(made);
	free(vocab);
	free(texts);
	free(data);
	store_close(st);
	return 0;
}
