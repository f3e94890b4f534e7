/*
 * test_support.c — the runner behind TEST_MAIN and the helpers that find
 * fixtures and make temporary directories.
 */
#include "test.h"

#include <stdlib.h>
#include <unistd.h>

int test_failures;
static char tmpdir[256];

static void test_cleanup(void)
{
	char cmd[300];

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
