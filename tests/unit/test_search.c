/*
 * test_search.c — `demarche posts` in the store: the search language
 * (words, "phrases", OR, and where a bad query breaks), every filter of
 * store_posts_each() alone and combined, substring search in Chinese,
 * Japanese and Latin scripts (two-character terms included), the index
 * kept in step with edits and deletions, and the 0009 migration filling
 * the index of a log that predates it.  Runs on SQLite (test_search) and
 * PostgreSQL (test_search_pg) with the same posts and ids: the expected
 * ids below are the same for both backends.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "db.h"
#include "store.h"
#include "store_search.h"
#include "test.h"
#include "util.h"

#define T0 1600000000

static struct store *st;
static const char *log_target; /* the log of open_store() */

static const char *const setup_sql =
    "INSERT INTO accounts (id, handle, role, country, first_seen) VALUES"
    " (1, 'zlj', 'spokesperson', 'CN', 0),"
    " (2, 'jpemb', 'mission', 'JP', 0),"
    " (3, 'cgtn', 'state_media', 'CN', 0);"
    "INSERT INTO posts (id, account_id, stable_key, text, lang, published,"
    " first_seen, report_time, content_hash, edit_count, is_repost) VALUES"
    " (1, 1, 'k1', '美军可能把疫情带到了武汉。德特里克堡生物实验室应当公开。',"
    "  'zh-cn', 1600000100, 1600000100, 1600000100, 'h', 0, 0),"
    " (2, 2, 'k2', '在日米軍の感染者が増えています。', 'ja',"
    "  1600000200, 1600000200, 1600000200, 'h', 0, 0),"
    " (3, 1, 'k3', 'The US Army may have brought the virus to WUHAN. "
    "Fort Detrick must explain.', 'en', 1600000300, 1600000300, 1600000300,"
    "  'h', 1, 0),"
    " (4, 3, 'k4', 'Herd immunity is a massacre; the fake news media stay"
    " silent.', 'en-GB', 1600000400, 1600000400, 1600000400, 'h', 0, 1),"
    " (5, 2, 'k5', '米軍基地周辺で検査を実施', 'ja', 1600000500,"
    "  1600000500, 1600000500, 'h', 0, 0),"
    " (6, 3, 'k6', 'La réponse de l''État français est un échec', 'fr',"
    "  1600000600, 1600000600, 1600000600, 'h', 0, 0),"
    " (7, 1, 'k7', 'Wuhanés? no: los consumidores chinos pueden"
    " reconsiderar', 'es', NULL, 1600000700, 1600000700, 'h', 0, 0),"
    " (8, 3, 'k8', 'We are 100% sure_thing', 'en', 1600000800, 1600000800,"
    "  1600000800, 'h', 0, 0);"
    "INSERT INTO post_categories (post_id, category, score, evidence,"
    " rules_version, classified_at, report_time, account_id) VALUES"
    " (1, 'origin_narrative', 3, '[]', 'v', 0, 1600000100, 1),"
    " (3, 'origin_narrative', 2.5, '[]', 'v', 0, 1600000300, 1),"
    " (3, 'western_failure', 1, '[]', 'v', 0, 1600000300, 1),"
    " (4, 'western_failure', 2, '[]', 'v', 0, 1600000400, 3),"
    " (7, 'economic_coercion', 2, '[]', 'v', 0, 1600000700, 1)";

struct ids {
	char s[256];
	char cats[256];
};

static int collect(void *ctx, const struct store_post_row *r)
{
	struct ids *ids = ctx;
	size_t n = strlen(ids->s);

	snprintf(ids->s + n, sizeof(ids->s) - n, "%s%lld", n ? "," : "",
	         (long long)r->id);
	if (r->categories) {
		/* "key score;..." with the score as the backend writes it
		 * ("2.0", "2"): compared as numbers. */
		const char *p = r->categories;

		n = strlen(ids->cats);
		snprintf(ids->cats + n, sizeof(ids->cats) - n,
		         "%s%lld:", n ? "|" : "", (long long)r->id);
		while (p && *p) {
			const char *sp = strchr(p, ' ');

			n = strlen(ids->cats);
			snprintf(ids->cats + n, sizeof(ids->cats) - n,
			         "%s%.*s %g", p == r->categories ? "" : ";",
			         sp ? (int)(sp - p) : 0, p,
			         sp ? strtod(sp + 1, NULL) : 0.0);
			p = strchr(p, ';');
			if (p)
				p++;
		}
	}
	return 0;
}

static void filter_init(struct store_post_filter *f)
{
	memset(f, 0, sizeof(*f));
	f->since = INT64_MIN;
	f->until = INT64_MAX;
	f->reposts = -1;
}

/* The ids the filter gives, "5,2", newest first. */
static const char *run_filter(const struct store_post_filter *f)
{
	static struct ids ids;
	char err[256];
	int rc;

	memset(&ids, 0, sizeof(ids));
	rc = store_posts_each(st, f, collect, &ids, err, sizeof(err));
	if (rc != 0) {
		fprintf(stderr, "store_posts_each: %d %s\n", rc, err);
		return "(error)";
	}
	return ids.s;
}

static const char *search(const char *q)
{
	struct store_post_filter f;
	struct store_search *s = NULL;
	static char out[256];
	char err[256];

	if (store_search_parse(q, &s, err, sizeof(err)) < 0) {
		fprintf(stderr, "parse '%s': %s\n", q, err);
		return "(bad query)";
	}
	filter_init(&f);
	f.search = s;
	snprintf(out, sizeof(out), "%s", run_filter(&f));
	store_search_free(s);
	return out;
}

static void open_store(void)
{
	char err[512];

	if (st)
		return;
	log_target = test_database("search");
	ASSERT_INT_EQ(store_open(log_target, &st, err, sizeof(err)), 0);
	ASSERT_INT_EQ(test_q_exec(store_conn(st), setup_sql), 0);
}

static void test_search_scripts(void)
{
	open_store();
	ASSERT_STR_EQ(search("德特里克"), "1");
	ASSERT_STR_EQ(search("米軍"), "5,2");
	ASSERT_STR_EQ(search("wuhan"), "7,3");
	ASSERT_STR_EQ(search("WuHaN"), "7,3");
	ASSERT_STR_EQ(search("武汉"), "1");
	ASSERT_STR_EQ(search("军"), "1"); /* simplified, not 軍 */
	ASSERT_STR_EQ(search("\"fort detrick\""), "3");
	ASSERT_STR_EQ(search("fort   detrick"), "3");
	ASSERT_STR_EQ(search("\"detrick fort\""), "");
	ASSERT_STR_EQ(search("massacre OR 米軍"), "5,4,2");
	ASSERT_STR_EQ(search("德特里克 OR \"herd immunity\" 米軍"), "1");
	ASSERT_STR_EQ(search("\"herd immunity\" massacre"), "4");
	ASSERT_STR_EQ(search("0%"), "8");
	ASSERT_STR_EQ(search("0_"), ""); /* _ is no wildcard */
	ASSERT_STR_EQ(search("e_t"), "8");
	ASSERT_STR_EQ(search("français"), "6");
	ASSERT_STR_EQ(search("nothing-like-this"), "");
}

static void test_search_syntax(void)
{
	struct store_search *s = NULL;
	char err[256];

	ASSERT_INT_EQ(
	    store_search_parse("\"fort detrick", &s, err, sizeof(err)),
	    -EINVAL);
	ASSERT(strstr(err, "unterminated quote at character 1") != NULL);
	ASSERT_INT_EQ(store_search_parse("wuhan \"\"", &s, err, sizeof(err)),
	              -EINVAL);
	ASSERT(strstr(err, "empty phrase at character 7") != NULL);
	ASSERT_INT_EQ(store_search_parse("OR wuhan", &s, err, sizeof(err)),
	              -EINVAL);
	ASSERT(strstr(err, "before it at character 1") != NULL);
	ASSERT_INT_EQ(store_search_parse("米軍 OR", &s, err, sizeof(err)),
	              -EINVAL);
	ASSERT(strstr(err, "after it at character 4") != NULL);
	ASSERT_INT_EQ(store_search_parse("a OR OR b", &s, err, sizeof(err)),
	              -EINVAL);
	ASSERT_INT_EQ(store_search_parse("  ", &s, err, sizeof(err)), -EINVAL);
	ASSERT(strstr(err, "empty") != NULL);
	ASSERT_INT_EQ(store_search_parse("or and", &s, err, sizeof(err)), 0);
	store_search_free(s);
}

static void test_filters(void)
{
	const char *acc[] = {"zlj"}, *two[] = {"zlj", "jpemb"};
	const char *origin[] = {"origin_narrative"}, *none[] = {"none"};
	const char *wf_none[] = {"western_failure", "none"};
	struct store_post_filter f;
	struct store_search *s = NULL;
	char err[64];

	open_store();
	filter_init(&f);
	ASSERT_STR_EQ(run_filter(&f), "8,7,6,5,4,3,2,1");
	f.accounts = acc;
	f.n_accounts = 1;
	ASSERT_STR_EQ(run_filter(&f), "7,3,1");
	f.accounts = two;
	f.n_accounts = 2;
	ASSERT_STR_EQ(run_filter(&f), "7,5,3,2,1");
	filter_init(&f);
	f.role = "state_media";
	ASSERT_STR_EQ(run_filter(&f), "8,6,4");
	filter_init(&f);
	f.country = "jp";
	ASSERT_STR_EQ(run_filter(&f), "5,2");
	filter_init(&f);
	f.categories = origin;
	f.n_categories = 1;
	ASSERT_STR_EQ(run_filter(&f), "3,1");
	f.categories = none;
	ASSERT_STR_EQ(run_filter(&f), "8,6,5,2");
	f.categories = wf_none;
	f.n_categories = 2;
	ASSERT_STR_EQ(run_filter(&f), "8,6,5,4,3,2");
	filter_init(&f);
	f.since = T0 + 300;
	f.until = T0 + 600; /* half-open: 600 is out */
	ASSERT_STR_EQ(run_filter(&f), "5,4,3");
	filter_init(&f);
	f.edited = true;
	ASSERT_STR_EQ(run_filter(&f), "3");
	filter_init(&f);
	f.reposts = 1;
	ASSERT_STR_EQ(run_filter(&f), "4");
	f.reposts = 0;
	ASSERT_STR_EQ(run_filter(&f), "8,7,6,5,3,2,1");
	filter_init(&f);
	f.lang = "en";
	ASSERT_STR_EQ(run_filter(&f), "8,4,3");
	f.lang = "EN-gb";
	ASSERT_STR_EQ(run_filter(&f), "4");
	f.lang = "ja";
	ASSERT_STR_EQ(run_filter(&f), "5,2");
	filter_init(&f);
	f.limit = 2;
	ASSERT_STR_EQ(run_filter(&f), "8,7");
	/* Combined: an account, a category and a search. */
	filter_init(&f);
	f.accounts = acc;
	f.n_accounts = 1;
	f.categories = origin;
	f.n_categories = 1;
	ASSERT_INT_EQ(store_search_parse("wuhan", &s, err, sizeof(err)), 0);
	f.search = s;
	ASSERT_STR_EQ(run_filter(&f), "3");
	store_search_free(s);
}

static void test_rows(void)
{
	struct store_post_filter f;
	static struct ids ids;
	char err[256];

	open_store();
	filter_init(&f);
	memset(&ids, 0, sizeof(ids));
	ASSERT_INT_EQ(store_posts_each(st, &f, collect, &ids, err, sizeof(err)),
	              0);
	/* Categories by key, with their scores, on both backends. */
	ASSERT_STR_EQ(ids.cats, "7:economic_coercion 2|4:western_failure 2|"
	                        "3:origin_narrative 2.5;western_failure 1|"
	                        "1:origin_narrative 3");
}

static void test_known_and_deleted(void)
{
	struct store_post_filter f;
	char **v = NULL, err[256];
	static struct ids ids;
	int n;

	open_store();
	n = store_known_values(st, STORE_KNOWN_ACCOUNTS, &v);
	ASSERT_INT_EQ(n, 3);
	ASSERT_STR_EQ(v[0], "cgtn");
	store_strings_free(v);
	n = store_known_values(st, STORE_KNOWN_LANGS, &v);
	ASSERT_INT_EQ(n, 6);
	ASSERT_STR_EQ(v[1], "en-gb");
	store_strings_free(v);
	n = store_known_values(st, STORE_KNOWN_COUNTRIES, &v);
	ASSERT_INT_EQ(n, 2);
	store_strings_free(v);
	ASSERT_INT_EQ((int)store_any_posts(st), 1);
	filter_init(&f);
	f.deleted = true;
	n = store_posts_each(st, &f, collect, &ids, err, sizeof(err));
	/* posts.deleted_seen arrives with another migration; until then
	 * --deleted says so. */
	if (test_q_int(
	        store_conn(st),
	        test_sql(store_conn(st),
	                 "SELECT count(*) FROM pragma_table_info('posts')"
	                 " WHERE name = 'deleted_seen'",
	                 "SELECT count(*) FROM information_schema.columns"
	                 " WHERE table_name = 'posts' AND column_name ="
	                 " 'deleted_seen'")) == 0) {
		ASSERT_INT_EQ(n, -ENOTSUP);
		ASSERT(strstr(err, "deleted_seen") != NULL);
	} else {
		ASSERT_INT_EQ(n, 0);
	}
}

/* Each match with how it matched: "3:0:1" is post 3 found through its
 * wording 1 only (0: not its current text). */
static int collect_match(void *ctx, const struct store_post_row *r)
{
	char *out = ctx;
	size_t n = strlen(out);

	snprintf(out + n, 256 - n, "%s%lld:%d:%s", n ? " " : "",
	         (long long)r->id, r->search_current,
	         r->search_versions ? r->search_versions : "-");
	return 0;
}

static const char *search_match(const char *q)
{
	struct store_post_filter f;
	struct store_search *s = NULL;
	static char out[256];
	char err[256];

	out[0] = '\0';
	if (store_search_parse(q, &s, err, sizeof(err)) < 0)
		return "(bad query)";
	filter_init(&f);
	f.search = s;
	if (store_posts_each(st, &f, collect_match, out, err, sizeof(err)) !=
	    0) {
		fprintf(stderr, "store_posts_each: %s\n", err);
		snprintf(out, sizeof(out), "(error)");
	}
	store_search_free(s);
	return out;
}

static const char *const versions_sql =
    "INSERT INTO post_versions (post_id, version, title, text, content_hash,"
    " seen) VALUES"
    " (3, 1, NULL, 'Early wording: the lab at 德特里克 and the 米軍 games',"
    "  'h0', 1600000250),"
    " (3, 2, NULL, 'The US Army may have brought the virus to WUHAN. "
    "Fort Detrick must explain.', 'h', 1600000300),"
    " (5, 1, NULL, '米軍基地周辺で検査を実施', 'h', 1600000500)";

/* A post is found by what an earlier wording said (post_versions), and
 * says which wording matched; terms ANDed must be in one wording. */
static void test_search_versions(void)
{
	open_store();
	ASSERT_INT_EQ(test_q_exec(store_conn(st), versions_sql), 0);
	ASSERT_STR_EQ(search("德特里克"), "3,1");
	ASSERT_STR_EQ(search_match("德特里克"), "3:0:1 1:1:-");
	ASSERT_STR_EQ(search("米軍"), "5,3,2");
	ASSERT_STR_EQ(search_match("米軍"), "5:1:1 3:0:1 2:1:-");
	ASSERT_STR_EQ(search_match("wuhan"), "7:1:- 3:1:2");
	ASSERT_STR_EQ(search("lab 米軍"), "3");
	ASSERT_STR_EQ(search("\"early wording\" OR massacre"), "4,3");
	ASSERT_STR_EQ(search_match("\"EARLY wording\""), "3:0:1");
	/* "early" is in wording 1 only, "army" in 2 only: no one wording
	 * holds both. */
	ASSERT_STR_EQ(search("early army"), "");
	ASSERT_STR_EQ(search("early OR army"), "3");
	ASSERT_STR_EQ(search_match("early OR army"), "3:1:1,2");
	/* Other filters still apply. */
	{
		struct store_post_filter f;
		struct store_search *s = NULL;
		char err[64];

		filter_init(&f);
		f.since = T0 + 301;
		ASSERT_INT_EQ(
		    store_search_parse("德特里克", &s, err, sizeof(err)), 0);
		f.search = s;
		ASSERT_STR_EQ(run_filter(&f), "");
		store_search_free(s);
	}
}

/* `demarche posts ARGS...` on the test log; its standard output as a
 * *new* string (NULL on failure), its exit code in *rc. */
static char *posts_output(int *rc, int argc, const char **argv)
{
	struct cmd_globals g = {log_target, NULL, 0};
	char path[600], *out = NULL;
	int fd, saved;

	snprintf(path, sizeof(path), "%s/posts-%d.out", test_tmpdir(), rand());
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	saved = dup(1);
	if (fd < 0 || saved < 0)
		return NULL;
	fflush(stdout);
	dup2(fd, 1);
	optind = 1;
	*rc = cmd_posts_main(&g, argc, (char **)argv);
	fflush(stdout);
	dup2(saved, 1);
	close(fd);
	close(saved);
	if (util_read_file(path, 0, &out, NULL) < 0)
		return NULL;
	return out;
}

/* JSON Lines read back with jansson: one object per post, the keys of the
 * contract, categories with key and score, the search's "matched"; the
 * CSV's rows and its extra columns with --search. */
static void test_posts_formats(void)
{
	const char *jl[] = {"posts",    "--search", "德特里克 OR 米軍",
	                    "--format", "jsonl",    NULL};
	const char *all[] = {"posts", "--format", "jsonl", NULL};
	const char *csv[] = {"posts",    "--search", "米軍",
	                     "--format", "csv",      NULL};
	static const char *const keys[] = {
	    "id",         "account",      "url",       "published",
	    "first_seen", "text",         "lang",      "categories",
	    "edit_count", "deleted_seen", "is_repost", "role"};
	char *out, *line, *save = NULL, ids[128] = "";
	size_t k, n = 0;
	int rc = -1;

	open_store();
	out = posts_output(&rc, 5, jl);
	REQUIRE(out);
	ASSERT_INT_EQ(rc, 0);
	for (line = strtok_r(out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		json_error_t je;
		json_t *o = json_loads(line, 0, &je), *m;

		REQUIRE(o);
		for (k = 0; k < ARRAY_SIZE(keys); k++)
			ASSERT(json_object_get(o, keys[k]) != NULL);
		m = json_object_get(o, "matched");
		ASSERT(json_is_object(m));
		ASSERT(json_is_array(json_object_get(m, "versions")));
		snprintf(
		    ids + strlen(ids), sizeof(ids) - strlen(ids), "%s%lld:%s",
		    n++ ? "," : "",
		    (long long)json_integer_value(json_object_get(o, "id")),
		    json_is_true(json_object_get(m, "current")) ? "t" : "f");
		json_decref(o);
	}
	/* Post 3 through its first wording (test_search_versions added
	 * it), the others by their current text. */
	ASSERT_STR_EQ(ids, "5:t,3:f,2:t,1:t");
	free(out);
	out = posts_output(&rc, 3, all);
	REQUIRE(out);
	ASSERT_INT_EQ(rc, 0);
	ASSERT(strstr(out, "\"matched\"") == NULL);
	{
		json_t *o = json_loads(out, JSON_DISABLE_EOF_CHECK, NULL);
		const json_t *c;

		REQUIRE(o);
		ASSERT_INT_EQ(json_integer_value(json_object_get(o, "id")), 8);
		json_decref(o);
		o = json_loads(strstr(out, "{\"id\":3,"),
		               JSON_DISABLE_EOF_CHECK, NULL);
		REQUIRE(o);
		c = json_array_get(json_object_get(o, "categories"), 0);
		ASSERT_STR_EQ(json_string_value(json_object_get(c, "key")),
		              "origin_narrative");
		ASSERT(json_real_value(json_object_get(c, "score")) == 2.5);
		json_decref(o);
	}
	free(out);
	out = posts_output(&rc, 5, csv);
	REQUIRE(out);
	ASSERT_INT_EQ(rc, 0);
	ASSERT(strncmp(out,
	               "id,account,role,country,published,first_seen,lang,"
	               "categories,edit_count,deleted_seen,is_repost,url,text,"
	               "matched_current,matched_versions\r\n",
	               122) == 0);
	ASSERT(strstr(out, ",0,1\r\n") != NULL); /* post 3: wording 1 */
	free(out);
}

/* The index follows edits and deletions (the triggers of 0009 and
 * 0016). */
static void test_index_in_step(void)
{
	struct db *db;

	open_store();
	db = store_conn(st);
	ASSERT_INT_EQ(test_q_exec(db, "UPDATE posts SET text = 'Fort Detrick"
	                              " again' WHERE id = 1"),
	              0);
	/* Post 1 had no recorded wordings: gone; post 3's first wording
	 * still says it. */
	ASSERT_STR_EQ(search("德特里克"), "3");
	ASSERT_STR_EQ(search("\"fort detrick\""), "3,1");
	ASSERT_INT_EQ(test_q_exec(db, "DELETE FROM post_categories WHERE"
	                              " post_id = 3; DELETE FROM posts WHERE"
	                              " id = 3"),
	              0);
	ASSERT_STR_EQ(search("\"fort detrick\""), "1");
	/* Post 3's wordings went with it. */
	ASSERT_STR_EQ(search("\"early wording\""), "");
	ASSERT_INT_EQ((int)test_q_int(db, "SELECT count(*) FROM post_versions"
	                                  " WHERE post_id = 3"),
	              0);
	if (!test_on_pg())
		ASSERT_INT_EQ(
		    (int)test_q_int(db, "SELECT count(*) FROM post_versions_fts"
		                        " WHERE post_versions_fts MATCH"
		                        " '\"early\"'"),
		    0);
	/* A wording replaced in place is indexed anew. */
	ASSERT_INT_EQ(test_q_exec(db, "UPDATE post_versions SET text ="
	                              " 'Rewritten 検査' WHERE post_id = 5"),
	              0);
	ASSERT_STR_EQ(search_match("rewritten"), "5:0:1");
	store_close(st);
	st = NULL;
}

/* A log from before 0009 gets its indexes filled by the migrations (0009
 * the posts, 0016 the wordings). */
static void test_migration_fills_index(void)
{
	const char *target = test_database("old");
	struct store *s2 = NULL;
	char err[512];

	if (test_on_pg())
		return; /* PostgreSQL searches the table itself */
	ASSERT_INT_EQ(store_open(target, &s2, err, sizeof(err)), 0);
	ASSERT_INT_EQ(test_q_exec(store_conn(s2), setup_sql), 0);
	ASSERT_INT_EQ(test_q_exec(store_conn(s2), versions_sql), 0);
	ASSERT_INT_EQ(
	    test_q_exec(
	        store_conn(s2),
	        "DROP TRIGGER post_versions_fts_insert;"
	        " DROP TRIGGER post_versions_fts_delete;"
	        " DROP TRIGGER post_versions_fts_update;"
	        " DROP TABLE post_versions_fts;"
	        " DROP VIEW post_versions_fts_source;"
	        " DROP TRIGGER posts_fts_insert;"
	        " DROP TRIGGER posts_fts_delete;"
	        " DROP TRIGGER posts_fts_update;"
	        " DROP TABLE posts_fts; DROP TABLE post_clusters;"
	        " DROP TABLE reposts; DROP TABLE post_metrics;"
	        /* and what 0013 added */
	        " DROP VIEW deleted_posts; DROP VIEW feed_health;"
	        " DROP TABLE html_pages;"
	        " ALTER TABLE feeds DROP COLUMN source;"
	        " ALTER TABLE posts DROP COLUMN published_us;"
	        " ALTER TABLE posts DROP COLUMN upstream_edited;"
	        " ALTER TABLE post_deletions DROP COLUMN confirmed;"
	        " ALTER TABLE post_deletions DROP COLUMN checked;"
	        " CREATE VIEW deleted_posts AS SELECT 1 AS post_id;"
	        " CREATE VIEW feed_health AS SELECT 1 AS feed_id;"
	        /* feeds 0013 gives a source from kind and URL */
	        " INSERT INTO feeds (id, account_id, configured_url,"
	        " url, kind, added) VALUES"
	        " (1, 1, 'telegram:zlj', 'telegram:zlj', 'web', 0),"
	        " (2, 1, 'html:https://m.example/', 'x', 'web', 0),"
	        " (3, 2, 'youtube:UC1', 'youtube:UC1', 'web', 0),"
	        " (4, 2, 'https://j.example/f', 'x', 'web', 0),"
	        " (5, 3, 'https://c.example/@c', 'x', 'mastodon', 0);"
	        " DROP TABLE post_links; DROP TABLE post_bands;"
	        " DROP TABLE post_signatures; DROP TABLE narrative_alerts;"
	        " DROP TABLE post_narratives; DROP TABLE narratives;"
	        " PRAGMA user_version = 8"),
	    0);
	store_close(s2);
	ASSERT_INT_EQ(store_open(target, &st, err, sizeof(err)), 0);
	ASSERT_INT_EQ(store_schema_version(st), store_schema_latest());
	ASSERT_INT_EQ(
	    (int)test_q_int(store_conn(st),
	                    "SELECT count(*) FROM feeds WHERE"
	                    " source = CASE id WHEN 1 THEN 'telegram'"
	                    " WHEN 2 THEN 'html' WHEN 3 THEN 'youtube'"
	                    " WHEN 4 THEN 'web' ELSE 'mastodon' END"),
	    5);
	ASSERT_STR_EQ(search("德特里克"), "3,1");
	ASSERT_STR_EQ(search("wuhan"), "7,3");
	ASSERT_INT_EQ((int)test_q_int(store_conn(st),
	                              "SELECT count(*) FROM posts_fts_docsize"),
	              8);
	ASSERT_STR_EQ(search_match("德特里克"), "3:0:1 1:1:-");
	ASSERT_INT_EQ(
	    (int)test_q_int(store_conn(st),
	                    "SELECT count(*) FROM post_versions_fts_docsize"),
	    3);
	store_close(st);
	st = NULL;
}

TEST_MAIN(TEST(test_search_scripts), TEST(test_search_syntax),
          TEST(test_filters), TEST(test_rows), TEST(test_known_and_deleted),
          TEST(test_search_versions), TEST(test_posts_formats),
          TEST(test_index_in_step), TEST(test_migration_fills_index))
