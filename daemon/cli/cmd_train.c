/*
 * cmd_train.c — `demarche train --labels FILE.tsv -o MODEL`: fits the
 * model (model.c: character and word n-grams, and by default the rule
 * frames that fired as stacked features) on labelled statements, folded
 * exactly as the classifier folds posts (normalize.c), and writes the
 * model file atomically (a temporary file renamed into place).  It prints
 * what it learnt from and how well the model fits its own training set —
 * a sanity check, not a measure.  With `--cv K` it first cross-validates
 * (train_cv.c), prints rules, model and blend out-of-fold, and writes the
 * thresholds and blend weight that cross-validation chose into the model
 * with the figures as comments; `demarche eval --cv K` prints the same
 * without writing anything.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "classify.h"
#include "cmd.h"
#include "labels.h"
#include "model.h"
#include "normalize.h"
#include "train_cv.h"
#include "util.h"

#define TRAIN_MAX_FILES  16
#define TRAIN_MAX_LABELS (256u * 1024 * 1024)
#define TRAIN_MAX_NOTES  16

/* Help text, one literal per printed line. */
/* clang-format off */
static void train_usage(FILE *fp)
{
	fputs(
	    "usage: demarche train --labels FILE.tsv [--labels ...] [--from-db DB] -o MODEL [OPTIONS]\n"
	    "       demarche train --cv K --labels FILE.tsv [...] -o MODEL [OPTIONS]\n"
	    "Trains the model (hashed character n-grams, word uni/bigrams with CJK\n"
	    "characters as words, and the rule frames' hits stacked as features) on\n"
	    "labelled TSV files and/or the analysts' labels stored in a log, and writes\n"
	    "a versioned, checksummed model file for classify, eval, reclassify and the\n"
	    "daemon's [classifier] model key.\n"
	    "\n"
	    "  --labels FILE.tsv   training statements (repeatable)\n"
	    "  --from-db DB        also the labels stored with `demarche label`\n"
	    "  -o, --output MODEL  the model file to write\n"
	    "  --cv K              choose the blend weight and thresholds by stratified\n"
	    "                      K-fold cross-validation and record the figures\n"
	    "  --rules DIR         the rules whose frames become features\n"
	    "  --no-stack          leave the rule frames out of the features\n"
	    "  --words N           word features: 0 none, 1 unigrams, 2 uni+bigrams\n"
	    "  --buckets N         hash buckets of the feature space\n"
	    "  --ngram MIN-MAX     character n-gram lengths, e.g. 1-4\n"
	    "  --epochs N          passes over the data\n"
	    "  --seed N            seed of the shuffling (same seed, same model)\n"
	    "  --rate X            learning rate\n"
	    "  --l2 X              L2 regularisation strength\n"
	    "  --pos-weight X      weight of positive examples against negatives\n"
	    "  --note TEXT         a provenance note kept in the model (repeatable)\n"
	    "  -h, --help          print this help and exit\n",
	    fp);
}
/* clang-format on */

static int parse_num(const char *s, double lo, double hi, double *out)
{
	char *end;
	double d;

	errno = 0;
	d = strtod(s, &end);
	if (end == s || *end || errno || !(d >= lo && d <= hi))
		return -1;
	*out = d;
	return 0;
}

void train_params_default(struct model_params *mp)
{
	model_params_default(mp);
	mp->words = 2;
	mp->extra = 1;
}

/* Labelled statements as model examples. */
struct train_data {
	struct labels_set set;           /* the statements */
	char *data[TRAIN_MAX_FILES + 1]; /* contents the set points into */
	size_t n_files;                  /* used entries of data */
	struct model_example *ex;        /* one per statement */
	uint32_t *feats;                 /* MODEL_MAX_EXTRA ids per statement */
	double (*ratio)[CLASSIFY_MAX_CATEGORIES]; /* rules score / threshold */
	size_t pos[CLASSIFY_MAX_CATEGORIES];      /* positives per category */
};

static void train_data_free(struct train_data *td)
{
	size_t i;

	if (td->ex)
		for (i = 0; i < td->set.n; i++)
			free((void *)td->ex[i].cps);
	free(td->ex);
	free(td->feats);
	free(td->ratio);
	labels_set_free(&td->set);
	for (i = 0; i < td->n_files; i++)
		free(td->data[i]);
}

/* Reads the files, folds every text as classify.c folds posts, and with
 * the rules R records their score ratios and (stack) frame features.
 * Returns 0 or a sysexits.h code, the reason on stderr. */
static int train_data_load(const char *prog, const char **files, size_t n_files,
                           const char *from_db, const struct classify_rules *R,
                           bool stack, struct train_data *td)
{
	struct normalize *norm = NULL;
	struct normalize_text nt = {0};
	char err[512];
	size_t i, len;
	int r, rc = 0, c;

	memset(td, 0, sizeof(*td));
	for (i = 0; i < n_files; i++) {
		r = util_read_file(files[i], TRAIN_MAX_LABELS, &td->data[i],
		                   &len);
		if (r < 0) {
			fprintf(stderr, "demarche %s: %s: %s\n", prog, files[i],
			        strerror(-r));
			return r == -ENOENT ? EX_NOINPUT : EX_IOERR;
		}
		td->n_files++;
		r = labels_parse(td->data[i], len, files[i], &td->set, err,
		                 sizeof(err));
		if (r < 0) {
			fprintf(stderr, "demarche %s: %s\n", prog, err);
			return r == -ENOMEM ? EX_OSERR : EX_DATAERR;
		}
	}
	if (from_db) {
		r = cmd_labels_from_db(prog, from_db, &td->data[td->n_files],
		                       &len);
		if (r)
			return r;
		r = labels_parse(td->data[td->n_files++], len, from_db,
		                 &td->set, err, sizeof(err));
		if (r < 0) {
			fprintf(stderr, "demarche %s: %s\n", prog, err);
			return r == -ENOMEM ? EX_OSERR : EX_DATAERR;
		}
	}
	if (td->set.n == 0) {
		fprintf(stderr, "demarche %s: no labelled statements\n", prog);
		return EX_DATAERR;
	}
	if (normalize_open(1, &norm, err, sizeof(err)) < 0) {
		fprintf(stderr, "demarche %s: %s\n", prog, err);
		return EX_OSERR;
	}
	td->ex = calloc(td->set.n, sizeof(*td->ex));
	td->ratio = calloc(td->set.n, sizeof(*td->ratio));
	td->feats =
	    stack ? calloc(td->set.n * MODEL_MAX_EXTRA, sizeof(*td->feats))
	          : NULL;
	if (!td->ex || !td->ratio || (stack && !td->feats))
		goto out_oom;
	for (i = 0; i < td->set.n; i++) {
		const struct labels_item *it = &td->set.items[i];
		struct classify_result res;
		uint32_t *cps;
		size_t tl = strlen(it->text), j;

		if (tl > NORMALIZE_MAX_INPUT)
			tl = NORMALIZE_MAX_INPUT;
		if (normalize_run(norm, it->text, tl, &nt) < 0)
			goto out_oom;
		cps = malloc((nt.n_cp + 1) * sizeof(*cps));
		if (!cps)
			goto out_oom;
		memcpy(cps, nt.cps, nt.n_cp * sizeof(*cps));
		td->ex[i].cps = cps;
		td->ex[i].n_cp = nt.n_cp;
		td->ex[i].labels = it->labels;
		for (c = 0; c < category_count(); c++)
			td->pos[c] += (it->labels >> c) & 1;
		if (!R)
			continue;
		if (classify_text_opts(
		        R, it->text, it->lang,
		        CLASSIFY_ALL_SCORES | CLASSIFY_RULES_ONLY, &res) < 0)
			goto out_oom;
		for (j = 0; j < res.n_cats; j++) {
			c = category_index(res.cats[j].key);
			if (c >= 0 && res.cats[j].threshold > 0)
				td->ratio[i][c] =
				    res.cats[j].score / res.cats[j].threshold;
		}
		classify_result_clear(&res);
		if (!stack)
			continue;
		td->ex[i].extra = td->feats + i * MODEL_MAX_EXTRA;
		if (classify_rule_features(
		        R, it->text, it->lang, td->feats + i * MODEL_MAX_EXTRA,
		        MODEL_MAX_EXTRA, &td->ex[i].n_extra) < 0)
			goto out_oom;
	}
	goto out_close_norm;
out_oom:
	fprintf(stderr, "demarche %s: out of memory\n", prog);
	rc = EX_OSERR;
out_close_norm:
	normalize_text_free(&nt);
	normalize_close(norm);
	return rc;
}

/* Cross-validates; fills ch and prints the table. */
static int train_cv(const char *prog, const struct train_data *td,
                    const struct model_params *mp, unsigned k,
                    struct train_cv_choice *ch)
{
	size_t n = td->set.n;
	unsigned *fold = calloc(n, sizeof(*fold));
	double(*prob)[CLASSIFY_MAX_CATEGORIES] = calloc(n, sizeof(*prob));
	char err[512];
	int r, rc = 0;

	if (!fold || !prob) {
		fprintf(stderr, "demarche %s: out of memory\n", prog);
		rc = EX_OSERR;
		goto out_free_folds;
	}
	r = train_cv_folds(td->ex, n, k, mp->seed, fold);
	if (r == 0)
		r = train_cv_predict(td->ex, n, k, mp, fold, prob, err,
		                     sizeof(err));
	else
		snprintf(err, sizeof(err), "%s",
		         r == -EINVAL ? "fewer statements than folds"
		                      : "out of memory");
	if (r < 0) {
		fprintf(stderr, "demarche %s: %s\n", prog, err);
		rc = r == -ENOMEM ? EX_OSERR : EX_DATAERR;
		goto out_free_folds;
	}
	train_cv_choose(td->ex, n,
	                (const double(*)[CLASSIFY_MAX_CATEGORIES])td->ratio,
	                (const double(*)[CLASSIFY_MAX_CATEGORIES])prob, ch);
	train_cv_print(stdout, ch, k, n);
out_free_folds:
	free(fold);
	free(prob);
	return rc;
}

int cmd_train_cv_report(const struct cmd_globals *g, const char **files,
                        size_t n_files, const char *rules_dir, unsigned k)
{
	struct classify_rules *R = NULL;
	struct train_data td;
	struct model_params mp;
	struct train_cv_choice ch;
	int rc;

	train_params_default(&mp);
	rc = cmd_load_classifier(g, "eval", rules_dir, NULL, 0, &R);
	if (rc)
		return rc;
	rc = train_data_load("eval", files, n_files, NULL, R, mp.extra != 0,
	                     &td);
	if (rc == 0)
		rc = train_cv("eval", &td, &mp, k, &ch);
	train_data_free(&td);
	classify_rules_free(R);
	return rc;
}

/* The figures of the categories beyond the codebook's four, appended to
 * a model note (nothing for the codebook alone, so its notes read as
 * before): counts, or F1 when counts is NULL. */
static int note_extra(struct buf *note, const char *lead, const size_t *counts,
                      const double *f1)
{
	int c, r = 0;

	for (c = CATEGORY_N_CODEBOOK; c < category_count() && r == 0; c++) {
		r = buf_printf(note, "%s %s ",
		               c == CATEGORY_N_CODEBOOK ? lead : ",",
		               category_key(c));
		if (r == 0)
			r = counts ? buf_printf(note, "%zu", counts[c])
			           : buf_printf(note, "%.3f", f1[c]);
	}
	return r;
}

static int train_run(const struct cmd_globals *g, const char **files,
                     size_t n_files, const char *from_db, const char *rules_dir,
                     const struct model_params *mp, unsigned cv_k,
                     const char *output, const char **notes, size_t n_notes)
{
	struct classify_rules *R = NULL;
	struct train_data td;
	struct train_cv_choice ch;
	struct model *m = NULL;
	struct buf note = {0};
	char err[512], *text = NULL;
	size_t i, len;
	int rc, r, c;

	memset(&td, 0, sizeof(td));
	rc = cmd_load_classifier(g, "train", rules_dir, NULL, 0, &R);
	if (rc)
		return rc;
	rc = train_data_load("train", files, n_files, from_db, R,
	                     mp->extra != 0, &td);
	if (rc)
		goto out_free_model;
	if (cv_k) {
		rc = train_cv("train", &td, mp, cv_k, &ch);
		if (rc)
			goto out_free_model;
	}
	r = model_train(td.ex, td.set.n, mp, &m, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "demarche train: %s\n", err);
		rc = r == -ENOMEM ? EX_OSERR : EX_USAGE;
		goto out_free_model;
	}
	for (i = 0; i < n_notes; i++)
		if (model_add_note(m, notes[i]) < 0)
			goto out_oom;
	if (buf_printf(&note,
	               "trained on %zu statements (positives: blame %zu, "
	               "western %zu, economic %zu, origin %zu); rules %s%s",
	               td.set.n, td.pos[0], td.pos[1], td.pos[2], td.pos[3],
	               classify_rules_version(R),
	               mp->extra ? " (stacked: the model reads their frames)"
	                         : "") < 0 ||
	    note_extra(&note, "; added categories' positives:", td.pos, NULL) <
	        0 ||
	    model_add_note(m, note.data) < 0)
		goto out_oom;
	if (cv_k) {
		for (c = 0; c < category_count(); c++)
			if (model_set_threshold(m, c, ch.t_blend[c]) < 0)
				goto out_oom;
		buf_reset(&note);
		if (buf_printf(&note,
		               "%u-fold CV macro-F1: rules %.3f, model %.3f, "
		               "blend %.3f at model_weight %.1f (thresholds "
		               "below chosen by CV)",
		               cv_k, ch.macro_rules, ch.macro_model,
		               ch.macro_blend, ch.weight) < 0 ||
		    model_add_note(m, note.data) < 0)
			goto out_oom;
		buf_reset(&note);
		if (buf_printf(&note,
		               "CV F1 blend: blame %.3f, western %.3f, "
		               "economic %.3f, origin %.3f",
		               ch.f1_blend[0], ch.f1_blend[1], ch.f1_blend[2],
		               ch.f1_blend[3]) < 0 ||
		    note_extra(&note, ";", NULL, ch.f1_blend) < 0 ||
		    model_add_note(m, note.data) < 0)
			goto out_oom;
	}
	if (model_serialize(m, &text, &len) < 0)
		goto out_oom;
	r = util_write_file_atomic(output, text, len);
	if (r < 0) {
		fprintf(stderr, "demarche train: %s: %s\n", output,
		        strerror(-r));
		rc = EX_CANTCREAT;
		goto out_free_model;
	}
	printf("trained on %zu statements (%u-%u grams, words %u, %s, %u "
	       "buckets, %u epochs)\n",
	       td.set.n, mp->min_n, mp->max_n, mp->words,
	       mp->extra ? "rule frames stacked" : "no rule frames",
	       mp->buckets, mp->epochs);
	printf("%-18s %9s %12s\n", "category", "positives", "training F1");
	for (c = 0; c < category_count(); c++) {
		long tp = 0, fp = 0, fn = 0;

		for (i = 0; i < td.set.n; i++) {
			struct model_scores ms;
			int gold = (td.ex[i].labels >> c) & 1, pred;

			model_score_ex(m, td.ex[i].cps, td.ex[i].n_cp,
			               td.ex[i].extra, td.ex[i].n_extra, &ms);
			pred = ms.p[c] >= model_threshold(m, c);
			tp += gold && pred;
			fp += !gold && pred;
			fn += gold && !pred;
		}
		printf("%-18s %9zu %12.3f\n", category_key(c), td.pos[c],
		       tp ? 2.0 * (double)tp / (double)(2 * tp + fp + fn)
		          : 0.0);
	}
	printf("model %s written to %s (%zu bytes)\n", model_version(m), output,
	       len);
	if (cv_k)
		printf(
		    "use it with model_weight = %.1f (the weight CV chose)\n",
		    ch.weight);
	goto out_free_model;
out_oom:
	fprintf(stderr, "demarche train: out of memory\n");
	rc = EX_OSERR;
out_free_model:
	buf_free(&note);
	free(text);
	model_free(m);
	train_data_free(&td);
	classify_rules_free(R);
	return rc;
}

/* One of the model's parameters (--buckets ... --no-stack) into mp:
 * 0, or -1 for a bad value. */
static int train_model_option(int ch, const char *arg, struct model_params *mp)
{
	double d;

	switch (ch) {
	case 'b':
		if (parse_num(arg, MODEL_MIN_BUCKETS, MODEL_MAX_BUCKETS, &d) <
		    0)
			return -1;
		mp->buckets = (unsigned)d;
		break;
	case 'n': {
		unsigned a, b;
		char tail;

		if (sscanf(arg, "%u-%u%c", &a, &b, &tail) != 2)
			return -1;
		mp->min_n = a;
		mp->max_n = b;
		break;
	}
	case 'E':
		if (parse_num(arg, 1, 10000, &d) < 0)
			return -1;
		mp->epochs = (unsigned)d;
		break;
	case 's':
		if (parse_num(arg, 0, 4e18, &d) < 0)
			return -1;
		mp->seed = (uint64_t)d;
		break;
	case 'R':
		if (parse_num(arg, 1e-9, 100, &mp->rate) < 0)
			return -1;
		break;
	case 'L':
		if (parse_num(arg, 0, 0.999, &mp->l2) < 0)
			return -1;
		break;
	case 'P':
		if (parse_num(arg, 1, 1000, &mp->pos_weight) < 0)
			return -1;
		break;
	case 'W':
		if (parse_num(arg, 0, 2, &d) < 0)
			return -1;
		mp->words = (unsigned)d;
		break;
	case 'X':
		mp->extra = 0;
		break;
	}
	return 0;
}

int cmd_train_main(const struct cmd_globals *g, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"labels", required_argument, NULL, 'l'},
	    {"output", required_argument, NULL, 'o'},
	    {"buckets", required_argument, NULL, 'b'},
	    {"ngram", required_argument, NULL, 'n'},
	    {"epochs", required_argument, NULL, 'E'},
	    {"seed", required_argument, NULL, 's'},
	    {"rate", required_argument, NULL, 'R'},
	    {"l2", required_argument, NULL, 'L'},
	    {"pos-weight", required_argument, NULL, 'P'},
	    {"words", required_argument, NULL, 'W'},
	    {"no-stack", no_argument, NULL, 'X'},
	    {"rules", required_argument, NULL, 'r'},
	    {"cv", required_argument, NULL, 'k'},
	    {"note", required_argument, NULL, 'N'},
	    {"from-db", required_argument, NULL, 'D'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0}};
	const char *files[TRAIN_MAX_FILES], *output = NULL, *rules_dir = NULL;
	const char *notes[TRAIN_MAX_NOTES], *from_db = NULL;
	size_t n_files = 0, n_notes = 0;
	struct model_params mp;
	unsigned cv_k = 0;
	int ch;
	double d;

	train_params_default(&mp);
	while ((ch = getopt_long(argc, argv, "l:o:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'l':
			if (n_files == TRAIN_MAX_FILES) {
				fprintf(stderr,
				        "demarche train: at most %d "
				        "--labels files\n",
				        TRAIN_MAX_FILES);
				return EX_USAGE;
			}
			files[n_files++] = optarg;
			break;
		case 'o':
			output = optarg;
			break;
		case 'b':
		case 'n':
		case 'E':
		case 's':
		case 'R':
		case 'L':
		case 'P':
		case 'W':
		case 'X':
			if (train_model_option(ch, optarg, &mp) < 0)
				goto out_badopt;
			break;
		case 'r':
			rules_dir = optarg;
			break;
		case 'k':
			if (parse_num(optarg, 2, 50, &d) < 0)
				goto out_badopt;
			cv_k = (unsigned)d;
			break;
		case 'D':
			from_db = optarg;
			break;
		case 'N':
			if (n_notes == TRAIN_MAX_NOTES)
				goto out_badopt;
			notes[n_notes++] = optarg;
			break;
		case 'h':
			train_usage(stdout);
			return 0;
		default:
			train_usage(stderr);
			return EX_USAGE;
		}
	}
	if ((!n_files && !from_db) || !output || optind != argc) {
		train_usage(stderr);
		return EX_USAGE;
	}
	return train_run(g, files, n_files, from_db, rules_dir, &mp, cv_k,
	                 output, notes, n_notes);
out_badopt:
	fprintf(stderr, "demarche train: bad value '%s'\n", optarg);
	train_usage(stderr);
	return EX_USAGE;
}
