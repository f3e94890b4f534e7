/* test_strmap.c — the string map against a brute-force model under many
 * inserts and deletes (deletion shifts probe runs, the tricky part). */
#include <stdlib.h>

#include "strmap.h"
#include "test.h"

#define N 5000

static void test_against_model(void)
{
	struct strmap *m = strmap_new();
	static int present[N];
	char key[32];
	int i, step, errors = 0;

	REQUIRE(m != NULL);
	srand(7);
	for (step = 0; step < 50000; step++) {
		i = rand() % N;
		snprintf(key, sizeof(key), "host-%d.example", i);
		if (rand() % 3) {
			ASSERT_INT_EQ(strmap_put(m, key, &present[i]), 0);
			present[i] = 1;
		} else {
			void *v = strmap_del(m, key);

			if ((v != NULL) != (present[i] != 0))
				errors++;
			present[i] = 0;
		}
	}
	for (i = 0; i < N; i++) {
		snprintf(key, sizeof(key), "host-%d.example", i);
		if ((strmap_get(m, key) != NULL) != (present[i] != 0))
			errors++;
	}
	ASSERT_INT_EQ(errors, 0);
	{
		size_t n = 0;

		for (i = 0; i < N; i++)
			n += present[i] != 0;
		ASSERT_INT_EQ(strmap_count(m), n);
	}
	strmap_free(m);
}

static void test_replace(void)
{
	struct strmap *m = strmap_new();
	int a, b;

	REQUIRE(m != NULL);
	ASSERT_INT_EQ(strmap_put(m, "k", &a), 0);
	ASSERT_INT_EQ(strmap_put(m, "k", &b), 0);
	ASSERT(strmap_get(m, "k") == &b);
	ASSERT_INT_EQ(strmap_count(m), 1);
	ASSERT(strmap_get(m, "absent") == NULL);
	ASSERT(strmap_del(m, "absent") == NULL);
	strmap_free(m);
	strmap_free(NULL);
}

TEST_MAIN(TEST(test_against_model), TEST(test_replace))
