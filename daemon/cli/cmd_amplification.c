/*
 * cmd_amplification.c — `demarche [-c FILE | -d DB] amplification`: who
 * amplified the tracked posts of a period (report_amplification.c builds
 * the model).  The daemon gathers the data with [poll] amplification =
 * yes; with -c FILE the config's burst_threshold and amplification_max
 * apply, with -d DB their defaults.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <jansson.h>

#include "cmd.h"
#include "config.h"
#include "log.h"
#include "report_amplification.h"
#include "store.h"
#include "util.h"

/* Help text, one literal per printed line. */
/* clang-format off */
static void usage(FILE *fp)
{
	fputs(
	    "usage: demarche [-c FILE | -d DB] amplification [--since T] [--until T]\n"
	    "                [--format text|json]\n"
	    "Who amplified the tracked posts published in the period: per post its\n"
	    "reposters, the share of them whose account was created less than 90 days\n"
	    "before the post (fresh), and the spread of the times they were first seen;\n"
	    "per reposting account the tracked posts and accounts it amplified; and\n"
	    "the bursts (a post's reposts rising by more than [poll] burst_threshold\n"
	    "between two polls).  The daemon gathers this with [poll] amplification =\n"
	    "yes.  The platforms give no repost times: a reposter's time is the check\n"
	    "that first listed it.\n"
	    "\n"
	    "  --since T           start of the period: a duration back from --until\n"
	    "                      (90m, 7d, 1h30m) or a UTC date or time (2020-03-01,\n"
	    "                      RFC 3339); default 7d\n"
	    "  --until T           end of the period (default: now)\n"
	    "  --format F          text (default) or json\n"
	    "  -h, --help          print this help and exit\n",
	    fp);
}
/* clang-format on */

void cmd_amplification_limits(const struct cmd_globals *g, int *burst, int *cap)
{
	struct config_errors errs = {0};
	struct config *cfg = NULL;

	*burst = REPORT_AMP_BURST_DEFAULT;
	*cap = REPORT_AMP_CAP_DEFAULT;
	if (g->config && config_load(g->config, &cfg, &errs) == 0) {
		*burst = cfg->burst_threshold;
		*cap = cfg->amplification_max;
	}
	config_errors_clear(&errs);
	config_free(cfg);
	report_amplification_limits(*burst, *cap);
}

/* A share as a whole percentage. */
static long pct(const json_t *x)
{
	return (long)(100.0 *
	                  json_real_value(json_object_get(x, "fresh_share")) +
	              0.5);
}

static void print_text(const json_t *m)
{
	const json_t *x;
	char c1[256], c2[512];
	size_t i;

	printf(
	    "%lld posts reposted, %lld amplifiers (cap %lld per post, "
	    "burst threshold %lld)\n\n",
	    (long long)json_integer_value(json_object_get(m, "n_posts")),
	    (long long)json_integer_value(json_object_get(m, "n_amplifiers")),
	    (long long)json_integer_value(json_object_get(m, "cap")),
	    (long long)json_integer_value(
	        json_object_get(m, "burst_threshold")));
	printf("%-24s %8s %6s %10s  %s\n", "account", "reposts", "fresh",
	       "spread_s", "url");
	json_array_foreach(json_object_get(m, "posts"), i, x)
	{
		const char *acc =
		               json_string_value(json_object_get(x, "account")),
		           *url = json_string_value(json_object_get(x, "url"));

		printf("%-24s %7lld%s %5ld%% %10lld  %s\n",
		       log_sanitize(acc ? acc : "", c1, sizeof(c1)),
		       (long long)json_integer_value(
		           json_object_get(x, "reposts")),
		       json_is_true(json_object_get(x, "capped")) ? "+" : " ",
		       pct(x),
		       (long long)json_integer_value(json_object_get(
		           json_object_get(x, "first_seen"), "spread_s")),
		       log_sanitize(url ? url : "-", c2, sizeof(c2)));
	}
	printf("\n%-40s %-9s %6s %8s  %s\n", "amplifier", "platform", "posts",
	       "accounts", "created");
	json_array_foreach(json_object_get(m, "amplifiers"), i, x)
	{
		const char *a = json_string_value(json_object_get(x, "actor")),
		           *cr =
		               json_string_value(json_object_get(x, "created"));

		printf(
		    "%-40s %-9s %6lld %8lld  %s\n",
		    log_sanitize(a ? a : "", c1, sizeof(c1)),
		    json_string_value(json_object_get(x, "platform")),
		    (long long)json_integer_value(json_object_get(x, "posts")),
		    (long long)json_integer_value(
		        json_object_get(x, "accounts")),
		    cr ? cr : "?");
	}
	json_array_foreach(json_object_get(m, "bursts"), i, x)
	{
		const char *acc =
		               json_string_value(json_object_get(x, "account")),
		           *url = json_string_value(json_object_get(x, "url"));

		printf(
		    "%sburst: %s %s: %lld -> %lld reposts (%s .. %s)\n",
		    i ? "" : "\n", log_sanitize(acc ? acc : "", c1, sizeof(c1)),
		    log_sanitize(url ? url : "-", c2, sizeof(c2)),
		    (long long)json_integer_value(json_object_get(x, "before")),
		    (long long)json_integer_value(json_object_get(x, "after")),
		    json_string_value(json_object_get(x, "from")),
		    json_string_value(json_object_get(x, "to")));
	}
}

/* Reads the options into *since, *until and *json; 0, or an exit code
 * (-1: help printed, exit 0). */
static int parse_args(int argc, char **argv, const char **since,
                      const char **until, bool *json)
{
	static const struct option opts[] = {
	    {"since", required_argument, NULL, 's'},
	    {"until", required_argument, NULL, 'u'},
	    {"format", required_argument, NULL, 'f'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int ch;

	while ((ch = getopt_long(argc, argv, "s:u:f:h", opts, NULL)) != -1) {
		switch (ch) {
		case 's':
			*since = optarg;
			break;
		case 'u':
			*until = optarg;
			break;
		case 'f':
			if (strcmp(optarg, "json") == 0) {
				*json = true;
			} else if (strcmp(optarg, "text") != 0) {
				log_warnx("amplification: unknown format '%s' "
				          "(text, json)",
				          optarg);
				return EX_USAGE;
			}
			break;
		case 'h':
			usage(stdout);
			return -1;
		default:
			usage(stderr);
			return EX_USAGE;
		}
	}
	if (optind < argc) {
		log_warnx("amplification: unexpected argument '%s'",
		          argv[optind]);
		usage(stderr);
		return EX_USAGE;
	}
	return 0;
}

int cmd_amplification_main(const struct cmd_globals *g, int argc, char **argv)
{
	const char *since = NULL, *until = NULL;
	struct report_amp_opts o = {0, 0, 0, false};
	struct store *st = NULL;
	json_t *m = NULL;
	bool json = false;
	int64_t from, to;
	char err[512];
	int rc;

	rc = parse_args(argc, argv, &since, &until, &json);
	if (rc)
		return rc < 0 ? 0 : rc;
	rc = cmd_period("amplification", since, until, 7 * 86400, false, &from,
	                &to);
	if (rc)
		return rc;
	if (!g->db) {
		log_warnx("amplification: no database: give -d DB, or -c FILE "
		          "whose [storage] database names it");
		return EX_USAGE;
	}
	cmd_amplification_limits(g, &o.burst_threshold, &o.cap);
	rc = store_open_readonly(g->db, &st, err, sizeof(err));
	if (rc < 0) {
		log_warnx("amplification: %s", err);
		return rc == -ENOENT ? EX_NOINPUT : EX_IOERR;
	}
	rc =
	    report_amplification_build(store_conn(st), store_schema_version(st),
	                               from, to, &o, &m, err, sizeof(err));
	if (rc < 0) {
		log_warnx("amplification: %s", err);
		rc = rc == -ENOENT ? EX_DATAERR : EX_IOERR;
		goto out_close;
	}
	if (json) {
		/* Dumped whole, then written at once: json_dumpf() would call
		 * fwrite() per token, millions of times for a big period. */
		char *js = json_dumps(m, JSON_COMPACT | JSON_ENSURE_ASCII);

		rc = js && fputs(js, stdout) >= 0 && putchar('\n') != EOF
		         ? 0
		         : EX_IOERR;
		free(js);
	} else {
		print_text(m);
		rc = 0;
	}
	json_decref(m);
out_close:
	store_close(st);
	return rc;
}
