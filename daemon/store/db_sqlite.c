/*
 * db_sqlite.c — the SQLite half of db.h: a thin wrapper over the SQLite
 * C API, translating its result codes into negative errno values with
 * sqlite_errno() below (the only table of them) and keeping SQLite's
 * message for db_errmsg().
 */
#include "db_int.h"

#include <errno.h>
#include <stdlib.h>

#include <sqlite3.h>

/* Translates an SQLite result code on db (NULL before it opened) into a
 * negative errno: the one table of it, kept beside the calls it serves. */
static int sqlite_errno(struct sqlite3 *db, int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_ROW:
	case SQLITE_DONE:
		return 0;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return -EBUSY;
	case SQLITE_FULL:
		return -ENOSPC;
	case SQLITE_READONLY:
		return -EROFS;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return -EBADMSG;
	case SQLITE_NOMEM:
		return -ENOMEM;
	case SQLITE_CANTOPEN: {
		int e = db ? sqlite3_system_errno(db) : 0;

		return e > 0 ? -e : -ENOENT;
	}
	case SQLITE_PERM:
	case SQLITE_AUTH:
		return -EACCES;
	case SQLITE_CONSTRAINT:
	case SQLITE_MISMATCH:
	case SQLITE_RANGE:
		return -EINVAL;
	case SQLITE_TOOBIG:
		return -E2BIG;
	case SQLITE_INTERRUPT:
		return -EINTR;
	default:
		return -EIO;
	}
}

static int fail(struct db *db, int rc, const char *what)
{
	db_set_err(db, "%s: %s", what,
	           db->lite ? sqlite3_errmsg(db->lite) : sqlite3_errstr(rc));
	return sqlite_errno(db->lite, rc);
}

int db_sqlite_open(struct db *db, const char *path, int flags)
{
	int oflags = SQLITE_OPEN_NOMUTEX, rc;

	if (flags & DB_OPEN_READONLY)
		oflags |= SQLITE_OPEN_READONLY;
	else
		oflags |= SQLITE_OPEN_READWRITE |
		          ((flags & DB_OPEN_CREATE) ? SQLITE_OPEN_CREATE : 0);
	rc = sqlite3_open_v2(path, &db->lite, oflags, NULL);
	if (rc != SQLITE_OK) {
		int e = sqlite_errno(db->lite, rc);

		db_set_err(db, "%s: %s", path,
		           db->lite ? sqlite3_errmsg(db->lite)
		                    : sqlite3_errstr(rc));
		return e;
	}
	sqlite3_extended_result_codes(db->lite, 1);
	rc = sqlite3_busy_timeout(db->lite, 5000);
	if (rc != SQLITE_OK)
		return fail(db, rc, "busy timeout");
	return 0;
}

void db_sqlite_close(struct db *db)
{
	/* Statements are finalized by their owners; v2 defers the close
	 * until they are, instead of failing. */
	sqlite3_close_v2(db->lite);
	db->lite = NULL;
}

int db_sqlite_exec(struct db *db, const char *sql)
{
	char *msg = NULL;
	int rc = sqlite3_exec(db->lite, sql, NULL, NULL, &msg);

	if (rc != SQLITE_OK) {
		db_set_err(db, "%s", msg ? msg : sqlite3_errstr(rc));
		sqlite3_free(msg);
		return sqlite_errno(db->lite, rc);
	}
	return 0;
}

int db_sqlite_prepare(struct db *db, const char *sql, struct db_stmt *s)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db->lite, sql, -1, &st, NULL);

	if (rc != SQLITE_OK)
		return fail(db, rc, "prepare");
	s->lite = st;
	return 0;
}

void db_sqlite_finalize(struct db_stmt *s)
{
	sqlite3_finalize(s->lite);
}

void db_sqlite_reset(struct db_stmt *s)
{
	sqlite3_reset(s->lite);
}

void db_sqlite_clear_bindings(struct db_stmt *s)
{
	sqlite3_clear_bindings(s->lite);
}

int db_sqlite_bind_count(const struct db_stmt *s)
{
	return sqlite3_bind_parameter_count(s->lite);
}

static int bind_rc(struct db_stmt *s, int rc)
{
	return rc == SQLITE_OK ? 0 : fail(s->db, rc, "bind");
}

int db_sqlite_bind_int64(struct db_stmt *s, int i, int64_t v)
{
	return bind_rc(s, sqlite3_bind_int64(s->lite, i, v));
}

int db_sqlite_bind_double(struct db_stmt *s, int i, double v)
{
	return bind_rc(s, sqlite3_bind_double(s->lite, i, v));
}

int db_sqlite_bind_text(struct db_stmt *s, int i, const char *v)
{
	if (!v)
		return bind_rc(s, sqlite3_bind_null(s->lite, i));
	return bind_rc(s,
	               sqlite3_bind_text(s->lite, i, v, -1, SQLITE_TRANSIENT));
}

int db_sqlite_step(struct db_stmt *s)
{
	int rc = sqlite3_step(s->lite);

	if (rc == SQLITE_ROW)
		return DB_ROW;
	if (rc == SQLITE_DONE)
		return DB_DONE;
	return fail(s->db, rc, "step");
}

bool db_sqlite_column_null(struct db_stmt *s, int i)
{
	return sqlite3_column_type(s->lite, i) == SQLITE_NULL;
}

int64_t db_sqlite_column_int64(struct db_stmt *s, int i)
{
	return sqlite3_column_int64(s->lite, i);
}

double db_sqlite_column_double(struct db_stmt *s, int i)
{
	return sqlite3_column_double(s->lite, i);
}

const char *db_sqlite_column_text(struct db_stmt *s, int i)
{
	return (const char *)sqlite3_column_text(s->lite, i);
}

int64_t db_sqlite_changes(struct db *db)
{
	return sqlite3_changes64(db->lite);
}
