/* test_log.c — log lines on each target: the journal's <N> priority
 * prefixes, the foreground's "ident: " prefix, debug lines only when
 * verbose, errno appended by log_warn, and control characters defused. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "log.h"
#include "test.h"
#include "util.h"

/* Runs fn with stderr sent to a file; returns what was written (new). */
static char *capture(void (*fn)(void))
{
	char path[512], *out = NULL;
	int saved = dup(2), fd;

	snprintf(path, sizeof(path), "%s/stderr-%d", test_tmpdir(), rand());
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	fflush(stderr);
	dup2(fd, 2);
	fn();
	fflush(stderr);
	dup2(saved, 2);
	close(fd);
	close(saved);
	if (util_read_file(path, 0, &out, NULL) < 0)
		return NULL;
	return out;
}

static void emit(void)
{
	log_debug("hidden unless verbose");
	log_info("feed %s: %d new", "zlj517", 3);
	errno = ENOENT;
	log_warn("open %s", "x.db");
	log_err("evil \x1b[2J\r\nforged line");
}

static void test_journal(void)
{
	char *out;

	setenv("JOURNAL_STREAM", "8:12345", 1);
	log_init("demarched", true, false);
	out = capture(emit);
	REQUIRE(out != NULL);
	ASSERT(strstr(out, "<6>feed zlj517: 3 new\n") != NULL);
	ASSERT(strstr(out, "<4>open x.db: No such file or directory\n") !=
	       NULL);
	ASSERT(strstr(out, "<3>evil ?[2J??forged line\n") != NULL);
	ASSERT(strstr(out, "hidden") == NULL);
	free(out);
	unsetenv("JOURNAL_STREAM");
}

static void test_foreground_verbose(void)
{
	char *out;

	log_init("demarched", true, true);
	out = capture(emit);
	REQUIRE(out != NULL);
	ASSERT(strstr(out, "demarched: hidden unless verbose\n") != NULL);
	ASSERT(strstr(out, "demarched: feed zlj517: 3 new\n") != NULL);
	ASSERT(strchr(out, '\x1b') == NULL);
	free(out);
}

TEST_MAIN(TEST(test_journal), TEST(test_foreground_verbose))
