/*
 * test_support.c — the runner behind TEST_MAIN and the helpers that find
 * fixtures, make temporary directories and give a test its database: an
 * SQLite file, or a fresh database on the PostgreSQL server of the CTest
 * fixture "pg" (tests/support/pg_server.sh) when the test runs as its _pg
 * variant.
 */
#include "test.h"

#include <ctype.h>
#include <stdlib.h>
#include <unistd.h>

#include "db.h"

/* Databases one test process may ask for. */
#define MAX_DATABASES 64

int test_failures;
static char tmpdir[256];

/* The backend: -1 not yet known, 0 SQLite, 1 PostgreSQL, 2 PostgreSQL
 * wanted but no server (the run is skipped). */
static int pg_mode = -1;
static char pg_base[512];              /* URL of the server's "postgres" */
static char *databases[MAX_DATABASES]; /* targets handed out */
static char *pg_names[MAX_DATABASES];  /* their names on the server */
static size_t n_databases;

static void drop_databases(void);
static int pg_detect(void);

static void test_cleanup(void)
{
	char cmd[300];

	drop_databases();

	if (tmpdir[0] && test_failures == 0) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", tmpdir);
	} else if (tmpdir[0])
		fprintf(stderr, "kept %s for inspection\n", tmpdir);
}

int test_run(const struct test_case *cases, size_t n, int argc, char **argv)
{
	size_t i;
	int j, ran = 0;

	if (pg_detect() == 2) {
		printf("SKIP: no PostgreSQL test server (%s is missing)\n",
		       getenv("DEMARCHE_TEST_PG_URL_FILE"));
		return 77;
	}
	if (pg_mode == 1)
		printf("backend: PostgreSQL\n");
	for (i = 0; i < n; i++) {
		int before = test_failures, selected = argc < 2;

		for (j = 1; j < argc; j++)
			if (strcmp(argv[j], cases[i].name) == 0)
				selected = 1;
		if (!selected)
			continue;
		cases[i].fn();
		ran++;
		printf("%s %s\n", test_failures == before ? "ok  " : "FAIL",
		       cases[i].name);
		fflush(stdout);
	}
	printf("%d case(s), %d failure(s)\n", ran, test_failures);
	test_cleanup();
	return test_failures ? 1 : 0;
}

static const char *env_or(const char *name, const char *fallback)
{
	const char *v = getenv(name);

	return v && *v ? v : fallback;
}

const char *test_shared_dir(void)
{
	return env_or("DEMARCHE_SHARED_DIR", "../shared");
}

const char *test_tests_dir(void)
{
	return env_or("DEMARCHE_TESTS_DIR", "tests");
}

const char *test_source_dir(void)
{
	return env_or("DEMARCHE_SOURCE_DIR", ".");
}

const char *test_tmpdir(void)
{
	if (!tmpdir[0]) {
		snprintf(tmpdir, sizeof(tmpdir), "%s/demarche-test-XXXXXX",
		         env_or("TMPDIR", "/tmp"));
		if (!mkdtemp(tmpdir)) {
			perror("mkdtemp");
			exit(2);
		}
	}
	return tmpdir;
}

void test_write_file(const char *path, const char *data)
{
	FILE *fp = fopen(path, "w");

	if (!fp || fputs(data, fp) < 0 || fclose(fp) != 0) {
		perror(path);
		exit(2);
	}
}

/* Reads $DEMARCHE_TEST_PG_URL_FILE once. */
static int pg_detect(void)
{
	const char *file = getenv("DEMARCHE_TEST_PG_URL_FILE");
	FILE *fp;
	size_t len;

	if (pg_mode >= 0)
		return pg_mode;
	pg_mode = 0;
	if (!file || !*file)
		return pg_mode;
	pg_mode = 2;
	fp = fopen(file, "r");
	if (!fp)
		return pg_mode;
	if (fgets(pg_base, sizeof(pg_base), fp)) {
		len = strcspn(pg_base, "\r\n");
		pg_base[len] = '\0';
		if (strncmp(pg_base, "postgresql://", 13) == 0 &&
		    strrchr(pg_base, '/') > pg_base + 13)
			pg_mode = 1;
	}
	fclose(fp);
	return pg_mode;
}

int test_on_pg(void)
{
	return pg_detect() == 1;
}

/* Runs one statement on the server's maintenance database. */
static int pg_admin(const char *sql, char *err, size_t errlen)
{
	struct db *db = NULL;
	int rc;

	rc = db_open(pg_base, 0, &db, err, errlen);
	if (rc < 0)
		return rc;
	rc = db_exec(db, sql);
	if (rc < 0)
		snprintf(err, errlen, "%s", db_errmsg(db));
	db_close(db);
	return rc;
}

const char *test_database(const char *name)
{
	static unsigned serial;
	char target[1024], dbname[64], sql[128], err[512];
	size_t i, len;

	if (n_databases == MAX_DATABASES) {
		fprintf(stderr, "test_database: more than %d databases\n",
		        MAX_DATABASES);
		exit(2);
	}
	if (!test_on_pg()) {
		snprintf(target, sizeof(target), "%s/%s", test_tmpdir(), name);
		databases[n_databases] = strdup(target);
		if (!databases[n_databases]) {
			perror("strdup");
			exit(2);
		}
		return databases[n_databases++];
	}
	/* Unique per process and call, so that tests run in parallel on one
	 * server; the name is kept readable for a failed run. */
	snprintf(dbname, sizeof(dbname), "t_%ld_%u_%s", (long)getpid(),
	         serial++, name);
	len = strlen(dbname);
	for (i = 0; i < len; i++)
		dbname[i] = isalnum((unsigned char)dbname[i])
		                ? (char)tolower((unsigned char)dbname[i])
		                : '_';
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s", dbname);
	if (pg_admin(sql, err, sizeof(err)) < 0) {
		fprintf(stderr, "test_database: %s: %s\n", dbname, err);
		exit(2);
	}
	len = (size_t)(strrchr(pg_base, '/') - pg_base);
	snprintf(target, sizeof(target), "%.*s/%s", (int)len, pg_base, dbname);
	databases[n_databases] = strdup(target);
	pg_names[n_databases] = strdup(dbname);
	if (!databases[n_databases] || !pg_names[n_databases]) {
		perror("strdup");
		exit(2);
	}
	return databases[n_databases++];
}

/* Drops the databases of a passed run (a failed one keeps them on the
 * server until the fixture's cleanup removes it), and frees the list. */
static void drop_databases(void)
{
	char sql[128], err[512];
	size_t i;

	for (i = 0; i < n_databases; i++) {
		if (pg_names[i] && test_failures == 0) {
			snprintf(sql, sizeof(sql),
			         "DROP DATABASE IF EXISTS %s WITH (FORCE)",
			         pg_names[i]);
			if (pg_admin(sql, err, sizeof(err)) < 0)
				fprintf(stderr, "could not drop %s: %s\n",
				        pg_names[i], err);
		} else if (pg_names[i]) {
			fprintf(stderr, "kept database %s for inspection\n",
			        pg_names[i]);
		}
		free(databases[i]);
		free(pg_names[i]);
		databases[i] = pg_names[i] = NULL;
	}
	n_databases = 0;
}

long long test_q_int(struct db *db, const char *sql)
{
	struct db_stmt *s = NULL;
	long long v = -1;
	int rc;

	rc = db_prepare(db, sql, &s);
	if (rc == 0)
		rc = db_step(s);
	if (rc == DB_ROW)
		v = db_column_null(s, 0) ? -2
		                         : (long long)db_column_int64(s, 0);
	else if (rc < 0)
		fprintf(stderr, "query failed: %s: %s\n", sql, db_errmsg(db));
	else
		fprintf(stderr, "no row: %s\n", sql);
	db_finalize(s);
	return v;
}

const char *test_q_text(struct db *db, const char *sql)
{
	static char out[4096];
	struct db_stmt *s = NULL;
	int rc;

	rc = db_prepare(db, sql, &s);
	if (rc == 0)
		rc = db_step(s);
	if (rc == DB_ROW) {
		const char *v = db_column_text(s, 0);

		snprintf(out, sizeof(out), "%s", v ? v : "(null)");
	} else if (rc < 0) {
		fprintf(stderr, "query failed: %s: %s\n", sql, db_errmsg(db));
		snprintf(out, sizeof(out), "(error)");
	} else {
		snprintf(out, sizeof(out), "(no row)");
	}
	db_finalize(s);
	return out;
}

int test_q_exec(struct db *db, const char *sql)
{
	int rc = db_exec(db, sql);

	if (rc < 0)
		fprintf(stderr, "exec failed: %s: %s\n", sql, db_errmsg(db));
	return rc;
}

const char *test_sql(struct db *db, const char *sqlite, const char *pg)
{
	return db_dialect(db) == DB_POSTGRES ? pg : sqlite;
}
