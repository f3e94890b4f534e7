/*
 * cmd_train.c — `demarche train --labels FILE.tsv -o MODEL`: fits the
 * character n-gram model (model.c) on labelled statements, folded exactly
 * as the classifier folds posts (normalize.c), and writes the model file
 * atomically (a temporary file renamed into place).  It prints what it
 * learnt from and how well the model fits its own training set — a sanity
 * check, not a measure: `demarche eval --model` on other statements is.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "classify.h"
#include "cmd.h"
#include "labels.h"
#include "model.h"
#include "normalize.h"
#include "util.h"

#define TRAIN_MAX_FILES  16
#define TRAIN_MAX_LABELS (256u * 1024 * 1024)

/* Help text, one literal per printed line. */
/* clang-format off */
static void train_usage(FILE *fp)
{
	fputs(
	    "usage: demarche train --labels FILE.tsv [--labels FILE.tsv ...] -o MODEL [OPTIONS]\n"
	    "Trains the hashed character n-gram model on labelled TSV files and writes a\n"
	    "versioned, checksummed model file for classify, eval, reclassify and the\n"
	    "daemon's [classifier] model key.\n"
	    "\n"
	    "  --labels FILE.tsv   training statements (repeatable; at least one)\n"
	    "  -o, --output MODEL  the model file to write\n"
	    "  --buckets N         hash buckets of the feature space\n"
	    "  --ngram MIN-MAX     character n-gram lengths, e.g. 1-4\n"
	    "  --epochs N          passes over the data\n"
	    "  --seed N            seed of the shuffling (same seed, same model)\n"
	    "  --rate X            learning rate\n"
	    "  --l2 X              L2 regularisation strength\n"
	    "  --pos-weight X      weight of positive examples against negatives\n"
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

/* Writes len bytes to path through a temporary file and rename(2). */
static int write_atomic(const char *path, const char *data, size_t len)
{
	struct buf tmp = {0};
	size_t off = 0;
	int fd, r = 0;

	if (buf_printf(&tmp, "%s.tmp.%ld", path, (long)getpid()) < 0)
		return -ENOMEM;
	fd = open(tmp.data, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		r = -errno;
		goto out_free_tmp;
	}
	while (off < len) {
		ssize_t n = write(fd, data + off, len - off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			break;
		}
		off += (size_t)n;
	}
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp.data, path) < 0)
		r = -errno;
	if (r < 0)
		unlink(tmp.data);
out_free_tmp:
	buf_free(&tmp);
	return r;
}

/* The training options into *mp, the labelled files into files[] and
 * the output path into *output.  Returns -1 to go on, or the exit code. */
static int train_options(int argc, char **argv, struct model_params *mp,
                         const char **files, size_t *n_files,
                         const char **output)
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
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0}};
	int ch;
	double d;

	while ((ch = getopt_long(argc, argv, "l:o:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'l':
			if (*n_files == TRAIN_MAX_FILES) {
				fprintf(stderr,
				        "demarche train: at most %d "
				        "--labels files\n",
				        TRAIN_MAX_FILES);
				return EX_USAGE;
			}
			files[(*n_files)++] = optarg;
			break;
		case 'o':
			*output = optarg;
			break;
		case 'b':
			if (parse_num(optarg, MODEL_MIN_BUCKETS,
			              MODEL_MAX_BUCKETS, &d) < 0)
				goto out_badopt;
			mp->buckets = (unsigned)d;
			break;
		case 'n': {
			unsigned a, b;
			char tail;

			if (sscanf(optarg, "%u-%u%c", &a, &b, &tail) != 2)
				goto out_badopt;
			mp->min_n = a;
			mp->max_n = b;
			break;
		}
		case 'E':
			if (parse_num(optarg, 1, 10000, &d) < 0)
				goto out_badopt;
			mp->epochs = (unsigned)d;
			break;
		case 's':
			if (parse_num(optarg, 0, 4e18, &d) < 0)
				goto out_badopt;
			mp->seed = (uint64_t)d;
			break;
		case 'R':
			if (parse_num(optarg, 1e-9, 100, &mp->rate) < 0)
				goto out_badopt;
			break;
		case 'L':
			if (parse_num(optarg, 0, 0.999, &mp->l2) < 0)
				goto out_badopt;
			break;
		case 'P':
			if (parse_num(optarg, 1, 1000, &mp->pos_weight) < 0)
				goto out_badopt;
			break;
		case 'h':
			train_usage(stdout);
			return 0;
		default:
			train_usage(stderr);
			return EX_USAGE;
		}
	}
	return -1;
out_badopt:
	fprintf(stderr, "demarche train: bad value '%s'\n", optarg);
	train_usage(stderr);
	return EX_USAGE;
}

/* Prints what was trained and the model's F1 on its own training set,
 * per category (pos[] the positives of each). */
static void train_summary(const struct labels_set *set,
                          const struct model_example *ex, const struct model *m,
                          const struct model_params *mp, const size_t *pos,
                          const char *output, size_t len)
{
	size_t i;
	int c;

	printf("trained on %zu statements (%u-%u grams, %u buckets, %u "
	       "epochs)\n",
	       set->n, mp->min_n, mp->max_n, mp->buckets, mp->epochs);
	printf("%-18s %9s %12s\n", "category", "positives", "training F1");
	for (c = 0; c < CLASSIFY_N_CATEGORIES; c++) {
		long tp = 0, fp = 0, fn = 0;

		for (i = 0; i < set->n; i++) {
			struct model_scores ms;
			int gold = (ex[i].labels >> c) & 1, pred;

			model_score(m, ex[i].cps, ex[i].n_cp, &ms);
			pred = ms.p[c] >= model_threshold(m, c);
			tp += gold && pred;
			fp += !gold && pred;
			fn += gold && !pred;
		}
		printf("%-18s %9zu %12.3f\n", category_keys[c], pos[c],
		       tp ? 2.0 * (double)tp / (double)(2 * tp + fp + fn)
		          : 0.0);
	}
	printf("model %s written to %s (%zu bytes)\n", model_version(m), output,
	       len);
}

/* Folds every text as classify.c folds posts and keeps its code points
 * in ex[] (the caller frees them), counting each category's positives
 * into pos[].  Returns 0 or -ENOMEM. */
static int train_fold(struct normalize *norm, const struct labels_set *set,
                      struct model_example *ex, size_t *pos,
                      struct normalize_text *nt)
{
	size_t i;
	int c;

	for (i = 0; i < set->n; i++) {
		uint32_t *cps;
		size_t tl = strlen(set->items[i].text);

		if (tl > NORMALIZE_MAX_INPUT)
			tl = NORMALIZE_MAX_INPUT;
		if (normalize_run(norm, set->items[i].text, tl, nt) < 0)
			return -ENOMEM;
		cps = malloc((nt->n_cp + 1) * sizeof(*cps));
		if (!cps)
			return -ENOMEM;
		memcpy(cps, nt->cps, nt->n_cp * sizeof(*cps));
		ex[i].cps = cps;
		ex[i].n_cp = nt->n_cp;
		ex[i].labels = set->items[i].labels;
		for (c = 0; c < CLASSIFY_N_CATEGORIES; c++)
			pos[c] += (ex[i].labels >> c) & 1;
	}
	return 0;
}

int cmd_train_main(const struct cmd_globals *g, int argc, char **argv)
{
	const char *files[TRAIN_MAX_FILES], *output = NULL;
	char *data[TRAIN_MAX_FILES] = {0};
	size_t n_files = 0, i, len, pos[CLASSIFY_N_CATEGORIES] = {0};
	struct labels_set set = {0};
	struct model_params mp;
	struct model_example *ex = NULL;
	struct normalize *norm = NULL;
	struct normalize_text nt = {0};
	struct model *m = NULL;
	char err[512], *text = NULL;
	int rc = 0, r;

	(void)g;
	model_params_default(&mp);
	rc = train_options(argc, argv, &mp, files, &n_files, &output);
	if (rc >= 0)
		return rc;
	rc = 0;
	if (!n_files || !output || optind != argc) {
		train_usage(stderr);
		return EX_USAGE;
	}
	for (i = 0; i < n_files; i++) {
		r = util_read_file(files[i], TRAIN_MAX_LABELS, &data[i], &len);
		if (r < 0) {
			fprintf(stderr, "demarche train: %s: %s\n", files[i],
			        strerror(-r));
			rc = r == -ENOENT ? EX_NOINPUT : EX_IOERR;
			goto out_free_examples;
		}
		r = labels_parse(data[i], len, files[i], &set, err,
		                 sizeof(err));
		if (r < 0) {
			fprintf(stderr, "demarche train: %s\n", err);
			rc = r == -ENOMEM ? EX_OSERR : EX_DATAERR;
			goto out_free_examples;
		}
	}
	if (set.n == 0) {
		fprintf(stderr, "demarche train: no labelled statements\n");
		rc = EX_DATAERR;
		goto out_free_examples;
	}
	if (normalize_open(1, &norm, err, sizeof(err)) < 0) {
		fprintf(stderr, "demarche train: %s\n", err);
		rc = EX_OSERR;
		goto out_free_examples;
	}
	ex = calloc(set.n, sizeof(*ex));
	if (!ex)
		goto out_oom;
	if (train_fold(norm, &set, ex, pos, &nt) < 0)
		goto out_oom;
	r = model_train(ex, set.n, &mp, &m, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "demarche train: %s\n", err);
		rc = r == -ENOMEM ? EX_OSERR : EX_USAGE;
		goto out_free_examples;
	}
	if (model_serialize(m, &text, &len) < 0)
		goto out_oom;
	r = write_atomic(output, text, len);
	if (r < 0) {
		fprintf(stderr, "demarche train: %s: %s\n", output,
		        strerror(-r));
		rc = EX_CANTCREAT;
		goto out_free_examples;
	}
	train_summary(&set, ex, m, &mp, pos, output, len);
	goto out_free_examples;
out_oom:
	fprintf(stderr, "demarche train: out of memory\n");
	rc = EX_OSERR;
out_free_examples:
	if (ex)
		for (i = 0; i < set.n; i++)
			free((void *)ex[i].cps);
	free(ex);
	free(text);
	model_free(m);
	normalize_text_free(&nt);
	normalize_close(norm);
	labels_set_free(&set);
	for (i = 0; i < n_files; i++)
		free(data[i]);
	return rc;
}
