/* test_narrative_match.c — the narrative matcher (case, full-width,
 * Traditional Chinese, substrings, categories, the first term) and the
 * [narrative "KEY"] config sections with their errors as FILE:LINE. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "category.h"
#include "classify.h"
#include "config.h"
#include "narrative_match.h"
#include "test.h"

static const char *const lab_terms[] = {"US Army", "美军", "Fort Detrick"};
static const char *const time_terms[] = {"precious time", "宝贵时间"};
static const char *const herd_terms[] = {"herd immunity"};

static struct narrative_matcher *make(void)
{
	struct narrative_def defs[] = {
	    {"lab", lab_terms, 3, -1},
	    {"time", time_terms, 2, -1},
	    {"herd", herd_terms, 1, 1 /* western_failure */},
	};
	struct narrative_matcher *m = NULL;
	char err[256];

	if (narrative_matcher_new(defs, 3, &m, err, sizeof(err)) < 0)
		return NULL;
	return m;
}

static int match(struct narrative_matcher *m, const char *text, unsigned cats,
                 struct narrative_hit *hits)
{
	return narrative_matcher_match(m, text, strlen(text), cats, hits);
}

static void test_matches(void)
{
	struct narrative_matcher *m = make();
	struct narrative_hit h[3];

	REQUIRE(m);
	ASSERT_INT_EQ(narrative_matcher_count(m), 3);
	/* Case-insensitive, and the term that matched is named. */
	ASSERT_INT_EQ(match(m, "Maybe the us army brought it", 0, h), 1);
	ASSERT_INT_EQ(h[0].narrative, 0);
	ASSERT_INT_EQ(h[0].term, 0);
	/* Full-width letters fold; Traditional Chinese becomes Simplified;
	 * a CJK term matches inside a longer word. */
	ASSERT_INT_EQ(match(m, "ＦＯＲＴ ＤＥＴＲＩＣＫ", 0, h), 1);
	ASSERT_INT_EQ(h[0].term, 2);
	ASSERT_INT_EQ(match(m, "可能是美軍帶到武漢的", 0, h), 1);
	ASSERT_INT_EQ(h[0].term, 1);
	ASSERT_INT_EQ(match(m, "中国为世界争取了宝贵时间", 0, h), 1);
	ASSERT_INT_EQ(h[0].narrative, 1);
	/* Two narratives in one text, in the order of the defs. */
	ASSERT_INT_EQ(match(m, "precious time; and Fort Detrick?", 0, h), 2);
	ASSERT_INT_EQ(h[0].narrative, 0);
	ASSERT_INT_EQ(h[1].narrative, 1);
	/* A substring, as the search: "army" inside another word is not
	 * "US Army", but "US Army" inside "US Army's" is. */
	ASSERT_INT_EQ(match(m, "the US Army's games", 0, h), 1);
	ASSERT_INT_EQ(match(m, "nothing here", 0, h), 0);
	ASSERT_INT_EQ(match(m, "", 0, h), 0);
	/* A narrative bound to a category needs the post to be in it. */
	ASSERT_INT_EQ(match(m, "herd immunity is a massacre", 0, h), 0);
	ASSERT_INT_EQ(match(m, "herd immunity is a massacre", 1u << 1, h), 1);
	ASSERT_INT_EQ(h[0].narrative, 2);
	/* Many scans in a row keep working (the marks are per scan). */
	for (int i = 0; i < 1000; i++)
		ASSERT_INT_EQ(match(m, i % 2 ? "US army" : "nothing", 0, h),
		              i % 2);
	narrative_matcher_free(m);
}

static void test_empty_and_bad(void)
{
	static const char *const blank[] = {" "};
	struct narrative_def bad = {"blank", blank, 1, -1};
	struct narrative_matcher *m = NULL;
	struct narrative_hit h[1];
	char err[256];

	ASSERT_INT_EQ(narrative_matcher_new(NULL, 0, &m, err, sizeof(err)), 0);
	REQUIRE(m);
	ASSERT_INT_EQ(match(m, "US Army", 0, h), 0);
	narrative_matcher_free(m);
	ASSERT_INT_EQ(narrative_matcher_new(&bad, 1, &m, err, sizeof(err)),
	              -EINVAL);
	ASSERT(strstr(err, "blank") != NULL);
	ASSERT(m == NULL);
}

static struct config *parse(const char *text, struct config_errors *errs)
{
	struct config *cfg = NULL;

	config_parse(text, strlen(text), "n.conf", &cfg, errs);
	return cfg;
}

#define BASE "[storage]\ndatabase = /tmp/x.db\n"

static void test_config(void)
{
	struct config_errors errs = {0};
	struct config *cfg;
	char *json = NULL, hash[65], hash2[65];
	int i;

	cfg = parse(BASE "[report]\nalert_categories = origin_narrative,"
	                 " western_failure:spike\nalert_window = 2h\n"
	                 "spike_factor = 2.5\nspike_min = 3\n"
	                 "[narrative \"lab\"]\nname = Lab leak\n"
	                 "terms = US Army | 美军 |Fort Detrick\n"
	                 "category = origin_narrative\nalert = first\n"
	                 "[narrative \"time\"]\nterms = precious time\n",
	            &errs);
	REQUIRE(cfg);
	ASSERT_INT_EQ(errs.n, 0);
	ASSERT_INT_EQ(cfg->n_narratives, 2);
	ASSERT_STR_EQ(cfg->narratives[0].key, "lab");
	ASSERT_STR_EQ(cfg->narratives[0].name, "Lab leak");
	ASSERT_INT_EQ(cfg->narratives[0].n_terms, 3);
	ASSERT_STR_EQ(cfg->narratives[0].terms[1], "美军");
	ASSERT_STR_EQ(cfg->narratives[0].terms[2], "Fort Detrick");
	ASSERT_STR_EQ(cfg->narratives[0].category, "origin_narrative");
	ASSERT_INT_EQ(cfg->narratives[0].alert, CONFIG_ALERT_FIRST);
	ASSERT_INT_EQ(cfg->narratives[1].alert, CONFIG_ALERT_OFF);
	ASSERT_INT_EQ(cfg->report.n_alert_categories, 2);
	ASSERT_INT_EQ(cfg->report.alert_categories[0].alert,
	              CONFIG_ALERT_FIRST);
	ASSERT_INT_EQ(cfg->report.alert_categories[1].alert,
	              CONFIG_ALERT_SPIKE);
	ASSERT_INT_EQ(cfg->report.alert_window, 7200);
	ASSERT(cfg->report.spike_factor == 2.5);
	ASSERT_INT_EQ(cfg->report.spike_min, 3);
	/* The definition's hash changes with the terms, not the name. */
	ASSERT_INT_EQ(
	    config_narrative_definition(&cfg->narratives[0], &json, hash), 0);
	ASSERT(strstr(json, "Fort Detrick") != NULL);
	free(json);
	free(cfg->narratives[0].name);
	cfg->narratives[0].name = NULL;
	config_narrative_definition(&cfg->narratives[0], &json, hash2);
	free(json);
	ASSERT_STR_EQ(hash, hash2);
	cfg->narratives[0].n_terms = 2;
	config_narrative_definition(&cfg->narratives[0], &json, hash2);
	free(json);
	cfg->narratives[0].n_terms = 3;
	ASSERT(strcmp(hash, hash2) != 0);
	config_free(cfg);
	config_errors_clear(&errs);

	/* Defaults. */
	cfg = parse(BASE, &errs);
	REQUIRE(cfg);
	ASSERT_INT_EQ(cfg->report.alert_window, 24 * 3600);
	ASSERT(cfg->report.spike_factor == 3);
	config_free(cfg);
	config_errors_clear(&errs);

	/* Errors, each with its line. */
	cfg = parse(BASE "[narrative \"a\"]\n"          /* 3 */
	                 "terms = x || y\n"             /* 4 */
	                 "[narrative \"b\"]\n"          /* 5 */
	                 "name = B\n"                   /* 6 */
	                 "[narrative \"c\"]\n"          /* 7 */
	                 "terms = x\ncategory = wolf\n" /* 8, 9 */
	                 "alert = loud\n"               /* 10 */
	                 "[narrative \"c\"]\n"          /* 11 */
	                 "terms = |\n"                  /* 12 */
	                 "[narrative bad]\n"            /* 13 */
	                 "[report]\n"                   /* 14 */
	                 "alert_categories = nope\n",   /* 15 */
	            &errs);
	ASSERT(cfg == NULL);
	REQUIRE(errs.n == 8);
	ASSERT(strncmp(errs.msgs[0], "n.conf:4: terms: empty term", 27) == 0);
	ASSERT(strncmp(errs.msgs[1], "n.conf:5: narrative 'b' has no terms",
	               36) == 0);
	ASSERT(strncmp(errs.msgs[2], "n.conf:9: unknown category 'wolf'", 33) ==
	       0);
	ASSERT(strncmp(errs.msgs[3], "n.conf:10: bad alert 'loud'", 27) == 0);
	ASSERT(strncmp(errs.msgs[4], "n.conf:11: duplicate narrative 'c'",
	               34) == 0);
	ASSERT(strncmp(errs.msgs[5], "n.conf:12: terms: empty term", 28) == 0);
	ASSERT(strncmp(errs.msgs[6], "n.conf:13:", 10) == 0);
	ASSERT(strncmp(errs.msgs[7], "n.conf:15: alert_categories", 27) == 0);
	config_errors_clear(&errs);
	cfg = parse(BASE "[report]\nalert_categories = nope\n", &errs);
	ASSERT(cfg == NULL);
	REQUIRE(errs.n == 1);
	ASSERT(strncmp(errs.msgs[0], "n.conf:4: alert_categories: unknown",
	               35) == 0);
	config_errors_clear(&errs);

	/* conf/'s list of categories is classify/'s. */
	for (i = 0; i < CATEGORY_N_CODEBOOK; i++)
		ASSERT_INT_EQ(config_category_known(category_key(i)), 1);
	ASSERT_INT_EQ(config_category_known("wolf"), 0);
}

/* Attached to the classifier, the matcher reads the text the classifier
 * folded: the same narratives, found once per post. */
static void test_attached(void)
{
	struct narrative_matcher *m = make();
	struct classify_rules *R = NULL;
	struct classify_result res;
	char dir[1024], err[512];

	REQUIRE(m);
	snprintf(dir, sizeof(dir), "%s/config/rules", test_source_dir());
	REQUIRE(classify_rules_load(dir, &R, err, sizeof(err)) == 0);
	ASSERT_INT_EQ(
	    classify_text(R, "Could the US Army have brought it?", "en", &res),
	    0);
	ASSERT(res.narratives_by == NULL);
	classify_result_clear(&res);
	REQUIRE(classify_rules_attach_narratives(R, m, err, sizeof(err)) == 0);
	ASSERT_INT_EQ(classify_text(R,
	                            "Could the ＵＳ ａｒｍｙ have brought it?",
	                            "en", &res),
	              0);
	ASSERT(res.narratives_by == m);
	REQUIRE(res.n_narratives == 1);
	ASSERT_INT_EQ(res.narratives[0].narrative, 0);
	classify_result_clear(&res);
	ASSERT(res.narratives == NULL);
	classify_rules_free(R);
	narrative_matcher_free(m);
}

TEST_MAIN(TEST(test_matches), TEST(test_empty_and_bad), TEST(test_config),
          TEST(test_attached))
