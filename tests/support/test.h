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

#endif
