/*
 * migrate.c — the copy behind `demarche migrate` (see migrate.h).  The
 * tables and their columns are listed here with a type letter each (i:
 * integer, r: real, t: text), which is how values are read from one
 * backend and bound on the other, whatever either backend would infer.
 * Tables go in foreign-key order.  A row's checksum is the SHA-256 of its
 * values in a canonical text form (integers in decimal, reals with 17
 * significant digits, NULL apart from every string); a table's checksum is
 * the sum of its rows', so it does not depend on the order rows come back
 * in, which differs between SQLite's and PostgreSQL's collations.
 */
#include "migrate.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "sha256.h"
#include "store.h"
#include "util.h"

/* One table as copied. */
struct table {
	const char *name;  /* SQL name */
	const char *cols;  /* its columns, comma-separated, as in SQL */
	const char *types; /* one letter per column: i, r or t */
	const char *order; /* ORDER BY of the copy (parents before children) */
	bool identity;     /* PostgreSQL: an id identity column to advance */
};

static const struct table tables[] = {
    {"accounts",
     "id, handle, name, role, country, created, created_platform,"
     " created_config, first_seen, last_seen, active",
     "ittttiiiiii", "id", true},
    {"feeds",
     "id, account_id, configured_url, url, kind, etag, last_modified,"
     " next_poll, consecutive_failures, failing_since, last_poll,"
     " last_success, last_error, last_error_at, disabled, active, added,"
     " lease_owner, lease_until, source",
     "iitttttiiiiitiiiitit", "id", true},
    {"posts",
     "id, account_id, feed_id, stable_key, url, title, text, html, author,"
     " lang, published, first_seen, report_time, updated, edited_seen,"
     " content_hash, edit_count, is_repost, rules_version, is_reply,"
     " deleted_seen, published_us, upstream_edited",
     "iiitttttttiiiiitiitiiii", "id", true},
    {"post_categories",
     "post_id, category, score, evidence, rules_version, classified_at,"
     " report_time, account_id",
     "itrttiii", "post_id", false},
    {"post_labels", "post_id, labels, labeller, labelled_at", "itti",
     "post_id, labeller", false},
    {"post_versions", "post_id, version, title, text, content_hash, seen",
     "iittti", "post_id, version", false},
    {"post_version_categories",
     "post_id, version, category, score, evidence, rules_version,"
     " classified_at",
     "iitrtti", "post_id, version, category", false},
    {"post_deletions",
     "id, post_id, feed_id, deleted_seen, returned_seen, confirmed, checked",
     "iiiiiii", "id", true},
    {"post_clusters", "post_id, cluster_id, similarity, reason, clustered_at",
     "iirti", "post_id", false},
    {"reposts",
     "post_id, actor, actor_name, actor_created, actor_followers,"
     " first_seen",
     "ittiii", "post_id, actor", false},
    {"post_metrics", "post_id, seen, views, reposts, likes, replies", "iiiiii",
     "post_id, seen", false},
    {"html_pages",
     "feed_id, url, etag, last_modified, first_fetched, last_fetched,"
     " status",
     "itttiii", "feed_id, url", false},
    {"post_signatures", "post_id, minhash, report_time", "iti", "post_id",
     false},
    {"post_bands", "band, report_time, post_id", "iii",
     "band, report_time, post_id", false},
    {"post_links", "link, report_time, post_id, own", "tiii",
     "link, report_time, post_id", false},
    {"narratives",
     "narrative, name, definition, definition_hash, applied_hash, updated",
     "ttttti", "narrative", false},
    {"post_narratives", "post_id, narrative, term, matched_at", "itti",
     "post_id, narrative", false},
    {"narrative_alerts",
     "id, dedup, kind, narrative, post_id, day, day_count, mean, created,"
     " status, channels_done, attempts, next_try, lease_owner, lease_until,"
     " finished, error",
     "itttitiritiiitiit", "id", true},
    {"account_snapshots",
     "id, account_id, observed, followers, following, posts_count", "iiiiii",
     "id", true},
    {"fetches",
     "id, feed_id, started, duration_ms, http_status, bytes, not_modified,"
     " new_posts, edited_posts, error, warning",
     "iiiiiiiiitt", "id", true},
    {"report_deliveries",
     "id, slot, period_from, period_to, status, attempts, finished, error",
     "iiiitiit", "id", true},
    {"candidates",
     "id, handle, name, marker, kind, first_seen, last_seen, refs,"
     " via_account_id, via_post_id",
     "ittttiiiii", "id", true},
};

#define PROGRESS_EVERY 1000

static const struct table *find_table(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(tables); i++)
		if (strcmp(tables[i].name, name) == 0)
			return &tables[i];
	return NULL;
}

static int fail(struct db *db, int rc, char *err, size_t errlen,
                const char *what, const char *table)
{
	snprintf(err, errlen, "%s %s: %s", what, table, db_errmsg(db));
	return rc < 0 ? rc : -EIO;
}

/* Adds column i of the current row to a row hash, canonically. */
static void hash_value(struct sha256_ctx *h, struct db_stmt *s, int i,
                       char type)
{
	char buf[48];
	const char *v;
	uint8_t tag;

	if (db_column_null(s, i)) {
		tag = 0;
		sha256_update(h, &tag, 1);
		return;
	}
	tag = (uint8_t)type;
	sha256_update(h, &tag, 1);
	if (type == 'i') {
		snprintf(buf, sizeof(buf), "%" PRId64, db_column_int64(s, i));
		v = buf;
	} else if (type == 'r') {
		snprintf(buf, sizeof(buf), "%.17g", db_column_double(s, i));
		v = buf;
	} else {
		v = db_column_text(s, i);
		if (!v)
			v = "";
	}
	/* Length first, so that ("ab","c") and ("a","bc") differ. */
	{
		uint64_t len = strlen(v);

		sha256_update(h, &len, sizeof(len));
		sha256_update(h, v, (size_t)len);
	}
}

static uint64_t row_hash(struct db_stmt *s, const struct table *t)
{
	struct sha256_ctx h;
	uint8_t d[SHA256_DIGEST_LEN];
	uint64_t v = 0;
	int i;

	sha256_init(&h);
	for (i = 0; t->types[i]; i++)
		hash_value(&h, s, i, t->types[i]);
	sha256_final(&h, d);
	for (i = 0; i < 8; i++)
		v = (v << 8) | d[i];
	return v;
}

static int select_all(struct db *db, const struct table *t,
                      struct db_stmt **out)
{
	char sql[1024];

	snprintf(sql, sizeof(sql), "SELECT %s FROM %s ORDER BY %s", t->cols,
	         t->name, t->order);
	return db_prepare(db, sql, out);
}

static int checksum(struct db *db, const struct table *t, int64_t *rows,
                    uint64_t *sum, char *err, size_t errlen)
{
	struct db_stmt *s = NULL;
	int rc;

	*rows = 0;
	*sum = 0;
	rc = select_all(db, t, &s);
	if (rc < 0)
		return fail(db, rc, err, errlen, "reading", t->name);
	while ((rc = db_step(s)) == DB_ROW) {
		*sum += row_hash(s, t);
		(*rows)++;
	}
	if (rc < 0)
		rc = fail(db, rc, err, errlen, "reading", t->name);
	db_finalize(s);
	return rc < 0 ? rc : 0;
}

int migrate_checksum(struct store *st, const char *table, int64_t *rows,
                     uint64_t *sum, char *err, size_t errlen)
{
	const struct table *t = find_table(table);

	if (!t) {
		snprintf(err, errlen, "no table %s", table);
		return -ENOENT;
	}
	return checksum(store_conn(st), t, rows, sum, err, errlen);
}

/* Binds column i of the source row to parameter i + 1 of the insert. */
static int bind_value(struct db_stmt *ins, struct db_stmt *s, int i, char type)
{
	if (db_column_null(s, i))
		return db_bind_null(ins, i + 1);
	if (type == 'i')
		return db_bind_int64(ins, i + 1, db_column_int64(s, i));
	if (type == 'r')
		return db_bind_double(ins, i + 1, db_column_double(s, i));
	return db_bind_text(ins, i + 1, db_column_text(s, i));
}

/* Where the copy stands, for the progress callback. */
struct copy_progress {
	migrate_progress_fn fn; /* or NULL */
	void *arg;              /* passed to fn */
	int64_t done;           /* rows of earlier tables copied */
	int64_t total;          /* rows in the source, or -1 */
};

static int copy_table(struct db *from, struct db *to, const struct table *t,
                      const struct copy_progress *cp, int64_t *rows, char *err,
                      size_t errlen)
{
	struct db_stmt *s = NULL, *ins = NULL;
	char sql[1024], params[256];
	size_t n = strlen(t->types), i, o = 0;
	int rc;

	*rows = 0;
	for (i = 0; i < n; i++)
		o += (size_t)snprintf(params + o, sizeof(params) - o, "%s?%zu",
		                      i ? ", " : "", i + 1);
	snprintf(sql, sizeof(sql), "INSERT INTO %s (%s) VALUES (%s)", t->name,
	         t->cols, params);
	rc = db_prepare(to, sql, &ins);
	if (rc < 0)
		return fail(to, rc, err, errlen, "preparing", t->name);
	rc = select_all(from, t, &s);
	if (rc < 0) {
		rc = fail(from, rc, err, errlen, "reading", t->name);
		goto out_finalize;
	}
	while ((rc = db_step(s)) == DB_ROW) {
		db_reset(ins);
		for (i = 0; i < n && rc >= 0; i++)
			rc = bind_value(ins, s, (int)i, t->types[i]);
		if (rc >= 0)
			rc = db_step(ins);
		if (rc < 0) {
			rc = fail(to, rc, err, errlen, "writing", t->name);
			goto out_finalize;
		}
		(*rows)++;
		if (cp->fn && *rows % PROGRESS_EVERY == 0)
			cp->fn(t->name, *rows, cp->done + *rows, cp->total,
			       cp->arg);
	}
	if (rc == DB_DONE && cp->fn)
		cp->fn(t->name, *rows, cp->done + *rows, cp->total, cp->arg);
	if (rc < 0)
		rc = fail(from, rc, err, errlen, "reading", t->name);
out_finalize:
	db_finalize(s);
	db_finalize(ins);
	return rc < 0 ? rc : 0;
}

/* PostgreSQL: copied ids were given explicitly, so each identity must be
 * moved past them before the daemon inserts its own. */
static int advance_identity(struct db *to, const struct table *t, char *err,
                            size_t errlen)
{
	char sql[512];
	int rc;

	if (db_dialect(to) != DB_POSTGRES || !t->identity)
		return 0;
	snprintf(sql, sizeof(sql),
	         "SELECT setval(pg_get_serial_sequence('%s', 'id'),"
	         " COALESCE(max(id), 1), max(id) IS NOT NULL) FROM %s",
	         t->name, t->name);
	rc = db_exec(to, sql);
	return rc < 0
	           ? fail(to, rc, err, errlen, "advancing the ids of", t->name)
	           : 0;
}

static int dest_empty(struct db *to, char *err, size_t errlen)
{
	size_t i;
	int rc;

	for (i = 0; i < ARRAY_SIZE(tables); i++) {
		struct db_stmt *s = NULL;
		char sql[256];

		snprintf(sql, sizeof(sql), "SELECT 1 FROM %s LIMIT 1",
		         tables[i].name);
		rc = db_prepare(to, sql, &s);
		if (rc == 0)
			rc = db_step(s);
		db_finalize(s);
		if (rc < 0)
			return fail(to, rc, err, errlen, "reading",
			            tables[i].name);
		if (rc == DB_ROW) {
			snprintf(err, errlen,
			         "the destination is not empty (table %s has "
			         "rows); migrate copies into a new database",
			         tables[i].name);
			return -EEXIST;
		}
	}
	return 0;
}

/* The rows of every table of the source, or -1 when a count fails. */
static int64_t count_rows(struct db *db)
{
	int64_t total = 0;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(tables); i++) {
		struct db_stmt *s = NULL;
		char sql[256];
		int rc;

		snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s",
		         tables[i].name);
		rc = db_prepare(db, sql, &s);
		if (rc == 0)
			rc = db_step(s);
		if (rc == DB_ROW)
			total += db_column_int64(s, 0);
		db_finalize(s);
		if (rc != DB_ROW)
			return -1;
	}
	return total;
}

int migrate_copy(struct store *from, struct store *to,
                 migrate_progress_fn progress, void *arg,
                 struct migrate_counts *out, char *err, size_t errlen)
{
	struct db *src = store_conn(from), *dst = store_conn(to);
	struct copy_progress cp = {progress, arg, 0, -1};
	size_t i;
	int rc;

	memset(out, 0, sizeof(*out));
	if (store_schema_version(from) != store_schema_version(to)) {
		snprintf(err, errlen,
		         "schema versions differ (source %d, destination %d); "
		         "run the daemon once on the source to upgrade it",
		         store_schema_version(from), store_schema_version(to));
		return -ENOTSUP;
	}
	/* The source is read in one transaction: one state of the log even
	 * if a daemon still writes to it. */
	rc =
	    db_exec(src, db_dialect(src) == DB_POSTGRES
	                     ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
	                     : "BEGIN");
	if (rc < 0)
		return fail(src, rc, err, errlen, "reading", "the source");
	rc = db_begin(dst);
	if (rc < 0) {
		fail(dst, rc, err, errlen, "writing", "the destination");
		goto out_end_src;
	}
	rc = dest_empty(dst, err, errlen);
	if (rc == 0 && progress) {
		cp.total = count_rows(src);
		progress(tables[0].name, 0, 0, cp.total, arg);
	}
	for (i = 0; rc == 0 && i < ARRAY_SIZE(tables); i++) {
		struct migrate_table_count *c = &out->tables[out->n_tables++];
		int64_t rows_src = 0, rows_dst = 0;
		uint64_t sum_src = 0, sum_dst = 0;

		c->table = tables[i].name;
		rc = copy_table(src, dst, &tables[i], &cp, &c->rows, err,
		                errlen);
		cp.done += c->rows;
		if (rc == 0)
			rc = advance_identity(dst, &tables[i], err, errlen);
		/* Verified inside the transaction: a difference rolls the
		 * whole copy back. */
		if (rc == 0)
			rc = checksum(src, &tables[i], &rows_src, &sum_src, err,
			              errlen);
		if (rc == 0)
			rc = checksum(dst, &tables[i], &rows_dst, &sum_dst, err,
			              errlen);
		if (rc == 0 && (rows_src != rows_dst || rows_src != c->rows ||
		                sum_src != sum_dst)) {
			snprintf(
			    err, errlen,
			    "verification failed for %s: %" PRId64
			    " rows (checksum %016" PRIx64 ") in the source, "
			    "%" PRId64 " (checksum %016" PRIx64 ") copied",
			    c->table, rows_src, sum_src, rows_dst, sum_dst);
			rc = -EPROTO;
		}
		c->checksum = sum_src;
	}
	if (rc == 0) {
		rc = db_commit(dst);
		if (rc < 0)
			fail(dst, rc, err, errlen, "committing", "the copy");
	}
	if (rc < 0)
		db_rollback(dst);
	/* PostgreSQL: a freshly copied table has no statistics for the
	 * planner, and every first read of a row would check its writing
	 * transaction and set its hint bits; VACUUM ANALYZE does now what
	 * autovacuum would do a minute later (reading a million reposts
	 * takes a third less after it).  Outside the copy's transaction, as
	 * VACUUM must be; the copy stands if it fails. */
	if (rc == 0 && db_dialect(dst) == DB_POSTGRES)
		(void)db_exec(dst, "VACUUM ANALYZE");
out_end_src:
	db_exec(src, "COMMIT");
	return rc;
}
