/*
 * store_narratives.c — narratives in the log (store_narratives.h): the
 * matches of each post written, the alerts they file, the rescan of the
 * stored posts when a narrative is new or changed, and the alert queue
 * the sender works through.  Statements count statements, not copies:
 * a post that post_clusters names a copy of an earlier one counts as its
 * cluster (COALESCE(c.cluster_id, p.id)).
 */
#include "store_narratives.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "category.h"
#include "narrative_match.h"
#include "store_int.h"
#include "util.h"

#define DAY_SECONDS  86400
#define TRAILING     28 /* days of the spike's mean */
#define BROAD_MIN    30 /* posts before "matches a third" is said */
#define RESCAN_BATCH 500

/* The narratives in force on a store. */
struct store_narratives {
	const struct config *cfg;    /* borrowed */
	struct narrative_matcher *m; /* borrowed */
	struct narrative_hit *hits;  /* room for every narrative */
	bool *rescan;                /* per narrative: waiting for one */
	char (*hash)[65];            /* per narrative: its definition */
	int *category;               /* per narrative: index or -1 */
	size_t n;                    /* narratives */
};

/* The statements of a post's matches and alerts, prepared on first use
 * and kept on the store (narr_stmts). */
static const char *const narr_sql[NARR_STMT_COUNT] = {
    [STMT_NARR_INSERT] = "INSERT INTO post_narratives (post_id, narrative,"
                         " term, matched_at) VALUES (?1, ?2, ?3, ?4)"
                         " ON CONFLICT (post_id, narrative) DO NOTHING",
    [STMT_NARR_DELETE] = "DELETE FROM post_narratives WHERE post_id = ?1",
    /* An earlier (or as early) post of the account that states it. */
    [STMT_NARR_USED] = "SELECT 1 FROM post_narratives n JOIN posts p"
                       " ON p.id = n.post_id WHERE n.narrative = ?1"
                       " AND p.account_id = ?2 AND p.id <> ?3"
                       " AND p.report_time <= ?4 LIMIT 1",
    [STMT_CAT_USED] = "SELECT 1 FROM post_categories WHERE category = ?1"
                      " AND account_id = ?2 AND post_id <> ?3"
                      " AND report_time <= ?4 LIMIT 1",
    [STMT_NARR_COUNT] = "SELECT count(DISTINCT COALESCE(c.cluster_id, p.id))"
                        " FROM post_narratives n JOIN posts p"
                        " ON p.id = n.post_id LEFT JOIN post_clusters c"
                        " ON c.post_id = p.id WHERE n.narrative = ?1"
                        " AND p.report_time >= ?2 AND p.report_time < ?3",
    [STMT_CAT_COUNT] = "SELECT count(DISTINCT COALESCE(c.cluster_id,"
                       " k.post_id)) FROM post_categories k"
                       " LEFT JOIN post_clusters c ON c.post_id = k.post_id"
                       " WHERE k.category = ?1 AND k.report_time >= ?2"
                       " AND k.report_time < ?3",
    [STMT_ALERT_INSERT] =
        "INSERT INTO narrative_alerts (dedup, kind, narrative, post_id, day,"
        " day_count, mean, created, status, next_try) VALUES (?1, ?2, ?3,"
        " ?4, ?5, ?6, ?7, ?8, 'pending', ?8) ON CONFLICT (dedup) DO NOTHING",
    [STMT_CAT_HAS] = "SELECT 1 FROM post_categories WHERE post_id = ?1"
                     " AND category = ?2",
};

static struct db_stmt *narr_stmt(struct store *st, enum narr_stmt_id id,
                                 int *rc)
{
	struct db_stmt *s = st->narr_stmts[id];
	int src;

	if (s) {
		db_reset(s);
		db_clear_bindings(s);
		return s;
	}
	src = db_prepare_persistent(st->db, narr_sql[id], &s);
	if (src < 0) {
		*rc = store_fail_db(st, src, "prepare");
		return NULL;
	}
	st->narr_stmts[id] = s;
	return s;
}

void store_narratives_close(struct store *st)
{
	size_t i;

	for (i = 0; i < NARR_STMT_COUNT; i++)
		db_finalize(st->narr_stmts[i]);
	store_narratives_free(st);
}

void store_narratives_free(struct store *st)
{
	struct store_narratives *nv = st->narr;

	if (!nv)
		return;
	free(nv->hits);
	free(nv->rescan);
	free(nv->hash);
	free(nv->category);
	free(nv);
	st->narr = NULL;
}

struct narrative_matcher *store_narratives_matcher(const struct config *cfg,
                                                   char *err, size_t errlen)
{
	struct narrative_def *defs;
	struct narrative_matcher *m = NULL;
	size_t i;

	defs = calloc(cfg->n_narratives ? cfg->n_narratives : 1, sizeof(*defs));
	if (!defs) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	for (i = 0; i < cfg->n_narratives; i++) {
		const struct config_narrative *n = &cfg->narratives[i];

		defs[i].key = n->key;
		defs[i].terms = (const char *const *)n->terms;
		defs[i].n_terms = n->n_terms;
		defs[i].category =
		    n->category ? category_index(n->category) : -1;
	}
	if (narrative_matcher_new(defs, cfg->n_narratives, &m, err, errlen) < 0)
		m = NULL;
	free(defs);
	return m;
}

/* Runs sql with text ?1 and an optional text ?2 (NULL: not bound). */
static int exec_text(struct store *st, const char *sql, const char *a,
                     const char *b, const char *what)
{
	struct db_stmt *s = NULL;
	int rc = store_prepare(st, sql, &s);

	if (rc < 0)
		return rc;
	store_bind_text(s, 1, a);
	if (b)
		store_bind_text(s, 2, b);
	rc = store_stmt_done(st, s, what);
	db_finalize(s);
	return rc;
}

/* Brings one narrative's row in line; returns 1 when it waits for a
 * rescan, 0 when its matches are whole, or a negative errno. */
static int sync_one(struct store *st, const struct config_narrative *n,
                    const char *def, const char *hash, int64_t now)
{
	struct db_stmt *s = NULL;
	char *had = NULL, *applied = NULL;
	int rc;

	rc = store_prepare(st,
	                   "INSERT INTO narratives (narrative, name,"
	                   " definition, definition_hash, applied_hash,"
	                   " updated) VALUES (?1, ?2, ?3, ?4, NULL, ?5)"
	                   " ON CONFLICT (narrative) DO NOTHING",
	                   &s);
	if (rc < 0)
		return rc;
	store_bind_text(s, 1, n->key);
	store_bind_text(s, 2, n->name);
	store_bind_text(s, 3, def);
	store_bind_text(s, 4, hash);
	db_bind_int64(s, 5, now);
	rc = store_stmt_done(st, s, "narrative insert");
	db_finalize(s);
	if (rc < 0 || db_changes(store_conn(st)) > 0)
		return rc < 0 ? rc : 1;
	rc = store_prepare(st,
	                   "SELECT definition_hash, applied_hash FROM"
	                   " narratives WHERE narrative = ?1",
	                   &s);
	if (rc < 0)
		return rc;
	store_bind_text(s, 1, n->key);
	rc = db_step(s);
	if (rc == DB_ROW) {
		rc = store_dup_column(s, 0, &had);
		if (rc == 0)
			rc = store_dup_column(s, 1, &applied);
	} else if (rc < 0) {
		rc = store_fail_db(st, rc, "narrative lookup");
	}
	db_finalize(s);
	if (rc < 0)
		goto out_free_hashes;
	if (had && strcmp(had, hash) == 0) {
		rc =
		    exec_text(st,
		              "UPDATE narratives SET name = ?2 WHERE"
		              " narrative = ?1",
		              n->key, n->name ? n->name : "", "narrative name");
		if (rc == 0 && !n->name)
			rc = exec_text(st,
			               "UPDATE narratives SET name = NULL"
			               " WHERE narrative = ?1",
			               n->key, NULL, "narrative name");
		if (rc == 0)
			rc = !applied || strcmp(applied, hash) != 0;
		goto out_free_hashes;
	}
	/* A changed definition: its old matches go, the new ones come
	 * from the rescan. */
	rc = store_prepare(st,
	                   "UPDATE narratives SET name = ?2, definition = ?3,"
	                   " definition_hash = ?4, applied_hash = NULL,"
	                   " updated = ?5 WHERE narrative = ?1",
	                   &s);
	if (rc == 0) {
		store_bind_text(s, 1, n->key);
		store_bind_text(s, 2, n->name);
		store_bind_text(s, 3, def);
		store_bind_text(s, 4, hash);
		db_bind_int64(s, 5, now);
		rc = store_stmt_done(st, s, "narrative update");
		db_finalize(s);
	}
	if (rc == 0)
		rc = exec_text(st,
		               "DELETE FROM post_narratives WHERE narrative ="
		               " ?1",
		               n->key, NULL, "narrative matches");
	if (rc == 0)
		rc = 1;
out_free_hashes:
	free(had);
	free(applied);
	return rc;
}

static int alloc_narratives(struct store *st, const struct config *cfg,
                            struct narrative_matcher *m)
{
	struct store_narratives *nv = calloc(1, sizeof(*nv));
	size_t n = cfg ? cfg->n_narratives : 0, i;

	if (!nv)
		return -ENOMEM;
	st->narr = nv;
	nv->cfg = cfg;
	nv->m = m;
	nv->n = n;
	nv->hits = calloc(n ? n : 1, sizeof(*nv->hits));
	nv->rescan = calloc(n ? n : 1, sizeof(*nv->rescan));
	nv->hash = calloc(n ? n : 1, sizeof(*nv->hash));
	nv->category = calloc(n ? n : 1, sizeof(*nv->category));
	if (!nv->hits || !nv->rescan || !nv->hash || !nv->category)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		const char *c = cfg->narratives[i].category;

		nv->category[i] = c ? category_index(c) : -1;
	}
	return 0;
}

int store_narratives_set(struct store *st, const struct config *cfg,
                         struct narrative_matcher *m, int64_t now)
{
	struct store_narratives *nv;
	size_t i;
	int rc, waiting = 0;

	store_narratives_free(st);
	rc = alloc_narratives(st, cfg, m);
	if (rc < 0) {
		store_narratives_free(st);
		store_set_err(st, "out of memory");
		return rc;
	}
	nv = st->narr;
	if (nv->n == 0)
		return 0;
	rc = db_begin(st->db);
	if (rc < 0)
		return store_fail_db(st, rc, "narratives");
	for (i = 0; rc >= 0 && i < nv->n; i++) {
		char *def = NULL;

		rc = config_narrative_definition(&cfg->narratives[i], &def,
		                                 nv->hash[i]);
		if (rc < 0) {
			store_set_err(st, "out of memory");
			break;
		}
		rc = sync_one(st, &cfg->narratives[i], def, nv->hash[i], now);
		free(def);
		if (rc > 0) {
			nv->rescan[i] = true;
			waiting++;
		}
	}
	if (rc >= 0)
		rc = db_commit(st->db);
	if (rc < 0) {
		db_rollback(st->db);
		return rc;
	}
	return waiting;
}

int store_narratives_reset(struct store *st)
{
	struct store_narratives *nv = st->narr;
	size_t i;
	int rc = 0;

	if (!nv)
		return 0;
	for (i = 0; rc == 0 && i < nv->n; i++) {
		rc = exec_text(st,
		               "UPDATE narratives SET applied_hash = NULL"
		               " WHERE narrative = ?1",
		               nv->cfg->narratives[i].key, NULL, "narrative");
		nv->rescan[i] = true;
	}
	return rc;
}

/* ---- writing matches and alerts -------------------------------------- */

static int insert_match(struct store *st, int64_t post_id, const char *key,
                        const char *term, int64_t now)
{
	struct db_stmt *s;
	int rc = 0;

	s = narr_stmt(st, STMT_NARR_INSERT, &rc);
	if (!s)
		return rc;
	db_bind_int64(s, 1, post_id);
	store_bind_text(s, 2, key);
	store_bind_text(s, 3, term);
	db_bind_int64(s, 4, now);
	return store_stmt_done(st, s, "narrative match");
}

/* Whether the account used narrative (or category, when cat) before
 * this post: 1, 0, or a negative errno. */
static int used_before(struct store *st, const char *key, bool cat,
                       const struct store_narr_post *p)
{
	struct db_stmt *s;
	int rc = 0;

	s = narr_stmt(st, cat ? STMT_CAT_USED : STMT_NARR_USED, &rc);
	if (!s)
		return rc;
	store_bind_text(s, 1, key);
	db_bind_int64(s, 2, p->account_id);
	db_bind_int64(s, 3, p->post_id);
	db_bind_int64(s, 4, p->report_time);
	rc = db_step(s);
	db_reset(s);
	if (rc < 0)
		return store_fail_db(st, rc, "first use");
	return rc == DB_ROW;
}

/* Statements of narrative (or category) in [from, to). */
static int count_statements(struct store *st, const char *key, bool cat,
                            int64_t from, int64_t to, int64_t *n)
{
	struct db_stmt *s;
	int rc = 0;

	s = narr_stmt(st, cat ? STMT_CAT_COUNT : STMT_NARR_COUNT, &rc);
	if (!s)
		return rc;
	store_bind_text(s, 1, key);
	db_bind_int64(s, 2, from);
	db_bind_int64(s, 3, to);
	rc = db_step(s);
	*n = rc == DB_ROW ? db_column_int64(s, 0) : 0;
	db_reset(s);
	return rc < 0 ? store_fail_db(st, rc, "narrative count") : 0;
}

struct alert_row {
	const char *kind;      /* first | spike */
	const char *narrative; /* key or category:KEY */
	int64_t post_id;
	const char *day;   /* or NULL */
	int64_t day_count; /* spike */
	double mean;       /* spike */
};

static int insert_alert(struct store *st, const struct alert_row *a,
                        int64_t now)
{
	struct db_stmt *s;
	struct buf dedup = {0};
	int rc = 0;

	if (a->day)
		buf_printf(&dedup, "%s:%s:%s", a->kind, a->narrative, a->day);
	else
		buf_printf(&dedup, "%s:%s:%" PRId64, a->kind, a->narrative,
		           a->post_id);
	if (!dedup.data) {
		store_set_err(st, "out of memory");
		return -ENOMEM;
	}
	s = narr_stmt(st, STMT_ALERT_INSERT, &rc);
	if (s) {
		store_bind_text(s, 1, dedup.data);
		store_bind_text(s, 2, a->kind);
		store_bind_text(s, 3, a->narrative);
		db_bind_int64(s, 4, a->post_id);
		store_bind_text(s, 5, a->day);
		if (a->day) {
			db_bind_int64(s, 6, a->day_count);
			db_bind_double(s, 7, a->mean);
		} else {
			db_bind_null(s, 6);
			db_bind_null(s, 7);
		}
		db_bind_int64(s, 8, now);
		rc = store_stmt_done(st, s, "alert");
	}
	buf_free(&dedup);
	return rc;
}

/* Files the alert of one narrative or category the post states. */
static int check_alert(struct store *st, const char *key, bool cat,
                       enum config_alert mode, const struct store_narr_post *p,
                       int64_t now)
{
	const struct config_report *r = &st->narr->cfg->report;
	struct alert_row a = {0};
	char name[200], day[16];
	int64_t d0, n_day, n_prev;
	struct tm tm;
	time_t tt;
	int rc;

	snprintf(name, sizeof(name), "%s%s", cat ? "category:" : "", key);
	a.narrative = name;
	a.post_id = p->post_id;
	if (mode == CONFIG_ALERT_FIRST) {
		rc = used_before(st, key, cat, p);
		if (rc != 0)
			return rc < 0 ? rc : 0;
		a.kind = "first";
		return insert_alert(st, &a, now);
	}
	d0 = p->report_time -
	     (p->report_time % DAY_SECONDS + DAY_SECONDS) % DAY_SECONDS;
	rc = count_statements(st, key, cat, d0, d0 + DAY_SECONDS, &n_day);
	if (rc == 0)
		rc = count_statements(st, key, cat, d0 - TRAILING * DAY_SECONDS,
		                      d0, &n_prev);
	if (rc < 0)
		return rc;
	a.mean = (double)n_prev / TRAILING;
	if (n_day < r->spike_min || (double)n_day <= r->spike_factor * a.mean)
		return 0;
	tt = (time_t)d0;
	gmtime_r(&tt, &tm);
	strftime(day, sizeof(day), "%Y-%m-%d", &tm);
	a.kind = "spike";
	a.day = day;
	a.day_count = n_day;
	return insert_alert(st, &a, now);
}

static bool fresh(const struct config *cfg, const struct store_narr_post *p,
                  int64_t now)
{
	int64_t w = cfg->report.alert_window;

	return p->is_new && p->published != TIME_UNKNOWN &&
	       p->published >= now - w && p->published <= now + w;
}

static int category_alerts(struct store *st, const struct store_narr_post *p,
                           int64_t now)
{
	const struct config_report *r = &st->narr->cfg->report;
	size_t i;
	int rc = 0, c;

	for (i = 0; rc == 0 && i < r->n_alert_categories; i++) {
		c = category_index(r->alert_categories[i].category);
		if (c < 0 || !(p->categories & (1u << (unsigned)c)))
			continue;
		rc = check_alert(st, r->alert_categories[i].category, true,
		                 r->alert_categories[i].alert, p, now);
	}
	return rc;
}

/* The narratives the post states into nv->hits: its title (when the text
 * does not hold it) and text, as the classifier reads a post. */
static int match_text(struct store_narratives *nv, const char *title,
                      const char *text, unsigned categories)
{
	struct buf b = {0};
	int n;

	if (!text)
		text = "";
	if (!title || !*title || strstr(text, title))
		return narrative_matcher_match(nv->m, text, strlen(text),
		                               categories, nv->hits);
	if (buf_printf(&b, "%s\n%s", title, text) < 0) {
		buf_free(&b);
		return -ENOMEM;
	}
	n = narrative_matcher_match(nv->m, b.data, b.len, categories, nv->hits);
	buf_free(&b);
	return n;
}

int store_narratives_post(struct store *st, const struct store_narr_post *p,
                          int64_t now)
{
	struct store_narratives *nv = st->narr;
	struct db_stmt *s;
	int i, n, rc = 0;

	if (!nv || !nv->cfg || nv->n == 0)
		return 0;
	if (!p->is_new) {
		s = narr_stmt(st, STMT_NARR_DELETE, &rc);
		if (!s)
			return rc;
		db_bind_int64(s, 1, p->post_id);
		rc = store_stmt_done(st, s, "narrative matches");
		if (rc < 0)
			return rc;
	}
	if (p->hits_by && p->hits_by == nv->m) {
		n = (int)p->n_hits;
		memcpy(nv->hits, p->hits, p->n_hits * sizeof(*p->hits));
	} else {
		n = match_text(nv, p->title, p->text, p->categories);
	}
	if (n < 0)
		n = 0; /* a text too long to fold states nothing */
	for (i = 0; rc == 0 && i < n; i++) {
		const struct config_narrative *c =
		    &nv->cfg->narratives[nv->hits[i].narrative];

		rc = insert_match(st, p->post_id, c->key,
		                  c->terms[nv->hits[i].term], now);
	}
	if (rc < 0 || !fresh(nv->cfg, p, now))
		return rc;
	for (i = 0; rc == 0 && i < n; i++) {
		const struct config_narrative *c =
		    &nv->cfg->narratives[nv->hits[i].narrative];

		if (c->alert != CONFIG_ALERT_OFF)
			rc = check_alert(st, c->key, false, c->alert, p, now);
	}
	if (rc == 0)
		rc = category_alerts(st, p, now);
	return rc;
}

/* ---- the rescan -------------------------------------------------------- */

/* Whether post_id has category c (an index). */
static int has_category(struct store *st, int64_t post_id, int c)
{
	struct db_stmt *s;
	int rc = 0;

	s = narr_stmt(st, STMT_CAT_HAS, &rc);
	if (!s)
		return rc;
	db_bind_int64(s, 1, post_id);
	store_bind_text(s, 2, category_key(c));
	rc = db_step(s);
	db_reset(s);
	if (rc < 0)
		return store_fail_db(st, rc, "post category");
	return rc == DB_ROW;
}

static int rescan_post(struct store *st, int64_t id, const char *title,
                       const char *text, int64_t now, int64_t *matched)
{
	struct store_narratives *nv = st->narr;
	int i, n, rc = 0;

	n = match_text(nv, title, text, ~0u);
	for (i = 0; rc >= 0 && i < n; i++) {
		size_t k = nv->hits[i].narrative;
		const struct config_narrative *c = &nv->cfg->narratives[k];

		if (!nv->rescan[k])
			continue;
		if (nv->category[k] >= 0) {
			rc = has_category(st, id, nv->category[k]);
			if (rc <= 0)
				continue;
		}
		rc = insert_match(st, id, c->key, c->terms[nv->hits[i].term],
		                  now);
		*matched += rc == 0;
	}
	return rc < 0 ? rc : 0;
}

/* Marks the narratives that were rescanned as applied. */
static int rescan_done(struct store *st)
{
	struct store_narratives *nv = st->narr;
	size_t i;
	int rc = 0;

	for (i = 0; rc == 0 && i < nv->n; i++) {
		if (!nv->rescan[i])
			continue;
		rc = exec_text(st,
		               "UPDATE narratives SET applied_hash = ?2"
		               " WHERE narrative = ?1 AND definition_hash = ?2",
		               nv->cfg->narratives[i].key, nv->hash[i],
		               "narrative applied");
		nv->rescan[i] = false;
	}
	return rc;
}

int store_narratives_rescan_batch(struct store *st, int64_t *cursor, int batch,
                                  int64_t *matched)
{
	struct store_narratives *nv = st->narr;
	struct db_stmt *s = NULL;
	int64_t now = util_now();
	size_t i, any = 0;
	int rc, read = 0;

	if (!nv)
		return 0;
	for (i = 0; i < nv->n; i++)
		any += nv->rescan[i];
	if (!any)
		return 0;
	rc = db_begin(st->db);
	if (rc < 0)
		return store_fail_db(st, rc, "rescan");
	rc = store_prepare(st,
	                   "SELECT id, title, text FROM posts WHERE id > ?1"
	                   " ORDER BY id LIMIT ?2",
	                   &s);
	if (rc < 0)
		goto out_rollback;
	db_bind_int64(s, 1, *cursor);
	db_bind_int64(s, 2, batch > 0 ? batch : RESCAN_BATCH);
	while (rc >= 0 && (rc = db_step(s)) == DB_ROW) {
		*cursor = db_column_int64(s, 0);
		read++;
		rc = rescan_post(st, *cursor, db_column_text(s, 1),
		                 db_column_text(s, 2), now, matched);
	}
	db_finalize(s);
	if (rc < 0) {
		store_fail_db(st, rc, "rescan");
		goto out_rollback;
	}
	if (read == 0)
		rc = rescan_done(st);
	if (rc == 0)
		rc = db_commit(st->db);
	if (rc < 0)
		goto out_rollback;
	return read;
out_rollback:
	db_rollback(st->db);
	return rc;
}

int store_narratives_broad(struct store *st, store_broad_fn fn, void *arg)
{
	struct db_stmt *s = NULL;
	int64_t total = 0;
	int rc;

	rc = store_prepare(st, "SELECT count(*) FROM posts", &s);
	if (rc < 0)
		return rc;
	if (db_step(s) == DB_ROW)
		total = db_column_int64(s, 0);
	db_finalize(s);
	if (total < BROAD_MIN || !st->narr)
		return 0;
	rc = store_prepare(st,
	                   "SELECT narrative, count(*) FROM post_narratives"
	                   " GROUP BY narrative ORDER BY narrative",
	                   &s);
	if (rc < 0)
		return rc;
	while ((rc = db_step(s)) == DB_ROW) {
		int64_t n = db_column_int64(s, 1);

		if (n * 3 > total)
			fn(db_column_text(s, 0), n, total, arg);
	}
	db_finalize(s);
	return rc < 0 ? store_fail_db(st, rc, "narrative counts") : 0;
}
