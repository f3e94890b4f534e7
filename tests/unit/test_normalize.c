/* test_normalize.c — folding of texts and the offset map back to the
 * caller's code points. */
#include <errno.h>
#include <stdlib.h>

#include "normalize.h"
#include "test.h"

static struct normalize *open_cc(void)
{
	struct normalize *n = NULL;
	char err[256];

	if (normalize_open(1, &n, err, sizeof(err)) < 0)
		fprintf(stderr, "normalize_open: %s\n", err);
	return n;
}

static void check_fold(struct normalize *n, const char *in, const char *want)
{
	struct normalize_text t = {0};

	ASSERT_INT_EQ(normalize_run(n, in, strlen(in), &t), 0);
	ASSERT_STR_EQ(t.text, want);
	normalize_text_free(&t);
}

static void test_case_width_accents(void)
{
	struct normalize *n = open_cc();

	REQUIRE(n);
	check_fold(n, "Fort DETRICK", "fort detrick");
	check_fold(n, "ＣＯＶＩＤ－１９", "covid-19"); /* full width */
	check_fold(n, "Politización", "politizacion");
	check_fold(n, "États-Unis", "etats-unis");
	check_fold(n, "STRASSE Straße", "strasse strasse"); /* case fold */
	check_fold(n, "“fake news” — it’s", "\"fake news\" - it's");
	check_fold(n, "  a \t\n b  ", "a b");
	check_fold(n, "ﬁnal ①", "final 1"); /* compatibility forms */
	/* Japanese voicing marks are kept (decomposed on both sides). */
	check_fold(n, "ガ", "\xe3\x82\xab\xe3\x82\x99");
	normalize_close(n);
}

static void test_entities(void)
{
	struct normalize *n = open_cc();
	struct normalize_text t = {0};
	const char *in = "US &amp; EU &#39;x&#x27; &bogus; &";

	REQUIRE(n);
	ASSERT_INT_EQ(normalize_run(n, in, strlen(in), &t), 0);
	ASSERT_STR_EQ(t.text, "us & eu 'x' &bogus; &");
	/* The '&' (folded code point 3) came from input code points 3..7. */
	ASSERT_INT_EQ(t.src_start[3], 3);
	ASSERT_INT_EQ(t.src_end[3], 8);
	/* "eu" follows at input 9. */
	ASSERT_INT_EQ(t.src_start[5], 9);
	normalize_text_free(&t);
	normalize_close(n);
}

static void test_traditional_to_simplified(void)
{
	struct normalize *n = open_cc();
	struct normalize_text t = {0};
	const char *in = "武漢軍運會 美軍";

	REQUIRE(n);
	ASSERT_INT_EQ(normalize_run(n, in, strlen(in), &t), 0);
	ASSERT_STR_EQ(t.text, "武汉军运会 美军");
	ASSERT_INT_EQ(t.n_cp, 8);
	ASSERT_INT_EQ(t.src_start[6], 6);
	ASSERT_INT_EQ(t.src_end[7], 8);
	/* The one-character table agrees with OpenCC on running text, and
	 * leaves kana and Simplified text alone. */
	check_fold(n, "國際關係與經濟發展，臺灣問題",
	           "国际关系与经济发展,台湾问题");
	check_fold(n, "中国の貢献を称賛した", "中国の贡献を称賛した");
	check_fold(n, "为世界争取了宝贵时间", "为世界争取了宝贵时间");
	normalize_text_free(&t);
	normalize_close(n);
}

static void test_without_opencc(void)
{
	struct normalize *n = NULL;
	char err[128];

	ASSERT_INT_EQ(normalize_open(0, &n, err, sizeof(err)), 0);
	check_fold(n, "武漢", "武漢");
	normalize_close(n);
	/* A NULL context folds too, without conversion. */
	check_fold(NULL, "ABC", "abc");
}

static void test_offsets_multibyte(void)
{
	struct normalize_text t = {0};
	const char *in = "é中x";

	ASSERT_INT_EQ(normalize_run(NULL, in, strlen(in), &t), 0);
	ASSERT_STR_EQ(t.text, "e中x");
	ASSERT_INT_EQ(t.n_cp, 3);
	ASSERT_INT_EQ(t.cp_byte[2], 4);
	ASSERT_INT_EQ(normalize_byte_to_cp(&t, 0), 0);
	ASSERT_INT_EQ(normalize_byte_to_cp(&t, 1), 1);
	ASSERT_INT_EQ(normalize_byte_to_cp(&t, 3), 1);
	ASSERT_INT_EQ(normalize_byte_to_cp(&t, 4), 2);
	ASSERT_INT_EQ(normalize_byte_to_cp(&t, 5), 3);
	ASSERT_INT_EQ(t.src_start[2], 2);
	normalize_text_free(&t);
}

static void test_invalid_utf8_and_limits(void)
{
	struct normalize_text t = {0};
	const char in[] = {'a',        (char)0xC3, 'b',
	                   (char)0xFF, (char)0xE4, (char)0xB8};
	char *big;

	ASSERT_INT_EQ(normalize_run(NULL, in, sizeof(in), &t), 0);
	/* Each bad byte is one code point, U+FFFD. */
	ASSERT_INT_EQ(t.n_cp, 6); /* a, C3, b, FF, E4, B8 */
	ASSERT_INT_EQ(t.cps[1], 0xFFFD);
	ASSERT_INT_EQ(t.cps[2], 'b');
	ASSERT_INT_EQ(t.src_start[2], 2);
	big = calloc(1, NORMALIZE_MAX_INPUT + 2);
	REQUIRE(big);
	memset(big, 'a', NORMALIZE_MAX_INPUT + 1);
	ASSERT_INT_EQ(normalize_run(NULL, big, NORMALIZE_MAX_INPUT + 1, &t),
	              -E2BIG);
	free(big);
	normalize_text_free(&t);
}

/* A character that decomposes into many code points (U+FDFA, 18 of
 * them, from 3 bytes) followed by a long ASCII run must not outgrow the
 * room reserved for the post; every code point maps back into it. */
static void test_expanding_then_ascii(void)
{
	struct normalize_text t = {0};
	char in[3 * 40 + 300 + 1];
	size_t i, pos = 0;

	for (i = 0; i < 40; i++) {
		memcpy(in + pos, "\xEF\xB7\xBA", 3);
		pos += 3;
	}
	memset(in + pos, 'X', 300);
	pos += 300;
	in[pos] = '\0';
	ASSERT_INT_EQ(normalize_run(NULL, in, pos, &t), 0);
	ASSERT(t.n_cp > 40 * 10 + 300);
	ASSERT_INT_EQ(t.cps[t.n_cp - 1], 'x');
	ASSERT_INT_EQ(t.src_start[t.n_cp - 1], 40 + 299);
	ASSERT_INT_EQ(t.cp_byte[t.n_cp], t.len);
	ASSERT_INT_EQ(strlen(t.text), t.len);
	/* The buffers are reused: a second, shorter run starts afresh. */
	ASSERT_INT_EQ(normalize_run(NULL, "Ab", 2, &t), 0);
	ASSERT_STR_EQ(t.text, "ab");
	normalize_text_free(&t);
}

static void test_word_chars(void)
{
	ASSERT(normalize_is_word_cp('a'));
	ASSERT(normalize_is_word_cp('7'));
	ASSERT(normalize_is_word_cp(0x0436)); /* Cyrillic */
	ASSERT(!normalize_is_word_cp('-'));
	ASSERT(!normalize_is_word_cp(0x4E2D)); /* 中 */
	ASSERT(!normalize_is_word_cp(0x30AB)); /* カ */
	ASSERT(normalize_is_han(0x4E2D));
	ASSERT(!normalize_is_han(0x30AB));
}

TEST_MAIN(TEST(test_case_width_accents), TEST(test_entities),
          TEST(test_traditional_to_simplified), TEST(test_without_opencc),
          TEST(test_offsets_multibyte), TEST(test_invalid_utf8_and_limits),
          TEST(test_expanding_then_ascii), TEST(test_word_chars))
