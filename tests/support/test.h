/*
 * test.h — the small assertion kit of the unit tests.  A failed ASSERT
 * prints file, line and the expression (and the values, for the _EQ forms)
 * and counts a failure; TEST_MAIN runs every registered case and exits 1
 * when any failed, so CTest sees it.
 */
#ifndef DEMARCHE_TEST_H
#define DEMARCHE_TEST_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

extern int test_failures;

#define ASSERT(expr)                                                     \
	do {                                                             \
		if (!(expr)) {                                           \
			fprintf(stderr, "%s:%d: assertion failed: %s\n", \
			        __FILE__, __LINE__, #expr);              \
			test_failures++;                                 \
		}                                                        \
	} while (0)

/* Like ASSERT but returns from the current test function (void). */
#define REQUIRE(expr)                                                      \
	do {                                                               \
		if (!(expr)) {                                             \
			fprintf(stderr, "%s:%d: requirement failed: %s\n", \
			        __FILE__, __LINE__, #expr);                \
			test_failures++;                                   \
			return;                                            \
		}                                                          \
	} while (0)

#define ASSERT_INT_EQ(a, b)                                               \
	do {                                                              \
		long long a_ = (long long)(a), b_ = (long long)(b);       \
		if (a_ != b_) {                                           \
			fprintf(stderr,                                   \
			        "%s:%d: %s == %s failed: %lld != %lld\n", \
			        __FILE__, __LINE__, #a, #b, a_, b_);      \
			test_failures++;                                  \
		}                                                         \
	} while (0)

#define ASSERT_STR_EQ(a, b)                                                   \
	do {                                                                  \
		const char *a_ = (a), *b_ = (b);                              \
		if (!a_ || !b_ || strcmp(a_, b_) != 0) {                      \
			fprintf(stderr,                                       \
			        "%s:%d: %s == %s failed: \"%s\" != \"%s\"\n", \
			        __FILE__, __LINE__, #a, #b,                   \
			        a_ ? a_ : "(null)", b_ ? b_ : "(null)");      \
			test_failures++;                                      \
		}                                                             \
	} while (0)

struct test_case {
	const char *name;
	void (*fn)(void);
};

/* Runs the cases (or only those named on the command line). */
int test_run(const struct test_case *cases, size_t n, int argc, char **argv);

#define TEST_MAIN(...)                                                      \
	int main(int argc, char **argv)                                     \
	{                                                                   \
		static const struct test_case cases_[] = {__VA_ARGS__};     \
		return test_run(cases_, sizeof(cases_) / sizeof(cases_[0]), \
		                argc, argv);                                \
	}
#define TEST(fn)        \
	{               \
#fn, fn \
	}

/* $DEMARCHE_SHARED_DIR, $DEMARCHE_TESTS_DIR, ... with a fallback that works
 * from the build tree; borrowed. */
const char *test_shared_dir(void);
const char *test_tests_dir(void);
const char *test_source_dir(void);
/* A fresh temporary directory (removed at exit unless the test failed);
 * borrowed. */
const char *test_tmpdir(void);
/* Writes data to path; aborts the test run on failure. */
void test_write_file(const char *path, const char *data);

/*
 * The database a test runs on.  CTest registers every test that opens a
 * database twice: test_X on SQLite and test_X_pg with
 * DEMARCHE_TEST_PG_URL_FILE naming the file where the fixture's throw-away
 * server wrote its URL (tests/support/pg_server.sh).  When that variable is
 * set but the file is missing (no PostgreSQL installed), TEST_MAIN exits 77:
 * skipped.
 */
struct db;
/* True when the tests run on PostgreSQL. */
int test_on_pg(void);
/* A target for store_open()/db_open(): on SQLite the file name in
 * test_tmpdir(); on PostgreSQL a new empty database, unique to this process
 * and call, as a postgresql:// URL.  Borrowed until exit; aborts the run when
 * the database cannot be made. */
const char *test_database(const char *name);
/* Queries on a connection, checked on either backend.  test_q_int returns
 * the first column of the first row, -2 for NULL and -1 on error or no row
 * (printing why); test_q_text copies it into a static buffer, "(null)" for
 * NULL, "(error)" or "(no row)".  test_q_exec runs statements and returns
 * 0 or db_exec()'s error (printed). */
long long test_q_int(struct db *db, const char *sql);
const char *test_q_text(struct db *db, const char *sql);
int test_q_exec(struct db *db, const char *sql);
/* One of two spellings of a query, for the backend of db. */
const char *test_sql(struct db *db, const char *sqlite, const char *pg);

#endif
