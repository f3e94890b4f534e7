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
#include "normalize.h"
#include "paths.h"
#include "util.h"

#define CMD_MAX_LINE (4 * 1024 * 1024)

static int load_rules(const char *dir, const char *prog,
                      struct classify_rules **out)
{
	char err[512];
	int r;

	if (!dir)
		dir = paths_default_rules_dir();
	r = classify_rules_load(dir, out, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "demarche %s: %s\n", prog, err);
		return r == -ENOMEM ? EX_OSERR : EX_CONFIG;
	}
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
		goto out_free;
	cats = categories_json(&res, json_string_value(text));
	classify_result_clear(&res);
	out = json_object();
	if (!cats || !out) {
		json_decref(cats);
		r = -ENOMEM;
		goto out_free;
	}
	json_object_set(out, "id", id ? id : json_null());
	json_object_set_new(out, "categories", cats);
	json_object_set_new(out, "rules_version",
	                    json_string(classify_rules_version(R)));
	put_json_line(out);
	goto out_free;
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
out_free:
	json_decref(out);
	json_decref(in);
	return r;
}

static void classify_usage(FILE *fp)
{
	fputs("usage: demarche classify [--rules DIR] < posts.jsonl\n", fp);
}

int cmd_classify_main(const struct cmd_globals *g, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"rules", required_argument, NULL, 'r'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0}};
	const char *dir = NULL;
	struct classify_rules *R = NULL;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	long lineno = 0;
	int ch, bad = 0, rc;

	(void)g;
	while ((ch = getopt_long(argc, argv, "r:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'r':
			dir = optarg;
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
	if ((rc = load_rules(dir, "classify", &R)) != 0)
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

/* Parses the labels column into a bit set; -1 on an unknown key. */
static int parse_labels(char *s, unsigned *bits, char **bad)
{
	char *save = NULL, *tok;

	*bits = 0;
	for (tok = strtok_r(s, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		int i, found = 0;

		tok += strspn(tok, " ");
		tok[strcspn(tok, " ")] = '\0';
		if (strcmp(tok, "none") == 0 || !*tok)
			continue;
		for (i = 0; i < CLASSIFY_N_CATEGORIES; i++) {
			if (strcmp(tok, classify_category_keys[i]) == 0) {
				*bits |= 1u << i;
				found = 1;
			}
		}
		if (!found) {
			*bad = tok;
			return -1;
		}
	}
	return 0;
}

static void print_errors_for(const struct classify_result *res, int cat,
                             const char *kind, const char *id, const char *lang,
                             const char *text)
{
	size_t i, j;

	printf("%s %-17s %s [%s]", kind, classify_category_keys[cat], id, lang);
	for (i = 0; i < res->n_cats; i++) {
		const struct classify_category *c = &res->cats[i];

		if (strcmp(c->key, classify_category_keys[cat]) != 0)
			continue;
		printf(" score %.2f/%.2f evidence:", c->score, c->threshold);
		for (j = 0; j < c->n_evidence; j++)
			printf("%s \"%s\"", j ? "," : "", c->evidence[j].term);
	}
	printf("\n    %s\n", text);
}

static void eval_usage(FILE *fp)
{
	fputs("usage: demarche eval --labels FILE.tsv [--rules DIR] "
	      "[--errors]\n",
	      fp);
}

int cmd_eval_main(const struct cmd_globals *g, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"labels", required_argument, NULL, 'l'},
	    {"rules", required_argument, NULL, 'r'},
	    {"errors", no_argument, NULL, 'e'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0}};
	const char *dir = NULL, *labels = NULL;
	struct classify_rules *R = NULL;
	struct counts cnt[CLASSIFY_N_CATEGORIES] = {{0}};
	struct counts lcnt[N_EVAL_LANGS][CLASSIFY_N_CATEGORIES];
	long lposts[N_EVAL_LANGS] = {0};
	/* confusion[gold][pred]: index 4 is "none". */
	long confusion[CLASSIFY_N_CATEGORIES + 1][CLASSIFY_N_CATEGORIES + 1];
	char *data = NULL, *s, *end;
	size_t len;
	long lineno = 0, posts = 0, exact = 0;
	int ch, rc = 0, show_errors = 0, i, j, r;
	double macro = 0;

	(void)g;
	memset(lcnt, 0, sizeof(lcnt));
	memset(confusion, 0, sizeof(confusion));
	while ((ch = getopt_long(argc, argv, "l:r:eh", opts, NULL)) != -1) {
		switch (ch) {
		case 'l':
			labels = optarg;
			break;
		case 'r':
			dir = optarg;
			break;
		case 'e':
			show_errors = 1;
			break;
		case 'h':
			eval_usage(stdout);
			return 0;
		default:
			eval_usage(stderr);
			return EX_USAGE;
		}
	}
	if (!labels || optind != argc) {
		eval_usage(stderr);
		return EX_USAGE;
	}
	r = util_read_file(labels, 256 * 1024 * 1024, &data, &len);
	if (r < 0) {
		fprintf(stderr, "demarche eval: %s: %s\n", labels,
		        strerror(-r));
		return r == -ENOENT ? EX_NOINPUT : EX_IOERR;
	}
	if ((rc = load_rules(dir, "eval", &R)) != 0)
		goto out_free;
	if (show_errors)
		printf("errors (FP: predicted but not labelled; FN: labelled "
		       "but not predicted):\n");
	for (s = data, end = data + len; s < end;) {
		char *nl = memchr(s, '\n', (size_t)(end - s));
		char *f[4], *p;
		unsigned gold = 0, pred = 0;
		struct classify_result res;
		char *badkey = NULL;
		size_t ls;

		if (nl)
			*nl = '\0';
		lineno++;
		p = s;
		s = nl ? nl + 1 : end;
		if (*p == '\0' || *p == '#')
			continue;
		if (p[strlen(p) - 1] == '\r')
			p[strlen(p) - 1] = '\0';
		for (i = 0; i < 3; i++) {
			f[i] = p;
			p = strchr(p, '\t');
			if (!p)
				break;
			*p++ = '\0';
		}
		if (i < 3) {
			fprintf(
			    stderr,
			    "demarche eval: %s:%ld: expected 4 tab-separated "
			    "columns: id, labels, lang, text\n",
			    labels, lineno);
			rc = EX_DATAERR;
			goto out_free;
		}
		f[3] = p;
		if (parse_labels(f[1], &gold, &badkey) < 0) {
			fprintf(stderr,
			        "demarche eval: %s:%ld: unknown label '%s'\n",
			        labels, lineno, badkey);
			rc = EX_DATAERR;
			goto out_free;
		}
		r = classify_text_opts(R, f[3], f[2], CLASSIFY_ALL_SCORES,
		                       &res);
		if (r < 0) {
			fprintf(stderr, "demarche eval: %s:%ld: %s\n", labels,
			        lineno, strerror(-r));
			rc = EX_OSERR;
			goto out_free;
		}
		for (j = 0; j < (int)res.n_cats; j++)
			if (res.cats[j].assigned)
				pred |= 1u << classify_category_index(
				            res.cats[j].key);
		posts++;
		ls = lang_slot(f[2]);
		lposts[ls]++;
		if (gold == pred)
			exact++;
		for (i = 0; i < CLASSIFY_N_CATEGORIES; i++) {
			int gi = (gold >> i) & 1, pi = (pred >> i) & 1;

			cnt[i].tp += gi && pi;
			cnt[i].fp += !gi && pi;
			cnt[i].fn += gi && !pi;
			lcnt[ls][i].tp += gi && pi;
			lcnt[ls][i].fp += !gi && pi;
			lcnt[ls][i].fn += gi && !pi;
			if (!show_errors || gi == pi)
				continue;
			print_errors_for(&res, i, gi ? "FN" : "FP", f[0], f[2],
			                 f[3]);
		}
		for (i = 0; i <= CLASSIFY_N_CATEGORIES; i++) {
			int gi = i == CLASSIFY_N_CATEGORIES ? gold == 0
			                                    : (gold >> i) & 1;
			if (!gi)
				continue;
			for (j = 0; j <= CLASSIFY_N_CATEGORIES; j++) {
				int pj = j == CLASSIFY_N_CATEGORIES
				             ? pred == 0
				             : (pred >> j) & 1;
				confusion[i][j] += pj;
			}
		}
		classify_result_clear(&res);
	}
	if (show_errors)
		printf("\n");
	printf("rules: %s\nlabels: %s (%ld statements)\n\n",
	       classify_rules_version(R), labels, posts);
	printf("%-18s %6s %6s %6s %5s %5s %5s %8s\n", "category", "P", "R",
	       "F1", "TP", "FP", "FN", "support");
	for (i = 0; i < CLASSIFY_N_CATEGORIES; i++) {
		const struct counts *c = &cnt[i];
		double f1 = f1_of(c);

		macro += f1;
		printf("%-18s %6.3f %6.3f %6.3f %5ld %5ld %5ld %8ld\n",
		       classify_category_keys[i],
		       safe_div((double)c->tp, (double)(c->tp + c->fp)),
		       safe_div((double)c->tp, (double)(c->tp + c->fn)), f1,
		       c->tp, c->fp, c->fn, c->tp + c->fn);
	}
	macro /= CLASSIFY_N_CATEGORIES;
	printf("\nconfusion (rows: labelled, columns: predicted; a post "
	       "counts in every pair of its labels)\n%-18s",
	       "");
	for (j = 0; j <= CLASSIFY_N_CATEGORIES; j++)
		printf(" %8.8s", j == CLASSIFY_N_CATEGORIES
		                     ? "none"
		                     : classify_category_keys[j]);
	printf("\n");
	for (i = 0; i <= CLASSIFY_N_CATEGORIES; i++) {
		printf("%-18s", i == CLASSIFY_N_CATEGORIES
		                    ? "none"
		                    : classify_category_keys[i]);
		for (j = 0; j <= CLASSIFY_N_CATEGORIES; j++)
			printf(" %8ld", confusion[i][j]);
		printf("\n");
	}
	printf("\nper language (macro-F1 over the categories that occur in "
	       "that language's labels or predictions)\n");
	for (i = 0; i < (int)N_EVAL_LANGS; i++) {
		double m = 0;
		int k = 0;

		if (!lposts[i])
			continue;
		for (j = 0; j < CLASSIFY_N_CATEGORIES; j++) {
			const struct counts *c = &lcnt[i][j];
			if (c->tp + c->fp + c->fn == 0)
				continue;
			m += f1_of(c);
			k++;
		}
		if (k)
			printf("  %-8s %6.3f  (%ld statements)\n",
			       eval_langs[i], m / k, lposts[i]);
		else
			printf("  %-8s     -   (%ld statements, no labels or "
			       "predictions)\n",
			       eval_langs[i], lposts[i]);
	}
	printf("\nexact match: %.3f\n", safe_div((double)exact, (double)posts));
	printf("macro-F1: %.3f\n", macro);
out_free:
	classify_rules_free(R);
	free(data);
	return rc;
}
