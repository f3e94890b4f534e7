/*
 * reclassify.h — re-runs the current classifier (rules and model) over
 * posts already in the log, after analysts changed the lexicons or trained
 * a new model.  Posts are taken in batches of ascending id; each batch is
 * one transaction that replaces the posts' post_categories rows and sets
 * posts.rules_version and post_categories.rules_version to the classifier's
 * version, so an interrupted run leaves every post either wholly
 * relabelled or untouched, and a second run resumes by doing it all again.
 * Works on the store's SQLite connection with prepared statements; does
 * not log.
 */
#ifndef DEMARCHE_RECLASSIFY_H
#define DEMARCHE_RECLASSIFY_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "classify.h"

struct db;

#define RECLASSIFY_DEFAULT_BATCH 500
#define RECLASSIFY_MAX_BATCH     100000

struct reclassify_opts {
	int64_t since; /* only posts whose report_time >= since (UTC epoch
	                  seconds); INT64_MIN for all */
	size_t batch;  /* posts per transaction, 1..RECLASSIFY_MAX_BATCH */
	int64_t now;   /* classified_at of the new rows */
	volatile sig_atomic_t *stop; /* when set, stop after the current
	                                batch (may be NULL) */
	/* Called after every committed batch with the posts relabelled so
	 * far and the number selected at the start (may be NULL). */
	void (*progress)(int64_t done, int64_t total, void *arg);
	void *progress_arg; /* passed to progress */
	int64_t until;      /* only posts whose report_time < until: the
	                       period is half-open, [since, until); 0 for no
	                       end */
};

struct reclassify_counts {
	long posts;   /* posts relabelled (committed) */
	long changed; /* of them, posts whose set of categories changed */
	long batches; /* transactions committed */
	int stopped;  /* the stop flag ended the run early */
};

/* Relabels the selected posts.  Returns 0, or a negative errno with a
 * message in err (the failing batch is rolled back; earlier ones stay
 * committed and counted in *out). */
int reclassify_run(struct db *db, const struct classify_rules *rules,
                   const struct reclassify_opts *opts,
                   struct reclassify_counts *out, char *err, size_t errlen);

#endif
