/*
 * classify.h — the statement classifier.  Rules (the lexicons under
 * config/rules/, edited by analysts) are loaded once into an immutable
 * struct classify_rules; classify_text() then matches every term of every
 * category in one pass over the normalised text and returns, per category
 * that passed its threshold, a score and the evidence that fired.  Pure: the
 * loader reads the rules folder, nothing else does I/O.
 */
#ifndef DEMARCHE_CLASSIFY_H
#define DEMARCHE_CLASSIFY_H

#include <stddef.h>
#include <stdint.h>

#include "category.h"

/* The most categories the classifier decides on (category.h); which
 * ones is the rules' set (classify_rules_categories). */
#define CLASSIFY_MAX_CATEGORIES CATEGORY_MAX

struct classify_rules; /* opaque, immutable once loaded, shareable */

/* Loads every rules file in dir.  Returns 0 and a *new* rules object, or a
 * negative errno with "FILE:LINE: message" (or "DIR: message") in err. */
int classify_rules_load(const char *dir, struct classify_rules **out, char *err,
                        size_t errlen);
void classify_rules_free(struct classify_rules *rules);
/* The categories the rules define: the codebook's four, then the ones
 * their files add (borrowed, lives as long as the rules). */
const struct category_set *
classify_rules_categories(const struct classify_rules *rules);
/* A short string naming this rule set (the files' declared versions plus
 * a content hash); stored with every classification.  Borrowed. */
const char *classify_rules_version(const struct classify_rules *rules);

struct classify_evidence {
	char *term;   /* the lexicon term or rule name that fired */
	size_t start; /* offset in the input text, in Unicode code points */
	size_t end;   /* one past the last code point */
};

struct classify_category {
	const char *key;  /* a key of the rules' category set (borrowed) */
	double score;     /* sum of rule weights that fired */
	int assigned;     /* the decision (see `combined`) */
	double threshold; /* the category's rule threshold */
	struct classify_evidence *evidence;
	size_t n_evidence;
	double model_p;  /* the model's probability, or -1 without a model */
	double combined; /* (1-w) * score/threshold + w * model_p/model
	                    threshold, w the model weight (0 without a
	                    model); assigned when it reaches 1 */
};

struct narrative_hit;
struct narrative_matcher;

struct classify_result {
	struct classify_category *cats; /* categories over threshold (and,
	                                  with CLASSIFY_ALL_SCORES, under) */
	size_t n_cats;
	/* With narratives attached (classify_rules_attach_narratives): the
	 * narratives the text states (narrative_match.h), found on the
	 * folded text the categories were scored on, and the matcher that
	 * found them; NULL when none was attached. */
	struct narrative_hit *narratives;
	size_t n_narratives;
	const struct narrative_matcher *narratives_by;
};

/* Classifies UTF-8 text (lang may be NULL).  Returns 0 or -ENOMEM; fills
 * *out, which the caller clears with classify_result_clear. */
int classify_text(const struct classify_rules *rules, const char *text,
                  const char *lang, struct classify_result *out);
void classify_result_clear(struct classify_result *res);

/* The evidence of a category as the log stores it: a *new* compact JSON
 * string [{"term": ..., "start": n, "end": n}, ...] (code-point offsets),
 * or NULL when out of memory.  Free with free(). */
char *classify_evidence_json(const struct classify_category *cat);

/* classify_text_opts flags. */
#define CLASSIFY_ALL_SCORES                                                 \
	1u                     /* also list categories with a non-zero      \
	                          score under their threshold (assigned 0), \
	                          for `demarche eval --errors` and tuning */
#define CLASSIFY_RULES_ONLY 2u /* ignore an attached model (model weight 0) */
#define CLASSIFY_MODEL_ONLY \
	4u /* decide by the attached model alone (weight 1) */
/* classify_text with flags; classify_text(r, t, l, o) is
 * classify_text_opts(r, t, l, 0, o).  Texts over 1 MiB are classified by
 * their first 1 MiB. */
int classify_text_opts(const struct classify_rules *rules, const char *text,
                       const char *lang, unsigned flags,
                       struct classify_result *out);

/* The rules' reading of a text as the ids of extra model features
 * (model.h): rule frames that held per category, score bins, language.
 * `demarche train` gives them to a stacked model; classify_text computes
 * the same for an attached model that uses them.  Fills at most cap ids.
 * Returns 0 or -ENOMEM. */
int classify_rule_features(const struct classify_rules *rules, const char *text,
                           const char *lang, uint32_t *ids, size_t cap,
                           size_t *n);

struct model;
/*
 * Attaches a trained model (model.h) to the rules: from then on each
 * category's decision blends the two, as `combined` above says — with
 * weight 0.5, rules exactly at their threshold need the model at its own
 * threshold, and a model at probability 1 carries a category even the rules
 * did not touch.  The evidence of a category then also lists
 * "model:p=0.83" and the n-grams that pushed it most ("model:美国").  The
 * rules' version becomes "RULES;model=MODEL;w=W", so stored labels name
 * both.  Call before sharing the rules.  Returns 0 (the rules *steal*
 * the model) or -EINVAL (weight outside [0, 1]; the caller keeps it).
 */
int classify_rules_attach_model(struct classify_rules *rules,
                                struct model *model, double weight, char *err,
                                size_t errlen);
/* Attaches a narrative matcher (borrowed: it must outlive the rules, or
 * be detached with NULL): its terms join the rules' automaton, so
 * classify_text also reports the narratives a text states in the same
 * scan of the folded text.  The matcher is mutable, so rules with one
 * attached are for one thread.  Returns 0, or a negative errno with err
 * (the rules are then as they were, without narratives). */
int classify_rules_attach_narratives(struct classify_rules *rules,
                                     struct narrative_matcher *m, char *err,
                                     size_t errlen);
/* The attached model or NULL (borrowed), and its weight. */
const struct model *classify_rules_model(const struct classify_rules *rules);
double classify_rules_model_weight(const struct classify_rules *rules);

#endif
