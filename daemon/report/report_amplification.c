/*
 * report_amplification.c — who amplified the tracked posts of a period
 * (schema/0012_amplification.sql): per post its reposters, the share of
 * them whose account was created less than 90 days before the post
 * ("fresh"), and the spread of their first_seen times (the APIs give no
 * repost times: first_seen is the check that first listed a reposter); per
 * reposting actor the tracked posts and accounts it amplified; and the
 * bursts, a post's repost counter rising by more than burst_threshold
 * between two polls (post_metrics).  The model feeds both `demarche
 * amplification` and the report's "Amplification" section.
 *
 * Speed: posts and actors are both tallied here, in one pass over the
 * period's reposts (each column read once, a post's run of rows found
 * without a search), which keeps 10,000 posts with 100 reposters each
 * within a second (tests/bench/bench_amplification.sh, PG=1 for
 * PostgreSQL).  Grouping in the database does not pay: on PostgreSQL,
 * hashing a million rows by actor costs the server more than sending
 * them, and reading them through a cursor in batches more again.
 */
#include "report_amplification.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_int.h"
#include "store.h"
#include "strmap.h"

#define FRESH_AGE       (90 * DAY) /* an account younger than this is fresh */
#define REPORT_AMP_ROWS 10 /* posts, amplifiers and bursts in a report */

/* The platform of a post, from its feed. */
#define PLATFORM_SQL                                                         \
	"CASE WHEN f.kind IN ('bluesky', 'mastodon') THEN f.kind"            \
	" WHEN f.configured_url LIKE 'telegram:%' THEN 'telegram'"           \
	" WHEN f.configured_url LIKE 'youtube:%' THEN 'youtube' ELSE 'web' " \
	"END"

/* The period's posts, by id; those no reposter turns up for are dropped
 * after the tally (asking the database which have reposters costs one
 * index probe per post, which on PostgreSQL is more than reading them). */
static const char sql_posts[] =
    "SELECT p.id, a.handle, p.url, p.report_time, " PLATFORM_SQL
    ", p.account_id"
    " FROM posts p JOIN accounts a ON a.id = p.account_id"
    " LEFT JOIN feeds f ON f.id = p.feed_id"
    " WHERE p.report_time >= ?1 AND p.report_time < ?2"
    " ORDER BY p.id";

/* Their reposters, in one pass (tallied here). */
static const char sql_reposts[] =
    "SELECT r.post_id, r.actor, r.actor_name, r.actor_created,"
    " r.actor_followers, r.first_seen"
    " FROM posts p JOIN reposts r ON r.post_id = p.id"
    " WHERE p.report_time >= ?1 AND p.report_time < ?2";

static const char sql_bursts[] =
    "SELECT x.post_id, a.handle, p.url, x.prev_seen, x.seen, x.prev,"
    " x.reposts FROM (SELECT m.post_id, m.seen, m.reposts,"
    "  lag(m.reposts) OVER (PARTITION BY m.post_id ORDER BY m.seen)"
    "   AS prev,"
    "  lag(m.seen) OVER (PARTITION BY m.post_id ORDER BY m.seen)"
    "   AS prev_seen"
    "  FROM posts p JOIN post_metrics m ON m.post_id = p.id"
    "  WHERE p.report_time >= ?1 AND p.report_time < ?2"
    "  AND m.reposts IS NOT NULL) x"
    " JOIN posts p ON p.id = x.post_id"
    " JOIN accounts a ON a.id = p.account_id"
    " WHERE x.prev IS NOT NULL AND x.reposts - x.prev > ?3"
    " ORDER BY x.reposts - x.prev DESC, x.post_id, x.seen";

/* One reposting actor being tallied.  What it shows never depends on
 * the order the rows come in (the backends scan in orders of their own):
 * its platform is that of the lowest post id it reposted, its name that
 * of its latest listing (greatest first_seen, then lowest post id). */
struct amp_actor {
	char *actor, *name;
	const char *platform; /* of post first_post (static) */
	int64_t first_post;   /* lowest post id it reposted */
	int64_t name_seen;    /* first_seen of the row name came from */
	int64_t name_post;    /* post_id of that row */
	int64_t created;      /* TIME_UNKNOWN when no row said */
	int64_t followers;    /* -1 when no row said */
	int64_t posts;        /* tracked posts it reposted */
	int64_t *accounts;    /* distinct tracked accounts it amplified */
	size_t n_accounts, cap_accounts;
};

/* One row of sql_reposts, each column read once. */
struct amp_row {
	int64_t post_id;
	const char *actor, *name; /* borrowed from the statement */
	bool has_created, has_followers;
	int64_t created, followers, seen;
};

/* One reposted post of the period. */
struct amp_post {
	int64_t id, time, account_id;
	char *account, *url;
	const char *platform;    /* static */
	int64_t n, fresh, known; /* reposters, fresh ones, with a creation */
	int64_t first, last;     /* first_seen range */
};

struct amp_tally {
	struct amp_post *posts; /* by id */
	size_t n_posts, cap_posts;
	size_t last; /* index of the post last found */
	struct strmap *by_actor;
	struct amp_actor **v;
	size_t n, cap;
};

static const char *platform_name(const char *s)
{
	static const char *const names[] = {"bluesky", "mastodon", "telegram",
	                                    "youtube"};
	size_t i;

	for (i = 0; s && i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i]) == 0)
			return names[i];
	return "web";
}

static void tally_free(struct amp_tally *t)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		free(t->v[i]->actor);
		free(t->v[i]->name);
		free(t->v[i]->accounts);
		free(t->v[i]);
	}
	free(t->v);
	for (i = 0; i < t->n_posts; i++) {
		free(t->posts[i].account);
		free(t->posts[i].url);
	}
	free(t->posts);
	strmap_free(t->by_actor);
}

static struct amp_actor *tally_get(struct amp_tally *t, const char *actor)
{
	struct amp_actor *x = strmap_get(t->by_actor, actor), **grown;

	if (x)
		return x;
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 256;

		grown = realloc(t->v, cap * sizeof(*grown));
		if (!grown)
			return NULL;
		t->v = grown;
		t->cap = cap;
	}
	x = calloc(1, sizeof(*x));
	if (!x)
		return NULL;
	x->created = TIME_UNKNOWN;
	x->followers = -1;
	x->actor = strdup(actor);
	if (!x->actor || strmap_put(t->by_actor, actor, x) < 0) {
		free(x->actor);
		free(x);
		return NULL;
	}
	t->v[t->n++] = x;
	return x;
}

static int actor_add_account(struct amp_actor *x, int64_t account)
{
	size_t i;
	int64_t *grown;

	for (i = 0; i < x->n_accounts; i++)
		if (x->accounts[i] == account)
			return 0;
	if (x->n_accounts == x->cap_accounts) {
		size_t cap = x->cap_accounts ? x->cap_accounts * 2 : 4;

		grown = realloc(x->accounts, cap * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		x->accounts = grown;
		x->cap_accounts = cap;
	}
	x->accounts[x->n_accounts++] = account;
	return 0;
}

/* The post of id (the list is sorted by id), or NULL.  The reposts of a
 * post mostly come in a run (both backends read them in the order of
 * their posts or of their writing), hence the last one found first. */
static struct amp_post *tally_post(struct amp_tally *t, int64_t id)
{
	size_t lo = 0, hi = t->n_posts;

	if (t->last < t->n_posts && t->posts[t->last].id == id)
		return &t->posts[t->last];
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->posts[mid].id == id) {
			t->last = mid;
			return &t->posts[mid];
		}
		if (t->posts[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* One row of sql_posts into the tally (ids come in ascending order). */
static int tally_post_row(struct amp_tally *t, struct db_stmt *s)
{
	struct amp_post *p;

	if (t->n_posts == t->cap_posts) {
		size_t cap = t->cap_posts ? t->cap_posts * 2 : 256;

		p = realloc(t->posts, cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		t->posts = p;
		t->cap_posts = cap;
	}
	p = &t->posts[t->n_posts];
	memset(p, 0, sizeof(*p));
	p->id = db_column_int64(s, 0);
	p->time = db_column_int64(s, 3);
	p->account_id = db_column_int64(s, 5);
	p->platform = platform_name(report_col_str(s, 4));
	p->first = INT64_MAX;
	p->last = INT64_MIN;
	if (report_col_str(s, 1) &&
	    !(p->account = strdup(report_col_str(s, 1))))
		return -ENOMEM;
	if (report_col_str(s, 2) && !(p->url = strdup(report_col_str(s, 2)))) {
		free(p->account);
		return -ENOMEM;
	}
	t->n_posts++;
	return 0;
}

static void amp_row_read(struct db_stmt *s, struct amp_row *r)
{
	r->post_id = db_column_int64(s, 0);
	r->actor = report_col_str(s, 1);
	r->name = report_col_str(s, 2);
	r->has_created = !db_column_null(s, 3);
	r->created = r->has_created ? db_column_int64(s, 3) : 0;
	r->has_followers = !db_column_null(s, 4);
	r->followers = r->has_followers ? db_column_int64(s, 4) : 0;
	r->seen = db_column_int64(s, 5);
}

/* The actor's name and platform from row r (see struct amp_actor). */
static int actor_note_row(struct amp_actor *x, const struct amp_row *r,
                          const struct amp_post *p)
{
	char *name;

	if (!x->platform || r->post_id < x->first_post) {
		x->platform = p->platform;
		x->first_post = r->post_id;
	}
	if (!r->name || (x->name && (r->seen < x->name_seen ||
	                             (r->seen == x->name_seen &&
	                              r->post_id > x->name_post))))
		return 0;
	if (!x->name || strcmp(x->name, r->name) != 0) {
		name = strdup(r->name);
		if (!name)
			return -ENOMEM;
		free(x->name);
		x->name = name;
	}
	x->name_seen = r->seen;
	x->name_post = r->post_id;
	return 0;
}

/* One row of sql_reposts into the tally. */
static int tally_repost_row(struct amp_tally *t, struct db_stmt *s)
{
	struct amp_row r;
	struct amp_post *p;
	struct amp_actor *x;

	amp_row_read(s, &r);
	p = tally_post(t, r.post_id);
	if (!p || !r.actor)
		return 0; /* written since the posts were read */
	p->n++;
	if (r.has_created) {
		p->known++;
		if (r.created > p->time - FRESH_AGE)
			p->fresh++;
	}
	if (r.seen < p->first)
		p->first = r.seen;
	if (r.seen > p->last)
		p->last = r.seen;
	x = tally_get(t, r.actor);
	if (!x || actor_note_row(x, &r, p) < 0)
		return -ENOMEM;
	x->posts++;
	if (r.has_created &&
	    (x->created == TIME_UNKNOWN || r.created < x->created))
		x->created = r.created;
	if (r.has_followers && r.followers > x->followers)
		x->followers = r.followers;
	return actor_add_account(x, p->account_id);
}

static int cmp_actor(const void *pa, const void *pb)
{
	const struct amp_actor *a = *(struct amp_actor *const *)pa,
	                       *b = *(struct amp_actor *const *)pb;

	if (a->posts != b->posts)
		return a->posts > b->posts ? -1 : 1;
	if (a->n_accounts != b->n_accounts)
		return a->n_accounts > b->n_accounts ? -1 : 1;
	return strcmp(a->actor, b->actor);
}

static int cmp_post(const void *pa, const void *pb)
{
	const struct amp_post *a = pa, *b = pb;

	if (a->n != b->n)
		return a->n > b->n ? -1 : 1;
	return a->id < b->id ? -1 : a->id > b->id;
}

static json_t *actor_json(const struct amp_actor *x)
{
	json_t *o = json_object();

	if (!o || report_jset(o, "actor", report_json_text(x->actor)) < 0 ||
	    report_jset(o, "name",
	                x->name ? report_json_text(x->name) : json_null()) <
	        0 ||
	    report_jset(o, "platform", json_string(x->platform)) < 0 ||
	    report_jset(o, "posts", json_integer(x->posts)) < 0 ||
	    report_jset(o, "accounts",
	                json_integer((json_int_t)x->n_accounts)) < 0 ||
	    report_jset(o, "created",
	                x->created == TIME_UNKNOWN
	                    ? json_null()
	                    : report_json_time(x->created)) < 0 ||
	    report_jset(o, "followers",
	                x->followers < 0 ? json_null()
	                                 : json_integer(x->followers)) < 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *post_json(const struct amp_post *p, int cap)
{
	json_t *o = json_object();

	if (!o || report_jset(o, "post_id", json_integer(p->id)) < 0 ||
	    report_jset(o, "account",
	                p->account ? report_json_text(p->account)
	                           : json_null()) < 0 ||
	    report_jset(o, "url",
	                p->url ? report_json_text(p->url) : json_null()) < 0 ||
	    report_jset(o, "time", report_json_time(p->time)) < 0 ||
	    report_jset(o, "platform", json_string(p->platform)) < 0 ||
	    report_jset(o, "reposts", json_integer(p->n)) < 0 ||
	    report_jset(o, "capped", json_boolean(p->n >= cap)) < 0 ||
	    report_jset(o, "fresh", json_integer(p->fresh)) < 0 ||
	    report_jset(o, "created_known", json_integer(p->known)) < 0 ||
	    report_jset(
	        o, "fresh_share",
	        json_real(p->n ? (double)p->fresh / (double)p->n : 0.0)) < 0 ||
	    report_jset(o, "first_seen",
	                json_pack("{s:o, s:o, s:I}", "first",
	                          report_json_time(p->first), "last",
	                          report_json_time(p->last), "spread_s",
	                          (json_int_t)(p->last - p->first))) < 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* Reads the period's reposted posts and their reposters into t. */
static int tally_read(struct report_query *q, int64_t from, int64_t to,
                      struct amp_tally *t)
{
	struct db_stmt *s = NULL;
	int rc;

	rc = report_q_prepare(q, sql_posts, &s, from, to);
	while (rc == 0 && (rc = report_q_step(q, s)) == 1)
		rc = tally_post_row(t, s);
	db_finalize(s);
	s = NULL;
	if (rc < 0)
		return rc;
	rc = report_q_prepare(q, sql_reposts, &s, from, to);
	while (rc == 0 && (rc = report_q_step(q, s)) == 1)
		rc = tally_repost_row(t, s);
	db_finalize(s);
	return rc;
}

/* posts, n_posts, amplifiers and n_amplifiers into out. */
static int build_lists(struct report_query *q, int64_t from, int64_t to,
                       const struct report_amp_opts *opts, json_t *out)
{
	struct amp_tally t = {0};
	json_t *posts = json_array(), *actors = json_array();
	size_t i, max = opts->max_rows;
	int rc = -ENOMEM;

	t.by_actor = strmap_new();
	if (report_jset(out, "posts", posts) < 0 ||
	    report_jset(out, "amplifiers", actors) < 0 || !t.by_actor)
		goto out_free_tally;
	rc = tally_read(q, from, to, &t);
	if (rc < 0)
		goto out_free_tally;
	/* Only the posts with reposters: those with none count 0 (as does
	 * one whose reposters were written after the posts were read). */
	if (t.n_posts)
		qsort(t.posts, t.n_posts, sizeof(*t.posts), cmp_post);
	while (t.n_posts && t.posts[t.n_posts - 1].n == 0) {
		t.n_posts--;
		free(t.posts[t.n_posts].account);
		free(t.posts[t.n_posts].url);
	}
	if (t.n)
		qsort(t.v, t.n, sizeof(*t.v), cmp_actor);
	for (i = 0; rc == 0 && i < t.n_posts && (!max || i < max); i++)
		rc = report_jappend(posts, post_json(&t.posts[i], opts->cap));
	for (i = 0; rc == 0 && i < t.n && (!max || i < max); i++)
		rc = report_jappend(actors, actor_json(t.v[i]));
	if (rc == 0)
		rc = report_jset(out, "n_posts",
		                 json_integer((json_int_t)t.n_posts));
	if (rc == 0)
		rc = report_jset(out, "n_amplifiers",
		                 json_integer((json_int_t)t.n));
out_free_tally:
	tally_free(&t);
	return rc;
}

static int build_bursts(struct report_query *q, int64_t from, int64_t to,
                        int threshold, size_t max, json_t *out)
{
	json_t *list = json_array(), *o;
	struct db_stmt *s = NULL;
	int rc;

	if (!list || report_jset(out, "bursts", list) < 0)
		return -ENOMEM;
	rc = report_q_prepare(q, sql_bursts, &s, from, to);
	if (rc == 0)
		db_bind_int64(s, 3, threshold);
	while (rc == 0 && (rc = report_q_step(q, s)) == 1 &&
	       (!max || json_array_size(list) < max)) {
		o = json_pack("{s:I, s:o, s:o, s:o, s:o, s:I, s:I, s:I}",
		              "post_id", (json_int_t)db_column_int64(s, 0),
		              "account", report_col_json_text(s, 1), "url",
		              report_col_json_text(s, 2), "from",
		              report_col_json_time(s, 3), "to",
		              report_col_json_time(s, 4), "before",
		              (json_int_t)db_column_int64(s, 5), "after",
		              (json_int_t)db_column_int64(s, 6), "jump",
		              (json_int_t)(db_column_int64(s, 6) -
		                           db_column_int64(s, 5)));
		rc = report_jappend(list, o);
	}
	db_finalize(s);
	return rc < 0 ? rc : 0;
}

int report_amplification_build(struct db *db, int schema, int64_t from,
                               int64_t to, const struct report_amp_opts *opts,
                               json_t **out, char *err, size_t errlen)
{
	struct report_query q = {db, err, errlen, schema >= 10};
	json_t *o;
	int rc;

	*out = NULL;
	if (schema < 12) {
		snprintf(err, errlen,
		         "the log is at schema %d, before the amplification "
		         "tables (12): let the daemon migrate it",
		         schema);
		return -ENOENT;
	}
	o = json_pack("{s:{s:o, s:o}, s:i, s:i}", "period", "from",
	              report_json_time(from), "to", report_json_time(to), "cap",
	              opts->cap, "burst_threshold", opts->burst_threshold);
	if (!o) {
		snprintf(err, errlen, "amplification: out of memory");
		return -ENOMEM;
	}
	/* The report's section runs inside the report's own read. */
	rc = opts->in_read ? 0 : report_read_begin(&q);
	if (rc == 0) {
		rc = build_lists(&q, from, to, opts, o);
		if (rc == 0)
			rc = build_bursts(&q, from, to, opts->burst_threshold,
			                  opts->max_rows, o);
		if (!opts->in_read)
			report_read_end(&q);
	}
	if (rc < 0) {
		if (rc == -ENOMEM)
			snprintf(err, errlen, "amplification: out of memory");
		json_decref(o);
		return rc;
	}
	*out = o;
	return 0;
}

/* ---- the report's section ---- */

static int defaults_burst = REPORT_AMP_BURST_DEFAULT;
static int defaults_cap = REPORT_AMP_CAP_DEFAULT;

void report_amplification_limits(int burst_threshold, int cap)
{
	if (burst_threshold > 0)
		defaults_burst = burst_threshold;
	if (cap > 0)
		defaults_cap = cap;
}

int report_amplification_section(struct db *db, int schema, int64_t from,
                                 int64_t to, json_t *report, char *err,
                                 size_t errlen)
{
	struct report_amp_opts opts = {defaults_burst, defaults_cap,
	                               REPORT_AMP_ROWS, true};
	json_t *o = NULL;
	int rc;

	if (schema < 12)
		return 0;
	rc = report_amplification_build(db, schema, from, to, &opts, &o, err,
	                                errlen);
	if (rc < 0)
		return rc;
	/* Only a log that watches amplification gets the section. */
	if (report_jint(o, "n_posts") == 0 &&
	    json_array_size(json_object_get(o, "bursts")) == 0) {
		json_decref(o);
		return 0;
	}
	return report_jset(report, "amplification", o);
}

static const char *jstr_or(const json_t *o, const char *k, const char *dflt)
{
	const char *s = report_jstr(o, k);

	return s ? s : dflt;
}

static int render_posts(const json_t *amp, enum report_format f, struct buf *b)
{
	static const char *const heads[] = {"account",    "reposts", "fresh",
	                                    "first seen", "spread",  "url"};
	struct report_table t = {6, heads, "lrrlrl", NULL, 0, 0};
	const json_t *x;
	size_t i;
	int rc = 0;

	json_array_foreach(json_object_get(amp, "posts"), i, x)
	{
		const json_t *fs = json_object_get(x, "first_seen");

		if (rc == 0)
			rc = report_table_add(&t, jstr_or(x, "account", ""));
		if (rc == 0)
			rc = report_table_addf(
			    &t, "%lld%s", (long long)report_jint(x, "reposts"),
			    json_is_true(json_object_get(x, "capped")) ? "+"
			                                               : "");
		if (rc == 0)
			rc = report_table_addf(
			    &t, "%.0f%%",
			    100.0 * json_real_value(
			                json_object_get(x, "fresh_share")));
		if (rc == 0)
			rc = report_table_add(&t, jstr_or(fs, "first", ""));
		if (rc == 0)
			rc = report_table_addf(
			    &t, "%llds",
			    (long long)report_jint(fs, "spread_s"));
		if (rc == 0)
			rc = report_table_add(&t, jstr_or(x, "url", ""));
	}
	if (rc == 0 && t.n)
		rc = report_table_render(&t, f, b);
	report_table_free(&t);
	return rc;
}

static int render_amplifiers(const json_t *amp, enum report_format f,
                             struct buf *b)
{
	static const char *const heads[] = {"amplifier", "platform", "posts",
	                                    "accounts", "created"};
	struct report_table t = {5, heads, "llrrl", NULL, 0, 0};
	const json_t *x;
	size_t i;
	int rc = 0;

	json_array_foreach(json_object_get(amp, "amplifiers"), i, x)
	{
		if (rc == 0)
			rc = report_table_add(&t, jstr_or(x, "actor", ""));
		if (rc == 0)
			rc = report_table_add(&t, jstr_or(x, "platform", ""));
		if (rc == 0)
			rc = report_table_add_int(&t,
			                          json_object_get(x, "posts"));
		if (rc == 0)
			rc = report_table_add_int(
			    &t, json_object_get(x, "accounts"));
		if (rc == 0)
			rc = report_table_add(&t, jstr_or(x, "created", "?"));
	}
	if (rc == 0 && t.n)
		rc = report_table_render(&t, f, b);
	report_table_free(&t);
	return rc;
}

static int render_bursts(const json_t *amp, enum report_format f, struct buf *b)
{
	const json_t *x;
	char line[512];
	size_t i;
	int rc = 0;

	json_array_foreach(json_object_get(amp, "bursts"), i, x)
	{
		snprintf(line, sizeof(line),
		         "Burst: %s's post %s went from %lld to %lld reposts "
		         "between %s and %s.",
		         jstr_or(x, "account", "?"), jstr_or(x, "url", "?"),
		         (long long)report_jint(x, "before"),
		         (long long)report_jint(x, "after"),
		         jstr_or(x, "from", "?"), jstr_or(x, "to", "?"));
		if (rc == 0)
			rc = report_para(b, f, line);
	}
	return rc;
}

int report_amplification_render(const json_t *report, enum report_format f,
                                struct buf *b)
{
	const json_t *amp = json_object_get(report, "amplification");
	char line[256];
	int rc;

	if (!amp)
		return 0;
	rc = report_heading(b, f, 2, "Amplification");
	snprintf(line, sizeof(line),
	         "%lld tracked posts were reposted by %lld accounts (first "
	         "seen is when a check first listed a reposter: the platforms "
	         "give no repost times; fresh = account created less than 90 "
	         "days before the post; + = capped at %lld).",
	         (long long)report_jint(amp, "n_posts"),
	         (long long)report_jint(amp, "n_amplifiers"),
	         (long long)report_jint(amp, "cap"));
	if (rc == 0)
		rc = report_para(b, f, line);
	if (rc == 0)
		rc = render_posts(amp, f, b);
	if (rc == 0)
		rc = render_amplifiers(amp, f, b);
	if (rc == 0)
		rc = render_bursts(amp, f, b);
	return rc;
}
