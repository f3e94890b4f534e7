/*
 * test_model.c — the character n-gram model: it learns a separable toy
 * task, training is deterministic, the file format round-trips exactly and
 * every damaged file is refused with file and line; the classifier blends
 * it as documented; and, trained on the fly on one labelled set, it is
 * measured on another (no model trained on ../shared/eval is stored).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "labels.h"
#include "model.h"
#include "train_cv.h"
#include "normalize.h"
#include "sha256.h"
#include "test.h"
#include "util.h"

/* Folded examples that own their code points. */
struct folded {
	struct model_example *ex; /* examples */
	struct labels_set set;    /* items (borrow data) */
	char *data;               /* the file */
	size_t n;                 /* examples */
};

static void folded_free(struct folded *f)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		free((void *)f->ex[i].cps);
	free(f->ex);
	labels_set_free(&f->set);
	free(f->data);
	memset(f, 0, sizeof(*f));
}

static int fold_file(const char *path, struct folded *f)
{
	struct normalize *norm = NULL;
	struct normalize_text nt = {0};
	char err[256];
	size_t len, i;

	memset(f, 0, sizeof(*f));
	if (util_read_file(path, 0, &f->data, &len) < 0 ||
	    labels_parse(f->data, len, path, &f->set, err, sizeof(err)) < 0 ||
	    normalize_open(1, &norm, err, sizeof(err)) < 0)
		return -1;
	f->ex = calloc(f->set.n, sizeof(*f->ex));
	if (!f->ex)
		return -1;
	for (i = 0; i < f->set.n; i++) {
		uint32_t *cps;

		if (normalize_run(norm, f->set.items[i].text,
		                  strlen(f->set.items[i].text), &nt) < 0)
			return -1;
		cps = malloc((nt.n_cp + 1) * sizeof(*cps));
		if (!cps)
			return -1;
		memcpy(cps, nt.cps, nt.n_cp * sizeof(*cps));
		f->ex[i].cps = cps;
		f->ex[i].n_cp = nt.n_cp;
		f->ex[i].labels = f->set.items[i].labels;
		f->n++;
	}
	normalize_text_free(&nt);
	normalize_close(norm);
	return 0;
}

static uint32_t *ascii_cps(const char *s, size_t *n)
{
	size_t i, l = strlen(s);
	uint32_t *v = malloc((l + 1) * sizeof(*v));

	for (i = 0; v && i < l; i++)
		v[i] = (unsigned char)s[i];
	*n = l;
	return v;
}

/* A toy task: "tariff"/"boycott" posts are economic_coercion (index 2),
 * "detrick"/"lab" posts origin_narrative (3), the rest none. */
static const char *const toy_text[] = {
    "we will impose tariffs on your wine",
    "a boycott of your beef is coming",
    "tariffs follow if you insist",
    "consumers will boycott the brand",
    "open the detrick lab to inspection",
    "the lab at detrick must explain",
    "detrick hides secrets in its lab",
    "what happened in the detrick lab",
    "the ambassador met the mayor today",
    "a concert for the new year",
    "students visited the embassy garden",
    "the weather in the capital is mild",
    "tea and friendship at the reception",
    "the minister praised the new bridge",
};
static const unsigned toy_labels[] = {4, 4, 4, 4, 8, 8, 8, 8, 0, 0, 0, 0, 0, 0};
#define N_TOY (sizeof(toy_text) / sizeof(toy_text[0]))

static struct model *train_toy(const struct model_params *p)
{
	struct model_example ex[N_TOY];
	struct model *m = NULL;
	char err[256];
	size_t i;

	for (i = 0; i < N_TOY; i++) {
		ex[i].cps = ascii_cps(toy_text[i], &ex[i].n_cp);
		ex[i].labels = toy_labels[i];
	}
	if (model_train(ex, N_TOY, p, &m, err, sizeof(err)) < 0)
		fprintf(stderr, "train: %s\n", err);
	for (i = 0; i < N_TOY; i++)
		free((void *)ex[i].cps);
	return m;
}

static double p_of(const struct model *m, const char *text, int cat)
{
	struct model_scores ms;
	size_t n;
	uint32_t *cps = ascii_cps(text, &n);

	model_score(m, cps, n, &ms);
	free(cps);
	return ms.p[cat];
}

static void test_learns_toy_task(void)
{
	struct model_params p;
	struct model *m;
	struct model_scores ms;
	size_t n;
	uint32_t *cps;

	model_params_default(&p);
	p.buckets = 1u << 12;
	m = train_toy(&p);
	REQUIRE(m);
	/* Unseen sentences with the telling n-grams. */
	ASSERT(p_of(m, "new tariffs and a boycott", 2) > 0.5);
	ASSERT(p_of(m, "new tariffs and a boycott", 3) < 0.5);
	ASSERT(p_of(m, "inspect detrick now", 3) > 0.5);
	ASSERT(p_of(m, "inspect detrick now", 2) < 0.5);
	ASSERT(p_of(m, "the mayor at the concert", 2) < 0.5);
	ASSERT(p_of(m, "the mayor at the concert", 3) < 0.5);
	ASSERT(p_of(m, "nothing", 0) < 0.5); /* no positives: stays low */
	/* The strongest n-gram of a category is a piece of its cue word. */
	cps = ascii_cps("xx detrick xx", &n);
	model_score(m, cps, n, &ms);
	REQUIRE(ms.n_top[3] >= 1);
	ASSERT(ms.top[3][0].start >= 2 && ms.top[3][0].start < 11);
	ASSERT(ms.top[3][0].start + ms.top[3][0].n <= 11);
	free(cps);
	/* Empty text scores without trouble: the bias alone. */
	model_score(m, NULL, 0, &ms);
	ASSERT(ms.p[2] < 0.5);
	model_free(m);
}

static void test_deterministic_and_round_trip(void)
{
	struct model_params p;
	struct model *a, *b, *c = NULL;
	char *ta, *tb, *tc, err[256];
	size_t la, lb, lc, i;

	model_params_default(&p);
	p.buckets = 1u << 10;
	a = train_toy(&p);
	b = train_toy(&p);
	REQUIRE(a && b);
	REQUIRE(model_serialize(a, &ta, &la) == 0);
	REQUIRE(model_serialize(b, &tb, &lb) == 0);
	ASSERT(la == lb && memcmp(ta, tb, la) == 0);
	ASSERT_STR_EQ(model_version(a), model_version(b));
	ASSERT(strncmp(model_version(a), "ngram1-4:", 9) == 0);
	REQUIRE(model_parse(ta, la, "toy.model", &c, err, sizeof(err)) == 0);
	ASSERT_STR_EQ(model_version(c), model_version(a));
	REQUIRE(model_serialize(c, &tc, &lc) == 0);
	ASSERT(lc == la && memcmp(tc, ta, la) == 0);
	for (i = 0; i < N_TOY; i++) {
		int k;
		for (k = 0; k < CLASSIFY_MAX_CATEGORIES; k++)
			ASSERT(fabs(p_of(a, toy_text[i], k) -
			            p_of(c, toy_text[i], k)) < 1e-9);
	}
	/* Another seed: another shuffle, another model. */
	p.seed = 7;
	model_free(b);
	b = train_toy(&p);
	REQUIRE(b);
	ASSERT(strcmp(model_version(a), model_version(b)) != 0);
	free(ta);
	free(tb);
	free(tc);
	model_free(a);
	model_free(b);
	model_free(c);
}

/* Word n-grams and extra (stacked rule-frame) features: learnt, written as
 * format 2 and read back the same; notes and CV thresholds; stratified
 * cross-validation. */
static void test_words_extras_and_cv(void)
{
	static const uint32_t id_econ = 42, id_origin = 99;
	struct model_example ex[N_TOY];
	struct model_params p;
	struct model *m = NULL, *c = NULL;
	struct model_scores ms, mc;
	struct train_cv_choice ch;
	double prob[N_TOY][CLASSIFY_MAX_CATEGORIES];
	double ratio[N_TOY][CLASSIFY_MAX_CATEGORIES];
	unsigned fold[N_TOY], per_fold[2] = {0, 0};
	char *text = NULL, err[256];
	size_t i, len, n;
	uint32_t *cps;

	memset(ex, 0, sizeof(ex));
	memset(ratio, 0, sizeof(ratio));
	for (i = 0; i < N_TOY; i++) {
		ex[i].cps = ascii_cps(toy_text[i], &ex[i].n_cp);
		ex[i].labels = toy_labels[i];
		ex[i].extra = toy_labels[i] == 4   ? &id_econ
		              : toy_labels[i] == 8 ? &id_origin
		                                   : NULL;
		ex[i].n_extra = ex[i].extra ? 1 : 0;
	}
	model_params_default(&p);
	p.buckets = 1u << 12;
	p.words = 2;
	p.extra = 1;
	REQUIRE(model_train(ex, N_TOY, &p, &m, err, sizeof(err)) == 0);
	ASSERT(model_uses_extra(m));
	ASSERT(strstr(model_version(m), "+w2+x:") != NULL);
	/* The extra feature alone carries its category. */
	cps = ascii_cps("the weather is mild", &n);
	model_score_ex(m, cps, n, &id_econ, 1, &ms);
	ASSERT(ms.p[2] > 0.5);
	model_score_ex(m, cps, n, NULL, 0, &ms);
	ASSERT(ms.p[2] < 0.5);
	/* Notes and thresholds are written; the file reads back the same. */
	ASSERT_INT_EQ(model_add_note(m, "from a toy\nset"), 0);
	ASSERT_INT_EQ(model_set_threshold(m, 2, 0.3), 0);
	ASSERT_INT_EQ(model_set_threshold(m, 2, 1.5), -EINVAL);
	ASSERT(fabs(model_threshold(m, 2) - 0.3) < 1e-12);
	REQUIRE(model_serialize(m, &text, &len) == 0);
	ASSERT(strncmp(text, "demarche-model 2\n", 17) == 0);
	ASSERT(strstr(text, "\n# from a toy set\n") != NULL);
	ASSERT(strstr(text, "\nngram 1 4 words 2 extra 1\n") != NULL);
	REQUIRE(model_parse(text, len, "w.model", &c, err, sizeof(err)) == 0);
	ASSERT_STR_EQ(model_version(c), model_version(m));
	ASSERT(fabs(model_threshold(c, 2) - 0.3) < 1e-12);
	model_score_ex(m, cps, n, &id_origin, 1, &ms);
	model_score_ex(c, cps, n, &id_origin, 1, &mc);
	for (i = 0; i < CLASSIFY_MAX_CATEGORIES; i++)
		ASSERT(fabs(ms.p[i] - mc.p[i]) < 1e-6);
	free(cps);
	/* Folds stratified by labels: each of 2 folds gets 2 of the 4. */
	ASSERT_INT_EQ(train_cv_folds(ex, N_TOY, 2, 1, fold), 0);
	for (i = 0; i < N_TOY; i++)
		if (toy_labels[i] == 4)
			per_fold[fold[i]]++;
	ASSERT_INT_EQ(per_fold[0], 2);
	ASSERT_INT_EQ(per_fold[1], 2);
	ASSERT_INT_EQ(train_cv_folds(ex, 1, 2, 1, fold), -EINVAL);
	REQUIRE(train_cv_predict(ex, N_TOY, 2, &p, fold, prob, err,
	                         sizeof(err)) == 0);
	train_cv_choose(ex, N_TOY,
	                (const double(*)[CLASSIFY_MAX_CATEGORIES])ratio,
	                (const double(*)[CLASSIFY_MAX_CATEGORIES])prob, &ch);
	/* Rules that never fire score 0; the out-of-fold model, reading the
	 * extra features, finds the two categories. */
	ASSERT(ch.macro_rules == 0);
	ASSERT(ch.f1_model[2] > 0.9 && ch.f1_model[3] > 0.9);
	ASSERT(ch.weight >= 0.1 && ch.weight <= 0.9);
	for (i = 0; i < N_TOY; i++)
		free((void *)ex[i].cps);
	free(text);
	model_free(m);
	model_free(c);
}

/* Parses text as "m.model"; returns the error message (static). */
static const char *parse_err(const char *text)
{
	static char err[512];
	struct model *m = NULL;
	int r =
	    model_parse(text, strlen(text), "m.model", &m, err, sizeof(err));

	model_free(m);
	return r == -EINVAL ? err : "(accepted)";
}

/* Builds a valid file from a body (header + w lines) by appending the
 * right checksum. */
static char *with_sum(const char *body)
{
	char hex[SHA256_HEX_LEN];
	struct buf b = {0};

	buf_puts(&b, body);
	sha256_hex(b.data, b.len, hex);
	buf_printf(&b, "sha256 %s\n", hex);
	return buf_steal(&b);
}

#define HDR                                                               \
	"demarche-model 1\n# test\nngram 1 3\nbuckets 256\n"              \
	"categories blame_rebuttal western_failure economic_coercion "    \
	"origin_narrative\nthreshold 0.5 0.5 0.5 0.5\nbias -1 -1 -1 -1\n" \
	"examples 3\n"

static void expect_err(const char *body, int sum, const char *want)
{
	char *text = sum ? with_sum(body) : xstrdup(body);
	const char *e = parse_err(text);

	if (!strstr(e, want)) {
		fprintf(stderr, "want '%s' in '%s'\n", want, e);
		ASSERT(strstr(e, want));
	}
	free(text);
}

static void test_parse_errors(void)
{
	char *ok = with_sum(HDR "w 3 0.5 0 0 -0.25\nw 9 1 1 1 1\n");
	struct model *m = NULL;
	char err[256], *bad;

	REQUIRE(model_parse(ok, strlen(ok), "m.model", &m, err, sizeof(err)) ==
	        0);
	ASSERT(strncmp(model_version(m), "ngram1-3:", 9) == 0);
	model_free(m);
	/* One changed digit: the checksum catches it, on its line. */
	bad = xstrdup(ok);
	bad[strstr(bad, "w 3 0.5") - bad + 4] = '7';
	expect_err(bad, 0, "m.model:11: checksum mismatch");
	free(bad);
	/* Truncated: no checksum line at all. */
	expect_err(HDR "w 3 0.5 0 0 -0.25\n", 0,
	           "m.model: no sha256 line at the end");
	expect_err("", 0, "m.model: empty file");
	{
		char *trunc = xstrdup(ok);
		trunc[strlen(trunc) - 1] = '\0';
		expect_err(trunc, 0, "m.model:11: last line has no line end");
		free(trunc);
	}
	expect_err("demarche-model 3\n", 1,
	           "m.model:1: format version 3 not supported");
	/* Version 1 has no ngram options. */
	expect_err("demarche-model 1\nngram 1 3 words 2\n", 2,
	           "m.model:2: ngram needs");
	expect_err("demarche-model 2\nngram 1 3 words 3\n", 2,
	           "m.model:2: words needs");
	expect_err("demarche-model 2\nngram 1 3 colour 1\n", 2,
	           "m.model:2: unknown ngram option");
	expect_err("something else\n", 1,
	           "m.model:1: expected "
	           "'demarche-model'");
	expect_err("demarche-model 1\nbuckets 256\n", 1,
	           "m.model:2: expected 'ngram'");
	expect_err("demarche-model 1\nngram 1 3\nbuckets 300\n", 1,
	           "m.model:3: buckets must be a power of two");
	expect_err("demarche-model 1\nngram 1 3\nbuckets 256\ncategories "
	           "blame_rebuttal western_failure economic_coercion "
	           "Origin\n",
	           1, "m.model:4: invalid category key 'Origin'");
	expect_err("demarche-model 1\nngram 1 3\nbuckets 256\ncategories "
	           "blame_rebuttal blame_rebuttal\n",
	           1, "m.model:4: category 'blame_rebuttal' twice");
	expect_err("demarche-model 1\nngram 1 3\nbuckets 256\ncategories \n", 1,
	           "m.model:4: categories needs at least one");
	expect_err(HDR "w 300 1 1 1 1\n", 1,
	           "m.model:9: bucket missing or not below");
	expect_err(HDR "w 9 1 1 1 1\nw 3 1 1 1 1\n", 1,
	           "m.model:10: buckets must be strictly increasing");
	expect_err(HDR "w 9 1 1 nan 1\n", 1, "m.model:9: weight line needs 4");
	expect_err(HDR "w 9 1 1 1\n", 1, "m.model:9: weight line needs 4");
	expect_err(HDR "w 9 1 1 1 1 1\n", 1, "m.model:9: weight line has more");
	expect_err(HDR "bogus\n", 1, "m.model:9: expected a 'w' or 'sha256'");
	{
		struct buf b = {0};
		buf_puts(&b, ok);
		buf_puts(&b, "w 10 1 1 1 1\n");
		expect_err(b.data, 0, "m.model:12: text after the sha256 line");
		buf_free(&b);
	}
	free(ok);
}

/* A model records the keys it was trained on and is matched to a set of
 * categories by key: another order, a category it lacks (scores 0, left
 * to the rules), one the set lacks (not scored). */
static void test_categories_by_key(void)
{
	char *text = with_sum(
	    "demarche-model 1\nngram 1 3\nbuckets 256\n"
	    "categories origin_narrative sovereignty_threat blame_rebuttal\n"
	    "threshold 0.3 0.4 0.6\nbias 2 1 -2\nexamples 3\n");
	struct category_set set;
	struct model_scores ms;
	struct model *m = NULL;
	uint32_t cps[3] = {'a', 'b', 'c'};
	char err[256], *out = NULL;
	size_t len;

	REQUIRE(model_parse(text, strlen(text), "m.model", &m, err,
	                    sizeof(err)) == 0);
	ASSERT_INT_EQ(model_category_count(m), 3);
	ASSERT_STR_EQ(model_category_key(m, 1), "sovereignty_threat");
	/* Bound to the configured set (the codebook): by key. */
	ASSERT(model_has_category(m, 3) && model_has_category(m, 0));
	ASSERT(!model_has_category(m, 1) && !model_has_category(m, 2));
	ASSERT(model_threshold(m, 3) == 0.3);
	ASSERT(model_threshold(m, 0) == 0.6);
	ASSERT(model_threshold(m, 1) == 1.0);
	model_score(m, cps, 3, &ms);
	ASSERT(ms.p[3] > 0.8 && ms.p[0] < 0.2 && ms.p[1] == 0);
	/* Bound to a set that has the added category too. */
	category_set_codebook(&set);
	ASSERT_INT_EQ(category_set_add(&set, "sovereignty_threat"), 4);
	ASSERT_INT_EQ(model_bind(m, &set), 3);
	ASSERT(model_threshold(m, 4) == 0.4);
	model_score(m, cps, 3, &ms);
	ASSERT(ms.p[4] > 0.6 && ms.p[4] < 0.8);
	/* Written back with its own keys, in its own order. */
	REQUIRE(model_serialize(m, &out, &len) == 0);
	ASSERT(strstr(out, "\ncategories origin_narrative sovereignty_threat "
	                   "blame_rebuttal\nthreshold 0.29999999999999999 "
	                   "0.40000000000000002 0.59999999999999998\n"));
	free(out);
	model_free(m);
	free(text);
}

static void test_load_file_errors(void)
{
	char path[1024], err[512];
	struct model *m = NULL;

	snprintf(path, sizeof(path), "%s/missing.model", test_tmpdir());
	ASSERT(model_load_file(path, &m, err, sizeof(err)) == -ENOENT);
	ASSERT(strstr(err, "missing.model: "));
	snprintf(path, sizeof(path), "%s/bad.model", test_tmpdir());
	test_write_file(path, "demarche-model 1\n");
	ASSERT(model_load_file(path, &m, err, sizeof(err)) == -EINVAL);
	ASSERT(strstr(err, "bad.model: no sha256 line"));
	ASSERT(m == NULL);
}

static struct classify_rules *load_shipped(void)
{
	struct classify_rules *R = NULL;
	char err[512], dir[1024];

	snprintf(dir, sizeof(dir), "%s/config/rules", test_source_dir());
	if (classify_rules_load(dir, &R, err, sizeof(err)) < 0)
		fprintf(stderr, "%s\n", err);
	return R;
}

/* The blend as classify.h documents it. */
static void test_blend(void)
{
	struct classify_rules *R = load_shipped();
	struct model_params p;
	struct model *m;
	struct classify_result res;
	const char *text = "Open the detrick lab to inspection";
	char err[256];
	size_t i;
	int found = 0;

	REQUIRE(R);
	model_params_default(&p);
	p.buckets = 1u << 12;
	m = train_toy(&p);
	REQUIRE(m);
	ASSERT(classify_rules_attach_model(R, m, 1.5, err, sizeof(err)) ==
	       -EINVAL);
	REQUIRE(classify_rules_attach_model(R, m, 0.5, err, sizeof(err)) == 0);
	ASSERT(strstr(classify_rules_version(R), ";model=ngram1-4:"));
	ASSERT(strstr(classify_rules_version(R), ";w=0.5"));
	REQUIRE(classify_text_opts(R, text, "en", CLASSIFY_ALL_SCORES, &res) ==
	        0);
	for (i = 0; i < res.n_cats; i++) {
		const struct classify_category *c = &res.cats[i];
		double want = 0.5 * c->score / c->threshold +
		              0.5 * c->model_p / model_threshold(m, 3);
		size_t j;

		if (strcmp(c->key, "origin_narrative") != 0)
			continue;
		found = 1;
		ASSERT(c->model_p > 0 && c->model_p < 1);
		ASSERT(fabs(c->combined - want) < 1e-9);
		ASSERT(c->assigned == (c->combined >= 1 - 1e-9));
		for (j = 0; j < c->n_evidence; j++)
			if (strncmp(c->evidence[j].term, "model:p=", 8) == 0)
				found = 2;
	}
	ASSERT_INT_EQ(found, 2);
	classify_result_clear(&res);
	/* Model alone: p over its threshold decides, whatever the rules. */
	REQUIRE(classify_text_opts(R, "nothing but tariffs and a boycott", "en",
	                           CLASSIFY_MODEL_ONLY, &res) == 0);
	for (i = 0; i < res.n_cats; i++)
		ASSERT(res.cats[i].model_p >= 0.5);
	found = 0;
	for (i = 0; i < res.n_cats; i++)
		found |= strcmp(res.cats[i].key, "economic_coercion") == 0;
	ASSERT(found);
	classify_result_clear(&res);
	/* Rules only: no model figures at all. */
	REQUIRE(classify_text_opts(R, text, "en", CLASSIFY_RULES_ONLY, &res) ==
	        0);
	for (i = 0; i < res.n_cats; i++)
		ASSERT(res.cats[i].model_p < 0);
	classify_result_clear(&res);
	classify_rules_free(R);
}

/* Macro-F1 of a classifier with flags on a folded labelled file. */
static double macro_on(const struct classify_rules *R, const char *path,
                       unsigned flags)
{
	char *data = NULL, err[256];
	struct labels_set set = {0};
	long tp[4] = {0}, fp[4] = {0}, fn[4] = {0};
	double macro = 0;
	size_t len, i, j;
	int c;

	if (util_read_file(path, 0, &data, &len) < 0 ||
	    labels_parse(data, len, path, &set, err, sizeof(err)) < 0)
		return -1;
	for (i = 0; i < set.n; i++) {
		struct classify_result res;
		unsigned pred = 0, gold = set.items[i].labels;

		if (classify_text_opts(R, set.items[i].text, set.items[i].lang,
		                       flags, &res) < 0)
			return -1;
		for (j = 0; j < res.n_cats; j++)
			pred |= 1u << category_index(res.cats[j].key);
		classify_result_clear(&res);
		for (c = 0; c < 4; c++) {
			int g = (gold >> c) & 1, p = (pred >> c) & 1;
			tp[c] += g && p;
			fp[c] += !g && p;
			fn[c] += g && !p;
		}
	}
	for (c = 0; c < 4; c++)
		macro +=
		    tp[c] ? 2.0 * tp[c] / (2 * tp[c] + fp[c] + fn[c]) / 4 : 0;
	labels_set_free(&set);
	free(data);
	return macro;
}

/* Trains on one set and measures on another, both ways; the model is
 * never written anywhere but memory. */
static void cross(const char *train, const char *test, double floor_model)
{
	struct folded f;
	struct model_params p;
	struct model *m = NULL;
	struct classify_rules *R = load_shipped();
	char err[256];
	double rules, model, both;

	REQUIRE(R);
	REQUIRE(fold_file(train, &f) == 0);
	model_params_default(&p);
	REQUIRE(model_train(f.ex, f.n, &p, &m, err, sizeof(err)) == 0);
	folded_free(&f);
	REQUIRE(classify_rules_attach_model(R, m, 0.5, err, sizeof(err)) == 0);
	rules = macro_on(R, test, CLASSIFY_RULES_ONLY);
	model = macro_on(R, test, CLASSIFY_MODEL_ONLY);
	both = macro_on(R, test, 0);
	fprintf(stderr,
	        "train %s -> test %s: rules %.3f, model %.3f, both %.3f\n",
	        strrchr(train, '/') + 1, strrchr(test, '/') + 1, rules, model,
	        both);
	ASSERT(model >= floor_model);
	ASSERT(both >= 0.5);
	classify_rules_free(R);
}

static void test_cross_sets(void)
{
	char dev[1024], ch[1024];

	snprintf(dev, sizeof(dev), "%s/eval/dev.tsv", test_shared_dir());
	snprintf(ch, sizeof(ch), "%s/fixtures/classify/challenge.tsv",
	         test_tests_dir());
	/* Measured 0.457 and 0.304: a few hundred posts in six languages
	 * teach the model little; the floors catch a broken learner. */
	cross(ch, dev, 0.35);
	cross(dev, ch, 0.22);
}

/* A model that knows none of the rules' categories is refused, and the
 * caller keeps it. */
static void test_attach_foreign_model(void)
{
	struct classify_rules *R = load_shipped();
	char *text = with_sum("demarche-model 1\nngram 1 3\nbuckets 256\n"
	                      "categories other_thing\nthreshold 0.5\n"
	                      "bias 0\nexamples 1\n");
	struct model *m = NULL;
	char err[256];

	REQUIRE(R);
	REQUIRE(model_parse(text, strlen(text), "m.model", &m, err,
	                    sizeof(err)) == 0);
	ASSERT_INT_EQ(classify_rules_attach_model(R, m, 0.5, err, sizeof(err)),
	              -EINVAL);
	ASSERT(strstr(err, "none of the rules' categories") != NULL);
	ASSERT(strstr(err, "other_thing") != NULL);
	model_free(m);
	classify_rules_free(R);
	free(text);
}

TEST_MAIN(TEST(test_learns_toy_task), TEST(test_deterministic_and_round_trip),
          TEST(test_words_extras_and_cv), TEST(test_parse_errors),
          TEST(test_categories_by_key), TEST(test_attach_foreign_model),
          TEST(test_load_file_errors), TEST(test_blend), TEST(test_cross_sets))
