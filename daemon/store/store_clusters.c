/*
 * store_clusters.c — copies of one statement, found as posts are stored
 * (see store_clusters.h).  For a post P:
 *   1. its signature, bands and link keys replace whatever it had;
 *   2. candidates are the posts of the window around P that share a band
 *      (verified: estimated similarity >= DEDUP_THRESHOLD, the best one
 *      wins, the earlier on a tie), else that link the page P links or is
 *      (reason 'url', similarity 1);
 *   3. the match's statement is the match's cluster_id, or the match
 *      itself; its earliest post is the root.  When P is older than that
 *      root (a channel's history paged back after its newer posts) P
 *      becomes the root and the old root and its copies move under it.
 * post_clusters then holds one row per copy naming its root, which is
 * what the reports count statements by.
 */
#include "store_clusters.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "dedup.h"
#include "normalize.h"
#include "progress.h"
#include "store_int.h"
#include "util.h"

/* The version of schema/0014_signatures.sql. */
#define CLUSTERS_SCHEMA 14
/* Posts read at once while migration 14 indexes the log. */
#define CLUSTERS_BATCH     500
#define CLUSTERS_BATCH_SQL "500"
/* Candidates verified per post at most: a band every post shares (a
 * daily boilerplate) must not make storing a post slow. */
#define CLUSTERS_CANDIDATES   "200"
#define CLUSTERS_CANDIDATES_N 200
/* A quoted post's part of the text: someone else's words. */
#define QUOTE_MARK "\n\n[quote @"

/* The parameters of the 20 bands. */
#define BANDS_1_20                                                          \
	"?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15," \
	" ?16, ?17, ?18, ?19, ?20"

enum cstmt {
	C_TIME,
	C_OLD_SIG,
	C_FORGET_SIG,
	C_FORGET_BANDS,
	C_FORGET_LINKS,
	C_FORGET_ROW,
	C_SIG_INSERT,
	C_BAND_INSERT,
	C_LINK_INSERT,
	C_CANDIDATES,
	C_LINK_MATCH,
	C_ROOT,
	C_MOVE,
	C_ATTACH,
	C_COUNT
};

static const char *const csql[C_COUNT] = {
    [C_TIME] = "SELECT report_time FROM posts WHERE id = ?1",
    [C_OLD_SIG] = "SELECT minhash, report_time FROM post_signatures"
                  " WHERE post_id = ?1",
    [C_FORGET_SIG] = "DELETE FROM post_signatures WHERE post_id = ?1",
    /* ?1..?20 the bands, ?21 the time they were filed under, ?22 the
     * post. */
    [C_FORGET_BANDS] = "DELETE FROM post_bands WHERE band IN (" BANDS_1_20
                       ") AND report_time = ?21 AND post_id = ?22",
    [C_FORGET_LINKS] = "DELETE FROM post_links WHERE post_id = ?1",
    [C_FORGET_ROW] = "DELETE FROM post_clusters WHERE post_id = ?1",
    [C_SIG_INSERT] = "INSERT INTO post_signatures (post_id, minhash,"
                     " report_time) VALUES (?1, ?2, ?3)",
    /* All bands in one statement: ?1..?20, at time ?21, of post ?22. */
    [C_BAND_INSERT] =
        "INSERT INTO post_bands (band, report_time, post_id) VALUES"
        " (?1, ?21, ?22), (?2, ?21, ?22), (?3, ?21, ?22), (?4, ?21, ?22),"
        " (?5, ?21, ?22), (?6, ?21, ?22), (?7, ?21, ?22), (?8, ?21, ?22),"
        " (?9, ?21, ?22), (?10, ?21, ?22), (?11, ?21, ?22), (?12, ?21, ?22),"
        " (?13, ?21, ?22), (?14, ?21, ?22), (?15, ?21, ?22), (?16, ?21, ?22),"
        " (?17, ?21, ?22), (?18, ?21, ?22), (?19, ?21, ?22), (?20, ?21, ?22)"
        " ON CONFLICT DO NOTHING",
    [C_LINK_INSERT] = "INSERT INTO post_links (link, report_time, post_id, own)"
                      " VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
    /* ?1..?20 the bands, ?21..?22 the window, ?23 the post itself. */
    /* Read from the band index alone; a post sharing several bands comes
     * once per band. */
    [C_CANDIDATES] = "SELECT post_id, report_time FROM post_bands"
                     " WHERE band IN (" BANDS_1_20 ")"
                     " AND report_time BETWEEN ?21 AND ?22 AND post_id <> ?23"
                     " LIMIT " CLUSTERS_CANDIDATES,
    /* ?1..?2 the window, ?3 the post, ?4..?7 the pages it links, ?8 its
     * own page. */
    [C_LINK_MATCH] =
        "SELECT post_id, report_time FROM post_links"
        " WHERE report_time BETWEEN ?1 AND ?2 AND post_id <> ?3"
        " AND (link IN (?4, ?5, ?6, ?7) OR (link = ?8 AND own = 0))"
        " ORDER BY report_time, post_id LIMIT 1",
    [C_ROOT] = "SELECT cluster_id FROM post_clusters WHERE post_id = ?1",
    [C_MOVE] = "UPDATE post_clusters SET cluster_id = ?2 WHERE cluster_id = ?1",
    [C_ATTACH] =
        "INSERT INTO post_clusters (post_id, cluster_id, similarity, reason,"
        " clustered_at) VALUES (?1, ?2, ?3, ?4, ?5)"
        " ON CONFLICT (post_id) DO UPDATE SET cluster_id = excluded.cluster_id,"
        " similarity = excluded.similarity, reason = excluded.reason,"
        " clustered_at = excluded.clustered_at",
};

struct store_clusters {
	struct db *db;                  /* borrowed connection */
	struct db_stmt *stmts[C_COUNT]; /* prepared on first use */
	struct normalize *nz;           /* opened on first use */
	struct dedup_scratch scratch;   /* reused buffers */
	char *err;                      /* where failures are described */
	size_t errlen;                  /* its size */
};

/* What one post is matched by. */
struct post_keys {
	int64_t id, time;     /* the post and its report_time */
	bool has_sig;         /* sig is set: the text is long enough */
	struct dedup_sig sig; /* its signature */
	char links[DEDUP_MAX_LINKS][DEDUP_KEY_MAX];
	size_t n_links;
	char own[DEDUP_KEY_MAX]; /* its own page's key, or "" */
};

/* A match found. */
struct match {
	int64_t id, time; /* the post matched and its report_time */
	double similarity;
	const char *reason; /* "text" or "url" */
};

struct store_clusters *store_clusters_new(struct db *db, char *err,
                                          size_t errlen)
{
	struct store_clusters *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->db = db;
	c->err = err;
	c->errlen = errlen;
	return c;
}

void store_clusters_free(struct store_clusters *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; i < C_COUNT; i++)
		db_finalize(c->stmts[i]);
	dedup_scratch_free(&c->scratch);
	normalize_close(c->nz);
	free(c);
}

static int fail(struct store_clusters *c, int rc, const char *what)
{
	snprintf(c->err, c->errlen, "%s: %s", what, db_errmsg(c->db));
	return rc < 0 ? rc : -EIO;
}

/* The statement id, reset and unbound, or NULL with *rc set. */
static struct db_stmt *get(struct store_clusters *c, enum cstmt id, int *rc)
{
	struct db_stmt *s = c->stmts[id];
	int r;

	if (s) {
		db_reset(s);
		db_clear_bindings(s);
		return s;
	}
	r = db_prepare_persistent(c->db, csql[id], &s);
	if (r < 0) {
		*rc = fail(c, r, "statement index: prepare");
		return NULL;
	}
	c->stmts[id] = s;
	return s;
}

static int done(struct store_clusters *c, struct db_stmt *s, const char *what)
{
	int rc = db_step(s);

	db_reset(s);
	return rc < 0 ? fail(c, rc, what) : 0;
}

/* Runs statement id with post_id as its one parameter. */
static int run_id(struct store_clusters *c, enum cstmt id, int64_t post_id,
                  const char *what)
{
	struct db_stmt *s;
	int rc = 0;

	s = get(c, id, &rc);
	if (!s)
		return rc;
	db_bind_int64(s, 1, post_id);
	return done(c, s, what);
}

/* The one integer statement id returns for post_id: 1 with *out, 0 when no
 * row, or a negative errno. */
static int query_id(struct store_clusters *c, enum cstmt id, int64_t post_id,
                    int64_t *out)
{
	struct db_stmt *s;
	int rc = 0;

	s = get(c, id, &rc);
	if (!s)
		return rc;
	db_bind_int64(s, 1, post_id);
	rc = db_step(s);
	if (rc == DB_ROW)
		*out = db_column_int64(s, 0);
	db_reset(s);
	if (rc < 0)
		return fail(c, rc, "statement index: lookup");
	return rc == DB_ROW;
}

static int open_folding(struct store_clusters *c)
{
	char err[256];

	if (c->nz)
		return 0;
	/* Without OpenCC's tables Traditional and Simplified Chinese copies
	 * are not recognised as one; everything else is. */
	if (normalize_open(1, &c->nz, err, sizeof(err)) == 0 ||
	    normalize_open(0, &c->nz, err, sizeof(err)) == 0)
		return 0;
	snprintf(c->err, c->errlen, "statement index: %s", err);
	return -ENOMEM;
}

/* Fills k from the post's words and links.  0 or a negative errno. */
static int make_keys(struct store_clusters *c, const char *text,
                     const char *html, const char *url, struct post_keys *k)
{
	const char *quote;
	size_t len;
	int rc;

	rc = open_folding(c);
	if (rc < 0)
		return rc;
	text = text ? text : "";
	quote = strstr(text, QUOTE_MARK);
	len = quote ? (size_t)(quote - text) : strlen(text);
	rc = dedup_signature(c->nz, text, len, &c->scratch, &k->sig);
	if (rc == -E2BIG)
		rc = 0; /* a text of a megabyte is nobody's copy */
	if (rc < 0) {
		snprintf(c->err, c->errlen, "statement index: out of memory");
		return rc;
	}
	k->has_sig = rc == 1;
	k->n_links = dedup_links(html, text, url, k->links);
	k->own[0] = '\0';
	if (url && dedup_url_key(url, k->own, sizeof(k->own)) != 1)
		k->own[0] = '\0';
	return 0;
}

/* Binds the 20 bands of sig to ?1..?20. */
static void bind_bands(struct db_stmt *s, const struct dedup_sig *sig)
{
	int64_t bands[DEDUP_BANDS];
	int i;

	dedup_bands(sig, bands);
	for (i = 0; i < DEDUP_BANDS; i++)
		db_bind_int64(s, i + 1, bands[i]);
}

/* Writes the signature and bands of k.  0 or a negative errno. */
static int write_signature(struct store_clusters *c, const struct post_keys *k)
{
	char hex[DEDUP_HEX_LEN + 1];
	struct db_stmt *s;
	int rc = 0;

	s = get(c, C_SIG_INSERT, &rc);
	if (!s)
		return rc;
	dedup_sig_hex(&k->sig, hex);
	db_bind_int64(s, 1, k->id);
	db_bind_text(s, 2, hex);
	db_bind_int64(s, 3, k->time);
	rc = done(c, s, "statement index: signature");
	if (rc < 0)
		return rc;
	s = get(c, C_BAND_INSERT, &rc);
	if (!s)
		return rc;
	bind_bands(s, &k->sig);
	db_bind_int64(s, 21, k->time);
	db_bind_int64(s, 22, k->id);
	return done(c, s, "statement index: bands");
}

/* Writes the index rows of k.  0 or a negative errno. */
static int write_keys(struct store_clusters *c, const struct post_keys *k)
{
	struct db_stmt *s;
	size_t i;
	int rc = 0;

	if (k->has_sig)
		rc = write_signature(c, k);
	for (i = 0; rc == 0 && i <= k->n_links; i++) {
		const char *key = i < k->n_links ? k->links[i] : k->own;

		if (!key[0])
			continue;
		s = get(c, C_LINK_INSERT, &rc);
		if (!s)
			return rc;
		db_bind_text(s, 1, key);
		db_bind_int64(s, 2, k->time);
		db_bind_int64(s, 3, k->id);
		db_bind_int64(s, 4, i == k->n_links);
		rc = done(c, s, "statement index: link");
	}
	return rc;
}

/* The candidates sharing a band with k, each once, in ids and times;
 * returns how many or a negative errno. */
static int candidates(struct store_clusters *c, const struct post_keys *k,
                      int64_t *ids, int64_t *times)
{
	struct db_stmt *s;
	int rc = 0, n = 0, i;

	s = get(c, C_CANDIDATES, &rc);
	if (!s)
		return rc;
	bind_bands(s, &k->sig);
	db_bind_int64(s, 21, k->time - STORE_CLUSTERS_WINDOW);
	db_bind_int64(s, 22, k->time + STORE_CLUSTERS_WINDOW);
	db_bind_int64(s, 23, k->id);
	while ((rc = db_step(s)) == DB_ROW && n < CLUSTERS_CANDIDATES_N) {
		int64_t id = db_column_int64(s, 0);

		for (i = 0; i < n && ids[i] != id; i++)
			;
		if (i < n)
			continue;
		ids[n] = id;
		times[n++] = db_column_int64(s, 1);
	}
	db_reset(s);
	if (rc < 0)
		return fail(c, rc, "statement index: candidates");
	return n;
}

/* The similarity of k to post id's stored signature, or -1 when it has
 * none (or one not written by this module); -2 on a failure. */
static double similarity_to(struct store_clusters *c, const struct post_keys *k,
                            int64_t id)
{
	struct dedup_sig other;
	struct db_stmt *s;
	double sim = -1;
	int rc = 0;

	s = get(c, C_OLD_SIG, &rc);
	if (!s)
		return -2;
	db_bind_int64(s, 1, id);
	rc = db_step(s);
	if (rc == DB_ROW && dedup_sig_parse(db_column_text(s, 0), &other) == 0)
		sim = dedup_similarity(&k->sig, &other);
	db_reset(s);
	if (rc < 0) {
		fail(c, rc, "statement index: signature");
		return -2;
	}
	return sim;
}

/* The most similar post sharing a band with k (the earliest of equals):
 * 1 with *m, 0, or a negative errno. */
static int match_text(struct store_clusters *c, const struct post_keys *k,
                      struct match *m)
{
	int64_t ids[CLUSTERS_CANDIDATES_N], times[CLUSTERS_CANDIDATES_N];
	int n, i, found = 0;

	if (!k->has_sig)
		return 0;
	n = candidates(c, k, ids, times);
	for (i = 0; i < n; i++) {
		double sim = similarity_to(c, k, ids[i]);

		if (sim < -1.5)
			return -EIO;
		if (sim < DEDUP_THRESHOLD)
			continue;
		if (found && (sim < m->similarity ||
		              (sim == m->similarity &&
		               (times[i] > m->time ||
		                (times[i] == m->time && ids[i] > m->id)))))
			continue;
		*m = (struct match){ids[i], times[i], sim, "text"};
		found = 1;
	}
	return n < 0 ? n : found;
}

/* The earliest post linking a page k links or is, or linking k's own
 * page: 1 with *m, 0, or a negative errno. */
static int match_links(struct store_clusters *c, const struct post_keys *k,
                       struct match *m)
{
	struct db_stmt *s;
	size_t i;
	int rc = 0;

	if (k->n_links == 0 && !k->own[0])
		return 0;
	s = get(c, C_LINK_MATCH, &rc);
	if (!s)
		return rc;
	db_bind_int64(s, 1, k->time - STORE_CLUSTERS_WINDOW);
	db_bind_int64(s, 2, k->time + STORE_CLUSTERS_WINDOW);
	db_bind_int64(s, 3, k->id);
	for (i = 0; i < DEDUP_MAX_LINKS; i++)
		db_bind_text(s, (int)i + 4,
		             i < k->n_links ? k->links[i] : NULL);
	db_bind_text(s, 8, k->own[0] ? k->own : NULL);
	rc = db_step(s);
	if (rc == DB_ROW)
		*m = (struct match){db_column_int64(s, 0),
		                    db_column_int64(s, 1), 1.0, "url"};
	db_reset(s);
	if (rc < 0)
		return fail(c, rc, "statement index: links");
	return rc == DB_ROW;
}

/* Makes copy a copy of root: copy's own copies move along, then its row
 * names root.  0 or a negative errno. */
static int attach(struct store_clusters *c, int64_t copy, int64_t root,
                  const struct match *m, int64_t now)
{
	struct db_stmt *s;
	int rc = 0;

	s = get(c, C_MOVE, &rc);
	if (!s)
		return rc;
	db_bind_int64(s, 1, copy);
	db_bind_int64(s, 2, root);
	rc = done(c, s, "statement index: move copies");
	if (rc < 0)
		return rc;
	s = get(c, C_ATTACH, &rc);
	if (!s)
		return rc;
	db_bind_int64(s, 1, copy);
	db_bind_int64(s, 2, root);
	db_bind_double(s, 3, m->similarity);
	db_bind_text(s, 4, m->reason);
	db_bind_int64(s, 5, now);
	return done(c, s, "statement index: copy");
}

/* Joins k's post to the statement of match m.  1 or a negative errno. */
static int join(struct store_clusters *c, const struct post_keys *k,
                const struct match *m, int64_t now)
{
	int64_t root = m->id, root_time = m->time;
	int rc;

	rc = query_id(c, C_ROOT, m->id, &root);
	if (rc < 0)
		return rc;
	if (root == k->id)
		return 1; /* an edited root matching one of its copies */
	if (root != m->id) {
		rc = query_id(c, C_TIME, root, &root_time);
		if (rc < 0)
			return rc;
	}
	if (k->time < root_time)
		rc = attach(c, root, k->id, m, now);
	else
		rc = attach(c, k->id, root, m, now);
	return rc < 0 ? rc : 1;
}

/* The bands of post_id's stored signature: 1 with *sig and *time, 0 when
 * it has none, or a negative errno. */
static int old_signature(struct store_clusters *c, int64_t post_id,
                         struct dedup_sig *sig, int64_t *time)
{
	struct db_stmt *s;
	int rc = 0;

	s = get(c, C_OLD_SIG, &rc);
	if (!s)
		return rc;
	db_bind_int64(s, 1, post_id);
	rc = db_step(s);
	if (rc == DB_ROW) {
		*time = db_column_int64(s, 1);
		rc = dedup_sig_parse(db_column_text(s, 0), sig) == 0;
	}
	db_reset(s);
	return rc < 0 ? fail(c, rc, "statement index: signature") : rc;
}

/* Forgets what an edited post was matched by and what it was a copy of. */
static int forget(struct store_clusters *c, int64_t post_id)
{
	static const enum cstmt ids[] = {C_FORGET_SIG, C_FORGET_LINKS,
	                                 C_FORGET_ROW};
	struct dedup_sig sig;
	struct db_stmt *s;
	int64_t time = 0;
	size_t i;
	int rc;

	rc = old_signature(c, post_id, &sig, &time);
	if (rc > 0) {
		s = get(c, C_FORGET_BANDS, &rc);
		if (!s)
			return rc;
		bind_bands(s, &sig);
		db_bind_int64(s, 21, time);
		db_bind_int64(s, 22, post_id);
		rc = done(c, s, "statement index: forget bands");
	}
	for (i = 0; rc == 0 && i < sizeof(ids) / sizeof(ids[0]); i++)
		rc = run_id(c, ids[i], post_id, "statement index: forget");
	return rc;
}

int store_clusters_post(struct store_clusters *c, int64_t post_id,
                        const char *text, const char *html, const char *url,
                        bool edited, int64_t now)
{
	struct post_keys k;
	struct match m;
	int rc;

	memset(&k, 0, sizeof(k));
	k.id = post_id;
	if (edited) {
		rc = forget(c, post_id);
		if (rc < 0)
			return rc;
	}
	rc = query_id(c, C_TIME, post_id, &k.time);
	if (rc <= 0)
		return rc;
	rc = make_keys(c, text, html, url, &k);
	if (rc == 0)
		rc = write_keys(c, &k);
	if (rc < 0)
		return rc;
	rc = match_text(c, &k, &m);
	if (rc == 0)
		rc = match_links(c, &k, &m);
	if (rc <= 0)
		return rc;
	return join(c, &k, &m, now);
}

/* ---- migration 14: the posts already stored ------------------------- */

/* One post read for indexing. */
struct stored_post {
	int64_t id, time;
	char *text, *html, *url;
};

static void stored_posts_free(struct stored_post *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(p[i].text);
		free(p[i].html);
		free(p[i].url);
	}
}

/* Reads the next batch of posts after (*time, *id), oldest first, into p.
 * Returns how many, or a negative errno. */
static int read_batch(struct store *st, struct db_stmt *s, int64_t time,
                      int64_t id, struct stored_post *p)
{
	int n = 0, rc;

	db_reset(s);
	db_bind_int64(s, 1, time);
	db_bind_int64(s, 2, id);
	while ((rc = db_step(s)) == DB_ROW) {
		struct stored_post *q = &p[n];

		memset(q, 0, sizeof(*q));
		q->id = db_column_int64(s, 0);
		q->time = db_column_int64(s, 1);
		n++;
		if (store_dup_column(s, 2, &q->text) < 0 ||
		    store_dup_column(s, 3, &q->html) < 0 ||
		    store_dup_column(s, 4, &q->url) < 0) {
			stored_posts_free(p, (size_t)n);
			store_set_err(st, "out of memory");
			db_reset(s);
			return -ENOMEM;
		}
	}
	db_reset(s);
	if (rc < 0) {
		stored_posts_free(p, (size_t)n);
		return store_fail_db(st, rc, "indexing statements");
	}
	return n;
}

static int index_all(struct store *st, struct store_clusters *c,
                     struct db_stmt *s, int64_t total)
{
	struct stored_post *batch;
	struct progress pr;
	int64_t time = INT64_MIN, id = 0, n_done = 0, now = util_now();
	int n, i, rc = 0;

	batch = calloc(CLUSTERS_BATCH, sizeof(*batch));
	if (!batch) {
		store_set_err(st, "out of memory");
		return -ENOMEM;
	}
	progress_start(&pr, stderr, "statement index", "posts", total);
	while (rc == 0 && (n = read_batch(st, s, time, id, batch)) > 0) {
		for (i = 0; rc == 0 && i < n; i++)
			rc = store_clusters_post(c, batch[i].id, batch[i].text,
			                         batch[i].html, batch[i].url,
			                         false, now);
		time = batch[n - 1].time;
		id = batch[n - 1].id;
		stored_posts_free(batch, (size_t)n);
		n_done += n;
		progress_update(&pr, n_done);
		if (rc > 0)
			rc = 0;
	}
	if (rc == 0 && n < 0)
		rc = n;
	progress_end(&pr);
	free(batch);
	return rc;
}

int store_clusters_after_migration(struct store *st, int version)
{
	struct store_clusters *c;
	struct db_stmt *s = NULL, *cnt = NULL;
	int64_t total = 0;
	int rc;

	if (version != CLUSTERS_SCHEMA)
		return 0;
	rc = store_prepare(st, "SELECT count(*) FROM posts", &cnt);
	if (rc == 0 && db_step(cnt) == DB_ROW)
		total = db_column_int64(cnt, 0);
	db_finalize(cnt);
	if (rc < 0 || total == 0)
		return rc;
	rc = store_prepare(st,
	                   "SELECT id, report_time, text, html, url FROM posts"
	                   " WHERE report_time > ?1 OR (report_time = ?1 AND"
	                   " id > ?2) ORDER BY report_time, id"
	                   " LIMIT " CLUSTERS_BATCH_SQL,
	                   &s);
	if (rc < 0)
		return rc;
	c = store_clusters_new(store_conn(st), st->errmsg, sizeof(st->errmsg));
	if (!c) {
		db_finalize(s);
		store_set_err(st, "out of memory");
		return -ENOMEM;
	}
	rc = index_all(st, c, s, total);
	store_clusters_free(c);
	db_finalize(s);
	return rc;
}
