/*
 * db_pg.c — the PostgreSQL half of db.h, over libpq.  Statements are
 * written in SQLite's parameter style and translated to $N here; each run
 * sends the text with its parameters (PQexecParams, text format, int64
 * and double parameters typed, text left for the server to infer; the
 * store's statements are prepared on the server once and then run with
 * PQexecPrepared, which saves most of the server's work) and keeps the
 * whole result, which db_step() then walks row by row.  The
 * connection is autocommit unless db_begin() opened a transaction; the
 * session runs in UTC so that date arithmetic matches SQLite's.
 *
 * SQLSTATE classes become negative errno values here:
 *   08 connection, 57P01-03 server shutting down   -ECONNREFUSED / -EIO
 *   23 integrity constraint                        -EINVAL
 *   22 data exception                              -EINVAL
 *   25006 read-only transaction                    -EROFS
 *   28, 42501 authorisation                        -EACCES
 *   3D000 no such database (also at connect)       -ENOENT
 *   40001, 40P01, 55P03 serialization, deadlock    -EBUSY
 *   53100 disk full                                -ENOSPC
 *   53200 out of memory                            -ENOMEM
 *   57014 query cancelled                          -EINTR
 *   anything else                                  -EIO
 */
#include "db_int.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

/* Bound on parameters of one statement (PostgreSQL allows 65535). */
#define MAX_PARAMS 999

static int errno_from_state(const char *state)
{
	if (!state || strlen(state) != 5)
		return -EIO;
	if (strncmp(state, "08", 2) == 0)
		return -ECONNREFUSED;
	if (strncmp(state, "23", 2) == 0 || strncmp(state, "22", 2) == 0)
		return -EINVAL;
	if (strcmp(state, "25006") == 0)
		return -EROFS;
	if (strncmp(state, "28", 2) == 0 || strcmp(state, "42501") == 0)
		return -EACCES;
	if (strcmp(state, "3D000") == 0)
		return -ENOENT;
	if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 ||
	    strcmp(state, "55P03") == 0)
		return -EBUSY;
	if (strcmp(state, "53100") == 0)
		return -ENOSPC;
	if (strcmp(state, "53200") == 0)
		return -ENOMEM;
	if (strcmp(state, "57014") == 0)
		return -EINTR;
	return -EIO;
}

/* Records the message of a failed result (or of the connection) and
 * returns its errno.  Trailing newlines of libpq messages are dropped. */
static int fail(struct db *db, PGresult *res, const char *what)
{
	const char *msg = res ? PQresultErrorMessage(res) : "";
	const char *state =
	    res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	size_t n, i;

	if (!msg || !*msg)
		msg = PQerrorMessage(db->pg);
	db_set_err(db, "%s: %s", what, msg && *msg ? msg : "unknown error");
	/* One line: libpq ends messages with a newline and puts the
	 * statement's position on lines of its own. */
	n = strlen(db->errmsg);
	while (n > 0 && db->errmsg[n - 1] == '\n')
		db->errmsg[--n] = '\0';
	for (i = 0; i < n; i++)
		if (db->errmsg[i] == '\n' || db->errmsg[i] == '\t')
			db->errmsg[i] = ' ';
	if (!state && PQstatus(db->pg) != CONNECTION_OK)
		return -ECONNREFUSED;
	return errno_from_state(state);
}

static int session_setup(struct db *db);

/* libpq prints NOTICEs on stderr by default; a library does not log. */
static void quiet_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/* A failed connection carries no SQLSTATE, so a missing database (3D000)
 * is told by the server's message (English, as the servers we start for
 * tests and Debian's default speak): callers then report "not found" as
 * they do for a missing SQLite file. */
static bool no_such_database(const char *msg)
{
	const char *p = strstr(msg, "database \"");

	return p && strstr(p + 10, "\" does not exist") != NULL;
}

int db_pg_check_url(const char *url, char *why, size_t len)
{
	char *msg = NULL;
	PQconninfoOption *opts = PQconninfoParse(url, &msg);

	if (!opts) {
		size_t n;

		/* libpq's message ends with a newline; it never quotes the
		 * password, only what it could not parse. */
		snprintf(why, len, "not a valid PostgreSQL URL: %s",
		         msg ? msg : "out of memory");
		n = strlen(why);
		while (n && (why[n - 1] == '\n' || why[n - 1] == ' '))
			why[--n] = '\0';
		PQfreemem(msg);
		return -EINVAL;
	}
	PQconninfoFree(opts);
	return 0;
}

int db_pg_open(struct db *db, const char *url, int flags)
{
	PGconn *conn = PQconnectdb(url);
	int rc;

	db->pg = conn;
	if (!conn) {
		db_set_err(db, "postgresql: out of memory");
		return -ENOMEM;
	}
	if (PQstatus(conn) != CONNECTION_OK) {
		/* The message names host and database, never the password. */
		rc = fail(db, NULL, "postgresql");
		return no_such_database(db->errmsg) ? -ENOENT : rc;
	}
	PQsetNoticeProcessor(conn, quiet_notice, NULL);
	(void)flags; /* db->readonly says it */
	return session_setup(db);
}

void db_pg_close(struct db *db)
{
	if (db->pg)
		PQfinish(db->pg);
	db->pg = NULL;
}

/* Remembers whether a transaction is open, while the server can say. */
static void note_tx(struct db *db)
{
	PGTransactionStatusType t = PQtransactionStatus(db->pg);

	if (t != PQTRANS_UNKNOWN)
		db->in_tx = t == PQTRANS_INTRANS || t == PQTRANS_INERROR;
}

static int session_setup(struct db *db)
{
	int rc = db_pg_exec(db, "SET TIME ZONE 'UTC'");

	if (rc == 0 && db->readonly)
		rc = db_pg_exec(db, "SET default_transaction_read_only = on");
	return rc;
}

/*
 * A lost connection (server restart, network) is made again before the
 * next command, but never in the middle of a transaction: its earlier
 * statements died with the old connection, and running the rest in
 * autocommit would break the one-transaction guarantee.  Such a command
 * fails; the caller's ROLLBACK (or failed COMMIT) ends the transaction,
 * and the next one starts on a new connection.  Statements named on the
 * old connection are prepared again (db_pg_step).
 */
static int ensure_connected(struct db *db, const char *sql)
{
	if (PQstatus(db->pg) == CONNECTION_OK)
		return 0;
	if (db->in_tx) {
		if (sql && (strncmp(sql, "ROLLBACK", 8) == 0 ||
		            strncmp(sql, "COMMIT", 6) == 0))
			db->in_tx = false;
		db_set_err(db, "postgresql: connection lost in a transaction");
		return -ECONNRESET;
	}
	PQreset(db->pg);
	if (PQstatus(db->pg) != CONNECTION_OK)
		return fail(db, NULL, "postgresql");
	db->generation++;
	PQsetNoticeProcessor(db->pg, quiet_notice, NULL);
	return session_setup(db);
}

int db_pg_exec(struct db *db, const char *sql)
{
	PGresult *res;
	ExecStatusType st;
	int rc = ensure_connected(db, sql);

	if (rc < 0)
		return rc;
	res = PQexec(db->pg, sql);
	st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK &&
	    st != PGRES_EMPTY_QUERY)
		rc = fail(db, res, "postgresql");
	PQclear(res);
	note_tx(db);
	return rc;
}

char *db_pg_translate(const char *sql, int *n_params)
{
	size_t len = strlen(sql), o = 0, i;
	/* "?" becomes at most "$999": four bytes for one. */
	char *out = malloc(len * 4 + 1);
	int next = 0, max = 0;

	if (!out)
		return NULL;
	for (i = 0; i < len; i++) {
		char c = sql[i];

		if (c == '\'' || c == '"') {
			/* A quoted string or name, with doubled quotes. */
			out[o++] = sql[i++];
			while (i < len) {
				out[o++] = sql[i];
				if (sql[i] == c) {
					if (i + 1 < len && sql[i + 1] == c) {
						out[o++] = sql[++i];
					} else {
						break;
					}
				}
				i++;
			}
			continue;
		}
		if (c == '-' && i + 1 < len && sql[i + 1] == '-') {
			while (i < len && sql[i] != '\n')
				out[o++] = sql[i++];
			if (i < len)
				out[o++] = sql[i];
			continue;
		}
		if (c != '?') {
			out[o++] = c;
			continue;
		}
		if (sql[i + 1] >= '0' && sql[i + 1] <= '9') {
			long n = strtol(sql + i + 1, NULL, 10);

			if (n < 1 || n > MAX_PARAMS)
				goto out_free_sql;
			next = (int)n;
			while (sql[i + 1] >= '0' && sql[i + 1] <= '9')
				i++;
		} else {
			/* A bare ? is one more than the largest so far, as
			 * in SQLite. */
			next = max + 1;
			if (next > MAX_PARAMS)
				goto out_free_sql;
		}
		if (next > max)
			max = next;
		o += (size_t)sprintf(out + o, "$%d", next);
	}
	out[o] = '\0';
	*n_params = max;
	return out;
out_free_sql:
	free(out);
	return NULL;
}

int db_pg_prepare(struct db *db, const char *sql, struct db_stmt *s)
{
	s->sql = db_pg_translate(sql, &s->n_params);
	if (!s->sql) {
		db_set_err(db, "prepare: out of memory or bad parameter");
		return -ENOMEM;
	}
	if (s->n_params > 0) {
		s->values = calloc((size_t)s->n_params, sizeof(*s->values));
		s->types = calloc((size_t)s->n_params, sizeof(*s->types));
		if (!s->values || !s->types) {
			db_set_err(db, "prepare: out of memory");
			return -ENOMEM;
		}
	}
	return 0;
}

void db_pg_reset(struct db_stmt *s)
{
	PQclear(s->res);
	s->res = NULL;
	s->n_rows = 0;
	s->row = 0;
}

void db_pg_free(struct db_stmt *s)
{
	char sql[48];
	int i;

	db_pg_reset(s);
	/* A named statement otherwise lives as long as the connection. */
	if (s->name[0] && s->db->pg && PQstatus(s->db->pg) == CONNECTION_OK &&
	    PQtransactionStatus(s->db->pg) == PQTRANS_IDLE) {
		snprintf(sql, sizeof(sql), "DEALLOCATE %s", s->name);
		PQclear(PQexec(s->db->pg, sql));
	}
	for (i = 0; s->values && i < s->n_params; i++)
		free(s->values[i]);
	free(s->values);
	free(s->types);
	free(s->sql);
}

int db_pg_step(struct db_stmt *s)
{
	struct db *db = s->db;

	if (!s->res) {
		PGresult *res;
		ExecStatusType st;
		const char *tuples;
		int rc = ensure_connected(db, NULL);

		if (rc < 0)
			return rc;
		if (s->name[0] && s->generation != db->generation)
			s->name[0] = '\0'; /* named on a lost connection */

		if (s->persistent && !s->name[0]) {
			/* Named once per connection; the types are those of
			 * this first run's values. */
			char name[sizeof(s->name)];

			snprintf(name, sizeof(name), "d%u", ++db->n_named);
			res = PQprepare(db->pg, name, s->sql, s->n_params,
			                (const Oid *)s->types);
			if (!res || PQresultStatus(res) != PGRES_COMMAND_OK) {
				rc = fail(db, res, "postgresql");
				PQclear(res);
				return rc;
			}
			PQclear(res);
			memcpy(s->name, name, sizeof(name));
			s->generation = db->generation;
		}
		if (s->name[0])
			res = PQexecPrepared(db->pg, s->name, s->n_params,
			                     (const char *const *)s->values,
			                     NULL, NULL, 0);
		else
			res = PQexecParams(
			    db->pg, s->sql, s->n_params, (const Oid *)s->types,
			    (const char *const *)s->values, NULL, NULL, 0);
		st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
		note_tx(db);
		if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
			rc = fail(db, res, "postgresql");
			PQclear(res);
			return rc;
		}
		tuples = PQcmdTuples(res);
		db->changes = tuples && *tuples ? strtoll(tuples, NULL, 10) : 0;
		s->res = res;
		s->n_rows = st == PGRES_TUPLES_OK ? PQntuples(res) : 0;
		s->row = 0;
	}
	if (s->row >= s->n_rows)
		return DB_DONE;
	s->row++;
	return DB_ROW;
}

const char *db_pg_value(struct db_stmt *s, int i)
{
	int r = s->row - 1;

	if (!s->res || r < 0 || r >= s->n_rows || i < 0 ||
	    i >= PQnfields(s->res) || PQgetisnull(s->res, r, i))
		return NULL;
	return PQgetvalue(s->res, r, i);
}
