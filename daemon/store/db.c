/*
 * db.c — the backend-neutral half of db.h: opening by target, dispatching
 * each call to the SQLite or PostgreSQL half, and keeping PostgreSQL's
 * bound parameters (as text with a type) until the statement runs.  See
 * db.h for the dialect rules and db_sqlite.c / db_pg.c for the backends.
 */
#include "db_int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* PostgreSQL type Oids of the parameters the store binds (pg_type.h);
 * text is sent untyped so the server infers it from the context. */
#define PG_OID_INT8   20
#define PG_OID_FLOAT8 701

void db_set_err(struct db *db, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(db->errmsg, sizeof(db->errmsg), fmt, ap);
	va_end(ap);
}

bool db_target_is_postgres(const char *target)
{
	return target && (strncmp(target, "postgresql://", 13) == 0 ||
	                  strncmp(target, "postgres://", 11) == 0);
}

/* SQLite writes the file and, in WAL mode, -wal and -shm files beside
 * it: the folder must exist and take new files, and an existing file
 * must be a regular file we may read and write. */
static int sqlite_check_path(const char *path, char *why, size_t len)
{
	char dir[4096];
	const char *slash = strrchr(path, '/');
	struct stat sb;

	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	if (stat(dir, &sb) < 0) {
		int e = errno;

		snprintf(why, len, "folder %s: %s%s", dir, strerror(e),
		         e == ENOENT ? " (create it, writable by the service)"
		                     : "");
		return -e;
	}
	if (!S_ISDIR(sb.st_mode)) {
		snprintf(why, len, "%s is not a folder", dir);
		return -ENOTDIR;
	}
	if (access(dir, W_OK | X_OK) < 0) {
		int e = errno;

		snprintf(why, len,
		         "folder %s: %s (the service writes the database and "
		         "its -wal and -shm files there)",
		         dir, strerror(e));
		return -e;
	}
	if (stat(path, &sb) < 0)
		return errno == ENOENT ? 0 : -errno; /* created at start */
	if (!S_ISREG(sb.st_mode)) {
		snprintf(why, len, "%s is not a regular file", path);
		return -EINVAL;
	}
	if (access(path, R_OK | W_OK) < 0) {
		int e = errno;

		snprintf(why, len, "%s: %s", path, strerror(e));
		return -e;
	}
	return 0;
}

int db_check_target(const char *target, char *why, size_t len)
{
	if (!target || !*target) {
		snprintf(why, len, "no database named");
		return -EINVAL;
	}
	if (db_target_is_postgres(target))
		return db_pg_check_url(target, why, len);
	if (strncmp(target, "sqlite:", 7) == 0)
		target += 7;
	return sqlite_check_path(target, why, len);
}

int db_open(const char *target, int flags, struct db **out, char *err,
            size_t errlen)
{
	struct db *db;
	int rc;

	*out = NULL;
	db = calloc(1, sizeof(*db));
	if (!db) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	db->readonly = (flags & DB_OPEN_READONLY) != 0;
	if (db_target_is_postgres(target)) {
		db->dialect = DB_POSTGRES;
		rc = db_pg_open(db, target, flags);
	} else {
		if (strncmp(target, "sqlite:", 7) == 0)
			target += 7;
		db->dialect = DB_SQLITE;
		rc = db_sqlite_open(db, target, flags);
	}
	if (rc < 0) {
		snprintf(err, errlen, "%s", db->errmsg);
		db_close(db);
		return rc;
	}
	*out = db;
	return 0;
}

void db_close(struct db *db)
{
	if (!db)
		return;
	if (db->dialect == DB_POSTGRES)
		db_pg_close(db);
	else
		db_sqlite_close(db);
	free(db);
}

enum db_dialect db_dialect(const struct db *db)
{
	return db->dialect;
}

struct sqlite3 *db_sqlite(struct db *db)
{
	return db->lite;
}

const char *db_errmsg(const struct db *db)
{
	return db->errmsg;
}

int db_exec(struct db *db, const char *sql)
{
	return db->dialect == DB_POSTGRES ? db_pg_exec(db, sql)
	                                  : db_sqlite_exec(db, sql);
}

int db_begin(struct db *db)
{
	return db_exec(db, db->dialect == DB_POSTGRES ? "BEGIN"
	                                              : "BEGIN IMMEDIATE");
}

int db_commit(struct db *db)
{
	return db_exec(db, "COMMIT");
}

void db_rollback(struct db *db)
{
	char keep[sizeof(db->errmsg)];

	memcpy(keep, db->errmsg, sizeof(keep));
	db_exec(db, "ROLLBACK");
	memcpy(db->errmsg, keep, sizeof(keep));
}

int db_prepare(struct db *db, const char *sql, struct db_stmt **out)
{
	struct db_stmt *s;
	int rc;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (!s) {
		db_set_err(db, "prepare: out of memory");
		return -ENOMEM;
	}
	s->db = db;
	rc = db->dialect == DB_POSTGRES ? db_pg_prepare(db, sql, s)
	                                : db_sqlite_prepare(db, sql, s);
	if (rc < 0) {
		db_finalize(s);
		return rc;
	}
	*out = s;
	return 0;
}

int db_prepare_persistent(struct db *db, const char *sql, struct db_stmt **out)
{
	int rc = db_prepare(db, sql, out);

	if (rc == 0)
		(*out)->persistent = true;
	return rc;
}

void db_finalize(struct db_stmt *s)
{
	if (!s)
		return;
	if (s->db->dialect == DB_POSTGRES)
		db_pg_free(s);
	else
		db_sqlite_finalize(s);
	free(s);
}

void db_reset(struct db_stmt *s)
{
	s->bind_err = 0;
	if (s->db->dialect == DB_POSTGRES)
		db_pg_reset(s);
	else
		db_sqlite_reset(s);
}

void db_clear_bindings(struct db_stmt *s)
{
	int i;

	s->bind_err = 0;
	if (s->db->dialect != DB_POSTGRES) {
		db_sqlite_clear_bindings(s);
		return;
	}
	for (i = 0; i < s->n_params; i++) {
		free(s->values[i]);
		s->values[i] = NULL;
		s->types[i] = 0;
	}
}

int db_bind_count(const struct db_stmt *s)
{
	return s->db->dialect == DB_POSTGRES ? s->n_params
	                                     : db_sqlite_bind_count(s);
}

/* Keeps a PostgreSQL parameter as text (v is copied; NULL is SQL NULL). */
static int pg_bind(struct db_stmt *s, int i, const char *v, unsigned int type)
{
	char *copy = NULL;

	if (i < 1 || i > s->n_params) {
		db_set_err(s->db, "bind: no parameter %d", i);
		return -EINVAL;
	}
	if (v) {
		copy = strdup(v);
		if (!copy) {
			db_set_err(s->db, "bind: out of memory");
			return -ENOMEM;
		}
	}
	free(s->values[i - 1]);
	s->values[i - 1] = copy;
	s->types[i - 1] = v ? type : 0;
	return 0;
}

/* Keeps the first failed bind of a run for db_step() to return: callers
 * may bind without checking each call, and a parameter left NULL by a
 * failure never reaches a nullable column unnoticed. */
static int bind_result(struct db_stmt *s, int i, int rc)
{
	if (rc < 0 && !s->bind_err) {
		s->bind_err = rc;
		snprintf(s->bind_msg, sizeof(s->bind_msg),
		         "bind of parameter %d: %.160s", i, s->db->errmsg);
	}
	return rc;
}

int db_bind_int64(struct db_stmt *s, int i, int64_t v)
{
	char buf[32];

	if (s->db->dialect != DB_POSTGRES)
		return bind_result(s, i, db_sqlite_bind_int64(s, i, v));
	snprintf(buf, sizeof(buf), "%" PRId64, v);
	return bind_result(s, i, pg_bind(s, i, buf, PG_OID_INT8));
}

int db_bind_double(struct db_stmt *s, int i, double v)
{
	char buf[40];

	if (s->db->dialect != DB_POSTGRES)
		return bind_result(s, i, db_sqlite_bind_double(s, i, v));
	snprintf(buf, sizeof(buf), "%.17g", v);
	return bind_result(s, i, pg_bind(s, i, buf, PG_OID_FLOAT8));
}

int db_bind_text(struct db_stmt *s, int i, const char *v)
{
	if (s->db->dialect != DB_POSTGRES)
		return bind_result(s, i, db_sqlite_bind_text(s, i, v));
	return bind_result(s, i, pg_bind(s, i, v, 0));
}

int db_bind_null(struct db_stmt *s, int i)
{
	return db_bind_text(s, i, NULL);
}

int db_step(struct db_stmt *s)
{
	if (s->bind_err) {
		db_set_err(s->db, "%s", s->bind_msg);
		return s->bind_err;
	}
	return s->db->dialect == DB_POSTGRES ? db_pg_step(s)
	                                     : db_sqlite_step(s);
}

/* PostgreSQL: the text of column i of the current row, or NULL. */
const char *db_column_text(struct db_stmt *s, int i)
{
	if (s->db->dialect != DB_POSTGRES)
		return db_sqlite_column_text(s, i);
	return db_pg_value(s, i);
}

bool db_column_null(struct db_stmt *s, int i)
{
	if (s->db->dialect != DB_POSTGRES)
		return db_sqlite_column_null(s, i);
	return db_pg_value(s, i) == NULL;
}

/* A PostgreSQL integer's text, the common case, read without strtoll's
 * locale and base handling (reports read millions of them): an optional
 * minus and at most 18 digits, which cannot overflow.  False for anything
 * else, which then takes the general path. */
static bool pg_plain_int(const char *v, int64_t *out)
{
	const char *d = v + (*v == '-');
	int64_t n = 0;
	int len = 0;

	for (; d[len] >= '0' && d[len] <= '9'; len++) {
		if (len == 18)
			return false;
		n = n * 10 + (d[len] - '0');
	}
	if (len == 0 || d[len] != '\0')
		return false;
	*out = *v == '-' ? -n : n;
	return true;
}

int64_t db_column_int64(struct db_stmt *s, int i)
{
	const char *v;
	int64_t n;

	if (s->db->dialect != DB_POSTGRES)
		return db_sqlite_column_int64(s, i);
	v = db_pg_value(s, i);
	if (!v)
		return 0;
	if (pg_plain_int(v, &n))
		return n;
	/* Booleans come as t/f; numeric results (sum, avg) may carry a
	 * fraction, which SQLite's integer reading would drop too. */
	if (v[0] == 't' && v[1] == '\0')
		return 1;
	if (v[0] == 'f' && v[1] == '\0')
		return 0;
	if (strpbrk(v, ".eE"))
		return (int64_t)strtod(v, NULL);
	return strtoll(v, NULL, 10);
}

int db_column_int(struct db_stmt *s, int i)
{
	return (int)db_column_int64(s, i);
}

double db_column_double(struct db_stmt *s, int i)
{
	const char *v;

	if (s->db->dialect != DB_POSTGRES)
		return db_sqlite_column_double(s, i);
	v = db_pg_value(s, i);
	if (!v)
		return 0.0;
	if (v[0] == 't' && v[1] == '\0')
		return 1.0;
	return strtod(v, NULL);
}

int64_t db_changes(struct db *db)
{
	return db->dialect == DB_POSTGRES ? db->changes : db_sqlite_changes(db);
}
