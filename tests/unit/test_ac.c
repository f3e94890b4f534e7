/* test_ac.c — the Aho-Corasick matcher: every occurrence, overlaps, word
 * boundaries, and agreement with a naive search on random texts. */
#include <errno.h>
#include <stdlib.h>

#include "ac.h"
#include "test.h"

struct hits {
	uint32_t id[256];  /* pattern ids in report order */
	size_t start[256]; /* start offsets */
	size_t n;          /* reported */
};

static int collect(void *ctx, uint32_t id, size_t start, size_t end)
{
	struct hits *h = ctx;

	(void)end;
	if (h->n < 256) {
		h->id[h->n] = id;
		h->start[h->n] = start;
		h->n++;
	}
	return 0;
}

static struct ac *build(const char *const *pats, size_t n, unsigned flags)
{
	struct ac_builder *b = ac_builder_new();
	struct ac *ac = NULL;
	size_t i;

	if (!b)
		return NULL;
	for (i = 0; i < n; i++)
		if (ac_builder_add(b, pats[i], strlen(pats[i]), flags) !=
		    (int)i)
			goto out;
	ac_compile(b, &ac);
out:
	ac_builder_free(b);
	return ac;
}

static int has(const struct hits *h, uint32_t id, size_t start)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		if (h->id[i] == id && h->start[i] == start)
			return 1;
	return 0;
}

static void test_overlaps(void)
{
	static const char *const pats[] = {"he", "she", "his", "hers", "e"};
	struct ac *ac = build(pats, 5, 0);
	struct hits h = {0};

	REQUIRE(ac);
	ASSERT_INT_EQ(ac_pattern_count(ac), 5);
	ac_scan(ac, "ushers", 6, collect, &h);
	ASSERT_INT_EQ(h.n, 4);
	ASSERT(has(&h, 1, 1)); /* she */
	ASSERT(has(&h, 0, 2)); /* he */
	ASSERT(has(&h, 4, 3)); /* e */
	ASSERT(has(&h, 3, 2)); /* hers */
	ac_free(ac);
}

static void test_boundaries(void)
{
	static const char *const pats[] = {"lie", "中国", "us army"};
	struct ac *ac = build(pats, 3, AC_BOUND_LEFT | AC_BOUND_RIGHT);
	struct hits h = {0};
	const char *t = "believe lies; a lie. 在中国的 us army's, busarmy";

	REQUIRE(ac);
	ac_scan(ac, t, strlen(t), collect, &h);
	ASSERT_INT_EQ(h.n, 3);
	ASSERT(has(&h, 0, 16));                                /* "a lie." */
	ASSERT(has(&h, 1, strlen("believe lies; a lie. 在"))); /* CJK */
	ASSERT(has(&h, 2, strlen("believe lies; a lie. 在中国的 ")));
	ac_free(ac);
}

static void test_duplicates_and_stop(void)
{
	static const char *const pats[] = {"wuhan", "wuhan"};
	struct ac *ac = build(pats, 2, 0);
	struct hits h = {0};

	REQUIRE(ac);
	ac_scan(ac, "wuhan", 5, collect, &h);
	ASSERT_INT_EQ(h.n, 2);
	ASSERT_INT_EQ(h.id[0], 0);
	ASSERT_INT_EQ(h.id[1], 1);
	ac_free(ac);
}

static void test_limits(void)
{
	struct ac_builder *b = ac_builder_new();
	char big[AC_MAX_PATTERN_LEN + 1];

	REQUIRE(b);
	memset(big, 'x', sizeof(big));
	ASSERT_INT_EQ(ac_builder_add(b, "", 0, 0), -EINVAL);
	ASSERT_INT_EQ(ac_builder_add(b, big, sizeof(big), 0), -EINVAL);
	ac_builder_free(b);
}

struct counter {
	size_t n;       /* matches reported */
	size_t stop_at; /* stop the scan at this many (0 = never) */
};

static int count_cb(void *ctx, uint32_t id, size_t start, size_t end)
{
	struct counter *c = ctx;

	(void)id;
	(void)start;
	(void)end;
	c->n++;
	return c->stop_at && c->n >= c->stop_at ? 7 : 0;
}

static void test_random_against_naive(void)
{
	char pats[40][6];
	const char *pp[40];
	char text[2000];
	struct ac *ac;
	struct counter cnt = {0, 0}, stop = {0, 5};
	size_t i, j, k, naive = 0;
	unsigned seed = 12345;

	for (i = 0; i < 40; i++) {
		size_t len = 1 + (i % 5);
		for (j = 0; j < len; j++) {
			seed = seed * 1103515245u + 12345u;
			pats[i][j] = (char)('a' + (seed >> 16) % 3);
		}
		pats[i][len] = '\0';
		pp[i] = pats[i];
	}
	for (i = 0; i < sizeof(text); i++) {
		seed = seed * 1103515245u + 12345u;
		text[i] = (char)('a' + (seed >> 16) % 3);
	}
	ac = build(pp, 40, 0);
	REQUIRE(ac);
	for (k = 0; k < 40; k++) {
		size_t len = strlen(pats[k]);
		for (i = 0; i + len <= sizeof(text); i++)
			naive += memcmp(text + i, pats[k], len) == 0;
	}
	ASSERT_INT_EQ(ac_scan(ac, text, sizeof(text), count_cb, &cnt), 0);
	ASSERT_INT_EQ(cnt.n, naive);
	/* A callback's non-zero return stops the scan and is passed on. */
	ASSERT_INT_EQ(ac_scan(ac, text, sizeof(text), count_cb, &stop), 7);
	ASSERT_INT_EQ(stop.n, 5);
	ac_free(ac);
}

TEST_MAIN(TEST(test_overlaps), TEST(test_boundaries),
          TEST(test_duplicates_and_stop), TEST(test_limits),
          TEST(test_random_against_naive))
