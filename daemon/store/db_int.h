/*
 * db_int.h — what the two backends of db.h share: the connection and
 * statement structs and each backend's entry points.  db.c dispatches on
 * the dialect; db_sqlite.c and db_pg.c do the work.  Not for other modules.
 */
#ifndef DEMARCHE_DB_INT_H
#define DEMARCHE_DB_INT_H

#include "db.h"

struct db {
	enum db_dialect dialect; /* which of the handles below is live */
	struct sqlite3 *lite;    /* SQLite connection, or NULL */
	void *pg;                /* PGconn, or NULL */
	bool readonly;           /* opened with DB_OPEN_READONLY */
	int64_t changes;         /* PostgreSQL: rows the last command changed */
	unsigned int n_named;    /* PostgreSQL: server-side statements made */
	unsigned int generation; /* PostgreSQL: connections made (resets) */
	bool in_tx;              /* PostgreSQL: a transaction was open when
	                          * the server last answered */
	char errmsg[512];        /* last failure, for db_errmsg() */
};

struct db_stmt {
	struct db *db;       /* the connection it belongs to */
	void *lite;          /* sqlite3_stmt, or NULL */
	char *sql;           /* PostgreSQL: the text with $N parameters */
	int n_params;        /* PostgreSQL: highest parameter number */
	char **values;       /* PostgreSQL: bound values as text, or NULL */
	unsigned int *types; /* PostgreSQL: each value's type Oid (0: infer) */
	void *res;           /* PostgreSQL: PGresult of the run, or NULL */
	int n_rows;          /* PostgreSQL: rows in res */
	int row;             /* PostgreSQL: rows stepped over so far */
	bool persistent;     /* PostgreSQL: prepare on the server once */
	char name[16];       /* PostgreSQL: its server-side name, or "" */
	unsigned int
	    generation;     /* PostgreSQL: the connection it was named on */
	int bind_err;       /* first failed bind since the last reset, or 0 */
	char bind_msg[200]; /* and its message, for db_step() to report */
};

void db_set_err(struct db *db, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

int db_pg_check_url(const char *url, char *why, size_t len);
int db_sqlite_open(struct db *db, const char *path, int flags);
void db_sqlite_close(struct db *db);
int db_sqlite_exec(struct db *db, const char *sql);
int db_sqlite_prepare(struct db *db, const char *sql, struct db_stmt *s);
void db_sqlite_finalize(struct db_stmt *s);
void db_sqlite_reset(struct db_stmt *s);
void db_sqlite_clear_bindings(struct db_stmt *s);
int db_sqlite_bind_count(const struct db_stmt *s);
int db_sqlite_bind_int64(struct db_stmt *s, int i, int64_t v);
int db_sqlite_bind_double(struct db_stmt *s, int i, double v);
int db_sqlite_bind_text(struct db_stmt *s, int i, const char *v);
int db_sqlite_step(struct db_stmt *s);
bool db_sqlite_column_null(struct db_stmt *s, int i);
int64_t db_sqlite_column_int64(struct db_stmt *s, int i);
double db_sqlite_column_double(struct db_stmt *s, int i);
const char *db_sqlite_column_text(struct db_stmt *s, int i);
int64_t db_sqlite_changes(struct db *db);

int db_pg_open(struct db *db, const char *url, int flags);
void db_pg_close(struct db *db);
int db_pg_exec(struct db *db, const char *sql);
int db_pg_prepare(struct db *db, const char *sql, struct db_stmt *s);
void db_pg_reset(struct db_stmt *s);
void db_pg_free(struct db_stmt *s);
int db_pg_step(struct db_stmt *s);
/* Column i of the current row as text, or NULL for SQL NULL. */
const char *db_pg_value(struct db_stmt *s, int i);
/* Translates SQLite-style ?N / ? parameters into $N, outside quotes and
 * comments; sets *n_params to the highest number.  Returns a new string or
 * NULL when out of memory or a number is out of range. */
char *db_pg_translate(const char *sql, int *n_params);

#endif
