/*
 * train_cv.h — stratified K-fold cross-validation of the model and the
 * choice of the blend weight and model thresholds from its out-of-fold
 * predictions (train_cv.c).  Used by `demarche train --cv K` and
 * `demarche eval --cv K`.  Pure.
 */
#ifndef DEMARCHE_TRAIN_CV_H
#define DEMARCHE_TRAIN_CV_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "classify.h"
#include "model.h"

/* Assigns each example a fold in [0, k), stratified by its label bits and
 * shuffled by seed.  Returns 0 or -EINVAL (k < 2 or fewer examples than
 * folds) / -ENOMEM. */
int train_cv_folds(const struct model_example *ex, size_t n, unsigned k,
                   uint64_t seed, unsigned *fold);

/* Trains k models, each without one fold, and fills prob[i] with the
 * probabilities of example i from the model that did not see it.
 * Returns 0 or the first model_train error (message in err). */
int train_cv_predict(const struct model_example *ex, size_t n, unsigned k,
                     const struct model_params *p, const unsigned *fold,
                     double (*prob)[CLASSIFY_MAX_CATEGORIES], char *err,
                     size_t errlen);

/* What cross-validation chose, and the F1 figures behind the choice. */
struct train_cv_choice {
	double f1_rules[CLASSIFY_MAX_CATEGORIES]; /* rules alone */
	double f1_model[CLASSIFY_MAX_CATEGORIES]; /* model alone, best t */
	double f1_blend[CLASSIFY_MAX_CATEGORIES]; /* blend at weight */
	double t_model[CLASSIFY_MAX_CATEGORIES];  /* model-alone thresholds */
	double t_blend[CLASSIFY_MAX_CATEGORIES];  /* blend thresholds */
	double macro_rules, macro_model, macro_blend; /* means of the above */
	double weight;                                /* best blend weight */
};

/* Chooses from the rules' score ratios (score / threshold, 0 when none)
 * and the out-of-fold probabilities the weight in 0.1..0.9 and per
 * category thresholds in 0.05..0.95 that maximise macro-F1. */
void train_cv_choose(const struct model_example *ex, size_t n,
                     const double (*ratio)[CLASSIFY_MAX_CATEGORIES],
                     const double (*prob)[CLASSIFY_MAX_CATEGORIES],
                     struct train_cv_choice *out);

/* Prints the table of a choice. */
void train_cv_print(FILE *fp, const struct train_cv_choice *ch, unsigned k,
                    size_t n);

#endif
