/*
 * cmd_config.c — `demarche check-config -c FILE`: the configuration check
 * an analyst runs after editing the file (and the unit file's
 * ExecStartPre).  It loads the file exactly as the daemon does and prints
 * every problem as "FILE:LINE: message"; exit 78 (EX_CONFIG) when there is
 * any, including a file that cannot be read.  The -c may come before the
 * subcommand (a global option) or after it.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "cmd.h"
#include "config.h"
#include "store.h"

/* Help text, one literal per printed line. */
/* clang-format off */
static void usage(FILE *fp)
{
	fputs(
	    "usage: demarche check-config -c FILE\n"
	    "       demarche check-config FILE\n"
	    "Validates a service config without starting anything: every error as\n"
	    "FILE:LINE: message, exit 78; a missing or unreadable file exits 66.  Also\n"
	    "checks that the database's folder exists and is writable (SQLite) or that\n"
	    "its URL parses (PostgreSQL).\n"
	    "\n"
	    "  -c, --config FILE   the config to check\n"
	    "  -h, --help          print this help and exit\n",
	    fp);
}
/* clang-format on */

int cmd_check_config_main(const struct cmd_globals *g, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct config_errors errs = {0};
	struct config *cfg = NULL;
	const char *path = g ? g->config : NULL;
	char msg[1200];
	size_t i, j, n_feeds = 0, by_kind[FEED_KIND_COUNT] = {0};
	int ch, rc;

	while ((ch = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EX_USAGE;
		}
	}
	if (optind < argc) {
		if (path || optind + 1 < argc) {
			usage(stderr);
			return EX_USAGE;
		}
		path = argv[optind]; /* `check-config FILE` is accepted too */
	}
	if (!path) {
		fputs("demarche: check-config needs -c FILE\n", stderr);
		usage(stderr);
		return EX_USAGE;
	}
	rc = config_load(path, &cfg, &errs);
	for (i = 0; i < errs.n_warnings; i++)
		fprintf(stderr, "%s\n", errs.warnings[i]);
	for (i = 0; i < errs.n; i++)
		fprintf(stderr, "%s\n", errs.msgs[i]);
	if (rc < 0) {
		if (errs.n == 0)
			fprintf(stderr, "%s: %s\n", path, strerror(-rc));
		else if (errs.n > 1)
			fprintf(stderr, "%s: %zu errors\n", path, errs.n);
		config_errors_clear(&errs);
		/* A file that is not there (or not readable) is no input,
		 * not a bad config. */
		return rc == -ENOENT || rc == -EACCES ? EX_NOINPUT : EX_CONFIG;
	}
	if (store_check_config_target(cfg, path, msg, sizeof(msg)) < 0) {
		fprintf(stderr, "%s\n", msg);
		config_free(cfg);
		config_errors_clear(&errs);
		return EX_CONFIG;
	}
	for (i = 0; i < cfg->n_accounts; i++) {
		n_feeds += cfg->accounts[i].n_feeds;
		for (j = 0; j < cfg->accounts[i].n_feeds; j++)
			by_kind[cfg->accounts[i].feeds[j].kind]++;
	}
	printf("configuration OK\n");
	printf("%s: %zu account%s, %zu feed%s (%zu web, %zu mastodon, %zu "
	       "bluesky",
	       path, cfg->n_accounts, cfg->n_accounts == 1 ? "" : "s", n_feeds,
	       n_feeds == 1 ? "" : "s", by_kind[FEED_KIND_WEB],
	       by_kind[FEED_KIND_MASTODON], by_kind[FEED_KIND_BLUESKY]);
	/* The older sources' line stays as scripts know it. */
	if (by_kind[FEED_KIND_TELEGRAM])
		printf(", %zu telegram", by_kind[FEED_KIND_TELEGRAM]);
	if (by_kind[FEED_KIND_YOUTUBE])
		printf(", %zu youtube", by_kind[FEED_KIND_YOUTUBE]);
	if (by_kind[FEED_KIND_HTML])
		printf(", %zu html", by_kind[FEED_KIND_HTML]);
	printf("), database %s\n", cfg->database);
	config_free(cfg);
	config_errors_clear(&errs);
	return 0;
}
