/*
 * train_cv.c — stratified K-fold cross-validation of the learned half of
 * the classifier, and the choice of its decision points from it.  Every
 * statement is scored by a model that never saw it (out-of-fold), next to
 * the rules' own score; from those pairs the blend weight w and each
 * category's model threshold are chosen to maximise macro-F1, exactly as
 * classify.c blends: assigned when (1 - w) * rules score / rules threshold
 * + w * p / model threshold >= 1.  Folds are stratified by the label
 * combination, so each fold holds its share of every rare category.
 *
 * Pure: examples in, figures out.  The thresholds are chosen on the same
 * out-of-fold predictions they are scored on, so the blend's figure is
 * slightly optimistic; the rules' figure is whatever the rules were tuned
 * on (say so when quoting it).
 */
#include "train_cv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The configured categories (category.h): the labels' bits. */
#define NCAT category_count()

static uint64_t cv_rng(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

struct keyed {
	unsigned key; /* label bits */
	size_t r;     /* random rank, for a seeded order inside a stratum */
	size_t i;     /* example index */
};

static int cmp_keyed(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->r < y->r ? -1 : x->r > y->r;
}

int train_cv_folds(const struct model_example *ex, size_t n, unsigned k,
                   uint64_t seed, unsigned *fold)
{
	struct keyed *kv;
	uint64_t rng = seed * 0x9E3779B97F4A7C15ULL + 7;
	size_t i;

	if (k < 2 || n < k)
		return -EINVAL;
	kv = calloc(n, sizeof(*kv));
	if (!kv)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		kv[i].key = ex[i].labels;
		kv[i].r = (size_t)cv_rng(&rng);
		kv[i].i = i;
	}
	qsort(kv, n, sizeof(*kv), cmp_keyed);
	for (i = 0; i < n; i++)
		fold[kv[i].i] = (unsigned)(i % k);
	free(kv);
	return 0;
}

int train_cv_predict(const struct model_example *ex, size_t n, unsigned k,
                     const struct model_params *p, const unsigned *fold,
                     double (*prob)[CLASSIFY_MAX_CATEGORIES], char *err,
                     size_t errlen)
{
	struct model_example *tr;
	unsigned f;
	int r = 0;

	tr = calloc(n, sizeof(*tr));
	if (!tr) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (f = 0; f < k && r == 0; f++) {
		struct model *m = NULL;
		size_t i, nt = 0;

		for (i = 0; i < n; i++)
			if (fold[i] != f)
				tr[nt++] = ex[i];
		r = model_train(tr, nt, p, &m, err, errlen);
		if (r < 0)
			break;
		for (i = 0; i < n; i++) {
			struct model_scores ms;
			int c;

			if (fold[i] != f)
				continue;
			model_score_ex(m, ex[i].cps, ex[i].n_cp, ex[i].extra,
			               ex[i].n_extra, &ms);
			for (c = 0; c < NCAT; c++)
				prob[i][c] = ms.p[c];
		}
		model_free(m);
	}
	free(tr);
	return r;
}

static double f1_of(long tp, long fp, long fn)
{
	return tp ? 2.0 * (double)tp / (double)(2 * tp + fp + fn) : 0.0;
}

/* F1 of category c with blend weight w and model threshold t. */
static double blend_f1(const struct model_example *ex, size_t n,
                       const double (*ratio)[CLASSIFY_MAX_CATEGORIES],
                       const double (*prob)[CLASSIFY_MAX_CATEGORIES], int c,
                       double w, double t, long *tp_, long *fp_, long *fn_)
{
	long tp = 0, fp = 0, fn = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		int gold = (ex[i].labels >> c) & 1;
		double comb = (1 - w) * ratio[i][c] + w * prob[i][c] / t;
		int pred = comb + 1e-9 >= 1.0;

		tp += gold && pred;
		fp += !gold && pred;
		fn += gold && !pred;
	}
	if (tp_) {
		*tp_ = tp;
		*fp_ = fp;
		*fn_ = fn;
	}
	return f1_of(tp, fp, fn);
}

void train_cv_choose(const struct model_example *ex, size_t n,
                     const double (*ratio)[CLASSIFY_MAX_CATEGORIES],
                     const double (*prob)[CLASSIFY_MAX_CATEGORIES],
                     struct train_cv_choice *out)
{
	int c, wi, ti;

	memset(out, 0, sizeof(*out));
	out->macro_blend = -1;
	for (c = 0; c < NCAT; c++) {
		out->f1_rules[c] =
		    blend_f1(ex, n, ratio, prob, c, 0, 0.5, NULL, NULL, NULL);
		out->macro_rules += out->f1_rules[c] / NCAT;
	}
	/* The model alone (w = 1), each threshold at its best. */
	for (c = 0; c < NCAT; c++) {
		double best = -1;

		for (ti = 1; ti < 20; ti++) {
			double t = ti * 0.05;
			double f = blend_f1(ex, n, ratio, prob, c, 1, t, NULL,
			                    NULL, NULL);
			if (f > best + 1e-12) {
				best = f;
				out->t_model[c] = t;
			}
		}
		out->f1_model[c] = best;
		out->macro_model += best / NCAT;
	}
	/* The blend: for each weight, the best threshold per category. */
	for (wi = 1; wi <= 9; wi++) {
		double w = wi * 0.1, macro = 0, f1[CLASSIFY_MAX_CATEGORIES],
		       tb[CLASSIFY_MAX_CATEGORIES];

		for (c = 0; c < NCAT; c++) {
			f1[c] = -1;
			for (ti = 1; ti < 20; ti++) {
				double t = ti * 0.05;
				double f = blend_f1(ex, n, ratio, prob, c, w, t,
				                    NULL, NULL, NULL);
				if (f > f1[c] + 1e-12) {
					f1[c] = f;
					tb[c] = t;
				}
			}
			macro += f1[c] / NCAT;
		}
		if (macro > out->macro_blend + 1e-12) {
			out->macro_blend = macro;
			out->weight = w;
			for (c = 0; c < NCAT; c++) {
				out->f1_blend[c] = f1[c];
				out->t_blend[c] = tb[c];
			}
		}
	}
}

void train_cv_print(FILE *fp, const struct train_cv_choice *ch, unsigned k,
                    size_t n)
{
	int c;

	fprintf(fp,
	        "%u-fold cross-validation on %zu statements (stratified; "
	        "each scored by a model that never saw it)\n",
	        k, n);
	fprintf(fp, "%-18s %8s %8s %8s\n", "category", "rules", "model",
	        "blend");
	for (c = 0; c < NCAT; c++)
		fprintf(fp, "%-18s %8.3f %8.3f %8.3f\n", category_key(c),
		        ch->f1_rules[c], ch->f1_model[c], ch->f1_blend[c]);
	fprintf(fp, "%-18s %8.3f %8.3f %8.3f\n", "macro-F1", ch->macro_rules,
	        ch->macro_model, ch->macro_blend);
	fprintf(fp, "blend weight %.1f, model thresholds", ch->weight);
	for (c = 0; c < NCAT; c++)
		fprintf(fp, " %.2f", ch->t_blend[c]);
	fprintf(fp, "\n(thresholds and weight chosen on these same "
	            "out-of-fold predictions: the blend figure is slightly "
	            "optimistic)\n");
}
