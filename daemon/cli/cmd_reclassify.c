/*
 * cmd_reclassify.c — `demarche -d DB reclassify [--since 7d] [--rules DIR]
 * [--model MODEL [--model-weight W]] [--batch N]`: relabels stored posts
 * with the current classifier (reclassify.c).  SIGINT and SIGTERM stop it
 * after the batch in hand; every committed batch stays, so it can simply
 * be run again.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "classify.h"
#include "cmd.h"
#include "config.h"
#include "progress.h"
#include "reclassify.h"
#include "store.h"
#include "util.h"

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

/* After every batch: the meter on a terminal (progress.h). */
static void on_progress(int64_t done, int64_t total, void *arg)
{
	struct progress *p = arg;

	p->total = total;
	progress_update(p, done);
}

/* Help text, one literal per printed line. */
/* clang-format off */
static void reclassify_usage(FILE *fp)
{
	fputs(
	    "usage: demarche [-c FILE | -d DB] reclassify [OPTIONS]\n"
	    "Classifies stored posts again with the current rules (and model), in batched\n"
	    "transactions, replacing their categories and rules version.\n"
	    "\n"
	    "  --since T           only posts published from T on: a duration back\n"
	    "                      from --until (90m, 36h, 7d, 2w, 1h30m) or a UTC\n"
	    "                      date or time (2020-03-01, 2020-03-01T08:00,\n"
	    "                      RFC 3339); default: every post\n"
	    "  --until T           only posts published before T (same grammar;\n"
	    "                      default now): the period is half-open,\n"
	    "                      [since, until)\n"
	    "  --rules DIR         lexicon folder (default as for classify)\n"
	    "  --model MODEL       blend a trained model into the scores\n"
	    "  --model-weight W    weight of the model against the rules, 0..1\n"
	    "  --batch N           posts per transaction (default 500)\n"
	    "  -h, --help          print this help and exit\n",
	    fp);
}
/* clang-format on */

/* The options into *ro, *dir, *model and *weight.  Returns -1 to go on,
 * or the exit code. */
static int reclassify_options(int argc, char **argv, struct reclassify_opts *ro,
                              const char **dir, const char **model,
                              double *weight)
{
	static const struct option opts[] = {
	    {"since", required_argument, NULL, 's'},
	    {"until", required_argument, NULL, 'u'},
	    {"rules", required_argument, NULL, 'r'},
	    {"model", required_argument, NULL, 'm'},
	    {"model-weight", required_argument, NULL, 'w'},
	    {"batch", required_argument, NULL, 'b'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0}};
	const char *since = NULL, *until = NULL;
	char *end;
	long n;
	int ch;

	while ((ch = getopt_long(argc, argv, "s:u:r:b:h", opts, NULL)) != -1) {
		switch (ch) {
		case 's':
			since = optarg;
			break;
		case 'u':
			until = optarg;
			break;
		case 'r':
			*dir = optarg;
			break;
		case 'm':
			*model = optarg;
			break;
		case 'w':
			errno = 0;
			*weight = strtod(optarg, &end);
			if (end == optarg || *end || errno ||
			    !(*weight >= 0 && *weight <= 1)) {
				fprintf(stderr,
				        "demarche reclassify: --model-weight "
				        "takes a number from 0 to 1\n");
				return EX_USAGE;
			}
			break;
		case 'b':
			errno = 0;
			n = strtol(optarg, &end, 10);
			if (end == optarg || *end || errno || n < 1 ||
			    n > RECLASSIFY_MAX_BATCH) {
				fprintf(stderr,
				        "demarche reclassify: --batch takes "
				        "1 to %d\n",
				        RECLASSIFY_MAX_BATCH);
				return EX_USAGE;
			}
			ro->batch = (size_t)n;
			break;
		case 'h':
			reclassify_usage(stdout);
			return 0;
		default:
			reclassify_usage(stderr);
			return EX_USAGE;
		}
	}
	if ((since || until) && cmd_period("reclassify", since, until, 0, false,
	                                   &ro->since, &ro->until) != 0)
		return EX_USAGE;
	return -1;
}

int cmd_reclassify_main(const struct cmd_globals *g, int argc, char **argv)
{
	struct reclassify_opts ro = {
	    INT64_MIN, RECLASSIFY_DEFAULT_BATCH, 0, &stop_requested, NULL, NULL,
	    0};
	struct reclassify_counts cnt;
	struct progress meter;
	struct classify_rules *R = NULL;
	struct store *st = NULL;
	struct sigaction sa, old_int, old_term;
	const char *dir = NULL, *model = NULL;
	char err[512], period[128];
	double weight = -1;
	int r, rc = 0;

	rc = reclassify_options(argc, argv, &ro, &dir, &model, &weight);
	if (rc >= 0)
		return rc;
	rc = 0;
	if (optind != argc || !g->db) {
		if (!g->db)
			fprintf(stderr, "demarche reclassify: give the "
			                "database with -d DB, or -c FILE whose "
			                "[storage] database names it\n");
		reclassify_usage(stderr);
		return EX_USAGE;
	}
	if ((rc = cmd_load_classifier(g, "reclassify", dir, model, weight,
	                              &R)) != 0)
		return rc;
	r = store_open(g->db, &st, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "demarche reclassify: %s: %s\n", g->db, err);
		rc = cmd_open_status(r);
		goto out_close_store;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	ro.now = util_now();
	progress_start(&meter, stderr, "reclassify", "posts", -1);
	ro.progress = on_progress;
	ro.progress_arg = &meter;
	r = reclassify_run(store_conn(st), R, &ro, &cnt, err, sizeof(err));
	progress_end(&meter);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	printf("re-labelled %ld post%s in %ld batch%s; %ld changed "
	       "categories\nrules version %s\n",
	       cnt.posts, cnt.posts == 1 ? "" : "s", cnt.batches,
	       cnt.batches == 1 ? "" : "es", cnt.changed,
	       classify_rules_version(R));
	if (ro.since != INT64_MIN || ro.until) {
		cmd_period_words(ro.since, ro.until, period, sizeof(period));
		printf("period %s: from --since up to but not including "
		       "--until\n",
		       period);
	}
	if (r < 0) {
		fprintf(stderr,
		        "demarche reclassify: %s (the batch in hand "
		        "was rolled back)\n",
		        err);
		rc = r == -ENOMEM ? EX_OSERR : EX_IOERR;
	} else if (cnt.stopped) {
		fprintf(stderr, "demarche reclassify: interrupted; run it "
		                "again to finish\n");
		rc = EX_TEMPFAIL;
	}
out_close_store:
	store_close(st);
	classify_rules_free(R);
	return rc;
}
