/*
 * test_db.c — the backend-neutral SQL layer (db.h): the translation of
 * SQLite-style parameters into PostgreSQL's $N (quotes and comments left
 * alone), target detection, and the prepare / bind / step / column cycle
 * on SQLite, which every SQLite query of the project now goes through.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "db_int.h"
#include "test.h"

static void check_translate(const char *in, const char *want, int want_n)
{
	int n = -1;
	char *out = db_pg_translate(in, &n);

	REQUIRE(out != NULL);
	ASSERT_STR_EQ(out, want);
	ASSERT_INT_EQ(n, want_n);
	free(out);
}

static void test_translate(void)
{
	check_translate("SELECT 1", "SELECT 1", 0);
	check_translate("SELECT ?1, ?2 WHERE x = ?1",
	                "SELECT $1, $2 WHERE x = $1", 2);
	/* A bare ? is one more than the largest so far, as in SQLite. */
	check_translate("VALUES (?, ?, ?5, ?)", "VALUES ($1, $2, $5, $6)", 6);
	check_translate("SELECT '?1', \"a?\" FROM t WHERE c = ?3",
	                "SELECT '?1', \"a?\" FROM t WHERE c = $3", 3);
	check_translate("SELECT 'it''s ?' || ?2", "SELECT 'it''s ?' || $2", 2);
	check_translate("SELECT ?1 -- why ?2\n, ?2",
	                "SELECT $1 -- why ?2\n, $2", 2);
	check_translate("?10", "$10", 10);
	/* Out of range. */
	ASSERT(db_pg_translate("SELECT ?0", &(int){0}) == NULL);
	ASSERT(db_pg_translate("SELECT ?1000", &(int){0}) == NULL);
}

static void test_target(void)
{
	ASSERT(db_target_is_postgres("postgresql://u@h/d"));
	ASSERT(db_target_is_postgres("postgres://h/d"));
	ASSERT(!db_target_is_postgres("/var/lib/demarche/demarche.db"));
	ASSERT(!db_target_is_postgres("sqlite:/x.db"));
	ASSERT(!db_target_is_postgres("postgresql.db"));
	ASSERT(!db_target_is_postgres(NULL));
}

static void test_sqlite_cycle(void)
{
	char path[512], err[256];
	struct db *db = NULL;
	struct db_stmt *s = NULL;

	snprintf(path, sizeof(path), "sqlite:%s/cycle.db", test_tmpdir());
	REQUIRE(db_open(path, DB_OPEN_CREATE, &db, err, sizeof(err)) == 0);
	ASSERT_INT_EQ(db_dialect(db), DB_SQLITE);
	ASSERT(db_sqlite(db) != NULL);
	ASSERT_INT_EQ(db_exec(db, "CREATE TABLE t (id INTEGER PRIMARY KEY,"
	                          " n INTEGER, r REAL, s TEXT)"),
	              0);
	ASSERT_INT_EQ(db_begin(db), 0);
	REQUIRE(db_prepare(db,
	                   "INSERT INTO t (n, r, s) VALUES (?1, ?2, ?3)"
	                   " RETURNING id",
	                   &s) == 0);
	ASSERT_INT_EQ(db_bind_count(s), 3);
	ASSERT_INT_EQ(db_bind_int64(s, 1, 9007199254740993LL), 0);
	ASSERT_INT_EQ(db_bind_double(s, 2, 0.25), 0);
	ASSERT_INT_EQ(db_bind_text(s, 3, "héllo"), 0);
	ASSERT_INT_EQ(db_step(s), DB_ROW);
	ASSERT_INT_EQ(db_column_int64(s, 0), 1);
	ASSERT_INT_EQ(db_step(s), DB_DONE);
	db_reset(s);
	db_clear_bindings(s);
	ASSERT_INT_EQ(db_step(s), DB_ROW); /* all NULL */
	ASSERT_INT_EQ(db_column_int64(s, 0), 2);
	db_finalize(s);
	ASSERT_INT_EQ(db_commit(db), 0);

	REQUIRE(db_prepare(db, "SELECT n, r, s FROM t ORDER BY id", &s) == 0);
	ASSERT_INT_EQ(db_step(s), DB_ROW);
	ASSERT(db_column_int64(s, 0) == 9007199254740993LL);
	ASSERT(db_column_double(s, 1) == 0.25);
	ASSERT_STR_EQ(db_column_text(s, 2), "héllo");
	ASSERT(!db_column_null(s, 2));
	ASSERT_INT_EQ(db_step(s), DB_ROW);
	ASSERT(db_column_null(s, 0) && db_column_null(s, 2));
	ASSERT(db_column_text(s, 2) == NULL);
	ASSERT_INT_EQ(db_step(s), DB_DONE);
	db_finalize(s);

	REQUIRE(db_prepare(db, "UPDATE t SET n = 1", &s) == 0);
	ASSERT_INT_EQ(db_step(s), DB_DONE);
	ASSERT_INT_EQ(db_changes(db), 2);
	db_finalize(s);

	/* Errors are negative errno values with the message kept. */
	ASSERT(db_prepare(db, "SELEKT", &s) < 0);
	ASSERT(strstr(db_errmsg(db), "syntax") != NULL);
	ASSERT_INT_EQ(db_exec(db, "CREATE TABLE u (k TEXT UNIQUE);"
	                          "INSERT INTO u VALUES ('a')"),
	              0);
	ASSERT_INT_EQ(db_exec(db, "INSERT INTO u VALUES ('a')"), -EINVAL);
	ASSERT_INT_EQ(db_begin(db), 0);
	ASSERT_INT_EQ(db_exec(db, "INSERT INTO u VALUES ('b')"), 0);
	db_rollback(db);
	REQUIRE(db_prepare(db, "SELECT count(*) FROM u", &s) == 0);
	ASSERT_INT_EQ(db_step(s), DB_ROW);
	ASSERT_INT_EQ(db_column_int(s, 0), 1);
	db_finalize(s);
	db_close(db);
	db_finalize(NULL);
	db_close(NULL);
}

static void test_open_errors(void)
{
	char err[256] = "";
	struct db *db = NULL;

	ASSERT(db_open("/proc/demarche-none/x.db", DB_OPEN_CREATE, &db, err,
	               sizeof(err)) < 0);
	ASSERT(db == NULL);
	ASSERT(err[0] != '\0');
	/* Nothing listens on port 1: a refused connection, quickly. */
	err[0] = '\0';
	ASSERT_INT_EQ(db_open("postgresql://demarche@127.0.0.1:1/demarche"
	                      "?connect_timeout=2",
	                      0, &db, err, sizeof(err)),
	              -ECONNREFUSED);
	ASSERT(db == NULL);
	ASSERT(err[0] != '\0');
}

TEST_MAIN(TEST(test_translate), TEST(test_target), TEST(test_sqlite_cycle),
          TEST(test_open_errors))
