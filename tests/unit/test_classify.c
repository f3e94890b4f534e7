/* test_classify.c — scoring, evidence offsets, windows, vetoes, negation
 * and languages on a small rule set of the test's own; the shipped
 * lexicons on example sentences in six languages and hard negatives; and
 * a floor for the macro-F1 of the shipped lexicons on the labelled set. */
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "classify.h"
#include "test.h"
#include "util.h"

static const char *small_rules =
    "version 7\n"
    "category origin_narrative\n"
    "threshold 2\n"
    "lang en\n"
    "term 2 fort detrick\n"
    "term 1 detrick\n"
    "term 1 origin*\n"
    "group army: us army\n"
    "lang any\n"
    "group wuhan: wuhan | 武汉\n"
    "lang zh\n"
    "group army: 美军\n"
    "lang any\n"
    "group deny: conspiracy\n"
    "rule army_wuhan 2 within 30 chars: army + wuhan + !deny\n"
    "rule army_wuhan_words 0.5 within 4 words: army + wuhan\n"
    "negation 10: not\n"
    "category western_failure\n"
    "threshold 1\n"
    "term 1 fake news\n"
    "term -1 not fake\n";

static struct classify_rules *load_small(void)
{
	char dir[1024], path[1100], err[512];
	struct classify_rules *R = NULL;

	snprintf(dir, sizeof(dir), "%s", test_tmpdir());
	snprintf(path, sizeof(path), "%s/small.rules", dir);
	test_write_file(path, small_rules);
	if (classify_rules_load(dir, &R, err, sizeof(err)) < 0)
		fprintf(stderr, "load: %s\n", err);
	return R;
}

static const struct classify_category *find_cat(const struct classify_result *r,
                                                const char *key)
{
	size_t i;

	for (i = 0; i < r->n_cats; i++)
		if (strcmp(r->cats[i].key, key) == 0)
			return &r->cats[i];
	return NULL;
}

static const struct classify_evidence *
find_ev(const struct classify_category *c, const char *term)
{
	size_t i;

	for (i = 0; c && i < c->n_evidence; i++)
		if (strcmp(c->evidence[i].term, term) == 0)
			return &c->evidence[i];
	return NULL;
}

static void test_offsets_and_scores(void)
{
	struct classify_rules *R = load_small();
	struct classify_result res;
	const struct classify_category *c;
	const struct classify_evidence *e;
	/* "&amp;" is 5 code points of input but one folded character. */
	const char *t = "Q &amp; A: é FORT  Detrick, origins?";

	REQUIRE(R);
	ASSERT_INT_EQ(classify_text(R, t, "en", &res), 0);
	c = find_cat(&res, "origin_narrative");
	REQUIRE(c);
	ASSERT(c->assigned);
	ASSERT(c->score == 3.0); /* fort detrick 2 (detrick shadowed) + 1 */
	e = find_ev(c, "fort detrick");
	REQUIRE(e);
	ASSERT_INT_EQ(e->start, 13);
	ASSERT_INT_EQ(e->end, 26);
	e = find_ev(c, "origin*");
	REQUIRE(e);
	ASSERT_INT_EQ(e->start, 28);
	ASSERT_INT_EQ(e->end, 35); /* the whole word "origins" */
	ASSERT(find_ev(c, "detrick") == NULL);
	ASSERT(find_cat(&res, "western_failure") == NULL);
	classify_result_clear(&res);
	ASSERT(res.cats == NULL && res.n_cats == 0);
	classify_rules_free(R);
}

static void test_rules_windows_veto_lang(void)
{
	struct classify_rules *R = load_small();
	struct classify_result res;
	const struct classify_category *c;
	const struct classify_evidence *e;

	REQUIRE(R);
	/* Within 30 chars (and 4 words): 2 + 0.5. */
	ASSERT_INT_EQ(classify_text(R, "The US Army in Wuhan.", "en", &res), 0);
	c = find_cat(&res, "origin_narrative");
	REQUIRE(c);
	ASSERT(c->score == 2.5);
	e = find_ev(c, "rule:army_wuhan");
	REQUIRE(e);
	ASSERT_INT_EQ(e->start, 4);
	ASSERT_INT_EQ(e->end, 20);
	classify_result_clear(&res);
	/* Too far apart. */
	ASSERT_INT_EQ(classify_text(R,
	                            "The US Army held games; much later and "
	                            "far away, something in Wuhan.",
	                            "en", &res),
	              0);
	ASSERT(find_cat(&res, "origin_narrative") == NULL);
	classify_result_clear(&res);
	/* Vetoed by a '!' group anywhere in the post. */
	ASSERT_INT_EQ(
	    classify_text(R, "A conspiracy: US Army in Wuhan", "en", &res), 0);
	ASSERT(find_cat(&res, "origin_narrative") == NULL);
	classify_result_clear(&res);
	/* Chinese cue, Traditional input, offsets in the input text. */
	ASSERT_INT_EQ(classify_text(R, "說美軍到武漢", "zh-Hant", &res), 0);
	c = find_cat(&res, "origin_narrative");
	REQUIRE(c);
	e = find_ev(c, "美军");
	REQUIRE(e);
	ASSERT_INT_EQ(e->start, 1);
	ASSERT_INT_EQ(e->end, 3);
	e = find_ev(c, "武汉");
	REQUIRE(e);
	ASSERT_INT_EQ(e->start, 4);
	classify_result_clear(&res);
	/* An English-only phrase does not fire on a Spanish post. */
	ASSERT_INT_EQ(classify_text(R, "fort detrick", "es", &res), 0);
	ASSERT(find_cat(&res, "origin_narrative") == NULL);
	classify_result_clear(&res);
	/* ... but does on a post of unknown language. */
	ASSERT_INT_EQ(classify_text(R, "fort detrick", NULL, &res), 0);
	ASSERT(find_cat(&res, "origin_narrative") != NULL);
	classify_result_clear(&res);
	classify_rules_free(R);
}

static const char *frame_rules =
    "version 3\n"
    "report 60: claims that\n"
    "report 6: 所谓\nreport 30: 声称\n"
    "report before 30: と主張\n"
    "category western_failure\n"
    "threshold 2\n"
    "group actor: the us | the u.s. | 美方 | 米国\n"
    "group lie: lies | 谎言 | 嘘\n"
    "group other_liar: china lies\n"
    "rule actor_lies 2 within 1 sentences: ~actor + lie + !other_liar\n"
    "category blame_rebuttal\n"
    "threshold 2\n"
    "term 2 cover-up\n"
    "group charge: hid\n"
    "group deny: false\n"
    "rule charge_denied 2 within 2 sentences: @charge + deny\n";

static struct classify_rules *load_frames(void)
{
	char dir[1024], path[1100], err[512];
	struct classify_rules *R = NULL;

	snprintf(dir, sizeof(dir), "%s/frames", test_tmpdir());
	mkdir(dir, 0755);
	snprintf(path, sizeof(path), "%s/frames.rules", dir);
	test_write_file(path, frame_rules);
	if (classify_rules_load(dir, &R, err, sizeof(err)) < 0)
		fprintf(stderr, "load: %s\n", err);
	return R;
}

/* Is category key assigned for text? */
static int assigned(const struct classify_rules *R, const char *text,
                    const char *lang, const char *key)
{
	struct classify_result res;
	const struct classify_category *c;
	int yes;

	if (classify_text(R, text, lang, &res) != 0)
		return -1;
	c = find_cat(&res, key);
	yes = c && c->assigned;
	classify_result_clear(&res);
	return yes;
}

/* Reported speech ("X claims that ...", 所谓, と主張) is not the speaker's
 * stance; windows counted in sentences (clauses in CJK text). */
static void test_reported_speech_and_sentences(void)
{
	struct classify_rules *R = load_frames();

	REQUIRE(R);
	ASSERT_INT_EQ(
	    assigned(R, "The US tells lies.", "en", "western_failure"), 1);
	/* The charge restated is not made: "lies" lies in reported speech. */
	ASSERT_INT_EQ(assigned(R, "Beijing claims that the US tells lies.",
	                       "en", "western_failure"),
	              0);
	/* The span ends with its sentence; "u.s." does not end one. */
	ASSERT_INT_EQ(assigned(R,
	                       "Someone claims that it rained. The U.S. "
	                       "official lies again.",
	                       "en", "western_failure"),
	              1);
	/* Nor does the end of a dotted abbreviation ("EE.UU."). */
	ASSERT_INT_EQ(assigned(R,
	                       "Someone claims that it rained. The US and "
	                       "EE.UU. press lies again.",
	                       "en", "western_failure"),
	              1);
	/* A stop after a closed quotation ends the sentence, and with it
	 * the reported speech. */
	ASSERT_INT_EQ(assigned(R,
	                       "Someone claims that it was \"a miracle\". The "
	                       "US lies again.",
	                       "en", "western_failure"),
	              1);
	/* One sentence apart is too far for a 1-sentence window. */
	ASSERT_INT_EQ(assigned(R, "The US spoke. Later there were lies.", "en",
	                       "western_failure"),
	              0);
	/* A Chinese comma ends a clause, which ends reported speech but
	 * not a sentence. */
	ASSERT_INT_EQ(
	    assigned(R, "美方说了话，别人说谎言", "zh-Hans", "western_failure"),
	    1);
	ASSERT_INT_EQ(
	    assigned(R, "美方说了话。别人说谎言", "zh-Hans", "western_failure"),
	    0);
	ASSERT_INT_EQ(assigned(R, "有人声称美方说谎言，这不对", "zh-Hans",
	                       "western_failure"),
	              0);
	ASSERT_INT_EQ(assigned(R, "美方散布谎言", "zh-Hans", "western_failure"),
	              1);
	/* 所谓 takes the quotation right after it. */
	ASSERT_INT_EQ(
	    assigned(R, "美方所谓“谎言”", "zh-Hans", "western_failure"), 0);
	/* と主張 closes a span that precedes it. */
	ASSERT_INT_EQ(
	    assigned(R, "米国は嘘だと主張した", "ja", "western_failure"), 0);
	ASSERT_INT_EQ(assigned(R, "米国は嘘をついた", "ja", "western_failure"),
	              1);
	/* '@' wants the charge inside reported speech, then the denial. */
	ASSERT_INT_EQ(assigned(R,
	                       "The US claims that China hid data. That is "
	                       "false.",
	                       "en", "blame_rebuttal"),
	              1);
	ASSERT_INT_EQ(assigned(R, "China hid data. That is false.", "en",
	                       "blame_rebuttal"),
	              0);
	/* A veto counts only outside reported speech: the other side's
	 * charge ("China lies"), restated, does not stop the speaker's own
	 * frame; said by the speaker, it does. */
	ASSERT_INT_EQ(assigned(R,
	                       "They claims that china lies. The US tells "
	                       "lies.",
	                       "en", "western_failure"),
	              1);
	ASSERT_INT_EQ(assigned(R, "China lies. The US tells lies.", "en",
	                       "western_failure"),
	              0);
	/* A term inside reported speech does not count. */
	ASSERT_INT_EQ(assigned(R, "They claims that a cover-up happened.", "en",
	                       "blame_rebuttal"),
	              0);
	ASSERT_INT_EQ(
	    assigned(R, "There was no cover-up.", "en", "blame_rebuttal"), 1);
	classify_rules_free(R);
}

/* The rule frames as stacked model features: same text, same ids;
 * a frame that holds adds ids. */
static void test_rule_features(void)
{
	struct classify_rules *R = load_frames();
	uint32_t a[64], b[64], c[64];
	size_t na, nb, nc;

	REQUIRE(R);
	ASSERT_INT_EQ(
	    classify_rule_features(R, "The US tells lies.", "en", a, 64, &na),
	    0);
	ASSERT_INT_EQ(
	    classify_rule_features(R, "The US tells lies.", "en", b, 64, &nb),
	    0);
	ASSERT_INT_EQ(na, nb);
	ASSERT(memcmp(a, b, na * sizeof(*a)) == 0);
	ASSERT_INT_EQ(
	    classify_rule_features(R, "Nothing here.", "en", c, 64, &nc), 0);
	/* Language and a score bin per category, plus the frame that held. */
	ASSERT_INT_EQ(nc, 3);
	ASSERT_INT_EQ(na, 4);
	ASSERT_INT_EQ(
	    classify_rule_features(R, "The US tells lies.", "en", a, 2, &na),
	    0);
	ASSERT_INT_EQ(na, 2);
	classify_rules_free(R);
}

static void test_negation_and_negative_weights(void)
{
	struct classify_rules *R = load_small();
	struct classify_result res;

	REQUIRE(R);
	/* "not" just before a term cancels it. */
	ASSERT_INT_EQ(classify_text(R, "it is not Fort Detrick", "en", &res),
	              0);
	ASSERT(find_cat(&res, "origin_narrative") == NULL);
	classify_result_clear(&res);
	/* Negative weight: "not fake news" scores 1 - 1. */
	ASSERT_INT_EQ(classify_text(R, "That is not fake news", "en", &res), 0);
	ASSERT(find_cat(&res, "western_failure") == NULL);
	classify_result_clear(&res);
	ASSERT_INT_EQ(classify_text(R, "That is fake news", "en", &res), 0);
	ASSERT(find_cat(&res, "western_failure") != NULL);
	classify_result_clear(&res);
	/* Word boundaries: "detricks" is not "detrick". */
	ASSERT_INT_EQ(classify_text_opts(R, "fortdetricks", "en",
	                                 CLASSIFY_ALL_SCORES, &res),
	              0);
	ASSERT_INT_EQ(res.n_cats, 0);
	classify_result_clear(&res);
	/* Under threshold with ALL_SCORES: listed, not assigned. */
	ASSERT_INT_EQ(
	    classify_text_opts(R, "origins", "en", CLASSIFY_ALL_SCORES, &res),
	    0);
	REQUIRE(res.n_cats == 1);
	ASSERT(!res.cats[0].assigned);
	ASSERT(res.cats[0].threshold == 2.0);
	classify_result_clear(&res);
	ASSERT(strncmp(classify_rules_version(R), "7+", 2) == 0);
	ASSERT_INT_EQ(strlen(classify_rules_version(R)), 10);
	classify_rules_free(R);
}

static void test_load_errors(void)
{
	struct classify_rules *R = NULL;
	char dir[1024], path[1100], err[512] = "";

	snprintf(dir, sizeof(dir), "%s/bad", test_tmpdir());
	REQUIRE(mkdir(dir, 0700) == 0);
	snprintf(path, sizeof(path), "%s/a.rules", dir);
	test_write_file(path, "version 1\ncategory origin_narrative\n"
	                      "threshold 1\nterm 1 \xe2\x80\x8b\n");
	/* A phrase of only an invisible character folds to nothing. */
	ASSERT_INT_EQ(classify_rules_load(dir, &R, err, sizeof(err)), -EINVAL);
	ASSERT(strstr(err, "a.rules:4:") != NULL);
	ASSERT(R == NULL);
	ASSERT(classify_rules_load("/nonexistent", &R, err, sizeof(err)) < 0);
}

/* ---- the shipped lexicons ---- */

static struct classify_rules *load_shipped(void)
{
	char dir[1024], err[512];
	struct classify_rules *R = NULL;

	snprintf(dir, sizeof(dir), "%s/config/rules", test_source_dir());
	if (classify_rules_load(dir, &R, err, sizeof(err)) < 0)
		fprintf(stderr, "load: %s\n", err);
	return R;
}

struct example {
	const char *lang;   /* post language */
	const char *expect; /* comma-separated keys, or "" for none */
	const char *text;   /* written for this test */
};

static const struct example examples[] = {
    /* English */
    {"en", "origin_narrative",
     "Why won't Washington let anyone inspect Fort Detrick? The world "
     "deserves answers."},
    {"en", "origin_narrative",
     "Dozens of US military athletes came to Wuhan in October 2019. "
     "When will the US release their health records?"},
    {"en", "western_failure",
     "So-called herd immunity meant leaving the elderly to die in care "
     "homes."},
    {"en", "western_failure",
     "US politicians keep spreading lies about China instead of saving "
     "their own people."},
    {"en", "blame_rebuttal",
     "Stop scapegoating China. The virus is the enemy of all."},
    {"en", "blame_rebuttal",
     "China has made its vaccines a global public good and delivered "
     "them to over 100 countries."},
    {"en", "economic_coercion",
     "If Canberra keeps pushing this inquiry, Chinese consumers may "
     "think twice about Australian wine and beef."},
    {"en", "",
     "The Ambassador met the Mayor to discuss student "
     "exchanges and the Lunar New Year gala."},
    {"en", "", "Today we delivered 50,000 masks to the city hospital."},
    {"en", "",
     "China firmly opposes US sanctions on Chinese companies and will "
     "protect their lawful rights."},
    {"en", "",
     "The WHO origins study team presented its report in Geneva today."},
    /* Tweet forms (issue 15, third pass): @handles, sarcasm, the
     * reported charge called baseless, China as the liar. */
    {"en", "western_failure",
     "Congrats, @StateDept: 400,000 Americans dead and you are still "
     "lecturing the world on human rights."},
    {"en", "blame_rebuttal",
     "Claims that China obstructed the WHO experts are baseless. They "
     "had full access to every site they asked for."},
    {"en", "",
     "Beijing is spreading lies about Western vaccines. Trust the "
     "science."},
    {"es", "western_failure",
     "Los medios occidentales publican historias sobre Xinjiang sin "
     "ninguna prueba."},
    {"es", "economic_coercion",
     "Las empresas checas que acompañen al senador a Taipéi encontrarán "
     "cerradas las puertas del mercado chino."},
    {"es", "",
     "EE.UU. denuncia las mentiras del régimen de Maduro sobre las "
     "elecciones."},
    /* Spanish */
    {"es", "origin_narrative",
     "Muestras de aguas residuales de 2019 en Italia y Brasil ya "
     "contenían el virus. ¿Dónde empezó realmente?"},
    {"es", "blame_rebuttal",
     "China ganó tiempo valioso para el mundo con su confinamiento."},
    {"es", "",
     "La Embajada celebró la Fiesta de la Primavera con la "
     "comunidad china en Madrid."},
    /* French */
    {"fr", "western_failure",
     "L'immunité collective, c'est laisser mourir les plus vulnérables."},
    {"fr", "economic_coercion",
     "Si Vilnius persiste sur Taïwan, ses exportateurs en paieront le "
     "prix sur le marché chinois."},
    {"fr", "", "Remise de masques au ministère de la Santé ce matin."},
    /* Simplified Chinese */
    {"zh-Hans", "origin_narrative", "美方为何不开放德特里克堡接受国际调查？"},
    {"zh-Hans", "western_failure",
     "美国一些政客把疫情政治化，死亡人数却不断攀升。"},
    {"zh-Hans", "", "驻美国使馆祝大家新春快乐！"},
    /* Traditional Chinese */
    {"zh-Hant", "blame_rebuttal", "中國第一時間與世界分享了病毒基因組序列。"},
    {"zh-Hant", "economic_coercion",
     "若立陶宛繼續在台灣問題上挑釁，中國消費者自然會用腳投票。"},
    {"zh-Hant", "", "香港特區政府今日舉行國慶酒會。"},
    /* Japanese */
    {"ja", "origin_narrative",
     "2019年の武漢軍人運動会に参加した米軍関係者の検査記録は公開されて"
     "いない。"},
    {"ja", "western_failure",
     "欧米の集団免疫政策は、高齢者を見殺しにするものだった。"},
    {"ja", "", "大使館で春節の交流会を開催しました。"},
};

static void test_shipped_examples(void)
{
	struct classify_rules *R = load_shipped();
	size_t i, j;

	REQUIRE(R);
	for (i = 0; i < sizeof(examples) / sizeof(examples[0]); i++) {
		const struct example *x = &examples[i];
		struct classify_result res;
		char got[200] = "";

		REQUIRE(classify_text(R, x->text, x->lang, &res) == 0);
		for (j = 0; j < res.n_cats; j++) {
			if (got[0])
				strcat(got, ",");
			strcat(got, res.cats[j].key);
			/* Evidence lies inside the text. */
			ASSERT(res.cats[j].n_evidence > 0);
		}
		if (strcmp(got, x->expect) != 0) {
			fprintf(stderr,
			        "example %zu [%s]: want \"%s\" got "
			        "\"%s\": %s\n",
			        i, x->lang, x->expect, got, x->text);
			test_failures++;
		}
		classify_result_clear(&res);
	}
	classify_rules_free(R);
}

/* Macro-F1 of the shipped lexicons on a labelled TSV (id, labels, lang,
 * text) into *out; the number of statements read goes to *count. */
static void macro_f1_of(const char *path, long *count, double *out)
{
	struct classify_rules *R = load_shipped();
	char *data = NULL, *s, *end;
	long tp[4] = {0}, fp[4] = {0}, fn[4] = {0}, n = 0;
	double macro = 0;
	size_t len;
	int i;

	*count = 0;
	*out = 0;
	REQUIRE(R);
	REQUIRE(util_read_file(path, 0, &data, &len) == 0);
	for (s = data, end = data + len; s < end;) {
		char *nl = memchr(s, '\n', (size_t)(end - s));
		char *id, *labels, *lang, *text;
		struct classify_result res;
		unsigned gold = 0, pred = 0;
		size_t j;

		if (nl)
			*nl = '\0';
		id = s;
		s = nl ? nl + 1 : end;
		labels = strchr(id, '\t');
		if (!labels)
			continue;
		*labels++ = '\0';
		lang = strchr(labels, '\t');
		REQUIRE(lang);
		*lang++ = '\0';
		text = strchr(lang, '\t');
		REQUIRE(text);
		*text++ = '\0';
		for (i = 0; i < 4; i++)
			if (strstr(labels, category_key(i)))
				gold |= 1u << i;
		REQUIRE(classify_text(R, text, lang, &res) == 0);
		for (j = 0; j < res.n_cats; j++)
			pred |= 1u << category_index(res.cats[j].key);
		classify_result_clear(&res);
		for (i = 0; i < 4; i++) {
			int g = (gold >> i) & 1, p = (pred >> i) & 1;
			tp[i] += g && p;
			fp[i] += !g && p;
			fn[i] += g && !p;
		}
		n++;
	}
	for (i = 0; i < 4; i++) {
		double p = tp[i] + fp[i] ? (double)tp[i] / (tp[i] + fp[i]) : 0;
		double r = tp[i] + fn[i] ? (double)tp[i] / (tp[i] + fn[i]) : 0;
		double f = p + r > 0 ? 2 * p * r / (p + r) : 0;

		fprintf(stderr, "%-18s P %.3f R %.3f F1 %.3f\n",
		        category_key(i), p, r, f);
		macro += f / 4;
	}
	fprintf(stderr, "%s: macro-F1 %.3f over %ld statements\n", path, macro,
	        n);
	free(data);
	classify_rules_free(R);
	*count = n;
	*out = macro;
}

/* The shipped lexicons on ../shared/eval/dev.tsv. */
static void test_dev_macro_f1_floor(void)
{
	char path[1024];
	long n;
	double macro;

	snprintf(path, sizeof(path), "%s/eval/dev.tsv", test_shared_dir());
	macro_f1_of(path, &n, &macro);
	ASSERT(n >= 300);
	/* Measured 0.977; the floor leaves room for edits that trade dev
	 * fit for generality. */
	ASSERT(macro >= 0.90);
}

/* The project's own challenge set (paraphrases and hard negatives in six
 * languages, written from the codebook, not from dev.tsv). */
static void test_challenge_macro_f1_floor(void)
{
	char path[1024];
	long n;
	double macro;

	snprintf(path, sizeof(path), "%s/fixtures/classify/challenge.tsv",
	         test_tests_dir());
	macro_f1_of(path, &n, &macro);
	ASSERT(n >= 150);
	/* 0.619 before the lexicons were widened, 0.977 after. */
	ASSERT(macro >= 0.90);
}

/* A small set written after the lexicons were widened and never used to
 * tune them: the honest estimate of how they generalise. */
static void test_holdout_macro_f1_floor(void)
{
	char path[1024];
	long n;
	double macro;

	snprintf(path, sizeof(path), "%s/fixtures/classify/holdout.tsv",
	         test_tests_dir());
	macro_f1_of(path, &n, &macro);
	ASSERT(n >= 40);
	/* 0.678 with the lexicons before widening, 0.819 after. */
	ASSERT(macro >= 0.75);
}

/* The Chinese and Japanese sets (tests/fixtures/classify/zh.tsv, ja.tsv):
 * written for the project after the lexicons, committed before they were
 * first scored, and not tuned on.  Every category and "none" (with hard
 * negatives) occurs in each, and each has at least 40 statements. */
static void cjk_floor(const char *name, double floor)
{
	char path[1024];
	long n;
	double macro;

	snprintf(path, sizeof(path), "%s/fixtures/classify/%s",
	         test_tests_dir(), name);
	macro_f1_of(path, &n, &macro);
	ASSERT(n >= 40);
	/* First scores: zh 0.755, ja 0.832. */
	ASSERT(macro >= floor);
}

/* tests/fixtures/eval/frozen.tsv: 319 statements in six languages written
 * before the issue-15 frames and never tuned on (its README). */
static void test_frozen_macro_f1_floor(void)
{
	char path[1024];
	long n;
	double macro;

	snprintf(path, sizeof(path), "%s/fixtures/eval/frozen.tsv",
	         test_tests_dir());
	macro_f1_of(path, &n, &macro);
	ASSERT(n >= 300);
	/* 0.843 before the frames, 0.889 with them, 0.918 after the second
	 * pass (tuning5..tuning10). */
	ASSERT(macro >= 0.86);
}

static void test_zh_macro_f1_floor(void)
{
	cjk_floor("zh.tsv", 0.72);
}

static void test_ja_macro_f1_floor(void)
{
	cjk_floor("ja.tsv", 0.78);
}

TEST_MAIN(TEST(test_offsets_and_scores), TEST(test_rules_windows_veto_lang),
          TEST(test_reported_speech_and_sentences), TEST(test_rule_features),
          TEST(test_negation_and_negative_weights), TEST(test_load_errors),
          TEST(test_shipped_examples), TEST(test_dev_macro_f1_floor),
          TEST(test_challenge_macro_f1_floor),
          TEST(test_holdout_macro_f1_floor), TEST(test_zh_macro_f1_floor),
          TEST(test_ja_macro_f1_floor), TEST(test_frozen_macro_f1_floor))
