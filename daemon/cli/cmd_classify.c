/*
 * cmd_classify.c — `demarche classify` (JSON Lines in, one JSON line of
 * categories and evidence out per post) and `demarche eval` (scores the
 * rules against a labelled TSV: precision, recall, F1 per category, a
 * confusion table, per-language figures, optionally every error, and the
 * macro-F1 as the last line, which scripts read).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <jansson.h>

#include "classify.h"
#include "cmd.h"
#include "config.h"
#include "labels.h"
#include "model.h"
#include "normalize.h"
#include "paths.h"
#include "util.h"

#define CMD_MAX_LINE (4 * 1024 * 1024)

int cmd_load_classifier(const struct cmd_globals *g, const char *prog,
                        const char *rules_dir, const char *model_path,
                        double weight, struct classify_rules **out)
{
	struct config *cfg = NULL;
	struct model *m = NULL;
	char err[512];
	int r, rc = 0;

	*out = NULL;
	if (g && g->config) {
		if ((r = cmd_load_config(prog, g->config, &cfg)) != 0)
			return r;
		if (!rules_dir)
			rules_dir = cfg->rules_dir;
		if (!model_path)
			model_path = cfg->model_path;
		if (weight < 0)
			weight = cfg->model_weight;
	}
	if (weight < 0)
		weight = 0.5;
	if (!rules_dir)
		rules_dir = paths_default_rules_dir();
	r = classify_rules_load(rules_dir, out, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "demarche %s: %s\n", prog, err);
		rc = r == -ENOMEM ? EX_OSERR : EX_CONFIG;
		goto out_free_config;
	}
	category_configure(classify_rules_categories(*out));
	if (!model_path)
		goto out_free_config;
	r = model_load_file(model_path, &m, err, sizeof(err));
	if (r == 0)
		r = classify_rules_attach_model(*out, m, weight, err,
		                                sizeof(err));
	if (r < 0) {
		fprintf(stderr, "demarche %s: %s\n", prog, err);
		rc = r == -ENOMEM   ? EX_OSERR
		     : r == -EINVAL ? EX_DATAERR
		                    : EX_NOINPUT;
		model_free(m);
		classify_rules_free(*out);
		*out = NULL;
	}
out_free_config:
	config_free(cfg);
	return rc;
}

/* Reads a --model-weight value. */
static int parse_weight(const char *s, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	if (end == s || *end || errno || !(*out >= 0 && *out <= 1))
		return -1;
	return 0;
}

/* Byte offset of code point `cp` in UTF-8 text s (counting invalid bytes
 * as one code point each, as the classifier does). */
static size_t cp_to_byte(const char *s, size_t len, size_t cp)
{
	size_t pos = 0, adv, i;

	for (i = 0; i < cp && pos < len; i++) {
		normalize_utf8_decode((const unsigned char *)s + pos, len - pos,
		                      &adv);
		pos += adv;
	}
	return pos;
}

/* Builds the "categories" array of one result (a *new* reference). */
static json_t *categories_json(const struct classify_result *res,
                               const char *text)
{
	json_t *arr = json_array();
	size_t i, j, len = strlen(text);

	if (!arr)
		return NULL;
	for (i = 0; i < res->n_cats; i++) {
		const struct classify_category *c = &res->cats[i];
		json_t *o = json_object(), *ev = json_array(),
		       *sp = json_array();

		if (!o || !ev || !sp) {
			json_decref(o);
			json_decref(ev);
			json_decref(sp);
			json_decref(arr);
			return NULL;
		}
		for (j = 0; j < c->n_evidence; j++) {
			const struct classify_evidence *e = &c->evidence[j];
			size_t b0 = cp_to_byte(text, len, e->start);
			size_t b1 = b0 + cp_to_byte(text + b0, len - b0,
			                            e->end - e->start);

			json_array_append_new(ev, json_string(e->term));
			json_array_append_new(
			    sp,
			    json_pack("{s:s, s:I, s:I, s:s%}", "term", e->term,
			              "start", (json_int_t)e->start, "end",
			              (json_int_t)e->end, "text", text + b0,
			              b1 - b0));
		}
		json_object_set_new(o, "key", json_string(c->key));
		json_object_set_new(o, "score", json_real(c->score));
		if (c->model_p >= 0) {
			json_object_set_new(o, "model_p",
			                    json_real(c->model_p));
			json_object_set_new(o, "combined",
			                    json_real(c->combined));
		}
		json_object_set_new(o, "evidence", ev);
		json_object_set_new(o, "spans", sp);
		json_array_append_new(arr, o);
	}
	return arr;
}

static void put_json_line(json_t *o)
{
	char *s = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(6) |
	                            JSON_PRESERVE_ORDER);

	if (s) {
		fputs(s, stdout);
		fputc('\n', stdout);
		free(s);
	}
}

/* Classifies one input line; returns 0, or 1 when the line is bad (an
 * error line has been written), or a negative errno. */
static int classify_line(const struct classify_rules *R, const char *line,
                         size_t len, long lineno)
{
	json_error_t jerr;
	json_t *in, *id = NULL, *text, *lang, *out = NULL, *cats;
	struct classify_result res;
	char msg[300];
	int r = 0;

	in = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!in) {
		snprintf(msg, sizeof(msg), "line %ld: invalid JSON: %s", lineno,
		         jerr.text);
		goto out_bad;
	}
	id = json_object_get(in, "id");
	text = json_object_get(in, "text");
	lang = json_object_get(in, "lang");
	if (!json_is_object(in)) {
		snprintf(msg, sizeof(msg), "line %ld: not a JSON object",
		         lineno);
		goto out_bad;
	}
	if (!json_is_string(text)) {
		snprintf(msg, sizeof(msg),
		         "line %ld: \"text\" missing or not a string", lineno);
		goto out_bad;
	}
	if (lang && !json_is_string(lang) && !json_is_null(lang)) {
		snprintf(msg, sizeof(msg), "line %ld: \"lang\" is not a string",
		         lineno);
		goto out_bad;
	}
	if (memchr(json_string_value(text), '\0', json_string_length(text)) !=
	    NULL) {
		snprintf(msg, sizeof(msg), "line %ld: \"text\" contains NUL",
		         lineno);
		goto out_bad;
	}
	r = classify_text(R, json_string_value(text),
	                  json_is_string(lang) ? json_string_value(lang) : NULL,
	                  &res);
	if (r < 0)
		goto out_decref_json;
	cats = categories_json(&res, json_string_value(text));
	classify_result_clear(&res);
	out = json_object();
	if (!cats || !out) {
		json_decref(cats);
		r = -ENOMEM;
		goto out_decref_json;
	}
	json_object_set(out, "id", id ? id : json_null());
	json_object_set_new(out, "categories", cats);
	json_object_set_new(out, "rules_version",
	                    json_string(classify_rules_version(R)));
	put_json_line(out);
	goto out_decref_json;
out_bad:
	fprintf(stderr, "demarche classify: stdin:%ld: %s\n", lineno,
	        msg + strcspn(msg, ":") + 2);
	out = json_object();
	if (out) {
		json_object_set(out, "id", id ? id : json_null());
		json_object_set_new(out, "error", json_string(msg));
		put_json_line(out);
	}
	r = 1;
out_decref_json:
	json_decref(out);
	json_decref(in);
	return r;
}

/* Help text, one literal per printed line. */
/* clang-format off */
static void classify_usage(FILE *fp)
{
	fputs(
	    "usage: demarche [-c FILE] classify [--rules DIR] [--model MODEL [--model-weight W]]\n"
	    "Reads JSON Lines on stdin ({\"id\": ..., \"text\": ..., \"lang\": ...}) and writes\n"
	    "one JSON line per input: {\"id\": ..., \"categories\": [{\"key\", \"score\",\n"
	    "\"evidence\"}]} (an empty list when no category applies).\n"
	    "\n"
	    "  --rules DIR         lexicon folder (default: the config's [classifier]\n"
	    "                      rules with -c, else the shipped config/rules)\n"
	    "  --model MODEL       also score with a trained model file (demarche train)\n"
	    "  --model-weight W    weight of the model against the rules, 0..1\n"
	    "  -h, --help          print this help and exit\n",
	    fp);
}
/* clang-format on */

int cmd_classify_main(const struct cmd_globals *g, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"rules", required_argument, NULL, 'r'},
	    {"model", required_argument, NULL, 'm'},
	    {"model-weight", required_argument, NULL, 'w'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0}};
	const char *dir = NULL, *model = NULL;
	struct classify_rules *R = NULL;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	long lineno = 0;
	double weight = -1;
	int ch, bad = 0, rc;

	while ((ch = getopt_long(argc, argv, "r:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'r':
			dir = optarg;
			break;
		case 'm':
			model = optarg;
			break;
		case 'w':
			if (parse_weight(optarg, &weight) < 0) {
				fprintf(stderr,
				        "demarche classify: --model-weight "
				        "takes a number from 0 to 1\n");
				return EX_USAGE;
			}
			break;
		case 'h':
			classify_usage(stdout);
			return 0;
		default:
			classify_usage(stderr);
			return EX_USAGE;
		}
	}
	if (optind != argc) {
		classify_usage(stderr);
		return EX_USAGE;
	}
	if ((rc = cmd_load_classifier(g, "classify", dir, model, weight, &R)) !=
	    0)
		return rc;
	while ((n = getline(&line, &cap, stdin)) >= 0) {
		size_t len = (size_t)n;
		int r;

		lineno++;
		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			len--;
		if (strspn(line, " \t\r\n") >= len)
			continue; /* blank lines separate nothing */
		if (len > CMD_MAX_LINE) {
			fprintf(stderr,
			        "demarche classify: stdin:%ld: line longer "
			        "than %d bytes\n",
			        lineno, CMD_MAX_LINE);
			printf(
			    "{\"id\":null,\"error\":\"line %ld: too long\"}\n",
			    lineno);
			bad = 1;
			continue;
		}
		r = classify_line(R, line, len, lineno);
		if (r < 0) {
			fprintf(stderr, "demarche classify: stdin:%ld: %s\n",
			        lineno, strerror(-r));
			free(line);
			classify_rules_free(R);
			return EX_OSERR;
		}
		bad |= r;
	}
	free(line);
	classify_rules_free(R);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "demarche classify: writing output failed\n");
		return EX_IOERR;
	}
	return bad ? EX_DATAERR : 0;
}

/* ---- eval ---- */

struct counts {
	long tp; /* labelled and predicted */
	long fp; /* predicted only */
	long fn; /* labelled only */
};

static double safe_div(double a, double b)
{
	return b > 0 ? a / b : 0.0;
}

static double f1_of(const struct counts *c)
{
	double p = safe_div((double)c->tp, (double)(c->tp + c->fp));
	double r = safe_div((double)c->tp, (double)(c->tp + c->fn));
	return safe_div(2 * p * r, p + r);
}

/* Languages reported separately (others pooled as "other"). */
static const char *const eval_langs[] = {"en",      "es",      "fr",   "ja",
                                         "zh-Hans", "zh-Hant", "other"};
#define N_EVAL_LANGS (sizeof(eval_langs) / sizeof(eval_langs[0]))

static size_t lang_slot(const char *lang)
{
	size_t i;

	for (i = 0; i + 1 < N_EVAL_LANGS; i++)
		if (strcmp(lang, eval_langs[i]) == 0)
			return i;
	return N_EVAL_LANGS - 1;
}

/* The ways eval decides, when a model is attached: each is tallied. */
enum eval_run { RUN_RULES, RUN_MODEL, RUN_BOTH, N_RUNS };
static const unsigned run_flags[N_RUNS] = {CLASSIFY_RULES_ONLY,
                                           CLASSIFY_MODEL_ONLY, 0};

/* The configured categories (the rules', cmd_load_classifier installs
 * them): NCAT of them in the tables, sized for the most there can be. */
#define NCAT category_count()
#define NMAX CLASSIFY_MAX_CATEGORIES

/* What one way of deciding got right and wrong. */
struct tally {
	struct counts cnt[NMAX];                /* per category */
	struct counts lcnt[N_EVAL_LANGS][NMAX]; /* per language, category */
	long lposts[N_EVAL_LANGS];              /* statements per language */
	/* confusion[gold][pred]: index NCAT is "none". */
	long confusion[NMAX + 1][NMAX + 1];
	long exact; /* statements with every label right */
};

static void tally_add(struct tally *t, unsigned gold, unsigned pred,
                      const char *lang)
{
	size_t ls = lang_slot(lang);
	int i, j;

	t->lposts[ls]++;
	if (gold == pred)
		t->exact++;
	for (i = 0; i < NCAT; i++) {
		int gi = (gold >> i) & 1, pi = (pred >> i) & 1;

		t->cnt[i].tp += gi && pi;
		t->cnt[i].fp += !gi && pi;
		t->cnt[i].fn += gi && !pi;
		t->lcnt[ls][i].tp += gi && pi;
		t->lcnt[ls][i].fp += !gi && pi;
		t->lcnt[ls][i].fn += gi && !pi;
	}
	for (i = 0; i <= NCAT; i++) {
		int gi = i == NCAT ? gold == 0 : (int)((gold >> i) & 1u);

		if (!gi)
			continue;
		for (j = 0; j <= NCAT; j++)
			t->confusion[i][j] +=
			    j == NCAT ? pred == 0 : (pred >> j) & 1;
	}
}

static double tally_macro(const struct tally *t)
{
	double m = 0;
	int i;

	for (i = 0; i < NCAT; i++)
		m += f1_of(&t->cnt[i]);
	return m / NCAT;
}

static void print_errors_for(const struct classify_result *res, int cat,
                             const char *kind, const char *id, const char *lang,
                             const char *text)
{
	size_t i, j;

	printf("%s %-17s %s [%s]", kind, category_key(cat), id, lang);
	for (i = 0; i < res->n_cats; i++) {
		const struct classify_category *c = &res->cats[i];

		if (strcmp(c->key, category_key(cat)) != 0)
			continue;
		printf(" score %.2f/%.2f", c->score, c->threshold);
		if (c->model_p >= 0)
			printf(" model p %.2f combined %.2f", c->model_p,
			       c->combined);
		printf(" evidence:");
		for (j = 0; j < c->n_evidence; j++)
			printf("%s \"%s\"", j ? "," : "", c->evidence[j].term);
	}
	printf("\n    %s\n", text);
}

static void print_tally(const struct tally *t)
{
	int i, j;
	size_t l;

	printf("%-18s %6s %6s %6s %5s %5s %5s %8s\n", "category", "P", "R",
	       "F1", "TP", "FP", "FN", "support");
	for (i = 0; i < NCAT; i++) {
		const struct counts *c = &t->cnt[i];

		printf("%-18s %6.3f %6.3f %6.3f %5ld %5ld %5ld %8ld\n",
		       category_key(i),
		       safe_div((double)c->tp, (double)(c->tp + c->fp)),
		       safe_div((double)c->tp, (double)(c->tp + c->fn)),
		       f1_of(c), c->tp, c->fp, c->fn, c->tp + c->fn);
	}
	printf("\nconfusion (rows: labelled, columns: predicted; a post "
	       "counts in every pair of its labels)\n%-18s",
	       "");
	for (j = 0; j <= NCAT; j++)
		printf(" %8.8s", j == NCAT ? "none" : category_key(j));
	printf("\n");
	for (i = 0; i <= NCAT; i++) {
		printf("%-18s", i == NCAT ? "none" : category_key(i));
		for (j = 0; j <= NCAT; j++)
			printf(" %8ld", t->confusion[i][j]);
		printf("\n");
	}
	printf("\nper language (macro-F1 over the categories that occur in "
	       "that language's labels or predictions)\n");
	for (l = 0; l < N_EVAL_LANGS; l++) {
		double m = 0;
		int k = 0;

		if (!t->lposts[l])
			continue;
		for (j = 0; j < NCAT; j++) {
			const struct counts *c = &t->lcnt[l][j];
			if (c->tp + c->fp + c->fn == 0)
				continue;
			m += f1_of(c);
			k++;
		}
		if (k)
			printf("  %-8s %6.3f  (%ld statements)\n",
			       eval_langs[l], m / k, t->lposts[l]);
		else
			printf("  %-8s     -   (%ld statements, no labels or "
			       "predictions)\n",
			       eval_langs[l], t->lposts[l]);
	}
}

/* Help text, one literal per printed line. */
/* clang-format off */
static void eval_usage(FILE *fp)
{
	fputs(
	    "usage: demarche [-c FILE] eval --labels FILE.tsv [OPTIONS]\n"
	    "       demarche -d DB eval --from-db DB [OPTIONS]\n"
	    "       demarche eval --cv K --labels FILE.tsv [--labels ...] [--rules DIR]\n"
	    "Scores the classifier on a labelled TSV (id, labels, lang, text; labels are\n"
	    "comma-separated category keys or none): per-category precision, recall and\n"
	    "F1, per-language figures, and as its last line \"macro-F1: X\".\n"
	    "\n"
	    "  --labels FILE.tsv   the labelled statements\n"
	    "  --from-db DB        score on the analysts' labels stored in a log\n"
	    "  --cv K              stratified K-fold cross-validation of the learned\n"
	    "                      model (trained on K-1 folds, scored on the rest)\n"
	    "  --rules DIR         lexicon folder (default as for classify)\n"
	    "  --model MODEL       blend a trained model into the scores\n"
	    "  --model-weight W    weight of the model against the rules, 0..1\n"
	    "  --errors            also list each misclassified statement\n"
	    "  -h, --help          print this help and exit\n",
	    fp);
}
/* clang-format on */

/* What `demarche eval` was asked to do. */
struct eval_opts {
	const char *cv_files[16], *from_db, *dir, *labels, *model;
	size_t n_cv_files;
	unsigned cv_k;
	double weight;
	int show_errors;
};

/* Reads eval's options into o.  Returns -1 to go on, else an exit code. */
static int eval_options(int argc, char **argv, struct eval_opts *o)
{
	static const struct option opts[] = {
	    {"labels", required_argument, NULL, 'l'},
	    {"rules", required_argument, NULL, 'r'},
	    {"model", required_argument, NULL, 'm'},
	    {"model-weight", required_argument, NULL, 'w'},
	    {"errors", no_argument, NULL, 'e'},
	    {"cv", required_argument, NULL, 'k'},
	    {"from-db", required_argument, NULL, 'D'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0}};
	int ch;

	while ((ch = getopt_long(argc, argv, "l:r:eh", opts, NULL)) != -1) {
		switch (ch) {
		case 'l':
			if (o->labels && o->n_cv_files == 0)
				o->cv_files[o->n_cv_files++] = o->labels;
			if (o->labels && o->n_cv_files < 16)
				o->cv_files[o->n_cv_files++] = optarg;
			o->labels = optarg;
			break;
		case 'D':
			o->from_db = optarg;
			break;
		case 'k': {
			char *end;
			long v = strtol(optarg, &end, 10);

			if (end == optarg || *end || v < 2 || v > 50) {
				fprintf(stderr, "demarche eval: --cv takes a "
				                "fold count from 2 to 50\n");
				return EX_USAGE;
			}
			o->cv_k = (unsigned)v;
			break;
		}
		case 'r':
			o->dir = optarg;
			break;
		case 'm':
			o->model = optarg;
			break;
		case 'w':
			if (parse_weight(optarg, &o->weight) < 0) {
				fprintf(stderr, "demarche eval: --model-weight "
				                "takes a number from 0 to 1\n");
				return EX_USAGE;
			}
			break;
		case 'e':
			o->show_errors = 1;
			break;
		case 'h':
			eval_usage(stdout);
			return 0;
		default:
			eval_usage(stderr);
			return EX_USAGE;
		}
	}
	if ((!o->labels == !o->from_db) || optind != argc ||
	    (o->n_cv_files > 1 && !o->cv_k) ||
	    (o->cv_k && (o->model || o->from_db))) {
		eval_usage(stderr);
		return EX_USAGE;
	}
	return -1;
}

/* Classifies every statement of set with runs first..last and tallies
 * them in t[run]; the errors of main_run are listed when asked.  Returns
 * 0 or an exit code. */
static int eval_score(const struct classify_rules *R,
                      const struct labels_set *set, const char *labels,
                      int show_errors, int first, int last, int main_run,
                      struct tally *t)
{
	size_t k;
	int run, r, i;

	for (k = 0; k < set->n; k++) {
		const struct labels_item *it = &set->items[k];

		for (run = first; run <= last; run++) {
			struct classify_result res;
			unsigned pred = 0;
			size_t j;

			r = classify_text_opts(
			    R, it->text, it->lang,
			    CLASSIFY_ALL_SCORES | run_flags[run], &res);
			if (r < 0) {
				fprintf(stderr, "demarche eval: %s:%ld: %s\n",
				        labels, it->line, strerror(-r));
				return EX_OSERR;
			}
			for (j = 0; j < res.n_cats; j++)
				if (res.cats[j].assigned)
					pred |= 1u << category_index(
					            res.cats[j].key);
			tally_add(&t[run], it->labels, pred, it->lang);
			for (i = 0; show_errors && run == main_run && i < NCAT;
			     i++) {
				int gi = (it->labels >> i) & 1;

				if (gi != (int)((pred >> i) & 1))
					print_errors_for(
					    &res, i, gi ? "FN" : "FP", it->id,
					    it->lang, it->text);
			}
			classify_result_clear(&res);
		}
	}
	return 0;
}

/* The summary: the main run in detail, the runs side by side, and the
 * macro-F1 as the last line. */
static void eval_print(const struct classify_rules *R, const char *labels,
                       size_t n, const struct tally *t, int first, int last,
                       int main_run)
{
	static const char *const run_names[N_RUNS] = {
	    "rules alone", "model alone", "rules + model"};
	int i, run;

	printf("rules: %s\nlabels: %s (%zu statements)\n",
	       classify_rules_version(R), labels, n);
	if (classify_rules_model(R))
		printf("model: %s, weight %g; decision: (1-w)*score/threshold "
		       "+ w*p/model threshold >= 1\n",
		       model_version(classify_rules_model(R)),
		       classify_rules_model_weight(R));
	printf("\n");
	print_tally(&t[main_run]);
	if (main_run != RUN_RULES) {
		printf("\ncomparison: F1 per category and macro-F1\n%-16s", "");
		for (i = 0; i < NCAT; i++)
			printf(" %8.8s", category_key(i));
		printf(" %8s\n", "macro");
		for (run = first; run <= last; run++) {
			printf("%-16s", run_names[run]);
			for (i = 0; i < NCAT; i++)
				printf(" %8.3f", f1_of(&t[run].cnt[i]));
			printf(" %8.3f\n", tally_macro(&t[run]));
		}
	}
	printf("\nexact match: %.3f\n",
	       safe_div((double)t[main_run].exact, (double)n));
	printf("macro-F1: %.3f\n", tally_macro(&t[main_run]));
}

int cmd_eval_main(const struct cmd_globals *g, int argc, char **argv)
{
	struct eval_opts o = {.weight = -1};
	const char *labels;
	struct classify_rules *R = NULL;
	struct labels_set set = {0};
	struct tally *t = NULL;
	char *data = NULL, err[512];
	size_t len;
	int rc, r, first, last, main_run;

	rc = eval_options(argc, argv, &o);
	if (rc >= 0)
		return rc;
	rc = 0;
	if (o.cv_k) {
		if (o.n_cv_files == 0)
			o.cv_files[o.n_cv_files++] = o.labels;
		return cmd_train_cv_report(g, o.cv_files, o.n_cv_files, o.dir,
		                           o.cv_k);
	}
	labels = o.labels;
	if (o.from_db) {
		rc = cmd_labels_from_db("eval", o.from_db, &data, &len);
		if (rc)
			return rc;
		labels = o.from_db;
		r = 0;
	} else {
		r = util_read_file(labels, 256 * 1024 * 1024, &data, &len);
	}
	if (r < 0) {
		fprintf(stderr, "demarche eval: %s: %s\n", labels,
		        strerror(-r));
		return r == -ENOENT ? EX_NOINPUT : EX_IOERR;
	}
	/* The rules first: their categories are the labels' keys. */
	rc = cmd_load_classifier(g, "eval", o.dir, o.model, o.weight, &R);
	if (rc != 0)
		goto out_free_eval;
	r = labels_parse(data, len, labels, &set, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "demarche eval: %s\n", err);
		rc = r == -ENOMEM ? EX_OSERR : EX_DATAERR;
		goto out_free_eval;
	}
	/* Without a model only the rules are tallied; with one, all three
	 * ways, and the blend is the one reported in detail. */
	first = RUN_RULES;
	last = classify_rules_model(R) ? RUN_BOTH : RUN_RULES;
	main_run = last;
	t = calloc(N_RUNS, sizeof(*t));
	if (!t) {
		rc = EX_OSERR;
		goto out_free_eval;
	}
	if (o.show_errors)
		printf("errors (FP: predicted but not labelled; FN: labelled "
		       "but not predicted):\n");
	rc = eval_score(R, &set, labels, o.show_errors, first, last, main_run,
	                t);
	if (rc)
		goto out_free_eval;
	if (o.show_errors)
		printf("\n");
	eval_print(R, labels, set.n, t, first, last, main_run);
out_free_eval:
	free(t);
	classify_rules_free(R);
	labels_set_free(&set);
	free(data);
	return rc;
}
