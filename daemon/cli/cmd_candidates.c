/*
 * cmd_candidates.c — `demarche -d DB candidates`: the accounts that
 * tracked accounts mentioned or reposted and whose handle or name marks
 * them as diplomatic or state media (store.c finds them as posts arrive;
 * candidates.h says how).  They are listed for review; adding one to the
 * config is the analyst's decision.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <jansson.h>
#include "db.h"

#include "cmd.h"
#include "date.h"
#include "log.h"
#include "store.h"
#include "util.h"

/* Help text, one literal per printed line. */
/* clang-format off */
static void usage(FILE *fp)
{
	fputs(
	    "usage: demarche [-c FILE | -d DB] candidates [--format text|json]\n"
	    "Lists accounts that tracked accounts mention or repost but that the config\n"
	    "does not track yet, with how often and where they were seen.\n"
	    "\n"
	    "  --format F          text (default) or json\n"
	    "  -h, --help          print this help and exit\n",
	    fp);
}
/* clang-format on */

/* Prints (text) or collects into list (json) every row of s, counting
 * them in *n.  Returns DB_DONE, or a negative errno. */
static int candidates_rows(struct db_stmt *s, bool json, json_t *list, int *n)
{
	char f[DATE_RFC3339_LEN], l[DATE_RFC3339_LEN];
	char c1[256], c2[256], c3[256];
	int rc;

	while ((rc = db_step(s)) == DB_ROW) {
		const char *h = db_column_text(s, 0),
		           *nm = db_column_text(s, 1),
		           *mk = db_column_text(s, 2),
		           *kd = db_column_text(s, 3),
		           *via = db_column_text(s, 7);

		date_format_rfc3339(db_column_int64(s, 5), f);
		date_format_rfc3339(db_column_int64(s, 6), l);
		(*n)++;
		if (json) {
			if (json_array_append_new(
			        list,
			        json_pack("{s:s?, s:s?, s:s?, s:s?, s:I, s:s, "
			                  "s:s, s:s?}",
			                  "handle", h, "name", nm, "marker", mk,
			                  "kind", kd, "posts",
			                  (json_int_t)db_column_int64(s, 4),
			                  "first_seen", f, "last_seen", l,
			                  "via", via)) < 0) {
				rc = -ENOMEM;
				break;
			}
			continue;
		}
		/* Handles come from post text: never raw to a terminal. */
		printf("%-32s %-14s %-8s %5lld  %-20s  %s\n",
		       log_sanitize(h ? h : "", c1, sizeof(c1)),
		       log_sanitize(mk ? mk : "", c2, sizeof(c2)), kd ? kd : "",
		       (long long)db_column_int64(s, 4), l,
		       log_sanitize(via ? via : "-", c3, sizeof(c3)));
	}
	return rc;
}

int cmd_candidates_main(const struct cmd_globals *g, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"format", required_argument, NULL, 'f'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	static const char sql[] =
	    "SELECT c.handle, c.name, c.marker, c.kind, c.refs, c.first_seen,"
	    " c.last_seen, a.handle FROM candidates c"
	    " LEFT JOIN accounts a ON a.id = c.via_account_id"
	    " ORDER BY c.refs DESC, c.last_seen DESC, c.handle";
	struct store *st = NULL;
	struct db_stmt *s = NULL;
	json_t *list = NULL;
	bool json = false;
	char err[512];
	int ch, rc, n = 0;

	while ((ch = getopt_long(argc, argv, "f:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			if (strcmp(optarg, "json") == 0) {
				json = true;
			} else if (strcmp(optarg, "text") != 0) {
				log_warnx("candidates: unknown format '%s' "
				          "(text, json)",
				          optarg);
				return EX_USAGE;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EX_USAGE;
		}
	}
	if (optind < argc || !g->db) {
		usage(stderr);
		return EX_USAGE;
	}
	rc = store_open_readonly(g->db, &st, err, sizeof(err));
	if (rc < 0) {
		log_warnx("candidates: %s", err);
		return cmd_open_status(rc);
	}
	if (store_schema_version(st) < 3) {
		log_warnx("candidates: the database predates candidates; run "
		          "the daemon once to upgrade it");
		rc = EX_DATAERR;
		goto out_close;
	}
	list = json_array();
	if (!list || db_prepare(store_conn(st), sql, &s) < 0) {
		log_warnx("candidates: %s", db_errmsg(store_conn(st)));
		rc = EX_IOERR;
		goto out_close;
	}
	if (!json)
		printf("%-32s %-14s %-8s %5s  %-20s  %s\n", "handle", "marker",
		       "kind", "posts", "last seen", "first via");
	rc = candidates_rows(s, json, list, &n);
	if (rc != DB_DONE) {
		log_warnx("candidates: %s", db_errmsg(store_conn(st)));
		rc = EX_IOERR;
		goto out_close;
	}
	if (json) {
		char *js = json_dumps(list, JSON_INDENT(2));

		if (!js) {
			rc = EX_OSERR;
			goto out_close;
		}
		puts(js);
		free(js);
	} else if (n == 0) {
		puts("(no candidates)");
	}
	rc = 0;
out_close:
	db_finalize(s);
	json_decref(list);
	store_close(st);
	return rc;
}
