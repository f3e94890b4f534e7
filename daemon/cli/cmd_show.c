/*
 * cmd_show.c — `demarche -d DB show ID|URL [--format text|json]`: one post
 * as the log holds it, for the analyst who has to say what a diplomat
 * said and when: its account and feed, every wording with the time it was
 * seen and a word diff against the one before (worddiff.h), the
 * categories each wording got (with evidence and rule set), and when the
 * post vanished upstream and came back.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
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
#include "log.h"
#include "store.h"
#include "util.h"
#include "worddiff.h"

static void usage(FILE *fp)
{
	fputs("usage: demarche [-d DB | -c FILE] show ID|URL [--format "
	      "text|json]\n"
	      "Prints one post as the log holds it: account and feed, every "
	      "version with\n"
	      "the time it was seen and a word diff to the one before, the "
	      "categories of\n"
	      "each version with evidence and rule set, and when it vanished "
	      "upstream.\n"
	      "ID is posts.id; URL the post's link (or its stable key).\n"
	      "\n"
	      "  --format F          text (default) or json\n"
	      "  -h, --help          print this help and exit\n",
	      fp);
}

static json_t *jstr(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *jtime_col(struct db_stmt *s, int i)
{
	char t[DATE_RFC3339_LEN];

	if (db_column_null(s, i))
		return json_null();
	return json_string(date_format_rfc3339(db_column_int64(s, i), t));
}

/* Evidence is stored as JSON; shown as JSON (or as the text it is, if a
 * hand-written row is not). */
static json_t *jevidence(const char *ev)
{
	json_t *j = ev ? json_loads(ev, JSON_DECODE_ANY, NULL) : NULL;

	return j ? j : jstr(ev);
}

/* Rows of a category query (category, score, evidence, rules_version,
 * classified_at from column `first`) as a *new* JSON array. */
static json_t *categories_rows(struct db_stmt *s, int first, int64_t version,
                               int *rc)
{
	json_t *a = json_array();

	while (a && (*rc = db_step(s)) == DB_ROW) {
		json_t *o;

		if (version >= 0 && db_column_int64(s, 0) != version)
			continue;
		o = json_pack("{s:o, s:f, s:o, s:o, s:o}", "category",
		              jstr(db_column_text(s, first)), "score",
		              db_column_double(s, first + 1), "evidence",
		              jevidence(db_column_text(s, first + 2)),
		              "rules_version",
		              jstr(db_column_text(s, first + 3)),
		              "classified_at", jtime_col(s, first + 4));
		if (!o || json_array_append_new(a, o) < 0) {
			json_decref(a);
			return NULL;
		}
	}
	db_reset(s);
	return a;
}

/* Finds the post: an id when arg is all digits, else a URL or a stable
 * key (the newest post with it).  Returns its id, 0 when none, or a
 * negative errno. */
static int64_t find_post(struct db *db, const char *arg)
{
	struct db_stmt *s;
	const char *p;
	int64_t id = 0;
	int rc;

	for (p = arg; *p && isdigit((unsigned char)*p); p++)
		;
	rc = db_prepare(db,
	                *p || !*arg ? "SELECT id FROM posts WHERE url = ?1"
	                              " OR stable_key = ?1 ORDER BY id DESC"
	                              " LIMIT 1"
	                            : "SELECT id FROM posts WHERE id = ?1",
	                &s);
	if (rc < 0)
		return rc;
	if (*p || !*arg)
		db_bind_text(s, 1, arg);
	else
		db_bind_int64(s, 1, strtoll(arg, NULL, 10));
	rc = db_step(s);
	if (rc == DB_ROW)
		id = db_column_int64(s, 0);
	db_finalize(s);
	return rc < 0 ? rc : id;
}

/* The post's own row as a *new* JSON object, or NULL with *rc a negative
 * errno (-ENOENT: no such post). */
static json_t *load_head(struct db *db, int64_t id, int *rc)
{
	static const char sql[] =
	    "SELECT p.id, p.url, a.handle, a.name, a.role, f.url, f.kind,"
	    " p.title, p.text, p.lang, p.author, p.published, p.first_seen,"
	    " p.edited_seen, p.edit_count, p.deleted_seen, p.rules_version,"
	    " p.stable_key FROM posts p JOIN accounts a ON a.id = p.account_id"
	    " LEFT JOIN feeds f ON f.id = p.feed_id WHERE p.id = ?1";
	struct db_stmt *s;
	json_t *o = NULL;

	if ((*rc = db_prepare(db, sql, &s)) < 0)
		return NULL;
	db_bind_int64(s, 1, id);
	*rc = db_step(s);
	if (*rc == DB_ROW) {
		o = json_pack(
		    "{s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, "
		    "s:o, s:o, s:o, s:I, s:o, s:o, s:o}",
		    "id", (json_int_t)db_column_int64(s, 0), "url",
		    jstr(db_column_text(s, 1)), "account",
		    jstr(db_column_text(s, 2)), "account_name",
		    jstr(db_column_text(s, 3)), "role",
		    jstr(db_column_text(s, 4)), "feed",
		    jstr(db_column_text(s, 5)), "feed_kind",
		    jstr(db_column_text(s, 6)), "title",
		    jstr(db_column_text(s, 7)), "text",
		    jstr(db_column_text(s, 8)), "lang",
		    jstr(db_column_text(s, 9)), "author",
		    jstr(db_column_text(s, 10)), "published", jtime_col(s, 11),
		    "first_seen", jtime_col(s, 12), "edited_seen",
		    jtime_col(s, 13), "edit_count",
		    (json_int_t)db_column_int64(s, 14), "deleted_seen",
		    jtime_col(s, 15), "rules_version",
		    jstr(db_column_text(s, 16)), "stable_key",
		    jstr(db_column_text(s, 17)));
		*rc = o ? 0 : -ENOMEM;
	} else if (*rc == DB_DONE) {
		*rc = -ENOENT;
	}
	db_finalize(s);
	return o;
}

/* o["versions"]: every wording, each superseded one with the categories
 * it had when it was stored (the newest wording's are the post's own). */
static int add_versions(struct db *db, int64_t id, json_t *o)
{
	static const char versions_sql[] =
	    "SELECT version, seen, title, text FROM post_versions"
	    " WHERE post_id = ?1 ORDER BY version";
	static const char vcats_sql[] =
	    "SELECT version, category, score, evidence, rules_version,"
	    " classified_at FROM post_version_categories WHERE post_id = ?1"
	    " ORDER BY version, category";
	struct db_stmt *s = NULL;
	json_t *versions = json_array();
	size_t i;
	int rc;

	if (!versions || json_object_set_new(o, "versions", versions) < 0)
		return -ENOMEM;
	if ((rc = db_prepare(db, versions_sql, &s)) < 0)
		return rc;
	db_bind_int64(s, 1, id);
	while ((rc = db_step(s)) == DB_ROW) {
		json_t *v = json_pack("{s:I, s:o, s:o, s:o}", "version",
		                      (json_int_t)db_column_int64(s, 0), "seen",
		                      jtime_col(s, 1), "title",
		                      jstr(db_column_text(s, 2)), "text",
		                      jstr(db_column_text(s, 3)));

		if (!v || json_array_append_new(versions, v) < 0) {
			rc = -ENOMEM;
			break;
		}
	}
	db_finalize(s);
	if (rc < 0)
		return rc;
	if ((rc = db_prepare(db, vcats_sql, &s)) < 0)
		return rc;
	for (i = 0; rc >= 0 && i + 1 < json_array_size(versions); i++) {
		json_t *v = json_array_get(versions, i), *c;

		db_reset(s);
		db_bind_int64(s, 1, id);
		c = categories_rows(
		    s, 1, json_integer_value(json_object_get(v, "version")),
		    &rc);
		if (!c || json_object_set_new(v, "categories", c) < 0)
			rc = rc < 0 ? rc : -ENOMEM;
	}
	db_finalize(s);
	return rc < 0 ? rc : 0;
}

/* Schema 0013: published with its fraction of a second, the source's own
 * "edited" mark, and what the feed is read as (feeds.source). */
static int add_sources(struct db *db, int64_t id, json_t *o)
{
	static const char sql[] =
	    "SELECT p.published, p.published_us, p.upstream_edited, f.source"
	    " FROM posts p LEFT JOIN feeds f ON f.id = p.feed_id"
	    " WHERE p.id = ?1";
	char t[DATE_RFC3339_US_LEN];
	struct db_stmt *s;
	int rc, bad = 0;

	if ((rc = db_prepare(db, sql, &s)) < 0)
		return rc;
	db_bind_int64(s, 1, id);
	rc = db_step(s);
	if (rc == DB_ROW) {
		if (!db_column_null(s, 0) && !db_column_null(s, 1))
			bad |= json_object_set_new(
			    o, "published",
			    json_string(date_format_rfc3339_us(
			        db_column_int64(s, 0),
			        (int32_t)db_column_int64(s, 1), t)));
		bad |= json_object_set_new(o, "upstream_edited",
		                           json_boolean(db_column_int(s, 2)));
		bad |= json_object_set_new(o, "feed_source",
		                           jstr(db_column_text(s, 3)));
		rc = bad ? -ENOMEM : 0;
	}
	db_finalize(s);
	return rc < 0 ? rc : 0;
}

/* A deletion's confirmation (schema 0013) as JSON: true when the source
 * said the post is gone, false when it still served it, null if not
 * asked. */
static json_t *jconfirmed(struct db_stmt *s, int i)
{
	if (db_column_null(s, i))
		return json_null();
	return json_boolean(db_column_int64(s, i) != 0);
}

/* o["categories"] (the newest wording's) and o["deletions"]. */
static int add_categories_deletions(struct db *db, int64_t id, json_t *o,
                                    bool v13)
{
	static const char cats_sql[] =
	    "SELECT category, score, evidence, rules_version, classified_at"
	    " FROM post_categories WHERE post_id = ?1 ORDER BY category";
	static const char dels_sql[] =
	    "SELECT deleted_seen, returned_seen, NULL, NULL FROM post_deletions"
	    " WHERE post_id = ?1 ORDER BY deleted_seen, id";
	static const char dels13_sql[] =
	    "SELECT deleted_seen, returned_seen, confirmed, checked"
	    " FROM post_deletions WHERE post_id = ?1"
	    " ORDER BY deleted_seen, id";
	struct db_stmt *s;
	json_t *cats, *dels;
	int rc;

	if ((rc = db_prepare(db, cats_sql, &s)) < 0)
		return rc;
	db_bind_int64(s, 1, id);
	cats = categories_rows(s, 0, -1, &rc);
	db_finalize(s);
	if (!cats || json_object_set_new(o, "categories", cats) < 0)
		return rc < 0 ? rc : -ENOMEM;
	dels = json_array();
	if (!dels || json_object_set_new(o, "deletions", dels) < 0)
		return -ENOMEM;
	if ((rc = db_prepare(db, v13 ? dels13_sql : dels_sql, &s)) < 0)
		return rc;
	db_bind_int64(s, 1, id);
	while ((rc = db_step(s)) == DB_ROW) {
		json_t *d = json_pack(
		    "{s:o, s:o, s:o, s:o}", "deleted_seen", jtime_col(s, 0),
		    "returned_seen", jtime_col(s, 1), "confirmed",
		    jconfirmed(s, 2), "checked", jtime_col(s, 3));

		if (!d || json_array_append_new(dels, d) < 0) {
			rc = -ENOMEM;
			break;
		}
	}
	db_finalize(s);
	return rc < 0 ? rc : 0;
}

/* The posts of one statement (post_clusters, schema 10): its earliest
 * post ?1 and its copies, oldest first, with the platform their feed is
 * on. */
static const char statement_sql[] =
    "SELECT p.id, a.handle, CASE WHEN f.url LIKE 'telegram:%' THEN"
    " 'telegram' WHEN f.url LIKE 'youtube:%' THEN 'youtube' ELSE f.kind END,"
    " p.url, p.report_time, c.similarity, c.reason FROM posts p"
    " JOIN accounts a ON a.id = p.account_id"
    " LEFT JOIN feeds f ON f.id = p.feed_id"
    " LEFT JOIN post_clusters c ON c.post_id = p.id"
    " WHERE p.id = ?1 OR c.cluster_id = ?1 ORDER BY p.report_time, p.id";

/* The statement's earliest post of post id (itself when it is no copy):
 * >0, or a negative errno. */
static int64_t statement_root(struct db *db, int64_t id)
{
	struct db_stmt *s;
	int64_t root = id;
	int rc;

	rc = db_prepare(
	    db, "SELECT cluster_id FROM post_clusters WHERE post_id = ?1", &s);
	if (rc < 0)
		return rc;
	db_bind_int64(s, 1, id);
	rc = db_step(s);
	if (rc == DB_ROW)
		root = db_column_int64(s, 0);
	db_finalize(s);
	return rc < 0 ? rc : root;
}

/* o["copy_of"] (the statement's earliest post when this one is a copy,
 * else null) and o["copies"] (the statement's other posts). */
static int add_statement(struct db *db, int64_t id, json_t *o)
{
	json_t *copies = json_array(), *copy_of = json_null();
	struct db_stmt *s;
	int64_t root = statement_root(db, id);
	int rc;

	if (json_object_set_new(o, "copies", copies) < 0 ||
	    json_object_set_new(o, "copy_of", copy_of) < 0)
		return -ENOMEM;
	if (root < 0)
		return (int)root;
	if ((rc = db_prepare(db, statement_sql, &s)) < 0)
		return rc;
	db_bind_int64(s, 1, root);
	while ((rc = db_step(s)) == DB_ROW) {
		int64_t pid = db_column_int64(s, 0);
		json_t *m = json_pack(
		    "{s:I, s:o, s:o, s:o, s:o, s:o, s:o}", "id",
		    (json_int_t)pid, "account", jstr(db_column_text(s, 1)),
		    "platform", jstr(db_column_text(s, 2)), "url",
		    jstr(db_column_text(s, 3)), "time", jtime_col(s, 4),
		    "similarity",
		    db_column_null(s, 5) ? json_null()
		                         : json_real(db_column_double(s, 5)),
		    "reason", jstr(db_column_text(s, 6)));

		if (!m) {
			rc = -ENOMEM;
			break;
		}
		if (pid == id)
			json_decref(m);
		else if ((pid == root ? json_object_set_new(o, "copy_of", m)
		                      : json_array_append_new(copies, m)) < 0)
			rc = -ENOMEM;
		if (rc < 0)
			break;
	}
	db_finalize(s);
	return rc < 0 ? rc : 0;
}

/* The whole record of post id as a *new* JSON object, or NULL with *rc a
 * negative errno.  v13: the log has schema 0013's sources and confirmed
 * deletions; clusters: schema 0010's copies of a statement. */
static json_t *load_post(struct db *db, int64_t id, bool v13, bool clusters,
                         int *rc)
{
	json_t *o = load_head(db, id, rc);

	if (!o)
		return NULL;
	*rc = add_versions(db, id, o);
	if (*rc == 0)
		*rc = add_categories_deletions(db, id, o, v13);
	if (*rc == 0 && v13)
		*rc = add_sources(db, id, o);
	if (*rc == 0 && clusters)
		*rc = add_statement(db, id, o);
	if (*rc < 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static const char *jtext(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "-";
}

static void print_categories(const json_t *cats, const char *indent)
{
	size_t i;
	json_t *c;

	if (json_array_size(cats) == 0) {
		printf("%snone\n", indent);
		return;
	}
	json_array_foreach(cats, i, c)
	{
		char *ev = json_dumps(json_object_get(c, "evidence"),
		                      JSON_COMPACT | JSON_ENCODE_ANY);

		printf("%s%s  score %.2f  rules %s\n%s  evidence %s\n", indent,
		       jtext(c, "category"),
		       json_number_value(json_object_get(c, "score")),
		       jtext(c, "rules_version"), indent, ev ? ev : "-");
		free(ev);
	}
}

static const char *confirmation(const json_t *c)
{
	if (json_is_true(c))
		return " (confirmed: the source has no such post)";
	if (json_is_false(c))
		return " (not deleted: the source still serves it)";
	return "";
}

/* One post of the statement: "post 12  mfa (telegram)  TIME  URL  [text
 * 0.92]". */
static void print_member(const char *label, const json_t *m)
{
	const json_t *sim = json_object_get(m, "similarity");

	printf("%s post %lld  %s (%s)  %s  %s", label,
	       (long long)json_integer_value(json_object_get(m, "id")),
	       jtext(m, "account"), jtext(m, "platform"), jtext(m, "time"),
	       jtext(m, "url"));
	if (json_is_real(sim))
		printf("  [%s %.2f]", jtext(m, "reason"), json_real_value(sim));
	putchar('\n');
}

/* The statement's other posts, when it was said more than once. */
static void print_statement(const json_t *o)
{
	const json_t *copy_of = json_object_get(o, "copy_of");
	const json_t *copies = json_object_get(o, "copies");
	size_t i;

	if (json_is_object(copy_of))
		print_member("copy of  ", copy_of);
	for (i = 0; i < json_array_size(copies); i++)
		print_member(i == 0 ? "copies   " : "         ",
		             json_array_get(copies, i));
}

static int print_text(const json_t *o)
{
	const json_t *versions = json_object_get(o, "versions"), *v;
	const char *prev = NULL;
	size_t i;

	printf("post %lld  %s\n",
	       (long long)json_integer_value(json_object_get(o, "id")),
	       jtext(o, "url"));
	printf("account   %s (%s)\n", jtext(o, "account"), jtext(o, "role"));
	printf("feed      %s", jtext(o, "feed"));
	if (json_is_string(json_object_get(o, "feed_source")))
		printf(" (%s)", jtext(o, "feed_source"));
	putchar('\n');
	printf("published %s\nfirst seen %s\n", jtext(o, "published"),
	       jtext(o, "first_seen"));
	printf("edits     %lld%s\n",
	       (long long)json_integer_value(json_object_get(o, "edit_count")),
	       json_is_true(json_object_get(o, "upstream_edited"))
	           ? " (the source marks it edited)"
	           : "");
	printf("deleted   %s\n",
	       json_is_null(json_object_get(o, "deleted_seen"))
	           ? "no"
	           : jtext(o, "deleted_seen"));
	for (i = 0; i < json_array_size(json_object_get(o, "deletions")); i++) {
		v = json_array_get(json_object_get(o, "deletions"), i);
		printf("  vanished %s, %s%s%s\n", jtext(v, "deleted_seen"),
		       json_is_null(json_object_get(v, "returned_seen"))
		           ? "not back"
		           : "back ",
		       json_is_null(json_object_get(v, "returned_seen"))
		           ? ""
		           : jtext(v, "returned_seen"),
		       confirmation(json_object_get(v, "confirmed")));
	}
	print_statement(o);
	json_array_foreach(versions, i, v)
	{
		const char *title =
		    json_string_value(json_object_get(v, "title"));
		const char *text = jtext(v, "text");

		printf("\nversion %lld, seen %s\n",
		       (long long)json_integer_value(
		           json_object_get(v, "version")),
		       jtext(v, "seen"));
		if (title)
			printf("  title: %s\n", title);
		if (!prev) {
			printf("  %s\n", text);
		} else {
			char *d = worddiff(prev, text);

			if (!d)
				return -ENOMEM;
			printf("  %s\n", d);
			free(d);
		}
		if (json_object_get(v, "categories")) {
			printf("  categories then:\n");
			print_categories(json_object_get(v, "categories"),
			                 "    ");
		}
		prev = text;
	}
	printf("\ncategories (rules %s):\n", jtext(o, "rules_version"));
	print_categories(json_object_get(o, "categories"), "  ");
	return 0;
}

/* Reads the options around the post argument (the tool's own getopt ran
 * in POSIX order, so getopt does not permute here).  Returns -1 to go on,
 * else the exit code. */
static int parse_args(int argc, char **argv, const char **arg, bool *json)
{
	static const struct option opts[] = {
	    {"format", required_argument, NULL, 'f'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int ch;

	while (optind < argc) {
		ch = getopt_long(argc, argv, "f:h", opts, NULL);
		if (ch == -1) {
			if (*arg || optind >= argc)
				break;
			*arg = argv[optind++];
			continue;
		}
		if (ch == 'h') {
			usage(stdout);
			return 0;
		}
		if (ch != 'f') {
			usage(stderr);
			return EX_USAGE;
		}
		if (strcmp(optarg, "json") == 0) {
			*json = true;
		} else if (strcmp(optarg, "text") != 0) {
			log_warnx("show: unknown format '%s' (text, json)",
			          optarg);
			return EX_USAGE;
		}
	}
	if (!*arg || optind < argc) {
		usage(stderr);
		return EX_USAGE;
	}
	return -1;
}

/* Opens -d DB, or the [storage] database of -c FILE, for reading.
 * Returns 0 or the exit code. */
static int open_log(const struct cmd_globals *g, struct store **st)
{
	struct config *cfg = NULL;
	const char *target = g->db;
	char err[512];
	int rc;

	if (!target && !g->config) {
		usage(stderr);
		return EX_USAGE;
	}
	if (!target) {
		struct config_errors errs = {0};
		size_t i;

		if (config_load(g->config, &cfg, &errs) < 0) {
			for (i = 0; i < errs.n; i++)
				log_warnx("%s", errs.msgs[i]);
			config_errors_clear(&errs);
			return EX_CONFIG;
		}
		config_errors_clear(&errs);
		target = cfg->database;
	}
	rc = store_open_readonly(target, st, err, sizeof(err));
	config_free(cfg);
	if (rc < 0) {
		log_warnx("show: %s", err);
		return cmd_open_status(rc);
	}
	return 0;
}

int cmd_show_main(const struct cmd_globals *g, int argc, char **argv)
{
	struct store *st = NULL;
	const char *arg = NULL;
	json_t *o = NULL;
	bool json = false;
	int64_t id;
	int rc, ex;

	ex = parse_args(argc, argv, &arg, &json);
	if (ex >= 0)
		return ex;
	ex = open_log(g, &st);
	if (ex)
		return ex;
	if (store_schema_version(st) < 8) {
		log_warnx("show: the database predates post versions; run the "
		          "daemon once to upgrade it");
		ex = EX_DATAERR;
		goto out_close;
	}
	id = find_post(store_conn(st), arg);
	if (id < 0) {
		log_warnx("show: %s", db_errmsg(store_conn(st)));
		ex = EX_IOERR;
		goto out_close;
	}
	if (id == 0) {
		log_warnx("show: no post %s", arg);
		ex = EX_NOINPUT;
		goto out_close;
	}
	o = load_post(store_conn(st), id, store_schema_version(st) >= 13,
	              store_schema_version(st) >= 10, &rc);
	if (!o) {
		log_warnx("show: %s", rc == -ENOMEM
		                          ? "out of memory"
		                          : db_errmsg(store_conn(st)));
		ex = rc == -ENOMEM ? EX_OSERR : EX_IOERR;
		goto out_close;
	}
	if (json) {
		rc = json_dumpf(o, stdout, JSON_INDENT(2));
		fputc('\n', stdout);
	} else {
		rc = print_text(o);
	}
	if (rc < 0 || fflush(stdout) != 0 || ferror(stdout)) {
		log_warnx("show: cannot write the output");
		ex = EX_IOERR;
	}
	json_decref(o);
out_close:
	store_close(st);
	return ex;
}
