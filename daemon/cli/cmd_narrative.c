/*
 * cmd_narrative.c — `demarche [-c FILE | -d DB] narrative [KEY]`: who
 * stated a narrative first, who followed and how fast, day by day, and
 * which role led.  Without a key it lists the narratives with their
 * counts.  Counts are of statements, not copies: posts that
 * post_clusters names copies of one statement count once, and the copies
 * of the first use are listed with it.  `--rescan` applies the narratives
 * to the whole log again; `--send-alerts` (cmd_alerts.c) sends the alerts
 * that are due.  The narratives are the config's with -c, else those the
 * log recorded (the narratives table).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <jansson.h>

#include "cmd.h"
#include "config.h"
#include "date.h"
#include "db.h"
#include "narrative_match.h"
#include "progress.h"
#include "report.h"
#include "store.h"
#include "store_narratives.h"
#include "util.h"

#define DAY 86400

static void usage(FILE *fp)
{
	fputs("usage: demarche [-c FILE | -d DB] narrative [KEY] [--since T] "
	      "[--until T]\n"
	      "                 [--format text|json]\n"
	      "       demarche [-c FILE | -d DB] narrative --rescan\n"
	      "       demarche -c FILE narrative --send-alerts\n"
	      "  KEY               one narrative's timeline: its first use, "
	      "every account\n"
	      "                    that followed with its delay, posts per "
	      "day, first use\n"
	      "                    per role; without KEY, every narrative "
	      "with its counts\n"
	      "  --since T         from T (a duration back from --until, or "
	      "a date/time);\n"
	      "                    default: the whole log\n"
	      "  --until T         up to T, not included (default: now)\n"
	      "  --format F        text (default) or json\n"
	      "  --rescan          match every stored post against the "
	      "narratives again\n"
	      "  --send-alerts     send the narrative alerts that are due "
	      "(the daemon\n"
	      "                    runs this)\n"
	      "  -h, --help        print this help and exit\n",
	      fp);
}

static json_t *time_json(int64_t t)
{
	char s[DATE_RFC3339_LEN];

	if (t == INT64_MIN || t == INT64_MAX)
		return json_null();
	return json_string(date_format_rfc3339(t, s));
}

/* "+2h03m" for a delay. */
static void delay_text(int64_t s, char *out, size_t len)
{
	if (s < 60)
		snprintf(out, len, "+%llds", (long long)s);
	else if (s < 3600)
		snprintf(out, len, "+%lldm%02llds", (long long)(s / 60),
		         (long long)(s % 60));
	else if (s < DAY)
		snprintf(out, len, "+%lldh%02lldm", (long long)(s / 3600),
		         (long long)(s % 3600 / 60));
	else
		snprintf(out, len, "+%lldd%02lldh", (long long)(s / DAY),
		         (long long)(s % DAY / 3600));
}

static const char *str(const json_t *o, const char *k)
{
	const char *v = json_string_value(json_object_get(o, k));

	return v ? v : "-";
}

static long long num(const json_t *o, const char *k)
{
	return (long long)json_integer_value(json_object_get(o, k));
}

static void print_text(const json_t *o)
{
	const json_t *first = json_object_get(o, "first"), *v;
	const json_t *period = json_object_get(o, "period");
	char d[32];
	size_t i;

	printf("narrative %s%s%s%s\n", str(o, "key"),
	       json_is_string(json_object_get(o, "name")) ? " (" : "",
	       json_is_string(json_object_get(o, "name")) ? str(o, "name") : "",
	       json_is_string(json_object_get(o, "name")) ? ")" : "");
	printf("period: [%s, %s)\n",
	       json_is_null(json_object_get(period, "from"))
	           ? "the beginning"
	           : str(period, "from"),
	       str(period, "to"));
	printf("posts: %lld statement(s), %lld cop%s\n", num(o, "posts"),
	       num(o, "copies"), num(o, "copies") == 1 ? "y" : "ies");
	if (!json_is_object(first))
		return;
	printf("first: %s @%s (%s) %s\n  %s\n", str(first, "time"),
	       str(first, "account"), str(first, "role"), str(first, "url"),
	       str(first, "text"));
	for (i = 0; (v = json_array_get(json_object_get(first, "copies"), i));
	     i++)
		printf("  copy: %s @%s %s\n", str(v, "time"), str(v, "account"),
		       str(v, "url"));
	printf("\naccounts, by first use:\n");
	for (i = 0; (v = json_array_get(json_object_get(o, "accounts"), i));
	     i++) {
		delay_text(num(v, "delay_s"), d, sizeof(d));
		printf("  %-9s %-20s %-12s %s  %lld post(s)\n", d,
		       str(v, "handle"), str(v, "role"), str(v, "first"),
		       num(v, "posts"));
	}
	printf("\nfirst use per role:\n");
	for (i = 0; (v = json_array_get(json_object_get(o, "roles"), i)); i++) {
		delay_text(num(v, "delay_s"), d, sizeof(d));
		printf("  %-12s @%-20s %s\n", str(v, "role"), str(v, "account"),
		       d);
	}
	printf("\n  day          posts  accounts\n");
	for (i = 0; (v = json_array_get(json_object_get(o, "daily"), i)); i++)
		printf("  %s  %6lld  %8lld\n", str(v, "day"), num(v, "posts"),
		       num(v, "accounts"));
}

/* ---- the narratives: the config's, else the log's ------------------- */

/* Reads one narrative of the log's narratives table into n. */
static int narrative_from_row(struct db_stmt *s, struct config_narrative *n)
{
	json_error_t jerr;
	json_t *def = json_loads(db_column_text(s, 2), 0, &jerr), *t, *c;
	size_t i;

	n->key = xstrdup(db_column_text(s, 0));
	n->name = db_column_null(s, 1) ? NULL : xstrdup(db_column_text(s, 1));
	t = json_object_get(def, "terms");
	c = json_object_get(def, "category");
	n->terms = calloc(json_array_size(t) + 1, sizeof(*n->terms));
	if (!n->key || !n->terms) {
		json_decref(def);
		return -ENOMEM;
	}
	for (i = 0; i < json_array_size(t); i++)
		if (json_is_string(json_array_get(t, i)) &&
		    (n->terms[n->n_terms] =
		         xstrdup(json_string_value(json_array_get(t, i)))))
			n->n_terms++;
	if (json_is_string(c))
		n->category = xstrdup(json_string_value(c));
	json_decref(def);
	return 0;
}

/* The narratives: -c's config (kept in *cfg), else a config holding the
 * log's recorded ones.  Returns 0 or a sysexits code. */
static int load_narratives(const struct cmd_globals *g, struct db *db,
                           struct config **cfg)
{
	struct config_errors errs = {0};
	struct db_stmt *s = NULL;
	int rc;

	if (g->config) {
		rc = config_load(g->config, cfg, &errs);
		config_errors_clear(&errs);
		if (rc < 0) {
			fprintf(stderr,
			        "demarche narrative: %s: cannot load "
			        "(run check-config)\n",
			        g->config);
			return EX_CONFIG;
		}
		return 0;
	}
	*cfg = calloc(1, sizeof(**cfg));
	if (!*cfg || db_prepare(db,
	                        "SELECT narrative, name, definition FROM"
	                        " narratives ORDER BY narrative",
	                        &s) < 0) {
		fprintf(stderr, "demarche narrative: %s\n",
		        *cfg ? db_errmsg(db) : "out of memory");
		return EX_IOERR;
	}
	while ((rc = db_step(s)) == DB_ROW) {
		struct config_narrative *g2 =
		    realloc((*cfg)->narratives,
		            ((*cfg)->n_narratives + 1) * sizeof(*g2));

		if (!g2)
			break;
		(*cfg)->narratives = g2;
		memset(&g2[(*cfg)->n_narratives], 0, sizeof(*g2));
		if (narrative_from_row(s, &g2[(*cfg)->n_narratives++]) < 0)
			break;
	}
	db_finalize(s);
	return rc == DB_DONE ? 0 : EX_IOERR;
}

static const struct config_narrative *find_narrative(const struct config *cfg,
                                                     const char *key)
{
	size_t i;

	for (i = 0; i < cfg->n_narratives; i++)
		if (strcmp(cfg->narratives[i].key, key) == 0)
			return &cfg->narratives[i];
	return NULL;
}

/* One narrative's counts in [from, to). */
static json_t *summary_json(struct db *db, const struct config_narrative *n,
                            int64_t from, int64_t to)
{
	struct db_stmt *s = NULL;
	json_t *o = NULL;

	if (db_prepare(db,
	               "SELECT count(DISTINCT COALESCE(c.cluster_id, p.id)),"
	               " count(DISTINCT p.account_id), min(p.report_time),"
	               " count(*) FROM post_narratives n JOIN posts p"
	               " ON p.id = n.post_id LEFT JOIN post_clusters c"
	               " ON c.post_id = p.id WHERE n.narrative = ?1"
	               " AND p.report_time >= ?2 AND p.report_time < ?3",
	               &s) < 0)
		return NULL;
	db_bind_text(s, 1, n->key);
	db_bind_int64(s, 2, from);
	db_bind_int64(s, 3, to);
	if (db_step(s) == DB_ROW)
		o = json_pack(
		    "{s:s, s:s?, s:I, s:I, s:I, s:o}", "key", n->key, "name",
		    n->name, "posts", (json_int_t)db_column_int64(s, 0),
		    "copies",
		    (json_int_t)(db_column_int64(s, 3) - db_column_int64(s, 0)),
		    "accounts", (json_int_t)db_column_int64(s, 1), "first",
		    db_column_null(s, 2) ? json_null()
		                         : time_json(db_column_int64(s, 2)));
	db_finalize(s);
	return o;
}

static int list_narratives(struct db *db, const struct config *cfg,
                           int64_t from, int64_t to, bool json)
{
	json_t *all = json_array(), *o, *v;
	size_t i;

	for (i = 0; all && i < cfg->n_narratives; i++) {
		v = summary_json(db, &cfg->narratives[i], from, to);
		if (!v) {
			fprintf(stderr, "demarche narrative: %s\n",
			        db_errmsg(db));
			json_decref(all);
			return EX_IOERR;
		}
		json_array_append_new(all, v);
	}
	o = json_pack("{s:{s:o, s:o}, s:o}", "period", "from", time_json(from),
	              "to", time_json(to), "narratives", all);
	if (!o)
		return EX_SOFTWARE;
	if (json) {
		json_dumpf(o, stdout, JSON_INDENT(2));
		putchar('\n');
	} else {
		char period[128];

		cmd_period_words(from, to, period, sizeof(period));
		printf("# narratives stated in %s\n", period);
		printf("%-24s %7s %7s %9s  %s\n", "narrative", "posts",
		       "copies", "accounts", "first");
		for (i = 0; (v = json_array_get(all, i)); i++)
			printf("%-24s %7lld %7lld %9lld  %s\n", str(v, "key"),
			       num(v, "posts"), num(v, "copies"),
			       num(v, "accounts"), str(v, "first"));
		if (json_array_size(all) == 0)
			printf("(no narratives: add [narrative \"KEY\"] "
			       "sections to the config)\n");
	}
	json_decref(o);
	return 0;
}

static int show_narrative(struct db *db, const struct config_narrative *n,
                          int64_t from, int64_t to, bool json)
{
	json_t *o = NULL;
	char err[512];

	if (report_narrative_timeline(db, n->key, n->name, from, to, &o, err,
	                              sizeof(err)) < 0) {
		fprintf(stderr, "demarche narrative: %s\n", err);
		return EX_IOERR;
	}
	if (json) {
		json_dumpf(o, stdout, JSON_INDENT(2));
		putchar('\n');
	} else {
		print_text(o);
	}
	json_decref(o);
	return 0;
}

static void on_broad(const char *key, int64_t matched, int64_t total, void *arg)
{
	(void)arg;
	fprintf(stderr,
	        "demarche narrative: warning: %s matches %lld of %lld posts "
	        "(over a third): are its terms too common?\n",
	        key, (long long)matched, (long long)total);
}

static int rescan(const char *target, struct config *cfg)
{
	struct narrative_matcher *m;
	struct store *st = NULL;
	struct progress pr;
	int64_t cursor = 0, matched = 0, done = 0;
	char err[512];
	int r;

	m = store_narratives_matcher(cfg, err, sizeof(err));
	if (!m) {
		fprintf(stderr, "demarche narrative: %s\n", err);
		return EX_DATAERR;
	}
	r = store_open(target, &st, err, sizeof(err));
	if (r == 0)
		r = store_narratives_set(st, cfg, m, util_now());
	if (r >= 0)
		r = store_narratives_reset(st);
	progress_start(&pr, stderr, "rescan", "posts", -1);
	while (r >= 0 && (r = store_narratives_rescan_batch(st, &cursor, 1000,
	                                                    &matched)) > 0)
		progress_update(&pr, done += r);
	progress_end(&pr);
	if (r < 0)
		fprintf(stderr, "demarche narrative: %s\n",
		        st ? store_errmsg(st) : err);
	else
		printf("%zu narrative(s) applied to %lld post(s): %lld "
		       "match(es)\n",
		       cfg->n_narratives, (long long)done, (long long)matched);
	if (r >= 0)
		store_narratives_broad(st, on_broad, NULL);
	store_close(st);
	narrative_matcher_free(m);
	return r < 0 ? EX_IOERR : 0;
}

struct narrative_args {
	const char *key;
	const char *since, *until;
	bool json;
	bool rescan;
	bool send_alerts;
};

static int parse_args(int argc, char **argv, struct narrative_args *a)
{
	static const struct option opts[] = {
	    {"since", required_argument, NULL, 's'},
	    {"until", required_argument, NULL, 'u'},
	    {"format", required_argument, NULL, 'f'},
	    {"rescan", no_argument, NULL, 'r'},
	    {"send-alerts", no_argument, NULL, 'a'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int ch;

	while (optind < argc) {
		ch = getopt_long(argc, argv, "h", opts, NULL);
		if (ch == -1) { /* the key, before or among the options */
			if (a->key || optind >= argc)
				break;
			a->key = argv[optind++];
			continue;
		}
		switch (ch) {
		case 's':
			a->since = optarg;
			break;
		case 'u':
			a->until = optarg;
			break;
		case 'f':
			if (strcmp(optarg, "json") != 0 &&
			    strcmp(optarg, "text") != 0) {
				fprintf(stderr, "demarche narrative: --format "
				                "is text or json\n");
				return EX_USAGE;
			}
			a->json = strcmp(optarg, "json") == 0;
			break;
		case 'r':
			a->rescan = true;
			break;
		case 'a':
			a->send_alerts = true;
			break;
		case 'h':
			usage(stdout);
			return -1;
		default:
			usage(stderr);
			return EX_USAGE;
		}
	}
	if (optind < argc || ((a->rescan || a->send_alerts) &&
	                      (a->key || a->since || a->until))) {
		usage(stderr);
		return EX_USAGE;
	}
	return 0;
}

static int unknown_narrative(const struct config *cfg, const char *key)
{
	const char **names = calloc(cfg->n_narratives + 1, sizeof(*names));
	const char *near = NULL;
	size_t i;

	for (i = 0; names && i < cfg->n_narratives; i++)
		names[i] = cfg->narratives[i].key;
	if (names)
		near = util_nearest(key, names, cfg->n_narratives);
	fprintf(stderr, "demarche narrative: unknown narrative '%s'%s%s%s\n",
	        key, near ? "; did you mean '" : "", near ? near : "",
	        near ? "'?" : " (demarche narrative lists them)");
	free(names);
	return EX_USAGE;
}

int cmd_narrative_main(const struct cmd_globals *g, int argc, char **argv)
{
	struct narrative_args a = {0};
	struct config *cfg = NULL;
	struct store *st = NULL;
	int64_t from, to;
	char err[512];
	int rc;

	rc = parse_args(argc, argv, &a);
	if (rc != 0)
		return rc < 0 ? 0 : rc;
	if (a.send_alerts)
		return cmd_narrative_send_alerts(g);
	if (!g->db) {
		fprintf(stderr, "demarche narrative: no log: use -d DB or -c "
		                "FILE\n");
		return EX_USAGE;
	}
	rc = cmd_period("narrative", a.since, a.until, 0, false, &from, &to);
	if (rc != 0)
		return rc;
	rc = store_open_readonly(g->db, &st, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "demarche narrative: %s\n", err);
		return rc == -ENOENT ? EX_NOINPUT : EX_IOERR;
	}
	rc = load_narratives(g, store_conn(st), &cfg);
	if (rc == 0 && a.rescan) {
		store_close(st);
		st = NULL;
		rc = rescan(g->db, cfg);
	} else if (rc == 0 && !a.key) {
		rc = list_narratives(store_conn(st), cfg, from, to, a.json);
	} else if (rc == 0 && !find_narrative(cfg, a.key)) {
		rc = unknown_narrative(cfg, a.key);
	} else if (rc == 0) {
		rc = show_narrative(store_conn(st), find_narrative(cfg, a.key),
		                    from, to, a.json);
	}
	store_close(st);
	config_free(cfg);
	return rc;
}
