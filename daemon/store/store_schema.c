/*
 * store_schema.c — the schema version of a log and its migrations: the
 * numbered scripts embedded from schema/ (SQLite) and schema/pg/
 * (PostgreSQL), each applied in its own transaction with its version step
 * (PRAGMA user_version on SQLite, the table schema_version on PostgreSQL),
 * and the index builds some steps need for the rows already stored.
 */
#include "store_int.h"

#include <errno.h>
#include <stdio.h>

#include "db.h"

#include "schema_migrations.h"
#include "store_clusters.h"
#include "store_search.h"

int store_schema_latest(void)
{
	return schema_n_migrations > 0
	           ? schema_migrations[schema_n_migrations - 1].version
	           : 0;
}

/* Runs a query whose one row holds one integer. */
static int query_int(struct store *st, const char *sql, int *out)
{
	struct db_stmt *s = NULL;
	int rc;

	rc = db_prepare(st->db, sql, &s);
	if (rc < 0)
		return store_fail_db(st, rc, "reading the schema version");
	rc = db_step(s);
	if (rc != DB_ROW) {
		if (rc == DB_DONE) {
			store_set_err(st, "reading the schema version: no row");
			rc = -EIO;
		} else {
			rc =
			    store_fail_db(st, rc, "reading the schema version");
		}
		db_finalize(s);
		return rc;
	}
	*out = db_column_int(s, 0);
	db_finalize(s);
	return 0;
}

/* The schema version: SQLite keeps it in PRAGMA user_version, PostgreSQL
 * in the one-row table schema_version (absent before the first
 * migration). */
static int read_user_version(struct store *st, int *out)
{
	int exists = 0, rc;

	if (db_dialect(st->db) == DB_SQLITE)
		return query_int(st, "PRAGMA user_version", out);
	rc = query_int(st,
	               "SELECT CASE WHEN to_regclass('schema_version') IS NULL"
	               " THEN 0 ELSE 1 END",
	               &exists);
	if (rc < 0 || !exists) {
		*out = 0;
		return rc;
	}
	return query_int(
	    st, "SELECT COALESCE(max(version), 0) FROM schema_version", out);
}

int store_schema_version(struct store *st)
{
	int v = 0;

	if (read_user_version(st, &v) < 0)
		return -1;
	return v;
}

static int check_not_newer(struct store *st, int version)
{
	if (version > store_schema_latest()) {
		store_set_err(
		    st,
		    "database schema version %d is newer than this build "
		    "knows (%d); upgrade demarche",
		    version, store_schema_latest());
		return -ENOTSUP;
	}
	return 0;
}

int store_schema_readable(struct store *st, int *version)
{
	int rc = read_user_version(st, version);

	return rc < 0 ? rc : check_not_newer(st, *version);
}

/* Takes the migration lock.  SQLite's BEGIN IMMEDIATE already holds the
 * only write lock; on PostgreSQL several daemons may start at once, so a
 * transaction-scoped advisory lock serialises their migrations. */
static int migration_lock(struct store *st, const char *what)
{
	if (db_dialect(st->db) == DB_SQLITE)
		return 0;
	return store_exec_sql(st,
	                      "SELECT pg_advisory_xact_lock(4242017);"
	                      "CREATE TABLE IF NOT EXISTS schema_version"
	                      " (version INTEGER NOT NULL)",
	                      what);
}

static int set_user_version(struct store *st, int version, const char *what)
{
	char sql[128];

	if (db_dialect(st->db) == DB_SQLITE)
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", version);
	else
		snprintf(sql, sizeof(sql),
		         "DELETE FROM schema_version;"
		         "INSERT INTO schema_version VALUES (%d)",
		         version);
	return store_exec_sql(st, sql, what);
}

/* Applies every migration newer than the database, each in its own
 * transaction together with its version step, so an interrupted upgrade
 * resumes at the step that did not finish.  The two backends have their
 * own scripts (schema/ and schema/pg/) with the same version numbers. */
int store_migrate(struct store *st)
{
	const struct schema_migration *list = schema_migrations;
	int n = schema_n_migrations;
	int version, rc, i;
	char what[128];

	if (db_dialect(st->db) == DB_POSTGRES) {
		list = schema_pg_migrations;
		n = schema_pg_n_migrations;
	}
	rc = read_user_version(st, &version);
	if (rc < 0)
		return rc;
	rc = check_not_newer(st, version);
	if (rc < 0)
		return rc;
	for (i = 0; i < n; i++) {
		const struct schema_migration *m = &list[i];

		if (m->version <= version)
			continue;
		snprintf(what, sizeof(what), "migration %s", m->name);
		rc = store_begin(st, what);
		if (rc < 0)
			return rc;
		rc = migration_lock(st, what);
		/* Another process may have migrated while we waited. */
		if (rc == 0)
			rc = read_user_version(st, &version);
		if (rc < 0 || m->version <= version) {
			db_rollback(st->db);
			if (rc < 0)
				return rc;
			continue;
		}
		rc = store_exec_sql(st, m->sql, what);
		if (rc == 0)
			rc = store_search_after_migration(st, m->version);
		if (rc == 0)
			rc = store_clusters_after_migration(st, m->version);
		if (rc == 0)
			rc = set_user_version(st, m->version, what);
		if (rc == 0)
			rc = store_exec_sql(st, "COMMIT", what);
		if (rc < 0) {
			db_rollback(st->db);
			return rc;
		}
		version = m->version;
	}
	return 0;
}
