/* test_rules.c — the lexicon parser: what a valid file produces, and that
 * every mistake is reported as FILE:LINE with a useful message. */
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "rules.h"
#include "test.h"
#include "util.h"

static int parse(struct rules_set *set, const char *text, char *err,
                 size_t errlen)
{
	return rules_parse_buffer(set, "t.rules", text, strlen(text), err,
	                          errlen);
}

static void test_valid_file(void)
{
	struct rules_set set;
	char err[256] = "";
	const char *text =
	    "# comment\n"
	    "version 3\n"
	    "category origin_narrative\n"
	    "threshold 2.5\n"
	    "lang en es\n"
	    "term 3 fort detrick | #FortDetrick\n"
	    "term -1.5 conspiracy theor*\n"
	    "group army: us army | *soldiers\n"
	    "lang zh\n"
	    "group wuhan: 武汉\n"
	    "group army: 美军\n"
	    "rule army_wuhan 2 within 120 chars: army + wuhan + !veto\n"
	    "rule any_army 1 anywhere: army\n"
	    "rule words 1 within 5 words: army + wuhan\n"
	    "negation 20: not | never\n"
	    "group veto: ccp\n";

	rules_set_init(&set);
	ASSERT_INT_EQ(parse(&set, text, err, sizeof(err)), 0);
	ASSERT_INT_EQ(rules_finish(&set, err, sizeof(err)), 0);
	ASSERT_STR_EQ(err, "");
	ASSERT_INT_EQ(set.n_files, 1);
	ASSERT_STR_EQ(set.files[0].version, "3");
	ASSERT_INT_EQ(set.n_groups, 3);
	ASSERT_INT_EQ(set.n_rules, 3);
	ASSERT(set.cats[3].has_threshold);
	ASSERT(set.cats[3].threshold == 2.5);
	/* 2 + 1 terms, 2 + 1 + 1 cues, 2 negations, 1 veto cue */
	ASSERT_INT_EQ(set.n_entries, 10);
	ASSERT_STR_EQ(set.entries[1].phrase, "#FortDetrick");
	ASSERT_INT_EQ(set.entries[1].langs, RULES_LANG_EN | RULES_LANG_ES);
	ASSERT(set.entries[2].weight == -1.5);
	ASSERT_INT_EQ(set.entries[2].wild, RULES_WILD_RIGHT);
	ASSERT_STR_EQ(set.entries[2].phrase, "conspiracy theor*");
	ASSERT_INT_EQ(set.entries[4].wild, RULES_WILD_LEFT);
	ASSERT_INT_EQ(set.entries[5].langs, RULES_LANG_ZH);
	ASSERT_INT_EQ(set.entries[6].group, set.entries[3].group);
	ASSERT_INT_EQ(set.entries[6].line, 11);
	ASSERT_INT_EQ(set.rules[0].n_need, 2);
	ASSERT_INT_EQ(set.rules[0].n_veto, 1);
	ASSERT_INT_EQ(set.rules[0].window, 120);
	ASSERT_INT_EQ(set.rules[0].veto[0], 2);
	ASSERT_INT_EQ(set.rules[1].unit, RULES_UNIT_ANYWHERE);
	ASSERT_INT_EQ(set.rules[2].unit, RULES_UNIT_WORDS);
	ASSERT_INT_EQ(set.entries[8].kind, RULES_NEGATION);
	ASSERT_INT_EQ(set.entries[8].window, 20);
	rules_set_free(&set);
}

static void test_crlf_bom_and_hash(void)
{
	struct rules_set a, b;
	char err[256];

	rules_set_init(&a);
	rules_set_init(&b);
	ASSERT_INT_EQ(parse(&a,
	                    "\xEF\xBB\xBFversion 1\r\ncategory "
	                    "blame_rebuttal\r\nthreshold 1\r\nterm 1 x\r\n",
	                    err, sizeof(err)),
	              0);
	ASSERT_INT_EQ(parse(&b,
	                    "version 1\ncategory blame_rebuttal\n"
	                    "threshold 1\nterm 1 y\n",
	                    err, sizeof(err)),
	              0);
	ASSERT(a.hash != b.hash);
	ASSERT_STR_EQ(a.entries[0].phrase, "x");
	rules_set_free(&a);
	rules_set_free(&b);
}

struct bad_case {
	const char *text;  /* file content */
	const char *where; /* expected message prefix */
	const char *what;  /* a word the message must contain */
};

static void test_errors_name_file_and_line(void)
{
	static const struct bad_case cases[] = {
	    {"category blame_rebuttal\nthreshold 1\n", "t.rules:1:", "version"},
	    {"version 1\nfrobnicate x\n", "t.rules:2:", "unknown keyword"},
	    {"version 1\nterm 1 x\n", "t.rules:2:", "category"},
	    {"version 1\ncategory Bogus\n",
	     "t.rules:2:", "invalid category key"},
	    {"version 1\ncategory sovereignty-threat\n",
	     "t.rules:2:", "lowercase letters, digits and '_'"},
	    {"version 1\ncategory abcdefghijklmnopqrstuvwxyz0123456\n",
	     "t.rules:2:", "at most 32"},
	    {"version 1\nname Sovereignty\n",
	     "t.rules:2:", "'name' before any 'category'"},
	    {"version 1\ncategory x_y\nname A\nname B\n",
	     "t.rules:4:", "second 'name' line for category x_y"},
	    {"version 1\ncategory x_y\ndescription\n",
	     "t.rules:3:", "expected text after 'description'"},
	    {"version 1\ncategory origin_narrative\nthreshold abc\n",
	     "t.rules:3:", "number"},
	    {"version 1\ncategory origin_narrative\nthreshold 0\n",
	     "t.rules:3:", "above 0"},
	    {"version 1\ncategory origin_narrative\nthreshold 1\n"
	     "threshold 2\n",
	     "t.rules:4:", "already set"},
	    {"version 1\ncategory origin_narrative\nterm 1 a || b\n",
	     "t.rules:3:", "empty phrase"},
	    {"version 1\ncategory origin_narrative\nterm 1 a*b\n",
	     "t.rules:3:", "'*'"},
	    {"version 1\ncategory origin_narrative\nterm 0 a\n",
	     "t.rules:3:", "weight"},
	    {"version 1\ncategory origin_narrative\nterm 1\n",
	     "t.rules:3:", "phrase"},
	    {"version 1\nlang xx\n", "t.rules:2:", "unknown language"},
	    {"version 1\ngroup : a\n", "t.rules:2:", "group name"},
	    {"version 1\ngroup g a\n", "t.rules:2:", "':'"},
	    {"version 1\ncategory origin_narrative\n"
	     "rule r 1 within 10 lines: a\n",
	     "t.rules:3:", "chars"},
	    {"version 1\ncategory origin_narrative\nrule r 1 near: a\n",
	     "t.rules:3:", "within"},
	    {"version 1\ncategory origin_narrative\n"
	     "rule r 1 within 0 sentences: a\n",
	     "t.rules:3:", "0 sentences"},
	    {"version 1\nreport 0: claims\n", "t.rules:2:", "above 0"},
	    {"version 1\nreport before x: claims\n", "t.rules:2:", "reach"},
	    {"version 1\nreport 10 claims\n", "t.rules:2:", "':'"},
	    {"version 1\ncategory origin_narrative\n"
	     "rule r 1 anywhere: a b\n",
	     "t.rules:3:", "'+'"},
	    {"version 1\ncategory origin_narrative\n"
	     "rule r 1 anywhere: !a\n",
	     "t.rules:3:", "at least one group"},
	    {"version 1\ncategory origin_narrative\n"
	     "rule r 1 anywhere: a\nrule r 1 anywhere: a\n",
	     "t.rules:4:", "already declared"},
	    {"version 1\ncategory origin_narrative\n"
	     "rule r 1 within 999999999 chars: a\n",
	     "t.rules:3:", "larger"},
	    {"version 1\ncategory origin_narrative\nnegation x: a\n",
	     "t.rules:3:", "whole number"},
	    {"version 1\nversion 2\n", "t.rules:2:", "second"},
	    {"version 1\ncategory origin_narrative\nterm 1 a\xff\n",
	     "t.rules:3:", "UTF-8"},
	    {"version 1 2\n", "t.rules:1:", "version"},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rules_set set;
		char err[256] = "";
		int r;

		rules_set_init(&set);
		r = parse(&set, cases[i].text, err, sizeof(err));
		if (r != -EINVAL ||
		    strncmp(err, cases[i].where, strlen(cases[i].where)) != 0 ||
		    !strstr(err, cases[i].what)) {
			fprintf(stderr, "case %zu: r=%d err=\"%s\"\n", i, r,
			        err);
			test_failures++;
		}
		rules_set_free(&set);
	}
}

static void test_finish_errors(void)
{
	struct rules_set set;
	char err[256] = "";

	rules_set_init(&set);
	ASSERT_INT_EQ(parse(&set,
	                    "version 1\ncategory origin_narrative\n"
	                    "threshold 1\n\nrule r 1 anywhere: nosuch\n",
	                    err, sizeof(err)),
	              0);
	ASSERT_INT_EQ(rules_finish(&set, err, sizeof(err)), -EINVAL);
	ASSERT(strncmp(err, "t.rules:5:", 10) == 0);
	ASSERT(strstr(err, "nosuch") != NULL);
	rules_set_free(&set);

	rules_set_init(&set);
	ASSERT_INT_EQ(parse(&set,
	                    "version 1\ncategory western_failure\n"
	                    "term 2 fake news\n",
	                    err, sizeof(err)),
	              0);
	ASSERT_INT_EQ(rules_finish(&set, err, sizeof(err)), -EINVAL);
	ASSERT(strncmp(err, "t.rules:3:", 10) == 0);
	ASSERT(strstr(err, "threshold") != NULL);
	rules_set_free(&set);
}

static void test_line_too_long(void)
{
	struct rules_set set;
	char err[256] = "";
	char *text = malloc(RULES_MAX_LINE + 64);

	REQUIRE(text);
	strcpy(text, "version 1\n# ");
	memset(text + 12, 'x', RULES_MAX_LINE);
	text[12 + RULES_MAX_LINE] = '\0';
	rules_set_init(&set);
	ASSERT_INT_EQ(parse(&set, text, err, sizeof(err)), -EINVAL);
	ASSERT(strncmp(err, "t.rules:2:", 10) == 0);
	rules_set_free(&set);
	free(text);
}

static void test_lang_bits(void)
{
	ASSERT_INT_EQ(rules_lang_bits("zh-Hant"), RULES_LANG_ZH);
	ASSERT_INT_EQ(rules_lang_bits("en"), RULES_LANG_EN);
	ASSERT_INT_EQ(rules_lang_bits("de"), RULES_LANG_ANY);
	ASSERT_INT_EQ(rules_lang_bits(NULL), RULES_LANG_ANY);
	ASSERT_INT_EQ(category_index("origin_narrative"), 3);
	ASSERT_INT_EQ(category_index("none"), -1);
}

/* A category of its own file: after the codebook's four, with its name
 * and its description (lines add up). */
static void test_added_category(void)
{
	struct rules_set set;
	char err[256] = "";

	rules_set_init(&set);
	ASSERT_INT_EQ(set.catset.n, CATEGORY_N_CODEBOOK);
	ASSERT_INT_EQ(parse(&set,
	                    "version 1\ncategory sovereignty_threat\n"
	                    "name Sovereignty threat\n"
	                    "description Warns that others' acts\n"
	                    "description touch China's core interests.\n"
	                    "threshold 2\nterm 2 internal affairs\n"
	                    "category origin_narrative\nthreshold 2\n"
	                    "term 2 fort detrick\n",
	                    err, sizeof(err)),
	              0);
	ASSERT_INT_EQ(rules_finish(&set, err, sizeof(err)), 0);
	ASSERT_INT_EQ(set.catset.n, 5);
	ASSERT_STR_EQ(set.catset.key[4], "sovereignty_threat");
	ASSERT_STR_EQ(set.catset.name[4], "Sovereignty threat");
	ASSERT_STR_EQ(set.catset.description[4],
	              "Warns that others' acts touch China's core interests.");
	ASSERT_INT_EQ(category_set_index(&set.catset, "origin_narrative"), 3);
	ASSERT_INT_EQ(set.entries[0].category, 4);
	ASSERT(set.cats[4].has_threshold);
	rules_set_free(&set);
}

/* At most CATEGORY_MAX categories; the one too many is named. */
static void test_too_many_categories(void)
{
	struct rules_set set;
	struct buf b = {0};
	char err[256] = "";
	int i;

	buf_puts(&b, "version 1\n");
	for (i = CATEGORY_N_CODEBOOK; i <= CATEGORY_MAX; i++)
		buf_printf(&b, "category extra_%d\n", i);
	rules_set_init(&set);
	ASSERT_INT_EQ(parse(&set, b.data, err, sizeof(err)), -EINVAL);
	ASSERT(strstr(err, "t.rules:14:") == err);
	ASSERT(strstr(err, "'extra_16' is one too many") != NULL);
	ASSERT(strstr(err, "at most 16 categories") != NULL);
	rules_set_free(&set);
	buf_free(&b);
}

/* A folder's categories come in file-name order, not key order, and a
 * category named in two files is one category. */
static void test_added_category_order(void)
{
	struct rules_set set;
	char err[512] = "", dir[1024], path[1100];

	snprintf(dir, sizeof(dir), "%s/cats", test_tmpdir());
	REQUIRE(mkdir(dir, 0700) == 0 || errno == EEXIST);
	snprintf(path, sizeof(path), "%s/a.rules", dir);
	test_write_file(path, "version 1\ncategory zeta\nthreshold 1\n"
	                      "term 1 zzz\n");
	snprintf(path, sizeof(path), "%s/b.rules", dir);
	test_write_file(path, "version 1\ncategory alpha\nthreshold 1\n"
	                      "term 1 aaa\ncategory zeta\nterm 1 yyy\n");
	snprintf(path, sizeof(path), "%s/notes.txt", dir);
	test_write_file(path, "category ignored\n");
	rules_set_init(&set);
	ASSERT_INT_EQ(rules_load_dir(&set, dir, err, sizeof(err)), 0);
	ASSERT_INT_EQ(set.catset.n, 6);
	ASSERT_STR_EQ(set.catset.key[0], "blame_rebuttal");
	ASSERT_STR_EQ(set.catset.key[4], "zeta");
	ASSERT_STR_EQ(set.catset.key[5], "alpha");
	rules_set_free(&set);
}

static void test_shipped_rules_load(void)
{
	struct rules_set set;
	char err[512] = "", dir[1024];

	snprintf(dir, sizeof(dir), "%s/config/rules", test_source_dir());
	rules_set_init(&set);
	ASSERT_INT_EQ(rules_load_dir(&set, dir, err, sizeof(err)), 0);
	if (err[0])
		fprintf(stderr, "%s\n", err);
	ASSERT(set.n_files >= 5);
	ASSERT(set.n_entries > 500);
	/* The shipped folder defines the codebook's four, no more. */
	ASSERT_INT_EQ(set.catset.n, CATEGORY_N_CODEBOOK);
	rules_set_free(&set);

	rules_set_init(&set);
	ASSERT(rules_load_dir(&set, "/nonexistent/rules", err, sizeof(err)) <
	       0);
	ASSERT(strstr(err, "/nonexistent/rules") != NULL);
	rules_set_free(&set);
}

TEST_MAIN(TEST(test_valid_file), TEST(test_crlf_bom_and_hash),
          TEST(test_errors_name_file_and_line), TEST(test_finish_errors),
          TEST(test_line_too_long), TEST(test_lang_bits),
          TEST(test_shipped_rules_load), TEST(test_added_category),
          TEST(test_too_many_categories), TEST(test_added_category_order))
