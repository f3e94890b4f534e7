/*
 * cmd_report.c — `demarche -d DB report` and `demarche -d DB trends`: open
 * the log read-only, build the report (or the trends) model with report.c,
 * render it, and write it to stdout or, with -o, atomically to a file
 * (temporary file, fsync, rename, fsync of the directory), so a reader
 * never sees half a report.  Delivery through the config's channels
 * (--deliver) is in cmd_deliver.c.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "cmd.h"
#include "config.h"
#include "log.h"
#include "report.h"
#include "store.h"
#include "util.h"

/* Sends the rendering to -o FILE or stdout; returns a sysexits code. */
static int emit(const struct buf *b, const char *output)
{
	int rc;

	if (output) {
		rc = util_write_file_atomic(output, b->data ? b->data : "",
		                            b->len);
		if (rc < 0) {
			log_warnx("%s: %s", output, strerror(-rc));
			return EX_CANTCREAT;
		}
		return 0;
	}
	if (fwrite(b->data ? b->data : "", 1, b->len, stdout) != b->len ||
	    fflush(stdout) != 0) {
		log_warn("writing the report");
		return EX_IOERR;
	}
	return 0;
}

/* Opens the database for reading; returns 0 or a sysexits code. */
static int open_db(const struct cmd_globals *g, const char *cmd,
                   struct store **st)
{
	char err[512];
	int rc;

	if (!g->db) {
		log_warnx("%s: no database: give -d DB, or -c FILE whose "
		          "[storage] database names it (demarche -d DB %s)",
		          cmd, cmd);
		return EX_USAGE;
	}
	rc = store_open_readonly(g->db, st, err, sizeof(err));
	if (rc == -ENOENT) {
		log_warnx("%s: database not found: %s", cmd, err);
		return EX_NOINPUT;
	}
	if (rc < 0) {
		log_warnx("%s: cannot read the database: %s", cmd, err);
		return cmd_open_status(rc);
	}
	return 0;
}

/* Help text, one literal per printed line. */
/* clang-format off */
static void report_usage(FILE *fp)
{
	fputs(
	    "usage: demarche [-c FILE | -d DB] report [OPTIONS]\n"
	    "       demarche -c FILE report --deliver [OPTIONS]\n"
	    "Builds the summary report for a period, [since, until), ending now unless\n"
	    "--until says otherwise: posts per category and account, new accounts,\n"
	    "follower growth, edits and deletions, the categorised posts with their\n"
	    "evidence.\n"
	    "\n"
	    "  --since T           start of the period: a duration back from its end\n"
	    "                      (90m, 36h, 7d, 2w, 1h30m; default 7d) or a UTC date\n"
	    "                      or time (2020-03-01, 2020-03-01T08:00, RFC 3339);\n"
	    "                      whole days or weeks (7d, 365d) count calendar days,\n"
	    "                      the last being --until's: 365d lists 365 days\n"
	    "  --until T           end of the period, not included: a duration back\n"
	    "                      from now, a date or time as for --since, or Unix\n"
	    "                      seconds (default: now)\n"
	    "  --format F          text (default), md, json or html\n"
	    "  -o, --output FILE   write to FILE instead of standard output\n"
	    "  --deliver           send the report once through every channel of the\n"
	    "                      config's [report] section (file, mail, webhook);\n"
	    "                      exits 0 only when every channel accepted it\n"
	    "  -h, --help          print this help and exit\n",
	    fp);
}
/* clang-format on */

/* Help text, one literal per printed line. */
/* clang-format off */
static void trends_usage(FILE *fp)
{
	fputs(
	    "usage: demarche [-c FILE | -d DB] trends [OPTIONS]\n"
	    "Prints the account-growth tables: accounts opened per year by role, follower\n"
	    "growth, posting volume and category share over time.\n"
	    "\n"
	    "  --format F          text (default), json or csv\n"
	    "  --since T           where the series start: a duration back from --until\n"
	    "                      (90m, 7d, 52w, 1h30m) or a UTC date or time\n"
	    "                      (2020-03-01, RFC 3339); default: all of the log\n"
	    "  --until T           where they end, not included (same forms; default:\n"
	    "                      now): the period is half-open, [since, until);\n"
	    "                      whole days are counted as for report\n"
	    "  -o, --output FILE   write to FILE instead of standard output\n"
	    "  -h, --help          print this help and exit\n",
	    fp);
}
/* clang-format on */

/* The width of the text report on standard output: $COLUMNS, as shells
 * set it for the terminal, else 80 (a file or a mail always gets 80). */
static size_t report_columns(void)
{
	const char *env = getenv("COLUMNS");
	char *end;
	long n;

	if (!env || !*env)
		return REPORT_TEXT_COLS;
	n = strtol(env, &end, 10);
	return *end || n < 1 || n > 1000 ? REPORT_TEXT_COLS : (size_t)n;
}

int cmd_report_main(const struct cmd_globals *g, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"since", required_argument, NULL, 's'},
	    {"format", required_argument, NULL, 'f'},
	    {"output", required_argument, NULL, 'o'},
	    {"deliver", no_argument, NULL, 'D'},
	    {"until", required_argument, NULL, 'u'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	enum report_format format = REPORT_FORMAT_TEXT;
	const char *output = NULL;
	struct store *st = NULL;
	struct buf b = {0};
	const char *since = NULL, *until = NULL;
	int64_t from, to;
	json_t *report = NULL;
	bool deliver = false;
	char err[512];
	int ch, rc;

	while ((ch = getopt_long(argc, argv, "s:f:o:u:h", opts, NULL)) != -1) {
		switch (ch) {
		case 's':
			since = optarg;
			break;
		case 'u':
			until = optarg;
			break;
		case 'f':
			if (report_format_from_name(optarg, &format) < 0 ||
			    format == REPORT_FORMAT_CSV) {
				log_warnx("report: unknown format '%s' "
				          "(text, md, json, html)",
				          optarg);
				return EX_USAGE;
			}
			break;
		case 'o':
			output = optarg;
			break;
		case 'D':
			deliver = true;
			break;
		case 'h':
			report_usage(stdout);
			return 0;
		default:
			report_usage(stderr);
			return EX_USAGE;
		}
	}
	if (optind < argc) {
		log_warnx("report: unexpected argument '%s'", argv[optind]);
		report_usage(stderr);
		return EX_USAGE;
	}
	rc = cmd_period("report", since, until, 7 * 86400, true, &from, &to);
	if (rc)
		return rc;
	rc = cmd_load_categories(g, "report", false);
	if (rc)
		return rc;
	if (deliver)
		return cmd_report_deliver(g, since ? to - from : 0, to);
	cmd_period_days(since, &from, to);
	rc = open_db(g, "report", &st);
	if (rc)
		return rc;
	{
		int burst, cap;

		cmd_amplification_limits(g, &burst, &cap);
	}
	rc = report_build(st, from, to, &report, err, sizeof(err));
	if (rc < 0) {
		log_warnx("report: %s", err);
		rc = rc == -ENOMEM ? EX_OSERR : EX_IOERR;
		goto out_close;
	}
	if (report_render_cols(report, format,
	                       output ? REPORT_TEXT_COLS : report_columns(),
	                       &b) < 0) {
		log_warnx("report: out of memory");
		rc = EX_OSERR;
		goto out_free_render;
	}
	rc = emit(&b, output);
out_free_render:
	buf_free(&b);
	json_decref(report);
out_close:
	store_close(st);
	return rc;
}

int cmd_trends_main(const struct cmd_globals *g, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"format", required_argument, NULL, 'f'},
	    {"since", required_argument, NULL, 's'},
	    {"until", required_argument, NULL, 'u'},
	    {"output", required_argument, NULL, 'o'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	enum report_format format = REPORT_FORMAT_TEXT;
	const char *output = NULL, *since_arg = NULL, *until_arg = NULL;
	struct store *st = NULL;
	struct buf b = {0};
	int64_t since, to;
	json_t *trends = NULL;
	char err[512];
	int ch, rc;

	while ((ch = getopt_long(argc, argv, "f:s:u:o:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			if (report_format_from_name(optarg, &format) < 0 ||
			    (format != REPORT_FORMAT_TEXT &&
			     format != REPORT_FORMAT_JSON &&
			     format != REPORT_FORMAT_CSV)) {
				log_warnx("trends: unknown format '%s' "
				          "(text, json, csv)",
				          optarg);
				return EX_USAGE;
			}
			break;
		case 's':
			since_arg = optarg;
			break;
		case 'u':
			until_arg = optarg;
			break;
		case 'o':
			output = optarg;
			break;
		case 'h':
			trends_usage(stdout);
			return 0;
		default:
			trends_usage(stderr);
			return EX_USAGE;
		}
	}
	if (optind < argc) {
		log_warnx("trends: unexpected argument '%s'", argv[optind]);
		return EX_USAGE;
	}
	rc = cmd_period("trends", since_arg, until_arg, 0, false, &since, &to);
	if (rc)
		return rc;
	cmd_period_days(since_arg, &since, to);
	rc = cmd_load_categories(g, "trends", false);
	if (rc)
		return rc;
	rc = open_db(g, "trends", &st);
	if (rc)
		return rc;
	rc = report_trends_build(st, since, to, &trends, err, sizeof(err));
	if (rc < 0) {
		log_warnx("trends: %s", err);
		rc = rc == -ENOMEM ? EX_OSERR : EX_IOERR;
		goto out_close;
	}
	if (report_trends_render_cols(
	        trends, format, output ? REPORT_TEXT_COLS : report_columns(),
	        &b) < 0) {
		log_warnx("trends: out of memory");
		rc = EX_OSERR;
		goto out_free_render;
	}
	rc = emit(&b, output);
out_free_render:
	buf_free(&b);
	json_decref(trends);
out_close:
	store_close(st);
	return rc;
}
