/*
 * cmd.h — the subcommands of the `demarche` tool, one file each
 * (cmd_parse.c, cmd_classify.c, cmd_report.c, cmd_config.c, cmd_train.c,
 * cmd_reclassify.c, cmd_posts.c).  Each takes
 * the arguments after the subcommand name (argv[0] is the subcommand) and
 * returns a sysexits.h code.  `db` is the -d argument, else the -c
 * config's [storage] database for the commands that read the log, or NULL;
 * `config` the -c argument or NULL.
 */
#ifndef DEMARCHE_CMD_H
#define DEMARCHE_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cmd_globals {
	const char *db;     /* -d DB */
	const char *config; /* -c FILE */
	int verbose;
};

int cmd_parse_main(const struct cmd_globals *g, int argc, char **argv);
int cmd_classify_main(const struct cmd_globals *g, int argc, char **argv);
int cmd_eval_main(const struct cmd_globals *g, int argc, char **argv);
int cmd_report_main(const struct cmd_globals *g, int argc, char **argv);
int cmd_trends_main(const struct cmd_globals *g, int argc, char **argv);
int cmd_check_config_main(const struct cmd_globals *g, int argc, char **argv);
int cmd_train_main(const struct cmd_globals *g, int argc, char **argv);
int cmd_reclassify_main(const struct cmd_globals *g, int argc, char **argv);
int cmd_migrate_main(const struct cmd_globals *g, int argc, char **argv);
/* `posts` (cmd_posts.c): list, filter, search and export stored posts. */
int cmd_posts_main(const struct cmd_globals *g, int argc, char **argv);
/* The exit code of a failed store_open*(): 66 (EX_NOINPUT) when the
 * database does not exist, 65 (EX_DATAERR) when it is not a demarche log
 * (an empty or foreign file, a damaged one), else 74 (EX_IOERR). */
int cmd_open_status(int rc);

/* The period of --since / --until (cmd_time.c), in the one time grammar
 * (config_parse_time()): until (NULL: now) first, then since (NULL: until
 * - dflt_span, or INT64_MIN when dflt_span is 0), a duration counting back
 * from until.  epoch_until also takes bare Unix seconds for --until (what
 * demarched passes).  Errors go to stderr as "demarche CMD: ..."; returns
 * 0 with [*from, *to), or EX_USAGE. */
int cmd_period(const char *cmd, const char *since, const char *until,
               int64_t dflt_span, bool epoch_until, int64_t *from, int64_t *to);

/* The day rule of report and trends: a --since of whole days or weeks
 * counted back (NULL: the default span), "7d", "2w", "365d", counts
 * calendar days (UTC), the last being the day of --until, so that a
 * period ending mid-day still lists N days, not N + 1: *from moves to
 * midnight of the first of them.  A period ending at midnight, an
 * absolute --since and a span of hours or minutes are left as they are. */
void cmd_period_days(const char *since, int64_t *from, int64_t to);
/* "[2020-03-01T00:00:00Z, 2020-03-08T00:00:00Z)" into b (from INT64_MIN
 * or 0: "the beginning"). */
void cmd_period_words(int64_t from, int64_t to, char *b, size_t n);
struct config;
/* Loads the config at path into *out; its errors go to stderr as
 * "demarche PROG: ...".  Returns 0, or EX_CONFIG (EX_OSERR out of
 * memory). */
int cmd_load_config(const char *prog, const char *path, struct config **out);
/* Installs the configured categories (category.h) of the commands that
 * list categories without classifying (cmd_categories.c): those of the -c
 * config's rules folder, else of the shipped one; a folder that is not
 * there leaves the codebook's four.  Errors go to stderr as "demarche
 * PROG: ..."; a broken folder returns 78 when strict, else is a warning
 * and leaves the codebook's four.  Returns 0 or a sysexits.h code. */
int cmd_load_categories(const struct cmd_globals *g, const char *prog,
                        bool strict);

struct classify_rules;
/* Loads the classifier of classify, eval and reclassify (and installs its
 * categories as the configured ones, category.h): the rules of
 * rules_dir (else the -c config's, else the shipped ones) and the model at
 * model_path (else the config's [classifier] model, else none) with
 * weight (negative: the config's model_weight, else 0.5).  Errors go to
 * stderr as "demarche PROG: ..."; returns 0 and a *new* classifier, or a
 * sysexits.h code. */
int cmd_load_classifier(const struct cmd_globals *g, const char *prog,
                        const char *rules_dir, const char *model_path,
                        double weight, struct classify_rules **out);
/* `eval --cv K` (cmd_train.c): K-fold cross-validation of a model
 * trained on the files with the default training parameters, next to the
 * rules; prints the table, writes nothing.  Returns a sysexits.h code. */
int cmd_train_cv_report(const struct cmd_globals *g, const char **files,
                        size_t n_files, const char *rules_dir, unsigned k);
struct model_params;
/* The parameters `demarche train` uses by default (model.h defaults,
 * word bigrams, stacked rule frames). */
void train_params_default(struct model_params *mp);
int cmd_label_main(const struct cmd_globals *g, int argc, char **argv);
/* The analysts' labels of the log at target as a labels.h TSV buffer
 * (cmd_label.c): a *new* NUL-terminated string of *len bytes.  Returns 0
 * or a sysexits.h code, the reason on stderr as "demarche PROG: ...". */
int cmd_labels_from_db(const char *prog, const char *target, char **data,
                       size_t *len);
/* `amplification` (cmd_amplification.c): who amplified the tracked
 * posts. */
int cmd_amplification_main(const struct cmd_globals *g, int argc, char **argv);
/* The burst threshold and reposter cap of -c FILE's [poll] (else their
 * defaults), also handed to the report's Amplification section. */
void cmd_amplification_limits(const struct cmd_globals *g, int *burst,
                              int *cap);
/* `narrative [KEY]` (cmd_narrative.c): a narrative's timeline, or the
 * list; --rescan, --send-alerts (cmd_alerts.c). */
int cmd_narrative_main(const struct cmd_globals *g, int argc, char **argv);
int cmd_narrative_send_alerts(const struct cmd_globals *g);
int cmd_candidates_main(const struct cmd_globals *g, int argc, char **argv);
/* `show ID|URL` (cmd_show.c): one post's record. */
int cmd_show_main(const struct cmd_globals *g, int argc, char **argv);
/* `report --deliver` (cmd_deliver.c): the period [until - since, until);
 * since <= 0 takes the config's [report] since. */
int cmd_report_deliver(const struct cmd_globals *g, int64_t since,
                       int64_t until);

#endif
