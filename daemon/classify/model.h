/*
 * model.h — the learned half of the classifier: one logistic regression
 * per category (one-vs-rest) over character n-grams of the folded text
 * (normalize.c), hashed into a fixed number of buckets.  Character
 * n-grams need no tokenizer, so the same model reads English and Chinese
 * alike.  Analysts train it from labelled posts (`demarche train`); the
 * classifier (classify.c) blends its probability with the rule score.
 *
 * Pure: training works on arrays, scoring on code points, and the file
 * format is written to and parsed from memory; model_load_file() is the
 * only function that reads a file.  The format is documented in model.c.
 */
#ifndef DEMARCHE_MODEL_H
#define DEMARCHE_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "classify.h"

/* Version of the file format model_serialize() writes: 1 for a model of
 * character n-grams alone, 2 when it also reads words or extra features
 * (version 1 files stay readable). */
#define MODEL_FORMAT_VERSION 2
/* At most this many extra features (model_example.extra) per text. */
#define MODEL_MAX_EXTRA 256
/* Limits on what a model may declare. */
#define MODEL_MIN_BUCKETS (1u << 8)
#define MODEL_MAX_BUCKETS (1u << 24)
#define MODEL_MAX_FILE    (512u * 1024 * 1024)
#define MODEL_MAX_NGRAM   8
/* Only this many leading code points of a text are scored. */
#define MODEL_MAX_SCORED_CP 65536

struct model; /* opaque, immutable once built, shareable */

/* One labelled example: folded text as code points and its categories as
 * bits (1 << index in the configured set, category.h; 0 is "none"). */
struct model_example {
	const uint32_t *cps;   /* borrowed */
	size_t n_cp;           /* code points */
	unsigned labels;       /* category bits */
	const uint32_t *extra; /* borrowed: ids of extra binary features
	                          (the rules' frames, classify.c), or NULL */
	size_t n_extra;        /* entries of extra */
};

struct model_params {
	unsigned buckets;  /* hash buckets, a power of two */
	unsigned min_n;    /* shortest n-gram, in code points */
	unsigned max_n;    /* longest n-gram */
	unsigned epochs;   /* passes over the examples */
	double rate;       /* initial learning rate */
	double l2;         /* L2 penalty per example */
	double pos_weight; /* cap on the weight of positive examples
	                      (balanced as sqrt(neg/pos), at most this) */
	double prune;      /* weights smaller in magnitude are dropped */
	uint64_t seed;     /* shuffling seed: same seed, same model */
	unsigned words;    /* word n-grams up to this length (0: none, 1:
	                      unigrams, 2: and bigrams); Chinese and
	                      Japanese characters are words of their own */
	unsigned extra;    /* 1: the examples carry extra features */
};
/* Fills the defaults (2^18 buckets, 1-4 grams, 30 epochs, ...). */
void model_params_default(struct model_params *p);

/* Fits the model.  Returns 0 and a *new* model, or -EINVAL (bad
 * parameters, no examples) / -ENOMEM with a message in err. */
int model_train(const struct model_example *ex, size_t n,
                const struct model_params *p, struct model **out, char *err,
                size_t errlen);
void model_free(struct model *m);

/* A short string naming this model ("ngram1-4:" and the first hex digits
 * of its checksum).  Borrowed. */
const char *model_version(const struct model *m);
/* Probability at or above which the model alone assigns category cat
 * (an index of the bound set; 1.0 for a category the model lacks). */
double model_threshold(const struct model *m, int cat);

/*
 * Categories.  A model records the keys it was trained on (the configured
 * set, category.h, at model_train); scores, thresholds and `cat`
 * arguments are by the index of the set the model is *bound* to: the
 * configured set when trained or parsed, the rules' set once
 * model_bind() (classify_rules_attach_model) binds it.  Binding matches
 * by key: a category of the set the model was not trained on scores 0
 * and model_has_category() says no (the classifier then leaves it to the
 * rules); a category of the model the set lacks is not scored.
 */
/* Binds to set; returns how many of its categories the model knows. */
int model_bind(struct model *m, const struct category_set *set);
/* Whether the model knows category cat of the bound set. */
int model_has_category(const struct model *m, int cat);
/* The categories the model was trained on: how many, and the key of the
 * i-th in its file's order. */
int model_category_count(const struct model *m);
const char *model_category_key(const struct model *m, int i);

/* One n-gram occurrence that pushed a category up, for evidence. */
struct model_contrib {
	size_t start; /* first code point of the n-gram in the scored text */
	size_t n;     /* its length in code points */
	double w;     /* its weight toward the category */
};
#define MODEL_TOP_CONTRIB 3

/* The model's reading of one text. */
struct model_scores {
	double p[CLASSIFY_MAX_CATEGORIES]; /* probability, by bound index */
	struct model_contrib top[CLASSIFY_MAX_CATEGORIES][MODEL_TOP_CONTRIB];
	size_t n_top[CLASSIFY_MAX_CATEGORIES]; /* used entries of top[c] */
};

/* Scores folded text (code points, as normalize_run gives them).  No
 * allocation, cannot fail. */
void model_score(const struct model *m, const uint32_t *cps, size_t n_cp,
                 struct model_scores *out);
/* Same, with extra feature ids (as the examples it was trained on had
 * them); a model trained without extras ignores them. */
void model_score_ex(const struct model *m, const uint32_t *cps, size_t n_cp,
                    const uint32_t *extra, size_t n_extra,
                    struct model_scores *out);
/* Whether the model was trained with extra features. */
int model_uses_extra(const struct model *m);
/* Sets a category's threshold (0 < t < 1), as cross-validation chose it;
 * call before sharing the model.  Returns 0, -EINVAL or -ENOMEM. */
int model_set_threshold(struct model *m, int cat, double t);
/* Adds a comment line (provenance, figures) that model_serialize writes
 * before the header; newlines become blanks.  Returns 0, -E2BIG (more
 * than 32) or -ENOMEM. */
int model_add_note(struct model *m, const char *note);

/* Writes the model in the text format into *out (a *new* NUL-terminated
 * buffer of *len bytes).  Returns 0 or -ENOMEM. */
int model_serialize(const struct model *m, char **out, size_t *len);
/* Parses a model file's contents; name is used in messages.  Returns 0
 * and a *new* model, or -EINVAL with "NAME:LINE: message" (or "NAME:
 * message") in err, or -ENOMEM. */
int model_parse(const char *buf, size_t len, const char *name,
                struct model **out, char *err, size_t errlen);
/* Reads and parses a model file. */
int model_load_file(const char *path, struct model **out, char *err,
                    size_t errlen);

#endif
