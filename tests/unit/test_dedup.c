/* test_dedup.c — MinHash signatures of statements and the keys of the
 * pages posts link to (daemon/classify/dedup.c). */
#include <errno.h>
#include <stdlib.h>

#include "dedup.h"
#include "test.h"

static struct normalize *nz;
static struct dedup_scratch scratch;

static const char *statement =
    "The United States should give a clear explanation to the world about "
    "the laboratory at Fort Detrick and the many unanswered questions of "
    "the summer of 2019, instead of shifting the blame onto China again "
    "and again while the pandemic spreads at home.";

static int sign(const char *text, struct dedup_sig *sig)
{
	return dedup_signature(nz, text, strlen(text), &scratch, sig);
}

/* The estimated similarity of two texts, or -1 when one has no signature. */
static double sim(const char *a, const char *b)
{
	struct dedup_sig sa, sb;

	if (sign(a, &sa) != 1 || sign(b, &sb) != 1)
		return -1;
	return dedup_similarity(&sa, &sb);
}

static int shared_bands(const char *a, const char *b)
{
	struct dedup_sig sa, sb;
	int64_t ba[DEDUP_BANDS], bb[DEDUP_BANDS];
	int i, n = 0;

	if (sign(a, &sa) != 1 || sign(b, &sb) != 1)
		return -1;
	dedup_bands(&sa, ba);
	dedup_bands(&sb, bb);
	for (i = 0; i < DEDUP_BANDS; i++)
		n += ba[i] == bb[i];
	return n;
}

static void test_identical(void)
{
	ASSERT(sim(statement, statement) == 1.0);
	ASSERT_INT_EQ(shared_bands(statement, statement), DEDUP_BANDS);
}

static void test_one_word_changed(void)
{
	const char *changed =
	    "The United States should give a clear explanation to the world "
	    "about the laboratory at Fort Detrick and the many unanswered "
	    "questions of the summer of 2019, instead of shifting the blame "
	    "onto China once and again while the pandemic spreads at home.";
	double s = sim(statement, changed);

	ASSERT(s >= DEDUP_THRESHOLD);
	ASSERT(s < 1.0);
	ASSERT(shared_bands(statement, changed) > 0);
}

static void test_case_punctuation_links_mentions(void)
{
	/* Punctuation moved, case, full-width letters, a link, a mention and
	 * hashtag marks: the same statement. */
	const char *copy =
	    "@SpokespersonCHN: the UNITED STATES should give a clear "
	    "explanation -- to the world -- about the laboratory at "
	    "#FortDetrick "
	    "... no: at Fort Detrick; and the many unanswered questions of the "
	    "summer of 2019 instead of shifting the blame onto #China again "
	    "and "
	    "again, while the pandemic spreads at home! https://t.co/abc123";
	const char *plain =
	    "the united states should give a clear explanation to the world "
	    "about the laboratory at fortdetrick no at fort detrick and the "
	    "many unanswered questions of the summer of 2019 instead of "
	    "shifting the blame onto china again and again while the pandemic "
	    "spreads at home";

	ASSERT(sim(copy, plain) == 1.0);
	ASSERT(sim(copy, statement) >= DEDUP_THRESHOLD);
}

static void test_shared_boilerplate(void)
{
	/* Two statements in the same frame of a press conference: sharing
	 * their opening and close, differing in what they say. */
	const char *a =
	    "Foreign Ministry Spokesperson's Regular Press Conference. "
	    "Question: what is your comment on the new sanctions announced by "
	    "Washington against our companies this week? Answer: we firmly "
	    "oppose them. Thank you.";
	const char *b =
	    "Foreign Ministry Spokesperson's Regular Press Conference. "
	    "Question: can you confirm that the Premier will visit Europe next "
	    "month to attend the summit on climate? Answer: we will release "
	    "information in due course. Thank you.";

	ASSERT(sim(a, b) >= 0);
	ASSERT(sim(a, b) < DEDUP_THRESHOLD);
	ASSERT(sim(a, statement) < 0.2);
}

static void test_cjk(void)
{
	const char *trad =
	    "美國應該就德特里克堡實驗室和二零一九年夏天的種種疑問"
	    "向世界作出清楚的解釋，而不是一再甩鍋中國。";
	const char *simp =
	    "美国应该就德特里克堡实验室和二零一九年夏天的种种疑问"
	    "向世界作出清楚的解释，而不是一再甩锅中国。";
	const char *one = "美国应该就德特里克堡实验室和二零一九年夏天的种种疑问"
	                  "向世界作出明确的解释，而不是一再甩锅中国。";
	const char *other = "中方坚决反对美方对中国企业实施的单边制裁，"
	                    "将采取必要措施维护中国企业的正当权益。";
	struct dedup_sig sig;

	/* Traditional and Simplified are one text. */
	ASSERT(sim(trad, simp) == 1.0);
	ASSERT(sim(simp, one) >= DEDUP_THRESHOLD);
	ASSERT(sim(simp, other) < 0.3);
	/* Every character is a token. */
	ASSERT_INT_EQ(sign("谢谢大家的支持与帮助！", &sig), 0);
	ASSERT_INT_EQ(sig.n_tokens, 10);
}

static void test_short(void)
{
	struct dedup_sig sig;

	ASSERT_INT_EQ(sign("Thank you!", &sig), 0);
	ASSERT_INT_EQ(sig.n_tokens, 2);
	ASSERT_INT_EQ(
	    sign("Happy New Year to all our friends around the world!", &sig),
	    0);
	ASSERT_INT_EQ(sign("", &sig), 0);
	/* Links and mentions are no words. */
	ASSERT_INT_EQ(sign("@a @b @c https://x.org/1 https://x.org/2 "
	                   "www.example.org/3 see",
	                   &sig),
	              0);
	ASSERT_INT_EQ(sig.n_tokens, 1);
}

static void test_deterministic(void)
{
	struct dedup_sig a, b;
	char hex[DEDUP_HEX_LEN + 1];
	int64_t bands[DEDUP_BANDS];

	REQUIRE(sign(statement, &a) == 1);
	dedup_sig_hex(&a, hex);
	/* The first values and band of this text are fixed for every build
	 * and platform: stored signatures stay comparable. */
	ASSERT_INT_EQ(strlen(hex), DEDUP_HEX_LEN);
	ASSERT_INT_EQ(dedup_sig_parse(hex, &b), 0);
	ASSERT(memcmp(a.h, b.h, sizeof(a.h)) == 0);
	dedup_bands(&a, bands);
	ASSERT_INT_EQ(bands[0] >> 32, 0);
	ASSERT_INT_EQ(bands[19] >> 32, 19);
	ASSERT_INT_EQ(bands[0], 1028797274);
	ASSERT(strncmp(hex, "0f3a754802c2c63c074660ca", 24) == 0);
	ASSERT_INT_EQ(dedup_sig_parse("abc", &b), -EINVAL);
	hex[5] = 'x';
	ASSERT_INT_EQ(dedup_sig_parse(hex, &b), -EINVAL);
}

static void check_key(const char *url, int want_rc, const char *want)
{
	char key[DEDUP_KEY_MAX];

	ASSERT_INT_EQ(dedup_url_key(url, key, sizeof(key)), want_rc);
	if (want_rc == 1)
		ASSERT_STR_EQ(key, want);
}

static void test_url_key(void)
{
	char small[8];

	check_key("https://www.MFA.gov.cn/web/news/2020/", 1,
	          "mfa.gov.cn/web/news/2020");
	check_key("http://mfa.gov.cn:80/web/news/2020#top", 1,
	          "mfa.gov.cn/web/news/2020");
	check_key("https://example.org/a?utm_source=tw&id=7&fbclid=x", 1,
	          "example.org/a?id=7");
	check_key("https://example.org/a?utm_source=tw", 1, "example.org/a");
	check_key("https://example.org/", 0, NULL);
	check_key("https://example.org", 0, NULL);
	check_key("ftp://example.org/a", 0, NULL);
	check_key("https:///a", 0, NULL);
	ASSERT_INT_EQ(dedup_url_key("https://example.org/long/path", small,
	                            sizeof(small)),
	              -ENAMETOOLONG);
}

static void test_links(void)
{
	char keys[DEDUP_MAX_LINKS][DEDUP_KEY_MAX];
	const char *html =
	    "<p><span class=\"h-card\"><a "
	    "href=\"https://mastodon.example/@zhao\" "
	    "class=\"u-url mention\">@<span>zhao</span></a></span> "
	    "<a href=\"https://mastodon.example/tags/china\" class=\"mention "
	    "hashtag\" rel=\"tag\">#<span>china</span></a> read "
	    "<a "
	    "href=\"https://www.mfa.gov.cn/eng/xw/202003/t1.html?a=1&amp;b=2\" "
	    "rel=\"nofollow\">mfa.gov.cn/eng/xw/202003/t1.html</a> and "
	    "<A HREF='https://mastodon.example/@zhao/1'>here</A></p>";
	size_t n;

	n = dedup_links(html, NULL, "https://mastodon.example/@zhao/2", keys);
	ASSERT_INT_EQ(n, 1);
	ASSERT_STR_EQ(keys[0], "mfa.gov.cn/eng/xw/202003/t1.html?a=1&b=2");
	/* Without markup, the URLs of the text; the own site's are left out,
	 * a repeated one counts once. */
	n = dedup_links(
	    NULL,
	    "See https://mfa.gov.cn/a/1.html, (https://x.org/b) and "
	    "https://mfa.gov.cn/a/1.html#p2 and "
	    "https://own.site/page",
	    "https://own.site/post/9", keys);
	ASSERT_INT_EQ(n, 2);
	ASSERT_STR_EQ(keys[0], "mfa.gov.cn/a/1.html");
	ASSERT_STR_EQ(keys[1], "x.org/b");
	n = dedup_links("<a href", "no links here", NULL, keys);
	ASSERT_INT_EQ(n, 0);
	n = dedup_links(
	    "<a href=\"https://a.org/1\"><a class=x href=https://a.org/2>"
	    "<a href='https://a.org/3'><a href=https://a.org/4><a "
	    "href=https://a.org/5>",
	    NULL, NULL, keys);
	ASSERT_INT_EQ(n, DEDUP_MAX_LINKS);
	ASSERT_STR_EQ(keys[1], "a.org/2");
}

static void setup(void)
{
	char err[256];

	if (normalize_open(1, &nz, err, sizeof(err)) < 0) {
		fprintf(stderr, "normalize_open: %s\n", err);
		exit(1);
	}
}

static void test_all(void)
{
	setup();
	test_identical();
	test_one_word_changed();
	test_case_punctuation_links_mentions();
	test_shared_boilerplate();
	test_cjk();
	test_short();
	test_deterministic();
	test_url_key();
	test_links();
	dedup_scratch_free(&scratch);
	normalize_close(nz);
}

TEST_MAIN(TEST(test_all))
