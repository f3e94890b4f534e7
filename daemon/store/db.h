/*
 * db.h — the SQL connection under the store and the report queries, with
 * two backends: SQLite (a file path, the default) and PostgreSQL (a
 * postgresql:// URL, through libpq).  The calls mirror SQLite's own
 * prepare / bind / step / column / reset / finalize cycle so that code
 * written against it reads like the SQLite code it replaced, and the
 * differences between the two dialects live here in one place:
 *   - parameters are written ?1, ?2 ... (or ?) and become $1, $2 ... on
 *     PostgreSQL;
 *   - db_begin() is BEGIN IMMEDIATE on SQLite (take the write lock now),
 *     BEGIN on PostgreSQL (row locks are taken as rows are written);
 *   - db_dialect() lets a caller pick between two spellings of an
 *     expression where the dialects have no common one (date formatting).
 * Errors come back as negative errno values with the server's message in
 * db_errmsg().  The module does not log.
 */
#ifndef DEMARCHE_DB_H
#define DEMARCHE_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct db;      /* opaque: one connection */
struct db_stmt; /* opaque: one prepared statement and its current result */
struct sqlite3;

enum db_dialect {
	DB_SQLITE,
	DB_POSTGRES,
};

/* db_step() results besides negative errno values. */
#define DB_DONE 0
#define DB_ROW  1

/* How to open: read-only connections never write and skip WAL setup. */
#define DB_OPEN_READONLY 0x1
#define DB_OPEN_CREATE   0x2

/* True when target names a PostgreSQL database (postgresql:// or
 * postgres://).  Anything else is an SQLite file, optionally written
 * "sqlite:PATH". */
bool db_target_is_postgres(const char *target);

/* Checks, without connecting or creating anything, that target could be
 * opened for writing: an SQLite file's folder exists and takes new files
 * (and the file, if there, is a writable regular file); a PostgreSQL URL
 * parses.  Returns 0, or a negative errno with the reason in why. */
int db_check_target(const char *target, char *why, size_t len);

/* Opens target.  Returns 0 and a *new* connection, or a negative errno
 * with the reason in err (the URL's password is never quoted). */
int db_open(const char *target, int flags, struct db **out, char *err,
            size_t errlen);
void db_close(struct db *db);
enum db_dialect db_dialect(const struct db *db);
/* The SQLite handle, or NULL on PostgreSQL (tests and SQLite-only tools). */
struct sqlite3 *db_sqlite(struct db *db);
/* The message of the last failure on db (borrowed). */
const char *db_errmsg(const struct db *db);

/* Runs one or more statements that return no rows. */
int db_exec(struct db *db, const char *sql);
/* Starts a write transaction; db_commit() / db_rollback() end it.
 * db_rollback() keeps the message of the failure that caused it. */
int db_begin(struct db *db);
int db_commit(struct db *db);
void db_rollback(struct db *db);

/* Prepares one statement.  Returns 0 and a *new* statement, or a negative
 * errno.  Parameters start at 1. */
int db_prepare(struct db *db, const char *sql, struct db_stmt **out);
/* The same for a statement run many times on one connection: PostgreSQL
 * parses and plans it once, at its first run, with the types of the values
 * bound then (a NULL leaves the type to the server).  SQLite: db_prepare. */
int db_prepare_persistent(struct db *db, const char *sql, struct db_stmt **out);
void db_finalize(struct db_stmt *s);
/* Makes the statement ready to run again; db_clear_bindings() also sets
 * every parameter to NULL. */
void db_reset(struct db_stmt *s);
void db_clear_bindings(struct db_stmt *s);
int db_bind_count(const struct db_stmt *s);
/* Bindings copy their value.  They return 0 or a negative errno; the
 * first failure is also kept on the statement and returned by the next
 * db_step() (until db_reset() or db_clear_bindings()), so a caller may
 * bind a row's values and check once, at the step. */
int db_bind_int64(struct db_stmt *s, int i, int64_t v);
int db_bind_double(struct db_stmt *s, int i, double v);
int db_bind_text(struct db_stmt *s, int i, const char *v); /* NULL: NULL */
int db_bind_null(struct db_stmt *s, int i);
/* Runs the statement (first call) or moves to the next row.  Returns
 * DB_ROW, DB_DONE or a negative errno (message in db_errmsg()), without
 * running it when a bind since the last reset failed. */
int db_step(struct db_stmt *s);
/* Columns of the current row, from 0.  Text is borrowed until the next
 * step, reset or finalize; NULL for SQL NULL.  Booleans read as 0/1. */
bool db_column_null(struct db_stmt *s, int i);
int64_t db_column_int64(struct db_stmt *s, int i);
int db_column_int(struct db_stmt *s, int i);
double db_column_double(struct db_stmt *s, int i);
const char *db_column_text(struct db_stmt *s, int i);
/* Rows changed by the last INSERT, UPDATE or DELETE run on db. */
int64_t db_changes(struct db *db);

#endif
